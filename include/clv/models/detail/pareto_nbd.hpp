// Numerics of the Pareto/NBD likelihood (models/pareto_nbd.hpp), FH05 = Fader & Hardie (2005),
// "A note on deriving the Pareto/NBD model and related expressions".
//
// Numerics. FH05 writes the likelihood of (x, t_x, T) as
//     L = Gamma(r+x) alpha^r beta^s / Gamma(r) * [ 1 / ((alpha+T)^(r+x) (beta+T)^s) + s/(r+s+x) A0 ]
// with A0 a difference of two 2F1 / (max(alpha,beta)+tau)^(r+s+x) terms (tau = t_x, T). Computed
// as written, (alpha+T)^(r+x) overflows for large x and the 2F1 argument tends to 1 when alpha and
// beta differ by orders of magnitude (lifetimes, BTYD and CLVTools return 0, inf or NaN there).
// Here the likelihood is split as L = C * P * (1 + R), with
//     C * P = Gamma(r+x)/Gamma(r) (alpha/(alpha+T))^r (alpha+T)^(-x) (beta/(beta+T))^s,
//     R     = s * integral_{t_x}^{T} ((alpha+T)/(alpha+tau))^(r+x) ((beta+T)/(beta+tau))^s dtau/(beta+tau),
// R being the odds "died in (t_x, T]" against "alive at T" (so P(alive) = 1/(1+R), FH05 eq. 18
// rewritten). By Euler's transformation the FH05 2F1 terms become, for tau in {t_x, T},
//     R = s/(r+s+x) * [ H(t_x) e^Delta - H(T) ],
//     Delta = (r+x) log((alpha+T)/(alpha+t_x)) + s log((beta+T)/(beta+t_x)),
//     H(tau) = 2F1(1, r+x; r+s+x+1; (alpha-beta)/(alpha+tau))                        alpha >= beta,
//     H(tau) = (alpha+tau)/(beta+tau) 2F1(1, s+1; r+s+x+1; (beta-alpha)/(beta+tau))   alpha <  beta,
// whose series have positive terms and 1 <= H <= (r+s+x)/s. Everything is combined in log space;
// the difference H(t_x) e^Delta - H(T) only loses digits when t_x ~ T, where R << 1 and the error
// is absolute on log(1+R). The 2F1 is summed as its series for arguments up to 0.6 and by Gauss's
// continued fraction above (core/hypergeometric.hpp: about 130 steps at 0.98 where the series
// takes 2,000 terms); above 0.9999 (the fraction would need thousands of steps) R and its gradient
// are integrated numerically instead (tanh-sinh on a variable that absorbs the integrand's
// exponential decay).
#pragma once

#include <clv/core/hypergeometric.hpp>
#include <clv/core/math.hpp>
#include <clv/core/quadrature.hpp>

#include <array>
#include <cmath>
#include <cstddef>
#include <limits>
#include <stdexcept>

