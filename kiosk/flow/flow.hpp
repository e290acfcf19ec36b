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
#include "core/lookup_guard.hpp"
#include "core/report.hpp"
#include "core/staff.hpp"
#include "core/time_zone.hpp"
#include "kiosk/flow/panel.hpp"
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
    // Staff (kiosk/flow/flow_staff.cpp): the PIN keypad, the panel, and the hand-over of an
    // assisted report to the citizen before its review.
    staffSignIn,
    staffPanel,
    handOver,
    // A returning visitor (kiosk/flow/flow_status.cpp): the receipt code typed or held up to the
    // camera as the slip's QR, what became of the report, and the citizen's reply to the agency.
    statusCode,
    status,
    reply,        // what the reply says (information, or "this does not resolve it")
    replyReview,  // the reply as it will be sent, with its send button
    replySaving,
    replyDone,
    // The spoken note (kiosk/flow/flow_media.cpp): opened from "what", back to it when done.
    voice,
};
// Screens only staff use: the visitor's idle warning does not run there, the staff idle does.
[[nodiscard]] constexpr bool isStaffScreen(Screen s) noexcept {
    return s == Screen::staffSignIn || s == Screen::staffPanel;
}
// Stable English name ("welcome", "what", ...) for logs, scripts and screenshots.
[[nodiscard]] const char* screenName(Screen screen) noexcept;
// The catalog key of a report kind's name ("kiosk.kind.pengaduan").
[[nodiscard]] const char* kindMsgid(ReportKind kind) noexcept;
// The catalog key naming what a region is ("kiosk.region.level.district" for a kecamatan,
// ".village" for a desa, ".kelurahan"), from the depth of its code ("11.01.01" is a kecamatan)
// and, for villages, the decree's numbering (1xxx kelurahan, 2xxx desa).
[[nodiscard]] const char* regionLevelMsgid(const RegionChoice& choice) noexcept;
// A duration as a clock shows it: "0:42", "2:00" (whole seconds, rounded down).
[[nodiscard]] std::string clockText(std::int64_t ms);

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
    statusCode,  // the receipt code a returning visitor types
    replyText,   // the citizen's reply to the agency's follow-up
};

struct DraftPhoto {
    Photo photo;      // stored with the report
    Photo thumbnail;  // for the screen
};

// What the visitor is recording now (kiosk/flow/flow_media.cpp): a video clip on the photos
// screen, a spoken note on the voice screen. The app holds the recorder; the flow holds the rule.
enum class Recording : std::uint8_t { none, video, voice };

// A recorded video clip or spoken note, with a picture for the screen (a video's first frame as
// a JPEG; empty for a note).
struct DraftClip {
    Clip clip;
    Photo thumbnail;
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
    std::optional<DraftClip> video;  // one clip from the kiosk's camera (photos screen)
    std::optional<DraftClip> voice;  // one spoken note (voice screen), instead of or with the body
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
    std::vector<Clip> clips;  // the video clip, then the spoken note (stored after the photos)
};

// The receipt code a returning visitor types (or the camera reads off the slip's QR), and what
// the last lookup found.
struct StatusLookup {
    std::string code;                // as typed: spaces, dashes and lower case are fine
    bool looking = false;            // the app is asking the store
    std::optional<Text> message;     // why the last lookup showed nothing, in no language yet
    std::int64_t pausedUntilMs = 0;  // monotonic: wrong codes pause the lookups (LookupGuard)
    std::string lastQr;  // the last QR code read: held up, it is looked up once, not per frame
};

// A lookup the app runs on its worker (StatusSource::lookup) and reports with lookupFinished().
struct LookupJob {
    std::string code;  // canonical
};

// The citizen's reply to the agency's follow-up, while it is being written.
struct ReplyDraft {
    std::optional<ReplyKind> kind;
    std::string text;
    std::string id;  // the reply's UUID (its Idempotency-Key), drawn when it is first reviewed
    std::optional<Text> saveError;  // why the last save failed
};

// A reply to store (StatusSource::saveReply) on the worker, reported with replySaved().
struct ReplyJob {
    Reply reply;
    std::vector<Photo> photos;
};

// Who is signed in at the kiosk (after a good PIN).
struct StaffSession {
    std::string id;
    std::string name;
};

