// BG/NBD and MBG/NBD DERT by the residue series (models/detail/beta_geometric.hpp, dert_series)
// against the nested quadrature of its definition (the method it replaces where it applies), the
// same quadrature at 50 digits, the series at 50 digits (its rounding in double), and the
// brute-force sum over purchases; DERT >= 0 and non-increasing in the rate across the switch
// between methods; batch scoring with the same bits on any number of threads.
#include <clv/models/bg_bb.hpp>
#include <clv/models/bg_nbd.hpp>
#include <clv/models/gamma_gamma.hpp>
#include <clv/models/mbg_nbd.hpp>
#include <clv/models/pareto_nbd.hpp>
#include <clv/models/detail/beta_geometric.hpp>
#include <clv/value/scoring.hpp>

#include <boost/math/distributions/gamma.hpp>
#include <boost/math/quadrature/exp_sinh.hpp>
#include <boost/multiprecision/cpp_bin_float.hpp>
#include <doctest/doctest.h>

#include <cmath>
#include <random>
#include <vector>

namespace {

namespace bg = clv::detail::beta_geometric;
using big = boost::multiprecision::cpp_bin_float_50;

// Parameters of a customer alive at T as the models pass them (r + x, a, b + x), over the range
// seen in fits (CDNOW's r = 0.243, a = 0.793, b = 2.426 among them) and d = delta (alpha + T) from
// 1e-4 (a day-old customer at a low rate) to 2 (decades at 15 % a year).
struct dert_case {
    double d, r, a, b;
};
std::vector<dert_case> usual_cases() {
    std::vector<dert_case> out;
    for (double r : {0.243, 0.7, 2.1}) {
        for (double a : {0.3, 0.793, 1.6, 4.2}) {
            for (double b : {0.8, 2.426, 9.5}) {
                for (double x : {0.0, 1.0, 4.0, 25.0}) {
                    for (double d : {1e-4, 0.003, 0.02, 0.1, 0.3, 0.8, 2.0}) out.push_back({d, r + x, a, b + x});
                }
            }
        }
    }
    return out;
}

}  // namespace

TEST_CASE("DERT residue series equals the nested quadrature of its definition") {
    int by_series = 0, usual = 0;
    for (const auto& c : usual_cases()) {
        CAPTURE(c.d);
        CAPTURE(c.r);
        CAPTURE(c.a);
        CAPTURE(c.b);
        double series = 0;
        const bool accepted = bg::dert_series<double>(c.d, c.r, c.a, c.b, series);
        if (c.d <= 0.1) {
            ++usual;
            by_series += accepted ? 1 : 0;
        }
        if (!accepted) continue;
        const double quadrature = bg::discounted_expected_count_quadrature<double>(c.d, c.r, 1.0, c.a, c.b);
        CHECK(series == doctest::Approx(quadrature).epsilon(1e-9));
        // The series at 50 digits (same formula, no rounding to speak of): what double loses.
        big exact;
        REQUIRE(bg::dert_series<big>(big(c.d), big(c.r), big(c.a), big(c.b), exact));
        CHECK(series == doctest::Approx(static_cast<double>(exact)).epsilon(2e-11));
    }
    // The series must carry the usual range (d = delta (alpha + T) <= 0.1: 15 % a year over
    // about 9 months of alpha + T), or it saves nothing; larger d with large b falls back.
    CHECK(by_series >= usual * 9 / 10);
}

TEST_CASE("DERT residue series equals the 50-digit nested quadrature (one point: it takes seconds)") {
    const double d = 1.0, r = 3.243, a = 0.793, b = 4.426;
    double series = 0;
    REQUIRE(bg::dert_series<double>(d, r, a, b, series));
    const big oracle = bg::discounted_expected_count_quadrature<big>(big(d), big(r), big(1), big(a), big(b));
    CHECK(series == doctest::Approx(static_cast<double>(oracle)).epsilon(1e-13));
}

