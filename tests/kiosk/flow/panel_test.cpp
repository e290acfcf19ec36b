// The staff panel's state: the agent's record read, refused reports grouped, plain words chosen,
// the clock check, read-aloud lines.
#include <doctest/doctest.h>

#include "kiosk/flow/panel.hpp"

using namespace lapor;
using namespace lapor::kiosk;

TEST_CASE("the agent's record: as lapor-syncd writes it, anything else is 'not known'") {
    const LinkInfo l = parseAgentRecord(
        R"({"online":false,"last_success_at_ms":1000,"last_error":"unavailable: connect: refused",)"
        R"("last_error_at_ms":2000,"delivered_since_start":3,"queue_depth":1,"parked":0,)"
        R"("pid":42,"updated_at_ms":2500})");
    CHECK(l.known);
    CHECK_FALSE(l.online);
    CHECK(l.lastSuccessMs == 1000);
    CHECK(l.lastErrorMs == 2000);
    CHECK(l.updatedAtMs == 2500);
    CHECK(l.lastError == "unavailable: connect: refused");
    CHECK_FALSE(parseAgentRecord("").known);
    CHECK_FALSE(parseAgentRecord("{\"online\": 1}").known);
    CHECK_FALSE(parseAgentRecord("[1,2").known);
}

TEST_CASE("plain words for the agent's last error and for the server's park reasons") {
    CHECK(std::string(linkErrorMsgid("")) == "kiosk.staffPanel.error.none");
    CHECK(std::string(linkErrorMsgid("unavailable: submit: HTTP 503")) ==
          "kiosk.staffPanel.error.unreachable");
    CHECK(std::string(linkErrorMsgid("network: could not connect")) ==
          "kiosk.staffPanel.error.unreachable");
    CHECK(std::string(linkErrorMsgid("permission: submit: HTTP 401")) ==
          "kiosk.staffPanel.error.token");
    CHECK(std::string(linkErrorMsgid("protocol: submit: HTTP 200 without the protocol header")) ==
          "kiosk.staffPanel.error.not_server");
    CHECK(std::string(linkErrorMsgid("rejected: submit: HTTP 422")) ==
          "kiosk.staffPanel.error.refused");
    CHECK(std::string(linkErrorMsgid("cancelled: stop")) == "kiosk.staffPanel.error.other");

    CHECK(std::string(parkReasonMsgid("submit: HTTP 422 (validation_failed: title too long)")) ==
          "kiosk.staffPanel.park.invalid");
    CHECK(std::string(parkReasonMsgid("submit: HTTP 422 (photo_mismatch: sha256)")) ==
          "kiosk.staffPanel.park.photo");
    CHECK(std::string(parkReasonMsgid("tus: HTTP 413")) == "kiosk.staffPanel.park.too_large");
    CHECK(std::string(parkReasonMsgid("submit: HTTP 409 (idempotency_conflict)")) ==
          "kiosk.staffPanel.park.conflict");
    CHECK(std::string(parkReasonMsgid("submit: HTTP 400")) == "kiosk.staffPanel.park.malformed");
    CHECK(std::string(parkReasonMsgid("stored report unreadable: corrupt")) ==
          "kiosk.staffPanel.park.unreadable");
    CHECK(std::string(parkReasonMsgid("something else")) == "kiosk.staffPanel.park.other");
}

TEST_CASE("refused reports: grouped by their exact reason, the biggest group first") {
    auto groups = groupParked({{"u1", "C1", "b", 30},
                               {"u2", "C2", "a", 20},
                               {"u3", "C3", "b", 10},
                               {"u4", "C4", "c", 5}});
    REQUIRE(groups.size() == 3);
    CHECK(groups[0].reason == "b");
    REQUIRE(groups[0].reports.size() == 2);
    CHECK(groups[0].reports[0].uuid == "u3");  // oldest first inside a group
    CHECK(groups[1].reason == "a");
    CHECK(groups[2].reason == "c");
    CHECK(groupParked({}).empty());
}

TEST_CASE("clock sanity: flagged only when far behind the latest time the kiosk has seen") {
    const std::int64_t seen = 1'767'225'600'000;
    CHECK_FALSE(clockBehind(seen, 0));  // nothing seen yet
    CHECK_FALSE(clockBehind(seen + 1, seen));
    CHECK_FALSE(clockBehind(seen - kClockBehindMs, seen));
    CHECK(clockBehind(seen - kClockBehindMs - 1, seen));
    CHECK(clockBehind(946'684'800'000, seen));  // back at 2000-01-01 after a power cut
}

TEST_CASE("ages in whole units") {
    CHECK(ageText(0) == "0 min");
    CHECK(ageText(59 * 60'000) == "59 min");
    CHECK(ageText(125 * 60'000) == "2 h 5 min");
    CHECK(ageText((4 * 24 + 3) * 3'600'000LL) == "4 d 3 h");
    CHECK(ageText(-5) == "0 min");
}

TEST_CASE("read aloud on the panel: the link, the outbox, refused reports, the clock") {
    PanelSnapshot p;
    CHECK(panelSpeech(p, 0).at(0).key == "kiosk.staffPanel.reading");
    p.read = true;
    p.link.known = true;
    p.link.online = false;
    p.link.lastError = "unavailable: down";
    p.waiting = 2;
    p.parkedCount = 1;
    p.newestKnownMs = 10 * kClockBehindMs;
    const auto lines = panelSpeech(p, 0);
    REQUIRE(lines.size() == 5);
    CHECK(lines[0].key == "kiosk.staffPanel.link.offline");
    CHECK(lines[1].key == "kiosk.staffPanel.error.unreachable");
    CHECK(lines[2].key == "kiosk.staffPanel.outbox.summary");
    CHECK(lines[3].args.at(0).second == "1");
    CHECK(lines[4].key == "kiosk.staffPanel.clock.behind");
}
