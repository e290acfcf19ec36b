// The kiosk flow: every transition, back, inline validation, photos, idle wipe, save failure.
#include <doctest/doctest.h>

#include "core/clock.hpp"
#include "core/i18n.hpp"
#include "core/time_zone.hpp"
#include "core/validation.hpp"
#include "kiosk/flow/flow.hpp"
#include "kiosk/flow/ports_fake.hpp"
#include "tests/kiosk/flow/flow_rig.hpp"

using namespace lapor;
using namespace lapor::kiosk;

using namespace lapor::kiosk::testing;

TEST_CASE("welcome: Bahasa Indonesia by default, English one touch away, start goes to kind") {
    Rig r;
    CHECK(r.flow.screen() == Screen::welcome);
    CHECK(r.flow.lang() == Lang::id);
    r.flow.setLang(Lang::en);
    CHECK(r.flow.lang() == Lang::en);
    r.flow.start();
    CHECK(r.flow.screen() == Screen::kind);
    CHECK(r.flow.stepNumber() == 1);
    CHECK(r.flow.stepCount() == 7);
}

TEST_CASE("kind: a choice is needed, choosing moves on") {
    Rig r;
    r.walkTo(Screen::kind);
    r.flow.next();
    CHECK(r.flow.screen() == Screen::kind);
    REQUIRE(r.flow.error(Field::kind) != nullptr);
    CHECK(r.flow.error(Field::kind)->key == "kiosk.error.kind_required");
    r.flow.chooseKind(ReportKind::aspirasi);
    CHECK(r.flow.screen() == Screen::what);
    CHECK(r.flow.error(Field::kind) == nullptr);
    CHECK(r.flow.draft().kind == ReportKind::aspirasi);
}

TEST_CASE("what happened: inline messages for each field, then on to whom") {
    Rig r;
    r.walkTo(Screen::what);
    r.flow.next();
    CHECK(r.flow.screen() == Screen::what);
    CHECK(r.flow.error(Field::title) != nullptr);
    CHECK(r.flow.error(Field::body) != nullptr);
    CHECK(r.flow.error(Field::region) != nullptr);
    CHECK(r.flow.error(Field::place) == nullptr);  // optional

    SUBCASE("a message follows the field as it is typed") {
        r.flow.setText(Field::title, "Jalan");
        REQUIRE(r.flow.error(Field::title) != nullptr);
        r.flow.setText(Field::title, "Jalan rusak di depan pasar");
        CHECK(r.flow.error(Field::title) == nullptr);
        CHECK(r.flow.error(Field::body) != nullptr);  // the others stay
    }
    SUBCASE("an incident date in the future is refused") {
        Date d = r.flow.today();
        d.year += 1;
        r.flow.setIncidentDate(d);
        r.flow.next();
        CHECK(r.flow.error(Field::incidentDate) != nullptr);
    }
    SUBCASE("all good") {
        r.flow.setText(Field::title, "Jalan rusak di depan pasar");
        r.flow.setText(Field::body, "Jalan berlubang besar sejak dua bulan, banyak motor jatuh.");
        r.pickVillage();
        r.flow.next();
        CHECK(r.flow.screen() == Screen::whom);
        CHECK_FALSE(r.flow.hasErrors());
    }
}

TEST_CASE("region picker: search, drill down to a village, go back up") {
    Rig r;
    r.walkTo(Screen::what);
    CHECK(r.flow.regionPicker().choices.size() == 2);  // provinces
    r.flow.pickRegion(0);
    CHECK(r.flow.regionPicker().path.size() == 1);
    CHECK(r.flow.regionPicker().choices.front().code == "11.01");
    r.flow.regionUp();
    CHECK(r.flow.regionPicker().path.empty());
    r.flow.setRegionQuery("Bakongan");
    REQUIRE(r.flow.regionPicker().choices.size() == 2);
    CHECK(r.flow.draft().region.code.empty());
    // "Bakongan" the district drills down; "Keude Bakongan" the village is picked.
    r.flow.pickRegion(1);
    CHECK(r.flow.draft().region.code == "11.01.01.2001");
    CHECK(r.flow.draft().region.label == "Keude Bakongan, Bakongan, Kab. Aceh Selatan, Aceh");
    r.flow.setRegionQuery("Bakongan");
    r.flow.pickRegion(0);
    CHECK(r.flow.regionPicker().path.back().code == "11.01.01");
    CHECK(r.flow.regionPicker().choices.size() == 2);
    r.flow.pickRegion(9);  // out of range: nothing happens
    CHECK(r.flow.draft().region.code == "11.01.01.2001");
}

