// The visitor's actions on devices and threads (actions.hpp).
#include "kiosk/actions.hpp"

#include "core/log.hpp"
#include "core/wipe.hpp"
#include "hardware/photo.hpp"

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
        Result<std::string> result = sink->save(job.report, job.photos);
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
        post_([this, result]() { s_.flow->saveFinished(result); });
        sink->prepareForNextSave();  // while the visitor reads the receipt
    });
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
    textures_.dropAll();
    // Photos sealed ahead for a report never sent: ciphertext, but nothing keeps it.
    s_.worker->run([sink = s_.store.sink] { sink->sealAhead({}, {}); });
    // Between visitors: a reprint staff asked for (lapor-ctl reprint) comes out now.
    s_.worker->run([this] { s_.recoverSlips(); });
}

void KioskActions::syncCamera() {
    Camera* camera = s_.camera.get();
    const bool want =
        s_.flow->screen() == Screen::photos && !s_.flow->viewedPhoto() && camera != nullptr;
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
    return true;
}

bool KioskActions::busy() const {
    return takingPhoto_ || s_.flow->screen() == Screen::saving;
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
