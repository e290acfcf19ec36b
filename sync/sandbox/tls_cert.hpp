// A self-signed certificate for 127.0.0.1/localhost, so tests can run the sandbox over HTTPS and
// check that the agent verifies certificates (trusting this one through its CA file, and refusing
// a server whose certificate it was not given).
#pragma once

#include <filesystem>
#include <string>

#include "core/result.hpp"

namespace lapor::sandbox {

// Writes a PEM certificate (valid for a day, CN and subjectAltName 127.0.0.1 and localhost, usable
// as its own CA) and its PEM private key (EC P-256).
[[nodiscard]] Status writeSelfSignedCertificate(const std::filesystem::path& certPath,
                                                const std::filesystem::path& keyPath,
                                                const std::string& commonName = "127.0.0.1");

}  // namespace lapor::sandbox
