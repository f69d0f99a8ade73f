#!/bin/sh
# make.sh regenerates the crypto/ unit-test inputs with the openssl CLI (a different implementation from
# certos, so a certos bug cannot confirm itself) and records the expected values in expected.txt.
# Run from anywhere: sh tests/data/crypto/make.sh. Needs openssl 3.x. Keys are random: rerunning changes
# every file and expected.txt together.
set -eu
cd "$(dirname "$0")"
PASS=test-pass
rm -f ./*.pem ./*.der ./*.crt ./*.key ./*.p12 ./*.cnf expected.txt

# --- keys in every format certos reads -------------------------------------------------------------
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out rsa_ca.key 2>/dev/null           # PKCS#8 PEM
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out rsa_other.key 2>/dev/null        # PKCS#8 PEM
openssl pkey -in rsa_other.key -traditional -out rsa_pkcs1.pem                        # "RSA PRIVATE KEY"
openssl rsa -in rsa_other.key -outform DER -traditional -out rsa_pkcs1.der               # PKCS#1 DER
openssl pkcs8 -topk8 -nocrypt -in rsa_other.key -outform DER -out rsa_pkcs8.der           # PKCS#8 DER
openssl pkcs8 -topk8 -in rsa_other.key -v2 aes-256-cbc -passout pass:$PASS -out rsa_pkcs8_enc.pem
openssl pkcs8 -topk8 -in rsa_other.key -v2 aes-128-cbc -passout pass:$PASS -outform DER -out rsa_pkcs8_enc.der
openssl rsa -in rsa_other.key -traditional -aes256 -passout pass:$PASS -out rsa_trad_enc.pem  # Proc-Type: 4,ENCRYPTED
openssl ecparam -name prime256v1 -genkey -noout -out ec_leaf.key                       # SEC1 "EC PRIVATE KEY"
openssl ec -in ec_leaf.key -outform DER -out ec_sec1.der
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:secp384r1 -pkeyopt ec_param_enc:named_curve -out ec_p384.key \
    2>/dev/null
openssl genpkey -algorithm ED25519 -out ed25519.key 2>/dev/null                                    # not a RouterOS key type

# --- certificates ------------------------------------------------------------------------------------
cat > ca.cnf <<'CNF'
[req]
distinguished_name = dn
prompt = no
[dn]
C = LV
ST = Riga
L = Riga
O = Certos Test
OU = Unit
CN = Test RSA CA
emailAddress = ca@example.com
[ca_ext]
basicConstraints = critical, CA:TRUE
keyUsage = critical, digitalSignature, keyEncipherment, keyCertSign, cRLSign
extendedKeyUsage = serverAuth, clientAuth, 1.3.6.1.5.5.7.3.10
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
subjectAltName = DNS:ca.example.com, IP:192.0.2.1, IP:2001:db8::1, email:ca@example.com, URI:https://ca.example.com/
crlDistributionPoints = URI:http://crl.example.com/ca.crl
[leaf_ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyAgreement
extendedKeyUsage = serverAuth, codeSigning, emailProtection, timeStamping, OCSPSigning
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
subjectAltName = DNS:leaf.example.com, DNS:*.leaf.example.com
CNF
openssl req -new -x509 -key rsa_ca.key -config ca.cnf -extensions ca_ext -sha256 -days 3650 \
    -set_serial 0x00A1B2C3D4E5F60718 -out rsa_ca.crt
openssl req -new -key ec_leaf.key -subj "/O=Certos Test/CN=leaf.example.com" -out leaf.csr.pem
openssl x509 -req -in leaf.csr.pem -CA rsa_ca.crt -CAkey rsa_ca.key -set_serial 0x21B9F571B54195D3 \
    -sha384 -days 365 -extfile ca.cnf -extensions leaf_ext -out ec_leaf.crt
rm -f leaf.csr.pem
openssl x509 -in rsa_ca.crt -outform DER -out rsa_ca.der
cat rsa_ca.crt ec_leaf.crt > chain.pem
# A v1 certificate without extensions whose notAfter (year ~9900) lies beyond what system_clock holds.
openssl req -new -x509 -key ec_p384.key -subj "/CN=Far Future" -sha1 -days 2900000 -set_serial 1 \
    -config /dev/null -out far_future.crt 2>/dev/null || \
openssl req -new -x509 -key ec_p384.key -subj "/CN=Far Future" -sha1 -days 2900000 -set_serial 1 -out far_future.crt

# --- PKCS#12 -----------------------------------------------------------------------------------------
openssl pkcs12 -export -in ec_leaf.crt -inkey ec_leaf.key -certfile rsa_ca.crt -name "leaf" \
    -passout pass:$PASS -out modern.p12
openssl pkcs12 -export -legacy -in ec_leaf.crt -inkey ec_leaf.key -certfile rsa_ca.crt -name "leaf" \
    -passout pass:$PASS -out legacy.p12
openssl pkcs12 -export -nokeys -in rsa_ca.crt -passout pass: -out certs_only.p12

# --- expected values ---------------------------------------------------------------------------------
fp() { openssl x509 -in "$1" -noout -fingerprint -sha256 | sed 's/.*=//; s/://g' | tr 'A-F' 'a-f'; }
serial() { openssl x509 -in "$1" -noout -serial | sed 's/.*=//'; }
epoch() { date -u -d "$(openssl x509 -in "$1" -noout "$2" | sed 's/.*=//')" +%s; }
ext_hex() {  # the hex line after an extension's heading in `openssl x509 -text`
    openssl x509 -in "$1" -noout -text | grep -A1 "$2" | tail -1 | sed 's/ //g; s/keyid://; s/://g' | tr 'A-F' 'a-f'
}
pubhash() { openssl pkey -in "$1" -pubout -outform DER 2>/dev/null | sha256sum | cut -d' ' -f1; }
{
    echo "rsa_ca.fingerprint=$(fp rsa_ca.crt)"
    echo "rsa_ca.serial=$(serial rsa_ca.crt)"
    echo "rsa_ca.not_before=$(epoch rsa_ca.crt -startdate)"
    echo "rsa_ca.not_after=$(epoch rsa_ca.crt -enddate)"
    echo "rsa_ca.skid=$(ext_hex rsa_ca.crt 'Subject Key Identifier')"
    echo "rsa_ca.pubkey_sha256=$(pubhash rsa_ca.key)"
    echo "ec_leaf.fingerprint=$(fp ec_leaf.crt)"
    echo "ec_leaf.serial=$(serial ec_leaf.crt)"
    echo "ec_leaf.not_before=$(epoch ec_leaf.crt -startdate)"
    echo "ec_leaf.not_after=$(epoch ec_leaf.crt -enddate)"
    echo "ec_leaf.skid=$(ext_hex ec_leaf.crt 'Subject Key Identifier')"
    echo "ec_leaf.akid=$(ext_hex ec_leaf.crt 'Authority Key Identifier')"
    echo "ec_leaf.pubkey_sha256=$(pubhash ec_leaf.key)"
    echo "rsa_other.pubkey_sha256=$(pubhash rsa_other.key)"
    echo "ec_p384.pubkey_sha256=$(pubhash ec_p384.key)"
    echo "far_future.fingerprint=$(fp far_future.crt)"
    echo "passphrase=$PASS"
} > expected.txt
cat expected.txt
