// core/statistics.hpp against closed forms, published examples and brute-force definitions.
#include <clv/core/statistics.hpp>

#include <doctest/doctest.h>

#include <cmath>
#include <random>
#include <vector>

using doctest::Approx;
namespace stats = clv::stats;

TEST_CASE("mean interval: Student t interval of a textbook sample; equal weights change nothing") {
    const std::vector<double> x{2, 4, 4, 4, 5, 5, 7, 9};  // mean 5, sum of squares about the mean 32
    const auto m = stats::mean_interval(x);
    CHECK(m.mean == Approx(5.0));
    CHECK(m.sd == Approx(std::sqrt(32.0 / 7)).epsilon(1e-12));
    // t_{0.975, 7} = 2.364624 (printed t tables)
    const double half = 2.364624 * std::sqrt(32.0 / 7) / std::sqrt(8.0);
    CHECK(m.lower == Approx(5 - half).epsilon(1e-6));
    CHECK(m.upper == Approx(5 + half).epsilon(1e-6));

    const std::vector<double> equal(x.size(), 3.0);
    const auto w = stats::mean_interval(x, equal);
    CHECK(w.mean == Approx(m.mean).epsilon(1e-14));
    CHECK(w.lower == Approx(m.lower).epsilon(1e-12));
    CHECK(w.effective_n == Approx(8.0));

    const std::vector<double> v{1, 2, 3}, wt{1, 1, 2};
    CHECK(stats::mean_interval(v, wt).mean == Approx((1 + 2 + 6) / 4.0));
    CHECK(stats::mean_interval(v, wt).effective_n == Approx(16.0 / 6));
    CHECK(std::isnan(stats::mean_interval(std::vector<double>{4.0}).lower));
    CHECK_THROWS_AS(stats::mean_interval(std::vector<double>{}), clv::invalid_input);
    CHECK_THROWS_AS(stats::mean_interval(std::vector<double>{1, NAN}), clv::invalid_input);
}

TEST_CASE("median interval: order statistics 2 and 9 of 10 at 95 % (binomial tail 11/1024)") {
    const std::vector<double> x{10, 1, 9, 2, 8, 3, 7, 4, 6, 5};
    const auto m = stats::median_interval(x);
    CHECK(m.estimate == Approx(5.5));
    // 2 P(B <= 1) = 22/1024 <= 0.05 < 2 P(B <= 2) = 112/1024
    CHECK(m.lower == 2.0);
    CHECK(m.upper == 9.0);
    CHECK(std::isnan(stats::median_interval(std::vector<double>{1, 2, 3, 4, 5}).lower));  // n = 5 too small
    CHECK(stats::quantile(x, 0.25) == Approx(3.25));                                      // type 7: 1 + 0.25 x 9 = 3.25
}

TEST_CASE("median interval covers the true median at least at its level (simulation)") {
    std::mt19937_64 rng(7);
    std::exponential_distribution<double> draw(1.0);
    const double true_median = std::log(2.0);
    int covered = 0;
    const int trials = 2000;
    for (int t = 0; t < trials; ++t) {
        std::vector<double> x(25);
        for (auto& v : x) v = draw(rng);
        const auto m = stats::median_interval(x, 0.9);
        covered += m.lower <= true_median && true_median <= m.upper;
    }
    CHECK(covered / double(trials) >= 0.885);  // exact coverage >= 0.9; 2000 trials: sd 0.007
}

TEST_CASE("weighted median: integer weights act as repeated values; the interval covers at its level (simulation)") {
    const std::vector<double> x{5, 1, 3, 9}, w{1, 2, 3, 1};  // as the data 1 1 3 3 3 5 9: median 3
    CHECK(stats::weighted_quantile(x, w, 0.5) == 3.0);
    CHECK(stats::weighted_quantile(x, w, 0.2) == 1.0);  // 2/7 of the weight is at 1
    CHECK(stats::weighted_quantile(x, w, 1.0) == 9.0);
    std::mt19937_64 rng(13);
    std::exponential_distribution<double> draw(1.0);
    std::uniform_real_distribution<double> weight(0.5, 2.0);
    int covered = 0;
    for (int t = 0; t < 1000; ++t) {
        std::vector<double> v(200), ws(200);
        for (std::size_t i = 0; i < v.size(); ++i) v[i] = draw(rng), ws[i] = weight(rng);
        const auto m = stats::weighted_median_interval(v, ws, 0.9);
        covered += m.lower <= std::log(2.0) && std::log(2.0) <= m.upper;
    }
    CHECK(covered / 1000.0 >= 0.87);  // nominal 0.9; 1000 trials: sd 0.01
    CHECK_THROWS_AS(stats::weighted_quantile(x, std::vector<double>{0, 0, 0, 0}, 0.5), clv::invalid_input);
}

