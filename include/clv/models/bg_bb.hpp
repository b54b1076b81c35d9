// The BG/BB model (Fader, Hardie & Shang 2010, "Customer-base analysis in a discrete-time
// noncontractual setting", Marketing Science 29(6), 1086-1108; "FHS" below): customers who can
// transact only at discrete opportunities (annual donation drives, weekly events, ...).
//
// Story: a customer is alive at opportunity 0 (the first transaction, not counted). While alive,
// the customer transacts at each opportunity with probability p ~ Beta(alpha, beta); at the start
// of each opportunity a living customer becomes inactive for good with probability
// theta ~ Beta(gamma, delta).
//
// Data (clv::transaction_columns, one time unit = one opportunity): frequency = x, the number of
// repeat transactions in opportunities 1..n; recency = t_x, the opportunity (1..n) of the last of
// them, 0 when x = 0; T = n, the number of opportunities observed; weight = the number of
// customers with that pattern (FHS's compressed "recency/frequency" table). All whole numbers.
//
// Every prediction follows from two facts, checked against brute-force sums over purchase strings
// in tests/test_bg_bb.cpp: (1) P(alive at n | history) is the share of the "alive at n" part of
// the likelihood; (2) given alive at n, p ~ Beta(alpha + x, beta + n - x) and theta ~ Beta(gamma,
// delta + n) independently, and the future is a fresh process with those parameters. So the
// conditional forecasts are P(alive at n) times the fresh-customer ones (FHS eqs. 13 and 14).
#pragma once

#include <clv/core/concepts.hpp>
#include <clv/core/errors.hpp>
#include <clv/data/customer_table.hpp>
#include <clv/fit/maximum_likelihood.hpp>
#include <clv/models/detail/bg_bb.hpp>

#include <array>
#include <cmath>
#include <cstddef>
#include <random>
#include <span>
#include <string>
#include <string_view>

namespace clv {

/// Largest number of opportunities (observed or forecast) accepted: likelihood and forecasts cost
/// one multiplication per opportunity, and a count beyond this is a data error (a time unit that
/// is not an opportunity), not a discrete-time history.
inline constexpr double max_discrete_opportunities = 1e7;

/// Throws `invalid_input` unless (frequency, recency, n_periods) is a possible discrete-time
/// summary: whole numbers, 0 <= frequency <= recency <= n_periods <= max_discrete_opportunities, and
/// recency = 0 exactly when frequency = 0. The fields are named "frequency", "recency" and "T"
/// (the column of transaction_columns that holds n); `where` is a `source_location` or a
/// callable from field name to location, as for `validate_transaction_summary`.
template <class Where = source_location>
void validate_discrete_summary(double frequency, double recency, double n_periods, const Where& where) {
    auto check_count = [&](const char* field, double v, const char* what) {
        if (!std::isfinite(v) || v < 0 || v != std::floor(v) || v > max_discrete_opportunities)
            throw invalid_input(field, to_message_string(v),
                                std::string(what) + " must be a whole number between 0 and 1e7",
                                detail::field_location(where, field));
    };
    check_count("frequency", frequency, "frequency (repeat transactions x)");
    check_count("recency", recency, "recency (the opportunity t_x of the last transaction)");
    check_count("T", n_periods, "T (the number of transaction opportunities n)");
    if (recency > n_periods)
        throw invalid_input("recency", to_message_string(recency),
                            "recency must not exceed the number of opportunities (" + to_message_string(n_periods) + ")",
                            detail::field_location(where, "recency"));
    if (frequency > recency)
        throw invalid_input("frequency", to_message_string(frequency),
                            "x transactions need at least x opportunities up to the last one (recency " +
                                to_message_string(recency) + ")",
                            detail::field_location(where, "frequency"));
    if (frequency == 0 && recency != 0)
        throw invalid_input("recency", to_message_string(recency), "a customer with frequency 0 must have recency 0",
                            detail::field_location(where, "recency"));
}

/// The BG/BB model. `Real` may be a boost::multiprecision type for everything but `fit` and the
/// summed gradient, which run in double. Counts (x, t_x, n, n*) are whole numbers held in `Real`.
template <class Real = double>
class bg_bb {
public:
    using real_type = Real;
    struct params {
        Real alpha, beta, gamma, delta;
    };
    static constexpr std::string_view name = "bgbb";
    static constexpr std::size_t parameter_count = 4;
    static constexpr std::array<std::string_view, 4> parameter_names{"alpha", "beta", "gamma", "delta"};

