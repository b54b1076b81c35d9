// Valuing a whole customer table: the batch form of `customer_value` with a transaction model as
// the purchase part, computed once per distinct history and with value intervals from the
// uncertainty of the fitted parameters. The program and any binding call this; none re-implements it.
#pragma once

#include <clv/core/statistics.hpp>
#include <clv/data/customer_table.hpp>
#include <clv/value/lifetime_value.hpp>
#include <clv/value/model_parts.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <random>
#include <utility>
#include <vector>

namespace clv {

/// How a table is valued: continuous discounting at `discount.rate` per time unit over
/// `discount.horizon` time units, times a gross margin; with `interval_level` in (0, 1), also
/// equal-tailed intervals from `draws` parameter draws (seeded: the same seed gives the same bounds).
struct valuation_options {
    continuous_discounting discount{};
    /// Discrete-time models (BG/BB): `discount.rate` is a rate d per opportunity, opportunity k
    /// after now is discounted by (1 + d)^-k (FHS 2010's DERT convention), and `discount.horizon`
    /// counts whole opportunities.
    bool per_period = false;
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

/// The future of a customer with history (x, t_x, T) is P(alive | x, t_x, T) times that of a
/// customer known to be alive at T, which depends on (x, T) only (BG/NBD and MBG/NBD: FHL 2005
/// eq. 10; Pareto/NBD: Schmittlein, Morrison & Colombo 1987; BG/BB: FHS 2010 eq. 13). The latter is
/// read off the history (x, t*, T) whose P(alive) is largest (t* = T, or 0 for x = 0), divided by
/// that P(alive), so expensive quantities (quadrature, DERT, PMFs) are computed once per distinct
/// (x, T) and scaled by each customer's P(alive).
template <class Model>
struct alive_factorisation {
    const Model& model;
    double x, T, alive_at_best;

    alive_factorisation(const Model& m, double frequency, double age) : model(m), x(frequency), T(age) {
        alive_at_best = static_cast<double>(model.probability_alive(x, best_recency(), T));
        if (!(alive_at_best > 0))
            throw invalid_input("frequency", to_message_string(x),
                                "the model gives probability alive 0 for a customer with this history (T = " +
                                    to_message_string(T) + "): its parameters are outside their usable range");
    }
    [[nodiscard]] double best_recency() const { return x > 0 ? T : 0.0; }
    /// P(alive at T + t | alive at T).
    [[nodiscard]] double alive_at_if_alive(double t) const {
        return static_cast<double>(model.probability_alive_at(t, x, best_recency(), T)) / alive_at_best;
    }
    /// E[X(T, T + t] | alive at T].
    [[nodiscard]] double expected_if_alive(double t) const {
        return static_cast<double>(model.conditional_expected_transactions(t, x, best_recency(), T)) / alive_at_best;
    }
    /// P(X(T, T + t] = n | alive at T).
    [[nodiscard]] double probability_of_n_if_alive(unsigned n, double t) const {
        const double all = static_cast<double>(model.conditional_probability_of_n(n, t, x, best_recency(), T));
        return n == 0 ? 1 - (1 - all) / alive_at_best : all / alive_at_best;
    }
    /// Discounted expected purchases of a customer alive at T (DERT-if-alive when the horizon is
    /// infinite and the model has it).
    [[nodiscard]] double discounted_if_alive(const continuous_discounting& discount, bool per_period) const {
        if constexpr (requires { model.dert_if_alive(0.1, 1.0, 1.0); }) {
            if (std::isinf(discount.horizon) && discount.rate > 0)
                return static_cast<double>(model.dert_if_alive(discount.rate, x, T));
        }
        auto fresh = [&](double t) { return expected_if_alive(t); };
        if (!per_period) return discounted_expected_purchases(fresh, discount);
        if (std::isinf(discount.horizon))
            throw invalid_input("horizon", "", "a discrete-time model without DERT needs a finite horizon");
        double total = 0, before = 0, factor = 1;
        for (double k = 1; k <= discount.horizon; ++k) {
            factor /= 1 + discount.rate;
            const double now = fresh(k);
            total += (now - before) * factor;
            before = now;
        }
        return total;
    }
};

/// Scores every customer once for fixed parts (see `alive_factorisation`).
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
            const alive_factorisation<Model> future(model, x, T);
            it->second = {finite_horizon ? future.expected_if_alive(discount.horizon) : std::numeric_limits<double>::quiet_NaN(),
                          future.discounted_if_alive(discount, options.per_period)};
        }
        row_alive[i] = static_cast<double>(model.probability_alive(x, rows.recency[i], T));
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
    std::size_t rejected = 0;
    for (std::size_t d = 0; d < draws; ++d) {
        // A draw outside a model's domain (e.g. Gamma-Gamma q <= 1: infinite mean spend) has no
        // value; it is drawn again, and too many such draws mean the estimate is too uncertain.
        try {
            const auto purchases_d = purchases.drawn(rng);
            auto spend_d = spend;
            if constexpr (requires { spend.drawn(rng); }) spend_d = spend.drawn(rng);
            detail::score_table(customers, compressed, purchases_d, spend_d, options, drawn);
        } catch (const invalid_input&) {
            if (++rejected > draws / 10)
                throw invalid_input("intervals", "", "more than 10 % of the parameter draws fall outside the models' "
                                                     "domain (e.g. an infinite mean spend): the estimates are too "
                                                     "uncertain for intervals");
            --d;
            continue;
        }
        for (std::size_t c = 0; c < n; ++c) cells[c * draws + d] = static_cast<float>(drawn.clv[c]);
        totals[d] = drawn.total_clv;
    }
    const double tail = (1 - options.interval_level) / 2;
    out.clv_lower.resize(n);
    out.clv_upper.resize(n);
    std::vector<double> column(draws);
    for (std::size_t c = 0; c < n; ++c) {
        for (std::size_t d = 0; d < draws; ++d) column[d] = cells[c * draws + d];
        out.clv_lower[c] = stats::quantile(column, tail);
        out.clv_upper[c] = stats::quantile(column, 1 - tail);
    }
    out.total_lower = stats::quantile(totals, tail);
    out.total_upper = stats::quantile(totals, 1 - tail);
    return out;
}

