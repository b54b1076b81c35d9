// A file with given bytes in the temporary directory, removed when the test is done; the IO tests
// read it back and check that error messages name it.
#pragma once

#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <unistd.h>

namespace clv_test {

class temp_file {
public:
    /// `name` is kept in the file name (e.g. "ragged.csv") so messages can be checked for it.
    temp_file(std::string_view name, std::string_view content) {
        static std::atomic<int> counter{0};
        path_ = std::filesystem::temp_directory_path() /
                ("clv_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++) + "_" + std::string(name));
        std::ofstream out(path_, std::ios::binary);
        out.write(content.data(), static_cast<std::streamsize>(content.size()));
    }
    temp_file(const temp_file&) = delete;
    temp_file& operator=(const temp_file&) = delete;
    ~temp_file() {
        std::error_code ignored;
        std::filesystem::remove(path_, ignored);
    }
    [[nodiscard]] const std::filesystem::path& path() const noexcept { return path_; }
    [[nodiscard]] std::string name() const { return path_.filename().string(); }

private:
    std::filesystem::path path_;
};

}  // namespace clv_test
