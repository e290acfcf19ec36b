// The kiosk program's shell: SDL2 window and renderer, Dear ImGui, the event-sleeping main loop,
// the devices, the store, and the queue through which background threads hand work to the loop.
#pragma once

#include <SDL.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/config.hpp"
#include "kiosk/flow/flow.hpp"
#include "kiosk/views/view.hpp"

namespace lapor::kiosk {

struct AppOptions {
    bool windowed = false;
    int width = 1280;  // window size when windowed (full screen takes the display's)
    int height = 800;
    std::string configPath;   // empty: /etc/lapor/lapor.toml when present, else defaults
    std::string stateDir;     // overrides store, key and print spool locations (run-kiosk, tests)
    std::string scriptPath;   // scripted touches (tests, benchmarks); the program quits at its end
    std::string shotDir;      // screenshots taken by the script's "shot" steps
    std::string frameLog;     // one line per frame: "<ms since start> <frame ms> <screen>"
    std::string settledFile;  // where the screen and its widgets go whenever the loop settles
    std::string speechWav;    // speech into this WAV file instead of the sound device
    std::string camera;       // libcamera | simulated | auto; empty: kiosk.camera, else libcamera
    std::string renderer;     // auto | software | gpu; empty: kiosk.renderer, else auto
    std::int64_t idleWarnMs = 60'000;  // tests shorten the idle timers
    std::int64_t idleWipeMs = 20'000;
    bool eventSleep = true;  // false: redraw continuously (the benchmark's baseline)
};

// A setting given on the command line (`cli`), else in the configuration under `key`, one of
// `allowed`; the first of `allowed` when absent. A value not allowed is logged and replaced by
// the first. (kiosk.camera's first is "libcamera": the simulated camera only when asked.)
std::string chooseSetting(const std::string& cli, const Config& config, std::string_view key,
                          std::initializer_list<std::string_view> allowed);

// The renderer for kiosk.renderer / --renderer ("auto", "software" or "gpu"): true for SDL's
// software renderer. "auto" takes software when `driDir` has no DRM render node (no GPU): OpenGL
// there would be Mesa's llvmpipe, no faster on the same CPU for a 2D interface, and it maps about
// 65 MB of libLLVM and the swrast driver into the kiosk (docs/performance.md).
bool preferSoftwareRenderer(const std::string& choice,
                            const std::filesystem::path& driDir = "/dev/dri");

// Runs the kiosk until quit (window closed, Escape with --windowed, or the script's end).
// Returns the process exit code.
int runKiosk(const AppOptions& options);

// Writes RGBA pixels as a PNG (screenshots).
[[nodiscard]] bool writePng(const std::string& path, int width, int height,
                            const std::vector<std::uint8_t>& rgba);

}  // namespace lapor::kiosk
