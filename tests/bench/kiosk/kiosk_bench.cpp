// Kiosk benchmarks: start to first frame, CPU while idle on the welcome screen (against the same
// loop redrawing continuously), frame time p99 while typing, during the camera preview and while
// recording a video clip, and resident memory (with the default renderer, and with --renderer gpu
// for comparison). Runs
// lapor-kiosk under Xvfb (a virtual X display); prints its figures. Targets are reported, not
// enforced (the machine is shared), but a figure that measured nothing (a kiosk that had already
// quit, a missing or negative value, an idle baseline doing no work) fails the benchmark.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace fs = std::filesystem;

namespace {

const fs::path kBin = fs::path(LAPOR_BINARY_DIR) / "kiosk" / "lapor-kiosk";
const fs::path kScripts = fs::path(LAPOR_SOURCE_DIR) / "tests" / "bench" / "kiosk";
const fs::path kOut = fs::path(LAPOR_BINARY_DIR) / "kiosk-bench";

struct Child {
    pid_t pid = -1;
    int out = -1;  // the child's stdout
};

Child spawn(const std::vector<std::string>& args) {
    int fds[2];
    if (pipe(fds) != 0) {
        std::perror("pipe");
        std::exit(1);
    }
    const pid_t pid = fork();
    if (pid == 0) {
        dup2(fds[1], 1);
        close(fds[0]);
        // X11 (under Xvfb): SDL's offscreen driver cannot sleep on events (it polls every ms).
        setenv("SDL_VIDEODRIVER", "x11", 1);
        setenv("SDL_AUDIODRIVER", "dummy", 1);
        // The same renderer on every machine: SDL's software renderer (no GPU driver's memory).
        setenv("SDL_RENDER_DRIVER", "software", 1);
        std::vector<char*> argv;
        for (const auto& a : args) {
            argv.push_back(const_cast<char*>(a.c_str()));
        }
        argv.push_back(nullptr);
        execv(argv[0], argv.data());
        _exit(127);
    }
    close(fds[1]);
    return Child{pid, fds[0]};
}

// Reads the child's stdout until the "first-frame" line; returns ms since `start`.
double waitFirstFrame(const Child& c, std::chrono::steady_clock::time_point start) {
    std::string line;
    char ch;
    while (read(c.out, &ch, 1) == 1) {
        if (ch == '\n') {
            if (line.rfind("first-frame", 0) == 0) {
                return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() -
                                                                 start)
                    .count();
            }
            line.clear();
        } else {
            line += ch;
        }
    }
    return -1;
}

// CPU seconds (user + system) used so far by pid.
double cpuSeconds(pid_t pid) {
    std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
    std::string s((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    const auto close = s.rfind(')');
    std::istringstream in(s.substr(close + 2));
    std::string field;
    unsigned long long utime = 0, stime = 0;
    for (int i = 3; i <= 15; ++i) {
        in >> field;
        if (i == 14)
            utime = std::stoull(field);
        if (i == 15)
            stime = std::stoull(field);
    }
    return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// Resident memory in MiB: "VmRSS" now or "VmHWM" (peak).
double memMiB(pid_t pid, const std::string& key) {
    std::ifstream f("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(f, line)) {
        if (line.rfind(key + ":", 0) == 0) {
            return std::stod(line.substr(key.size() + 1)) / 1024.0;
        }
    }
    return -1;
}

// Every figure is checked: one that measured nothing is named here and fails the run.
std::vector<std::string> invalid;
void require(bool ok, const std::string& what) {
    if (!ok) {
        invalid.push_back(what);
    }
}

bool alive(pid_t pid) {
    int status = 0;
    return waitpid(pid, &status, WNOHANG) == 0;
}

int stop(Child& c) {
    kill(c.pid, SIGTERM);  // SDL turns it into a quit event: a clean exit
    int status = 0;
    waitpid(c.pid, &status, 0);
    close(c.out);
    return status;
}

std::vector<std::string> kioskArgs(const std::string& name, const std::string& script,
                                   std::vector<std::string> extra) {
    const fs::path state = kOut / name;
    fs::remove_all(state);
    fs::create_directories(state);
    // A configured office: without one the kiosk takes no reports.
    std::ofstream(state / "lapor.toml") << "[device]\noffice = \"Kantor Uji bench\"\n";
    std::vector<std::string> a = {
        kBin.string(), "--windowed",  "--size",       "1280x800", "--camera",
        "simulated",   "--state-dir", state.string(), "--config", (state / "lapor.toml").string()};
    if (!script.empty()) {
        a.push_back("--script");
        a.push_back((kScripts / script).string());
    }
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
}

// CPU use (fraction of one core) over `seconds` once the welcome screen is up. No script: the
// kiosk sits on the welcome screen as in an empty office (a script ends the run at its end).
double idleCpu(const std::string& name, double seconds, bool eventSleep, double* firstFrameMs,
               double* rssMiB, std::vector<std::string> extra = {}) {
    if (!eventSleep) {
        extra.push_back("--no-event-sleep");
    }
    const auto start = std::chrono::steady_clock::now();
    Child c = spawn(kioskArgs(name, "", extra));
    const double ff = waitFirstFrame(c, start);
    if (firstFrameMs)
        *firstFrameMs = ff;
    require(ff > 0, name + ": no first frame");
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));  // let the screen settle
    const double cpu0 = cpuSeconds(c.pid);
    const auto t0 = std::chrono::steady_clock::now();
    std::this_thread::sleep_for(std::chrono::milliseconds(static_cast<int>(seconds * 1000)));
    const double cpu1 = cpuSeconds(c.pid);
    const double wall =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (rssMiB) {
        rssMiB[0] = memMiB(c.pid, "VmRSS");
        rssMiB[1] = memMiB(c.pid, "RssAnon");
        require(rssMiB[0] > 0 && rssMiB[1] > 0 && rssMiB[1] <= rssMiB[0],
                name + ": resident memory not measured");
    }
    // The figures count only if the kiosk was running through the whole window.
    require(alive(c.pid), name + ": the kiosk was not running through the measurement");
    require(cpu1 >= cpu0 && wall > 0, name + ": CPU time not measured");
    stop(c);
    return (cpu1 - cpu0) / wall;
}

double percentile(std::vector<double> v, double p) {
    if (v.empty())
        return -1;
    std::sort(v.begin(), v.end());
    const auto i = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
    return v[std::min(i, v.size() - 1)];
}

}  // namespace