    static std::array<double, 4> to_array(const params& p) {
        return {static_cast<double>(p.alpha), static_cast<double>(p.beta), static_cast<double>(p.gamma),
                static_cast<double>(p.delta)};
    }
    static params from_array(const std::array<double, 4>& v) { return {Real(v[0]), Real(v[1]), Real(v[2]), Real(v[3])}; }

    /// Throws `invalid_input` naming the first parameter that is not a finite number > 0.
    static void validate(const params& p) {
        const auto values = to_array(p);
        for (std::size_t i = 0; i < 4; ++i)
            if (!(values[i] > 0) || !std::isfinite(values[i]))
                throw invalid_input(std::string(parameter_names[i]), to_message_string(values[i]),
                                    "a model parameter must be a finite number > 0", {std::string(name) + " parameters"});
    }

    explicit bg_bb(const params& p) : p_(p) { validate(p_); }
    [[nodiscard]] const params& parameters() const noexcept { return p_; }

    // ---------------------------------------------------------------- likelihood

    /// Log-likelihood of one customer with x repeat transactions, the last at opportunity t_x, in
    /// n opportunities (FHS eq. 5). No validation (hot path).
    static Real log_likelihood(const params& p, Real x, Real t_x, Real n) {
        return detail::bg_bb::likelihood<Real, false>(p.alpha, p.beta, p.gamma, p.delta, x, t_x, n).log_total;
    }

    /// Log-likelihood of one record (T = n); validates the record.
    template <transaction_record R>
    Real log_likelihood(const R& record) const {
        validate_history(record.frequency, record.recency, record.T);
        return log_likelihood(p_, Real(record.frequency), Real(record.recency), Real(record.T));
    }

    /// Summed, weighted log-likelihood of columns; validates every row.
    Real log_likelihood(const transaction_columns& data) const {
        validate_columns(data);
        Real total = 0;
        for (std::size_t i = 0; i < data.size(); ++i)
            total += Real(data.weight_at(i)) *
                     log_likelihood(p_, Real(data.frequency[i]), Real(data.recency[i]), Real(data.T[i]));
        return total;
    }

    /// Summed weighted log-likelihood and its analytic gradient with respect to
    /// (log alpha, log beta, log gamma, log delta) (for the fitting layer; no validation).
    static double log_likelihood_with_gradient(const params& p, const transaction_columns& data,
                                               std::array<double, 4>& gradient) {
        const auto v = to_array(p);
        double total = 0;
        gradient.fill(0.0);
        for (std::size_t i = 0; i < data.size(); ++i) {
            const auto parts = detail::bg_bb::likelihood<double, true>(v[0], v[1], v[2], v[3], data.frequency[i],
                                                                        data.recency[i], data.T[i]);
            const double w = data.weight_at(i);
            total += w * parts.log_total;
            for (std::size_t j = 0; j < 4; ++j) gradient[j] += w * parts.gradient[j] * v[j];
        }
        return total;
    }

    /// Starting point of a fit: uniform priors on p and theta.
    static params default_start(const transaction_columns&) { return from_array({1.0, 1.0, 1.0, 1.0}); }
    static double total_weight(const transaction_columns& d) { return d.total_weight(); }

