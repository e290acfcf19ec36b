// Durable save of a report with 5 photos of 300 KB: the LMDB store against (a) the same bytes
// appended to a plain file with one fdatasync (the floor) and (b) SQLite in WAL mode with
// synchronous=FULL doing the same save (same encryption, same chunks), interleaved in one run. The
// store keeps room reserved between saves as the kiosk does (Store::reserveSpace), timed apart.
// The store is measured twice: with the photos sealed inside the save, and sealed ahead
// (Store::sealPhotos, timed apart) as the kiosk does while the visitor reviews the report.
// Usage: store_save_bench [iterations]
#include <sqlite3.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "bench_support.hpp"
#include "core/crypto.hpp"
#include "core/report_codec.hpp"
#include "core/store.hpp"
#include "tests/core/store_test_support.hpp"

using namespace lapor;
using namespace lapor::bench;

namespace {

void sqlOk(int rc, sqlite3* db, const char* what) {
    if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
        std::fprintf(stderr, "sqlite %s: %s\n", what, sqlite3_errmsg(db));
        std::exit(2);
    }
}

// The same save in SQLite: report, sealed identity, sealed 64 KiB photo chunks, outbox row and
// history row, in one transaction.
class SqliteStore {
  public:
    explicit SqliteStore(const std::string& path, const crypto::Key& key) : key_(key) {
        sqlOk(sqlite3_open(path.c_str(), &db_), db_, "open");
        exec("PRAGMA journal_mode=WAL");
        exec("PRAGMA synchronous=FULL");
        exec(
            "CREATE TABLE reports(uuid TEXT PRIMARY KEY, receipt TEXT UNIQUE, json TEXT, identity "
            "BLOB)");
        exec(
            "CREATE TABLE photos(uuid TEXT, idx INTEGER, chunk INTEGER, data BLOB, "
            "PRIMARY KEY(uuid, idx, chunk))");
        exec(
            "CREATE TABLE photometa(uuid TEXT, idx INTEGER, size INTEGER, sha256 TEXT, "
            "PRIMARY KEY(uuid, idx))");
        exec("CREATE TABLE outbox(uuid TEXT PRIMARY KEY, state INTEGER, created INTEGER)");
        exec("CREATE TABLE history(uuid TEXT, n INTEGER, at INTEGER, state INTEGER, reason TEXT)");
        prep(&report_, "INSERT INTO reports VALUES(?,?,?,?)");
        prep(&photo_, "INSERT INTO photos VALUES(?,?,?,?)");
        prep(&meta_, "INSERT INTO photometa VALUES(?,?,?,?)");
        prep(&outbox_, "INSERT INTO outbox VALUES(?,1,?)");
        prep(&history_, "INSERT INTO history VALUES(?,0,?,1,'saved')");
    }
    ~SqliteStore() {
        for (auto* s : {report_, photo_, meta_, outbox_, history_})
            sqlite3_finalize(s);
        sqlite3_close(db_);
    }

