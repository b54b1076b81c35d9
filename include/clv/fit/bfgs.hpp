// A small quasi-Newton minimiser: BFGS with a strong-Wolfe line search (Nocedal & Wright,
// "Numerical Optimization", 2nd ed., Algorithms 3.5, 3.6 and 6.1). Written for the handful of
// log-parameters of a CLV model: dense inverse-Hessian, Eigen vectors, no allocation per step
// beyond a few small vectors. Trial points where the objective is not finite are treated as
// "too far" and the step is shortened, so a model's likelihood may return +inf/NaN freely.
#pragma once

#include <Eigen/Dense>

#include <cmath>
#include <functional>
#include <limits>
#include <stdexcept>
#include <string>

namespace clv::fit {

/// Settings of the minimiser, checked by `check()`.
struct bfgs_options {
    double gradient_tolerance = 1e-9;    ///< stop when max |gradient| <= this (objective is per customer)
    double relative_tolerance = 1e-15;   ///< stop when |f_k - f_{k+1}| <= this * max(1, |f|) and gradient small
    double stalled_gradient = 1e-5;      ///< the "gradient small" above: a stall is only success below this
    int max_iterations = 500;
    int max_line_search = 40;
    double max_step = 2.0;               ///< longest step, in log-parameter units, of one iteration
    double wolfe_c1 = 1e-4;              ///< sufficient decrease (Armijo) constant
    double wolfe_c2 = 0.9;               ///< curvature constant (0.9 is the usual quasi-Newton choice)
    /// Asked after every iteration with the new point: true stops the run there, not converged
    /// (`bfgs_report::stopped_early`). The fit layer stops a screened start once it enters the
    /// neighbourhood of a maximum already found.
    std::function<bool(const Eigen::VectorXd&)> stop_early;

