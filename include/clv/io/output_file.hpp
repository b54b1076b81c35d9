// Writing output files without ever losing one: an output may not be one of the inputs, and a file
// is replaced only by a complete, flushed, synced copy (write to a temporary file in the same folder,
// then rename, which POSIX makes atomic within a file system).
#pragma once

#include <clv/core/errors.hpp>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <functional>
#include <ostream>
#include <span>
#include <streambuf>
#include <string>
#include <system_error>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace clv::io {

/// Throws `invalid_input` when `output` names the same file as one of `inputs`: the same path, another
/// path to it, a hard link or a symbolic link (`std::filesystem::equivalent` when both exist; the
/// normalised absolute paths otherwise). Call it before anything is written. `field` names the output
/// in the message (e.g. the program's option "--output").
inline void check_output_is_not_input(const std::filesystem::path& output,
                                      std::span<const std::filesystem::path> inputs,
                                      const std::string& field = "output") {
    namespace fs = std::filesystem;
    std::error_code error;
    const fs::path output_path = fs::weakly_canonical(output, error);
    for (const fs::path& input : inputs) {
        if (input.empty()) continue;
        bool same = fs::exists(output, error) && fs::exists(input, error) && fs::equivalent(output, input, error);
        if (!same && !output_path.empty()) {
            std::error_code input_error;
            const fs::path input_path = fs::weakly_canonical(input, input_error);
            same = !input_error && input_path == output_path;
        }
        if (same)
            throw invalid_input(field, output.string(),
                                "is the same file as the input '" + input.string() +
                                    "'; writing it would destroy the input: choose another output file");
    }
}

namespace detail {

/// The operating system's text for an errno value, e.g. "No space left on device".
inline std::string system_reason(int error_number) { return std::generic_category().message(error_number); }

/// A stream buffer over a file descriptor that remembers the first write error (errno), so that the
/// message can say why a write failed, which std::ofstream does not report.
class file_descriptor_buffer : public std::streambuf {
public:
    explicit file_descriptor_buffer(int fd) : fd_(fd) { setp(buffer_, buffer_ + sizeof buffer_); }
    file_descriptor_buffer(const file_descriptor_buffer&) = delete;
    file_descriptor_buffer& operator=(const file_descriptor_buffer&) = delete;

    /// errno of the first failed write, 0 when every write succeeded.
    [[nodiscard]] int error() const noexcept { return error_; }

protected:
    int_type overflow(int_type ch) override {
        if (!write_buffer()) return traits_type::eof();
        if (!traits_type::eq_int_type(ch, traits_type::eof())) {
            *pptr() = traits_type::to_char_type(ch);
            pbump(1);
        }
        return traits_type::not_eof(ch);
    }
    int sync() override { return write_buffer() ? 0 : -1; }

private:
    bool write_buffer() {
        if (error_ != 0) return false;
        const char* data = pbase();
        std::size_t left = static_cast<std::size_t>(pptr() - pbase());
        while (left > 0) {
            const ssize_t written = ::write(fd_, data, left);
            if (written < 0) {
                if (errno == EINTR) continue;
                error_ = errno;
                return false;
            }
            data += written;
            left -= static_cast<std::size_t>(written);
        }
        setp(buffer_, buffer_ + sizeof buffer_);
        return true;
    }

    int fd_;
    int error_ = 0;
    char buffer_[1 << 16];
};

/// A temporary file next to the target, with a name no other writer uses; closed and removed on
/// destruction unless `keep()` was called after it was renamed into place.
class temporary_file {
public:
    explicit temporary_file(const std::filesystem::path& target) {
        const std::filesystem::path folder = target.has_parent_path() ? target.parent_path() : ".";
        static std::atomic<unsigned> counter{0};
        for (int attempt = 0; attempt < 100 && fd_ < 0; ++attempt) {
            // Hidden, and named after the target, so that a left-over file (after a crash) explains itself.
            std::string name = target.filename().string();
            name.insert(0, 1, '.');
            name.append(".tmp-").append(std::to_string(::getpid())).append("-").append(std::to_string(counter++));
            path_ = folder / name;
            // 0666 before the umask, as for any file the program creates.
            fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
            if (fd_ < 0 && errno != EEXIST)
                throw invalid_input("", "", "cannot create a file in the folder '" + folder.string() +
                                                "': " + system_reason(errno), {target.string()});
        }
        if (fd_ < 0)
            throw invalid_input("", "", "cannot create a temporary file in the folder '" + folder.string() + "'",
                                {target.string()});
    }
    temporary_file(const temporary_file&) = delete;
    temporary_file& operator=(const temporary_file&) = delete;
    ~temporary_file() {
        if (fd_ >= 0) ::close(fd_);
        if (!kept_) ::unlink(path_.c_str());
    }

