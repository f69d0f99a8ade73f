#!/bin/sh
# Certificates the TLS layer refuses (or accepts) as a server's, made by the openssl CLI. Run from this
# directory; expected results are in the tests that read these files (crypto/tls_credentials_test.cpp,
# tests/integration/test_security_store.py).
set -e
cd "$(dirname "$0")"
# A CA (RSA-2048, so that it can sign with MD5) for the chains below.
openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 36500 \
    -subj "/CN=TLS Test CA" -addext "basicConstraints=critical,CA:TRUE" 2>/dev/null
# Accepted: an EC P-256 leaf signed with SHA-256.
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout good.key -out good.csr -subj "/CN=good" 2>/dev/null
openssl x509 -req -in good.csr -CA ca.crt -CAkey ca.key -set_serial 1 -days 36500 -sha256 -out good.crt 2>/dev/null
# Refused: an RSA-1024 self-signed certificate (key too small at security level 2).
openssl req -x509 -newkey rsa:1024 -nodes -keyout rsa1024.key -out rsa1024.crt -days 36500 -subj "/CN=rsa1024" 2>/dev/null
# Refused: an RSA-2048 leaf that the CA signed with MD5 (digest too weak); its CA is sound.
openssl req -new -newkey rsa:2048 -nodes -keyout md5.key -out md5.csr -subj "/CN=md5" 2>/dev/null
openssl x509 -req -in md5.csr -CA ca.crt -CAkey ca.key -set_serial 2 -days 36500 -md5 -out md5.crt 2>/dev/null
# Refused: a sound leaf whose issuer (in the chain) is RSA-1024.
openssl req -x509 -newkey rsa:1024 -nodes -keyout weak_ca.key -out weak_ca.crt -days 36500 -subj "/CN=Weak CA" \
    -addext "basicConstraints=critical,CA:TRUE" 2>/dev/null
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout weak_chain.key -out weak_chain.csr \
    -subj "/CN=weak-chain" 2>/dev/null
openssl x509 -req -in weak_chain.csr -CA weak_ca.crt -CAkey weak_ca.key -set_serial 3 -days 36500 -sha256 \
    -out weak_chain.crt 2>/dev/null
rm -f good.csr md5.csr weak_chain.csr
