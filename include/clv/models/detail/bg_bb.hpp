// Numerics of the BG/BB model (Fader, Hardie & Shang 2010, "Customer-base analysis in a
// discrete-time noncontractual setting", Marketing Science 29(6), 1086-1108; "FHS" below).
//
// A customer is alive at opportunity 0 (the first transaction). At the start of each opportunity
// t = 1, 2, ... a living customer dies with probability theta ~ Beta(gamma, delta); a living
// customer transacts at an opportunity with probability p ~ Beta(alpha, beta). So
//     P(alive at opportunity t) = E[(1 - theta)^t] = B(gamma, delta + t) / B(gamma, delta).
// Every prediction reduces to the functions below with updated parameters: given a history
// (x, t_x, n) and "alive at n", p ~ Beta(alpha + x, beta + n - x) and theta ~ Beta(gamma, delta + n)
// independently, and the future is a fresh process with those parameters.
//
// Templates over `Real` with unqualified / Boost.Math calls, so they also run at
// boost::multiprecision precision (the oracle of tests/test_bg_bb.cpp).
#pragma once

#include <clv/core/hypergeometric.hpp>
#include <clv/core/math.hpp>
#include <clv/models/detail/beta_geometric.hpp>

#include <array>
#include <cmath>
#include <cstdint>
#include <limits>

