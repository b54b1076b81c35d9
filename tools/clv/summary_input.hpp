// Options shared by the commands that read a customer summary CSV (fit, predict).
#pragma once

#include <clv/clv.hpp>
#include <clv/io/summary_csv.hpp>

#include <CLI/CLI.hpp>

#include <algorithm>
#include <string>

namespace clv_cli {

struct summary_input {
    std::string path;
    clv::io::summary_csv_options columns;
};

inline void add_summary_input_options(CLI::App& cmd, summary_input& input) {
    cmd.add_option("--input", input.path, "customer summary CSV (as clv summarize writes it)")->required();
    input.columns.customer_column_optional = true;  // until --customer-col names one
    cmd.add_option_function<std::string>(
        "--customer-col",
        [&input](const std::string& name) {
            input.columns.customer_column = name;
            input.columns.customer_column_optional = false;
        },
        "customer id column (default customer_id; without such a column rows are numbered 1, 2, ...)");
    cmd.add_option("--frequency-col", input.columns.frequency_column, "repeat purchases column (default frequency)");
    cmd.add_option("--recency-col", input.columns.recency_column, "recency column (default recency)");
    cmd.add_option("--T-col", input.columns.T_column, "customer age column (default T)");
    cmd.add_option("--weight-col", input.columns.weight_column,
                   "column of row weights (customers each row stands for); default: every row is one customer");
}

/// Reads the summary. A discrete-time summary (BG/BB) may call T `n_periods`: that column is read as
/// T when the file has no `T` column and --T-col was not given.
inline clv::customer_table read_summary(const summary_input& input) {
    clv::io::summary_csv_options columns = input.columns;
    if (columns.T_column == "T") {
        clv::io::csv_reader reader(input.path);
        const auto& names = reader.columns();
        if (std::find(names.begin(), names.end(), "T") == names.end() &&
            std::find(names.begin(), names.end(), "n_periods") != names.end())
            columns.T_column = "n_periods";
    }
    return clv::io::read_summary_csv(input.path, columns);
}

}  // namespace clv_cli
