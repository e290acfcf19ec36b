// The store's map and disk: map growth, telling a full disk apart, room ahead in the file
// (reserveSpace), giving back mapped pages (releaseMappedPages), and the sizes (stats).
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "core/log.hpp"
#include "core/store_impl.hpp"

namespace lapor {

using namespace storage;

Status Store::Impl::adoptMapSize() const {
    std::unique_lock lock(mapMutex);
    int rc = mdb_env_set_mapsize(env, 0);
    if (rc != 0)
        return lmdbError(rc, "adopt map size");
    return {};
}

Status Store::Impl::growMap() {
    std::unique_lock lock(mapMutex);
    MDB_envinfo before{};
    mdb_env_info(env, &before);
    mdb_env_set_mapsize(env, 0);
    MDB_envinfo after{};
    mdb_env_info(env, &after);
    if (after.me_mapsize > before.me_mapsize)
        return {};
    if (after.me_mapsize >= opts.maxMapSize) {
        return makeError(Errc::diskFull, "store is full: map size reached its limit of " +
                                             std::to_string(opts.maxMapSize >> 20) +
                                             " MiB (store.max_map_size_mib)");
    }
    std::uint64_t next = std::min<std::uint64_t>(opts.maxMapSize, after.me_mapsize * 2);
    int rc = mdb_env_set_mapsize(env, next);
    if (rc != 0)
        return lmdbError(rc, "grow map");
    log::info("store", "map grown to " + std::to_string(next >> 20) + " MiB");
    return {};
}

Error Store::Impl::commitError(int rc) const {
    if (rc == ENOSPC || rc == EDQUOT || rc == EIO) {
        struct statvfs vfs {};
        if (rc != EIO || (::statvfs(opts.path.c_str(), &vfs) == 0 &&
                          static_cast<std::uint64_t>(vfs.f_bavail) * vfs.f_frsize < (16u << 20))) {
            return makeError(Errc::diskFull,
                             "the disk holding the store is full; nothing was saved (" +
                                 std::string(mdb_strerror(rc)) + ")");
        }
    }
    return lmdbError(rc, "commit");
}

// Found once per map size. LMDB does not say (mdb_env_info's me_mapaddr is only the MDB_FIXEDMAP
// address), so it is looked up in /proc/self/maps by the file's device and inode.
std::pair<void*, std::size_t> Store::Impl::mapRange() const {
    MDB_envinfo info{};
    if (mdb_env_info(env, &info) != 0)
        return {nullptr, 0};
    std::lock_guard guard(mapRangeMutex);
    if (mapRangeSize == info.me_mapsize)
        return mapRangeCached;
    mapRangeSize = info.me_mapsize;
    mapRangeCached = {nullptr, 0};
    mdb_filehandle_t fd = -1;
    struct stat st {};
    if (mdb_env_get_fd(env, &fd) != 0 || ::fstat(fd, &st) != 0)
        return mapRangeCached;
    std::ifstream maps("/proc/self/maps");
    std::string line;
    while (std::getline(maps, line)) {
        unsigned long long begin = 0, end = 0, offset = 0, inode = 0;
        unsigned int maj = 0, min = 0;
        char perms[8] = {};
        if (std::sscanf(line.c_str(), "%llx-%llx %7s %llx %x:%x %llu", &begin, &end, perms, &offset,
                        &maj, &min, &inode) == 7 &&
            inode == st.st_ino && maj == major(st.st_dev) && min == minor(st.st_dev)) {
            mapRangeCached = {reinterpret_cast<void*>(begin), end - begin};
            break;
        }
    }
    return mapRangeCached;
}

Result<StoreStats> Store::stats() const {
    const Impl& m = *impl_;
    return m.read<StoreStats>([&](const Reader&) -> Result<StoreStats> {
        StoreStats out;
        MDB_envinfo info{};
        MDB_stat st{};
        mdb_env_info(m.env, &info);
        mdb_env_stat(m.env, &st);
        out.mapBytes = info.me_mapsize;
        out.usedBytes = static_cast<std::uint64_t>(info.me_last_pgno + 1) * st.ms_psize;
        out.maxMapBytes = m.opts.maxMapSize;
        std::error_code ec;
        auto size = std::filesystem::file_size(m.opts.path + "/data.mdb", ec);
        out.fileBytes = ec ? 0 : size;
        return out;
    });
}

Result<std::uint64_t> Store::reserveSpace(std::uint64_t bytes) {
    Impl& m = *impl_;
    if (m.opts.readOnly)
        return makeError(Errc::permission, "store opened read-only");
    std::shared_lock lock(m.mapMutex);
    // The transaction holds LMDB's writer lock and writes nothing: it is aborted when it goes.
    Txn txn;
    if (int rc = txn.begin(m.env, 0); rc != 0) {
        // MDB_MAP_RESIZED included: the next save adopts the new size; reserve after it.
        return lmdbError(rc, "begin write (reserve)");
    }
    MDB_envinfo info{};
    MDB_stat st{};
    mdb_filehandle_t fd = -1;
    struct stat file {};
    if (mdb_env_info(m.env, &info) != 0 || mdb_env_stat(m.env, &st) != 0 ||
        mdb_env_get_fd(m.env, &fd) != 0 || ::fstat(fd, &file) != 0) {
        return makeError(Errc::ioError,
                         std::string("reserve: cannot stat the store: ") + std::strerror(errno));
    }
    const std::uint64_t used = static_cast<std::uint64_t>(info.me_last_pgno + 1) * st.ms_psize;
    const std::uint64_t size = static_cast<std::uint64_t>(file.st_size);
    const std::uint64_t target = std::min<std::uint64_t>(used + bytes, info.me_mapsize);
    if (size >= target || size - used >= bytes / 2)
        return std::uint64_t{0};
    static const std::vector<char> zeros(1 << 20, 0);
    for (std::uint64_t at = size; at < target;) {
        const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(zeros.size(), target - at));
        const ssize_t w = ::pwrite(fd, zeros.data(), n, static_cast<off_t>(at));
        if (w <= 0) {
            const int err = w < 0 ? errno : ENOSPC;
            (void)::ftruncate(fd, static_cast<off_t>(size));  // give the space back
            if (err == ENOSPC || err == EDQUOT) {
                return makeError(Errc::diskFull, "reserve: the disk holding the store is full");
            }
            return makeError(Errc::ioError, std::string("reserve: ") + std::strerror(err));
        }
        at += static_cast<std::uint64_t>(w);
    }
    if (::fdatasync(fd) != 0) {
        const int err = errno;
        (void)::ftruncate(fd, static_cast<off_t>(size));
        return makeError(err == ENOSPC ? Errc::diskFull : Errc::ioError,
                         std::string("reserve: fdatasync: ") + std::strerror(err));
    }
    return target - size;
}

void Store::releaseMappedPages() const {
    const Impl& m = *impl_;
    std::shared_lock lock(m.mapMutex);  // no resize (remap) while the range is in use
    auto [begin, length] = m.mapRange();
    if (length != 0 && ::madvise(begin, length, MADV_DONTNEED) != 0) {
        log::warn("store",
                  std::string("cannot release the store's mapped pages: ") + std::strerror(errno));
    }
}

}  // namespace lapor
