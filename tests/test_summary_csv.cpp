#include <clv/io/summary_csv.hpp>

#include "temp_file.hpp"
#include "test_support.hpp"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <limits>
#include <numeric>
#include <random>
#include <sstream>
#include <string>
#include <utility>
#include <variant>
#include <vector>

using clv::invalid_input;
using clv::io::read_summary_csv;
using clv::io::write_summary_csv;
using clv_test::temp_file;

namespace {

std::string written(const clv::customer_table& table) {
    std::ostringstream out;
    write_summary_csv(out, table);
    return out.str();
}

std::string error_of(const temp_file& file, const clv::io::summary_csv_options& options = {}) {
    try {
        (void)read_summary_csv(file.path(), options);
    } catch (const invalid_input& e) {
        return e.what();
    }
    return "no error";
}

}  // namespace

TEST_CASE("numbers are written in the shortest form that reads back exactly") {
    clv::customer_table table;
    table.push_back("1", {2, 213.0 / 7, 272.0 / 7, 22.345, 1});
    CHECK(written(table) == "customer_id,frequency,recency,T,monetary_value\n1,2,30.428571428571427,38.857142857142854,22.345\n");
    CHECK(clv::io::parse_number("30.428571428571427", "recency", clv::source_location{}) == 213.0 / 7);
}

TEST_CASE("write then read gives back the same table, ids quoted per RFC 4180") {
    clv::customer_table table;
    table.push_back("plain", {0, 0, 38.857142857142854, 0, 1});
    table.push_back("Smith, \"J\"\nLtd", {3, 1.0 / 3, 1e-300 + 12.5, 1e10 / 3, 1});
    table.push_back("tab\there", {1, std::numeric_limits<double>::min(), 5, 0.1 + 0.2, 1});
    const temp_file file("roundtrip.csv", written(table));
    const auto back = read_summary_csv(file.path());
    CHECK(back.ids == table.ids);
    CHECK(back.frequency == table.frequency);
    CHECK(back.recency == table.recency);
    CHECK(back.T == table.T);
    CHECK(back.monetary_value == table.monetary_value);
    CHECK_FALSE(back.has_holdout());
    CHECK(written(table).find("\"Smith, \"\"J\"\"\nLtd\",3,") != std::string::npos);
}

TEST_CASE("holdout columns are written when the table has them") {
    clv::customer_table table;
    table.push_back("a", {1, 2, 4, 2, 1});
    table.frequency_holdout = {2};
    table.monetary_value_holdout = {6};
    table.duration_holdout = {39};
    CHECK(written(table) == "customer_id,frequency,recency,T,monetary_value,frequency_holdout,monetary_value_holdout,"
                            "duration_holdout\na,1,2,4,2,2,6,39\n");
}

TEST_CASE("lifetimes' CDNOW summary reads with its own column names") {
    const auto path = clv_test::shared_data("cdnow/cdnow_customers_summary.csv");
    if (!path) return;
    clv::io::summary_csv_options options;
    options.customer_column = "ID";
    const auto table = read_summary_csv(*path, options);
    REQUIRE(table.size() == 2357);
    CHECK(table.ids[0] == "1");
    CHECK(table.frequency[0] == 2);
    CHECK(table.recency[0] == 30.43);  // FHL (2005)'s example customer
    CHECK(table.T[0] == 38.86);
    CHECK(table.monetary_value == std::vector<double>(2357, 0.0));
}

TEST_CASE("weights and monetary values from named columns, any delimiter") {
    const temp_file file("weighted.csv", "f;r;age;w;spend\n0;0;6;3500;0\n2;4.5;6;12.5;10\n");
    clv::io::summary_csv_options options;
    options.customer_column = "f";  // no id column in compressed data: any unique column will do here
    options.frequency_column = "f";
    options.recency_column = "r";
    options.T_column = "age";
    options.weight_column = "w";
    options.monetary_value_column = "spend";
    options.csv.delimiter = ';';
    const auto table = read_summary_csv(file.path(), options);
    CHECK(table.weight == std::vector<double>{3500, 12.5});
    CHECK(table.monetary_value == std::vector<double>{0, 10});
    CHECK(table.T == std::vector<double>{6, 6});
}

