// The Pareto/NBD model of non-contractual repeat buying (Schmittlein, Morrison & Colombo 1987,
// "Counting your customers", Management Science 33(1)), in the formulation of Fader & Hardie
// (2005), "A note on deriving the Pareto/NBD model and related expressions" (FH05 below).
//
// While alive a customer buys as a Poisson process with rate lambda ~ Gamma(r, alpha); the
// lifetime is exponential with rate mu ~ Gamma(s, beta), lambda and mu independent.
//
// The numerics (a stable form of FH05's likelihood) are in models/detail/pareto_nbd.hpp.
#pragma once

#include <clv/core/concepts.hpp>
#include <clv/core/errors.hpp>
#include <clv/core/hypergeometric.hpp>
#include <clv/core/math.hpp>
#include <clv/core/quadrature.hpp>
#include <clv/data/customer_table.hpp>
#include <clv/fit/blocked_sum.hpp>
#include <clv/fit/maximum_likelihood.hpp>
#include <clv/models/detail/pareto_nbd.hpp>

#include <boost/math/quadrature/exp_sinh.hpp>
#include <boost/math/quadrature/tanh_sinh.hpp>
#include <boost/math/special_functions/digamma.hpp>
#include <boost/math/special_functions/fpclassify.hpp>
#include <boost/math/special_functions/expm1.hpp>
#include <boost/math/special_functions/gamma.hpp>
#include <boost/math/special_functions/log1p.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <limits>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

namespace clv {


/// The Pareto/NBD model with parameters r, alpha (purchase-rate heterogeneity) and s, beta
/// (dropout-rate heterogeneity). Times are in the unit of the data (e.g. weeks).
/// `Real` may be double or a boost::multiprecision type (the tests use cpp_bin_float_50 as an
/// oracle); fitting and simulation work in double.
template <class Real = double>
class pareto_nbd {
public:
    using real_type = Real;
    struct params {
        Real r, alpha, s, beta;
    };
    static constexpr std::string_view name = "pnbd";
    static constexpr std::size_t parameter_count = 4;
    static constexpr std::array<std::string_view, 4> parameter_names{"r", "alpha", "s", "beta"};

    static std::array<double, 4> to_array(const params& p) {
        return {static_cast<double>(p.r), static_cast<double>(p.alpha), static_cast<double>(p.s),
                static_cast<double>(p.beta)};
    }
    static params from_array(const std::array<double, 4>& a) { return {Real(a[0]), Real(a[1]), Real(a[2]), Real(a[3])}; }

    /// Throws `invalid_input` naming the first parameter outside [1e-8, 1e8]
    /// (math::min_model_parameter, math::max_model_parameter; NaN and infinities included).
    static void validate(const params& p) {
        const std::array<Real, 4> values{p.r, p.alpha, p.s, p.beta};
        for (std::size_t i = 0; i < 4; ++i) {
            const Real& v = values[i];
            if (!math::model_parameter_in_range(static_cast<double>(v)))
                throw invalid_input(std::string(parameter_names[i]), to_message_string(v),
                                    math::model_parameter_range_text, {"pareto_nbd parameters"});
        }
    }

    explicit pareto_nbd(const params& p) : params_(p) { validate(p); }
    [[nodiscard]] const params& parameters() const noexcept { return params_; }

    /// Log-likelihood of one customer (x, t_x, T), FH05 eqs. (22)-(23) in the stable form of the
    /// header comment. No validation: for hot loops (invalid input gives NaN, never a throw).
    static Real log_likelihood(const params& p, Real x, Real t_x, Real T) {
        namespace d = detail::pnbd;
        const auto odds = d::compute_death_odds<Real, false>(p.r, p.alpha, p.s, p.beta, x, t_x, T);
        return math::log_gamma_ratio(p.r, x) +
               d::log_alive_part(p.r, p.alpha, p.s, p.beta, x, T) + odds.log1p_R;
    }

    /// Log-likelihood of one record; validates it.
    template <transaction_record R>
    Real log_likelihood(const R& record) const {
        const auto [x, t_x, T] = checked(record.frequency, record.recency, record.T);
        return log_likelihood(params_, x, t_x, T);
    }

    /// Summed weighted log-likelihood of columns (validated).
    Real log_likelihood(const transaction_columns& data) const {
        validate_columns(data);
        Real total = 0;
        for (std::size_t i = 0; i < data.size(); ++i)
            total += Real(data.weight_at(i)) * log_likelihood(params_, Real(data.frequency[i]),
                                                             Real(data.recency[i]), Real(data.T[i]));
        return total;
    }

