// Simple CLV and the retention form against MISSION.md's industry table and closed forms.
#include <clv/value/simple_clv.hpp>

#include <doctest/doctest.h>

#include <cmath>

TEST_CASE("simple CLV reproduces the ten industry rows of MISSION.md exactly") {
    struct row { double aov, per_year, years, value; };
    const row rows[] = {{40, 8, 2, 640},     {300, 2, 5, 3000},  {25, 12, 1.5, 450}, {60, 6, 3, 1080},
                        {20, 4, 4, 320},     {1000, 1, 7, 7000}, {80, 5, 2, 800},    {500, 1.5, 6, 4500},
                        {200, 1, 3, 600},    {150, 2, 4, 1200}};
    for (const auto& r : rows) {
        CAPTURE(r.aov);
        CHECK(clv::simple_clv(r.aov, r.per_year, r.years) == doctest::Approx(r.value).epsilon(1e-12));
    }
    CHECK(clv::simple_clv(50, 4, 3) == doctest::Approx(600).epsilon(1e-12));
}

TEST_CASE("gross margin scales the value") {
    CHECK(clv::simple_clv(50, 4, 3, 0.3) == doctest::Approx(180).epsilon(1e-12));
}

TEST_CASE("yearly discounting of the simple form is the annuity sum") {
    // 200 a year for 3 years at 10 %, received at the end of each year.
    const double d = 0.1, cash = 200;
    const double annuity = cash * (1 - std::pow(1 + d, -3)) / d;
    CHECK(clv::simple_clv(50, 4, 3, 1.0, d) == doctest::Approx(annuity).epsilon(1e-12));
    // A partial last year counts with its fraction: 1.5 years = one year + half a year's cash.
    CHECK(clv::simple_clv(50, 4, 1.5, 1.0, d) == doctest::Approx(cash / 1.1 + 0.5 * cash / 1.21).epsilon(1e-12));
}

TEST_CASE("retention form matches Gupta & Lehmann's closed forms") {
    SUBCASE("margin at the end of each period: m r / (1 + d - r)") {
        CHECK(clv::retention_clv(100, 0.8, 0.1) == doctest::Approx(100 * 0.8 / (1.1 - 0.8)).epsilon(1e-12));
        CHECK(clv::retention_clv(75, 0.35, 0.3) == doctest::Approx(75 * 0.35 / (1.3 - 0.35)).epsilon(1e-12));
    }
    SUBCASE("margin at the start of each period: m (1 + d) / (1 + d - r)") {
        CHECK(clv::retention_clv(100, 0.8, 0.1, clv::margin_timing::start) ==
              doctest::Approx(100 * 1.1 / (1.1 - 0.8)).epsilon(1e-12));
    }
    SUBCASE("finite horizon is the partial geometric sum") {
        const double q = 0.8 / 1.1;
        const double expected = 100 * q * (1 - std::pow(q, 5)) / (1 - q);
        CHECK(clv::retention_clv(100, 0.8, 0.1, clv::margin_timing::end, 5) == doctest::Approx(expected).epsilon(1e-12));
    }
    SUBCASE("retention 1 without discount diverges and says so") {
        CHECK_THROWS_AS(clv::retention_clv(100, 1.0, 0.0), clv::invalid_input);
        CHECK(clv::retention_clv(100, 1.0, 0.0, clv::margin_timing::end, 10) == doctest::Approx(1000));
    }
}

TEST_CASE("bad inputs are rejected with the field named") {
    CHECK_THROWS_WITH_AS(clv::simple_clv(50, 4, -3), doctest::Contains("lifetime"), clv::invalid_input);
    CHECK_THROWS_WITH_AS(clv::simple_clv(-50, 4, 3), doctest::Contains("order value"), clv::invalid_input);
    CHECK_THROWS_WITH_AS(clv::simple_clv(50, NAN, 3), doctest::Contains("purchases"), clv::invalid_input);
    CHECK_THROWS_WITH_AS(clv::simple_clv(50, 4, 3, 1.5), doctest::Contains("margin"), clv::invalid_input);
    CHECK_THROWS_WITH_AS(clv::simple_clv(50, 4, 3, 1, -0.1), doctest::Contains("discount"), clv::invalid_input);
    CHECK_THROWS_WITH_AS(clv::retention_clv(100, 1.5, 0.1), doctest::Contains("retention"), clv::invalid_input);
}

TEST_CASE("per-customer simple CLV uses each customer's own order value and rate") {
    clv::customer_table t;
    t.push_back("a", {4, 40, 52, 25.0, 1});  // 4 repeat purchases in 52 weeks: 4 a year at 25
    t.push_back("b", {0, 0, 10, 0.0, 1});
    const auto v = clv::simple_clv_per_customer(t, 52.0, 2.0);
    REQUIRE(v.size() == 2);
    CHECK(v[0] == doctest::Approx(25 * 4 * 2));
    CHECK(v[1] == 0);
}
