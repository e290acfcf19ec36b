// The status slip: its texts in the ESC/POS stream, its QR read back from the rendered PNG by
// zbarimg and by QrScanner, the follow-up cut with a pointer to the screen, and the print queue.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>

#include "hardware/escpos_render.hpp"
#include "hardware/printer.hpp"
#include "hardware/qr_scan.hpp"
#include "hardware/status_slip.hpp"
#include "printer_test_support.hpp"

using namespace lapor;
using namespace lapor::hw;
using lapor::hw::test::TempDir;
using lapor::hw::test::zbarRead;

namespace {

bool contains(const std::vector<std::uint8_t>& bytes, std::string_view text) {
    return std::search(bytes.begin(), bytes.end(), text.begin(), text.end()) != bytes.end();
}

StatusSlipContent sampleStatusSlip() {
    StatusSlipContent s;
    s.office = "Kantor Kecamatan Contoh";
    s.receiptCode = "LPR-7K3M-Q9";
    s.kindName = "Pengaduan";
    s.title =
        "Jalan berlubang di depan sekolah dasar negeri, sudah tiga bulan tidak diperbaiki "
        "padahal sering ada kecelakaan motor";
    s.filedAtMs = 1'767'225'600'000;  // 2026-01-01 00:00 UTC = 07:00 WIB
    s.trackingId = "5123456";
    s.currentStatus = "Diteruskan ke instansi";
    s.timeline = {{1'767'225'600'000, "Diterima kiosk"},
                  {1'767'229'200'000, "Terkirim ke SP4N-LAPOR!"},
                  {1'767'312'000'000, "Diteruskan ke Dinas Pekerjaan Umum"}};
    s.followUp = "Terima kasih. Laporan sudah kami tinjau dan perbaikan dijadwalkan minggu depan.";
    s.followUpAtMs = 1'767'398'400'000;
    s.printedAtMs = 1'767'484'800'000;
    s.labels = StatusSlipLabels{"STATUS LAPORAN",
                                "Kode tanda terima",
                                "Jenis",
                                "Judul",
                                "Dikirim",
                                "No. lacak SP4N-LAPOR!",
                                "Status",
                                "Riwayat",
                                "Tindak lanjut instansi",
                                "Jawaban lengkap ada di layar kiosk.",
                                "Dicetak"};
    return s;
}

// The rendered slip as a grey camera-like frame, for QrScanner.
Frame asFrame(const Bitmap& image) {
    Frame f;
    f.width = static_cast<std::uint32_t>(image.width);
    f.height = static_cast<std::uint32_t>(image.height);
    f.rgb.resize(std::size_t{3} * f.width * f.height);
    for (std::size_t i = 0; i < image.pixels.size(); ++i) {
        const std::uint8_t v = image.pixels[i] != 0 ? 0 : 255;
        f.rgb[i * 3] = v;
        f.rgb[i * 3 + 1] = v;
        f.rgb[i * 3 + 2] = v;
    }
    return f;
}

}  // namespace

TEST_CASE("a status slip carries its texts and its QR reads back the receipt code") {
    TempDir tmp;
    for (PaperWidth paper : {PaperWidth::mm58, PaperWidth::mm80}) {
        CAPTURE(columnsFor(paper));
        const StatusSlipContent slip = sampleStatusSlip();
        Result<std::vector<std::uint8_t>> bytes = renderStatusSlip(slip, paper);
        REQUIRE(bytes.ok());
        for (std::string_view text :
             {"Kantor Kecamatan Contoh", "STATUS LAPORAN", "LPR-7K3M-Q9", "Jenis: Pengaduan",
              "Dikirim: 01/01/2026 07:00 WIB", "No. lacak SP4N-LAPOR!: 5123456",
              "Status: Diteruskan ke instansi", "Riwayat", "01/01/2026 08:00 WIB",
              "  Terkirim ke SP4N-LAPOR!", "Tindak lanjut instansi", "03/01/2026 07:00 WIB",
              "Dicetak: 04/01/2026 07:00 WIB"}) {
            CHECK_MESSAGE(contains(*bytes, text), text);
        }
        CHECK(contains(*bytes, "Judul: Jalan berlubang"));
        CHECK(contains(*bytes, "..."));                    // the long title was shortened
        CHECK_FALSE(contains(*bytes, "Jawaban lengkap"));  // the short answer printed whole
        CHECK(contains(*bytes, "minggu"));
        Result<Bitmap> image = renderEscPos(*bytes, paper);
        REQUIRE(image.ok());
        CHECK(image->width == printableDots(paper));
        const auto png = tmp.path / "status.png";
        REQUIRE(writePng(*image, png).ok());
        CHECK(zbarRead(png) == "LPR-7K3M-Q9");
        QrScanner scanner(4096);
        CHECK(scanner.scanFirst(asFrame(*image)) == std::optional<std::string>("LPR-7K3M-Q9"));
    }
}

