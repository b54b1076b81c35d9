// The Boost.Math quadrature rules the models integrate with, built once per type and thread:
// their abscissas are precomputed and extended lazily, and Boost 1.74 declares `integrate`
// non-const, so a rule is not shared between threads.
#pragma once

#include <boost/math/quadrature/exp_sinh.hpp>
#include <boost/math/quadrature/tanh_sinh.hpp>

namespace clv::math {

/// Tanh-sinh rule for finite intervals (end-point singularities allowed).
template <class Real>
boost::math::quadrature::tanh_sinh<Real>& tanh_sinh_rule() {
    thread_local boost::math::quadrature::tanh_sinh<Real> rule;
    return rule;
}

/// Exp-sinh rule for [0, infinity).
template <class Real>
boost::math::quadrature::exp_sinh<Real>& exp_sinh_rule() {
    thread_local boost::math::quadrature::exp_sinh<Real> rule;
    return rule;
}

}  // namespace clv::math
