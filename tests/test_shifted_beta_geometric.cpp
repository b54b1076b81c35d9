// sBG: the published cohorts of Fader & Hardie (2007), closed forms computed here with std::lgamma,
// brute-force discounted sums, Boost's hypergeometric_pFq and the model at cpp_bin_float_50 as
// oracles, finite differences, and parameter recovery on simulated customers.
#include <clv/models/shifted_beta_geometric.hpp>

#include <boost/math/quadrature/tanh_sinh.hpp>
#include <boost/math/special_functions/hypergeometric_pFq.hpp>
#include <boost/multiprecision/cpp_bin_float.hpp>
#include <doctest/doctest.h>

#include <array>
#include <cmath>
#include <random>
#include <string>
#include <vector>

namespace {

using model = clv::shifted_beta_geometric<>;
using big = boost::multiprecision::cpp_bin_float_50;

// FH 2007 Table 1 / REFERENCES.md: customers active at the start of years 0..12, per 1000 acquired.
const std::vector<double> regular_all{1000, 631, 468, 382, 326, 289, 262, 241, 223, 207, 194, 183, 173};
const std::vector<double> high_end_all{1000, 869, 743, 653, 593, 551, 517, 491, 468, 445, 427, 409, 394};

// Independent closed forms (FH 2007 eqs. 6, 7) with std::lgamma.
double log_beta(double a, double b) { return std::lgamma(a) + std::lgamma(b) - std::lgamma(a + b); }
double survival_closed(double a, double b, double t) { return std::exp(log_beta(a, b + t) - log_beta(a, b)); }
double churn_closed(double a, double b, double t) { return std::exp(log_beta(a + 1, b + t - 1) - log_beta(a, b)); }

std::string error_of(auto&& f) {
    try {
        f();
    } catch (const clv::invalid_input& e) {
        return e.what();
    }
    return "no error";
}

}  // namespace

TEST_CASE("sBG fit on FH 2007's regular and high-end cohorts (years 0..7) reproduces the published estimates") {
    struct cohort {
        const char* name;
        const std::vector<double>& all;
        double alpha, beta, max_forecast_error;
    };
    // Forecast tolerance: the regular cohort is tracked within 4 customers per 1000; the high-end one
    // drifts below the actual counts (16 of 394 by year 12), so 5 % there.
    for (const cohort& c : {cohort{"regular", regular_all, 0.704, 1.182, 4.0}, cohort{"high end", high_end_all, 0.668, 3.806, -0.05}}) {
        CAPTURE(std::string(c.name));
        const std::vector<double> calibration(c.all.begin(), c.all.begin() + 8);
        const auto table = clv::cohort_counts_table(calibration, c.name);
        const auto fit = model::fit(table.columns());
        REQUIRE(fit.converged);
        CHECK(std::abs(fit.params.alpha - c.alpha) <= 5e-4);
        CHECK(std::abs(fit.params.beta - c.beta) <= 5e-4);
        CHECK(fit.std_errors_available);
        CHECK(fit.n_customers == 1000);
        const model m(fit.params);
        for (int year = 8; year <= 12; ++year) {
            CAPTURE(year);
            const double forecast = 1000 * m.survival(year), actual = c.all[static_cast<std::size_t>(year)];
            const double tolerance = c.max_forecast_error > 0 ? c.max_forecast_error : -c.max_forecast_error * actual;
            CHECK(std::abs(forecast - actual) <= tolerance);
        }
        MESSAGE(c.name << ": alpha=" << fit.params.alpha << " beta=" << fit.params.beta << " LL=" << fit.log_likelihood
                       << " S(12)*1000=" << 1000 * m.survival(12));
    }
}

