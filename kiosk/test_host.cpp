// The kiosk's test instrumentation: script, screenshots, frame log, settled file (test_host.hpp).
#include "kiosk/test_host.hpp"

#include <cstdio>
#include <sstream>

#include "core/durable_file.hpp"
#include "core/log.hpp"
#include "hardware/png.hpp"

namespace lapor::kiosk {

bool TestHost::open(const AppOptions& options, const Clock& clock, Ui& ui) {
    options_ = &options;
    if (!options.scriptPath.empty()) {
        auto s = ScriptPlayer::load(options.scriptPath, clock);
        if (!s) {
            log::error("kiosk", "script: " + s.error().message);
            return false;
        }
        script_ = std::move(s.value());
        ui.recordShownText(true);  // wait-text and wait-msg read what is on screen
    }
    if (!options.frameLog.empty()) {
        frameLog_.open(options.frameLog);
    }
    return true;
}

bool TestHost::stepScript(ScriptHost& host) {
    if (!scripting()) {
        return false;
    }
    script_->step(host);
    return script_->done();
}

void TestHost::afterRender(const SdlPlatform& platform) {
    if (shotName_.empty()) {
        return;
    }
    int w = 0, h = 0;
    const auto rgba = platform.readPixels(w, h);
    if (!rgba.empty()) {
        char name[512];
        std::snprintf(name, sizeof name, "%s/%02d-%s.png", options_->shotDir.c_str(), ++shotCount_,
                      shotName_.c_str());
        if (Status s = hw::writePngFile(name, w, h, hw::PngPixels::rgba, rgba); !s) {
            log::warn("kiosk",
                      std::string("screenshot not written: ") + name + ": " + s.error().message);
        }
    }
    shotName_.clear();
}

void TestHost::logFrame(std::int64_t sinceStartMs, double frameMs, Screen screen, bool typing,
                        bool preview, bool recording) {
    if (frameLog_) {
        frameLog_ << sinceStartMs << ' ' << frameMs << ' ' << screenName(screen)
                  << (typing ? " typing" : "") << (preview ? " preview" : "")
                  << (recording ? " recording" : "") << '\n';
    }
}

void TestHost::writeSettled(const Flow& flow, Ui& ui, const SdlInput& input) {
    if (options_ == nullptr || options_->settledFile.empty() || !drawnSinceWrite_) {
        return;
    }
    drawnSinceWrite_ = false;
    std::ostringstream out;
    out << "seq " << ++settledSeq_ << "\nscreen " << screenName(flow.screen()) << "\nediting "
        << (ui.editing() ? ui.editing()->id : "-") << "\nscroll " << ui.contentScroll().y << ' '
        << ui.contentScroll().max << "\ninput " << input.buttonChanges() << ' ' << input.keyDowns()
        << ' ' << input.textInputs() << '\n';
    ui.forEachWidget([&out](const std::string& id, const ImRect& r) {
        out << "widget " << id << ' ' << r.Min.x << ' ' << r.Min.y << ' ' << r.Max.x << ' '
            << r.Max.y << '\n';
    });
    // A driver outside the process reads it whenever it appears: never half a file.
    if (Status s = writeFileDurably(options_->settledFile, out.str()); !s) {
        log::warn("kiosk", "settled file: " + s.error().message);
    }
}

}  // namespace lapor::kiosk
