// The transaction models the program knows, and their JSON form (the model file `fit --output`
// writes and `predict --model-file` reads). JSON lives here, at the edge: the library does not
// depend on nlohmann/json.
#pragma once

#include <clv/clv.hpp>

#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>
#include <string>
#include <utility>

namespace clv_cli {

/// Calls `f.template operator()<Model>()` with the model class named `name` (bgnbd, pnbd, mbgnbd).
template <class F>
decltype(auto) with_transaction_model(const std::string& name, F&& f) {
    if (name == "bgnbd") return f.template operator()<clv::bg_nbd<double>>();
    if (name == "pnbd") return f.template operator()<clv::pareto_nbd<double>>();
    if (name == "mbgnbd") return f.template operator()<clv::mbg_nbd<double>>();
    throw clv::invalid_input("model", name, "unknown model; expected bgnbd, pnbd or mbgnbd");
}

/// JSON of a fit, with the keys the issue fixes: model, params, std_errors, log_likelihood,
/// n_customers, converged, iterations, aic, bic; plus diagnostics and the data's time unit.
template <class M>
nlohmann::ordered_json fit_to_json(const clv::fit::fit_result<M>& fit, const std::string& time_unit) {
    // ordered: parameters print in the model's own order (r, alpha, a, b), keys as documented.
    nlohmann::ordered_json params = nlohmann::ordered_json::object(), errors = nlohmann::ordered_json::object();
    const auto values = M::to_array(fit.params);
    for (std::size_t i = 0; i < M::parameter_count; ++i) {
        const std::string key(M::parameter_names[i]);
        params[key] = values[i];
        if (fit.std_errors_available) errors[key] = fit.std_errors[i];
    }
    nlohmann::ordered_json covariance = nlohmann::ordered_json::array();
    if (fit.std_errors_available)
        for (Eigen::Index i = 0; i < fit.covariance.rows(); ++i) {
            nlohmann::ordered_json row = nlohmann::ordered_json::array();
            for (Eigen::Index j = 0; j < fit.covariance.cols(); ++j) row.push_back(fit.covariance(i, j));
            covariance.push_back(row);
        }
    return {{"model", std::string(M::name)},
            {"params", params},
            {"std_errors", errors},
            {"covariance", covariance},
            {"log_likelihood", fit.log_likelihood},
            {"n_customers", fit.n_customers},
            {"converged", fit.converged},
            {"status", fit.status},
            {"iterations", fit.iterations},
            {"gradient_norm", fit.gradient_norm},
            {"aic", fit.aic()},
            {"bic", fit.bic()},
            {"penalty", fit.penalty},
            {"time_unit", time_unit}};
}

/// Reads the named parameters of model `M` from a JSON object such as {"r": 0.243, ...}.
/// Every parameter must be present and a number; unknown keys are rejected (a typo would
/// otherwise silently fall back to nothing).
template <class M>
typename M::params params_from_json(const nlohmann::json& object, const std::string& source) {
    if (!object.is_object()) throw clv::invalid_input("params", object.dump(), "expected a JSON object", {source});
    std::array<double, M::parameter_count> values{};
    for (std::size_t i = 0; i < M::parameter_count; ++i) {
        const std::string key(M::parameter_names[i]);
        if (!object.contains(key))
            throw clv::invalid_input(key, "", "parameter missing for model " + std::string(M::name), {source});
        if (!object[key].is_number())
            throw clv::invalid_input(key, object[key].dump(), "parameter must be a number", {source});
        values[i] = object[key].template get<double>();
    }
    for (const auto& [key, value] : object.items()) {
        bool known = false;
        for (auto name : M::parameter_names) known |= (key == name);
        if (!known)
            throw clv::invalid_input(key, value.dump(), "unknown parameter for model " + std::string(M::name), {source});
    }
    const auto params = M::from_array(values);
    M::validate(params);
    return params;
}

/// Parses JSON text, turning syntax errors into `invalid_input` naming the source.
inline nlohmann::json parse_json(const std::string& text, const std::string& source) {
    try {
        return nlohmann::json::parse(text);
    } catch (const nlohmann::json::parse_error& e) {
        throw clv::invalid_input("", "", std::string("not valid JSON: ") + e.what(), {source});
    }
}

inline nlohmann::json read_json_file(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw clv::invalid_input("", "", "cannot open the file", {path});
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    return parse_json(text, path);
}

}  // namespace clv_cli
