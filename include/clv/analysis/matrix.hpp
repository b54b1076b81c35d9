// The frequency x recency grid of a fitted model: P(alive) or the conditional expected transactions
// for every history (x, t_x) at one customer age T (FHL 2005 "RFM and CLV: using iso-value curves",
// figures 2 and 3; lifetimes' plot_probability_alive_matrix and plot_frequency_recency_matrix).
#pragma once

#include <clv/analysis/diagnostics_support.hpp>
#include <clv/core/errors.hpp>

#include <cmath>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace clv {

/// What a cell of the grid holds.
enum class matrix_quantity {
    probability_alive,      ///< P(alive at T | x, t_x, T)
    expected_transactions,  ///< E[X(T, T + horizon] | x, t_x, T]
};

/// Parses "probability_alive" or "expected_transactions"; throws `invalid_input` otherwise.
inline matrix_quantity parse_matrix_quantity(std::string_view text) {
    if (text == "probability_alive") return matrix_quantity::probability_alive;
    if (text == "expected_transactions") return matrix_quantity::expected_transactions;
    throw invalid_input("quantity", std::string(text), "expected probability_alive or expected_transactions");
}

/// values[f][j] is the quantity for frequency frequencies[f] and recency recencies[j]. A cell whose
/// history is impossible (frequency 0 with recency > 0, or one the model rejects, e.g. BG/BB's
/// recency below the frequency) is NaN: there is no such customer.
struct frequency_recency_matrix {
    matrix_quantity quantity = matrix_quantity::probability_alive;
    double T = 0;
    double horizon = 0;
    std::vector<double> frequencies;
    std::vector<double> recencies;
    std::vector<std::vector<double>> values;
};

/// The grid for frequencies 0..max_frequency and recencies 0, step, 2 step, ... up to T (and T
/// itself), at customer age T; `horizon` is used for `expected_transactions` only.
template <transaction_model M>
frequency_recency_matrix make_frequency_recency_matrix(const M& model, matrix_quantity quantity, double T,
                                                       double horizon = 1, std::size_t max_frequency = 20,
                                                       double recency_step = 1) {
    const source_location where{"frequency-recency matrix"};
    if (!(T > 0) || !std::isfinite(T)) throw invalid_input("T", to_message_string(T), "must be a finite number > 0", where);
    if (!(horizon >= 0) || !std::isfinite(horizon))
        throw invalid_input("horizon", to_message_string(horizon), "must be a finite number >= 0", where);
    if (!(recency_step > 0) || !std::isfinite(recency_step) || T / recency_step > 10000)
        throw invalid_input("recency_step", to_message_string(recency_step),
                            "must be a finite number > 0 giving at most 10000 recencies up to T", where);
    validate_max_frequency(max_frequency, "frequency-recency matrix");
    frequency_recency_matrix out;
    out.quantity = quantity;
    out.T = T;
    out.horizon = horizon;
    for (std::size_t j = 0; static_cast<double>(j) * recency_step < T * (1 - 1e-12); ++j)
        out.recencies.push_back(static_cast<double>(j) * recency_step);
    out.recencies.push_back(T);
    for (std::size_t f = 0; f <= max_frequency; ++f) {
        const double x = static_cast<double>(f);
        out.frequencies.push_back(x);
        auto& row = out.values.emplace_back(out.recencies.size(), std::nan(""));
        for (std::size_t j = 0; j < out.recencies.size(); ++j) {
            const double t_x = out.recencies[j];
            if (f == 0 && t_x != 0) continue;
            try {
                row[j] = static_cast<double>(quantity == matrix_quantity::probability_alive
                                                 ? model.probability_alive(x, t_x, T)
                                                 : model.conditional_expected_transactions(horizon, x, t_x, T));
            } catch (const invalid_input&) {
                // Not a history this model allows (e.g. BG/BB needs recency >= frequency): left empty.
            }
        }
    }
    return out;
}

}  // namespace clv
