// `clv report`: the whole analysis of a transaction log (clv::build_customer_report) written as one
// self-contained HTML page (clv::io::write_customer_report). Progress goes to stderr on a terminal.
#pragma once

#include "checks.hpp"
#include "command_summarize.hpp"

#include <clv/analysis/customer_report.hpp>
#include <clv/io/customer_report_html.hpp>
#include <clv/io/output_file.hpp>

#include <CLI/CLI.hpp>

#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace clv_cli {

namespace report_detail {

struct arguments {
    summarize_detail::arguments log;  // the log options of clv summarize
    std::string attributes, survey, product_column, model, contractual, contract_period = "year";
    double margin = 1;
    std::optional<double> discount_rate, annual_discount_rate, margin_per_period;
};

inline void run(const arguments& a) {
    const clv::source_location command_line{"command line"};
    clv::customer_report_settings s;
    s.transactions = a.log.input;
    s.log.customer_column = a.log.customer_column;
    s.log.date_column = a.log.date_column;
    s.log.amount_column = a.log.amount_column;
    s.log.date_format = a.log.date_format;
    s.log.csv.whitespace = a.log.whitespace;
    s.log.csv.delimiter = summarize_detail::parse_delimiter(a.log.delimiter);
    s.log.csv.header = !a.log.no_header;
    s.log.summary.unit_days = clv::parse_time_unit(a.log.time_unit);
    if (!a.log.observation_end.empty())
        s.log.summary.observation_end = clv::io::parse_iso_date(a.log.observation_end, "--observation-end", command_line);
    if (!a.log.calibration_end.empty())
        s.log.summary.calibration_end = clv::io::parse_iso_date(a.log.calibration_end, "--calibration-end", command_line);
    s.attributes = a.attributes;
    s.survey = a.survey;
    s.product_column = a.product_column;
    s.gross_margin = a.margin;
    s.discount_rate = a.discount_rate;
    if (a.annual_discount_rate) s.annual_discount_rate = *a.annual_discount_rate;
    s.model = a.model;
    s.contractual = a.contractual;
    s.contract_period = clv::time_unit::parse(a.contract_period, "--contract-period");
    s.margin_per_period = a.margin_per_period;
    std::vector<std::filesystem::path> inputs{a.log.input};
    if (!a.attributes.empty()) inputs.emplace_back(a.attributes);
    if (!a.survey.empty()) inputs.emplace_back(a.survey);
    if (!a.contractual.empty()) inputs.emplace_back(a.contractual);
    clv::io::check_output_is_not_input(a.log.output, inputs, "--output");

    const bool terminal = ::isatty(STDERR_FILENO) == 1;
    const auto start = std::chrono::steady_clock::now();
    auto progress = [&](const std::string& stage) {
        if (!terminal) return;
        const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
        std::array<char, 32> seconds{};
        std::snprintf(seconds.data(), seconds.size(), "%.2f", elapsed.count());
        std::cerr << "clv report [" << seconds.data() << " s] " << stage << "\n";
    };
    const clv::customer_report report = clv::build_customer_report(s, progress);
    progress("writing " + a.log.output);
    clv::io::write_customer_report(a.log.output, report);
    std::cerr << "clv: wrote " << a.log.output << ": " << report.customers.size() << " customers, model "
              << report.transaction_model.model << ", total value " << clv::io::format_number(report.values.total_clv, 4) << '\n';
}

}  // namespace report_detail

/// Registers `clv report` on `app`.
inline void add_report_command(CLI::App& app) {
    auto a = std::make_shared<report_detail::arguments>();
    auto& log = a->log;
    CLI::App* cmd = app.add_subcommand(
        "report", "The whole analysis of a transaction log as one self-contained HTML page: model comparison, holdout "
                  "check, tracking, P(alive), customer value, churn and value at risk, cohorts, growth levers; profiles, "
                  "potential, cross-sell and satisfaction when attributes, products or a survey are given; retention "
                  "curves of contractual customers with --contractual");
    cmd->add_option("--transactions", log.input, "transaction log file (one row per purchase), as clv summarize --input")->required();
    cmd->add_option("--customer-col", log.customer_column, "customer id column (name, or 1-based number with --no-header)")->required();
    cmd->add_option("--date-col", log.date_column, "purchase date column")->required();
    cmd->add_option("--amount-col", log.amount_column, "purchase value column (omit: values count purchases)");
    cmd->add_option("--date-format", log.date_format, "date format: %Y %y %m %d %b %B %j %H %M %S and literal characters")
        ->capture_default_str();
    auto* delimiter = cmd->add_option("--delimiter", log.delimiter, "field delimiter: one character, \\t or tab")->capture_default_str();
    cmd->add_flag("--whitespace", log.whitespace, "fields are separated by runs of spaces/tabs")->excludes(delimiter);
    cmd->add_flag("--no-header", log.no_header, "the file has no header row; columns are numbered 1, 2, ...");
    cmd->add_option("--time-unit", log.time_unit, "time unit of the models: day, week, month or a number of days")->capture_default_str();
    cmd->add_option("--observation-end", log.observation_end, "last day observed, YYYY-MM-DD (default: the last date in the log)");
    cmd->add_option("--calibration-end", log.calibration_end,
                    "last day of the calibration period, YYYY-MM-DD: models are checked on the purchases after it");
    cmd->add_option("--attributes", a->attributes, "CSV of customer attributes, customer id in the first column (e.g. channel, region)");
    cmd->add_option("--survey", a->survey, "CSV of survey scores, customer id in the first column (e.g. satisfaction, recommend)");
    cmd->add_option("--product-col", a->product_column, "product or category column of the log (co-purchases, cross-sell)");
    cmd->add_option("--margin", a->margin, "gross margin in [0, 1] applied to spend (default 1)")->check(non_negative_number());
    auto* rate = cmd->add_option("--discount-rate", a->discount_rate, "continuous discount rate per time unit")->check(non_negative_number());
    cmd->add_option("--annual-discount-rate", a->annual_discount_rate, "annual discount rate (default 0.1)")
        ->check(non_negative_number())
        ->excludes(rate);
    cmd->add_option("--contractual", a->contractual,
                    "contractual customers for the retention curves: period,active[,cohort] counts or tenure,churned[,weight] "
                    "rows, as clv fit --model sbg reads");
    cmd->add_option("--contract-period", a->contract_period, "length of one contract period: day, week, month, year or a number of days")
        ->capture_default_str();
    cmd->add_option("--margin-per-period", a->margin_per_period, "contractual margin per customer and period (values the active customers)")
        ->check(non_negative_number());
    cmd->add_option("--model", a->model, "transaction model: bgnbd, pnbd or mbgnbd (default: the best by AIC)")
        ->check(CLI::IsMember({"bgnbd", "pnbd", "mbgnbd"}));
    cmd->add_option("--output", log.output, "HTML file to write (atomically, never over an input)")->required();
    cmd->callback([a] { report_detail::run(*a); });
}

}  // namespace clv_cli
