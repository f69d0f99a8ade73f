#include "net/http_client.hpp"

#include <curl/curl.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include <memory>
#include <mutex>
#include <new>
#include <stdexcept>

#include "core/error.hpp"
#include "core/value.hpp"
#include "core/version.hpp"

namespace certos::net {
namespace {

struct CurlDeleter {
    void operator()(CURL* handle) const { curl_easy_cleanup(handle); }
};
using CurlHandle = std::unique_ptr<CURL, CurlDeleter>;

struct SlistDeleter {
    void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
using CurlList = std::unique_ptr<curl_slist, SlistDeleter>;

void GlobalInit() {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

bool SameName(std::string_view a, std::string_view b) {
    return a.size() == b.size() && core::ToLowerAscii(a) == core::ToLowerAscii(b);
}

// Transfer is what the callbacks of one request share with Send.
struct Transfer {
    std::string body;
    std::size_t max_body = 0;
    bool too_large = false;
    const TrustSource* trust = nullptr;
    const std::string* service = nullptr;
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

// OnSslContext replaces the certificate store curl would load from the system with the service's trust.
CURLcode OnSslContext(CURL*, void* ssl_ctx, void* user) {
    auto* transfer = static_cast<Transfer*>(user);
    try {
        crypto::TrustSettings trust = transfer->trust->TrustFor(*transfer->service);
        trust.purpose = crypto::VerifyPurpose::kTlsServer;
        crypto::InstallTlsTrust(static_cast<SSL_CTX*>(ssl_ctx), trust);
    } catch (const std::exception& e) {
        transfer->tls_setup_error = e.what();
        return CURLE_SSL_CERTPROBLEM;
    }
    return CURLE_OK;
}

// SetupError is a request that cannot be set up (Send adds the URL to its text).
struct SetupError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

template <typename T>
void SetOption(CURL* handle, CURLoption option, T value) {
    CURLcode code = curl_easy_setopt(handle, option, value);
    if (code != CURLE_OK) {
        throw SetupError(std::string("setting up the HTTP client: ") + curl_easy_strerror(code));
    }
}

void Append(CurlList& list, const std::string& line) {
    curl_slist* next = curl_slist_append(list.get(), line.c_str());
    if (next == nullptr) {
        throw std::bad_alloc();
    }
    static_cast<void>(list.release());  // curl_slist_append returned the same list, now one longer
    list.reset(next);
}

std::string Seconds(std::chrono::milliseconds ms) {
    long long whole = ms.count() / 1000;
    long long tenths = (ms.count() % 1000) / 100;
    return std::to_string(whole) + (tenths != 0 ? "." + std::to_string(tenths) : "") + " s";
}

std::string Action(HttpMethod method) {
    switch (method) {
        case HttpMethod::kHead:
            return "HEAD ";
        case HttpMethod::kPost:
            return "posting to ";
        case HttpMethod::kGet:
            break;
    }
    return "fetching ";
}

bool HasLineBreak(std::string_view text) { return text.find_first_of("\r\n") != std::string_view::npos; }

// RequestHeaders is the curl list for `request`. "Expect:" keeps curl from waiting for a 100 Continue on
// large bodies; a POST without Content-Type sends none rather than curl's form type.
CurlList RequestHeaders(const ClientRequest& request) {
    CurlList list;
    for (const auto& [name, value] : request.headers.fields()) {
        if (name.empty() || HasLineBreak(name) || HasLineBreak(value) || name.find(':') != std::string::npos) {
            throw SetupError("invalid request header \"" + name + "\"");
        }
        // curl sends "Name;" as a field with an empty value ("Name:" would remove the field).
        std::string line = name;
        line += value.empty() ? ";" : ": ";
        line += value;
        Append(list, line);
    }
    if (!request.headers.Has("Expect")) {
        Append(list, "Expect:");
    }
    if (request.method == HttpMethod::kPost && !request.headers.Has("Content-Type")) {
        Append(list, "Content-Type:");
    }
    return list;
}

CurlList ConnectToList(const std::vector<ConnectTo>& mappings) {
    CurlList list;
    for (const ConnectTo& m : mappings) {
        Append(list, m.host + ":" + std::to_string(m.port) + ":" + m.address + ":" + std::to_string(m.to_port));
    }
    return list;
}

// Reason turns a failed transfer into the clearest sentence we have.
std::string Reason(CURL* handle, CURLcode code, const Transfer& transfer, const ClientLimits& limits,
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
    std::string text = error_buffer[0] != '\0' ? error_buffer : curl_easy_strerror(code);
    if (code == CURLE_PEER_FAILED_VERIFICATION) {
        // curl holds X509_V_ERR_UNSPECIFIED until the chain was verified: a name that does not match the
        // certificate fails before that, and only curl's own text tells why.
        long verify = X509_V_OK;
        curl_easy_getinfo(handle, CURLINFO_SSL_VERIFYRESULT, &verify);
        bool chain_failed = verify != X509_V_OK && verify != X509_V_ERR_UNSPECIFIED;
        return "TLS certificate of the server not accepted: " +
               (chain_failed ? crypto::DescribeVerifyCode(verify).message : text);
    }
    return text;
}

// ResponseHeaders are the fields of the last response curl received (after redirects), without trailers.
HttpHeaders ResponseHeaders(CURL* handle) {
    HttpHeaders headers;
    curl_header* previous = nullptr;
    while (curl_header* field = curl_easy_nextheader(handle, CURLH_HEADER, -1, previous)) {
        headers.Add(field->name, field->value);
        previous = field;
    }
    return headers;
}

void Configure(CURL* h, const ClientRequest& request, const ClientLimits& limits, Transfer& transfer) {
    SetOption(h, CURLOPT_URL, request.url.c_str());
    SetOption(h, CURLOPT_PROTOCOLS_STR, "http,https");
    SetOption(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    // With max_redirects 0 curl does not follow, and Send refuses the 3xx it returns.
    SetOption(h, CURLOPT_FOLLOWLOCATION, limits.max_redirects > 0 ? 1L : 0L);
    SetOption(h, CURLOPT_MAXREDIRS, static_cast<long>(limits.max_redirects));
    SetOption(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(limits.connect_timeout.count()));
    SetOption(h, CURLOPT_TIMEOUT_MS, static_cast<long>(limits.total_timeout.count()));
    SetOption(h, CURLOPT_NOSIGNAL, 1L);  // timeouts without SIGALRM: requests run on worker threads
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
    if (request.method == HttpMethod::kHead) {
        SetOption(h, CURLOPT_NOBODY, 1L);  // no MAXFILESIZE: a HEAD's Content-Length is not a body it sends
        return;
    }
    // A declared Content-Length over the limit fails before any byte of the body; OnBody bounds the rest.
    SetOption(h, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(limits.max_body_bytes));
    if (request.method == HttpMethod::kPost) {
        SetOption(h, CURLOPT_POST, 1L);
        SetOption(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
        SetOption(h, CURLOPT_POSTFIELDS, request.body.data());
    }
}

}  // namespace

std::optional<std::string> HttpHeaders::Get(std::string_view name) const {
    for (const auto& [key, value] : fields_) {
        if (SameName(key, name)) {
            return value;
        }
    }
    return std::nullopt;
}

std::vector<std::string> HttpHeaders::GetAll(std::string_view name) const {
    std::vector<std::string> values;
    for (const auto& [key, value] : fields_) {
        if (SameName(key, name)) {
            values.push_back(value);
        }
    }
    return values;
}

HttpClient::HttpClient(std::string service, const TrustSource& trust, ClientOptions options)
    : service_(std::move(service)), trust_(&trust), options_(std::move(options)) {}

ClientResponse HttpClient::Send(const ClientRequest& request) const {
    const ClientLimits& limits = options_.limits;
    std::string lower = core::ToLowerAscii(request.url);
    auto fail = [&](const std::string& reason) {
        return core::Failure(Action(request.method) + request.url + ": " + reason);
    };
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
    transfer.trust = trust_;
    transfer.service = &service_;
    char error_buffer[CURL_ERROR_SIZE] = {};
    CURL* h = handle.get();
    CurlList headers;
    CurlList connect_to;
    try {
        headers = RequestHeaders(request);
        connect_to = ConnectToList(options_.connect_to);
        SetOption(h, CURLOPT_ERRORBUFFER, error_buffer);
        Configure(h, request, limits, transfer);
        SetOption(h, CURLOPT_HTTPHEADER, headers.get());
        if (connect_to) {
            SetOption(h, CURLOPT_CONNECT_TO, connect_to.get());
        }
    } catch (const SetupError& e) {
        throw fail(e.what());
    }
    CURLcode code = curl_easy_perform(h);
    if (code != CURLE_OK) {
        throw fail(Reason(h, code, transfer, limits, error_buffer));
    }
    ClientResponse response;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &response.status);
    char* redirect = nullptr;
    if (limits.max_redirects == 0 && response.status >= 300 && response.status <= 399 &&
        curl_easy_getinfo(h, CURLINFO_REDIRECT_URL, &redirect) == CURLE_OK && redirect != nullptr) {
        throw fail("the server redirects to " + std::string(redirect) + " (HTTP " + std::to_string(response.status) +
                   "), and redirects are refused");
    }
    char* effective = nullptr;
    if (curl_easy_getinfo(h, CURLINFO_EFFECTIVE_URL, &effective) == CURLE_OK && effective != nullptr) {
        response.effective_url = effective;
    }
    response.headers = ResponseHeaders(h);
    response.body = std::move(transfer.body);
    return response;
}

ClientResponse HttpClient::Get(std::string url, HttpHeaders headers) const {
    return Send(ClientRequest{HttpMethod::kGet, std::move(url), std::move(headers), {}});
}

ClientResponse HttpClient::Head(std::string url, HttpHeaders headers) const {
    return Send(ClientRequest{HttpMethod::kHead, std::move(url), std::move(headers), {}});
}

ClientResponse HttpClient::Post(std::string url, std::string body, std::string_view content_type,
                                HttpHeaders headers) const {
    if (!content_type.empty()) {
        headers.Add("Content-Type", std::string(content_type));
    }
    return Send(ClientRequest{HttpMethod::kPost, std::move(url), std::move(headers), std::move(body)});
}

ClientResponse RequireSuccess(ClientResponse response, std::string_view url) {
    if (!response.ok()) {
        throw core::Failure("fetching " + std::string(url) + ": the server answered HTTP " +
                            std::to_string(response.status));
    }
    return response;
}

}  // namespace certos::net
