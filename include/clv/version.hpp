#pragma once

#define CLV_VERSION_MAJOR 0
#define CLV_VERSION_MINOR 1
#define CLV_VERSION_PATCH 0

namespace clv {
inline constexpr const char* version = "0.1.0";
}  // namespace clv
