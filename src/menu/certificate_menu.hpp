#pragma once
// Internal to menu/: the /certificate menu's model, shared by the files that add its verbs
// (certificate_menu.cpp: generic list verbs; later sign, export, import ...).

#include <array>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "menu/list_menu.hpp"
#include "menu/monitor.hpp"
#include "store/store.hpp"

namespace certos::menu {

// CertificateModel presents store::CertificateRow as /certificate records.
class CertificateModel : public ListModel {
public:
    std::vector<Record> Items(store::Transaction& tx) const override;
    std::optional<Record> Item(store::Transaction& tx, core::ObjectId id) const override;
    core::ObjectId Add(Call& call) const override;
    void Set(Call& call, core::ObjectId id) const override;
    void Unset(Call& call, core::ObjectId id, const std::vector<std::string>& properties) const override;
    void Remove(Call& call, core::ObjectId id) const override;
    // Select counts or reads through the store's indexes what the filter's translation (certificate_pushdown.hpp)
    // selects; nullopt when it selects nothing narrower than every row (Items' cached list serves that best).
    // The environment variable CERTOS_PUSHDOWN=off turns it off, for benchmarks that compare both paths.
    std::optional<Selection> Select(store::Transaction& tx, const Filter& filter, bool count_only) const override;
    // Scan renders the rows the filter's translation selects (every row with CERTOS_PUSHDOWN=off) one by one
    // as the store's cursor reads them: memory stays bounded whatever the number of certificates.
    void Scan(store::Transaction& tx, const Filter& filter, const std::function<void(Record&&)>& visit) const override;

    // ToRecord renders one row; `names` maps ids to names (for the `ca` property).
    static Record ToRecord(const store::CertificateRow& row, const std::map<core::ObjectId, std::string>& names);
    // This one moves the row's values into the record (the row is left without them).
    static Record ToRecord(store::CertificateRow&& row, const std::map<core::ObjectId, std::string>& names);

private:
    struct List;
    class ListCache;
    // BuildList renders the rows (reading, decoding and rendering each is the cost of a listing), reusing
    // from `previous` (may be null) the records of rows that did not change.
    static std::shared_ptr<const List> BuildList(store::Transaction& tx, const List* previous);
    // ScanRecords renders each row `condition` selects, in print order, as the store reads it.
    static void ScanRecords(store::Transaction& tx, const store::CertificateCondition& condition,
                            const std::function<void(Record&&)>& visit);
    // The last list rendered, for the store generations it was read at: `print` of an unchanged store
    // renders only the clock-dependent properties again. Kept only for stores of at most kMaxCachedRows
    // certificates; larger ones are rendered from the store each time (listings stream: Scan).
    std::shared_ptr<ListCache> cache_;

public:
    static constexpr std::uint64_t kMaxCachedRows = 10000;
    CertificateModel();
};

// The template properties that `add`, `set` and `copy-from` deal in, in RouterOS's argument order.
const std::vector<PropertySpec>& TemplateProperties();

// The properties that stay settable after signing (MT-CERT: "only name, trusted and trust-store").
inline constexpr std::array<std::string_view, 3> kSettableAfterSigning = {"name", "trusted", "trust-store"};

// InstallCertificateCaVerbs adds sign and export-certificate (certificate_ca_verbs.cpp).
void InstallCertificateCaVerbs(Menu& menu);

// InstallCertificateImportVerbs adds import, create-certificate-request and sign-certificate-request
// (certificate_import_verbs.cpp).
void InstallCertificateImportVerbs(Menu& menu);

// InstallCertificateTrustVerbs adds issued-revoke, verify, export-crl and the /certificate/crl and
// /certificate/builtin menus (certificate_trust_verbs.cpp).
void InstallCertificateTrustVerbs(Menu& menu);

// InstallCertificateAcmeVerbs adds add-acme, acme-renew and enable-ssl-certificate (certificate_acme_verbs.cpp).
void InstallCertificateAcmeVerbs(Menu& menu);

// NetworkVerb is a verb that talks to a server (ACME, SCEP): read and write policy, no transaction of the
// dispatcher (network round trips happen outside transactions), slow (certificate_acme_verbs.cpp).
Verb NetworkVerb(std::string name, std::string help, std::vector<ArgSpec> args, Handler handler);

// InstallCertificateScepClientVerbs adds add-scep and scep-renew (certificate_scep_client_verbs.cpp).
void InstallCertificateScepClientVerbs(Menu& menu);
// InstallCertificateScepMenus adds /certificate/scep-server with its otp and requests sub-menus
// (certificate_scep_menu.cpp).
void InstallCertificateScepMenus(Menu& certificate);

// FindRowByItem resolves `*ID` or a name to a row; throws "no such item".
store::CertificateRow FindRowByItem(store::Transaction& tx, std::string_view item);

// EnsureUniqueName throws "failure: certificate with the same name already exists" when another row
// (not `self`) has `name`.
void EnsureUniqueName(store::Transaction& tx, std::string_view name, std::optional<core::ObjectId> self = {});

}  // namespace certos::menu
