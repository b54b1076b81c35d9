// Cohorts and channels: which acquisition cohorts (month of first purchase) or channels bring
// customers who become valuable and stay. One row per group: customers, mean P(alive), mean and
// total CLV, share of all value, and retention, observed (a purchase in the holdout period) when
// the caller has it, otherwise expected (the mean P(alive)).
#pragma once

#include <clv/analysis/churn_risk.hpp>
#include <clv/core/calendar.hpp>
#include <clv/core/statistics.hpp>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

namespace clv {

struct cohort_row {
    std::string cohort;
    std::size_t customers = 0;
    stats::mean_estimate probability_alive;  ///< expected share still active, with a t interval
    stats::mean_estimate clv;
    double total_clv = 0, value_share = 0;
    stats::interval_estimate retention;  ///< observed share retained (Wilson); NaN without holdout flags
};

struct cohort_table {
    std::vector<cohort_row> rows;  ///< in label order (YYYY-MM labels sort by time)
    std::size_t customers_without_cohort = 0;
};

/// "YYYY-MM" of each customer's first purchase day (days since 1970-01-01, as the summarizer and
/// io::dates give them): the acquisition cohort labels.
inline std::vector<std::string> acquisition_months(std::span<const std::int64_t> first_purchase_day) {
    std::vector<std::string> out;
    out.reserve(first_purchase_day.size());
    for (const std::int64_t day : first_purchase_day) out.push_back(iso_date(day).substr(0, 7));
    return out;
}

/// Customers with at least one purchase in the holdout period (the complement of
/// `lost_in_holdout`): observed retention.
inline std::vector<bool> retained_in_holdout(const customer_table& customers) {
    std::vector<bool> out = lost_in_holdout(customers);
    out.flip();
    return out;
}

/// Summarises customers by `cohort[i]` (any label: month, channel, region; "" = none, counted).
/// `retained` is empty or one flag per customer (e.g. `retained_in_holdout`).
inline cohort_table cohort_summary(const std::vector<std::string>& cohort, std::span<const double> probability_alive,
                                   std::span<const double> clv, const std::vector<bool>& retained = {}, double level = 0.95) {
    const std::string where = "cohort summary";
    stats::check_level(level);
    if (cohort.empty()) throw invalid_input("cohort", "", "no customers", {where});
    if (probability_alive.size() != cohort.size() || clv.size() != cohort.size() ||
        (!retained.empty() && retained.size() != cohort.size()))
        throw invalid_input("cohort", std::to_string(cohort.size()),
                            "cohort labels, P(alive), CLV and retention flags need one entry per customer", {where});
    stats::require_finite(probability_alive, "probability_alive", where);
    stats::require_finite(clv, "clv", where);
    std::map<std::string, std::vector<std::size_t>> members;
    cohort_table out;
    double grand = 0;
    for (std::size_t i = 0; i < cohort.size(); ++i) {
        if (cohort[i].empty()) ++out.customers_without_cohort;
        else members[cohort[i]].push_back(i);
        grand += clv[i];
    }
    if (members.empty()) throw invalid_input("cohort", "", "no customer has a cohort label", {where});
    for (const auto& [label, list] : members) {
        cohort_row row;
        row.cohort = label;
        row.customers = list.size();
        std::vector<double> alive, value;
        double kept = 0;
        for (std::size_t i : list) {
            alive.push_back(probability_alive[i]);
            value.push_back(clv[i]);
            row.total_clv += clv[i];
            if (!retained.empty() && retained[i]) kept += 1;
        }
        row.probability_alive = stats::mean_interval(alive, {}, level);
        row.clv = stats::mean_interval(value, {}, level);
        row.value_share = grand != 0 ? row.total_clv / grand : stats::not_available;
        if (!retained.empty()) row.retention = stats::wilson_interval(kept, static_cast<double>(list.size()), level);
        out.rows.push_back(std::move(row));
    }
    return out;
}

}  // namespace clv
