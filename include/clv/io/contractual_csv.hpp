// Contractual data files in the two forms users have, told apart by their header:
// - cohort counts `period,active[,cohort]`: per cohort, the customers still active after each
//   period (period 0 = the cohort size, then 1, 2, ... without gaps), as in Fader & Hardie (2007),
//   Table 1; several cohorts may share one file (a `cohort` column), their rows in any interleaving
//   as long as each cohort's own periods come in order;
// - one row per customer `tenure,churned[,weight]` (and an optional `customer_id`): see
//   data/contractual.hpp for what tenure and churned mean.
// Both become a `contractual_table`; every error names file:line:column, the field and the value.
#pragma once

#include <clv/core/errors.hpp>
#include <clv/data/contractual.hpp>
#include <clv/io/csv_reader.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <filesystem>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace clv::io {

/// Column names of contractual files. A file with `period_column` and `active_column` is read as
/// cohort counts, one with `tenure_column` and `churned_column` as customers; the other columns
/// are read when present.
struct contractual_csv_options {
    std::string period_column = "period";
    std::string active_column = "active";
    std::string cohort_column = "cohort";          ///< cohort form: several cohorts when present
    std::string tenure_column = "tenure";
    std::string churned_column = "churned";        ///< 0 = still active, 1 = cancelled
    std::string weight_column = "weight";          ///< customer form: customers per row when present
    bool require_weight_column = false;            ///< true: the weight column must exist (a name the user gave)
    std::string customer_column = "customer_id";   ///< customer form: ids when present (must be unique)
    csv_options csv;                               ///< delimiter, header
};

enum class contractual_form { cohort_counts, customers };

/// What a contractual file holds: the records to fit, and for cohort files each cohort's observed
/// counts (in order of first appearance) to set observed beside fitted survival.
struct contractual_data {
    contractual_form form = contractual_form::customers;
    contractual_table table;
    std::vector<cohort_curve> cohorts;
};

namespace detail {

inline contractual_data read_cohort_counts(csv_reader& reader, const contractual_csv_options& options) {
    const std::size_t period = reader.column_index(options.period_column);
    const std::size_t active = reader.column_index(options.active_column);
    const auto& names = reader.columns();
    const bool has_cohort = std::find(names.begin(), names.end(), options.cohort_column) != names.end();
    const std::size_t cohort = has_cohort ? reader.column_index(options.cohort_column) : 0;

    contractual_data data;
    data.form = contractual_form::cohort_counts;
    std::unordered_map<std::string, std::size_t> index_of;
    std::vector<std::vector<std::size_t>> lines;  // file line of each count, per cohort
    csv_row row;
    while (reader.next(row)) {
        const std::string name = has_cohort ? std::string(row[cohort]) : std::string();
        const auto [it, added] = index_of.try_emplace(name, data.cohorts.size());
        if (added) {
            data.cohorts.push_back({name, {}});
            lines.emplace_back();
        }
        cohort_curve& curve = data.cohorts[it->second];
        const double t = parse_number(row[period], names[period], [&] { return row.where(period); });
        const double expected = static_cast<double>(curve.active.size());
        if (t != expected) {
            const std::string label = has_cohort ? "cohort '" + name + "'" : "the cohort";
            std::string reason;
            if (!(t >= 0) || t != std::floor(t)) reason = "a period must be a whole number >= 0";
            else if (expected == 0) reason = "the first row of " + label + " must be period 0 (the cohort size)";
            else if (t < expected) reason = "period repeats or goes back: " + label + " already has periods 0.." + to_message_string(expected - 1);
            else reason = "gap in periods: " + label + " has periods up to " + to_message_string(expected - 1) +
                          ", so the next must be " + to_message_string(expected);
            throw invalid_input(names[period], std::string(row[period]), reason, row.where(period));
        }
        curve.active.push_back(parse_number(row[active], names[active], [&] { return row.where(active); }));
        lines[it->second].push_back(row.line());
    }
    if (data.cohorts.empty()) throw invalid_input("", "", "no data rows: the cohort counts are empty", {reader.file_name()});
    for (std::size_t c = 0; c < data.cohorts.size(); ++c) {
        append_cohort(data.table, data.cohorts[c], [&](std::size_t t) {
            return source_location{reader.file_name(), lines[c][t], active + 1};
        });
    }
    return data;
}

inline contractual_data read_customers(csv_reader& reader, const contractual_csv_options& options) {
    constexpr std::size_t absent = static_cast<std::size_t>(-1);
    const auto& names = reader.columns();
    auto optional_column = [&](const std::string& name) {
        const auto it = std::find(names.begin(), names.end(), name);
        return name.empty() || it == names.end() ? absent : static_cast<std::size_t>(it - names.begin());
    };
    const std::size_t tenure = reader.column_index(options.tenure_column);
    const std::size_t churned = reader.column_index(options.churned_column);
    const std::size_t weight = options.require_weight_column ? reader.column_index(options.weight_column)
                                                             : optional_column(options.weight_column);
    const std::size_t id = optional_column(options.customer_column);

    contractual_data data;
    data.form = contractual_form::customers;
    std::unordered_set<std::string> seen;
    csv_row row;
    while (reader.next(row)) {
        auto number = [&](std::size_t column) {
            return parse_number(row[column], names[column], [&] { return row.where(column); });
        };
        const double t = number(tenure), c = number(churned), w = weight == absent ? 1.0 : number(weight);
        validate_contractual_record(t, c, w, [&](std::string_view field) {
            return row.where(field == "tenure" ? tenure : field == "churned" ? churned : weight);
        });
        std::string customer = id == absent ? std::string() : std::string(row[id]);
        if (!customer.empty() && !seen.insert(customer).second)
            throw invalid_input(names[id], customer, "duplicate customer id", row.where(id));
        data.table.push_back(std::move(customer), {t, c == 1, w});
    }
    if (data.table.empty()) throw invalid_input("", "", "no data rows: the customer file is empty", {reader.file_name()});
    return data;
}

}  // namespace detail

