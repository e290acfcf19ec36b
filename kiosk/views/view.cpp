// The frame chores every screen shares: bars, the keyboard editor, the idle warning, the QR code.
#include "kiosk/views/view.hpp"
#include <algorithm>

#include <string>

#include "hardware/qr.hpp"

namespace lapor::kiosk {

namespace {

constexpr ImGuiWindowFlags kFullScreen =
    ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoSavedSettings |
    ImGuiWindowFlags_NoBringToFrontOnFocus | ImGuiWindowFlags_NoScrollWithMouse;

// Touch scrolling: dragging anywhere in a scrollable area moves it (ImGui scrolls by wheel only),
// also when the finger came down on a button (which then does not fire: Ui::dragged()).
void dragToScroll(const Ui& ui) {
    const ImGuiIO& io = ImGui::GetIO();
    if (ImGui::IsWindowHovered(ImGuiHoveredFlags_ChildWindows |
                               ImGuiHoveredFlags_AllowWhenBlockedByActiveItem) &&
        ImGui::IsMouseDragging(ImGuiMouseButton_Left, ui.dragThreshold())) {
        ImGui::SetScrollY(ImGui::GetScrollY() - io.MouseDelta.y);
    }
}

int errorCount(const Flow& flow) {
    int n = 0;
    for (int f = 0; f <= static_cast<int>(Field::consent); ++f) {
        n += flow.error(static_cast<Field>(f)) != nullptr ? 1 : 0;
    }
    return n;
}

// "More below": a band across the bottom of the content while it continues below the fold
// (a thin scrollbar alone is easily missed by someone new to touchscreens). In the footer it is a
// button that scrolls down a page; without a footer it is painted over the content's last line.
constexpr float kMoreBelowSlack = 2.0f;

void topBar(ViewContext& ctx) {
    Ui& ui = ctx.ui;
    Flow& flow = ctx.flow;
    const Metrics& m = ui.metrics();
    // The other language, named in itself (kiosk.bar.other_language), one touch away.
    const std::string otherLang = ui.tr("kiosk.bar.other_language");
    const std::string largeLabel = ui.tr("kiosk.bar.large_text");
    const std::string readLabel =
        ui.tr(flow.speechUnavailable() ? "kiosk.bar.no_sound" : "kiosk.bar.read_aloud");
    float widest = 0;
    for (const std::string* label : {&otherLang, &largeLabel, &readLabel}) {
        widest = std::max(widest, ImGui::CalcTextSize(label->c_str()).x);
    }
    const float bw = std::max(m.target * 2.2f, widest + ImGui::GetStyle().FramePadding.x * 4);
    ImGui::PushFont(ui.headingFont());
    ImGui::AlignTextToFramePadding();
    ImGui::SetCursorPosY(ImGui::GetCursorPosY() + (m.target - ImGui::GetTextLineHeight()) / 2 -
                         ImGui::GetStyle().FramePadding.y);
    ImGui::TextUnformatted(
        ui.tr(std::string("kiosk.") + screenName(flow.screen()) + ".title").c_str());
    ImGui::PopFont();
    const float right = ImGui::GetWindowContentRegionMax().x;
    const float spacing = ImGui::GetStyle().ItemSpacing.x;
    ImGui::SameLine(right - 3 * bw - 2 * spacing);
    ImGui::SetCursorPosY(ImGui::GetStyle().WindowPadding.y);
    if (ui.button("bar.large_text", largeLabel, ImVec2(bw, m.target),
                  flow.largeText() ? Tone::selected : Tone::quiet)) {
        flow.toggleLargeText();
    }
    ImGui::SameLine();
    if (ui.button("bar.read_aloud", readLabel, ImVec2(bw, m.target), Tone::quiet)) {
        ctx.app.readAloud();
    }
    ImGui::SameLine();
    const bool id = flow.lang() == Lang::id;
    if (ui.button("bar.lang", otherLang, ImVec2(bw, m.target), Tone::quiet)) {
        flow.setLang(id ? Lang::en : Lang::id);
    }
    if (flow.stepNumber() > 0) {
        ui.textSmall(ui.tr(Text{"kiosk.bar.step",
                                {{"n", std::to_string(flow.stepNumber())},
                                 {"total", std::to_string(flow.stepCount())}}}));
    }
    // Who is signed in (or assists this report) always shows.
    if (const auto& staff = flow.staff()) {
        ui.textSmall(
            ui.tr(Text{"kiosk.staff.signed_in", {{"name", staff->name}, {"id", staff->id}}}));
        ui.registerRect("bar.staff", ImGui::GetItemRectMin(), ImGui::GetItemRectMax());
    } else if (flow.assisted()) {
        ui.textSmall(ui.tr(Text{"kiosk.staff.assisted_by",
                                {{"name", flow.assistedName()}, {"id", flow.assistedBy()}}}));
    }
    ui.rule();
}

// The field being typed into, large, with its keyboard below.
void editor(ViewContext& ctx, Editing& e) {
    Ui& ui = ctx.ui;
    const Metrics& m = ui.metrics();
    ui.editorLabel(e);
    const float w = ImGui::GetContentRegionAvail().x;
    const float kbRows = 5.0f;  // the numeric pad and the letter keyboard both have five rows
    const float kbH = kbRows * (m.target + std::max(4.0f, m.pad * 0.5f));
    const float errH = ImGui::GetTextLineHeightWithSpacing() * 2;
    float boxH = ImGui::GetContentRegionAvail().y - kbH - errH - m.pad;
    boxH = std::max(boxH, m.target);
    if (!e.multiline) {
        boxH = std::min(boxH, m.target * 1.2f);
    }
    ImGui::PushStyleColor(ImGuiCol_ChildBg, ImVec4(1, 1, 1, 1));
    ImGui::PushStyleVar(ImGuiStyleVar_ChildBorderSize, 2.0f);
    ImGui::BeginChild("editor.box", ImVec2(w, boxH), true);
    ImGui::PushTextWrapPos(0.0f);
    // A caret at the end: the keyboard only ever appends or deletes at the end.
    const std::string shown = e.value + "|";
    ImGui::TextUnformatted(shown.c_str());
    ImGui::PopTextWrapPos();
    ImGui::SetScrollHereY(1.0f);
    ImGui::EndChild();
    ImGui::PopStyleVar();
    ImGui::PopStyleColor();
    // The inline message follows the field while it is typed.
    const Field* f = nullptr;
    static const std::pair<const char*, Field> ids[] = {
        {"what.title", Field::title}, {"what.body", Field::body}, {"what.place", Field::place},
        {"about.name", Field::name},  {"about.nik", Field::nik},  {"about.phone", Field::phone},
        {"about.email", Field::email}};
    for (const auto& [id, field] : ids) {
        if (e.id == id) {
            f = &field;
        }
    }
    ImGui::PushFont(ui.smallFont());
    // Why the last key was not taken (a limit, a character the field does not take) comes first:
    // it answers what the visitor just did.
    ui.errorText(e.notice ? &*e.notice : nullptr);
    if (f) {
        ui.errorText(ctx.flow.error(*f));
    }
    ImGui::PopFont();
    const float kbTop = ImGui::GetWindowHeight() - kbH - ImGui::GetStyle().WindowPadding.y;
    bool close = false;
    if (e.preview) {
        // What the field finds as it is typed (region search results), between box and keys.
        const float h = kbTop - ImGui::GetCursorPosY() - ImGui::GetStyle().ItemSpacing.y;
        if (h > m.target * 0.5f) {
            ImGui::BeginChild("editor.preview", ImVec2(w, h), false,
                              ImGuiWindowFlags_NoScrollWithMouse);
            close = e.preview(ctx);
            dragToScroll(ui);
            ImGui::EndChild();
        }
    }
    ImGui::SetCursorPosY(kbTop);
    const auto r = ctx.keyboard.draw(ui, e, ctx.app.nowMs());
    if (r != Keyboard::Result::none && e.commit) {
        e.commit(e.value);
    }
    if (r == Keyboard::Result::done || close) {
        ctx.keyboard.reset();
        ui.editing().reset();
    }
}

void idleWarning(ViewContext& ctx) {
    Ui& ui = ctx.ui;
    const Metrics& m = ui.metrics();
    const ImVec2 size(m.width, m.height);
    ImGui::SetNextWindowPos(ImVec2(0, 0));
    ImGui::SetNextWindowSize(size);
    ImGui::SetNextWindowFocus();
    ImGui::PushStyleColor(ImGuiCol_WindowBg, ImVec4(0.08f, 0.1f, 0.16f, 0.92f));
    ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(1, 1, 1, 1));
    ImGui::Begin("idle", nullptr, kFullScreen & ~ImGuiWindowFlags_NoBringToFrontOnFocus);
    const float w = std::min(size.x * 0.8f, m.target * 12);
    ImGui::SetCursorPos(ImVec2((size.x - w) / 2, size.y * 0.18f));
    ImGui::BeginGroup();
    ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + w);
    ImGui::PushFont(ui.headingFont());
    ImGui::TextUnformatted(ui.tr("kiosk.idle.title").c_str());
    ImGui::PopFont();
    ImGui::TextUnformatted(ui.tr(Text{"kiosk.idle.question",
                                      {{"seconds", std::to_string(ctx.flow.idleSecondsLeft())}}})
                               .c_str());
    ImGui::PopTextWrapPos();
    ImGui::Dummy(ImVec2(0, m.pad));
    if (ui.button("idle.more_time", ui.tr("kiosk.idle.more_time"), ImVec2(w, m.target * 1.8f),
                  Tone::primary, ui.headingFont())) {
        ctx.flow.moreTime();
    }
    ImGui::EndGroup();
    ImGui::End();
    ImGui::PopStyleColor(2);
}

}  // namespace

