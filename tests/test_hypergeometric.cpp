// clv::special::gauss_series, gauss_fraction and log_hypergeometric_2f1 against independent values:
// closed forms, boost::math::hypergeometric_pFq at 50 digits, and the series at 50 digits (oracle).
#include <clv/core/hypergeometric.hpp>

#include <boost/math/quadrature/tanh_sinh.hpp>
#include <boost/math/special_functions/beta.hpp>
#include <boost/math/special_functions/hypergeometric_pFq.hpp>
#include <boost/multiprecision/cpp_bin_float.hpp>

#include "test_support.hpp"

#include <bit>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

using clv::special::gauss_fraction;
using clv::special::gauss_series;
using clv::special::log_hypergeometric_2f1;
using mp = boost::multiprecision::cpp_bin_float_50;

namespace {

/// log 2F1 at 50 digits: boost's pFq series for |z| < 1; beyond, Euler's integral (A&S 15.3.1)
///   2F1 = 1/B(b, c-b) integral_0^1 t^(b-1) (1-t)^(c-b-1) (1-zt)^(-a) dt   (c > b > 0)
/// by tanh-sinh quadrature.
mp log_oracle(const mp& a, const mp& b, const mp& c, const mp& z) {
    if (abs(z) < 1) return log(boost::math::hypergeometric_pFq({a, b}, {c}, z));
    REQUIRE(c > b);
    boost::math::quadrature::tanh_sinh<mp> rule;
    auto f = [&](const mp& t) { return mp(pow(t, b - 1) * pow(1 - t, c - b - 1) * pow(1 - z * t, -a)); };
    return log(rule.integrate(f, mp(0), mp(1), mp(1e-40)) / boost::math::beta(b, c - b));
}

}  // namespace

TEST_CASE("2F1 series matches closed forms") {
    // 2F1(1, 1; 2; z) = -log(1 - z) / z   (A&S 15.1.3)
    for (double z : {1e-8, 0.1, 0.5, 0.9, 0.97}) {
        const auto f = gauss_series<double>(1.0, 1.0, 2.0, z);
        CHECK(f.converged);
        CHECK(std::exp(f.log_value) == doctest::Approx(-std::log1p(-z) / z).epsilon(1e-14));
    }
    // 2F1(a, b; b; z) = (1 - z)^(-a)   (A&S 15.1.8), with z < 0 through Pfaff's transformation.
    for (double z : {-50.0, -3.0, -0.5, 0.0, 0.3, 0.8}) {
        CHECK(log_hypergeometric_2f1(2.5, 4.0, 4.0, z) == doctest::Approx(-2.5 * std::log1p(-z)).epsilon(1e-13));
    }
    // z = 0 is exactly 1.
    CHECK(gauss_series<double>(3.0, 4.0, 5.0, 0.0).log_value == 0.0);
}

// The series takes a term's reciprocals from one division of their product while the parameters
// are moderate, and divides for each otherwise (products of parameters near 1e300 overflow).
// 2F1(a, b; b; z) = (1 - z)^(-a) on both sides of that switch, and since the terms depend on b and
// c only through (b)_n / (c)_n, d/db log 2F1 = -d/dc log 2F1 at b = c.
TEST_CASE("2F1 series: the same closed form with moderate and with huge parameters") {
    for (double b : {0.3, 2.5, 1e4, 1e70, 1e300}) {
        for (double z : {0.1, 0.9, 0.97}) {
            CAPTURE(b);
            CAPTURE(z);
            const auto f = gauss_series<double, true>(1.0, b, b, z);
            REQUIRE(f.converged);
            CHECK(f.log_value == doctest::Approx(-std::log1p(-z)).epsilon(1e-13));
            CHECK(f.d_b == doctest::Approx(-f.d_c).epsilon(1e-12).scale(1e-300));
            CHECK(f.d_z == doctest::Approx(1 / (1 - z)).epsilon(1e-12));  // d/dz of -log(1 - z)
        }
    }
}

