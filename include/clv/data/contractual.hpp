// Contractual customers (subscriptions renewed period by period) as columns, in the convention of
// Fader & Hardie (2007, "How to project customer retention", J. Interactive Marketing 21(1)).
//
// Periods are numbered 1, 2, ... from acquisition; a customer decides at the end of each period
// whether to renew. T = the period in which the customer cancels (the lifetime in periods), so
// P(T = t) is the chance of cancelling at the end of period t and S(t) = P(T > t) the chance of
// having renewed t times. A record (tenure t, churned c) holds the t renewal decisions observed:
// - churned = 1: renewed t - 1 times, then cancelled at the end of period t (T = t; likelihood P(T = t));
// - churned = 0: renewed t times and is still a customer, now in period t + 1 (right-censored:
//   likelihood S(t)).
// Either way the customer has made t - churned renewals. A customer still in the first period has
// made no decision yet and carries no information; tenure < 1 is rejected.
//
// Cohort counts (FH 2007, Table 1): active[t] = customers of a cohort still active after t renewals
// (active[0] = the cohort size). They are the same data: active[t-1] - active[t] customers have
// T = t, and the active[last] still active are censored at `last`.
#pragma once

#include <clv/core/concepts.hpp>
#include <clv/core/errors.hpp>
#include <clv/data/customer_table.hpp>  // detail::field_location

#include <cmath>
#include <cstddef>
#include <numeric>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_set>
#include <utility>
#include <vector>

namespace clv {

/// One contractual customer (or `weight` identical ones): satisfies `contractual_record` and
/// `weighted_record`.
struct contractual_row {
    double tenure = 1;
    bool churned = false;
    double weight = 1;
};

/// Largest tenure accepted: whole numbers of periods are exact in a double up to 2^53.
inline constexpr double max_tenure = 9007199254740992.0;

/// Throws `invalid_input` unless (tenure, churned, weight) is a possible contractual record: tenure a
/// whole number in [1, 2^53], churned 0 or 1, weight finite and > 0. `where` is a `source_location`
/// or a callable from the field name ("tenure", "churned", "weight") to a `source_location`.
template <class Where = source_location>
void validate_contractual_record(double tenure, double churned, double weight, const Where& where) {
    auto at = [&](const char* field) { return detail::field_location(where, field); };
    if (!std::isfinite(tenure) || tenure < 1 || tenure != std::floor(tenure) || tenure > max_tenure)
        throw invalid_input("tenure", to_message_string(tenure),
                            "tenure must be a whole number of periods >= 1 (renewal decisions observed; a customer "
                            "still in the first period carries no information)",
                            at("tenure"));
    if (!(churned == 0 || churned == 1))
        throw invalid_input("churned", to_message_string(churned), "churned must be 0 (still active) or 1 (cancelled)",
                            at("churned"));
    if (!std::isfinite(weight) || !(weight > 0))
        throw invalid_input("weight", to_message_string(weight), "a weight must be a finite number > 0", at("weight"));
}

/// Contiguous read-only columns of contractual records, the form the sBG likelihood streams over.
/// `churned` holds 0 or 1; `weight` may be empty (every row weighs 1).
struct contractual_columns {
    std::span<const double> tenure;
    std::span<const double> churned;
    std::span<const double> weight;

    [[nodiscard]] std::size_t size() const noexcept { return tenure.size(); }
    [[nodiscard]] double weight_at(std::size_t i) const noexcept { return weight.empty() ? 1.0 : weight[i]; }
    [[nodiscard]] double total_weight() const noexcept {
        return weight.empty() ? static_cast<double>(tenure.size())
                              : std::accumulate(weight.begin(), weight.end(), 0.0);
    }
    [[nodiscard]] contractual_row row(std::size_t i) const { return {tenure[i], churned[i] != 0, weight_at(i)}; }

    /// Throws `invalid_input` for columns of different lengths or any row that fails
    /// `validate_contractual_record`; `source` names the data in messages ("row N" is appended).
    void validate(const std::string& source = "contractual columns") const {
        if (churned.size() != size() || (!weight.empty() && weight.size() != size()))
            throw invalid_input("", std::to_string(size()) + ", " + std::to_string(churned.size()) + ", " +
                                        std::to_string(weight.size()),
                                "tenure, churned and weight columns of different lengths", {source});
        for (std::size_t i = 0; i < size(); ++i)
            validate_contractual_record(tenure[i], churned[i], weight_at(i),
                                        source_location{source + ", row " + std::to_string(i + 1), 0, 0});
    }
};

/// Contractual customers as owned columns. `ids` may be empty strings (anonymous or aggregated
/// rows, such as those made from cohort counts).
struct contractual_table {
    std::vector<std::string> ids;
    std::vector<double> tenure;
    std::vector<double> churned;
    std::vector<double> weight;

    [[nodiscard]] std::size_t size() const noexcept { return tenure.size(); }
    [[nodiscard]] bool empty() const noexcept { return tenure.empty(); }

    void push_back(std::string id, const contractual_row& row) {
        ids.push_back(std::move(id));
        tenure.push_back(row.tenure);
        churned.push_back(row.churned ? 1.0 : 0.0);
        weight.push_back(row.weight);
    }
    [[nodiscard]] contractual_row row(std::size_t i) const { return columns().row(i); }
    [[nodiscard]] contractual_columns columns() const noexcept { return {tenure, churned, weight}; }

