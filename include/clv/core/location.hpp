// Where a value read from a file came from, built only when an error needs it.
#pragma once

#include <clv/core/errors.hpp>

#include <type_traits>

namespace clv {

/// A place for error messages: either a `source_location` or a callable returning one. Readers
/// pass a callable on hot paths so that ten million good rows never build a location string.
template <class Where>
concept location_source = std::is_convertible_v<const Where&, source_location> ||
                          std::is_invocable_r_v<source_location, const Where&>;

/// The `source_location` a `location_source` stands for.
template <location_source Where>
source_location locate(const Where& where) {
    if constexpr (std::is_invocable_r_v<source_location, const Where&>) {
        return where();
    } else {
        return where;
    }
}

}  // namespace clv
