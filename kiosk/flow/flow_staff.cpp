// The staff part of the kiosk's flow: the PIN keypad, the staff session and its idle sign-out,
// assisted filing with its hand-over to the citizen, and the panel's state.
#include <algorithm>

#include "core/log.hpp"
#include "core/wipe.hpp"
#include "kiosk/flow/flow.hpp"

namespace lapor::kiosk {

namespace {

// Longest staff id and PIN the keypad takes (core/staff.hpp: ids up to 16, PINs of 6 to 12).
constexpr std::size_t kMaxId = 16;
constexpr std::size_t kMaxPin = 12;
constexpr std::size_t kMinPin = 6;
// Longest enrolment code the panel takes (the server's are far shorter; spaces are allowed).
constexpr std::size_t kMaxEnrolCode = 64;
// Room reserved for the pad's strings: more than std::string keeps inline (15 in libstdc++), so
// the digits live in one heap buffer that is wiped in place.
constexpr std::size_t kPinBuffer = 32;

Text msg(std::string key) {
    return Text{std::move(key), {}};
}

// The keypad's string for the stage: the id, the PIN, the new PIN or its repetition.
std::string& padValue(SignInPad& pad) {
    switch (pad.stage) {
        case PadStage::id: return pad.id;
        case PadStage::pin:
        case PadStage::newPin: return pad.pin;
        case PadStage::confirmPin: return pad.pin2;
    }
    return pad.pin;
}

}  // namespace

void Flow::wipePad() {
    wipeString(pad_.pin);
    wipeString(pad_.pin2);
    wipeString(pad_.id);
    pad_ = SignInPad{};
    lockShownSeconds_ = -1;
}

void Flow::openStaffSignIn() {
    if (screen_ != Screen::welcome || staff_) {
        return;
    }
    wipePad();
    staffTouchMs_ = clock_.monotonicMs();
    go(Screen::staffSignIn);
}

void Flow::padDigit(char digit) {
    if (screen_ != Screen::staffSignIn || pad_.checking || digit < '0' || digit > '9') {
        return;
    }
    std::string& into = padValue(pad_);
    if (into.size() >= (pad_.stage == PadStage::id ? kMaxId : kMaxPin)) {
        return;
    }
    // Appended in place: reserved up front so that no copy of the digits is left behind when the
    // string grows (the secure heap wipes what is freed anyway).
    into.reserve(kPinBuffer);
    into.push_back(digit);
    if (lockSecondsLeft() == 0 || pad_.who) {
        pad_.message.reset();  // the pause's countdown stays in view while it runs
    }
}

void Flow::padBackspace() {
    if (screen_ != Screen::staffSignIn || pad_.checking) {
        return;
    }
    std::string& from = padValue(pad_);
    if (!from.empty()) {
        from.back() = '\0';
        from.pop_back();
    }
}

void Flow::padNext() {
    if (screen_ != Screen::staffSignIn || pad_.checking) {
        return;
    }
    if (pad_.stage == PadStage::newPin) {
        if (pad_.pin.size() < kMinPin) {
            pad_.message = msg("kiosk.staffSignIn.new_pin_short");
            return;
        }
        pad_.stage = PadStage::confirmPin;
        pad_.message.reset();
        return;
    }
    if (pad_.stage != PadStage::id || pad_.id.empty()) {
        return;
    }
    pad_.stage = PadStage::pin;
    pad_.message.reset();
}

void Flow::padBack() {
    if (screen_ != Screen::staffSignIn || pad_.checking) {
        return;
    }
    if (pad_.stage == PadStage::pin) {
        wipeString(pad_.pin);
        pad_.pin.clear();
        pad_.stage = PadStage::id;
        return;
    }
    if (pad_.stage == PadStage::confirmPin) {
        wipeString(pad_.pin2);
        pad_.pin2.clear();
        pad_.stage = PadStage::newPin;
        return;
    }
    if (pad_.who) {
        // Leaving without a new PIN: no session (the old PIN still must change next time).
        notes_.push_back(StaffNote{pad_.who->id, "sign-out", "left without changing the PIN"});
    }
    wipePad();
    go(Screen::welcome);
}

std::optional<SignInJob> Flow::beginSignIn() {
    if (screen_ != Screen::staffSignIn || pad_.checking || pad_.stage != PadStage::pin ||
        pad_.pin.empty() || lockSecondsLeft() > 0) {
        return std::nullopt;
    }
    SignInJob job;
    job.id = pad_.id;
    // The job's copy, on the heap (beyond a string's inline buffer): moving the job to the worker
    // then hands over a pointer and leaves no copy of the digits behind. The pad's is wiped now.
    job.pin.reserve(kPinBuffer);
    job.pin.assign(pad_.pin);
    wipeString(pad_.pin);
    pad_.pin.clear();
    pad_.checking = true;
    pad_.message.reset();
    return job;
}

void Flow::signInFinished(const staff::SignInResult& result) {
    if (screen_ != Screen::staffSignIn || !pad_.checking) {
        return;  // walked away meanwhile: the session is not opened
    }
    pad_.checking = false;
    using E = staff::SignInError;
    switch (result.error) {
        case E::none:
            if (result.account && result.account->pinMustChange) {
                // An operator reset this PIN: its owner chooses their own before going on.
                log::info("kiosk", "staff PIN must change: " + result.account->id);
                pad_.who = StaffSession{result.account->id, result.account->displayName};
                wipeString(pad_.pin);
                pad_.pin.clear();
                pad_.stage = PadStage::newPin;
                pad_.message = msg("kiosk.staffSignIn.must_change");
                staffTouchMs_ = clock_.monotonicMs();
                return;
            }
            if (result.account) {
                staff_ = StaffSession{result.account->id, result.account->displayName};
                staffTouchMs_ = clock_.monotonicMs();
                log::info("kiosk", "staff signed in: " + staff_->id);
                wipePad();
                go(Screen::welcome);
                return;
            }
            pad_.message = msg("kiosk.staffSignIn.storage");
            break;
        case E::unknownOrWrong: pad_.message = msg("kiosk.staffSignIn.wrong"); break;
        case E::locked:
            pad_.message = msg("kiosk.staffSignIn.locked");
            pad_.lockedUntilMs = result.lockedUntilMs;
            break;
        case E::disabled: pad_.message = msg("kiosk.staffSignIn.disabled"); break;
        case E::storage: pad_.message = msg("kiosk.staffSignIn.storage"); break;
    }
    log::info("kiosk", "staff sign-in refused: " + result.message);
    // The id stays for another try; the PIN is typed again.
    pad_.stage = PadStage::pin;
    lockShownSeconds_ = -1;
}

std::optional<PinChangeJob> Flow::beginPinChange() {
    if (screen_ != Screen::staffSignIn || pad_.checking || !pad_.who ||
        pad_.stage != PadStage::confirmPin) {
        return std::nullopt;
    }
    if (pad_.pin != pad_.pin2 || pad_.pin.size() < kMinPin) {
        // Both typed again, from the first.
        wipeString(pad_.pin);
        wipeString(pad_.pin2);
        pad_.pin.clear();
        pad_.pin2.clear();
        pad_.stage = PadStage::newPin;
        pad_.message = msg("kiosk.staffSignIn.new_pin_mismatch");
        return std::nullopt;
    }
    PinChangeJob job;
    job.id = pad_.who->id;
    job.pin.reserve(kPinBuffer);
    job.pin.assign(pad_.pin);
    wipeString(pad_.pin);
    wipeString(pad_.pin2);
    pad_.pin.clear();
    pad_.pin2.clear();
    pad_.checking = true;
    pad_.message.reset();
    return job;
}

void Flow::pinChangeFinished(PinChangeResult result) {
    if (screen_ != Screen::staffSignIn || !pad_.checking || !pad_.who) {
        return;  // walked away meanwhile: no session
    }
    pad_.checking = false;
    if (result == PinChangeResult::changed) {
        staff_ = *pad_.who;
        staffTouchMs_ = clock_.monotonicMs();
        log::info("kiosk", "staff PIN changed, signed in: " + staff_->id);
        wipePad();
        go(Screen::welcome);
        return;
    }
    pad_.stage = PadStage::newPin;
    pad_.message = msg(result == PinChangeResult::weak ? "kiosk.staffSignIn.new_pin_weak"
                                                       : "kiosk.staffSignIn.storage");
}

bool Flow::enrolOffered() const {
    return staff_ && screen_ == Screen::staffPanel &&
           (agentWaitsForEnrolment_ || panel_.link.waitsForEnrolment ||
            enrolState_ != EnrolState::none);
}

void Flow::setEnrolCode(std::string code) {
    wipeString(enrolCode_);
    if (code.size() > kMaxEnrolCode) {
        wipeString(code);
        code.clear();
    }
    enrolCode_ = std::move(code);
}

std::optional<EnrolJob> Flow::beginEnrol() {
    if (!enrolOffered() || enrolState_ == EnrolState::working ||
        enrolState_ == EnrolState::enrolled) {
        return std::nullopt;
    }
    const bool blank = std::all_of(enrolCode_.begin(), enrolCode_.end(),
                                   [](char c) { return c == ' ' || c == '-'; });
    if (blank) {
        return std::nullopt;
    }
    EnrolJob job{staff_->id, enrolCode_};
    wipeString(enrolCode_);
    enrolCode_.clear();
    enrolState_ = EnrolState::working;
    return job;
}

void Flow::enrolFinished(EnrolState outcome) {
    if (enrolState_ != EnrolState::working) {
        return;
    }
    enrolState_ = outcome;
    if (outcome == EnrolState::enrolled) {
        // The agent has its token now: the "not enrolled" lines go at once.
        agentWaitsForEnrolment_ = false;
        panel_.link.waitsForEnrolment = false;
    }
}

std::optional<Text> Flow::enrolMessage() const {
    switch (enrolState_) {
        case EnrolState::none: return std::nullopt;
        case EnrolState::working: return msg("kiosk.staffPanel.enrol.working");
        case EnrolState::enrolled: return msg("kiosk.staffPanel.enrol.done");
        case EnrolState::refused: return msg("kiosk.staffPanel.enrol.refused");
        case EnrolState::unreachable: return msg("kiosk.staffPanel.enrol.unreachable");
        case EnrolState::notSetUp: return msg("kiosk.staffPanel.enrol.not_set_up");
        case EnrolState::failed: return msg("kiosk.staffPanel.enrol.failed");
    }
    return std::nullopt;
}

std::optional<Text> Flow::padMessage() const {
    if (!pad_.message) {
        return std::nullopt;
    }
    Text t = *pad_.message;
    if (t.key == "kiosk.staffSignIn.locked") {
        const int left = lockSecondsLeft();
        if (left <= 0) {
            return Text{"kiosk.staffSignIn.lock_over", {}};
        }
        t.args.emplace_back("seconds", std::to_string(left));
    }
    return t;
}

int Flow::lockSecondsLeft() const {
    const std::int64_t left = pad_.lockedUntilMs - clock_.wallMs();
    return left <= 0 ? 0 : static_cast<int>((left + 999) / 1000);
}

void Flow::signOut(std::string_view why) {
    if (!staff_) {
        return;
    }
    log::info("kiosk", "staff signed out (" + std::string(why) + "): " + staff_->id);
    notes_.push_back(StaffNote{staff_->id, "sign-out", std::string(why)});
    staff_.reset();
    panel_ = PanelSnapshot{};
    wipeString(panelCode_);
    panelCode_.clear();
    panelNotice_.reset();
    wipeString(enrolCode_);
    enrolCode_.clear();
    if (enrolState_ != EnrolState::working) {
        enrolState_ = EnrolState::none;  // a running one is still shown to whoever signs in next
    }
    if (isStaffScreen(screen_)) {
        go(Screen::welcome);
    }
}

void Flow::startAssisted() {
    if (screen_ != Screen::welcome || !staff_ || !setupProblems().empty()) {
        return;
    }
    assistedBy_ = staff_->id;
    assistedName_ = staff_->name;
    handedOver_ = false;
    notes_.push_back(StaffNote{staff_->id, "assist", "started a report for a citizen"});
    go(Screen::kind);
}

void Flow::handOverDone() {
    if (screen_ != Screen::handOver) {
        return;
    }
    handedOver_ = true;
    go(Screen::review);
}

void Flow::openPanel() {
    if (screen_ == Screen::welcome && staff_) {
        go(Screen::staffPanel);
    }
}

void Flow::closePanel() {
    if (screen_ == Screen::staffPanel) {
        go(Screen::welcome);
    }
}

void Flow::setPanel(PanelSnapshot snapshot) {
    if (staff_) {
        panel_ = std::move(snapshot);
    }
}

void Flow::setPanelCode(std::string code) {
    wipeString(panelCode_);
    panelCode_ = std::move(code);
}

std::int64_t Flow::staffDeadlineMs() const {
    std::int64_t at = INT64_MAX;
    if (staff_ || screen_ == Screen::staffSignIn) {
        at = staffTouchMs_ + config_.staffIdleMs;
    }
    if (screen_ == Screen::staffSignIn) {
        // The lockout countdown moves once a second.
        const std::int64_t left = pad_.lockedUntilMs - clock_.wallMs();
        if (left > 0) {
            at = std::min(at, clock_.monotonicMs() + (left % 1000 == 0 ? 1000 : left % 1000));
        }
    }
    return at;
}

bool Flow::staffTick() {
    const std::int64_t now = clock_.monotonicMs();
    if ((staff_ || screen_ == Screen::staffSignIn) && now - staffTouchMs_ >= config_.staffIdleMs) {
        if (staff_) {
            signOut("idle");
        }
        if (screen_ == Screen::staffSignIn && !pad_.checking) {
            wipePad();
            go(Screen::welcome);
        }
        return true;
    }
    if (screen_ == Screen::staffSignIn) {
        const int left = lockSecondsLeft();
        if (left != lockShownSeconds_) {
            lockShownSeconds_ = left;
            return true;
        }
    }
    return false;
}

}  // namespace lapor::kiosk