TEST_CASE("Wilson interval: Newcombe (1998) single-proportion examples") {
    // Newcombe, Statistics in Medicine 17, 857-872, table I, method 3 (score, no correction)
    auto a = stats::wilson_interval(81, 263);
    CHECK(a.lower == Approx(0.2553).epsilon(2e-4));
    CHECK(a.upper == Approx(0.3662).epsilon(2e-4));
    auto b = stats::wilson_interval(15, 148);
    CHECK(b.lower == Approx(0.0624).epsilon(2e-3));
    CHECK(b.upper == Approx(0.1605).epsilon(2e-3));
    auto c = stats::wilson_interval(0, 20);
    CHECK(c.lower == 0.0);
    CHECK(c.upper == Approx(0.1611).epsilon(2e-3));
    CHECK_THROWS_AS(stats::wilson_interval(0, 0), clv::invalid_input);
    CHECK_THROWS_AS(stats::wilson_interval(5, 4), clv::invalid_input);
}

TEST_CASE("two proportions: Newcombe's method 10 interval; z^2 equals the 2x2 chi-square") {
    // Newcombe 1998, "Interval estimation for the difference between independent proportions",
    // example (a): 56/70 - 48/80, method 10: 0.0524 to 0.3339.
    const auto d = stats::two_proportion_test(56, 70, 48, 80);
    CHECK(d.difference == Approx(0.2));
    CHECK(d.lower == Approx(0.0524).epsilon(2e-3));
    CHECK(d.upper == Approx(0.3339).epsilon(2e-3));
    // Pearson chi-square of [[56, 14], [48, 32]] by the 2x2 shortcut N (ad - bc)^2 / (r1 r2 c1 c2)
    const double a = 56, b = 14, c = 48, e = 32, n = a + b + c + e;
    const double chi2 = n * (a * e - b * c) * (a * e - b * c) / ((a + b) * (c + e) * (a + c) * (b + e));
    CHECK(d.statistic * d.statistic == Approx(chi2).epsilon(1e-12));
    Eigen::MatrixXd table(2, 2);
    table << a, b, c, e;
    const auto x = stats::chi_square_independence(table);
    CHECK(x.statistic == Approx(chi2).epsilon(1e-12));
    CHECK(x.df == 1);
    CHECK(x.p_value == Approx(d.p_value).epsilon(1e-10));
}

TEST_CASE("chi-square independence of a 2x3 table computed by hand") {
    Eigen::MatrixXd table(2, 3);
    table << 10, 20, 30, 20, 20, 20;  // row totals 60, 60; column totals 30, 40, 50; N 120
    // expected: 15 20 25 / 15 20 25 -> X^2 = 2 (25/15 + 0 + 25/25) = 16/3
    const auto x = stats::chi_square_independence(table);
    CHECK(x.statistic == Approx(16.0 / 3).epsilon(1e-12));
    CHECK(x.df == 2);
    CHECK(x.p_value == Approx(std::exp(-8.0 / 3)).epsilon(1e-12));  // chi-square 2 df: P(X > x) = e^(-x/2)
    Eigen::MatrixXd empty_row(2, 2);
    empty_row << 0, 0, 1, 2;
    CHECK_THROWS_AS(stats::chi_square_independence(empty_row), clv::invalid_input);
}

TEST_CASE("Welch t test against the formulas worked by hand") {
    const std::vector<double> x{1, 2, 3, 4, 5}, y{2, 4, 6, 8, 10};
    // means 3, 6; variances 2.5, 10; se^2 = 0.5 + 2 = 2.5; df = 2.5^2 / (0.5^2/4 + 2^2/4) = 6.25/1.0625
    const auto t = stats::welch_t_test(x, y);
    CHECK(t.difference == Approx(-3.0));
    CHECK(t.statistic == Approx(-3.0 / std::sqrt(2.5)).epsilon(1e-12));
    CHECK(t.df == Approx(6.25 / 1.0625).epsilon(1e-12));
    const boost::math::students_t_distribution<double> dist(6.25 / 1.0625);
    CHECK(t.p_value == Approx(2 * boost::math::cdf(dist, -3.0 / std::sqrt(2.5))).epsilon(1e-10));
    CHECK(t.upper - t.difference == Approx(boost::math::quantile(dist, 0.975) * std::sqrt(2.5)).epsilon(1e-10));
    CHECK_THROWS_AS(stats::welch_t_test(std::vector<double>{1}, y), clv::invalid_input);
}