TEST_CASE("sBG likelihood of cohort counts is FH 2007 eq. 9 summed over the records") {
    const model::params p{0.704, 1.182};
    const std::vector<double> counts(regular_all.begin(), regular_all.begin() + 8);
    // Eq. 9 written out: sum_t n_t log P(T = t) + n_7 log S(7), with the closed forms above.
    double direct = 0;
    for (std::size_t t = 1; t < counts.size(); ++t)
        direct += (counts[t - 1] - counts[t]) * std::log(churn_closed(p.alpha, p.beta, static_cast<double>(t)));
    direct += counts.back() * std::log(survival_closed(p.alpha, p.beta, 7));
    const model m(p);
    const auto table = clv::cohort_counts_table(counts);
    CHECK(m.log_likelihood(table.columns()) == doctest::Approx(direct).epsilon(1e-13));
    // The same customers one row each give the same total as the weighted rows.
    double per_record = 0;
    for (std::size_t i = 0; i < table.size(); ++i) {
        const auto row = table.row(i);
        for (int k = 0; k < static_cast<int>(row.weight); ++k) per_record += m.log_likelihood(clv::contractual_row{row.tenure, row.churned, 1});
    }
    CHECK(per_record == doctest::Approx(direct).epsilon(1e-12));
    // Tenures beyond the recurrence table (100,000) use the Gamma-function form.
    const std::vector<double> tenure{3, 40, 250000, 250001, 99999, 1e7}, churned{1, 0, 1, 0, 1, 0}, weight{2, 1, 1, 3, 1, 1};
    double expected = 0;
    for (std::size_t i = 0; i < tenure.size(); ++i)
        expected += weight[i] * std::log(churned[i] ? churn_closed(p.alpha, p.beta, tenure[i]) : survival_closed(p.alpha, p.beta, tenure[i]));
    CHECK(m.log_likelihood(clv::contractual_columns{tenure, churned, weight}) == doctest::Approx(expected).epsilon(1e-10));
}

TEST_CASE("sBG survival, churn and retention agree with the closed forms and with each other") {
    for (const model::params p : {model::params{0.704, 1.182}, model::params{0.668, 3.806}, model::params{3.5, 0.2},
                                  model::params{0.05, 40}}) {
        const model m(p);
        CAPTURE(p.alpha);
        CHECK(m.survival(0) == 1.0);
        double churned = 0;
        for (double t = 1; t <= 200; ++t) {
            churned += m.churn_probability(t);
            CHECK(m.survival(t) == doctest::Approx(survival_closed(p.alpha, p.beta, t)).epsilon(1e-12));
            CHECK(m.churn_probability(t) == doctest::Approx(churn_closed(p.alpha, p.beta, t)).epsilon(1e-12));
            CHECK(1 - m.survival(t) == doctest::Approx(churned).epsilon(1e-12));  // sum of P(T = t) = 1 - S(t)
            CHECK(m.retention_rate(t) == doctest::Approx(m.survival(t) / m.survival(t - 1)).epsilon(1e-13));
        }
        const auto curve = m.retention_curve(12);
        REQUIRE(curve.size() == 12);
        for (const auto& point : curve) {
            CHECK(point.survival == m.survival(point.period));
            CHECK(point.churn == m.churn_probability(point.period));
            CHECK(point.retention == m.retention_rate(point.period));
        }
        CHECK(m.retention_curve(0).empty());
        for (double n : {0.0, 1.0, 7.0, 50.0})
            for (double k : {0.0, 1.0, 5.0, 40.0})
                CHECK(m.conditional_survival(n, k) == doctest::Approx(m.survival(n + k) / m.survival(n)).epsilon(1e-12));
    }
}

TEST_CASE("sBG DEL and DERL equal brute-force discounted sums of the survival function (FH 2010)") {
    for (const model::params p : {model::params{0.704, 1.182}, model::params{0.668, 3.806}, model::params{2.5, 0.7},
                                  model::params{0.3, 12}}) {
        const model m(p);
        for (double d : {0.01, 0.1, 0.25, 2.0}) {
            CAPTURE(p.alpha);
            CAPTURE(d);
            const double x = 1 / (1 + d);
            // DEL = sum_{t>=0} S(t) x^t; DERL(n) = sum_{t>=n+1} S(t)/S(n) x^(t-n-1).
            auto discounted_sum = [&](double n) {
                double total = 0;
                for (double t = n + 1;; ++t) {
                    const double term = survival_closed(p.alpha, p.beta, t) / survival_closed(p.alpha, p.beta, n) * std::pow(x, t - n - 1);
                    total += term;
                    if (term < 1e-18 * total) break;
                }
                return total;
            };
            double del = 0;
            for (double t = 0;; ++t) {
                const double term = survival_closed(p.alpha, p.beta, t) * std::pow(x, t);
                del += term;
                if (term < 1e-18 * del) break;
            }
            CHECK(m.discounted_expected_lifetime(d) == doctest::Approx(del).epsilon(1e-10));
            for (double n : {0.0, 1.0, 6.0, 30.0})
                CHECK(m.discounted_expected_residual_lifetime(d, n) == doctest::Approx(discounted_sum(n)).epsilon(1e-10));
            CHECK(m.discounted_expected_lifetime(d) == doctest::Approx(1 + x * m.discounted_expected_residual_lifetime(d, 0)).epsilon(1e-13));
            // As a valuation retention part: margins at the end of future periods k paid with
            // conditional_survival(n, k) sum to DERL / (1 + d).
            double end_of_period = 0;
            for (double k = 1; k < 20000; ++k) end_of_period += m.conditional_survival(6, k) * std::pow(x, k);
            CHECK(end_of_period == doctest::Approx(m.discounted_expected_residual_lifetime(d, 6) * x).epsilon(1e-9));
        }
    }
}

