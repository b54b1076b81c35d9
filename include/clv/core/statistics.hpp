// The statistical tools the business analyses (include/clv/analysis/) share: means, medians and
// shares with intervals, two-sample tests, rank correlation, linear and logistic regression, and
// the Lorenz curve and Gini coefficient. Every formula lives here once; the analyses only choose
// which one to apply. Intervals are closed forms (no resampling), so results are reproducible.
// Linear algebra is Eigen's; p-values and quantiles come from Boost.Math distributions.
#pragma once

#include <clv/core/errors.hpp>

#include <Eigen/Dense>
#include <boost/math/distributions/binomial.hpp>
#include <boost/math/distributions/chi_squared.hpp>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/students_t.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <numeric>
#include <span>
#include <string>
#include <vector>

namespace clv::stats {

inline constexpr double not_available = std::numeric_limits<double>::quiet_NaN();

/// A point estimate with the bounds of its interval (NaN bounds when the data cannot give one,
/// e.g. a mean of one value).
struct interval_estimate {
    double estimate = not_available;
    double lower = not_available;
    double upper = not_available;
};

/// Throws `invalid_input` unless 0 < level < 1.
inline void check_level(double level) {
    if (!(level > 0 && level < 1))
        throw invalid_input("level", to_message_string(level), "a coverage must lie strictly between 0 and 1 (e.g. 0.95)");
}

/// The two-sided normal critical value z_{(1+level)/2} (1.959964 for 0.95).
inline double normal_critical(double level) {
    check_level(level);
    return boost::math::quantile(boost::math::normal_distribution<double>(), 0.5 + level / 2);
}

/// Two-sided p-value of a standard normal statistic.
inline double normal_p_value(double z) {
    if (std::isnan(z)) return not_available;
    return 2 * boost::math::cdf(boost::math::complement(boost::math::normal_distribution<double>(), std::abs(z)));
}

/// Two-sided p-value of a Student t statistic with `df` degrees of freedom.
inline double t_p_value(double t, double df) {
    if (std::isnan(t) || !(df > 0)) return not_available;
    if (std::isinf(t)) return 0.0;
    return 2 * boost::math::cdf(boost::math::complement(boost::math::students_t_distribution<double>(df), std::abs(t)));
}

/// Two-sided Student t critical value t_{(1+level)/2, df}.
inline double t_critical(double level, double df) {
    check_level(level);
    return boost::math::quantile(boost::math::students_t_distribution<double>(df), 0.5 + level / 2);
}

/// Throws `invalid_input` naming `field` and `where` at the first value that is not finite.
inline void require_finite(std::span<const double> values, const std::string& field, const std::string& where) {
    for (std::size_t i = 0; i < values.size(); ++i)
        if (!std::isfinite(values[i]))
            throw invalid_input(field, to_message_string(values[i]), "must be a finite number",
                                {where + ", entry " + std::to_string(i + 1)});
}

namespace detail {
inline void require_same_length(std::size_t a, std::size_t b, const std::string& field, const std::string& where) {
    if (a != b)
        throw invalid_input(field, std::to_string(b), "length differs from the values' length (" + std::to_string(a) + ")",
                            {where});
}
}  // namespace detail

// ---------------------------------------------------------------- means, quantiles, shares

/// A (weighted) mean with its standard deviation and t interval.
struct mean_estimate {
    std::size_t n = 0;
    double effective_n = 0;  ///< Kish's (sum w)^2 / sum w^2; n when unweighted
    double mean = not_available, sd = not_available, lower = not_available, upper = not_available;
};

/// Mean and t interval mean +- t_{n-1} s / sqrt(n) (Student 1908). With `weights` (non-negative,
/// not all 0) the mean is sum w x / sum w, the variance the weighted one with Kish's effective
/// size n_e = (sum w)^2 / sum w^2 in place of n (Kish 1965, "Survey Sampling", 11.7): equal
/// weights give the unweighted interval exactly. NaN bounds when n_e <= 1.
inline mean_estimate mean_interval(std::span<const double> values, std::span<const double> weights = {},
                                   double level = 0.95) {
    check_level(level);
    require_finite(values, "value", "mean");
    if (!weights.empty()) {
        detail::require_same_length(values.size(), weights.size(), "weight", "mean");
        for (double w : weights)
            if (!(w >= 0) || !std::isfinite(w)) throw invalid_input("weight", to_message_string(w), "must be finite and >= 0", {"mean"});
    }
    if (values.empty()) throw invalid_input("value", "", "a mean needs at least one value (the group is empty)", {"mean"});
    auto w = [&](std::size_t i) { return weights.empty() ? 1.0 : weights[i]; };
    double sw = 0, sw2 = 0, swx = 0;
    for (std::size_t i = 0; i < values.size(); ++i) {
        sw += w(i);
        sw2 += w(i) * w(i);
        swx += w(i) * values[i];
    }
    if (!(sw > 0)) throw invalid_input("weight", "0", "the weights add up to 0", {"mean"});
    mean_estimate out;
    out.n = values.size();
    out.mean = swx / sw;
    out.effective_n = sw * sw / sw2;
    if (out.effective_n <= 1 + 1e-12) return out;
    double ss = 0;
    for (std::size_t i = 0; i < values.size(); ++i) ss += w(i) * (values[i] - out.mean) * (values[i] - out.mean);
    out.sd = std::sqrt(ss / sw * out.effective_n / (out.effective_n - 1));
    const double half = t_critical(level, out.effective_n - 1) * out.sd / std::sqrt(out.effective_n);
    out.lower = out.mean - half;
    out.upper = out.mean + half;
    return out;
}

/// The q-quantile of `values` (Hyndman & Fan 1996 type 7, linear between order statistics, R's
/// default). `values` need not be sorted.
inline double quantile(std::span<const double> values, double q) {
    if (values.empty()) throw invalid_input("value", "", "a quantile needs at least one value (the group is empty)", {"quantile"});
    if (!(q >= 0 && q <= 1)) throw invalid_input("quantile", to_message_string(q), "must be in [0, 1]", {"quantile"});
    std::vector<double> sorted(values.begin(), values.end());
    std::sort(sorted.begin(), sorted.end());
    const double h = q * static_cast<double>(sorted.size() - 1);
    const auto lo = static_cast<std::size_t>(std::floor(h));
    const std::size_t hi = std::min(lo + 1, sorted.size() - 1);
    return sorted[lo] + (h - static_cast<double>(lo)) * (sorted[hi] - sorted[lo]);
}

/// The median with a distribution-free interval from order statistics: [x_(l), x_(n+1-l)], l the
/// largest index with 2 P(B <= l - 1) <= 1 - level for B ~ Binomial(n, 1/2) (the number of values
/// below the median), so the coverage is at least `level` for any continuous distribution
/// (Conover 1999, "Practical Nonparametric Statistics", 3.2). NaN bounds when n is too small
/// for the level (n < 6 at 95 %).
inline interval_estimate median_interval(std::span<const double> values, double level = 0.95) {
    check_level(level);
    require_finite(values, "value", "median");
    interval_estimate out;
    out.estimate = quantile(values, 0.5);
    std::vector<double> sorted(values.begin(), values.end());
    std::sort(sorted.begin(), sorted.end());
    const std::size_t n = sorted.size();
    const boost::math::binomial_distribution<double> below(static_cast<double>(n), 0.5);
    std::size_t l = 0;  // 1-based order statistic; 0: none qualifies
    for (std::size_t k = 1; 2 * k <= n; ++k) {
        if (2 * boost::math::cdf(below, static_cast<double>(k - 1)) <= 1 - level) l = k;
        else break;
    }
    if (l == 0) return out;
    out.lower = sorted[l - 1];
    out.upper = sorted[n - l];
    return out;
}

/// The weighted q-quantile: the smallest value whose cumulative weight share reaches q (the inverse
/// of the weighted distribution function; with equal weights, Hyndman & Fan type 1).
inline double weighted_quantile(std::span<const double> values, std::span<const double> weights, double q) {
    require_finite(values, "value", "weighted quantile");
    detail::require_same_length(values.size(), weights.size(), "weight", "weighted quantile");
    if (values.empty()) throw invalid_input("value", "", "a quantile needs at least one value (the group is empty)", {"weighted quantile"});
    if (!(q >= 0 && q <= 1)) throw invalid_input("quantile", to_message_string(q), "must be in [0, 1]", {"weighted quantile"});
    std::vector<std::size_t> order(values.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return values[a] < values[b]; });
    double total = 0;
    for (double w : weights) {
        if (!(w >= 0) || !std::isfinite(w)) throw invalid_input("weight", to_message_string(w), "must be finite and >= 0", {"weighted quantile"});
        total += w;
    }
    if (!(total > 0)) throw invalid_input("weight", "0", "the weights add up to 0", {"weighted quantile"});
    double cumulative = 0;
    for (std::size_t i : order) {
        cumulative += weights[i];
        if (cumulative >= q * total * (1 - 1e-12)) return values[i];
    }
    return values[order.back()];
}

