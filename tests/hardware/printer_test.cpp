// Receipt printer: ESC/POS bytes, the slip read back by zbarimg, every transport, status and spool.
#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <map>

#include "core/durable_file.hpp"
#include "core/i18n.hpp"
#include "hardware/escpos.hpp"
#include "hardware/escpos_render.hpp"
#include "hardware/printer.hpp"
#include "hardware/printer_transport.hpp"
#include "hardware/qr.hpp"
#include "hardware/receipt_slip.hpp"
#include "hardware/status_slip.hpp"
#include "printer_test_support.hpp"

using namespace lapor;
using namespace lapor::hw;
using lapor::hw::test::FakePrinterPeer;
using lapor::hw::test::TempDir;
using lapor::hw::test::zbarRead;

namespace {

SlipContent sampleSlip(std::string code = "LPR-7K3M-Q9") {
    SlipContent s;
    s.office = "Kantor Kecamatan Sukamaju, Kabupaten Bandung Barat";
    s.receiptCode = std::move(code);
    s.kindName = "Pengaduan";
    s.title =
        "Jalan rusak di depan SDN 3 – lubang besar berbahaya bagi pengendara motor pada "
        "malam hari";
    s.filedAtMs = 1'767'225'600'000;  // 2026-01-01T00:00Z, 07:00 WIB
    s.labels.heading = "TANDA TERIMA LAPORAN";
    s.labels.codeLabel = "Kode tanda terima";
    s.labels.timeLabel = "Waktu";
    s.labels.kindLabel = "Jenis";
    s.labels.titleLabel = "Judul";
    s.labels.howToCheck = "Cek status di kios ini dengan kode {code}.\nAtau tanya petugas.";
    s.labels.footer = "Terima kasih";
    return s;
}

std::string bytesToString(const std::vector<std::uint8_t>& v) {
    return {v.begin(), v.end()};
}

bool contains(const std::vector<std::uint8_t>& hay, std::string_view needle) {
    return bytesToString(hay).find(needle) != std::string::npos;
}

}  // namespace

TEST_CASE("printer text folds to ASCII and drops control bytes") {
    CHECK(toPrinterText("Jl. Merdeka No. 5") == "Jl. Merdeka No. 5");
    CHECK(toPrinterText("caf\xC3\xA9 \xE2\x80\x9CKantor\xE2\x80\x9D \xE2\x80\x94 ok") ==
          "cafe \"Kantor\" - ok");
    // An ESC @ in visitor text must not reach the printer as a command.
    CHECK(toPrinterText("a\x1B@b\x1D!c") == "a@b!c");
    CHECK(toPrinterText("line\nnext\ttab") == "line next tab");
    CHECK(toPrinterText("\xFF\xC3") == "??");
    CHECK(toPrinterText("\xE4\xB8\xAD") == "?");        // CJK
    CHECK(toPrinterText("\xC5\x81\xC3\x9F") == "Lss");  // Ł ß
    CHECK(toPrinterText("e\xCC\x81") == "e");           // combining accent vanishes
}

TEST_CASE("slip text wraps and shortens to the paper's columns") {
    const auto lines = wrapText("satu dua tiga empat lima enam", 10);
    REQUIRE(lines.size() == 3);
    CHECK(lines[0] == "satu dua");
    CHECK(lines[1] == "tiga empat");
    CHECK(lines[2] == "lima enam");
    CHECK(wrapText("https://example.org/status/ABC", 10).size() == 3);  // hard split
    const auto short2 = shortenToLines("satu dua tiga empat lima enam tujuh", 10, 2);
    REQUIRE(short2.size() == 2);
    CHECK(short2[1].size() <= 10);
    CHECK(short2[1].ends_with("..."));
    CHECK(formatSlipTime(1'767'225'600'000, 7 * 60, "WIB") == "01/01/2026 07:00 WIB");
    CHECK(formatSlipTime(1'767'225'600'000, 9 * 60, "WIT") == "01/01/2026 09:00 WIT");
}

