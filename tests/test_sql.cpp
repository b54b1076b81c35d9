// clv::summary_sql and its identifier quoting. Whether the SQL computes clv summarize's values is
// checked by running it on SQLite and PostgreSQL (tests/cli/sql.sh); here: names are quoted so that
// no name can end its quotes, names that cannot be quoted safely are refused, options are checked.
#include <clv/io/sql.hpp>

#include "test_support.hpp"

#include <string>
#include <string_view>

using clv::invalid_input;
using clv::quote_sql_identifier;
using clv::quote_sql_table;
using clv::sql_dialect;

namespace {

constexpr sql_dialect all_dialects[] = {sql_dialect::sqlite, sql_dialect::postgres, sql_dialect::duckdb,
                                        sql_dialect::spark, sql_dialect::bigquery};

// The field named by the invalid_input that `f` throws, or "no error".
template <class F>
std::string refused_field(F&& f) {
    try {
        (void)f();
    } catch (const invalid_input& e) {
        return e.field();
    }
    return "no error";
}

// Reads one quoted identifier from the start of `sql` as the engine's tokenizer does (a doubled
// quote stands for one) and returns the name and the rest after the closing quote.
std::pair<std::string, std::string_view> unquote(std::string_view sql) {
    const char quote = sql.front();
    std::string name;
    std::size_t i = 1;
    for (; i < sql.size(); ++i) {
        if (sql[i] == quote) {
            if (i + 1 < sql.size() && sql[i + 1] == quote) {
                name.push_back(quote);
                ++i;
                continue;
            }
            break;
        }
        name.push_back(sql[i]);
    }
    REQUIRE(i < sql.size());
    return {name, sql.substr(i + 1)};
}

clv::sql_summary_options valid_options(sql_dialect dialect = sql_dialect::postgres) {
    clv::sql_summary_options options;
    options.dialect = dialect;
    options.table = "orders";
    options.customer_column = "customer";
    options.date_column = "ordered_at";
    options.amount_column = "total";
    return options;
}

}  // namespace

TEST_CASE("identifiers: each dialect's quotes, the quote character doubled inside") {
    CHECK(quote_sql_identifier("T", sql_dialect::postgres, "f") == "\"T\"");
    CHECK(quote_sql_identifier("ordered \"on\"", sql_dialect::postgres, "f") == "\"ordered \"\"on\"\"\"");
    CHECK(quote_sql_identifier("ordered \"on\"", sql_dialect::duckdb, "f") == "\"ordered \"\"on\"\"\"");
    // SQLite: backticks, since a double-quoted name that is no column becomes a string constant.
    CHECK(quote_sql_identifier("a`b\"c", sql_dialect::sqlite, "f") == "`a``b\"c`");
    CHECK(quote_sql_identifier("a`b", sql_dialect::spark, "f") == "`a``b`");
    CHECK(quote_sql_identifier("customer id", sql_dialect::bigquery, "f") == "`customer id`");
    CHECK(quote_sql_identifier("kunde_\xc3\xbc_\xf0\x9f\x98\x80", sql_dialect::postgres, "f") ==
          "\"kunde_\xc3\xbc_\xf0\x9f\x98\x80\"");
}

TEST_CASE("identifiers: an attempt to close the quotes stays inside the name") {
    const std::string hostile = "x\") FROM t; DROP TABLE t; -- `y`";
    for (const sql_dialect dialect : {sql_dialect::sqlite, sql_dialect::postgres, sql_dialect::duckdb, sql_dialect::spark}) {
        CAPTURE(static_cast<int>(dialect));
        const std::string quoted = quote_sql_identifier(hostile, dialect, "f");
        const auto [name, rest] = unquote(quoted);
        CHECK(name == hostile);
        CHECK(rest.empty());
    }
    CHECK(refused_field([&] { return quote_sql_identifier(hostile, sql_dialect::bigquery, "amount column"); }) ==
          "amount column");
}

TEST_CASE("identifiers that cannot be quoted safely are refused, naming the field") {
    const std::string with_nul("a\0b", 3);
    for (const sql_dialect dialect : all_dialects) {
        CAPTURE(static_cast<int>(dialect));
        for (const std::string_view bad : {std::string_view(""), std::string_view("a\nb"), std::string_view("tab\there"),
                                           std::string_view("del\x7f"), std::string_view(with_nul),
                                           std::string_view("\xff"), std::string_view("\xc0\xaf"),  // overlong '/'
                                           std::string_view("\xed\xa0\x80"),                       // a surrogate
                                           std::string_view("\xe2\x82"),                           // cut short
                                           std::string_view("\xf4\x90\x80\x80")}) {                // > U+10FFFF
            CAPTURE(bad);
            CHECK(refused_field([&] { return quote_sql_identifier(bad, dialect, "date column"); }) == "date column");
        }
    }
    CHECK(refused_field([] { return quote_sql_identifier("back\\slash", sql_dialect::bigquery, "f"); }) == "f");
    CHECK(quote_sql_identifier("back\\slash", sql_dialect::postgres, "f") == "\"back\\slash\"");
}

