// lapor-kiosk: the touchscreen program. Options for staff, run-kiosk, tests and benchmarks.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "core/wipe.hpp"
#include "kiosk/app.hpp"

namespace {

void usage() {
    std::puts(
        "usage: lapor-kiosk [options]\n"
        "  --windowed            a window instead of full screen (Escape quits)\n"
        "  --size WxH            window size (default 1280x800)\n"
        "  --config FILE         configuration (default /etc/lapor/lapor.toml when present)\n"
        "  --state-dir DIR       keep the store, its key and the print spool under DIR\n"
        "  --camera KIND         libcamera | simulated | auto (default: kiosk.camera, else\n"
        "                        libcamera; auto = simulated when libcamera finds none)\n"
        "  --renderer KIND       auto | software | gpu (default: kiosk.renderer, else auto)\n"
        "  --speech-wav FILE     read aloud into a WAV file instead of the sound device\n"
        "  --microphone KIND     sdl | simulated | auto (default: kiosk.microphone, else sdl;\n"
        "                        auto = simulated when SDL finds no capture device)\n"
        "  --playback-wav FILE   a spoken note's playback into a WAV file, not the speaker\n"
        "  --script FILE         replay scripted touches, then quit (tests, benchmarks)\n"
        "  --shot-dir DIR        where the script's screenshots go\n"
        "  --frame-log FILE      one line per frame with its time (benchmarks)\n"
        "  --settled-file FILE   the screen and its widgets' places each time the screen\n"
        "                        settles (tests that drive the kiosk with X events)\n"
        "  --idle-ms WARN,WIPE   idle timers in ms (default 60000,20000)\n"
        "  --no-event-sleep      redraw continuously (the benchmarks' baseline)\n"
        "  --help                this text");
}

}  // namespace

int main(int argc, char** argv) {
    // A visitor's name, NIK and phone pass through this process's memory: never into a core.
    if (!lapor::excludeFromCoreDumps()) {
        std::fprintf(stderr, "lapor-kiosk: warning: could not turn core dumps off\n");
    }
    lapor::kiosk::AppOptions o;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) {
                std::fprintf(stderr, "lapor-kiosk: %s needs a value\n", a.c_str());
                std::exit(2);
            }
            return argv[++i];
        };
        if (a == "--help" || a == "-h") {
            usage();
            return 0;
        } else if (a == "--windowed") {
            o.windowed = true;
        } else if (a == "--size") {
            const std::string v = value();
            if (std::sscanf(v.c_str(), "%dx%d", &o.width, &o.height) != 2 || o.width < 320 ||
                o.height < 240) {
                std::fprintf(stderr, "lapor-kiosk: --size wants WxH, e.g. 1280x800\n");
                return 2;
            }
        } else if (a == "--config") {
            o.configPath = value();
        } else if (a == "--state-dir") {
            o.stateDir = value();
        } else if (a == "--camera") {
            o.camera = value();
        } else if (a == "--renderer") {
            o.renderer = value();
            if (o.renderer != "auto" && o.renderer != "software" && o.renderer != "gpu") {
                std::fprintf(stderr, "lapor-kiosk: --renderer wants auto, software or gpu\n");
                return 2;
            }
        } else if (a == "--speech-wav") {
            o.speechWav = value();
        } else if (a == "--microphone") {
            o.microphone = value();
        } else if (a == "--playback-wav") {
            o.playbackWav = value();
        } else if (a == "--script") {
            o.scriptPath = value();
        } else if (a == "--shot-dir") {
            o.shotDir = value();
        } else if (a == "--frame-log") {
            o.frameLog = value();
        } else if (a == "--settled-file") {
            o.settledFile = value();
        } else if (a == "--idle-ms") {
            // "WARN,WIPE": shorter idle timers for tests.
            long long warn = 0, wipe = 0;
            if (std::sscanf(value().c_str(), "%lld,%lld", &warn, &wipe) != 2) {
                std::fprintf(stderr, "lapor-kiosk: --idle-ms wants WARN,WIPE in ms\n");
                return 2;
            }
            o.idleWarnMs = warn;
            o.idleWipeMs = wipe;
        } else if (a == "--no-event-sleep") {
            o.eventSleep = false;
        } else {
            std::fprintf(stderr, "lapor-kiosk: unknown option %s (see --help)\n", a.c_str());
            return 2;
        }
    }
    return lapor::kiosk::runKiosk(o);
}
