// Gamma-Gamma spend model: the published CDNOW estimates (FHL 2005b), lifetimes' documented
// figures on the same data, quadrature of the model's definition, finite differences, the
// multiprecision oracle, and simulation with known parameters.
#include <clv/models/gamma_gamma.hpp>

#include "test_support.hpp"

#include <boost/math/quadrature/exp_sinh.hpp>
#include <boost/math/quadrature/tanh_sinh.hpp>
#include <boost/multiprecision/cpp_bin_float.hpp>

#include <array>
#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

namespace {

using model = clv::gamma_gamma<>;
const model::params published{6.25, 3.74, 15.44};  // FHL 2005b, CDNOW repeat buyers

/// log of the Gamma(shape, rate) density at z.
double log_gamma_pdf(double z, double shape, double rate) {
    return shape * std::log(rate) + (shape - 1) * std::log(z) - rate * z - std::lgamma(shape);
}

/// The model's definition integrated over nu: returns log of integral of
/// Gamma(m; p x, nu x) Gamma(nu; q, gamma) g(nu) dnu, for g = 1 (the density of m_x) or another
/// function of nu. The integrand is scaled by its value at the posterior mode so it neither
/// overflows nor underflows.
template <class G>
double log_integral_over_nu(const model::params& v, double x, double m, G&& g) {
    auto log_joint = [&](double nu) { return log_gamma_pdf(m, v.p * x, nu * x) + log_gamma_pdf(nu, v.q, v.gamma); };
    const double mode = (v.p * x + v.q - 1) / (v.gamma + x * m);
    const double scale = mode > 0 ? mode : (v.p * x + v.q) / (v.gamma + x * m);
    const double top = log_joint(scale);
    boost::math::quadrature::exp_sinh<double> integrator;
    const double integral = integrator.integrate(
        [&](double u) {
            if (!(u > 0)) return 0.0;
            const double nu = u * scale;
            return std::exp(log_joint(nu) - top) * g(nu);
        },
        1e-13);
    return std::log(integral * scale) + top;
}

clv::customer_table cdnow_table(const std::vector<std::vector<double>>& cbs) {
    clv::customer_table table;  // cust,x,t.x,T.cal,x.star,m.x
    for (const auto& row : cbs) table.push_back(std::to_string(static_cast<long>(row.at(0))), {row.at(1), row.at(2), row.at(3), row.at(5), 1});
    return table;
}

/// Analytic gradient of the summed log-likelihood in log-parameters against a
/// Richardson-extrapolated central difference (error O(h^4)).
void check_gradient(const model::params& v, const clv::spend_columns& data) {
    std::array<double, 3> g{};
    REQUIRE(std::isfinite(model::log_likelihood_with_gradient(v, data, g)));
    for (std::size_t j = 0; j < 3; ++j) {
        auto at = [&](double step) {
            auto a = model::to_array(v);
            a[j] = std::exp(std::log(a[j]) + step);
            std::array<double, 3> unused{};
            return model::log_likelihood_with_gradient(model::from_array(a), data, unused);
        };
        const double h = 1e-3;
        const double fd = (4 * (at(h / 2) - at(-h / 2)) / h - (at(h) - at(-h)) / (2 * h)) / 3;
        CAPTURE(j);
        CHECK(std::abs(g[j] - fd) <= 1e-6 * std::max(std::abs(g[j]), 1.0));
    }
}

}  // namespace

