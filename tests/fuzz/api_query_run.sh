#!/bin/sh
# api_query_run.sh fuzzes API queries, which REST `.query` shares (tests/fuzz/api_query_fuzz.cpp), from the
# committed seeds in tests/fuzz/corpus/api_query (one word per line: librouteros' queries and the operator floods
# of issue 12). See lib/target.sh for the build, FUZZ_TIME and replaying an input.
NAME=api_query_fuzz
SOURCES="menu/api_query.cpp menu/filter.cpp menu/schema.cpp menu/record.cpp core/duration.cpp core/value.cpp core/id.cpp"
LIBS=""
SEEDS="$(cd "$(dirname "$0")" && pwd)/corpus/api_query"
MAX_LEN=65536  # the largest seed: 20,000 operators
TIMEOUT=10
. "$(dirname "$0")/lib/target.sh"
