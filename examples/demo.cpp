// The main demo: a transaction log -> customer summaries (39-week calibration, 39-week holdout)
// -> BG/NBD, Pareto/NBD and MBG/NBD fits with standard errors -> holdout predictions checked
// against what the customers really did -> the customers worth most.
// The log (examples/data/demo_transactions.csv) was simulated by clv from known BG/NBD
// parameters (examples/generate_demo_data.cpp), so the fits can be compared with the truth.
#include <clv/clv.hpp>

#include <algorithm>
#include <cstdio>
#include <numeric>
#include <string>
#include <vector>

namespace {

template <class Model>
void report(const char* title, const clv::customer_table& customers) {
    const auto compressed = clv::compress(customers);
    const auto fit = Model::fit(compressed.unique.columns());
    std::printf("\n%s (%s, %d iterations, %s)\n", title, fit.converged ? "converged" : "NOT CONVERGED",
                fit.iterations, fit.status.c_str());
    const auto values = Model::to_array(fit.params);
    for (std::size_t i = 0; i < Model::parameter_count; ++i)
        std::printf("  %-6s = %8.4f  (standard error %.4f)\n", std::string(Model::parameter_names[i]).c_str(),
                    values[i], fit.std_errors[i]);
    std::printf("  log-likelihood %.2f, AIC %.1f, BIC %.1f\n", fit.log_likelihood, fit.aic(), fit.bic());

    const Model model(fit.params);
    double predicted = 0, actual = 0;
    for (std::size_t i = 0; i < customers.size(); ++i) {
        predicted += model.conditional_expected_transactions(customers.duration_holdout[i], customers.frequency[i],
                                                             customers.recency[i], customers.T[i]);
        actual += customers.frequency_holdout[i];
    }
    std::printf("  holdout (39 weeks): predicted %.0f repeat purchases, actual %.0f (%+.1f %%)\n", predicted, actual,
                100 * (predicted - actual) / actual);
}

}  // namespace

int main(int argc, char** argv) {
    const std::string path = argc > 1 ? argv[1] : CLV_EXAMPLE_DATA "/demo_transactions.csv";
    clv::summarize_options options;
    options.customer_column = "customer_id";
    options.date_column = "date";
    options.amount_column = "amount";
    options.summary.unit_days = clv::days_per_week;
    options.summary.calibration_end = clv::io::parse_iso_date("2024-09-29", "calibration end", clv::source_location{"demo"});
    options.summary.observation_end = clv::io::parse_iso_date("2025-06-29", "observation end", clv::source_location{"demo"});
    const clv::customer_table customers = clv::summarize_transactions(path, options);
    const double repeaters = static_cast<double>(
        std::count_if(customers.frequency.begin(), customers.frequency.end(), [](double x) { return x > 0; }));
    std::printf("%zu customers from %s; %.0f made repeat purchases in the 39-week calibration period\n",
                customers.size(), path.c_str(), repeaters);
    std::printf("(simulated from BG/NBD r = 0.243, alpha = 4.414, a = 0.793, b = 2.426 per week)\n");

    report<clv::bg_nbd<>>("BG/NBD", customers);
    report<clv::pareto_nbd<>>("Pareto/NBD", customers);
    report<clv::mbg_nbd<>>("MBG/NBD", customers);

    // The customers worth most over the next year: expected purchases x their own average order
    // value (Gamma-Gamma spend comes with a later release), with their probability of being alive.
    const auto fit = clv::bg_nbd<>::fit(clv::compress(customers).unique.columns());
    const clv::bg_nbd<> model(fit.params);
    std::vector<double> value(customers.size());
    for (std::size_t i = 0; i < customers.size(); ++i)
        value[i] = model.conditional_expected_transactions(52, customers.frequency[i], customers.recency[i],
                                                           customers.T[i]) * customers.monetary_value[i];
    std::vector<std::size_t> order(customers.size());
    std::iota(order.begin(), order.end(), 0);
    std::partial_sort(order.begin(), order.begin() + 5, order.end(),
                      [&](std::size_t a, std::size_t b) { return value[a] > value[b]; });
    std::printf("\nMost valuable customers over the next 52 weeks (BG/NBD purchases x own order value):\n");
    std::printf("  %-9s %9s %8s %8s %10s %8s\n", "customer", "frequency", "recency", "T", "P(alive)", "value");
    for (std::size_t k = 0; k < 5; ++k) {
        const std::size_t i = order[k];
        std::printf("  %-9s %9.0f %8.1f %8.1f %10.3f %8.0f\n", customers.ids[i].c_str(), customers.frequency[i],
                    customers.recency[i], customers.T[i],
                    model.probability_alive(customers.frequency[i], customers.recency[i], customers.T[i]), value[i]);
    }
    // The back-of-the-envelope view of the same customers: average order value of the repeat
    // buyers x average purchases per year x an assumed 3-year lifetime.
    double aov = 0, per_year = 0;
    for (std::size_t i = 0; i < customers.size(); ++i) {
        if (customers.frequency[i] > 0) aov += customers.monetary_value[i] / repeaters;
        if (customers.T[i] > 0) per_year += customers.frequency[i] / customers.T[i] * 52 / static_cast<double>(customers.size());
    }
    std::printf("\nSimple CLV of an average customer: %.2f x %.2f purchases a year x 3 years = %.2f\n", aov, per_year,
                clv::simple_clv(aov, per_year, 3.0));
    return fit.converged ? 0 : 1;
}
