// A synthetic transaction log from the buy-till-you-die story (Fader, Hardie & Lee 2005): each
// customer buys at Poisson rate lambda ~ Gamma(r, alpha) and drops out after any repeat purchase
// with probability p ~ Beta(a, b); order values follow the Gamma-Gamma spend model (Fader, Hardie
// & Lee 2005, "RFM and CLV"): z ~ Gamma(p, nu) with nu ~ Gamma(q, gamma). Used for the demo data
// and for end-to-end tests of summarising, where the truth is known.
#pragma once

#include <clv/core/errors.hpp>

#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace clv {

/// One purchase: customer, day number (days since 1970-01-01) and amount.
struct simulated_transaction {
    std::string customer_id;
    std::int64_t day;
    double amount;
};

/// Settings of `simulate_transaction_log`. Rates are per `time_unit_days` (7: weekly, as CDNOW).
struct transaction_log_settings {
    std::size_t customers = 1000;
    std::int64_t first_day = 0;         ///< first possible acquisition day
    std::int64_t acquisition_days = 90; ///< acquisitions spread uniformly over this many days
    std::int64_t end_day = 546;         ///< last day of the log (inclusive)
    double time_unit_days = 7;
    double r = 0.243, alpha = 4.414, a = 0.793, b = 2.426;  ///< BG/NBD purchase process (per unit)
    double spend_p = 6.25, spend_q = 3.74, spend_gamma = 15.44;  ///< Gamma-Gamma spend
    std::uint64_t seed = 42;

    void validate() const {
        for (double v : {r, alpha, a, b, spend_p, spend_q, spend_gamma, time_unit_days})
            if (!(v > 0) || !std::isfinite(v))
                throw invalid_input("transaction_log_settings", to_message_string(v), "parameters must be finite and > 0");
        if (customers == 0) throw invalid_input("customers", "0", "need at least one customer");
        if (acquisition_days <= 0 || end_day < first_day + acquisition_days)
            throw invalid_input("end_day", std::to_string(end_day), "the log must end after the acquisition window");
    }
};

/// Simulates the purchases of `settings.customers` customers, in time order per customer.
/// Deterministic for a given seed (std::mt19937_64 and the standard distributions of the build's
/// standard library).
inline std::vector<simulated_transaction> simulate_transaction_log(const transaction_log_settings& settings) {
    settings.validate();
    std::mt19937_64 rng(settings.seed);
    std::uniform_int_distribution<std::int64_t> acquisition(settings.first_day,
                                                            settings.first_day + settings.acquisition_days - 1);
    std::gamma_distribution<double> lambda_draw(settings.r, 1.0 / settings.alpha);
    std::gamma_distribution<double> beta_a(settings.a, 1.0), beta_b(settings.b, 1.0);
    std::gamma_distribution<double> nu_draw(settings.spend_q, 1.0 / settings.spend_gamma);
    std::uniform_real_distribution<double> uniform(0.0, 1.0);
    std::vector<simulated_transaction> log;
    for (std::size_t c = 0; c < settings.customers; ++c) {
        const std::string id = "C" + std::to_string(100000 + c);
        const std::int64_t start = acquisition(rng);
        const double lambda = lambda_draw(rng);
        const double x = beta_a(rng), y = beta_b(rng);
        const double p = x / (x + y);
        const double nu = nu_draw(rng);
        std::gamma_distribution<double> amount(settings.spend_p, 1.0 / nu);
        auto spend = [&] { return std::round(amount(rng) * 100) / 100; };
        log.push_back({id, start, spend()});
        if (!(lambda > 0)) continue;
        std::exponential_distribution<double> gap(lambda);
        double t = 0;  // in time units since the first purchase
        const double horizon = static_cast<double>(settings.end_day - start) / settings.time_unit_days;
        for (;;) {
            t += gap(rng);
            if (t > horizon) break;
            const auto day = start + static_cast<std::int64_t>(std::floor(t * settings.time_unit_days));
            log.push_back({id, day, spend()});
            if (uniform(rng) < p) break;  // drops out after this purchase
        }
    }
    return log;
}

}  // namespace clv
