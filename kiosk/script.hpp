// Scripted touches for tests and benchmarks: a file of steps (tap a widget by id, type on the
// on-screen keyboard, wait for a screen, take a screenshot) replayed as SDL events, so a script
// goes through the same input path as a finger.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/result.hpp"
#include "kiosk/flow/flow.hpp"
#include "kiosk/ui.hpp"

namespace lapor::kiosk {

// What the player needs from the app.
class ScriptHost {
  public:
    virtual ~ScriptHost() = default;
    virtual Ui& scriptUi() = 0;
    virtual Flow& scriptFlow() = 0;
    [[nodiscard]] virtual bool hasPreview() const = 0;
    [[nodiscard]] virtual bool busy() const = 0;  // a photo or a save in progress
    virtual void requestShot(std::string name) = 0;
    virtual void quit(int code) = 0;
    // True when the loop would now sleep on events: no input waiting, the last two frames alike.
    [[nodiscard]] virtual bool settled() const = 0;
    // A hash of what the last frame drew (two frames that look the same have the same hash).
    [[nodiscard]] virtual std::uint64_t drawnHash() const = 0;
    virtual void requestFrame() = 0;  // one more frame, though nothing changed
};

struct ScriptStep {
    std::string verb;  // tap, tapxy, type, wait, wait-widget, wait-preview, wait-photos, wait-idle,
                       // wait-text (shown on screen), wait-msg (a catalog key's text shown in the
                       // visitor's language), shot, frames, sleep, quit; and the touches that
                       // leave the loop alone (quicktap: press and release queued at once;
                       // slowtap ID MS: released MS later; drag ID DY: pressed on ID, moved DY
                       // px, released), each followed by "settled SCREEN": the loop went to sleep
                       // with SCREEN fully drawn (a further frame draws the same)
    std::string arg;
    int line = 0;
};

// Parses a script; unknown verbs are an error with the line number.
[[nodiscard]] Result<std::vector<ScriptStep>> parseScript(std::string_view text);

class ScriptPlayer {
  public:
    // `clock` times "sleep", slow taps and each step's timeout.
    [[nodiscard]] static Result<std::unique_ptr<ScriptPlayer>> load(const std::string& path,
                                                                    const Clock& clock);
    ScriptPlayer(std::vector<ScriptStep> steps, const Clock& clock)
        : clock_(clock), steps_(steps.begin(), steps.end()) {}
    // Called once after every frame: pushes the next events, or waits.
    void step(ScriptHost& host);
    [[nodiscard]] bool done() const { return done_; }
    // True while the script only waits on the clock ("sleep", a slow tap held) or for the loop to
    // settle: the app may then sleep on events as it would with a person in front of it (so a
    // preview runs at the camera's rate, and a loop that sleeps too early shows).
    [[nodiscard]] bool sleeping() const {
        if (done_ || steps_.empty()) {
            return false;
        }
        const std::string& v = steps_.front().verb;
        return v == "settled" ||
               (stepStartMs_ >= 0 && (v == "sleep" || (v == "slowtap" && phase_ == 1)));
    }

  private:
    void fail(ScriptHost& host, const std::string& why);
    bool timedOut(std::int64_t nowMs) const;

    const Clock& clock_;
    std::deque<ScriptStep> steps_;
    int phase_ = 0;
    std::int64_t stepStartMs_ = -1;
    int framesLeft_ = 0;
    ImVec2 tapAt_;
    std::uint64_t settledHash_ = 0;
    bool done_ = false;
};

}  // namespace lapor::kiosk
