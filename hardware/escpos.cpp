// ESC/POS byte streams, ASCII folding of slip text, and the DLE EOT status bytes.
#include "hardware/escpos.hpp"

#include <algorithm>

namespace lapor::hw {

namespace {

// Decodes one UTF-8 sequence at s[i]; returns U+FFFD for malformed input and advances i.
char32_t nextCodepoint(std::string_view s, std::size_t& i) {
    const auto b0 = static_cast<unsigned char>(s[i]);
    int len = 0;
    char32_t cp = 0;
    if (b0 < 0x80) {
        ++i;
        return b0;
    } else if ((b0 & 0xE0) == 0xC0) {
        len = 2;
        cp = b0 & 0x1F;
    } else if ((b0 & 0xF0) == 0xE0) {
        len = 3;
        cp = b0 & 0x0F;
    } else if ((b0 & 0xF8) == 0xF0) {
        len = 4;
        cp = b0 & 0x07;
    } else {
        ++i;
        return 0xFFFD;
    }
    if (i + static_cast<std::size_t>(len) > s.size()) {
        i = s.size();
        return 0xFFFD;
    }
    for (int k = 1; k < len; ++k) {
        const auto b = static_cast<unsigned char>(s[i + static_cast<std::size_t>(k)]);
        if ((b & 0xC0) != 0x80) {
            i += static_cast<std::size_t>(k);
            return 0xFFFD;
        }
        cp = (cp << 6) | (b & 0x3F);
    }
    i += static_cast<std::size_t>(len);
    return cp;
}

// Latin-1 letters U+00C0..U+00FF without their marks ('\0': no ASCII letter; ß and æ handled
// apart).
constexpr char kLatin1Base[] =
    "AAAAAAACEEEEIIII"   // C0..CF (C6 Æ handled apart)
    "DNOOOOOxOUUUUYTs"   // D0..DF (D7 ×, DE Þ, DF ß handled apart)
    "aaaaaaaceeeeiiii"   // E0..EF
    "dnooooo/ouuuuyty";  // F0..FF (F7 ÷)

std::string_view foldCodepoint(char32_t cp, char (&one)[2]) {
    if (cp >= 0x20 && cp < 0x7F) {
        one[0] = static_cast<char>(cp);
        return {one, 1};
    }
    switch (cp) {
        case U'\t':
        case U'\n':
        case U'\r':
        case 0x00A0:  // no-break space
        case 0x2007:
        case 0x202F: return " ";
        case 0x00C6: return "AE";
        case 0x00E6: return "ae";
        case 0x00DF: return "ss";
        case 0x00DE: return "Th";
        case 0x00FE: return "th";
        case 0x00D7: return "x";
        case 0x2018:
        case 0x2019:
        case 0x201A:
        case 0x2032: return "'";
        case 0x201C:
        case 0x201D:
        case 0x201E:
        case 0x00AB:
        case 0x00BB: return "\"";
        case 0x2010:
        case 0x2011:
        case 0x2012:
        case 0x2013:
        case 0x2014:
        case 0x2212: return "-";
        case 0x2026: return "...";
        case 0x00B7:
        case 0x2022: return "*";
        case 0x20AC: return "EUR";
        case 0x00B0: return "o";
        default: break;
    }
    if (cp >= 0xC0 && cp <= 0xFF) {
        one[0] = kLatin1Base[cp - 0xC0];
        return {one, 1};
    }
    // Latin Extended-A (U+0100..U+017F) pairs upper/lower forms of a few base letters; the common
    // ones in Indonesian names and places are covered by their first letter.
    if (cp >= 0x0100 && cp <= 0x017F) {
        static constexpr char kExtA[] =
            "AaAaAaCcCcCcCcDdDdEeEeEeEeEeGgGgGgGgHhHhIiIiIiIiIiIiJjKkkLlLlLlL"
            "lLlNnNnNnnNnOoOoOoOoRrRrRrSsSsSsSsTtTtTtUuUuUuUuUuUuWwYyYZzZzZzs";
        const std::size_t idx = cp - 0x0100;
        if (idx < sizeof(kExtA) - 1) {
            one[0] = kExtA[idx];
            return {one, 1};
        }
    }
    if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0) || cp == 0x200B || cp == 0xFEFF ||
        (cp >= 0x0300 && cp <= 0x036F)) {
        return {};  // control bytes, zero-width characters and combining marks vanish
    }
    return "?";
}

}  // namespace

std::string toPrinterText(std::string_view utf8) {
    std::string out;
    out.reserve(utf8.size());
    std::size_t i = 0;
    char one[2] = {0, 0};
    while (i < utf8.size()) {
        out += foldCodepoint(nextCodepoint(utf8, i), one);
    }
    return out;
}

