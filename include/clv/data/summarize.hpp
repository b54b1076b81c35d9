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

#include <clv/core/errors.hpp>
#include <clv/data/customer_table.hpp>
#include <clv/core/calendar.hpp>
#include <clv/core/location.hpp>

#include <charconv>
#include <cmath>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace clv {

inline constexpr double days_per_week = 7.0;
/// The mean Gregorian month, 365.25 / 12 days. lifetimes' freq='M' instead counts calendar-month
/// boundaries between dates; a fixed length keeps every unit a plain rescaling of days, so a
/// model fitted in days and one fitted in months describe the same customers.
inline constexpr double days_per_month = 365.25 / 12.0;

/// Length in days of a time unit named "day", "week" (7 days), "month" (365.25/12 days) or given
/// as a positive number of days ("14", "0.5").
inline double parse_time_unit(std::string_view text) {
    if (text == "day") return 1.0;
    if (text == "week") return days_per_week;
    if (text == "month") return days_per_month;
    double days = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), days);
    if (error != std::errc{} || end != text.data() + text.size() || !std::isfinite(days) || days <= 0) {
        throw invalid_input("time unit", std::string(text), "expected day, week, month or a positive number of days");
    }
    return days;
}

/// How transactions become a summary. Dates are day numbers (days since 1970-01-01, see
/// clv/io/dates.hpp); both ends are inclusive.
struct summary_options {
    double unit_days = 1.0;          ///< length of the output time unit in days (7: weeks)
    std::int64_t period_days = 1;    ///< purchases in the same block of this many days (counted from
                                     ///< 1970-01-01) are one transaction; 1 = same day, as lifetimes' 'D'
    std::optional<std::int64_t> observation_end;  ///< default: the last date in the log; later rows are ignored
    std::optional<std::int64_t> calibration_end;  ///< when set: calibration summary plus holdout columns

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

/// Builds a summary from transactions fed one at a time, in any order.
///
/// Memory grows with customers, not transactions: each customer keeps running counts and sums.
/// That is exact as long as a customer's rows come in date order (the usual case: logs are
/// written in time order). A row dated before the customer's latest period cannot be placed
/// without the set of periods seen, so such customers are only flagged; `needs_replay()` then
/// asks the caller to feed the same rows again, and on that second pass only the flagged
/// customers keep their distinct purchase periods (an ordered map each).
class transaction_summarizer {
public:
    explicit transaction_summarizer(summary_options options, std::string amount_field = "amount")
        : options_(options), amount_field_(std::move(amount_field)) {
        options_.check();
    }

    /// Adds one purchase of `amount` (finite, >= 0) on day number `day`. `where` (a
    /// source_location or a callable returning one) is used only in error messages.
    template <location_source Where>
    void add(std::string_view customer, std::int64_t day, double amount, const Where& where) {
        if (!std::isfinite(amount) || amount < 0) {
            throw invalid_input(amount_field_, to_message_string(amount), "must be a finite non-negative amount",
                                locate(where));
        }
        if (customer.empty()) throw invalid_input("customer", "", "empty customer id", locate(where));
        if (options_.observation_end && day > *options_.observation_end) return;
        const std::int64_t period = period_of(day);
        const std::size_t hash = std::hash<std::string_view>{}(customer);
        std::uint64_t& slot = slots_[find_slot(customer, hash)];
        if (replaying_) {
            if (slot == 0) return;
            const auto periods = replay_periods_.find(customer_of(slot));
            if (periods != replay_periods_.end()) periods->second[period] += amount;
            return;
        }
        last_day_ = std::max(last_day_.value_or(day), day);
        if (slot == 0) {
            if (states_.size() + 1 > (~tag_mask)) throw invalid_input("customer", std::string(customer), "more than 2^32 - 1 customers");
            slot = (hash & tag_mask) | (states_.size() + 1);
            id_text_.append(customer);
            id_ends_.push_back(id_text_.size());
            states_.push_back({period, period});
            if (2 * states_.size() > slots_.size()) grow();
            return;
        }
        customer_state& state = states_[customer_of(slot)];
        if (period == state.current || period == state.first) {
            add_to_period(state, period, amount);
        } else if (period > state.current) {
            open_period(state, period, amount);
        } else {
            state.out_of_order = true;
        }
    }

