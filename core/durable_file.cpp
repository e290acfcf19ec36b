// The one durable-file writer (name.new, fsync, rename or link, fsync the directory) and reads.
#include "core/durable_file.hpp"

#include <sys/stat.h>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace lapor {

namespace {

Error fsError(int err, const std::string& what) {
    const Errc code = err == ENOSPC || err == EDQUOT  ? Errc::diskFull
                      : err == EACCES || err == EPERM ? Errc::permission
                      : err == ENOENT                 ? Errc::notFound
                      : err == EEXIST                 ? Errc::busy
                                                      : Errc::ioError;
    return makeError(code, what + ": " + std::strerror(err));
}

}  // namespace

Status syncDirectory(const std::filesystem::path& dir) {
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        return fsError(errno, "open directory " + dir.string());
    }
    const int r = ::fsync(fd);
    const int err = errno;
    ::close(fd);
    if (r != 0) {
        return fsError(err, "fsync directory " + dir.string());
    }
    return {};
}

Status writeFileDurably(const std::filesystem::path& path, std::span<const std::uint8_t> bytes,
                        DurableWrite how) {
    const std::filesystem::path parent = path.has_parent_path() ? path.parent_path() : ".";
    if (how.createParent) {
        std::error_code ec;
        std::filesystem::create_directories(parent, ec);
        if (ec) {
            return makeError(Errc::ioError, "create " + parent.string() + ": " + ec.message());
        }
    }
    std::filesystem::path tmp = path;
    tmp += ".new";
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, how.mode);
    if (fd < 0) {
        return fsError(errno, "create " + tmp.string());
    }
    auto fail = [&](int err, const char* what) {
        ::close(fd);
        ::unlink(tmp.c_str());
        return fsError(err, what + tmp.string());
    };
    if (::fchmod(fd, how.mode) != 0) {
        return fail(errno, "chmod ");
    }
    if (how.ownerOfParent) {
        struct stat dir {};
        if (::stat(parent.c_str(), &dir) != 0) {
            return fail(errno, "stat the directory of ");
        }
        if (::fchown(fd, dir.st_uid, dir.st_gid) != 0 && errno != EPERM) {
            return fail(errno, "chown ");
        }
    }
    std::size_t done = 0;
    while (done < bytes.size()) {
        const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            return fail(errno, "write ");
        }
        done += static_cast<std::size_t>(n);
    }
    if (::fsync(fd) != 0) {
        return fail(errno, "fsync ");
    }
    ::close(fd);
    const int installed =
        how.onlyIfAbsent ? ::link(tmp.c_str(), path.c_str()) : ::rename(tmp.c_str(), path.c_str());
    if (installed != 0) {
        const int err = errno;
        ::unlink(tmp.c_str());
        return fsError(err, "install " + path.string());
    }
    if (how.onlyIfAbsent) {
        ::unlink(tmp.c_str());
    }
    return syncDirectory(parent);
}

Status writeFileDurably(const std::filesystem::path& path, std::string_view text,
                        DurableWrite how) {
    return writeFileDurably(
        path, std::span(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()), how);
}

Result<std::vector<std::uint8_t>> readWholeFile(const std::filesystem::path& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return fsError(errno, "open " + path.string());
    }
    std::vector<std::uint8_t> out;
    std::uint8_t buf[65536];
    for (;;) {
        const ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            const int err = errno;
            ::close(fd);
            return fsError(err, "read " + path.string());
        }
        if (n == 0) {
            break;
        }
        out.insert(out.end(), buf, buf + n);
    }
    ::close(fd);
    return out;
}

}  // namespace lapor
