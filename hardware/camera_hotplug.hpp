// What a camera plugged in or pulled out means for the open camera: a pure decision, so the
// recovery rules are tested without hardware (the libcamera backend applies them).
#pragma once

#include <string>

#include "hardware/camera.hpp"

namespace lapor {

struct HotplugEvent {
    bool added = false;  // false: removed
    std::string cameraId;
};

// What the backend currently has.
struct HotplugSituation {
    CameraState state = CameraState::noCamera;
    std::string openId;        // the camera opened last (kept while unplugged); empty when none
    bool holdsCamera = false;  // a camera is acquired right now
    bool camerasLeft = false;  // the manager still lists at least one camera
};

enum class HotplugAction {
    none,
    dropAsUnplugged,  // our camera went away: release it, state unplugged, keep openId
    noCameraLeft,     // nothing open and no camera remains: state noCamera
    reopen,           // our camera is back: open it again (and restart the preview if wanted)
    cameraAppeared,   // a camera appeared while there was none: state closed
};

[[nodiscard]] HotplugAction decideHotplug(const HotplugSituation& now, const HotplugEvent& event);

}  // namespace lapor
