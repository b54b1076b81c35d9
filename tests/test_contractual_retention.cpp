// analysis/contractual_retention.hpp: the observed curves by hand, and the whole analysis on Fader &
// Hardie's (2007) published cohort (REFERENCES.md): their estimates, their later years, and DEL,
// DERL and the next period's cancellations against brute-force sums of the sBG's definition.
#include <clv/analysis/contractual_retention.hpp>
#include <clv/io/contractual_csv.hpp>

#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <vector>

using doctest::Approx;

namespace {
// FH 2007, Table 1: customers of the "regular" cohort still active at the start of years 0..12.
const std::vector<double> regular{1000, 631, 468, 382, 326, 289, 262, 241, 223, 207, 194, 183, 173};

/// S(t) = B(alpha, beta + t) / B(alpha, beta) from the log-Gamma function: the survival of the sBG
/// by its definition (FH 2007 eq. 6), independent of the model's own recurrence.
double beta_survival(double alpha, double beta, double t) {
    return std::exp(std::lgamma(beta + t) - std::lgamma(beta) + std::lgamma(alpha + beta) - std::lgamma(alpha + beta + t));
}
}  // namespace

TEST_CASE("observed retention of one cohort is its own active[t] / active[0]") {
    const std::vector<double> counts(regular.begin(), regular.begin() + 8);
    const auto curve = clv::observed_retention(clv::cohort_counts_table(counts).columns());
    REQUIRE(curve.size() == 7);
    for (std::size_t t = 1; t <= 7; ++t) {
        const auto& p = curve[t - 1];
        CHECK(p.period == static_cast<double>(t));
        CHECK(p.at_risk == Approx(counts[t - 1]));
        CHECK(p.cancelled == Approx(counts[t - 1] - counts[t]));
        CHECK(p.retention == Approx(counts[t] / counts[t - 1]).epsilon(1e-12));
        CHECK(p.survival == Approx(counts[t] / 1000).epsilon(1e-12));
    }
}

TEST_CASE("observed retention pools cohorts of different lengths decision by decision (product-limit)") {
    // Cohort A: 100 -> 60 -> 45; cohort B (one period younger): 50 -> 30.
    // Decision 1: 150 at risk, 60 cancel: r = 0.6, S = 0.6. Decision 2: only A's 60 at risk, 15
    // cancel: r = 0.75, S = 0.45 (B's 30 are censored after decision 1).
    clv::contractual_table t;
    clv::append_cohort(t, {"A", {100, 60, 45}}, [](std::size_t) { return clv::source_location{"A"}; });
    clv::append_cohort(t, {"B", {50, 30}}, [](std::size_t) { return clv::source_location{"B"}; });
    const auto curve = clv::observed_retention(t.columns());
    REQUIRE(curve.size() == 2);
    CHECK(curve[0].at_risk == 150);
    CHECK(curve[0].retention == Approx(0.6));
    CHECK(curve[1].at_risk == 60);
    CHECK(curve[1].retention == Approx(0.75));
    CHECK(curve[1].survival == Approx(0.45));

    // The same customers one row each, in the form tenure,churned: the same curve; a tenure nobody
    // ends at (3 here) is a decision with no cancellation.
    clv::contractual_table rows;
    rows.push_back("c1", {1, true, 1});
    rows.push_back("c2", {2, true, 1});
    rows.push_back("c3", {4, false, 1});
    rows.push_back("c4", {4, true, 1});
    const auto by_row = clv::observed_retention(rows.columns());
    REQUIRE(by_row.size() == 4);
    CHECK(by_row[0].retention == Approx(0.75));
    CHECK(by_row[1].retention == Approx(2.0 / 3));
    CHECK(by_row[2].cancelled == 0);
    CHECK(by_row[2].survival == Approx(0.5));
    CHECK(by_row[3].at_risk == 2);
    CHECK(by_row[3].survival == Approx(0.25));
}

