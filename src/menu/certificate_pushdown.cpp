#include "menu/certificate_pushdown.hpp"

#include <cmath>
#include <cstdlib>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/value.hpp"
#include "menu/certificate_menu.hpp"
#include "menu/record.hpp"
#include "trust/crl_download.hpp"

namespace certos::menu {
namespace {

using store::CertificateCondition;
using store::CertificateField;
using Cond = CertificateCondition;
using CondOp = CertificateCondition::Op;

Cond Constant(bool value) { return value ? Cond::True() : Cond::False(); }

// Join appends `b` to the and/or `a` (flat, so the condition stays shallow however many terms it has).
Cond Join(CondOp op, Cond a, Cond b) {
    if (a.op != op) {
        a = op == CondOp::kAnd ? Cond::And({std::move(a)}) : Cond::Or({std::move(a)});
    }
    if (b.op == op) {
        for (Cond& child : b.children) {
            a.children.push_back(std::move(child));
        }
    } else {
        a.children.push_back(std::move(b));
    }
    return a;
}

// And2, Or2 and Negate fold constants, so that what a property cannot be leaves no trace in the condition.
Cond And2(Cond a, Cond b) {
    if (a.op == CondOp::kFalse || b.op == CondOp::kTrue) {
        return a;
    }
    if (b.op == CondOp::kFalse || a.op == CondOp::kTrue) {
        return b;
    }
    return Join(CondOp::kAnd, std::move(a), std::move(b));
}

Cond Or2(Cond a, Cond b) {
    if (a.op == CondOp::kTrue || b.op == CondOp::kFalse) {
        return a;
    }
    if (b.op == CondOp::kTrue || a.op == CondOp::kFalse) {
        return b;
    }
    return Join(CondOp::kOr, std::move(a), std::move(b));
}

Cond Negate(Cond a) {
    if (a.op == CondOp::kTrue || a.op == CondOp::kFalse) {
        return Constant(a.op == CondOp::kFalse);
    }
    if (a.op == CondOp::kNot) {
        return std::move(a.children.front());
    }
    return Cond::Not(std::move(a));
}

Cond NotNull(CertificateField field) { return Cond::Not(Cond::IsNull(field)); }

// Case evaluates a comparison on one possible record value (nullopt: the record lacks the property) with the
// row-by-row evaluator itself, so that a constant case means exactly what Filter::Matches means.
bool Case(const Filter& leaf, const std::optional<std::string>& value) {
    Record record;
    if (value) {
        record.Append(leaf.property, *value);
    }
    return leaf.Matches(record);
}

// OneOf is `condition ? (leaf matches `yes`) : (leaf matches `no`)`.
Cond OneOf(const Cond& condition, const Filter& leaf, const std::optional<std::string>& yes,
           const std::optional<std::string>& no) {
    return Or2(And2(condition, Constant(Case(leaf, yes))), And2(Negate(condition), Constant(Case(leaf, no))));
}

// How a text property of a record comes from the row: shown when `presence` holds; then the column's value,
// or `fallback` when the column is null (nullopt: not known to the store).
struct TextProperty {
    std::string_view name;
    CertificateField field;
    std::optional<std::string_view> fallback;
    enum class Presence { kAlways, kSigned, kIssued } presence;
};

constexpr std::optional<std::string_view> kEmpty = std::string_view();
constexpr std::optional<std::string_view> kUnknown = std::nullopt;

constexpr TextProperty kTextProperties[] = {
    {"name", CertificateField::kName, kEmpty, TextProperty::Presence::kAlways},
    {"common-name", CertificateField::kCommonName, kEmpty, TextProperty::Presence::kAlways},
    {"subject-alt-name", CertificateField::kSubjectAltName, kEmpty, TextProperty::Presence::kAlways},
    {"key-type", CertificateField::kKeyType, kUnknown, TextProperty::Presence::kAlways},
    {"trusted", CertificateField::kTrusted, std::string_view("false"), TextProperty::Presence::kAlways},
    {"issuer", CertificateField::kIssuer, kEmpty, TextProperty::Presence::kSigned},
    {"ca", CertificateField::kIssuerName, kEmpty, TextProperty::Presence::kIssued},
    {"serial-number", CertificateField::kSerialNumber, kEmpty, TextProperty::Presence::kSigned},
    {"fingerprint", CertificateField::kFingerprint, kEmpty, TextProperty::Presence::kSigned},
};

Cond Signed() { return NotNull(CertificateField::kNotAfter); }

Cond PresenceOf(const TextProperty& property) {
    switch (property.presence) {
        case TextProperty::Presence::kSigned:
            return Signed();
        case TextProperty::Presence::kIssued:
            return Cond::And({Signed(), NotNull(CertificateField::kIssuerName)});
        case TextProperty::Presence::kAlways:
            break;
    }
    return Cond::True();
}

// AnchoredPrefix is the text every value a POSIX extended regex `^abc...` matches starts with: the literal
// characters after the `^`, less the last one when a quantifier follows it (`^abc*` only promises "ab"). Empty
// when the pattern promises no prefix (no anchor, an alternation anywhere, a bracket or escape first).
std::string AnchoredPrefix(std::string_view pattern) {
    if (!pattern.starts_with('^') || pattern.find('|') != std::string_view::npos) {
        return {};
    }
    constexpr std::string_view kSpecial = ".[]()*+?{}|^$\\";
    std::string prefix;
    for (std::size_t i = 1; i < pattern.size(); ++i) {
        char c = pattern[i];
        if (kSpecial.find(c) != std::string_view::npos) {
            if ((c == '*' || c == '?' || c == '{') && !prefix.empty()) {
                prefix.pop_back();
            }
            break;
        }
        prefix += c;
    }
    return prefix;
}

// PrefixRange is `column starts with prefix` as a range the column's index serves: >= prefix and < the next
// prefix in byte order.
Cond PrefixRange(CertificateField field, const std::string& prefix) {
    Cond from = Cond::Compare(CondOp::kGe, field, prefix);
    std::string next = prefix;
    while (!next.empty() && static_cast<unsigned char>(next.back()) == 0xff) {
        next.pop_back();
    }
    if (next.empty()) {
        return from;
    }
    next.back() = static_cast<char>(static_cast<unsigned char>(next.back()) + 1);
    return Cond::And({std::move(from), Cond::Compare(CondOp::kLt, field, next)});
}

// ColumnMatch is the leaf's comparison of a non-null column; nullopt when it cannot be said in a condition.
// A regex with an anchored literal prefix becomes a candidate range (`*exact` cleared): the rows selected are
// then matched against the regex itself.
std::optional<Cond> ColumnMatch(const Filter& leaf, CertificateField field, bool* exact) {
    auto eq = [&](std::string value) { return Cond::Compare(CondOp::kEq, field, std::move(value)); };
    auto ordered = [&](CondOp op) -> std::optional<Cond> {
        // Text against a number (or duration) compares as numbers when the stored value is one: not said here.
        if (ComparableNumber(leaf.value)) {
            return std::nullopt;
        }
        return Cond::Compare(op, field, leaf.value);
    };
    switch (leaf.op) {
        case Filter::Op::kEq:
            return eq(leaf.value);
        // `!=` and "neither empty nor false" as ranges, which an index serves (a `not` it cannot); every text is
        // >= "", so "not empty" is > "".
        case Filter::Op::kNe:
            return Cond::Or(
                {Cond::Compare(CondOp::kLt, field, leaf.value), Cond::Compare(CondOp::kGt, field, leaf.value)});
        case Filter::Op::kTruthy:
            return Cond::Or({Cond::And({Cond::Compare(CondOp::kGt, field, std::string()),
                                        Cond::Compare(CondOp::kLt, field, std::string("false"))}),
                             Cond::Compare(CondOp::kGt, field, std::string("false"))});
        case Filter::Op::kHas:
            return Cond::True();
        case Filter::Op::kLacks:
            return Cond::False();
        case Filter::Op::kIn: {
            std::vector<Cond> options;
            for (std::string& option : core::SplitList(leaf.value)) {
                options.push_back(eq(std::move(option)));
            }
            return Cond::Or(std::move(options));
        }
        case Filter::Op::kLt:
            return ordered(CondOp::kLt);
        case Filter::Op::kGt:
            return ordered(CondOp::kGt);
        case Filter::Op::kLe:
            return ordered(CondOp::kLe);
        case Filter::Op::kGe:
            return ordered(CondOp::kGe);
        case Filter::Op::kRegex: {
            std::string prefix = AnchoredPrefix(leaf.value);
            if (prefix.empty()) {
                return std::nullopt;
            }
            *exact = false;
            return PrefixRange(field, prefix);
        }
        default:
            return std::nullopt;
    }
}

std::optional<Pushdown> TextLeaf(const Filter& leaf, const TextProperty& property) {
    Pushdown out;
    std::optional<Cond> column = ColumnMatch(leaf, property.field, &out.exact);
    if (!column) {
        return std::nullopt;
    }
    Cond when_null = Cond::False();
    if (property.field != CertificateField::kName) {
        if (property.fallback) {
            when_null = Constant(Case(leaf, std::string(*property.fallback)));
        } else {
            when_null = Cond::True();  // may be anything: a candidate
            out.exact = false;
        }
    }
    Cond shown = property.field == CertificateField::kName  // never null
                     ? std::move(*column)
                     : Or2(And2(Cond::IsNull(property.field), std::move(when_null)),
                           And2(NotNull(property.field), std::move(*column)));
    Cond presence = PresenceOf(property);
    Cond absent = And2(Negate(presence), Constant(Case(leaf, std::nullopt)));
    out.condition = Or2(And2(std::move(presence), std::move(shown)), std::move(absent));
    return out;
}

// The flags: always shown, "true" exactly when their condition holds.
std::optional<Cond> FlagCondition(std::string_view name, std::int64_t expired_before) {
    if (name == "private-key") {
        return NotNull(CertificateField::kPrivateKey);
    }
    if (name == "issued") {
        return NotNull(CertificateField::kIssuerName);
    }
    if (name == "authority") {
        return Cond::And({Cond::Compare(CondOp::kEq, CertificateField::kAuthority, std::string("true")),
                          NotNull(CertificateField::kPrivateKey)});
    }
    if (name == "expired") {
        return Cond::And({Signed(), Cond::Compare(CondOp::kLe, CertificateField::kNotAfter, expired_before)});
    }
    if (name == "smart-card-key") {
        return Cond::False();
    }
    return std::nullopt;
}

// ExpiresAfterLeaf compares expires-after, shown for signed rows as max(0, not-after - c) in seconds, with a
// number of seconds (a duration), as not-after against c plus that number.
std::optional<Cond> ExpiresAfterLeaf(const Filter& leaf, std::int64_t c) {
    if (leaf.op == Filter::Op::kHas || leaf.op == Filter::Op::kTruthy) {
        return Signed();  // shown for every signed row, "0s" at the least
    }
    if (leaf.op == Filter::Op::kLacks) {
        return Negate(Signed());
    }
    std::optional<long double> number = ComparableNumber(leaf.value);
    constexpr long double kLimit = 1e15;  // beyond any time span; keeps c + k in range
    if (!number || std::isnan(*number)) {
        return std::nullopt;
    }
    long double bounded = std::fmax(-kLimit, std::fmin(kLimit, *number));
    auto up = static_cast<std::int64_t>(std::ceil(bounded));
    auto down = static_cast<std::int64_t>(std::floor(bounded));
    auto not_after = [&](CondOp op, std::int64_t k) {
        return And2(Signed(), Cond::Compare(op, CertificateField::kNotAfter, c + k));
    };
    // For a whole number of seconds x >= 0: x < v is x < ceil(v), x <= v is x <= floor(v), and so on.
    switch (leaf.op) {
        case Filter::Op::kLt:
            return up <= 0 ? Cond::False() : not_after(CondOp::kLt, up);
        case Filter::Op::kLe:
            return down < 0 ? Cond::False() : not_after(CondOp::kLe, down);
        case Filter::Op::kGt:
            return down < 0 ? Signed() : not_after(CondOp::kGt, down);
        case Filter::Op::kGe:
            return up <= 0 ? Signed() : not_after(CondOp::kGe, up);
        default:
            return std::nullopt;
    }
}

class Translator {
public:
    explicit Translator(std::chrono::system_clock::time_point now) {
        // A record rendered at `now` shows expires-after = trunc(not-after - now) seconds, at least 0, and is
        // expired when that is 0: with now = t + f (t whole seconds, 0 < f < 1) that is not-after - (t + 1).
        c_ = std::chrono::floor<std::chrono::seconds>(now.time_since_epoch()).count() + 1;
    }

