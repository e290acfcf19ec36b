// lapor-sandbox over HTTPS with a self-signed certificate: a client that trusts it gets through,
// a client that verifies without it is refused.
#include "sync/sandbox/tls_cert.hpp"
#include "tests/sync/sandbox_fixture.hpp"

namespace lapor::sandbox::test {

TEST_CASE("tls: the sandbox serves HTTPS, verification passes with its CA and fails without") {
    TempDir certs;
    const auto cert = certs.path / "cert.pem";
    const auto key = certs.path / "key.pem";
    REQUIRE(writeSelfSignedCertificate(cert, key).ok());
    TempDir data;
    SandboxOptions o;
    o.dataDir = data.path;
    o.tlsCert = cert;
    o.tlsKey = key;
    auto s = Sandbox::start(o);
    REQUIRE(s.ok());
    CHECK((*s)->baseUrl().rfind("https://127.0.0.1:", 0) == 0);

    httplib::SSLClient trusting("127.0.0.1", (*s)->port());
    trusting.set_ca_cert_path(cert.c_str());
    trusting.enable_server_certificate_verification(true);
    auto r = trusting.Get("/v1/catalog", SandboxFixture::auth());
    REQUIRE(r);
    CHECK(r->status == 200);
    CHECK(r->get_header_value("Lapor-Protocol") == "1");

    httplib::SSLClient stranger("127.0.0.1", (*s)->port());
    stranger.enable_server_certificate_verification(true);  // the system's CAs only
    auto refused = stranger.Get("/v1/catalog", SandboxFixture::auth());
    CHECK_FALSE(refused);
    CHECK(refused.error() == httplib::Error::SSLServerVerification);
    CHECK((*s)->link().counters().connections >= 2);  // TLS went through the front link too
}

}  // namespace lapor::sandbox::test
