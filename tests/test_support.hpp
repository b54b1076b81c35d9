// Helpers shared by the tests.
#pragma once

#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>

namespace clv_test {

/// The folder of the reference datasets (../shared/data), or nothing when it is absent. Absent data
/// is reported loudly, and is a failure when the CI environment variable is set: CI must run them.
inline std::optional<std::filesystem::path> shared_data(const std::string& relative = "") {
    const char* env = std::getenv("CLV_SHARED_DATA");
    std::filesystem::path dir = env && *env ? env : CLV_SHARED_DATA;
    const auto path = relative.empty() ? dir : dir / relative;
    if (std::filesystem::exists(path)) return path;
    const char* ci = std::getenv("CI");
    if (ci && std::string(ci) == "true") {
        FAIL("reference data missing under CI: " << path.string());
    }
    MESSAGE("SKIPPED: reference data not found at " << path.string()
                                                    << " (configure with -DCLV_SHARED_DATA=...)");
    return std::nullopt;
}

}  // namespace clv_test
