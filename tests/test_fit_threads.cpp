// Fits and summed likelihoods on several threads: the same bits as on one thread (fixed blocks,
// fixed reduction order), and the blocked sums equal the sum of the per-customer likelihoods.
#include <clv/models/bg_nbd.hpp>
#include <clv/models/gamma_gamma.hpp>
#include <clv/models/mbg_nbd.hpp>
#include <clv/models/pareto_nbd.hpp>

#include <doctest/doctest.h>

#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

namespace {

/// Simulated customers (exact times, so almost every row is distinct) spanning many blocks.
template <class M>
clv::customer_table simulated(const typename M::params& truth, std::size_t customers, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> age(13.0, 78.0);
    std::vector<double> ages(customers);
    for (double& a : ages) a = age(rng);
    return M(truth).simulate(ages, 0.0, rng);
}

std::uint64_t bits(double v) { return std::bit_cast<std::uint64_t>(v); }

template <class M>
void check_identical_bits_and_row_sum(const typename M::params& at, const clv::transaction_columns& data) {
    std::array<double, 4> g1{};
    const double ll1 = M::log_likelihood_with_gradient(at, data, g1, 1);
    for (const unsigned threads : {2U, 3U, 8U}) {
        CAPTURE(threads);
        std::array<double, 4> g{};
        const double ll = M::log_likelihood_with_gradient(at, data, g, threads);
        CHECK(bits(ll) == bits(ll1));
        for (std::size_t i = 0; i < 4; ++i) CHECK(bits(g[i]) == bits(g1[i]));
    }
    // The blocked sum is the weighted sum of the one-customer likelihoods (the per-row formula,
    // evaluated independently of the summing code), up to rounding.
    double by_rows = 0;
    for (std::size_t i = 0; i < data.size(); ++i)
        by_rows += data.weight_at(i) * M::log_likelihood(at, data.frequency[i], data.recency[i], data.T[i]);
    CHECK(ll1 == doctest::Approx(by_rows).epsilon(1e-12));
}

template <class M>
void same_fit(const clv::fit::fit_result<M>& a, const clv::fit::fit_result<M>& b) {
    const auto va = M::to_array(a.params), vb = M::to_array(b.params);
    for (std::size_t i = 0; i < 4; ++i) CHECK(bits(va[i]) == bits(vb[i]));
    CHECK(bits(a.log_likelihood) == bits(b.log_likelihood));
    CHECK(a.iterations == b.iterations);
    CHECK(a.converged == b.converged);
    for (std::size_t i = 0; i < 4; ++i) CHECK(bits(a.std_errors[i]) == bits(b.std_errors[i]));
}

}  // namespace