    /// True when some customer's rows came out of date order and the rows must be fed again.
    [[nodiscard]] bool needs_replay() const noexcept {
        if (replaying_) return false;
        for (const auto& state : states_) {
            if (state.out_of_order) return true;
        }
        return false;
    }

    /// Starts the second pass: feed every row again with `add`; only out-of-order customers use them.
    void begin_replay() {
        replaying_ = true;
        for (std::size_t i = 0; i < states_.size(); ++i) {
            if (states_[i].out_of_order) replay_periods_[i];
        }
    }

    /// The summary, customers in order of their first (counted) row. Customers whose first
    /// purchase is after the calibration end are left out (lifetimes and BTYD do the same).
    /// Throws `invalid_input` when no customer is left.
    [[nodiscard]] customer_table finish() {
        for (auto& [index, periods] : replay_periods_) rebuild(states_[index], periods);
        if (!last_day_) throw invalid_input("", "", "no transactions on or before the observation end");
        const std::int64_t observation_end = options_.observation_end.value_or(*last_day_);
        if (options_.calibration_end && *options_.calibration_end > observation_end) {
            throw invalid_input("calibration end", iso_date(*options_.calibration_end),
                                "is after the observation end " + iso_date(observation_end));
        }
        const std::int64_t end_period = period_of(options_.calibration_end.value_or(observation_end));
        // Days first, then one division: 213 days in weeks is exactly BTYD's 213 / 7.
        auto time = [&](std::int64_t periods) {
            return static_cast<double>(periods * options_.period_days) / options_.unit_days;
        };
        auto mean = [](double sum, std::uint32_t count) { return count == 0 ? 0.0 : sum / count; };

        customer_table table;
        for (std::size_t i = 0; i < states_.size(); ++i) {
            const customer_state& s = states_[i];
            if (s.first > end_period) continue;
            table.push_back(std::string(id(i)), {static_cast<double>(s.calibration_count),
                                       s.calibration_count == 0 ? 0.0 : time(s.last_calibration - s.first),
                                       time(end_period - s.first), mean(s.calibration_sum, s.calibration_count), 1.0});
            if (options_.calibration_end) {
                table.frequency_holdout.push_back(static_cast<double>(s.holdout_count));
                table.monetary_value_holdout.push_back(mean(s.holdout_sum, s.holdout_count));
                table.duration_holdout.push_back(time(period_of(observation_end) - end_period));
            }
        }
        if (table.empty()) {
            throw invalid_input("", "", "no customer made a first purchase on or before " +
                                            iso_date(options_.calibration_end.value_or(observation_end)));
        }
        return table;
    }

private:
    // Running totals of one customer, exact while its rows arrive in date order.
    struct customer_state {
        std::int64_t first;              // first purchase period
        std::int64_t current;            // latest purchase period seen
        std::int64_t last_calibration = 0;  // latest repeat period in the calibration period
        double calibration_sum = 0;      // spend in repeat periods of the calibration period
        double holdout_sum = 0;
        std::uint32_t calibration_count = 0;  // repeat periods in the calibration period
        std::uint32_t holdout_count = 0;
        bool out_of_order = false;
    };

    [[nodiscard]] std::string_view id(std::size_t customer) const noexcept {
        const std::size_t begin = customer == 0 ? 0 : id_ends_[customer - 1];
        return std::string_view(id_text_).substr(begin, id_ends_[customer] - begin);
    }
    [[nodiscard]] static std::size_t customer_of(std::uint64_t slot) noexcept {
        return static_cast<std::size_t>((slot & ~tag_mask) - 1);
    }
    // The slot holding `customer`, or the empty slot where it belongs.
    [[nodiscard]] std::size_t find_slot(std::string_view customer, std::size_t hash) const noexcept {
        const std::size_t mask = slots_.size() - 1;
        for (std::size_t i = hash & mask;; i = (i + 1) & mask) {
            const std::uint64_t slot = slots_[i];
            if (slot == 0 || ((slot & tag_mask) == (hash & tag_mask) && id(customer_of(slot)) == customer)) return i;
        }
    }
    // Doubles the table, keeping the load factor at most 1/2.
    void grow() {
        std::vector<std::uint64_t> old(slots_.size() * 2);
        old.swap(slots_);
        for (const std::uint64_t slot : old) {
            if (slot == 0) continue;
            const std::string_view customer = id(customer_of(slot));
            slots_[find_slot(customer, std::hash<std::string_view>{}(customer))] = slot;
        }
    }

