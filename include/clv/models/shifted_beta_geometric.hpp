// The shifted-beta-geometric (sBG) model of contractual retention (Fader & Hardie 2007, "How to
// project customer retention", J. Interactive Marketing 21(1), 76-90; FH 2007 below), with the
// discounted lifetimes of Fader & Hardie (2010, "Customer-base valuation in a contractual setting:
// the perils of ignoring heterogeneity", Marketing Science 29(1), 85-93; FH 2010 below).
//
// Story: at the end of every period a customer cancels with probability theta, the same for that
// customer in every period, and theta ~ Beta(alpha, beta) across customers. T = the period in which a
// customer cancels (1, 2, ...). Period numbering and the data convention: data/contractual.hpp.
//
// Every prediction follows from one fact: given that a customer has renewed n times (T > n), theta ~
// Beta(alpha, beta + n), so the future of such a customer is a fresh sBG with beta + n. Hence
//   S(t) = B(alpha, beta + t) / B(alpha, beta) = prod_{j=1..t} r(j),  r(j) = (beta + j - 1)/(alpha + beta + j - 1)
//   P(T = t) = S(t - 1) alpha / (alpha + beta + t - 1)           (FH 2007 eqs. 5-8, as a recurrence)
//   P(T > n + k | T > n) = S(n + k) / S(n) = S(k; alpha, beta + n).
#pragma once

#include <clv/core/concepts.hpp>
#include <clv/core/errors.hpp>
#include <clv/core/hypergeometric.hpp>
#include <clv/core/math.hpp>
#include <clv/data/contractual.hpp>
#include <clv/fit/maximum_likelihood.hpp>

#include <array>
#include <cmath>
#include <cstddef>
#include <limits>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace clv {

