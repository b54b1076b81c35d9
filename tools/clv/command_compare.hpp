// `clv compare`: several transaction models fitted on the same summary, one table ranked by AIC
// (models that did not converge last, flagged), with holdout error when the summary has holdout columns.
#pragma once

#include "command_show.hpp"
#include "diagnostics_input.hpp"
#include "format.hpp"

#include <clv/analysis/model_comparison.hpp>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <iostream>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace clv_cli {

namespace compare_detail {

inline nlohmann::ordered_json to_json(const clv::model_assessment& m) {
    nlohmann::ordered_json params = nlohmann::ordered_json::object();
    for (const auto& [name, value] : m.params) params[name] = value;
    nlohmann::ordered_json out{{"model", m.model},
                               {"converged", m.converged},
                               {"status", m.status},
                               {"log_likelihood", json_number(m.log_likelihood)},
                               {"aic", json_number(m.aic)},
                               {"bic", json_number(m.bic)},
                               {"params", params},
                               {"histogram_chi_square", json_number(m.histogram.chi_square)}};
    if (m.holdout) {
        out["holdout_mae"] = m.holdout->mae;
        out["holdout_rmse"] = m.holdout->rmse;
        out["holdout_total_predicted"] = m.holdout->total_predicted;
        out["holdout_total_actual"] = m.holdout->total_actual;
    }
    return out;
}

inline void print_text(std::ostream& out, const std::vector<clv::model_assessment>& models) {
    using show_detail::padded;
    using show_detail::significant;
    const bool holdout = !models.empty() && models.front().holdout.has_value();
    out << padded("rank", 6) << padded("model", 9) << padded("converged", 11) << padded("log-lik", 12) << padded("AIC", 12)
        << padded("BIC", 12) << padded("chi-square", 12);
    if (holdout) out << padded("MAE", 9) << padded("RMSE", 9) << padded("predicted", 11);
    out << "parameters\n";
    std::size_t rank = 0;
    for (const auto& m : models) {
        out << padded(m.converged ? std::to_string(++rank) : "-", 6) << padded(m.model, 9)
            << padded(m.converged ? "yes" : "NO", 11) << padded(significant(m.log_likelihood, 8), 12)
            << padded(significant(m.aic, 8), 12) << padded(significant(m.bic, 8), 12)
            << padded(significant(m.histogram.chi_square), 12);
        if (holdout && m.holdout)
            out << padded(significant(m.holdout->mae), 9) << padded(significant(m.holdout->rmse), 9)
                << padded(significant(m.holdout->total_predicted, 6), 11);
        for (std::size_t i = 0; i < m.params.size(); ++i)
            out << (i ? ", " : "") << m.params[i].first << " = " << significant(m.params[i].second);
        out << '\n';
    }
    if (holdout) out << "holdout: " << significant(models.front().holdout->total_actual, 9) << " actual transactions\n";
    for (const auto& m : models)
        if (!m.converged) out << m.model << " did not converge (" << m.status << "): not ranked\n";
}

}  // namespace compare_detail

inline void add_compare_command(CLI::App& app) {
    struct options {
        std::vector<std::string> models;
        summary_input input;
        std::size_t max_frequency = 7;
        bool json = false;
    };
    auto opt = std::make_shared<options>();
    auto* cmd = app.add_subcommand(
        "compare", "Fit several transaction models on the same summary and rank them by AIC (not converged: last), with "
                   "log-likelihood, BIC, parameters, histogram chi-square and, given holdout columns, holdout error");
    cmd->add_option("--models", opt->models, "comma-separated model names, e.g. bgnbd,pnbd,mbgnbd")
        ->required()->delimiter(',');
    add_summary_input_options(*cmd, opt->input);
    cmd->add_option("--max-frequency", opt->max_frequency, "last bucket of the histogram and holdout tables (default 7)")
        ->check(CLI::Range(1, 1000));
    cmd->add_flag("--json", opt->json, "print a JSON list, best first");
    cmd->callback([opt] {
        std::set<std::string> seen;
        for (const auto& name : opt->models) {
            with_transaction_model(name, []<class M>() { return 0; });  // unknown names fail before any fit
            if (!seen.insert(name).second) throw clv::invalid_input("--models", name, "model listed twice");
        }
        clv::customer_table customers = read_summary(opt->input);
        read_holdout_columns(opt->input, customers);
        std::vector<clv::model_assessment> models;
        for (const auto& name : opt->models)
            models.push_back(with_transaction_model(
                name, [&]<class M>() { return clv::assess_model<M>(customers, {}, opt->max_frequency); }));
        clv::rank_models(models);
        if (!customers.has_holdout())
            std::cerr << "clv: note: the summary has no holdout columns; holdout errors need a summary made with "
                         "clv summarize --calibration-end\n";
        if (opt->json) {
            nlohmann::ordered_json out = nlohmann::ordered_json::array();
            for (const auto& m : models) out.push_back(compare_detail::to_json(m));
            std::cout << out.dump(2) << '\n';
        } else {
            compare_detail::print_text(std::cout, models);
        }
    });
}

}  // namespace clv_cli
