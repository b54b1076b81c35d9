// Numerics shared by the BG/NBD and MBG/NBD models: the quantities of a "fresh" beta-geometric /
// NBD process (a customer known to be alive at time 0, buying at rate lambda ~ Gamma(r, alpha)
// and dropping out after each purchase with probability p ~ Beta(a, b)).
//
// Both models reduce every prediction to these four functions with updated parameters: given a
// history (x, t_x, T) and that the customer is alive at T, lambda ~ Gamma(r + x, alpha + T) and
// p ~ Beta(a, b + x) (BG/NBD) or Beta(a, b + x + 1) (MBG/NBD), and the future is a fresh process.
//
// Times enter as w = t / alpha (dimensionless). All functions are templates over `Real` and use
// unqualified / Boost.Math calls only, so they also run at boost::multiprecision precision.
#pragma once

#include <clv/core/math.hpp>
#include <clv/core/quadrature.hpp>
#include <boost/math/quadrature/exp_sinh.hpp>
#include <boost/math/quadrature/tanh_sinh.hpp>
#include <boost/math/special_functions/beta.hpp>
#include <boost/math/special_functions/digamma.hpp>
#include <boost/math/special_functions/expm1.hpp>
#include <boost/math/special_functions/gamma.hpp>
#include <boost/math/special_functions/log1p.hpp>

#include <cmath>
#include <limits>
#include <type_traits>

