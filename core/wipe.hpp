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

}  // namespace lapor
