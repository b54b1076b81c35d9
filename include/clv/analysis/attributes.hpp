// What the analyses know about customers beyond their purchase summary: attribute or survey
// columns joined to a customer table by customer id, the products each customer bought, and the
// design matrix a regression on attributes needs. Joins count what did not match, in both
// directions, and refuse a join where nothing matches (almost always the wrong id column or an id
// format that differs, e.g. leading zeros).
#pragma once

#include <clv/core/errors.hpp>
#include <clv/core/statistics.hpp>
#include <clv/data/customer_table.hpp>
#include <clv/io/csv_reader.hpp>

#include <Eigen/Dense>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <filesystem>
#include <limits>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace clv {

/// Finds a customer's position in a `customer_table` by id. The table must have unique,
/// non-empty ids (a table from a transaction log has them).
class customer_index {
public:
    explicit customer_index(const customer_table& customers) {
        if (customers.ids.size() != customers.size() || customers.empty())
            throw invalid_input("customer_id", "", "joining by customer id needs a customer table with an id for every customer",
                                {"customer table"});
        positions_.reserve(customers.size());
        for (std::size_t i = 0; i < customers.size(); ++i) {
            if (customers.ids[i].empty())
                throw invalid_input("customer_id", "", "empty customer id", {"customer table, row " + std::to_string(i + 1)});
            if (!positions_.emplace(customers.ids[i], i).second)
                throw invalid_input("customer_id", customers.ids[i], "duplicate customer id",
                                    {"customer table, row " + std::to_string(i + 1)});
        }
    }
    [[nodiscard]] std::optional<std::size_t> find(const std::string& id) const {
        const auto it = positions_.find(id);
        if (it == positions_.end()) return std::nullopt;
        return it->second;
    }
    [[nodiscard]] std::size_t size() const noexcept { return positions_.size(); }

private:
    std::unordered_map<std::string, std::size_t> positions_;
};

/// One attribute or survey column, one entry per customer of the table it was joined to. Numeric
/// columns hold numbers (NaN: missing); categorical columns hold labels ("": missing).
struct attribute_column {
    std::string name;
    bool numeric = false;
    std::vector<double> numbers;
    std::vector<std::string> labels;

    [[nodiscard]] std::size_t size() const noexcept { return numeric ? numbers.size() : labels.size(); }
    [[nodiscard]] bool missing(std::size_t i) const { return numeric ? std::isnan(numbers[i]) : labels[i].empty(); }
};

/// How a join went: rows read, rows whose id matched a customer, rows whose id matched none (with
/// up to 5 examples) and customers that no row describes (their values are missing).
struct join_summary {
    std::string source;
    std::size_t rows = 0, matched = 0, unmatched_rows = 0, customers_without_row = 0;
    std::vector<std::string> unmatched_examples;
};

/// Attribute columns aligned with a customer table, and how the join went.
struct customer_attributes {
    std::vector<attribute_column> columns;
    join_summary join;
    std::size_t customers = 0;

    /// The column called `name`; throws `invalid_input` listing the columns there are.
    [[nodiscard]] const attribute_column& column(std::string_view name) const {
        for (const auto& c : columns)
            if (c.name == name) return c;
        std::string names;
        for (const auto& c : columns) names += (names.empty() ? "'" : ", '") + c.name + "'";
        throw invalid_input("column", std::string(name), "no such attribute; there are: " + names, {join.source});
    }
};

/// Rows keyed by customer id, as text: what a CSV file or a binding's data frame holds.
/// `cells[c][r]` is column c of row r; `lines` (optional) gives each row's file line for messages.
struct attribute_rows {
    std::string source = "attributes";
    std::vector<std::string> ids;
    std::vector<std::string> column_names;
    std::vector<std::vector<std::string>> cells;
    std::vector<std::size_t> lines;
};

/// Options of a join: `id_column` names the id column of a file; columns named in `categorical`
/// stay categorical even when every value is a number (codes such as a postcode or a cohort year).
/// A column is numeric when every non-empty cell is a number.
struct attribute_join_options {
    std::string id_column = "customer_id";
    std::vector<std::string> categorical;
    io::csv_options csv{};
};

namespace detail {
inline source_location attribute_row_location(const attribute_rows& rows, std::size_t r, std::size_t column = 0) {
    if (r < rows.lines.size()) return {rows.source, rows.lines[r], column};
    return {rows.source + ", row " + std::to_string(r + 1), 0, 0};
}

/// True when every non-empty cell is a number (parsed as io::parse_number does).
inline bool all_cells_numeric(const std::vector<std::string>& cells) {
    try {
        for (const auto& cell : cells)
            if (!cell.empty()) (void)io::parse_number(cell, "", source_location{});
    } catch (const invalid_input&) {
        return false;
    }
    return true;
}
}  // namespace detail

