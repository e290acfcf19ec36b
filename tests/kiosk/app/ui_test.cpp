// The kiosk's widgets without a window (kiosk/ui): button labels wrap instead of being clipped;
// and words in the shipped catalogs that a visitor could confuse.
#include <doctest/doctest.h>

#include <imgui.h>

#include "core/i18n.hpp"
#include "kiosk/flow/flow.hpp"
#include "kiosk/flow/ports_fake.hpp"
#include "kiosk/ui.hpp"
#include "kiosk/views/view.hpp"
#include "tests/core/shipped_catalog.hpp"

using namespace lapor;
using namespace lapor::kiosk;

namespace {

// An ImGui context with the kiosk's fonts at 1280x800, one frame open in a full-screen window.
struct Frame {
    Catalog catalog;
    Ui ui{catalog};
    ImGuiContext* ctx = ImGui::CreateContext();
    Frame() {
        ImGuiIO& io = ImGui::GetIO();
        io.DisplaySize = ImVec2(1280, 800);
        io.IniFilename = nullptr;
        ui.setFlatShapes(true);  // as on the kiosk's software renderer
        (void)ui.prepareFonts(computeMetrics(1280, 800, 0, false));
        unsigned char* pixels = nullptr;
        int w = 0, h = 0;
        io.Fonts->GetTexDataAsAlpha8(&pixels, &w, &h);
        ImGui::NewFrame();
        ImGui::SetNextWindowPos(ImVec2(0, 0));
        ImGui::SetNextWindowSize(io.DisplaySize);
        ImGui::Begin("screen");
        ui.beginFrame();
    }
    ~Frame() {
        ImGui::End();
        ImGui::EndFrame();
        ImGui::DestroyContext(ctx);
    }
};

}  // namespace

TEST_CASE("a button label too long for its width wraps, and the button grows to hold it") {
    Frame f;
    const float target = f.ui.metrics().target;
    const float lineH = f.ui.bodyFont()->FontSize;
    const std::string agency = "Dinas Kependudukan dan Pencatatan Sipil (Dukcapil)";
    const float width = 200;  // three lines or more: taller than one touch target
    const float oneLine = ImGui::CalcTextSize(agency.c_str()).x;
    REQUIRE(oneLine > width);  // the case of issue 9: clipped to "...Pencatatan Sipil (Dukcapi"
    (void)f.ui.button("whom.agency.dukcapil", agency, ImVec2(width, target));
    const ImVec2 size = ImGui::GetItemRectSize();
    CHECK(size.x == doctest::Approx(width));
    // Every line of the wrapped label fits inside the button, padding included.
    const int lines =
        static_cast<int>(std::ceil(oneLine / (width - 2 * ImGui::GetStyle().FramePadding.x)));
    CHECK(size.y >= lines * lineH + 2 * ImGui::GetStyle().FramePadding.y);
    CHECK(size.y > target);
    CHECK(f.ui.buttonHeight(agency, width, target) == doctest::Approx(size.y));
    // A short label keeps the plain touch-target height.
    (void)f.ui.button("whom.agency.pemda", "Pemda", ImVec2(width, target));
    CHECK(ImGui::GetItemRectSize().y == doctest::Approx(target));
}

TEST_CASE(
    "the keyboard's Shift and the large-text toggle have different words, in both languages") {
    const Catalog& c = testing::shippedCatalog();
    for (const Lang lang : {Lang::id, Lang::en}) {
        CAPTURE(langCode(lang));
        CHECK(c.tr(lang, "kiosk.keyboard.shift") != c.tr(lang, "kiosk.bar.large_text"));
        CHECK(c.tr(lang, "kiosk.bar.read_aloud") != c.tr(lang, "kiosk.bar.no_sound"));
    }
}

TEST_CASE("in English each kind of report also shows its Indonesian name, as LAPOR! uses it") {
    const Catalog& c = testing::shippedCatalog();
    for (const ReportKind kind :
         {ReportKind::pengaduan, ReportKind::aspirasi, ReportKind::permintaanInformasi}) {
        const std::string id = c.tr(Lang::id, kindMsgid(kind));
        const std::string en = c.tr(Lang::en, kindMsgid(kind));
        CAPTURE(en);
        CHECK(en.find("(" + id + ")") != std::string::npos);
    }
}

TEST_CASE("the header rule is one pixel-aligned rectangle across the window, not a line") {
    Frame f;
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const int before = dl->VtxBuffer.Size;
    ImGui::SetCursorPosY(100.4f);  // a fractional position, as after wrapped text
    f.ui.rule();
    const int added = dl->VtxBuffer.Size - before;
    CHECK(added == 4);  // one quad: SDL's software renderer fills it as one rectangle
    float minY = FLT_MAX, maxY = -FLT_MAX;
    for (int i = before; i < dl->VtxBuffer.Size; ++i) {
        const ImVec2 p = dl->VtxBuffer[i].pos;
        CHECK(p.y == std::round(p.y));
        CHECK(p.x == std::round(p.x));
        minY = std::min(minY, p.y);
        maxY = std::max(maxY, p.y);
    }
    CHECK(maxY - minY >= 1.0f);
}