TEST_CASE("bad summaries are invalid_input naming the file, line, column and value") {
    const std::string header = "customer_id,frequency,recency,T,monetary_value\n";
    auto check_error = [&](const std::string& name, const std::string& rows, const std::string& where,
                           const std::string& text, const clv::io::summary_csv_options& options = {}) {
        CAPTURE(name);
        const temp_file file(name, header + rows);
        const std::string message = error_of(file, options);
        CAPTURE(message);
        CHECK(message.find(file.name() + where) != std::string::npos);
        CHECK(message.find(text) != std::string::npos);
    };
    check_error("duplicate.csv", "a,1,2,3,4\nb,0,0,3,0\na,0,0,3,0\n", ":4:1", "duplicate customer id (value 'a')");
    check_error("recency_gt_T.csv", "a,1,2,3,4\nb,1,5,3,1\n", ":3", "recency must not exceed T (3) (value '5')");
    check_error("zero_frequency.csv", "a,0,2,3,0\n", ":2", "frequency 0 must have recency 0 (value '2')");
    check_error("negative_T.csv", "a,0,0,-3,0\n", ":2", "field 'T': must not be negative (value '-3')");
    check_error("not_a_number.csv", "a,1,2,3,4\nb,1,x2,3,4\n", ":3:3", "field 'recency': not a finite number (value 'x2')");
    check_error("nan.csv", "a,nan,0,3,0\n", ":2:2", "(value 'nan')");
    check_error("negative_spend.csv", "a,1,2,3,-4\n", ":2:5", "must not be negative and must be finite (value '-4')");
    check_error("empty_data.csv", "", ": no data rows", "summary is empty");
    check_error("ragged.csv", "a,1,2\n", ":2", "3 fields");
    clv::io::summary_csv_options weighted;
    weighted.weight_column = "monetary_value";
    check_error("zero_weight.csv", "a,1,2,3,0\n", ":2:5", "must be positive and finite (value '0')", weighted);
    clv::io::summary_csv_options renamed;
    renamed.T_column = "age";
    check_error("missing_column.csv", "a,1,2,3,4\n", "", "no such column; available columns: 'customer_id'", renamed);
}

TEST_CASE("a summary without a customer id column numbers its rows when ids are optional") {
    const temp_file file("anonymous.csv", "frequency,recency,T\n2,30.43,38.86\n0,0,38.86\n");
    clv::io::summary_csv_options options;
    CHECK_THROWS_WITH_AS(clv::io::read_summary_csv(file.path(), options), doctest::Contains("customer_id"),
                         clv::invalid_input);
    options.customer_column_optional = true;
    const auto table = clv::io::read_summary_csv(file.path(), options);
    CHECK(table.ids == std::vector<std::string>{"1", "2"});
    CHECK(table.frequency == std::vector<double>{2, 0});
}

TEST_CASE("a table whose columns differ in length is refused before anything is written (issue 9, section 5)") {
    clv::customer_table table;
    table.push_back("a", {1, 2, 4, 2, 1});
    table.push_back("b", {0, 0, 3, 0, 1});
    SUBCASE("holdout frequency and duration without the holdout monetary column (the simulators' tables)") {
        table.frequency_holdout = {2, 0};
        table.duration_holdout = {5, 5};
        std::ostringstream out;
        CHECK_THROWS_WITH_AS(write_summary_csv(out, table), doctest::Contains("monetary_value_holdout"), invalid_input);
        CHECK(out.str().empty());
    }
    SUBCASE("a short column") {
        table.T.pop_back();
        std::ostringstream out;
        CHECK_THROWS_WITH_AS(write_summary_csv(out, table), doctest::Contains("field 'T'"), invalid_input);
        CHECK(out.str().empty());
    }
}

