#include <clv/io/csv_reader.hpp>

#include "temp_file.hpp"
#include "test_support.hpp"

#include <charconv>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <optional>
#include <random>
#include <string>
#include <vector>

using clv::invalid_input;
using clv::io::csv_options;
using clv::io::csv_reader;
using clv::io::csv_row;
using clv_test::temp_file;

namespace {

struct record {
    std::size_t line;
    std::vector<std::string> fields;
    bool operator==(const record&) const = default;
};

// Records read by `reader` to its end.
std::vector<record> rest_of(csv_reader& reader) {
    std::vector<record> records;
    csv_row row;
    while (reader.next(row)) {
        record r{row.line(), {}};
        for (std::size_t i = 0; i < row.size(); ++i) r.fields.emplace_back(row[i]);
        records.push_back(r);
    }
    return records;
}

std::vector<record> read_all(const temp_file& file, csv_options options = {}) {
    csv_reader reader(file.path(), options);
    return rest_of(reader);
}

std::string error_of(const temp_file& file, csv_options options = {}) {
    try {
        read_all(file, options);
    } catch (const invalid_input& e) {
        return e.what();
    }
    return "no error";
}

}  // namespace

TEST_CASE("RFC 4180: quoted fields hold delimiters, doubled quotes and line breaks; records know their line") {
    const temp_file file("quoted.csv", "id,note,amount\n"
                                       "1,\"a, b\",3\n"
                                       "2,\"say \"\"hi\"\"\",4\n"
                                       "3,\"two\nlines\",5\n"
                                       "4,,6\n");
    csv_reader reader(file.path());
    CHECK(reader.columns() == std::vector<std::string>{"id", "note", "amount"});
    CHECK(reader.column_index("amount") == 2);
    const auto records = read_all(file);
    REQUIRE(records.size() == 4);
    CHECK(records[0] == record{2, {"1", "a, b", "3"}});
    CHECK(records[1] == record{3, {"2", "say \"hi\"", "4"}});
    CHECK(records[2] == record{4, {"3", "two\nlines", "5"}});
    CHECK(records[3] == record{6, {"4", "", "6"}});  // line 6: the quoted line break moved it down
}

TEST_CASE("CRLF, a UTF-8 byte-order mark, a missing final line break and blank lines") {
    const temp_file file("crlf.csv", "\xEF\xBB\xBFid;value\r\n\r\na;\"x\r\ny\"\r\nb;2");
    csv_options options;
    options.delimiter = ';';
    csv_reader reader(file.path(), options);
    CHECK(reader.columns().front() == "id");  // BOM stripped
    const auto records = read_all(file, options);
    REQUIRE(records.size() == 2);
    CHECK(records[0] == record{3, {"a", "x\r\ny"}});
    CHECK(records[1] == record{5, {"b", "2"}});
}

TEST_CASE("tab delimiter keeps empty fields; whitespace mode merges runs and ignores leading blanks") {
    SUBCASE("tab") {
        const temp_file file("tabs.tsv", "a\tb\tc\n1\t\t3\n");
        csv_options options;
        options.delimiter = '\t';
        CHECK(read_all(file, options) == std::vector<record>{{2, {"1", "", "3"}}});
    }
    SUBCASE("whitespace, no header: columns are numbered from 1") {
        const temp_file file("cdnow_like.txt", " 00004 0001 19970101  2   29.33\n\t00004\t 0001 19970118 2 29.73   \n   \n");
        csv_options options;
        options.whitespace = true;
        options.header = false;
        csv_reader reader(file.path(), options);
        CHECK(reader.columns() == std::vector<std::string>{"1", "2", "3", "4", "5"});
        CHECK(reader.column_index("3") == 2);
        CHECK(read_all(file, options) ==
              std::vector<record>{{1, {"00004", "0001", "19970101", "2", "29.33"}},
                                  {2, {"00004", "0001", "19970118", "2", "29.73"}}});
    }
}

