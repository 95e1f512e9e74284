#!/usr/bin/env bash
# smoke.sh - verify a running lab with peer tools (dig, openssl s_client, curl,
# posttls-finger, bash /dev/tcp), from inside the lab namespace.
#
# Usage: smoke.sh            check the lab brought up by 'lab.sh up'
#        smoke.sh --cycle    lab.sh up, smoke checks, lab.sh down; timings
#
# Last line: "lab-smoke: N passed, M failed"; exit status 1 if M > 0.
# Every connection goes to an address inside the lab namespace.

set -uo pipefail

LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN {printf "%.1f", b - a}'; }

if [ "${1:-}" = --cycle ]; then
    t0=$(now)
    "$LAB_DIR/lab.sh" up || { echo "lab-smoke: 0 passed, 1 failed (lab.sh up failed)"; exit 1; }
    t_up=$(elapsed "$t0")
    t1=$(now)
    "$LAB_DIR/smoke.sh"
    rc=$?
    t_smoke=$(elapsed "$t1")
    t2=$(now)
    "$LAB_DIR/lab.sh" down || rc=1
    echo "lab-smoke: timings: up ${t_up} s, smoke ${t_smoke} s, down $(elapsed "$t2") s, total $(elapsed "$t0") s"
    exit "$rc"
fi

# Re-run inside the namespace, with run/lab.env exported.
if [ -z "${STC_LAB_INSIDE:-}" ]; then
    if [ ! -e "/run/netns/${STC_LAB_NS:-stclab}" ] || [ ! -f "${STC_LAB_RUN:-$LAB_DIR/run}/lab.env" ]; then
        echo "smoke: the lab is not up (run: $LAB_DIR/lab.sh up)" >&2
        echo "lab-smoke: 0 passed, 1 failed"
        exit 1
    fi
    exec "$LAB_DIR/lab.sh" exec env STC_LAB_INSIDE=1 bash "$LAB_DIR/smoke.sh" "$@"
fi

T_START=$(now)
PASS=0
FAIL=0
pass() { PASS=$((PASS + 1)); printf 'ok   %s\n' "$1"; }
fail() { FAIL=$((FAIL + 1)); printf 'FAIL %s\n' "$1"; }
# expect DESC GOT WANT
expect() {
    if [ "$2" = "$3" ]; then pass "$1"; else fail "$1: got '$2', want '$3'"; fi
}
# expect_match DESC TEXT ERE
expect_match() {
    if printf '%s\n' "$2" | grep -Eq -- "$3"; then pass "$1"; else fail "$1: no /$3/ in: $(printf '%s' "$2" | tr '\n' '|' | cut -c1-200)"; fi
}
expect_nomatch() {
    if printf '%s\n' "$2" | grep -Eq -- "$3"; then fail "$1: unexpected /$3/"; else pass "$1"; fi
}

# ------------------------------------------------------------------ DNS
DIG="dig +time=2 +tries=1"
mx_of() { $DIG +short MX "$1" | sort | tr '\n' ' ' | sed 's/ $//'; }
status_of() { $DIG +noall +comments "$@" | sed -n 's/.*status: \([A-Z]*\),.*/\1/p' | head -1; }
flags_of() { $DIG +dnssec +noall +comments "$@" | sed -n 's/^;; flags: \([a-z ]*\);.*/\1/p' | head -1; }
has_ad() { case " $(flags_of "$@") " in *" ad "*) echo ad ;; *) echo no-ad ;; esac; }

