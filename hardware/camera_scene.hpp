// The simulated camera's test scene: a moving picture with the time and a frame counter drawn in.
#pragma once

#include <cstdint>
#include <string_view>

#include "hardware/camera.hpp"

namespace lapor {

// Renders the scene at `size` for animation time `sceneMs` (drives the motion), showing the wall
// time `wallMs` in the zone `utcOffsetMinutes` east of UTC, named `zone` (the office's local
// time, as everything a person reads), and `frameNumber`. Deterministic: same arguments, same
// pixels.
[[nodiscard]] Frame renderTestScene(FrameSize size, std::int64_t sceneMs, std::int64_t wallMs,
                                    std::int64_t frameNumber, int utcOffsetMinutes = 0,
                                    std::string_view zone = "UTC");

// Draws `text` (digits, ':', '-', '#', '.', '/', space and capital letters A-Z) with a built-in
// 5x7 bitmap font, each font pixel a `scale` x `scale` block. Unknown characters draw as blanks.
void drawText(Frame& frame, std::string_view text, std::int32_t x, std::int32_t y,
              std::uint32_t scale, std::uint8_t r, std::uint8_t g, std::uint8_t b);

}  // namespace lapor

namespace lapor {

// Draws a printed slip held up to the camera over `frame`: off-white paper with the QR code of
// `payload` (as the receipt and status slips print it, hardware/qr.hpp), a few text-like lines,
// slightly tilted and off centre, swaying a little with `sceneMs` as a hand would. The slip's
// short side is about 70% of the frame's height. Returns false (frame untouched) when the frame
// is empty or the payload cannot be encoded.
bool drawHeldSlip(Frame& frame, std::string_view payload, std::int64_t sceneMs);

}  // namespace lapor
