// The exchange layer's verdicts as a table whose rows are docs/protocol.md's error table (read
// from the document, so a row added there without a verdict here fails), plus transport failures,
// answers without the protocol header and malformed answers from sync/answers.
#include <doctest/doctest.h>

#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "sync/answers.hpp"
#include "sync/exchange.hpp"

using namespace lapor;
using namespace lapor::sync;

namespace {

using Kind = Verdict::Kind;
using Hold = Verdict::Hold;

const Headers kProtocol{{"Lapor-Protocol", "1"}, {"Content-Type", "application/json"}};
constexpr std::int64_t kNowMs = 1'767'225'600'000;

struct Expected {
    Kind kind;
    Hold hold = Hold::away;  // with holdServer only
};

// What each (status, code) of the protocol's error table means for the agent. "" is the row whose
// code is "(any or none)".
const std::map<std::pair<long, std::string>, Expected>& expectedVerdicts() {
    static const std::map<std::pair<long, std::string>, Expected> table{
        {{400, "bad_request"}, {Kind::park}},
        {{400, "checksum_algorithm"}, {Kind::park}},
        {{401, "unauthorized"}, {Kind::holdServer, Hold::token}},
        {{403, "forbidden"}, {Kind::holdServer, Hold::token}},
        {{404, "not_found"}, {Kind::park}},
        {{404, "upload_unknown"}, {Kind::restartUpload}},
        {{405, "method_not_allowed"}, {Kind::park}},
        {{408, ""}, {Kind::holdServer}},
        {{409, "offset_mismatch"}, {Kind::retry}},
        {{409, "idempotency_conflict"}, {Kind::park}},
        {{409, "upload_missing"}, {Kind::restartUpload}},
        {{409, "upload_incomplete"}, {Kind::retry}},
        // Answers to a citizen's reply (protocol 4.5): permanent for that reply.
        {{409, "report_closed"}, {Kind::park}},
        {{409, "not_followed_up"}, {Kind::park}},
        {{412, "tus_version"}, {Kind::park}},
        {{413, "too_large"}, {Kind::park}},
        {{415, "unsupported_media_type"}, {Kind::park}},
        {{422, "validation_failed"}, {Kind::park}},
        {{422, "photo_mismatch"}, {Kind::park}},
        {{429, "rate_limited"}, {Kind::holdServer}},
        // Reaches the agent only after the tus client's resends (chunkDamaged below).
        {{460, "checksum_mismatch"}, {Kind::park}},
        {{500, "internal"}, {Kind::holdServer}},
        {{502, ""}, {Kind::holdServer}},
        {{504, ""}, {Kind::holdServer}},
        {{503, "unavailable"}, {Kind::holdServer}},
    };
    return table;
}

std::string trim(std::string s) {
    const auto b = s.find_first_not_of(" `");
    const auto e = s.find_last_not_of(" `");
    return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

// The (status, code) rows of section 1.3's table.
std::vector<std::pair<long, std::string>> protocolTableRows() {
    std::ifstream in(std::string(LAPOR_SOURCE_DIR) + "/docs/protocol.md");
    REQUIRE(in.good());
    std::vector<std::pair<long, std::string>> rows;
    std::string line;
    bool inSection = false;
    while (std::getline(in, line)) {
        if (line.rfind("### ", 0) == 0) {
            inSection = line.rfind("### 1.3 ", 0) == 0;
            continue;
        }
        if (!inSection || line.rfind("| ", 0) != 0 || line.size() < 3 || !std::isdigit(line[2])) {
            continue;
        }
        std::vector<std::string> cells;
        std::stringstream ss(line.substr(1));
        for (std::string cell; std::getline(ss, cell, '|');) {
            cells.push_back(trim(cell));
        }
        REQUIRE(cells.size() >= 2);
        const std::string code = cells[1].rfind('(', 0) == 0 ? std::string() : cells[1];
        std::stringstream statuses(cells[0]);
        for (std::string s; std::getline(statuses, s, '/');) {
            rows.emplace_back(std::stol(s), code);
        }
    }
    return rows;
}

// The answer of that row as the server sends it, judged as the adapters judge it.
Verdict verdictFor(long status, const std::string& code, Headers headers = kProtocol) {
    const std::string body =
        code.empty() ? std::string() : R"({"code":")" + code + R"(","message":"test"})";
    ExchangeNote note;
    const Error e = httpFailure(makeResponse(status, std::move(headers), body), "report POST",
                                laporGuard(), note, kNowMs);
    return judge(e, note);
}

}  // namespace

TEST_CASE("docs/protocol.md error table: every row has its verdict") {
    const auto rows = protocolTableRows();
    CHECK(rows.size() >= expectedVerdicts().size());
    for (const auto& row : rows) {
        // Plain names, not structured bindings: clang 14 cannot capture those (CAPTURE does).
        const long status = row.first;
        const std::string& code = row.second;
        CAPTURE(status);
        CAPTURE(code);
        const auto want = expectedVerdicts().find({status, code});
        REQUIRE_MESSAGE(want != expectedVerdicts().end(),
                        "a row of docs/protocol.md 1.3 has no verdict in this test");
        const Verdict v = verdictFor(status, code);
        CHECK(verdictName(v.kind) == std::string(verdictName(want->second.kind)));
        if (v.kind == Kind::holdServer) {
            CHECK(v.hold == want->second.hold);
        }
        if (v.kind == Kind::park) {
            CHECK(v.reason.find(std::to_string(status)) != std::string::npos);
            CHECK(v.reason.find(code) != std::string::npos);  // staff see the server's code
        }
    }
    // Every verdict of this test is a row of the document (neither side has rows of its own).
    for (const auto& entry : expectedVerdicts()) {
        const auto& key = entry.first;
        CAPTURE(key.first);
        CAPTURE(key.second);
        CHECK(std::find(rows.begin(), rows.end(), key) != rows.end());
    }
}

TEST_CASE("statuses outside the table: other 4xx park, other 5xx hold the server") {
    CHECK(verdictFor(418, "").kind == Kind::park);
    CHECK(verdictFor(451, "whatever").kind == Kind::park);
    CHECK(verdictFor(507, "").kind == Kind::holdServer);
    // No JSON body at all: the status alone decides (protocol 1.3).
    CHECK(verdictFor(409, "").kind == Kind::park);
    CHECK(verdictFor(503, "").kind == Kind::holdServer);
}

TEST_CASE("Retry-After is carried on the verdict as a floor on the wait") {
    Headers h = kProtocol;
    h.emplace_back("Retry-After", "30");
    for (long status : {429L, 503L}) {
        CAPTURE(status);
        const Verdict v = verdictFor(status, "", h);
        CHECK(v.kind == Kind::holdServer);
        CHECK(v.retryAfterMs == 30'000);
    }
    CHECK_FALSE(verdictFor(503, "").retryAfterMs.has_value());
}

TEST_CASE("answers without the protocol header are not the server: hold it, a probe may end it") {
    for (long status : {200L, 302L, 404L, 500L}) {
        CAPTURE(status);
        const Verdict v = verdictFor(status, "not_found", {{"Content-Type", "text/html"}});
        CHECK(v.kind == Kind::holdServer);
        CHECK(v.hold == Hold::away);
    }
    // With the header but a success status the exchange did not expect.
    const Verdict v = verdictFor(200, "");
    CHECK(v.kind == Kind::holdServer);
}

TEST_CASE(
    "transport failures hold the server, local failures retry the report, cancel is not the "
    "server's") {
    for (Errc c : {Errc::network, Errc::timeout}) {
        CAPTURE(errcName(c));
        const Verdict v = judge(makeError(c, "http: connection reset"), ExchangeNote{});
        CHECK(v.kind == Kind::holdServer);
        CHECK(v.hold == Hold::away);
    }
    CHECK(judge(makeError(Errc::ioError, "store: read failed"), {}).kind == Kind::retry);
    CHECK(judge(makeError(Errc::notFound, "tus: the server keeps dropping this upload"), {}).kind ==
          Kind::retry);
    CHECK(judge(makeError(Errc::cancelled, "agent stopping"), {}).kind == Kind::retry);
    CHECK(judge(makeError(Errc::invalidInput, "report: title empty"), {}).kind == Kind::park);
}

TEST_CASE("malformed answers from sync/answers hold the server but keep the report's backoff") {
    const HttpResponse ok = makeResponse(201, kProtocol, R"({"tracking_id": 5})");
    ExchangeNote note;
    note.code = "upload_missing";  // left by an earlier exchange: must not decide this one
    auto parsed = readAnswer(parseSubmitAnswer(ok.body, "u-1", "{}"), ok, note);
    REQUIRE_FALSE(parsed.ok());
    const Verdict v = judge(parsed.error(), note);
    CHECK(v.kind == Kind::holdServer);
    CHECK(v.hold == Hold::malformed);

    const HttpResponse page = makeResponse(200, kProtocol, "[1,2,3]");
    ExchangeNote pageNote;
    auto status = readAnswer(parseStatusPage(page.body, ""), page, pageNote);
    REQUIRE_FALSE(status.ok());
    CHECK(judge(status.error(), pageNote).hold == Hold::malformed);
}

TEST_CASE("an Open311 pending token is the server working: this report asks again later") {
    ExchangeNote note;
    note.code = "pending";
    CHECK(judge(makeError(Errc::busy, "pending"), note).kind == Kind::retry);
    note.retryAfterMs = 5'000;
    const Verdict v = judge(makeError(Errc::busy, "pending"), note);
    CHECK(v.kind == Kind::retryAfter);
    CHECK(v.retryAfterMs == 5'000);
}

TEST_CASE("inside one upload: a damaged chunk is resent, a gone upload is made again") {
    ExchangeNote note;
    const Error e = httpFailure(makeResponse(460, kProtocol, R"({"code":"checksum_mismatch"})"),
                                "tus PATCH", laporGuard(), note, kNowMs);
    CHECK(chunkDamaged(e, note));
    CHECK_FALSE(uploadGone(e, note));
    for (long status : {404L, 410L}) {
        CAPTURE(status);
        ExchangeNote n;
        const Error gone =
            httpFailure(makeResponse(status, kProtocol), "tus PATCH", laporGuard(), n, kNowMs);
        CHECK(uploadGone(gone, n));
        CHECK_FALSE(chunkDamaged(gone, n));
    }
    ExchangeNote portal;
    const Error e2 = httpFailure(makeResponse(460, {}), "tus PATCH", laporGuard(), portal, kNowMs);
    CHECK_FALSE(chunkDamaged(e2, portal));  // not the server's answer
}
