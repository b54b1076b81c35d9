// analysis/attributes.hpp: joins by id with counted mismatches, column types, baskets, designs.
#include <clv/analysis/attributes.hpp>

#include "temp_file.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <string>

using clv::customer_table;

namespace {
customer_table three_customers() {
    customer_table t;
    t.push_back("a", {1, 1, 2, 10, 1});
    t.push_back("b", {0, 0, 2, 0, 1});
    t.push_back("c", {2, 1.5, 2, 20, 1});
    return t;
}
}  // namespace

TEST_CASE("attributes CSV joins by id; unmatched ids and customers without a row are counted") {
    const clv_test::temp_file file("attributes.csv",
                                   "customer_id,channel,income,zip\n"
                                   "c,web,50.5,01234\n"
                                   "a,store,,02000\n"
                                   "zz,web,10,03000\n");
    const auto joined = clv::read_attributes_csv(file.path(), three_customers(), {.categorical = {"zip"}});
    CHECK(joined.join.rows == 3);
    CHECK(joined.join.matched == 2);
    CHECK(joined.join.unmatched_rows == 1);
    CHECK(joined.join.unmatched_examples == std::vector<std::string>{"zz"});
    CHECK(joined.join.customers_without_row == 1);
    const auto& channel = joined.column("channel");
    CHECK_FALSE(channel.numeric);
    CHECK(channel.labels == std::vector<std::string>{"store", "", "web"});
    const auto& income = joined.column("income");
    REQUIRE(income.numeric);
    CHECK(std::isnan(income.numbers[0]));  // empty cell: missing
    CHECK(std::isnan(income.numbers[1]));  // no row: missing
    CHECK(income.numbers[2] == 50.5);
    CHECK_FALSE(joined.column("zip").numeric);  // forced categorical keeps the leading zero
    CHECK(joined.column("zip").labels[2] == "01234");
    CHECK_THROWS_AS((void)joined.column("age"), clv::invalid_input);
}

TEST_CASE("a join where no id matches, a duplicate id and a missing id column are clear errors") {
    const clv_test::temp_file none("none.csv", "customer_id,x\n001,1\n002,2\n");
    try {
        (void)clv::read_attributes_csv(none.path(), three_customers());
        FAIL("expected invalid_input");
    } catch (const clv::invalid_input& e) {
        CHECK(std::string(e.what()).find("none of the 2 ids") != std::string::npos);
        CHECK(std::string(e.what()).find(none.name()) != std::string::npos);
    }
    const clv_test::temp_file twice("twice.csv", "customer_id,x\na,1\nb,2\na,3\n");
    try {
        (void)clv::read_attributes_csv(twice.path(), three_customers());
        FAIL("expected invalid_input");
    } catch (const clv::invalid_input& e) {
        CHECK(e.where().line == 4);
        CHECK(std::string(e.what()).find("duplicate") != std::string::npos);
    }
    const clv_test::temp_file no_id("noid.csv", "id,x\na,1\n");
    CHECK_THROWS_AS((void)clv::read_attributes_csv(no_id.path(), three_customers()), clv::invalid_input);
}

TEST_CASE("product baskets: distinct products per customer, lines and mean amounts per product") {
    clv::product_purchases log{{0, 0, 2, 2, 2}, {"tea", "tea", "coffee", "tea", "cake"}, {2, 4, 10, 6, 3}};
    const auto b = clv::make_baskets(log, 3);
    CHECK(b.products == std::vector<std::string>{"cake", "coffee", "tea"});
    CHECK(b.of_customer[0] == std::vector<std::size_t>{2});
    CHECK(b.of_customer[1].empty());
    CHECK(b.of_customer[2] == std::vector<std::size_t>{0, 1, 2});
    CHECK(b.lines[2] == 3);
    CHECK(b.mean_amount[2] == doctest::Approx(4.0));
    CHECK_THROWS_WITH_AS(clv::make_baskets(clv::product_purchases{}, 3), doctest::Contains("needs a transaction log with a product"),
                         clv::invalid_input);  // no product column
    CHECK_THROWS_AS(clv::make_baskets(clv::product_purchases{{5}, {"tea"}, {}}, 3), clv::invalid_input);
}

TEST_CASE("regression design: intercept, numeric as is, categories against the most frequent level") {
    clv::attribute_rows rows;
    rows.ids = {"a", "b", "c"};
    rows.column_names = {"channel", "income"};
    rows.cells = {{"web", "store", "web"}, {"1", "2", ""}};
    const auto joined = clv::join_attributes(three_customers(), rows);
    const auto d = clv::make_design(joined);
    // a (web) and b (store) remain: a tie, broken by name order, makes "store" the reference
    CHECK(d.names == std::vector<std::string>{"(intercept)", "channel=web", "income"});
    CHECK(d.reference_levels == std::vector<std::string>{"channel=store"});
    CHECK(d.left_out_missing == 1);  // c has no income
    CHECK(d.customers == std::vector<std::size_t>{0, 1});
    CHECK(d.x(0, 1) == 1);
    CHECK(d.x(1, 1) == 0);
    CHECK(d.x(1, 2) == 2);
}