TEST_CASE("sBG lifetimes without discounting are E[1/theta]-type integrals; infinite ones are refused") {
    boost::math::quadrature::tanh_sinh<double> integrator;
    for (const model::params p : {model::params{1.5, 0.8}, model::params{4.0, 10.0}}) {
        const model m(p);
        // E[T] = E[1/theta] and residual lifetime after n renewals = E[(1 - theta)/theta | theta ~ Beta(alpha, beta + n)].
        auto posterior_mean = [&](double n, auto g) {
            return integrator.integrate([&](double th) {
                return g(th) * std::exp((p.alpha - 1) * std::log(th) + (p.beta + n - 1) * std::log1p(-th) - log_beta(p.alpha, p.beta + n));
            }, 0.0, 1.0, 1e-12);
        };
        CHECK(m.expected_lifetime() == doctest::Approx(posterior_mean(0, [](double th) { return 1 / th; })).epsilon(1e-9));
        CHECK(m.discounted_expected_lifetime(0) == m.expected_lifetime());
        for (double n : {0.0, 3.0, 20.0})
            CHECK(m.discounted_expected_residual_lifetime(0.0, n) ==
                  doctest::Approx(posterior_mean(n, [](double th) { return (1 - th) / th; })).epsilon(1e-9));
        // Discounting lowers the residual lifetime.
        CHECK(m.discounted_expected_residual_lifetime(1e-3, 3) < m.discounted_expected_residual_lifetime(0.0, 3));
    }
    const model heavy({0.704, 1.182});
    CHECK(error_of([&] { (void)heavy.expected_lifetime(); }).find("field 'alpha'") != std::string::npos);
    CHECK(error_of([&] { (void)heavy.expected_lifetime(); }).find("infinite when alpha <= 1") != std::string::npos);
    CHECK(error_of([&] { (void)heavy.discounted_expected_residual_lifetime(0.0, 2); }).find("infinite") != std::string::npos);
    CHECK(std::isfinite(heavy.discounted_expected_residual_lifetime(1e-6, 2)));
}

TEST_CASE("sBG DERL agrees with Boost's hypergeometric_pFq and the model itself at cpp_bin_float_50") {
    using big_model = clv::shifted_beta_geometric<big>;
    double worst = 0;
    for (const model::params p : {model::params{0.704, 1.182}, model::params{0.02, 0.5}, model::params{7.0, 0.05},
                                  model::params{1.0, 1.0}, model::params{300, 2000}}) {
        const model m(p);
        const big_model oracle({big(p.alpha), big(p.beta)});
        for (double d : {0.01, 0.1, 1.0, 10.0}) {
            for (double n : {0.0, 1.0, 11.0, 1000.0}) {
                CAPTURE(p.alpha);
                CAPTURE(d);
                CAPTURE(n);
                const big x = 1 / (1 + big(d));
                const big b = big(p.beta) + n + 1, c = big(p.alpha) + big(p.beta) + n + 1;
                const big pfq = (b - 1) / (c - 1) * boost::math::hypergeometric_pFq({big(1), b}, {c}, x);
                const big mine = oracle.discounted_expected_residual_lifetime(big(d), n);
                CHECK(static_cast<double>(abs(mine / pfq - 1)) < 1e-30);
                const double relative = std::abs(m.discounted_expected_residual_lifetime(d, n) / static_cast<double>(pfq) - 1);
                worst = std::max(worst, relative);
                CHECK(relative < 1e-12);
            }
        }
    }
    MESSAGE("worst relative difference of double DERL vs 50-digit hypergeometric_pFq: " << worst);
}

