// `clv predict`: per-customer predictions of a fitted (or given) transaction model.
#pragma once

#include "format.hpp"
#include "checks.hpp"
#include "model_file.hpp"
#include "model_kinds.hpp"
#include "summary_input.hpp"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <deque>
#include <filesystem>
#include <iostream>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace clv_cli {

/// The largest N of --pmf: N + 1 columns per customer (each a sum of up to N terms) must stay cheap.
inline constexpr unsigned max_pmf = 1000;

/// Warns on stderr when the summary's T (from `low` to `high`) does not overlap the fitted data's T
/// range: customers many times older or younger than any the model saw are the mark of a summary in
/// another time unit.
inline void warn_if_T_outside_fitted_range(double low, double high, const nlohmann::json& range) {
    if (!(low <= high) || !range.is_object() || !range.contains("min") || !range.contains("max") ||
        !range["min"].is_number() || !range["max"].is_number())
        return;
    const double fitted_min = range["min"].get<double>(), fitted_max = range["max"].get<double>();
    if (high > 2 * fitted_max || high < fitted_min / 2)
        std::cerr << "clv: warning: the summary's T runs from " << format_number(low) << " to "
                  << format_number(high) << " but the model was fitted to T from " << format_number(fitted_min)
                  << " to " << format_number(fitted_max)
                  << "; check that the summary is in the model's time unit\n";
}

