// The customer report (clv/analysis/customer_report.hpp) as an HTML page: one section per question,
// each opened by one sentence on how to read it, with inline SVG charts (clv/io/svg.hpp) and tables
// (clv/io/html_report.hpp). Formatting only: every number shown was computed by the analyses.
#pragma once

#include <clv/analysis/customer_report.hpp>
#include <clv/core/calendar.hpp>
#include <clv/io/html_report.hpp>
#include <clv/io/svg.hpp>
#include <clv/version.hpp>

#include <cmath>
#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

namespace clv::io {

namespace report_detail {

inline std::string num(double v) { return format_number(v); }
inline std::string pct(double v, int decimals = 1) { return format_percent(v, decimals); }
inline std::string count(double v) { return format_count(v); }
/// "12.3 (10.1 to 14.5)": an estimate with its interval, in one cell.
inline std::string with_interval(double estimate, double lower, double upper, bool percent = false) {
    auto f = [&](double v) { return percent ? pct(v) : num(v); };
    if (!std::isfinite(lower) || !std::isfinite(upper)) return f(estimate);
    return f(estimate) + " (" + f(lower) + " to " + f(upper) + ")";
}
inline std::string p_value(double p) {
    if (!std::isfinite(p)) return "n/a";
    return p < 0.001 ? "< 0.001" : format_number(p, 2);
}

/// The time unit in words, singular and plural: "week"/"weeks"; a number of days otherwise.
inline std::string unit_name(double unit_days, bool plural = true) {
    std::string name = unit_days == 1 ? "day" : unit_days == 7 ? "week" : std::abs(unit_days - days_per_month) < 1e-9 ? "month"
                                                                                                                        : format_number(unit_days) + "-day period";
    return plural ? name + "s" : name;
}

inline svg::frame chart(std::string title, std::string x_label, std::string x_unit, std::string y_label, std::string y_unit,
                        svg::number_style y_style = svg::number_style::plain) {
    svg::frame f;
    f.title = std::move(title);
    f.x.label = std::move(x_label);
    f.x.unit = std::move(x_unit);
    f.y.label = std::move(y_label);
    f.y.unit = std::move(y_unit);
    f.y.style = y_style;
    return f;
}

inline html_table regression_table(const attribute_regression& fit, bool logistic, const std::string& caption) {
    html_table t{caption, {"term", logistic ? "odds ratio (95 % interval)" : "coefficient (95 % interval)", "p-value"}, {false, true, true}, {}};
    for (const auto& term : fit.model.terms)
        t.rows.push_back({term.name,
                          logistic ? with_interval(term.odds_ratio, term.odds_lower, term.odds_upper)
                                   : with_interval(term.coefficient, term.lower, term.upper),
                          p_value(term.p_value)});
    return t;
}

inline std::string regression_note(const attribute_regression& fit) {
    std::string text = count(static_cast<double>(fit.model.observations)) + " customers";
    if (!fit.reference_levels.empty()) {
        text += "; categories are compared with";
        for (std::size_t k = 0; k < fit.reference_levels.size(); ++k) text += (k ? ", " : " ") + fit.reference_levels[k];
    }
    if (fit.left_out_missing > 0) text += "; " + count(static_cast<double>(fit.left_out_missing)) + " left out for a missing value";
    if (!fit.model.converged) text += "; the fit did not converge (" + fit.model.status + ")";
    return text + ".";
}

inline std::vector<std::string> profile_blocks(const group_profile& p, const std::string& group, const std::string& rest) {
    std::vector<std::string> blocks;
    if (!p.categorical.empty()) {
        html_table t{"Attributes: share of customers with each level", {"attribute", "level", group, rest, "difference", "p-value"},
                     {false, false, true, true, true, true}, {}};
        for (const auto& row : p.categorical)
            t.rows.push_back({row.attribute, row.level, with_interval(row.group_share.estimate, row.group_share.lower, row.group_share.upper, true),
                              with_interval(row.rest_share.estimate, row.rest_share.lower, row.rest_share.upper, true),
                              with_interval(row.difference.difference, row.difference.lower, row.difference.upper, true),
                              p_value(row.difference.p_value)});
        blocks.push_back(render_table(t));
    }
    if (!p.numeric.empty()) {
        html_table t{"Attributes: means and medians (the test compares the means)",
                     {"attribute", group + " mean", rest + " mean", "difference", "p-value", group + " median", rest + " median"},
                     {false, true, true, true, true, true, true}, {}};
        for (const auto& row : p.numeric)
            t.rows.push_back({row.attribute, with_interval(row.group_mean.mean, row.group_mean.lower, row.group_mean.upper),
                              with_interval(row.rest_mean.mean, row.rest_mean.lower, row.rest_mean.upper),
                              with_interval(row.difference.difference, row.difference.lower, row.difference.upper),
                              p_value(row.difference.p_value),
                              with_interval(row.group_median.estimate, row.group_median.lower, row.group_median.upper),
                              with_interval(row.rest_median.estimate, row.rest_median.lower, row.rest_median.upper)});
        blocks.push_back(render_table(t));
    }
    return blocks;
}

inline report_section models_section(const customer_report& r) {
    report_section s{"models", "Models",
                     "The three purchase models are fitted to the same customers; the lowest AIC fits best, and a "
                     "p-value of the histogram's chi-square test below 0.05 says the model misses the repeat-purchase counts.",
                     {}, {}};
    html_table t{"Model comparison (calibration period)", {"model", "converged", "log-likelihood", "AIC", "chi-square p", "holdout MAE", "parameters"},
                 {false, false, true, true, true, true, false}, {}};
    for (const auto& a : r.comparison) {
        std::string params;
        for (const auto& [name, value] : a.params) params += (params.empty() ? "" : ", ") + name + " = " + format_number(value, 4);
        t.rows.push_back({a.model, a.converged ? "yes" : "no: " + a.status, num(a.log_likelihood), format_number(a.aic, 6),
                          a.histogram.p_value ? p_value(*a.histogram.p_value) : "n/a", a.holdout ? num(a.holdout->mae) : "n/a", params});
    }
    s.blocks.push_back(render_table(t));
    const auto& m = r.transaction_model;
    html_table p{"Fitted on the whole period: " + m.model + (r.model_chosen_by_aic ? " (best AIC)" : " (chosen with --model)"),
                 {"parameter", "estimate", "standard error"}, {false, true, true}, {}};
    for (std::size_t k = 0; k < m.params.size(); ++k)
        p.rows.push_back({m.params[k].first, format_number(m.params[k].second, 4), k < m.std_errors.size() ? format_number(m.std_errors[k], 2) : "n/a"});
    if (r.spend_model)
        for (std::size_t k = 0; k < r.spend_model->params.size(); ++k)
            p.rows.push_back({"Gamma-Gamma " + r.spend_model->params[k].first, format_number(r.spend_model->params[k].second, 4),
                              k < r.spend_model->std_errors.size() ? format_number(r.spend_model->std_errors[k], 2) : "n/a"});
    s.blocks.push_back(render_table(p));
    s.blocks.push_back(paragraph(r.spend_description));
    return s;
}

inline report_section holdout_section(const customer_report& r) {
    const auto& h = *r.holdout;
    report_section s{"holdout", "Calibration vs holdout",
                     "Customers are grouped by their purchases in the calibration period; where the predicted bars match the "
                     "actual ones, the model foresaw what each group bought in the holdout period.",
                     {}, {}};
    std::vector<std::string> groups;
    svg::bar_series actual{"Actual", {}}, predicted{"Predicted", {}};
    for (const auto& b : h.by_frequency) {
        groups.push_back(std::to_string(b.frequency) + (&b == &h.by_frequency.back() ? "+" : ""));
        actual.values.push_back(b.actual_mean);
        predicted.values.push_back(b.predicted_mean);
    }
    s.blocks.push_back(figure(svg::bar_chart(chart("Mean holdout purchases by calibration purchases", "Repeat purchases in calibration",
                                                   "", "Mean purchases in holdout", "per customer"),
                                             groups, {actual, predicted})));
    s.blocks.push_back(render_table({"Holdout errors per customer", {"customers", "actual", "predicted", "MAE", "RMSE", "bias", "correlation"},
                                     {true, true, true, true, true, true, true},
                                     {{count(h.customers), count(h.total_actual), count(h.total_predicted), num(h.mae), num(h.rmse),
                                       num(h.bias), num(h.correlation)}}}));
    return s;
}

inline report_section histogram_section(const customer_report& r) {
    report_section s{"histogram", "Repeat purchases",
                     "How many customers made 0, 1, 2, ... repeat purchases in the calibration period, against the model's "
                     "expectation: bars of equal height mean the model reproduces the spread of loyalty.",
                     {}, {}};
    std::vector<std::string> groups;
    svg::bar_series observed{"Observed", {}}, expected{"Expected by the model", {}};
    for (const auto& b : r.histogram.buckets) {
        groups.push_back(std::to_string(b.frequency) + (&b == &r.histogram.buckets.back() ? "+" : ""));
        observed.values.push_back(b.observed);
        expected.values.push_back(b.expected);
    }
    s.blocks.push_back(figure(svg::bar_chart(chart("Customers by number of repeat purchases", "Repeat purchases", "", "Customers", ""),
                                             groups, {observed, expected})));
    s.blocks.push_back(paragraph("Chi-square " + num(r.histogram.chi_square) + " on " + std::to_string(r.histogram.degrees_of_freedom) +
                                 " degrees of freedom, p-value " + (r.histogram.p_value ? p_value(*r.histogram.p_value) : "n/a") + "."));
    return s;
}

inline report_section tracking_section(const customer_report& r) {
    const std::string unit = unit_name(r.unit_days);
    report_section s{"tracking", "Tracking", "Repeat purchases of the whole customer base " + unit_name(r.unit_days, false) + " by " +
                                                 unit_name(r.unit_days, false) + ": the model's line should follow the actual one, "
                                                 "also after the calibration end where it was not fitted.", {}, {}};
    svg::line_series actual{"Actual", {}, {}}, expected{"Expected by the model", {}, {}, true};
    svg::line_series actual_c = actual, expected_c = expected;
    for (const auto& p : r.tracking) {
        const double t = static_cast<double>(p.period);
        actual.x.push_back(t), actual.y.push_back(p.actual), expected.x.push_back(t), expected.y.push_back(p.expected);
        actual_c.x.push_back(t), actual_c.y.push_back(p.actual_cumulative), expected_c.x.push_back(t), expected_c.y.push_back(p.expected_cumulative);
    }
    std::vector<svg::marker_line> markers;
    for (const auto& p : r.tracking)
        if (p.holdout) {
            markers.push_back({static_cast<double>(p.period) - 0.5, "calibration end"});
            break;
        }
    const std::string x = "Time since the first customer's first purchase";
    s.blocks.push_back(figure_pair(
        svg::line_chart(chart("Repeat purchases per " + unit_name(r.unit_days, false), x, unit, "Repeat purchases", "per period"), {actual, expected}, markers),
        svg::line_chart(chart("Cumulative repeat purchases", x, unit, "Repeat purchases", "cumulative"), {actual_c, expected_c}, markers)));
    return s;
}

inline std::string matrix_chart(const frequency_recency_matrix& m, const std::string& title, double unit_days, svg::number_style style) {
    std::vector<std::string> rows, columns;
    for (double f : m.frequencies) rows.push_back(format_number(f));
    for (double t : m.recencies) columns.push_back(format_number(t, 2));
    return svg::heat_map(chart(title, "Recency: time of the last purchase", unit_name(unit_days), "Repeat purchases", ""), rows, columns,
                         m.values, style);
}

inline report_section matrix_section(const customer_report& r) {
    report_section s{"matrices", "P(alive) and expected purchases by history",
                     "Each cell is a customer history at age " + format_number(r.alive_matrix.T) + " " + unit_name(r.unit_days) +
                         ": customers who bought often but not recently (top left) are the likely lost; dark cells on the right "
                         "are the active, valuable ones.", {}, {}};
    s.blocks.push_back(figure_pair(matrix_chart(r.alive_matrix, "Probability the customer is still active", r.unit_days, svg::number_style::percent),
                                   matrix_chart(r.purchases_matrix, "Expected purchases in the next " + format_number(r.purchases_matrix.horizon) + " " +
                                                                        unit_name(r.unit_days), r.unit_days, svg::number_style::plain)));
    return s;
}

inline report_section value_section(const customer_report& r) {
    const auto& c = r.concentration;
    report_section s{"value", "Customer value",
                     "The further the curve bows below the diagonal, the more the value is concentrated in few customers; "
                     "the decile bars show how much each tenth of the customers, from the most valuable, is worth.", {}, {}};
    std::vector<double> x, y;
    for (const auto& p : c.lorenz) x.push_back(p.population_share), y.push_back(p.value_share);
    std::vector<std::string> groups;
    svg::bar_series share{"Share of value", {}};
    for (const auto& g : r.deciles) groups.push_back(std::to_string(g.group)), share.values.push_back(g.share);
    const std::string lorenz = svg::lorenz_chart(chart("Concentration of customer value (Lorenz curve)", "Customers, least valuable first",
                                                       "share", "Value held", "share"), x, y, c.gini);
    if (r.deciles.empty()) s.blocks.push_back(figure(lorenz));
    else
        s.blocks.push_back(figure_pair(lorenz, svg::bar_chart(chart("Value by decile", "Decile (1 = most valuable tenth)", "", "Share of all value",
                                                                    "", svg::number_style::percent), groups, {share})));
    html_table top{"Share of value held by the top customers", {}, {}, {{}}};
    for (std::size_t k = 0; k < c.top_fractions.size(); ++k) {
        top.header.push_back("top " + pct(c.top_fractions[k]));
        top.numeric.push_back(true);
        top.rows[0].push_back(pct(c.top_shares[k]));
    }
    s.blocks.push_back(render_table(top));
    html_table list{"The 20 most valuable customers", {"customer", "repeat purchases", "recency", "age T", "mean spend", "P(alive)", "expected spend per purchase", "CLV"},
                    {false, true, true, true, true, true, true, true}, {}};
    for (const auto& t : r.top_customers)
        list.rows.push_back({t.id, count(t.frequency), num(t.recency), num(t.T), num(t.monetary_value), pct(t.probability_alive), num(t.expected_spend), num(t.clv)});
    s.blocks.push_back(render_table(list));
    if (r.top_profile) {
        const auto& p = *r.top_profile;
        s.blocks.push_back(paragraph("Profile of the top " + pct(p.fraction, 0) + " (" + count(static_cast<double>(p.top_count)) +
                                     " customers with a CLV of at least " + num(p.lowest_top_value) + ", holding " + pct(p.top_share) +
                                     " of all value) against the rest; intervals are 95 %."));
        for (auto& b : profile_blocks(p.attributes, "top", "rest")) s.blocks.push_back(std::move(b));
        if (!p.products.empty()) {
            html_table t{"Products: share of customers who bought each", {"product", "top", "rest", "difference", "p-value"}, {false, true, true, true, true}, {}};
            for (const auto& row : p.products)
                t.rows.push_back({row.product, pct(row.group_share.estimate), pct(row.rest_share.estimate),
                                  with_interval(row.difference.difference, row.difference.lower, row.difference.upper, true), p_value(row.difference.p_value)});
            s.blocks.push_back(render_table(t));
        }
    }
    return s;
}

inline report_section churn_section(const customer_report& r) {
    const auto& l = r.lost;
    report_section s{"churn", "Churn and value at risk",
                     "Customers with a low P(alive) and a high past value are the ones to win back: the value at risk is what "
                     "their future is worth if they are still active, times the chance that they are not.", {}, {}};
    s.blocks.push_back(paragraph("Of " + count(l.customers) + " customers, about " + count(l.expected_active_now) + " are still active; " +
                                 count(l.expected_lost) + " (95 % interval " + count(l.lower) + " to " + count(l.upper) +
                                 ") are expected to be lost in the next " + format_number(l.horizon) + " " + unit_name(r.unit_days) + "."));
    constexpr int bands = 10;
    std::vector<std::string> labels;
    svg::bar_series customers{"Customers", std::vector<double>(bands, 0.0)};
    svg::bar_series value{"Value at risk", std::vector<double>(bands, 0.0)};
    for (int k = 0; k < bands; ++k) labels.push_back(std::to_string(k * 10) + "-" + std::to_string(k * 10 + 10));
    for (std::size_t i = 0; i < r.values.probability_alive.size(); ++i) {
        const double p = r.values.probability_alive[i];
        const int k = std::clamp(static_cast<int>(p * bands), 0, bands - 1);
        customers.values[static_cast<std::size_t>(k)] += 1;
        if (p > 0) value.values[static_cast<std::size_t>(k)] += (1 - p) * r.values.clv[i] / p;
    }
    s.blocks.push_back(figure_pair(svg::bar_chart(chart("Customers by P(alive)", "P(alive)", "%", "Customers", ""), labels, {customers}),
                                   svg::bar_chart(chart("Value at risk by P(alive)", "P(alive)", "%", "Value at risk", "margin"), labels, {value})));
    const auto& a = r.at_risk;
    s.blocks.push_back(paragraph(count(static_cast<double>(a.customers.size())) + " customers are at risk (P(alive) below 50 % and past "
                                 "repeat spend above the median, " + num(a.past_value_threshold) + "): value at risk " +
                                 num(a.total_value_at_risk) + " of " + num(a.total_value_if_active) + " if all were still active."));
    html_table t{"Customers at risk, highest value at risk first", {"customer", "P(alive)", "past repeat spend", "value if active", "value at risk"},
                 {false, true, true, true, true}, {}};
    for (std::size_t k = 0; k < std::min<std::size_t>(15, a.customers.size()); ++k) {
        const auto& c = a.customers[k];
        t.rows.push_back({r.customers.ids[c.customer], pct(c.probability_alive), num(c.past_value), num(c.value_if_active), num(c.value_at_risk)});
    }
    if (!t.rows.empty()) s.blocks.push_back(render_table(t));
    if (r.at_risk_profile) {
        s.blocks.push_back(paragraph("Who the customers at risk are, against everyone else:"));
        for (auto& b : profile_blocks(*r.at_risk_profile, "at risk", "rest")) s.blocks.push_back(std::move(b));
    }
    if (r.churn_drivers) {
        s.blocks.push_back(paragraph("Which attributes go with churn (logistic regression of " + r.churn_outcome +
                                     "; an odds ratio above 1 means more churn): " + regression_note(*r.churn_drivers)));
        s.blocks.push_back(render_table(regression_table(*r.churn_drivers, true, "Churn drivers")));
    }
    return s;
}

inline html_table cohort_table_html(const cohort_table& c, const std::string& first) {
    const bool observed = !c.rows.empty() && std::isfinite(c.rows.front().retention.estimate);
    html_table t{"", {first, "customers", "mean P(alive)", "mean CLV (95 % interval)", "total CLV", "share of value"}, {false, true, true, true, true, true}, {}};
    if (observed) t.header.insert(t.header.begin() + 3, "bought in holdout (95 % interval)"), t.numeric.push_back(true);
    for (const auto& row : c.rows) {
        t.rows.push_back({row.cohort, count(static_cast<double>(row.customers)), pct(row.probability_alive.mean),
                          with_interval(row.clv.mean, row.clv.lower, row.clv.upper), num(row.total_clv), pct(row.value_share)});
        if (observed)
            t.rows.back().insert(t.rows.back().begin() + 3, with_interval(row.retention.estimate, row.retention.lower, row.retention.upper, true));
    }
    return t;
}

inline report_section cohort_section(const customer_report& r) {
    report_section s{"cohorts", "Cohorts", "Customers grouped by the month of their first purchase (and by " +
                                               (r.cohort_attribute.empty() ? std::string("channel, when attributes are given") : r.cohort_attribute) +
                                               "): compare how many are still active (expected: mean P(alive); observed, "
                                               "with a holdout: the share who bought after the calibration end) and what each is worth.", {}, {}};
    std::vector<std::string> labels;
    svg::bar_series mean{"Mean CLV", {}};
    for (const auto& row : r.cohorts.rows) labels.push_back(row.cohort), mean.values.push_back(row.clv.mean);
    s.blocks.push_back(figure(svg::bar_chart(chart("Mean CLV by month of first purchase", "Month of first purchase", "", "Mean CLV", "margin"), labels, {mean})));
    s.blocks.push_back(render_table(cohort_table_html(r.cohorts, "first purchase")));
    if (r.cohorts_by_attribute) s.blocks.push_back(render_table(cohort_table_html(*r.cohorts_by_attribute, r.cohort_attribute)));
    return s;
}

inline report_section growth_section(const customer_report& r) {
    report_section s{"growth", "Growth levers", "Each lever is pulled alone on today's customers; the longest bar is where effort "
                                                "pays most (the changes are examples: 10 % more of each).", {}, {}};
    std::vector<std::string> labels;
    svg::bar_series gain{"Change in total value", {}};
    html_table t{"", {"lever", "change", "portfolio value", "difference", "relative"}, {false, false, true, true, true}, {}};
    for (const auto& l : r.growth->levers) {
        labels.push_back(l.lever), gain.values.push_back(l.difference);
        t.rows.push_back({l.lever, l.change, num(l.scenario), num(l.difference), pct(l.relative)});
    }
    s.blocks.push_back(figure(svg::bar_chart(chart("Change in portfolio value by lever", "Lever", "", "Change in value", "margin"), labels, {gain})));
    s.blocks.push_back(render_table(t));
    return s;
}

inline report_section potential_section(const customer_report& r) {
    const auto& p = *r.potential;
    report_section s{"potential", "Potential", "Customers whose expected revenue next year lies below what the better quarter of similar customers (" +
                                                   (r.potential_segment.empty() ? std::string("all customers") : "same " + r.potential_segment) +
                                                   ") achieve; the expected gain weighs the gap by P(alive).", {}, {}};
    html_table seg{"Segments", {"segment", "customers", "mean", "target (75th percentile)", "expected gain"}, {false, true, true, true, true}, {}};
    for (const auto& b : p.segments) seg.rows.push_back({b.segment, count(static_cast<double>(b.customers)), num(b.mean), num(b.target), num(b.total_expected_gain)});
    s.blocks.push_back(render_table(seg));
    html_table t{"Customers with the largest expected gain", {"customer", "segment", "expected revenue", "target", "P(alive)", "expected gain"},
                 {false, false, true, true, true, true}, {}};
    for (std::size_t k = 0; k < std::min<std::size_t>(15, p.customers.size()); ++k) {
        const auto& c = p.customers[k];
        t.rows.push_back({r.customers.ids[c.customer], c.segment, num(c.measure), num(c.target), pct(c.probability_alive), num(c.expected_gain)});
    }
    s.blocks.push_back(render_table(t));
    if (r.potential_drivers) {
        s.blocks.push_back(paragraph("Attributes that go with potential (least squares of the expected gain): " + regression_note(*r.potential_drivers)));
        s.blocks.push_back(render_table(regression_table(*r.potential_drivers, false, "Potential drivers")));
    }
    if (!r.co_purchase.empty()) {
        html_table rules{"Products bought together (lift above 1: buyers of the first buy the second more often than others)",
                         {"bought", "also bought", "customers with both", "support", "confidence", "lift"}, {false, false, true, true, true, true}, {}};
        for (const auto& x : r.co_purchase)
            rules.rows.push_back({x.antecedent, x.consequent, count(static_cast<double>(x.both)), pct(x.support), pct(x.confidence), num(x.lift)});
        s.blocks.push_back(render_table(rules));
    }
    if (!r.cross_sell.empty()) {
        html_table cs{"Cross-sell candidates", {"customer", "product to offer", "because they bought", "confidence", "P(alive)", "expected gain"},
                      {false, false, false, true, true, true}, {}};
        for (const auto& c : r.cross_sell)
            cs.rows.push_back({r.customers.ids[c.customer], c.product, c.because_of, pct(c.confidence), pct(c.probability_alive), num(c.expected_gain)});
        s.blocks.push_back(render_table(cs));
    }
    return s;
}

inline report_section satisfaction_section(const customer_report& r) {
    report_section s{"satisfaction", "Satisfaction and loyalty",
                     "Rank correlations near +1 or -1 (with an interval that excludes 0) mean the two go together; the bars show "
                     "what customers in each score band are worth.", {}, {}};
    html_table t{"Spearman rank correlations", {"first", "second", "customers", "correlation (95 % interval)", "p-value"}, {false, false, true, true, true}, {}};
    for (const auto& c : r.score_correlations)
        t.rows.push_back({c.first, c.second, count(static_cast<double>(c.estimate.n)),
                          c.note.empty() ? with_interval(c.estimate.rho, c.estimate.lower, c.estimate.upper) : c.note, p_value(c.estimate.p_value)});
    s.blocks.push_back(render_table(t));
    std::vector<std::string> charts;
    for (const auto& bands : r.score_bands) {
        if (bands.empty()) continue;
        std::vector<std::string> labels;
        svg::bar_series mean{"Mean CLV", {}};
        for (const auto& b : bands) labels.push_back(b.band), mean.values.push_back(b.value.mean);
        charts.push_back(svg::bar_chart(chart("Mean CLV by " + bands.front().score, bands.front().score, "", "Mean CLV", "margin"), labels, {mean}));
    }
    for (std::size_t k = 0; k < charts.size(); k += 2)
        s.blocks.push_back(k + 1 < charts.size() ? figure_pair(charts[k], charts[k + 1]) : figure(charts[k]));
    if (r.value_on_scores) {
        s.blocks.push_back(paragraph("Value on all scores at once (least squares; scores are correlated, so read the intervals): " +
                                     regression_note(*r.value_on_scores)));
        s.blocks.push_back(render_table(regression_table(*r.value_on_scores, false, "CLV on the scores")));
    }
    return s;
}

/// A contract period in words: "years" for the named units, "periods of 14 days" otherwise.
inline std::string period_name(const time_unit& period, bool plural = true) {
    const bool named = period.name == "day" || period.name == "week" || period.name == "month" || period.name == "year";
    if (named) return plural ? period.name + "s" : period.name;
    return (plural ? "periods of " : "period of ") + format_number(period.days) + " days";
}

inline report_section retention_section(const customer_report& r) {
    const auto& c = *r.retention;
    const std::string periods = period_name(r.contract_period);
    report_section s{"retention", "Retention of contractual customers",
                     "The share of the customers still subscribed after each renewal (left) and the share of those reaching a "
                     "renewal who renew (right), observed against the shifted-beta-geometric model (FH 2007); after the "
                     "data ends the model projects (dashed). Retention rises with tenure because the customers most "
                     "likely to cancel leave first.", {}, {}};
    // Observed: the pooled product-limit curve, or each cohort's own when the file has a few.
    std::vector<svg::line_series> survival, retention;
    const bool per_cohort = r.retention_cohorts.size() >= 2 && r.retention_cohorts.size() <= 4;
    if (per_cohort) {
        for (const auto& cohort : r.retention_cohorts) {
            svg::line_series sv{"Observed " + cohort.cohort, {}, {}, false, true}, rt = sv;
            for (std::size_t t = 0; t <= cohort.last_period(); ++t) {
                sv.x.push_back(static_cast<double>(t)), sv.y.push_back(cohort.survival(t));
                if (t > 0) rt.x.push_back(static_cast<double>(t)), rt.y.push_back(cohort.retention(t));
            }
            survival.push_back(sv), retention.push_back(rt);
        }
    } else {
        svg::line_series sv{"Observed", {0}, {1}, false, true}, rt{"Observed", {}, {}, false, true};
        for (const auto& p : c.observed) {
            sv.x.push_back(p.period), sv.y.push_back(p.survival);
            rt.x.push_back(p.period), rt.y.push_back(p.retention);
        }
        survival.push_back(sv), retention.push_back(rt);
    }
    std::vector<svg::marker_line> markers;
    if (c.fit.converged) {
        const std::string model_colour = "#222222";  // the model in black over the coloured observations
        svg::line_series fitted_s{"sBG model", {0}, {1}, false, false, model_colour}, projected_s{"sBG projection", {}, {}, true, false, model_colour};
        svg::line_series fitted_r{"sBG model", {}, {}, false, false, model_colour}, projected_r{"sBG projection", {}, {}, true, false, model_colour};
        for (const auto& p : c.projected) {
            const bool fitted = p.period <= c.longest_tenure;
            auto& sv = fitted ? fitted_s : projected_s;
            auto& rt = fitted ? fitted_r : projected_r;
            if (!fitted && sv.x.empty()) {  // the projection starts where the fit ends
                sv.x.push_back(fitted_s.x.back()), sv.y.push_back(fitted_s.y.back());
                if (!fitted_r.x.empty()) rt.x.push_back(fitted_r.x.back()), rt.y.push_back(fitted_r.y.back());
            }
            sv.x.push_back(p.period), sv.y.push_back(static_cast<double>(p.survival));
            rt.x.push_back(p.period), rt.y.push_back(static_cast<double>(p.retention));
        }
        survival.push_back(fitted_s), retention.push_back(fitted_r);
        if (!projected_s.x.empty()) survival.push_back(projected_s), retention.push_back(projected_r);
        markers.push_back({c.longest_tenure, "end of data"});
    }
    svg::frame sf = chart("Customers still active", "Time since acquisition", periods, "Still active", "share of the cohort",
                          svg::number_style::percent);
    sf.y.min = 0, sf.y.max = 1;
    svg::frame rf = chart("Renewal rate", "Renewal at the end of period", periods, "Renewing", "share of those due",
                          svg::number_style::percent);
    double lowest = 1;  // the renewal axis from a round share below the lowest rate, so that its rise shows
    for (const auto& series : retention)
        for (double v : series.y) lowest = std::min(lowest, v);
    rf.y.min = std::min(0.9, std::floor(lowest * 10) / 10), rf.y.max = 1;
    s.blocks.push_back(figure_pair(svg::line_chart(sf, survival, markers), svg::line_chart(rf, retention, markers)));

    std::string data_note = count(c.customers) + " customers in " + r.contractual_source;
    if (r.retention_cohorts.size() > 1) data_note += " (" + std::to_string(r.retention_cohorts.size()) + " cohorts, pooled for the fit)";
    data_note += ", " + count(c.active) + " of them still active; the longest observed tenure is " + format_number(c.longest_tenure) + " " + periods + ".";
    s.blocks.push_back(paragraph(data_note));
    if (!c.fit.converged) return s;

    const auto& f = c.fit;
    html_table p{"sBG model (fitted to all " + count(c.customers) + " customers)", {"quantity", "estimate", "standard error"}, {false, true, true}, {}};
    p.rows.push_back({"alpha", format_number(f.params.alpha, 4), f.std_errors_available ? format_number(f.std_errors[0], 2) : "n/a"});
    p.rows.push_back({"beta", format_number(f.params.beta, 4), f.std_errors_available ? format_number(f.std_errors[1], 2) : "n/a"});
    p.rows.push_back({"mean cancellation probability alpha / (alpha + beta)", pct(f.params.alpha / (f.params.alpha + f.params.beta)), ""});
    p.rows.push_back({"log-likelihood (" + std::to_string(f.iterations) + " iterations)", num(f.log_likelihood), ""});
    p.rows.push_back({"expected lifetime of a new customer", c.expected_lifetime ? num(*c.expected_lifetime) + " " + periods
                                                                                 : "unbounded (alpha <= 1: some customers almost never leave)", ""});
    p.rows.push_back({"discounted expected lifetime of a new customer (DEL, " + pct(c.discount_rate) + " per " + period_name(r.contract_period, false) + ")",
                      num(c.del) + " " + periods, ""});
    if (c.margin_per_period) p.rows.push_back({"value of a new customer (margin x DEL)", num(*c.margin_per_period * c.del), ""});
    s.blocks.push_back(render_table(p));

    if (!c.active_by_renewals.empty()) {
        const auto& l = c.lost_next_period;
        s.blocks.push_back(paragraph("Of the " + count(c.active) + " active customers, " + count(l.expected_lost) + " (95 % interval " +
                                     count(l.lower) + " to " + count(l.upper) + ") are expected to cancel at their next renewal."));
        const bool money = c.margin_per_period.has_value();
        html_table v{"Active customers by renewals made: what each is worth from the next renewal on",
                     {"renewals made", "customers", "renewal rate next", "DERL (" + periods + ")"}, {true, true, true, true}, {}};
        if (money) v.header.insert(v.header.end(), {"value per customer", "value"}), v.numeric.insert(v.numeric.end(), {true, true});
        const shifted_beta_geometric<> model(f.params);
        constexpr std::size_t shown = 15;
        for (std::size_t k = 0; k < std::min(shown, c.active_by_renewals.size()); ++k) {
            const auto& g = c.active_by_renewals[k];
            std::vector<std::string> row{format_number(g.renewals), count(g.customers), pct(static_cast<double>(model.retention_rate(g.renewals + 1))), num(g.derl)};
            if (money) row.insert(row.end(), {num(g.value), num(g.value * g.customers)});
            v.rows.push_back(std::move(row));
        }
        std::vector<std::string> total{"all active", count(c.active), "", num(c.total_derl / c.active)};
        if (money) total.insert(total.end(), {num(c.total_value / c.active), num(c.total_value)});
        v.rows.push_back(std::move(total));
        s.blocks.push_back(render_table(v));
        if (c.active_by_renewals.size() > shown)
            s.blocks.push_back(paragraph("The table shows the first " + std::to_string(shown) + " of " + std::to_string(c.active_by_renewals.size()) +
                                         " tenures; the last row covers them all."));
        s.blocks.push_back(paragraph("DERL is the discounted expected residual lifetime (FH 2010 eq. 6): the renewals still to come, the "
                                     "next one undiscounted, later ones at " + pct(c.discount_rate) + " per " + period_name(r.contract_period, false) +
                                     (money ? "; value = margin per period (" + num(*c.margin_per_period) + ") x DERL." : "; give --margin-per-period for values.")));
    }
    return s;
}

}  // namespace report_detail

/// The page of a customer report.
inline report_page customer_report_page(const customer_report& r) {
    using namespace report_detail;
    report_page page;
    page.title = "Customer report: " + r.source;
    page.subtitle = count(static_cast<double>(r.customers.size())) + " customers, purchases from " + iso_date(r.first_day) + " to " +
                    iso_date(r.observation_end) + (r.calibration_end ? "; models checked on a holdout after " + iso_date(*r.calibration_end) : "") +
                    "; times in " + unit_name(r.unit_days) + ".";
    const double active = r.lost.expected_active_now;
    page.key_figures = {{"Customers", count(static_cast<double>(r.customers.size()))},
                        {"Still active (expected)", count(active)},
                        {"Total CLV", num(r.values.total_clv)},
                        {"Mean CLV", num(r.values.total_clv / static_cast<double>(r.customers.size()))},
                        {"Top 10 % hold", pct(r.concentration.top_shares.size() > 2 ? r.concentration.top_shares[2] : NAN)},
                        {"Lost next year", count(r.lost.expected_lost)},
                        {"Value at risk", num(r.at_risk.total_value_at_risk)},
                        {"Model", r.transaction_model.model}};
    page.sections.push_back(models_section(r));
    if (r.holdout) page.sections.push_back(holdout_section(r));
    else page.left_out.push_back("Calibration vs holdout: no --calibration-end was given, so there is no holdout period to check the model on.");
    page.sections.push_back(histogram_section(r));
    if (!r.tracking.empty()) page.sections.push_back(tracking_section(r));
    page.sections.push_back(matrix_section(r));
    page.sections.push_back(value_section(r));
    page.sections.push_back(churn_section(r));
    page.sections.push_back(cohort_section(r));
    if (r.retention) page.sections.push_back(retention_section(r));
    else if (r.contractual_source.empty())
        page.left_out.push_back("Retention curve of contractual customers: no --contractual file was given.");
    if (r.growth) page.sections.push_back(growth_section(r));
    if (r.potential) page.sections.push_back(potential_section(r));
    if (r.survey) page.sections.push_back(satisfaction_section(r));
    else page.left_out.push_back("Satisfaction and loyalty: no --survey file was given.");
    if (!r.attributes)
        page.left_out.push_back("Profiles by attributes, churn drivers and potential by segment: no --attributes file was given.");
    if (r.product_lines == 0) page.left_out.push_back("Products, co-purchases and cross-sell: no --product-col was given.");
    for (const auto& note : r.notes) page.sections.front().notes.push_back(note);
    const auto& v = r.valuation;
    page.sections.front().blocks.push_back(paragraph(
        "Values are margin (" + pct(v.gross_margin, 0) + ") x expected spend per purchase x expected purchases, discounted continuously at " +
        format_number(v.discount.rate, 3) + " per " + unit_name(r.unit_days, false) +
        (std::isfinite(v.discount.horizon) ? " over " + format_number(v.discount.horizon) + " " + unit_name(r.unit_days) : " over the customer's lifetime") + "."));
    page.footer = "Made by clv " + std::string(version) + " from " + r.source + ". Self-contained: no scripts, fonts or links outside this file.";
    return page;
}

/// Writes the customer report's page to `path` atomically.
inline void write_customer_report(const std::filesystem::path& path, const customer_report& r) {
    write_report_page(path, customer_report_page(r));
}

}  // namespace clv::io