/// Joins `rows` to `customers` by id. Every column gets one entry per customer (missing for
/// customers no row describes). Throws `invalid_input` for a duplicate id in the rows, a ragged
/// row, or when no id matches any customer; otherwise the unmatched counts are in `join`.
inline customer_attributes join_attributes(const customer_table& customers, const attribute_rows& rows,
                                           const attribute_join_options& options = {}) {
    const customer_index index(customers);
    if (rows.cells.size() != rows.column_names.size())
        throw invalid_input("columns", std::to_string(rows.cells.size()), "one cell vector per column name is needed", {rows.source});
    if (rows.column_names.empty())
        throw invalid_input("columns", "", "there is no column besides the customer id to join", {rows.source});
    for (std::size_t c = 0; c < rows.cells.size(); ++c)
        if (rows.cells[c].size() != rows.ids.size())
            throw invalid_input(rows.column_names[c], std::to_string(rows.cells[c].size()),
                                "column length differs from the number of ids (" + std::to_string(rows.ids.size()) + ")",
                                {rows.source});
    customer_attributes out;
    out.customers = customers.size();
    out.join.source = rows.source;
    out.join.rows = rows.ids.size();
    std::vector<std::size_t> customer_of_row(rows.ids.size(), customers.size());
    std::vector<std::size_t> row_of_customer(customers.size(), rows.ids.size());
    for (std::size_t r = 0; r < rows.ids.size(); ++r) {
        const auto found = index.find(rows.ids[r]);
        if (!found) {
            ++out.join.unmatched_rows;
            if (out.join.unmatched_examples.size() < 5) out.join.unmatched_examples.push_back(rows.ids[r]);
            continue;
        }
        if (row_of_customer[*found] != rows.ids.size())
            throw invalid_input("customer_id", rows.ids[r],
                                "duplicate id: the customer is already described on " +
                                    detail::attribute_row_location(rows, row_of_customer[*found]).str(),
                                detail::attribute_row_location(rows, r, 1));
        row_of_customer[*found] = r;
        customer_of_row[r] = *found;
        ++out.join.matched;
    }
    if (out.join.matched == 0)
        throw invalid_input("customer_id", rows.ids.empty() ? "" : rows.ids.front(),
                            "none of the " + std::to_string(rows.ids.size()) + " ids matches a customer of the summary (" +
                                std::to_string(customers.size()) + " customers, e.g. '" + customers.ids.front() +
                                "'): check the id column and the id format (leading zeros, prefixes)",
                            {rows.source});
    out.join.customers_without_row = customers.size() - out.join.matched;
    for (std::size_t c = 0; c < rows.column_names.size(); ++c) {
        attribute_column column;
        column.name = rows.column_names[c];
        const bool forced = std::find(options.categorical.begin(), options.categorical.end(), column.name) != options.categorical.end();
        column.numeric = !forced && detail::all_cells_numeric(rows.cells[c]);
        if (column.numeric) column.numbers.assign(customers.size(), std::numeric_limits<double>::quiet_NaN());
        else column.labels.assign(customers.size(), std::string());
        for (std::size_t r = 0; r < rows.ids.size(); ++r) {
            const std::size_t i = customer_of_row[r];
            if (i == customers.size() || rows.cells[c][r].empty()) continue;
            if (column.numeric) column.numbers[i] = io::parse_number(rows.cells[c][r], column.name, source_location{});
            else column.labels[i] = rows.cells[c][r];
        }
        out.columns.push_back(std::move(column));
    }
    return out;
}

/// Reads an attributes or survey CSV (an id column named `options.id_column` and any other
/// columns) and joins it to `customers` (see `join_attributes`; messages give file:line:column).
inline customer_attributes read_attributes_csv(const std::filesystem::path& path, const customer_table& customers,
                                               const attribute_join_options& options = {}) {
    io::csv_reader reader(path, options.csv);
    const std::size_t id_column = reader.column_index(options.id_column);
    attribute_rows rows;
    rows.source = reader.file_name();
    for (std::size_t c = 0; c < reader.columns().size(); ++c)
        if (c != id_column) rows.column_names.push_back(reader.columns()[c]);
    rows.cells.resize(rows.column_names.size());
    io::csv_row row;
    while (reader.next(row)) {
        std::string id(row[id_column]);
        if (id.empty()) throw invalid_input(options.id_column, "", "empty customer id", row.where(id_column));
        rows.ids.push_back(std::move(id));
        rows.lines.push_back(row.line());
        for (std::size_t c = 0, k = 0; c < row.size(); ++c)
            if (c != id_column) rows.cells[k++].emplace_back(row[c]);
    }
    if (rows.ids.empty()) throw invalid_input("", "", "the file has a header but no rows", {rows.source});
    return join_attributes(customers, rows, options);
}