TEST_CASE("2F1 series in the Pareto/NBD domain agrees with its own 50-digit evaluation to 1e-13") {
    // The likelihood evaluates 2F1(1, r+x; r+s+x+1; z) and 2F1(1, s+1; r+s+x+1; z) (by this
    // series up to z = 0.6, by the continued fraction above).
    const std::vector<double> shapes{1e-3, 0.5, 3.0, 100.0, 1e3};
    const std::vector<double> xs{0, 1, 10, 221, 1e4};
    const std::vector<double> zs{0.0, 1e-6, 0.1, 0.5, 0.9, 0.98};
    double worst = 0;
    for (double r : shapes)
        for (double s : shapes)
            for (double x : xs)
                for (double z : zs) {
                    for (int form = 0; form < 2; ++form) {
                        const double b = form == 0 ? r + x : s + 1;
                        const double c = r + s + x + 1;
                        const auto d = gauss_series<double>(1.0, b, c, z);
                        const auto o = gauss_series<mp>(mp(1), mp(b), mp(c), mp(z));
                        REQUIRE(d.converged);
                        REQUIRE(o.converged);
                        const double err = static_cast<double>(abs(mp(d.log_value) - o.log_value));
                        worst = std::max(worst, err);
                        CHECK_MESSAGE(err <= 1e-13 * std::max(1.0, static_cast<double>(abs(o.log_value))),
                                      "b=" << b << " c=" << c << " z=" << z);
                    }
                }
    MESSAGE("worst absolute error of log 2F1 over the Pareto/NBD grid: " << worst);
}

// Gauss's continued fraction for 2F1(1, b; c; z) is checked against the series at 50 digits (an
// independent method: term sums, not convergents) and against closed forms up to z = 0.9999,
// where the series would need 400,000 terms.
TEST_CASE("2F1 continued fraction: value and derivatives agree with the 50-digit series") {
    double worst_value = 0, worst_derivative = 0;
    for (double b : {0.3, 1.2, 5.5, 40.0, 221.55})
        for (double gap : {0.2, 1.0, 3.3, 50.0})
            for (double z : {0.0, 0.1, 0.5, 0.7, 0.9, 0.97, 0.98, 0.995}) {
                const double c = b + gap;
                CAPTURE(b);
                CAPTURE(c);
                CAPTURE(z);
                const auto f = gauss_fraction<double, true>(b, c, z);
                const auto o = gauss_series<mp, true>(mp(1), mp(b), mp(c), mp(z), 1000000);
                REQUIRE(f.converged);
                REQUIRE(o.converged);
                const double value_error = static_cast<double>(abs(mp(f.log_value) - o.log_value));
                CHECK(value_error <= 1e-14 * std::max(1.0, static_cast<double>(abs(o.log_value))));
                worst_value = std::max(worst_value, value_error);
                for (const auto& [d, exact] : {std::pair{f.d_b, o.d_b}, std::pair{f.d_c, o.d_c}, std::pair{f.d_z, o.d_z}}) {
                    const double error = static_cast<double>(abs(mp(d) - exact));
                    CHECK(error <= 1e-13 * static_cast<double>(abs(exact)) + 1e-15);
                    worst_derivative = std::max(worst_derivative, error / (static_cast<double>(abs(exact)) + 1e-15));
                }
                // Without derivatives the same value (the fraction stops a little earlier).
                CHECK(gauss_fraction<double>(b, c, z).log_value == doctest::Approx(f.log_value).epsilon(1e-14));
            }
    MESSAGE("continued fraction: worst error of log 2F1 " << worst_value << ", of its derivatives (relative) "
                                                          << worst_derivative);
}

TEST_CASE("2F1 continued fraction: closed forms up to z = 0.9999, in double and at 50 digits") {
    for (double z : {0.3, 0.9, 0.99, 0.999, 0.9999}) {
        CAPTURE(z);
        // 2F1(1, 1; 2; z) = -log(1 - z) / z   (A&S 15.1.3)
        const double log_f = std::log(-std::log1p(-z) / z);
        const auto f = gauss_fraction<double, true>(1.0, 2.0, z);
        REQUIRE(f.converged);
        CHECK(f.log_value == doctest::Approx(log_f).epsilon(1e-14));
        CHECK(f.d_z == doctest::Approx(1 / ((1 - z) * -std::log1p(-z)) - 1 / z).epsilon(1e-12));
        // 2F1(1, 1/2; 3/2; z) = atanh(sqrt z) / sqrt z   (A&S 15.1.4)
        const auto g = gauss_fraction<double>(0.5, 1.5, z);
        REQUIRE(g.converged);
        CHECK(g.log_value == doctest::Approx(std::log(std::atanh(std::sqrt(z)) / std::sqrt(z))).epsilon(1e-14));
        const auto m = gauss_fraction<mp>(mp(1), mp(2), mp(z));
        REQUIRE(m.converged);
        const mp exact = log(-log1p(-mp(z)) / mp(z));
        CHECK(static_cast<double>(abs(m.log_value - exact)) <= 1e-45);
    }
}

