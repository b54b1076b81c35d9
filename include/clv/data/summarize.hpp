// Transaction log -> one row per customer (frequency, recency, T, monetary value), optionally
// split into a calibration and a holdout period.
//
// The conventions are those of Python lifetimes (`summary_data_from_transaction_data`,
// `calibration_and_holdout_data`) and of R BTYD (`elog2cbs`), which agree:
// - purchases in the same period (a day by default) are one transaction, their amounts summed;
// - frequency = number of purchase periods after the first one (repeat transactions);
// - recency = time from the first to the last purchase period (0 when frequency is 0);
// - T = time from the first purchase period to the end of the (calibration) observation;
// - monetary_value = mean total of the repeat periods (0 when frequency is 0), lifetimes' default
//   of leaving the first purchase out, as the Gamma-Gamma model requires;
// - holdout: frequency_holdout = purchase periods in (calibration end, observation end],
//   monetary_value_holdout = their mean total (0 if none), duration_holdout = the holdout length.
// With CDNOW_sample.txt this reproduces BTYD's cdnowSummary$cbs exactly (see tests/test_summarize.cpp).
#pragma once

#include <clv/core/calendar.hpp>
#include <clv/core/errors.hpp>
#include <clv/core/time_unit.hpp>
#include <clv/core/location.hpp>
#include <clv/data/customer_table.hpp>
#include <clv/data/detail/rows_by_customer.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <ranges>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace clv {

inline constexpr double days_per_week = time_unit::days_per_week;
/// The mean Gregorian month, 365.25 / 12 days. lifetimes' freq='M' instead counts calendar-month
/// boundaries between dates; a fixed length keeps every unit a plain rescaling of days, so a
/// model fitted in days and one fitted in months describe the same customers.
inline constexpr double days_per_month = time_unit::days_per_month;

/// Length in days of a time unit (`time_unit::parse`: day, week, month, year or a positive number
/// of days); the program's --time-unit for summaries.
inline double parse_time_unit(std::string_view text) { return time_unit::parse(text, "--time-unit").days; }

/// What a negative amount (a refund or cancellation) in a transaction log means.
enum class negative_amounts {
    error,  ///< the log is rejected at the first negative amount (the default: nothing is guessed)
    drop,   ///< rows with a negative amount are left out, as if absent from the log (and counted)
    /// Amounts are summed into their period's net total. A period that holds a negative amount and
    /// whose net total is zero or less is not a transaction (the refund cancelled the purchase): it
    /// counts neither as the first purchase nor as a repeat, and its total is not spend. A period
    /// without negative amounts counts as usual even when its total is 0 (free orders, logs
    /// without amounts), so a log without refunds gives the same summary as with `error`.
    net,
};

/// "error", "drop" or "net" (the program's --negative-amounts).
inline negative_amounts parse_negative_amounts(std::string_view text) {
    if (text == "error") return negative_amounts::error;
    if (text == "drop") return negative_amounts::drop;
    if (text == "net") return negative_amounts::net;
    throw invalid_input("negative amounts", std::string(text), "expected error, drop or net");
}

/// How transactions become a summary. Dates are day numbers (days since 1970-01-01, see
/// clv/io/dates.hpp); both ends are inclusive.
struct summary_options {
    double unit_days = 1.0;          ///< length of the output time unit in days (7: weeks)
    std::int64_t period_days = 1;    ///< purchases in the same block of this many days (counted from
                                     ///< 1970-01-01) are one transaction; 1 = same day, as lifetimes' 'D'
    std::optional<std::int64_t> observation_end;  ///< default: the last date in the log; later rows are ignored
    std::optional<std::int64_t> calibration_end;  ///< when set: calibration summary plus holdout columns
    negative_amounts negative = negative_amounts::error;  ///< refunds: see `negative_amounts`

    /// Throws `invalid_input` for a non-positive unit or period, or a calibration end after the
    /// observation end.
    void check() const {
        if (!std::isfinite(unit_days) || unit_days <= 0)
            throw invalid_input("time unit", to_message_string(unit_days), "must be a positive number of days");
        if (period_days < 1)
            throw invalid_input("period", std::to_string(period_days), "must be at least one day");
        if (observation_end && calibration_end && *calibration_end > *observation_end)
            throw invalid_input("calibration end", iso_date(*calibration_end),
                                "is after the observation end " + iso_date(*observation_end));
    }
};

