#include "store/sqlite/sqlite_condition.hpp"

#include <algorithm>
#include <optional>
#include <string_view>

#include "core/error.hpp"

namespace certos::store::sqlite {

namespace {

const char* Column(CertificateField field) {
    switch (field) {
        case CertificateField::kName:
            return "name";
        case CertificateField::kCommonName:
            return "common_name";
        case CertificateField::kSubjectAltName:
            return "subject_alt_name";
        case CertificateField::kKeyType:
            return "key_type";
        case CertificateField::kTrusted:
            return "trusted";
        case CertificateField::kIssuer:
            return "issuer";
        case CertificateField::kSerialNumber:
            return "serial_number";
        case CertificateField::kFingerprint:
            return "fingerprint";
        case CertificateField::kAuthority:
            return "authority";
        case CertificateField::kAcmeManaged:
            return "acme_managed";
        case CertificateField::kIssuerName:
            return "issuer_id";
        case CertificateField::kNotAfter:
            return "not_after";
        case CertificateField::kCertificate:
            return "der";
        case CertificateField::kPrivateKey:
            return "key_sealed";
    }
    throw core::Error(core::ErrorCategory::kInternal, "unknown certificate field");
}

const char* Operator(CertificateCondition::Op op) {
    switch (op) {
        case CertificateCondition::Op::kEq:
            return " = ?";
        case CertificateCondition::Op::kLt:
            return " < ?";
        case CertificateCondition::Op::kLe:
            return " <= ?";
        case CertificateCondition::Op::kGt:
            return " > ?";
        case CertificateCondition::Op::kGe:
            return " >= ?";
        default:
            throw core::Error(core::ErrorCategory::kInternal, "not a comparison");
    }
}

bool IsComparison(CertificateCondition::Op op) {
    using Op = CertificateCondition::Op;
    return op == Op::kEq || op == Op::kLt || op == Op::kLe || op == Op::kGt || op == Op::kGe;
}

// Coarse fields have few distinct values in a real store (one issuer for most certificates, two key types, a
// handful of trusted ones): an index on them narrows little. Without statistics (no ANALYZE: a full one takes
// seconds at 1,000,000 rows) SQLite assumes ten rows per key of any index, and lets `ca=X` drive a query over
// all X's certificates instead of an `expires-after` range of a few per cent. Next to a comparison on a fine
// field in the same AND, a coarse comparison is therefore written with its column as `+column`, which keeps
// the planner from using its index (https://sqlite.org/optoverview.html#disqualifying_where_clause_terms).
bool IsCoarse(CertificateField field) {
    switch (field) {
        case CertificateField::kIssuerName:
        case CertificateField::kKeyType:
        case CertificateField::kTrusted:
        case CertificateField::kIssuer:
        case CertificateField::kAuthority:
        case CertificateField::kAcmeManaged:
            return true;
        default:
            return false;
    }
}

void Append(const CertificateCondition& condition, WhereClause& out, bool demote = false);

void AppendList(const std::vector<CertificateCondition>& children, const char* joint, const char* empty,
                WhereClause& out, bool conjunction) {
    if (children.empty()) {
        out.sql += empty;
        return;
    }
    bool fine_sibling = conjunction && std::any_of(children.begin(), children.end(), [](const auto& child) {
                            return IsComparison(child.op) && !IsCoarse(child.field);
                        });
    out.sql += '(';
    for (std::size_t i = 0; i < children.size(); ++i) {
        if (i > 0) {
            out.sql += joint;
        }
        Append(children[i], out, fine_sibling && IsComparison(children[i].op) && IsCoarse(children[i].field));
    }
    out.sql += ')';
}

// AppendComparison keeps the comparison two-valued: `col IS NOT NULL AND col = ?` is false, never NULL, for a
// null column, so that NOT around it negates it.
void AppendComparison(const CertificateCondition& condition, WhereClause& out, bool demote) {
    CertificateField field = condition.field;
    if (field == CertificateField::kCertificate || field == CertificateField::kPrivateKey) {
        throw core::Error(core::ErrorCategory::kInternal, "a certificate's der and key compare only with null");
    }
    if (field == CertificateField::kName) {
        out.sql += std::string("name") + Operator(condition.op);
    } else if (field == CertificateField::kIssuerName) {
        // Not correlated: the issuers' ids are found once, through the unique index on name.
        std::string column = demote ? "+issuer_id" : "issuer_id";
        out.sql += "(" + column + " IS NOT NULL AND " + column + " IN (SELECT id FROM certificates WHERE name" +
                   Operator(condition.op) + "))";
    } else if (!demote && condition.op == CertificateCondition::Op::kEq && condition.text == "true" &&
               (field == CertificateField::kAuthority || field == CertificateField::kAcmeManaged)) {
        // The literal, not a parameter: the indexes of these two hold only the rows where they are "true"
        // (migration 10), and SQLite uses a partial index only for a term that says so in the statement's text.
        std::string column = Column(field);
        out.sql += "(" + column + " IS NOT NULL AND " + column + " = 'true')";
        return;
    } else {
        std::string column = std::string(demote ? "+" : "") + Column(field);
        out.sql += "(" + column + " IS NOT NULL AND " + column + Operator(condition.op) + ")";
    }
    if (field == CertificateField::kNotAfter) {
        out.params.emplace_back(condition.number);
    } else {
        out.params.emplace_back(condition.text);
    }
}

void Append(const CertificateCondition& condition, WhereClause& out, bool demote) {
    using Op = CertificateCondition::Op;
    switch (condition.op) {
        case Op::kTrue:
            out.sql += "1";
            return;
        case Op::kFalse:
            out.sql += "0";
            return;
        case Op::kIsNull:
            out.sql += std::string(Column(condition.field)) + " IS NULL";
            return;
        case Op::kAnd:
            AppendList(condition.children, " AND ", "1", out, true);
            return;
        case Op::kOr:
            AppendList(condition.children, " OR ", "0", out, false);
            return;
        case Op::kNot:
            if (condition.children.size() != 1) {
                throw core::Error(core::ErrorCategory::kInternal, "not takes one condition");
            }
            out.sql += "(NOT ";
            Append(condition.children.front(), out);
            out.sql += ')';
            return;
        default:
            AppendComparison(condition, out, demote);
    }
}

}  // namespace

WhereClause ToWhereClause(const CertificateCondition& condition) {
    WhereClause out;
    Append(condition, out);
    return out;
}

void BindWhere(Query& query, const WhereClause& where) {
    int index = 1;
    for (const auto& param : where.params) {
        if (const auto* text = std::get_if<std::string>(&param)) {
            query.Bind(index++, *text);
        } else {
            query.Bind(index++, std::get<std::int64_t>(param));
        }
    }
}

}  // namespace certos::store::sqlite
