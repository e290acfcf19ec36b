// The simulated camera: a moving test scene (or a folder of JPEGs) paced by a Clock, so demos run
// without hardware and tests drive it frame by frame without sleeping.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "hardware/camera.hpp"

namespace lapor {

// What the simulated cameras of one pretend machine share: cameras on one bus with the same id
// behave like one device (a second open() is refused as busy), as a real camera held by another
// program would be. Cameras on different buses never see each other.
class SimulatedCameraBus {
  public:
    [[nodiscard]] bool claim(const std::string& id);
    void release(const std::string& id);

  private:
    std::mutex mutex_;
    std::set<std::string> open_;
};

class SimulatedCamera final : public Camera {
  public:
    struct Options {
        FrameSize still{4056, 3040};
        int fps = 30;              // preview frames per second of clock time
        std::string jpegFolder;    // non-empty: play these JPEGs instead of the scene
        bool notifyThread = true;  // wake the notifier every frame period in real time;
                                   // tests with a FakeClock turn it off and poll
        std::string id = "simulated:0";
        int utcOffsetMinutes = 0;  // the zone of the time drawn into the scene
        std::string zoneName = "UTC";
        std::shared_ptr<SimulatedCameraBus> bus;  // none: a bus of its own
        // The slip scene (docs/camera.md): non-empty shows a printed slip whose QR code holds
        // this text (a receipt code) held up to the camera from the start.
        std::string slipPayload;
        // Non-empty: a file polled (every slipPollMs of clock time while previewing) for the slip
        // to show: its first line, trimmed, is the payload; a missing or empty file shows none.
        // While set, the file decides, overriding showSlip()/hideSlip() at the next poll.
        std::string slipFile;
        std::int64_t slipPollMs = 250;
    };

    SimulatedCamera(Clock& clock, Options options);
    ~SimulatedCamera() override;
    SimulatedCamera(const SimulatedCamera&) = delete;
    SimulatedCamera& operator=(const SimulatedCamera&) = delete;

    [[nodiscard]] std::vector<CameraInfo> list() override;
    [[nodiscard]] Status open(const std::string& id) override;
    [[nodiscard]] Status startPreview(FrameSize preferred) override;
    void stopPreview() override;
    [[nodiscard]] std::optional<Frame> takeLatestPreview() override;
    [[nodiscard]] Result<Frame> captureStill() override;
    void close() override;
    [[nodiscard]] CameraState state() const override;
    [[nodiscard]] std::string stateMessage() const override;
    [[nodiscard]] bool simulated() const override { return true; }
    void setFrameNotifier(std::function<void()> notify) override;

    // Demo and test hooks: pull the virtual cable, plug it back, break the camera.
    void simulateUnplug();
    void simulateReplug();
    void simulateFailure(std::string message);
    // The slip scene: from the next frame on, previews and stills show a printed slip with the QR
    // code of `payload` held slightly tilted in front of the camera (hw::QrScanner reads it back),
    // until hideSlip(). An empty payload is hideSlip(). Safe to call from any thread.
    void showSlip(std::string payload);
    void hideSlip();
    // The payload of the slip shown now, or nothing.
    [[nodiscard]] std::optional<std::string> shownSlip() const;

  private:
    void setState(CameraState state, std::string message);
    void startNotifyThread();
    void stopNotifyThread();
    [[nodiscard]] Result<Frame> renderPreview(std::int64_t index);
    [[nodiscard]] Result<Frame> loadFolderFrame(std::size_t index, FrameSize fit);
    [[nodiscard]] Status scanFolder();
    void pollSlipFile();
    void drawSlip(Frame& frame, std::int64_t sceneMs) const;

    Clock& clock_;
    Options options_;
    std::string openId_;
    CameraState state_ = CameraState::closed;
    std::string message_;
    bool previewWanted_ = false;
    FrameSize previewSize_{};
    std::int64_t streamStartMs_ = 0;
    std::int64_t lastIndex_ = -1;
    std::vector<std::string> files_;               // JPEG folder, sorted
    std::vector<std::optional<Frame>> fileCache_;  // preview-sized decodes, by file

    mutable std::mutex slipMutex_;
    std::string slip_;  // the slip shown; empty: none
    std::int64_t lastSlipPollMs_ = 0;
    bool slipPolled_ = false;

    std::mutex notifyMutex_;
    std::condition_variable notifyCv_;
    std::function<void()> notify_;
    bool notifyStop_ = false;
    std::thread notifyThread_;
};

}  // namespace lapor
