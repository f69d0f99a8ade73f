#include "net/http.hpp"

#include <boost/beast/http/status.hpp>
#include <cctype>
#include <nlohmann/json.hpp>

#include "core/value.hpp"
#include "crypto/base64.hpp"

namespace certos::net {
namespace {

int HexDigit(char c) {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

}  // namespace

std::optional<std::string_view> HttpRequest::Header(std::string_view name) const {
    std::string wanted = core::ToLowerAscii(name);
    for (const auto& [key, value] : headers) {
        if (key.size() == wanted.size() && core::ToLowerAscii(key) == wanted) {
            return std::string_view(value);
        }
    }
    return std::nullopt;
}

std::string_view ReasonPhrase(int status) {
    boost::beast::string_view reason =
        boost::beast::http::obsolete_reason(static_cast<boost::beast::http::status>(status));
    return {reason.data(), reason.size()};
}

std::string ErrorBody(int status, std::string_view detail) {
    nlohmann::ordered_json body;
    body["error"] = status;
    body["message"] = std::string(ReasonPhrase(status));
    if (!detail.empty()) {
        body["detail"] = std::string(detail);
    }
    return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::optional<std::string> PercentDecode(std::string_view text, bool plus_is_space) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (c == '%') {
            if (i + 2 >= text.size()) {
                return std::nullopt;
            }
            int hi = HexDigit(text[i + 1]);
            int lo = HexDigit(text[i + 2]);
            if (hi < 0 || lo < 0) {
                return std::nullopt;
            }
            out.push_back(static_cast<char>(hi * 16 + lo));
            i += 2;
        } else if (c == '+' && plus_is_space) {
            out.push_back(' ');
        } else {
            out.push_back(c);
        }
    }
    return out;
}

std::string PercentEncode(std::string_view text) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(text.size() * 3);
    for (char c : text) {
        auto byte = static_cast<unsigned char>(c);
        if (std::isalnum(byte) != 0 || c == '-' || c == '.' || c == '_' || c == '~') {
            out.push_back(c);
        } else {
            out.push_back('%');
            out.push_back(kHex[byte >> 4]);
            out.push_back(kHex[byte & 0x0f]);
        }
    }
    return out;
}

std::optional<std::vector<std::pair<std::string, std::string>>> ParseQuery(std::string_view query) {
    std::vector<std::pair<std::string, std::string>> out;
    std::size_t pos = 0;
    while (pos <= query.size()) {
        std::size_t end = query.find('&', pos);
        std::string_view part = query.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos);
        if (!part.empty()) {
            std::size_t eq = part.find('=');
            auto name = PercentDecode(part.substr(0, eq), true);
            auto value = PercentDecode(eq == std::string_view::npos ? std::string_view() : part.substr(eq + 1), true);
            if (!name || !value) {
                return std::nullopt;
            }
            out.emplace_back(std::move(*name), std::move(*value));
        }
        if (end == std::string_view::npos) {
            break;
        }
        pos = end + 1;
    }
    return out;
}

std::optional<BasicCredentials> ParseBasicAuth(std::string_view header_value) {
    // RFC 7617 §2: credentials = "Basic" 1*SP token68; the scheme name is case-insensitive.
    std::size_t space = header_value.find(' ');
    if (space == std::string_view::npos || core::ToLowerAscii(header_value.substr(0, space)) != "basic") {
        return std::nullopt;
    }
    std::string_view token = header_value.substr(space + 1);
    while (!token.empty() && token.front() == ' ') {
        token.remove_prefix(1);
    }
    while (!token.empty() && token.back() == ' ') {
        token.remove_suffix(1);
    }
    if (token.size() > 16384) {
        return std::nullopt;
    }
    std::optional<std::string> decoded = crypto::FromBase64(token);
    if (!decoded) {
        return std::nullopt;
    }
    std::size_t colon = decoded->find(':');
    if (colon == std::string::npos) {
        return std::nullopt;
    }
    return BasicCredentials{decoded->substr(0, colon), decoded->substr(colon + 1)};
}

HttpResponse Collected(HttpResponse response) {
    if (!response.stream) {
        return response;
    }
    class Collector final : public BodyWriter {
    public:
        void Write(std::string_view bytes) override {
            if (!replacement) {
                body.append(bytes);
            }
        }
        bool Sent() const override { return false; }
        void Replace(HttpResponse response) override { replacement = std::move(response); }
        std::string body;
        std::optional<HttpResponse> replacement;
    };
    Collector collector;
    std::function<void(BodyWriter&)> produce = std::move(response.stream);
    response.stream = nullptr;
    produce(collector);
    if (collector.replacement) {
        return std::move(*collector.replacement);
    }
    response.body = std::move(collector.body);
    return response;
}

}  // namespace certos::net
