// The valuation composition: constant parts against closed forms and period-by-period sums,
// fitted parts against direct numerical integration of the definition, and batch scoring against
// the one-customer path.
#include <clv/models/bg_bb.hpp>
#include <clv/models/bg_nbd.hpp>
#include <clv/models/mbg_nbd.hpp>
#include <clv/models/gamma_gamma.hpp>
#include <clv/models/shifted_beta_geometric.hpp>
#include <clv/models/pareto_nbd.hpp>
#include <clv/value/lifetime_value.hpp>
#include <clv/value/scoring.hpp>
#include <clv/value/simple_clv.hpp>

#include <doctest/doctest.h>

#include <cmath>
#include <random>

namespace {

// The published CDNOW BG/NBD parameters (Fader, Hardie & Lee 2005), weeks.
const clv::bg_nbd<> cdnow_bg({0.243, 4.414, 0.793, 2.426});

// sum_k share(k) v^e(k) period by period, as the definition reads.
template <class Retention>
double brute_share_sum(const Retention& retention, double d, clv::margin_timing timing, std::size_t periods) {
    double total = 0;
    for (std::size_t k = 1; k <= periods; ++k)
        total += retention.period_share(k, timing) *
                 std::pow(1 + d, -static_cast<double>(timing == clv::margin_timing::end ? k : k - 1));
    return total;
}

// integral_0^H e^(-delta t) dE(t) as a midpoint Stieltjes sum over `steps` intervals.
template <class Curve>
double stieltjes_sum(const Curve& E, double delta, double H, int steps) {
    double total = 0, before = E(0.0);
    for (int i = 1; i <= steps; ++i) {
        const double t1 = H * i / steps, t0 = H * (i - 1) / steps;
        const double now = E(t1);
        total += std::exp(-delta * 0.5 * (t0 + t1)) * (now - before);
        before = now;
    }
    return total;
}

}  // namespace

TEST_CASE("constant parts: closed forms equal the period-by-period sums they replace") {
    for (double d : {0.0, 0.03, 0.1, 0.5}) {
        for (auto timing : {clv::margin_timing::end, clv::margin_timing::start}) {
            CAPTURE(d);
            for (double years : {0.0, 0.4, 1.0, 3.0, 7.5}) {
                const clv::fixed_lifetime lifetime(years);
                CHECK(lifetime.discounted_share_sum(d, timing, 0) ==
                      doctest::Approx(brute_share_sum(lifetime, d, timing, 20)).epsilon(1e-13));
                CHECK(lifetime.discounted_share_sum(d, timing, 2) ==
                      doctest::Approx(brute_share_sum(lifetime, d, timing, 2)).epsilon(1e-13));
            }
            for (double r : {0.0, 0.3, 0.8, 0.99}) {
                const clv::constant_retention retention(r);
                CHECK(retention.discounted_share_sum(d, timing, 7) ==
                      doctest::Approx(brute_share_sum(retention, d, timing, 7)).epsilon(1e-13));
            }
        }
    }
}

TEST_CASE("very long lifetimes and retention near 1 have their finite closed-form values") {
    // 50 x 4 a year for 10^12 years at 10 %: the perpetuity 200 / 0.1.
    CHECK(clv::simple_clv(50, 4, 1e12, 1.0, 0.1) == doctest::Approx(2000).epsilon(1e-12));
    CHECK(clv::simple_clv(50, 4, 1e20, 1.0, 0.1) == doctest::Approx(2000).epsilon(1e-12));
    CHECK(clv::simple_clv(50, 4, 1e20) == doctest::Approx(200 * 1e20).epsilon(1e-12));
    // Retention 1 at a tiny discount: m r / (1 + d - r) = m / d, finite however small d is.
    CHECK(clv::retention_clv(100, 1.0, 1e-6) == doctest::Approx(100 / 1e-6).epsilon(1e-9));
    CHECK_THROWS_WITH_AS(clv::retention_clv(100, 1.0, 0.0), doctest::Contains("horizon or a discount rate"),
                         clv::invalid_input);
}

