// The backend-neutral suite, part 6: CountCertificates and ScanCertificates (conditions pushed down to the
// store's indexed columns, issue 13).

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "store/store_suite.hpp"

namespace certos::store::test {
namespace {

using Cond = CertificateCondition;
using Op = CertificateCondition::Op;
using Field = CertificateField;

Cond Text(Op op, Field field, const char* text) { return Cond::Compare(op, field, std::string(text)); }
Cond Number(Op op, std::int64_t number) { return Cond::Compare(op, Field::kNotAfter, number); }

// Rows: a CA (signed, keyed, trusted), two certificates it issued, a template; inserted out of print order.
class Rows {
public:
    explicit Rows(Store& store) {
        auto tx = store.Begin(TxMode::kWrite);
        tpl_ = tx->InsertCertificate(MakeRow("tpl"));
        CertificateRow ca = MakeRow("ca");
        ca.der = "CA DER";
        ca.props["not-after"] = "2000000000";
        ca.props["trusted"] = "true";
        ca.props["authority"] = "true";
        ca.props["fingerprint"] = "ab01";
        ca_ = tx->InsertCertificate(ca);
        tx->StoreSealedKey(ca_, "sealed");
        for (const char* name : {"b", "a"}) {
            CertificateRow leaf = MakeRow(name);
            leaf.der = std::string("DER ") + name;
            leaf.props["not-after"] = name == std::string("a") ? "1000" : "3000000000";
            leaf.props["subject-alt-name"] = std::string("DNS:") + name + ".example.com";
            leaf.issuer_id = ca_;
            (name == std::string("a") ? a_ : b_) = tx->InsertCertificate(leaf);
        }
        tx->Commit();
    }
    core::ObjectId tpl_, ca_, a_, b_;
};

std::vector<std::string> Scan(Transaction& tx, const Cond& condition) {
    std::vector<std::string> names;
    tx.ScanCertificates(
        condition,
        [&](CertificateRow&& row) {
            names.push_back(row.name);
            return true;
        },
        ScanOrder::kListing);
    return names;
}

TEST_P(StoreTest, ScanSelectsInPrintOrderAndCountAgrees) {
    auto store = Open();
    Rows rows(*store);
    auto tx = store->Begin(TxMode::kRead);
    // Print order: signed rows in signing order (ca, b, a), then templates.
    EXPECT_EQ(Scan(*tx, Cond::True()), (std::vector<std::string>{"ca", "b", "a", "tpl"}));
    EXPECT_EQ(tx->CountCertificates(Cond::True()), 4U);
    EXPECT_EQ(tx->CountCertificates(Cond::False()), 0U);
    Cond issued = Cond::Not(Cond::IsNull(Field::kIssuerName));
    EXPECT_EQ(Scan(*tx, issued), (std::vector<std::string>{"b", "a"}));
    EXPECT_EQ(tx->CountCertificates(issued), 2U);
    EXPECT_EQ(Scan(*tx, Text(Op::kEq, Field::kIssuerName, "ca")), (std::vector<std::string>{"b", "a"}));
    EXPECT_EQ(Scan(*tx, Text(Op::kEq, Field::kIssuerName, "b")), std::vector<std::string>{});
    EXPECT_EQ(Scan(*tx, Cond::IsNull(Field::kCertificate)), std::vector<std::string>{"tpl"});
    EXPECT_EQ(Scan(*tx, Cond::Not(Cond::IsNull(Field::kPrivateKey))), std::vector<std::string>{"ca"});
    EXPECT_EQ(Scan(*tx, Text(Op::kEq, Field::kCommonName, "a.example.com")), std::vector<std::string>{"a"});
    EXPECT_EQ(Scan(*tx, Text(Op::kLt, Field::kName, "b")), (std::vector<std::string>{"a"}));
    EXPECT_EQ(Scan(*tx, Text(Op::kGe, Field::kName, "ca")), (std::vector<std::string>{"ca", "tpl"}));
    EXPECT_EQ(Scan(*tx, Text(Op::kEq, Field::kFingerprint, "ab01")), std::vector<std::string>{"ca"});
    EXPECT_EQ(Scan(*tx, Cond::And({Text(Op::kEq, Field::kAuthority, "true"), Text(Op::kEq, Field::kTrusted, "true")})),
              std::vector<std::string>{"ca"});
    EXPECT_EQ(Scan(*tx, Number(Op::kLe, 2000000000)), (std::vector<std::string>{"ca", "a"}));
    EXPECT_EQ(Scan(*tx, Cond::Or({Number(Op::kLt, 1001), Cond::IsNull(Field::kNotAfter)})),
              (std::vector<std::string>{"a", "tpl"}));
    EXPECT_EQ(tx->CountCertificates(Number(Op::kGt, 1000)), 2U);
}

// ScanOrder::kAny visits exactly the rows of the listing-ordered scan (the jobs' scans), in any order.
TEST_P(StoreTest, AnUnorderedScanVisitsTheSameRows) {
    auto store = Open();
    Rows rows(*store);
    auto tx = store->Begin(TxMode::kRead);
    auto unordered = [&](const Cond& condition) {
        std::vector<std::string> names;
        tx->ScanCertificates(
            condition,
            [&](CertificateRow&& row) {
                names.push_back(row.name);
                return true;
            },
            ScanOrder::kAny);
        std::sort(names.begin(), names.end());
        return names;
    };
    for (const Cond& condition :
         {Cond::True(), Number(Op::kLe, 2000000000), Text(Op::kEq, Field::kAuthority, "true"),
          Text(Op::kEq, Field::kIssuerName, "ca"), Cond::Or({Number(Op::kLt, 1001), Cond::IsNull(Field::kNotAfter)}),
          Cond::Not(Text(Op::kEq, Field::kTrusted, "true")), Cond::False()}) {
        std::vector<std::string> listed = Scan(*tx, condition);
        std::sort(listed.begin(), listed.end());
        EXPECT_EQ(unordered(condition), listed);
    }
    EXPECT_EQ(unordered(Number(Op::kLe, 2000000000)), (std::vector<std::string>{"a", "ca"}));
}

// A comparison of a null column is false, and `not` its plain negation: never SQL's unknown.
TEST_P(StoreTest, ConditionsAreTwoValued) {
    auto store = Open();
    Rows rows(*store);
    auto tx = store->Begin(TxMode::kRead);
    Cond trusted = Text(Op::kEq, Field::kTrusted, "true");  // only the CA has the property
    EXPECT_EQ(Scan(*tx, trusted), std::vector<std::string>{"ca"});
    EXPECT_EQ(Scan(*tx, Cond::Not(trusted)), (std::vector<std::string>{"b", "a", "tpl"}));
    Cond ends = Number(Op::kGt, 0);  // null for the template
    EXPECT_EQ(tx->CountCertificates(Cond::Not(ends)), 1U);
    EXPECT_EQ(Scan(*tx, Cond::Not(Text(Op::kEq, Field::kIssuerName, "ca"))), (std::vector<std::string>{"ca", "tpl"}));
    EXPECT_EQ(Scan(*tx, Cond::Not(Cond::Or({}))).size(), 4U);
    EXPECT_EQ(Scan(*tx, Cond::And({})).size(), 4U);
}

TEST_P(StoreTest, UpdatesAndSigningMoveTheIndexedColumns) {
    auto store = Open();
    Rows rows(*store);
    {
        auto tx = store->Begin(TxMode::kWrite);
        CertificateRow tpl = *tx->GetCertificate(rows.tpl_);
        tpl.der = "DER tpl";
        tpl.props["not-after"] = "500";
        tpl.props["trusted"] = "true";
        tx->UpdateCertificate(tpl);
        CertificateRow ca = *tx->GetCertificate(rows.ca_);
        ca.props.erase("trusted");
        ASSERT_TRUE(tx->UpdateCertificateIf(ca, ca.revision));
        tx->Commit();
    }
    auto tx = store->Begin(TxMode::kRead);
    EXPECT_EQ(Scan(*tx, Text(Op::kEq, Field::kTrusted, "true")), std::vector<std::string>{"tpl"});
    EXPECT_EQ(Scan(*tx, Number(Op::kLt, 1001)), (std::vector<std::string>{"a", "tpl"}));
    EXPECT_EQ(tx->CountCertificates(Cond::IsNull(Field::kNotAfter)), 0U);
}

TEST_P(StoreTest, ScanStopsWhenTheVisitorSaysSo) {
    auto store = Open();
    Rows rows(*store);
    auto tx = store->Begin(TxMode::kRead);
    std::vector<std::string> names;
    tx->ScanCertificates(
        Cond::True(),
        [&](CertificateRow&& row) {
            names.push_back(row.name);
            return names.size() < 2;
        },
        ScanOrder::kListing);
    EXPECT_EQ(names, (std::vector<std::string>{"ca", "b"}));
    EXPECT_EQ(tx->CountCertificates(Cond::True()), 4U);  // the transaction is still usable
}

TEST_P(StoreTest, IssuerNamesAreTheRowsThatIssuedSome) {
    auto store = Open();
    Rows rows(*store);
    {
        // A second issuer, itself issued by the CA, with a leaf of its own; and a leaf of the CA again.
        auto tx = store->Begin(TxMode::kWrite);
        CertificateRow sub = MakeRow("sub");
        sub.der = "SUB DER";
        sub.issuer_id = rows.ca_;
        core::ObjectId sub_id = tx->InsertCertificate(sub);
        CertificateRow leaf = MakeRow("leaf");
        leaf.der = "LEAF DER";
        leaf.issuer_id = sub_id;
        tx->InsertCertificate(leaf);
        tx->Commit();
    }
    auto tx = store->Begin(TxMode::kRead);
    std::vector<std::pair<core::ObjectId, std::string>> names = tx->ListIssuerNames();
    ASSERT_EQ(names.size(), 2U);
    EXPECT_EQ(names[0], std::make_pair(rows.ca_, std::string("ca")));
    EXPECT_EQ(names[1].second, "sub");
}

TEST_P(StoreTest, IssuerNamesOfAStoreWithoutIssuedRowsAreNone) {
    auto store = Open();
    {
        auto tx = store->Begin(TxMode::kWrite);
        tx->InsertCertificate(MakeRow("tpl"));
        tx->Commit();
    }
    EXPECT_TRUE(store->Begin(TxMode::kRead)->ListIssuerNames().empty());
}

}  // namespace
}  // namespace certos::store::test
