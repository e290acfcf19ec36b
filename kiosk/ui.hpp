// Touch-first drawing helpers over Dear ImGui: sizes from the display's DPI, the fonts built at the
// sizes used, big buttons that scripts can find by id, and translated text.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <imgui.h>
#include <imgui_internal.h>

#include "core/i18n.hpp"

namespace lapor::kiosk {

// Sizes for one window size and text scale. Computed, never hard-coded per resolution.
struct Metrics {
    float pxPerMm = 6.0f;
    float target = 72.0f;   // smallest touch target: 12 mm, never below 48 px
    float body = 26.0f;     // body text, >= 24 px at 1280x800
    float heading = 36.0f;  // screen titles
    float huge = 72.0f;     // the receipt code
    float small = 22.0f;    // secondary lines (explanations)
    float pad = 12.0f;
    float width = 1280.0f;
    float height = 800.0f;
};

// dpi <= 0 means the display did not say: assume a 10-inch class kiosk panel for the height.
[[nodiscard]] Metrics computeMetrics(float width, float height, float dpi, bool largeText);

enum class Tone { normal, primary, danger, quiet, selected };

struct ViewContext;  // kiosk/views/view.hpp

// What a field takes, and what its limit counts (kiosk/widgets/keyboard.hpp: typeInto).
enum class InputRule : std::uint8_t {
    text,    // any text; the limit counts characters (code points)
    digits,  // digits only (staff id)
    nik,     // digits; the spaces of "3201 0112 ..." go; the limit counts digits
    phone,   // digits and a leading +; spaces, dashes, dots, parentheses go; counts digits
};

// An editor the on-screen keyboard types into (one at a time).
struct Editing {
    std::string id;        // widget id of the field ("what.title")
    std::string labelKey;  // catalog key of the field's label
    std::string value;
    bool numeric = false;    // numeric keypad (NIK, phone, staff id)
    bool multiline = false;  // the report body
    InputRule rule = InputRule::text;
    std::size_t maxLength = 4000;  // in what `rule` counts
    // Why the last thing typed was not taken (a limit reached, a character the field does not
    // take); shown until the next change. Nothing is ever cut or dropped unseen.
    std::optional<Text> notice;
    std::function<void(const std::string&)> commit;  // called on every change
    // Drawn between the field and the keys while typing, for what the field finds (the region
    // search's results); true closes the editor (a result was picked).
    std::function<bool(ViewContext&)> preview;
};

class Ui {
  public:
    explicit Ui(const Catalog& catalog) : catalog_(catalog) {}

    // Rebuilds the font atlas when the sizes change (window resize, large text). True when the
    // renderer must upload a new font texture.
    bool prepareFonts(const Metrics& metrics);
    // Square corners and no anti-aliased fills, for SDL's software renderer: it draws a plain
    // rectangle as one fast fill but a rounded one triangle by triangle, each triangle's bounding
    // box nearly the whole shape (typing frame 8.7 ms -> 2.7 ms, docs/performance.md). Call
    // before the first prepareFonts.
    void setFlatShapes(bool flat) { flat_ = flat; }
    [[nodiscard]] const Metrics& metrics() const { return m_; }

    void setLang(Lang lang) { lang_ = lang; }
    [[nodiscard]] Lang lang() const { return lang_; }
    [[nodiscard]] std::string tr(std::string_view key) const { return catalog_.tr(lang_, key); }
    [[nodiscard]] std::string tr(const Text& text) const { return catalog_.render(lang_, text); }
    [[nodiscard]] const Catalog& catalog() const { return catalog_; }

    ImFont* bodyFont() const { return fontBody_; }
    ImFont* headingFont() const { return fontHeading_; }
    ImFont* hugeFont() const { return fontHuge_; }
    ImFont* smallFont() const { return fontSmall_; }

    // ---- widgets (all register their rectangle under `id` for scripted touches)
    // A label too long for the width wraps onto more lines, and the button grows to hold them:
    // nothing is clipped ("...Pencatatan Sipil (Dukcapi").
    bool button(std::string_view id, std::string_view label, ImVec2 size, Tone tone = Tone::normal,
                ImFont* font = nullptr);
    // The height button() gives `label` at `width` (at least `minHeight`), so that buttons side by
    // side can share one.
    [[nodiscard]] float buttonHeight(std::string_view label, float width, float minHeight,
                                     ImFont* font = nullptr) const;
    // A card: a big button with a title and a one-line explanation under it.
    bool card(std::string_view id, std::string_view title, std::string_view explanation,
              float width, bool selected);
    void heading(std::string_view text);
    void text(std::string_view text);       // wrapped body text
    void textSmall(std::string_view text);  // wrapped secondary text
    void errorText(const Text* error);      // the inline message under a field, if any
    // The label of the field being typed into, with its counter at the right edge.
    void editorLabel(const Editing& e);
    // A text field: label (with a counter where the field has a limit), the value in a box;
    // touching it opens the on-screen keyboard.
    void field(std::string_view id, std::string_view labelKey, const std::string& value,
               const Text* error, Editing editor, float width);
    // A toggle with its explanation (Anonim, Rahasia, consent).
    bool toggle(std::string_view id, std::string_view title, std::string_view explanation, bool on,
                float width);
    void registerRect(std::string_view id, ImVec2 min, ImVec2 max);
    // A horizontal rule across the window, as one pixel-aligned filled rectangle: ImGui's
    // Separator is an anti-aliased line, which SDL's software renderer draws as two triangles
    // that land on different rows (a step halfway across the screen).
    void rule();

