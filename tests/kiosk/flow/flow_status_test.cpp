// A returning visitor in the flow: the code's check symbol, the wrong-code pause (injected clock),
// the status screen, the reply with a photo, its save and walk-away; the status screen's words.
#include <doctest/doctest.h>

#include "core/receipt_code.hpp"
#include "kiosk/flow/status_words.hpp"
#include "tests/kiosk/flow/flow_rig.hpp"

using namespace lapor;
using namespace lapor::kiosk;
using lapor::kiosk::testing::Rig;

namespace {

std::string newCode() {
    return receipt::generate("K7QM").value();
}

// The code as a person types it off the slip: lower case, spaces for the dashes.
std::string typed(const std::string& canonical) {
    std::string out;
    for (char c : receipt::format(canonical)) {
        out += c == '-' ? ' ' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return out;
}

ReportStatus followedUp(const std::string& code) {
    ReportStatus s;
    s.uuid = "8b6f7a52-0c1e-4c4e-9d1a-3f2b1c0d9e8f";
    s.receiptCode = code;
    s.title = "Jalan rusak di depan pasar";
    s.filedAtMs = 1'767'225'600'000;
    s.state = OutboxState::followedUp;
    s.trackingId = "LPR-2026-000123";
    s.deliveredAtMs = s.filedAtMs + 3'600'000;
    FeedUpdate fwd;
    fwd.id = "1";
    fwd.status = "forwarded";
    fwd.agency = "Dinas PU Aceh Selatan";
    fwd.atMs = s.deliveredAtMs + 86'400'000;
    FeedUpdate fu;
    fu.id = "2";
    fu.event = "followup";
    fu.status = "followed_up";
    fu.atMs = fwd.atMs + 86'400'000;
    fu.followUp = FollowUp{"Perbaikan dijadwalkan minggu depan.", "pu", "Dinas PU", fu.atMs, 420};
    FeedUpdate rec;  // arrives out of order: the timeline sorts by time
    rec.id = "0";
    rec.status = "received";
    rec.atMs = s.deliveredAtMs + 1;
    s.timeline = {fwd, fu, rec};
    s.followUps = {*fu.followUp};
    s.canReply = true;
    return s;
}

Result<ReportStatus> notFound() {
    return makeError(Errc::notFound, "no report with this receipt code");
}

}  // namespace

TEST_CASE("status: the code's check symbol catches a typo before the store is asked") {
    Rig r;
    r.flow.openStatus();
    REQUIRE(r.flow.screen() == Screen::statusCode);
    CHECK_FALSE(r.flow.beginLookup());
    REQUIRE(r.flow.lookup().message);
    CHECK(r.flow.lookup().message->key == "kiosk.statusCode.empty");

    std::string code = newCode();
    std::string wrong = code;
    wrong[6] = wrong[6] == 'A' ? 'B' : 'A';  // one symbol mistyped
    r.flow.setText(Field::statusCode, typed(wrong));
    CHECK_FALSE(r.flow.beginLookup());
    REQUIRE(r.flow.lookup().message);
    CHECK(r.flow.lookup().message->key.starts_with("receipt."));
    CHECK_FALSE(r.flow.lookup().looking);

    // Typing again clears the message; the right code in any case and spacing is looked up in
    // its canonical form.
    r.flow.setText(Field::statusCode, typed(code));
    CHECK_FALSE(r.flow.lookup().message);
    auto job = r.flow.beginLookup();
    REQUIRE(job);
    CHECK(job->code == code);
    CHECK(r.flow.lookup().looking);
    CHECK_FALSE(r.flow.beginLookup());  // one at a time
}

TEST_CASE("status: a slip's QR is looked up at once, another QR code is said to be no slip") {
    Rig r;
    r.flow.openStatus();
    r.flow.setText(Field::statusCode, "k7qm");  // half typed
    CHECK_FALSE(r.flow.scannedCode("https://example.com/x"));
    REQUIRE(r.flow.lookup().message);
    CHECK(r.flow.lookup().message->key == "kiosk.statusCode.not_a_slip");
    CHECK(r.flow.lookup().code == "k7qm");  // what the visitor typed stays
    const std::string code = newCode();
    auto job = r.flow.scannedCode(code);
    REQUIRE(job);
    CHECK(job->code == code);
    CHECK_FALSE(r.flow.scannedCode(code));  // frames that come while it is looked up: ignored
    r.flow.lookupFinished(notFound(), 0);
    CHECK(r.flow.lookup().message->key == "kiosk.statusCode.not_found");
    // Still held up: not looked up again frame after frame (each would be a miss).
    CHECK_FALSE(r.flow.scannedCode(code));
    CHECK_FALSE(r.flow.scannedCode(code));
    const std::string other = newCode();
    CHECK(r.flow.scannedCode(other));  // another slip is
}

TEST_CASE("status: wrong codes pause the lookups, growing, on the injected clock") {
    Rig r;
    r.flow.openStatus();
    const auto miss = [&r] {
        r.flow.setText(Field::statusCode, newCode());
        auto job = r.flow.beginLookup();
        if (job) {
            r.flow.lookupFinished(notFound(), 0);
        }
        return job.has_value();
    };
    for (int i = 0; i < 2; ++i) {
        CHECK(miss());
        REQUIRE(r.flow.lookup().message);
        CHECK(r.flow.lookup().message->key == "kiosk.statusCode.not_found");
        CHECK(r.flow.lookupPauseSecondsLeft() == 0);
    }
    CHECK(miss());  // the third miss starts the pause
    CHECK(r.flow.lookup().message->key == "kiosk.statusCode.paused");
    CHECK(r.flow.lookupPauseSecondsLeft() == 30);
    CHECK_FALSE(miss());  // refused without asking the store while paused
    CHECK(r.flow.lookup().message->key == "kiosk.statusCode.paused");
    r.clock.advance(29'000);
    CHECK(r.flow.lookupPauseSecondsLeft() == 1);
    CHECK_FALSE(miss());
    r.clock.advance(1'000);
    CHECK(r.flow.lookupPauseSecondsLeft() == 0);
    CHECK(miss());  // allowed again; a miss now doubles the pause
    CHECK(r.flow.lookupPauseSecondsLeft() == 60);

    // A mistyped code costs nothing, even while paused: it says it is mistyped.
    std::string wrong = newCode();
    wrong[5] = wrong[5] == 'C' ? 'D' : 'C';
    r.flow.setText(Field::statusCode, wrong);
    CHECK_FALSE(r.flow.beginLookup());
    CHECK(r.flow.lookup().message->key.starts_with("receipt."));
}

TEST_CASE("status: a found report shows its status, walk-away wipes it") {
    Rig r;
    r.flow.openStatus();
    const std::string code = newCode();
    r.flow.setText(Field::statusCode, code);
    auto job = r.flow.beginLookup();
    REQUIRE(job);
    r.flow.lookupFinished(followedUp(code), 0);
    REQUIRE(r.flow.screen() == Screen::status);
    REQUIRE(r.flow.status());
    CHECK(r.flow.status()->trackingId == "LPR-2026-000123");
    CHECK(r.flow.lookup().code.empty());  // the code is not kept once it did its job
    // Read aloud: where it is, and the agency's words.
    CHECK(r.flow.screenSpeech().find("Perbaikan dijadwalkan minggu depan.") != std::string::npos);
    CHECK(r.flow.dirty());

    // Back: another code; Done: a fresh welcome.
    r.flow.back();
    CHECK(r.flow.screen() == Screen::statusCode);
    r.flow.setText(Field::statusCode, code);
    r.flow.lookupFinished(followedUp(code), 0);  // no lookup asked: ignored
    CHECK(r.flow.screen() == Screen::statusCode);
    REQUIRE(r.flow.beginLookup());
    r.flow.lookupFinished(followedUp(code), 0);
    r.flow.next();
    CHECK(r.flow.screen() == Screen::welcome);
    CHECK_FALSE(r.flow.status());

    // Left on the status screen: the idle wipe takes it like any visitor's screen.
    r.flow.openStatus();
    r.flow.setText(Field::statusCode, code);
    REQUIRE(r.flow.beginLookup());
    r.flow.lookupFinished(followedUp(code), 0);
    r.clock.advance(60'000);
    r.flow.tick();
    CHECK(r.flow.idleWarning());
    r.clock.advance(20'000);
    r.flow.tick();
    CHECK(r.flow.screen() == Screen::welcome);
    CHECK_FALSE(r.flow.status());
}

TEST_CASE("status: an answer that comes after the visitor walked away is dropped") {
    Rig r;
    r.flow.openStatus();
    const std::string code = newCode();
    r.flow.setText(Field::statusCode, code);
    REQUIRE(r.flow.beginLookup());
    r.flow.cancel();
    r.flow.lookupFinished(followedUp(code), 0);
    CHECK(r.flow.screen() == Screen::welcome);
    CHECK_FALSE(r.flow.status());
}

TEST_CASE("status: the reply, with a photo, saved once under one id") {
    Rig r;
    r.flow.openStatus();
    const std::string code = newCode();
    r.flow.setText(Field::statusCode, code);
    REQUIRE(r.flow.beginLookup());
    r.flow.lookupFinished(followedUp(code), 0);
    r.flow.startReply();
    REQUIRE(r.flow.screen() == Screen::reply);

    r.flow.next();  // no kind chosen
    CHECK(r.flow.screen() == Screen::reply);
    REQUIRE(r.flow.error(Field::replyText));
    CHECK(r.flow.error(Field::replyText)->key == "kiosk.reply.error.kind");
    r.flow.chooseReplyKind(ReplyKind::information);
    REQUIRE(r.flow.error(Field::replyText));
    CHECK(r.flow.error(Field::replyText)->key == "kiosk.reply.error.empty");

    // A photo from the photos screen, which leads back to the reply.
    r.flow.replyPhotos();
    REQUIRE(r.flow.screen() == Screen::photos);
    CHECK(r.flow.stepNumber() == 0);
    r.flow.addPhoto(r.photo(1));
    r.flow.next();
    CHECK(r.flow.screen() == Screen::reply);
    CHECK(r.flow.draft().photos.size() == 1);
    CHECK(r.flow.error(Field::replyText) == nullptr);  // a photo alone is a reply
    r.flow.setText(Field::replyText, "  Lubangnya makin besar.  ");
    r.flow.next();
    REQUIRE(r.flow.screen() == Screen::replyReview);

    auto job = r.flow.beginReplySave();
    REQUIRE(job);
    CHECK(r.flow.screen() == Screen::replySaving);
    CHECK(job->reply.reportUuid == followedUp(code).uuid);
    CHECK(job->reply.kind == ReplyKind::information);
    CHECK(job->reply.text == "Lubangnya makin besar.");
    CHECK(job->photos.size() == 1);
    CHECK(job->reply.id.size() == 36);
    const std::string id = job->reply.id;

    // A failed save keeps everything, and the retry keeps the same id (its Idempotency-Key).
    r.flow.replySaved(makeError(Errc::diskFull, "store full"));
    REQUIRE(r.flow.screen() == Screen::replyReview);
    REQUIRE(r.flow.replyDraft().saveError);
    CHECK(r.flow.replyDraft().saveError->key == "kiosk.save_failed.disk_full");
    CHECK(r.flow.draft().photos.size() == 1);
    auto again = r.flow.beginReplySave();
    REQUIRE(again);
    CHECK(again->reply.id == id);

    r.flow.replySaved(Status{});
    CHECK(r.flow.screen() == Screen::replyDone);
    CHECK(r.flow.draft().photos.empty());
    CHECK(r.flow.replyDraft().text.empty());
    r.flow.next();
    CHECK(r.flow.screen() == Screen::welcome);
}

TEST_CASE("status: 'does not resolve it' needs no text, a closed report takes no reply") {
    Rig r;
    r.flow.openStatus();
    const std::string code = newCode();
    r.flow.setText(Field::statusCode, code);
    REQUIRE(r.flow.beginLookup());
    ReportStatus closed = followedUp(code);
    closed.closed = true;
    closed.canReply = false;
    r.flow.lookupFinished(closed, 0);
    r.flow.startReply();
    CHECK(r.flow.screen() == Screen::status);

    r.flow.back();
    r.flow.setText(Field::statusCode, code);
    REQUIRE(r.flow.beginLookup());
    r.flow.lookupFinished(followedUp(code), 0);
    r.flow.startReply();
    r.flow.chooseReplyKind(ReplyKind::notResolved);
    r.flow.next();
    REQUIRE(r.flow.screen() == Screen::replyReview);
    auto job = r.flow.beginReplySave();
    REQUIRE(job);
    CHECK(job->reply.kind == ReplyKind::notResolved);
    CHECK(job->photos.empty());
}

TEST_CASE("status words: the timeline in order, where it is now, how long offline") {
    const ReportStatus s = followedUp(newCode());
    const auto rows = statusTimeline(s);
    REQUIRE(rows.size() == 5);
    CHECK(rows[0].text.key == "kiosk.status.row.filed");
    CHECK(rows[1].text.key == "kiosk.status.row.sent");
    CHECK(rows[2].text.key == "kiosk.status.row.received");
    CHECK(rows[3].text.key == "kiosk.status.row.forwarded_to");
    CHECK(rows[4].text.key == "kiosk.status.row.followup_by");
    CHECK(statusNow(s).key == "kiosk.status.now.followed_up");
    CHECK_FALSE(offlineWords(s, 0, 0));  // it left the kiosk: offline says nothing of it

    ReportStatus waiting;
    waiting.state = OutboxState::queued;
    CHECK(statusNow(waiting).key == "kiosk.status.now.waiting");
    CHECK(offlineWords(waiting, 0, 1000)->key == "kiosk.status.offline.never");
    const std::int64_t now = 10 * 86'400'000LL;
    const auto days = offlineWords(waiting, now - 3 * 86'400'000LL - 5, now);
    REQUIRE(days);
    CHECK(days->key == "kiosk.status.offline.days");
    CHECK(days->args == std::vector<std::pair<std::string, std::string>>{{"n", "3"}});
    CHECK(offlineWords(waiting, now - 5 * 3'600'000LL, now)->key == "kiosk.status.offline.hours");

    ReportStatus odd = s;
    FeedUpdate unknown;
    unknown.status = "escalated";
    unknown.atMs = s.timeline[1].atMs + 5;  // after the follow-up
    odd.timeline.push_back(unknown);
    CHECK(statusNow(odd).key == "kiosk.status.row.other");
}