/// What a summary left out by design, so that a caller can say it (nothing disappears silently).
struct summary_report {
    std::size_t rows_used = 0;                    ///< rows that went into the summary
    std::size_t rows_after_observation_end = 0;   ///< dated after the observation end
    std::size_t rows_of_late_customers = 0;       ///< rows of `late_customers`
    std::size_t late_customers = 0;               ///< customers whose first purchase is after the calibration end
    std::size_t negative_rows_dropped = 0;        ///< negative amounts left out (negative_amounts::drop)
    std::size_t periods_netted_out = 0;           ///< periods cancelled by refunds (negative_amounts::net)
    std::size_t customers_netted_out = 0;         ///< customers left without any purchase (negative_amounts::net)
    std::int64_t observation_end = 0;             ///< the observation end used (day number)
};

/// Builds a summary from transactions fed one at a time, in any order, in one pass over them in
/// the common cases.
///
/// It starts by streaming: each customer keeps running totals (memory per customer), exact while
/// every customer's rows come in date order (logs written in time order or grouped by customer).
/// At the first row dated before its customer's latest period the rows are needed: `add` returns
/// false, and the caller feeds every row again (`summarize_in_passes` does this). They are then kept
/// compactly (customer index, period, amount: 16 bytes a row, grouped by blocks of customers) and
/// reduced per customer after a stable sort by period. Both ways sum each customer's amounts in the
/// same order, so they give the same summary, to the bit. In a log whose order is random the first
/// out-of-order row comes within a few rows, so the file is read once in practice.
class transaction_summarizer {
public:
    explicit transaction_summarizer(summary_options options, std::string amount_field = "amount")
        : options_(options), amount_field_(std::move(amount_field)) {
        options_.check();
    }

    /// Adds one purchase of `amount` (finite; negative per `summary_options::negative`) on day
    /// number `day`. `where` (a source_location or a callable returning one) is used only in error
    /// messages. Returns false when the caller must stop and feed every row again from the first.
    template <location_source Where>
    [[nodiscard]] bool add(std::string_view customer, std::int64_t day, double amount, const Where& where) {
        if (!std::isfinite(amount) || (amount < 0 && options_.negative == negative_amounts::error)) {
            throw invalid_input(amount_field_, to_message_string(amount),
                                std::isfinite(amount) ? "negative amount (a refund? to keep such logs, choose "
                                                        "--negative-amounts drop or net)"
                                                      : "must be a finite amount",
                                locate(where));
        }
        if (customer.empty()) throw invalid_input("customer", "", "empty customer id", locate(where));
        if (day < -max_day || day > max_day)
            throw invalid_input("date", std::to_string(day), "day number out of range", locate(where));
        if (amount < 0 && options_.negative == negative_amounts::drop) {
            ++report_.negative_rows_dropped;
            return true;
        }
        if (options_.observation_end && day > *options_.observation_end) {
            ++report_.rows_after_observation_end;
            return true;
        }
        const std::int32_t period = period_of(day);
        if (phase_ == phase::locating) {
            if (customer == culprit_id_) culprit_rows_.push_back({period, amount, locate(where)});
            return true;
        }
        last_day_ = std::max(last_day_.value_or(day), day);
        ++report_.rows_used;
        const auto [index, inserted] = ids_.insert(customer);
        if (phase_ == phase::collecting) {
            rows_.append({index, period, amount});
            return true;
        }
        if (inserted) histories_.emplace_back();
        history& h = histories_[index];
        if (h.open != none && period < h.open) {
            start_collecting();
            return false;
        }
        if (!add_to_history(h, period, amount)) throw overflow(customer, period, amount, locate(where));
        return true;
    }

    /// True when the caller must feed every row again: after `add` returned false (the rows are
    /// needed), or when a sum overflowed while rows were reduced (the row to blame is looked for).
    /// Throws the overflow's `invalid_input` after the pass that located it.
    [[nodiscard]] bool needs_another_pass() {
        if (restart_pending_) {
            restart_pending_ = false;
            return true;
        }
        if (phase_ == phase::collecting && !reduced_) return reduce_collected_rows();
        if (phase_ == phase::locating) throw located_overflow();
        return false;
    }

    /// The summary, customers in order of their first (counted) row. Customers whose first
    /// purchase is after the calibration end are left out (lifetimes and BTYD do the same), and
    /// counted in `report()`. Throws `invalid_input` when no customer is left.
    [[nodiscard]] customer_table finish() {
        if (phase_ == phase::streaming) {
            const std::int32_t end_period = start_table();
            for (std::size_t i = 0; i < histories_.size(); ++i) append_customer(i, histories_[i], end_period);
            histories_ = {};
        }
        if (table_.empty()) {
            throw invalid_input("", "", "no customer made a first purchase on or before " +
                                            iso_date(options_.calibration_end.value_or(report_.observation_end)));
        }
        return std::move(table_);
    }

