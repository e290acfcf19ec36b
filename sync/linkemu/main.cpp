// lapor-linkemu: the link emulator as a program, for demos and manual tests. Shape from flags,
// faults typed on standard input (one command a line; "help" lists them).
#include <pthread.h>
#include <charconv>

#include <csignal>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "sync/linkemu/link_emulator.hpp"

namespace {

using lapor::linkemu::LinkEmulator;
using lapor::linkemu::LinkShape;

constexpr const char* kUsage =
    "usage: lapor-linkemu --upstream HOST:PORT [--listen HOST:PORT] [--rate-kbit N]\n"
    "                     [--up-kbit N] [--down-kbit N] [--latency-ms N] [--reset-every BYTES]\n"
    "commands on stdin: down [SECONDS] | up | stall [SECONDS] | resume | rate KBIT |\n"
    "                   latency MS | reset BYTES [up|down|any] [COUNT] | stats | quit\n";

bool splitHostPort(const std::string& text, std::string& host, std::uint16_t& port) {
    const auto colon = text.rfind(':');
    if (colon == std::string::npos) {
        return false;
    }
    host = text.substr(0, colon);
    const std::string p = text.substr(colon + 1);
    auto [ptr, ec] = std::from_chars(p.data(), p.data() + p.size(), port);
    return ec == std::errc() && ptr == p.data() + p.size();
}

bool toNumber(const std::string& text, double& out) {
    try {
        std::size_t used = 0;
        out = std::stod(text, &used);
        return used == text.size() && out >= 0;
    } catch (const std::exception&) {
        return false;
    }
}

double kbitToBytes(double kbit) {
    return kbit * 1000.0 / 8.0;
}

std::chrono::milliseconds seconds(double s) {
    return std::chrono::milliseconds(static_cast<std::int64_t>(s * 1000));
}

void printStats(const LinkEmulator& link) {
    const auto c = link.counters();
    std::cout << "bytes_up " << c.bytesUp << " bytes_down " << c.bytesDown << " connections "
              << c.connections << " open " << c.open << " resets " << c.resets << std::endl;
}

// One stdin command; false on a line it does not understand.
bool runCommand(LinkEmulator& link, const std::string& line, bool& quit) {
    std::istringstream in(line);
    std::string cmd;
    in >> cmd;
    std::vector<std::string> args;
    for (std::string a; in >> a;) {
        args.push_back(a);
    }
    double n = 0;
    const bool hasNumber = !args.empty() && toNumber(args[0], n);
    if (cmd == "quit") {
        quit = true;
    } else if (cmd == "down") {
        hasNumber ? link.downFor(seconds(n)) : link.setDown(true);
    } else if (cmd == "up") {
        link.setDown(false);
    } else if (cmd == "stall") {
        hasNumber ? link.stallFor(seconds(n)) : link.setStalled(true);
    } else if (cmd == "resume") {
        link.setStalled(false);
    } else if (cmd == "rate" && hasNumber) {
        auto s = link.shape();
        s.upBytesPerSecond = s.downBytesPerSecond = kbitToBytes(n);
        link.setShape(s);
    } else if (cmd == "latency" && hasNumber) {
        auto s = link.shape();
        s.latency = std::chrono::milliseconds(static_cast<std::int64_t>(n));
        link.setShape(s);
    } else if (cmd == "reset" && hasNumber) {
        auto dir = lapor::linkemu::parseDirection(args.size() > 1 ? args[1] : "any");
        double count = 1;
        if (!dir || (args.size() > 2 && !toNumber(args[2], count))) {
            return false;
        }
        link.armReset(static_cast<std::uint64_t>(n), *dir, static_cast<int>(count));
    } else if (cmd == "stats") {
        printStats(link);
    } else if (!cmd.empty()) {
        return false;
    }
    return true;
}

}  // namespace

int main(int argc, char** argv) {
    std::string listenHost = "127.0.0.1";
    std::uint16_t listenPort = 0;
    std::string upHost;
    std::uint16_t upPort = 0;
    LinkShape shape;
    std::vector<std::string> args(argv + 1, argv + argc);
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        const bool hasValue = i + 1 < args.size();
        double n = 0;
        if (a == "--help") {
            std::cout << kUsage;
            return 0;
        }
        if (!hasValue) {
            std::cerr << kUsage;
            return 2;
        }
        const std::string& v = args[++i];
        bool ok = true;
        if (a == "--listen") {
            ok = splitHostPort(v, listenHost, listenPort);
        } else if (a == "--upstream") {
            ok = splitHostPort(v, upHost, upPort);
        } else if (a == "--rate-kbit" && (ok = toNumber(v, n))) {
            shape.upBytesPerSecond = shape.downBytesPerSecond = kbitToBytes(n);
        } else if (a == "--up-kbit" && (ok = toNumber(v, n))) {
            shape.upBytesPerSecond = kbitToBytes(n);
        } else if (a == "--down-kbit" && (ok = toNumber(v, n))) {
            shape.downBytesPerSecond = kbitToBytes(n);
        } else if (a == "--latency-ms" && (ok = toNumber(v, n))) {
            shape.latency = std::chrono::milliseconds(static_cast<std::int64_t>(n));
        } else if (a == "--reset-every" && (ok = toNumber(v, n))) {
            shape.resetEveryBytes = static_cast<std::uint64_t>(n);
        } else {
            ok = false;
        }
        if (!ok) {
            std::cerr << "bad option " << a << " " << v << "\n" << kUsage;
            return 2;
        }
    }
    if (upHost.empty()) {
        std::cerr << kUsage;
        return 2;
    }
    std::signal(SIGPIPE, SIG_IGN);
    // SIGTERM and SIGINT are taken by sigwait below, in whichever thread: block them everywhere.
    sigset_t stopSignals;
    sigemptyset(&stopSignals);
    sigaddset(&stopSignals, SIGTERM);
    sigaddset(&stopSignals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stopSignals, nullptr);
    auto link = LinkEmulator::start(listenHost, listenPort, upHost, upPort, shape);
    if (!link) {
        std::cerr << "lapor-linkemu: " << link.error().message << "\n";
        return 1;
    }
    std::cout << "lapor-linkemu listening on " << listenHost << ":" << (*link)->port() << std::endl;
    bool quit = false;
    for (std::string line; !quit && std::getline(std::cin, line);) {
        if (!runCommand(**link, line, quit)) {
            std::cout << "? " << kUsage;
        }
    }
    if (!quit) {
        // Standard input closed (run in the background): serve until told to stop.
        int sig = 0;
        (void)sigwait(&stopSignals, &sig);
    }
    printStats(**link);
    return 0;
}