TEST_CASE("DERT equals the brute-force sum over purchases") {
    // Given lambda, purchase j is made while alive with probability E[(1-p)^(j-1)] = B(a, b+j-1)/B(a, b)
    // and discounted by E[e^(-d t_j) | lambda] = (lambda/(lambda+d))^j (t_j ~ Gamma(j, lambda)): the
    // sum over j until the terms vanish, then the expectation over lambda ~ Gamma(r, 1) by exp-sinh.
    for (const auto& c : {dert_case{0.5, 2.243, 1.6, 4.426}, dert_case{0.05, 0.243, 0.793, 2.426}}) {
        CAPTURE(c.d);
        auto purchases_given_lambda = [&](double lambda) {
            const double q = lambda / (lambda + c.d);
            double total = 0, survive = 1, discount = q;
            for (int j = 1; discount * survive > 1e-18 * total || j < 10; ++j) {
                total += survive * discount;
                survive *= (c.b + j - 1) / (c.a + c.b + j - 1);
                discount *= q;
            }
            return total;
        };
        const boost::math::gamma_distribution<double> lambda_dist(c.r, 1.0);
        boost::math::quadrature::exp_sinh<double> rule;
        const double brute = rule.integrate(
            [&](double lambda) {
                const double density = lambda > 0 ? boost::math::pdf(lambda_dist, lambda) : 0.0;
                return density > 1e-300 ? density * purchases_given_lambda(lambda) : 0.0;
            },
            1e-12);
        double series = 0;
        REQUIRE(bg::dert_series<double>(c.d, c.r, c.a, c.b, series));
        CHECK(series == doctest::Approx(brute).epsilon(1e-9));
    }
}

TEST_CASE("DERT at degenerate parameters (a = 1, integer r) falls back on quadrature and stays continuous") {
    double unused = 0;
    CHECK_FALSE(bg::dert_series<double>(0.1, 1.0, 0.793, 2.426, unused));  // r = 1: Gamma(1 - r) has a pole
    CHECK_FALSE(bg::dert_series<double>(0.1, 0.243, 1.0, 2.426, unused));  // a = 1: the pole series meet
    for (double a : {1.0, 1.0 + 1e-6, 1.0 + 1e-3, 1.05}) {
        CAPTURE(a);
        const double value = bg::discounted_expected_count<double>(0.0027, 1.243, 40.0, a, 3.426);
        CHECK(value == doctest::Approx(bg::discounted_expected_count_quadrature<double>(0.0027, 1.243, 40.0, a, 3.426))
                           .epsilon(1e-9));
    }
    // Continuity in a through the degenerate point (the series on either side, quadrature at it).
    const double at = bg::discounted_expected_count<double>(0.0027, 1.243, 40.0, 1.0, 3.426);
    CHECK(bg::discounted_expected_count<double>(0.0027, 1.243, 40.0, 1.01, 3.426) == doctest::Approx(at).epsilon(0.01));
    CHECK(bg::discounted_expected_count<double>(0.0027, 1.243, 40.0, 0.99, 3.426) == doctest::Approx(at).epsilon(0.01));
}

TEST_CASE("DERT is non-negative and non-increasing in the rate across the switch between series and quadrature") {
    // b = 60 with r = 0.243: the series cancels from d b / r of a few tens on, so the scan crosses
    // the switch; and for CDNOW's parameters it runs from 1e-6 to 50.
    for (const auto& p : {dert_case{0, 0.243, 0.793, 60.0}, dert_case{0, 0.243, 0.793, 2.426}, dert_case{0, 5.243, 1.6, 7.426}}) {
        CAPTURE(p.b);
        double previous = std::numeric_limits<double>::infinity();
        int switches = 0;
        bool last_series = true;
        for (double d = 1e-6; d < 50; d *= 1.15) {
            CAPTURE(d);
            double unused = 0;
            const bool series = bg::dert_series<double>(d, p.r, p.a, p.b, unused);
            if (series != last_series) ++switches;
            last_series = series;
            const double value = bg::discounted_expected_count<double>(d, p.r, 1.0, p.a, p.b);
            CHECK(value >= 0);
            CHECK(value <= previous * (1 + 1e-10));
            previous = value;
        }
        if (p.b == 60.0) CHECK(switches >= 1);
    }
}

