// End-to-end, the kiosk as staff and visitors meet it: a kiosk without an office takes no reports
// and says what is missing; after a visitor walks away nothing they typed is left anywhere in the
// kiosk's memory.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
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
const fs::path kScripts = fs::path(LAPOR_SOURCE_DIR) / "tests" / "kiosk" / "e2e";
const fs::path kOut = fs::path(LAPOR_BINARY_DIR) / "kiosk-e2e";

struct Run {
    pid_t pid = -1;
    fs::path dir;
    fs::path shots;
};

// Starts lapor-kiosk on `script` under SDL's offscreen driver; `office` empty: none configured.
Run startKiosk(const std::string& name, const std::string& script, const std::string& office,
               const std::vector<std::string>& extra = {}) {
    Run run;
    run.dir = kOut / name;
    run.shots = kOut / "screenshots" / name;
    fs::remove_all(run.dir);
    fs::remove_all(run.shots);
    fs::create_directories(run.dir / "state");
    fs::create_directories(run.shots);
    std::ofstream(run.dir / "lapor.toml") << "[device]\noffice = \"" << office << "\"\n";
    std::vector<std::string> args = {kBin.string(), "--windowed",
                                     "--size",      "1280x800",
                                     "--camera",    "simulated",
                                     "--config",    (run.dir / "lapor.toml").string(),
                                     "--state-dir", (run.dir / "state").string(),
                                     "--shot-dir",  run.shots.string(),
                                     "--script",    (kScripts / script).string()};
    args.insert(args.end(), extra.begin(), extra.end());
    const std::string log = (run.dir / "kiosk.log").string();
    run.pid = ::fork();
    REQUIRE(run.pid >= 0);
    if (run.pid == 0) {
        const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        ::dup2(fd, 1);
        ::dup2(fd, 2);
        ::setenv("SDL_VIDEODRIVER", "offscreen", 1);
        ::setenv("SDL_AUDIODRIVER", "dummy", 1);
        std::vector<char*> argv;
        for (auto& a : args) {
            argv.push_back(a.data());
        }
        argv.push_back(nullptr);
        ::execv(argv[0], argv.data());
        ::_exit(127);
    }
    return run;
}

int waitExit(const Run& run) {
    int status = 0;
    REQUIRE(::waitpid(run.pid, &status, 0) == run.pid);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string readText(const fs::path& p) {
    std::ifstream in(p);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// Waits (bounded) for a screenshot whose name ends in `suffix`; false when the kiosk died first.
bool waitForShot(const Run& run, const std::string& suffix) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    while (std::chrono::steady_clock::now() < deadline) {
        std::error_code ec;
        for (const auto& e : fs::directory_iterator(run.shots, ec)) {
            const std::string n = e.path().filename().string();
            if (n.size() >= suffix.size() &&
                n.compare(n.size() - suffix.size(), suffix.size(), suffix) == 0) {
                return true;
            }
        }
        int status = 0;
        if (::waitpid(run.pid, &status, WNOHANG) == run.pid) {
            return false;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));  // polling a file, bounded
    }
    return false;
}

// Every readable mapping of the process, as /proc/PID/mem gives it (what a core dump or a
// debugger would see, DONTDUMP areas included).
std::string readMemory(pid_t pid) {
    std::ifstream maps("/proc/" + std::to_string(pid) + "/maps");
    const int mem = ::open(("/proc/" + std::to_string(pid) + "/mem").c_str(), O_RDONLY);
    REQUIRE(mem >= 0);
    std::string all;
    std::string line;
    while (std::getline(maps, line)) {
        std::istringstream in(line);
        std::string range, perms, offset, dev, inode, path;
        in >> range >> perms >> offset >> dev >> inode;
        std::getline(in, path);
        if (perms.empty() || perms[0] != 'r' || path.find("[vvar]") != std::string::npos ||
            path.find("[vsyscall]") != std::string::npos) {
            continue;
        }
        const auto dash = range.find('-');
        const unsigned long long from = std::stoull(range.substr(0, dash), nullptr, 16);
        const unsigned long long to = std::stoull(range.substr(dash + 1), nullptr, 16);
        std::string chunk(to - from, '\0');
        const ssize_t n = ::pread(mem, chunk.data(), chunk.size(), static_cast<off_t>(from));
        if (n > 0) {
            all.append(chunk.data(), static_cast<std::size_t>(n));
        }
    }
    ::close(mem);
    return all;
}

}  // namespace

TEST_CASE("no office configured: the welcome screen tells staff, and no report can be started") {
    const Run run = startKiosk("no-office", "no_office.script", "");
    CHECK(waitExit(run) == 0);
    const std::string log = readText(run.dir / "kiosk.log");
    CHECK(log.find("device.office is not set") != std::string::npos);
    CHECK(fs::exists(run.shots / "01-welcome-not-ready.png"));
}

TEST_CASE("walk-away: nothing the visitor typed is left in the kiosk's memory after the wipe") {
    const char* planted[] = {"Wulandari Prasetyaningsih", "1101015708850042",
                             "81377712345",  // as typed (0813...) and in E.164 (+62813...)
                             "wulan.prasetya@contoh.id"};
    const Run run =
        startKiosk("walk-away", "walk_away.script", "Kantor Uji e2e", {"--idle-ms", "8000,2000"});
    const bool wiped = waitForShot(run, "-after-wipe.png");
    std::string memory;
    if (wiped) {
        // A few frames on the welcome screen, as in the report of a dump 12 s later.
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
        memory = readMemory(run.pid);
    }
    ::kill(run.pid, SIGKILL);
    (void)waitExit(run);
    INFO(readText(run.dir / "kiosk.log"));
    REQUIRE(wiped);
    CHECK(memory.size() > (1u << 20));  // it did read the kiosk's memory
    // The review showed them (the test would find them there): then the wipe took them.
    CHECK(fs::exists(run.shots / "01-review-phone-shown.png"));
    for (const std::string value : planted) {
        CAPTURE(value);
        CHECK(memory.find(value) == std::string::npos);
    }
}
