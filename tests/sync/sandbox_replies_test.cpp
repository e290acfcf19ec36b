// lapor-sandbox's returning-visitor side (docs/protocol.md 4.3-4.6): the agency's follow-ups in the
// status feed, the feed's cursor at 10,000 reports, the 10-working-day close rule on a sped-up
// injected clock, and the citizen's replies, exactly once, with photos by tus.
#include <atomic>
#include <set>
#include <thread>

#include "sync/sandbox/times.hpp"
#include "tests/sync/sandbox_fixture.hpp"

namespace lapor::sandbox::test {

namespace {

json pull(SandboxFixture& f, const std::string& cursor, int limit = 100) {
    const std::string path =
        "/v1/reports/status?cursor=" + cursor + "&limit=" + std::to_string(limit);
    auto r = f.api().Get(path.c_str(), SandboxFixture::auth());
    REQUIRE(r);
    REQUIRE_MESSAGE(r->status == 200, r->body);
    return json::parse(r->body);
}

// A report filed in Jakarta (WIB, +07:00); returns its tracking ID.
std::string fileWib(SandboxFixture& f, int n) {
    json body = SandboxFixture::reportBody();
    body["created_at"] = "2026-11-30T03:30:22.123+07:00";
    auto r = f.postReport(uuidFor(n), body);
    REQUIRE(r);
    REQUIRE_MESSAGE(r->status == 201, r->body);
    return json::parse(r->body)["tracking_id"];
}

json replyBody(const std::string& text = "Lubangnya makin besar sejak hujan.",
               json photos = json::array()) {
    return {{"kind", "information"},
            {"text", text},
            {"photos", std::move(photos)},
            {"created_at", "2026-12-10T09:15:00.000+07:00"},
            {"language", "id"}};
}

httplib::Result postReply(SandboxFixture& f, httplib::Client& client, const std::string& tracking,
                          const std::string& key, const json& body) {
    auto h = SandboxFixture::auth();
    h.emplace("Idempotency-Key", key);
    return client.Post(("/v1/reports/" + tracking + "/replies").c_str(), h, body.dump(),
                       "application/json");
    (void)f;
}

void followUp(SandboxFixture& f, const std::string& tracking, const std::string& text) {
    (void)f.adminPost("/admin/reports/" + tracking + "/followup",
                      {{"text", text}, {"agency", "Dinas PU Kabupaten Aceh Selatan"}});
}

std::string errorCode(const httplib::Result& r) {
    return json::parse(r->body).value("code", "");
}

// Every update until the feed says there is no more, and how many pages that took.
std::vector<json> drain(SandboxFixture& f, std::string& cursor, int limit, int& pages) {
    std::vector<json> out;
    for (int guard = 0; guard < 1000; ++guard) {
        json page = pull(f, cursor, limit);
        ++pages;
        CHECK(page["updates"].size() <= static_cast<std::size_t>(limit));
        for (auto& u : page["updates"]) {
            out.push_back(u);
        }
        cursor = page["next_cursor"];
        if (!page["more"]) {
            break;
        }
    }
    return out;
}

}  // namespace

TEST_CASE("feed: a follow-up posted by staff arrives with its text, agency and local time") {
    FakeClock clock;  // 2026-01-01T00:00Z, a Thursday
    SandboxFixture f({}, clock);
    const std::string tracking = fileWib(f, 1);
    json page = pull(f, "");
    const std::string cursor = page["next_cursor"];
    followUp(f, tracking, "Perbaikan dijadwalkan minggu depan.");
    page = pull(f, cursor);
    REQUIRE(page["updates"].size() == 3);  // verified and forwarded filled in, then the follow-up
    const json& fwd = page["updates"][1];
    CHECK(fwd["status"] == "forwarded");
    CHECK(fwd["agency_id"] == "kemen-pupr");
    CHECK(fwd["agency"] == "Kementerian Pekerjaan Umum dan Perumahan Rakyat");
    const json& u = page["updates"][2];
    CHECK(u["event"] == "followup");
    CHECK(u["status"] == "followed_up");
    CHECK(u["closed"] == false);
    CHECK(u["followup"]["text"] == "Perbaikan dijadwalkan minggu depan.");
    CHECK(u["followup"]["agency"] == "Dinas PU Kabupaten Aceh Selatan");
    CHECK(u["followup"]["at"] == "2026-01-01T00:00:00.000Z");
    CHECK(u["followup"]["local_at"] == "2026-01-01T07:00:00.000+07:00");
    // Thursday 1 January + 10 working days (two weekends) = Thursday 15 January.
    CHECK(u["closes_at"] == "2026-01-15T00:00:00.000Z");
    // The per-report answer tells the same.
    auto one = f.api().Get(("/v1/reports/" + tracking).c_str(), SandboxFixture::auth());
    REQUIRE(one);
    const json r = json::parse(one->body);
    CHECK(r["status"] == "followed_up");
    CHECK(r["history"].back()["followup"]["text"] == "Perbaikan dijadwalkan minggu depan.");
    // Nothing is read twice.
    CHECK(pull(f, page["next_cursor"])["updates"].empty());
    // A follow-up for an unknown report is 404.
    auto missing =
        f.admin().Post("/admin/reports/LPR-2026-999999/followup", "{}", "application/json");
    REQUIRE(missing);
    CHECK(missing->status == 404);
}

TEST_CASE("feed: 10,000 delivered reports, 1,000 changes: the cursor answers only the changes") {
    FakeClock clock;  // still: only what the test does moves a report
    SandboxFixture f({}, clock);
    auto catalog = f.api().Get("/v1/catalog", SandboxFixture::auth());
    REQUIRE(catalog);
    const json cat = json::parse(catalog->body);
    SandboxStore& store = f.sandbox().store();
    std::vector<std::string> tracking;
    for (int i = 0; i < 10'000; ++i) {
        auto r = store.submit(kToken, uuidFor(i + 1), SandboxFixture::reportBody(), cat, "v1");
        REQUIRE(r.outcome == SubmitOutcome::created);
        tracking.push_back(r.report.trackingId);
        if (i % 10 == 0) {
            REQUIRE(store.setStatus(tracking.back(), "forwarded", "").ok());
        }
    }
    // Another device's reports never show in this device's feed.
    REQUIRE(f.postReport(uuidFor(20'000), SandboxFixture::reportBody(), "device-token-2")->status ==
            201);
    std::string cursor;
    int pages = 0;
    const auto first = drain(f, cursor, 500, pages);
    CHECK(first.size() == 10'000 + 1'000 * 2);  // received for all, verified+forwarded for 1,000
    CHECK(pages == 24);

    for (int i = 0; i < 10'000; i += 10) {
        REQUIRE(store.postFollowup(tracking[static_cast<std::size_t>(i)], "Sudah diperbaiki.", "")
                    .ok());
    }
    pages = 0;
    const auto changes = drain(f, cursor, 500, pages);
    CHECK(changes.size() == 1'000);
    CHECK(pages == 2);
    std::set<std::string> ids;
    std::set<std::string> reports;
    for (const auto& u : changes) {
        CHECK(u["event"] == "followup");
        ids.insert(u["id"].get<std::string>());
        reports.insert(u["tracking_id"].get<std::string>());
    }
    CHECK(ids.size() == 1'000);
    CHECK(reports.size() == 1'000);
    pages = 0;
    CHECK(drain(f, cursor, 500, pages).empty());  // and nothing again
    // The limit is bounded.
    auto big = f.api().Get("/v1/reports/status?limit=501", SandboxFixture::auth());
    REQUIRE(big);
    CHECK(big->status == 400);
}

TEST_CASE("close rule: 10 working days after the follow-up in the report's calendar, sped up") {
    // Working days count on the reporter's local calendar: a follow-up at Friday 18:00 UTC is
    // Saturday 01:00 in Jakarta, so the count starts on Monday there.
    CHECK(addWorkingDays(parseTime("2026-01-02T18:00:00Z").value(), 1, 420) ==
          parseTime("2026-01-04T18:00:00Z").value());  // Monday 01:00 in Jakarta
    CHECK(addWorkingDays(parseTime("2026-01-02T18:00:00Z").value(), 1, 0) ==
          parseTime("2026-01-05T18:00:00Z").value());
    CHECK(addWorkingDays(parseTime("2026-01-02T18:00:00Z").value(), 10, 420) ==
          parseTime("2026-01-15T18:00:00Z").value());
    CHECK(addWorkingDays(parseTime("2026-01-02T18:00:00Z").value(), 10, 0) ==
          parseTime("2026-01-16T18:00:00Z").value());

    FakeClock clock;  // Thursday 2026-01-01T00:00Z
    SandboxOptions o;
    o.timeScale = 86400;  // one real millisecond is 86.4 sandbox seconds
    SandboxFixture f(o, clock);
    const std::string tracking = fileWib(f, 1);
    clock.advance(1'750);  // 42 hours: Friday 2 January 18:00 UTC
    followUp(f, tracking, "Sudah ditangani.");
    json page = pull(f, "");
    CHECK(page["updates"].back()["closes_at"] == "2026-01-15T18:00:00.000Z");
    clock.advance(12'990);  // 13 days less 14.4 minutes
    page = pull(f, page["next_cursor"]);
    CHECK(page["updates"].empty());
    clock.advance(20);
    page = pull(f, page["next_cursor"]);
    REQUIRE(page["updates"].size() == 1);
    CHECK(page["updates"][0]["status"] == "closed");
    CHECK(page["updates"][0]["closed"] == true);
    CHECK(page["updates"][0]["at"] == "2026-01-15T18:00:00.000Z");
    // A closed report takes no reply.
    auto r = postReply(f, f.api(), tracking, uuidFor(500), replyBody());
    REQUIRE(r);
    CHECK(r->status == 409);
    CHECK(errorCode(r) == "report_closed");
}

TEST_CASE("close rule: a reply stops the clock until the agency follows up again") {
    FakeClock clock;  // Thursday 2026-01-01T00:00Z
    SandboxOptions o;
    o.timeScale = 86400;
    SandboxFixture f(o, clock);
    const std::string tracking = fileWib(f, 1);
    followUp(f, tracking, "Sudah ditangani.");
    std::string cursor = pull(f, "")["next_cursor"];
    clock.advance(1'000);  // Friday 2 January 00:00 UTC
    auto r = postReply(f, f.api(), tracking, uuidFor(500),
                       {{"kind", "not_resolved"},
                        {"text", ""},
                        {"photos", json::array()},
                        {"created_at", "2026-01-02T07:00:00+07:00"}});
    REQUIRE(r);
    REQUIRE_MESSAGE(r->status == 201, r->body);
    CHECK(json::parse(r->body)["closes_at"].is_null());
    json page = pull(f, cursor);
    REQUIRE(page["updates"].size() == 1);
    CHECK(page["updates"][0]["event"] == "reply");
    CHECK(page["updates"][0]["reply_id"] == uuidFor(500));
    CHECK(page["updates"][0]["closes_at"].is_null());
    cursor = page["next_cursor"];
    // Past the old close date (15 January) nothing closes: the agency owes an answer, which the
    // sandbox gives 5 working days after the reply (Friday 9 January), restarting the 10 days.
    clock.advance(14'000);  // Friday 16 January
    page = pull(f, cursor);
    REQUIRE(page["updates"].size() == 1);
    CHECK(page["updates"][0]["event"] == "followup");
    CHECK(page["updates"][0]["at"] == "2026-01-09T00:00:00.000Z");
    CHECK(page["updates"][0]["closes_at"] == "2026-01-23T00:00:00.000Z");
    clock.advance(7'000);
    page = pull(f, page["next_cursor"]);
    REQUIRE(page["updates"].size() == 1);
    CHECK(page["updates"][0]["status"] == "closed");
}

TEST_CASE("replies: exactly once per key, also when duplicates race, another body is a conflict") {
    FakeClock clock;
    SandboxFixture f({}, clock);
    const std::string tracking = fileWib(f, 1);
    followUp(f, tracking, "Sudah ditangani.");
    const std::string key = uuidFor(700);
    auto first = postReply(f, f.api(), tracking, key, replyBody());
    REQUIRE(first);
    CHECK(first->status == 201);
    const json a = json::parse(first->body);
    CHECK(a["reply_id"] == key);
    CHECK(a["tracking_id"] == tracking);
    auto again = postReply(f, f.api(), tracking, key, replyBody());
    REQUIRE(again);
    CHECK(again->status == 200);
    CHECK(again->get_header_value("Idempotent-Replayed") == "true");
    CHECK(json::parse(again->body)["received_at"] == a["received_at"]);
    auto other = postReply(f, f.api(), tracking, key, replyBody("Lain lagi."));
    REQUIRE(other);
    CHECK(other->status == 409);
    CHECK(errorCode(other) == "idempotency_conflict");

    // Eight copies of one new reply at once: one is created, the rest replay it.
    const std::string racing = uuidFor(701);
    std::atomic<int> created{0};
    std::atomic<int> replayed{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < 8; ++i) {
        threads.emplace_back([&] {
            auto client = f.makeApiClient();
            auto r = postReply(f, *client, tracking, racing, replyBody("Bersamaan."));
            if (r && r->status == 201) {
                ++created;
            } else if (r && r->status == 200) {
                ++replayed;
            }
        });
    }
    for (auto& t : threads) {
        t.join();
    }
    CHECK(created == 1);
    CHECK(replayed == 7);
    const json stats = f.adminGet("/admin/stats");
    CHECK(stats["replies"] == 2);
    CHECK(stats["reply_acceptances"][racing]["replayed"] == 7);
    CHECK(f.adminGet("/admin/reports/" + tracking)["replies"].size() == 2);

    // Replies survive a restart, and a replay after it still answers the first acceptance.
    f.restart();
    auto late = postReply(f, f.api(), tracking, key, replyBody());
    REQUIRE(late);
    CHECK(late->status == 200);
    CHECK(json::parse(late->body)["received_at"] == a["received_at"]);
    CHECK(f.adminGet("/admin/stats")["replies"] == 2);
}

TEST_CASE("replies: the documented refusals") {
    FakeClock clock;
    SandboxFixture f({}, clock);
    const std::string tracking = fileWib(f, 1);
    auto r = postReply(f, f.api(), "LPR-2026-999999", uuidFor(800), replyBody());
    REQUIRE(r);
    CHECK(r->status == 404);
    CHECK(errorCode(r) == "not_found");
    r = postReply(f, f.api(), tracking, uuidFor(801), replyBody());
    REQUIRE(r);
    CHECK(r->status == 409);
    CHECK(errorCode(r) == "not_followed_up");
    followUp(f, tracking, "Sudah ditangani.");
    r = postReply(f, f.api(), tracking, uuidFor(802),
                  replyBody(std::string(kReplyTextMax + 1, 'a')));
    REQUIRE(r);
    CHECK(r->status == 422);
    CHECK(errorCode(r) == "validation_failed");
    CHECK(json::parse(r->body)["fields"][0] == json{{"field", "text"}, {"reason", "too_long"}});
    r = postReply(f, f.api(), tracking, uuidFor(803), replyBody("   "));
    REQUIRE(r);
    CHECK(r->status == 422);  // information with neither text nor photo
    json typo = replyBody();
    typo["txet"] = "x";
    r = postReply(f, f.api(), tracking, uuidFor(804), typo);
    REQUIRE(r);
    CHECK(r->status == 422);
    r = postReply(f, f.api(), tracking, "not-a-uuid", replyBody());
    REQUIRE(r);
    CHECK(r->status == 400);
    // A report of another device is not found through this one.
    auto h = SandboxFixture::auth("device-token-2");
    h.emplace("Idempotency-Key", uuidFor(805));
    auto foreign = f.api().Post(("/v1/reports/" + tracking + "/replies").c_str(), h,
                                replyBody().dump(), "application/json");
    REQUIRE(foreign);
    CHECK(foreign->status == 404);
    CHECK(f.adminGet("/admin/stats")["replies"] == 0);
    // Exactly the maximum is fine.
    r = postReply(f, f.api(), tracking, uuidFor(806), replyBody(std::string(kReplyTextMax, 'a')));
    REQUIRE(r);
    CHECK(r->status == 201);
}

TEST_CASE("replies: photos go by tus as for reports, and the sandbox counts them") {
    FakeClock clock;
    SandboxFixture f({}, clock);
    const std::string tracking = fileWib(f, 1);
    followUp(f, tracking, "Sudah ditangani.");
    const std::string key = uuidFor(900);
    const std::string bytes = makeBytes(50'000, 7);
    const json photo = f.uploadPhoto(bytes, key, 0);

    // A photo not yet complete is refused until it is.
    const std::string half = makeBytes(20'000, 8);
    const std::string location = f.createUpload(half, key, 1);
    REQUIRE(f.patch(location, 0, half.substr(0, 10'000))->status == 204);
    const json partial = {
        {"upload", location}, {"sha256", sha256Hex(half)}, {"bytes", half.size()}};
    auto r = postReply(f, f.api(), tracking, key,
                       replyBody("Foto terbaru.", json::array({photo, partial})));
    REQUIRE(r);
    CHECK(r->status == 409);
    CHECK(errorCode(r) == "upload_incomplete");
    REQUIRE(f.patch(location, 10'000, half.substr(10'000))->status == 204);
    r = postReply(f, f.api(), tracking, key,
                  replyBody("Foto terbaru.", json::array({photo, partial})));
    REQUIRE(r);
    CHECK(r->status == 201);
    const json stats = f.adminGet("/admin/stats");
    CHECK(stats["replies"] == 1);
    CHECK(stats["reply_acceptances"][key]["photos"] == 2);
    std::uint64_t received = 0;
    for (const auto& u : stats["uploads_detail"]) {
        if (u["report_uuid"] == key) {
            received += u["bytes_received"].get<std::uint64_t>();
        }
    }
    CHECK(received == bytes.size() + half.size());  // no byte sent twice
    // A photo's hash that differs from its upload is refused.
    const json wrong = {
        {"upload", photo["upload"]}, {"sha256", sha256Hex("x")}, {"bytes", bytes.size()}};
    r = postReply(f, f.api(), tracking, uuidFor(901), replyBody("x", json::array({wrong})));
    REQUIRE(r);
    CHECK(r->status == 422);
    CHECK(errorCode(r) == "photo_mismatch");
}

}  // namespace lapor::sandbox::test
