// The BG/NBD model (Fader, Hardie & Lee 2005, "Counting your customers the easy way: an alternative
// to the Pareto/NBD model", Marketing Science 24(2), 275-284), and the class template it shares
// with the MBG/NBD variant (models/mbg_nbd.hpp).
//
// Story: while alive, a customer buys at Poisson rate lambda ~ Gamma(r, alpha) (rate alpha); after
// each repeat purchase (MBG/NBD: after every purchase, including the first one at time 0) the
// customer drops out with probability p ~ Beta(a, b). Times are in the unit of the data.
//
// Every prediction follows from two facts, checked by brute force in tests/test_bg_nbd.cpp:
// (1) P(alive at T | x, t_x, T) is the Bayes weight of the "not dropped out at t_x" branch of
//     the likelihood (FHL 2008 note "Computing P(alive) using the BG/NBD model", eq. 2;
//     Batislam et al. 2007 Appendix A eq. 5 for MBG/NBD);
// (2) given alive at T, lambda ~ Gamma(r + x, alpha + T) and p ~ Beta(a, b + x + m) independently
//     (m = 0 BG/NBD, 1 MBG/NBD), and the future is a fresh process with those parameters
//     (purchases are memoryless and dropout happens only right after purchases).
// So E[X(T, T+t] | history] = P(alive) E_fresh(t) (FHL 2005 eq. 10), the conditional PMF is
// P(alive) P_fresh(n) + (1 - P(alive)) [n = 0], and so on.
#pragma once

#include <clv/core/concepts.hpp>
#include <clv/core/errors.hpp>
#include <clv/data/customer_table.hpp>
#include <clv/fit/maximum_likelihood.hpp>
#include <clv/models/detail/beta_geometric.hpp>
#include <clv/models/detail/beta_geometric_likelihood.hpp>

#include <array>
#include <cmath>
#include <cstddef>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>

namespace clv {

/// BG/NBD (`Modified == false`) and MBG/NBD (`Modified == true`). Use the aliases `clv::bg_nbd`
/// and `clv::mbg_nbd`. `Real` may be a boost::multiprecision type for everything but `fit` and
/// the summed gradient, which run in double.
template <class Real, bool Modified>
class beta_geometric_nbd {
public:
    using real_type = Real;
    struct params {
        Real r, alpha, a, b;
    };
    static constexpr std::string_view name = Modified ? "mbgnbd" : "bgnbd";
    static constexpr std::size_t parameter_count = 4;
    static constexpr std::array<std::string_view, 4> parameter_names{"r", "alpha", "a", "b"};

    static std::array<double, 4> to_array(const params& p) {
        return {static_cast<double>(p.r), static_cast<double>(p.alpha), static_cast<double>(p.a),
                static_cast<double>(p.b)};
    }
    static params from_array(const std::array<double, 4>& v) { return {Real(v[0]), Real(v[1]), Real(v[2]), Real(v[3])}; }

    /// Throws `invalid_input` naming the first parameter outside [1e-8, 1e8]
    /// (math::min_model_parameter, math::max_model_parameter; NaN and infinities included).
    static void validate(const params& p) {
        const auto values = to_array(p);
        for (std::size_t i = 0; i < 4; ++i)
            if (!math::model_parameter_in_range(values[i]))
                throw invalid_input(std::string(parameter_names[i]), to_message_string(values[i]),
                                    math::model_parameter_range_text, {std::string(name) + " parameters"});
    }

    explicit beta_geometric_nbd(const params& p) : p_(p) { validate(p_); }
    [[nodiscard]] const params& parameters() const noexcept { return p_; }

    // ---------------------------------------------------------------- likelihood

    /// Log-likelihood of one customer (BG/NBD: FHL 2005 eq. 6; MBG/NBD: Batislam et al. 2007,
    /// Appendix A, eq. 3 as corrected by Wagner & Hoppe 2008). No validation (hot path).
    static Real log_likelihood(const params& p, Real x, Real t_x, Real T) {
        return detail::beta_geometric::log_likelihood<Modified, Real>(p.r, p.alpha, p.a, p.b, x, t_x, T);
    }

    /// Log-likelihood of one record; validates the record.
    template <transaction_record R>
    Real log_likelihood(const R& record) const {
        validate_history(record.frequency, record.recency, record.T);
        return log_likelihood(p_, Real(record.frequency), Real(record.recency), Real(record.T));
    }

