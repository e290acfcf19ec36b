// What the visitor's touches ask of the devices and threads (the views' AppActions): take a photo,
// read aloud, save the report; the camera preview while the photos screen shows it; the camera's
// and the printer's state for the screens. Slow work goes to the worker; its results come back to
// the main loop through `post`.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "core/clock.hpp"
#include "hardware/qr_scan.hpp"
#include "kiosk/media_desk.hpp"
#include "kiosk/services.hpp"
#include "kiosk/texture_cache.hpp"
#include "kiosk/views/view.hpp"

namespace lapor::kiosk {

class KioskActions final : public AppActions {
  public:
    // Runs a closure on the main loop, after the frame (any thread).
    using Post = std::function<void(std::function<void()>)>;
    KioskActions(Services& services, TextureCache& textures, const Clock& clock, Post post)
        : s_(services),
          textures_(textures),
          clock_(clock),
          post_(std::move(post)),
          media_(services, textures, clock, post_) {}

    void takePhoto() override;
    [[nodiscard]] bool takingPhoto() const override { return takingPhoto_; }
    void readAloud() override;
    void startSave() override;
    [[nodiscard]] SDL_Texture* preview(int& w, int& h) override { return textures_.preview(w, h); }
    [[nodiscard]] std::string cameraMessageKey() const override;
    [[nodiscard]] SDL_Texture* photoTexture(std::size_t index, bool full, int& w, int& h) override;
    [[nodiscard]] std::string printerMessageKey() const override;
    [[nodiscard]] std::int64_t nowMs() const override { return clock_.monotonicMs(); }
    void submitSignIn() override;
    void submitPinChange() override;
    void submitEnrol() override;
    void refreshPanel() override;
    void retryParked(std::string uuid) override;
    void retryReason(std::string reason) override;
    void reprint() override;
    [[nodiscard]] std::string printerStateKey() const override;
    [[nodiscard]] bool speechAvailable() const override { return s_.voice != nullptr; }
    void lookupStatus() override;
    void saveReply() override;
    void printStatusSlip() override;
    [[nodiscard]] std::string statusSlipMessageKey() const override;
    [[nodiscard]] std::int64_t wallMs() const override { return clock_.wallMs(); }
    void startRecording(Recording what) override { media_.start(what); }
    void stopRecording() override { media_.stop(); }
    [[nodiscard]] std::int64_t recordedMs() const override { return media_.recordedMs(); }
    [[nodiscard]] bool finishingRecording() const override { return media_.finishing(); }
    [[nodiscard]] float micLevel() const override { return media_.micLevel(); }
    [[nodiscard]] std::string micMessageKey() const override { return media_.micMessageKey(); }
    void togglePlay(Recording what) override { media_.togglePlay(what); }
    [[nodiscard]] bool playing(Recording what) const override { return media_.playing(what); }
    [[nodiscard]] std::int64_t playedMs(Recording what) const override {
        return media_.playedMs(what);
    }
    [[nodiscard]] SDL_Texture* clipTexture(int& w, int& h) override {
        return media_.clipTexture(w, h);
    }
    [[nodiscard]] std::string playMessageKey() const override { return media_.playMessageKey(); }
    [[nodiscard]] MediaDesk& media() { return media_; }
    // Audit rows for what the flow noted (sign-outs...), written on the worker.
    void writeStaffNotes();

    // The photos are final on the review screen: encrypted for the report while the visitor reads.
    void sealPhotosAhead();
    // A walk-away, a cancel or a save wiped the draft: its textures and photos sealed ahead go;
    // a reprint staff asked for comes out between visitors.
    void afterWipe();
    // Starts the preview when the photos screen shows it, stops it when it does not.
    void syncCamera();
    [[nodiscard]] bool previewOn() const { return previewOn_; }
    // The camera said a frame is waiting: into the preview texture. True when it took one.
    bool takePreviewFrame();
    // A photo is being taken or the report saved.
    [[nodiscard]] bool busy() const;

  private:
    Services& s_;
    TextureCache& textures_;
    const Clock& clock_;
    Post post_;
    MediaDesk media_;
    // Runs `job` on the worker with the staff desk, unless the kiosk has none (no store).
    void onDesk(std::function<void(StaffDesk&)> job);
    // A panel action by the signed-in staff member (their id passed in) on the worker; what it
    // answers shows on the panel, which is read again after it.
    void panelAction(std::function<Text(StaffDesk&, const std::string&)> act);
    // Looks a code up on the worker (typed, or read off a slip's QR).
    void runLookup(LookupJob job);
    void scanForQr(const Frame& frame);
    hw::QrScanner scanner_;  // used on the worker only
    bool scanning_ = false;  // a frame is with the scanner
    bool statusSlipAsked_ = false;
    bool statusSlipFailed_ = false;
    bool takingPhoto_ = false;
    bool previewOn_ = false;
    // The camera state in which starting the preview last failed: not tried again (nor logged)
    // every frame until the state changes (a camera plugged in) or the visitor comes back.
    std::optional<CameraState> previewFailedIn_;
};

}  // namespace lapor::kiosk
