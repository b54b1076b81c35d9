// The Gamma-Gamma model of spend per transaction (Fader, Hardie & Lee 2005, "RFM and CLV: using
// iso-value curves for customer base analysis", Journal of Marketing Research 42(4), 415-430,
// "FHL 2005b" below; Fader & Hardie 2013, "The Gamma-Gamma model of monetary value", note at
// brucehardie.com/notes/025, "FH 2013" below). See docs/gamma_gamma.md.
//
// Story: a customer's transaction values z_1, z_2, ... are i.i.d. Gamma(p, nu) (shape p, rate nu),
// so the customer's mean spend is E[Z | nu] = p / nu; across customers nu ~ Gamma(q, gamma) (shape q,
// rate gamma), independent of how often the customer buys. The data of a customer is the number of
// repeat transactions x and their mean value m_x: the sum of x Gamma(p, nu) values is Gamma(p x, nu),
// so m_x | nu ~ Gamma(p x, nu x), and nu | m_x, x ~ Gamma(p x + q, gamma + x m_x). Both facts are
// checked by quadrature of the definition in tests/test_gamma_gamma.cpp.
#pragma once

#include <clv/core/concepts.hpp>
#include <clv/core/errors.hpp>
#include <clv/core/math.hpp>
#include <clv/data/customer_table.hpp>
#include <clv/fit/blocked_sum.hpp>
#include <clv/fit/maximum_likelihood.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <numeric>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace clv {

/// Contiguous read-only columns of repeat buyers, what the Gamma-Gamma likelihood streams over:
/// `frequency` = number of repeat transactions x (> 0), `monetary_value` = their mean value m_x
/// (> 0). `weight` may be empty (every row weighs 1).
struct spend_columns {
    std::span<const double> frequency;
    std::span<const double> monetary_value;
    std::span<const double> weight;

    [[nodiscard]] std::size_t size() const noexcept { return frequency.size(); }
    [[nodiscard]] double weight_at(std::size_t i) const noexcept { return weight.empty() ? 1.0 : weight[i]; }
    [[nodiscard]] double total_weight() const noexcept {
        return weight.empty() ? static_cast<double>(frequency.size())
                              : std::accumulate(weight.begin(), weight.end(), 0.0);
    }
};

/// What `repeat_buyers` does with a repeat buyer whose mean spend is 0 or negative (real order
/// exports have $0 orders and refunds): by default it is an error, since dropping customers silently
/// would bias the fit; `exclude` leaves them out and counts them (`spend_data::nonpositive_spend_excluded`).
/// A spend that is not a number (NaN, inf) is an error either way.
enum class nonpositive_spend { error, exclude };

/// The repeat buyers of a customer table in owned columns, and the total weight of the customers
/// left out because they have no repeat transaction (x = 0: their m_x carries no information) or,
/// when asked, because their mean spend is not positive.
struct spend_data {
    std::vector<double> frequency;
    std::vector<double> monetary_value;
    std::vector<double> weight;
    double customers_excluded = 0;           ///< total weight of customers with frequency 0
    double nonpositive_spend_excluded = 0;   ///< total weight of repeat buyers with m_x <= 0 (policy exclude)

    [[nodiscard]] std::size_t size() const noexcept { return frequency.size(); }
    [[nodiscard]] spend_columns columns() const noexcept { return {frequency, monetary_value, weight}; }
};