float View::fullWidth() {
    return ImGui::GetContentRegionAvail().x;
}

int View::footerPair(Ui& ui, std::string_view leftId, const std::string& leftLabel,
                     std::string_view rightId, const std::string& rightLabel, Tone rightTone) {
    const Metrics& m = ui.metrics();
    const float w = std::max(m.target * 3.2f, m.width * 0.22f);
    int touched = 0;
    if (ui.button(leftId, leftLabel, ImVec2(w, m.target), Tone::quiet)) {
        touched = 1;
    }
    if (!rightId.empty()) {
        ImGui::SameLine(ImGui::GetWindowContentRegionMax().x - w);
        if (ui.button(rightId, rightLabel, ImVec2(w, m.target), rightTone)) {
            touched = 2;
        }
    }
    return touched;
}

void View::drawFooter(ViewContext& ctx) {
    Ui& ui = ctx.ui;
    const int touched = footerPair(ui, "nav.back", ui.tr("kiosk.nav.back"), "nav.next",
                                   ui.tr("kiosk.nav.next"), Tone::primary);
    if (touched == 1) {
        ctx.flow.back();
    } else if (touched == 2) {
        ctx.flow.next();
    }
}

void View::draw(ViewContext& ctx) {
    Ui& ui = ctx.ui;
    const Metrics& m = ui.metrics();
    ImGui::SetNextWindowPos(ImVec2(0, 0));
    ImGui::SetNextWindowSize(ImVec2(m.width, m.height));
    ImGui::Begin("screen", nullptr, kFullScreen);
    auto& editing = ui.editing();
    if (editing) {
        editor(ctx, *editing);
        errors_ = errorCount(ctx.flow);  // messages that change while typing move nothing
    } else {
        // Every screen and page opens at its top, heading and instructions in view; when a tap
        // brought up a new error (Next, Send), the content scrolls to the first one instead.
        const bool newPage =
            ui.enterPage(std::string(screenName(ctx.flow.screen())) + "/" + std::to_string(page()));
        const int errors = errorCount(ctx.flow);
        const bool newError = errors > errors_ || (newPage && errors > 0);
        if (newPage) {
            ImGui::SetNextWindowScroll(ImVec2(0, 0));
        } else if (scrollTo_) {
            ImGui::SetNextWindowScroll(ImVec2(0, std::max(0.0f, *scrollTo_)));
        }
        scrollTo_.reset();
        errors_ = errors;
        if (showTopBar()) {
            topBar(ctx);
        }
        const float footerH = showFooter() ? m.target + ImGui::GetStyle().ItemSpacing.y * 2 : 0.0f;
        ImGui::BeginChild("content", ImVec2(0, -footerH), false,
                          ImGuiWindowFlags_NoScrollWithMouse);
        ui.clearFirstError();
        drawContent(ctx);
        dragToScroll(ui);
        const float scrollY = ImGui::GetScrollY();
        const float scrollMax = ImGui::GetScrollMaxY();
        const float pageH = ImGui::GetWindowHeight();
        ui.setContentScroll({scrollY, scrollMax});
        if (newError && ui.firstErrorY()) {
            // The field's label and the field a third of the way down, not at the very edge.
            scrollTo_ = *ui.firstErrorY() - pageH / 3;
        }
        const bool more = scrollY < scrollMax - kMoreBelowSlack;
        const bool inFooter = showFooter() && moreBelowSpan(ui).has_value();
        if (more && !inFooter) {
            moreBelowBand(ui);
        }
        ImGui::EndChild();
        if (showFooter()) {
            ui.rule();
            const ImVec2 footerAt = ImGui::GetCursorPos();
            drawFooter(ctx);
            if (more && inFooter) {
                moreBelowButton(ui, footerAt, scrollY + pageH * 0.8f);
            }
        }
    }
    ImGui::End();
    if (ctx.flow.idleWarning()) {
        idleWarning(ctx);
    }
}

