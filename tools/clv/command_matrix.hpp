// `clv matrix`: the frequency x recency grid of P(alive) or of the conditional expected transactions,
// as CSV (rows: frequency; columns: recency).
#pragma once

#include "checks.hpp"
#include "diagnostics_input.hpp"
#include "format.hpp"

#include <clv/analysis/matrix.hpp>

#include <CLI/CLI.hpp>

#include <cmath>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <string>

namespace clv_cli {

inline void add_matrix_command(CLI::App& app) {
    struct options {
        model_file_option model;
        std::string quantity;
        double T = 0;
        std::optional<double> horizon;
        std::size_t max_frequency = 20;
        double recency_step = 1;
        std::string output;
    };
    auto opt = std::make_shared<options>();
    auto* cmd = app.add_subcommand(
        "matrix", "Frequency x recency grid of P(alive) or expected transactions for customers of age T, as CSV: one "
                  "row per frequency, one column per recency (empty where no customer can be)");
    add_model_file_options(*cmd, opt->model);
    cmd->add_option("--quantity", opt->quantity, "probability_alive or expected_transactions")->required()
        ->check(CLI::IsMember({"probability_alive", "expected_transactions"}));
    cmd->add_option("--T", opt->T, "customer age T (time since first purchase), in the model's time unit")->required()
        ->check(non_negative_number());
    cmd->add_option("--horizon", opt->horizon, "prediction horizon for expected_transactions, in the model's time unit")
        ->check(non_negative_number());
    cmd->add_option("--max-frequency", opt->max_frequency, "largest frequency row (default 20)")->check(CLI::Range(1, 1000));
    cmd->add_option("--recency-step", opt->recency_step, "spacing of the recency columns (default 1; T is always the last)")
        ->check(non_negative_number());
    cmd->add_option("--output", opt->output, "write the CSV here instead of standard output");
    cmd->callback([opt] {
        const auto quantity = clv::parse_matrix_quantity(opt->quantity);
        if (quantity == clv::matrix_quantity::expected_transactions && !opt->horizon)
            throw clv::invalid_input("--horizon", "", "expected_transactions needs --horizon (the prediction period)");
        const nlohmann::json model = read_transaction_model(opt->model, "matrix");
        const auto grid = with_transaction_model(model["model"].get<std::string>(), [&]<class M>() {
            const M fitted(params_from_json<M>(model["params"], opt->model.path));
            return clv::make_frequency_recency_matrix(fitted, quantity, opt->T, opt->horizon.value_or(0),
                                                      opt->max_frequency, opt->recency_step);
        });
        std::ofstream file;
        if (!opt->output.empty()) {
            file.open(opt->output);
            if (!file) throw clv::invalid_input("--output", opt->output, "cannot write the file");
        }
        std::ostream& out = opt->output.empty() ? std::cout : file;
        out << "frequency";
        for (const double r : grid.recencies) out << ",recency_" << format_number(r);
        out << '\n';
        for (std::size_t f = 0; f < grid.frequencies.size(); ++f) {
            out << format_number(grid.frequencies[f]);
            for (const double v : grid.values[f]) out << ',' << (std::isnan(v) ? std::string() : format_number(v));
            out << '\n';
        }
        out.flush();
        if (!out) throw clv::invalid_input("--output", opt->output, "writing the matrix failed");
    });
}

}  // namespace clv_cli
