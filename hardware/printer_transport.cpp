// Printer transports over file descriptors: device file, serial port (termios) and TCP, with
// timeouts.
#include "hardware/printer_transport.hpp"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <utility>

namespace lapor::hw {

namespace {

std::int64_t nowMs() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

Error errnoError(int err, const std::string& what) {
    Errc code = Errc::ioError;
    switch (err) {
        case ENOENT:
        case ENODEV:
        case ENXIO: code = Errc::unavailable; break;
        case EACCES:
        case EPERM: code = Errc::permission; break;
        case ETIMEDOUT: code = Errc::timeout; break;
        case ECONNREFUSED:
        case EHOSTUNREACH:
        case ENETUNREACH:
        case ECONNRESET:
        case EPIPE: code = Errc::unavailable; break;
        default: break;
    }
    return makeError(code, what + ": " + std::strerror(err));
}

// Waits for `events` on fd until the deadline; false on timeout.
Result<bool> waitFor(int fd, short events, std::int64_t deadlineMs) {
    for (;;) {
        const std::int64_t left = deadlineMs - nowMs();
        pollfd p{fd, events, 0};
        const int r = ::poll(&p, 1, static_cast<int>(left > 0 ? left : 0));
        if (r < 0 && errno == EINTR) {
            continue;
        }
        if (r < 0) {
            return errnoError(errno, "poll");
        }
        return r > 0;
    }
}

// Shared by the three real transports: an fd written and read with poll() deadlines.
class FdTransport : public PrinterTransport {
  public:
    ~FdTransport() override { close(); }
    void close() override {
        if (fd_ >= 0) {
            ::close(fd_);
            fd_ = -1;
        }
    }
    Status write(std::span<const std::uint8_t> bytes, int timeoutMs) override {
        if (fd_ < 0) {
            return makeError(Errc::internal, describe() + ": not open");
        }
        const std::int64_t deadline = nowMs() + timeoutMs;
        std::size_t done = 0;
        while (done < bytes.size()) {
            const ssize_t n = rawWrite(bytes.data() + done, bytes.size() - done);
            if (n > 0) {
                done += static_cast<std::size_t>(n);
                continue;
            }
            if (n < 0 && errno == EINTR) {
                continue;
            }
            if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
                return errnoError(errno, describe() + ": write");
            }
            Result<bool> ready = waitFor(fd_, POLLOUT, deadline);
            if (!ready) {
                return ready.error();
            }
            if (!*ready) {
                return makeError(Errc::timeout, describe() + ": printer takes no data (" +
                                                    std::to_string(done) + " of " +
                                                    std::to_string(bytes.size()) + " bytes sent)");
            }
        }
        return {};
    }
    Result<std::size_t> read(std::span<std::uint8_t> buffer, int timeoutMs) override {
        if (fd_ < 0) {
            return makeError(Errc::internal, describe() + ": not open");
        }
        const std::int64_t deadline = nowMs() + timeoutMs;
        for (;;) {
            Result<bool> ready = waitFor(fd_, POLLIN, deadline);
            if (!ready) {
                return ready.error();
            }
            if (!*ready) {
                return std::size_t{0};
            }
            const ssize_t n = ::read(fd_, buffer.data(), buffer.size());
            if (n >= 0) {
                return static_cast<std::size_t>(n);  // 0: end of file, nothing to read back
            }
            if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK) {
                if (nowMs() >= deadline) {
                    return std::size_t{0};
                }
                continue;
            }
            return errnoError(errno, describe() + ": read");
        }
    }

  protected:
    virtual ssize_t rawWrite(const std::uint8_t* p, std::size_t n) { return ::write(fd_, p, n); }
    int fd_ = -1;
};

class DeviceFileTransport final : public FdTransport {
  public:
    explicit DeviceFileTransport(std::filesystem::path path) : path_(std::move(path)) {}
    Status open(int /*timeoutMs*/) override {
        close();
        // O_APPEND: on a plain file (tests, capture to disk) jobs add up instead of overwriting.
        fd_ = ::open(path_.c_str(), O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC | O_APPEND);
        if (fd_ < 0 && (errno == EACCES || errno == EROFS)) {
            // Some usblp nodes are write-only for the group; printing still works without status.
            fd_ = ::open(path_.c_str(), O_WRONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC | O_APPEND);
            writeOnly_ = fd_ >= 0;
        }
        if (fd_ < 0) {
            return errnoError(errno, describe());
        }
        return {};
    }
    // usblp sends each write as a USB transfer in the background (we write non-blocking) and
    // cancels one still in flight on close; it reports POLLOUT once the last one completed.
    Status flush(int timeoutMs) override {
        Result<bool> done = waitFor(fd_, POLLOUT, nowMs() + timeoutMs);
        if (!done) {
            return done.error();
        }
        if (!*done) {
            return makeError(Errc::timeout, describe() + ": printer did not take the last data");
        }
        return {};
    }
    Result<std::size_t> read(std::span<std::uint8_t> buffer, int timeoutMs) override {
        if (writeOnly_) {
            return std::size_t{0};
        }
        return FdTransport::read(buffer, timeoutMs);
    }
    std::string describe() const override { return "device " + path_.string(); }

