// Checks every transaction model must pass, shared by their tests: PMFs that sum to one with the
// closed-form means, analytic gradients against finite differences, and parameter recovery.
#pragma once

#include <clv/data/customer_table.hpp>
#include <clv/fit/maximum_likelihood.hpp>

#include <boost/math/quadrature/exp_sinh.hpp>
#include <boost/math/quadrature/tanh_sinh.hpp>
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <array>
#include <random>
#include <vector>

namespace clv_test {

/// Brute force of the BG/NBD (Modified = false; FHL 2005 section 3) and MBG/NBD (Modified = true;
/// Batislam et al. 2007) definitions: the individual-level likelihood
///   BG/NBD:  L = (1-p)^x lambda^x e^(-lambda T) + [x>0] p (1-p)^(x-1) lambda^x e^(-lambda t_x)
///   MBG/NBD: L = (1-p)^(x+1) lambda^x e^(-lambda T) + p (1-p)^x lambda^x e^(-lambda t_x)
/// integrated against Gamma(r, alpha) x Beta(a, b) by nested quadrature. `future(lambda, p)` is a
/// quantity given lambda, p and "alive at T"; returns E[future * 1{alive} | history].
template <bool Modified, class Params, class Future>
double brute_force_alive_expectation(const Params& p, double x, double t_x, double T, Future&& future) {
    boost::math::quadrature::tanh_sinh<double> over_p;
    boost::math::quadrature::exp_sinh<double> over_lambda;
    auto log_prior = [&](double l, double q) {
        return p.r * std::log(p.alpha) + (p.r - 1) * std::log(l) - p.alpha * l - std::lgamma(p.r) +
               (p.a - 1) * std::log(q) + (p.b - 1) * std::log1p(-q) + std::lgamma(p.a + p.b) - std::lgamma(p.a) -
               std::lgamma(p.b);
    };
    auto integrate = [&](auto&& g) {
        return over_p.integrate([&](double q) {
            if (!(q > 0 && q < 1)) return 0.0;
            return over_lambda.integrate([&](double l) { return l > 0 ? g(l, q) : 0.0; }, 1e-12);
        }, 0.0, 1.0, 1e-11);
    };
    const double m = Modified ? 1 : 0;
    auto alive_part = [&](double l, double q) {
        return std::exp(log_prior(l, q) + (x + m) * std::log1p(-q) + x * std::log(l) - l * T);
    };
    auto dead_part = [&](double l, double q) {
        if (!Modified && x == 0) return 0.0;
        return std::exp(log_prior(l, q) + std::log(q) + (x - 1 + m) * std::log1p(-q) + x * std::log(l) - l * t_x);
    };
    const double evidence = integrate([&](double l, double q) { return alive_part(l, q) + dead_part(l, q); });
    return integrate([&](double l, double q) { return alive_part(l, q) * future(l, q); }) / evidence;
}

/// sum_n P(X(t) = n) = 1 and sum_n n P(X(t) = n) = E[X(t)], for a new customer and, given the
/// history (x, t_x, T), for the conditional forms; tolerances `total` and `mean` relative.
template <class Model>
void check_pmf_consistency(const Model& m, double x, double t_x, double T, std::initializer_list<double> horizons,
                           double total_tolerance = 1e-12, double mean_tolerance = 1e-10) {
    for (double t : horizons) {
        CAPTURE(t);
        double total = 0, mean = 0, c_total = 0, c_mean = 0;
        for (unsigned n = 0; n < 4000; ++n) {
            const double pn = m.probability_of_n(n, t), cn = m.conditional_probability_of_n(n, t, x, t_x, T);
            total += pn;
            mean += n * pn;
            c_total += cn;
            c_mean += n * cn;
            if (n > 20 && pn < 1e-18 * total && cn < 1e-18 * c_total) break;
        }
        CHECK(total == doctest::Approx(1.0).epsilon(total_tolerance));
        CHECK(mean == doctest::Approx(m.expected_transactions(t)).epsilon(mean_tolerance));
        CHECK(c_total == doctest::Approx(1.0).epsilon(total_tolerance));
        CHECK(c_mean == doctest::Approx(m.conditional_expected_transactions(t, x, t_x, T)).epsilon(mean_tolerance));
    }
}

/// The analytic gradient of the summed log-likelihood in log-parameters against a
/// Richardson-extrapolated central difference (error O(h^4)), relative tolerance 1e-6.
template <class Model>
void check_gradient(const typename Model::params& p, const clv::transaction_columns& data) {
    std::array<double, 4> g{};
    const double ll = Model::log_likelihood_with_gradient(p, data, g);
    REQUIRE(std::isfinite(ll));
    for (std::size_t j = 0; j < Model::parameter_count; ++j) {
        auto at = [&](double step) {
            auto v = Model::to_array(p);
            v[j] = std::exp(std::log(v[j]) + step);
            std::array<double, 4> unused{};
            return Model::log_likelihood_with_gradient(Model::from_array(v), data, unused);
        };
        const double h = 1e-3;
        const double fd = (4 * (at(h / 2) - at(-h / 2)) / h - (at(h) - at(-h)) / (2 * h)) / 3;
        CAPTURE(j);
        CHECK(std::abs(g[j] - fd) <= 1e-6 * std::max(std::abs(g[j]), 1.0));
    }
}

template <class Model>
void check_parameter_recovery(const typename Model::params& truth, std::uint64_t seed, double min_age,
                              double max_age, double holdout) {
    const Model model(truth);
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> age(min_age, max_age);
    std::vector<double> ages(100000);
    for (double& a : ages) a = age(rng);
    const clv::customer_table table = model.simulate(ages, holdout, rng);
    REQUIRE(table.size() == ages.size());
    REQUIRE(table.has_holdout());
    table.validate();
    const auto fit = Model::fit(table.columns());
    REQUIRE(fit.converged);
    REQUIRE(fit.std_errors_available);
    const auto estimate = Model::to_array(fit.params), want = Model::to_array(truth);
    for (std::size_t i = 0; i < Model::parameter_count; ++i) {
        CHECK_MESSAGE(std::abs(estimate[i] - want[i]) <= 3 * fit.std_errors[i],
                      Model::parameter_names[i] << ": " << estimate[i] << " vs " << want[i] << " (SE "
                                                << fit.std_errors[i] << ")");
    }
    const Model fitted(fit.params);
    double predicted = 0, observed = 0, observed_sq = 0;
    for (std::size_t i = 0; i < table.size(); ++i) {
        predicted += fitted.conditional_expected_transactions(holdout, table.frequency[i], table.recency[i], table.T[i]);
        observed += table.frequency_holdout[i];
        observed_sq += table.frequency_holdout[i] * table.frequency_holdout[i];
    }
    // 4 standard deviations of the simulated total (Var X <= E X^2 per customer), which dominates
    // the estimation error of the prediction at this sample size.
    CHECK(std::abs(predicted - observed) <= 4 * std::sqrt(observed_sq));
    MESSAGE(Model::name << ": holdout transactions predicted " << predicted << ", simulated " << observed);
}

/// A simulation with a holdout fills every holdout column it creates, one entry per customer.
template <class Model>
void check_simulation_fills_holdout(const typename Model::params& p) {
    std::mt19937_64 rng(3);
    const std::vector<double> ages{10, 20, 30};
    const auto table = Model(p).simulate(ages, 5, rng);
    CHECK(table.monetary_value_holdout.size() == 3);
    CHECK(table.frequency_holdout.size() == 3);
    CHECK(table.duration_holdout.size() == 3);
    CHECK_NOTHROW(table.validate());
}

/// A penalised fit must not depend on the unit of time: the same simulated customers in weeks and
/// in days (recency and T times 7) give the same dimensionless parameters, time scales 7 times
/// larger (`is_time_scale`), and the same P(alive) for every customer.
template <class Model>
void check_penalty_is_unit_free(const typename Model::params& truth, const std::array<bool, 4>& is_time_scale,
                                std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> age(13, 78);
    std::vector<double> ages(2000);
    for (double& a : ages) a = age(rng);
    const clv::customer_table weeks = Model(truth).simulate(ages, 0, rng);
    clv::customer_table days = weeks;
    for (std::size_t i = 0; i < days.size(); ++i) {
        days.recency[i] *= 7;
        days.T[i] *= 7;
    }
    clv::fit::fit_options options;
    options.penalty = 0.05;
    const auto in_weeks = Model::fit(weeks.columns(), options), in_days = Model::fit(days.columns(), options);
    REQUIRE(in_weeks.converged);
    REQUIRE(in_days.converged);
    const auto w = Model::to_array(in_weeks.params), d = Model::to_array(in_days.params);
    for (std::size_t i = 0; i < 4; ++i) {
        CAPTURE(Model::parameter_names[i]);
        CHECK(d[i] == doctest::Approx(w[i] * (is_time_scale[i] ? 7.0 : 1.0)).epsilon(1e-6));
    }
    const Model mw(in_weeks.params), md(in_days.params);
    for (std::size_t i = 0; i < weeks.size(); i += 97)
        CHECK(md.probability_alive(days.frequency[i], days.recency[i], days.T[i]) ==
              doctest::Approx(mw.probability_alive(weeks.frequency[i], weeks.recency[i], weeks.T[i])).epsilon(1e-6));
    // Times 7 times longer make each of the x purchase-time densities 7 times thinner.
    double purchases = 0;
    for (double x : weeks.frequency) purchases += x;
    CHECK(in_days.log_likelihood == doctest::Approx(in_weeks.log_likelihood - purchases * std::log(7.0)).epsilon(1e-9));
}

}  // namespace clv_test