TEST_CASE("continuous discounting: the annual rate converts to the model's time unit") {
    // 15 % a year = ln(1.15) per year; per week that is ln(1.15) x 7 / 365.25 = 0.00268 (FHL's 0.0027).
    CHECK(clv::continuous_rate_from_annual(0.15, 7) == doctest::Approx(std::log(1.15) * 7 / 365.25).epsilon(1e-14));
    CHECK(clv::continuous_rate_from_annual(0.15, 7) == doctest::Approx(0.0027).epsilon(0.01));
    CHECK_THROWS_AS(clv::continuous_rate_from_annual(-0.1, 7), clv::invalid_input);
}

TEST_CASE("BG/NBD purchases: the composed value is the integral of the definition") {
    const clv::model_purchases<clv::bg_nbd<>> purchases{cdnow_bg};
    const clv::constant_spend spend(35.0);
    const clv::customer_row customer{2, 30.43, 38.86, 0, 1};
    auto E = [&](double t) { return cdnow_bg.conditional_expected_transactions(t, 2, 30.43, 38.86); };
    SUBCASE("no discount: margin x spend x E[X(T, T+H)]") {
        const double v = clv::customer_value(customer, spend, purchases, clv::continuous_discounting{0, 39}, 0.3);
        CHECK(v == doctest::Approx(0.3 * 35 * 1.226).epsilon(5e-4));  // FHL 2005: 1.226 in 39 weeks
    }
    SUBCASE("continuous discount over a horizon: against a fine Stieltjes sum") {
        const double delta = 0.0027, H = 104;
        const double v = clv::customer_value(customer, spend, purchases, clv::continuous_discounting{delta, H});
        CHECK(v == doctest::Approx(35 * stieltjes_sum(E, delta, H, 20000)).epsilon(1e-7));
    }
    SUBCASE("no horizon: the model's DERT and the quadrature of its E[X] agree") {
        const double delta = 0.01;
        const double via_dert = clv::customer_value(customer, spend, purchases, clv::continuous_discounting{delta});
        const double via_curve = 35 * clv::discounted_expected_purchases(E, clv::continuous_discounting{delta});
        CHECK(via_dert == doctest::Approx(via_curve).epsilon(1e-7));
    }
    SUBCASE("discrete periods: lifetimes' sum of (E(k) - E(k-1)) / (1 + d)^k") {
        const double d = 0.01;
        double expected = 0;
        for (int k = 1; k <= 12; ++k) expected += (E(4.0 * k) - E(4.0 * (k - 1))) / std::pow(1 + d, k);
        const clv::model_purchases<clv::bg_nbd<>> monthly{cdnow_bg, 4.0};
        const double v = clv::customer_value(customer, spend, monthly, clv::dropout_in_purchases{},
                                             clv::discounting{d, clv::margin_timing::end, 12});
        CHECK(v == doctest::Approx(35 * expected).epsilon(1e-12));
    }
}

TEST_CASE("constant parts and a constant rate under continuous discounting: rate x (1 - e^-dH) / d") {
    const clv::constant_rate rate(2.0);
    const clv::constant_spend spend(10.0);
    const double v = clv::customer_value(clv::no_record{}, spend, rate, clv::continuous_discounting{0.1, 5});
    CHECK(v == doctest::Approx(10 * 2 * (1 - std::exp(-0.5)) / 0.1).epsilon(1e-13));
    CHECK(clv::customer_value(clv::no_record{}, spend, rate, clv::continuous_discounting{0.1}) ==
          doctest::Approx(200).epsilon(1e-13));
    CHECK_THROWS_AS(clv::customer_value(clv::no_record{}, spend, rate, clv::continuous_discounting{0.0}),
                    clv::invalid_input);
}

