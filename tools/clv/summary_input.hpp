// Options shared by the commands that read a customer summary CSV (fit, predict, value, ...), and
// the streaming of `clv predict` and `clv value`: the summary read, scored and written one chunk of
// customers at a time, from a file or standard input, so that they run as filters over partitions.
#pragma once

#include "format.hpp"

#include <clv/clv.hpp>
#include <clv/core/parallel.hpp>
#include <clv/io/output_file.hpp>
#include <clv/io/summary_csv.hpp>

#include <CLI/CLI.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <limits>
#include <string>
#include <utility>
#include <vector>

namespace clv_cli {

struct summary_input {
    std::string path;  ///< "-": standard input
    clv::io::summary_csv_options columns;
};

inline void add_summary_input_options(CLI::App& cmd, summary_input& input) {
    cmd.add_option("--input", input.path, "customer summary CSV (as clv summarize writes it); - reads standard input")
        ->required();
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

/// --threads N: threads for the likelihood sums and the per-customer loops, by default every core of
/// the machine (the library's own default is one); results have the same bits for any number.
inline void add_threads_option(CLI::App& cmd, unsigned& threads) {
    threads = clv::hardware_threads();
    cmd.add_option("--threads", threads,
                   "threads to use (default: all cores, here " + std::to_string(threads) +
                       "); the results are the same, to the last bit, for any number")
        ->check(CLI::Range(1U, 1024U));
}

/// The summary as a chunked reader: the file `input.path`, or standard input for "-". A
/// discrete-time summary (BG/BB) may call T `n_periods`: that column is read as T when the file has
/// no `T` column and --T-col was not given.
inline clv::io::summary_csv_reader open_summary(const summary_input& input) {
    clv::io::csv_reader reader = input.path == "-" ? clv::io::csv_reader(stdin, "standard input", input.columns.csv)
                                                   : clv::io::csv_reader(input.path, input.columns.csv);
    clv::io::summary_csv_options columns = input.columns;
    const auto& names = reader.columns();
    if (columns.T_column == "T" && std::find(names.begin(), names.end(), "T") == names.end() &&
        std::find(names.begin(), names.end(), "n_periods") != names.end())
        columns.T_column = "n_periods";
    return clv::io::summary_csv_reader(std::move(reader), columns);
}

/// Reads the whole summary (ids unique in it); an input without data rows is an error.
inline clv::customer_table read_summary(const summary_input& input) {
    clv::io::summary_csv_reader reader = open_summary(input);
    clv::customer_table table;
    if (!reader.next(table, std::numeric_limits<std::size_t>::max()))
        throw clv::invalid_input("", "", "no data rows: the summary is empty", {reader.source()});
    return table;
}

/// How `clv predict` and `clv value` read and write as filters.
struct stream_options {
    std::size_t chunk_rows = 65536;
    bool no_header = false;         ///< the input has no header line (a partition of a split file)
    bool no_output_header = false;  ///< write no header line (outputs of partitions are concatenated)
};

inline void add_stream_options(CLI::App& cmd, summary_input& input, stream_options& stream) {
    cmd.add_option("--chunk-rows", stream.chunk_rows,
                   "customers read, scored and written at a time (default 65536): memory is that of one chunk, "
                   "whatever the length of the input; ids are checked for repeats within a chunk")
        ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 32));
    cmd.add_flag_callback(
        "--no-header",
        [&input, &stream] {
            stream.no_header = true;
            input.columns.csv.header = false;
            input.columns.csv.allow_empty = true;
        },
        "the input has no header line (a partition of a split file): its columns are numbered from 1, e.g. "
        "--customer-col 1 --frequency-col 2 --recency-col 3 --T-col 4; an empty input gives an empty output");
    cmd.add_flag("--no-output-header", stream.no_output_header,
                 "write no header line (to concatenate the outputs of partitions)");
}

/// Appends `value` as `format_number` writes it (shortest text that reads back to the same double).
inline void append_formatted(std::string& text, double value) {
    if (std::isnan(value)) text += "nan";
    else clv::io::append_number(text, value);
}

/// Streams the summary through a scoring function: for every chunk of at most --chunk-rows
/// customers, `score(chunk, carried, header, text)` appends the chunk's output lines to `text`
/// (preceded by the header line when `header` is true: on the first chunk, unless
/// --no-output-header), which is written before the next chunk is read. With `carry`, `carried` holds
/// each row's other columns (`summary_csv_reader::next`), named by the reader's `carried_columns()`.
/// The output goes to `output`, atomically, or to standard output. Memory is that of one chunk. An
/// input with a header and no data rows is an error; an empty input read with --no-header gives an
/// empty output.
template <class Score>
void stream_summary(const summary_input& input, const stream_options& stream, const std::string& output, bool carry,
                    Score&& score) {
    stream_summary(input, stream, output, carry, [](const clv::io::summary_csv_reader&) {}, score);
}

/// The same, calling `opened(reader)` first, e.g. to check the input's columns before any output.
template <class Opened, class Score>
void stream_summary(const summary_input& input, const stream_options& stream, const std::string& output, bool carry,
                    Opened&& opened, Score&& score) {
    clv::io::summary_csv_reader reader = open_summary(input);
    opened(reader);
    auto write = [&](std::ostream& out) {
        std::string text;
        clv::customer_table chunk;
        std::vector<std::string> carried;
        bool first = true;
        while (reader.next(chunk, stream.chunk_rows, carry ? &carried : nullptr)) {
            score(chunk, carried, first && !stream.no_output_header, text);
            first = false;
            out.write(text.data(), static_cast<std::streamsize>(text.size()));
            text.clear();
            if (!out) return;  // a failed write: the writer says why
        }
        if (first && !stream.no_header)
            throw clv::invalid_input("", "", "no data rows: the summary is empty", {reader.source()});
    };
    if (output.empty()) {
        write(std::cout);
        finish_standard_output();
    } else {
        clv::io::write_file_atomically(output, write);
    }
}

}  // namespace clv_cli
