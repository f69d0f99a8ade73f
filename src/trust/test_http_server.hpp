#pragma once
// Test support for trust/ tests: a tiny HTTP/1.0 server on a loopback socket that answers each path as
// configured — a body, a status, a redirect, a body far too large, or no answer at all (hangs).

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <map>
#include <mutex>
#include <string>
#include <thread>

namespace certos::trust::testing {

struct TestResponse {
    int status = 200;
    std::string body;
    std::size_t stream_bytes = 0;  // send this many filler bytes after `body`, without Content-Length
    bool hang = false;             // read the request, then say nothing until the server stops
    std::string location;          // a Location header (for 3xx)
};

// Reply, Streamed, Hanging and Redirect make the responses the tests need.
inline TestResponse Reply(int status, std::string body) {
    TestResponse r;
    r.status = status;
    r.body = std::move(body);
    return r;
}
inline TestResponse Streamed(std::size_t bytes) {
    TestResponse r;
    r.stream_bytes = bytes;
    return r;
}
inline TestResponse Hanging() {
    TestResponse r;
    r.hang = true;
    return r;
}
inline TestResponse Redirect(std::string location) {
    TestResponse r;
    r.status = 302;
    r.location = std::move(location);
    return r;
}

class TestHttpServer {
public:
    explicit TestHttpServer(std::map<std::string, TestResponse> responses) : responses_(std::move(responses)) {
        listener_ = socket(AF_INET, SOCK_STREAM, 0);
        int one = 1;
        setsockopt(listener_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        addr.sin_port = 0;
        bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
        socklen_t len = sizeof addr;
        getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len);
        port_ = ntohs(addr.sin_port);
        listen(listener_, 16);
        thread_ = std::thread([this] { Serve(); });
    }
    ~TestHttpServer() {
        stop_ = true;
        thread_.join();
        close(listener_);
    }
    TestHttpServer(const TestHttpServer&) = delete;
    TestHttpServer& operator=(const TestHttpServer&) = delete;

    std::string Url(const std::string& path) const { return "http://127.0.0.1:" + std::to_string(port_) + path; }
    std::string HostPort() const { return "127.0.0.1:" + std::to_string(port_); }
    int requests() const { return requests_; }
    // Set changes (or adds) the answer for `path`.
    void Set(const std::string& path, TestResponse response) {
        std::lock_guard<std::mutex> lock(mutex_);
        responses_[path] = std::move(response);
    }

private:
    void Serve() {
        while (!stop_) {
            pollfd pfd{listener_, POLLIN, 0};
            if (poll(&pfd, 1, 50) <= 0) {
                continue;
            }
            int fd = accept(listener_, nullptr, nullptr);
            if (fd < 0) {
                continue;
            }
            Answer(fd);
            close(fd);
        }
    }

    void Answer(int fd) {
        std::string request;
        char buf[4096];
        while (request.find("\r\n\r\n") == std::string::npos) {
            ssize_t n = recv(fd, buf, sizeof buf, 0);
            if (n <= 0) {
                return;
            }
            request.append(buf, static_cast<std::size_t>(n));
        }
        ++requests_;
        std::size_t start = request.find(' ') + 1;
        std::string path = request.substr(start, request.find(' ', start) - start);
        TestResponse response = Reply(404, "not found");
        {
            std::lock_guard<std::mutex> lock(mutex_);
            auto it = responses_.find(path);
            if (it != responses_.end()) {
                response = it->second;
            }
        }
        if (response.hang) {
            // Say nothing until the client gives up (closes) or the server stops.
            while (!stop_) {
                pollfd pfd{fd, POLLIN, 0};
                if (poll(&pfd, 1, 20) > 0 && recv(fd, buf, sizeof buf, 0) <= 0) {
                    return;
                }
            }
            return;
        }
        std::string head = "HTTP/1.0 " + std::to_string(response.status) + " X\r\nConnection: close\r\n";
        if (!response.location.empty()) {
            head += "Location: " + response.location + "\r\n";
        }
        if (response.stream_bytes == 0) {
            head += "Content-Length: " + std::to_string(response.body.size()) + "\r\n";
        }
        Send(fd, head + "\r\n" + response.body);
        std::string filler(64 * 1024, 'x');
        for (std::size_t sent = 0; sent < response.stream_bytes && !stop_; sent += filler.size()) {
            if (!Send(fd, filler)) {
                break;  // the client gave up
            }
        }
    }

    static bool Send(int fd, const std::string& data) {
        std::size_t off = 0;
        while (off < data.size()) {
            ssize_t n = send(fd, data.data() + off, data.size() - off, MSG_NOSIGNAL);
            if (n <= 0) {
                return false;
            }
            off += static_cast<std::size_t>(n);
        }
        return true;
    }

    std::mutex mutex_;
    std::map<std::string, TestResponse> responses_;
    int listener_ = -1;
    int port_ = 0;
    std::atomic<bool> stop_{false};
    std::atomic<int> requests_{0};
    std::thread thread_;
};

}  // namespace certos::trust::testing
