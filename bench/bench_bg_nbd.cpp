// BG/NBD timings: summed log-likelihood + gradient per row, fits (CDNOW and 10^6 simulated
// customers, compressed), predictions for 10^6 customers, DERT, and the cost of Boost.Math's
// default double -> long double promotion in lgamma/digamma.
#include <clv/models/bg_nbd.hpp>

#include <benchmark/benchmark.h>

#include <boost/math/special_functions/digamma.hpp>
#include <boost/math/special_functions/gamma.hpp>

#include <cmath>
#include <cstdlib>
#include <stdexcept>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace {

using model = clv::bg_nbd<>;
const model::params published{0.243, 4.414, 0.793, 2.426};

clv::customer_table cdnow() {
    clv::customer_table table;
    // The reference data: $CLV_SHARED_DATA, or ../shared/data next to the source tree.
    const char* env = std::getenv("CLV_SHARED_DATA");
    const std::filesystem::path dir = env && *env ? std::filesystem::path(env)
                                                  : std::filesystem::path(__FILE__).parent_path() / "../../shared/data";
    const auto path = dir / "cdnow/cdnow_customers_summary.csv";
    if (!std::filesystem::exists(path)) throw std::runtime_error("CDNOW summary not found: " + path.string());
    std::ifstream in(path);
    std::string line;
    std::getline(in, line);
    while (std::getline(in, line)) {
        std::stringstream ss(line);
        std::string cell;
        std::vector<double> v;
        while (std::getline(ss, cell, ',')) v.push_back(std::stod(cell));
        if (v.size() >= 4) table.push_back("", {v[1], v[2], v[3], 0, 1});
    }
    return table;
}

// 10^6 customers acquired uniformly over a year, observed to the end of week 78, with times
// rounded to whole days (1/7 week) as a daily transaction log would give.
const clv::customer_table& simulated_million() {
    static const clv::customer_table table = [] {
        std::mt19937_64 rng(2024);
        std::uniform_int_distribution<int> first_day(0, 364);
        std::vector<double> ages(1'000'000);
        for (auto& a : ages) a = (546 - first_day(rng)) / 7.0;
        auto t = model(published).simulate(ages, 0, rng);
        for (std::size_t i = 0; i < t.size(); ++i) t.recency[i] = std::min(std::round(t.recency[i] * 7) / 7, t.T[i]);
        return t;
    }();
    return table;
}

void ll_gradient(benchmark::State& state, const clv::customer_table& table) {
    const auto columns = table.columns();
    std::array<double, 4> g{};
    for (auto _ : state) benchmark::DoNotOptimize(model::log_likelihood_with_gradient(published, columns, g));
    state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * table.size()));
}

void BM_ll_gradient_cdnow(benchmark::State& state) {
    static const auto table = cdnow();
    ll_gradient(state, table);
}
BENCHMARK(BM_ll_gradient_cdnow);

void BM_ll_gradient_million_rows(benchmark::State& state) { ll_gradient(state, simulated_million()); }
BENCHMARK(BM_ll_gradient_million_rows)->Unit(benchmark::kMillisecond);

void BM_fit_cdnow(benchmark::State& state) {
    static const auto table = cdnow();
    for (auto _ : state) benchmark::DoNotOptimize(model::fit(table.columns()));
}
BENCHMARK(BM_fit_cdnow)->Unit(benchmark::kMillisecond);

void BM_compress_million(benchmark::State& state) {
    for (auto _ : state) benchmark::DoNotOptimize(clv::compress(simulated_million()));
}
BENCHMARK(BM_compress_million)->Unit(benchmark::kMillisecond);

void BM_fit_million_compressed(benchmark::State& state) {
    static const auto compressed = clv::compress(simulated_million());
    state.counters["unique_rows"] = static_cast<double>(compressed.unique.size());
    for (auto _ : state) {
        const auto fit = model::fit(compressed.unique.columns());
        state.counters["converged"] = fit.converged;
        state.counters["iterations"] = fit.iterations;
    }
}
BENCHMARK(BM_fit_million_compressed)->Unit(benchmark::kMillisecond);

void BM_fit_million_uncompressed(benchmark::State& state) {
    for (auto _ : state) benchmark::DoNotOptimize(model::fit(simulated_million().columns()));
}
BENCHMARK(BM_fit_million_uncompressed)->Unit(benchmark::kMillisecond)->Iterations(1);

// Conditional expected transactions over 39 weeks and P(alive) for every one of 10^6 customers.
void BM_predict_million(benchmark::State& state) {
    const auto& t = simulated_million();
    const model m(published);
    std::vector<double> expected(t.size()), alive(t.size());
    for (auto _ : state) {
        for (std::size_t i = 0; i < t.size(); ++i) {
            expected[i] = m.conditional_expected_transactions(39, t.frequency[i], t.recency[i], t.T[i]);
            alive[i] = m.probability_alive(t.frequency[i], t.recency[i], t.T[i]);
        }
        benchmark::DoNotOptimize(expected.data());
        benchmark::DoNotOptimize(alive.data());
    }
    state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * t.size()));
}
BENCHMARK(BM_predict_million)->Unit(benchmark::kMillisecond);

void BM_dert(benchmark::State& state) {
    const model m(published);
    for (auto _ : state) benchmark::DoNotOptimize(m.dert(0.0027, 2, 30.43, 38.86));
}
BENCHMARK(BM_dert)->Unit(benchmark::kMicrosecond);

// lgamma + digamma of double with Boost's default policy (promotes to long double) and with
// promote_double<false>, the policy clv uses.
template <class Policy>
void BM_lgamma_digamma(benchmark::State& state) {
    double x = 0.5, sum = 0;
    for (auto _ : state) {
        sum += boost::math::lgamma(x, Policy{}) + boost::math::digamma(x, Policy{});
        x += 0.37;
        if (x > 60) x = 0.5;
        benchmark::DoNotOptimize(sum);
    }
}
BENCHMARK(BM_lgamma_digamma<boost::math::policies::policy<>>)->Name("BM_lgamma_digamma/default_promote");
BENCHMARK(BM_lgamma_digamma<clv::detail::beta_geometric::policy>)->Name("BM_lgamma_digamma/no_promote");

}  // namespace

BENCHMARK_MAIN();
