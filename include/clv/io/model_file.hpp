// Model files: a fit as JSON, written by `clv fit --output` and read by every command that uses a
// fitted model. Generic over any model class with `name`, `parameter_names`, `to_array`, `from_array`
// and `validate`. Reading checks what every user of a model needs: the structure, the parameters,
// convergence (a model whose fit did not converge is refused unless allowed) and the time unit.
#pragma once

#include <clv/core/errors.hpp>
#include <clv/core/time_unit.hpp>
#include <clv/fit/maximum_likelihood.hpp>
#include <clv/io/json.hpp>
#include <clv/io/output_file.hpp>

#include <array>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>

namespace clv::io {

/// The range of customer ages T in the data a model was fitted to (to notice a summary in another unit).
struct T_range {
    double min = 0;
    double max = 0;
};

/// A fit as the documented JSON object: model, params, std_errors, covariance, std_errors_of,
/// log_likelihood, n_customers, converged, status, iterations, gradient_norm, aic, bic, penalty,
/// time_unit, time_unit_days, T_range. `std_errors` and `covariance` are null for a fit that did not
/// converge or whose observed information is singular (one unidentified parameter: its entry is null);
/// `std_errors_of` says they are of the penalised log-likelihood when the fit was penalised.
template <class M>
json fit_to_json(const fit::fit_result<M>& fit, const std::optional<time_unit>& unit = std::nullopt,
                 const std::optional<T_range>& ages = std::nullopt) {
    const auto number_or_null = [](double v) { return std::isfinite(v) ? json(v) : json(nullptr); };
    const bool errors_mean_something = fit.converged && fit.std_errors_available;
    json params = json::object{}, errors = nullptr, covariance = nullptr;
    const auto values = M::to_array(fit.params);
    for (std::size_t i = 0; i < M::parameter_count; ++i) params.set(std::string(M::parameter_names[i]), values[i]);
    if (errors_mean_something) {
        errors = json::object{};
        json::array rows;
        for (std::size_t i = 0; i < M::parameter_count; ++i) {
            errors.set(std::string(M::parameter_names[i]), number_or_null(fit.std_errors[i]));
            json::array row;
            for (std::size_t j = 0; j < M::parameter_count; ++j)
                row.push_back(number_or_null(fit.covariance(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j))));
            rows.push_back(std::move(row));
        }
        covariance = std::move(rows);
    }
    json result = json::object{};
    result.set("model", std::string(M::name));
    result.set("params", std::move(params));
    result.set("std_errors", std::move(errors));
    result.set("covariance", std::move(covariance));
    if (errors_mean_something) result.set("std_errors_of", fit.penalty > 0 ? "penalised log-likelihood" : "log-likelihood");
    result.set("log_likelihood", number_or_null(fit.log_likelihood));
    result.set("n_customers", fit.n_customers);
    result.set("converged", fit.converged);
    result.set("status", fit.status);
    result.set("iterations", fit.iterations);
    result.set("gradient_norm", number_or_null(fit.gradient_norm));
    result.set("aic", number_or_null(fit.aic()));
    result.set("bic", number_or_null(fit.bic()));
    result.set("penalty", fit.penalty);
    result.set("time_unit", unit ? json(unit->name) : json(nullptr));
    result.set("time_unit_days", unit ? json(unit->days) : json(nullptr));
    if (ages) result.set("T_range", json::object{{"min", ages->min}, {"max", ages->max}});
    return result;
}

/// The parameters of model `M` from a JSON object such as {"r": 0.243, ...}: every parameter present
/// and a number, no unknown key (a typo would otherwise go unnoticed), then `M::validate`.
template <class M>
typename M::params params_from_json(const json& object, const std::string& source) {
    if (!object.is_object()) throw invalid_input("params", object.dump(0), "expected a JSON object", {source});
    std::array<double, M::parameter_count> values{};
    for (std::size_t i = 0; i < M::parameter_count; ++i) {
        const std::string key(M::parameter_names[i]);
        const json* value = object.find(key);
        if (!value) throw invalid_input(key, "", "parameter missing for model " + std::string(M::name), {source});
        if (!value->is_number()) throw invalid_input(key, value->dump(0), "parameter must be a number", {source});
        values[i] = value->as_number();
    }
    for (const auto& [key, value] : object.as_object()) {
        bool known = false;
        for (const auto name : M::parameter_names) known |= (key == name);
        if (!known)
            throw invalid_input(key, value.dump(0), "unknown parameter for model " + std::string(M::name), {source});
    }
    const auto params = M::from_array(values);
    M::validate(params);
    return params;
}

