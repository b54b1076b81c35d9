// Pareto/NBD: published CDNOW estimates, gradient against finite differences, the same template at
// cpp_bin_float_50 as an oracle, brute-force sums for the PMFs, an independent integral for DERT,
// and parameter recovery from simulated data.
#include <clv/models/pareto_nbd.hpp>

#include <boost/math/quadrature/exp_sinh.hpp>
#include <boost/math/special_functions/gamma.hpp>
#include <boost/multiprecision/cpp_bin_float.hpp>

#include "model_checks.hpp"
#include "test_support.hpp"

#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

using mp = boost::multiprecision::cpp_bin_float_50;
using model = clv::pareto_nbd<double>;
using model_mp = clv::pareto_nbd<mp>;

namespace {



model_mp::params to_mp(const model::params& p) { return {mp(p.r), mp(p.alpha), mp(p.s), mp(p.beta)}; }

/// |double - oracle| relative to the oracle; values below the double range must be ~0 in double.
bool agrees(double value, const mp& oracle, double tolerance) {
    if (abs(oracle) < mp(1e-280)) return std::abs(value) < 1e-270;
    return static_cast<double>(abs((mp(value) - oracle) / oracle)) <= tolerance;
}

// FHL (2005) / FH (2005) estimates on CDNOW.
const model::params cdnow_published{0.553, 10.578, 0.606, 11.669};

struct customer { double x, t_x, T; };

}  // namespace

TEST_CASE("Pareto/NBD fit on CDNOW reproduces the published estimates") {
    const auto path = clv_test::shared_data("cdnow/cdnow_customers_summary.csv");
    if (!path) return;
    const auto data = clv_test::read_cdnow_summary(*path);
    REQUIRE(data.size() == 2357);
    const auto fit = model::fit(data.columns());
    CHECK(fit.converged);
    CHECK(fit.std_errors_available);
    // Published to 3 decimals: tolerance max(5e-4, 1e-3 |value|).
    auto close = [](double value, double published) {
        return std::abs(value - published) <= std::max(5e-4, 1e-3 * std::abs(published));
    };
    CHECK_MESSAGE(close(fit.params.r, 0.553), fit.params.r);
    CHECK_MESSAGE(close(fit.params.alpha, 10.578), fit.params.alpha);
    CHECK_MESSAGE(close(fit.params.s, 0.606), fit.params.s);
    CHECK_MESSAGE(close(fit.params.beta, 11.669), fit.params.beta);
    CHECK(std::abs(fit.log_likelihood + 9595.0) <= 0.05);
    for (double se : fit.std_errors) CHECK((std::isfinite(se) && se > 0));
    MESSAGE("CDNOW Pareto/NBD: r=" << fit.params.r << " alpha=" << fit.params.alpha << " s=" << fit.params.s
            << " beta=" << fit.params.beta << " LL=" << fit.log_likelihood << " SE=(" << fit.std_errors[0] << ", "
            << fit.std_errors[1] << ", " << fit.std_errors[2] << ", " << fit.std_errors[3] << ") iterations="
            << fit.iterations);

    // DERT at FHL's 15% annual rate (continuous weekly delta = 0.0027), for the record.
    const model m(fit.params);
    for (const customer c : {customer{2, 30.43, 38.86}, customer{0, 0, 38.86}, customer{10, 38.0, 38.86},
                             customer{1, 2.0, 38.86}}) {
        const double dert = m.dert(0.0027, c.x, c.t_x, c.T);
        CHECK(std::isfinite(dert));
        MESSAGE("CDNOW DERT(delta=0.0027/week) x=" << c.x << " t_x=" << c.t_x << " T=" << c.T << ": " << dert
                << "  (P(alive)=" << m.probability_alive(c.x, c.t_x, c.T)
                << ", E[X(39 weeks)]=" << m.conditional_expected_transactions(39, c.x, c.t_x, c.T) << ")");
    }
}

