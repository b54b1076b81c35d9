// Customer summaries as CSV files: read with validation at file:line:column, written so that
// every number reads back to the same double.
#pragma once

#include <clv/core/errors.hpp>
#include <clv/data/customer_table.hpp>
#include <clv/io/csv_reader.hpp>
#include <clv/io/output_file.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <future>
#include <iterator>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace clv::io {

/// Which columns of a summary file to read. The defaults are the header `write_summary_csv`
/// writes (lifetimes' names for frequency, recency, T and monetary_value).
struct summary_csv_options {
    std::string customer_column = "customer_id";
    /// When true and the file has no `customer_column`, customers are numbered by their data row
    /// (1, 2, ...), as for a summary of anonymous rows; when false that column must exist.
    bool customer_column_optional = false;
    std::string frequency_column = "frequency";
    std::string recency_column = "recency";
    std::string T_column = "T";
    /// Read when the file has this column (monetary values are 0 otherwise); empty: never read.
    std::string monetary_value_column = "monetary_value";
    /// Empty: every row is one customer; a name: that column must exist and holds how many
    /// customers each row stands for (compressed data).
    std::string weight_column;
    csv_options csv;  ///< delimiter, header
};

/// Reads a customer summary in chunks of at most a given number of customers, from a file or from
/// a stream such as standard input, checking each row as it comes: every value with
/// `parse_number`, every row with `validate_customer_row`, ids unique within what one `next` call
/// returns (`unique_id_check`), each error naming file:line:column, the field and the value. Memory is
/// that of one chunk whatever the length of the input, so a scoring filter (`clv predict --input -`)
/// runs in constant memory over a partition of any size.
class summary_csv_reader {
public:
    /// Reads the file at `path` (`options.csv` gives its layout).
    explicit summary_csv_reader(const std::filesystem::path& path, const summary_csv_options& options = {})
        : summary_csv_reader(csv_reader(path, options.csv), options) {}

    /// Reads what `reader` reads (a file or a stream); its header names the columns. An input without
    /// any record (`csv_options::allow_empty`) has no rows.
    summary_csv_reader(csv_reader reader, const summary_csv_options& options)
        : reader_(std::move(reader)), options_(options) {
        const auto& names = reader_.columns();
        if (names.empty()) return;  // an empty input, allowed: no columns to look up
        const bool has_ids = !options.customer_column_optional ||
                             std::find(names.begin(), names.end(), options.customer_column) != names.end();
        if (has_ids) id_ = reader_.column_index(options.customer_column);
        frequency_ = reader_.column_index(options.frequency_column);
        recency_ = reader_.column_index(options.recency_column);
        T_ = reader_.column_index(options.T_column);
        for (std::size_t i = 0; i < names.size(); ++i) {
            if (!options.monetary_value_column.empty() && names[i] == options.monetary_value_column) monetary_ = i;
            if (i != id_) carried_columns_.push_back(names[i]);
        }
        if (!options.weight_column.empty()) weight_ = reader_.column_index(options.weight_column);
    }

    /// Replaces `chunk` by the next customers, at most `max_rows` of them; false when none are
    /// left. Rows without an id column are numbered by their data row (1, 2, ...) across chunks.
    /// With `carried`, it receives the text of the `carried_columns()` of each row, row after row.
    /// Of several errors, the one thrown is the first in file order (a repeated id before a bad row).
    bool next(customer_table& chunk, std::size_t max_rows, std::vector<std::string>* carried = nullptr) {
        chunk.clear();
        if (carried) carried->clear();
        if (reader_.columns().empty()) return false;
        lines_.clear();
        try {
            read_rows(chunk, max_rows, carried);
        } catch (const invalid_input&) {
            // A repeated id in a row before the bad one is the first error in file order: so the
            // error does not depend on where chunks begin (nor on a file read in two parts, `split`).
            check_ids(chunk);
            throw;
        }
        check_ids(chunk);
        return !chunk.empty();
    }

    /// From the next chunk on, ids must be unique across all the chunks `next` returns, not only
    /// within each: for a caller that keeps no chunk (`read_compressed_summary`). The reader then
    /// keeps every id (no hashing while they come in ascending order, as `unique_id_check` says).
    void check_ids_across_chunks() {
        if (!every_id_) every_id_ = std::make_unique<id_history>();
    }