namespace detail::sbg {

/// log of a survival-type quantity and its derivatives with respect to log alpha and log beta.
template <class Real>
struct log_terms {
    Real value = 0, d_log_alpha = 0, d_log_beta = 0;
    log_terms& operator+=(const log_terms& o) {
        value += o.value;
        d_log_alpha += o.d_log_alpha;
        d_log_beta += o.d_log_beta;
        return *this;
    }
};

/// log r(j + 1) = log((beta + j) / (alpha + beta + j)), the log-retention of the (j+1)-th renewal,
/// without cancellation whether alpha or beta + j dominates.
template <class Real>
log_terms<Real> log_retention(const Real& alpha, const Real& beta, const Real& j) {
    using std::log;
    const Real s = alpha + beta + j, kept = beta + j;
    const Real value = alpha < s / 2 ? Real(math::log1p(Real(-alpha / s))) : Real(log(kept / s));
    // d/d alpha = -1/s; d/d beta = 1/kept - 1/s = alpha / (kept s).
    return {value, Real(-alpha / s), Real(beta * alpha / (kept * s))};
}

/// log S(t) for a whole t >= 0, with derivatives. Up to 32 periods: the exact product of
/// retentions. Beyond: Gamma-function ratios, log S(t) = [lnG(beta+t) - lnG(beta)] - [lnG(alpha+beta+t)
/// - lnG(alpha+beta)], grouped as ratios over t steps when t <= alpha and over alpha steps otherwise
/// (lnG(beta+alpha) - lnG(beta) - [lnG(beta+t+alpha) - lnG(beta+t)]): the grouping whose two terms
/// are the smaller, so that less cancels.
template <class Real>
log_terms<Real> log_survival(const Real& alpha, const Real& beta, const Real& t) {
    if (t <= 32) {
        log_terms<Real> out;
        for (int j = 0; j < static_cast<int>(t); ++j) out += log_retention(alpha, beta, Real(j));
        return out;
    }
    const Real ab = alpha + beta;
    log_terms<Real> out;
    if (t <= alpha) {
        out.value = math::log_gamma_ratio(beta, t) - math::log_gamma_ratio(ab, t);
        out.d_log_beta = beta * (math::digamma_difference(beta, t) - math::digamma_difference(ab, t));
    } else {
        out.value = math::log_gamma_ratio(beta, alpha) - math::log_gamma_ratio(Real(beta + t), alpha);
        out.d_log_beta = beta * (math::digamma_difference(beta, alpha) - math::digamma_difference(Real(beta + t), alpha));
    }
    out.d_log_alpha = -alpha * math::digamma_difference(ab, t);
    return out;
}

/// log(alpha / (alpha + beta + j)), the log-probability of cancelling at the end of period j + 1
/// for a customer who has renewed j times, with derivatives.
template <class Real>
log_terms<Real> log_hazard(const Real& alpha, const Real& beta, const Real& j) {
    using std::log;
    const Real s = alpha + beta + j;
    return {Real(log(alpha) - log(s)), Real((beta + j) / s), Real(-beta / s)};
}

/// log P(T = t) = log S(t - 1) + log(alpha / (alpha + beta + t - 1)), t >= 1, with derivatives.
template <class Real>
log_terms<Real> log_churn(const Real& alpha, const Real& beta, const Real& t) {
    log_terms<Real> out = log_survival(alpha, beta, Real(t - 1));
    out += log_hazard(alpha, beta, Real(t - 1));
    return out;
}

/// Summed weighted log-likelihood of columns (FH 2007 eq. 9 for cohort counts; per record, log P(T =
/// t) if churned and log S(t) if not), with its gradient in log-parameters when `gradient` is
/// given. Rows with tenures up to `table_limit` are first pooled into the total weight per
/// (tenure, churned), which does not depend on the parameters; log S(t) for all those tenures comes
/// from one pass of the retention recurrence. So a million customers cost one pass over the rows
/// plus one term per distinct tenure, and the objective is free of the rounding noise that summing
/// a million terms would add (noise that stalls the Newton steps of the fitting layer). Longer
/// tenures are evaluated directly.
template <class Real>
Real summed_log_likelihood(const Real& alpha, const Real& beta, const contractual_columns& data,
                           std::array<Real, 2>* gradient) {
    constexpr double table_limit = 100000;
    double longest = 0;
    for (std::size_t i = 0; i < data.size(); ++i)
        if (data.tenure[i] <= table_limit && data.tenure[i] > longest) longest = data.tenure[i];
    const std::size_t size = static_cast<std::size_t>(longest) + 1;
    std::vector<double> churned_weight(size, 0.0), active_weight(size, 0.0);
    log_terms<Real> total;
    for (std::size_t i = 0; i < data.size(); ++i) {
        const double t = data.tenure[i];
        const bool churned = data.churned[i] != 0;
        const double w = data.weight_at(i);
        if (t <= table_limit) {
            (churned ? churned_weight : active_weight)[static_cast<std::size_t>(t)] += w;
        } else {
            const log_terms<Real> row = churned ? log_churn(alpha, beta, Real(t)) : log_survival(alpha, beta, Real(t));
            total += {Real(w * row.value), Real(w * row.d_log_alpha), Real(w * row.d_log_beta)};
        }
    }
    log_terms<Real> survival;  // log S(t - 1), then log S(t)
    for (std::size_t t = 1; t < size; ++t) {
        const Real previous = Real(static_cast<double>(t - 1));
        if (churned_weight[t] != 0) {
            log_terms<Real> churn = survival;
            churn += log_hazard(alpha, beta, previous);
            const double w = churned_weight[t];
            total += {Real(w * churn.value), Real(w * churn.d_log_alpha), Real(w * churn.d_log_beta)};
        }
        survival += log_retention(alpha, beta, previous);
        if (active_weight[t] != 0) {
            const double w = active_weight[t];
            total += {Real(w * survival.value), Real(w * survival.d_log_alpha), Real(w * survival.d_log_beta)};
        }
    }
    if (gradient) *gradient = {total.d_log_alpha, total.d_log_beta};
    return total.value;
}

}  // namespace detail::sbg

/// The sBG model. `Real` may be a boost::multiprecision type for everything but `fit` and the summed
/// gradient, which run in double. Periods (t, n, k) are whole numbers passed as doubles and checked.
template <class Real = double>
class shifted_beta_geometric {
public:
    using real_type = Real;
    struct params {
        Real alpha, beta;
    };
    static constexpr std::string_view name = "sbg";
    static constexpr std::size_t parameter_count = 2;
    static constexpr std::array<std::string_view, 2> parameter_names{"alpha", "beta"};
    /// Parameters above this are refused: alpha + beta + t must stay finite.
    static constexpr double max_parameter = 1e300;
    /// Smallest positive discount rate per period DEL and DERL accept: their series needs about
    /// 50 / d terms (0.25 s at this rate). A rate of exactly 0 is accepted (undiscounted lifetimes).
    static constexpr double min_positive_discount_rate = 1e-6;

    static std::array<double, 2> to_array(const params& p) {
        return {static_cast<double>(p.alpha), static_cast<double>(p.beta)};
    }
    static params from_array(const std::array<double, 2>& v) { return {Real(v[0]), Real(v[1])}; }