/// Reads a contractual file, telling the form from the header (see the file comment). Throws
/// `invalid_input` with file:line:column for a header of neither (or both) forms, numbers that do
/// not parse, periods that do not start at 0 or skip or repeat, negative or increasing counts, a
/// cohort without period 1, tenure that is not a whole number >= 1, churned not 0 or 1, weights
/// that are not positive, duplicate ids, and files without data rows.
inline contractual_data read_contractual_csv(const std::filesystem::path& path,
                                             const contractual_csv_options& options = {}) {
    csv_reader reader(path, options.csv);
    const auto& names = reader.columns();
    auto has = [&](const std::string& name) { return std::find(names.begin(), names.end(), name) != names.end(); };
    const bool cohort_form = has(options.period_column) && has(options.active_column);
    const bool customer_form = has(options.tenure_column) && has(options.churned_column);
    if (cohort_form && customer_form)
        throw invalid_input("", "", "the header has the columns of both forms (" + options.period_column + "," +
                                        options.active_column + " and " + options.tenure_column + "," +
                                        options.churned_column + "): keep one form per file",
                            {path.string(), 1, 0});
    if (cohort_form) return detail::read_cohort_counts(reader, options);
    if (customer_form) return detail::read_customers(reader, options);
    // Name the missing column of a half-present form; otherwise say what the forms are.
    if (has(options.period_column) || has(options.active_column))
        (void)reader.column_index(has(options.period_column) ? options.active_column : options.period_column);
    if (has(options.tenure_column) || has(options.churned_column))
        (void)reader.column_index(has(options.tenure_column) ? options.churned_column : options.tenure_column);
    std::string available;
    for (const auto& column : names) available += (available.empty() ? "'" : ", '") + column + "'";
    throw invalid_input("", "", "not a contractual file: expected the columns " + options.period_column + "," +
                                    options.active_column + "[," + options.cohort_column + "] (cohort counts) or " +
                                    options.tenure_column + "," + options.churned_column + "[," + options.weight_column +
                                    "] (one row per customer); found " + available,
                        {path.string(), 1, 0});
}

}  // namespace clv::io
