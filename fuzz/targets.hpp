// What each fuzz target does with one input, shared by the libFuzzer programs (fuzz/fuzz_*.cpp)
// and by the replay of kept inputs in tests/test_csv_fuzz.cpp.
//
// Contract checked: whatever the bytes, a reader either returns a result that satisfies its
// invariants or throws clv::invalid_input; any other exception, a crash, a sanitizer report or a
// broken invariant is a finding (the target aborts).
#pragma once

#include <clv/io/dates.hpp>
#include <clv/io/model_file.hpp>
#include <clv/io/summary_csv.hpp>
#include <clv/io/transaction_log.hpp>
#include <clv/models/bg_bb.hpp>
#include <clv/models/bg_nbd.hpp>
#include <clv/models/mbg_nbd.hpp>
#include <clv/models/pareto_nbd.hpp>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <string>
#include <string_view>
#include <unistd.h>

namespace clv_fuzz {

/// Stops with a message: a broken invariant is a finding like a crash.
[[noreturn]] inline void finding(const std::string& what) {
    std::fprintf(stderr, "fuzz finding: %s\n", what.c_str());
    std::abort();
}

/// The readers take files: each input is written to one file per process (tmpfs when there is one).
inline std::filesystem::path input_file(std::string_view bytes, const char* suffix) {
    static const std::filesystem::path folder =
        std::filesystem::exists("/dev/shm") ? std::filesystem::path("/dev/shm") : std::filesystem::temp_directory_path();
    const auto path = folder / ("clv_fuzz_" + std::to_string(::getpid()) + suffix);
    std::FILE* out = std::fopen(path.c_str(), "wb");
    if (!out) finding("cannot write " + path.string());
    std::fwrite(bytes.data(), 1, bytes.size(), out);
    std::fclose(out);
    return path;
}

/// Runs `action`; only clv::invalid_input may come out of it.
template <class Action>
void expect_result_or_invalid_input(Action&& action) {
    try {
        action();
    } catch (const clv::invalid_input&) {
    } catch (const std::exception& e) {
        finding(std::string("unexpected exception: ") + e.what());
    }
}

/// First byte: reader options (delimiter, whitespace, header, tiny buffer, negative amounts);
/// the rest: the file. Reads every record, then summarizes the file as a transaction log.
inline void csv_reader_input(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return;
    const std::uint8_t flags = data[0];
    const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
    clv::io::csv_options csv;
    static constexpr char delimiters[] = {',', ';', '\t', '|'};
    csv.delimiter = delimiters[flags & 3];
    csv.whitespace = (flags & 4) != 0;
    csv.header = (flags & 8) == 0;
    csv.buffer_size = 16 + (flags >> 4);  // fields, quotes and line ends across buffer ends
    csv.max_record_bytes = 4096;
    const auto path = input_file(text, ".csv");
    expect_result_or_invalid_input([&] {
        clv::io::csv_reader reader(path, csv);
        clv::io::csv_row row;
        while (reader.next(row)) {
            if (row.size() != reader.columns().size()) finding("record width differs from the header's");
            for (std::size_t i = 0; i < row.size(); ++i) (void)row[i];
        }
    });
    expect_result_or_invalid_input([&] {
        clv::summarize_options options;
        options.customer_column = csv.header ? "id" : "1";
        options.date_column = csv.header ? "date" : "2";
        options.amount_column = csv.header ? "amount" : "3";
        options.csv = csv;
        options.summary.negative = static_cast<clv::negative_amounts>((flags >> 4) % 3);
        options.summary.period_days = 1 + (flags >> 6);
        clv::summary_report report;
        const auto table = clv::summarize_transactions(path, options, &report);
        table.validate();  // a summary must be a valid customer table: finite, recency <= T, ...
        for (const double m : table.monetary_value)
            if (!std::isfinite(m)) finding("non-finite monetary value in a summary");
    });
}

/// First byte: which format (the common ones, or the rest of the input up to a '\n' as the
/// format); the rest: the date text. A parsed date must print back to a date the format reads
/// the same (ISO round trip).
inline void dates_input(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return;
    static constexpr const char* formats[] = {"%Y-%m-%d", "%Y%m%d", "%d/%m/%Y", "%m/%d/%y", "%d %b %Y", "%Y-%j",
                                              "%Y-%m-%d %H:%M:%S", "%B %d, %Y"};
    std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
    std::string format;
    const std::size_t choice = data[0] % 9;
    if (choice < 8) {
        format = formats[choice];
    } else {
        const std::size_t end = text.find('\n');
        format = std::string(text.substr(0, end));
        text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    }
    expect_result_or_invalid_input([&] {
        const clv::io::date_format parser(format);
        const std::int64_t day = parser.parse(text, "date", clv::source_location{"fuzz"});
        const std::string iso = clv::iso_date(day);
        if (clv::io::parse_iso_date(iso, "date", clv::source_location{"fuzz"}) != day)
            finding("day " + std::to_string(day) + " does not read back from " + iso);
    });
}

/// The input is a summary file: it must read, or be refused with invalid_input; what reads must
/// write and read back to the same table.
inline void summary_csv_input(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const auto path = input_file(text, ".summary.csv");
    expect_result_or_invalid_input([&] {
        clv::io::summary_csv_options options;
        options.customer_column_optional = true;
        options.csv.buffer_size = 64;  // small: records across buffer ends, and fast runs
        const auto table = clv::io::read_summary_csv(path, options);
        std::ostringstream out;
        clv::io::write_summary_csv(out, table);
        const auto again_path = input_file(out.str(), ".again.csv");
        const auto again = clv::io::read_summary_csv(again_path, options);
        if (again.frequency != table.frequency || again.recency != table.recency || again.T != table.T ||
            again.monetary_value != table.monetary_value || again.ids != table.ids)
            finding("a summary does not read back the same after writing");
    });
}

/// The model-file reader (clv/io/model_file.hpp over clv/io/json.hpp). First byte: bit 0 allows a
/// model marked not converged; the rest: the file's text. A file that reads must dump to JSON text
/// that reads back to the same text, record a positive time unit when it records one, and give
/// parameters that each model either accepts as valid or refuses with invalid_input.
inline void model_file_input(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return;
    const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
    expect_result_or_invalid_input([&] {
        const clv::io::model_file file = clv::io::parse_model_file(text, "fuzz.json", (data[0] & 1) != 0);
        const std::string dumped = file.document.dump(0);
        if (clv::io::json::parse(dumped, "dumped").dump(0) != dumped) finding("JSON does not read back as written");
        if (file.unit && !(file.unit->days > 0 && std::isfinite(file.unit->days)))
            finding("a model file's time unit is not a positive finite number of days");
        auto try_model = [&]<class M>() { expect_result_or_invalid_input([&] { M::validate(file.params<M>()); }); };
        try_model.template operator()<clv::bg_nbd<double>>();
        try_model.template operator()<clv::mbg_nbd<double>>();
        try_model.template operator()<clv::pareto_nbd<double>>();
        try_model.template operator()<clv::bg_bb<double>>();
    });
}

}  // namespace clv_fuzz
