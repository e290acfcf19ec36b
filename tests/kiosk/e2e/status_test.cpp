// A returning visitor, end to end under Xvfb with real xdotool input, with lapor-sandbox and
// lapor-syncd beside the kiosk: a report filed at the kiosk, delivered, verified, forwarded and
// followed up by the sandbox's staff; the visitor comes back, finds it by the typed code (lower
// case, spaces) and by the slip's QR held up to the simulated camera, reads the follow-up, and
// replies with a photo; the agent is killed mid-upload and restarted, and the sandbox holds the
// reply exactly once. Screenshots of each screen in both languages go to
// <build>/kiosk-e2e/status-screens (docs/status-screens/ keeps a copy).
#include <doctest/doctest.h>

#include <cstdlib>
#include <nlohmann/json.hpp>

#include "core/receipt_code.hpp"
#include "tests/kiosk/e2e/e2e_support.hpp"
#include "tests/kiosk/e2e/sandbox_json.hpp"
#include "tests/kiosk/e2e/x_driver.hpp"

namespace fs = std::filesystem;
using namespace lapor;
using namespace lapor::testing::e2e;
using lapor::testing::x::Driver;
using lapor::testing::x::fillAnonymousReport;
using lapor::testing::x::run;
using json = nlohmann::json;

namespace {

const fs::path kOut = fs::path(LAPOR_BINARY_DIR) / "kiosk-e2e" / "status";
const fs::path kSandbox = fs::path(LAPOR_BINARY_DIR) / "sync" / "sandbox" / "lapor-sandbox";
const fs::path kSyncd = fs::path(LAPOR_BINARY_DIR) / "sync" / "syncd" / "lapor-syncd";
constexpr const char* kToken = "status-e2e-token";

// Bytes of the reply's photos the sandbox received so far (its uploads carry the reply's id).
std::uint64_t replyPhotoBytes(const json& stats, const std::string& replyId) {
    std::uint64_t bytes = 0;
    for (const auto& u : stats["uploads_detail"]) {
        if (u["report_uuid"] == replyId) {
            bytes += u.value("bytes_received", std::uint64_t{0});
        }
    }
    return bytes;
}

}  // namespace

