// The whole customer analysis behind `clv report`, as one library call: a transaction log (and
// optionally an attributes file, a survey file and a product column) -> summaries with a
// calibration/holdout split -> BG/NBD, Pareto/NBD and MBG/NBD compared by AIC -> the chosen model
// and Gamma-Gamma fitted on the whole period -> values, diagnostics and the business analyses
// (value concentration and profiles, churn and value at risk, potential and cross-sell,
// satisfaction, cohorts, growth levers); given contractual data as well, the retention curves of
// the sBG model (analysis/contractual_retention.hpp). The result holds plain tables; clv/io/customer_report_html.hpp
// turns it into the HTML page. Nothing is computed here that a library function computes: this
// header only decides what to run on what and collects the results.
#pragma once

#include <clv/analysis/attributes.hpp>
#include <clv/analysis/churn_risk.hpp>
#include <clv/analysis/cohorts.hpp>
#include <clv/analysis/contractual_retention.hpp>
#include <clv/analysis/growth_levers.hpp>
#include <clv/analysis/matrix.hpp>
#include <clv/analysis/model_comparison.hpp>
#include <clv/analysis/potential.hpp>
#include <clv/analysis/satisfaction.hpp>
#include <clv/analysis/tracking.hpp>
#include <clv/analysis/value_analysis.hpp>
#include <clv/core/time_unit.hpp>
#include <clv/io/contractual_csv.hpp>
#include <clv/io/transaction_log.hpp>
#include <clv/models/bg_nbd.hpp>
#include <clv/models/gamma_gamma.hpp>
#include <clv/models/mbg_nbd.hpp>
#include <clv/models/pareto_nbd.hpp>
#include <clv/value/parts.hpp>
#include <clv/value/scoring.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <functional>
#include <iomanip>
#include <limits>
#include <optional>
#include <sstream>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace clv {

/// What to analyse and how. Times are in the summary's unit (`log.summary.unit_days`).
struct customer_report_settings {
    std::filesystem::path transactions;
    summarize_options log;             ///< columns, CSV layout, time unit, observation and calibration ends
    std::string product_column;        ///< product or category column of the log; empty: no product analyses
    std::filesystem::path attributes;  ///< CSV keyed by customer id (first column); empty: none
    std::filesystem::path survey;      ///< CSV keyed by customer id (first column) with score columns; empty: none
    double gross_margin = 1;
    std::optional<double> discount_rate;  ///< continuous, per time unit; else from `annual_discount_rate`
    double annual_discount_rate = 0.1;
    std::string model;                 ///< "bgnbd", "pnbd", "mbgnbd"; empty: the best by AIC
    double horizon_days = 365.25;      ///< churn forecast and next-period purchases: one year
    double top_fraction = 0.1;         ///< the "most valuable" group
    /// Contractual file (`period,active[,cohort]` cohort counts or `tenure,churned[,weight]`
    /// customers, io/contractual_csv.hpp); empty: no retention section.
    std::filesystem::path contractual;
    time_unit contract_period{time_unit::days_per_year, "year"};  ///< length of one contract period
    std::optional<double> margin_per_period;  ///< contractual margin per customer and period; none: lifetimes only

    void validate() const {
        if (transactions.empty()) throw invalid_input("transactions", "", "no transaction log given");
        if (!model.empty() && model != "bgnbd" && model != "pnbd" && model != "mbgnbd")
            throw invalid_input("model", model, "expected bgnbd, pnbd or mbgnbd");
        detail::require_margin(gross_margin);
        if (discount_rate && (!(*discount_rate >= 0) || !std::isfinite(*discount_rate)))
            throw invalid_input("discount rate", to_message_string(*discount_rate), "must be a finite number >= 0");
        if (!(horizon_days > 0) || !std::isfinite(horizon_days))
            throw invalid_input("horizon", to_message_string(horizon_days), "must be a finite number of days > 0");
        if (!(contract_period.days > 0) || !std::isfinite(contract_period.days))
            throw invalid_input("contract period", to_message_string(contract_period.days), "must be a finite number of days > 0");
        if (margin_per_period && contractual.empty())
            throw invalid_input("margin per period", to_message_string(*margin_per_period), "is the margin of contractual customers: give the contractual file too");
        if (margin_per_period && (!(*margin_per_period >= 0) || !std::isfinite(*margin_per_period)))
            throw invalid_input("margin per period", to_message_string(*margin_per_period), "must be a finite number >= 0");
    }
};