// ---------------------------------------------------------------- products bought

/// The products (or categories) of a transaction log, one entry per purchase line: the position of
/// the buyer in the customer table, the product, and optionally the line's amount. The caller reads
/// the log (any file layout) and decides which lines count (e.g. calibration period only).
struct product_purchases {
    std::vector<std::size_t> customer;
    std::vector<std::string> product;
    std::vector<double> amount;  ///< empty, or one per line

    /// Throws `invalid_input` when there are no lines (no product column was read), lengths differ,
    /// an index is outside the table, or an amount is negative or not finite.
    void validate(std::size_t customers, const std::string& where = "product analysis") const {
        if (product.empty())
            throw invalid_input("product", "",
                                "no product lines: this analysis needs a transaction log with a product or category "
                                "column (name it, e.g. --product-col)",
                                {where});
        if (customer.size() != product.size() || (!amount.empty() && amount.size() != product.size()))
            throw invalid_input("product", std::to_string(product.size()),
                                "customer, product and amount need one entry per purchase line", {where});
        for (std::size_t k = 0; k < customer.size(); ++k) {
            if (customer[k] >= customers)
                throw invalid_input("customer", std::to_string(customer[k]),
                                    "no such customer (the table has " + std::to_string(customers) + ")",
                                    {where + ", line " + std::to_string(k + 1)});
            if (product[k].empty())
                throw invalid_input("product", "", "empty product name", {where + ", line " + std::to_string(k + 1)});
            if (!amount.empty() && (!std::isfinite(amount[k]) || amount[k] < 0))
                throw invalid_input("amount", to_message_string(amount[k]), "must be finite and >= 0",
                                    {where + ", line " + std::to_string(k + 1)});
        }
    }
};

/// Each customer's set of distinct products as indices into `products` (sorted names): the
/// customer-level baskets the co-purchase and share analyses count.
struct product_baskets {
    std::vector<std::string> products;
    std::vector<std::vector<std::size_t>> of_customer;  ///< sorted, distinct product indices
    std::vector<double> lines;                          ///< purchase lines per product
    std::vector<double> mean_amount;                    ///< mean amount per line per product (NaN without amounts)
};

/// Groups purchase lines into baskets (validates first).
inline product_baskets make_baskets(const product_purchases& log, std::size_t customers) {
    log.validate(customers);
    product_baskets out;
    std::map<std::string, std::size_t> ids;
    for (const auto& p : log.product) ids.emplace(p, 0);
    for (auto& [name, id] : ids) {
        id = out.products.size();
        out.products.push_back(name);
    }
    out.of_customer.resize(customers);
    out.lines.assign(out.products.size(), 0.0);
    std::vector<double> amount(out.products.size(), 0.0);
    for (std::size_t k = 0; k < log.product.size(); ++k) {
        const std::size_t p = ids[log.product[k]];
        out.of_customer[log.customer[k]].push_back(p);
        out.lines[p] += 1;
        if (!log.amount.empty()) amount[p] += log.amount[k];
    }
    for (auto& basket : out.of_customer) {
        std::sort(basket.begin(), basket.end());
        basket.erase(std::unique(basket.begin(), basket.end()), basket.end());
    }
    out.mean_amount.resize(out.products.size());
    for (std::size_t p = 0; p < out.products.size(); ++p)
        out.mean_amount[p] = log.amount.empty() ? std::numeric_limits<double>::quiet_NaN() : amount[p] / out.lines[p];
    return out;
}

// ---------------------------------------------------------------- regression designs

/// A regression design from attributes: an intercept, numeric columns as they are, categorical
/// columns as 0/1 indicators of every level but the most frequent one (the reference, named in
/// `reference_levels`). Customers with a missing value in any used column are left out and counted.
struct attribute_design {
    Eigen::MatrixXd x;
    std::vector<std::string> names;                 ///< "(intercept)", "income", "channel=web", ...
    std::vector<std::size_t> customers;             ///< the customer of each design row
    std::vector<std::string> reference_levels;      ///< "channel=store" for each categorical column
    std::size_t left_out_missing = 0;
};

