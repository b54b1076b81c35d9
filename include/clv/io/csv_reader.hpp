// Streaming CSV reader (RFC 4180) and a locale-independent number parser.
//
// The reader holds one fixed-size buffer and one record at a time, so a log of ten million rows
// streams in constant memory, from a file or from a stream such as standard input (a filter in a
// pipeline). A record that lies whole in the buffer and has no quote is split in place: its fields
// are views into the buffer, not copies (most records of a summary or a log). It accepts what spreadsheets and databases actually write: quoted
// fields with delimiters, doubled quotes and line breaks inside (RFC 4180, section 2), CRLF or LF
// line ends, a UTF-8 byte-order mark, any one-character delimiter, and a whitespace mode for
// fixed-width-looking logs such as CDNOW_master.txt, where runs of blanks separate fields.
#pragma once

#include <clv/core/edit_distance.hpp>
#include <clv/core/errors.hpp>
#include <clv/core/location.hpp>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include <stdio.h>  // fseeko: offsets past 2 GiB where long has 32 bits

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace clv::io {

/// How a CSV file is laid out.
struct csv_options {
    char delimiter = ',';     ///< field separator when `whitespace` is false
    bool whitespace = false;  ///< runs of spaces/tabs separate fields; leading/trailing blanks ignored
    bool header = true;       ///< first record names the columns; otherwise they are "1", "2", ...
    std::size_t buffer_size = std::size_t{1} << 20;      ///< bytes read from the file at a time
    std::size_t max_record_bytes = std::size_t{64} << 20;  ///< longer records are an error (a stray quote
                                                           ///< would otherwise swallow the whole file)
    /// An input without any record (no bytes, only blank lines) has no columns and no rows instead of
    /// being an error: an empty partition of a split file, read without a header.
    bool allow_empty = false;
};

/// One record: its fields (unquoted, as string_views into the row) and the file line it starts on.
class csv_row {
public:
    [[nodiscard]] std::size_t size() const noexcept { return ends_.size(); }
    /// Field `index` (0-based), valid until the row is read into again.
    [[nodiscard]] std::string_view operator[](std::size_t index) const noexcept {
        const std::size_t begin = index == 0 ? 0 : ends_[index - 1] + (in_place_ ? 1 : 0);
        return {(in_place_ ? in_place_ : text_.data()) + begin, ends_[index] - begin};
    }
    /// 1-based line of the file where the record starts (a quoted field may span lines).
    [[nodiscard]] std::size_t line() const noexcept { return line_; }
    /// file:line:column of field `index` (0-based) for error messages; the column is 1-based.
    [[nodiscard]] source_location where(std::size_t index) const { return {file_, line_, index + 1}; }

private:
    friend class csv_reader;
    std::string text_;                // the fields' bytes, back to back
    const char* in_place_ = nullptr;  // or the record in the reader's buffer, fields separated by one byte
    std::vector<std::size_t> ends_;   // end offset of each field in text_ (or from in_place_)
    std::size_t line_ = 0;
    std::string file_;
};

/// Reads a delimited text file record by record. Construction reads the header (or the first
/// record when there is none) and throws `invalid_input` for an empty file (unless
/// `csv_options::allow_empty`); `next` throws
/// `invalid_input` with file:line for ragged rows, unterminated quotes and over-long records.
class csv_reader {
public:
    csv_reader(const std::filesystem::path& path, csv_options options = {})
        : options_(options), name_(path.string()), file_(open(path, name_)),
          buffer_(std::max<std::size_t>(options.buffer_size, 16)) {
        std::error_code ignored;
        regular_file_ = std::filesystem::is_regular_file(path, ignored);  // not a pipe: split() can seek
        start();
    }

    /// Reads an open stream such as stdin, left open; `name` stands for it in messages
    /// ("standard input:4:2: ...").
    csv_reader(std::FILE* stream, std::string name, csv_options options = {})
        : options_(options), name_(std::move(name)), file_(stream, &leave_open),
          buffer_(std::max<std::size_t>(options.buffer_size, 16)) {
        start();
    }

    [[nodiscard]] const std::string& file_name() const noexcept { return name_; }
    [[nodiscard]] const std::vector<std::string>& columns() const noexcept { return columns_; }

    /// 0-based index of the column called `name`; throws `invalid_input` listing the columns there
    /// are, the close names first, and the likely fix when the mistake is guessable (a header of
    /// one column holding blanks or another delimiter, a column number given with a header).
    [[nodiscard]] std::size_t column_index(std::string_view name) const {
        for (std::size_t i = 0; i < columns_.size(); ++i) {
            if (columns_[i] == name) return i;
        }
        auto quoted = [](const std::vector<std::string>& names) {
            std::string list;
            for (const auto& column : names) list += (list.empty() ? "'" : ", '") + column + "'";
            return list;
        };
        std::string reason = "no such column";
        if (const auto close = close_names(name, columns_); !close.empty()) reason += "; did you mean " + quoted(close) + "?";
        reason += "; available columns: " + quoted(columns_);
        const bool is_number = !name.empty() && name.find_first_not_of("0123456789") == std::string_view::npos;
        if (!options_.header) {
            reason += " (no header: columns are numbered from 1)";
        } else if (columns_.size() == 1 && !options_.whitespace &&
                   columns_[0].find_first_of(" \t") != std::string::npos) {
            reason += " (the header is one column holding blanks: if blanks separate the fields, use --whitespace)";
        } else if (const auto other = columns_.size() == 1 ? columns_[0].find_first_of(",;|\t") : std::string::npos;
                   other != std::string::npos) {
            reason += std::string(" (the header is one column holding '") + columns_[0][other] +
                      "': if it separates the fields, use --delimiter '" + columns_[0][other] + "')";
        } else if (is_number) {
            reason += " (columns are named by the header row; to number them from 1, use --no-header)";
        }
        throw invalid_input("column", std::string(name), reason, {name_});
    }

    /// Reads the next record into `row`; false at the end of the file. Every record has as many
    /// fields as the header (or the first record).
    bool next(csv_row& row) {
        if (pending_) {
            row = std::move(*pending_);
            pending_.reset();
            return true;
        }
        if (!read_record(row)) return false;
        if (row.size() != columns_.size()) {
            throw invalid_input("", "",
                                "record has " + std::to_string(row.size()) + " fields but the " +
                                    (options_.header ? "header has " : "first record has ") +
                                    std::to_string(columns_.size()),
                                {name_, row.line_, 0});
        }
        return true;
    }

    /// Cuts what is left of a file in two, so that two threads can read the parts at once: the
    /// returned reader reads from just after the first LF at or after the middle byte of the rest
    /// (the same columns and options; lines numbered as in the file), and this reader stops there.
    /// Nothing, and this reader unchanged, for a stream or anything but a regular file, and when
    /// the rest holds a quote character: a quoted field may hold a line break, so the cut could fall
    /// inside a record. (A file whose lines end with a lone CR has no LF: its second part is empty.)
    /// Costs one read of the rest, which finds the cut and counts the line ends before it.
    std::optional<csv_reader> split() {
        if (!regular_file_) return std::nullopt;
        const std::uint64_t begin = offset_ - (end_ - pos_);  // the first byte not read yet
        std::error_code error;
        const std::uint64_t end = std::min<std::uint64_t>(std::filesystem::file_size(name_, error), limit_);
        if (error || end < begin) return std::nullopt;
        file_handle file = open(name_, name_);  // read here to scan, then by the second part
        if (::fseeko(file.get(), static_cast<off_t>(begin), SEEK_SET) != 0) return std::nullopt;
        const std::uint64_t middle = begin + (end - begin) / 2;
        std::uint64_t cut = end;
        std::size_t line = line_;  // of the cut
        bool cut_found = false, after_cr = false;
        std::vector<char> block(buffer_.size());
        for (std::uint64_t at = begin; at < end;) {
            const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(block.size(), end - at));
            const std::size_t n = std::fread(block.data(), 1, want, file.get());
            if (n == 0) return std::nullopt;  // a read error or a shrunk file: left to one reader
            const char* const data = block.data();
            if (std::memchr(data, '"', n) != nullptr) return std::nullopt;
            if (!cut_found) {
                std::size_t before_cut = n;
                if (const std::size_t from = middle > at ? static_cast<std::size_t>(middle - at) : 0; from < n) {
                    if (const void* lf = std::memchr(data + from, '\n', n - from)) {
                        before_cut = static_cast<std::size_t>(static_cast<const char*>(lf) - data) + 1;
                        cut = at + before_cut;
                        cut_found = true;
                    }
                }
                line += count_line_ends(data, data + before_cut, after_cr);
            }
            at += n;
        }
        if (after_cr) ++line;  // a lone CR ends the rest (the cut follows an LF)
        if (::fseeko(file.get(), static_cast<off_t>(cut), SEEK_SET) != 0) return std::nullopt;
        const std::uint64_t rest_end = limit_;
        limit_ = cut;
        if (offset_ > cut) {  // a small file, buffered past the cut already
            end_ -= static_cast<std::size_t>(offset_ - cut);
            offset_ = cut;
        }
        return csv_reader(*this, std::move(file), cut, rest_end, line);
    }

private:
    static constexpr int end_of_file = -1;
    using file_handle = std::unique_ptr<std::FILE, int (*)(std::FILE*)>;
    static int leave_open(std::FILE*) noexcept { return 0; }

    // The second part of `whole`'s file (`split`): bytes [offset, limit) read through `file`,
    // which is positioned at `offset`, the start of file line `line`; no header there.
    csv_reader(const csv_reader& whole, file_handle file, std::uint64_t offset, std::uint64_t limit, std::size_t line)
        : options_(whole.options_), name_(whole.name_), file_(std::move(file)), buffer_(whole.buffer_.size()),
          line_(line), columns_(whole.columns_), ends_field_(whole.ends_field_),
          ends_in_place_field_(whole.ends_in_place_field_), offset_(offset), limit_(limit), regular_file_(true) {}

    // Checks the options, reads the header (or the first record when there is none).
    void start() {
        if (!options_.whitespace && (options_.delimiter == '"' || options_.delimiter == '\n' ||
                                     options_.delimiter == '\r')) {
            throw invalid_input("delimiter", std::string(1, options_.delimiter),
                                "a quote or line break cannot separate fields", {name_});
        }
        for (int c = 0; c < 256; ++c) {
            ends_field_[c] = c == '\n' || c == '\r' || is_separator(c);
            ends_in_place_field_[c] = ends_field_[c] || c == '"';
        }
        fill();
        if (end_ >= 3 && std::memcmp(buffer_.data(), "\xEF\xBB\xBF", 3) == 0) pos_ = 3;
        csv_row first;
        if (!read_record(first)) {
            if (options_.allow_empty) return;
            throw invalid_input("", "", "empty file: no header/no data", {name_});
        }
        if (options_.header) {
            for (std::size_t i = 0; i < first.size(); ++i) columns_.emplace_back(first[i]);
        } else {
            for (std::size_t i = 1; i <= first.size(); ++i) columns_.push_back(std::to_string(i));
            pending_ = std::move(first);
        }
    }

    // The file, or `invalid_input` saying why not: a folder, or the operating system's reason.
    static file_handle open(const std::filesystem::path& path, const std::string& name) {
        std::error_code ignored;
        if (std::filesystem::is_directory(path, ignored))
            throw invalid_input("", "", "is a folder, not a file: give the path of a file", {name});
        file_handle file(std::fopen(name.c_str(), "rb"), &std::fclose);
        if (!file) throw invalid_input("", "", std::string("cannot open file: ") + std::strerror(errno), {name});
        return file;
    }

    bool fill() {
        pos_ = 0;
        errno = 0;
        const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(buffer_.size(), limit_ - offset_));
        end_ = std::fread(buffer_.data(), 1, want, file_.get());
        offset_ += end_;
        if (end_ == 0 && std::ferror(file_.get())) {
            throw invalid_input("", "", std::string("cannot read the file: ") + std::strerror(errno != 0 ? errno : EIO),
                                {name_, line_, 0});
        }
        return end_ != 0;
    }
    int peek() {
        if (pos_ == end_ && !fill()) return end_of_file;
        return static_cast<unsigned char>(buffer_[pos_]);
    }
    void advance() noexcept { ++pos_; }
    [[nodiscard]] bool is_separator(int c) const noexcept {
        return options_.whitespace ? (c == ' ' || c == '\t') : c == static_cast<unsigned char>(options_.delimiter);
    }
    // Consumes a line end (LF, CRLF or a lone CR) if one is next; true if it did.
    bool consume_line_end() {
        const int c = peek();
        if (c != '\n' && c != '\r') return false;
        advance();
        if (c == '\r' && peek() == '\n') advance();
        ++line_;
        return true;
    }
    void check_length(const csv_row& row) const {
        if (row.text_.size() > options_.max_record_bytes) {
            throw invalid_input("", "", "record longer than " + std::to_string(options_.max_record_bytes) +
                                            " bytes (an unclosed quote?)",
                                {name_, row.line_, row.size() + 1});
        }
    }

    // RFC 4180 section 2 items 5-7: a field starting with a quote runs to the matching quote;
    // "" inside stands for one quote; delimiters and line breaks inside are data.
    void read_quoted_field(csv_row& row) {
        const std::size_t opened_line = line_;
        advance();  // opening quote
        for (;;) {
            const int c = peek();
            if (c == end_of_file) {
                throw invalid_input("", "", "unterminated quoted field: the quote opened here is never closed",
                                    {name_, opened_line, row.size() + 1});
            }
            advance();
            if (c == '"') {
                if (peek() != '"') break;
                advance();
            } else if (c == '\n' || (c == '\r' && peek() != '\n')) {
                ++line_;
            }
            row.text_.push_back(static_cast<char>(c));
            check_length(row);
        }
        const int after = peek();
        if (after != end_of_file && after != '\n' && after != '\r' && !is_separator(after)) {
            throw invalid_input("", std::string(1, static_cast<char>(after)),
                                "unexpected character after the closing quote of a field",
                                {name_, line_, row.size() + 1});
        }
    }

    void read_plain_field(csv_row& row) {
        for (;;) {
            if (pos_ == end_ && !fill()) return;
            const char* begin = buffer_.data() + pos_;
            const char* end = buffer_.data() + end_;
            const char* p = begin;
            while (p != end && !ends_field_[static_cast<unsigned char>(*p)]) ++p;
            row.text_.append(begin, static_cast<std::size_t>(p - begin));  // (pointer, size): the pair overload goes through replace()
            pos_ += static_cast<std::size_t>(p - begin);
            check_length(row);
            if (p != end) return;
        }
    }

    // The record at pos_ split in place when it lies whole in the buffer, holds no quote and ends
    // with a line break (LF, CRLF or a lone CR): fields are views, nothing is copied. False, with
    // nothing consumed, otherwise (the byte-by-byte path then reads it).
    bool read_record_in_place(csv_row& row) {
        if (options_.whitespace) return false;
        const char* const begin = buffer_.data() + pos_;
        const char* const end = buffer_.data() + end_;
        const char* p = begin;
        for (;; ++p) {
            p = next_in_place_end(p, end);
            if (p == end || *p == '"') break;
            row.ends_.push_back(static_cast<std::size_t>(p - begin));
            if (*p == '\n' || *p == '\r') {
                std::size_t line_end = 1;
                if (*p == '\r') {
                    if (p + 1 == end) break;  // a CRLF split by the buffer's end
                    if (p[1] == '\n') line_end = 2;
                }
                if (static_cast<std::size_t>(p - begin) > options_.max_record_bytes) break;
                row.in_place_ = begin;
                pos_ += static_cast<std::size_t>(p - begin) + line_end;
                ++line_;
                return true;
            }
        }
        row.ends_.clear();
        return false;
    }

    // The first separator, line break or quote in [p, end), or end: 16 bytes per step where SSE2
    // is there (every x86-64), which is what makes a record's split cost less than its parsing.
    [[nodiscard]] const char* next_in_place_end(const char* p, const char* end) const noexcept {
#if defined(__SSE2__)
        const __m128i separator = _mm_set1_epi8(options_.delimiter), lf = _mm_set1_epi8('\n'),
                      cr = _mm_set1_epi8('\r'), quote = _mm_set1_epi8('"');
        for (; end - p >= 16; p += 16) {
            const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
            const __m128i found = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(bytes, separator), _mm_cmpeq_epi8(bytes, lf)),
                                               _mm_or_si128(_mm_cmpeq_epi8(bytes, cr), _mm_cmpeq_epi8(bytes, quote)));
            if (const int mask = _mm_movemask_epi8(found); mask != 0) return p + __builtin_ctz(static_cast<unsigned>(mask));
        }