/// Adds the repeat buyers (frequency > 0) of `table` to `out`. A repeat buyer whose monetary value
/// is not a finite number > 0 is an error naming the row and customer (the model's spends are
/// positive; dropping such a customer silently would bias the fit), unless `policy` is
/// `nonpositive_spend::exclude` and the value is a finite number <= 0: then the customer is left out
/// and counted. A non-finite or negative frequency or a weight that is not positive is an error.
/// `source` and `first_line` name the rows in messages as in `customer_table::validate`
/// (first_line = file line of row 0, 0 for "row N"); for a table that is one chunk of a longer
/// input, `rows_before` counts the rows of the chunks before it, so that "row N" counts from the
/// input's first row.
inline void add_repeat_buyers(spend_data& out, const customer_table& table, const std::string& source = "customer table",
                              std::size_t first_line = 0, nonpositive_spend policy = nonpositive_spend::error,
                              std::size_t rows_before = 0) {
    auto where = [&](std::size_t i) {
        std::string id = i < table.ids.size() && !table.ids[i].empty() ? " (customer '" + table.ids[i] + "')" : "";
        return first_line != 0 ? source_location{source + id, first_line + i, 0}
                               : source_location{source + ", row " + std::to_string(rows_before + i + 1) + id, 0, 0};
    };
    for (std::size_t i = 0; i < table.size(); ++i) {
        const double x = table.frequency[i];
        const double w = table.weight.empty() ? 1.0 : table.weight[i];
        if (!std::isfinite(x) || x < 0)
            throw invalid_input("frequency", to_message_string(x), "must be a finite number >= 0", where(i));
        if (!std::isfinite(w) || w <= 0)
            throw invalid_input("weight", to_message_string(w), "must be positive and finite", where(i));
        if (x == 0) {
            out.customers_excluded += w;
            continue;
        }
        const double m = table.monetary_value.empty() ? 0.0 : table.monetary_value[i];
        if (std::isfinite(m) && m <= 0 && !table.monetary_value.empty() && policy == nonpositive_spend::exclude) {
            out.nonpositive_spend_excluded += w;
            continue;
        }
        if (!std::isfinite(m) || m <= 0)
            throw invalid_input("monetary_value", to_message_string(m),
                                "a repeat buyer (frequency " + to_message_string(x) +
                                    ") must have a mean spend that is a finite number > 0 (does the summary have a "
                                    "monetary value column? $0 orders or refunds: exclude such customers with "
                                    "--exclude-nonpositive-spend, nonpositive_spend::exclude in the library)",
                                where(i));
        out.frequency.push_back(x);
        out.monetary_value.push_back(m);
        out.weight.push_back(w);
    }
}

/// The repeat buyers of `table` in owned columns (see `add_repeat_buyers`).
inline spend_data repeat_buyers(const customer_table& table, const std::string& source = "customer table",
                                std::size_t first_line = 0, nonpositive_spend policy = nonpositive_spend::error) {
    spend_data out;
    add_repeat_buyers(out, table, source, first_line, policy);
    return out;
}

/// Weighted Pearson correlation of frequency and monetary value over `data`: the Gamma-Gamma model
/// assumes spend independent of frequency, and lifetimes' documentation (Quickstart, "The
/// Gamma-Gamma model and the independence assumption") and FH 2013 suggest checking this
/// correlation before using it. 0 when either column does not vary (no association is measurable).
inline double frequency_spend_correlation(const spend_columns& data) {
    double total = 0, mean_x = 0, mean_m = 0;
    for (std::size_t i = 0; i < data.size(); ++i) {
        total += data.weight_at(i);
        mean_x += data.weight_at(i) * data.frequency[i];
        mean_m += data.weight_at(i) * data.monetary_value[i];
    }
    if (!(total > 0)) return 0;
    mean_x /= total;
    mean_m /= total;
    double sxx = 0, smm = 0, sxm = 0;  // centred second pass: no cancellation
    for (std::size_t i = 0; i < data.size(); ++i) {
        const double dx = data.frequency[i] - mean_x, dm = data.monetary_value[i] - mean_m, w = data.weight_at(i);
        sxx += w * dx * dx;
        smm += w * dm * dm;
        sxm += w * dx * dm;
    }
    if (!(sxx > 0) || !(smm > 0)) return 0;
    return std::clamp(sxm / std::sqrt(sxx * smm), -1.0, 1.0);
}

/// The Gamma-Gamma spend model with parameters p (shape of each transaction value), q and gamma
/// (shape and rate of the Gamma distribution of nu across customers). `Real` may be a
/// boost::multiprecision type for everything but `fit`, the summed gradient and `simulate`, which
/// run in double.
template <class Real = double>
class gamma_gamma {
public:
    using real_type = Real;
    struct params {
        Real p, q, gamma;
    };
    static constexpr std::string_view name = "gg";
    static constexpr std::size_t parameter_count = 3;
    static constexpr std::array<std::string_view, 3> parameter_names{"p", "q", "gamma"};

