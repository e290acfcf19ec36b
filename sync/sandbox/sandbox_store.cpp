// The sandbox's storage: an append-only journal (journal.jsonl) is the index and is replayed on
// start; upload bytes live in uploads/<id>.bin; each accepted report is also written out as
// reports/<tracking_id>.json for people to read.
#include "sync/sandbox/sandbox_store.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <fstream>
#include <map>
#include <mutex>

#include "core/crypto.hpp"
#include "core/durable_file.hpp"
#include "sync/sandbox/times.hpp"

namespace lapor::sandbox {

namespace fs = std::filesystem;
using nlohmann::json;

const std::vector<std::string>& timelineStatuses() {
    static const std::vector<std::string> kStatuses = {"received", "verified", "forwarded",
                                                       "followed_up", "closed"};
    return kStatuses;
}

namespace {

constexpr const char* kRejected = "rejected";

int statusRank(const std::string& status) {
    const auto& all = timelineStatuses();
    auto it = std::find(all.begin(), all.end(), status);
    return it == all.end() ? -1 : static_cast<int>(it - all.begin());
}

bool isTerminal(const std::string& status) {
    return status == "closed" || status == kRejected;
}

// When the step after `status` (reached at `atMs`) falls due on LAPOR!'s timeline, counted in
// working days of the report's own calendar (its UTC offset).
std::int64_t nextDue(const std::string& status, std::int64_t atMs, int utcOffsetMinutes) {
    if (status == "received") {
        return addWorkingDays(atMs, 3, utcOffsetMinutes);
    }
    if (status == "verified") {
        return atMs;  // forwarded to the agency right after verification
    }
    if (status == "forwarded") {
        return addWorkingDays(atMs, 5, utcOffsetMinutes);
    }
    return addWorkingDays(atMs, 10, utcOffsetMinutes);  // followed_up -> closed
}

// A reply puts the report back with the agency, which follows up again within this many days.
constexpr int kFollowupAfterReplyDays = 5;

std::string noteFor(const std::string& status) {
    if (status == "received") {
        return "Laporan diterima";
    }
    if (status == "verified") {
        return "Laporan diverifikasi";
    }
    if (status == "forwarded") {
        return "Laporan diteruskan ke instansi";
    }
    if (status == "followed_up") {
        return "Laporan ditindaklanjuti instansi";
    }
    if (status == "closed") {
        return "Laporan selesai";
    }
    return "Laporan tidak dapat diproses";
}

std::string trackingIdFor(std::int64_t atMs, std::uint64_t number) {
    char buf[48];
    std::snprintf(buf, sizeof buf, "LPR-%04d-%06llu", yearOf(atMs),
                  static_cast<unsigned long long>(number));
    return buf;
}

std::string uploadIdFrom(const std::string& ref) {
    const std::string marker = "/v1/uploads/";
    const auto pos = ref.find(marker);
    if (pos == std::string::npos) {
        return {};
    }
    std::string id = ref.substr(pos + marker.size());
    const auto end = id.find_first_of("?#/");
    return end == std::string::npos ? id : id.substr(0, end);
}

struct UploadState {
    std::mutex patchMutex;  // one PATCH at a time per upload
    std::string id;
    std::string token;
    std::uint64_t length = 0;
    UploadMeta meta;
    std::atomic<std::uint64_t> offset{0};
    std::atomic<std::uint64_t> bytesReceived{0};
    std::atomic<int> patches{0};
    std::atomic<bool> complete{false};
};

struct ReportRecord {
    ReportView view;
    json normalized;
    std::int64_t dueMs = 0;             // when the next timeline step falls due
    bool awaitingFollowup = false;      // a reply came after the latest follow-up
    std::vector<json> replyNormalized;  // parallel to view.replies
};

std::string stringField(const json& body, const char* key) {
    return body.is_object() && body.contains(key) && body[key].is_string()
               ? body[key].get<std::string>()
               : std::string();
}

}  // namespace

struct SandboxStore::Impl {
    fs::path dir;
    const Clock* clock = nullptr;
    double scale = 1;
    bool fsync = false;

    mutable std::mutex mutex;  // everything below
    std::FILE* journal = nullptr;
    std::int64_t baseWall = 0;
    std::int64_t baseMono = 0;
    std::int64_t advanced = 0;
    std::uint64_t nextNumber = 1;
    std::map<std::string, std::shared_ptr<UploadState>> uploads;
    std::map<std::string, int> expired;          // upload id -> the status it answers (404 or 410)
    std::map<std::string, ReportRecord> byUuid;  // idempotency key -> report
    std::map<std::string, std::string> uuidByTracking;                      // tracking ID -> key
    std::map<std::string, std::pair<std::string, std::size_t>> replyIndex;  // key -> report, index
    std::vector<StatusEvent> events;                                        // seq = index + 1
    struct TokenState {
        std::string trackingId;
        int pending = 0;
    };
    std::map<std::string, TokenState> open311Tokens;