TEST_CASE("to whom: an agency, and a topic when the agency has topics") {
    Rig r;
    r.walkTo(Screen::whom);
    REQUIRE(r.flow.screen() == Screen::whom);
    r.flow.next();
    CHECK(r.flow.error(Field::agency) != nullptr);
    r.flow.chooseAgency("kemenkes");
    CHECK(r.flow.error(Field::agency) == nullptr);
    CHECK(r.flow.topics().size() == 2);
    r.flow.next();
    CHECK(r.flow.screen() == Screen::whom);
    CHECK(r.flow.error(Field::topic) != nullptr);
    r.flow.chooseTopic("kesehatan.rs");
    r.flow.chooseAgency("pemda");  // another agency: its topic is cleared
    CHECK(r.flow.draft().topicId.empty());
    CHECK(r.flow.topics().empty());
    r.flow.next();
    CHECK(r.flow.screen() == Screen::privacy);
    r.flow.setLang(Lang::en);
    CHECK(r.flow.agencies().front().name == "Ministry of Health");
}

TEST_CASE("privacy: Anonim skips about-you both ways") {
    Rig r;
    r.walkTo(Screen::privacy);
    REQUIRE(r.flow.screen() == Screen::privacy);
    r.flow.setAnonymous(true);
    r.flow.setConfidential(true);
    CHECK(r.flow.stepCount() == 6);
    r.flow.next();
    CHECK(r.flow.screen() == Screen::photos);
    CHECK(r.flow.stepNumber() == 5);
    r.flow.back();
    CHECK(r.flow.screen() == Screen::privacy);
    r.flow.setAnonymous(false);
    r.flow.next();
    CHECK(r.flow.screen() == Screen::about);
    r.flow.back();
    CHECK(r.flow.screen() == Screen::privacy);
}

TEST_CASE("back from review walks the same steps as next, numbered down to 1, then welcome") {
    for (const bool anonymous : {false, true}) {
        CAPTURE(anonymous);
        Rig r;
        r.walkTo(Screen::review, anonymous);
        REQUIRE(r.flow.screen() == Screen::review);
        const std::vector<Screen> expected =
            anonymous ? std::vector<Screen>{Screen::review, Screen::photos, Screen::privacy,
                                            Screen::whom,   Screen::what,   Screen::kind}
                      : std::vector<Screen>{Screen::review,  Screen::photos, Screen::about,
                                            Screen::privacy, Screen::whom,   Screen::what,
                                            Screen::kind};
        CHECK(r.flow.stepCount() == static_cast<int>(expected.size()));
        for (std::size_t i = 0; i < expected.size(); ++i) {
            CHECK(r.flow.screen() == expected[i]);
            CHECK(r.flow.stepNumber() == static_cast<int>(expected.size() - i));
            r.flow.back();
        }
        CHECK(r.flow.screen() == Screen::welcome);
        CHECK(r.flow.stepNumber() == 0);
    }
}

TEST_CASE("edit from review: about is no step of an anonymous report") {
    Rig r;
    r.walkTo(Screen::review, true);
    r.flow.edit(Screen::about);
    CHECK(r.flow.screen() == Screen::review);
    r.flow.edit(Screen::photos);
    CHECK(r.flow.screen() == Screen::photos);
}