    static std::array<double, 3> to_array(const params& v) {
        return {static_cast<double>(v.p), static_cast<double>(v.q), static_cast<double>(v.gamma)};
    }
    static params from_array(const std::array<double, 3>& v) { return {Real(v[0]), Real(v[1]), Real(v[2])}; }

    /// Throws `invalid_input` naming the first parameter that is not a finite number > 0.
    static void validate(const params& v) {
        const auto values = to_array(v);
        for (std::size_t i = 0; i < parameter_count; ++i)
            if (!(values[i] > 0) || !std::isfinite(values[i]))
                throw invalid_input(std::string(parameter_names[i]), to_message_string(values[i]),
                                    "a model parameter must be a finite number > 0", {std::string(name) + " parameters"});
    }

    explicit gamma_gamma(const params& v) : p_(v) { validate(p_); }
    [[nodiscard]] const params& parameters() const noexcept { return p_; }

    // ---------------------------------------------------------------- likelihood

    /// Log density of the mean spend m_x of x > 0 transactions (FHL 2005b; FH 2013):
    ///   f(m_x | x) = Gamma(p x + q) / (Gamma(p x) Gamma(q)) gamma^q m_x^(p x - 1) x^(p x) / (gamma + x m_x)^(p x + q),
    /// the Gamma(p x, nu x) density of m_x integrated over nu ~ Gamma(q, gamma). Evaluated as
    ///   -log B(p x, q) - log m_x - p x log1p(gamma / s) - q log1p(s / gamma),
    /// s = x m_x, which keeps the large terms p x log(s) and q log(gamma) from cancelling (one
    /// log1p and two logs per row, see row_logs). No validation (hot path).
    static Real log_likelihood(const params& v, const Real& x, const Real& m) {
        using std::log;
        const auto logs = row_logs<Real>::of(x, Real(log(x)), m, v.gamma, Real(log(v.gamma)));
        const Real px = v.p * x;
        return minus_log_beta(px, v.q) - logs.log_m - px * logs.log1p_gamma_s - v.q * logs.log1p_s_gamma;
    }

    /// Log-likelihood of one repeat buyer (frequency > 0, monetary_value > 0); validates the record.
    template <monetary_record R>
    Real log_likelihood(const R& record) const {
        validate_repeat_buyer(static_cast<double>(record.frequency), static_cast<double>(record.monetary_value),
                              {std::string(name) + " record"});
        return log_likelihood(p_, Real(record.frequency), Real(record.monetary_value));
    }

    /// Summed, weighted log-likelihood of columns; validates every row.
    Real log_likelihood(const spend_columns& data) const {
        validate_columns(data);
        if constexpr (std::is_same_v<Real, double>) {
            return summed_log_likelihood(p_, data, nullptr);
        } else {
            Real total = 0;
            for (std::size_t i = 0; i < data.size(); ++i)
                total += Real(data.weight_at(i)) * log_likelihood(p_, Real(data.frequency[i]), Real(data.monetary_value[i]));
            return total;
        }
    }

    /// Summed weighted log-likelihood and its analytic gradient with respect to (log p, log q,
    /// log gamma), for the fitting layer (no validation). Per row, with s = x m_x:
    ///   d/dlog p     = p x [psi(p x + q) - psi(p x) - log1p(gamma / s)]
    ///   d/dlog q     = q [psi(p x + q) - psi(q) - log1p(s / gamma)]
    ///   d/dlog gamma = (q s - p x gamma) / (gamma + s)
    /// On `threads` threads with the same bits for any count (fit::blocked_log_likelihood).
    static double log_likelihood_with_gradient(const params& v, const spend_columns& data,
                                               std::array<double, 3>& gradient, unsigned threads = 1) {
        return summed_log_likelihood(v, data, &gradient, threads);
    }