    [[nodiscard]] std::int64_t nowLocked() const {
        const auto realElapsed = clock->monotonicMs() - baseMono;
        return baseWall + static_cast<std::int64_t>(static_cast<double>(realElapsed) * scale) +
               advanced;
    }

    fs::path uploadPath(const std::string& id) const { return dir / "uploads" / (id + ".bin"); }

    void append(const json& line) {
        if (journal == nullptr) {
            return;
        }
        const std::string text = line.dump() + "\n";
        (void)std::fwrite(text.data(), 1, text.size(), journal);
        (void)std::fflush(journal);
        if (fsync) {
            (void)fdatasync(fileno(journal));
        }
    }

    Status openJournal(const char* mode) {
        journal = std::fopen((dir / "journal.jsonl").c_str(), mode);
        if (journal == nullptr) {
            return makeError(Errc::ioError, "cannot open " + (dir / "journal.jsonl").string());
        }
        return {};
    }

    void addEvent(ReportRecord& r, const std::string& status, std::int64_t atMs,
                  const std::string& note, bool journalIt) {
        StatusEvent e;
        e.status = status;
        e.atMs = atMs;
        e.note = note;
        // Reaching followed_up is the agency's (first) follow-up.
        e.event = status == "followed_up" ? "followup" : "status";
        addEvent(r, std::move(e), journalIt);
    }

    void addEvent(ReportRecord& r, StatusEvent e, bool journalIt) {
        e.seq = events.size() + 1;
        e.token = r.view.token;
        e.trackingId = r.view.trackingId;
        e.uuid = r.view.uuid;
        e.utcOffsetMinutes = r.view.utcOffsetMinutes;
        if (e.agencyId.empty() && (e.status == "forwarded" || e.event == "followup")) {
            e.agencyId = stringField(r.view.body, "agency_id");
        }
        r.view.status = e.status;
        r.view.statusAtMs = e.atMs;
        if (e.event == "reply") {
            r.awaitingFollowup = true;
            r.dueMs = addWorkingDays(e.atMs, kFollowupAfterReplyDays, e.utcOffsetMinutes);
        } else if (isTerminal(e.status)) {
            r.dueMs = INT64_MAX;
        } else {
            r.awaitingFollowup = r.awaitingFollowup && e.event != "followup";
            r.dueMs = nextDue(e.status, e.atMs, e.utcOffsetMinutes);
        }
        e.closesAtMs = e.status == "followed_up" && !r.awaitingFollowup ? r.dueMs : 0;
        r.view.closesAtMs = e.closesAtMs;
        events.push_back(e);
        r.view.history.push_back(e);
        if (journalIt && e.event != "reply") {  // a reply's own journal line stands for it
            append({{"t", "status"},
                    {"uuid", r.view.uuid},
                    {"status", e.status},
                    {"at", e.atMs},
                    {"note", e.note},
                    {"event", e.event},
                    {"agency", e.agency}});
        }
    }

    // A reply taken (new, or replayed from the journal), with its feed entry.
    ReplyView& acceptReplyLocked(ReportRecord& r, const std::string& key, const json& body,
                                 std::int64_t atMs, bool journalIt) {
        ReplyView v;
        v.id = key;
        v.trackingId = r.view.trackingId;
        v.token = r.view.token;
        v.body = body;
        v.receivedAtMs = atMs;
        v.created = 1;
        replyIndex[key] = {r.view.uuid, r.view.replies.size()};
        r.view.replies.push_back(v);
        r.replyNormalized.push_back(normalizeReply(body));
        if (journalIt) {
            append(
                {{"t", "reply"}, {"id", key}, {"uuid", r.view.uuid}, {"at", atMs}, {"body", body}});
        }
        StatusEvent e;
        e.status = r.view.status;
        e.event = "reply";
        e.atMs = atMs;
        e.note = "Tanggapan pelapor diterima";
        e.replyId = key;
        addEvent(r, std::move(e), false);
        return r.view.replies.back();
    }

