// Errors that cross the public API boundary.
#pragma once

#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>

namespace clv {

/// Where a bad value came from: a file position (1-based line and column) or a logical place
/// ("row 12", "argument --aov"). Empty parts are left out of the message.
struct source_location {
    std::string file;         ///< file name, or a logical source such as "summary table"
    std::size_t line = 0;     ///< 1-based line, 0 when not applicable
    std::size_t column = 0;   ///< 1-based column (field index for CSV), 0 when not applicable

    [[nodiscard]] std::string str() const {
        std::ostringstream out;
        out << file;
        if (line != 0) out << (file.empty() ? "line " : ":") << line;
        if (column != 0) out << (file.empty() && line == 0 ? "column " : ":") << column;
        return out.str();
    }
};

/// Thrown by every public entry point that receives data it cannot use. The message names the
/// field, the offending value and where it came from, e.g.
/// `orders.csv:4:2: field 'date': cannot parse '2020-13-45' as a date (format %Y-%m-%d)`.
class invalid_input : public std::invalid_argument {
public:
    invalid_input(std::string field, std::string value, std::string reason, source_location where = {})
        : std::invalid_argument(compose(field, value, reason, where)),
          field_(std::move(field)), value_(std::move(value)), where_(std::move(where)) {}

    [[nodiscard]] const std::string& field() const noexcept { return field_; }
    [[nodiscard]] const std::string& value() const noexcept { return value_; }
    [[nodiscard]] const source_location& where() const noexcept { return where_; }

private:
    static std::string compose(const std::string& field, const std::string& value,
                               const std::string& reason, const source_location& where) {
        std::ostringstream out;
        const std::string place = where.str();
        if (!place.empty()) out << place << ": ";
        if (!field.empty()) out << "field '" << field << "': ";
        out << reason;
        if (!value.empty()) out << " (value '" << value << "')";
        return out.str();
    }

    std::string field_;
    std::string value_;
    source_location where_;
};

/// Formats a number for an error message without losing what made it invalid (NaN, inf, sign).
template <class Real>
std::string to_message_string(const Real& v) {
    std::ostringstream out;
    out.precision(17);
    out << v;
    return out.str();
}

/// The error for DERT at discount rate 0 where the expected number of all future transactions is
/// infinite because the model's `parameter` (a, s or gamma) is <= 1; `where` names the model.
inline invalid_input undiscounted_sum_diverges(const std::string& parameter, double value, const std::string& where) {
    return invalid_input("discount_rate", "0",
                         "without discounting the expected number of future transactions is infinite when " +
                             parameter + " <= 1 (here " + parameter + " = " + to_message_string(value) +
                             "): give a discount rate > 0 or a horizon",
                         {where});
}

}  // namespace clv