    /// Starting point of a fit by the method of moments on log m_x, which is robust to the heavy
    /// right tail of spend (moments of m_x^2 are not: on CDNOW the line of m_x^2 against 1/x that
    /// would identify p has a negative slope).
    /// log m_x = log G - log x - log nu with G ~ Gamma(p x, 1), so Var(log m_x | x) =
    /// psi1(p x) + psi1(q) ~ 1/(p x) + psi1(q) and E[log m_x | x] = psi(p x) - log x + log gamma -
    /// psi(q) ~ log p - 1/(2 p x) + log gamma - psi(q). A weighted least-squares line of the squared
    /// deviation of log m_x against 1/x gives p = 1/slope and psi1(q) = intercept (solved with
    /// psi1(q) ~ 1/q + 1/(2 q^2)), then the mean of log m_x gives gamma. On CDNOW: p = 4.5, q = 3.9,
    /// gamma = 23 (the estimate: 6.25, 3.74, 15.44). Where the line is not informative (one
    /// frequency only, slope <= 0) p = 1; p and q are kept in [0.05, 1000].
    static params default_start(const spend_columns& d) {
        double total = 0, mean_log = 0, mean_u = 0;
        for (std::size_t i = 0; i < d.size(); ++i) {
            const double w = d.weight_at(i);
            total += w;
            mean_log += w * std::log(d.monetary_value[i]);
            mean_u += w / d.frequency[i];
        }
        if (!(total > 0) || !std::isfinite(mean_log)) return from_array({1.0, 1.0, 1.0});
        mean_log /= total;
        mean_u /= total;
        double mean_squared = 0;
        for (std::size_t i = 0; i < d.size(); ++i) {
            const double deviation = std::log(d.monetary_value[i]) - mean_log;
            mean_squared += d.weight_at(i) * deviation * deviation / total;
        }
        double suu = 0, suy = 0;
        for (std::size_t i = 0; i < d.size(); ++i) {
            const double w = d.weight_at(i), du = 1 / d.frequency[i] - mean_u;
            const double deviation = std::log(d.monetary_value[i]) - mean_log;
            suu += w * du * du;
            suy += w * du * (deviation * deviation - mean_squared);
        }
        const double slope = suu > 0 ? suy / suu : 0;
        const double p = slope > 0 && std::isfinite(slope) ? std::clamp(1 / slope, 0.05, 1e3) : 1.0;
        const double between = std::max(mean_squared - (slope > 0 ? slope : 0) * mean_u, 1e-3);
        const double q = std::clamp((1 + std::sqrt(1 + 2 * between)) / (2 * between), 0.05, 1e3);
        const double log_gamma = mean_log - std::log(p) + mean_u / (2 * p) + math::digamma(q);
        const double gamma = std::exp(log_gamma);
        return from_array({p, q, gamma > 0 && std::isfinite(gamma) ? gamma : std::exp(mean_log)});
    }
    static double total_weight(const spend_columns& d) { return d.total_weight(); }

    /// Centre of a penalised fit (fit::fit_options::penalty): gamma is in units of money and is
    /// measured against the data's weighted mean spend (so cents and dollars give the same fit);
    /// p and q are dimensionless.
    static std::array<double, 3> penalty_reference(const spend_columns& d) {
        double sum = 0;
        for (std::size_t i = 0; i < d.size(); ++i) sum += d.weight_at(i) * d.monetary_value[i];
        const double mean = sum / d.total_weight();
        return {1.0, 1.0, mean > 0 && std::isfinite(mean) ? mean : 1.0};
    }

    /// Maximum-likelihood fit (clv::fit::maximize_likelihood) on repeat buyers; validates the rows
    /// first. `fit_gamma_gamma` below selects the repeat buyers of a customer table.
    static fit::fit_result<gamma_gamma> fit(const spend_columns& data, const fit::fit_options& options = {}) {
        validate_columns(data);
        if (data.size() == 0)
            throw invalid_input("frequency", "", "no repeat buyers (frequency > 0) to fit the spend model on",
                                {std::string(name) + " fit"});
        return fit::maximize_likelihood<gamma_gamma>(data, options);
    }

    // ---------------------------------------------------------------- predictions

