// Customer summaries as CSV files: read with validation at file:line:column, written so that
// every number reads back to the same double.
#pragma once

#include <clv/core/errors.hpp>
#include <clv/data/customer_table.hpp>
#include <clv/io/csv_reader.hpp>
#include <clv/io/output_file.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <ostream>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>

namespace clv::io {

/// Which columns of a summary file to read. The defaults are the header `write_summary_csv`
/// writes (lifetimes' names for frequency, recency, T and monetary_value).
struct summary_csv_options {
    std::string customer_column = "customer_id";
    /// When true and the file has no `customer_column`, customers are numbered by their data row
    /// (1, 2, ...), as for a summary of anonymous rows; when false that column must exist.
    bool customer_column_optional = false;
    std::string frequency_column = "frequency";
    std::string recency_column = "recency";
    std::string T_column = "T";
    /// Read when the file has this column (monetary values are 0 otherwise); empty: never read.
    std::string monetary_value_column = "monetary_value";
    /// Empty: every row is one customer; a name: that column must exist and holds how many
    /// customers each row stands for (compressed data).
    std::string weight_column;
    csv_options csv;  ///< delimiter, header
};

/// Reads a summary file into a `customer_table`. Every value is parsed with `parse_number` and every
/// row checked with `validate_customer_row` (and ids must be unique), each error naming
/// file:line:column, the field and the value.
inline customer_table read_summary_csv(const std::filesystem::path& path, const summary_csv_options& options = {}) {
    csv_reader reader(path, options.csv);
    constexpr std::size_t absent = static_cast<std::size_t>(-1);
    const auto& names = reader.columns();
    const bool has_ids = !options.customer_column_optional ||
                         std::find(names.begin(), names.end(), options.customer_column) != names.end();
    const std::size_t id = has_ids ? reader.column_index(options.customer_column) : absent;
    const std::size_t frequency = reader.column_index(options.frequency_column);
    const std::size_t recency = reader.column_index(options.recency_column);
    const std::size_t T = reader.column_index(options.T_column);
    std::size_t monetary = absent;
    for (std::size_t i = 0; i < reader.columns().size(); ++i) {
        if (!options.monetary_value_column.empty() && reader.columns()[i] == options.monetary_value_column) monetary = i;
    }
    const std::size_t weight = options.weight_column.empty() ? absent : reader.column_index(options.weight_column);

    customer_table table;
    std::unordered_set<std::string> seen;
    csv_row row;
    while (reader.next(row)) {
        auto number = [&](std::size_t column) {
            return parse_number(row[column], reader.columns()[column], [&] { return row.where(column); });
        };
        auto number_or = [&](std::size_t column, double otherwise) {
            return column == absent ? otherwise : number(column);
        };
        const customer_row values{number(frequency), number(recency), number(T), number_or(monetary, 0.0),
                                  number_or(weight, 1.0)};
        validate_customer_row(values, [&](std::string_view field) {
            const std::size_t column = field == "frequency" ? frequency : field == "recency" ? recency
                                     : field == "T" ? T : field == "weight" ? weight : monetary;
            return column == absent ? source_location{path.string(), row.line(), 0} : row.where(column);
        });
        std::string customer = has_ids ? std::string(row[id]) : std::to_string(table.size() + 1);
        if (has_ids && !customer.empty() && !seen.insert(customer).second)
            throw invalid_input(options.customer_column, customer, "duplicate customer id", row.where(id));
        table.push_back(std::move(customer), values);
    }
    if (table.empty()) throw invalid_input("", "", "no data rows: the summary is empty", {path.string()});
    return table;
}

/// Appends the shortest text that reads back as exactly `value` (std::to_chars round trip).
inline void append_number(std::string& out, double value) {
    std::array<char, 32> text{};
    const auto result = std::to_chars(text.data(), text.data() + text.size(), value);
    out.append(text.data(), result.ptr);
}

/// `field` as one CSV field, quoted per RFC 4180 when it holds a comma, quote or line break.
inline std::string csv_field(std::string_view field) {
    if (field.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(field);
    std::string quoted = "\"";
    for (const char c : field) {
        if (c == '"') quoted.push_back('"');
        quoted.push_back(c);
    }
    quoted.push_back('"');
    return quoted;
}

/// Writes `table` with the header customer_id,frequency,recency,T,monetary_value (and
/// frequency_holdout,monetary_value_holdout,duration_holdout when it has holdout columns). Throws
/// `invalid_input`, before writing anything, for a table whose columns have different lengths or
/// that has some holdout columns but not all three.
inline void write_summary_csv(std::ostream& out, const customer_table& table) {
    table.check_column_lengths();
    if (table.has_holdout()) {
        for (const auto& [field, column] : {std::pair{"monetary_value_holdout", &table.monetary_value_holdout},
                                            std::pair{"duration_holdout", &table.duration_holdout}}) {
            if (column->size() != table.size())
                throw invalid_input(field, "", "column missing: the table has frequency_holdout, so it needs " +
                                                   std::string(field) + " too (" + std::to_string(table.size()) +
                                                   " values)");
        }
    }
    std::string text = "customer_id,frequency,recency,T,monetary_value";
    if (table.has_holdout()) text += ",frequency_holdout,monetary_value_holdout,duration_holdout";
    text += '\n';
    for (std::size_t i = 0; i < table.size(); ++i) {
        text += csv_field(i < table.ids.size() ? std::string_view(table.ids[i]) : std::string_view());
        for (const double value : {table.frequency[i], table.recency[i], table.T[i],
                                   table.monetary_value.empty() ? 0.0 : table.monetary_value[i]}) {
            text += ',';
            append_number(text, value);
        }
        if (table.has_holdout()) {
            for (const double value : {table.frequency_holdout[i], table.monetary_value_holdout[i],
                                       table.duration_holdout[i]}) {
                text += ',';
                append_number(text, value);
            }
        }
        text += '\n';
        if (text.size() > (std::size_t{1} << 16)) {
            out.write(text.data(), static_cast<std::streamsize>(text.size()));
            text.clear();
        }
    }
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
}

/// Writes `table` to the file `path` (see the stream overload) atomically: a complete copy replaces
/// the file, or the previous file stays untouched (see `write_file_atomically`); throws
/// `invalid_input` with the operating system's reason when the file cannot be written.
inline void write_summary_csv(const std::filesystem::path& path, const customer_table& table) {
    write_file_atomically(path, [&](std::ostream& out) { write_summary_csv(out, table); });
}

}  // namespace clv::io
