// An ESC/POS interpreter for the simulated printer: draws the slip a thermal printer would print.
#include "hardware/escpos_render.hpp"

#include <stb_truetype.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "core/durable_file.hpp"
#include "hardware/png.hpp"

namespace lapor::hw {

namespace {

constexpr int kCellW = 12;  // font A
constexpr int kCellH = 24;
constexpr int kLineGap = 6;  // default line spacing 30 dots minus the cell
constexpr int kTopMargin = 12;

// DejaVu Sans Mono (fonts-dejavu-core), loaded once per process.
struct Fonts {
    std::vector<std::uint8_t> data[2];
    stbtt_fontinfo info[2]{};
    bool ok = false;

    Fonts() {
        const char* files[2] = {"/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf",
                                "/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf"};
        ok = true;
        for (int i = 0; i < 2; ++i) {
            Result<std::vector<std::uint8_t>> bytes = readWholeFile(files[i]);
            if (!bytes || bytes->empty()) {
                ok = false;
                return;
            }
            data[i] = std::move(*bytes);
            const int offset = stbtt_GetFontOffsetForIndex(data[i].data(), 0);
            if (offset < 0 || stbtt_InitFont(&info[i], data[i].data(), offset) == 0) {
                ok = false;
                return;
            }
        }
    }
    static const Fonts& get() {
        static const Fonts fonts;
        return fonts;
    }
};

struct Glyph {
    char ch;
    bool bold;
    int w;  // size factors
    int h;
};

class Canvas {
  public:
    explicit Canvas(int width) { img_.width = width; }
    void ensure(int height) {
        if (height > img_.height) {
            img_.height = height;
            img_.pixels.resize(
                static_cast<std::size_t>(img_.width) * static_cast<std::size_t>(img_.height), 0);
        }
    }
    void set(int x, int y) {
        if (x < 0 || x >= img_.width || y < 0) {
            return;
        }
        ensure(y + 1);
        img_.pixels[static_cast<std::size_t>(y) * static_cast<std::size_t>(img_.width) +
                    static_cast<std::size_t>(x)] = 1;
    }
    [[nodiscard]] int width() const { return img_.width; }
    Bitmap take(int height) {
        ensure(height);
        return std::move(img_);
    }

  private:
    Bitmap img_;
};

void drawGlyph(Canvas& c, const Glyph& g, int x, int top) {
    const int cellW = kCellW * g.w;
    const int cellH = kCellH * g.h;
    if (g.ch == ' ') {
        return;
    }
    const Fonts& fonts = Fonts::get();
    if (!fonts.ok) {
        // No font: an outlined box per character keeps the layout visible.
        for (int x1 = x + 1; x1 < x + cellW - 1; ++x1) {
            c.set(x1, top + 2);
            c.set(x1, top + cellH - 3);
        }
        for (int y1 = top + 2; y1 < top + cellH - 2; ++y1) {
            c.set(x + 1, y1);
            c.set(x + cellW - 2, y1);
        }
        return;
    }
    const stbtt_fontinfo& f = fonts.info[g.bold ? 1 : 0];
    int advance = 0;
    int lsb = 0;
    stbtt_GetCodepointHMetrics(&f, 'M', &advance, &lsb);
    int ascent = 0;
    int descent = 0;
    int gap = 0;
    stbtt_GetFontVMetrics(&f, &ascent, &descent, &gap);
    // Scale so that one advance fills the 12-dot cell; the height factor stretches vertically.
    const float base = static_cast<float>(kCellW) / static_cast<float>(advance);
    const float sx = base * static_cast<float>(g.w);
    const float sy = base * static_cast<float>(g.h);
    int bw = 0;
    int bh = 0;
    int xoff = 0;
    int yoff = 0;
    unsigned char* bmp = stbtt_GetCodepointBitmap(&f, sx, sy, static_cast<unsigned char>(g.ch), &bw,
                                                  &bh, &xoff, &yoff);
    if (bmp == nullptr) {
        return;
    }
    const int baseline = top + static_cast<int>(static_cast<float>(ascent) * sy + 0.5f);
    for (int y = 0; y < bh; ++y) {
        for (int xx = 0; xx < bw; ++xx) {
            if (bmp[y * bw + xx] >= 128) {  // thermal dots are on or off
                c.set(x + xoff + xx, baseline + yoff + y);
            }
        }
    }
    stbtt_FreeBitmap(bmp, nullptr);
}

class Interpreter {
  public:
    explicit Interpreter(int width) : canvas_(width) {}