    /// Summed, weighted log-likelihood of columns; validates every row.
    Real log_likelihood(const transaction_columns& data) const {
        validate_columns(data);
        if constexpr (std::is_same_v<Real, double>) {
            return detail::beta_geometric::summed_log_likelihood<Modified>(p_.r, p_.alpha, p_.a, p_.b, data, nullptr);
        } else {
            Real total = 0;
            for (std::size_t i = 0; i < data.size(); ++i)
                total += Real(data.weight_at(i)) *
                         log_likelihood(p_, Real(data.frequency[i]), Real(data.recency[i]), Real(data.T[i]));
            return total;
        }
    }

    /// Summed weighted log-likelihood and its analytic gradient with respect to
    /// (log r, log alpha, log a, log b), in one fused pass (for the fitting layer; no validation),
    /// on `threads` threads with the same bits for any count (fit::blocked_log_likelihood).
    static double log_likelihood_with_gradient(const params& p, const transaction_columns& data,
                                               std::array<double, 4>& gradient, unsigned threads = 1) {
        const auto v = to_array(p);
        return detail::beta_geometric::summed_log_likelihood<Modified>(v[0], v[1], v[2], v[3], data, &gradient,
                                                                       threads);
    }

    /// Starting point of a fit: r = 1 and alpha matching the mean purchase rate, a = b = 1.
    static params default_start(const transaction_columns& d) {
        double sx = 0, sT = 0;
        for (std::size_t i = 0; i < d.size(); ++i) {
            sx += d.weight_at(i) * d.frequency[i];
            sT += d.weight_at(i) * d.T[i];
        }
        const double alpha = sx > 0 && sT > 0 ? sT / sx : 1.0;
        return from_array({1.0, std::isfinite(alpha) && alpha > 0 ? alpha : 1.0, 1.0, 1.0});
    }
    static double total_weight(const transaction_columns& d) { return d.total_weight(); }

    /// Centre of a penalised fit (fit::fit_options::penalty): alpha is a time scale and is
    /// measured against the data's mean age; r, a, b are dimensionless.
    static std::array<double, 4> penalty_reference(const transaction_columns& d) { return {1.0, d.mean_T(), 1.0, 1.0}; }

    /// Maximum-likelihood fit (clv::fit::maximize_likelihood); validates the rows first. Rows
    /// with repeat purchases but recency 0 are refused: with them the likelihood grows without
    /// bound as alpha -> 0 (the "dropped out at t_x = 0" term is alpha^-x), so there is no
    /// maximum to find; the message counts them and names the first.
    static fit::fit_result<beta_geometric_nbd> fit(const transaction_columns& data, const fit::fit_options& options = {}) {
        validate_columns(data);
        std::size_t count = 0, first = 0;
        for (std::size_t i = 0; i < data.size(); ++i)
            if (data.frequency[i] > 0 && data.recency[i] == 0 && count++ == 0) first = i;
        if (count > 0)
            throw invalid_input(
                "recency", "0",
                std::to_string(count) + " row(s) have repeat purchases at recency 0 (first: row " +
                    std::to_string(first + 1) + ", frequency " + to_message_string(data.frequency[first]) + ", T " +
                    to_message_string(data.T[first]) +
                    "); the " + std::string(Modified ? "MBG/NBD" : "BG/NBD") +
                    " likelihood is unbounded with them (alpha -> 0). Repeat purchases at the time of the first "
                    "usually mean times rounded to a coarse unit: use a finer time unit or drop those rows",
                {"transaction columns, row " + std::to_string(first + 1)});
        return fit::maximize_likelihood<beta_geometric_nbd>(data, options);
    }

    // ---------------------------------------------------------------- new customers

    /// E[X(t)], expected repeat purchases of a new customer in (0, t].
    /// BG/NBD: FHL 2005 eq. 9. MBG/NBD: b/(a-1) [1 - (alpha/(alpha+t))^r 2F1(r, b+1; a+b; t/(alpha+t))]
    /// (Batislam et al. 2007 eq. 9), i.e. P(survives time 0) = b/(a+b) times the BG/NBD value with
    /// b + 1. Computed by detail::beta_geometric::expected_count (a series without the a = 1
    /// singularity, quadrature fallback).
    Real expected_transactions(Real t) const {
        validate_horizon(t, "t");
        if constexpr (Modified) {
            return p_.b / (p_.a + p_.b) * detail::beta_geometric::expected_count<Real>(t / p_.alpha, p_.r, p_.a, Real(p_.b + 1));
        } else {
            return detail::beta_geometric::expected_count<Real>(t / p_.alpha, p_.r, p_.a, p_.b);
        }
    }

