#pragma once
// Internal to store/sqlite/: the indexed columns of certificate rows (migration 9) and the translation of a
// store::CertificateCondition into a WHERE clause over them.

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "store/sqlite/sqlite_connection.hpp"
#include "store/store.hpp"

namespace certos::store::sqlite {

// The indexed columns, in the order BindIndexed binds them: what kIndexedColumns lists for an INSERT and
// kIndexedAssignments for an UPDATE (`common_name = ?, ...`).
inline constexpr int kIndexedColumnCount = 10;
extern const char* const kIndexedColumns;
extern const char* const kIndexedAssignments;

// BindIndexed binds the indexed columns' values for `row`, taken from its properties and der, to parameters
// `first` .. `first` + kIndexedColumnCount - 1.
void BindIndexed(Query& query, int first, const CertificateRow& row);

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
