// Video clips and spoken notes in the store: items after a report's photos in the photo tables,
// checked and hashed before the lock, sealed chunk by chunk straight into LMDB's pages inside the
// save's transaction (a 16 MB clip is never copied whole). readClip is in store_photos.cpp.
#include "core/store_impl.hpp"

namespace lapor {

using namespace storage;

namespace storage {

Result<std::vector<PhotoInfo>> clipInfos(std::span<const Clip> clips, std::uint32_t firstIndex) {
    if (clips.size() > maxClipsPerReport) {
        return makeError(Errc::invalidInput, "a report carries at most " +
                                                 std::to_string(maxClipsPerReport) +
                                                 " video clips and spoken notes");
    }
    std::vector<PhotoInfo> infos;
    infos.reserve(clips.size());
    for (std::uint32_t i = 0; i < clips.size(); ++i) {
        const Clip& clip = clips[i];
        const std::string which = "clip " + std::to_string(i);
        if (clip.kind != MediaKind::video && clip.kind != MediaKind::voice)
            return makeError(Errc::invalidInput, which + " is not a video clip or a spoken note");
        if (clip.bytes.empty())
            return makeError(Errc::invalidInput, which + " is empty");
        if (clip.bytes.size() > maxClipBytes) {
            return makeError(Errc::invalidInput, which + " is larger than " +
                                                     std::to_string(maxClipBytes >> 20) + " MiB");
        }
        // Unlike a photo's, a clip's hash is always computed (about 40 ms for 16 MB, in place,
        // before the lock): the bytes came from an encoder in another thread, and a wrong hash
        // would only show at the national system.
        std::string sha = crypto::sha256Hex(clip.bytes);
        if (!clip.sha256Hex.empty() && clip.sha256Hex != sha)
            return makeError(Errc::invalidInput, which + " does not match its SHA-256");
        PhotoInfo info;
        info.index = firstIndex + i;
        info.size = clip.bytes.size();
        info.sha256Hex = std::move(sha);
        info.width = clip.width;
        info.height = clip.height;
        info.chunkCount =
            static_cast<std::uint32_t>((clip.bytes.size() + photoChunkBytes - 1) / photoChunkBytes);
        info.kind = clip.kind;
        info.durationMs = clip.durationMs;
        infos.push_back(std::move(info));
    }
    if (firstIndex + infos.size() > 0xffff)
        return makeError(Errc::invalidInput, "too many photos and clips");
    return infos;
}

Status putClips(Writer& w, MDB_dbi photoMeta, MDB_dbi photos, const crypto::Key& key,
                std::string_view owner, std::span<const Clip> clips,
                const std::vector<PhotoInfo>& infos) {
    if (clips.size() != infos.size())
        return makeError(Errc::internal, "clip records do not match the clips");
    for (std::size_t i = 0; i < clips.size(); ++i) {
        const PhotoInfo& info = infos[i];
        if (Status s = w.put(photoMeta, photoMetaKey(owner, info.index), encodePhotoInfo(info));
            !s.ok())
            return s;
        const auto bytes = std::span<const std::uint8_t>(clips[i].bytes);
        for (std::uint32_t c = 0; c < info.chunkCount; ++c) {
            auto part = bytes.subspan(std::size_t{c} * photoChunkBytes);
            part = part.first(std::min(photoChunkBytes, part.size()));
            auto room = w.reserve(photos, photoKey(owner, info.index, c),
                                  part.size() + crypto::sealOverhead);
            if (!room.ok())
                return room.error();
            crypto::sealTo(key, part, photoAd(owner, info.index, c), *room);
        }
    }
    return {};
}

}  // namespace storage

}  // namespace lapor
