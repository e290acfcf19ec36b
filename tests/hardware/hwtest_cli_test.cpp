// lapor-hwtest as a technician runs it: arguments in, exit codes, messages and files out.
#include <doctest/doctest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "core/durable_file.hpp"
#include "hardware/voice.hpp"
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

// One run and what a technician must see: its exit code and texts its output contains.
struct Expected {
    std::string args;
    int exitCode;
    std::vector<std::string> says;
};

void checkRuns(const std::vector<Expected>& rows) {
    for (const Expected& row : rows) {
        CAPTURE(row.args);
        const Run r = hwtest(row.args);
        CHECK(r.exitCode == row.exitCode);
        for (const std::string& text : row.says) {
            CHECK(has(r, text));
        }
    }
}

// Runs a command that must succeed and write `file`; returns the file's bytes.
std::vector<std::uint8_t> writtenBy(const std::string& args, const std::filesystem::path& file) {
    CAPTURE(args);
    CHECK(hwtest(args).exitCode == 0);
    auto bytes = lapor::readWholeFile(file);
    REQUIRE(bytes.ok());
    return std::move(*bytes);
}

void writeText(const std::filesystem::path& path, const std::string& text) {
    REQUIRE(lapor::writeFileDurably(
                path, std::span(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()))
                .ok());
}

}  // namespace

TEST_CASE("hwtest: --help, no command and bad options") {
    checkRuns({
        {"--help", 0, {"Usage: lapor-hwtest"}},
        {"", 2, {}},
        {"print --colour red", 2, {"unknown option --colour"}},
        {"dance", 2, {}},
        {"print --paper 110", 2, {}},
        {"photo", 2, {}},  // no --out
    });
}

TEST_CASE("hwtest: the printer comes from the kiosk's config, a bad config is exit code 9") {
    TempDir tmp;
    const auto cfg = tmp.path / "lapor.toml";
    const auto sim = tmp.path / "sim";
    writeText(cfg, "[printer]\nkind = \"simulated\"\npaper = 80\nsimulated_dir = \"" +
                       sim.string() + "\"\n");
    checkRuns({{"print --config '" + cfg.string() + "' --code CFG-80", 0, {"80 mm paper"}}});
    CHECK(zbarRead(sim / "slip-0001.png") == "CFG-80");
    writeText(cfg, "[printer]\nkind = \"laser\"\n");
    checkRuns({
        {"printer-status --config '" + cfg.string() + "'", 9, {"laser"}},
        {"printer-status --config '" + (tmp.path / "none.toml").string() + "'", 9, {}},
    });
}

TEST_CASE("hwtest: list names the simulated devices") {
    checkRuns({{"list",
                0,
                {"simulated test scene  [simulated]", "simulated printer  [simulated]",
                 "Speech:", "simulated microphone  [simulated]"}}});
}

TEST_CASE("hwtest: a test slip on the simulated printer, readable by zbarimg") {
    TempDir tmp;
    const auto sim = tmp.path / "sim";
    const auto png = tmp.path / "test-slip.png";
    checkRuns({{"print --printer simulated --sim-dir '" + sim.string() + "' --png '" +
                    png.string() + "' --code HW-TEST-42 --lang en --paper 80",
                0,
                {"[simulated]"}}});
    CHECK(zbarRead(png) == "HW-TEST-42");
    CHECK(zbarRead(sim / "slip-0001.png") == "HW-TEST-42");
}

TEST_CASE("hwtest: printer states give exit codes a technician can act on") {
    TempDir tmp;
    const std::string sim = "--printer simulated --sim-dir '" + (tmp.path / "sim").string() + "'";
    checkRuns({
        {"print " + sim + " --simulate paper-out --lang en",
         4,
         {"out of paper", "Load a new paper roll"}},
        // The default language is Indonesian.
        {"printer-status " + sim + " --simulate cover-open", 4, {"Tutup printer terbuka"}},
        {"printer-status " + sim + " --simulate ready", 0, {}},
        {"print --printer device --path '" + (tmp.path / "lp0").string() + "'", 3, {"unreachable"}},
        {"printer-status --printer tcp --host 127.0.0.1 --port 1 --timeout-ms 500", 3, {}},
    });
    // A device file that exists takes the slip, with status unknown.
    const auto dev = tmp.path / "dev-lp0";
    REQUIRE(lapor::writeFileDurably(dev, std::string_view{}).ok());
    checkRuns(
        {{"print --printer device --path '" + dev.string() + "' --code DEV-1", 0, {"unknown"}}});
    auto written = lapor::readWholeFile(dev);
    REQUIRE(written.ok());
    CHECK(std::string(written->begin(), written->end()).find("DEV-1") != std::string::npos);
}