    /// Cuts what is left of a file in two for two threads (`csv_reader::split`): this reader stops
    /// at the cut, just after a line break near the middle, and the returned one reads from there on
    /// with the same columns and checks (ids across chunks if this reader checks them), its messages
    /// naming the file's own lines; rows without ids are numbered from 1 again in it. Nothing, and
    /// this reader unchanged, for a stream or a file holding a quote character.
    std::optional<summary_csv_reader> split() {
        std::optional<csv_reader> rest = reader_.split();
        if (!rest) return std::nullopt;
        summary_csv_reader part(std::move(*rest), options_);
        if (every_id_) {
            part.every_id_ = std::make_unique<id_history>();
            part.every_id_->keep_lines = true;  // for check_ids_followed_by's message
        }
        return part;
    }

    /// For a file read in two parts (`split`), each read to its end or to its first error with ids
    /// checked across chunks: checks the ids of the `later` part as if this reader had read them
    /// after its own, and throws `invalid_input`, as `next` does, for the first of them in file
    /// order that repeats an id of either part. `later` holds the ids of the rows before its error,
    /// so this check comes before that error is reported, as a one-part read would have it.
    void check_ids_followed_by(const summary_csv_reader& later) {
        if (id_ == absent || !every_id_ || !later.every_id_) return;
        // This reader's ids then `later`'s, as one list, without copying them.
        struct joined_ids {
            const id_arena &first, &second;
            [[nodiscard]] std::size_t size() const noexcept { return first.size() + second.size(); }
            [[nodiscard]] std::string_view operator[](std::size_t i) const noexcept {
                return i < first.size() ? first[i] : second[i - first.size()];
            }
        };
        const joined_ids ids{every_id_->ids, later.every_id_->ids};
        const std::size_t begin = every_id_->ids.size();
        if (const auto i = every_id_->check.first_repeat(ids, begin))
            throw invalid_input(options_.customer_column, std::string(ids[*i]), "duplicate customer id",
                                {source(), later.every_id_->line_of(*i - begin), id_ + 1});
    }

    /// The input's columns, in file order (none for an empty input).
    [[nodiscard]] const std::vector<std::string>& columns() const noexcept { return reader_.columns(); }
    /// Every column but the customer id column, in file order: what `next` carries.
    [[nodiscard]] const std::vector<std::string>& carried_columns() const noexcept { return carried_columns_; }
    /// The input's name in messages (its path, or the stream's name).
    [[nodiscard]] const std::string& source() const noexcept { return reader_.file_name(); }
    /// Data rows read so far.
    [[nodiscard]] std::size_t rows_read() const noexcept { return rows_read_; }
    /// Whether rows carry weights (`summary_csv_options::weight_column`); otherwise each weighs 1.
    [[nodiscard]] bool weighted() const noexcept { return weight_ != absent; }

private:
    static constexpr std::size_t absent = static_cast<std::size_t>(-1);

    // Reads, checks and appends rows to `chunk` until it has `max_rows` or the input ends.
    void read_rows(customer_table& chunk, std::size_t max_rows, std::vector<std::string>* carried) {
        while (chunk.size() < max_rows && reader_.next(row_)) {
            auto number = [&](std::size_t column) {
                return parse_number(row_[column], reader_.columns()[column], [&] { return row_.where(column); });
            };
            auto number_or = [&](std::size_t column, double otherwise) {
                return column == absent ? otherwise : number(column);
            };
            const customer_row values{number(frequency_), number(recency_), number(T_), number_or(monetary_, 0.0),
                                      number_or(weight_, 1.0)};
            validate_customer_row(values, [&](std::string_view field) {
                const std::size_t column = field == "frequency" ? frequency_ : field == "recency" ? recency_
                                         : field == "T" ? T_ : field == "weight" ? weight_ : monetary_;
                return column == absent ? source_location{reader_.file_name(), row_.line(), 0} : row_.where(column);
            });
            ++rows_read_;
            chunk.push_back(id_ != absent ? std::string(row_[id_]) : std::to_string(rows_read_), values);
            lines_.push_back(row_.line());
            if (carried)
                for (std::size_t i = 0; i < row_.size(); ++i)
                    if (i != id_) carried->emplace_back(row_[i]);
        }
    }

    // Throws for the first id of `chunk` that repeats an earlier one of the chunk (across chunks:
    // of any chunk before).
    void check_ids(const customer_table& chunk) {
        if (id_ == absent) return;
        auto repeat = [&](std::size_t i) {
            return invalid_input(options_.customer_column, chunk.ids[i], "duplicate customer id",
                                 {reader_.file_name(), lines_[i], id_ + 1});
        };
        // Once per chunk rather than per row: the hash table is sized once and probed ahead.
        if (every_id_) {
            const std::size_t begin = every_id_->ids.size();
            for (const std::string& id : chunk.ids) every_id_->ids.push_back(id);
            if (every_id_->keep_lines)
                for (std::size_t i = 0; i < lines_.size(); ++i) every_id_->note_line(begin + i, lines_[i]);
            if (const auto i = every_id_->check.first_repeat(every_id_->ids, begin)) throw repeat(*i - begin);
        } else if (const auto i = unique_id_check{}.first_repeat(chunk.ids)) {
            throw repeat(*i);
        }
    }

