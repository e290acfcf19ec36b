// lapor-hwtest as a technician runs it: arguments in, exit codes, messages and files out.
#include <doctest/doctest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <string>

#include "hardware/printer_fs.hpp"
#include "printer_test_support.hpp"

using lapor::hw::test::TempDir;
using lapor::hw::test::zbarRead;

namespace {

struct Run {
    int exitCode = -1;
    std::string output;  // stdout and stderr together
};

Run hwtest(const std::string& args) {
    const std::string cmd =
        std::string(LAPOR_BINARY_DIR) + "/hardware/hwtest/lapor-hwtest " + args + " 2>&1";
    Run r;
    FILE* p = ::popen(cmd.c_str(), "r");
    REQUIRE(p != nullptr);
    std::array<char, 512> buf{};
    while (std::fgets(buf.data(), static_cast<int>(buf.size()), p) != nullptr) {
        r.output += buf.data();
    }
    const int status = ::pclose(p);
    r.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return r;
}

bool has(const Run& r, const std::string& text) {
    return r.output.find(text) != std::string::npos;
}

}  // namespace

TEST_CASE("hwtest: --help, no command and bad options") {
    Run help = hwtest("--help");
    CHECK(help.exitCode == 0);
    CHECK(has(help, "Usage: lapor-hwtest"));
    CHECK(hwtest("").exitCode == 2);
    Run bad = hwtest("print --colour red");
    CHECK(bad.exitCode == 2);
    CHECK(has(bad, "unknown option --colour"));
    CHECK(hwtest("dance").exitCode == 2);
    CHECK(hwtest("print --paper 110").exitCode == 2);
    CHECK(hwtest("photo").exitCode == 2);  // no --out
}

TEST_CASE("hwtest: the printer comes from the kiosk's config; a bad config is exit code 9") {
    TempDir tmp;
    const auto cfg = tmp.path / "lapor.toml";
    const auto sim = tmp.path / "sim";
    const std::string good =
        "[printer]\nkind = \"simulated\"\npaper = 80\nsimulated_dir = \"" + sim.string() + "\"\n";
    REQUIRE(lapor::hw::writeFileDurably(
                cfg, std::span(reinterpret_cast<const std::uint8_t*>(good.data()), good.size()))
                .ok());
    Run r = hwtest("print --config '" + cfg.string() + "' --code CFG-80");
    CHECK(r.exitCode == 0);
    CHECK(has(r, "80 mm paper"));
    CHECK(zbarRead(sim / "slip-0001.png") == "CFG-80");
    const std::string bad = "[printer]\nkind = \"laser\"\n";
    REQUIRE(lapor::hw::writeFileDurably(
                cfg, std::span(reinterpret_cast<const std::uint8_t*>(bad.data()), bad.size()))
                .ok());
    Run b = hwtest("printer-status --config '" + cfg.string() + "'");
    CHECK(b.exitCode == 9);
    CHECK(has(b, "laser"));
    CHECK(hwtest("printer-status --config '" + (tmp.path / "none.toml").string() + "'").exitCode ==
          9);
}

TEST_CASE("hwtest: list names the simulated devices") {
    Run r = hwtest("list");
    CHECK(r.exitCode == 0);
    CHECK(has(r, "simulated test scene  [simulated]"));
    CHECK(has(r, "simulated printer  [simulated]"));
    CHECK(has(r, "Speech:"));
}

TEST_CASE("hwtest: a test slip on the simulated printer, readable by zbarimg") {
    TempDir tmp;
    const auto sim = tmp.path / "sim";
    const auto png = tmp.path / "test-slip.png";
    Run r = hwtest("print --printer simulated --sim-dir '" + sim.string() + "' --png '" +
                   png.string() + "' --code HW-TEST-42 --lang en --paper 80");
    CHECK(r.exitCode == 0);
    CHECK(has(r, "[simulated]"));
    CHECK(zbarRead(png) == "HW-TEST-42");
    CHECK(zbarRead(sim / "slip-0001.png") == "HW-TEST-42");
}

TEST_CASE("hwtest: printer states give exit codes a technician can act on") {
    TempDir tmp;
    const std::string sim = "--printer simulated --sim-dir '" + (tmp.path / "sim").string() + "'";
    Run out = hwtest("print " + sim + " --simulate paper-out --lang en");
    CHECK(out.exitCode == 4);
    CHECK(has(out, "out of paper"));
    CHECK(has(out, "Load a new paper roll"));
    Run cover = hwtest("printer-status " + sim + " --simulate cover-open");
    CHECK(cover.exitCode == 4);
    CHECK(has(cover, "Tutup printer terbuka"));  // the default language is Indonesian
    CHECK(hwtest("printer-status " + sim + " --simulate ready").exitCode == 0);
    Run gone = hwtest("print --printer device --path '" + (tmp.path / "lp0").string() + "'");
    CHECK(gone.exitCode == 3);
    CHECK(has(gone, "unreachable"));
    CHECK(hwtest("printer-status --printer tcp --host 127.0.0.1 --port 1 --timeout-ms 500")
              .exitCode == 3);
    // A device file that exists takes the slip, with status unknown.
    const auto dev = tmp.path / "dev-lp0";
    REQUIRE(lapor::hw::writeFileDurably(dev, {}).ok());
    Run dv = hwtest("print --printer device --path '" + dev.string() + "' --code DEV-1");
    CHECK(dv.exitCode == 0);
    CHECK(has(dv, "unknown"));
    auto written = lapor::hw::readWholeFile(dev);
    REQUIRE(written.ok());
    CHECK(std::string(written->begin(), written->end()).find("DEV-1") != std::string::npos);
}

TEST_CASE("hwtest: speech to a WAV file, and a missing --out for photos") {
    TempDir tmp;
    const auto wav = tmp.path / "test.wav";
    Run r = hwtest("speak --lang en --wav '" + wav.string() + "'");
    CHECK(r.exitCode == 0);
    auto bytes = lapor::hw::readWholeFile(wav);
    REQUIRE(bytes.ok());
    CHECK(bytes->size() > 10000);
    CHECK(hwtest("speak --lang fr --wav '" + wav.string() + "'").exitCode == 2);
}

TEST_CASE("hwtest: a photo from the simulated camera; no real camera is exit code 3") {
    TempDir tmp;
    const auto jpg = tmp.path / "photo.jpg";
    Run r = hwtest("photo --camera-backend simulated --out '" + jpg.string() + "'");
    CHECK(r.exitCode == 0);
    auto bytes = lapor::hw::readWholeFile(jpg);
    REQUIRE(bytes.ok());
    REQUIRE(bytes->size() > 1000);
    CHECK((*bytes)[0] == 0xFF);
    CHECK((*bytes)[1] == 0xD8);
    // This machine has no camera: the libcamera backend must say so, not hang or crash.
    Run none = hwtest("photo --camera-backend libcamera --out '" + jpg.string() + "'");
    CHECK(none.exitCode == 3);
    CHECK(has(none, "no camera"));
}
