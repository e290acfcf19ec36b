// The flow's ReportSink and CatalogSource over the LMDB store (core/store).
#include <mutex>

#include "core/crypto.hpp"
#include "core/log.hpp"
#include "core/store.hpp"
#include "kiosk/flow/panel.hpp"
#include "kiosk/links.hpp"

namespace lapor::kiosk {

namespace {

class StoreSink final : public ReportSink {
  public:
    StoreSink(std::shared_ptr<Store> store, std::uint64_t reserveBytes)
        : store_(std::move(store)), reserveBytes_(reserveBytes) {}

    Result<std::string> save(const Report& report, const std::vector<Photo>& photos,
                             const std::vector<Clip>& clips) override {
        SealedPhotos ahead;
        {
            std::lock_guard lock(aheadMutex_);
            std::swap(ahead, ahead_);
        }
        // The slip is owed from the same commit on (kiosk/slip_desk.hpp).
        const Store::ReportToSave one{&report, photos, &ahead, true, clips};
        auto codes = store_->saveReports(std::span<const Store::ReportToSave>(&one, 1));
        if (!codes) {
            return codes.error();
        }
        return std::move(codes.value().front());
    }
    void sealAhead(const std::string& uuid, const std::vector<Photo>& photos) override {
        auto sealed = store_->sealPhotos(uuid, photos);
        if (!sealed) {
            log::warn("kiosk",
                      "store: photos not sealed ahead (the save will): " + sealed.error().message);
        }
        std::lock_guard lock(aheadMutex_);
        ahead_ = sealed ? std::move(sealed.value()) : SealedPhotos{};
    }
    void prepareForNextSave() override {
        if (reserveBytes_ == 0) {
            return;
        }
        if (auto r = store_->reserveSpace(reserveBytes_); !r) {
            log::warn("kiosk",
                      "store: cannot reserve room for the next saves: " + r.error().message);
        }
    }
    std::string deviceId() const override { return store_->deviceId(); }
    bool agentWaitsForEnrolment() const override {
        auto s = store_->getStatus(Store::enrolmentStatusKey);
        return s.ok() && s.value().has_value();
    }

  private:
    std::shared_ptr<Store> store_;
    std::uint64_t reserveBytes_ = 0;
    std::mutex aheadMutex_;  // sealAhead and save run on the app's worker; the lock is cheap
    SealedPhotos ahead_;
    friend class StoreCatalog;
};

class StoreStatus final : public StatusSource {
  public:
    explicit StoreStatus(std::shared_ptr<Store> store) : store_(std::move(store)) {}

    Result<ReportStatus> lookup(std::string_view code) const override {
        return store_->statusByReceiptCode(code);
    }
    Status saveReply(const Reply& reply, const std::vector<Photo>& photos) override {
        return store_->saveReply(reply, photos);
    }
    std::int64_t lastContactMs() const override {
        auto rec = store_->getStatus(kAgentStatusKey);
        if (!rec.ok() || !rec->has_value()) {
            return 0;
        }
        return parseAgentRecord(**rec).lastSuccessMs;
    }

  private:
    std::shared_ptr<Store> store_;
};

class StoreCatalog final : public CatalogSource {
  public:
    explicit StoreCatalog(AgencyCatalog catalog) : catalog_(std::move(catalog)) {}

    std::vector<CatalogChoice> agencies(std::string_view language) const override {
        std::vector<CatalogChoice> out;
        for (const auto& a : catalog_.agencies) {
            out.push_back({a.id, a.name.in(language)});
        }
        return out;
    }

    std::vector<CatalogChoice> topics(std::string_view agencyId,
                                      std::string_view language) const override {
        std::vector<CatalogChoice> out;
        const Agency* a = catalog_.findAgency(agencyId);
        if (!a) {
            return out;
        }
        // Top-level topics, each followed by its subtopics named with their parent.
        for (const Topic* top : a->childrenOf("")) {
            out.push_back({top->id, top->name.in(language)});
            for (const Topic* sub : a->childrenOf(top->id)) {
                out.push_back({sub->id, top->name.in(language) + " - " + sub->name.in(language)});
            }
        }
        return out;
    }

  private:
    AgencyCatalog catalog_;
};

}  // namespace

Result<StoreLink> openStoreLink(const Config& config, const Clock& clock) {
    crypto::KeySource ks;
    ks.keyFile = config.keyFile;
    ks.credentialName = config.keyCredential;
    auto key = crypto::loadKey(ks);
    if (!key) {
        return key.error();
    }
    StoreOptions so;
    so.path = config.storePath;
    so.key = std::move(key.value());
    so.clock = &clock;
    so.mapSize = config.mapSizeMiB << 20;
    so.maxMapSize = config.maxMapSizeMiB << 20;
    auto store = Store::open(std::move(so));
    if (!store) {
        return store.error();
    }
    auto catalog = store.value()->getCatalogOrDefault(config.dataDir);
    if (!catalog) {
        return catalog.error();
    }
    StoreLink link;
    link.catalog = std::make_shared<StoreCatalog>(std::move(catalog.value()));
    link.store = std::move(store.value());
    link.status = std::make_shared<StoreStatus>(link.store);
    link.sink = std::make_shared<StoreSink>(link.store, config.reserveMiB << 20);
    return link;
}

}  // namespace lapor::kiosk
