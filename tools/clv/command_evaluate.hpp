// `clv evaluate`: calibration vs holdout (by calibration frequency, error metrics) and the
// repeat-purchase histogram of a fitted transaction model on a customer summary.
#pragma once

#include "command_show.hpp"
#include "diagnostics_input.hpp"
#include "format.hpp"

#include <clv/analysis/histogram.hpp>
#include <clv/analysis/holdout.hpp>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <iostream>
#include <memory>
#include <optional>
#include <string>

namespace clv_cli {

namespace evaluate_detail {

inline std::string bucket_label(std::size_t frequency, std::size_t last) {
    return std::to_string(frequency) + (frequency == last ? "+" : "");
}

inline nlohmann::ordered_json histogram_json(const clv::frequency_histogram& h) {
    nlohmann::ordered_json buckets = nlohmann::ordered_json::array();
    for (const auto& b : h.buckets)
        buckets.push_back({{"frequency", b.frequency}, {"observed", b.observed}, {"expected", json_number(b.expected)}});
    return buckets;
}

inline nlohmann::ordered_json chi_square_json(const clv::frequency_histogram& h) {
    return {{"statistic", json_number(h.chi_square)},
            {"degrees_of_freedom", h.degrees_of_freedom},
            {"p_value", h.p_value ? json_number(*h.p_value) : nullptr}};
}

inline void print_text(std::ostream& out, const std::optional<clv::holdout_evaluation>& e, const clv::frequency_histogram& h) {
    using show_detail::padded;
    using show_detail::significant;
    const std::size_t last = h.buckets.size() - 1;
    if (e) {
        out << "calibration vs holdout (" << significant(e->customers, 9) << " customers; predicted = conditional "
            << "expectation over each customer's holdout duration)\n"
            << padded("total actual", 18) << significant(e->total_actual, 9) << '\n'
            << padded("total predicted", 18) << significant(e->total_predicted, 7) << '\n'
            << padded("MAE", 18) << significant(e->mae) << '\n'
            << padded("RMSE", 18) << significant(e->rmse) << '\n'
            << padded("bias", 18) << significant(e->bias) << "  (mean predicted - actual per customer)\n"
            << padded("correlation", 18) << significant(e->correlation) << "\n\n"
            << padded("frequency", 11) << padded("customers", 11) << padded("actual_mean", 14) << "predicted_mean\n";
        for (const auto& b : e->by_frequency)
            out << padded(bucket_label(b.frequency, last), 11) << padded(significant(b.customers, 9), 11)
                << padded(significant(b.actual_mean), 14) << significant(b.predicted_mean) << '\n';
        out << '\n';
    }
    out << "repeat-purchase histogram (calibration): customers by repeat purchases, observed vs expected\n"
        << padded("frequency", 11) << padded("observed", 11) << "expected\n";
    for (const auto& b : h.buckets)
        out << padded(bucket_label(b.frequency, last), 11) << padded(significant(b.observed, 9), 11)
            << significant(b.expected, 6) << '\n';
    out << "chi-square " << significant(h.chi_square) << " on " << h.degrees_of_freedom << " degrees of freedom";
    if (h.p_value) out << ", p = " << significant(*h.p_value, 3);
    else out << " (too few buckets for a p-value: raise --max-frequency)";
    out << '\n';
}

}  // namespace evaluate_detail

inline void add_evaluate_command(CLI::App& app) {
    struct options {
        model_file_option model;
        summary_input input;
        std::size_t max_frequency = 7;
        bool json = false;
    };
    auto opt = std::make_shared<options>();
    auto* cmd = app.add_subcommand(
        "evaluate", "Check a fitted model against data: mean holdout transactions by calibration frequency, actual vs "
                    "predicted, per-customer errors, and the repeat-purchase histogram with a chi-square statistic");
    add_model_file_options(*cmd, opt->model);
    add_summary_input_options(*cmd, opt->input);
    cmd->add_option("--max-frequency", opt->max_frequency,
                    "last frequency bucket K: buckets 0, 1, ..., K-1 and K or more (default 7)")
        ->check(CLI::Range(1, 1000));
    cmd->add_flag("--json", opt->json, "print JSON instead of tables");
    cmd->callback([opt] {
        const nlohmann::json model = read_transaction_model(opt->model, "evaluate");
        clv::customer_table customers = read_summary(opt->input);
        const bool has_holdout = read_holdout_columns(opt->input, customers);
        std::optional<clv::holdout_evaluation> evaluation;
        clv::frequency_histogram histogram;
        with_transaction_model(model["model"].get<std::string>(), [&]<class M>() {
            const M fitted(params_from_json<M>(model["params"], opt->model.path));
            if (has_holdout) evaluation = clv::evaluate_holdout(fitted, customers, opt->max_frequency);
            histogram = clv::repeat_purchase_histogram(fitted, customers, opt->max_frequency);
            return 0;
        });
        const std::string note = "the summary has no holdout columns (frequency_holdout, duration_holdout): holdout "
                                 "metrics need a summary made with clv summarize --calibration-end";
        if (!has_holdout) std::cerr << "clv: note: " << note << '\n';
        if (!opt->json) {
            evaluate_detail::print_text(std::cout, evaluation, histogram);
            return;
        }
        nlohmann::ordered_json out{{"model", model["model"]}};
        if (evaluation) {
            const auto& e = *evaluation;
            out["customers"] = e.customers;
            out["total_actual"] = e.total_actual;
            out["total_predicted"] = e.total_predicted;
            out["mae"] = e.mae;
            out["rmse"] = e.rmse;
            out["bias"] = e.bias;
            out["correlation"] = json_number(e.correlation);
            nlohmann::ordered_json buckets = nlohmann::ordered_json::array();
            for (const auto& b : e.by_frequency)
                buckets.push_back({{"frequency", b.frequency}, {"customers", b.customers},
                                   {"actual_mean", json_number(b.actual_mean)}, {"predicted_mean", json_number(b.predicted_mean)}});
            out["by_frequency"] = buckets;
        } else {
            double total = 0;
            for (const auto& b : histogram.buckets) total += b.observed;
            out["customers"] = total;
            out["note"] = note;
        }
        out["histogram"] = evaluate_detail::histogram_json(histogram);
        out["chi_square"] = evaluate_detail::chi_square_json(histogram);
        std::cout << out.dump(2) << '\n';
    });
}

}  // namespace clv_cli
