// `clv predict`: per-customer predictions of a fitted (or given) transaction model.
#pragma once

#include "format.hpp"
#include "checks.hpp"
#include "model_file.hpp"
#include "summary_input.hpp"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <deque>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace clv_cli {

/// The largest N of --pmf: N + 1 columns per customer (each a sum of up to N terms) must stay cheap.
inline constexpr unsigned max_pmf = 1000;

/// Warns on stderr when the summary's T does not overlap the fitted data's T range: customers many
/// times older or younger than any the model saw are the mark of a summary in another time unit.
inline void warn_if_T_outside_fitted_range(const clv::customer_table& customers, const nlohmann::json& range) {
    if (customers.T.empty() || !range.is_object() || !range.contains("min") || !range.contains("max") ||
        !range["min"].is_number() || !range["max"].is_number())
        return;
    const double fitted_min = range["min"].get<double>(), fitted_max = range["max"].get<double>();
    const auto [low, high] = std::minmax_element(customers.T.begin(), customers.T.end());
    if (*high > 2 * fitted_max || *high < fitted_min / 2)
        std::cerr << "clv: warning: the summary's T runs from " << format_number(*low) << " to "
                  << format_number(*high) << " but the model was fitted to T from " << format_number(fitted_min)
                  << " to " << format_number(fitted_max)
                  << "; check that the summary is in the model's time unit\n";
}

inline void add_predict_command(CLI::App& app) {
    struct options {
        std::string model_file, model, params;
        summary_input input;
        double horizon = 0;
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
    cmd->add_option("--horizon", opt->horizon, "prediction horizon, in the time unit of the model's data")->required()
        ->check(non_negative_number());
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

        const clv::customer_table customers = read_summary(opt->input);
        if (model_json.contains("T_range")) warn_if_T_outside_fitted_range(customers, model_json["T_range"]);
        const clv::compressed_table compressed = clv::compress(customers);
        const auto& rows = compressed.unique;
        // Output columns, each computed per unique (frequency, recency, T) row. A deque: adding a
        // column must not move the ones already filled (references to them are kept).
        std::deque<std::pair<std::string, std::vector<double>>> columns;
        auto add_column = [&](std::string column_name) -> std::vector<double>& {
            return columns.emplace_back(std::move(column_name), std::vector<double>(rows.size())).second;
        };
        with_transaction_model(model_name, [&]<class M>() {
            const M model(params_from_json<M>(params_json, source));
            const double horizon = opt->horizon;
            auto& expected = add_column("expected_transactions");
            auto& alive = add_column("probability_alive");
            for (std::size_t i = 0; i < rows.size(); ++i) {
                expected[i] = model.conditional_expected_transactions(horizon, rows.frequency[i], rows.recency[i], rows.T[i]);
                alive[i] = model.probability_alive(rows.frequency[i], rows.recency[i], rows.T[i]);
            }
            if (opt->discount_rate) {
                // DERT = P(alive) x DERT-if-alive, and the latter depends on (x, T) only: computed
                // once per distinct pair (it takes a numerical integral).
                auto& dert = add_column("dert");
                std::map<std::pair<double, double>, double> dert_if_alive;
                for (std::size_t i = 0; i < rows.size(); ++i) {
                    auto [it, inserted] = dert_if_alive.try_emplace({rows.frequency[i], rows.T[i]}, 0.0);
                    if (inserted) it->second = model.dert_if_alive(*opt->discount_rate, rows.frequency[i], rows.T[i]);
                    dert[i] = alive[i] * it->second;
                }
            }
            if (opt->alive_at_horizon) {
                auto& later = add_column("probability_alive_at_horizon");
                for (std::size_t i = 0; i < rows.size(); ++i)
                    later[i] = model.probability_alive_at(horizon, rows.frequency[i], rows.recency[i], rows.T[i]);
            }
            if (opt->pmf) {
                for (unsigned n = 0; n <= *opt->pmf; ++n) {
                    auto& p = add_column("p_" + std::to_string(n));
                    for (std::size_t i = 0; i < rows.size(); ++i)
                        p[i] = model.conditional_probability_of_n(n, horizon, rows.frequency[i], rows.recency[i], rows.T[i]);
                }
            }
            return 0;
        });

        const auto write_csv = [&](std::ostream& out) {
            out << "customer_id";
            for (const auto& column : columns) out << ',' << column.first;
            out << '\n';
            for (std::size_t c = 0; c < customers.size(); ++c) {
                const std::size_t i = compressed.row_of_customer[c];
                out << clv::io::csv_field(customers.ids[c]);
                for (const auto& column : columns) out << ',' << format_number(column.second[i]);
                out << '\n';
            }
        };
        if (opt->output.empty()) {
            write_csv(std::cout);
            std::cout.flush();
            if (!std::cout) throw clv::invalid_input("", "", "cannot write the predictions", {"standard output"});
        } else {
            clv::io::write_file_atomically(opt->output, write_csv);
        }
        // After the output, so that an error is the only line on stderr.
        if (unit)
            std::cerr << "clv: time unit " << unit->describe() << ": horizon " << format_number(opt->horizon)
                      << " units, discount rate per unit\n";
    });
}

}  // namespace clv_cli