    Result<Bitmap> run(std::span<const std::uint8_t> s) {
        std::size_t i = 0;
        auto need = [&](std::size_t n) -> Status {
            if (i + n > s.size()) {
                return makeError(Errc::corrupt, "ESC/POS stream ends inside a command at byte " +
                                                    std::to_string(i));
            }
            return {};
        };
        while (i < s.size()) {
            const std::uint8_t b = s[i];
            if (b == escpos::LF) {
                flushLine(true);
                ++i;
            } else if (b == '\r') {
                ++i;
            } else if (b >= 0x20 && b < 0x7F) {
                if (line_.empty()) {
                    lineAlign_ = align_;
                }
                line_.push_back(Glyph{static_cast<char>(b), bold_, w_, h_});
                ++i;
            } else if (b == escpos::ESC) {
                if (Status st = need(2); !st) {
                    return st.error();
                }
                const std::uint8_t cmd = s[i + 1];
                if (cmd == '@') {
                    flushLine(false);
                    align_ = escpos::Align::left;
                    bold_ = false;
                    w_ = h_ = 1;
                    i += 2;
                    continue;
                }
                if (Status st = need(3); !st) {
                    return st.error();
                }
                const std::uint8_t n = s[i + 2];
                switch (cmd) {
                    case 'a':
                        align_ = static_cast<escpos::Align>(std::min<std::uint8_t>(n % 48, 2));
                        break;
                    case 'E': bold_ = (n & 1) != 0; break;
                    case 'd':
                        flushLine(false);
                        y_ += n * (kCellH + kLineGap);
                        break;
                    default: return unsupported(i, b, cmd);
                }
                i += 3;
            } else if (b == escpos::GS) {
                if (Status st = need(2); !st) {
                    return st.error();
                }
                const std::uint8_t cmd = s[i + 1];
                if (cmd == '!') {
                    if (Status st = need(3); !st) {
                        return st.error();
                    }
                    w_ = ((s[i + 2] >> 4) & 7) + 1;
                    h_ = (s[i + 2] & 7) + 1;
                    i += 3;
                } else if (cmd == 'V') {
                    if (Status st = need(3); !st) {
                        return st.error();
                    }
                    // Functions B and C (65, 66) carry a feed amount after the mode.
                    const std::size_t len = (s[i + 2] == 65 || s[i + 2] == 66) ? 4 : 3;
                    if (Status st = need(len); !st) {
                        return st.error();
                    }
                    i += len;
                    cut();
                } else if (cmd == 'v') {
                    if (Status st = need(8); !st) {
                        return st.error();
                    }
                    if (s[i + 2] != '0') {
                        return unsupported(i, b, cmd);
                    }
                    const std::uint8_t mode = s[i + 3];
                    const int rowBytes = s[i + 4] | (s[i + 5] << 8);
                    const int rows = s[i + 6] | (s[i + 7] << 8);
                    const auto size =
                        static_cast<std::size_t>(rowBytes) * static_cast<std::size_t>(rows);
                    i += 8;
                    if (i + size > s.size()) {
                        return makeError(Errc::corrupt, "raster image runs past the stream end");
                    }
                    flushLine(false);
                    raster(s.subspan(i, size), rowBytes, rows, mode);
                    i += size;
                } else {
                    return unsupported(i, b, cmd);
                }
            } else if (b == escpos::DLE) {
                // DLE EOT n: real-time status; prints nothing.
                if (Status st = need(3); !st) {
                    return st.error();
                }
                if (s[i + 1] != escpos::EOT) {
                    return unsupported(i, b, s[i + 1]);
                }
                i += 3;
            } else {
                return makeError(Errc::corrupt,
                                 "unsupported byte " + hex(b) + " at " + std::to_string(i));
            }
        }
        flushLine(false);
        return canvas_.take(y_ + kTopMargin);
    }

