// The shared fitting layer (BFGS + maximum likelihood + standard errors) on problems whose
// answers are known in closed form.
#include <clv/data/customer_table.hpp>
#include <clv/fit/maximum_likelihood.hpp>

#include <doctest/doctest.h>

#include <array>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>
#include <vector>

namespace {
double rosenbrock(const Eigen::VectorXd& x, Eigen::VectorXd& g) {
    const double a = 1 - x[0], b = x[1] - x[0] * x[0];
    g[0] = -2 * a - 400 * x[0] * b;
    g[1] = 200 * b;
    return a * a + 100 * b * b;
}
}  // namespace

TEST_CASE("BFGS finds the Rosenbrock minimum") {
    Eigen::VectorXd x(2);
    x << -1.2, 1.0;
    const auto report = clv::fit::minimize_bfgs(rosenbrock, x);
    CHECK(report.converged);
    CHECK(x[0] == doctest::Approx(1).epsilon(1e-6));
    CHECK(x[1] == doctest::Approx(1).epsilon(1e-6));
}

TEST_CASE("BFGS stops early, not converged, at the first point the caller's predicate accepts") {
    Eigen::VectorXd full(2);
    full << -1.2, 1.0;
    Eigen::VectorXd early = full;
    const auto whole_run = clv::fit::minimize_bfgs(rosenbrock, full);
    clv::fit::bfgs_options options;
    int asked = 0;
    options.stop_early = [&](const Eigen::VectorXd& x) {
        ++asked;
        return (x - Eigen::Vector2d(1, 1)).cwiseAbs().maxCoeff() <= 0.1;
    };
    const auto report = clv::fit::minimize_bfgs(rosenbrock, early, options);
    REQUIRE(whole_run.converged);
    CHECK(report.stopped_early);
    CHECK_FALSE(report.converged);
    CHECK((early - Eigen::Vector2d(1, 1)).cwiseAbs().maxCoeff() <= 0.1);
    CHECK(report.iterations < whole_run.iterations);
    CHECK(asked == report.iterations);  // asked once per iteration, the last answer yes
    Eigen::VectorXd g(2);
    CHECK(report.value == rosenbrock(early, g));
}

TEST_CASE("BFGS backs off from trial points where the objective is not finite") {
    // Minimum at x = 1; undefined (NaN) for x <= 0.5: a long first step lands there.
    auto f = [](const Eigen::VectorXd& x, Eigen::VectorXd& g) {
        if (x[0] <= 0.5) { g[0] = std::numeric_limits<double>::quiet_NaN(); return std::numeric_limits<double>::quiet_NaN(); }
        g[0] = 1 - 1 / (x[0] - 0.5) * 0.5;
        return x[0] - 0.5 * std::log(x[0] - 0.5);
    };
    Eigen::VectorXd x(1);
    x << 40.0;
    clv::fit::bfgs_options options;
    options.max_step = 100;
    const auto report = clv::fit::minimize_bfgs(f, x, options);
    CHECK(report.converged);
    CHECK(x[0] == doctest::Approx(1.0).epsilon(1e-8));
}

TEST_CASE("BFGS reports failure honestly") {
    auto unbounded = [](const Eigen::VectorXd& x, Eigen::VectorXd& g) { g[0] = -1; return -x[0]; };
    Eigen::VectorXd x(1);
    x << 0.0;
    clv::fit::bfgs_options options;
    options.max_iterations = 20;
    const auto report = clv::fit::minimize_bfgs(unbounded, x, options);
    CHECK_FALSE(report.converged);
    CHECK(report.status.find("did not converge") != std::string::npos);
}