/// One row of the most-valuable-customers list.
struct ranked_customer {
    std::string id;
    double frequency = 0, recency = 0, T = 0, monetary_value = 0, probability_alive = 0, expected_spend = 0, clv = 0;
};

/// Model parameters as (name, value) pairs with the fit's status.
struct fitted_model_summary {
    std::string model;
    std::vector<std::pair<std::string, double>> params;
    std::vector<double> std_errors;
    bool converged = false;
    std::string status;
    int iterations = 0;
    double log_likelihood = 0;
};

/// Everything the report shows. Optional parts are empty when their input was not given or the
/// analysis could not run on these data; `notes` then says why, in one sentence each.
struct customer_report {
    // Data
    std::string source;
    double unit_days = 1;
    std::int64_t first_day = 0, observation_end = 0;
    std::optional<std::int64_t> calibration_end;
    summary_report log_summary;
    customer_table customers;                   ///< whole period: what the values describe
    std::optional<customer_table> calibration;  ///< calibration summary with holdout columns
    std::vector<std::int64_t> first_purchase;   ///< per customer, day number
    std::size_t product_lines = 0;

    // Models
    std::vector<model_assessment> comparison;  ///< on the calibration summary (or the whole period), best first
    bool model_chosen_by_aic = true;
    fitted_model_summary transaction_model;    ///< fitted on the whole period
    std::optional<fitted_model_summary> spend_model;
    std::string spend_description;             ///< how the value per purchase was set
    valuation_options valuation;

    // Diagnostics of the calibration fit
    std::optional<holdout_evaluation> holdout;
    frequency_histogram histogram;
    std::vector<tracking_period> tracking;
    frequency_recency_matrix alive_matrix, purchases_matrix;

    // Value, churn, growth
    customer_values values;
    std::vector<double> next_year_purchases;  ///< expected purchases in the horizon, per customer
    value_concentration concentration;
    std::vector<value_group> deciles;
    std::vector<ranked_customer> top_customers;
    customers_lost_forecast lost;
    at_risk_summary at_risk;
    cohort_table cohorts;
    std::optional<cohort_table> cohorts_by_attribute;
    std::string cohort_attribute;
    std::optional<growth_result> growth;

    // Attributes, products, survey
    std::optional<customer_attributes> attributes, survey;
    std::optional<value_profile> top_profile;
    std::optional<group_profile> at_risk_profile;
    std::optional<attribute_regression> churn_drivers;
    std::string churn_outcome;
    std::optional<potential_result> potential;
    std::string potential_segment;
    std::optional<attribute_regression> potential_drivers;
    std::vector<product_pair_rule> co_purchase;
    std::vector<cross_sell_candidate> cross_sell;
    std::vector<correlation_row> score_correlations;
    std::vector<std::vector<score_band_row>> score_bands;
    std::optional<attribute_regression> value_on_scores;

    // Contractual customers
    std::optional<contractual_retention> retention;
    std::vector<cohort_curve> retention_cohorts;  ///< observed counts per cohort (cohort-count files)
    std::string contractual_source;
    time_unit contract_period;

    std::vector<std::string> notes;
};

/// Called with a short description of each stage as it starts or ends, with the rows read and the
/// fits' iterations (the program shows it on a terminal).
using report_progress = std::function<void(const std::string&)>;

