// Robustness: whatever bytes arrive, the reader and the summarizer either succeed or throw
// clv::invalid_input; and whatever fields are written with RFC 4180 quoting read back unchanged.
// Seeded, so a failure reproduces; build with -DCLV_SANITIZE=ON to catch memory errors.
#include <clv/io/transaction_log.hpp>
#include <clv/io/summary_csv.hpp>

#include "temp_file.hpp"
#include "test_support.hpp"

#include <random>
#include <string>
#include <vector>

using clv_test::temp_file;

namespace {

// Bytes that matter to a CSV reader, plus any byte at all.
std::string random_bytes(std::mt19937& random, std::size_t length) {
    static const std::string special = ",;\"\"\n\n\r \t-.+e0123456789aA\xEF\xBB\xBF";
    std::string text;
    for (std::size_t i = 0; i < length; ++i) {
        text.push_back(random() % 4 == 0 ? static_cast<char>(random() % 256) : special[random() % special.size()]);
    }
    return text;
}

std::string mutate(std::mt19937& random, std::string text) {
    const int edits = 1 + static_cast<int>(random() % 4);
    for (int e = 0; e < edits && !text.empty(); ++e) {
        const std::size_t at = random() % text.size();
        switch (random() % 4) {
            case 0: text.erase(at, 1 + random() % 3); break;
            case 1: text.insert(at, random_bytes(random, 1 + random() % 4)); break;
            case 2: text[at] = static_cast<char>(random() % 256); break;
            default: text.insert(at, text.substr(random() % text.size(), random() % 20)); break;
        }
    }
    return text;
}

// Every outcome must be a result or invalid_input; anything else fails the test.
template <class Action>
void must_not_crash(const std::string& input, Action action) {
    try {
        action();
    } catch (const clv::invalid_input&) {
    } catch (const std::exception& e) {
        FAIL("unexpected " << typeid(e).name() << ": " << e.what() << " for input of " << input.size() << " bytes");
    }
}

void read_everything(const temp_file& file, const clv::io::csv_options& options) {
    clv::io::csv_reader reader(file.path(), options);
    clv::io::csv_row row;
    while (reader.next(row)) {
        for (std::size_t i = 0; i < row.size(); ++i) (void)row[i];
    }
}

clv::summarize_options log_options(bool whitespace) {
    clv::summarize_options options;
    options.customer_column = "id";
    options.date_column = "date";
    options.amount_column = "amount";
    options.csv.whitespace = whitespace;
    options.csv.buffer_size = 16;
    return options;
}

const std::string valid_log =
    "id,date,amount\r\n"
    "a,2020-01-01,10\r\n"
    "\"b,\"\"x\"\"\",2020-01-02,7.5\r\n"
    "a,2020-01-05,20\r\n"
    "c,2019-12-31,0\r\n"
    "a,2020-01-01,1e2\r\n"
    "b\"q,2020-02-29,3\r\n";

const std::string valid_whitespace_log =
    "  id   date  amount\n"
    "a 2020-01-01\t10\n"
    "\"b c\" 2020-01-02 7.5  \n"
    "a  2020-01-05 20\n";

}  // namespace

TEST_CASE("random bytes: the reader parses cleanly or throws invalid_input, in every mode") {
    std::mt19937 random(4180);
    for (int trial = 0; trial < 1500; ++trial) {
        const std::string input = random_bytes(random, random() % 200);
        const temp_file file("fuzz.csv", input);
        for (const bool whitespace : {false, true}) {
            for (const bool header : {false, true}) {
                clv::io::csv_options options;
                options.whitespace = whitespace;
                options.header = header;
                options.buffer_size = 16 + random() % 8;
                options.max_record_bytes = 64;
                must_not_crash(input, [&] { read_everything(file, options); });
            }
        }
        must_not_crash(input, [&] { (void)clv::summarize_transactions(file.path(), log_options(false)); });
        must_not_crash(input, [&] { (void)clv::io::read_summary_csv(file.path()); });
    }
}

TEST_CASE("mutated valid logs: the summarizer succeeds or throws invalid_input") {
    std::mt19937 random(1997);
    {
        const temp_file file("valid.csv", valid_log);
        CHECK(clv::summarize_transactions(file.path(), log_options(false)).size() == 4);
        const temp_file blanks("valid.txt", valid_whitespace_log);
        CHECK(clv::summarize_transactions(blanks.path(), log_options(true)).size() == 2);
    }
    int summarized = 0;
    for (int trial = 0; trial < 3000; ++trial) {
        const bool whitespace = trial % 2 == 1;
        const std::string input = mutate(random, whitespace ? valid_whitespace_log : valid_log);
        const temp_file file("mutated.csv", input);
        must_not_crash(input, [&] {
            (void)clv::summarize_transactions(file.path(), log_options(whitespace));
            ++summarized;
        });
    }
    MESSAGE(summarized << " of 3000 mutated logs summarized, the rest rejected with invalid_input");
    CHECK(summarized > 0);
}

TEST_CASE("fields written with RFC 4180 quoting read back unchanged, whatever the buffer size") {
    std::mt19937 random(2024);
    for (int trial = 0; trial < 500; ++trial) {
        const std::size_t columns = 2 + random() % 4;
        std::vector<std::vector<std::string>> records(1 + random() % 6);
        std::string text;
        const char* line_end = trial % 2 == 0 ? "\n" : "\r\n";
        for (auto& record : records) {
            for (std::size_t c = 0; c < columns; ++c) {
                record.push_back(random_bytes(random, random() % 12));
                if (c != 0) text += ',';
                text += clv::io::csv_field(record.back());
            }
            text += line_end;
        }
        if (text.starts_with("\xEF\xBB\xBF")) continue;  // would read as a byte-order mark
        const temp_file file("roundtrip.csv", text);
        clv::io::csv_options options;
        options.header = false;
        options.buffer_size = 16 + random() % 32;
        try {
            clv::io::csv_reader reader(file.path(), options);
            clv::io::csv_row row;
            std::size_t r = 0;
            while (reader.next(row)) {
                REQUIRE(r < records.size());
                REQUIRE(row.size() == columns);
                for (std::size_t c = 0; c < columns; ++c) REQUIRE(row[c] == records[r][c]);
                ++r;
            }
            CHECK(r == records.size());
        } catch (const clv::invalid_input& e) {
            FAIL("valid CSV rejected: " << e.what());
        }
    }
}

// Every input kept in tests/fuzz_corpus/<target>/ (the seeds, and each input a fuzzer found a
// problem with: see docs/fuzzing.md) runs through the same code as the libFuzzer targets.
#include "../fuzz/targets.hpp"

#include <filesystem>
#include <fstream>
#include <iterator>

TEST_CASE("kept fuzz inputs replay cleanly: seeds and every input that once found a problem") {
    const auto corpus = std::filesystem::path(__FILE__).parent_path() / "fuzz_corpus";
    REQUIRE(std::filesystem::is_directory(corpus));
    const std::vector<std::pair<std::string, void (*)(const std::uint8_t*, std::size_t)>> targets{
        {"csv_reader", clv_fuzz::csv_reader_input}, {"dates", clv_fuzz::dates_input},
        {"summary_csv", clv_fuzz::summary_csv_input}, {"model_file", clv_fuzz::model_file_input}};
    std::size_t replayed = 0;
    for (const auto& [name, run] : targets) {
        for (const auto& entry : std::filesystem::directory_iterator(corpus / name)) {
            CAPTURE(entry.path().string());
            std::ifstream in(entry.path(), std::ios::binary);
            const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
            run(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
            ++replayed;
        }
    }
    CHECK(replayed >= 10);
}