    void save(const Report& r, const std::vector<Photo>& photos) {
        exec("BEGIN");
        std::string json = codec::encodeReportPublic(r);
        auto identity = crypto::seal(key_, codec::encodeIdentity(r.identity), "identity/" + r.uuid);
        bindText(report_, 1, r.uuid);
        bindText(report_, 2, r.receiptCode);
        bindText(report_, 3, json);
        sqlite3_bind_blob(report_, 4, identity.data(), static_cast<int>(identity.size()),
                          SQLITE_STATIC);
        step(report_);
        std::vector<std::uint8_t> sealed;
        for (std::size_t i = 0; i < photos.size(); ++i) {
            const auto& bytes = photos[i].jpeg;
            bindText(meta_, 1, r.uuid);
            sqlite3_bind_int(meta_, 2, static_cast<int>(i));
            sqlite3_bind_int64(meta_, 3, static_cast<sqlite3_int64>(bytes.size()));
            bindText(meta_, 4, photos[i].sha256Hex);
            step(meta_);
            for (std::size_t off = 0, c = 0; off < bytes.size(); off += photoChunkBytes, ++c) {
                std::size_t n = std::min(photoChunkBytes, bytes.size() - off);
                crypto::sealInto(
                    key_, std::span(bytes).subspan(off, n),
                    "photo/" + r.uuid + "/" + std::to_string(i) + "/" + std::to_string(c), sealed);
                bindText(photo_, 1, r.uuid);
                sqlite3_bind_int(photo_, 2, static_cast<int>(i));
                sqlite3_bind_int(photo_, 3, static_cast<int>(c));
                sqlite3_bind_blob(photo_, 4, sealed.data(), static_cast<int>(sealed.size()),
                                  SQLITE_STATIC);
                step(photo_);
            }
        }
        bindText(outbox_, 1, r.uuid);
        sqlite3_bind_int64(outbox_, 2, r.createdAtMs);
        step(outbox_);
        bindText(history_, 1, r.uuid);
        sqlite3_bind_int64(history_, 2, r.createdAtMs);
        step(history_);
        exec("COMMIT");
    }

  private:
    void exec(const char* sql) {
        sqlOk(sqlite3_exec(db_, sql, nullptr, nullptr, nullptr), db_, sql);
    }
    void prep(sqlite3_stmt** s, const char* sql) {
        sqlOk(sqlite3_prepare_v2(db_, sql, -1, s, nullptr), db_, sql);
    }
    static void bindText(sqlite3_stmt* s, int i, const std::string& v) {
        sqlite3_bind_text(s, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    }
    void step(sqlite3_stmt* s) {
        sqlOk(sqlite3_step(s), db_, "step");
        sqlite3_reset(s);
    }

    const crypto::Key& key_;
    sqlite3* db_ = nullptr;
    sqlite3_stmt *report_ = nullptr, *photo_ = nullptr, *meta_ = nullptr, *outbox_ = nullptr,
                 *history_ = nullptr;
};

void print(const char* name, const Percentiles& p) {
    std::printf("  %-34s p50 %7.2f ms   p99 %7.2f ms   mean %7.2f ms\n", name, p.p50Ms, p.p99Ms,
                p.meanMs);
}

}  // namespace

