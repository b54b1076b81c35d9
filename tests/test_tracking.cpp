// Cohort tracking curves: exact sums for a linear model, and BG/NBD against the actual cumulative
// repeat transactions of CDNOW (FHL 2005, Figure 3); the period-by-period tracking table from a log,
// whose actual side must equal BTYD's cdnowSummary$cu.tracking and whose expected side must equal
// FHL 2005 eq. 9 summed over the cohort (tests/diagnostics_oracle.hpp).
#include <clv/analysis/tracking.hpp>
#include <clv/io/csv_reader.hpp>
#include <clv/io/dates.hpp>
#include <clv/models/bg_nbd.hpp>

#include "diagnostics_oracle.hpp"
#include "test_support.hpp"

#include <cstdint>
#include <map>

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

TEST_CASE("cohort tracking table: periods, actual and expected transactions by hand") {
    // Three customers: first purchases on days 10, 10 and 13; repeat days 11, 11 (same day: one
    // transaction), 16, 20 and 30 (after the observation end: ignored); a fourth customer first
    // buys after the calibration end and is not in the cohort.
    std::vector<std::pair<std::size_t, std::int64_t>> purchases{
        {0, 10}, {0, 11}, {0, 11}, {0, 20}, {1, 10}, {2, 13}, {2, 16}, {2, 30}, {3, 19}, {3, 21}};
    const auto cohort = clv::cohort_from_purchases(purchases, 15, 24);
    REQUIRE(cohort.first_purchase.size() == 3);
    CHECK(cohort.repeat_purchase == std::vector<std::int64_t>{11, 16, 20});
    const auto periods = clv::track_cohort(linear_model{}, cohort, 4.0, 15, 24);
    // Periods of 4 days from day 10: [10,13] [14,17] [18,21] [22,24] (the last one cut at the end).
    REQUIRE(periods.size() == 4);
    const std::int64_t last[] = {13, 17, 21, 24};
    const double actual[] = {1, 1, 1, 0};
    double cumulative = 0;
    for (std::size_t k = 0; k < 4; ++k) {
        CAPTURE(k);
        const auto& p = periods[k];
        CHECK(p.period == k + 1);
        CHECK(p.last_day == last[k]);
        CHECK(p.end_time == doctest::Approx((last[k] - 10) / 4.0));
        CHECK(p.holdout == (k >= 2));  // periods starting after day 15
        CHECK(p.actual == actual[k]);
        cumulative += actual[k];
        CHECK(p.actual_cumulative == cumulative);
        // E[X(t)] = 2 t for each customer since its first day, in units of 4 days.
        const double expected = 2 * ((last[k] - 10) + (last[k] - 10) + std::max<std::int64_t>(0, last[k] - 13)) / 4.0;
        CHECK(p.expected_cumulative == doctest::Approx(expected).epsilon(1e-14));
        if (k > 0) CHECK(p.expected == doctest::Approx(expected - periods[k - 1].expected_cumulative).epsilon(1e-14));
    }
    CHECK_THROWS_AS(clv::track_cohort(linear_model{}, clv::cohort_purchase_days{}, 7, 15, 24), clv::invalid_input);
    CHECK_THROWS_AS(clv::track_cohort(linear_model{}, cohort, 0.5, 15, 24), clv::invalid_input);
    CHECK_THROWS_AS(clv::cohort_from_purchases(purchases, 25, 24), clv::invalid_input);
}

TEST_CASE("CDNOW tracking from the log: actual weekly repeat transactions equal BTYD's, expected equal eq. 9") {
    const auto log_path = clv_test::shared_data("cdnow/CDNOW_sample.txt");
    const auto tracking_path = clv_test::shared_data("cdnow/cdnow_btyd_cu_tracking.csv");
    if (!log_path || !tracking_path) return;
    clv::io::csv_options csv;
    csv.whitespace = true;
    csv.header = false;
    clv::io::csv_reader reader(*log_path, csv);
    const clv::io::date_format format("%Y%m%d");
    std::vector<std::pair<std::size_t, std::int64_t>> purchases;
    std::map<std::string, std::size_t> index;
    clv::io::csv_row row;
    while (reader.next(row)) {
        const auto [it, added] = index.try_emplace(std::string(row[1]), index.size());
        purchases.emplace_back(it->second, format.parse(row[2], "date", clv::source_location{}));
    }
    const auto where = clv::source_location{"test"};
    const std::int64_t calibration_end = clv::io::parse_iso_date("1997-09-30", "end", where);
    const std::int64_t observation_end = clv::io::parse_iso_date("1998-06-30", "end", where);
    const auto cohort = clv::cohort_from_purchases(purchases, calibration_end, observation_end);
    REQUIRE(cohort.first_purchase.size() == 2357);
    const auto& p = clv_oracle::fhl_cdnow;
    const auto periods = clv::track_cohort(clv::bg_nbd<>({p.r, p.alpha, p.a, p.b}), cohort, 7.0, calibration_end, observation_end);
    const auto btyd = clv_test::read_numeric_csv(*tracking_path);
    REQUIRE(periods.size() == 78);
    for (std::size_t k = 0; k < 78; ++k) {
        CAPTURE(k);
        CHECK(periods[k].actual_cumulative == btyd[k].at(1));
        CHECK(periods[k].holdout == (k >= 39));
    }
    // Expected at the end of week 78 (day 545 of the panel): each customer's E[X] by eq. 9 over its
    // own age then, (545 - first day) / 7 weeks.
    const std::int64_t origin = *std::min_element(cohort.first_purchase.begin(), cohort.first_purchase.end());
    double expected78 = 0;
    for (const std::int64_t f : cohort.first_purchase)
        expected78 += clv_oracle::expected_transactions(p, static_cast<double>(observation_end - f) / 7.0);
    CHECK(origin == clv::io::parse_iso_date("1997-01-01", "start", where));
    CHECK(periods.back().expected_cumulative == doctest::Approx(expected78).epsilon(1e-9));
    // FHL 2005 figure 3 shows the BG/NBD curve at about 4,150-4,200 at week 78 against 4,339 actual.
    CHECK(periods.back().expected_cumulative > 4100);
    CHECK(periods.back().expected_cumulative < 4250);
    CHECK(periods.back().actual_cumulative == 4339);
    MESSAGE("CDNOW week 78: expected " << periods.back().expected_cumulative << ", actual "
                                       << periods.back().actual_cumulative);
}