    /// Throws `invalid_input` naming the first parameter that is not a finite number in (0, 1e300].
    static void validate(const params& p) {
        const auto values = to_array(p);
        for (std::size_t i = 0; i < 2; ++i)
            if (!(values[i] > 0) || !(values[i] <= max_parameter))
                throw invalid_input(std::string(parameter_names[i]), to_message_string(values[i]),
                                    "a model parameter must be a finite number in (0, 1e300]", {"sbg parameters"});
    }

    explicit shifted_beta_geometric(const params& p) : p_(p) { validate(p_); }
    [[nodiscard]] const params& parameters() const noexcept { return p_; }

    // ---------------------------------------------------------------- likelihood

    /// Log-likelihood of one record: log P(T = tenure) if churned, log S(tenure) if still active
    /// (FH 2007 eq. 9, per customer). No validation (hot path).
    static Real log_likelihood(const params& p, Real tenure, bool churned) {
        return churned ? detail::sbg::log_churn(p.alpha, p.beta, tenure).value
                       : detail::sbg::log_survival(p.alpha, p.beta, tenure).value;
    }

    /// Log-likelihood of one record satisfying `contractual_record`; validates the record.
    template <contractual_record R>
    Real log_likelihood(const R& record) const {
        const double tenure = static_cast<double>(record.tenure);
        const bool churned = static_cast<bool>(record.churned);
        validate_contractual_record(tenure, churned ? 1.0 : 0.0, 1.0, source_location{"sbg record", 0, 0});
        return log_likelihood(p_, Real(tenure), churned);
    }

    /// Summed, weighted log-likelihood of columns; validates every row.
    Real log_likelihood(const contractual_columns& data) const {
        data.validate();
        return detail::sbg::summed_log_likelihood<Real>(p_.alpha, p_.beta, data, nullptr);
    }

    /// Summed weighted log-likelihood and its analytic gradient with respect to (log alpha, log
    /// beta), for the fitting layer (no validation). The digamma terms are differences
    /// psi(z + k) - psi(z) (core/math.hpp) or, up to 32 periods, their exact sums.
    static double log_likelihood_with_gradient(const params& p, const contractual_columns& data,
                                               std::array<double, 2>& gradient) {
        const auto v = to_array(p);
        return detail::sbg::summed_log_likelihood<double>(v[0], v[1], data, &gradient);
    }

    /// Starting point of a fit: alpha = 1 and beta such that the mean churn probability
    /// alpha / (alpha + beta) equals the pooled churn rate (churns per renewal decision observed).
    static params default_start(const contractual_columns& d) {
        double churns = 0, decisions = 0;
        for (std::size_t i = 0; i < d.size(); ++i) {
            churns += d.weight_at(i) * d.churned[i];
            decisions += d.weight_at(i) * d.tenure[i];
        }
        const double rate = decisions > 0 ? churns / decisions : 0;
        const double beta = rate > 0 && rate < 1 ? (1 - rate) / rate : 1.0;
        return from_array({1.0, std::isfinite(beta) && beta > 0 ? beta : 1.0});
    }
    static double total_weight(const contractual_columns& d) { return d.total_weight(); }

    /// Maximum-likelihood fit (clv::fit::maximize_likelihood); validates the rows first. Data
    /// without any cancellation have no interior maximum (alpha runs to 0): the result then says
    /// `converged == false`.
    static fit::fit_result<shifted_beta_geometric> fit(const contractual_columns& data,
                                                       const fit::fit_options& options = {}) {
        data.validate();
        return fit::maximize_likelihood<shifted_beta_geometric>(data, options);
    }

    // ---------------------------------------------------------------- retention curve

    /// P(T = t), the probability that a new customer cancels at the end of period t (t >= 1):
    /// B(alpha + 1, beta + t - 1) / B(alpha, beta) (FH 2007 eq. 7), computed as S(t-1) alpha/(alpha+beta+t-1).
    Real churn_probability(double t) const {
        check_period(t, 1, "t");
        using std::exp;
        return exp(detail::sbg::log_churn(p_.alpha, p_.beta, Real(t)).value);
    }

    /// S(t) = P(T > t), the share of a cohort still active after t renewals (t >= 0):
    /// B(alpha, beta + t) / B(alpha, beta) (FH 2007 eq. 6).
    Real survival(double t) const {
        check_period(t, 0, "t");
        using std::exp;
        return exp(detail::sbg::log_survival(p_.alpha, p_.beta, Real(t)).value);
    }

