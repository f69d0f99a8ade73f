#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "menu/tree.hpp"

namespace certos::menu {

// Authenticate checks a user's password (slow KDF, constant-time compare) and returns its session with the
// policies of its group, or throws core::Error(kAuthentication, "invalid user name or password (6)") for an
// unknown user, a wrong password, a disabled user or an address outside the user's `address` list.
// Logs "user X logged in from ADDR via VIA" or "login failure for user X from ADDR via VIA" to /log.
Session Authenticate(const Tree& tree, std::string_view user, std::string_view password, std::string_view address,
                     std::string_view via);

// EnsureAdmin creates user `admin` (group full) when there are no users, with the password from
// CERTOS_ADMIN_PASSWORD or a random one; returns the password so the caller prints it once, nullopt when
// users already existed.
std::optional<std::string> EnsureAdmin(const Tree& tree);

// UsersFingerprint summarises /user and /user/group as stored (password hashes included, last-logged-in
// excluded): remembered logins are valid only while it stays the same.
std::string UsersFingerprint(store::Store& store);

// WriteLog appends a line to /log (its own transaction). Never pass secrets.
void WriteLog(const Tree& tree, std::string_view topics, std::string_view message);

// AddressAllowed checks `address` (IPv4 or IPv6 text) against a comma list of prefixes ("10.0.0.0/8,::1");
// an empty list allows every address.
bool AddressAllowed(std::string_view allowed, std::string_view address);

}  // namespace certos::menu