    /// P(X(t) = n) for a new customer. BG/NBD: FHL 2005 eq. 8 (the finite sum written as the
    /// incomplete beta I_z(n, r)). MBG/NBD: a/(a+b) [n = 0] + b/(a+b) P_BG(n; r, alpha, a, b+1).
    Real probability_of_n(unsigned n, Real t) const {
        validate_horizon(t, "t");
        if constexpr (Modified) {
            const Real survive = p_.b / (p_.a + p_.b);
            return (n == 0 ? Real(1 - survive) : Real(0)) +
                   survive * detail::beta_geometric::probability_of_count<Real>(n, t / p_.alpha, p_.r, p_.a, Real(p_.b + 1));
        } else {
            return detail::beta_geometric::probability_of_count<Real>(n, t / p_.alpha, p_.r, p_.a, p_.b);
        }
    }

    // ---------------------------------------------------------------- given a history

    /// P(alive at T | x, t_x, T) = 1 / (1 + D a/(b+x+m-1) ((alpha+T)/(alpha+t_x))^(r+x)),
    /// D = [x > 0], m = 0 (BG/NBD: FHL 2008 P(alive) note, eq. 2) or D = 1, m = 1 (MBG/NBD:
    /// Batislam et al. 2007 Appendix A eq. 5). Evaluated as a logistic of the log-odds.
    Real probability_alive(Real x, Real t_x, Real T) const {
        validate_history(x, t_x, T);
        return alive_given(x, t_x, T);
    }

    /// P(alive at T + t | history) = P(alive at T | history) * S(t), S the survival of a fresh
    /// process with the updated parameters: S = E[(1 + p t/(alpha+T))^-(r+x)] (see
    /// detail::beta_geometric::survival).
    Real probability_alive_at(Real t, Real x, Real t_x, Real T) const {
        validate_horizon(t, "t");
        validate_history(x, t_x, T);
        return alive_given(x, t_x, T) *
               detail::beta_geometric::survival<Real>(t / (p_.alpha + T), Real(p_.r + x), p_.a, updated_b(x));
    }

    /// E[X(T, T+t] | x, t_x, T]. BG/NBD: FHL 2005 eq. 10; MBG/NBD: Batislam et al. 2007 eq. 10
    /// (as in Wagner & Hoppe 2008). Computed as P(alive) * E_fresh(t; r+x, alpha+T, a, b+x+m).
    Real conditional_expected_transactions(Real t, Real x, Real t_x, Real T) const {
        validate_horizon(t, "t");
        validate_history(x, t_x, T);
        return alive_given(x, t_x, T) *
               detail::beta_geometric::expected_count<Real>(t / (p_.alpha + T), Real(p_.r + x), p_.a, updated_b(x));
    }
    template <transaction_record R>
    Real conditional_expected_transactions(Real t, const R& record) const {
        return conditional_expected_transactions(t, Real(record.frequency), Real(record.recency), Real(record.T));
    }

    /// P(X(T, T+t] = n | history) = P(alive) P_fresh(n; r+x, alpha+T, a, b+x+m) + (1 - P(alive)) [n = 0]
    /// (FHL 2005 eq. 8 applied to the posterior; dead customers only contribute to n = 0).
    Real conditional_probability_of_n(unsigned n, Real t, Real x, Real t_x, Real T) const {
        validate_horizon(t, "t");
        validate_history(x, t_x, T);
        const Real alive = alive_given(x, t_x, T);
        return (n == 0 ? Real(1 - alive) : Real(0)) +
               alive * detail::beta_geometric::probability_of_count<Real>(n, t / (p_.alpha + T), Real(p_.r + x), p_.a,
                                                                           updated_b(x));
    }
    template <transaction_record R>
    Real conditional_probability_of_n(unsigned n, Real t, const R& record) const {
        return conditional_probability_of_n(n, t, Real(record.frequency), Real(record.recency), Real(record.T));
    }

