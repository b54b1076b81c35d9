// BG/BB: the published donations figures (FHS 2010), brute-force sums over every purchase string
// of the model's story, the published closed forms evaluated independently (lgamma, Boost's
// hypergeometric_pFq), the multiprecision oracle, and simulation with known parameters.
#include <clv/models/bg_bb.hpp>

#include "model_checks.hpp"
#include "test_support.hpp"

#include <boost/math/special_functions/hypergeometric_pFq.hpp>
#include <boost/multiprecision/cpp_bin_float.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <random>
#include <string>
#include <vector>

namespace {

using model = clv::bg_bb<>;
const model::params published{1.204, 0.750, 0.657, 2.783};  // FHS 2010, donations
const std::vector<model::params> parameter_sets{published, {0.3, 2.5, 1.0, 0.4}, {5.0, 0.6, 3.2, 12.0}, {0.08, 0.2, 0.15, 0.05}};

// ------------------------------------------------------------------ brute force of the story
// A purchase string y_1..y_N is walked opportunity by opportunity, exactly as the story reads:
// at the start of opportunity t a living customer dies with probability theta; a living one buys
// with probability p. P(string | p, theta) is then a polynomial in p, 1-p, theta, 1-theta, kept as
// monomials, and its expectation over p ~ Beta(alpha, beta), theta ~ Beta(gamma, delta) is a sum
// of Beta moments E[p^a (1-p)^b] = (alpha)_a (beta)_b / (alpha+beta)_(a+b) (rising factorials).

using exponents = std::array<int, 4>;  // powers of p, 1-p, theta, 1-theta
using polynomial = std::map<exponents, double>;

polynomial times(const polynomial& poly, std::size_t factor) {
    polynomial out;
    for (const auto& [e, c] : poly) {
        exponents f = e;
        ++f[factor];
        out[f] += c;
    }
    return out;
}

void add_to(polynomial& sum, const polynomial& poly) {
    for (const auto& [e, c] : poly) sum[e] += c;
}

double beta_moment(double a, double b, int i, int j) {
    double m = 1;
    for (int k = 0; k < i; ++k) m *= (a + k) / (a + b + k);
    for (int k = 0; k < j; ++k) m *= (b + k) / (a + b + i + k);
    return m;
}

double expectation(const model::params& q, const polynomial& poly) {
    double sum = 0;
    for (const auto& [e, c] : poly)
        sum += c * beta_moment(q.alpha, q.beta, e[0], e[1]) * beta_moment(q.gamma, q.delta, e[2], e[3]);
    return sum;
}

struct walked {
    polynomial alive, dead;  ///< P(string and alive / dead after its last opportunity | p, theta)
};

/// Walks the first `length` opportunities of the string whose bit t-1 is y_t.
walked walk(unsigned mask, int length) {
    walked w;
    w.alive[{0, 0, 0, 0}] = 1;
    for (int t = 0; t < length; ++t) {
        const bool buys = (mask >> t) & 1u;
        polynomial survived = times(w.alive, 3);           // * (1 - theta)
        polynomial died = times(w.alive, 2);               // * theta
        w.alive = times(survived, buys ? 0 : 1);            // * p or (1 - p)
        if (buys) {
            w.dead.clear();                                 // the dead do not buy
        } else {
            add_to(w.dead, died);
        }
    }
    return w;
}

struct summary {
    int x = 0, t_x = 0;
    bool operator<(const summary& o) const { return x != o.x ? x < o.x : t_x < o.t_x; }
};

summary summarize(unsigned mask, int n) {
    summary s;
    for (int t = 1; t <= n; ++t)
        if ((mask >> (t - 1)) & 1u) {
            ++s.x;
            s.t_x = t;
        }
    return s;
}

/// The published eq. 5 written out with std::lgamma, for the closed-form checks.
double lbeta(double a, double b) { return std::lgamma(a) + std::lgamma(b) - std::lgamma(a + b); }
double paper_likelihood(const model::params& q, double x, double t_x, double n) {
    double L = std::exp(lbeta(q.alpha + x, q.beta + n - x) - lbeta(q.alpha, q.beta) + lbeta(q.gamma, q.delta + n) -
                        lbeta(q.gamma, q.delta));
    for (double i = 0; i <= n - t_x - 1; ++i)
        L += std::exp(lbeta(q.alpha + x, q.beta + t_x - x + i) - lbeta(q.alpha, q.beta) +
                      lbeta(q.gamma + 1, q.delta + t_x + i) - lbeta(q.gamma, q.delta));
    return L;
}

clv::transaction_columns columns_of(const std::vector<std::vector<double>>& rows, std::vector<double>& x,
                                    std::vector<double>& t_x, std::vector<double>& n, std::vector<double>& w) {
    for (const auto& r : rows) {
        x.push_back(r[0]);
        t_x.push_back(r[1]);
        n.push_back(r[2]);
        w.push_back(r[3]);
    }
    return {x, t_x, n, w};
}

}  // namespace