TEST_CASE("about you: name and a NIK or phone, messages in the visitor's words") {
    Rig r;
    r.walkTo(Screen::about);
    REQUIRE(r.flow.screen() == Screen::about);
    r.flow.next();
    CHECK(r.flow.screen() == Screen::about);
    CHECK(r.flow.error(Field::name) != nullptr);
    CHECK(r.flow.error(Field::nik) != nullptr);  // "a NIK or a phone number is needed"
    r.flow.setText(Field::name, "Siti Aminah");
    r.flow.setText(Field::nik, "1234");
    r.flow.next();
    CHECK(r.flow.error(Field::nik) != nullptr);
    r.flow.setText(Field::nik, "");
    r.flow.setText(Field::phone, "0812 3456 7890");
    r.flow.setText(Field::email, "siti@@contoh");
    r.flow.next();
    CHECK(r.flow.screen() == Screen::about);
    CHECK(r.flow.error(Field::email) != nullptr);
    r.flow.setText(Field::email, "siti@contoh.id");
    r.flow.next();
    CHECK(r.flow.screen() == Screen::photos);
}

TEST_CASE("photos: up to five, look, retake, delete, optional") {
    Rig r;
    r.walkTo(Screen::photos);
    REQUIRE(r.flow.screen() == Screen::photos);
    for (std::uint8_t i = 0; i < 6; ++i) {
        r.flow.addPhoto(r.photo(i));
    }
    CHECK(r.flow.draft().photos.size() == 5);
    CHECK_FALSE(r.flow.canTakePhoto());
    r.flow.viewPhoto(2);
    CHECK(r.flow.viewedPhoto() == 2u);
    r.flow.retakePhoto(2);
    CHECK(r.flow.retakeIndex() == 2u);
    CHECK_FALSE(r.flow.viewedPhoto());
    CHECK(r.flow.canTakePhoto());
    r.flow.addPhoto(r.photo(42));
    CHECK(r.flow.draft().photos.size() == 5);
    CHECK(r.flow.draft().photos[2].photo.jpeg[2] == 42);
    CHECK_FALSE(r.flow.retakeIndex());
    r.flow.deletePhoto(0);
    CHECK(r.flow.draft().photos.size() == 4);
    CHECK(r.flow.draft().photos[1].photo.jpeg[2] == 42);
    r.flow.deletePhoto(7);  // nothing there
    CHECK(r.flow.draft().photos.size() == 4);
    r.flow.next();
    CHECK(r.flow.screen() == Screen::review);
}

TEST_CASE("back on every step keeps what was entered") {
    Rig r;
    r.walkTo(Screen::review);
    REQUIRE(r.flow.screen() == Screen::review);
    const Screen expected[] = {Screen::photos, Screen::about, Screen::privacy, Screen::whom,
                               Screen::what,   Screen::kind,  Screen::welcome};
    for (Screen s : expected) {
        r.flow.back();
        CHECK(r.flow.screen() == s);
    }
    r.flow.back();  // welcome has no back
    CHECK(r.flow.screen() == Screen::welcome);
    const Draft& d = r.flow.draft();
    CHECK(d.kind == ReportKind::pengaduan);
    CHECK(d.title == "Jalan rusak di depan pasar");
    CHECK(d.region.code == "11.01.01.2001");
    CHECK(d.agencyId == "kemenkes");
    CHECK(d.identity.nik == kNik);
    r.flow.start();
    CHECK(r.flow.screen() == Screen::kind);
}