    [[nodiscard]] std::int64_t period_of(std::int64_t day) const noexcept {
        const std::int64_t k = options_.period_days;
        return day >= 0 ? day / k : -((-day + k - 1) / k);  // floor division
    }
    [[nodiscard]] bool in_calibration(std::int64_t period) const noexcept {
        return !options_.calibration_end || period <= period_of(*options_.calibration_end);
    }

    // A further purchase in an already counted period: only repeat periods' spend is kept.
    void add_to_period(customer_state& s, std::int64_t period, double amount) const {
        if (period == s.first) return;
        (in_calibration(period) ? s.calibration_sum : s.holdout_sum) += amount;
    }

    // The first purchase in a period later than every one seen so far.
    void open_period(customer_state& s, std::int64_t period, double amount) const {
        s.current = period;
        if (in_calibration(period)) {
            ++s.calibration_count;
            s.calibration_sum += amount;
            s.last_calibration = period;
        } else {
            ++s.holdout_count;
            s.holdout_sum += amount;
        }
    }

    // Recomputes an out-of-order customer from its distinct periods, in date order.
    void rebuild(customer_state& s, const std::map<std::int64_t, double>& periods) const {
        s = {periods.begin()->first, periods.begin()->first};
        for (auto it = std::next(periods.begin()); it != periods.end(); ++it) open_period(s, it->first, it->second);
    }

    summary_options options_;
    std::string amount_field_;
    // Customer id -> position in states_, by open addressing with linear probing. A slot holds
    // the high 32 bits of the id's hash and the position + 1 (0: empty); a lookup usually reads
    // one slot and one id. std::unordered_map, which chases a heap node per probe, made the
    // summary of 10^7 rows by 10^6 customers three times slower (bench/bench_summarize.cpp).
    static constexpr std::uint64_t tag_mask = 0xFFFF'FFFF'0000'0000u;
    std::vector<std::uint64_t> slots_ = std::vector<std::uint64_t>(1024);  // size: a power of two
    std::string id_text_;                // every customer's id, back to back, first-appearance order
    std::vector<std::size_t> id_ends_;   // end of customer i's id in id_text_
    std::vector<customer_state> states_;
    std::optional<std::int64_t> last_day_;
    bool replaying_ = false;
    std::map<std::size_t, std::map<std::int64_t, double>> replay_periods_;
};

/// Feeds the transactions to `summarizer` with `feed()`, a second time when some customer's rows
/// came out of date order (see `transaction_summarizer`), and returns the summary.
template <class Feed>
customer_table summarize_with_replay(transaction_summarizer& summarizer, Feed&& feed) {
    feed();
    if (summarizer.needs_replay()) {
        summarizer.begin_replay();
        feed();
    }
    return summarizer.finish();
}

/// Summarizes an in-memory log. Each element of `transactions` unpacks as
/// `const auto& [customer, day, amount]` (a std::tuple or a plain struct of a string-like id,
/// a day number and an amount). Needs a forward range: an unsorted log is read twice.
template <std::ranges::forward_range Transactions>
customer_table summarize(const Transactions& transactions, const summary_options& options = {}) {
    transaction_summarizer summarizer(options);
    auto feed = [&] {
        std::size_t row = 0;
        for (const auto& transaction : transactions) {
            ++row;
            const auto& [customer, day, amount] = transaction;
            summarizer.add(std::string_view(customer), static_cast<std::int64_t>(day), static_cast<double>(amount),
                           [&] { return source_location{"transactions, row " + std::to_string(row), 0, 0}; });
        }
    };
    return summarize_with_replay(summarizer, feed);
}

}  // namespace clv
