// The one maximum-likelihood layer every model uses. It knows nothing about any model beyond
// the small `likelihood_model` contract below: it maximises the weighted log-likelihood in
// log-parameters with BFGS, then takes the observed information (Hessian of the same objective,
// by central differences of the analytic gradient) for standard errors via the delta method.
#pragma once

#include <clv/data/customer_table.hpp>
#include <clv/fit/bfgs.hpp>

#include <Eigen/Dense>

#include <algorithm>
#include <array>
#include <cmath>
#include <concepts>
#include <cstddef>
#include <exception>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

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

/// Optional part of the contract: `M::penalty_reference(data)`, an array of positive values in
/// parameter order, the centre of the penalty (see `fit_options::penalty`). A model returns the
/// data's own time scale for parameters that are time scales (BG/NBD's alpha, Pareto/NBD's alpha
/// and beta) and 1 for dimensionless ones, so that the penalised fit does not depend on the unit
/// of time. Models without it are penalised towards 1.
template <class M, class Data>
concept has_penalty_reference = requires(const Data& d) {
    { M::penalty_reference(d) } -> std::convertible_to<std::array<double, M::parameter_count>>;
};

/// Optional part of the contract: `M::log_likelihood_with_gradient(params, data, gradient,
/// threads)` sums on `threads` threads, with the same bits for any count (fit/blocked_sum.hpp).
template <class M, class Data>
concept threaded_likelihood = requires(const typename M::params& p, const Data& d,
                                       std::array<double, M::parameter_count>& grad, unsigned threads) {
    { M::log_likelihood_with_gradient(p, d, grad, threads) } -> std::convertible_to<double>;
};

/// Options of a fit.
struct fit_options {
    /// Weight c >= 0 of a ridge penalty on the log-parameters: the fit minimises
    ///     -LL(params) / N + c * sum_i log(param_i / reference_i)^2
    /// (N = total weight, reference_i from `M::penalty_reference(data)` or 1), i.e. it is the
    /// posterior mode under independent normal priors on log(param_i / reference_i) with variance
    /// 1 / (2 c N). Because the time-scale parameters are measured against the data's own time
    /// scale, the same data in days and in weeks give the same fit. This is not lifetimes'
    /// `penalizer_coef`, which adds coef * sum(param_i^2) on the natural parameters (docs/models.md).
    /// 0 = plain maximum likelihood.
    double penalty = 0;
    /// BFGS brings the estimate close; Newton steps on the observed information then finish it
    /// (quadratic convergence), so BFGS can stop at a moderate gradient.
    bfgs_options optimizer = [] {
        bfgs_options o;
        o.gradient_tolerance = 1e-6;
        return o;
    }();
    /// Safeguard against local maxima (MBG/NBD's likelihood has some): after the fit from the
    /// default start, `extra_starts` points of a two-level factorial design around that start (+-
    /// `extra_start_spread` in every log-parameter; 8 = for four parameters the half-fraction with
    /// a and b both small, both large, and every pair at all four sign combinations; 16 = all
    /// sign patterns) are screened with a few BFGS iterations on a subsample of at most
    /// `screening_rows` rows; the `promising_starts` best are continued to the subsample's maximum,
    /// and a full fit starts from one only if that maximum is not one a full fit already reached
    /// (the highest full-data maximum is kept).
    /// 0 turns the safeguard off.
    int extra_starts = 8;
    double extra_start_spread = 2.0;
    int screening_iterations = 4;
    int promising_starts = 3;      ///< screened points continued to the subsample's maximum
    std::size_t screening_rows = 400;
    /// |log parameter| beyond which Newton polishing gives up: the estimate runs off to 0 or infinity.
    double boundary_log_parameter = 30;
    /// Threads on which the log-likelihood and its gradient are summed (models that support it:
    /// `threaded_likelihood`). The rows are cut into fixed blocks whose sums are added in a fixed
    /// order, so the fit is identical to the last bit for any number of threads. 1 = the calling
    /// thread only; clv::hardware_threads() gives the machine's count.
    unsigned threads = 1;
};