TEST_CASE("Gamma-Gamma fit on the 946 CDNOW repeat buyers reproduces p, q, gamma of FHL 2005b") {
    const auto path = clv_test::shared_data("cdnow/cdnow_btyd_cbs.csv");
    if (!path) return;
    const auto table = cdnow_table(clv_test::read_numeric_csv(*path));
    REQUIRE(table.size() == 2357);
    const clv::gamma_gamma_fit result = clv::fit_gamma_gamma(table);
    REQUIRE(result.fit.converged);
    CHECK(result.fit.n_customers == 946);
    CHECK(result.customers_excluded == 1411);
    CHECK(std::abs(result.fit.params.p - 6.25) <= 5e-3);
    CHECK(std::abs(result.fit.params.q - 3.74) <= 5e-3);
    CHECK(std::abs(result.fit.params.gamma - 15.44) <= 5e-3);
    CHECK(result.fit.std_errors_available);
    CHECK(!result.correlation_warning);
    MESSAGE("CDNOW Gamma-Gamma: p=" << result.fit.params.p << " q=" << result.fit.params.q << " gamma="
                                    << result.fit.params.gamma << " LL=" << result.fit.log_likelihood << " SE=("
                                    << result.fit.std_errors[0] << ", " << result.fit.std_errors[1] << ", "
                                    << result.fit.std_errors[2] << ") corr=" << result.frequency_spend_correlation
                                    << " iterations=" << result.fit.iterations);
    // The same customers as weighted unique rows give the same fit.
    const clv::spend_data buyers = clv::repeat_buyers(table);
    clv::customer_table doubled;
    for (std::size_t i = 0; i < buyers.size(); ++i) doubled.push_back("", {buyers.frequency[i], 0, 39, buyers.monetary_value[i], 2});
    const auto twice = clv::fit_gamma_gamma(doubled);
    CHECK(twice.fit.log_likelihood == doctest::Approx(2 * result.fit.log_likelihood).epsilon(1e-12));
    CHECK(twice.fit.params.p == doctest::Approx(result.fit.params.p).epsilon(1e-6));
    CHECK(twice.frequency_spend_correlation == doctest::Approx(result.frequency_spend_correlation).epsilon(1e-12));
    // Read in chunks (as `clv fit --model gg` does): the repeat buyers added chunk by chunk are
    // those of the whole table in the same order, so the fit has the same bits.
    clv::spend_data chunked;
    for (std::size_t begin = 0; begin < table.size(); begin += 1000) {
        clv::customer_table chunk;
        for (std::size_t i = begin; i < std::min(table.size(), begin + 1000); ++i) chunk.push_back(i < table.ids.size() ? table.ids[i] : std::string(), table.row(i));
        clv::add_repeat_buyers(chunked, chunk, "cdnow", 0, clv::nonpositive_spend::error, begin);
    }
    const auto by_chunks = clv::fit_gamma_gamma(chunked);
    CHECK(by_chunks.fit.params.p == result.fit.params.p);
    CHECK(by_chunks.fit.params.q == result.fit.params.q);
    CHECK(by_chunks.fit.params.gamma == result.fit.params.gamma);
    CHECK(by_chunks.customers_excluded == result.customers_excluded);
}

TEST_CASE("Gamma-Gamma on lifetimes' CDNOW summary matches lifetimes' documented figures") {
    // lifetimes docs/Quickstart.md ("Estimating customer lifetime value using the Gamma-Gamma
    // model"), on this file (zbar rounded to cents): corr(monetary_value, frequency) = 0.113884
    // over the returning customers, and conditional expected average profit 24.658619 (customer 1),
    // 18.911489 (2), 71.462843 (6), 27.282408 (9), 35.170981 (customers without repeat purchases).
    const auto path = clv_test::shared_data("cdnow/cdnow_customers_summary_with_transactions.csv");
    if (!path) return;
    clv::io::summary_csv_options columns;
    columns.customer_column = "ID";
    columns.frequency_column = "x";
    columns.recency_column = "t_x";
    columns.monetary_value_column = "zbar";
    const auto table = clv::io::read_summary_csv(*path, columns);
    const auto result = clv::fit_gamma_gamma(table);
    REQUIRE(result.fit.converged);
    CHECK(std::abs(result.frequency_spend_correlation - 0.113884) <= 5e-7);
    const model m(result.fit.params);
    struct figure { std::size_t row; double value; };
    for (const figure f : {figure{0, 24.658619}, figure{1, 18.911489}, figure{5, 71.462843}, figure{8, 27.282408},
                           figure{2, 35.170981}}) {
        CAPTURE(f.row);
        // lifetimes' optimiser stops at its own tolerance: agreement to 1e-5 relative, not the printed 8 digits.
        CHECK(m.conditional_expected_spend(table.row(f.row)) == doctest::Approx(f.value).epsilon(1e-5));
    }
    CHECK(m.expected_spend() == m.conditional_expected_spend(table.row(2)));
}