TEST_CASE("the analysis of FH 2007's regular cohort (years 0..7): published estimates, forecast, DEL, DERL, cancellations") {
    const std::vector<double> counts(regular.begin(), regular.begin() + 8);
    clv::contractual_retention_options options;
    options.discount_rate = 0.1;
    options.margin_per_period = 100;
    const auto r = clv::analyse_contractual_retention(clv::cohort_counts_table(counts), options);
    REQUIRE(r.fit.converged);
    const double a = r.fit.params.alpha, b = r.fit.params.beta;
    CHECK(a == Approx(0.704).epsilon(0.001 / 0.704));  // published to three decimals
    CHECK(b == Approx(1.182).epsilon(0.001 / 1.182));
    CHECK(r.customers == 1000);
    CHECK(r.active == 241);
    CHECK(r.longest_tenure == 7);
    REQUIRE(r.projected.size() == 14);  // twice the longest tenure
    for (std::size_t t = 8; t <= 12; ++t)  // the years the fit never saw, within 4 customers (FH 2007, figure 3)
        CHECK(std::abs(1000 * r.projected[t - 1].survival - regular[t]) < 4);
    CHECK(!r.expected_lifetime);  // alpha < 1: E[T] is infinite

    // Brute force of the definitions with S(t) from Beta functions (FH 2010 eqs. 4 and 6).
    double del = 0, derl = 0;
    for (int t = 0; t < 20000; ++t) del += beta_survival(a, b, t) / std::pow(1.1, t);
    for (int t = 8; t < 20000; ++t) derl += beta_survival(a, b, t) / beta_survival(a, b, 7) / std::pow(1.1, t - 8);
    CHECK(r.del == Approx(del).epsilon(1e-8));
    REQUIRE(r.active_by_renewals.size() == 1);
    CHECK(r.active_by_renewals[0].renewals == 7);
    CHECK(r.active_by_renewals[0].derl == Approx(derl).epsilon(1e-8));
    CHECK(r.active_by_renewals[0].value == Approx(100 * derl).epsilon(1e-8));
    CHECK(r.total_value == Approx(241 * 100 * derl).epsilon(1e-8));

    // Next year's cancellations: each of the 241 cancels with 1 - r(8) = alpha / (alpha + beta + 7).
    const double q = a / (a + b + 7);
    CHECK(r.lost_next_period.expected_lost == Approx(241 * q).epsilon(1e-10));
    CHECK(r.lost_next_period.sd == Approx(std::sqrt(241 * q * (1 - q))).epsilon(1e-10));
    CHECK(r.lost_next_period.expected_active_now == 241);
}

TEST_CASE("no margin: discounted lifetimes without money; a cohort nobody left: no fit, the observed curve only") {
    const std::vector<double> counts(regular.begin(), regular.begin() + 5);
    const auto r = clv::analyse_contractual_retention(clv::cohort_counts_table(counts));
    REQUIRE(r.fit.converged);
    CHECK(std::isnan(r.total_value));
    CHECK(r.total_derl > 0);

    const std::vector<double> loyal{50, 50, 50};
    const auto none = clv::analyse_contractual_retention(clv::cohort_counts_table(loyal));
    CHECK(!none.fit.converged);
    CHECK(none.projected.empty());
    CHECK(none.active == 50);
    REQUIRE(none.observed.size() == 2);
    CHECK(none.observed[1].survival == 1);
}

TEST_CASE("bad options are refused naming the field") {
    const auto table = clv::cohort_counts_table(std::vector<double>{100, 60, 45});
    clv::contractual_retention_options o;
    o.discount_rate = -0.1;
    CHECK_THROWS_WITH_AS(clv::analyse_contractual_retention(table, o), doctest::Contains("discount rate"), clv::invalid_input);
    o = {};
    o.margin_per_period = std::nan("");
    CHECK_THROWS_WITH_AS(clv::analyse_contractual_retention(table, o), doctest::Contains("margin per period"), clv::invalid_input);
    o = {};
    o.projection_periods = 2.5;
    CHECK_THROWS_WITH_AS(clv::analyse_contractual_retention(table, o), doctest::Contains("projection periods"), clv::invalid_input);
    CHECK_THROWS_AS(clv::analyse_contractual_retention(clv::contractual_table{}), clv::invalid_input);
}

TEST_CASE("the demo subscriptions (simulated with alpha = 0.8, beta = 4.0): the fit and the observed curve find the truth") {
    const auto path = std::filesystem::path(__FILE__).parent_path().parent_path() / "examples" / "data" / "demo_subscriptions.csv";
    const auto data = clv::io::read_contractual_csv(path);
    REQUIRE(data.cohorts.size() == 4);
    const auto r = clv::analyse_contractual_retention(data.table);
    REQUIRE(r.fit.converged);
    REQUIRE(r.fit.std_errors_available);
    CHECK(std::abs(r.fit.params.alpha - 0.8) < 2.5 * r.fit.std_errors[0]);
    CHECK(std::abs(r.fit.params.beta - 4.0) < 2.5 * r.fit.std_errors[1]);
    CHECK(r.customers == 2600);
    CHECK(r.longest_tenure == 17);
    // Up to 8 renewals all 2,600 members were observed: the observed survival is a share of 2,600
    // draws around the true S(t), within 3 binomial standard deviations.
    REQUIRE(r.observed.size() == 17);
    for (std::size_t t = 1; t <= 8; ++t) {
        const double truth = beta_survival(0.8, 4.0, static_cast<double>(t));
        CHECK(r.observed[t - 1].at_risk == Approx(t == 1 ? 2600 : r.observed[t - 2].at_risk - r.observed[t - 2].cancelled));
        CHECK(std::abs(r.observed[t - 1].survival - truth) < 3 * std::sqrt(truth * (1 - truth) / 2600));
    }
}
