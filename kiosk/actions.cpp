// The visitor's actions on devices and threads (actions.hpp).
#include "kiosk/actions.hpp"

#include "core/log.hpp"
#include "core/receipt_code.hpp"
#include "core/wipe.hpp"
#include "hardware/photo.hpp"
#include "hardware/status_slip.hpp"
#include "kiosk/flow/status_words.hpp"

namespace lapor::kiosk {

void KioskActions::takePhoto() {
    if (!s_.camera || takingPhoto_ || !s_.flow->canTakePhoto()) {
        return;
    }
    takingPhoto_ = true;
    auto still = s_.camera->captureStill();
    if (!still) {
        log::warn("kiosk", "capture failed: " + still.error().message);
        takingPhoto_ = false;
        return;
    }
    // JPEG encoding takes tens of milliseconds: off the UI thread.
    s_.worker->run([this, frame = std::move(still.value())]() mutable {
        auto processed = processPhoto(frame);
        post_([this, processed = std::move(processed)]() mutable {
            takingPhoto_ = false;
            if (!processed) {
                log::warn("kiosk", "photo processing failed: " + processed.error().message);
                return;
            }
            s_.flow->addPhoto(DraftPhoto{std::move(processed.value().photo),
                                         std::move(processed.value().thumbnail)});
        });
    });
}

void KioskActions::readAloud() {
    s_.flow->readAloud(s_.voice.get());  // none: the flow says so on screen
}

void KioskActions::startSave() {
    auto job = s_.flow->beginSave(*s_.store.sink);
    if (!job) {
        return;
    }
    s_.worker->run([this, sink = s_.store.sink, job = std::move(*job)]() mutable {
        Result<std::string> result = sink->save(job.report, job.photos, job.clips);
        if (result.ok()) {
            job.report.receiptCode = result.value();
        }
        if (result.ok() && s_.slips) {
            // Owed by the store from the save on: a failure here is recovered at the next start.
            if (Status st = s_.slips->queue(job.report); !st.ok()) {
                log::warn("kiosk", "slip not queued yet: " + st.error().message);
            }
        }
        // The job is a copy of the visitor's data; the flow keeps (or wipes) the original.
        wipeReport(job.report);
        wipePhotos(job.photos);
        wipeClips(job.clips);
        post_([this, result]() { s_.flow->saveFinished(result); });
        sink->prepareForNextSave();  // while the visitor reads the receipt
    });
}

void KioskActions::lookupStatus() {
    if (auto job = s_.flow->beginLookup()) {
        runLookup(std::move(*job));
    }
}

void KioskActions::runLookup(LookupJob job) {
    statusSlipAsked_ = false;
    statusSlipFailed_ = false;
    s_.worker->run([this, source = s_.store.status, code = std::move(job.code)]() mutable {
        Result<ReportStatus> found =
            source ? source->lookup(code)
                   : Result<ReportStatus>(makeError(Errc::unavailable, "the kiosk has no store"));
        const std::int64_t lastContact = source ? source->lastContactMs() : 0;
        wipeString(code);
        post_([this, found = std::move(found), lastContact]() {
            s_.flow->lookupFinished(found, lastContact);
        });
    });
}

void KioskActions::saveReply() {
    auto job = s_.flow->beginReplySave();
    if (!job) {
        return;
    }
    s_.worker->run([this, source = s_.store.status, job = std::move(*job)]() mutable {
        const Status result = source
                                  ? source->saveReply(job.reply, job.photos)
                                  : Status(makeError(Errc::unavailable, "the kiosk has no store"));
        // The job is a copy of the visitor's words and photos; the flow wipes the original.
        wipeString(job.reply.text);
        wipePhotos(job.photos);
        post_([this, result]() { s_.flow->replySaved(result); });
    });
}

void KioskActions::printStatusSlip() {
    const auto& shown = s_.flow->status();
    if (!shown || !s_.printer) {
        return;
    }
    const ReportStatus& st = *shown;
    const Catalog& catalog = *s_.catalog;
    const Lang lang = s_.flow->lang();
    const auto tr = [&catalog, lang](const Text& t) { return catalog.render(lang, t); };
    hw::StatusSlipContent slip;
    slip.office = s_.flow->office();
    slip.receiptCode = st.receiptCode;
    slip.kindName = catalog.tr(lang, kindMsgid(st.kind));
    slip.title = st.title;
    slip.filedAtMs = st.filedAtMs;
    slip.trackingId = st.trackingId;
    slip.currentStatus = tr(statusNow(st));
    for (const StatusRow& row : statusTimeline(st)) {
        slip.timeline.push_back({row.atMs, tr(row.text)});
    }
    if (!st.followUps.empty()) {
        slip.followUp = st.followUps.back().text;
        slip.followUpAtMs = st.followUps.back().atMs;
    }
    slip.printedAtMs = clock_.wallMs();
    // The office's zone now, as on the screen (the report's own zone is the same office's).
    slip.utcOffsetMinutes = s_.flow->zone().utcOffsetMinutes;
    slip.zoneName = s_.flow->zone().abbrev;
    slip.labels = hw::statusSlipLabelsFrom(
        [&catalog, lang](std::string_view key) { return catalog.tr(lang, key); });
    // Spooled durably on the caller's thread (a small file write), printed by the queue's own.
    if (Status printed = s_.printer->submit(slip); !printed.ok()) {
        log::warn("kiosk", "status slip not spooled: " + printed.error().message);
        statusSlipFailed_ = true;
        return;
    }
    statusSlipFailed_ = false;
    statusSlipAsked_ = true;
}

std::string KioskActions::statusSlipMessageKey() const {
    if (!s_.printer) {
        return "kiosk.receipt.no_printer";
    }
    const auto st = s_.printer->status();
    if (!st.printer.canPrint()) {
        return st.printer.staffMessageMsgid();
    }
    if (statusSlipFailed_) {
        return "kiosk.status.print_failed";
    }
    if (statusSlipAsked_ && s_.flow->screen() == Screen::status) {
        return st.pending > 0 ? "kiosk.status.printing" : "kiosk.status.printed";
    }
    return "kiosk.status.print_help";
}

// The photos are final on the review screen (an edit goes back to it): they are encrypted for the
// report now, while the visitor reads, so that the save after "Kirim" only copies and commits.
void KioskActions::sealPhotosAhead() {
    const Draft& draft = s_.flow->draft();
    if (draft.photos.empty() || draft.uuid.empty()) {
        return;
    }
    std::vector<Photo> photos;
    photos.reserve(draft.photos.size());
    for (const auto& p : draft.photos) {
        photos.push_back(p.photo);
    }
    s_.worker->run([sink = s_.store.sink, uuid = draft.uuid, photos = std::move(photos)]() mutable {
        sink->sealAhead(uuid, photos);
        wipePhotos(photos);
    });
}

void KioskActions::afterWipe() {
    media_.cancel();  // a recording or playback of the visitor who left
    textures_.dropAll();
    // Photos sealed ahead for a report never sent: ciphertext, but nothing keeps it.
    s_.worker->run([sink = s_.store.sink] { sink->sealAhead({}, {}); });
    // Between visitors: a reprint staff asked for (lapor-ctl reprint) comes out now.
    s_.worker->run([this] { s_.recoverSlips(); });
}

void KioskActions::syncCamera() {
    Camera* camera = s_.camera.get();
    // The photos screen, and the code entry (the slip's QR held up to the camera).
    const bool want = ((s_.flow->screen() == Screen::photos && !s_.flow->viewedPhoto() &&
                        !s_.flow->viewingVideo()) ||
                       s_.flow->screen() == Screen::statusCode) &&
                      camera != nullptr;
    if (!want) {
        previewFailedIn_.reset();
    }
    if (want && !previewOn_ && previewFailedIn_ != camera->state()) {
        if (camera->state() != CameraState::streaming) {
            if (auto st = camera->open(""); !st) {
                log::warn("kiosk", "camera: " + st.error().message);
            }
        }
        if (auto st = camera->startPreview(kPreviewSize); !st) {
            log::warn("kiosk", "camera preview: " + st.error().message);
            previewFailedIn_ = camera->state();
        } else {
            previewOn_ = true;
            previewFailedIn_.reset();
        }
    } else if (!want && previewOn_) {
        camera->stopPreview();
        previewOn_ = false;
        textures_.dropPreview();  // never show an old frame when coming back
    }
}

bool KioskActions::takePreviewFrame() {
    if (!s_.camera || !previewOn_) {
        return false;
    }
    auto frame = s_.camera->takeLatestPreview();
    if (!frame) {
        return false;
    }
    textures_.updatePreview(*frame);
    media_.onPreviewFrame(*frame);
    scanForQr(*frame);
    return true;
}

// On the code entry, preview frames go to the QR scanner on the worker, one at a time (a scan
// takes 3-7 ms; frames that come meanwhile are only shown). A code read is looked up at once.
void KioskActions::scanForQr(const Frame& frame) {
    if (s_.flow->screen() != Screen::statusCode || s_.flow->lookup().looking || scanning_) {
        return;
    }
    scanning_ = true;
    s_.worker->run([this, frame]() {
        std::optional<std::string> found = scanner_.scanFirst(frame);
        post_([this, found = std::move(found)]() mutable {
            scanning_ = false;
            if (!found) {
                return;
            }
            if (auto job = s_.flow->scannedCode(std::move(*found))) {
                runLookup(std::move(*job));
            }
        });
    });
}

bool KioskActions::busy() const {
    return takingPhoto_ || s_.flow->screen() == Screen::saving || media_.finishing();
}

std::string KioskActions::cameraMessageKey() const {
    return cameraStateMsgid(s_.camera ? s_.camera->state() : CameraState::noCamera);
}

SDL_Texture* KioskActions::photoTexture(std::size_t index, bool full, int& w, int& h) {
    const auto& photos = s_.flow->draft().photos;
    if (index >= photos.size()) {
        return nullptr;
    }
    return textures_.photo(full ? photos[index].photo : photos[index].thumbnail, full, w, h);
}

std::string KioskActions::printerMessageKey() const {
    if (!s_.printer) {
        return "kiosk.receipt.no_printer";
    }
    const auto st = s_.printer->status();
    if (!st.printer.canPrint()) {
        return st.printer.staffMessageMsgid();
    }
    return st.pending > 0 ? "kiosk.receipt.printing" : "kiosk.receipt.printed";
}

}  // namespace lapor::kiosk

