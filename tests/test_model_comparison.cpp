// Model comparison (analysis/model_comparison.hpp): on CDNOW, BG/NBD ranks ahead of Pareto/NBD by
// AIC as the published log-likelihoods (-9582.4 vs -9595.0, four parameters each) say; information
// criteria follow their definitions; fits that did not converge are ranked last.
#include <clv/analysis/model_comparison.hpp>
#include <clv/models/bg_bb.hpp>
#include <clv/models/bg_nbd.hpp>
#include <clv/models/mbg_nbd.hpp>
#include <clv/models/pareto_nbd.hpp>

#include "diagnostics_oracle.hpp"
#include "test_support.hpp"

#include <cmath>
#include <random>
#include <vector>

TEST_CASE("CDNOW: the three transaction models compared, ranked by AIC as the published fits") {
    const auto path = clv_test::shared_data("cdnow/cdnow_btyd_cbs.csv");
    if (!path) return;
    const auto table = clv_oracle::read_cdnow_calibration_holdout(*path);
    const auto ranked = clv::compare_models<clv::bg_nbd<>, clv::pareto_nbd<>, clv::mbg_nbd<>>(table);
    REQUIRE(ranked.size() == 3);
    std::size_t bg = 3, pnbd = 3;
    for (std::size_t i = 0; i < 3; ++i) {
        const auto& m = ranked[i];
        CAPTURE(m.model);
        CHECK(m.converged);
        // AIC = 2k - 2 LL and BIC = k ln n - 2 LL (Akaike 1974; Schwarz 1978), k = 4, n = 2357.
        CHECK(m.aic == doctest::Approx(8 - 2 * m.log_likelihood).epsilon(1e-14));
        CHECK(m.bic == doctest::Approx(4 * std::log(2357.0) - 2 * m.log_likelihood).epsilon(1e-14));
        REQUIRE(m.params.size() == 4);
        REQUIRE(m.holdout.has_value());
        CHECK(m.holdout->total_actual == 1882);
        double expected = 0;
        for (const auto& b : m.histogram.buckets) expected += b.expected;
        CHECK(expected == doctest::Approx(2357).epsilon(1e-9));
        if (i > 0) CHECK(ranked[i - 1].aic <= m.aic);
        if (m.model == "bgnbd") bg = i;
        if (m.model == "pnbd") pnbd = i;
        MESSAGE(m.model << ": LL " << m.log_likelihood << ", AIC " << m.aic << ", holdout MAE " << m.holdout->mae
                        << ", total predicted " << m.holdout->total_predicted);
    }
    CHECK(bg < pnbd);
    CHECK(ranked[bg].log_likelihood == doctest::Approx(-9582.4).epsilon(0.05 / 9582.4));
    CHECK(ranked[pnbd].log_likelihood == doctest::Approx(-9595.0).epsilon(0.05 / 9595.0));
    // The BG/NBD holdout prediction equals FHL 2005 eq. 10 at the fitted parameters.
    const auto& fitted = ranked[bg].params;
    const clv_oracle::bgnbd_params p{fitted[0].second, fitted[1].second, fitted[2].second, fitted[3].second};
    double total = 0;
    for (std::size_t i = 0; i < table.size(); ++i)
        total += clv_oracle::conditional_expectation(p, 39, table.frequency[i], table.recency[i], table.T[i]);
    CHECK(ranked[bg].holdout->total_predicted == doctest::Approx(total).epsilon(1e-9));
}

TEST_CASE("fits that did not converge rank after every converged fit") {
    std::vector<clv::model_assessment> models(4);
    models[0] = {"a", false, "stopped", -10, 10, 12, {}, {}, {}};
    models[1] = {"b", true, "ok", -50, 108, 110, {}, {}, {}};
    models[2] = {"c", true, "ok", -40, 88, 90, {}, {}, {}};
    models[3] = {"d", false, "stopped", -100, std::nan(""), 0, {}, {}, {}};
    clv::rank_models(models);
    CHECK(models[0].model == "c");
    CHECK(models[1].model == "b");
    CHECK(models[2].model == "a");
    CHECK(models[3].model == "d");
}

TEST_CASE("a comparison without holdout columns has no holdout figures") {
    std::mt19937_64 rng(7);
    const std::vector<double> ages(2000, 30.0);
    const auto table = clv::bg_nbd<>({0.5, 5, 0.8, 2.5}).simulate(ages, 0, rng);
    REQUIRE_FALSE(table.has_holdout());
    const auto m = clv::assess_model<clv::bg_nbd<>>(table);
    CHECK(m.converged);
    CHECK_FALSE(m.holdout.has_value());
    CHECK(m.histogram.buckets.size() == 8);
}

TEST_CASE("donations: BG/BB assessed like the others, at the published log-likelihood") {
    const auto path = clv_test::shared_data("donations/donations.csv");
    if (!path) return;
    clv::io::summary_csv_options columns;
    columns.customer_column_optional = true;
    columns.T_column = "periods";
    columns.weight_column = "weights";
    const auto table = clv::io::read_summary_csv(*path, columns);
    const auto m = clv::assess_model<clv::bg_bb<>>(table);
    CHECK(m.model == "bgbb");
    CHECK(m.converged);
    CHECK(m.log_likelihood == doctest::Approx(-33225.6).epsilon(0.05 / 33225.6));  // FHS 2010
    CHECK(m.bic == doctest::Approx(4 * std::log(11104.0) - 2 * m.log_likelihood).epsilon(1e-14));
    double expected = 0;
    for (const auto& b : m.histogram.buckets) expected += b.expected;
    CHECK(expected == doctest::Approx(11104).epsilon(1e-12));
}
