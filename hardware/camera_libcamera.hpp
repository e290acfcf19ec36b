// The real camera: libcamera 0.0.3 (Debian 12), USB (UVC) and CSI cameras that libcamera drives.
#pragma once

#include <memory>

#include "hardware/camera.hpp"

namespace lapor {

class LibcameraCamera final : public Camera {
  public:
    struct Options {
        FrameSize still{4056, 3040};
        std::int64_t stillTimeoutMs = 5000;
    };

    // Starts (or shares) the process's libcamera manager. With no camera, state() is noCamera and
    // stays usable: a camera plugged in later is picked up.
    explicit LibcameraCamera(Options options);
    ~LibcameraCamera() override;
    LibcameraCamera(const LibcameraCamera&) = delete;
    LibcameraCamera& operator=(const LibcameraCamera&) = delete;

    [[nodiscard]] std::vector<CameraInfo> list() override;
    [[nodiscard]] Status open(const std::string& id) override;
    [[nodiscard]] Status startPreview(FrameSize preferred) override;
    void stopPreview() override;
    [[nodiscard]] std::optional<Frame> takeLatestPreview() override;
    [[nodiscard]] Result<Frame> captureStill() override;
    void close() override;
    [[nodiscard]] CameraState state() const override;
    [[nodiscard]] std::string stateMessage() const override;
    [[nodiscard]] bool simulated() const override { return false; }
    void setFrameNotifier(std::function<void()> notify) override;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace lapor
