#!/bin/sh
# formats_run.sh fuzzes certificate requests, CRLs, REST request bodies, query strings and Basic authorization
# headers (tests/fuzz/formats_fuzz.cpp) from tests/fuzz/corpus/formats (openssl-made CSRs and CRLs, bodies with
# a `.query` flood and 5,000 nested arrays). See lib/target.sh for the build, FUZZ_TIME and replaying an input.
NAME=formats_fuzz
SOURCES="core/value.cpp core/duration.cpp core/id.cpp crypto/ossl.cpp crypto/internal.cpp crypto/digest.cpp crypto/base64.cpp
         crypto/key.cpp crypto/ec_fast.cpp crypto/certificate.cpp crypto/csr.cpp crypto/crl.cpp crypto/key_id.cpp
         rest/json_mapping.cpp net/http.cpp menu/api_query.cpp menu/filter.cpp menu/schema.cpp menu/record.cpp"
LIBS="-lssl -lcrypto"
SEEDS="$(cd "$(dirname "$0")" && pwd)/corpus/formats"
MAX_LEN=16384
TIMEOUT=10
. "$(dirname "$0")/lib/target.sh"
