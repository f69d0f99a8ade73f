// The backend-neutral Store suite, continued: leases (Transaction::AcquireLease, ReleaseLease), which the
// scheduler takes so that a job runs once however many processes share a store (see store_suite.hpp).
#include <chrono>
#include <string_view>

#include "core/error.hpp"
#include "store/store_suite.hpp"

namespace certos::store::test {
namespace {

using std::chrono::milliseconds;
using TimePoint = std::chrono::system_clock::time_point;

const TimePoint kT0 = TimePoint(std::chrono::milliseconds(1'800'000'000'000));
constexpr milliseconds kTtl{60'000};

// Acquire takes lease `name` for `holder` in a transaction of its own, committed.
bool Acquire(Store& store, std::string_view name, std::string_view holder, TimePoint now, milliseconds ttl = kTtl) {
    auto tx = store.Begin(TxMode::kWrite);
    bool taken = tx->AcquireLease(name, holder, now, ttl);
    tx->Commit();
    return taken;
}

void Release(Store& store, std::string_view name, std::string_view holder) {
    auto tx = store.Begin(TxMode::kWrite);
    tx->ReleaseLease(name, holder);
    tx->Commit();
}

TEST_P(StoreTest, LeaseIsHeldByOneHolderUntilItExpires) {
    auto store = Open();
    auto other = Open();  // another connection, as another process would have
    EXPECT_TRUE(Acquire(*store, "crl-rebuild", "a", kT0));
    EXPECT_FALSE(Acquire(*other, "crl-rebuild", "b", kT0));
    EXPECT_FALSE(Acquire(*other, "crl-rebuild", "b", kT0 + kTtl - milliseconds(1)));
    // Other leases are independent.
    EXPECT_TRUE(Acquire(*other, "crl-download", "b", kT0));
    // The end of the lease is not part of it.
    EXPECT_TRUE(Acquire(*other, "crl-rebuild", "b", kT0 + kTtl));
    EXPECT_FALSE(Acquire(*store, "crl-rebuild", "a", kT0 + kTtl));
}

TEST_P(StoreTest, HolderRenewsItsOwnLease) {
    auto store = Open();
    auto other = Open();
    ASSERT_TRUE(Acquire(*store, "job", "a", kT0));
    // Renewed at kT0 + 50 s for another minute: still held at kT0 + 100 s, which the first term did not reach.
    EXPECT_TRUE(Acquire(*store, "job", "a", kT0 + milliseconds(50'000)));
    EXPECT_FALSE(Acquire(*other, "job", "b", kT0 + milliseconds(100'000)));
    EXPECT_TRUE(Acquire(*other, "job", "b", kT0 + milliseconds(110'000)));
    // A renewal can also shorten the lease: the holder keeps it only as long as it asks.
    EXPECT_TRUE(Acquire(*other, "job", "b", kT0 + milliseconds(110'000), milliseconds(1)));
    EXPECT_TRUE(Acquire(*store, "job", "a", kT0 + milliseconds(110'001)));
}

TEST_P(StoreTest, ReleaseFreesOnlyTheHoldersLease) {
    auto store = Open();
    ASSERT_TRUE(Acquire(*store, "job", "a", kT0));
    Release(*store, "job", "b");  // not b's: nothing changes
    EXPECT_FALSE(Acquire(*store, "job", "b", kT0));
    Release(*store, "job", "a");
    EXPECT_TRUE(Acquire(*store, "job", "b", kT0));
    Release(*store, "never-taken", "a");  // releasing a lease nobody holds is no error
}

TEST_P(StoreTest, LeaseRollsBackWithItsTransaction) {
    auto store = Open();
    {
        auto tx = store->Begin(TxMode::kWrite);
        EXPECT_TRUE(tx->AcquireLease("job", "a", kT0, kTtl));
    }  // not committed
    EXPECT_TRUE(Acquire(*store, "job", "b", kT0));
}

TEST_P(StoreTest, ReadTransactionRefusesLeases) {
    auto store = Open();
    auto tx = store->Begin(TxMode::kRead);
    ExpectError(core::ErrorCategory::kInternal, [&] { tx->AcquireLease("job", "a", kT0, kTtl); });
    auto again = store->Begin(TxMode::kRead);
    ExpectError(core::ErrorCategory::kInternal, [&] { again->ReleaseLease("job", "a"); });
}

}  // namespace
}  // namespace certos::store::test