TEST_CASE("Spearman: 1 - 6 sum d^2 / (n (n^2 - 1)) without ties, mid-ranks with ties, Fisher z interval") {
    const std::vector<double> x{1, 2, 3, 4, 5, 6, 7, 8}, y{2, 1, 4, 3, 6, 5, 8, 7};
    // every d = +-1: sum d^2 = 8 -> rho = 1 - 48 / (8 x 63)
    const auto r = stats::spearman_correlation(x, y);
    const double rho = 1 - 48.0 / (8 * 63);
    CHECK(r.rho == Approx(rho).epsilon(1e-12));
    const double half = 1.959964 * std::sqrt(1.06 / 5);
    CHECK(r.lower == Approx(std::tanh(std::atanh(rho) - half)).epsilon(1e-6));
    CHECK(r.upper == Approx(std::tanh(std::atanh(rho) + half)).epsilon(1e-6));
    CHECK(stats::average_ranks(std::vector<double>{10, 20, 20, 30}) == std::vector<double>{1, 2.5, 2.5, 4});
    // monotone transforms do not change it
    std::vector<double> cubed;
    for (double v : y) cubed.push_back(v * v * v);
    CHECK(stats::spearman_correlation(x, cubed).rho == Approx(rho));
    CHECK(stats::spearman_correlation(x, x).rho == 1.0);
    CHECK_THROWS_AS(stats::spearman_correlation(x, std::vector<double>(8, 1.0)), clv::invalid_input);
}

TEST_CASE("least squares: simple regression closed forms") {
    const std::vector<double> xs{1, 2, 3, 4, 5, 6}, ys{1.2, 1.9, 3.2, 3.8, 5.1, 6.3};
    const double n = 6, mx = 3.5, my = (1.2 + 1.9 + 3.2 + 3.8 + 5.1 + 6.3) / 6;
    double sxx = 0, sxy = 0;
    for (int i = 0; i < 6; ++i) {
        sxx += (xs[i] - mx) * (xs[i] - mx);
        sxy += (xs[i] - mx) * (ys[i] - my);
    }
    const double slope = sxy / sxx, intercept = my - slope * mx;
    double rss = 0, tss = 0;
    for (int i = 0; i < 6; ++i) {
        rss += std::pow(ys[i] - intercept - slope * xs[i], 2);
        tss += std::pow(ys[i] - my, 2);
    }
    const double s = std::sqrt(rss / (n - 2));
    Eigen::MatrixXd design(6, 2);
    Eigen::VectorXd outcome(6);
    for (int i = 0; i < 6; ++i) {
        design(i, 0) = 1;
        design(i, 1) = xs[i];
        outcome[i] = ys[i];
    }
    const auto fit = stats::ordinary_least_squares(design, outcome, {"(intercept)", "x"});
    CHECK(fit.terms[1].coefficient == Approx(slope).epsilon(1e-12));
    CHECK(fit.terms[0].coefficient == Approx(intercept).epsilon(1e-12));
    CHECK(fit.terms[1].standard_error == Approx(s / std::sqrt(sxx)).epsilon(1e-10));
    CHECK(fit.terms[0].standard_error == Approx(s * std::sqrt(1 / n + mx * mx / sxx)).epsilon(1e-10));
    CHECK(fit.r_squared == Approx(1 - rss / tss).epsilon(1e-12));
    CHECK(fit.terms[1].upper - slope == Approx(2.776445 * s / std::sqrt(sxx)).epsilon(1e-6));  // t_{0.975, 4}

    Eigen::MatrixXd collinear(6, 3);
    collinear << design, 2 * design.col(1);
    CHECK_THROWS_AS(stats::ordinary_least_squares(collinear, outcome, {"(intercept)", "x", "2x"}), clv::invalid_input);
}

