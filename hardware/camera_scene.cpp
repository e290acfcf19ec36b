// The simulated camera's test scene: gradient, moving shapes, clock and frame counter (own font).
#include "hardware/camera_scene.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <ctime>

#include "hardware/qr.hpp"

namespace lapor {
namespace {

// 5x7 glyphs: seven rows, the five low bits of each row are the pixels, bit 4 leftmost.
struct Glyph {
    char c;
    std::array<std::uint8_t, 7> rows;
};

constexpr std::array<Glyph, 46> kFont{{
    {'0', {0x0E, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0E}},
    {'1', {0x04, 0x0C, 0x04, 0x04, 0x04, 0x04, 0x0E}},
    {'2', {0x0E, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1F}},
    {'3', {0x1F, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0E}},
    {'4', {0x02, 0x06, 0x0A, 0x12, 0x1F, 0x02, 0x02}},
    {'5', {0x1F, 0x10, 0x1E, 0x01, 0x01, 0x11, 0x0E}},
    {'6', {0x06, 0x08, 0x10, 0x1E, 0x11, 0x11, 0x0E}},
    {'7', {0x1F, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08}},
    {'8', {0x0E, 0x11, 0x11, 0x0E, 0x11, 0x11, 0x0E}},
    {'9', {0x0E, 0x11, 0x11, 0x0F, 0x01, 0x02, 0x0C}},
    {':', {0x00, 0x0C, 0x0C, 0x00, 0x0C, 0x0C, 0x00}},
    {'-', {0x00, 0x00, 0x00, 0x1F, 0x00, 0x00, 0x00}},
    {'#', {0x0A, 0x0A, 0x1F, 0x0A, 0x1F, 0x0A, 0x0A}},
    {'.', {0x00, 0x00, 0x00, 0x00, 0x00, 0x0C, 0x0C}},
    {'/', {0x01, 0x01, 0x02, 0x04, 0x08, 0x10, 0x10}},
    {' ', {0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00}},
    {'A', {0x0E, 0x11, 0x11, 0x1F, 0x11, 0x11, 0x11}},
    {'B', {0x1E, 0x11, 0x11, 0x1E, 0x11, 0x11, 0x1E}},
    {'C', {0x0E, 0x11, 0x10, 0x10, 0x10, 0x11, 0x0E}},
    {'D', {0x1C, 0x12, 0x11, 0x11, 0x11, 0x12, 0x1C}},
    {'E', {0x1F, 0x10, 0x10, 0x1E, 0x10, 0x10, 0x1F}},
    {'F', {0x1F, 0x10, 0x10, 0x1E, 0x10, 0x10, 0x10}},
    {'G', {0x0E, 0x11, 0x10, 0x17, 0x11, 0x11, 0x0F}},
    {'H', {0x11, 0x11, 0x11, 0x1F, 0x11, 0x11, 0x11}},
    {'I', {0x0E, 0x04, 0x04, 0x04, 0x04, 0x04, 0x0E}},
    {'J', {0x07, 0x02, 0x02, 0x02, 0x02, 0x12, 0x0C}},
    {'K', {0x11, 0x12, 0x14, 0x18, 0x14, 0x12, 0x11}},
    {'L', {0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x1F}},
    {'M', {0x11, 0x1B, 0x15, 0x15, 0x11, 0x11, 0x11}},
    {'N', {0x11, 0x11, 0x19, 0x15, 0x13, 0x11, 0x11}},
    {'O', {0x0E, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0E}},
    {'P', {0x1E, 0x11, 0x11, 0x1E, 0x10, 0x10, 0x10}},
    {'Q', {0x0E, 0x11, 0x11, 0x11, 0x15, 0x12, 0x0D}},
    {'R', {0x1E, 0x11, 0x11, 0x1E, 0x14, 0x12, 0x11}},
    {'S', {0x0F, 0x10, 0x10, 0x0E, 0x01, 0x01, 0x1E}},
    {'T', {0x1F, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04}},
    {'U', {0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0E}},
    {'V', {0x11, 0x11, 0x11, 0x11, 0x11, 0x0A, 0x04}},
    {'W', {0x11, 0x11, 0x11, 0x15, 0x15, 0x15, 0x0A}},
    {'X', {0x11, 0x11, 0x0A, 0x04, 0x0A, 0x11, 0x11}},
    {'Y', {0x11, 0x11, 0x11, 0x0A, 0x04, 0x04, 0x04}},
    {'Z', {0x1F, 0x01, 0x02, 0x04, 0x08, 0x10, 0x1F}},
    {'!', {0x04, 0x04, 0x04, 0x04, 0x04, 0x00, 0x04}},
    {'(', {0x02, 0x04, 0x08, 0x08, 0x08, 0x04, 0x02}},
    {')', {0x08, 0x04, 0x02, 0x02, 0x02, 0x04, 0x08}},
    {'+', {0x00, 0x04, 0x04, 0x1F, 0x04, 0x04, 0x00}},
}};

const Glyph* findGlyph(char c) {
    for (const Glyph& g : kFont) {
        if (g.c == c) {
            return &g;
        }
    }
    return nullptr;
}

void fillRect(Frame& f, std::int64_t x0, std::int64_t y0, std::int64_t x1, std::int64_t y1,
              std::uint8_t r, std::uint8_t g, std::uint8_t b) {
    x0 = std::max<std::int64_t>(x0, 0);
    y0 = std::max<std::int64_t>(y0, 0);
    x1 = std::min<std::int64_t>(x1, f.width);
    y1 = std::min<std::int64_t>(y1, f.height);
    for (std::int64_t y = y0; y < y1; ++y) {
        std::uint8_t* p = f.rgb.data() + (static_cast<std::size_t>(y) * f.width + x0) * 3;
        for (std::int64_t x = x0; x < x1; ++x, p += 3) {
            p[0] = r;
            p[1] = g;
            p[2] = b;
        }
    }
}

void fillCircle(Frame& f, double cx, double cy, double radius, std::uint8_t r, std::uint8_t g,
                std::uint8_t b) {
    const auto y0 = static_cast<std::int64_t>(std::floor(cy - radius));
    const auto y1 = static_cast<std::int64_t>(std::ceil(cy + radius));
    for (std::int64_t y = y0; y <= y1; ++y) {
        const double dy = static_cast<double>(y) + 0.5 - cy;
        const double half = radius * radius - dy * dy;
        if (half <= 0) {
            continue;
        }
        const double w = std::sqrt(half);
        fillRect(f, std::lround(cx - w), y, std::lround(cx + w), y + 1, r, g, b);
    }
}

// A triangle wave in [0, 1] with the given period: things bounce instead of jumping back.
double bounce(std::int64_t ms, std::int64_t periodMs) {
    const double phase = static_cast<double>(ms % periodMs) / static_cast<double>(periodMs);
    return phase < 0.5 ? phase * 2 : 2 - phase * 2;
}

}  // namespace

void drawText(Frame& frame, std::string_view text, std::int32_t x, std::int32_t y,
              std::uint32_t scale, std::uint8_t r, std::uint8_t g, std::uint8_t b) {
    const std::int64_t s = std::max<std::uint32_t>(scale, 1);
    std::int64_t penX = x;
    for (const char c : text) {
        if (const Glyph* glyph = findGlyph(c)) {
            for (std::int64_t row = 0; row < 7; ++row) {
                for (std::int64_t col = 0; col < 5; ++col) {
                    if (glyph->rows[static_cast<std::size_t>(row)] & (0x10 >> col)) {
                        fillRect(frame, penX + col * s, y + row * s, penX + (col + 1) * s,
                                 y + (row + 1) * s, r, g, b);
                    }
                }
            }
        }
        penX += 6 * s;
    }
}

Frame renderTestScene(FrameSize size, std::int64_t sceneMs, std::int64_t wallMs,
                      std::int64_t frameNumber, int utcOffsetMinutes, std::string_view zone) {
    Frame f;
    f.width = std::max<std::uint32_t>(size.width, 1);
    f.height = std::max<std::uint32_t>(size.height, 1);
    f.rgb.resize(std::size_t{3} * f.width * f.height);
    const double w = f.width;
    const double h = f.height;

    // Background: a diagonal gradient whose blue drifts with time, computed per row and column.
    const auto drift = static_cast<int>(bounce(sceneMs, 8000) * 120);
    std::vector<std::uint8_t> colRed(f.width);
    for (std::uint32_t x = 0; x < f.width; ++x) {
        colRed[x] = static_cast<std::uint8_t>(40 + 150 * x / f.width);
    }
    for (std::uint32_t y = 0; y < f.height; ++y) {
        const auto green = static_cast<std::uint8_t>(60 + 120 * y / f.height);
        const auto blue = static_cast<std::uint8_t>(90 + drift);
        std::uint8_t* p = f.rgb.data() + std::size_t{3} * f.width * y;
        for (std::uint32_t x = 0; x < f.width; ++x, p += 3) {
            p[0] = colRed[x];
            p[1] = green;
            p[2] = blue;
        }
    }

    // A ball bouncing across, a bar sliding down, a colour-check strip that stays still.
    const double unit = std::min(w, h);
    fillCircle(f, unit * 0.12 + bounce(sceneMs, 3000) * (w - unit * 0.24),
               unit * 0.12 + bounce(sceneMs + 700, 2200) * (h - unit * 0.24), unit * 0.1, 250, 200,
               40);
    const double barY = bounce(sceneMs, 5000) * (h - unit * 0.05);
    fillRect(f, 0, std::lround(barY), std::lround(w * 0.3), std::lround(barY + unit * 0.05), 240,
             240, 240);
    const std::array<std::array<std::uint8_t, 3>, 6> checks{{{230, 30, 30},
                                                             {30, 200, 30},
                                                             {30, 60, 230},
                                                             {240, 240, 240},
                                                             {128, 128, 128},
                                                             {15, 15, 15}}};
    for (std::size_t i = 0; i < checks.size(); ++i) {
        const double x0 = w * (0.55 + 0.07 * static_cast<double>(i));
        fillRect(f, std::lround(x0), std::lround(h * 0.85), std::lround(x0 + w * 0.06),
                 std::lround(h * 0.95), checks[i][0], checks[i][1], checks[i][2]);
    }

    // Local time and frame counter on a dark band, sized to the picture.
    const std::time_t secs =
        static_cast<std::time_t>(wallMs / 1000) + static_cast<std::time_t>(utcOffsetMinutes) * 60;
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char clock[64];
    std::snprintf(clock, sizeof clock, "%04d-%02d-%02d %02d:%02d:%02d %.*s", tm.tm_year + 1900,
                  tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                  static_cast<int>(std::min<std::size_t>(zone.size(), 12)), zone.data());
    char counter[48];
    std::snprintf(counter, sizeof counter, "SIMULATED #%lld", static_cast<long long>(frameNumber));
    const auto scale = std::max<std::uint32_t>(1, f.height / 120);
    const auto lineHeight = static_cast<std::int32_t>(9 * scale);
    fillRect(f, 0, 0, f.width, 2 * lineHeight + 2 * scale, 20, 20, 30);
    drawText(f, counter, static_cast<std::int32_t>(scale), static_cast<std::int32_t>(scale), scale,
             255, 255, 255);
    drawText(f, clock, static_cast<std::int32_t>(scale),
             static_cast<std::int32_t>(scale) + lineHeight, scale, 255, 230, 120);
    return f;
}

}  // namespace lapor

