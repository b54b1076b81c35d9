// Model diagnostics: is a fitted transaction model right for these data, and which model fits best?
// This header includes them all (what they share is in analysis/diagnostics_support.hpp):
//   analysis/holdout.hpp           calibration vs holdout by calibration frequency, error metrics
//   analysis/histogram.hpp         repeat-purchase histogram, observed vs expected, chi-square
//   analysis/tracking.hpp          cohort tracking curve over calibration and holdout
//   analysis/matrix.hpp            frequency x recency grid of P(alive) or expected transactions
//   analysis/model_comparison.hpp  several models fitted on the same data, ranked by AIC
#pragma once

#include <clv/analysis/diagnostics_support.hpp>

#include <clv/analysis/histogram.hpp>
#include <clv/analysis/holdout.hpp>
#include <clv/analysis/matrix.hpp>
#include <clv/analysis/model_comparison.hpp>
#include <clv/analysis/tracking.hpp>
