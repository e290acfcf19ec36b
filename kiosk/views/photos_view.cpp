// Photos: the live camera preview; take up to five, look at them, retake, delete. Optional.
#include "kiosk/views/view.hpp"

namespace lapor::kiosk {

namespace {

class PhotosView final : public View {
    void drawContent(ViewContext& ctx) override {
        Ui& ui = ctx.ui;
        Flow& flow = ctx.flow;
        const Metrics& m = ui.metrics();
        const float t = m.target;
        const float avail = fullWidth();
        const float sideW = std::max(t * 2.5f, avail * 0.3f);
        const float mainW = avail - sideW - ImGui::GetStyle().ItemSpacing.x;
        const std::size_t count = flow.draft().photos.size();
        ui.textSmall(
            ui.tr(Text{"kiosk.photos.count",
                       {{"n", std::to_string(count)}, {"max", std::to_string(flow.maxPhotos())}}}));
        const float areaH = ImGui::GetContentRegionAvail().y;
        const float boxH = std::max(t * 2, areaH - t - ImGui::GetStyle().ItemSpacing.y * 2);

        ImGui::BeginGroup();
        if (auto v = flow.viewedPhoto()) {
            int w = 0, h = 0;
            SDL_Texture* tex = ctx.app.photoTexture(*v, true, w, h);
            fitImage(tex, w, h, ImVec2(mainW, boxH));
            const float bw = (mainW - 2 * ImGui::GetStyle().ItemSpacing.x) / 3;
            if (ui.button("photos.retake", ui.tr("kiosk.photos.retake"), ImVec2(bw, t))) {
                flow.retakePhoto(*v);
            }
            ImGui::SameLine();
            if (ui.button("photos.delete", ui.tr("kiosk.photos.delete"), ImVec2(bw, t),
                          Tone::danger)) {
                flow.deletePhoto(*v);
            }
            ImGui::SameLine();
            if (ui.button("photos.close", ui.tr("kiosk.photos.close"), ImVec2(bw, t),
                          Tone::quiet)) {
                flow.viewPhoto(std::nullopt);
            }
        } else {
            int w = 0, h = 0;
            SDL_Texture* tex = ctx.app.preview(w, h);
            if (tex == nullptr) {
                const ImVec2 start = ImGui::GetCursorPos();
                ImGui::Dummy(ImVec2(mainW, boxH));
                ImGui::SetCursorPos(ImVec2(start.x + m.pad, start.y + boxH / 2));
                ImGui::PushTextWrapPos(start.x + mainW - m.pad);
                ui.text(ui.tr(ctx.app.cameraMessageKey()));
                ImGui::PopTextWrapPos();
                ImGui::SetCursorPos(
                    ImVec2(start.x, start.y + boxH + ImGui::GetStyle().ItemSpacing.y));
            } else {
                fitImage(tex, w, h, ImVec2(mainW, boxH));
            }
            const std::string label = ctx.app.takingPhoto()
                                          ? ui.tr("kiosk.photos.taking")
                                          : (flow.retakeIndex() ? ui.tr("kiosk.photos.take_again")
                                                                : ui.tr("kiosk.photos.take"));
            const bool can = flow.canTakePhoto() && tex != nullptr && !ctx.app.takingPhoto();
            if (!can) {
                ImGui::BeginDisabled();
            }
            if (ui.button("photos.take", label, ImVec2(mainW, t), Tone::primary)) {
                ctx.app.takePhoto();
            }
            if (!can) {
                ImGui::EndDisabled();
            }
        }
        ImGui::EndGroup();
        ImGui::SameLine();
        ImGui::BeginGroup();
        const float thumbH =
            std::min((areaH - 4 * ImGui::GetStyle().ItemSpacing.y) / 5, sideW * 0.75f);
        for (std::size_t i = 0; i < count; ++i) {
            int w = 0, h = 0;
            SDL_Texture* tex = ctx.app.photoTexture(i, false, w, h);
            const ImVec2 pos = ImGui::GetCursorScreenPos();
            const bool chosen = flow.viewedPhoto() == i || flow.retakeIndex() == i;
            if (ui.button("photos.thumb." + std::to_string(i), "", ImVec2(sideW, thumbH),
                          chosen ? Tone::selected : Tone::normal)) {
                flow.viewPhoto(i);
            }
            if (tex && w > 0 && h > 0) {
                const float s = std::min((sideW - 8) / w, (thumbH - 8) / h);
                const ImVec2 size(w * s, h * s);
                const ImVec2 a(pos.x + (sideW - size.x) / 2, pos.y + (thumbH - size.y) / 2);
                ImGui::GetWindowDrawList()->AddImage(reinterpret_cast<ImTextureID>(tex), a,
                                                     ImVec2(a.x + size.x, a.y + size.y));
            }
        }
        if (count == 0) {
            ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + sideW);
            ui.textSmall(ui.tr("kiosk.photos.optional"));
            ImGui::PopTextWrapPos();
        }
        ImGui::EndGroup();
    }
};

}  // namespace

std::unique_ptr<View> makePhotosView() {
    return std::make_unique<PhotosView>();
}

}  // namespace lapor::kiosk
