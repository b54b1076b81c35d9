// Calendar dates as day numbers (days since 1970-01-01), parsed without the C locale.
//
// std::get_time and strptime depend on the global locale (month names, digits), so a log that
// parses on one machine could fail on another. This is a small strptime-style parser of its own;
// the calendar arithmetic is the proleptic Gregorian calendar of C++20 <chrono>.
#pragma once

#include <clv/core/errors.hpp>
#include <clv/core/calendar.hpp>
#include <clv/core/location.hpp>

#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

namespace clv::io {

using clv::day_number;
using clv::iso_date;

/// A date format in a subset of strptime's notation:
///   %Y four-digit year, %y two-digit year (69-99 -> 19xx, 00-68 -> 20xx, as POSIX strptime),
///   %m month 1-12, %d day 1-31, %b or %B English month name (abbreviated or full, any case),
///   %j day of the year 1-366, %H %M %S time of day (checked, then ignored: transactions are
///   grouped by day), %% a percent sign; a blank matches any run of blanks; other characters
///   match themselves. Leading and trailing blanks of the text are ignored.
/// "%Y-%m-%d" (ISO 8601, the default) and "%Y%m%d" (CDNOW, BTYD's cdnowElog) are the usual ones.
class date_format {
public:
    explicit date_format(std::string format = "%Y-%m-%d") : format_(std::move(format)) {
        bool year = false, month = false, day = false, day_of_year = false;
        for (std::size_t i = 0; i < format_.size(); ++i) {
            if (format_[i] != '%') continue;
            const char directive = i + 1 < format_.size() ? format_[++i] : '\0';
            switch (directive) {
                case 'Y': case 'y': year = true; break;
                case 'm': case 'b': case 'B': month = true; break;
                case 'd': day = true; break;
                case 'j': day_of_year = true; break;
                case 'H': case 'M': case 'S': case '%': break;
                default:
                    throw invalid_input("date format", format_,
                                        (directive == '\0' ? std::string("unsupported directive: a lone '%' at the end")
                                                            : std::string("unsupported directive '%") + directive + "'") +
                                            "; supported: %Y %y %m %d %b %B %j %H %M %S %%");
            }
        }
        if (!year || (day_of_year ? (month || day) : !(month && day))) {
            throw invalid_input("date format", format_, "needs a year and either a month and a day or %j");
        }
        iso_ = format_ == "%Y-%m-%d";
    }

    [[nodiscard]] const std::string& str() const noexcept { return format_; }

    /// The day number of `text`; throws `invalid_input` naming `field`, the text, the format and
    /// `where` when the text does not match the format or is not a calendar date.
    template <location_source Where>
    [[nodiscard]] std::int64_t parse(std::string_view text, std::string_view field, const Where& where) const {
        if (iso_) {
            if (const auto day = try_parse_iso(text)) return *day;
        }
        bool matched = false;
        if (const auto day = try_parse(text, matched)) return *day;
        throw invalid_input(std::string(field), std::string(text),
                            (matched ? "not a calendar date (format " : "cannot parse as a date in the format ") +
                                format_ + (matched ? ")" : ""),
                            locate(where));
    }

private:
    static bool is_blank(char c) noexcept { return c == ' ' || c == '\t'; }

    // Reads between `min_digits` and `max_digits` decimal digits.
    static std::optional<int> read_digits(std::string_view text, std::size_t& at, int min_digits, int max_digits) {
        int value = 0, count = 0;
        while (count < max_digits && at < text.size() && text[at] >= '0' && text[at] <= '9') {
            value = value * 10 + (text[at++] - '0');
            ++count;
        }
        if (count < min_digits) return std::nullopt;
        return value;
    }

    // Month 1-12 from an English name, abbreviated or full, any case.
    static std::optional<int> read_month_name(std::string_view text, std::size_t& at) {
        static constexpr std::array<std::string_view, 12> names{"january", "february", "march",     "april",
                                                               "may",     "june",     "july",      "august",
                                                               "september", "october", "november", "december"};
        auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
        for (std::size_t m = 0; m < names.size(); ++m) {
            std::size_t n = 0;
            while (n < names[m].size() && at + n < text.size() && lower(text[at + n]) == names[m][n]) ++n;
            if (n == 3 || n == names[m].size()) {
                at += n;
                return static_cast<int>(m) + 1;
            }
        }
        return std::nullopt;
    }

