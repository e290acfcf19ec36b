// The simulated printer: answers DLE EOT from a control file and writes each job as .bin and .png.
#include <cstdio>
#include <deque>
#include <string>
#include <system_error>

#include "core/durable_file.hpp"
#include "core/log.hpp"
#include "hardware/escpos_render.hpp"
#include "hardware/printer_transport.hpp"

namespace lapor::hw {

namespace {

struct SimCondition {
    PrinterCondition condition = PrinterCondition::ready;
    bool nearEnd = false;
    bool unplugged = false;
};

Result<SimCondition> parseSimCondition(std::string_view text) {
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ' || text.back() == '\r')) {
        text.remove_suffix(1);
    }
    SimCondition c;
    if (text.empty() || text == "ready") {
        return c;
    }
    if (text == "near-end") {
        c.nearEnd = true;
    } else if (text == "paper-out") {
        c.condition = PrinterCondition::paperOut;
    } else if (text == "cover-open") {
        c.condition = PrinterCondition::coverOpen;
    } else if (text == "offline") {
        c.condition = PrinterCondition::offline;
    } else if (text == "unplugged") {
        c.unplugged = true;
    } else {
        return makeError(Errc::invalidInput,
                         "simulated printer condition must be ready, near-end, paper-out, "
                         "cover-open, offline or unplugged, not '" +
                             std::string(text) + "'");
    }
    return c;
}

class SimulatedTransport final : public PrinterTransport {
  public:
    SimulatedTransport(std::filesystem::path dir, PaperWidth paper)
        : dir_(std::move(dir)), paper_(paper) {}

    Status open(int /*timeoutMs*/) override {
        std::error_code ec;
        std::filesystem::create_directories(dir_, ec);
        if (ec) {
            return makeError(Errc::ioError,
                             "simulated printer directory " + dir_.string() + ": " + ec.message());
        }
        cond_ = SimCondition{};
        Result<std::vector<std::uint8_t>> control = readWholeFile(dir_ / "simulate");
        if (control) {
            Result<SimCondition> c = parseSimCondition(
                std::string_view(reinterpret_cast<const char*>(control->data()), control->size()));
            if (!c) {
                return c.error();
            }
            cond_ = *c;
        }
        if (cond_.unplugged) {
            return makeError(Errc::unavailable, describe() + ": unplugged (simulated)");
        }
        open_ = true;
        return {};
    }
    void close() override {
        open_ = false;
        replies_.clear();
    }
    Status write(std::span<const std::uint8_t> bytes, int /*timeoutMs*/) override {
        if (!open_) {
            return makeError(Errc::internal, describe() + ": not open");
        }
        // The printer side knows where each write starts: a lone DLE EOT n is a status query.
        if (bytes.size() == 3 && bytes[0] == escpos::DLE && bytes[1] == escpos::EOT) {
            replies_.push_back(escpos::statusReply(bytes[2], cond_.condition, cond_.nearEnd));
            return {};
        }
        if (cond_.condition != PrinterCondition::ready) {
            return makeError(Errc::unavailable,
                             describe() + ": cannot print: " + conditionName(cond_.condition));
        }
        return storeJob(bytes);
    }
    Result<std::size_t> read(std::span<std::uint8_t> buffer, int /*timeoutMs*/) override {
        std::size_t n = 0;
        while (n < buffer.size() && !replies_.empty()) {
            buffer[n++] = replies_.front();
            replies_.pop_front();
        }
        return n;
    }
    std::string describe() const override { return "simulated printer in " + dir_.string(); }
    bool simulated() const override { return true; }

  private:
    // slip-NNNN.bin with the bytes as received, slip-NNNN.png with what they print.
    Status storeJob(std::span<const std::uint8_t> bytes) {
        Result<Bitmap> image = renderEscPos(bytes, paper_);
        if (!image) {
            return makeError(Errc::protocol,
                             "simulated printer cannot print the job: " + image.error().message);
        }
        const int n = nextJobNumber();
        char stem[32];
        std::snprintf(stem, sizeof stem, "slip-%04d", n);
        if (Status s = writeFileDurably(dir_ / (std::string(stem) + ".bin"), bytes); !s) {
            return s;
        }
        if (Status s = writePng(*image, dir_ / (std::string(stem) + ".png")); !s) {
            return s;
        }
        log::info("printer", std::string("simulated printer printed ") + stem);
        return {};
    }
    int nextJobNumber() const {
        int highest = 0;
        std::error_code ec;
        for (const auto& e : std::filesystem::directory_iterator(dir_, ec)) {
            const std::string name = e.path().filename().string();
            int n = 0;
            if (std::sscanf(name.c_str(), "slip-%d.bin", &n) == 1 && n > highest) {
                highest = n;
            }
        }
        return highest + 1;
    }

    std::filesystem::path dir_;
    PaperWidth paper_;
    SimCondition cond_;
    bool open_ = false;
    std::deque<std::uint8_t> replies_;
};

}  // namespace

std::unique_ptr<PrinterTransport> makeSimulatedTransport(std::filesystem::path dir,
                                                         PaperWidth paper) {
    return std::make_unique<SimulatedTransport>(std::move(dir), paper);
}

Status setSimulatedCondition(const std::filesystem::path& dir, std::string_view condition) {
    if (Result<SimCondition> c = parseSimCondition(condition); !c) {
        return c.error();
    }
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) {
        return makeError(Errc::ioError, "cannot create " + dir.string() + ": " + ec.message());
    }
    const std::string text = std::string(condition) + "\n";
    return writeFileDurably(
        dir / "simulate",
        std::span(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
}

}  // namespace lapor::hw
