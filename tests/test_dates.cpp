#include <clv/io/dates.hpp>

#include "test_support.hpp"

#include <chrono>
#include <optional>
#include <random>
#include <string>

using clv::invalid_input;
using clv::io::date_format;
using clv::io::day_number;
using clv::io::iso_date;

namespace {
const clv::source_location here{"orders.csv", 4, 2};
}

// Expected day numbers from Python: date(y, m, d).toordinal() - date(1970, 1, 1).toordinal().
TEST_CASE("day numbers count days since 1970-01-01 in the proleptic Gregorian calendar") {
    CHECK(day_number(1970, 1, 1) == 0);
    CHECK(day_number(1997, 1, 1) == 9862);
    CHECK(day_number(1997, 9, 30) == 10134);
    CHECK(day_number(1998, 6, 30) == 10407);
    CHECK(day_number(2000, 3, 1) == 11017);
    CHECK(day_number(1600, 2, 29) == -135081);
    CHECK(day_number(1, 1, 1) == -719162);
    CHECK(day_number(9999, 12, 31) == 2932896);
    CHECK_FALSE(day_number(2021, 2, 29));
    CHECK_FALSE(day_number(1900, 2, 29));  // century, not divisible by 400
    CHECK(day_number(2000, 2, 29));
    CHECK_FALSE(day_number(2020, 13, 1));
    CHECK_FALSE(day_number(2020, 4, 31));
}

// The arithmetic of day_number against the standard library's calendar, on every (year, month,
// day) of years -400 ... 10000 with days 0 ... 32 and months 0 ... 13: the same day, or both
// refuse the date.
TEST_CASE("day_number agrees with std::chrono on every date of eleven millennia, valid or not") {
    std::size_t disagreements = 0, valid = 0;
    for (int year = -400; year <= 10000; ++year) {
        for (unsigned month = 0; month <= 13; ++month) {
            for (unsigned day = 0; day <= 32; ++day) {
                const std::chrono::year_month_day date{std::chrono::year{year}, std::chrono::month{month},
                                                       std::chrono::day{day}};
                const std::optional<std::int64_t> expected =
                    date.ok() ? std::optional<std::int64_t>(std::chrono::sys_days{date}.time_since_epoch().count())
                              : std::nullopt;
                valid += expected.has_value();
                if (day_number(year, month, day) != expected) ++disagreements;
            }
        }
    }
    CHECK(valid == 3'798'888);  // days from -0400-01-01 to 10000-12-31: 10401 years, 2523 of them leap
    CHECK(disagreements == 0);
}

TEST_CASE("iso_date and the ISO parser are inverse over five millennia") {
    const date_format iso;
    CHECK(iso_date(0) == "1970-01-01");
    CHECK(iso_date(10134) == "1997-09-30");
    CHECK(iso_date(-135081) == "1600-02-29");
    for (std::int64_t day = -719162; day <= 2932896; day += 97) {
        REQUIRE(iso.parse(iso_date(day), "date", here) == day);
    }
}

TEST_CASE("formats: YYYYMMDD, day-first, two-digit years, month names, day of year, time of day") {
    CHECK(date_format("%Y%m%d").parse("19970101", "date", here) == 9862);
    CHECK(date_format("%d/%m/%Y").parse("30/09/1997", "date", here) == 10134);
    CHECK(date_format("%m/%d/%y").parse("12/31/99", "date", here) == 10956);
    CHECK(date_format("%m/%d/%y").parse("1/1/00", "date", here) == 10957);  // POSIX: 00-68 -> 20xx
    CHECK(date_format("%d %b %Y").parse("30 Sep 1997", "date", here) == 10134);
    CHECK(date_format("%d %b %Y").parse("30  SEPTEMBER   1997", "date", here) == 10134);  // blank run, full name
    CHECK(date_format("%B %d, %Y").parse("june 30, 1998", "date", here) == 10407);
    CHECK(date_format("%Y-%j").parse("1997-032", "date", here) == day_number(1997, 2, 1));
    CHECK(date_format("%Y-%j").parse("2020-366", "date", here) == day_number(2020, 12, 31));
    CHECK(date_format("%Y-%m-%d %H:%M:%S").parse("1997-09-30 23:59:60", "date", here) == 10134);
    CHECK(date_format("%Y-%m-%dT%H:%M").parse("1997-09-30T00:00", "date", here) == 10134);
    CHECK(date_format("100%% %Y-%m-%d").parse("100% 1997-09-30", "date", here) == 10134);
    CHECK(date_format().parse("  1997-09-30 ", "date", here) == 10134);  // blanks around the field
}

TEST_CASE("bad dates are invalid_input naming field, value, format and file:line:column") {
    const date_format iso;
    for (const char* text : {"2020-13-45", "2021-02-29", "2020-02-30", "2020-00-10", "2020-04-31"}) {
        CAPTURE(text);
        CHECK_THROWS_WITH_AS((void)iso.parse(text, "date", here),
                             doctest::Contains(("orders.csv:4:2: field 'date': not a calendar date (format %Y-%m-%d) (value '" +
                                                std::string(text) + "')")
                                                   .c_str()),
                             invalid_input);
    }
    for (const char* text : {"", "2020/01/01", "20-01-01", "2020-01-01x", "2020-01-01 10:00", "abc", "2020-1-"}) {
        CAPTURE(text);
        CHECK_THROWS_WITH_AS((void)iso.parse(text, "date", here),
                             doctest::Contains("cannot parse as a date in the format %Y-%m-%d"), invalid_input);
    }
    CHECK_THROWS_AS((void)date_format("%Y-%j").parse("2021-366", "date", here), invalid_input);
    CHECK_THROWS_AS((void)date_format("%Y-%m-%d %H").parse("2021-01-01 24", "date", here), invalid_input);
    CHECK_THROWS_AS((void)date_format("%d %b %Y").parse("1 Foo 2020", "date", here), invalid_input);
}

TEST_CASE("unsupported or incomplete formats are rejected up front") {
    CHECK_THROWS_WITH_AS(date_format("%Y-%Q"), doctest::Contains("unsupported directive '%Q'"), invalid_input);
    CHECK_THROWS_WITH_AS(date_format("%Y-%m-%"), doctest::Contains("unsupported directive"), invalid_input);
    CHECK_THROWS_WITH_AS(date_format("%m-%d"), doctest::Contains("needs a year"), invalid_input);
    CHECK_THROWS_WITH_AS(date_format("%Y-%m-%j"), doctest::Contains("needs a year"), invalid_input);
}

TEST_CASE("the ISO fast path agrees with the general matcher on every kind of 10-character text") {
    const date_format fast;                  // "%Y-%m-%d": the fast path
    const date_format general("%Y-%m-%d ");  // a trailing blank run: same dates, general matcher
    std::mt19937 random(10);
    const std::string alphabet = "0123456789-- x";
    for (int trial = 0; trial < 200000; ++trial) {
        std::string text = trial % 2 == 0 ? clv::iso_date(static_cast<std::int64_t>(random() % 4000000) - 719468) : "";
        if (text.size() != 10) text = std::string(10, '0');
        for (int edits = static_cast<int>(random() % 3); edits > 0; --edits) text[random() % 10] = alphabet[random() % alphabet.size()];
        std::optional<std::int64_t> a, b;
        try { a = fast.parse(text, "date", here); } catch (const invalid_input&) {}
        try { b = general.parse(text, "date", here); } catch (const invalid_input&) {}
        REQUIRE_MESSAGE(a == b, text);
    }
}
