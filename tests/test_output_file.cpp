#include <clv/io/output_file.hpp>

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

namespace fs = std::filesystem;
using clv::invalid_input;
using clv::io::check_output_is_not_input;
using clv::io::write_file_atomically;

namespace {

/// A fresh folder in the temporary directory, removed with everything in it at the end of the test.
struct temp_folder {
    fs::path path;
    temp_folder() {
        static int counter = 0;
        path = fs::temp_directory_path() / ("clv_test_output_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
        fs::create_directories(path);
    }
    ~temp_folder() {
        std::error_code ignored;
        fs::permissions(path, fs::perms::owner_all, fs::perm_options::add, ignored);
        fs::remove_all(path, ignored);
    }
    [[nodiscard]] std::vector<std::string> entries() const {
        std::vector<std::string> names;
        for (const auto& entry : fs::directory_iterator(path)) names.push_back(entry.path().filename().string());
        return names;
    }
};

std::string contents(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

void put(const fs::path& path, const std::string& text) { std::ofstream(path, std::ios::binary) << text; }

std::string error_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const invalid_input& e) {
        return e.what();
    }
    return "no error";
}

}  // namespace

TEST_CASE("write_file_atomically writes a new file and replaces an old one, leaving nothing else") {
    temp_folder folder;
    const fs::path out = folder.path / "out.csv";
    write_file_atomically(out, [](std::ostream& s) { s << "a,b\n1,2\n"; });
    CHECK(contents(out) == "a,b\n1,2\n");
    write_file_atomically(out, [](std::ostream& s) { s << "new\n"; });
    CHECK(contents(out) == "new\n");
    CHECK(folder.entries() == std::vector<std::string>{"out.csv"});
}

TEST_CASE("a large output (many buffer fills) arrives complete") {
    temp_folder folder;
    const fs::path out = folder.path / "big.csv";
    std::string expected;
    for (int i = 0; i < 200000; ++i) expected += std::to_string(i) + ",x\n";
    write_file_atomically(out, [&](std::ostream& s) {
        for (int i = 0; i < 200000; ++i) s << i << ",x\n";
    });
    CHECK(contents(out) == expected);
}

TEST_CASE("a writer that fails midway leaves the previous file untouched and no temporary") {
    temp_folder folder;
    const fs::path out = folder.path / "model.json";
    put(out, "the good model\n");

    SUBCASE("the writer throws") {
        CHECK_THROWS_WITH_AS(write_file_atomically(out,
                                                   [](std::ostream& s) {
                                                       s << std::string(100000, 'x');
                                                       throw std::runtime_error("computation failed");
                                                   }),
                             "computation failed", std::runtime_error);
    }
    SUBCASE("the writer throws invalid_input of its own") {
        CHECK_THROWS_WITH_AS(write_file_atomically(out, [](std::ostream&) { throw invalid_input("x", "1", "bad"); }),
                             "field 'x': bad (value '1')", invalid_input);
    }
    SUBCASE("the stream fails midway") {
        const std::string message = error_of([&] {
            write_file_atomically(out, [](std::ostream& s) {
                s << "half a row,";
                s.setstate(std::ios::badbit);
            });
        });
        CHECK(message.find(out.string()) != std::string::npos);
        CHECK(message.find("cannot write the file") != std::string::npos);
    }
    CHECK(contents(out) == "the good model\n");
    CHECK(folder.entries() == std::vector<std::string>{"model.json"});
}

TEST_CASE("a full device gives the operating system's reason") {
    if (!fs::exists("/dev/full")) return;
    // /dev/full is a device, written in place (a device cannot be renamed over): every write fails with ENOSPC.
    const std::string message = error_of([] { write_file_atomically("/dev/full", [](std::ostream& s) { s << "x\n"; }); });
    CHECK(message == "/dev/full: cannot write the file: No space left on device");
}

