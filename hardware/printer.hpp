// Receipt printer: what a slip says, the printer's state, the printer interface and the print
// queue.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "core/config.hpp"
#include "core/result.hpp"

namespace lapor::hw {

// Thermal paper widths the kiosk supports; the printable width in dots at 203 dpi.
enum class PaperWidth : std::uint8_t { mm58, mm80 };
[[nodiscard]] int printableDots(PaperWidth width) noexcept;  // 384 or 576
[[nodiscard]] int columnsFor(PaperWidth width) noexcept;     // 32 or 48 characters of font A
[[nodiscard]] Result<PaperWidth> parsePaperWidth(std::string_view text);  // "58" / "80" / "58mm"

// The translated labels of a slip, in the visitor's language. The kiosk fills them from the
// catalog (po/hardware.<lang>.po) with the msgids below; nothing visitor-facing is in code.
struct SlipLabels {
    std::string heading;     // slip.heading        "TANDA TERIMA LAPORAN"
    std::string codeLabel;   // slip.code_label     "Kode tanda terima"
    std::string timeLabel;   // slip.time_label     "Waktu"
    std::string kindLabel;   // slip.kind_label     "Jenis"
    std::string titleLabel;  // slip.title_label    "Judul"
    std::string howToCheck;  // slip.how_to_check   may hold "{code}"; '\n' separates paragraphs
    std::string footer;      // slip.footer         a closing line ("Terima kasih")
};
// The msgids, in the field order above.
inline constexpr const char* kSlipLabelMsgids[] = {
    "slip.heading",     "slip.code_label",   "slip.time_label", "slip.kind_label",
    "slip.title_label", "slip.how_to_check", "slip.footer"};
// Fills SlipLabels from any translate function (msgid -> text), e.g. the catalog's lookup.
[[nodiscard]] SlipLabels slipLabelsFrom(const std::function<std::string(std::string_view)>& tr);

// Everything printed on one receipt slip. Plain data: no dependency on the kiosk.
struct SlipContent {
    std::string office;       // office name, first line
    std::string receiptCode;  // printed large; also what the QR encodes by default
    // What the QR code encodes. Empty: the receipt code itself (see docs/printer.md for why the
    // default is the bare code). An office with its own status page sets a URL containing it.
    std::string qrPayload;
    std::string kindName;           // translated report kind, e.g. "Pengaduan"
    std::string title;              // shortened to fit by the slip builder
    std::int64_t filedAtMs = 0;     // Unix ms, UTC
    int utcOffsetMinutes = 7 * 60;  // the office's zone: WIB +7, WITA +8, WIT +9
    std::string zoneName = "WIB";   // printed after the time
    SlipLabels labels;
};

// What the printer can do right now, from its real-time status where the transport reads back.
enum class PrinterCondition : std::uint8_t {
    ready,        // prints
    paperOut,     // staff: load a new paper roll
    coverOpen,    // staff: close the printer's cover
    offline,      // the printer reports an error or is offline (cutter jam, overheating)
    unreachable,  // no device, no connection, or no answer in time
    unknown,      // the transport cannot read status (a plain device file); prints are attempted
};
[[nodiscard]] const char* conditionName(PrinterCondition c) noexcept;  // "paper-out", ...

struct PrinterState {
    PrinterCondition condition = PrinterCondition::unknown;
    bool paperNearEnd = false;  // still prints; staff should change the roll soon
    std::string detail;         // for operators and logs (English, no personal data)
    [[nodiscard]] bool canPrint() const noexcept {
        return condition == PrinterCondition::ready || condition == PrinterCondition::unknown;
    }
    // The catalog msgid of a staff-facing message for this state, e.g. "printer.state.paper_out"
    // (po/hardware.<lang>.po).
    [[nodiscard]] const char* staffMessageMsgid() const noexcept;
};

// One receipt printer. Calls block (up to the configured timeout): call them from a worker thread,
// never from the UI thread; PrintQueue does that for the kiosk.
class Printer {
  public:
    virtual ~Printer() = default;
    // For operators: "TCP 192.168.1.50:9100", "serial /dev/ttyUSB0 @19200", "simulated (...)".
    [[nodiscard]] virtual std::string describe() const = 0;
    [[nodiscard]] virtual bool simulated() const = 0;
    [[nodiscard]] virtual PaperWidth paperWidth() const = 0;
    // Asks the printer for its real-time status (DLE EOT) where the transport reads back.
    [[nodiscard]] virtual PrinterState queryState() = 0;
    // Sends one whole slip (an ESC/POS byte stream). Fails without partial retries.
    [[nodiscard]] virtual Status print(std::span<const std::uint8_t> escpos) = 0;
};

// How to reach the printer; filled from the kiosk's config.
struct PrinterConfig {
    enum class Kind : std::uint8_t { simulated, device, serial, tcp };
    Kind kind = Kind::simulated;
    std::string path;  // device: /dev/usb/lp0; serial: /dev/ttyUSB0
    std::string host;  // tcp
    int port = 9100;   // tcp
    int baud = 19200;  // serial
    PaperWidth paper = PaperWidth::mm58;
    int timeoutMs = 3000;                // per connect, write and status answer
    bool statusQueries = true;           // send DLE EOT (turn off for printers that choke on it)
    std::filesystem::path simulatedDir;  // simulated: where slip-<n>.bin and slip-<n>.png go
};
[[nodiscard]] Result<PrinterConfig::Kind> parsePrinterKind(std::string_view text);
// Reads the [printer] section of the appliance config (docs/printer.md lists the keys):
// kind, path, host, port, baud, paper, timeout_ms, status_queries, simulated_dir. Absent keys keep
// their defaults; `defaultSimulatedDir` is used when simulated_dir is not set.
[[nodiscard]] Result<PrinterConfig> printerConfigFrom(const Config& config,
                                                      std::filesystem::path defaultSimulatedDir);
// Opens the configured printer. A real printer that is not there yet is not an error here: it is
// reported as unreachable by queryState() and printing resumes when it appears.
[[nodiscard]] Result<std::unique_ptr<Printer>> openPrinter(const PrinterConfig& config);

// Builds the ESC/POS bytes of a slip for the given paper (hardware/receipt_slip.cpp).
[[nodiscard]] Result<std::vector<std::uint8_t>> renderSlip(const SlipContent& slip,
                                                           PaperWidth paper);

struct StatusSlipContent;  // hardware/status_slip.hpp

// What the UI shows about printing. Cheap to read from any thread.
struct PrintQueueStatus {
    PrinterState printer;
    std::size_t pending = 0;  // slips stored and not yet printed
    std::string printerDescription;
    bool simulated = false;
};

// The kiosk's print service. A slip is rendered and stored durably in the spool directory
// (name.new, fsync, rename) before submit() returns, then printed by a worker thread; a slip that
// cannot print stays in the spool, survives restarts, and prints when the printer is back.
//
// Each slip prints at most once: before its bytes go to the printer it is renamed
// <name>.printing (and the directory synced), and removed once printed. A slip found .printing
// at open was interrupted (the kiosk died while or just after printing): whether paper came out
// is unknown, so it is never printed again by itself but kept as <name>.unconfirmed and reported
// (unconfirmedKeys); a reprint is staff's decision (lapor-ctl reprint).
class PrintQueue {
  public:
    struct Options {
        std::int64_t retryMs = 3000;      // how often the worker retries while slips are waiting
        std::int64_t idlePollMs = 15000;  // how often it refreshes the printer state when idle
        // Called at each durable step of a print ("printing": marked, bytes not yet sent;
        // "printed": sent, mark not yet cleared). Tests kill the process there.
        std::function<void(std::string_view step)> onStep;
    };
    // Creates the spool directory if needed and picks up slips left by an earlier run.
    [[nodiscard]] static Result<std::unique_ptr<PrintQueue>> open(std::filesystem::path spoolDir,
                                                                  std::unique_ptr<Printer> printer,
                                                                  Options options);
    [[nodiscard]] static Result<std::unique_ptr<PrintQueue>> open(std::filesystem::path spoolDir,
                                                                  std::unique_ptr<Printer> printer);
    ~PrintQueue();
    PrintQueue(const PrintQueue&) = delete;
    PrintQueue& operator=(const PrintQueue&) = delete;

