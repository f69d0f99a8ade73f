#include "menu/login_cache.hpp"

#include "menu/login_throttle.hpp"

#include <algorithm>

namespace certos::menu {

bool SameSecret(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) {
        return false;
    }
    unsigned char difference = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        difference |= static_cast<unsigned char>(a[i] ^ b[i]);
    }
    return difference == 0;
}

Session LoginCache::Login(std::string_view user, std::string_view address, std::string_view secret, std::uint64_t epoch,
                          std::chrono::seconds lifetime, const Verify& verify, bool& cached) {
    std::string key = std::string(user) + '\n' + std::string(address);
    auto now = std::chrono::steady_clock::now();
    std::promise<Session> promise;
    std::shared_future<Session> waiting;
    {
        std::lock_guard lock(mutex_);
        std::vector<Entry>& list = entries_[key];
        for (auto it = list.begin(); it != list.end(); ++it) {
            if (!SameSecret(it->secret, secret)) {
                continue;
            }
            bool pending = it->session.wait_for(std::chrono::seconds(0)) != std::future_status::ready;
            if (pending || (it->epoch == epoch && now - it->at < lifetime)) {
                waiting = it->session;
            } else {
                list.erase(it);
                --size_;
            }
            break;
        }
        if (!waiting.valid()) {
            if (size_ >= kMaxEntries) {
                entries_.clear();  // a crude bound: the cache only saves time
                size_ = 0;
            }
            Entry entry{std::string(secret), epoch, now, promise.get_future().share()};
            entries_[key].push_back(entry);
            ++size_;
        }
    }
    if (waiting.valid()) {
        cached = true;
        return waiting.get();  // rethrows the failure of a verification under way
    }
    cached = false;
    try {
        Session session = verify();
        promise.set_value(session);
        return session;
    } catch (...) {
        promise.set_exception(std::current_exception());
        // A failed login is not remembered: drop the entry once its waiters have the result.
        std::lock_guard lock(mutex_);
        auto found = entries_.find(key);
        if (found != entries_.end()) {
            auto& list = found->second;
            auto before = list.size();
            std::erase_if(list, [&](const Entry& e) { return SameSecret(e.secret, secret); });
            size_ -= before - list.size();
            if (list.empty()) {
                entries_.erase(found);
            }
        }
        throw;
    }
}

Session Logins::LogIn(std::string_view user, std::string_view password, std::string_view address, std::string_view via,
                      PolicySet required) {
    bool cached = false;
    // Remembered per front end: a login checked for rest-api is no login for api.
    std::string where = std::string(via) + ' ' + std::string(address);
    Session session = cache_.Login(
        user, where, password, watch_.Generation(), lifetime_,
        [&] {
            auto check = [&] { return Authenticate(tree_, user, password, address, via, required); };
            return throttle_ != nullptr ? throttle_->Login(user, address, check) : check();
        },
        cached);
    if (cached) {
        // The line Authenticate writes: one per connection, as RouterOS logs them.
        TryWriteLog(tree_, "system,info,account",
                    "user " + LogName(user) + " logged in from " + std::string(address) + " via " + std::string(via));
    }
    return session;
}

}  // namespace certos::menu
