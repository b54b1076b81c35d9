// What the program asks of an input CSV's header before choosing how to read it.
#pragma once

#include <clv/io/csv_reader.hpp>

#include <string>
#include <vector>

namespace clv_cli {

/// Whether the CSV file at `path` has a column called `name`.
inline bool has_column(const std::string& path, const std::string& name) {
    clv::io::csv_reader reader(path);
    for (const auto& column : reader.columns())
        if (column == name) return true;
    return false;
}

}  // namespace clv_cli
