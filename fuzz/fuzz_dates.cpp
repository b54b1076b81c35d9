// libFuzzer target: see fuzz/targets.hpp (dates_input) and docs/fuzzing.md.
#include "targets.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    clv_fuzz::dates_input(data, size);
    return 0;
}
