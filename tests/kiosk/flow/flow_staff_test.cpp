// The flow's staff part: the keypad and its PIN buffer, sign-in outcomes with the lockout pause,
// idle sign-out, sign-out when a visitor starts, assisted filing with its hand-over, the panel.
#include <doctest/doctest.h>

#include "kiosk/flow/flow.hpp"
#include "tests/kiosk/flow/flow_rig.hpp"

using namespace lapor;
using namespace lapor::kiosk;
using namespace lapor::kiosk::testing;

namespace {

void type(Flow& flow, std::string_view digits) {
    for (char c : digits) {
        flow.padDigit(c);
    }
}

staff::SignInResult good(const std::string& id, const std::string& name) {
    staff::SignInResult r;
    r.account = staff::Account{};
    r.account->id = id;
    r.account->displayName = name;
    return r;
}

std::string padKey(const Flow& flow) {
    const auto m = flow.padMessage();
    return m ? m->key : std::string("-");
}

// Signs in "4711" (Sri) through the keypad, the check answered good.
void signIn(Rig& r) {
    r.flow.openStaffSignIn();
    type(r.flow, "4711");
    r.flow.padNext();
    type(r.flow, "246810");
    auto job = r.flow.beginSignIn();
    REQUIRE(job);
    r.flow.signInFinished(good("4711", "Sri"));
    REQUIRE(r.flow.staff());
}

}  // namespace

TEST_CASE("keypad: the id, then the PIN, the check takes the PIN and the pad keeps no digit") {
    Rig r;
    r.flow.openStaffSignIn();
    REQUIRE(r.flow.screen() == Screen::staffSignIn);
    CHECK_FALSE(r.flow.beginSignIn());  // nothing typed
    r.flow.padNext();
    CHECK(r.flow.pad().stage == PadStage::id);  // no id yet
    type(r.flow, "47x11");                      // only digits go in
    CHECK(r.flow.pad().id == "4711");
    r.flow.padNext();
    CHECK(r.flow.pad().stage == PadStage::pin);
    type(r.flow, "2468101");
    r.flow.padBackspace();
    CHECK(r.flow.pad().pin == "246810");
    type(r.flow, "1234567");  // at most 12 digits
    CHECK(r.flow.pad().pin.size() == 12);
    auto job = r.flow.beginSignIn();
    REQUIRE(job);
    CHECK(job->id == "4711");
    CHECK(job->pin == "246810123456");
    // On the heap, not in the string's inline buffer that a move copies and leaves behind.
    CHECK(job->pin.capacity() > 15);
    CHECK(r.flow.pad().pin.empty());
    CHECK(r.flow.pad().checking);
    CHECK_FALSE(r.flow.beginSignIn());  // one check at a time
    type(r.flow, "9");
    CHECK(r.flow.pad().pin.empty());  // no typing while it checks
}

