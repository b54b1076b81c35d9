// analysis/growth_levers.hpp: each lever against its closed form, levers independent of each other.
#include <clv/analysis/growth_levers.hpp>
#include <clv/value/parts.hpp>

#include <doctest/doctest.h>

#include <random>

using doctest::Approx;

namespace {
std::vector<double> ages(std::size_t n) {
    std::vector<double> out(n);
    for (std::size_t i = 0; i < n; ++i) out[i] = 27 + 12.0 * static_cast<double>(i) / static_cast<double>(n);
    return out;
}
const clv::bg_nbd<>::params bg_truth{0.243, 4.414, 0.793, 2.426};      // FHL 2005, CDNOW
const clv::pareto_nbd<>::params pnbd_truth{0.553, 10.578, 0.606, 11.67};  // FH 2005, CDNOW
}  // namespace

TEST_CASE("dropout lever: the mean dropout of each model falls by exactly the stated share") {
    const auto bg = clv::with_lower_dropout(clv::bg_nbd<>(bg_truth), 0.2).parameters();
    CHECK(bg.a / (bg.a + bg.b) == Approx(0.8 * bg_truth.a / (bg_truth.a + bg_truth.b)).epsilon(1e-12));
    CHECK(bg.a == bg_truth.a);
    const auto pn = clv::with_lower_dropout(clv::pareto_nbd<>(pnbd_truth), 0.2).parameters();
    CHECK(pn.s / pn.beta == Approx(0.8 * pnbd_truth.s / pnbd_truth.beta).epsilon(1e-12));
    const auto bb = clv::with_lower_dropout(clv::bg_bb<>({1.2, 0.75, 0.66, 2.78}), 0.5).parameters();
    CHECK(bb.gamma / (bb.gamma + bb.delta) == Approx(0.5 * 0.66 / (0.66 + 2.78)).epsilon(1e-12));
    CHECK_THROWS_AS(clv::with_lower_dropout(clv::bg_nbd<>(bg_truth), 1.0), clv::invalid_input);
}

TEST_CASE("BG/NBD levers: order value x (1 + y), frequency = expected purchases over (1 + z) H, each alone") {
    const clv::bg_nbd<> model(bg_truth);
    std::mt19937_64 rng(17);
    const auto customers = model.simulate(ages(300), 0.0, rng);
    const clv::model_purchases<clv::bg_nbd<>> purchases{model};
    const clv::constant_spend spend(25.0);
    clv::valuation_options options;
    options.discount = {0.0, 52.0};  // undiscounted year: the value is margin x spend x E[X(T, T + 52]]
    options.gross_margin = 0.3;
    clv::growth_scenario scenario;
    scenario.order_value_increase = 0.1;
    scenario.frequency_increase = 0.25;
    scenario.dropout_reduction = 0.2;
    scenario.new_customers = 50;
    std::vector<bool> cohort(customers.size(), false);
    for (std::size_t i = 0; i < 100; ++i) cohort[i] = true;
    scenario.like_cohort = cohort;
    const auto g = clv::growth_levers(customers, purchases, spend, options, scenario);
    REQUIRE(g.levers.size() == 4);

    // closed form of the baseline and of the frequency lever: FHL 2005 eq. 10 at 52 and 1.25 x 52
    double baseline = 0, faster = 0, cohort_total = 0;
    for (std::size_t i = 0; i < customers.size(); ++i) {
        const auto r = customers.row(i);
        const double now = 0.3 * 25 * model.conditional_expected_transactions(52.0, r.frequency, r.recency, r.T);
        baseline += now;
        faster += 0.3 * 25 * model.conditional_expected_transactions(1.25 * 52, r.frequency, r.recency, r.T);
        if (i < 100) cohort_total += now;
    }
    CHECK(g.baseline == Approx(baseline).epsilon(1e-10));
    const auto& newcomers = g.levers[0];
    CHECK(newcomers.lever == "new customers");
    CHECK(newcomers.difference == Approx(50 * cohort_total / 100).epsilon(1e-10));
    const auto& loyalty = g.levers[1];
    CHECK(loyalty.scenario > g.baseline);
    const auto& order = g.levers[2];
    CHECK(order.scenario == Approx(1.1 * baseline).epsilon(1e-12));
    CHECK(order.relative == Approx(0.1).epsilon(1e-10));
    // the closed form the lever uses is what valuing 10 % dearer orders gives
    CHECK(order.scenario == Approx(clv::value_customers(customers, purchases, clv::constant_spend(27.5), options).total_clv).epsilon(1e-12));
    const auto& frequency = g.levers[3];
    CHECK(frequency.scenario == Approx(faster).epsilon(1e-9));

    // independence: a scenario with one lever gives the same effect as inside the full scenario
    clv::growth_scenario only_loyalty;
    only_loyalty.dropout_reduction = 0.2;
    const auto alone = clv::growth_levers(customers, purchases, spend, options, only_loyalty);
    REQUIRE(alone.levers.size() == 1);
    CHECK(alone.levers[0].scenario == Approx(loyalty.scenario).epsilon(1e-14));
    CHECK(alone.baseline == g.baseline);

    // a baseline passed in (as the report does) gives the same levers without valuing it again
    const auto base = clv::value_customers(customers, purchases, spend, options);
    const auto reused = clv::growth_levers(customers, purchases, spend, options, scenario, base);
    REQUIRE(reused.levers.size() == g.levers.size());
    for (std::size_t k = 0; k < g.levers.size(); ++k) CHECK(reused.levers[k].scenario == Approx(g.levers[k].scenario).epsilon(1e-14));
    clv::customer_values short_baseline = base;
    short_baseline.clv.pop_back();
    CHECK_THROWS_AS(clv::growth_levers(customers, purchases, spend, options, scenario, short_baseline), clv::invalid_input);
}

TEST_CASE("Pareto/NBD frequency lever: discounted value exactly (1 + z) times the baseline") {
    const clv::pareto_nbd<> model(pnbd_truth);
    std::mt19937_64 rng(19);
    const auto customers = model.simulate(ages(200), 0.0, rng);
    clv::valuation_options options;
    options.discount.rate = 0.003;  // per week, no horizon: DERT
    clv::growth_scenario scenario;
    scenario.frequency_increase = 0.15;
    scenario.dropout_reduction = 0.1;
    const auto g = clv::growth_levers(customers, clv::model_purchases<clv::pareto_nbd<>>{model}, clv::constant_spend(40.0),
                                      options, scenario);
    REQUIRE(g.levers.size() == 2);
    CHECK(g.levers[1].scenario == Approx(1.15 * g.baseline).epsilon(1e-12));
    // lower dropout: more value, and the same as valuing the changed model directly
    const auto direct = clv::value_customers(customers,
                                             clv::model_purchases<clv::pareto_nbd<>>{clv::with_lower_dropout(model, 0.1)},
                                             clv::constant_spend(40.0), options);
    CHECK(g.levers[0].scenario == Approx(direct.total_clv).epsilon(1e-12));
    CHECK(g.levers[0].scenario > g.baseline);

    clv::growth_scenario bad;
    bad.new_customers = 10;
    bad.like_cohort.assign(customers.size(), false);
    CHECK_THROWS_AS(clv::growth_levers(customers, clv::model_purchases<clv::pareto_nbd<>>{model}, clv::constant_spend(40.0),
                                       options, bad),
                    clv::invalid_input);
}
