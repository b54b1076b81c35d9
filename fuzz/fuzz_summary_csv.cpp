// libFuzzer target: see fuzz/targets.hpp (summary_csv_input) and docs/fuzzing.md.
#include "targets.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    clv_fuzz::summary_csv_input(data, size);
    return 0;
}
