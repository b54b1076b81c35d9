// Summarizing a transaction log file: throughput (rows/s) and peak memory (ru_maxrss); reading
// numbers from a CSV file (MB/s).
//
// The log is synthetic, written once to the temporary directory: 10^7 purchases by 10^6
// customers over two years, ISO dates, amounts with cents. "sorted" is the usual date-ordered
// log (streamed: memory per customer); "unsorted" has its rows in random order, as many exports
// do (rows kept compactly, grouped by customer, reduced). Run each alone to read its peak RSS,
// e.g. --benchmark_filter=sorted$ (ru_maxrss is the peak of the whole process).
#include <clv/io/transaction_log.hpp>

#include <benchmark/benchmark.h>

#include <sys/resource.h>

#include <cstdio>
#include <filesystem>
#include <random>
#include <string>

namespace {

// Writes `rows` purchases by `customers` customers; dates increase with the row when `sorted`.
std::filesystem::path synthetic_log(std::size_t rows, std::size_t customers, bool sorted) {
    const auto path = std::filesystem::temp_directory_path() /
                      ("clv_bench_log_" + std::to_string(rows) + (sorted ? "_sorted" : "_unsorted") + ".csv");
    if (std::filesystem::exists(path)) return path;
    const auto partial = path.string() + ".partial";
    std::FILE* out = std::fopen(partial.c_str(), "wb");
    if (!out) throw std::runtime_error("cannot write " + partial);
    std::mt19937_64 random(42);
    std::uniform_int_distribution<std::size_t> customer(0, customers - 1);
    std::uniform_int_distribution<int> days(0, 729), cents(100, 20000);
    const std::int64_t start = *clv::io::day_number(2022, 1, 1);
    std::fputs("customer_id,date,amount\n", out);
    for (std::size_t r = 0; r < rows; ++r) {
        const auto day = sorted ? static_cast<int>(r * 730 / rows) : days(random);
        const int amount = cents(random);
        std::fprintf(out, "C%07zu,%s,%d.%02d\n", customer(random), clv::io::iso_date(start + day).c_str(), amount / 100,
                     amount % 100);
    }
    std::fclose(out);
    std::filesystem::rename(partial, path);
    return path;
}

void summarize_log(benchmark::State& state, bool sorted) {
    const auto rows = static_cast<std::size_t>(state.range(0));
    const auto path = synthetic_log(rows, rows / 10, sorted);
    clv::summarize_options options;
    options.customer_column = "customer_id";
    options.date_column = "date";
    options.amount_column = "amount";
    options.summary.unit_days = clv::days_per_week;
    std::size_t customers = 0;
    for (auto _ : state) {
        const auto table = clv::summarize_transactions(path, options);
        customers = table.size();
        benchmark::DoNotOptimize(table.frequency.data());
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * rows));
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * std::filesystem::file_size(path)));
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    state.counters["customers"] = static_cast<double>(customers);
    state.counters["peak_rss_MiB"] = static_cast<double>(usage.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux
}

// A summary-like file of `rows` rows: an id and five numbers with up to 17 significant digits.
std::filesystem::path numeric_csv(std::size_t rows) {
    const auto path = std::filesystem::temp_directory_path() / ("clv_bench_numbers_" + std::to_string(rows) + ".csv");
    if (std::filesystem::exists(path)) return path;
    const auto partial = path.string() + ".partial";
    std::FILE* out = std::fopen(partial.c_str(), "wb");
    if (!out) throw std::runtime_error("cannot write " + partial);
    std::mt19937_64 random(7);
    std::uniform_int_distribution<int> frequency(0, 40), days(0, 545);
    std::fputs("customer_id,frequency,recency,T,monetary_value,weight\n", out);
    for (std::size_t r = 0; r < rows; ++r) {
        const int T = days(random), recency = T / 2;
        std::fprintf(out, "%zu,%d,%.17g,%.17g,%.17g,1\n", r + 1, frequency(random), recency / 7.0, T / 7.0,
                     static_cast<double>(days(random)) / 3.0);
    }
    std::fclose(out);
    std::filesystem::rename(partial, path);
    return path;
}

// The CSV reader splitting records plus std::from_chars on every numeric field.
void BM_read_numbers(benchmark::State& state) {
    const auto path = numeric_csv(static_cast<std::size_t>(state.range(0)));
    double sum = 0;
    for (auto _ : state) {
        clv::io::csv_reader reader(path);
        clv::io::csv_row row;
        while (reader.next(row)) {
            for (std::size_t i = 1; i < row.size(); ++i)
                sum += clv::io::parse_number(row[i], "number", clv::source_location{});
        }
    }
    benchmark::DoNotOptimize(sum);
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * std::filesystem::file_size(path)));
}

void BM_summarize_sorted(benchmark::State& state) { summarize_log(state, true); }
void BM_summarize_unsorted(benchmark::State& state) { summarize_log(state, false); }

}  // namespace

BENCHMARK(BM_summarize_sorted)->Arg(10'000'000)->Unit(benchmark::kSecond)->Iterations(1);
BENCHMARK(BM_summarize_unsorted)->Arg(10'000'000)->Unit(benchmark::kSecond)->Iterations(1);
BENCHMARK(BM_read_numbers)->Arg(1'000'000)->Unit(benchmark::kMillisecond)->Iterations(3);

BENCHMARK_MAIN();
