// The kiosk's filing flow: transitions, per-screen validation, idle wipe, save hand-off.
#include "kiosk/flow/flow.hpp"

#include <algorithm>

#include "core/log.hpp"
#include "core/receipt_code.hpp"
#include "core/uuid.hpp"
#include "core/validation.hpp"
#include "core/wipe.hpp"
#include "kiosk/flow/status_words.hpp"

namespace lapor::kiosk {

namespace {

// The screens a visitor steps through, in order (saving/saveFailed/receipt are not steps): the one
// list that next(), back(), the step numbers and the final check before a save all follow.
constexpr Screen kSteps[] = {Screen::kind,  Screen::what,   Screen::whom,  Screen::privacy,
                             Screen::about, Screen::photos, Screen::review};

// Which fields each screen holds, so a failed save or a wrong field sends the visitor there.
Screen screenOf(Field f) {
    switch (f) {
        case Field::kind: return Screen::kind;
        case Field::title:
        case Field::body:
        case Field::incidentDate:
        case Field::region:
        case Field::place: return Screen::what;
        case Field::agency:
        case Field::topic: return Screen::whom;
        case Field::name:
        case Field::nik:
        case Field::phone:
        case Field::email: return Screen::about;
        case Field::consent: return Screen::review;
        case Field::statusCode: return Screen::statusCode;
        case Field::replyText: return Screen::reply;
    }
    return Screen::review;
}

Text msg(std::string key) {
    return Text{std::move(key), {}};
}

// What the visitor reads when a save fails: a full store has its own words (staff can free room),
// whichever step found it full.
Text saveFailureMsg(const Error& error) {
    return msg(error.code == Errc::diskFull ? "kiosk.save_failed.disk_full"
                                            : "kiosk.save_failed.store");
}

void wipePhoto(Photo& p) {
    wipeBytes(p.jpeg);
    wipeString(p.sha256Hex);
}

// validateReport's field names onto the kiosk's fields.
std::optional<Field> fieldOf(std::string_view name) {
    static const std::pair<std::string_view, Field> map[] = {
        {fields::kind, Field::kind},         {fields::title, Field::title},
        {fields::body, Field::body},         {fields::incidentDate, Field::incidentDate},
        {fields::regionCode, Field::region}, {fields::place, Field::place},
        {fields::name, Field::name},         {fields::nik, Field::nik},
        {fields::phone, Field::phone},       {fields::email, Field::email}};
    for (const auto& [n, f] : map) {
        if (n == name) {
            return f;
        }
    }
    return std::nullopt;
}

}  // namespace

const char* screenName(Screen screen) noexcept {
    switch (screen) {
        case Screen::welcome: return "welcome";
        case Screen::kind: return "kind";
        case Screen::what: return "what";
        case Screen::whom: return "whom";
        case Screen::privacy: return "privacy";
        case Screen::about: return "about";
        case Screen::photos: return "photos";
        case Screen::review: return "review";
        case Screen::saving: return "saving";
        case Screen::saveFailed: return "saveFailed";
        case Screen::receipt: return "receipt";
        case Screen::staffSignIn: return "staffSignIn";
        case Screen::staffPanel: return "staffPanel";
        case Screen::handOver: return "handOver";
        case Screen::statusCode: return "statusCode";
        case Screen::status: return "status";
        case Screen::reply: return "reply";
        case Screen::replyReview: return "replyReview";
        case Screen::replySaving: return "replySaving";
        case Screen::replyDone: return "replyDone";
        case Screen::voice: return "voice";
    }
    return "?";
}

const char* kindMsgid(ReportKind kind) noexcept {
    switch (kind) {
        case ReportKind::pengaduan: return "kiosk.kind.pengaduan";
        case ReportKind::aspirasi: return "kiosk.kind.aspirasi";
        case ReportKind::permintaanInformasi: return "kiosk.kind.informasi";
    }
    return "kiosk.kind.pengaduan";
}

const char* regionLevelMsgid(const RegionChoice& choice) noexcept {
    const std::string_view code = choice.code;
    switch (code.size()) {
        case 2: return "kiosk.region.level.province";
        case 5:
            return std::string_view(choice.name).starts_with("Kota ")
                       ? "kiosk.region.level.city"
                       : "kiosk.region.level.regency";
        case 8: return "kiosk.region.level.district";
        default: break;
    }
    return code.size() > 9 && code[9] == '1' ? "kiosk.region.level.kelurahan"
                                             : "kiosk.region.level.village";
}

Flow::Flow(const Clock& clock, const Catalog& catalog, const RegionSource& regions,
           const CatalogSource& agencies, FlowConfig config)
    : clock_(clock),
      catalog_(catalog),
      regions_(regions),
      agencyCatalog_(agencies),
      config_(std::move(config)),
      guard_(clock) {
    lastTouchMs_ = clock_.monotonicMs();
    draft_.incidentDate = today();
    picker_.choices = regions_.children("");
}

// ---------------------------------------------------------------- reading

const Text* Flow::error(Field field) const {
    auto it = errors_.find(field);
    return it == errors_.end() ? nullptr : &it->second;
}

bool Flow::canTakePhoto() const {
    return recording_ == Recording::none &&
           (retakeIndex_.has_value() || draft_.photos.size() < config_.maxPhotos);
}

std::vector<CatalogChoice> Flow::agencies() const {
    return agencyCatalog_.agencies(langCode(lang_));
}

std::vector<CatalogChoice> Flow::topics() const {
    if (draft_.agencyId.empty()) {
        return {};
    }
    return agencyCatalog_.topics(draft_.agencyId, langCode(lang_));
}

std::vector<Screen> Flow::steps() const {
    std::vector<Screen> out;
    for (Screen s : kSteps) {
        if (!(s == Screen::about && draft_.anonymous)) {  // no identity for an anonymous report
            out.push_back(s);
        }
    }
    return out;
}

int Flow::stepNumber() const {
    if (replying_) {
        return 0;  // the photos of a reply are not a step of a report
    }
    const auto all = steps();
    // The spoken note is part of "what happened".
    const Screen shown = screen_ == Screen::voice ? Screen::what : screen_;
    const auto at = std::find(all.begin(), all.end(), shown);
    return at == all.end() ? 0 : static_cast<int>(at - all.begin()) + 1;
}

int Flow::stepCount() const {
    return static_cast<int>(steps().size());
}

Date Flow::today() const {
    return dateAt(clock_.wallMs(), config_.zone.utcOffsetMinutes);
}

bool Flow::dirty() const {
    return screen_ != Screen::welcome || draft_.kind || !draft_.title.empty() ||
           !draft_.body.empty() || !draft_.region.code.empty() || !draft_.place.empty() ||
           !draft_.agencyId.empty() || !draft_.identity.name.empty() ||
           !draft_.identity.nik.empty() || !draft_.identity.phone.empty() ||
           !draft_.identity.email.empty() || !draft_.photos.empty() || draft_.video ||
           draft_.voice || receipt_ || !assistedBy_.empty() || lang_ != Lang::id || largeText_ ||
           !pad_.id.empty() || !lookup_.code.empty() || status_;
}

// ---------------------------------------------------------------- idle

int Flow::idleSecondsLeft() const {
    if (!idleWarning_) {
        return 0;
    }
    const auto wipeAt = lastTouchMs_ + config_.idleWarnMs + config_.idleWipeMs;
    const auto left = wipeAt - clock_.monotonicMs();
    return left <= 0 ? 0 : static_cast<int>((left + 999) / 1000);
}

int Flow::receiptSecondsLeft() const {
    if (screen_ != Screen::receipt) {
        return 0;
    }
    const auto left = receiptUntilMs_ - clock_.monotonicMs();
    return left <= 0 ? 0 : static_cast<int>((left + 999) / 1000);
}

std::int64_t Flow::nextDeadlineMs() const {
    const std::int64_t staff = staffDeadlineMs();
    if (!dirty() || isStaffScreen(screen_)) {
        return staff;  // nothing of a visitor's to protect: sleep until touched
    }
    return std::min(staff, visitorDeadlineMs());
}

std::int64_t Flow::visitorDeadlineMs() const {
    if (screen_ == Screen::receipt) {
        // The countdown changes once a second; the last change is the wipe.
        const int left = receiptSecondsLeft();
        return left <= 1 ? receiptUntilMs_ : receiptUntilMs_ - (left - 1) * 1000;
    }
    const auto warnAt = lastTouchMs_ + config_.idleWarnMs;
    if (!idleWarning_) {
        return warnAt;
    }
    // The countdown changes once a second; wake on the next whole second and at the wipe.
    const auto now = clock_.monotonicMs();
    const auto wipeAt = warnAt + config_.idleWipeMs;
    const auto sinceWarn = now - warnAt;
    const auto nextSecond = warnAt + (sinceWarn / 1000 + 1) * 1000;
    return std::min(nextSecond, wipeAt);
}

bool Flow::tick() {
    const bool staffChanged = staffTick();
    if (!dirty() || isStaffScreen(screen_)) {
        return staffChanged;
    }
    return visitorTick() || staffChanged;
}

bool Flow::visitorTick() {
    if (recording_ != Recording::none) {
        // Speaking or filming is not touching: the idle timer holds while a recording runs.
        lastTouchMs_ = clock_.monotonicMs();
        return false;
    }
    if (screen_ == Screen::receipt) {
        if (clock_.monotonicMs() >= receiptUntilMs_) {
            log::info("kiosk", "receipt countdown over: wiping it for the next visitor");
            wipeAll();
            return true;
        }
        const int left = receiptSecondsLeft();
        const bool moved = left != receiptShownSeconds_;
        receiptShownSeconds_ = left;
        return moved;
    }
    const auto idleFor = clock_.monotonicMs() - lastTouchMs_;
    if (idleFor >= config_.idleWarnMs + config_.idleWipeMs) {
        log::info("kiosk", "idle timeout: wiping the visitor's input");
        wipeAll();
        return true;
    }
    if (idleFor >= config_.idleWarnMs) {
        idleWarning_ = true;
        return true;  // the countdown moved
    }
    return false;
}

void Flow::touch() {
    staffTouchMs_ = clock_.monotonicMs();
    // While the warning shows, only its button counts: a stray touch must not hide it unseen.
    if (!idleWarning_) {
        lastTouchMs_ = clock_.monotonicMs();
    }
}

void Flow::moreTime() {
    idleWarning_ = false;
    lastTouchMs_ = clock_.monotonicMs();
    if (screen_ == Screen::receipt) {
        receiptUntilMs_ = lastTouchMs_ + config_.receiptMs;
    }
}

// ---------------------------------------------------------------- moving

void Flow::go(Screen screen) {
    screen_ = screen;
    revealed_.clear();
    if (screen == Screen::review && draft_.uuid.empty()) {
        // Drawn here, not at the save, so that the photos can be sealed for it while the
        // visitor reviews (ReportSink::sealAhead). A retried save keeps it: nothing was stored.
        draft_.uuid = newUuidV4();
    }
    viewedPhoto_.reset();
    retakeIndex_.reset();
    viewingVideo_ = false;
    mediaMessage_.reset();
    speechUnavailable_ = false;
}

void Flow::setLang(Lang lang) {
    lang_ = lang;
}

std::vector<std::string> Flow::setupProblems() const {
    std::vector<std::string> missing;
    if (config_.office.empty()) {
        missing.emplace_back("kiosk.setup.no_office");
    }
    return missing;
}

std::vector<std::string> Flow::setupNotices() const {
    std::vector<std::string> notices;
    if (agentWaitsForEnrolment_) {
        notices.emplace_back("kiosk.setup.not_enrolled");
    }
    return notices;
}

void Flow::start() {
    if (screen_ != Screen::welcome) {
        return;
    }
    if (!setupProblems().empty()) {
        // Every report filed now would be parked for good after the visitor was told it is sent.
        log::warn("kiosk", "not taking reports: device.office is not configured");
        return;
    }
    if (staff_) {
        signOut("a visitor started a report");
    }
    go(Screen::kind);
}

void Flow::chooseKind(ReportKind kind) {
    draft_.kind = kind;
    errors_.erase(Field::kind);
    if (screen_ == Screen::kind) {
        next();
    }
}

Screen Flow::nextOf(Screen s) const {
    const auto all = steps();
    if (s == Screen::welcome) {
        return all.front();
    }
    const auto at = std::find(all.begin(), all.end(), s);
    return at == all.end() || at + 1 == all.end() ? s : *(at + 1);
}

Screen Flow::prevOf(Screen s) const {
    if (s == Screen::saveFailed) {
        return Screen::review;
    }
    const auto all = steps();
    const auto at = std::find(all.begin(), all.end(), s);
    if (at == all.end()) {
        return s;
    }
    return at == all.begin() ? Screen::welcome : *(at - 1);
}

void Flow::next() {
    if (recording_ != Recording::none || mediaNav() || statusNext()) {
        return;
    }
    if (screen_ == Screen::welcome) {
        start();
        return;
    }
    if (screen_ == Screen::review || screen_ == Screen::saving || screen_ == Screen::saveFailed ||
        screen_ == Screen::receipt) {
        return;  // review moves on with beginSave(), the others by their own events
    }
    if (!validate(screen_)) {
        return;
    }
    if (fromReview_) {
        fromReview_ = false;
        go(Screen::review);
        return;
    }
    const Screen to = nextOf(screen_);
    if (to == Screen::review && !assistedBy_.empty() && !handedOver_) {
        // An assisted report: the citizen reviews and consents, not the staff member.
        if (staff_) {
            signOut("handed the kiosk to the citizen");
        }
        go(Screen::handOver);
        return;
    }
    go(to);
}

void Flow::back() {
    if (recording_ != Recording::none || mediaNav() || statusBack()) {
        return;
    }
    if (screen_ == Screen::saving || screen_ == Screen::receipt || screen_ == Screen::welcome) {
        return;
    }
    if (screen_ == Screen::handOver) {
        go(Screen::photos);
        return;
    }
    fromReview_ = false;
    go(prevOf(screen_));
}

void Flow::cancel() {
    if (screen_ == Screen::saving || screen_ == Screen::replySaving) {
        return;
    }
    wipeAll();
}

bool Flow::assisted() const {
    return !assistedBy_.empty();
}

void Flow::edit(Screen screen) {
    if (screen_ != Screen::review) {
        return;
    }
    const auto all = steps();
    if (std::find(all.begin(), all.end(), screen) == all.end()) {
        return;  // not a step of this report (about, for an anonymous one)
    }
    fromReview_ = true;
    go(screen);
}

// ---------------------------------------------------------------- fields

std::string& Flow::textRef(Field field) {
    switch (field) {
        case Field::title: return draft_.title;
        case Field::body: return draft_.body;
        case Field::place: return draft_.place;
        case Field::name: return draft_.identity.name;
        case Field::nik: return draft_.identity.nik;
        case Field::phone: return draft_.identity.phone;
        case Field::email: return draft_.identity.email;
        case Field::statusCode: return lookup_.code;
        case Field::replyText: return reply_.text;
        default: break;
    }
    static std::string none;
    none.clear();
    return none;
}

const std::string& Flow::text(Field field) const {
    return const_cast<Flow*>(this)->textRef(field);
}

void Flow::setText(Field field, std::string value) {
    std::string& target = textRef(field);
    wipeString(target);
    target = std::move(value);
    if (field == Field::statusCode) {
        lookup_.message.reset();  // answered by what the visitor types now
        return;
    }
    if (field == Field::replyText) {
        if (std::find(attempted_.begin(), attempted_.end(), field) != attempted_.end()) {
            (void)validateReply();
        }
        return;
    }
    revalidate(field);
}

void Flow::setIncidentDate(Date date) {
    draft_.incidentDate = date;
    revalidate(Field::incidentDate);
}

void Flow::setRegionQuery(std::string query) {
    picker_.query = std::move(query);
    if (picker_.query.empty()) {
        picker_.choices = regions_.children(picker_.path.empty() ? "" : picker_.path.back().code);
    } else {
        picker_.path.clear();
        picker_.choices = regions_.search(picker_.query, config_.regionResults);
    }
}

void Flow::pickRegion(std::size_t choiceIndex) {
    if (choiceIndex >= picker_.choices.size()) {
        return;
    }
    RegionChoice choice = picker_.choices[choiceIndex];
    if (choice.village) {
        draft_.region = std::move(choice);
        revalidate(Field::region);
        return;
    }
    // A province, regency or district: go one level down until a village is picked.
    picker_.query.clear();
    picker_.choices = regions_.children(choice.code);
    picker_.path.push_back(std::move(choice));
}

void Flow::regionUp() {
    if (!picker_.path.empty()) {
        picker_.path.pop_back();
    }
    picker_.query.clear();
    picker_.choices = regions_.children(picker_.path.empty() ? "" : picker_.path.back().code);
}

void Flow::chooseAgency(std::string id) {
    if (id != draft_.agencyId) {
        draft_.topicId.clear();
    }
    draft_.agencyId = std::move(id);
    revalidate(Field::agency);
}

void Flow::chooseTopic(std::string id) {
    draft_.topicId = std::move(id);
    revalidate(Field::topic);
}

void Flow::setAnonymous(bool anonymous) {
    draft_.anonymous = anonymous;
}
void Flow::setConfidential(bool confidential) {
    draft_.confidential = confidential;
}

void Flow::setConsent(bool consent) {
    draft_.consent = consent;
    revalidate(Field::consent);
}

bool Flow::revealed(Field field) const {
    return std::find(revealed_.begin(), revealed_.end(), field) != revealed_.end();
}

void Flow::toggleReveal(Field field) {
    if (screen_ != Screen::review || (field != Field::nik && field != Field::phone)) {
        return;
    }
    if (auto it = std::find(revealed_.begin(), revealed_.end(), field); it != revealed_.end()) {
        revealed_.erase(it);
    } else {
        revealed_.push_back(field);
    }
}

// ---------------------------------------------------------------- photos

void Flow::addPhoto(DraftPhoto photo) {
    if (screen_ != Screen::photos) {
        return;
    }
    if (retakeIndex_ && *retakeIndex_ < draft_.photos.size()) {
        wipePhoto(draft_.photos[*retakeIndex_].photo);
        wipePhoto(draft_.photos[*retakeIndex_].thumbnail);
        draft_.photos[*retakeIndex_] = std::move(photo);
        retakeIndex_.reset();
        return;
    }
    if (draft_.photos.size() >= config_.maxPhotos) {
        return;
    }
    draft_.photos.push_back(std::move(photo));
}

void Flow::viewPhoto(std::optional<std::size_t> index) {
    if (index && *index >= draft_.photos.size()) {
        return;
    }
    viewedPhoto_ = index;
    retakeIndex_.reset();
}

void Flow::retakePhoto(std::size_t index) {
    if (index >= draft_.photos.size()) {
        return;
    }
    retakeIndex_ = index;
    viewedPhoto_.reset();  // back to the live preview for the new shot
}

void Flow::deletePhoto(std::size_t index) {
    if (index >= draft_.photos.size()) {
        return;
    }
    wipePhoto(draft_.photos[index].photo);
    wipePhoto(draft_.photos[index].thumbnail);
    draft_.photos.erase(draft_.photos.begin() + static_cast<std::ptrdiff_t>(index));
    viewedPhoto_.reset();
    retakeIndex_.reset();
}

// ---------------------------------------------------------------- saving

Report Flow::buildReport() const {
    Report r;
    r.kind = draft_.kind.value_or(ReportKind::pengaduan);
    r.title = draft_.title;
    r.body = draft_.body;
    if (draft_.voice) {
        // The agency reads that the visitor spoke their report (a body is required): the note
        // follows the words typed, if any, so that the body rule holds with a note alone.
        r.body += (r.body.empty() ? "" : "\n\n") + voiceBodyNote();
    }
    r.incidentDate = draft_.incidentDate;
    r.regionCode = draft_.region.code;
    r.place = draft_.place;
    r.agencyId = draft_.agencyId;
    r.topicId = draft_.topicId;
    r.anonymous = draft_.anonymous;
    r.confidential = draft_.confidential;
    if (!draft_.anonymous) {
        r.identity = draft_.identity;
    }
    r.assistedBy = assistedBy_;
    r.deviceId = config_.deviceId;
    r.office = config_.office;
    r.language = std::string(langCode(lang_));
    r.createdAtMs = clock_.wallMs();
    r.utcOffsetMinutes = config_.zone.utcOffsetMinutes;
    return r;
}

std::vector<std::pair<Field, Text>> Flow::fieldErrors(Report& report) const {
    std::vector<std::pair<Field, Text>> out;
    const auto isDistrict = [this](std::string_view six) { return regions_.hasDistrict(six); };
    const auto exists = [this](std::string_view code) { return regions_.exists(code); };
    for (auto& e : validateReport(report, isDistrict, today(), exists)) {
        if (auto f = fieldOf(e.field)) {
            out.emplace_back(*f, std::move(e.message));
        } else {
            log::warn("kiosk", "validation names an unknown field: " + e.field);
        }
    }
    return out;
}

std::optional<SaveJob> Flow::beginSave(ReportSink& /*sink: assigns the code when it saves*/) {
    if (screen_ != Screen::review) {
        return std::nullopt;
    }
    // Every screen again: an edit() or a toggled Anonim may have changed what is needed.
    for (Screen s : steps()) {
        if (!validate(s)) {
            if (s != Screen::review) {
                fromReview_ = true;
                go(s);
            }
            return std::nullopt;
        }
    }
    SaveJob job;
    job.report = buildReport();
    // Stored in the normalized forms validation produced (tidied text, E.164 phone).
    (void)fieldErrors(job.report);
    job.report.uuid = draft_.uuid.empty() ? newUuidV4() : draft_.uuid;
    job.report.receiptCode.clear();
    job.photos.reserve(draft_.photos.size());
    for (const auto& p : draft_.photos) {
        job.photos.push_back(p.photo);
    }
    for (const auto* c : {&draft_.video, &draft_.voice}) {
        if (*c) {
            job.clips.push_back((*c)->clip);
        }
    }
    pending_ = Receipt{job.report.receiptCode, job.report.uuid,        job.report.kind,
                       job.report.title,       job.report.createdAtMs, job.report.utcOffsetMinutes};
    go(Screen::saving);
    return job;
}

void Flow::saveFinished(const Result<std::string>& result) {
    if (screen_ != Screen::saving) {
        return;
    }
    if (!result.ok()) {
        log::error("kiosk", "save failed: " + std::string(errcName(result.error().code)) + ": " +
                                result.error().message);
        saveError_ = saveFailureMsg(result.error());
        pending_.reset();
        go(Screen::saveFailed);
        return;
    }
    pending_->receiptCode = result.value();
    log::info("kiosk", "report stored: receipt " + pending_->receiptCode);
    // Stored: nothing the visitor typed needs to stay in memory any more.
    Receipt kept = std::move(*pending_);
    pending_.reset();
    const Lang lang = lang_;
    const bool large = largeText_;
    wipeAll();
    lang_ = lang;
    largeText_ = large;
    receipt_ = std::move(kept);
    lastTouchMs_ = clock_.monotonicMs();
    receiptUntilMs_ = lastTouchMs_ + config_.receiptMs;
    receiptShownSeconds_ = -1;
    screen_ = Screen::receipt;
}

std::array<Text, 3> Flow::saveFailedLines() const {
    return {saveError_, msg("kiosk.saveFailed.call_staff"), msg("kiosk.saveFailed.kept")};
}

void Flow::retrySave() {
    if (screen_ == Screen::saveFailed) {
        go(Screen::review);
    }
}

void Flow::finish() {
    if (screen_ == Screen::receipt) {
        wipeAll();
    }
}

// ---------------------------------------------------------------- the rest

void Flow::toggleLargeText() {
    largeText_ = !largeText_;
}

void Flow::wipeAll() {
    wipeString(draft_.title);
    wipeString(draft_.body);
    wipeString(draft_.place);
    wipeIdentity(draft_.identity);
    for (auto& p : draft_.photos) {
        wipePhoto(p.photo);
        wipePhoto(p.thumbnail);
    }
    wipeMedia();
    draft_ = Draft{};
    draft_.incidentDate = today();
    picker_ = RegionPicker{};
    picker_.choices = regions_.children("");
    if (receipt_) {
        wipeString(receipt_->title);
    }
    receipt_.reset();
    pending_.reset();
    errors_.clear();
    attempted_.clear();
    wipeString(assistedBy_);
    wipeString(assistedName_);
    handedOver_ = false;
    if (staff_) {
        signOut("the visitor's session ended");
    }
    wipePad();
    wipeStatus();
    lang_ = Lang::id;
    largeText_ = false;
    fromReview_ = false;
    idleWarning_ = false;
    lastTouchMs_ = clock_.monotonicMs();
    go(Screen::welcome);
    ++wipes_;
}

}  // namespace lapor::kiosk