echo "== DNS: MX answers"
for z in "$STC_LAB_ZONE_PLAIN" "$STC_LAB_ZONE_SIGNED"; do
    expect "MX good.$z" "$(mx_of "good.$z")" "10 mx-good.$z."
    for c in nostarttls selfsigned wrongname expired legacy tls10only anon slow dead; do
        expect "MX $c.$z" "$(mx_of "$c.$z")" "10 mx-$c.$z."
    done
    expect "MX rejecting.$z" "$(mx_of "rejecting.$z")" "10 mx-reject.$z."
    expect "MX multi-good-bad.$z" "$(mx_of "multi-good-bad.$z")" "10 mx-good.$z. 20 mx-selfsigned.$z."
    expect "MX multi-bad-good.$z" "$(mx_of "multi-bad-good.$z")" "10 mx-selfsigned.$z. 20 mx-good.$z."
    expect "MX multi-dead-good.$z" "$(mx_of "multi-dead-good.$z")" "10 mx-dead.$z. 20 mx-good.$z."
    expect "MX cname-mx.$z" "$(mx_of "cname-mx.$z")" "10 mx-alias.$z."
    expect "CNAME mx-alias.$z" "$($DIG +short CNAME "mx-alias.$z")" "mx-good.$z."
    expect "MX nullmx.$z" "$(mx_of "nullmx.$z")" "0 ."
    expect "MX implicit.$z (none)" "$(mx_of "implicit.$z")" ""
    expect "A implicit.$z" "$($DIG +short A "implicit.$z")" "$STC_LAB_GOOD"
    expect "MX dualstack.$z" "$(mx_of "dualstack.$z")" "10 mx-dual.$z."
    expect "A mx-dual.$z" "$($DIG +short A "mx-dual.$z")" "$STC_LAB_GOOD"
    expect "AAAA mx-dual.$z" "$($DIG +short AAAA "mx-dual.$z")" "$STC_LAB_GOOD6"
    expect "MX v6only.$z" "$(mx_of "v6only.$z")" "10 mx-v6.$z."
    expect "A mx-v6.$z (none)" "$($DIG +short A "mx-v6.$z")" ""
    expect "AAAA mx-v6.$z" "$($DIG +short AAAA "mx-v6.$z")" "$STC_LAB_GOOD6"
    expect "MX four.$z" "$(mx_of "four.$z")" "10 mx1.$z. 10 mx2.$z. 10 mx3.$z. 10 mx4.$z."
    expect "MX nomail.$z (none)" "$(mx_of "nomail.$z")" ""
    expect "status nomail.$z" "$(status_of MX "nomail.$z")" NOERROR
    expect "status nxdomain.$z" "$(status_of MX "nxdomain.$z")" NXDOMAIN
    expect "MTA-STS TXT good.$z" "$($DIG +short TXT "_mta-sts.good.$z")" '"v=STSv1; id=20240601000000;"'
    expect "MTA-STS TXT wrongname.$z" "$($DIG +short TXT "_mta-sts.wrongname.$z")" '"v=STSv1; id=20240601000001;"'
    expect "TLS-RPT TXT good.$z" "$($DIG +short TXT "_smtp._tls.good.$z")" "\"v=TLSRPTv1; rua=mailto:tlsrpt@good.$z\""
    expect "A mta-sts.good.$z" "$($DIG +short A "mta-sts.good.$z")" "$STC_LAB_MTASTS"
done

echo "== DNS: DNSSEC"
S=$STC_LAB_ZONE_SIGNED
expect "AD on MX good.$S" "$(has_ad MX "good.$S")" ad
expect "AD on A mx-good.$S" "$(has_ad A "mx-good.$S")" ad
expect "AD on NXDOMAIN nxdomain.$S" "$(has_ad MX "nxdomain.$S")" ad
expect "no AD on MX good.$STC_LAB_ZONE_PLAIN" "$(has_ad MX "good.$STC_LAB_ZONE_PLAIN")" no-ad
expect "SERVFAIL (bogus) MX good.$STC_LAB_ZONE_BOGUS" "$(status_of MX "good.$STC_LAB_ZONE_BOGUS")" SERVFAIL
expect "REFUSED outside the lab (example.com)" "$(status_of A example.com)" REFUSED
tlsa() { $DIG +short TLSA "$1" | tr -d ' ' | tr 'A-F' 'a-f'; }
expect "TLSA 3 1 1 mx-good.$S = good SPKI" "$(tlsa "_25._tcp.mx-good.$S")" "311$STC_LAB_GOOD_SPKI_SHA256"
expect "AD on TLSA mx-good.$S" "$(has_ad TLSA "_25._tcp.mx-good.$S")" ad
expect "TLSA 3 1 1 mx-dane-self.$S = self-signed SPKI" "$(tlsa "_25._tcp.mx-dane-self.$S")" "311$STC_LAB_SELF_SPKI_SHA256"
expect "TLSA 2 1 1 mx-dane-ta.$S = intermediate SPKI" "$(tlsa "_25._tcp.mx-dane-ta.$S")" "211$STC_LAB_INT_SPKI_SHA256"
expect "TLSA (insecure) mx-good.$STC_LAB_ZONE_PLAIN present" "$(tlsa "_25._tcp.mx-good.$STC_LAB_ZONE_PLAIN")" "311$STC_LAB_GOOD_SPKI_SHA256"
expect "glibc resolver (resolv.conf) finds mx-good.$S" "$(getent ahostsv4 "mx-good.$S" | awk 'NR==1 {print $1}')" "$STC_LAB_GOOD"
expect "resolv.conf has trust-ad" "$(grep -c '^options trust-ad' /etc/resolv.conf)" 1

