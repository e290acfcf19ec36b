// PNG encoding into memory with png_image, then one durable write (png.hpp).
#include "hardware/png.hpp"

#include <png.h>

#include <string>
#include <vector>

#include "core/durable_file.hpp"

namespace lapor::hw {

Status writePngFile(const std::filesystem::path& path, int width, int height, PngPixels format,
                    std::span<const std::uint8_t> pixels) {
    const std::size_t channels = format == PngPixels::rgba ? 4 : 1;
    if (width <= 0 || height <= 0 ||
        pixels.size() !=
            static_cast<std::size_t>(width) * static_cast<std::size_t>(height) * channels) {
        return makeError(Errc::invalidInput, "PNG: " + std::to_string(width) + "x" +
                                                 std::to_string(height) + " does not match " +
                                                 std::to_string(pixels.size()) + " bytes");
    }
    png_image png{};
    png.version = PNG_IMAGE_VERSION;
    png.width = static_cast<png_uint_32>(width);
    png.height = static_cast<png_uint_32>(height);
    png.format = format == PngPixels::rgba ? PNG_FORMAT_RGBA : PNG_FORMAT_GRAY;
    png_alloc_size_t size = 0;
    if (png_image_write_to_memory(&png, nullptr, &size, 0, pixels.data(), 0, nullptr) == 0) {
        return makeError(Errc::internal, std::string("PNG encoding failed: ") + png.message);
    }
    std::vector<std::uint8_t> out(size);
    if (png_image_write_to_memory(&png, out.data(), &size, 0, pixels.data(), 0, nullptr) == 0) {
        return makeError(Errc::internal, std::string("PNG encoding failed: ") + png.message);
    }
    out.resize(size);
    return writeFileDurably(path, out);
}

}  // namespace lapor::hw
