// Inputs shared by the diagnostics commands (show, evaluate, track, matrix, compare): the model file
// and the holdout columns of a summary.
#pragma once

#include "model_file.hpp"
#include "summary_input.hpp"

#include <clv/io/csv_reader.hpp>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>
#include <vector>

namespace clv_cli {

/// The --model-file option and the flag that lets a model marked not converged through.
struct model_file_option {
    std::string path;
    bool allow_unconverged = false;
};

inline void add_model_file_options(CLI::App& cmd, model_file_option& model) {
    cmd.add_option("--model-file", model.path, "model file written by clv fit --output")->required();
    cmd.add_flag("--allow-unconverged", model.allow_unconverged,
                  "use a model file whose fit did not converge (its predictions are not trustworthy)");
}

/// Reads a model file through `load_model_file` (which refuses a fit that did not converge unless
/// allowed) and checks it holds a transaction model. `command` names the command in the message.
inline nlohmann::json read_transaction_model(const model_file_option& option, const std::string& command) {
    nlohmann::json model = load_model_file(option.path, option.allow_unconverged);
    const std::string name = model["model"].get<std::string>();
    if (std::find(transaction_model_names.begin(), transaction_model_names.end(), name) == transaction_model_names.end()) {
        std::string known;
        for (const auto& n : transaction_model_names) known += (known.empty() ? "" : ", ") + n;
        throw clv::invalid_input("model", name, "clv " + command + " needs a transaction model file (" + known + ")",
                                 {option.path});
    }
    return model;
}

/// A JSON number, or null for NaN (an empty bucket, an undefined correlation): JSON has no NaN.
inline nlohmann::ordered_json json_number(double v) { return std::isfinite(v) ? nlohmann::ordered_json(v) : nullptr; }

/// Adds the holdout columns of the summary file (frequency_holdout, duration_holdout, as clv
/// summarize --calibration-end writes them) to `table`, read from the same file `read_summary`
/// read. Returns false when the file has neither column; one without the other is an error.
inline bool read_holdout_columns(const summary_input& input, clv::customer_table& table) {
    clv::io::csv_reader reader(input.path, input.columns.csv);
    const auto& names = reader.columns();
    auto find = [&](const std::string& name) {
        for (std::size_t i = 0; i < names.size(); ++i)
            if (names[i] == name) return i;
        return names.size();
    };
    const std::size_t frequency = find("frequency_holdout"), duration = find("duration_holdout");
    if (frequency == names.size() && duration == names.size()) return false;
    if (frequency == names.size() || duration == names.size())
        throw clv::invalid_input(frequency == names.size() ? "frequency_holdout" : "duration_holdout", "",
                                 "the summary has one holdout column without the other", {input.path});
    std::vector<double> frequencies, durations;
    clv::io::csv_row row;
    while (reader.next(row)) {
        for (const auto& [column, out] : {std::pair{frequency, &frequencies}, std::pair{duration, &durations}}) {
            const double value = clv::io::parse_number(row[column], names[column], [&] { return row.where(column); });
            if (value < 0) throw clv::invalid_input(names[column], std::string(row[column]), "must not be negative", row.where(column));
            out->push_back(value);
        }
    }
    if (frequencies.size() != table.size())
        throw clv::invalid_input("", std::to_string(frequencies.size()), "holdout rows differ from the summary rows read",
                                 {input.path});
    table.frequency_holdout = std::move(frequencies);
    table.duration_holdout = std::move(durations);
    table.monetary_value_holdout.assign(table.size(), 0.0);
    return true;
}

}  // namespace clv_cli