    /// Maximum-likelihood fit (clv::fit::maximize_likelihood); validates the rows first.
    static fit::fit_result<bg_bb> fit(const transaction_columns& data, const fit::fit_options& options = {}) {
        validate_columns(data);
        return fit::maximize_likelihood<bg_bb>(data, options);
    }

    // ---------------------------------------------------------------- new customers

    /// E[X(n)], expected transactions of a new customer in opportunities 1..n (FHS eq. 7):
    /// alpha/(alpha + beta) * delta/(gamma - 1) [1 - Gamma(gamma + delta) Gamma(1 + delta + n) /
    /// (Gamma(1 + delta) Gamma(gamma + delta + n))], summed as alpha/(alpha + beta) sum_{t=1}^{n}
    /// P(alive at t) (no singularity at gamma = 1; see detail::bg_bb::expected_alive_opportunities).
    Real expected_transactions(Real n) const {
        validate_count(n, "n");
        return p_.alpha / (p_.alpha + p_.beta) * detail::bg_bb::expected_alive_opportunities(p_.gamma, p_.delta, n);
    }

    /// P(X(n) = x) for a new customer (FHS eq. 8).
    Real probability_of_n(unsigned x, Real n) const {
        validate_count(n, "n");
        return detail::bg_bb::probability_of_count(p_.alpha, p_.beta, p_.gamma, p_.delta, Real(x), n);
    }

    // ---------------------------------------------------------------- given a history

    /// P(alive at opportunity n + 1 | x, t_x, n) (FHS eq. 11):
    /// B(alpha + x, beta + n - x)/B(alpha, beta) * B(gamma, delta + n + 1)/B(gamma, delta) / L,
    /// the probability that the customer is still active at the next opportunity (as BTYD's
    /// bgbb.PAlive; lifetimes' conditional_probability_alive(m, ...) is probability_alive_at(m, ...)).
    Real probability_alive(Real x, Real t_x, Real n) const { return probability_alive_at(Real(1), x, t_x, n); }

    /// P(alive at opportunity n + m | x, t_x, n) = P(alive at n | history) * B(gamma, delta + n + m)/B(gamma, delta + n)
    /// (FHS eq. 11 generalised to m opportunities ahead; m = 1 is eq. 11).
    Real probability_alive_at(Real m, Real x, Real t_x, Real n) const {
        validate_count(m, "m");
        validate_history(x, t_x, n);
        using std::exp;
        const auto parts = likelihood_parts(x, t_x, n);
        return exp(parts.log_alive - parts.log_total +
                   detail::bg_bb::log_beta_ratio(p_.gamma, Real(p_.delta + n), Real(0), m));
    }

    /// E[X(n, n + n*) | x, t_x, n], expected transactions in the next n_star opportunities (FHS eq. 13),
    /// computed as P(alive at n) * E_fresh[X(n*)] with alpha + x, beta + n - x, gamma, delta + n.
    Real conditional_expected_transactions(Real n_star, Real x, Real t_x, Real n) const {
        validate_count(n_star, "n_star");
        validate_history(x, t_x, n);
        return alive_at_n(x, t_x, n) * (p_.alpha + x) / (p_.alpha + p_.beta + n) *
               detail::bg_bb::expected_alive_opportunities(p_.gamma, Real(p_.delta + n), n_star);
    }
    template <transaction_record R>
    Real conditional_expected_transactions(Real n_star, const R& record) const {
        return conditional_expected_transactions(n_star, Real(record.frequency), Real(record.recency), Real(record.T));
    }

