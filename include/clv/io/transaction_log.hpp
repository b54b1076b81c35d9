// Transaction log files -> customer summaries: the file-reading edge of data/summarize.hpp.
#pragma once

#include <clv/core/errors.hpp>
#include <clv/data/customer_table.hpp>
#include <clv/data/summarize.hpp>
#include <clv/io/csv_reader.hpp>
#include <clv/io/dates.hpp>

#include <algorithm>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace clv {

/// Which columns of a transaction log file to read, how, and how to summarize.
struct summarize_options {
    std::string customer_column;   ///< customer id column (header name, or "1", "2", ... without a header)
    std::string date_column;       ///< purchase date column
    std::string amount_column;     ///< purchase value column; empty: no amounts (monetary values are 0)
    std::string date_format = "%Y-%m-%d";  ///< see io::date_format
    io::csv_options csv;
    summary_options summary;       ///< time unit, period, observation and calibration ends, refunds
};

/// Reads a transaction log file into a summary (see `transaction_summarizer`: one pass for a log
/// in date order, about one for a log in any other order); every bad value is reported as
/// `invalid_input` with file:line:column. When `report` is given it receives what was left out
/// by design (rows after the observation end, late customers, refunds), see `summary_report`.
inline customer_table summarize_transactions(const std::filesystem::path& path, const summarize_options& options,
                                             summary_report* report = nullptr) {
    const io::date_format dates(options.date_format);
    transaction_summarizer summarizer(options.summary,
                                      options.amount_column.empty() ? "amount" : options.amount_column);
    // Rows are parsed a batch ahead of `add`, so that the customer lookups of a batch (cache
    // misses on a large log) overlap instead of waiting one after the other.
    struct parsed_row {
        std::size_t id_end;  // in ids
        std::int64_t day;
        double amount;
        std::size_t line;
    };
    constexpr std::size_t batch_size = 32;
    std::vector<parsed_row> batch;
    std::string ids;
    batch.reserve(batch_size);
    auto feed = [&] {
        io::csv_reader reader(path, options.csv);
        const std::size_t customer = reader.column_index(options.customer_column);
        const std::size_t date = reader.column_index(options.date_column);
        const bool has_amount = !options.amount_column.empty();
        // Without an amount column, errors from `add` point at the customer id instead.
        const std::size_t amount = has_amount ? reader.column_index(options.amount_column) : customer;
        batch.clear();
        ids.clear();
        auto id_of = [&](std::size_t k) {
            const std::size_t begin = k == 0 ? 0 : batch[k - 1].id_end;
            return std::string_view(ids).substr(begin, batch[k].id_end - begin);
        };
        auto add_batch = [&] {
            constexpr std::size_t ahead = 8;  // rows between the second prefetch stage and `add`
            for (std::size_t k = 0; k < std::min(ahead, batch.size()); ++k) summarizer.prefetch(id_of(k), true);
            for (std::size_t k = 0; k < batch.size(); ++k) {
                if (k + ahead < batch.size()) summarizer.prefetch(id_of(k + ahead), true);
                const parsed_row& r = batch[k];
                if (!summarizer.add(id_of(k), r.day, r.amount, [&] { return source_location{reader.file_name(), r.line, amount + 1}; }))
                    return false;
            }
            batch.clear();
            ids.clear();
            return true;
        };
        io::csv_row row;
        bool any = false;
        while (reader.next(row)) {
            any = true;
            auto where = [&](std::size_t column) { return [&row, column] { return row.where(column); }; };
            parsed_row parsed{0, 0, 0.0, row.line()};
            try {
                parsed.day = dates.parse(row[date], options.date_column, where(date));
                parsed.amount = has_amount ? io::parse_number(row[amount], options.amount_column, where(amount)) : 0.0;
            } catch (const invalid_input&) {
                if (!add_batch()) return;  // an earlier row's error comes first
                throw;
            }
            summarizer.prefetch(row[customer]);
            ids.append(row[customer]);
            parsed.id_end = ids.size();
            batch.push_back(parsed);
            if (batch.size() == batch_size && !add_batch()) return;
        }
        if (!add_batch()) return;
        if (!any) throw invalid_input("", "", "no data rows", {reader.file_name()});
    };
    customer_table table = summarize_in_passes(summarizer, feed);
    if (report) *report = summarizer.report();
    return table;
}

}  // namespace clv