// The staff sign-in keypad: the staff id, then the PIN (shown masked). The PIN's digits live only
// here until the check takes them (beginSignIn) and are wiped on every change.
// After a sign-in with a PIN reset by an operator (pinMustChange) the keypad asks for a new PIN,
// twice (newPin, then confirmPin in `pin2`), before the session opens.
enum class PadStage : std::uint8_t { id, pin, newPin, confirmPin };
struct SignInPad {
    PadStage stage = PadStage::id;
    std::string id;
    std::string pin;
    std::string pin2;                 // the new PIN typed again
    std::optional<StaffSession> who;  // signed in, the new PIN still to choose
    bool checking = false;            // the worker is checking the PIN
    std::optional<Text> message;      // why the last sign-in failed, in no language yet
    std::int64_t lockedUntilMs = 0;   // wall ms: the lockout pause of that account
};

// A PIN check the app runs on its worker thread (an Argon2id check takes 100-350 ms) and reports
// back with signInFinished(). Whoever runs it wipes `pin` after the check.
struct SignInJob {
    std::string id;
    std::string pin;
};

// A new PIN to store (StaffBook::resetPin by the account itself, which clears pinMustChange), run
// on the worker and reported back with pinChangeFinished(). Whoever runs it wipes `pin`.
struct PinChangeJob {
    std::string id;
    std::string pin;
};
enum class PinChangeResult : std::uint8_t { changed, weak, storage };

// Enrolment from the staff panel while the agent has no device token (sync/enrol.hpp, the same
// steps as `lapor-ctl enroll CODE`); run on the worker, reported back with enrolFinished().
struct EnrolJob {
    std::string staffId;
    std::string code;  // wiped by whoever runs it; never logged nor audited
};
enum class EnrolState : std::uint8_t {
    none,         // nothing tried since the panel opened
    working,      // the worker talks to the server
    enrolled,     // the token is in its file: the agent sends from now on
    refused,      // the code is used, expired or unknown
    unreachable,  // no network or the server did not answer: try again
    notSetUp,     // no sync settings or no device key: for the technician
    failed,       // anything else (the token file could not be written)
};

// Something staff did or that happened to their session, for the audit (the app writes it
// through StaffBook::record on the worker): sign-outs and why.
struct StaffNote {
    std::string staffId;
    std::string action;
    std::string detail;
};

struct FlowConfig {
    std::int64_t idleWarnMs = 60'000;  // no touch for this long: "are you still there?"
    std::int64_t idleWipeMs = 20'000;  // then this long more: wipe everything
    // The receipt counts down this long, touched or not (the next visitor's touches must not keep
    // it), then wipes like an idle screen; "more time" starts the count again.
    std::int64_t receiptMs = 60'000;
    // Signed-in staff are signed out after this long without a touch (kiosk.staff_idle_s).
    std::int64_t staffIdleMs = 120'000;
    // How long the welcome screen's corner must be held to open the staff sign-in.
    std::int64_t staffPressMs = 2'000;
    std::size_t maxPhotos = 5;
    std::int64_t videoMaxMs = 30'000;   // kiosk.video_max_s
    std::int64_t voiceMaxMs = 120'000;  // kiosk.voice_max_s
    std::size_t maxReplyChars = 4000;   // the protocol's limit on a reply's text (4.5)
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
    // A signed-in staff member started this report for the citizen (startAssisted).
    [[nodiscard]] bool assisted() const;
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

