// `clv fit`: maximum-likelihood fit of a transaction model to a customer summary.
#pragma once

#include "checks.hpp"
#include "command_show.hpp"
#include "format.hpp"
#include "model_file.hpp"
#include "model_kinds.hpp"
#include "summary_input.hpp"

#include <CLI/CLI.hpp>

#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace clv_cli {

/// Thrown when a fit does not converge: the program prints the JSON anyway, then exits 2.
struct not_converged : std::runtime_error {
    using std::runtime_error::runtime_error;
};

inline void add_fit_command(CLI::App& app) {
    struct options {
        std::string model;
        summary_input input;
        unsigned threads = 1;
        double penalty = 0;
        std::string output;
        std::string time_unit;
        bool allow_unconverged = false;
        bool summary = false;
        bool exclude_nonpositive_spend = false;
    };
    auto opt = std::make_shared<options>();
    auto* cmd = app.add_subcommand("fit", "Fit a model by maximum likelihood and print the fit as JSON: a transaction "
                                          "model (BG/NBD, Pareto/NBD, MBG/NBD, BG/BB) or Gamma-Gamma to a customer "
                                          "summary, or the contractual sBG to cohort counts or tenure,churned customers");
    cmd->add_option("--model", opt->model, "bgnbd, pnbd, mbgnbd, bgbb (discrete time: T = n_periods), gg (spend: "
                                           "frequency, monetary_value) or sbg (contractual: period,active or tenure,churned)")
        ->required()
        ->check(CLI::IsMember(fittable_model_names()));
    add_summary_input_options(*cmd, opt->input);
    add_threads_option(*cmd, opt->threads);
    cmd->add_option("--penalty", opt->penalty,
                    "ridge penalty c on the log-parameters, c * sum(log(param / ref)^2), ref = 1 for shapes and "
                    "the mean T for time scales: unit-free; not lifetimes' penalizer_coef (coef * sum(param^2)); "
                    "default 0")
        ->check(non_negative_number());
    cmd->add_option("--output", opt->output,
                    "also write the JSON to this model file (read by clv predict); only for a converged fit unless "
                    "--allow-unconverged");
    cmd->add_option("--time-unit", opt->time_unit,
                    "time unit of the summary: day, week, month, year or a number of days; recorded in the model file");
    cmd->add_flag("--summary", opt->summary, "print a table to read (clv show) instead of the JSON");
    cmd->add_flag("--exclude-nonpositive-spend", opt->exclude_nonpositive_spend,
                  "gg: leave repeat buyers whose mean spend is 0 or negative ($0 orders, refunds) out of the fit and "
                  "count them (nonpositive_spend_excluded in the JSON); without it they are an error");
    cmd->add_flag("--allow-unconverged", opt->allow_unconverged,
                  "write the model file even when the fit did not converge (marked \"converged\": false)");

    cmd->callback([opt] {
        if (!opt->output.empty())
            clv::io::check_output_is_not_input(opt->output, std::vector<std::filesystem::path>{opt->input.path},
                                               "--output");
        std::optional<clv::time_unit> unit;
        if (!opt->time_unit.empty()) unit = clv::time_unit::parse(opt->time_unit, "--time-unit");
        clv::fit::fit_options fit_options;
        fit_options.penalty = opt->penalty;
        fit_options.threads = opt->threads;
        nlohmann::ordered_json result;
        if (opt->model == "sbg") {
            result = fit_retention_json(opt->input.path, fit_options);
        } else if (opt->model == "gg") {
            result = fit_spend_json(opt->input, fit_options,
                                    opt->exclude_nonpositive_spend ? clv::nonpositive_spend::exclude
                                                                   : clv::nonpositive_spend::error);
        } else {
            // Only the distinct (frequency, recency, T) rows are kept: read and compressed chunk by
            // chunk; when threads allow, a file's two halves on two threads (a stream's next chunk
            // parsed while this one is compressed).
            clv::io::summary_csv_reader reader = open_summary(opt->input);
            const clv::customer_table unique =
                clv::io::read_compressed_summary(reader, 65536, std::min(opt->threads, 2U));
            result = with_transaction_model(opt->model, [&]<class M>() {
                return fit_to_json(M::fit(unique.columns(), fit_options), unit ? unit->name : "", T_range_of(unique));
            });
        }
        const std::string text = result.dump(2);
        if (opt->summary) print_model_summary(std::cout, result, "fit");
        else std::cout << text << '\n';
        finish_standard_output();
        const bool converged = result["converged"].get<bool>();
        const bool write = !opt->output.empty() && (converged || opt->allow_unconverged);
        if (write) clv::io::write_file_atomically(opt->output, [&](std::ostream& out) { out << text << '\n'; });
        if (!converged) {
            const std::string status = result["status"].get<std::string>();
            std::string message = status.rfind("did not converge", 0) == 0 ? "the fit " + status
                                                                            : "the fit did not converge: " + status;
            if (write)
                message += "; " + opt->output + " was written marked \"converged\": false (--allow-unconverged)";
            else if (!opt->output.empty())
                message += "; no model file written (--allow-unconverged writes it, marked as not converged)";
            throw not_converged(message);
        }
    });
}

}  // namespace clv_cli
