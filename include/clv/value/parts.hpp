// The three parts a customer value is built from (spend, purchase rate, retention), in their
// simplest constant forms. Fitted models provide the same roles: Gamma-Gamma for spend, BG/NBD or
// Pareto/NBD for purchases, sBG for retention. See docs/models.md, "Simple CLV".
#pragma once

#include <clv/core/errors.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <string>

namespace clv {

namespace detail {
inline void require_finite_at_least(const char* field, double v, double lower, bool strict = false) {
    if (!std::isfinite(v) || v < lower || (strict && v == lower))
        throw invalid_input(field, to_message_string(v),
                            std::string("must be a finite number ") + (strict ? "> " : ">= ") + to_message_string(lower));
}
}  // namespace detail

/// Spend part: the same expected value for every order.
struct constant_spend {
    double order_value;
    explicit constant_spend(double value) : order_value(value) {
        detail::require_finite_at_least("average order value", value, 0);
    }
    [[nodiscard]] double expected_order_value() const noexcept { return order_value; }
};

/// Purchase part: a constant number of purchases per period (per year in simple CLV).
struct constant_rate {
    double purchases_per_period;
    explicit constant_rate(double rate) : purchases_per_period(rate) {
        detail::require_finite_at_least("purchases per period", rate, 0);
    }
    [[nodiscard]] double expected_purchases(std::size_t /*period*/) const noexcept { return purchases_per_period; }
};

/// When the margin of a period is received. `end`: at the end of each period, for customers
/// retained through it (Gupta & Lehmann 2003, m r / (1 + d - r)); `start`: at the start of each
/// period, so the current period's margin counts undiscounted (m (1 + d) / (1 + d - r)).
enum class margin_timing { end, start };

/// Retention part: the customer stays exactly `periods` periods (may be fractional: the last,
/// partial period counts with its fraction), then leaves.
struct fixed_lifetime {
    double periods;
    explicit fixed_lifetime(double lifetime) : periods(lifetime) {
        detail::require_finite_at_least("lifetime", lifetime, 0);
    }
    /// Expected share of period k's margin (k = 1, 2, ...) the customer brings: 1 for whole
    /// periods of the lifetime, the fraction for the last partial one, then 0.
    [[nodiscard]] double period_share(std::size_t k, margin_timing /*timing*/) const noexcept {
        return std::clamp(periods - static_cast<double>(k - 1), 0.0, 1.0);
    }
    /// No share after this period.
    [[nodiscard]] std::size_t last_period() const noexcept { return static_cast<std::size_t>(std::ceil(periods)); }
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
    [[nodiscard]] double period_share(std::size_t k, margin_timing timing) const {
        return std::pow(rate, static_cast<double>(timing == margin_timing::end ? k : k - 1));
    }
    [[nodiscard]] std::size_t last_period() const noexcept {
        return rate == 0 ? 1 : std::numeric_limits<std::size_t>::max();
    }
};

}  // namespace clv
