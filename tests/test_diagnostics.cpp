// What the diagnostics share (analysis/diagnostics_support.hpp): frequency buckets, the log-scale
// Wald interval, and that the umbrella header brings in every diagnostic.
#include <clv/analysis/diagnostics.hpp>
#include <clv/models/bg_bb.hpp>
#include <clv/models/bg_nbd.hpp>
#include <clv/models/mbg_nbd.hpp>
#include <clv/models/pareto_nbd.hpp>

#include <doctest/doctest.h>

#include <cmath>

static_assert(clv::transaction_model<clv::bg_nbd<>>);
static_assert(clv::transaction_model<clv::mbg_nbd<>>);
static_assert(clv::transaction_model<clv::pareto_nbd<>>);
static_assert(clv::transaction_model<clv::bg_bb<>>);

TEST_CASE("frequency buckets: one per frequency, the last holds the rest") {
    CHECK(clv::frequency_bucket(0, 7) == 0);
    CHECK(clv::frequency_bucket(6, 7) == 6);
    CHECK(clv::frequency_bucket(7, 7) == 7);
    CHECK(clv::frequency_bucket(41, 7) == 7);
    CHECK_THROWS_AS(clv::validate_max_frequency(0, "test"), clv::invalid_input);
}

TEST_CASE("95 % interval of a positive parameter on the log scale") {
    // z = 1.959963984540054 (the 0.975 normal quantile, to 16 digits).
    const double z = 1.959963984540054, estimate = 0.243, se = 0.013;
    const auto [lower, upper] = clv::log_scale_interval(estimate, se);
    CHECK(lower == doctest::Approx(estimate * std::exp(-z * se / estimate)).epsilon(1e-14));
    CHECK(upper == doctest::Approx(estimate * std::exp(z * se / estimate)).epsilon(1e-14));
    CHECK(lower * upper == doctest::Approx(estimate * estimate).epsilon(1e-14));  // symmetric in log p
    const auto none = clv::log_scale_interval(estimate, std::nan(""));
    CHECK(std::isnan(none.first));
    CHECK(std::isnan(none.second));
    CHECK_THROWS_AS(clv::log_scale_interval(1, 0.1, 1.0), clv::invalid_input);
}