TEST_CASE("2F1 continued fraction reports what it cannot do") {
    // b large and c - b small: the early coefficients k_2m are tiny (1e-8) and the convergents
    // stand still long before the value is reached. The fraction must then either reach the
    // 50-digit series' value or say it did not converge, never stop early with a wrong one.
    for (double z : {0.5, 0.7, 0.9, 0.98}) {
        CAPTURE(z);
        const auto f = gauss_fraction<double, true>(1e4, 1e4 + 0.2, z);
        const auto o = gauss_series<mp>(mp(1), mp(1e4), mp(1e4 + 0.2), mp(z), 1000000);
        REQUIRE(o.converged);
        if (f.converged) CHECK(f.log_value == doctest::Approx(static_cast<double>(o.log_value)).epsilon(1e-14));
        else CHECK(std::isnan(f.log_value));
    }
    const auto slow = gauss_fraction<double>(0.5, 1.6, 1 - 1e-9, 100);
    CHECK_FALSE(slow.converged);
    CHECK(std::isnan(slow.log_value));
    CHECK(std::isnan(gauss_fraction<double>(2.0, 2.0, 0.5).log_value));  // needs c > b
    CHECK(std::isnan(gauss_fraction<double>(0.0, 2.0, 0.5).log_value));  // needs b > 0
    CHECK(std::isnan(gauss_fraction<double>(1.0, 2.0, 1.0).log_value));  // needs z < 1
    CHECK(std::isnan(gauss_fraction<double>(1.0, 2.0, -0.1).log_value)); // needs z >= 0
}

// unit_2f1_at_many_z keeps the z-free parts of the terms and coefficients; it must give the
// very bits of gauss_series / gauss_fraction, whatever the order of the arguments and when
// (b, c) change between calls (a Pareto/NBD likelihood switches with the frequency).
template <bool Derivatives>
void check_kept_2f1_is_bit_equal() {
    clv::special::unit_2f1_at_many_z<double, Derivatives> kept;
    std::mt19937_64 rng(20261130);
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    auto same = [](double x, double y) { return std::bit_cast<std::uint64_t>(x) == std::bit_cast<std::uint64_t>(y); };
    int compared = 0;
    for (int pair = 0; pair < 40; ++pair) {
        const double b = 0.05 + 60 * unit(rng) * unit(rng);
        const double c = b + (pair % 3 == 0 ? 0.2 : 40 * unit(rng));
        for (int call = 0; call < 12; ++call) {
            const double z = call == 0 ? 0.0 : (call % 2 ? 0.6 : 0.995) * unit(rng);
            CAPTURE(b);
            CAPTURE(c);
            CAPTURE(z);
            kept.prepare(b, c);
            const auto fs = kept.series(z);
            const auto es = clv::special::gauss_series<double, Derivatives>(1.0, b, c, z);
            const auto ff = kept.fraction(z);
            const auto ef = gauss_fraction<double, Derivatives>(b, c, z);
            REQUIRE(es.converged == fs.converged);
            REQUIRE(ef.converged == ff.converged);
            CHECK(fs.terms == es.terms);
            CHECK(ff.terms == ef.terms);
            for (const auto& [x, y] : {std::pair{fs.log_value, es.log_value}, std::pair{fs.d_a, es.d_a},
                                        std::pair{fs.d_b, es.d_b}, std::pair{fs.d_c, es.d_c},
                                        std::pair{fs.d_z, es.d_z}, std::pair{ff.log_value, ef.log_value},
                                        std::pair{ff.d_b, ef.d_b}, std::pair{ff.d_c, ef.d_c},
                                        std::pair{ff.d_z, ef.d_z}}) {
                CHECK((same(x, y) || (std::isnan(x) && std::isnan(y))));
                ++compared;
            }
            // Now and then another (b, c) in between, as the next frequency's rows would bring.
            if (call % 5 == 4) {
                kept.prepare(b + 1, c + 1);
                CHECK(same(kept.fraction(0.9).log_value, gauss_fraction<double, Derivatives>(b + 1, c + 1, 0.9).log_value));
            }
        }
    }
    CHECK(compared == 40 * 12 * 9);
}

TEST_CASE("2F1 at many z for one (b, c): the same bits as the series and the fraction") {
    check_kept_2f1_is_bit_equal<true>();
    check_kept_2f1_is_bit_equal<false>();
}