TEST_CASE("writing a summary file replaces it only with a complete copy (issue 9, section 1)") {
    clv::customer_table table;
    table.push_back("a", {1, 2, 4, 2, 1});
    const temp_file previous("previous.csv", "customer_id,frequency,recency,T,monetary_value\nold,0,0,1,0\n");
    table.T.push_back(3);  // a broken table: the write fails
    CHECK_THROWS_AS(write_summary_csv(previous.path(), table), invalid_input);
    CHECK(read_summary_csv(previous.path()).ids == std::vector<std::string>{"old"});  // untouched
    table.T.pop_back();
    write_summary_csv(previous.path(), table);
    CHECK(read_summary_csv(previous.path()).ids == std::vector<std::string>{"a"});
    CHECK_THROWS_WITH_AS(write_summary_csv(std::filesystem::temp_directory_path(), table),
                         doctest::Contains("is a folder"), invalid_input);
}

TEST_CASE("a summary read in chunks gives the rows of the whole read, numbered and carried across chunks") {
    std::string text = "frequency,recency,T,note\n";
    for (int i = 0; i < 1000; ++i)
        text += std::to_string(i % 7) + "," + (i % 7 == 0 ? "0" : std::to_string(i % 5)) + ",9.5,\"n," +
                std::to_string(i) + "\"\n";
    const temp_file file("chunked.csv", text);
    clv::io::summary_csv_options options;
    options.customer_column_optional = true;
    options.csv.buffer_size = 100;  // records straddle buffer ends and are split in place in between
    const auto whole = read_summary_csv(file.path(), options);
    REQUIRE(whole.size() == 1000);
    for (const std::size_t chunk_rows : {1, 7, 999, 1000, 5000}) {
        CAPTURE(chunk_rows);
        clv::io::summary_csv_reader reader(file.path(), options);
        CHECK(reader.carried_columns() == std::vector<std::string>{"frequency", "recency", "T", "note"});
        clv::customer_table chunk, joined;
        std::vector<std::string> carried;
        std::size_t chunks = 0;
        while (reader.next(chunk, chunk_rows, &carried)) {
            ++chunks;
            CHECK(chunk.size() <= chunk_rows);
            REQUIRE(carried.size() == 4 * chunk.size());
            for (std::size_t c = 0; c < chunk.size(); ++c) {
                joined.push_back(chunk.ids[c], chunk.row(c));
                CHECK(carried[4 * c + 3] == "n," + std::to_string(reader.rows_read() - chunk.size() + c));
            }
        }
        CHECK(chunks == (1000 + chunk_rows - 1) / chunk_rows);
        CHECK(joined.ids == whole.ids);  // "1" .. "1000", numbered across chunks
        CHECK(joined.frequency == whole.frequency);
        CHECK(joined.recency == whole.recency);
        CHECK(joined.T == whole.T);
    }
}

TEST_CASE("a chunked read from a stream names it in messages; ids are unique within a chunk") {
    const temp_file file("stream_summary.csv", "customer_id,frequency,recency,T\na,1,2,3\nb,0,0,3\na,0,0,3\nc,1,4,3\n");
    std::FILE* stream = std::fopen(file.path().string().c_str(), "rb");
    REQUIRE(stream != nullptr);
    {
        clv::io::summary_csv_reader reader(clv::io::csv_reader(stream, "standard input"), {});
        clv::customer_table chunk;
        REQUIRE(reader.next(chunk, 2));
        CHECK(chunk.ids == std::vector<std::string>{"a", "b"});
        REQUIRE(reader.next(chunk, 1));  // "a" again, in another chunk: not compared
        CHECK(chunk.ids == std::vector<std::string>{"a"});
        CHECK_THROWS_WITH_AS(reader.next(chunk, 2), doctest::Contains("standard input:5:3: field 'recency'"),
                             invalid_input);
    }
    std::fclose(stream);
    clv::io::summary_csv_reader reader(file.path());
    clv::customer_table chunk;
    CHECK_THROWS_WITH_AS(reader.next(chunk, 3), doctest::Contains((file.name() + ":4:1: field 'customer_id'").c_str()),
                         invalid_input);
}

