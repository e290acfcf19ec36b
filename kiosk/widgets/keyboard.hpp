// The on-screen keyboard (letters, digits, the punctuation of Indonesian addresses, shift,
// a backspace that repeats while held) and the numeric keypad for NIK, phone and staff id.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "kiosk/ui.hpp"

namespace lapor::kiosk {

// Pure text editing, tested without a screen: UTF-8 aware backspace, a length limit.
void appendText(std::string& text, std::string_view add, std::size_t maxLength);
void backspace(std::string& text);
// The keys to touch, from the keyboard's resting state, to type one character (for scripts).
[[nodiscard]] std::vector<std::string> keyPath(char c, bool numeric);

class Keyboard {
  public:
    enum class Result { none, changed, done };
    // Draws the keyboard into the remaining width at the cursor; edits `text`. `nowMs` drives the
    // backspace repeat. Keys are registered as "kb.<key>" for scripted touches.
    Result draw(Ui& ui, std::string& text, bool numeric, std::size_t maxLength, std::int64_t nowMs);
    // While backspace is held the app must keep drawing frames (to repeat); otherwise it can sleep.
    [[nodiscard]] bool repeating() const { return backspaceSinceMs_ >= 0; }
    // How long to wait before the next frame while repeating.
    [[nodiscard]] std::int64_t repeatWaitMs(std::int64_t nowMs) const;
    void reset();

  private:
    bool shift_ = false;
    bool symbols_ = false;
    std::int64_t backspaceSinceMs_ = -1;  // when backspace went down; -1 when not held
    std::int64_t lastRepeatMs_ = 0;
};

}  // namespace lapor::kiosk
