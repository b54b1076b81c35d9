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
inline std::optional<std::int64_t> day_number(int year, unsigned month, unsigned day) {
    const std::chrono::year_month_day date{std::chrono::year{year}, std::chrono::month{month}, std::chrono::day{day}};
    if (!date.ok()) return std::nullopt;
    return std::chrono::sys_days{date}.time_since_epoch().count();
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
