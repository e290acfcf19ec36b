// tus client against an in-memory tus server (FakeHttpClient): creation, resume after breaks
// without resending what the server holds, checksums, expired uploads, refusals.
#include <doctest/doctest.h>

#include <map>

#include "core/clock.hpp"
#include "sync/exchange.hpp"
#include "sync/tus_client.hpp"

using namespace lapor;
using namespace lapor::sync;

namespace {

std::vector<std::uint8_t> pattern(std::size_t n) {
    std::vector<std::uint8_t> v(n);
    for (std::size_t i = 0; i < n; ++i) {
        v[i] = static_cast<std::uint8_t>((i * 131) ^ (i >> 7));
    }
    return v;
}

// A tus server in memory. `breakAfter` > 0: a PATCH keeps that many bytes, then "the connection
// resets" (a network error), like a server that stores what arrived.
struct FakeTusServer {
    std::map<std::string, std::pair<std::uint64_t, std::string>> uploads;  // url -> (length, data)
    std::size_t breakAfter = 0;
    int breaksLeft = 0;
    bool checksum = false;
    bool requireChecksum = true;  // with `checksum`: a PATCH without one is refused
    bool keepPartial = true;
    std::uint64_t patchBytes = 0;  // body bytes received in PATCHes, kept or not
    // > 0: the link carries this many PATCH body bytes, then the agent is killed mid-PATCH (the
    // client gets Errc::cancelled and learns nothing, as a process that died would not).
    std::uint64_t runBudget = 0;
    int created = 0;
    int heads = 0;

    Result<HttpResponse> handle(const FakeHttpClient::Recorded& r) {
        const auto& m = r.request.method;
        if (m == "OPTIONS") {
            Headers h{{"Tus-Version", "1.0.0"},
                      {"Tus-Extension", checksum ? "creation,checksum" : "creation"}};
            if (checksum) {
                h.emplace_back("Tus-Checksum-Algorithm", "md5,sha1,sha256");
            }
            return makeResponse(204, h);
        }
        std::string tusVersion;
        for (const auto& [k, v] : r.request.headers) {
            if (k == "Tus-Resumable") {
                tusVersion = v;
            }
        }
        if (tusVersion != "1.0.0") {
            return makeResponse(412);
        }
        if (m == "POST") {
            std::uint64_t len = 0;
            for (const auto& [k, v] : r.request.headers) {
                if (k == "Upload-Length") {
                    len = std::stoull(v);
                }
            }
            const std::string url = "/files/" + std::to_string(++created);
            uploads[url] = {len, {}};
            return makeResponse(201, {{"Location", url}});
        }
        const std::string path = r.request.url.substr(r.request.url.find("/files/"));
        auto it = uploads.find(path);
        if (it == uploads.end()) {
            return makeResponse(404);
        }
        auto& [len, data] = it->second;
        if (m == "HEAD") {
            ++heads;
            return makeResponse(200, {{"Upload-Offset", std::to_string(data.size())},
                                      {"Upload-Length", std::to_string(len)}});
        }
        if (m == "PATCH") {
            std::uint64_t off = 0;
            bool sawChecksum = false;
            for (const auto& [k, v] : r.request.headers) {
                if (k == "Upload-Offset") {
                    off = std::stoull(v);
                }
                if (k == "Upload-Checksum") {
                    sawChecksum = v.rfind("sha256 ", 0) == 0;
                }
            }
            if (checksum && requireChecksum && !sawChecksum) {
                return makeResponse(400);
            }
            if (off != data.size()) {
                return makeResponse(409);
            }
            std::string body = r.body;
            if (runBudget > 0 && body.size() > runBudget) {
                patchBytes += runBudget;
                if (!sawChecksum) {
                    data += body.substr(0, runBudget);  // a checksummed chunk is kept only whole
                }
                runBudget = 0;
                return makeError(Errc::cancelled, "killed");
            }
            if (runBudget > 0) {
                runBudget -= body.size();
            }
            if (breakAfter > 0 && breaksLeft > 0 && body.size() > breakAfter) {
                --breaksLeft;
                patchBytes += breakAfter;
                if (keepPartial) {
                    data += body.substr(0, breakAfter);
                }
                return makeError(Errc::network, "connection reset");
            }
            patchBytes += body.size();
            data += body;
            return makeResponse(204, {{"Upload-Offset", std::to_string(data.size())}});
        }
        return makeResponse(405);
    }
};

// An upload made earlier, known only by its URL.
TusUploadState at(const std::string& url) {
    TusUploadState s;
    s.url = url;
    return s;
}

// The client's waits move `clock` on instead of sleeping.
TusOptions options(FakeClock& clock, std::size_t chunk = 64 << 10) {
    TusOptions o;
    o.sleep = [&clock](std::int64_t ms) { clock.advance(ms); };
    o.endpoint = "http://sandbox.test/v1/uploads";
    o.headers = {{"Authorization", "Bearer t"}};
    o.maxChunk = chunk;
    o.minChunk = 4 << 10;
    return o;
}

// A crash loop: agent runs that each end after `budget` bytes reached the server (the rest of
// their PATCH cut), resumed from the saved state, until the upload is done (30 runs at most).
// Returns the number of runs.
int uploadInCrashLoop(FakeTusServer& server, FakeHttpClient& http, FakeClock& clock,
                      const TusOptions& o, MemoryByteSource& src, std::uint64_t budget) {
    TusUploadState state;
    int runs = 0;
    Result<std::string> done = makeError(Errc::cancelled, "");
    while (!done.ok() && runs < 30) {
        ++runs;
        server.runBudget = budget;
        TusClient tus(http, clock, o);
        ExchangeNote note;
        done = tus.upload(
            src, state, {},
            [&](const TusUploadState& s) {
                state = s;
                return Status{};
            },
            note);
        REQUIRE((done.ok() || done.error().code == Errc::cancelled));
    }
    REQUIRE(done.ok());
    return runs;
}

}  // namespace