    // ---- staff (kiosk/flow/flow_staff.cpp)
    [[nodiscard]] const std::optional<StaffSession>& staff() const { return staff_; }
    [[nodiscard]] const SignInPad& pad() const { return pad_; }
    [[nodiscard]] std::int64_t staffPressMs() const { return config_.staffPressMs; }
    // The name of who assists this report (the signed-in staff member who started it).
    [[nodiscard]] const std::string& assistedName() const { return assistedName_; }
    // The long press in the welcome screen's corner: the keypad (only on the welcome screen).
    void openStaffSignIn();
    void padDigit(char digit);
    void padBackspace();
    // Id entered: on to the PIN.
    void padNext();
    // Back to the id, or out of the keypad from the id.
    void padBack();
    // The PIN entered: the check to run (the pad's copy of the PIN is wiped); nullopt when there
    // is nothing to check yet, a check is running, or the account is still paused.
    [[nodiscard]] std::optional<SignInJob> beginSignIn();
    void signInFinished(const staff::SignInResult& result);
    // What the keypad says about the last try (the pause's seconds filled in), if anything.
    [[nodiscard]] std::optional<Text> padMessage() const;
    // Seconds left of the lockout pause shown on the keypad (0: none).
    [[nodiscard]] int lockSecondsLeft() const;
    void signOut(std::string_view why);
    // Signed-in staff start a report for the citizen in front of the kiosk: the report records
    // the staff id, and before its review the kiosk is handed back to the citizen.
    void startAssisted();
    // handOver -> review: the citizen holds the kiosk now.
    void handOverDone();
    void openPanel();
    void closePanel();
    // What the panel shows (the app reads it on the worker and hands it over).
    void setPanel(PanelSnapshot snapshot);
    [[nodiscard]] const PanelSnapshot& panel() const { return panel_; }
    // The receipt code typed on the panel for a reprint.
    void setPanelCode(std::string code);
    [[nodiscard]] const std::string& panelCode() const { return panelCode_; }
    void setPanelNotice(std::optional<Text> notice) { panelNotice_ = std::move(notice); }
    [[nodiscard]] const std::optional<Text>& panelNotice() const { return panelNotice_; }
    // Enrolment on the panel: offered to signed-in staff while the agent waits for a token.
    [[nodiscard]] bool enrolOffered() const;
    void setEnrolCode(std::string code);
    [[nodiscard]] const std::string& enrolCode() const { return enrolCode_; }
    // The code typed: the job to run (the typed copy is wiped); nullopt while one runs or empty.
    [[nodiscard]] std::optional<EnrolJob> beginEnrol();
    void enrolFinished(EnrolState outcome);
    [[nodiscard]] EnrolState enrolState() const { return enrolState_; }
    // What the panel's enrolment section says (progress or outcome), if anything.
    [[nodiscard]] std::optional<Text> enrolMessage() const;
    // The new PIN entered twice: the job to run; nullopt (and a message) when the two differ or
    // it is too short.
    [[nodiscard]] std::optional<PinChangeJob> beginPinChange();
    void pinChangeFinished(PinChangeResult result);
    // Audit notes since the last call (the app writes them).
    [[nodiscard]] std::vector<StaffNote> takeStaffNotes() { return std::exchange(notes_, {}); }
    void toggleLargeText();
    // Reads the current screen aloud in the visitor's language through `voice`, if the kiosk has
    // one: without a sound device the visitor is told so on screen (speechUnavailable) instead of
    // hearing nothing.
    void readAloud(Voice* voice);
    // True after read-aloud was asked for on this screen and there is no sound to give.
    [[nodiscard]] bool speechUnavailable() const { return speechUnavailable_; }
    // What readAloud() says: the screen's title and guidance, and its inline messages.
    [[nodiscard]] std::string screenSpeech() const;

    // ---- a returning visitor (kiosk/flow/flow_status.cpp)
    // welcome (or the staff panel) -> the code entry.
    void openStatus();
    [[nodiscard]] const StatusLookup& lookup() const { return lookup_; }
    // A code read off a slip's QR by the camera: put in and looked up at once (nullopt while one
    // is already being looked up, or it is the code just shown).
    [[nodiscard]] std::optional<LookupJob> scannedCode(std::string code);
    // The code entered: its check symbol first (a mistyped code says so and costs nothing), then
    // the pause of wrong codes; nullopt when there is nothing to look up now (the message says
    // why).
    [[nodiscard]] std::optional<LookupJob> beginLookup();
    // What the store answered (Errc::notFound: no report here has this code), and when the agent
    // last reached the national system (for "offline for 3 days").
    void lookupFinished(const Result<ReportStatus>& result, std::int64_t lastContactMs);
    // Seconds left of the wrong-code pause (0: none).
    [[nodiscard]] int lookupPauseSecondsLeft() const;
    // The report the status screen shows (none on other screens).
    [[nodiscard]] const std::optional<ReportStatus>& status() const { return status_; }
    [[nodiscard]] std::int64_t lastContactMs() const { return lastContactMs_; }
    // The status screen was opened by staff from their panel (back leads there).
    [[nodiscard]] bool statusForStaff() const { return statusForStaff_; }
    // status -> reply (only while the report takes replies).
    void startReply();
    void chooseReplyKind(ReplyKind kind);
    [[nodiscard]] const ReplyDraft& replyDraft() const { return reply_; }
    // The photos screen serves the reply: its back and next lead to the reply.
    [[nodiscard]] bool replying() const { return replying_; }
    void replyPhotos();  // reply -> photos
    // replyReview -> replySaving: the reply to store; nullopt when it is not complete.
    [[nodiscard]] std::optional<ReplyJob> beginReplySave();
    // replySaving -> replyDone (photos wiped) or back to replyReview with the reason.
    void replySaved(const Status& result);

