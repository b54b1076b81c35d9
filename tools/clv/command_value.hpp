// `clv value`: what each customer is worth, composed from a fitted purchase model, a spend part and
// discounting (clv::value_customers); or, for a contractual business, from a fitted sBG retention
// model and a margin per period (DEL / DERL).
#pragma once

#include "checks.hpp"
#include "format.hpp"
#include "model_file.hpp"
#include "summary_input.hpp"

#include <clv/io/csv_reader.hpp>
#include <clv/io/output_file.hpp>
#include <clv/io/contractual_csv.hpp>
#include <clv/models/gamma_gamma.hpp>
#include <clv/models/shifted_beta_geometric.hpp>
#include <clv/value/scoring.hpp>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <iostream>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace clv_cli {

namespace value_detail {

struct options {
    std::string transaction_model, spend_model, retention_model, output;
    summary_input input;
    stream_options stream;
    unsigned threads = 1;
    std::optional<double> horizon, discount_rate, annual_discount_rate, order_value, margin_per_period, renewals;
    double margin = 1.0;
    double intervals = 0;
    int draws = 200;
    bool own_spend = false, keep_input_columns = false, allow_unconverged = false, json = false;
    std::string time_unit;
};

/// The covariance a model file records (null when the fit gave none).
inline Eigen::MatrixXd covariance_of(const nlohmann::json& model, std::size_t k, const std::string& path) {
    const auto it = model.find("covariance");
    if (it == model.end() || it->is_null()) return {};
    Eigen::MatrixXd c(static_cast<Eigen::Index>(k), static_cast<Eigen::Index>(k));
    if (!it->is_array() || it->size() != k)
        throw clv::invalid_input("covariance", it->dump().substr(0, 60), "must be a " + std::to_string(k) + "x" +
                                 std::to_string(k) + " array of numbers", {path});
    for (std::size_t i = 0; i < k; ++i) {
        const auto& row = (*it)[i];
        if (!row.is_array() || row.size() != k) throw clv::invalid_input("covariance", row.dump(), "row of wrong length", {path});
        for (std::size_t j = 0; j < k; ++j) {
            if (!row[j].is_number()) return {};  // a null entry: no usable covariance
            c(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) = row[j].get<double>();
        }
    }
    return c;
}

/// Loads a model file and checks it holds a model of the role it is given (`kinds`).
inline nlohmann::json load_for_role(const std::string& path, const std::string& option,
                                    const std::vector<std::string>& kinds, bool allow_unconverged) {
    nlohmann::json model = load_model_file(path, allow_unconverged);
    const std::string kind = model["model"].get<std::string>();
    if (std::find(kinds.begin(), kinds.end(), kind) == kinds.end()) {
        std::string list;
        for (const auto& k : kinds) list += (list.empty() ? "" : ", ") + k;
        throw clv::invalid_input(option, kind, "the model file holds a '" + kind + "' model; " + option +
                                 " takes " + list, {path});
    }
    return model;
}

/// The continuous discount rate per time unit of the model: --discount-rate as given, or
/// --annual-discount-rate converted with the model file's time unit (or --time-unit).
inline double discount_rate(const options& o, const nlohmann::json& model, const std::string& path) {
    if (o.discount_rate) return *o.discount_rate;
    if (!o.annual_discount_rate) return 0;
    std::optional<clv::time_unit> unit = model_time_unit(model, path);
    if (!o.time_unit.empty()) {
        const clv::time_unit given = clv::time_unit::parse(o.time_unit, "--time-unit");
        if (unit && !unit->same_length(given))
            throw clv::invalid_input("--time-unit", o.time_unit, "the model was fitted on data in " + unit->describe() +
                                     " units; give the summary and the horizon in that unit");
        unit = given;
    }
    if (!unit)
        throw clv::invalid_input("--annual-discount-rate", clv::to_message_string(*o.annual_discount_rate),
                                 "the model file records no time unit to convert an annual rate to: give --time-unit "
                                 "(or refit with clv fit --time-unit)", {path});
    return clv::continuous_rate_from_annual(*o.annual_discount_rate, unit->days);
}

/// The repeat buyers' weighted mean spend (`--own-spend`: the spend of customers without repeat
/// purchases): a first pass over the summary file, one chunk at a time.
inline double repeat_buyers_mean_spend(const options& o) {
    if (o.input.path == "-")
        throw clv::invalid_input("--own-spend", "", "the repeat buyers' mean spend needs the whole summary before "
                                 "the first value: give the summary as a file, not standard input (or give that "
                                 "mean as --order-value)");
    clv::io::summary_csv_reader reader = open_summary(o.input);
    clv::customer_table chunk;
    double total = 0, weight = 0;
    while (reader.next(chunk, o.stream.chunk_rows))
        for (std::size_t c = 0; c < chunk.size(); ++c)
            if (chunk.frequency[c] > 0) {
                total += chunk.row(c).weight * chunk.monetary_value[c];
                weight += chunk.row(c).weight;
            }
    if (!(weight > 0))
        throw clv::invalid_input("--own-spend", "", "no customer has repeat purchases to take a mean spend from",
                                 {reader.source()});
    return total / weight;
}

/// Values the summary chunk by chunk (`stream_summary`) and writes one line per customer; the total
/// (and, when the summary was one chunk, its interval) on stderr.
template <class Model, class Spend>
void write_customer_values(const options& o, const clv::model_purchases<Model>& purchases, const Spend& spend,
                           const clv::valuation_options& valuation, bool needs_spend_column) {
    double total = 0, total_lower = 0, total_upper = 0;
    std::size_t customers = 0, chunks = 0;
    const bool intervals = valuation.interval_level > 0, horizon = std::isfinite(valuation.discount.horizon);
    std::vector<std::string> carried_names;
    auto opened = [&](const clv::io::summary_csv_reader& reader) {
        const auto& columns = reader.columns();
        const std::string& monetary = o.input.columns.monetary_value_column;
        if (needs_spend_column && !columns.empty() && !monetary.empty() &&
            std::find(columns.begin(), columns.end(), monetary) == columns.end())
            throw clv::invalid_input("monetary_value", "", "the spend part needs each customer's mean repeat-purchase "
                                     "value: the summary has no '" + monetary +
                                     "' column (clv summarize --amount-col writes it)", {reader.source()});
        carried_names = reader.carried_columns();
    };
    // Each customer's value depends on that customer alone (and, for intervals, on the seeded
    // parameter draws, the same in every chunk): chunks give the bits of one pass.
    auto score = [&](const clv::customer_table& chunk, const std::vector<std::string>& carried, bool header,
                     std::string& text) {
        const clv::customer_values values = clv::value_customers(chunk, purchases, spend, valuation);
        // Nothing non-finite is printed with exit 0: checked before the chunk's first line is written.
        for (const auto* column : {&values.expected_transactions, &values.discounted_transactions,
                                   &values.probability_alive, &values.expected_spend, &values.clv, &values.clv_lower,
                                   &values.clv_upper})
            for (const double v : *column) require_finite(v, "clv value");
        if (header) {
            text += "customer_id";
            if (horizon) text += ",expected_transactions";
            text += ",discounted_transactions,probability_alive,expected_spend,clv";
            if (intervals) text += ",clv_lower,clv_upper";
            if (o.keep_input_columns)
                for (const auto& name : carried_names) text.append(",").append(clv::io::csv_field(name));
            text += '\n';
        }
        const std::size_t kept = carried_names.size();
        for (std::size_t c = 0; c < chunk.size(); ++c) {
            text += clv::io::csv_field(chunk.ids[c]);
            for (const auto* column : {&values.expected_transactions, &values.discounted_transactions,
                                       &values.probability_alive, &values.expected_spend, &values.clv,
                                       &values.clv_lower, &values.clv_upper})
                if (!column->empty()) {
                    text += ',';
                    append_formatted(text, (*column)[c]);
                }
            if (o.keep_input_columns)
                for (std::size_t k = 0; k < kept; ++k) text.append(",").append(clv::io::csv_field(carried[c * kept + k]));
            text += '\n';
        }
        for (std::size_t c = 0; c < chunk.size(); ++c) total += values.clv[c] * chunk.row(c).weight;  // as one pass adds
        total_lower = values.total_lower;
        total_upper = values.total_upper;
        customers += chunk.size();
        ++chunks;
    };
    stream_summary(o.input, o.stream, o.output, o.keep_input_columns, opened, score);
    std::cerr << "clv: " << customers << " customers, total value " << format_number(total);
    if (intervals && chunks == 1)
        std::cerr << " (" << format_number(o.intervals * 100) << " % interval " << format_number(total_lower) << " .. "
                  << format_number(total_upper) << ")";
    else if (intervals)
        std::cerr << " (the interval of the total needs the whole summary in one chunk: --chunk-rows " << customers
                  << ")";
    std::cerr << '\n';
}

inline void run_transactional(const options& o) {
    if (o.input.path.empty()) throw clv::invalid_input("--input", "", "--transaction-model needs --input SUMMARY.csv");
    const int spend_choices = !o.spend_model.empty() + o.order_value.has_value() + o.own_spend;
    if (spend_choices != 1)
        throw clv::invalid_input("--spend-model", "", "give exactly one spend part: --spend-model GG.json, "
                                                      "--order-value V or --own-spend");
    if (o.discount_rate && o.annual_discount_rate)
        throw clv::invalid_input("--annual-discount-rate", "", "give --discount-rate or --annual-discount-rate, not both");
    std::vector<std::filesystem::path> inputs{o.input.path, o.transaction_model};
    if (!o.spend_model.empty()) inputs.emplace_back(o.spend_model);
    if (!o.output.empty()) clv::io::check_output_is_not_input(o.output, inputs);

    const nlohmann::json purchase_file =
        load_for_role(o.transaction_model, "--transaction-model", transaction_model_names, o.allow_unconverged);
    clv::valuation_options valuation;
    valuation.discount.rate = discount_rate(o, purchase_file, o.transaction_model);
    valuation.discount.horizon = o.horizon ? *o.horizon : std::numeric_limits<double>::infinity();
    valuation.gross_margin = o.margin;
    valuation.interval_level = o.intervals;
    valuation.draws = o.draws;
    valuation.threads = o.threads;
    const bool needs_spend_column = !o.spend_model.empty() || o.own_spend;

    with_transaction_model(purchase_file["model"].get<std::string>(), [&]<class M>() {
        const std::size_t k = M::parameter_count;
        clv::model_purchases<M> purchases{M(params_from_json<M>(purchase_file["params"], o.transaction_model)), 1.0,
                                          covariance_of(purchase_file, k, o.transaction_model)};
        if (o.intervals > 0 && purchases.covariance.size() == 0)
            throw clv::invalid_input("--intervals", format_number(o.intervals),
                                     "the transaction model file has no covariance (its fit gave no standard errors)",
                                     {o.transaction_model});
        if (!o.spend_model.empty()) {
            using spend_model = clv::gamma_gamma<double>;
            const nlohmann::json spend_file = load_for_role(o.spend_model, "--spend-model", {"gg"}, o.allow_unconverged);
            clv::model_spend<spend_model> spend{
                spend_model(params_from_json<spend_model>(spend_file["params"], o.spend_model)),
                covariance_of(spend_file, spend_model::parameter_count, o.spend_model)};
            write_customer_values(o, purchases, spend, valuation, needs_spend_column);
        } else if (o.order_value) {
            write_customer_values(o, purchases, clv::constant_spend(*o.order_value), valuation, needs_spend_column);
        } else {
            // Customers without repeat purchases get the mean order value of the repeat buyers.
            write_customer_values(o, purchases, clv::own_mean_spend(repeat_buyers_mean_spend(o)), valuation,
                                  needs_spend_column);
        }
        return 0;
    });
}


/// Contractual value from a fitted sBG model: margin per period x DEL (a new customer, FH 2010 eq. 4)
/// or x DERL (a customer who has renewed n times, FH 2010 eq. 6) at a discount rate per period;
/// with --input (tenure,churned customers) one value per customer, cancelled customers 0.
inline void run_contractual(const options& o) {
    if (!o.margin_per_period)
        throw clv::invalid_input("--margin-per-period", "", "--retention-model needs --margin-per-period");
    if (o.annual_discount_rate || o.horizon || !o.spend_model.empty() || o.order_value || o.own_spend)
        throw clv::invalid_input("--retention-model", "", "the contractual value takes --margin-per-period, "
                                 "--discount-rate (per period) and --renewals or --input; not the transactional options");
    using model_type = clv::shifted_beta_geometric<double>;
    const nlohmann::json file = load_for_role(o.retention_model, "--retention-model", {"sbg"}, o.allow_unconverged);
    const model_type model(params_from_json<model_type>(file["params"], o.retention_model));
    const double d = o.discount_rate.value_or(0.0);
    const clv::model_retention<model_type> retention{model, o.renewals.value_or(0.0)};
    const clv::discounting discount{d, clv::margin_timing::start, 0};
    const clv::constant_spend margin(*o.margin_per_period);
    const clv::constant_rate one_payment_per_period(1.0);
    if (!o.input.path.empty()) {
        if (o.renewals) throw clv::invalid_input("--renewals", "", "with --input each customer's tenure gives the renewals");
        if (!o.output.empty()) clv::io::check_output_is_not_input(o.output, std::vector<std::filesystem::path>{o.input.path, o.retention_model});
        const clv::io::contractual_data data = clv::io::read_contractual_csv(o.input.path);
        if (data.form != clv::io::contractual_form::customers)
            throw clv::invalid_input("--input", o.input.path, "per-customer values need one row per customer "
                                     "(tenure,churned), not cohort counts", {o.input.path});
        auto write = [&](std::ostream& out) {
            out << "customer_id,tenure,churned,derl,clv\n";
            for (std::size_t c = 0; c < data.table.size(); ++c) {
                const clv::contractual_row row = data.table.row(c);
                const double value = clv::customer_value(row, margin, one_payment_per_period, retention, discount);
                out << clv::io::csv_field(data.table.ids[c].empty() ? std::to_string(c + 1) : data.table.ids[c]) << ','
                    << format_number(row.tenure) << ',' << (row.churned ? 1 : 0) << ','
                    << format_number(value / *o.margin_per_period) << ',' << format_number(value) << '\n';
            }
        };
        if (o.output.empty()) write(std::cout);
        else clv::io::write_file_atomically(o.output, write);
        return;
    }
    nlohmann::ordered_json out{{"model", "sbg"}, {"margin_per_period", *o.margin_per_period}, {"discount_rate", d}};
    double value;
    if (o.renewals) {
        value = clv::customer_value(clv::no_record{}, margin, one_payment_per_period, retention, discount);
        out["renewals"] = *o.renewals;
        out["derl"] = value / *o.margin_per_period;
    } else {
        value = *o.margin_per_period * model.discounted_expected_lifetime(d);
        out["del"] = value / *o.margin_per_period;
    }
    out["value"] = require_finite(value, "clv value");
    if (o.json) std::cout << out.dump(2) << '\n';
    else std::cout << format_number(value) << '\n';
}

}  // namespace value_detail