TEST_CASE("Pareto/NBD gradient matches 50-digit central differences of the log-likelihood") {
    const std::vector<model::params> points{
        cdnow_published,
        {2.0, 5.0, 2.0, 5.0},              // alpha == beta
        {0.3, 40.0, 3.0, 2.0},             // alpha > beta
        {0.05, 1e3, 1e-3, 1e-3},           // argument near 1: quadrature path
        {1e-3, 1e-3, 1e3, 1e3},            // alpha << beta, argument near 1
        {1e3, 1e3, 0.01, 0.5},
        {5.0, 0.2, 50.0, 900.0},
    };
    const std::vector<customer> customers{{0, 0, 38.86},       {2, 30.43, 38.86}, {221, 103.4, 103.6},
                                          {1e4, 30.0, 39.0},   {5, 38.86, 38.86}, {3, 38.859, 38.86},
                                          {1, 1e-4, 52.0}};
    const double h = 1e-12;  // in log-parameter space; 50 digits make rounding negligible
    for (const auto& p : points) {
        for (const auto& c : customers) {
            const std::vector<double> x{c.x}, t_x{c.t_x}, T{c.T};
            std::array<double, 4> gradient{};
            const double ll = model::log_likelihood_with_gradient(p, {x, t_x, T, {}}, gradient);
            const auto base = to_mp(p);
            const mp ll_mp = model_mp::log_likelihood(base, mp(c.x), mp(c.t_x), mp(c.T));
            REQUIRE(std::isfinite(ll));
            CHECK_MESSAGE(std::abs(ll - static_cast<double>(ll_mp)) <= 1e-10 * std::max(1.0, std::abs(ll)),
                          "LL " << ll << " vs " << ll_mp);
            for (int i = 0; i < 4; ++i) {
                auto shifted = [&](double step) {
                    auto q = base;
                    mp* field = i == 0 ? &q.r : i == 1 ? &q.alpha : i == 2 ? &q.s : &q.beta;
                    *field *= exp(mp(step));
                    return model_mp::log_likelihood(q, mp(c.x), mp(c.t_x), mp(c.T));
                };
                const double fd = static_cast<double>((shifted(h) - shifted(-h)) / (2 * h));
                CHECK_MESSAGE(std::abs(gradient[i] - fd) <= 1e-6 * std::max(std::abs(fd), 1e-6),
                              "param " << i << " at r=" << p.r << " alpha=" << p.alpha << " s=" << p.s
                                       << " beta=" << p.beta << " customer (" << c.x << ", " << c.t_x << ", "
                                       << c.T << "): analytic " << gradient[i] << " vs " << fd);
            }
        }
    }
}

TEST_CASE("Pareto/NBD at double agrees with cpp_bin_float_50 to 1e-10 over a parameter grid") {
    const std::vector<double> values{1e-3, 0.05, 1.0, 20.0, 1e3};
    const std::vector<customer> customers{{0, 0, 38.86},     {2, 30.43, 38.86}, {221, 103.4, 103.6},
                                          {1e4, 30.0, 39.0}, {7, 12.5, 12.5},   {1, 0.5, 100.0}};
    int combos = 0, lls = 0;
    // A deterministic sample of the 625 combinations, plus alpha == beta on the diagonal.
    for (int k = 0; k < 625; ++k) {
        if (k % 9 != 0 && !((k / 5) % 5 == k % 5 && k % 2 == 0)) continue;
        const double r = values[k / 125], alpha = values[(k / 25) % 5], s = values[(k / 5) % 5], beta = values[k % 5];
        const model m({r, alpha, s, beta});
        const model_mp o(to_mp({r, alpha, s, beta}));
        ++combos;
        for (const auto& c : customers) {
            const double ll = model::log_likelihood(m.parameters(), c.x, c.t_x, c.T);
            const mp ll_o = model_mp::log_likelihood(o.parameters(), c.x, c.t_x, c.T);
            REQUIRE(std::isfinite(ll));
            ++lls;
            CHECK_MESSAGE(std::abs(ll - static_cast<double>(ll_o)) <= 1e-10 * std::max(1.0, std::abs(ll)),
                          "LL r=" << r << " alpha=" << alpha << " s=" << s << " beta=" << beta << " x=" << c.x
                                  << ": " << ll << " vs " << ll_o);
            CHECK(agrees(m.probability_alive(c.x, c.t_x, c.T), o.probability_alive(c.x, c.t_x, c.T), 1e-10));
            CHECK(agrees(m.probability_alive_at(13, c.x, c.t_x, c.T), o.probability_alive_at(13, c.x, c.t_x, c.T), 1e-10));
            CHECK(agrees(m.conditional_expected_transactions(39, c.x, c.t_x, c.T),
                         o.conditional_expected_transactions(39, c.x, c.t_x, c.T), 1e-10));
        }
        CHECK(agrees(m.expected_transactions(39), o.expected_transactions(39), 1e-10));
    }
    MESSAGE(combos << " parameter combinations, " << lls << " log-likelihoods checked");

    // The quadrature-based predictions on a smaller sample (50-digit quadrature is slow).
    const std::vector<model::params> few{cdnow_published, {2, 5, 2, 5}, {0.05, 1e3, 1e-3, 1e-3},
                                         {1e-3, 1e-3, 1e3, 1e3}, {20, 1, 0.05, 20}};
    for (const auto& p : few) {
        const model m(p);
        const model_mp o(to_mp(p));
        for (unsigned n : {0u, 1u, 3u, 10u}) {
            CHECK(agrees(m.probability_of_n(n, 39), o.probability_of_n(n, 39), 1e-10));
            CHECK(agrees(m.conditional_probability_of_n(n, 39, 2, 30.43, 38.86),
                         o.conditional_probability_of_n(n, 39, 2, 30.43, 38.86), 1e-10));
        }
        for (const auto& c : {customer{2, 30.43, 38.86}, customer{221, 103.4, 103.6}, customer{0, 0, 5}})
            CHECK(agrees(m.dert(0.0027, c.x, c.t_x, c.T), o.dert(mp(0.0027), c.x, c.t_x, c.T), 1e-10));
    }
}

