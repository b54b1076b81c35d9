// MBG/NBD (Batislam, Denizel & Filiztekin 2007; Wagner & Hoppe 2008): CDNOW fit, the closed forms
// of lifetimes' ModifiedBetaGeoFitter evaluated with Boost's hypergeometric_pFq, brute-force
// integrals of the model definition, PMF identities, the multiprecision oracle, and simulation.
#include <clv/models/mbg_nbd.hpp>

#include "model_checks.hpp"
#include "test_support.hpp"

#include <boost/math/quadrature/exp_sinh.hpp>
#include <boost/math/quadrature/tanh_sinh.hpp>
#include <boost/math/special_functions/hypergeometric_pFq.hpp>
#include <boost/multiprecision/cpp_bin_float.hpp>

#include <array>
#include <cmath>
#include <random>
#include <string>
#include <vector>

namespace {

using model = clv::mbg_nbd<>;
const model::params cdnow_like{0.243, 4.414, 0.793, 2.426};




}  // namespace

TEST_CASE("MBG/NBD fit on CDNOW converges, close to the BG/NBD fit") {
    const auto path = clv_test::shared_data("cdnow/cdnow_customers_summary.csv");
    if (!path) return;
    const auto data = clv_test::read_cdnow_summary(*path);
    const auto fit = model::fit(data.columns());
    REQUIRE(fit.converged);
    CHECK(fit.std_errors_available);
    MESSAGE("CDNOW MBG/NBD fit: r=" << fit.params.r << " alpha=" << fit.params.alpha << " a=" << fit.params.a
                                    << " b=" << fit.params.b << " LL=" << fit.log_likelihood);
    // The fit is a maximum: the log-likelihood there is not below that at the BG/NBD estimates.
    CHECK(fit.log_likelihood >= model(cdnow_like).log_likelihood(data.columns()));
    // Both models describe the same data about equally well (FHL 2005: BG/NBD LL = -9582.4).
    CHECK(std::abs(fit.log_likelihood - (-9582.4)) < 50);
}

TEST_CASE("MBG/NBD closed forms of Batislam et al. (2007) / lifetimes agree (Boost 2F1)") {
    for (const model::params p : {cdnow_like, model::params{2.0, 3.0, 3.5, 1.5}, model::params{0.5, 10.0, 0.3, 0.4}}) {
        const model m(p);
        for (double t : {1.0, 10.0, 39.0}) {
            const double z = t / (p.alpha + t);
            const double f = boost::math::hypergeometric_pFq({p.r, p.b + 1}, {p.a + p.b}, z);
            const double expected = p.b / (p.a - 1) * (1 - f * std::pow(p.alpha / (p.alpha + t), p.r));
            CHECK(m.expected_transactions(t) == doctest::Approx(expected).epsilon(1e-11));
            for (const std::array<double, 3> c : {std::array<double, 3>{0, 0, 30}, std::array<double, 3>{2, 30.43, 38.86},
                                                  std::array<double, 3>{7, 20, 39}}) {
                const double x = c[0], t_x = c[1], T = c[2];
                const double hyp = boost::math::hypergeometric_pFq({p.r + x, p.b + x + 1}, {p.a + p.b + x}, t / (p.alpha + T + t));
                const double num = (p.a + p.b + x) / (p.a - 1) * (1 - hyp * std::pow((p.alpha + T) / (p.alpha + t + T), p.r + x));
                const double den = 1 + p.a / (p.b + x) * std::pow((p.alpha + T) / (p.alpha + t_x), p.r + x);
                CHECK(m.conditional_expected_transactions(t, x, t_x, T) == doctest::Approx(num / den).epsilon(1e-10));
                CHECK(m.probability_alive(x, t_x, T) == doctest::Approx(1 / den).epsilon(1e-13));
            }
        }
    }
}

TEST_CASE("MBG/NBD predictions equal brute-force integrals of the model definition") {
    const model m(cdnow_like);
    for (const std::array<double, 3> c : {std::array<double, 3>{2, 30.43, 38.86}, std::array<double, 3>{0, 0, 30},
                                          std::array<double, 3>{12, 20, 39}}) {
        const double x = c[0], t_x = c[1], T = c[2], t = 39, delta = 0.05;
        CAPTURE(x);
        CHECK(m.probability_alive(x, t_x, T) ==
              doctest::Approx(clv_test::brute_force_alive_expectation<true>(cdnow_like, x, t_x, T, [](double, double) { return 1.0; })).epsilon(1e-8));
        CHECK(m.conditional_expected_transactions(t, x, t_x, T) ==
              doctest::Approx(clv_test::brute_force_alive_expectation<true>(cdnow_like, x, t_x, T, [&](double l, double q) {
                  return -std::expm1(-l * q * t) / q;
              })).epsilon(1e-7));
        CHECK(m.probability_alive_at(t, x, t_x, T) ==
              doctest::Approx(clv_test::brute_force_alive_expectation<true>(cdnow_like, x, t_x, T, [&](double l, double q) {
                  return std::exp(-l * q * t);
              })).epsilon(1e-7));
        CHECK(m.dert(delta, x, t_x, T) ==
              doctest::Approx(clv_test::brute_force_alive_expectation<true>(cdnow_like, x, t_x, T, [&](double l, double q) {
                  return l / (delta + l * q);
              })).epsilon(1e-6));
    }
}

TEST_CASE("MBG/NBD PMFs sum to one and their means are the expectations") {
    for (const model::params p : {cdnow_like, model::params{2.0, 3.0, 3.5, 1.5}, model::params{1.0, 1.0, 1.0, 1.0}})
        clv_test::check_pmf_consistency(model(p), 0, 0, 38.86, {2.0, 39.0});
}