    csv_reader reader_;
    summary_csv_options options_;
    std::size_t id_ = absent, frequency_ = absent, recency_ = absent, T_ = absent, monetary_ = absent, weight_ = absent;
    std::vector<std::string> carried_columns_;
    csv_row row_;
    std::vector<std::size_t> lines_;  // file line of each row of the chunk, for messages
    std::size_t rows_read_ = 0;
    struct id_history {
        id_arena ids;
        unique_id_check check;
        bool keep_lines = false;  // a part split off: the line of each id is kept
        // With keep_lines, (id, its line) where a run of ids on consecutive lines starts: next to
        // nothing for a file without blank lines, where a line for each id would take 8 bytes.
        std::vector<std::pair<std::size_t, std::size_t>> line_runs;

        // Notes the line of id `id`, the one after the last noted.
        void note_line(std::size_t id, std::size_t line) {
            if (line_runs.empty() || line_runs.back().second + (id - line_runs.back().first) != line)
                line_runs.emplace_back(id, line);
        }
        // The line of id `id`, noted before.
        [[nodiscard]] std::size_t line_of(std::size_t id) const {
            const auto run = std::prev(std::upper_bound(line_runs.begin(), line_runs.end(), id,
                                                        [](std::size_t i, const auto& start) { return i < start.first; }));
            return run->second + (id - run->first);
        }
    };
    std::unique_ptr<id_history> every_id_;  // with check_ids_across_chunks()
};

/// Reads a summary file into a `customer_table`: `summary_csv_reader` with the whole file as one
/// chunk, so ids are unique in the file. Throws `invalid_input` for a file without data rows.
inline customer_table read_summary_csv(const std::filesystem::path& path, const summary_csv_options& options = {}) {
    summary_csv_reader reader(path, options);
    customer_table table;
    if (!reader.next(table, static_cast<std::size_t>(-1)))
        throw invalid_input("", "", "no data rows: the summary is empty", {path.string()});
    return table;
}

namespace detail {

/// The rest of `reader` read chunk by chunk (`chunk_rows` customers at a time) into a
/// `summary_compressor`, returned unfinished. With `pipelined`, the next chunk is parsed on a second
/// thread while the current one is compressed.
inline summary_compressor compress_rest(summary_csv_reader& reader, std::size_t chunk_rows, bool pipelined) {
    summary_compressor compressor;
    // Two chunk buffers, reused: one is compressed while the other is read into (fresh tables
    // for every chunk cost page faults, a tenth of the time).
    std::array<customer_table, 2> buffers;
    auto read_into = [&reader, chunk_rows](customer_table* chunk) {
        return reader.next(*chunk, std::max<std::size_t>(chunk_rows, 1)) ? chunk : nullptr;
    };
    if (pipelined) {
        // One chunk ahead: the future's get() hands the reader over (and rethrows its errors); a
        // pending read is waited for by the future's destructor if compressing throws.
        std::size_t current = 0;
        std::future<customer_table*> pending = std::async(std::launch::async, read_into, &buffers[current]);
        while (customer_table* chunk = pending.get()) {
            current = 1 - current;
            pending = std::async(std::launch::async, read_into, &buffers[current]);
            compressor.add(*chunk);
        }
    } else {
        while (customer_table* chunk = read_into(&buffers[0])) compressor.add(*chunk);
    }
    return compressor;
}

}  // namespace detail

