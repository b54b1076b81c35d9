// The Gauss hypergeometric function 2F1(a, b; c; z) for the real, positive parameters the CLV
// models need, evaluated as a series in log space with an explicit convergence check.
//
// Boost.Math has no dedicated 2F1 (its hypergeometric_pFq is general but slow), and the closed
// forms of the Pareto/NBD and BG/NBD need one evaluated millions of times per fit. The series
//     2F1(a, b; c; z) = sum_n (a)_n (b)_n / ((c)_n n!) z^n          (Abramowitz & Stegun 15.1.1)
// has positive terms for a, b, c > 0 and 0 <= z < 1, so it is summed without cancellation;
// a negative argument is first mapped into (0, 1) by Pfaff's transformation
//     2F1(a, b; c; z) = (1 - z)^(-a) 2F1(a, c - b; c; z / (z - 1))  (A&S 15.3.4)
// and Euler's transformation
//     2F1(a, b; c; z) = (1 - z)^(c - a - b) 2F1(c - a, c - b; c; z)  (A&S 15.3.3)
// is used when it makes the terms decay faster. Accuracy: tests/test_hypergeometric.cpp compares
// against boost::math::hypergeometric_pFq and against this series at cpp_bin_float_50.
//
// Convergence check: the term ratio rho_n = (a+n)(b+n) z / ((c+n)(n+1)) tends to z; once the
// current and next ratios are below q = max(rho_n, z) < 1, the remaining tail is at most
// t_{n+1} / (1 - q), and summation stops when that bound is below epsilon times the sum. A series
// that has not met the bound after `max_terms` terms reports `converged = false` (the caller picks
// another method); it never throws, so it may sit inside a likelihood loop.
//
// Every function is a template over `Real` (double, long double, boost::multiprecision types),
// with unqualified calls found by ADL.
#pragma once

#include <boost/math/special_functions/expm1.hpp>
#include <boost/math/special_functions/log1p.hpp>

#include <cmath>
#include <cstddef>
#include <limits>

