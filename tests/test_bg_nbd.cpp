// BG/NBD: published CDNOW figures (FHL 2005), brute-force integrals of the model definition,
// closed-form identities, the multiprecision oracle, and simulation with known parameters.
#include <clv/models/bg_nbd.hpp>

#include "model_checks.hpp"
#include "test_support.hpp"

#include <boost/math/quadrature/exp_sinh.hpp>
#include <boost/math/quadrature/tanh_sinh.hpp>
#include <boost/math/special_functions/hypergeometric_pFq.hpp>
#include <boost/multiprecision/cpp_bin_float.hpp>

#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace {

using model = clv::bg_nbd<>;
const model::params published{0.243, 4.414, 0.793, 2.426};  // FHL 2005, CDNOW




}  // namespace

TEST_CASE("BG/NBD log-likelihood on CDNOW at the published parameters is -9582.4 (FHL 2005)") {
    const auto path = clv_test::shared_data("cdnow/cdnow_customers_summary.csv");
    if (!path) return;
    const auto data = clv_test::read_cdnow_summary(*path);
    REQUIRE(data.size() == 2357);
    const model m(published);
    CHECK(m.log_likelihood(data.columns()) == doctest::Approx(-9582.4).epsilon(0).scale(1).epsilon(0.1 / 9582.4));
    // The per-record overload agrees with the summed one.
    double sum = 0;
    for (std::size_t i = 0; i < data.size(); ++i) sum += model::log_likelihood(published, data.frequency[i], data.recency[i], data.T[i]);
    CHECK(sum == doctest::Approx(m.log_likelihood(data.columns())).epsilon(1e-12));
}

TEST_CASE("BG/NBD fit on CDNOW reproduces the published estimates (FHL 2005)") {
    const auto path = clv_test::shared_data("cdnow/cdnow_customers_summary.csv");
    if (!path) return;
    const auto data = clv_test::read_cdnow_summary(*path);
    const auto fit = model::fit(data.columns());
    REQUIRE(fit.converged);
    CHECK(std::abs(fit.params.r - 0.243) <= 5e-4);
    CHECK(std::abs(fit.params.alpha - 4.414) <= 5e-4);
    CHECK(std::abs(fit.params.a - 0.793) <= 5e-4);
    CHECK(std::abs(fit.params.b - 2.426) <= 5e-4);
    CHECK(std::abs(fit.log_likelihood - (-9582.4)) <= 0.05);
    CHECK(fit.std_errors_available);
    for (double se : fit.std_errors) CHECK((std::isfinite(se) && se > 0));
    MESSAGE("CDNOW BG/NBD fit: r=" << fit.params.r << " alpha=" << fit.params.alpha << " a=" << fit.params.a
                                   << " b=" << fit.params.b << " LL=" << fit.log_likelihood << " iterations=" << fit.iterations);
    // Fit on the compressed table gives the same estimate.
    clv::customer_table table;
    for (std::size_t i = 0; i < data.size(); ++i) table.push_back("", {data.frequency[i], data.recency[i], data.T[i], 0, 1});
    const auto compressed = clv::compress(table);
    const auto fit2 = model::fit(compressed.unique.columns());
    CHECK(fit2.log_likelihood == doctest::Approx(fit.log_likelihood).epsilon(1e-10));
    CHECK(fit2.params.r == doctest::Approx(fit.params.r).epsilon(1e-5));
}

TEST_CASE("BG/NBD conditional expectation of the FHL 2005 example customer is 1.226") {
    const model m(published);
    CHECK(std::abs(m.conditional_expected_transactions(39, 2, 30.43, 38.86) - 1.226) <= 5e-4);
    struct rec { double frequency, recency, T; } customer{2, 30.43, 38.86};
    CHECK(m.conditional_expected_transactions(39.0, customer) == m.conditional_expected_transactions(39, 2, 30.43, 38.86));
}

