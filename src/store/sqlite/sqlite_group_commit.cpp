#include "store/sqlite/sqlite_group_commit.hpp"

#include <utility>

namespace certos::store::sqlite {

// Group is one SQLite transaction shared by several writers: `members` of them have finished and wait for
// its COMMIT; `done` once it committed or failed (then `error_code` is not SQLITE_OK).
struct WriteGate::Group {
    int members = 0;
    bool done = false;
    int error_code = SQLITE_OK;
    std::string error;
};

WriteGate::WriteGate(std::function<std::unique_ptr<Connection>()> acquire,
                     std::function<void(std::unique_ptr<Connection>)> release, std::function<void()> on_commit)
    : acquire_(std::move(acquire)), release_(std::move(release)), on_commit_(std::move(on_commit)) {}

WriteGate::~WriteGate() = default;

Connection* WriteGate::Enter(Ticket& ticket) {
    {
        std::unique_lock lock(mutex_);
        if (slot_held_ && holder_ == std::this_thread::get_id()) {
            // Waiting would only time out: the slot is held by this very thread.
            throw core::Error(core::ErrorCategory::kInternal, "a write transaction is already open in this thread");
        }
        ++waiting_;
        bool entered = slot_free_.wait_for(lock, kBusyTimeout, [this] { return !slot_held_; });
        --waiting_;
        if (!entered) {
            group_done_.notify_all();  // a group waiting for this writer may now commit without it
            throw SqliteError(SQLITE_BUSY, "database is locked");
        }
        slot_held_ = true;
        holder_ = std::this_thread::get_id();
    }
    try {
        if (group_ == nullptr) {
            conn_ = acquire_();
            // BEGIN IMMEDIATE takes SQLite's write lock now, so a write never fails half-way because another
            // process wrote first.
            conn_->Prepare("BEGIN IMMEDIATE").Run();
            group_ = std::make_shared<Group>();
            ticket.first = true;
        } else {
            conn_->Prepare("SAVEPOINT certos_writer").Run();
            ticket.first = false;
        }
    } catch (const SqliteError& e) {
        // A connection opened for writing that is read-only (it shares its WAL index with a read-only one,
        // opened on a full disk) stays so: it is not kept.
        LeaveAfterFailedEnter((e.code() & 0xff) == SQLITE_READONLY);
        throw;
    } catch (...) {
        LeaveAfterFailedEnter(false);
        throw;
    }
    ticket.group = group_;
    return conn_.get();
}

void WriteGate::LeaveAfterFailedEnter(bool discard) noexcept {
    if (group_ == nullptr) {
        if (discard) {
            conn_.reset();
        }
        ReturnConnection();
    }
    std::unique_lock lock(mutex_);
    if (group_ != nullptr && !conn_->InTransaction()) {
        FailGroup(lock, SQLITE_ABORT, "the transaction was rolled back after an earlier failure");
    } else {
        FreeSlot(lock);  // a group's waiting writers commit it if nobody else comes
    }
}

void WriteGate::Commit(Ticket& ticket) {
    std::shared_ptr<Group> group = std::move(ticket.group);
    if (!ticket.first) {
        try {
            conn_->Prepare("RELEASE certos_writer").Run();
        } catch (const SqliteError& e) {
            ticket.group = group;
            Rollback(ticket, &e);
            throw;
        }
    }
    std::unique_lock lock(mutex_);
    ++group->members;
    if (waiting_ == 0 || group->members >= kMaxGroupCommit) {
        CommitGroup(lock);
    } else {
        // The next writer joins this group; whoever finds nobody waiting commits it.
        FreeSlot(lock);
        group_done_.wait(lock, [&] { return group->done || (!slot_held_ && waiting_ == 0); });
        if (!group->done) {
            // The writers that were waiting gave up (timed out): nobody else will commit the group.
            slot_held_ = true;
            holder_ = std::this_thread::get_id();
            CommitGroup(lock);
        }
    }
    if (group->error_code != SQLITE_OK) {
        throw SqliteError(group->error_code, group->error);
    }
}

void WriteGate::Rollback(Ticket& ticket, const SqliteError* cause) noexcept {
    std::shared_ptr<Group> group = std::move(ticket.group);
    if (group == nullptr) {
        return;
    }
    if (ticket.first) {
        // The group has no other writer: roll the transaction back whole.
        ReturnConnection();
        std::unique_lock lock(mutex_);
        group_.reset();
        group->done = true;
        FreeSlot(lock);
        return;
    }
    int code = SQLITE_OK;
    std::string message;
    try {
        conn_->Prepare("ROLLBACK TO certos_writer").Run();
        conn_->Prepare("RELEASE certos_writer").Run();
    } catch (const SqliteError& e) {
        code = e.code();
        message = e.what();
    }
    std::unique_lock lock(mutex_);
    if (code != SQLITE_OK || !conn_->InTransaction()) {
        // Some failures (I/O, disk full) make SQLite roll back the whole transaction: the group is lost, and
        // its writers are told why (the failure that lost it, rather than "no such savepoint").
        if (cause != nullptr) {
            code = cause->code();
            message = cause->what();
        } else if (code == SQLITE_OK) {
            code = SQLITE_ABORT;
            message = "the transaction was rolled back after an earlier failure";
        }
        FailGroup(lock, code, message);
    } else if (waiting_ == 0) {
        CommitGroup(lock);  // the writers before this one wait for it
    } else {
        FreeSlot(lock);
    }
}

void WriteGate::CommitGroup(std::unique_lock<std::mutex>& lock) {
    // The slot is this thread's: nobody else touches conn_ or group_. The mutex is not held during the
    // COMMIT (its fsync), so that arriving writers can queue for the next group meanwhile.
    lock.unlock();
    int code = SQLITE_OK;
    std::string message;
    try {
        conn_->Prepare("COMMIT").Run();
    } catch (const SqliteError& e) {
        code = e.code();
        message = e.what();
    }
    if (code == SQLITE_OK) {
        ReturnConnection();
        if (on_commit_) {
            on_commit_();
        }
    }
    lock.lock();
    if (code != SQLITE_OK) {
        FailGroup(lock, code, message);
        return;
    }
    group_->done = true;
    group_.reset();
    group_done_.notify_all();
    FreeSlot(lock);
}

void WriteGate::FailGroup(std::unique_lock<std::mutex>& lock, int code, const std::string& message) {
    ReturnConnection();
    group_->done = true;
    group_->error_code = code;
    group_->error = message;
    group_.reset();
    group_done_.notify_all();
    FreeSlot(lock);
}

void WriteGate::FreeSlot(std::unique_lock<std::mutex>& lock) {
    (void)lock;  // held by the caller
    slot_held_ = false;
    holder_ = std::thread::id();
    if (waiting_ > 0) {
        slot_free_.notify_one();
    } else if (group_ != nullptr) {
        group_done_.notify_all();  // nobody will join the open group: one of its writers commits it
    }
}

void WriteGate::ReturnConnection() noexcept {
    // Back to the Store's pool, where the next transaction finds it with its page cache current; closed when
    // it cannot leave its transaction.
    if (conn_ != nullptr && conn_->Rollback()) {
        release_(std::move(conn_));
    }
    conn_.reset();
}

}  // namespace certos::store::sqlite
