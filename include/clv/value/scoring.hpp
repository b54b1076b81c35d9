// Valuing a whole customer table: the batch form of `customer_value` with a transaction model as
// the purchase part, computed once per distinct history and with value intervals from the
// uncertainty of the fitted parameters. The program and any binding call this; none re-implements it.
#pragma once

#include <clv/core/parallel.hpp>
#include <clv/core/statistics.hpp>
#include <clv/data/customer_table.hpp>
#include <clv/value/lifetime_value.hpp>
#include <clv/value/model_parts.hpp>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <unordered_map>
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
    /// Threads for the per-group and per-customer loops (1: the calling thread only); the results
    /// have the same bits for any number.
    unsigned threads = 1;

    void validate() const {
        discount.validate();
        detail::require_margin(gross_margin);
        if (!(interval_level >= 0 && interval_level < 1))
            throw invalid_input("interval level", to_message_string(interval_level), "must be in (0, 1), e.g. 0.9");
        if (threads == 0) throw invalid_input("threads", "0", "must be at least 1");
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
            if (std::isinf(discount.horizon)) return static_cast<double>(model.dert_if_alive(discount.rate, x, T));
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

/// The distinct (frequency, T) pairs of a table's rows, in order of first appearance, and the
/// pair of every row: the expensive if-alive factors are computed once per pair.
struct frequency_age_groups {
    std::vector<double> frequency, T;
    std::vector<std::uint32_t> group_of_row;

    [[nodiscard]] std::size_t size() const { return frequency.size(); }
};

/// Groups the rows of `rows` by (frequency, T) with a hash map of the pairs seen (a few thousand
/// for day-granular data), so that no sort of the rows is needed.
inline frequency_age_groups group_by_frequency_and_age(const customer_table& rows) {
    struct pair_hash {
        std::size_t operator()(const std::pair<double, double>& k) const noexcept {
            const auto x = std::bit_cast<std::uint64_t>(k.first), t = std::bit_cast<std::uint64_t>(k.second);
            return static_cast<std::size_t>((x * 0x9E3779B97F4A7C15ULL) ^ (t * 0xC2B2AE3D27D4EB4FULL) ^ (t >> 29));
        }
    };
    frequency_age_groups out;
    const std::size_t n = rows.size();
    out.group_of_row.resize(n);
    std::unordered_map<std::pair<double, double>, std::uint32_t, pair_hash> index;
    std::pair<double, double> last{std::numeric_limits<double>::quiet_NaN(), 0.0};
    std::uint32_t last_group = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const std::pair<double, double> key{rows.frequency[i], rows.T[i]};
        if (key != last) {  // runs of equal pairs (sorted tables) skip the hash map
            const auto [it, inserted] = index.try_emplace(key, static_cast<std::uint32_t>(out.frequency.size()));
            if (inserted) {
                out.frequency.push_back(key.first);
                out.T.push_back(key.second);
            }
            last = key;
            last_group = it->second;
        }
        out.group_of_row[i] = last_group;
    }
    return out;
}

/// Rows per block of the parallel loops: results do not depend on the thread count, since every
/// row is computed alone and sums run in row order afterwards.
inline constexpr std::size_t scoring_block_size = 4096;

/// Where `score_table` computes P(alive): once per customer (`row_of_customer` empty, `rows` is
/// the customer table) or once per distinct history (`rows` = compress(customers).unique), which
/// pays when the table is scored many times (interval draws).
struct scoring_layout {
    const customer_table& rows;
    std::span<const std::size_t> row_of_customer;
    const frequency_age_groups& groups;  ///< over `rows`
};

