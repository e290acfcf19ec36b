// Self-signed certificates over OpenSSL 3's EVP and X509 APIs.
#include "sync/sandbox/tls_cert.hpp"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <memory>

namespace lapor::sandbox {

namespace {

struct FileCloser {
    void operator()(std::FILE* f) const { (void)std::fclose(f); }
};
using File = std::unique_ptr<std::FILE, FileCloser>;
using Key = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using Cert = std::unique_ptr<X509, decltype(&X509_free)>;

bool addExtension(X509* cert, int nid, const char* value) {
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
    if (ext == nullptr) {
        return false;
    }
    const bool ok = X509_add_ext(cert, ext, -1) == 1;
    X509_EXTENSION_free(ext);
    return ok;
}

}  // namespace

Status writeSelfSignedCertificate(const std::filesystem::path& certPath,
                                  const std::filesystem::path& keyPath,
                                  const std::string& commonName) {
    Key key(EVP_EC_gen("P-256"), EVP_PKEY_free);
    Cert cert(X509_new(), X509_free);
    if (!key || !cert) {
        return makeError(Errc::internal, "OpenSSL could not make a key or certificate");
    }
    X509_set_version(cert.get(), 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), 86400);
    X509_set_pubkey(cert.get(), key.get());
    X509_NAME* name = X509_get_subject_name(cert.get());
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>(commonName.c_str()), -1, -1,
                               0);
    X509_set_issuer_name(cert.get(), name);
    const bool extensionsOk =
        addExtension(cert.get(), NID_subject_alt_name, "IP:127.0.0.1,DNS:localhost") &&
        addExtension(cert.get(), NID_basic_constraints, "critical,CA:TRUE") &&
        addExtension(cert.get(), NID_key_usage, "critical,digitalSignature,keyCertSign");
    if (!extensionsOk || X509_sign(cert.get(), key.get(), EVP_sha256()) == 0) {
        return makeError(Errc::internal, "OpenSSL could not sign the certificate");
    }
    File certFile(std::fopen(certPath.c_str(), "w"));
    File keyFile(std::fopen(keyPath.c_str(), "w"));
    if (!certFile || !keyFile) {
        return makeError(Errc::ioError, "cannot write the certificate or key file");
    }
    if (PEM_write_X509(certFile.get(), cert.get()) != 1 ||
        PEM_write_PrivateKey(keyFile.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) !=
            1) {
        return makeError(Errc::ioError, "cannot write PEM");
    }
    return {};
}

}  // namespace lapor::sandbox
