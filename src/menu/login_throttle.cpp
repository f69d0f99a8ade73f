#include "menu/login_throttle.hpp"

#include <algorithm>

#include "core/error.hpp"

namespace certos::menu {
namespace {

// PoolFull is what a check that found no place on the KDF pool (or was pushed out of it) gets.
struct PoolFull {};

constexpr std::size_t kMaxFamiliar = 16;  // addresses remembered per user

core::Error Refused(std::string_view why) {
    return core::Error(core::ErrorCategory::kAuthentication, "login refused: " + std::string(why));
}

}  // namespace

LoginThrottle::LoginThrottle(LoginThrottleOptions options) : options_(std::move(options)) {
    options_.kdf_threads = std::max<std::size_t>(1, options_.kdf_threads);
    for (std::size_t i = 0; i < options_.kdf_threads; ++i) {
        threads_.emplace_back([this] { Work(); });
    }
}

LoginThrottle::~LoginThrottle() {
    std::deque<std::shared_ptr<Task>> dropped;
    {
        std::lock_guard lock(pool_mutex_);
        stopping_ = true;
        dropped.swap(clean_);
        dropped.insert(dropped.end(), suspect_.begin(), suspect_.end());
        suspect_.clear();
    }
    pool_ready_.notify_all();
    for (const auto& task : dropped) {
        task->result.set_exception(std::make_exception_ptr(PoolFull{}));
    }
    for (std::thread& thread : threads_) {
        thread.join();
    }
}

LoginThrottle::Clock::time_point LoginThrottle::Now() const { return options_.now ? options_.now() : Clock::now(); }

LoginThrottle::Record& LoginThrottle::Find(std::map<std::string, Record, std::less<>>& records, std::string_view key,
                                           Clock::time_point now) {
    auto it = records.find(key);
    if (it == records.end()) {
        if (records.size() >= options_.max_tracked) {
            Prune(records, now);
        }
        it = records.emplace(std::string(key), Record{}).first;
        it->second.last_seen = now;
    }
    Record& record = it->second;
    if (record.in_flight == 0 && now - record.last_seen > options_.quiet_period) {
        // The burst is over: start afresh (the addresses a user logged in from stay familiar).
        record.failures = 0;
        record.blocked_until = {};
        record.logged = false;
    }
    return record;
}

void LoginThrottle::Prune(std::map<std::string, Record, std::less<>>& records, Clock::time_point now) {
    std::erase_if(records, [&](const auto& entry) {
        return entry.second.in_flight == 0 && now - entry.second.last_seen > options_.quiet_period;
    });
    if (records.size() < options_.max_tracked) {
        return;
    }
    // Still full: forget the older half of those not being checked.
    std::vector<Clock::time_point> seen;
    seen.reserve(records.size());
    for (const auto& [key, record] : records) {
        seen.push_back(record.last_seen);
    }
    auto middle = seen.begin() + static_cast<std::ptrdiff_t>(seen.size() / 2);
    std::nth_element(seen.begin(), middle, seen.end());
    Clock::time_point cut = *middle;
    std::erase_if(records,
                  [&](const auto& entry) { return entry.second.in_flight == 0 && entry.second.last_seen <= cut; });
}

std::chrono::milliseconds LoginThrottle::Delay(std::size_t failures, std::size_t free) const {
    std::size_t doublings = std::min<std::size_t>(failures - free, 30);
    auto delay = options_.first_delay * (std::int64_t{1} << doublings);
    return std::min(delay, options_.max_delay);
}

void LoginThrottle::Failed(Record& record, std::size_t free, Clock::time_point now, const std::string& what) {
    ++record.failures;
    record.last_seen = now;
    if (record.failures < free) {
        return;
    }
    record.blocked_until = now + Delay(record.failures, free);
    if (!record.logged) {
        record.logged = true;
        if (options_.log) {
            options_.log("system,error,critical",
                         "logins " + what + " throttled after " + std::to_string(record.failures) + " failed logins");
        }
    }
}

Session LoginThrottle::Login(std::string_view user, std::string_view address, const Verify& verify) {
    bool clean = false;
    {
        std::lock_guard lock(mutex_);
        Clock::time_point now = Now();
        Record& by_address = Find(addresses_, address, now);
        Record& by_user = Find(users_, user, now);
        clean = by_address.failures == 0;
        bool familiar = std::find(by_user.familiar.begin(), by_user.familiar.end(), address) != by_user.familiar.end();
        // Past its free failures a key is checked once at a time: concurrent guesses wait for the verdict.
        auto refuse = [&](Record& record, std::size_t free) {
            bool blocked = now < record.blocked_until;
            bool one_at_a_time = record.failures + record.in_flight >= free && record.in_flight > 0;
            if (!blocked && !one_at_a_time) {
                return false;
            }
            record.last_seen = now;  // a refusal keeps the burst going
            return true;
        };
        auto wait_text = [&](const Record& record) {
            auto left =
                std::chrono::ceil<std::chrono::seconds>(std::max(record.blocked_until - now, Clock::duration{}));
            return "too many failed logins, try again in " + std::to_string(std::max<long long>(1, left.count())) + "s";
        };
        if (refuse(by_address, options_.address_free_failures)) {
            throw Refused(wait_text(by_address));
        }
        if (!clean && !familiar && refuse(by_user, options_.user_free_failures)) {
            throw Refused(wait_text(by_user));
        }
        ++by_address.in_flight;
        ++by_user.in_flight;
    }
    // Finish gives back the in-flight marks and records the outcome.
    enum class Outcome { kSuccess, kFailure, kOther };
    auto finish = [&](Outcome outcome) {
        std::lock_guard lock(mutex_);
        Clock::time_point now = Now();
        Record& by_address = Find(addresses_, address, now);
        Record& by_user = Find(users_, user, now);
        --by_address.in_flight;
        --by_user.in_flight;
        if (outcome == Outcome::kFailure) {
            Failed(by_address, options_.address_free_failures, now, "from " + std::string(address));
            Failed(by_user, options_.user_free_failures, now, "of user " + std::string(user));
        } else if (outcome == Outcome::kSuccess) {
            by_address.failures = 0;
            by_address.blocked_until = {};
            by_address.logged = false;
            std::erase(by_user.familiar, address);
            by_user.familiar.emplace_back(address);
            if (by_user.familiar.size() > kMaxFamiliar) {
                by_user.familiar.erase(by_user.familiar.begin());
            }
        }
    };
    try {
        Session session = RunOnPool(verify, clean);
        finish(Outcome::kSuccess);
        return session;
    } catch (const PoolFull&) {
        finish(Outcome::kOther);
        throw Refused("too many logins at once, try again");
    } catch (const core::Error& e) {
        finish(e.category() == core::ErrorCategory::kAuthentication ? Outcome::kFailure : Outcome::kOther);
        throw;
    } catch (...) {
        finish(Outcome::kOther);
        throw;
    }
}

Session LoginThrottle::RunOnPool(const Verify& verify, bool clean) {
    auto task = std::make_shared<Task>();
    task->verify = &verify;
    std::future<Session> result = task->result.get_future();
    std::shared_ptr<Task> dropped;
    {
        std::lock_guard lock(pool_mutex_);
        if (stopping_) {
            throw PoolFull{};
        }
        if (clean_.size() + suspect_.size() >= options_.kdf_queue) {
            if (!clean || suspect_.empty()) {
                throw PoolFull{};
            }
            // A check from an address without failures takes the place of one from an address with some.
            dropped = std::move(suspect_.front());
            suspect_.pop_front();
        }
        (clean ? clean_ : suspect_).push_back(task);
    }
    pool_ready_.notify_one();
    if (dropped) {
        dropped->result.set_exception(std::make_exception_ptr(PoolFull{}));
    }
    return result.get();
}

std::chrono::milliseconds LoginThrottle::Penalty(std::string_view address) {
    std::lock_guard lock(mutex_);
    auto it = addresses_.find(address);
    Clock::time_point now = Now();
    if (it == addresses_.end() || it->second.failures < options_.address_free_failures) {
        return std::chrono::milliseconds::zero();
    }
    // Throttled: until the block ends, or (while its one check at a time runs) the first delay.
    if (it->second.blocked_until <= now) {
        return options_.first_delay;
    }
    return std::chrono::ceil<std::chrono::milliseconds>(it->second.blocked_until - now);
}

std::size_t LoginThrottle::waiting() const {
    std::lock_guard lock(pool_mutex_);
    return clean_.size() + suspect_.size();
}

void LoginThrottle::Work() {
    while (true) {
        std::shared_ptr<Task> task;
        bool suspect = false;
        {
            std::unique_lock lock(pool_mutex_);
            // Checks from addresses with failures leave one thread (when there are two) to the others, so
            // that a clean check never waits for a guess to be checked.
            std::size_t suspect_limit = std::max<std::size_t>(1, options_.kdf_threads - 1);
            pool_ready_.wait(lock, [&] {
                return stopping_ || !clean_.empty() || (!suspect_.empty() && running_suspect_ < suspect_limit);
            });
            if (stopping_) {
                return;
            }
            suspect = clean_.empty();
            std::deque<std::shared_ptr<Task>>& queue = suspect ? suspect_ : clean_;
            task = std::move(queue.front());
            queue.pop_front();
            running_suspect_ += suspect ? 1 : 0;
        }
        try {
            task->result.set_value((*task->verify)());
        } catch (...) {
            task->result.set_exception(std::current_exception());
        }
        if (suspect) {
            {
                std::lock_guard lock(pool_mutex_);
                --running_suspect_;
            }
            pool_ready_.notify_one();
        }
    }
}

}  // namespace certos::menu
