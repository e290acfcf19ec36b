// The on-screen keyboard (letters, digits, the punctuation of Indonesian addresses, shift,
// a backspace that repeats while held) and the numeric keypad for NIK, phone and staff id.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "kiosk/ui.hpp"

namespace lapor::kiosk {

// Pure text editing, tested without a screen: UTF-8 aware backspace, a length limit.
// Types `add` (one key, or a pasted or physically typed run) into the field by its rule: all of
// it, or none of it with e.notice saying why (a limit reached, a character the field does not
// take). What a rule drops on the way (the spaces and dashes of "+62 812-3456-7890") is
// normalization, not refusal. True when the value changed (then the notice is cleared).
bool typeInto(Editing& e, std::string_view add);
// What the field's counter shows against e.maxLength: characters, or digits for NIK and phone.
[[nodiscard]] std::size_t inputCount(const Editing& e);
// "12/150" (or "13/15 digits"): the field's counter as catalog text.
[[nodiscard]] Text counterText(const Editing& e);
void backspace(std::string& text);
// Backspace in an editor: one character, and any notice goes (the visitor acted on it).
void backspace(Editing& e);
// The keys to touch, from the keyboard's resting state, to type one character (for scripts).
[[nodiscard]] std::vector<std::string> keyPath(char c, bool numeric);

class Keyboard {
  public:
    enum class Result { none, changed, done };
    // Draws the keyboard into the remaining width at the cursor; edits `text`. `nowMs` drives the
    // backspace repeat. Keys are registered as "kb.<key>" for scripted touches.
    Result draw(Ui& ui, Editing& e, std::int64_t nowMs);
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