#endif
        while (p != end && !ends_in_place_field_[static_cast<unsigned char>(*p)]) ++p;
        return p;
    }

    // Bytes equal to `c` in [p, end): 16 at a time where SSE2 is there, since counting the line
    // ends before the cut is the one part of `split` that looks at every byte.
    static std::size_t count_bytes(const char* p, const char* end, char c) noexcept {
        std::size_t count = 0;
#if defined(__SSE2__)
        const __m128i wanted = _mm_set1_epi8(c), zero = _mm_setzero_si128();
        while (end - p >= 16) {
            // Each byte lane counts up to 255 matches; then the lanes are summed (_mm_sad_epu8).
            __m128i lanes = zero;
            for (int step = 0; step < 255 && end - p >= 16; ++step, p += 16)
                lanes = _mm_sub_epi8(lanes,
                                     _mm_cmpeq_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)), wanted));
            const __m128i sums = _mm_sad_epu8(lanes, zero);
            count += static_cast<std::size_t>(_mm_extract_epi16(sums, 0) + _mm_extract_epi16(sums, 4));
        }
#endif
        for (; p != end; ++p) count += *p == c;
        return count;
    }

    // Line ends in [p, end) as the reader counts them: LF, CRLF (at its LF) and a lone CR.
    // `after_cr`: the bytes before p ended with a CR, alone unless *p is an LF; set for the next call.
    static std::size_t count_line_ends(const char* p, const char* end, bool& after_cr) noexcept {
        if (p == end) return 0;
        std::size_t count = count_bytes(p, end, '\n') + (after_cr && *p != '\n' ? 1 : 0);
        for (const void* cr = std::memchr(p, '\r', static_cast<std::size_t>(end - p)); cr != nullptr;) {
            const char* const at = static_cast<const char*>(cr) + 1;
            if (at == end) break;  // the next call knows what follows it
            if (*at != '\n') ++count;
            cr = std::memchr(at, '\r', static_cast<std::size_t>(end - at));
        }
        after_cr = end[-1] == '\r';
        return count;
    }

    bool read_record(csv_row& row) {
        row.text_.clear();
        row.ends_.clear();
        row.in_place_ = nullptr;
        if (row.file_ != name_) row.file_ = name_;
        // Blank lines (and, in whitespace mode, lines of blanks) hold no record.
        for (;;) {
            const int c = peek();
            if (c == end_of_file) return false;
            if (consume_line_end()) continue;
            if (options_.whitespace && is_separator(c)) {
                advance();
                continue;
            }
            break;
        }
        row.line_ = line_;
        if (read_record_in_place(row)) return true;
        for (;;) {
            if (peek() == '"') {
                read_quoted_field(row);
            } else {
                read_plain_field(row);
            }
            row.ends_.push_back(row.text_.size());
            const int c = peek();
            if (c == end_of_file || consume_line_end()) return true;
            advance();  // the separator
            if (options_.whitespace) {
                while (is_separator(peek())) advance();
                const int next = peek();
                if (next == end_of_file || consume_line_end()) return true;
            }
        }
    }

    csv_options options_;
    std::string name_;
    file_handle file_;
    std::vector<char> buffer_;
    std::size_t pos_ = 0;
    std::size_t end_ = 0;
    std::size_t line_ = 1;
    std::vector<std::string> columns_;
    std::array<bool, 256> ends_field_{};  // line breaks and separators: one lookup per byte of a plain field
    std::array<bool, 256> ends_in_place_field_{};  // the same and the quote
    std::optional<csv_row> pending_;  // the first record of a header-less file
    std::uint64_t offset_ = 0;  // file offset of the buffer's end
    std::uint64_t limit_ = std::numeric_limits<std::uint64_t>::max();  // where this part of the file ends (split)
    bool regular_file_ = false;  // opened by path and seekable: split() may cut it
};

