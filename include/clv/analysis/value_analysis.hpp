// Which customers are worth most, and what marks them (MISSION.md question 2): customers ranked by
// value, value deciles, the concentration of value (Lorenz curve, Gini, top shares), and a
// profile of the top customers against the rest by attributes and by products bought.
// Values are per customer, one entry per customer of the table (e.g. `customer_values::clv`).
#pragma once

#include <clv/analysis/profile.hpp>
#include <clv/core/statistics.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <numeric>
#include <span>
#include <string>
#include <vector>

namespace clv {

namespace detail {
inline void check_values(std::span<const double> values, const std::string& where) {
    if (values.empty()) throw invalid_input("value", "", "no customers to analyse", {where});
    stats::require_finite(values, "value", where);
}
}  // namespace detail

/// Customer positions ordered from the highest value to the lowest (ties keep table order).
inline std::vector<std::size_t> rank_by_value(std::span<const double> values) {
    detail::check_values(values, "value ranking");
    std::vector<std::size_t> order(values.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return values[a] > values[b]; });
    return order;
}

/// One value group of the ranking: group 1 holds the most valuable customers.
struct value_group {
    std::size_t group = 0, customers = 0;
    double total = 0, mean = 0, share = 0;  ///< share: of the total value of all customers
    double highest = 0, lowest = 0;
};

/// Splits the ranking into `groups` groups of (nearly) equal size, group k holding ranks
/// floor((k - 1) n / groups) + 1 .. floor(k n / groups): deciles by default, group 1 the top 10 %.
/// Needs at least `groups` customers.
inline std::vector<value_group> value_deciles(std::span<const double> values, std::size_t groups = 10) {
    const auto order = rank_by_value(values);
    if (groups < 1 || values.size() < groups)
        throw invalid_input("groups", std::to_string(groups),
                            "needs between 1 and the number of customers (" + std::to_string(values.size()) + ") groups",
                            {"value deciles"});
    const double grand = std::accumulate(values.begin(), values.end(), 0.0);
    std::vector<value_group> out(groups);
    for (std::size_t k = 0; k < groups; ++k) {
        const std::size_t begin = k * values.size() / groups, end = (k + 1) * values.size() / groups;
        auto& g = out[k];
        g.group = k + 1;
        g.customers = end - begin;
        g.highest = values[order[begin]];
        g.lowest = values[order[end - 1]];
        for (std::size_t r = begin; r < end; ++r) g.total += values[order[r]];
        g.mean = g.total / static_cast<double>(g.customers);
        g.share = grand != 0 ? g.total / grand : stats::not_available;
    }
    return out;
}

/// How concentrated value is: the Lorenz curve (lowest customers first), the Gini coefficient, and
/// the share held by the top fraction of customers for each of `top_fractions`.
struct value_concentration {
    double total = 0, gini = 0;
    std::vector<stats::lorenz_point> lorenz;
    std::vector<double> top_fractions, top_shares;
};

/// Concentration of non-negative values (see stats::lorenz_curve, stats::gini, stats::top_share).
inline value_concentration concentrate_value(std::span<const double> values,
                                             std::vector<double> top_fractions = {0.01, 0.05, 0.1, 0.2, 0.5},
                                             std::size_t lorenz_points = 100) {
    detail::check_values(values, "value concentration");
    value_concentration out;
    out.total = std::accumulate(values.begin(), values.end(), 0.0);
    out.gini = stats::gini(values);
    out.lorenz = stats::lorenz_curve(values, lorenz_points);
    for (double f : top_fractions) out.top_shares.push_back(stats::top_share(values, f));
    out.top_fractions = std::move(top_fractions);
    return out;
}

/// Membership of the top ceil(fraction x n) customers by value (at least one, never all).
inline std::vector<bool> top_customers(std::span<const double> values, double fraction) {
    if (!(fraction > 0 && fraction < 1))
        throw invalid_input("fraction", to_message_string(fraction), "the top fraction must lie strictly between 0 and 1",
                            {"top customers"});
    const auto order = rank_by_value(values);
    if (values.size() < 2) throw invalid_input("customers", "1", "a top group needs at least 2 customers", {"top customers"});
    const auto count = std::clamp<std::size_t>(static_cast<std::size_t>(std::ceil(fraction * static_cast<double>(values.size()) - 1e-9)),
                                               1, values.size() - 1);
    std::vector<bool> in_top(values.size(), false);
    for (std::size_t r = 0; r < count; ++r) in_top[order[r]] = true;
    return in_top;
}

/// The most valuable customers against the rest.
struct value_profile {
    double fraction = 0;
    std::size_t top_count = 0;
    double lowest_top_value = 0;  ///< the value a customer needs to be in the top group
    double top_share = 0;         ///< share of all value the top group holds
    group_profile attributes;     ///< empty when no attributes were given
    std::vector<product_profile_row> products;  ///< empty when no product lines were given
};

/// Profiles the top `fraction` of customers by value against the rest by `attributes` and by
/// `products` (either may be null; a given `products` must hold product lines, see
/// `product_purchases::validate`).
inline value_profile profile_top_customers(std::span<const double> values, const customer_attributes* attributes,
                                           const product_purchases* products, double fraction = 0.1, double level = 0.95) {
    const std::vector<bool> in_top = top_customers(values, fraction);
    value_profile out;
    out.fraction = fraction;
    double top_total = 0, total = 0;
    out.lowest_top_value = std::numeric_limits<double>::infinity();
    for (std::size_t i = 0; i < values.size(); ++i) {
        total += values[i];
        if (!in_top[i]) continue;
        ++out.top_count;
        top_total += values[i];
        out.lowest_top_value = std::min(out.lowest_top_value, values[i]);
    }
    out.top_share = total != 0 ? top_total / total : stats::not_available;
    if (attributes) {
        if (attributes->customers != values.size())
            throw invalid_input("attributes", std::to_string(attributes->customers),
                                "the attributes were joined to a table of another size (" + std::to_string(values.size()) +
                                    " values)",
                                {"value profile"});
        out.attributes = profile_groups(*attributes, in_top, level);
    }
    if (products) out.products = profile_products(*products, in_top, level);
    return out;
}

}  // namespace clv