TEST_CASE("BG/BB fit on the donations data reproduces FHS 2010 (alpha 1.204, beta 0.750, gamma 0.657, delta 2.783, LL -33225.6)") {
    const auto path = clv_test::shared_data("donations/donations.csv");
    if (!path) return;
    std::vector<double> x, t_x, n, w;
    const auto data = columns_of(clv_test::read_numeric_csv(*path), x, t_x, n, w);
    REQUIRE(data.size() == 22);
    REQUIRE(data.total_weight() == 11104);
    CHECK(model(published).log_likelihood(data) == doctest::Approx(-33225.6).epsilon(0.05 / 33225.6));
    const auto fit = model::fit(data);
    REQUIRE(fit.converged);
    CHECK(std::abs(fit.params.alpha - 1.204) <= 5e-4);
    CHECK(std::abs(fit.params.beta - 0.750) <= 5e-4);
    CHECK(std::abs(fit.params.gamma - 0.657) <= 5e-4);
    CHECK(std::abs(fit.params.delta - 2.783) <= 5e-4);
    CHECK(std::abs(fit.log_likelihood - (-33225.6)) <= 0.05);
    CHECK(fit.std_errors_available);
    for (double se : fit.std_errors) CHECK((std::isfinite(se) && se > 0));
    MESSAGE("donations BG/BB fit: alpha=" << fit.params.alpha << " beta=" << fit.params.beta << " gamma="
                                          << fit.params.gamma << " delta=" << fit.params.delta
                                          << " LL=" << fit.log_likelihood << " iterations=" << fit.iterations);
}

TEST_CASE("BG/BB likelihood, P(X(n) = x) and E[X(n)] equal sums over all 2^n purchase strings") {
    for (const auto& q : parameter_sets) {
        CAPTURE(q.alpha); CAPTURE(q.beta); CAPTURE(q.gamma); CAPTURE(q.delta);
        const model m(q);
        for (int n = 0; n <= 7; ++n) {
            CAPTURE(n);
            std::vector<double> pmf(static_cast<std::size_t>(n) + 1, 0.0);
            double total = 0, mean = 0;
            for (unsigned mask = 0; mask < (1u << n); ++mask) {
                const walked w = walk(mask, n);
                const double probability = expectation(q, w.alive) + expectation(q, w.dead);
                const summary s = summarize(mask, n);
                // Every string with the same (x, t_x) has the likelihood of FHS eq. 5.
                CHECK(model::log_likelihood(q, s.x, s.t_x, n) == doctest::Approx(std::log(probability)).epsilon(1e-12));
                total += probability;
                mean += s.x * probability;
                pmf[static_cast<std::size_t>(s.x)] += probability;
            }
            CHECK(total == doctest::Approx(1.0).epsilon(1e-13));
            CHECK(m.expected_transactions(n) == doctest::Approx(mean).epsilon(1e-12).scale(1e-300));
            for (int x = 0; x <= n; ++x)
                CHECK(m.probability_of_n(static_cast<unsigned>(x), n) == doctest::Approx(pmf[static_cast<std::size_t>(x)]).epsilon(1e-12));
            CHECK(m.probability_of_n(static_cast<unsigned>(n) + 1, n) == 0.0);
        }
    }
}

