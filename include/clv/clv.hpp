// clv: customer lifetime value models. Including this header includes every public component.
#pragma once

#include <clv/version.hpp>

#include <clv/core/concepts.hpp>
#include <clv/core/errors.hpp>

#include <clv/data/customer_table.hpp>

#include <clv/fit/bfgs.hpp>
#include <clv/fit/maximum_likelihood.hpp>

#include <clv/value/lifetime_value.hpp>
#include <clv/value/parts.hpp>
#include <clv/value/simple_clv.hpp>
