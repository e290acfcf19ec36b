// The ESC/POS printer over a transport (status by DLE EOT), paper and state names, and openPrinter.
#include "hardware/printer.hpp"

#include <array>

#include "hardware/escpos.hpp"
#include "hardware/printer_transport.hpp"

namespace lapor::hw {

int printableDots(PaperWidth width) noexcept {
    return width == PaperWidth::mm80 ? 576 : 384;
}

int columnsFor(PaperWidth width) noexcept {
    return width == PaperWidth::mm80 ? 48 : 32;
}

Result<PaperWidth> parsePaperWidth(std::string_view text) {
    if (text == "58" || text == "58mm") {
        return PaperWidth::mm58;
    }
    if (text == "80" || text == "80mm") {
        return PaperWidth::mm80;
    }
    return makeError(Errc::invalidInput,
                     "paper width must be 58 or 80 (mm), not '" + std::string(text) + "'");
}

const char* conditionName(PrinterCondition c) noexcept {
    switch (c) {
        case PrinterCondition::ready: return "ready";
        case PrinterCondition::paperOut: return "paper-out";
        case PrinterCondition::coverOpen: return "cover-open";
        case PrinterCondition::offline: return "offline";
        case PrinterCondition::unreachable: return "unreachable";
        case PrinterCondition::unknown: return "unknown";
    }
    return "unknown";
}

const char* PrinterState::staffMessageMsgid() const noexcept {
    switch (condition) {
        case PrinterCondition::ready:
            return paperNearEnd ? "printer.state.paper_near_end" : "printer.state.ready";
        case PrinterCondition::paperOut: return "printer.state.paper_out";
        case PrinterCondition::coverOpen: return "printer.state.cover_open";
        case PrinterCondition::offline: return "printer.state.offline";
        case PrinterCondition::unreachable: return "printer.state.unreachable";
        case PrinterCondition::unknown: return "printer.state.unknown";
    }
    return "printer.state.unknown";
}

Result<PrinterConfig::Kind> parsePrinterKind(std::string_view text) {
    using K = PrinterConfig::Kind;
    if (text == "simulated") {
        return K::simulated;
    }
    if (text == "device") {
        return K::device;
    }
    if (text == "serial") {
        return K::serial;
    }
    if (text == "tcp") {
        return K::tcp;
    }
    return makeError(
        Errc::invalidInput,
        "printer kind must be simulated, device, serial or tcp, not '" + std::string(text) + "'");
}

Result<PrinterConfig> printerConfigFrom(const Config& config,
                                        std::filesystem::path defaultSimulatedDir) {
    PrinterConfig pc;
    Result<std::string> kind = config.getString("printer.kind", "simulated");
    if (!kind) {
        return kind.error();
    }
    Result<PrinterConfig::Kind> k = parsePrinterKind(*kind);
    if (!k) {
        return k.error();
    }
    pc.kind = *k;
    // The paper width may be written as 58 or as "58mm".
    Result<std::string> paperText = config.getString("printer.paper", "58");
    std::string paper = paperText ? *paperText : std::string();
    if (!paperText) {
        Result<std::int64_t> paperInt = config.getInt("printer.paper", 58);
        if (!paperInt) {
            return paperInt.error();
        }
        paper = std::to_string(*paperInt);
    }
    Result<PaperWidth> width = parsePaperWidth(paper);
    if (!width) {
        return width.error();
    }
    pc.paper = *width;
    Result<std::string> path = config.getString("printer.path", "");
    Result<std::string> host = config.getString("printer.host", "");
    Result<std::int64_t> port = config.getInt("printer.port", pc.port);
    Result<std::int64_t> baud = config.getInt("printer.baud", pc.baud);
    Result<std::int64_t> timeout = config.getInt("printer.timeout_ms", pc.timeoutMs);
    Result<bool> status = config.getBool("printer.status_queries", pc.statusQueries);
    Result<std::string> simDir = config.getString("printer.simulated_dir", "");
    for (const Error* e : {path ? nullptr : &path.error(), host ? nullptr : &host.error(),
                           port ? nullptr : &port.error(), baud ? nullptr : &baud.error(),
                           timeout ? nullptr : &timeout.error(), status ? nullptr : &status.error(),
                           simDir ? nullptr : &simDir.error()}) {
        if (e != nullptr) {
            return *e;
        }
    }
    if (*port <= 0 || *port > 65535 || *baud <= 0 || *timeout <= 0 || *timeout > 600'000) {
        return makeError(Errc::invalidInput,
                         "printer.port, printer.baud or printer.timeout_ms out of range");
    }
    pc.path = *path;
    pc.host = *host;
    pc.port = static_cast<int>(*port);
    pc.baud = static_cast<int>(*baud);
    pc.timeoutMs = static_cast<int>(*timeout);
    pc.statusQueries = *status;
    pc.simulatedDir =
        simDir->empty() ? std::move(defaultSimulatedDir) : std::filesystem::path(*simDir);
    return pc;
}

namespace {

class EscPosPrinter final : public Printer {
  public:
    EscPosPrinter(std::unique_ptr<PrinterTransport> transport, PaperWidth paper, int timeoutMs,
                  bool statusQueries)
        : transport_(std::move(transport)),
          paper_(paper),
          timeoutMs_(timeoutMs),
          statusQueries_(statusQueries) {}
    ~EscPosPrinter() override { transport_->close(); }