TEST_CASE("BG/BB P(alive), conditional expectation and conditional PMF equal Bayes over purchase strings") {
    struct split { int n, n_star; };
    for (const auto& q : parameter_sets) {
        CAPTURE(q.alpha); CAPTURE(q.beta); CAPTURE(q.gamma); CAPTURE(q.delta);
        const model m(q);
        for (const split sp : {split{4, 3}, split{5, 2}, split{1, 5}}) {
            CAPTURE(sp.n); CAPTURE(sp.n_star);
            const int length = sp.n + sp.n_star;
            // Per calibration summary: P(history), P(history, alive at n + m) for m = 0, 1, 3,
            // E[future count; history] and P(future count = k; history).
            struct sums {
                double history = 0, future = 0;
                std::array<double, 3> alive{};
                std::vector<double> pmf;
            };
            std::map<summary, sums> by_summary;
            for (unsigned mask = 0; mask < (1u << sp.n); ++mask) {
                const walked w = walk(mask, sp.n);
                sums& s = by_summary[summarize(mask, sp.n)];
                s.history += expectation(q, w.alive) + expectation(q, w.dead);
                polynomial alive = w.alive;
                s.alive[0] += expectation(q, alive);
                alive = times(alive, 3);
                s.alive[1] += expectation(q, alive);
                alive = times(times(alive, 3), 3);
                s.alive[2] += expectation(q, alive);
            }
            for (unsigned mask = 0; mask < (1u << length); ++mask) {
                const walked w = walk(mask, length);
                const double probability = expectation(q, w.alive) + expectation(q, w.dead);
                sums& s = by_summary[summarize(mask, sp.n)];
                const int future = __builtin_popcount(mask >> sp.n);
                s.future += future * probability;
                s.pmf.resize(static_cast<std::size_t>(sp.n_star) + 1, 0.0);
                s.pmf[static_cast<std::size_t>(future)] += probability;
            }
            for (const auto& [key, s] : by_summary) {
                CAPTURE(key.x); CAPTURE(key.t_x);
                CHECK(m.probability_alive_at(0, key.x, key.t_x, sp.n) == doctest::Approx(s.alive[0] / s.history).epsilon(1e-12));
                CHECK(m.probability_alive(key.x, key.t_x, sp.n) == doctest::Approx(s.alive[1] / s.history).epsilon(1e-12));
                CHECK(m.probability_alive_at(3, key.x, key.t_x, sp.n) == doctest::Approx(s.alive[2] / s.history).epsilon(1e-12));
                CHECK(m.conditional_expected_transactions(sp.n_star, key.x, key.t_x, sp.n) ==
                      doctest::Approx(s.future / s.history).epsilon(1e-12));
                for (int k = 0; k <= sp.n_star; ++k)
                    CHECK(m.conditional_probability_of_n(static_cast<unsigned>(k), sp.n_star, key.x, key.t_x, sp.n) ==
                          doctest::Approx(s.pmf[static_cast<std::size_t>(k)] / s.history).epsilon(1e-12).scale(1e-300));
                CHECK(m.conditional_expected_transactions(0, key.x, key.t_x, sp.n) == 0.0);
            }
        }
    }
}