/// The weighted median with an approximate interval: the weighted quantiles at
/// 1/2 -+ z / (2 sqrt(n_e)), n_e Kish's effective size (the normal approximation to the binomial
/// order-statistic interval of `median_interval`, for weighted data). NaN bounds when n_e < 2.
inline interval_estimate weighted_median_interval(std::span<const double> values, std::span<const double> weights,
                                                  double level = 0.95) {
    check_level(level);
    interval_estimate out;
    out.estimate = weighted_quantile(values, weights, 0.5);
    double sw = 0, sw2 = 0;
    for (double w : weights) {
        sw += w;
        sw2 += w * w;
    }
    const double effective_n = sw * sw / sw2;
    if (effective_n < 2) return out;
    const double half = normal_critical(level) / (2 * std::sqrt(effective_n));
    out.lower = weighted_quantile(values, weights, std::max(0.0, 0.5 - half));
    out.upper = weighted_quantile(values, weights, std::min(1.0, 0.5 + half));
    return out;
}

/// A share k / n with the Wilson score interval (Wilson 1927; Agresti & Coull 1998):
/// (p + z^2/2n -+ z sqrt(p(1-p)/n + z^2/4n^2)) / (1 + z^2/n). It stays inside [0, 1] and keeps
/// its coverage near 0 and 1, where the Wald interval fails. `successes` may be fractional
/// (weighted counts).
inline interval_estimate wilson_interval(double successes, double trials, double level = 0.95) {
    if (!(trials > 0) || !std::isfinite(trials))
        throw invalid_input("trials", to_message_string(trials), "a share needs a group with at least one member", {"share"});
    if (!(successes >= 0 && successes <= trials))
        throw invalid_input("successes", to_message_string(successes), "must lie between 0 and the group size", {"share"});
    const double z = normal_critical(level), p = successes / trials, z2n = z * z / trials;
    const double centre = (p + z2n / 2) / (1 + z2n);
    const double half = z / (1 + z2n) * std::sqrt(p * (1 - p) / trials + z2n / (4 * trials));
    return {p, std::max(0.0, centre - half), std::min(1.0, centre + half)};
}

