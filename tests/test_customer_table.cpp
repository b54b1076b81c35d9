// Customer summaries: validation with locations, and compression into weighted unique rows.
#include <clv/data/customer_table.hpp>

#include <doctest/doctest.h>

#include <cmath>
#include <limits>

namespace {
clv::customer_table table_of(std::initializer_list<clv::customer_row> rows) {
    clv::customer_table t;
    int id = 0;
    for (const auto& r : rows) t.push_back("c" + std::to_string(++id), r);
    return t;
}
}  // namespace

TEST_CASE("invalid summaries are rejected naming field, value and row") {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    CHECK_THROWS_WITH_AS(table_of({{1, 2, 3}, {-1, 0, 3}}).validate("s.csv", 2),
                         doctest::Contains("s.csv:3: field 'frequency'"), clv::invalid_input);
    CHECK_THROWS_WITH_AS(table_of({{2, 5, 3}}).validate(), doctest::Contains("recency must not exceed T"),
                         clv::invalid_input);
    CHECK_THROWS_WITH_AS(table_of({{0, 1, 3}}).validate(), doctest::Contains("frequency 0"), clv::invalid_input);
    CHECK_THROWS_WITH_AS(table_of({{1, nan, 3}}).validate(), doctest::Contains("nan"), clv::invalid_input);
    CHECK_THROWS_WITH_AS(table_of({{1, 1, 3, 0, 0}}).validate(), doctest::Contains("weight"), clv::invalid_input);
    CHECK_THROWS_WITH_AS(clv::customer_table{}.validate("x.csv"), doctest::Contains("empty"), clv::invalid_input);
    auto dup = table_of({{1, 1, 3}, {1, 1, 3}});
    dup.ids[1] = dup.ids[0];
    CHECK_THROWS_WITH_AS(dup.validate("d.csv", 2), doctest::Contains("duplicate customer id"), clv::invalid_input);
    CHECK_NOTHROW(table_of({{0, 0, 3}, {2, 1.5, 3}}).validate());
}

TEST_CASE("a frequency must be a whole number below 2^53, reported through the row's location") {
    CHECK_THROWS_WITH_AS(table_of({{0.5, 0.2, 3}}).validate("f.csv", 2), doctest::Contains("f.csv:2: field 'frequency'"),
                         clv::invalid_input);
    CHECK_THROWS_WITH_AS(table_of({{2.25, 1, 3}}).validate(), doctest::Contains("whole number"), clv::invalid_input);
    CHECK_THROWS_WITH_AS(table_of({{9007199254740992.0, 1, 3}}).validate(), doctest::Contains("2^53"), clv::invalid_input);
    CHECK_THROWS_AS(table_of({{1e308, 1, 3}}).validate(), clv::invalid_input);
    CHECK_NOTHROW(table_of({{9007199254740991.0, 1, 3}}).validate());
    // A callable `where` (file readers) receives the field, so the column is named too.
    auto where = [](const char* field) {
        return clv::source_location{"s.csv", 7, std::string(field) == "frequency" ? 2u : 9u};
    };
    CHECK_THROWS_WITH_AS(clv::validate_transaction_summary(1.5, 1, 3, where), doctest::Contains("s.csv:7:2"),
                         clv::invalid_input);
}

TEST_CASE("validate refuses a table whose non-empty columns differ in length") {
    auto t = table_of({{1, 1, 3}, {0, 0, 3}});
    CHECK_NOTHROW(t.validate());
    t.monetary_value_holdout = {1.0};
    CHECK_THROWS_WITH_AS(t.validate(), doctest::Contains("monetary_value_holdout"), clv::invalid_input);
    t.monetary_value_holdout.clear();
    t.frequency_holdout = {1.0, 2.0, 3.0};
    CHECK_THROWS_WITH_AS(t.validate(), doctest::Contains("frequency_holdout"), clv::invalid_input);
    t.frequency_holdout.clear();
    t.ids.pop_back();
    CHECK_THROWS_WITH_AS(t.validate(), doctest::Contains("customer_id"), clv::invalid_input);
    t.ids.clear();  // an empty column means "not present"
    CHECK_NOTHROW(t.validate());
}

TEST_CASE("compression merges identical rows, adds weights, and maps customers back") {
    auto t = table_of({{1, 2, 5, 0, 1}, {0, 0, 5, 0, 2}, {1, 2, 5, 0, 3}, {0, 0, 4, 0, 1}});
    const auto c = clv::compress(t);
    REQUIRE(c.unique.size() == 3);
    REQUIRE(c.row_of_customer.size() == 4);
    CHECK(c.row_of_customer[0] == c.row_of_customer[2]);
    CHECK(c.unique.weight[c.row_of_customer[0]] == 4);
    CHECK(c.unique.weight[c.row_of_customer[1]] == 2);
    CHECK(c.unique.columns().total_weight() == doctest::Approx(t.columns().total_weight()));
    for (std::size_t i = 0; i < t.size(); ++i) {
        const auto u = c.unique.row(c.row_of_customer[i]);
        CHECK(u.frequency == t.frequency[i]);
        CHECK(u.recency == t.recency[i]);
        CHECK(u.T == t.T[i]);
    }
}
