// Hot-plug rules: unplugging the open camera, plugging it back, cameras coming and going.
#include <doctest/doctest.h>

#include "hardware/camera_hotplug.hpp"

using namespace lapor;

TEST_CASE("hotplug: the open camera pulled out is dropped as unplugged") {
    const HotplugSituation streaming{CameraState::streaming, "usb-1", true, false};
    CHECK(decideHotplug(streaming, {false, "usb-1"}) == HotplugAction::dropAsUnplugged);
    // Another camera going away does not touch ours.
    CHECK(decideHotplug(streaming, {false, "usb-2"}) == HotplugAction::none);
    const HotplugSituation openIdle{CameraState::closed, "usb-1", true, true};
    CHECK(decideHotplug(openIdle, {false, "usb-1"}) == HotplugAction::dropAsUnplugged);
}

TEST_CASE("hotplug: our camera plugged back in is reopened, another one is not") {
    const HotplugSituation unplugged{CameraState::unplugged, "usb-1", false, false};
    CHECK(decideHotplug(unplugged, {true, "usb-1"}) == HotplugAction::reopen);
    CHECK(decideHotplug(unplugged, {true, "usb-2"}) == HotplugAction::none);
    // While unplugged, a further removal changes nothing: staff still see "unplugged".
    CHECK(decideHotplug(unplugged, {false, "usb-2"}) == HotplugAction::none);
}

TEST_CASE("hotplug: with nothing open, cameras appearing and vanishing update noCamera") {
    const HotplugSituation none{CameraState::noCamera, "", false, false};
    CHECK(decideHotplug(none, {true, "usb-1"}) == HotplugAction::cameraAppeared);
    const HotplugSituation closedLast{CameraState::closed, "", false, false};
    CHECK(decideHotplug(closedLast, {false, "usb-1"}) == HotplugAction::noCameraLeft);
    const HotplugSituation closedMore{CameraState::closed, "", false, true};
    CHECK(decideHotplug(closedMore, {false, "usb-1"}) == HotplugAction::none);
    const HotplugSituation streaming{CameraState::streaming, "usb-1", true, true};
    CHECK(decideHotplug(streaming, {true, "usb-2"}) == HotplugAction::none);
}