    void check() const {
        if (!(gradient_tolerance > 0)) throw std::invalid_argument("bfgs_options: gradient_tolerance must be > 0");
        if (!(relative_tolerance >= 0)) throw std::invalid_argument("bfgs_options: relative_tolerance must be >= 0");
        if (max_iterations <= 0) throw std::invalid_argument("bfgs_options: max_iterations must be > 0");
        if (max_line_search <= 0) throw std::invalid_argument("bfgs_options: max_line_search must be > 0");
        if (!(max_step > 0)) throw std::invalid_argument("bfgs_options: max_step must be > 0");
        if (!(wolfe_c1 > 0 && wolfe_c1 < wolfe_c2 && wolfe_c2 < 1))
            throw std::invalid_argument("bfgs_options: need 0 < wolfe_c1 < wolfe_c2 < 1");
    }
};

/// What the minimiser did.
struct bfgs_report {
    bool converged = false;
    std::string status;        ///< why it stopped, in words
    int iterations = 0;
    int evaluations = 0;
    bool stopped_early = false;  ///< bfgs_options::stop_early said so
    double gradient_norm = std::numeric_limits<double>::quiet_NaN();  ///< max |gradient| at the end
    double value = std::numeric_limits<double>::quiet_NaN();
    /// The final inverse-Hessian approximation: a warm start for a related problem (the same
    /// objective on more data) continues from it instead of from the identity.
    Eigen::MatrixXd inverse_hessian;
};

/// Minimises `f`, a callable `double f(const Eigen::VectorXd& x, Eigen::VectorXd& gradient)`,
/// starting from `x` (overwritten with the minimiser). Non-finite values mean "infeasible".
/// `initial_inverse_hessian`, when given (x.size() square, positive definite), replaces the
/// scaled identity as the first inverse-Hessian approximation.
template <class Objective>
bfgs_report minimize_bfgs(Objective&& f, Eigen::VectorXd& x, const bfgs_options& options = {},
                          const Eigen::MatrixXd* initial_inverse_hessian = nullptr) {
    options.check();
    const Eigen::Index n = x.size();
    bfgs_report report;
    Eigen::VectorXd g(n), g_new(n), x_new(n), p(n), s(n), y(n);
    double fx = f(x, g);
    report.evaluations = 1;
    if (!std::isfinite(fx) || !g.allFinite()) {
        report.status = "the objective is not finite at the starting point";
        return report;
    }
    const bool warm = initial_inverse_hessian && initial_inverse_hessian->rows() == n &&
                      initial_inverse_hessian->cols() == n && initial_inverse_hessian->allFinite();
    // The inverse Hessian approximation; report.inverse_hessian aliases it on every return.
    Eigen::MatrixXd& H = report.inverse_hessian;
    H = warm ? *initial_inverse_hessian : Eigen::MatrixXd::Identity(n, n);
    bool scaled = warm;

    for (int k = 0; k < options.max_iterations; ++k) {
        report.iterations = k;
        report.gradient_norm = g.cwiseAbs().maxCoeff();
        report.value = fx;
        if (report.gradient_norm <= options.gradient_tolerance) {
            report.converged = true;
            report.status = "converged: gradient below tolerance";
            return report;
        }
        p = -H * g;
        double slope = g.dot(p);
        if (!(slope < 0)) {  // not a descent direction: restart from steepest descent
            H.setIdentity();
            p = -g;
            slope = g.dot(p);
        }
        const double longest = p.cwiseAbs().maxCoeff();
        double alpha_max_first = longest > options.max_step ? options.max_step / longest : 1.0;

        // Strong-Wolfe line search (N&W Algorithm 3.5) with zoom (Algorithm 3.6).
        auto phi = [&](double alpha, Eigen::VectorXd& grad) {
            x_new = x + alpha * p;
            ++report.evaluations;
            const double v = f(x_new, grad);
            return (std::isfinite(v) && grad.allFinite()) ? v : std::numeric_limits<double>::infinity();
        };
        double alpha_prev = 0, f_prev = fx, d_prev = slope;
        double alpha = alpha_max_first;
        double accepted = -1, f_acc = 0;
        Eigen::VectorXd g_acc(n);
        auto zoom = [&](double lo, double f_lo, double d_lo, double hi, double f_hi, double d_hi) {
            for (int j = 0; j < options.max_line_search; ++j) {
                double trial;
                const double width = hi - lo;
                if (std::isfinite(f_hi) && std::isfinite(d_hi)) {  // safeguarded cubic interpolation
                    const double d1 = d_lo + d_hi - 3 * (f_lo - f_hi) / (lo - hi);
                    const double disc = d1 * d1 - d_lo * d_hi;
                    const double d2 = (hi > lo ? 1.0 : -1.0) * std::sqrt(std::max(disc, 0.0));
                    trial = hi - (hi - lo) * (d_hi + d2 - d1) / (d_hi - d_lo + 2 * d2);
                    const double a = std::min(lo, hi) + 0.1 * std::abs(width);
                    const double b = std::max(lo, hi) - 0.1 * std::abs(width);
                    if (!std::isfinite(trial) || trial < a || trial > b) trial = 0.5 * (lo + hi);
                } else {
                    trial = 0.5 * (lo + hi);
                }
                const double f_t = phi(trial, g_new);
                const double d_t = std::isfinite(f_t) ? g_new.dot(p) : std::numeric_limits<double>::quiet_NaN();
                if (!std::isfinite(f_t) || f_t > fx + options.wolfe_c1 * trial * slope || f_t >= f_lo) {
                    hi = trial; f_hi = f_t; d_hi = d_t;
                } else {
                    if (std::abs(d_t) <= -options.wolfe_c2 * slope) {
                        accepted = trial; f_acc = f_t; g_acc = g_new;
                        return;
                    }
                    if (d_t * (hi - lo) >= 0) { hi = lo; f_hi = f_lo; d_hi = d_lo; }
                    lo = trial; f_lo = f_t; d_lo = d_t;
                    accepted = trial; f_acc = f_t; g_acc = g_new;  // best so far satisfies Armijo
                }
                if (std::abs(hi - lo) <= 1e-16 * std::max(1.0, std::abs(lo))) return;
            }
        };
        for (int j = 0; j < options.max_line_search; ++j) {
            const double f_a = phi(alpha, g_new);
            const double d_a = std::isfinite(f_a) ? g_new.dot(p) : std::numeric_limits<double>::quiet_NaN();
            if (!std::isfinite(f_a) || f_a > fx + options.wolfe_c1 * alpha * slope || (j > 0 && f_a >= f_prev)) {
                zoom(alpha_prev, f_prev, d_prev, alpha, f_a, d_a);
                break;
            }
            if (std::abs(d_a) <= -options.wolfe_c2 * slope) {
                accepted = alpha; f_acc = f_a; g_acc = g_new;
                break;
            }
            if (d_a >= 0) {
                zoom(alpha, f_a, d_a, alpha_prev, f_prev, d_prev);
                break;
            }
            // Still descending at a point that satisfies Armijo: remember it and try further.
            accepted = alpha; f_acc = f_a; g_acc = g_new;
            alpha_prev = alpha; f_prev = f_a; d_prev = d_a;
            alpha = std::min(2 * alpha, 4 * alpha_max_first);
            if (alpha == alpha_prev) break;
        }
        if (accepted <= 0) {
            report.status = report.gradient_norm <= options.stalled_gradient
                ? "converged: no further decrease possible at machine precision"
                : "line search failed: no step decreases the objective";
            report.converged = report.gradient_norm <= options.stalled_gradient;
            return report;
        }

        s = accepted * p;
        y = g_acc - g;
        const double f_old = fx;
        x += s;
        fx = f_acc;
        g = g_acc;
        const double sy = s.dot(y);
        if (sy > 1e-12 * s.norm() * y.norm()) {  // keep H positive definite: skip bad curvature pairs
            if (!scaled) {  // N&W eq. 6.20: scale the first approximation
                H *= sy / y.squaredNorm();
                scaled = true;
            }
            const double rho = 1.0 / sy;
            const Eigen::VectorXd Hy = H * y;
            H += rho * ((1 + rho * y.dot(Hy)) * (s * s.transpose()) - (Hy * s.transpose() + s * Hy.transpose()));
        }
        const bool stalled = std::abs(f_old - fx) <= options.relative_tolerance * std::max(1.0, std::abs(fx)) &&
                             g.cwiseAbs().maxCoeff() <= options.stalled_gradient;
        const bool stop = !stalled && options.stop_early && options.stop_early(x);
        if (stalled || stop) {
            report.iterations = k + 1;
            report.gradient_norm = g.cwiseAbs().maxCoeff();
            report.value = fx;
            report.converged = stalled;
            report.stopped_early = stop;
            report.status = stalled ? "converged: objective no longer changes" : "stopped early at the caller's request";
            return report;
        }
    }
    report.iterations = options.max_iterations;
    report.gradient_norm = g.cwiseAbs().maxCoeff();
    report.value = fx;
    report.status = "did not converge: iteration limit " + std::to_string(options.max_iterations) + " reached";
    return report;
}

}  // namespace clv::fit
