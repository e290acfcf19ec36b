// The kiosk's widgets without a window (kiosk/ui): button labels wrap instead of being clipped;
// and words in the shipped catalogs that a visitor could confuse.
#include <doctest/doctest.h>

#include <imgui.h>

#include "core/i18n.hpp"
#include "kiosk/flow/flow.hpp"
#include "kiosk/ui.hpp"
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
