// The X driver of the Xvfb end-to-end tests: lapor-kiosk as run-kiosk starts it (SDL's X11
// driver, a 1280x800 window) on its own Xvfb display, driven from outside by xdotool with real X
// events; after each input it waits (with a bound) for the kiosk's settled file and keeps a
// screenshot (`import -window root`). Shared by real_events_test.cpp and staff_test.cpp.
#pragma once

#include <doctest/doctest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace lapor::testing::x {

namespace fs = std::filesystem;
inline const fs::path kBin = fs::path(LAPOR_BINARY_DIR) / "kiosk" / "lapor-kiosk";

struct Rect {
    float x0 = 0, y0 = 0, x1 = 0, y1 = 0;
    [[nodiscard]] bool visible() const { return x1 - x0 >= 8 && y1 - y0 >= 8; }
    [[nodiscard]] int cx() const { return static_cast<int>((x0 + x1) / 2); }
    [[nodiscard]] int cy() const { return static_cast<int>((y0 + y1) / 2); }
};

// One settled state as the kiosk wrote it.
struct Settled {
    long seq = 0;
    std::string screen;
    std::string editing;
    float scrollY = -1;
    float scrollMax = -1;
    long buttons = 0;  // presses and releases the kiosk gave to ImGui so far
    long keys = 0;     // key presses it handled so far
    long texts = 0;    // text input events (one per character typed) it handled so far
    std::map<std::string, Rect> widgets;
    [[nodiscard]] std::optional<Rect> visible(const std::string& id) const {
        auto it = widgets.find(id);
        if (it == widgets.end() || !it->second.visible()) {
            return std::nullopt;
        }
        return it->second;
    }
};

inline std::optional<Settled> readSettled(const fs::path& file) {
    std::ifstream in(file);
    if (!in) {
        return std::nullopt;
    }
    Settled s;
    std::string key;
    while (in >> key) {
        if (key == "seq") {
            in >> s.seq;
        } else if (key == "screen") {
            in >> s.screen;
        } else if (key == "editing") {
            in >> s.editing;
        } else if (key == "scroll") {
            in >> s.scrollY >> s.scrollMax;
        } else if (key == "input") {
            in >> s.buttons >> s.keys >> s.texts;
        } else if (key == "widget") {
            std::string id;
            Rect r;
            in >> id >> r.x0 >> r.y0 >> r.x1 >> r.y1;
            s.widgets[id] = r;
        } else {
            std::string rest;
            std::getline(in, rest);
        }
    }
    return s.seq > 0 ? std::optional<Settled>(s) : std::nullopt;
}