TEST_CASE("2F1 agrees with boost hypergeometric_pFq (or Euler's integral) at 50 digits to 1e-12") {
    struct case_t { double a, b, c, z; };
    const std::vector<case_t> cases{
        {1, 0.553, 2.159, 0.05},   {1, 2.553, 4.159, 0.3},    {1, 1.606, 4.159, 0.7},
        {1, 221.55, 223.16, 0.9},  {1, 1.2, 230.0, 0.95},     {1, 10.5, 12.0, 0.98},
        {3.159, 1.606, 4.159, 0.4},                                   // FH05's own form, alpha >= beta
        {12.2, 1.606, 13.2, -0.7}, {12.2, 10.5, 13.2, -5.0},          // z < 0: Pfaff
        {2.5, 3.5, 1.5, 0.6},      {0.7, 1.3, 1.1, 0.9},              // Euler (a + b > c)
        {0.3, 0.4, 5.0, -20.0},
    };
    for (const auto& k : cases) {
        const double d = log_hypergeometric_2f1(k.a, k.b, k.c, k.z);
        const mp o = log_oracle(mp(k.a), mp(k.b), mp(k.c), mp(k.z));
        CHECK_MESSAGE(std::abs(d - static_cast<double>(o)) <= 1e-12 * std::max(1.0, std::abs(d)),
                      "a=" << k.a << " b=" << k.b << " c=" << k.c << " z=" << k.z << " clv=" << d << " pFq=" << o);
    }
}

TEST_CASE("2F1 parameter derivatives agree with 50-digit central differences") {
    const double h = 1e-20;
    struct case_t { double a, b, c, z; };
    for (const auto& k : {case_t{1, 0.553, 2.159, 0.05}, case_t{1, 221.55, 223.16, 0.9},
                          case_t{1, 1.606, 10001.6, 0.97}, case_t{2.5, 3.0, 7.0, 0.5}, case_t{1, 2, 3, 0.0}}) {
        const auto d = gauss_series<double, true>(k.a, k.b, k.c, k.z);
        auto f = [&](mp a, mp b, mp c, mp z) { return gauss_series<mp>(a, b, c, z).log_value; };
        const mp A(k.a), B(k.b), C(k.c), Z(k.z);
        const mp da = (f(A + h, B, C, Z) - f(A - h, B, C, Z)) / (2 * h);
        const mp db = (f(A, B + h, C, Z) - f(A, B - h, C, Z)) / (2 * h);
        const mp dc = (f(A, B, C + h, Z) - f(A, B, C - h, Z)) / (2 * h);
        const mp dz = k.z > 0 ? (f(A, B, C, Z + h) - f(A, B, C, Z - h)) / (2 * h) : mp(k.a * k.b / k.c);
        CHECK(d.d_a == doctest::Approx(static_cast<double>(da)).epsilon(1e-10));
        CHECK(d.d_b == doctest::Approx(static_cast<double>(db)).epsilon(1e-10));
        CHECK(d.d_c == doctest::Approx(static_cast<double>(dc)).epsilon(1e-10));
        CHECK(d.d_z == doctest::Approx(static_cast<double>(dz)).epsilon(1e-10));
    }
}

TEST_CASE("2F1 reports what it cannot do instead of returning a wrong number") {
    // Too close to 1 for the term budget: not converged, NaN.
    const auto slow = gauss_series<double>(1.0, 0.5, 1.6, 1 - 1e-9, 1000);
    CHECK_FALSE(slow.converged);
    CHECK(std::isnan(slow.log_value));
    // Outside the domain.
    CHECK(std::isnan(log_hypergeometric_2f1(1.0, 2.0, 3.0, 1.0)));
    CHECK(std::isnan(log_hypergeometric_2f1(-1.0, 2.0, 3.0, 0.5)));
    CHECK(std::isnan(log_hypergeometric_2f1(3.0, 3.0, 2.0, -0.5)));  // c <= a, b with z < 0
    // Very large 2F1 (beyond double range) stays finite in log space.
    const double huge = log_hypergeometric_2f1(1e4, 1001.0, 1e4 + 1, 0.95);
    CHECK(std::isfinite(huge));
    CHECK(huge > 709);
    const auto o = gauss_series<mp>(mp(1e4), mp(1001), mp(1e4 + 1), mp(0.95));  // direct, untransformed
    REQUIRE(o.converged);
    CHECK(huge == doctest::Approx(static_cast<double>(o.log_value)).epsilon(1e-13));
}