TEST_CASE("sBG DERL at small discount rates equals the posterior expectation of the geometric annuity") {
    // Given theta, the residual lifetime discounted at x = 1/(1+d) is sum_k (1-theta)^(k+1) x^k =
    // (1+d)(1-theta)/(d+theta); DERL averages it over theta ~ Beta(alpha, beta + n) (FH 2010 section 3).
    boost::math::quadrature::tanh_sinh<double> integrator;
    for (const model::params p : {model::params{0.5, 2.0}, model::params{1.0, 2.0}, model::params{1.5, 0.3}}) {
        const model m(p);
        for (double d : {1e-2, 1e-4, 1e-6}) {
            for (double n : {0.0, 5.0}) {
                CAPTURE(p.alpha);
                CAPTURE(d);
                CAPTURE(n);
                const double b = p.beta + n;
                const double expected = integrator.integrate([&](double th) {
                    return (1 + d) * (1 - th) / (d + th) *
                           std::exp((p.alpha - 1) * std::log(th) + (b - 1) * std::log1p(-th) - log_beta(p.alpha, b));
                }, 0.0, 1.0, 1e-13);
                CHECK(m.discounted_expected_residual_lifetime(d, n) == doctest::Approx(expected).epsilon(1e-9));
            }
        }
    }
}

TEST_CASE("sBG survival stays accurate and in range at extreme parameters and long tenures (50-digit oracle)") {
    using big_model = clv::shifted_beta_geometric<big>;
    double worst = 0;
    for (double alpha : {1e-8, 1e-3, 0.7, 30.0, 1e5, 1e12}) {
        for (double beta : {1e-8, 0.2, 4.0, 1e6, 1e15}) {
            const model m({alpha, beta});
            const big_model oracle({big(alpha), big(beta)});
            double previous = 1;
            for (double t : {1.0, 2.0, 31.0, 33.0, 1000.0, 1e6, 1e12}) {
                CAPTURE(alpha);
                CAPTURE(beta);
                CAPTURE(t);
                const double s = m.survival(t), c = m.churn_probability(t), r = m.retention_rate(t);
                CHECK((s >= 0 && s <= previous));
                CHECK((c >= 0 && c <= 1 && r >= 0 && r <= 1));
                previous = s;
                const big exact = oracle.survival(t);  // log-Gamma at 50 digits: no cancellation left
                if (exact > big(1e-300)) {
                    const double relative = static_cast<double>(abs(big(s) / exact - 1));
                    worst = std::max(worst, relative);
                    CHECK(relative < 1e-9);
                }
            }
        }
    }
    MESSAGE("worst relative difference of double S(t) vs cpp_bin_float_50: " << worst);
    // The largest accepted parameters still give finite predictions.
    const model huge({1e300, 1e300});
    CHECK(huge.survival(3) == doctest::Approx(0.125).epsilon(1e-12));
    CHECK(std::isfinite(huge.discounted_expected_residual_lifetime(0.1, 5)));
}

TEST_CASE("sBG analytic gradient matches central differences, also at extreme parameters and long tenures") {
    const std::vector<double> tenure{1, 2, 7, 7, 32, 33, 500, 200000, 3e6};
    const std::vector<double> churned{1, 1, 1, 0, 1, 0, 1, 0, 1};
    const std::vector<double> weight{369, 163, 21, 241, 2, 1, 1, 1, 1};
    const clv::contractual_columns data{tenure, churned, weight};
    for (const model::params p : {model::params{0.704, 1.182}, model::params{1e-4, 3.0}, model::params{50.0, 1e-3},
                                  model::params{2e6, 5e7}, model::params{0.3, 1e9}}) {
        std::array<double, 2> g{};
        const double ll = model::log_likelihood_with_gradient(p, data, g);
        REQUIRE(std::isfinite(ll));
        CHECK(ll == doctest::Approx(model(p).log_likelihood(data)).epsilon(1e-14));
        for (std::size_t j = 0; j < 2; ++j) {
            auto at = [&](double step) {
                auto v = model::to_array(p);
                v[j] = std::exp(std::log(v[j]) + step);
                std::array<double, 2> unused{};
                return model::log_likelihood_with_gradient(model::from_array(v), data, unused);
            };
            const double h = 1e-3;
            const double fd = (4 * (at(h / 2) - at(-h / 2)) / h - (at(h) - at(-h)) / (2 * h)) / 3;
            CAPTURE(p.alpha);
            CAPTURE(p.beta);
            CAPTURE(j);
            CHECK(std::abs(g[j] - fd) <= 1e-6 * std::max(std::abs(g[j]), 1.0));
        }
    }
}

