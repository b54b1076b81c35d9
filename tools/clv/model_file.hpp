// The transaction models the program knows, and their JSON form (the model file `fit --output`
// writes and `predict --model-file` reads), as nlohmann JSON over the library's model files
// (clv/io/model_file.hpp, which owns the format and its checks). Every command that reads a model file
// goes through `load_model_file`, which refuses a model marked not converged unless the user allows it.
#pragma once

#include <clv/clv.hpp>
#include <clv/core/time_unit.hpp>
#include <clv/io/json.hpp>
#include <clv/io/model_file.hpp>
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
inline const std::vector<std::string> transaction_model_names{"bgnbd", "pnbd", "mbgnbd", "bgbb"};

/// Calls `f.template operator()<Model>()` with the model class named `name` (bgnbd, pnbd, mbgnbd,
/// bgbb: BG/BB takes whole numbers of opportunities as T and horizons, and a discount rate per opportunity).
template <class F>
decltype(auto) with_transaction_model(const std::string& name, F&& f) {
    if (name == "bgnbd") return f.template operator()<clv::bg_nbd<double>>();
    if (name == "pnbd") return f.template operator()<clv::pareto_nbd<double>>();
    if (name == "mbgnbd") return f.template operator()<clv::mbg_nbd<double>>();
    if (name == "bgbb") return f.template operator()<clv::bg_bb<double>>();
    throw clv::invalid_input("model", name,
                             "unknown model (or not a transaction model); expected bgnbd, pnbd, mbgnbd or bgbb");
}

/// The library's JSON value as nlohmann's (the program's other commands build on nlohmann).
inline nlohmann::ordered_json to_nlohmann(const clv::io::json& value) {
    return nlohmann::ordered_json::parse(value.dump(0));
}

/// JSON of a fit: the library's model-file form (`clv::io::fit_to_json`, keys documented in
/// docs/cli.md), with the data's time unit (a name `clv::time_unit::parse` knows is also recorded in
/// days; another name such as "period" only as a name) and, when given, the range of T of the data.
template <class M>
nlohmann::ordered_json fit_to_json(const clv::fit::fit_result<M>& fit, const std::string& time_unit,
                                   std::optional<clv::io::T_range> ages = std::nullopt) {
    std::optional<clv::time_unit> unit;
    if (!time_unit.empty() && time_unit != "unspecified") {
        try {
            unit = clv::time_unit::parse(time_unit);
        } catch (const clv::invalid_input&) {
        }
    }
    nlohmann::ordered_json result = to_nlohmann(clv::io::fit_to_json(fit, unit, ages));
    if (!unit && !time_unit.empty() && time_unit != "unspecified") result["time_unit"] = time_unit;
    return result;
}

/// The range of T of a summary (for `fit_to_json`), nothing for an empty one.
inline std::optional<clv::io::T_range> T_range_of(const clv::customer_table& data) {
    if (data.T.empty()) return std::nullopt;
    const auto [low, high] = std::minmax_element(data.T.begin(), data.T.end());
    return clv::io::T_range{*low, *high};
}

/// Reads the named parameters of model `M` from a JSON object such as {"r": 0.243, ...}: every
/// parameter present and a number, no unknown key (see `clv::io::params_from_json`).
template <class M>
typename M::params params_from_json(const nlohmann::json& object, const std::string& source) {
    return clv::io::params_from_json<M>(clv::io::json::parse(object.dump(), source), source);
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

/// Reads a model file as `clv fit --output` writes it, with the checks of `clv::io::read_model_file`
/// that every command reading one needs: a "model" name and "params" object, "converged" not false
/// unless `allow_unconverged` (the --allow-unconverged flag: a fit that stopped before the maximum gives
/// wrong predictions), a valid time unit and T range. The parameters themselves are checked by
/// `params_from_json<M>` once the model class is known.
inline nlohmann::json load_model_file(const std::string& path, bool allow_unconverged) {
    return nlohmann::json::parse(clv::io::read_model_file(path, allow_unconverged).document.dump(0));
}

/// The time unit a model file records, when it records one (null or absent: none).
inline std::optional<clv::time_unit> model_time_unit(const nlohmann::json& model, const std::string& path) {
    return clv::io::parse_model_file(model.dump(), path, true).unit;
}

}  // namespace clv_cli