TEST_CASE("read_compressed_summary gives compress of the whole read, in any chunk size, on one or two threads") {
    std::string text = "customer_id,frequency,recency,T\n";
    for (int i = 0; i < 3000; ++i)
        text += "c" + std::to_string((i * 7919) % 3000) + "," + std::to_string(i % 4) + "," +
                (i % 4 == 0 ? "0" : std::to_string(i % 9)) + "," + std::to_string(10 + i % 3) + "\n";
    const temp_file file("compressed_read.csv", text);
    const auto expected = clv::compress(read_summary_csv(file.path())).unique;
    for (const std::size_t chunk_rows : {1, 64, 5000}) {
        for (const unsigned threads : {1U, 2U}) {
            CAPTURE(chunk_rows);
            CAPTURE(threads);
            clv::io::summary_csv_reader reader(file.path());
            const clv::customer_table unique = clv::io::read_compressed_summary(reader, chunk_rows, threads);
            CHECK(unique.frequency == expected.frequency);
            CHECK(unique.recency == expected.recency);
            CHECK(unique.T == expected.T);
            CHECK(unique.weight == expected.weight);
        }
    }
}

TEST_CASE("read_compressed_summary finds a repeated id in another chunk, and refuses an empty summary") {
    // Ids out of order (hashed) and in order (compared with the last one): both are caught.
    const std::vector<std::pair<std::string, int>> cases{{"b,a,c,a", 5}, {"a,b,b,c", 4}};  // ids, line of the repeat
    for (const auto& [ids, line] : cases) {
        std::string text = "customer_id,frequency,recency,T\n";
        for (std::size_t i = 0; i < 4; ++i) text += std::string(1, ids[2 * i]) + ",1,2,3\n";
        const temp_file file("repeat_across_chunks.csv", text);
        for (const unsigned threads : {1U, 2U}) {
            CAPTURE(ids);
            CAPTURE(threads);
            clv::io::summary_csv_reader reader(file.path());
            const std::string where = file.name() + ":" + std::to_string(line) + ":1: field 'customer_id'";
            CHECK_THROWS_WITH_AS(clv::io::read_compressed_summary(reader, 2, threads), doctest::Contains(where.c_str()),
                                 invalid_input);
        }
    }
    const temp_file empty("empty_summary.csv", "customer_id,frequency,recency,T\n");
    clv::io::summary_csv_reader reader(empty.path());
    CHECK_THROWS_WITH_AS(clv::io::read_compressed_summary(reader), doctest::Contains("no data rows"), invalid_input);
}

TEST_CASE("an empty partition read without a header has no rows") {
    const temp_file file("partition.csv", "");
    clv::io::summary_csv_options options;
    options.csv.header = false;
    options.csv.allow_empty = true;
    options.customer_column = "1";
    options.frequency_column = "2";
    options.recency_column = "3";
    options.T_column = "4";
    clv::io::summary_csv_reader reader(file.path(), options);
    clv::customer_table chunk;
    CHECK_FALSE(reader.next(chunk, 10));
}

namespace {

// A summary's text and, for each data row, the line it is on and its byte offset.
struct summary_text {
    std::string text;
    std::size_t data_begin = 0;  // offset of the first byte after the header
    std::vector<std::size_t> lines, offsets;

