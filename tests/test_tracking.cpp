// Cohort tracking curves: exact sums for a linear model, and BG/NBD against the actual cumulative
// repeat transactions of CDNOW (FHL 2005, Figure 3).
#include <clv/analysis/tracking.hpp>
#include <clv/models/bg_nbd.hpp>

#include "test_support.hpp"

#include <cmath>
#include <string>
#include <vector>

namespace {

// E[X(t)] = 2 t: the cumulative curve is 2 * sum_i max(0, tau - t0_i).
struct linear_model {
    double expected_transactions(double t) const { return 2 * t; }
};


}  // namespace

TEST_CASE("tracking sums the expected transactions of customers already acquired") {
    const std::vector<double> t0{0, 1, 1, 2.5, 4};
    const std::vector<double> grid{0.5, 1, 2, 3, 5};
    const auto curve = clv::expected_cumulative_transactions(linear_model{}, t0, grid);
    REQUIRE(curve.size() == grid.size());
    for (std::size_t k = 0; k < grid.size(); ++k) {
        double expected = 0;
        for (double s : t0) expected += s < grid[k] ? 2 * (grid[k] - s) : 0.0;
        CHECK(curve[k] == doctest::Approx(expected).epsilon(1e-15));
    }
    const auto increments = clv::incremental_from_cumulative(curve);
    CHECK(increments[0] == curve[0]);
    CHECK(increments[3] == doctest::Approx(curve[3] - curve[2]));
    const std::vector<double> bad{0, std::nan("")};
    CHECK_THROWS_AS(clv::expected_cumulative_transactions(linear_model{}, bad, grid), clv::invalid_input);
    CHECK_THROWS_AS(clv::expected_cumulative_transactions(linear_model{}, t0, bad), clv::invalid_input);
}

TEST_CASE("BG/NBD tracks CDNOW cumulative repeat transactions to week 78 (FHL 2005 Fig. 3)") {
    const auto cbs_path = clv_test::shared_data("cdnow/cdnow_btyd_cbs.csv");
    const auto tracking_path = clv_test::shared_data("cdnow/cdnow_btyd_cu_tracking.csv");
    if (!cbs_path || !tracking_path) return;
    const auto cbs = clv_test::read_numeric_csv(*cbs_path);
    const auto actual = clv_test::read_numeric_csv(*tracking_path);
    REQUIRE(cbs.size() == 2357);
    REQUIRE(actual.size() == 78);
    // Time origin: the first day of the panel (1997-01-01) = 0, in weeks of 7 days. T.cal is
    // (1997-09-30 - first purchase) in days / 7 and 1997-09-30 is day 272, so t0 = 272/7 - T.cal.
    // Week k of the tracking file ends with day 7k - 1, i.e. at (7k - 1)/7 on the same scale.
    std::vector<double> t0;
    for (const auto& row : cbs) t0.push_back(272.0 / 7.0 - row.at(3));
    std::vector<double> grid;
    for (int k = 1; k <= 78; ++k) grid.push_back((7.0 * k - 1) / 7.0);
    const clv::bg_nbd<> model({0.243, 4.414, 0.793, 2.426});
    const auto curve = clv::expected_cumulative_transactions(model, t0, grid);
    const double expected78 = curve.back(), actual78 = actual.back().at(1);
    const double expected39 = curve[38], actual39 = actual[38].at(1);
    MESSAGE("CDNOW cumulative repeat transactions: week 39 expected " << expected39 << " actual " << actual39
                                                                      << "; week 78 expected " << expected78
                                                                      << " actual " << actual78);
    CHECK(expected78 == doctest::Approx(actual78).epsilon(0.05));
    CHECK(expected39 == doctest::Approx(actual39).epsilon(0.05));
}
