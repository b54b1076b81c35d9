// Number formatting shared by the program's outputs: shortest text that reads back to the same
// double (std::to_chars), locale-independent.
#pragma once

#include <charconv>
#include <cmath>
#include <string>

namespace clv_cli {

inline std::string format_number(double v) {
    if (std::isnan(v)) return "nan";
    char buffer[64];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, v);
    return std::string(buffer, result.ptr);
}

}  // namespace clv_cli
