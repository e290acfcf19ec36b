// The video module (lapor-video.so): libavcodec, libavformat and libswscale are loaded only while
// a clip is recorded or played, not for the whole life of the kiosk (docs/architecture.md). This
// is the contract between lapor_hardware, which dlopen()s the module, and the module itself.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/log.hpp"
#include "core/result.hpp"
#include "hardware/video.hpp"

namespace lapor::hw::video_module {

// Raised on any change to Host, Table or the types that cross (VideoOptions, Frame, Clip, the
// recorder and player interfaces): a module of another version is refused, never called.
inline constexpr std::uint32_t kAbiVersion = 1;
inline constexpr const char* kFileName = "lapor-video.so";
inline constexpr const char* kEntryPoint = "lapor_video_module";
// Tests point this at a folder of their own (or at one without the module).
inline constexpr const char* kDirEnv = "LAPOR_MODULE_DIR";

// What the module borrows from the program: it does not link lapor_core (a static library with
// its own state), so the log, the wipe and the hash are the program's.
struct Host {
    void (*log)(log::Level level, std::string_view component, std::string_view message);
    void (*wipeBytes)(std::vector<std::uint8_t>& bytes) noexcept;
    std::string (*sha256Hex)(std::span<const std::uint8_t> bytes);
};

// A check that both sides were built from the same declarations of what crosses.
inline constexpr std::uint32_t kLayout = static_cast<std::uint32_t>(
    sizeof(Host) + sizeof(VideoOptions) * 3 + sizeof(Frame) * 5 + sizeof(Clip) * 7 +
    sizeof(Error) * 11 + sizeof(Result<std::unique_ptr<VideoRecorder>>) * 13);

struct Table {
    std::uint32_t abiVersion = 0;
    std::uint32_t layout = 0;
    // Options are checked by the caller before. Errc::unavailable when the encoder cannot start.
    Result<std::unique_ptr<VideoRecorder>> (*startRecorder)(const VideoOptions& options) = nullptr;
    Result<std::unique_ptr<VideoPlayer>> (*openPlayer)(std::span<const std::uint8_t> mp4) = nullptr;
    // Called before dlclose(): gives FFmpeg back its own log callback (libavutil may outlive us).
    void (*beforeUnload)() = nullptr;
};

// The module's one exported symbol (kEntryPoint): the table, or nullptr when the module was
// built for another kAbiVersion than `abiVersion`. `host` must outlive the module.
using EntryPoint = const Table* (*)(std::uint32_t abiVersion, const Host* host);

// For tests and the log: whether the module is mapped now, and how many recorders and players
// of it are alive.
[[nodiscard]] bool loaded();
[[nodiscard]] int liveObjects();

}  // namespace lapor::hw::video_module