    [[nodiscard]] int fd() const noexcept { return fd_; }
    [[nodiscard]] const std::filesystem::path& path() const noexcept { return path_; }
    /// Closes the descriptor; returns errno of a failed close, 0 on success.
    int close() {
        const int result = ::close(fd_);
        fd_ = -1;
        return result == 0 ? 0 : errno;
    }
    void keep() noexcept { kept_ = true; }

private:
    std::filesystem::path path_;
    int fd_ = -1;
    bool kept_ = false;
};

/// Writes `write`'s text through `fd` and flushes it; throws `invalid_input` naming `path` and the
/// operating system's reason when a write fails.
inline void write_through(int fd, const std::filesystem::path& path, const std::function<void(std::ostream&)>& write) {
    file_descriptor_buffer buffer(fd);
    std::ostream out(&buffer);
    write(out);
    out.flush();
    if (buffer.error() != 0 || !out)
        throw invalid_input("", "", "cannot write the file: " + system_reason(buffer.error() != 0 ? buffer.error() : EIO),
                            {path.string()});
}

}  // namespace detail

/// Writes the file `path` with `write(stream)`, atomically: the text goes to a temporary file in the
/// same folder, which is flushed, checked, synced to disk, closed and then renamed over `path`. On any
/// failure (including an exception from `write`, which is passed on) the previous file at `path` is
/// untouched and the temporary is removed. Errors are `invalid_input` naming `path` and the operating
/// system's reason ("No space left on device", "Permission denied"). A replaced file keeps its
/// permission bits; a symbolic link is followed (its target is replaced, the link stays). An existing
/// path that is not a regular file (a device such as /dev/null, a pipe) is written directly.
inline void write_file_atomically(const std::filesystem::path& path,
                                  const std::function<void(std::ostream&)>& write) {
    namespace fs = std::filesystem;
    if (path.empty()) throw invalid_input("output", "", "the output file name is empty");
    std::error_code error;
    const fs::file_status status = fs::status(path, error);
    if (fs::is_directory(status))
        throw invalid_input("", "", "is a folder, not a file: give a file name for the output", {path.string()});
    if (fs::exists(status) && !fs::is_regular_file(status)) {
        const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
        if (fd < 0) throw invalid_input("", "", "cannot open the file for writing: " + detail::system_reason(errno),
                                        {path.string()});
        struct close_on_exit { int fd; ~close_on_exit() { ::close(fd); } } closer{fd};
        detail::write_through(fd, path, write);
        return;
    }
    const fs::path target = fs::is_symlink(fs::symlink_status(path, error)) ? fs::weakly_canonical(path, error) : path;
    if (target.empty()) throw invalid_input("", "", "cannot follow the symbolic link", {path.string()});
    detail::temporary_file temporary(target);
    const auto fail = [&](const std::string& what, int error_number) {
        throw invalid_input("", "", what + ": " + detail::system_reason(error_number), {path.string()});
    };
    struct stat existing {};
    if (::stat(target.c_str(), &existing) == 0)
        ::fchmod(temporary.fd(), existing.st_mode & 07777);  // best effort: a rewritten file keeps its permissions
    detail::write_through(temporary.fd(), path, write);
    if (::fsync(temporary.fd()) != 0) fail("cannot write the file", errno);
    if (const int error_number = temporary.close(); error_number != 0) fail("cannot write the file", error_number);
    if (::rename(temporary.path().c_str(), target.c_str()) != 0) fail("cannot replace the file", errno);
    temporary.keep();
    // Make the rename itself durable; a folder that cannot be synced is not an error.
    const fs::path folder = target.has_parent_path() ? target.parent_path() : ".";
    const int folder_fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (folder_fd >= 0) {
        ::fsync(folder_fd);
        ::close(folder_fd);
    }
}

}  // namespace clv::io
