// libFuzzer target: see fuzz/targets.hpp (csv_reader_input) and docs/fuzzing.md.
#include "targets.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    clv_fuzz::csv_reader_input(data, size);
    return 0;
}
