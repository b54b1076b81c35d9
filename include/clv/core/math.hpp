// Special functions as the models' hot paths call them: Boost.Math with one policy for all of
// clv. The policy keeps double in double (Boost's default promotes double to long double inside
// lgamma/digamma: 13x slower here, bench/bench_bg_nbd.cpp BM_lgamma_digamma) and returns inf/NaN
// instead of throwing, since objectives must not throw (the optimiser backs off from non-finite
// values). Templates over the real type so boost::multiprecision types work too.
#pragma once

#include <boost/math/policies/policy.hpp>
#include <boost/math/special_functions/digamma.hpp>
#include <boost/math/special_functions/expm1.hpp>
#include <boost/math/special_functions/gamma.hpp>
#include <boost/math/special_functions/log1p.hpp>

#include <cmath>

namespace clv::math {

using policy = boost::math::policies::policy<
    boost::math::policies::promote_double<false>, boost::math::policies::promote_float<false>,
    boost::math::policies::overflow_error<boost::math::policies::ignore_error>,
    boost::math::policies::pole_error<boost::math::policies::ignore_error>,
    boost::math::policies::domain_error<boost::math::policies::ignore_error>,
    boost::math::policies::evaluation_error<boost::math::policies::ignore_error>>;

template <class Real>
Real lgamma(const Real& x) { return boost::math::lgamma(x, policy{}); }
template <class Real>
Real digamma(const Real& x) { return boost::math::digamma(x, policy{}); }
template <class Real>
Real log1p(const Real& x) { return boost::math::log1p(x, policy{}); }
template <class Real>
Real expm1(const Real& x) { return boost::math::expm1(x, policy{}); }

/// log(1 + e^y) without overflow.
template <class Real>
Real log1p_exp(const Real& y) {
    using std::exp;
    if (y > 0) return y + log1p(Real(exp(-y)));
    return log1p(Real(exp(y)));
}

}  // namespace clv::math