TEST_CASE("records read the same whatever the buffer size (fields, quotes and CRLF across chunk ends)") {
    std::string text = "id,name,value\r\n";
    for (int i = 0; i < 200; ++i) {
        text += std::to_string(i) + ",\"n,\"\"" + std::to_string(i * 7) + "\"\"\r\nx\"," + std::to_string(i * 0.5) + "\r\n";
    }
    const temp_file file("chunks.csv", text);
    const auto expected = read_all(file);
    REQUIRE(expected.size() == 200);
    CHECK(expected[199] == record{2 + 2 * 199, {"199", "n,\"1393\"\r\nx", std::to_string(199 * 0.5)}});
    for (const std::size_t size : {16, 17, 31, 64, 1000}) {
        csv_options options;
        options.buffer_size = size;
        CHECK(read_all(file, options) == expected);
    }
}

TEST_CASE("a file larger than the buffer streams through it") {
    std::string text = "customer,amount\n";
    for (int i = 0; i < 500000; ++i) text.append("c").append(std::to_string(i % 977)).append(",").append(std::to_string(i % 10)).append("\n");
    REQUIRE(text.size() > (std::size_t{3} << 20));  // three 1 MiB buffers
    const temp_file file("large.csv", text);
    csv_reader reader(file.path());
    csv_row row;
    std::size_t rows = 0;
    double sum = 0;
    while (reader.next(row)) {
        ++rows;
        sum += clv::io::parse_number(row[1], "amount", row.where(1));
    }
    CHECK(rows == 500000);
    CHECK(sum == 50000 * 45.0);  // each block of 10 rows adds 0+1+...+9
    CHECK(row.line() == 500001);
}

TEST_CASE("malformed files are invalid_input naming file, line and column") {
    SUBCASE("empty: no bytes, only a BOM, only blank lines") {
        for (const char* content : {"", "\xEF\xBB\xBF", "\n\r\n\n"}) {
            const temp_file file("empty.csv", content);
            CHECK_THROWS_WITH_AS(csv_reader(file.path()), doctest::Contains((file.name() + ": empty file").c_str()), invalid_input);
        }
    }
    SUBCASE("ragged row") {
        const temp_file file("ragged.csv", "a,b,c\n1,2,3\n4,5\n");
        const std::string message = error_of(file);
        CHECK(message.find(file.name() + ":3") != std::string::npos);
        CHECK(message.find("2 fields but the header has 3") != std::string::npos);
    }
    SUBCASE("too many fields") {
        const temp_file file("wide.csv", "a,b\n1,2,3\n");
        CHECK(error_of(file).find(file.name() + ":2") != std::string::npos);
    }
    SUBCASE("unterminated quote points at the line and column where it opened") {
        const temp_file file("unterminated.csv", "a,b\n1,2\n3,\"never\nclosed\n");
        const std::string message = error_of(file);
        CHECK(message.find(file.name() + ":3:2") != std::string::npos);
        CHECK(message.find("unterminated quoted field") != std::string::npos);
    }
    SUBCASE("text after a closing quote") {
        const temp_file file("after_quote.csv", "a,b\n\"x\"y,2\n");
        const std::string message = error_of(file);
        CHECK(message.find(file.name() + ":2:1") != std::string::npos);
        CHECK(message.find("value 'y'") != std::string::npos);
    }
    SUBCASE("missing file names its path") {
        CHECK_THROWS_WITH_AS(csv_reader("/nonexistent/clv_nosuch.csv"),
                             doctest::Contains("/nonexistent/clv_nosuch.csv: cannot open file"), invalid_input);
    }
    SUBCASE("over-long record") {
        const temp_file file("long.csv", "a,b\n1,\"" + std::string(5000, 'x') + "\"\n");
        csv_options options;
        options.max_record_bytes = 1000;
        CHECK(error_of(file, options).find("record longer than 1000 bytes") != std::string::npos);
    }
}

