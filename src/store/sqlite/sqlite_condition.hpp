#pragma once
// Internal to store/sqlite/: the translation of a store::CertificateCondition into a WHERE clause over the
// indexed (generated) columns of certificate rows that migration 9 adds.

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "store/sqlite/sqlite_connection.hpp"
#include "store/store.hpp"

namespace certos::store::sqlite {

// WhereClause is a condition as SQL with its parameters, bound in order from parameter 1.
struct WhereClause {
    std::string sql;
    std::vector<std::variant<std::string, std::int64_t>> params;
};

// ToWhereClause translates `condition`. Throws core::Error (kInternal) for a comparison the field does not
// have (kCertificate and kPrivateKey only know kIsNull).
WhereClause ToWhereClause(const CertificateCondition& condition);

// BindWhere binds the clause's parameters.
void BindWhere(Query& query, const WhereClause& where);

}  // namespace certos::store::sqlite