TEST_CASE("BG/BB DERT equals the brute-force discounted sum of per-opportunity expectations") {
    // DERT = sum_{t>=1} P(transaction at n + t | history) / (1 + d)^t, with
    // P(transaction at n + t, history) = sum over the history's strings of E[alive_n (1-theta)^t p].
    const int n = 5;
    for (const auto& q : parameter_sets) {
        CAPTURE(q.alpha); CAPTURE(q.beta); CAPTURE(q.gamma); CAPTURE(q.delta);
        const model m(q);
        std::map<summary, walked> by_summary;
        for (unsigned mask = 0; mask < (1u << n); ++mask) {
            const walked w = walk(mask, n);
            walked& s = by_summary[summarize(mask, n)];
            add_to(s.alive, w.alive);
            add_to(s.dead, w.dead);
        }
        for (double d : {0.1, 0.01, 1e-4}) {
            CAPTURE(d);
            for (const auto& [key, w] : by_summary) {
                CAPTURE(key.x); CAPTURE(key.t_x);
                double discounted = 0;
                for (const auto& [e, c] : w.alive) {
                    // E[theta^c (1-theta)^(e3 + t)] by its ratio from t - 1 to t.
                    double moment = beta_moment(q.gamma, q.delta, e[2], e[3]), inner = 0, discount = 1;
                    for (int t = 1;; ++t) {
                        moment *= (q.delta + e[3] + t - 1) / (q.gamma + q.delta + e[2] + e[3] + t - 1);
                        discount /= 1 + d;
                        inner += moment * discount;
                        if (moment * discount < 1e-18 * inner) break;
                    }
                    discounted += c * beta_moment(q.alpha, q.beta, e[0] + 1, e[1]) * inner;
                }
                const double history = expectation(q, w.alive) + expectation(q, w.dead);
                // The sum's truncation and rounding over up to ~4e5 terms: 1e-10 relative.
                CHECK(m.dert(d, key.x, key.t_x, n) == doctest::Approx(discounted / history).epsilon(1e-10));
                CHECK(m.dert(d, key.x, key.t_x, n) ==
                      doctest::Approx(m.probability_alive(key.x, key.t_x, n) * m.dert_if_alive(d, key.x, n)).epsilon(1e-14));
            }
        }
    }
}

TEST_CASE("BG/BB agrees with the published closed forms: FHS eq. 7, 11, 13 and 14 (Boost hypergeometric_pFq)") {
    struct customer { double x, t_x, n; };
    for (const auto& q : parameter_sets) {
        if (q.gamma == 1) continue;  // eq. 7 and 13 divide by gamma - 1
        CAPTURE(q.alpha); CAPTURE(q.beta); CAPTURE(q.gamma); CAPTURE(q.delta);
        const model m(q);
        auto gamma_part = [&](double k) {  // Gamma(1 + delta + k) / Gamma(gamma + delta + k)
            return std::exp(std::lgamma(1 + q.delta + k) - std::lgamma(q.gamma + q.delta + k));
        };
        const double scale = q.delta / (q.gamma - 1) * std::exp(std::lgamma(q.gamma + q.delta) - std::lgamma(1 + q.delta));
        for (double n : {1.0, 6.0, 40.0}) {
            const double eq7 = q.alpha / (q.alpha + q.beta) * q.delta / (q.gamma - 1) *
                               (1 - std::exp(std::lgamma(q.gamma + q.delta) - std::lgamma(1 + q.delta)) * gamma_part(n));
            CHECK(m.expected_transactions(n) == doctest::Approx(eq7).epsilon(1e-10));
        }
        for (const customer c : {customer{0, 0, 6}, customer{3, 4, 6}, customer{6, 6, 6}, customer{10, 25, 30}}) {
            CAPTURE(c.x); CAPTURE(c.t_x); CAPTURE(c.n);
            const double L = paper_likelihood(q, c.x, c.t_x, c.n);
            const double eq11 = std::exp(lbeta(q.alpha + c.x, q.beta + c.n - c.x) - lbeta(q.alpha, q.beta) +
                                         lbeta(q.gamma, q.delta + c.n + 1) - lbeta(q.gamma, q.delta)) / L;
            CHECK(m.probability_alive(c.x, c.t_x, c.n) == doctest::Approx(eq11).epsilon(1e-10));
            const double head = std::exp(lbeta(q.alpha + c.x + 1, q.beta + c.n - c.x) - lbeta(q.alpha, q.beta)) / L;
            for (double n_star : {1.0, 5.0}) {
                const double eq13 = head * scale * (gamma_part(c.n) - gamma_part(c.n + n_star));
                CHECK(m.conditional_expected_transactions(n_star, c.x, c.t_x, c.n) == doctest::Approx(eq13).epsilon(1e-9));
            }
            for (double d : {0.1, 0.02}) {
                const double z = 1 / (1 + d);
                const double f = boost::math::hypergeometric_pFq({1.0, q.delta + c.n + 1}, {q.gamma + q.delta + c.n + 1}, z);
                const double eq14 = head * std::exp(lbeta(q.gamma, q.delta + c.n + 1) - lbeta(q.gamma, q.delta)) / (1 + d) * f;
                CHECK(m.dert(d, c.x, c.t_x, c.n) == doctest::Approx(eq14).epsilon(1e-9));
            }
        }
    }
}

