// The spoken note: the visitor tells what happened instead of (or as well as) typing it. One big
// record button; while recording a level meter (so they see it hears them), the time and what is
// left, and a stop button; then play back, record again, delete. Without a microphone it says so
// plainly and points to typing or staff.
#include <algorithm>

#include "kiosk/views/view.hpp"

namespace lapor::kiosk {

namespace {

class VoiceView final : public View {
    void drawContent(ViewContext& ctx) override {
        Ui& ui = ctx.ui;
        Flow& flow = ctx.flow;
        const float t = ui.metrics().target;
        const float w = fullWidth();
        const bool recording = flow.recording() == Recording::voice;
        const bool finishing = ctx.app.finishingRecording();
        const std::int64_t maxMs = flow.maxRecordMs(Recording::voice);
        ui.text(ui.tr(Text{"kiosk.voice.help", {{"max", clockText(maxMs)}}}));
        const std::string micKey = ctx.app.micMessageKey();
        if (!micKey.empty() && !recording) {
            ImGui::PushStyleColor(ImGuiCol_Text, IM_COL32(176, 0, 32, 255));
            ui.text(ui.tr(micKey));
            ImGui::PopStyleColor();
        }
        if (const auto& why = flow.mediaMessage()) {
            ui.errorText(&*why);
        }
        if (!ctx.app.playMessageKey().empty()) {
            ui.textSmall(ui.tr(ctx.app.playMessageKey()));
        }
        ImGui::Dummy(ImVec2(1, t * 0.3f));

        if (recording || finishing) {
            // The meter: a bar that follows the voice, green while it hears speech.
            const float level = std::clamp(ctx.app.micLevel(), 0.0f, 1.0f);
            const ImVec2 a = ImGui::GetCursorScreenPos();
            const ImVec2 b(a.x + w, a.y + t);
            ImDrawList* dl = ImGui::GetWindowDrawList();
            dl->AddRectFilled(a, b, IM_COL32(225, 225, 225, 255), t * 0.2f);
            const ImU32 col =
                level > 0.15f ? IM_COL32(20, 150, 60, 255) : IM_COL32(150, 150, 150, 255);
            dl->AddRectFilled(a, ImVec2(a.x + w * level, b.y), col, t * 0.2f);
            ImGui::Dummy(ImVec2(w, t));
            ui.registerRect("voice.meter", a, b);
            ui.textSmall(ui.tr(level > 0.15f ? "kiosk.voice.hearing" : "kiosk.voice.speak_now"));
            ui.heading(ui.tr(
                Text{"kiosk.voice.recording",
                     {{"time", clockText(ctx.app.recordedMs())}, {"max", clockText(maxMs)}}}));
            if (finishing) {
                ImGui::BeginDisabled();
            }
            if (ui.button("voice.stop",
                          ui.tr(finishing ? "kiosk.voice.finishing" : "kiosk.voice.stop"),
                          ImVec2(w, t * 1.5f), Tone::danger)) {
                ctx.app.stopRecording();
            }
            if (finishing) {
                ImGui::EndDisabled();
            }
            return;
        }

        const auto& note = flow.draft().voice;
        if (!note) {
            const bool can = micKey.empty();
            if (!can) {
                ImGui::BeginDisabled();
            }
            if (ui.button("voice.record", ui.tr("kiosk.voice.record"), ImVec2(w, t * 1.5f),
                          Tone::primary)) {
                ctx.app.startRecording(Recording::voice);
            }
            if (!can) {
                ImGui::EndDisabled();
            }
            return;
        }
        const bool playing = ctx.app.playing(Recording::voice);
        ui.heading(ui.tr(Text{"kiosk.voice.have", {{"max", clockText(note->clip.durationMs)}}}));
        if (playing) {
            // How far it has played.
            const float done =
                note->clip.durationMs == 0
                    ? 0.0f
                    : std::clamp(static_cast<float>(ctx.app.playedMs(Recording::voice)) /
                                     static_cast<float>(note->clip.durationMs),
                                 0.0f, 1.0f);
            const ImVec2 a = ImGui::GetCursorScreenPos();
            ImDrawList* dl = ImGui::GetWindowDrawList();
            dl->AddRectFilled(a, ImVec2(a.x + w, a.y + t * 0.3f), IM_COL32(225, 225, 225, 255));
            dl->AddRectFilled(a, ImVec2(a.x + w * done, a.y + t * 0.3f),
                              IM_COL32(20, 90, 170, 255));
            ImGui::Dummy(ImVec2(w, t * 0.3f));
        }
        const float bw = (w - 2 * ImGui::GetStyle().ItemSpacing.x) / 3;
        if (ui.button("voice.play",
                      ui.tr(playing ? "kiosk.voice.stop_playing" : "kiosk.voice.play"),
                      ImVec2(bw, t * 1.3f), Tone::primary)) {
            ctx.app.togglePlay(Recording::voice);
        }
        ImGui::SameLine();
        const bool can = micKey.empty();
        if (!can) {
            ImGui::BeginDisabled();
        }
        if (ui.button("voice.again", ui.tr("kiosk.voice.record_again"), ImVec2(bw, t * 1.3f))) {
            ctx.app.startRecording(Recording::voice);
        }
        if (!can) {
            ImGui::EndDisabled();
        }
        ImGui::SameLine();
        if (ui.button("voice.delete", ui.tr("kiosk.photos.delete"), ImVec2(bw, t * 1.3f),
                      Tone::danger)) {
            if (playing) {
                ctx.app.togglePlay(Recording::voice);
            }
            flow.deleteClip(Recording::voice);
        }
    }

    void drawFooter(ViewContext& ctx) override {
        Ui& ui = ctx.ui;
        const bool hold = ctx.flow.recording() != Recording::none || ctx.app.finishingRecording();
        if (hold) {
            ImGui::BeginDisabled();
        }
        const int touched = footerPair(ui, "nav.back", ui.tr("kiosk.nav.back"), "voice.done",
                                       ui.tr("kiosk.voice.done"), Tone::primary);
        if (hold) {
            ImGui::EndDisabled();
        }
        if (touched != 0) {
            if (ctx.app.playing(Recording::voice)) {
                ctx.app.togglePlay(Recording::voice);
            }
            ctx.flow.next();  // both lead back to "what happened", keeping the note
        }
    }
};

}  // namespace

std::unique_ptr<View> makeVoiceView() {
    return std::make_unique<VoiceView>();
}

}  // namespace lapor::kiosk
