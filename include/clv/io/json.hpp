// A small, strict JSON value (RFC 8259) for model files: null, true/false, numbers (double), strings,
// arrays and objects that keep their keys in order. The reader accepts exactly the RFC's grammar
// (no comments, trailing commas, NaN or duplicate keys) and says where it stopped as file:line:column;
// the writer prints numbers in the shortest form that reads back to the same double.
#pragma once

#include <clv/core/detail/utf8.hpp>
#include <clv/core/errors.hpp>

#include <charconv>
#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace clv::io {

class json {
public:
    using array = std::vector<json>;
    using object = std::vector<std::pair<std::string, json>>;  ///< keys in insertion order, unique

    json() = default;
    json(std::nullptr_t) {}
    json(bool value) : value_(value) {}
    json(double value) : value_(value) {}
    json(int value) : value_(static_cast<double>(value)) {}
    json(std::size_t value) : value_(static_cast<double>(value)) {}
    json(std::string value) : value_(std::move(value)) {}
    json(const char* value) : value_(std::string(value)) {}
    json(array value) : value_(std::move(value)) {}
    json(object value) : value_(std::move(value)) {}

    [[nodiscard]] bool is_null() const { return std::holds_alternative<std::nullptr_t>(value_); }
    [[nodiscard]] bool is_bool() const { return std::holds_alternative<bool>(value_); }
    [[nodiscard]] bool is_number() const { return std::holds_alternative<double>(value_); }
    [[nodiscard]] bool is_string() const { return std::holds_alternative<std::string>(value_); }
    [[nodiscard]] bool is_array() const { return std::holds_alternative<array>(value_); }
    [[nodiscard]] bool is_object() const { return std::holds_alternative<object>(value_); }

    /// The value as the given type; throws `invalid_input` naming `field` when it is another type.
    [[nodiscard]] bool as_bool(const std::string& field = "") const { return get<bool>(field, "true or false"); }
    [[nodiscard]] double as_number(const std::string& field = "") const { return get<double>(field, "a number"); }
    [[nodiscard]] const std::string& as_string(const std::string& field = "") const {
        return get<std::string>(field, "a string");
    }
    [[nodiscard]] const array& as_array(const std::string& field = "") const { return get<array>(field, "an array"); }
    [[nodiscard]] const object& as_object(const std::string& field = "") const {
        return get<object>(field, "an object");
    }

    /// The member `key` of an object, or nullptr when absent (or this is not an object).
    [[nodiscard]] const json* find(std::string_view key) const {
        if (const auto* members = std::get_if<object>(&value_))
            for (const auto& [name, member] : *members)
                if (name == key) return &member;
        return nullptr;
    }

    /// Sets the member `key` (added at the end when new); a null value becomes an object first.
    json& set(std::string key, json value) {
        if (is_null()) value_ = object{};
        auto& members = std::get<object>(value_);
        for (auto& [name, member] : members)
            if (name == key) return member = std::move(value);
        return members.emplace_back(std::move(key), std::move(value)).second;
    }

    /// The text, indented by `indent` spaces per level (0: one line).
    [[nodiscard]] std::string dump(int indent = 2) const {
        std::string out;
        write(out, indent, 0);
        return out;
    }

    /// Parses `text` (all of it: only blanks may follow the value). Errors are `invalid_input` at
    /// `source`:line:column.
    static json parse(std::string_view text, const std::string& source = "JSON") {
        parser p{text, source};
        p.skip_blanks();
        json value = p.value(0);
        p.skip_blanks();
        if (p.at < text.size()) p.fail("unexpected text after the JSON value");
        return value;
    }

private:
    template <class T>
    const T& get(const std::string& field, const char* expected) const {
        if (const T* v = std::get_if<T>(&value_)) return *v;
        throw invalid_input(field, dump(0), std::string("expected ") + expected);
    }

    static void write_string(std::string& out, std::string_view text) {
        out += '"';
        for (const char c : text) {
            switch (c) {
                case '"': out += "\\\""; break;
                case '\\': out += "\\\\"; break;
                case '\n': out += "\\n"; break;
                case '\t': out += "\\t"; break;
                case '\r': out += "\\r"; break;
                default:
                    if (static_cast<unsigned char>(c) < 0x20) {
                        static constexpr char hex[] = "0123456789abcdef";
                        out += "\\u00";
                        out += hex[(c >> 4) & 0xf];
                        out += hex[c & 0xf];
                    } else {
                        out += c;
                    }
            }
        }
        out += '"';
    }

