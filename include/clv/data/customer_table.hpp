// Column-oriented customer summaries (struct of arrays) and their compression into weighted
// unique rows. This is what the fitting layer and the predictions stream over.
#pragma once

#include <clv/core/concepts.hpp>
#include <clv/core/errors.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <numeric>
#include <span>
#include <string>
#include <tuple>
#include <type_traits>
#include <unordered_set>
#include <utility>
#include <vector>

namespace clv {

/// One customer of a `customer_table`, as a value satisfying `transaction_record`,
/// `monetary_record` and `weighted_record`.
struct customer_row {
    double frequency = 0;
    double recency = 0;
    double T = 0;
    double monetary_value = 0;
    double weight = 1;
};

namespace detail {
/// `where` is either a `source_location` or a callable giving the location of a named field
/// (file readers map a field to its column), so messages can point at file:line:column.
template <class Where>
source_location field_location(const Where& where, const char* field) {
    if constexpr (std::is_invocable_r_v<source_location, const Where&, const char*>) {
        return where(field);
    } else {
        return where;
    }
}
}  // namespace detail

/// Largest frequency accepted: 2^53, above which doubles no longer hold every integer (and the
/// likelihoods' integer-indexed tables and sums would be undefined).
inline constexpr double max_frequency = 9007199254740992.0;

/// Throws `invalid_input` unless (frequency, recency, T) is a possible transactional summary:
/// all finite and non-negative, frequency a whole number below 2^53, recency <= T, and
/// recency == 0 when frequency == 0.
/// `where` names the row (a `source_location`, or a callable from field name to location).
template <class Where = source_location>
void validate_transaction_summary(double frequency, double recency, double T, const Where& where) {
    auto check_finite_nonnegative = [&](const char* field, double v) {
        if (!std::isfinite(v))
            throw invalid_input(field, to_message_string(v), "must be a finite number", detail::field_location(where, field));
        if (v < 0)
            throw invalid_input(field, to_message_string(v), "must not be negative", detail::field_location(where, field));
    };
    check_finite_nonnegative("frequency", frequency);
    check_finite_nonnegative("recency", recency);
    check_finite_nonnegative("T", T);
    if (frequency != std::floor(frequency))
        throw invalid_input("frequency", to_message_string(frequency), "must be a whole number of repeat purchases",
                            detail::field_location(where, "frequency"));
    if (frequency >= max_frequency)
        throw invalid_input("frequency", to_message_string(frequency), "must be below 2^53 = 9007199254740992",
                            detail::field_location(where, "frequency"));
    if (recency > T)
        throw invalid_input("recency", to_message_string(recency),
                            "recency must not exceed T (" + to_message_string(T) + ")",
                            detail::field_location(where, "recency"));
    if (frequency == 0 && recency != 0)
        throw invalid_input("recency", to_message_string(recency), "a customer with frequency 0 must have recency 0",
                            detail::field_location(where, "recency"));
}

/// Throws `invalid_input` unless `row` is a usable customer: a valid transactional summary,
/// a finite non-negative monetary value and a positive finite weight.
template <class Where = source_location>
void validate_customer_row(const customer_row& row, const Where& where) {
    validate_transaction_summary(row.frequency, row.recency, row.T, where);
    if (!std::isfinite(row.monetary_value) || row.monetary_value < 0)
        throw invalid_input("monetary_value", to_message_string(row.monetary_value),
                            "must not be negative and must be finite", detail::field_location(where, "monetary_value"));
    if (!std::isfinite(row.weight) || row.weight <= 0)
        throw invalid_input("weight", to_message_string(row.weight), "must be positive and finite",
                            detail::field_location(where, "weight"));
}

/// Contiguous read-only columns of transactional summaries, the form every model's summed
/// log-likelihood and batch predictions take. `weight` may be empty (every row weighs 1).
struct transaction_columns {
    std::span<const double> frequency;
    std::span<const double> recency;
    std::span<const double> T;
    std::span<const double> weight;

    [[nodiscard]] std::size_t size() const noexcept { return frequency.size(); }
    [[nodiscard]] double weight_at(std::size_t i) const noexcept { return weight.empty() ? 1.0 : weight[i]; }
    [[nodiscard]] double total_weight() const noexcept {
        return weight.empty() ? static_cast<double>(frequency.size())
                              : std::accumulate(weight.begin(), weight.end(), 0.0);
    }
    /// Weighted mean age T: the data's own time scale (it scales with the unit of time), or 1
    /// when it is 0 or undefined.
    [[nodiscard]] double mean_T() const noexcept {
        double sum = 0, total = 0;
        for (std::size_t i = 0; i < size(); ++i) {
            sum += weight_at(i) * T[i];
            total += weight_at(i);
        }
        const double mean = sum / total;
        return mean > 0 && std::isfinite(mean) ? mean : 1.0;
    }
};

/// Customer summaries as columns. Holdout columns are filled only when the summary was built
/// with a calibration/holdout split; `monetary_value` is the mean value of repeat purchases
/// (0 for customers without repeat purchases).
struct customer_table {
    std::vector<std::string> ids;
    std::vector<double> frequency;
    std::vector<double> recency;
    std::vector<double> T;
    std::vector<double> monetary_value;
    std::vector<double> weight;
    std::vector<double> frequency_holdout;
    std::vector<double> monetary_value_holdout;
    std::vector<double> duration_holdout;