  private:
    std::filesystem::path path_;
    bool writeOnly_ = false;
};

speed_t baudConstant(int baud) {
    switch (baud) {
        case 1200: return B1200;
        case 2400: return B2400;
        case 4800: return B4800;
        case 9600: return B9600;
        case 19200: return B19200;
        case 38400: return B38400;
        case 57600: return B57600;
        case 115200: return B115200;
        case 230400: return B230400;
        default: return B0;
    }
}

class SerialTransport final : public FdTransport {
  public:
    SerialTransport(std::filesystem::path path, int baud) : path_(std::move(path)), baud_(baud) {}
    Status open(int /*timeoutMs*/) override {
        close();
        const speed_t speed = baudConstant(baud_);
        if (speed == B0) {
            return makeError(Errc::invalidInput,
                             "serial speed " + std::to_string(baud_) + " is not supported");
        }
        fd_ = ::open(path_.c_str(), O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
        if (fd_ < 0) {
            return errnoError(errno, describe());
        }
        termios tio{};
        if (::tcgetattr(fd_, &tio) != 0) {
            const int err = errno;
            close();
            return errnoError(err, describe() + ": not a serial port");
        }
        ::cfmakeraw(&tio);
        tio.c_cflag |= CLOCAL | CREAD;
        tio.c_cflag &= ~static_cast<tcflag_t>(CSTOPB | PARENB | CRTSCTS);
        tio.c_iflag &= ~static_cast<tcflag_t>(IXON | IXOFF | IXANY);
        tio.c_cc[VMIN] = 0;
        tio.c_cc[VTIME] = 0;
        ::cfsetispeed(&tio, speed);
        ::cfsetospeed(&tio, speed);
        if (::tcsetattr(fd_, TCSANOW, &tio) != 0) {
            const int err = errno;
            close();
            return errnoError(err, describe() + ": cannot configure");
        }
        return {};
    }
    std::string describe() const override {
        return "serial " + path_.string() + " @" + std::to_string(baud_);
    }

  private:
    std::filesystem::path path_;
    int baud_;
};

class TcpTransport final : public FdTransport {
  public:
    TcpTransport(std::string host, int port) : host_(std::move(host)), port_(port) {}
    Status open(int timeoutMs) override {
        close();
        addrinfo hints{};
        hints.ai_family = AF_UNSPEC;
        hints.ai_socktype = SOCK_STREAM;
        addrinfo* list = nullptr;
        const std::string service = std::to_string(port_);
        const int gai = ::getaddrinfo(host_.c_str(), service.c_str(), &hints, &list);
        if (gai != 0) {
            return makeError(Errc::unavailable,
                             describe() + ": cannot resolve host: " + ::gai_strerror(gai));
        }
        const std::int64_t deadline = nowMs() + timeoutMs;
        Error last = makeError(Errc::unavailable, describe() + ": no address");
        for (addrinfo* ai = list; ai != nullptr; ai = ai->ai_next) {
            Status s = connectOne(ai, deadline);
            if (s) {
                ::freeaddrinfo(list);
                return {};
            }
            last = s.error();
        }
        ::freeaddrinfo(list);
        return last;
    }
    std::string describe() const override { return "TCP " + host_ + ":" + std::to_string(port_); }

  protected:
    ssize_t rawWrite(const std::uint8_t* p, std::size_t n) override {
        return ::send(fd_, p, n, MSG_NOSIGNAL);  // a closed peer is an error, not SIGPIPE
    }

  private:
    Status connectOne(const addrinfo* ai, std::int64_t deadline) {
        fd_ = ::socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
                       ai->ai_protocol);
        if (fd_ < 0) {
            return errnoError(errno, describe() + ": socket");
        }
        if (::connect(fd_, ai->ai_addr, ai->ai_addrlen) != 0 && errno != EINPROGRESS) {
            const int err = errno;
            close();
            return errnoError(err, describe() + ": connect");
        }
        Result<bool> ready = waitFor(fd_, POLLOUT, deadline);
        if (!ready || !*ready) {
            close();
            return ready ? makeError(Errc::timeout, describe() + ": no answer to connect")
                         : ready.error();
        }
        int soErr = 0;
        socklen_t len = sizeof soErr;
        ::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &soErr, &len);
        if (soErr != 0) {
            close();
            return errnoError(soErr, describe() + ": connect");
        }
        return {};
    }

    std::string host_;
    int port_;
};

}  // namespace

std::unique_ptr<PrinterTransport> makeDeviceFileTransport(std::filesystem::path path) {
    return std::make_unique<DeviceFileTransport>(std::move(path));
}

std::unique_ptr<PrinterTransport> makeSerialTransport(std::filesystem::path path, int baud) {
    return std::make_unique<SerialTransport>(std::move(path), baud);
}

std::unique_ptr<PrinterTransport> makeTcpTransport(std::string host, int port) {
    return std::make_unique<TcpTransport>(std::move(host), port);
}

}  // namespace lapor::hw