void View::moreBelowBand(Ui& ui) {
    const Metrics& m = ui.metrics();
    const std::string label = ui.tr("kiosk.nav.more_below");
    ImGui::PushFont(ui.smallFont());
    const float h = ImGui::GetTextLineHeight() + m.pad;
    const ImVec2 win = ImGui::GetWindowPos();
    const ImVec2 size = ImGui::GetWindowSize();
    const ImVec2 a(win.x, win.y + size.y - h);
    ImDrawList* dl = ImGui::GetWindowDrawList();
    dl->AddRectFilled(a, ImVec2(win.x + size.x, win.y + size.y), IM_COL32(22, 80, 160, 235));
    const ImVec2 ts = ImGui::CalcTextSize(label.c_str());
    const ImVec2 at(win.x + (size.x - ts.x) / 2, a.y + m.pad / 2);
    dl->AddText(at, IM_COL32(255, 255, 255, 255), label.c_str());
    downArrows(dl, at, ts, IM_COL32(255, 255, 255, 255));
    ImGui::PopFont();
}

// Down arrows either side of a label at `at` of size `ts` (drawn: the fonts have no arrows).
void View::downArrows(ImDrawList* dl, ImVec2 at, ImVec2 ts, ImU32 col) {
    const float s = ImGui::GetFontSize();
    const float gap = s * 0.6f;
    ImGui::RenderArrow(dl, ImVec2(at.x - gap - s, at.y), col, ImGuiDir_Down);
    ImGui::RenderArrow(dl, ImVec2(at.x + ts.x + gap, at.y), col, ImGuiDir_Down);
}

