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

#include <array>
#include <cmath>
#include <cstddef>
#include <limits>
#include <vector>

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

namespace detail {

/// The parts of the n-th step of the Gauss series of 2F1(a, b; c; z) that do not depend on z:
/// t_(n+1) = t_n * (step z) * inv_n1, step = (a+n)(b+n)/(c+n), inv_n1 = 1/(n+1); the increments
/// 1/(a+n), 1/(b+n), 1/(c+n) of the derivatives' harmonic sums; and, on every fourth step
/// (n % 4 == 3), the next ratio's numerator (a+n+1)(b+n+1) and denominator (c+n+1)(n+2) for the
/// tail bound (zero otherwise).
template <class Real>
struct series_step {
    Real step, inv_n1, inc_a, inc_b, inc_c, check_num, check_den;
};

/// Computes `series_step`s of 2F1(a, b; c; z) on demand.
template <class Real, bool Derivatives>
class series_steps {
public:
    series_steps(const Real& a, const Real& b, const Real& c, std::size_t max_terms) : a_(a), b_(b), c_(c) {
        using std::pow;
        // The four reciprocals a term needs, 1/(a+n), 1/(b+n), 1/(c+n) and 1/(n+1), come from
        // one division of their product: dividing is the slow operation of the loop, and near
        // z = 1 the loop runs for thousands of terms. Each reciprocal is then within a few ulps.
        // Only while every factor lies within [1/bound, bound], bound = max^(1/5), so that no
        // product of them can overflow or underflow (sBG's series at parameters of 1e300
        // would); otherwise one division each.
        static const Real bound = pow(std::numeric_limits<Real>::max(), Real(0.2));
        const Real last = Real(max_terms);
        one_division_ = a >= 1 / bound && b >= 1 / bound && c >= 1 / bound && a + last <= bound &&
                        b + last <= bound && c + last <= bound;
    }