    /// Population mean spend per transaction, E[Z] = E[p / nu] = p gamma / (q - 1) (FHL 2005b;
    /// FH 2013): the expected spend of a customer without repeat transactions, about whom the
    /// model knows nothing individual. Infinite when q <= 1 (E[1/nu] diverges): throws then.
    Real expected_spend() const { return conditional_expected_spend(Real(0), Real(0)); }

    /// E[Z | x, m_x] = p (gamma + x m_x) / (p x + q - 1) (FHL 2005b; FH 2013), the posterior mean of
    /// p / nu with nu | x, m_x ~ Gamma(p x + q, gamma + x m_x). A weighted average of the population
    /// mean and the customer's own m_x, with weight on m_x growing with x. x = 0 gives the
    /// population mean (m_x is then ignored). m_x = 0 with x > 0 (free repeat orders: such
    /// customers are left out of the fit by `nonpositive_spend::exclude`) gives the limit m_x -> 0,
    /// p gamma / (p x + q - 1). Throws `invalid_input` for x < 0, non-finite values, m_x < 0 when
    /// x > 0, and when p x + q <= 1 (the posterior mean is infinite; for x = 0 this is q <= 1).
    Real conditional_expected_spend(const Real& x, const Real& m) const {
        const double xd = static_cast<double>(x), md = static_cast<double>(m);
        const Real denominator = (p_.q - 1) + p_.p * x;  // q - 1 first: exact near q = 1
        // One cheap test on the hot path (batch scoring); the message is built only on failure.
        if (!(std::isfinite(xd) && xd >= 0 && (xd == 0 || (std::isfinite(md) && md >= 0)) && denominator > 0)) {
            const source_location where{std::string(name) + " prediction"};
            if (!std::isfinite(xd) || xd < 0)
                throw invalid_input("frequency", to_message_string(xd), "must be a finite number >= 0", where);
            if (xd > 0 && !(std::isfinite(md) && md >= 0)) validate_repeat_buyer(xd, md, where);
            throw invalid_input("q", to_message_string(static_cast<double>(p_.q)),
                                "the expected spend is infinite when p x + q <= 1 (for a customer without repeat "
                                "purchases, when q <= 1): p x + q = " +
                                    to_message_string(static_cast<double>(p_.p * x + p_.q)),
                                where);
        }
        return xd > 0 ? Real(p_.p * (p_.gamma + x * m) / denominator) : Real(p_.p * p_.gamma / denominator);
    }
    template <monetary_record R>
    Real conditional_expected_spend(const R& record) const {
        return conditional_expected_spend(Real(record.frequency), Real(record.monetary_value));
    }

    // ---------------------------------------------------------------- simulation

    /// For each entry x of `frequency` (a whole number >= 0): draws nu ~ Gamma(q, gamma), then x
    /// spends z ~ Gamma(p, nu), and returns their mean m_x (0 when x = 0), e.g. to give a table
    /// simulated by a transaction model its monetary values.
    template <class Rng>
    std::vector<double> simulate(std::span<const double> frequency, Rng& rng) const {
        for (std::size_t i = 0; i < frequency.size(); ++i)
            if (!(frequency[i] >= 0) || !std::isfinite(frequency[i]) || frequency[i] != std::floor(frequency[i]))
                throw invalid_input("frequency", to_message_string(frequency[i]), "must be a whole number >= 0",
                                    {"simulate, customer " + std::to_string(i + 1)});
        const auto v = to_array(p_);
        std::gamma_distribution<double> nu_dist(v[1], 1.0 / v[2]);
        std::vector<double> mean_spend(frequency.size(), 0.0);
        for (std::size_t i = 0; i < frequency.size(); ++i) {
            const double nu = nu_dist(rng);  // drawn for every customer, so streams do not depend on x
            if (frequency[i] == 0) continue;
            std::gamma_distribution<double> spend(v[0], 1.0 / nu);
            double sum = 0;
            for (double k = 0; k < frequency[i]; ++k) sum += spend(rng);
            mean_spend[i] = sum / frequency[i];
        }
        return mean_spend;
    }

private:
    params p_;