std::optional<std::pair<float, float>> View::moreBelowSpan(const Ui& ui) {
    const Metrics& m = ui.metrics();
    // Between the footer's buttons (back on the left, next or send on the right), in the screen
    // window's coordinates; none on a screen too narrow (the band over the content then).
    const float side = std::max(m.target * 3.2f, m.width * 0.22f) * 1.3f;
    const ImGuiStyle& style = ImGui::GetStyle();
    const float x0 = style.WindowPadding.x + side + style.ItemSpacing.x;
    const float x1 = m.width - style.WindowPadding.x - side - style.ItemSpacing.x;
    if (x1 - x0 < m.target) {
        return std::nullopt;
    }
    return std::make_pair(x0, x1);
}

void View::moreBelowButton(Ui& ui, ImVec2 footerAt, float scrollTo) {
    const Metrics& m = ui.metrics();
    const auto [x0, x1] = *moreBelowSpan(ui);
    ImGui::SetCursorPos(ImVec2(x0, footerAt.y));
    const std::string label = ui.tr("kiosk.nav.more_below");
    if (ui.button("nav.more", label, ImVec2(x1 - x0, m.target), Tone::selected)) {
        scrollTo_ = scrollTo;
    }
    const ImVec2 ts = ImGui::CalcTextSize(label.c_str());
    const ImVec2 min = ImGui::GetItemRectMin();
    const ImVec2 max = ImGui::GetItemRectMax();
    downArrows(ImGui::GetWindowDrawList(),
               ImVec2((min.x + max.x - ts.x) / 2, (min.y + max.y - ts.y) / 2), ts,
               IM_COL32(255, 255, 255, 255));
}

void drawQr(std::string_view payload, float size) {
    auto bitmap = hw::qrBitmap(payload, 1);
    if (!bitmap) {
        ImGui::Dummy(ImVec2(size, size));
        return;
    }
    const hw::Bitmap& b = bitmap.value();
    const ImVec2 pos = ImGui::GetCursorScreenPos();
    const float cell = std::floor(size / static_cast<float>(b.width));
    const float real = cell * static_cast<float>(b.width);
    ImDrawList* dl = ImGui::GetWindowDrawList();
    dl->AddRectFilled(pos, ImVec2(pos.x + real, pos.y + real), IM_COL32(255, 255, 255, 255));
    for (int y = 0; y < b.height; ++y) {
        for (int x = 0; x < b.width; ++x) {
            if (b.at(x, y)) {
                const ImVec2 a(pos.x + x * cell, pos.y + y * cell);
                dl->AddRectFilled(a, ImVec2(a.x + cell, a.y + cell), IM_COL32(0, 0, 0, 255));
            }
        }
    }
    ImGui::Dummy(ImVec2(real, real));
}

void fitImage(SDL_Texture* tex, int tw, int th, ImVec2 box) {
    const ImVec2 start = ImGui::GetCursorPos();
    if (tex != nullptr && tw > 0 && th > 0) {
        const float s = std::min(box.x / static_cast<float>(tw), box.y / static_cast<float>(th));
        const ImVec2 size(tw * s, th * s);
        ImGui::SetCursorPos(ImVec2(start.x + (box.x - size.x) / 2, start.y + (box.y - size.y) / 2));
        ImGui::Image(reinterpret_cast<ImTextureID>(tex), size);
    }
    ImGui::SetCursorPos(start);
    ImGui::Dummy(box);
}

}  // namespace lapor::kiosk
