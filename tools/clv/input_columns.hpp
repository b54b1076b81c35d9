// The raw columns of an input CSV, carried into an output (--keep-input-columns) so that rankings
// and holdout checks need no join.
#pragma once

#include <clv/io/csv_reader.hpp>

#include <string>
#include <vector>

namespace clv_cli {

/// Every column of a CSV file but `skip` (the id column, already first in the output), as text.
struct input_columns {
    std::vector<std::string> names;
    std::vector<std::vector<std::string>> rows;  ///< one per data row, in file order
};

inline input_columns read_input_columns(const std::string& path, const std::string& skip) {
    clv::io::csv_reader reader(path);
    input_columns out;
    std::vector<std::size_t> kept;
    for (std::size_t i = 0; i < reader.columns().size(); ++i)
        if (reader.columns()[i] != skip) {
            kept.push_back(i);
            out.names.push_back(reader.columns()[i]);
        }
    clv::io::csv_row row;
    while (reader.next(row)) {
        auto& fields = out.rows.emplace_back();
        fields.reserve(kept.size());
        for (std::size_t i : kept) fields.emplace_back(row[i]);
    }
    return out;
}

/// Whether the CSV file at `path` has a column called `name`.
inline bool has_column(const std::string& path, const std::string& name) {
    clv::io::csv_reader reader(path);
    for (const auto& column : reader.columns())
        if (column == name) return true;
    return false;
}

}  // namespace clv_cli
