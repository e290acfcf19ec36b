// ESC/POS: builds the byte stream a thermal receipt printer understands, and reads its status
// bytes.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "hardware/printer.hpp"

namespace lapor::hw {

// A 1-bit image, one byte per pixel (0 white, 1 black), row-major. Small enough for slips.
struct Bitmap {
    int width = 0;
    int height = 0;
    std::vector<std::uint8_t> pixels;
    [[nodiscard]] std::uint8_t at(int x, int y) const {
        return pixels[static_cast<std::size_t>(y) * static_cast<std::size_t>(width) +
                      static_cast<std::size_t>(x)];
    }
};

// Text for the printer's built-in font. Printers differ in which code pages they carry (PC437,
// PC850, WPC1252...), so the slip stays in 7-bit ASCII, which every printer prints the same:
// accented Latin letters lose their accent (é -> e), typographic quotes and dashes become their
// ASCII forms, other characters become '?'. Control bytes are dropped, so visitor text can never
// smuggle a printer command into the stream. See docs/printer.md.
[[nodiscard]] std::string toPrinterText(std::string_view utf8);

namespace escpos {

inline constexpr std::uint8_t ESC = 0x1B;
inline constexpr std::uint8_t GS = 0x1D;
inline constexpr std::uint8_t DLE = 0x10;
inline constexpr std::uint8_t EOT = 0x04;
inline constexpr std::uint8_t LF = 0x0A;

enum class Align : std::uint8_t { left = 0, center = 1, right = 2 };

// Appends ESC/POS commands to a buffer. Text goes through toPrinterText().
class Writer {
  public:
    Writer& init();                       // ESC @
    Writer& align(Align a);               // ESC a n
    Writer& bold(bool on);                // ESC E n
    Writer& size(int width, int height);  // GS ! n, each factor 1..8
    Writer& text(std::string_view utf8);  // no line feed
    Writer& line(std::string_view utf8);  // text, then LF
    Writer& feed(int lines);              // ESC d n
    // GS v 0 raster bit image, sent in bands so printers with small buffers take it too.
    Writer& raster(const Bitmap& image);
    Writer& cut();               // GS V 66 n: feed to the cutter, partial cut
    Writer& statusQuery(int n);  // DLE EOT n
    [[nodiscard]] const std::vector<std::uint8_t>& bytes() const { return bytes_; }
    [[nodiscard]] std::vector<std::uint8_t> take() { return std::move(bytes_); }

  private:
    std::vector<std::uint8_t> bytes_;
};

// A DLE EOT answer byte always has bits 1 and 4 set and bits 0 and 7 clear.
[[nodiscard]] bool isStatusByte(std::uint8_t b) noexcept;

// The answers to DLE EOT 1 (printer), 2 (offline cause) and 4 (roll paper sensor).
struct StatusBytes {
    std::uint8_t printer = 0x12;
    std::uint8_t offlineCause = 0x12;
    std::uint8_t paper = 0x12;
};
// Interprets the answers as a state with an operator detail.
[[nodiscard]] PrinterState stateFromStatus(const StatusBytes& s);
// What a printer in `condition` answers to DLE EOT n (for the simulated printer and test peers).
[[nodiscard]] std::uint8_t statusReply(int n, PrinterCondition condition, bool paperNearEnd);

}  // namespace escpos

}  // namespace lapor::hw