TEST_CASE("Gamma-Gamma log-likelihood equals the quadrature of its definition") {
    for (const model::params v : {published, model::params{0.8, 2.5, 3.0}, model::params{20.0, 1.2, 400.0}}) {
        for (const double x : {1.0, 2.0, 7.0, 40.0})
            for (const double m : {0.7, 22.345, 310.0}) {
                CAPTURE(v.p); CAPTURE(v.q); CAPTURE(v.gamma); CAPTURE(x); CAPTURE(m);
                const double exact = log_integral_over_nu(v, x, m, [](double) { return 1.0; });
                CHECK(model::log_likelihood(v, x, m) == doctest::Approx(exact).epsilon(1e-9).scale(1));
            }
    }
}

TEST_CASE("The mean of two Gamma(p, nu) spends has the Gamma(2p, 2nu) density the likelihood uses") {
    // Convolution of the definition: the mean of z1, z2 has density 2 * integral_0^{2m} g(z) g(2m - z) dz.
    boost::math::quadrature::tanh_sinh<double> integrator;
    for (const double p : {0.7, 6.25})
        for (const double nu : {0.05, 1.3})
            for (const double m : {2.0, 40.0}) {
                const double convolution = 2 * integrator.integrate(
                    [&](double z) {
                        if (!(z > 0 && z < 2 * m)) return 0.0;
                        return std::exp(log_gamma_pdf(z, p, nu) + log_gamma_pdf(2 * m - z, p, nu));
                    },
                    0.0, 2 * m, 1e-12);
                CAPTURE(p); CAPTURE(nu); CAPTURE(m);
                CHECK(convolution == doctest::Approx(std::exp(log_gamma_pdf(m, 2 * p, 2 * nu))).epsilon(1e-9));
            }
}

TEST_CASE("Gamma-Gamma conditional expected spend equals the posterior mean of p / nu by quadrature") {
    // q < 1 has no population mean, but the posterior mean exists once p x + q > 1.
    for (const model::params v : {published, model::params{0.8, 2.5, 3.0}, model::params{2.0, 0.6, 10.0}}) {
        const model gg(v);
        for (const double x : {1.0, 3.0, 25.0})
            for (const double m : {0.7, 22.345, 310.0}) {
                CAPTURE(v.q); CAPTURE(x); CAPTURE(m);
                const double evidence = log_integral_over_nu(v, x, m, [](double) { return 1.0; });
                const double weighted = log_integral_over_nu(v, x, m, [&](double nu) { return v.p / nu; });
                CHECK(gg.conditional_expected_spend(x, m) == doctest::Approx(std::exp(weighted - evidence)).epsilon(1e-9));
            }
    }
    // Without repeat purchases the posterior is the prior: E[p / nu] = integral of p/nu Gamma(nu; q, gamma).
    const model gg(published);
    boost::math::quadrature::exp_sinh<double> integrator;
    const double prior_mean = integrator.integrate([&](double nu) {
        return nu > 0 ? published.p / nu * std::exp(log_gamma_pdf(nu, published.q, published.gamma)) : 0.0;
    });
    CHECK(gg.expected_spend() == doctest::Approx(prior_mean).epsilon(1e-10));
    CHECK(gg.conditional_expected_spend(0, 0) == gg.expected_spend());
    struct record { double frequency, recency, T, monetary_value; } customer{2, 30.43, 38.86, 22.35};
    CHECK(gg.conditional_expected_spend(customer) == gg.conditional_expected_spend(2, 22.35));
    CHECK(gg.log_likelihood(customer) == model::log_likelihood(published, 2, 22.35));
}

