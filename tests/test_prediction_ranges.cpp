// Every prediction of every transaction model stays finite and in its logical range over random
// parameters from 1e-3 to 1e3, frequencies up to 10^4 and ages up to 10^3: probabilities in [0, 1],
// P(alive at T + t) <= P(alive at T), expectations and DERT >= 0, a finite log-likelihood.
#include <clv/clv.hpp>

#include <doctest/doctest.h>

#include <cmath>
#include <random>

namespace {

template <class M>
void check_ranges(std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> exponent(-3, 3), unit(0, 1);
    for (int i = 0; i < 3000; ++i) {
        const auto p = M::from_array({std::pow(10, exponent(rng)), std::pow(10, exponent(rng)),
                                      std::pow(10, exponent(rng)), std::pow(10, exponent(rng))});
        const M m(p);
        const double T = std::pow(10, 3 * unit(rng));
        const double x = std::max(0.0, std::floor(std::pow(10, 4 * unit(rng))) - 1);
        const double t_x = x == 0 ? 0 : T * unit(rng);
        const double t = std::pow(10, 3 * unit(rng));
        const auto v = M::to_array(p);
        CAPTURE(v[0]);
        CAPTURE(v[1]);
        CAPTURE(v[2]);
        CAPTURE(v[3]);
        CAPTURE(x);
        CAPTURE(t_x);
        CAPTURE(T);
        CAPTURE(t);
        const double alive = m.probability_alive(x, t_x, T);
        CHECK((alive >= 0 && alive <= 1));
        const double later = m.probability_alive_at(t, x, t_x, T);
        CHECK((later >= 0 && later <= alive * (1 + 1e-9)));
        CHECK((m.expected_transactions(t) >= 0 && std::isfinite(m.expected_transactions(t))));
        const double expected = m.conditional_expected_transactions(t, x, t_x, T);
        CHECK((expected >= 0 && std::isfinite(expected)));
        for (unsigned n : {0u, 3u}) {
            const double pn = m.probability_of_n(n, t), cn = m.conditional_probability_of_n(n, t, x, t_x, T);
            CHECK((pn >= 0 && pn <= 1 + 1e-12));
            CHECK((cn >= 0 && cn <= 1 + 1e-12));
        }
        CHECK(std::isfinite(M::log_likelihood(p, x, t_x, T)));
        if (i % 25 == 0) {  // DERT integrates numerically: a sample is enough
            const double dert = m.dert(0.01, x, t_x, T);
            CHECK((dert >= 0 && std::isfinite(dert)));
        }
    }
}

}  // namespace

TEST_CASE("BG/NBD predictions stay in range over extreme parameters") { check_ranges<clv::bg_nbd<>>(5); }
TEST_CASE("MBG/NBD predictions stay in range over extreme parameters") { check_ranges<clv::mbg_nbd<>>(6); }
TEST_CASE("Pareto/NBD predictions stay in range over extreme parameters") { check_ranges<clv::pareto_nbd<>>(7); }
