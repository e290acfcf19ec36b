// What tests and benchmarks watch and drive the kiosk through: the script player (--script), its
// screenshots (--shot-dir), the frame log (--frame-log) and the settled file (--settled-file).
// Nothing here runs for a visitor: each part is off unless its option is given.
#pragma once

#include <cstdint>
#include <fstream>
#include <memory>
#include <string>

#include "core/clock.hpp"
#include "kiosk/app.hpp"
#include "kiosk/flow/flow.hpp"
#include "kiosk/input_sdl.hpp"
#include "kiosk/platform_sdl.hpp"
#include "kiosk/script.hpp"
#include "kiosk/ui.hpp"

namespace lapor::kiosk {

class TestHost {
  public:
    // Loads the script (its waits timed by `clock`) and opens the frame log; false when the
    // script cannot be read or parsed (logged). `options` must outlive this.
    [[nodiscard]] bool open(const AppOptions& options, const Clock& clock, Ui& ui);

    // A script is loaded and not finished.
    [[nodiscard]] bool scripting() const { return script_ && !script_->done(); }
    // A script that is acting (not just sleeping) needs a frame after each of its steps.
    [[nodiscard]] bool scriptDriving() const { return scripting() && !script_->sleeping(); }
    // The script's next step; true when it has just ended.
    bool stepScript(ScriptHost& host);

    void requestShot(std::string name) { shotName_ = std::move(name); }
    // After rendering, before presenting: the screenshot the script asked for.
    void afterRender(const SdlPlatform& platform);
    // One frame log line: "<ms since start> <frame ms> <screen>[ typing][ preview][ recording]".
    void logFrame(std::int64_t sinceStartMs, double frameMs, Screen screen, bool typing,
                  bool preview, bool recording);
    // Once per settled screen: the screen, the content's scroll, input counts, and each widget's
    // visible rectangle (ids and places only, never text), written durably.
    void frameDrawn() { drawnSinceWrite_ = true; }
    void writeSettled(const Flow& flow, Ui& ui, const SdlInput& input);

  private:
    const AppOptions* options_ = nullptr;
    std::unique_ptr<ScriptPlayer> script_;
    std::ofstream frameLog_;
    std::string shotName_;
    int shotCount_ = 0;
    std::uint64_t settledSeq_ = 0;
    bool drawnSinceWrite_ = true;
};

}  // namespace lapor::kiosk