TEST_CASE("MBG/NBD gradient matches central differences") {
    const std::vector<double> x{0, 1, 2, 40, 10000}, t_x{0, 3.5, 30.43, 38, 38.99}, T{10, 12, 38.86, 39, 39};
    for (const model::params p : {cdnow_like, model::params{1e-3, 1e-3, 1e-3, 1e-3}, model::params{1e3, 1e3, 1e3, 1e3},
                                  model::params{10, 0.1, 1e3, 1e-3}})
        clv_test::check_gradient<model>(p, {x, t_x, T, {}});
}

TEST_CASE("MBG/NBD double agrees with the cpp_bin_float_50 oracle") {
    using big = boost::multiprecision::cpp_bin_float_50;
    const std::array<double, 5> levels{1e-3, 1e-1, 1, 10, 1e3};
    std::mt19937_64 rng(11);
    std::uniform_int_distribution<int> pick(0, 4);
    auto rel = [](const big& e, double v) {
        const double ed = static_cast<double>(e);
        return std::abs(ed) < 1e-250 ? (std::abs(v) < 1e-240 ? 0.0 : 1.0) : std::abs(v - ed) / std::abs(ed);
    };
    for (int trial = 0; trial < 12; ++trial) {
        const model::params p{levels[pick(rng)], levels[pick(rng)], levels[pick(rng)], levels[pick(rng)]};
        CAPTURE(p.r); CAPTURE(p.alpha); CAPTURE(p.a); CAPTURE(p.b);
        const model m(p);
        const clv::mbg_nbd<big> mb({p.r, p.alpha, p.a, p.b});
        CHECK(rel(mb.expected_transactions(30), m.expected_transactions(30)) <= 1e-10);
        CHECK(rel(mb.probability_of_n(0, 30), m.probability_of_n(0, 30)) <= 1e-10);
        for (const std::array<double, 3> c : {std::array<double, 3>{0, 0, 10}, std::array<double, 3>{10, 8, 40},
                                              std::array<double, 3>{1e4, 39, 40}}) {
            CAPTURE(c[0]);
            // |error of log L| is the relative error of L; a log-likelihood near 0 (L near 1, e.g. a
            // customer with x = 0 and a >> b) is judged on that scale.
            const big ll = clv::mbg_nbd<big>::log_likelihood({p.r, p.alpha, p.a, p.b}, c[0], c[1], c[2]);
            CHECK(std::abs(model::log_likelihood(p, c[0], c[1], c[2]) - static_cast<double>(ll)) <=
                  1e-10 * std::max(1.0, std::abs(static_cast<double>(ll))));
            CHECK(rel(mb.probability_alive(c[0], c[1], c[2]), m.probability_alive(c[0], c[1], c[2])) <= 1e-10);
            CHECK(rel(mb.conditional_expected_transactions(20, c[0], c[1], c[2]),
                      m.conditional_expected_transactions(20, c[0], c[1], c[2])) <= 1e-10);
            CHECK(rel(mb.conditional_probability_of_n(1, 20, c[0], c[1], c[2]),
                      m.conditional_probability_of_n(1, 20, c[0], c[1], c[2])) <= 1e-10);
        }
    }
}

TEST_CASE("MBG/NBD simulation: the fit recovers known parameters and predicts the holdout") {
    clv_test::check_parameter_recovery<model>({0.6, 5.0, 0.9, 3.0}, 77, 26, 52, 39);
}

TEST_CASE("MBG/NBD rejects bad input with invalid_input") {
    CHECK_THROWS_AS(model({1, 1, 0, 1}), clv::invalid_input);
    const model m(cdnow_like);
    CHECK_THROWS_AS(m.probability_alive(-1, 0, 10), clv::invalid_input);
    CHECK_THROWS_AS(m.probability_alive(2, 11, 10), clv::invalid_input);
    CHECK_THROWS_AS(m.conditional_expected_transactions(-1, 2, 1, 10), clv::invalid_input);
    CHECK_THROWS_AS(m.probability_alive_at(1, std::nan(""), 1, 10), clv::invalid_input);
    CHECK_THROWS_AS(m.dert(std::nan(""), 2, 1, 10), clv::invalid_input);
}

TEST_CASE("MBG/NBD log-likelihood keeps its digits when r and alpha grow together") {
    using big = boost::multiprecision::cpp_bin_float_50;
    for (double scale : {1e8, 1e16}) {
        for (const std::array<double, 3> c : {std::array<double, 3>{0, 0, 40}, {3, 20, 39}}) {
            const double ll = model::log_likelihood({scale, scale, 0.8, 2.4}, c[0], c[1], c[2]);
            const big exact = clv::mbg_nbd<big>::log_likelihood({big(scale), big(scale), big(0.8), big(2.4)},
                                                                big(c[0]), big(c[1]), big(c[2]));
            CHECK(ll == doctest::Approx(static_cast<double>(exact)).epsilon(1e-12));
        }
    }
}

TEST_CASE("MBG/NBD fit refuses rows with repeat purchases at recency 0") {
    const std::vector<double> x{1, 4}, t_x{2, 0}, T{10, 10};
    CHECK_THROWS_WITH_AS(model::fit(clv::transaction_columns{x, t_x, T, {}}), doctest::Contains("1 row(s)"),
                         clv::invalid_input);
}

TEST_CASE("MBG/NBD penalised fit is the same in days and in weeks") {
    clv_test::check_penalty_is_unit_free<model>(cdnow_like, {false, true, false, false}, 78);
}