# ------------------------------------------------------------------ SMTP
# smtp_chat ADDR PORT - banner, EHLO, QUIT; prints the server's lines
smtp_chat() {
    local line
    exec 3<>"/dev/tcp/$1/$2" || exit 2
    reply() {
        local n=0
        while [ "$n" -lt 50 ] && IFS= read -r -t 10 line <&3; do
            line=${line%$'\r'}
            printf '%s\n' "$line"
            n=$((n + 1))
            case $line in [0-9][0-9][0-9]' '* | [0-9][0-9][0-9]) return 0 ;; esac
        done
        return 1
    }
    reply || exit 3
    printf 'EHLO smoke.stclab.test\r\n' >&3
    reply || exit 4
    printf 'QUIT\r\n' >&3
    reply || exit 5
    exec 3>&-
}
chat() { timeout 20 bash -c "$(declare -f smtp_chat); smtp_chat $1 $2" 2>&1; }

echo "== SMTP: banner and EHLO on every listener"
check_ehlo() { # name addr port want_starttls(yes|no)
    local out
    out=$(chat "$2" "$3")
    expect_match "$1 [$2]:$3 banner 220" "$out" '^220 '
    expect_match "$1 [$2]:$3 EHLO 250" "$out" '^250 '
    if [ "$4" = yes ]; then
        expect_match "$1 [$2]:$3 offers STARTTLS" "$out" '^250[- ]STARTTLS$'
    else
        expect_nomatch "$1 [$2]:$3 offers no STARTTLS" "$out" 'STARTTLS'
    fi
}
check_ehlo good "$STC_LAB_GOOD" 25 yes
check_ehlo good6 "$STC_LAB_GOOD6" 25 yes
check_ehlo submission "$STC_LAB_GOOD" 587 yes
check_ehlo nostarttls "$STC_LAB_NOSTARTTLS" 25 no
check_ehlo selfsigned "$STC_LAB_SELFSIGNED" 25 yes
check_ehlo wrongname "$STC_LAB_WRONGNAME" 25 yes
check_ehlo expired "$STC_LAB_EXPIRED" 25 yes
check_ehlo legacy "$STC_LAB_LEGACY" 25 yes
check_ehlo tls10only "$STC_LAB_TLS10ONLY" 25 yes
check_ehlo anon "$STC_LAB_ANON" 25 yes
i=1
for a in $STC_LAB_FOUR; do check_ehlo "four$i" "$a" 25 yes; i=$((i + 1)); done

t=$(now)
out=$(chat "$STC_LAB_SLOW" 25)
dt=$(elapsed "$t")
expect_match "slow banner arrives" "$out" '^220 '
expect "slow banner delayed >= ${STC_LAB_SLOW_SECONDS} s" \
    "$(awk -v d="$dt" -v s="$STC_LAB_SLOW_SECONDS" 'BEGIN {print (d + 0.2 >= s) ? "yes" : "no (" d " s)"}')" yes
out=$(chat "$STC_LAB_REJECT" 25)
expect_match "rejecting listener greets with 554" "$out" '^554 '
out=$(chat "$STC_LAB_DEAD" 25)
expect_match "dead [$STC_LAB_DEAD]:25 refuses the connection" "$out" 'refused'
out=$(chat "$STC_LAB_DEAD6" 25)
expect_match "dead [$STC_LAB_DEAD6]:25 refuses the connection" "$out" 'refused'