    void write(std::string& out, int indent, int depth) const {
        const auto newline = [&](int level) {
            if (indent > 0) out += '\n' + std::string(static_cast<std::size_t>(indent * level), ' ');
        };
        if (is_null()) {
            out += "null";
        } else if (const bool* b = std::get_if<bool>(&value_)) {
            out += *b ? "true" : "false";
        } else if (const double* d = std::get_if<double>(&value_)) {
            if (!std::isfinite(*d)) throw invalid_input("", to_message_string(*d), "JSON has no non-finite numbers");
            char buffer[32];
            out.append(buffer, std::to_chars(buffer, buffer + sizeof buffer, *d).ptr);
        } else if (const std::string* s = std::get_if<std::string>(&value_)) {
            write_string(out, *s);
        } else if (const array* a = std::get_if<array>(&value_)) {
            out += '[';
            for (std::size_t i = 0; i < a->size(); ++i) {
                if (i > 0) out += ',';
                newline(depth + 1);
                (*a)[i].write(out, indent, depth + 1);
            }
            if (!a->empty()) newline(depth);
            out += ']';
        } else {
            const object& o = std::get<object>(value_);
            out += '{';
            for (std::size_t i = 0; i < o.size(); ++i) {
                if (i > 0) out += ',';
                newline(depth + 1);
                write_string(out, o[i].first);
                out += indent > 0 ? ": " : ":";
                o[i].second.write(out, indent, depth + 1);
            }
            if (!o.empty()) newline(depth);
            out += '}';
        }
    }

    struct parser {
        std::string_view text;
        const std::string& source;
        std::size_t at = 0;
        static constexpr int max_depth = 200;  // deeper nesting is not a model file, and would exhaust the stack

        [[noreturn]] void fail(const std::string& reason) const {
            std::size_t line = 1, column = 1;
            for (std::size_t i = 0; i < at && i < text.size(); ++i) {
                if (text[i] == '\n') {
                    ++line;
                    column = 1;
                } else {
                    ++column;
                }
            }
            throw invalid_input("", "", "not valid JSON: " + reason, {source, line, column});
        }
        void skip_blanks() {
            while (at < text.size() && (text[at] == ' ' || text[at] == '\t' || text[at] == '\n' || text[at] == '\r'))
                ++at;
        }
        bool take(std::string_view word) {
            if (text.substr(at, word.size()) != word) return false;
            at += word.size();
            return true;
        }
        void expect(char c, const char* what) {
            skip_blanks();
            if (at >= text.size() || text[at] != c) fail(std::string("expected ") + what);
            ++at;
        }

        json value(int depth) {
            if (depth > max_depth) fail("nested more than " + std::to_string(max_depth) + " levels deep");
            skip_blanks();
            if (at >= text.size()) fail("unexpected end of the text");
            const char c = text[at];
            if (c == '{') return members(depth);
            if (c == '[') return elements(depth);
            if (c == '"') return string();
            if (take("true")) return true;
            if (take("false")) return false;
            if (take("null")) return nullptr;
            if (c == '-' || (c >= '0' && c <= '9')) return number();
            fail(std::string("unexpected character '") + c + "'");
        }

        json members(int depth) {
            ++at;  // {
            json::object result;
            skip_blanks();
            if (at < text.size() && text[at] == '}') {
                ++at;
                return result;
            }
            for (;;) {
                skip_blanks();
                if (at >= text.size() || text[at] != '"') fail("expected a key in double quotes");
                const std::size_t key_at = at;
                std::string key = string();
                for (const auto& member : result)
                    if (member.first == key) {
                        at = key_at;
                        fail("duplicate key \"" + key + "\"");
                    }
                expect(':', "':' after the key");
                result.emplace_back(std::move(key), value(depth + 1));
                skip_blanks();
                if (at < text.size() && text[at] == ',') {
                    ++at;
                    continue;
                }
                expect('}', "',' or '}'");
                return result;
            }
        }

        json elements(int depth) {
            ++at;  // [
            json::array result;
            skip_blanks();
            if (at < text.size() && text[at] == ']') {
                ++at;
                return result;
            }
            for (;;) {
                result.push_back(value(depth + 1));
                skip_blanks();
                if (at < text.size() && text[at] == ',') {
                    ++at;
                    continue;
                }
                expect(']', "',' or ']'");
                return result;
            }
        }