TEST_CASE("column_index names the missing column and lists the available ones") {
    const temp_file file("columns.csv", "id,date,amount\na,2020-01-01,1\n");
    csv_reader reader(file.path());
    CHECK_THROWS_WITH_AS((void)reader.column_index("when"),
                         doctest::Contains("no such column; available columns: 'id', 'date', 'amount' (value 'when')"),
                         invalid_input);
}

TEST_CASE("parse_number: std::from_chars, blanks trimmed, leading + accepted") {
    const clv::source_location here{"numbers.csv", 7, 3};
    CHECK(clv::io::parse_number("29.33", "amount", here) == 29.33);
    CHECK(clv::io::parse_number(" -0.25\t", "amount", here) == -0.25);
    CHECK(clv::io::parse_number("+3", "amount", here) == 3.0);
    CHECK(clv::io::parse_number("1e3", "amount", here) == 1000.0);
    CHECK(clv::io::parse_number("30.428571428571427", "amount", here) == 213.0 / 7.0);
    for (const char* bad : {"abc", "1.5x", "1,5", "nan", "NaN", "inf", "-inf", "infinity", "+-1", "0x10", "1e400", "--1"}) {
        CAPTURE(bad);
        CHECK_THROWS_WITH_AS((void)clv::io::parse_number(bad, "amount", here),
                             doctest::Contains("numbers.csv:7:3: field 'amount'"), invalid_input);
        CHECK_THROWS_WITH_AS((void)clv::io::parse_number(bad, "amount", here),
                             doctest::Contains(("(value '" + std::string(bad) + "')").c_str()), invalid_input);
    }
    CHECK_THROWS_WITH_AS((void)clv::io::parse_number("  ", "amount", here), doctest::Contains("empty value"), invalid_input);
}

TEST_CASE("messages that say the fix: close column names, --whitespace, --delimiter, --no-header (issue 9, section 6)") {
    const temp_file file("columns.csv", "customer_id,date,amount\na,2020-01-01,1\n");
    csv_reader reader(file.path());
    CHECK_THROWS_WITH_AS((void)reader.column_index("custmer_id"),
                         doctest::Contains("no such column; did you mean 'customer_id'?; available columns: 'customer_id', "
                                           "'date', 'amount' (value 'custmer_id')"),
                         invalid_input);
    CHECK_THROWS_WITH_AS((void)reader.column_index("Date"), doctest::Contains("did you mean 'date'?"), invalid_input);
    CHECK_THROWS_WITH_AS((void)reader.column_index("2"), doctest::Contains("use --no-header"), invalid_input);

    const temp_file blanks("blanks.txt", "id date amount\na 2020-01-01 1\n");
    CHECK_THROWS_WITH_AS((void)csv_reader(blanks.path()).column_index("id"),
                         doctest::Contains("the header is one column holding blanks: if blanks separate the fields, use --whitespace"),
                         invalid_input);
    const temp_file semicolons("semicolons.csv", "id;date;amount\na;2020-01-01;1\n");
    CHECK_THROWS_WITH_AS((void)csv_reader(semicolons.path()).column_index("id"), doctest::Contains("use --delimiter ';'"),
                         invalid_input);
}

TEST_CASE("a folder or an unreadable file gets a plain message with the operating system's reason (issue 9, section 1)") {
    const auto folder = std::filesystem::temp_directory_path();
    CHECK_THROWS_WITH_AS(csv_reader{folder}, doctest::Contains("is a folder, not a file"), invalid_input);
    const temp_file locked("locked.csv", "a,b\n1,2\n");
    std::filesystem::permissions(locked.path(), std::filesystem::perms::none);
    if (std::FILE* probe = std::fopen(locked.path().c_str(), "rb")) {  // root reads anyway
        std::fclose(probe);
        MESSAGE("SKIPPED: running as a user who can read a file without permissions");
    } else {
        CHECK_THROWS_WITH_AS(csv_reader{locked.path()}, doctest::Contains("cannot open file: Permission denied"), invalid_input);
    }
}