namespace clv::detail::beta_geometric {

using math::digamma;
using math::expm1;
using math::lgamma;
using math::log1p;

/// Terms cap of the hypergeometric-type series before falling back to quadrature; the series
/// needs more terms at higher precision, so the cap grows with the number of digits.
template <class Real>
constexpr int series_term_limit() {
    return std::numeric_limits<Real>::digits10 <= 18 ? 1500 : 6000;
}

/// Sums a series of terms t_0 = `first`, t_{k+1} = t_k * ratio(k). Succeeds (returns true) when
/// the tail is negligible within the term limit, the sum stays finite (terms can grow past the
/// range of `Real` before a small prefactor brings the value back), and no more than a factor 1e4
/// is lost to cancellation (sum of |t_k| versus |sum|). `eventually_monotone_after` is the index after which
/// the ratio keeps one sign and its modulus has a limit `limit` < 1, so the tail bound is safe.
template <class Real, class Ratio>
bool sum_series(const Real& first, Ratio&& ratio, const Real& limit, double eventually_monotone_after,
                Real& sum) {
    using std::abs;
    using std::max;
    const Real eps = std::numeric_limits<Real>::epsilon();
    Real term = first;
    sum = first;
    Real magnitude = abs(first);
    const int cap = series_term_limit<Real>();
    for (int k = 0; k < cap; ++k) {
        const Real q = ratio(k);
        term *= q;
        sum += term;
        magnitude += abs(term);
        if (!(magnitude <= std::numeric_limits<Real>::max())) return false;  // overflow (or NaN)
        const Real qa = abs(q);
        if (static_cast<double>(k) > eventually_monotone_after && qa < 1) {
            const Real bound = max(qa, limit);
            if (bound < 1 && abs(term) * bound / (1 - bound) <= eps * abs(sum)) {
                return magnitude <= 1e4 * abs(sum);
            }
        }
        if (term == 0) return magnitude <= 1e4 * abs(sum);
    }
    return false;
}

using math::exp_sinh_rule;
using math::tanh_sinh_rule;

/// Quadrature tolerance: the rules stop when two levels differ by less than this, and the last
/// level is then typically accurate to about its square (double: 1.5e-11, final error near
/// rounding). Above double precision the tolerance stays at 1e-16: extended precision serves as
/// an oracle for double, where ~1e-25 is plenty and 50-digit nested quadrature would take minutes.
template <class Real>
Real quadrature_tolerance() {
    using std::max;
    using std::sqrt;
    return max(Real(sqrt(std::numeric_limits<Real>::epsilon()) * Real(1e-3)), Real(1e-16));
}

/// log B(a, b) without the cancellation of lgamma(a) + lgamma(b) - lgamma(a + b) when one of
/// them is large: lgamma(min) - [lgamma(max + min) - lgamma(max)] (math::log_gamma_ratio).
template <class Real>
Real log_beta_function(const Real& a, const Real& b) {
    const Real lo = a < b ? a : b, hi = a < b ? b : a;
    return lgamma(lo) - math::log_gamma_ratio(hi, lo);
}

/// E[h(p)] for p ~ Beta(a, b) by tanh-sinh quadrature, for h >= 0 (the result is then >= 0: no
/// term is subtracted anywhere). `h(p, q)` receives q = 1 - p accurately; `h0`, `h1` are h(0)
/// and h(1), used where p or 1 - p underflows to 0.
/// Method: with e the distance to the end nearer the mean (e = p when a <= b, else 1 - p) and
/// e_m <= 1/2 the mean in that variable, three pieces: e in [0, e_m], e in [e_m, 1/2], and the
/// far half. The rule's nodes cluster at the ends of each piece, so a Beta concentrated around
/// its mean (a, b ~ 1e8) is resolved as well as mass piled at an end. A piece touching an end
/// where the density is singular (shape s < 1 there) is integrated in u = e^s, in which
/// e^(s-1) de = du / s: the integrand becomes bounded even when half of the mass lies below
/// 1e-300 (s = 1e-3), out of reach of any floating-point node in e. The other pieces use Boost's
/// density with its argument <= 1/2, where 1 minus it loses nothing.
template <class Real, class H>
Real beta_expectation(const Real& a, const Real& b, H&& h, const Real& h0, const Real& h1) {
    using std::exp;
    using std::log;
    const Real tol = quadrature_tolerance<Real>();
    auto& rule = tanh_sinh_rule<Real>();
    const bool near_zero = a <= b;                   // the mean is <= 1/2
    const Real s_near = near_zero ? a : b, s_far = near_zero ? b : a;
    const Real half = Real(1) / 2;
    const Real e_m = s_near / (a + b);               // the mean, in the near variable
    // h at distance e from the end with shape s (e_c = 1 - e).
    auto value = [&](bool from_near_end, const Real& e, const Real& e_c) {
        const bool is_p = from_near_end == near_zero;  // e measures p (else 1 - p)
        const Real& p = is_p ? e : e_c;
        const Real& q = is_p ? e_c : e;
        return p == 0 ? h0 : (q == 0 ? h1 : Real(h(p, q)));
    };
    // Piece [lo, hi] (hi <= 1/2) in the distance from the end with shape s, t the other shape.
    auto plain_piece = [&](bool from_near_end, const Real& s, const Real& t, const Real& lo, const Real& hi) {
        auto f = [&](const Real& e) -> Real {
            return value(from_near_end, e, Real(1 - e)) * boost::math::ibeta_derivative(s, t, e, math::policy{});
        };
        return rule.integrate(f, lo, hi, tol);
    };
    // Piece [0, width] from the end with shape s.
    auto end_piece = [&](bool from_near_end, const Real& s, const Real& t, const Real& width) -> Real {
        if (!(width > 0)) return Real(0);
        if (s < 1) {
            // e = u^(1/s), u in [0, width^s]; density e^(s-1) (1-e)^(t-1) / B de = (1-e)^(t-1) / (s B) du.
            const Real log_width = log(width);
            const Real U = exp(s * log_width);
            const Real log_scale = -log(s) - log_beta_function(a, b);
            auto f = [&](const Real& u, const Real& uc) -> Real {
                // log u accurately at both ends of [0, U] (uc: signed distance to the nearer end).
                const Real log_u = uc < 0 ? Real(log(u)) : Real(s * log_width + log1p(Real(-uc / U)));
                const Real e = exp(log_u / s);
                return value(from_near_end, e, Real(-expm1(Real(log_u / s)))) *
                       exp((t - 1) * log1p(Real(-e)) + log_scale);
            };
            return rule.integrate(f, Real(0), U, tol);
        }
        return plain_piece(from_near_end, s, t, Real(0), width);
    };
    Real total = end_piece(true, s_near, s_far, e_m) + end_piece(false, s_far, s_near, half);
    if (e_m < half) total += plain_piece(true, s_near, s_far, e_m, half);
    return total;
}

/// Probability that a fresh customer is still alive after w = t / alpha:
/// S = E[(1 + p w)^(-r)] = (alpha / (alpha + t))^r 2F1(r, b; a + b; t / (alpha + t)), the
/// generating function of the NBD count at 1 - p averaged over p (FHL 2008 note "Computing
/// P(alive) using the BG/NBD model", and Euler's integral for 2F1).
/// Method: a positive-term series in z = w / (1 + w), using Euler's transformation
/// 2F1(r, b; a+b; z) = (1 - z)^(a - r) 2F1(a + b - r, a; a + b; z) when r <= a + b (all terms
/// positive either way); quadrature over p when the series would need too many terms.
template <class Real>
Real survival(const Real& w, const Real& r, const Real& a, const Real& b) {
    using std::exp;
    using std::log;
    if (w == 0) return Real(1);
    const Real z = w / (1 + w);
    const Real log_1mz = -beta_geometric::log1p(w);
    const Real c = a + b;
    Real sum = 0;
    bool ok;
    Real prefactor_log;
    if (r <= c) {
        const Real A = c - r;
        ok = sum_series<Real>(
            Real(1), [&](int k) { return (A + k) * (a + k) / ((c + k) * (k + 1)) * z; }, z, 0.0, sum);
        prefactor_log = a * log_1mz;
    } else {
        ok = sum_series<Real>(
            Real(1), [&](int k) { return (r + k) * (b + k) / ((c + k) * (k + 1)) * z; }, z, 0.0, sum);
        prefactor_log = r * log_1mz;
    }
    if (ok) return exp(prefactor_log + log(sum));
    auto h = [&](const Real& p, const Real&) { return exp(-r * beta_geometric::log1p(p * w)); };
    // S lies in [(1+w)^-r, 1]; the quadrature's few-ulp errors are kept inside those bounds.
    const Real lower = exp(r * log_1mz);
    const Real value = beta_expectation<Real>(a, b, h, Real(1), lower);
    return value < lower ? lower : (value > 1 ? Real(1) : value);
}

/// Expected number of purchases of a fresh customer over w = t / alpha (FHL 2005 eq. 9):
/// E = (a + b - 1)/(a - 1) [1 - (alpha/(alpha+t))^r 2F1(r, b; a + b - 1; t/(alpha+t))]
///   = E_p[(1 - (1 + p w)^(-r)) / p].
/// Method: Euler's transformation turns the bracket into (1 - z)^(a-1) 2F1(a+b-1-r, a-1; a+b-1; z);
/// its k >= 1 terms all carry the factor (a - 1), which cancels the prefactor, so
/// E = -(a+b-1) expm1((a-1) L)/(a-1) - e^{(a-1) L} sum_{k>=1} s_k,  L = log(1 - z),
/// s_1 = (a+b-1-r) z, s_{k+1} = s_k (a+b-1-r+k)(a+k-1) z / ((a+b-1+k)(k+1)),
/// which has no singularity at a = 1 (lifetimes' and BTYD's forms divide by a - 1).
/// When the series needs too many terms or cancels, E_p[...] by quadrature over p.
template <class Real>
Real expected_count(const Real& w, const Real& r, const Real& a, const Real& b) {
    using std::abs;
    using std::exp;
    using std::log;
    if (w == 0) return Real(0);
    const Real z = w / (1 + w);
    const Real L = -beta_geometric::log1p(w);
    const Real c = a + b - 1;
    const Real y = (a - 1) * L;
    // -(expm1(y) / (a - 1)) = -L * expm1(y) / y, exact limit -L at a = 1.
    const Real first = y == 0 ? Real(-L * c) : Real(-L * c * (beta_geometric::expm1(y) / y));
    const Real A = c - r;
    Real tail = 0;
    const bool ok = sum_series<Real>(
        A * z, [&](int k0) { const int k = k0 + 1; return (A + k) * (a + k - 1) / ((c + k) * (k + 1)) * z; }, z,
        static_cast<double>(-A), tail);
    if (ok) {
        const Real second = exp(y) * tail;
        const Real value = first - second;
        if (value > 0 && abs(first) + abs(second) <= 1e4 * value) return value;
    }
    auto h = [&](const Real& p, const Real&) {
        const Real pw = p * w, k = (r + 1) * pw;
        // Near p = 0 (where p w may be subnormal) the Taylor series in p w, exact to ~k^3/24.
        if (k < Real(1e-5)) return Real(r * w * (1 - k / 2 + k * (r + 2) * pw / 6));
        return Real(-beta_geometric::expm1(-r * beta_geometric::log1p(pw)) / p);
    };
    return beta_expectation<Real>(a, b, h, Real(r * w), Real(-beta_geometric::expm1(r * L)));
}

/// P(X(t) = n) for a fresh customer, w = t / alpha (FHL 2005 eq. 8):
/// B(a, b+n)/B(a, b) NB(n; r, alpha/(alpha+t)) + [n > 0] B(a+1, b+n-1)/B(a, b) P(NB >= n),
/// where NB(n; r, q) = Gamma(r+n)/(Gamma(r) n!) q^r (1-q)^n and the tail P(NB >= n) of the
/// finite sum in eq. 8 is the regularized incomplete beta I_z(n, r), z = t/(alpha+t), computed
/// directly (the finite sum 1 - sum_{j<n} cancels badly when the tail is small).
template <class Real>
Real probability_of_count(unsigned n, const Real& w, const Real& r, const Real& a, const Real& b) {
    using std::exp;
    using std::log;
    if (w == 0) return n == 0 ? Real(1) : Real(0);
    const Real nn = Real(n);
    const Real log1pw = beta_geometric::log1p(w);
    const Real log_z = log(w) - log1pw;
    const Real log_beta_ratio = math::log_gamma_ratio(b, nn) - math::log_gamma_ratio(Real(a + b), nn);
    const Real log_nb = math::log_gamma_ratio(r, nn) - lgamma(Real(nn + 1)) - r * log1pw + (n == 0 ? Real(0) : nn * log_z);
    Real value = exp(log_beta_ratio + log_nb);
    if (n > 0) {
        const Real z = w / (1 + w);
        const Real log_dead = log(a) + math::log_gamma_ratio(b, Real(nn - 1)) - math::log_gamma_ratio(Real(a + b), nn);
        value += exp(log_dead) * boost::math::ibeta(nn, r, z, math::policy{});
    }
    return value;
}

/// J(p) = integral_0^inf e^{-d u} (1 + p u)^(-(r+1)) du = U(1, 1 - r, d/p) / p (Tricomi's U),
/// by the Legendre continued fraction of the incomplete gamma function (U(1, 1 - r, z) =
/// z^r e^z Gamma(-r, z); Abramowitz & Stegun 6.5.31), scaled by p so that p = 0 is regular:
///     J = 1 / (d + p(1+r) - p^2 1(1+r) / (d + p(3+r) - p^2 2(2+r) / (d + p(5+r) - ...))),
/// evaluated with the modified Lentz method. Returns NaN when it needs more than `max_terms`
/// (d/p very small), for the caller to fall back on quadrature.
template <class Real>
Real discount_integral_fraction(const Real& d, const Real& p, const Real& r, int max_terms = 2000) {
    using std::abs;
    const Real tiny = std::numeric_limits<Real>::min() * 16;
    const Real eps = std::numeric_limits<Real>::epsilon();
    const Real p2 = p * p;
    Real f = d + p * (1 + r);
    if (f == 0) f = tiny;
    Real C = f, D = 0;
    for (int k = 1; k <= max_terms; ++k) {
        const Real kk = Real(k);
        const Real a_k = -p2 * kk * (kk + r);
        const Real b_k = d + p * (2 * kk + 1 + r);
        D = b_k + a_k * D;
        if (D == 0) D = tiny;
        C = b_k + a_k / C;
        if (C == 0) C = tiny;
        D = 1 / D;
        const Real delta = C * D;
        f *= delta;
        if (abs(delta - 1) <= eps) return 1 / f;
    }
    return std::numeric_limits<Real>::quiet_NaN();
}

/// Discounted expected purchases of a fresh customer, integral_0^inf e^{-delta t} dE[X(t)]
/// (FHL 2005 "RFM and CLV" define DERT this way; they give a closed form for the Pareto/NBD
/// only), by nested quadrature: the general method behind `discounted_expected_count`, used
/// where its series cancels. Given p, E[X(t) | lambda, p] = (1 - e^{-lambda p t})/p, so after integrating lambda
/// dE/dt = (r/alpha) (1 + p t/alpha)^(-(r+1)), and with d = delta alpha
/// DERT = r E_p[J(p)],  J(p) = integral_0^inf e^{-d u} (1 + p u)^(-(r+1)) du.
/// Method: J by its continued fraction (`discount_integral_fraction`; exp-sinh quadrature in
/// w = log(1 + p u) where the fraction converges too slowly), E_p by the tanh-sinh Beta
/// expectation above (J(0) = 1/d). Every term is positive, so DERT is >= 0 and, J falling with
/// d, non-increasing in the rate at any rate (no cancellation as delta -> 0).
template <class Real>
Real discounted_expected_count_quadrature(const Real& delta, const Real& r, const Real& alpha, const Real& a, const Real& b) {
    using std::exp;
    using std::isnan;
    const Real d = delta * alpha;
    auto J = [&](const Real& p) {
        // The fraction converges slowly (thousands of terms) as d/p -> 0: there, quadrature.
        if (d >= Real(0.05) * p) {
            const Real fraction = discount_integral_fraction(d, p, r);
            if (!isnan(fraction)) return fraction;
        }
        // d/p small: with 1 + p u = e^w, J = (1/p) integral_0^inf exp(-r w - (d/p) expm1(w)) dw, an
        // integrand of unit scale (a plateau e^(-r w) cut off near w = log(p/d)) whatever d/p.
        const Real y = d / p;
        auto f = [&](const Real& w) { return exp(-r * w - y * beta_geometric::expm1(w)); };
        Real error = 0;
        return exp_sinh_rule<Real>().integrate(f, quadrature_tolerance<Real>(), &error) / p;
    };
    auto h = [&](const Real& p, const Real&) { return J(p); };
    return r * beta_expectation<Real>(a, b, h, Real(1 / d), J(Real(1)));
}

/// Sums a hypergeometric-type series sum_k t_k, t_0 = 1, t_{k+1} = t_k (A + k) d / ((B + k)(C + k)),
/// for `dert_series`: returns the sum and, in `rounding`, a bound on its rounding error in units
/// of epsilon: sum_k (c_k + 1) |t_k|, c_k the relative error of t_k (each factor A + j, B + j, C + j
/// rounds by about (|A| + j) / |A + j| epsilon, large near a pole, and each product and division
/// once more; the addition once). The ratios tend to 0, but terms may first shrink and then grow
/// (B + k or C + k near 0), so the sum stops only past every sign change of A + k, B + k, C + k
/// and where the ratio is below 1/2 (the tail is then below the last term). Returns false when the
/// terms overflow or the term limit is reached.
template <class Real>
bool ratio_series(const Real& A, const Real& B, const Real& C, const Real& d, Real& sum, Real& rounding) {
    using std::abs;
    using std::max;
    const Real eps = std::numeric_limits<Real>::epsilon();
    const Real past_poles = max(max(Real(0), Real(-A)), max(Real(-B), Real(-C))) + 2;
    auto conditioning = [](const Real& z, int k) { return (abs(z) + k) / abs(Real(z + k)); };
    Real term = 1, magnitude = 1, term_error = 0;
    sum = 1;
    rounding = 1;
    const int cap = series_term_limit<Real>();
    for (int k = 0; k < cap; ++k) {
        if (A + k == 0) return true;  // a terminating series: the rest of the terms are 0
        const Real q = (A + k) * d / ((B + k) * (C + k));
        term *= q;
        term_error += conditioning(A, k) + conditioning(B, k) + conditioning(C, k) + 4;
        sum += term;
        magnitude += abs(term);
        rounding += (term_error + 1) * abs(term);
        if (!(rounding <= std::numeric_limits<Real>::max())) return false;  // overflow or NaN (a pole)
        if (k > past_poles && abs(q) < Real(0.5) && abs(term) <= eps * magnitude / 16) return true;
    }
    return false;
}

/// A product of Gamma functions and a power for `dert_series`, kept as log-modulus and sign,
/// with the rounding error its exponential will carry: exp(L) has relative error about eps |L|
/// for each plain lgamma and log added, so `error_scale` collects their moduli (a ratio of
/// Gamma functions of large, nearby arguments by its Stirling form adds 1).
template <class Real>
struct gamma_product {
    Real log_modulus = 0;
    int sign = 1;
    Real error_scale = 1;