namespace {
// Poisson counts x over exposure T with rate lambda, and exponential "durations" t_x with rate
// mu: LL = sum w (x log lambda - lambda T + log mu - mu t_x). Closed-form MLE and information.
struct poisson_exponential {
    struct params { double lambda, mu; };
    static constexpr std::size_t parameter_count = 2;
    static constexpr std::array<std::string_view, 2> parameter_names{"lambda", "mu"};
    static constexpr std::string_view name = "toy";
    static std::array<double, 2> to_array(const params& p) { return {p.lambda, p.mu}; }
    static params from_array(const std::array<double, 2>& a) { return {a[0], a[1]}; }
    static params default_start(const clv::transaction_columns&) { return {1.0, 1.0}; }
    static double total_weight(const clv::transaction_columns& d) { return d.total_weight(); }
    static double log_likelihood_with_gradient(const params& p, const clv::transaction_columns& d,
                                               std::array<double, 2>& g) {
        double ll = 0;
        g = {0, 0};
        for (std::size_t i = 0; i < d.size(); ++i) {
            const double w = d.weight_at(i), x = d.frequency[i], t = d.recency[i], T = d.T[i];
            ll += w * (x * std::log(p.lambda) - p.lambda * T + std::log(p.mu) - p.mu * t);
            g[0] += w * (x - p.lambda * T);  // d/d log lambda
            g[1] += w * (1 - p.mu * t);      // d/d log mu
        }
        return ll;
    }
};
}  // namespace

TEST_CASE("maximum likelihood: estimates, standard errors and AIC/BIC match the closed forms") {
    std::mt19937_64 rng(7);
    std::poisson_distribution<int> counts(6.0);
    std::exponential_distribution<double> durations(0.5);
    clv::customer_table t;
    for (int i = 0; i < 500; ++i) {
        const double T = 10;
        t.push_back("", {static_cast<double>(counts(rng)), durations(rng), T, 0, 1.0 + i % 3});
    }
    double sx = 0, sT = 0, st = 0, sw = 0;
    for (std::size_t i = 0; i < t.size(); ++i) {
        sx += t.weight[i] * t.frequency[i];
        sT += t.weight[i] * t.T[i];
        st += t.weight[i] * t.recency[i];
        sw += t.weight[i];
    }
    const auto fit = clv::fit::maximize_likelihood<poisson_exponential>(t.columns());
    REQUIRE(fit.converged);
    const double lambda = sx / sT, mu = sw / st;
    CHECK(fit.params.lambda == doctest::Approx(lambda).epsilon(1e-8));
    CHECK(fit.params.mu == doctest::Approx(mu).epsilon(1e-8));
    REQUIRE(fit.std_errors_available);
    CHECK(fit.std_errors[0] == doctest::Approx(lambda / std::sqrt(sx)).epsilon(1e-5));
    CHECK(fit.std_errors[1] == doctest::Approx(mu / std::sqrt(sw)).epsilon(1e-5));
    CHECK(fit.covariance(0, 1) == doctest::Approx(0).epsilon(1e-6));
    const double ll = sx * std::log(lambda) - lambda * sT + sw * std::log(mu) - mu * st;
    CHECK(fit.log_likelihood == doctest::Approx(ll).epsilon(1e-12));
    CHECK(fit.n_customers == doctest::Approx(sw));
    CHECK(fit.aic() == doctest::Approx(4 - 2 * ll));
    CHECK(fit.bic() == doctest::Approx(2 * std::log(sw) - 2 * ll));
}

TEST_CASE("the L2 penalty on log-parameters shrinks estimates towards 1") {
    clv::customer_table t;
    t.push_back("", {30, 0.1, 1, 0, 1});  // lambda-hat = 30, mu-hat = 10
    const auto plain = clv::fit::maximize_likelihood<poisson_exponential>(t.columns());
    clv::fit::fit_options options;
    options.penalty = 0.5;
    const auto penalised = clv::fit::maximize_likelihood<poisson_exponential>(t.columns(), options);
    REQUIRE(plain.converged);
    REQUIRE(penalised.converged);
    CHECK(plain.params.lambda == doctest::Approx(30).epsilon(1e-8));
    // Penalised optimum: x - lambda T - 2 c log(lambda) = 0, i.e. 30 - lambda = log(lambda).
    double l = 20;
    for (int i = 0; i < 100; ++i) l = 30 - std::log(l);
    CHECK(penalised.params.lambda == doctest::Approx(l).epsilon(1e-7));
    CHECK(penalised.penalty == 0.5);
}