// ---------------------------------------------------------------- two-sample tests

/// A difference between two groups (first minus second) with its interval and a test of "no
/// difference": the statistic, its degrees of freedom (NaN for a normal statistic) and the
/// two-sided p-value.
struct difference_test {
    double difference = not_available, lower = not_available, upper = not_available;
    double statistic = not_available, df = not_available, p_value = not_available;
};

/// Welch's t test of equal means with unequal variances (Welch 1947): t = (m1 - m2) / se,
/// se^2 = s1^2/n1 + s2^2/n2, df by Welch-Satterthwaite (s1^2/n1 + s2^2/n2)^2 / (s1^4/(n1^2(n1-1))
/// + s2^4/(n2^2(n2-1))); interval m1 - m2 +- t_df se. Each group needs two values.
inline difference_test welch_t_test(std::span<const double> first, std::span<const double> second, double level = 0.95) {
    if (first.size() < 2 || second.size() < 2)
        throw invalid_input("group size", std::to_string(std::min(first.size(), second.size())),
                            "Welch's t test needs at least 2 values in each group", {"welch t test"});
    const mean_estimate a = mean_interval(first, {}, level), b = mean_interval(second, {}, level);
    const double va = a.sd * a.sd / static_cast<double>(a.n), vb = b.sd * b.sd / static_cast<double>(b.n);
    difference_test out;
    out.difference = a.mean - b.mean;
    const double se = std::sqrt(va + vb);
    if (!(se > 0)) return out;  // both groups constant: no variance to test against
    out.df = (va + vb) * (va + vb) / (va * va / static_cast<double>(a.n - 1) + vb * vb / static_cast<double>(b.n - 1));
    out.statistic = out.difference / se;
    out.p_value = t_p_value(out.statistic, out.df);
    const double half = t_critical(level, out.df) * se;
    out.lower = out.difference - half;
    out.upper = out.difference + half;
    return out;
}

