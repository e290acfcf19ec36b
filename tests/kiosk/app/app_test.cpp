// lapor-kiosk's choices that need no window: which renderer kiosk.renderer asks for.
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "kiosk/platform_sdl.hpp"
#include "kiosk/services.hpp"

using lapor::kiosk::chooseSetting;
using lapor::kiosk::preferSoftwareRenderer;
namespace fs = std::filesystem;

TEST_CASE("renderer: auto takes the GPU only when there is a DRM render node") {
    std::string tmpl = fs::temp_directory_path().string() + "/lapor-dri-XXXXXX";
    REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
    const fs::path dri = tmpl;

    CHECK(preferSoftwareRenderer("auto", dri));              // empty: no GPU
    CHECK(preferSoftwareRenderer("auto", dri / "missing"));  // no /dev/dri at all
    std::ofstream(dri / "card0") << "";                      // a display controller only
    CHECK(preferSoftwareRenderer("auto", dri));
    std::ofstream(dri / "renderD128") << "";  // a GPU that can render
    CHECK_FALSE(preferSoftwareRenderer("auto", dri));

    // Explicit choices do not look at the machine.
    CHECK(preferSoftwareRenderer("software", dri));
    CHECK_FALSE(preferSoftwareRenderer("gpu", dri / "missing"));
    fs::remove_all(dri);
}

TEST_CASE(
    "settings: command line, else configuration, else the first allowed, bad values refused") {
    auto config =
        lapor::parseConfig("[kiosk]\ncamera = \"simulated\"\nrenderer = \"vulkan\"\n", "t");
    REQUIRE(config.ok());
    const lapor::Config none;
    // The camera: the real one unless the simulated one is asked for, never silently.
    CHECK(chooseSetting("", none, "kiosk.camera", {"libcamera", "simulated", "auto"}) ==
          "libcamera");
    CHECK(chooseSetting("", *config, "kiosk.camera", {"libcamera", "simulated", "auto"}) ==
          "simulated");
    CHECK(chooseSetting("auto", *config, "kiosk.camera", {"libcamera", "simulated", "auto"}) ==
          "auto");
    CHECK(chooseSetting("webcam", none, "kiosk.camera", {"libcamera", "simulated", "auto"}) ==
          "libcamera");
    // A value the kiosk does not know falls back to the first (logged for the operator).
    CHECK(chooseSetting("", *config, "kiosk.renderer", {"auto", "software", "gpu"}) == "auto");
    auto typed = lapor::parseConfig("[kiosk]\nrenderer = 3\n", "t");
    REQUIRE(typed.ok());
    CHECK(chooseSetting("", *typed, "kiosk.renderer", {"auto", "software", "gpu"}) == "auto");
}
