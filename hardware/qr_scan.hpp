// QR codes read from camera preview frames (zbar), for the status check's "hold your slip up to
// the camera".
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "hardware/camera.hpp"

namespace lapor::hw {

// Converts a frame to 8-bit grey (BT.601 luma), box-averaged down by the smallest whole factor
// that brings its long side to at most `maxLongSide`. Empty when the frame is empty or its pixel
// buffer is shorter than width x height x 3 says.
struct GreyImage {
    std::uint32_t width = 0;
    std::uint32_t height = 0;
    std::vector<std::uint8_t> pixels;  // width * height bytes, rows packed
};
[[nodiscard]] GreyImage toGrey(const Frame& frame, std::uint32_t maxLongSide);

// Finds QR codes in preview frames. Holds one zbar image scanner, set up for QR only, reused by
// every call. Not thread-safe: one scanner per thread (the kiosk scans on its UI thread or a
// worker of its own). Any frame is accepted: empty, odd or inconsistent ones simply hold no code.
class QrScanner {
  public:
    // Frames with a long side above this are scaled down first (a slip held up to the camera
    // fills much of the picture, so 800 px keep enough pixels per module and decode fast).
    static constexpr std::uint32_t kDefaultMaxLongSide = 800;

    explicit QrScanner(std::uint32_t maxLongSide = kDefaultMaxLongSide);
    ~QrScanner();
    QrScanner(const QrScanner&) = delete;
    QrScanner& operator=(const QrScanner&) = delete;
    QrScanner(QrScanner&&) noexcept;
    QrScanner& operator=(QrScanner&&) noexcept;

    // The text of every QR code in the frame, in zbar's order; empty when there is none.
    [[nodiscard]] std::vector<std::string> scan(const Frame& frame);
    // The same on a grey image already made (e.g. by toGrey).
    [[nodiscard]] std::vector<std::string> scan(const GreyImage& grey);
    // The first QR code's text, if any: what the status screen wants.
    [[nodiscard]] std::optional<std::string> scanFirst(const Frame& frame);

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace lapor::hw
