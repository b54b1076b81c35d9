// Argument checks with short messages (CLI11's range checks print the whole double range), and the
// "did you mean" suggestion for a misspelt command or option.
#pragma once

#include <CLI/CLI.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

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

/// Edit distance with adjacent transpositions (optimal string alignment): "predcit" is 1 from "predict".
inline std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
    for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
    for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i)
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
        }
    return d[a.size()][b.size()];
}

/// The candidate closest to `word`, when it is close enough to be a likely typo (at most 2 edits, or a
/// third of the word's length); empty otherwise.
inline std::string closest_name(std::string_view word, const std::vector<std::string>& candidates) {
    std::string best;
    std::size_t best_distance = std::max<std::size_t>(2, word.size() / 3) + 1;
    for (const std::string& candidate : candidates) {
        const std::size_t distance = edit_distance(word, candidate);
        if (distance < best_distance) {
            best = candidate;
            best_distance = distance;
        }
    }
    return best;
}

}  // namespace clv_cli