inline void add_predict_command(CLI::App& app) {
    struct options {
        std::string model_file, model, params;
        summary_input input;
        stream_options stream;
        unsigned threads = 1;
        std::optional<double> horizon;
        std::optional<unsigned> periods;
        std::optional<double> discount_rate;
        std::string output;
        std::string time_unit;
        bool alive_at_horizon = false;
        std::optional<unsigned> pmf;
        bool allow_unconverged = false;
    };
    auto opt = std::make_shared<options>();
    auto* cmd = app.add_subcommand("predict", "Predict each customer's expected transactions in the next HORIZON "
                                              "time units, probability alive, and optionally DERT");
    auto* file = cmd->add_option("--model-file", opt->model_file, "model file written by clv fit --output");
    auto* name = cmd->add_option("--model", opt->model, "model name (bgnbd, pnbd, mbgnbd) when giving --params")
                     ->check(CLI::IsMember(transaction_model_names));
    auto* params = cmd->add_option("--params", opt->params,
                                   R"(parameters as JSON, e.g. '{"r":0.243,"alpha":4.414,"a":0.793,"b":2.426}')");
    file->excludes(name)->excludes(params);
    name->needs(params);
    params->needs(name);
    add_summary_input_options(*cmd, opt->input);
    cmd->get_option("--input")->required(false);
    add_stream_options(*cmd, opt->input, opt->stream);
    add_threads_option(*cmd, opt->threads);
    cmd->add_option("--horizon", opt->horizon, "prediction horizon, in the time unit of the model's data (BG/BB: "
                                               "whole opportunities); needed for transaction models")
        ->check(non_negative_number());
    cmd->add_option("--periods", opt->periods, "sBG model: print survival, retention and churn for periods 0..K "
                                               "(no --input)")
        ->check(whole_number_at_most(100000));
    cmd->add_option("--discount-rate", opt->discount_rate,
                    "continuous discount rate per time unit; adds the dert column (discounted expected residual "
                    "transactions)")->check(non_negative_number());
    cmd->add_option("--time-unit", opt->time_unit,
                    "time unit of the horizon and the summary (day, week, month, year or a number of days); must "
                    "be the model file's unit when it records one");
    cmd->add_flag("--alive-at-horizon", opt->alive_at_horizon,
                  "adds probability_alive_at_horizon: the probability of being alive at T + horizon");
    cmd->add_option("--pmf", opt->pmf,
                    "adds p_0 .. p_N (N at most " + std::to_string(max_pmf) +
                        "): the probability of exactly n transactions in the horizon, given the history")
        ->check(whole_number_at_most(max_pmf));
    cmd->add_option("--output", opt->output, "write the CSV here instead of stdout (never over an input)");
    cmd->add_flag("--allow-unconverged", opt->allow_unconverged,
                  "use a model file whose fit did not converge (refused otherwise)");

    cmd->callback([opt] {
        if (!opt->output.empty())
            clv::io::check_output_is_not_input(
                opt->output, std::vector<std::filesystem::path>{opt->input.path, opt->model_file}, "--output");
        nlohmann::json params_json, model_json;
        std::string model_name = opt->model, source = "--params";
        std::optional<clv::time_unit> unit, fitted_unit;
        if (!opt->time_unit.empty()) unit = clv::time_unit::parse(opt->time_unit, "--time-unit");
        if (!opt->model_file.empty()) {
            model_json = load_model_file(opt->model_file, opt->allow_unconverged);
            model_name = model_json["model"].get<std::string>();
            params_json = model_json["params"];
            source = opt->model_file;
            fitted_unit = model_time_unit(model_json, opt->model_file);
            if (unit && fitted_unit && !unit->same_length(*fitted_unit))
                throw clv::invalid_input("--time-unit", opt->time_unit,
                                         "the model was fitted on data in units of " + fitted_unit->describe() +
                                             ", not " + unit->describe() +
                                             ": give the summary and the horizon in the model's unit");
            if (!unit) unit = fitted_unit;
        } else if (!opt->params.empty()) {
            params_json = parse_json(opt->params, "--params");
        } else {
            throw clv::invalid_input("", "", "give --model-file, or --model with --params");
        }

        if (model_name == "sbg") {
            if (!opt->periods) throw clv::invalid_input("--periods", "", "an sBG model predicts per period: give --periods K");
            return predict_retention(model_json.empty() ? nlohmann::json{{"params", params_json}} : model_json, source,
                                     *opt->periods, opt->output);
        }
        if (opt->input.path.empty()) throw clv::invalid_input("--input", "", "give the customer summary with --input");
        if (model_name == "gg")
            return predict_spend(model_json.empty() ? nlohmann::json{{"params", params_json}} : model_json, source,
                                 opt->input, opt->stream, opt->output);
        if (!opt->horizon) throw clv::invalid_input("--horizon", "", "a transaction model needs --horizon");
        clv::prediction_options prediction;
        prediction.horizon = *opt->horizon;
        prediction.discount_rate = opt->discount_rate;
        prediction.alive_at_horizon = opt->alive_at_horizon;
        prediction.pmf = opt->pmf;
        prediction.threads = opt->threads;
        double T_low = std::numeric_limits<double>::infinity(), T_high = -T_low;
        with_transaction_model(model_name, [&]<class M>() {
            const M model(params_from_json<M>(params_json, source));
            // Each customer's predictions depend on that customer alone: chunks give the bits of one pass.
            auto score = [&](const clv::customer_table& chunk, const std::vector<std::string>&, bool header,
                             std::string& text) {
                const clv::customer_predictions predictions = clv::predict_customers(chunk, model, prediction);
                if (header) {
                    text += "customer_id";
                    for (const auto& name : predictions.names) text.append(",").append(name);
                    text += '\n';
                }
                const auto [low, high] = std::minmax_element(chunk.T.begin(), chunk.T.end());
                T_low = std::min(T_low, *low);
                T_high = std::max(T_high, *high);
                for (std::size_t c = 0; c < chunk.size(); ++c) {
                    text += clv::io::csv_field(chunk.ids[c]);
                    for (const auto& column : predictions.columns) {
                        text += ',';
                        append_formatted(text, column[c]);
                    }
                    text += '\n';
                }
            };
            stream_summary(opt->input, opt->stream, opt->output, false, score);
            return 0;
        });
        if (model_json.contains("T_range")) warn_if_T_outside_fitted_range(T_low, T_high, model_json["T_range"]);
        // After the output, so that an error is the only line on stderr.
        if (unit)
            std::cerr << "clv: time unit " << unit->describe() << ": horizon " << format_number(*opt->horizon)
                      << " units, discount rate per unit\n";
    });
}

}  // namespace clv_cli
