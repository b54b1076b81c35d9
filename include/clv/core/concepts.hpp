// The customer-record concepts every model reads customers through. Any user struct with the
// right members works; clv's own table rows are just one such type.
#pragma once

#include <concepts>

namespace clv {

/// A non-contractual (transactional) customer: `frequency` = number of repeat purchases,
/// `recency` = time of the last repeat purchase since the first purchase (0 if none),
/// `T` = time from the first purchase to the end of observation. All in one time unit.
template <class R>
concept transaction_record = requires(const R& r) {
    { r.frequency } -> std::convertible_to<double>;
    { r.recency } -> std::convertible_to<double>;
    { r.T } -> std::convertible_to<double>;
};

/// A record that also carries the mean value of its repeat purchases.
template <class R>
concept monetary_record = transaction_record<R> && requires(const R& r) {
    { r.monetary_value } -> std::convertible_to<double>;
};

/// A record standing for `weight` identical customers (compressed data).
template <class R>
concept weighted_record = requires(const R& r) {
    { r.weight } -> std::convertible_to<double>;
};

/// A contractual customer: `tenure` = periods observed as a customer, `churned` = whether the
/// cancellation was observed (false: right-censored at `tenure`).
template <class R>
concept contractual_record = requires(const R& r) {
    { r.tenure } -> std::convertible_to<double>;
    { r.churned } -> std::convertible_to<bool>;
};

/// The weight of a record: its `weight` member when it has one, otherwise 1.
template <class R>
constexpr double record_weight(const R& r) {
    if constexpr (weighted_record<R>) {
        return static_cast<double>(r.weight);
    } else {
        return 1.0;
    }
}

}  // namespace clv
