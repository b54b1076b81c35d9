// Calendar dates as day numbers (days since 1970-01-01) in the proleptic Gregorian calendar of
// C++20 <chrono>. Parsing text into dates is I/O and lives in clv/io/dates.hpp.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>

namespace clv {

/// Day number of a calendar date, or nothing when the date does not exist (2021-02-29, 2020-13-45).
/// Integer arithmetic on a calendar whose year starts in March (so the leap day ends it), as in
/// H. Hinnant, "chrono-Compatible Low-Level Date Algorithms" (days_from_civil): the same day as
/// std::chrono::sys_days{year_month_day} (tests/test_dates.cpp compares every day of years
/// -400 ... 10000). In isolation it costs about the same as <chrono>'s (9-10 ns); the ISO parse's
/// gain (20-27 -> 12-13 ns) came mostly from checking its digits at once (io/dates.hpp).
inline std::optional<std::int64_t> day_number(int year, unsigned month, unsigned day) {
    // Without data-dependent branches (dates in a log come in any order).
    const std::int64_t y = year;
    const unsigned leap = static_cast<unsigned>((y % 4 == 0) & ((y % 100 != 0) | (y % 400 == 0)));
    static constexpr std::array<unsigned char, 13> days_in_month{0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const unsigned month_index = month <= 12 ? month : 0;
    const unsigned last_day = days_in_month[month_index] + (month_index == 2 ? leap : 0u);
    if (day - 1 >= last_day) return std::nullopt;  // also day 0 and month 0 or > 12 (last_day 0)
    const std::int64_t march_year = y - static_cast<std::int64_t>(month <= 2);
    const std::int64_t era = (march_year - (march_year < 0 ? 399 : 0)) / 400;
    const std::int64_t year_of_era = march_year - era * 400;                           // 0 ... 399
    const std::int64_t day_of_year = (153 * ((month + 9) % 12) + 2) / 5 + day - 1;    // from March 1
    const std::int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    return era * 146097 + day_of_era - 719468;  // 719468: days from 0000-03-01 to 1970-01-01
}

/// The ISO 8601 text (YYYY-MM-DD) of a day number.
inline std::string iso_date(std::int64_t day) {
    const std::chrono::year_month_day date{std::chrono::sys_days{std::chrono::days{day}}};
    std::array<char, 32> text{};
    const int n = std::snprintf(text.data(), text.size(), "%04d-%02u-%02u", static_cast<int>(date.year()),
                                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()));
    return {text.data(), static_cast<std::size_t>(n)};
}

}  // namespace clv
