// The report as SP4N-LAPOR! asks it of a citizen: plain data, shared by kiosk, store and agent.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace lapor {

// The three kinds of report LAPOR! takes. Values are stored on disk and sent: never renumber.
enum class ReportKind : std::uint8_t {
    pengaduan = 1,            // complaint about a public service
    aspirasi = 2,             // aspiration or suggestion
    permintaanInformasi = 3,  // request for information
};

// A calendar date without time zone (the incident date as the visitor gives it).
struct Date {
    int year = 0;
    int month = 0;  // 1..12
    int day = 0;    // 1..31
    friend bool operator==(const Date&, const Date&) = default;
};

// Who filed it. Personal data: encrypted at rest, never logged, wiped when the visitor leaves.
struct Identity {
    std::string name;   // as on the KTP
    std::string nik;    // 16 digits
    std::string phone;  // E.164 after validation, e.g. +6281234567890
    std::string email;
    friend bool operator==(const Identity&, const Identity&) = default;
};

// One photo as stored: a JPEG with no metadata, and the SHA-256 of exactly these bytes.
struct Photo {
    std::vector<std::uint8_t> jpeg;
    std::string sha256Hex;  // lowercase hex of SHA-256(jpeg)
    std::uint32_t width = 0;
    std::uint32_t height = 0;
    friend bool operator==(const Photo&, const Photo&) = default;
};

// What a piece of evidence is. Values are stored on disk: never renumber.
enum class MediaKind : std::uint8_t {
    photo = 0,  // a JPEG (struct Photo)
    video = 1,  // a clip from the kiosk's camera: H.264 in MP4 (hardware/video.hpp), no sound
    voice = 2,  // a spoken note: Opus in Ogg (hardware/voice.hpp)
};
// The media type sent with the upload: "image/jpeg", "video/mp4", "audio/ogg".
[[nodiscard]] constexpr const char* mediaTypeOf(MediaKind kind) noexcept {
    switch (kind) {
        case MediaKind::video: return "video/mp4";
        case MediaKind::voice: return "audio/ogg";
        case MediaKind::photo: break;
    }
    return "image/jpeg";
}

// A video clip or a spoken note as stored: the whole encoded file and the SHA-256 of exactly
// these bytes. Personal data (faces, voices): encrypted at rest, never logged, wiped when the
// visitor leaves (wipeClips).
struct Clip {
    MediaKind kind = MediaKind::video;
    std::vector<std::uint8_t> bytes;  // the file: MP4 for video, Ogg Opus for voice
    std::string sha256Hex;            // lowercase hex of SHA-256(bytes)
    std::uint32_t durationMs = 0;
    std::uint32_t width = 0;  // video only
    std::uint32_t height = 0;
    friend bool operator==(const Clip&, const Clip&) = default;
};

struct Report {
    std::string uuid;         // RFC 4122 v4, lowercase; the idempotency key forever
    std::string receiptCode;  // short code a person can read aloud (core/receipt_code.hpp)
    ReportKind kind = ReportKind::pengaduan;
    std::string title;
    std::string body;
    Date incidentDate;
    std::string regionCode;     // a code from the region table, e.g. "11.01.01.2001"
    std::string place;          // free-text place within the region
    std::string agencyId;       // catalog agency (instansi)
    std::string topicId;        // catalog topic
    bool anonymous = false;     // Anonim: identity withheld from the agency
    bool confidential = false;  // Rahasia: not published
    Identity identity;          // empty when anonymous
    std::string assistedBy;     // staff member who helped; empty when filed alone
    std::string deviceId;
    std::string office;
    std::string language;          // "id" or "en": the visitor's language at filing
    std::int64_t createdAtMs = 0;  // Unix time, milliseconds, UTC
    // The office's offset east of UTC when it was filed (WIB +420, WITA +480, WIT +540): the
    // incident date and "today" are local dates, so every date rule compares in this zone.
    // Reports stored before the field existed read as WIB, the zone the kiosk always used then.
    int utcOffsetMinutes = 7 * 60;
    std::string replacesUuid;  // a correction names the report it replaces
    friend bool operator==(const Report&, const Report&) = default;
};

}  // namespace lapor
