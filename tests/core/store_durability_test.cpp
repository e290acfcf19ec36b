// Durability: two processes at once, SIGKILL during saves, mdb_stat on the file, map growth,
// the map limit and a really full disk.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <random>

#include "core/store.hpp"
#include "store_test_support.hpp"

using namespace lapor;
using namespace lapor::testing;

namespace {

bool writeAll(int fd, const void* data, std::size_t n) {
    const char* p = static_cast<const char*>(data);
    while (n > 0) {
        ssize_t w = ::write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return false;
        p += w;
        n -= static_cast<std::size_t>(w);
    }
    return true;
}

// Reads one u64 (false at end of file).
bool readU64(int fd, std::uint64_t& out) {
    char* p = reinterpret_cast<char*>(&out);
    std::size_t got = 0;
    while (got < sizeof out) {
        ssize_t r = ::read(fd, p + got, sizeof out - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return false;
        got += static_cast<std::size_t>(r);
    }
    return true;
}

// A report with `n` photos of varied size (so that saves take varied time).
std::vector<Photo> photosFor(std::uint64_t i, std::size_t n, std::size_t maxSize) {
    std::vector<Photo> out;
    for (std::size_t k = 0; k < n; ++k) {
        out.push_back(samplePhoto(1 + (i * 7919 + k * 104729) % maxSize,
                                  static_cast<std::uint32_t>(i * 31 + k)));
    }
    return out;
}

// The report, its identity and every photo are there and intact.
void requireComplete(const Store& store, const std::string& uuid, std::size_t photos) {
    CAPTURE(uuid);
    auto r = store.loadReport(uuid);
    REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.error().message));
    CHECK_FALSE(r->identity.nik.empty());
    auto e = store.outboxEntry(uuid);
    REQUIRE(e.ok());
    CHECK(e->photoCount == photos);
    auto infos = store.listPhotos(uuid);
    REQUIRE(infos.ok());
    REQUIRE(infos->size() == photos);
    for (std::uint32_t k = 0; k < photos; ++k) {
        auto p = store.readPhoto(uuid, k);
        REQUIRE_MESSAGE(p.ok(), (p.ok() ? "" : p.error().message));
    }
    CHECK(store.findByReceiptCode(r->receiptCode).ok());
    CHECK(store.history(uuid)->size() >= 1);
}

// Nothing of the report is visible.
void requireAbsent(const Store& store, const Report& r) {
    CAPTURE(r.uuid);
    CHECK(store.loadReportPublic(r.uuid).error().code == Errc::notFound);
    CHECK(store.outboxEntry(r.uuid).error().code == Errc::notFound);
    CHECK(store.findByReceiptCode(r.receiptCode).error().code == Errc::notFound);
    CHECK(store.listPhotos(r.uuid).error().code == Errc::notFound);
}

int crashIterations() {
    if (const char* env = std::getenv("LAPOR_STORE_CRASH_KILLS"))
        return std::atoi(env);
#if defined(__SANITIZE_ADDRESS__)
    return 100;  // ASan makes each round several times slower; the g++ build runs all 200
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
    return 100;
#endif
#endif
    return 200;
}

bool runMdbStat(const std::string& dir) {
    std::string cmd = "mdb_stat -a -e '" + dir + "' > /dev/null";
    int rc = std::system(cmd.c_str());
    return rc != -1 && WIFEXITED(rc) && WEXITSTATUS(rc) == 0;
}

}  // namespace

