// Timings of the transaction models (BG/NBD, MBG/NBD, Pareto/NBD), each with the same set:
// summed log-likelihood + gradient per row, fits on CDNOW and on 10^6 simulated customers
// (compressed, day-granular times), predictions and DERT; plus the cost of Boost.Math's default
// double -> long double promotion that clv's policy switches off. Figures: docs/performance.md.
// CDNOW comes from $CLV_SHARED_DATA (default ../shared/data); without it those benchmarks skip.
#include <clv/clv.hpp>

#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <vector>

namespace {

const clv::customer_table& cdnow() {
    static const clv::customer_table table = [] {
        const char* env = std::getenv("CLV_SHARED_DATA");
        const std::filesystem::path dir = env && *env ? env : "../shared/data";
        const auto path = dir / "cdnow" / "cdnow_customers_summary.csv";
        clv::io::summary_csv_options columns;
        columns.customer_column = "ID";
        return std::filesystem::exists(path) ? clv::io::read_summary_csv(path, columns) : clv::customer_table{};
    }();
    return table;
}

// Published CDNOW estimates (REFERENCES.md); MBG/NBD uses the BG/NBD ones.
template <class M> typename M::params truth();
template <> clv::bg_nbd<>::params truth<clv::bg_nbd<>>() { return {0.243, 4.414, 0.793, 2.426}; }
template <> clv::mbg_nbd<>::params truth<clv::mbg_nbd<>>() { return {0.243, 4.414, 0.793, 2.426}; }
template <> clv::pareto_nbd<>::params truth<clv::pareto_nbd<>>() { return {0.553, 10.578, 0.606, 11.669}; }

// 10^6 customers acquired uniformly over a year and observed to the end of week 78, with
// recency rounded to whole days (1/7 week), as a daily transaction log gives them.
template <class M>
const clv::customer_table& simulated_million() {
    static const clv::customer_table table = [] {
        std::mt19937_64 rng(2024);
        std::uniform_int_distribution<int> first_day(0, 364);
        std::vector<double> ages(1'000'000);
        for (auto& a : ages) a = (546 - first_day(rng)) / 7.0;
        auto t = M(truth<M>()).simulate(ages, 0, rng);
        // Up, not down: a repeat purchase on the day of the first would give recency 0, which
        // the BG/NBD fits refuse (a daily log merges such purchases into one day).
        for (std::size_t i = 0; i < t.size(); ++i) t.recency[i] = std::ceil(t.recency[i] * 7 - 1e-9) / 7;
        return t;
    }();
    return table;
}

template <class M>
void BM_ll_gradient_cdnow(benchmark::State& state) {
    if (cdnow().empty()) return state.SkipWithError("CDNOW data not found (set CLV_SHARED_DATA)");
    std::array<double, 4> g{};
    for (auto _ : state) benchmark::DoNotOptimize(M::log_likelihood_with_gradient(truth<M>(), cdnow().columns(), g));
    state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * cdnow().size()));
}

// Argument: threads (fit_options::threads); the sums have the same bits for any count.
template <class M>
void BM_ll_gradient_million_compressed(benchmark::State& state) {
    static const auto compressed = clv::compress(simulated_million<M>());
    const auto threads = static_cast<unsigned>(state.range(0));
    std::array<double, 4> g{};
    for (auto _ : state)
        benchmark::DoNotOptimize(M::log_likelihood_with_gradient(truth<M>(), compressed.unique.columns(), g, threads));
    state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * compressed.unique.size()));
    state.counters["unique_rows"] = static_cast<double>(compressed.unique.size());
}

// Argument: extra starts (fit_options::extra_starts; 8 is the default, 0 a single start), to show
// what the safeguard against local maxima costs.
template <class M>
void BM_fit_cdnow(benchmark::State& state) {
    if (cdnow().empty()) return state.SkipWithError("CDNOW data not found (set CLV_SHARED_DATA)");
    clv::fit::fit_options options;
    options.extra_starts = static_cast<int>(state.range(0));
    for (auto _ : state) benchmark::DoNotOptimize(M::fit(clv::compress(cdnow()).unique.columns(), options));
}