TEST_CASE("an estimate that runs off to the boundary is not reported as converged") {
    clv::customer_table t;  // no counts at all: lambda-hat = 0, log lambda -> -infinity
    t.push_back("", {0, 1, 1, 0, 1});
    t.push_back("", {0, 2, 1, 0, 1});
    const auto fit = clv::fit::maximize_likelihood<poisson_exponential>(t.columns());
    CHECK_FALSE(fit.converged);
    CHECK(fit.status.find("lambda") != std::string::npos);
}

TEST_CASE("a fit that did not converge reports no standard errors") {
    // The Poisson/exponential objective is convex in the log-parameters, so its Hessian is
    // positive definite everywhere: only the convergence flag can withhold the standard errors.
    clv::customer_table t;
    t.push_back("", {30, 0.1, 1, 0, 1});
    t.push_back("", {10, 0.5, 2, 0, 1});
    clv::fit::fit_options options;
    options.optimizer.max_iterations = 1;
    options.extra_starts = 0;
    const auto fit = clv::fit::maximize_likelihood<poisson_exponential>(t.columns(), options);
    REQUIRE_FALSE(fit.converged);
    CHECK_FALSE(fit.std_errors_available);
    for (double se : fit.std_errors) CHECK(std::isnan(se));
    CHECK(std::isnan(fit.covariance(0, 0)));
}

TEST_CASE("a penalised fit says its standard errors are those of the penalised objective") {
    clv::customer_table t;
    t.push_back("", {30, 0.1, 1, 0, 1});
    clv::fit::fit_options options;
    options.penalty = 0.5;
    const auto fit = clv::fit::maximize_likelihood<poisson_exponential>(t.columns(), options);
    REQUIRE(fit.converged);
    REQUIRE(fit.std_errors_available);
    CHECK(fit.std_errors_penalised);
    CHECK(fit.status.find("penalised objective") != std::string::npos);
    // Penalised objective in theta = log lambda: lambda T - x theta + c theta^2 (N = 1, T = 1), whose
    // second derivative is lambda + 2c; delta method: SE(lambda) = lambda / sqrt(lambda + 2c).
    const double lambda = fit.params.lambda;
    CHECK(fit.std_errors[0] == doctest::Approx(lambda / std::sqrt(lambda + 2 * 0.5)).epsilon(1e-5));
    const auto plain = clv::fit::maximize_likelihood<poisson_exponential>(t.columns());
    CHECK_FALSE(plain.std_errors_penalised);
    CHECK(plain.status.find("penal") == std::string::npos);
}

namespace {
// The toy model with a penalty centre lambda = e (as a model centres a time scale on the data's).
struct poisson_exponential_centred : poisson_exponential {
    static std::array<double, 2> penalty_reference(const clv::transaction_columns&) { return {std::exp(1.0), 1.0}; }
};
}  // namespace

TEST_CASE("the penalty is centred on the model's reference values") {
    clv::customer_table t;
    t.push_back("", {30, 0.1, 1, 0, 1});
    clv::fit::fit_options options;
    options.penalty = 0.5;
    const auto fit = clv::fit::maximize_likelihood<poisson_exponential_centred>(t.columns(), options);
    REQUIRE(fit.converged);
    // x - lambda T - 2 c (log lambda - 1) = 0 with c = 0.5: lambda = 30 - log(lambda) + 1.
    double l = 20;
    for (int i = 0; i < 100; ++i) l = 31 - std::log(l);
    CHECK(fit.params.lambda == doctest::Approx(l).epsilon(1e-7));
}

