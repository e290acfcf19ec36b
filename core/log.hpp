// Operator log: one line per event to stderr (journald picks it up under systemd).
// Never pass personal data (name, NIK, phone, email, report text, photos) to it: log UUIDs,
// receipt codes, counts and error codes instead.
#pragma once

#include <string_view>

namespace lapor::log {

enum class Level { debug = 0, info = 1, warn = 2, error = 3 };

void setMinLevel(Level level);
// `component` is a short tag such as "store" or "syncd".
void write(Level level, std::string_view component, std::string_view message);

inline void debug(std::string_view c, std::string_view m) {
    write(Level::debug, c, m);
}
inline void info(std::string_view c, std::string_view m) {
    write(Level::info, c, m);
}
inline void warn(std::string_view c, std::string_view m) {
    write(Level::warn, c, m);
}
inline void error(std::string_view c, std::string_view m) {
    write(Level::error, c, m);
}

}  // namespace lapor::log