    // Where a read on two threads cuts the file: after the first LF from the data's middle byte on.
    [[nodiscard]] std::size_t cut() const {
        const std::size_t lf = text.find('\n', data_begin + (text.size() - data_begin) / 2);
        return lf == std::string::npos ? text.size() : lf + 1;
    }
};

// `rows` (without line ends) under the header customer_id,frequency,recency,T, each line ended by
// `eol`, with a blank line after every 13th row when `blank_lines`, and no line end after the last
// row unless `final_eol`.
summary_text make_summary(const std::vector<std::string>& rows, const std::string& eol, bool blank_lines = false,
                          bool final_eol = true) {
    summary_text summary;
    summary.text = "customer_id,frequency,recency,T" + eol;
    summary.data_begin = summary.text.size();
    std::size_t line = 2;
    for (std::size_t i = 0; i < rows.size(); ++i) {
        summary.lines.push_back(line++);
        summary.offsets.push_back(summary.text.size());
        summary.text += rows[i];
        if (i + 1 < rows.size() || final_eol) summary.text += eol;
        if (blank_lines && i % 13 == 12 && i + 1 < rows.size()) {
            summary.text += eol;
            ++line;
        }
    }
    return summary;
}

// `count` random customers, ids in random order: few distinct (frequency, recency, T), so that
// rows repeat within and across the halves; zeros written -0 now and then (the same key as 0, whose
// first spelling in the file is the one kept).
std::vector<std::string> random_rows(std::size_t count, std::uint64_t seed) {
    std::mt19937_64 random(seed);
    std::vector<std::size_t> numbers(count);
    std::iota(numbers.begin(), numbers.end(), std::size_t{0});
    std::shuffle(numbers.begin(), numbers.end(), random);
    const char* ages[] = {"10", "11.5", "38.857142857142854"};
    const char* recencies[] = {"1", "2.5", "9.428571428571429", "10"};
    std::vector<std::string> rows;
    for (const std::size_t number : numbers) {
        const int frequency = static_cast<int>(random() % 4);
        const char* zero = random() % 5 == 0 ? "-0" : "0";
        rows.push_back("c" + std::to_string(number) + "," + (frequency == 0 ? zero : std::to_string(frequency)) + "," +
                       (frequency == 0 ? zero : recencies[random() % 4]) + "," + ages[random() % 3]);
    }
    return rows;
}

bool same_bits(const std::vector<double>& a, const std::vector<double>& b) {
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0;
}

// read_compressed_summary's table, or its error message.
std::variant<clv::customer_table, std::string> compressed(const temp_file& file, std::size_t chunk_rows,
                                                          unsigned threads) {
    clv::io::summary_csv_reader reader(file.path());
    try {
        return clv::io::read_compressed_summary(reader, chunk_rows, threads);
    } catch (const invalid_input& e) {
        return std::string(e.what());
    }
}

// Whether read_compressed_summary on two threads cuts `file` in two (`summary_csv_reader::split`).
bool splits(const temp_file& file) {
    clv::io::summary_csv_reader reader(file.path());
    return reader.split().has_value();
}

// The same table, bit for bit, or the same message, for every chunk size on one and two threads;
// returns the one-thread result with 65536-row chunks.
std::variant<clv::customer_table, std::string> same_on_one_and_two_threads(const temp_file& file) {
    const auto expected = compressed(file, 65536, 1);
    for (const std::size_t chunk_rows : {1, 3, 64, 65536}) {
        for (const unsigned threads : {1U, 2U}) {
            CAPTURE(chunk_rows);
            CAPTURE(threads);
            const auto got = compressed(file, chunk_rows, threads);
            REQUIRE(got.index() == expected.index());
            if (const auto* message = std::get_if<std::string>(&expected)) {
                CHECK(std::get<std::string>(got) == *message);
                continue;
            }
            const auto& a = std::get<clv::customer_table>(got);
            const auto& b = std::get<clv::customer_table>(expected);
            CHECK(a.ids == b.ids);
            for (const auto column : {&clv::customer_table::frequency, &clv::customer_table::recency,
                                      &clv::customer_table::T, &clv::customer_table::monetary_value,
                                      &clv::customer_table::weight})
                CHECK(same_bits(a.*column, b.*column));
        }
    }
    return expected;
}

// "file:line:column: " of `row` (0-based data row) of `summary` at `column` (1-based; 0: the row).
std::string where(const temp_file& file, const summary_text& summary, std::size_t row, std::size_t column) {
    return file.path().string() + ":" + std::to_string(summary.lines[row]) +
           (column != 0 ? ":" + std::to_string(column) : "") + ": ";
}

}  // namespace