    /// Checks that the table is not empty, its columns have equal lengths, every row is a valid
    /// record and non-empty ids are unique. `source` names the table in messages; `first_line`
    /// is the file line of row 0 (0: report "row N" instead).
    void validate(const std::string& source = "contractual table", std::size_t first_line = 0) const {
        if (empty()) throw invalid_input("", "", "no customers: the contractual data are empty", {source});
        if (ids.size() != size() || churned.size() != size() || weight.size() != size())
            throw invalid_input("", "", "id, tenure, churned and weight columns of different lengths", {source});
        std::unordered_set<std::string_view> seen;
        for (std::size_t i = 0; i < size(); ++i) {
            const source_location where = first_line != 0 ? source_location{source, first_line + i, 0}
                                                          : source_location{source + ", row " + std::to_string(i + 1), 0, 0};
            validate_contractual_record(tenure[i], churned[i], weight[i], where);
            if (!ids[i].empty() && !seen.insert(ids[i]).second)
                throw invalid_input("customer_id", ids[i], "duplicate customer id", where);
        }
    }
};

/// Builds a table from any range of records satisfying `contractual_record` (a `weight` member,
/// when present, is kept; see `record_weight`). Every record is validated; `source` names the
/// range in messages.
template <class Range>
    requires contractual_record<std::remove_cvref_t<decltype(*std::begin(std::declval<const Range&>()))>>
contractual_table to_contractual_table(const Range& records, const std::string& source = "contractual records") {
    contractual_table table;
    std::size_t index = 0;
    for (const auto& record : records) {
        ++index;
        const double tenure = static_cast<double>(record.tenure);
        const bool churned = static_cast<bool>(record.churned);
        const double weight = record_weight(record);
        validate_contractual_record(tenure, churned ? 1.0 : 0.0, weight,
                                    source_location{source + ", record " + std::to_string(index), 0, 0});
        table.push_back("", {tenure, churned, weight});
    }
    return table;
}

/// A cohort's observed counts: active[t] = customers still active after t renewals (t = 0 is the
/// cohort size). What `io::read_contractual_csv` returns for cohort files, to set observed survival
/// beside the fitted S(t).
struct cohort_curve {
    std::string cohort;
    std::vector<double> active;

    /// Observed survival active[t] / active[0].
    [[nodiscard]] double survival(std::size_t t) const { return active.at(t) / active.at(0); }
    /// Observed retention active[t] / active[t-1] (t >= 1); 0 when nobody was left to renew.
    [[nodiscard]] double retention(std::size_t t) const {
        return active.at(t - 1) > 0 ? active.at(t) / active.at(t - 1) : 0.0;
    }
    [[nodiscard]] std::size_t last_period() const noexcept { return active.empty() ? 0 : active.size() - 1; }
};

/// Appends one cohort's counts to `table` as weighted records: active[t-1] - active[t] customers
/// churned with tenure t (t = 1..last), active[last] censored with tenure `last`. Rows of weight 0
/// stand for nobody and are not added. Throws `invalid_input` (at `where(t)`, a callable from the
/// period t to the location of active[t]) unless there are at least periods 0 and 1, every count
/// is finite and >= 0, active[0] > 0 and the counts never increase.
template <class Where>
void append_cohort(contractual_table& table, const cohort_curve& counts, const Where& where) {
    const std::vector<double>& active = counts.active;
    if (active.size() < 2)
        throw invalid_input("period", std::to_string(active.size() == 0 ? 0 : active.size() - 1),
                            (counts.cohort.empty() ? std::string("the cohort") : "cohort '" + counts.cohort + "'") +
                                " needs counts for period 0 (the cohort size) and at least period 1",
                            where(active.empty() ? std::size_t{0} : active.size() - 1));
    for (std::size_t t = 0; t < active.size(); ++t) {
        if (!std::isfinite(active[t]) || active[t] < 0)
            throw invalid_input("active", to_message_string(active[t]), "an active count must be a finite number >= 0",
                                where(t));
        if (t == 0 && !(active[0] > 0))
            throw invalid_input("active", to_message_string(active[0]),
                                "the cohort size (period 0) must be > 0", where(t));
        if (t > 0 && active[t] > active[t - 1])
            throw invalid_input("active", to_message_string(active[t]),
                                "active counts must not increase: period " + std::to_string(t) + " has more than period " +
                                    std::to_string(t - 1) + " (" + to_message_string(active[t - 1]) + ")",
                                where(t));
    }
    const std::size_t last = active.size() - 1;
    for (std::size_t t = 1; t <= last; ++t)
        if (active[t - 1] > active[t]) table.push_back("", {static_cast<double>(t), true, active[t - 1] - active[t]});
    if (active[last] > 0) table.push_back("", {static_cast<double>(last), false, active[last]});
}

/// One cohort's counts (`active[t]`, t = 0..last) as a table; see `append_cohort`.
inline contractual_table cohort_counts_table(std::span<const double> active, const std::string& cohort = "") {
    contractual_table table;
    append_cohort(table, cohort_curve{cohort, {active.begin(), active.end()}}, [&](std::size_t t) {
        return source_location{"cohort '" + cohort + "', period " + std::to_string(t), 0, 0};
    });
    return table;
}

}  // namespace clv