    /// P(X(n, n + n*) = x* | x, t_x, n) = P(alive at n) P_fresh(x*; n*) + (1 - P(alive at n)) [x* = 0],
    /// P_fresh being FHS eq. 8 with alpha + x, beta + n - x, gamma, delta + n (dead customers only
    /// contribute to x* = 0).
    Real conditional_probability_of_n(unsigned x_star, Real n_star, Real x, Real t_x, Real n) const {
        validate_count(n_star, "n_star");
        validate_history(x, t_x, n);
        using std::exp;
        const auto parts = likelihood_parts(x, t_x, n);
        const Real alive = exp(parts.log_alive - parts.log_total);
        const Real dropped = exp(parts.log_dropped - parts.log_total);
        return (x_star == 0 ? dropped : Real(0)) +
               alive * detail::bg_bb::probability_of_count(Real(p_.alpha + x), Real(p_.beta + n - x), p_.gamma,
                                                           Real(p_.delta + n), Real(x_star), n_star);
    }
    template <transaction_record R>
    Real conditional_probability_of_n(unsigned x_star, Real n_star, const R& record) const {
        return conditional_probability_of_n(x_star, n_star, Real(record.frequency), Real(record.recency), Real(record.T));
    }

    /// Discounted expected residual transactions at a discount rate d per opportunity (FHS eq. 14):
    /// DERT = sum_{t=1}^{inf} P(transaction at opportunity n + t | history) / (1 + d)^t, i.e. the
    /// next opportunity's expected transaction is discounted once, by 1/(1 + d):
    ///   DERT = B(alpha + x + 1, beta + n - x)/B(alpha, beta) * B(gamma, delta + n + 1)/(B(gamma, delta) (1 + d))
    ///          * 2F1(1, delta + n + 1; gamma + delta + n + 1; 1/(1 + d)) / L
    ///        = probability_alive(x, t_x, n) * dert_if_alive(d, x, n).
    Real dert(Real discount_rate, Real x, Real t_x, Real n) const {
        validate_history(x, t_x, n);
        return probability_alive(x, t_x, n) * dert_if_alive(discount_rate, x, n);
    }

