// Transaction log files -> customer summaries: the file-reading edge of data/summarize.hpp.
#pragma once

#include <clv/core/errors.hpp>
#include <clv/data/customer_table.hpp>
#include <clv/data/summarize.hpp>
#include <clv/io/csv_reader.hpp>
#include <clv/io/dates.hpp>

#include <filesystem>
#include <string>

namespace clv {

/// Which columns of a transaction log file to read, how, and how to summarize.
struct summarize_options {
    std::string customer_column;   ///< customer id column (header name, or "1", "2", ... without a header)
    std::string date_column;       ///< purchase date column
    std::string amount_column;     ///< purchase value column; empty: no amounts (monetary values are 0)
    std::string date_format = "%Y-%m-%d";  ///< see io::date_format
    io::csv_options csv;
    summary_options summary;
};

/// Streams a transaction log file into a summary (see `transaction_summarizer`); every bad value
/// is reported as `invalid_input` with file:line:column. A log with some customer's rows out of
/// date order is read twice.
inline customer_table summarize_transactions(const std::filesystem::path& path, const summarize_options& options) {
    const io::date_format dates(options.date_format);
    transaction_summarizer summarizer(options.summary,
                                      options.amount_column.empty() ? "amount" : options.amount_column);
    auto feed = [&] {
        io::csv_reader reader(path, options.csv);
        const std::size_t customer = reader.column_index(options.customer_column);
        const std::size_t date = reader.column_index(options.date_column);
        const bool has_amount = !options.amount_column.empty();
        // Without an amount column, errors from `add` point at the customer id instead.
        const std::size_t amount = has_amount ? reader.column_index(options.amount_column) : customer;
        io::csv_row row;
        bool any = false;
        while (reader.next(row)) {
            any = true;
            auto where = [&](std::size_t column) { return [&row, column] { return row.where(column); }; };
            const std::int64_t day = dates.parse(row[date], options.date_column, where(date));
            const double value = has_amount ? io::parse_number(row[amount], options.amount_column, where(amount)) : 0.0;
            summarizer.add(row[customer], day, value, where(amount));
        }
        if (!any) throw invalid_input("", "", "no data rows", {reader.file_name()});
    };
    return summarize_with_replay(summarizer, feed);
}

}  // namespace clv