TEST_CASE("the extra starts form a factorial design, the half-fraction first: every pair of factors at all four sign pairs") {
    const auto design = clv::fit::detail::half_fraction_design(4, 8);
    REQUIRE(design.size() == 8);
    bool all_low = false, all_high = false;
    for (const auto& run : design) {
        all_low = all_low || (run[0] < 0 && run[1] < 0 && run[2] < 0 && run[3] < 0);
        all_high = all_high || (run[0] > 0 && run[1] > 0 && run[2] > 0 && run[3] > 0);
    }
    CHECK(all_low);   // e.g. a and b both small
    CHECK(all_high);  // and both large
    for (std::size_t i = 0; i < 4; ++i)
        for (std::size_t j = i + 1; j < 4; ++j)
            for (int si : {-1, 1})
                for (int sj : {-1, 1}) {
                    int count = 0;
                    for (const auto& run : design) count += run[i] == si && run[j] == sj;
                    CHECK(count == 2);
                }
    // Beyond the half-fraction comes the complementary half: the full factorial, no run twice.
    const auto full = clv::fit::detail::half_fraction_design(4, 100);
    CHECK(full.size() == 16);
    for (std::size_t i = 0; i < full.size(); ++i)
        for (std::size_t j = i + 1; j < full.size(); ++j) CHECK(full[i] != full[j]);
    CHECK(clv::fit::detail::half_fraction_design(2, 8).size() == 4);
    CHECK(clv::fit::detail::half_fraction_design(1, 8).size() == 2);
}

namespace {
// The contract's parts shared by the two-parameter toy likelihoods below (start at u = v = 1).
struct two_parameter_toy {
    struct params { double u, v; };
    static constexpr std::size_t parameter_count = 2;
    static constexpr std::array<std::string_view, 2> parameter_names{"u", "v"};
    static std::array<double, 2> to_array(const params& p) { return {p.u, p.v}; }
    static params from_array(const std::array<double, 2>& a) { return {a[0], a[1]}; }
    static params default_start(const clv::transaction_columns&) { return {1.0, 1.0}; }
    static double total_weight(const clv::transaction_columns& d) { return d.total_weight(); }
};
}  // namespace

namespace {
// Two maxima in (log u, log v): a lower one at (0.3, 0.3), next to the default start (0, 0), and
// the higher one at (-2.5, -2.5), where both parameters are small (as the MBG/NBD local maximum
// with a and b both small). LL = N g(theta), g = exp(-|theta - m1|^2) + 2 exp(-2 |theta - m2|^2).
struct two_peaks : two_parameter_toy {
    static double log_likelihood_with_gradient(const params& p, const clv::transaction_columns& d,
                                               std::array<double, 2>& g) {
        const double n = d.total_weight(), x = std::log(p.u), y = std::log(p.v);
        const double e1 = std::exp(-((x - 0.3) * (x - 0.3) + (y - 0.3) * (y - 0.3)));
        const double e2 = 2 * std::exp(-2 * ((x + 2.5) * (x + 2.5) + (y + 2.5) * (y + 2.5)));
        g = {n * (-2 * (x - 0.3) * e1 - 4 * (x + 2.5) * e2), n * (-2 * (y - 0.3) * e1 - 4 * (y + 2.5) * e2)};
        return n * (e1 + e2);
    }
};
}  // namespace

TEST_CASE("the extra starts reach a higher maximum where both parameters are small") {
    clv::customer_table t;
    for (int i = 0; i < 50; ++i) t.push_back("", {1, 1, 2, 0, 1});
    clv::fit::fit_options single;
    single.extra_starts = 0;
    const auto local = clv::fit::maximize_likelihood<two_peaks>(t.columns(), single);
    REQUIRE(local.converged);
    CHECK(std::log(local.params.u) == doctest::Approx(0.3).epsilon(1e-3));  // the nearby, lower peak
    const auto fit = clv::fit::maximize_likelihood<two_peaks>(t.columns());
    REQUIRE(fit.converged);
    CHECK(std::log(fit.params.u) == doctest::Approx(-2.5).epsilon(1e-4));
    CHECK(std::log(fit.params.v) == doctest::Approx(-2.5).epsilon(1e-4));
    CHECK(fit.log_likelihood > local.log_likelihood);
}