int main(int argc, char** argv) {
    const int iterations = argc > 1 ? std::atoi(argv[1]) : 80;
    ScratchDir dir;
    crypto::Key key = benchKey();
    std::vector<Photo> photos;
    for (std::uint32_t i = 0; i < 5; ++i)
        photos.push_back(testing::samplePhoto(300'000, i));

    StoreOptions o;
    o.path = dir.path() + "/lmdb";
    o.key = key.clone();
    auto store = Store::open(std::move(o));
    if (!store.ok()) {
        std::fprintf(stderr, "store: %s\n", store.error().message.c_str());
        return 2;
    }
    SqliteStore sqlite(dir.path() + "/sqlite.db", key);
    DurableFile floorFile(dir.path() + "/plain.bin");

    // As the kiosk does: room reserved at start and after each save, off the visitor's path
    // (Store::reserveSpace), so that a save overwrites blocks the file already has.
    constexpr std::uint64_t kReserve = 16ull << 20;
    std::vector<std::int64_t> floorNs, sqliteNs, storeNs, aheadNs, reserveNs, sealNs;
    std::uint64_t reserveCalls = 0;
    auto reserve = [&] {
        std::int64_t t0 = nowNs();
        auto added = (*store)->reserveSpace(kReserve);
        if (!added.ok()) {
            std::fprintf(stderr, "reserve: %s\n", added.error().message.c_str());
            std::exit(2);
        }
        ++reserveCalls;
        if (*added > 0)
            reserveNs.push_back(nowNs() - t0);
    };
    reserve();
    std::vector<std::uint8_t> plain;
    for (int i = 0; i < iterations + 3; ++i) {
        // Four modes per round, rotating their order so that none always follows another.
        for (int k = 0; k < 4; ++k) {
            int mode = (i + k) % 4;
            Report r =
                benchReport(static_cast<std::uint64_t>(i) * 4 + static_cast<std::uint64_t>(mode));
            SealedPhotos sealed;
            if (mode == 3) {
                // The kiosk's path: the photos are sealed while the visitor reviews the report
                // (ReportSink::sealAhead); the visitor waits for the save only.
                std::int64_t s0 = nowNs();
                auto ahead = (*store)->sealPhotos(r.uuid, photos);
                if (!ahead.ok()) {
                    std::fprintf(stderr, "seal: %s\n", ahead.error().message.c_str());
                    return 2;
                }
                sealed = std::move(*ahead);
                if (i >= 3)
                    sealNs.push_back(nowNs() - s0);
            }
            std::int64_t t0 = nowNs();
            if (mode == 0) {
                // The floor: the report's bytes and the photos, one write, one fdatasync.
                plain.clear();
                std::string json = codec::encodeReportPublic(r);
                auto id = codec::encodeIdentity(r.identity);
                plain.insert(plain.end(), json.begin(), json.end());
                plain.insert(plain.end(), id.begin(), id.end());
                for (const auto& p : photos)
                    plain.insert(plain.end(), p.jpeg.begin(), p.jpeg.end());
                floorFile.append(plain.data(), plain.size());
            } else if (mode == 1) {
                sqlite.save(r, photos);
            } else {
                Status s = mode == 2 ? (*store)->saveReport(r, photos)
                                     : (*store)->saveReport(r, photos, sealed);
                if (!s.ok()) {
                    std::fprintf(stderr, "save: %s\n", s.error().message.c_str());
                    return 2;
                }
            }
            std::int64_t dt = nowNs() - t0;
            if (mode >= 2)
                reserve();
            if (i < 3)
                continue;  // warm-up rounds
            (mode == 0   ? floorNs
             : mode == 1 ? sqliteNs
             : mode == 2 ? storeNs
                         : aheadNs)
                .push_back(dt);
        }
    }
    Percentiles f = percentiles(floorNs), q = percentiles(sqliteNs), all = percentiles(storeNs),
                s = percentiles(aheadNs), seal = percentiles(sealNs);
    std::printf("store save bench: report + 5 photos x 300 KB, %d saves each, durable\n",
                iterations);
    print("floor (plain file, 1 fdatasync)", f);
    print("SQLite WAL synchronous=FULL", q);
    print("LMDB store, sealing included", all);
    print("LMDB store, photos sealed ahead", s);
    print("  (sealing ahead, off the path)", seal);
    std::int64_t reserveTotal = 0;
    for (std::int64_t ns : reserveNs)
        reserveTotal += ns;
    std::printf(
        "  reserve (16 MiB of zeros ahead, between saves): wrote %zu of %llu calls, "
        "%.1f ms each, %.2f ms per save on average\n",
        reserveNs.size(), static_cast<unsigned long long>(reserveCalls),
        reserveNs.empty() ? 0.0 : reserveTotal / 1e6 / reserveNs.size(),
        reserveTotal / 1e6 / (iterations + 3) / 2);
    std::printf(
        "  ratio store/floor  p50 %.2fx  p99 %.2fx   (target <= 1.5x; the kiosk's save, photos "
        "sealed ahead)\n",
        s.p50Ms / f.p50Ms, s.p99Ms / f.p99Ms);
    std::printf("  ratio store/floor  p50 %.2fx  p99 %.2fx   (sealing included)\n",
                all.p50Ms / f.p50Ms, all.p99Ms / f.p99Ms);
    std::printf(
        "  ratio store/SQLite p50 %.2fx  p99 %.2fx   (target <= 1.0x; both sealing in the save)\n",
        all.p50Ms / q.p50Ms, all.p99Ms / q.p99Ms);
    return 0;
}