namespace escpos {

Writer& Writer::init() {
    bytes_.insert(bytes_.end(), {ESC, '@'});
    return *this;
}

Writer& Writer::align(Align a) {
    bytes_.insert(bytes_.end(), {ESC, 'a', static_cast<std::uint8_t>(a)});
    return *this;
}

Writer& Writer::bold(bool on) {
    bytes_.insert(bytes_.end(), {ESC, 'E', static_cast<std::uint8_t>(on ? 1 : 0)});
    return *this;
}

Writer& Writer::size(int width, int height) {
    const int w = std::clamp(width, 1, 8) - 1;
    const int h = std::clamp(height, 1, 8) - 1;
    bytes_.insert(bytes_.end(), {GS, '!', static_cast<std::uint8_t>((w << 4) | h)});
    return *this;
}

Writer& Writer::text(std::string_view utf8) {
    const std::string ascii = toPrinterText(utf8);
    bytes_.insert(bytes_.end(), ascii.begin(), ascii.end());
    return *this;
}

Writer& Writer::line(std::string_view utf8) {
    text(utf8);
    bytes_.push_back(LF);
    return *this;
}

Writer& Writer::feed(int lines) {
    bytes_.insert(bytes_.end(), {ESC, 'd', static_cast<std::uint8_t>(std::clamp(lines, 0, 255))});
    return *this;
}

Writer& Writer::raster(const Bitmap& image) {
    // Bands of at most 128 rows: some printers' receive buffers hold little more than that.
    constexpr int kBand = 128;
    const int rowBytes = (image.width + 7) / 8;
    for (int y0 = 0; y0 < image.height; y0 += kBand) {
        const int rows = std::min(kBand, image.height - y0);
        bytes_.insert(bytes_.end(), {GS, 'v', '0', 0, static_cast<std::uint8_t>(rowBytes & 0xFF),
                                     static_cast<std::uint8_t>(rowBytes >> 8),
                                     static_cast<std::uint8_t>(rows & 0xFF),
                                     static_cast<std::uint8_t>(rows >> 8)});
        for (int y = y0; y < y0 + rows; ++y) {
            for (int bx = 0; bx < rowBytes; ++bx) {
                std::uint8_t b = 0;
                for (int bit = 0; bit < 8; ++bit) {
                    const int x = bx * 8 + bit;
                    if (x < image.width && image.at(x, y) != 0) {
                        b |= static_cast<std::uint8_t>(0x80 >> bit);  // MSB is the leftmost dot
                    }
                }
                bytes_.push_back(b);
            }
        }
    }
    return *this;
}

Writer& Writer::cut() {
    // Function B: feed to the cutting position plus n/?? inch, then a partial cut.
    bytes_.insert(bytes_.end(), {GS, 'V', 66, 0});
    return *this;
}

Writer& Writer::statusQuery(int n) {
    bytes_.insert(bytes_.end(), {DLE, EOT, static_cast<std::uint8_t>(n)});
    return *this;
}

bool isStatusByte(std::uint8_t b) noexcept {
    return (b & 0x93) == 0x12;
}

PrinterState stateFromStatus(const StatusBytes& s) {
    PrinterState st;
    st.condition = PrinterCondition::ready;
    st.paperNearEnd = (s.paper & 0x0C) != 0;
    const bool paperEnd = (s.paper & 0x60) != 0 || (s.offlineCause & 0x20) != 0;
    const bool coverOpen = (s.offlineCause & 0x04) != 0;
    const bool error = (s.offlineCause & 0x40) != 0;
    const bool offline = (s.printer & 0x08) != 0;
    // The most specific cause first: an open cover also reads as offline and often as paper out.
    if (coverOpen) {
        st.condition = PrinterCondition::coverOpen;
        st.detail = "printer cover is open";
    } else if (paperEnd) {
        st.condition = PrinterCondition::paperOut;
        st.detail = "printer is out of paper";
    } else if (error || offline) {
        st.condition = PrinterCondition::offline;
        st.detail = error ? "printer reports an error (cutter jam or overheating)"
                          : "printer reports it is offline";
    } else {
        st.detail = st.paperNearEnd ? "printer ready; paper roll near its end" : "printer ready";
    }
    return st;
}

std::uint8_t statusReply(int n, PrinterCondition condition, bool paperNearEnd) {
    std::uint8_t b = 0x12;
    const bool paperOut = condition == PrinterCondition::paperOut;
    const bool coverOpen = condition == PrinterCondition::coverOpen;
    const bool offline = condition == PrinterCondition::offline;
    switch (n) {
        case 1:
            if (paperOut || coverOpen || offline) {
                b |= 0x08;
            }
            break;
        case 2:
            if (coverOpen) {
                b |= 0x04;
            }
            if (paperOut) {
                b |= 0x20;
            }
            if (offline) {
                b |= 0x40;
            }
            break;
        case 3:
            if (offline) {
                b |= 0x40;  // auto-recoverable error
            }
            break;
        case 4:
            if (paperNearEnd || paperOut) {
                b |= 0x0C;
            }
            if (paperOut) {
                b |= 0x60;
            }
            break;
        default: break;
    }
    return b;
}

}  // namespace escpos

}  // namespace lapor::hw