/// The result of a fit: estimates, uncertainty and honest diagnostics.
template <class M>
struct fit_result {
    static constexpr std::size_t k = M::parameter_count;
    typename M::params params{};
    double log_likelihood = std::numeric_limits<double>::quiet_NaN();  ///< unpenalised, at `params`
    std::array<double, k> std_errors{};        ///< NaN unless `std_errors_available`
    Eigen::Matrix<double, k, k> covariance;    ///< of the natural parameters (delta method); NaN likewise
    bool converged = false;
    /// Standard errors exist only for a converged fit whose observed information is positive definite.
    bool std_errors_available = false;
    /// True for a penalised fit: the standard errors and covariance are those of the penalised
    /// objective (the inverse Hessian of -LL + N c sum log(param/reference)^2), narrower than
    /// maximum-likelihood ones; `status` says so too.
    bool std_errors_penalised = false;
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

/// Per-customer penalised negative log-likelihood in log-parameters and its gradient; `center`
/// holds log(reference_i) of the penalty.
template <class M, class Data>
double objective(const Data& data, double weight_total, double penalty, const Eigen::VectorXd& center,
                 unsigned threads, const Eigen::VectorXd& theta, Eigen::VectorXd& gradient) {
    std::array<double, M::parameter_count> values{}, grad{};
    for (std::size_t i = 0; i < M::parameter_count; ++i) {
        values[i] = std::exp(theta[static_cast<Eigen::Index>(i)]);
        if (!(values[i] > 0) || !std::isfinite(values[i])) return std::numeric_limits<double>::infinity();
    }
    double ll;
    try {
        if constexpr (threaded_likelihood<M, Data>)
            ll = M::log_likelihood_with_gradient(M::from_array(values), data, grad, threads);
        else
            ll = M::log_likelihood_with_gradient(M::from_array(values), data, grad);
    } catch (const std::exception&) {
        // A special function or quadrature that gives up at an extreme trial point (Boost.Math
        // throws evaluation_error there) makes that point infeasible, like a non-finite value.
        return std::numeric_limits<double>::infinity();
    }
    double value = -ll / weight_total;
    for (std::size_t i = 0; i < M::parameter_count; ++i) {
        const auto j = static_cast<Eigen::Index>(i);
        const double offset = theta[j] - center[j];
        gradient[j] = -grad[i] / weight_total + 2 * penalty * offset;
        value += penalty * offset * offset;
    }
    return value;
}

/// A deterministic subsample of about `rows` customers on which extra starts are screened
/// cheaply: systematic sampling with probability proportional to weight (customers at equal
/// steps of the cumulative weight, each row standing for step times the number of steps it
/// holds). A compressed table's rows carry very unequal weights (one row for thousands of
/// customers with no repeat purchase, one for each rare history), and a sample of rows at a fixed
/// stride would stand for a population of mostly rare histories, whose likelihood can have its
/// maximum far from the data's. Compressed tables are sorted by (frequency, recency, T), so the
/// steps cover the whole range evenly. Data: transaction summaries (frequency, recency, T) or
/// spend (frequency, monetary_value), each with optional weights.
template <class Data>
struct weighted_sample {
    static constexpr bool transactions = requires(const Data& d) { d.recency; d.T; };
    static constexpr bool spend = requires(const Data& d) { d.monetary_value; };
    static constexpr bool supported = transactions || spend;

    std::vector<double> frequency, recency, T, monetary_value, weight;