TEST_CASE("Pareto/NBD death odds: the 2F1 series and the quadrature agree where both apply") {
    // Two independent routes to R = odds(died in (t_x, T]) and its gradient.
    namespace d = clv::detail::pnbd;
    for (const auto& p : {cdnow_published, model::params{0.3, 40, 3, 2}, model::params{2, 1, 0.4, 30},
                          model::params{1, 20, 1, 20}}) {
        for (const customer c : {customer{0, 0, 38.86}, customer{2, 30.43, 38.86}, customer{221, 103.4, 103.6},
                                 customer{1e4, 30, 39}, customer{3, 38.859, 38.86}}) {
            const auto series = d::compute_death_odds<double, true>(p.r, p.alpha, p.s, p.beta, c.x, c.t_x, c.T);
            const auto quad = d::death_odds_by_quadrature<double, true>(p.r, p.alpha, p.s, p.beta, c.x, c.t_x, c.T);
            REQUIRE_FALSE(series.by_quadrature);
            CHECK(series.log1p_R == doctest::Approx(quad.log1p_R).epsilon(1e-12));
            for (std::size_t i = 0; i < 4; ++i)
                CHECK(std::abs(series.d_log1p_R[i] - quad.d_log1p_R[i]) <= 1e-9 * std::abs(quad.d_log1p_R[i]) + 1e-13);
        }
    }
}

TEST_CASE("Pareto/NBD stays finite and accurate where the textbook formula overflows") {
    const model m(cdnow_published);
    const model_mp o(to_mp(cdnow_published));
    const auto& p = cdnow_published;
    for (const customer c : {customer{221, 103.4, 103.6}, customer{1e4, 30.0, 39.0}}) {
        // FH05 evaluated as written: alpha^r beta^s / (alpha+T)^(r+x) leaves the double range.
        const double naive = std::pow(p.alpha, p.r) * std::pow(p.beta, p.s) / std::pow(p.alpha + c.T, p.r + c.x);
        const double naive_gamma = std::tgamma(p.r + c.x);
        CHECK((naive == 0.0 || !std::isfinite(naive) || !std::isfinite(naive_gamma)));
        const double ll = model::log_likelihood(p, c.x, c.t_x, c.T);
        const double pa = m.probability_alive(c.x, c.t_x, c.T);
        REQUIRE(std::isfinite(ll));
        REQUIRE(std::isfinite(pa));
        CHECK(std::abs(ll - static_cast<double>(model_mp::log_likelihood(o.parameters(), c.x, c.t_x, c.T))) <=
              1e-10 * std::abs(ll));
        CHECK(agrees(pa, o.probability_alive(c.x, c.t_x, c.T), 1e-10));
        MESSAGE("x=" << c.x << " t_x=" << c.t_x << " T=" << c.T << ": naive alpha^r beta^s/(alpha+T)^(r+x) = "
                     << naive << ", LL = " << ll << ", P(alive) = " << pa);
    }
}

