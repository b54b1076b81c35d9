// The main demo: a transaction log -> customer summaries (39-week calibration, 39-week holdout)
// -> BG/NBD, Pareto/NBD and MBG/NBD fits with standard errors -> holdout predictions checked
// against what the customers really did -> the whole report (clv report) as one HTML page.
// The data (examples/data) were simulated by clv with known parameters and effects
// (examples/generate_demo_data.cpp), so the fits and the analyses can be compared with the truth.
// Usage: demo [REPORT.html]  (default build/demo_report.html)
#include <clv/analysis/customer_report.hpp>
#include <clv/clv.hpp>
#include <clv/io/customer_report_html.hpp>

#include <algorithm>
#include <cstdio>
#include <filesystem>
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
    const std::string path = CLV_EXAMPLE_DATA "/demo_transactions.csv";
    const std::string report_path = argc > 1 ? argv[1] : "build/demo_report.html";
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
    std::printf("(simulated from BG/NBD with r = 0.243, a = 0.793 per week; alpha = 4.414 / 1.4, 1, 0.6 by channel;\n"
                " b = 1.0, 2.4, 4.5 by satisfaction band: see examples/generate_demo_data.cpp)\n");

    report<clv::bg_nbd<>>("BG/NBD", customers);
    report<clv::pareto_nbd<>>("Pareto/NBD", customers);
    report<clv::mbg_nbd<>>("MBG/NBD", customers);

    // The whole analysis as one HTML page: the same log with its category column, the customers'
    // attributes and their survey answers (see docs/report.md for how to read it).
    clv::customer_report_settings settings;
    settings.transactions = path;
    settings.log = options;
    settings.product_column = "category";
    settings.attributes = CLV_EXAMPLE_DATA "/demo_attributes.csv";
    settings.survey = CLV_EXAMPLE_DATA "/demo_survey.csv";
    settings.contractual = CLV_EXAMPLE_DATA "/demo_subscriptions.csv";  // the retention section
    settings.contract_period = clv::time_unit::parse("month");
    settings.margin_per_period = 9.5;
    settings.gross_margin = 0.3;
    const clv::customer_report report = clv::build_customer_report(settings);
    std::filesystem::create_directories(std::filesystem::absolute(report_path).parent_path());
    clv::io::write_customer_report(report_path, report);
    std::printf("\nMost valuable customers (%s x Gamma-Gamma, 30 %% margin, 10 %% a year discount):\n",
                report.transaction_model.model.c_str());
    std::printf("  %-9s %9s %8s %8s %10s %8s\n", "customer", "frequency", "recency", "T", "P(alive)", "CLV");
    for (std::size_t k = 0; k < 5; ++k) {
        const auto& c = report.top_customers[k];
        std::printf("  %-9s %9.0f %8.1f %8.1f %10.3f %8.0f\n", c.id.c_str(), c.frequency, c.recency, c.T, c.probability_alive, c.clv);
    }
    std::printf("Total CLV %.0f; the top 10 %% of customers hold %.0f %% of it. Report: %s\n", report.values.total_clv,
                100 * report.concentration.top_shares[2], report_path.c_str());
    // The back-of-the-envelope view of the same customers: average order value of the repeat
    // buyers x average purchases per year x an assumed 3-year lifetime.
    double aov = 0, per_year = 0;
    for (std::size_t i = 0; i < customers.size(); ++i) {
        if (customers.frequency[i] > 0) aov += customers.monetary_value[i] / repeaters;
        if (customers.T[i] > 0) per_year += customers.frequency[i] / customers.T[i] * 52 / static_cast<double>(customers.size());
    }
    std::printf("\nSimple CLV of an average customer: %.2f x %.2f purchases a year x 3 years = %.2f\n", aov, per_year,
                clv::simple_clv(aov, per_year, 3.0));
    return report.transaction_model.converged ? 0 : 1;
}