inline void add_value_command(CLI::App& app) {
    auto opt = std::make_shared<value_detail::options>();
    auto* cmd = app.add_subcommand(
        "value", "What each customer is worth: expected purchases (a fitted transaction model) x expected spend "
                 "(Gamma-Gamma, a constant, or the customer's own mean) x margin, discounted; or a contractual "
                 "value from a fitted sBG model");
    cmd->add_option("--transaction-model", opt->transaction_model, "model file of a transaction model (clv fit --output)");
    cmd->add_option("--spend-model", opt->spend_model, "model file of a Gamma-Gamma spend model (clv fit --model gg)");
    cmd->add_option("--order-value", opt->order_value, "constant spend per purchase instead of a spend model")
        ->check(non_negative_number());
    cmd->add_flag("--own-spend", opt->own_spend, "each customer's own mean repeat-purchase value (customers without "
                                                 "repeat purchases: the repeat buyers' mean)");
    add_summary_input_options(*cmd, opt->input);
    cmd->get_option("--input")->required(false);
    add_stream_options(*cmd, opt->input, opt->stream);
    add_threads_option(*cmd, opt->threads);
    cmd->add_option("--monetary-col", opt->input.columns.monetary_value_column,
                    "mean repeat-purchase value column (default monetary_value)");
    cmd->add_option("--horizon", opt->horizon, "value purchases in the next HORIZON time units (default: the whole "
                                               "lifetime, which needs a discount rate)")
        ->check(non_negative_number());
    auto* rate = cmd->add_option("--discount-rate", opt->discount_rate,
                                 "continuous discount rate per time unit of the model (sBG: per period)")
                     ->check(non_negative_number());
    cmd->add_option("--annual-discount-rate", opt->annual_discount_rate,
                    "annual discount rate, e.g. 0.15; converted to the model's time unit as ln(1 + A) x days / 365.25")
        ->check(non_negative_number())->excludes(rate);
    cmd->add_option("--margin", opt->margin, "gross margin in [0, 1] applied to spend (default 1)")
        ->check(non_negative_number());
    cmd->add_option("--intervals", opt->intervals, "add clv_lower, clv_upper: an equal-tailed interval at this level "
                                                   "(e.g. 0.9) from parameter draws")
        ->check(CLI::Range(0.0, 0.999999));
    cmd->add_option("--draws", opt->draws, "parameter draws for --intervals (default 200)")->check(CLI::Range(20, 100000));
    cmd->add_flag("--keep-input-columns", opt->keep_input_columns, "append the input summary's columns to the output");
    cmd->add_option("--time-unit", opt->time_unit, "time unit of the summary and horizon, when the model file records none");
    cmd->add_option("--output", opt->output, "write the CSV here instead of standard output");
    cmd->add_flag("--allow-unconverged", opt->allow_unconverged, "use model files whose fit did not converge");
    cmd->add_option("--retention-model", opt->retention_model, "model file of an sBG retention model (contractual value)");
    cmd->add_option("--margin-per-period", opt->margin_per_period, "contractual: margin per customer and period")
        ->check(non_negative_number());
    cmd->add_option("--renewals", opt->renewals, "contractual: value a customer who has renewed this many times (DERL); "
                                                 "default: a new customer (DEL)")
        ->check(non_negative_number());
    cmd->add_flag("--json", opt->json, "contractual: print a JSON object instead of a bare number");
    cmd->callback([opt] {
        if (!opt->transaction_model.empty() && !opt->retention_model.empty())
            throw clv::invalid_input("--retention-model", "", "give --transaction-model or --retention-model, not both");
        if (!opt->transaction_model.empty()) return value_detail::run_transactional(*opt);
        if (!opt->retention_model.empty()) return value_detail::run_contractual(*opt);
        throw clv::invalid_input("--transaction-model", "", "give --transaction-model (with --spend-model and --input) "
                                                            "or --retention-model (with --margin-per-period)");
    });
}

}  // namespace clv_cli
