// The kiosk's filing flow as a plain state machine: the screen, what the visitor entered, and the
// events that move between screens. No SDL, no ImGui: each view reads this and calls its events.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/clock.hpp"
#include "core/i18n.hpp"
#include "core/report.hpp"
#include "core/time_zone.hpp"
#include "kiosk/flow/ports.hpp"

namespace lapor::kiosk {

enum class Screen : std::uint8_t {
    welcome,
    kind,
    what,     // title, body, incident date, region, place
    whom,     // agency and topic
    privacy,  // Anonim, Rahasia
    about,    // name, NIK, phone, email (skipped when anonymous)
    photos,
    review,  // everything, with consent to the privacy notice
    saving,
    saveFailed,
    receipt,
};
// Stable English name ("welcome", "what", ...) for logs, scripts and screenshots.
[[nodiscard]] const char* screenName(Screen screen) noexcept;
// The catalog key of a report kind's name ("kiosk.kind.pengaduan").
[[nodiscard]] const char* kindMsgid(ReportKind kind) noexcept;
// The catalog key naming what a region is ("kiosk.region.level.district" for a kecamatan,
// ".village" for a desa, ".kelurahan"), from the depth of its code ("11.01.01" is a kecamatan)
// and, for villages, the decree's numbering (1xxx kelurahan, 2xxx desa).
[[nodiscard]] const char* regionLevelMsgid(const RegionChoice& choice) noexcept;

// Everything the visitor typed or chose; personal data until wiped.
enum class Field : std::uint8_t {
    kind,
    title,
    body,
    incidentDate,
    region,
    place,
    agency,
    topic,
    name,
    nik,
    phone,
    email,
    consent,
};

struct DraftPhoto {
    Photo photo;      // stored with the report
    Photo thumbnail;  // for the screen
};

struct Draft {
    std::optional<ReportKind> kind;
    std::string title;
    std::string body;
    Date incidentDate;
    RegionChoice region;  // empty code until picked down to a village
    std::string place;
    std::string agencyId;
    std::string topicId;
    bool anonymous = false;
    bool confidential = false;
    Identity identity;
    std::vector<DraftPhoto> photos;
    bool consent = false;
    std::string uuid;  // the report's UUID, drawn when the review is first shown
};

// The region picker: a search box and a drill-down from province to village.
struct RegionPicker {
    std::string query;
    std::vector<RegionChoice> path;     // what was picked on the way down (province, regency...)
    std::vector<RegionChoice> choices;  // what the visitor can touch now
};

// What the receipt screen (and the slip) show once the report is stored.
struct Receipt {
    std::string receiptCode;
    std::string uuid;
    ReportKind kind = ReportKind::pengaduan;
    std::string title;
    std::int64_t createdAtMs = 0;
    int utcOffsetMinutes = 7 * 60;  // the office's zone at filing, for the time on the slip
};

// A save the app must carry out (on a worker thread) and report back with saveFinished().
struct SaveJob {
    Report report;
    std::vector<Photo> photos;
};

struct FlowConfig {
    std::int64_t idleWarnMs = 60'000;  // no touch for this long: "are you still there?"
    std::int64_t idleWipeMs = 20'000;  // then this long more: wipe everything
    // The receipt counts down this long, touched or not (the next visitor's touches must not keep
    // it), then wipes like an idle screen; "more time" starts the count again.
    std::int64_t receiptMs = 60'000;
    std::size_t maxPhotos = 5;
    std::size_t regionResults = 8;
    std::string deviceId = "kiosk-dev";
    std::string office;
    TimeZone zone;  // the office's zone (device.time_zone), for "today" and the time on the slip
};

class Flow {
  public:
    Flow(const Clock& clock, const Catalog& catalog, const RegionSource& regions,
         const CatalogSource& agencies, FlowConfig config);

