// The frequency x recency grid (analysis/matrix.hpp) against the BG/NBD closed forms computed
// independently: P(alive) (FHL 2008 note, eq. 2) and the conditional expectation (FHL 2005 eq. 10).
#include <clv/analysis/matrix.hpp>
#include <clv/models/bg_bb.hpp>
#include <clv/models/bg_nbd.hpp>

#include "diagnostics_oracle.hpp"

#include <cmath>

TEST_CASE("BG/NBD frequency x recency matrices equal the closed forms cell by cell") {
    const auto& p = clv_oracle::fhl_cdnow;
    const clv::bg_nbd<> model({p.r, p.alpha, p.a, p.b});
    const double T = 38.5;
    const auto alive = clv::make_frequency_recency_matrix(model, clv::matrix_quantity::probability_alive, T, 0, 10, 2);
    REQUIRE(alive.frequencies.size() == 11);
    REQUIRE(alive.recencies.size() == 21);  // 0, 2, ..., 38 and T itself
    CHECK(alive.recencies.back() == T);
    const auto expected = clv::make_frequency_recency_matrix(model, clv::matrix_quantity::expected_transactions, T, 39, 10, 2);
    for (std::size_t f = 0; f < alive.frequencies.size(); ++f) {
        for (std::size_t j = 0; j < alive.recencies.size(); ++j) {
            const double x = alive.frequencies[f], t_x = alive.recencies[j];
            CAPTURE(x);
            CAPTURE(t_x);
            if (x == 0 && t_x > 0) {  // no such customer
                CHECK(std::isnan(alive.values[f][j]));
                CHECK(std::isnan(expected.values[f][j]));
                continue;
            }
            CHECK(alive.values[f][j] == doctest::Approx(clv_oracle::probability_alive(p, x, t_x, T)).epsilon(1e-12));
            CHECK(expected.values[f][j] == doctest::Approx(clv_oracle::conditional_expectation(p, 39, x, t_x, T)).epsilon(1e-9));
        }
    }
}

TEST_CASE("matrix arguments are checked") {
    const clv::bg_nbd<> model({0.243, 4.414, 0.793, 2.426});
    using q = clv::matrix_quantity;
    CHECK_THROWS_AS(clv::make_frequency_recency_matrix(model, q::probability_alive, 0), clv::invalid_input);
    CHECK_THROWS_AS(clv::make_frequency_recency_matrix(model, q::probability_alive, 10, -1), clv::invalid_input);
    CHECK_THROWS_AS(clv::make_frequency_recency_matrix(model, q::probability_alive, 10, 1, 5, 0), clv::invalid_input);
    CHECK_THROWS_AS(clv::make_frequency_recency_matrix(model, q::probability_alive, 10, 1, 0), clv::invalid_input);
    CHECK(clv::parse_matrix_quantity("expected_transactions") == q::expected_transactions);
    CHECK_THROWS_AS(clv::parse_matrix_quantity("alive"), clv::invalid_input);
}

TEST_CASE("BG/BB matrix: only histories with frequency <= recency <= n have a value") {
    const clv::bg_bb<> model({1.204, 0.750, 0.657, 2.783});
    const auto grid = clv::make_frequency_recency_matrix(model, clv::matrix_quantity::probability_alive, 6, 0, 6);
    REQUIRE(grid.recencies.size() == 7);
    for (std::size_t x = 0; x <= 6; ++x)
        for (std::size_t t_x = 0; t_x <= 6; ++t_x) {
            CAPTURE(x);
            CAPTURE(t_x);
            const bool possible = x == 0 ? t_x == 0 : x <= t_x;
            CHECK(std::isnan(grid.values[x][t_x]) == !possible);
            if (possible) CHECK(grid.values[x][t_x] == doctest::Approx(model.probability_alive(double(x), double(t_x), 6.0)));
        }
}