# ------------------------------------------------------------------ TLS
# tls ARGS... - one s_client run; prints its output
tls() { timeout 15 openssl s_client -brief -CAfile "$STC_LAB_CA" -name smoke.stclab.test "$@" </dev/null 2>&1; }
handshake_ok() { grep -q '^CONNECTION ESTABLISHED'; }
proto_of() { sed -n 's/^Protocol version: *//p' | head -1; }
cipher_of() { sed -n 's/^Ciphersuite: *//p' | head -1; }
vcode_of() { # OpenSSL verify result: 0, or the last "verify error:num=N"
    local t n
    t=$(cat)
    n=$(printf '%s\n' "$t" | sed -n 's/.*verify error:num=\([0-9]*\).*/\1/p' | tail -1)
    if [ -n "$n" ]; then echo "$n"; elif printf '%s\n' "$t" | grep -q '^Verification: OK'; then echo 0; else echo none; fi
}
# tls_expect DESC WANT_VERIFY_CODE ARGS... - handshake completes with that verify code
tls_expect() {
    local desc=$1 want=$2 out
    shift 2
    out=$(tls "$@")
    if ! printf '%s\n' "$out" | handshake_ok; then
        fail "$desc: handshake failed: $(printf '%s' "$out" | grep -m1 -i error | cut -c1-150)"
        return
    fi
    expect "$desc" "verify $(printf '%s\n' "$out" | vcode_of)" "verify $want"
}
# tls_proto DESC WANT(ok|fail) [PROTO] ARGS... - does a handshake complete (and with PROTO)?
tls_proto() {
    local desc=$1 want=$2 proto=$3 out got
    shift 3
    out=$(tls "$@")
    if printf '%s\n' "$out" | handshake_ok; then got="ok $(printf '%s\n' "$out" | proto_of)"; else got=fail; fi
    if [ "$want" = ok ]; then expect "$desc" "$got" "ok $proto"; else expect "$desc" "$got" fail; fi
}
SEC0='DEFAULT:@SECLEVEL=0'
P=$STC_LAB_ZONE_PLAIN

echo "== TLS: certificates"
for h in "mx-good.$P" "mx-good.$S" "mx-dual.$P" "implicit.$S" "mx-alias.$P"; do
    tls_expect "good [$STC_LAB_GOOD]:25 as $h verifies" 0 -starttls smtp -connect "$STC_LAB_GOOD:25" -verify_hostname "$h"
done
tls_expect "good6 [$STC_LAB_GOOD6]:25 as mx-v6.$P verifies" 0 -starttls smtp -connect "[$STC_LAB_GOOD6]:25" -verify_hostname "mx-v6.$P"
i=1
for a in $STC_LAB_FOUR; do
    tls_expect "four$i [$a]:25 as mx$i.$S verifies" 0 -starttls smtp -connect "$a:25" -verify_hostname "mx$i.$S"
    i=$((i + 1))
done
tls_expect "submission [$STC_LAB_SUBMISSION] STARTTLS verifies" 0 -starttls smtp -connect "$STC_LAB_SUBMISSION" -verify_hostname "mx-good.$P"
tls_expect "smtps [$STC_LAB_SMTPS] implicit TLS verifies" 0 -connect "$STC_LAB_SMTPS" -verify_hostname "mx-good.$P"
tls_expect "selfsigned: error 18 (self-signed)" 18 -starttls smtp -connect "$STC_LAB_SELFSIGNED:25" -verify_hostname "mx-selfsigned.$P"
tls_expect "wrongname: error 62 (hostname mismatch)" 62 -starttls smtp -connect "$STC_LAB_WRONGNAME:25" -verify_hostname "mx-wrongname.$P"
tls_expect "expired: error 10 (certificate has expired)" 10 -starttls smtp -connect "$STC_LAB_EXPIRED:25" -verify_hostname "mx-expired.$P"
out=$(tls -starttls smtp -connect "$STC_LAB_NOSTARTTLS:25")
expect_match "nostarttls: s_client finds no STARTTLS" "$out" "Didn't find STARTTLS"
if printf '%s\n' "$out" | handshake_ok; then fail "nostarttls: no TLS handshake"; else pass "nostarttls: no TLS handshake"; fi