TEST_CASE("status bytes map to printer conditions and back") {
    for (PrinterCondition c : {PrinterCondition::ready, PrinterCondition::paperOut,
                               PrinterCondition::coverOpen, PrinterCondition::offline}) {
        for (bool nearEnd : {false, true}) {
            escpos::StatusBytes b{escpos::statusReply(1, c, nearEnd),
                                  escpos::statusReply(2, c, nearEnd),
                                  escpos::statusReply(4, c, nearEnd)};
            CHECK(escpos::isStatusByte(b.printer));
            CHECK(escpos::isStatusByte(b.offlineCause));
            CHECK(escpos::isStatusByte(b.paper));
            const PrinterState st = escpos::stateFromStatus(b);
            CHECK(st.condition == c);
            if (c == PrinterCondition::ready) {
                CHECK(st.paperNearEnd == nearEnd);
            }
            CHECK_FALSE(st.detail.empty());
        }
    }
    CHECK_FALSE(escpos::isStatusByte(0x00));
    CHECK_FALSE(escpos::isStatusByte(0xFF));
    PrinterState st;
    st.condition = PrinterCondition::paperOut;
    CHECK(std::string(st.staffMessageMsgid()) == "printer.state.paper_out");
    CHECK_FALSE(st.canPrint());
}

TEST_CASE("raster images are sent as GS v 0 bands, MSB leftmost") {
    Bitmap img;
    img.width = 10;
    img.height = 2;
    img.pixels.assign(20, 0);
    img.pixels[0] = 1;       // (0,0)
    img.pixels[9] = 1;       // (9,0)
    img.pixels[10 + 1] = 1;  // (1,1)
    escpos::Writer w;
    w.raster(img);
    const std::vector<std::uint8_t> expect = {0x1D, 'v', '0',  0,    2,    0,
                                              2,    0,   0x80, 0x40, 0x40, 0x00};
    CHECK(w.bytes() == expect);
}

TEST_CASE("a slip's QR code reads back with zbarimg on both paper widths") {
    TempDir tmp;
    for (PaperWidth paper : {PaperWidth::mm58, PaperWidth::mm80}) {
        for (std::string payload :
             {std::string(), std::string("https://lapor.example.id/s/LPR-7K3M-Q9")}) {
            SlipContent slip = sampleSlip();
            slip.qrPayload = payload;
            Result<std::vector<std::uint8_t>> bytes = renderSlip(slip, paper);
            REQUIRE(bytes.ok());
            CHECK(bytes->front() == escpos::ESC);
            CHECK(contains(*bytes, "LPR-7K3M-Q9"));
            CHECK(contains(*bytes, "01/01/2026 07:00 WIB"));
            CHECK(contains(*bytes, "kode LPR-7K3M-Q9."));
            CHECK_FALSE(contains(*bytes, "{code}"));
            Result<Bitmap> image = renderEscPos(*bytes, paper);
            REQUIRE(image.ok());
            CHECK(image->width == printableDots(paper));
            CHECK(image->height > 400);
            const auto png = tmp.path / "slip.png";
            REQUIRE(writePng(*image, png).ok());
            CHECK(zbarRead(png) == (payload.empty() ? slip.receiptCode : payload));
        }
    }
}

TEST_CASE(
    "slip rendering refuses a slip without a code and the renderer refuses unknown commands") {
    CHECK_FALSE(renderSlip(sampleSlip(""), PaperWidth::mm58).ok());
    const std::vector<std::uint8_t> unknown = {0x1B, 't', 16};  // ESC t: code page, not emitted
    Result<Bitmap> r = renderEscPos(unknown, PaperWidth::mm58);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == Errc::corrupt);
    const std::vector<std::uint8_t> truncated = {0x1D, 'v', '0', 0, 4, 0, 10, 0, 0xFF};
    CHECK_FALSE(renderEscPos(truncated, PaperWidth::mm58).ok());
}