TEST_CASE("BG/NBD analytic gradient matches central differences, also at extreme parameters") {
    // A small data set with large frequencies and an x = 0 customer.
    const std::vector<double> x{0, 1, 2, 7, 40, 350, 10000, 3};
    const std::vector<double> t_x{0, 3.5, 30.43, 20, 38, 38.5, 38.99, 0.1};
    const std::vector<double> T{10, 12, 38.86, 39, 39, 39, 39, 52};
    const std::vector<double> w{3, 1, 2, 1, 1, 1, 1, 5};
    const clv::transaction_columns data{x, t_x, T, w};
    const std::vector<model::params> points{
        {0.243, 4.414, 0.793, 2.426}, {1e-3, 1e-3, 1e-3, 1e-3}, {1e3, 1e3, 1e3, 1e3},
        {1e-3, 1e3, 10, 0.1},         {10, 0.1, 1e3, 1e-3},      {1.0, 1.0, 1.0, 1.0}};
    for (const auto& p : points) {
        CAPTURE(p.r); CAPTURE(p.alpha); CAPTURE(p.a); CAPTURE(p.b);
        std::array<double, 4> g{};
        const double ll = model::log_likelihood_with_gradient(p, data, g);
        // The summed fast path equals the sum of the per-record formula.
        double direct = 0;
        for (std::size_t i = 0; i < x.size(); ++i) direct += w[i] * model::log_likelihood(p, x[i], t_x[i], T[i]);
        CHECK(ll == doctest::Approx(direct).epsilon(1e-13));
        clv_test::check_gradient<model>(p, data);
    }
}

TEST_CASE("BG/NBD predictions equal brute-force integrals of the model definition") {
    const model m(published);
    struct customer { double x, t_x, T; };
    for (const customer c : {customer{2, 30.43, 38.86}, customer{0, 0, 30}, customer{12, 20, 39}}) {
        CAPTURE(c.x); CAPTURE(c.t_x);
        const double t = 39, delta = 0.05;
        const double e = clv_test::brute_force_alive_expectation<false>(published, c.x, c.t_x, c.T, [&](double l, double q) {
            return -std::expm1(-l * q * t) / q;
        });
        CHECK(m.conditional_expected_transactions(t, c.x, c.t_x, c.T) == doctest::Approx(e).epsilon(1e-7));
        const double alive = clv_test::brute_force_alive_expectation<false>(published, c.x, c.t_x, c.T, [](double, double) { return 1.0; });
        CHECK(m.probability_alive(c.x, c.t_x, c.T) == doctest::Approx(alive).epsilon(1e-8));
        const double alive_at = clv_test::brute_force_alive_expectation<false>(published, c.x, c.t_x, c.T, [&](double l, double q) {
            return std::exp(-l * q * t);
        });
        CHECK(m.probability_alive_at(t, c.x, c.t_x, c.T) == doctest::Approx(alive_at).epsilon(1e-7));
        // Given lambda, p and alive: integral e^{-delta s} lambda e^{-lambda p s} ds = lambda / (delta + lambda p).
        const double dert = clv_test::brute_force_alive_expectation<false>(published, c.x, c.t_x, c.T, [&](double l, double q) {
            return l / (delta + l * q);
        });
        CHECK(m.dert(delta, c.x, c.t_x, c.T) == doctest::Approx(dert).epsilon(1e-6));
    }
}

TEST_CASE("BG/NBD E[X(t)] agrees with the 2F1 form of FHL 2005 eq. 9 (Boost hypergeometric_pFq)") {
    for (const model::params p : {published, model::params{2.0, 3.0, 3.5, 1.5}, model::params{0.5, 10.0, 0.3, 0.4}}) {
        const model m(p);
        for (double t : {1.0, 10.0, 39.0}) {
            const double z = t / (p.alpha + t);
            const double f = boost::math::hypergeometric_pFq({p.r, p.b}, {p.a + p.b - 1}, z);
            const double expected = (p.a + p.b - 1) / (p.a - 1) * (1 - std::pow(p.alpha / (p.alpha + t), p.r) * f);
            CHECK(m.expected_transactions(t) == doctest::Approx(expected).epsilon(1e-11));
        }
    }
}

TEST_CASE("BG/NBD PMFs sum to one and their means are the expectations") {
    for (const model::params p : {published, model::params{2.0, 3.0, 3.5, 1.5}, model::params{0.5, 10.0, 0.3, 0.4},
                                  model::params{1.0, 1.0, 1.0, 1.0}})
        clv_test::check_pmf_consistency(model(p), 3, 20, 38.86, {2.0, 39.0});
}

