#include "api/connection.hpp"

#include <algorithm>
#include <atomic>
#include <deque>
#include <map>
#include <mutex>
#include <thread>

#include "api/mapping.hpp"
#include "core/error.hpp"
#include "menu/schema.hpp"

namespace certos::api {
namespace {

constexpr std::chrono::hours kBusyTimeout{24};  // while commands run, the idle timer waits for them
constexpr std::size_t kMaxPendingBeforeLogin = 16;
// A listing's `!re` sentences go out in parts of about kPartBytes, and at least every kRowsPerCheck rows (when
// a cancel is looked for); a part waits while more than kMaxQueuedPart bytes are queued for the client.
constexpr std::size_t kPartBytes = 32 * 1024;
constexpr std::size_t kRowsPerCheck = 64;
constexpr std::size_t kMaxQueuedPart = 1024 * 1024;

// Job is one tree command of a connection.
struct Job {
    std::uint64_t id = 0;
    Command command;
    bool slow = false;     // it runs on the pool of slow jobs
    bool replied = false;  // under the protocol's mutex: a reply (result or "interrupted") was sent
};

class ApiProtocol : public net::StreamProtocol, public std::enable_shared_from_this<ApiProtocol> {
public:
    ApiProtocol(std::shared_ptr<net::StreamPeer> peer, std::shared_ptr<const ApiProtocolOptions> options)
        : peer_(std::move(peer)), options_(std::move(options)), decoder_(options_->limits) {}

    void Start() { peer_->SetIdleTimeout(options_->login_timeout); }

    void OnData(std::string_view bytes) override {
        decoder_.Feed(bytes);
        while (std::optional<Sentence> sentence = decoder_.Next()) {
            Process(std::move(*sentence));
        }
        if (decoder_.failed()) {
            Fatal(decoder_.error());
        }
    }

    void OnClosed() override {
        std::lock_guard lock(mutex_);
        closed_ = true;
        for (auto& [id, job] : jobs_) {
            job->replied = true;
        }
        jobs_.clear();
        serial_.clear();
        pending_.clear();
    }

private:
    void Fatal(std::string_view reason) {
        {
            std::lock_guard lock(mutex_);
            if (closed_) {
                return;
            }
            closed_ = true;
        }
        peer_->Send(EncodeSentence({"!fatal", std::string(reason)}));
        peer_->Close();
    }

    void Process(Sentence sentence) {
        {
            std::unique_lock lock(mutex_);
            if (closed_) {
                return;
            }
            if (login_pending_) {
                if (pending_.size() < kMaxPendingBeforeLogin) {
                    pending_.push_back(std::move(sentence));
                    return;
                }
                lock.unlock();
                Fatal("too many sentences before login");
                return;
            }
        }
        Dispatch(sentence);
    }

    void Reply(const std::optional<std::string>& tag, const core::Error& error) {
        std::string out;
        RenderTrap(error, ReplyOptions{tag, false}, out);
        peer_->Send(std::move(out));
    }

    // Dispatch handles one sentence; returns true when it started a login (later sentences wait for it).
    bool Dispatch(const Sentence& sentence) {
        Command command;
        try {
            command = ParseCommand(sentence);
        } catch (const core::Error& e) {
            Reply(FindTag(sentence), e);
            return false;
        }
        switch (command.kind) {
            case CommandKind::kQuit:
                Fatal("session terminated on request");
                return false;
            case CommandKind::kLogin:
                return StartLogin(command);
            case CommandKind::kCancel:
                Cancel(command);
                return false;
            case CommandKind::kTree:
                break;
        }
        bool logged_in;
        {
            std::lock_guard lock(mutex_);
            logged_in = session_.has_value();
        }
        if (!logged_in) {
            Reply(command.tag, core::Error(core::ErrorCategory::kApi, "not logged in"));
            return false;
        }
        Submit(std::move(command));
        return false;
    }

    bool StartLogin(const Command& command) {
        std::string name;
        std::optional<std::string> password;
        for (const auto& [key, value] : command.attributes) {
            if (key == "name") {
                name = value;
            } else if (key == "password") {
                password = value;
            }
        }
        if (name.empty() && !password) {
            // Before 6.43 a bare /login asked for an MD5 challenge (facts §3.4); certos does not do that.
            Reply(command.tag, core::Error(core::ErrorCategory::kApi,
                                           "challenge-response login is not supported: send /login with "
                                           "=name=USER and =password=PASSWORD (RouterOS 6.43 and later)"));
            return false;
        }
        {
            std::lock_guard lock(mutex_);
            login_pending_ = true;
        }
        // A login waiting for a worker (many clients logging in at once) is the server's delay, not the
        // client's: the login timeout starts again if it fails.
        peer_->SetIdleTimeout(kBusyTimeout);
        peer_->Post([self = shared_from_this(), name = std::move(name), password = password.value_or(""),
                     tag = command.tag] { self->RunLogin(name, password, tag); });
        return true;
    }

