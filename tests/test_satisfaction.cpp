// analysis/satisfaction.hpp: correlations by the no-ties formula, bands counted by hand, and the
// regression against a simulation's true coefficients.
#include <clv/analysis/satisfaction.hpp>

#include <doctest/doctest.h>

#include <random>
#include <string>

using doctest::Approx;

namespace {
clv::customer_attributes survey_of(const std::vector<std::vector<std::string>>& cells, const std::vector<std::string>& names) {
    clv::customer_table t;
    clv::attribute_rows rows;
    rows.column_names = names;
    rows.cells = cells;
    for (std::size_t i = 0; i < cells.front().size(); ++i) {
        t.push_back("c" + std::to_string(i), {0, 0, 5, 0, 1});
        rows.ids.push_back("c" + std::to_string(i));
    }
    return clv::join_attributes(t, rows);
}
}  // namespace

TEST_CASE("score correlations: scores with each other and with measures; 1 - 6 sum d^2 / (n (n^2 - 1))") {
    const auto survey = survey_of({{"1", "2", "3", "4", "5"}, {"2", "4", "6", "8", "10"}, {"web", "web", "x", "y", "z"}},
                                  {"satisfaction", "recommend", "channel"});
    const std::vector<double> clv{2, 1, 4, 3, 5}, alive{0.5, 0.5, 0.5, 0.5, NAN};
    const auto rows = clv::score_correlations(survey, {{"clv", clv}, {"p_alive", alive}});
    REQUIRE(rows.size() == 5);  // sat-rec, sat-clv, sat-alive, rec-clv, rec-alive; no text column, no clv-alive
    CHECK(rows[0].first == "satisfaction");
    CHECK(rows[0].second == "recommend");
    CHECK(rows[0].estimate.rho == Approx(1.0));
    CHECK(rows[1].second == "clv");
    CHECK(rows[1].estimate.rho == Approx(1 - 6.0 * 4 / (5 * 24)));
    CHECK(rows[2].estimate.n == 4);  // the customer without P(alive) is left out
    CHECK(std::isnan(rows[2].estimate.rho));
    CHECK(rows[2].note.find("constant") != std::string::npos);
    CHECK_THROWS_AS(clv::score_correlations(survey, {}, {"channel"}), clv::invalid_input);
    CHECK_THROWS_AS(clv::score_correlations(survey, {{"clv", std::span(clv).first(3)}}), clv::invalid_input);
}

TEST_CASE("value by score band: one band per value of a short scale, quintiles of a long one") {
    std::vector<std::string> short_scale, long_scale;
    std::vector<double> value, alive;
    for (int i = 0; i < 100; ++i) {
        short_scale.push_back(std::to_string(1 + i % 5));
        long_scale.push_back(std::to_string(i + 1));
        value.push_back(10.0 * (1 + i % 5));
        alive.push_back(0.1 * (1 + i % 5));
    }
    const auto survey = survey_of({short_scale, long_scale}, {"satisfaction", "spend_rank"});
    const auto bands = clv::value_by_score_band(survey, "satisfaction", value, alive);
    REQUIRE(bands.size() == 5);
    CHECK(bands[2].band == "3");
    CHECK(bands[2].customers == 20);
    CHECK(bands[2].value.mean == Approx(30.0));
    CHECK(bands[2].probability_alive.mean == Approx(0.3));
    const auto quintiles = clv::value_by_score_band(survey, "spend_rank", value, alive);
    REQUIRE(quintiles.size() == 5);
    for (const auto& b : quintiles) CHECK(b.customers == 20);
    CHECK(quintiles[0].band == "1 to 20");
    CHECK(quintiles[0].value.mean == Approx(30.0));  // 1..20 cycle through every satisfaction value 4 times
}

TEST_CASE("value on scores: least squares recovers simulated effects; collinear scores are named") {
    std::mt19937_64 rng(9);
    std::uniform_int_distribution<int> score(0, 10);
    std::normal_distribution<double> noise(0, 1);
    std::vector<std::string> sat, brand, doubled;
    std::vector<double> value;
    for (int i = 0; i < 500; ++i) {
        const int s = score(rng), b = score(rng);
        sat.push_back(std::to_string(s));
        brand.push_back(std::to_string(b));
        doubled.push_back(std::to_string(2 * s));
        value.push_back(5 + 4.0 * s - 1.0 * b + noise(rng));
    }
    const auto survey = survey_of({sat, brand, doubled}, {"satisfaction", "brand", "satisfaction_x2"});
    const auto fit = clv::regress_value_on_scores(survey, value, {"satisfaction", "brand"});
    REQUIRE(fit.model.terms.size() == 3);
    CHECK(fit.model.terms[1].lower < 4.0);
    CHECK(fit.model.terms[1].upper > 4.0);
    CHECK(fit.model.terms[2].lower < -1.0);
    CHECK(fit.model.terms[2].upper > -1.0);
    CHECK(fit.model.terms[1].upper - fit.model.terms[1].lower < 0.1);
    try {
        (void)clv::regress_value_on_scores(survey, value);
        FAIL("expected invalid_input");
    } catch (const clv::invalid_input& e) {
        CHECK(std::string(e.what()).find("linear combination") != std::string::npos);
    }
}
