// The scripted Uplink fake (sync/uplink_fake.hpp).
#include "sync/uplink_fake.hpp"

namespace lapor::sync {

std::pair<Error, ExchangeNote> ScriptedUplink::away() {
    ExchangeNote n;
    n.status = 503;
    return {makeError(Errc::unavailable, "HTTP 503 (test: server away)"), n};
}

Result<std::string> ScriptedUplink::uploadPhoto(const Report&, const PhotoUpload& p,
                                                ExchangeNote& note) {
    knownUrls.push_back(p.known.url);
    if (!serverUp) {
        note = away().second;
        return away().first;
    }
    std::string url = p.known.url;
    if (url.empty()) {
        url = "http://s/v1/uploads/" + std::to_string(++created);
        TusUploadState state;
        state.url = url;
        state.sending = p.source->size();
        state.length = p.source->size();
        if (Status s = p.onProgress(state); !s.ok()) {
            return s.error();
        }
    }
    if (!uploadFailures.empty()) {
        auto [e, n] = uploadFailures.front();
        uploadFailures.pop_front();
        note = n;
        return e;
    }
    // The photo is read whole, as a real upload would: a source that cannot be read fails here.
    std::vector<char> all(p.source->size());
    if (auto got = p.source->read(0, all.data(), all.size()); !got.ok()) {
        return got.error();
    }
    return url;
}

Result<std::string> ScriptedUplink::submit(const Report& r, const std::vector<PhotoRef>&,
                                           ExchangeNote& note) {
    if (onSubmit) {
        onSubmit();
    }
    if (!serverUp) {
        note = away().second;
        return away().first;
    }
    if (!submitFailures.empty()) {
        auto [e, n] = submitFailures.front();
        submitFailures.pop_front();
        note = n;
        return e;
    }
    submitted.push_back(r.uuid);
    return "LPR-2026-" + std::to_string(100000 + submitted.size());
}

Status ScriptedUplink::submitReply(const Reply& reply, const std::string& trackingId,
                                   const std::vector<PhotoRef>&, ExchangeNote& note) {
    if (!serverUp) {
        note = away().second;
        return away().first;
    }
    if (!replyFailures.empty()) {
        auto [e, n] = replyFailures.front();
        replyFailures.pop_front();
        note = n;
        return e;
    }
    replied.emplace_back(reply.id, trackingId);
    return {};
}

Result<StatusPage> ScriptedUplink::pullStatus(const std::string& cursor,
                                              const std::vector<Followed>&, ExchangeNote& note) {
    if (!serverUp) {
        note = away().second;
        return away().first;
    }
    cursorsSeen.push_back(cursor);
    if (pages.empty()) {
        return StatusPage{{}, cursor, false};
    }
    auto p = pages.front();
    pages.erase(pages.begin());
    return p;
}

Result<std::optional<AgencyCatalog>> ScriptedUplink::pullCatalog(const std::string& etag,
                                                                 ExchangeNote&) {
    etagsSeen.push_back(etag);
    if (catalog && catalog->etag != etag) {
        return catalog;
    }
    return std::optional<AgencyCatalog>();
}

Status ScriptedUplink::probe(ExchangeNote&) {
    ++probes;
    if (!serverUp) {
        return away().first;
    }
    return {};
}

}  // namespace lapor::sync
