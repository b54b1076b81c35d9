// The MBG/NBD model (Batislam, Denizel & Filiztekin 2007, "Empirical validation and comparison of
// models for customer base analysis", International Journal of Research in Marketing 24(3);
// Wagner & Hoppe 2008, "Erratum on the MBG/NBD model", IJRM 25(3)).
//
// It is the BG/NBD with one change: a customer may also drop out right after the first purchase
// (at time 0), so a customer without repeat purchases is not certainly alive. The implementation
// is the class template of models/bg_nbd.hpp with `Modified = true`; every formula of both models
// is documented there, with the MBG/NBD form next to the BG/NBD one.
#pragma once

#include <clv/models/bg_nbd.hpp>

namespace clv {

/// The MBG/NBD model. Likelihood (Batislam et al. 2007 Appendix A, eq. 3):
/// L = Gamma(r+x) alpha^r/Gamma(r) B(a, b+x+1)/B(a, b) [(alpha+T)^-(r+x) + a/(b+x) (alpha+t_x)^-(r+x)].
template <class Real = double>
using mbg_nbd = beta_geometric_nbd<Real, true>;

}  // namespace clv
