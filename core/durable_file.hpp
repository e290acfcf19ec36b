// The one durable-file writer (name.new, fsync, rename or link, fsync the directory) and whole-file
// reads: every state file, spool file and secret in the project is written through here.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <span>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace lapor {

struct DurableWrite {
    mode_t mode = 0644;  // applied with fchmod, whatever the umask says; secrets use 0600
    // false: rename over an existing file. true: install with link(), which never replaces a file
    // another process created meanwhile; the write then answers Errc::busy if `path` exists.
    bool onlyIfAbsent = false;
    bool createParent = false;  // create missing parent directories first
    // Give the file its directory's owner and group before it is installed (a file root writes
    // for a service, such as the device token); EPERM is ignored (an unprivileged writer's file
    // is its own already).
    bool ownerOfParent = false;
};

// Writes `bytes` to path.new, fsyncs it, installs it as `path` and fsyncs the directory, so after
// a power cut the file is either the old one or the whole new one. ENOSPC and EDQUOT answer
// Errc::diskFull; the .new file never stays behind.
[[nodiscard]] Status writeFileDurably(const std::filesystem::path& path,
                                      std::span<const std::uint8_t> bytes, DurableWrite how = {});
[[nodiscard]] Status writeFileDurably(const std::filesystem::path& path, std::string_view text,
                                      DurableWrite how = {});
// fsyncs a directory so that renames and unlinks in it survive a power cut.
[[nodiscard]] Status syncDirectory(const std::filesystem::path& dir);
[[nodiscard]] Result<std::vector<std::uint8_t>> readWholeFile(const std::filesystem::path& path);

}  // namespace lapor
