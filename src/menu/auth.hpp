#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "core/id.hpp"
#include "menu/tree.hpp"

namespace certos::menu {

// Grant is what a login was granted on (Session::grant): the user's id and stored password hash, and the
// users generation it was checked at. RefreshSession compares them with the store; no secret is kept.
struct Grant {
    core::ObjectId user_id;
    std::string password_hash;
    std::uint64_t generation = 0;
};

// UsersGeneration is the change generation of /user and /user/group as `tx` sees it: it grows with every
// change to either, by any process sharing the store.
std::uint64_t UsersGeneration(store::Transaction& tx);

// UsersWatch gives the current UsersGeneration cheaply: while the store's DataVersion stays the same (no
// commit by anyone) it answers from memory; otherwise it reads the generation in a read transaction.
// Thread-safe.
class UsersWatch {
public:
    explicit UsersWatch(store::Store& store) : store_(store) {}
    std::uint64_t Generation();

private:
    store::Store& store_;
    std::mutex mutex_;
    bool known_ = false;
    std::uint64_t data_version_ = 0;
    std::uint64_t generation_ = 0;
};

// Authenticate checks a user's password (slow KDF, constant-time compare) and returns its session with the
// policies of its group, its address and its Grant, or throws core::Error(kAuthentication, "invalid user name
// or password (6)") for an unknown user, a wrong password, a disabled user, an address outside the user's
// `address` list or a group without every policy of `required` (the front end's: api, rest-api).
// Logs "user X logged in from ADDR via VIA" or "login failure for user X from ADDR via VIA" to /log.
Session Authenticate(const Tree& tree, std::string_view user, std::string_view password, std::string_view address,
                     std::string_view via, PolicySet required = 0);

// RefreshSession brings a logged-in session up to date before a command: when /user or /user/group changed
// since its grant (one DataVersion read otherwise), the session's user must still exist under the same id and
// name, not be disabled, have the same password hash, allow the session's address and have a group holding
// `required`; its policies are then recomputed from that group. Returns false (the login is no longer valid)
// otherwise. Sessions without a grant (the console) are left as they are. No KDF runs.
bool RefreshSession(const Tree& tree, UsersWatch& watch, Session& session, PolicySet required = 0);

// DefaultAdmin is user admin as EnsureAdmin makes it, without its password (what `export` compares with).
store::ItemRow DefaultAdmin();

// EnsureAdmin creates user `admin` (group full) when there are no users, with the password from
// CERTOS_ADMIN_PASSWORD or a random one. Returns the line the caller prints once: "created user admin with
// password P" for a random password; "created user admin with the password from CERTOS_ADMIN_PASSWORD" (a
// given password is never echoed); either followed by how to log in to REST and the API (the www and api
// ports of /ip service). When users already existed: nullopt, unless `check_given` and CERTOS_ADMIN_PASSWORD
// is set but is not admin's password (one password check, so only for long-running starts: `certos serve`,
// the interactive console); then the line says that it was ignored and what to do instead.
std::optional<std::string> EnsureAdmin(const Tree& tree, bool check_given = false);

// kMaxLogMessage bounds a /log message and kMaxLogName a user name inside one (in bytes, before escaping).
inline constexpr std::size_t kMaxLogMessage = 1024;
inline constexpr std::size_t kMaxLogName = 64;

// LogName is a user name (or another client-chosen word) shortened to kMaxLogName bytes for a log message.
std::string LogName(std::string_view name);

// EscapeLogText makes `text` one safe log line: control characters (newlines, escape codes, C1 controls),
// backslashes and bytes that are not UTF-8 become \n, \r, \t, \\ or \xHH, and the result is cut to at most
// `max` bytes (ending in "..." when cut), never inside an escape or a UTF-8 sequence.
std::string EscapeLogText(std::string_view text, std::size_t max = kMaxLogMessage);

// AppendLog logs a line: topics and message escaped and bounded (EscapeLogText), then routed by the rules of
// /system logging (menu/logging.hpp), a memory line appended in `tx`. Every log line goes through here.
// WriteLog does the same in its own transaction. Never pass secrets.
void AppendLog(const Tree& tree, store::Transaction& tx, std::string_view topics, std::string_view message);
void WriteLog(const Tree& tree, std::string_view topics, std::string_view message);
// TryWriteLog is WriteLog for the lines a request must not fail over (a login, or a refused one, on a full
// disk: reads keep working); returns false when the line could not be written.
bool TryWriteLog(const Tree& tree, std::string_view topics, std::string_view message);

// AddressAllowed checks `address` (IPv4 or IPv6 text) against a comma list of prefixes ("10.0.0.0/8,::1");
// an empty list allows every address.
bool AddressAllowed(std::string_view allowed, std::string_view address);

}  // namespace certos::menu
