// At-rest encryption: AEAD records bound to their place, the key file, and a scan of the raw
// LMDB file for planted personal data.
#include <doctest/doctest.h>
#include <lmdb.h>
#include <sys/stat.h>

#include <fstream>
#include <iterator>

#include "core/crypto.hpp"
#include "core/store.hpp"
#include "store_raw_edit.hpp"
#include "store_test_support.hpp"

using namespace lapor;
using namespace lapor::testing;

namespace {

std::vector<std::uint8_t> bytes(std::string_view s) {
    return {s.begin(), s.end()};
}

std::string readAll(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

TEST_CASE("crypto: sealed records open only with their key and their association") {
    crypto::Key key = crypto::Key::generate();
    auto sealed = crypto::seal(key, bytes("3171234567890123"), "identity:a");
    CHECK(sealed.size() == 16 + crypto::sealOverhead);
    auto opened = crypto::open(key, sealed, "identity:a");
    REQUIRE(opened.ok());
    CHECK(*opened == bytes("3171234567890123"));
    CHECK(crypto::open(key, sealed, "identity:b").error().code == Errc::corrupt);  // swapped record
    CHECK(crypto::open(crypto::Key::generate(), sealed, "identity:a").error().code ==
          Errc::corrupt);
    sealed[30] ^= 1;
    CHECK(crypto::open(key, sealed, "identity:a").error().code == Errc::corrupt);
    CHECK(crypto::open(key, std::vector<std::uint8_t>(10), "x").error().code == Errc::corrupt);
    // Two seals of the same bytes differ (random nonce).
    CHECK(crypto::seal(key, bytes("x"), "a") != crypto::seal(key, bytes("x"), "a"));
}

TEST_CASE("crypto: SHA-256 one-shot and incremental agree with the known answer") {
    CHECK(crypto::sha256Hex(bytes("abc")) ==
          "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    crypto::Sha256 h;
    h.update(bytes("a"));
    h.update(bytes("bc"));
    CHECK(h.finishHex() == crypto::sha256Hex(bytes("abc")));
}

TEST_CASE("crypto: the key file is created 0600 once, then read back") {
    TempDir dir;
    crypto::KeySource src{dir.sub("keys/store.key")};
    auto k1 = crypto::loadKey(src, "");
    REQUIRE_MESSAGE(k1.ok(), (k1.ok() ? "" : k1.error().message));
    struct stat st {};
    REQUIRE(::stat(src.keyFile.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    CHECK(st.st_size == 32);
    auto k2 = crypto::loadKey(src, "");
    REQUIRE(k2.ok());
    auto sealed = crypto::seal(*k1, bytes("x"), "a");
    CHECK(crypto::open(*k2, sealed, "a").ok());

    ::chmod(src.keyFile.c_str(), 0644);
    CHECK(crypto::loadKey(src, "").error().code == Errc::permission);
    src.keyFile = dir.sub("other.key");
    src.createIfMissing = false;
    CHECK(crypto::loadKey(src, "").error().code == Errc::notFound);
    std::ofstream(dir.sub("short.key")) << "too short";
    ::chmod(dir.sub("short.key").c_str(), 0600);
    src.keyFile = dir.sub("short.key");
    CHECK(crypto::loadKey(src, "").error().code == Errc::corrupt);
}

TEST_CASE("crypto: systemd's credentials directory wins over the key file") {
    TempDir dir;
    std::string cred = dir.sub("lapor-store-key");
    std::array<std::uint8_t, 32> raw{};
    raw.fill(7);
    std::ofstream(cred, std::ios::binary).write(reinterpret_cast<const char*>(raw.data()), 32);
    ::chmod(cred.c_str(), 0400);
    crypto::KeySource src{dir.sub("never-created.key")};
    auto k = crypto::loadKey(src, dir.path());
    REQUIRE(k.ok());
    CHECK(std::equal(raw.begin(), raw.end(), k->data()));
    CHECK_FALSE(std::filesystem::exists(src.keyFile));
}

TEST_CASE("store: planted NIK, name, phone, email and photo bytes never appear in data.mdb") {
    TempDir dir;
    Report r = sampleReport(1);
    Photo p = samplePhoto(200'000, 9);
    // A recognisable run inside the photo.
    const std::string marker = "PHOTO-MARKER-7f3a9c";
    std::copy(marker.begin(), marker.end(), p.jpeg.begin() + 70'000);
    p.sha256Hex = crypto::sha256Hex(p.jpeg);
    {
        auto store = Store::open(storeOptions(dir.path()));
        REQUIRE(store.ok());
        REQUIRE((*store)->saveReport(r, std::vector<Photo>{p}).ok());
        for (int i = 2; i < 20; ++i)
            REQUIRE((*store)->saveReport(sampleReport(i), {}).ok());
        auto back = (*store)->loadReport(r.uuid);
        REQUIRE(back.ok());
        CHECK(back->identity.nik == r.identity.nik);  // the data is there...
    }
    const std::string raw = readAll(dir.sub("data.mdb"));
    REQUIRE(raw.size() > 200'000);
    // ...but only encrypted.
    for (const std::string& secret :
         {r.identity.nik, r.identity.name, r.identity.phone, r.identity.email, marker,
          std::string("81299887766"), std::string("Siti Rahayu")}) {
        CAPTURE(secret);
        CHECK(raw.find(secret) == std::string::npos);
    }
    CHECK(raw.find(r.title) != std::string::npos);  // the scan itself works on clear fields
    // The key is not in the store either.
    crypto::Key key = testKey();
    CHECK(raw.find(std::string(reinterpret_cast<const char*>(key.data()), 32)) ==
          std::string::npos);
}

TEST_CASE("store: verify finds a tampered photo chunk and a swapped identity") {
    TempDir dir;
    Report a = sampleReport(1), b = sampleReport(2);
    {
        auto store = Store::open(storeOptions(dir.path()));
        REQUIRE(store.ok());
        REQUIRE((*store)->saveReport(a, std::vector<Photo>{samplePhoto(100'000, 1)}).ok());
        REQUIRE((*store)->saveReport(b, {}).ok());
        auto v = (*store)->verify();
        REQUIRE(v.ok());
        CHECK(v->problems.empty());
        CHECK(v->reports == 2);
        CHECK(v->bytes == 100'000);
    }
    // Swap the two identity records and flip a byte in a photo chunk, with raw LMDB.
    {
        RawLmdbEdit edit(dir.path());
        MDB_txn* txn = edit.txn();
        const MDB_dbi ident = edit.table("identity"), photos = edit.table("photos");
        MDB_val ka{36, a.uuid.data()}, kb{36, b.uuid.data()}, va{}, vb{};
        REQUIRE(mdb_get(txn, ident, &ka, &va) == 0);
        REQUIRE(mdb_get(txn, ident, &kb, &vb) == 0);
        std::string sa(static_cast<char*>(va.mv_data), va.mv_size),
            sb(static_cast<char*>(vb.mv_data), vb.mv_size);
        va = {sb.size(), sb.data()};
        vb = {sa.size(), sa.data()};
        REQUIRE(mdb_put(txn, ident, &ka, &va, 0) == 0);
        REQUIRE(mdb_put(txn, ident, &kb, &vb, 0) == 0);
        MDB_cursor* cur = nullptr;
        REQUIRE(mdb_cursor_open(txn, photos, &cur) == 0);
        MDB_val k{}, v{};
        REQUIRE(mdb_cursor_get(cur, &k, &v, MDB_FIRST) == 0);
        std::string chunk(static_cast<char*>(v.mv_data), v.mv_size);
        chunk[100] ^= 0x40;
        std::string key(static_cast<char*>(k.mv_data), k.mv_size);
        mdb_cursor_close(cur);
        MDB_val k2{key.size(), key.data()}, v2{chunk.size(), chunk.data()};
        REQUIRE(mdb_put(txn, photos, &k2, &v2, 0) == 0);
        edit.commit();
    }

    auto store = Store::open(storeOptions(dir.path()));
    REQUIRE(store.ok());
    CHECK((*store)->loadReport(a.uuid).error().code == Errc::corrupt);
    CHECK((*store)->readPhoto(a.uuid, 0).error().code == Errc::corrupt);
    auto v3 = (*store)->verify();
    REQUIRE(v3.ok());
    CHECK(v3->problems.size() == 3);  // a's identity, b's identity, a's photo
}
