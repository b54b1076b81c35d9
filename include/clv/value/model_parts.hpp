// Fitted models as valuation parts, next to the constant parts of value/parts.hpp: a transaction
// model (BG/NBD, Pareto/NBD, MBG/NBD, BG/BB) as the purchase part, a spend model (Gamma-Gamma) as
// the spend part. Each part holds its model by value and, optionally, the covariance of the
// model's parameters from the fit, so that value intervals can redraw the part (`drawn`).
#pragma once

#include <clv/core/concepts.hpp>
#include <clv/core/errors.hpp>

#include <Eigen/Dense>

#include <array>
#include <cmath>
#include <random>
#include <string>

namespace clv {

/// A model whose parameters the valuation can read and redraw: `M::to_array`, `M::from_array`,
/// `M::parameter_count` and `model.parameters()`.
template <class M>
concept parameterised_model = requires(const M& m) {
    { M::to_array(m.parameters()) };
    { M::from_array(M::to_array(m.parameters())) } -> std::same_as<typename M::params>;
};

/// A model with parameters drawn from the asymptotic normal distribution of the maximum-likelihood
/// estimate in log-parameters, log p ~ N(log p_hat, D^-1 C D^-1) with C the covariance of the
/// natural parameters and D = diag(p_hat) (the delta method, as the fitting layer maps the
/// log-parameter covariance to C). An empty covariance returns the model unchanged.
template <parameterised_model M, class Rng>
M draw_parameters(const M& model, const Eigen::MatrixXd& covariance, Rng& rng) {
    if (covariance.size() == 0) return model;
    const auto values = M::to_array(model.parameters());
    const auto k = static_cast<Eigen::Index>(values.size());
    if (covariance.rows() != k || covariance.cols() != k || !covariance.allFinite())
        throw invalid_input("covariance", std::to_string(covariance.rows()) + "x" + std::to_string(covariance.cols()),
                            "the parameter covariance must be a finite " + std::to_string(k) + "x" + std::to_string(k) +
                                " matrix");
    Eigen::VectorXd inverse_scale(k);
    for (Eigen::Index i = 0; i < k; ++i) inverse_scale[i] = 1.0 / values[static_cast<std::size_t>(i)];
    const Eigen::MatrixXd log_covariance = inverse_scale.asDiagonal() * covariance * inverse_scale.asDiagonal();
    // Eigen decomposition rather than Cholesky: a covariance that is semi-definite to rounding
    // (a flat direction) still gives a square root.
    const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eigen(log_covariance);
    const Eigen::MatrixXd root =
        eigen.eigenvectors() * eigen.eigenvalues().cwiseMax(0.0).cwiseSqrt().asDiagonal();
    std::normal_distribution<double> normal;
    Eigen::VectorXd z(k);
    for (Eigen::Index i = 0; i < k; ++i) z[i] = normal(rng);
    const Eigen::VectorXd shift = root * z;
    auto drawn = values;
    for (Eigen::Index i = 0; i < k; ++i) drawn[static_cast<std::size_t>(i)] *= std::exp(shift[i]);
    return M(M::from_array(drawn));
}

/// Purchase part from a transaction model: the expected purchases of a customer in the next t
/// time units (the model's unit) given their history, E[X(T, T + t] | x, t_x, T]. Discrete
/// discounting counts periods of `period_length` time units.
template <class Model>
struct model_purchases {
    Model model;
    double period_length = 1;
    Eigen::MatrixXd covariance{};  ///< of the model's parameters; empty: no parameter uncertainty

    template <transaction_record R>
    [[nodiscard]] double expected_purchases(const R& r, double t) const {
        return static_cast<double>(model.conditional_expected_transactions(t, r.frequency, r.recency, r.T));
    }
    /// DERT (discounted expected residual transactions) at a continuous rate per time unit.
    template <transaction_record R>
        requires requires(const Model& m) { m.dert(0.1, 1.0, 1.0, 2.0); }
    [[nodiscard]] double discounted_purchases(const R& r, double discount_rate) const {
        return static_cast<double>(model.dert(discount_rate, r.frequency, r.recency, r.T));
    }
    template <transaction_record R>
    [[nodiscard]] double probability_alive(const R& r) const {
        return static_cast<double>(model.probability_alive(r.frequency, r.recency, r.T));
    }
    template <class Rng>
    [[nodiscard]] model_purchases drawn(Rng& rng) const {
        return {draw_parameters(model, covariance, rng), period_length, covariance};
    }
};

/// Spend part from a spend model with `conditional_expected_spend(x, m_x)` and `expected_spend()`
/// (Gamma-Gamma: the posterior mean spend, FHL 2005 "RFM and CLV" eq. 5, for repeat buyers; the
/// population mean p gamma / (q - 1) for customers without repeat purchases, whose m_x is empty).
template <class Model>
struct model_spend {
    Model model;
    Eigen::MatrixXd covariance{};

    template <monetary_record R>
    [[nodiscard]] double expected_order_value(const R& r) const {
        if (r.frequency > 0) return static_cast<double>(model.conditional_expected_spend(r.frequency, r.monetary_value));
        return static_cast<double>(model.expected_spend());
    }
    template <class Rng>
    [[nodiscard]] model_spend drawn(Rng& rng) const {
        return {draw_parameters(model, covariance, rng), covariance};
    }
};

/// Retention part from a contractual retention model with `conditional_survival(n, k)` and
/// `discounted_expected_residual_lifetime(d, n)` (sBG, Fader & Hardie 2007, 2010): for a customer
/// who has renewed n times (`renewals`, or the record's tenure), period k of the future is paid with
/// probability P(T > n + k | T > n). With margins at the start of periods and no horizon the
/// discounted sum is the model's DERL (FH 2010 eq. 6) in closed form; cancelled customers bring 0.
template <class Model>
struct model_retention {
    Model model;
    double renewals = 0;  ///< used when the record is not a contractual record

    template <class R>
    [[nodiscard]] double renewals_of(const R& r) const {
        if constexpr (contractual_record<R>) return static_cast<double>(r.tenure);
        else return renewals;
    }
    template <class R>
    [[nodiscard]] static bool cancelled(const R& r) {
        if constexpr (contractual_record<R>) return static_cast<bool>(r.churned);
        else return false;
    }
    template <class R>
    [[nodiscard]] double period_share(std::size_t k, margin_timing /*timing*/, const R& r) const {
        if (cancelled(r)) return 0.0;
        return static_cast<double>(model.conditional_survival(renewals_of(r), static_cast<double>(k)));
    }
    template <class R>
    [[nodiscard]] double discounted_share_sum(double d, margin_timing timing, std::size_t horizon, const R& r) const {
        if (cancelled(r)) return 0.0;
        if (horizon == 0) {
            const double derl = static_cast<double>(model.discounted_expected_residual_lifetime(d, renewals_of(r)));
            return timing == margin_timing::start ? derl : derl / (1 + d);
        }
        double total = 0, weight = timing == margin_timing::start ? 1.0 : 1.0 / (1 + d);
        for (std::size_t k = 1; k <= horizon; ++k, weight /= 1 + d) total += period_share(k, timing, r) * weight;
        return total;
    }
};

}  // namespace clv
