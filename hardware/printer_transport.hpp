// How ESC/POS bytes reach a printer (device file, serial port, TCP 9100, simulated), and the
// printer that speaks ESC/POS over any of them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>

#include "core/result.hpp"
#include "hardware/printer.hpp"

namespace lapor::hw {

// A byte pipe to a printer. Opened per job and per status query and closed after, so a printer
// that was switched off or unplugged in between is simply opened again.
class PrinterTransport {
  public:
    virtual ~PrinterTransport() = default;
    // Errc::unavailable when the printer is not there, Errc::permission when the kiosk's user may
    // not open it, Errc::timeout when it does not answer in time.
    [[nodiscard]] virtual Status open(int timeoutMs) = 0;
    virtual void close() = 0;
    [[nodiscard]] virtual Status write(std::span<const std::uint8_t> bytes, int timeoutMs) = 0;
    // Waits until everything written has left for the printer, so close() cannot cut it short.
    [[nodiscard]] virtual Status flush(int /*timeoutMs*/) { return {}; }
    // Reads what the printer sent; 0 bytes when nothing came within the timeout or the transport
    // cannot read back.
    [[nodiscard]] virtual Result<std::size_t> read(std::span<std::uint8_t> buffer,
                                                   int timeoutMs) = 0;
    [[nodiscard]] virtual std::string describe() const = 0;
    [[nodiscard]] virtual bool simulated() const { return false; }
};

// A printer device node such as /dev/usb/lp0 (usblp); also works on a plain file.
[[nodiscard]] std::unique_ptr<PrinterTransport> makeDeviceFileTransport(std::filesystem::path path);
// A serial port at `baud`, 8N1, raw, no flow control.
[[nodiscard]] std::unique_ptr<PrinterTransport> makeSerialTransport(std::filesystem::path path,
                                                                    int baud);
// A network printer's raw port (usually 9100).
[[nodiscard]] std::unique_ptr<PrinterTransport> makeTcpTransport(std::string host, int port);

// The simulated printer's end of the pipe: answers DLE EOT like a real printer, and writes each
// job to <dir>/slip-NNNN.bin plus its rendering <dir>/slip-NNNN.png. Its condition comes from the
// file <dir>/simulate, so tests, demos and technicians can change it while it runs:
// "ready" (or no file), "near-end", "paper-out", "cover-open", "offline", "unplugged".
[[nodiscard]] std::unique_ptr<PrinterTransport> makeSimulatedTransport(std::filesystem::path dir,
                                                                       PaperWidth paper);
// Sets the simulated printer's condition (writes <dir>/simulate).
[[nodiscard]] Status setSimulatedCondition(const std::filesystem::path& dir,
                                           std::string_view condition);

// A Printer speaking ESC/POS over a transport, asking DLE EOT status when `statusQueries`.
[[nodiscard]] std::unique_ptr<Printer> makeEscPosPrinter(std::unique_ptr<PrinterTransport> t,
                                                         PaperWidth paper, int timeoutMs,
                                                         bool statusQueries);

}  // namespace lapor::hw
