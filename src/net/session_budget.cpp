#include "net/session_budget.hpp"

#include <utility>

namespace certos::net {

struct SessionBudget::State {
    mutable std::mutex mutex;
    Limits limits;
    std::size_t authenticated = 0;
    std::list<Ticket*> unauthenticated;  // oldest first
};

SessionBudget::SessionBudget(Limits limits) : state_(std::make_shared<State>()) { state_->limits = limits; }

void SessionBudget::SetLimits(Limits limits) {
    std::lock_guard lock(state_->mutex);
    state_->limits = limits;
}

std::shared_ptr<SessionBudget::Ticket> SessionBudget::Admit() {
    std::function<void()> evict;
    std::shared_ptr<Ticket> ticket;
    {
        std::lock_guard lock(state_->mutex);
        State& s = *state_;
        if (s.authenticated >= s.limits.max_sessions || s.limits.max_unauthenticated == 0) {
            return nullptr;
        }
        if (s.unauthenticated.size() >= s.limits.max_unauthenticated) {
            auto oldest_idle = s.unauthenticated.begin();
            while (oldest_idle != s.unauthenticated.end() && (*oldest_idle)->busy_ > 0) {
                ++oldest_idle;
            }
            if (oldest_idle == s.unauthenticated.end()) {
                return nullptr;
            }
            Ticket& victim = **oldest_idle;
            s.unauthenticated.erase(oldest_idle);
            victim.listed_ = false;
            victim.evicted_ = true;
            evict = std::move(victim.evict_);
        }
        ticket = std::shared_ptr<Ticket>(new Ticket(state_));
        ticket->place_ = s.unauthenticated.insert(s.unauthenticated.end(), ticket.get());
        ticket->listed_ = true;
    }
    if (evict) {
        evict();
    }
    return ticket;
}

std::size_t SessionBudget::authenticated() const {
    std::lock_guard lock(state_->mutex);
    return state_->authenticated;
}

std::size_t SessionBudget::unauthenticated() const {
    std::lock_guard lock(state_->mutex);
    return state_->unauthenticated.size();
}

SessionBudget::Ticket::~Ticket() {
    std::lock_guard lock(state_->mutex);
    if (listed_) {
        state_->unauthenticated.erase(place_);
    } else if (authenticated_) {
        --state_->authenticated;
    }
}

void SessionBudget::Ticket::Arm(std::function<void()> evict) {
    {
        std::lock_guard lock(state_->mutex);
        if (!evicted_) {
            evict_ = std::move(evict);
            return;
        }
    }
    evict();
}

void SessionBudget::Ticket::MarkAuthenticated() {
    std::lock_guard lock(state_->mutex);
    if (evicted_ || authenticated_) {
        return;
    }
    state_->unauthenticated.erase(place_);
    listed_ = false;
    authenticated_ = true;
    evict_ = nullptr;
    ++state_->authenticated;
}

bool SessionBudget::Ticket::authenticated() const {
    std::lock_guard lock(state_->mutex);
    return authenticated_;
}

bool SessionBudget::Ticket::Busy() {
    std::lock_guard lock(state_->mutex);
    if (evicted_) {
        return false;
    }
    ++busy_;
    return true;
}

void SessionBudget::Ticket::Idle() {
    std::lock_guard lock(state_->mutex);
    if (busy_ > 0) {
        --busy_;
    }
}

bool SessionBudget::Ticket::evicted() const {
    std::lock_guard lock(state_->mutex);
    return evicted_;
}

}  // namespace certos::net
