#!/bin/sh
# api_run.sh fuzzes the API protocol's word and sentence decoder (tests/fuzz/api_sentence_fuzz.cpp) from
# tests/fuzz/corpus/api_sentence: a login, a print with a query and a tag, the 2-, 3- and 5-byte length forms,
# a control byte. See lib/target.sh for the build, FUZZ_TIME and replaying an input.
NAME=api_sentence_fuzz
SOURCES="api/codec.cpp"
LIBS=""
SEEDS="$(cd "$(dirname "$0")" && pwd)/corpus/api_sentence"
MAX_LEN=65536
TIMEOUT=10
. "$(dirname "$0")/lib/target.sh"