TEST_CASE(
    "a returning visitor finds the report by typed code and by the slip's QR, reads the "
    "follow-up and replies with a photo, delivered once through an agent killed mid-upload") {
    REQUIRE(run("command -v xdotool >/dev/null && command -v Xvfb >/dev/null && "
                "command -v import >/dev/null && command -v curl >/dev/null") == 0);
    REQUIRE(fs::exists(kSandbox));
    REQUIRE(fs::exists(kSyncd));
    const fs::path sbxDir = fs::path(kOut.string() + "-sandbox");
    fs::remove_all(sbxDir);
    fs::create_directories(sbxDir);
    const fs::path shots = fs::path(LAPOR_BINARY_DIR) / "kiosk-e2e" / "status-screens";
    fs::remove_all(shots);
    const SandboxProcess sandbox = startSandbox(kSandbox, sbxDir, {"--token", kToken});
    const std::string config = "[device]\noffice = \"Kantor Uji e2e\"\n\n[store]\npath = \"" +
                               (kOut / "state" / "store").string() + "\"\nkey_file = \"" +
                               (kOut / "state" / "keys" / "store.key").string() +
                               "\"\n\n[sync]\nserver_url = \"" + sandbox.api + "\"\ntoken = \"" +
                               kToken +
                               "\"\nstore_poll_ms = 300\nbackoff_base_ms = 200\n"
                               "backoff_cap_ms = 1000\nprobe_interval_ms = 500\n"
                               "status_poll_ms = 500\n";
    // The simulated camera shows a slip's QR while this file names a code (hardware/camera.hpp).
    const fs::path slipFile = kOut.string() + "-slip.txt";
    fs::remove(slipFile);
    setenv("LAPOR_SIM_CAMERA_SLIP_FILE", slipFile.c_str(), 1);
    Driver d(kOut, config, nullptr);
    unsetenv("LAPOR_SIM_CAMERA_SLIP_FILE");
    auto syncd = std::make_unique<Process>(
        std::vector<std::string>{kSyncd.string(), "--config", (kOut / "lapor.toml").string()},
        kOut / "syncd.log");
    const auto both = [&](const std::string& name) {
        d.keep(shots / (name + "-id.png"));
        d.tap("bar.lang", d.last().screen);
        d.keep(shots / (name + "-en.png"));
        d.tap("bar.lang", d.last().screen);
    };

    // A visitor files a report.
    d.settle("welcome", "start");
    CHECK(d.last().visible("welcome.status"));
    d.keep(shots / "welcome-id.png");
    d.tap("welcome.start", "kind");
    fillAnonymousReport(d, "Jalan berlubang di depan pasar",
                        "Lubang besar di jalan depan pasar sejak dua bulan, motor sering jatuh.");
    d.tap("nav.next", "review");
    d.tap("review.consent", "review");
    d.tap("review.send", "");
    d.settle("receipt", "saved");
    d.tap("receipt.done", "welcome");

    // Delivered; the sandbox's staff verify, forward and follow it up; the agent brings it back.
    std::optional<OutboxEntry> filed;
    REQUIRE(waitFor(
        [&] {
            auto store = openStore(d.state(), false);
            auto all = store->listAll();
            if (!all.ok() || all->size() != 1) {
                return false;
            }
            filed = all->front();
            return isDelivered(filed->state);
        },
        60));
    const std::string code = filed->receiptCode;
    const std::string followUp = "Perbaikan jalan dijadwalkan pekan depan oleh dinas.";
    REQUIRE(run("curl -sf -X POST " + sandbox.admin + "/admin/reports/" + filed->trackingId +
                "/followup -H 'Content-Type: application/json' -d '{\"text\":\"" + followUp +
                "\",\"agency\":\"Dinas PU Aceh Selatan\"}' >/dev/null") == 0);
    REQUIRE(waitFor(
        [&] {
            auto store = openStore(d.state(), false);
            auto v = store->statusOf(filed->uuid);
            return v.ok() && v->canReply;
        },
        60));

    // Back at the kiosk: a wrong code first (one symbol off), then the code as typed off the slip.
    d.tap("welcome.status", "statusCode");
    std::string typo = receipt::format(code);
    typo[6] = typo[6] == 'A' ? 'B' : 'A';
    d.tap("statusCode.code", "statusCode");
    d.typeKeys(typo, "statusCode");
    d.key("Return", "statusCode");
    d.tap("statusCode.find", "statusCode");
    d.waitUntil([](const auto& s) { return s.visible("statusCode.message").has_value(); },
                "the mistyped code is caught");
    both("code-mistyped");
    std::string typed;
    for (char c : receipt::format(code)) {
        typed += c == '-' ? ' ' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    d.tap("statusCode.code", "statusCode");
    for (std::size_t i = 0; i < typo.size(); ++i) {
        d.key("BackSpace", "statusCode");
    }
    d.typeKeys(typed, "statusCode");
    d.key("Return", "statusCode");
    d.tap("statusCode.find", "status");
    CHECK(d.last().widgets.count("status.tracking"));
    CHECK(d.last().widgets.count("status.followup"));
    CHECK(d.last().widgets.count("status.reply"));
    both("status");
    d.tap("status.print", "status");

    // Another code: this time the slip's QR held up to the camera.
    d.tap("nav.back", "statusCode");
    CHECK(d.last().visible("statusCode.preview"));
    both("code");
    std::ofstream(slipFile) << code << "\n";
    d.waitUntil([](const auto& s) { return s.screen == "status"; }, "the QR is read");
    fs::remove(slipFile);
    CHECK(d.last().widgets.count("status.followup"));

    // The reply, with a photo, over a slow link; the agent is killed while the photo uploads.
    REQUIRE(run("curl -sf -X POST " + sandbox.admin +
                "/admin/faults -H 'Content-Type: application/json' -d "
                "'{\"kind\":\"throttle\",\"bytes_per_second\":20000,\"seconds\":0}' >/dev/null") ==
            0);
    d.tap("status.reply", "reply");
    d.tap("reply.information", "reply");
    d.tap("reply.text", "reply");
    d.typeKeys("Lubangnya makin besar sejak hujan kemarin.", "reply");
    d.key("Return", "reply");
    both("reply");
    d.tap("reply.photos", "photos");
    d.tap("photos.take", "photos");
    d.waitUntil([](const auto& s) { return s.widgets.count("photos.thumb.0") > 0; }, "photo");
    d.tap("nav.next", "reply");
    d.tap("nav.next", "replyReview");
    both("reply-review");
    d.tap("replyReview.send", "");
    d.settle("replyDone", "reply stored");
    both("reply-done");
    std::string replyId;
    {
        auto store = openStore(d.state(), false);
        auto replies = store->replies(filed->uuid);
        REQUIRE(replies.ok());
        REQUIRE(replies->size() == 1);
        replyId = replies->front().id;
        CHECK(replies->front().photoCount == 1);
    }
    REQUIRE(waitFor(
        [&] {
            return replyPhotoBytes(getJson(sandbox.admin + "/admin/stats", sbxDir / "stats.json"),
                                   replyId) > 0;
        },
        60));
    kill(syncd->pid, SIGKILL);
    waitpid(syncd->pid, nullptr, 0);
    syncd->pid = -1;
    REQUIRE(run("curl -sf -X DELETE " + sandbox.admin + "/admin/faults >/dev/null") == 0);
    syncd = std::make_unique<Process>(
        std::vector<std::string>{kSyncd.string(), "--config", (kOut / "lapor.toml").string()},
        kOut / "syncd-2.log");
    REQUIRE(waitFor(
        [&] {
            auto store = openStore(d.state(), false);
            auto e = store->replyEntry(replyId);
            return e.ok() && e->state == OutboxState::delivered;
        },
        90));
    const json stats = getJson(sandbox.admin + "/admin/stats", sbxDir / "stats.json");
    CHECK(stats["replies"] == 1);
    CHECK(stats["reply_acceptances"][replyId]["created"] == 1);
    CHECK(stats["reply_acceptances"][replyId]["photos"] == 1);
    const json held =
        getJson(sandbox.admin + "/admin/reports/" + filed->uuid, sbxDir / "report.json");
    REQUIRE(held["replies"].size() == 1);
    CHECK(held["replies"][0]["reply_id"] == replyId);

    // The visitor's words are in no log; the code only where it was before (the save and the
    // delivery, for staff): no lookup, right or wrong, logs a code.
    const auto count = [](const std::string& text, const std::string& what) {
        std::size_t n = 0;
        for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) {
            ++n;
        }
        return n;
    };
    std::string canonicalTypo;
    for (char c : typo) {
        if (c != '-') {
            canonicalTypo += c;
        }
    }
    for (const fs::path& f : {kOut / "kiosk.log", kOut / "syncd.log", kOut / "syncd-2.log"}) {
        const std::string text = readFile(f);
        CHECK(text.find("Lubangnya") == std::string::npos);
        CHECK(text.find(canonicalTypo) == std::string::npos);
        CHECK(count(text, code) <= 1);
    }
    CHECK(count(readFile(kOut / "kiosk.log"), code) == 1);  // "report stored: receipt ..."
}
