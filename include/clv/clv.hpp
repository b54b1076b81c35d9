// clv: customer lifetime value models. Including this header includes every public component.
#pragma once

#include <clv/version.hpp>

#include <clv/core/calendar.hpp>
#include <clv/core/concepts.hpp>
#include <clv/core/edit_distance.hpp>
#include <clv/core/errors.hpp>
#include <clv/core/hypergeometric.hpp>
#include <clv/core/location.hpp>
#include <clv/core/math.hpp>
#include <clv/core/parallel.hpp>
#include <clv/core/quadrature.hpp>
#include <clv/core/statistics.hpp>
#include <clv/core/time_unit.hpp>

#include <clv/data/contractual.hpp>
#include <clv/data/customer_table.hpp>
#include <clv/data/simulate_transactions.hpp>
#include <clv/data/summarize.hpp>

#include <clv/fit/bfgs.hpp>
#include <clv/fit/maximum_likelihood.hpp>

#include <clv/models/bg_bb.hpp>
#include <clv/models/bg_nbd.hpp>
#include <clv/models/gamma_gamma.hpp>
#include <clv/models/mbg_nbd.hpp>
#include <clv/models/pareto_nbd.hpp>
#include <clv/models/shifted_beta_geometric.hpp>

#include <clv/analysis/attributes.hpp>
#include <clv/analysis/churn_risk.hpp>
#include <clv/analysis/cohorts.hpp>
#include <clv/analysis/customer_report.hpp>
#include <clv/analysis/diagnostics.hpp>
#include <clv/analysis/diagnostics_support.hpp>
#include <clv/analysis/growth_levers.hpp>
#include <clv/analysis/histogram.hpp>
#include <clv/analysis/holdout.hpp>
#include <clv/analysis/matrix.hpp>
#include <clv/analysis/model_comparison.hpp>
#include <clv/analysis/potential.hpp>
#include <clv/analysis/profile.hpp>
#include <clv/analysis/satisfaction.hpp>
#include <clv/analysis/tracking.hpp>
#include <clv/analysis/value_analysis.hpp>

#include <clv/value/lifetime_value.hpp>
#include <clv/value/model_parts.hpp>
#include <clv/value/parts.hpp>
#include <clv/value/scoring.hpp>
#include <clv/value/simple_clv.hpp>

#include <clv/io/contractual_csv.hpp>
#include <clv/io/csv_reader.hpp>
#include <clv/io/customer_report_html.hpp>
#include <clv/io/dates.hpp>
#include <clv/io/html_report.hpp>
#include <clv/io/json.hpp>
#include <clv/io/model_file.hpp>
#include <clv/io/output_file.hpp>
#include <clv/io/sql.hpp>
#include <clv/io/summary_csv.hpp>
#include <clv/io/svg.hpp>
#include <clv/io/transaction_log.hpp>