    /// DERT of a customer known to be alive at opportunity n + 1: it depends on (x, n) only, so
    /// batch scoring can reuse it across recencies; dert = probability_alive * dert_if_alive.
    /// = (alpha + x)/(alpha + beta + n) * E[1/(theta + d)], theta ~ Beta(gamma, delta + n + 1)
    /// (see detail::bg_bb::expected_inverse_shifted_beta for the 2F1 of FHS eq. 14).
    /// At rate 0: (alpha + x)/(alpha + beta + n) E[1/theta] = ... (gamma + delta + n)/(gamma - 1),
    /// finite only when gamma > 1 (otherwise `invalid_input` says so).
    Real dert_if_alive(Real discount_rate, Real x, Real n) const {
        if (!(discount_rate >= 0) || !std::isfinite(static_cast<double>(discount_rate)))
            throw invalid_input("discount_rate", to_message_string(static_cast<double>(discount_rate)),
                                "must be a finite number >= 0 (per opportunity)", {std::string(name)});
        validate_history(x, x, n);
        if (discount_rate == 0) {
            if (!(p_.gamma > 1))
                throw undiscounted_sum_diverges("gamma", static_cast<double>(p_.gamma), std::string(name));
            return (p_.alpha + x) / (p_.alpha + p_.beta + n) * (p_.gamma + p_.delta + n) / (p_.gamma - 1);
        }
        return (p_.alpha + x) / (p_.alpha + p_.beta + n) *
               detail::bg_bb::expected_inverse_shifted_beta(p_.gamma, Real(p_.delta + n + 1), discount_rate);
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

    /// Simulates one customer per entry of `opportunities` (n, whole numbers): draws p and theta,
    /// then walks opportunities 1..n (calibration) and n+1..n+holdout; at the start of each a
    /// living customer dies with probability theta, and a living one transacts with probability p.
    /// Fills frequency, recency (opportunity index of the last calibration transaction), T = n
    /// and, when holdout > 0, frequency_holdout and duration_holdout = holdout.
    template <class Rng>
    customer_table simulate(std::span<const double> opportunities, double holdout, Rng& rng) const {
        if (!std::isfinite(holdout) || holdout < 0 || holdout != std::floor(holdout) || holdout > max_discrete_opportunities)
            throw invalid_input("holdout", to_message_string(holdout), "must be a whole number of opportunities >= 0",
                                {std::string(name) + " simulate"});
        for (std::size_t i = 0; i < opportunities.size(); ++i)
            validate_discrete_summary(0, 0, opportunities[i], source_location{"simulate, customer " + std::to_string(i + 1)});
        const auto v = to_array(p_);
        std::gamma_distribution<double> ga(v[0], 1.0), gb(v[1], 1.0), gg(v[2], 1.0), gd(v[3], 1.0);
        std::uniform_real_distribution<double> unit(0.0, 1.0);
        // Beta draws as Gamma ratios; with both Gammas 0 (shape parameters so small that they
        // underflow) the draw is at the end the larger shape favours.
        auto beta_draw = [&](std::gamma_distribution<double>& a, std::gamma_distribution<double>& b) {
            const double x = a(rng), y = b(rng);
            return x + y > 0 ? x / (x + y) : (a.alpha() >= b.alpha() ? 1.0 : 0.0);
        };
        customer_table table;
        const std::size_t count = opportunities.size();
        table.ids.assign(count, std::string());
        table.frequency.resize(count);
        table.recency.resize(count);
        table.T.assign(opportunities.begin(), opportunities.end());
        table.monetary_value.assign(count, 0.0);
        table.weight.assign(count, 1.0);
        if (holdout > 0) {
            table.frequency_holdout.assign(count, 0.0);
            table.duration_holdout.assign(count, holdout);
        }
        for (std::size_t i = 0; i < count; ++i) {
            const double p = beta_draw(ga, gb), theta = beta_draw(gg, gd);
            const double n = opportunities[i], end = n + holdout;
            double x = 0, t_x = 0, x_holdout = 0;
            for (double t = 1; t <= end; ++t) {
                if (unit(rng) < theta) break;
                if (unit(rng) < p) {
                    if (t <= n) {
                        x += 1;
                        t_x = t;
                    } else {
                        x_holdout += 1;
                    }
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

    detail::bg_bb::likelihood_parts<Real> likelihood_parts(const Real& x, const Real& t_x, const Real& n) const {
        return detail::bg_bb::likelihood<Real, false>(p_.alpha, p_.beta, p_.gamma, p_.delta, x, t_x, n);
    }
    /// P(alive at n | history): the share of the "alive at n" part of the likelihood.
    Real alive_at_n(const Real& x, const Real& t_x, const Real& n) const {
        using std::exp;
        const auto parts = likelihood_parts(x, t_x, n);
        return exp(parts.log_alive - parts.log_total);
    }

    static void validate_history(const Real& x, const Real& t_x, const Real& n) {
        validate_discrete_summary(static_cast<double>(x), static_cast<double>(t_x), static_cast<double>(n),
                                  source_location{std::string(name) + " prediction"});
    }
    static void validate_count(const Real& v, const char* field) {
        const double d = static_cast<double>(v);
        if (!std::isfinite(d) || d < 0 || d != std::floor(d) || d > max_discrete_opportunities)
            throw invalid_input(field, to_message_string(d), "a number of opportunities must be a whole number between 0 and 1e7",
                                {std::string(name) + " prediction"});
    }
    static void validate_columns(const transaction_columns& data) {
        if (data.recency.size() != data.size() || data.T.size() != data.size() ||
            (!data.weight.empty() && data.weight.size() != data.size()))
            throw invalid_input("", std::to_string(data.size()), "columns of different lengths", {"transaction columns"});
        for (std::size_t i = 0; i < data.size(); ++i) {
            const source_location where{"transaction columns, row " + std::to_string(i + 1), 0, 0};
            validate_discrete_summary(data.frequency[i], data.recency[i], data.T[i], where);
            if (!data.weight.empty() && (!(data.weight[i] > 0) || !std::isfinite(data.weight[i])))
                throw invalid_input("weight", to_message_string(data.weight[i]), "must be a positive finite number", where);
        }
    }
};

}  // namespace clv
