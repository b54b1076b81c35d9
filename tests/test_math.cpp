// Gamma and digamma differences that stay accurate where subtracting lgamma values does not,
// against the same differences taken at 50 digits.
#include <clv/core/math.hpp>

#include <boost/multiprecision/cpp_bin_float.hpp>
#include <doctest/doctest.h>

#include <cmath>
#include <random>

TEST_CASE("log_gamma_ratio and digamma_difference agree with 50-digit lgamma and digamma differences") {
    using big = boost::multiprecision::cpp_bin_float_50;
    for (double z : {1e-3, 0.5, 3.0, 99.0, 100.0, 999.0, 1e4, 1e8, 1e15})
        for (double k : {0.0, 1.0, 2.0, 7.0, 32.0, 33.0, 0.5, 100.5, 1e4, 1e6}) {
            CAPTURE(z);
            CAPTURE(k);
            const big exact = boost::math::lgamma(big(z) + big(k)) - boost::math::lgamma(big(z));
            CHECK(clv::math::log_gamma_ratio(z, k) ==
                  doctest::Approx(static_cast<double>(exact)).epsilon(1e-13).scale(1));
            const big exact_d = boost::math::digamma(big(z) + big(k)) - boost::math::digamma(big(z));
            CHECK(clv::math::digamma_difference(z, k) == doctest::Approx(static_cast<double>(exact_d)).epsilon(1e-12));
        }
}

TEST_CASE("plain lgamma differences are noise at large arguments, which is why the ratio exists") {
    const double z = 1e15;
    const double plain = std::lgamma(z + 1) - std::lgamma(z);  // log(1e15) = 34.5 in exact arithmetic
    CHECK(std::abs(plain - std::log(z)) > 0.01);
    CHECK(clv::math::log_gamma_ratio(z, 1.0) == doctest::Approx(std::log(z)).epsilon(1e-15));
}

TEST_CASE("math::log1p in double is within 4 ulps of the 50-digit log(1 + x) over the whole range") {
    // The hand-written double path (log(u) x / (u - 1)) replaces the C library's log1p for speed:
    // this is the accuracy it must keep, over tiny, moderate, huge and negative arguments.
    using mp = boost::multiprecision::cpp_bin_float_50;
    std::mt19937_64 rng(7);
    std::uniform_real_distribution<double> exponent(-30.0, 300.0), unit(0.0, 1.0);
    double worst = 0;
    auto check = [&](double x) {
        const double got = clv::math::log1p(x);
        const double exact = static_cast<double>(boost::multiprecision::log1p(mp(x)));
        const double ulps = std::abs(got - exact) / (std::abs(exact) * std::numeric_limits<double>::epsilon());
        worst = std::max(worst, ulps);
        if (ulps > 4) FAIL_CHECK("log1p(" << x << ") = " << got << ", exact " << exact << ": " << ulps << " ulps");
    };
    for (int i = 0; i < 20000; ++i) {
        check(std::pow(10.0, exponent(rng)));   // 1e-30 .. 1e300
        check(-unit(rng));                      // (-1, 0]
        check(-std::pow(10.0, -16 * unit(rng)));  // -1e-16 .. -1
        check(unit(rng) * 2.0);                 // where 1 + x rounds least kindly
    }
    MESSAGE("worst error " << worst << " ulps");
    CHECK(clv::math::log1p(0.0) == 0.0);
    CHECK(clv::math::log1p(1e-300) == 1e-300);
    CHECK(std::isinf(clv::math::log1p(-1.0)));
    CHECK(std::isnan(clv::math::log1p(-2.0)));
    CHECK(std::isinf(clv::math::log1p(std::numeric_limits<double>::infinity())));
    CHECK(clv::math::log1p(1e308) == doctest::Approx(std::log(1e308)).epsilon(1e-15));
}