TEST_CASE("table names: dotted parts quoted one by one, empty parts refused") {
    CHECK(quote_sql_table("sales.orders", sql_dialect::postgres) == "\"sales\".\"orders\"");
    CHECK(quote_sql_table("my-project.shop.orders", sql_dialect::bigquery) == "`my-project`.`shop`.`orders`");
    CHECK(quote_sql_table("order log", sql_dialect::sqlite) == "`order log`");
    for (const std::string_view bad : {"", ".orders", "sales.", "a..b"}) {
        CAPTURE(bad);
        CHECK(refused_field([&] { return quote_sql_table(bad, sql_dialect::duckdb); }) == "table");
    }
}

TEST_CASE("dialect names") {
    CHECK(clv::parse_sql_dialect("sqlite") == sql_dialect::sqlite);
    CHECK(clv::parse_sql_dialect("postgres") == sql_dialect::postgres);
    CHECK(clv::parse_sql_dialect("duckdb") == sql_dialect::duckdb);
    CHECK(clv::parse_sql_dialect("spark") == sql_dialect::spark);
    CHECK(clv::parse_sql_dialect("bigquery") == sql_dialect::bigquery);
    CHECK(refused_field([] { return clv::parse_sql_dialect("mysql"); }) == "dialect");
}

TEST_CASE("summary_sql refuses options it cannot honour, naming the field") {
    auto refused = [](auto change) {
        clv::sql_summary_options options = valid_options();
        change(options);
        return refused_field([&] { return clv::summary_sql(options); });
    };
    CHECK(refused([](auto&) {}) == "no error");
    CHECK(refused([](auto& o) { o.table = ""; }) == "table");
    CHECK(refused([](auto& o) { o.customer_column = ""; }) == "customer column");
    CHECK(refused([](auto& o) { o.date_column = "a\nb"; }) == "date column");
    CHECK(refused([](auto& o) { o.dialect = sql_dialect::bigquery; o.amount_column = "a`b"; }) == "amount column");
    CHECK(refused([](auto& o) { o.unit_days = 0; }) == "time unit");
    CHECK(refused([](auto& o) { o.unit_days = -7; }) == "time unit");
    CHECK(refused([](auto& o) {
              o.observation_end = 19000;
              o.calibration_end = 19001;
          }) == "calibration end");
    CHECK(refused([](auto& o) {
              o.observation_end = 19000;
              o.calibration_end = 19000;
          }) == "no error");
}

TEST_CASE("summary_sql: the output columns are clv summarize's, or the compressed table's") {
    // The last SELECT's aliases, in order, as the engine would name the result's columns.
    auto output_columns = [](const clv::sql_summary_options& options) {
        const std::string sql = clv::summary_sql(options);
        std::string_view rest(sql);
        rest = rest.substr(rest.rfind("\nSELECT "));
        std::string names;
        for (std::size_t at = rest.find(" AS "); at != std::string_view::npos; at = rest.find(" AS ")) {
            rest = rest.substr(at + 4);
            if (rest.front() != '"' && rest.front() != '`') continue;  // a CAST(... AS type)
            auto [name, after] = unquote(rest);
            names += (names.empty() ? "" : ",") + name;
            rest = after;
        }
        return names;
    };
    for (const sql_dialect dialect : all_dialects) {
        CAPTURE(static_cast<int>(dialect));
        clv::sql_summary_options options = valid_options(dialect);
        CHECK(output_columns(options) == "customer_id,frequency,recency,T,monetary_value");
        options.calibration_end = 19000;
        CHECK(output_columns(options) == "customer_id,frequency,recency,T,monetary_value,frequency_holdout,"
                                         "monetary_value_holdout,duration_holdout");
        options.compressed = true;
        CHECK(output_columns(options) == "frequency,recency,T,weight");
    }
}

TEST_CASE("summary_sql: dates become day numbers, ends are written as day numbers with their dates in a comment") {
    clv::sql_summary_options options = valid_options();
    options.observation_end = clv::day_number(2024, 12, 31).value();
    options.calibration_end = clv::day_number(2024, 9, 29).value();
    const std::string sql = clv::summary_sql(options);
    CHECK(sql.find("calibration end: 2024-09-29") != std::string::npos);
    CHECK(sql.find("observation end: 2024-12-31") != std::string::npos);
    CHECK(sql.find("purchase_day <= 20088") != std::string::npos);  // 2024-12-31 is day 20088
    CHECK(sql.find("purchase_day <= 19995") != std::string::npos);  // 2024-09-29 is day 19995
    CHECK(sql.find("observation AS") == std::string::npos);  // no default end to look up
}