TEST_CASE("BG/NBD double agrees with the cpp_bin_float_50 oracle over extreme parameters") {
    using big = boost::multiprecision::cpp_bin_float_50;
    const std::array<double, 5> levels{1e-3, 1e-1, 1, 10, 1e3};
    struct customer { double x, t_x, T; };
    const std::array<customer, 5> customers{customer{0, 0, 10}, customer{1, 5, 10}, customer{10, 8, 40},
                                            customer{100, 30, 40}, customer{1e4, 39, 40}};
    std::mt19937_64 rng(7);
    std::uniform_int_distribution<int> pick(0, 4);
    double worst = 0;
    auto compare = [&](const big& exact, double value, double tolerance, const char* what) {
        const double e = static_cast<double>(exact);
        if (std::abs(e) < 1e-250) {
            CHECK(std::abs(value) < 1e-240);
            return;
        }
        const double rel = std::abs(value - e) / std::abs(e);
        worst = std::max(worst, rel);
        INFO(what << ": double " << value << " oracle " << e);
        CHECK(rel <= tolerance);
    };
    for (int trial = 0; trial < 24; ++trial) {
        const model::params p{levels[pick(rng)], levels[pick(rng)], levels[pick(rng)], levels[pick(rng)]};
        const clv::bg_nbd<big>::params pb{p.r, p.alpha, p.a, p.b};
        CAPTURE(p.r); CAPTURE(p.alpha); CAPTURE(p.a); CAPTURE(p.b);
        const model m(p);
        const clv::bg_nbd<big> mb(pb);
        for (double t : {1.0, 30.0}) {
            compare(mb.expected_transactions(t), m.expected_transactions(t), 1e-10, "E[X(t)]");
            compare(mb.probability_of_n(0, t), m.probability_of_n(0, t), 1e-10, "P(X(t)=0)");
            compare(mb.probability_of_n(3, t), m.probability_of_n(3, t), 1e-10, "P(X(t)=3)");
        }
        for (const auto& c : customers) {
            CAPTURE(c.x);
            // |error of log L| is the relative error of L, so a log-likelihood near 0 is judged on
            // the absolute scale.
            const big ll = clv::bg_nbd<big>::log_likelihood(pb, c.x, c.t_x, c.T);
            CHECK(std::abs(model::log_likelihood(p, c.x, c.t_x, c.T) - static_cast<double>(ll)) <=
                  1e-10 * std::max(1.0, std::abs(static_cast<double>(ll))));
            compare(mb.probability_alive(c.x, c.t_x, c.T), m.probability_alive(c.x, c.t_x, c.T), 1e-10, "P(alive)");
            compare(mb.conditional_expected_transactions(20, c.x, c.t_x, c.T),
                    m.conditional_expected_transactions(20, c.x, c.t_x, c.T), 1e-10, "conditional E");
            compare(mb.probability_alive_at(20, c.x, c.t_x, c.T), m.probability_alive_at(20, c.x, c.t_x, c.T), 1e-10,
                    "P(alive at T+t)");
            compare(mb.conditional_probability_of_n(0, 20, c.x, c.t_x, c.T),
                    m.conditional_probability_of_n(0, 20, c.x, c.t_x, c.T), 1e-10, "conditional P(0)");
            compare(mb.conditional_probability_of_n(2, 20, c.x, c.t_x, c.T),
                    m.conditional_probability_of_n(2, 20, c.x, c.t_x, c.T), 1e-10, "conditional P(2)");
        }
    }
    MESSAGE("worst relative difference double vs cpp_bin_float_50: " << worst);
}

TEST_CASE("BG/NBD DERT agrees with the multiprecision oracle to the quadrature tolerance") {
    using big = boost::multiprecision::cpp_bin_float_50;
    // Two points: nested 50-digit quadrature costs seconds per DERT.
    for (const model::params p : {published, model::params{10, 0.1, 1e3, 1e-3}}) {
        const model m(p);
        const clv::bg_nbd<big> mb({p.r, p.alpha, p.a, p.b});
        const double value = m.dert(0.0027, 2, 30.43, 38.86);
        const double exact = static_cast<double>(mb.dert(big(0.0027), 2, big(30.43), big(38.86)));
        CHECK(value == doctest::Approx(exact).epsilon(1e-9));
    }
}

TEST_CASE("BG/NBD simulation: the fit recovers known parameters and predicts the holdout") {
    clv_test::check_parameter_recovery<model>({0.5, 6.0, 0.8, 2.5}, 20240601, 26, 52, 39);
}

