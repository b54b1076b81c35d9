// Cohort tracking: the expected cumulative repeat transactions of a cohort over calendar time,
// the curve FHL (2005, "Counting your customers the easy way", Figure 3) set against the actual
// cumulative weekly repeat transactions of CDNOW.
#pragma once

#include <clv/core/errors.hpp>

#include <algorithm>
#include <cmath>
#include <concepts>
#include <cstddef>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace clv {

/// A model that predicts E[X(t)], the repeat purchases of a new customer in (0, t].
template <class M>
concept cohort_model = requires(const M& m, double t) {
    { m.expected_transactions(t) } -> std::convertible_to<double>;
};

/// Expected cumulative repeat transactions of a cohort at each calendar time:
/// result[k] = sum_i E[X(calendar_times[k] - first_purchase_times[i])] over the customers with
/// first_purchase_times[i] < calendar_times[k]. Times share one unit and origin (e.g. weeks since
/// the cohort's first day). Customers with the same first-purchase time are counted together, so
/// the cost is (distinct first-purchase times) x (calendar times) model evaluations.
/// Throws `invalid_input` for non-finite times.
template <cohort_model M>
std::vector<double> expected_cumulative_transactions(const M& model, std::span<const double> first_purchase_times,
                                                     std::span<const double> calendar_times) {
    for (std::size_t i = 0; i < first_purchase_times.size(); ++i)
        if (!std::isfinite(first_purchase_times[i]))
            throw invalid_input("first_purchase_time", to_message_string(first_purchase_times[i]),
                                "must be a finite number", {"cohort, customer " + std::to_string(i + 1)});
    for (std::size_t k = 0; k < calendar_times.size(); ++k)
        if (!std::isfinite(calendar_times[k]))
            throw invalid_input("calendar_time", to_message_string(calendar_times[k]), "must be a finite number",
                                {"tracking grid, point " + std::to_string(k + 1)});
    std::vector<double> sorted(first_purchase_times.begin(), first_purchase_times.end());
    std::sort(sorted.begin(), sorted.end());
    std::vector<std::pair<double, double>> groups;  // (first-purchase time, customers)
    for (double t0 : sorted) {
        if (!groups.empty() && groups.back().first == t0) {
            groups.back().second += 1;
        } else {
            groups.emplace_back(t0, 1.0);
        }
    }
    std::vector<double> result(calendar_times.size(), 0.0);
    for (std::size_t k = 0; k < calendar_times.size(); ++k) {
        double total = 0;
        for (const auto& [t0, count] : groups) {
            if (!(t0 < calendar_times[k])) break;
            total += count * static_cast<double>(model.expected_transactions(calendar_times[k] - t0));
        }
        result[k] = total;
    }
    return result;
}

/// Period-by-period increments of a cumulative curve (first entry unchanged): the expected
/// transactions within each period of the grid.
inline std::vector<double> incremental_from_cumulative(std::span<const double> cumulative) {
    std::vector<double> out(cumulative.begin(), cumulative.end());
    for (std::size_t k = out.size(); k-- > 1;) out[k] -= out[k - 1];
    return out;
}

}  // namespace clv
