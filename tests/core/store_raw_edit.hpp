// Edits of a store's LMDB file behind the store's back, for tests that plant damage or a newer
// schema (doctest programs only).
#pragma once

#include <doctest/doctest.h>
#include <lmdb.h>

#include <string>

namespace lapor::testing {

// A write transaction on a store's LMDB file behind the store's back (tests that plant damage
// or a newer schema); commit() makes it stick, otherwise it is aborted.
class RawLmdbEdit {
  public:
    explicit RawLmdbEdit(const std::string& dir) {
        REQUIRE(mdb_env_create(&env_) == 0);
        mdb_env_set_maxdbs(env_, 16);
        REQUIRE(mdb_env_open(env_, dir.c_str(), 0, 0600) == 0);
        REQUIRE(mdb_txn_begin(env_, nullptr, 0, &txn_) == 0);
    }
    ~RawLmdbEdit() {
        if (txn_)
            mdb_txn_abort(txn_);
        mdb_env_close(env_);
    }
    RawLmdbEdit(const RawLmdbEdit&) = delete;
    RawLmdbEdit& operator=(const RawLmdbEdit&) = delete;
    [[nodiscard]] MDB_txn* txn() const { return txn_; }
    [[nodiscard]] MDB_dbi table(const char* name) const {
        MDB_dbi dbi = 0;
        REQUIRE(mdb_dbi_open(txn_, name, 0, &dbi) == 0);
        return dbi;
    }
    void commit() {
        REQUIRE(mdb_txn_commit(txn_) == 0);
        txn_ = nullptr;
    }

  private:
    MDB_env* env_ = nullptr;
    MDB_txn* txn_ = nullptr;
};

}  // namespace lapor::testing