    // Plays the timeline up to now.
    void tickLocked() {
        const std::int64_t now = nowLocked();
        for (auto& [uuid, r] : byUuid) {
            while (r.dueMs <= now) {
                if (r.awaitingFollowup) {  // the agency answers the reply: a new follow-up
                    addEvent(r, "followed_up", r.dueMs, noteFor("followed_up"), true);
                    continue;
                }
                const auto& all = timelineStatuses();
                const int rank = statusRank(r.view.status);
                if (rank < 0 || rank + 1 >= static_cast<int>(all.size())) {
                    r.dueMs = INT64_MAX;
                    break;
                }
                const std::string& next = all[static_cast<std::size_t>(rank + 1)];
                addEvent(r, next, r.dueMs, noteFor(next), true);
            }
        }
    }

    ReportRecord& acceptLocked(const std::string& token, const std::string& key, const json& body,
                               const json& normalized, const std::string& source, std::int64_t atMs,
                               std::uint64_t number, bool journalIt) {
        ReportRecord& r = byUuid[key];
        r.view.trackingId = trackingIdFor(atMs, number);
        r.view.uuid = key;
        r.view.token = token;
        r.view.source = source;
        r.view.body = body;
        r.view.receivedAtMs = atMs;
        r.view.created = 1;
        r.normalized = normalized;
        if (auto local = parseLocalTime(stringField(body, "created_at"))) {
            r.view.utcOffsetMinutes = local->utcOffsetMinutes;
        }
        uuidByTracking[r.view.trackingId] = key;
        nextNumber = std::max(nextNumber, number + 1);
        if (journalIt) {
            append({{"t", "report"},
                    {"uuid", key},
                    {"token", token},
                    {"number", number},
                    {"at", atMs},
                    {"source", source},
                    {"body", body}});
            // A copy for people to read (the journal is what a restart replays): the reporter's
            // identity is in it, so 0600.
            (void)writeFileDurably(dir / "reports" / (r.view.trackingId + ".json"),
                                   json{{"tracking_id", r.view.trackingId},
                                        {"uuid", key},
                                        {"source", source},
                                        {"received_at", formatTime(atMs)},
                                        {"body", body}}
                                       .dump(2),
                                   DurableWrite{.mode = 0600});
        }
        // The report line itself stands for "received" in the journal.
        addEvent(r, "received", atMs, noteFor("received"), false);
        return r;
    }

    std::shared_ptr<UploadState> addUpload(const std::string& id, const std::string& token,
                                           std::uint64_t length, const UploadMeta& meta) {
        auto u = std::make_shared<UploadState>();
        u->id = id;
        u->token = token;
        u->length = length;
        u->meta = meta;
        uploads[id] = u;
        return u;
    }

    static json metaJson(const UploadMeta& m) {
        return {{"report_uuid", m.reportUuid}, {"photo_index", m.photoIndex},
                {"sha256", m.sha256Hex},       {"filename", m.filename},
                {"filetype", m.filetype},      {"raw", m.rawHeader}};
    }

    static UploadMeta metaFrom(const json& j) {
        UploadMeta m;
        m.reportUuid = j.value("report_uuid", "");
        m.photoIndex = j.value("photo_index", 0);
        m.sha256Hex = j.value("sha256", "");
        m.filename = j.value("filename", "");
        m.filetype = j.value("filetype", "");
        m.rawHeader = j.value("raw", "");
        return m;
    }

    // After a restart the bytes on disk are the truth: the offset is the file's size.
    void recoverUpload(UploadState& u) {
        std::error_code ec;
        const auto size = fs::file_size(uploadPath(u.id), ec);
        std::uint64_t offset = ec ? 0 : std::min<std::uint64_t>(size, u.length);
        if (!ec && size > u.length) {
            fs::resize_file(uploadPath(u.id), u.length, ec);
        }
        if (offset == u.length) {
            auto hash = sha256FileHex(uploadPath(u.id));
            if (hash && *hash == u.meta.sha256Hex) {
                u.complete = true;
            } else {
                fs::resize_file(uploadPath(u.id), 0, ec);
                offset = 0;
            }
        }
        u.offset = offset;
    }