TEST_CASE("a photo goes up in chunks and the URL is handed over before any byte") {
    FakeClock clock;
    FakeTusServer server;
    FakeHttpClient http([&](const auto& r) { return server.handle(r); });
    TusClient tus(http, clock, options(clock));
    const auto bytes = pattern(300 * 1024);
    MemoryByteSource src(bytes);
    std::string remembered;
    ExchangeNote note;
    auto url = tus.upload(
        src, {}, {{"filename", "p1.jpg"}},
        [&](const TusUploadState& u) {
            if (remembered.empty()) {
                CHECK(server.uploads.begin()->second.second.empty());
            }
            remembered = u.url;
            return Status{};
        },
        note);
    REQUIRE(url.ok());
    CHECK(*url == "http://sandbox.test/files/1");
    CHECK(remembered == *url);
    CHECK(server.uploads["/files/1"].second == std::string(bytes.begin(), bytes.end()));
    CHECK(server.patchBytes == bytes.size());
    // Metadata is base64 as tus asks.
    bool sawMeta = false;
    for (const auto& rec : http.requests()) {
        for (const auto& [k, v] : rec.request.headers) {
            sawMeta = sawMeta || (k == "Upload-Metadata" && v == "filename cDEuanBn");
        }
    }
    CHECK(sawMeta);
}

TEST_CASE("after a reset the client asks for the offset and never resends what arrived") {
    FakeClock clock;
    FakeTusServer server;
    server.breakAfter = 100 * 1024;
    server.breaksLeft = 3;
    FakeHttpClient http([&](const auto& r) { return server.handle(r); });
    TusClient tus(http, clock, options(clock, 1 << 20));
    const auto bytes = pattern(300 * 1024);
    MemoryByteSource src(bytes);
    ExchangeNote note;
    auto url = tus.upload(
        src, {}, {}, [](const TusUploadState&) { return Status{}; }, note);
    REQUIRE(url.ok());
    CHECK(server.uploads["/files/1"].second == std::string(bytes.begin(), bytes.end()));
    CHECK(server.patchBytes == bytes.size());  // not one byte twice
    CHECK(server.heads == 2);                  // 300 KB in pieces of 100 KB: two breaks
}