    /// r(t) = S(t) / S(t-1) = (beta + t - 1) / (alpha + beta + t - 1), the share of the customers
    /// active in period t who renew at its end (t >= 1; FH 2007 eq. 8). Rises with t: the customers
    /// who churn easily leave first.
    Real retention_rate(double t) const {
        check_period(t, 1, "t");
        return (p_.beta + Real(t - 1)) / (p_.alpha + p_.beta + Real(t - 1));
    }

    /// P(T > n + k | T > n): the probability that a customer who has made n renewals makes k more
    /// (n, k >= 0). Equals S(n + k) / S(n) = S(k; alpha, beta + n) (the posterior is Beta(alpha,
    /// beta + n)). A retention part for valuation: period k of such a customer's future is paid
    /// with this probability.
    Real conditional_survival(double n, double k) const {
        check_period(n, 0, "n");
        check_period(k, 0, "k");
        using std::exp;
        return exp(detail::sbg::log_survival(p_.alpha, Real(p_.beta + Real(n)), Real(k)).value);
    }

    /// One period of the projected retention curve.
    struct curve_point {
        double period;
        Real survival, retention, churn;  ///< S(t), r(t), P(T = t)
    };

    /// The projected curve for periods t = 1..`periods`: S(t), r(t) and P(T = t) (the rows of
    /// `clv predict --periods`; compare with `cohort_curve::survival` of observed counts).
    std::vector<curve_point> retention_curve(double periods) const {
        check_period(periods, 0, "periods");
        std::vector<curve_point> curve;
        for (double t = 1; t <= periods; ++t) curve.push_back({t, survival(t), retention_rate(t), churn_probability(t)});
        return curve;
    }

    // ---------------------------------------------------------------- lifetimes

    /// E[T] = sum_{t>=0} S(t) = (alpha + beta - 1) / (alpha - 1) periods (E[1/theta] for theta ~
    /// Beta(alpha, beta)). Infinite when alpha <= 1: then throws `invalid_input` naming alpha
    /// (use a discounted lifetime, which is always finite).
    Real expected_lifetime() const {
        require_finite_lifetime("the expected lifetime");
        return (p_.alpha + p_.beta - 1) / (p_.alpha - 1);
    }

    /// DEL, the discounted expected lifetime of a customer just acquired (FH 2010 eq. 4):
    /// sum_{t>=0} S(t) / (1 + d)^t = 2F1(1, beta; alpha + beta; 1/(1 + d)). The first period counts
    /// undiscounted (t = 0: its payment is made at acquisition); the payment at the start of
    /// period t + 1 counts with S(t). Multiply by the margin per period for a new customer's value.
    /// d = 0 gives the expected lifetime (finite only when alpha > 1). Equals 1 + DERL(d, 0)/(1 + d).
    Real discounted_expected_lifetime(Real discount_rate) const {
        check_discount_rate(discount_rate);
        if (discount_rate == 0) return expected_lifetime();
        return gauss_sum(p_.beta, p_.alpha + p_.beta, discount_rate);
    }

    /// DERL, the discounted expected residual lifetime of a customer who has made `renewals` = n
    /// renewals (n >= 0; is in period n + 1), valued at the end of period n + 1 just before the next
    /// renewal decision (FH 2010 eq. 6, where such a customer is said to have made "n - 1 renewals"
    /// with their n our n + 1):
    ///   DERL = sum_{t>=n+1} S(t)/S(n) / (1 + d)^(t-n-1)
    ///        = (beta + n)/(alpha + beta + n) 2F1(1, beta + n + 1; alpha + beta + n + 1; 1/(1 + d)).
    /// The next renewal's payment counts undiscounted with probability r(n + 1), later ones
    /// discounted; the current period's payment is not included. Value of the customer = margin
    /// per period x DERL. d = 0 gives (beta + n)/(alpha - 1) (finite only when alpha > 1).
    Real discounted_expected_residual_lifetime(Real discount_rate, double renewals) const {
        check_discount_rate(discount_rate);
        check_period(renewals, 0, "renewals");
        const Real n = Real(renewals);
        if (discount_rate == 0) {
            require_finite_lifetime("the undiscounted residual lifetime");
            return (p_.beta + n) / (p_.alpha - 1);
        }
        return retention_rate(renewals + 1) * gauss_sum(Real(p_.beta + n + 1), Real(p_.alpha + p_.beta + n + 1), discount_rate);
    }