TEST_CASE("Gamma-Gamma analytic gradient matches finite differences and the 50-digit oracle") {
    using big = boost::multiprecision::cpp_bin_float_50;
    const std::vector<double> x{1, 1, 2, 3, 7, 40, 300, 2.5, 1000};
    const std::vector<double> mx{22.345, 5.0, 11.77, 310.0, 0.03, 40.0, 19.5, 8.0, 35.0};
    const std::vector<double> w{3, 1, 2, 1, 1, 1, 1, 5, 2};
    const clv::spend_columns data{x, mx, w};
    for (const model::params v : {published, model::params{1e-3, 1e-3, 1e-3}, model::params{1e3, 1e3, 1e3},
                                  model::params{1e-2, 50.0, 1e3}, model::params{30.0, 0.5, 1e-2}}) {
        CAPTURE(v.p); CAPTURE(v.q); CAPTURE(v.gamma);
        std::array<double, 3> g{};
        const double ll = model::log_likelihood_with_gradient(v, data, g);
        double direct = 0;
        for (std::size_t i = 0; i < x.size(); ++i) direct += w[i] * model::log_likelihood(v, x[i], mx[i]);
        CHECK(ll == doctest::Approx(direct).epsilon(1e-13));
        check_gradient(v, data);
        // Central differences at 50 digits with h = 1e-20: truncation 1e-40, rounding 1e-30.
        auto big_ll = [&](std::size_t j, const big& step) {
            std::array<big, 3> a{big(v.p), big(v.q), big(v.gamma)};
            a[j] *= exp(step);
            big total = 0;
            for (std::size_t i = 0; i < x.size(); ++i)
                total += big(w[i]) * clv::gamma_gamma<big>::log_likelihood({a[0], a[1], a[2]}, big(x[i]), big(mx[i]));
            return total;
        };
        for (std::size_t j = 0; j < 3; ++j) {
            const big h("1e-20");
            const double exact = static_cast<double>((big_ll(j, h) - big_ll(j, -h)) / (2 * h));
            CAPTURE(j);
            CHECK(std::abs(g[j] - exact) <= 1e-9 * std::max(1.0, std::abs(exact)));
        }
    }
}

TEST_CASE("Gamma-Gamma double agrees with the cpp_bin_float_50 oracle over extreme parameters") {
    using big = boost::multiprecision::cpp_bin_float_50;
    const std::array<double, 5> levels{1e-3, 1e-1, 1, 10, 1e3};
    double worst = 0;
    for (const double p : levels)
        for (const double q : levels)
            for (const double gamma : levels)
                for (const auto& [x, m] : {std::array<double, 2>{1, 1e-3}, {2, 22.35}, {10, 1e5}, {150, 3.0}, {1e4, 40.0}}) {
                    const model::params v{p, q, gamma};
                    const clv::gamma_gamma<big>::params vb{p, q, gamma};
                    CAPTURE(p); CAPTURE(q); CAPTURE(gamma); CAPTURE(x); CAPTURE(m);
                    const double exact = static_cast<double>(clv::gamma_gamma<big>::log_likelihood(vb, big(x), big(m)));
                    const double value = model::log_likelihood(v, x, m);
                    // An error in log f is the relative error of f, so values near 0 are judged absolutely.
                    const double error = std::abs(value - exact) / std::max(1.0, std::abs(exact));
                    worst = std::max(worst, error);
                    CHECK(error <= 1e-13);
                    if (p * x + q > 1) {
                        const double spend = model(v).conditional_expected_spend(x, m);
                        const big spend_big = clv::gamma_gamma<big>(vb).conditional_expected_spend(big(x), big(m));
                        // Rounding p x + q - 1 costs up to 2 ulp of (p x + q + 1) relative to the difference.
                        const double conditioning = (p * x + q + 1) / (p * x + q - 1);
                        CHECK(spend == doctest::Approx(static_cast<double>(spend_big)).epsilon(1e-15 + 4.5e-16 * conditioning));
                    }
                }
    MESSAGE("worst relative log-likelihood difference double vs cpp_bin_float_50: " << worst);
}

