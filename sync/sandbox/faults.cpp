// Fault descriptions to and from JSON, and the queue of pending answer faults.
#include "sync/sandbox/faults.hpp"

#include <array>
#include <utility>

namespace lapor::sandbox {

using nlohmann::json;

namespace {

constexpr std::array<std::pair<FaultKind, const char*>, 12> kKinds = {{
    {FaultKind::status, "status"},
    {FaultKind::stall, "stall"},
    {FaultKind::slow, "slow"},
    {FaultKind::malformed, "malformed"},
    {FaultKind::noHeader, "no_header"},
    {FaultKind::wrongHeader, "wrong_header"},
    {FaultKind::portal, "portal"},
    {FaultKind::reset, "reset"},
    {FaultKind::throttle, "throttle"},
    {FaultKind::linkStall, "link_stall"},
    {FaultKind::down, "down"},
    {FaultKind::expire, "expire"},
}};

const char* kindName(FaultKind kind) {
    for (const auto& [k, name] : kKinds) {
        if (k == kind) {
            return name;
        }
    }
    return "?";
}

const char* directionName(linkemu::Direction d) {
    switch (d) {
        case linkemu::Direction::up: return "up";
        case linkemu::Direction::down: return "down";
        case linkemu::Direction::any: break;
    }
    return "any";
}

}  // namespace

bool isLinkFault(FaultKind kind) {
    return kind == FaultKind::reset || kind == FaultKind::throttle ||
           kind == FaultKind::linkStall || kind == FaultKind::down;
}

Result<Fault> parseFault(const json& j) {
    if (!j.is_object()) {
        return makeError(Errc::invalidInput, "a fault is a JSON object");
    }
    Fault f;
    const std::string kind = j.value("kind", "");
    bool known = false;
    for (const auto& [k, name] : kKinds) {
        if (kind == name) {
            f.kind = k;
            known = true;
        }
    }
    if (!known) {
        return makeError(Errc::invalidInput, "unknown fault kind: " + kind);
    }
    try {
        f.status = j.value("status", f.status);
        f.retryAfter = j.value("retry_after", f.retryAfter);
        f.code = j.value("code", f.code);
        f.seconds = j.value("seconds", f.seconds);
        f.bytesPerSecond = j.value("bytes_per_second", f.bytesPerSecond);
        f.value = j.value("value", f.value);
        f.afterBytes = j.value("after_bytes", f.afterBytes);
        f.method = j.value("method", f.method);
        f.path = j.value("path", f.path);
        f.count = j.value("count", f.count);
        auto dir = linkemu::parseDirection(j.value("direction", std::string("any")));
        if (!dir) {
            return dir.error();
        }
        f.direction = *dir;
    } catch (const json::exception& e) {
        return makeError(Errc::invalidInput,
                         std::string("fault field of the wrong type: ") + e.what());
    }
    if (f.kind == FaultKind::expire) {
        // tus 1.0: an expired or removed upload is 404 or 410 (410 by default, as @tus/server).
        f.status = j.contains("status") ? f.status : 410;
        if (f.status != 404 && f.status != 410) {
            return makeError(Errc::invalidInput, "expire answers 404 or 410");
        }
    }
    if (f.status < 100 || f.status > 599 || f.count < 1 || f.seconds < 0 || f.bytesPerSecond < 0) {
        return makeError(Errc::invalidInput, "fault parameters out of range");
    }
    if ((f.kind == FaultKind::slow || f.kind == FaultKind::throttle) && f.bytesPerSecond <= 0) {
        return makeError(Errc::invalidInput, "bytes_per_second must be positive");
    }
    return f;
}

json toJson(const Fault& f) {
    return {{"kind", kindName(f.kind)},
            {"status", f.status},
            {"retry_after", f.retryAfter},
            {"code", f.code},
            {"seconds", f.seconds},
            {"bytes_per_second", f.bytesPerSecond},
            {"value", f.value},
            {"after_bytes", f.afterBytes},
            {"direction", directionName(f.direction)},
            {"method", f.method},
            {"path", f.path},
            {"count", f.count}};
}

void FaultBook::add(const Fault& fault) {
    std::lock_guard lock(mutex_);
    pending_.push_back(fault);
}

void FaultBook::clear() {
    std::lock_guard lock(mutex_);
    pending_.clear();
}

json FaultBook::list() const {
    std::lock_guard lock(mutex_);
    json out = json::array();
    for (const auto& f : pending_) {
        out.push_back(toJson(f));
    }
    return out;
}

std::optional<Fault> FaultBook::take(const std::string& method, const std::string& path) {
    std::lock_guard lock(mutex_);
    for (auto it = pending_.begin(); it != pending_.end(); ++it) {
        if ((!it->method.empty() && it->method != method) ||
            (!it->path.empty() && path.compare(0, it->path.size(), it->path) != 0)) {
            continue;
        }
        Fault f = *it;
        if (--it->count == 0) {
            pending_.erase(it);
        }
        return f;
    }
    return std::nullopt;
}

}  // namespace lapor::sandbox
