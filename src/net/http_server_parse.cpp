#include "net/http_server_parse.hpp"

#include <cstdint>
#include <utility>

namespace certos::net {

void ConfigureParser(RequestParser& parser, const ServerOptions& options) {
    parser.body_limit(options.max_body_bytes);
    parser.header_limit(static_cast<std::uint32_t>(options.max_header_bytes));
}

HttpRequest ToHttpRequest(boost::beast::http::request<boost::beast::http::string_body>&& message) {
    HttpRequest request;
    request.method = std::string(message.method_string());
    request.target = std::string(message.target());
    std::size_t question = request.target.find('?');
    request.path = request.target.substr(0, question);
    request.query = question == std::string::npos ? std::string() : request.target.substr(question + 1);
    for (const auto& field : message) {
        request.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
    request.body = std::move(message.body());
    return request;
}

}  // namespace certos::net
