// A returning visitor: the receipt code (typed, or read off the slip's QR by the camera), the
// wrong-code pause, the status screen, and the citizen's reply to the agency's follow-up.
#include <algorithm>

#include "core/log.hpp"
#include "core/receipt_code.hpp"
#include "core/text.hpp"
#include "core/uuid.hpp"
#include "core/wipe.hpp"
#include "kiosk/flow/flow.hpp"

namespace lapor::kiosk {

namespace {

Text msg(std::string key) {
    return Text{std::move(key), {}};
}

bool onStatusScreens(Screen s) {
    return s == Screen::statusCode || s == Screen::status || s == Screen::reply ||
           s == Screen::replyReview || s == Screen::replySaving || s == Screen::replyDone;
}

}  // namespace

void Flow::openStatus() {
    if (screen_ == Screen::staffPanel && staff_) {
        statusForStaff_ = true;  // staff look a code up for a visitor; back leads to the panel
    } else if (screen_ == Screen::welcome) {
        statusForStaff_ = false;
        if (staff_) {
            signOut("a visitor looks up a report");
        }
    } else {
        return;
    }
    go(Screen::statusCode);
}

int Flow::lookupPauseSecondsLeft() const {
    const std::int64_t left = guard_.waitMs();
    return left <= 0 ? 0 : static_cast<int>((left + 999) / 1000);
}

std::optional<LookupJob> Flow::scannedCode(std::string code) {
    if (screen_ != Screen::statusCode || lookup_.looking) {
        return std::nullopt;
    }
    // The slip stays in front of the camera for many frames: one lookup (and at most one miss)
    // per code held up, not one per frame.
    if (code == lookup_.lastQr) {
        wipeString(code);
        return std::nullopt;
    }
    wipeString(lookup_.lastQr);
    lookup_.lastQr = code;
    if (receipt::check(code)) {
        // Some other QR code (a URL, a product's): said so, and what the visitor typed stays.
        lookup_.message = msg("kiosk.statusCode.not_a_slip");
        wipeString(code);
        return std::nullopt;
    }
    wipeString(lookup_.code);
    lookup_.code = std::move(code);
    return beginLookup();
}

std::optional<LookupJob> Flow::beginLookup() {
    if (screen_ != Screen::statusCode || lookup_.looking) {
        return std::nullopt;
    }
    if (lookup_.code.empty()) {
        lookup_.message = msg("kiosk.statusCode.empty");
        return std::nullopt;
    }
    // A mistyped code is caught by its check symbol before the store is asked: it says so, and
    // costs no try (it can never be somebody's code).
    if (auto wrong = receipt::check(lookup_.code)) {
        lookup_.message = *wrong;
        return std::nullopt;
    }
    if (guard_.waitMs() > 0) {
        lookup_.message = msg("kiosk.statusCode.paused");
        return std::nullopt;
    }
    auto canonical = receipt::parse(lookup_.code);
    if (!canonical) {
        lookup_.message = msg("kiosk.statusCode.not_a_slip");
        return std::nullopt;
    }
    lookup_.looking = true;
    lookup_.message.reset();
    return LookupJob{std::move(canonical.value())};
}

void Flow::lookupFinished(const Result<ReportStatus>& result, std::int64_t lastContactMs) {
    if (screen_ != Screen::statusCode || !lookup_.looking) {
        return;  // the visitor walked away meanwhile: nothing of it is kept
    }
    lookup_.looking = false;
    if (!result.ok()) {
        if (result.error().code == Errc::notFound) {
            // Logged by the guard with the count and the pause, never with the code.
            (void)guard_.miss();
            lookup_.message =
                msg(guard_.waitMs() > 0 ? "kiosk.statusCode.paused" : "kiosk.statusCode.not_found");
        } else {
            log::error("kiosk", "status lookup failed: " + result.error().message);
            lookup_.message = msg("kiosk.statusCode.store_error");
        }
        return;
    }
    status_ = result.value();
    lastContactMs_ = lastContactMs;
    wipeString(lookup_.code);
    lookup_ = StatusLookup{};
    go(Screen::status);
}

void Flow::startReply() {
    if (screen_ != Screen::status || !status_ || !status_->canReply) {
        return;
    }
    go(Screen::reply);
}

void Flow::chooseReplyKind(ReplyKind kind) {
    reply_.kind = kind;
    if (std::find(attempted_.begin(), attempted_.end(), Field::replyText) != attempted_.end()) {
        (void)validateReply();
    }
}

void Flow::replyPhotos() {
    if (screen_ != Screen::reply) {
        return;
    }
    replying_ = true;
    go(Screen::photos);
}

bool Flow::validateReply() {
    errors_.erase(Field::replyText);
    if (!reply_.kind) {
        errors_.emplace(Field::replyText, msg("kiosk.reply.error.kind"));
    } else if (const NormalizedText t = normalizeText(reply_.text, TextMode::multiLine); !t.ok()) {
        errors_.emplace(Field::replyText, msg("kiosk.reply.error.characters"));
    } else if (*reply_.kind == ReplyKind::information && t.text.empty() && draft_.photos.empty()) {
        errors_.emplace(Field::replyText, msg("kiosk.reply.error.empty"));
    } else if (codePointCount(t.text) > config_.maxReplyChars) {
        errors_.emplace(Field::replyText, Text{"kiosk.reply.error.too_long",
                                               {{"max", std::to_string(config_.maxReplyChars)}}});
    }
    if (std::find(attempted_.begin(), attempted_.end(), Field::replyText) == attempted_.end()) {
        attempted_.push_back(Field::replyText);
    }
    return errors_.find(Field::replyText) == errors_.end();
}

std::optional<ReplyJob> Flow::beginReplySave() {
    if (screen_ != Screen::replyReview || !status_) {
        return std::nullopt;
    }
    if (!validateReply()) {
        go(Screen::reply);
        return std::nullopt;
    }
    ReplyJob job;
    job.reply.id = reply_.id.empty() ? newUuidV4() : reply_.id;
    reply_.id = job.reply.id;  // a retried save keeps its Idempotency-Key: nothing was stored
    job.reply.reportUuid = status_->uuid;
    job.reply.kind = *reply_.kind;
    job.reply.text = normalizeText(reply_.text, TextMode::multiLine).text;
    job.reply.createdAtMs = clock_.wallMs();
    job.reply.utcOffsetMinutes = config_.zone.utcOffsetMinutes;
    job.reply.language = std::string(langCode(lang_));
    if (*reply_.kind == ReplyKind::information) {
        for (const auto& p : draft_.photos) {
            job.photos.push_back(p.photo);
        }
    }
    reply_.saveError.reset();
    go(Screen::replySaving);
    return job;
}

void Flow::replySaved(const Status& result) {
    if (screen_ != Screen::replySaving) {
        return;
    }
    if (!result.ok()) {
        log::error("kiosk", "reply not stored: " + std::string(errcName(result.error().code)) +
                                ": " + result.error().message);
        reply_.saveError = msg(result.error().code == Errc::diskFull ? "kiosk.save_failed.disk_full"
                                                                     : "kiosk.reply.save_failed");
        go(Screen::replyReview);
        return;
    }
    log::info("kiosk",
              "reply stored for a report (" +
                  std::string(replyKindName(reply_.kind.value_or(ReplyKind::information))) + ", " +
                  std::to_string(draft_.photos.size()) + " photos)");
    // Stored: the words and photos need not stay in memory.
    wipeString(reply_.text);
    for (auto& p : draft_.photos) {
        wipeBytes(p.photo.jpeg);
        wipeBytes(p.thumbnail.jpeg);
    }
    draft_.photos.clear();
    replying_ = false;
    go(Screen::replyDone);
}

void Flow::wipeStatus() {
    wipeString(lookup_.code);
    wipeString(lookup_.lastQr);
    lookup_ = StatusLookup{};
    if (status_) {
        wipeString(status_->title);
        for (auto& f : status_->followUps) {
            wipeString(f.text);
        }
    }
    status_.reset();
    lastContactMs_ = 0;
    statusForStaff_ = false;
    wipeString(reply_.text);
    reply_ = ReplyDraft{};
    replying_ = false;
}

// Out of the status screens: staff back to their panel, a visitor's session wiped.
void Flow::leaveStatus() {
    if (statusForStaff_ && staff_) {
        wipeStatus();
        go(Screen::staffPanel);
    } else {
        wipeAll();
    }
}

bool Flow::statusBack() {
    switch (screen_) {
        case Screen::statusCode: leaveStatus(); return true;
        case Screen::status:
            wipeString(lookup_.code);
            lookup_ = StatusLookup{};
            go(Screen::statusCode);
            return true;
        case Screen::reply: go(Screen::status); return true;
        case Screen::replyReview: go(Screen::reply); return true;
        case Screen::photos:
            if (replying_) {
                replying_ = false;
                go(Screen::reply);
                return true;
            }
            return false;
        case Screen::replySaving: return true;
        case Screen::replyDone: return true;
        default: return false;
    }
}

bool Flow::statusNext() {
    switch (screen_) {
        case Screen::reply:
            if (validateReply()) {
                go(Screen::replyReview);
            }
            return true;
        case Screen::photos:
            if (replying_) {
                replying_ = false;
                go(Screen::reply);
                if (std::find(attempted_.begin(), attempted_.end(), Field::replyText) !=
                    attempted_.end()) {
                    (void)validateReply();  // a photo may be what the reply lacked
                }
                return true;
            }
            return false;
        case Screen::status:
        case Screen::replyDone: leaveStatus(); return true;
        default: return onStatusScreens(screen_);
    }
}

}  // namespace lapor::kiosk
