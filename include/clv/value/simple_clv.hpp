// Simple CLV, the practitioner's back-of-the-envelope value, as a special case of
// `lifetime_value`: constant order value x constant purchase rate x fixed lifetime (or constant
// retention), with an optional gross margin and discount rate. See docs/models.md, "Simple CLV".
#pragma once

#include <clv/data/customer_table.hpp>
#include <clv/value/lifetime_value.hpp>

#include <cmath>
#include <string>
#include <vector>

namespace clv {

/// value = average order value x purchases per year x lifetime in years x gross margin, with
/// yearly cash flows discounted at `yearly_discount_rate` (received at the end of each year; a
/// partial last year counts with its fraction). With no discount this is the plain product,
/// e.g. 50 x 4 x 3 = 600 (MISSION.md's table of industry figures).
inline double simple_clv(double average_order_value, double purchases_per_year, double lifetime_years,
                         double gross_margin = 1.0, double yearly_discount_rate = 0.0) {
    return lifetime_value(constant_spend(average_order_value), constant_rate(purchases_per_year),
                          fixed_lifetime(lifetime_years), discounting{yearly_discount_rate}, gross_margin);
}

/// Retention-based value of Gupta & Lehmann (2003): margin m per period, retention r, discount d.
/// Margins at the end of periods: m r / (1 + d - r); at the start: m (1 + d) / (1 + d - r);
/// `horizon` > 0 sums only that many periods (the finite-horizon form).
inline double retention_clv(double margin_per_period, double retention, double discount_rate,
                            margin_timing timing = margin_timing::end, std::size_t horizon = 0) {
    return discounted_margin(margin_per_period, constant_retention(retention),
                             discounting{discount_rate, timing, horizon});
}

/// Simple CLV of every customer of a summary from their own history: their own average order
/// value (`monetary_value`, the mean of their repeat purchases) and purchase rate
/// (`frequency / T` repeat purchases per time unit, times `units_per_year`). Customers observed
/// for no time (T = 0) have no measurable rate and get 0.
inline std::vector<double> simple_clv_per_customer(const customer_table& customers, double units_per_year,
                                                   double lifetime_years, double gross_margin = 1.0,
                                                   double yearly_discount_rate = 0.0) {
    detail::require_finite_at_least("units per year", units_per_year, 0, true);
    customers.validate();
    std::vector<double> values(customers.size());
    const fixed_lifetime lifetime(lifetime_years);
    const discounting discount{yearly_discount_rate};
    for (std::size_t i = 0; i < customers.size(); ++i) {
        const double rate = customers.T[i] > 0 ? customers.frequency[i] / customers.T[i] * units_per_year : 0.0;
        values[i] = lifetime_value(constant_spend(customers.monetary_value[i]), constant_rate(rate), lifetime,
                                   discount, gross_margin);
    }
    return values;
}

}  // namespace clv
