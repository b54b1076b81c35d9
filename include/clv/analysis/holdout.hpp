// Calibration vs holdout: how well a model fitted on the calibration period predicts each customer's
// holdout transactions (FHL 2005, "Counting your customers the easy way", figure 4 and table 1).
#pragma once

#include <clv/analysis/diagnostics_support.hpp>
#include <clv/core/errors.hpp>
#include <clv/data/customer_table.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <numeric>
#include <string>
#include <vector>

namespace clv {

/// Customers with one calibration frequency (the last bucket: that frequency and more).
struct holdout_bucket {
    std::size_t frequency = 0;   ///< calibration repeat purchases (the last bucket: at least this many)
    double customers = 0;        ///< customers in the bucket (sum of row weights)
    double actual_mean = 0;      ///< mean actual holdout transactions; NaN when the bucket is empty
    double predicted_mean = 0;   ///< mean conditional expectation; NaN when the bucket is empty
};

/// Actual against predicted holdout transactions, over all customers and by calibration frequency.
/// The prediction for a customer is E[X(T, T + d] | x, t_x, T] with d that customer's own holdout
/// duration. Errors are per customer: MAE = mean |predicted - actual|, RMSE = sqrt(mean
/// (predicted - actual)^2), bias = mean (predicted - actual) (positive: the model predicts too many),
/// correlation = Pearson's between actual and predicted (NaN when either is constant).
struct holdout_evaluation {
    double customers = 0;
    double total_actual = 0;
    double total_predicted = 0;
    double mae = 0;
    double rmse = 0;
    double bias = 0;
    double correlation = 0;
    std::vector<holdout_bucket> by_frequency;  ///< frequencies 0, 1, ..., max_frequency (and more)
    std::vector<double> predicted;             ///< per customer, in table order
};

/// Throws `invalid_input` unless `table` has holdout columns of its length with finite values >= 0.
inline void validate_holdout_columns(const customer_table& table, const std::string& source = "customer table") {
    if (!table.has_holdout() || table.duration_holdout.empty())
        throw invalid_input("frequency_holdout", "",
                            "the summary has no holdout columns (frequency_holdout, duration_holdout); build it with "
                            "a calibration end (clv summarize --calibration-end)",
                            {source});
    if (table.frequency_holdout.size() != table.size() || table.duration_holdout.size() != table.size())
        throw invalid_input("frequency_holdout", std::to_string(table.frequency_holdout.size()),
                            "holdout columns of a different length than the table (" + std::to_string(table.size()) + ")",
                            {source});
    for (std::size_t i = 0; i < table.size(); ++i) {
        const source_location where{source + ", row " + std::to_string(i + 1), 0, 0};
        for (const auto& [field, value] : {std::pair{"frequency_holdout", table.frequency_holdout[i]},
                                           std::pair{"duration_holdout", table.duration_holdout[i]}})
            if (!(value >= 0) || !std::isfinite(value))
                throw invalid_input(field, to_message_string(value), "must be a finite number >= 0", where);
    }
}

/// Conditional expected holdout transactions of every customer, each over its own
/// `duration_holdout`, computed once per distinct (x, t_x, T, duration). The model validates each history.
template <transaction_model M>
std::vector<double> predict_holdout(const M& model, const customer_table& table) {
    validate_holdout_columns(table);
    const std::size_t n = table.size();
    auto key = [&](std::size_t i) {
        return std::array<double, 4>{table.frequency[i], table.recency[i], table.T[i], table.duration_holdout[i]};
    };
    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return key(a) < key(b); });
    std::vector<double> predicted(n);
    for (std::size_t k = 0; k < n; ++k) {
        const std::size_t i = order[k];
        if (k > 0 && key(order[k - 1]) == key(i)) {
            predicted[i] = predicted[order[k - 1]];
            continue;
        }
        const auto [x, t_x, T, duration] = key(i);
        predicted[i] = static_cast<double>(model.conditional_expected_transactions(duration, x, t_x, T));
        if (!std::isfinite(predicted[i]) || predicted[i] < 0)
            throw invalid_input("prediction", to_message_string(predicted[i]),
                                "the model gives no finite conditional expectation for this customer",
                                {"customer table, row " + std::to_string(i + 1)});
    }
    return predicted;
}

/// Calibration vs holdout (see `holdout_evaluation`) of a model fitted on the calibration columns of
/// `table`, whose holdout columns hold the actual transactions. Rows weigh their `weight`.
/// Throws `invalid_input` when the table has no holdout columns or `max_frequency` is out of range.
template <transaction_model M>
holdout_evaluation evaluate_holdout(const M& model, const customer_table& table, std::size_t max_frequency = 7) {
    validate_max_frequency(max_frequency, "holdout evaluation");
    holdout_evaluation out;
    out.predicted = predict_holdout(model, table);
    out.by_frequency.resize(max_frequency + 1);
    double sum_abs = 0, sum_sq = 0, sum_a = 0, sum_p = 0, sum_aa = 0, sum_pp = 0, sum_ap = 0;
    for (std::size_t i = 0; i < table.size(); ++i) {
        const double w = table.weight.empty() ? 1.0 : table.weight[i];
        const double actual = table.frequency_holdout[i], predicted = out.predicted[i], error = predicted - actual;
        holdout_bucket& bucket = out.by_frequency[frequency_bucket(table.frequency[i], max_frequency)];
        bucket.customers += w;
        bucket.actual_mean += w * actual;
        bucket.predicted_mean += w * predicted;
        out.customers += w;
        sum_abs += w * std::abs(error);
        sum_sq += w * error * error;
        sum_a += w * actual;
        sum_p += w * predicted;
        sum_aa += w * actual * actual;
        sum_pp += w * predicted * predicted;
        sum_ap += w * actual * predicted;
    }
    for (std::size_t k = 0; k <= max_frequency; ++k) {
        holdout_bucket& bucket = out.by_frequency[k];
        bucket.frequency = k;
        bucket.actual_mean = bucket.customers > 0 ? bucket.actual_mean / bucket.customers : std::nan("");
        bucket.predicted_mean = bucket.customers > 0 ? bucket.predicted_mean / bucket.customers : std::nan("");
    }
    const double n = out.customers;
    out.total_actual = sum_a;
    out.total_predicted = sum_p;
    out.mae = sum_abs / n;
    out.rmse = std::sqrt(sum_sq / n);
    out.bias = (sum_p - sum_a) / n;
    const double cov = sum_ap / n - (sum_a / n) * (sum_p / n);
    const double var_a = sum_aa / n - (sum_a / n) * (sum_a / n), var_p = sum_pp / n - (sum_p / n) * (sum_p / n);
    out.correlation = var_a > 0 && var_p > 0 ? cov / std::sqrt(var_a * var_p) : std::nan("");
    return out;
}

}  // namespace clv
