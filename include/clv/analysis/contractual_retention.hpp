// Retention of contractual customers (subscriptions renewed period by period): the observed
// survival and retention curves, the shifted-beta-geometric model fitted to them with its projected
// curves, the customers expected to cancel next period, and what the active customers are worth
// (Fader & Hardie 2007, "How to project customer retention", J. Interactive Marketing 21(1); FH
// 2010, "Customer-base valuation in a contractual setting", Marketing Science 29(1)). Periods and
// records follow data/contractual.hpp: a record of tenure t has made t renewal decisions.
#pragma once

#include <clv/analysis/churn_risk.hpp>
#include <clv/data/contractual.hpp>
#include <clv/models/shifted_beta_geometric.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace clv {

/// One renewal decision of the observed curve: of `at_risk` customers who reached the end of
/// period t, `cancelled` cancelled; retention = 1 - cancelled / at_risk and survival is the product
/// of the retentions up to t.
struct observed_retention_point {
    double period = 0;
    double at_risk = 0, cancelled = 0;
    double retention = 0, survival = 0;
};

/// The observed survival and retention curves of contractual records by the product-limit
/// (Kaplan-Meier 1958) estimator: at decision t the customers at risk are the records with tenure
/// >= t and those cancelling are the cancelled records with tenure t; records still active at
/// tenure t are censored after decision t. For one cohort's counts (no censoring before its last
/// period) it is the cohort's own active[t] / active[0]; for cohorts observed over different
/// lengths it pools each decision over the cohorts that reached it. Points run from period 1 to
/// the longest tenure, while anyone is at risk. Throws `invalid_input` for invalid records.
inline std::vector<observed_retention_point> observed_retention(const contractual_columns& data) {
    data.validate("observed retention");
    if (data.size() == 0) throw invalid_input("", "", "no customers: the contractual data are empty", {"observed retention"});
    std::map<double, std::pair<double, double>> at_tenure;  // tenure -> (weight ending there, weight cancelling there)
    double at_risk = 0;
    for (std::size_t i = 0; i < data.size(); ++i) {
        const contractual_row row = data.row(i);
        auto& [ending, cancelling] = at_tenure[row.tenure];
        ending += row.weight;
        if (row.churned) cancelling += row.weight;
        at_risk += row.weight;
    }
    std::vector<observed_retention_point> out;
    double survival = 1, period = 1;
    for (const auto& [tenure, counts] : at_tenure) {
        for (; period < tenure; ++period) out.push_back({period, at_risk, 0, 1, survival});  // decisions nobody ended at
        const double retention = 1 - counts.second / at_risk;
        survival *= retention;
        out.push_back({tenure, at_risk, counts.second, retention, survival});
        at_risk -= counts.first;
        period = tenure + 1;
    }
    return out;
}

/// Active customers who have made the same number of renewals, with what each is worth.
struct renewal_group {
    double renewals = 0;
    double customers = 0;
    double derl = 0;   ///< discounted expected residual lifetime of each, in periods (FH 2010 eq. 6)
    double value = 0;  ///< margin per period x DERL (NaN without a margin)
};

/// What to compute besides the fit: the discount rate d per period (FH 2010: the payment k periods
/// ahead counts (1 + d)^-k), an optional margin per customer and period, the periods to project
/// (0: twice the longest observed tenure, at least 10) and the interval level.
struct contractual_retention_options {
    double discount_rate = 0.1;
    std::optional<double> margin_per_period;
    double projection_periods = 0;
    double level = 0.95;
};

/// The whole retention analysis of `contractual_retention`.
struct contractual_retention {
    fit::fit_result<shifted_beta_geometric<>> fit;
    std::vector<observed_retention_point> observed;               ///< pooled observed curve (product-limit)
    std::vector<shifted_beta_geometric<>::curve_point> projected;  ///< the fitted S(t), r(t), P(T = t), t = 1..projection
    double longest_tenure = 0;
    double customers = 0, active = 0;  ///< weights of all records and of those still active (also without a fit)
    double discount_rate = 0;
    std::optional<double> margin_per_period;
    std::optional<double> expected_lifetime;  ///< E[T] in periods, when finite (alpha > 1)
    double del = 0;                           ///< discounted expected lifetime of a new customer (FH 2010 eq. 4)
    std::vector<renewal_group> active_by_renewals;
    double total_derl = 0;   ///< sum over the active customers
    double total_value = 0;  ///< margin x total_derl (NaN without a margin)
    customers_lost_forecast lost_next_period;
};

/// Fits the sBG model to `data` (`shifted_beta_geometric<>::fit`) and, when the fit converged,
/// projects its curves, values the active customers (renewals = tenure, DERL at the options'
/// discount rate; cancelled customers are worth 0) and forecasts the cancellations of the next
/// period (`expected_customers_lost_contractual`). A fit that did not converge (e.g. no customer
/// ever cancelled) is returned with the observed curve only. Throws `invalid_input` for invalid
/// records or options.
inline contractual_retention analyse_contractual_retention(const contractual_table& data,
                                                           const contractual_retention_options& options = {}) {
    using model_type = shifted_beta_geometric<>;
    const std::string where = "contractual retention";
    if (!(options.discount_rate >= 0) || !std::isfinite(options.discount_rate))
        throw invalid_input("discount rate", to_message_string(options.discount_rate), "must be a finite number >= 0 per period", {where});
    if (options.margin_per_period && (!(*options.margin_per_period >= 0) || !std::isfinite(*options.margin_per_period)))
        throw invalid_input("margin per period", to_message_string(*options.margin_per_period), "must be a finite number >= 0", {where});
    if (!(options.projection_periods >= 0) || options.projection_periods > 1e4 || options.projection_periods != std::floor(options.projection_periods))
        throw invalid_input("projection periods", to_message_string(options.projection_periods), "must be a whole number in [0, 10000]", {where});
    stats::check_level(options.level);
    data.validate(where);

    contractual_retention out;
    out.observed = observed_retention(data.columns());
    out.discount_rate = options.discount_rate;
    out.margin_per_period = options.margin_per_period;
    std::map<double, double> active_by_renewals;
    for (std::size_t i = 0; i < data.size(); ++i) {
        const contractual_row row = data.row(i);
        out.customers += row.weight;
        out.longest_tenure = std::max(out.longest_tenure, row.tenure);
        if (!row.churned) {
            active_by_renewals[row.tenure] += row.weight;
            out.active += row.weight;
        }
    }
    out.fit = model_type::fit(data.columns());
    if (!out.fit.converged) return out;

    const model_type model(out.fit.params);
    out.projected = model.retention_curve(options.projection_periods > 0 ? options.projection_periods
                                                                          : std::max(10.0, 2 * out.longest_tenure));
    if (out.fit.params.alpha > 1) out.expected_lifetime = model.expected_lifetime();
    out.del = model.discounted_expected_lifetime(options.discount_rate);
    const double margin = options.margin_per_period.value_or(std::numeric_limits<double>::quiet_NaN());
    std::vector<double> renewals, weights;
    for (const auto& [n, customers] : active_by_renewals) {
        const double derl = model.discounted_expected_residual_lifetime(options.discount_rate, n);
        out.active_by_renewals.push_back({n, customers, derl, margin * derl});
        out.total_derl += customers * derl;
        renewals.push_back(n);
        weights.push_back(customers);
    }
    out.total_value = margin * out.total_derl;
    if (!renewals.empty()) out.lost_next_period = expected_customers_lost_contractual(model, renewals, weights, 1.0, options.level);
    return out;
}

}  // namespace clv