namespace lapor {

bool drawHeldSlip(Frame& frame, std::string_view payload, std::int64_t sceneMs) {
    if (frame.width == 0 || frame.height == 0 ||
        frame.rgb.size() < static_cast<std::size_t>(frame.width) * frame.height * 3) {
        return false;
    }
    Result<hw::Bitmap> qr = hw::qrBitmap(payload, 1);  // one pixel per module, quiet zone included
    if (!qr || qr->width <= 0) {
        return false;
    }
    // The paper in modules: the QR with its quiet zone, a margin, three text lines above and two
    // below, as on the printed slips.
    const int q = qr->width;
    const int paperW = q + 6;
    const int paperH = q + 16;
    const int qrX = 3;
    const int qrY = 9;
    const double t = static_cast<double>(sceneMs) / 1000.0;
    const double w = frame.width;
    const double h = frame.height;
    const double scale = 0.7 * std::min(w, h) / paperH;  // frame pixels per module
    const double angle = (6.0 + 2.0 * std::sin(t * 0.9)) * 3.14159265358979 / 180.0;
    const double cx = w / 2 + w * (0.07 + 0.03 * std::sin(t * 0.7));
    const double cy = h / 2 + h * (0.03 * std::sin(t * 1.1));
    const double cosA = std::cos(angle);
    const double sinA = std::sin(angle);
    const double reach = 0.5 * std::hypot(paperW, paperH) * scale + 1;
    const auto x0 = static_cast<std::int64_t>(std::max(0.0, std::floor(cx - reach)));
    const auto x1 = static_cast<std::int64_t>(std::min(w, std::ceil(cx + reach)));
    const auto y0 = static_cast<std::int64_t>(std::max(0.0, std::floor(cy - reach)));
    const auto y1 = static_cast<std::int64_t>(std::min(h, std::ceil(cy + reach)));
    for (std::int64_t y = y0; y < y1; ++y) {
        for (std::int64_t x = x0; x < x1; ++x) {
            // Frame pixel -> paper module: undo the tilt around the slip's centre.
            const double dx = static_cast<double>(x) + 0.5 - cx;
            const double dy = static_cast<double>(y) + 0.5 - cy;
            const double u = (cosA * dx + sinA * dy) / scale + paperW / 2.0;
            const double v = (-sinA * dx + cosA * dy) / scale + paperH / 2.0;
            if (u < 0 || v < 0 || u >= paperW || v >= paperH) {
                continue;
            }
            const int mu = static_cast<int>(u);
            const int mv = static_cast<int>(v);
            bool dark = false;
            if (mu >= qrX && mu < qrX + q && mv >= qrY && mv < qrY + q) {
                dark = qr->at(mu - qrX, mv - qrY) != 0;
            } else if ((mv == 2 || mv == 4 || mv == 6 || mv == paperH - 5 || mv == paperH - 3) &&
                       mu >= 3 && mu < paperW - 3 - (mv % 3) * 3) {
                // Text lines, drawn as grey bars half a module high.
                dark = v - mv < 0.5;
            }
            // Paper a little darker towards its lower edge, as under a ceiling light.
            const auto shade = static_cast<std::uint8_t>(238.0 - 18.0 * v / paperH);
            std::uint8_t* p =
                frame.rgb.data() +
                (static_cast<std::size_t>(y) * frame.width + static_cast<std::size_t>(x)) * 3;
            if (dark) {
                p[0] = 28;
                p[1] = 28;
                p[2] = 34;
            } else {
                p[0] = shade;
                p[1] = shade;
                p[2] = static_cast<std::uint8_t>(shade - 10);
            }
        }
    }
    return true;
}

}  // namespace lapor
