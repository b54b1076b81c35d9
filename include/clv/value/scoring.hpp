// Valuing a whole customer table: the batch form of `customer_value` with a transaction model as
// the purchase part, computed once per distinct history and with value intervals from the
// uncertainty of the fitted parameters. The program and any binding call this; none re-implements it.
#pragma once

#include <clv/data/customer_table.hpp>
#include <clv/value/lifetime_value.hpp>
#include <clv/value/model_parts.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <random>
#include <utility>
#include <vector>

namespace clv {

/// How a table is valued: continuous discounting at `discount.rate` per time unit over
/// `discount.horizon` time units, times a gross margin; with `interval_level` in (0, 1), also
/// equal-tailed intervals from `draws` parameter draws (seeded: the same seed gives the same bounds).
struct valuation_options {
    continuous_discounting discount{};
    double gross_margin = 1.0;
    double interval_level = 0;  ///< 0: no intervals
    int draws = 200;
    std::uint64_t seed = 20261129;
    /// Largest customers x draws kept in memory for per-customer intervals (4 bytes each).
    std::size_t max_interval_cells = 100'000'000;

    void validate() const {
        discount.validate();
        detail::require_margin(gross_margin);
        if (!(interval_level >= 0 && interval_level < 1))
            throw invalid_input("interval level", to_message_string(interval_level), "must be in (0, 1), e.g. 0.9");
        if (interval_level > 0 && draws < 20)
            throw invalid_input("draws", std::to_string(draws), "intervals need at least 20 parameter draws");
    }
};

/// Per-customer results in the order of the input table.
struct customer_values {
    std::vector<double> expected_transactions;  ///< E[purchases in the horizon | history], undiscounted (empty without a horizon)
    std::vector<double> probability_alive;      ///< P(alive now | history)
    std::vector<double> discounted_transactions;  ///< integral_0^H e^(-delta t) dE[X(T, T+t] | history]
    std::vector<double> expected_spend;         ///< expected value per purchase
    std::vector<double> clv;                    ///< margin x expected_spend x discounted_transactions
    std::vector<double> clv_lower, clv_upper;   ///< interval bounds (empty unless asked)
    double total_clv = 0;
    double total_lower = std::numeric_limits<double>::quiet_NaN();
    double total_upper = std::numeric_limits<double>::quiet_NaN();
};

namespace detail {

/// Scores every customer once for fixed parts. Predictions factor as P(alive | x, t_x, T) times a
/// function of (x, T) only (the future of a customer alive at T: BG/NBD and MBG/NBD FHL 2005 eq. 10,
/// Pareto/NBD Schmittlein et al. 1987, BG/BB FHS 2010 eq. 13), so the expensive part (quadrature
/// or DERT) is computed once per distinct (x, T): it is the prediction of the history (x, t*, T)
/// with the recency at which P(alive) is largest (t* = T, or 0 for x = 0), divided by its P(alive).
template <class Model, class Spend>
void score_table(const customer_table& customers, const compressed_table& compressed,
                 const model_purchases<Model>& purchases, const Spend& spend, const valuation_options& options,
                 customer_values& out) {
    const auto& rows = compressed.unique;
    const auto& model = purchases.model;
    const continuous_discounting& discount = options.discount;
    const bool finite_horizon = std::isfinite(discount.horizon);
    struct if_alive { double expected, discounted; };
    std::map<std::pair<double, double>, if_alive> cache;
    std::vector<double> row_alive(rows.size()), row_expected(rows.size()), row_discounted(rows.size());
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const double x = rows.frequency[i], T = rows.T[i];
        auto [it, inserted] = cache.try_emplace({x, T}, if_alive{0, 0});
        if (inserted) {
            const customer_row best{x, x > 0 ? T : 0.0, T, 0.0, 1.0};
            const double alive = purchases.probability_alive(best);
            if (!(alive > 0))
                throw invalid_input("frequency", to_message_string(x),
                                    "the model gives probability alive 0 for a customer with this history (T = " +
                                        to_message_string(T) + "): its parameters are outside their usable range");
            auto fresh = [&](double t) { return purchases.expected_purchases(best, t) / alive; };
            double discounted;
            if constexpr (requires { model.dert_if_alive(0.1, 1.0, 1.0); }) {
                discounted = !finite_horizon && discount.rate > 0
                                 ? static_cast<double>(model.dert_if_alive(discount.rate, x, T))
                                 : discounted_expected_purchases(fresh, discount);
            } else {
                discounted = discounted_expected_purchases(fresh, discount);
            }
            it->second = {finite_horizon ? fresh(discount.horizon) : std::numeric_limits<double>::quiet_NaN(), discounted};
        }
        const customer_row row{x, rows.recency[i], T, 0.0, 1.0};
        row_alive[i] = purchases.probability_alive(row);
        row_expected[i] = row_alive[i] * it->second.expected;
        row_discounted[i] = row_alive[i] * it->second.discounted;
    }
    const std::size_t n = customers.size();
    out.probability_alive.resize(n);
    out.discounted_transactions.resize(n);
    out.expected_spend.resize(n);
    out.clv.resize(n);
    if (finite_horizon) out.expected_transactions.resize(n);
    out.total_clv = 0;
    for (std::size_t c = 0; c < n; ++c) {
        const std::size_t i = compressed.row_of_customer[c];
        out.probability_alive[c] = row_alive[i];
        out.discounted_transactions[c] = row_discounted[i];
        if (finite_horizon) out.expected_transactions[c] = row_expected[i];
        out.expected_spend[c] = spend.expected_order_value(customers.row(c));
        out.clv[c] = options.gross_margin * out.expected_spend[c] * row_discounted[i];
        out.total_clv += out.clv[c] * customers.row(c).weight;
    }
}

/// The q-quantile of `values` (type 7: linear between order statistics, as R's default).
inline double quantile(std::vector<double>& values, double q) {
    std::sort(values.begin(), values.end());
    const double h = q * static_cast<double>(values.size() - 1);
    const auto lo = static_cast<std::size_t>(std::floor(h));
    const std::size_t hi = std::min(lo + 1, values.size() - 1);
    return values[lo] + (h - static_cast<double>(lo)) * (values[hi] - values[lo]);
}

}  // namespace detail