    // Translate returns nullopt for what it cannot translate at all (the caller widens it to true).
    std::optional<Pushdown> Translate(const Filter& filter) const {
        switch (filter.op) {
            case Filter::Op::kTrue:
                return Pushdown{};
            case Filter::Op::kAnd: {
                Pushdown out;
                for (const Filter& child : filter.children) {
                    std::optional<Pushdown> part = Translate(child);
                    if (!part) {
                        out.exact = false;  // left to the row-by-row evaluation
                        continue;
                    }
                    out.exact = out.exact && part->exact;
                    out.condition = And2(std::move(out.condition), std::move(part->condition));
                }
                return out;
            }
            case Filter::Op::kOr: {
                Pushdown out{Cond::False(), true};
                for (const Filter& child : filter.children) {
                    std::optional<Pushdown> part = Translate(child);
                    if (!part) {
                        return std::nullopt;
                    }
                    out.exact = out.exact && part->exact;
                    out.condition = Or2(std::move(out.condition), std::move(part->condition));
                }
                return out;
            }
            case Filter::Op::kNot: {
                if (filter.children.empty()) {
                    return Pushdown{};  // Filter::Matches: a `not` of nothing matches everything
                }
                std::optional<Pushdown> inner = Translate(filter.children.front());
                if (!inner || !inner->exact) {
                    return std::nullopt;  // the negation of candidates is no set of candidates
                }
                return Pushdown{Negate(std::move(inner->condition)), true};
            }
            default:
                return Leaf(filter);
        }
    }

private:
    std::optional<Pushdown> Leaf(const Filter& leaf) const {
        for (const TextProperty& property : kTextProperties) {
            if (leaf.property == property.name) {
                return TextLeaf(leaf, property);
            }
        }
        if (std::optional<Cond> flag = FlagCondition(leaf.property, c_)) {
            return Pushdown{OneOf(*flag, leaf, std::string("true"), std::string("false")), true};
        }
        if (leaf.property == "acme-managed") {
            // Shown, as "true", only for an ACME-managed row.
            Cond managed = Cond::Compare(CondOp::kEq, CertificateField::kAcmeManaged, std::string("true"));
            return Pushdown{OneOf(managed, leaf, std::string("true"), std::nullopt), true};
        }
        if (leaf.property == "expires-after") {
            if (std::optional<Cond> cond = ExpiresAfterLeaf(leaf, c_)) {
                return Pushdown{std::move(*cond), true};
            }
        }
        if (leaf.property == "invalid-after" || leaf.property == "invalid-before") {
            if (leaf.op == Filter::Op::kHas || leaf.op == Filter::Op::kLacks) {
                Cond shown = Signed();
                return Pushdown{leaf.op == Filter::Op::kHas ? shown : Negate(shown), true};
            }
        }
        return std::nullopt;
    }