TEST_CASE("the simulated printer writes .bin and .png and obeys its control file") {
    TempDir tmp;
    PrinterConfig cfg;
    cfg.kind = PrinterConfig::Kind::simulated;
    cfg.simulatedDir = tmp.path / "sim";
    Result<std::unique_ptr<Printer>> opened = openPrinter(cfg);
    REQUIRE(opened.ok());
    Printer& p = **opened;
    CHECK(p.simulated());
    CHECK(p.queryState().condition == PrinterCondition::ready);
    const auto bytes = renderSlip(sampleSlip(), PaperWidth::mm58);
    REQUIRE(bytes.ok());
    REQUIRE(p.print(*bytes).ok());
    Result<std::vector<std::uint8_t>> stored = readWholeFile(cfg.simulatedDir / "slip-0001.bin");
    REQUIRE(stored.ok());
    CHECK(*stored == *bytes);
    CHECK(zbarRead(cfg.simulatedDir / "slip-0001.png") == "LPR-7K3M-Q9");

    REQUIRE(setSimulatedCondition(cfg.simulatedDir, "near-end").ok());
    PrinterState st = p.queryState();
    CHECK(st.condition == PrinterCondition::ready);
    CHECK(st.paperNearEnd);
    REQUIRE(setSimulatedCondition(cfg.simulatedDir, "cover-open").ok());
    CHECK(p.queryState().condition == PrinterCondition::coverOpen);
    REQUIRE(setSimulatedCondition(cfg.simulatedDir, "paper-out").ok());
    CHECK(p.queryState().condition == PrinterCondition::paperOut);
    Status failed = p.print(*bytes);
    REQUIRE_FALSE(failed.ok());
    CHECK(failed.error().code == Errc::unavailable);
    REQUIRE(setSimulatedCondition(cfg.simulatedDir, "unplugged").ok());
    CHECK(p.queryState().condition == PrinterCondition::unreachable);
    CHECK_FALSE(setSimulatedCondition(cfg.simulatedDir, "on-fire").ok());
    REQUIRE(setSimulatedCondition(cfg.simulatedDir, "ready").ok());
    REQUIRE(p.print(*bytes).ok());
    CHECK(std::filesystem::exists(cfg.simulatedDir / "slip-0002.png"));
}