TEST_CASE("store: a SIGKILL at a random point never leaves a partial report (200 kills)") {
    TempDir dir;
    const int kills = crashIterations();
    std::mt19937_64 rng(20261129);
    std::uint64_t total = 0;
    for (int round = 0; round < kills; ++round) {
        int fds[2];
        REQUIRE(::pipe(fds) == 0);
        pid_t child = ::fork();
        REQUIRE(child >= 0);
        if (child == 0) {
            ::close(fds[0]);
            auto store = Store::open(storeOptions(dir.path()));
            if (!store.ok())
                ::_exit(2);
            for (std::uint64_t i = 0;; ++i) {
                Report r = sampleReport(i, static_cast<std::uint32_t>(round));
                if (!(*store)->saveReport(r, photosFor(i, i % 3, 150'000)).ok())
                    ::_exit(3);
                // Reported only after saveReport returned: the promise under test.
                if (!writeAll(fds[1], &i, sizeof i))
                    ::_exit(4);
            }
        }
        ::close(fds[1]);
        // Let the child complete a random number of saves, then kill it at a random moment.
        std::uint64_t want = rng() % 3, got = 0, last = 0;
        bool any = false;
        while (got < want && readU64(fds[0], last)) {
            ++got;
            any = true;
        }
        auto until = std::chrono::steady_clock::now() + std::chrono::microseconds(rng() % 4000);
        while (std::chrono::steady_clock::now() < until) {
        }
        ::kill(child, SIGKILL);
        int status = 0;
        REQUIRE(::waitpid(child, &status, 0) == child);
        INFO("round " << round);
        REQUIRE_MESSAGE(WIFSIGNALED(status), "child exited by itself, status " << status);
        while (readU64(fds[0], last))
            any = true;  // saves that returned before the kill
        ::close(fds[0]);

        auto store = Store::open(storeOptions(dir.path()));
        REQUIRE(store.ok());
        std::uint64_t reported = any ? last + 1 : 0;
        for (std::uint64_t i = 0; i < reported; ++i) {
            requireComplete(**store, testUuid(i, static_cast<std::uint32_t>(round)), i % 3);
        }
        // The save in flight is either wholly there or wholly absent; the one after, absent.
        Report inFlight = sampleReport(reported, static_cast<std::uint32_t>(round));
        bool committed = (*store)->outboxEntry(inFlight.uuid).ok();
        if (committed) {
            requireComplete(**store, inFlight.uuid, reported % 3);
        } else {
            requireAbsent(**store, inFlight);
        }
        requireAbsent(**store, sampleReport(reported + 1, static_cast<std::uint32_t>(round)));
        total += reported + (committed ? 1 : 0);
        CHECK((*store)->counts()->count(OutboxState::queued) == total);
    }
    REQUIRE(runMdbStat(dir.path()));
    auto store = Store::open(storeOptions(dir.path()));
    REQUIRE(store.ok());
    auto v = (*store)->verify();
    REQUIRE(v.ok());
    CHECK(v->problems.empty());
    CHECK(v->reports == total);
    MESSAGE(kills << " kills, " << total << " reports survived intact");
}

TEST_CASE("store: two processes at once, one saves while the other claims and delivers") {
    TempDir dir;
    constexpr std::uint64_t count = 40;
    { REQUIRE(Store::open(storeOptions(dir.path())).ok()); }  // created before either starts
    int saved[2], done[2];
    REQUIRE(::pipe(saved) == 0);
    REQUIRE(::pipe(done) == 0);
    pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        ::close(saved[1]);
        ::close(done[0]);
        auto store = Store::open(storeOptions(dir.path()));  // small map: the saver grows it
        if (!store.ok())
            ::_exit(2);
        std::uint64_t delivered = 0, note = 0;
        // Each note from the saver says one more report is durable; claim what is due.
        while (delivered < count && readU64(saved[0], note)) {
            for (;;) {
                auto c = (*store)->claimNext("agent-child", 60'000);
                if (!c.ok())
                    ::_exit(3);
                if (!c->has_value())
                    break;
                if (!(*store)->recordDelivered((**c).uuid, "T-" + (**c).receiptCode).ok())
                    ::_exit(4);
                ++delivered;
            }
        }
        writeAll(done[1], &delivered, sizeof delivered);
        ::_exit(0);
    }
    ::close(saved[0]);
    ::close(done[1]);
    auto store = Store::open(storeOptions(dir.path()));
    REQUIRE(store.ok());
    for (std::uint64_t i = 0; i < count; ++i) {
        REQUIRE((*store)->saveReport(sampleReport(i), photosFor(i, 2, 300'000)).ok());
        REQUIRE(writeAll(saved[1], &i, sizeof i));
    }
    ::close(saved[1]);
    std::uint64_t delivered = 0;
    REQUIRE(readU64(done[0], delivered));
    ::close(done[0]);
    int status = 0;
    REQUIRE(::waitpid(child, &status, 0) == child);
    REQUIRE(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
    CHECK(delivered == count);
    auto counts = (*store)->counts();
    CHECK(counts->count(OutboxState::delivered) == count);
    CHECK(counts->count(OutboxState::queued) == 0);
    CHECK((*store)->stats()->mapBytes > (1u << 20));  // the map grew while the other read
    for (std::uint64_t i = 0; i < count; ++i) {
        auto e = (*store)->outboxEntry(testUuid(i));
        CHECK(e->trackingId == "T-" + sampleReport(i).receiptCode);
    }
}

TEST_CASE("store: mdb_stat reads the store's file") {
    TempDir dir;
    {
        auto store = Store::open(storeOptions(dir.path()));
        REQUIRE(store.ok());
        REQUIRE((*store)->saveReport(sampleReport(1), photosFor(1, 2, 100'000)).ok());
    }
    CHECK(runMdbStat(dir.path()));
    CHECK_FALSE(runMdbStat(dir.sub("nonexistent")));
}

TEST_CASE("store: the map grows as reports arrive") {
    TempDir dir;
    auto store = Store::open(storeOptions(dir.path()));  // 1 MiB to start
    REQUIRE(store.ok());
    for (std::uint64_t i = 0; i < 12; ++i) {
        REQUIRE((*store)->saveReport(sampleReport(i), photosFor(i, 3, 300'000)).ok());
    }
    auto st = (*store)->stats();
    REQUIRE(st.ok());
    CHECK(st->mapBytes >= (8u << 20));
    CHECK(st->usedBytes <= st->mapBytes);
    for (std::uint64_t i = 0; i < 12; ++i)
        requireComplete(**store, testUuid(i), 3);
}

TEST_CASE("store: at the map limit a save fails with disk-full and the store stays intact") {
    TempDir dir;
    StoreOptions o = storeOptions(dir.path());
    o.maxMapSize = 4u << 20;
    auto store = Store::open(std::move(o));
    REQUIRE(store.ok());
    const auto [saved, last] = saveUntilFailure(100, [&](std::uint64_t i) {
        return (*store)->saveReport(sampleReport(i), photosFor(i, 2, 300'000));
    });
    REQUIRE_FALSE(last.ok());
    CHECK(last.error().code == Errc::diskFull);
    CHECK(last.error().message.find("limit") != std::string::npos);
    CHECK(saved > 2);
    requireAbsent(**store, sampleReport(saved));
    for (std::uint64_t i = 0; i < saved; ++i)
        requireComplete(**store, testUuid(i), 2);
    // The agent still works on a full store: state changes need little room.
    auto c = (*store)->claimNext("agent", 1000);
    REQUIRE(c.ok());
    store->reset();
    CHECK(runMdbStat(dir.path()));
    auto again = Store::open(storeOptions(dir.path()));
    REQUIRE(again.ok());
    CHECK((*again)->verify()->problems.empty());
}

// A 3 MiB tmpfs under `dir`, unmounted at the end; empty when this machine cannot mount one.
class SmallDisk {
  public:
    explicit SmallDisk(const TempDir& dir) : path_(dir.sub("small")) {
        std::filesystem::create_directories(path_);
        if (::mount("tmpfs", path_.c_str(), "tmpfs", 0, "size=3m") != 0) {
            MESSAGE("skipped: cannot mount a small tmpfs here (" << std::strerror(errno) << ")");
            path_.clear();
        }
    }
    ~SmallDisk() {
        if (!path_.empty())
            ::umount2(path_.c_str(), MNT_DETACH);
    }
    SmallDisk(const SmallDisk&) = delete;
    SmallDisk& operator=(const SmallDisk&) = delete;
    [[nodiscard]] const std::string& path() const { return path_; }

  private:
    std::string path_;
};

std::uint64_t dataFileBytes(const std::string& storeDir) {
    return std::filesystem::file_size(storeDir + "/data.mdb");
}

TEST_CASE("store: reserved space keeps saves inside the file") {
    TempDir dir;
    StoreOptions o = storeOptions(dir.path());
    o.mapSize = 64u << 20;
    auto store = Store::open(std::move(o));
    REQUIRE(store.ok());
    REQUIRE((*store)->saveReport(sampleReport(0), photosFor(0, 1, 100'000)).ok());
    const auto used = (*store)->stats()->usedBytes;

    auto added = (*store)->reserveSpace(8u << 20);
    REQUIRE(added.ok());
    CHECK(*added > 0);
    CHECK(dataFileBytes(dir.path()) == used + (8u << 20));
    auto again = (*store)->reserveSpace(8u << 20);  // more than half is still free: nothing to do
    REQUIRE(again.ok());
    CHECK(*again == 0);

    // Saves now overwrite zeros the file already has; the file does not grow.
    for (std::uint64_t i = 1; i <= 3; ++i) {
        REQUIRE((*store)->saveReport(sampleReport(i), photosFor(i, 2, 300'000)).ok());
    }
    CHECK(dataFileBytes(dir.path()) == used + (8u << 20));
    CHECK((*store)->stats()->usedBytes > used);
    for (std::uint64_t i = 0; i <= 3; ++i)
        requireComplete(**store, testUuid(i), i == 0 ? 1 : 2);
    store->reset();
    CHECK(runMdbStat(dir.path()));
    auto reopened = Store::open(storeOptions(dir.path()));
    REQUIRE(reopened.ok());
    CHECK((*reopened)->verify()->problems.empty());
}

TEST_CASE("store: reserved space never reaches past the map") {
    TempDir dir;
    auto store = Store::open(storeOptions(dir.path()));  // a 1 MiB map
    REQUIRE(store.ok());
    REQUIRE((*store)->reserveSpace(16u << 20).ok());
    CHECK(dataFileBytes(dir.path()) <= (1u << 20));
    REQUIRE((*store)->saveReport(sampleReport(1), photosFor(1, 3, 300'000)).ok());  // map grows
    requireComplete(**store, testUuid(1), 3);
}

TEST_CASE("store: reserving on a full disk fails with disk-full and gives the space back") {
    TempDir dir;
    SmallDisk disk(dir);
    if (disk.path().empty())
        return;
    const std::string path = disk.path() + "/store";
    StoreOptions o = storeOptions(path);
    o.mapSize = 16u << 20;
    auto store = Store::open(std::move(o));
    REQUIRE(store.ok());
    REQUIRE((*store)->saveReport(sampleReport(0), photosFor(0, 1, 100'000)).ok());
    const auto before = dataFileBytes(path);
    auto r = (*store)->reserveSpace(8u << 20);  // more than the 3 MiB disk holds
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == Errc::diskFull);
    CHECK(dataFileBytes(path) == before);
    // The room is there again for real reports.
    REQUIRE((*store)->saveReport(sampleReport(1), photosFor(1, 1, 100'000)).ok());
    requireComplete(**store, testUuid(0), 1);
    requireComplete(**store, testUuid(1), 1);
    CHECK((*store)->verify()->problems.empty());
}

TEST_CASE("store: on a really full disk a save fails with disk-full and the store stays intact") {
    TempDir dir;
    SmallDisk disk(dir);
    if (disk.path().empty())
        return;
    std::string path = disk.path() + "/store";
    std::uint64_t saved = 0;
    {
        StoreOptions o = storeOptions(path);
        o.maxMapSize = 64u << 20;  // far more than the disk holds
        auto store = Store::open(std::move(o));
        REQUIRE(store.ok());
        Status last;
        for (std::uint64_t i = 0; i < 100 && last.ok(); ++i) {
            last = (*store)->saveReport(sampleReport(i), photosFor(i, 2, 300'000));
            if (last.ok())
                ++saved;
        }
        REQUIRE_FALSE(last.ok());
        CHECK(last.error().code == Errc::diskFull);
        CHECK(saved > 0);
        requireAbsent(**store, sampleReport(saved));
        for (std::uint64_t i = 0; i < saved; ++i)
            requireComplete(**store, testUuid(i), 2);
    }
    auto again = Store::open(storeOptions(path));
    REQUIRE(again.ok());
    auto v = (*again)->verify();
    REQUIRE(v.ok());
    CHECK(v->problems.empty());
    CHECK(v->reports == saved);
    MESSAGE(saved << " reports saved before the 3 MiB disk filled");
}