        unsigned hex4() {
            unsigned code = 0;
            for (int i = 0; i < 4; ++i, ++at) {
                if (at >= text.size()) fail("unterminated \\u escape");
                const char h = text[at];
                code <<= 4;
                if (h >= '0' && h <= '9') code |= static_cast<unsigned>(h - '0');
                else if (h >= 'a' && h <= 'f') code |= static_cast<unsigned>(h - 'a' + 10);
                else if (h >= 'A' && h <= 'F') code |= static_cast<unsigned>(h - 'A' + 10);
                else fail("bad \\u escape");
            }
            return code;
        }

        static void append_utf8(std::string& out, unsigned code) {
            if (code < 0x80) {
                out += static_cast<char>(code);
            } else if (code < 0x800) {
                out += static_cast<char>(0xC0 | (code >> 6));
                out += static_cast<char>(0x80 | (code & 0x3F));
            } else if (code < 0x10000) {
                out += static_cast<char>(0xE0 | (code >> 12));
                out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
                out += static_cast<char>(0x80 | (code & 0x3F));
            } else {
                out += static_cast<char>(0xF0 | (code >> 18));
                out += static_cast<char>(0x80 | ((code >> 12) & 0x3F));
                out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
                out += static_cast<char>(0x80 | (code & 0x3F));
            }
        }

        std::string string() {
            ++at;  // opening quote
            std::string out;
            for (;;) {
                if (at >= text.size()) fail("unterminated string");
                const char c = text[at];
                if (c == '"') {
                    ++at;
                    return out;
                }
                if (static_cast<unsigned char>(c) < 0x20) fail("control character in a string (write it as an escape)");
                if (static_cast<unsigned char>(c) >= 0x80) {
                    // RFC 8259 section 8.1: JSON exchanged between systems is UTF-8.
                    const std::size_t length = clv::detail::utf8_sequence_length(text, at);
                    if (length == 0)
                        fail("a string that is not UTF-8 text (byte " +
                             std::to_string(static_cast<unsigned char>(c)) + ")");
                    out.append(text, at, length);
                    at += length;
                    continue;
                }
                if (c != '\\') {
                    out += c;
                    ++at;
                    continue;
                }
                if (++at >= text.size()) fail("unterminated string");
                const char e = text[at++];
                switch (e) {
                    case '"': out += '"'; break;
                    case '\\': out += '\\'; break;
                    case '/': out += '/'; break;
                    case 'b': out += '\b'; break;
                    case 'f': out += '\f'; break;
                    case 'n': out += '\n'; break;
                    case 'r': out += '\r'; break;
                    case 't': out += '\t'; break;
                    case 'u': {
                        unsigned code = hex4();
                        if (code >= 0xD800 && code < 0xDC00) {  // a high surrogate needs its low half
                            if (!take("\\u")) fail("unpaired surrogate in \\u escape");
                            const unsigned low = hex4();
                            if (low < 0xDC00 || low >= 0xE000) fail("unpaired surrogate in \\u escape");
                            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
                        } else if (code >= 0xDC00 && code < 0xE000) {
                            fail("unpaired surrogate in \\u escape");
                        }
                        append_utf8(out, code);
                        break;
                    }
                    default: --at; fail(std::string("unknown escape \\") + e);
                }
            }
        }

        json number() {
            // The RFC grammar: -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?
            const std::size_t start = at;
            const auto digits = [&] {
                const std::size_t from = at;
                while (at < text.size() && text[at] >= '0' && text[at] <= '9') ++at;
                return at > from;
            };
            if (text[at] == '-') ++at;
            if (at < text.size() && text[at] == '0') {
                ++at;
            } else if (!digits()) {
                fail("expected a digit");
            }
            if (at < text.size() && text[at] == '.') {
                ++at;
                if (!digits()) fail("expected a digit after the decimal point");
            }
            if (at < text.size() && (text[at] == 'e' || text[at] == 'E')) {
                ++at;
                if (at < text.size() && (text[at] == '+' || text[at] == '-')) ++at;
                if (!digits()) fail("expected a digit in the exponent");
            }
            if (at < text.size() && text[at] >= '0' && text[at] <= '9') fail("leading zero in a number");
            double value = 0;
            const auto [end, error] = std::from_chars(text.data() + start, text.data() + at, value);
            if (error == std::errc::result_out_of_range || !std::isfinite(value)) {
                const std::size_t end_at = at;
                at = start;
                fail("number out of range: " + std::string(text.substr(start, end_at - start)));
            }
            if (error != std::errc{} || end != text.data() + at) fail("bad number");
            return value;
        }
    };

    std::variant<std::nullptr_t, bool, double, std::string, array, object> value_;
};

}  // namespace clv::io