TEST_CASE("Pareto/NBD PMFs sum to one and reproduce the closed-form expectations") {
    for (const auto& p : {cdnow_published, model::params{2, 5, 2, 5}, model::params{0.3, 40, 3, 2},
                          model::params{1.5, 3, 0.5, 60}})
        clv_test::check_pmf_consistency(model(p), 3, 20.0, 38.86, {1.0, 39.0, 150.0}, 1e-10, 1e-9);
}

TEST_CASE("Pareto/NBD conditional PMF matches a brute-force simulation of the posterior") {
    // Dead customers only add to n = 0; alive ones behave as a fresh Pareto/NBD customer with the
    // posterior (r+x, alpha+T, s, beta+T). The fresh PMF is checked against a Monte Carlo of that
    // posterior (the PMF code integrates over the death time; the simulation draws it).
    const model m(cdnow_published);
    const customer c{2, 30.43, 38.86};
    const double t = 20;
    const double pa = m.probability_alive(c.x, c.t_x, c.T);
    const double p0 = m.conditional_probability_of_n(0, t, c.x, c.t_x, c.T);
    const model fresh({0.553 + c.x, 10.578 + c.T, 0.606, 11.669 + c.T});
    CHECK(p0 == doctest::Approx(1 - pa + pa * fresh.probability_of_n(0, t)).epsilon(1e-12));
    // Monte Carlo of the posterior given alive: lambda ~ Gamma(r+x, alpha+T), mu ~ Gamma(s, beta+T).
    std::mt19937_64 rng(42);
    std::gamma_distribution<double> lambda(0.553 + c.x, 1 / (10.578 + c.T)), mu(0.606, 1 / (11.669 + c.T));
    const int draws = 400000;
    std::array<double, 4> counts{};
    for (int i = 0; i < draws; ++i) {
        const double l = lambda(rng), u = mu(rng);
        const double life = std::exponential_distribution<double>(u)(rng);
        const auto k = std::poisson_distribution<int>(l * std::min(life, t))(rng);
        if (k < 4) counts[static_cast<std::size_t>(k)] += 1;
    }
    for (unsigned n = 0; n < 4; ++n) {
        const double sim = counts[n] / draws;
        const double expected = fresh.probability_of_n(n, t);
        CHECK(std::abs(sim - expected) <= 4 * std::sqrt(expected * (1 - expected) / draws));
    }
}

TEST_CASE("Pareto/NBD DERT equals the discounted integral of the conditional expectation") {
    // DERT = integral_0^inf e^(-delta t) dE[X(T, T+t)] = delta integral_0^inf e^(-delta t) E[X(T, T+t)] dt
    // (integration by parts; E = 0 at t = 0), and for s < 1 also FHL's closed form with
    // Psi(s, s; z) = e^z Gamma(1-s, z) (DLMF 13.6.4), b = beta + T, z = delta b.
    boost::math::quadrature::exp_sinh<double> rule;
    for (const auto& p : {cdnow_published, model::params{2, 5, 2, 5}, model::params{0.3, 40, 0.2, 2}}) {
        const model m(p);
        for (const customer c : {customer{2, 30.43, 38.86}, customer{0, 0, 38.86}, customer{15, 37, 38}}) {
            for (double delta : {0.0027, 0.05}) {
                auto f = [&](double t) { return delta * std::exp(-delta * t) * m.conditional_expected_transactions(t, c.x, c.t_x, c.T); };
                const double direct = rule.integrate(f, 1e-12);
                const double dert = m.dert(delta, c.x, c.t_x, c.T);
                CHECK(dert == doctest::Approx(direct).epsilon(1e-9));
                if (p.s < 1) {
                    const double b = p.beta + c.T, z = delta * b;
                    const double closed = m.probability_alive(c.x, c.t_x, c.T) * (p.r + c.x) / (p.alpha + c.T) *
                                          std::pow(b, p.s) * std::pow(delta, p.s - 1) * std::exp(z) *
                                          boost::math::tgamma(1 - p.s, z);
                    CHECK(dert == doctest::Approx(closed).epsilon(1e-10));
                }
            }
        }
    }
}