TEST_CASE("batch scoring equals the one-customer path, per customer") {
    std::mt19937_64 rng(7);
    std::vector<double> ages;
    for (int i = 0; i < 400; ++i) ages.push_back(20 + (i % 40) * 0.5);
    const clv::pareto_nbd<> pnbd({0.553, 10.578, 0.606, 11.669});
    clv::customer_table table = pnbd.simulate(ages, 0, rng);
    for (std::size_t i = 0; i < table.size(); ++i) table.monetary_value[i] = table.frequency[i] > 0 ? 10.0 + i % 7 : 0.0;
    const clv::model_purchases<clv::pareto_nbd<>> purchases{pnbd};
    const clv::own_mean_spend spend(12.0);
    for (double horizon : {39.0, std::numeric_limits<double>::infinity()}) {
        CAPTURE(horizon);
        clv::valuation_options options;
        options.discount = {0.003, horizon};
        options.gross_margin = 0.25;
        const auto values = clv::value_customers(table, purchases, spend, options);
        REQUIRE(values.clv.size() == table.size());
        double total = 0;
        for (std::size_t c = 0; c < table.size(); c += 13) {
            const auto row = table.row(c);
            CHECK(values.clv[c] == doctest::Approx(clv::customer_value(row, spend, purchases, options.discount, 0.25))
                                       .epsilon(1e-8));
            CHECK(values.probability_alive[c] == doctest::Approx(pnbd.probability_alive(row.frequency, row.recency, row.T)));
            if (std::isfinite(horizon))
                CHECK(values.expected_transactions[c] ==
                      doctest::Approx(pnbd.conditional_expected_transactions(horizon, row.frequency, row.recency, row.T))
                          .epsilon(1e-10));
        }
        for (double v : values.clv) total += v;
        CHECK(values.total_clv == doctest::Approx(total).epsilon(1e-12));
    }
}

TEST_CASE("value intervals: around the estimate, reproducible, and a point without uncertainty") {
    std::mt19937_64 rng(11);
    std::vector<double> ages(300, 38.0);
    clv::customer_table table = cdnow_bg.simulate(ages, 0, rng);
    clv::valuation_options options;
    options.discount = {0.0, 39};
    options.interval_level = 0.9;
    options.draws = 60;
    const clv::constant_spend spend(20.0);
    SUBCASE("no covariance: every draw is the estimate") {
        const auto v = clv::value_customers(table, clv::model_purchases<clv::bg_nbd<>>{cdnow_bg}, spend, options);
        for (std::size_t c = 0; c < table.size(); c += 17) {
            CHECK(v.clv_lower[c] == doctest::Approx(v.clv[c]).epsilon(1e-6));
            CHECK(v.clv_upper[c] == doctest::Approx(v.clv[c]).epsilon(1e-6));
        }
    }
    SUBCASE("with the published standard errors: the bounds bracket the estimate and repeat with the seed") {
        Eigen::MatrixXd covariance = Eigen::Vector4d(0.0126, 0.378, 0.186, 0.705).array().square().matrix().asDiagonal();
        const clv::model_purchases<clv::bg_nbd<>> purchases{cdnow_bg, 1.0, covariance};
        const auto a = clv::value_customers(table, purchases, spend, options);
        const auto b = clv::value_customers(table, purchases, spend, options);
        CHECK(a.total_lower < a.total_clv);
        CHECK(a.total_clv < a.total_upper);
        CHECK(a.total_lower == b.total_lower);
        std::size_t inside = 0;
        for (std::size_t c = 0; c < table.size(); ++c) inside += a.clv_lower[c] <= a.clv[c] && a.clv[c] <= a.clv_upper[c];
        CHECK(inside == table.size());
    }
}

