#!/bin/sh
# make.sh regenerates the trust/ test inputs with the openssl CLI (a different implementation from certos,
# so a certos bug cannot confirm itself): a root CA, an intermediate CA and leaves under it, an expired
# intermediate, a client-only leaf, an untrusted CA, and CRLs (current, expired) made by `openssl ca`.
# Expected values go to expected.txt. Run from anywhere: sh tests/data/trust/make.sh (openssl 3.0 or
# newer). Keys are random: rerunning changes every file and expected.txt together.
set -eu
cd "$(dirname "$0")"
rm -rf work
rm -f ./*.crt ./*.key ./*.pem ./*.cnf expected.txt
mkdir work

key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:prime256v1 -out "$1.key" 2>/dev/null; }

cat > ext.cnf <<'CNF'
[req]
distinguished_name = dn
[dn]
[ca_ext]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[server_ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
subjectAltName = DNS:server.test
[localhost_ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
subjectAltName = DNS:localhost, IP:127.0.0.1
[client_ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
CNF

# ca_config NAME: an `openssl ca` configuration whose database lives in work/NAME.
ca_config() {
    mkdir -p "work/$1/new"
    : > "work/$1/index.txt"
    echo 1000 > "work/$1/crlnumber"
    cat > "$1.cnf" <<CNF
[ca]
default_ca = this_ca
[this_ca]
database = work/$1/index.txt
new_certs_dir = work/$1/new
serial = work/$1/serial
rand_serial = yes
crlnumber = work/$1/crlnumber
certificate = $1.crt
private_key = $1.key
default_md = sha256
default_days = 7300
default_crl_days = 7300
policy = any_dn
unique_subject = no
email_in_dn = no
crl_extensions = crl_ext
[any_dn]
organizationName = optional
commonName = supplied
[crl_ext]
authorityKeyIdentifier = keyid:always
CNF
}

# issue CA NAME "SUBJECT" EXTENSIONS [extra openssl ca options]: a key and a certificate signed by CA.
issue() {
    ca=$1 name=$2 subject=$3 ext=$4
    shift 4
    key "$name"
    openssl req -new -key "$name.key" -subj "$subject" -out "work/$name.csr" -config ext.cnf
    openssl ca -batch -notext -config "$ca.cnf" -extfile ext.cnf -extensions "$ext" -in "work/$name.csr" \
        -out "$name.crt" "$@" 2>/dev/null
}

# --- the good path: root -> intermediate -> leaves ---------------------------------------------------
key root
openssl req -x509 -new -key root.key -subj "/O=Certos Trust Test/CN=Test Root CA" -days 7300 \
    -config ext.cnf -extensions ca_ext -out root.crt
ca_config root
issue root inter "/O=Certos Trust Test/CN=Test Intermediate CA" ca_ext -days 7300
ca_config inter
issue inter leaf "/O=Certos Trust Test/CN=server.test" server_ext
issue inter leaf_revoked "/O=Certos Trust Test/CN=revoked.test" server_ext
issue inter client_leaf "/O=Certos Trust Test/CN=client only" client_ext
issue inter localhost "/O=Certos Trust Test/CN=localhost" localhost_ext   # for an https server on loopback
cat localhost.crt inter.crt > localhost_chain.pem

# --- an intermediate that expired in 2021, and a leaf under it -------------------------------------
issue root expired_inter "/O=Certos Trust Test/CN=Expired Intermediate CA" ca_ext \
    -startdate 200101000000Z -enddate 210101000000Z
ca_config expired_inter
issue expired_inter leaf_under_expired "/O=Certos Trust Test/CN=under-expired.test" server_ext

# --- a CA nobody trusts, and its leaf ---------------------------------------------------------------
key other_root
openssl req -x509 -new -key other_root.key -subj "/O=Somebody Else/CN=Untrusted Root CA" -days 7300 \
    -config ext.cnf -extensions ca_ext -out other_root.crt
ca_config other_root
issue other_root other_leaf "/O=Somebody Else/CN=other.test" server_ext

# --- CRLs ---------------------------------------------------------------------------------------------
openssl ca -config inter.cnf -revoke leaf_revoked.crt -crl_reason keyCompromise 2>/dev/null
openssl ca -config inter.cnf -gencrl -out inter.crl.pem 2>/dev/null
openssl ca -config inter.cnf -gencrl -crl_lastupdate 200101000000Z -crl_nextupdate 200201000000Z \
    -out inter_expired.crl.pem 2>/dev/null
openssl ca -config root.cnf -gencrl -out root.crl.pem 2>/dev/null

# --- expected values ----------------------------------------------------------------------------------
serial() { openssl x509 -in "$1" -noout -serial | cut -d= -f2; }
crlnum() { openssl crl -in "$1" -noout -crlnumber | cut -d= -f2; }
{
    echo "leaf_revoked.serial=$(serial leaf_revoked.crt)"
    echo "leaf.serial=$(serial leaf.crt)"
    echo "inter.crl.number=$(($(crlnum inter.crl.pem)))"
    echo "inter.crl.revoked=1"
    echo "inter.crl.reason=key-compromise"
    echo "inter.crl.issuer=O=Certos Trust Test,CN=Test Intermediate CA"
    echo "inter.skid=$(openssl x509 -in inter.crt -noout -ext subjectKeyIdentifier | tail -1 | tr -d ' :' | tr 'A-F' 'a-f')"
    echo "inter.crl.fingerprint=$(openssl crl -in inter.crl.pem -outform DER | openssl dgst -sha256 -r | cut -d' ' -f1)"
} > expected.txt
# What openssl itself concludes, for comparison with certos's verification engine.
{
    echo "verify.leaf=$(openssl verify -purpose sslserver -CAfile root.crt -untrusted inter.crt leaf.crt 2>&1 | tail -1)"
    echo "verify.expired=$(openssl verify -CAfile root.crt -untrusted expired_inter.crt leaf_under_expired.crt 2>&1 | grep -c 'certificate has expired')"
    echo "verify.client_leaf=$(openssl verify -purpose sslserver -CAfile root.crt -untrusted inter.crt client_leaf.crt 2>&1 | grep -c 'unsuitable certificate purpose')"
    cat inter.crl.pem root.crl.pem > work/crls.pem
    echo "verify.revoked=$(openssl verify -crl_check_all -CAfile root.crt -untrusted inter.crt -CRLfile work/crls.pem leaf_revoked.crt 2>&1 | grep -c 'certificate revoked')"
} >> expected.txt
rm -rf work ./*.cnf