    // Renders the slip for the printer's paper and stores it; the worker prints it. Fails only if
    // it could not be stored (then nothing was promised).
    [[nodiscard]] Status submit(const SlipContent& slip);
    // The same for the slip of one report, `key` its UUID (letters, digits, '-'), which names the
    // spool file so that holds() can tell it is there. `stored` runs after the slip is durable
    // and before the worker may print it (the kiosk records in its store that the slip is
    // spooled, so a crash in between can neither lose nor repeat it); its failure is returned,
    // and the slip stays spooled.
    [[nodiscard]] Status submit(const SlipContent& slip, std::string_view key,
                                const std::function<Status()>& stored);
    // True when a slip with this key is spooled, printing, or unconfirmed.
    [[nodiscard]] bool holds(std::string_view key) const;
    // Keys of slips interrupted while printing (see above), oldest first.
    [[nodiscard]] std::vector<std::string> unconfirmedKeys() const;
    // Removes the unconfirmed slip of `key` once its fate is recorded elsewhere.
    void forgetUnconfirmed(std::string_view key);
    // Renders a status slip (hardware/status_slip.hpp) for the printer's paper and stores it. Not
    // keyed: a visitor may print the status of a report as often as they ask.
    [[nodiscard]] Status submit(const StatusSlipContent& slip);
    // Stores ready-made ESC/POS bytes (test slips from lapor-hwtest).
    [[nodiscard]] Status submitBytes(std::span<const std::uint8_t> escpos);

    [[nodiscard]] PrintQueueStatus status() const;
    // Called on the worker thread after the status changed; the UI must only queue work in it.
    void setOnChange(std::function<void()> callback);

    // Starts / stops the worker thread (stop is also done by the destructor).
    void start();
    void stop();
    // Wakes the worker now (e.g. staff pressed "retry printing").
    void retryNow();
    // One synchronous round without the worker: refresh the state, print what waits while the
    // printer takes it. Returns how many slips printed. For tests and lapor-hwtest.
    [[nodiscard]] std::size_t pumpOnce();

  private:
    struct Impl;
    explicit PrintQueue(std::unique_ptr<Impl> impl);
    [[nodiscard]] Status spool(std::span<const std::uint8_t> escpos, std::string_view key,
                               const std::function<Status()>& stored);
    std::unique_ptr<Impl> impl_;
};

}  // namespace lapor::hw