/// Reads the rest of `reader` chunk by chunk (`chunk_rows` customers at a time) into a
/// `summary_compressor`: the distinct (frequency, recency, T) rows with weights, which is all a
/// transaction model's fit needs, in memory proportional to the distinct rows and the ids (which
/// must be unique in the whole input) rather than to the whole table. With `threads` > 1, a file
/// (not a stream) without quote characters or a weight column is cut in two halves (`split`), each
/// read and compressed on its own thread, and the halves' rows merged; otherwise the next chunk is
/// parsed on a second thread while the current one is compressed. The rows and their weights have
/// the same bits for any number of threads, and so has the error, the first in file order. Throws
/// `invalid_input` for an input without data rows, and whatever the reader throws for a bad row.
inline customer_table read_compressed_summary(summary_csv_reader& reader, std::size_t chunk_rows = 65536,
                                              unsigned threads = 1) {
    reader.check_ids_across_chunks();
    // Weights of 1 add up to whole numbers, exactly in any order: the halves' merged weights are
    // those of one pass. (Other weights' sums would depend on where the file is cut.)
    std::optional<summary_csv_reader> second_half;
    if (threads > 1 && !reader.weighted()) second_half = reader.split();
    customer_table unique;
    if (second_half) {
        // A future's destructor waits for its thread if the code after it throws, and get()
        // rethrows the thread's error: the first half's error is thrown first, then a repeated id
        // (from the rows before any bad row of the second half), then the second half's error.
        std::future<customer_table> second = std::async(std::launch::async, [&second_half, chunk_rows] {
            return detail::compress_rest(*second_half, chunk_rows, false).finish();
        });
        const customer_table first = detail::compress_rest(reader, chunk_rows, false).finish();
        second.wait();
        // The halves' rows are merged while the ids are checked across them.
        std::future<customer_table> merged = std::async(std::launch::async, [&first, &second] {
            return summary_compressor::merge(first, second.get());
        });
        reader.check_ids_followed_by(*second_half);
        unique = merged.get();
    } else {
        unique = detail::compress_rest(reader, chunk_rows, threads > 1).finish();
    }
    if (unique.empty()) throw invalid_input("", "", "no data rows: the summary is empty", {reader.source()});
    return unique;
}

/// Appends the shortest text that reads back as exactly `value` (std::to_chars round trip).
inline void append_number(std::string& out, double value) {
    std::array<char, 32> text{};
    const auto result = std::to_chars(text.data(), text.data() + text.size(), value);
    out.append(text.data(), result.ptr);
}

/// `field` as one CSV field, quoted per RFC 4180 when it holds a comma, quote or line break.
inline std::string csv_field(std::string_view field) {
    if (field.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(field);
    std::string quoted = "\"";
    for (const char c : field) {
        if (c == '"') quoted.push_back('"');
        quoted.push_back(c);
    }
    quoted.push_back('"');
    return quoted;
}

/// Writes `table` with the header customer_id,frequency,recency,T,monetary_value (and
/// frequency_holdout,monetary_value_holdout,duration_holdout when it has holdout columns). Throws
/// `invalid_input`, before writing anything, for a table whose columns have different lengths or
/// that has some holdout columns but not all three.
inline void write_summary_csv(std::ostream& out, const customer_table& table) {
    table.check_column_lengths();
    if (table.has_holdout()) {
        for (const auto& [field, column] : {std::pair{"monetary_value_holdout", &table.monetary_value_holdout},
                                            std::pair{"duration_holdout", &table.duration_holdout}}) {
            if (column->size() != table.size())
                throw invalid_input(field, "", "column missing: the table has frequency_holdout, so it needs " +
                                                   std::string(field) + " too (" + std::to_string(table.size()) +
                                                   " values)");
        }
    }
    std::string text = "customer_id,frequency,recency,T,monetary_value";
    if (table.has_holdout()) text += ",frequency_holdout,monetary_value_holdout,duration_holdout";
    text += '\n';
    for (std::size_t i = 0; i < table.size(); ++i) {
        text += csv_field(i < table.ids.size() ? std::string_view(table.ids[i]) : std::string_view());
        for (const double value : {table.frequency[i], table.recency[i], table.T[i],
                                   table.monetary_value.empty() ? 0.0 : table.monetary_value[i]}) {
            text += ',';
            append_number(text, value);
        }
        if (table.has_holdout()) {
            for (const double value : {table.frequency_holdout[i], table.monetary_value_holdout[i],
                                       table.duration_holdout[i]}) {
                text += ',';
                append_number(text, value);
            }
        }
        text += '\n';
        if (text.size() > (std::size_t{1} << 16)) {
            out.write(text.data(), static_cast<std::streamsize>(text.size()));
            text.clear();
        }
    }
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
}

/// Writes `table` to the file `path` (see the stream overload) atomically: a complete copy replaces
/// the file, or the previous file stays untouched (see `write_file_atomically`); throws
/// `invalid_input` with the operating system's reason when the file cannot be written.
inline void write_summary_csv(const std::filesystem::path& path, const customer_table& table) {
    write_file_atomically(path, [&](std::ostream& out) { write_summary_csv(out, table); });
}

}  // namespace clv::io
