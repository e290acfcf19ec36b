// Camera: list, open, live preview, still capture, close; libcamera or a simulated twin behind one
// interface, so the kiosk and lapor-hwtest never know which one they drive until they ask.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/result.hpp"

namespace lapor {

// A picture in memory: RGB888, 3 bytes per pixel, rows packed (stride = 3 * width).
// Frames from a camera carry their sequence number and capture time; decoded JPEGs have 0 there.
struct Frame {
    std::uint32_t width = 0;
    std::uint32_t height = 0;
    std::vector<std::uint8_t> rgb;  // size() == 3 * width * height
    std::int64_t sequence = 0;      // counts up from 0 per stream; gaps mean frames were dropped
    std::int64_t timestampMs = 0;   // the camera's clock (monotonic ms); only differences matter
};

struct FrameSize {
    std::uint32_t width = 0;
    std::uint32_t height = 0;
    friend bool operator==(const FrameSize&, const FrameSize&) = default;
};

struct CameraInfo {
    std::string id;     // pass to Camera::open(); stable while the camera stays plugged in
    std::string model;  // for technicians, e.g. "HD USB Camera" or "simulated test scene"
    bool simulated = false;
};

// What the camera is doing, for the kiosk to draw and the technician to read.
enum class CameraState {
    noCamera,   // no camera found at all; open() fails
    closed,     // cameras exist but none is open
    opening,    // open() in progress (the libcamera backend reconfigures here)
    streaming,  // preview frames are flowing
    busy,       // another program holds the camera
    unplugged,  // the open camera went away; comes back by itself when it is plugged in again
    error,      // the camera failed; see stateMessage(), close() and open() again to retry
};

inline constexpr CameraState kAllCameraStates[] = {
    CameraState::noCamera, CameraState::closed,    CameraState::opening, CameraState::streaming,
    CameraState::busy,     CameraState::unplugged, CameraState::error,
};

// Stable English name ("noCamera", "streaming", ...) for logs and lapor-hwtest.
[[nodiscard]] const char* cameraStateName(CameraState state) noexcept;
// Translation msgid (domain "hardware") for the on-screen text of a state,
// e.g. "camera.state.unplugged"; the kiosk looks it up in the catalog.
[[nodiscard]] const char* cameraStateMsgid(CameraState state) noexcept;

// One camera device. Not thread-safe: call it from one thread (the UI loop). The frame notifier is
// the only thing called from elsewhere (the camera's own thread).
class Camera {
  public:
    virtual ~Camera() = default;

    // Cameras this backend can open now.
    [[nodiscard]] virtual std::vector<CameraInfo> list() = 0;
    // Open a camera by id; an empty id means the first one. Fails with Errc::unavailable (no such
    // camera, unplugged) or Errc::busy (held by another program); state() says the same.
    [[nodiscard]] virtual Status open(const std::string& id) = 0;
    // Start the live preview at about `preferred` (the backend picks the nearest size it has).
    [[nodiscard]] virtual Status startPreview(FrameSize preferred) = 0;
    virtual void stopPreview() = 0;
    // Non-blocking: the newest preview frame not yet taken, or nothing. Older frames are dropped.
    // Also the place where the backend recovers from unplug once the camera is back.
    [[nodiscard]] virtual std::optional<Frame> takeLatestPreview() = 0;
    // Blocking (up to a few seconds on real hardware): one still at the highest configured
    // resolution. The preview, if running, resumes afterwards.
    [[nodiscard]] virtual Result<Frame> captureStill() = 0;
    virtual void close() = 0;

    [[nodiscard]] virtual CameraState state() const = 0;
    // English text an operator can act on ("no camera found: check the USB cable ..."); for logs
    // and lapor-hwtest. Visitor/staff screens use cameraStateMsgid(state()) instead.
    [[nodiscard]] virtual std::string stateMessage() const = 0;
    [[nodiscard]] virtual bool simulated() const = 0;

    // Called (from any thread, possibly the camera's) when a new preview frame is ready or the
    // state changed. It must only wake the UI loop, e.g. push an SDL user event, and never block.
    // Set it before startPreview(); pass {} to remove.
    virtual void setFrameNotifier(std::function<void()> notify) = 0;
};

// Which backend makeCamera() uses.
enum class CameraBackend {
    automatic,  // libcamera if it finds a camera, the simulated camera otherwise
    libcamera,  // always the real backend, even with no camera (state noCamera tells staff)
    simulated,  // always the simulated camera
};

struct CameraConfig {
    CameraBackend backend = CameraBackend::automatic;
    std::string cameraId;                // empty: the first camera found
    FrameSize preview{1280, 720};        // preferred preview size
    FrameSize still{4056, 3040};         // highest still resolution wanted
    int simulatedFps = 30;               // simulated preview rate (>= 15)
    std::string simulatedJpegFolder;     // non-empty: the simulated camera plays these JPEGs
    std::int64_t stillTimeoutMs = 5000;  // real backend: give up on a still after this long
    int utcOffsetMinutes = 0;            // simulated: the zone of the time drawn into the scene
    std::string zoneName = "UTC";
    // Simulated: the slip scene (docs/camera.md). The environment variables
    // LAPOR_SIM_CAMERA_SLIP (a payload) and LAPOR_SIM_CAMERA_SLIP_FILE (a polled file), when set,
    // take precedence, so scripts can drive a kiosk they did not configure.
    std::string simulatedSlip;
    std::string simulatedSlipFile;
};

struct CameraChoice {
    std::unique_ptr<Camera> camera;
    std::string reason;  // English, for the log: which backend and why
};

// Picks the backend per config (see CameraBackend). `clock` must outlive the camera.
[[nodiscard]] CameraChoice makeCamera(const CameraConfig& config, Clock& clock);

}  // namespace lapor
