#!/bin/sh
# scep_run.sh fuzzes the SCEP PKIOperation parser (tests/fuzz/scep_fuzz.cpp) from tests/fuzz/corpus/scep:
# micromdm scepclient's PKCSReq messages, with and without a challenge, encrypted to the fuzz CA in
# tests/data/scep (tests/fuzz/scep_seeds.py makes them). See lib/target.sh for the build, FUZZ_TIME and
# replaying an input.
NAME=scep_fuzz
SOURCES="scep/message.cpp core/value.cpp core/duration.cpp core/id.cpp crypto/ossl.cpp crypto/internal.cpp
         crypto/digest.cpp crypto/random.cpp crypto/key.cpp crypto/ec_fast.cpp crypto/certificate.cpp crypto/csr.cpp
         crypto/pkcs7_message.cpp crypto/key_id.cpp"
LIBS="-lssl -lcrypto"
FLAGS="-DSCEP_FUZZ_DATA=\"$(cd "$(dirname "$0")/../data/scep" && pwd)\""
SEEDS="$(cd "$(dirname "$0")" && pwd)/corpus/scep"
MAX_LEN=16384
TIMEOUT=10
. "$(dirname "$0")/lib/target.sh"
