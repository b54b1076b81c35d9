// Reading and checking a customer summary: `read_summary_csv` (split, parse, check every row and
// the ids' uniqueness) in MB/s, `read_compressed_summary` (what `clv fit` does: the same read in
// chunks of 65,536 customers, compressed as they come; argument: threads, 2 = the file cut in two
// halves, each read and compressed on its own thread), and `customer_table::validate` in ns per row, with ids in
// random order (hashed), in ascending order (not hashed) and absent.
//
// The summary is what `clv summarize` writes for 10^6 customers: BG/NBD histories simulated from
// CDNOW's published parameters, acquired over a year and observed to week 78, recency in whole
// days (numbers such as 30.428571428571427), a spend with cents for repeat buyers, and ids
// "C" + 7 digits in random order. It is written once to the temporary directory.
#include <clv/io/summary_csv.hpp>
#include <clv/models/bg_nbd.hpp>

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <numeric>
#include <random>
#include <string>
#include <vector>

namespace {

constexpr std::size_t customers = 1'000'000;

std::filesystem::path summary_file() {
    const auto path = std::filesystem::temp_directory_path() / "clv_bench_summary_1000000.csv";
    if (std::filesystem::exists(path)) return path;
    std::mt19937_64 rng(2024);
    std::uniform_int_distribution<int> first_day(0, 364), cents(500, 20000);
    std::vector<double> ages(customers);
    for (auto& a : ages) a = (546 - first_day(rng)) / 7.0;
    auto table = clv::bg_nbd<double>({0.243, 4.414, 0.793, 2.426}).simulate(ages, 0, rng);
    std::vector<std::size_t> number(customers);
    std::iota(number.begin(), number.end(), std::size_t{1});
    std::shuffle(number.begin(), number.end(), rng);
    char id[16];
    for (std::size_t i = 0; i < customers; ++i) {
        table.recency[i] = std::floor(table.recency[i] * 7 + 1e-9) / 7;
        table.monetary_value[i] = table.frequency[i] > 0 ? cents(rng) / 100.0 : 0.0;
        std::snprintf(id, sizeof id, "C%07zu", number[i]);
        table.ids[i] = id;
    }
    const auto partial = path.string() + ".partial";
    clv::io::write_summary_csv(partial, table);
    std::filesystem::rename(partial, path);
    return path;
}

const clv::customer_table& summary() {
    static const clv::customer_table table = clv::io::read_summary_csv(summary_file());
    return table;
}

void BM_read_summary_csv(benchmark::State& state) {
    const auto path = summary_file();
    std::size_t rows = 0;
    for (auto _ : state) {
        const auto table = clv::io::read_summary_csv(path);
        rows = table.size();
        benchmark::DoNotOptimize(table.frequency.data());
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * std::filesystem::file_size(path)));
    state.counters["rows"] = static_cast<double>(rows);
}

void BM_read_compressed_summary(benchmark::State& state) {
    const auto path = summary_file();
    std::size_t rows = 0;
    for (auto _ : state) {
        clv::io::summary_csv_reader reader(path);
        const auto unique = clv::io::read_compressed_summary(reader, 65536, static_cast<unsigned>(state.range(0)));
        rows = unique.size();
        benchmark::DoNotOptimize(unique.frequency.data());
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * std::filesystem::file_size(path)));
    state.counters["distinct_rows"] = static_cast<double>(rows);
}

// validate() on the summary with its ids as read (random order), sorted, or removed.
void validate_with(benchmark::State& state, int ids) {
    clv::customer_table table = summary();
    if (ids == 1) std::sort(table.ids.begin(), table.ids.end());
    if (ids == 2) table.ids.clear();
    for (auto _ : state) table.validate();
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * table.size()));
    state.counters["ns_per_row"] = benchmark::Counter(static_cast<double>(state.iterations() * table.size()),
                                                      benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

void BM_validate_ids_random_order(benchmark::State& state) { validate_with(state, 0); }
void BM_validate_ids_ascending(benchmark::State& state) { validate_with(state, 1); }
void BM_validate_no_ids(benchmark::State& state) { validate_with(state, 2); }

}  // namespace

BENCHMARK(BM_read_summary_csv)->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK(BM_read_compressed_summary)->Unit(benchmark::kMillisecond)->Iterations(3)->Arg(1)->Arg(2)->UseRealTime();
BENCHMARK(BM_validate_ids_random_order)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_validate_ids_ascending)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_validate_no_ids)->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();
