// Choosing a model: several models fitted by maximum likelihood on the same customers, side by side
// with their information criteria, repeat-purchase histogram fit and (given holdout columns) holdout
// error, ranked by AIC (Akaike 1974; lower is better) with models that did not converge last.
#pragma once

#include <clv/analysis/diagnostics_support.hpp>
#include <clv/analysis/histogram.hpp>
#include <clv/analysis/holdout.hpp>
#include <clv/data/customer_table.hpp>
#include <clv/fit/maximum_likelihood.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace clv {

/// One model fitted to the comparison's data.
struct model_assessment {
    std::string model;                                   ///< the model's name (M::name)
    bool converged = false;
    std::string status;                                  ///< the fit's reason for stopping
    double log_likelihood = 0;
    double aic = 0;
    double bic = 0;
    std::vector<std::pair<std::string, double>> params;  ///< in the model's parameter order
    frequency_histogram histogram;                       ///< calibration repeat-purchase histogram
    std::optional<holdout_evaluation> holdout;           ///< when the data have holdout columns
    int iterations = 0;                                  ///< the optimiser's iterations
};

/// Fits `M` to the calibration columns of `table` (compressed to unique rows first) and assesses the
/// fit: information criteria, the repeat-purchase histogram, and the holdout evaluation when the
/// table has holdout columns. A fit that does not converge is reported with converged == false.
template <class M>
model_assessment assess_model(const customer_table& table, const fit::fit_options& options = {},
                              std::size_t max_frequency = 7) {
    if (table.empty()) throw invalid_input("", "", "no customers: the table is empty", {"model comparison"});
    const compressed_table compressed = compress(table);
    const auto fit = M::fit(compressed.unique.columns(), options);
    model_assessment out;
    out.model = std::string(M::name);
    out.converged = fit.converged;
    out.status = fit.status;
    out.iterations = fit.iterations;
    out.log_likelihood = fit.log_likelihood;
    out.aic = fit.aic();
    out.bic = fit.bic();
    const auto values = M::to_array(fit.params);
    for (std::size_t i = 0; i < M::parameter_count; ++i) out.params.emplace_back(std::string(M::parameter_names[i]), values[i]);
    try {
        const M model(fit.params);
        out.histogram = repeat_purchase_histogram(model, table, max_frequency, M::parameter_count);
        if (table.has_holdout()) out.holdout = evaluate_holdout(model, table, max_frequency);
    } catch (const invalid_input& e) {
        if (fit.converged) throw;
        // A failed fit may end at parameters that predict nothing; it is reported, not assessed.
        out.status += std::string("; no predictions at these parameters: ") + e.what();
    }
    return out;
}

/// Orders assessments best first: converged fits by AIC (ascending), then fits that did not
/// converge (also by AIC), so a failed fit is never ranked as if it were a result.
inline void rank_models(std::vector<model_assessment>& models) {
    std::stable_sort(models.begin(), models.end(), [](const model_assessment& a, const model_assessment& b) {
        if (a.converged != b.converged) return a.converged;
        const double x = std::isfinite(a.aic) ? a.aic : std::numeric_limits<double>::infinity();
        const double y = std::isfinite(b.aic) ? b.aic : std::numeric_limits<double>::infinity();
        return x < y;
    });
}

/// Fits each of `Models...` to `table` (see `assess_model`) and returns them ranked (`rank_models`).
template <class... Models>
std::vector<model_assessment> compare_models(const customer_table& table, const fit::fit_options& options = {},
                                             std::size_t max_frequency = 7) {
    std::vector<model_assessment> out{assess_model<Models>(table, options, max_frequency)...};
    rank_models(out);
    return out;
}

}  // namespace clv