namespace {
// An interior maximum near the default start (height about 1 at (0.3, 0.3) in (log u, log v))
// and a likelihood that rises higher (towards 2) as v grows without bound: there is no maximum
// likelihood estimate, so the fit must not report the interior maximum as converged.
// LL = N [exp(-|theta - m|^2) + 2 sigmoid(y - 4) exp(-x^2 / 8)].
struct rises_at_the_edge : two_parameter_toy {
    static double log_likelihood_with_gradient(const params& p, const clv::transaction_columns& d,
                                               std::array<double, 2>& g) {
        const double n = d.total_weight(), x = std::log(p.u), y = std::log(p.v);
        const double peak = std::exp(-((x - 0.3) * (x - 0.3) + (y - 0.3) * (y - 0.3)));
        const double sig = 1 / (1 + std::exp(-(y - 4))), bell = std::exp(-x * x / 8);
        g = {n * (-2 * (x - 0.3) * peak - 2 * sig * bell * x / 4),
             n * (-2 * (y - 0.3) * peak + 2 * sig * (1 - sig) * bell)};
        return n * (peak + 2 * sig * bell);
    }
};
}  // namespace

TEST_CASE("an interior maximum is not reported as converged when the likelihood rises higher at the edge") {
    clv::customer_table t;
    for (int i = 0; i < 50; ++i) t.push_back("", {1, 1, 2, 0, 1});
    clv::fit::fit_options single;
    single.extra_starts = 0;
    const auto local = clv::fit::maximize_likelihood<rises_at_the_edge>(t.columns(), single);
    REQUIRE(local.converged);  // the single start only sees the interior maximum
    CHECK(std::log(local.params.u) == doctest::Approx(0.3).epsilon(0.05));
    const auto fit = clv::fit::maximize_likelihood<rises_at_the_edge>(t.columns());
    CHECK_FALSE(fit.converged);
    CHECK(fit.log_likelihood > local.log_likelihood + 0.5 * 50);
    CHECK(fit.status.find("v runs to infinity") != std::string::npos);
    CHECK_FALSE(fit.std_errors_available);
}

TEST_CASE("the screening subsample stands for the customers, not for the rows of a compressed table") {
    // One row for 10,000 customers without a repeat purchase, then 2,000 rare histories of one
    // customer each: a sample of rows at a fixed stride would be almost all rare histories.
    std::vector<double> x{0}, t_x{0}, T{30}, w{10000};
    for (int i = 0; i < 2000; ++i) {
        x.push_back(1 + i % 7);
        t_x.push_back(1 + i % 20);
        T.push_back(30);
        w.push_back(1);
    }
    const clv::transaction_columns data{x, t_x, T, w};
    const clv::fit::detail::weighted_sample<clv::transaction_columns> sample(data, 400);
    const double total = std::accumulate(sample.weight.begin(), sample.weight.end(), 0.0);
    CHECK(total == doctest::Approx(12000).epsilon(1e-12));
    CHECK(sample.weight.size() <= 400);
    REQUIRE(!sample.frequency.empty());
    CHECK(sample.frequency[0] == 0);
    const double step = 12000.0 / 400;
    CHECK(std::abs(sample.weight[0] - 10000) <= step);  // the heavy row keeps its share, within one step
    for (std::size_t i = 1; i < sample.weight.size(); ++i) CHECK(sample.weight[i] == doctest::Approx(step));

    // Equal weights: every (n / rows)-th row, each standing for that many customers.
    std::vector<double> ones(1000, 1.0), xs(1000), ts(1000), Ts(1000, 50.0);
    for (int i = 0; i < 1000; ++i) xs[static_cast<std::size_t>(i)] = i;
    const clv::fit::detail::weighted_sample<clv::transaction_columns> even({xs, ts, Ts, ones}, 100);
    REQUIRE(even.frequency.size() == 100);
    for (std::size_t i = 0; i < 100; ++i) {
        CHECK(even.frequency[i] == static_cast<double>(10 * i + 5));
        CHECK(even.weight[i] == doctest::Approx(10));
    }
}

