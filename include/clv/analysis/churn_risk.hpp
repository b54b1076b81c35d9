// Whom is the business losing, and who are they (MISSION.md question 3): the expected number of
// customers lost over a horizon with an interval, the customers at risk now with the value at
// risk, and which attributes go with churn (a logistic regression). The lost / at-risk against
// loyal profile is `profile_groups` (analysis/profile.hpp) with the masks made here.
#pragma once

#include <clv/analysis/attributes.hpp>
#include <clv/analysis/profile.hpp>
#include <clv/core/statistics.hpp>
#include <clv/data/customer_table.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <span>
#include <string>
#include <vector>

namespace clv {

/// The number of customers lost over a horizon. Each customer i is lost with probability q_i,
/// independently, so the count is Poisson-binomial: mean sum q_i, variance sum q_i (1 - q_i)
/// (e.g. Wang 1993, "On the number of successes in independent trials"); the interval is the
/// normal one, mean -+ z sd, cut at 0 and at the number of customers.
struct customers_lost_forecast {
    double customers = 0;  ///< customers counted (sum of weights)
    double horizon = 0;
    double expected_lost = 0, sd = 0, lower = 0, upper = 0;
    double expected_active_now = 0;  ///< sum of P(alive now) (transactional) or of active customers (contractual)
};

namespace detail {
inline customers_lost_forecast lost_from_probabilities(std::span<const double> lost, std::span<const double> weights,
                                                       double horizon, double level) {
    const double z = stats::normal_critical(level);
    customers_lost_forecast out;
    out.horizon = horizon;
    double variance = 0;
    for (std::size_t i = 0; i < lost.size(); ++i) {
        const double w = weights.empty() ? 1.0 : weights[i], q = std::clamp(lost[i], 0.0, 1.0);
        out.customers += w;
        out.expected_lost += w * q;
        variance += w * q * (1 - q);
    }
    out.sd = std::sqrt(variance);
    out.lower = std::max(0.0, out.expected_lost - z * out.sd);
    out.upper = std::min(out.customers, out.expected_lost + z * out.sd);
    return out;
}
inline void check_horizon(double horizon) {
    if (!(horizon > 0) || !std::isfinite(horizon))
        throw invalid_input("horizon", to_message_string(horizon), "must be a finite number > 0", {"customers lost"});
}
}  // namespace detail

/// Transactional data: customer i is alive now with P(alive at T) and alive at the end of the
/// horizon with P(alive at T + horizon) (the model's `probability_alive_at(t, x, t_x, T)`, t = 0
/// for now: BG/NBD, MBG/NBD, Pareto/NBD, and BG/BB with times in opportunities), so it is lost
/// during the horizon with q_i = P(alive at T) - P(alive at T + horizon) (dropout is final).
/// Computed once per distinct history (`compress`).
template <class Model>
customers_lost_forecast expected_customers_lost(const Model& model, const customer_table& customers, double horizon,
                                                double level = 0.95) {
    detail::check_horizon(horizon);
    stats::check_level(level);
    customers.validate();
    const compressed_table compressed = compress(customers);
    const auto& rows = compressed.unique;
    std::vector<double> lost(rows.size());
    double active = 0;
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const double now = static_cast<double>(model.probability_alive_at(0.0, rows.frequency[i], rows.recency[i], rows.T[i]));
        const double later =
            static_cast<double>(model.probability_alive_at(horizon, rows.frequency[i], rows.recency[i], rows.T[i]));
        lost[i] = now - later;
        active += rows.weight[i] * now;
    }
    auto out = detail::lost_from_probabilities(lost, rows.weight, horizon, level);
    out.expected_active_now = active;
    return out;
}

/// Contractual data from a retention curve: an active customer who has renewed n_i times cancels
/// within the next `horizon` periods with q_i = 1 - S(n_i + horizon) / S(n_i) (the model's
/// `conditional_survival(n, k)`; sBG: Fader & Hardie 2007, "How to project customer retention").
/// `renewals` holds one entry per active customer, or per group of `weights[i]` active customers
/// with the same renewals (`weights` empty: one customer each).
template <class Retention>
customers_lost_forecast expected_customers_lost_contractual(const Retention& model, std::span<const double> renewals,
                                                            std::span<const double> weights, double horizon,
                                                            double level = 0.95) {
    detail::check_horizon(horizon);
    stats::check_level(level);
    if (renewals.empty()) throw invalid_input("renewals", "", "no active customers to forecast", {"customers lost"});
    if (!weights.empty() && weights.size() != renewals.size())
        throw invalid_input("weights", std::to_string(weights.size()),
                            "one weight per entry of renewals is needed (" + std::to_string(renewals.size()) + ")",
                            {"customers lost"});
    std::vector<double> lost(renewals.size());
    for (std::size_t i = 0; i < renewals.size(); ++i) {
        const std::string where = "customers lost, customer " + std::to_string(i + 1);
        if (!(renewals[i] >= 0) || !std::isfinite(renewals[i]))
            throw invalid_input("renewals", to_message_string(renewals[i]), "must be a finite number >= 0", {where});
        if (!weights.empty() && (!(weights[i] > 0) || !std::isfinite(weights[i])))
            throw invalid_input("weights", to_message_string(weights[i]), "must be a finite number > 0", {where});
        lost[i] = 1 - static_cast<double>(model.conditional_survival(renewals[i], horizon));
    }
    auto out = detail::lost_from_probabilities(lost, weights, horizon, level);
    out.expected_active_now = out.customers;
    return out;
}

