#!/bin/sh
# crl_scale.sh: certos's CRL rebuild at N revoked entries next to the baseline, `openssl ca -gencrl` over an
# index of the same number of revoked entries (same key type, P-256, SHA-256), in one run.
#
#   ENTRIES=1000000 RUNS=2 bench/crl_scale.sh        # uses build/bench/crl_bench
#
# The openssl index is written by awk (one "R" line per entry: expiry, revocation date, reason on a third of
# them as crl_bench does, a random 16-byte serial); its CA is made by `openssl req`. Wall times by date(1).
set -eu
ENTRIES=${ENTRIES:-1000000}
RUNS=${RUNS:-2}
BENCH=${CRL_BENCH:-build/bench/crl_bench}
WORK=$(mktemp -d /tmp/certos-crl-scale.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

echo "== certos: $BENCH --entries $ENTRIES --runs $RUNS"
"$BENCH" --entries "$ENTRIES" --runs "$RUNS" --data "$WORK/certos" || echo "  (crl_bench: above its target)"

echo "== baseline: openssl ca -gencrl over $ENTRIES revoked entries"
cd "$WORK"
mkdir -p ca
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout ca/key.pem -out ca/cert.pem \
    -subj /CN=baseline-ca -days 3650 -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
openssl rand -hex $((ENTRIES * 16)) | fold -w 32 | head -n "$ENTRIES" |
    awk '{ reason = (NR % 3 == 1) ? ",keyCompromise" : ""; printf "R\t301231000000Z\t261201000000Z%s\t%s\tunknown\t/CN=c%d\n", reason, toupper($0), NR }' \
    > ca/index.txt
echo 1000 > ca/crlnumber
cat > ca/openssl.cnf <<CNF
[ ca ]
default_ca = local
[ local ]
dir = $WORK/ca
database = \$dir/index.txt
crlnumber = \$dir/crlnumber
certificate = \$dir/cert.pem
private_key = \$dir/key.pem
default_md = sha256
default_crl_days = 7
unique_subject = no
CNF
run=1
while [ "$run" -le "$RUNS" ]; do
    start=$(date +%s%N)
    openssl ca -config ca/openssl.cnf -gencrl -out ca/crl.pem
    end=$(date +%s%N)
    echo "  openssl ca -gencrl: $(( (end - start) / 1000000 )) ms wall ($(openssl crl -in ca/crl.pem -noout -text | grep -c 'Serial Number') entries)"
    run=$((run + 1))
done
