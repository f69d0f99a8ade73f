#!/bin/sh
# gen.sh regenerates the inputs of the /certificate import and certificate-request tests with the openssl
# CLI (a different implementation from certos, so a certos bug cannot confirm itself) and records what each
# import must report in expected.txt. Run from anywhere: sh tests/data/import/gen.sh. Needs openssl 3.x.
# Keys are random: rerunning changes every file and expected.txt together.
#
# The chain: root (RSA-2048 CA) -> inter (EC P-256 CA) -> leaf (RSA-2048, TLS server); ec_leaf (EC P-256)
# is issued by root directly; other.key is a key whose certificate no file holds.
set -eu
cd "$(dirname "$0")"
PASS=import-pass
rm -f ./*.pem ./*.der ./*.crt ./*.key ./*.p12 ./*.csr ./*.bin ./*.cnf ./*.srl expected.txt

cat > ext.cnf <<'CNF'
[req]
distinguished_name = dn
prompt = no
[dn]
CN = unused
[root_ext]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[inter_ext]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign, digitalSignature
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[leaf_ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
subjectAltName = DNS:leaf.example.com, IP:192.0.2.10
[csr_ext]
subjectAltName = DNS:csr.example.com, DNS:www.csr.example.com, IP:198.51.100.7, email:ops@example.com
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth, clientAuth
[csr_req]
distinguished_name = csr_dn
req_extensions = csr_ext
attributes = csr_attrs
prompt = no
[csr_dn]
C = LV
O = Import Test
CN = csr.example.com
[csr_attrs]
challengePassword = challenge-1234
CNF

# --- keys ------------------------------------------------------------------------------------------
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out root.key 2>/dev/null
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out inter.key 2>/dev/null
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out leaf.key 2>/dev/null          # PKCS#8 PEM
openssl ecparam -name prime256v1 -genkey -out ec_leaf_params.pem                                # EC PARAMETERS + SEC1
openssl ec -in ec_leaf_params.pem -out ec_leaf_sec1.pem 2>/dev/null                             # "EC PRIVATE KEY"
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out other.key 2>/dev/null         # no certificate

openssl pkey -in leaf.key -traditional -out leaf_pkcs1.pem                                      # "RSA PRIVATE KEY"
cp leaf.key leaf_pkcs8.pem                                                                      # "PRIVATE KEY"
openssl pkcs8 -topk8 -in leaf.key -v2 aes-256-cbc -passout pass:$PASS -out leaf_pkcs8_enc.pem   # PBES2
openssl pkcs8 -topk8 -in leaf.key -v1 PBE-SHA1-3DES -passout pass:$PASS -out leaf_pkcs8_enc_v1.pem
openssl rsa -in leaf.key -traditional -aes256 -passout pass:$PASS -out leaf_trad_enc.pem 2>/dev/null
openssl ec -in ec_leaf_sec1.pem -aes128 -passout pass:$PASS -out ec_leaf_trad_enc.pem 2>/dev/null
openssl pkcs8 -topk8 -nocrypt -in leaf.key -outform DER -out leaf_key.der                       # PKCS#8 DER
openssl rsa -in leaf.key -traditional -outform DER -out leaf_key_pkcs1.der 2>/dev/null          # PKCS#1 DER
openssl ec -in ec_leaf_sec1.pem -outform DER -out ec_leaf_key.der 2>/dev/null                   # SEC1 DER
openssl ec -in ec_leaf_sec1.pem -conv_form compressed -out ec_leaf_compressed.pem 2>/dev/null  # compressed point
openssl pkcs8 -topk8 -in leaf.key -v2 aes-128-cbc -passout pass:$PASS -outform DER -out leaf_key_enc.der

# --- certificates ----------------------------------------------------------------------------------
openssl req -new -x509 -key root.key -subj "/C=LV/O=Import Test/CN=Import Root CA" -config ext.cnf \
    -extensions root_ext -sha256 -days 3650 -set_serial 0x01A2B3 -out root.crt
openssl req -new -key inter.key -subj "/C=LV/O=Import Test/CN=Import Intermediate CA" -config ext.cnf -out inter.csr
openssl x509 -req -in inter.csr -CA root.crt -CAkey root.key -set_serial 0x02 -sha256 -days 1825 \
    -extfile ext.cnf -extensions inter_ext -out inter.crt 2>/dev/null
openssl req -new -key leaf.key -subj "/O=Import Test/CN=leaf.example.com" -config ext.cnf -out leaf_req.csr
openssl x509 -req -in leaf_req.csr -CA inter.crt -CAkey inter.key -set_serial 0x03 -sha256 -days 365 \
    -extfile ext.cnf -extensions leaf_ext -out leaf.crt 2>/dev/null
openssl req -new -key ec_leaf_sec1.pem -subj "/CN=ec-leaf.example.com" -config ext.cnf -out ec_leaf_req.csr
openssl x509 -req -in ec_leaf_req.csr -CA root.crt -CAkey root.key -set_serial 0x04 -sha384 -days 365 \
    -extfile ext.cnf -extensions leaf_ext -out ec_leaf.crt 2>/dev/null
rm -f inter.csr leaf_req.csr ec_leaf_req.csr
openssl x509 -in leaf.crt -outform DER -out leaf.der
openssl x509 -in root.crt -outform DER -out root_der.crt                                        # a DER .crt
openssl x509 -in root.crt -trustout -addtrust serverAuth -out root_trusted.pem                  # TRUSTED CERTIFICATE

# --- bundles ---------------------------------------------------------------------------------------
cat leaf.crt inter.crt root.crt > chain.pem
# Key first, comment lines between blocks, and the chain after it (the fullchain+key layout).
{ echo "# leaf key, then its certificate and issuer"; cat leaf.key; echo; echo "leaf:"; cat leaf.crt inter.crt; } \
    > key_first.pem
# Every block type mixed: EC PARAMETERS, a traditional encrypted EC key, an encrypted PKCS#8 RSA key, certs.
cat ec_leaf_params.pem root.crt leaf_pkcs8_enc.pem ec_leaf.crt leaf.crt > mixed_encrypted.pem
cat ec_leaf_trad_enc.pem >> mixed_encrypted.pem
cat leaf.crt leaf.crt leaf.key leaf_pkcs1.pem > duplicates.pem                                  # same cert/key twice

# --- PKCS#12 ---------------------------------------------------------------------------------------
openssl pkcs12 -export -in leaf.crt -inkey leaf.key -certfile inter.crt -name leaf -passout pass:$PASS -out leaf_modern.p12
openssl pkcs12 -export -legacy -in leaf.crt -inkey leaf.key -certfile inter.crt -name leaf -passout pass:$PASS \
    -out leaf_legacy.p12
openssl pkcs12 -export -in ec_leaf.crt -inkey ec_leaf_sec1.pem -passout pass: -out ec_leaf_nopass.p12
openssl pkcs12 -export -nokeys -in root.crt -certfile inter.crt -passout pass:$PASS -out certs_only.p12
openssl pkcs12 -export -legacy -nokeys -in root.crt -passout pass:$PASS -out certs_only_legacy.p12
# What `openssl pkcs12 -nodes` prints: "Bag Attributes" text around the PEM blocks.
openssl pkcs12 -in leaf_modern.p12 -passin pass:$PASS -nodes -out p12_dump.pem 2>/dev/null

# --- certificate requests --------------------------------------------------------------------------
openssl req -new -config ext.cnf -reqexts csr_ext -section csr_req -newkey rsa:2048 -nodes -keyout csr.key -out csr.pem \
    2>/dev/null || \
openssl req -new -config ext.cnf -newkey rsa:2048 -nodes -keyout csr.key -out csr.pem -subj "/C=LV/O=Import Test/CN=csr.example.com" \
    -addext "subjectAltName=DNS:csr.example.com,DNS:www.csr.example.com,IP:198.51.100.7,email:ops@example.com" \
    -addext "keyUsage=critical,digitalSignature,keyEncipherment" -addext "extendedKeyUsage=serverAuth,clientAuth"
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout plain_csr.key -subj "/CN=plain.example.com" \
    -config ext.cnf -out plain_csr.pem 2>/dev/null
openssl req -in plain_csr.pem -outform DER -out plain_csr.der
# A request whose signature no longer verifies: one byte of the subject changed ("plain" -> "plaim").
/usr/bin/python3 - <<'PY'
data = open("plain_csr.der", "rb").read()
i = data.index(b"plain.example.com")
open("tampered_csr.der", "wb").write(data[:i + 4] + b"m" + data[i + 5:])
PY

# --- bad input -------------------------------------------------------------------------------------
: > empty.pem
printf '\n  \n\t\n' > blank.pem
# chain.pem cut in the middle of the second certificate's base64 (no END line follows).
head -c "$(( $(wc -c < leaf.crt) + 400 ))" chain.pem > truncated.pem
# Three blocks, the middle one with its base64 shortened: every line intact, the DER inside broken.
{ cat leaf.crt; sed '4,6d' inter.crt; cat root.crt; } > corrupt_middle.pem
openssl rand -out garbage.bin 4096
head -c 1000 leaf_modern.p12 > truncated.p12

# Work bombs: key derivation iteration counts above certos's cap of 10^7 (making them takes a few seconds).
openssl pkcs8 -topk8 -in leaf.key -v2 aes-256-cbc -iter 10000001 -passout pass:$PASS -out slow_pkcs8.pem
openssl pkcs12 -export -in leaf.crt -inkey leaf.key -iter 10000001 -nomaciter -passout pass:$PASS -out slow_bags.p12
openssl pkcs12 -export -in leaf.crt -nokeys -iter 10000001 -passout pass:$PASS -out slow_mac.p12

# --- expected values -------------------------------------------------------------------------------
fp() { openssl x509 -in "$1" -noout -fingerprint -sha256 | sed 's/.*=//; s/://g' | tr 'A-F' 'a-f'; }
{
    echo "passphrase=$PASS"
    for c in root inter leaf ec_leaf; do echo "$c.fingerprint=$(fp $c.crt)"; done
    echo "ca_bundle.count=$(grep -c 'BEGIN CERTIFICATE' /etc/ssl/certs/ca-certificates.crt 2>/dev/null || echo 0)"
} > expected.txt
rm -f ext.cnf
cat expected.txt
