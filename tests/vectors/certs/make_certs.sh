#!/bin/sh
# make_certs.sh - regenerate the certificate vectors of tests/unit/test_cert.c
# and tests/unit/test_tls.c (run from anywhere; writes next to this script).
#
# Every certificate has fixed serial numbers and fixed validity dates
# (`openssl ca -startdate/-enddate`: OpenSSL 3.0's x509 has no -not_after),
# so the findings in the tests do not depend on the day they run. The keys
# are fresh on each run; the tests read whatever DER is here.
#
# Fixed "now" used by the tests: 2025-06-01T00:00:00Z = 1748736000.
#
# Files (PEM for s_server, DER for the unit tests; *.key are test keys):
# Only the server keys are kept (leaf.key for every RSA-2048 leaf, ecdsa.key,
# rsa1024.key); the CA keys die with the temporary directory.
#
#   ca             STC Test Root CA, RSA-2048, 2020..2120 (the anchor)
#   int            STC Test Intermediate CA (pathlen 0), 2020..2120
#   int_expired    intermediate under the root that expired 2021-01-01
#   rogue_ca       a root the tests never trust
#   good           RSA-2048 leaf, SAN mx.example.test mail.example.test
#                  IP:192.0.2.25
#   ecdsa          P-256 leaf, SAN mx.example.test
#   wildcard       SAN *.example.test
#   wrongname      SAN other.example.net
#   expired        2020-01-01..2021-01-01
#   notyet         2090-01-01..2095-01-01
#   soon           expires 2025-06-10 (9 days after "now")
#   selfsigned     self-signed RSA-2048 leaf for mx.example.test
#   rsa1024        RSA-1024 leaf
#   sha1           leaf signed with SHA-1
#   big            leaf with 120 DNS SANs (DER >= 2048 bytes)
#   cnonly         CN=mx.example.test, no subjectAltName
#   rogue          leaf under rogue_ca
#   under_expired  leaf (valid) under int_expired
#   multi          everything wrong at once: under rogue_ca, SAN
#                  other.example.net, expired, RSA-1024, SHA-1
#   subca          a CA under int, whose pathlen:0 forbids it
#   under_subca    leaf under subca (must not verify)
#   forged         leaf "issued" by the good leaf's key (CA:FALSE): must not
#                  verify although the signature is good
set -eu

here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM
cd "$work"