TEST_CASE("BG/NBD x Gamma-Gamma: margin x posterior mean spend x the discounted purchase integral") {
    // FHL 2005 "RFM and CLV": p = 6.25, q = 3.74, gamma = 15.44 on CDNOW; posterior mean spend of a
    // customer with x repeat purchases of mean m is p (gamma + x m) / (p x + q - 1) (nu | x, m ~
    // Gamma(q + p x, gamma + x m) and E[z | nu] = p / nu), and p gamma / (q - 1) without repeat purchases.
    const clv::gamma_gamma<> gg({6.25, 3.74, 15.44});
    const clv::model_spend<clv::gamma_gamma<>> spend{gg};
    const clv::model_purchases<clv::bg_nbd<>> purchases{cdnow_bg};
    const double delta = 0.0027, H = 78;
    for (const clv::customer_row customer : {clv::customer_row{2, 30.43, 38.86, 22.35, 1}, clv::customer_row{0, 0, 35, 0, 1},
                                             clv::customer_row{7, 36.0, 38.0, 55.0, 1}}) {
        CAPTURE(customer.frequency);
        const double x = customer.frequency, m = customer.monetary_value;
        const double mean_spend = x > 0 ? 6.25 * (15.44 + x * m) / (6.25 * x + 3.74 - 1) : 6.25 * 15.44 / (3.74 - 1);
        auto E = [&](double t) {
            return cdnow_bg.conditional_expected_transactions(t, customer.frequency, customer.recency, customer.T);
        };
        const double v = clv::customer_value(customer, spend, purchases, clv::continuous_discounting{delta, H}, 0.3);
        CHECK(v == doctest::Approx(0.3 * mean_spend * stieltjes_sum(E, delta, H, 20000)).epsilon(1e-7));
    }
}

TEST_CASE("sBG retention part: the composed contractual value is DERL, and DEL adds the first period") {
    // S(t) = B(alpha, beta + t) / B(alpha, beta) (Fader & Hardie 2007 eq. 6); a customer after n
    // renewals pays the next renewal with S(n + 1) / S(n), undiscounted, later ones discounted
    // (Fader & Hardie 2010 eq. 6). The sum is brute-forced here from the Beta functions.
    const double alpha = 0.704, beta = 1.182, d = 0.1;
    const clv::shifted_beta_geometric<> sbg({alpha, beta});
    auto S = [&](double t) { return std::exp(std::lgamma(beta + t) - std::lgamma(alpha + beta + t) - std::lgamma(beta) +
                                             std::lgamma(alpha + beta)); };
    for (double n : {0.0, 1.0, 4.0}) {
        double brute = 0;
        for (int k = 1; k < 20000; ++k) brute += S(n + k) / S(n) * std::pow(1 + d, -(k - 1));
        const clv::model_retention<clv::shifted_beta_geometric<>> retention{sbg, n};
        const double value = clv::customer_value(clv::no_record{}, clv::constant_spend(100), clv::constant_rate(1),
                                                 retention, clv::discounting{d, clv::margin_timing::start, 0});
        CHECK(value == doctest::Approx(100 * brute).epsilon(1e-8));
        // The period-by-period path over a horizon agrees with the partial brute-force sum.
        double partial = 0;
        for (int k = 1; k <= 5; ++k) partial += S(n + k) / S(n) * std::pow(1 + d, -(k - 1));
        CHECK(clv::customer_value(clv::no_record{}, clv::constant_spend(100), clv::constant_rate(1), retention,
                                  clv::discounting{d, clv::margin_timing::start, 5}) == doctest::Approx(100 * partial).epsilon(1e-12));
    }
    double del = 0;
    for (int t = 0; t < 20000; ++t) del += S(t) * std::pow(1 + d, -t);
    CHECK(sbg.discounted_expected_lifetime(d) == doctest::Approx(del).epsilon(1e-8));
    // A cancelled customer is worth nothing; an active one of tenure n is valued after n renewals.
    const clv::model_retention<clv::shifted_beta_geometric<>> by_record{sbg};
    const clv::contractual_row gone{3, true, 1}, active{3, false, 1};
    CHECK(clv::customer_value(gone, clv::constant_spend(100), clv::constant_rate(1), by_record,
                              clv::discounting{d, clv::margin_timing::start, 0}) == 0);
    CHECK(clv::customer_value(active, clv::constant_spend(100), clv::constant_rate(1), by_record,
                              clv::discounting{d, clv::margin_timing::start, 0}) ==
          doctest::Approx(100 * sbg.discounted_expected_residual_lifetime(d, 3.0)).epsilon(1e-12));
}

