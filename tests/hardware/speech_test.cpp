// Speech: the fake records, espeak-ng really synthesizes (to memory and WAV), stop interrupts.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdlib>

#include "core/durable_file.hpp"
#include "hardware/speech.hpp"
#include "printer_test_support.hpp"

using namespace lapor;
using namespace lapor::hw;
using lapor::hw::test::TempDir;
using lapor::hw::test::waitUntil;

namespace {

int peak(std::span<const std::int16_t> samples) {
    int p = 0;
    for (std::int16_t s : samples) {
        p = std::max(p, std::abs(static_cast<int>(s)));
    }
    return p;
}

}  // namespace

TEST_CASE("fake speech records what was said and stops") {
    FakeSpeech fake;
    Speech& speech = fake;
    CHECK_FALSE(speech.isSpeaking());
    speech.speak("Selamat datang", SpeechLang::id);
    CHECK(speech.isSpeaking());
    speech.stop();
    CHECK_FALSE(speech.isSpeaking());
    speech.speak("Welcome", SpeechLang::en);
    fake.finishSpeaking();
    CHECK_FALSE(speech.isSpeaking());
    const std::vector<FakeSpeech::Utterance> expect = {{"Selamat datang", SpeechLang::id},
                                                       {"Welcome", SpeechLang::en}};
    CHECK(fake.said() == expect);
    CHECK(fake.stops() == 1);
    CHECK(*speechLangFromCode("en") == SpeechLang::en);
    CHECK_FALSE(speechLangFromCode("jv").ok());
}

TEST_CASE("espeak-ng synthesizes audible Indonesian and English") {
    for (SpeechLang lang : {SpeechLang::id, SpeechLang::en}) {
        Result<Synthesized> out = synthesizeText("Laporan Anda sudah kami terima.", lang);
        REQUIRE(out.ok());
        CHECK(out->sampleRate > 8000);
        // More than half a second of sound, and not silence.
        CHECK(out->samples.size() > static_cast<std::size_t>(out->sampleRate / 2));
        CHECK(peak(out->samples) > 1000);
    }
}

TEST_CASE("espeak speech writes a WAV on its worker and stop() interrupts") {
    TempDir tmp;
    const auto wav = tmp.path / "said.wav";
    auto speech = openEspeakSpeech(makeWavFileSink(wav));
    REQUIRE(speech.ok());
    CHECK((*speech)->describe().find("said.wav") != std::string::npos);
    (*speech)->speak("Terima kasih. Kode Anda adalah L P R tujuh.", SpeechLang::id);
    CHECK(waitUntil([&] { return !(*speech)->isSpeaking(); }));
    auto bytes = readWholeFile(wav);
    REQUIRE(bytes.ok());
    REQUIRE(bytes->size() > 44 + 2000);
    CHECK(std::string(bytes->begin(), bytes->begin() + 4) == "RIFF");
    CHECK(std::string(bytes->begin() + 8, bytes->begin() + 12) == "WAVE");
    const auto rate = static_cast<std::uint32_t>((*bytes)[24] | ((*bytes)[25] << 8) |
                                                 ((*bytes)[26] << 16) | ((*bytes)[27] << 24));
    CHECK(rate == 22050);
    std::vector<std::int16_t> samples((bytes->size() - 44) / 2);
    for (std::size_t i = 0; i < samples.size(); ++i) {
        samples[i] = static_cast<std::int16_t>((*bytes)[44 + 2 * i] | ((*bytes)[45 + 2 * i] << 8));
    }
    CHECK(peak(samples) > 1000);

    // A long text, stopped at once: the worker comes back to silence without finishing it.
    std::string longText;
    for (int i = 0; i < 40; ++i) {
        longText += "Ini adalah kalimat panjang untuk menguji penghentian suara. ";
    }
    (*speech)->speak(longText, SpeechLang::id);
    (*speech)->stop();
    CHECK(waitUntil([&] { return !(*speech)->isSpeaking(); }));
}

TEST_CASE("the sound device either opens or reports unavailable, without hanging") {
    Result<std::unique_ptr<AudioSink>> sink = openSoundDeviceSink();
    if (!sink) {
        CHECK(sink.error().code == Errc::unavailable);
        CHECK_FALSE(sink.error().message.empty());
    } else {
        CHECK((*sink)->describe() == "sound device");
    }
}