/// Scores every customer once for fixed parts (see `alive_factorisation`).
template <class Model, class Spend>
void score_table(const customer_table& customers, const scoring_layout& layout,
                 const model_purchases<Model>& purchases, const Spend& spend, const valuation_options& options,
                 customer_values& out) {
    const auto& model = purchases.model;
    const auto& groups = layout.groups;
    const continuous_discounting& discount = options.discount;
    const bool finite_horizon = std::isfinite(discount.horizon);
    const unsigned threads = options.threads;
    std::vector<double> group_expected(finite_horizon ? groups.size() : 0), group_discounted(groups.size());
    parallel_for_blocks(groups.size(), 16, threads, [&](std::size_t begin, std::size_t end, std::size_t) {
        for (std::size_t j = begin; j < end; ++j) {
            const alive_factorisation<Model> future(model, groups.frequency[j], groups.T[j]);
            if (finite_horizon) group_expected[j] = future.expected_if_alive(discount.horizon);
            group_discounted[j] = future.discounted_if_alive(discount, options.per_period);
        }
    });
    const customer_table& rows = layout.rows;
    const bool per_customer = layout.row_of_customer.empty();
    std::vector<double> row_alive(per_customer ? 0 : rows.size());
    if (!per_customer)
        parallel_for_blocks(rows.size(), scoring_block_size, threads, [&](std::size_t begin, std::size_t end, std::size_t) {
            for (std::size_t i = begin; i < end; ++i)
                row_alive[i] = static_cast<double>(model.probability_alive(rows.frequency[i], rows.recency[i], rows.T[i]));
        });
    const std::size_t n = customers.size();
    out.probability_alive.resize(n);
    out.discounted_transactions.resize(n);
    out.expected_spend.resize(n);
    out.clv.resize(n);
    if (finite_horizon) out.expected_transactions.resize(n);
    parallel_for_blocks(n, scoring_block_size, threads, [&](std::size_t begin, std::size_t end, std::size_t) {
        for (std::size_t c = begin; c < end; ++c) {
            const std::size_t i = per_customer ? c : layout.row_of_customer[c];
            const double alive =
                per_customer ? static_cast<double>(model.probability_alive(customers.frequency[c], customers.recency[c],
                                                                           customers.T[c]))
                             : row_alive[i];
            const std::uint32_t j = groups.group_of_row[i];
            out.probability_alive[c] = alive;
            out.discounted_transactions[c] = alive * group_discounted[j];
            if (finite_horizon) out.expected_transactions[c] = alive * group_expected[j];
            out.expected_spend[c] = spend.expected_order_value(customers.row(c));
            out.clv[c] = options.gross_margin * out.expected_spend[c] * out.discounted_transactions[c];
        }
    });
    out.total_clv = 0;
    if (customers.weight.empty()) {
        for (std::size_t c = 0; c < n; ++c) out.total_clv += out.clv[c];
    } else {
        for (std::size_t c = 0; c < n; ++c) out.total_clv += out.clv[c] * customers.weight[c];
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
/// Cost: the if-alive factor (DERT or a quadrature of E[X]) once per distinct (x, T), P(alive)
/// and spend once per customer; each draw recomputes P(alive) once per distinct history.
template <class Model, class Spend>
customer_values value_customers(const customer_table& customers, const model_purchases<Model>& purchases,
                                const Spend& spend, const valuation_options& options = {}) {
    options.validate();
    customers.validate();
    customer_values out;
    {
        const detail::frequency_age_groups groups = detail::group_by_frequency_and_age(customers);
        detail::score_table(customers, {customers, {}, groups}, purchases, spend, options, out);
    }
    if (options.interval_level == 0) return out;

    const std::size_t n = customers.size(), draws = static_cast<std::size_t>(options.draws);
    if (n * draws > options.max_interval_cells)
        throw invalid_input("draws", std::to_string(options.draws),
                            "per-customer intervals for " + std::to_string(n) + " customers need " +
                                std::to_string(n * draws * 4 / 1'000'000) + " MB: use fewer draws or value a subset");
    const compressed_table compressed = compress(customers);
    const detail::frequency_age_groups groups = detail::group_by_frequency_and_age(compressed.unique);
    const detail::scoring_layout layout{compressed.unique, compressed.row_of_customer, groups};
    std::mt19937_64 rng(options.seed);
    std::vector<float> cells(n * draws);  // draw-major: each draw writes one contiguous row
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
            detail::score_table(customers, layout, purchases_d, spend_d, options, drawn);
        } catch (const invalid_input&) {
            if (++rejected > draws / 10)
                throw invalid_input("intervals", "", "more than 10 % of the parameter draws fall outside the models' "
                                                     "domain (e.g. an infinite mean spend): the estimates are too "
                                                     "uncertain for intervals");
            --d;
            continue;
        }
        std::copy(drawn.clv.begin(), drawn.clv.end(), cells.begin() + static_cast<std::ptrdiff_t>(d * n));
        totals[d] = drawn.total_clv;
    }
    const double tail = (1 - options.interval_level) / 2;
    out.clv_lower.resize(n);
    out.clv_upper.resize(n);
    parallel_for_blocks(n, detail::scoring_block_size, options.threads, [&](std::size_t begin, std::size_t end, std::size_t) {
        std::vector<double> column(draws);
        for (std::size_t c = begin; c < end; ++c) {
            for (std::size_t d = 0; d < draws; ++d) column[d] = cells[d * n + c];
            out.clv_lower[c] = stats::quantile(column, tail);
            out.clv_upper[c] = stats::quantile(column, 1 - tail);
        }
    });
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
    unsigned threads = 1;                 ///< threads for the loops; the same bits for any number
};

