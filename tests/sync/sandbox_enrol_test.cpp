// Enrolment end to end: lapor-sandbox issues one-time codes; the agent's enrol() trades a code
// and the device's public key for a token bound to that key; used, expired and unknown codes and
// a signature from another key are refused; a sandbox requiring enrolment accepts only such
// tokens; the token file is 0600.
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "core/config.hpp"
#include "core/device_key.hpp"
#include "sync/enrol.hpp"
#include "sync/sandbox/enrolments.hpp"
#include "tests/sync/sandbox_fixture.hpp"

namespace lapor::sandbox::test {
namespace {

std::string issueCode(SandboxFixture& f, double ttl = 3600) {
    auto r = f.admin().Post("/admin/enrolment-codes", json{{"ttl_seconds", ttl}}.dump(),
                            "application/json");
    REQUIRE(r);
    REQUIRE_MESSAGE(r->status == 201, r->body);
    return json::parse(r->body)["code"].get<std::string>();
}

SandboxOptions requiringEnrolment() {
    SandboxOptions o;
    o.requireEnrolment = true;
    return o;
}

}  // namespace

TEST_CASE("enrol: a code and the device key buy a token, a used code is refused") {
    SandboxFixture f(requiringEnrolment());
    sync::CurlHttpClient http(sync::HttpOptions{});
    const auto key = crypto::DeviceKey::generate();
    const std::string code = issueCode(f);
    CHECK(code.size() == 14);  // XXXX-XXXX-XXXX

    // Without a token nothing gets in.
    auto before = f.api().Get("/v1/catalog", SandboxFixture::auth("made-up"));
    REQUIRE(before);
    CHECK(before->status == 401);

    // Typed in lower case with spaces, as a technician might.
    std::string typed = code;
    for (auto& c : typed) {
        c = c == '-' ? ' ' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    auto token = sync::enrol(http, {f.sandbox().baseUrl(), typed, "kiosk-7"}, key);
    REQUIRE_MESSAGE(token.ok(), token.error().message);
    auto after = f.api().Get("/v1/catalog", SandboxFixture::auth(*token));
    REQUIRE(after);
    CHECK(after->status == 200);

    // The token is bound to the key that signed.
    const json book = f.adminGet("/admin/enrolments");
    REQUIRE(book["devices"].size() == 1);
    CHECK(book["devices"][0]["device_id"] == "kiosk-7");
    CHECK(book["devices"][0]["public_key"] == key.publicKeyHex());
    CHECK(book.dump().find(*token) == std::string::npos);  // never shown, even to the admin

    auto again = sync::enrol(http, {f.sandbox().baseUrl(), code, "kiosk-8"}, key);
    REQUIRE_FALSE(again.ok());
    CHECK(again.error().code == Errc::rejected);
    CHECK(again.error().message.find("code_used") != std::string::npos);
}

TEST_CASE("enrol: unknown and expired codes, and a signature of another key, are refused") {
    SandboxFixture f(requiringEnrolment());
    sync::CurlHttpClient http(sync::HttpOptions{});
    const auto key = crypto::DeviceKey::generate();

    auto unknown = sync::enrol(http, {f.sandbox().baseUrl(), "AAAA-BBBB-CCCC", "k"}, key);
    REQUIRE_FALSE(unknown.ok());
    CHECK_MESSAGE(unknown.error().message.find("unknown_code") != std::string::npos,
                  unknown.error().message);

    const std::string expiring = issueCode(f, 60);
    (void)f.adminPost("/admin/clock", {{"advance_seconds", 61}});
    auto expired = sync::enrol(http, {f.sandbox().baseUrl(), expiring, "k"}, key);
    REQUIRE_FALSE(expired.ok());
    CHECK(expired.error().message.find("code_expired") != std::string::npos);

    // A request whose signature is not made by the key it names: the code stays unused.
    const std::string code = issueCode(f);
    const auto other = crypto::DeviceKey::generate();
    const std::string msg = crypto::enrolmentMessage(crypto::normaliseEnrolmentCode(code), "k");
    const auto sig = other.sign({reinterpret_cast<const std::uint8_t*>(msg.data()), msg.size()});
    json forged = {{"code", code},
                   {"device_id", "k"},
                   {"public_key", key.publicKeyHex()},
                   {"signature", crypto::toHex(sig)}};
    auto r = f.api().Post("/v1/enrolments", forged.dump(), "application/json");
    REQUIRE(r);
    CHECK(r->status == 400);
    CHECK(json::parse(r->body)["code"] == "bad_signature");
    CHECK(sync::enrol(http, {f.sandbox().baseUrl(), code, "k"}, key).ok());
}

TEST_CASE("enrol: a device enrolled again loses its old token, the book survives a restart") {
    SandboxFixture f(requiringEnrolment());
    sync::CurlHttpClient http(sync::HttpOptions{});
    const auto key = crypto::DeviceKey::generate();
    auto first = sync::enrol(http, {f.sandbox().baseUrl(), issueCode(f), "kiosk-1"}, key);
    REQUIRE(first.ok());
    f.restart();
    auto kept = f.api().Get("/v1/catalog", SandboxFixture::auth(*first));
    REQUIRE(kept);
    CHECK(kept->status == 200);
    auto second = sync::enrol(http, {f.sandbox().baseUrl(), issueCode(f), "kiosk-1"}, key);
    REQUIRE(second.ok());
    auto old = f.api().Get("/v1/catalog", SandboxFixture::auth(*first));
    REQUIRE(old);
    CHECK(old->status == 401);
}

TEST_CASE("enrol: the token file is written 0600 and replaced whole") {
    TempDir d;
    const std::string path = (d.path / "device-token").string();
    REQUIRE(sync::writeTokenFile(path, "first").ok());
    REQUIRE(sync::writeTokenFile(path, "second").ok());
    struct stat st {};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    struct stat dir {};
    REQUIRE(::stat(d.path.c_str(), &dir) == 0);
    CHECK(st.st_uid == dir.st_uid);  // the services read it as the directory's owner
    std::ifstream in(path);
    std::string text;
    std::getline(in, text);
    CHECK(text == "second");
    CHECK_FALSE(std::filesystem::exists(path + ".new"));
    CHECK(sync::writeTokenFile((d.path / "missing" / "t").string(), "x").error().code ==
          Errc::notFound);
}

}  // namespace lapor::sandbox::test

namespace lapor::sandbox::test {

TEST_CASE("enrol: the sandbox's enrolment book is written 0600 through the durable writer") {
    TempDir d;
    const auto file = d.path / "enrolments.json";
    auto book = Enrolments::open(file);
    REQUIRE(book.ok());
    CHECK_FALSE((*book)->issueCode(1'000, 60'000).empty());
    struct stat st {};
    REQUIRE(::stat(file.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);  // token hashes: a secret's mode
    CHECK_FALSE(std::filesystem::exists(file.string() + ".new"));
    auto again = Enrolments::open(file);
    REQUIRE(again.ok());
    CHECK((*again)->anyIssued());
}

}  // namespace lapor::sandbox::test

TEST_CASE("enrol: the device key comes from the service's credential when systemd gave one") {
    auto config =
        lapor::parseConfig("[store]\nkey_file = \"/var/lib/lapor/keys/store.key\"\n", "test");
    REQUIRE(config.ok());
    unsetenv("CREDENTIALS_DIRECTORY");
    CHECK(lapor::sync::deviceKeyPath(*config) == "/var/lib/lapor/keys/device.key");
    char dir[] = "/tmp/lapor-cred-XXXXXX";
    REQUIRE(::mkdtemp(dir) != nullptr);
    setenv("CREDENTIALS_DIRECTORY", dir, 1);
    // A credentials directory without the device key: the configured path still.
    CHECK(lapor::sync::deviceKeyPath(*config) == "/var/lib/lapor/keys/device.key");
    const std::string credential = std::string(dir) + "/lapor-device-key";
    std::ofstream(credential) << "key";
    CHECK(lapor::sync::deviceKeyPath(*config) == credential);
    unsetenv("CREDENTIALS_DIRECTORY");
    std::filesystem::remove_all(dir);
}
