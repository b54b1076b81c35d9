// `clv summarize`: a transaction log file -> one summary row per customer, as CSV.
#pragma once

#include <clv/io/transaction_log.hpp>
#include <clv/io/dates.hpp>
#include <clv/io/output_file.hpp>
#include <clv/io/summary_csv.hpp>

#include <CLI/CLI.hpp>

#include <filesystem>
#include <iostream>
#include <memory>
#include <string>

namespace clv_cli {

namespace summarize_detail {

struct arguments {
    std::string input;
    std::string output;
    std::string customer_column;
    std::string date_column;
    std::string amount_column;
    std::string date_format = "%Y-%m-%d";
    std::string delimiter = ",";
    bool whitespace = false;
    bool no_header = false;
    std::string time_unit = "day";
    std::string observation_end;
    std::string calibration_end;
    std::string negative_amounts = "error";
};

// "," ";" "|" or a tab, written as a tab character, "\t" or "tab".
inline char parse_delimiter(const std::string& text) {
    if (text == "\\t" || text == "tab") return '\t';
    if (text.size() != 1) throw clv::invalid_input("--delimiter", text, "must be one character, \\t or tab");
    return text.front();
}

// Says on stderr what the summary left out by design, so that no row disappears without a word.
inline void report_left_out(const clv::summary_report& r, const clv::summary_options& options) {
    auto say = [](std::size_t count, const std::string& text) {
        if (count != 0) std::cerr << "clv: " << text << '\n';
    };
    auto count = [](std::size_t n, const std::string& noun) { return std::to_string(n) + " " + noun + (n == 1 ? "" : "s"); };
    auto rows = [&](std::size_t n) { return count(n, "row"); };
    say(r.rows_after_observation_end,
        "ignored " + rows(r.rows_after_observation_end) + " after the observation end " + clv::iso_date(r.observation_end));
    if (options.calibration_end)
        say(r.late_customers, "ignored " + rows(r.rows_of_late_customers) + " of " + count(r.late_customers, "customer") +
                                  " whose first purchase is after the calibration end " +
                                  clv::iso_date(*options.calibration_end));
    say(r.negative_rows_dropped,
        "dropped " + rows(r.negative_rows_dropped) + " with a negative amount (--negative-amounts drop)");
    say(r.periods_netted_out, "did not count " + count(r.periods_netted_out, "purchase day") +
                                  " whose refunds brought the day's total to zero or less "
                                  "(--negative-amounts net)");
    say(r.customers_netted_out, "left out " + count(r.customers_netted_out, "customer") +
                                    " whose every purchase day was refunded (--negative-amounts net)");
}

inline void run(const arguments& a) {
    clv::summarize_options options;
    options.customer_column = a.customer_column;
    options.date_column = a.date_column;
    options.amount_column = a.amount_column;
    options.date_format = a.date_format;
    options.csv.whitespace = a.whitespace;
    options.csv.delimiter = parse_delimiter(a.delimiter);
    options.csv.header = !a.no_header;
    options.summary.unit_days = clv::parse_time_unit(a.time_unit);
    if (!a.observation_end.empty())
        options.summary.observation_end =
            clv::io::parse_iso_date(a.observation_end, "--observation-end", clv::source_location{"command line"});
    if (!a.calibration_end.empty())
        options.summary.calibration_end =
            clv::io::parse_iso_date(a.calibration_end, "--calibration-end", clv::source_location{"command line"});
    options.summary.negative = clv::parse_negative_amounts(a.negative_amounts);
    if (!a.output.empty()) {
        const std::filesystem::path inputs[] = {a.input};
        clv::io::check_output_is_not_input(a.output, inputs, "--output");
    }
    clv::summary_report report;
    const clv::customer_table table = clv::summarize_transactions(a.input, options, &report);
    report_left_out(report, options.summary);
    if (a.output.empty()) {
        clv::io::write_summary_csv(std::cout, table);
        std::cout.flush();
        if (!std::cout) throw clv::invalid_input("", "", "cannot write to standard output");
    } else {
        clv::io::write_summary_csv(a.output, table);
    }
}

}  // namespace summarize_detail

/// Registers `clv summarize` on `app`.
inline void add_summarize_command(CLI::App& app) {
    auto args = std::make_shared<summarize_detail::arguments>();
    CLI::App* command = app.add_subcommand(
        "summarize",
        "Summarize a transaction log (one row per purchase) into one row per customer: frequency, recency, T, "
        "monetary_value (lifetimes/BTYD conventions), plus holdout columns with --calibration-end");
    command->add_option("--input", args->input, "Transaction log file (CSV or whitespace-separated)")->required();
    command->add_option("--customer-col", args->customer_column, "Customer id column (name, or 1-based number with --no-header)")
        ->required();
    command->add_option("--date-col", args->date_column, "Purchase date column")->required();
    command->add_option("--amount-col", args->amount_column, "Purchase value column (omit: monetary values are 0)");
    command->add_option("--date-format", args->date_format,
                        "Date format: %Y %y %m %d %b %B %j %H %M %S and literal characters")
        ->capture_default_str();
    auto* delimiter = command->add_option("--delimiter", args->delimiter, "Field delimiter: one character, \\t or tab")
                          ->capture_default_str();
    command->add_flag("--whitespace", args->whitespace, "Fields are separated by runs of spaces/tabs")
        ->excludes(delimiter);
    command->add_flag("--no-header", args->no_header, "The file has no header row; columns are numbered 1, 2, ...");
    command->add_option("--time-unit", args->time_unit,
                        "Unit of recency, T and duration_holdout: day, week (7 days), month (365.25/12 days) or a "
                        "number of days")
        ->capture_default_str();
    command->add_option("--observation-end", args->observation_end,
                        "Last day observed, YYYY-MM-DD (default: the last date in the log); later rows are ignored "
                        "and counted on stderr");
    command->add_option("--calibration-end", args->calibration_end,
                        "Last day of the calibration period, YYYY-MM-DD; adds holdout columns");
    command->add_option("--negative-amounts", args->negative_amounts,
                        "Negative amounts (refunds): error (reject the log), drop (leave those rows out) or net (sum "
                        "into the day's total; a day netted to zero or less is not a transaction)")
        ->check(CLI::IsMember({"error", "drop", "net"}))
        ->capture_default_str();
    command->add_option("--output", args->output,
                        "Output CSV file, written atomically, never over the input (default: standard output)");
    command->callback([args] { summarize_detail::run(*args); });
}

}  // namespace clv_cli
