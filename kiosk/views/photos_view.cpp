// Photos and a video clip: the live camera preview; take up to five photos, record one clip of up
// to 30 s (a countdown and a stop button over the preview); look at them, play the clip back,
// retake, delete. Optional.
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
        const bool recording = flow.recording() == Recording::video;
        ui.textSmall(
            ui.tr(Text{"kiosk.photos.count",
                       {{"n", std::to_string(count)}, {"max", std::to_string(flow.maxPhotos())}}}));
        if (const auto& why = flow.mediaMessage()) {
            ui.errorText(&*why);
        } else if (!ctx.app.playMessageKey().empty()) {
            ui.textSmall(ui.tr(ctx.app.playMessageKey()));
        }
        const float areaH = ImGui::GetContentRegionAvail().y;
        const float boxH = std::max(t * 2, areaH - t - ImGui::GetStyle().ItemSpacing.y * 2);

        ImGui::BeginGroup();
        if (flow.viewingVideo() && flow.draft().video) {
            drawClip(ctx, mainW, boxH);
        } else if (auto v = flow.viewedPhoto()) {
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
                const ImVec2 at = ImGui::GetCursorScreenPos();
                fitImage(tex, w, h, ImVec2(mainW, boxH));
                if (recording && w > 0 && h > 0) {
                    // On the picture's corner, where fitImage centred it.
                    const float sc =
                        std::min(mainW / static_cast<float>(w), boxH / static_cast<float>(h));
                    recordingBadge(ctx, ImVec2(at.x + (mainW - static_cast<float>(w) * sc) / 2,
                                               at.y + (boxH - static_cast<float>(h) * sc) / 2));
                }
            }
            if (const bool finishing = ctx.app.finishingRecording(); recording || finishing) {
                // One big stop button while it records: nothing else to get wrong.
                const std::string stopLabel =
                    finishing ? ui.tr("kiosk.video.finishing")
                              : ui.tr(Text{"kiosk.video.stop",
                                           {{"left", clockText(flow.maxRecordMs(Recording::video) -
                                                               ctx.app.recordedMs() + 999)}}});
                if (finishing) {
                    ImGui::BeginDisabled();
                }
                if (ui.button("photos.video.stop", stopLabel, ImVec2(mainW, t), Tone::danger)) {
                    ctx.app.stopRecording();
                }
                if (finishing) {
                    ImGui::EndDisabled();
                }
                ImGui::EndGroup();
                ImGui::SameLine();
                drawThumbs(ctx, sideW, areaH);
                return;
            }
            const float halfW = (mainW - ImGui::GetStyle().ItemSpacing.x) / 2;
            const std::string label = ctx.app.takingPhoto()
                                          ? ui.tr("kiosk.photos.taking")
                                          : (flow.retakeIndex() ? ui.tr("kiosk.photos.take_again")
                                                                : ui.tr("kiosk.photos.take"));
            const bool can = flow.canTakePhoto() && tex != nullptr && !ctx.app.takingPhoto();
            if (!can) {
                ImGui::BeginDisabled();
            }
            if (ui.button("photos.take", label, ImVec2(halfW, t), Tone::primary)) {
                ctx.app.takePhoto();
            }
            if (!can) {
                ImGui::EndDisabled();
            }
            ImGui::SameLine();
            const bool canFilm =
                flow.canRecord(Recording::video) && tex != nullptr && !ctx.app.takingPhoto();
            if (!canFilm) {
                ImGui::BeginDisabled();
            }
            const std::string filmLabel =
                ui.tr(Text{flow.draft().video ? "kiosk.video.record_again" : "kiosk.video.record",
                           {{"max", clockText(flow.maxRecordMs(Recording::video))}}});
            if (ui.button("photos.video.record", filmLabel, ImVec2(halfW, t))) {
                ctx.app.startRecording(Recording::video);
            }
            if (!canFilm) {
                ImGui::EndDisabled();
            }
        }
        ImGui::EndGroup();
        ImGui::SameLine();
        drawThumbs(ctx, sideW, areaH);
    }

    // A red dot and the time over the preview while it records, and what is left.
    static void recordingBadge(ViewContext& ctx, ImVec2 at) {
        Ui& ui = ctx.ui;
        const float t = ui.metrics().target;
        const std::string label =
            ui.tr(Text{"kiosk.video.recording",
                       {{"time", clockText(ctx.app.recordedMs())},
                        {"max", clockText(ctx.flow.maxRecordMs(Recording::video))}}});
        ImDrawList* dl = ImGui::GetWindowDrawList();
        const ImVec2 ts = ImGui::CalcTextSize(label.c_str());
        const ImVec2 a(at.x + t * 0.2f, at.y + t * 0.2f);
        const ImVec2 b(a.x + ts.x + t * 0.9f, a.y + ts.y + t * 0.3f);
        dl->AddRectFilled(a, b, IM_COL32(0, 0, 0, 190), t * 0.2f);
        dl->AddCircleFilled(ImVec2(a.x + t * 0.35f, (a.y + b.y) / 2), t * 0.15f,
                            IM_COL32(230, 30, 30, 255));
        dl->AddText(ImVec2(a.x + t * 0.65f, a.y + t * 0.15f), IM_COL32(255, 255, 255, 255),
                    label.c_str());
    }

    // The recorded clip: its picture (or the frame being played), play or stop, retake, delete.
    static void drawClip(ViewContext& ctx, float mainW, float boxH) {
        Ui& ui = ctx.ui;
        Flow& flow = ctx.flow;
        const float t = ui.metrics().target;
        int w = 0, h = 0;
        SDL_Texture* tex = ctx.app.clipTexture(w, h);
        fitImage(tex, w, h, ImVec2(mainW, boxH));
        const bool playing = ctx.app.playing(Recording::video);
        const std::uint32_t total = flow.draft().video->clip.durationMs;
        const float bw = (mainW - 3 * ImGui::GetStyle().ItemSpacing.x) / 4;
        const std::string playLabel =
            playing ? ui.tr(Text{"kiosk.video.playing",
                                 {{"time", clockText(ctx.app.playedMs(Recording::video))},
                                  {"max", clockText(total)}}})
                    : ui.tr(Text{"kiosk.video.play", {{"max", clockText(total)}}});
        if (ui.button("photos.video.play", playLabel, ImVec2(bw, t), Tone::primary)) {
            ctx.app.togglePlay(Recording::video);
        }
        ImGui::SameLine();
        if (ui.button("photos.video.retake", ui.tr("kiosk.video.retake"), ImVec2(bw, t))) {
            flow.viewVideo(false);  // the preview, with the record button
        }
        ImGui::SameLine();
        if (ui.button("photos.video.delete", ui.tr("kiosk.photos.delete"), ImVec2(bw, t),
                      Tone::danger)) {
            flow.deleteClip(Recording::video);
        }
        ImGui::SameLine();
        if (ui.button("photos.video.close", ui.tr("kiosk.photos.close"), ImVec2(bw, t),
                      Tone::quiet)) {
            flow.viewVideo(false);
        }
    }

    // The photos taken and the clip, each a button that shows it large.
    static void drawThumbs(ViewContext& ctx, float sideW, float areaH) {
        Ui& ui = ctx.ui;
        Flow& flow = ctx.flow;
        const std::size_t count = flow.draft().photos.size();
        const bool hasClip = flow.draft().video.has_value();
        const bool recording = flow.recording() != Recording::none;
        ImGui::BeginGroup();
        const float thumbH =
            std::min((areaH - 5 * ImGui::GetStyle().ItemSpacing.y) / 6, sideW * 0.75f);
        if (recording) {
            ImGui::BeginDisabled();
        }
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
        if (hasClip) {
            int w = 0, h = 0;
            SDL_Texture* tex = ctx.app.clipTexture(w, h);
            const ImVec2 pos = ImGui::GetCursorScreenPos();
            const std::string label = ui.tr(Text{
                "kiosk.video.thumb", {{"max", clockText(flow.draft().video->clip.durationMs)}}});
            if (ui.button("photos.video.thumb", "", ImVec2(sideW, thumbH),
                          flow.viewingVideo() ? Tone::selected : Tone::normal)) {
                flow.viewVideo(true);
            }
            ImDrawList* dl = ImGui::GetWindowDrawList();
            if (tex && w > 0 && h > 0) {
                const float s = std::min((sideW - 8) / w, (thumbH - 8) / h);
                const ImVec2 size(w * s, h * s);
                const ImVec2 a(pos.x + (sideW - size.x) / 2, pos.y + (thumbH - size.y) / 2);
                dl->AddImage(reinterpret_cast<ImTextureID>(tex), a,
                             ImVec2(a.x + size.x, a.y + size.y));
            }
            // "Video 0:24" on a dark band, so it reads on any picture.
            const ImVec2 ts = ImGui::CalcTextSize(label.c_str());
            const ImVec2 b0(pos.x + 4, pos.y + thumbH - ts.y - 10);
            dl->AddRectFilled(b0, ImVec2(b0.x + ts.x + 12, pos.y + thumbH - 4),
                              IM_COL32(0, 0, 0, 190), 4);
            dl->AddText(ImVec2(b0.x + 6, b0.y + 3), IM_COL32(255, 255, 255, 255), label.c_str());
        }
        if (recording) {
            ImGui::EndDisabled();
        }
        if (count == 0 && !hasClip) {
            ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + sideW);
            ui.textSmall(ui.tr("kiosk.photos.optional"));
            ImGui::PopTextWrapPos();
        }
        ImGui::EndGroup();
    }

    void drawFooter(ViewContext& ctx) override {
        // No leaving while a clip records or is being finished: stop first.
        const bool hold = ctx.flow.recording() != Recording::none || ctx.app.finishingRecording();
        if (hold) {
            ImGui::BeginDisabled();
        }
        View::drawFooter(ctx);
        if (hold) {
            ImGui::EndDisabled();
        }
    }
};

}  // namespace

std::unique_ptr<View> makePhotosView() {
    return std::make_unique<PhotosView>();
}

}  // namespace lapor::kiosk
