// Secure wipe of personal data in memory: zeroes the buffers before letting them go, for when a
// visitor walks away from a half-filled form or a report has been saved.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/report.hpp"

namespace lapor {

// Zeroes the whole allocated buffer (up to capacity, which may hold text from earlier edits),
// then empties the string. Copies made elsewhere are not reached: keep personal data in one place.
void wipeString(std::string& s) noexcept;
void wipeBytes(std::vector<std::uint8_t>& bytes) noexcept;

void wipeIdentity(Identity& identity) noexcept;
// Every string of the report, then resets it to a default Report.
void wipeReport(Report& report) noexcept;
void wipePhotos(std::vector<Photo>& photos) noexcept;
void wipeClips(std::vector<Clip>& clips) noexcept;

// For programs that hold personal data: no core dump of this process, ever. Marks it not dumpable
// (the kernel then writes no core, and only root may read its memory) and sets its core size
// limit to 0, whatever the unit or shell allowed. Returns false when either call failed.
bool excludeFromCoreDumps() noexcept;

}  // namespace lapor
