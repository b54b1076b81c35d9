// The repeat-purchase histogram: how many customers made 0, 1, ..., K+ repeat purchases in the
// calibration period, against how many the fitted model expects (FHL 2005, "Counting your customers
// the easy way", figure 1; the same check in lifetimes' plot_period_transactions and BTYD's
// bgnbd.PlotFreqVsConditionalExpectedFrequency companion plots).
#pragma once

#include <clv/analysis/diagnostics_support.hpp>
#include <clv/core/errors.hpp>
#include <clv/data/customer_table.hpp>

#include <boost/math/distributions/chi_squared.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace clv {

/// Customers with `frequency` calibration repeat purchases (the last bucket: that many or more).
struct histogram_bucket {
    std::size_t frequency = 0;
    double observed = 0;  ///< customers observed (sum of row weights)
    double expected = 0;  ///< sum over customers of P(X(T_i) = frequency); last bucket P(X(T_i) >= frequency)
};

/// Observed against expected counts, with Pearson's chi-square goodness-of-fit statistic
/// sum (observed - expected)^2 / expected over the buckets. Degrees of freedom = buckets - 1 - the
/// model's parameters (estimated from the same data); the p-value, P(chi-square(df) > statistic), is
/// given only when df >= 1. Expected counts add up to the number of customers by construction.
struct frequency_histogram {
    std::vector<histogram_bucket> buckets;  ///< frequencies 0, 1, ..., max_frequency (and more)
    double chi_square = 0;
    int degrees_of_freedom = 0;
    std::optional<double> p_value;
};

/// The repeat-purchase histogram of `table` (calibration columns) under `model`: each customer
/// contributes P(X(T_i) = n) for n < K and 1 - sum of those to the last bucket, with X(t) the repeat
/// purchases of a new customer in (0, t] and T_i the customer's age (BG/BB: opportunities).
/// `fitted_parameters` is the number of parameters estimated from these data (for the degrees of
/// freedom; the model's parameter count by default). The model's PMF is evaluated once per distinct T.
template <transaction_model M>
frequency_histogram repeat_purchase_histogram(const M& model, const customer_table& table, std::size_t max_frequency = 7,
                                              std::size_t fitted_parameters = M::parameter_count) {
    validate_max_frequency(max_frequency, "repeat-purchase histogram");
    if (table.empty()) throw invalid_input("", "", "no customers: the table is empty", {"repeat-purchase histogram"});
    frequency_histogram out;
    out.buckets.resize(max_frequency + 1);
    std::map<double, double> customers_by_age;  // T -> customers with that T
    for (std::size_t i = 0; i < table.size(); ++i) {
        const double w = table.weight.empty() ? 1.0 : table.weight[i];
        const double x = table.frequency[i], T = table.T[i];
        for (const auto& [field, value] : {std::pair{"frequency", x}, std::pair{"T", T}})
            if (!(value >= 0) || !std::isfinite(value))
                throw invalid_input(field, to_message_string(value), "must be a finite number >= 0",
                                    {"customer table, row " + std::to_string(i + 1)});
        out.buckets[frequency_bucket(x, max_frequency)].observed += w;
        customers_by_age[T] += w;
    }
    for (const auto& [T, customers] : customers_by_age) {
        double below = 0;
        for (std::size_t n = 0; n < max_frequency; ++n) {
            const double p = static_cast<double>(model.probability_of_n(static_cast<unsigned>(n), T));
            if (!(p >= 0) || !(p <= 1 + 1e-9))
                throw invalid_input("probability_of_n", to_message_string(p), "the model gives no probability here",
                                    {"repeat-purchase histogram, T = " + to_message_string(T)});
            below += p;
            out.buckets[n].expected += customers * p;
        }
        // The tail, 1 - P(X < K); rounding can take the sum a hair above 1.
        out.buckets[max_frequency].expected += customers * std::max(0.0, 1 - below);
    }
    for (std::size_t k = 0; k <= max_frequency; ++k) {
        auto& b = out.buckets[k];
        b.frequency = k;
        const double difference = b.observed - b.expected;
        if (b.expected > 0) {
            out.chi_square += difference * difference / b.expected;
        } else if (b.observed > 0) {
            out.chi_square = std::numeric_limits<double>::infinity();  // observed what the model calls impossible
        }
    }
    out.degrees_of_freedom = static_cast<int>(out.buckets.size()) - 1 - static_cast<int>(fitted_parameters);
    if (out.degrees_of_freedom >= 1 && std::isfinite(out.chi_square)) {
        const boost::math::chi_squared_distribution<double> chi2(out.degrees_of_freedom);
        out.p_value = boost::math::cdf(boost::math::complement(chi2, out.chi_square));
    } else if (out.degrees_of_freedom >= 1) {
        out.p_value = 0.0;
    }
    return out;
}

}  // namespace clv