TEST_CASE("BFGS started with the exact inverse Hessian of a quadratic lands on its minimum in one step") {
    // f(x) = 0.5 (x - c)' A (x - c), badly scaled: from the identity BFGS needs several steps.
    Eigen::Matrix2d A;
    A << 100, 3, 3, 0.5;
    const Eigen::Vector2d c(1.5, -2.0);
    auto quadratic = [&](const Eigen::VectorXd& x, Eigen::VectorXd& g) {
        g = A * (x - c);
        return 0.5 * (x - c).dot(A * (x - c));
    };
    clv::fit::bfgs_options options;
    options.max_step = 100;
    Eigen::VectorXd cold = Eigen::Vector2d(0, 0), warm = cold;
    const auto from_identity = clv::fit::minimize_bfgs(quadratic, cold, options);
    const Eigen::MatrixXd inverse = A.inverse();
    const auto from_inverse = clv::fit::minimize_bfgs(quadratic, warm, options, &inverse);
    REQUIRE(from_identity.converged);
    REQUIRE(from_inverse.converged);
    CHECK(from_inverse.iterations == 1);
    CHECK(from_identity.iterations > 1);
    CHECK(warm[0] == doctest::Approx(c[0]).epsilon(1e-12));
    CHECK(warm[1] == doctest::Approx(c[1]).epsilon(1e-12));
    // The report hands back its final approximation, which a related problem can start from.
    REQUIRE(from_identity.inverse_hessian.rows() == 2);
    CHECK(from_identity.inverse_hessian.allFinite());
}

namespace {
std::size_t full_data_rows = 0;
int full_data_evaluations = 0;
struct counted_poisson_exponential : poisson_exponential {
    static double log_likelihood_with_gradient(const params& p, const clv::transaction_columns& d,
                                               std::array<double, 2>& g) {
        if (d.size() == full_data_rows) ++full_data_evaluations;
        return poisson_exponential::log_likelihood_with_gradient(p, d, g);
    }
};
}  // namespace

TEST_CASE("a fit of many customers warms up on the subsample: the same estimate, fewer passes over the data") {
    std::mt19937_64 rng(11);
    std::poisson_distribution<int> counts(3.0);
    std::exponential_distribution<double> durations(0.2);
    clv::customer_table t;
    for (int i = 0; i < 20000; ++i) t.push_back("", {static_cast<double>(counts(rng)), durations(rng), 10, 0, 1});
    double sx = 0, sT = 0, st = 0;
    for (std::size_t i = 0; i < t.size(); ++i) {
        sx += t.frequency[i];
        sT += t.T[i];
        st += t.recency[i];
    }
    full_data_rows = t.size();
    clv::fit::fit_options warm, cold;
    warm.extra_starts = cold.extra_starts = 0;
    cold.screening_rows = 0;  // no subsample: the fit starts from the default start on all rows
    full_data_evaluations = 0;
    const auto warm_fit = clv::fit::maximize_likelihood<counted_poisson_exponential>(t.columns(), warm);
    const int warm_passes = full_data_evaluations;
    full_data_evaluations = 0;
    const auto cold_fit = clv::fit::maximize_likelihood<counted_poisson_exponential>(t.columns(), cold);
    const int cold_passes = full_data_evaluations;
    REQUIRE(warm_fit.converged);
    REQUIRE(cold_fit.converged);
    // Closed forms: lambda = sum x / sum T, mu = n / sum t.
    CHECK(warm_fit.params.lambda == doctest::Approx(sx / sT).epsilon(1e-8));
    CHECK(warm_fit.params.mu == doctest::Approx(static_cast<double>(t.size()) / st).epsilon(1e-8));
    CHECK(warm_fit.log_likelihood == doctest::Approx(cold_fit.log_likelihood).epsilon(1e-12));
    REQUIRE(warm_fit.std_errors_available);
    CHECK(warm_fit.std_errors[0] == doctest::Approx(cold_fit.std_errors[0]).epsilon(1e-5));
    MESSAGE("passes over the 20,000 rows: " << warm_passes << " warm, " << cold_passes << " cold");
    CHECK(warm_passes < cold_passes);
}