    // ---- per frame
    void beginFrame();
    // Where each widget was in the last frame (for scripted touches): the centre of its visible
    // part, nullopt when it is not on screen (scrolled away, or not drawn).
    [[nodiscard]] std::optional<ImVec2> visibleCenterOf(std::string_view id) const;
    [[nodiscard]] bool hasWidget(std::string_view id) const;
    // Scrolls the widget into view in the next frame (scripts, before touching it).
    void scrollTo(std::string_view id) { scrollTarget_ = std::string(id); }
    // Scripts check what a visitor would read: while on, every text drawn through these helpers
    // that shows on screen is kept for one frame. Off by default, so that a kiosk in service
    // keeps no extra copies of what visitors typed.
    void recordShownText(bool on) { recordText_ = on; }
    // True when a text shown in the last frame contains `needle` (only while recording).
    [[nodiscard]] bool showsText(std::string_view needle) const;

    // A widget that moves on its own while held (the staff corner's ring) asks for frames.
    void keepAnimating() { animating_ = true; }
    [[nodiscard]] bool animating() const { return animated_; }

    // The field being typed into, if any.
    std::optional<Editing>& editing() { return editing_; }

    // ---- touch and layout memory (kiosk/views/view.cpp)
    // How far a finger may move and still tap: beyond it, a touch is a drag (it scrolls and
    // selects nothing), as touch toolkits' "slop": 2 mm, at least 8 px.
    [[nodiscard]] float dragThreshold() const { return std::max(8.0f, m_.pxPerMm * 2.0f); }
    // True when the touch now ending (or going on) moved beyond dragThreshold().
    [[nodiscard]] bool dragged() const;
    // A new page (screen, or a view's sub-page such as the place picker): true once, the frame it
    // first shows; the space kept for error lines is then forgotten.
    bool enterPage(std::string_view page);
    // The content's scroll as drawn in the last frame (the settled file reports it).
    struct Scroll {
        float y = 0;
        float max = 0;
    };
    void setContentScroll(Scroll s) { contentScroll_ = s; }
    [[nodiscard]] Scroll contentScroll() const { return contentScroll_; }
    // Where the first error line of this frame's content is (window-local y of its field), if
    // any; the view scrolls there when a tap brought up a new error.
    void clearFirstError() { firstErrorY_.reset(); }
    [[nodiscard]] std::optional<float> firstErrorY() const { return firstErrorY_; }
    // Every widget with its visible rectangle, as visibleCenterOf() sees them.
    template <class F>
    void forEachWidget(F&& f) const {
        for (const auto& [id, r] : rects_) {
            f(id, r);
        }
    }

  private:
    // Keeps `t` when recording and the last item drawn is visible.
    void noteShown(std::string_view t);

    const Catalog& catalog_;
    Lang lang_ = Lang::id;
    Metrics m_;
    float builtBody_ = 0;
    bool flat_ = false;
    ImFont* fontBody_ = nullptr;
    ImFont* fontHeading_ = nullptr;
    ImFont* fontHuge_ = nullptr;
    ImFont* fontSmall_ = nullptr;
    std::map<std::string, ImRect, std::less<>> rects_;  // visible part of each widget
    std::string scrollTarget_;
    std::optional<Editing> editing_;
    bool recordText_ = false;
    bool animating_ = false;          // this frame
    bool animated_ = false;           // the last frame
    std::vector<std::string> shown_;  // texts visible in the last frame, while recording
    std::string page_;
    // The tallest error line each field (by its ImGui id) has shown on this page: the space stays
    // when the error goes, so a fix never moves the fields below under a finger.
    std::map<ImGuiID, float> errorSpace_;
    std::optional<float> firstErrorY_;
    Scroll contentScroll_;
};

// The font files, from Debian's fonts-noto-core, with DejaVu as the fallback.
[[nodiscard]] std::string findFont(bool bold);

}  // namespace lapor::kiosk