echo "== TLS: protocol versions"
G="$STC_LAB_GOOD:25"
tls_proto "good: TLS 1.3" ok TLSv1.3 -starttls smtp -connect "$G" -tls1_3
tls_proto "good: TLS 1.2" ok TLSv1.2 -starttls smtp -connect "$G" -tls1_2
tls_proto "good: no TLS 1.1" fail - -starttls smtp -connect "$G" -tls1_1 -cipher "$SEC0"
tls_proto "good: no TLS 1.0" fail - -starttls smtp -connect "$G" -tls1 -cipher "$SEC0"
L="$STC_LAB_LEGACY:25"
tls_proto "legacy: TLS 1.0" ok TLSv1 -starttls smtp -connect "$L" -tls1 -cipher "$SEC0"
tls_proto "legacy: TLS 1.1" ok TLSv1.1 -starttls smtp -connect "$L" -tls1_1 -cipher "$SEC0"
tls_proto "legacy: TLS 1.2" ok TLSv1.2 -starttls smtp -connect "$L" -tls1_2
tls_proto "legacy: TLS 1.3" ok TLSv1.3 -starttls smtp -connect "$L" -tls1_3
T10="$STC_LAB_TLS10ONLY:25"
tls_proto "tls10only: TLS 1.0" ok TLSv1 -starttls smtp -connect "$T10" -tls1 -cipher "$SEC0"
tls_proto "tls10only: no TLS 1.1" fail - -starttls smtp -connect "$T10" -tls1_1 -cipher "$SEC0"
tls_proto "tls10only: no TLS 1.2" fail - -starttls smtp -connect "$T10" -tls1_2 -cipher "$SEC0"
tls_proto "tls10only: no TLS 1.3" fail - -starttls smtp -connect "$T10" -tls1_3
tls_proto "tls10only: default client (SECLEVEL 2) fails" fail - -starttls smtp -connect "$T10"

echo "== TLS: anonymous and NULL suites"
A="$STC_LAB_ANON:25"
out=$(tls -starttls smtp -connect "$A" -tls1_2 -cipher 'aNULL:@SECLEVEL=0')
expect_match "anon: aNULL handshake" "$(printf '%s\n' "$out" | cipher_of)" '^(ADH|AECDH)-'
out=$(tls -starttls smtp -connect "$A" -tls1_2 -cipher 'eNULL:@SECLEVEL=0')
expect_match "anon: eNULL (no encryption) handshake" "$(printf '%s\n' "$out" | cipher_of)" 'NULL'
tls_proto "anon: normal TLS 1.3 too" ok TLSv1.3 -starttls smtp -connect "$A"
tls_proto "good: refuses aNULL" fail - -starttls smtp -connect "$G" -tls1_2 -cipher 'aNULL:@SECLEVEL=0'
tls_proto "good: refuses eNULL" fail - -starttls smtp -connect "$G" -tls1_2 -cipher 'eNULL:@SECLEVEL=0'

# ------------------------------------------------------------------ DANE via posttls-finger
echo "== DANE (posttls-finger, resolver AD via resolv.conf)"
ptf() { timeout 30 posttls-finger -c -o dnssec_probe= -F "$STC_LAB_CA" -t 5 -T 5 "$@" 2>&1; }
expect_match "posttls-finger -l dane good.$S: verified" "$(ptf -l dane "good.$S")" 'Matched DANE EE.*|Verified TLS connection'
expect_match "posttls-finger -l dane dane-self.$S: verified (DANE-EE, self-signed)" "$(ptf -l dane "dane-self.$S")" 'Verified TLS connection'
expect_match "posttls-finger -l dane dane-ta.$S: verified (DANE-TA)" "$(ptf -l dane "dane-ta.$S")" 'Matched DANE TA'
expect_match "posttls-finger -l dane dane-bad.$S: no match" "$(ptf -l dane "dane-bad.$S")" 'no matching DANE TLSA'
expect_match "posttls-finger -l verify good.$P: verified" "$(ptf -l verify "good.$P")" 'Verified TLS connection'

# ------------------------------------------------------------------ MTA-STS via nginx
echo "== MTA-STS policies (nginx)"
sts() { timeout 15 curl -sS --max-time 10 --cacert "$STC_LAB_CA" -D - "$@" 2>&1; }
for z in "$P" "$S"; do
    out=$(sts "https://mta-sts.good.$z/.well-known/mta-sts.txt")
    expect_match "mta-sts.good.$z: 200" "$out" '^HTTP/[0-9.]+ 200'
    expect_match "mta-sts.good.$z: text/plain" "$out" '^Content-Type: text/plain'
    expect_match "mta-sts.good.$z: enforce" "$out" '^mode: enforce'
    expect_match "mta-sts.good.$z: mx line" "$out" "^mx: mx-good\\.${z//./\\.}"
    out=$(sts "https://mta-sts.wrongname.$z/.well-known/mta-sts.txt")
    expect_match "mta-sts.wrongname.$z: testing" "$out" '^mode: testing'
done
expect_match "mta-sts: other paths 404" "$(sts "https://mta-sts.good.$P/")" '^HTTP/[0-9.]+ 404'

echo "lab-smoke: smoke checks took $(elapsed "$T_START") s"
echo "lab-smoke: $PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
