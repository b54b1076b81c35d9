// A group of customers (the most valuable, the at-risk, the lost) side by side with the rest: by
// their attributes and by what they buy. The value and churn-risk analyses both ask for this
// table; the statistics come from core/statistics.hpp.
#pragma once

#include <clv/analysis/attributes.hpp>
#include <clv/core/statistics.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <map>
#include <string>
#include <vector>

namespace clv {

/// One level of a categorical attribute: its share among the group and among the rest (Wilson
/// intervals) and the difference group - rest (Newcombe interval, two-proportion z test).
struct categorical_profile_row {
    std::string attribute, level;
    std::size_t group_count = 0, rest_count = 0;  ///< customers with this level
    stats::interval_estimate group_share, rest_share;
    stats::difference_test difference;
};

/// One numeric attribute: mean (t interval) and median (order-statistic interval) in the group and
/// in the rest, and the difference of means with Welch's test.
struct numeric_profile_row {
    std::string attribute;
    stats::mean_estimate group_mean, rest_mean;
    stats::interval_estimate group_median, rest_median;
    stats::difference_test difference;
};

/// Whether a categorical attribute's distribution differs between group and rest at all
/// (Pearson chi-square of the group x level table).
struct categorical_association {
    std::string attribute;
    stats::difference_test test;
};

/// The group against the rest. Customers missing an attribute are left out of that attribute's
/// rows (the counts say how many remain); `group_size` and `rest_size` count everyone.
struct group_profile {
    std::size_t group_size = 0, rest_size = 0;
    std::vector<categorical_profile_row> categorical;
    std::vector<categorical_association> associations;
    std::vector<numeric_profile_row> numeric;
};

namespace detail {
inline void check_group(const std::vector<bool>& in_group, std::size_t customers, const std::string& where) {
    if (in_group.size() != customers)
        throw invalid_input("group", std::to_string(in_group.size()),
                            "one membership flag per customer is needed (" + std::to_string(customers) + ")", {where});
    const auto members = static_cast<std::size_t>(std::count(in_group.begin(), in_group.end(), true));
    if (members == 0 || members == customers)
        throw invalid_input("group", members == 0 ? "0 customers" : "every customer",
                            members == 0 ? "the group is empty: nothing to compare"
                                         : "the group holds every customer: there is no rest to compare with",
                            {where});
}
}  // namespace detail

/// Profiles the customers with `in_group[i]` true against the others on every attribute column.
/// A level or attribute absent from one side still gets its row (share 0); a numeric attribute
/// with fewer than two values on a side gets NaN for what needs two.
inline group_profile profile_groups(const customer_attributes& attributes, const std::vector<bool>& in_group,
                                    double level = 0.95) {
    detail::check_group(in_group, attributes.customers, "group profile");
    stats::check_level(level);
    group_profile out;
    out.group_size = static_cast<std::size_t>(std::count(in_group.begin(), in_group.end(), true));
    out.rest_size = attributes.customers - out.group_size;
    for (const auto& column : attributes.columns) {
        if (column.numeric) {
            std::vector<double> group, rest;
            for (std::size_t i = 0; i < attributes.customers; ++i)
                if (!column.missing(i)) (in_group[i] ? group : rest).push_back(column.numbers[i]);
            numeric_profile_row row;
            row.attribute = column.name;
            if (!group.empty()) {
                row.group_mean = stats::mean_interval(group, {}, level);
                row.group_median = stats::median_interval(group, level);
            }
            if (!rest.empty()) {
                row.rest_mean = stats::mean_interval(rest, {}, level);
                row.rest_median = stats::median_interval(rest, level);
            }
            if (group.size() >= 2 && rest.size() >= 2) row.difference = stats::welch_t_test(group, rest, level);
            out.numeric.push_back(std::move(row));
            continue;
        }
        std::map<std::string, std::pair<std::size_t, std::size_t>> counts;
        std::size_t group_known = 0, rest_known = 0;
        for (std::size_t i = 0; i < attributes.customers; ++i) {
            if (column.missing(i)) continue;
            auto& [g, r] = counts[column.labels[i]];
            (in_group[i] ? g : r) += 1;
            (in_group[i] ? group_known : rest_known) += 1;
        }
        if (group_known == 0 || rest_known == 0) continue;  // no comparison possible: no rows, said by the counts
        Eigen::MatrixXd table(2, static_cast<Eigen::Index>(counts.size()));
        Eigen::Index k = 0;
        for (const auto& [label, pair] : counts) {
            categorical_profile_row row;
            row.attribute = column.name;
            row.level = label;
            row.group_count = pair.first;
            row.rest_count = pair.second;
            row.group_share = stats::wilson_interval(static_cast<double>(pair.first), static_cast<double>(group_known), level);
            row.rest_share = stats::wilson_interval(static_cast<double>(pair.second), static_cast<double>(rest_known), level);
            row.difference = stats::two_proportion_test(static_cast<double>(pair.first), static_cast<double>(group_known),
                                                        static_cast<double>(pair.second), static_cast<double>(rest_known), level);
            out.categorical.push_back(std::move(row));
            table(0, k) = static_cast<double>(pair.first);
            table(1, k++) = static_cast<double>(pair.second);
        }
        if (counts.size() >= 2) out.associations.push_back({column.name, stats::chi_square_independence(table)});
    }
    return out;
}

/// One product: the share of the group's customers who bought it and of the rest's (Wilson),
/// the difference (Newcombe, z test), and the product's share of each side's purchase lines.
struct product_profile_row {
    std::string product;
    std::size_t group_buyers = 0, rest_buyers = 0;
    stats::interval_estimate group_share, rest_share;
    stats::difference_test difference;
    double group_line_share = 0, rest_line_share = 0;
};

/// What the group buys against what the rest buys, one row per product, largest difference in
/// buyer share first. Throws `invalid_input` without product lines (see `product_purchases`).
inline std::vector<product_profile_row> profile_products(const product_purchases& log, const std::vector<bool>& in_group,
                                                         double level = 0.95) {
    detail::check_group(in_group, in_group.size(), "product profile");
    const product_baskets baskets = make_baskets(log, in_group.size());
    const auto group_size = static_cast<double>(std::count(in_group.begin(), in_group.end(), true));
    const double rest_size = static_cast<double>(in_group.size()) - group_size;
    std::vector<product_profile_row> rows(baskets.products.size());
    std::vector<double> group_lines(rows.size(), 0.0), rest_lines(rows.size(), 0.0);
    for (std::size_t i = 0; i < in_group.size(); ++i)
        for (std::size_t p : baskets.of_customer[i]) (in_group[i] ? rows[p].group_buyers : rows[p].rest_buyers) += 1;
    for (std::size_t k = 0; k < log.customer.size(); ++k) {
        const auto p = static_cast<std::size_t>(std::lower_bound(baskets.products.begin(), baskets.products.end(), log.product[k]) -
                                                baskets.products.begin());
        (in_group[log.customer[k]] ? group_lines : rest_lines)[p] += 1;
    }
    double group_total = 0, rest_total = 0;
    for (std::size_t p = 0; p < rows.size(); ++p) {
        group_total += group_lines[p];
        rest_total += rest_lines[p];
    }
    for (std::size_t p = 0; p < rows.size(); ++p) {
        auto& row = rows[p];
        row.product = baskets.products[p];
        row.group_share = stats::wilson_interval(static_cast<double>(row.group_buyers), group_size, level);
        row.rest_share = stats::wilson_interval(static_cast<double>(row.rest_buyers), rest_size, level);
        row.difference = stats::two_proportion_test(static_cast<double>(row.group_buyers), group_size,
                                                    static_cast<double>(row.rest_buyers), rest_size, level);
        row.group_line_share = group_total > 0 ? group_lines[p] / group_total : 0.0;
        row.rest_line_share = rest_total > 0 ? rest_lines[p] / rest_total : 0.0;
    }
    std::stable_sort(rows.begin(), rows.end(),
                     [](const auto& a, const auto& b) { return std::abs(a.difference.difference) > std::abs(b.difference.difference); });
    return rows;
}

}  // namespace clv
