// Pareto/NBD timings: log-likelihood + gradient per customer, fits on CDNOW and on 10^6 simulated
// customers (compressed, day-granular times), predictions for 10^6 customers, and the cost of
// Boost.Math's double -> long double promotion that the model's policy switches off.
// CDNOW is read from $CLV_SHARED_DATA (default ../shared/data); without it those benchmarks skip.
#include <clv/models/pareto_nbd.hpp>

#include <benchmark/benchmark.h>
#include <boost/math/special_functions/digamma.hpp>
#include <boost/math/special_functions/gamma.hpp>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace {

using model = clv::pareto_nbd<double>;
const model::params cdnow_params{0.553, 10.578, 0.606, 11.669};

clv::customer_table load_cdnow() {
    const char* env = std::getenv("CLV_SHARED_DATA");
    std::filesystem::path dir = env && *env ? env : "../shared/data";
    std::ifstream in(dir / "cdnow" / "cdnow_customers_summary.csv");
    clv::customer_table table;
    std::string line;
    if (!in || !std::getline(in, line)) return table;
    while (std::getline(in, line)) {
        std::stringstream ss(line);
        std::string id, f, r, t;
        std::getline(ss, id, ',');
        std::getline(ss, f, ',');
        std::getline(ss, r, ',');
        std::getline(ss, t, ',');
        table.push_back(id, {std::stod(f), std::stod(r), std::stod(t), 0.0, 1.0});
    }
    return table;
}

/// 10^6 customers of a one-year cohort (ages 1..365 days, in weeks), simulated from CDNOW's
/// estimates; recency rounded down to whole days so that compression has something to merge.
const clv::customer_table& simulated_million() {
    static const clv::customer_table table = [] {
        std::mt19937_64 rng(7);
        std::uniform_int_distribution<int> day(1, 365);
        std::vector<double> ages(1000000);
        for (double& a : ages) a = day(rng) / 7.0;
        auto t = model(cdnow_params).simulate(ages, 0.0, rng);
        for (std::size_t i = 0; i < t.size(); ++i) t.recency[i] = std::floor(t.recency[i] * 7.0 + 1e-9) / 7.0;
        return t;
    }();
    return table;
}

void BM_log_likelihood_with_gradient_cdnow(benchmark::State& state) {
    const auto table = load_cdnow();
    if (table.empty()) { state.SkipWithError("CDNOW data not found (set CLV_SHARED_DATA)"); return; }
    std::array<double, 4> g{};
    for (auto _ : state) benchmark::DoNotOptimize(model::log_likelihood_with_gradient(cdnow_params, table.columns(), g));
    state.SetItemsProcessed(state.iterations() * static_cast<long>(table.size()));
    // kIsRate | kInvert reports time / value; value in units of 1e-9 items gives ns per customer.
    state.counters["ns_per_customer"] = benchmark::Counter(
        static_cast<double>(state.iterations()) * static_cast<double>(table.size()) * 1e-9,
        benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_log_likelihood_with_gradient_cdnow)->Unit(benchmark::kMicrosecond);

void BM_fit_cdnow(benchmark::State& state) {
    const auto table = load_cdnow();
    if (table.empty()) { state.SkipWithError("CDNOW data not found (set CLV_SHARED_DATA)"); return; }
    double ll = 0;
    for (auto _ : state) ll = model::fit(table.columns()).log_likelihood;
    state.counters["log_likelihood"] = ll;
}
BENCHMARK(BM_fit_cdnow)->Unit(benchmark::kMillisecond);

void BM_compress_simulated_million(benchmark::State& state) {
    const auto& table = simulated_million();
    std::size_t rows = 0;
    for (auto _ : state) rows = clv::compress(table).unique.size();
    state.counters["unique_rows"] = static_cast<double>(rows);
}
BENCHMARK(BM_compress_simulated_million)->Unit(benchmark::kMillisecond)->Iterations(1);

void BM_fit_simulated_million(benchmark::State& state) {
    const auto compressed = clv::compress(simulated_million());
    clv::fit::fit_result<model> fit;
    for (auto _ : state) fit = model::fit(compressed.unique.columns());
    state.counters["unique_rows"] = static_cast<double>(compressed.unique.size());
    state.counters["converged"] = fit.converged ? 1 : 0;
    state.counters["iterations"] = fit.iterations;
    state.counters["r"] = fit.params.r;
    state.counters["alpha"] = fit.params.alpha;
    state.counters["s"] = fit.params.s;
    state.counters["beta"] = fit.params.beta;
}
BENCHMARK(BM_fit_simulated_million)->Unit(benchmark::kMillisecond)->Iterations(1);

void BM_log_likelihood_with_gradient_million_compressed(benchmark::State& state) {
    const auto compressed = clv::compress(simulated_million());
    std::array<double, 4> g{};
    for (auto _ : state)
        benchmark::DoNotOptimize(model::log_likelihood_with_gradient(cdnow_params, compressed.unique.columns(), g));
    state.counters["ns_per_row"] = benchmark::Counter(
        static_cast<double>(state.iterations()) * static_cast<double>(compressed.unique.size()) * 1e-9,
        benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_log_likelihood_with_gradient_million_compressed)->Unit(benchmark::kMillisecond);

void BM_predict_million(benchmark::State& state) {
    const auto& table = simulated_million();
    const model m(cdnow_params);
    std::vector<double> expected(table.size()), alive(table.size());
    for (auto _ : state) {
        for (std::size_t i = 0; i < table.size(); ++i) {
            expected[i] = m.conditional_expected_transactions(39.0, table.frequency[i], table.recency[i], table.T[i]);
            alive[i] = m.probability_alive(table.frequency[i], table.recency[i], table.T[i]);
        }
        benchmark::DoNotOptimize(expected.data());
        benchmark::DoNotOptimize(alive.data());
    }
    state.SetLabel("conditional_expected_transactions + probability_alive, 1e6 customers");
}
BENCHMARK(BM_predict_million)->Unit(benchmark::kMillisecond);

void BM_dert_cdnow(benchmark::State& state) {
    const auto table = load_cdnow();
    if (table.empty()) { state.SkipWithError("CDNOW data not found (set CLV_SHARED_DATA)"); return; }
    const model m(cdnow_params);
    double total = 0;
    for (auto _ : state) {
        total = 0;
        for (std::size_t i = 0; i < table.size(); ++i) total += m.dert(0.0027, table.frequency[i], table.recency[i], table.T[i]);
        benchmark::DoNotOptimize(total);
    }
    state.SetItemsProcessed(state.iterations() * static_cast<long>(table.size()));
}
BENCHMARK(BM_dert_cdnow)->Unit(benchmark::kMillisecond);

// The promotion policy: Boost.Math evaluates double lgamma/digamma in long double by default.
void BM_lgamma_digamma_default_policy(benchmark::State& state) {
    double x = 0.553, acc = 0;
    for (auto _ : state) {
        acc += boost::math::lgamma(x) + boost::math::digamma(x);
        x = x < 100 ? x + 0.37 : 0.553;
    }
    benchmark::DoNotOptimize(acc);
}
BENCHMARK(BM_lgamma_digamma_default_policy);

void BM_lgamma_digamma_no_promotion(benchmark::State& state) {
    double x = 0.553, acc = 0;
    for (auto _ : state) {
        acc += clv::detail::pnbd::lgamma(x) + clv::detail::pnbd::digamma(x);
        x = x < 100 ? x + 0.37 : 0.553;
    }
    benchmark::DoNotOptimize(acc);
}
BENCHMARK(BM_lgamma_digamma_no_promotion);

}  // namespace

BENCHMARK_MAIN();
