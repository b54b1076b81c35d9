// Properties every transaction model must have for any valid input (issue 9, section 7): over
// random parameters drawn log-uniformly from the whole supported range [1e-8, 1e8], random
// customers (frequencies up to 2^53, ages from 1e-4 to 1e8) and random horizons and discount
// rates, and more densely over the usual domain (parameters in [1e-3, 1e3], frequencies up to
// 10^4, ages up to 10^3),
//   - P(alive) lies in [0, 1] and P(alive at T + t) in [0, P(alive)];
//   - E[X(t)] and E[X(T, T+t] | history] are finite, >= 0 and non-decreasing in t;
//   - P(X = n) and the conditional PMF lie in [0, 1];
//   - DERT is finite, >= 0 and non-increasing in the discount rate (BG/NBD and MBG/NBD may
//     instead refuse a rate at which DERT exceeds double's range, which happens only for a <= 1);
//   - the log-likelihood is finite.
// The bounds are facts of probability, not figures taken from the code.
#include <clv/clv.hpp>

#include <doctest/doctest.h>

#include <cmath>
#include <random>
#include <type_traits>

namespace {

double log_uniform(std::mt19937_64& rng, double lo, double hi) {
    return std::exp(std::uniform_real_distribution<double>(std::log(lo), std::log(hi))(rng));
}

/// Where parameters, customers and horizons are drawn from (log-uniformly).
struct domain {
    double parameter_lo, parameter_hi, frequency_max, time_lo, time_hi;
};
constexpr domain supported{clv::math::min_model_parameter, clv::math::max_model_parameter, 9e15, 1e-4, 1e8};
constexpr domain usual{1e-3, 1e3, 1e4, 1, 1e3};

template <class M>
void check_properties(std::uint64_t seed, int draws, const domain& where) {
    constexpr bool beta_geometric = !std::is_same_v<M, clv::pareto_nbd<>>;
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> unit(0, 1);
    const double lo = where.parameter_lo, hi = where.parameter_hi;
    for (int i = 0; i < draws; ++i) {
        const auto v = std::array<double, 4>{log_uniform(rng, lo, hi), log_uniform(rng, lo, hi),
                                             log_uniform(rng, lo, hi), log_uniform(rng, lo, hi)};
        const auto p = M::from_array(v);
        const M m(p);
        const double T = log_uniform(rng, where.time_lo, where.time_hi);
        const double x = unit(rng) < 0.3 ? 0.0 : std::floor(log_uniform(rng, 1, where.frequency_max));
        const double t_x = x == 0 ? 0 : T * unit(rng);
        const double t = log_uniform(rng, where.time_lo, where.time_hi), t_later = t * (1 + 10 * unit(rng));
        CAPTURE(v[0]);
        CAPTURE(v[1]);
        CAPTURE(v[2]);
        CAPTURE(v[3]);
        CAPTURE(x);
        CAPTURE(t_x);
        CAPTURE(T);
        CAPTURE(t);
        CAPTURE(t_later);
        const double alive = m.probability_alive(x, t_x, T);
        CHECK((alive >= 0 && alive <= 1));
        const double alive_later = m.probability_alive_at(t, x, t_x, T);
        CHECK((alive_later >= 0 && alive_later <= alive * (1 + 1e-9)));
        const double e1 = m.expected_transactions(t), e2 = m.expected_transactions(t_later);
        CHECK((std::isfinite(e1) && std::isfinite(e2)));
        CHECK((e1 >= 0 && e2 >= e1 * (1 - 1e-9)));
        const double c1 = m.conditional_expected_transactions(t, x, t_x, T);
        const double c2 = m.conditional_expected_transactions(t_later, x, t_x, T);
        CHECK((std::isfinite(c1) && std::isfinite(c2)));
        CHECK((c1 >= 0 && c2 >= c1 * (1 - 1e-9)));
        for (unsigned n : {0u, 1u, 5u}) {
            const double pn = m.probability_of_n(n, t), cn = m.conditional_probability_of_n(n, t, x, t_x, T);
            CHECK((pn >= 0 && pn <= 1 + 1e-12));
            CHECK((cn >= 0 && cn <= 1 + 1e-12));
        }
        CHECK(std::isfinite(M::log_likelihood(p, x, t_x, T)));
        if (i % 20 == 0) {  // DERT integrates numerically (up to a second at extremes): a sample
            const double rate = log_uniform(rng, 1e-30, 10), higher = rate * (1 + 10 * unit(rng));
            CAPTURE(rate);
            CAPTURE(higher);
            try {
                const double d1 = m.dert(rate, x, t_x, T), d2 = m.dert(higher, x, t_x, T);
                CHECK((std::isfinite(d1) && std::isfinite(d2)));
                CHECK((d2 >= 0 && d1 >= d2 * (1 - 1e-8)));
            } catch (const clv::invalid_input& e) {
                CAPTURE(e.what());
                CHECK((beta_geometric && v[2] <= 1));
            }
        }
    }
}

}  // namespace

TEST_CASE("BG/NBD: probabilities in [0, 1], expectations monotone in the horizon, DERT in the rate, all finite") {
    check_properties<clv::bg_nbd<>>(101, 500, supported);
    check_properties<clv::bg_nbd<>>(5, 2000, usual);
}
TEST_CASE("MBG/NBD: probabilities in [0, 1], expectations monotone in the horizon, DERT in the rate, all finite") {
    check_properties<clv::mbg_nbd<>>(102, 500, supported);
    check_properties<clv::mbg_nbd<>>(6, 2000, usual);
}
TEST_CASE("Pareto/NBD: probabilities in [0, 1], expectations monotone in the horizon, DERT in the rate, all finite") {
    check_properties<clv::pareto_nbd<>>(103, 500, supported);
    check_properties<clv::pareto_nbd<>>(7, 2000, usual);
}

TEST_CASE("parameters outside the supported range are refused naming the parameter") {
    CHECK_THROWS_WITH_AS(clv::bg_nbd<>({1e308, 1, 1, 1}), doctest::Contains("field 'r'"), clv::invalid_input);
    CHECK_THROWS_WITH_AS(clv::mbg_nbd<>({1, 1, 1e-9, 1}), doctest::Contains("field 'a'"), clv::invalid_input);
    CHECK_THROWS_WITH_AS(clv::pareto_nbd<>({1, 1, 1, 2e8}), doctest::Contains("[1e-8, 1e8]"), clv::invalid_input);
    CHECK_NOTHROW(clv::bg_nbd<>({1e-8, 1e8, 1e-8, 1e8}));
    CHECK_NOTHROW(clv::pareto_nbd<>({1e8, 1e-8, 1e8, 1e-8}));
}