TEST_CASE("Gamma-Gamma simulation: the fit recovers known parameters within 3 standard errors") {
    const model::params truth{4.0, 3.0, 20.0};
    const model gg(truth);
    std::mt19937_64 rng(20240611);
    std::poisson_distribution<int> repeat(2.5);
    std::vector<double> frequency(20000);
    for (double& x : frequency) x = repeat(rng);  // about 8 % without repeat purchases
    const std::vector<double> spend = gg.simulate(frequency, rng);
    clv::customer_table table;
    for (std::size_t i = 0; i < frequency.size(); ++i) table.push_back("", {frequency[i], 0, 52, spend[i], 1});
    const auto result = clv::fit_gamma_gamma(table);
    REQUIRE(result.fit.converged);
    REQUIRE(result.fit.std_errors_available);
    double excluded = 0;
    for (double x : frequency) excluded += x == 0;
    CHECK(result.customers_excluded == excluded);
    const auto estimate = model::to_array(result.fit.params), want = model::to_array(truth);
    for (std::size_t i = 0; i < 3; ++i)
        CHECK_MESSAGE(std::abs(estimate[i] - want[i]) <= 3 * result.fit.std_errors[i],
                      model::parameter_names[i] << ": " << estimate[i] << " vs " << want[i] << " (SE "
                                                << result.fit.std_errors[i] << ")");
    // Independent draws: no correlation to warn about.
    CHECK(std::abs(result.frequency_spend_correlation) < 0.05);
    CHECK(!result.correlation_warning);
}

TEST_CASE("Gamma-Gamma conditional expected spend predicts each simulated customer's true mean spend") {
    // The test draws customers itself (nu, then x individual spends): E[p/nu | x, m_x] is unbiased for
    // the true mean p/nu, and beats both the customer's own m_x and the population mean in squared error.
    const model::params truth{3.0, 4.0, 30.0};
    const model gg(truth);
    std::mt19937_64 rng(77);
    std::gamma_distribution<double> nu_dist(truth.q, 1 / truth.gamma);
    std::uniform_int_distribution<int> repeat(1, 6);
    double bias = 0, squared = 0, own_squared = 0, population_squared = 0;
    const int n = 40000;
    for (int i = 0; i < n; ++i) {
        const double nu = nu_dist(rng), x = repeat(rng);
        std::gamma_distribution<double> spend(truth.p, 1 / nu);
        double sum = 0;
        for (int k = 0; k < x; ++k) sum += spend(rng);
        const double m = sum / x, true_mean = truth.p / nu;
        const double error = gg.conditional_expected_spend(x, m) - true_mean;
        bias += error;
        squared += error * error;
        own_squared += (m - true_mean) * (m - true_mean);
        population_squared += (gg.expected_spend() - true_mean) * (gg.expected_spend() - true_mean);
    }
    CHECK(std::abs(bias / n) <= 4 * std::sqrt(squared) / n);
    CHECK(squared < own_squared);
    CHECK(squared < population_squared);
}

TEST_CASE("Gamma-Gamma simulate draws mean spends with the model's moments") {
    // E[m_x] = p gamma / (q - 1) and, given x, E[m_x^2] = (p gamma)^2 (1 + 1/(p x)) / ((q-1)(q-2)).
    const model::params v{2.0, 6.0, 10.0};
    const model gg(v);
    std::mt19937_64 rng(5);
    const std::vector<double> frequency(200000, 3.0);
    const std::vector<double> spend = gg.simulate(frequency, rng);
    double mean = 0, second = 0;
    for (double m : spend) {
        mean += m / spend.size();
        second += m * m / spend.size();
    }
    const double want_mean = v.p * v.gamma / (v.q - 1);
    const double want_second = v.p * v.gamma * v.p * v.gamma * (1 + 1 / (v.p * 3)) / ((v.q - 1) * (v.q - 2));
    const double sd = std::sqrt(want_second - want_mean * want_mean);
    CHECK(std::abs(mean - want_mean) <= 4 * sd / std::sqrt(200000.0));
    CHECK(second == doctest::Approx(want_second).epsilon(0.02));
    const std::vector<double> none{0, 0};
    for (double m : gg.simulate(none, rng)) CHECK(m == 0);
}

