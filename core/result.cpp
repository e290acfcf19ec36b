// Names of error codes, for logs and command-line tools.
#include "core/result.hpp"

namespace lapor {

const char* errcName(Errc code) noexcept {
    switch (code) {
        case Errc::invalidInput: return "invalid-input";
        case Errc::notFound: return "not-found";
        case Errc::ioError: return "io-error";
        case Errc::diskFull: return "disk-full";
        case Errc::corrupt: return "corrupt";
        case Errc::tooNew: return "too-new";
        case Errc::busy: return "busy";
        case Errc::unavailable: return "unavailable";
        case Errc::network: return "network";
        case Errc::protocol: return "protocol";
        case Errc::rejected: return "rejected";
        case Errc::permission: return "permission";
        case Errc::cancelled: return "cancelled";
        case Errc::timeout: return "timeout";
        case Errc::internal: return "internal";
    }
    return "unknown";
}

}  // namespace lapor