/// Difference of two shares k1/n1 - k2/n2: interval by Newcombe's hybrid score method (Newcombe
/// 1998, "Interval estimation for the difference between independent proportions", method 10,
/// built on the two Wilson intervals); test by the pooled two-proportion z statistic
/// (p1 - p2) / sqrt(p (1 - p) (1/n1 + 1/n2)), p the pooled share, whose square is Pearson's
/// chi-square of the 2 x 2 table.
inline difference_test two_proportion_test(double successes1, double trials1, double successes2, double trials2,
                                           double level = 0.95) {
    const interval_estimate a = wilson_interval(successes1, trials1, level), b = wilson_interval(successes2, trials2, level);
    difference_test out;
    out.difference = a.estimate - b.estimate;
    out.lower = out.difference - std::hypot(a.estimate - a.lower, b.upper - b.estimate);
    out.upper = out.difference + std::hypot(a.upper - a.estimate, b.estimate - b.lower);
    const double pooled = (successes1 + successes2) / (trials1 + trials2);
    const double se = std::sqrt(pooled * (1 - pooled) * (1 / trials1 + 1 / trials2));
    if (se > 0) {
        out.statistic = out.difference / se;
        out.p_value = normal_p_value(out.statistic);
    }
    return out;
}

/// Pearson's chi-square test of independence of an r x c table of counts: X^2 = sum (O - E)^2 / E,
/// E = row total x column total / grand total, df = (r - 1)(c - 1) (Pearson 1900). Rows or
/// columns that are all zero are refused (their expected counts would be 0).
inline difference_test chi_square_independence(const Eigen::MatrixXd& counts) {
    if (counts.rows() < 2 || counts.cols() < 2)
        throw invalid_input("table", std::to_string(counts.rows()) + "x" + std::to_string(counts.cols()),
                            "a test of independence needs at least 2 rows and 2 columns", {"chi-square test"});
    if (!counts.allFinite() || (counts.array() < 0).any())
        throw invalid_input("count", "", "counts must be finite and >= 0", {"chi-square test"});
    const Eigen::VectorXd rows = counts.rowwise().sum();
    const Eigen::RowVectorXd cols = counts.colwise().sum();
    if ((rows.array() <= 0).any() || (cols.array() <= 0).any())
        throw invalid_input("count", "0", "a row or column of the table is empty", {"chi-square test"});
    const double total = rows.sum();
    difference_test out;
    out.statistic = 0;
    for (Eigen::Index i = 0; i < counts.rows(); ++i)
        for (Eigen::Index j = 0; j < counts.cols(); ++j) {
            const double expected = rows[i] * cols[j] / total;
            out.statistic += (counts(i, j) - expected) * (counts(i, j) - expected) / expected;
        }
    out.df = static_cast<double>((counts.rows() - 1) * (counts.cols() - 1));
    out.p_value = boost::math::cdf(boost::math::complement(boost::math::chi_squared_distribution<double>(out.df), out.statistic));
    return out;
}

// ---------------------------------------------------------------- rank correlation

/// Ranks 1..n of `values`, ties sharing their average rank (mid-ranks).
inline std::vector<double> average_ranks(std::span<const double> values) {
    std::vector<std::size_t> order(values.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return values[a] < values[b]; });
    std::vector<double> ranks(values.size());
    for (std::size_t i = 0; i < order.size();) {
        std::size_t j = i;
        while (j + 1 < order.size() && values[order[j + 1]] == values[order[i]]) ++j;
        const double rank = (static_cast<double>(i) + static_cast<double>(j)) / 2 + 1;
        for (std::size_t k = i; k <= j; ++k) ranks[order[k]] = rank;
        i = j + 1;
    }
    return ranks;
}