TEST_CASE("BG/NBD and MBG/NBD DERT use the series and match the quadrature through the model") {
    const clv::bg_nbd<> bg_model({0.243, 4.414, 0.793, 2.426});
    const clv::mbg_nbd<> mbg_model({0.525, 6.183, 0.891, 1.614});
    const double rate = 0.15 / 52;
    for (double x : {0.0, 1.0, 3.0, 12.0}) {
        for (double T : {2.0, 30.0, 77.86}) {
            CAPTURE(x);
            CAPTURE(T);
            const double bg_quad =
                bg::discounted_expected_count_quadrature<double>(rate, 0.243 + x, 4.414 + T, 0.793, 2.426 + x);
            CHECK(bg_model.dert_if_alive(rate, x, T) == doctest::Approx(bg_quad).epsilon(1e-9));
            const double mbg_quad =
                bg::discounted_expected_count_quadrature<double>(rate, 0.525 + x, 6.183 + T, 0.891, 1.614 + x + 1);
            CHECK(mbg_model.dert_if_alive(rate, x, T) == doctest::Approx(mbg_quad).epsilon(1e-9));
        }
    }
}

TEST_CASE("batch valuation and predictions have the same bits on 1, 2 and 3 threads") {
    const clv::bg_nbd<> model({0.243, 4.414, 0.793, 2.426});
    std::mt19937_64 rng(7);
    std::uniform_int_distribution<int> first_day(0, 364);
    std::vector<double> ages(20000);
    for (auto& a : ages) a = (546 - first_day(rng)) / 7.0;
    auto table = model.simulate(ages, 0, rng);
    std::gamma_distribution<double> spend(12.5, 0.5);
    for (std::size_t i = 0; i < table.size(); ++i) {
        table.recency[i] = std::floor(table.recency[i] * 7 + 1e-9) / 7;
        table.monetary_value[i] = table.frequency[i] > 0 ? spend(rng) : 0.0;
    }
    const clv::model_purchases<clv::bg_nbd<>> purchases{model};
    const clv::model_spend<clv::gamma_gamma<>> spend_part{clv::gamma_gamma<>({6.25, 3.74, 15.44})};
    clv::valuation_options options;
    options.discount.rate = 0.0027;
    options.gross_margin = 0.3;
    clv::prediction_options predict;
    predict.horizon = 39;
    predict.discount_rate = 0.0027;
    predict.pmf = 2;
    const auto one = clv::value_customers(table, purchases, spend_part, options);
    const auto predicted_one = clv::predict_customers(table, model, predict);
    for (unsigned threads : {2U, 3U}) {
        CAPTURE(threads);
        options.threads = predict.threads = threads;
        const auto many = clv::value_customers(table, purchases, spend_part, options);
        CHECK(many.clv == one.clv);
        CHECK(many.probability_alive == one.probability_alive);
        CHECK(many.total_clv == one.total_clv);
        CHECK(clv::predict_customers(table, model, predict).columns == predicted_one.columns);
    }
    options.threads = 0;
    CHECK_THROWS_AS((void)clv::value_customers(table, purchases, spend_part, options), clv::invalid_input);
}