int main() {
    if (!fs::exists(kBin)) {
        std::fprintf(stderr, "kiosk_bench: %s not built\n", kBin.c_str());
        return 1;
    }
    fs::create_directories(kOut);
    bool ok = true;
    // A virtual X display of the kiosk's size, so SDL waits on X events as on the appliance.
    pid_t xvfb = -1;
    if (std::getenv("DISPLAY") == nullptr) {
        const std::string display = ":" + std::to_string(90 + getpid() % 9);
        xvfb = fork();
        if (xvfb == 0) {
            execlp("Xvfb", "Xvfb", display.c_str(), "-nolisten", "tcp", "-screen", "0",
                   "1280x800x24", static_cast<char*>(nullptr));
            _exit(127);
        }
        const fs::path sock = "/tmp/.X11-unix/X" + display.substr(1);
        for (int i = 0; i < 100 && !fs::exists(sock); ++i) {
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        setenv("DISPLAY", display.c_str(), 1);
    }

    // 1. Start to first frame (median of 5 starts), and idle CPU with event sleep vs without.
    std::vector<double> starts;
    for (int i = 0; i < 5; ++i) {
        const auto start = std::chrono::steady_clock::now();
        Child c = spawn(kioskArgs("start", "", {}));
        starts.push_back(waitFirstFrame(c, start));
        require(starts.back() > 0, "start: no first frame");
        stop(c);
    }
    const double firstFrame = percentile(starts, 0.5);
    double rssIdle[2] = {0, 0};
    const double idle = idleCpu("idle", 30.0, true, nullptr, rssIdle);
    const double busy = idleCpu("busy", 5.0, false, nullptr, nullptr);
    std::printf("kiosk start to first frame: median %.0f ms of 5 (target <= 500 ms)\n", firstFrame);
    std::printf(
        "kiosk idle on welcome, 30 s: %.2f %% of one core (target <= 1 %%); "
        "baseline redrawing without event sleep: %.1f %%; ratio %.4f\n",
        idle * 100, busy * 100, busy > 0 ? idle / busy : 0.0);
    std::printf(
        "kiosk resident memory idle on welcome: %.1f MiB, of which the program's own "
        "(anonymous) %.1f MiB; the rest is mapped libraries and files\n",
        rssIdle[0], rssIdle[1]);
    // For comparison: the same idle kiosk drawing through OpenGL. Without a GPU (as here) that
    // is Mesa's llvmpipe, which "auto" avoids for its memory (docs/performance.md).
    double rssGpu[2] = {0, 0};
    (void)idleCpu("gpu", 1.0, true, nullptr, rssGpu, {"--renderer", "gpu"});
    std::printf(
        "kiosk resident memory idle on welcome with --renderer gpu (OpenGL; Mesa llvmpipe "
        "without a GPU): %.1f MiB, own %.1f MiB; ratio default/gpu %.2f\n",
        rssGpu[0], rssGpu[1], rssGpu[0] > 0 ? rssIdle[0] / rssGpu[0] : 0.0);
    // A loop redrawing without pause must show real work, else the idle figure is compared with
    // nothing: at least 2 % of a core (on a quiet machine it takes nearly all of one; six builds
    // beside it left it 19 %), and ten times the idle figure.
    require(busy >= 0.02 && busy >= 10 * idle,
            "idle baseline: redrawing without event sleep did not show real work");
    ok = ok && firstFrame <= 500 && idle <= 0.01;

    // 2. Frame times while typing and during the camera preview; peak memory.
    const fs::path log = kOut / "frames.log";
    Child c = spawn(kioskArgs("frames", "typing_preview.script", {"--frame-log", log.string()}));
    waitFirstFrame(c, std::chrono::steady_clock::now());
    double peak = 0;
    double peakAnon = 0;
    int status = 0;
    while (waitpid(c.pid, &status, WNOHANG) == 0) {
        peak = std::max(peak, memMiB(c.pid, "VmHWM"));
        peakAnon = std::max(peakAnon, memMiB(c.pid, "RssAnon"));
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    close(c.out);
    std::vector<double> typing, preview, welcome, recording;
    std::vector<long long> previewAt;
    std::ifstream in(log);
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream l(line);
        long long at = 0;
        double ms = 0;
        std::string screen, a, b;
        l >> at >> ms >> screen >> a >> b;
        if (a == "typing")
            typing.push_back(ms);
        std::string c;
        l >> c;
        if (a == "recording" || b == "recording" || c == "recording") {
            recording.push_back(ms);
        } else if (a == "preview" || b == "preview") {
            preview.push_back(ms);
            previewAt.push_back(at);
        }
        if (screen == "welcome")
            welcome.push_back(ms);
    }
    const double previewFps = previewAt.size() > 1
                                  ? 1000.0 * static_cast<double>(previewAt.size() - 1) /
                                        static_cast<double>(previewAt.back() - previewAt.front())
                                  : 0.0;
    const double base = percentile(welcome, 0.5);
    const double pt = percentile(typing, 0.99);
    const double pp = percentile(preview, 0.99);
    std::printf(
        "kiosk frame time while typing at 1280x800: p50 %.2f ms, p99 %.2f ms over %zu "
        "frames (target p99 <= 16 ms); baseline welcome frame p50 %.2f ms, ratio %.1f\n",
        percentile(typing, 0.5), pt, typing.size(), base, base > 0 ? pt / base : 0.0);
    std::printf(
        "kiosk frame time during camera preview at 1280x800: p50 %.2f ms, p99 %.2f ms over "
        "%zu frames, %.1f frames/s drawn (target p99 <= 16 ms)\n",
        percentile(preview, 0.5), pp, preview.size(), previewFps);
    const double pr = percentile(recording, 0.99);
    std::printf(
        "kiosk frame time while recording a video clip at 1280x800: p50 %.2f ms, p99 %.2f ms "
        "over %zu frames (target p99 <= 16 ms); ratio to the preview alone (p99) %.2f\n",
        percentile(recording, 0.5), pr, recording.size(), pp > 0 ? pr / pp : 0.0);
    std::printf(
        "kiosk resident memory peak (typing, camera preview, recording): %.1f MiB, the program's "
        "own "
        "(anonymous) %.1f MiB (target <= 80 MB)\n",
        peak, peakAnon);
    require(WIFEXITED(status) && WEXITSTATUS(status) == 0,
            "frames: the typing and preview script failed (see its log)");
    require(!typing.empty() && !preview.empty() && !welcome.empty() && recording.size() >= 50,
            "frames: a frame log without typing, preview, recording or welcome frames");
    require(previewFps > 0 && base > 0 && pt > 0 && pp > 0 && pr > 0,
            "frames: a frame time not measured");
    require(peak > 0 && peakAnon > 0, "frames: peak memory not measured");
    ok = ok && pt <= 16 && pp <= 16 && pr <= 16 && peak <= 80 * 1e6 / (1 << 20);
    std::printf(ok ? "kiosk_bench: all targets met\n" : "kiosk_bench: a target was missed\n");
    if (xvfb > 0) {
        kill(xvfb, SIGTERM);
        waitpid(xvfb, nullptr, 0);
    }
    for (const std::string& what : invalid) {
        std::fprintf(stderr, "kiosk_bench: measured nothing: %s\n", what.c_str());
    }
    // Targets are reported, not enforced (the machine is shared and noisy); a figure that
    // measured nothing is a failure.
    return invalid.empty() ? 0 : 1;
}
