// The repeat-purchase histogram (analysis/histogram.hpp): expected counts of a Poisson toy model and
// of BG/NBD and BG/BB against their closed forms, counts that add up to the customers, and the chi-square
// statistic and p-value against their definitions.
#include <clv/analysis/histogram.hpp>
#include <clv/models/bg_bb.hpp>
#include <clv/models/bg_nbd.hpp>
#include <clv/models/pareto_nbd.hpp>

#include "diagnostics_oracle.hpp"
#include "test_support.hpp"

#include <cmath>
#include <vector>

namespace {

// X(t) ~ Poisson(lambda t).
struct poisson_model {
    static constexpr std::size_t parameter_count = 1;
    double lambda = 0.4;
    double probability_of_n(unsigned n, double t) const {
        return std::exp(-lambda * t + n * std::log(lambda * t) - std::lgamma(n + 1.0));
    }
    double conditional_expected_transactions(double t, double, double, double) const { return lambda * t; }
    double probability_alive(double, double, double) const { return 1; }
    double expected_transactions(double t) const { return lambda * t; }
};

}  // namespace

TEST_CASE("histogram: Poisson expected counts, chi-square and its p-value by hand") {
    clv::customer_table table;
    const double x[] = {0, 0, 1, 2, 2, 5, 7}, T[] = {2, 3, 3, 4, 5, 6, 6};
    for (int i = 0; i < 7; ++i) table.push_back("", {x[i], x[i] > 0 ? 1.0 : 0.0, T[i], 0, 1});
    table.weight[6] = 2;  // the last row stands for two customers
    const poisson_model model;
    const auto h = clv::repeat_purchase_histogram(model, table, 3);
    REQUIRE(h.buckets.size() == 4);
    const double observed[] = {2, 1, 2, 3};
    double chi_square = 0, total = 0;
    for (unsigned n = 0; n <= 3; ++n) {
        double expected = 0;
        for (int i = 0; i < 7; ++i) {
            const double w = i == 6 ? 2 : 1, m = 0.4 * T[i];
            double below = 0;
            for (unsigned j = 0; j < 3; ++j) below += std::exp(-m) * std::pow(m, j) / std::tgamma(j + 1.0);
            expected += w * (n < 3 ? std::exp(-m) * std::pow(m, n) / std::tgamma(n + 1.0) : 1 - below);
        }
        CAPTURE(n);
        CHECK(h.buckets[n].frequency == n);
        CHECK(h.buckets[n].observed == observed[n]);
        CHECK(h.buckets[n].expected == doctest::Approx(expected).epsilon(1e-12));
        chi_square += (observed[n] - expected) * (observed[n] - expected) / expected;
        total += h.buckets[n].expected;
    }
    CHECK(total == doctest::Approx(8).epsilon(1e-12));
    CHECK(h.chi_square == doctest::Approx(chi_square).epsilon(1e-12));
    REQUIRE(h.degrees_of_freedom == 2);  // 4 buckets - 1 - 1 parameter
    REQUIRE(h.p_value.has_value());
    CHECK(*h.p_value == doctest::Approx(std::exp(-chi_square / 2)).epsilon(1e-12));  // chi-square(2) survival
    // Too few buckets for the parameters: no p-value rather than a made-up one.
    CHECK_FALSE(clv::repeat_purchase_histogram(model, table, 1).p_value.has_value());
    CHECK_THROWS_AS(clv::repeat_purchase_histogram(model, clv::customer_table{}, 3), clv::invalid_input);
    CHECK_THROWS_AS(clv::repeat_purchase_histogram(model, table, 0), clv::invalid_input);
}