/// Named per-customer columns, in the order of the input table.
struct customer_predictions {
    std::vector<std::string> names;
    std::vector<std::vector<double>> columns;
};

/// Batch predictions of a transaction model for every customer of `customers` (validated first):
/// expected_transactions (the conditional expectation over the horizon), probability_alive, and as
/// asked dert, probability_alive_at_horizon and p_0..p_N. P(alive) is computed per customer,
/// everything else once per distinct (x, T) (`alive_factorisation`).
template <class Model>
customer_predictions predict_customers(const customer_table& customers, const Model& model,
                                       const prediction_options& options) {
    customers.validate();
    if (!(options.horizon >= 0) || !std::isfinite(options.horizon))
        throw invalid_input("horizon", to_message_string(options.horizon), "must be a finite number >= 0");
    if (options.threads == 0) throw invalid_input("threads", "0", "must be at least 1");
    customer_predictions out;
    out.names = {"expected_transactions", "probability_alive"};
    if (options.discount_rate) out.names.push_back("dert");
    if (options.alive_at_horizon) out.names.push_back("probability_alive_at_horizon");
    const unsigned pmf_terms = options.pmf ? *options.pmf + 1 : 0;
    for (unsigned n = 0; n < pmf_terms; ++n) out.names.push_back("p_" + std::to_string(n));

    // If-alive values per (x, T): every column but probability_alive, in the order of `names`.
    const detail::frequency_age_groups groups = detail::group_by_frequency_and_age(customers);
    const std::size_t width = out.names.size() - 1;
    std::vector<double> if_alive(groups.size() * width);
    parallel_for_blocks(groups.size(), 16, options.threads, [&](std::size_t begin, std::size_t end, std::size_t) {
        for (std::size_t j = begin; j < end; ++j) {
            const double x = groups.frequency[j], T = groups.T[j];
            const detail::alive_factorisation<Model> future(model, x, T);
            double* v = &if_alive[j * width];
            *v++ = future.expected_if_alive(options.horizon);
            if (options.discount_rate) *v++ = static_cast<double>(model.dert_if_alive(*options.discount_rate, x, T));
            if (options.alive_at_horizon) *v++ = future.alive_at_if_alive(options.horizon);
            for (unsigned n = 0; n < pmf_terms; ++n) *v++ = future.probability_of_n_if_alive(n, options.horizon);
        }
    });
    out.columns.assign(out.names.size(), std::vector<double>(customers.size()));
    const std::size_t pmf_first = out.names.size() - pmf_terms;  // column of p_0
    parallel_for_blocks(customers.size(), detail::scoring_block_size, options.threads,
                        [&](std::size_t begin, std::size_t end, std::size_t) {
        for (std::size_t c = begin; c < end; ++c) {
            const double alive = static_cast<double>(
                model.probability_alive(customers.frequency[c], customers.recency[c], customers.T[c]));
            const double* v = &if_alive[groups.group_of_row[c] * width];
            out.columns[0][c] = alive * v[0];
            out.columns[1][c] = alive;
            for (std::size_t k = 2; k < out.names.size(); ++k)
                out.columns[k][c] = (k == pmf_first ? 1 - alive : 0.0) + alive * v[k - 1];
        }
    });
    return out;
}

}  // namespace clv
