// `clv show`: a model file as a table a person reads (estimates, standard errors, 95 % intervals,
// fit statistics and convergence). `print_model_summary` also serves `clv fit --summary`.
#pragma once

#include "diagnostics_input.hpp"
#include "format.hpp"

#include <clv/analysis/diagnostics_support.hpp>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

namespace clv_cli {

namespace show_detail {

/// `v` to `digits` significant digits (e.g. 0.2426, 4.414); "-" for a missing (NaN) value.
inline std::string significant(double v, int digits = 4) {
    if (!std::isfinite(v)) return std::isnan(v) ? "-" : (v > 0 ? "inf" : "-inf");
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.*g", digits, v);
    return buffer;
}

template <class Json>
double number_or_nan(const Json& object, const std::string& key) {
    if (!object.is_object()) return std::nan("");
    const auto it = object.find(key);
    return it != object.end() && it->is_number() ? it->template get<double>() : std::nan("");
}

inline std::string padded(const std::string& text, std::size_t width) {
    return text.size() >= width ? text + " " : text + std::string(width - text.size(), ' ');
}

}  // namespace show_detail

/// Prints a fitted model (the JSON of a model file, as `fit_to_json` writes it) as a table: each
/// parameter with estimate, standard error and 95 % interval (on the log scale, see
/// clv::log_scale_interval), then log-likelihood, AIC, BIC, customers, iterations and convergence.
template <class Json>
void print_model_summary(std::ostream& out, const Json& model, const std::string& source) {
    using namespace show_detail;
    if (!model.is_object() || !model.contains("model") || !model["model"].is_string() || !model.contains("params") ||
        !model["params"].is_object())
        throw clv::invalid_input("model", "", "not a clv model file (needs \"model\" and \"params\")", {source});
    const auto& params = model["params"];
    const Json no_errors = Json::object();
    const auto& errors = model.contains("std_errors") && model["std_errors"].is_object() ? model["std_errors"] : no_errors;
    out << "model: " << model["model"].template get<std::string>();
    if (model.contains("time_unit") && model["time_unit"].is_string())
        out << " (time unit: " << model["time_unit"].template get<std::string>() << ")";
    out << "\n\n" << padded("parameter", 12) << padded("estimate", 14) << padded("std. error", 14) << "95 % interval\n";
    // The model's own parameter order (r, alpha, a, b) where the kind is known: a JSON object read
    // back may hold its keys sorted.
    std::vector<std::string> order;
    try {
        order = with_transaction_model(model["model"].template get<std::string>(), []<class M>() {
            return std::vector<std::string>(M::parameter_names.begin(), M::parameter_names.end());
        });
    } catch (const clv::invalid_input&) {
    }
    for (const auto& [name, value] : params.items())
        if (std::find(order.begin(), order.end(), name) == order.end()) order.push_back(name);
    for (const std::string& name : order) {
        if (!params.contains(name)) continue;
        const auto& value = params[name];
        const double estimate = value.is_number() ? value.template get<double>() : std::nan("");
        const double se = number_or_nan(errors, name);
        const auto [lower, upper] = clv::log_scale_interval(estimate, se);
        out << padded(name, 12) << padded(significant(estimate), 14) << padded(significant(se), 14)
            << (std::isnan(lower) ? std::string("-") : "[" + significant(lower) + ", " + significant(upper) + "]") << '\n';
    }
    out << '\n';
    auto line = [&](const std::string& label, const std::string& text) { out << padded(label, 18) << text << '\n'; };
    line("log-likelihood", significant(number_or_nan(model, "log_likelihood"), 9));
    line("AIC", significant(number_or_nan(model, "aic"), 9));
    line("BIC", significant(number_or_nan(model, "bic"), 9));
    line("customers", significant(number_or_nan(model, "n_customers"), 9));
    line("iterations", significant(number_or_nan(model, "iterations"), 9));
    const bool converged = model.contains("converged") && model["converged"].is_boolean() && model["converged"].template get<bool>();
    const std::string status = model.contains("status") && model["status"].is_string() ? model["status"].template get<std::string>() : "";
    line("converged", std::string(converged ? "yes" : "NO") + (status.empty() ? "" : " (" + status + ")"));
    if (errors.empty())
        out << "\nno standard errors in this model file (a fit that did not converge, or a singular information matrix)\n";
    else
        out << "\n95 % intervals are exp(log estimate +- 1.96 SE / estimate): Wald intervals on the log scale the fit "
               "works in, so they stay positive\n";
}

inline void add_show_command(CLI::App& app) {
    auto path = std::make_shared<std::string>();
    auto* cmd = app.add_subcommand("show", "Print a model file as a readable table: estimates, standard errors, 95 % "
                                           "intervals, log-likelihood, AIC, BIC, convergence");
    cmd->add_option("--model-file", *path, "model file written by clv fit --output")->required();
    cmd->callback([path] { print_model_summary(std::cout, read_json_file(*path), *path); });
}

}  // namespace clv_cli
