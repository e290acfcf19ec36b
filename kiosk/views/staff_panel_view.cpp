// The staff panel, one screen in plain words: the link, the outbox, the reports the server
// refused (retry one, or all of one reason), the devices and the clock, and a slip reprint.
#include <algorithm>
#include <cstdio>

#include "core/receipt_code.hpp"
#include "kiosk/views/view.hpp"

namespace lapor::kiosk {

namespace {

std::string sizeText(std::uint64_t bytes) {
    char buf[32];
    if (bytes >= (std::uint64_t{10} << 30)) {
        std::snprintf(buf, sizeof buf, "%.0f GB", static_cast<double>(bytes) / (1u << 30));
    } else if (bytes >= (std::uint64_t{1} << 30)) {
        std::snprintf(buf, sizeof buf, "%.1f GB", static_cast<double>(bytes) / (1u << 30));
    } else if (bytes >= (std::uint64_t{1} << 20)) {
        std::snprintf(buf, sizeof buf, "%.0f MB", static_cast<double>(bytes) / (1u << 20));
    } else {
        std::snprintf(buf, sizeof buf, "%.0f KB", static_cast<double>(bytes) / (1u << 10));
    }
    return buf;
}

void warnText(Ui& ui, const std::string& text) {
    ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(0.69f, 0.0f, 0.06f, 1.0f));
    ui.text(text);
    ImGui::PopStyleColor();
}

class StaffPanelView final : public View {
    void drawContent(ViewContext& ctx) override {
        Ui& ui = ctx.ui;
        Flow& flow = ctx.flow;
        const PanelSnapshot& p = flow.panel();
        const std::int64_t now = p.readAtMs;
        const auto when = [&](std::int64_t ms) { return formatLocalTime(ms, flow.zone()); };
        if (const auto& notice = flow.panelNotice()) {
            // What the last action did, set apart from the sections below.
            ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(0.0f, 0.42f, 0.17f, 1.0f));
            ui.text(ui.tr(*notice));
            ImGui::PopStyleColor();
            ui.registerRect("panel.notice", ImGui::GetItemRectMin(), ImGui::GetItemRectMax());
        }
        const Metrics& m = ui.metrics();
        const float w = fullWidth();
        if (flow.enrolOffered()) {
            drawEnrol(ctx, w);
        }
        if (!p.read) {
            ui.text(ui.tr(p.readError.empty() ? "kiosk.staffPanel.reading"
                                              : "kiosk.staffPanel.read_failed"));
            return;
        }
        // ---- the link
        ui.heading(ui.tr("kiosk.staffPanel.link"));
        const LinkInfo& l = p.link;
        if (l.waitsForEnrolment) {
            warnText(ui, ui.tr("kiosk.staffPanel.link.not_enrolled"));
        } else if (!l.known) {
            warnText(ui, ui.tr("kiosk.staffPanel.link.unknown"));
        } else if (l.online) {
            ui.text(ui.tr("kiosk.staffPanel.link.online"));
        } else {
            // Offline since the last exchange that worked (the agent keeps no first-failure time).
            warnText(ui, l.lastSuccessMs > 0 ? ui.tr(Text{"kiosk.staffPanel.link.offline_since",
                                                          {{"time", when(l.lastSuccessMs)}}})
                                             : ui.tr("kiosk.staffPanel.link.offline"));
        }
        // Ids that name the state, so that tests read what is shown without reading text.
        const char* linkState = l.waitsForEnrolment ? "not_enrolled"
                                : !l.known          ? "unknown"
                                : l.online          ? "online"
                                                    : "offline";
        ui.registerRect(std::string("panel.link.") + linkState, ImGui::GetItemRectMin(),
                        ImGui::GetItemRectMax());
        ui.text(p.lastDeliveredMs > 0 ? ui.tr(Text{"kiosk.staffPanel.link.last_success",
                                                   {{"time", when(p.lastDeliveredMs)}}})
                                      : ui.tr("kiosk.staffPanel.link.never"));
        if (l.lastSuccessMs > 0) {
            ui.textSmall(ui.tr(
                Text{"kiosk.staffPanel.link.last_contact", {{"time", when(l.lastSuccessMs)}}}));
        }
        if (!l.lastError.empty()) {
            ui.text(ui.tr(Text{
                "kiosk.staffPanel.link.last_error",
                {{"what", ui.tr(linkErrorMsgid(l.lastError))}, {"time", when(l.lastErrorMs)}}}));
            ui.textSmall(l.lastError);
        }
        ui.rule();
        // ---- the outbox
        ui.heading(ui.tr("kiosk.staffPanel.outbox"));
        ui.text(ui.tr(Text{"kiosk.staffPanel.outbox.summary",
                           {{"waiting", std::to_string(p.waiting)},
                            {"sending", std::to_string(p.sending)},
                            {"delivered", std::to_string(p.deliveredToday)}}}));
        ui.registerRect("panel.delivered_today." + std::to_string(p.deliveredToday),
                        ImGui::GetItemRectMin(), ImGui::GetItemRectMax());
        if (p.oldestWaitingAgeMs) {
            ui.text(ui.tr(
                Text{"kiosk.staffPanel.outbox.oldest", {{"age", ageText(*p.oldestWaitingAgeMs)}}}));
        }
        ui.rule();
        // ---- refused reports
        ui.heading(ui.tr(Text{"kiosk.staffPanel.parked", {{"n", std::to_string(p.parkedCount)}}}));
        if (p.parked.empty()) {
            ui.text(ui.tr("kiosk.staffPanel.parked.none"));
        }
        const float bw = std::max(m.target * 3.0f, w * 0.25f);
        int group = 0;
        for (const ParkedGroup& g : p.parked) {
            ui.text(ui.tr(parkReasonMsgid(g.reason)));
            ui.textSmall(ui.tr(Text{"kiosk.staffPanel.park.server_said", {{"reason", g.reason}}}));
            for (const ParkedReport& r : g.reports) {
                const std::string code = receipt::format(r.receiptCode);
                ImGui::AlignTextToFramePadding();
                ui.text(code + "   " + when(r.parkedAtMs));
                ImGui::SameLine(w - bw);
                if (ui.button("panel.retry." + r.receiptCode, ui.tr("kiosk.staffPanel.retry"),
                              ImVec2(bw, m.target), Tone::normal)) {
                    ctx.app.retryParked(r.uuid);
                }
            }
            if (g.reports.size() > 1 &&
                ui.button("panel.retry_all." + std::to_string(group),
                          ui.tr(Text{"kiosk.staffPanel.retry_all",
                                     {{"n", std::to_string(g.reports.size())}}}),
                          ImVec2(w, m.target), Tone::primary)) {
                ctx.app.retryReason(g.reason);
            }
            ++group;
        }
        ui.rule();
        // ---- devices and the clock
        ui.heading(ui.tr("kiosk.staffPanel.devices"));
        ui.text(ui.tr("kiosk.staffPanel.camera") + ": " + ui.tr(ctx.app.cameraMessageKey()));
        const std::string printer = ctx.app.printerStateKey();
        const std::string printerText = ui.tr("kiosk.staffPanel.printer") + ": " + ui.tr(printer);
        if (printer == "printer.state.ready" || printer == "printer.state.unknown") {
            ui.text(printerText);
        } else {
            warnText(ui, printerText);
        }
        ui.registerRect("panel." + printer, ImGui::GetItemRectMin(), ImGui::GetItemRectMax());
        ui.text(ui.tr("kiosk.staffPanel.speech") + ": " +
                ui.tr(ctx.app.speechAvailable() ? "kiosk.staffPanel.speech.ok"
                                                : "kiosk.staffPanel.speech.none"));
        if (p.diskFreeBytes) {
            const std::string disk =
                ui.tr(Text{"kiosk.staffPanel.disk", {{"free", sizeText(*p.diskFreeBytes)}}});
            *p.diskFreeBytes < kLowRoomBytes ? warnText(ui, disk) : ui.text(disk);
        }
        const std::uint64_t room =
            p.storeMaxBytes > p.storeUsedBytes ? p.storeMaxBytes - p.storeUsedBytes : 0;
        const std::string store = ui.tr(Text{"kiosk.staffPanel.store",
                                             {{"used", sizeText(p.storeUsedBytes)},
                                              {"max", sizeText(p.storeMaxBytes)},
                                              {"free", sizeText(room)}}});
        room < kLowRoomBytes ? warnText(ui, store) : ui.text(store);
        const std::string clock = ui.tr(Text{"kiosk.staffPanel.clock", {{"time", when(now)}}});
        if (clockBehind(now, p.newestKnownMs)) {
            warnText(ui, clock);
            warnText(ui, ui.tr(Text{"kiosk.staffPanel.clock.behind_since",
                                    {{"time", when(p.newestKnownMs)}}}));
        } else {
            ui.text(clock);
        }
        ui.rule();
        // ---- reprint
        ui.heading(ui.tr("kiosk.staffPanel.reprint"));
        Editing e;
        e.id = "panel.code";
        e.labelKey = "kiosk.staffPanel.reprint_code";
        e.value = flow.panelCode();
        e.maxLength = 20;
        e.commit = [&flow](const std::string& v) { flow.setPanelCode(v); };
        ui.field("panel.code", "kiosk.staffPanel.reprint_code", flow.panelCode(), nullptr,
                 std::move(e), w);
        if (ui.button("panel.reprint", ui.tr("kiosk.staffPanel.reprint_button"),
                      ImVec2(w, m.target), Tone::primary)) {
            ctx.app.reprint();
        }
        // A visitor's report, as the visitor sees it (with a status slip to print).
        if (ui.button("panel.status", ui.tr("kiosk.staffPanel.status_button"), ImVec2(w, m.target),
                      Tone::normal)) {
            flow.openStatus();
        }
    }