    /// Discounted expected residual transactions, DERT = integral_0^inf e^{-delta t} dE[X(T, T+t] | history]
    /// for a continuously compounded rate `discount_rate` = delta per time unit (FHL 2005 "RFM and
    /// CLV" define DERT this way; no closed form exists for BG/NBD). Method: DERT = P(alive) r'
    /// E_p[J(p)] with J(p) = integral_0^inf e^{-delta alpha' u} (1 + p u)^-(r'+1) du (r' = r+x,
    /// alpha' = alpha+T): nested exp-sinh (over u) and tanh-sinh (over p ~ Beta(a, b+x+m))
    /// quadrature, see detail::beta_geometric::discounted_expected_count. Accurate to about 1e-9
    /// relative (quadrature tolerance), about 0.1-1 ms per customer in double. Non-negative and
    /// non-increasing in the rate (every quadrature term is positive). As the rate goes to 0 DERT
    /// tends to P(alive) E[1/p] = P(alive) (a+b+x+m-1)/(a-1) when a > 1 and grows without bound
    /// when a <= 1; where it exceeds double's range this throws `invalid_input` saying so.
    Real dert(Real discount_rate, Real x, Real t_x, Real T) const {
        validate_history(x, t_x, T);
        return alive_given(x, t_x, T) * dert_if_alive(discount_rate, x, T);
    }

    /// DERT of a customer known to be alive at T: it depends on (x, T) only, so batch scoring can
    /// reuse it across customers; dert = probability_alive * dert_if_alive.
    /// At rate 0 (no discounting) it is the expected number of all future transactions, E[1/p] =
    /// (a + b' - 1)/(a - 1) with p ~ Beta(a, b' = b+x+m) (the customer buys until a coin with
    /// probability p ends it), finite only when a > 1: otherwise this throws `invalid_input` saying so.
    Real dert_if_alive(Real discount_rate, Real x, Real T) const {
        if (!(discount_rate >= 0) || !std::isfinite(static_cast<double>(discount_rate)))
            throw invalid_input("discount_rate", to_message_string(static_cast<double>(discount_rate)),
                                "must be a finite number >= 0", {std::string(name)});
        validate_history(x, Real(0), T);
        if (discount_rate == 0) {
            if (!(p_.a > 1)) throw undiscounted_sum_diverges("a", static_cast<double>(p_.a), std::string(name));
            return (p_.a + updated_b(x) - 1) / (p_.a - 1);
        }
        const Real value = detail::beta_geometric::discounted_expected_count<Real>(discount_rate, Real(p_.r + x),
                                                                                   Real(p_.alpha + T), p_.a, updated_b(x));
        using std::isfinite;
        if (!isfinite(value))
            throw invalid_input("discount_rate", to_message_string(static_cast<double>(discount_rate)),
                                "DERT has no finite value in double precision at this rate: it grows without bound "
                                "as the rate goes to 0 when a <= 1 (here a = " +
                                    to_message_string(static_cast<double>(p_.a)) + ")",
                                {std::string(name)});
        return value;
    }
    template <transaction_record R>
    Real dert(Real discount_rate, const R& record) const {
        return dert(discount_rate, Real(record.frequency), Real(record.recency), Real(record.T));
    }
    template <transaction_record R>
    Real probability_alive(const R& record) const {
        return probability_alive(Real(record.frequency), Real(record.recency), Real(record.T));
    }

    // ---------------------------------------------------------------- simulation

