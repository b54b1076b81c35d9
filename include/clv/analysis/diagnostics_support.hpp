// What the model diagnostics (analysis/diagnostics.hpp) share: the model concept they ask for,
// frequency buckets and parameter intervals.
#pragma once

#include <clv/core/errors.hpp>

#include <boost/math/distributions/normal.hpp>

#include <cmath>
#include <concepts>
#include <cstddef>
#include <string>
#include <utility>

namespace clv {

/// What the diagnostics ask of a model: the prediction methods BG/NBD, MBG/NBD, Pareto/NBD and
/// BG/BB share (for BG/BB, times are numbers of transaction opportunities). Every argument is a
/// time or count in the model's own unit: t a horizon, (x, t_x, T) a customer's history.
template <class M>
concept transaction_model = requires(const M& m, double t, unsigned n) {
    { m.conditional_expected_transactions(t, t, t, t) } -> std::convertible_to<double>;
    { m.probability_alive(t, t, t) } -> std::convertible_to<double>;
    { m.probability_of_n(n, t) } -> std::convertible_to<double>;
    { m.expected_transactions(t) } -> std::convertible_to<double>;
};

/// The bucket of a customer with `frequency` repeat purchases when the last bucket holds
/// `max_frequency` and more (lifetimes, BTYD and FHL 2005 figure 4 group the same way: 0..7+).
inline std::size_t frequency_bucket(double frequency, std::size_t max_frequency) {
    const double whole = std::floor(frequency);
    return whole >= static_cast<double>(max_frequency) ? max_frequency : static_cast<std::size_t>(whole);
}

/// Throws `invalid_input` unless 1 <= max_frequency <= 1000 (a bucket per frequency up to it).
inline void validate_max_frequency(std::size_t max_frequency, const std::string& where) {
    if (max_frequency < 1 || max_frequency > 1000)
        throw invalid_input("max_frequency", std::to_string(max_frequency), "must be between 1 and 1000", {where});
}

/// A Wald interval for a positive parameter, built on the log scale where the fit works:
/// exp(log(estimate) +- z se / estimate) (delta method: se(log p) = se(p) / p), so both ends stay
/// positive. `level` is the coverage (0.95: z = 1.96). Returns NaNs when `se` is not a finite
/// number >= 0 (no standard error: no interval).
inline std::pair<double, double> log_scale_interval(double estimate, double se, double level = 0.95) {
    if (!(level > 0 && level < 1))
        throw invalid_input("level", to_message_string(level), "a coverage must lie strictly between 0 and 1");
    if (!(estimate > 0) || !std::isfinite(estimate) || !(se >= 0) || !std::isfinite(se))
        return {std::nan(""), std::nan("")};
    const double z = boost::math::quantile(boost::math::normal_distribution<double>(), 0.5 + level / 2);
    const double spread = z * se / estimate;
    return {estimate * std::exp(-spread), estimate * std::exp(spread)};
}

}  // namespace clv