TEST_CASE("a known upload is resumed from the server's offset after a restart") {
    FakeClock clock;
    FakeTusServer server;
    FakeHttpClient http([&](const auto& r) { return server.handle(r); });
    const auto bytes = pattern(200 * 1024);
    server.uploads["/files/7"] = {bytes.size(), std::string(bytes.begin(), bytes.begin() + 70000)};
    TusClient tus(http, clock, options(clock));
    MemoryByteSource src(bytes);
    ExchangeNote note;
    auto url = tus.upload(
        src, at("http://sandbox.test/files/7"), {},
        [](const TusUploadState& u) -> Status {
            CHECK(u.url == "http://sandbox.test/files/7");  // no new upload expected
            return {};
        },
        note);
    REQUIRE(url.ok());
    CHECK(server.patchBytes == bytes.size() - 70000);
    CHECK(server.uploads["/files/7"].second == std::string(bytes.begin(), bytes.end()));

    // An upload the server forgot is started over under a new URL.
    std::string fresh;
    auto again = tus.upload(
        src, at("http://sandbox.test/files/99"), {},
        [&](const TusUploadState& u) {
            fresh = u.url;
            return Status{};
        },
        note);
    REQUIRE(again.ok());
    CHECK(fresh == *again);
    CHECK(fresh != "http://sandbox.test/files/99");
}

TEST_CASE("a server that drops partial PATCHes makes the chunks smaller until they fit") {
    FakeClock clock;
    FakeTusServer server;
    server.breakAfter = 20 * 1024;
    server.breaksLeft = 1000;
    server.keepPartial = false;
    FakeHttpClient http([&](const auto& r) { return server.handle(r); });
    TusClient tus(http, clock, options(clock, 256 << 10));
    const auto bytes = pattern(100 * 1024);
    MemoryByteSource src(bytes);
    ExchangeNote note;
    std::string url;
    Result<std::string> r = makeError(Errc::network, "");
    int rounds = 0;
    do {  // the agent calls again after its backoff
        r = tus.upload(
            src, at(url), {},
            [&](const TusUploadState& u) {
                url = u.url;
                return Status{};
            },
            note);
    } while (!r.ok() && ++rounds < 20);
    REQUIRE(r.ok());
    CHECK(tus.currentChunk() <= 20 * 1024);
    CHECK(server.uploads["/files/1"].second == std::string(bytes.begin(), bytes.end()));
}

TEST_CASE("a PATCH answered 404 or 410 (upload expired) makes a new upload and sends it whole") {
    FakeClock clock;
    for (const long gone : {404L, 410L}) {
        CAPTURE(gone);
        FakeTusServer server;
        int expireAt = 2;  // the second PATCH finds its upload expired
        int patches = 0;
        FakeHttpClient http([&](const auto& r) -> Result<HttpResponse> {
            if (r.request.method == "PATCH" && ++patches == expireAt) {
                server.uploads.clear();
                // As @tus/server answers: the status and a text body, no JSON code.
                return makeResponse(gone, {{"Content-Type", "text/plain"}},
                                    "The file for this url no longer exists\n");
            }
            return server.handle(r);
        });
        TusClient tus(http, clock, options(clock, 16 << 10));
        const auto bytes = pattern(100 * 1024);
        MemoryByteSource src(bytes);
        std::vector<std::string> urls;
        ExchangeNote note;
        auto url = tus.upload(
            src, {}, {},
            [&](const TusUploadState& s) {
                if (urls.empty() || urls.back() != s.url) {
                    urls.push_back(s.url);
                }
                return Status{};
            },
            note);
        REQUIRE(url.ok());
        CHECK(*url == "http://sandbox.test/files/2");
        CHECK(server.created == 2);
        // The agent was told the first upload is gone before the second was made.
        REQUIRE(urls.size() == 3);
        CHECK(urls[0] == "http://sandbox.test/files/1");
        CHECK(urls[1].empty());
        CHECK(urls[2] == *url);
        CHECK(server.uploads["/files/2"].second == std::string(bytes.begin(), bytes.end()));
    }
}

TEST_CASE("a server that drops every upload under the client is retried later, not refused") {
    FakeClock clock;
    FakeTusServer server;
    FakeHttpClient http([&](const auto& r) -> Result<HttpResponse> {
        if (r.request.method == "PATCH") {
            return makeResponse(410, {{"Content-Type", "text/plain"}}, "gone\n");
        }
        return server.handle(r);
    });
    TusClient tus(http, clock, options(clock));
    MemoryByteSource src(pattern(1000));
    ExchangeNote note;
    auto r = tus.upload(
        src, {}, {}, [](const TusUploadState&) { return Status{}; }, note);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == Errc::notFound);  // retryable: the agent tries again after backoff
    CHECK(judge(r.error(), note).kind == Verdict::Kind::retry);
    CHECK(server.created == 3);
}

