// Store round trips: reports, identity, photos, receipt codes, catalog, status records, schema.
#include <doctest/doctest.h>
#include <lmdb.h>

#include <cctype>
#include <fstream>
#include <set>

#include "core/receipt_code.hpp"
#include "core/store.hpp"
#include "store_raw_edit.hpp"
#include "store_test_support.hpp"

using namespace lapor;
using namespace lapor::testing;

TEST_CASE("store: a saved report reads back whole, with its photos") {
    TempDir dir;
    FakeClock clock;
    auto store = Store::open(storeOptions(dir.path(), &clock));
    REQUIRE_MESSAGE(store.ok(), (store.ok() ? "" : store.error().message));
    Report r = sampleReport(1);
    std::vector<Photo> photos = {samplePhoto(300'000, 1), samplePhoto(10, 2),
                                 samplePhoto(photoChunkBytes, 3)};
    REQUIRE((*store)->saveReport(r, photos).ok());

    auto back = (*store)->loadReport(r.uuid);
    REQUIRE(back.ok());
    CHECK(*back == r);
    auto pub = (*store)->loadReportPublic(r.uuid);
    REQUIRE(pub.ok());
    CHECK(pub->identity == Identity{});
    CHECK(pub->title == r.title);

    auto infos = (*store)->listPhotos(r.uuid);
    REQUIRE(infos.ok());
    REQUIRE(infos->size() == 3);
    CHECK((*infos)[0].chunkCount == 5);
    CHECK((*infos)[2].chunkCount == 1);
    for (std::uint32_t i = 0; i < photos.size(); ++i) {
        auto p = (*store)->readPhoto(r.uuid, i);
        REQUIRE(p.ok());
        CHECK(*p == photos[i]);
    }
    auto range = (*store)->readPhotoRange(r.uuid, 0, photoChunkBytes - 5, 100);
    REQUIRE(range.ok());
    CHECK(std::equal(range->begin(), range->end(), photos[0].jpeg.begin() + photoChunkBytes - 5));
    auto chunk = (*store)->readPhotoChunk(r.uuid, 0, 4);
    REQUIRE(chunk.ok());
    CHECK(chunk->size() == 300'000 - 4 * photoChunkBytes);

    auto uuid = (*store)->findByReceiptCode(r.receiptCode);
    REQUIRE(uuid.ok());
    CHECK(*uuid == r.uuid);
    CHECK((*store)->findByReceiptCode("NOPE").error().code == Errc::notFound);

    auto entry = (*store)->outboxEntry(r.uuid);
    REQUIRE(entry.ok());
    CHECK(entry->state == OutboxState::queued);
    CHECK(entry->photoCount == 3);
    auto hist = (*store)->history(r.uuid);
    REQUIRE(hist.ok());
    REQUIRE(hist->size() == 1);
    CHECK((*hist)[0].state == OutboxState::queued);
}

TEST_CASE("store: duplicate UUID and receipt code are refused, the first stays") {
    TempDir dir;
    auto store = Store::open(storeOptions(dir.path()));
    REQUIRE(store.ok());
    Report r = sampleReport(1);
    REQUIRE((*store)->saveReport(r, {}).ok());
    Report again = r;
    again.title = "changed";
    auto s = (*store)->saveReport(again, {});
    REQUIRE_FALSE(s.ok());
    CHECK(s.error().code == Errc::invalidInput);
    Report sameCode = sampleReport(2);
    sameCode.receiptCode = r.receiptCode;
    CHECK((*store)->saveReport(sameCode, {}).error().code == Errc::invalidInput);
    CHECK((*store)->loadReport(r.uuid)->title == r.title);
    CHECK((*store)->loadReport(sameCode.uuid).error().code == Errc::notFound);
}

TEST_CASE("store: device ID and receipt prefix are drawn once and kept") {
    TempDir dir;
    std::string id, prefix;
    {
        auto store = Store::open(storeOptions(dir.path()));
        REQUIRE(store.ok());
        id = (*store)->deviceId();
        prefix = (*store)->receiptPrefix();
        CHECK(prefix.size() == receipt::kDeviceSymbols);
        for (char c : prefix)
            CHECK(receipt::kAlphabet.find(c) != std::string_view::npos);
        CHECK((*store)->schemaVersion() == storeSchemaVersion);
    }
    auto again = Store::open(storeOptions(dir.path()));
    REQUIRE(again.ok());
    CHECK((*again)->deviceId() == id);
    CHECK((*again)->receiptPrefix() == prefix);
}

TEST_CASE("store: a store from a newer schema is refused and left untouched") {
    TempDir dir;
    { REQUIRE(Store::open(storeOptions(dir.path())).ok()); }
    // Raise the schema version behind the store's back, as a newer program would have.
    {
        RawLmdbEdit edit(dir.path());
        unsigned char v[4] = {0, 0, 0, 99};
        MDB_val k{6, const_cast<char*>("schema")}, val{4, v};
        REQUIRE(mdb_put(edit.txn(), edit.table("meta"), &k, &val, 0) == 0);
        edit.commit();
    }
    auto before = std::filesystem::last_write_time(dir.sub("data.mdb"));
    auto sizeBefore = std::filesystem::file_size(dir.sub("data.mdb"));

    auto store = Store::open(storeOptions(dir.path()));
    REQUIRE_FALSE(store.ok());
    CHECK(store.error().code == Errc::tooNew);
    CHECK(store.error().message.find("99") != std::string::npos);
    CHECK(std::filesystem::last_write_time(dir.sub("data.mdb")) == before);
    CHECK(std::filesystem::file_size(dir.sub("data.mdb")) == sizeBefore);
}

TEST_CASE("store: catalog falls back to the shipped default until one is stored") {
    TempDir dir;
    auto store = Store::open(storeOptions(dir.path()));
    REQUIRE(store.ok());
    CHECK((*store)->getCatalog().error().code == Errc::notFound);
    auto def = (*store)->getCatalogOrDefault(LAPOR_SOURCE_DIR);
    REQUIRE_MESSAGE(def.ok(), (def.ok() ? "" : def.error().message));
    CHECK(def->findAgency("kemenkes") != nullptr);
    CHECK(def->findTopic("pemda", "jalan-rusak")->parentId == "infrastruktur");

    AgencyCatalog c = *def;
    c.etag = "abc123";
    c.version = "2026-12-01";
    c.agencies.resize(2);
    REQUIRE((*store)->putCatalog(c).ok());
    auto stored = (*store)->getCatalogOrDefault(LAPOR_SOURCE_DIR);
    REQUIRE(stored.ok());
    CHECK(*stored == c);
}

TEST_CASE("store: status records") {
    TempDir dir;
    auto store = Store::open(storeOptions(dir.path()));
    REQUIRE(store.ok());
    CHECK_FALSE((*store)->getStatus("syncd")->has_value());
    REQUIRE((*store)->putStatus("syncd", R"({"online":true})").ok());
    CHECK((*store)->getStatus("syncd")->value() == R"({"online":true})");
    CHECK((*store)->listStatus()->size() == 1);
    REQUIRE((*store)->eraseStatus("syncd").ok());
    REQUIRE((*store)->eraseStatus("syncd").ok());  // absent is fine
    CHECK_FALSE((*store)->getStatus("syncd")->has_value());
}

TEST_CASE("store: without the key, metadata reads work and personal data is refused") {
    TempDir dir;
    Report r = sampleReport(1);
    {
        auto store = Store::open(storeOptions(dir.path()));
        REQUIRE(store.ok());
        REQUIRE((*store)->saveReport(r, std::vector<Photo>{samplePhoto(1000, 1)}).ok());
    }
    StoreOptions o = storeOptions(dir.path());
    o.key.reset();
    o.readOnly = true;
    auto store = Store::open(std::move(o));
    REQUIRE(store.ok());
    CHECK((*store)->loadReportPublic(r.uuid).ok());
    CHECK((*store)->counts()->count(OutboxState::queued) == 1);
    CHECK((*store)->loadReport(r.uuid).error().code == Errc::permission);
    CHECK((*store)->readPhoto(r.uuid, 0).error().code == Errc::permission);
    CHECK((*store)->saveReport(sampleReport(2), {}).error().code == Errc::permission);
}

TEST_CASE("store: a batch is saved whole or not at all") {
    TempDir dir;
    auto store = Store::open(storeOptions(dir.path()));
    REQUIRE(store.ok());
    Report a = sampleReport(1), b = sampleReport(2), dup = sampleReport(1);
    dup.receiptCode = "OTHER";
    std::vector<Photo> photos = {samplePhoto(1000, 1)};
    std::vector<Store::ReportToSave> bad = {{&a, photos}, {&b, {}}, {&dup, {}}};
    CHECK((*store)->saveReports(bad).error().code == Errc::invalidInput);
    CHECK((*store)->loadReportPublic(a.uuid).error().code == Errc::notFound);
    CHECK((*store)->loadReportPublic(b.uuid).error().code == Errc::notFound);
    std::vector<Store::ReportToSave> good = {{&a, photos}, {&b, {}}};
    REQUIRE((*store)->saveReports(good).ok());
    CHECK((*store)->readPhoto(a.uuid, 0)->jpeg == photos[0].jpeg);
    auto c1 = (*store)->claimNext("agent", 1000);
    CHECK((*c1)->uuid == a.uuid);  // batch order is queue order
}

namespace {

// Resident kB of this process's mapping of `file` (0 when it is not mapped).
long mappedResidentKb(const std::string& file) {
    std::ifstream smaps("/proc/self/smaps");
    std::string line;
    bool inFile = false;
    while (std::getline(smaps, line)) {
        if (!line.empty() && std::isxdigit(static_cast<unsigned char>(line[0])) &&
            line.find('-') < line.find(' ')) {
            inFile = line.size() >= file.size() &&
                     line.compare(line.size() - file.size(), file.size(), file) == 0;
        } else if (inFile && line.rfind("Rss:", 0) == 0) {
            return std::stol(line.substr(4));
        }
    }
    return 0;
}

}  // namespace

TEST_CASE("store: photo pages read through the map leave the resident set when released") {
    TempDir dir;
    StoreOptions o = storeOptions(dir.path());
    o.mapSize = 16ull << 20;
    auto store = Store::open(std::move(o));
    REQUIRE(store.ok());
    Report r = sampleReport(1);
    std::vector<Photo> photos = {samplePhoto(2'000'000, 1), samplePhoto(2'000'000, 2)};
    REQUIRE((*store)->saveReport(r, photos).ok());
    const std::string file = dir.sub("data.mdb");

    for (std::uint32_t i = 0; i < photos.size(); ++i) {
        REQUIRE((*store)->readPhoto(r.uuid, i).ok());
    }
    const long afterRead = mappedResidentKb(file);
    CHECK(afterRead >= 3'500);  // the two photos, about 4 MB, were read through the map
    (*store)->releaseMappedPages();
    const long afterRelease = mappedResidentKb(file);
    CHECK(afterRelease < 256);
    // Nothing is lost: the data is read back (faulted in again) whole.
    auto again = (*store)->readPhoto(r.uuid, 1);
    REQUIRE(again.ok());
    CHECK(*again == photos[1]);
    MESSAGE("data.mdb resident: " << afterRead << " kB after reading, " << afterRelease
                                  << " kB after release");
}

TEST_CASE("store: photos sealed ahead are saved as they are, and only for their report") {
    TempDir dir;
    auto store = Store::open(storeOptions(dir.path()));
    REQUIRE(store.ok());
    std::vector<Photo> photos = {samplePhoto(300'000, 1), samplePhoto(70'000, 2)};

    SUBCASE("same report, same photos: used") {
        Report r = sampleReport(1);
        auto sealed = (*store)->sealPhotos(r.uuid, photos);
        REQUIRE(sealed.ok());
        CHECK(sealed->matches(r.uuid, photos));
        REQUIRE((*store)->saveReport(r, photos, *sealed).ok());
        for (std::uint32_t i = 0; i < photos.size(); ++i)
            CHECK(*(*store)->readPhoto(r.uuid, i) == photos[i]);
        CHECK((*store)->verify()->problems.empty());
    }
    SUBCASE("sealed for another report: not used (its binding would not open), sealed anew") {
        Report r = sampleReport(2);
        auto other = (*store)->sealPhotos(testUuid(99), photos);
        REQUIRE(other.ok());
        CHECK_FALSE(other->matches(r.uuid, photos));
        REQUIRE((*store)->saveReport(r, photos, *other).ok());
        for (std::uint32_t i = 0; i < photos.size(); ++i)
            CHECK(*(*store)->readPhoto(r.uuid, i) == photos[i]);
    }
    SUBCASE("a photo retaken after sealing: not used, the new photo is saved") {
        Report r = sampleReport(3);
        auto sealed = (*store)->sealPhotos(r.uuid, photos);
        REQUIRE(sealed.ok());
        std::vector<Photo> retaken = {photos[0], samplePhoto(70'000, 3)};
        CHECK_FALSE(sealed->matches(r.uuid, retaken));
        std::vector<Photo> fewer = {photos[0]};
        CHECK_FALSE(sealed->matches(r.uuid, fewer));
        REQUIRE((*store)->saveReport(r, retaken, *sealed).ok());
        CHECK(*(*store)->readPhoto(r.uuid, 1) == retaken[1]);
        CHECK((*store)->verify()->problems.empty());
    }
    SUBCASE("without the key nothing is sealed") {
        TempDir bare;
        StoreOptions o = storeOptions(bare.path());
        o.key.reset();
        auto keyless = Store::open(std::move(o));
        REQUIRE(keyless.ok());
        auto sealed = (*keyless)->sealPhotos(testUuid(1), photos);
        REQUIRE_FALSE(sealed.ok());
        CHECK(sealed.error().code == Errc::permission);
    }
}

TEST_CASE("store: a report without a code gets a random one inside its own save") {
    TempDir dir;
    auto store = Store::open(storeOptions(dir.path()));
    REQUIRE(store.ok());
    std::vector<Report> reports;
    for (std::uint64_t i = 1; i <= 50; ++i) {
        reports.push_back(sampleReport(i));
        reports.back().receiptCode.clear();
    }
    std::vector<Store::ReportToSave> batch;
    for (const Report& r : reports) {
        batch.push_back({&r, {}});
    }
    auto codes = (*store)->saveReports(batch);
    REQUIRE(codes.ok());
    REQUIRE(codes->size() == reports.size());
    std::set<std::string> distinct(codes->begin(), codes->end());
    CHECK(distinct.size() == reports.size());
    for (std::size_t i = 0; i < reports.size(); ++i) {
        const std::string& code = (*codes)[i];
        CAPTURE(code);
        CHECK(receipt::isCanonical(code));
        CHECK(code.size() == receipt::kCodeSymbols);
        CHECK(code.substr(0, 4) == (*store)->receiptPrefix());
        CHECK(*(*store)->findByReceiptCode(code) == reports[i].uuid);
        CHECK((*store)->loadReportPublic(reports[i].uuid)->receiptCode == code);
        CHECK((*store)->outboxEntry(reports[i].uuid)->receiptCode == code);
    }
    // A given code is kept as given (imports, tests).
    Report given = sampleReport(99);
    REQUIRE((*store)->saveReport(given, {}).ok());
    CHECK(*(*store)->findByReceiptCode(given.receiptCode) == given.uuid);
}

TEST_CASE("store: a save that fails leaves no receipt code behind") {
    TempDir dir;
    auto store = Store::open(storeOptions(dir.path()));
    REQUIRE(store.ok());
    Report first = sampleReport(1);
    first.receiptCode.clear();
    REQUIRE((*store)->saveReport(first, {}).ok());
    const auto before = (*store)->listStatus();
    REQUIRE(before.ok());
    // The same UUID again is refused: the code it drew is rolled back with the rest.
    auto again = (*store)->saveReports(std::vector<Store::ReportToSave>{{&first, {}}});
    CHECK(again.error().code == Errc::invalidInput);
    CHECK(*(*store)->listStatus() == *before);
    auto all = (*store)->listAll();
    REQUIRE(all->size() == 1);
    // Exactly one code in the receipts table: the first report's.
    const std::string code = all->front().receiptCode;
    CHECK(*(*store)->findByReceiptCode(code) == first.uuid);
}