  private:
    static std::string hex(std::uint8_t b) {
        char buf[8];
        std::snprintf(buf, sizeof buf, "0x%02X", b);
        return buf;
    }
    static Error unsupported(std::size_t at, std::uint8_t b, std::uint8_t cmd) {
        return makeError(Errc::corrupt, "unsupported command " + hex(b) + " " + hex(cmd) + " at " +
                                            std::to_string(at));
    }

    // Prints the buffered line; a bare LF with nothing buffered still feeds one line.
    void flushLine(bool lineFeed) {
        if (line_.empty()) {
            if (lineFeed) {
                y_ += kCellH + kLineGap;
            }
            return;
        }
        int width = 0;
        int height = 1;
        for (const Glyph& g : line_) {
            width += kCellW * g.w;
            height = std::max(height, g.h);
        }
        const int lineH = kCellH * height;
        int x = 0;
        if (lineAlign_ == escpos::Align::center) {
            x = std::max(0, (canvas_.width() - width) / 2);
        } else if (lineAlign_ == escpos::Align::right) {
            x = std::max(0, canvas_.width() - width);
        }
        // Characters of different heights share the baseline at the bottom of the line.
        for (const Glyph& g : line_) {
            if (x + kCellW * g.w > canvas_.width()) {
                break;  // a real printer wraps; our slip never needs it
            }
            drawGlyph(canvas_, g, x, y_ + lineH - kCellH * g.h);
            x += kCellW * g.w;
        }
        line_.clear();
        y_ += lineH + kLineGap;
    }

    void raster(std::span<const std::uint8_t> data, int rowBytes, int rows, std::uint8_t mode) {
        const int sx = (mode == 1 || mode == 3) ? 2 : 1;  // double width
        const int sy = (mode == 2 || mode == 3) ? 2 : 1;  // double height
        for (int r = 0; r < rows; ++r) {
            for (int bx = 0; bx < rowBytes; ++bx) {
                const std::uint8_t b = data[static_cast<std::size_t>(r * rowBytes + bx)];
                for (int bit = 0; bit < 8; ++bit) {
                    if ((b & (0x80 >> bit)) == 0) {
                        continue;
                    }
                    for (int dy = 0; dy < sy; ++dy) {
                        for (int dx = 0; dx < sx; ++dx) {
                            canvas_.set((bx * 8 + bit) * sx + dx, y_ + r * sy + dy);
                        }
                    }
                }
            }
        }
        y_ += rows * sy;
        canvas_.ensure(y_);
    }

    void cut() {
        flushLine(false);
        y_ += 8;
        for (int x = 0; x < canvas_.width(); x += 8) {
            for (int k = 0; k < 4; ++k) {
                canvas_.set(x + k, y_);
            }
        }
        y_ += 8;
    }

    Canvas canvas_;
    int y_ = kTopMargin;
    escpos::Align align_ = escpos::Align::left;
    escpos::Align lineAlign_ = escpos::Align::left;
    bool bold_ = false;
    int w_ = 1;
    int h_ = 1;
    std::vector<Glyph> line_;
};

}  // namespace

Result<Bitmap> renderEscPos(std::span<const std::uint8_t> stream, PaperWidth paper) {
    Interpreter interp(printableDots(paper));
    return interp.run(stream);
}

Status writePng(const Bitmap& image, const std::filesystem::path& path) {
    if (image.width <= 0 || image.height <= 0) {
        return makeError(Errc::invalidInput, "empty image");
    }
    std::vector<std::uint8_t> grey(image.pixels.size());
    std::transform(image.pixels.begin(), image.pixels.end(), grey.begin(),
                   [](std::uint8_t p) { return static_cast<std::uint8_t>(p != 0 ? 0 : 255); });
    return writePngFile(path, image.width, image.height, PngPixels::grey, grey);
}

}  // namespace lapor::hw
