// The script player: taps become SDL mouse events pushed into the app's own event queue.
#include "kiosk/script.hpp"

#include <SDL.h>

#include <fstream>
#include <sstream>

#include "core/clock.hpp"
#include "core/log.hpp"
#include "kiosk/widgets/keyboard.hpp"

namespace lapor::kiosk {

namespace {

constexpr std::int64_t kStepTimeoutMs = 20'000;

void pushMouse(Uint32 type, float x, float y) {
    SDL_Event e{};
    e.type = type;
    if (type == SDL_MOUSEMOTION) {
        e.motion.x = static_cast<Sint32>(x);
        e.motion.y = static_cast<Sint32>(y);
        e.motion.state = 0;
    } else {
        e.button.button = SDL_BUTTON_LEFT;
        e.button.state = type == SDL_MOUSEBUTTONDOWN ? SDL_PRESSED : SDL_RELEASED;
        e.button.clicks = 1;
        e.button.x = static_cast<Sint32>(x);
        e.button.y = static_cast<Sint32>(y);
    }
    SDL_PushEvent(&e);
}

}  // namespace

Result<std::vector<ScriptStep>> parseScript(std::string_view text) {
    static const char* verbs[] = {
        "tap",         "tapxy",     "type",      "wait",     "wait-widget", "wait-preview",
        "wait-photos", "wait-idle", "wait-text", "wait-msg", "shot",        "frames",
        "sleep",       "quit",      "quicktap",  "slowtap",  "drag",        "settled"};
    std::vector<ScriptStep> steps;
    std::istringstream in{std::string(text)};
    std::string line;
    int n = 0;
    while (std::getline(in, line)) {
        ++n;
        const auto start = line.find_first_not_of(" \t");
        if (start == std::string::npos || line[start] == '#') {
            continue;
        }
        line = line.substr(start);
        const auto sp = line.find(' ');
        ScriptStep s;
        s.verb = line.substr(0, sp);
        s.arg = sp == std::string::npos ? "" : line.substr(sp + 1);
        s.line = n;
        bool known = false;
        for (const char* v : verbs) {
            known = known || s.verb == v;
        }
        if (!known) {
            return makeError(Errc::invalidInput,
                             "line " + std::to_string(n) + ": unknown step '" + s.verb + "'");
        }
        steps.push_back(std::move(s));
    }
    return steps;
}

Result<std::unique_ptr<ScriptPlayer>> ScriptPlayer::load(const std::string& path,
                                                         const Clock& clock) {
    std::ifstream f(path);
    if (!f) {
        return makeError(Errc::notFound, "cannot read " + path);
    }
    std::stringstream ss;
    ss << f.rdbuf();
    auto steps = parseScript(ss.str());
    if (!steps) {
        return steps.error();
    }
    return std::make_unique<ScriptPlayer>(std::move(steps.value()), clock);
}

bool ScriptPlayer::timedOut(std::int64_t now) const {
    return stepStartMs_ >= 0 && now - stepStartMs_ > kStepTimeoutMs;
}

void ScriptPlayer::fail(ScriptHost& host, const std::string& why) {
    log::error("script", why);
    host.requestShot("script-failure");
    host.quit(3);
    done_ = true;
}

void ScriptPlayer::step(ScriptHost& host) {
    if (done_) {
        return;
    }
    if (steps_.empty()) {
        done_ = true;
        return;
    }
    if (framesLeft_ > 0) {
        --framesLeft_;
        return;
    }
    const std::int64_t now = clock_.monotonicMs();
    if (stepStartMs_ < 0) {
        stepStartMs_ = now;
    }
    ScriptStep& s = steps_.front();
    const std::string where = "line " + std::to_string(s.line) + " (" + s.verb + " " + s.arg + ")";
    auto finish = [&] {
        steps_.pop_front();
        phase_ = 0;
        stepStartMs_ = -1;
    };
    Ui& ui = host.scriptUi();
    Flow& flow = host.scriptFlow();

    if (s.verb == "tap" || s.verb == "tapxy") {
        if (phase_ == 0) {
            ImVec2 at;
            if (s.verb == "tapxy") {
                std::istringstream in(s.arg);
                in >> at.x >> at.y;
            } else {
                auto c = ui.visibleCenterOf(s.arg);
                if (!c) {
                    if (ui.hasWidget(s.arg)) {
                        ui.scrollTo(s.arg);  // below the fold: bring it up, then touch it
                    }
                    if (timedOut(now)) {
                        fail(host, where + ": no such widget on screen '" +
                                       std::string(screenName(flow.screen())) + "'");
                    }
                    return;
                }
                at = *c;
            }
            pushMouse(SDL_MOUSEMOTION, at.x, at.y);
            pushMouse(SDL_MOUSEBUTTONDOWN, at.x, at.y);
            tapAt_ = at;
            phase_ = 1;
            return;
        }
        if (phase_ == 1) {
            pushMouse(SDL_MOUSEBUTTONUP, tapAt_.x, tapAt_.y);
            phase_ = 2;
            return;
        }
        finish();
        framesLeft_ = 1;  // let the screen settle before the next step looks for widgets
        return;
    }
    if (s.verb == "quicktap" || s.verb == "slowtap" || s.verb == "drag") {
        std::istringstream args(s.arg);
        std::string id;
        long long n = 0;
        args >> id >> n;
        if (phase_ == 0) {
            auto c = ui.visibleCenterOf(id);
            if (!c) {
                if (ui.hasWidget(id)) {
                    ui.scrollTo(id);  // below the fold: bring it up, then touch it
                }
                if (timedOut(now)) {
                    fail(host, where + ": no such widget in view on '" +
                                   std::string(screenName(flow.screen())) + "'");
                }
                return;
            }
            tapAt_ = *c;
            stepStartMs_ = now;
            // Everything at once into SDL's queue, then nothing: as a finger's quick tap arrives.
            pushMouse(SDL_MOUSEMOTION, tapAt_.x, tapAt_.y);
            pushMouse(SDL_MOUSEBUTTONDOWN, tapAt_.x, tapAt_.y);
            if (s.verb == "quicktap") {
                pushMouse(SDL_MOUSEBUTTONUP, tapAt_.x, tapAt_.y);
                finish();
                return;
            }
            phase_ = 1;
            return;
        }
        if (s.verb == "slowtap") {
            if (now - stepStartMs_ >= n) {
                pushMouse(SDL_MOUSEBUTTONUP, tapAt_.x, tapAt_.y);
                finish();
            }
            return;
        }
        // A drag: the finger moves in steps of a few pixels, one step per frame, then lifts.
        if (phase_ == 1) {
            const float dy = static_cast<float>(n);
            const int steps = 8;
            for (int i = 1; i <= steps; ++i) {
                pushMouse(SDL_MOUSEMOTION, tapAt_.x, tapAt_.y + dy * i / steps);
            }
            pushMouse(SDL_MOUSEBUTTONUP, tapAt_.x, tapAt_.y + dy);
            finish();
        }
        return;
    }
    if (s.verb == "settled") {
        // Runs between loop turns while the app is free to sleep: once it would sleep, the
        // screen it shows must be the one asked for, and a further frame must draw the same.
        if (phase_ == 0) {
            if (host.settled()) {
                settledHash_ = host.drawnHash();
                host.requestFrame();
                phase_ = 1;
            } else if (timedOut(now)) {
                fail(host, where + ": the screen never settled");
            }
            return;
        }
        if (!host.settled()) {
            return;  // the probe frame is still to come
        }
        // "settled SCREEN [top] [ID...]": at its top (nothing scrolled), each ID in view.
        std::istringstream args(s.arg);
        std::string screen, word;
        args >> screen;
        std::string wrong;
        while (args >> word) {
            if (word == "top") {
                if (ui.contentScroll().y != 0) {
                    wrong = "scrolled to " + std::to_string(ui.contentScroll().y) + ", not the top";
                }
            } else if (!ui.visibleCenterOf(word)) {
                wrong = word + " not in view";
            }
        }
        if (host.drawnHash() != settledHash_) {
            fail(host, where + ": the loop went to sleep before the screen was fully drawn");
        } else if (screen != screenName(flow.screen())) {
            fail(host, where + ": on '" + std::string(screenName(flow.screen())) + "'");
        } else if (!wrong.empty()) {
            fail(host, where + ": " + wrong);
        } else {
            finish();
        }
        return;
    }
    if (s.verb == "type") {
        // Expand into taps on the keyboard that is open now.
        const auto& ed = ui.editing();
        if (!ed) {
            if (timedOut(now)) {
                fail(host, where + ": no field is open for typing");
            }
            return;
        }
        std::vector<ScriptStep> taps;
        for (char c : s.arg) {
            for (auto& id : keyPath(c, ed->numeric)) {
                taps.push_back(ScriptStep{"tap", id, s.line});
            }
        }
        steps_.pop_front();
        steps_.insert(steps_.begin(), taps.begin(), taps.end());
        phase_ = 0;
        stepStartMs_ = -1;
        return;
    }
    if (s.verb == "wait") {
        if (s.arg == screenName(flow.screen())) {
            finish();
        } else if (timedOut(now)) {
            fail(host, where + ": still on '" + std::string(screenName(flow.screen())) + "'");
        }
        return;
    }
    if (s.verb == "wait-widget") {
        if (ui.hasWidget(s.arg)) {
            finish();
        } else if (timedOut(now)) {
            fail(host, where + ": widget never appeared");
        }
        return;
    }
    if (s.verb == "wait-text" || s.verb == "wait-msg") {
        const std::string text = s.verb == "wait-msg" ? ui.tr(s.arg) : s.arg;
        if (ui.showsText(text)) {
            finish();
        } else if (timedOut(now)) {
            fail(host, where + ": not shown on '" + std::string(screenName(flow.screen())) + "'");
        }
        return;
    }
    if (s.verb == "wait-preview") {
        if (host.hasPreview()) {
            finish();
        } else if (timedOut(now)) {
            fail(host, where + ": no camera preview");
        }
        return;
    }
    if (s.verb == "wait-photos") {
        if (!host.busy() && flow.draft().photos.size() == std::stoul(s.arg)) {
            finish();
        } else if (timedOut(now)) {
            fail(host, where + ": photos " + std::to_string(flow.draft().photos.size()));
        }
        return;
    }
    if (s.verb == "wait-idle") {
        if (!host.busy()) {
            finish();
        } else if (timedOut(now)) {
            fail(host, where + ": still busy");
        }
        return;
    }
    if (s.verb == "shot") {
        host.requestShot(s.arg);
        finish();
        framesLeft_ = 1;
        return;
    }
    if (s.verb == "frames") {
        framesLeft_ = std::stoi(s.arg);
        finish();
        return;
    }
    if (s.verb == "sleep") {
        if (now - stepStartMs_ >= std::stoll(s.arg)) {
            finish();
        }
        return;
    }
    if (s.verb == "quit") {
        host.quit(0);
        finish();
        done_ = true;
    }
}

}  // namespace lapor::kiosk
