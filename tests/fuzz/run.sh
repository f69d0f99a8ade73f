#!/bin/sh
# run.sh fuzzes the import parser (tests/fuzz/import_fuzz.cpp: PEM, DER, PKCS#12 bundles) from the openssl-made
# inputs in tests/data/import. See lib/target.sh for the build, FUZZ_TIME and replaying an input.
NAME=import_fuzz
SOURCES="pki/describe.cpp core/value.cpp crypto/ossl.cpp crypto/internal.cpp crypto/digest.cpp crypto/key.cpp
         crypto/ec_fast.cpp crypto/certificate.cpp crypto/pkcs12.cpp crypto/bundle.cpp crypto/csr.cpp"
LIBS="-lssl -lcrypto"
SEEDS="$(cd "$(dirname "$0")/../data/import" && pwd)"
# -timeout: a PKCS#12 with a large MAC iteration count is allowed up to 10^7, but not minutes.
MAX_LEN=16384
TIMEOUT=30
. "$(dirname "$0")/lib/target.sh"
