// QR codes from camera frames: grey conversion and downscale here, the decoding by zbar.
#include "hardware/qr_scan.hpp"

#include <zbar.h>

#include <algorithm>

namespace lapor::hw {

GreyImage toGrey(const Frame& frame, std::uint32_t maxLongSide) {
    GreyImage out;
    const std::uint64_t w = frame.width;
    const std::uint64_t h = frame.height;
    // 16384 x 16384 is far beyond any camera; it keeps every size below in range.
    if (w == 0 || h == 0 || w > 16384 || h > 16384 || frame.rgb.size() < w * h * 3) {
        return out;
    }
    const std::uint64_t longSide = std::max(w, h);
    const std::uint64_t limit = std::max<std::uint32_t>(maxLongSide, 1);
    const std::uint64_t factor = (longSide + limit - 1) / limit;
    out.width = static_cast<std::uint32_t>(w / factor);
    out.height = static_cast<std::uint32_t>(h / factor);
    if (out.width == 0 || out.height == 0) {
        out.width = 0;
        out.height = 0;
        return out;
    }
    out.pixels.resize(static_cast<std::size_t>(out.width) * out.height);
    const std::uint8_t* rgb = frame.rgb.data();
    if (factor == 1) {
        for (std::size_t i = 0; i < out.pixels.size(); ++i) {
            const std::uint8_t* p = rgb + i * 3;
            out.pixels[i] =
                static_cast<std::uint8_t>((77U * p[0] + 150U * p[1] + 29U * p[2]) >> 8U);
        }
        return out;
    }
    const std::uint64_t area = factor * factor;
    for (std::uint32_t y = 0; y < out.height; ++y) {
        for (std::uint32_t x = 0; x < out.width; ++x) {
            std::uint64_t sum = 0;
            for (std::uint64_t dy = 0; dy < factor; ++dy) {
                const std::uint8_t* row = rgb + ((y * factor + dy) * w + x * factor) * 3;
                for (std::uint64_t dx = 0; dx < factor; ++dx) {
                    const std::uint8_t* p = row + dx * 3;
                    sum += 77U * p[0] + 150U * p[1] + 29U * p[2];
                }
            }
            out.pixels[static_cast<std::size_t>(y) * out.width + x] =
                static_cast<std::uint8_t>((sum / area) >> 8U);
        }
    }
    return out;
}

struct QrScanner::Impl {
    zbar::zbar_image_scanner_t* scanner = nullptr;
    std::uint32_t maxLongSide = kDefaultMaxLongSide;
    Impl() : scanner(zbar::zbar_image_scanner_create()) {}
    ~Impl() {
        if (scanner != nullptr) {
            zbar::zbar_image_scanner_destroy(scanner);
        }
    }
    Impl(const Impl&) = delete;
    Impl& operator=(const Impl&) = delete;
    Impl(Impl&&) = delete;
    Impl& operator=(Impl&&) = delete;
};

QrScanner::QrScanner(std::uint32_t maxLongSide) : impl_(std::make_unique<Impl>()) {
    impl_->maxLongSide = maxLongSide;
    if (impl_->scanner == nullptr) {
        return;
    }
    // Everything off, then QR on: the other symbologies' scanners cost time on every frame and
    // could misread the scene's stripes as a barcode.
    zbar::zbar_image_scanner_set_config(impl_->scanner, zbar::ZBAR_NONE, zbar::ZBAR_CFG_ENABLE, 0);
    zbar::zbar_image_scanner_set_config(impl_->scanner, zbar::ZBAR_QRCODE, zbar::ZBAR_CFG_ENABLE,
                                        1);
    // Frames are independent: no cache of results across calls (a slip shown twice reads twice).
    zbar::zbar_image_scanner_enable_cache(impl_->scanner, 0);
}

QrScanner::~QrScanner() = default;
QrScanner::QrScanner(QrScanner&&) noexcept = default;
QrScanner& QrScanner::operator=(QrScanner&&) noexcept = default;

std::vector<std::string> QrScanner::scan(const GreyImage& grey) {
    std::vector<std::string> found;
    if (!impl_ || impl_->scanner == nullptr || grey.width == 0 || grey.height == 0 ||
        grey.pixels.size() < static_cast<std::size_t>(grey.width) * grey.height) {
        return found;
    }
    zbar::zbar_image_t* image = zbar::zbar_image_create();
    if (image == nullptr) {
        return found;
    }
    zbar::zbar_image_set_format(image, zbar_fourcc('Y', '8', '0', '0'));
    zbar::zbar_image_set_size(image, grey.width, grey.height);
    // zbar only reads the data; no cleanup handler, the buffer stays ours.
    zbar::zbar_image_set_data(image, grey.pixels.data(),
                              static_cast<unsigned long>(grey.width) * grey.height, nullptr);
    if (zbar::zbar_scan_image(impl_->scanner, image) > 0) {
        for (const zbar::zbar_symbol_t* s = zbar::zbar_image_first_symbol(image); s != nullptr;
             s = zbar::zbar_symbol_next(s)) {
            if (zbar::zbar_symbol_get_type(s) != zbar::ZBAR_QRCODE) {
                continue;
            }
            const char* data = zbar::zbar_symbol_get_data(s);
            const unsigned int length = zbar::zbar_symbol_get_data_length(s);
            if (data != nullptr) {
                found.emplace_back(data, length);
            }
        }
    }
    zbar::zbar_image_destroy(image);
    return found;
}

std::vector<std::string> QrScanner::scan(const Frame& frame) {
    if (!impl_) {
        return {};
    }
    return scan(toGrey(frame, impl_->maxLongSide));
}

std::optional<std::string> QrScanner::scanFirst(const Frame& frame) {
    std::vector<std::string> found = scan(frame);
    if (found.empty()) {
        return std::nullopt;
    }
    return std::move(found.front());
}

}  // namespace lapor::hw