TEST_CASE("logistic regression on a 2x2 table: log odds ratio and sqrt(1/a + 1/b + 1/c + 1/d)") {
    // group x = 1: 30 outcomes 1, 10 outcomes 0; group x = 0: 20 ones, 40 zeros
    const double a = 30, b = 10, c = 20, d = 40;
    const int n = 100;
    Eigen::MatrixXd design(n, 2);
    Eigen::VectorXd outcome(n);
    for (int i = 0; i < n; ++i) {
        const bool exposed = i < 40;
        design(i, 0) = 1;
        design(i, 1) = exposed ? 1 : 0;
        outcome[i] = exposed ? (i < 30 ? 1 : 0) : (i < 60 ? 1 : 0);
    }
    const auto fit = stats::logistic_regression(design, outcome, {"(intercept)", "exposed"});
    REQUIRE(fit.converged);
    CHECK(fit.terms[0].coefficient == Approx(std::log(c / d)).epsilon(1e-9));
    CHECK(fit.terms[1].coefficient == Approx(std::log(a * d / (b * c))).epsilon(1e-9));
    CHECK(fit.terms[1].standard_error == Approx(std::sqrt(1 / a + 1 / b + 1 / c + 1 / d)).epsilon(1e-7));
    CHECK(fit.terms[1].odds_ratio == Approx(a * d / (b * c)).epsilon(1e-9));
    CHECK(fit.terms[1].odds_lower == Approx(std::exp(std::log(6.0) - 1.959964 * std::sqrt(1 / a + 1 / b + 1 / c + 1 / d))).epsilon(1e-6));
    // saturated-model log-likelihood: sum of k log(k/n) over the cells
    const double ll = a * std::log(a / 40) + b * std::log(b / 40) + c * std::log(c / 60) + d * std::log(d / 60);
    CHECK(fit.log_likelihood == Approx(ll).epsilon(1e-10));
    CHECK(fit.null_log_likelihood == Approx(50 * std::log(0.5) * 2).epsilon(1e-12));
}

TEST_CASE("logistic regression recovers simulated coefficients and reports separation") {
    std::mt19937_64 rng(11);
    std::normal_distribution<double> normal;
    std::uniform_real_distribution<double> unit;
    const int n = 20000;
    Eigen::MatrixXd design(n, 2);
    Eigen::VectorXd outcome(n);
    for (int i = 0; i < n; ++i) {
        design(i, 0) = 1;
        design(i, 1) = normal(rng);
        outcome[i] = unit(rng) < 1 / (1 + std::exp(-(-0.5 + 1.2 * design(i, 1)))) ? 1 : 0;
    }
    const auto fit = stats::logistic_regression(design, outcome, {"(intercept)", "x"});
    CHECK(fit.converged);
    CHECK(fit.terms[0].lower < -0.5);
    CHECK(fit.terms[0].upper > -0.5);
    CHECK(fit.terms[1].lower < 1.2);
    CHECK(fit.terms[1].upper > 1.2);

    Eigen::MatrixXd separated(6, 2);
    separated << 1, 1, 1, 2, 1, 3, 1, 4, 1, 5, 1, 6;
    Eigen::VectorXd labels(6);
    labels << 0, 0, 0, 1, 1, 1;
    const auto bad = stats::logistic_regression(separated, labels, {"(intercept)", "x"});
    CHECK_FALSE(bad.converged);
    CHECK(bad.status.find("separated") != std::string::npos);
    CHECK_THROWS_AS(stats::logistic_regression(separated, Eigen::VectorXd::Zero(6), {"(intercept)", "x"}), clv::invalid_input);
}

TEST_CASE("Gini equals the mean absolute difference over twice the mean; Lorenz and top shares") {
    const std::vector<double> x{1, 2, 3, 4};
    double pairs = 0;
    for (double a : x)
        for (double b : x) pairs += std::abs(a - b);
    CHECK(stats::gini(x) == Approx(pairs / (2 * 16 * 2.5)).epsilon(1e-14));
    CHECK(stats::gini(std::vector<double>{0, 0, 0, 5}) == Approx(0.75));
    CHECK(stats::gini(std::vector<double>{3, 3, 3}) == Approx(0.0));
    const auto curve = stats::lorenz_curve(x, 4);
    CHECK(curve[0].value_share == 0.0);
    CHECK(curve[2].value_share == Approx(0.3));  // the 2 lowest hold 3 of 10
    CHECK(curve[4].value_share == Approx(1.0));
    CHECK(stats::top_share(x, 0.25) == Approx(0.4));
    CHECK(stats::top_share(x, 0.125) == Approx(0.2));  // half of the top customer
    CHECK_THROWS_AS(stats::gini(std::vector<double>{1, -1}), clv::invalid_input);
    CHECK_THROWS_AS(stats::gini(std::vector<double>{0, 0}), clv::invalid_input);
}
