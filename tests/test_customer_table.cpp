// Customer summaries: validation with locations, and compression into weighted unique rows.
#include <clv/data/customer_table.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

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

TEST_CASE("compression groups like a brute-force map of the rows: sorted, weights summed, every customer mapped") {
    std::mt19937_64 random(5);
    for (int trial = 0; trial < 50; ++trial) {
        const std::size_t n = 1 + random() % 5000;
        const int spread = 1 + static_cast<int>(random() % 40);  // few or many distinct rows
        clv::customer_table t;
        for (std::size_t i = 0; i < n; ++i) {
            const double x = static_cast<double>(random() % 4), T = 10 + static_cast<double>(random() % spread);
            double t_x = x == 0 ? 0.0 : static_cast<double>(random() % static_cast<std::uint64_t>(T)) / 7.0;
            if (x == 0 && random() % 2) t_x = -0.0;  // equal to 0: the same row
            t.push_back("", {x, t_x, T, 0.0, 1.0 + static_cast<double>(random() % 3)});
        }
        std::map<std::tuple<double, double, double>, double> expected;
        for (std::size_t i = 0; i < n; ++i) expected[{t.frequency[i], t.recency[i] + 0.0, t.T[i]}] += t.weight[i];
        const auto c = clv::compress(t);
        REQUIRE(c.unique.size() == expected.size());
        std::size_t r = 0;
        for (const auto& [k, w] : expected) {
            CHECK(c.unique.frequency[r] == std::get<0>(k));
            CHECK(c.unique.recency[r] == std::get<1>(k));
            CHECK(c.unique.T[r] == std::get<2>(k));
            CHECK(c.unique.weight[r] == w);
            ++r;
        }
        for (std::size_t i = 0; i < n; ++i) {
            const std::size_t u = c.row_of_customer[i];
            REQUIRE(u < c.unique.size());
            CHECK(c.unique.frequency[u] == t.frequency[i]);
            CHECK(c.unique.recency[u] == t.recency[i]);
            CHECK(c.unique.T[u] == t.T[i]);
        }
    }
    CHECK(clv::compress(clv::customer_table{}).unique.size() == 0);
}

TEST_CASE("summary_compressor fed in chunks gives the rows of compress on the whole table, past any reserve") {
    std::mt19937_64 random(9);
    clv::customer_table t;
    for (int i = 0; i < 20000; ++i) {  // about 8,000 distinct rows: the table grows several times
        const double x = static_cast<double>(random() % 6), T = 20 + static_cast<double>(random() % 60);
        const double t_x = x == 0 ? 0.0 : static_cast<double>(random() % static_cast<std::uint64_t>(T * 7)) / 7.0;
        t.push_back("", {x, t_x, T, 0.0, 1.0 + static_cast<double>(random() % 2)});
    }
    std::map<std::tuple<double, double, double>, double> expected;  // brute force
    for (std::size_t i = 0; i < t.size(); ++i) expected[{t.frequency[i], t.recency[i], t.T[i]}] += t.weight[i];
    for (const std::size_t chunk_rows : {1, 333, 20000}) {
        CAPTURE(chunk_rows);
        clv::summary_compressor compressor;
        std::vector<std::uint32_t> group_of(t.size());
        for (std::size_t begin = 0; begin < t.size(); begin += chunk_rows) {
            clv::customer_table chunk;
            for (std::size_t i = begin; i < std::min(t.size(), begin + chunk_rows); ++i) chunk.push_back("", t.row(i));
            compressor.add(chunk, group_of.data() + begin);
        }
        CHECK(compressor.customers() == t.size());
        std::vector<std::uint32_t> row_of_group;
        const clv::customer_table unique = compressor.finish(&row_of_group);
        REQUIRE(unique.size() == expected.size());
        std::size_t r = 0;
        for (const auto& [k, w] : expected) {
            CHECK(unique.frequency[r] == std::get<0>(k));
            CHECK(unique.recency[r] == std::get<1>(k));
            CHECK(unique.T[r] == std::get<2>(k));
            CHECK(unique.weight[r] == w);
            ++r;
        }
        std::size_t mapped_wrong = 0;  // counted, not checked one by one: 20,000 customers
        for (std::size_t i = 0; i < t.size(); ++i) {
            const std::uint32_t row = row_of_group[group_of[i]];
            if (unique.frequency[row] != t.frequency[i] || unique.recency[row] != t.recency[i] || unique.T[row] != t.T[i])
                ++mapped_wrong;
        }
        CHECK(mapped_wrong == 0);
        CHECK(compressor.customers() == 0);  // finish leaves it empty
    }
}