    Status replay() {
        std::ifstream in(dir / "journal.jsonl");
        std::int64_t lastAt = 0;
        for (std::string line; std::getline(in, line);) {
            if (line.empty()) {
                continue;
            }
            json j = json::parse(line, nullptr, false);
            if (j.is_discarded()) {
                continue;  // a torn last line after a crash
            }
            const std::string t = j.value("t", "");
            if (t == "upload") {
                addUpload(j.value("id", ""), j.value("token", ""),
                          j.value("length", std::uint64_t{0}), metaFrom(j.value("meta", json{})));
            } else if (t == "report") {
                const json body = j.value("body", json{});
                const std::int64_t at = j.value("at", std::int64_t{0});
                acceptLocked(j.value("token", ""), j.value("uuid", ""), body, normalizeReport(body),
                             j.value("source", "v1"), at, j.value("number", std::uint64_t{0}),
                             false);
                lastAt = std::max(lastAt, at);
            } else if (t == "status") {
                auto it = byUuid.find(j.value("uuid", ""));
                if (it != byUuid.end()) {
                    StatusEvent e;
                    e.status = j.value("status", "");
                    e.atMs = j.value("at", std::int64_t{0});
                    e.note = j.value("note", "");
                    e.event = j.value("event", e.status == "followed_up" ? "followup" : "status");
                    e.agency = j.value("agency", "");
                    lastAt = std::max(lastAt, e.atMs);
                    addEvent(it->second, std::move(e), false);
                }
            } else if (t == "reply") {
                auto it = byUuid.find(j.value("uuid", ""));
                if (it != byUuid.end()) {
                    const std::int64_t at = j.value("at", std::int64_t{0});
                    acceptReplyLocked(it->second, j.value("id", ""), j.value("body", json{}), at,
                                      false);
                    lastAt = std::max(lastAt, at);
                }
            } else if (t == "expire") {
                uploads.erase(j.value("id", ""));
                expired[j.value("id", "")] = j.value("status", 410);
            } else if (t == "token") {
                open311Tokens[j.value("token", "")] = {j.value("tracking_id", ""), 0};
            }
        }
        for (auto& [id, u] : uploads) {
            recoverUpload(*u);
        }
        baseWall = std::max(clock->wallMs(), lastAt + 1);
        baseMono = clock->monotonicMs();
        return {};
    }

    std::optional<ReportRecord*> findLocked(const std::string& trackingOrUuid) {
        auto t = uuidByTracking.find(trackingOrUuid);
        const std::string key = t == uuidByTracking.end() ? trackingOrUuid : t->second;
        auto it = byUuid.find(key);
        if (it == byUuid.end()) {
            return std::nullopt;
        }
        return &it->second;
    }

    // Moves `r` through every status up to rank `target` at `now`; `lastNote` (if any) on the last.
    void fillStepsLocked(ReportRecord& r, int target, std::int64_t now,
                         const std::string& lastNote) {
        for (int rank = statusRank(r.view.status) + 1; rank <= target; ++rank) {
            const std::string& s = timelineStatuses()[static_cast<std::size_t>(rank)];
            addEvent(r, s, now, rank == target && !lastNote.empty() ? lastNote : noteFor(s), true);
        }
    }

    // A report staff may still move: played up to now, not closed or rejected.
    Result<ReportRecord*> openReportLocked(const std::string& trackingOrUuid) {
        tickLocked();
        auto found = findLocked(trackingOrUuid);
        if (!found) {
            return makeError(Errc::notFound, "no such report");
        }
        if (isTerminal((*found)->view.status)) {
            return makeError(Errc::invalidInput, "report is already " + (*found)->view.status);
        }
        return *found;
    }

