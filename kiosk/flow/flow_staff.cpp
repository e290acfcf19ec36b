// The staff part of the kiosk's flow: the PIN keypad, the staff session and its idle sign-out,
// assisted filing with its hand-over to the citizen, and the panel's state.
#include <algorithm>

#include "core/log.hpp"
#include "core/wipe.hpp"
#include "kiosk/flow/flow.hpp"

namespace lapor::kiosk {

namespace {

// Longest staff id and PIN the keypad takes (core/staff.hpp: ids up to 16, PINs up to 12).
constexpr std::size_t kMaxId = 16;
constexpr std::size_t kMaxPin = 12;
// Room reserved for the pad's strings: more than std::string keeps inline (15 in libstdc++), so
// the digits live in one heap buffer that is wiped in place.
constexpr std::size_t kPinBuffer = 32;

Text msg(std::string key) {
    return Text{std::move(key), {}};
}

}  // namespace

void Flow::wipePad() {
    wipeString(pad_.pin);
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
    std::string& into = pad_.stage == PadStage::id ? pad_.id : pad_.pin;
    if (into.size() >= (pad_.stage == PadStage::id ? kMaxId : kMaxPin)) {
        return;
    }
    // Appended in place: reserved up front so that no copy of the digits is left behind when the
    // string grows (the secure heap wipes what is freed anyway).
    into.reserve(kPinBuffer);
    into.push_back(digit);
    if (lockSecondsLeft() == 0) {
        pad_.message.reset();  // the pause's countdown stays in view while it runs
    }
}

void Flow::padBackspace() {
    if (screen_ != Screen::staffSignIn || pad_.checking) {
        return;
    }
    std::string& from = pad_.stage == PadStage::id ? pad_.id : pad_.pin;
    if (!from.empty()) {
        from.back() = '\0';
        from.pop_back();
    }
}

void Flow::padNext() {
    if (screen_ != Screen::staffSignIn || pad_.checking || pad_.stage != PadStage::id ||
        pad_.id.empty()) {
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