/// A correlation coefficient with its interval and the p-value of "no correlation".
struct correlation_estimate {
    std::size_t n = 0;
    double rho = not_available, lower = not_available, upper = not_available, p_value = not_available;
};

/// Spearman's rank correlation: Pearson's correlation of the mid-ranks (Spearman 1904; with no ties
/// it equals 1 - 6 sum d^2 / (n (n^2 - 1))). Interval: tanh(atanh(rho) -+ z sqrt(1.06 / (n - 3)))
/// (Fisher's z with the variance of Fieller, Hartley & Pearson 1957 for Spearman's rho), n >= 4.
/// p-value from t = rho sqrt((n - 2) / (1 - rho^2)) on n - 2 degrees of freedom. A constant
/// variable has no rank correlation: refused.
inline correlation_estimate spearman_correlation(std::span<const double> x, std::span<const double> y, double level = 0.95) {
    check_level(level);
    detail::require_same_length(x.size(), y.size(), "y", "rank correlation");
    require_finite(x, "x", "rank correlation");
    require_finite(y, "y", "rank correlation");
    if (x.size() < 3)
        throw invalid_input("pairs", std::to_string(x.size()), "a rank correlation needs at least 3 pairs", {"rank correlation"});
    const std::vector<double> rx = average_ranks(x), ry = average_ranks(y);
    const double mean = (static_cast<double>(x.size()) + 1) / 2;
    double sxy = 0, sxx = 0, syy = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
        sxy += (rx[i] - mean) * (ry[i] - mean);
        sxx += (rx[i] - mean) * (rx[i] - mean);
        syy += (ry[i] - mean) * (ry[i] - mean);
    }
    if (!(sxx > 0) || !(syy > 0))
        throw invalid_input(sxx > 0 ? "y" : "x", "", "every value is the same: a constant has no rank correlation",
                            {"rank correlation"});
    correlation_estimate out;
    out.n = x.size();
    out.rho = std::clamp(sxy / std::sqrt(sxx * syy), -1.0, 1.0);
    const double n = static_cast<double>(out.n);
    if (std::abs(out.rho) == 1) {
        out.lower = out.upper = out.rho;
        out.p_value = 0;
        return out;
    }
    out.p_value = t_p_value(out.rho * std::sqrt((n - 2) / (1 - out.rho * out.rho)), n - 2);
    if (out.n >= 4) {
        const double half = normal_critical(level) * std::sqrt(1.06 / (n - 3));
        out.lower = std::tanh(std::atanh(out.rho) - half);
        out.upper = std::tanh(std::atanh(out.rho) + half);
    }
    return out;
}

// ---------------------------------------------------------------- regression

/// One coefficient of a fitted regression. `odds_ratio` and its bounds are exp of the coefficient
/// and its bounds for a logistic regression (NaN for least squares).
struct regression_term {
    std::string name;
    double coefficient = not_available, standard_error = not_available, statistic = not_available;
    double p_value = not_available, lower = not_available, upper = not_available;
    double odds_ratio = not_available, odds_lower = not_available, odds_upper = not_available;
};

/// A fitted regression: its terms in the order of the design's columns and its fit statistics.
struct regression_result {
    std::vector<regression_term> terms;
    std::size_t observations = 0;
    double r_squared = not_available, adjusted_r_squared = not_available, residual_sd = not_available;  ///< least squares
    double log_likelihood = not_available, null_log_likelihood = not_available;                       ///< logistic
    int iterations = 0;
    bool converged = true;
    std::string status = "ok";
};

