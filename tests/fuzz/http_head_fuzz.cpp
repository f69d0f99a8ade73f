// libFuzzer target for what HttpServer parses of a request (src/net/http_server_parse.cpp): the request line,
// the header fields, Content-Length and chunked bodies, through Beast's parser configured as the server
// configures it (ServerOptions' default limits: 16 KiB of header, 1 MiB of body). The first byte picks how the
// rest arrives: in pieces of 1 to 64 bytes, as a stream does. A parsed request must come out as handlers see it
// (ToHttpRequest) with its target split into path and query losslessly and its body within the limit; a refusal
// is a Beast error code (400, 413, 431 in the server), anything else (a crash, a sanitizer report) a finding.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include <boost/asio/buffer.hpp>
#include <boost/beast/core/flat_buffer.hpp>

#include "net/http_server_parse.hpp"

namespace {

namespace beast = boost::beast;
namespace http = beast::http;

void Check(bool condition) {
    if (!condition) {
        std::abort();
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) {
        return 0;
    }
    static const certos::net::ServerOptions options;
    std::size_t step = (data[0] % 64) + 1;
    std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
    certos::net::RequestParser parser;
    certos::net::ConfigureParser(parser, options);
    beast::flat_buffer buffer;
    beast::error_code ec;
    std::size_t pos = 0;
    while (!parser.is_done()) {
        if (pos >= input.size()) {
            if (!parser.got_some()) {
                return 0;  // closed before a byte: Beast's reads say end_of_stream without asking the parser
            }
            parser.put_eof(ec);  // the client closed
            break;
        }
        std::string_view piece = input.substr(pos, step);
        pos += piece.size();
        auto space = buffer.prepare(piece.size());
        buffer.commit(boost::asio::buffer_copy(space, boost::asio::buffer(piece.data(), piece.size())));
        while (buffer.size() > 0 && !parser.is_done()) {
            std::size_t used = parser.put(buffer.data(), ec);
            buffer.consume(used);
            if (ec == http::error::need_more) {
                ec = {};
                break;
            }
            if (ec) {
                return 0;  // refused: the server answers 400, 413 or 431 and closes
            }
            if (used == 0) {
                break;
            }
        }
        Check(buffer.size() <= options.max_header_bytes + options.max_body_bytes + 64);
    }
    if (ec || !parser.is_done()) {
        return 0;
    }
    http::request<http::string_body> message = parser.release();
    std::string target(message.target());
    certos::net::HttpRequest request = certos::net::ToHttpRequest(std::move(message));
    Check(request.target == target);
    Check(request.path.find('?') == std::string::npos);
    Check(request.path + (target.size() > request.path.size() ? "?" + request.query : "") == target);
    Check(request.body.size() <= options.max_body_bytes);
    for (const auto& [name, value] : request.headers) {
        Check(request.Header(name).has_value());
    }
    return 0;
}
