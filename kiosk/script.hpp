// Scripted touches for tests and benchmarks: a file of steps (tap a widget by id, type on the
// on-screen keyboard, wait for a screen, take a screenshot) replayed as SDL events, so a script
// goes through the same input path as a finger.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

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
};

struct ScriptStep {
    std::string verb;  // tap, tapxy, type, wait, wait-widget, wait-preview, wait-photos, wait-idle,
                       // wait-text (shown on screen), wait-msg (a catalog key's text shown in the
                       // visitor's language), shot, frames, sleep, quit
    std::string arg;
    int line = 0;
};

// Parses a script; unknown verbs are an error with the line number.
[[nodiscard]] Result<std::vector<ScriptStep>> parseScript(std::string_view text);

class ScriptPlayer {
  public:
    [[nodiscard]] static Result<std::unique_ptr<ScriptPlayer>> load(const std::string& path);
    explicit ScriptPlayer(std::vector<ScriptStep> steps) : steps_(steps.begin(), steps.end()) {}
    // Called once after every frame: pushes the next events, or waits.
    void step(ScriptHost& host);
    [[nodiscard]] bool done() const { return done_; }
    // True while the script only waits on the clock ("sleep"): the app may then sleep on events
    // as it would with a person in front of it (so a preview runs at the camera's rate).
    [[nodiscard]] bool sleeping() const {
        return !done_ && !steps_.empty() && steps_.front().verb == "sleep" && stepStartMs_ >= 0;
    }

  private:
    void fail(ScriptHost& host, const std::string& why);
    bool timedOut(std::int64_t nowMs) const;

    std::deque<ScriptStep> steps_;
    int phase_ = 0;
    std::int64_t stepStartMs_ = -1;
    int framesLeft_ = 0;
    ImVec2 tapAt_;
    bool done_ = false;
};

}  // namespace lapor::kiosk