namespace detail {

/// `text` as a double when it is a plain decimal ([-]digits[.digits], at most 17 characters) whose
/// digits, read as one integer m, stay below 2^53 (so at most 16 after the point): then m and 10^k are exact doubles and
/// m / 10^k (k <= 16 < 22), one correctly rounded division, is the correctly rounded value of the text, the same
/// double std::from_chars gives (Clinger 1990, "How to read floating point numbers accurately",
/// the fast path). Counts, weights and amounts with cents take this path; anything else returns
/// nothing and goes to std::from_chars.
inline std::optional<double> parse_plain_decimal(std::string_view text) noexcept {
    static constexpr double powers_of_ten[] = {1e0, 1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,
                                               1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16};
    if (text.size() > 17) return std::nullopt;  // 16 digits, a sign and a point at most: longer ones go straight on
    const char* p = text.data();
    const char* const end = p + text.size();
    const bool negative = p != end && *p == '-';
    if (negative) ++p;
    std::uint64_t m = 0;
    std::size_t digits = 0, after_point = 0;
    const char* const first = p;
    for (; p != end && *p >= '0' && *p <= '9'; ++p, ++digits) m = m * 10 + static_cast<unsigned>(*p - '0');
    if (p == first) return std::nullopt;
    if (p != end && *p == '.') {
        const char* const fraction = ++p;
        for (; p != end && *p >= '0' && *p <= '9'; ++p, ++digits) m = m * 10 + static_cast<unsigned>(*p - '0');
        after_point = static_cast<std::size_t>(p - fraction);
        if (after_point == 0) return std::nullopt;
    }
    if (p != end || m > (std::uint64_t{1} << 53)) return std::nullopt;
    const double value = static_cast<double>(m) / powers_of_ten[after_point];
    return negative ? -value : value;
}

}  // namespace detail

