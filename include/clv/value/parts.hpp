// The constant parts a customer value is built from (spend, purchases, retention). Each part is
// asked about one customer record and answers with the same member names as the fitted parts in
// value/model_parts.hpp, so the composition in value/lifetime_value.hpp takes either. Constant
// parts ignore the record; `no_record` stands for "any customer" in the population-level forms.
// See docs/models.md, "Valuation".
#pragma once

#include <clv/core/concepts.hpp>
#include <clv/core/errors.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <string>

namespace clv {

/// The record of "a customer" when every part is constant (simple CLV, retention form).
struct no_record {};

namespace detail {
inline void require_finite_at_least(const char* field, double v, double lower, bool strict = false) {
    if (!std::isfinite(v) || v < lower || (strict && v == lower))
        throw invalid_input(field, to_message_string(v),
                            std::string("must be a finite number ") + (strict ? "> " : ">= ") + to_message_string(lower));
}
}  // namespace detail

/// When the margin of a period is received. `end`: at the end of each period, for customers
/// retained through it (Gupta & Lehmann 2003, m r / (1 + d - r)); `start`: at the start of each
/// period, so the current period's margin counts undiscounted (m (1 + d) / (1 + d - r)).
enum class margin_timing { end, start };

// ---------------------------------------------------------------- spend

/// Spend part: the same expected value for every order.
struct constant_spend {
    double order_value;
    explicit constant_spend(double value) : order_value(value) {
        detail::require_finite_at_least("average order value", value, 0);
    }
    [[nodiscard]] double expected_order_value() const noexcept { return order_value; }
    template <class R>
    [[nodiscard]] double expected_order_value(const R& /*record*/) const noexcept { return order_value; }
};

/// Spend part: each customer's own mean order value (`monetary_value`, the mean of the repeat
/// purchases). Customers without repeat purchases have no mean of their own: they get
/// `fallback` (e.g. the population mean), never a silent 0 unless the caller asks for it.
struct own_mean_spend {
    double fallback;
    explicit own_mean_spend(double fallback_value) : fallback(fallback_value) {
        detail::require_finite_at_least("fallback order value", fallback_value, 0);
    }
    template <monetary_record R>
    [[nodiscard]] double expected_order_value(const R& r) const noexcept {
        return r.frequency > 0 ? static_cast<double>(r.monetary_value) : fallback;
    }
};

// ---------------------------------------------------------------- purchases

/// Purchase part: a constant number of purchases per period (per year in simple CLV).
struct constant_rate {
    double purchases_per_period;
    explicit constant_rate(double rate) : purchases_per_period(rate) {
        detail::require_finite_at_least("purchases per period", rate, 0);
    }
    /// Expected purchases in the next `t` periods: rate x t.
    template <class R>
    [[nodiscard]] double expected_purchases(const R& /*record*/, double t) const noexcept {
        return purchases_per_period * t;
    }
};

// ---------------------------------------------------------------- retention

/// Retention part: the customer stays exactly `periods` periods (may be fractional: the last,
/// partial period counts with its fraction), then leaves.
struct fixed_lifetime {
    double periods;
    explicit fixed_lifetime(double lifetime) : periods(lifetime) {
        detail::require_finite_at_least("lifetime", lifetime, 0);
    }
    /// Expected share of period k's margin (k = 1, 2, ...) the customer brings: 1 for whole
    /// periods of the lifetime, the fraction for the last partial one, then 0.
    template <class R = no_record>
    [[nodiscard]] double period_share(std::size_t k, margin_timing /*timing*/, const R& = {}) const noexcept {
        return std::clamp(periods - static_cast<double>(k - 1), 0.0, 1.0);
    }
    /// sum_{k=1..K} share(k) v^e(k) with v = 1/(1+d), e(k) = k (end) or k - 1 (start), in closed
    /// form: n = min(floor(L), K) whole periods give the annuity (1 - v^n)/d (end; times 1 + d at
    /// the start) and a partial last period its fraction times v^(n+1) (end) or v^n (start).
    /// Exact for any lifetime, also 1e20 years, where summing period by period is not.
    template <class R = no_record>
    [[nodiscard]] double discounted_share_sum(double d, margin_timing timing, std::size_t horizon,
                                              const R& = {}) const noexcept {
        const double limit = horizon == 0 ? std::numeric_limits<double>::infinity() : static_cast<double>(horizon);
        const double whole = std::min(std::floor(periods), limit);
        const double fraction = whole < limit ? periods - whole : 0.0;
        const double log_v = -std::log1p(d);
        const double annuity_end = d == 0 ? whole : -std::expm1(whole * log_v) / d;  // sum_{k=1..n} v^k
        const double shift = timing == margin_timing::end ? 1.0 : 1.0 + d;           // start: one period earlier
        const double last = fraction > 0 ? fraction * std::exp((whole + 1) * log_v) : 0.0;
        return shift * (annuity_end + last);
    }
};

/// Retention part: a constant probability `rate` of staying from one period to the next
/// (Gupta & Lehmann 2003). With margins at the end of periods, period k's margin needs k
/// retentions (rate^k); at the start, k - 1.
struct constant_retention {
    double rate;
    explicit constant_retention(double r) : rate(r) {
        if (!std::isfinite(r) || r < 0 || r > 1)
            throw invalid_input("retention", to_message_string(r), "retention rate must be a number in [0, 1]");
    }
    template <class R = no_record>
    [[nodiscard]] double period_share(std::size_t k, margin_timing timing, const R& = {}) const {
        return std::pow(rate, static_cast<double>(timing == margin_timing::end ? k : k - 1));
    }
    /// The geometric series sum_{k=1..K} r^k v^k (end) or sum (r v)^(k-1) (start), v = 1/(1+d):
    /// r v (1 - (r v)^K) / (1 - r v), i.e. m r / (1 + d - r) for K = infinity (Gupta & Lehmann
    /// 2003, eq. 2). 1 - r v is formed as (1 + d - r)/(1 + d), which keeps its digits when r v is
    /// near 1. Throws when r v = 1 and K is infinite (the sum diverges).
    template <class R = no_record>
    [[nodiscard]] double discounted_share_sum(double d, margin_timing timing, std::size_t horizon,
                                              const R& = {}) const {
        const double rv = rate / (1 + d);
        const double one_minus_rv = (1 + d - rate) / (1 + d);
        const double first = timing == margin_timing::end ? rv : 1.0;
        if (horizon == 0) {
            if (one_minus_rv <= 0)
                throw invalid_input("retention", to_message_string(rate),
                                    "retention 1 with discount rate 0 and no horizon has no finite value: give a "
                                    "horizon or a discount rate > 0");
            return first / one_minus_rv;
        }
        const double K = static_cast<double>(horizon);
        if (rate == 0) return timing == margin_timing::end ? 0.0 : 1.0;
        if (one_minus_rv <= 0) return first * K;
        const double log_rv = std::log(rate) - std::log1p(d);
        return first * -std::expm1(K * log_rv) / one_minus_rv;
    }
};

/// Retention part of a transaction model (BG/NBD, Pareto/NBD, MBG/NBD, BG/BB): its dropout process
/// is already inside its expected purchases, so every period's share is 1.
struct dropout_in_purchases {
    template <class R = no_record>
    [[nodiscard]] double period_share(std::size_t /*k*/, margin_timing /*timing*/, const R& = {}) const noexcept {
        return 1.0;
    }
};

}  // namespace clv