    /// Starts loading what `add` will look up for `customer` (cache misses on large logs), so that
    /// a reader can do other work meanwhile. Optional, in two stages a few rows apart: the id's
    /// slot in the lookup table, then (`deep`, once the slot has arrived) the customer's totals.
    void prefetch(std::string_view customer, bool deep = false) const noexcept {
        if (phase_ == phase::locating) return;
        if (!deep) {
            ids_.prefetch(customer);
        } else if (phase_ == phase::streaming) {
            if (const auto index = ids_.find(customer); index && *index < histories_.size())
                __builtin_prefetch(&histories_[*index]);
        }
    }

    /// What was left out, valid after `finish`.
    [[nodiscard]] const summary_report& report() const noexcept { return report_; }

private:
    static constexpr std::int32_t none = std::numeric_limits<std::int32_t>::min();
    static constexpr std::int64_t max_day = std::numeric_limits<std::int32_t>::max();
    enum class phase { streaming, collecting, locating };

    // One customer's purchase periods, fed in period order: totals of the periods counted so far
    // and the open (latest) period, which counts or not once its net total is known.
    struct history {
        std::int32_t first = none;             // first counted purchase period
        std::int32_t open = none;              // latest period seen, not yet counted
        std::int32_t last_calibration = none;  // latest repeat period in the calibration period
        std::uint32_t calibration_count = 0;   // repeat periods in the calibration period
        std::uint32_t holdout_count = 0;
        std::uint32_t rows = 0;
        double open_total = 0;
        double calibration_sum = 0;            // spend in repeat periods of the calibration period
        double holdout_sum = 0;
        bool open_has_refund = false;
    };
    struct located_row {
        std::int32_t period;
        double amount;
        source_location where;
    };

    [[nodiscard]] std::int32_t period_of(std::int64_t day) const noexcept {
        const std::int64_t k = options_.period_days;
        return static_cast<std::int32_t>(day >= 0 ? day / k : -((-day + k - 1) / k));  // floor division
    }
    [[nodiscard]] bool in_calibration(std::int32_t period) const noexcept {
        return !options_.calibration_end || period <= period_of(*options_.calibration_end);
    }

    // Adds a row of a period no earlier than h.open; false when a sum it enters is not finite.
    bool add_to_history(history& h, std::int32_t period, double amount) {
        if (period != h.open) {
            close_period(h);
            h.open = period;
        }
        ++h.rows;
        h.open_total += amount;
        h.open_has_refund = h.open_has_refund || amount < 0;
        if (!std::isfinite(h.open_total)) return false;
        if (h.first == none) return true;  // the open period would be the first: not spend
        return std::isfinite((in_calibration(period) ? h.calibration_sum : h.holdout_sum) + h.open_total);
    }

    // Counts the open period (see negative_amounts::net for when a refunded one does not count).
    void close_period(history& h) {
        if (h.open == none) return;
        if (h.open_total <= 0 && h.open_has_refund) {
            ++report_.periods_netted_out;
        } else if (h.first == none) {
            h.first = h.open;
        } else if (in_calibration(h.open)) {
            ++h.calibration_count;
            h.calibration_sum += h.open_total;
            h.last_calibration = h.open;
        } else {
            ++h.holdout_count;
            h.holdout_sum += h.open_total;
        }
        h.open = none;
        h.open_total = 0;
        h.open_has_refund = false;
    }

    invalid_input overflow(std::string_view customer, std::int32_t period, double amount, source_location where) const {
        return invalid_input(amount_field_, to_message_string(amount),
                             "the amounts of customer '" + std::string(customer) + "' up to " +
                                 iso_date(std::int64_t{period} * options_.period_days) +
                                 " sum to more than a double can hold",
                             std::move(where));
    }

    void start_collecting() {
        phase_ = phase::collecting;
        restart_pending_ = true;
        histories_ = {};
        ids_ = {};
        report_ = {};
        last_day_.reset();
    }

    // The observation end and the last period of the calibration; prepares the table.
    std::int32_t start_table() {
        if (!last_day_) throw invalid_input("", "", "no transactions on or before the observation end");
        report_.observation_end = options_.observation_end.value_or(*last_day_);
        if (options_.calibration_end && *options_.calibration_end > report_.observation_end) {
            throw invalid_input("calibration end", iso_date(*options_.calibration_end),
                                "is after the observation end " + iso_date(report_.observation_end));
        }
        table_ = {};
        const std::size_t customers = ids_.size();
        for (auto* column : {&table_.frequency, &table_.recency, &table_.T, &table_.monetary_value, &table_.weight})
            column->reserve(customers);
        table_.ids.reserve(customers);
        return period_of(options_.calibration_end.value_or(report_.observation_end));
    }