/// Values every customer of `customers` (validated first) with a transaction model as purchase
/// part and any spend part (Gamma-Gamma through `model_spend`, `own_mean_spend`, `constant_spend`):
///   clv = margin x spend(record) x integral_0^H e^(-delta t) dE[X(T, T+t] | x, t_x, T],
/// DERT when the horizon is infinite (FHL 2005 "RFM and CLV", eq. 2 and the CLV = margin x
/// spend x DERT of their section 4). With `interval_level` > 0, both parts are redrawn `draws`
/// times from their parameters' asymptotic distribution (`draw_parameters`) and the equal-tailed
/// quantiles of each customer's value and of the total give the intervals.
template <class Model, class Spend>
customer_values value_customers(const customer_table& customers, const model_purchases<Model>& purchases,
                                const Spend& spend, const valuation_options& options = {}) {
    options.validate();
    customers.validate();
    const compressed_table compressed = compress(customers);
    customer_values out;
    detail::score_table(customers, compressed, purchases, spend, options, out);
    if (options.interval_level == 0) return out;

    const std::size_t n = customers.size(), draws = static_cast<std::size_t>(options.draws);
    if (n * draws > options.max_interval_cells)
        throw invalid_input("draws", std::to_string(options.draws),
                            "per-customer intervals for " + std::to_string(n) + " customers need " +
                                std::to_string(n * draws * 4 / 1'000'000) + " MB: use fewer draws or value a subset");
    std::mt19937_64 rng(options.seed);
    std::vector<float> cells(n * draws);
    std::vector<double> totals(draws);
    customer_values drawn;
    for (std::size_t d = 0; d < draws; ++d) {
        const auto purchases_d = purchases.drawn(rng);
        auto spend_d = spend;
        if constexpr (requires { spend.drawn(rng); }) spend_d = spend.drawn(rng);
        detail::score_table(customers, compressed, purchases_d, spend_d, options, drawn);
        for (std::size_t c = 0; c < n; ++c) cells[c * draws + d] = static_cast<float>(drawn.clv[c]);
        totals[d] = drawn.total_clv;
    }
    const double tail = (1 - options.interval_level) / 2;
    out.clv_lower.resize(n);
    out.clv_upper.resize(n);
    std::vector<double> column(draws);
    for (std::size_t c = 0; c < n; ++c) {
        for (std::size_t d = 0; d < draws; ++d) column[d] = cells[c * draws + d];
        out.clv_lower[c] = detail::quantile(column, tail);
        out.clv_upper[c] = detail::quantile(column, 1 - tail);
    }
    out.total_lower = detail::quantile(totals, tail);
    out.total_upper = detail::quantile(totals, 1 - tail);
    return out;
}

}  // namespace clv