    /// -log B(a, b) = log Gamma(a + b) - log Gamma(a) - log Gamma(b), as the Gamma ratio over the
    /// larger argument: log Gamma(a + b) - log Gamma(b) would cancel for a << b (e.g. q = 1000,
    /// p x = 0.001 loses three digits), and math::log_gamma_ratio is careful with large arguments.
    template <class T>
    static T minus_log_beta(const T& a, const T& b) {
        return a < b ? T(math::log_gamma_ratio(b, a) - math::lgamma(a)) : T(math::log_gamma_ratio(a, b) - math::lgamma(b));
    }

    /// The logarithms of one row: log m_x, log1p(gamma / s) and log1p(s / gamma) with s = x m_x.
    /// One log1p, of the ratio below 1; the other is it plus |log(s / gamma)| (a sum of
    /// non-negative terms, so nothing cancels), and log(s / gamma) = log x + log m_x - log gamma
    /// reuses log m_x: two logarithms per row instead of three (the hot loop's cost).
    template <class T>
    struct row_logs {
        T log_m, log1p_gamma_s, log1p_s_gamma;
        static row_logs of(const T& x, const T& log_x, const T& m, const T& gamma, const T& log_gamma) {
            using std::log;
            row_logs r;
            r.log_m = log(m);
            const T s = x * m, log_ratio = log_x + r.log_m - log_gamma;
            if (s <= gamma) {
                r.log1p_s_gamma = math::log1p(T(s / gamma));
                r.log1p_gamma_s = r.log1p_s_gamma - log_ratio;
            } else {
                r.log1p_gamma_s = math::log1p(T(gamma / s));
                r.log1p_s_gamma = r.log1p_gamma_s + log_ratio;
            }
            return r;
        }
    };

    /// The frequency-only terms of one row: -log B(p x, q), psi(p x + q) - psi(p x),
    /// psi(p x + q) - psi(q) and log x.
    struct frequency_terms {
        double minus_log_beta = 0, digamma_px = 0, digamma_q = 0, log_x = 0;
    };

    /// The summed log-likelihood (and gradient when `gradient` is not null) in one pass over the
    /// rows, in fixed blocks on `threads` threads (fit::blocked_log_likelihood). Frequencies are
    /// small whole numbers in practice, so the terms that depend on x only are computed once per
    /// distinct x below `cached_frequencies` in each block (lgamma and digamma dominate; a block
    /// of 2,048 rows holds a few dozen distinct x).
    static double summed_log_likelihood(const params& v, const spend_columns& d, std::array<double, 3>* gradient,
                                        unsigned threads = 1) {
        constexpr std::size_t cached_frequencies = 256;
        const auto a = to_array(v);
        const double p = a[0], q = a[1], gamma = a[2], log_gamma = std::log(gamma);
        const bool with_gradient = gradient != nullptr;
        auto terms_of = [&](double x) {
            const double px = p * x;
            frequency_terms t;
            t.minus_log_beta = minus_log_beta<double>(px, q);
            t.log_x = std::log(x);
            if (with_gradient) {
                t.digamma_px = math::digamma_difference(px, q);
                t.digamma_q = math::digamma_difference(q, px);
            }
            return t;
        };
        return fit::blocked_log_likelihood<3>(
            d.size(), threads, gradient, [&](std::size_t begin, std::size_t end, std::array<double, 3>& g) {
                std::array<frequency_terms, cached_frequencies> cache;
                std::array<bool, cached_frequencies> cached{};
                double ll = 0, gp = 0, gq = 0, gg = 0;
                for (std::size_t i = begin; i < end; ++i) {
                    const double x = d.frequency[i], m = d.monetary_value[i], w = d.weight_at(i);
                    frequency_terms t;
                    if (x >= 0 && x < static_cast<double>(cached_frequencies) && x == std::floor(x)) {
                        const auto k = static_cast<std::size_t>(x);
                        if (!cached[k]) {
                            cache[k] = terms_of(x);
                            cached[k] = true;
                        }
                        t = cache[k];
                    } else {
                        t = terms_of(x);
                    }
                    const double px = p * x, s = x * m;
                    const auto logs = row_logs<double>::of(x, t.log_x, m, gamma, log_gamma);
                    ll += w * (t.minus_log_beta - logs.log_m - px * logs.log1p_gamma_s - q * logs.log1p_s_gamma);
                    if (with_gradient) {
                        gp += w * px * (t.digamma_px - logs.log1p_gamma_s);
                        gq += w * q * (t.digamma_q - logs.log1p_s_gamma);
                        gg += w * (q * s - px * gamma) / (gamma + s);
                    }
                }
                g = {gp, gq, gg};
                return ll;
            });
    }

