// Valuing a customer base: BG/NBD purchases x Gamma-Gamma spend for 10^6 simulated customers
// (day-granular histories, CDNOW's published parameters), with DERT (no horizon, continuous
// discounting at 15 % a year in weeks) and over a 52-week horizon, on 1 and 2 threads; and value
// intervals from 100 parameter draws for 10^5 of them. Figures: docs/performance.md.
#include <clv/clv.hpp>
#include <clv/models/gamma_gamma.hpp>

#include <benchmark/benchmark.h>

#include <array>
#include <cmath>
#include <random>
#include <vector>

namespace {

const clv::bg_nbd<> purchases_model({0.243, 4.414, 0.793, 2.426});
const clv::gamma_gamma<> spend_model({6.25, 3.74, 15.44});

// n customers acquired uniformly over a year, observed to week 78, recency in whole days.
clv::customer_table simulate_customers(std::size_t n) {
    std::mt19937_64 rng(2024);
    std::uniform_int_distribution<int> first_day(0, 364);
    std::vector<double> ages(n);
    for (auto& a : ages) a = (546 - first_day(rng)) / 7.0;
    auto t = purchases_model.simulate(ages, 0, rng);
    std::gamma_distribution<double> spend(6.25 * 2, 1.0 / 2);
    for (std::size_t i = 0; i < t.size(); ++i) {
        t.recency[i] = std::floor(t.recency[i] * 7 + 1e-9) / 7;
        t.monetary_value[i] = t.frequency[i] > 0 ? spend(rng) : 0.0;
    }
    return t;
}

const clv::customer_table& million() {
    static const clv::customer_table table = simulate_customers(1'000'000);
    return table;
}

// The fit's covariance is not needed to time the draws: a diagonal one with 5 % standard errors.
Eigen::MatrixXd five_percent_covariance(const std::array<double, 4>& values) {
    Eigen::MatrixXd c = Eigen::MatrixXd::Zero(4, 4);
    for (int i = 0; i < 4; ++i) c(i, i) = std::pow(0.05 * values[static_cast<std::size_t>(i)], 2);
    return c;
}

void BM_value_million(benchmark::State& state) {
    const auto& table = million();
    clv::valuation_options options;
    options.discount.rate = clv::continuous_rate_from_annual(0.15, 7);
    if (state.range(0) > 0) options.discount.horizon = static_cast<double>(state.range(0));
    options.gross_margin = 0.3;
    options.threads = static_cast<unsigned>(state.range(1));
    const clv::model_purchases<clv::bg_nbd<>> purchases{purchases_model};
    const clv::model_spend<clv::gamma_gamma<>> spend{spend_model};
    for (auto _ : state) benchmark::DoNotOptimize(clv::value_customers(table, purchases, spend, options).total_clv);
    state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * table.size()));
}

void BM_value_intervals(benchmark::State& state) {
    static const clv::customer_table table = simulate_customers(100'000);
    clv::valuation_options options;
    options.discount.rate = clv::continuous_rate_from_annual(0.15, 7);
    options.gross_margin = 0.3;
    options.interval_level = 0.9;
    options.draws = 100;
    options.threads = static_cast<unsigned>(state.range(0));
    const clv::model_purchases<clv::bg_nbd<>> purchases{purchases_model, 1,
                                                        five_percent_covariance({0.243, 4.414, 0.793, 2.426})};
    const clv::model_spend<clv::gamma_gamma<>> spend{spend_model};
    for (auto _ : state) benchmark::DoNotOptimize(clv::value_customers(table, purchases, spend, options).total_upper);
    state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * table.size()));
}

}  // namespace

// Arguments: horizon in weeks (0 = the whole lifetime, DERT), threads.
BENCHMARK(BM_value_million)->Args({0, 1})->Args({52, 1})->Args({0, 2})->Unit(benchmark::kMillisecond)->Iterations(1);
// Argument: threads.
BENCHMARK(BM_value_intervals)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->Iterations(1);

BENCHMARK_MAIN();