TEST_CASE("batch predictions equal the models' own per-customer predictions") {
    std::mt19937_64 rng(5);
    std::vector<double> ages;
    for (int i = 0; i < 300; ++i) ages.push_back(25 + (i % 30) * 0.5);
    clv::prediction_options options;
    options.horizon = 39;
    options.discount_rate = 0.01;
    options.alive_at_horizon = true;
    options.pmf = 3;
    auto check = [&](const auto& model, const clv::customer_table& table) {
        const auto p = clv::predict_customers(table, model, options);
        REQUIRE(p.names.size() == 8);
        CHECK(p.names[0] == "expected_transactions");
        CHECK(p.names[7] == "p_3");
        for (std::size_t c = 0; c < table.size(); c += 7) {
            const double x = table.frequency[c], tx = table.recency[c], T = table.T[c];
            CAPTURE(c);
            CHECK(p.columns[0][c] == doctest::Approx(model.conditional_expected_transactions(39, x, tx, T)).epsilon(1e-10));
            CHECK(p.columns[1][c] == doctest::Approx(model.probability_alive(x, tx, T)).epsilon(1e-12));
            CHECK(p.columns[2][c] == doctest::Approx(model.dert(0.01, x, tx, T)).epsilon(1e-9));
            CHECK(p.columns[3][c] == doctest::Approx(model.probability_alive_at(39, x, tx, T)).epsilon(1e-10));
            for (unsigned n = 0; n <= 3; ++n)
                CHECK(p.columns[4 + n][c] == doctest::Approx(model.conditional_probability_of_n(n, 39, x, tx, T)).epsilon(1e-9));
        }
    };
    SUBCASE("BG/NBD") { check(cdnow_bg, cdnow_bg.simulate(ages, 0, rng)); }
    SUBCASE("MBG/NBD") {
        const clv::mbg_nbd<> mbg({0.525, 6.183, 0.891, 1.614});
        check(mbg, mbg.simulate(ages, 0, rng));
    }
    SUBCASE("Pareto/NBD") {
        const clv::pareto_nbd<> pnbd({0.553, 10.578, 0.606, 11.669});
        check(pnbd, pnbd.simulate(ages, 0, rng));
    }
    SUBCASE("BG/BB, whole opportunities") {
        const clv::bg_bb<> bgbb({1.204, 0.750, 0.657, 2.783});
        const std::vector<double> n(200, 6.0);
        check(bgbb, bgbb.simulate(n, 0, rng));
    }
}

TEST_CASE("BG/BB value: opportunities discounted per period, DERT without a horizon (FHS 2010 eq. 14)") {
    const clv::bg_bb<> bgbb({1.204, 0.750, 0.657, 2.783});
    std::mt19937_64 rng(3);
    const std::vector<double> n(150, 6.0);
    const clv::customer_table table = bgbb.simulate(n, 0, rng);
    const clv::model_purchases<clv::bg_bb<>> purchases{bgbb};
    const clv::constant_spend spend(50);
    clv::valuation_options options;
    options.per_period = true;
    options.discount = {0.1, 5};
    const auto five = clv::value_customers(table, purchases, spend, options);
    options.discount = {0.1, std::numeric_limits<double>::infinity()};
    const auto all = clv::value_customers(table, purchases, spend, options);
    for (std::size_t c = 0; c < table.size(); c += 11) {
        const double x = table.frequency[c], tx = table.recency[c], T = table.T[c];
        double brute = 0;
        for (int k = 1; k <= 5; ++k)
            brute += (bgbb.conditional_expected_transactions(k, x, tx, T) -
                      bgbb.conditional_expected_transactions(k - 1, x, tx, T)) / std::pow(1.1, k);
        CHECK(five.clv[c] == doctest::Approx(50 * brute).epsilon(1e-10));
        CHECK(all.clv[c] == doctest::Approx(50 * bgbb.dert(0.1, x, tx, T)).epsilon(1e-10));
        CHECK(all.clv[c] > five.clv[c]);
    }
}