cat >ca.cnf <<'CNF'
[ ca ]
default_ca = stc
[ stc ]
dir = .
database = ./index.txt
new_certs_dir = ./newcerts
serial = ./serial
default_md = sha256
policy = any
unique_subject = no
email_in_dn = no
copy_extensions = none
[ any ]
commonName = optional
organizationName = optional
[ req ]
distinguished_name = dn
prompt = no
[ dn ]
CN = unused
[ v3_root ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[ v3_int ]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ v3_self ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
subjectAltName = DNS:mx.example.test
[ v3_cnonly ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
CNF

mkdir newcerts
: >index.txt
serial=4096

# run CMD... - run quietly; on failure show what it said and stop
run() {
    "$@" >log 2>&1 || { cat log >&2; echo "make_certs.sh: failed: $*" >&2; exit 1; }
}
rsa() { run openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:"$2" -out "$1.key"; }
ec() { run openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1.key"; }

# leaf_ext NAME SANS - an extension section for a server leaf
leaf_ext() {
    cat >>ca.cnf <<CNF
[ v3_$1 ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
subjectAltName = $2
CNF
}

# issue OUT KEY ISSUER CN EXT START END [MD] - sign OUT with ISSUER's key
# (ISSUER "self" = self-signed)
issue() {
    out=$1 key=$2 issuer=$3 cn=$4 ext=$5 start=$6 end=$7 md=${8:-sha256}
    serial=$((serial + 1))
    printf '%X\n' "$serial" | awk '{ s=$0; if (length(s) % 2) s="0" s; print s }' >serial
    run openssl req -new -key "$key.key" -subj "/O=starttls-check tests/CN=$cn" \
        -config ca.cnf -out "$out.csr"
    if [ "$issuer" = self ]; then
        run openssl ca -batch -config ca.cnf -selfsign -keyfile "$key.key" \
            -in "$out.csr" -out "$out.pem" -extensions "$ext" -md "$md" \
            -startdate "$start" -enddate "$end" -notext
    else
        run openssl ca -batch -config ca.cnf -cert "$issuer.pem" -keyfile "$issuer.key" \
            -in "$out.csr" -out "$out.pem" -extensions "$ext" -md "$md" \
            -startdate "$start" -enddate "$end" -notext
    fi
    run openssl x509 -in "$out.pem" -outform DER -out "$out.der"
}

FROM=20200101000000Z
TO=21200101000000Z
LEAF_FROM=20240101000000Z
LEAF_TO=20991231000000Z

rsa ca 2048
rsa int 2048
rsa int_expired 2048
rsa subca 2048
rsa rogue_ca 2048
rsa leaf 2048
rsa rsa1024 1024
ec ecdsa

issue ca ca self "STC Test Root CA" v3_root $FROM $TO
issue int int ca "STC Test Intermediate CA" v3_int $FROM $TO
issue int_expired int_expired ca "STC Test Expired Intermediate CA" v3_int $FROM 20210101000000Z
issue rogue_ca rogue_ca self "STC Rogue Root CA" v3_root $FROM $TO

leaf_ext std "DNS:mx.example.test, DNS:mail.example.test, IP:192.0.2.25"
leaf_ext mx "DNS:mx.example.test"
leaf_ext wild "DNS:*.example.test"
leaf_ext wrong "DNS:other.example.net"
big_sans="DNS:mx.example.test"
i=1
while [ $i -le 119 ]; do
    big_sans="$big_sans, DNS:host-$i.some-long-label-for-padding.example.test"
    i=$((i + 1))
done
leaf_ext big "$big_sans"

issue good leaf int mx.example.test v3_std $LEAF_FROM $LEAF_TO
issue ecdsa ecdsa int mx.example.test v3_mx $LEAF_FROM $LEAF_TO
issue wildcard leaf int "*.example.test" v3_wild $LEAF_FROM $LEAF_TO
issue wrongname leaf int other.example.net v3_wrong $LEAF_FROM $LEAF_TO
issue expired leaf int mx.example.test v3_mx 20200101000000Z 20210101000000Z
issue notyet leaf int mx.example.test v3_mx 20900101000000Z 20950101000000Z
issue soon leaf int mx.example.test v3_mx $LEAF_FROM 20250610000000Z
issue selfsigned leaf self mx.example.test v3_self $LEAF_FROM $LEAF_TO
issue rsa1024 rsa1024 int mx.example.test v3_mx $LEAF_FROM $LEAF_TO
issue sha1 leaf int mx.example.test v3_mx $LEAF_FROM $LEAF_TO sha1
issue big leaf int mx.example.test v3_big $LEAF_FROM $LEAF_TO
issue cnonly leaf int mx.example.test v3_cnonly $LEAF_FROM $LEAF_TO
issue rogue leaf rogue_ca mx.example.test v3_mx $LEAF_FROM $LEAF_TO
issue under_expired leaf int_expired mx.example.test v3_mx $LEAF_FROM $LEAF_TO
issue subca subca int "STC Test Sub CA" v3_int $FROM $TO
issue under_subca leaf subca mx.example.test v3_mx $LEAF_FROM $LEAF_TO
issue multi rsa1024 rogue_ca other.example.net v3_wrong 20200101000000Z 20210101000000Z sha1
cp leaf.key good.key # the good leaf signs with its own key
issue forged leaf good forged.example.test v3_mx $LEAF_FROM $LEAF_TO

size=$(wc -c <big.der)
if [ "$size" -lt 2048 ]; then
    echo "make_certs.sh: big.der is only $size bytes" >&2
    exit 1
fi

for f in ca int int_expired rogue_ca good ecdsa wildcard wrongname expired notyet \
         soon selfsigned rsa1024 sha1 big cnonly rogue under_expired subca under_subca \
         forged multi; do
    cp "$f.pem" "$f.der" "$here/"
done
for k in leaf ecdsa rsa1024; do
    cp "$k.key" "$here/$k.key"
done
echo "make_certs.sh: wrote $(ls "$here" | wc -l) files to $here (big.der: $size bytes)"
