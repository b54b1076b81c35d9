// `clv predict`: per-customer predictions of a fitted (or given) transaction model.
#pragma once

#include "format.hpp"
#include "checks.hpp"
#include "model_file.hpp"
#include "summary_input.hpp"

#include <CLI/CLI.hpp>

#include <deque>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace clv_cli {

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
    };
    auto opt = std::make_shared<options>();
    auto* cmd = app.add_subcommand("predict", "Predict each customer's expected transactions in the next HORIZON "
                                              "time units, probability alive, and optionally DERT");
    auto* file = cmd->add_option("--model-file", opt->model_file, "model file written by clv fit --output");
    auto* name = cmd->add_option("--model", opt->model, "model name (bgnbd, pnbd, mbgnbd) when giving --params")
                     ->check(CLI::IsMember({"bgnbd", "pnbd", "mbgnbd"}));
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
                    "time unit of the horizon and the summary; must match the model file's when it records one");
    cmd->add_flag("--alive-at-horizon", opt->alive_at_horizon,
                  "adds probability_alive_at_horizon: the probability of being alive at T + horizon");
    cmd->add_option("--pmf", opt->pmf,
                    "adds p_0 .. p_N: the probability of exactly n transactions in the horizon, given the history");
    cmd->add_option("--output", opt->output, "write the CSV here instead of stdout");

    cmd->callback([opt] {
        nlohmann::json params_json;
        std::string model_name = opt->model, source = "--params", unit = opt->time_unit;
        if (!opt->model_file.empty()) {
            const nlohmann::json model = read_json_file(opt->model_file);
            if (!model.contains("model") || !model["model"].is_string() || !model.contains("params"))
                throw clv::invalid_input("model", "", "not a clv model file (needs \"model\" and \"params\")",
                                         {opt->model_file});
            model_name = model["model"].get<std::string>();
            params_json = model["params"];
            source = opt->model_file;
            const std::string fitted_unit = model.value("time_unit", std::string("unspecified"));
            if (!unit.empty() && fitted_unit != "unspecified" && unit != fitted_unit)
                throw clv::invalid_input("--time-unit", unit, "the model was fitted on data in " + fitted_unit +
                                                              "s; give the horizon and the summary in that unit");
            if (unit.empty()) unit = fitted_unit;
        } else if (!opt->params.empty()) {
            params_json = parse_json(opt->params, "--params");
        } else {
            throw clv::invalid_input("", "", "give --model-file, or --model with --params");
        }
        if (!unit.empty() && unit != "unspecified")
            std::cerr << "clv: horizon " << format_number(opt->horizon) << " " << unit
                      << "(s); discount rate per " << unit << '\n';

        const clv::customer_table customers = read_summary(opt->input);
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

        std::ofstream file_out;
        if (!opt->output.empty()) {
            file_out.open(opt->output);
            if (!file_out) throw clv::invalid_input("--output", opt->output, "cannot write the file");
        }
        std::ostream& out = opt->output.empty() ? std::cout : file_out;
        out << "customer_id";
        for (const auto& column : columns) out << ',' << column.first;
        out << '\n';
        for (std::size_t c = 0; c < customers.size(); ++c) {
            const std::size_t i = compressed.row_of_customer[c];
            out << clv::io::csv_field(customers.ids[c]);
            for (const auto& column : columns) out << ',' << format_number(column.second[i]);
            out << '\n';
        }
        if (!out) throw clv::invalid_input("--output", opt->output, "writing the predictions failed");
    });
}

}  // namespace clv_cli
