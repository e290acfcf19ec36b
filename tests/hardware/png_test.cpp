// The one PNG writer (hardware/png): what it writes reads back pixel for pixel; a size that does
// not match the pixels is refused and writes nothing.
#include <doctest/doctest.h>

#include <png.h>

#include <unistd.h>

#include <filesystem>
#include <vector>

#include "hardware/png.hpp"

using namespace lapor;
namespace fs = std::filesystem;

namespace {

std::vector<std::uint8_t> readBack(const fs::path& path, png_uint_32 format, int& w, int& h) {
    png_image img{};
    img.version = PNG_IMAGE_VERSION;
    if (png_image_begin_read_from_file(&img, path.c_str()) == 0) {
        return {};
    }
    img.format = format;
    std::vector<std::uint8_t> out(PNG_IMAGE_SIZE(img));
    if (png_image_finish_read(&img, nullptr, out.data(), 0, nullptr) == 0) {
        return {};
    }
    w = static_cast<int>(img.width);
    h = static_cast<int>(img.height);
    return out;
}

}  // namespace

TEST_CASE("png: RGBA and grey pixels read back as written, a wrong size is refused") {
    const fs::path dir = fs::temp_directory_path() / ("lapor-png-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    const std::vector<std::uint8_t> rgba = {255, 0, 0, 255, 0, 128, 255, 64,  1, 2, 3, 4,
                                            9,   9, 9, 9,   7, 6,   5,   255, 0, 0, 0, 0};
    REQUIRE(hw::writePngFile(dir / "a.png", 3, 2, hw::PngPixels::rgba, rgba).ok());
    int w = 0, h = 0;
    CHECK(readBack(dir / "a.png", PNG_FORMAT_RGBA, w, h) == rgba);
    CHECK(w == 3);
    CHECK(h == 2);

    const std::vector<std::uint8_t> grey = {0, 255, 17, 200};
    REQUIRE(hw::writePngFile(dir / "g.png", 2, 2, hw::PngPixels::grey, grey).ok());
    CHECK(readBack(dir / "g.png", PNG_FORMAT_GRAY, w, h) == grey);

    const Status wrong = hw::writePngFile(dir / "w.png", 4, 2, hw::PngPixels::grey, grey);
    REQUIRE_FALSE(wrong.ok());
    CHECK(wrong.error().code == Errc::invalidInput);
    CHECK_FALSE(fs::exists(dir / "w.png"));
    fs::remove_all(dir);
}
