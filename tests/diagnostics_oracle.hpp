// Independent BG/NBD formulas for the diagnostics tests, written from the papers with their own
// Gauss series for 2F1, so the library's diagnostics are checked against numbers it did not compute.
#pragma once

#include <clv/data/customer_table.hpp>

#include "test_support.hpp"

#include <cmath>
#include <filesystem>

namespace clv_oracle {

struct bgnbd_params {
    double r, alpha, a, b;
};

/// FHL (2005) estimates on CDNOW (REFERENCES.md).
inline constexpr bgnbd_params fhl_cdnow{0.243, 4.414, 0.793, 2.426};

/// Gauss hypergeometric series 2F1(A, B; C; z), 0 <= z < 1, summed until the terms vanish.
inline double hypergeometric_2f1(double A, double B, double C, double z) {
    double sum = 1, term = 1;
    for (int k = 0; k < 100000 && std::abs(term) > 1e-17 * std::abs(sum); ++k) {
        term *= (A + k) * (B + k) / ((C + k) * (k + 1)) * z;
        sum += term;
    }
    return sum;
}

/// E[X(t)] of a new customer, FHL 2005 eq. 9.
inline double expected_transactions(const bgnbd_params& p, double t) {
    const double z = t / (p.alpha + t);
    return (p.a + p.b - 1) / (p.a - 1) *
           (1 - std::pow(p.alpha / (p.alpha + t), p.r) * hypergeometric_2f1(p.r, p.b, p.a + p.b - 1, z));
}

/// P(alive | x, t_x, T), FHL 2008 note "Computing P(alive) using the BG/NBD model", eq. 2.
inline double probability_alive(const bgnbd_params& p, double x, double t_x, double T) {
    if (x == 0) return 1;
    return 1 / (1 + p.a / (p.b + x - 1) * std::pow((p.alpha + T) / (p.alpha + t_x), p.r + x));
}

/// E[X(T, T+t] | x, t_x, T], FHL 2005 eq. 10.
inline double conditional_expectation(const bgnbd_params& p, double t, double x, double t_x, double T) {
    const double lead = (p.a + p.b + x - 1) / (p.a - 1) *
                        (1 - std::pow((p.alpha + T) / (p.alpha + T + t), p.r + x) *
                                 hypergeometric_2f1(p.r + x, p.b + x, p.a + p.b + x - 1, t / (p.alpha + T + t)));
    const double denominator = x > 0 ? 1 + p.a / (p.b + x - 1) * std::pow((p.alpha + T) / (p.alpha + t_x), p.r + x) : 1;
    return lead / denominator;
}

/// P(X(t) = 0) and P(X(t) = 1) of a new customer, FHL 2005 eq. 8 written out for x = 0, 1:
/// P(0) = (alpha/(alpha+t))^r; P(1) = b/(a+b) r (alpha/(alpha+t))^r t/(alpha+t) + a/(a+b) [1 - (alpha/(alpha+t))^r].
inline double probability_of_zero(const bgnbd_params& p, double t) { return std::pow(p.alpha / (p.alpha + t), p.r); }
inline double probability_of_one(const bgnbd_params& p, double t) {
    const double q = std::pow(p.alpha / (p.alpha + t), p.r);
    return p.b / (p.a + p.b) * p.r * q * t / (p.alpha + t) + p.a / (p.a + p.b) * (1 - q);
}

/// BTYD's CDNOW calibration summary (cdnow_btyd_cbs.csv: cust,x,t.x,T.cal,x.star,m.x, weeks at full
/// precision) as a table with holdout columns: x.star over the 39-week holdout (weeks 40-78).
inline clv::customer_table read_cdnow_calibration_holdout(const std::filesystem::path& path) {
    clv::customer_table table;
    for (const auto& row : clv_test::read_numeric_csv(path)) {
        table.push_back(std::to_string(static_cast<long>(row.at(0))), {row.at(1), row.at(2), row.at(3), row.at(5), 1.0});
        table.frequency_holdout.push_back(row.at(4));
        table.monetary_value_holdout.push_back(0);
        table.duration_holdout.push_back(39.0);
    }
    return table;
}

}  // namespace clv_oracle