namespace clv {

namespace detail::pnbd {

using math::digamma;
using math::expm1;
using math::lgamma;
using math::log1p;
using math::log1p_exp;

/// (1 - (1+u)^(-a)) / a = -expm1(-a log1p(u)) / a, and its limit log1p(u) at a = 0: the
/// integral that appears in every Pareto/NBD expectation (FH05 eq. 17 with a = s - 1).
template <class Real>
Real power_integral(const Real& a, const Real& u) {
    const Real l = log1p(u);
    if (a == 0) return l;
    return -expm1(Real(-a * l)) / a;
}

/// The death odds R of the header comment, as log(1 + R) with (optionally) its gradient with
/// respect to (r, alpha, s, beta). `log_R` is -inf when t_x == T.
template <class Real>
struct death_odds {
    Real log_R;
    Real log1p_R;
    std::array<Real, 4> d_log1p_R{};  ///< d log(1+R) / d (r, alpha, s, beta)
    bool by_quadrature = false;
};

/// Above this 2F1 argument H is summed by Gauss's continued fraction rather than its series: the
/// series needs about 40 / (1 - z) terms, the fraction about 37 / -log(rho) steps,
/// rho = (1 - sqrt(1-z)) / (1 + sqrt(1-z)), each 1.5-2 times a term's cost; they cost the same
/// near 0.5.
inline constexpr double fraction_argument_from = 0.6;

/// Above this 2F1 argument H (and R) are integrated numerically: the fraction would need
/// thousands of steps (2,000 at 0.9999, about 50 us with the gradient, against 70-140 us for
/// the quadrature; measured in session 7, docs/models.md).
inline constexpr double closed_form_argument_limit = 0.9999;

using math::exp_sinh_rule;
using math::tanh_sinh_rule;

template <class Real>
Real quadrature_tolerance() {
    using std::pow;
    // About 13 digits in double: the integral then carries no more error than the surrounding
    // logarithms. Wider types stop at 1e-24, ample for an oracle of double and far cheaper.
    const Real tol = pow(std::numeric_limits<Real>::epsilon(), Real(0.85));
    return tol > Real(1e-24) ? tol : Real(1e-24);
}

/// R (and its gradient) by quadrature of its defining integral. With u = log((beta+tau)/(beta+t_x))
/// the integrand is exp(-s u) ((alpha+t_x)/(alpha+tau))^(r+x) times e^Delta: decreasing, with
/// log-derivative -k(tau), k(tau) = s + (r+x)(beta+tau)/(alpha+tau) monotone in tau (increasing
/// when alpha >= beta, decreasing otherwise). The substitution p = 1 - exp(-k_min u), k_min the
/// smaller of k(t_x) and k(T), leaves a bounded, non-increasing integrand on [0, p1] that vanishes
/// (rather than blows up) towards p = 1, which tanh-sinh integrates to full precision.
template <class Real, bool Gradient>
death_odds<Real> death_odds_by_quadrature(const Real& r, const Real& alpha, const Real& s, const Real& beta,
                                          const Real& x, const Real& t_x, const Real& T) {
    using std::exp;
    using std::log;
    const Real rx = r + x;
    const Real k_tx = s + rx * (beta + t_x) / (alpha + t_x);
    const Real k_T = s + rx * (beta + T) / (alpha + T);
    const Real k0 = k_tx < k_T ? k_tx : k_T;
    const Real U = log1p(Real((T - t_x) / (beta + t_x)));
    const Real p1 = -expm1(Real(-k0 * U));
    const Real Delta = rx * log1p(Real((T - t_x) / (alpha + t_x))) + s * U;
    // At p: u = -log(1-p)/k0, tau = (beta+t_x) e^u - beta, and the integrand (without the
    // factor s e^Delta) is h = exp((k0 - s) u) ((alpha+t_x)/(alpha+tau))^(r+x) / k0, k0 = k_min.
    auto& rule = tanh_sinh_rule<Real>();
    const Real tol = quadrature_tolerance<Real>();
    auto integrate = [&](auto&& weight) {
        auto f = [&](const Real& p) {
            const Real u = -log1p(Real(-p)) / k0;
            const Real growth = expm1(u);  // (tau - t_x) / (beta + t_x)
            const Real tau = t_x + (beta + t_x) * growth;
            const Real h = exp((k0 - s) * u - rx * log1p(Real((beta + t_x) * growth / (alpha + t_x)))) / k0;
            return Real(h * weight(tau));
        };
        return rule.integrate(f, Real(0), p1, tol);
    };
    death_odds<Real> out;
    const Real J = integrate([](const Real&) { return Real(1); });
    out.log_R = log(s) + Delta + log(J);
    out.log1p_R = log1p_exp(out.log_R);
    out.by_quadrature = true;
    if constexpr (Gradient) {
        const Real w = exp(out.log_R - out.log1p_R);  // R / (1 + R)
        const Real Jr = integrate([&](const Real& tau) { return Real(log((alpha + T) / (alpha + tau))); });
        const Real Ja = integrate([&](const Real& tau) { return Real(rx * (1 / (alpha + T) - 1 / (alpha + tau))); });
        const Real Js = integrate([&](const Real& tau) { return Real(log((beta + T) / (beta + tau))); });
        const Real Jb = integrate([&](const Real& tau) {
            return Real(s * (1 / (beta + T) - 1 / (beta + tau)) - 1 / (beta + tau));
        });
        out.d_log1p_R = {w * Jr / J, w * Ja / J, w * (1 / s + Js / J), w * Jb / J};
    }
    return out;
}

/// log H(tau) of the header comment and its gradient with respect to (r, alpha, s, beta).
template <class Real, bool Gradient>
struct log_h_result {
    Real value;
    std::array<Real, 4> d{};
    bool converged;
};

/// Up to this c (r+s+x+1: frequencies x up to about 200) the continued fraction is used above
/// `fraction_argument_from`; it needs c / 2 steps at least (see special::gauss_fraction).
inline constexpr double fraction_c_limit = 200;

/// Above this argument, where the continued fraction is not used (c > `fraction_c_limit`), the
/// series would need thousands of terms: H is integrated numerically instead.
inline constexpr double series_argument_limit = 0.98;

/// What a summed likelihood keeps between 2F1s of customers with the same frequency (same b
/// and c): special::unit_2f1_at_many_z.
template <class Real, bool Gradient>
using kept_2f1 = special::unit_2f1_at_many_z<Real, Gradient>;

/// 2F1(1, b; c; z) with its derivatives in b, c and z: Gauss's continued fraction above
/// `fraction_argument_from` for c up to `fraction_c_limit`, otherwise the series up to
/// `series_argument_limit`; beyond, `converged = false` (the caller integrates). With `kept`,
/// the same bits from what it keeps for (b, c).
template <class Real, bool Gradient>
special::gauss_series_result<Real> unit_2f1(const Real& b, const Real& c, const Real& z,
                                            kept_2f1<Real, Gradient>* kept = nullptr) {
    const bool by_fraction = z > Real(fraction_argument_from) && c <= Real(fraction_c_limit);
    if (!by_fraction && z > Real(series_argument_limit)) return {};
    if (kept) {
        kept->prepare(b, c);
        return by_fraction ? kept->fraction(z) : kept->series(z);
    }
    return by_fraction ? special::gauss_fraction<Real, Gradient>(b, c, z)
                       : special::gauss_series<Real, Gradient>(Real(1), b, c, z);
}

/// log H(tau) by its 2F1 (`unit_2f1`); `converged` is false when that did not converge.
template <class Real, bool Gradient>
log_h_result<Real, Gradient> log_h_by_2f1(const Real& r, const Real& alpha, const Real& s, const Real& beta,
                                          const Real& x, const Real& tau, kept_2f1<Real, Gradient>* kept = nullptr) {
    using std::log;
    const Real c = r + s + x + 1;
    log_h_result<Real, Gradient> out{};
    if (alpha >= beta) {
        const Real z = (alpha - beta) / (alpha + tau);
        const auto f = unit_2f1<Real, Gradient>(Real(r + x), c, z, kept);
        out.value = f.log_value;
        out.converged = f.converged;
        if constexpr (Gradient) {
            out.d = {f.d_b + f.d_c, f.d_z * (beta + tau) / ((alpha + tau) * (alpha + tau)), f.d_c,
                     -f.d_z / (alpha + tau)};
        }
    } else {
        const Real w = (beta - alpha) / (beta + tau);
        const auto f = unit_2f1<Real, Gradient>(Real(s + 1), c, w, kept);
        out.value = log((alpha + tau) / (beta + tau)) + f.log_value;
        out.converged = f.converged;
        if constexpr (Gradient) {
            out.d = {f.d_c, -f.d_z / (beta + tau) + 1 / (alpha + tau), f.d_b + f.d_c,
                     f.d_z * (alpha + tau) / ((beta + tau) * (beta + tau)) - 1 / (beta + tau)};
        }
    }
    return out;
}

/// Whether R for (t_x, T) is taken from the 2F1 (true) or needs quadrature: the 2F1 argument
/// must stay below `closed_form_argument_limit`. Depends on t_x only, not on T.
template <class Real>
bool closed_form_applies(const Real& alpha, const Real& beta, const Real& t_x) {
    const Real argument = alpha >= beta ? Real((alpha - beta) / (alpha + t_x)) : Real((beta - alpha) / (beta + t_x));
    return !(argument > Real(closed_form_argument_limit));
}

/// log H(tau) by quadrature, for 2F1 arguments near 1 (where the continued fraction would need
/// thousands of steps). H is A = r+s+x times the tail integral that R is a difference of,
///     H(tau) = A (alpha+tau)^(r+x) (beta+tau)^s int_tau^inf (alpha+u)^-(r+x) (beta+u)^-(s+1) du,
/// which with beta + u = (beta+tau) e^v and rho = (beta+tau)/(alpha+tau) reads
///     H(tau) = A int_0^inf exp(-s v - (r+x) L(v)) dv,   L(v) = log1p(rho expm1(v))
/// (rho = 1 gives H = 1). The integrand's log-derivative -(s + (r+x) rho e^v / (1 + rho expm1(v)))
/// is monotone between -(s + (r+x) rho) at 0 and -(s+r+x) at infinity; with k0 the smaller of the
/// two, p = 1 - exp(-k0 v) leaves a bounded non-increasing integrand on [0, 1) for tanh-sinh. The
/// gradient differentiates under the integral: d log H / dr = 1/A - <L>, d/ds = 1/A - <v>,
/// d/dalpha = (r+x) rho <M> / (alpha+tau), d/dbeta = -(r+x) <M> / (alpha+tau), where
/// M = dL/drho = expm1(v) / (1 + rho expm1(v)) and <f> is f's average under the integrand.
/// It depends on (x, tau) only, so a summed likelihood computes it once per distinct pair, where
/// the quadrature of R itself (death_odds_by_quadrature) would run once per row.
template <class Real, bool Gradient>
log_h_result<Real, Gradient> log_h_by_quadrature(const Real& r, const Real& alpha, const Real& s, const Real& beta,
                                                 const Real& x, const Real& tau) {
    using std::exp;
    using std::log;
    const Real rx = r + x;
    const Real A = r + s + x;
    const Real rho = (beta + tau) / (alpha + tau);
    const Real k_start = s + rx * rho, k_end = A;
    const Real k0 = k_start < k_end ? k_start : k_end;
    auto& rule = tanh_sinh_rule<Real>();
    const Real tol = quadrature_tolerance<Real>();
    auto integrate = [&](auto&& weight) {
        auto f = [&](const Real& p) {
            // p rounding to 1 is the point at infinity, where the integrand (times v) is 0 or
            // an integrable singularity; tanh-sinh's weights there are below any rounding.
            if (!(p < 1)) return Real(0);
            const Real v = -log1p(Real(-p)) / k0;
            const Real e = expm1(v);
            const Real L = log1p(Real(rho * e));
            const Real h = exp((k0 - s) * v - rx * L) / k0;
            return h == 0 ? Real(0) : Real(h * weight(v, e, L));  // 0, not 0 * inf, far out
        };
        return rule.integrate(f, Real(0), Real(1), tol);
    };
    log_h_result<Real, Gradient> out{};
    try {
        const Real J = integrate([](const Real&, const Real&, const Real&) { return Real(1); });
        out.value = log(A) + log(J);
        out.converged = true;
        if constexpr (Gradient) {
            const Real mean_L = integrate([](const Real&, const Real&, const Real& L) { return L; }) / J;
            const Real mean_v = integrate([](const Real& v, const Real&, const Real&) { return v; }) / J;
            const Real mean_M = integrate([&](const Real&, const Real& e, const Real&) { return Real(1 / (1 / e + rho)); }) / J;
            out.d = {1 / A - mean_L, rx * rho * mean_M / (alpha + tau), 1 / A - mean_v, -rx * mean_M / (alpha + tau)};
        }
    } catch (const std::exception&) {
        // Boost's rule throws where the integrand is not finite (parameters far outside any fit's
        // path): a summed likelihood never throws, a NaN tells the optimiser "too far".
        out.value = std::numeric_limits<Real>::quiet_NaN();
        out.converged = false;
    }
    return out;
}

/// log H(tau): the 2F1 where it converges quickly, quadrature otherwise.
template <class Real, bool Gradient>
log_h_result<Real, Gradient> log_h(const Real& r, const Real& alpha, const Real& s, const Real& beta, const Real& x,
                                   const Real& tau, kept_2f1<Real, Gradient>* kept = nullptr) {
    if (closed_form_applies(alpha, beta, tau)) {
        auto h = log_h_by_2f1<Real, Gradient>(r, alpha, s, beta, x, tau, kept);
        if (h.converged) return h;
    }
    return log_h_by_quadrature<Real, Gradient>(r, alpha, s, beta, x, tau);
}


/// The death odds R from the two values H(t_x) and H(T) (see the header comment).
template <class Real, bool Gradient>
death_odds<Real> death_odds_from_h(const log_h_result<Real, Gradient>& h_tx, const log_h_result<Real, Gradient>& h_T,
                                        const Real& r, const Real& alpha, const Real& s, const Real& beta,
                                        const Real& x, const Real& t_x, const Real& T) {
    using std::exp;
    using std::log;
    death_odds<Real> out;
    const Real rx = r + x;
    const Real A = r + s + x;
    const Real log_alpha_ratio = log1p(Real((T - t_x) / (alpha + t_x)));  // log((alpha+T)/(alpha+t_x))
    const Real log_beta_ratio = log1p(Real((T - t_x) / (beta + t_x)));
    const Real Delta = rx * log_alpha_ratio + s * log_beta_ratio;
    const Real log_E = h_tx.value + Delta;
    const Real log_q = h_T.value - log_E;  // <= 0 in exact arithmetic
    // q and 1 - q: 1 - q from q itself loses nothing while q <= 1/2; above, expm1.
    const Real q = exp(log_q);
    Real one_minus_q = q <= Real(0.5) ? Real(1 - q) : Real(-expm1(log_q));
    if (one_minus_q < 0) one_minus_q = 0;
    const Real log_s_over_A = log(s / A);
    out.log_R = log_s_over_A + log_E + log(one_minus_q);
    // w = R/(1+R) and f = (s/A) E / (1+R) = w / (1-q) of the gradient below. While R itself is
    // far from overflowing, from R (one exponential for log(1+R), w and f); beyond, in logs.
    static const Real exp_limit = Real(0.3 * std::numeric_limits<Real>::max_exponent);  // < log(max) / 2
    [[maybe_unused]] Real w = 0, f = 0;
    if (out.log_R < exp_limit) {
        const Real R = exp(out.log_R);
        out.log1p_R = log1p(R);
        if constexpr (Gradient) {
            w = R / (1 + R);
            f = one_minus_q > 0 ? Real(w / one_minus_q) : Real(exp(log_s_over_A + log_E - out.log1p_R));
        }
    } else {
        out.log1p_R = log1p_exp(out.log_R);
        if constexpr (Gradient) {
            w = exp(out.log_R - out.log1p_R);
            f = exp(log_s_over_A + log_E - out.log1p_R);
        }
    }
    if constexpr (Gradient) {
        // d R / (1 + R) = w d log(s/A) + f [ (d log H(t_x) + d Delta) - q d log H(T) ]: finite
        // even where R -> 0 (see the header comment).
        const std::array<Real, 4> d_Delta = {log_alpha_ratio, rx * (1 / (alpha + T) - 1 / (alpha + t_x)),
                                             log_beta_ratio, s * (1 / (beta + T) - 1 / (beta + t_x))};
        const std::array<Real, 4> d_log_s_over_A = {-1 / A, Real(0), 1 / s - 1 / A, Real(0)};
        for (std::size_t i = 0; i < 4; ++i)
            out.d_log1p_R[i] = w * d_log_s_over_A[i] + f * ((h_tx.d[i] + d_Delta[i]) - q * h_T.d[i]);
    }
    return out;
}

/// R = 0 when t_x == T: no time to die unobserved.
template <class Real>
death_odds<Real> no_death_odds() {
    death_odds<Real> out;
    out.log_R = -std::numeric_limits<Real>::infinity();
    out.log1p_R = 0;
    return out;
}

/// The death odds R for one customer, by the 2F1 (series or continued fraction) or (argument near
/// 1, or no convergence)
/// by quadrature. Inputs are assumed valid.
template <class Real, bool Gradient>
death_odds<Real> compute_death_odds(const Real& r, const Real& alpha, const Real& s, const Real& beta,
                                    const Real& x, const Real& t_x, const Real& T) {
    if (!(t_x < T)) return no_death_odds<Real>();
    if (!closed_form_applies(alpha, beta, t_x)) return death_odds_by_quadrature<Real, Gradient>(r, alpha, s, beta, x, t_x, T);
    const auto h_tx = log_h_by_2f1<Real, Gradient>(r, alpha, s, beta, x, t_x);
    const auto h_T = log_h_by_2f1<Real, Gradient>(r, alpha, s, beta, x, T);
    if (!h_tx.converged || !h_T.converged)
        return death_odds_by_quadrature<Real, Gradient>(r, alpha, s, beta, x, t_x, T);
    return death_odds_from_h(h_tx, h_T, r, alpha, s, beta, x, t_x, T);
}

/// log(C P) of the header comment without the Gamma(r+x)/Gamma(r) factor.
template <class Real>
Real log_alive_part(const Real& r, const Real& alpha, const Real& s, const Real& beta, const Real& x,
                    const Real& T) {
    using std::log;
    return -r * log1p(Real(T / alpha)) - x * log(alpha + T) - s * log1p(Real(T / beta));
}

}  // namespace detail::pnbd

}  // namespace clv