TEST_CASE("review: consent needed, the saved report carries every field, receipt, wipe") {
    Rig r;
    r.walkTo(Screen::photos);
    r.flow.addPhoto(r.photo(1));
    CHECK(r.flow.draft().uuid.empty());
    r.flow.next();
    REQUIRE(r.flow.screen() == Screen::review);
    // The report's UUID is drawn when the review shows, so photos can be sealed for it ahead.
    const std::string uuid = r.flow.draft().uuid;
    CHECK(uuid.size() == 36);
    r.flow.back();
    r.flow.next();
    CHECK(r.flow.draft().uuid == uuid);  // kept while the visitor goes back and forth
    CHECK_FALSE(r.flow.beginSave(r.sink));
    CHECK(r.flow.error(Field::consent) != nullptr);
    CHECK(r.flow.screen() == Screen::review);
    r.flow.setConsent(true);
    CHECK(r.flow.error(Field::consent) == nullptr);
    r.flow.setLang(Lang::en);
    auto job = r.flow.beginSave(r.sink);
    REQUIRE(job);
    CHECK(r.flow.screen() == Screen::saving);
    const Report& rep = job->report;
    CHECK(rep.kind == ReportKind::pengaduan);
    CHECK(rep.title == "Jalan rusak di depan pasar");
    CHECK(rep.regionCode == "11.01.01.2001");
    CHECK(rep.place == "Jl. Merdeka No. 5, RT 02/RW 03");
    CHECK(rep.agencyId == "kemenkes");
    CHECK(rep.topicId == "kesehatan.bpjs");
    CHECK(rep.identity.name == "Siti Aminah");
    CHECK(rep.identity.phone == "+6281234567890");  // normalized
    CHECK(rep.assistedBy.empty());  // not assisted (tests/kiosk/flow/flow_staff_test.cpp)
    CHECK(rep.language == "en");
    CHECK(rep.deviceId == "kiosk-dev");
    CHECK(rep.uuid == uuid);
    CHECK(rep.receiptCode.empty());  // the store assigns it inside the save
    CHECK(rep.createdAtMs == r.clock.wallMs());
    CHECK(rep.incidentDate == r.flow.today());
    REQUIRE(job->photos.size() == 1);
    CHECK(job->photos[0].jpeg[2] == 1);

    auto code = r.sink.save(job->report, job->photos, job->clips);
    REQUIRE(code.ok());
    CHECK(*code == "K7QMP4XTA2AB");
    r.flow.saveFinished(code);
    CHECK(r.flow.screen() == Screen::receipt);
    REQUIRE(r.flow.receipt());
    CHECK(r.flow.receipt()->receiptCode == "K7QMP4XTA2AB");
    // Stored: nothing typed remains in memory, only the receipt.
    CHECK(r.flow.draft().title.empty());
    CHECK(r.flow.draft().identity.nik.empty());
    CHECK(r.flow.draft().photos.empty());
    CHECK(r.flow.draft().uuid.empty());  // the next visitor's report gets its own
    CHECK(r.flow.assistedBy().empty());
    CHECK(r.flow.lang() == Lang::en);  // the receipt stays in the visitor's language
    const int wipes = r.flow.wipeCount();
    r.flow.finish();
    CHECK(r.flow.screen() == Screen::welcome);
    CHECK_FALSE(r.flow.receipt());
    CHECK(r.flow.lang() == Lang::id);
    CHECK(r.flow.wipeCount() == wipes + 1);
}

TEST_CASE("an anonymous report carries no identity even if some was typed") {
    Rig r;
    r.walkTo(Screen::privacy);
    r.flow.setAnonymous(false);
    r.flow.next();
    r.fillIdentity();
    r.flow.back();
    r.flow.setAnonymous(true);
    r.flow.next();
    r.flow.next();
    REQUIRE(r.flow.screen() == Screen::review);
    r.flow.setConsent(true);
    auto job = r.flow.beginSave(r.sink);
    REQUIRE(job);
    CHECK(job->report.anonymous);
    CHECK(job->report.identity == Identity{});
}

TEST_CASE("edit from review: change a screen, come straight back") {
    Rig r;
    r.walkTo(Screen::review);
    r.flow.edit(Screen::what);
    CHECK(r.flow.screen() == Screen::what);
    r.flow.setText(Field::title, "Lampu jalan mati seminggu");
    r.flow.next();
    CHECK(r.flow.screen() == Screen::review);
    CHECK(r.flow.draft().title == "Lampu jalan mati seminggu");

    SUBCASE("a field made wrong elsewhere sends the visitor to its screen at save") {
        r.flow.edit(Screen::about);
        r.flow.setText(Field::name, "");
        r.flow.back();
        r.flow.back();
        r.flow.next();
        r.flow.next();
        r.flow.next();  // about: stays, name missing
        CHECK(r.flow.screen() == Screen::about);
    }
}

