// Argument checks with short messages (CLI11's range checks print the whole double range).
#pragma once

#include <CLI/CLI.hpp>

#include <charconv>
#include <cmath>
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

}  // namespace clv_cli