// Rate 0 means no discounting: DERT is then the expected number of all future transactions, a
// closed form where it is finite (BG/NBD E[1/p], a > 1; Pareto/NBD E[lambda] E[1/mu], s > 1;
// BG/BB E[p] E[1/theta], gamma > 1). It must be the limit of the quadrature / series DERT as the
// rate goes to 0 (an independent computation), and an error where the sum diverges.
TEST_CASE("DERT at rate 0 is the limit of DERT as the rate goes to 0, and an error where it diverges") {
    const double tiny = 1e-9;
    // r > 1: DERT approaches its rate-0 value like the rate itself (with r + x < 1 the gap shrinks
    // only like rate^(r+x), the integrand's tail being u^-(r+x+1)), so 1e-9 is close enough.
    const clv::bg_nbd<> bg({2.5, 6.0, 3.2, 4.0});
    const clv::mbg_nbd<> mbg({2.5, 6.0, 3.2, 4.0});
    const clv::pareto_nbd<> pnbd({0.55, 10.6, 2.4, 11.7});
    const clv::bg_bb<> bb({1.2, 0.75, 2.6, 2.8});
    for (const double x : {0.0, 1.0, 6.0}) {
        CAPTURE(x);
        CHECK(bg.dert_if_alive(0, x, 30) == doctest::Approx((3.2 + 4.0 + x - 1) / (3.2 - 1)).epsilon(1e-14));
        CHECK(bg.dert_if_alive(0, x, 30) == doctest::Approx(bg.dert_if_alive(tiny, x, 30)).epsilon(1e-6));
        CHECK(mbg.dert_if_alive(0, x, 30) == doctest::Approx(mbg.dert_if_alive(tiny, x, 30)).epsilon(1e-6));
        CHECK(pnbd.dert_if_alive(0, x, 30) == doctest::Approx(pnbd.dert_if_alive(tiny, x, 30)).epsilon(1e-6));
        CHECK(bb.dert_if_alive(0, x, 6) == doctest::Approx(bb.dert_if_alive(tiny, x, 6)).epsilon(1e-6));
        CHECK(bg.dert(0, x, x > 0 ? 20 : 0, 30) >= bg.dert(0.01, x, x > 0 ? 20 : 0, 30));
    }
    // a <= 1 (CDNOW's BG/NBD), s <= 1, gamma <= 1: infinitely many expected purchases without discounting.
    CHECK_THROWS_WITH_AS(clv::bg_nbd<>({0.243, 4.414, 0.793, 2.426}).dert_if_alive(0, 2, 38),
                         doctest::Contains("a <= 1"), clv::invalid_input);
    CHECK_THROWS_WITH_AS(clv::pareto_nbd<>({0.55, 10.6, 0.6, 11.7}).dert_if_alive(0, 2, 38),
                         doctest::Contains("s <= 1"), clv::invalid_input);
    CHECK_THROWS_WITH_AS(clv::bg_bb<>({1.2, 0.75, 0.66, 2.8}).dert_if_alive(0, 2, 6), doctest::Contains("gamma <= 1"),
                         clv::invalid_input);
    CHECK_THROWS_AS(bg.dert_if_alive(-1e-3, 1, 30), clv::invalid_input);

    // Valuation without discounting or horizon: finite through DERT(0), refused for a constant rate.
    clv::customer_table table;
    table.push_back("a", {2, 20, 30, 25, 1});
    table.push_back("b", {0, 0, 30, 0, 1});
    const clv::model_purchases<clv::bg_nbd<>> purchases{bg};
    const clv::model_spend<clv::gamma_gamma<>> spend{clv::gamma_gamma<>({6.25, 3.74, 15.44})};
    clv::valuation_options options;
    options.discount.rate = 0;
    const auto values = clv::value_customers(table, purchases, spend, options);
    REQUIRE(values.clv.size() == 2);
    for (std::size_t i = 0; i < 2; ++i) {
        const auto r = table.row(i);
        CHECK(values.clv[i] == doctest::Approx(bg.dert(0, r.frequency, r.recency, r.T) *
                                               spend.expected_order_value(r)).epsilon(1e-12));
    }
    const clv::continuous_discounting none{0, std::numeric_limits<double>::infinity()};
    CHECK_THROWS_WITH_AS((void)clv::customer_value(clv::no_record{}, clv::constant_spend(10), clv::constant_rate(2), none),
                         doctest::Contains("finite horizon"), clv::invalid_input);
}