    weighted_sample(const Data& data, std::size_t rows) {
        double total = 0;
        for (std::size_t i = 0; i < data.size(); ++i) total += data.weight_at(i);
        const double step = total / static_cast<double>(std::max<std::size_t>(rows, 1));
        double next = step / 2, cumulative = 0;
        for (std::size_t i = 0; i < data.size(); ++i) {
            cumulative += data.weight_at(i);
            double hits = 0;
            while (next < cumulative) {
                ++hits;
                next += step;
            }
            if (hits == 0) continue;
            frequency.push_back(data.frequency[i]);
            if constexpr (transactions) {
                recency.push_back(data.recency[i]);
                T.push_back(data.T[i]);
            } else {
                monetary_value.push_back(data.monetary_value[i]);
            }
            weight.push_back(hits * step);
        }
    }
    [[nodiscard]] Data columns() const {
        if constexpr (transactions) return Data{.frequency = frequency, .recency = recency, .T = T, .weight = weight};
        else return Data{.frequency = frequency, .monetary_value = monetary_value, .weight = weight};
    }
};

/// The sign patterns of a two-level factorial design in k factors, at most `count` of them: first
/// the half-fraction whose signs multiply to +1 (2^(k-1) runs: all low, all high, and every pair
/// of factors at all four sign combinations), then the complementary half.
inline std::vector<std::vector<int>> half_fraction_design(std::size_t k, std::size_t count) {
    std::vector<std::vector<int>> design;
    const std::size_t bits = std::min<std::size_t>(k, 16);
    for (int half : {1, -1}) {
        for (std::size_t run = 0; run < (std::size_t{1} << bits) && design.size() < count; ++run) {
            std::vector<int> signs(k, 1);
            int product = 1;
            for (std::size_t i = 0; i < bits; ++i) {
                signs[i] = ((run >> i) & 1U) ? -1 : 1;
                product *= signs[i];
            }
            if (product == half) design.push_back(std::move(signs));
        }
    }
    return design;
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
/// gradient fades away but the Newton step does not. The Hessian (2k evaluations) is reused for
/// further steps while they contract at least fourfold each (a chord method, one evaluation per
/// step: near an interior optimum they contract far faster); a step that does not, or that needs
/// backtracking, gets a fresh Hessian, and so does the final check when the Hessian was taken
/// more than `fresh_distance` away, so a stale curvature cannot fake convergence at the edge.
/// Returns true when the step became negligible; `value` and `gradient` then hold the objective
/// at `theta`, and `hessian` the last differenced Hessian, which the caller reuses for the
/// standard errors (taken within `fresh_distance` of the estimate in log-parameters).
template <class Objective>
bool newton_polish(Objective& f, Eigen::VectorXd& theta, double boundary, Eigen::MatrixXd& hessian, double& value,
                   Eigen::VectorXd& gradient, int max_steps = 30) {
    constexpr double negligible = 1e-7, fresh_distance = 1e-3, contraction = 0.25;
    const Eigen::Index k = theta.size();
    Eigen::VectorXd g_trial(k), hessian_at = theta;
    Eigen::LDLT<Eigen::MatrixXd> ldlt;
    gradient.resize(k);
    value = f(theta, gradient);
    if (!std::isfinite(value) || !gradient.allFinite()) return false;
    bool fresh = false;
    double previous_step = std::numeric_limits<double>::infinity();
    // A trial point is taken when the objective does not rise, or when it rises by no more than
    // the rounding of a sum over many customers (relative 1e-11: there the values no longer rank
    // the points, a Newton step's gain of g'H^-1 g / 2 being smaller) and the gradient shrinks.
    // Without the second case, a Gamma-Gamma fit of 4.5 x 10^5 repeat buyers halved every step
    // on rounding noise and took 134 passes over the data instead of 18.
    auto not_worse = [&](double trial, const Eigen::VectorXd& trial_gradient) {
        if (!std::isfinite(trial) || !trial_gradient.allFinite()) return false;
        const double scale = std::max(1.0, std::abs(value));
        return trial <= value + 1e-14 * scale ||
               (trial <= value + 1e-11 * scale &&
                trial_gradient.cwiseAbs().maxCoeff() < gradient.cwiseAbs().maxCoeff());
    };
    for (int step = 0; step < max_steps; ++step) {
        if (!fresh && (step == 0 || (hessian_at - theta).cwiseAbs().maxCoeff() > fresh_distance)) {
            if (!hessian_by_differences(f, theta, hessian)) return false;
            ldlt.compute(hessian);
            if (ldlt.info() != Eigen::Success || !(ldlt.vectorD().array() > 0).all()) return false;
            hessian_at = theta;
            fresh = true;
            previous_step = std::numeric_limits<double>::infinity();
        }
        const Eigen::VectorXd delta = -ldlt.solve(gradient);
        if (!delta.allFinite()) return false;
        const double size = delta.cwiseAbs().maxCoeff();
        if (!fresh && size > contraction * previous_step) {  // the old curvature no longer serves
            hessian_at.setConstant(std::numeric_limits<double>::infinity());
            continue;
        }
        if (size <= negligible) {
            const double trial = f(theta + delta, g_trial);
            if (not_worse(trial, g_trial)) {
                theta += delta;
                value = trial;
                gradient = g_trial;
            }
            return true;
        }
        double scale = 1, trial = 0;
        for (; scale > 1e-4; scale *= 0.5) {  // backtrack until the objective does not rise
            trial = f(theta + scale * delta, g_trial);
            if (not_worse(trial, g_trial)) break;
        }
        if (scale <= 1e-4) return false;
        theta += scale * delta;
        value = trial;
        gradient = g_trial;
        if (theta.cwiseAbs().maxCoeff() > boundary) return false;
        previous_step = scale == 1 ? size : std::numeric_limits<double>::infinity();
        fresh = false;
        if (scale < 1) hessian_at.setConstant(std::numeric_limits<double>::infinity());
    }
    return false;
}

}  // namespace detail

/// Maximum-likelihood fit of model `M` to `data`.
/// Parameters are estimated in log space (so they stay positive) by BFGS, then sharpened by
/// Newton steps; standard errors come from the inverse observed information of the
/// log-parameters (central differences of the analytic gradient), mapped back by the delta
/// method: cov(p) = diag(p) cov(log p) diag(p). A fit whose optimiser does not converge, whose
/// estimate runs off to 0 or infinity, or lands outside the model's valid range (`M::validate`
/// throws), has `converged == false`, a `status` saying why, and no standard errors; it is never
/// reported as a success. Extra starts (`fit_options::extra_starts`) guard against local maxima.
template <class M, class Data>
    requires likelihood_model<M, Data>
fit_result<M> maximize_likelihood(const Data& data, const fit_options& options = {},
                                  const typename M::params* start = nullptr) {
    constexpr std::size_t k = M::parameter_count;
    constexpr auto kk = static_cast<Eigen::Index>(k);
    if (!(options.penalty >= 0) || !std::isfinite(options.penalty))
        throw std::invalid_argument("fit_options: penalty must be a finite number >= 0");
    const double weight_total = M::total_weight(data);
    if (!(weight_total > 0)) throw std::invalid_argument("maximize_likelihood: the data hold no customers");

    Eigen::VectorXd center = Eigen::VectorXd::Zero(kk);
    if constexpr (has_penalty_reference<M, Data>) {
        const std::array<double, k> reference = M::penalty_reference(data);
        for (std::size_t i = 0; i < k; ++i) {
            if (!(reference[i] > 0) || !std::isfinite(reference[i]))
                throw std::invalid_argument("maximize_likelihood: the penalty reference must be finite and > 0");
            center[static_cast<Eigen::Index>(i)] = std::log(reference[i]);
        }
    }
    auto objective_on = [&](const Data& d, double total) {
        return [&d, total, &options, &center](const Eigen::VectorXd& theta, Eigen::VectorXd& g) {
            return detail::objective<M>(d, total, options.penalty, center, options.threads, theta, g);
        };
    };
    auto f = objective_on(data, weight_total);
    auto to_theta = [](const typename M::params& p) {
        const auto values = M::to_array(p);
        Eigen::VectorXd theta(static_cast<Eigen::Index>(k));
        for (std::size_t i = 0; i < k; ++i) theta[static_cast<Eigen::Index>(i)] = std::log(values[i]);
        return theta;
    };
    // One attempt: BFGS, then Newton polishing; converged only if both agree it is an interior optimum.
    Eigen::MatrixXd hessian;
    auto attempt = [&](Eigen::VectorXd& theta, const Eigen::MatrixXd* inverse_hessian = nullptr) {
        bfgs_report report = minimize_bfgs(f, theta, options.optimizer, inverse_hessian);
        if (!report.converged) return report;
        Eigen::VectorXd g(theta.size());
        if (!detail::newton_polish(f, theta, options.boundary_log_parameter, hessian, report.value, g)) {
            hessian.resize(0, 0);
            report.converged = false;
            Eigen::Index worst = 0;
            theta.cwiseAbs().maxCoeff(&worst);
            report.status = theta.cwiseAbs().maxCoeff() > 10
                ? "did not converge: parameter " + std::string(M::parameter_names[static_cast<std::size_t>(worst)]) +
                      " runs to " + (theta[worst] > 0 ? "infinity" : "zero") +
                      " (the data do not identify it; try a penalty or more data)"
                : "did not converge: no interior maximum found (the observed information is not positive definite)";
            report.value = f(theta, g);
        }
        report.gradient_norm = g.cwiseAbs().maxCoeff();
        return report;
    };
    // Is attempt a better than b? A clearly higher likelihood wins even when that attempt did not
    // converge: an estimate running off to the edge of the parameter space with a higher
    // likelihood than an interior maximum shows that the interior one is not the maximum
    // likelihood estimate (none exists), and reporting it as converged would be wrong. Within
    // rounding of each other, a converged attempt wins.
    auto better = [](const bfgs_report& a, const bfgs_report& b) {
        if (!std::isfinite(a.value)) return false;
        if (!std::isfinite(b.value)) return true;
        const double tolerance = 1e-9 * std::max(1.0, std::abs(b.value));
        if (a.value < b.value - tolerance) return true;
        if (a.value > b.value + tolerance) return false;
        return (a.converged && !b.converged) || (a.converged == b.converged && a.value < b.value);
    };

    const typename M::params first = start ? *start : M::default_start(data);
    const Eigen::VectorXd theta_start = to_theta(first);

    // The subsample (a weighted sample of `screening_rows` rows; the whole data when small) on
    // which the first fit is warmed up and the extra starts are screened.
    std::optional<detail::weighted_sample<Data>> sample;
    std::optional<Data> sample_columns;
    if constexpr (detail::weighted_sample<Data>::supported) {
        if (options.screening_rows > 0 && data.size() > options.screening_rows) {
            sample.emplace(data, options.screening_rows);
            sample_columns = sample->columns();
        }
    }
    const Data* screen_data = sample_columns ? &*sample_columns : &data;
    auto g_screen = objective_on(*screen_data, M::total_weight(*screen_data));
    bfgs_options settle = options.optimizer;
    settle.gradient_tolerance = 1e-5;
    settle.max_iterations = std::min(settle.max_iterations, 100);

    // The first fit. On data of more than twice the subsample it starts from the subsample's
    // maximum with the subsample's inverse-Hessian approximation (the objective is per customer,
    // so its curvature carries over): BFGS then needs a few iterations on the whole data instead
    // of twenty (10^6 customers: docs/performance.md). If that fit does not converge, a fit from
    // the start itself follows and the better of the two is kept.
    Eigen::VectorXd best = theta_start;
    bfgs_report best_report;
    Eigen::MatrixXd best_hessian;
    bool warmed = false;
    // The subsample maximum the best fit started from, and its BFGS inverse-Hessian approximation.
    std::optional<std::pair<Eigen::VectorXd, Eigen::MatrixXd>> best_on_sample;
    if (sample_columns && data.size() > 2 * sample_columns->size()) {
        Eigen::VectorXd warm = theta_start;
        const bfgs_report on_sample = minimize_bfgs(g_screen, warm, settle);
        if (on_sample.converged) {
            best = warm;
            best_report = attempt(best, &on_sample.inverse_hessian);
            best_hessian = hessian;
            best_on_sample.emplace(warm, on_sample.inverse_hessian);
            warmed = true;
        }
    }
    if (!best_report.converged) {
        Eigen::VectorXd theta = theta_start;
        bfgs_report r = attempt(theta);
        if (!warmed || better(r, best_report)) {
            best = theta;
            best_report = r;
            best_hessian = hessian;
            best_on_sample.reset();
        }
    }

    // Screening of the extra starts on the subsample. The points of the design run a few BFGS
    // iterations each; the best few continue to the subsample's maximum, and so does every full
    // fit's estimate; a full fit from a candidate follows only when its subsample maximum is a
    // new one. Without a first estimate (the first fit failed) every screened point is a
    // candidate, best first.
    const auto design = detail::half_fraction_design(k, static_cast<std::size_t>(std::max(options.extra_starts, 0)));
    if (!design.empty()) {
        bfgs_options quick = options.optimizer;
        quick.max_iterations = std::max(options.screening_iterations, 1);
        std::vector<std::pair<double, Eigen::VectorXd>> screened;
        for (const auto& signs : design) {
            Eigen::VectorXd theta = theta_start;
            for (std::size_t i = 0; i < k; ++i)
                theta[static_cast<Eigen::Index>(i)] += options.extra_start_spread * signs[i];
            const bfgs_report r = minimize_bfgs(g_screen, theta, quick);
            if (std::isfinite(r.value)) screened.emplace_back(r.value, theta);
        }
        std::sort(screened.begin(), screened.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
        // Subsample maxima already reached by a full fit: a candidate that comes next to one of
        // them leads nowhere new. Next to means within 0.05 in every log-parameter, or within
        // one standard error of the subsample's estimate (Mahalanobis distance <= 1 under the
        // subsample's observed information, from BFGS's inverse-Hessian approximation there,
        // capped at 1 in every log-parameter): on a ridge of the likelihood (Pareto/NBD's s and
        // beta growing together) BFGS creeps along for dozens of iterations before it comes
        // within 0.05, although the subsample cannot tell those points apart.
        struct visited_maximum {
            Eigen::VectorXd theta;
            Eigen::MatrixXd inverse_hessian;  // BFGS's, of the per-customer objective
            Eigen::MatrixXd information;      // of the whole subsample, in log-parameters
        };
        const double sample_weight = M::total_weight(*screen_data);
        std::vector<visited_maximum> visited;
        auto visit = [&](const Eigen::VectorXd& theta, const Eigen::MatrixXd& inverse_hessian) {
            const Eigen::LLT<Eigen::MatrixXd> llt(inverse_hessian);
            visited_maximum v{theta, inverse_hessian, Eigen::MatrixXd()};
            if (llt.info() == Eigen::Success)
                v.information = sample_weight * llt.solve(Eigen::MatrixXd::Identity(kk, kk));
            visited.push_back(std::move(v));
        };
        auto remember = [&](const Eigen::VectorXd& theta) {
            Eigen::VectorXd on_sample = theta;
            const bfgs_report r = minimize_bfgs(g_screen, on_sample, settle);
            if (r.converged) visit(on_sample, r.inverse_hessian);
        };
        auto seen = [&](const Eigen::VectorXd& theta) {
            return std::any_of(visited.begin(), visited.end(), [&](const visited_maximum& v) {
                const Eigen::VectorXd d = theta - v.theta;
                const double largest = d.cwiseAbs().maxCoeff();
                if (largest <= 0.05) return true;
                return largest <= 1 && v.information.size() != 0 && d.dot(v.information * d) <= 1;
            });
        };
        // A warm-started fit's subsample maximum is known already: the point it started from.
        if (best_report.converged) {
            if (best_on_sample) visit(best_on_sample->first, best_on_sample->second);
            else remember(best);
        }
        int settled = 0;
        for (auto& [value, theta_candidate] : screened) {
            Eigen::VectorXd theta = theta_candidate;
            if (best_report.converged) {
                if (settled++ == options.promising_starts) break;
                // The subsample cannot rank maxima whose log-likelihoods differ by a few units on
                // the full data, but it does tell a different maximum from the same one. A
                // candidate that does not settle (it runs off to the edge, where the likelihood
                // may be higher than at any interior maximum; or it stops there, on a plateau
                // flat to rounding, more than e^10 from the start) is fitted too, from its
                // screened point: where the subsample's path ended the full data need not lead,
                // and some likelihoods are far dearer out there.
                // The run stops as soon as it comes within the neighbourhood of a maximum
                // already reached (BFGS only descends: from there it ends at that maximum);
                // such a candidate leads nowhere new.
                bfgs_options settle_candidate = settle;
                settle_candidate.stop_early = seen;
                // BFGS starts from the curvature of the first maximum reached, not from the
                // identity: along a ridge it then moves in long steps rather than creeping.
                const Eigen::MatrixXd* curvature = visited.empty() ? nullptr : &visited.front().inverse_hessian;
                const bfgs_report on_sample = minimize_bfgs(g_screen, theta, settle_candidate, curvature);
                if (on_sample.stopped_early) continue;
                if (!std::isfinite(on_sample.value)) continue;
                if (!on_sample.converged || (theta - theta_start).cwiseAbs().maxCoeff() > 10) {
                    theta = theta_candidate;
                } else if (seen(theta)) {
                    continue;
                }
            }
            bfgs_report r = attempt(theta);
            if (r.converged) remember(theta);
            if (better(r, best_report)) {
                best = theta;
                best_report = r;
                best_hessian = hessian;
            }
        }
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
    if constexpr (requires { M::validate(result.params); }) {
        if (result.converged) {
            try {
                M::validate(result.params);
            } catch (const std::exception& e) {
                result.converged = false;
                result.status = std::string("did not converge: the estimate is outside the model's supported range (") +
                                e.what() + "); try a penalty or more data";
            }
        }
    }

    result.std_errors.fill(std::numeric_limits<double>::quiet_NaN());
    result.covariance.setConstant(std::numeric_limits<double>::quiet_NaN());
    if (!result.converged) return result;  // no standard errors for an estimate that is not a maximum
    hessian = best_hessian;
    if (hessian.size() != 0 || detail::hessian_by_differences(f, best, hessian)) {
        hessian *= weight_total;  // the objective is per customer; the information is not
        const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eigen(hessian);
        if (eigen.info() == Eigen::Success &&
            eigen.eigenvalues().minCoeff() > 1e-12 * std::max(1.0, eigen.eigenvalues().maxCoeff())) {
            const Eigen::MatrixXd cov_log = hessian.inverse();
            Eigen::VectorXd scale(kk);
            for (std::size_t i = 0; i < k; ++i) scale[static_cast<Eigen::Index>(i)] = values[i];
            result.covariance = scale.asDiagonal() * cov_log * scale.asDiagonal();
            for (std::size_t i = 0; i < k; ++i) {
                const auto ii = static_cast<Eigen::Index>(i);
                result.std_errors[i] = std::sqrt(result.covariance(ii, ii));
            }
            result.std_errors_available = true;
        }
    }
    if (!result.std_errors_available) {
        result.status += "; the observed information is not positive definite, so no standard errors";
    } else if (options.penalty > 0) {
        result.std_errors_penalised = true;
        result.status += "; standard errors are those of the penalised objective (penalty " +
                         std::to_string(options.penalty) + "), not maximum-likelihood ones";
    }
    return result;
}

}  // namespace clv::fit