    series_step<Real> operator()(std::size_t n) const {
        const Real nn = Real(n);
        const Real an = a_ + nn, bn = b_ + nn, cn = c_ + nn, n1 = nn + 1;
        const Real ab = an * bn, cn1 = cn * n1;
        const Real inverse = one_division_ ? Real(1 / (ab * cn1)) : Real(0);
        const Real inv_c = one_division_ ? Real(ab * n1 * inverse) : Real(1 / cn);
        series_step<Real> s{ab * inv_c, one_division_ ? Real(ab * cn * inverse) : Real(1 / n1), Real(0), Real(0),
                            inv_c, Real(0), Real(0)};
        if constexpr (Derivatives) {
            s.inc_a = one_division_ ? Real(bn * cn1 * inverse) : Real(1 / an);
            s.inc_b = one_division_ ? Real(an * cn1 * inverse) : Real(1 / bn);
        }
        if ((n & 3) == 3) {
            s.check_num = (an + 1) * (bn + 1);
            s.check_den = (cn + 1) * (nn + 2);
        }
        return s;
    }

private:
    Real a_, b_, c_;
    bool one_division_;
};

/// The Gauss series summed with the steps `steps(n)` (see `gauss_series`).
template <class Real, bool Derivatives, class Steps>
gauss_series_result<Real> sum_gauss_series(Steps&& steps, const Real& a, const Real& b, const Real& c, const Real& z,
                                           std::size_t max_terms) {
    using std::log;
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
    for (std::size_t n = 0; n < max_terms; ++n) {
        const series_step<Real>& s = steps(n);
        // t_{n+1} = t_n * (a+n)(b+n) z / ((c+n)(n+1)); the z-derivative term of n+1 is
        // (n+1) t_{n+1} / z = t_n (a+n)(b+n) / (c+n), which avoids dividing by z.
        const Real dz_next = term * s.step;
        const Real ratio = s.step * z * s.inv_n1;
        const Real next = term * ratio;
        if constexpr (Derivatives) {
            ha += s.inc_a;
            hb += s.inc_b;
            hc += s.inc_c;
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
        const Real next_ratio = s.check_num * z / s.check_den;
        const Real q = ratio > z ? ratio : z;
        if (q < 1 && next_ratio <= q) {
            const Real tail = term * next_ratio / (1 - q);
            Real bound = tail;
            if constexpr (Derivatives) bound = tail * (Real(n) + 3 + 1 / (1 - q)) / (1 - q);
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

}  // namespace detail

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
    return detail::sum_gauss_series<Real, Derivatives>(detail::series_steps<Real, Derivatives>(a, b, c, max_terms), a,
                                                       b, c, z, max_terms);
}

namespace detail {

/// k_n of Gauss's fraction for 2F1(1, b; c; z) (see `gauss_fraction`), with c' = c - 1, and the
/// derivatives of log k_n with respect to b and c when `Derivatives`.
template <class Real, bool Derivatives>
struct fraction_coefficient {
    Real k, dlog_b = 0, dlog_c = 0;
};

template <class Real, bool Derivatives>
fraction_coefficient<Real, Derivatives> gauss_fraction_coefficient(const Real& b, const Real& cp, std::size_t n) {
    fraction_coefficient<Real, Derivatives> out;
    const Real inv_lower = 1 / (cp + Real(n - 1)), inv_upper = 1 / (cp + Real(n));
    const Real m = Real(n / 2);
    if (n == 1) {  // b / c: its c' cancels, and c' may be 0
        out.k = b * inv_upper;
        if constexpr (Derivatives) { out.dlog_b = 1 / b; out.dlog_c = -inv_upper; }
    } else if (n & 1) {
        out.k = (cp + m) * (b + m) * inv_lower * inv_upper;
        if constexpr (Derivatives) { out.dlog_b = 1 / (b + m); out.dlog_c = 1 / (cp + m) - inv_lower - inv_upper; }
    } else {
        const Real cb = cp - b + m;
        out.k = cb * m * inv_lower * inv_upper;
        if constexpr (Derivatives) { out.dlog_b = -1 / cb; out.dlog_c = 1 / cb - inv_lower - inv_upper; }
    }
    return out;
}

/// Computes the fraction's coefficients on demand: `value(n)` only k_n (the forward pass),
/// `with_derivatives(n)` also its log-derivatives (the backward pass).
template <class Real>
struct fraction_coefficients {
    Real b, cp;
    Real value(std::size_t n) const { return gauss_fraction_coefficient<Real, false>(b, cp, n).k; }
    fraction_coefficient<Real, true> with_derivatives(std::size_t n) const {
        return gauss_fraction_coefficient<Real, true>(b, cp, n);
    }
};

/// Gauss's fraction for 2F1(1, b; c; z) with the coefficients `k` (see `gauss_fraction`).
template <class Real, bool Derivatives, class Coefficients>
gauss_series_result<Real> evaluate_gauss_fraction(Coefficients&& k, const Real& b, const Real& c, const Real& z,
                                                  std::size_t max_steps) {
    using std::log;
    using std::sqrt;
    gauss_series_result<Real> out;
    if (!(b > 0) || !(c > b) || !(z >= 0) || !(z < 1)) return out;
    if (z == 0) {  // 2F1 = 1; d/dz = b / c
        out.log_value = 0;
        out.d_z = b / c;
        out.converged = true;
        return out;
    }
    const Real eps = std::numeric_limits<Real>::epsilon();
    // Forward: convergents g_n = A_n / B_n of 1 - k_1 z / (1 - k_2 z / ...), A_n = A_(n-1) + a_n
    // A_(n-2), likewise B_n, a_n = -k_n z; 2F1 = lim B_n / A_n. P_n = prod_(i<=n) k_i z equals
    // |A_n B_(n-1) - A_(n-1) B_n|, so the relative step |g_n - g_(n-1)| / g_n = P_n / (A_n B_(n-1)).
    Real A0 = 1, A1 = 1, B0 = 1, B1 = 0, P = 1, last_step = 1;
    // k_(2m) ~ m (c-b+m) / (c+2m)^2 stays far below its limit 1/4 while m is small against c
    // (1e-8 at m = 1 for b = 1e4, c = b + 0.2): the early convergents then barely move although
    // the value is far from reached, and no bound taken there holds. Steps before n = c / 2
    // (k_(2m) above 1/36 from there) are not trusted; for c in the hundreds and more the series
    // is the better method anyway.
    const Real min_steps = c / 2;
    std::size_t steps = 0;
    for (std::size_t n = 1; n <= max_steps && steps == 0; ++n) {
        const Real a = -k.value(n) * z;
        P *= -a;
        const Real A = A0 + a * A1, B = B0 + a * B1;
        A1 = A0; A0 = A; B1 = B0; B0 = B;
        if ((n & 3) != 0) continue;
        // Every fourth step: rescale to A_n = 1 (A and B shrink geometrically and would underflow
        // over thousands of steps), then bound what the remaining steps can add: with q the
        // step's ratio per step over the last four, at most step q / (1 - q) once q settles.
        // Derivatives' steps carry a factor of about n more (d P_n / d z = n P_n / z).
        const Real inv_A = 1 / A0;
        A0 = 1; A1 *= inv_A; B0 *= inv_A; B1 *= inv_A;
        P *= inv_A * inv_A;
        // B_n <= 0 cannot happen in exact arithmetic; P_n = 0 is an underflow (c large, the
        // early k_(2m) tiny), after which no bound can be taken: give up rather than guess.
        if (!(B0 > 0) || !(B1 > 0) || !(P > 0)) return out;
        const Real step = P / B1, q4 = step / last_step;
        last_step = step;
        if (!(q4 < 1) || Real(n) < min_steps) continue;
        const Real q = sqrt(sqrt(q4));
        if (step * (Derivatives ? Real(n + 1) : Real(1)) * q / (1 - q) <= eps) steps = n;
    }
    if (steps == 0) return out;
    out.terms = steps;
    out.converged = true;
    if constexpr (!Derivatives) {
        out.log_value = log(B0);  // log(B_n / A_n), A_n = 1
    } else {
        // Backward: t_(n-1) = a_n / (1 + t_n) from t_steps = 0 gives g = 1 + t_0, and
        // d t_(n-1) = (d a_n - t_(n-1) d t_n) / (1 + t_n), for d over (b, c, z).
        Real t = 0;
        std::array<Real, 3> dt{};
        for (std::size_t n = steps; n >= 1; --n) {
            const fraction_coefficient<Real, true>& kn = k.with_derivatives(n);
            const Real a = -kn.k * z;
            const Real u = 1 / (1 + t);
            t = a * u;
            const std::array<Real, 3> da = {a * kn.dlog_b, a * kn.dlog_c, -kn.k};
            for (std::size_t p = 0; p < 3; ++p) dt[p] = u * (da[p] - t * dt[p]);
        }
        const Real u = 1 / (1 + t);
        out.log_value = -boost::math::log1p(t);
        out.d_b = -dt[0] * u;
        out.d_c = -dt[1] * u;
        out.d_z = -dt[2] * u;
    }
    return out;
}

}  // namespace detail

/// 2F1(1, b; c; z) for b > 0, c > b and 0 <= z < 1 by Gauss's continued fraction, whose steps
/// near z = 1 number far fewer than the series' terms: with c' = c - 1,
///     2F1(1, b; c'+1; z) = 1 / (1 - k_1 z / (1 - k_2 z / (1 - k_3 z / ...)))
///     k_(2m+1) = (c'+m)(b+m) / ((c'+2m)(c'+2m+1)),  k_(2m) = m (c'-b+m) / ((c'+2m-1)(c'+2m))
/// (Gauss's fraction for 2F1(a, b+1; c'+1; z) / 2F1(a, b; c'; z) at a = 0, where the denominator
/// is 1: Cuyt et al., Handbook of Continued Fractions for Special Functions (2008), eq. 15.3.5).
/// Every k_n is positive on this domain and tends to 1/4, so the error of the n-th convergent
/// falls like rho^n, rho = (1 - sqrt(1-z)) / (1 + sqrt(1-z)): about 130 steps at z = 0.98 and
/// 600 at z = 0.999, where the series needs about 40 / (1 - z) terms.
/// The number of steps comes from a forward pass over the convergents A_n / B_n, whose step is
/// known without cancellation (determinant formula). With `Derivatives`, d log 2F1 / d b, d c
/// and d z then come from the fraction evaluated backwards from that step, differentiated:
/// the forward recurrence's derivatives are differences of terms n times larger than the result
/// (1e-11 relative error at z = 0.995), the backward ones are not. d_a is not computed (a = 1).
/// A fraction not settled after `max_steps` reports `converged = false` and a NaN value.
template <class Real, bool Derivatives = false>
gauss_series_result<Real> gauss_fraction(const Real& b, const Real& c, const Real& z, std::size_t max_steps = 20000) {
    return detail::evaluate_gauss_fraction<Real, Derivatives>(detail::fraction_coefficients<Real>{b, c - 1}, b, c, z,
                                                              max_steps);
}

/// 2F1(1, b; c; z), by `gauss_series` or `gauss_fraction`, for one (b, c) at many z, with the
/// same bits as those functions: the parts of the series' terms and of the fraction's
/// coefficients that do not depend on z are computed once and kept, which leaves a few
/// multiplications a term (a fraction step with derivatives at z near 0.95: 28 -> 20 ns on the
/// machine of docs/performance.md, the rest being the backward pass's chain of divisions). A
/// Pareto/NBD likelihood needs H(tau) at every distinct recency and age of customers with the
/// same frequency, which share b and c. Not thread-safe: one per thread.
template <class Real, bool Derivatives = false>
class unit_2f1_at_many_z {
public:
    /// Switches to (b, c): what was kept stays when they are unchanged (bit for bit).
    void prepare(const Real& b, const Real& c) {
        if (b == b_ && c == c_) return;
        b_ = b;
        c_ = c;
        series_.clear();
        fraction_.clear();
    }

    /// `gauss_series<Real, Derivatives>(1, b, c, z)` (its default number of terms).
    gauss_series_result<Real> series(const Real& z) {
        auto steps = [this](std::size_t n) -> const detail::series_step<Real>& {
            if (n >= series_.size()) [[unlikely]] extend_series(n);
            return series_[n];
        };
        return detail::sum_gauss_series<Real, Derivatives>(steps, Real(1), b_, c_, z, max_terms);
    }

    /// `gauss_fraction<Real, Derivatives>(b, c, z, max_steps)`.
    gauss_series_result<Real> fraction(const Real& z, std::size_t max_steps = 20000) {
        struct kept {
            unit_2f1_at_many_z& self;
            const detail::fraction_coefficient<Real, true>& with_derivatives(std::size_t n) const {
                if (n > self.fraction_.size()) [[unlikely]] self.extend_fraction(n);
                return self.fraction_[n - 1];
            }
            Real value(std::size_t n) const { return with_derivatives(n).k; }
        };
        return detail::evaluate_gauss_fraction<Real, Derivatives>(kept{*this}, b_, c_, z, max_steps);
    }

private:
    Real b_ = std::numeric_limits<Real>::quiet_NaN(), c_ = std::numeric_limits<Real>::quiet_NaN();
    std::vector<detail::series_step<Real>> series_;
    std::vector<detail::fraction_coefficient<Real, true>> fraction_;  // k_1, k_2, ...
    static constexpr std::size_t max_terms = 100000;  // gauss_series' default

    // Out of line: the loops above stay small enough to be inlined.
    [[gnu::noinline]] void extend_series(std::size_t n) {
        const detail::series_steps<Real, Derivatives> compute(Real(1), b_, c_, max_terms);
        while (series_.size() <= n) series_.push_back(compute(series_.size()));
    }
    [[gnu::noinline]] void extend_fraction(std::size_t n) {
        const detail::fraction_coefficients<Real> compute{b_, c_ - 1};
        while (fraction_.size() < n) fraction_.push_back(compute.with_derivatives(fraction_.size() + 1));
    }
};

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