TEST_CASE("frequency_spend_correlation is the weighted Pearson correlation and flags strong association") {
    const std::vector<double> x{1, 2, 3, 4}, m{10, 20, 25, 50}, w{1, 2, 1, 1};
    // The weights as repeated rows: (1,10), (2,20), (2,20), (3,25), (4,50), by hand.
    const double mx = 12.0 / 5, mm = 125.0 / 5;
    double sxx = 0, smm = 0, sxm = 0;
    for (const auto& [a, b] : {std::array<double, 2>{1, 10}, {2, 20}, {2, 20}, {3, 25}, {4, 50}}) {
        sxx += (a - mx) * (a - mx);
        smm += (b - mm) * (b - mm);
        sxm += (a - mx) * (b - mm);
    }
    CHECK(clv::frequency_spend_correlation({x, m, w}) == doctest::Approx(sxm / std::sqrt(sxx * smm)).epsilon(1e-14));
    const std::vector<double> same{2, 2, 2, 2};
    CHECK(clv::frequency_spend_correlation({same, m, {}}) == 0);
    clv::customer_table table;
    for (std::size_t i = 0; i < x.size(); ++i) table.push_back("", {x[i], 1, 10, m[i], w[i]});
    table.push_back("", {0, 0, 10, 0, 7});
    const auto result = clv::fit_gamma_gamma(table);
    CHECK(result.customers_excluded == 7);
    CHECK(result.correlation_warning);
    CHECK(result.frequency_spend_correlation > clv::frequency_spend_correlation_threshold);
}

TEST_CASE("Gamma-Gamma rejects bad input with invalid_input naming the field and row") {
    CHECK_THROWS_AS(model({0.0, 1, 1}), clv::invalid_input);
    CHECK_THROWS_AS(model({1, std::nan(""), 1}), clv::invalid_input);
    try {
        model({1, 1, -2});
        FAIL("no throw");
    } catch (const clv::invalid_input& e) {
        CHECK(e.field() == "gamma");
    }
    // Repeat buyers with a spend that is not a positive number: an error naming the row and customer.
    for (const double bad : {0.0, -3.5, std::nan(""), std::numeric_limits<double>::infinity()}) {
        clv::customer_table table;
        table.push_back("a", {2, 5, 10, 20, 1});
        table.push_back("b", {3, 6, 10, bad, 1});
        CAPTURE(bad);
        try {
            clv::fit_gamma_gamma(table, {}, "orders.csv", 2);
            FAIL("no throw");
        } catch (const clv::invalid_input& e) {
            CHECK(e.field() == "monetary_value");
            const std::string message = e.what();
            CHECK(message.find("orders.csv (customer 'b'):3") != std::string::npos);
        }
        CHECK_THROWS_AS(clv::repeat_buyers(table), clv::invalid_input);
        // As the second chunk of an input, after 40 rows: row 42 of the input.
        clv::spend_data buyers;
        CHECK_THROWS_WITH_AS(clv::add_repeat_buyers(buyers, table, "orders.csv", 0, clv::nonpositive_spend::error, 40),
                             doctest::Contains("orders.csv, row 42 (customer 'b')"), clv::invalid_input);
    }
    // With the exclude policy, finite spends <= 0 are left out and counted; NaN and inf stay errors.
    {
        clv::customer_table table;
        table.push_back("a", {2, 5, 10, 20, 1});
        table.push_back("zero", {3, 6, 10, 0.0, 2});
        table.push_back("refund", {1, 6, 10, -4.0, 1});
        table.push_back("new", {0, 0, 10, 0.0, 1});
        const clv::spend_data kept = clv::repeat_buyers(table, "orders.csv", 2, clv::nonpositive_spend::exclude);
        REQUIRE(kept.size() == 1);
        CHECK(kept.monetary_value[0] == 20);
        CHECK(kept.nonpositive_spend_excluded == 3);  // weights 2 + 1
        CHECK(kept.customers_excluded == 1);
        CHECK_THROWS_WITH_AS(clv::repeat_buyers(table), doctest::Contains("nonpositive_spend::exclude"),
                             clv::invalid_input);
        for (const double bad : {std::nan(""), std::numeric_limits<double>::infinity()}) {
            clv::customer_table odd = table;
            odd.push_back("odd", {2, 5, 10, bad, 1});
            CHECK_THROWS_AS(clv::repeat_buyers(odd, "orders.csv", 2, clv::nonpositive_spend::exclude),
                            clv::invalid_input);
        }
    }
    clv::customer_table negative;
    negative.push_back("c", {-1, 0, 10, 20, 1});
    CHECK_THROWS_AS(clv::repeat_buyers(negative), clv::invalid_input);
    clv::customer_table nobody;
    nobody.push_back("d", {0, 0, 10, 0, 1});
    CHECK_THROWS_WITH_AS(clv::fit_gamma_gamma(nobody), doctest::Contains("no repeat buyers"), clv::invalid_input);

    // q <= 1: the population mean is infinite; a repeat buyer's posterior mean needs p x + q > 1.
    const model heavy({0.2, 0.9, 10});
    CHECK_THROWS_WITH_AS(heavy.expected_spend(), doctest::Contains("infinite"), clv::invalid_input);
    CHECK_THROWS_AS(heavy.conditional_expected_spend(0, 0), clv::invalid_input);
    CHECK(std::isfinite(heavy.conditional_expected_spend(1, 5)));
    CHECK_THROWS_AS(model({0.05, 0.9, 10}).conditional_expected_spend(1, 5), clv::invalid_input);

    const model gg(published);
    // m_x = 0 for a repeat buyer (free orders, left out of the fit by nonpositive_spend::exclude):
    // the limit m_x -> 0 of the posterior mean, p gamma / (p x + q - 1), continuous from above.
    const double limit = published.p * published.gamma / (2 * published.p + published.q - 1);
    CHECK(gg.conditional_expected_spend(2, 0) == doctest::Approx(limit).epsilon(1e-14));
    CHECK(gg.conditional_expected_spend(2, 1e-9) == doctest::Approx(limit).epsilon(1e-9));
    CHECK_THROWS_AS(gg.conditional_expected_spend(2, -1), clv::invalid_input);
    CHECK_THROWS_AS(gg.conditional_expected_spend(2, std::nan("")), clv::invalid_input);
    CHECK_THROWS_AS(gg.conditional_expected_spend(-1, 5), clv::invalid_input);
    CHECK_THROWS_AS(gg.conditional_expected_spend(std::nan(""), 5), clv::invalid_input);
    struct record { double frequency, recency, T, monetary_value; } one_timer{0, 0, 30, 0};
    CHECK_THROWS_AS(gg.log_likelihood(one_timer), clv::invalid_input);

    const std::vector<double> x{1, 2}, m{5, 0}, short_m{5}, bad_w{1, -1}, good_m{5, 6};
    CHECK_THROWS_AS(model::fit({x, m, {}}), clv::invalid_input);
    CHECK_THROWS_AS(gg.log_likelihood(clv::spend_columns{x, m, {}}), clv::invalid_input);
    CHECK_THROWS_AS(model::fit({x, short_m, {}}), clv::invalid_input);
    CHECK_THROWS_AS(model::fit({x, good_m, bad_w}), clv::invalid_input);
    std::mt19937_64 rng(1);
    const std::vector<double> fractional{1.5}, negative_x{-1};
    CHECK_THROWS_AS(gg.simulate(fractional, rng), clv::invalid_input);
    CHECK_THROWS_AS(gg.simulate(negative_x, rng), clv::invalid_input);
}