TEST_CASE("BG/BB DERT tends to its undiscounted limit as the discount rate vanishes (quadrature path)") {
    // For gamma > 3, E[1/(theta + d)] = E[1/theta] - d E[1/theta^2] + d^2 E[1/theta^3] + O(d^(gamma-1)) with
    // E[theta^-k] = prod_{j=1..k} (gamma + delta' - j)/(gamma - j), theta ~ Beta(gamma, delta').
    const model::params q{2.0, 3.0, 3.5, 4.0};
    const model m(q);
    const double x = 2, n = 6, d = 1e-6;  // 37/d terms: beyond the series' limit, so quadrature
    const double delta = q.delta + n + 1, g = q.gamma;
    const double inv1 = (g + delta - 1) / (g - 1), inv2 = inv1 * (g + delta - 2) / (g - 2),
                 inv3 = inv2 * (g + delta - 3) / (g - 3);
    const double expected = (q.alpha + x) / (q.alpha + q.beta + n) * (inv1 - d * inv2 + d * d * inv3);
    CHECK(m.dert_if_alive(d, x, n) == doctest::Approx(expected).epsilon(1e-10));
}

TEST_CASE("BG/BB analytic gradient matches central differences") {
    const std::vector<double> x{0, 1, 3, 6, 2, 20, 0, 30}, t_x{0, 1, 5, 6, 6, 29, 0, 30}, n{6, 6, 6, 6, 10, 30, 1, 30},
        w{3464, 1091, 250, 1203, 7, 2, 1, 4};
    const clv::transaction_columns data{x, t_x, n, w};
    for (const model::params& p : {published, model::params{0.3, 2.5, 1.0, 0.4}, model::params{1e-3, 1e3, 10, 0.1},
                                   model::params{50, 0.05, 1e-2, 200}, model::params{1.0, 1.0, 1.0, 1.0}}) {
        CAPTURE(p.alpha); CAPTURE(p.beta); CAPTURE(p.gamma); CAPTURE(p.delta);
        std::array<double, 4> g{};
        const double ll = model::log_likelihood_with_gradient(p, data, g);
        double direct = 0;
        for (std::size_t i = 0; i < x.size(); ++i) direct += w[i] * model::log_likelihood(p, x[i], t_x[i], n[i]);
        CHECK(ll == doctest::Approx(direct).epsilon(1e-14));
        clv_test::check_gradient<model>(p, data);
    }
}

TEST_CASE("BG/BB PMFs sum to one over long horizons and their means are the expectations") {
    for (const auto& q : parameter_sets) clv_test::check_pmf_consistency(model(q), 3, 5, 6, {1.0, 12.0, 60.0});
}

