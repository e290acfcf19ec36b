// UUID v4 format and uniqueness; secure wipe of reports and photos.
#include <doctest/doctest.h>

#include <set>

#include "core/uuid.hpp"
#include "core/wipe.hpp"

using namespace lapor;

TEST_CASE("uuid: version 4, lowercase canonical, unique") {
    std::set<std::string> seen;
    int variantCounts[4] = {0, 0, 0, 0};
    for (int i = 0; i < 10000; ++i) {
        const std::string u = newUuidV4();
        REQUIRE(u.size() == 36);
        REQUIRE(isCanonicalUuidV4(u));
        CHECK(u[14] == '4');
        const auto variant = std::string_view("89ab").find(u[19]);
        REQUIRE(variant != std::string_view::npos);
        ++variantCounts[variant];
        REQUIRE(*parseUuid(u) == u);
        seen.insert(u);
    }
    CHECK(seen.size() == 10000);
    for (const int count : variantCounts) {
        CHECK(count > 2000);  // each of 8, 9, a, b about 2,500 times: the random bits are used
    }
}

TEST_CASE("uuid: parse and validate") {
    const std::string good = "6f1c2a4e-9b3d-4c8e-a1f0-123456789abc";
    CHECK(isCanonicalUuidV4(good));
    CHECK(*parseUuid("6F1C2A4E-9B3D-4C8E-A1F0-123456789ABC") == good);
    // Other versions parse, but are not what we make.
    CHECK(parseUuid("6f1c2a4e-9b3d-1c8e-a1f0-123456789abc").ok());
    CHECK_FALSE(isCanonicalUuidV4("6f1c2a4e-9b3d-1c8e-a1f0-123456789abc"));
    CHECK_FALSE(isCanonicalUuidV4("6f1c2a4e-9b3d-4c8e-c1f0-123456789abc"));  // variant
    CHECK_FALSE(isCanonicalUuidV4("6F1C2A4E-9B3D-4C8E-A1F0-123456789ABC"));  // uppercase
    for (const char* bad :
         {"", "6f1c2a4e9b3d4c8ea1f0123456789abc", "{6f1c2a4e-9b3d-4c8e-a1f0-123456789abc}",
          "urn:uuid:6f1c2a4e-9b3d-4c8e-a1f0-123456789abc", "6f1c2a4e-9b3d-4c8e-a1f0-123456789abg",
          "6f1c2a4e-9b3d-4c8e-a1f0+123456789abc", "6f1c2a4e-9b3d-4c8e-a1f0-123456789ab"}) {
        CAPTURE(bad);
        CHECK_FALSE(parseUuid(bad).ok());
        CHECK_FALSE(isCanonicalUuidV4(bad));
    }
}

TEST_CASE("wipe: strings are zeroed in place before they are cleared") {
    std::string nik = "3201015201900001 and some more text beyond the small-string buffer";
    const char* buffer = nik.data();
    const std::size_t capacity = nik.capacity();
    wipeString(nik);
    CHECK(nik.empty());
    // The allocation is still ours (clear keeps it): every byte of it is now zero.
    REQUIRE(nik.data() == buffer);
    for (std::size_t i = 0; i < capacity; ++i) {
        REQUIRE(buffer[i] == '\0');
    }

    std::string small = "0812";  // short-string buffer inside the object
    const char* inside = small.data();
    wipeString(small);
    CHECK(small.empty());
    CHECK(inside[0] == '\0');
    CHECK(inside[3] == '\0');
}

TEST_CASE("wipe: reports, identity and photos") {
    Report r;
    r.uuid = "6f1c2a4e-9b3d-4c8e-a1f0-123456789abc";
    r.title = "Jalan berlubang di depan sekolah";
    r.body = "Sudah tiga bulan jalan di depan sekolah berlubang.";
    r.identity = Identity{"Siti Nur'aini", "3201015201900001", "+6281234567890", "siti@contoh.id"};
    r.anonymous = true;
    r.incidentDate = Date{2026, 11, 1};
    wipeReport(r);
    CHECK(r == Report{});

    std::vector<Photo> photos(2);
    photos[0].jpeg.assign(300000, 0xAB);
    photos[0].sha256Hex = std::string(64, 'f');
    photos[0].width = 640;
    photos[1].jpeg.assign(1000, 0xCD);
    wipePhotos(photos);
    CHECK(photos.empty());

    std::vector<std::uint8_t> bytes(4096, 0x5A);
    bytes.resize(10);  // the tail still holds old bytes within the capacity
    wipeBytes(bytes);
    CHECK(bytes.empty());
    CHECK(bytes.capacity() == 0);
}