/// A model file after the checks every user of a fitted model needs.
struct model_file {
    std::string path;
    json document;                  ///< the whole file, for keys a command needs beyond these
    std::string model;              ///< the model's name, e.g. "bgnbd"
    bool converged = true;          ///< false only when the file says so (and reading was allowed)
    std::optional<time_unit> unit;  ///< the fitted data's time unit, when recorded
    std::optional<T_range> ages;    ///< the fitted data's range of T, when recorded

    /// The parameters, checked as model `M` (whose `name` should be `model`).
    template <class M>
    [[nodiscard]] typename M::params params() const {
        const json* p = document.find("params");
        return params_from_json<M>(p ? *p : json(nullptr), path);
    }
};

/// Parses a model file's text (`path` names it in messages) and checks it: an object with a string
/// "model" and a "params" object; "converged" (when present) true, or false only with
/// `allow_unconverged`; "time_unit_days" a positive number or null; "T_range" {min, max} or absent.
inline model_file parse_model_file(std::string_view text, const std::string& path, bool allow_unconverged) {
    model_file file;
    file.path = path;
    file.document = json::parse(text, path);
    const json& doc = file.document;
    const json* model = doc.find("model");
    const json* params = doc.find("params");
    if (!doc.is_object() || !model || !model->is_string() || !params || !params->is_object())
        throw invalid_input("model", "", "not a clv model file (needs \"model\" and \"params\")", {path});
    file.model = model->as_string();
    if (const json* converged = doc.find("converged")) {
        if (!converged->is_bool()) throw invalid_input("converged", converged->dump(0), "must be true or false", {path});
        file.converged = converged->as_bool();
        if (!file.converged && !allow_unconverged) {
            const json* status = doc.find("status");
            const std::string why = status && status->is_string() ? " (" + status->as_string() + ")" : "";
            throw invalid_input("converged", "false",
                                "the model's fit did not converge" + why +
                                    ", so its parameters are not the maximum-likelihood estimates; refit it, or "
                                    "give --allow-unconverged to use it anyway",
                                {path});
        }
    }
    const json* name = doc.find("time_unit");
    if (const json* days = doc.find("time_unit_days"); days && !days->is_null()) {
        if (!days->is_number() || !(days->as_number() > 0))
            throw invalid_input("time_unit_days", days->dump(0), "must be a positive number of days", {path});
        file.unit = time_unit{days->as_number(), name && name->is_string() ? name->as_string()
                                                                           : to_message_string(days->as_number())};
    } else if (name && name->is_string() && name->as_string() != "unspecified") {
        file.unit = time_unit::parse(name->as_string(), "time_unit");  // files that record only the name
    }
    if (const json* range = doc.find("T_range")) {
        const json* low = range->find("min");
        const json* high = range->find("max");
        if (!low || !high || !low->is_number() || !high->is_number() || !(low->as_number() <= high->as_number()))
            throw invalid_input("T_range", range->dump(0), "must be {\"min\": number, \"max\": number >= min}", {path});
        file.ages = T_range{low->as_number(), high->as_number()};
    }
    return file;
}

/// Reads and checks the model file at `path` (see `parse_model_file`); `allow_unconverged` is the
/// user's explicit consent to use a fit that did not converge.
inline model_file read_model_file(const std::filesystem::path& path, bool allow_unconverged) {
    if (std::filesystem::is_directory(path)) throw invalid_input("", "", "is a folder, not a model file", {path.string()});
    std::ifstream in(path, std::ios::binary);
    if (!in) throw invalid_input("", "", std::string("cannot open the file: ") + std::strerror(errno), {path.string()});
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (in.bad()) throw invalid_input("", "", "cannot read the file", {path.string()});
    return parse_model_file(text, path.string(), allow_unconverged);
}

/// Writes `model` (from `fit_to_json`) to `path` atomically (see `write_file_atomically`).
inline void write_model_file(const std::filesystem::path& path, const json& model) {
    const std::string text = model.dump(2);
    write_file_atomically(path, [&](std::ostream& out) { out << text << '\n'; });
}

}  // namespace clv::io