TEST_CASE("CDNOW: BG/NBD histogram counts add up and match FHL 2005 eq. 8 for 0 and 1") {
    const auto path = clv_test::shared_data("cdnow/cdnow_btyd_cbs.csv");
    if (!path) return;
    const auto table = clv_oracle::read_cdnow_calibration_holdout(*path);
    const auto& p = clv_oracle::fhl_cdnow;
    const auto h = clv::repeat_purchase_histogram(clv::bg_nbd<>({p.r, p.alpha, p.a, p.b}), table);
    REQUIRE(h.buckets.size() == 8);
    double zero = 0, one = 0, observed = 0, expected = 0, repeat_buyers = 0;
    for (std::size_t i = 0; i < table.size(); ++i) {
        zero += clv_oracle::probability_of_zero(p, table.T[i]);
        one += clv_oracle::probability_of_one(p, table.T[i]);
        repeat_buyers += table.frequency[i] > 0;
    }
    for (const auto& b : h.buckets) {
        observed += b.observed;
        expected += b.expected;
        MESSAGE(b.frequency << ": observed " << b.observed << ", expected " << b.expected);
    }
    CHECK(observed == 2357);
    CHECK(expected == doctest::Approx(2357).epsilon(1e-12));
    CHECK(2357 - h.buckets[0].observed == repeat_buyers);  // data/README.md: 946 repeat buyers
    CHECK(repeat_buyers == 946);
    CHECK(h.buckets[0].expected == doctest::Approx(zero).epsilon(1e-10));
    CHECK(h.buckets[1].expected == doctest::Approx(one).epsilon(1e-10));
    CHECK(h.degrees_of_freedom == 3);
    MESSAGE("chi-square " << h.chi_square << " on " << h.degrees_of_freedom << " df, p = " << h.p_value.value_or(-1));
    // Pareto/NBD on the same customers: the counts add up as well.
    const auto pnbd = clv::repeat_purchase_histogram(clv::pareto_nbd<>({0.553, 10.578, 0.606, 11.669}), table);
    double pnbd_expected = 0;
    for (const auto& b : pnbd.buckets) pnbd_expected += b.expected;
    CHECK(pnbd_expected == doctest::Approx(2357).epsilon(1e-9));
}

namespace {

double log_beta(double a, double b) { return std::lgamma(a) + std::lgamma(b) - std::lgamma(a + b); }

// BG/BB P(X(n) = x) (Fader, Hardie & Shang 2010, eq. 7): alive through all n opportunities, or
// alive through i (x <= i < n) and dropped out before opportunity i + 1.
double bgbb_probability(double alpha, double beta, double gamma, double delta, unsigned x, unsigned n) {
    auto choose = [](unsigned m, unsigned k) { return std::exp(std::lgamma(m + 1.0) - std::lgamma(k + 1.0) - std::lgamma(m - k + 1.0)); };
    double p = choose(n, x) * std::exp(log_beta(alpha + x, beta + n - x) - log_beta(alpha, beta) +
                                       log_beta(gamma, delta + n) - log_beta(gamma, delta));
    for (unsigned i = x; i < n; ++i)
        p += choose(i, x) * std::exp(log_beta(alpha + x, beta + i - x) - log_beta(alpha, beta) +
                                     log_beta(gamma + 1, delta + i) - log_beta(gamma, delta));
    return p;
}

}  // namespace

TEST_CASE("donations: BG/BB histogram expected counts equal FHS 2010 eq. 7 and add up to 11,104 donors") {
    const auto path = clv_test::shared_data("donations/donations.csv");
    if (!path) return;
    clv::io::summary_csv_options columns;
    columns.customer_column_optional = true;
    columns.T_column = "periods";
    columns.weight_column = "weights";
    const auto table = clv::io::read_summary_csv(*path, columns);
    const double alpha = 1.204, beta = 0.750, gamma = 0.657, delta = 2.783;  // FHS 2010 (REFERENCES.md)
    const auto h = clv::repeat_purchase_histogram(clv::bg_bb<>({alpha, beta, gamma, delta}), table, 6);
    REQUIRE(h.buckets.size() == 7);
    double observed = 0, expected = 0;
    for (unsigned x = 0; x <= 6; ++x) {
        CAPTURE(x);
        CHECK(h.buckets[x].expected == doctest::Approx(11104 * bgbb_probability(alpha, beta, gamma, delta, x, 6)).epsilon(1e-10));
        observed += h.buckets[x].observed;
        expected += h.buckets[x].expected;
        MESSAGE(x << " donations: observed " << h.buckets[x].observed << ", expected " << h.buckets[x].expected);
    }
    CHECK(observed == 11104);
    CHECK(expected == doctest::Approx(11104).epsilon(1e-12));
    CHECK(h.degrees_of_freedom == 2);
}