    std::string describe() const override { return transport_->describe(); }
    bool simulated() const override { return transport_->simulated(); }
    PaperWidth paperWidth() const override { return paper_; }

    PrinterState queryState() override {
        if (Status s = transport_->open(timeoutMs_); !s) {
            return unreachable(s.error());
        }
        PrinterState st = queryOpen();
        transport_->close();
        return st;
    }

    Status print(std::span<const std::uint8_t> escpos) override {
        if (Status s = transport_->open(timeoutMs_); !s) {
            return s;
        }
        const PrinterState st = queryOpen();
        if (!st.canPrint()) {
            transport_->close();
            return makeError(Errc::unavailable, describe() + ": " + st.detail);
        }
        // Big jobs on slow serial lines need longer than one status answer: allow for the line
        // speed of the slowest port we support (9600 baud ~ 1 byte per ms).
        const int writeTimeout = timeoutMs_ + static_cast<int>(escpos.size());
        Status s = transport_->write(escpos, writeTimeout);
        if (s) {
            s = transport_->flush(writeTimeout);
        }
        transport_->close();
        return s;
    }

  private:
    static PrinterState unreachable(const Error& e) {
        PrinterState st;
        st.condition = PrinterCondition::unreachable;
        st.detail = e.message;
        return st;
    }

    // Asks DLE EOT 1, 2 and 4 on the open transport.
    PrinterState queryOpen() {
        PrinterState unknown;
        unknown.condition = PrinterCondition::unknown;
        if (!statusQueries_) {
            unknown.detail = describe() + ": connected; status queries are off";
            return unknown;
        }
        // Drop anything stale (automatic status bytes, late answers) before asking.
        std::array<std::uint8_t, 64> junk{};
        for (int i = 0; i < 16; ++i) {
            Result<std::size_t> n = transport_->read(junk, 0);
            if (!n || *n == 0) {
                break;
            }
        }
        escpos::StatusBytes bytes;
        std::uint8_t* slots[] = {&bytes.printer, &bytes.offlineCause, &bytes.paper};
        const int queries[] = {1, 2, 4};
        for (int i = 0; i < 3; ++i) {
            escpos::Writer w;
            w.statusQuery(queries[i]);
            if (Status s = transport_->write(w.bytes(), timeoutMs_); !s) {
                return unreachable(s.error());
            }
            Result<std::uint8_t> answer = readStatusByte();
            if (!answer) {
                if (i == 0) {
                    unknown.detail = describe() + ": " + answer.error().message;
                    return unknown;
                }
                return unreachable(answer.error());
            }
            *slots[i] = *answer;
        }
        return escpos::stateFromStatus(bytes);
    }

    Result<std::uint8_t> readStatusByte() {
        std::array<std::uint8_t, 1> b{};
        for (;;) {
            Result<std::size_t> n = transport_->read(b, timeoutMs_);
            if (!n) {
                return n.error();
            }
            if (*n == 0) {
                return makeError(Errc::timeout, "no answer to the status query");
            }
            if (escpos::isStatusByte(b[0])) {
                return b[0];
            }
        }
    }

    std::unique_ptr<PrinterTransport> transport_;
    PaperWidth paper_;
    int timeoutMs_;
    bool statusQueries_;
};

}  // namespace

std::unique_ptr<Printer> makeEscPosPrinter(std::unique_ptr<PrinterTransport> t, PaperWidth paper,
                                           int timeoutMs, bool statusQueries) {
    return std::make_unique<EscPosPrinter>(std::move(t), paper, timeoutMs, statusQueries);
}

Result<std::unique_ptr<Printer>> openPrinter(const PrinterConfig& config) {
    std::unique_ptr<PrinterTransport> t;
    using K = PrinterConfig::Kind;
    switch (config.kind) {
        case K::simulated:
            if (config.simulatedDir.empty()) {
                return makeError(Errc::invalidInput, "simulated printer needs an output directory");
            }
            t = makeSimulatedTransport(config.simulatedDir, config.paper);
            break;
        case K::device:
            if (config.path.empty()) {
                return makeError(Errc::invalidInput, "device printer needs a path (/dev/usb/lp0)");
            }
            t = makeDeviceFileTransport(config.path);
            break;
        case K::serial:
            if (config.path.empty()) {
                return makeError(Errc::invalidInput, "serial printer needs a port (/dev/ttyUSB0)");
            }
            t = makeSerialTransport(config.path, config.baud);
            break;
        case K::tcp:
            if (config.host.empty() || config.port <= 0 || config.port > 65535) {
                return makeError(Errc::invalidInput, "network printer needs a host and a port");
            }
            t = makeTcpTransport(config.host, config.port);
            break;
    }
    if (config.timeoutMs <= 0) {
        return makeError(Errc::invalidInput, "printer timeout must be positive");
    }
    return makeEscPosPrinter(std::move(t), config.paper, config.timeoutMs, config.statusQueries);
}

}  // namespace lapor::hw
