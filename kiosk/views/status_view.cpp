// A returning visitor's screens: the receipt code, what became of the report (timeline, the
// national tracking ID, the agency's follow-up), and the citizen's reply to it.
#include "core/receipt_code.hpp"
#include "core/time_zone.hpp"
#include "kiosk/flow/status_words.hpp"
#include "kiosk/views/view.hpp"

namespace lapor::kiosk {

namespace {

const char* replyKindMsgid(ReplyKind k) {
    return k == ReplyKind::notResolved ? "kiosk.reply.kind.not_resolved"
                                       : "kiosk.reply.kind.information";
}

class StatusCodeView final : public View {
    void drawContent(ViewContext& ctx) override {
        Ui& ui = ctx.ui;
        Flow& flow = ctx.flow;
        const float w = fullWidth();
        ui.text(ui.tr("kiosk.statusCode.help"));
        Editing code;
        code.maxLength = 24;
        code.commit = [&flow](const std::string& v) { flow.setText(Field::statusCode, v); };
        ui.field("statusCode.code", "kiosk.statusCode.field", flow.lookup().code, nullptr, code, w);
        if (const auto& m = flow.lookup().message) {
            const int secs = flow.lookupPauseSecondsLeft();
            Text shown = *m;
            shown.args.emplace_back("seconds", std::to_string(secs));
            ui.errorText(&shown);
            ui.registerRect("statusCode.message", ImGui::GetItemRectMin(), ImGui::GetItemRectMax());
            if (secs > 0) {
                ui.keepAnimating();  // the pause counts down on screen
            }
        }
        if (flow.lookup().looking) {
            ui.text(ui.tr("kiosk.statusCode.looking"));
        }
        ImGui::Dummy(ImVec2(0, ui.metrics().pad));
        ui.textSmall(ui.tr("kiosk.statusCode.where"));
        // Or the slip's QR code, held up to the camera: the live preview shows what it sees.
        ui.text(ui.tr("kiosk.statusCode.qr"));
        const float boxH = std::max(ImGui::GetContentRegionAvail().y, ui.metrics().height * 0.3f);
        int tw = 0;
        int th = 0;
        SDL_Texture* tex = ctx.app.preview(tw, th);
        if (tex == nullptr) {
            ui.textSmall(ui.tr(ctx.app.cameraMessageKey()));
        } else {
            fitImage(tex, tw, th, ImVec2(w, boxH));
            ui.registerRect("statusCode.preview", ImGui::GetItemRectMin(), ImGui::GetItemRectMax());
        }
    }
    void drawFooter(ViewContext& ctx) override {
        Ui& ui = ctx.ui;
        const int touched = footerPair(ui, "nav.back", ui.tr("kiosk.nav.back"), "statusCode.find",
                                       ui.tr("kiosk.statusCode.find"), Tone::primary);
        if (touched == 1) {
            ctx.flow.back();
        } else if (touched == 2) {
            ctx.app.lookupStatus();
        }
    }
};

class StatusView final : public View {
    void drawContent(ViewContext& ctx) override {
        Ui& ui = ctx.ui;
        Flow& flow = ctx.flow;
        if (!flow.status()) {
            return;
        }
        const ReportStatus& s = *flow.status();
        const Metrics& m = ui.metrics();
        const float w = fullWidth();
        const TimeZone& zone = flow.zone();
        ui.textSmall(ui.tr(kindMsgid(s.kind)) + " - " + receipt::format(s.receiptCode));
        ui.heading(s.title);
        ui.textSmall(
            ui.tr(Text{"kiosk.status.filed_at", {{"time", formatLocalTime(s.filedAtMs, zone)}}}));
        ImGui::PushFont(ui.headingFont());
        ui.text(ui.tr(statusNow(s)));
        ImGui::PopFont();
        ui.registerRect("status.now", ImGui::GetItemRectMin(), ImGui::GetItemRectMax());
        if (!s.trackingId.empty()) {
            ui.text(ui.tr(Text{"kiosk.status.tracking", {{"id", s.trackingId}}}));
            ui.registerRect("status.tracking", ImGui::GetItemRectMin(), ImGui::GetItemRectMax());
        }
        if (auto off = offlineWords(s, flow.lastContactMs(), ctx.app.wallMs())) {
            ui.text(ui.tr(*off));
            ui.registerRect("status.offline", ImGui::GetItemRectMin(), ImGui::GetItemRectMax());
        }
        for (const FollowUp& f : s.followUps) {
            ui.rule();
            ui.textSmall(ui.tr(Text{"kiosk.status.followup_from",
                                    {{"agency", f.agency.empty() ? f.agencyId : f.agency},
                                     {"time", formatLocalTime(f.atMs, zone)}}}));
            ui.text(f.text);
            ui.registerRect("status.followup", ImGui::GetItemRectMin(), ImGui::GetItemRectMax());
        }
        if (s.closesAtMs && !s.closed) {
            ui.textSmall(ui.tr(
                Text{"kiosk.status.closes_at", {{"time", formatLocalTime(*s.closesAtMs, zone)}}}));
        }
        if (s.canReply) {
            if (ui.button("status.reply", ui.tr("kiosk.status.reply"), ImVec2(w, m.target * 1.3f),
                          Tone::primary)) {
                flow.startReply();
            }
        }
        ui.rule();
        ui.text(ui.tr("kiosk.status.timeline"));
        for (const StatusRow& row : statusTimeline(s)) {
            const std::string when = row.atMs > 0 ? formatLocalTime(row.atMs, zone) : "";
            ui.textSmall(when.empty() ? ui.tr(row.text) : when + "  " + ui.tr(row.text));
        }
        if (ui.button("status.print", ui.tr("kiosk.status.print"), ImVec2(w, m.target),
                      Tone::quiet)) {
            ctx.app.printStatusSlip();
        }
        ui.textSmall(ui.tr(ctx.app.statusSlipMessageKey()));
    }
    void drawFooter(ViewContext& ctx) override {
        Ui& ui = ctx.ui;
        const int touched = footerPair(ui, "nav.back", ui.tr("kiosk.status.other_code"),
                                       "status.done", ui.tr("kiosk.status.done"), Tone::normal);
        if (touched == 1) {
            ctx.flow.back();
        } else if (touched == 2) {
            ctx.flow.next();
        }
    }
};

class ReplyView final : public View {
    void drawContent(ViewContext& ctx) override {
        Ui& ui = ctx.ui;
        Flow& flow = ctx.flow;
        const ReplyDraft& r = flow.replyDraft();
        const float w = fullWidth();
        ui.text(ui.tr("kiosk.reply.help"));
        for (ReplyKind k : {ReplyKind::information, ReplyKind::notResolved}) {
            const std::string id =
                k == ReplyKind::information ? "reply.information" : "reply.not_resolved";
            if (ui.card(id, ui.tr(replyKindMsgid(k)),
                        ui.tr(std::string(replyKindMsgid(k)) + "_help"), w, r.kind == k)) {
                flow.chooseReplyKind(k);
            }
        }
        if (r.kind == ReplyKind::information) {
            Editing text;
            text.multiline = true;
            text.maxLength = 4000;
            text.commit = [&flow](const std::string& v) { flow.setText(Field::replyText, v); };
            ui.field("reply.text", "kiosk.reply.field_text", r.text, nullptr, text, w);
            const std::string photos = ui.tr(
                Text{"kiosk.reply.photos", {{"n", std::to_string(flow.draft().photos.size())}}});
            if (ui.button("reply.photos", photos, ImVec2(w, ui.metrics().target), Tone::quiet)) {
                flow.replyPhotos();
            }
        }
        ui.errorText(flow.error(Field::replyText));
    }
};

class ReplyReviewView final : public View {
    void drawContent(ViewContext& ctx) override {
        Ui& ui = ctx.ui;
        Flow& flow = ctx.flow;
        const ReplyDraft& r = flow.replyDraft();
        ui.text(ui.tr("kiosk.replyReview.help"));
        if (r.kind) {
            ui.heading(ui.tr(replyKindMsgid(*r.kind)));
        }
        if (r.kind == ReplyKind::information) {
            if (!r.text.empty()) {
                ui.text(r.text);
            }
            ui.textSmall(ui.tr(
                Text{"kiosk.reply.photos", {{"n", std::to_string(flow.draft().photos.size())}}}));
        }
        if (r.saveError) {
            ui.errorText(&*r.saveError);
            ui.registerRect("replyReview.error", ImGui::GetItemRectMin(), ImGui::GetItemRectMax());
        }
    }
    void drawFooter(ViewContext& ctx) override {
        Ui& ui = ctx.ui;
        const int touched = footerPair(ui, "nav.back", ui.tr("kiosk.nav.back"), "replyReview.send",
                                       ui.tr("kiosk.replyReview.send"), Tone::primary);
        if (touched == 1) {
            ctx.flow.back();
        } else if (touched == 2) {
            ctx.app.saveReply();
        }
    }
};

class ReplySavingView final : public View {
    bool showFooter() const override { return false; }
    void drawContent(ViewContext& ctx) override {
        ImGui::Dummy(ImVec2(0, ctx.ui.metrics().height * 0.2f));
        ctx.ui.heading(ctx.ui.tr("kiosk.replySaving.help"));
    }
};

class ReplyDoneView final : public View {
    bool showFooter() const override { return false; }
    void drawContent(ViewContext& ctx) override {
        Ui& ui = ctx.ui;
        Flow& flow = ctx.flow;
        const float w = fullWidth();
        ui.heading(ui.tr("kiosk.replyDone.title"));
        ui.text(ui.tr("kiosk.replyDone.help"));
        if (flow.status()) {
            ui.textSmall(ui.tr("kiosk.receipt.code"));
            ImGui::PushFont(ui.hugeFont());
            const std::string shown = receipt::format(flow.status()->receiptCode);
            ImGui::TextUnformatted(shown.c_str());
            ImGui::PopFont();
            ui.registerRect("replyDone.code", ImGui::GetItemRectMin(), ImGui::GetItemRectMax());
        }
        if (ui.button("replyDone.done", ui.tr("kiosk.receipt.done"),
                      ImVec2(w, ui.metrics().target * 1.4f), Tone::primary, ui.headingFont())) {
            flow.next();
        }
    }
};

}  // namespace

std::unique_ptr<View> makeStatusCodeView() {
    return std::make_unique<StatusCodeView>();
}
std::unique_ptr<View> makeStatusView() {
    return std::make_unique<StatusView>();
}
std::unique_ptr<View> makeReplyView() {
    return std::make_unique<ReplyView>();
}
std::unique_ptr<View> makeReplyReviewView() {
    return std::make_unique<ReplyReviewView>();
}
std::unique_ptr<View> makeReplySavingView() {
    return std::make_unique<ReplySavingView>();
}
std::unique_ptr<View> makeReplyDoneView() {
    return std::make_unique<ReplyDoneView>();
}

}  // namespace lapor::kiosk