namespace clv::special {

/// The outcome of a Gauss series summation: the logarithm of the sum, optionally its partial
/// derivatives, and whether the convergence check was met.
template <class Real>
struct gauss_series_result {
    Real log_value = std::numeric_limits<Real>::quiet_NaN();  ///< log 2F1(a, b; c; z)
    Real d_a = 0;  ///< d log 2F1 / d a   (only when derivatives were requested)
    Real d_b = 0;  ///< d log 2F1 / d b
    Real d_c = 0;  ///< d log 2F1 / d c
    Real d_z = 0;  ///< d log 2F1 / d z
    std::size_t terms = 0;
    bool converged = false;
};

/// Sums the Gauss series of 2F1(a, b; c; z) directly, for a, b, c > 0 and 0 <= z < 1 (all terms
/// positive). With `Derivatives`, also the derivatives of log 2F1 with respect to a, b, c and z,
/// by differentiating the series term by term:
///     d t_n / d a = t_n sum_{k<n} 1/(a+k),   d t_n / d c = -t_n sum_{k<n} 1/(c+k),
///     d t_n / d z = n t_n / z.
/// The sum is rescaled as it grows, so it cannot overflow even where 2F1 exceeds the range of
/// `Real`. Outside the domain the result has `converged = false` and a NaN value.
template <class Real, bool Derivatives = false>
gauss_series_result<Real> gauss_series(const Real& a, const Real& b, const Real& c, const Real& z,
                                       std::size_t max_terms = 100000) {
    using std::log;
    using std::pow;
    gauss_series_result<Real> out;
    if (!(a > 0) || !(b > 0) || !(c > 0) || !(z >= 0) || !(z < 1)) return out;
    const Real eps = std::numeric_limits<Real>::epsilon();
    // Rescale threshold: far from overflow for double, harmless for wider types.
    const Real big = Real(1e280);
    Real log_scale = 0;
    Real sum = 1, term = 1;       // t_0 = 1
    Real sa = 0, sb = 0, sc = 0;  // sum_n t_n H_a(n), t_n H_b(n), t_n H_c(n)
    Real sz = 0;                  // sum_n n t_n / z
    Real ha = 0, hb = 0, hc = 0;  // H_x(n) = sum_{k<n} 1/(x+k)
    // The four reciprocals a term needs, 1/(a+n), 1/(b+n), 1/(c+n) and 1/(n+1), come from one
    // division of their product: dividing is the slow operation of the loop, and near z = 1
    // (Pareto/NBD with alpha and beta far apart) the loop runs for thousands of terms. Each
    // reciprocal is then within a few ulps. Only while every factor lies within
    // [1/bound, bound], bound = max^(1/5), so that no product of them can overflow or underflow
    // (sBG's series at parameters of 1e300 would); otherwise one division each.
    static const Real bound = pow(std::numeric_limits<Real>::max(), Real(0.2));
    const bool one_division = a >= 1 / bound && b >= 1 / bound && c >= 1 / bound &&
                              a + Real(max_terms) <= bound && b + Real(max_terms) <= bound &&
                              c + Real(max_terms) <= bound;
    for (std::size_t n = 0; n < max_terms; ++n) {
        const Real nn = Real(n);
        const Real an = a + nn, bn = b + nn, cn = c + nn, n1 = nn + 1;
        const Real ab = an * bn, cn1 = cn * n1;
        const Real inverse = one_division ? Real(1 / (ab * cn1)) : Real(0);
        const Real inv_c = one_division ? Real(ab * n1 * inverse) : Real(1 / cn);
        const Real inv_n1 = one_division ? Real(ab * cn * inverse) : Real(1 / n1);
        // t_{n+1} = t_n * (a+n)(b+n) z / ((c+n)(n+1)); the z-derivative term of n+1 is
        // (n+1) t_{n+1} / z = t_n (a+n)(b+n) / (c+n), which avoids dividing by z.
        const Real step = ab * inv_c;
        const Real dz_next = term * step;
        const Real ratio = step * z * inv_n1;
        const Real next = term * ratio;
        if constexpr (Derivatives) {
            ha += one_division ? Real(bn * cn1 * inverse) : Real(1 / an);
            hb += one_division ? Real(an * cn1 * inverse) : Real(1 / bn);
            hc += inv_c;
            sa += next * ha;
            sb += next * hb;
            sc += next * hc;
            sz += dz_next;
        }
        sum += next;
        term = next;
        out.terms = n + 2;
        if (sum > big) {
            log_scale += log(big);
            sum /= big; term /= big;
            if constexpr (Derivatives) { sa /= big; sb /= big; sc /= big; sz /= big; }
        }
        // Tail bound once the ratios have settled below q < 1 (see the header comment): checked
        // on every fourth term only (it divides twice), which costs at most three terms more.
        if ((n & 3) != 3) continue;
        const Real next_ratio = (an + 1) * (bn + 1) * z / ((cn + 1) * (nn + 2));
        const Real q = ratio > z ? ratio : z;
        if (q < 1 && next_ratio <= q) {
            const Real tail = term * next_ratio / (1 - q);
            Real bound = tail;
            if constexpr (Derivatives) bound = tail * (nn + 3 + 1 / (1 - q)) / (1 - q);
            if (bound <= eps * sum) {
                out.converged = true;
                break;
            }
        }
    }
    out.log_value = log(sum) + log_scale;
    if constexpr (Derivatives) {
        out.d_a = sa / sum;
        out.d_b = sb / sum;
        out.d_c = -sc / sum;
        out.d_z = sz / sum;
    }
    if (!out.converged) out.log_value = std::numeric_limits<Real>::quiet_NaN();
    return out;
}

/// log 2F1(a, b; c; z) for a, b, c > 0 and z < 1.
/// - 0 <= z < 1: the direct series, or Euler's transformation when c > a, c > b and
///   a + b > c (its terms then decay as n^(c-a-b-1) z^n instead of n^(a+b-c-1) z^n);
/// - z < 0: Pfaff's transformation onto w = z / (z - 1) in (0, 1), on whichever of a, b keeps
///   the transformed terms positive (needs c > b or c > a).
/// Returns NaN outside that domain or when the series does not converge within `max_terms`
/// (z close to 1, or z far below -1, where w is close to 1).
template <class Real>
Real log_hypergeometric_2f1(const Real& a, const Real& b, const Real& c, const Real& z,
                            std::size_t max_terms = 100000) {
    using std::log;
    const Real nan = std::numeric_limits<Real>::quiet_NaN();
    if (!(a > 0) || !(b > 0) || !(c > 0) || !(z < 1)) return nan;
    if (z >= 0) {
        if (c > a && c > b && a + b > c) {
            const auto euler = gauss_series<Real>(c - a, c - b, c, z, max_terms);
            return (c - a - b) * boost::math::log1p(-z) + euler.log_value;
        }
        return gauss_series<Real>(a, b, c, z, max_terms).log_value;
    }
    const Real w = z / (z - 1);
    const Real log_one_minus_z = boost::math::log1p(-z);
    if (c > b) return -a * log_one_minus_z + log_hypergeometric_2f1<Real>(a, c - b, c, w, max_terms);
    if (c > a) return -b * log_one_minus_z + log_hypergeometric_2f1<Real>(c - a, b, c, w, max_terms);
    return nan;
}

}  // namespace clv::special