    std::int64_t c_ = 0;
};

std::size_t CountNodes(const Cond& condition) {
    std::size_t count = 1;
    for (const Cond& child : condition.children) {
        count += CountNodes(child);
    }
    return count;
}

}  // namespace

Pushdown PushDown(const Filter& filter, std::chrono::system_clock::time_point now) {
    std::optional<Pushdown> out = Translator(now).Translate(filter);
    if (!out) {
        return Pushdown{Cond::True(), false};
    }
    if (CountNodes(out->condition) > kMaxPushdownNodes) {
        return Pushdown{Cond::True(), false};
    }
    return std::move(*out);
}

}  // namespace certos::menu

namespace certos::menu {
namespace {

bool PushdownDisabled() {
    static const bool disabled = [] {
        const char* setting = std::getenv("CERTOS_PUSHDOWN");  // NOLINT(concurrency-mt-unsafe): read once
        return setting != nullptr && std::string_view(setting) == "off";
    }();
    return disabled;
}

}  // namespace

std::optional<ListModel::Selection> CertificateModel::Select(store::Transaction& tx, const Filter& filter,
                                                             bool count_only) const {
    if (PushdownDisabled()) {
        return std::nullopt;
    }
    Pushdown pushdown = PushDown(filter, std::chrono::system_clock::now());
    Selection selection;
    if (pushdown.exact && count_only) {
        selection.count = tx.CountCertificates(pushdown.condition);
        return selection;
    }
    if (pushdown.condition.op == store::CertificateCondition::Op::kTrue) {
        return std::nullopt;
    }
    ScanRecords(tx, pushdown.condition, [&](Record&& record) { selection.records.push_back(std::move(record)); });
    return selection;
}

void CertificateModel::Scan(store::Transaction& tx, const Filter& filter,
                            const std::function<void(Record&&)>& visit) const {
    ScanRecords(tx,
                PushdownDisabled() ? store::CertificateCondition::True()
                                   : PushDown(filter, std::chrono::system_clock::now()).condition,
                visit);
}

void CertificateModel::ScanRecords(store::Transaction& tx, const store::CertificateCondition& condition,
                                   const std::function<void(Record&&)>& visit) {
    // What ToRecord needs beyond the rows, read before the cursor opens (its visitor must not use the
    // transaction): the names of the issuers (`ca`) and the certificates of downloaded CRLs (L flag).
    std::map<core::ObjectId, std::string> names;
    for (auto& [id, name] : tx.ListIssuerNames()) {
        names.emplace(id, std::move(name));
    }
    std::set<core::ObjectId> with_crl = trust::CertificatesWithDownloadedCrl(tx);
    tx.ScanCertificates(
        condition,
        [&](store::CertificateRow&& row) {
            bool crl = with_crl.contains(row.id);
            Record record = ToRecord(std::move(row), names);
            if (crl) {
                record.Set("crl", "true");
            }
            visit(std::move(record));
            return true;
        },
        store::ScanOrder::kListing);
}

}  // namespace certos::menu
