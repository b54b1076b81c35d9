// Cohort tracking: the expected cumulative repeat transactions of a cohort over calendar time,
// the curve FHL (2005, "Counting your customers the easy way", figures 2 and 3) set against the
// actual weekly and cumulative repeat transactions of CDNOW, across calibration and holdout.
#pragma once

#include <clv/core/errors.hpp>

#include <algorithm>
#include <cmath>
#include <concepts>
#include <cstddef>
#include <cstdint>
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

/// The purchases of a cohort as day numbers (days since 1970-01-01, as clv/io/dates.hpp gives):
/// each customer's first purchase day, and the days of all repeat transactions pooled over the
/// customers (a repeat transaction is a purchase day after the customer's first; several
/// purchases on one day are one transaction, the convention of data/summarize.hpp).
struct cohort_purchase_days {
    std::vector<std::int64_t> first_purchase;   ///< one per customer
    std::vector<std::int64_t> repeat_purchase;  ///< sorted
};

/// The cohort of the customers whose first purchase is on or before `calibration_end`, from the
/// (customer index, day) pairs of a log's purchases in any order; purchases after
/// `observation_end` are left out, as `transaction_summarizer` leaves them out.
inline cohort_purchase_days cohort_from_purchases(std::vector<std::pair<std::size_t, std::int64_t>> purchases,
                                                  std::int64_t calibration_end, std::int64_t observation_end) {
    if (calibration_end > observation_end)
        throw invalid_input("calibration end", std::to_string(calibration_end),
                            "is after the observation end (" + std::to_string(observation_end) + ")", {"cohort"});
    std::sort(purchases.begin(), purchases.end());
    purchases.erase(std::unique(purchases.begin(), purchases.end()), purchases.end());
    cohort_purchase_days out;
    for (std::size_t k = 0; k < purchases.size();) {
        const std::size_t customer = purchases[k].first, first = k;
        while (k < purchases.size() && purchases[k].first == customer) ++k;
        if (purchases[first].second > calibration_end) continue;
        out.first_purchase.push_back(purchases[first].second);
        for (std::size_t j = first + 1; j < k && purchases[j].second <= observation_end; ++j)
            out.repeat_purchase.push_back(purchases[j].second);
    }
    std::sort(out.repeat_purchase.begin(), out.repeat_purchase.end());
    return out;
}

/// One period of a tracking curve: the cohort's actual and expected repeat transactions.
struct tracking_period {
    std::size_t period = 0;      ///< 1, 2, ... counted from the cohort's first purchase day
    std::int64_t first_day = 0;  ///< first and last day of the period (day numbers)
    std::int64_t last_day = 0;
    double end_time = 0;         ///< (last_day - cohort's first day) in the model's time unit
    bool holdout = false;        ///< the period starts after the calibration end
    double actual = 0;           ///< repeat transactions in the period
    double actual_cumulative = 0;
    double expected = 0;         ///< sum over customers of E[X] increments over the period
    double expected_cumulative = 0;
};

/// The tracking curve of a cohort under `model`, one row per period of `unit_days` days (the model's
/// time unit: 7 for a model fitted in weeks) from the cohort's first purchase day to
/// `observation_end` (FHL 2005, figure 2: weekly; figure 3: cumulative). Period k holds the days d
/// with floor((d - origin) / unit_days) = k - 1. Expected cumulative transactions at the end of a
/// period are `expected_cumulative_transactions` at the instant of its last day, the clock of the
/// summaries: a customer whose first purchase is on day f has age (d - f) / unit_days on day d.
/// Throws `invalid_input` for an empty cohort, unit_days < 1, or an observation end before the
/// cohort's first purchase.
template <cohort_model M>
std::vector<tracking_period> track_cohort(const M& model, const cohort_purchase_days& cohort, double unit_days,
                                          std::int64_t calibration_end, std::int64_t observation_end) {
    const source_location where{"cohort tracking"};
    if (cohort.first_purchase.empty())
        throw invalid_input("", "", "no customers made a first purchase by the calibration end", where);
    if (!(unit_days >= 1) || !std::isfinite(unit_days))
        throw invalid_input("time unit", to_message_string(unit_days), "must be at least one day for tracking", where);
    const std::int64_t origin = *std::min_element(cohort.first_purchase.begin(), cohort.first_purchase.end());
    if (observation_end < origin)
        throw invalid_input("observation end", std::to_string(observation_end),
                            "is before the cohort's first purchase (day " + std::to_string(origin) + ")", where);
    std::vector<tracking_period> periods;
    for (std::size_t k = 1;; ++k) {
        tracking_period p;
        p.period = k;
        p.first_day = periods.empty() ? origin : periods.back().last_day + 1;
        p.last_day = std::min(observation_end,
                              origin + static_cast<std::int64_t>(std::ceil(static_cast<double>(k) * unit_days)) - 1);
        p.end_time = static_cast<double>(p.last_day - origin) / unit_days;
        p.holdout = p.first_day > calibration_end;
        periods.push_back(p);
        if (p.last_day >= observation_end) break;
    }
    std::vector<double> first_times, end_times;
    for (const std::int64_t f : cohort.first_purchase) first_times.push_back(static_cast<double>(f - origin) / unit_days);
    for (const auto& p : periods) end_times.push_back(p.end_time);
    const std::vector<double> expected = expected_cumulative_transactions(model, first_times, end_times);
    const std::vector<double> increments = incremental_from_cumulative(expected);
    auto next = cohort.repeat_purchase.begin();
    double actual_total = 0;
    for (std::size_t k = 0; k < periods.size(); ++k) {
        auto& p = periods[k];
        const auto end = std::upper_bound(next, cohort.repeat_purchase.end(), p.last_day);
        p.actual = static_cast<double>(end - next);
        next = end;
        actual_total += p.actual;
        p.actual_cumulative = actual_total;
        p.expected_cumulative = expected[k];
        p.expected = increments[k];
    }
    return periods;
}

}  // namespace clv