TEST_CASE("sBG recovers its parameters from simulated customers (within 3 standard errors)") {
    std::mt19937_64 rng(20240611);
    for (const model::params truth : {model::params{0.704, 1.182}, model::params{2.5, 9.0}}) {
        const model m(truth);
        std::uniform_int_distribution<int> age(1, 24);
        std::vector<double> observed(20000);
        for (double& o : observed) o = age(rng);
        const auto table = m.simulate(observed, rng);
        REQUIRE(table.size() == observed.size());
        table.validate();
        const auto fit = model::fit(table.columns());
        REQUIRE_MESSAGE(fit.converged, fit.status);
        REQUIRE(fit.std_errors_available);
        CHECK_MESSAGE(std::abs(fit.params.alpha - truth.alpha) <= 3 * fit.std_errors[0],
                      "alpha " << fit.params.alpha << " vs " << truth.alpha << " (SE " << fit.std_errors[0] << ")");
        CHECK_MESSAGE(std::abs(fit.params.beta - truth.beta) <= 3 * fit.std_errors[1],
                      "beta " << fit.params.beta << " vs " << truth.beta << " (SE " << fit.std_errors[1] << ")");
        // The simulated share still active after 1 period among customers observed for >= 1 agrees with S(1).
        double churned_first = 0;
        for (std::size_t i = 0; i < table.size(); ++i) churned_first += table.churned[i] == 1 && table.tenure[i] == 1;
        const double share = churned_first / static_cast<double>(table.size()), expected = m.churn_probability(1);
        CHECK(std::abs(share - expected) <= 4 * std::sqrt(expected * (1 - expected) / static_cast<double>(table.size())));
    }
}

TEST_CASE("sBG DERL of a record: an active record of tenure t has renewed t times; a cancelled one is worth 0") {
    const model m({0.668, 3.806});
    CHECK(m.discounted_expected_residual_lifetime(0.1, clv::contractual_row{7, false, 1}) ==
          m.discounted_expected_residual_lifetime(0.1, 7.0));
    CHECK(m.discounted_expected_residual_lifetime(0.1, clv::contractual_row{7, true, 1}) == 0.0);
    // DERL rises with the renewals made: survivors are the loyal ones (FH 2010's point).
    for (double n = 0; n < 20; ++n)
        CHECK(m.discounted_expected_residual_lifetime(0.1, n) < m.discounted_expected_residual_lifetime(0.1, n + 1));
}

TEST_CASE("sBG rejects bad parameters, periods and discount rates with clear messages") {
    CHECK(error_of([] { model m({0, 1}); }).find("field 'alpha'") != std::string::npos);
    CHECK(error_of([] { model m({1, std::nan("")}); }).find("field 'beta'") != std::string::npos);
    CHECK(error_of([] { model m({1, 1e308}); }).find("(0, 1e300]") != std::string::npos);
    const model m({0.704, 1.182});
    CHECK(error_of([&] { (void)m.survival(-1); }).find("field 't'") != std::string::npos);
    CHECK(error_of([&] { (void)m.survival(2.5); }).find("whole number") != std::string::npos);
    CHECK(error_of([&] { (void)m.churn_probability(0); }).find(">= 1") != std::string::npos);
    CHECK(error_of([&] { (void)m.retention_rate(0); }).find("field 't'") != std::string::npos);
    CHECK(error_of([&] { (void)m.conditional_survival(1, -2); }).find("field 'k'") != std::string::npos);
    CHECK(error_of([&] { (void)m.discounted_expected_lifetime(-0.1); }).find("field 'discount_rate'") != std::string::npos);
    CHECK(error_of([&] { (void)m.discounted_expected_lifetime(1e-9); }).find(">= 1e-6") != std::string::npos);
    CHECK(error_of([&] { (void)m.discounted_expected_residual_lifetime(0.1, std::nan("")); }).find("field 'renewals'") != std::string::npos);
    CHECK(error_of([&] { (void)m.discounted_expected_residual_lifetime(0.1, clv::contractual_row{0, false, 1}); })
              .find("field 'tenure'") != std::string::npos);
    const std::vector<double> tenure{1, 0}, churned{1, 0};
    CHECK(error_of([&] { (void)model::fit({tenure, churned, {}}); }).find("row 2: field 'tenure'") != std::string::npos);
    const std::vector<double> bad_churn{1, 2}, good_tenure{1, 2};
    CHECK(error_of([&] { (void)m.log_likelihood(clv::contractual_columns{good_tenure, bad_churn, {}}); }).find("field 'churned'") != std::string::npos);
    std::mt19937_64 rng(1);
    const std::vector<double> observed{3, 0};
    CHECK(error_of([&] { (void)m.simulate(observed, rng); }).find("customer 2") != std::string::npos);
}

TEST_CASE("sBG data without any cancellation has no maximum and the fit says so") {
    const std::vector<double> tenure{3, 5, 8}, churned{0, 0, 0};
    const auto fit = model::fit({tenure, churned, {}});
    CHECK_FALSE(fit.converged);
    MESSAGE("status: " << fit.status);
}