    // ---- state the views read
    [[nodiscard]] Screen screen() const { return screen_; }
    [[nodiscard]] Lang lang() const { return lang_; }
    [[nodiscard]] const Draft& draft() const { return draft_; }
    [[nodiscard]] const RegionPicker& regionPicker() const { return picker_; }
    [[nodiscard]] const std::optional<Receipt>& receipt() const { return receipt_; }
    [[nodiscard]] bool largeText() const { return largeText_; }
    [[nodiscard]] const std::string& assistedBy() const { return assistedBy_; }
    // The inline message under a field, if it has one (in no language yet: render with catalog).
    [[nodiscard]] const Text* error(Field field) const;
    [[nodiscard]] bool hasErrors() const { return !errors_.empty(); }
    // Why the last save failed (for the saveFailed screen; the visitor is asked to call staff).
    [[nodiscard]] const Text& saveError() const { return saveError_; }
    // What the saveFailed screen says under its heading, and readAloud() speaks: why, call staff,
    // nothing is lost.
    [[nodiscard]] std::array<Text, 3> saveFailedLines() const;
    // Photos: which one is shown large (none: the live preview), which one a capture replaces.
    [[nodiscard]] std::optional<std::size_t> viewedPhoto() const { return viewedPhoto_; }
    [[nodiscard]] std::optional<std::size_t> retakeIndex() const { return retakeIndex_; }
    [[nodiscard]] bool canTakePhoto() const;
    [[nodiscard]] std::size_t maxPhotos() const { return config_.maxPhotos; }
    [[nodiscard]] const std::string& office() const { return config_.office; }
    [[nodiscard]] const TimeZone& zone() const { return config_.zone; }
    // What the kiosk's configuration lacks before it may take reports (a report without an
    // office is refused by the server for good): catalog keys of messages for staff, empty when
    // the kiosk is ready. start() does nothing while any is missing.
    [[nodiscard]] std::vector<std::string> setupProblems() const;
    // What staff should know but that does not stop the kiosk (reports wait safely in the
    // store): catalog keys, e.g. "not enrolled yet" while the agent has no device token.
    [[nodiscard]] std::vector<std::string> setupNotices() const;
    // The agent's state as the store's status table says (the app reads it now and then).
    // True when that changed what the welcome screen shows.
    bool setAgentWaitsForEnrolment(bool waits) {
        return std::exchange(agentWaitsForEnrolment_, waits) != waits;
    }
    [[nodiscard]] std::vector<CatalogChoice> agencies() const;
    [[nodiscard]] std::vector<CatalogChoice> topics() const;  // of the chosen agency
    // The step number of this screen and how many steps there are (for "Langkah 3 dari 7").
    [[nodiscard]] int stepNumber() const;
    [[nodiscard]] int stepCount() const;
    [[nodiscard]] Date today() const;
    // True once anything was entered since the last wipe.
    [[nodiscard]] bool dirty() const;

    // ---- idle: after idleWarnMs without a touch a countdown, after idleWipeMs more a wipe
    [[nodiscard]] bool idleWarning() const { return idleWarning_; }
    // Whole seconds left before the wipe while the warning shows.
    [[nodiscard]] int idleSecondsLeft() const;
    // When the app must call tick() next (monotonic ms), so it can sleep on events until then.
    [[nodiscard]] std::int64_t nextDeadlineMs() const;
    // Advances timers; true when something on screen changed.
    bool tick();
    // Any touch on the screen (the app calls this for every press).
    void touch();
    // The big "more time" button of the idle warning, and the receipt's.
    void moreTime();
    // Whole seconds before the receipt is wiped (0 on other screens).
    [[nodiscard]] int receiptSecondsLeft() const;

    // ---- events
    void setLang(Lang lang);
    void start();  // welcome -> kind
    void chooseKind(ReportKind kind);
    void next();               // validates this screen; moves on only when it is fine
    void back();               // keeps everything entered
    void cancel();             // "start over": wipe and back to welcome
    void edit(Screen screen);  // from review: jump to a screen to change it

