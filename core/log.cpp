// Operator log to stderr with the systemd priority prefix, so journald keeps the level.
#include "core/log.hpp"

#include <atomic>
#include <cstdio>
#include <mutex>
#include <string>

namespace lapor::log {
namespace {
std::atomic<int> minLevel{static_cast<int>(Level::info)};
std::mutex writeMutex;

const char* prefix(Level level) {
    // sd-daemon(3) priority prefixes: <7> debug, <6> info, <4> warning, <3> error.
    switch (level) {
        case Level::debug: return "<7>";
        case Level::info: return "<6>";
        case Level::warn: return "<4>";
        case Level::error: return "<3>";
    }
    return "<6>";
}
}  // namespace

void setMinLevel(Level level) {
    minLevel = static_cast<int>(level);
}

void write(Level level, std::string_view component, std::string_view message) {
    if (static_cast<int>(level) < minLevel.load()) {
        return;
    }
    std::string line;
    line.reserve(component.size() + message.size() + 8);
    line.append(prefix(level)).append(component).append(": ").append(message).push_back('\n');
    std::lock_guard lock(writeMutex);
    std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace lapor::log
