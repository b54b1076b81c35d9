// The transaction models the program knows, and their JSON form (the model file `fit --output`
// writes and `predict --model-file` reads). Every command that reads a model file goes through
// `load_model_file`, which refuses a model marked not converged unless the user allows it.
#pragma once

#include <clv/clv.hpp>
#include <clv/core/time_unit.hpp>
#include <clv/io/output_file.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace clv_cli {

/// The names of the transaction models, as --model and model files spell them. To add a model kind,
/// add its name here and its class to `with_transaction_model`.
inline const std::vector<std::string> transaction_model_names{"bgnbd", "pnbd", "mbgnbd"};

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
/// `std_errors` and `covariance` are null when they mean nothing: a fit that did not converge, or a
/// singular observed information. With a penalty they are those of the penalised objective, which
/// `std_errors_of` says.
template <class M>
nlohmann::ordered_json fit_to_json(const clv::fit::fit_result<M>& fit, const std::string& time_unit) {
    const bool errors_mean_something = fit.converged && fit.std_errors_available;
    // ordered: parameters print in the model's own order (r, alpha, a, b), keys as documented.
    nlohmann::ordered_json params = nlohmann::ordered_json::object(), errors = nullptr, covariance = nullptr;
    const auto values = M::to_array(fit.params);
    for (std::size_t i = 0; i < M::parameter_count; ++i) params[std::string(M::parameter_names[i])] = values[i];
    if (errors_mean_something) {
        errors = nlohmann::ordered_json::object();
        covariance = nlohmann::ordered_json::array();
        for (std::size_t i = 0; i < M::parameter_count; ++i) {
            // NaN (not identified) becomes null: JSON has no NaN.
            const double e = fit.std_errors[i];
            errors[std::string(M::parameter_names[i])] = std::isfinite(e) ? nlohmann::ordered_json(e) : nullptr;
        }
        for (Eigen::Index i = 0; i < fit.covariance.rows(); ++i) {
            nlohmann::ordered_json row = nlohmann::ordered_json::array();
            for (Eigen::Index j = 0; j < fit.covariance.cols(); ++j) {
                const double c = fit.covariance(i, j);
                row.push_back(std::isfinite(c) ? nlohmann::ordered_json(c) : nullptr);
            }
            covariance.push_back(row);
        }
    }
    nlohmann::ordered_json result{{"model", std::string(M::name)},
                                  {"params", params},
                                  {"std_errors", errors},
                                  {"covariance", covariance}};
    if (errors_mean_something)
        result["std_errors_of"] = fit.penalty > 0 ? "penalised log-likelihood" : "log-likelihood";
    result["log_likelihood"] = fit.log_likelihood;
    result["n_customers"] = fit.n_customers;
    result["converged"] = fit.converged;
    result["status"] = fit.status;
    result["iterations"] = fit.iterations;
    result["gradient_norm"] = fit.gradient_norm;
    result["aic"] = fit.aic();
    result["bic"] = fit.bic();
    result["penalty"] = fit.penalty;
    result["time_unit"] = time_unit.empty() || time_unit == "unspecified" ? nlohmann::ordered_json(nullptr)
                                                                          : nlohmann::ordered_json(time_unit);
    return result;
}

/// Records what `predict` needs to notice a likely unit mismatch: the unit's length in days (null
/// when the fit was given no unit) and the range of T in the fitted data.
inline void add_data_description(nlohmann::ordered_json& model, const std::optional<clv::time_unit>& unit,
                                 const clv::customer_table& data) {
    model["time_unit_days"] = unit ? nlohmann::ordered_json(unit->days) : nlohmann::ordered_json(nullptr);
    if (!data.T.empty()) {
        const auto [low, high] = std::minmax_element(data.T.begin(), data.T.end());
        model["T_range"] = {{"min", *low}, {"max", *high}};
    }
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
    if (std::filesystem::is_directory(path))
        throw clv::invalid_input("", "", "is a folder, not a model file", {path});
    std::ifstream in(path);
    if (!in) throw clv::invalid_input("", "", std::string("cannot open the file: ") + std::strerror(errno), {path});
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    return parse_json(text, path);
}

/// Reads a model file as `clv fit --output` writes it and checks what every command reading one needs:
/// a "model" name and "params" object, and "converged" not false unless `allow_unconverged` (the
/// --allow-unconverged flag): a fit that stopped before the maximum gives wrong predictions. The
/// parameters themselves are checked by `params_from_json<M>` once the model class is known.
inline nlohmann::json load_model_file(const std::string& path, bool allow_unconverged) {
    nlohmann::json model = read_json_file(path);
    if (!model.is_object() || !model.contains("model") || !model["model"].is_string() || !model.contains("params"))
        throw clv::invalid_input("model", "", "not a clv model file (needs \"model\" and \"params\")", {path});
    if (model.contains("converged")) {
        const nlohmann::json& converged = model["converged"];
        if (!converged.is_boolean())
            throw clv::invalid_input("converged", converged.dump(), "must be true or false", {path});
        if (!converged.get<bool>() && !allow_unconverged) {
            const std::string status = model.contains("status") && model["status"].is_string()
                                           ? " (" + model["status"].get<std::string>() + ")"
                                           : std::string();
            throw clv::invalid_input("converged", "false",
                                     "the model's fit did not converge" + status +
                                         ", so its parameters are not the maximum-likelihood estimates; refit it, "
                                         "or give --allow-unconverged to use it anyway",
                                     {path});
        }
    }
    return model;
}

/// The time unit a model file records, when it records one (null or absent: none).
inline std::optional<clv::time_unit> model_time_unit(const nlohmann::json& model, const std::string& path) {
    const auto days = model.find("time_unit_days");
    const auto name = model.find("time_unit");
    if (days != model.end() && !days->is_null()) {
        if (!days->is_number() || !(days->get<double>() > 0) || !std::isfinite(days->get<double>()))
            throw clv::invalid_input("time_unit_days", days->dump(), "must be a positive number of days", {path});
        return clv::time_unit{days->get<double>(), name != model.end() && name->is_string()
                                                       ? name->get<std::string>()
                                                       : clv::to_message_string(days->get<double>())};
    }
    // Model files written before units were numbers record only the name.
    if (name != model.end() && name->is_string() && *name != "unspecified")
        return clv::time_unit::parse(name->get<std::string>(), "time_unit");
    return std::nullopt;
}

}  // namespace clv_cli
