// Helpers shared by the tests.
#pragma once

#include <clv/io/csv_reader.hpp>
#include <clv/io/summary_csv.hpp>

#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace clv_test {

/// The folder of the reference datasets (../shared/data), or nothing when it is absent. Absent data
/// is reported loudly, and is a failure when the CI environment variable is set: CI must run them.
inline std::optional<std::filesystem::path> shared_data(const std::string& relative = "") {
    const char* env = std::getenv("CLV_SHARED_DATA");
    std::filesystem::path dir = env && *env ? env : CLV_SHARED_DATA;
    const auto path = relative.empty() ? dir : dir / relative;
    if (std::filesystem::exists(path)) return path;
    const char* ci = std::getenv("CI");
    if (ci && std::string(ci) == "true") {
        FAIL("reference data missing under CI: " << path.string());
    }
    MESSAGE("SKIPPED: reference data not found at " << path.string()
                                                    << " (configure with -DCLV_SHARED_DATA=...)");
    return std::nullopt;
}

/// CDNOW's lifetimes summary (ID,frequency,recency,T in weeks) as a customer table.
inline clv::customer_table read_cdnow_summary(const std::filesystem::path& path) {
    clv::io::summary_csv_options columns;
    columns.customer_column = "ID";
    return clv::io::read_summary_csv(path, columns);
}

/// Every row of a numeric CSV file with a header, as numbers.
inline std::vector<std::vector<double>> read_numeric_csv(const std::filesystem::path& path) {
    clv::io::csv_reader reader(path);
    std::vector<std::vector<double>> rows;
    clv::io::csv_row row;
    while (reader.next(row)) {
        std::vector<double>& values = rows.emplace_back();
        for (std::size_t i = 0; i < reader.columns().size(); ++i)
            values.push_back(clv::io::parse_number(row[i], reader.columns()[i], [&] { return row.where(i); }));
    }
    return rows;
}

}  // namespace clv_test