// ---------------------------------------------------------------- validation

namespace lapor::kiosk {

bool Flow::validate(Screen screen) {
    // Checks owned by the flow (a choice was made); the field rules come from core/validation.
    std::vector<std::pair<Field, Text>> found;
    switch (screen) {
        case Screen::kind:
            if (!draft_.kind) {
                found.emplace_back(Field::kind, msg("kiosk.error.kind_required"));
            }
            break;
        case Screen::what:
            if (draft_.region.code.empty()) {
                found.emplace_back(Field::region, msg("kiosk.error.region_required"));
            }
            break;
        case Screen::whom:
            if (draft_.agencyId.empty()) {
                found.emplace_back(Field::agency, msg("kiosk.error.agency_required"));
            } else if (draft_.topicId.empty() && !topics().empty()) {
                found.emplace_back(Field::topic, msg("kiosk.error.topic_required"));
            }
            break;
        case Screen::review:
            if (!draft_.consent) {
                found.emplace_back(Field::consent, msg("kiosk.error.consent_required"));
            }
            break;
        default: break;
    }
    Report report = buildReport();
    auto errors = fieldErrors(report);
    wipeReport(report);  // a copy of the visitor's data: do not leave it in freed memory
    for (auto& [field, text] : errors) {
        if (screenOf(field) == screen) {
            found.emplace_back(field, std::move(text));
        }
    }
    // Clear this screen's old messages, then show the new ones.
    for (auto it = errors_.begin(); it != errors_.end();) {
        it = screenOf(it->first) == screen ? errors_.erase(it) : std::next(it);
    }
    for (auto& [field, text] : found) {
        errors_.emplace(field, std::move(text));
        if (std::find(attempted_.begin(), attempted_.end(), field) == attempted_.end()) {
            attempted_.push_back(field);
        }
    }
    return found.empty();
}

void Flow::revalidate(Field field) {
    // Messages appear after the visitor tried to move on, then follow each change of the field.
    if (std::find(attempted_.begin(), attempted_.end(), field) == attempted_.end()) {
        return;
    }
    const Screen screen = screenOf(field);
    std::map<Field, Text> keep;
    for (auto& [f, t] : errors_) {
        if (screenOf(f) != screen ||
            std::find(attempted_.begin(), attempted_.end(), f) == attempted_.end()) {
            keep.emplace(f, t);
        }
    }
    (void)validate(screen);
    // validate() may flag fields the visitor has not reached yet: show only attempted ones.
    for (auto it = errors_.begin(); it != errors_.end();) {
        const bool tried =
            std::find(attempted_.begin(), attempted_.end(), it->first) != attempted_.end();
        it = tried ? std::next(it) : errors_.erase(it);
    }
    for (auto& [f, t] : keep) {
        errors_.emplace(f, std::move(t));
    }
}

// ---------------------------------------------------------------- read aloud

std::string Flow::screenSpeech() const {
    const std::string base = std::string("kiosk.") + screenName(screen_);
    std::string out = catalog_.tr(lang_, base + ".title");
    const std::string help = base + ".help";
    if (catalog_.has(lang_, help)) {
        out += ". " + catalog_.tr(lang_, help);
    }
    if (screen_ == Screen::receipt && receipt_) {
        // Spelled out one character at a time, with a pause between groups, to write down.
        std::string spelled;
        for (char c : receipt::format(receipt_->receiptCode)) {
            if (c == '-') {
                spelled += ", ";
            } else {
                spelled += c;
                spelled += ' ';
            }
        }
        out +=
            ". " + catalog_.render(lang_, Text{"kiosk.receipt.code_spoken", {{"code", spelled}}});
    }
    if (screen_ == Screen::saveFailed) {
        // A visitor who cannot read must hear the reason and the call for staff too.
        for (const Text& line : saveFailedLines()) {
            const char last = out.empty() ? '.' : out.back();
            out += (last == '.' || last == '!' || last == '?' ? " " : ". ") +
                   catalog_.render(lang_, line);
        }
    }
    if (assisted() && (screen_ == Screen::handOver || screen_ == Screen::review)) {
        // Read back to the citizen what staff typed for them (no NIK or phone: others may
        // hear), so that someone who cannot read confirms their own words.
        const auto said = [&](const char* label, const std::string& value) {
            if (!value.empty()) {
                out += ". " + catalog_.tr(lang_, label) + ": " + value;
            }
        };
        if (draft_.kind) {
            said("kiosk.review.kind", catalog_.tr(lang_, kindMsgid(*draft_.kind)));
        }
        said("kiosk.what.field_title", draft_.title);
        said("kiosk.what.field_body", draft_.body);
        said("kiosk.what.field_region", draft_.region.label);
        said("kiosk.what.field_place", draft_.place);
        for (const CatalogChoice& a : agencies()) {
            if (a.id == draft_.agencyId) {
                said("kiosk.whom.agency", a.name);
            }
        }
        if (!draft_.anonymous) {
            said("kiosk.about.field_name", draft_.identity.name);
        }
    }
    if (screen_ == Screen::status && status_) {
        // Where the report is and the agency's answer, for a visitor who cannot read it.
        out += ". " + catalog_.render(lang_, statusNow(*status_));
        if (auto off = offlineWords(*status_, lastContactMs_, clock_.wallMs())) {
            out += " " + catalog_.render(lang_, *off);
        }
        for (const FollowUp& f : status_->followUps) {
            out += " " +
                   catalog_.render(lang_, Text{"kiosk.status.followup_from",
                                               {{"agency", f.agency},
                                                {"time", formatLocalTime(f.atMs, config_.zone)}}});
            out += " " + f.text;
        }
    }
    if (screen_ == Screen::statusCode && lookup_.message) {
        Text m = *lookup_.message;
        m.args.emplace_back("seconds", std::to_string(lookupPauseSecondsLeft()));
        out += ". " + catalog_.render(lang_, m);
    }
    if (screen_ == Screen::staffPanel) {
        for (const Text& line : panelSpeech(panel_, clock_.wallMs())) {
            out += ". " + catalog_.render(lang_, line);
        }
    }
    if (screen_ == Screen::staffSignIn) {
        if (const auto m = padMessage()) {
            out += ". " + catalog_.render(lang_, *m);
        }
    }
    if (idleWarning_) {
        out = catalog_.render(
            lang_, Text{"kiosk.idle.question", {{"seconds", std::to_string(idleSecondsLeft())}}});
    }
    for (const auto& [field, text] : errors_) {
        out += ". " + catalog_.render(lang_, text);
    }
    return out;
}

void Flow::readAloud(Voice* voice) {
    if (voice == nullptr) {
        speechUnavailable_ = true;
        return;
    }
    voice->say(screenSpeech(), lang_);
}

}  // namespace lapor::kiosk