    /// Summed weighted log-likelihood and its analytic gradient with respect to
    /// (log r, log alpha, log s, log beta), for the fitting layer. The 2F1 part is differentiated
    /// term by term (clv::special::gauss_series) or step by step (clv::special::gauss_fraction).
    /// On `threads` threads in fixed blocks, with the same bits for any count
    /// (fit::blocked_log_likelihood). Data are assumed valid (the caller of `fit` validates);
    /// never throws.
    static double log_likelihood_with_gradient(const params& p, const transaction_columns& data,
                                               std::array<double, 4>& gradient, unsigned threads = 1) {
        namespace d = detail::pnbd;
        const double r = static_cast<double>(p.r), alpha = static_cast<double>(p.alpha);
        const double s = static_cast<double>(p.s), beta = static_cast<double>(p.beta);
        // Gamma(r+x)/Gamma(r) and its r-derivative for integer x from running sums, when the
        // frequencies are small integers (the usual case); otherwise lgamma/digamma per row.
        double max_x = 0;
        bool integer_x = true;
        for (double x : data.frequency) {
            max_x = std::max(max_x, x);
            integer_x = integer_x && x == std::floor(x);
        }
        const bool use_table = integer_x && max_x <= 4.0 * static_cast<double>(data.size()) + 1000.0;
        std::vector<double> lg_table, dg_table;
        if (use_table) {
            const auto n = static_cast<std::size_t>(max_x) + 1;
            lg_table.resize(n);
            dg_table.resize(n);
            double lg = 0, dg = 0;
            for (std::size_t k = 0; k < n; ++k) {
                lg_table[k] = lg;
                dg_table[k] = dg;
                lg += std::log(r + static_cast<double>(k));
                dg += 1.0 / (r + static_cast<double>(k));
            }
        }
        // H(tau) depends on (x, tau) only. Compressed tables come sorted by (x, t_x, T), so H(t_x)
        // is shared by runs of consecutive rows, and H(T) by every row with the same (x, T)
        // (most rows have x = 0 and one of a few hundred ages T): both are looked up, not
        // recomputed, which more than halves the cost per row. Where the 2F1 argument is near 1,
        // H comes from quadrature (detail::pnbd::log_h), still once per (x, tau) and not once per
        // row as a quadrature of R would be: this keeps the fit's cost bounded when it passes
        // through parameters with alpha and beta orders of magnitude apart. The caches belong to
        // a block.
        using h_type = d::log_h_result<double, true>;
        struct pair_hash {
            std::size_t operator()(const std::pair<double, double>& k) const noexcept {
                return std::hash<double>{}(k.first) * 1000003u ^ std::hash<double>{}(k.second);
            }
        };
        return fit::blocked_log_likelihood<4>(data.size(), threads, &gradient, [&](std::size_t begin, std::size_t end,
                                                                                  std::array<double, 4>& g) {
            double total = 0;
            std::unordered_map<std::pair<double, double>, h_type, pair_hash> h_of_T;
            d::kept_2f1<double, true> kept;  // rows with the same x share the 2F1's b and c
            double cached_x = -1, cached_tx = -1;
            h_type h_tx{};
            for (std::size_t i = begin; i < end; ++i) {
                const double x = data.frequency[i], t_x = data.recency[i], T = data.T[i];
                const double wt = data.weight_at(i);
                d::death_odds<double> odds;
                if (!(t_x < T)) {
                    odds = d::no_death_odds<double>();
                } else {
                    if (x != cached_x || t_x != cached_tx) {
                        h_tx = d::log_h<double, true>(r, alpha, s, beta, x, t_x, &kept);
                        cached_x = x;
                        cached_tx = t_x;
                    }
                    auto [it, inserted] = h_of_T.try_emplace({x, T});
                    if (inserted) it->second = d::log_h<double, true>(r, alpha, s, beta, x, T, &kept);
                    odds = d::death_odds_from_h(h_tx, it->second, r, alpha, s, beta, x, t_x, T);
                }
                double lg_ratio, dg_ratio;
                if (use_table) {
                    const auto k = static_cast<std::size_t>(x);
                    lg_ratio = lg_table[k];
                    dg_ratio = dg_table[k];
                } else {
                    lg_ratio = math::log_gamma_ratio(r, x);
                    dg_ratio = math::digamma_difference(r, x);
                }
                const double log_1p_T_alpha = d::log1p(T / alpha), log_1p_T_beta = d::log1p(T / beta);
                total += wt * (lg_ratio - r * log_1p_T_alpha - x * std::log(alpha + T) - s * log_1p_T_beta +
                               odds.log1p_R);
                // Gradients in log-parameters: p * d/dp.
                g[0] += wt * r * (dg_ratio - log_1p_T_alpha + odds.d_log1p_R[0]);
                g[1] += wt * ((r * T - alpha * x) / (alpha + T) + alpha * odds.d_log1p_R[1]);
                g[2] += wt * s * (-log_1p_T_beta + odds.d_log1p_R[2]);
                g[3] += wt * (s * T / (beta + T) + beta * odds.d_log1p_R[3]);
            }
            return total;
        });
    }