TEST_CASE("BG/BB double agrees with the cpp_bin_float_50 oracle") {
    using big = boost::multiprecision::cpp_bin_float_50;
    using big_model = clv::bg_bb<big>;
    struct customer { double x, t_x, n; };
    double worst = 0;
    auto compare = [&](const big& exact, double value, double tolerance, const char* what) {
        const double e = static_cast<double>(exact);
        const double rel = std::abs(value - e) / std::abs(e);
        worst = std::max(worst, rel);
        INFO(what << ": double " << value << " oracle " << e);
        CHECK(rel <= tolerance);
    };
    for (const model::params& p : {published, model::params{0.3, 2.5, 1.0, 0.4}, model::params{1e-3, 1e3, 10, 0.1},
                                   model::params{50, 0.05, 1e-2, 200}, model::params{5.0, 0.6, 3.2, 12.0}}) {
        CAPTURE(p.alpha); CAPTURE(p.beta); CAPTURE(p.gamma); CAPTURE(p.delta);
        const model m(p);
        const big_model mb({p.alpha, p.beta, p.gamma, p.delta});
        for (double n : {1.0, 6.0, 100.0}) {
            compare(mb.expected_transactions(n), m.expected_transactions(n), 1e-12, "E[X(n)]");
            compare(mb.probability_of_n(0, n), m.probability_of_n(0, n), 1e-12, "P(X(n)=0)");
            compare(mb.probability_of_n(1, n), m.probability_of_n(1, n), 1e-12, "P(X(n)=1)");
        }
        for (const customer c : {customer{0, 0, 6}, customer{2, 3, 6}, customer{6, 6, 6}, customer{40, 90, 100}}) {
            CAPTURE(c.x); CAPTURE(c.t_x); CAPTURE(c.n);
            const big ll = big_model::log_likelihood(mb.parameters(), c.x, c.t_x, c.n);
            CHECK(std::abs(model::log_likelihood(p, c.x, c.t_x, c.n) - static_cast<double>(ll)) <=
                  1e-12 * std::max(1.0, std::abs(static_cast<double>(ll))));
            compare(mb.probability_alive(c.x, c.t_x, c.n), m.probability_alive(c.x, c.t_x, c.n), 1e-12, "P(alive)");
            compare(mb.conditional_expected_transactions(10, c.x, c.t_x, c.n),
                    m.conditional_expected_transactions(10, c.x, c.t_x, c.n), 1e-12, "conditional E");
            compare(mb.conditional_probability_of_n(0, 10, c.x, c.t_x, c.n),
                    m.conditional_probability_of_n(0, 10, c.x, c.t_x, c.n), 1e-12, "conditional P(0)");
            // 50 digits need about 115/d series terms: rates that keep the oracle on the series.
            for (double d : {0.1, 0.01})
                compare(mb.dert(big(d), c.x, c.t_x, c.n), m.dert(d, c.x, c.t_x, c.n), 1e-12, "DERT");
        }
    }
    MESSAGE("worst relative difference double vs cpp_bin_float_50: " << worst);
}

