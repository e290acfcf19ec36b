// The flow's video clips and spoken notes: when a recording may start, retake and delete, the
// idle timer held while recording, the voice screen's moves, a note instead of the body, the
// clips in the save, and their wipe on walk-away.
#include <doctest/doctest.h>

#include "kiosk/flow/flow.hpp"
#include "tests/kiosk/flow/flow_rig.hpp"

using namespace lapor;
using namespace lapor::kiosk;
using namespace lapor::kiosk::testing;

namespace {

DraftClip clip(MediaKind kind, std::uint8_t tag, std::uint32_t ms) {
    DraftClip c;
    c.clip.kind = kind;
    c.clip.bytes = {tag, tag, tag};
    c.clip.sha256Hex = std::string(64, 'a' + tag % 6);
    c.clip.durationMs = ms;
    if (kind == MediaKind::video) {
        c.thumbnail.jpeg = {0xFF, 0xD8, tag};
    }
    return c;
}

}  // namespace

TEST_CASE(
    "video: recorded on the photos screen, watched, retaken (the old kept until then), deleted") {
    Rig r;
    r.walkTo(Screen::photos);
    CHECK_FALSE(r.flow.canRecord(Recording::voice));
    REQUIRE(r.flow.canRecord(Recording::video));
    REQUIRE(r.flow.recordingStarted(Recording::video));
    CHECK(r.flow.recording() == Recording::video);
    CHECK_FALSE(r.flow.canTakePhoto());  // one thing at a time
    CHECK_FALSE(r.flow.recordingStarted(Recording::video));
    // Back and next wait while it records.
    r.flow.next();
    r.flow.back();
    CHECK(r.flow.screen() == Screen::photos);
    r.flow.clipRecorded(Recording::video, clip(MediaKind::video, 1, 12'000));
    CHECK(r.flow.recording() == Recording::none);
    REQUIRE(r.flow.draft().video);
    CHECK(r.flow.viewingVideo());  // shown for playback at once
    CHECK(r.flow.canTakePhoto());

    // Retake: the first clip stays until the second one is there; a failed one keeps it.
    r.flow.viewVideo(false);
    REQUIRE(r.flow.recordingStarted(Recording::video));
    r.flow.recordingFailed(Recording::video, Text{"kiosk.video.failed", {}});
    REQUIRE(r.flow.mediaMessage());
    CHECK(r.flow.mediaMessage()->key == "kiosk.video.failed");
    REQUIRE(r.flow.draft().video);
    CHECK(r.flow.draft().video->clip.bytes[0] == 1);
    REQUIRE(r.flow.recordingStarted(Recording::video));
    CHECK_FALSE(r.flow.mediaMessage());
    r.flow.clipRecorded(Recording::video, clip(MediaKind::video, 2, 30'000));
    CHECK(r.flow.draft().video->clip.bytes[0] == 2);

    r.flow.deleteClip(Recording::video);
    CHECK_FALSE(r.flow.draft().video);
    CHECK_FALSE(r.flow.viewingVideo());
    r.flow.viewVideo(true);  // nothing to view
    CHECK_FALSE(r.flow.viewingVideo());
}

TEST_CASE("recording holds the idle timer, a walk-away mid-recording drops it and the late clip") {
    Rig r;
    r.walkTo(Screen::photos);
    REQUIRE(r.flow.recordingStarted(Recording::video));
    r.clock.advance(200'000);  // far past the warning and the wipe
    CHECK_FALSE(r.flow.tick());
    CHECK_FALSE(r.flow.idleWarning());
    CHECK(r.flow.screen() == Screen::photos);
    r.flow.clipRecorded(Recording::video, clip(MediaKind::video, 1, 30'000));
    // Now idle counts again from the end of the recording.
    r.clock.advance(61'000);
    r.flow.tick();
    CHECK(r.flow.idleWarning());
    r.clock.advance(21'000);
    r.flow.tick();
    CHECK(r.flow.screen() == Screen::welcome);
    CHECK_FALSE(r.flow.draft().video);

    // A recording cut by the wipe: the clip that arrives afterwards is not kept.
    r.walkTo(Screen::photos);
    REQUIRE(r.flow.recordingStarted(Recording::video));
    r.flow.cancel();
    CHECK(r.flow.recording() == Recording::none);
    r.flow.clipRecorded(Recording::video, clip(MediaKind::video, 3, 1'000));
    CHECK_FALSE(r.flow.draft().video);
}

TEST_CASE("spoken note: from what happened, instead of the body, in the save after the video") {
    Rig r;
    r.catalog.add(Lang::id, "kiosk.voice.body_note",
                  "(Isi laporan dalam rekaman suara, {duration}.)");
    r.walkTo(Screen::what);
    r.flow.setText(Field::title, "Jalan rusak di depan pasar");
    r.pickVillage();
    r.flow.next();
    CHECK(r.flow.screen() == Screen::what);
    CHECK(r.flow.error(Field::body) != nullptr);  // no body, no note: refused

    CHECK_FALSE(r.flow.canRecord(Recording::voice));
    r.flow.openVoice();
    REQUIRE(r.flow.screen() == Screen::voice);
    CHECK(r.flow.stepNumber() == 2);  // part of "what happened"
    REQUIRE(r.flow.recordingStarted(Recording::voice));
    r.flow.back();  // waits for the recording
    CHECK(r.flow.screen() == Screen::voice);
    r.flow.clipRecorded(Recording::voice, clip(MediaKind::voice, 4, 42'500));
    CHECK_FALSE(r.flow.viewingVideo());
    r.flow.next();  // done: back to what happened
    CHECK(r.flow.screen() == Screen::what);
    CHECK(r.flow.error(Field::body) == nullptr);  // the note stands for the body
    r.flow.next();
    CHECK(r.flow.screen() == Screen::whom);

    r.flow.chooseAgency("kemenkes");
    r.flow.chooseTopic("kesehatan.bpjs");
    r.flow.next();
    r.flow.setAnonymous(true);
    r.flow.next();
    REQUIRE(r.flow.screen() == Screen::photos);
    REQUIRE(r.flow.recordingStarted(Recording::video));
    r.flow.clipRecorded(Recording::video, clip(MediaKind::video, 5, 9'000));
    r.flow.next();
    REQUIRE(r.flow.screen() == Screen::review);
    r.flow.setConsent(true);
    auto job = r.flow.beginSave(r.sink);
    REQUIRE(job);
    CHECK(job->report.body == "(Isi laporan dalam rekaman suara, 0:42.)");
    REQUIRE(job->clips.size() == 2);
    CHECK(job->clips[0].kind == MediaKind::video);
    CHECK(job->clips[1].kind == MediaKind::voice);
    CHECK(job->clips[1].durationMs == 42'500);
    auto code = r.sink.save(job->report, job->photos, job->clips);
    REQUIRE(code.ok());
    r.flow.saveFinished(code);
    CHECK(r.flow.screen() == Screen::receipt);
    CHECK_FALSE(r.flow.draft().voice);  // stored: wiped from the draft
    CHECK_FALSE(r.flow.draft().video);
    REQUIRE(r.sink.savedClips.size() == 1);
    CHECK(r.sink.savedClips[0].size() == 2);
}

TEST_CASE(
    "spoken note with a typed body: both reach the agency, deleting the note needs the body") {
    Rig r;
    r.catalog.add(Lang::en, "kiosk.voice.body_note", "(Also spoken, {duration}.)");
    r.walkTo(Screen::what);
    r.flow.setLang(Lang::en);
    r.flow.setText(Field::title, "Jalan rusak di depan pasar");
    r.flow.setText(Field::body, "Berlubang.");  // short: a note makes up for it
    r.pickVillage();
    r.flow.openVoice();
    REQUIRE(r.flow.recordingStarted(Recording::voice));
    r.flow.clipRecorded(Recording::voice, clip(MediaKind::voice, 1, 125'000));
    CHECK(r.flow.voiceBodyNote() == "(Also spoken, 2:05.)");
    r.flow.back();
    CHECK(r.flow.screen() == Screen::what);
    r.flow.next();
    CHECK(r.flow.screen() == Screen::whom);
    r.flow.back();
    r.flow.openVoice();
    r.flow.deleteClip(Recording::voice);
    CHECK_FALSE(r.flow.draft().voice);
    r.flow.back();
    r.flow.next();
    CHECK(r.flow.screen() == Screen::what);
    CHECK(r.flow.error(Field::body) != nullptr);
}

TEST_CASE("a recording that cannot start says why and changes nothing else") {
    Rig r;
    r.walkTo(Screen::what);
    r.flow.openVoice();
    r.flow.recordingFailed(Recording::voice, Text{"mic.state.noMicrophone", {}});
    CHECK(r.flow.recording() == Recording::none);
    REQUIRE(r.flow.mediaMessage());
    CHECK(r.flow.mediaMessage()->key == "mic.state.noMicrophone");
    r.flow.back();
    CHECK_FALSE(r.flow.mediaMessage());  // gone with the screen
    CHECK(clockText(0) == "0:00");
    CHECK(clockText(59'999) == "0:59");
    CHECK(clockText(600'000) == "10:00");
}
