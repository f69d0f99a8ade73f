#pragma once
// Internal to menu/: `/certificate print` and `find` filters translated into a store::CertificateCondition, so
// that the store counts and selects rows through its indexes instead of every row being rendered and matched.

#include <chrono>

#include "menu/filter.hpp"
#include "store/store.hpp"

namespace certos::menu {

// Pushdown is a filter's translation. `condition` holds for every row whose record the filter matches; when
// `exact`, it holds for no other row, so its count is the filter's count. Otherwise the rows it selects are
// candidates that the filter must still be evaluated on (the part that could not be translated).
struct Pushdown {
    store::CertificateCondition condition;
    bool exact = true;
};

// kMaxPushdownNodes bounds the translated condition (SQL engines limit expression depth and parameters); a
// larger one is not pushed down at all.
inline constexpr std::size_t kMaxPushdownNodes = 400;

// PushDown translates `filter` (normalized against /certificate's properties) as CertificateModel renders
// rows at `now` (expires-after, expired). Translated exactly: comparisons of name, common-name,
// subject-alt-name, trusted, issuer, ca, serial-number and fingerprint (=, !=, in, bare, ?name / ?-name, and <
// > <= >= with a value that is not a number, so that they compare as text), of the flags private-key,
// issued, authority, expired, smart-card-key and acme-managed (every operator), and expires-after < > <= >=
// a duration. Narrowed but left inexact: key-type (a row stored without it shows its key-size's type) and a
// regex with an anchored literal prefix (`name~"^c7"`: a range on the column). Everything else (other regular
// expressions, other properties) is left to the row-by-row evaluation:
// inside an `and` the rest is still pushed, an `or` or `not` around it is not.
Pushdown PushDown(const Filter& filter, std::chrono::system_clock::time_point now);

}  // namespace certos::menu