    void RunLogin(const std::string& name, const std::string& password, const std::optional<std::string>& tag) {
        std::string out;
        std::chrono::milliseconds delay{0};
        try {
            menu::Session session = options_->authenticate(name, password, peer_->Address());
            session.via = "api";
            session.address = peer_->Address();
            {
                std::lock_guard lock(mutex_);
                session_ = std::move(session);
            }
            RenderSentence({"!done"}, ReplyOptions{tag, false}, out);
            peer_->MarkAuthenticated();
            peer_->SetIdleTimeout(options_->idle_timeout);
        } catch (const core::Error& e) {
            RenderTrap(e, ReplyOptions{tag, false}, out);
            if (e.category() == core::ErrorCategory::kAuthentication && options_->refusal_delay) {
                delay = options_->refusal_delay(peer_->Address());
            }
        } catch (const std::exception& e) {
            Internal(e.what());
            RenderTrap(core::Error(core::ErrorCategory::kInternal, e.what()), ReplyOptions{tag, false}, out);
        }
        if (delay > std::chrono::milliseconds::zero()) {
            // A throttled address gets its refusal late, like REST's 401; no worker waits meanwhile.
            peer_->PostAfter(delay, [self = shared_from_this(), out = std::move(out)]() mutable {
                self->FinishLogin(std::move(out));
            });
            return;
        }
        FinishLogin(std::move(out));
    }

    // FinishLogin sends the answer to a login, then runs the sentences that arrived meanwhile.
    void FinishLogin(std::string out) {
        {
            std::lock_guard lock(mutex_);
            if (!session_) {
                peer_->SetIdleTimeout(options_->login_timeout);
            }
        }
        peer_->Send(std::move(out));
        // The sentences that arrived during the login now run, in order.
        while (true) {
            Sentence next;
            {
                std::lock_guard lock(mutex_);
                if (closed_ || pending_.empty()) {
                    login_pending_ = false;
                    return;
                }
                next = std::move(pending_.front());
                pending_.pop_front();
            }
            if (Dispatch(next)) {
                return;  // another login: it drains the rest
            }
        }
    }

    void Internal(std::string_view what) {
        if (options_->log) {
            options_->log("system,error", std::string("api: internal error: ") + std::string(what));
        }
    }

    // IsSlow tells whether `command` calls a slow verb (ApiProtocolOptions::slow).
    bool IsSlow(const Command& command) const {
        if (!options_->slow) {
            return false;
        }
        try {
            return std::any_of(command.requests.begin(), command.requests.end(),
                               [&](const menu::Request& request) { return options_->slow(request); });
        } catch (...) {
            return false;  // Execute will say what is wrong with the request
        }
    }

    // Schedule runs `job` on the pool that fits it.
    void Schedule(const std::shared_ptr<Job>& job) {
        auto run = [self = shared_from_this(), job] { self->Run(job); };
        if (job->slow) {
            peer_->PostSlow(std::move(run));
        } else {
            peer_->Post(std::move(run));
        }
    }

    void Submit(Command command) {
        auto job = std::make_shared<Job>();
        job->command = std::move(command);
        job->slow = IsSlow(job->command);
        bool run_now = true;
        {
            std::lock_guard lock(mutex_);
            if (jobs_.size() >= options_->max_in_flight) {
                run_now = false;
            } else {
                job->id = next_job_++;
                jobs_[job->id] = job;
                if (!job->command.tag) {
                    // Untagged commands are answered in the order they came: a client without tags cannot tell
                    // the replies apart otherwise.
                    serial_.push_back(job);
                    if (serial_running_) {
                        return;
                    }
                    serial_running_ = true;
                }
            }
        }
        if (!run_now) {
            Reply(job->command.tag, core::Error(core::ErrorCategory::kApi, "too many commands in progress"));
            return;
        }
        peer_->SetIdleTimeout(kBusyTimeout);
        Schedule(job);
    }

    void Run(const std::shared_ptr<Job>& job) {
        std::string out;
        std::optional<menu::Session> session;
        bool skip = false;
        {
            std::lock_guard lock(mutex_);
            skip = job->replied || closed_;  // cancelled before it started
            session = session_;
        }
        if (!skip && session && !Refresh(*session)) {
            skip = true;  // the connection is closed: nothing more is sent
        }
        if (!skip && session) {
            Execute(*job, *session, out);
        }
        bool idle = false;
        std::shared_ptr<Job> next;
        {
            std::lock_guard lock(mutex_);
            if (!job->replied && !closed_) {
                job->replied = true;
                peer_->Send(std::move(out));
            }
            jobs_.erase(job->id);
            if (!job->command.tag) {
                if (!serial_.empty() && serial_.front() == job) {
                    serial_.pop_front();
                }
                if (!serial_.empty()) {
                    next = serial_.front();
                } else {
                    serial_running_ = false;
                }
            }
            idle = jobs_.empty() && !closed_;
        }
        if (next) {
            Schedule(next);
        } else if (idle) {
            peer_->SetIdleTimeout(options_->idle_timeout);
        }
    }

