// libFuzzer target: see fuzz/targets.hpp (model_file_input) and docs/fuzzing.md.
#include "targets.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    clv_fuzz::model_file_input(data, size);
    return 0;
}
