// Parameter recovery, shared by the transaction models' tests: simulate 10^5 customers from known
// parameters, fit, and check that every true parameter lies within 3 standard errors of its
// estimate and that the predicted holdout total matches the simulated one.
#pragma once

#include <clv/data/customer_table.hpp>

#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

namespace clv_test {

template <class Model>
void check_parameter_recovery(const typename Model::params& truth, std::uint64_t seed, double min_age,
                              double max_age, double holdout) {
    const Model model(truth);
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> age(min_age, max_age);
    std::vector<double> ages(100000);
    for (double& a : ages) a = age(rng);
    const clv::customer_table table = model.simulate(ages, holdout, rng);
    REQUIRE(table.size() == ages.size());
    REQUIRE(table.has_holdout());
    table.validate();
    const auto fit = Model::fit(table.columns());
    REQUIRE(fit.converged);
    REQUIRE(fit.std_errors_available);
    const auto estimate = Model::to_array(fit.params), want = Model::to_array(truth);
    for (std::size_t i = 0; i < Model::parameter_count; ++i) {
        CHECK_MESSAGE(std::abs(estimate[i] - want[i]) <= 3 * fit.std_errors[i],
                      Model::parameter_names[i] << ": " << estimate[i] << " vs " << want[i] << " (SE "
                                                << fit.std_errors[i] << ")");
    }
    const Model fitted(fit.params);
    double predicted = 0, observed = 0, observed_sq = 0;
    for (std::size_t i = 0; i < table.size(); ++i) {
        predicted += fitted.conditional_expected_transactions(holdout, table.frequency[i], table.recency[i], table.T[i]);
        observed += table.frequency_holdout[i];
        observed_sq += table.frequency_holdout[i] * table.frequency_holdout[i];
    }
    // 4 standard deviations of the simulated total (Var X <= E X^2 per customer), which dominates
    // the estimation error of the prediction at this sample size.
    CHECK(std::abs(predicted - observed) <= 4 * std::sqrt(observed_sq));
    MESSAGE(Model::name << ": holdout transactions predicted " << predicted << ", simulated " << observed);
}

}  // namespace clv_test
