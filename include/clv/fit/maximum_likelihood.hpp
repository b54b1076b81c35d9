// The one maximum-likelihood layer every model uses. It knows nothing about any model beyond
// the small `likelihood_model` contract below: it maximises the weighted log-likelihood in
// log-parameters with BFGS, then takes the observed information (Hessian of the same objective,
// by central differences of the analytic gradient) for standard errors via the delta method.
#pragma once

#include <clv/fit/bfgs.hpp>

#include <Eigen/Dense>

#include <array>
#include <cmath>
#include <concepts>
#include <cstddef>
#include <exception>
#include <limits>
#include <stdexcept>
#include <string>
#include <string_view>

namespace clv::fit {

/// What the fitting layer needs from a model `M` fitted to data of type `Data`:
/// - `M::parameter_count`, `M::parameter_names` (array of names, in `to_array` order);
/// - `M::to_array(params)` / `M::from_array(array)` between the named struct and an array;
/// - `M::log_likelihood_with_gradient(params, data, gradient)`: the summed, weighted
///   log-likelihood and its gradient with respect to the *log*-parameters (may return non-finite
///   values where the model is numerically infeasible: the optimiser backs off);
/// - `M::default_start(data)`: a sound starting point;
/// - `M::total_weight(data)`: number of customers the data stands for.
template <class M, class Data>
concept likelihood_model = requires(const typename M::params& p, const Data& d,
                                    std::array<double, M::parameter_count>& grad) {
    { M::parameter_names } -> std::convertible_to<std::array<std::string_view, M::parameter_count>>;
    { M::to_array(p) } -> std::same_as<std::array<double, M::parameter_count>>;
    { M::from_array(grad) } -> std::same_as<typename M::params>;
    { M::log_likelihood_with_gradient(p, d, grad) } -> std::convertible_to<double>;
    { M::default_start(d) } -> std::same_as<typename M::params>;
    { M::total_weight(d) } -> std::convertible_to<double>;
};

/// Options of a fit.
struct fit_options {
    /// L2 penalty `penalty * sum(log(param)^2)` added to the per-customer negative
    /// log-likelihood (the role of lifetimes' `penalizer_coef`). 0 = plain maximum likelihood.
    double penalty = 0;
    /// BFGS brings the estimate close; Newton steps on the observed information then finish it
    /// (quadratic convergence), so BFGS can stop at a moderate gradient.
    bfgs_options optimizer = [] {
        bfgs_options o;
        o.gradient_tolerance = 1e-6;
        return o;
    }();
    /// Extra deterministic starting points, tried when the default start does not converge and,
    /// on data of at most `extra_starts_up_to_rows` rows, also after it converged, keeping the
    /// highest maximum: some likelihoods (MBG/NBD's) have local maxima. On larger data a fit costs
    /// enough that the extra starts are kept for failures.
    int extra_starts = 4;
    std::size_t extra_starts_up_to_rows = 20'000;
    /// |log parameter| beyond which Newton polishing gives up: the estimate runs off to 0 or infinity.
    double boundary_log_parameter = 30;
};

/// The result of a fit: estimates, uncertainty and honest diagnostics.
template <class M>
struct fit_result {
    static constexpr std::size_t k = M::parameter_count;
    typename M::params params{};
    double log_likelihood = std::numeric_limits<double>::quiet_NaN();  ///< unpenalised, at `params`
    std::array<double, k> std_errors{};        ///< NaN where the observed information is singular
    Eigen::Matrix<double, k, k> covariance;    ///< of the natural parameters (delta method)
    bool converged = false;
    bool std_errors_available = false;
    std::string status;                        ///< the optimiser's reason for stopping
    int iterations = 0;
    double gradient_norm = std::numeric_limits<double>::quiet_NaN();  ///< max |d objective / d log-param|
    double n_customers = 0;                    ///< total weight of the data
    double penalty = 0;

