// Video clips and spoken notes in the filing flow: when a recording may start, what it replaces,
// the voice screen's moves, and their wipe.
#include <cstdio>

#include "core/log.hpp"
#include "core/wipe.hpp"
#include "kiosk/flow/flow.hpp"

namespace lapor::kiosk {

namespace {

void wipeClip(std::optional<DraftClip>& c) {
    if (!c) {
        return;
    }
    wipeBytes(c->clip.bytes);
    wipeString(c->clip.sha256Hex);
    wipeBytes(c->thumbnail.jpeg);
    wipeString(c->thumbnail.sha256Hex);
    c.reset();
}

std::optional<DraftClip>& slotOf(Draft& d, Recording what) {
    return what == Recording::video ? d.video : d.voice;
}

}  // namespace

std::string clockText(std::int64_t ms) {
    const std::int64_t s = std::max<std::int64_t>(0, ms) / 1000;
    char buf[24];
    std::snprintf(buf, sizeof buf, "%lld:%02lld", static_cast<long long>(s / 60),
                  static_cast<long long>(s % 60));
    return buf;
}

bool Flow::canRecord(Recording what) const {
    if (recording_ != Recording::none) {
        return false;
    }
    switch (what) {
        case Recording::video: return screen_ == Screen::photos && !viewedPhoto_ && !retakeIndex_;
        case Recording::voice: return screen_ == Screen::voice;
        case Recording::none: break;
    }
    return false;
}

bool Flow::recordingStarted(Recording what) {
    if (!canRecord(what)) {
        return false;
    }
    recording_ = what;
    viewingVideo_ = false;
    mediaMessage_.reset();
    lastTouchMs_ = clock_.monotonicMs();
    return true;
}

void Flow::clipRecorded(Recording what, DraftClip clip) {
    if (recording_ != what) {
        // A walk-away ended it first: the clip is not the next visitor's.
        wipeBytes(clip.clip.bytes);
        wipeBytes(clip.thumbnail.jpeg);
        return;
    }
    recording_ = Recording::none;
    lastTouchMs_ = clock_.monotonicMs();
    auto& slot = slotOf(draft_, what);
    wipeClip(slot);
    slot = std::move(clip);
    viewingVideo_ = what == Recording::video;  // the clip to watch, retake or delete
}

void Flow::recordingFailed(Recording what, Text why) {
    if (recording_ == what) {
        recording_ = Recording::none;
    }
    lastTouchMs_ = clock_.monotonicMs();
    mediaMessage_ = std::move(why);
}

std::int64_t Flow::maxRecordMs(Recording what) const {
    return what == Recording::voice ? config_.voiceMaxMs : config_.videoMaxMs;
}

void Flow::viewVideo(bool on) {
    if (recording_ != Recording::none || screen_ != Screen::photos || (on && !draft_.video)) {
        return;
    }
    viewingVideo_ = on;
    viewedPhoto_.reset();
    retakeIndex_.reset();
}

void Flow::deleteClip(Recording what) {
    if (recording_ != Recording::none || what == Recording::none) {
        return;
    }
    wipeClip(slotOf(draft_, what));
    if (what == Recording::video) {
        viewingVideo_ = false;
    }
    if (what == Recording::voice) {
        revalidate(Field::body);  // the body is needed again
    }
}

void Flow::openVoice() {
    if (screen_ == Screen::what && recording_ == Recording::none) {
        go(Screen::voice);
    }
}

bool Flow::mediaNav() {
    if (screen_ != Screen::voice) {
        return false;
    }
    go(Screen::what);  // keeps fromReview_: an edit from the review goes back there from "what"
    revalidate(Field::body);
    return true;
}

std::string Flow::voiceBodyNote() const {
    if (!draft_.voice) {
        return {};
    }
    return catalog_.render(lang_, Text{"kiosk.voice.body_note",
                                       {{"duration", clockText(draft_.voice->clip.durationMs)}}});
}

void Flow::wipeMedia() {
    if (recording_ != Recording::none) {
        log::info("kiosk", "a recording was under way: dropped with the visitor's input");
    }
    recording_ = Recording::none;
    viewingVideo_ = false;
    mediaMessage_.reset();
    wipeClip(draft_.video);
    wipeClip(draft_.voice);
}

}  // namespace lapor::kiosk