namespace detail {
inline void check_design(const Eigen::MatrixXd& x, Eigen::Index outcomes, const std::vector<std::string>& names,
                         const std::string& where) {
    if (static_cast<Eigen::Index>(names.size()) != x.cols())
        throw invalid_input("names", std::to_string(names.size()),
                            "one name per design column is needed (" + std::to_string(x.cols()) + " columns)", {where});
    if (x.rows() != outcomes)
        throw invalid_input("outcome", std::to_string(outcomes),
                            "one outcome per design row is needed (" + std::to_string(x.rows()) + " rows)", {where});
    if (!x.allFinite()) throw invalid_input("design", "", "the design matrix holds a value that is not finite", {where});
    if (x.rows() <= x.cols())
        throw invalid_input("observations", std::to_string(x.rows()),
                            "a regression on " + std::to_string(x.cols()) + " terms needs more observations than terms",
                            {where});
    Eigen::ColPivHouseholderQR<Eigen::MatrixXd> qr(x);
    // Exactly collinear columns leave rounding noise of a few ulps x n on the diagonal of R, above
    // Eigen's default threshold (epsilon x columns): a relative 1e-10 tells them from real terms.
    qr.setThreshold(1e-10);
    if (qr.rank() < x.cols()) {
        // Name a column that the others explain: the first pivot beyond the rank.
        const auto column = qr.colsPermutation().indices()[qr.rank()];
        throw invalid_input(names[static_cast<std::size_t>(column)], "",
                            "this term is a linear combination of the others (collinear, or constant like the intercept); "
                            "drop it or merge categories",
                            {where});
    }
}

inline void fill_terms(regression_result& out, const Eigen::VectorXd& beta, const Eigen::VectorXd& se,
                       const std::vector<std::string>& names, double critical, double df) {
    out.terms.resize(names.size());
    for (std::size_t j = 0; j < names.size(); ++j) {
        auto& term = out.terms[j];
        const auto k = static_cast<Eigen::Index>(j);
        term.name = names[j];
        term.coefficient = beta[k];
        term.standard_error = se[k];
        term.statistic = beta[k] / se[k];
        term.p_value = std::isnan(df) ? normal_p_value(term.statistic) : t_p_value(term.statistic, df);
        term.lower = beta[k] - critical * se[k];
        term.upper = beta[k] + critical * se[k];
    }
}
}  // namespace detail

/// Ordinary least squares y = X b + e (X as given: include a column of ones for an intercept),
/// b = (X'X)^-1 X'y by column-pivoting QR, se_j = sqrt(s^2 [(X'X)^-1]_jj), s^2 = RSS / (n - p),
/// t intervals and tests on n - p degrees of freedom (e.g. Greene, "Econometric Analysis", ch. 4).
/// R^2 = 1 - RSS / TSS about the mean of y (meaningful with an intercept). Collinear columns are
/// refused, naming one.
inline regression_result ordinary_least_squares(const Eigen::MatrixXd& x, const Eigen::VectorXd& y,
                                                const std::vector<std::string>& names, double level = 0.95) {
    check_level(level);
    detail::check_design(x, y.size(), names, "least squares");
    if (!y.allFinite()) throw invalid_input("outcome", "", "an outcome is not a finite number", {"least squares"});
    const Eigen::ColPivHouseholderQR<Eigen::MatrixXd> qr(x);
    const Eigen::VectorXd beta = qr.solve(y);
    const Eigen::VectorXd residual = y - x * beta;
    const double n = static_cast<double>(x.rows()), p = static_cast<double>(x.cols());
    const double rss = residual.squaredNorm(), tss = (y.array() - y.mean()).square().sum();
    const double s2 = rss / (n - p);
    const Eigen::MatrixXd inverse = (x.transpose() * x).ldlt().solve(Eigen::MatrixXd::Identity(x.cols(), x.cols()));
    regression_result out;
    out.observations = static_cast<std::size_t>(x.rows());
    detail::fill_terms(out, beta, (s2 * inverse.diagonal()).cwiseSqrt(), names, t_critical(level, n - p), n - p);
    out.residual_sd = std::sqrt(s2);
    if (tss > 0) {
        out.r_squared = 1 - rss / tss;
        out.adjusted_r_squared = 1 - (1 - out.r_squared) * (n - 1) / (n - p);
    }
    return out;
}

