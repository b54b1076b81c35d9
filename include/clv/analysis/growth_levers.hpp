// Growth levers (what-if): how much the value of a fitted portfolio changes when one thing changes:
// N more customers like a cohort, longer loyalty (lower dropout), higher order value, more
// frequent purchases. Each lever is applied alone to the baseline and valued through the same
// composition as the baseline (`value_customers`, value/scoring.hpp), so the levers' effects are
// comparable and independent of each other; where the composition gives a lever's value in closed
// form (order value, Pareto/NBD purchase rate: the baseline times a factor) it is not revalued.
#pragma once

#include <clv/core/statistics.hpp>
#include <clv/data/customer_table.hpp>
#include <clv/models/bg_bb.hpp>
#include <clv/models/bg_nbd.hpp>
#include <clv/models/pareto_nbd.hpp>
#include <clv/value/scoring.hpp>

#include <cmath>
#include <cstddef>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

namespace clv {

// ---------------------------------------------------------------- model changes

namespace detail {
inline void check_reduction(double reduction) {
    if (!(reduction >= 0 && reduction < 1))
        throw invalid_input("dropout_reduction", to_message_string(reduction),
                            "must be in [0, 1): the share by which mean dropout falls (0.1 = 10 % less)", {"growth levers"});
}
/// The second Beta parameter that lowers the mean a / (a + b) by the factor (1 - reduction):
/// a / (a + b') = (1 - reduction) a / (a + b)  <=>  b' = (a + b) / (1 - reduction) - a.
inline double beta_for_lower_mean(double a, double b, double reduction) { return (a + b) / (1 - reduction) - a; }
}  // namespace detail

/// BG/NBD and MBG/NBD with mean dropout probability per purchase, E[p] = a / (a + b), lower by the
/// factor (1 - reduction): b' = (a + b) / (1 - reduction) - a (a unchanged, so the spread of
/// dropout across customers keeps its shape parameter).
template <class Real, bool Modified>
beta_geometric_nbd<Real, Modified> with_lower_dropout(const beta_geometric_nbd<Real, Modified>& model, double reduction) {
    detail::check_reduction(reduction);
    auto p = model.parameters();
    p.b = Real(detail::beta_for_lower_mean(static_cast<double>(p.a), static_cast<double>(p.b), reduction));
    return beta_geometric_nbd<Real, Modified>(p);
}

/// Pareto/NBD with mean dropout rate E[mu] = s / beta lower by the factor (1 - reduction):
/// beta' = beta / (1 - reduction) (mu ~ Gamma(s, beta): scaling the rate parameter scales every
/// customer's dropout rate, so expected lifetimes grow by 1 / (1 - reduction) where they exist).
template <class Real>
pareto_nbd<Real> with_lower_dropout(const pareto_nbd<Real>& model, double reduction) {
    detail::check_reduction(reduction);
    auto p = model.parameters();
    p.beta = Real(static_cast<double>(p.beta) / (1 - reduction));
    return pareto_nbd<Real>(p);
}

/// BG/BB with mean dropout probability per opportunity E[theta] = gamma / (gamma + delta) lower by
/// the factor (1 - reduction): delta' = (gamma + delta) / (1 - reduction) - gamma.
template <class Real>
bg_bb<Real> with_lower_dropout(const bg_bb<Real>& model, double reduction) {
    detail::check_reduction(reduction);
    auto p = model.parameters();
    p.delta = Real(detail::beta_for_lower_mean(static_cast<double>(p.gamma), static_cast<double>(p.delta), reduction));
    return bg_bb<Real>(p);
}

// ---------------------------------------------------------------- scenarios

/// The changes to try, each on its own (0 = lever not pulled).
struct growth_scenario {
    double new_customers = 0;           ///< N more customers ...
    std::vector<bool> like_cohort;      ///< ... valued as the mean of these customers (empty: all customers)
    double dropout_reduction = 0;       ///< x: mean dropout x 100 % lower (see with_lower_dropout)
    double order_value_increase = 0;    ///< y: every order worth (1 + y) times as much
    double frequency_increase = 0;      ///< z: every active customer buys at (1 + z) times their rate
};

/// One lever's effect on the value of the whole portfolio.
struct lever_effect {
    std::string lever, change;
    double baseline = 0, scenario = 0, difference = 0, relative = 0;
};

struct growth_result {
    double baseline = 0;  ///< total value of the portfolio as valued (sum of weight x clv)
    std::vector<lever_effect> levers;
};

/// The value of the portfolio when each lever of `scenario` is pulled alone, against `baseline`,
/// the values of `customers` under exactly these parts and options (what `value_customers`
/// returned; passing it saves a valuation). Levers with a closed form cost nothing; the others
/// revalue the portfolio once each (valuation intervals are not redrawn: `options.interval_level`
/// is ignored). The levers:
/// - new customers: N x the mean value of the `like_cohort` customers (weighted by the table's
///   weights): acquiring N customers who turn out like that cohort;
/// - longer loyalty: the model with lower mean dropout (`with_lower_dropout`, per model), every
///   history re-read under it (a long-silent customer is then also more likely still active);
///   one revaluation;
/// - higher order value: every order worth (1 + y) times as much; the value is margin x spend x
///   discounted purchases, so it is exactly (1 + y) times the baseline (no revaluation);
/// - more frequent purchases: each active customer's future purchase rate lambda becomes
///   (1 + z) lambda. Pareto/NBD: given alive, lambda and mu are independent (Schmittlein, Morrison
///   & Colombo 1987), so expected purchases in every interval, and the value, are exactly (1 + z)
///   times the baseline (no revaluation). BG/NBD and MBG/NBD drop out only right after a purchase,
///   so a process whose purchases come (1 + z) times faster is the same process in time sped up by
///   (1 + z): X'(T, T + t] = X(T, T + (1 + z) t] in distribution, and the value is the baseline's
///   with the discount rate divided by (1 + z) and the horizon multiplied by (1 + z) (one
///   revaluation). BG/BB has at most one purchase per opportunity: the lever is refused.
template <class Model, class Spend>
growth_result growth_levers(const customer_table& customers, const model_purchases<Model>& purchases, const Spend& spend,
                            const valuation_options& options, const growth_scenario& scenario, const customer_values& baseline) {
    if (baseline.clv.size() != customers.size())
        throw invalid_input("baseline", std::to_string(baseline.clv.size()) + " values",
                            "one value per customer is needed (" + std::to_string(customers.size()) + ")", {"growth levers"});
    valuation_options fixed = options;
    fixed.interval_level = 0;
    growth_result out;
    out.baseline = baseline.total_clv;
    auto add = [&](std::string lever, std::string change, double value) {
        const double difference = value - out.baseline;
        out.levers.push_back({std::move(lever), std::move(change), out.baseline, value, difference,
                              out.baseline != 0 ? difference / out.baseline : stats::not_available});
    };
    const auto text = [](double x) {
        std::ostringstream s;
        s << x;  // 6 significant digits, for a label
        return s.str();
    };
    const auto percent = [&](double share) { return text(100 * share) + " %"; };

    if (!(scenario.new_customers >= 0) || !std::isfinite(scenario.new_customers))
        throw invalid_input("new_customers", to_message_string(scenario.new_customers), "must be a finite number >= 0",
                            {"growth levers"});
    if (scenario.new_customers > 0) {
        const auto& like = scenario.like_cohort;
        if (!like.empty() && like.size() != customers.size())
            throw invalid_input("like_cohort", std::to_string(like.size()),
                                "one flag per customer is needed (" + std::to_string(customers.size()) + ")", {"growth levers"});
        double total = 0, weight = 0;
        for (std::size_t i = 0; i < customers.size(); ++i) {
            if (!like.empty() && !like[i]) continue;
            total += customers.row(i).weight * baseline.clv[i];
            weight += customers.row(i).weight;
        }
        if (!(weight > 0))
            throw invalid_input("like_cohort", "0 customers", "the cohort new customers should resemble is empty", {"growth levers"});
        add("new customers", "+" + text(scenario.new_customers) + " customers", out.baseline + scenario.new_customers * total / weight);
    }
    if (scenario.dropout_reduction != 0) {
        const model_purchases<Model> loyal{with_lower_dropout(purchases.model, scenario.dropout_reduction), purchases.period_length, {}};
        add("longer loyalty", "mean dropout -" + percent(scenario.dropout_reduction),
            value_customers(customers, loyal, spend, fixed).total_clv);
    }
    if (scenario.order_value_increase != 0) {
        const double factor = 1 + scenario.order_value_increase;
        if (!(factor > 0) || !std::isfinite(factor))
            throw invalid_input("order_value_increase", to_message_string(scenario.order_value_increase), "must be > -1",
                                {"growth levers"});
        add("higher order value", "order value +" + percent(scenario.order_value_increase), factor * out.baseline);
    }
    if (scenario.frequency_increase != 0) {
        const double factor = 1 + scenario.frequency_increase;
        if (!(factor > 0) || !std::isfinite(factor))
            throw invalid_input("frequency_increase", to_message_string(scenario.frequency_increase), "must be > -1",
                                {"growth levers"});
        double value = 0;
        if constexpr (std::is_same_v<Model, pareto_nbd<typename Model::real_type>>) {
            value = factor * out.baseline;
        } else if constexpr (std::is_same_v<Model, bg_bb<typename Model::real_type>>) {
            throw invalid_input("frequency_increase", to_message_string(scenario.frequency_increase),
                                "BG/BB has at most one transaction per opportunity: its purchase rate cannot be scaled",
                                {"growth levers"});
        } else {
            static_assert(std::is_same_v<Model, beta_geometric_nbd<typename Model::real_type, false>> ||
                              std::is_same_v<Model, beta_geometric_nbd<typename Model::real_type, true>>,
                          "the frequency lever is defined for BG/NBD, MBG/NBD and Pareto/NBD");
            valuation_options faster = fixed;
            faster.discount.rate = fixed.discount.rate / factor;
            faster.discount.horizon = fixed.discount.horizon * factor;
            value = value_customers(customers, purchases, spend, faster).total_clv;
        }
        add("more frequent purchases", "purchase rate +" + percent(scenario.frequency_increase), value);
    }
    return out;
}

/// As above, valuing the portfolio as it is first (one more valuation).
template <class Model, class Spend>
growth_result growth_levers(const customer_table& customers, const model_purchases<Model>& purchases, const Spend& spend,
                            const valuation_options& options, const growth_scenario& scenario) {
    valuation_options fixed = options;
    fixed.interval_level = 0;
    return growth_levers(customers, purchases, spend, options, scenario, value_customers(customers, purchases, spend, fixed));
}

}  // namespace clv