/// What `predict_customers` computes beside expected transactions and P(alive).
struct prediction_options {
    double horizon = 0;                   ///< in the model's time unit (opportunities for BG/BB)
    std::optional<double> discount_rate;  ///< adds "dert" (the model's own DERT convention)
    bool alive_at_horizon = false;        ///< adds "probability_alive_at_horizon"
    std::optional<unsigned> pmf;          ///< adds "p_0" .. "p_N": P(X(T, T + horizon] = n | history)
};

/// Named per-customer columns, in the order of the input table.
struct customer_predictions {
    std::vector<std::string> names;
    std::vector<std::vector<double>> columns;
};

/// Batch predictions of a transaction model for every customer of `customers` (validated first):
/// expected_transactions (the conditional expectation over the horizon), probability_alive, and as
/// asked dert, probability_alive_at_horizon and p_0..p_N. Computed once per distinct history
/// (`compress`) and, for everything but P(alive), once per distinct (x, T) (`alive_factorisation`).
template <class Model>
customer_predictions predict_customers(const customer_table& customers, const Model& model,
                                       const prediction_options& options) {
    customers.validate();
    if (!(options.horizon >= 0) || !std::isfinite(options.horizon))
        throw invalid_input("horizon", to_message_string(options.horizon), "must be a finite number >= 0");
    const compressed_table compressed = compress(customers);
    const auto& rows = compressed.unique;
    customer_predictions out;
    std::vector<std::vector<double>> per_row;
    auto add = [&](std::string name) { out.names.push_back(std::move(name)); per_row.emplace_back(rows.size()); };
    add("expected_transactions");
    add("probability_alive");
    if (options.discount_rate) add("dert");
    if (options.alive_at_horizon) add("probability_alive_at_horizon");
    const unsigned pmf_terms = options.pmf ? *options.pmf + 1 : 0;
    for (unsigned n = 0; n < pmf_terms; ++n) add("p_" + std::to_string(n));

    std::map<std::pair<double, double>, std::vector<double>> cache;  // if-alive values per (x, T)
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const double x = rows.frequency[i], T = rows.T[i];
        auto [it, inserted] = cache.try_emplace({x, T});
        if (inserted) {
            const detail::alive_factorisation<Model> future(model, x, T);
            auto& v = it->second;
            v.push_back(future.expected_if_alive(options.horizon));
            if (options.discount_rate) v.push_back(static_cast<double>(model.dert_if_alive(*options.discount_rate, x, T)));
            if (options.alive_at_horizon) v.push_back(future.alive_at_if_alive(options.horizon));
            for (unsigned n = 0; n < pmf_terms; ++n) v.push_back(future.probability_of_n_if_alive(n, options.horizon));
        }
        const double alive = static_cast<double>(model.probability_alive(x, rows.recency[i], T));
        const auto& v = it->second;
        std::size_t c = 0, k = 0;
        per_row[c++][i] = alive * v[k++];
        per_row[c++][i] = alive;
        if (options.discount_rate) per_row[c++][i] = alive * v[k++];
        if (options.alive_at_horizon) per_row[c++][i] = alive * v[k++];
        for (unsigned n = 0; n < pmf_terms; ++n, ++k) per_row[c++][i] = (n == 0 ? 1 - alive : 0.0) + alive * v[k];
    }
    out.columns.assign(per_row.size(), std::vector<double>(customers.size()));
    for (std::size_t j = 0; j < per_row.size(); ++j)
        for (std::size_t c = 0; c < customers.size(); ++c) out.columns[j][c] = per_row[j][compressed.row_of_customer[c]];
    return out;
}

}  // namespace clv