TEST_CASE("a wrong PIN says so plainly, a lockout shows its pause counting down") {
    Rig r;
    r.catalog.add(Lang::id, "kiosk.staffSignIn.locked", "Tunggu {seconds} detik");
    r.catalog.add(Lang::en, "kiosk.staffSignIn.locked", "Wait {seconds} seconds");
    r.flow.openStaffSignIn();
    type(r.flow, "4711");
    r.flow.padNext();
    type(r.flow, "111111");
    REQUIRE(r.flow.beginSignIn());
    staff::SignInResult wrong;
    wrong.error = staff::SignInError::unknownOrWrong;
    r.flow.signInFinished(wrong);
    CHECK_FALSE(r.flow.staff());
    CHECK(r.flow.screen() == Screen::staffSignIn);
    CHECK(padKey(r.flow) == "kiosk.staffSignIn.wrong");
    CHECK(r.flow.pad().stage == PadStage::pin);  // the id stays, the PIN is typed again
    CHECK(r.flow.pad().id == "4711");

    type(r.flow, "222222");
    REQUIRE(r.flow.beginSignIn());
    staff::SignInResult locked;
    locked.error = staff::SignInError::locked;
    locked.lockedUntilMs = r.clock.wallMs() + 30'000;
    r.flow.signInFinished(locked);
    CHECK(padKey(r.flow) == "kiosk.staffSignIn.locked");
    CHECK(r.flow.lockSecondsLeft() == 30);
    CHECK(r.flow.screenSpeech().find("Tunggu 30 detik") != std::string::npos);
    type(r.flow, "246810");
    CHECK_FALSE(r.flow.beginSignIn());  // still paused: not even sent to the check
    // The countdown wakes the loop once a second.
    CHECK(r.flow.nextDeadlineMs() <= r.clock.monotonicMs() + 1000);
    r.clock.advance(1'000);
    CHECK(r.flow.tick());
    CHECK(r.flow.lockSecondsLeft() == 29);
    r.clock.advance(29'000);
    r.flow.tick();
    CHECK(padKey(r.flow) == "kiosk.staffSignIn.lock_over");
    CHECK(r.flow.beginSignIn());
}

TEST_CASE("signed in: the name shows, idle staff are signed out, and the sign-out is noted") {
    Rig r;
    signIn(r);
    CHECK(r.flow.screen() == Screen::welcome);
    CHECK(r.flow.staff()->name == "Sri");
    CHECK(r.flow.pad().id.empty());
    CHECK(r.flow.takeStaffNotes().empty());  // the sign-in itself is audited by StaffBook
    r.flow.openPanel();
    CHECK(r.flow.screen() == Screen::staffPanel);
    // No visitor idle warning on a staff screen; the staff idle (2 min) signs out.
    r.clock.advance(90'000);
    r.flow.tick();
    CHECK_FALSE(r.flow.idleWarning());
    CHECK(r.flow.staff());
    r.flow.touch();
    r.clock.advance(119'000);
    r.flow.tick();
    CHECK(r.flow.staff());
    CHECK(r.flow.nextDeadlineMs() == r.clock.monotonicMs() + 1'000);
    r.clock.advance(1'000);
    CHECK(r.flow.tick());
    CHECK_FALSE(r.flow.staff());
    CHECK(r.flow.screen() == Screen::welcome);
    const auto notes = r.flow.takeStaffNotes();
    REQUIRE(notes.size() == 1);
    CHECK(notes[0].staffId == "4711");
    CHECK(notes[0].action == "sign-out");
    CHECK(notes[0].detail == "idle");
}

TEST_CASE("a visitor starting a report signs staff out") {
    Rig r;
    signIn(r);
    r.flow.start();
    CHECK(r.flow.screen() == Screen::kind);
    CHECK_FALSE(r.flow.staff());
    CHECK_FALSE(r.flow.assisted());
    const auto notes = r.flow.takeStaffNotes();
    REQUIRE(notes.size() == 1);
    CHECK(notes[0].detail == "a visitor started a report");
}

TEST_CASE("the keypad left alone goes back to the welcome screen without a trace") {
    Rig r;
    r.flow.openStaffSignIn();
    type(r.flow, "4711");
    r.clock.advance(120'000);
    r.flow.tick();
    CHECK(r.flow.screen() == Screen::welcome);
    CHECK(r.flow.pad().id.empty());
    // A check that comes back after the walk-away opens nothing.
    r.flow.signInFinished(good("4711", "Sri"));
    CHECK_FALSE(r.flow.staff());
}

TEST_CASE("assisted filing: the staff id is recorded, the review and consent are the citizen's") {
    Rig r;
    r.catalog.add(Lang::id, "kiosk.what.field_title", "Judul");
    CHECK_FALSE(r.flow.assisted());
    signIn(r);
    r.flow.startAssisted();
    CHECK(r.flow.screen() == Screen::kind);
    CHECK(r.flow.assisted());
    CHECK(r.flow.staff());  // staff type for the citizen
    auto notes = r.flow.takeStaffNotes();
    REQUIRE(notes.size() == 1);
    CHECK(notes[0].action == "assist");
    r.walkTo(Screen::photos);
    REQUIRE(r.flow.screen() == Screen::photos);
    r.flow.next();
    // Before the review the kiosk goes back to the citizen, and the staff member is signed out.
    REQUIRE(r.flow.screen() == Screen::handOver);
    CHECK_FALSE(r.flow.staff());
    notes = r.flow.takeStaffNotes();
    REQUIRE(notes.size() == 1);
    CHECK(notes[0].detail == "handed the kiosk to the citizen");
    CHECK(r.flow.screenSpeech().find("Judul: Jalan rusak di depan pasar") != std::string::npos);
    CHECK(r.flow.screenSpeech().find(kNik) == std::string::npos);  // never read out
    r.flow.handOverDone();
    REQUIRE(r.flow.screen() == Screen::review);
    // Back to the photos and on again: straight to the review, the kiosk is the citizen's.
    r.flow.back();
    r.flow.next();
    CHECK(r.flow.screen() == Screen::review);
    CHECK_FALSE(r.flow.beginSave(r.sink));  // the citizen's consent is still needed
    r.flow.setConsent(true);
    auto job = r.flow.beginSave(r.sink);
    REQUIRE(job);
    CHECK(job->report.assistedBy == "4711");
    r.flow.saveFinished(r.sink.save(job->report, job->photos, job->clips));
    CHECK(r.flow.screen() == Screen::receipt);
    CHECK_FALSE(r.flow.assisted());
}

TEST_CASE("a visitor's report never becomes assisted, and its hand-over is never shown") {
    Rig r;
    r.walkTo(Screen::review);
    CHECK(r.flow.screen() == Screen::review);
    CHECK(r.flow.assistedBy().empty());
    r.flow.setConsent(true);
    auto job = r.flow.beginSave(r.sink);
    REQUIRE(job);
    CHECK(job->report.assistedBy.empty());
}

TEST_CASE("a walk-away during assisted filing wipes it and signs staff out") {
    Rig r;
    signIn(r);
    r.flow.startAssisted();
    r.walkTo(Screen::what);
    (void)r.flow.takeStaffNotes();
    r.clock.advance(80'000);
    r.flow.tick();
    r.flow.tick();
    CHECK(r.flow.screen() == Screen::welcome);
    CHECK_FALSE(r.flow.staff());
    CHECK_FALSE(r.flow.assisted());
    CHECK(r.flow.takeStaffNotes().size() == 1);
}

TEST_CASE("the panel: only for signed-in staff, its state and code go with the sign-out") {
    Rig r;
    r.flow.openPanel();
    CHECK(r.flow.screen() == Screen::welcome);
    PanelSnapshot p;
    p.read = true;
    p.waiting = 3;
    r.flow.setPanel(p);
    CHECK_FALSE(r.flow.panel().read);  // nobody signed in: not kept
    signIn(r);
    r.flow.openPanel();
    r.flow.setPanel(p);
    r.flow.setPanelCode("ABCD");
    CHECK(r.flow.panel().waiting == 3);
    r.flow.closePanel();
    CHECK(r.flow.screen() == Screen::welcome);
    r.flow.openPanel();
    r.flow.signOut("signed out");
    CHECK(r.flow.screen() == Screen::welcome);
    CHECK_FALSE(r.flow.panel().read);
    CHECK(r.flow.panelCode().empty());
}

namespace {

bool wiped(const std::string& s) {
    return s.find_first_not_of('\0') == std::string::npos;
}

}  // namespace

TEST_CASE("a PIN reset by an operator: a new PIN, twice, before the session opens") {
    Rig r;
    r.flow.openStaffSignIn();
    type(r.flow, "4711");
    r.flow.padNext();
    type(r.flow, "246810");
    REQUIRE(r.flow.beginSignIn());
    auto reset = good("4711", "Sri");
    reset.account->pinMustChange = true;
    r.flow.signInFinished(reset);
    CHECK_FALSE(r.flow.staff());  // not yet: the panel stays closed
    CHECK(r.flow.screen() == Screen::staffSignIn);
    CHECK(r.flow.pad().stage == PadStage::newPin);
    CHECK(padKey(r.flow) == "kiosk.staffSignIn.must_change");
    CHECK(r.flow.pad().pin.empty());

    type(r.flow, "3141");
    r.flow.padNext();  // too short
    CHECK(r.flow.pad().stage == PadStage::newPin);
    CHECK(padKey(r.flow) == "kiosk.staffSignIn.new_pin_short");
    type(r.flow, "59");
    r.flow.padNext();
    CHECK(r.flow.pad().stage == PadStage::confirmPin);
    type(r.flow, "314150");  // not the same
    CHECK_FALSE(r.flow.beginPinChange());
    CHECK(r.flow.pad().stage == PadStage::newPin);
    CHECK(padKey(r.flow) == "kiosk.staffSignIn.new_pin_mismatch");
    CHECK(r.flow.pad().pin.empty());
    CHECK(r.flow.pad().pin2.empty());

    type(r.flow, "314159");
    r.flow.padNext();
    type(r.flow, "314159");
    auto job = r.flow.beginPinChange();
    REQUIRE(job);
    CHECK(job->id == "4711");
    CHECK(job->pin == "314159");
    CHECK(r.flow.pad().checking);
    CHECK(wiped(r.flow.pad().pin));
    CHECK(wiped(r.flow.pad().pin2));
    CHECK_FALSE(r.flow.beginPinChange());  // one at a time

    r.flow.pinChangeFinished(PinChangeResult::weak);  // the book's rules said no
    CHECK_FALSE(r.flow.staff());
    CHECK(r.flow.pad().stage == PadStage::newPin);
    CHECK(padKey(r.flow) == "kiosk.staffSignIn.new_pin_weak");

    type(r.flow, "271828");
    r.flow.padNext();
    type(r.flow, "271828");
    REQUIRE(r.flow.beginPinChange());
    r.flow.pinChangeFinished(PinChangeResult::changed);
    REQUIRE(r.flow.staff());
    CHECK(r.flow.staff()->id == "4711");
    CHECK(r.flow.screen() == Screen::welcome);
    r.flow.openPanel();
    CHECK(r.flow.screen() == Screen::staffPanel);
}

TEST_CASE("a PIN that must change: leaving the keypad opens no session") {
    Rig r;
    r.flow.openStaffSignIn();
    type(r.flow, "4711");
    r.flow.padNext();
    type(r.flow, "246810");
    REQUIRE(r.flow.beginSignIn());
    auto reset = good("4711", "Sri");
    reset.account->pinMustChange = true;
    r.flow.signInFinished(reset);
    type(r.flow, "271828");
    r.flow.padNext();
    r.flow.padBack();  // back to the first new PIN
    CHECK(r.flow.pad().stage == PadStage::newPin);
    r.flow.padBack();  // out
    CHECK(r.flow.screen() == Screen::welcome);
    CHECK_FALSE(r.flow.staff());
    CHECK_FALSE(r.flow.pad().who);
    const auto notes = r.flow.takeStaffNotes();
    REQUIRE(notes.size() == 1);
    CHECK(notes[0].staffId == "4711");
}

TEST_CASE("enrolment on the panel: offered while not enrolled, the code wiped, outcomes in words") {
    Rig r;
    r.flow.setAgentWaitsForEnrolment(true);
    CHECK_FALSE(r.flow.enrolOffered());  // nobody signed in
    signIn(r);
    CHECK_FALSE(r.flow.enrolOffered());  // on the panel only
    r.flow.openPanel();
    CHECK(r.flow.enrolOffered());
    CHECK_FALSE(r.flow.enrolMessage());
    CHECK_FALSE(r.flow.beginEnrol());  // nothing typed
    r.flow.setEnrolCode(" - ");
    CHECK_FALSE(r.flow.beginEnrol());  // nothing but separators

    r.flow.setEnrolCode("USED-0001");
    auto job = r.flow.beginEnrol();
    REQUIRE(job);
    CHECK(job->staffId == "4711");
    CHECK(job->code == "USED-0001");
    CHECK(r.flow.enrolCode().empty());
    CHECK(r.flow.enrolState() == EnrolState::working);
    CHECK(r.flow.enrolMessage()->key == "kiosk.staffPanel.enrol.working");
    r.flow.setEnrolCode("AGAIN");
    CHECK_FALSE(r.flow.beginEnrol());  // one at a time
    r.flow.enrolFinished(EnrolState::refused);
    CHECK(r.flow.enrolMessage()->key == "kiosk.staffPanel.enrol.refused");
    CHECK(r.flow.setupNotices() == std::vector<std::string>{"kiosk.setup.not_enrolled"});

    REQUIRE(r.flow.beginEnrol());
    r.flow.enrolFinished(EnrolState::unreachable);
    CHECK(r.flow.enrolMessage()->key == "kiosk.staffPanel.enrol.unreachable");

    r.flow.setEnrolCode("GOOD-0002");
    REQUIRE(r.flow.beginEnrol());
    r.flow.enrolFinished(EnrolState::enrolled);
    CHECK(r.flow.enrolMessage()->key == "kiosk.staffPanel.enrol.done");
    CHECK(r.flow.setupNotices().empty());  // the "not enrolled" notice is gone
    CHECK(r.flow.enrolOffered());          // the outcome stays in view
    r.flow.setEnrolCode("MORE");
    CHECK_FALSE(r.flow.beginEnrol());  // enrolled: nothing more to do

    r.flow.signOut("signed out");
    CHECK(r.flow.enrolCode().empty());
    CHECK(r.flow.enrolState() == EnrolState::none);
    signIn(r);
    r.flow.openPanel();
    CHECK_FALSE(r.flow.enrolOffered());  // enrolled: no section
}

TEST_CASE("enrolment: an answer after the sign-out is kept for whoever signs in next") {
    Rig r;
    r.flow.setAgentWaitsForEnrolment(true);
    signIn(r);
    r.flow.openPanel();
    r.flow.setEnrolCode("CODE");
    REQUIRE(r.flow.beginEnrol());
    r.flow.signOut("idle");
    CHECK(r.flow.enrolState() == EnrolState::working);
    r.flow.enrolFinished(EnrolState::enrolled);
    CHECK(r.flow.setupNotices().empty());
}