/// As above with one active customer per entry of `renewals`.
template <class Retention>
customers_lost_forecast expected_customers_lost_contractual(const Retention& model, std::span<const double> renewals,
                                                            double horizon, double level = 0.95) {
    return expected_customers_lost_contractual(model, renewals, {}, horizon, level);
}

// ---------------------------------------------------------------- at risk now

/// Who counts as at risk: P(alive) below `alive_threshold` and past value above the
/// `value_quantile` quantile of all customers' past values (customers worth keeping).
struct at_risk_options {
    double alive_threshold = 0.5;
    double value_quantile = 0.5;
};

/// A customer at risk. The value they bring if still active is clv / P(alive) (every model's
/// future factors as P(alive) x the future of an active customer, see value/scoring.hpp), so the
/// value at risk, the part lost if they have already left, is (1 - P(alive)) clv / P(alive).
struct at_risk_customer {
    std::size_t customer = 0;
    double probability_alive = 0, past_value = 0, value_if_active = 0, value_at_risk = 0;
};

struct at_risk_summary {
    double past_value_threshold = 0;
    std::vector<at_risk_customer> customers;  ///< highest value at risk first
    double total_value_at_risk = 0, total_value_if_active = 0;
    std::vector<bool> at_risk;  ///< one flag per customer, for `profile_groups` and `churn_drivers`
};

/// Finds the customers at risk from per-customer P(alive), past value (e.g. `past_repeat_value`)
/// and CLV (e.g. `customer_values::clv`), all of one length.
inline at_risk_summary customers_at_risk(std::span<const double> probability_alive, std::span<const double> past_value,
                                         std::span<const double> clv, const at_risk_options& options = {}) {
    const std::string where = "customers at risk";
    if (!(options.alive_threshold > 0 && options.alive_threshold <= 1))
        throw invalid_input("alive_threshold", to_message_string(options.alive_threshold), "must be in (0, 1]", {where});
    if (!(options.value_quantile >= 0 && options.value_quantile < 1))
        throw invalid_input("value_quantile", to_message_string(options.value_quantile), "must be in [0, 1)", {where});
    if (probability_alive.empty()) throw invalid_input("probability_alive", "", "no customers", {where});
    if (past_value.size() != probability_alive.size() || clv.size() != probability_alive.size())
        throw invalid_input("past_value", std::to_string(past_value.size()),
                            "P(alive), past value and CLV need one entry per customer", {where});
    stats::require_finite(past_value, "past_value", where);
    stats::require_finite(clv, "clv", where);
    for (std::size_t i = 0; i < probability_alive.size(); ++i)
        if (!(probability_alive[i] > 0 && probability_alive[i] <= 1))
            throw invalid_input("probability_alive", to_message_string(probability_alive[i]), "must be in (0, 1]",
                                {where + ", customer " + std::to_string(i + 1)});
    at_risk_summary out;
    out.past_value_threshold = stats::quantile(past_value, options.value_quantile);
    out.at_risk.assign(probability_alive.size(), false);
    for (std::size_t i = 0; i < probability_alive.size(); ++i) {
        if (!(probability_alive[i] < options.alive_threshold && past_value[i] > out.past_value_threshold)) continue;
        at_risk_customer c;
        c.customer = i;
        c.probability_alive = probability_alive[i];
        c.past_value = past_value[i];
        c.value_if_active = clv[i] / probability_alive[i];
        c.value_at_risk = (1 - probability_alive[i]) * c.value_if_active;
        out.total_value_at_risk += c.value_at_risk;
        out.total_value_if_active += c.value_if_active;
        out.at_risk[i] = true;
        out.customers.push_back(c);
    }
    std::stable_sort(out.customers.begin(), out.customers.end(),
                     [](const auto& a, const auto& b) { return a.value_at_risk > b.value_at_risk; });
    return out;
}

/// Past value of each customer's repeat purchases in the summary: frequency x monetary_value.
inline std::vector<double> past_repeat_value(const customer_table& customers) {
    customers.validate();
    std::vector<double> out(customers.size());
    for (std::size_t i = 0; i < customers.size(); ++i) out[i] = customers.frequency[i] * customers.row(i).monetary_value;
    return out;
}

/// "Lost" as observed in a holdout period: no purchase in it. Needs holdout columns.
inline std::vector<bool> lost_in_holdout(const customer_table& customers) {
    if (!customers.has_holdout())
        throw invalid_input("frequency_holdout", "", "the summary has no holdout period: split the log at a calibration end",
                            {"lost in holdout"});
    customers.check_column_lengths();
    std::vector<bool> out(customers.size());
    for (std::size_t i = 0; i < customers.size(); ++i) out[i] = customers.frequency_holdout[i] == 0;
    return out;
}

// ---------------------------------------------------------------- drivers

/// Which attributes go with churn: log P(lost) / P(kept) = b0 + sum b_j x_j over the attribute
/// columns named in `columns` (all when empty), fitted by stats::logistic_regression. exp(b_j) is
/// the odds ratio of a unit more of x_j (or of a category against the reference level).
inline attribute_regression churn_drivers(const customer_attributes& attributes, const std::vector<bool>& lost,
                                          const std::vector<std::string>& columns = {}, double level = 0.95) {
    detail::check_group(lost, attributes.customers, "churn drivers");
    std::vector<double> outcome(lost.size());
    for (std::size_t i = 0; i < lost.size(); ++i) outcome[i] = lost[i] ? 1.0 : 0.0;
    return logistic_on_attributes(attributes, outcome, columns, level);
}

}  // namespace clv
