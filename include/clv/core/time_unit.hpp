// Time units as numbers of days. Recency, T and horizons are in some unit; two units are the same when
// they are the same number of days ("week" and "7"), whatever they are called.
#pragma once

#include <clv/core/errors.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <string>
#include <string_view>

namespace clv {

/// A time unit: its length in days and the name it was given ("week", "14").
struct time_unit {
    static constexpr double days_per_year = 365.25;       ///< the Julian year: leap years averaged
    static constexpr double days_per_month = 365.25 / 12;  ///< 30.4375 days
    static constexpr double days_per_week = 7;

    double days = 1;
    std::string name = "day";

    /// `day`, `week` (7 days), `month` (365.25/12 days), `year` (365.25 days) or a positive number of
    /// days such as `14`; anything else throws `invalid_input` naming `field` and the text.
    static time_unit parse(std::string_view text, const std::string& field = "time unit") {
        if (text == "day") return {1, "day"};
        if (text == "week") return {days_per_week, "week"};
        if (text == "month") return {days_per_month, "month"};
        if (text == "year") return {days_per_year, "year"};
        double days = 0;
        const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), days);
        if (text.empty() || error != std::errc{} || end != text.data() + text.size() || !std::isfinite(days) ||
            days <= 0)
            throw invalid_input(field, std::string(text),
                                "unknown time unit; expected day, week, month (365.25/12 days), year (365.25 days) "
                                "or a positive number of days");
        return {days, std::string(text)};
    }

    /// Same length in days, up to rounding of the written number (a unit read back from a file).
    [[nodiscard]] bool same_length(const time_unit& other) const {
        return std::abs(days - other.days) <= 1e-12 * std::max(days, other.days);
    }

    /// "week (7 days)", "14 days", "day".
    [[nodiscard]] std::string describe() const {
        std::string number = to_message_string(days);
        if (name == "day") return name;
        if (name == number) return number + " days";
        return name + " (" + number + " days)";
    }
};

}  // namespace clv
