// `clv fit`: maximum-likelihood fit of a transaction model to a customer summary.
#pragma once

#include "checks.hpp"
#include "model_file.hpp"
#include "summary_input.hpp"

#include <CLI/CLI.hpp>

#include <fstream>
#include <iostream>
#include <memory>
#include <string>

namespace clv_cli {

/// Thrown when a fit does not converge: the program prints the JSON anyway, then exits 2.
struct not_converged : std::runtime_error {
    using std::runtime_error::runtime_error;
};

inline void add_fit_command(CLI::App& app) {
    struct options {
        std::string model;
        summary_input input;
        double penalty = 0;
        std::string output;
        std::string time_unit = "unspecified";
    };
    auto opt = std::make_shared<options>();
    auto* cmd = app.add_subcommand("fit", "Fit a transaction model (BG/NBD, Pareto/NBD, MBG/NBD) by maximum "
                                          "likelihood to a customer summary; prints the fit as JSON");
    cmd->add_option("--model", opt->model, "bgnbd, pnbd or mbgnbd")->required()
        ->check(CLI::IsMember({"bgnbd", "pnbd", "mbgnbd"}));
    add_summary_input_options(*cmd, opt->input);
    cmd->add_option("--penalty", opt->penalty, "L2 penalty on the log-parameters (lifetimes' penalizer_coef); default 0")
        ->check(non_negative_number());
    cmd->add_option("--output", opt->output, "also write the JSON to this model file (read by clv predict)");
    cmd->add_option("--time-unit", opt->time_unit,
                    "time unit of the summary (day, week, month, ...); recorded in the model file");

    cmd->callback([opt] {
        const clv::customer_table customers = read_summary(opt->input);
        const clv::compressed_table compressed = clv::compress(customers);
        clv::fit::fit_options fit_options;
        fit_options.penalty = opt->penalty;
        const nlohmann::ordered_json result = with_transaction_model(opt->model, [&]<class M>() {
            return fit_to_json(M::fit(compressed.unique.columns(), fit_options), opt->time_unit);
        });
        const std::string text = result.dump(2);
        std::cout << text << '\n';
        if (!opt->output.empty()) {
            std::ofstream out(opt->output);
            if (!(out << text << '\n')) throw clv::invalid_input("--output", opt->output, "cannot write the model file");
        }
        if (!result["converged"].get<bool>())
            throw not_converged("the fit did not converge: " + result["status"].get<std::string>());
    });
}

}  // namespace clv_cli