/// Logistic regression P(y = 1 | x) = 1 / (1 + exp(-x'b)) by Newton-Raphson, i.e. iteratively
/// reweighted least squares: b <- b + (X'WX)^-1 X'(y - mu), W = diag(mu (1 - mu)) (McCullagh &
/// Nelder 1989, "Generalized Linear Models", 4.4), from b = 0 until the log-likelihood changes by
/// less than 1e-10 relative. Wald standard errors sqrt([(X'WX)^-1]_jj) at the estimate, normal
/// intervals and tests; odds ratios exp(b) with exp of the bounds. When the classes are (nearly)
/// perfectly separated the estimates run off to infinity: the fit stops, `converged` is false and
/// `status` says so (the coefficients are then not estimates). Outcomes must be 0 or 1, with both
/// present.
inline regression_result logistic_regression(const Eigen::MatrixXd& x, const Eigen::VectorXd& y,
                                             const std::vector<std::string>& names, double level = 0.95,
                                             int max_iterations = 50) {
    check_level(level);
    detail::check_design(x, y.size(), names, "logistic regression");
    for (Eigen::Index i = 0; i < y.size(); ++i)
        if (y[i] != 0 && y[i] != 1)
            throw invalid_input("outcome", to_message_string(y[i]), "a logistic regression needs outcomes 0 or 1",
                                {"logistic regression, row " + std::to_string(i + 1)});
    const double positives = y.sum(), n = static_cast<double>(y.size());
    if (positives == 0 || positives == n)
        throw invalid_input("outcome", positives == 0 ? "0" : "1",
                            "every outcome is the same: a logistic regression needs both 0 and 1", {"logistic regression"});
    auto log_likelihood = [&](const Eigen::VectorXd& eta) {
        // log(1 + e^eta) computed without overflow
        double total = 0;
        for (Eigen::Index i = 0; i < eta.size(); ++i) {
            const double softplus = eta[i] > 0 ? eta[i] + std::log1p(std::exp(-eta[i])) : std::log1p(std::exp(eta[i]));
            total += y[i] * eta[i] - softplus;
        }
        return total;
    };
    regression_result out;
    out.observations = static_cast<std::size_t>(x.rows());
    const double share = positives / n;
    out.null_log_likelihood = positives * std::log(share) + (n - positives) * std::log(1 - share);
    Eigen::VectorXd beta = Eigen::VectorXd::Zero(x.cols());
    Eigen::VectorXd eta = Eigen::VectorXd::Zero(x.rows());
    double ll = log_likelihood(eta);
    Eigen::MatrixXd information;
    out.converged = false;
    out.status = "did not converge in " + std::to_string(max_iterations) + " Newton steps";
    for (out.iterations = 1; out.iterations <= max_iterations; ++out.iterations) {
        const Eigen::ArrayXd mu = 1 / (1 + (-eta.array()).exp());
        const Eigen::ArrayXd w = mu * (1 - mu);
        information = x.transpose() * (x.array().colwise() * w).matrix();
        const Eigen::VectorXd step = information.ldlt().solve(x.transpose() * (y.array() - mu).matrix());
        // Step halving keeps every iterate an ascent (Newton can overshoot far from the optimum).
        double scale = 1, next_ll = 0;
        Eigen::VectorXd next_beta;
        for (int halving = 0; halving < 30; ++halving, scale /= 2) {
            next_beta = beta + scale * step;
            next_ll = log_likelihood(x * next_beta);
            if (next_ll >= ll - 1e-12 * std::abs(ll)) break;
        }
        beta = next_beta;
        eta = x * beta;
        const double change = next_ll - ll;
        ll = next_ll;
        const Eigen::ArrayXd fitted = 1 / (1 + (-eta.array()).exp());
        if (beta.cwiseAbs().maxCoeff() > 30 || (fitted * (1 - fitted)).maxCoeff() < 1e-12) {
            out.status = "the outcome is (nearly) perfectly separated by the terms: coefficients grow without bound; "
                         "merge sparse categories or drop the separating term";
            break;
        }
        if (std::abs(change) <= 1e-10 * (1 + std::abs(ll))) {
            out.converged = true;
            out.status = "ok";
            break;
        }
    }
    out.iterations = std::min(out.iterations, max_iterations);
    const Eigen::ArrayXd mu = 1 / (1 + (-eta.array()).exp());
    information = x.transpose() * (x.array().colwise() * (mu * (1 - mu))).matrix();
    const Eigen::VectorXd se =
        information.ldlt().solve(Eigen::MatrixXd::Identity(x.cols(), x.cols())).diagonal().cwiseSqrt();
    detail::fill_terms(out, beta, se, names, normal_critical(level), not_available);
    for (auto& term : out.terms) {
        term.odds_ratio = std::exp(term.coefficient);
        term.odds_lower = std::exp(term.lower);
        term.odds_upper = std::exp(term.upper);
    }
    out.log_likelihood = ll;
    return out;
}