    void setText(Field field, std::string value);
    [[nodiscard]] const std::string& text(Field field) const;
    void setIncidentDate(Date date);
    void setRegionQuery(std::string query);
    void pickRegion(std::size_t choiceIndex);  // drills down, or picks the village
    void regionUp();                           // one level back up the drill-down
    void chooseAgency(std::string id);
    void chooseTopic(std::string id);
    void setAnonymous(bool anonymous);
    void setConfidential(bool confidential);
    void setConsent(bool consent);
    // Review: NIK and phone show masked until the visitor taps them (someone may be looking over
    // their shoulder); masked again whenever the screen changes.
    [[nodiscard]] bool revealed(Field field) const;
    void toggleReveal(Field field);

    void addPhoto(DraftPhoto photo);  // a capture: appended, or replacing the one being retaken
    void viewPhoto(std::optional<std::size_t> index);
    void retakePhoto(std::size_t index);
    void deletePhoto(std::size_t index);

    // review -> saving: validates everything and hands out the report to store (with a fresh UUID
    // and a receipt code from `sink`); nullopt when a field is wrong (the flow then shows the
    // screen holding it) or no receipt code could be drawn (saveFailed).
    [[nodiscard]] std::optional<SaveJob> beginSave(ReportSink& sink);
    // saving -> receipt (the draft is wiped, only the receipt is kept) or saveFailed (input kept).
    // `result`: the receipt code the store assigned, or why the save failed.
    void saveFinished(const Result<std::string>& result);
    void retrySave();  // saveFailed -> review
    void finish();     // receipt -> wipe -> welcome

    // Staff assisted mode: the staff member's id is recorded in the report as assistedBy.
    void setAssistedBy(std::string staffId);
    void toggleLargeText();
    // Reads the current screen aloud in the visitor's language through `voice`, if the kiosk has
    // one: without a sound device the visitor is told so on screen (speechUnavailable) instead of
    // hearing nothing.
    void readAloud(Voice* voice);
    // True after read-aloud was asked for on this screen and there is no sound to give.
    [[nodiscard]] bool speechUnavailable() const { return speechUnavailable_; }
    // What readAloud() says: the screen's title and guidance, and its inline messages.
    [[nodiscard]] std::string screenSpeech() const;

    // Counts wipes (tests and the app's screen refresh check it).
    [[nodiscard]] int wipeCount() const { return wipes_; }

  private:
    void go(Screen screen);
    void wipeAll();
    [[nodiscard]] bool validate(Screen screen);
    void revalidate(Field field);
    // The steps this visitor goes through, in order (kSteps less "about" for an anonymous one).
    [[nodiscard]] std::vector<Screen> steps() const;
    [[nodiscard]] Screen nextOf(Screen s) const;
    [[nodiscard]] Screen prevOf(Screen s) const;
    [[nodiscard]] Report buildReport() const;
    // core/validation over the whole report (normalizing it in place), mapped onto Field.
    [[nodiscard]] std::vector<std::pair<Field, Text>> fieldErrors(Report& report) const;
    std::string& textRef(Field field);

    const Clock& clock_;
    bool agentWaitsForEnrolment_ = false;
    const Catalog& catalog_;
    const RegionSource& regions_;
    const CatalogSource& agencyCatalog_;
    FlowConfig config_;

    Screen screen_ = Screen::welcome;
    Lang lang_ = Lang::id;
    Draft draft_;
    RegionPicker picker_;
    std::optional<Receipt> receipt_;
    std::optional<Receipt> pending_;  // what the receipt will show once the save succeeds
    std::map<Field, Text> errors_;
    std::vector<Field> attempted_;  // fields whose errors update as the visitor types
    Text saveError_;
    std::optional<std::size_t> viewedPhoto_;
    std::optional<std::size_t> retakeIndex_;
    bool fromReview_ = false;      // an edit() from review: next() goes back there
    std::vector<Field> revealed_;  // review: masked fields shown in clear
    bool largeText_ = false;
    std::string assistedBy_;
    std::int64_t lastTouchMs_ = 0;
    std::int64_t receiptUntilMs_ = 0;  // monotonic; when the receipt is wiped
    int receiptShownSeconds_ = -1;     // the countdown as last drawn, so tick() knows it moved
    bool idleWarning_ = false;
    bool speechUnavailable_ = false;
    int wipes_ = 0;
};

}  // namespace lapor::kiosk
