// lapor-sandbox: the reference server of docs/protocol.md as a program, for demos, manual tests
// and the agent's end-to-end tests. Prints its ports on the first line of standard output.
#include <pthread.h>
#include <signal.h>

#include <iostream>
#include <string>
#include <vector>

#include "sync/sandbox/sandbox.hpp"
#include "sync/sandbox/tls_cert.hpp"

namespace {

constexpr const char* kUsage =
    "usage: lapor-sandbox --data-dir DIR [--port N] [--admin-port N] [--bind ADDR]\n"
    "                     [--token T]... [--revoked-token T]... [--time-scale S]\n"
    "                     [--catalog FILE] [--tls-cert FILE --tls-key FILE | --tls-self-signed]\n"
    "                     [--open311-token-mode] [--fsync] [--require-enrolment]\n"
    "Port 0 (the default) picks a free port. --time-scale 86400 makes a sandbox day a second.\n"
    "--tls-self-signed writes DIR/tls/cert.pem and key.pem and serves HTTPS with them.\n";

bool parsePort(const std::string& text, std::uint16_t& port) {
    try {
        const int n = std::stoi(text);
        if (n < 0 || n > 65535) {
            return false;
        }
        port = static_cast<std::uint16_t>(n);
        return true;
    } catch (const std::exception&) {
        return false;
    }
}

}  // namespace

int main(int argc, char** argv) {
    lapor::sandbox::SandboxOptions options;
    bool selfSigned = false;
    std::vector<std::string> args(argv + 1, argv + argc);
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a == "--help") {
            std::cout << kUsage;
            return 0;
        }
        if (a == "--require-enrolment") {
            options.requireEnrolment = true;
            continue;
        }
        if (a == "--open311-token-mode") {
            options.open311TokenMode = true;
            continue;
        }
        if (a == "--fsync") {
            options.fsync = true;
            continue;
        }
        if (a == "--tls-self-signed") {
            selfSigned = true;
            continue;
        }
        if (i + 1 >= args.size()) {
            std::cerr << "missing value for " << a << "\n" << kUsage;
            return 2;
        }
        const std::string& v = args[++i];
        bool ok = true;
        if (a == "--data-dir") {
            options.dataDir = v;
        } else if (a == "--port") {
            ok = parsePort(v, options.port);
        } else if (a == "--admin-port") {
            ok = parsePort(v, options.adminPort);
        } else if (a == "--bind") {
            options.bind = v;
        } else if (a == "--token") {
            options.tokens.push_back(v);
        } else if (a == "--revoked-token") {
            options.revokedTokens.push_back(v);
        } else if (a == "--time-scale") {
            try {
                options.timeScale = std::stod(v);
            } catch (const std::exception&) {
                ok = false;
            }
            ok = ok && options.timeScale > 0;
        } else if (a == "--catalog") {
            options.catalogFile = v;
        } else if (a == "--tls-cert") {
            options.tlsCert = v;
        } else if (a == "--tls-key") {
            options.tlsKey = v;
        } else {
            ok = false;
        }
        if (!ok) {
            std::cerr << "bad option " << a << " " << v << "\n" << kUsage;
            return 2;
        }
    }
    if (options.dataDir.empty()) {
        std::cerr << kUsage;
        return 2;
    }
    if (selfSigned) {
        std::filesystem::create_directories(options.dataDir / "tls");
        options.tlsCert = options.dataDir / "tls" / "cert.pem";
        options.tlsKey = options.dataDir / "tls" / "key.pem";
        if (auto st = lapor::sandbox::writeSelfSignedCertificate(options.tlsCert, options.tlsKey);
            !st) {
            std::cerr << "lapor-sandbox: " << st.error().message << "\n";
            return 1;
        }
    }
    // Block the stop signals before any thread starts, so only sigwait below receives them.
    sigset_t stopSignals;
    sigemptyset(&stopSignals);
    sigaddset(&stopSignals, SIGTERM);
    sigaddset(&stopSignals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stopSignals, nullptr);

    auto sandbox = lapor::sandbox::Sandbox::start(options);
    if (!sandbox) {
        std::cerr << "lapor-sandbox: " << sandbox.error().message << "\n";
        return 1;
    }
    std::cout << "lapor-sandbox listening on " << options.bind << ":" << (*sandbox)->port()
              << " admin " << options.bind << ":" << (*sandbox)->adminPort();
    if (selfSigned) {
        std::cout << " cert " << options.tlsCert.string();
    }
    std::cout << std::endl;
    int sig = 0;
    (void)sigwait(&stopSignals, &sig);
    return 0;
}