    // ---- video clips and spoken notes (kiosk/flow/flow_media.cpp)
    [[nodiscard]] Recording recording() const { return recording_; }
    // A recording of `what` may start now: the photos screen for a video (none being viewed), the
    // voice screen for a note, nothing recording, nothing being taken.
    [[nodiscard]] bool canRecord(Recording what) const;
    // The app's recorder started: while it runs the visitor's idle timer holds (they are
    // speaking or filming, not touching), and back, next and edits wait. False (and nothing
    // changes) when canRecord(what) is not true: the app then drops its recorder.
    bool recordingStarted(Recording what);
    // The recording ended: the clip replaces the draft's one (a retake keeps the old one until
    // the new one is there).
    void clipRecorded(Recording what, DraftClip clip);
    // The recording could not start or failed (no microphone, the encoder): `why` shows on the
    // screen, and what the draft had stays.
    void recordingFailed(Recording what, Text why);
    // Why the last recording failed (shown on the screen until the next try or screen).
    [[nodiscard]] const std::optional<Text>& mediaMessage() const { return mediaMessage_; }
    [[nodiscard]] std::int64_t maxRecordMs(Recording what) const;
    // The photos screen shows the recorded clip (playback, retake, delete) instead of the preview.
    [[nodiscard]] bool viewingVideo() const { return viewingVideo_; }
    void viewVideo(bool on);
    void deleteClip(Recording what);
    // what -> the voice screen.
    void openVoice();
    // The catalog text the report's body carries for a spoken note ("the complaint is in the
    // attached recording, 0:42"), in the visitor's language.
    [[nodiscard]] std::string voiceBodyNote() const;

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
    // Staff idle sign-out and the keypad's lockout countdown; true when the screen changed.
    bool staffTick();
    bool visitorTick();
    [[nodiscard]] std::int64_t visitorDeadlineMs() const;
    [[nodiscard]] std::int64_t staffDeadlineMs() const;
    void wipePad();
    void wipeStatus();
    // back() and next() on the returning visitor's screens; false: not one of them.
    bool statusBack();
    bool statusNext();
    void leaveStatus();
    [[nodiscard]] bool validateReply();
    void wipeMedia();
    // back() and next() on the voice screen; false: not on it.
    bool mediaNav();

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
    std::string assistedName_;
    bool handedOver_ = false;  // an assisted report went back to the citizen
    std::optional<StaffSession> staff_;
    std::int64_t staffTouchMs_ = 0;
    SignInPad pad_;
    int lockShownSeconds_ = -1;
    PanelSnapshot panel_;
    std::string panelCode_;
    std::optional<Text> panelNotice_;
    std::string enrolCode_;
    EnrolState enrolState_ = EnrolState::none;
    std::vector<StaffNote> notes_;
    LookupGuard guard_;
    StatusLookup lookup_;
    std::optional<ReportStatus> status_;
    std::int64_t lastContactMs_ = 0;
    bool statusForStaff_ = false;
    ReplyDraft reply_;
    bool replying_ = false;
    Recording recording_ = Recording::none;
    bool viewingVideo_ = false;
    std::optional<Text> mediaMessage_;
    std::int64_t lastTouchMs_ = 0;
    std::int64_t receiptUntilMs_ = 0;  // monotonic; when the receipt is wiped
    int receiptShownSeconds_ = -1;     // the countdown as last drawn, so tick() knows it moved
    bool idleWarning_ = false;
    bool speechUnavailable_ = false;
    int wipes_ = 0;
};

}  // namespace lapor::kiosk
