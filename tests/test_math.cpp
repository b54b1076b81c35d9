// Gamma and digamma differences that stay accurate where subtracting lgamma values does not,
// against the same differences taken at 50 digits.
#include <clv/core/math.hpp>

#include <boost/multiprecision/cpp_bin_float.hpp>
#include <doctest/doctest.h>

#include <cmath>

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
