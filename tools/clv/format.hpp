// Number formatting shared by the program's outputs: shortest text that reads back to the same
// double (std::to_chars), locale-independent.
#pragma once

#include <clv/core/errors.hpp>

#include <charconv>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <iostream>
#include <string>

namespace clv_cli {

inline std::string format_number(double v) {
    if (std::isnan(v)) return "nan";
    char buffer[64];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, v);
    return std::string(buffer, result.ptr);
}

/// `value` when finite; otherwise an error naming `what`: no command prints inf or NaN as a result
/// with exit status 0 (a sum that overflows a double, say).
inline double require_finite(double value, const std::string& what) {
    if (!std::isfinite(value))
        throw clv::invalid_input(what, format_number(value),
                                 "the result is not a finite number (the inputs are too large for a double)");
    return value;
}

/// Flushes standard output and throws when anything written to it was lost (a full disk behind a
/// redirection, a closed pipe), so that a lost result never exits 0.
inline void finish_standard_output() {
    errno = 0;
    std::cout.flush();
    if (!std::cout)
        throw clv::invalid_input("", "", std::string("cannot write the output: ") +
                                             (errno != 0 ? std::strerror(errno) : "write error"),
                                 {"standard output"});
}

}  // namespace clv_cli