    [[nodiscard]] double aic() const { return 2.0 * static_cast<double>(k) - 2.0 * log_likelihood; }
    [[nodiscard]] double bic() const {
        return static_cast<double>(k) * std::log(n_customers) - 2.0 * log_likelihood;
    }
};

namespace detail {

/// Per-customer penalised negative log-likelihood in log-parameters and its gradient.
template <class M, class Data>
double objective(const Data& data, double weight_total, double penalty, const Eigen::VectorXd& theta,
                 Eigen::VectorXd& gradient) {
    std::array<double, M::parameter_count> values{}, grad{};
    for (std::size_t i = 0; i < M::parameter_count; ++i) {
        values[i] = std::exp(theta[static_cast<Eigen::Index>(i)]);
        if (!(values[i] > 0) || !std::isfinite(values[i])) return std::numeric_limits<double>::infinity();
    }
    double ll;
    try {
        ll = M::log_likelihood_with_gradient(M::from_array(values), data, grad);
    } catch (const std::exception&) {
        // A special function or quadrature that gives up at an extreme trial point (Boost.Math
        // throws evaluation_error there) makes that point infeasible, like a non-finite value.
        return std::numeric_limits<double>::infinity();
    }
    double value = -ll / weight_total;
    for (std::size_t i = 0; i < M::parameter_count; ++i) {
        const auto j = static_cast<Eigen::Index>(i);
        gradient[j] = -grad[i] / weight_total + 2 * penalty * theta[j];
        value += penalty * theta[j] * theta[j];
    }
    return value;
}

}  // namespace detail

namespace detail {

/// Hessian of `f` at `theta` by central differences of its analytic gradient, symmetrised.
/// Returns false when a probe point is not finite.
template <class Objective>
bool hessian_by_differences(Objective& f, const Eigen::VectorXd& theta, Eigen::MatrixXd& hessian) {
    const Eigen::Index k = theta.size();
    hessian.resize(k, k);
    Eigen::VectorXd g_plus(k), g_minus(k), probe = theta;
    for (Eigen::Index j = 0; j < k; ++j) {
        const double h = 1e-5 * std::max(1.0, std::abs(theta[j]));
        probe[j] = theta[j] + h;
        if (!std::isfinite(f(probe, g_plus)) || !g_plus.allFinite()) return false;
        probe[j] = theta[j] - h;
        if (!std::isfinite(f(probe, g_minus)) || !g_minus.allFinite()) return false;
        probe[j] = theta[j];
        hessian.col(j) = (g_plus - g_minus) / (2 * h);
    }
    hessian = (0.5 * (hessian + hessian.transpose())).eval();
    return true;
}

/// Newton steps on the differenced Hessian after BFGS: they sharpen the estimate to the printed
/// digits of published fits and tell an interior optimum (the Newton step shrinks to nothing)
/// from a likelihood that keeps rising towards the edge of the parameter space, where the
/// gradient fades away but the Newton step does not. Returns true when the step became negligible.
/// `hessian` holds the differenced Hessian of the last step, which the caller reuses for the
/// standard errors (the final step is below 1e-7 in log-parameters).
template <class Objective>
bool newton_polish(Objective& f, Eigen::VectorXd& theta, double boundary, Eigen::MatrixXd& hessian,
                   int max_steps = 30) {
    const Eigen::Index k = theta.size();
    Eigen::VectorXd g(k), g_trial(k);
    for (int step = 0; step < max_steps; ++step) {
        const double value = f(theta, g);
        if (!hessian_by_differences(f, theta, hessian)) return false;
        const Eigen::LDLT<Eigen::MatrixXd> ldlt(hessian);
        if (ldlt.info() != Eigen::Success || !(ldlt.vectorD().array() > 0).all()) return false;
        Eigen::VectorXd delta = -ldlt.solve(g);
        if (!delta.allFinite()) return false;
        if (delta.cwiseAbs().maxCoeff() <= 1e-7) {
            theta += delta;
            Eigen::VectorXd g_end(k);
            if (!(f(theta, g_end) <= value + 1e-14 * std::max(1.0, std::abs(value)))) theta -= delta;
            return true;
        }
        double scale = 1;
        for (; scale > 1e-4; scale *= 0.5) {  // backtrack until the objective does not rise
            const double trial = f(theta + scale * delta, g_trial);
            if (std::isfinite(trial) && trial <= value + 1e-14 * std::max(1.0, std::abs(value))) break;
        }
        if (scale <= 1e-4) return false;
        theta += scale * delta;
        if (theta.cwiseAbs().maxCoeff() > boundary) return false;
    }
    return false;
}

}  // namespace detail

/// Maximum-likelihood fit of model `M` to `data`.
/// Parameters are estimated in log space (so they stay positive) by BFGS, then sharpened by
/// Newton steps; standard errors come from the inverse observed information of the
/// log-parameters (central differences of the analytic gradient), mapped back by the delta
/// method: cov(p) = diag(p) cov(log p) diag(p). A fit whose optimiser does not converge, or whose
/// estimate runs off to 0 or infinity, has `converged == false` and a `status` saying why; it is
/// never reported as a success.
template <class M, class Data>
    requires likelihood_model<M, Data>
fit_result<M> maximize_likelihood(const Data& data, const fit_options& options = {},
                                  const typename M::params* start = nullptr) {
    constexpr std::size_t k = M::parameter_count;
    if (!(options.penalty >= 0) || !std::isfinite(options.penalty))
        throw std::invalid_argument("fit_options: penalty must be a finite number >= 0");
    const double weight_total = M::total_weight(data);
    if (!(weight_total > 0)) throw std::invalid_argument("maximize_likelihood: the data hold no customers");

    auto f = [&](const Eigen::VectorXd& theta, Eigen::VectorXd& g) {
        return detail::objective<M>(data, weight_total, options.penalty, theta, g);
    };
    auto to_theta = [](const typename M::params& p) {
        const auto values = M::to_array(p);
        Eigen::VectorXd theta(static_cast<Eigen::Index>(k));
        for (std::size_t i = 0; i < k; ++i) theta[static_cast<Eigen::Index>(i)] = std::log(values[i]);
        return theta;
    };
    // One attempt: BFGS, then Newton polishing; converged only if both agree it is an interior optimum.
    Eigen::MatrixXd hessian;
    auto attempt = [&](Eigen::VectorXd& theta) {
        bfgs_report report = minimize_bfgs(f, theta, options.optimizer);
        if (!report.converged) return report;
        if (!detail::newton_polish(f, theta, options.boundary_log_parameter, hessian)) {
            hessian.resize(0, 0);
            report.converged = false;
            Eigen::Index worst = 0;
            theta.cwiseAbs().maxCoeff(&worst);
            report.status = theta.cwiseAbs().maxCoeff() > 10
                ? "did not converge: parameter " + std::string(M::parameter_names[static_cast<std::size_t>(worst)]) +
                      " runs to " + (theta[worst] > 0 ? "infinity" : "zero") +
                      " (the data do not identify it; try a penalty or more data)"
                : "did not converge: no interior maximum found (the observed information is not positive definite)";
        }
        Eigen::VectorXd g(theta.size());
        report.value = f(theta, g);
        report.gradient_norm = g.cwiseAbs().maxCoeff();
        return report;
    };

    const typename M::params first = start ? *start : M::default_start(data);
    Eigen::VectorXd best = to_theta(first);
    bfgs_report best_report = attempt(best);
    // Deterministic alternative starts: the first start shifted along a fixed pattern of
    // log-scale moves; the best converged optimum is kept.
    std::size_t rows = options.extra_starts_up_to_rows;
    if constexpr (requires { data.size(); }) rows = data.size();
    const bool small = rows <= options.extra_starts_up_to_rows;
    for (int s = 0; s < options.extra_starts && (small || !best_report.converged); ++s) {
        Eigen::VectorXd theta = to_theta(first);
        for (std::size_t i = 0; i < k; ++i)
            theta[static_cast<Eigen::Index>(i)] += ((i + static_cast<std::size_t>(s)) % 2 == 0 ? 1.0 : -1.0) * (0.5 + 0.5 * s);
        bfgs_report r = attempt(theta);
        const bool better = (r.converged && !best_report.converged) ||
                            (r.converged == best_report.converged && std::isfinite(r.value) &&
                             !(r.value >= best_report.value));
        if (better) { best = theta; best_report = r; }
        else hessian.resize(0, 0);  // it belonged to this rejected attempt
    }

    fit_result<M> result;
    std::array<double, k> values{};
    for (std::size_t i = 0; i < k; ++i) values[i] = std::exp(best[static_cast<Eigen::Index>(i)]);
    result.params = M::from_array(values);
    result.converged = best_report.converged;
    result.status = best_report.status;
    result.iterations = best_report.iterations;
    result.gradient_norm = best_report.gradient_norm;
    result.n_customers = weight_total;
    result.penalty = options.penalty;
    std::array<double, k> grad{};
    result.log_likelihood = M::log_likelihood_with_gradient(result.params, data, grad);
    if (!std::isfinite(result.log_likelihood)) {
        result.converged = false;
        result.status = "the log-likelihood is not finite at the estimate";
    }

    result.std_errors.fill(std::numeric_limits<double>::quiet_NaN());
    result.covariance.setConstant(std::numeric_limits<double>::quiet_NaN());
    if (!best_report.converged) hessian.resize(0, 0);
    if (hessian.size() != 0 || detail::hessian_by_differences(f, best, hessian)) {
        hessian *= weight_total;  // the objective is per customer; the information is not
        const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eigen(hessian);
        if (eigen.info() == Eigen::Success &&
            eigen.eigenvalues().minCoeff() > 1e-12 * std::max(1.0, eigen.eigenvalues().maxCoeff())) {
            const Eigen::MatrixXd cov_log = hessian.inverse();
            Eigen::VectorXd scale(static_cast<Eigen::Index>(k));
            for (std::size_t i = 0; i < k; ++i) scale[static_cast<Eigen::Index>(i)] = values[i];
            result.covariance = scale.asDiagonal() * cov_log * scale.asDiagonal();
            for (std::size_t i = 0; i < k; ++i) {
                const auto ii = static_cast<Eigen::Index>(i);
                result.std_errors[i] = std::sqrt(result.covariance(ii, ii));
            }
            result.std_errors_available = true;
        }
    }
    if (result.converged && !result.std_errors_available)
        result.status += "; the observed information is not positive definite, so no standard errors";
    return result;
}

}  // namespace clv::fit