TEST_CASE("a status slip without tracking ID, timeline or answer leaves those parts out") {
    StatusSlipContent slip = sampleStatusSlip();
    slip.trackingId.clear();
    slip.timeline.clear();
    slip.followUp.clear();
    Result<std::vector<std::uint8_t>> bytes = renderStatusSlip(slip, PaperWidth::mm58);
    REQUIRE(bytes.ok());
    CHECK_FALSE(contains(*bytes, "No. lacak"));
    CHECK_FALSE(contains(*bytes, "Riwayat"));
    CHECK_FALSE(contains(*bytes, "Tindak lanjut"));
    CHECK(contains(*bytes, "Status: Diteruskan ke instansi"));
    slip.receiptCode.clear();
    CHECK_FALSE(renderStatusSlip(slip, PaperWidth::mm58).ok());
}

TEST_CASE("a long answer is cut with an ellipsis and a line pointing to the screen") {
    StatusSlipContent slip = sampleStatusSlip();
    std::string answer;
    for (int i = 0; i < 60; ++i) {
        answer += "Kalimat jawaban nomor " + std::to_string(i) + ". ";
    }
    answer += "AKHIR-JAWABAN";
    slip.followUp = answer;
    for (int i = 0; i < 30; ++i) {
        slip.timeline.push_back({1'767'312'000'000 + i * 60'000, "Baris " + std::to_string(i)});
    }
    Result<std::vector<std::uint8_t>> bytes = renderStatusSlip(slip, PaperWidth::mm58);
    REQUIRE(bytes.ok());
    CHECK_FALSE(contains(*bytes, "AKHIR-JAWABAN"));
    CHECK(contains(*bytes, "Jawaban lengkap ada di layar"));
    CHECK(contains(*bytes, "...\n"));
    // The newest timeline rows print, the oldest are left out.
    CHECK(contains(*bytes, "Baris 29"));
    CHECK_FALSE(contains(*bytes, "Diterima kiosk"));
    CHECK(renderEscPos(*bytes, PaperWidth::mm58).ok());
}

TEST_CASE("status slip labels come from the catalog msgids") {
    const StatusSlipLabels l =
        statusSlipLabelsFrom([](std::string_view id) { return "[" + std::string(id) + "]"; });
    CHECK(l.heading == "[status_slip.heading]");
    CHECK(l.followUpMore == "[status_slip.followup_more]");
    CHECK(l.printedLabel == "[status_slip.printed_label]");
}

TEST_CASE("a status slip prints through the print queue") {
    TempDir tmp;
    PrinterConfig cfg;
    cfg.kind = PrinterConfig::Kind::simulated;
    cfg.simulatedDir = tmp.path / "sim";
    auto queue = PrintQueue::open(tmp.path / "spool", openPrinter(cfg).value());
    REQUIRE(queue.ok());
    REQUIRE((*queue)->submit(sampleStatusSlip()).ok());
    CHECK((*queue)->status().pending == 1);
    CHECK((*queue)->pumpOnce() == 1);
    CHECK(zbarRead(cfg.simulatedDir / "slip-0001.png") == "LPR-7K3M-Q9");
}
