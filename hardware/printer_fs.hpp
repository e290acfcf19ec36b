// Small durable-file helpers for the printer's spool and the simulated printer's output.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <vector>

#include "core/result.hpp"

namespace lapor::hw {

// Writes `bytes` to path.new, fsyncs it, renames it over `path` and fsyncs the directory, so after
// a power cut the file is either the old one or the whole new one.
[[nodiscard]] Status writeFileDurably(const std::filesystem::path& path,
                                      std::span<const std::uint8_t> bytes);
// fsyncs a directory so that renames and unlinks in it survive a power cut.
[[nodiscard]] Status syncDirectory(const std::filesystem::path& dir);
[[nodiscard]] Result<std::vector<std::uint8_t>> readWholeFile(const std::filesystem::path& path);

}  // namespace lapor::hw
