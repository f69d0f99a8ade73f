// Group commit of the SQLite backend (sqlite_group_commit.hpp): concurrent write transactions share one
// COMMIT, a failing one changes nothing and costs the others nothing, and what Commit acknowledged survives
// kill -9.
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <exception>
#include <functional>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "core/error.hpp"
#include "store/sqlite/sqlite_connection.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "store/store_suite.hpp"

namespace certos::store {
namespace {

using core::ObjectId;
using test::Insert;
using test::MakeRow;

class GroupCommitTest : public ::testing::Test {
protected:
    std::unique_ptr<Store> Open() const { return OpenSqliteStore(data_dir()); }
    std::filesystem::path data_dir() const { return temp_.path() / "data"; }

private:
    test::TempDir temp_;
};

std::set<std::string> Names(Store& store) {
    std::set<std::string> names;
    for (const CertificateRow& row : store.Begin(TxMode::kRead)->ListCertificates()) {
        names.insert(row.name);
    }
    return names;
}

// WhileHeld runs `writers` (each in a thread of its own, each beginning a write transaction) while the test
// holds a write transaction open, so that they all queue for the store's write slot; then commits the held
// transaction and waits for them. Returns how many commits the store counted meanwhile (DataVersion grows by
// one per local commit, plus one when it saw the file change at all).
std::uint64_t WhileHeld(Store& store, const std::vector<std::function<void()>>& writers) {
    std::uint64_t before = store.DataVersion();
    auto held = store.Begin(TxMode::kWrite);
    held->InsertCertificate(MakeRow("held"));
    std::vector<std::thread> threads;
    threads.reserve(writers.size());
    for (const auto& writer : writers) {
        threads.emplace_back(writer);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(300));  // they all wait for the slot by now
    std::exception_ptr failure;
    try {
        held->Commit();
    } catch (...) {
        failure = std::current_exception();  // the writers are joined first
    }
    for (std::thread& thread : threads) {
        thread.join();
    }
    if (failure) {
        std::rethrow_exception(failure);
    }
    return store.DataVersion() - before;
}

TEST_F(GroupCommitTest, ConcurrentWritersShareOneCommitAndAFailingOneChangesNothing) {
    auto store = Open();
    ObjectId ca = Insert(*store, MakeRow("ca"));
    std::atomic<int> committed = 0;
    std::vector<std::string> failures(3);
    std::vector<std::function<void()>> writers;
    writers.reserve(11);
    for (int i = 0; i < 8; ++i) {
        writers.emplace_back([&, i] {
            auto tx = store->Begin(TxMode::kWrite);
            CertificateRow row = MakeRow("w" + std::to_string(i));
            row.issuer_id = ca;
            tx->InsertCertificate(row);
            tx->SetSetting("test", "w" + std::to_string(i), "set");
            tx->Commit();
            ++committed;
        });
    }
    // A writer whose statement fails half-way (the name is taken): its first insert goes too.
    writers.emplace_back([&] {
        try {
            auto tx = store->Begin(TxMode::kWrite);
            tx->InsertCertificate(MakeRow("dup-first"));
            tx->SetSetting("test", "dup", "set");
            tx->InsertCertificate(MakeRow("ca"));
            tx->Commit();
        } catch (const core::Error& e) {
            failures[0] = e.what();
        }
    });
    // One whose issuer does not exist: SQLite checks that only at COMMIT, the group checks it for it alone.
    writers.emplace_back([&] {
        try {
            auto tx = store->Begin(TxMode::kWrite);
            CertificateRow row = MakeRow("orphan");
            row.issuer_id = ObjectId(999999);
            tx->InsertCertificate(row);
            tx->Commit();
        } catch (const core::Error& e) {
            failures[1] = e.what();
        }
    });
    // One that gives up (an exception of its own): its changes are rolled back with its savepoint.
    writers.emplace_back([&] {
        try {
            auto tx = store->Begin(TxMode::kWrite);
            tx->InsertCertificate(MakeRow("abandoned"));
            throw core::Failure("changed my mind");
        } catch (const core::Error& e) {
            failures[2] = e.what();
        }
    });
    std::uint64_t commits = WhileHeld(*store, writers);
    EXPECT_EQ(committed.load(), 8);
    EXPECT_EQ(failures[0], "certificate with the same name already exists");
    EXPECT_EQ(failures[1], "FOREIGN KEY constraint failed");
    EXPECT_EQ(failures[2], "changed my mind");
    // 12 write transactions; one commit each would be 12 (+1).
    EXPECT_LE(commits, 4u);

    store.reset();
    auto reopened = Open();
    std::set<std::string> expected = {"ca", "held"};
    for (int i = 0; i < 8; ++i) {
        expected.insert("w" + std::to_string(i));
    }
    EXPECT_EQ(Names(*reopened), expected);
    auto tx = reopened->Begin(TxMode::kRead);
    EXPECT_EQ(tx->GetSetting("test", "w7"), "set");
    EXPECT_FALSE(tx->GetSetting("test", "dup").has_value());
}

TEST_F(GroupCommitTest, AWriterSeesTheChangesOfTheWritersBeforeItInItsGroup) {
    auto store = Open();
    std::vector<std::function<void()>> writers;
    std::atomic<int> took = 0;
    writers.reserve(6);
    for (int i = 0; i < 6; ++i) {
        // Each takes the next number from one counter: six distinct values only if each sees the last.
        writers.emplace_back([&] {
            auto tx = store->Begin(TxMode::kWrite);
            std::uint64_t n = tx->NextCounter("group");
            tx->SetSetting("taken", std::to_string(n), "yes");
            tx->Commit();
            ++took;
        });
    }
    WhileHeld(*store, writers);
    ASSERT_EQ(took.load(), 6);
    auto tx = Open()->Begin(TxMode::kRead);
    for (int n = 1; n <= 6; ++n) {
        EXPECT_EQ(tx->GetSetting("taken", std::to_string(n)), "yes") << n;
    }
}

TEST_F(GroupCommitTest, DeletingAnIssuerStillNamedFailsThatWriterAlone) {
    auto store = Open();
    ObjectId ca = Insert(*store, MakeRow("ca"));
    CertificateRow leaf = MakeRow("leaf");
    leaf.issuer_id = ca;
    Insert(*store, leaf);
    std::string failure;
    std::atomic<int> committed = 0;
    std::vector<std::function<void()>> writers;
    writers.emplace_back([&] {
        try {
            auto tx = store->Begin(TxMode::kWrite);
            tx->DeleteCertificate(ca);
            tx->Commit();
        } catch (const core::Error& e) {
            failure = e.what();
        }
    });
    for (int i = 0; i < 3; ++i) {
        writers.emplace_back([&, i] {
            Insert(*store, MakeRow("after" + std::to_string(i)));
            ++committed;
        });
    }
    WhileHeld(*store, writers);
    EXPECT_EQ(failure, "FOREIGN KEY constraint failed");
    EXPECT_EQ(committed.load(), 3);
    EXPECT_EQ(Names(*Open()), (std::set<std::string>{"ca", "leaf", "held", "after0", "after1", "after2"}));
}

// A writer of a group runs out of space (writes past 1 MiB fail with EFBIG, as on a full disk, and SQLite may
// then roll back the whole group's transaction): whatever each writer was told holds — a writer whose Commit
// returned is stored, one that got an error is not — and the store keeps working.
TEST_F(GroupCommitTest, AGroupThatRunsOutOfSpaceTellsEachWriterTheTruth) {
    Insert(*Open(), MakeRow("before"));
    pid_t pid = fork();
    if (pid == 0) {
        int code = 100;
        try {
            auto store = Open();
            signal(SIGXFSZ, SIG_IGN);
            struct rlimit limit {
                1 << 20, 1 << 20
            };
            if (setrlimit(RLIMIT_FSIZE, &limit) != 0) {
                _exit(2);
            }
            std::vector<int> outcome(6, -1);  // 1 committed, 0 failed
            std::vector<std::function<void()>> writers;
            writers.reserve(outcome.size());
            for (std::size_t i = 0; i < outcome.size(); ++i) {
                writers.emplace_back([&, i] {
                    try {
                        auto tx = store->Begin(TxMode::kWrite);
                        CertificateRow row = MakeRow("w" + std::to_string(i));
                        if (i == 2) {
                            row.der.assign(4 << 20, 'b');  // this one cannot fit
                        }
                        tx->InsertCertificate(row);
                        tx->Commit();
                        outcome[i] = 1;
                    } catch (const core::Error& e) {
                        // The failure that lost the group, not an artefact of savepoints.
                        outcome[i] = std::string_view(e.what()).find("savepoint") == std::string_view::npos ? 0 : 2;
                    }
                });
            }
            try {
                WhileHeld(*store, writers);
            } catch (const core::Error&) {
                // The held transaction is one of the group too; it is not checked.
            }
            code = outcome[2] == 0 ? 0 : 3;
            auto tx = store->Begin(TxMode::kRead);
            for (std::size_t i = 0; i < outcome.size(); ++i) {
                bool stored = tx->FindCertificateId("w" + std::to_string(i)).has_value();
                if (outcome[i] < 0 || outcome[i] > 1 || stored != (outcome[i] == 1)) {
                    code = 10 + static_cast<int>(i);
                }
            }
        } catch (...) {
        }
        _exit(code);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    ASSERT_TRUE(WIFEXITED(status));
    ASSERT_EQ(WEXITSTATUS(status), 0);
    auto store = Open();
    EXPECT_FALSE(store->Begin(TxMode::kRead)->FindCertificateId("w2").has_value());
    Insert(*store, MakeRow("after"));
    std::set<std::string> names = Names(*store);
    EXPECT_TRUE(names.contains("before"));
    EXPECT_TRUE(names.contains("after"));
}

// A child process writes from 8 threads as fast as it can and reports each name on a pipe once Commit has
// returned; it is killed with SIGKILL mid-way. Every name it reported must be in the store.
TEST_F(GroupCommitTest, NothingAcknowledgedIsLostToKill9) {
    Open();  // created before the fork
    int pipe_fds[2];
    ASSERT_EQ(pipe(pipe_fds), 0);
    pid_t pid = fork();
    if (pid == 0) {
        close(pipe_fds[0]);
        auto store = Open();
        std::vector<std::thread> threads;
        threads.reserve(8);
        for (int t = 0; t < 8; ++t) {
            threads.emplace_back([&, t] {
                for (int n = 0;; ++n) {
                    std::string name = "t" + std::to_string(t) + "-" + std::to_string(n);
                    auto tx = store->Begin(TxMode::kWrite);
                    tx->InsertCertificate(MakeRow(name));
                    tx->StorePrivateKey(tx->FindCertificateId(name).value(), "key of " + name);
                    tx->Commit();
                    std::string line = name + "\n";
                    if (write(pipe_fds[1], line.data(), line.size()) != static_cast<ssize_t>(line.size())) {
                        _exit(3);
                    }
                }
            });
        }
        for (std::thread& thread : threads) {
            thread.join();
        }
        _exit(0);
    }
    close(pipe_fds[1]);
    std::string acknowledged;
    char buffer[4096];
    while (std::count(acknowledged.begin(), acknowledged.end(), '\n') < 400) {
        ssize_t got = read(pipe_fds[0], buffer, sizeof buffer);
        ASSERT_GT(got, 0) << "the writer process stopped";
        acknowledged.append(buffer, static_cast<std::size_t>(got));
    }
    kill(pid, SIGKILL);
    int status = 0;
    waitpid(pid, &status, 0);
    ASSERT_TRUE(WIFSIGNALED(status));
    // What it wrote to the pipe before it died was acknowledged too.
    for (ssize_t got; (got = read(pipe_fds[0], buffer, sizeof buffer)) > 0;) {
        acknowledged.append(buffer, static_cast<std::size_t>(got));
    }
    close(pipe_fds[0]);

    auto store = Open();
    std::set<std::string> stored = Names(*store);
    std::istringstream lines(acknowledged);
    int checked = 0;
    auto tx = store->Begin(TxMode::kRead);
    for (std::string name; std::getline(lines, name);) {
        ASSERT_TRUE(stored.contains(name)) << name << " was acknowledged but is not stored";
        ++checked;
    }
    EXPECT_GE(checked, 400);
    ASSERT_GE(stored.size(), static_cast<std::size_t>(checked));
    // Each stored row is whole: its key was committed with it.
    for (const std::string& name : stored) {
        std::optional<ObjectId> id = tx->FindCertificateId(name);
        ASSERT_TRUE(id.has_value());
        EXPECT_EQ(tx->LoadPrivateKey(*id), "key of " + name);
    }
}

}  // namespace
}  // namespace certos::store