    void append_customer(std::size_t index, history& h, std::int32_t end_period) {
        close_period(h);
        if (h.first == none) {
            ++report_.customers_netted_out;
            return;
        }
        if (h.first > end_period) {
            ++report_.late_customers;
            report_.rows_of_late_customers += h.rows;
            return;
        }
        // Days first, then one division: 213 days in weeks is exactly BTYD's 213 / 7.
        auto time = [&](std::int64_t periods) {
            return static_cast<double>(periods * options_.period_days) / options_.unit_days;
        };
        auto mean = [](double sum, std::uint32_t count) { return count == 0 ? 0.0 : sum / count; };
        table_.push_back(std::string(ids_.id(index)),
                         {static_cast<double>(h.calibration_count),
                          h.calibration_count == 0 ? 0.0 : time(std::int64_t{h.last_calibration} - h.first),
                          time(std::int64_t{end_period} - h.first), mean(h.calibration_sum, h.calibration_count), 1.0});
        if (options_.calibration_end) {
            table_.frequency_holdout.push_back(static_cast<double>(h.holdout_count));
            table_.monetary_value_holdout.push_back(mean(h.holdout_sum, h.holdout_count));
            table_.duration_holdout.push_back(time(std::int64_t{period_of(report_.observation_end)} - end_period));
        }
    }

    // Sorts each customer's rows by period (stable: same-period amounts keep their order, as when
    // streaming) and reduces them. True when a sum overflowed: the pass that follows finds its row.
    bool reduce_collected_rows() {
        reduced_ = true;
        const std::int32_t end_period = start_table();
        ids_.drop_lookup();
        std::optional<std::uint32_t> overflowed;
        rows_.drain(ids_.size(), [&](std::uint32_t customer, std::span<detail::compact_row> rows) {
            if (overflowed) return;
            detail::stable_sort_by_period(rows);
            history h;
            for (const auto& row : rows) {
                if (!add_to_history(h, row.period, row.amount)) {
                    overflowed = customer;
                    return;
                }
            }
            append_customer(customer, h, end_period);
        });
        if (!overflowed) return false;
        phase_ = phase::locating;
        culprit_id_ = std::string(ids_.id(*overflowed));
        table_ = {};
        return true;
    }

    invalid_input located_overflow() {
        std::stable_sort(culprit_rows_.begin(), culprit_rows_.end(),
                         [](const located_row& a, const located_row& b) { return a.period < b.period; });
        history h;
        for (auto& row : culprit_rows_) {
            if (!add_to_history(h, row.period, row.amount)) return overflow(culprit_id_, row.period, row.amount, row.where);
        }
        return invalid_input("customer", culprit_id_, "the customer's amounts sum to more than a double can hold");
    }

    summary_options options_;
    std::string amount_field_;
    phase phase_ = phase::streaming;
    bool restart_pending_ = false;
    bool reduced_ = false;
    detail::customer_ids ids_;
    std::vector<history, detail::huge_page_allocator<history>> histories_;  // streaming: one per customer
    detail::rows_by_customer rows_;           // collecting: every row kept
    std::string culprit_id_;                  // locating: the customer whose sum overflowed
    std::vector<located_row> culprit_rows_;
    std::optional<std::int64_t> last_day_;
    summary_report report_;
    customer_table table_;
};

/// Calls `feed()` (which adds every transaction to `summarizer`, stopping early when `add` returns
/// false) as many times as the summarizer needs (see `transaction_summarizer`: once for a log in
/// date order, about once for a log in random order), and returns the summary.
template <class Feed>
customer_table summarize_in_passes(transaction_summarizer& summarizer, Feed&& feed) {
    do {
        feed();
    } while (summarizer.needs_another_pass());
    return summarizer.finish();
}

/// Summarizes an in-memory log. Each element of `transactions` unpacks as
/// `const auto& [customer, day, amount]` (a std::tuple or a plain struct of a string-like id,
/// a day number and an amount). Needs a forward range: it may be read more than once. When
/// `report` is given it receives what was left out (see `summary_report`).
template <std::ranges::forward_range Transactions>
customer_table summarize(const Transactions& transactions, const summary_options& options = {},
                         summary_report* report = nullptr) {
    transaction_summarizer summarizer(options);
    auto feed = [&] {
        std::size_t row = 0;
        for (const auto& transaction : transactions) {
            ++row;
            const auto& [customer, day, amount] = transaction;
            if (!summarizer.add(std::string_view(customer), static_cast<std::int64_t>(day), static_cast<double>(amount),
                                [&] { return source_location{"transactions, row " + std::to_string(row), 0, 0}; }))
                return;
        }
    };
    customer_table table = summarize_in_passes(summarizer, feed);
    if (report) *report = summarizer.report();
    return table;
}

}  // namespace clv
