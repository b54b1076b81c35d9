// `clv track`: the tracking table of a cohort, period by period over calibration and holdout: actual
// repeat transactions from the log against the fitted model's expectation (FHL 2005, figures 2-3).
#pragma once

#include "command_summarize.hpp"
#include "diagnostics_input.hpp"
#include "format.hpp"

#include <clv/analysis/tracking.hpp>
#include <clv/core/calendar.hpp>
#include <clv/core/time_unit.hpp>
#include <clv/io/csv_reader.hpp>
#include <clv/io/dates.hpp>

#include <CLI/CLI.hpp>

#include <cstdint>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace clv_cli {

namespace track_detail {

struct arguments {
    model_file_option model;
    summarize_detail::arguments log;  // the log options of clv summarize
    std::string time_unit;
    std::string output;
};

/// Every purchase of the log as (customer index, day number); the observation end defaults to the
/// log's last date.
inline std::vector<std::pair<std::size_t, std::int64_t>> read_purchases(const summarize_detail::arguments& a,
                                                                      std::int64_t& last_day) {
    clv::io::csv_options csv;
    csv.whitespace = a.whitespace;
    csv.delimiter = summarize_detail::parse_delimiter(a.delimiter);
    csv.header = !a.no_header;
    clv::io::csv_reader reader(a.input, csv);
    const std::size_t customer = reader.column_index(a.customer_column), date = reader.column_index(a.date_column);
    const clv::io::date_format format(a.date_format);
    std::unordered_map<std::string, std::size_t> index;
    std::vector<std::pair<std::size_t, std::int64_t>> purchases;
    clv::io::csv_row row;
    while (reader.next(row)) {
        if (row[customer].empty()) throw clv::invalid_input(a.customer_column, "", "empty customer id", row.where(customer));
        const std::int64_t day = format.parse(row[date], a.date_column, [&] { return row.where(date); });
        const auto [it, added] = index.try_emplace(std::string(row[customer]), index.size());
        purchases.emplace_back(it->second, day);
        last_day = purchases.size() == 1 ? day : std::max(last_day, day);
    }
    if (purchases.empty()) throw clv::invalid_input("", "", "no data rows: the transaction log is empty", {reader.file_name()});
    return purchases;
}

inline void run(const arguments& a) {
    const nlohmann::json model = read_transaction_model(a.model, "track");
    const std::optional<clv::time_unit> fitted_unit = model_time_unit(model, a.model.path);
    std::optional<clv::time_unit> given;
    if (!a.time_unit.empty()) given = clv::time_unit::parse(a.time_unit, "--time-unit");
    if (given && fitted_unit && !given->same_length(*fitted_unit))
        throw clv::invalid_input("--time-unit", a.time_unit,
                                 "the model was fitted in " + fitted_unit->describe() + "; track in that unit");
    if (!given && !fitted_unit)
        throw clv::invalid_input("--time-unit", "", "the model file records no time unit; give the unit of the data it "
                                                    "was fitted on (day, week, month or a number of days)");
    const clv::time_unit unit = given ? *given : *fitted_unit;
    const clv::source_location command_line{"command line"};
    const std::int64_t calibration_end = clv::io::parse_iso_date(a.log.calibration_end, "--calibration-end", command_line);
    std::int64_t last_day = 0;
    auto purchases = read_purchases(a.log, last_day);
    const std::int64_t observation_end = a.log.observation_end.empty()
        ? last_day : clv::io::parse_iso_date(a.log.observation_end, "--observation-end", command_line);
    const auto cohort = clv::cohort_from_purchases(std::move(purchases), calibration_end, observation_end);
    const auto periods = with_transaction_model(model["model"].get<std::string>(), [&]<class M>() {
        const M fitted(params_from_json<M>(model["params"], a.model.path));
        return clv::track_cohort(fitted, cohort, unit.days, calibration_end, observation_end);
    });
    std::ofstream file;
    if (!a.output.empty()) {
        file.open(a.output);
        if (!file) throw clv::invalid_input("--output", a.output, "cannot write the file");
    }
    std::ostream& out = a.output.empty() ? std::cout : file;
    out << "period,first_day,last_day,end_time,holdout,actual,actual_cumulative,expected,expected_cumulative\n";
    for (const auto& p : periods)
        out << p.period << ',' << clv::iso_date(p.first_day) << ',' << clv::iso_date(p.last_day) << ','
            << format_number(p.end_time) << ',' << (p.holdout ? "true" : "false") << ',' << format_number(p.actual) << ','
            << format_number(p.actual_cumulative) << ',' << format_number(p.expected) << ','
            << format_number(p.expected_cumulative) << '\n';
    out.flush();
    if (!out) throw clv::invalid_input("--output", a.output, "writing the tracking table failed");
    std::cerr << "clv: " << cohort.first_purchase.size() << " customers first bought by " << a.log.calibration_end
              << "; periods of one " << unit.describe() << " from " << clv::iso_date(periods.front().first_day) << '\n';
}

}  // namespace track_detail

inline void add_track_command(CLI::App& app) {
    auto a = std::make_shared<track_detail::arguments>();
    auto* cmd = app.add_subcommand(
        "track", "Tracking table of the cohort in a transaction log: actual vs expected repeat transactions per period "
                 "(the model's time unit), incremental and cumulative, over calibration and holdout; CSV");
    add_model_file_options(*cmd, a->model);
    auto& log = a->log;
    cmd->add_option("--transactions", log.input, "transaction log file (one row per purchase), as for clv summarize")
        ->required();
    cmd->add_option("--customer-col", log.customer_column, "customer id column (name, or 1-based number with --no-header)")
        ->required();
    cmd->add_option("--date-col", log.date_column, "purchase date column")->required();
    cmd->add_option("--amount-col", log.amount_column, "accepted as in clv summarize; amounts are not used here");
    cmd->add_option("--date-format", log.date_format, "date format: %Y %y %m %d %b %B %j %H %M %S and literal characters")
        ->capture_default_str();
    auto* delimiter = cmd->add_option("--delimiter", log.delimiter, "field delimiter: one character, \\t or tab")
                          ->capture_default_str();
    cmd->add_flag("--whitespace", log.whitespace, "fields are separated by runs of spaces/tabs")->excludes(delimiter);
    cmd->add_flag("--no-header", log.no_header, "the file has no header row; columns are numbered 1, 2, ...");
    cmd->add_option("--calibration-end", log.calibration_end,
                    "last day of the calibration period, YYYY-MM-DD; the cohort is every customer who first bought by then")
        ->required();
    cmd->add_option("--observation-end", log.observation_end,
                    "last day tracked, YYYY-MM-DD (default: the last date in the log)");
    cmd->add_option("--time-unit", a->time_unit, "period length (default: the model file's time unit; they must agree)");
    cmd->add_option("--output", a->output, "write the CSV here instead of standard output");
    cmd->callback([a] { track_detail::run(*a); });
}

}  // namespace clv_cli