TEST_CASE("a crash loop: every run killed mid-PATCH still moves the upload on") {
    // Each run of the agent gets 20 KiB through before it is killed; a new TusClient per run,
    // with only what the last one left in its memory and in the upload's state.
    FakeTusServer server;
    server.checksum = true;
    server.requireChecksum = false;
    FakeClock clock;
    FakeHttpClient http([&](const auto& r) { return server.handle(r); });
    MemoryTusMemory memory;
    TusOptions o = options(clock, 1 << 20);
    o.minChunk = 8 << 10;
    o.startChunk = 64 << 10;
    o.memory = &memory;
    const auto bytes = pattern(200 * 1024);
    MemoryByteSource src(bytes);
    const int runs = uploadInCrashLoop(server, http, clock, o, src, 20 << 10);
    CHECK(server.uploads["/files/1"].second == std::string(bytes.begin(), bytes.end()));
    CHECK(server.created == 1);
    // Only the first run's checksummed chunk was lost; every later run kept what it sent.
    CHECK(server.patchBytes <= bytes.size() + (20 << 10));
    CHECK(runs <= 13);  // about 200 KiB / 20 KiB, and the first run lost
    auto learned = memory.load();
    REQUIRE(learned.has_value());
    CHECK(learned->plainPatches);
    CHECK(learned->chunk <= 32 << 10);
    REQUIRE(learned->server.has_value());
    CHECK(learned->server->checksumAlgorithm == "sha256");
    // The OPTIONS answer was kept too: one OPTIONS for all those runs.
    int options = 0;
    for (const auto& rec : http.requests()) {
        options += rec.request.method == "OPTIONS" ? 1 : 0;
    }
    CHECK(options == 1);
}

TEST_CASE("chunks halve on a slow link and grow again when it is quick") {
    FakeTusServer server;
    FakeClock clock;
    double bytesPerSecond = 4'000;
    FakeHttpClient http([&](const auto& r) {
        if (r.request.method == "PATCH") {
            clock.advance(static_cast<std::int64_t>(1000.0 * r.body.size() / bytesPerSecond));
        }
        return server.handle(r);
    });
    MemoryTusMemory memory;
    TusOptions o = options(clock, 1 << 20);
    o.memory = &memory;
    TusClient tus(http, clock, o);
    MemoryByteSource src(pattern(3 << 20));
    ExchangeNote note;
    auto url = tus.upload(
        src, {}, {}, [](const TusUploadState&) { return Status{}; }, note);
    REQUIRE(url.ok());
    // At 4 kB/s a PATCH of about 2 s is some 8 KiB; the chunk came down from 1 MiB to there.
    CHECK(tus.currentChunk() <= 16 << 10);
    REQUIRE(memory.load().has_value());
    CHECK(memory.load()->chunk == tus.currentChunk());  // kept for the next run

    bytesPerSecond = 10'000'000;
    MemoryByteSource src2(pattern(4 << 20));
    url = tus.upload(
        src2, {}, {}, [](const TusUploadState&) { return Status{}; }, note);
    REQUIRE(url.ok());
    CHECK(tus.currentChunk() >= 512 << 10);
    // A restarted client starts from what was learned.
    TusClient again(http, clock, o);
    CHECK(again.currentChunk() == tus.currentChunk());
}

TEST_CASE("checksums are sent when the server lists them") {
    FakeClock clock;
    FakeTusServer server;
    server.checksum = true;
    FakeHttpClient http([&](const auto& r) { return server.handle(r); });
    TusClient tus(http, clock, options(clock));
    MemoryByteSource src(pattern(100000));
    ExchangeNote note;
    auto url = tus.upload(
        src, {}, {}, [](const TusUploadState&) { return Status{}; }, note);
    REQUIRE(url.ok());
    CHECK(server.uploads["/files/1"].second.size() == 100000);
}