// ---------------------------------------------------------------- concentration

/// One point of a Lorenz curve: the poorest `population_share` of customers hold `value_share`
/// of the total.
struct lorenz_point {
    double population_share = 0, value_share = 0;
};

namespace detail {
inline std::vector<double> sorted_nonnegative(std::span<const double> values, const std::string& where) {
    require_finite(values, "value", where);
    if (values.empty()) throw invalid_input("value", "", "no values (the group is empty)", {where});
    std::vector<double> sorted(values.begin(), values.end());
    std::sort(sorted.begin(), sorted.end());
    if (sorted.front() < 0)
        throw invalid_input("value", to_message_string(sorted.front()), "must not be negative for a concentration measure", {where});
    if (!(std::accumulate(sorted.begin(), sorted.end(), 0.0) > 0))
        throw invalid_input("value", "0", "every value is 0: there is no value to share out", {where});
    return sorted;
}
}  // namespace detail

/// The Lorenz curve L(p) of non-negative values at p = 0, 1/points, ..., 1 (Lorenz 1905): the
/// share of the total held by the fraction p of customers with the lowest values, linear within a
/// customer (the curve through the points (i/n, cumulative share of the i lowest)).
inline std::vector<lorenz_point> lorenz_curve(std::span<const double> values, std::size_t points = 100) {
    if (points < 1) throw invalid_input("points", "0", "a Lorenz curve needs at least 1 step", {"Lorenz curve"});
    const std::vector<double> sorted = detail::sorted_nonnegative(values, "Lorenz curve");
    std::vector<double> cumulative(sorted.size() + 1, 0.0);
    for (std::size_t i = 0; i < sorted.size(); ++i) cumulative[i + 1] = cumulative[i] + sorted[i];
    const double total = cumulative.back(), n = static_cast<double>(sorted.size());
    std::vector<lorenz_point> curve(points + 1);
    for (std::size_t k = 0; k <= points; ++k) {
        const double p = static_cast<double>(k) / static_cast<double>(points), position = p * n;
        const auto i = std::min(static_cast<std::size_t>(std::floor(position)), sorted.size() - 1);
        const double held = cumulative[i] + (position - static_cast<double>(i)) * sorted[i];
        curve[k] = {p, std::min(1.0, held / total)};
    }
    return curve;
}

/// The share of the total held by the top `fraction` of customers by value, 1 - L(1 - fraction),
/// with a customer on the boundary counted by the part of them inside (so it is continuous in
/// `fraction`).
inline double top_share(std::span<const double> values, double fraction) {
    if (!(fraction >= 0 && fraction <= 1))
        throw invalid_input("fraction", to_message_string(fraction), "must be in [0, 1]", {"top share"});
    const std::vector<double> sorted = detail::sorted_nonnegative(values, "top share");
    const double n = static_cast<double>(sorted.size()), total = std::accumulate(sorted.begin(), sorted.end(), 0.0);
    double held = 0, remaining = fraction * n;
    for (auto it = sorted.rbegin(); it != sorted.rend() && remaining > 0; ++it, remaining -= 1)
        held += std::min(1.0, remaining) * *it;
    return held / total;
}

/// The Gini coefficient of non-negative values, G = sum_i (2i - n - 1) x_(i) / (n sum x) over the
/// ascending order statistics, which equals the mean absolute difference over twice the mean,
/// sum_i sum_j |x_i - x_j| / (2 n^2 mean) (Gini 1912): 0 when all are equal, (n - 1)/n when one
/// customer holds everything.
inline double gini(std::span<const double> values) {
    const std::vector<double> sorted = detail::sorted_nonnegative(values, "Gini coefficient");
    const double n = static_cast<double>(sorted.size());
    double weighted = 0, total = 0;
    for (std::size_t i = 0; i < sorted.size(); ++i) {
        weighted += (2 * static_cast<double>(i + 1) - n - 1) * sorted[i];
        total += sorted[i];
    }
    return weighted / (n * total);
}

}  // namespace clv::stats