TEST_CASE("Pareto/NBD fit recovers simulated parameters and predicts the holdout") {
    clv_test::check_parameter_recovery<model>({0.6, 8.0, 0.8, 12.0}, 20240501, 1, 52, 52);
}

TEST_CASE("Pareto/NBD rejects bad input with invalid_input") {
    CHECK_THROWS_AS(model({0.0, 1, 1, 1}), clv::invalid_input);
    CHECK_THROWS_AS(model({1, std::numeric_limits<double>::quiet_NaN(), 1, 1}), clv::invalid_input);
    CHECK_THROWS_AS(model({1, 1, -1, 1}), clv::invalid_input);
    CHECK_THROWS_AS(model({1, 1, 1, std::numeric_limits<double>::infinity()}), clv::invalid_input);
    try {
        model({1, 1, 1, -2});
        FAIL("no throw");
    } catch (const clv::invalid_input& e) {
        CHECK(e.field() == "beta");
    }
    const model m(cdnow_published);
    CHECK_THROWS_AS(m.probability_alive(1, 5, 3), clv::invalid_input);        // recency > T
    CHECK_THROWS_AS(m.probability_alive(0, 1, 3), clv::invalid_input);        // recency without purchases
    CHECK_THROWS_AS(m.probability_alive(-1, 0, 3), clv::invalid_input);
    CHECK_THROWS_AS(m.expected_transactions(-1), clv::invalid_input);
    CHECK_THROWS_AS(m.conditional_expected_transactions(std::nan(""), 1, 1, 2), clv::invalid_input);
    CHECK_THROWS_AS(m.probability_of_n(1, -2), clv::invalid_input);
    CHECK_THROWS_AS(m.dert(0, 1, 1, 2), clv::invalid_input);
    CHECK_THROWS_AS(m.dert(0.01, 1, 3, 2), clv::invalid_input);
    const std::vector<double> x{1, 2}, t_x{1, 5}, T{2, 3};
    CHECK_THROWS_AS(model::fit({x, t_x, T, {}}), clv::invalid_input);
    CHECK_THROWS_AS(m.log_likelihood(clv::transaction_columns{x, t_x, T, {}}), clv::invalid_input);
    const std::vector<double> bad_ages{1.0, -1.0};
    std::mt19937_64 rng(1);
    CHECK_THROWS_AS(m.simulate(bad_ages, 1.0, rng), clv::invalid_input);
    CHECK_THROWS_AS(m.simulate(std::span<const double>(T), -1.0, rng), clv::invalid_input);
    struct record { double frequency, recency, T; };
    CHECK_THROWS_AS(m.log_likelihood(record{2, 4, 3}), clv::invalid_input);
    CHECK(std::isfinite(m.log_likelihood(record{2, 2.5, 3})));
}

TEST_CASE("Pareto/NBD summed log-likelihood: rows sharing (x, t_x) or (x, T) give the row-by-row sums") {
    // The summed form reuses the series H(t_x), H(T) between rows; it must equal the sum of
    // single-row evaluations whatever the row order.
    std::mt19937_64 rng(11);
    std::uniform_int_distribution<int> x_draw(0, 3), day(0, 20);
    std::vector<double> x, t_x, T, w;
    for (int i = 0; i < 400; ++i) {
        const double xi = x_draw(rng), Ti = 20 + day(rng) / 7.0;
        x.push_back(xi);
        t_x.push_back(xi == 0 ? 0.0 : std::min(Ti, day(rng) / 7.0 + 5));
        T.push_back(Ti);
        w.push_back(1 + i % 4);
    }
    // The third and fourth put most rows on the continued fraction (2F1 argument 0.98-0.9999), the
    // last two on the quadrature route (argument above 0.9999), where the summed form integrates
    // H(t_x), H(T) once per (x, tau) and a single row integrates R.
    for (const auto& p : {cdnow_published, model::params{0.3, 40.0, 3.0, 2.0}, model::params{0.05, 1e3, 1e-3, 1e-3},
                          model::params{0.5, 0.01, 0.8, 5e3}, model::params{0.05, 1e6, 1e-3, 1e-3},
                          model::params{0.5, 0.01, 0.8, 5e6}}) {
        std::array<double, 4> summed{}, row_sum{}, one{};
        const double ll = model::log_likelihood_with_gradient(p, {x, t_x, T, w}, summed);
        double ll_rows = 0;
        for (std::size_t i = 0; i < x.size(); ++i) {
            const std::vector<double> xi{x[i]}, ti{t_x[i]}, Ti{T[i]}, wi{w[i]};
            ll_rows += model::log_likelihood_with_gradient(p, {xi, ti, Ti, wi}, one);
            for (int k = 0; k < 4; ++k) row_sum[k] += one[k];
        }
        CHECK(ll == doctest::Approx(ll_rows).epsilon(1e-13));
        // Where both routes use the 2F1 the sums agree to rounding; where the summed form
        // integrates H and a single row integrates R, to the quadratures' tolerance.
        const bool series_route = p.alpha < 100 && p.beta < 100 && p.alpha > 0.1 && p.beta > 0.1;
        for (int k = 0; k < 4; ++k)
            CHECK(summed[k] == doctest::Approx(row_sum[k]).epsilon(series_route ? 1e-12 : 1e-10));
    }
}

