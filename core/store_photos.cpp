// Photos in the store: sealing them in chunks (ahead of the save, on several threads), and reading
// them back by chunk, by byte range (resumable uploads) or whole with the SHA-256 checked; clips
// read back whole the same way (readClip; they are saved in store_clips.cpp).
#include <algorithm>
#include <atomic>
#include <thread>

#include "core/store_impl.hpp"

namespace lapor {

using namespace storage;

namespace storage {

Result<std::vector<PhotoInfo>> photoInfos(std::span<const Photo> photos) {
    if (photos.size() > 0xffff)
        return makeError(Errc::invalidInput, "too many photos");
    std::vector<PhotoInfo> infos;
    infos.reserve(photos.size());
    for (std::uint32_t i = 0; i < photos.size(); ++i) {
        const Photo& photo = photos[i];
        if (photo.jpeg.empty())
            return makeError(Errc::invalidInput, "photo " + std::to_string(i) + " is empty");
        PhotoInfo info;
        info.index = i;
        info.size = photo.jpeg.size();
        // The hash the camera computed is trusted here (hashing 1.5 MB would double the save
        // time); verify() checks it against the stored bytes.
        info.sha256Hex = photo.sha256Hex.empty() ? crypto::sha256Hex(photo.jpeg) : photo.sha256Hex;
        info.width = photo.width;
        info.height = photo.height;
        info.chunkCount =
            static_cast<std::uint32_t>((photo.jpeg.size() + photoChunkBytes - 1) / photoChunkBytes);
        infos.push_back(std::move(info));
    }
    return infos;
}

// Sealing is most of a save's CPU (XChaCha20-Poly1305 over 1.5 MB: about 0.9 ms on one core of
// this machine), it splits per chunk, and it runs before the write lock is taken: up to four
// threads share it.
std::vector<std::uint8_t> sealChunks(const crypto::Key& key, std::string_view uuid,
                                     std::span<const Photo> photos,
                                     const std::vector<PhotoInfo>& infos) {
    struct Job {
        std::uint32_t photo, chunk;
        std::size_t at;
    };
    std::vector<Job> jobs;
    std::size_t total = 0;
    for (std::uint32_t i = 0; i < photos.size(); ++i) {
        for (std::uint32_t c = 0; c < infos[i].chunkCount; ++c) {
            jobs.push_back({i, c, total});
            total += std::min(photoChunkBytes, photos[i].jpeg.size() - c * photoChunkBytes) +
                     crypto::sealOverhead;
        }
    }
    std::vector<std::uint8_t> out(total);
    std::atomic<std::size_t> next{0};
    auto work = [&] {
        for (std::size_t j = next++; j < jobs.size(); j = next++) {
            const Job& job = jobs[j];
            auto part = std::span<const std::uint8_t>(photos[job.photo].jpeg)
                            .subspan(job.chunk * photoChunkBytes);
            part = part.first(std::min(photoChunkBytes, part.size()));
            crypto::sealTo(key, part, photoAd(uuid, job.photo, job.chunk),
                           std::span(out).subspan(job.at, part.size() + crypto::sealOverhead));
        }
    };
    // A thread costs tens of microseconds: worth it from a few chunks on.
    const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    const auto threads =
        static_cast<unsigned>(std::min<std::size_t>({cores, 4, (jobs.size() + 3) / 4}));
    {
        std::vector<std::jthread> helpers;
        for (unsigned t = 1; t < threads; ++t)
            helpers.emplace_back(work);
        work();
    }
    return out;
}

Status deleteItems(Writer& w, MDB_dbi photoMeta, MDB_dbi photos, std::string_view owner) {
    if (Status s = w.delPrefix(photos, owner); !s.ok())
        return s;
    return w.delPrefix(photoMeta, owner);
}

Status putPhotos(Writer& w, MDB_dbi photoMeta, MDB_dbi photos, std::string_view owner,
                 std::span<const Photo> list, const std::vector<PhotoInfo>& infos,
                 std::span<const std::uint8_t> sealed) {
    std::size_t sealedAt = 0;  // photo chunks come out of `sealed` in order
    for (std::uint32_t i = 0; i < list.size(); ++i) {
        const PhotoInfo& info = infos[i];
        if (Status s = w.put(photoMeta, photoMetaKey(owner, i), encodePhotoInfo(info)); !s.ok())
            return s;
        const std::size_t size = list[i].jpeg.size();
        for (std::uint32_t c = 0; c < info.chunkCount; ++c) {
            const std::size_t n =
                std::min(photoChunkBytes, size - c * photoChunkBytes) + crypto::sealOverhead;
            if (sealedAt + n > sealed.size())
                return makeError(Errc::internal, "sealed photo chunks do not match the photos");
            const auto part = sealed.subspan(sealedAt, n);
            if (Status s = w.put(photos, photoKey(owner, i, c),
                                 {reinterpret_cast<const char*>(part.data()), part.size()});
                !s.ok())
                return s;
            sealedAt += n;
        }
    }
    return {};
}

}  // namespace storage

bool SealedPhotos::matches(std::string_view uuid, std::span<const Photo> photos) const {
    if (uuid != uuid_ || photos.size() != infos_.size())
        return false;
    for (std::size_t i = 0; i < photos.size(); ++i) {
        if (photos[i].jpeg.size() != infos_[i].size || photos[i].sha256Hex.empty() ||
            photos[i].sha256Hex != infos_[i].sha256Hex) {
            return false;
        }
    }
    return true;
}

Result<SealedPhotos> Store::sealPhotos(std::string_view uuid, std::span<const Photo> photos) const {
    const Impl& m = *impl_;
    if (Status s = m.requireKey(); !s.ok())
        return s.error();
    auto infos = photoInfos(photos);
    if (!infos.ok())
        return infos.error();
    SealedPhotos out;
    out.uuid_ = std::string(uuid);
    out.sealed_ = sealChunks(*m.opts.key, uuid, photos, *infos);
    out.infos_ = std::move(*infos);
    return out;
}

Result<PhotoInfo> Store::Impl::photoInfo(const Reader& r, std::string_view uuid,
                                         std::uint32_t index) const {
    auto v = r.get(photoMeta, photoMetaKey(uuid, index));
    if (!v.ok())
        return v.error();
    if (!*v) {
        return makeError(Errc::notFound,
                         "no photo " + std::to_string(index) + " of " + std::string(uuid));
    }
    return decodePhotoInfo(**v);
}

Result<std::vector<std::uint8_t>> Store::Impl::chunk(const Reader& r, std::string_view uuid,
                                                     std::uint32_t index, std::uint32_t c) const {
    auto v = r.view(photos, photoKey(uuid, index, c));
    if (!v.ok())
        return v.error();
    if (!*v) {
        return makeError(Errc::corrupt, "photo " + std::to_string(index) + " chunk " +
                                            std::to_string(c) + " missing");
    }
    return crypto::open(*opts.key, bytesOf(**v), photoAd(uuid, index, c));
}

namespace {

using Bytes = std::vector<std::uint8_t>;

// Checks the key, opens a read transaction and looks up the photo's record, then lets
// `fn(reader, info)` read what it needs of the photo.
template <class T, class F>
Result<T> readPhotoWith(const Store::Impl& m, std::string_view uuid, std::uint32_t index, F&& fn) {
    if (Status s = m.requireKey(); !s.ok())
        return s.error();
    return m.read<T>([&](const Reader& r) -> Result<T> {
        auto info = m.photoInfo(r, uuid, index);
        if (!info.ok())
            return info.error();
        return fn(r, *info);
    });
}

}  // namespace

Result<std::vector<PhotoInfo>> Store::listPhotos(std::string_view uuid) const {
    const Impl& m = *impl_;
    return m.read<std::vector<PhotoInfo>>([&](const Reader& r) -> Result<std::vector<PhotoInfo>> {
        // A report's photos, or a reply's (saved under the reply's id).
        auto exists = r.view(m.outbox, uuid);
        if (!exists.ok())
            return exists.error();
        if (!*exists && m.feedTables) {
            exists = r.view(m.replies, uuid);
            if (!exists.ok())
                return exists.error();
        }
        if (!*exists)
            return makeError(Errc::notFound, "no report or reply " + std::string(uuid));
        return decodePrefix<PhotoInfo>(r.txn(), m.photoMeta, uuid, decodePhotoInfo);
    });
}

Result<Bytes> Store::readPhotoChunk(std::string_view uuid, std::uint32_t photoIndex,
                                    std::uint32_t chunkIndex) const {
    const Impl& m = *impl_;
    return readPhotoWith<Bytes>(
        m, uuid, photoIndex, [&](const Reader& r, const PhotoInfo& info) -> Result<Bytes> {
            if (chunkIndex >= info.chunkCount) {
                return makeError(Errc::notFound,
                                 "photo chunk " + std::to_string(chunkIndex) + " out of range");
            }
            return m.chunk(r, uuid, photoIndex, chunkIndex);
        });
}

Result<Bytes> Store::readPhotoRange(std::string_view uuid, std::uint32_t photoIndex,
                                    std::uint64_t offset, std::size_t maxBytes) const {
    const Impl& m = *impl_;
    return readPhotoWith<Bytes>(
        m, uuid, photoIndex, [&](const Reader& r, const PhotoInfo& info) -> Result<Bytes> {
            Bytes out;
            if (offset >= info.size)
                return out;
            std::uint64_t end = std::min<std::uint64_t>(info.size, offset + maxBytes);
            out.reserve(end - offset);
            for (std::uint64_t pos = offset; pos < end;) {
                auto c = static_cast<std::uint32_t>(pos / photoChunkBytes);
                auto plain = m.chunk(r, uuid, photoIndex, c);
                if (!plain.ok())
                    return plain.error();
                std::size_t from = pos - std::uint64_t{c} * photoChunkBytes;
                std::size_t take = std::min<std::uint64_t>(plain->size() - from, end - pos);
                if (from >= plain->size())
                    return makeError(Errc::corrupt, "photo chunk shorter than recorded");
                out.insert(out.end(), plain->begin() + from, plain->begin() + from + take);
                pos += take;
            }
            return out;
        });
}

Result<Photo> Store::readPhoto(std::string_view uuid, std::uint32_t photoIndex) const {
    const Impl& m = *impl_;
    return readPhotoWith<Photo>(
        m, uuid, photoIndex, [&](const Reader& r, const PhotoInfo& info) -> Result<Photo> {
            Photo p;
            p.jpeg.reserve(info.size);
            for (std::uint32_t c = 0; c < info.chunkCount; ++c) {
                auto plain = m.chunk(r, uuid, photoIndex, c);
                if (!plain.ok())
                    return plain.error();
                p.jpeg.insert(p.jpeg.end(), plain->begin(), plain->end());
            }
            p.sha256Hex = crypto::sha256Hex(p.jpeg);
            if (p.jpeg.size() != info.size || p.sha256Hex != info.sha256Hex) {
                return makeError(Errc::corrupt, "photo " + std::to_string(photoIndex) + " of " +
                                                    std::string(uuid) +
                                                    " does not match its SHA-256");
            }
            p.width = info.width;
            p.height = info.height;
            return p;
        });
}

Result<Clip> Store::readClip(std::string_view uuid, std::uint32_t index) const {
    const Impl& m = *impl_;
    return readPhotoWith<Clip>(
        m, uuid, index, [&](const Reader& r, const PhotoInfo& info) -> Result<Clip> {
            if (info.kind == MediaKind::photo) {
                return makeError(Errc::invalidInput, "item " + std::to_string(index) + " of " +
                                                         std::string(uuid) + " is a photo");
            }
            Clip clip;
            clip.kind = info.kind;
            clip.bytes.reserve(info.size);
            crypto::Sha256 hash;
            for (std::uint32_t c = 0; c < info.chunkCount; ++c) {
                auto plain = m.chunk(r, uuid, index, c);
                if (!plain.ok())
                    return plain.error();
                hash.update(*plain);
                clip.bytes.insert(clip.bytes.end(), plain->begin(), plain->end());
            }
            clip.sha256Hex = hash.finishHex();
            if (clip.bytes.size() != info.size || clip.sha256Hex != info.sha256Hex) {
                return makeError(Errc::corrupt, "clip " + std::to_string(index) + " of " +
                                                    std::string(uuid) +
                                                    " does not match its SHA-256");
            }
            clip.durationMs = info.durationMs;
            clip.width = info.width;
            clip.height = info.height;
            return clip;
        });
}

}  // namespace lapor