    /// DERL of a customer record: 0 for a customer who has cancelled, otherwise DERL with
    /// renewals = tenure (an active record of tenure t has renewed t times; data/contractual.hpp).
    template <contractual_record R>
    Real discounted_expected_residual_lifetime(Real discount_rate, const R& record) const {
        const double tenure = static_cast<double>(record.tenure);
        const bool churned = static_cast<bool>(record.churned);
        validate_contractual_record(tenure, churned ? 1.0 : 0.0, 1.0, source_location{"sbg record", 0, 0});
        check_discount_rate(discount_rate);
        return churned ? Real(0) : discounted_expected_residual_lifetime(discount_rate, tenure);
    }

    // ---------------------------------------------------------------- simulation

    /// Simulates one customer per entry of `observed_periods` (the renewal decisions that can be
    /// observed for that customer, a whole number >= 1, e.g. the periods since the cohort was
    /// acquired): draws theta ~ Beta(alpha, beta) and T ~ shifted geometric(theta); the record is
    /// (T, churned) when T <= observed periods, else (observed periods, active). Ids are empty.
    template <class Rng>
    contractual_table simulate(std::span<const double> observed_periods, Rng& rng) const {
        for (std::size_t i = 0; i < observed_periods.size(); ++i) {
            const double o = observed_periods[i];
            if (!std::isfinite(o) || o < 1 || o != std::floor(o) || o > max_tenure)
                throw invalid_input("observed_periods", to_message_string(o), "must be a whole number >= 1",
                                    {"simulate, customer " + std::to_string(i + 1)});
        }
        const auto v = to_array(p_);
        std::gamma_distribution<double> gamma_alpha(v[0], 1.0), gamma_beta(v[1], 1.0);
        std::uniform_real_distribution<double> unit(0.0, 1.0);
        contractual_table table;
        for (const double observed : observed_periods) {
            const double ga = gamma_alpha(rng), gb = gamma_beta(rng);
            const double theta = ga + gb > 0 ? ga / (ga + gb) : (v[0] >= v[1] ? 1.0 : 0.0);
            // T - 1 = number of renewals before cancelling, geometric: floor(log U / log(1 - theta)).
            double lifetime = std::numeric_limits<double>::infinity();
            if (theta >= 1) {
                lifetime = 1;
            } else if (theta > 0) {
                lifetime = 1 + std::floor(std::log(1 - unit(rng)) / std::log1p(-theta));
            }
            if (lifetime <= observed) table.push_back("", {lifetime, true, 1.0});
            else table.push_back("", {observed, false, 1.0});
        }
        return table;
    }

private:
    params p_;

    /// The sum_{k>=0} (b)_k / (c)_k x^k = 2F1(1, b; c; x), x = 1/(1 + d), by the positive series of
    /// core/hypergeometric.hpp (its Euler transformation when alpha = c - b < 1). It needs about
    /// (ln(1/eps) + ln(1/d)) / d terms.
    Real gauss_sum(const Real& b, const Real& c, const Real& discount_rate) const {
        using std::exp;
        using std::log;
        const double d = static_cast<double>(discount_rate);
        const double digits = std::numeric_limits<Real>::digits * std::log(2.0);  // ln(1/epsilon)
        const double needed = (digits + std::log1p(1 / d) + 10) / std::log1p(d);
        const auto max_terms = static_cast<std::size_t>(std::min(2 * needed + 1000, 1e9));
        const Real x = 1 / (1 + discount_rate);
        const Real value = exp(special::log_hypergeometric_2f1<Real>(Real(1), b, c, x, max_terms));
        if (!std::isfinite(static_cast<double>(value)))
            throw invalid_input("discount_rate", to_message_string(d),
                                "the discounted lifetime series did not converge at this discount rate", {"sbg"});
        return value;
    }

    void require_finite_lifetime(const char* what) const {
        if (!(p_.alpha > 1))
            throw invalid_input("alpha", to_message_string(static_cast<double>(p_.alpha)),
                                std::string(what) + " is infinite when alpha <= 1 (E[1/theta] diverges); use a discount "
                                "rate > 0",
                                {"sbg"});
    }
    static void check_discount_rate(const Real& discount_rate) {
        const double d = static_cast<double>(discount_rate);
        if (!std::isfinite(d) || d < 0 || (d > 0 && d < min_positive_discount_rate))
            throw invalid_input("discount_rate", to_message_string(d),
                                "a discount rate per period must be 0 or a finite number >= 1e-6", {"sbg"});
    }
    static void check_period(double t, double lowest, const char* field) {
        if (!std::isfinite(t) || t < lowest || t != std::floor(t) || t > max_tenure)
            throw invalid_input(field, to_message_string(t),
                                "must be a whole number of periods >= " + to_message_string(lowest), {"sbg"});
    }
};

}  // namespace clv
