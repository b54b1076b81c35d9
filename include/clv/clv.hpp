// clv: customer lifetime value models. Including this header includes every public component.
#pragma once

#include <clv/version.hpp>

#include <clv/core/calendar.hpp>
#include <clv/core/concepts.hpp>
#include <clv/core/errors.hpp>
#include <clv/core/hypergeometric.hpp>
#include <clv/core/location.hpp>
#include <clv/core/math.hpp>
#include <clv/core/quadrature.hpp>

#include <clv/data/customer_table.hpp>
#include <clv/data/simulate_transactions.hpp>
#include <clv/data/summarize.hpp>

#include <clv/fit/bfgs.hpp>
#include <clv/fit/maximum_likelihood.hpp>

#include <clv/models/bg_nbd.hpp>
#include <clv/models/mbg_nbd.hpp>
#include <clv/models/pareto_nbd.hpp>

#include <clv/analysis/tracking.hpp>

#include <clv/value/lifetime_value.hpp>
#include <clv/value/model_parts.hpp>
#include <clv/value/parts.hpp>
#include <clv/value/scoring.hpp>
#include <clv/value/simple_clv.hpp>

#include <clv/io/csv_reader.hpp>
#include <clv/io/dates.hpp>
#include <clv/io/summary_csv.hpp>
#include <clv/io/transaction_log.hpp>
