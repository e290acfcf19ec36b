// Touch-first drawing helpers: metrics, fonts, buttons, fields, toggles.
#include "kiosk/ui.hpp"

#include <utility>

#include <algorithm>
#include <cmath>
#include <filesystem>

#include <imgui_internal.h>

#include "core/wipe.hpp"
#include "kiosk/widgets/keyboard.hpp"

namespace lapor::kiosk {

namespace {

ImVec4 rgb(int r, int g, int b, float a = 1.0f) {
    return ImVec4(r / 255.f, g / 255.f, b / 255.f, a);
}

struct Palette {
    ImVec4 bg, fg, hover, active;
};

Palette paletteFor(Tone tone) {
    switch (tone) {
        case Tone::primary:
            return {rgb(176, 24, 32), rgb(255, 255, 255), rgb(200, 40, 48), rgb(140, 16, 24)};
        case Tone::danger:
            return {rgb(120, 20, 20), rgb(255, 255, 255), rgb(150, 30, 30), rgb(100, 10, 10)};
        case Tone::quiet:
            return {rgb(255, 255, 255), rgb(30, 40, 60), rgb(235, 238, 245), rgb(210, 215, 225)};
        case Tone::selected:
            return {rgb(22, 80, 160), rgb(255, 255, 255), rgb(30, 96, 184), rgb(16, 64, 130)};
        case Tone::normal: break;
    }
    return {rgb(226, 231, 240), rgb(20, 28, 45), rgb(210, 218, 232), rgb(190, 200, 218)};
}

}  // namespace

Metrics computeMetrics(float width, float height, float dpi, bool largeText) {
    Metrics m;
    m.width = width;
    m.height = height;
    // A kiosk panel is usually 10 to 15 inches; 1280x800 at 10.1" is ~150 dpi. Without a DPI from
    // the display, take the window height as that of a 10.1" 16:10 panel (136 mm).
    float pxPerMm = dpi > 0 ? dpi / 25.4f : height / 136.0f;
    pxPerMm = std::clamp(pxPerMm, 3.0f, 12.0f);
    m.pxPerMm = pxPerMm;
    m.target = std::max(48.0f, std::round(12.0f * pxPerMm));
    // Body text scales with the shorter relative side: 26 px at 1280x800, never below 18 px.
    const float scale = std::min(width / 1280.0f, height / 800.0f);
    m.body = std::max(18.0f, std::round(26.0f * scale));
    if (largeText) {
        m.body = std::round(m.body * 1.35f);
        m.target = std::round(m.target * 1.2f);
    }
    m.small = std::max(16.0f, std::round(m.body * 0.85f));
    m.heading = std::round(m.body * 1.4f);
    m.huge = std::round(m.body * 2.6f);
    m.pad = std::round(m.body * 0.5f);
    return m;
}

std::string findFont(bool bold) {
    const char* noto = bold ? "/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf"
                            : "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf";
    const char* dejavu = bold ? "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
                              : "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
    std::error_code ec;
    if (std::filesystem::exists(noto, ec)) {
        return noto;
    }
    if (std::filesystem::exists(dejavu, ec)) {
        return dejavu;
    }
    return {};
}

bool Ui::prepareFonts(const Metrics& metrics) {
    m_ = metrics;
    if (builtBody_ == metrics.body && fontBody_ != nullptr) {
        return false;
    }
    builtBody_ = metrics.body;
    ImGuiIO& io = ImGui::GetIO();
    io.Fonts->Clear();
    const std::string regular = findFont(false);
    const std::string bold = findFont(true);
    // Latin with Latin Extended-A (names such as "Ǹ" are rare, accented Latin is not).
    static const ImWchar ranges[] = {0x0020, 0x00FF, 0x0100, 0x017F, 0x2013,
                                     0x2026, 0x2190, 0x2193, 0};
    ImFontConfig cfg;
    cfg.OversampleH = 1;  // sizes are exact, so no horizontal oversampling is needed for sharpness
    cfg.OversampleV = 1;
    cfg.PixelSnapH = true;
    auto add = [&](const std::string& file, float size) -> ImFont* {
        if (file.empty()) {
            ImFontConfig def;
            def.SizePixels = size;
            return io.Fonts->AddFontDefault(&def);
        }
        return io.Fonts->AddFontFromFileTTF(file.c_str(), size, &cfg, ranges);
    };
    fontBody_ = add(regular, m_.body);
    fontSmall_ = add(regular, m_.small);
    fontHeading_ = add(bold, m_.heading);
    fontHuge_ = add(bold, m_.huge);
    io.Fonts->Build();

    ImGuiStyle& style = ImGui::GetStyle();
    style = ImGuiStyle();
    ImGui::StyleColorsLight(&style);
    style.WindowPadding = ImVec2(m_.pad * 1.5f, m_.pad);
    style.FramePadding = ImVec2(m_.pad, m_.pad * 0.6f);
    style.ItemSpacing = ImVec2(m_.pad, m_.pad);
    style.FrameRounding = m_.pad * 0.6f;
    style.WindowRounding = 0;
    if (flat_) {
        style.FrameRounding = style.GrabRounding = style.ScrollbarRounding = 0;
        style.ChildRounding = style.PopupRounding = style.TabRounding = 0;
        style.AntiAliasedFill = false;
    }
    style.ScrollbarSize = std::max(12.0f, m_.pxPerMm * 4.0f);
    style.TouchExtraPadding = ImVec2(2, 2);
    style.Colors[ImGuiCol_WindowBg] = rgb(248, 249, 252);
    style.Colors[ImGuiCol_ChildBg] = rgb(248, 249, 252, 0);
    style.Colors[ImGuiCol_Text] = rgb(20, 28, 45);
    style.Colors[ImGuiCol_Border] = rgb(150, 160, 180);
    return true;
}

void Ui::beginFrame() {
    rects_.clear();
    animated_ = std::exchange(animating_, false);
    // Copies of what was on screen, a visitor's phone among them: zeroed, not just dropped (short
    // strings live inside the vector's own buffer, which clear() keeps).
    for (std::string& t : shown_) {
        wipeString(t);
    }
    shown_.clear();
}

void Ui::noteShown(std::string_view t) {
    if (recordText_ && !t.empty() && ImGui::IsItemVisible()) {
        shown_.emplace_back(t);
    }
}

bool Ui::showsText(std::string_view needle) const {
    return std::any_of(shown_.begin(), shown_.end(), [needle](const std::string& t) {
        return t.find(needle) != std::string::npos;
    });
}

void Ui::registerRect(std::string_view id, ImVec2 min, ImVec2 max) {
    ImRect r(min, max);
    r.ClipWithFull(ImGui::GetCurrentWindow()->ClipRect);
    rects_.insert_or_assign(std::string(id), r);
    if (!scrollTarget_.empty() && scrollTarget_ == id) {
        ImGui::SetScrollHereY(0.5f);
        scrollTarget_.clear();
    }
}

std::optional<ImVec2> Ui::visibleCenterOf(std::string_view id) const {
    auto it = rects_.find(id);
    // Touchable only when enough of it shows (at least 8 px each way).
    if (it == rects_.end() || it->second.GetWidth() < 8 || it->second.GetHeight() < 8) {
        return std::nullopt;
    }
    return it->second.GetCenter();
}

bool Ui::hasWidget(std::string_view id) const {
    return rects_.count(id) != 0;
}

namespace {

// The label's lines at `wrap` pixels, broken at spaces as ImGui wraps text (a word longer than
// the line is broken where it must be).
std::vector<std::string_view> wrapLines(ImFont* font, std::string_view label, float wrap) {
    std::vector<std::string_view> lines;
    const char* s = label.data();
    const char* end = label.data() + label.size();
    while (s < end) {
        const char* brk = font->CalcWordWrapPositionA(1.0f, s, end, wrap);
        if (brk == s) {
            ++brk;  // not even one character fits: take it anyway, never loop
        }
        const char* lineEnd = brk;
        while (lineEnd > s && lineEnd[-1] == ' ') {
            --lineEnd;
        }
        lines.emplace_back(s, static_cast<std::size_t>(lineEnd - s));
        s = brk;
        while (s < end && (*s == ' ' || *s == '\n')) {
            ++s;
        }
    }
    return lines;
}

}  // namespace

float Ui::buttonHeight(std::string_view label, float width, float minHeight, ImFont* font) const {
    ImFont* f = font ? font : ImGui::GetFont();
    const ImVec2 pad = ImGui::GetStyle().FramePadding;
    const float wrap = std::max(1.0f, std::max(width, m_.target) - 2 * pad.x);
    const auto lines = wrapLines(f, label, wrap);
    const float textH = static_cast<float>(lines.size()) * f->FontSize;
    return std::max({minHeight, m_.target, textH + 2 * pad.y});
}

bool Ui::button(std::string_view id, std::string_view label, ImVec2 size, Tone tone, ImFont* font) {
    const Palette p = paletteFor(tone);
    size.x = std::max(size.x, m_.target);
    size.y = buttonHeight(label, size.x, size.y, font);
    ImGui::PushStyleColor(ImGuiCol_Button, p.bg);
    ImGui::PushStyleColor(ImGuiCol_ButtonHovered, p.hover);
    ImGui::PushStyleColor(ImGuiCol_ButtonActive, p.active);
    ImGui::PushStyleColor(ImGuiCol_Text, p.fg);
    ImGui::PushStyleVar(ImGuiStyleVar_FrameBorderSize, tone == Tone::quiet ? 2.0f : 0.0f);
    if (font) {
        ImGui::PushFont(font);
    }
    // The button without a label, then the label's lines centred on it: ImGui's own label would
    // be one line, clipped at the edge.
    const std::string full = "##" + std::string(id);
    // A touch that moved beyond the slop was a drag (it scrolled): no press.
    const bool pressed = ImGui::Button(full.c_str(), size) && !dragged();
    const ImVec2 min = ImGui::GetItemRectMin();
    ImFont* f = ImGui::GetFont();
    const float wrap = std::max(1.0f, size.x - 2 * ImGui::GetStyle().FramePadding.x);
    const auto lines = wrapLines(f, label, wrap);
    const float lineH = f->FontSize;
    float y = min.y + (size.y - lineH * static_cast<float>(lines.size())) / 2;
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const ImU32 fg = ImGui::GetColorU32(ImGuiCol_Text);
    for (const std::string_view line : lines) {
        const float lw =
            f->CalcTextSizeA(lineH, FLT_MAX, 0.0f, line.data(), line.data() + line.size()).x;
        dl->AddText(f, lineH, ImVec2(std::floor(min.x + (size.x - lw) / 2), std::floor(y)), fg,
                    line.data(), line.data() + line.size());
        y += lineH;
    }
    if (font) {
        ImGui::PopFont();
    }
    ImGui::PopStyleVar();
    ImGui::PopStyleColor(4);
    registerRect(id, min, ImGui::GetItemRectMax());
    noteShown(label);
    return pressed;
}

bool Ui::card(std::string_view id, std::string_view title, std::string_view explanation,
              float width, bool selected) {
    // Measure both lines, then draw one button with the text on top, so the whole card is one
    // target.
    ImGui::PushFont(fontHeading_);
    const float titleH = ImGui::GetTextLineHeight();
    ImGui::PopFont();
    ImGui::PushFont(fontSmall_);
    const float wrap = width - 2 * m_.pad * 1.5f;
    const ImVec2 explSize = ImGui::CalcTextSize(
        explanation.data(), explanation.data() + explanation.size(), false, wrap);
    ImGui::PopFont();
    const float h = std::max(m_.target * 1.3f, titleH + explSize.y + m_.pad * 3);
    const ImVec2 pos = ImGui::GetCursorScreenPos();
    const bool pressed = button(id, "", ImVec2(width, h), selected ? Tone::selected : Tone::normal);
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const ImU32 fg = ImGui::GetColorU32(selected ? rgb(255, 255, 255) : rgb(20, 28, 45));
    const float x = pos.x + m_.pad * 1.5f;
    dl->AddText(fontHeading_, fontHeading_->FontSize, ImVec2(x, pos.y + m_.pad), fg, title.data(),
                title.data() + title.size());
    dl->AddText(fontSmall_, fontSmall_->FontSize, ImVec2(x, pos.y + m_.pad * 2 + titleH), fg,
                explanation.data(), explanation.data() + explanation.size(), wrap);
    noteShown(title);
    noteShown(explanation);
    return pressed;
}

void Ui::heading(std::string_view t) {
    ImGui::PushFont(fontHeading_);
    ImGui::PushTextWrapPos(0.0f);
    ImGui::TextUnformatted(t.data(), t.data() + t.size());
    noteShown(t);
    ImGui::PopTextWrapPos();
    ImGui::PopFont();
}

void Ui::text(std::string_view t) {
    // Wrap at the window's edge, unless the view set a narrower column (a negative position
    // means none is set).
    const bool columnSet = ImGui::GetCurrentWindowRead()->DC.TextWrapPos >= 0.0f;
    if (!columnSet) {
        ImGui::PushTextWrapPos(0.0f);
    }
    ImGui::TextUnformatted(t.data(), t.data() + t.size());
    noteShown(t);
    if (!columnSet) {
        ImGui::PopTextWrapPos();
    }
}

void Ui::textSmall(std::string_view t) {
    ImGui::PushFont(fontSmall_);
    ImGui::PushStyleColor(ImGuiCol_Text, rgb(60, 70, 90));
    text(t);
    ImGui::PopStyleColor();
    ImGui::PopFont();
}

bool Ui::dragged() const {
    const float t = dragThreshold();
    return ImGui::GetIO().MouseDragMaxDistanceSqr[ImGuiMouseButton_Left] > t * t;
}

bool Ui::enterPage(std::string_view page) {
    if (page == page_) {
        return false;
    }
    page_ = std::string(page);
    errorSpace_.clear();
    return true;
}

void Ui::errorText(const Text* error) {
    // Keyed by the field drawn just before (the item the message belongs to).
    const ImGuiID slot = ImGui::GetItemID();
    const float y0 = ImGui::GetCursorPosY();
    if (error == nullptr) {
        if (auto it = errorSpace_.find(slot); slot != 0 && it != errorSpace_.end()) {
            ImGui::Dummy(ImVec2(0, it->second - ImGui::GetStyle().ItemSpacing.y));
        }
        return;
    }
    if (!firstErrorY_) {
        firstErrorY_ = ImGui::GetItemRectMin().y - ImGui::GetWindowPos().y + ImGui::GetScrollY();
    }
    ImGui::PushStyleColor(ImGuiCol_Text, rgb(176, 0, 16));
    text(tr(*error));
    ImGui::PopStyleColor();
    if (slot != 0) {
        float& kept = errorSpace_[slot];
        const float h = ImGui::GetCursorPosY() - y0;
        if (h < kept) {
            ImGui::Dummy(ImVec2(0, std::max(0.0f, kept - h - ImGui::GetStyle().ItemSpacing.y)));
        }
        kept = std::max(kept, h);
    }
}

namespace {
// The label, and at the right edge of its line the counter, in the small font.
void labelWithCounter(Ui& ui, const std::string& label, const std::string& counter) {
    const float right = ImGui::GetCursorPosX() + ImGui::GetContentRegionAvail().x;
    ImGui::PushFont(ui.smallFont());
    const float cw = ImGui::CalcTextSize(counter.c_str()).x;
    ImGui::PopFont();
    ImGui::PushTextWrapPos(right - cw - ImGui::GetStyle().ItemSpacing.x);
    ui.text(label);
    ImGui::PopTextWrapPos();
    ImGui::SameLine(right - cw);
    ImGui::PushFont(ui.smallFont());
    ImGui::SetCursorPosY(ImGui::GetCursorPosY() +
                         (ui.bodyFont()->FontSize - ui.smallFont()->FontSize));
    ImGui::PushStyleColor(ImGuiCol_Text, rgb(60, 70, 90));
    ImGui::TextUnformatted(counter.c_str());
    ImGui::PopStyleColor();
    ImGui::PopFont();
}
}  // namespace

void Ui::rule() {
    ImGuiWindow* window = ImGui::GetCurrentWindow();
    const float thickness = std::max(1.0f, std::round(m_.pxPerMm * 0.2f));
    const float y = std::round(ImGui::GetCursorScreenPos().y);
    const float x0 = std::round(window->InnerClipRect.Min.x);
    const float x1 = std::round(window->InnerClipRect.Max.x);
    window->DrawList->AddRectFilled(ImVec2(x0, y), ImVec2(x1, y + thickness),
                                    ImGui::GetColorU32(ImGuiCol_Separator));
    ImGui::Dummy(ImVec2(0.0f, thickness));
}

void Ui::editorLabel(const Editing& e) {
    labelWithCounter(*this, tr(e.labelKey), tr(counterText(e)));
}

void Ui::field(std::string_view id, std::string_view labelKey, const std::string& value,
               const Text* error, Editing editor, float width) {
    {
        Editing counted;
        counted.rule = editor.rule;
        counted.maxLength = editor.maxLength;
        counted.value = value;
        labelWithCounter(*this, tr(labelKey), tr(counterText(counted)));
        wipeString(counted.value);
    }
    const ImVec2 pos = ImGui::GetCursorScreenPos();
    const float lineH = ImGui::GetTextLineHeight();
    const float h =
        editor.multiline ? std::max(m_.target * 1.6f, lineH * 3 + m_.pad * 2) : m_.target;
    // A view of the value, not a copy: the value may be a visitor's NIK or phone.
    const std::string placeholder = value.empty() ? tr("kiosk.field.touch_to_type") : "";
    const std::string_view shown = value.empty() ? std::string_view(placeholder) : value;
    ImGui::PushStyleColor(ImGuiCol_Button, rgb(255, 255, 255));
    ImGui::PushStyleColor(ImGuiCol_ButtonHovered, rgb(245, 248, 255));
    ImGui::PushStyleColor(ImGuiCol_ButtonActive, rgb(230, 236, 250));
    ImGui::PushStyleVar(ImGuiStyleVar_FrameBorderSize, 2.0f);
    ImGui::PushStyleColor(ImGuiCol_Border, error ? rgb(176, 0, 16) : rgb(120, 130, 150));
    const std::string full = "##" + std::string(id);
    const bool pressed = ImGui::Button(full.c_str(), ImVec2(width, h)) && !dragged();
    ImGui::PopStyleColor(4);
    ImGui::PopStyleVar();
    registerRect(id, ImGui::GetItemRectMin(), ImGui::GetItemRectMax());
    noteShown(shown);
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const ImU32 fg = ImGui::GetColorU32(value.empty() ? rgb(110, 120, 140) : rgb(20, 28, 45));
    ImGui::PushClipRect(pos, ImVec2(pos.x + width, pos.y + h), true);
    dl->AddText(fontBody_, fontBody_->FontSize,
                ImVec2(pos.x + m_.pad, pos.y + (editor.multiline ? m_.pad : (h - lineH) / 2)), fg,
                shown.data(), shown.data() + shown.size(),
                editor.multiline ? width - 2 * m_.pad : 0.0f);
    ImGui::PopClipRect();
    errorText(error);
    if (pressed) {
        editor.id = std::string(id);
        editor.labelKey = std::string(labelKey);
        editor.value = value;
        editing_ = std::move(editor);
    }
}

bool Ui::toggle(std::string_view id, std::string_view title, std::string_view explanation, bool on,
                float width) {
    // The card, with a large check box drawn at its right edge.
    const ImVec2 pos = ImGui::GetCursorScreenPos();
    const float box = m_.target * 0.6f;
    const bool pressed = card(id, title, explanation, width - 0.0f, on);
    const ImVec2 max = ImGui::GetItemRectMax();
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const ImVec2 a(max.x - box - m_.pad * 1.5f, pos.y + ((max.y - pos.y) - box) / 2);
    const ImVec2 b(a.x + box, a.y + box);
    const float rounding = flat_ ? 0.0f : 4.0f;
    dl->AddRectFilled(a, b, ImGui::GetColorU32(rgb(255, 255, 255)), rounding);
    dl->AddRect(a, b, ImGui::GetColorU32(rgb(20, 28, 45)), rounding, 0, 3.0f);
    if (on) {
        const ImU32 c = ImGui::GetColorU32(rgb(22, 120, 40));
        dl->AddLine(ImVec2(a.x + box * 0.2f, a.y + box * 0.5f),
                    ImVec2(a.x + box * 0.42f, a.y + box * 0.75f), c, box * 0.14f);
        dl->AddLine(ImVec2(a.x + box * 0.42f, a.y + box * 0.75f),
                    ImVec2(a.x + box * 0.82f, a.y + box * 0.25f), c, box * 0.14f);
    }
    return pressed;
}

}  // namespace lapor::kiosk