TEST_CASE("hwtest: speech to a WAV file, and a missing --out for photos") {
    TempDir tmp;
    const auto wav = tmp.path / "test.wav";
    CHECK(writtenBy("speak --lang en --wav '" + wav.string() + "'", wav).size() > 10000);
    checkRuns({{"speak --lang fr --wav '" + wav.string() + "'", 2, {}}});
}

TEST_CASE("hwtest: a photo from the simulated camera, no real camera is exit code 3") {
    TempDir tmp;
    const auto jpg = tmp.path / "photo.jpg";
    const auto bytes =
        writtenBy("photo --camera-backend simulated --out '" + jpg.string() + "'", jpg);
    REQUIRE(bytes.size() > 1000);
    CHECK(bytes[0] == 0xFF);
    CHECK(bytes[1] == 0xD8);
    // This machine has no camera: the libcamera backend must say so, not hang or crash.
    checkRuns(
        {{"photo --camera-backend libcamera --out '" + jpg.string() + "'", 3, {"no camera"}}});
}

TEST_CASE("hwtest: the simulated microphone records a note, none is exit code 3") {
    TempDir tmp;
    const auto wav = tmp.path / "heard.wav";
    const auto opus = tmp.path / "note.opus";
    checkRuns(
        {{"mic --simulated --seconds 1 --wav '" + wav.string() + "' --opus '" + opus.string() + "'",
          0,
          {"[simulated]", "dBFS", "peak", "spoken note:", "KB per minute"}}});
    auto note = lapor::readWholeFile(opus);
    REQUIRE(note.ok());
    REQUIRE(note->size() > 1000);
    CHECK(std::string(note->begin(), note->begin() + 4) == "OggS");
    CHECK(lapor::hw::decodeVoice(*note).ok());
    auto heard = lapor::readWholeFile(wav);
    REQUIRE(heard.ok());
    CHECK(heard->size() == 44 + 2 * 48'000);
    checkRuns({{"mic --seconds 0", 2, {}}, {"mic --simulated --seconds x", 2, {}}});
    REQUIRE(::setenv("LAPOR_SIM_MIC", "none", 1) == 0);
    checkRuns({{"mic --simulated", 3, {"no microphone found:", "LAPOR_SIM_MIC=none"}}});
    ::unsetenv("LAPOR_SIM_MIC");
    // This machine has no microphone: the real one must say so plainly, not hang or crash.
    if (lapor::hw::captureDeviceNames().empty()) {
        checkRuns({{"mic --seconds 1", 3, {"capture devices: none", "no microphone found:"}}});
    }
}

TEST_CASE("hwtest: a real SDL capture device (SDL's disk driver) records with the meter") {
    TempDir tmp;
    const auto raw = tmp.path / "in.raw";
    std::vector<std::uint8_t> bytes(2 * 48'000);
    for (std::size_t i = 0; i < bytes.size(); i += 2) {
        bytes[i + 1] = (i / 2 / 50) % 2 == 0 ? 0x20 : 0xE0;  // a 480 Hz square wave, -12 dBFS
    }
    REQUIRE(lapor::writeFileDurably(raw, bytes).ok());
    REQUIRE(::setenv("SDL_AUDIODRIVER", "disk", 1) == 0);
    REQUIRE(::setenv("SDL_DISKAUDIOFILEIN", raw.c_str(), 1) == 0);
    REQUIRE(::setenv("SDL_DISKAUDIOFILE", (tmp.path / "out.raw").c_str(), 1) == 0);
    checkRuns({{"mic --seconds 1",
                0,
                {"System audio capture device", "SDL default capture device", "peak -12.0 dBFS"}},
               {"list", 0, {"Microphones:\n  System audio capture device"}}});
    ::unsetenv("SDL_AUDIODRIVER");
    ::unsetenv("SDL_DISKAUDIOFILEIN");
    ::unsetenv("SDL_DISKAUDIOFILE");
}