namespace detail {

/// Runs an optional analysis; a data condition it cannot handle (an empty group, a constant
/// variable) leaves its part out with a note instead of failing the whole report.
template <class F>
void optional_analysis(customer_report& r, const std::string& what, F&& run) {
    try {
        run();
    } catch (const invalid_input& e) {
        r.notes.push_back(what + " left out: " + e.what());
    }
}

/// `v` with two decimals, for a progress line ("-9582.14").
inline std::string two_decimals(double v) {
    std::ostringstream out;
    out << std::fixed << std::setprecision(2) << v;
    return out.str();
}

/// "BG/NBD: 14 iterations, converged" (or "not converged: why"): the end of a fit, for the progress.
inline std::string fit_progress(const std::string& model, int iterations, bool converged, const std::string& status) {
    return model + ": " + std::to_string(iterations) + (iterations == 1 ? " iteration, " : " iterations, ") +
           (converged ? std::string("converged") : "not converged (" + status + ")");
}

/// The customers' purchase days and products, from a second pass over the log (the summary keeps
/// neither): each customer's first purchase day, the (customer, day) pairs tracking needs and the
/// product lines. Rows after the observation end are left out, as the summary leaves them out.
struct log_details {
    std::vector<std::int64_t> first_purchase;
    std::vector<std::pair<std::size_t, std::int64_t>> purchases;
    product_purchases products;
};

inline log_details read_log_details(const customer_report_settings& s, const customer_table& customers,
                                    std::int64_t observation_end) {
    io::csv_reader reader(s.transactions, s.log.csv);
    const std::size_t customer = reader.column_index(s.log.customer_column), date = reader.column_index(s.log.date_column);
    const bool has_product = !s.product_column.empty(), has_amount = !s.log.amount_column.empty();
    const std::size_t product = has_product ? reader.column_index(s.product_column) : 0;
    const std::size_t amount = has_amount ? reader.column_index(s.log.amount_column) : 0;
    const io::date_format format(s.log.date_format);
    const customer_index index(customers);
    log_details out;
    out.first_purchase.assign(customers.size(), std::numeric_limits<std::int64_t>::max());
    io::csv_row row;
    while (reader.next(row)) {
        const std::int64_t day = format.parse(row[date], s.log.date_column, [&] { return row.where(date); });
        if (day > observation_end) continue;
        const auto i = index.find(std::string(row[customer]));
        if (!i) continue;  // a row the summary left out (refund policy, late customer)
        out.first_purchase[*i] = std::min(out.first_purchase[*i], day);
        out.purchases.emplace_back(*i, day);
        if (!has_product) continue;
        if (row[product].empty())
            throw invalid_input(s.product_column, "", "empty product: every purchase line needs one", row.where(product));
        out.products.customer.push_back(*i);
        out.products.product.emplace_back(row[product]);
        if (has_amount)
            out.products.amount.push_back(std::max(0.0, io::parse_number(row[amount], s.log.amount_column, [&] { return row.where(amount); })));
    }
    return out;
}

/// Reads an attributes or survey file keyed by the customer id in its first column, and says in a
/// note how many rows matched no customer and how many customers have no row.
inline customer_attributes join_file(customer_report& r, const std::filesystem::path& path, const customer_table& customers,
                                     const std::string& what) {
    attribute_join_options options;
    options.id_column = io::csv_reader(path).columns().front();
    customer_attributes joined = read_attributes_csv(path, customers, options);
    const auto& j = joined.join;
    if (j.unmatched_rows > 0) {
        std::string examples;
        for (const auto& id : j.unmatched_examples) examples += (examples.empty() ? "" : ", ") + id;
        r.notes.push_back(what + " " + path.filename().string() + ": " + std::to_string(j.unmatched_rows) + " of " +
                          std::to_string(j.rows) + " rows name no customer of the log (e.g. " + examples + ") and are not used");
    }
    if (j.customers_without_row > 0)
        r.notes.push_back(what + " " + path.filename().string() + ": " + std::to_string(j.customers_without_row) +
                          " customers have no row; they are left out of the analyses of this file");
    return joined;
}

template <class M>
M model_from_assessment(const model_assessment& a) {
    std::array<double, M::parameter_count> values{};
    for (std::size_t k = 0; k < values.size(); ++k) values[k] = a.params[k].second;
    return M(M::from_array(values));
}

template <class F>
decltype(auto) with_report_model(const std::string& name, F&& f) {
    if (name == "bgnbd") return f.template operator()<bg_nbd<>>();
    if (name == "pnbd") return f.template operator()<pareto_nbd<>>();
    if (name == "mbgnbd") return f.template operator()<mbg_nbd<>>();
    throw invalid_input("model", name, "expected bgnbd, pnbd or mbgnbd");
}

/// The first categorical attribute with 2 to 12 levels: the segment for potential and the
/// attribute cohort table ("" when there is none).
inline std::string segment_column(const customer_attributes& a) {
    for (const auto& c : a.columns) {
        if (c.numeric) continue;
        std::vector<std::string> levels;
        for (const auto& l : c.labels)
            if (!l.empty() && std::find(levels.begin(), levels.end(), l) == levels.end() && levels.size() <= 12) levels.push_back(l);
        if (levels.size() >= 2 && levels.size() <= 12) return c.name;
    }
    return {};
}

/// The model-dependent part: diagnostics of the calibration fit, the whole-period fit, values,
/// churn, potential and growth levers.
template <class M>
void run_model_part(customer_report& r, const customer_report_settings& s, const log_details& log, const report_progress& progress) {
    const double horizon = s.horizon_days / r.unit_days;
    const auto& assessed = *std::find_if(r.comparison.begin(), r.comparison.end(),
                                         [](const model_assessment& a) { return a.model == M::name; });
    r.histogram = assessed.histogram;
    r.holdout = assessed.holdout;
    const M calibration_model = model_from_assessment<M>(assessed);
    progress("tracking the cohort");
    optional_analysis(r, "The tracking curve", [&] {
        const std::int64_t end = r.calibration_end.value_or(r.observation_end);
        const auto cohort = cohort_from_purchases(log.purchases, end, r.observation_end);
        if (r.unit_days >= 1) r.tracking = track_cohort(calibration_model, cohort, r.unit_days, end, r.observation_end);
    });

    M model = calibration_model;
    r.transaction_model = {std::string(M::name), assessed.params, {}, assessed.converged, assessed.status, 0, assessed.log_likelihood};
    if (r.calibration) {
        progress("fitting " + std::string(M::name) + " on the whole period");
        const auto fit = M::fit(compress(r.customers).unique.columns());
        model = M(fit.params);
        const auto values = M::to_array(fit.params);
        r.transaction_model.params.clear();
        for (std::size_t k = 0; k < M::parameter_count; ++k)
            r.transaction_model.params.emplace_back(std::string(M::parameter_names[k]), values[k]);
        r.transaction_model.std_errors.assign(fit.std_errors.begin(), fit.std_errors.end());
        r.transaction_model.converged = fit.converged;
        r.transaction_model.status = fit.status;
        r.transaction_model.iterations = fit.iterations;
        r.transaction_model.log_likelihood = fit.log_likelihood;
        progress(fit_progress(std::string(M::name) + " on the whole period", fit.iterations, fit.converged, fit.status));
    }
    if (!r.transaction_model.converged)
        r.notes.push_back("The " + std::string(M::name) + " fit did not converge (" + r.transaction_model.status +
                          "): read its predictions with care");

    double max_T = 0, frequency_99 = stats::quantile(r.customers.frequency, 0.99);
    for (double T : r.customers.T) max_T = std::max(max_T, T);
    const double grid_T = std::max(1.0, std::ceil(max_T));
    const auto grid_frequency = static_cast<std::size_t>(std::clamp(std::ceil(frequency_99), 5.0, 25.0));
    const double step = std::max(grid_T / 20, 1e-3);
    r.alive_matrix = make_frequency_recency_matrix(model, matrix_quantity::probability_alive, grid_T, horizon, grid_frequency, step);
    r.purchases_matrix =
        make_frequency_recency_matrix(model, matrix_quantity::expected_transactions, grid_T, horizon, grid_frequency, step);

    const model_purchases<M> purchases{model, 1.0, {}};
    auto value_with = [&](const auto& spend) {
        progress("valuing " + std::to_string(r.customers.size()) + " customers");
        r.values = value_customers(r.customers, purchases, spend, r.valuation);
        const compressed_table compressed = compress(r.customers);
        r.next_year_purchases.resize(r.customers.size());
        std::vector<double> unique(compressed.unique.size());
        for (std::size_t i = 0; i < unique.size(); ++i)
            unique[i] = static_cast<double>(model.conditional_expected_transactions(
                horizon, compressed.unique.frequency[i], compressed.unique.recency[i], compressed.unique.T[i]));
        for (std::size_t c = 0; c < r.customers.size(); ++c) r.next_year_purchases[c] = unique[compressed.row_of_customer[c]];
        progress("churn, potential and growth levers");
        r.lost = expected_customers_lost(model, r.customers, horizon);
        optional_analysis(r, "Customers at risk", [&] {
            r.at_risk = customers_at_risk(r.values.probability_alive, past_repeat_value(r.customers), r.values.clv);
        });
        optional_analysis(r, "Growth levers", [&] {
            growth_scenario scenario;
            scenario.new_customers = std::round(0.1 * static_cast<double>(r.customers.size()));
            // new customers like the latest acquisition cohort: what recent acquisition brings
            const std::vector<std::string> months = acquisition_months(r.first_purchase);
            const std::string latest = *std::max_element(months.begin(), months.end());
            scenario.like_cohort.resize(months.size());
            for (std::size_t i = 0; i < months.size(); ++i) scenario.like_cohort[i] = months[i] == latest;
            scenario.dropout_reduction = 0.1;
            scenario.order_value_increase = 0.1;
            scenario.frequency_increase = 0.1;
            r.growth = growth_levers(r.customers, purchases, spend, r.valuation, scenario, r.values);
            r.growth->levers.front().change += " like the " + latest + " cohort";
        });
    };
    if (s.log.amount_column.empty()) {
        r.spend_description = "The log has no amounts: every purchase counts 1, so values are in discounted purchases.";
        value_with(constant_spend(1.0));
        return;
    }
    progress("fitting Gamma-Gamma spend");
    std::optional<gamma_gamma_fit> spend_fit;
    try {
        // A report describes the data it is given: repeat buyers whose mean spend is $0 (free
        // orders, refunds netted out) are left out of the spend fit and counted in a note.
        spend_fit = fit_gamma_gamma(r.customers, {}, "customer table", 0, nonpositive_spend::exclude);
        if (spend_fit->nonpositive_spend_excluded > 0)
            r.notes.push_back(to_message_string(spend_fit->nonpositive_spend_excluded) +
                              (spend_fit->nonpositive_spend_excluded == 1
                                   ? " repeat buyer with a mean spend of 0 or less was left out of the Gamma-Gamma fit."
                                   : " repeat buyers with a mean spend of 0 or less were left out of the Gamma-Gamma fit."));
    } catch (const invalid_input& e) {
        r.notes.push_back(std::string("The Gamma-Gamma spend model could not be fitted: ") + e.what());
    }
    if (spend_fit && spend_fit->fit.converged && spend_fit->fit.params.q > 1) {
        const auto& f = spend_fit->fit;
        const auto values = gamma_gamma<double>::to_array(f.params);
        fitted_model_summary summary{"gg", {}, {f.std_errors.begin(), f.std_errors.end()}, true, f.status, f.iterations, f.log_likelihood};
        for (std::size_t k = 0; k < values.size(); ++k)
            summary.params.emplace_back(std::string(gamma_gamma<double>::parameter_names[k]), values[k]);
        r.spend_model = summary;
        progress(fit_progress("Gamma-Gamma", f.iterations, f.converged, f.status));
        r.spend_description = "Value per purchase from the Gamma-Gamma spend model (repeat buyers: their own mean "
                              "shrunk towards the population mean; others: the population mean).";
        if (spend_fit->correlation_warning)
            r.notes.push_back("Frequency and spend of repeat buyers are correlated (r = " +
                              to_message_string(std::round(spend_fit->frequency_spend_correlation * 100) / 100) +
                              "); the Gamma-Gamma model assumes they are not");
        value_with(model_spend<gamma_gamma<double>>{gamma_gamma<double>(f.params), {}});
        return;
    }
    double total = 0, weight = 0;
    for (std::size_t c = 0; c < r.customers.size(); ++c)
        if (r.customers.frequency[c] > 0) {
            total += r.customers.monetary_value[c];
            weight += 1;
        }
    r.spend_description = "Value per purchase: each repeat buyer's own mean; others the repeat buyers' mean (the "
                          "Gamma-Gamma model could not be used).";
    value_with(own_mean_spend(weight > 0 ? total / weight : 0.0));
}

/// Observed retention for the cohort tables: per customer of the whole period, whether they bought
/// in the holdout period (`retained_in_holdout` of the calibration summary, matched by id). Empty
/// without a holdout, or when some customers were acquired after the calibration end (they have
/// no calibration period to be retained from).
inline std::vector<bool> retained_after_calibration(const customer_report& r) {
    if (!r.calibration || r.calibration->size() != r.customers.size()) return {};
    const std::vector<bool> in_calibration = retained_in_holdout(*r.calibration);
    const customer_index index(*r.calibration);
    std::vector<bool> out(r.customers.size());
    for (std::size_t i = 0; i < out.size(); ++i) {
        const auto c = index.find(r.customers.ids[i]);
        if (!c) return {};
        out[i] = in_calibration[*c];
    }
    return out;
}

/// The retention section: the contractual file read (its errors are the user's: they stop the
/// report), the sBG fitted and the active customers valued at the report's discount rate over one
/// contract period, (1 + d) = e^(delta x period length).
inline void run_contractual_part(customer_report& r, const customer_report_settings& s, const report_progress& progress) {
    progress("reading contractual data " + s.contractual.string());
    const io::contractual_data data = io::read_contractual_csv(s.contractual);
    r.contractual_source = s.contractual.filename().string();
    r.contract_period = s.contract_period;
    r.retention_cohorts = data.cohorts;
    contractual_retention_options options;
    options.discount_rate = std::expm1(r.valuation.discount.rate * s.contract_period.days / r.unit_days);
    options.margin_per_period = s.margin_per_period;
    progress("fitting sBG to " + std::to_string(data.table.size()) + " contractual rows");
    optional_analysis(r, "The retention curve", [&] {
        r.retention = analyse_contractual_retention(data.table, options);
        const auto& fit = r.retention->fit;
        progress(fit_progress("sBG", fit.iterations, fit.converged, fit.status));
        if (!fit.converged)
            r.notes.push_back("The sBG fit of " + r.contractual_source + " failed (" + fit.status +
                              "); the retention section shows the observed curves only");
    });
}

}  // namespace detail

