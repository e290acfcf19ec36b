// The on-screen keyboard and numeric keypad.
#include "kiosk/widgets/keyboard.hpp"

#include <algorithm>
#include <cctype>

#include "core/text.hpp"
#include "core/validation.hpp"

namespace lapor::kiosk {

namespace {

constexpr std::int64_t kRepeatDelayMs = 500;
constexpr std::int64_t kRepeatEveryMs = 80;

// Rows of single-character keys; the rest (shift, backspace, space, done) are added around them.
constexpr const char* kLetters[] = {"1234567890", "qwertyuiop", "asdfghjkl'", "zxcvbnm,."};
constexpr const char* kSymbols[] = {"1234567890", "./-()&#@_'", ":;?!\"+=%*,", "[]<>$~|\\^"};

std::string keyId(char c) {
    return std::string("kb.") + c;
}

}  // namespace

namespace {

bool isDigit(char c) {
    return c >= '0' && c <= '9';
}

std::size_t digitCount(std::string_view s) {
    return static_cast<std::size_t>(std::count_if(s.begin(), s.end(), isDigit));
}

Text notice(std::string key, std::vector<std::pair<std::string, std::string>> args = {}) {
    return Text{std::move(key), std::move(args)};
}

// What `add` becomes in a field of `rule` whose value is `value`, or the notice why it cannot go
// in at all.
std::optional<Text> filtered(const Editing& e, std::string_view add, std::string& out) {
    switch (e.rule) {
        case InputRule::text: out = std::string(add); return std::nullopt;
        case InputRule::digits:
        case InputRule::nik: {
            for (const char c : add) {
                if (c == ' ' && e.rule == InputRule::nik) {
                    continue;  // "3201 0112 ...": grouping for readability
                }
                if (!isDigit(c)) {
                    return notice("kiosk.field.digits_only");
                }
                out.push_back(c);
            }
            return std::nullopt;
        }
        case InputRule::phone: {
            // The same separators core/validation ignores; what is left must be digits and a
            // + only in front.
            const std::string kept = stripPhoneSeparators(add);
            for (std::size_t i = 0; i < kept.size(); ++i) {
                const char c = kept[i];
                if (c == '+') {
                    if (!e.value.empty() || i != 0) {
                        return notice("kiosk.field.phone_plus");
                    }
                } else if (!isDigit(c)) {
                    return notice("kiosk.field.phone_chars");
                }
            }
            out = kept;
            return std::nullopt;
        }
    }
    return std::nullopt;
}

std::size_t countOf(InputRule rule, std::string_view s) {
    return rule == InputRule::text ? codePointCount(s) : digitCount(s);
}

}  // namespace

bool typeInto(Editing& e, std::string_view add) {
    std::string piece;
    if (auto refused = filtered(e, add, piece)) {
        e.notice = std::move(refused);
        return false;
    }
    if (piece.empty()) {
        return false;  // only separators: nothing to add, nothing refused
    }
    if (countOf(e.rule, e.value) + countOf(e.rule, piece) > e.maxLength) {
        const bool digits = e.rule != InputRule::text;
        e.notice = notice(digits ? "kiosk.field.limit_digits" : "kiosk.field.limit",
                          {{"max", std::to_string(e.maxLength)}});
        return false;
    }
    e.value.append(piece);
    e.notice.reset();
    return true;
}

std::size_t inputCount(const Editing& e) {
    return countOf(e.rule, e.value);
}

Text counterText(const Editing& e) {
    return notice(e.rule == InputRule::text ? "kiosk.field.count" : "kiosk.field.count_digits",
                  {{"count", std::to_string(inputCount(e))}, {"max", std::to_string(e.maxLength)}});
}

void backspace(Editing& e) {
    backspace(e.value);
    e.notice.reset();
}

void backspace(std::string& text) {
    if (text.empty()) {
        return;
    }
    // Remove one whole UTF-8 character: continuation bytes are 10xxxxxx.
    std::size_t n = text.size() - 1;
    while (n > 0 && (static_cast<unsigned char>(text[n]) & 0xC0) == 0x80) {
        --n;
    }
    text.erase(n);
}

std::vector<std::string> keyPath(char c, bool numeric) {
    if (c == ' ') {
        return {"kb.space"};
    }
    if (c == '\n') {
        return {"kb.enter"};
    }
    if (numeric) {
        return {keyId(c)};
    }
    const char lower = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    for (const char* row : kLetters) {
        if (std::string_view(row).find(lower) != std::string_view::npos) {
            if (lower != c) {
                return {"kb.shift", keyId(lower)};
            }
            return {keyId(c)};
        }
    }
    if (c == '/' || c == '-' || c == '&') {
        return {keyId(c)};  // on the bottom row of both layers
    }
    return {"kb.sym", keyId(c), "kb.sym"};
}

void Keyboard::reset() {
    shift_ = false;
    symbols_ = false;
    backspaceSinceMs_ = -1;
}

std::int64_t Keyboard::repeatWaitMs(std::int64_t nowMs) const {
    if (backspaceSinceMs_ < 0) {
        return INT64_MAX;
    }
    const auto first = backspaceSinceMs_ + kRepeatDelayMs;
    if (nowMs < first) {
        return first - nowMs;
    }
    return std::max<std::int64_t>(0, lastRepeatMs_ + kRepeatEveryMs - nowMs);
}

Keyboard::Result Keyboard::draw(Ui& ui, Editing& e, std::int64_t nowMs) {
    const bool numeric = e.numeric;
    const Metrics& m = ui.metrics();
    const float spacing = std::max(4.0f, m.pad * 0.5f);
    ImGui::PushStyleVar(ImGuiStyleVar_ItemSpacing, ImVec2(spacing, spacing));
    const float avail = ImGui::GetContentRegionAvail().x;
    Result result = Result::none;
    auto typed = [&](std::string_view s) {
        if (typeInto(e, s)) {
            result = Result::changed;
        }
    };

    // Backspace: one character on touch, then repeating while held.
    auto backspaceKey = [&](float w, float h) {
        ui.button("kb.back", ui.tr("kiosk.keyboard.backspace"), ImVec2(w, h), Tone::normal);
        if (ImGui::IsItemActivated()) {
            backspace(e);
            result = Result::changed;
            backspaceSinceMs_ = nowMs;
            lastRepeatMs_ = nowMs;
        } else if (ImGui::IsItemActive() && backspaceSinceMs_ >= 0) {
            if (nowMs - backspaceSinceMs_ >= kRepeatDelayMs &&
                nowMs - lastRepeatMs_ >= kRepeatEveryMs) {
                backspace(e);
                result = Result::changed;
                lastRepeatMs_ = nowMs;
            }
        } else {
            backspaceSinceMs_ = -1;
        }
    };

    if (numeric) {
        const float w = std::min((avail - 2 * spacing) / 3, m.target * 2.6f);
        const float h = m.target;
        const float indent = (avail - (3 * w + 2 * spacing)) / 2;
        const char* rows[] = {"123", "456", "789"};
        for (const char* row : rows) {
            ImGui::SetCursorPosX(ImGui::GetCursorPosX() + indent);
            for (int i = 0; i < 3; ++i) {
                if (i > 0) {
                    ImGui::SameLine();
                }
                const char label[2] = {row[i], 0};
                if (ui.button(keyId(row[i]), label, ImVec2(w, h), Tone::normal, ui.headingFont())) {
                    typed(label);
                }
            }
        }
        ImGui::SetCursorPosX(ImGui::GetCursorPosX() + indent);
        if (ui.button("kb.+", "+", ImVec2(w, h), Tone::normal, ui.headingFont())) {
            typed("+");
        }
        ImGui::SameLine();
        if (ui.button("kb.0", "0", ImVec2(w, h), Tone::normal, ui.headingFont())) {
            typed("0");
        }
        ImGui::SameLine();
        backspaceKey(w, h);
        ImGui::SetCursorPosX(ImGui::GetCursorPosX() + indent);
        if (ui.button("kb.done", ui.tr("kiosk.keyboard.done"), ImVec2(3 * w + 2 * spacing, h),
                      Tone::primary)) {
            result = Result::done;
        }
        ImGui::PopStyleVar();
        return result;
    }

    const float unit = (avail - 9 * spacing) / 10;
    const float h = m.target;
    const auto& rows = symbols_ ? kSymbols : kLetters;
    for (int r = 0; r < 4; ++r) {
        const std::string_view row = rows[r];
        float x0 = ImGui::GetCursorPosX();
        if (r == 3) {
            // Shift to the left of the last row, backspace to its right.
            if (ui.button("kb.shift", ui.tr("kiosk.keyboard.shift"), ImVec2(unit * 1.5f, h),
                          shift_ ? Tone::selected : Tone::normal)) {
                shift_ = !shift_;
            }
            ImGui::SameLine();
        } else if (row.size() < 10) {
            ImGui::SetCursorPosX(x0 + (10 - row.size()) * (unit + spacing) / 2);
        }
        const float keyW =
            r == 3 ? (avail - 3.0f * unit - (row.size() + 1) * spacing) / row.size() : unit;
        for (std::size_t i = 0; i < row.size(); ++i) {
            if (i > 0) {
                ImGui::SameLine();
            }
            char c = row[i];
            const char shown =
                shift_ ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
            const char label[2] = {shown, 0};
            if (ui.button(keyId(c), label, ImVec2(keyW, h))) {
                typed(label);
                shift_ = false;  // one capital, like a phone keyboard
            }
        }
        if (r == 3) {
            ImGui::SameLine();
            backspaceKey(unit * 1.5f, h);
        }
    }
    // Bottom row: symbols, the address punctuation, space, done.
    if (ui.button("kb.sym", symbols_ ? ui.tr("kiosk.keyboard.letters") : "?123",
                  ImVec2(unit * 1.5f, h), symbols_ ? Tone::selected : Tone::normal)) {
        symbols_ = !symbols_;
        shift_ = false;
    }
    for (char c : {'/', '-'}) {
        ImGui::SameLine();
        const char label[2] = {c, 0};
        if (ui.button(keyId(c), label, ImVec2(unit, h))) {
            typed(label);
        }
    }
    ImGui::SameLine();
    if (ui.button("kb.space", ui.tr("kiosk.keyboard.space"), ImVec2(unit * 3 + 2 * spacing, h))) {
        typed(" ");
    }
    ImGui::SameLine();
    if (ui.button("kb.&", "&", ImVec2(unit, h))) {
        typed("&");
    }
    ImGui::SameLine();
    if (ui.button("kb.done", ui.tr("kiosk.keyboard.done"),
                  ImVec2(avail - ImGui::GetCursorPosX() + ImGui::GetWindowContentRegionMin().x, h),
                  Tone::primary)) {
        result = Result::done;
    }
    ImGui::PopStyleVar();
    return result;
}

}  // namespace lapor::kiosk