TEST_CASE("BG/NBD rejects bad input with invalid_input") {
    CHECK_THROWS_AS(model({0.0, 1, 1, 1}), clv::invalid_input);
    CHECK_THROWS_AS(model({1, -1, 1, 1}), clv::invalid_input);
    CHECK_THROWS_AS(model({1, 1, std::nan(""), 1}), clv::invalid_input);
    CHECK_THROWS_AS(model({1, 1, 1, INFINITY}), clv::invalid_input);
    try {
        model({1, 1, 1, -2});
        FAIL("no throw");
    } catch (const clv::invalid_input& e) {
        CHECK(e.field() == "b");
    }
    const model m(published);
    CHECK_THROWS_AS(m.probability_alive(-1, 0, 10), clv::invalid_input);
    CHECK_THROWS_AS(m.probability_alive(2, 11, 10), clv::invalid_input);
    CHECK_THROWS_AS(m.probability_alive(std::nan(""), 1, 10), clv::invalid_input);
    CHECK_THROWS_AS(m.conditional_expected_transactions(-1, 2, 1, 10), clv::invalid_input);
    CHECK_THROWS_AS(m.conditional_expected_transactions(std::nan(""), 2, 1, 10), clv::invalid_input);
    CHECK_THROWS_AS(m.expected_transactions(-0.5), clv::invalid_input);
    CHECK_THROWS_AS(m.probability_of_n(1, -1), clv::invalid_input);
    CHECK_THROWS_AS(m.conditional_probability_of_n(1, 5, 0, 3, 10), clv::invalid_input);
    CHECK_THROWS_AS(m.dert(0, 2, 1, 10), clv::invalid_input);
    CHECK_THROWS_AS(m.dert(-0.1, 2, 1, 10), clv::invalid_input);
    const std::vector<double> x{1, -2}, t_x{1, 0}, T{5, 5};
    CHECK_THROWS_AS(m.log_likelihood(clv::transaction_columns{x, t_x, T, {}}), clv::invalid_input);
    CHECK_THROWS_AS(model::fit(clv::transaction_columns{x, t_x, T, {}}), clv::invalid_input);
    std::mt19937_64 rng(1);
    const std::vector<double> bad_ages{1, -1};
    CHECK_THROWS_AS(m.simulate(bad_ages, 0, rng), clv::invalid_input);
}

TEST_CASE("BG/NBD DERT's continued fraction equals the integral it stands for") {
    // J(p) = integral_0^inf e^{-d u} (1 + p u)^(-(r+1)) du, by exp-sinh quadrature at 50 digits.
    using big = boost::multiprecision::cpp_bin_float_50;
    for (double d : {0.01, 0.12, 1.0, 30.0})
        for (double p : {1e-6, 0.05, 0.5, 1.0})
            for (double r : {1e-3, 0.243, 2.0, 50.0}) {
                const double fraction = clv::detail::beta_geometric::discount_integral_fraction(d, p, r);
                const big bd(d), bp(p), br(r);
                auto f = [&](const big& u) { return exp(-bd * u - (br + 1) * log1p(bp * u)); };
                const big exact = boost::math::quadrature::exp_sinh<big>().integrate(f, big(1e-30));
                CAPTURE(d);
                CAPTURE(p);
                CAPTURE(r);
                if (std::isnan(fraction)) {  // allowed only where d/p is small: DERT then integrates
                    CHECK(d / p < 0.1);
                    continue;
                }
                CHECK(fraction == doctest::Approx(static_cast<double>(exact)).epsilon(1e-13));
            }
}

TEST_CASE("BG/NBD DERT is P(alive) times the DERT of a customer known to be alive") {
    const model m(published);
    for (const auto& [x, t_x, T] : {std::array<double, 3>{0, 0, 38.86}, {2, 30.43, 38.86}, {7, 10, 30}}) {
        CHECK(m.dert(0.0027, x, t_x, T) ==
              doctest::Approx(m.probability_alive(x, t_x, T) * m.dert_if_alive(0.0027, x, T)).epsilon(1e-14));
    }
    CHECK_THROWS_AS(m.dert_if_alive(0.0027, -1, 10), clv::invalid_input);
}