/// Runs the whole analysis (see the header comment). Throws `invalid_input` for unusable inputs:
/// a log that cannot be summarised, attribute or survey files whose ids match no customer, an
/// empty product cell, a model name that is not one of the three, a contractual file that cannot
/// be read.
inline customer_report build_customer_report(const customer_report_settings& s, const report_progress& progress_callback = {}) {
    s.validate();
    const report_progress progress = progress_callback ? progress_callback : [](const std::string&) {};
    customer_report r;
    r.source = s.transactions.filename().string();
    r.unit_days = s.log.summary.unit_days;
    r.calibration_end = s.log.summary.calibration_end;

    progress("reading " + s.transactions.string());
    summarize_options whole = s.log;
    whole.summary.calibration_end.reset();
    r.customers = summarize_transactions(s.transactions, whole, &r.log_summary);
    r.observation_end = r.log_summary.observation_end;
    progress("read " + std::to_string(r.log_summary.rows_used) + " rows: " + std::to_string(r.customers.size()) + " customers");
    if (r.calibration_end) {
        progress("summarising the calibration period");
        r.calibration = summarize_transactions(s.transactions, s.log);
    }
    progress(s.product_column.empty() ? "reading purchase days" : "reading purchase days and products");
    const detail::log_details log = detail::read_log_details(s, r.customers, r.observation_end);
    r.first_purchase = log.first_purchase;
    r.first_day = *std::min_element(r.first_purchase.begin(), r.first_purchase.end());
    r.product_lines = log.products.product.size();

    std::optional<customer_attributes> attributes, survey;
    if (!s.attributes.empty()) attributes = detail::join_file(r, s.attributes, r.customers, "Attributes");
    if (!s.survey.empty()) survey = detail::join_file(r, s.survey, r.customers, "Survey");

    r.valuation.gross_margin = s.gross_margin;
    r.valuation.discount.rate = s.discount_rate ? *s.discount_rate : continuous_rate_from_annual(s.annual_discount_rate, r.unit_days);
    if (r.valuation.discount.rate == 0) r.valuation.discount.horizon = 3 * 365.25 / r.unit_days;  // undiscounted: 3 years
    if (!s.contractual.empty()) detail::run_contractual_part(r, s, progress);

    const customer_table& fitted = r.calibration ? *r.calibration : r.customers;
    auto assess = [&]<class M>(const char* label, int k) {
        progress("fitting " + std::string(label) + " (" + std::to_string(k) + " of 3) to " + std::to_string(fitted.size()) +
                 (r.calibration ? " customers' calibration periods" : " customers"));
        r.comparison.push_back(assess_model<M>(fitted));
        const auto& a = r.comparison.back();
        progress(detail::fit_progress(label, a.iterations, a.converged, a.status) + ", log-likelihood " +
                 detail::two_decimals(a.log_likelihood));
    };
    assess.template operator()<bg_nbd<>>("BG/NBD", 1);
    assess.template operator()<pareto_nbd<>>("Pareto/NBD", 2);
    assess.template operator()<mbg_nbd<>>("MBG/NBD", 3);
    rank_models(r.comparison);
    const std::string chosen = s.model.empty() ? r.comparison.front().model : s.model;
    r.model_chosen_by_aic = s.model.empty();
    detail::with_report_model(chosen, [&]<class M>() { detail::run_model_part<M>(r, s, log, progress); });

    progress("value, cohorts and profiles");
    r.concentration = concentrate_value(r.values.clv);
    if (r.customers.size() >= 10) r.deciles = value_deciles(r.values.clv);
    const auto order = rank_by_value(r.values.clv);
    for (std::size_t k = 0; k < std::min<std::size_t>(20, order.size()); ++k) {
        const std::size_t i = order[k];
        r.top_customers.push_back({r.customers.ids[i], r.customers.frequency[i], r.customers.recency[i], r.customers.T[i],
                                   r.customers.monetary_value[i], r.values.probability_alive[i], r.values.expected_spend[i],
                                   r.values.clv[i]});
    }
    const std::vector<bool> retained = detail::retained_after_calibration(r);
    r.cohorts = cohort_summary(acquisition_months(r.first_purchase), r.values.probability_alive, r.values.clv, retained);

    const product_purchases* products = s.product_column.empty() ? nullptr : &log.products;
    if (products && products->product.empty()) throw invalid_input(s.product_column, "", "no product lines were read", {r.source});
    if (attributes || products)
        detail::optional_analysis(r, "The profile of the most valuable customers", [&] {
            r.top_profile = profile_top_customers(r.values.clv, attributes ? &*attributes : nullptr, products, s.top_fraction);
        });
    if (attributes) {
        r.potential_segment = detail::segment_column(*attributes);
        if (!r.potential_segment.empty())
            detail::optional_analysis(r, "The cohort table by " + r.potential_segment, [&] {
                r.cohort_attribute = r.potential_segment;
                r.cohorts_by_attribute =
                    cohort_summary(attributes->column(r.potential_segment).labels, r.values.probability_alive, r.values.clv, retained);
            });
        detail::optional_analysis(r, "The at-risk profile",
                                  [&] { r.at_risk_profile = profile_groups(*attributes, r.at_risk.at_risk); });
        detail::optional_analysis(r, "The churn drivers", [&] {
            if (r.calibration) {
                customer_report scratch;  // the second join's notes repeat the first's
                const customer_attributes on_calibration = detail::join_file(scratch, s.attributes, *r.calibration, "Attributes");
                r.churn_outcome = "no purchase in the holdout period (customers of the calibration period)";
                r.churn_drivers = churn_drivers(on_calibration, lost_in_holdout(*r.calibration));
            } else {
                std::vector<bool> likely_lost(r.customers.size());
                for (std::size_t i = 0; i < likely_lost.size(); ++i) likely_lost[i] = r.values.probability_alive[i] < 0.5;
                r.churn_outcome = "P(alive) below 50 %";
                r.churn_drivers = churn_drivers(*attributes, likely_lost);
            }
        });
    }
    detail::optional_analysis(r, "Potential", [&] {
        std::vector<double> revenue(r.customers.size());
        for (std::size_t i = 0; i < revenue.size(); ++i) revenue[i] = r.next_year_purchases[i] * r.values.expected_spend[i];
        std::vector<std::string> segment;
        if (!r.potential_segment.empty()) segment = attributes->column(r.potential_segment).labels;
        r.potential = spending_potential(revenue, r.values.probability_alive, segment);
        if (attributes) r.potential_drivers = potential_drivers(*attributes, *r.potential);
    });
    if (products) {
        progress("co-purchases and cross-sell (" + std::to_string(products->product.size()) + " product lines)");
        r.co_purchase = co_purchase_rules(*products, r.customers.size(), 5);
        if (r.co_purchase.size() > 15) r.co_purchase.resize(15);
        detail::optional_analysis(r, "Cross-sell", [&] {
            r.cross_sell = cross_sell_candidates(*products, r.values.probability_alive);
            if (r.cross_sell.size() > 20) r.cross_sell.resize(20);
        });
    }
    if (survey) {
        progress("satisfaction and loyalty");
        std::vector<customer_measure> measures{{"P(alive)", r.values.probability_alive},
                                               {"expected purchases next year", r.next_year_purchases},
                                               {"CLV", r.values.clv}};
        const std::vector<double> bought_in_holdout(retained.begin(), retained.end());  // observed retention, 0 or 1
        if (!retained.empty()) measures.insert(measures.begin() + 1, {"bought in holdout", bought_in_holdout});
        r.score_correlations = score_correlations(*survey, measures);
        for (const auto& c : survey->columns)
            if (c.numeric && r.score_bands.size() < 4)
                detail::optional_analysis(r, "Value by " + c.name, [&] {
                    r.score_bands.push_back(value_by_score_band(*survey, c.name, r.values.clv, r.values.probability_alive));
                });
        detail::optional_analysis(r, "The regression of value on the scores",
                                  [&] { r.value_on_scores = regress_value_on_scores(*survey, r.values.clv); });
    }
    r.attributes = std::move(attributes);
    r.survey = std::move(survey);
    return r;
}

}  // namespace clv