TEST_CASE("TCP printer: status from the peer, slip bytes delivered, refused port unreachable") {
    const int listener = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(listener >= 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    REQUIRE(::listen(listener, 4) == 0);
    socklen_t len = sizeof addr;
    REQUIRE(::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
    const int port = ntohs(addr.sin_port);

    FakePrinterPeer peer;
    peer.serveListener(listener);
    PrinterConfig cfg;
    cfg.kind = PrinterConfig::Kind::tcp;
    cfg.host = "127.0.0.1";
    cfg.port = port;
    cfg.paper = PaperWidth::mm80;
    cfg.timeoutMs = 2000;
    auto printer = openPrinter(cfg);
    REQUIRE(printer.ok());
    CHECK((*printer)->describe() == "TCP 127.0.0.1:" + std::to_string(port));
    CHECK((*printer)->queryState().condition == PrinterCondition::ready);
    peer.condition = PrinterCondition::coverOpen;
    CHECK((*printer)->queryState().condition == PrinterCondition::coverOpen);
    const auto bytes = renderSlip(sampleSlip(), PaperWidth::mm80);
    REQUIRE(bytes.ok());
    CHECK_FALSE((*printer)->print(*bytes).ok());
    peer.condition = PrinterCondition::ready;
    REQUIRE((*printer)->print(*bytes).ok());
    CHECK(lapor::hw::test::waitUntil([&] { return peer.received().size() >= bytes->size(); }));
    CHECK(peer.received() == *bytes);
    // A printer that does not answer DLE EOT still prints (state unknown).
    peer.answerStatus = false;
    cfg.timeoutMs = 200;
    auto quiet = openPrinter(cfg);
    REQUIRE(quiet.ok());
    CHECK((*quiet)->queryState().condition == PrinterCondition::unknown);
    peer.stop();
    ::close(listener);

    // Nothing listens there any more: unreachable, quickly.
    PrinterState gone = (*printer)->queryState();
    CHECK(gone.condition == PrinterCondition::unreachable);
    CHECK_FALSE(gone.detail.empty());
}

TEST_CASE("serial printer over a pty pair: configured, status answered, slip delivered") {
    const int master = ::posix_openpt(O_RDWR | O_NOCTTY);
    REQUIRE(master >= 0);
    REQUIRE(::grantpt(master) == 0);
    REQUIRE(::unlockpt(master) == 0);
    const std::string slave = ::ptsname(master);
    // Keep one slave handle open so the master never sees a hang-up between the printer's opens.
    const int keep = ::open(slave.c_str(), O_RDWR | O_NOCTTY);
    REQUIRE(keep >= 0);
    FakePrinterPeer peer;
    peer.condition = PrinterCondition::paperOut;
    peer.serveFd(master);
    PrinterConfig cfg;
    cfg.kind = PrinterConfig::Kind::serial;
    cfg.path = slave;
    cfg.baud = 115200;
    auto printer = openPrinter(cfg);
    REQUIRE(printer.ok());
    CHECK((*printer)->describe() == "serial " + slave + " @115200");
    CHECK((*printer)->queryState().condition == PrinterCondition::paperOut);
    peer.condition = PrinterCondition::ready;
    const auto bytes = renderSlip(sampleSlip(), PaperWidth::mm58);
    REQUIRE(bytes.ok());
    REQUIRE((*printer)->print(*bytes).ok());
    CHECK(lapor::hw::test::waitUntil([&] { return peer.received().size() >= bytes->size(); }));
    CHECK(peer.received() == *bytes);
    peer.stop();
    ::close(keep);
    ::close(master);

    cfg.baud = 12345;
    auto odd = openPrinter(cfg);
    REQUIRE(odd.ok());
    CHECK((*odd)->queryState().condition == PrinterCondition::unreachable);
}

TEST_CASE("device-file printer: bytes land in the file, a missing device is unreachable") {
    TempDir tmp;
    const auto dev = tmp.path / "lp0";
    { std::ofstream(dev.string()); }
    PrinterConfig cfg;
    cfg.kind = PrinterConfig::Kind::device;
    cfg.path = dev.string();
    auto printer = openPrinter(cfg);
    REQUIRE(printer.ok());
    CHECK((*printer)->queryState().condition == PrinterCondition::unknown);
    const auto bytes = renderSlip(sampleSlip(), PaperWidth::mm58);
    REQUIRE(bytes.ok());
    REQUIRE((*printer)->print(*bytes).ok());
    auto written = readWholeFile(dev);
    REQUIRE(written.ok());
    // One unanswered DLE EOT 1 per open, then the slip.
    const std::vector<std::uint8_t> query = {escpos::DLE, escpos::EOT, 1};
    std::vector<std::uint8_t> expect = query;
    expect.insert(expect.end(), query.begin(), query.end());
    expect.insert(expect.end(), bytes->begin(), bytes->end());
    CHECK(*written == expect);

    cfg.path = (tmp.path / "absent").string();
    auto absent = openPrinter(cfg);
    REQUIRE(absent.ok());
    const PrinterState st = (*absent)->queryState();
    CHECK(st.condition == PrinterCondition::unreachable);
    CHECK(st.detail.find("absent") != std::string::npos);
    CHECK_FALSE((*absent)->print(*bytes).ok());
}

TEST_CASE("config parsing for printers") {
    CHECK(*parsePaperWidth("80mm") == PaperWidth::mm80);
    CHECK(*parsePaperWidth("58") == PaperWidth::mm58);
    CHECK_FALSE(parsePaperWidth("110").ok());
    CHECK(*parsePrinterKind("tcp") == PrinterConfig::Kind::tcp);
    CHECK_FALSE(parsePrinterKind("usb").ok());
    PrinterConfig cfg;
    cfg.kind = PrinterConfig::Kind::tcp;
    CHECK_FALSE(openPrinter(cfg).ok());  // no host
    CHECK(columnsFor(PaperWidth::mm80) == 48);
    CHECK(printableDots(PaperWidth::mm58) == 384);
}

TEST_CASE("print queue keeps a slip through paper-out and a restart, then prints it") {
    TempDir tmp;
    const auto simDir = tmp.path / "sim";
    const auto spool = tmp.path / "spool";
    PrinterConfig cfg;
    cfg.kind = PrinterConfig::Kind::simulated;
    cfg.simulatedDir = simDir;
    REQUIRE(setSimulatedCondition(simDir, "paper-out").ok());
    {
        auto queue = PrintQueue::open(spool, openPrinter(cfg).value());
        REQUIRE(queue.ok());
        REQUIRE((*queue)->submit(sampleSlip("AAA-111")).ok());
        REQUIRE((*queue)->submit(sampleSlip("BBB-222")).ok());
        CHECK((*queue)->pumpOnce() == 0);
        const PrintQueueStatus st = (*queue)->status();
        CHECK(st.pending == 2);
        CHECK(st.printer.condition == PrinterCondition::paperOut);
        CHECK(st.simulated);
    }
    // A torn write from a crash is not a slip.
    { std::ofstream((spool / "00000000000000000099.slip.new").string()) << "partial"; }
    REQUIRE(setSimulatedCondition(simDir, "ready").ok());
    auto queue = PrintQueue::open(spool, openPrinter(cfg).value());
    REQUIRE(queue.ok());
    CHECK((*queue)->status().pending == 2);
    CHECK_FALSE(std::filesystem::exists(spool / "00000000000000000099.slip.new"));
    CHECK((*queue)->pumpOnce() == 2);
    CHECK((*queue)->status().pending == 0);
    CHECK((*queue)->status().printer.condition == PrinterCondition::ready);
    // Printed in the order they were submitted.
    CHECK(zbarRead(simDir / "slip-0001.png") == "AAA-111");
    CHECK(zbarRead(simDir / "slip-0002.png") == "BBB-222");
}

TEST_CASE("print queue worker prints when the printer comes back") {
    TempDir tmp;
    const auto simDir = tmp.path / "sim";
    PrinterConfig cfg;
    cfg.kind = PrinterConfig::Kind::simulated;
    cfg.simulatedDir = simDir;
    REQUIRE(setSimulatedCondition(simDir, "cover-open").ok());
    PrintQueue::Options opt;
    opt.retryMs = 60'000;  // retries come only from retryNow() below, so the test never races
    opt.idlePollMs = 60'000;
    auto queue = PrintQueue::open(tmp.path / "spool", openPrinter(cfg).value(), opt);
    REQUIRE(queue.ok());
    std::atomic<int> changes{0};
    (*queue)->setOnChange([&] { ++changes; });
    (*queue)->start();
    REQUIRE((*queue)->submit(sampleSlip("CCC-333")).ok());
    CHECK(lapor::hw::test::waitUntil(
        [&] { return (*queue)->status().printer.condition == PrinterCondition::coverOpen; }));
    CHECK((*queue)->status().pending == 1);
    REQUIRE(setSimulatedCondition(simDir, "ready").ok());
    (*queue)->retryNow();
    CHECK(lapor::hw::test::waitUntil([&] { return (*queue)->status().pending == 0; }));
    CHECK(changes.load() > 0);
    (*queue)->stop();
    CHECK(zbarRead(simDir / "slip-0001.png") == "CCC-333");
}

TEST_CASE("QR bitmaps have a quiet zone and refuse bad input") {
    auto qr = qrBitmap("ABC", 4);
    REQUIRE(qr.ok());
    CHECK(qr->width == (21 + 8) * 4);
    CHECK(qr->at(0, 0) == 0);
    CHECK(qr->at(16, 16) == 1);  // the finder pattern's corner
    CHECK_FALSE(qrBitmap("", 4).ok());
    CHECK_FALSE(qrBitmap(std::string(5000, 'x'), 4).ok());
}

TEST_CASE("po/hardware: both languages carry the same keys, including every printer message") {
    const std::filesystem::path po = std::filesystem::path(LAPOR_SOURCE_DIR) / "po";
    Result<std::vector<PoEntry>> id = readPoFile(po / "hardware.id.po");
    Result<std::vector<PoEntry>> en = readPoFile(po / "hardware.en.po");
    REQUIRE(id.ok());
    REQUIRE(en.ok());
    std::map<std::string, std::string> idKeys;
    std::map<std::string, std::string> enKeys;
    for (const PoEntry& e : *id) {
        idKeys[e.key] = e.text;
    }
    for (const PoEntry& e : *en) {
        enKeys[e.key] = e.text;
    }
    for (const auto& entry : idKeys) {
        CHECK_MESSAGE(enKeys.count(entry.first) == 1, entry.first);
        CHECK_MESSAGE(!entry.second.empty(), entry.first);
    }
    for (const auto& entry : enKeys) {
        CHECK_MESSAGE(idKeys.count(entry.first) == 1, entry.first);
        CHECK_MESSAGE(!entry.second.empty(), entry.first);
    }
    std::vector<std::string> needed(std::begin(kSlipLabelMsgids), std::end(kSlipLabelMsgids));
    needed.insert(needed.end(), std::begin(kStatusSlipLabelMsgids),
                  std::end(kStatusSlipLabelMsgids));
    for (PrinterCondition c :
         {PrinterCondition::ready, PrinterCondition::paperOut, PrinterCondition::coverOpen,
          PrinterCondition::offline, PrinterCondition::unreachable, PrinterCondition::unknown}) {
        for (bool nearEnd : {false, true}) {
            PrinterState st;
            st.condition = c;
            st.paperNearEnd = nearEnd;
            needed.emplace_back(st.staffMessageMsgid());
        }
    }
    needed.emplace_back("speech.test_sentence");
    for (const std::string& k : needed) {
        CHECK_MESSAGE(idKeys.count(k) == 1, k);
    }
    // The status help names the code, so a visitor can show it to staff.
    CHECK(idKeys["slip.how_to_check"].find("{code}") != std::string::npos);
    CHECK(enKeys["slip.how_to_check"].find("{code}") != std::string::npos);
}

TEST_CASE("the ESC/POS renderer survives arbitrary bytes (errors, never crashes)") {
    // Deterministic pseudo-random streams, biased towards command bytes so parsing goes deep.
    std::uint32_t x = 12345;
    auto next = [&] {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        return x;
    };
    const std::uint8_t interesting[] = {0x1B, 0x1D, 0x10, 0x04, 0x0A, '@',  'a',  'E',
                                        'd',  '!',  'V',  'v',  '0',  0x00, 0xFF, 'A'};
    const auto slip = renderSlip(sampleSlip(), PaperWidth::mm58);
    REQUIRE(slip.ok());
    int rendered = 0;
    for (int round = 0; round < 300; ++round) {
        std::vector<std::uint8_t> s;
        if (round % 3 == 0) {
            // A real slip with a few bytes flipped or cut short.
            s = *slip;
            s.resize(next() % s.size());
            for (int k = 0; k < 4 && !s.empty(); ++k) {
                s[next() % s.size()] = static_cast<std::uint8_t>(next());
            }
        } else {
            const std::size_t n = next() % 64;
            for (std::size_t i = 0; i < n; ++i) {
                s.push_back((next() & 1) != 0 ? interesting[next() % sizeof interesting]
                                              : static_cast<std::uint8_t>(next()));
            }
        }
        Result<Bitmap> r = renderEscPos(s, PaperWidth::mm58);
        if (r) {
            ++rendered;
            CHECK(r->width == 384);
            CHECK(r->pixels.size() == static_cast<std::size_t>(r->width) * r->height);
        }
    }
    CHECK(rendered > 0);
}
