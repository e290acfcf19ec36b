// lapor-kiosk's choices that need no window: which renderer kiosk.renderer asks for.
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "kiosk/app.hpp"

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