    /// Simulates one customer per entry of `ages` (T, time since the first purchase): draws lambda
    /// and p, then purchases at rate lambda over (0, T] (calibration) and (T, T + holdout]; after
    /// each purchase (MBG/NBD: also at time 0) the customer drops out with probability p. Fills
    /// frequency, recency, T and, when holdout > 0, frequency_holdout, duration_holdout and
    /// monetary_value_holdout (spend is 0, as monetary_value: the model has none), so that every
    /// column it fills has one entry per customer.
    /// Ids are left empty (the row index identifies a customer). Times are exact (not rounded).
    template <class Rng>
    customer_table simulate(std::span<const double> ages, double holdout, Rng& rng) const {
        if (!(holdout >= 0) || !std::isfinite(holdout))
            throw invalid_input("holdout", to_message_string(holdout), "must be a finite number >= 0", {std::string(name)});
        for (std::size_t i = 0; i < ages.size(); ++i)
            if (!(ages[i] >= 0) || !std::isfinite(ages[i]))
                throw invalid_input("T", to_message_string(ages[i]), "ages must be finite and >= 0",
                                    {"simulate, customer " + std::to_string(i + 1)});
        const auto v = to_array(p_);
        std::gamma_distribution<double> lambda_dist(v[0], 1.0 / v[1]);
        std::gamma_distribution<double> beta_a(v[2], 1.0), beta_b(v[3], 1.0);
        std::uniform_real_distribution<double> unit(0.0, 1.0);
        customer_table table;
        const std::size_t n = ages.size();
        table.ids.assign(n, std::string());
        table.frequency.resize(n);
        table.recency.resize(n);
        table.T.assign(ages.begin(), ages.end());
        table.monetary_value.assign(n, 0.0);
        table.weight.assign(n, 1.0);
        if (holdout > 0) {
            table.frequency_holdout.assign(n, 0.0);
            table.duration_holdout.assign(n, holdout);
            table.monetary_value_holdout.assign(n, 0.0);
        }
        for (std::size_t i = 0; i < n; ++i) {
            const double lambda = lambda_dist(rng);
            const double ga = beta_a(rng), gb = beta_b(rng);
            const double p = ga + gb > 0 ? ga / (ga + gb) : (v[2] >= v[3] ? 1.0 : 0.0);
            const double T = ages[i], end = T + holdout;
            double t = 0, x = 0, t_x = 0, x_holdout = 0;
            bool alive = !(Modified && unit(rng) < p);
            if (alive && lambda > 0) {
                std::exponential_distribution<double> gap(lambda);
                while (true) {
                    t += gap(rng);
                    if (!(t <= end)) break;
                    if (t <= T) {
                        x += 1;
                        t_x = t;
                    } else {
                        x_holdout += 1;
                    }
                    if (unit(rng) < p) break;
                }
            }
            table.frequency[i] = x;
            table.recency[i] = t_x;
            if (holdout > 0) table.frequency_holdout[i] = x_holdout;
        }
        return table;
    }

private:
    params p_;

    Real updated_b(const Real& x) const { return p_.b + x + (Modified ? Real(1) : Real(0)); }

    /// Logistic of minus the log-odds of "dropped out at t_x" versus "alive".
    Real alive_given(const Real& x, const Real& t_x, const Real& T) const {
        using std::exp;
        using std::log;
        if (!Modified && x == 0) return Real(1);
        const Real m = Modified ? Real(1) : Real(0);
        const Real log_odds = log(p_.a) - log(p_.b + x + m - 1) +
                              (p_.r + x) * detail::beta_geometric::log1p((T - t_x) / (p_.alpha + t_x));
        if (log_odds > 0) {
            const Real e = exp(-log_odds);
            return e / (1 + e);
        }
        return 1 / (1 + exp(log_odds));
    }

    static void validate_history(const Real& x, const Real& t_x, const Real& T) {
        validate_transaction_summary(static_cast<double>(x), static_cast<double>(t_x), static_cast<double>(T),
                                     {std::string(name) + " prediction"});
    }
    static void validate_horizon(const Real& t, const char* field) {
        const double v = static_cast<double>(t);
        if (!(v >= 0) || !std::isfinite(v))
            throw invalid_input(field, to_message_string(v), "a time horizon must be a finite number >= 0",
                                {std::string(name) + " prediction"});
    }
    static void validate_columns(const transaction_columns& data) {
        if (data.recency.size() != data.size() || data.T.size() != data.size() ||
            (!data.weight.empty() && data.weight.size() != data.size()))
            throw invalid_input("", std::to_string(data.size()), "columns of different lengths", {"transaction columns"});
        for (std::size_t i = 0; i < data.size(); ++i) {
            const source_location where{"transaction columns, row " + std::to_string(i + 1), 0, 0};
            validate_transaction_summary(data.frequency[i], data.recency[i], data.T[i], where);
            if (!data.weight.empty() && (!(data.weight[i] > 0) || !std::isfinite(data.weight[i])))
                throw invalid_input("weight", to_message_string(data.weight[i]), "must be a positive finite number", where);
        }
    }
};

/// The BG/NBD model (Fader, Hardie & Lee 2005).
template <class Real = double>
using bg_nbd = beta_geometric_nbd<Real, false>;

}  // namespace clv