TEST_CASE("BG/NBD series that outgrow double fall back instead of returning inf") {
    // a = 1000, b = 0.001: the survival series' terms reach e^500 before the prefactor e^-760
    // brings the value back; at 50 digits nothing overflows, so the oracle is the same formula.
    using big = boost::multiprecision::cpp_bin_float_50;
    const model m({10, 0.1, 1000, 0.001});
    const clv::bg_nbd<big> mb({10, 0.1, 1000, 0.001});
    for (double t : {1.0, 10.0, 43.6, 100.0}) {
        CAPTURE(t);
        const double at = m.probability_alive_at(t, 2, 30, 38);
        REQUIRE(std::isfinite(at));
        CHECK(at <= m.probability_alive(2, 30, 38));
        const double exact = static_cast<double>(mb.probability_alive_at(big(t), 2, 30, 38));
        CHECK(at == doctest::Approx(exact).epsilon(1e-8));
    }
}

TEST_CASE("BG/NBD log-likelihood keeps its digits when r and alpha grow together") {
    // r log alpha - (r+x) log(alpha+T) subtracts numbers of order 1e17 at r, alpha ~ 1e16; the
    // log1p form does not. Oracle: the same formula at 50 digits, where nothing cancels.
    using big = boost::multiprecision::cpp_bin_float_50;
    for (double scale : {1e6, 1e12, 1e16}) {
        for (const std::array<double, 3> c : {std::array<double, 3>{0, 0, 40}, {3, 20, 39}, {12, 38, 39}}) {
            const double ll = model::log_likelihood({scale, 2 * scale, 0.8, 2.4}, c[0], c[1], c[2]);
            const big exact = clv::bg_nbd<big>::log_likelihood({big(scale), big(2 * scale), big(0.8), big(2.4)},
                                                               big(c[0]), big(c[1]), big(c[2]));
            CAPTURE(scale);
            CAPTURE(c[0]);
            CHECK(ll == doctest::Approx(static_cast<double>(exact)).epsilon(1e-12));
        }
    }
    // The summed form and its gradient, too.
    const std::vector<double> x{0, 3, 12}, t_x{0, 20, 38}, T{40, 39, 39};
    clv_test::check_gradient<model>({1e7, 2e7, 0.8, 2.4}, clv::transaction_columns{x, t_x, T, {}});
}

TEST_CASE("BG/NBD DERT is non-negative and non-increasing down to tiny discount rates") {
    // As the rate goes to 0, DERT tends to P(alive) E[1/p] = P(alive) (a+b+x-1)/(a-1) (a > 1): the
    // expected number of all future purchases, one geometric count of purchases until dropout.
    const model m({0.243, 4.414, 3.0, 2.426});
    const double x = 2, t_x = 30.43, T = 38.86;
    const double limit = m.probability_alive(x, t_x, T) * (3.0 + 2.426 + x - 1) / (3.0 - 1);
    double previous = 0;
    for (int k = 40; k >= 1; --k) {  // rates 1e-40 ... 1e-1, increasing
        const double rate = std::pow(10.0, -k);
        const double dert = m.dert(rate, x, t_x, T);
        CAPTURE(rate);
        CHECK(dert >= 0);
        CHECK(dert <= limit * (1 + 1e-9));
        if (k < 40) CHECK(dert <= previous * (1 + 1e-9));
        if (k >= 12) CHECK(dert == doctest::Approx(limit).epsilon(1e-6));
        previous = dert;
    }
    // a <= 1: E[1/p] is infinite and DERT grows without bound as the rate falls; where it leaves
    // double's range the library says so instead of returning inf.
    const model heavy({0.243, 4.414, 0.5, 2.426});
    double last = 0;
    for (int k = 1; k <= 300; k += 20) {
        const double rate = std::pow(10.0, -k);
        try {
            const double dert = heavy.dert(rate, x, t_x, T);
            CHECK(std::isfinite(dert));
            CHECK(dert >= last);
            last = dert;
        } catch (const clv::invalid_input& e) {
            CHECK(std::string(e.what()).find("a <= 1") != std::string::npos);
        }
    }
    CHECK(last > 1e5);
}