// Runs a command and waits for it; its exit code.
inline int run(const std::string& cmd) {
    const int rc = std::system(cmd.c_str());
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

class Driver {
  public:
    // `out` holds the state directory, the settled file, the log and the shots; `config` is the
    // kiosk's lapor.toml; `prepare` sees the fresh state directory before the kiosk starts.
    // `extra`: more of lapor-kiosk's options (--microphone simulated, --playback-wav FILE).
    explicit Driver(fs::path out, std::string config = "[device]\noffice = \"Kantor Uji e2e\"\n",
                    const std::function<void(const fs::path&)>& prepare = {},
                    std::vector<std::string> extra = {})
        : out_(std::move(out)), config_(std::move(config)), extra_(std::move(extra)) {
        fs::remove_all(out_);
        fs::create_directories(out_ / "state");
        fs::create_directories(out_ / "shots");
        if (prepare) {
            prepare(out_ / "state");
        }
        startXvfb();
        startKiosk();
    }
    ~Driver() {
        stop(kiosk_);
        stop(xvfb_);
    }

    // Waits (bounded) until the kiosk settled after the input sent so far; checks the screen.
    Settled settle(const std::string& screen, const std::string& step) {
        INFO(step);
        const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
        std::optional<Settled> s;
        while (std::chrono::steady_clock::now() < until) {
            s = readSettled(file_);
            if (s && s->buttons >= buttons_ && s->keys >= keys_ && s->texts >= texts_ &&
                s->seq > lastSeq_ && (screen.empty() || s->screen == screen)) {
                break;
            }
            s.reset();
            REQUIRE(kioskRunning());
            std::this_thread::sleep_for(std::chrono::milliseconds(20));  // polling a bounded wait
        }
        if (!s) {
            auto last = readSettled(file_);
            FAIL_CHECK("the kiosk never settled on '" << screen << "' after " << step << " (last: "
                                                      << (last ? last->screen : "none") << ")");
            REQUIRE(false);
        }
        lastSeq_ = s->seq;
        last_ = *s;
        shot(step);
        return *s;
    }

    // Where `id` shows; scrolls the content with the "more below" button, else a drag, until it
    // does.
    Rect find(const std::string& id) {
        for (int i = 0; i < 12; ++i) {
            if (auto r = last_.visible(id)) {
                return *r;
            }
            REQUIRE(!last_.widgets.empty());
            const std::string screen = last_.screen;
            if (auto more = last_.visible("nav.more"); more && last_.widgets.count(id)) {
                click(*more);
                settle(screen, "more below, looking for " + id);
            } else {
                // A drag up in the middle of the content (over a widget or not: it only scrolls).
                const int x = 640;
                const int y = 500;
                pointer_ = {x, y - 150};
                xdo("mousemove " + std::to_string(x) + " " + std::to_string(y) +
                    " mousedown 1 mousemove " + std::to_string(x) + " " + std::to_string(y - 60) +
                    " mousemove " + std::to_string(x) + " " + std::to_string(y - 150) +
                    " mouseup 1");
                buttons_ += 2;
                settle(screen, "drag looking for " + id);
            }
        }
        FAIL("widget " << id << " never came into view on " << last_.screen);
        return {};
    }

    // One quick tap: press and release sent together.
    void tap(const std::string& id, const std::string& screen) {
        const Rect r = find(id);
        click(r);
        settle(screen, "tap " + id);
    }
    // A quick tap that does not wait for the kiosk to settle (what comes next must not wait).
    void tapNoWait(const std::string& id) { click(find(id)); }
    // A held tap: the finger stays down `ms` before it lifts.
    void slowTap(const std::string& id, int ms, const std::string& screen) {
        const Rect r = find(id);
        xdo(at(r) + " mousedown 1 sleep " + std::to_string(ms / 1000.0) + " mouseup 1");
        buttons_ += 2;
        settle(screen, "slow tap " + id);
    }
    // A drag that starts on `id` and moves `dy` pixels.
    void drag(const std::string& id, int dy, const std::string& screen) {
        const Rect r = find(id);
        std::string moves;
        for (int i = 1; i <= 6; ++i) {
            moves +=
                " mousemove " + std::to_string(r.cx()) + " " + std::to_string(r.cy() + dy * i / 6);
        }
        xdo(at(r) + " mousedown 1" + moves + " mouseup 1");
        buttons_ += 2;
        settle(screen, "drag from " + id);
    }
    // Typing on the on-screen keyboard: one quick tap per key.
    void typeOnScreen(const std::string& text, const std::string& screen) {
        for (char c : text) {
            tap(c == ' ' ? std::string("kb.space") : std::string("kb.") + c, screen);
        }
    }
    // Typing on a physical keyboard (staff, or a kiosk with one).
    void typeKeys(const std::string& text, const std::string& screen) {
        xdo("type --delay 20 '" + text + "'");
        // One text input per (ASCII) character, counted from what the kiosk had handled.
        texts_ = last_.texts + static_cast<long>(text.size());
        settle(screen, "typed " + std::to_string(text.size()) + " keys");
    }
    void key(const std::string& name, const std::string& screen) {
        xdo("key " + name);
        keys_ = last_.keys + 1;  // counted from what the kiosk had handled when it last settled
        settle(screen, "key " + name);
    }

    // Waits (bounded) until the kiosk settles in a state that satisfies `ok`: for what changes on
    // its own (the staff panel reads the store again every few seconds).
    Settled waitUntil(const std::function<bool(const Settled&)>& ok, const std::string& step,
                      int seconds = 90) {
        INFO(step);
        const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
        while (std::chrono::steady_clock::now() < until) {
            if (auto s = readSettled(file_); s && s->seq >= lastSeq_ && ok(*s)) {
                lastSeq_ = s->seq;
                last_ = *s;
                shot(step);
                return *s;
            }
            REQUIRE(kioskRunning());
            std::this_thread::sleep_for(std::chrono::milliseconds(50));  // polling a bounded wait
        }
        FAIL("the kiosk never showed what " << step << " waits for (last: " << last_.screen << ")");
        return last_;
    }
    // A screenshot of the screen as it is now, to `png`.
    void keep(const fs::path& png) {
        fs::create_directories(png.parent_path());
        CHECK(run("DISPLAY=" + display_ + " import -window root '" + png.string() + "'") == 0);
    }

    [[nodiscard]] const Settled& last() const { return last_; }
    [[nodiscard]] fs::path state() const { return out_ / "state"; }
    [[nodiscard]] int shots() const { return shots_; }
    [[nodiscard]] bool kioskRunning() const { return waitpid(kiosk_, nullptr, WNOHANG) == 0; }
    // SIGKILL, as a power cut would; then restartKiosk() starts it again on the same state.
    void killKiosk() {
        if (kiosk_ > 0) {
            kill(kiosk_, SIGKILL);
            waitpid(kiosk_, nullptr, 0);
            kiosk_ = -1;
        }
    }
    void restartKiosk() {
        killKiosk();
        fs::remove(file_);
        buttons_ = keys_ = texts_ = lastSeq_ = 0;  // the new process counts from 0
        pointer_ = {-1, -1};
        startKiosk();
    }

  private:
    std::string at(const Rect& r) {
        pointer_ = {r.cx(), r.cy()};
        return "mousemove " + std::to_string(r.cx()) + " " + std::to_string(r.cy());
    }
    void click(const Rect& r) {
        // The pointer first, on its own, and the kiosk asleep again after drawing its move; then
        // press and release at once.
        if (pointer_ != std::make_pair(r.cx(), r.cy())) {
            xdo(at(r));
            settle(last_.screen,
                   "pointer to " + std::to_string(r.cx()) + "," + std::to_string(r.cy()));
        }
        xdo("click 1");
        buttons_ += 2;
    }
    void xdo(const std::string& args) {
        REQUIRE(run("DISPLAY=" + display_ + " xdotool " + args) == 0);
    }
    void shot(const std::string& step) {
        char name[64];
        std::snprintf(name, sizeof name, "%03d", ++shots_);
        std::string safe;
        for (char c : step) {
            safe += std::isalnum(static_cast<unsigned char>(c)) || c == '.' ? c : '-';
        }
        const fs::path png = out_ / "shots" / (std::string(name) + "-" + safe + ".png");
        CHECK(run("DISPLAY=" + display_ + " import -window root '" + png.string() + "'") == 0);
    }

    void startXvfb() {
        // -displayfd: the server picks a free display and says which, so that test runs of
        // several people on one machine never share a screen.
        int fds[2];
        REQUIRE(pipe(fds) == 0);
        xvfb_ = fork();
        if (xvfb_ == 0) {
            close(fds[0]);
            const std::string fd = std::to_string(fds[1]);
            execlp("Xvfb", "Xvfb", "-displayfd", fd.c_str(), "-nolisten", "tcp", "-screen", "0",
                   "1280x800x24", static_cast<char*>(nullptr));
            _exit(127);
        }
        close(fds[1]);
        std::string number;
        char ch;
        while (read(fds[0], &ch, 1) == 1 && ch != '\n') {
            number += ch;
        }
        close(fds[0]);
        REQUIRE(!number.empty());
        display_ = ":" + number;
    }
    void startKiosk() {
        file_ = out_ / "settled";
        // A configured office: without one the kiosk takes no reports.
        std::ofstream(out_ / "lapor.toml") << config_;
        kiosk_ = fork();
        if (kiosk_ == 0) {
            setenv("DISPLAY", display_.c_str(), 1);
            setenv("SDL_VIDEODRIVER", "x11", 1);
            setenv("SDL_AUDIODRIVER", "dummy", 1);
            const std::string log = (out_ / "kiosk.log").string();
            FILE* f = std::freopen(log.c_str(), "w", stdout);
            (void)f;
            dup2(1, 2);
            const std::string state = (out_ / "state").string();
            const std::string settled = file_.string();
            const std::string config = (out_ / "lapor.toml").string();
            std::vector<std::string> args = {
                kBin.string(), "--windowed", "--size",   "1280x800", "--camera",       "simulated",
                "--state-dir", state,        "--config", config,     "--settled-file", settled};
            args.insert(args.end(), extra_.begin(), extra_.end());
            std::vector<char*> argv;
            for (auto& a : args) {
                argv.push_back(a.data());
            }
            argv.push_back(nullptr);
            execv(argv[0], argv.data());
            _exit(127);
        }
    }
    static void stop(pid_t& pid) {
        if (pid > 0) {
            kill(pid, SIGTERM);
            waitpid(pid, nullptr, 0);
            pid = -1;
        }
    }

    fs::path out_;
    std::string config_;
    std::vector<std::string> extra_;
    pid_t xvfb_ = -1;
    pid_t kiosk_ = -1;
    std::string display_;
    fs::path file_;
    long buttons_ = 0;
    long keys_ = 0;
    long texts_ = 0;
    long lastSeq_ = 0;
    std::pair<int, int> pointer_{-1, -1};
    Settled last_;
    int shots_ = 0;
};

inline void placeAnonymousReport(Driver& d);

// From the kind screen to the photos screen with an anonymous Pengaduan about `title` in Keude
// Bakongan, typed on the physical keyboard (the steps the sandbox-backed tests share).
inline void fillAnonymousReport(Driver& d, const std::string& title, const std::string& body) {
    d.tap("kind.pengaduan", "what");
    d.tap("what.title", "what");
    d.typeKeys(title, "what");
    d.key("Return", "what");
    d.tap("what.body", "what");
    d.typeKeys(body, "what");
    d.key("Return", "what");
    placeAnonymousReport(d);
}

// From "what happened" (title and body or note done) to the photos screen: Keude Bakongan, the
// regency's roads, Anonim.
inline void placeAnonymousReport(Driver& d) {
    d.tap("what.region", "what");
    d.tap("region.search", "what");
    d.typeKeys("keude bakongan", "what");
    d.key("Return", "what");
    d.tap("region.choice.0", "what");
    d.tap("nav.next", "whom");
    d.tap("whom.agency.pemda", "whom");
    d.tap("whom.topic.jalan-rusak", "whom");
    d.tap("nav.next", "privacy");
    d.tap("privacy.anonymous", "privacy");
    d.tap("nav.next", "photos");
}

}  // namespace lapor::testing::x