    /// A scale-aware start: r = s = 1, alpha so that r/alpha matches the average purchase rate,
    /// beta = average T (one expected lifetime of the order of the observation window).
    static params default_start(const transaction_columns& data) {
        double w_total = 0, x_sum = 0, T_sum = 0;
        for (std::size_t i = 0; i < data.size(); ++i) {
            const double w = data.weight_at(i);
            w_total += w;
            x_sum += w * data.frequency[i];
            T_sum += w * data.T[i];
        }
        const double mean_T = w_total > 0 && T_sum > 0 ? T_sum / w_total : 1.0;
        const double mean_x = w_total > 0 ? x_sum / w_total : 0.0;
        const double rate = std::max(mean_x, 0.05) / mean_T;
        return {Real(1), Real(1 / rate), Real(1), Real(mean_T)};
    }

    static double total_weight(const transaction_columns& d) { return d.total_weight(); }

    /// Centre of a penalised fit (fit::fit_options::penalty): alpha and beta are time scales and
    /// are measured against the data's mean age; r and s are dimensionless.
    static std::array<double, 4> penalty_reference(const transaction_columns& d) {
        const double scale = d.mean_T();
        return {1.0, scale, 1.0, scale};
    }

    /// Maximum-likelihood fit (clv::fit::maximize_likelihood); validates the data first.
    static clv::fit::fit_result<pareto_nbd> fit(const transaction_columns& data, const fit::fit_options& options = {}) {
        validate_columns(data);
        return clv::fit::maximize_likelihood<pareto_nbd>(data, options);
    }

    // ----- predictions (FH05 sections 4-6; times in the data's unit) -----

    /// E[X(t)] for a new customer, FH05 eq. (17): r beta / (alpha (s-1)) [1 - (beta/(beta+t))^(s-1)]
    /// (its limit (r beta/alpha) log(1 + t/beta) at s = 1).
    Real expected_transactions(Real t) const {
        check_time("t", t);
        const auto& p = params_;
        return p.r * p.beta / p.alpha * detail::pnbd::power_integral(Real(p.s - 1), Real(t / p.beta));
    }

    /// E[X(T, T+t) | x, t_x, T], FH05 eq. (21):
    /// (r+x)(beta+T) / ((alpha+T)(s-1)) [1 - ((beta+T)/(beta+T+t))^(s-1)] P(alive).
    Real conditional_expected_transactions(Real t, Real x, Real t_x, Real T) const {
        check_time("t", t);
        std::tie(x, t_x, T) = checked(x, t_x, T);
        const auto& p = params_;
        return (p.r + x) * (p.beta + T) / (p.alpha + T) *
               detail::pnbd::power_integral(Real(p.s - 1), Real(t / (p.beta + T))) * alive(x, t_x, T);
    }

    /// P(alive at T | x, t_x, T), FH05 eq. (18), as 1 / (1 + R).
    Real probability_alive(Real x, Real t_x, Real T) const {
        std::tie(x, t_x, T) = checked(x, t_x, T);
        return alive(x, t_x, T);
    }

    /// P(alive at T + t | x, t_x, T): alive at T, then survives t more with mu ~ Gamma(s, beta+T)
    /// (the posterior of mu given alive at T), i.e. P(alive) ((beta+T)/(beta+T+t))^s.
    Real probability_alive_at(Real t, Real x, Real t_x, Real T) const {
        using std::exp;
        check_time("t", t);
        std::tie(x, t_x, T) = checked(x, t_x, T);
        return alive(x, t_x, T) * exp(-params_.s * detail::pnbd::log1p(Real(t / (params_.beta + T))));
    }

