// analysis/value_analysis.hpp on values whose deciles, Gini and top shares are known in closed form.
#include <clv/analysis/value_analysis.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <random>
#include <string>

using doctest::Approx;

namespace {
/// The values 1..100 in a shuffled order.
std::vector<double> one_to_hundred() {
    std::vector<double> v(100);
    for (int i = 0; i < 100; ++i) v[i] = i + 1;
    std::mt19937 rng(3);
    std::shuffle(v.begin(), v.end(), rng);
    return v;
}
}  // namespace

TEST_CASE("ranking and deciles of 1..100: the top decile is 91..100, 955 of 5050") {
    const auto v = one_to_hundred();
    const auto order = clv::rank_by_value(v);
    CHECK(v[order.front()] == 100);
    CHECK(v[order.back()] == 1);
    const auto deciles = clv::value_deciles(v);
    REQUIRE(deciles.size() == 10);
    CHECK(deciles[0].customers == 10);
    CHECK(deciles[0].total == Approx(955));
    CHECK(deciles[0].mean == Approx(95.5));
    CHECK(deciles[0].share == Approx(955.0 / 5050));
    CHECK(deciles[0].lowest == 91);
    CHECK(deciles[9].total == Approx(55));
    double shares = 0;
    for (const auto& d : deciles) shares += d.share;
    CHECK(shares == Approx(1.0));
    // 7 customers in 3 groups: sizes 2, 2, 3 (floor(k n / 3) boundaries)
    const auto thirds = clv::value_deciles(std::vector<double>{1, 2, 3, 4, 5, 6, 7}, 3);
    CHECK(thirds[0].customers == 2);
    CHECK(thirds[2].customers == 3);
    CHECK_THROWS_AS(clv::value_deciles(std::vector<double>{1, 2}, 3), clv::invalid_input);
    CHECK_THROWS_AS(clv::rank_by_value(std::vector<double>{}), clv::invalid_input);
}

TEST_CASE("concentration of 1..n: Gini (n - 1) / (3n), top 10 % share 955 / 5050") {
    const auto c = clv::concentrate_value(one_to_hundred(), {0.1, 0.5});
    CHECK(c.gini == Approx(99.0 / 300).epsilon(1e-12));
    CHECK(c.total == Approx(5050));
    CHECK(c.top_shares[0] == Approx(955.0 / 5050));
    CHECK(c.top_shares[1] == Approx(3775.0 / 5050));  // 51..100
    CHECK(c.lorenz[50].value_share == Approx(1275.0 / 5050));
}

TEST_CASE("profile of the top 10 %: attributes and products of the most valuable customers") {
    const auto v = one_to_hundred();
    clv::customer_table t;
    clv::attribute_rows rows;
    rows.column_names = {"tier", "visits"};
    rows.cells.resize(2);
    clv::product_purchases log;
    for (std::size_t i = 0; i < v.size(); ++i) {
        const std::string id = "c" + std::to_string(i);
        t.push_back(id, {1, 1, 2, v[i], 1});
        rows.ids.push_back(id);
        rows.cells[0].push_back(v[i] > 90 ? "gold" : (v[i] > 80 ? "gold" : "basic"));  // gold: top 20
        rows.cells[1].push_back(std::to_string(v[i] / 10));
        log.customer.push_back(i);
        log.product.push_back(v[i] > 95 ? "premium" : "standard");
    }
    const auto attributes = clv::join_attributes(t, rows);
    const auto p = clv::profile_top_customers(v, &attributes, &log, 0.1);
    CHECK(p.top_count == 10);
    CHECK(p.lowest_top_value == 91);
    CHECK(p.top_share == Approx(955.0 / 5050));
    const auto gold = std::find_if(p.attributes.categorical.begin(), p.attributes.categorical.end(),
                                   [](const auto& r) { return r.level == "gold"; });
    REQUIRE(gold != p.attributes.categorical.end());
    CHECK(gold->group_share.estimate == Approx(1.0));
    CHECK(gold->rest_share.estimate == Approx(10.0 / 90));
    REQUIRE(p.attributes.numeric.size() == 1);
    CHECK(p.attributes.numeric[0].group_mean.mean == Approx(9.55));
    CHECK(p.attributes.numeric[0].rest_mean.mean == Approx(45.5 / 10));
    const auto premium = std::find_if(p.products.begin(), p.products.end(), [](const auto& r) { return r.product == "premium"; });
    REQUIRE(premium != p.products.end());
    CHECK(premium->group_share.estimate == Approx(0.5));
    CHECK(premium->rest_share.estimate == Approx(0.0));
    // no attributes and no products: only the value figures
    const auto bare = clv::profile_top_customers(v, nullptr, nullptr, 0.2);
    CHECK(bare.top_count == 20);
    CHECK(bare.attributes.categorical.empty());
    const clv::product_purchases none;
    CHECK_THROWS_AS(clv::profile_top_customers(v, nullptr, &none, 0.1), clv::invalid_input);
    CHECK_THROWS_AS(clv::top_customers(v, 1.0), clv::invalid_input);
}