    void times_gamma(const Real& z, int power = 1) {
        using std::abs;
        using std::round;
        int s = 1;
        const Real l = boost::math::lgamma(z, &s, math::policy{});
        add(Real(power * l), s);
        // z itself was rounded (by about |z| epsilon): near a pole of Gamma that is amplified by
        // 1 / (distance to the pole); elsewhere by |z psi(z)| <= |z| (1 + |log z|) ~ |l| + |z|.
        error_scale += abs(z);
        if (z < Real(0.5)) error_scale += abs(z) / abs(Real(z - round(z)));
    }
    /// (Gamma(z + k) / Gamma(z))^power, power = 1 or -1: in double, math::log_gamma_ratio's Stirling
    /// form when both arguments are >= 100 (accurate where the two lgamma values would cancel).
    void times_gamma_quotient(const Real& z, const Real& k, int power = 1) {
        if constexpr (std::numeric_limits<Real>::digits10 <= 18) {
            if (z >= 100 && z + k >= 100) {
                add_accurate(Real(power * (k >= 0 ? math::log_gamma_ratio(z, k) : Real(-math::log_gamma_ratio(Real(z + k), Real(-k))))));
                return;
            }
        }
        times_gamma(Real(z + k), power);
        times_gamma(z, -power);
    }
    void times_power(const Real& log_base, const Real& exponent) { add(Real(exponent * log_base), 1); }
    [[nodiscard]] Real value() const {
        using std::exp;
        return sign * exp(log_modulus);
    }

private:
    void add(const Real& l, int s) {
        using std::abs;
        log_modulus += l;
        sign *= s;
        error_scale += abs(l);
    }
    void add_accurate(const Real& l) {
        log_modulus += l;
        error_scale += 1;
    }
};

/// DERT of a fresh customer in closed form (alpha = 1 units, d = delta alpha), when its terms do
/// not cancel; see `discounted_expected_count`. With lambda ~ Gamma(r, 1) and p ~ Beta(a, b),
/// DERT = E[lambda / (d + p lambda)] (purchase j, made while alive with probability (1-p)^(j-1),
/// is discounted by E[e^{-d t_j}] = (lambda/(lambda+d))^j; the geometric sum is lambda/(d + p lambda)).
/// Its Mellin transform in d, from integral_0^inf d^(z-1)/(d + c) dd = c^(z-1) pi / sin(pi z), is
///   M(z) = pi/sin(pi z) Gamma(r+z)/Gamma(r) B(a+z-1, b)/B(a, b),   max(0, 1-a) < Re z < 1,
/// and the sum of the residues at its three series of poles left of the strip (z = -k; 1-a-k;
/// -r-k) is the small-d expansion, convergent for every d (the residues fall factorially):
///   DERT = (a+b-1)/(a-1) 2F2(1, 2-a-b; 1-r, 2-a; d)
///        + d^(a-1) Gamma(1-a) Gamma(a+b) Gamma(r+1-a) / (Gamma(r) Gamma(b)) 1F1(1-b; a-r; d)
///        - d^r Gamma(1-r) Gamma(a-1-r) Gamma(a+b) / (Gamma(a) Gamma(a+b-1-r)) 1F1(2+r-a-b; 2+r-a; d).
/// (At d -> 0 and a > 1 the first term is E[1/p] = (a+b-1)/(a-1), the undiscounted limit.) The
/// three series cancel where two pole series nearly coincide (a, r or r - a near an integer) and
/// where d or d b / r is large (terms of size e^{2 sqrt(d b)}); returns false when the bound on
/// the rounding error (each series' `rounding` and the error of its Gamma prefactor, times the
/// prefactor) exceeds 1e5 epsilon times the value (1.1e-11 relative in double), for the caller to
/// use quadrature.
template <class Real>
bool dert_series(const Real& d, const Real& r, const Real& a, const Real& b, Real& value) {
    using std::abs;
    using std::log;
    Real s1, m1, s2, m2, s3, m3;
    if (!ratio_series<Real>(Real(2 - a - b), Real(1 - r), Real(2 - a), d, s1, m1) ||
        !ratio_series<Real>(Real(1 - b), Real(a - r), Real(1), d, s2, m2) ||
        !ratio_series<Real>(Real(2 + r - a - b), Real(2 + r - a), Real(1), d, s3, m3))
        return false;
    const Real log_d = log(d);
    const Real c1 = (a + b - 1) / (a - 1);
    const Real c1_error = (a + b + 1) / abs(Real(a + b - 1)) + (a + 1) / abs(Real(a - 1));
    gamma_product<Real> g2;  // d^(a-1) Gamma(1-a) [Gamma(a+b)/Gamma(b)] [Gamma(r+1-a)/Gamma(r)]
    g2.times_power(log_d, Real(a - 1));
    g2.times_gamma(Real(1 - a));
    g2.times_gamma_quotient(b, a);
    g2.times_gamma_quotient(r, Real(1 - a));
    gamma_product<Real> g3;  // d^r Gamma(1-r) Gamma(a-1-r) / Gamma(a) [Gamma(a+b) / Gamma(a+b-1-r)]
    g3.times_power(log_d, r);
    g3.times_gamma(Real(1 - r));
    g3.times_gamma(Real(a - 1 - r));
    g3.times_gamma(a, -1);
    g3.times_gamma_quotient(Real(a + b - 1 - r), Real(1 + r));
    const Real c2 = g2.value();
    const Real c3 = -g3.value();
    value = c1 * s1 + c2 * s2 + c3 * s3;
    // The sums' magnitudes (rounding / 2 bounds sum |t_k|) carry the prefactors' errors too.
    const Real error = abs(c1) * (m1 + m1 / 2 * c1_error) + abs(c2) * (m2 + m2 / 2 * g2.error_scale) + abs(c3) * (m3 + m3 / 2 * g3.error_scale);
    return value > 0 && error <= 100000 * value && (boost::math::isfinite)(error);
}

/// Discounted expected purchases of a fresh customer, integral_0^inf e^{-delta t} dE[X(t)]
/// (FHL 2005 "RFM and CLV" define DERT this way and give a closed form for the Pareto/NBD only).
/// Method: the residue series of `dert_series` (a few microseconds) where its terms do not cancel,
/// which covers the usual range (d = delta alpha below about 1 with a and r away from integers);
/// elsewhere the nested quadrature `discounted_expected_count_quadrature`. Both are >= 0 and agree
/// to about 1e-11 relative (tests/test_dert.cpp), so DERT stays non-increasing in the rate across
/// the switch to within that.
template <class Real>
Real discounted_expected_count(const Real& delta, const Real& r, const Real& alpha, const Real& a, const Real& b) {
    Real value;
    if (dert_series<Real>(Real(delta * alpha), r, a, b, value)) return value;
    return discounted_expected_count_quadrature<Real>(delta, r, alpha, a, b);
}

}  // namespace clv::detail::beta_geometric
