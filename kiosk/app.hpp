// The kiosk program: its options, and the main loop that wires the services (services.hpp), SDL
// and ImGui (platform_sdl.hpp), input (input_sdl.hpp), textures (texture_cache.hpp), the visitor's
// actions (actions.hpp) and the test instrumentation (test_host.hpp) around the flow's views.
#pragma once

#include <cstdint>
#include <string>

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
    std::string microphone;   // sdl | simulated | auto; empty: kiosk.microphone, else sdl
    std::string playbackWav;  // a spoken note's playback into this WAV file (tests)
    std::string camera;       // libcamera | simulated | auto; empty: kiosk.camera, else libcamera
    std::string renderer;     // auto | software | gpu; empty: kiosk.renderer, else auto
    std::int64_t idleWarnMs = 60'000;  // tests shorten the idle timers
    std::int64_t idleWipeMs = 20'000;
    bool eventSleep = true;  // false: redraw continuously (the benchmark's baseline)
};

// Runs the kiosk until quit (window closed, Escape with --windowed, or the script's end).
// Returns the process exit code.
int runKiosk(const AppOptions& options);

}  // namespace lapor::kiosk
