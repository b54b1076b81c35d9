// One valuation path for every kind of part: the value of a customer is
//   margin x (expected spend per purchase) x sum over the future of (expected purchases) x
//   (retention share) x (discount factor),
// each factor conditional on the customer's record where the part is a fitted model. Simple CLV,
// Gupta & Lehmann's retention form and a BG/NBD x Gamma-Gamma CLV are this one function with
// different parts (value/parts.hpp, value/model_parts.hpp). Closed forms are used where a part
// offers one (fixed lifetime, constant retention, a constant rate, a model's DERT); otherwise the
// sum runs period by period or the integral by quadrature.
#pragma once

#include <clv/core/errors.hpp>
#include <clv/value/parts.hpp>

#include <boost/math/quadrature/exp_sinh.hpp>
#include <boost/math/quadrature/gauss_kronrod.hpp>

#include <cmath>
#include <concepts>
#include <cstddef>
#include <limits>

namespace clv {

/// A spend part: the expected value of one purchase of the customer `R`.
template <class P, class R>
concept spend_part = requires(const P& p, const R& r) {
    { p.expected_order_value(r) } -> std::convertible_to<double>;
};

/// A purchase part: expected purchases of the customer in the next `t` time units (periods for
/// the constant rate, the model's time unit for a fitted model), cumulative from now.
template <class P, class R>
concept purchase_part = requires(const P& p, const R& r, double t) {
    { p.expected_purchases(r, t) } -> std::convertible_to<double>;
};

/// A retention part: the expected share of period k's margin (k = 1, 2, ...) the customer still
/// brings, non-increasing in k. Parts with a closed form also offer `discounted_share_sum`.
template <class P, class R>
concept retention_part = requires(const P& p, const R& r, std::size_t k, margin_timing timing) {
    { p.period_share(k, timing, r) } -> std::convertible_to<double>;
};

/// Discrete discounting: a rate d per period, margins at the end or the start of periods, over
/// `horizon` periods (0 = the whole lifetime).
struct discounting {
    double rate_per_period = 0;
    margin_timing timing = margin_timing::end;
    std::size_t horizon = 0;

    void validate() const { detail::require_finite_at_least("discount rate", rate_per_period, 0); }
};

/// Continuous discounting at `rate` per time unit (factor e^(-rate t)), over `horizon` time units
/// (infinity = the whole lifetime). This is the discounting of DERT (Fader, Hardie & Lee 2005,
/// "RFM and CLV", eq. 2).
struct continuous_discounting {
    double rate = 0;
    double horizon = std::numeric_limits<double>::infinity();

    /// Rate 0 with no horizon is valid: a transaction model's undiscounted expected residual
    /// transactions can be finite (DERT at rate 0); parts whose sum diverges say so
    /// (`require_finite_sum`).
    void validate() const {
        detail::require_finite_at_least("discount rate", rate, 0);
        if (!(horizon >= 0)) throw invalid_input("horizon", to_message_string(horizon), "must be a number >= 0");
    }

