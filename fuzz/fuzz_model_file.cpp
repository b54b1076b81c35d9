// libFuzzer target for the model-file reader (see docs/fuzzing.md). The reader lives in the program
// today (tools/clv/model_file.hpp); this target follows it there. First byte: bit 0 allows a model
// marked not converged; the rest: the file. A model that reads must have parameters its model
// accepts, and a recorded time unit must be a positive finite number of days.
#include "targets.hpp"

#include "../tools/clv/model_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const auto path = clv_fuzz::input_file(std::string_view(reinterpret_cast<const char*>(data + 1), size - 1), ".json");
    clv_fuzz::expect_result_or_invalid_input([&] {
        const nlohmann::json model = clv_cli::load_model_file(path.string(), (data[0] & 1) != 0);
        if (const auto unit = clv_cli::model_time_unit(model, path.string()); unit && !(unit->days > 0 && std::isfinite(unit->days)))
            clv_fuzz::finding("a model file's time unit is not a positive number of days");
        clv_cli::with_transaction_model(model["model"].get<std::string>(), [&]<class M>() {
            M::validate(clv_cli::params_from_json<M>(model["params"], path.string()));
        });
    });
    return 0;
}