TEST_CASE("read_compressed_summary on two threads cuts a file in halves and gives the one-thread table, bit for bit") {
    for (const std::string eol : {"\n", "\r\n"}) {
        for (const bool blank_lines : {false, true}) {
            for (const bool final_eol : {true, false}) {
                for (const std::size_t count : {1, 2, 5, 200, 3001}) {
                    CAPTURE(eol.size());
                    CAPTURE(blank_lines);
                    CAPTURE(final_eol);
                    CAPTURE(count);
                    const auto rows = random_rows(count, count);
                    const auto summary = make_summary(rows, eol, blank_lines, final_eol);
                    const temp_file file("halves.csv", summary.text);
                    CHECK(splits(file));
                    const auto result = same_on_one_and_two_threads(file);
                    REQUIRE(std::holds_alternative<clv::customer_table>(result));
                    // An independent expectation: compress of the whole table read at once.
                    const auto expected = clv::compress(read_summary_csv(file.path())).unique;
                    const auto& unique = std::get<clv::customer_table>(result);
                    CHECK(same_bits(unique.frequency, expected.frequency));
                    CHECK(same_bits(unique.recency, expected.recency));
                    CHECK(same_bits(unique.T, expected.T));
                    CHECK(same_bits(unique.weight, expected.weight));
                }
            }
        }
    }
}

TEST_CASE("a file cut where the middle byte is a line break: the row after it starts the second half") {
    // After the 32-byte header, rows of 10, 10, 9 and 9 bytes: the middle byte of the 38, byte
    // 32 + 19, is the line break ending row 2, so the second half starts with row 3 (line 4).
    const std::string header = "customer_id,frequency,recency,T\n";
    const std::string text = header + "a1,1,1,10\na2,0,0,10\na3,1,x,9\na4,1,2,9\n";
    REQUIRE(text[header.size() + (text.size() - header.size()) / 2] == '\n');
    REQUIRE(text.substr(header.size() + 20, 3) == "a3,");
    const temp_file file("middle_on_break.csv", text);
    clv::io::summary_csv_reader reader(file.path());
    auto second = reader.split();
    REQUIRE(second.has_value());
    clv::customer_table chunk;
    REQUIRE(reader.next(chunk, 10));
    CHECK(chunk.ids == std::vector<std::string>{"a1", "a2"});
    CHECK_FALSE(reader.next(chunk, 10));
    CHECK_THROWS_WITH_AS(second->next(chunk, 10), doctest::Contains((file.name() + ":4:3: field 'recency'").c_str()),
                         invalid_input);
    const auto result = same_on_one_and_two_threads(file);
    CHECK(std::get<std::string>(result).find(file.path().string() + ":4:3: field 'recency'") == 0);
}

TEST_CASE("a file holding a quote, a weight column or no data rows is read on one thread's path, the same") {
    auto rows = random_rows(300, 5);
    rows[250] = "\"quoted, id\",1,2.5,10";
    const temp_file quoted("quoted_halves.csv", make_summary(rows, "\n").text);
    CHECK_FALSE(splits(quoted));
    const auto result = same_on_one_and_two_threads(quoted);
    REQUIRE(std::holds_alternative<clv::customer_table>(result));
    CHECK(std::get<clv::customer_table>(result).weight.size() > 1);
    const temp_file empty("header_only.csv", "customer_id,frequency,recency,T\n");
    CHECK(splits(empty));
    CHECK(std::get<std::string>(same_on_one_and_two_threads(empty)).find("no data rows") != std::string::npos);
    // Weights other than 1 would add up to other bits in halves: read in one pass, in order.
    // (The middle byte is in row b's long id: cut in halves, a and b would add up, then c and d.)
    const temp_file weighted("weighted_halves.csv", "customer_id,frequency,recency,T,w\na,1,2,3,0.1\nb-long,1,2,3,0.1\n"
                                                    "c,1,2,3,0.1\nd,1,2,3,0.4\n");
    REQUIRE(((0.1 + 0.1) + 0.1) + 0.4 != (0.1 + 0.1) + (0.1 + 0.4));  // halves would give other bits
    clv::io::summary_csv_options options;
    options.weight_column = "w";
    for (const unsigned threads : {1U, 2U}) {
        clv::io::summary_csv_reader reader(weighted.path(), options);
        CHECK(reader.weighted());
        const auto unique = clv::io::read_compressed_summary(reader, 65536, threads);
        REQUIRE(unique.size() == 1);
        CHECK(unique.weight[0] == ((0.1 + 0.1) + 0.1) + 0.4);  // added in file order
    }
}