// Compression and fit, together: what `clv fit` does with a 10^6-customer summary. Argument:
// threads (wall-clock time is reported, since the workers' CPU time is not the caller's).
template <class M>
void BM_compress_and_fit_million(benchmark::State& state) {
    const auto& table = simulated_million<M>();
    clv::fit::fit_options options;
    options.threads = static_cast<unsigned>(state.range(0));
    clv::fit::fit_result<M> fit;
    for (auto _ : state) fit = M::fit(clv::compress(table).unique.columns(), options);
    state.counters["converged"] = fit.converged;
    state.counters["iterations"] = fit.iterations;
}

template <class M>
void BM_compress_million(benchmark::State& state) {
    for (auto _ : state) benchmark::DoNotOptimize(clv::compress(simulated_million<M>()));
}

// Conditional expected transactions in 39 weeks and P(alive) for each of 10^6 customers.
template <class M>
void BM_predict_million(benchmark::State& state) {
    const auto& t = simulated_million<M>();
    const M model(truth<M>());
    std::vector<double> expected(t.size()), alive(t.size());
    for (auto _ : state) {
        for (std::size_t i = 0; i < t.size(); ++i) {
            expected[i] = model.conditional_expected_transactions(39, t.frequency[i], t.recency[i], t.T[i]);
            alive[i] = model.probability_alive(t.frequency[i], t.recency[i], t.T[i]);
        }
        benchmark::DoNotOptimize(expected.data());
        benchmark::DoNotOptimize(alive.data());
    }
    state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * t.size()));
}

template <class M>
void BM_dert(benchmark::State& state) {
    const M model(truth<M>());
    for (auto _ : state) benchmark::DoNotOptimize(model.dert(0.0027, 2, 30.43, 38.86));
}

template <class Policy>
void BM_lgamma_digamma(benchmark::State& state) {
    double x = 0.5, sum = 0;
    for (auto _ : state) {
        sum += boost::math::lgamma(x, Policy{}) + boost::math::digamma(x, Policy{});
        x = x < 60 ? x + 0.37 : 0.5;
        benchmark::DoNotOptimize(sum);
    }
}

// log1p over arguments the likelihoods meet (T / alpha, ratios of ages): the C library's and clv's
// (core/math.hpp), which replaced it for speed.
template <bool Clv>
void BM_log1p(benchmark::State& state) {
    double x = 1e-3, sum = 0;
    for (auto _ : state) {
        sum += Clv ? clv::math::log1p(x) : std::log1p(x);
        x = x < 50 ? x * 1.37 : 1e-3;
        benchmark::DoNotOptimize(sum);
    }
}

#define CLV_MODEL_BENCHMARKS(M, label)                                                                          \
    BENCHMARK(BM_ll_gradient_cdnow<M>)->Name("ll_gradient_cdnow/" label);                                      \
    BENCHMARK(BM_ll_gradient_million_compressed<M>)->Name("ll_gradient_million_compressed/" label)             \
        ->Unit(benchmark::kMillisecond)->Arg(1)->Arg(2)->UseRealTime();                                       \
    BENCHMARK(BM_fit_cdnow<M>)->Name("fit_cdnow/" label)->Unit(benchmark::kMillisecond)->Arg(8)->Arg(0);      \
    BENCHMARK(BM_compress_million<M>)->Name("compress_million/" label)->Unit(benchmark::kMillisecond)         \
        ->Iterations(3);                                                                                      \
    BENCHMARK(BM_compress_and_fit_million<M>)->Name("compress_and_fit_million/" label)                        \
        ->Unit(benchmark::kMillisecond)->Iterations(3)->Arg(1)->Arg(2)->UseRealTime();                        \
    BENCHMARK(BM_predict_million<M>)->Name("predict_million/" label)->Unit(benchmark::kMillisecond)           \
        ->Iterations(3);                                                                                      \
    BENCHMARK(BM_dert<M>)->Name("dert/" label)->Unit(benchmark::kMicrosecond)

CLV_MODEL_BENCHMARKS(clv::bg_nbd<>, "bgnbd");
CLV_MODEL_BENCHMARKS(clv::mbg_nbd<>, "mbgnbd");
CLV_MODEL_BENCHMARKS(clv::pareto_nbd<>, "pnbd");
BENCHMARK(BM_lgamma_digamma<boost::math::policies::policy<>>)->Name("lgamma_digamma/boost_default_promotes");
BENCHMARK(BM_lgamma_digamma<clv::math::policy>)->Name("lgamma_digamma/clv_policy");
BENCHMARK(BM_log1p<false>)->Name("log1p/c_library");
BENCHMARK(BM_log1p<true>)->Name("log1p/clv");

}  // namespace

BENCHMARK_MAIN();
