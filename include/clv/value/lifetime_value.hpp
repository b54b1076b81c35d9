// Customer value from its parts: spend x purchases x retention, discounted, times a margin.
// Every retention part (fixed lifetime, constant retention, and later fitted retention curves)
// goes through the one discounting sum below.
#pragma once

#include <clv/core/errors.hpp>
#include <clv/value/parts.hpp>

#include <cmath>
#include <concepts>
#include <cstddef>
#include <limits>

namespace clv {

/// A retention part: the expected share of period k's margin the customer brings (k = 1, 2,
/// ...) under a margin timing, and the last period with a non-zero share.
template <class P>
concept retention_part = requires(const P& p, std::size_t k, margin_timing timing) {
    { p.period_share(k, timing) } -> std::convertible_to<double>;
    { p.last_period() } -> std::convertible_to<std::size_t>;
};

/// How future margins are discounted and how far ahead they are counted.
struct discounting {
    double rate_per_period = 0;   ///< discount rate d per period (e.g. 0.1 = 10 % a year)
    margin_timing timing = margin_timing::end;
    std::size_t horizon = 0;      ///< number of periods counted; 0 = no limit (the whole lifetime)

    void validate() const { detail::require_finite_at_least("discount rate", rate_per_period, 0); }
};

/// sum over periods k = 1..K of  margin_per_period * share(k) / (1 + d)^(k, or k - 1 when
/// margins come at the start of periods). With constant retention r and no horizon this is
/// Gupta & Lehmann's (2003) m r / (1 + d - r) (end) or m (1 + d) / (1 + d - r) (start); with a
/// fixed lifetime L and d = 0 it is m L.
/// Throws `invalid_input` when the sum does not converge (retention 1 with no discount and no horizon).
template <retention_part Retention>
double discounted_margin(double margin_per_period, const Retention& retention, const discounting& discount) {
    detail::require_finite_at_least("margin per period", margin_per_period, 0);
    discount.validate();
    constexpr std::size_t max_periods = 10'000'000;
    std::size_t last = retention.last_period();
    if (discount.horizon != 0 && discount.horizon < last) last = discount.horizon;
    const double factor = 1.0 / (1.0 + discount.rate_per_period);
    double weight = discount.timing == margin_timing::end ? factor : 1.0;  // discount of period 1
    double total = 0;
    for (std::size_t k = 1; k <= last; ++k) {
        const double term = retention.period_share(k, discount.timing) * weight;
        total += term;
        // Shares never grow and discounting shrinks them geometrically: once a term is below
        // rounding, all later ones are too.
        if (term <= std::numeric_limits<double>::epsilon() * 1e-3 * total) break;
        if (k == max_periods)
            throw invalid_input("retention", "", "the discounted value does not converge (retention 1 with no "
                                                 "discount): give a horizon or a discount rate");
        weight *= factor;
    }
    return margin_per_period * total;
}

/// Value of a customer from a spend part (expected order value), a purchase part (purchases per
/// period), a retention part and discounting, times a gross margin in [0, 1]. The simple CLV is
/// `lifetime_value(constant_spend, constant_rate, fixed_lifetime, {}, margin)`.
template <class Spend, class Purchases, retention_part Retention>
double lifetime_value(const Spend& spend, const Purchases& purchases, const Retention& retention,
                      const discounting& discount = {}, double gross_margin = 1.0) {
    if (!std::isfinite(gross_margin) || gross_margin < 0 || gross_margin > 1)
        throw invalid_input("margin", to_message_string(gross_margin), "gross margin must be a number in [0, 1]");
    const double per_period = spend.expected_order_value() * purchases.expected_purchases(1) * gross_margin;
    return discounted_margin(per_period, retention, discount);
}

}  // namespace clv
