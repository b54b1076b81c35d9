// Satisfaction and loyalty: survey scores (any numeric columns, joined by customer id with
// `read_attributes_csv`) against each other and against what the models say about each customer
// (P(alive), expected transactions, CLV, or an observed holdout retention flag): rank correlations
// with intervals, value by score band, and a least-squares regression of value on the scores.
#pragma once

#include <clv/analysis/attributes.hpp>
#include <clv/core/statistics.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <functional>
#include <set>
#include <sstream>
#include <span>
#include <string>
#include <vector>

namespace clv {

/// A per-customer quantity to relate scores to, one value per customer (NaN: unknown).
struct customer_measure {
    std::string name;
    std::span<const double> values;
};

/// The Spearman correlation of two variables over the customers who have both (see
/// stats::spearman_correlation). `note` says why a pair has no estimate (fewer than 3 customers
/// with both, or a variable constant over them); the estimate is then NaN.
struct correlation_row {
    std::string first, second;
    stats::correlation_estimate estimate;
    std::string note;
};

namespace detail {
inline std::vector<const attribute_column*> score_columns(const customer_attributes& survey,
                                                          const std::vector<std::string>& names) {
    std::vector<const attribute_column*> out;
    if (names.empty()) {
        for (const auto& c : survey.columns)
            if (c.numeric) out.push_back(&c);
    } else {
        for (const auto& name : names) {
            const auto& c = survey.column(name);
            if (!c.numeric)
                throw invalid_input(name, c.labels.empty() ? "" : c.labels.front(),
                                    "a score column must hold numbers (this one has text)", {survey.join.source});
            out.push_back(&c);
        }
    }
    if (out.empty()) throw invalid_input("scores", "", "the survey has no numeric score column", {survey.join.source});
    return out;
}

inline correlation_row correlate(const std::string& a_name, std::span<const double> a, const std::string& b_name,
                                 std::span<const double> b, double level) {
    correlation_row row{a_name, b_name, {}, {}};
    std::vector<double> x, y;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (!std::isnan(a[i]) && !std::isnan(b[i])) {
            x.push_back(a[i]);
            y.push_back(b[i]);
        }
    row.estimate.n = x.size();
    const auto constant = [](const std::vector<double>& v) { return std::adjacent_find(v.begin(), v.end(), std::not_equal_to<>()) == v.end(); };
    if (x.size() < 3) row.note = "fewer than 3 customers have both";
    else if (constant(x) || constant(y)) row.note = "constant over the customers who have both";
    else row.estimate = stats::spearman_correlation(x, y, level);
    return row;
}
}  // namespace detail

/// Spearman correlations of every pair of score columns (`scores`, all numeric columns when
/// empty) and of every score with every measure; not measure with measure.
inline std::vector<correlation_row> score_correlations(const customer_attributes& survey,
                                                       const std::vector<customer_measure>& measures,
                                                       const std::vector<std::string>& scores = {}, double level = 0.95) {
    stats::check_level(level);
    const auto columns = detail::score_columns(survey, scores);
    for (const auto& m : measures)
        if (m.values.size() != survey.customers)
            throw invalid_input(m.name, std::to_string(m.values.size()),
                                "one value per customer is needed (" + std::to_string(survey.customers) + ")", {"score correlations"});
    std::vector<correlation_row> out;
    for (std::size_t a = 0; a < columns.size(); ++a) {
        for (std::size_t b = a + 1; b < columns.size(); ++b)
            out.push_back(detail::correlate(columns[a]->name, columns[a]->numbers, columns[b]->name, columns[b]->numbers, level));
        for (const auto& m : measures) out.push_back(detail::correlate(columns[a]->name, columns[a]->numbers, m.name, m.values, level));
    }
    return out;
}

/// Customers whose score falls in one band, with their mean value (t interval), median value
/// (order-statistic interval) and mean P(alive).
struct score_band_row {
    std::string score, band;
    double lowest = 0, highest = 0;  ///< the band's score range
    std::size_t customers = 0;
    stats::mean_estimate value, probability_alive;
    stats::interval_estimate median_value;
};

/// Value by band of one score. A score with at most `max_levels` distinct values (e.g. a 0-10
/// recommendation scale) gets a band per value; otherwise bands are quintiles of the score (cut
/// at its 20/40/60/80 % quantiles, ties kept together). Customers without the score are left out.
inline std::vector<score_band_row> value_by_score_band(const customer_attributes& survey, const std::string& score,
                                                       std::span<const double> value, std::span<const double> probability_alive,
                                                       std::size_t max_levels = 11, double level = 0.95) {
    const auto& column = *detail::score_columns(survey, {score}).front();
    if (value.size() != survey.customers || probability_alive.size() != survey.customers)
        throw invalid_input("value", std::to_string(value.size()),
                            "value and P(alive) need one entry per customer (" + std::to_string(survey.customers) + ")",
                            {"value by score band"});
    std::vector<double> known;
    for (double s : column.numbers)
        if (!std::isnan(s)) known.push_back(s);
    if (known.empty()) throw invalid_input(score, "", "no customer has this score", {"value by score band"});
    const std::set<double> distinct(known.begin(), known.end());
    std::vector<double> upper_edges;  // a customer goes to the first band whose upper edge is >= the score
    if (distinct.size() <= max_levels) {
        upper_edges.assign(distinct.begin(), distinct.end());
    } else {
        for (double q : {0.2, 0.4, 0.6, 0.8}) upper_edges.push_back(stats::quantile(known, q));
        upper_edges.push_back(*distinct.rbegin());
        upper_edges.erase(std::unique(upper_edges.begin(), upper_edges.end()), upper_edges.end());
    }
    std::vector<std::vector<std::size_t>> members(upper_edges.size());
    for (std::size_t i = 0; i < survey.customers; ++i) {
        if (std::isnan(column.numbers[i])) continue;
        const auto band = std::lower_bound(upper_edges.begin(), upper_edges.end(), column.numbers[i]) - upper_edges.begin();
        members[static_cast<std::size_t>(band)].push_back(i);
    }
    std::vector<score_band_row> out;
    for (std::size_t k = 0; k < members.size(); ++k) {
        if (members[k].empty()) continue;  // an interpolated cut point can leave a band without customers
        score_band_row row;
        row.score = score;
        std::vector<double> v, p;
        row.lowest = row.highest = column.numbers[members[k].front()];
        for (std::size_t i : members[k]) {
            v.push_back(value[i]);
            p.push_back(probability_alive[i]);
            row.lowest = std::min(row.lowest, column.numbers[i]);
            row.highest = std::max(row.highest, column.numbers[i]);
        }
        const auto text = [](double x) {
            std::ostringstream out;
            out << x;  // 6 significant digits: a label, not a value to compute with
            return out.str();
        };
        row.band = row.lowest == row.highest ? text(row.lowest) : text(row.lowest) + " to " + text(row.highest);
        row.customers = v.size();
        row.value = stats::mean_interval(v, {}, level);
        row.median_value = stats::median_interval(v, level);
        row.probability_alive = stats::mean_interval(p, {}, level);
        out.push_back(std::move(row));
    }
    return out;
}

/// Least squares of value (e.g. CLV; NaN: left out) on the score columns (`scores`, all numeric
/// columns when empty): how much value goes with one point more on each score, the others held
/// fixed. Scores are strongly correlated in most surveys: read the coefficients with their
/// intervals, and the correlations above, together.
inline attribute_regression regress_value_on_scores(const customer_attributes& survey, std::span<const double> value,
                                                    const std::vector<std::string>& scores = {}, double level = 0.95) {
    std::vector<std::string> names;
    for (const auto* c : detail::score_columns(survey, scores)) names.push_back(c->name);
    return least_squares_on_attributes(survey, value, names, level);
}

}  // namespace clv