TEST_CASE("BG/BB predictions stay finite and in range over parameters from 1e-8 to 1e8") {
    // Probabilities in [0, 1], P(alive at n + m) decreasing in m, expectations in [0, n*],
    // finite log-likelihood <= 0 and gradient, DERT >= 0 on both of its paths (series, quadrature).
    std::mt19937_64 rng(11);
    std::uniform_real_distribution<double> exponent(-8, 8), unit(0, 1);
    for (int i = 0; i < 3000; ++i) {
        const model::params p{std::pow(10, exponent(rng)), std::pow(10, exponent(rng)), std::pow(10, exponent(rng)),
                              std::pow(10, exponent(rng))};
        const model m(p);
        const double n = std::floor(std::pow(10, 3 * unit(rng)));
        const double x = std::min(n, std::floor(unit(rng) * (n + 1)));
        const double t_x = x == 0 ? 0 : std::min(n, x + std::floor(unit(rng) * (n - x + 1)));
        const double n_star = std::floor(std::pow(10, 3 * unit(rng)));
        CAPTURE(p.alpha); CAPTURE(p.beta); CAPTURE(p.gamma); CAPTURE(p.delta);
        CAPTURE(x); CAPTURE(t_x); CAPTURE(n); CAPTURE(n_star);
        const std::vector<double> xs{x}, t_xs{t_x}, ns{n};
        std::array<double, 4> g{};
        const double ll = model::log_likelihood_with_gradient(p, {xs, t_xs, ns, {}}, g);
        CHECK((std::isfinite(ll) && ll <= 1e-12));
        for (double gj : g) CHECK(std::isfinite(gj));
        const double now = m.probability_alive_at(0, x, t_x, n), next = m.probability_alive(x, t_x, n),
                     later = m.probability_alive_at(n_star, x, t_x, n);
        CHECK((now <= 1 + 1e-12 && next <= now * (1 + 1e-12) && later >= 0 && later <= now * (1 + 1e-12)));
        for (const double e : {m.expected_transactions(n_star), m.conditional_expected_transactions(n_star, x, t_x, n)})
            CHECK((e >= 0 && e <= n_star * (1 + 1e-12)));
        for (unsigned k : {0u, 3u})
            for (const double pk : {m.probability_of_n(k, n_star), m.conditional_probability_of_n(k, n_star, x, t_x, n)})
                CHECK((pk >= 0 && pk <= 1 + 1e-12));
        if (i % 20 == 0) {
            const double dert = m.dert(i % 40 == 0 ? 1e-5 : 0.7, x, t_x, n);
            CHECK((dert >= 0 && std::isfinite(dert)));
        }
    }
}

TEST_CASE("BG/BB recovers its parameters from simulated data and forecasts the simulated holdout") {
    const model::params truth{0.9, 1.6, 0.5, 3.0};
    const model m(truth);
    std::mt19937_64 rng(2024);
    std::uniform_int_distribution<int> opportunities(4, 10);
    std::vector<double> n(100000);
    for (double& v : n) v = opportunities(rng);
    const double holdout = 5;
    const clv::customer_table table = m.simulate(n, holdout, rng);
    REQUIRE(table.size() == n.size());
    REQUIRE(table.has_holdout());
    const auto compressed = clv::compress(table);
    const auto fit = model::fit(compressed.unique.columns());
    REQUIRE(fit.converged);
    REQUIRE(fit.std_errors_available);
    const auto estimate = model::to_array(fit.params), want = model::to_array(truth);
    for (std::size_t i = 0; i < 4; ++i)
        CHECK_MESSAGE(std::abs(estimate[i] - want[i]) <= 3 * fit.std_errors[i],
                      model::parameter_names[i] << ": " << estimate[i] << " vs " << want[i] << " (SE " << fit.std_errors[i] << ")");
    const model fitted(fit.params);
    double predicted = 0, observed = 0, observed_sq = 0;
    for (std::size_t i = 0; i < table.size(); ++i) {
        predicted += fitted.conditional_expected_transactions(holdout, table.frequency[i], table.recency[i], table.T[i]);
        observed += table.frequency_holdout[i];
        observed_sq += table.frequency_holdout[i] * table.frequency_holdout[i];
    }
    CHECK(std::abs(predicted - observed) <= 4 * std::sqrt(observed_sq));
    MESSAGE("BG/BB holdout transactions predicted " << predicted << ", simulated " << observed);
}

