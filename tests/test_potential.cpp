// analysis/potential.hpp: segment benchmarks and gains worked by hand, co-purchase rules counted by
// hand, cross-sell candidates, and the drivers regression on a gain that is exactly linear.
#include <clv/analysis/potential.hpp>

#include <doctest/doctest.h>

#include <string>

using doctest::Approx;

TEST_CASE("potential: gap to the segment's upper quartile times P(alive); small and missing segments counted") {
    std::vector<double> measure, alive;
    std::vector<std::string> segment;
    for (int v = 1; v <= 8; ++v) {
        measure.push_back(v);
        alive.push_back(0.5);
        segment.push_back("north");
    }
    for (int v = 0; v < 3; ++v) {
        measure.push_back(1);
        alive.push_back(1);
        segment.push_back("south");  // 3 < 5 customers: no benchmark
    }
    measure.push_back(0);
    alive.push_back(1);
    segment.push_back("");
    const auto p = clv::spending_potential(measure, alive, segment);
    REQUIRE(p.segments.size() == 1);
    CHECK(p.segments[0].target == Approx(6.25));  // type 7: 6 + 0.25 (7 - 6)
    CHECK(p.segments[0].mean == Approx(4.5));
    CHECK(p.customers_in_small_segments == 3);
    CHECK(p.customers_without_segment == 1);
    REQUIRE(p.customers.size() == 6);  // measures 1..6 are below 6.25
    CHECK(p.customers[0].customer == 0);
    CHECK(p.customers[0].gap == Approx(5.25));
    CHECK(p.customers[0].expected_gain == Approx(2.625));
    CHECK(p.total_expected_gain == Approx(0.5 * (5.25 + 4.25 + 3.25 + 2.25 + 1.25 + 0.25)));
    CHECK(p.expected_gain[7] == 0.0);
    CHECK(std::isnan(p.expected_gain[8]));
    CHECK_THROWS_AS(clv::spending_potential(std::span(measure).subspan(8), std::span(alive).subspan(8),
                                            std::vector<std::string>(segment.begin() + 8, segment.end())),
                    clv::invalid_input);  // no segment large enough
}

TEST_CASE("co-purchase rules: support, confidence and lift counted by hand") {
    // 10 customers: 0..5 buy tea, 0..2 also cake, 6 and 7 coffee, 8 and 9 nothing
    clv::product_purchases log;
    for (std::size_t i = 0; i < 6; ++i) log.customer.push_back(i), log.product.push_back("tea"), log.amount.push_back(4);
    for (std::size_t i = 0; i < 3; ++i) log.customer.push_back(i), log.product.push_back("cake"), log.amount.push_back(i == 0 ? 2 : 5);
    for (std::size_t i = 6; i < 8; ++i) log.customer.push_back(i), log.product.push_back("coffee"), log.amount.push_back(3);
    const auto rules = clv::co_purchase_rules(log, 10);
    REQUIRE(rules.size() == 2);
    const auto& cake_tea = rules[0].antecedent == "cake" ? rules[0] : rules[1];
    const auto& tea_cake = rules[0].antecedent == "tea" ? rules[0] : rules[1];
    CHECK(cake_tea.support == Approx(0.3));
    CHECK(cake_tea.confidence == Approx(1.0));
    CHECK(cake_tea.lift == Approx(1.0 / 0.6));
    CHECK(tea_cake.confidence == Approx(0.5));
    CHECK(tea_cake.lift == Approx(0.5 / 0.3));

    std::vector<double> alive(10, 0.8);
    const auto candidates = clv::cross_sell_candidates(log, alive, {.min_both = 3, .min_lift = 1.0, .per_customer = 3});
    REQUIRE(candidates.size() == 3);  // tea-only customers 3, 4, 5 get cake
    for (const auto& c : candidates) {
        CHECK(c.product == "cake");
        CHECK(c.because_of == "tea");
        CHECK(c.value_per_purchase == Approx(4.0));  // mean cake line (2 + 5 + 5) / 3
        CHECK(c.expected_gain == Approx(0.8 * 0.5 * 4.0));
    }
    CHECK(clv::cross_sell_candidates(log, alive, {.min_both = 4}).empty());  // only 3 bought both
    CHECK_THROWS_WITH_AS(clv::co_purchase_rules(clv::product_purchases{}, 10), doctest::Contains("no product lines"), clv::invalid_input);
}

TEST_CASE("potential drivers: a gain exactly linear in an attribute gives its coefficients") {
    clv::customer_table t;
    clv::attribute_rows rows;
    rows.column_names = {"visits"};
    rows.cells.resize(1);
    std::vector<double> measure, alive;
    for (int i = 0; i < 12; ++i) {
        const std::string id = "c" + std::to_string(i);
        t.push_back(id, {0, 0, 5, 0, 1});
        rows.ids.push_back(id);
        rows.cells[0].push_back(std::to_string(i % 4));
        measure.push_back(2.0 * (i % 4));
        alive.push_back(1.0);
    }
    // target = the maximum (6): gain = 6 - 2 visits for every customer
    const auto p = clv::spending_potential(measure, alive, {}, {.target_quantile = 1.0});
    const auto fit = clv::potential_drivers(clv::join_attributes(t, rows), p);
    REQUIRE(fit.model.terms.size() == 2);
    CHECK(fit.model.terms[0].coefficient == Approx(6.0));
    CHECK(fit.model.terms[1].coefficient == Approx(-2.0));
    CHECK(fit.model.r_squared == Approx(1.0));
}