    // Refresh brings the session up to date with /user and /user/group before a command; when its login is no
    // longer valid (the user was removed, disabled or given another password) the connection ends.
    bool Refresh(menu::Session& session) {
        if (!options_->refresh) {
            return true;
        }
        bool valid = false;
        try {
            valid = options_->refresh(session);
        } catch (const std::exception& e) {
            Internal(e.what());
        }
        if (valid) {
            std::lock_guard lock(mutex_);
            if (session_ && session_->grant != session.grant) {
                session_ = session;  // later commands start from the refreshed state
            }
            return true;
        }
        if (options_->log) {
            options_->log("system,info,account", "user " + session.user + " logged out from " + peer_->Address() +
                                                     " via api (the user was changed)");
        }
        Fatal("session terminated: the user was changed");
        return false;
    }

    // SendPart sends the `!re` sentences a listing wrote so far, once the client took most of what was
    // queued before (bounded memory); it throws "interrupted" when the command was cancelled (its reply, the
    // trap, was sent by Cancel) or the connection closed, which stops the listing.
    void SendPart(const Job& job, std::string& out) {
        for (;;) {
            {
                std::lock_guard lock(mutex_);
                if (job.replied || closed_) {
                    throw core::Error(core::ErrorCategory::kInterrupted, "interrupted");
                }
                if (peer_->QueuedBytes() < kMaxQueuedPart) {
                    peer_->Send(std::move(out));
                    out.clear();
                    return;
                }
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
    }

    void Execute(const Job& job, const menu::Session& session, std::string& out) {
        const Command& command = job.command;
        ReplyOptions reply{command.tag, false};
        try {
            menu::Result result;
            // A listing's rows are sent as they are read, part by part (menu::Session::rows).
            std::size_t streamed = 0;
            menu::Session streaming = session;
            streaming.rows = [&](menu::Record&& row) {
                RenderRecord(row, reply, out);
                if (++streamed % kRowsPerCheck == 0 || out.size() >= kPartBytes) {
                    SendPart(job, out);
                }
            };
            for (std::size_t i = 0; i < command.requests.size(); ++i) {
                // The rows of the last request are the reply (the earlier ones find what it acts on).
                result = options_->execute(command.requests[i], i + 1 == command.requests.size() ? streaming : session);
            }
            reply.empty_reply = streamed == 0 && !command.requests.empty() && command.requests.back().verb == "print" &&
                                options_->empty_reply && options_->empty_reply(peer_->Service());
            RenderResult(result, reply, out);
        } catch (const core::Error& e) {
            if (e.category() == core::ErrorCategory::kInternal) {
                Internal(e.what());
            }
            out.clear();
            RenderTrap(e, reply, out);
        } catch (const std::exception& e) {
            Internal(e.what());
            out.clear();
            RenderTrap(core::Error(core::ErrorCategory::kInternal, e.what()), reply, out);
        }
    }

    // Cancel answers the cancelled commands with "interrupted" (facts §3.5) at once; a command that is already
    // running still runs to its end (its changes stay), but its reply is dropped.
    void Cancel(const Command& command) {
        std::optional<std::string> target;
        for (const auto& [key, value] : command.attributes) {
            if (key == "tag") {
                target = value;
            }
        }
        std::string out;
        bool found = false;
        {
            std::lock_guard lock(mutex_);
            for (auto& [id, job] : jobs_) {
                if (job->replied || (target && job->command.tag != target)) {
                    continue;
                }
                found = true;
                job->replied = true;
                RenderTrap(core::Error(core::ErrorCategory::kInterrupted, "interrupted"),
                           ReplyOptions{job->command.tag, false}, out);
            }
            if (target && !found) {
                RenderTrap(core::Error(core::ErrorCategory::kMissingItem, "no such command"),
                           ReplyOptions{command.tag, false}, out);
            } else {
                RenderSentence({"!done"}, ReplyOptions{command.tag, false}, out);
            }
            peer_->Send(std::move(out));
        }
    }

    std::shared_ptr<net::StreamPeer> peer_;
    std::shared_ptr<const ApiProtocolOptions> options_;
    SentenceDecoder decoder_;  // only touched by OnData (serial)

    std::mutex mutex_;
    bool closed_ = false;
    bool login_pending_ = false;
    std::deque<Sentence> pending_;
    std::optional<menu::Session> session_;
    std::map<std::uint64_t, std::shared_ptr<Job>> jobs_;
    std::deque<std::shared_ptr<Job>> serial_;
    bool serial_running_ = false;
    std::uint64_t next_job_ = 1;
};

}  // namespace

std::shared_ptr<net::StreamProtocol> MakeApiProtocol(std::shared_ptr<net::StreamPeer> peer,
                                                     std::shared_ptr<const ApiProtocolOptions> options) {
    auto protocol = std::make_shared<ApiProtocol>(std::move(peer), std::move(options));
    protocol->Start();
    return protocol;
}

}  // namespace certos::api
