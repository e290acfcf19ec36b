// LMDB's handles for the store: environment, transactions and cursors that close themselves, and
// LMDB's error codes turned into the store's.
#include <cerrno>

#include "core/store_impl.hpp"

namespace lapor::storage {

Error lmdbError(int rc, std::string_view what) {
    Errc code = Errc::ioError;
    switch (rc) {
        case MDB_MAP_FULL:
        case ENOSPC:
        case EDQUOT: code = Errc::diskFull; break;
        case MDB_CORRUPTED:
        case MDB_PAGE_NOTFOUND:
        case MDB_INVALID:
        case MDB_VERSION_MISMATCH:
        case MDB_BAD_DBI: code = Errc::corrupt; break;
        case EACCES:
        case EPERM:
        case EROFS: code = Errc::permission; break;
        case MDB_READERS_FULL:
        case EAGAIN: code = Errc::busy; break;
        case ENOENT: code = Errc::notFound; break;
        case MDB_NOTFOUND: code = Errc::notFound; break;
        default: break;
    }
    return makeError(code, std::string(what) + ": " + mdb_strerror(rc));
}

// --- Env ---

Env::~Env() {
    if (env_)
        mdb_env_close(env_);
}

Env& Env::operator=(Env&& other) noexcept {
    if (this != &other) {
        if (env_)
            mdb_env_close(env_);
        env_ = std::exchange(other.env_, nullptr);
    }
    return *this;
}

int Env::create() {
    if (env_) {
        mdb_env_close(env_);
        env_ = nullptr;
    }
    return mdb_env_create(&env_);
}

// --- Txn ---

Txn& Txn::operator=(Txn&& other) noexcept {
    if (this != &other) {
        abort();
        txn_ = std::exchange(other.txn_, nullptr);
    }
    return *this;
}

int Txn::begin(MDB_env* env, unsigned flags) {
    abort();
    const int rc = mdb_txn_begin(env, nullptr, flags, &txn_);
    if (rc != 0)
        txn_ = nullptr;
    return rc;
}

int Txn::commit() {
    return mdb_txn_commit(std::exchange(txn_, nullptr));
}

void Txn::abort() noexcept {
    if (txn_)
        mdb_txn_abort(std::exchange(txn_, nullptr));
}

// --- Cursor ---

Result<Cursor> Cursor::open(MDB_txn* txn, MDB_dbi dbi) {
    MDB_cursor* c = nullptr;
    if (int rc = mdb_cursor_open(txn, dbi, &c); rc != 0)
        return lmdbError(rc, "cursor");
    return Cursor(c);
}

Cursor::~Cursor() {
    if (c_)
        mdb_cursor_close(c_);
}

Cursor& Cursor::operator=(Cursor&& other) noexcept {
    if (this != &other) {
        if (c_)
            mdb_cursor_close(c_);
        c_ = std::exchange(other.c_, nullptr);
    }
    return *this;
}

// --- Reader and Writer ---

Result<std::optional<std::string>> Reader::get(MDB_dbi dbi, std::string_view key) const {
    auto v = view(dbi, key);
    if (!v.ok())
        return v.error();
    if (!*v)
        return std::optional<std::string>();
    return std::optional<std::string>(std::string(sv(**v)));
}

Result<std::optional<MDB_val>> Reader::view(MDB_dbi dbi, std::string_view key) const {
    MDB_val k = mv(key), v{};
    int rc = mdb_get(txn_, dbi, &k, &v);
    if (rc == MDB_NOTFOUND)
        return std::optional<MDB_val>();
    if (rc != 0)
        return lmdbError(rc, "read");
    return std::optional<MDB_val>(v);
}

Status Writer::put(MDB_dbi dbi, std::string_view key, std::string_view value, unsigned flags) {
    return check(putRc(dbi, key, value, flags), "write");
}

int Writer::putRc(MDB_dbi dbi, std::string_view key, std::string_view value, unsigned flags) {
    MDB_val k = mv(key), v = mv(value);
    return mdb_put(txn_, dbi, &k, &v, flags);
}

Result<std::span<std::uint8_t>> Writer::reserve(MDB_dbi dbi, std::string_view key,
                                                std::size_t size) {
    MDB_val k = mv(key), v{size, nullptr};
    if (Status s = check(mdb_put(txn_, dbi, &k, &v, MDB_RESERVE), "write"); !s.ok())
        return s.error();
    return std::span<std::uint8_t>(static_cast<std::uint8_t*>(v.mv_data), v.mv_size);
}

Status Writer::del(MDB_dbi dbi, std::string_view key, std::optional<std::string_view> value) {
    MDB_val k = mv(key), v{};
    if (value)
        v = mv(*value);
    int rc = mdb_del(txn_, dbi, &k, value ? &v : nullptr);
    if (rc == MDB_NOTFOUND)
        return {};
    return check(rc, "delete");
}

Status Writer::delPrefix(MDB_dbi dbi, std::string_view prefix) {
    auto c = Cursor::open(txn_, dbi);
    if (!c.ok())
        return c.error();
    MDB_val k = mv(prefix), v{};
    int rc = c->get(k, v, MDB_SET_RANGE);
    while (rc == 0 && sv(k).substr(0, prefix.size()) == prefix) {
        if (Status s = check(mdb_cursor_del(*c, 0), "delete"); !s.ok())
            return s;
        rc = c->get(k, v, MDB_GET_CURRENT);
        if (rc == MDB_NOTFOUND || rc == EINVAL)
            rc = c->get(k, v, MDB_NEXT);
    }
    if (rc != 0 && rc != MDB_NOTFOUND && rc != EINVAL)
        return lmdbError(rc, "cursor");
    return {};
}

Status Writer::check(int rc, std::string_view what) {
    if (rc == 0)
        return {};
    if (rc == MDB_MAP_FULL)
        mapFull = true;
    return lmdbError(rc, what);
}

}  // namespace lapor::storage