TEST_CASE("Gamma-Gamma fit is equivariant in the unit of money: cents give gamma x 100, same p and q") {
    const model gg({4.0, 3.0, 20.0});
    std::mt19937_64 rng(3);
    std::vector<double> frequency(3000);
    std::uniform_int_distribution<int> repeat(1, 8);
    for (double& x : frequency) x = repeat(rng);
    const std::vector<double> dollars = gg.simulate(frequency, rng);
    std::vector<double> cents;
    for (double m : dollars) cents.push_back(100 * m);
    const auto in_dollars = model::fit({frequency, dollars, {}});
    const auto in_cents = model::fit({frequency, cents, {}});
    REQUIRE(in_dollars.converged);
    REQUIRE(in_cents.converged);
    CHECK(in_cents.params.p == doctest::Approx(in_dollars.params.p).epsilon(1e-6));
    CHECK(in_cents.params.q == doctest::Approx(in_dollars.params.q).epsilon(1e-6));
    CHECK(in_cents.params.gamma == doctest::Approx(100 * in_dollars.params.gamma).epsilon(1e-6));
    // Densities of m in cents are 1/100 of those in dollars: LL differs by n log 100.
    CHECK(in_cents.log_likelihood == doctest::Approx(in_dollars.log_likelihood - 3000 * std::log(100.0)).epsilon(1e-10));
}
