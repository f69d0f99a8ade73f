#include "net/session_budget.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace certos::net {
namespace {

TEST(SessionBudgetTest, UnauthenticatedConnectionsDoNotUseMaxSessions) {
    SessionBudget budget({.max_sessions = 2, .max_unauthenticated = 10});
    std::vector<std::shared_ptr<SessionBudget::Ticket>> idle;
    for (int i = 0; i < 10; ++i) {
        idle.push_back(budget.Admit());
        ASSERT_NE(idle.back(), nullptr);
    }
    EXPECT_EQ(budget.unauthenticated(), 10u);
    EXPECT_EQ(budget.authenticated(), 0u);
}

TEST(SessionBudgetTest, NewcomerEvictsTheOldestIdleUnauthenticatedConnection) {
    SessionBudget budget({.max_sessions = 20, .max_unauthenticated = 3});
    std::vector<int> evicted;
    std::vector<std::shared_ptr<SessionBudget::Ticket>> tickets;
    for (int i = 0; i < 3; ++i) {
        tickets.push_back(budget.Admit());
        tickets.back()->Arm([&evicted, i] { evicted.push_back(i); });
    }
    ASSERT_TRUE(tickets[0]->Busy());  // being served: never evicted
    auto newcomer = budget.Admit();
    ASSERT_NE(newcomer, nullptr);
    EXPECT_EQ(evicted, std::vector<int>{1});
    EXPECT_TRUE(tickets[1]->evicted());
    EXPECT_FALSE(tickets[1]->Busy());
    EXPECT_EQ(budget.unauthenticated(), 3u);
    tickets[1].reset();  // the evicted connection closes: nothing more to give back
    EXPECT_EQ(budget.unauthenticated(), 3u);
}

TEST(SessionBudgetTest, RefusesWhenEveryUnauthenticatedPlaceIsBusy) {
    SessionBudget budget({.max_sessions = 20, .max_unauthenticated = 2});
    auto a = budget.Admit();
    auto b = budget.Admit();
    ASSERT_TRUE(a->Busy());
    ASSERT_TRUE(b->Busy());
    EXPECT_EQ(budget.Admit(), nullptr);
    b->Idle();
    EXPECT_NE(budget.Admit(), nullptr);
}

TEST(SessionBudgetTest, LoggedInConnectionsCountAgainstMaxSessions) {
    SessionBudget budget({.max_sessions = 2, .max_unauthenticated = 5});
    auto a = budget.Admit();
    auto b = budget.Admit();
    a->MarkAuthenticated();
    a->MarkAuthenticated();  // idempotent
    b->MarkAuthenticated();
    EXPECT_EQ(budget.authenticated(), 2u);
    EXPECT_EQ(budget.unauthenticated(), 0u);
    EXPECT_EQ(budget.Admit(), nullptr);  // max-sessions reached
    a.reset();
    EXPECT_EQ(budget.authenticated(), 1u);
    EXPECT_NE(budget.Admit(), nullptr);
}

TEST(SessionBudgetTest, ArmAfterEvictionClosesAtOnce) {
    SessionBudget budget({.max_sessions = 20, .max_unauthenticated = 1});
    auto first = budget.Admit();
    auto second = budget.Admit();  // evicts `first` before it was armed
    bool closed = false;
    first->Arm([&closed] { closed = true; });
    EXPECT_TRUE(closed);
    first->MarkAuthenticated();  // too late: stays evicted, counts nowhere
    EXPECT_EQ(budget.authenticated(), 0u);
}

}  // namespace
}  // namespace certos::net