TEST_CASE("a failed save says so, keeps every input, and can be tried again") {
    Rig r;
    r.walkTo(Screen::review);
    r.flow.setConsent(true);
    auto job = r.flow.beginSave(r.sink);
    REQUIRE(job);
    r.sink.next = makeError(Errc::diskFull, "map full");
    auto s = r.sink.save(job->report, job->photos, job->clips);
    r.flow.saveFinished(s);
    CHECK(r.flow.screen() == Screen::saveFailed);
    CHECK(r.flow.saveError().key == "kiosk.save_failed.disk_full");
    CHECK(r.sink.saved.empty());
    CHECK(r.flow.draft().title == "Jalan rusak di depan pasar");
    CHECK(r.flow.draft().identity.nik == kNik);
    CHECK_FALSE(r.flow.receipt());

    SUBCASE("a store error has its own message") {
        r.flow.retrySave();
        auto again = r.flow.beginSave(r.sink);
        REQUIRE(again);
        r.flow.saveFinished(makeError(Errc::ioError, "EIO"));
        CHECK(r.flow.saveError().key == "kiosk.save_failed.store");
    }
    SUBCASE("retry works") {
        r.flow.retrySave();
        CHECK(r.flow.screen() == Screen::review);
        auto again = r.flow.beginSave(r.sink);
        REQUIRE(again);
        CHECK(again->report.uuid == job->report.uuid);  // nothing was stored under it
        auto code = r.sink.save(again->report, again->photos, again->clips);
        REQUIRE(code.ok());
        r.flow.saveFinished(code);
        CHECK(r.flow.screen() == Screen::receipt);
        CHECK(r.sink.saved.size() == 1);
        CHECK(r.flow.receipt()->receiptCode == *code);
    }
    SUBCASE("back to review") {
        r.flow.back();
        CHECK(r.flow.screen() == Screen::review);
    }
}