/// Builds the design over the customers with `use[i]` true (all when empty) from the columns
/// named in `column_names` (all when empty). A categorical column with more than `max_levels`
/// levels is refused (an id-like column would add a term per customer).
inline attribute_design make_design(const customer_attributes& attributes, const std::vector<std::string>& column_names = {},
                                    const std::vector<bool>& use = {}, std::size_t max_levels = 30) {
    std::vector<const attribute_column*> columns;
    if (column_names.empty())
        for (const auto& c : attributes.columns) columns.push_back(&c);
    else
        for (const auto& name : column_names) columns.push_back(&attributes.column(name));
    if (!use.empty() && use.size() != attributes.customers)
        throw invalid_input("selection", std::to_string(use.size()),
                            "one entry per customer is needed (" + std::to_string(attributes.customers) + ")", {"regression design"});
    attribute_design out;
    for (std::size_t i = 0; i < attributes.customers; ++i) {
        if (!use.empty() && !use[i]) continue;
        const bool complete = std::none_of(columns.begin(), columns.end(), [&](const auto* c) { return c->missing(i); });
        if (complete) out.customers.push_back(i);
        else ++out.left_out_missing;
    }
    out.names.push_back("(intercept)");
    std::vector<std::vector<double>> terms;
    for (const auto* c : columns) {
        if (c->numeric) {
            out.names.push_back(c->name);
            auto& term = terms.emplace_back();
            for (std::size_t i : out.customers) term.push_back(c->numbers[i]);
            continue;
        }
        std::map<std::string, std::size_t> counts;
        for (std::size_t i : out.customers) ++counts[c->labels[i]];
        if (counts.size() > max_levels)
            throw invalid_input(c->name, std::to_string(counts.size()) + " levels",
                                "too many categories for a regression term (at most " + std::to_string(max_levels) +
                                    "): leave the column out or group its levels",
                                {"regression design"});
        const auto reference = std::max_element(counts.begin(), counts.end(), [](const auto& a, const auto& b) {
            return a.second < b.second;  // first most frequent in name order
        });
        if (reference == counts.end()) continue;
        out.reference_levels.push_back(c->name + "=" + reference->first);
        for (const auto& [level, count] : counts) {
            if (level == reference->first) continue;
            out.names.push_back(c->name + "=" + level);
            auto& term = terms.emplace_back();
            for (std::size_t i : out.customers) term.push_back(c->labels[i] == level ? 1.0 : 0.0);
        }
    }
    if (out.customers.empty())
        throw invalid_input("customers", "0", "no customer has a value in every column of the regression", {"regression design"});
    out.x.resize(static_cast<Eigen::Index>(out.customers.size()), static_cast<Eigen::Index>(out.names.size()));
    out.x.col(0).setOnes();
    for (std::size_t t = 0; t < terms.size(); ++t)
        out.x.col(static_cast<Eigen::Index>(t + 1)) = Eigen::Map<const Eigen::VectorXd>(terms[t].data(), static_cast<Eigen::Index>(terms[t].size()));
    return out;
}

/// A regression of a per-customer outcome on attributes, with the design it was fitted on (term
/// names, reference levels, customers left out for a missing value).
struct attribute_regression {
    stats::regression_result model;
    std::vector<std::string> reference_levels;
    std::size_t left_out_missing = 0;
};

namespace detail {
template <class Fit>
attribute_regression regress_on_attributes(const customer_attributes& attributes, std::span<const double> outcome,
                                           const std::vector<std::string>& columns, Fit fit) {
    if (outcome.size() != attributes.customers)
        throw invalid_input("outcome", std::to_string(outcome.size()),
                            "one outcome per customer is needed (" + std::to_string(attributes.customers) + ")",
                            {"regression on attributes"});
    std::vector<bool> known(outcome.size());
    for (std::size_t i = 0; i < outcome.size(); ++i) known[i] = !std::isnan(outcome[i]);
    const attribute_design design = make_design(attributes, columns, known);
    Eigen::VectorXd y(static_cast<Eigen::Index>(design.customers.size()));
    for (std::size_t r = 0; r < design.customers.size(); ++r) y[static_cast<Eigen::Index>(r)] = outcome[design.customers[r]];
    const auto unknown = static_cast<std::size_t>(std::count(known.begin(), known.end(), false));
    return {fit(design.x, y, design.names), design.reference_levels, design.left_out_missing + unknown};
}
}  // namespace detail

/// Least squares of `outcome` (one per customer; NaN: left out) on the attribute columns named
/// in `columns` (all when empty), see stats::ordinary_least_squares and `make_design`.
inline attribute_regression least_squares_on_attributes(const customer_attributes& attributes, std::span<const double> outcome,
                                                        const std::vector<std::string>& columns = {}, double level = 0.95) {
    return detail::regress_on_attributes(attributes, outcome, columns, [&](const auto& x, const auto& y, const auto& names) {
        return stats::ordinary_least_squares(x, y, names, level);
    });
}

/// Logistic regression of a 0/1 `outcome` (one per customer; NaN: left out) on attribute columns,
/// see stats::logistic_regression and `make_design`.
inline attribute_regression logistic_on_attributes(const customer_attributes& attributes, std::span<const double> outcome,
                                                   const std::vector<std::string>& columns = {}, double level = 0.95) {
    return detail::regress_on_attributes(attributes, outcome, columns, [&](const auto& x, const auto& y, const auto& names) {
        return stats::logistic_regression(x, y, names, level);
    });
}

}  // namespace clv