namespace clv::detail::bg_bb {

/// log[B(a + i, b + j) / B(a, b)] for a, b > 0 and i, j >= 0, through `math::log_gamma_ratio`
/// (exact sums of logs for small whole i, j: the BG/BB likelihood is made of such ratios).
template <class Real>
Real log_beta_ratio(const Real& a, const Real& b, const Real& i, const Real& j) {
    return math::log_gamma_ratio(a, i) + math::log_gamma_ratio(b, j) - math::log_gamma_ratio(Real(a + b), Real(i + j));
}

/// A customer's likelihood split in its two parts (FHS eq. 5), in logs:
///   alive   = B(alpha + x, beta + n - x)/B(alpha, beta) * B(gamma, delta + n)/B(gamma, delta)
///   dropped = sum_{i=0}^{n-t_x-1} B(alpha + x, beta + t_x - x + i)/B(alpha, beta)
///                                * B(gamma + 1, delta + t_x + i)/B(gamma, delta)
/// (alive at n; or alive at t_x + i and dead from opportunity t_x + i + 1 on).
template <class Real>
struct likelihood_parts {
    Real log_alive;
    Real log_dropped;  ///< -infinity when t_x = n (no opportunity left to die unobserved)
    Real log_total;    ///< log L = log(alive + dropped)
    std::array<Real, 4> gradient{};  ///< d log L / d(alpha, beta, gamma, delta), when requested
};

/// FHS eq. 5 for whole 0 <= x <= t_x <= n (no validation: hot path). The dropout sum runs by
/// the ratio of consecutive terms,
///   term_{i+1} / term_i = (beta + t_x - x + i)/(alpha + beta + t_x + i) * (delta + t_x + i)/(gamma + delta + t_x + i + 1),
/// which also updates the terms' log-derivatives; all terms are positive, so nothing cancels.
template <class Real, bool Gradient>
likelihood_parts<Real> likelihood(const Real& alpha, const Real& beta, const Real& gamma, const Real& delta,
                                  const Real& x, const Real& t_x, const Real& n) {
    using std::exp;
    using std::log;
    likelihood_parts<Real> out;
    const Real ab = alpha + beta, gd = gamma + delta;
    out.log_alive = log_beta_ratio(alpha, beta, x, Real(n - x)) + log_beta_ratio(gamma, delta, Real(0), n);
    const double remaining = static_cast<double>(n - t_x);
    if (!(remaining > 0)) {
        out.log_dropped = -std::numeric_limits<Real>::infinity();
        out.log_total = remaining == 0 ? out.log_alive : std::numeric_limits<Real>::quiet_NaN();
        if constexpr (Gradient) {
            out.gradient = {math::digamma_difference(alpha, x) - math::digamma_difference(ab, n),
                            math::digamma_difference(beta, Real(n - x)) - math::digamma_difference(ab, n),
                            -math::digamma_difference(gd, n),
                            math::digamma_difference(delta, n) - math::digamma_difference(gd, n)};
        }
        return out;
    }
    // i = 0: B(gamma + 1, delta + t_x)/B(gamma, delta) = gamma/(gamma + delta) * B(gamma + 1, delta + t_x)/B(gamma + 1, delta).
    const Real log_first = log_beta_ratio(alpha, beta, x, Real(t_x - x)) + log(gamma) - log(gd) +
                           log_beta_ratio(Real(gamma + 1), delta, Real(0), t_x);
    Real sum = 0, term = 1;
    std::array<Real, 4> d_log_term{}, d_sum{};  // log-derivatives of term_i relative to term_0, and sum of term_i * them
    const auto count = static_cast<std::int64_t>(remaining);
    for (std::int64_t i = 0; i < count; ++i) {
        const Real k = Real(i);
        sum += term;
        if constexpr (Gradient)
            for (std::size_t j = 0; j < 4; ++j) d_sum[j] += term * d_log_term[j];
        const Real b_shift = beta + t_x - x + k, ab_shift = ab + t_x + k;
        const Real d_shift = delta + t_x + k, gd_shift = gd + t_x + k + 1;
        term *= b_shift / ab_shift * (d_shift / gd_shift);
        if constexpr (Gradient) {
            d_log_term[0] -= 1 / ab_shift;
            d_log_term[1] += 1 / b_shift - 1 / ab_shift;
            d_log_term[2] -= 1 / gd_shift;
            d_log_term[3] += 1 / d_shift - 1 / gd_shift;
        }
    }
    out.log_dropped = log_first + log(sum);
    const Real larger = out.log_alive > out.log_dropped ? out.log_alive : out.log_dropped;
    const Real smaller = out.log_alive > out.log_dropped ? out.log_dropped : out.log_alive;
    out.log_total = larger + math::log1p(Real(exp(smaller - larger)));
    if constexpr (Gradient) {
        const Real w_alive = exp(out.log_alive - out.log_total), w_dropped = exp(out.log_dropped - out.log_total);
        const std::array<Real, 4> d_alive{
            math::digamma_difference(alpha, x) - math::digamma_difference(ab, n),
            math::digamma_difference(beta, Real(n - x)) - math::digamma_difference(ab, n),
            -math::digamma_difference(gd, n),
            math::digamma_difference(delta, n) - math::digamma_difference(gd, n)};
        const std::array<Real, 4> d_first{
            math::digamma_difference(alpha, x) - math::digamma_difference(ab, t_x),
            math::digamma_difference(beta, Real(t_x - x)) - math::digamma_difference(ab, t_x),
            1 / gamma - 1 / gd - math::digamma_difference(Real(gd + 1), t_x),
            -1 / gd + math::digamma_difference(delta, t_x) - math::digamma_difference(Real(gd + 1), t_x)};
        for (std::size_t j = 0; j < 4; ++j)
            out.gradient[j] = w_alive * d_alive[j] + w_dropped * (d_first[j] + d_sum[j] / sum);
    }
    return out;
}

/// sum_{t=1}^{n} E[(1 - theta)^t] = sum_{t=1}^{n} B(gamma, delta + t)/B(gamma, delta), theta ~ Beta(gamma, delta):
/// the expected number of the next n opportunities at which a customer alive now is still alive.
/// Equals delta/(gamma - 1) [1 - Gamma(gamma + delta) Gamma(1 + delta + n)/(Gamma(1 + delta) Gamma(gamma + delta + n))]
/// (FHS eq. 7 without its alpha/(alpha + beta)), whose factor 1/(gamma - 1) is singular at gamma = 1
/// (the limit is finite) and cancels near it; the sum of positive terms has neither problem and
/// costs n multiplications.
template <class Real>
Real expected_alive_opportunities(const Real& gamma, const Real& delta, const Real& n) {
    Real sum = 0, term = 1;
    const auto count = static_cast<std::int64_t>(static_cast<double>(n));
    for (std::int64_t t = 0; t < count; ++t) {
        term *= (delta + t) / (gamma + delta + t);
        sum += term;
    }
    return sum;
}

/// P(X(n) = x) for a fresh customer (FHS eq. 8), whole x, n >= 0:
///   C(n, x) B(alpha + x, beta + n - x)/B(alpha, beta) B(gamma, delta + n)/B(gamma, delta)
///   + sum_{i=x}^{n-1} C(i, x) B(alpha + x, beta + i - x)/B(alpha, beta) B(gamma + 1, delta + i)/B(gamma, delta)
/// (alive at n; or alive at exactly i >= x opportunities). The sum runs by the ratio of
/// consecutive terms, (i + 1)/(i + 1 - x) (beta + i - x)/(alpha + beta + i) (delta + i)/(gamma + delta + i + 1).
template <class Real>
Real probability_of_count(const Real& alpha, const Real& beta, const Real& gamma, const Real& delta, const Real& x,
                          const Real& n) {
    using std::exp;
    using std::log;
    if (x > n) return Real(0);
    const Real log_choose = math::log_gamma_ratio(Real(n - x + 1), x) - math::log_gamma_ratio(Real(1), x);
    const Real alive = exp(log_choose + log_beta_ratio(alpha, beta, x, Real(n - x)) +
                           log_beta_ratio(gamma, delta, Real(0), n));
    Real term = exp(log_beta_ratio(alpha, beta, x, Real(0)) + log(gamma) - log(Real(gamma + delta)) +
                    log_beta_ratio(Real(gamma + 1), delta, Real(0), x));
    Real dropped = 0;
    const auto first = static_cast<std::int64_t>(static_cast<double>(x));
    const auto last = static_cast<std::int64_t>(static_cast<double>(n));
    for (std::int64_t i = first; i < last; ++i) {
        dropped += term;
        const Real k = Real(i);
        term *= (k + 1) / (k + 1 - x) * ((beta + k - x) / (alpha + beta + k)) * ((delta + k) / (gamma + delta + k + 1));
    }
    return alive + dropped;
}

/// E[1 / (theta + d)] for theta ~ Beta(gamma, delta) and d > 0, the discounted number of
/// opportunities alive: since sum_{k>=0} E[(1 - theta)^k] z^k = E[1/(1 - z (1 - theta))]
/// = 2F1(1, delta; gamma + delta; z) with z = 1/(1 + d), and 1 - z (1 - theta) = (theta + d)/(1 + d),
///     E[1/(theta + d)] = 2F1(1, delta; gamma + delta; 1/(1 + d)) / (1 + d)      (the 2F1 of FHS eq. 14).
/// Method: the Gauss series (core/hypergeometric.hpp, terms decay like z^k, so about 37/d terms
/// in double); when it does not converge within its term limit (d below about 4e-4) the Beta
/// expectation by tanh-sinh quadrature.
template <class Real>
Real expected_inverse_shifted_beta(const Real& gamma, const Real& delta, const Real& d) {
    using std::exp;
    const Real one = 1;
    const Real log_f = special::log_hypergeometric_2f1(one, delta, Real(gamma + delta), Real(one / (one + d)));
    using std::isfinite;
    if (isfinite(static_cast<double>(log_f))) return exp(log_f) / (one + d);
    return beta_geometric::beta_expectation<Real>(
        gamma, delta, [&](const Real& p, const Real&) { return Real(one / (p + d)); }, Real(one / d),
        Real(one / (one + d)));
}

}  // namespace clv::detail::bg_bb
