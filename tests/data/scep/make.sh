#!/bin/sh
# make.sh regenerates the SCEP CA of the PKIOperation fuzz target (tests/fuzz/scep_fuzz.cpp) with the openssl
# CLI: an RSA-2048 CA key and certificate that the seed messages (tests/fuzz/scep_seeds.py) are encrypted to.
# Rerunning changes the key: run scep_seeds.py afterwards so the seeds open again.
set -eu
cd "$(dirname "$0")"
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out ca.key 2>/dev/null
openssl req -new -x509 -key ca.key -subj "/CN=certos SCEP fuzz CA" -days 36500 -sha256 \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" -out ca.crt
