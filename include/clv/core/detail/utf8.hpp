// Well-formed UTF-8, checked one sequence at a time (for readers and writers of text that must be
// UTF-8: SQL identifiers in io/sql.hpp).
#pragma once

#include <cstddef>
#include <string_view>

namespace clv::detail {

/// Length of the well-formed UTF-8 sequence at `at` in `text`, 0 when there is none (RFC 3629
/// section 4: no overlong forms, no surrogates, nothing above U+10FFFF).
inline std::size_t utf8_sequence_length(std::string_view text, std::size_t at) {
    const auto byte = [&](std::size_t i) { return at + i < text.size() ? static_cast<unsigned char>(text[at + i]) : 0u; };
    const unsigned lead = byte(0);
    if (at < text.size() && lead < 0x80) return 1;
    std::size_t length = 0;
    unsigned low = 0x80, high = 0xBF;  // allowed range of the second byte
    if (lead >= 0xC2 && lead <= 0xDF) {
        length = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        length = 3;
        if (lead == 0xE0) low = 0xA0;   // overlong
        if (lead == 0xED) high = 0x9F;  // surrogates
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        length = 4;
        if (lead == 0xF0) low = 0x90;   // overlong
        if (lead == 0xF4) high = 0x8F;  // above U+10FFFF
    }
    bool ok = length != 0 && byte(1) >= low && byte(1) <= high;
    for (std::size_t i = 2; ok && i < length; ++i) ok = byte(i) >= 0x80 && byte(i) <= 0xBF;
    return ok ? length : 0;
}

}  // namespace clv::detail
