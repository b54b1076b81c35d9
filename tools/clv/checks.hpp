// Argument checks with short messages (CLI11's range checks print the whole double range).
#pragma once

#include <CLI/CLI.hpp>

#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

namespace clv_cli {

/// A finite number >= 0.
inline CLI::Validator non_negative_number() {
    return CLI::Validator(
        [](std::string& text) -> std::string {
            double value = 0;
            const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
            if (error != std::errc{} || end != text.data() + text.size() || !std::isfinite(value) || value < 0)
                return "'" + text + "' is not a finite number >= 0";
            return {};
        },
        "NUMBER >= 0");
}

/// A whole number in [0, max] (no upper bound when `max` is the largest value). Checked on the text,
/// before CLI11 converts it: "-2" would otherwise wrap around to 2^64 - 2 in an unsigned option.
inline CLI::Validator whole_number_at_most(std::uint64_t max = std::numeric_limits<std::uint64_t>::max()) {
    const bool bounded = max != std::numeric_limits<std::uint64_t>::max();
    const std::string range = bounded ? "from 0 to " + std::to_string(max) : ">= 0";
    return CLI::Validator(
        [max, range](std::string& text) -> std::string {
            std::uint64_t value = 0;
            const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
            if (error != std::errc{} || end != text.data() + text.size() || value > max)
                return "'" + text + "' is not a whole number " + range;
            return {};
        },
        bounded ? "0.." + std::to_string(max) : "WHOLE NUMBER >= 0");
}

}  // namespace clv_cli
