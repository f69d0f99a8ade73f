#pragma once
// Internal to store/sqlite/: the write gate of one Store, which lets concurrent write transactions share one
// durable commit (group commit).

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "store/sqlite/sqlite_connection.hpp"

namespace certos::store::sqlite {

// kMaxGroupCommit is how many write transactions one durable commit holds at most.
inline constexpr int kMaxGroupCommit = 64;

// WriteGate serialises the write transactions of one Store and commits them in groups. The writer that holds
// the gate's slot works on the gate's one connection: the first writer of a group opens the SQLite
// transaction (BEGIN IMMEDIATE); each later writer runs inside a SAVEPOINT of it, so that its failure rolls
// back its own changes only. A writer that is done hands the slot to the next waiting writer and waits; the
// group is committed (one COMMIT, one fsync under synchronous=FULL) as soon as no writer waits for the slot
// or the group holds kMaxGroupCommit writers, and only then does Commit return to each of them: an
// acknowledged write is as durable as with one commit per transaction. When the group's COMMIT fails, every
// writer of it gets that failure and nothing of the group is stored.
//
// A writer sees the changes of the writers before it in its group (it runs after them, as it would with a
// commit between); other connections see none of them before the group commits.
class WriteGate {
public:
    struct Group;
    // Ticket is one writer's place in a group, from Enter to Commit or Rollback.
    struct Ticket {
        std::shared_ptr<Group> group;  // null when the writer is not in a group
        bool first = false;            // it opened the group's transaction (it has no savepoint)
    };

    // `acquire` gives the connection a group runs on (from the Store's pool) and `release` takes it back when
    // the group has ended; `on_commit` runs after each successful COMMIT.
    WriteGate(std::function<std::unique_ptr<Connection>()> acquire,
              std::function<void(std::unique_ptr<Connection>)> release, std::function<void()> on_commit);
    ~WriteGate();
    WriteGate(const WriteGate&) = delete;
    WriteGate& operator=(const WriteGate&) = delete;

    // Enter waits up to kBusyTimeout for the slot (SqliteError SQLITE_BUSY "database is locked" after that;
    // core::Error kInternal when this thread holds the slot already), then begins the group's transaction
    // or a savepoint in it. The returned connection is the caller's until Commit or Rollback. A failure to
    // begin leaves nothing open and rethrows SQLite's error.
    Connection* Enter(Ticket& ticket);

    // Commit keeps the caller's changes in the group and returns once the group's COMMIT is durable; it
    // throws the SqliteError of a COMMIT (or of releasing the savepoint) that failed, in which case none of
    // the caller's changes were stored. Either way the slot is no longer the caller's.
    void Commit(Ticket& ticket);

    // Rollback undoes the caller's changes (its savepoint, or the whole transaction when it is the group's
    // only writer so far) and frees the slot. It never throws; when SQLite cannot roll back to the savepoint
    // (an I/O error, the disk full: SQLite then rolls back the whole transaction), the group fails and its
    // waiting writers get `cause` (the failure that made the caller roll back, when it was one) or SQLite's
    // error.
    void Rollback(Ticket& ticket, const SqliteError* cause) noexcept;

private:
    void LeaveAfterFailedEnter(bool discard) noexcept;
    void CommitGroup(std::unique_lock<std::mutex>& lock);
    void FailGroup(std::unique_lock<std::mutex>& lock, int code, const std::string& message);
    void FreeSlot(std::unique_lock<std::mutex>& lock);
    void ReturnConnection() noexcept;

    std::function<std::unique_ptr<Connection>()> acquire_;
    std::function<void(std::unique_ptr<Connection>)> release_;
    std::function<void()> on_commit_;

    std::mutex mutex_;
    std::condition_variable slot_free_;   // writers waiting to enter
    std::condition_variable group_done_;  // writers waiting for their group's commit
    bool slot_held_ = false;
    std::thread::id holder_;  // the thread that entered; the slot may be left from another thread
    int waiting_ = 0;         // writers waiting in Enter

    // Only the slot's holder uses these.
    std::unique_ptr<Connection> conn_;  // the open group's connection
    std::shared_ptr<Group> group_;      // the group whose transaction is open on conn_, if any
};

}  // namespace certos::store::sqlite