TEST_CASE("BG/NBD E[X(t)] where the series gives up agrees with the 50-digit oracle") {
    // t/alpha = 1e4 (series argument 0.9999), a = 1e3 (partial sums overflow), r = 3e3: the
    // quadrature fallback. The oracle at 50 digits sums further and integrates tighter.
    using big = boost::multiprecision::cpp_bin_float_50;
    for (const model::params p : {model::params{0.5, 0.01, 0.7, 2.5}, model::params{10, 0.1, 1e3, 1e-3},
                                  model::params{3e3, 2.0, 0.3, 0.9}, model::params{1e-3, 1e-3, 1e-3, 1e3}}) {
        const model m(p);
        const clv::bg_nbd<big> mb({p.r, p.alpha, p.a, p.b});
        for (double t : {1.0, 100.0}) {
            CAPTURE(p.r);
            CAPTURE(p.a);
            CAPTURE(t);
            const double value = m.expected_transactions(t);
            CHECK(value >= 0);
            CHECK(value == doctest::Approx(static_cast<double>(mb.expected_transactions(big(t)))).epsilon(1e-9));
        }
    }
}

TEST_CASE("BG/NBD fit names the rows with repeat purchases at recency 0") {
    const std::vector<double> x{0, 2, 1, 3, 0}, t_x{0, 5, 0, 0, 0}, T{10, 10, 8, 9, 7};
    try {
        (void)model::fit(clv::transaction_columns{x, t_x, T, {}});
        FAIL("no throw");
    } catch (const clv::invalid_input& e) {
        const std::string what = e.what();
        CHECK(what.find("2 row(s)") != std::string::npos);
        CHECK(what.find("row 3") != std::string::npos);
        CHECK(what.find("unbounded") != std::string::npos);
    }
}

TEST_CASE("BG/NBD simulation fills every holdout column it claims") {
    clv_test::check_simulation_fills_holdout<model>(published);
}

TEST_CASE("BG/NBD penalised fit is the same in days and in weeks") {
    clv_test::check_penalty_is_unit_free<model>(published, {false, true, false, false}, 77);
}

TEST_CASE("BG/NBD and MBG/NBD frequency terms from partial sums equal the direct ones bit for bit") {
    // A summed evaluation takes lgamma(z+k) - lgamma(z) and psi(z+k) - psi(z) for whole k <= 32
    // from running partial sums; math::log_gamma_ratio and math::digamma_difference add the same
    // terms afresh. Frequencies past 32 and fractional ones fall back to those functions.
    namespace bg = clv::detail::beta_geometric;
    for (const auto& q : {std::array{0.243, 4.414, 0.793, 2.426}, std::array{1e-3, 0.5, 30.0, 1e4},
                          std::array{250.0, 1e3, 0.01, 0.2}}) {
        const auto p = bg::make_parameter_terms<double>(q[0], q[1], q[2], q[3]);
        const bg::frequency_partial_sums<double> sums(q[0], q[3], q[2] + q[3], 40, true);
        for (double x = 0; x <= 40; x += 0.5) {
            CAPTURE(x);
            // Bits, not ==: a fractional x below 1 - b gives log_b_shift = NaN on both sides.
            auto bits = [](double v) { return std::bit_cast<std::uint64_t>(v); };
            auto same = [&](const bg::frequency_terms<double>& a, const bg::frequency_terms<double>& b) {
                CHECK(bits(a.log_gamma_ratio_r) == bits(b.log_gamma_ratio_r));
                CHECK(bits(a.log_beta_part) == bits(b.log_beta_part));
                CHECK(bits(a.digamma_diff_r) == bits(b.digamma_diff_r));
                CHECK(bits(a.digamma_diff_ab) == bits(b.digamma_diff_ab));
                CHECK(bits(a.digamma_diff_b) == bits(b.digamma_diff_b));
                CHECK(bits(a.log_b_shift) == bits(b.log_b_shift));
            };
            same(bg::make_frequency_terms<false, double>(p, x, true, &sums), bg::make_frequency_terms<false, double>(p, x, true));
            same(bg::make_frequency_terms<true, double>(p, x, true, &sums), bg::make_frequency_terms<true, double>(p, x, true));
        }
        // And the sums are the log-Gamma differences they stand for (std::lgamma, to 1e-10).
        for (std::size_t k = 0; k <= 32; ++k)
            CHECK(sums.log_r[k] == doctest::Approx(std::lgamma(q[0] + double(k)) - std::lgamma(q[0])).epsilon(1e-10).scale(1));
    }
}