    /// P(X(t) = n) for a new customer (Fader & Hardie 2006, "Deriving an expression for
    /// P(X(t) = x) under the Pareto/NBD model"): alive through t, or dead at omega < t,
    ///   NBD(n; r, alpha, t) (beta/(beta+t))^s + integral_0^t NBD(n; r, alpha, w) s beta^s/(beta+w)^(s+1) dw,
    /// the integral evaluated by tanh-sinh quadrature (the note's closed form sums alternating
    /// 2F1 terms and cancels badly for small t).
    Real probability_of_n(unsigned n, Real t) const {
        check_time("t", t);
        return pmf(params_, n, t);
    }

    /// P(X(T, T+t) = n | x, t_x, T) (Fader & Hardie 2024 note on the conditional PMF): a customer
    /// alive at T is a fresh Pareto/NBD customer with (r+x, alpha+T, s, beta+T); a dead one buys 0.
    Real conditional_probability_of_n(unsigned n, Real t, Real x, Real t_x, Real T) const {
        check_time("t", t);
        std::tie(x, t_x, T) = checked(x, t_x, T);
        const Real pa = alive(x, t_x, T);
        const params posterior{params_.r + x, params_.alpha + T, params_.s, params_.beta + T};
        return pa * pmf(posterior, n, t) + (n == 0 ? Real(1) - pa : Real(0));
    }

    /// Discounted expected residual transactions (Fader, Hardie & Lee 2005, "RFM and CLV",
    /// JMR 42(4), eq. 2 / appendix): with continuous discount rate delta per time unit,
    ///   DERT = P(alive) (r+x)/(alpha+T) E[1/(delta+mu)],  mu ~ Gamma(s, beta+T),
    ///   E[1/(delta+mu)] = (beta+T)^s delta^(s-1) U(s, s; delta (beta+T))   (Tricomi U)
    ///                   = b integral_0^inf e^(-delta b u) (1+u)^(-s) du,   b = beta + T,
    /// the last form evaluated by exp-sinh quadrature.
    Real dert(Real discount_rate, Real x, Real t_x, Real T) const {
        std::tie(x, t_x, T) = checked(x, t_x, T);
        return alive(x, t_x, T) * dert_if_alive(discount_rate, x, T);
    }

    /// DERT of a customer known to be alive at T: it depends on (x, T) only, so batch scoring can
    /// reuse it across customers; dert = probability_alive * dert_if_alive.
    Real dert_if_alive(Real discount_rate, Real x, Real T) const {
        using std::exp;
        using std::isfinite;
        if (!(discount_rate >= 0) || !isfinite(discount_rate))
            throw invalid_input("discount_rate", to_message_string(discount_rate),
                                "the discount rate must be a finite number >= 0", {"pareto_nbd::dert"});
        Real t_x = 0;
        std::tie(x, t_x, T) = checked(x, t_x, T);
        const auto& p = params_;
        if (discount_rate == 0) {  // E[lambda] E[lifetime] = (r+x)/(alpha+T) (beta+T)/(s-1), finite for s > 1
            if (!(p.s > 1)) throw undiscounted_sum_diverges("s", static_cast<double>(p.s), "pareto_nbd::dert");
            return (p.r + x) / (p.alpha + T) * (p.beta + T) / (p.s - 1);
        }
        const Real b = p.beta + T;
        const Real z = discount_rate * b;
        auto& rule = detail::pnbd::exp_sinh_rule<Real>();
        // With v = z u: (1/z) integral_0^inf e^(-v) (1 + v/z)^(-s) dv.
        auto f = [&](const Real& v) { return Real(exp(-v - p.s * detail::pnbd::log1p(Real(v / z)))); };
        const Real integral = rule.integrate(f, detail::pnbd::quadrature_tolerance<Real>()) / z;
        return (p.r + x) / (p.alpha + T) * b * integral;
    }

