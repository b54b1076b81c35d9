// analysis/churn_risk.hpp: Poisson-binomial forecasts by hand and against a simulation's truth,
// at-risk selection, and churn drivers against the closed-form 2x2 logistic fit.
#include <clv/analysis/churn_risk.hpp>
#include <clv/models/pareto_nbd.hpp>
#include <clv/models/shifted_beta_geometric.hpp>

#include <doctest/doctest.h>

#include <random>
#include <string>

using doctest::Approx;

namespace {
/// P(alive now) = 1 (x = 0) or 0.8 (x > 0); at the horizon 0.5 or 0.2.
struct fixed_alive_model {
    double probability_alive_at(double t, double x, double, double) const {
        if (x == 0) return t == 0 ? 1.0 : 0.5;
        return t == 0 ? 0.8 : 0.2;
    }
};
}  // namespace

TEST_CASE("customers lost: mean sum q, variance sum q (1 - q), repeated histories weighted") {
    clv::customer_table t;
    t.push_back("a", {0, 0, 5, 0, 1});
    t.push_back("b", {1, 2, 5, 0, 1});
    t.push_back("c", {1, 2, 5, 0, 1});  // same history as b
    const auto f = clv::expected_customers_lost(fixed_alive_model{}, t, 10.0);
    // q = 0.5, 0.6, 0.6
    CHECK(f.customers == 3);
    CHECK(f.expected_lost == Approx(1.7));
    CHECK(f.sd == Approx(std::sqrt(0.25 + 0.24 + 0.24)));
    CHECK(f.lower == Approx(1.7 - 1.959964 * f.sd).epsilon(1e-6));
    CHECK(f.expected_active_now == Approx(2.6));
    CHECK_THROWS_AS(clv::expected_customers_lost(fixed_alive_model{}, t, 0.0), clv::invalid_input);
}

TEST_CASE("customers lost from a retention curve: sBG(1, 1) keeps (1 + n) / (1 + n + k)") {
    const clv::shifted_beta_geometric<> model({1.0, 1.0});
    const std::vector<double> renewals{0, 1, 3};
    const auto f = clv::expected_customers_lost_contractual(model, renewals, 1.0);
    // q = 1/2, 1/3, 1/5
    CHECK(f.expected_lost == Approx(0.5 + 1.0 / 3 + 0.2).epsilon(1e-12));
    CHECK(f.sd * f.sd == Approx(0.25 + 2.0 / 9 + 0.16).epsilon(1e-12));
    CHECK(f.expected_active_now == 3);
    CHECK_THROWS_AS(clv::expected_customers_lost_contractual(model, std::vector<double>{}, 1.0), clv::invalid_input);
    // groups of customers with the same renewals count as that many customers
    const std::vector<double> grouped_renewals{0, 3}, weights{2, 5};
    const auto g = clv::expected_customers_lost_contractual(model, grouped_renewals, weights, 1.0);
    CHECK(g.customers == 7);
    CHECK(g.expected_active_now == 7);
    CHECK(g.expected_lost == Approx(2 * 0.5 + 5 * 0.2).epsilon(1e-12));
    CHECK(g.sd * g.sd == Approx(2 * 0.25 + 5 * 0.16).epsilon(1e-12));
    CHECK_THROWS_AS(clv::expected_customers_lost_contractual(model, grouped_renewals, std::vector<double>{1}, 1.0), clv::invalid_input);
    CHECK_THROWS_AS(clv::expected_customers_lost_contractual(model, grouped_renewals, std::vector<double>{1, 0}, 1.0), clv::invalid_input);
}

