#!/bin/sh
# http_head_run.sh fuzzes the HTTP requests that HttpServer parses (tests/fuzz/http_head_fuzz.cpp: request line,
# headers, Content-Length, chunked bodies, with the server's limits) from tests/fuzz/corpus/http_head: a REST GET
# with Basic authorization, a PUT with a JSON body, a chunked POST with an extension and a trailer, Expect:
# 100-continue, a pipelined pair, an obsolete folded header, a Content-Length over the body limit and two
# disagreeing Content-Lengths. See lib/target.sh for the build, FUZZ_TIME and replaying an input.
NAME=http_head_fuzz
SOURCES="net/http_server_parse.cpp net/http.cpp crypto/base64.cpp core/value.cpp core/duration.cpp core/id.cpp"
LIBS="-lssl -lcrypto"
FLAGS="-DBOOST_ASIO_NO_DEPRECATED -DBOOST_BEAST_USE_STD_STRING_VIEW"
SEEDS="$(cd "$(dirname "$0")" && pwd)/corpus/http_head"
MAX_LEN=65536  # beyond the 16 KiB header limit
TIMEOUT=10
. "$(dirname "$0")/lib/target.sh"