    /// Simulates one customer per entry of `ages` (time from first purchase to the end of
    /// calibration): lambda ~ Gamma(r, alpha), mu ~ Gamma(s, beta), lifetime ~ Exp(mu), Poisson
    /// purchases while alive over (0, age] and, when holdout > 0, over (age, age + holdout]
    /// (filling frequency_holdout, duration_holdout and monetary_value_holdout, 0: the model has
    /// no spend), so the table is always consistent.
    template <class Rng>
    customer_table simulate(std::span<const double> ages, double holdout, Rng& rng) const {
        if (!(holdout >= 0) || !std::isfinite(holdout))
            throw invalid_input("holdout", to_message_string(holdout), "must be a finite number >= 0",
                                {"pareto_nbd::simulate"});
        const double r = static_cast<double>(params_.r), alpha = static_cast<double>(params_.alpha);
        const double s = static_cast<double>(params_.s), beta = static_cast<double>(params_.beta);
        std::gamma_distribution<double> lambda_dist(r, 1.0 / alpha), mu_dist(s, 1.0 / beta);
        std::uniform_real_distribution<double> uniform(0.0, 1.0);
        customer_table table;
        const std::size_t n = ages.size();
        table.ids.reserve(n);
        for (std::size_t i = 0; i < n; ++i) {
            const double T = ages[i];
            if (!(T >= 0) || !std::isfinite(T))
                throw invalid_input("age", to_message_string(T), "ages must be finite and >= 0",
                                    {"pareto_nbd::simulate, customer " + std::to_string(i + 1)});
            const double lambda = lambda_dist(rng);
            const double mu = mu_dist(rng);
            const double lifetime = std::exponential_distribution<double>(mu)(rng);
            const double active = std::min(lifetime, T);
            const double x = static_cast<double>(std::poisson_distribution<long long>(lambda * active)(rng));
            // The last of x uniform purchase times on (0, active] is active * U^(1/x).
            const double t_x = x > 0 ? active * std::pow(uniform(rng), 1.0 / x) : 0.0;
            table.push_back(std::to_string(i + 1), {x, t_x, T, 0.0, 1.0});
            if (holdout > 0) {
                const double active_holdout = std::max(0.0, std::min(lifetime, T + holdout) - T);
                table.frequency_holdout.push_back(
                    static_cast<double>(std::poisson_distribution<long long>(lambda * active_holdout)(rng)));
                table.duration_holdout.push_back(holdout);
                table.monetary_value_holdout.push_back(0.0);
            }
        }
        return table;
    }

private:
    params params_;

    static void check_time(const char* field, const Real& t) {
        using std::isfinite;
        if (!(t >= 0) || !isfinite(t))
            throw invalid_input(field, to_message_string(t), "a time span must be finite and >= 0",
                                {"pareto_nbd"});
    }

    static std::tuple<Real, Real, Real> checked(const Real& x, const Real& t_x, const Real& T) {
        validate_transaction_summary(static_cast<double>(x), static_cast<double>(t_x), static_cast<double>(T),
                                     {"pareto_nbd"});
        return {x, t_x, T};
    }

    static void validate_columns(const transaction_columns& data) {
        if (data.recency.size() != data.size() || data.T.size() != data.size() ||
            (!data.weight.empty() && data.weight.size() != data.size()))
            throw invalid_input("", "", "transaction columns have different lengths", {"pareto_nbd"});
        if (data.size() == 0) throw invalid_input("", "", "no customers", {"pareto_nbd"});
        for (std::size_t i = 0; i < data.size(); ++i) {
            const source_location where{"transaction columns, row " + std::to_string(i + 1)};
            validate_transaction_summary(data.frequency[i], data.recency[i], data.T[i], where);
            const double w = data.weight_at(i);
            if (!(w > 0) || !std::isfinite(w))
                throw invalid_input("weight", to_message_string(w), "must be a positive finite number", where);
        }
    }

    Real alive(const Real& x, const Real& t_x, const Real& T) const {
        using std::exp;
        const auto& p = params_;
        return exp(-detail::pnbd::compute_death_odds<Real, false>(p.r, p.alpha, p.s, p.beta, x, t_x, T).log1p_R);
    }

    static Real pmf(const params& p, unsigned n, const Real& t) {
        using std::exp;
        using std::log;
        namespace d = detail::pnbd;
        if (t == 0) return n == 0 ? Real(1) : Real(0);
        const Real nn = Real(n);
        const Real log_coef = math::log_gamma_ratio(p.r, nn) - d::lgamma(Real(nn + 1));
        // log NBD(n; r, alpha, w) = log_coef + r log(alpha/(alpha+w)) + n log(w/(alpha+w)).
        auto log_nbd = [&](const Real& w) {
            const Real tail = n == 0 ? Real(0) : Real(nn * log(w / (p.alpha + w)));
            return log_coef - p.r * d::log1p(Real(w / p.alpha)) + tail;
        };
        const Real alive_part = exp(log_nbd(t) - p.s * d::log1p(Real(t / p.beta)));
        auto integrand = [&](const Real& w) {
            if (!(w > 0)) return n == 0 ? Real(p.s / p.beta) : Real(0);
            return Real(exp(log_nbd(w) + log(p.s / p.beta) - (p.s + 1) * d::log1p(Real(w / p.beta))));
        };
        const Real dead_part = d::tanh_sinh_rule<Real>().integrate(integrand, Real(0), t, d::quadrature_tolerance<Real>());
        return alive_part + dead_part;
    }
};

}  // namespace clv
