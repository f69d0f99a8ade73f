#pragma once
// Internal to net/: one listener's budget of connections. Boost-free, so that it is tested on its own.

#include <cstddef>
#include <functional>
#include <list>
#include <memory>
#include <mutex>

namespace certos::net {

// SessionBudget counts a listener's connections in two budgets: those that logged in (REST: a request with
// valid credentials; API: a successful /login) against max-sessions (`/ip service max-sessions`), and those
// that have not logged in yet against a small budget of their own. When that one is full, a newcomer takes
// the place of the oldest unauthenticated connection that is idle (nothing of it being served): so
// connections that never log in can neither lock out a client that will, nor use up max-sessions.
// Thread-safe; tickets may outlive the budget's owner.
class SessionBudget {
public:
    struct Limits {
        std::size_t max_sessions = 20;
        std::size_t max_unauthenticated = 64;
    };

    class Ticket;

    explicit SessionBudget(Limits limits);

    // SetLimits changes the limits for connections admitted from now on; open ones stay.
    void SetLimits(Limits limits);

    // Admit returns the ticket of a new connection, or nullptr when it must be refused: max-sessions
    // connections are logged in, or every unauthenticated place is taken by a connection being served. When
    // an idle unauthenticated connection gave up its place, its eviction callback (Ticket::Arm) is called
    // before Admit returns, outside the lock.
    std::shared_ptr<Ticket> Admit();

    std::size_t authenticated() const;
    std::size_t unauthenticated() const;

private:
    struct State;
    std::shared_ptr<State> state_;
};

// Ticket is one connection's place; the destructor gives it back.
class SessionBudget::Ticket {
public:
    ~Ticket();
    Ticket(const Ticket&) = delete;
    Ticket& operator=(const Ticket&) = delete;

    // Arm sets what closes the connection when it is evicted (called at most once, on any thread; it should
    // post the close to the connection's own executor). Called at once when the ticket was evicted already.
    void Arm(std::function<void()> evict);

    // MarkAuthenticated moves the connection from the unauthenticated budget to max-sessions. Idempotent;
    // does nothing for an evicted ticket.
    void MarkAuthenticated();
    bool authenticated() const;

    // Busy marks the start of serving something of the connection (a request, a login, a command), during
    // which it is not evicted; Idle its end. Busy returns false when the ticket was evicted already: the
    // connection is being closed and must not start anything.
    bool Busy();
    void Idle();

    bool evicted() const;

private:
    friend class SessionBudget;
    explicit Ticket(std::shared_ptr<State> state) : state_(std::move(state)) {}

    std::shared_ptr<State> state_;
    std::list<Ticket*>::iterator place_;  // in State::unauthenticated while counted there
    std::function<void()> evict_;
    std::size_t busy_ = 0;
    bool listed_ = false;
    bool authenticated_ = false;
    bool evicted_ = false;
};

}  // namespace certos::net