/// Parses a decimal number the same way in every locale (std::from_chars, never strtod), after
/// trimming blanks; accepts a leading '+'. Empty text, trailing characters, out-of-range values
/// and NaN/infinity are rejected with `invalid_input` naming `field`, the text and `where`.
template <location_source Where>
double parse_number(std::string_view text, std::string_view field, const Where& where) {
    std::string_view digits = text;
    while (!digits.empty() && (digits.front() == ' ' || digits.front() == '\t')) digits.remove_prefix(1);
    while (!digits.empty() && (digits.back() == ' ' || digits.back() == '\t')) digits.remove_suffix(1);
    if (digits.empty()) throw invalid_input(std::string(field), "", "empty value where a number is expected", locate(where));
    if (digits.front() == '+' && digits.size() > 1 && digits[1] != '-') digits.remove_prefix(1);
    if (const auto plain = detail::parse_plain_decimal(digits)) return *plain;
    double value = 0;
    const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (error == std::errc::result_out_of_range) {
        throw invalid_input(std::string(field), std::string(text), "number out of range", locate(where));
    }
    if (error != std::errc{} || end != digits.data() + digits.size() || !std::isfinite(value)) {
        throw invalid_input(std::string(field), std::string(text), "not a finite number", locate(where));
    }
    return value;
}

}  // namespace clv::io
