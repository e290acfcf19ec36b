// The device's Ed25519 key pair: made once, kept 0600, refused when others can read it or it is
// damaged; signatures verify only with the right key and message.
#include <doctest/doctest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <span>
#include <string>

#include "core/device_key.hpp"

namespace lapor::crypto {
namespace {

struct Dir {
    std::filesystem::path path;
    Dir() {
        std::string t = (std::filesystem::temp_directory_path() / "lapor-dkey-XXXXXX").string();
        path = ::mkdtemp(t.data());
    }
    ~Dir() { std::filesystem::remove_all(path); }
};

std::span<const std::uint8_t> bytes(const std::string& s) {
    return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

}  // namespace

TEST_CASE("device key: made once at 0600, the same key on every later load") {
    Dir d;
    const std::string path = (d.path / "keys" / "device.key").string();
    CHECK(loadDeviceKey(path, false).error().code == Errc::notFound);
    auto made = loadDeviceKey(path, true);
    REQUIRE(made.ok());
    struct stat st {};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    CHECK(st.st_size == 64);
    auto again = loadDeviceKey(path, true);
    REQUIRE(again.ok());
    CHECK(again->publicKeyHex() == made->publicKeyHex());
    CHECK(made->publicKeyHex().size() == 64);
}

TEST_CASE("device key: refused when group or others can read it, or when damaged") {
    Dir d;
    const std::string path = (d.path / "device.key").string();
    REQUIRE(loadDeviceKey(path, true).ok());
    ::chmod(path.c_str(), 0644);
    CHECK(loadDeviceKey(path, true).error().code == Errc::permission);
    ::chmod(path.c_str(), 0600);
    {
        // Flip one byte of the public half, so it no longer matches the seed. (Writing a fixed
        // byte left the file unchanged whenever the key already held that byte there.)
        std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
        f.seekg(40);
        const char was = static_cast<char>(f.get());
        f.seekp(40);
        f.put(static_cast<char>(was ^ 0x01));
    }
    CHECK(loadDeviceKey(path, true).error().code == Errc::corrupt);
    std::filesystem::resize_file(path, 10);
    CHECK(loadDeviceKey(path, true).error().code == Errc::corrupt);
}

TEST_CASE("device key: a signature verifies with its key and message only") {
    const DeviceKey a = DeviceKey::generate();
    const DeviceKey b = DeviceKey::generate();
    const std::string msg = enrolmentMessage("ABCD2345EFGH", "kiosk-1");
    const std::string sig = toHex(a.sign(bytes(msg)));
    CHECK(verifySignatureHex(a.publicKeyHex(), msg, sig));
    CHECK_FALSE(verifySignatureHex(b.publicKeyHex(), msg, sig));
    CHECK_FALSE(verifySignatureHex(a.publicKeyHex(), msg + "x", sig));
    CHECK_FALSE(verifySignatureHex(a.publicKeyHex(), msg, "zz"));
    CHECK_FALSE(verifySignatureHex("", msg, sig));
}

TEST_CASE("device key: enrolment codes compare without case, spaces or dashes") {
    CHECK(normaliseEnrolmentCode(" abcd-2345 efgh ") == "ABCD2345EFGH");
    CHECK(normaliseEnrolmentCode("--") == "");
    CHECK(fromHex("0aff").value() == std::string("\x0a\xff", 2));
    CHECK(fromHex("0").error().code == Errc::invalidInput);
}

}  // namespace lapor::crypto
