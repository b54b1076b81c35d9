// Who could buy more (MISSION.md question 4): customers whose expected spend or frequency lies
// well below what similar customers (their segment) achieve, with the expected gain; cross-sell
// candidates from co-purchases in the log (support, confidence, lift of product pairs, and for
// each customer the products they do not buy yet but buyers of their products do); and which
// attributes go with high potential (least squares of the gain on attributes).
#pragma once

#include <clv/analysis/attributes.hpp>
#include <clv/core/statistics.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <map>
#include <span>
#include <string>
#include <tuple>
#include <unordered_map>
#include <vector>

namespace clv {

/// The benchmark of a segment: the `target_quantile` quantile of the measure among its customers
/// (the upper quartile by default: what the better quarter of similar customers achieve).
/// Segments with fewer than `min_segment_size` customers get no benchmark (too few to say what
/// "similar customers achieve"); their customers are counted, not scored.
struct potential_options {
    double target_quantile = 0.75;
    std::size_t min_segment_size = 5;
};

struct segment_benchmark {
    std::string segment;
    std::size_t customers = 0;
    double mean = 0, target = 0, total_expected_gain = 0;
};

/// A customer below their segment's benchmark: gap = target - measure, and the expected gain
/// P(alive) x gap (only a customer still active can close the gap).
struct customer_potential {
    std::size_t customer = 0;
    std::string segment;
    double measure = 0, target = 0, gap = 0, probability_alive = 0, expected_gain = 0;
};

struct potential_result {
    std::vector<segment_benchmark> segments;
    std::vector<customer_potential> customers;  ///< customers with a gain, highest expected gain first
    std::vector<double> expected_gain;          ///< one per customer: 0 at or above target, NaN when not scored
    double total_expected_gain = 0;
    std::size_t customers_without_segment = 0, customers_in_small_segments = 0;
};

/// Scores each customer's `measure` (e.g. expected spend per period, expected transactions, or
/// expected revenue = expected transactions x expected spend: the gain is in the measure's unit)
/// against the benchmark of their segment (`segment[i]`; "" = no segment, counted; an empty
/// vector puts everyone in one segment "all").
inline potential_result spending_potential(std::span<const double> measure, std::span<const double> probability_alive,
                                           const std::vector<std::string>& segment, const potential_options& options = {}) {
    const std::string where = "potential";
    if (measure.empty()) throw invalid_input("measure", "", "no customers", {where});
    if (probability_alive.size() != measure.size() || (!segment.empty() && segment.size() != measure.size()))
        throw invalid_input("probability_alive", std::to_string(probability_alive.size()),
                            "measure, P(alive) and segment need one entry per customer (" + std::to_string(measure.size()) + ")",
                            {where});
    if (!(options.target_quantile > 0 && options.target_quantile <= 1))
        throw invalid_input("target_quantile", to_message_string(options.target_quantile), "must be in (0, 1]", {where});
    if (options.min_segment_size < 2)
        throw invalid_input("min_segment_size", std::to_string(options.min_segment_size), "must be at least 2", {where});
    stats::require_finite(measure, "measure", where);
    stats::require_finite(probability_alive, "probability_alive", where);
    auto segment_of = [&](std::size_t i) -> const std::string& {
        static const std::string all = "all";
        return segment.empty() ? all : segment[i];
    };
    std::map<std::string, std::vector<std::size_t>> members;
    potential_result out;
    out.expected_gain.assign(measure.size(), stats::not_available);
    for (std::size_t i = 0; i < measure.size(); ++i) {
        if (segment_of(i).empty()) ++out.customers_without_segment;
        else members[segment_of(i)].push_back(i);
    }
    for (const auto& [name, list] : members) {
        if (list.size() < options.min_segment_size) {
            out.customers_in_small_segments += list.size();
            continue;
        }
        std::vector<double> values;
        for (std::size_t i : list) values.push_back(measure[i]);
        segment_benchmark bench{name, list.size(), stats::mean_interval(values).mean,
                                stats::quantile(values, options.target_quantile), 0};
        for (std::size_t i : list) {
            const double gap = std::max(0.0, bench.target - measure[i]);
            out.expected_gain[i] = probability_alive[i] * gap;
            if (!(gap > 0)) continue;
            out.customers.push_back({i, name, measure[i], bench.target, gap, probability_alive[i], out.expected_gain[i]});
            bench.total_expected_gain += out.expected_gain[i];
        }
        out.total_expected_gain += bench.total_expected_gain;
        out.segments.push_back(std::move(bench));
    }
    if (out.segments.empty())
        throw invalid_input("segment", std::to_string(members.size()) + " segments",
                            "no segment has at least " + std::to_string(options.min_segment_size) +
                                " customers: use a coarser segmentation",
                            {where});
    std::stable_sort(out.customers.begin(), out.customers.end(),
                     [](const auto& a, const auto& b) { return a.expected_gain > b.expected_gain; });
    return out;
}

/// Which attributes go with high potential: least squares of the expected gain (NaN: not scored,
/// left out) on the attribute columns named in `columns` (all when empty).
inline attribute_regression potential_drivers(const customer_attributes& attributes, const potential_result& potential,
                                              const std::vector<std::string>& columns = {}, double level = 0.95) {
    return least_squares_on_attributes(attributes, potential.expected_gain, columns, level);
}

// ---------------------------------------------------------------- cross-sell

/// A product pair A -> B counted over customers (each customer's set of products bought):
/// support = P(A and B), confidence = P(B | A), lift = P(B | A) / P(B) (Agrawal, Imielinski &
/// Swami 1993; lift as in Brin et al. 1997). Lift above 1: buyers of A buy B more often than
/// customers in general.
struct product_pair_rule {
    std::string antecedent, consequent;
    std::size_t both = 0, antecedent_buyers = 0, consequent_buyers = 0;
    double support = 0, confidence = 0, lift = 0;
};

/// Every ordered pair bought together by at least `min_both` customers, highest lift first (ties:
/// higher support first). `customers` is the size of the table the log indexes (customers who
/// bought nothing count in the denominators).
inline std::vector<product_pair_rule> co_purchase_rules(const product_purchases& log, std::size_t customers,
                                                        std::size_t min_both = 1) {
    if (min_both < 1) throw invalid_input("min_both", "0", "a pair needs at least 1 customer who bought both", {"co-purchase"});
    const product_baskets baskets = make_baskets(log, customers);
    const std::size_t products = baskets.products.size();
    std::vector<std::size_t> buyers(products, 0);
    std::unordered_map<std::size_t, std::size_t> together;  // a * products + b, a < b
    for (const auto& basket : baskets.of_customer) {
        for (std::size_t k = 0; k < basket.size(); ++k) {
            ++buyers[basket[k]];
            for (std::size_t m = k + 1; m < basket.size(); ++m) ++together[basket[k] * products + basket[m]];
        }
    }
    const double n = static_cast<double>(customers);
    std::vector<product_pair_rule> rules;
    for (const auto& [key, both] : together) {
        if (both < min_both) continue;
        const std::size_t a = key / products, b = key % products;
        for (const auto& [from, to] : {std::pair{a, b}, std::pair{b, a}}) {
            product_pair_rule r{baskets.products[from], baskets.products[to], both, buyers[from], buyers[to]};
            r.support = static_cast<double>(both) / n;
            r.confidence = static_cast<double>(both) / static_cast<double>(buyers[from]);
            r.lift = r.confidence / (static_cast<double>(buyers[to]) / n);
            rules.push_back(std::move(r));
        }
    }
    std::sort(rules.begin(), rules.end(), [](const auto& x, const auto& y) {
        if (x.lift != y.lift) return x.lift > y.lift;
        if (x.support != y.support) return x.support > y.support;
        return std::tie(x.antecedent, x.consequent) < std::tie(y.antecedent, y.consequent);
    });
    return rules;
}

/// Which rules may recommend: at least `min_both` customers bought both, lift above `min_lift`;
/// at most `per_customer` products per customer.
struct cross_sell_options {
    std::size_t min_both = 5;
    double min_lift = 1.0;
    std::size_t per_customer = 3;
};

/// A product a customer has not bought yet. The chance they buy it is estimated by the best rule
/// from a product they did buy, confidence(A -> B) (buyers of A who also bought B); the expected
/// gain is P(alive) x confidence x value per purchase of B (its mean amount per purchase line, or
/// 1 when the log has no amounts: the gain is then in purchases).
struct cross_sell_candidate {
    std::size_t customer = 0;
    std::string product, because_of;
    double confidence = 0, lift = 0, probability_alive = 0, value_per_purchase = 0, expected_gain = 0;
};

/// Cross-sell candidates for every customer, highest expected gain first.
inline std::vector<cross_sell_candidate> cross_sell_candidates(const product_purchases& log,
                                                               std::span<const double> probability_alive,
                                                               const cross_sell_options& options = {}) {
    const std::size_t customers = probability_alive.size();
    stats::require_finite(probability_alive, "probability_alive", "cross-sell");
    const product_baskets baskets = make_baskets(log, customers);
    std::map<std::string, std::size_t> index;
    for (std::size_t p = 0; p < baskets.products.size(); ++p) index[baskets.products[p]] = p;
    std::vector<std::vector<const product_pair_rule*>> from(baskets.products.size());
    const auto rules = co_purchase_rules(log, customers, std::max<std::size_t>(options.min_both, 1));
    for (const auto& r : rules)
        if (r.lift > options.min_lift) from[index[r.antecedent]].push_back(&r);
    std::vector<cross_sell_candidate> out;
    for (std::size_t i = 0; i < customers; ++i) {
        const auto& basket = baskets.of_customer[i];
        std::map<std::size_t, const product_pair_rule*> best;  // consequent -> best rule
        for (std::size_t a : basket)
            for (const auto* r : from[a]) {
                const std::size_t b = index[r->consequent];
                if (std::binary_search(basket.begin(), basket.end(), b)) continue;
                auto& slot = best[b];
                if (!slot || r->confidence > slot->confidence) slot = r;
            }
        std::vector<cross_sell_candidate> mine;
        for (const auto& [b, r] : best) {
            const double value = std::isnan(baskets.mean_amount[b]) ? 1.0 : baskets.mean_amount[b];
            mine.push_back({i, r->consequent, r->antecedent, r->confidence, r->lift, probability_alive[i], value,
                            probability_alive[i] * r->confidence * value});
        }
        std::stable_sort(mine.begin(), mine.end(), [](const auto& x, const auto& y) { return x.expected_gain > y.expected_gain; });
        if (mine.size() > options.per_customer) mine.resize(options.per_customer);
        out.insert(out.end(), mine.begin(), mine.end());
    }
    std::stable_sort(out.begin(), out.end(), [](const auto& x, const auto& y) { return x.expected_gain > y.expected_gain; });
    return out;
}

}  // namespace clv