    // The photos named by a v1 report: each a complete upload of this token with that hash.
    SubmitResult checkPhotosLocked(const std::string& token, const json& body) const {
        SubmitResult out;
        const auto photos = body.value("photos", json::array());
        for (std::size_t i = 0; i < photos.size(); ++i) {
            const json& p = photos[i];
            const std::string field = "photos[" + std::to_string(i) + "]";
            auto it = uploads.find(uploadIdFrom(p.value("upload", "")));
            if (it == uploads.end() || it->second->token != token) {
                out.outcome = SubmitOutcome::uploadMissing;
                out.message = field + ": no such upload";
                return out;
            }
            const UploadState& u = *it->second;
            if (!u.complete) {
                out.outcome = SubmitOutcome::uploadIncomplete;
                out.message = field + ": upload has " + std::to_string(u.offset.load()) + " of " +
                              std::to_string(u.length) + " bytes";
                return out;
            }
            const std::string uploadType =
                u.meta.filetype.empty() ? std::string("image/jpeg") : u.meta.filetype;
            if (p.value("sha256", "") != u.meta.sha256Hex ||
                p.value("bytes", std::uint64_t{0}) != u.length ||
                p.value("type", std::string("image/jpeg")) != uploadType) {
                out.outcome = SubmitOutcome::photoMismatch;
                out.message = field + ": sha256, bytes or type differ from the upload";
                return out;
            }
        }
        out.outcome = SubmitOutcome::created;
        return out;
    }
};

SandboxStore::SandboxStore(std::unique_ptr<Impl> impl, double timeScale)
    : impl_(std::move(impl)), timeScale_(timeScale) {}

SandboxStore::~SandboxStore() {
    if (impl_->journal != nullptr) {
        (void)std::fclose(impl_->journal);
    }
}

Result<std::unique_ptr<SandboxStore>> SandboxStore::open(const fs::path& dataDir,
                                                         const Clock& clock, double timeScale,
                                                         bool fsync) {
    std::error_code ec;
    fs::create_directories(dataDir / "uploads", ec);
    fs::create_directories(dataDir / "reports", ec);
    if (ec) {
        return makeError(Errc::ioError, "cannot create " + dataDir.string() + ": " + ec.message());
    }
    auto impl = std::make_unique<Impl>();
    impl->dir = dataDir;
    impl->clock = &clock;
    impl->scale = timeScale > 0 ? timeScale : 1;
    impl->fsync = fsync;
    if (auto st = impl->replay(); !st) {
        return st.error();
    }
    if (auto st = impl->openJournal("a"); !st) {
        return st.error();
    }
    const double scale = impl->scale;
    return std::unique_ptr<SandboxStore>(new SandboxStore(std::move(impl), scale));
}

std::int64_t SandboxStore::now() const {
    std::lock_guard lock(impl_->mutex);
    return impl_->nowLocked();
}

void SandboxStore::advanceClock(std::int64_t ms) {
    std::lock_guard lock(impl_->mutex);
    impl_->advanced += std::max<std::int64_t>(0, ms);
    impl_->tickLocked();
}

Result<UploadView> SandboxStore::createUpload(const std::string& token, std::uint64_t length,
                                              const UploadMeta& meta) {
    std::shared_ptr<UploadState> u;
    {
        std::lock_guard lock(impl_->mutex);
        for (const auto& [id, existing] : impl_->uploads) {
            if (existing->token == token && existing->length == length &&
                existing->meta.reportUuid == meta.reportUuid &&
                existing->meta.photoIndex == meta.photoIndex &&
                existing->meta.sha256Hex == meta.sha256Hex) {
                u = existing;
                break;
            }
        }
        if (!u) {
            const std::string id = crypto::randomHex(16);
            std::ofstream touch(impl_->uploadPath(id), std::ios::binary);
            if (!touch) {
                return makeError(Errc::ioError, "cannot create upload file");
            }
            u = impl_->addUpload(id, token, length, meta);
            impl_->append({{"t", "upload"},
                           {"id", id},
                           {"token", token},
                           {"length", length},
                           {"meta", Impl::metaJson(meta)}});
        }
    }
    return *upload(u->id);
}

std::optional<UploadView> SandboxStore::upload(const std::string& id) const {
    std::shared_ptr<UploadState> u;
    {
        std::lock_guard lock(impl_->mutex);
        auto it = impl_->uploads.find(id);
        if (it == impl_->uploads.end()) {
            return std::nullopt;
        }
        u = it->second;
    }
    UploadView v;
    v.id = u->id;
    v.token = u->token;
    v.length = u->length;
    v.offset = u->offset;
    v.bytesReceived = u->bytesReceived;
    v.patches = u->patches;
    v.complete = u->complete;
    v.meta = u->meta;
    return v;
}

bool SandboxStore::expireUpload(const std::string& id, int status) {
    std::shared_ptr<UploadState> u;
    {
        std::lock_guard lock(impl_->mutex);
        auto it = impl_->uploads.find(id);
        if (it == impl_->uploads.end()) {
            return false;
        }
        u = it->second;
        impl_->uploads.erase(it);
        impl_->expired[id] = status;
        impl_->append({{"t", "expire"}, {"id", id}, {"status", status}});
    }
    // A PATCH under way on it finishes into the deleted file; what it wrote is gone with it.
    std::error_code ec;
    fs::remove(impl_->uploadPath(id), ec);
    return true;
}

std::vector<std::string> SandboxStore::uploadIds(const std::string& reportUuid) const {
    std::lock_guard lock(impl_->mutex);
    std::vector<std::string> out;
    for (const auto& [id, u] : impl_->uploads) {
        if (reportUuid.empty() || u->meta.reportUuid == reportUuid) {
            out.push_back(id);
        }
    }
    return out;
}

std::optional<int> SandboxStore::expiredStatus(const std::string& id) const {
    std::lock_guard lock(impl_->mutex);
    auto it = impl_->expired.find(id);
    return it == impl_->expired.end() ? std::nullopt : std::optional<int>(it->second);
}

PatchResult SandboxStore::patchUpload(
    const std::string& id, std::uint64_t clientOffset,
    const std::optional<ChecksumRequest>& checksum,
    const std::function<bool(const std::function<bool(std::string_view)>&)>& readBody) {
    std::shared_ptr<UploadState> u;
    {
        std::lock_guard lock(impl_->mutex);
        auto it = impl_->uploads.find(id);
        if (it != impl_->uploads.end()) {
            u = it->second;
        }
    }
    const auto drain = [&] { (void)readBody([](std::string_view) { return true; }); };
    if (!u) {
        drain();
        return {PatchOutcome::unknown, 0};
    }
    std::lock_guard patchLock(u->patchMutex);
    ++u->patches;
    if (clientOffset != u->offset) {
        drain();
        return {PatchOutcome::offsetMismatch, u->offset};
    }
    const int fd = ::open(impl_->uploadPath(id).c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) {
        drain();
        return {PatchOutcome::ioError, u->offset};
    }
    bool ioFailed = false;
    std::string held;  // with a checksum, the chunk is kept only whole and verified
    const auto sink = [&](std::string_view piece) {
        u->bytesReceived += piece.size();
        const std::uint64_t at = u->offset + held.size();
        if (at >= u->length) {
            return true;  // beyond the declared length: dropped (the caller checked lengths)
        }
        piece = piece.substr(0, static_cast<std::size_t>(u->length - at));
        if (checksum) {
            held.append(piece);
            return true;
        }
        if (::pwrite(fd, piece.data(), piece.size(), static_cast<off_t>(at)) !=
            static_cast<ssize_t>(piece.size())) {
            ioFailed = true;
            return false;
        }
        u->offset += piece.size();
        return true;
    };
    const bool whole = readBody(sink);
    PatchResult result{PatchOutcome::ok, u->offset};
    if (checksum) {
        Digest d(checksum->algorithm);
        d.update(held);
        if (!whole || d.finish() != checksum->digest) {
            (void)::close(fd);
            return {whole ? PatchOutcome::checksumMismatch : PatchOutcome::ioError, u->offset};
        }
        if (::pwrite(fd, held.data(), held.size(), static_cast<off_t>(u->offset.load())) !=
            static_cast<ssize_t>(held.size())) {
            ioFailed = true;
        } else {
            u->offset += held.size();
        }
    }
    (void)::close(fd);
    result.offset = u->offset;
    if (ioFailed) {
        result.outcome = PatchOutcome::ioError;
        return result;
    }
    if (u->offset == u->length && !u->complete) {
        auto hash = sha256FileHex(impl_->uploadPath(id));
        if (!hash || *hash != u->meta.sha256Hex) {
            std::error_code ec;
            fs::resize_file(impl_->uploadPath(id), 0, ec);
            u->offset = 0;
            return {PatchOutcome::wholeMismatch, 0};
        }
        u->complete = true;
    }
    return result;
}

SubmitResult SandboxStore::submit(const std::string& token, const std::string& key,
                                  const json& body, const json& catalog,
                                  const std::string& source) {
    const json normalized = normalizeReport(body);
    std::lock_guard lock(impl_->mutex);
    if (!key.empty()) {
        auto it = impl_->byUuid.find(key);
        if (it != impl_->byUuid.end()) {
            ReportRecord& r = it->second;
            SubmitResult out;
            if (r.view.token != token || r.normalized != normalized || r.view.source != source) {
                out.outcome = SubmitOutcome::conflict;
                out.message = "this Idempotency-Key was used with another body";
                return out;
            }
            ++r.view.replayed;
            out.outcome = SubmitOutcome::replayed;
            out.report = r.view;
            return out;
        }
    }
    if (source == "v1") {
        SubmitResult out;
        out.fields = checkReport(body, catalog);
        if (!out.fields.empty()) {
            out.outcome = SubmitOutcome::invalid;
            out.message = describe(out.fields);
            return out;
        }
        out = impl_->checkPhotosLocked(token, body);
        if (out.outcome != SubmitOutcome::created) {
            return out;
        }
    }
    const std::string id = key.empty() ? "open311-" + crypto::randomHex(8) : key;
    ReportRecord& r = impl_->acceptLocked(token, id, body, normalized, source, impl_->nowLocked(),
                                          impl_->nextNumber, true);
    SubmitResult out;
    out.outcome = SubmitOutcome::created;
    out.report = r.view;
    return out;
}

StatusPage SandboxStore::statusSince(const std::string& token, std::uint64_t cursor,
                                     std::size_t limit) {
    std::lock_guard lock(impl_->mutex);
    impl_->tickLocked();
    StatusPage page;
    page.nextCursor = cursor;
    for (std::uint64_t i = cursor; i < impl_->events.size(); ++i) {
        const StatusEvent& e = impl_->events[i];
        if (e.token != token) {
            page.nextCursor = e.seq;
            continue;
        }
        if (page.updates.size() == limit) {
            page.more = true;
            break;
        }
        page.updates.push_back(e);
        page.nextCursor = e.seq;
    }
    return page;
}

std::optional<ReportView> SandboxStore::reportByTracking(const std::string& token,
                                                         const std::string& trackingId) {
    std::lock_guard lock(impl_->mutex);
    impl_->tickLocked();
    auto t = impl_->uuidByTracking.find(trackingId);
    if (t == impl_->uuidByTracking.end()) {
        return std::nullopt;
    }
    const ReportView& v = impl_->byUuid.at(t->second).view;
    if (!token.empty() && v.token != token) {
        return std::nullopt;
    }
    return v;
}

std::optional<ReportView> SandboxStore::reportByUuid(const std::string& uuid) {
    std::lock_guard lock(impl_->mutex);
    impl_->tickLocked();
    auto it = impl_->byUuid.find(uuid);
    if (it == impl_->byUuid.end()) {
        return std::nullopt;
    }
    return it->second.view;
}

std::vector<ReportView> SandboxStore::reports(const std::string& source) {
    std::lock_guard lock(impl_->mutex);
    impl_->tickLocked();
    std::vector<ReportView> out;
    for (const auto& [key, r] : impl_->byUuid) {
        if (source.empty() || r.view.source == source) {
            out.push_back(r.view);
        }
    }
    std::sort(out.begin(), out.end(), [](const ReportView& a, const ReportView& b) {
        return a.receivedAtMs < b.receivedAtMs;
    });
    return out;
}

Status SandboxStore::setStatus(const std::string& trackingOrUuid, const std::string& status,
                               const std::string& note) {
    std::lock_guard lock(impl_->mutex);
    auto found = impl_->openReportLocked(trackingOrUuid);
    if (!found) {
        return found.error();
    }
    ReportRecord& r = **found;
    const std::int64_t now = impl_->nowLocked();
    if (status == kRejected) {
        impl_->addEvent(r, status, now, note.empty() ? noteFor(status) : note, true);
        return {};
    }
    const int target = statusRank(status);
    const int current = statusRank(r.view.status);
    if (target < 0 || target <= current) {
        return makeError(Errc::invalidInput, "status must move forward: " + status);
    }
    impl_->fillStepsLocked(r, target, now, note);
    return {};
}

void SandboxStore::stepAll() {
    std::lock_guard lock(impl_->mutex);
    impl_->tickLocked();
    const std::int64_t now = impl_->nowLocked();
    for (auto& [key, r] : impl_->byUuid) {
        const int rank = statusRank(r.view.status);
        if (rank >= 0 && !isTerminal(r.view.status)) {
            const std::string& s = timelineStatuses()[static_cast<std::size_t>(rank + 1)];
            impl_->addEvent(r, s, now, noteFor(s), true);
        }
    }
}

Status SandboxStore::postFollowup(const std::string& trackingOrUuid, const std::string& text,
                                  const std::string& agency) {
    std::lock_guard lock(impl_->mutex);
    auto found = impl_->openReportLocked(trackingOrUuid);
    if (!found) {
        return found.error();
    }
    ReportRecord& r = **found;
    const std::int64_t now = impl_->nowLocked();
    impl_->fillStepsLocked(r, statusRank("forwarded"), now, "");
    StatusEvent e;
    e.status = "followed_up";
    e.event = "followup";
    e.atMs = now;
    e.note = text.empty() ? noteFor("followed_up") : text;
    e.agency = agency;
    impl_->addEvent(r, std::move(e), true);
    return {};
}

ReplyResult SandboxStore::submitReply(const std::string& token, const std::string& trackingId,
                                      const std::string& key, const json& body) {
    std::lock_guard lock(impl_->mutex);
    impl_->tickLocked();
    ReplyResult out;
    // A replay answers as the first time did, even after the report closed.
    if (auto it = impl_->replyIndex.find(key); it != impl_->replyIndex.end()) {
        ReportRecord& r = impl_->byUuid.at(it->second.first);
        ReplyView& v = r.view.replies[it->second.second];
        if (v.token != token || v.trackingId != trackingId ||
            r.replyNormalized[it->second.second] != normalizeReply(body)) {
            out.outcome = SubmitOutcome::conflict;
            out.message = "this Idempotency-Key was used with another reply";
            return out;
        }
        ++v.replayed;
        out.outcome = SubmitOutcome::replayed;
        out.reply = v;
        out.closesAtMs = r.view.closesAtMs;
        return out;
    }
    auto t = impl_->uuidByTracking.find(trackingId);
    if (t == impl_->uuidByTracking.end() || impl_->byUuid.at(t->second).view.token != token) {
        out.outcome = SubmitOutcome::unknownReport;
        out.message = "no such report for this device";
        return out;
    }
    ReportRecord& r = impl_->byUuid.at(t->second);
    out.fields = checkReply(body);
    if (!out.fields.empty()) {
        out.outcome = SubmitOutcome::invalid;
        out.message = describe(out.fields);
        return out;
    }
    if (isTerminal(r.view.status)) {
        out.outcome = SubmitOutcome::closed;
        out.message = "the report is " + r.view.status + "; it takes no replies";
        return out;
    }
    if (statusRank(r.view.status) < statusRank("followed_up")) {
        out.outcome = SubmitOutcome::notFollowedUp;
        out.message = "the report is " + r.view.status + "; replies open with the follow-up";
        return out;
    }
    const SubmitResult photos = impl_->checkPhotosLocked(token, body);
    if (photos.outcome != SubmitOutcome::created) {
        out.outcome = photos.outcome;
        out.message = photos.message;
        return out;
    }
    out.reply = impl_->acceptReplyLocked(r, key, body, impl_->nowLocked(), true);
    out.outcome = SubmitOutcome::created;
    out.closesAtMs = r.view.closesAtMs;
    return out;
}

std::string SandboxStore::addOpen311Token(const std::string& trackingId, int pendingQueries) {
    std::lock_guard lock(impl_->mutex);
    const std::string token = crypto::randomHex(16);
    impl_->open311Tokens[token] = {trackingId, std::max(0, pendingQueries)};
    impl_->append({{"t", "token"}, {"token", token}, {"tracking_id", trackingId}});
    return token;
}

std::optional<std::string> SandboxStore::queryOpen311Token(const std::string& token) {
    std::lock_guard lock(impl_->mutex);
    auto it = impl_->open311Tokens.find(token);
    if (it == impl_->open311Tokens.end()) {
        return std::nullopt;
    }
    if (it->second.pending > 0) {
        --it->second.pending;
        return std::string();
    }
    return it->second.trackingId;
}

json SandboxStore::stats() {
    std::lock_guard lock(impl_->mutex);
    impl_->tickLocked();
    json acceptances = json::object();
    json replyAcceptances = json::object();
    std::size_t open311 = 0;
    for (const auto& [key, r] : impl_->byUuid) {
        acceptances[key] = {{"created", r.view.created},
                            {"replayed", r.view.replayed},
                            {"tracking_id", r.view.trackingId},
                            {"status", r.view.status},
                            {"replies", r.view.replies.size()}};
        open311 += r.view.source == "open311" ? 1 : 0;
        for (const auto& reply : r.view.replies) {
            replyAcceptances[reply.id] = {
                {"created", reply.created},
                {"replayed", reply.replayed},
                {"tracking_id", reply.trackingId},
                {"photos", reply.body.value("photos", json::array()).size()}};
        }
    }
    json uploads = json::array();
    std::size_t complete = 0;
    for (const auto& [id, u] : impl_->uploads) {
        complete += u->complete ? 1 : 0;
        uploads.push_back({{"id", id},
                           {"report_uuid", u->meta.reportUuid},
                           {"photo_index", u->meta.photoIndex},
                           {"filetype", u->meta.filetype},
                           {"length", u->length},
                           {"offset", u->offset.load()},
                           {"bytes_received", u->bytesReceived.load()},
                           {"patches", u->patches.load()},
                           {"complete", u->complete.load()},
                           {"sha256", u->meta.sha256Hex}});
    }
    return {{"reports", impl_->byUuid.size()},
            {"open311_reports", open311},
            {"uploads", impl_->uploads.size()},
            {"uploads_complete", complete},
            {"status_events", impl_->events.size()},
            {"acceptances", acceptances},
            {"replies", impl_->replyIndex.size()},
            {"reply_acceptances", replyAcceptances},
            {"uploads_detail", uploads},
            {"now", formatTime(impl_->nowLocked())}};
}

Status SandboxStore::reset() {
    std::lock_guard lock(impl_->mutex);
    if (impl_->journal != nullptr) {
        (void)std::fclose(impl_->journal);
        impl_->journal = nullptr;
    }
    std::error_code ec;
    fs::remove_all(impl_->dir / "uploads", ec);
    fs::remove_all(impl_->dir / "reports", ec);
    fs::create_directories(impl_->dir / "uploads", ec);
    fs::create_directories(impl_->dir / "reports", ec);
    impl_->uploads.clear();
    impl_->expired.clear();
    impl_->byUuid.clear();
    impl_->uuidByTracking.clear();
    impl_->replyIndex.clear();
    impl_->events.clear();
    impl_->open311Tokens.clear();
    impl_->nextNumber = 1;
    return impl_->openJournal("w");
}

}  // namespace lapor::sandbox