// ---------------------------------------------------------------- staff

namespace lapor::kiosk {

void KioskActions::onDesk(std::function<void(StaffDesk&)> job) {
    if (!s_.staff) {
        return;
    }
    s_.worker->run([this, job = std::move(job)] { job(*s_.staff); });
}

void KioskActions::submitSignIn() {
    auto job = s_.flow->beginSignIn();
    if (!job) {
        return;
    }
    // Argon2id takes 100-350 ms: never on the frame loop. The PIN is wiped after the check.
    onDesk([this, job = std::move(*job)](StaffDesk& desk) mutable {
        staff::SignInResult r = desk.signIn(job);
        if (r.account) {
            wipeString(r.account->pinHash);  // the flow needs the id and name only
        }
        post_([this, r = std::move(r)] { s_.flow->signInFinished(r); });
    });
}

void KioskActions::submitPinChange() {
    auto job = s_.flow->beginPinChange();
    if (!job) {
        return;
    }
    // Hashed with Argon2id like the check: on the worker. The PIN is wiped there.
    onDesk([this, job = std::move(*job)](StaffDesk& desk) mutable {
        const PinChangeResult r = desk.changePin(job);
        post_([this, r] { s_.flow->pinChangeFinished(r); });
    });
}

void KioskActions::submitEnrol() {
    auto job = s_.flow->beginEnrol();
    if (!job) {
        return;
    }
    // A network exchange of up to the request timeout: on the worker, never on the frame loop.
    onDesk([this, job = std::move(*job)](StaffDesk& desk) mutable {
        const EnrolState r = desk.enrol(job);
        post_([this, r] { s_.flow->enrolFinished(r); });
    });
    refreshPanel();  // after the enrolment: the worker runs jobs in order
}

void KioskActions::refreshPanel() {
    if (s_.printer) {
        s_.printer->retryNow();  // a fresh printer state (paper out, cover open)
    }
    const int offset = s_.flow->zone().utcOffsetMinutes;
    onDesk([this, offset](StaffDesk& desk) {
        PanelSnapshot p = desk.readPanel(offset);
        post_([this, p = std::move(p)]() mutable { s_.flow->setPanel(std::move(p)); });
    });
}

void KioskActions::panelAction(std::function<Text(StaffDesk&, const std::string&)> act) {
    const auto& who = s_.flow->staff();
    if (!who) {
        return;
    }
    onDesk([this, id = who->id, act = std::move(act)](StaffDesk& desk) {
        Text notice = act(desk, id);
        post_([this, notice = std::move(notice)] { s_.flow->setPanelNotice(notice); });
    });
    refreshPanel();  // after the action: the worker runs jobs in order
}

void KioskActions::retryParked(std::string uuid) {
    panelAction([uuid = std::move(uuid)](StaffDesk& desk, const std::string& id) {
        auto r = desk.retry(id, uuid);
        return r.ok() ? Text{"kiosk.staffPanel.retried_one", {{"code", receipt::format(*r)}}}
                      : Text{"kiosk.staffPanel.action_failed", {}};
    });
}

void KioskActions::retryReason(std::string reason) {
    panelAction([reason = std::move(reason)](StaffDesk& desk, const std::string& id) {
        auto n = desk.retryReason(id, reason);
        return n.ok() ? Text{"kiosk.staffPanel.retried_all", {{"n", std::to_string(*n)}}}
                      : Text{"kiosk.staffPanel.action_failed", {}};
    });
}

void KioskActions::reprint() {
    if (s_.flow->panelCode().empty()) {
        return;
    }
    panelAction([this, code = s_.flow->panelCode()](StaffDesk& desk, const std::string& id) {
        auto r = desk.reprint(id, code);
        if (!r.ok()) {
            return Text{r.error().code == Errc::notFound ? "kiosk.staffPanel.reprint_unknown"
                                                         : "kiosk.staffPanel.reprint_bad_code",
                        {}};
        }
        s_.recoverSlips();  // staff stand at the kiosk: the slip prints now
        return Text{"kiosk.staffPanel.reprinted", {{"code", receipt::format(*r)}}};
    });
}

std::string KioskActions::printerStateKey() const {
    if (!s_.printer) {
        return "kiosk.receipt.no_printer";
    }
    return s_.printer->status().printer.staffMessageMsgid();
}

void KioskActions::writeStaffNotes() {
    auto notes = s_.flow->takeStaffNotes();
    if (notes.empty()) {
        return;
    }
    onDesk([notes = std::move(notes)](StaffDesk& desk) {
        for (const StaffNote& n : notes) {
            desk.note(n);
        }
    });
}

}  // namespace lapor::kiosk