    /// Throws when neither discounting nor a horizon bounds the sum (parts without a closed form
    /// of their whole-lifetime sum, e.g. a constant purchase rate).
    void require_finite_sum() const {
        if (rate == 0 && std::isinf(horizon))
            throw invalid_input("horizon", "", "without discounting the value needs a finite horizon: give a horizon "
                                               "or a discount rate > 0");
    }
};

/// The continuous rate per time unit equivalent to an annual (effectively compounded) rate:
/// (1 + annual)^(1 year) = e^(delta x units per year), delta = ln(1 + annual) x unit_days / 365.25.
inline double continuous_rate_from_annual(double annual_rate, double unit_days) {
    detail::require_finite_at_least("annual discount rate", annual_rate, 0);
    detail::require_finite_at_least("time unit in days", unit_days, 0, true);
    return std::log1p(annual_rate) * unit_days / 365.25;
}

namespace detail {

inline void require_margin(double gross_margin) {
    if (!std::isfinite(gross_margin) || gross_margin < 0 || gross_margin > 1)
        throw invalid_input("margin", to_message_string(gross_margin), "gross margin must be a number in [0, 1]");
}

/// sum_{k=1..K} share(k) v^e(k), v = 1/(1+d), e(k) = k (end) or k - 1 (start): the part's closed
/// form when it has one, otherwise period by period until the terms fall below rounding.
template <class R, class Retention>
double discounted_share_sum(const Retention& retention, const discounting& discount, const R& record) {
    if constexpr (requires { retention.discounted_share_sum(0.0, discount.timing, discount.horizon, record); }) {
        return retention.discounted_share_sum(discount.rate_per_period, discount.timing, discount.horizon, record);
    } else {
        constexpr std::size_t max_periods = 10'000'000;
        const double factor = 1.0 / (1.0 + discount.rate_per_period);
        double weight = discount.timing == margin_timing::end ? factor : 1.0;
        double total = 0;
        for (std::size_t k = 1; discount.horizon == 0 || k <= discount.horizon; ++k) {
            const double term = retention.period_share(k, discount.timing, record) * weight;
            total += term;
            // Shares never grow and discounting shrinks them: once a term is below rounding (or
            // the customer is certainly gone), all later ones are too.
            if (term <= std::numeric_limits<double>::epsilon() * 1e-3 * total) break;
            if (k == max_periods)
                throw invalid_input("retention", "", "the discounted value does not converge within 10^7 periods: "
                                                     "give a horizon or a larger discount rate");
            weight *= factor;
        }
        return total;
    }
}

/// sum_k [P(k L) - P((k-1) L)] share(k) v^e(k) for a purchase part P with period length L (its
/// `period_length`, else 1): expected purchases of each period, retained and discounted.
template <class R, class Purchases, class Retention>
double discounted_purchases_by_period(const Purchases& purchases, const Retention& retention,
                                      const discounting& discount, const R& record) {
    if constexpr (requires { purchases.purchases_per_period; }) {
        return purchases.purchases_per_period * discounted_share_sum(retention, discount, record);
    } else {
        double length = 1;
        if constexpr (requires { purchases.period_length; }) length = purchases.period_length;
        if (discount.rate_per_period == 0 && discount.horizon == 0)
            throw invalid_input("horizon", "", "a fitted purchase model needs a horizon or a discount rate > 0 "
                                               "(its expected purchases need not have a finite sum)");
        constexpr std::size_t max_periods = 1'000'000;
        const double factor = 1.0 / (1.0 + discount.rate_per_period);
        double weight = discount.timing == margin_timing::end ? factor : 1.0;
        double total = 0, before = 0;
        for (std::size_t k = 1; discount.horizon == 0 || k <= discount.horizon; ++k) {
            const double cumulative = purchases.expected_purchases(record, static_cast<double>(k) * length);
            const double term = (cumulative - before) * retention.period_share(k, discount.timing, record) * weight;
            before = cumulative;
            total += term;
            // Expected purchases per period do not grow for these models and discounting shrinks
            // them geometrically: the tail after term k is below term x factor / (1 - factor).
            if (discount.horizon == 0 && term * factor / (1 - factor) <= 1e-12 * total) break;
            if (k == max_periods)
                throw invalid_input("discount rate", to_message_string(discount.rate_per_period),
                                    "the discounted sum needs more than 10^6 periods: give a horizon");
            weight *= factor;
        }
        return total;
    }
}

}  // namespace detail

/// integral_0^H e^(-delta t) dP(t) for a cumulative expected-purchase curve P(t) with P(0) = 0:
/// by parts e^(-delta H) P(H) + delta integral_0^H e^(-delta t) P(t) dt, by adaptive Gauss-Kronrod
/// (finite H) or exp-sinh (H = infinity) quadrature, relative tolerance 1e-10. P(H) itself when
/// delta = 0. This is DERT (Fader, Hardie & Lee 2005, "RFM and CLV", eq. 2) truncated at H.
template <class Curve>
double discounted_expected_purchases(const Curve& cumulative, const continuous_discounting& discount) {
    discount.validate();
    discount.require_finite_sum();
    const double delta = discount.rate, H = discount.horizon;
    if (delta == 0) return cumulative(H);
    auto integrand = [&](double t) { return std::exp(-delta * t) * cumulative(t); };
    double integral;
    if (std::isinf(H)) {
        boost::math::quadrature::exp_sinh<double> rule;
        integral = rule.integrate(integrand, 0.0, std::numeric_limits<double>::infinity(), 1e-10);
    } else {
        integral = boost::math::quadrature::gauss_kronrod<double, 15>::integrate(integrand, 0.0, H, 15, 1e-10);
    }
    const double boundary = std::isinf(H) ? 0.0 : std::exp(-delta * H) * cumulative(H);
    const double value = boundary + delta * integral;
    if (!std::isfinite(value))
        throw invalid_input("discount rate", to_message_string(delta),
                            "the discounted expected purchases have no finite value (the purchase curve grows too fast)");
    return value;
}

/// Discounted margin of a customer under discrete discounting:
///   margin_per_period x sum_k share(k) / (1 + d)^e(k),  e(k) = k (end) or k - 1 (start).
/// With constant retention r and no horizon this is Gupta & Lehmann's (2003) m r / (1 + d - r)
/// (end) or m (1 + d) / (1 + d - r) (start); with a fixed lifetime L and d = 0 it is m L.
/// Throws `invalid_input` when the sum has no finite value (retention 1, discount 0, no horizon).
template <class Retention, class R = no_record>
    requires retention_part<Retention, R>
double discounted_margin(double margin_per_period, const Retention& retention, const discounting& discount,
                         const R& record = {}) {
    detail::require_finite_at_least("margin per period", margin_per_period, 0);
    discount.validate();
    return margin_per_period * detail::discounted_share_sum(retention, discount, record);
}

/// Value of one customer under discrete discounting:
///   gross_margin x spend(record) x sum_k purchases_k(record) share_k(record) / (1 + d)^e(k).
/// The simple CLV is `customer_value(no_record{}, constant_spend, constant_rate, fixed_lifetime, ...)`;
/// a transaction model with Gamma-Gamma spend is `customer_value(record, model_spend, model_purchases,
/// dropout_in_purchases{}, ...)` (lifetimes' `customer_lifetime_value` discounts this way).
template <class R, class Spend, class Purchases, class Retention>
    requires spend_part<Spend, R> && purchase_part<Purchases, R> && retention_part<Retention, R>
double customer_value(const R& record, const Spend& spend, const Purchases& purchases, const Retention& retention,
                      const discounting& discount, double gross_margin = 1.0) {
    detail::require_margin(gross_margin);
    discount.validate();
    const double order = spend.expected_order_value(record);
    return gross_margin * order * detail::discounted_purchases_by_period(purchases, retention, discount, record);
}

/// Value of one customer under continuous discounting, for purchase parts whose own dropout
/// process is the retention (transaction models) or a constant rate (no attrition):
///   gross_margin x spend(record) x integral_0^H e^(-delta t) dE[purchases in (0, t] | record].
/// Uses the part's `discounted_purchases(record, delta)` (DERT) when H is infinite and it has one.
template <class R, class Spend, class Purchases>
    requires spend_part<Spend, R> && purchase_part<Purchases, R>
double customer_value(const R& record, const Spend& spend, const Purchases& purchases,
                      const continuous_discounting& discount, double gross_margin = 1.0) {
    detail::require_margin(gross_margin);
    discount.validate();
    const double order = spend.expected_order_value(record);
    double discounted;
    if constexpr (requires { purchases.discounted_purchases(record, 0.0); }) {
        if (std::isinf(discount.horizon)) return gross_margin * order * purchases.discounted_purchases(record, discount.rate);
    }
    if constexpr (requires { purchases.purchases_per_period; }) {
        discount.require_finite_sum();
        const double d = discount.rate, H = discount.horizon;
        discounted = purchases.purchases_per_period * (d == 0 ? H : (std::isinf(H) ? 1.0 : -std::expm1(-d * H)) / d);
    } else {
        discounted = discounted_expected_purchases([&](double t) { return purchases.expected_purchases(record, t); },
                                                   discount);
    }
    return gross_margin * order * discounted;
}

/// Population-level value from constant parts (the record is "any customer"). The simple CLV is
/// `lifetime_value(constant_spend(aov), constant_rate(per_year), fixed_lifetime(years), {d}, margin)`.
template <class Spend, class Purchases, class Retention>
double lifetime_value(const Spend& spend, const Purchases& purchases, const Retention& retention,
                      const discounting& discount = {}, double gross_margin = 1.0) {
    return customer_value(no_record{}, spend, purchases, retention, discount, gross_margin);
}

}  // namespace clv
