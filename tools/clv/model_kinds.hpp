// The models that are not transaction models, in `clv fit` and `clv predict`: the contractual sBG
// (data: cohort counts or tenure,churned customers) and the Gamma-Gamma spend model (data: the
// repeat buyers of a customer summary). Same JSON model file as the transaction models.
#pragma once

#include "format.hpp"
#include "input_columns.hpp"
#include "model_file.hpp"
#include "summary_input.hpp"

#include <clv/io/contractual_csv.hpp>
#include <clv/io/output_file.hpp>
#include <clv/models/gamma_gamma.hpp>
#include <clv/models/shifted_beta_geometric.hpp>

#include <iostream>
#include <string>
#include <vector>

namespace clv_cli {

inline const std::vector<std::string> retention_model_names{"sbg"};
inline const std::vector<std::string> spend_model_names{"gg"};

/// Every name `clv fit --model` takes.
inline std::vector<std::string> fittable_model_names() {
    std::vector<std::string> names = transaction_model_names;
    names.insert(names.end(), retention_model_names.begin(), retention_model_names.end());
    names.insert(names.end(), spend_model_names.begin(), spend_model_names.end());
    return names;
}

/// sBG fit of a contractual file (`period,active[,cohort]` or `tenure,churned[,weight]`), as a
/// model file JSON with the cohorts' observed survival beside it.
inline nlohmann::ordered_json fit_retention_json(const std::string& path, const clv::fit::fit_options& options) {
    using model_type = clv::shifted_beta_geometric<double>;
    const clv::io::contractual_data data = clv::io::read_contractual_csv(path);
    nlohmann::ordered_json result = fit_to_json(model_type::fit(data.table.columns(), options), "");
    result["data_form"] = data.form == clv::io::contractual_form::cohort_counts ? "cohort_counts" : "customers";
    return result;
}

/// Gamma-Gamma fit on the repeat buyers of a summary: the customers left out and the
/// frequency-spend correlation the model assumes away are reported (a warning on stderr when strong).
inline nlohmann::ordered_json fit_spend_json(const summary_input& input, const clv::fit::fit_options& options,
                                             clv::nonpositive_spend policy) {
    if (!input.columns.monetary_value_column.empty() && !has_column(input.path, input.columns.monetary_value_column))
        throw clv::invalid_input(input.columns.monetary_value_column, "",
                                 "the Gamma-Gamma model needs each customer's mean repeat-purchase value: the summary "
                                 "has no such column (clv summarize --amount-col writes monetary_value)",
                                 {input.path});
    // Chunk by chunk, keeping only the repeat buyers' (frequency, spend) and the ids (unique in the
    // whole file): at 10^7 customers a third of the memory of the whole table.
    clv::io::summary_csv_reader reader = open_summary(input);
    reader.check_ids_across_chunks();
    clv::spend_data buyers;
    clv::customer_table chunk;
    std::size_t rows = 0;
    while (reader.next(chunk, 65536)) {
        clv::add_repeat_buyers(buyers, chunk, input.path, 0, policy, rows);
        rows += chunk.size();
    }
    if (rows == 0) throw clv::invalid_input("", "", "no data rows: the summary is empty", {reader.source()});
    const clv::gamma_gamma_fit fit = clv::fit_gamma_gamma(buyers, options, input.path);
    nlohmann::ordered_json result = fit_to_json(fit.fit, "");
    result["customers_excluded"] = fit.customers_excluded;
    if (policy == clv::nonpositive_spend::exclude) {
        result["nonpositive_spend_excluded"] = fit.nonpositive_spend_excluded;
        if (fit.nonpositive_spend_excluded > 0)
            std::cerr << "clv: " << format_number(fit.nonpositive_spend_excluded)
                      << (fit.nonpositive_spend_excluded == 1 ? " repeat buyer" : " repeat buyers")
                      << " with a mean spend <= 0 left out of the Gamma-Gamma fit\n";
    }
    result["frequency_spend_correlation"] = fit.frequency_spend_correlation;
    if (fit.correlation_warning)
        std::cerr << "clv: warning: frequency and mean spend of the repeat buyers correlate (r = "
                  << format_number(fit.frequency_spend_correlation)
                  << "); the Gamma-Gamma model assumes they are independent\n";
    return result;
}

/// `clv predict` for an sBG model: period, survival S(t), retention r(t) and churn P(T = t) for
/// t = 0..periods (FH 2007 eqs. 6-8); period 0 has no retention or churn.
inline void predict_retention(const nlohmann::json& model_json, const std::string& source, unsigned periods,
                              const std::string& output) {
    using model_type = clv::shifted_beta_geometric<double>;
    const model_type model(params_from_json<model_type>(model_json["params"], source));
    auto write = [&](std::ostream& out) {
        out << "period,survival,retention,churn\n";
        for (unsigned t = 0; t <= periods; ++t) {
            out << t << ',' << format_number(model.survival(t));
            if (t == 0) out << ",,";
            else out << ',' << format_number(model.retention_rate(t)) << ',' << format_number(model.churn_probability(t));
            out << '\n';
        }
    };
    if (output.empty()) write(std::cout);
    else clv::io::write_file_atomically(output, write);
}

/// `clv predict` for a Gamma-Gamma model: each customer's expected spend per purchase (the
/// population mean for customers without repeat purchases), streamed chunk by chunk like the
/// transaction models' predictions (`stream_summary`: memory of one chunk).
inline void predict_spend(const nlohmann::json& model_json, const std::string& source, const summary_input& input,
                          const stream_options& stream, const std::string& output) {
    using model_type = clv::gamma_gamma<double>;
    const model_type model(params_from_json<model_type>(model_json["params"], source));
    auto score = [&](const clv::customer_table& chunk, const std::vector<std::string>&, bool header, std::string& text) {
        if (header) text += "customer_id,expected_spend\n";
        for (std::size_t c = 0; c < chunk.size(); ++c) {
            const double x = chunk.frequency[c];
            text += clv::io::csv_field(chunk.ids[c]);
            text += ',';
            append_formatted(text, x > 0 ? model.conditional_expected_spend(x, chunk.monetary_value[c])
                                         : model.expected_spend());
            text += '\n';
        }
    };
    stream_summary(input, stream, output, false, score);
}

}  // namespace clv_cli
