// Special functions as the models' hot paths call them: Boost.Math with one policy for all of
// clv. The policy keeps double in double (Boost's default promotes double to long double inside
// lgamma/digamma: 13x slower here, bench/bench_transaction_models.cpp, lgamma_digamma/*) and returns inf/NaN
// instead of throwing, since objectives must not throw (the optimiser backs off from non-finite
// values). Templates over the real type so boost::multiprecision types work too.
#pragma once

#include <boost/math/policies/policy.hpp>
#include <boost/math/special_functions/digamma.hpp>
#include <boost/math/special_functions/expm1.hpp>
#include <boost/math/special_functions/gamma.hpp>
#include <boost/math/special_functions/log1p.hpp>

#include <cmath>
#include <limits>
#include <type_traits>

namespace clv::math {

/// The range of parameters (shapes and time scales) the transaction models accept: every
/// prediction is verified finite and in range over it (tests/test_model_properties.cpp), and
/// beyond it some are not (BG/NBD near 1e15: the quadrature's Beta densities overflow).
/// docs/models.md, "Supported parameter range".
inline constexpr double min_model_parameter = 1e-8;
inline constexpr double max_model_parameter = 1e8;

/// Whether a parameter value lies in [min_model_parameter, max_model_parameter] (false for NaN).
inline bool model_parameter_in_range(double v) { return v >= min_model_parameter && v <= max_model_parameter; }

/// The reason given when a parameter is out of range.
inline constexpr const char* model_parameter_range_text =
    "a model parameter must be a finite number in [1e-8, 1e8] (the range over which the predictions are verified)";

using policy = boost::math::policies::policy<
    boost::math::policies::promote_double<false>, boost::math::policies::promote_float<false>,
    boost::math::policies::overflow_error<boost::math::policies::ignore_error>,
    boost::math::policies::pole_error<boost::math::policies::ignore_error>,
    boost::math::policies::domain_error<boost::math::policies::ignore_error>,
    boost::math::policies::evaluation_error<boost::math::policies::ignore_error>>;

template <class Real>
Real lgamma(const Real& x) { return boost::math::lgamma(x, policy{}); }
template <class Real>
Real digamma(const Real& x) { return boost::math::digamma(x, policy{}); }
/// log(1 + x). In double, log(u) * x / (u - 1) with u = 1 + x rounded (Goldberg 1991, "What every
/// computer scientist should know about floating-point arithmetic", Theorem 4: the rounding of u
/// cancels in the ratio), within a few ulps of the exact value: one `std::log` and a division. The
/// likelihood loops call it three or four times per row, and there it took a single-start BG/NBD
/// fit of CDNOW from 3.9 to 2.9 ms (it overlaps with the row's other work better than the C
/// library's log1p; alone in a latency-bound loop it is not faster: bench_transaction_models
/// log1p/*, 11.5 against 9.4 ns). Accuracy against 50 digits: tests/test_math.cpp.
/// Other types, and x at -1, below it, infinite or NaN, go to Boost.Math.
template <class Real>
Real log1p(const Real& x) {
    if constexpr (std::is_same_v<Real, double>) {
        const double u = 1.0 + x;
        if (u == 1.0) return x;  // |x| below half an ulp of 1: log1p(x) = x to the last bit
        if (u > 0 && u < std::numeric_limits<double>::infinity()) return std::log(u) * (x / (u - 1.0));
    }
    return boost::math::log1p(x, policy{});
}
template <class Real>
Real expm1(const Real& x) { return boost::math::expm1(x, policy{}); }

/// log(1 + e^y) without overflow.
template <class Real>
Real log1p_exp(const Real& y) {
    using std::exp;
    if (y > 0) return y + log1p(Real(exp(-y)));
    return log1p(Real(exp(y)));
}

/// log Gamma(z + k) - log Gamma(z) for z > 0, k >= 0. Subtracting two lgamma values loses every
/// digit they share: at z = 1e15 each is 3.4e16 and the difference of a few units is noise, which
/// an optimiser chasing a flat likelihood (Beta parameters running off together) takes for a
/// gain. Small integer k: the exact sum of log(z + j); large z in double: the difference of
/// Stirling series written with log1p (truncation error below 1e-17 for z >= 100); otherwise (moderate z,
/// or wider types, whose extra digits absorb the cancellation) the plain difference.
template <class Real>
Real log_gamma_ratio(const Real& z, const Real& k) {
    using std::floor;
    using std::log;
    if (k == 0) return Real(0);
    if (k <= 32 && k == floor(k)) {
        Real sum = 0;
        for (int j = 0; j < static_cast<int>(k); ++j) sum += log(Real(z + j));
        return sum;
    }
    if constexpr (std::numeric_limits<Real>::digits10 <= 18) {
        if (z >= 100) {
            const Real zk = z + k;
            // (z+k-1/2) log(z+k) - (z-1/2) log z - k + sum_n B_2n/(2n(2n-1)) [(z+k)^(1-2n) - z^(1-2n)]
            auto tail = [](const Real& w) {
                const Real w2 = w * w;
                return (Real(1) / 12 - (Real(1) / 360 - Real(1) / (1260 * w2)) / w2) / w;
            };
            return (z - Real(0.5)) * log1p(Real(k / z)) + k * log(zk) - k + (tail(zk) - tail(z));
        }
    }
    return lgamma(Real(z + k)) - lgamma(z);
}

/// digamma(z + k) - digamma(z) for z > 0, k >= 0, with the same care as `log_gamma_ratio`:
/// the sum of 1/(z + j) for small integer k, the asymptotic series for large z in double.
template <class Real>
Real digamma_difference(const Real& z, const Real& k) {
    using std::floor;
    if (k == 0) return Real(0);
    if (k <= 32 && k == floor(k)) {
        Real sum = 0;
        for (int j = 0; j < static_cast<int>(k); ++j) sum += 1 / Real(z + j);
        return sum;
    }
    if constexpr (std::numeric_limits<Real>::digits10 <= 18) {
        if (z >= 100) {
            // psi(w) = log w - 1/(2w) - 1/(12w^2) + 1/(120w^4) - 1/(252w^6) + ...
            auto tail = [](const Real& w) {
                const Real w2 = 1 / (w * w);
                return -Real(0.5) / w - w2 * (Real(1) / 12 - w2 * (Real(1) / 120 - w2 / 252));
            };
            const Real zk = z + k;
            return log1p(Real(k / z)) + (tail(zk) - tail(z));
        }
    }
    return digamma(Real(z + k)) - digamma(z);
}

}  // namespace clv::math