TEST_CASE("a folder that cannot be written gives the reason and the path, and leaves the old file") {
    temp_folder folder;
    const fs::path out = folder.path / "out.csv";
    put(out, "old\n");
    fs::permissions(folder.path, fs::perms::owner_read | fs::perms::owner_exec | fs::perms::group_read |
                                     fs::perms::group_exec | fs::perms::others_read | fs::perms::others_exec);
    const auto attempt = [&] {
        return error_of([&] { write_file_atomically(out, [](std::ostream& s) { s << "new\n"; }); });
    };
    if (::geteuid() != 0) {
        const std::string message = attempt();
        CHECK(message.find("Permission denied") != std::string::npos);
        CHECK(message.find(out.string()) != std::string::npos);
    } else {
        // root ignores folder permissions: try as the unprivileged user nobody in a child process.
        const pid_t child = ::fork();
        REQUIRE(child >= 0);
        if (child == 0) {
            if (::setgid(65534) != 0 || ::setuid(65534) != 0) ::_exit(3);
            const std::string message = attempt();
            ::_exit(message.find("Permission denied") != std::string::npos &&
                            message.find(out.string()) != std::string::npos
                        ? 0
                        : 1);
        }
        int status = 0;
        ::waitpid(child, &status, 0);
        REQUIRE(WIFEXITED(status));
        if (WEXITSTATUS(status) == 3) MESSAGE("SKIPPED: cannot switch to user nobody");
        else CHECK(WEXITSTATUS(status) == 0);
    }
    CHECK(contents(out) == "old\n");
    CHECK(folder.entries() == std::vector<std::string>{"out.csv"});
}

TEST_CASE("a missing folder or a folder as output is a plain error") {
    temp_folder folder;
    CHECK(error_of([&] { write_file_atomically(folder.path / "no" / "out.csv", [](std::ostream&) {}); })
              .find("No such file or directory") != std::string::npos);
    CHECK(error_of([&] { write_file_atomically(folder.path, [](std::ostream&) {}); }).find("is a folder") !=
          std::string::npos);
}

TEST_CASE("a symbolic link as output: its target is replaced and the link stays") {
    temp_folder folder;
    put(folder.path / "target.json", "old\n");
    fs::create_symlink("target.json", folder.path / "link.json");
    write_file_atomically(folder.path / "link.json", [](std::ostream& s) { s << "new\n"; });
    CHECK(fs::is_symlink(folder.path / "link.json"));
    CHECK(contents(folder.path / "target.json") == "new\n");
}

TEST_CASE("a replaced file keeps its permissions") {
    temp_folder folder;
    const fs::path out = folder.path / "private.json";
    put(out, "old\n");
    fs::permissions(out, fs::perms::owner_read | fs::perms::owner_write);
    write_file_atomically(out, [](std::ostream& s) { s << "new\n"; });
    CHECK(fs::status(out).permissions() == (fs::perms::owner_read | fs::perms::owner_write));
}

TEST_CASE("check_output_is_not_input refuses the same file under any name") {
    temp_folder folder;
    const fs::path input = folder.path / "log.csv";
    put(input, "customer,date\n");
    fs::create_directories(folder.path / "sub");
    const std::vector<fs::path> inputs{folder.path / "other.csv", input};

    SUBCASE("the same path") { CHECK_THROWS_AS(check_output_is_not_input(input, inputs), invalid_input); }
    SUBCASE("another path to it") {
        CHECK_THROWS_AS(check_output_is_not_input(folder.path / "sub" / ".." / "log.csv", inputs), invalid_input);
    }
    SUBCASE("a symbolic link to it") {
        fs::create_symlink(input, folder.path / "link.csv");
        const std::string message = error_of([&] { check_output_is_not_input(folder.path / "link.csv", inputs); });
        CHECK(message.find("same file as the input") != std::string::npos);
        CHECK(message.find((folder.path / "link.csv").string()) != std::string::npos);
    }
    SUBCASE("a hard link to it") {
        fs::create_hard_link(input, folder.path / "hard.csv");
        CHECK_THROWS_AS(check_output_is_not_input(folder.path / "hard.csv", inputs), invalid_input);
    }
    SUBCASE("a relative path to it") {
        const fs::path before = fs::current_path();
        fs::current_path(folder.path / "sub");
        CHECK_THROWS_AS(check_output_is_not_input("../log.csv", inputs), invalid_input);
        fs::current_path(before);
    }
    SUBCASE("other files, existing or not, are fine") {
        put(folder.path / "summary.csv", "x\n");
        CHECK_NOTHROW(check_output_is_not_input(folder.path / "summary.csv", inputs));
        CHECK_NOTHROW(check_output_is_not_input(folder.path / "new.csv", inputs));
        CHECK_NOTHROW(check_output_is_not_input(folder.path / "new.csv", std::vector<fs::path>{}));
    }
    CHECK(contents(input) == "customer,date\n");
}
