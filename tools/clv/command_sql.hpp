// `clv sql`: prints the SELECT that computes `clv summarize`'s summary inside a database engine.
#pragma once

#include <clv/io/dates.hpp>
#include <clv/io/sql.hpp>

#include <CLI/CLI.hpp>

#include <iostream>
#include <memory>
#include <string>

namespace clv_cli {

/// Registers `clv sql` on `app`.
inline void add_sql_command(CLI::App& app) {
    struct arguments {
        std::string dialect, table, customer_column, date_column, amount_column;
        std::string time_unit = "day";
        std::string observation_end, calibration_end;
        std::string negative_amounts = "error";
        bool compressed = false;
    };
    auto args = std::make_shared<arguments>();
    CLI::App* command = app.add_subcommand(
        "sql", "Print one SQL SELECT that computes the summary of `clv summarize` (or, with --compressed, the weighted "
               "unique (frequency, recency, T) rows for `clv fit --weight-col weight`) over a table in a database");
    command->add_option("--dialect", args->dialect, "SQL dialect: sqlite, postgres, duckdb, spark or bigquery")
        ->required()
        ->check(CLI::IsMember({"sqlite", "postgres", "duckdb", "spark", "bigquery"}));
    command->add_option("--table", args->table, "Table or view with one row per purchase (schema.table allowed)")->required();
    command->add_option("--customer-col", args->customer_column, "Customer id column")->required();
    command->add_option("--date-col", args->date_column,
                        "Purchase date column: ISO text YYYY-MM-DD (a time of day may follow) or a date/timestamp type")
        ->required();
    command->add_option("--amount-col", args->amount_column, "Purchase value column (omit: monetary values are 0)");
    command->add_option("--time-unit", args->time_unit,
                        "Unit of recency, T and duration_holdout: day, week (7 days), month (365.25/12 days) or a "
                        "number of days")
        ->capture_default_str();
    command->add_option("--observation-end", args->observation_end,
                        "Last day observed, YYYY-MM-DD (default: the last date in the table); later rows are left out");
    command->add_option("--calibration-end", args->calibration_end,
                        "Last day of the calibration period, YYYY-MM-DD; adds holdout columns");
    command->add_option("--negative-amounts", args->negative_amounts,
                        "Negative amounts (refunds): error (not checked by the SQL: summed as they are), drop (leave "
                        "those rows out) or net (a day netted to zero or less is not a transaction)")
        ->check(CLI::IsMember({"error", "drop", "net"}))
        ->capture_default_str();
    command->add_flag("--compressed", args->compressed,
                      "One row per distinct (frequency, recency, T) with the number of customers in column weight");
    command->callback([args] {
        clv::sql_summary_options options;
        options.dialect = clv::parse_sql_dialect(args->dialect);
        options.table = args->table;
        options.customer_column = args->customer_column;
        options.date_column = args->date_column;
        options.amount_column = args->amount_column;
        options.unit_days = clv::parse_time_unit(args->time_unit);
        const clv::source_location command_line{"command line"};
        if (!args->observation_end.empty())
            options.observation_end = clv::io::parse_iso_date(args->observation_end, "--observation-end", command_line);
        if (!args->calibration_end.empty())
            options.calibration_end = clv::io::parse_iso_date(args->calibration_end, "--calibration-end", command_line);
        options.negative = clv::parse_negative_amounts(args->negative_amounts);
        options.compressed = args->compressed;
        std::cout << clv::summary_sql(options);
        std::cout.flush();
        if (!std::cout) throw clv::invalid_input("", "", "cannot write to standard output");
    });
}

}  // namespace clv_cli
