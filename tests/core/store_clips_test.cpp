// Video clips and spoken notes in the store: the round trip with photos, the refusals, old photo
// records, purge and verify, the map limit, and a SIGKILL in the middle of saving a big clip.
#include <doctest/doctest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <random>

#include "core/store.hpp"
#include "store_raw_edit.hpp"
#include "store_test_support.hpp"

using namespace lapor;
using namespace lapor::testing;

namespace {

Clip sampleClip(MediaKind kind, std::size_t size, std::uint32_t seed) {
    Photo bytes = samplePhoto(size, seed);
    Clip c;
    c.kind = kind;
    c.bytes = std::move(bytes.jpeg);
    c.sha256Hex = std::move(bytes.sha256Hex);
    c.durationMs = kind == MediaKind::video ? 30'000 : 95'000;
    if (kind == MediaKind::video) {
        c.width = 640;
        c.height = 360;
    }
    return c;
}

Status saveWith(Store& store, const Report& r, const std::vector<Photo>& photos,
                const std::vector<Clip>& clips) {
    return store.saveReport(r, photos, clips, nullptr);
}

}  // namespace

TEST_CASE("store clips: 2 photos, a video and a voice note read back whole, after the photos") {
    TempDir dir;
    auto store = Store::open(storeOptions(dir.path()));
    REQUIRE(store.ok());
    Report r = sampleReport(1);
    const std::vector<Photo> photos = {samplePhoto(200'000, 1), samplePhoto(1000, 2)};
    std::vector<Clip> clips = {sampleClip(MediaKind::video, 1'300'000, 3),
                               sampleClip(MediaKind::voice, 150'000, 4)};
    clips[1].sha256Hex.clear();  // computed by the store
    REQUIRE(saveWith(**store, r, photos, clips).ok());

    auto infos = (*store)->listPhotos(r.uuid);
    REQUIRE(infos.ok());
    REQUIRE(infos->size() == 4);
    for (std::uint32_t i = 0; i < 4; ++i)
        CHECK((*infos)[i].index == i);
    CHECK((*infos)[0].kind == MediaKind::photo);
    CHECK((*infos)[1].kind == MediaKind::photo);
    CHECK((*infos)[2].kind == MediaKind::video);
    CHECK((*infos)[2].durationMs == 30'000);
    CHECK((*infos)[2].size == 1'300'000);
    CHECK((*infos)[2].chunkCount == (1'300'000 + photoChunkBytes - 1) / photoChunkBytes);
    CHECK((*infos)[3].kind == MediaKind::voice);
    CHECK((*infos)[3].sha256Hex == crypto::sha256Hex(clips[1].bytes));

    auto video = (*store)->readClip(r.uuid, 2);
    REQUIRE_MESSAGE(video.ok(), (video.ok() ? "" : video.error().message));
    CHECK(*video == clips[0]);
    auto voice = (*store)->readClip(r.uuid, 3);
    REQUIRE(voice.ok());
    CHECK(voice->bytes == clips[1].bytes);
    CHECK(voice->kind == MediaKind::voice);
    CHECK(voice->durationMs == 95'000);
    CHECK((*store)->readClip(r.uuid, 0).error().code == Errc::invalidInput);  // a photo
    CHECK((*store)->readClip(r.uuid, 4).error().code == Errc::notFound);
    CHECK(*(*store)->readPhoto(r.uuid, 1) == photos[1]);
    // The agent uploads clips by range like photos.
    auto range = (*store)->readPhotoRange(r.uuid, 2, photoChunkBytes * 3 - 7, 100);
    REQUIRE(range.ok());
    CHECK(
        std::equal(range->begin(), range->end(), clips[0].bytes.begin() + photoChunkBytes * 3 - 7));

    auto e = (*store)->outboxEntry(r.uuid);
    REQUIRE(e.ok());
    CHECK(e->photoCount == 2);
    CHECK(e->clipCount == 2);
    auto v = (*store)->verify();
    REQUIRE(v.ok());
    CHECK(v->problems.empty());
    CHECK(v->photos == 2);
    CHECK(v->clips == 2);
    CHECK(v->bytes == 200'000 + 1000 + 1'300'000 + 150'000);

    // Reopened, the records decode the same.
    store->reset();
    auto again = Store::open(storeOptions(dir.path()));
    REQUIRE(again.ok());
    CHECK((*again)->listPhotos(r.uuid)->size() == 4);
    CHECK((*again)->outboxEntry(r.uuid)->clipCount == 2);
}

TEST_CASE("store clips: refusals leave nothing behind") {
    TempDir dir;
    auto store = Store::open(storeOptions(dir.path()));
    REQUIRE(store.ok());
    const std::vector<Photo> one = {samplePhoto(1000, 1)};
    auto refused = [&](std::vector<Clip> clips, std::string_view why) {
        CAPTURE(why);
        Report r = sampleReport(7);
        Status s = saveWith(**store, r, one, clips);
        REQUIRE_FALSE(s.ok());
        CHECK(s.error().code == Errc::invalidInput);
        CHECK(s.error().message.find(why) != std::string::npos);
        CHECK((*store)->outboxEntry(r.uuid).error().code == Errc::notFound);
        CHECK((*store)->listPhotos(r.uuid).error().code == Errc::notFound);
    };
    refused({sampleClip(MediaKind::photo, 100, 1)}, "not a video clip");
    refused({sampleClip(MediaKind::video, 0, 1)}, "empty");
    refused({sampleClip(MediaKind::video, maxClipBytes + 1, 1)}, "larger than 16 MiB");
    refused(std::vector<Clip>(maxClipsPerReport + 1, sampleClip(MediaKind::voice, 100, 1)),
            "at most 4");
    Clip wrong = sampleClip(MediaKind::voice, 5000, 2);
    wrong.sha256Hex = crypto::sha256Hex(std::vector<std::uint8_t>{1, 2, 3});
    refused({wrong}, "does not match its SHA-256");
    // At the limits it is taken.
    Report r = sampleReport(8);
    REQUIRE(saveWith(**store, r, {},
                     std::vector<Clip>(maxClipsPerReport, sampleClip(MediaKind::voice, 100, 1)))
                .ok());
    CHECK((*store)->outboxEntry(r.uuid)->clipCount == maxClipsPerReport);
    CHECK((*store)->outboxEntry(r.uuid)->photoCount == 0);
}

TEST_CASE("store clips: records from before clips read as photos with no clips") {
    TempDir dir;
    Report r = sampleReport(3);
    {
        auto store = Store::open(storeOptions(dir.path()));
        REQUIRE(store.ok());
        REQUIRE((*store)->saveReport(r, std::vector<Photo>{samplePhoto(5000, 1)}).ok());
    }
    {
        // The records as an older kiosk wrote them: no kind, duration or clip count at all.
        RawLmdbEdit edit(dir.path());
        for (const char* table : {"photometa", "outbox"}) {
            MDB_dbi dbi = edit.table(table);
            MDB_cursor* c = nullptr;
            REQUIRE(mdb_cursor_open(edit.txn(), dbi, &c) == 0);
            MDB_val k{}, v{};
            while (mdb_cursor_get(c, &k, &v, MDB_NEXT) == 0) {
                auto j = nlohmann::json::parse(
                    std::string_view(static_cast<char*>(v.mv_data), v.mv_size));
                CHECK_FALSE(j.contains("k"));
                CHECK_FALSE(j.contains("cc"));
            }
            mdb_cursor_close(c);
        }
    }
    auto store = Store::open(storeOptions(dir.path()));
    REQUIRE(store.ok());
    auto infos = (*store)->listPhotos(r.uuid);
    REQUIRE(infos.ok());
    REQUIRE(infos->size() == 1);
    CHECK((*infos)[0].kind == MediaKind::photo);
    CHECK((*infos)[0].durationMs == 0);
    CHECK((*store)->outboxEntry(r.uuid)->clipCount == 0);
}

TEST_CASE("store clips: retention purges clips like photos, verify counts what is left") {
    TempDir dir;
    FakeClock clock;
    auto store = Store::open(storeOptions(dir.path(), &clock));
    REQUIRE(store.ok());
    Report a = sampleReport(1), b = sampleReport(2);
    REQUIRE(saveWith(**store, a, {samplePhoto(1000, 1)}, {sampleClip(MediaKind::video, 90'000, 2)})
                .ok());
    REQUIRE(saveWith(**store, b, {}, {sampleClip(MediaKind::voice, 9000, 3)}).ok());
    auto c = (*store)->claimNext("agent", 60'000);
    REQUIRE(c.ok());
    REQUIRE(c->has_value());
    REQUIRE((*c)->uuid == a.uuid);
    REQUIRE((*store)->recordDelivered(a.uuid, "T-A").ok());
    clock.advance(31LL * 24 * 3600 * 1000);
    auto purged = (*store)->purgeDelivered(30);
    REQUIRE(purged.ok());
    CHECK(purged->reports == 1);
    CHECK((*store)->listPhotos(a.uuid)->empty());
    CHECK((*store)->readClip(a.uuid, 1).error().code == Errc::notFound);
    CHECK((*store)->readClip(b.uuid, 0).ok());
    auto v = (*store)->verify();
    REQUIRE(v.ok());
    CHECK(v->problems.empty());
    CHECK(v->photos == 0);
    CHECK(v->clips == 1);
    CHECK(v->bytes == 9000);
}

TEST_CASE("store clips: a damaged clip chunk is found by verify and refused by readClip") {
    TempDir dir;
    Report r = sampleReport(4);
    {
        auto store = Store::open(storeOptions(dir.path()));
        REQUIRE(store.ok());
        REQUIRE(saveWith(**store, r, {}, {sampleClip(MediaKind::video, 100'000, 1)}).ok());
    }
    {
        RawLmdbEdit edit(dir.path());
        MDB_dbi photos = edit.table("photos");
        MDB_cursor* c = nullptr;
        REQUIRE(mdb_cursor_open(edit.txn(), photos, &c) == 0);
        MDB_val k{}, v{};
        REQUIRE(mdb_cursor_get(c, &k, &v, MDB_LAST) == 0);
        std::string bad(static_cast<char*>(v.mv_data), v.mv_size);
        bad[bad.size() / 2] ^= 1;
        MDB_val nv{bad.size(), bad.data()};
        REQUIRE(mdb_cursor_put(c, &k, &nv, MDB_CURRENT) == 0);
        mdb_cursor_close(c);
        edit.commit();
    }
    auto store = Store::open(storeOptions(dir.path()));
    REQUIRE(store.ok());
    CHECK((*store)->readClip(r.uuid, 0).error().code == Errc::corrupt);
    auto v = (*store)->verify();
    REQUIRE(v.ok());
    REQUIRE(v->problems.size() == 1);
    CHECK(v->problems[0].what.find("clip 0 chunk 1") != std::string::npos);
}

TEST_CASE("store clips: at the map limit a save with a clip fails with disk-full, nothing half") {
    TempDir dir;
    StoreOptions o = storeOptions(dir.path());
    o.maxMapSize = 8u << 20;
    auto store = Store::open(std::move(o));
    REQUIRE(store.ok());
    const auto [saved, last] = saveUntilFailure(20, [&](std::uint64_t i) {
        return saveWith(**store, sampleReport(i), {samplePhoto(100'000, 1)},
                        {sampleClip(MediaKind::video, 1'300'000, static_cast<std::uint32_t>(i))});
    });
    REQUIRE_FALSE(last.ok());
    CHECK(last.error().code == Errc::diskFull);
    CHECK(saved >= 2);
    const Report failed = sampleReport(saved);
    CHECK((*store)->outboxEntry(failed.uuid).error().code == Errc::notFound);
    CHECK((*store)->listPhotos(failed.uuid).error().code == Errc::notFound);
    CHECK((*store)->findByReceiptCode(failed.receiptCode).error().code == Errc::notFound);
    // A smaller note still fits, and everything saved is intact.
    REQUIRE(
        saveWith(**store, sampleReport(100), {}, {sampleClip(MediaKind::voice, 20'000, 9)}).ok());
    auto v = (*store)->verify();
    REQUIRE(v.ok());
    CHECK(v->problems.empty());
    CHECK(v->clips == saved + 1);
}

TEST_CASE("store clips: a SIGKILL while a big clip is saved leaves all of the report or none") {
    TempDir dir;
    std::mt19937_64 rng(20261203);
    constexpr std::size_t clipBytes = 6u << 20;
    const Clip big = sampleClip(MediaKind::video, clipBytes, 77);
    // How long one such save takes here, so that the kills land before, inside and after it.
    std::int64_t saveUs = 0;
    {
        TempDir calibrate;
        StoreOptions o = storeOptions(calibrate.path());
        o.mapSize = 64u << 20;
        auto store = Store::open(std::move(o));
        REQUIRE(store.ok());
        const auto t0 = std::chrono::steady_clock::now();
        REQUIRE((*store)
                    ->saveReport(sampleReport(0), std::vector<Photo>{samplePhoto(50'000, 1)},
                                 std::span<const Clip>(&big, 1), nullptr)
                    .ok());
        saveUs = std::chrono::duration_cast<std::chrono::microseconds>(
                     std::chrono::steady_clock::now() - t0)
                     .count();
    }
    std::uint64_t total = 0;
    int committedInFlight = 0, absentInFlight = 0;
    for (int round = 0; round < 24; ++round) {
        int ready[2];
        REQUIRE(::pipe(ready) == 0);
        const pid_t child = ::fork();
        REQUIRE(child >= 0);
        if (child == 0) {
            ::close(ready[0]);
            StoreOptions o = storeOptions(dir.path());
            o.mapSize = 64u << 20;  // no map growth: the kill lands inside the save
            auto store = Store::open(std::move(o));
            if (!store.ok())
                ::_exit(2);
            const char go = 1;
            if (::write(ready[1], &go, 1) != 1)
                ::_exit(4);
            Report r = sampleReport(0, static_cast<std::uint32_t>(round));
            if (!(*store)
                     ->saveReport(r, std::vector<Photo>{samplePhoto(50'000, 1)},
                                  std::span<const Clip>(&big, 1), nullptr)
                     .ok())
                ::_exit(3);
            ::_exit(0);
        }
        ::close(ready[1]);
        char go = 0;
        REQUIRE(::read(ready[0], &go, 1) == 1);
        ::close(ready[0]);
        const auto until =
            std::chrono::steady_clock::now() +
            std::chrono::microseconds(rng() % static_cast<std::uint64_t>(saveUs * 3 / 2 + 1));
        while (std::chrono::steady_clock::now() < until) {
        }
        ::kill(child, SIGKILL);
        int status = 0;
        REQUIRE(::waitpid(child, &status, 0) == child);
        INFO("round " << round);
        const Report r = sampleReport(0, static_cast<std::uint32_t>(round));
        auto store = Store::open(storeOptions(dir.path()));
        REQUIRE(store.ok());
        if ((*store)->outboxEntry(r.uuid).ok()) {
            ++committedInFlight;
            ++total;
            auto infos = (*store)->listPhotos(r.uuid);
            REQUIRE(infos.ok());
            REQUIRE(infos->size() == 2);
            auto clip = (*store)->readClip(r.uuid, 1);
            REQUIRE(clip.ok());
            CHECK(clip->sha256Hex == big.sha256Hex);
        } else {
            ++absentInFlight;
            CHECK((*store)->listPhotos(r.uuid).error().code == Errc::notFound);
            CHECK((*store)->findByReceiptCode(r.receiptCode).error().code == Errc::notFound);
        }
    }
    auto store = Store::open(storeOptions(dir.path()));
    REQUIRE(store.ok());
    auto v = (*store)->verify();
    REQUIRE(v.ok());
    CHECK(v->problems.empty());
    CHECK(v->reports == total);
    CHECK(v->clips == total);
    MESSAGE("a save of 6 MB took " << saveUs << " us; " << committedInFlight
                                   << " saves had committed at the kill, " << absentInFlight
                                   << " had not");
}