TEST_CASE("refusals and busy servers come back classified") {
    FakeClock clock;
    FakeHttpClient http([](const FakeHttpClient::Recorded& r) -> Result<HttpResponse> {
        if (r.request.method == "OPTIONS") {
            return makeResponse(204, {{"Tus-Version", "1.0.0"}, {"Tus-Extension", "creation"}});
        }
        return makeResponse(429, {{"Retry-After", "7"}},
                            R"({"error":{"code":"slow_down","message":"too many"}})");
    });
    TusClient tus(http, clock, options(clock));
    MemoryByteSource src(pattern(10));
    ExchangeNote note;
    auto r = tus.upload(
        src, {}, {}, [](const TusUploadState&) { return Status{}; }, note);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == Errc::busy);
    CHECK(note.status == 429);
    CHECK(note.retryAfterMs == 7000);
    CHECK(r.error().message.find("slow_down") != std::string::npos);

    FakeHttpClient portal([](const FakeHttpClient::Recorded&) -> Result<HttpResponse> {
        return makeResponse(200, {{"Content-Type", "text/html"}}, "<html>Login to WiFi</html>");
    });
    TusClient tus2(portal, clock, options(clock));
    auto p = tus2.upload(
        src, {}, {}, [](const TusUploadState&) { return Status{}; }, note);
    REQUIRE_FALSE(p.ok());
    CHECK(p.error().code == Errc::protocol);
}

TEST_CASE("relative and absolute upload locations") {
    CHECK(resolveUrl("https://h:8443/v1/uploads", "/files/a") == "https://h:8443/files/a");
    CHECK(resolveUrl("https://h/v1/uploads", "https://other/x") == "https://other/x");
    CHECK(base64("p1.jpg") == "cDEuanBn");
}

TEST_CASE("a clip of 1 MB or more goes in plain PATCHes of at least largeChunk, a photo does not") {
    FakeClock clock;
    FakeTusServer server;
    server.checksum = true;
    server.requireChecksum = false;
    FakeHttpClient http([&](const auto& r) { return server.handle(r); });
    TusOptions o = options(clock, 1 << 20);
    o.startChunk = 16 << 10;
    TusClient tus(http, clock, o);
    const auto photo = pattern(300 * 1024);
    const auto clip = pattern(1'300'000);
    const auto send = [&](const std::vector<std::uint8_t>& bytes) {
        MemoryByteSource src(bytes);
        ExchangeNote note;
        return tus.upload(
            src, {}, {}, [](const TusUploadState&) { return Status{}; }, note);
    };
    REQUIRE(send(photo).ok());
    const std::size_t photoRequests = http.requests().size();
    REQUIRE(send(clip).ok());
    CHECK(server.uploads["/files/1"].second == std::string(photo.begin(), photo.end()));
    CHECK(server.uploads["/files/2"].second == std::string(clip.begin(), clip.end()));
    int photoChecksummed = 0;
    int clipPatches = 0;
    const auto requests = http.requests();
    for (std::size_t i = 0; i < requests.size(); ++i) {
        const auto& rec = requests[i];
        if (rec.request.method != "PATCH") {
            continue;
        }
        bool checksummed = false;
        for (const auto& [k, v] : rec.request.headers) {
            checksummed = checksummed || k == "Upload-Checksum";
        }
        if (i < photoRequests) {
            photoChecksummed += checksummed ? 1 : 0;
        } else {
            ++clipPatches;
            CHECK_FALSE(checksummed);
            CHECK(
                (rec.body.size() >= o.largeChunk || rec.body.size() == clip.size() % o.largeChunk));
        }
    }
    CHECK(photoChecksummed > 0);  // photos keep the small checksummed start
    CHECK(clipPatches >= 2);  // the chunk grew with the photo: 1 MB (or 512 KB) PATCHes, the rest
    CHECK(clipPatches <= 3);
    CHECK_FALSE(tus.plainPatches());  // nothing was cut: the link state is not changed
}

TEST_CASE("a crash loop on a clip: large plain PATCHes keep what arrived, every byte once") {
    FakeTusServer server;
    server.checksum = true;
    server.requireChecksum = false;
    FakeClock clock;
    FakeHttpClient http([&](const auto& r) { return server.handle(r); });
    MemoryTusMemory memory;
    TusOptions o = options(clock, 1 << 20);
    o.startChunk = 16 << 10;
    o.memory = &memory;
    const auto bytes = pattern(1'300'000);
    MemoryByteSource src(bytes);
    const int runs = uploadInCrashLoop(server, http, clock, o, src, 200 << 10);
    CHECK(server.uploads["/files/1"].second == std::string(bytes.begin(), bytes.end()));
    CHECK(server.created == 1);
    CHECK(server.patchBytes == bytes.size());  // nothing lost, nothing sent twice
    CHECK(runs <= 8);                          // about 1.3 MB / 200 KiB
}