namespace {

class NoDevices final : public AppActions {
  public:
    void takePhoto() override {}
    [[nodiscard]] bool takingPhoto() const override { return false; }
    void readAloud() override {}
    void startSave() override {}
    SDL_Texture* preview(int&, int&) override { return nullptr; }
    [[nodiscard]] std::string cameraMessageKey() const override { return "camera.state.noCamera"; }
    SDL_Texture* photoTexture(std::size_t, bool, int&, int&) override { return nullptr; }
    [[nodiscard]] std::string printerMessageKey() const override {
        return "kiosk.receipt.printing";
    }
    [[nodiscard]] std::int64_t nowMs() const override { return 0; }
};

// The welcome screen drawn for a few frames (ImGui settles scrolling a frame late) at a size.
// `keypad`: the staff sign-in's keypad instead (the PIN stage).
bool welcomeScrolls(float width, float height, bool largeText, Lang lang, bool staff = false,
                    bool keypad = false) {
    const Catalog& catalog = testing::shippedCatalog();
    FakeClock clock;
    FakeRegions regions;
    FakeCatalog agencies;
    FlowConfig config;
    config.office = "Kantor Kecamatan (test)";  // a kiosk ready for visitors: the start button
    Flow flow(clock, catalog, regions, agencies, config);
    flow.setLang(lang);
    if (largeText) {
        flow.toggleLargeText();
    }
    if (staff) {  // signed in: the staff bar above the start button
        flow.openStaffSignIn();
        flow.padDigit('1');
        flow.padNext();
        flow.padDigit('2');
        REQUIRE(flow.beginSignIn());
        staff::SignInResult in;
        in.account = staff::Account{};
        in.account->id = "4711";
        in.account->displayName = "Sri Wahyuningsih";
        flow.signInFinished(in);
        REQUIRE(flow.staff());
    }
    if (keypad) {
        flow.openStaffSignIn();
        flow.padDigit('1');
        flow.padNext();
        REQUIRE(flow.screen() == Screen::staffSignIn);
    }
    Ui ui(catalog);
    ui.setLang(lang);
    Keyboard keyboard;
    NoDevices app;
    auto view = keypad ? makeStaffSignInView() : makeWelcomeView();
    ImGuiContext* ctx = ImGui::CreateContext();
    ImGuiIO& io = ImGui::GetIO();
    io.DisplaySize = ImVec2(width, height);
    io.IniFilename = nullptr;
    ui.setFlatShapes(true);
    (void)ui.prepareFonts(computeMetrics(width, height, 0, largeText));
    unsigned char* pixels = nullptr;
    int w = 0, h = 0;
    io.Fonts->GetTexDataAsAlpha8(&pixels, &w, &h);
    bool scrolls = false;
    for (int frame = 0; frame < 3; ++frame) {
        io.DeltaTime = 1.0f / 60;
        ImGui::NewFrame();
        ui.beginFrame();
        ViewContext vc{flow, ui, app, keyboard};
        view->draw(vc);
        scrolls = false;
        for (ImGuiWindow* win : ImGui::GetCurrentContext()->Windows) {
            // A screen with a footer: its content (the outer window is a pixel over on every
            // such screen, kind and what included, and shows no scrollbar).
            if (keypad && std::string_view(win->Name).find("/content") == std::string_view::npos) {
                continue;
            }
            scrolls = scrolls || win->ScrollMax.y > 0 || win->ScrollbarY;
        }
        ImGui::EndFrame();
    }
    ImGui::DestroyContext(ctx);
    return scrolls;
}

}  // namespace

TEST_CASE(
    "the welcome screen and the staff keypad have no scrollbar, large text and small windows "
    "included") {
    for (const Lang lang : {Lang::id, Lang::en}) {
        for (const bool large : {false, true}) {
            // (No structured binding: clang 14 cannot capture one in CAPTURE's lambda.)
            for (const ImVec2 size : {ImVec2(1280, 800), ImVec2(1024, 600), ImVec2(800, 480)}) {
                CAPTURE(langCode(lang));
                CAPTURE(large);
                CAPTURE(size.x);
                CHECK_FALSE(welcomeScrolls(size.x, size.y, large, lang));
                CHECK_FALSE(welcomeScrolls(size.x, size.y, large, lang, true));
                // The keypad and the PIN's dots in view together, without scrolling.
                CHECK_FALSE(welcomeScrolls(size.x, size.y, large, lang, false, true));
            }
        }
    }
}