    [[nodiscard]] std::size_t size() const noexcept { return frequency.size(); }
    [[nodiscard]] bool empty() const noexcept { return frequency.empty(); }
    [[nodiscard]] bool has_holdout() const noexcept { return !frequency_holdout.empty(); }

    /// Appends a customer; the id is optional (an empty string) for anonymous rows.
    void push_back(std::string id, const customer_row& row) {
        ids.push_back(std::move(id));
        frequency.push_back(row.frequency);
        recency.push_back(row.recency);
        T.push_back(row.T);
        monetary_value.push_back(row.monetary_value);
        weight.push_back(row.weight);
    }

    [[nodiscard]] customer_row row(std::size_t i) const {
        return {frequency[i], recency[i], T[i], monetary_value.empty() ? 0.0 : monetary_value[i],
                weight.empty() ? 1.0 : weight[i]};
    }

    [[nodiscard]] transaction_columns columns() const noexcept { return {frequency, recency, T, weight}; }

    /// Checks that every non-empty column has one entry per customer, every row (see
    /// `validate_customer_row`), that ids are unique, and that the table is not empty. `source` names the table in messages (e.g. the file it came from);
    /// `first_line` is the line of row 0 in that file (0: report "row N" instead).
    void validate(const std::string& source = "customer table", std::size_t first_line = 0) const {
        if (empty()) throw invalid_input("", "", "no customers: the summary is empty", {source});
        check_column_lengths(source);
        auto where = [&](std::size_t i) {
            return first_line != 0 ? source_location{source, first_line + i, 0}
                                   : source_location{source + ", row " + std::to_string(i + 1), 0, 0};
        };
        std::unordered_set<std::string_view> seen;
        for (std::size_t i = 0; i < size(); ++i) {
            validate_customer_row(row(i), where(i));
            if (i < ids.size() && !ids[i].empty() && !seen.insert(ids[i]).second)
                throw invalid_input("customer_id", ids[i], "duplicate customer id", where(i));
        }
    }

    /// Throws `invalid_input` naming the first non-empty column whose length differs from the
    /// number of customers (`frequency`): such a table would be read past its end.
    void check_column_lengths(const std::string& source = "customer table") const {
        const std::pair<const char*, std::size_t> columns[] = {
            {"customer_id", ids.size()},        {"recency", recency.size()},
            {"T", T.size()},                    {"monetary_value", monetary_value.size()},
            {"weight", weight.size()},          {"frequency_holdout", frequency_holdout.size()},
            {"monetary_value_holdout", monetary_value_holdout.size()},
            {"duration_holdout", duration_holdout.size()}};
        for (const auto& [field, length] : columns)
            if (length != 0 && length != size())
                throw invalid_input(field, std::to_string(length),
                                    "column length differs from the number of customers (" +
                                        std::to_string(size()) + " frequencies)",
                                    {source});
    }
};

/// A compressed table: one weighted row per distinct (frequency, recency, T), and for every
/// original customer the index of its unique row, so predictions map back.
struct compressed_table {
    customer_table unique;
    std::vector<std::size_t> row_of_customer;
};

/// Merges customers with identical (frequency, recency, T) into weighted rows (weights add up),
/// in ascending (frequency, recency, T) order. Monetary values are not kept: compression is for
/// the transaction models, which ignore spend. Sorting an index is O(n log n) with no per-row
/// allocation, a few times faster than a tree or hash map of rows on 10^6 customers.
inline compressed_table compress(const customer_table& table) {
    const std::size_t n = table.size();
    compressed_table out;
    out.row_of_customer.resize(n);
    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), std::size_t{0});
    auto key = [&](std::size_t i) { return std::make_tuple(table.frequency[i], table.recency[i], table.T[i]); };
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return key(a) < key(b); });
    for (std::size_t k = 0; k < n; ++k) {
        const std::size_t i = order[k];
        const double w = table.weight.empty() ? 1.0 : table.weight[i];
        if (k == 0 || key(order[k - 1]) != key(i)) {
            out.unique.push_back("", {table.frequency[i], table.recency[i], table.T[i], 0.0, w});
        } else {
            out.unique.weight.back() += w;
        }
        out.row_of_customer[i] = out.unique.size() - 1;
    }
    return out;
}

}  // namespace clv
