// analysis/profile.hpp: group against rest, counted by hand.
#include <clv/analysis/profile.hpp>

#include <doctest/doctest.h>

#include <string>

using doctest::Approx;

namespace {
/// Ten customers c0..c9; the group is c0..c3.
clv::customer_attributes ten_customers() {
    clv::customer_table t;
    for (int i = 0; i < 10; ++i) t.push_back("c" + std::to_string(i), {0, 0, 5, 0, 1});
    clv::attribute_rows rows;
    rows.ids = {"c0", "c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8", "c9"};
    rows.column_names = {"channel", "income"};
    rows.cells = {{"web", "web", "web", "store", "web", "store", "store", "store", "store", ""},
                  {"1", "2", "3", "4", "10", "11", "12", "13", "14", "15"}};
    return clv::join_attributes(t, rows);
}
const std::vector<bool> first_four{true, true, true, true, false, false, false, false, false, false};
}  // namespace

TEST_CASE("categorical shares: 3 of 4 web in the group, 1 of 5 known in the rest; chi-square by the 2x2 formula") {
    const auto p = clv::profile_groups(ten_customers(), first_four);
    CHECK(p.group_size == 4);
    CHECK(p.rest_size == 6);
    REQUIRE(p.categorical.size() == 2);
    const auto& store = p.categorical[0];
    const auto& web = p.categorical[1];
    CHECK(web.level == "web");
    CHECK(web.group_count == 3);
    CHECK(web.rest_count == 1);
    CHECK(web.group_share.estimate == Approx(0.75));
    CHECK(web.rest_share.estimate == Approx(0.2));  // c9 has no channel: 1 of 5
    CHECK(web.difference.difference == Approx(0.55));
    CHECK(store.group_share.estimate == Approx(0.25));
    // [[3, 1], [1, 4]]: N (ad - bc)^2 / (r1 r2 c1 c2) = 9 x 121 / (4 x 5 x 4 x 5)
    REQUIRE(p.associations.size() == 1);
    CHECK(p.associations[0].test.statistic == Approx(9.0 * 121 / 400).epsilon(1e-12));
}

TEST_CASE("numeric rows: means, medians and Welch's difference of the two sides") {
    const auto p = clv::profile_groups(ten_customers(), first_four);
    REQUIRE(p.numeric.size() == 1);
    const auto& income = p.numeric[0];
    CHECK(income.group_mean.mean == Approx(2.5));
    CHECK(income.rest_mean.mean == Approx(12.5));
    CHECK(income.group_median.estimate == Approx(2.5));
    CHECK(income.rest_median.estimate == Approx(12.5));
    CHECK(income.difference.difference == Approx(-10.0));
    // variances 5/3 and 3.5, n 4 and 6: se^2 = 5/12 + 3.5/6
    CHECK(income.difference.statistic == Approx(-10.0 / std::sqrt(5.0 / 12 + 3.5 / 6)).epsilon(1e-12));
}

TEST_CASE("an empty group, a group of everyone or a mask of the wrong length is refused") {
    const auto a = ten_customers();
    CHECK_THROWS_WITH_AS(clv::profile_groups(a, std::vector<bool>(10, false)), doctest::Contains("the group is empty"), clv::invalid_input);
    CHECK_THROWS_WITH_AS(clv::profile_groups(a, std::vector<bool>(10, true)), doctest::Contains("no rest to compare with"), clv::invalid_input);
    CHECK_THROWS_WITH_AS(clv::profile_groups(a, std::vector<bool>(9, true)), doctest::Contains("one membership flag per customer"), clv::invalid_input);
}

TEST_CASE("product profile: buyer shares per side and shares of purchase lines") {
    // group c0..c3 all buy tea (c0 twice); rest: c4 buys tea, c5 and c6 coffee
    clv::product_purchases log{{0, 0, 1, 2, 3, 4, 5, 6, 0}, {"tea", "tea", "tea", "tea", "tea", "tea", "coffee", "coffee", "cake"}, {}};
    const auto rows = clv::profile_products(log, first_four);
    REQUIRE(rows.size() == 3);
    CHECK(rows[0].product == "tea");  // largest difference first: 4/4 - 1/6
    CHECK(rows[0].group_share.estimate == Approx(1.0));
    CHECK(rows[0].rest_share.estimate == Approx(1.0 / 6));
    CHECK(rows[0].group_line_share == Approx(5.0 / 6));  // 5 of the group's 6 lines
    CHECK(rows[0].rest_line_share == Approx(1.0 / 3));
    CHECK_THROWS_AS(clv::profile_products(clv::product_purchases{}, first_four), clv::invalid_input);
}