    // Enrolment while the agent has no device token: the one-time code from the national side on
    // the on-screen keyboard, sent by the worker (the same steps as `lapor-ctl enroll CODE`).
    static void drawEnrol(ViewContext& ctx, float w) {
        Ui& ui = ctx.ui;
        Flow& flow = ctx.flow;
        const Metrics& m = ui.metrics();
        ui.heading(ui.tr("kiosk.staffPanel.enrol"));
        const EnrolState state = flow.enrolState();
        if (state != EnrolState::enrolled) {
            ui.text(ui.tr("kiosk.staffPanel.enrol.help"));
        }
        if (const auto message = flow.enrolMessage()) {
            const bool good = state == EnrolState::enrolled || state == EnrolState::working;
            good ? ui.text(ui.tr(*message)) : warnText(ui, ui.tr(*message));
            static constexpr const char* kStateIds[] = {
                "none", "working", "enrolled", "refused", "unreachable", "not_set_up", "failed"};
            ui.registerRect(std::string("panel.enrol.") + kStateIds[static_cast<int>(state)],
                            ImGui::GetItemRectMin(), ImGui::GetItemRectMax());
        }
        if (state != EnrolState::enrolled && state != EnrolState::working) {
            Editing e;
            e.id = "panel.enrol_code";
            e.labelKey = "kiosk.staffPanel.enrol.code";
            e.value = flow.enrolCode();
            e.maxLength = 64;
            e.commit = [&flow](const std::string& v) { flow.setEnrolCode(v); };
            ui.field("panel.enrol_code", "kiosk.staffPanel.enrol.code", flow.enrolCode(), nullptr,
                     std::move(e), w);
            if (ui.button("panel.enrol", ui.tr("kiosk.staffPanel.enrol.button"),
                          ImVec2(w, m.target), Tone::primary)) {
                ctx.app.submitEnrol();
            }
        }
        ui.rule();
    }

    void drawFooter(ViewContext& ctx) override {
        Ui& ui = ctx.ui;
        const int touched = footerPair(ui, "nav.back", ui.tr("kiosk.nav.back"), "panel.sign_out",
                                       ui.tr("kiosk.staff.sign_out"), Tone::quiet);
        if (touched == 1) {
            ctx.flow.closePanel();
        } else if (touched == 2) {
            ctx.flow.signOut("signed out");
        }
    }
};

}  // namespace

std::unique_ptr<View> makeStaffPanelView() {
    return std::make_unique<StaffPanelView>();
}

}  // namespace lapor::kiosk