TEST_CASE("unique_id_check finds the first repeated id and its earlier row, as a brute-force search does") {
    std::mt19937_64 random(11);
    for (int trial = 0; trial < 200; ++trial) {
        // Ascending runs (no hashing) that break at a random row, short and long ids, empty ids.
        const std::size_t n = 1 + random() % 3000;
        const std::size_t sorted_prefix = random() % (n + 1);
        const std::size_t alphabet = 1 + random() % (2 * n);
        std::vector<std::string> ids(n);
        for (std::size_t i = 0; i < n; ++i)
            ids[i] = i < sorted_prefix ? std::to_string(i + 1) : random() % 50 == 0 ? "" : std::to_string(1 + random() % alphabet);
        std::optional<std::pair<std::size_t, std::size_t>> expected;  // (row, earlier row)
        std::map<std::string, std::size_t> first_row;
        for (std::size_t i = 0; i < n && !expected; ++i) {
            if (ids[i].empty()) continue;
            const auto [it, inserted] = first_row.try_emplace(ids[i], i);
            if (!inserted) expected = std::pair{i, it->second};
        }
        clv::unique_id_check check;
        std::optional<std::pair<std::size_t, std::size_t>> found;
        for (std::size_t i = 0; i < n && !found; ++i)
            if (const auto earlier = check.add(ids, i)) found = std::pair{i, *earlier};
        clv::unique_id_check whole;
        const auto expected_row = expected ? std::optional<std::size_t>(expected->first) : std::nullopt;
        CHECK(whole.first_repeat(ids) == expected_row);
        // The same ids kept back to back in an id_arena, added in two parts as a chunked reader does.
        clv::id_arena arena;
        const std::size_t split = random() % (n + 1);
        for (std::size_t i = 0; i < split; ++i) arena.push_back(ids[i]);
        clv::unique_id_check in_arena;
        auto found_in_arena = in_arena.first_repeat(arena);
        if (!found_in_arena) {
            for (std::size_t i = split; i < n; ++i) arena.push_back(ids[i]);
            found_in_arena = in_arena.first_repeat(arena, split);
        }
        REQUIRE(arena.size() >= split);
        for (std::size_t i = 0; i < arena.size(); ++i) REQUIRE(arena[i] == ids[i]);
        CHECK(found_in_arena == expected_row);
        CAPTURE(trial);
        CHECK(found == expected);
    }
}

TEST_CASE("ids in byte order or numbered 1, 2, ..., 10 are unique by their order") {
    auto table = table_of({{0, 0, 3}, {0, 0, 3}, {0, 0, 3}});
    for (const auto& ids : {std::vector<std::string>{"a", "ab", "b"}, std::vector<std::string>{"9", "10", "11"},
                            std::vector<std::string>{"b", "a", "c"}}) {
        table.ids = ids;
        CHECK_NOTHROW(table.validate());
    }
    table.ids = {"9", "10", "9"};
    CHECK_THROWS_WITH_AS(table.validate("t.csv", 2), doctest::Contains("t.csv:4: field 'customer_id'"), clv::invalid_input);
}

TEST_CASE("the branch-free row check agrees with validate_customer_row") {
    const double nan = std::numeric_limits<double>::quiet_NaN(), inf = std::numeric_limits<double>::infinity();
    const std::vector<double> values{0, 1, 2, 2.5, -1, -0.5, 1e300, 9007199254740992.0, nan, inf, -inf};
    std::mt19937_64 random(5);
    for (int k = 0; k < 20000; ++k) {
        const clv::customer_row row{values[random() % values.size()], values[random() % values.size()],
                                    values[random() % values.size()], values[random() % values.size()],
                                    values[random() % values.size()]};
        bool throws = false;
        try {
            clv::validate_customer_row(row, clv::source_location{"r", 1, 0});
        } catch (const clv::invalid_input&) {
            throws = true;
        }
        CAPTURE(row.frequency);
        CAPTURE(row.recency);
        CAPTURE(row.T);
        CAPTURE(row.monetary_value);
        CAPTURE(row.weight);
        CHECK(clv::is_valid_customer_row(row) == !throws);
    }
}
