// Result<T>: a value or an Error, the one error style at module boundaries (see
// docs/architecture.md).
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace lapor {

// What went wrong, coarse enough for a caller to decide what to do next.
enum class Errc {
    invalidInput,  // the caller's data is wrong; fix it and try again
    notFound,      // the thing asked for does not exist
    ioError,       // the operating system refused (see message)
    diskFull,      // no room left on the device or in the store's map
    corrupt,       // data failed a check (hash, MAC, format)
    tooNew,        // written by a newer version of the program; refused, never rewritten
    busy,          // someone else holds it; try again later
    unavailable,   // a device or service is not there
    network,       // the network failed
    protocol,      // the peer answered something that does not follow the protocol
    rejected,      // the peer understood and refused for good
    permission,    // access denied
    cancelled,     // stopped on request
    timeout,       // took too long
    internal,      // a bug or an unexpected library failure
};

[[nodiscard]] const char* errcName(Errc code) noexcept;

// An error for operators and logs (English, never personal data). Visitor-facing text comes from
// the translation catalog, chosen by the caller from `code` and context.
struct Error {
    Errc code = Errc::internal;
    std::string message;
};

[[nodiscard]] inline Error makeError(Errc code, std::string message) {
    return Error{code, std::move(message)};
}

template <class T>
class [[nodiscard]] Result {
  public:
    Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
    Result(Error error) : v_(std::in_place_index<1>, std::move(error)) {}  // NOLINT

    [[nodiscard]] bool ok() const noexcept { return v_.index() == 0; }
    explicit operator bool() const noexcept { return ok(); }

    [[nodiscard]] T& value() & {
        assert(ok());
        return std::get<0>(v_);
    }
    [[nodiscard]] const T& value() const& {
        assert(ok());
        return std::get<0>(v_);
    }
    [[nodiscard]] T&& value() && {
        assert(ok());
        return std::get<0>(std::move(v_));
    }
    [[nodiscard]] const Error& error() const {
        assert(!ok());
        return std::get<1>(v_);
    }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }

  private:
    std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
  public:
    Result() = default;
    Result(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT: implicit by design

    [[nodiscard]] bool ok() const noexcept { return ok_; }
    explicit operator bool() const noexcept { return ok_; }
    [[nodiscard]] const Error& error() const {
        assert(!ok_);
        return error_;
    }

  private:
    Error error_;
    bool ok_ = true;
};

using Status = Result<void>;

}  // namespace lapor