TEST_CASE("Pareto/NBD H(tau): the 2F1 and its integral form agree where both apply") {
    // log H and its gradient by two independent routes (the 2F1 by its series or continued
    // fraction, and tanh-sinh quadrature of H's integral form), on both sides of alpha = beta and
    // up to the 2F1's limit (the last four: arguments 0.7, 0.996, 0.9988, 0.99995); at
    // alpha = beta, H = 1 exactly.
    namespace d = clv::detail::pnbd;
    struct point {
        double r, alpha, s, beta, x, tau;
    };
    for (const point& q : {point{0.55, 10.58, 0.61, 11.67, 0, 38.86}, point{0.55, 10.58, 0.61, 11.67, 2, 30.43},
                           point{0.3, 40, 3, 2, 7, 1.5}, point{2, 1, 0.4, 30, 221, 103.4},
                           point{1, 100, 0.5, 1, 0, 3}, point{0.2, 1, 5, 120, 3, 0.5}, point{4, 3, 0.01, 3, 1e4, 30},
                           point{0.55, 40, 0.61, 11.67, 2, 30.43}, point{1, 1000, 0.5, 1, 0, 3},
                           point{0.2, 1, 5, 1200, 3, 0.5}, point{0.6, 1, 0.7, 1e5, 5, 3}}) {
        const auto series = d::log_h_by_2f1<double, true>(q.r, q.alpha, q.s, q.beta, q.x, q.tau);
        const auto quad = d::log_h_by_quadrature<double, true>(q.r, q.alpha, q.s, q.beta, q.x, q.tau);
        REQUIRE(series.converged);
        CHECK(std::abs(series.value - quad.value) <= 1e-12 * std::max(1.0, std::abs(series.value)));
        for (std::size_t i = 0; i < 4; ++i)
            CHECK_MESSAGE(std::abs(series.d[i] - quad.d[i]) <= 1e-9 * std::abs(series.d[i]) + 1e-13,
                          "d" << i << " at alpha " << q.alpha << " beta " << q.beta << ": " << series.d[i] << " vs "
                              << quad.d[i]);
    }
    CHECK(std::abs(d::log_h_by_quadrature<double, false>(0.7, 3.0, 1.3, 3.0, 4.0, 10.0).value) <= 1e-14);
}

TEST_CASE("Pareto/NBD DERT is P(alive) times the DERT of a customer known to be alive") {
    const model m(cdnow_published);
    for (const auto& [x, t_x, T] : {std::array<double, 3>{0, 0, 38.86}, {2, 30.43, 38.86}, {7, 10, 30}}) {
        CHECK(m.dert(0.0027, x, t_x, T) ==
              doctest::Approx(m.probability_alive(x, t_x, T) * m.dert_if_alive(0.0027, x, T)).epsilon(1e-14));
    }
    CHECK_THROWS_AS(m.dert_if_alive(0.0, 1, 10), clv::invalid_input);
}

TEST_CASE("Pareto/NBD penalised fit is the same in days and in weeks") {
    clv_test::check_penalty_is_unit_free<model>(cdnow_published, {false, true, false, true}, 79);
}

TEST_CASE("Pareto/NBD simulation fills every holdout column it claims") {
    clv_test::check_simulation_fills_holdout<model>(cdnow_published);
}
