#include "trust/http_fetch.hpp"

#include <curl/curl.h>

#include <memory>
#include <mutex>

#include "core/error.hpp"
#include "core/value.hpp"
#include "core/version.hpp"

namespace certos::trust {
namespace {

struct CurlDeleter {
    void operator()(CURL* handle) const { curl_easy_cleanup(handle); }
};
using CurlHandle = std::unique_ptr<CURL, CurlDeleter>;

void GlobalInit() {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// Transfer is what the callbacks share with HttpGet.
struct Transfer {
    std::string body;
    std::size_t max_body = 0;
    bool too_large = false;
    const crypto::TrustSettings* trust = nullptr;
    std::string tls_setup_error;
};

std::size_t OnBody(char* data, std::size_t size, std::size_t count, void* user) {
    auto* transfer = static_cast<Transfer*>(user);
    std::size_t bytes = size * count;
    if (transfer->body.size() + bytes > transfer->max_body) {
        transfer->too_large = true;
        return 0;  // curl aborts the transfer with CURLE_WRITE_ERROR
    }
    transfer->body.append(data, bytes);
    return bytes;
}

// OnSslContext replaces the certificate store curl would load from the system with certos's trust.
CURLcode OnSslContext(CURL*, void* ssl_ctx, void* user) {
    auto* transfer = static_cast<Transfer*>(user);
    try {
        crypto::InstallTlsTrust(static_cast<ssl_ctx_st*>(ssl_ctx), *transfer->trust);
    } catch (const std::exception& e) {
        transfer->tls_setup_error = e.what();
        return CURLE_SSL_CERTPROBLEM;
    }
    return CURLE_OK;
}

template <typename T>
void SetOption(CURL* handle, CURLoption option, T value) {
    CURLcode code = curl_easy_setopt(handle, option, value);
    if (code != CURLE_OK) {
        throw core::Failure(std::string("setting up the HTTP client: ") + curl_easy_strerror(code));
    }
}

std::string Seconds(std::chrono::milliseconds ms) {
    long long whole = ms.count() / 1000;
    long long tenths = (ms.count() % 1000) / 100;
    return std::to_string(whole) + (tenths != 0 ? "." + std::to_string(tenths) : "") + " s";
}

// Reason turns a failed transfer into the clearest sentence we have.
std::string Reason(CURL* handle, CURLcode code, const Transfer& transfer, const FetchLimits& limits,
                   const char* error_buffer) {
    if (transfer.too_large || code == CURLE_FILESIZE_EXCEEDED) {
        return "response body larger than " + std::to_string(limits.max_body_bytes) + " bytes";
    }
    if (code == CURLE_OPERATION_TIMEDOUT) {
        return "no complete response within " + Seconds(limits.total_timeout) + " (timed out)";
    }
    if (code == CURLE_TOO_MANY_REDIRECTS) {
        return "more than " + std::to_string(limits.max_redirects) + " redirects";
    }
    if (code == CURLE_UNSUPPORTED_PROTOCOL) {
        return "only http:// and https:// URLs are supported";
    }
    if (!transfer.tls_setup_error.empty()) {
        return "setting up TLS: " + transfer.tls_setup_error;
    }
    if (code == CURLE_PEER_FAILED_VERIFICATION) {
        long verify = 0;
        curl_easy_getinfo(handle, CURLINFO_SSL_VERIFYRESULT, &verify);
        if (verify != 0) {
            return "TLS certificate of the server not accepted: " + crypto::DescribeVerifyCode(verify).message;
        }
    }
    std::string text = error_buffer[0] != '\0' ? error_buffer : curl_easy_strerror(code);
    return text;
}

}  // namespace

FetchResult HttpGet(std::string_view url, const crypto::TrustSettings& trust, const FetchLimits& limits) {
    std::string url_text(url);
    std::string lower = core::ToLowerAscii(url_text);
    auto fail = [&](const std::string& reason) { return core::Failure("fetching " + url_text + ": " + reason); };
    if (!lower.starts_with("http://") && !lower.starts_with("https://")) {
        throw fail("only http:// and https:// URLs are supported");
    }
    GlobalInit();
    CurlHandle handle(curl_easy_init());
    if (!handle) {
        throw fail("cannot start the HTTP client");
    }
    Transfer transfer;
    transfer.max_body = limits.max_body_bytes;
    transfer.trust = &trust;
    char error_buffer[CURL_ERROR_SIZE] = {};
    CURL* h = handle.get();
    SetOption(h, CURLOPT_URL, url_text.c_str());
    SetOption(h, CURLOPT_ERRORBUFFER, error_buffer);
    SetOption(h, CURLOPT_PROTOCOLS_STR, "http,https");
    SetOption(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    SetOption(h, CURLOPT_FOLLOWLOCATION, 1L);
    SetOption(h, CURLOPT_MAXREDIRS, limits.max_redirects);
    SetOption(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(limits.connect_timeout.count()));
    SetOption(h, CURLOPT_TIMEOUT_MS, static_cast<long>(limits.total_timeout.count()));
    SetOption(h, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(limits.max_body_bytes));
    SetOption(h, CURLOPT_NOSIGNAL, 1L);  // timeouts without SIGALRM: HttpGet runs on worker threads
    SetOption(h, CURLOPT_USERAGENT, ("certos/" + std::string(core::kCertosVersion)).c_str());
    SetOption(h, CURLOPT_WRITEFUNCTION, OnBody);
    SetOption(h, CURLOPT_WRITEDATA, &transfer);
    SetOption(h, CURLOPT_SSL_VERIFYPEER, 1L);
    SetOption(h, CURLOPT_SSL_VERIFYHOST, 2L);
    // No system CA file or directory: the store installed by OnSslContext is the whole trust.
    SetOption(h, CURLOPT_CAINFO, static_cast<const char*>(nullptr));
    SetOption(h, CURLOPT_CAPATH, static_cast<const char*>(nullptr));
    SetOption(h, CURLOPT_SSL_CTX_FUNCTION, OnSslContext);
    SetOption(h, CURLOPT_SSL_CTX_DATA, &transfer);
    CURLcode code = curl_easy_perform(h);
    if (code != CURLE_OK) {
        throw fail(Reason(h, code, transfer, limits, error_buffer));
    }
    FetchResult result;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &result.status);
    char* content_type = nullptr;
    if (curl_easy_getinfo(h, CURLINFO_CONTENT_TYPE, &content_type) == CURLE_OK && content_type != nullptr) {
        result.content_type = content_type;
    }
    char* effective = nullptr;
    if (curl_easy_getinfo(h, CURLINFO_EFFECTIVE_URL, &effective) == CURLE_OK && effective != nullptr) {
        result.effective_url = effective;
    }
    if (result.status < 200 || result.status > 299) {
        throw fail("the server answered HTTP " + std::to_string(result.status));
    }
    result.body = std::move(transfer.body);
    return result;
}

}  // namespace certos::trust