TEST_CASE("BG/BB rejects impossible histories, horizons, rates and parameters, naming the field and row") {
    const model m(published);
    auto message_of = [](auto&& call) {
        try {
            call();
        } catch (const clv::invalid_input& e) {
            return std::string(e.what());
        }
        return std::string("no exception");
    };
    struct bad { double x, t_x, n; const char* field; };
    for (const bad b : {bad{1.5, 2, 6, "'frequency'"}, bad{1, 2.5, 6, "'recency'"}, bad{1, 2, 6.5, "'T'"},
                        bad{-1, 0, 6, "'frequency'"}, bad{1, 7, 6, "'recency'"}, bad{3, 2, 6, "'frequency'"},
                        bad{0, 2, 6, "'recency'"}, bad{1, 0, 6, "'frequency'"}, bad{std::nan(""), 1, 6, "'frequency'"},
                        bad{1, 1, HUGE_VAL, "'T'"}, bad{0, 0, 2e7, "'T'"}}) {
        CAPTURE(b.x); CAPTURE(b.t_x); CAPTURE(b.n);
        const std::vector<double> x{0, 1, b.x}, t_x{0, 1, b.t_x}, n{6, 6, b.n};
        const std::string message = message_of([&] { (void)m.log_likelihood(clv::transaction_columns{x, t_x, n, {}}); });
        CHECK(message.find("row 3") != std::string::npos);
        CHECK(message.find(b.field) != std::string::npos);
        CHECK_THROWS_AS((void)model::fit(clv::transaction_columns{x, t_x, n, {}}), clv::invalid_input);
        CHECK_THROWS_AS((void)m.probability_alive(b.x, b.t_x, b.n), clv::invalid_input);
        CHECK_THROWS_AS((void)m.conditional_expected_transactions(1, b.x, b.t_x, b.n), clv::invalid_input);
        CHECK_THROWS_AS((void)m.dert(0.1, b.x, b.t_x, b.n), clv::invalid_input);
    }
    const std::vector<double> x{0, 1}, t_x{0, 1}, n{6, 6}, zero_weight{1, 0}, short_column{6};
    CHECK(message_of([&] { (void)m.log_likelihood(clv::transaction_columns{x, t_x, n, zero_weight}); }).find("'weight'") !=
          std::string::npos);
    CHECK_THROWS_AS((void)m.log_likelihood(clv::transaction_columns{x, t_x, short_column, {}}), clv::invalid_input);
    for (double horizon : {-1.0, 2.5, std::nan(""), HUGE_VAL}) {
        CHECK_THROWS_AS((void)m.expected_transactions(horizon), clv::invalid_input);
        CHECK_THROWS_AS((void)m.probability_of_n(0, horizon), clv::invalid_input);
        CHECK_THROWS_AS((void)m.conditional_expected_transactions(horizon, 1, 1, 6), clv::invalid_input);
        CHECK_THROWS_AS((void)m.conditional_probability_of_n(0, horizon, 1, 1, 6), clv::invalid_input);
        CHECK_THROWS_AS((void)m.probability_alive_at(horizon, 1, 1, 6), clv::invalid_input);
    }
    for (double rate : {0.0, -0.1, std::nan(""), HUGE_VAL}) {
        CHECK(message_of([&] { (void)m.dert(rate, 1, 1, 6); }).find("'discount_rate'") != std::string::npos);
        CHECK_THROWS_AS((void)m.dert_if_alive(rate, 1, 6), clv::invalid_input);
    }
    CHECK(message_of([] { model({1, 1, 0, 1}); }).find("'gamma'") != std::string::npos);
    CHECK(message_of([] { model({1, std::nan(""), 1, 1}); }).find("'beta'") != std::string::npos);
    std::mt19937_64 rng(1);
    const std::vector<double> fractional{6, 2.5};
    CHECK(message_of([&] { (void)m.simulate(fractional, 0, rng); }).find("customer 2") != std::string::npos);
    const std::vector<double> whole{6, 2};
    CHECK_THROWS_AS((void)m.simulate(whole, 1.5, rng), clv::invalid_input);
    struct record { double frequency, recency, T; } bad_record{2, 1, 6};
    CHECK_THROWS_AS((void)m.log_likelihood(bad_record), clv::invalid_input);
}
