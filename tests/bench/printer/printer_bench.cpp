// Printer benchmark: what a receipt costs the kiosk (render, durable spool) and the simulator.
// Baseline in the same run: writing and fsyncing the same bytes with nothing else.
#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "core/durable_file.hpp"
#include "core/log.hpp"
#include "hardware/escpos_render.hpp"
#include "hardware/printer.hpp"
#include "hardware/printer_transport.hpp"

using namespace lapor;
using namespace lapor::hw;

namespace {

double medianMs(int runs, const std::function<void()>& work) {
    std::vector<double> t;
    for (int i = 0; i < runs; ++i) {
        const auto start = std::chrono::steady_clock::now();
        work();
        t.push_back(
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                .count());
    }
    std::sort(t.begin(), t.end());
    return t[t.size() / 2];
}

SlipContent slip() {
    SlipContent s;
    s.office = "Kantor Kecamatan Bakongan, Kabupaten Aceh Selatan";
    s.receiptCode = "K7QMP-4XTA-C";
    s.kindName = "Pengaduan";
    s.title = "Jalan rusak di depan SDN 3 membahayakan pengendara motor pada malam hari";
    s.filedAtMs = 1'767'225'600'000;
    s.labels = {"TANDA TERIMA LAPORAN",
                "Kode tanda terima",
                "Waktu",
                "Jenis",
                "Judul",
                "Simpan slip ini. Untuk menanyakan status laporan, tunjukkan kode {code} kepada "
                "petugas kantor ini.",
                "Terima kasih atas laporan Anda"};
    return s;
}

}  // namespace

int main() {
    constexpr int kRuns = 21;
    log::setMinLevel(log::Level::warn);
    std::string tmpl = std::string(LAPOR_BINARY_DIR) + "/printer-bench-XXXXXX";
    if (::mkdtemp(tmpl.data()) == nullptr) {
        return 1;
    }
    const std::filesystem::path dir = tmpl;
    const SlipContent content = slip();
    bool ok = true;

    std::vector<std::uint8_t> bytes;
    const double renderMs = medianMs(kRuns, [&] {
        auto r = renderSlip(content, PaperWidth::mm58);
        ok = ok && r.ok();
        bytes = r ? *r : std::vector<std::uint8_t>{};
    });
    int n = 0;
    const double baselineMs = medianMs(kRuns, [&] {
        ok = ok && writeFileDurably(dir / ("plain-" + std::to_string(n++)), bytes).ok();
    });
    auto queue = PrintQueue::open(
        dir / "spool", makeEscPosPrinter(makeSimulatedTransport(dir / "sim", PaperWidth::mm58),
                                         PaperWidth::mm58, 1000, true));
    if (!queue) {
        return 1;
    }
    // submit() renders and stores durably; the kiosk waits for this before it may say "printing".
    const double submitMs = medianMs(kRuns, [&] { ok = ok && (*queue)->submit(content).ok(); });
    // The worker's round over the kRuns waiting slips: per slip a status query, the interpreter
    // to PNG, and the durable .bin and .png; then the spool file's removal.
    std::size_t printed = 0;
    const double pumpAllMs = medianMs(1, [&] { printed = (*queue)->pumpOnce(); });
    ok = ok && printed == static_cast<std::size_t>(kRuns);
    const double printMs = pumpAllMs / kRuns;
    Bitmap image;
    const double interpretMs = medianMs(kRuns, [&] {
        auto r = renderEscPos(bytes, PaperWidth::mm58);
        ok = ok && r.ok();
        if (r) {
            image = std::move(*r);
        }
    });

    std::printf("receipt printer, 58 mm slip (%zu ESC/POS bytes, image %dx%d), median of %d runs\n",
                bytes.size(), image.width, image.height, kRuns);
    std::printf("  baseline: write + fsync + rename of the bytes   %8.3f ms\n", baselineMs);
    std::printf("  renderSlip (layout + QR raster)                 %8.3f ms  ratio %.3f\n",
                renderMs, renderMs / baselineMs);
    std::printf("  PrintQueue::submit (render + durable spool)     %8.3f ms  ratio %.3f\n",
                submitMs, submitMs / baselineMs);
    std::printf("  ESC/POS interpreter to bitmap                   %8.3f ms  ratio %.3f\n",
                interpretMs, interpretMs / baselineMs);
    std::printf("  simulated print per spooled slip (pumpOnce)   %8.3f ms  ratio %.3f\n", printMs,
                printMs / baselineMs);
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
    if (!ok) {
        std::printf("FAILED: a step returned an error\n");
        return 1;
    }
    return 0;
}