    static void validate_repeat_buyer(double x, double m, const source_location& where) {
        if (!std::isfinite(x) || !(x > 0))
            throw invalid_input("frequency", to_message_string(x),
                                "the spend model needs a repeat buyer: frequency must be a finite number > 0", where);
        if (!std::isfinite(m) || !(m > 0))
            throw invalid_input("monetary_value", to_message_string(m),
                                "the mean spend of a repeat buyer must be a finite number > 0", where);
    }
    static void validate_columns(const spend_columns& data) {
        if (data.monetary_value.size() != data.size() || (!data.weight.empty() && data.weight.size() != data.size()))
            throw invalid_input("", std::to_string(data.size()), "columns of different lengths", {"spend columns"});
        for (std::size_t i = 0; i < data.size(); ++i) {
            const source_location where{"spend columns, row " + std::to_string(i + 1), 0, 0};
            validate_repeat_buyer(data.frequency[i], data.monetary_value[i], where);
            if (!data.weight.empty() && (!(data.weight[i] > 0) || !std::isfinite(data.weight[i])))
                throw invalid_input("weight", to_message_string(data.weight[i]), "must be a positive finite number", where);
        }
    }
};

/// |correlation| of frequency and spend among repeat buyers above which `fit_gamma_gamma` warns.
/// A rule of thumb, not a test: the model's independence assumption is questionable when frequency
/// explains more than ~10 % of the variance of mean spend (r^2 = 0.09); see docs/gamma_gamma.md.
inline constexpr double frequency_spend_correlation_threshold = 0.3;

/// A Gamma-Gamma fit on the repeat buyers of a customer table, with what the program reports
/// beside the parameters.
struct gamma_gamma_fit {
    fit::fit_result<gamma_gamma<double>> fit;
    double customers_excluded = 0;           ///< total weight of customers with frequency 0
    double nonpositive_spend_excluded = 0;   ///< total weight of repeat buyers left out for m_x <= 0
    double frequency_spend_correlation = 0;  ///< weighted Pearson correlation of x and m_x, repeat buyers
    bool correlation_warning = false;        ///< |correlation| > frequency_spend_correlation_threshold
};

/// Fits the Gamma-Gamma model to repeat buyers selected by `repeat_buyers` / `add_repeat_buyers`
/// (for an input read in chunks) and reports the customers excluded and the frequency-spend
/// correlation the model assumes to be zero; `source` names the input in messages.
inline gamma_gamma_fit fit_gamma_gamma(const spend_data& data, const fit::fit_options& options = {},
                                       const std::string& source = "customer table") {
    if (data.size() == 0)
        throw invalid_input("frequency", "", "no repeat buyers (frequency > 0) to fit the spend model on", {source});
    gamma_gamma_fit out;
    out.fit = gamma_gamma<double>::fit(data.columns(), options);
    out.customers_excluded = data.customers_excluded;
    out.nonpositive_spend_excluded = data.nonpositive_spend_excluded;
    out.frequency_spend_correlation = frequency_spend_correlation(data.columns());
    out.correlation_warning = std::abs(out.frequency_spend_correlation) > frequency_spend_correlation_threshold;
    return out;
}

/// Fits the Gamma-Gamma model to the repeat buyers of `table` (see `add_repeat_buyers` for what is
/// selected and what is an error; `source`/`first_line` name rows in messages).
inline gamma_gamma_fit fit_gamma_gamma(const customer_table& table, const fit::fit_options& options = {},
                                       const std::string& source = "customer table", std::size_t first_line = 0,
                                       nonpositive_spend policy = nonpositive_spend::error) {
    return fit_gamma_gamma(repeat_buyers(table, source, first_line, policy), options, source);
}

}  // namespace clv