TEST_CASE("idle: a warning after 60 s, a wipe 20 s later, more time resets") {
    Rig r;
    CHECK(r.flow.nextDeadlineMs() == INT64_MAX);  // nothing to protect on a fresh welcome
    r.walkTo(Screen::about);
    r.fillIdentity();
    const auto t0 = r.clock.monotonicMs();
    CHECK(r.flow.nextDeadlineMs() == t0 + 60'000);
    r.clock.advance(59'999);
    CHECK_FALSE(r.flow.tick());
    CHECK_FALSE(r.flow.idleWarning());
    r.clock.advance(1);
    CHECK(r.flow.tick());
    CHECK(r.flow.idleWarning());
    CHECK(r.flow.idleSecondsLeft() == 20);
    CHECK(r.flow.nextDeadlineMs() == t0 + 61'000);
    r.clock.advance(5'500);
    r.flow.tick();
    CHECK(r.flow.idleSecondsLeft() == 15);

    SUBCASE("a stray touch does not hide the warning; the button does") {
        r.flow.touch();
        r.flow.tick();
        CHECK(r.flow.idleWarning());
        r.flow.moreTime();
        CHECK_FALSE(r.flow.idleWarning());
        r.clock.advance(59'000);
        CHECK_FALSE(r.flow.tick());
        CHECK(r.flow.screen() == Screen::about);
        CHECK(r.flow.draft().identity.name == "Siti Aminah");
    }
    SUBCASE("nobody answers: everything is wiped") {
        const int wipes = r.flow.wipeCount();
        r.clock.advance(14'500);
        CHECK(r.flow.tick());
        CHECK(r.flow.screen() == Screen::welcome);
        CHECK(r.flow.wipeCount() == wipes + 1);
        CHECK_FALSE(r.flow.idleWarning());
        CHECK(r.flow.draft().title.empty());
        CHECK(r.flow.draft().identity.name.empty());
        CHECK(r.flow.draft().identity.nik.empty());
        CHECK_FALSE(r.flow.draft().kind);
        CHECK(r.flow.draft().region.code.empty());
        CHECK(r.flow.lang() == Lang::id);
        CHECK(r.flow.nextDeadlineMs() == INT64_MAX);
    }
}

TEST_CASE("the receipt counts down from 60 s and wipes, touched or not, more time restarts it") {
    Rig r;
    r.walkTo(Screen::review);
    r.flow.setConsent(true);
    auto job = r.flow.beginSave(r.sink);
    REQUIRE(job);
    r.flow.saveFinished(std::string("K7QMP4XTA2AB"));
    REQUIRE(r.flow.screen() == Screen::receipt);
    const auto t0 = r.clock.monotonicMs();
    CHECK(r.flow.receiptSecondsLeft() == 60);
    CHECK(r.flow.tick());  // the countdown is drawn
    CHECK_FALSE(r.flow.tick());
    // The loop wakes when the shown second changes, and at the wipe.
    CHECK(r.flow.nextDeadlineMs() == t0 + 1'000);
    r.clock.advance(1'000);
    CHECK(r.flow.tick());
    CHECK(r.flow.receiptSecondsLeft() == 59);
    // The next visitor's touches (or the owner's) do not keep it on screen.
    r.clock.advance(30'000);
    r.flow.touch();
    r.flow.tick();
    CHECK(r.flow.receiptSecondsLeft() == 29);
    CHECK_FALSE(r.flow.idleWarning());

    SUBCASE("nobody asks for more time: wiped like an idle screen") {
        const int wipes = r.flow.wipeCount();
        r.clock.advance(28'999);
        r.flow.tick();
        CHECK(r.flow.screen() == Screen::receipt);
        CHECK(r.flow.nextDeadlineMs() == t0 + 60'000);
        r.clock.advance(1);
        CHECK(r.flow.tick());
        CHECK(r.flow.screen() == Screen::welcome);
        CHECK_FALSE(r.flow.receipt());
        CHECK(r.flow.wipeCount() == wipes + 1);
        CHECK(r.flow.lang() == Lang::id);
        CHECK(r.flow.nextDeadlineMs() == INT64_MAX);
    }
    SUBCASE("more time: another 60 s from the touch") {
        r.flow.moreTime();
        CHECK(r.flow.receiptSecondsLeft() == 60);
        r.clock.advance(59'000);
        r.flow.tick();
        CHECK(r.flow.screen() == Screen::receipt);
        r.clock.advance(1'000);
        r.flow.tick();
        CHECK(r.flow.screen() == Screen::welcome);
    }
}

TEST_CASE("start over wipes, large text is reset for the next visitor") {
    Rig r;
    r.flow.toggleLargeText();
    CHECK(r.flow.largeText());
    r.walkTo(Screen::whom);
    r.flow.cancel();
    CHECK(r.flow.screen() == Screen::welcome);
    CHECK(r.flow.assistedBy().empty());
    CHECK_FALSE(r.flow.largeText());
    CHECK(r.flow.draft().title.empty());
}

TEST_CASE("read aloud: the screen's title and guidance in the visitor's language") {
    Rig r;
    r.walkTo(Screen::kind);
    CHECK(r.flow.screenSpeech() == "Jenis laporan. Pilih satu");
    r.flow.setLang(Lang::en);
    CHECK(r.flow.screenSpeech().rfind("Kind of report", 0) == 0);
    r.flow.next();  // with an inline message, it is read too
    CHECK(r.flow.screenSpeech().find("kiosk.error.kind_required") != std::string::npos);
}

TEST_CASE("read aloud after a failed save: the reason and the call for staff are spoken") {
    Rig r;
    r.catalog.add(Lang::id, "kiosk.saveFailed.title", "Laporan belum tersimpan");
    r.catalog.add(Lang::id, "kiosk.saveFailed.help", "Maaf, laporan Anda belum tersimpan.");
    r.catalog.add(Lang::id, "kiosk.save_failed.disk_full", "Penyimpanan kios penuh.");
    r.catalog.add(Lang::id, "kiosk.saveFailed.call_staff", "Mohon panggil petugas.");
    r.catalog.add(Lang::id, "kiosk.saveFailed.kept", "Semua yang Anda isi masih ada.");
    r.walkTo(Screen::review);
    r.flow.setConsent(true);
    REQUIRE(r.flow.beginSave(r.sink));
    r.flow.saveFinished(makeError(Errc::diskFull, "map full"));
    REQUIRE(r.flow.screen() == Screen::saveFailed);
    CHECK(r.flow.screenSpeech() ==
          "Laporan belum tersimpan. Maaf, laporan Anda belum tersimpan. Penyimpanan kios penuh. "
          "Mohon panggil petugas. Semua yang Anda isi masih ada.");
}

TEST_CASE("read aloud with no sound device says so on screen, until the screen changes") {
    Rig r;
    r.walkTo(Screen::kind);
    CHECK_FALSE(r.flow.speechUnavailable());
    FakeVoice voice;
    r.flow.readAloud(&voice);
    CHECK_FALSE(r.flow.speechUnavailable());
    REQUIRE(voice.said.size() == 1);
    CHECK(voice.said[0].text == r.flow.screenSpeech());
    CHECK(voice.said[0].lang == Lang::id);
    r.flow.readAloud(nullptr);
    CHECK(r.flow.speechUnavailable());
    r.flow.chooseKind(ReportKind::aspirasi);  // on to the next screen
    CHECK_FALSE(r.flow.speechUnavailable());
    r.flow.readAloud(nullptr);
    r.flow.cancel();
    CHECK_FALSE(r.flow.speechUnavailable());
}

TEST_CASE("region rows say what they are: province, regency or city, kecamatan, desa, kelurahan") {
    const auto level = [](std::string code, std::string name) {
        return std::string(
            regionLevelMsgid(RegionChoice{std::move(code), std::move(name), "", false}));
    };
    CHECK(level("11", "Aceh") == "kiosk.region.level.province");
    CHECK(level("11.01", "Kabupaten Aceh Selatan") == "kiosk.region.level.regency");
    CHECK(level("11.71", "Kota Banda Aceh") == "kiosk.region.level.city");
    CHECK(level("11.01.01", "Bakongan") == "kiosk.region.level.district");
    CHECK(level("11.01.01.2001", "Keude Bakongan") == "kiosk.region.level.village");
    CHECK(level("31.71.01.1001", "Gambir") == "kiosk.region.level.kelurahan");
    // Results follow every change of the query (the kiosk shows them while the visitor types).
    Rig r;
    r.walkTo(Screen::what);
    r.flow.setRegionQuery("a");
    const auto many = r.flow.regionPicker().choices.size();
    r.flow.setRegionQuery("Bak");
    CHECK(r.flow.regionPicker().choices.size() < many);
    CHECK(r.flow.regionPicker().choices.front().code == "11.01.01");
}

TEST_CASE("events that do not belong to the screen are ignored") {
    Rig r;
    r.flow.addPhoto(r.photo(1));  // not on the photos screen
    CHECK(r.flow.draft().photos.empty());
    CHECK_FALSE(r.flow.beginSave(r.sink));
    r.flow.saveFinished(std::string("K7QMP4XTA2AB"));
    CHECK(r.flow.screen() == Screen::welcome);
    r.flow.finish();
    r.flow.edit(Screen::what);
    CHECK(r.flow.screen() == Screen::welcome);
}

TEST_CASE("time zones: today and the default incident date are the office's local day") {
    constexpr std::int64_t midnightUtc30Nov = 1'795'996'800'000;  // 2026-11-30T00:00:00Z
    for (const char* zoneName : {"WIB", "WITA", "WIT"}) {
        CAPTURE(zoneName);
        const TimeZone zone = *parseTimeZone(zoneName);
        const std::int64_t localMidnight = midnightUtc30Nov - zone.utcOffsetMinutes * 60'000LL;
        FakeClock clock(localMidnight - 60'000);  // 23:59 local, 29 November
        Catalog catalog;
        FakeRegions regions;
        FakeCatalog agencies;
        FlowConfig config = Rig::config();
        config.zone = zone;
        Flow flow(clock, catalog, regions, agencies, config);
        CHECK(flow.today() == Date{2026, 11, 29});
        CHECK(flow.draft().incidentDate == Date{2026, 11, 29});
        clock.advance(2 * 60'000);  // 00:01 local, 30 November; still the 29th in UTC
        CHECK(flow.today() == Date{2026, 11, 30});
        flow.cancel();  // the next visitor's form starts on the new local day
        CHECK(flow.draft().incidentDate == Date{2026, 11, 30});
    }
}

TEST_CASE("time zones: the saved report carries the office offset and its dates pass the store") {
    Rig r;
    r.clock.setWall(1'795'973'400'000);  // 2026-11-30T00:30 WIB (17:30 UTC the day before)
    r.flow.cancel();
    r.walkTo(Screen::review);
    CHECK(r.flow.draft().incidentDate == Date{2026, 11, 30});
    r.flow.setConsent(true);
    auto job = r.flow.beginSave(r.sink);
    REQUIRE(job);
    CHECK(job->report.utcOffsetMinutes == 7 * 60);
    CHECK(job->report.incidentDate == Date{2026, 11, 30});
    CHECK(checkReportDates(job->report).ok());
    r.flow.saveFinished(std::string("K7QMP4XTA2AB"));
    REQUIRE(r.flow.receipt());
    CHECK(r.flow.receipt()->utcOffsetMinutes == 7 * 60);
}

TEST_CASE("no office configured: the flow does not start and says what is missing") {
    FakeClock clock;
    Catalog catalog;
    FakeRegions regions;
    FakeCatalog agencies;
    Flow flow(clock, catalog, regions, agencies, FlowConfig{});
    CHECK(flow.setupProblems() == std::vector<std::string>{"kiosk.setup.no_office"});
    flow.start();
    CHECK(flow.screen() == Screen::welcome);
    flow.next();
    CHECK(flow.screen() == Screen::welcome);
    Rig r;
    CHECK(r.flow.setupProblems().empty());
}

TEST_CASE("not enrolled yet: staff see a line, visitors still file (reports wait in the store)") {
    Rig r;
    CHECK(r.flow.setupNotices().empty());
    CHECK(r.flow.setAgentWaitsForEnrolment(true));
    CHECK_FALSE(r.flow.setAgentWaitsForEnrolment(true));  // unchanged: no redraw needed
    CHECK(r.flow.setupNotices() == std::vector<std::string>{"kiosk.setup.not_enrolled"});
    CHECK(r.flow.setupProblems().empty());
    r.flow.start();
    CHECK(r.flow.screen() == Screen::kind);
    CHECK(r.flow.setAgentWaitsForEnrolment(false));  // enrolled: the line goes
    CHECK(r.flow.setupNotices().empty());
}

TEST_CASE("review: NIK and phone masked until tapped, masked again after leaving") {
    Rig r;
    r.walkTo(Screen::review);
    CHECK_FALSE(r.flow.revealed(Field::nik));
    CHECK_FALSE(r.flow.revealed(Field::phone));
    r.flow.toggleReveal(Field::phone);
    CHECK(r.flow.revealed(Field::phone));
    CHECK_FALSE(r.flow.revealed(Field::nik));
    r.flow.toggleReveal(Field::name);  // only NIK and phone are masked
    CHECK_FALSE(r.flow.revealed(Field::name));
    r.flow.toggleReveal(Field::phone);
    CHECK_FALSE(r.flow.revealed(Field::phone));
    r.flow.toggleReveal(Field::nik);
    r.flow.back();
    r.flow.next();
    CHECK_FALSE(r.flow.revealed(Field::nik));
    r.flow.toggleReveal(Field::nik);
    r.flow.cancel();
    CHECK_FALSE(r.flow.revealed(Field::nik));
}
