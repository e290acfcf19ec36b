// Opening the store: the environment's flags, the schema check (a newer store is never touched),
// the tables, and the metadata drawn once when the store is created.
#include <sys/stat.h>

#include <filesystem>

#include "core/receipt_code.hpp"
#include "core/store_impl.hpp"

namespace lapor {

using namespace storage;

Store::Store(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Store::~Store() = default;

const std::string& Store::deviceId() const noexcept {
    return impl_->deviceId;
}
const std::string& Store::receiptPrefix() const noexcept {
    return impl_->prefix;
}
std::uint32_t Store::schemaVersion() const noexcept {
    return impl_->schema;
}
const std::string& Store::path() const noexcept {
    return impl_->opts.path;
}
bool Store::hasKey() const noexcept {
    return impl_->opts.key && impl_->opts.key->valid();
}

Status Store::Impl::openDatabases(MDB_txn* txn, unsigned create) {
    struct Db {
        const char* name;
        MDB_dbi* dbi;
        unsigned flags;
        bool* present = nullptr;  // added later: may be missing from an older store opened
                                  // read-only, which then reads them as empty
    } dbs[] = {
        {"meta", &meta, 0},
        {"reports", &reports, 0},
        {"identity", &identity, 0},
        {"photometa", &photoMeta, 0},
        {"photos", &photos, 0},
        {"outbox", &outbox, 0},
        {"due", &due, 0},
        {"bystate", &byState, MDB_DUPSORT | MDB_DUPFIXED},
        {"history", &history, 0},
        {"receipts", &receipts, 0},
        {"catalog", &catalog, 0},
        {"status", &status, 0},
        {"staff", &staff, 0, &staffTables},
        {"audit", &audit, 0, &staffTables},
        {"timeline", &timeline, 0, &feedTables},
        {"replies", &replies, 0, &feedTables},
        {"replytext", &replyText, 0, &feedTables},
        {"replydue", &replyDue, 0, &feedTables},
    };
    for (const Db& db : dbs) {
        int rc = mdb_dbi_open(txn, db.name, db.flags | create, db.dbi);
        if (rc == MDB_NOTFOUND && db.present) {
            *db.present = false;
            continue;
        }
        if (rc == MDB_NOTFOUND) {
            return makeError(Errc::corrupt, "store lacks its '" + std::string(db.name) + "' table");
        }
        if (rc != 0)
            return lmdbError(rc, std::string("open table ") + db.name);
    }
    return {};
}

namespace {

// Refuses a store that is not one, or was written by a newer schema; true when it has no
// metadata yet (a fresh environment). Reads only.
Result<bool> checkSchema(MDB_env* env, const std::string& path) {
    Txn txn;
    if (int rc = txn.begin(env, MDB_RDONLY); rc != 0)
        return lmdbError(rc, "begin read");
    MDB_dbi metaDbi = 0;
    int rc = mdb_dbi_open(txn, "meta", 0, &metaDbi);
    if (rc == MDB_NOTFOUND)
        return true;
    if (rc != 0)
        return lmdbError(rc, "open meta table");
    auto schema = Reader(txn).view(metaDbi, "schema");
    if (!schema.ok() || !*schema || (*schema)->mv_size != 4)
        return makeError(Errc::corrupt, path + " has no schema version: not a LAPOR! store");
    auto version = static_cast<std::uint32_t>(readBE(sv(**schema), 0, 4));
    if (version > storeSchemaVersion) {
        return makeError(Errc::tooNew,
                         "store " + path + " has schema version " + std::to_string(version) +
                             ", newer than this program understands (" +
                             std::to_string(storeSchemaVersion) +
                             "); refusing to open it. Install the newer program; the store "
                             "was not changed.");
    }
    return false;
}

}  // namespace

Result<std::unique_ptr<Store>> Store::open(StoreOptions options) {
    auto impl = std::make_unique<Impl>();
    impl->clock = options.clock ? options.clock : &SystemClock::instance();
    impl->opts = std::move(options);
    const StoreOptions& o = impl->opts;
    if (o.path.empty())
        return makeError(Errc::invalidInput, "no store path given");
    if (o.maxMapSize < o.mapSize)
        return makeError(Errc::invalidInput, "maxMapSize below mapSize");
    if (Status s = crypto::init(); !s.ok())
        return s.error();

    std::error_code ec;
    if (!std::filesystem::exists(o.path + "/data.mdb", ec)) {
        if (o.readOnly)
            return makeError(Errc::notFound, "no store at " + o.path);
        std::filesystem::create_directories(o.path, ec);
        if (ec) {
            return makeError(ec == std::errc::permission_denied ? Errc::permission : Errc::ioError,
                             "cannot create store directory " + o.path + ": " + ec.message());
        }
        ::chmod(o.path.c_str(), 0700);
    }

    int rc = impl->env.create();
    if (rc != 0)
        return lmdbError(rc, "create environment");
    mdb_env_set_maxdbs(impl->env, 32);
    mdb_env_set_mapsize(impl->env, o.mapSize);
    // MDB_NOTLS: read transactions are not bound to a thread (callers may use threads).
    // No MDB_NOSYNC, MDB_NOMETASYNC or MDB_WRITEMAP: every commit is durable.
    unsigned flags = MDB_NOTLS | (o.readOnly ? MDB_RDONLY : 0u);
    rc = mdb_env_open(impl->env, o.path.c_str(), flags, 0600);
    if (rc != 0) {
        if (rc == MDB_INVALID || rc == MDB_VERSION_MISMATCH) {
            return makeError(Errc::corrupt, o.path + " is not an LMDB store this program can read");
        }
        return lmdbError(rc, "open store " + o.path);
    }
    int dead = 0;
    mdb_reader_check(impl->env, &dead);  // clears reader slots of crashed processes

    // Check the schema before anything can change: a newer store is never touched.
    auto fresh = checkSchema(impl->env, o.path);
    if (!fresh.ok())
        return fresh.error();
    if (*fresh && o.readOnly)
        return makeError(Errc::notFound, "no store at " + o.path);

    if (o.readOnly) {
        Txn txn;
        if (rc = txn.begin(impl->env, MDB_RDONLY); rc != 0)
            return lmdbError(rc, "begin read");
        if (Status s = impl->openDatabases(txn, 0); !s.ok())
            return s.error();
        if (rc = txn.commit(); rc != 0)  // keeps the table handles
            return lmdbError(rc, "open tables");
    } else {
        auto status = impl->write<void>([&](Writer& w) -> Status {
            if (Status s = impl->openDatabases(w.txn(), MDB_CREATE); !s.ok())
                return s;
            auto schema = w.get(impl->meta, "schema");
            if (!schema.ok())
                return schema.error();
            if (*schema)
                return {};  // created by someone else meanwhile, or existing
            std::string id = o.deviceId.empty() ? "kiosk-" + crypto::randomHex(8) : o.deviceId;
            for (auto [k, v] :
                 {std::pair<std::string, std::string>{"schema", be(storeSchemaVersion, 4)},
                  {"device_id", id},
                  {"receipt_prefix", receipt::randomDevicePart()},
                  {"created_at", be(static_cast<std::uint64_t>(impl->now()), 8)},
                  {"next_seq", be(1, 8)}}) {
                if (Status s = w.put(impl->meta, k, v); !s.ok())
                    return s;
            }
            return {};
        });
        if (!status.ok())
            return status.error();
    }

    auto loaded = impl->read<bool>([&](const Reader& r) -> Result<bool> {
        auto schema = r.get(impl->meta, "schema");
        auto id = r.get(impl->meta, "device_id");
        auto prefix = r.get(impl->meta, "receipt_prefix");
        if (!schema.ok() || !id.ok() || !prefix.ok() || !*schema || !*id || !*prefix) {
            return makeError(Errc::corrupt, "store metadata incomplete");
        }
        impl->schema = static_cast<std::uint32_t>(readBE(**schema, 0, 4));
        impl->deviceId = **id;
        impl->prefix = **prefix;
        return true;
    });
    if (!loaded.ok())
        return loaded.error();
    return std::unique_ptr<Store>(new Store(std::move(impl)));
}

}  // namespace lapor