TEST_CASE("plain records split in place read the same as copied ones, whatever the buffer size and line ends") {
    std::string text = "id,a,b\n";
    for (int i = 0; i < 300; ++i) {
        const char* end = i % 3 == 0 ? "\r\n" : i % 3 == 1 ? "\n" : "\r";
        text += "c" + std::to_string(i) + "," + (i % 5 == 0 ? "" : std::to_string(i * 25)) + ",x" + end;
        if (i % 50 == 0) text += "\n";  // a blank line
    }
    const temp_file file("plain.csv", text);
    csv_options whole;
    whole.buffer_size = 1 << 20;
    const auto expected = read_all(file, whole);
    REQUIRE(expected.size() == 300);
    CHECK(expected[0] == record{2, {"c0", "", "x"}});
    CHECK(expected[1] == record{4, {"c1", "25", "x"}});
    CHECK(expected[299].fields == std::vector<std::string>{"c299", "7475", "x"});
    for (const std::size_t size : {16, 17, 23, 64, 333}) {
        csv_options options;
        options.buffer_size = size;
        CHECK(read_all(file, options) == expected);
    }
}

TEST_CASE("a stream such as standard input is read like a file and named in messages") {
    const temp_file file("stream.csv", "id,v\na,1\nb,2,3\n");
    std::FILE* stream = std::fopen(file.path().string().c_str(), "rb");
    REQUIRE(stream != nullptr);
    {
        csv_reader reader(stream, "standard input");
        CHECK(reader.columns() == std::vector<std::string>{"id", "v"});
        csv_row row;
        REQUIRE(reader.next(row));
        CHECK(row[0] == "a");
        CHECK_THROWS_WITH_AS(reader.next(row), doctest::Contains("standard input:3"), invalid_input);
    }
    CHECK(std::fclose(stream) == 0);  // left open by the reader
}

TEST_CASE("allow_empty: an input without records has no columns and no rows") {
    const temp_file file("empty_partition.csv", "\n\n");
    csv_options options;
    options.allow_empty = true;
    options.header = false;
    csv_reader reader(file.path(), options);
    CHECK(reader.columns().empty());
    csv_row row;
    CHECK_FALSE(reader.next(row));
}

TEST_CASE("parse_number's plain-decimal fast path gives the bits std::from_chars gives") {
    std::mt19937_64 random(3);
    auto from_chars = [](const std::string& text) {
        double value = 0;
        std::from_chars(text.data(), text.data() + text.size(), value);
        return value;
    };
    std::vector<std::string> texts{"0", "-0", "1", "0.1", "0.30000000000000004", "9007199254740992",
                                   "9007199254740993", "900719925474099.3", "123456789.0123456789", "1.5e3",
                                   "4503599627370497.5", "0.0000000000000000000001", "00012.50", "-7.25"};
    for (int k = 0; k < 200000; ++k) {
        std::string text = random() % 4 == 0 ? "-" : "";
        const int before = 1 + static_cast<int>(random() % 17), after = static_cast<int>(random() % 23);
        for (int d = 0; d < before; ++d) text += static_cast<char>('0' + random() % 10);
        if (after > 0) text += '.';
        for (int d = 0; d < after; ++d) text += static_cast<char>('0' + random() % 10);
        texts.push_back(text);
    }
    for (const auto& text : texts) {
        CAPTURE(text);
        const double expected = from_chars(text);
        const double got = clv::io::parse_number(text, "x", clv::source_location{});
        CHECK(std::memcmp(&got, &expected, sizeof got) == 0);  // the same bits, the sign of zero too
    }
}