TEST_CASE("summed log-likelihood and gradient: identical bits on 1, 2, 3 and 8 threads") {
    SUBCASE("BG/NBD") {
        const clv::bg_nbd<>::params truth{0.243, 4.414, 0.793, 2.426};
        const auto table = simulated<clv::bg_nbd<>>(truth, 20'000, 1);
        check_identical_bits_and_row_sum<clv::bg_nbd<>>(truth, table.columns());
        check_identical_bits_and_row_sum<clv::bg_nbd<>>({0.5, 2.0, 0.1, 0.2}, table.columns());
    }
    SUBCASE("MBG/NBD") {
        const clv::mbg_nbd<>::params truth{0.525, 6.183, 0.891, 1.614};
        const auto table = simulated<clv::mbg_nbd<>>(truth, 20'000, 2);
        check_identical_bits_and_row_sum<clv::mbg_nbd<>>(truth, table.columns());
    }
    SUBCASE("Pareto/NBD") {
        const clv::pareto_nbd<>::params truth{0.553, 10.578, 0.606, 11.669};
        const auto table = simulated<clv::pareto_nbd<>>(truth, 12'000, 3);
        check_identical_bits_and_row_sum<clv::pareto_nbd<>>(truth, table.columns());
        // alpha far above beta: many rows take the quadrature path.
        check_identical_bits_and_row_sum<clv::pareto_nbd<>>({0.553, 500.0, 0.606, 2.0}, table.columns());
    }
}

TEST_CASE("a fit on 2 or 3 threads gives the same bits as on 1 thread") {
    clv::fit::fit_options one, two, three;
    two.threads = 2;
    three.threads = 3;
    SUBCASE("BG/NBD") {
        const auto table = simulated<clv::bg_nbd<>>({0.243, 4.414, 0.793, 2.426}, 10'000, 4);
        const auto data = table.columns();
        const auto f1 = clv::bg_nbd<>::fit(data, one);
        REQUIRE(f1.converged);
        same_fit(f1, clv::bg_nbd<>::fit(data, two));
        same_fit(f1, clv::bg_nbd<>::fit(data, three));
    }
    SUBCASE("Pareto/NBD") {
        const auto table = simulated<clv::pareto_nbd<>>({0.553, 10.578, 0.606, 11.669}, 5'000, 5);
        const auto data = table.columns();
        const auto f1 = clv::pareto_nbd<>::fit(data, one);
        REQUIRE(f1.converged);
        same_fit(f1, clv::pareto_nbd<>::fit(data, two));
    }
}

TEST_CASE("Gamma-Gamma: the summed likelihood and the fit give the same bits on 1, 2 and 3 threads") {
    // 20,000 repeat buyers (10 blocks): frequencies 1..30, spend drawn from the model.
    const clv::gamma_gamma<>::params truth{6.25, 3.74, 15.44};
    std::mt19937_64 rng(6);
    std::uniform_int_distribution<int> frequency(1, 30);
    std::vector<double> x(20'000), m(20'000), w(20'000);
    for (std::size_t i = 0; i < x.size(); ++i) {
        x[i] = frequency(rng);
        // m = mean of x Gamma(p, nu) orders, nu ~ Gamma(q, gamma): Gamma(p x, nu) / x.
        const double nu = std::gamma_distribution<double>(truth.q, 1 / truth.gamma)(rng);
        m[i] = std::gamma_distribution<double>(truth.p * x[i], 1 / nu)(rng) / x[i];
        w[i] = 1 + static_cast<double>(i % 3);
    }
    const clv::spend_columns data{.frequency = x, .monetary_value = m, .weight = w};
    std::array<double, 3> g1{};
    const double ll1 = clv::gamma_gamma<>::log_likelihood_with_gradient(truth, data, g1, 1);
    for (const unsigned threads : {2U, 3U, 8U}) {
        CAPTURE(threads);
        std::array<double, 3> g{};
        const double ll = clv::gamma_gamma<>::log_likelihood_with_gradient(truth, data, g, threads);
        CHECK(bits(ll) == bits(ll1));
        for (std::size_t i = 0; i < 3; ++i) CHECK(bits(g[i]) == bits(g1[i]));
    }
    double by_rows = 0;  // the per-customer formula, summed independently of the blocked code
    for (std::size_t i = 0; i < x.size(); ++i) by_rows += w[i] * clv::gamma_gamma<>::log_likelihood(truth, x[i], m[i]);
    CHECK(ll1 == doctest::Approx(by_rows).epsilon(1e-12));
    clv::fit::fit_options one, two;
    two.threads = 2;
    const auto f1 = clv::gamma_gamma<>::fit(data, one);
    const auto f2 = clv::gamma_gamma<>::fit(data, two);
    REQUIRE(f1.converged);
    const auto v1 = clv::gamma_gamma<>::to_array(f1.params), v2 = clv::gamma_gamma<>::to_array(f2.params);
    for (std::size_t i = 0; i < 3; ++i) CHECK(bits(v1[i]) == bits(v2[i]));
    CHECK(bits(f1.log_likelihood) == bits(f2.log_likelihood));
}