    // The common case of ISO dates written in full (YYYY-MM-DD, nothing around), without the
    // general matcher: a third of the time of summarizing a large log went into it. Anything else
    // (including every bad date) takes the general path, which gives the same day or the error.
    [[nodiscard]] static std::optional<std::int64_t> try_parse_iso(std::string_view text) noexcept {
        if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
        // The eight digits checked with one branch: a byte below '0' wraps to a large value.
        auto digit = [&](std::size_t i) {
            return static_cast<unsigned>(static_cast<unsigned char>(text[i])) - static_cast<unsigned>('0');
        };
        const unsigned y0 = digit(0), y1 = digit(1), y2 = digit(2), y3 = digit(3), m0 = digit(5), m1 = digit(6),
                       d0 = digit(8), d1 = digit(9);
        if ((y0 > 9) | (y1 > 9) | (y2 > 9) | (y3 > 9) | (m0 > 9) | (m1 > 9) | (d0 > 9) | (d1 > 9)) return std::nullopt;
        const int year = static_cast<int>(y0 * 1000 + y1 * 100 + y2 * 10 + y3);
        return day_number(year, m0 * 10 + m1, d0 * 10 + d1);
    }

    // The day number, or nothing; `matched` tells a text that fits the format but names no real
    // date (2021-02-29) from one that does not fit at all.
    [[nodiscard]] std::optional<std::int64_t> try_parse(std::string_view text, bool& matched) const {
        while (!text.empty() && is_blank(text.front())) text.remove_prefix(1);
        while (!text.empty() && is_blank(text.back())) text.remove_suffix(1);
        int year = 0, month = 0, day = 0, day_of_year = 0;
        std::size_t at = 0;
        for (std::size_t i = 0; i < format_.size(); ++i) {
            const char f = format_[i];
            if (f == ' ') {
                while (at < text.size() && is_blank(text[at])) ++at;
                continue;
            }
            if (f != '%' || format_[i + 1] == '%') {
                if (f == '%') ++i;
                if (at >= text.size() || text[at] != f) return std::nullopt;
                ++at;
                continue;
            }
            std::optional<int> value;
            int limit = 0;  // largest value the directive allows; 0: checked by the calendar
            switch (format_[++i]) {
                case 'Y': value = read_digits(text, at, 4, 4); if (value) year = *value; break;
                case 'y': value = read_digits(text, at, 2, 2); if (value) year = *value + (*value < 69 ? 2000 : 1900); break;
                case 'm': value = read_digits(text, at, 1, 2); if (value) month = *value; break;
                case 'd': value = read_digits(text, at, 1, 2); if (value) day = *value; break;
                case 'j': value = read_digits(text, at, 1, 3); if (value) day_of_year = *value; break;
                case 'b': case 'B': value = read_month_name(text, at); if (value) month = *value; break;
                case 'H': value = read_digits(text, at, 1, 2); limit = 23; break;
                case 'M': value = read_digits(text, at, 1, 2); limit = 59; break;
                case 'S': value = read_digits(text, at, 1, 2); limit = 60; break;  // 60: leap second
                default: break;  // unreachable: the constructor accepts only the directives above
            }
            if (!value) return std::nullopt;
            if (limit != 0 && *value > limit) {
                matched = true;
                return std::nullopt;
            }
        }
        if (at != text.size()) return std::nullopt;
        matched = true;
        if (day_of_year != 0) {
            const auto january_first = day_number(year, 1, 1);
            const auto next_year = day_number(year + 1, 1, 1);
            if (!january_first || !next_year || day_of_year > *next_year - *january_first) return std::nullopt;
            return *january_first + day_of_year - 1;
        }
        if (month < 1 || month > 12 || day < 1) return std::nullopt;
        return day_number(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
    }

    std::string format_;
    bool iso_ = false;  // format_ is "%Y-%m-%d"
};

/// Parses an ISO 8601 date (YYYY-MM-DD), e.g. from a command-line option.
template <location_source Where>
std::int64_t parse_iso_date(std::string_view text, std::string_view field, const Where& where) {
    static const date_format iso;
    return iso.parse(text, field, where);
}

}  // namespace clv::io
