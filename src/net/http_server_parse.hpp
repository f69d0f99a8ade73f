#pragma once
// Internal to net/: how HttpServer reads a request — Beast's parser with the server's limits, and the
// HttpRequest that handlers get from what it parsed. tests/fuzz/http_head_fuzz.cpp drives the same two.
// Includes Boost.Beast.

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include "net/http_server.hpp"

namespace certos::net {

// RequestParser is the parser of one request (header, then a string body).
using RequestParser = boost::beast::http::request_parser<boost::beast::http::string_body>;

// ConfigureParser gives `parser` the server's limits: a body over options.max_body_bytes (declared or, chunked,
// received) fails with http::error::body_limit (413), a header over options.max_header_bytes with
// http::error::header_limit (431).
void ConfigureParser(RequestParser& parser, const ServerOptions& options);

// ToHttpRequest is the request a handler sees: the method, the target and its split at the first '?' into path
// and query, every header field in order, the body. `connection` is left for the server to set.
HttpRequest ToHttpRequest(boost::beast::http::request<boost::beast::http::string_body>&& message);

}  // namespace certos::net
