// The agent's upload and link records in the store: each photo's upload with its offset and the
// PATCH under way, records from before offsets were kept, damaged records, the link state.
#include <doctest/doctest.h>

#include "../core/store_test_support.hpp"
#include "sync/upload_state.hpp"

using namespace lapor;
using namespace lapor::sync;
using namespace lapor::testing;

TEST_CASE("upload records: saved with the PATCH under way, read back after a restart") {
    TempDir dir;
    auto store = Store::open(storeOptions(dir.path()));
    REQUIRE(store.ok());
    const std::string uuid = "00000000-0000-4000-8000-000000000001";
    {
        auto uploads = ReportUploads::load(**store, uuid);
        CHECK(uploads.empty());
        TusUploadState s;
        s.url = "http://s/v1/uploads/a";
        s.offset = 4096;
        s.sending = 16384;
        s.checksummed = true;
        s.length = 100'000;
        REQUIRE(uploads.save(1, s).ok());
        uploads.complete(0, "http://s/v1/uploads/b", 5000);
        CHECK(uploads.get(0).complete());
    }
    auto again = ReportUploads::load(**store, uuid);
    const auto one = again.get(1);
    CHECK(one.url == "http://s/v1/uploads/a");
    CHECK(one.offset == 4096);
    CHECK(one.sending == 16384);
    CHECK(one.checksummed);
    CHECK(one.length == 100'000);
    CHECK(again.get(0).url.empty());  // complete() alone is not written
    // The server lost it: an empty state forgets the photo's upload.
    REQUIRE(again.save(1, TusUploadState{}).ok());
    CHECK(ReportUploads::load(**store, uuid).empty());
    REQUIRE(again.save(2, one).ok());
    REQUIRE(ReportUploads::forget(**store, uuid).ok());
    CHECK(ReportUploads::load(**store, uuid).empty());
}

TEST_CASE("upload records: the old URL-only form and damaged records read safely") {
    auto old = parseReportUploads(R"({"0":"http://s/v1/uploads/a","1":{"url":"http://s/x"}})");
    REQUIRE(old.size() == 2);
    CHECK(old[0].url == "http://s/v1/uploads/a");
    CHECK(old[0].offset == 0);
    CHECK(old[0].sending == 0);
    CHECK(old[1].url == "http://s/x");
    for (const char* bad : {"", "[]", "42", R"({"x":"u"})", R"({"0":{"url":5,"offset":"a"}})",
                            R"({"0":{"url":"u","offset":-3,"sending":true}})", "{\"0\":"}) {
        CAPTURE(bad);
        const auto got = parseReportUploads(bad);
        for (const auto& [i, s] : got) {
            CHECK(s.offset == 0);
            CHECK(s.sending == 0);
        }
    }
    CHECK_FALSE(parseLinkState("not json").has_value());
    auto odd = parseLinkState(
        R"({"chunk":"big","plain_patches":1,"server":{"checksum_algorithm":"md5"}})");
    REQUIRE(odd.has_value());
    CHECK(odd->chunk == 0);
    CHECK_FALSE(odd->plainPatches);
    REQUIRE(odd->server.has_value());
    CHECK(odd->server->checksumAlgorithm.empty());  // never an algorithm the client cannot do
}

TEST_CASE("link state: kept in the store across a restart of the agent") {
    TempDir dir;
    auto store = Store::open(storeOptions(dir.path()));
    REQUIRE(store.ok());
    StoreTusMemory memory(**store);
    CHECK_FALSE(memory.load().has_value());
    TusLinkState s;
    s.endpoint = "https://h/v1/uploads";
    s.chunk = 32 << 10;
    s.ceiling = 64 << 10;
    s.plainPatches = true;
    s.server = TusServerInfo{{"creation", "checksum"}, "sha256", 16 << 20};
    s.serverAtMs = 1'767'225'600'000;
    memory.save(s);
    auto back = StoreTusMemory(**store).load();
    REQUIRE(back.has_value());
    CHECK(back->endpoint == s.endpoint);
    CHECK(back->chunk == s.chunk);
    CHECK(back->ceiling == s.ceiling);
    CHECK(back->plainPatches);
    REQUIRE(back->server.has_value());
    CHECK(back->server->extensions == s.server->extensions);
    CHECK(back->server->checksumAlgorithm == "sha256");
    CHECK(back->server->maxSize == 16u << 20);
    CHECK(back->serverAtMs == s.serverAtMs);
}