TEST_CASE("split: the two parts read the whole file's records with its line numbers, cut after the first LF from the middle on") {
    std::mt19937_64 random(11);
    std::size_t middle_on_lf = 0, files = 0;
    for (const std::string eol : {"\n", "\r\n", "\r", "mixed"}) {
        for (int trial = 0; trial < 40; ++trial) {
            // Records of random length (the middle byte lands anywhere, on a line break too), the
            // line each starts on and its offset, counted here from the text written.
            const std::string header = "id,value" + std::string(eol == "mixed" ? "\n" : eol);
            std::string text = header;
            std::vector<std::pair<std::size_t, std::size_t>> starts;  // (line, offset) of each record
            std::size_t line = 2;
            const int rows = trial % 10;  // none, one, a few
            for (int i = 0; i < rows; ++i) {
                const std::string end = eol != "mixed" ? eol : std::vector<std::string>{"\n", "\r\n", "\r"}[random() % 3];
                starts.emplace_back(line, text.size());
                text.append("r").append(std::to_string(i)).append(",").append(random() % 9, 'x');
                if (i + 1 < rows || trial % 2 == 0) text += end;  // odd trials: no final line break
                ++line;
                if (random() % 4 == 0 && end != "\r" && i + 1 < rows) {  // a blank line (after a lone CR it would make a CRLF)
                    text += "\n";
                    ++line;
                }
            }
            const std::size_t middle = header.size() + (text.size() - header.size()) / 2;
            const std::size_t lf = text.find('\n', middle);
            const std::size_t cut = lf == std::string::npos ? text.size() : lf + 1;
            middle_on_lf += middle < text.size() && text[middle] == '\n';
            ++files;
            const temp_file file("split.csv", text);
            for (const std::size_t buffer : {16, 1 << 20}) {  // a large buffer holds bytes past the cut
                CAPTURE(eol);
                CAPTURE(trial);
                CAPTURE(buffer);
                CAPTURE(text);
                csv_options options;
                options.buffer_size = buffer;
                csv_reader reader(file.path(), options);
                std::optional<csv_reader> second = reader.split();
                REQUIRE(second.has_value());
                CHECK(second->columns() == reader.columns());
                const auto first_part = rest_of(reader);
                const auto second_part = rest_of(*second);
                REQUIRE(first_part.size() + second_part.size() == starts.size());
                for (std::size_t i = 0; i < starts.size(); ++i) {
                    const record& got = i < first_part.size() ? first_part[i] : second_part[i - first_part.size()];
                    CHECK(got.line == starts[i].first);
                    CHECK(got.fields[0] == std::string("r").append(std::to_string(i)));
                    CHECK((i < first_part.size()) == (starts[i].second < cut));  // each part holds its side of the cut
                }
                CHECK(read_all(file, options) == [&] {
                    auto all = first_part;
                    all.insert(all.end(), second_part.begin(), second_part.end());
                    return all;
                }());
            }
        }
    }
    CHECK(middle_on_lf > 0);  // the case of a middle byte on a line break came up
    CHECK(middle_on_lf < files);
}

TEST_CASE("split refuses a file holding a quote, a stream, and anything but a regular file, leaving the reader as it was") {
    const temp_file quoted("quoted_split.csv", "id,v\na,1\nb,\"x\"\nc,3\nd,4\n");
    csv_reader reader(quoted.path());
    CHECK_FALSE(reader.split().has_value());
    CHECK(rest_of(reader) == read_all(quoted));  // reads on to the end, as if split had not been asked
    const temp_file quote_in_header("quoted_header.csv", "\"id\",v\na,1\nb,2\n");
    csv_reader after_header(quote_in_header.path());
    CHECK(after_header.split().has_value());  // the header is read already: only what is left counts
    std::FILE* stream = std::fopen(quote_in_header.path().string().c_str(), "rb");
    REQUIRE(stream != nullptr);
    {
        csv_reader from_stream(stream, "standard input");
        CHECK_FALSE(from_stream.split().has_value());
        CHECK(rest_of(from_stream).size() == 2);
    }
    std::fclose(stream);
}