TEST_CASE("customers lost: the Pareto/NBD forecast matches the simulated truth") {
    // Simulate the Pareto/NBD story with CDNOW-like parameters, keeping each customer's true
    // lifetime: lost in the horizon means T < lifetime <= T + h.
    const clv::pareto_nbd<>::params truth{0.55, 10.6, 0.61, 11.7};
    const clv::pareto_nbd<> model(truth);
    std::mt19937_64 rng(2024);
    std::gamma_distribution<double> lambda_dist(truth.r, 1 / truth.alpha), mu_dist(truth.s, 1 / truth.beta);
    std::uniform_real_distribution<double> age(27, 39);
    const double horizon = 39;
    clv::customer_table t;
    int lost = 0;
    for (int i = 0; i < 6000; ++i) {
        const double lambda = lambda_dist(rng), mu = mu_dist(rng), T = age(rng);
        const double lifetime = std::exponential_distribution<double>(mu)(rng);
        std::exponential_distribution<double> gap(lambda);
        double time = 0, x = 0, t_x = 0;
        while ((time += gap(rng)) <= std::min(T, lifetime)) {
            x += 1;
            t_x = time;
        }
        t.push_back("c" + std::to_string(i), {x, t_x, T, 0, 1});
        lost += lifetime > T && lifetime <= T + horizon;
    }
    const auto f = clv::expected_customers_lost(model, t, horizon);
    MESSAGE("lost " << lost << ", forecast " << f.expected_lost << " +- " << f.sd);
    CHECK(std::abs(lost - f.expected_lost) < 4 * f.sd);
    CHECK(f.sd > 5);  // the check above is not vacuous
}

TEST_CASE("customers at risk: low P(alive), past value above the median; value at risk (1 - p) clv / p") {
    const std::vector<double> alive{0.2, 0.9, 0.3, 0.1}, past{100, 200, 10, 300}, clv{20, 180, 3, 30};
    const auto r = clv::customers_at_risk(alive, past, clv);
    CHECK(r.past_value_threshold == Approx(150));  // median of 10, 100, 200, 300
    REQUIRE(r.customers.size() == 1);
    CHECK(r.customers[0].customer == 3);
    CHECK(r.customers[0].value_if_active == Approx(300));
    CHECK(r.customers[0].value_at_risk == Approx(270));
    CHECK(r.at_risk == std::vector<bool>{false, false, false, true});
    const auto wider = clv::customers_at_risk(alive, past, clv, {.alive_threshold = 0.5, .value_quantile = 0.0});
    CHECK(wider.customers.size() == 2);  // customer 0 (value at risk 80) joins; customer 2 has the lowest past value
    CHECK(wider.total_value_at_risk == Approx(270 + 80));
    CHECK_THROWS_AS(clv::customers_at_risk(std::vector<double>{0.0}, std::vector<double>{1}, std::vector<double>{1}),
                    clv::invalid_input);
    CHECK_THROWS_AS(clv::lost_in_holdout(clv::customer_table{}), clv::invalid_input);
}

TEST_CASE("churn drivers: one categorical attribute gives the empirical log odds ratio exactly") {
    clv::customer_table t;
    clv::attribute_rows rows;
    rows.column_names = {"channel"};
    rows.cells.resize(1);
    std::vector<bool> lost;
    std::mt19937_64 rng(5);
    std::uniform_real_distribution<double> unit;
    double a = 0, b = 0, c = 0, d = 0;  // store lost / kept, web lost / kept
    for (int i = 0; i < 3000; ++i) {
        const std::string id = "c" + std::to_string(i);
        const bool store = unit(rng) < 0.3;
        const bool gone = unit(rng) < (store ? 0.5 : 0.2);
        t.push_back(id, {0, 0, 5, 0, 1});
        rows.ids.push_back(id);
        rows.cells[0].push_back(store ? "store" : "web");
        lost.push_back(gone);
        (store ? (gone ? a : b) : (gone ? c : d)) += 1;
    }
    const auto fit = clv::churn_drivers(clv::join_attributes(t, rows), lost);
    REQUIRE(fit.model.converged);
    CHECK(fit.reference_levels == std::vector<std::string>{"channel=web"});
    REQUIRE(fit.model.terms.size() == 2);
    CHECK(fit.model.terms[1].name == "channel=store");
    CHECK(fit.model.terms[1].odds_ratio == Approx(a * d / (b * c)).epsilon(1e-8));
    CHECK(fit.model.terms[1].odds_lower < 4.0);  // the simulation's true odds ratio (0.5/0.5) / (0.2/0.8)
    CHECK(fit.model.terms[1].odds_upper > 4.0);
}
