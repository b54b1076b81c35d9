// analysis/cohorts.hpp: cohort rows counted by hand, month labels from day numbers.
#include <clv/analysis/cohorts.hpp>

#include <doctest/doctest.h>

using doctest::Approx;

TEST_CASE("acquisition months from first-purchase days") {
    const std::vector<std::int64_t> days{0, *clv::day_number(1997, 3, 31), *clv::day_number(1997, 1, 1)};
    CHECK(clv::acquisition_months(days) == std::vector<std::string>{"1970-01", "1997-03", "1997-01"});
}

TEST_CASE("cohort rows: customers, mean P(alive), mean and total CLV, value share, observed retention") {
    const std::vector<std::string> cohort{"A", "A", "B", "B", "B", ""};
    const std::vector<double> alive{1, 0.5, 0.2, 0.4, 0.6, 1}, clv{10, 20, 1, 2, 3, 100};
    const std::vector<bool> retained{true, false, false, true, true, true};
    const auto t = clv::cohort_summary(cohort, alive, clv, retained);
    CHECK(t.customers_without_cohort == 1);
    REQUIRE(t.rows.size() == 2);
    CHECK(t.rows[0].cohort == "A");
    CHECK(t.rows[0].customers == 2);
    CHECK(t.rows[0].probability_alive.mean == Approx(0.75));
    CHECK(t.rows[0].clv.mean == Approx(15));
    CHECK(t.rows[0].total_clv == Approx(30));
    CHECK(t.rows[0].value_share == Approx(30.0 / 136));
    CHECK(t.rows[0].retention.estimate == Approx(0.5));
    CHECK(t.rows[1].probability_alive.mean == Approx(0.4));
    CHECK(t.rows[1].retention.estimate == Approx(2.0 / 3));
    const auto expected_only = clv::cohort_summary(cohort, alive, clv);
    CHECK(std::isnan(expected_only.rows[0].retention.estimate));
    CHECK_THROWS_WITH_AS(clv::cohort_summary(std::vector<std::string>(6, ""), alive, clv), doctest::Contains("no customer has a cohort label"),
                         clv::invalid_input);
    CHECK_THROWS_AS(clv::cohort_summary(cohort, std::span(alive).first(5), clv), clv::invalid_input);
}

TEST_CASE("observed retention needs holdout columns") {
    clv::customer_table t;
    t.push_back("a", {1, 1, 2, 5, 1});
    t.push_back("b", {0, 0, 2, 0, 1});
    CHECK_THROWS_AS(clv::retained_in_holdout(t), clv::invalid_input);
    t.frequency_holdout = {2, 0};
    t.duration_holdout = {3, 3};
    t.monetary_value_holdout = {1, 0};
    CHECK(clv::retained_in_holdout(t) == std::vector<bool>{true, false});
}