TEST_CASE("errors on two threads are those of one: the first in file order, at the file's own line and column") {
    const std::size_t count = 400;
    for (const std::string eol : {"\n", "\r\n"}) {
        for (const bool blank_lines : {false, true}) {
            CAPTURE(eol.size());
            CAPTURE(blank_lines);
            // Rows of one length whatever they hold (ids padded: twins of one length stay twins), so
            // that changing them keeps the cut.
            auto padded = [](std::string row) { return row.insert(row.find(','), 48 - row.size(), 'p'); };
            auto rows = random_rows(count, 7);
            for (auto& row : rows) row = padded(row);
            const auto layout = make_summary(rows, eol, blank_lines);
            const std::size_t early = 40, late = 330, later = 360;
            REQUIRE(layout.offsets[early + 20] < layout.cut());
            REQUIRE(layout.offsets[late - 20] >= layout.cut());
            auto check = [&](const std::vector<std::pair<std::size_t, std::string>>& changes, std::size_t row,
                             std::size_t column, const std::string& text) {
                auto changed = rows;
                for (const auto& [i, replacement] : changes) changed[i] = padded(replacement);
                const auto summary = make_summary(changed, eol, blank_lines);
                REQUIRE(summary.cut() == layout.cut());
                const temp_file file("bad_half.csv", summary.text);
                CHECK(splits(file));
                const auto result = same_on_one_and_two_threads(file);
                REQUIRE(std::holds_alternative<std::string>(result));
                const std::string& message = std::get<std::string>(result);
                CAPTURE(message);
                CHECK(message.find(where(file, summary, row, column)) == 0);
                CHECK(message.find(text) != std::string::npos);
            };
            SUBCASE("a bad number in the second half") {
                check({{late, "x9,1,2.5x,10"}}, late, 3, "not a finite number (value '2.5x')");
            }
            SUBCASE("a bad row in each half: the first half's") {
                check({{early, "x1,1,-2,10"}, {late, "x9,1,2.5x,10"}}, early, 3, "must not be negative");
            }
            SUBCASE("recency beyond T, NaN, a ragged record in the second half") {
                check({{late, "x9,1,12,10"}}, late, 3, "recency must not exceed T (10) (value '12')");
                check({{late, "x9,nan,0,10"}}, late, 2, "(value 'nan')");
                check({{late, "x9,1,2"}}, late, 0, "record has 3 fields but the header has 4");
            }
            SUBCASE("an id of the first half repeated in the second: the second occurrence's line") {
                check({{early, "twin,1,1,10"}, {late, "twin,0,0,10"}}, late, 1,
                      "field 'customer_id': duplicate customer id (value 'twinp");
            }
            SUBCASE("a repeated id before a bad row of the second half, and after one") {
                check({{early, "twin,1,1,10"}, {late, "twin,0,0,10"}, {later, "x9,1,2.5x,10"}}, late, 1,
                      "duplicate customer id (value 'twinp");
                check({{early, "twin,1,1,10"}, {later, "twin,0,0,10"}, {late, "x9,1,2.5x,10"}}, late, 3,
                      "not a finite number");
            }
            SUBCASE("a repeat within the first half's last rows, a bad row just after the cut") {
                const std::size_t last_of_first = [&] {
                    std::size_t i = 0;
                    while (layout.offsets[i + 1] < layout.cut()) ++i;
                    return i;
                }();
                check({{last_of_first - 1, "twin,1,1,10"}, {last_of_first, "twin,0,0,10"},
                       {last_of_first + 1, "x9,1,2.5x,10"}},
                      last_of_first, 1, "duplicate customer id (value 'twinp");
            }
        }
    }
}
