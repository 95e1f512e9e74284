#!/usr/bin/env bash
# smoke.sh - verify a running lab with peer tools (dig, openssl s_client,
# gnutls-cli, curl, posttls-finger, bash /dev/tcp), from inside the lab namespace.
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
# (grep reads a here-string: "printf | grep -q" under pipefail fails at random
# when grep exits before printf has written everything, SIGPIPE)
expect_match() {
    if grep -Eq -- "$3" <<<"$2"; then pass "$1"; else fail "$1: no /$3/ in: $(printf '%s' "$2" | tr '\n' '|' | cut -c1-200)"; fi
}
expect_nomatch() {
    if grep -Eq -- "$3" <<<"$2"; then fail "$1: unexpected /$3/"; else pass "$1"; fi
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

echo "== DNS: added cases (both zones)"
txt_of() { $DIG +short TXT "$1" | LC_ALL=C sort | tr '\n' '+' | sed 's/+$//'; }
for z in "$STC_LAB_ZONE_PLAIN" "$STC_LAB_ZONE_SIGNED"; do
    for c in clean tls13only cbconly dhe1024 clientorder serverorder limited rsaonly 3des rc4; do
        var=STC_LAB_${c^^}
        expect "MX $c.$z -> A ${!var}" "$(mx_of "$c.$z") $($DIG +short A "mx-$c.$z")" "10 mx-$c.$z. ${!var}"
    done
    expect "MX sts-nostarttls.$z" "$(mx_of "sts-nostarttls.$z")" "10 mx-nostarttls.$z."
    expect "TXT _mta-sts.sts-twotxt.$z: two records" "$(txt_of "_mta-sts.sts-twotxt.$z")" \
        '"v=STSv1; id=20240601000018;"+"v=STSv1; id=20240601000019;"'
    expect "TXT _mta-sts.sts-othertxt.$z" "$(txt_of "_mta-sts.sts-othertxt.$z")" '"v=STSv1; id=20240601000020;"+"v=spf1 -all"'
    expect "TXT _mta-sts.sts-multistr.$z: two strings" "$(txt_of "_mta-sts.sts-multistr.$z")" '"v=STSv1; " "id=20240601000021;"'
    expect "TXT _mta-sts.sts-longid.$z: id of 33 characters" \
        "$(txt_of "_mta-sts.sts-longid.$z" | sed 's/.*id=\([^;]*\);.*/\1/' | tr -d '\n' | wc -c)" 33
    expect "TXT _mta-sts.sts-notxt.$z: none" "$(txt_of "_mta-sts.sts-notxt.$z")" ""
    expect "A mta-sts.sts-notxt.$z: policy host exists" "$($DIG +short A "mta-sts.sts-notxt.$z")" "$STC_LAB_MTASTS"
    expect "NXDOMAIN mta-sts.sts-nohost.$z" "$(status_of A "mta-sts.sts-nohost.$z")" NXDOMAIN
    expect "TXT _smtp._tls.tlsrpt-two.$z: two records" "$(txt_of "_smtp._tls.tlsrpt-two.$z" | tr -cd '+' | wc -c)" 1
    expect "TXT _smtp._tls.tlsrpt-baduri.$z" "$(txt_of "_smtp._tls.tlsrpt-baduri.$z")" "\"v=TLSRPTv1; rua=ftp://reports.tlsrpt-baduri.$z/tlsrpt\""
    expect "TXT _smtp._tls.tlsrpt-both.$z" "$(txt_of "_smtp._tls.tlsrpt-both.$z")" \
        "\"v=TLSRPTv1; rua=mailto:tlsrpt@tlsrpt-both.$z,https://reports.tlsrpt-both.$z/v1/tlsrpt\""
done

echo "== DNS: DANE cases (sec.test)"
for c in dane-301 dane-312 dane-300 dane-splice dane-expired dane-ta-name dane-rollover dane-rollover-ta dane-bogus-tlsa; do
    expect "MX $c.$S" "$(mx_of "$c.$S")" "10 mx-$c.$S."
    expect "AD on A mx-$c.$S" "$(has_ad A "mx-$c.$S")" ad
done
expect "TLSA 3 0 1 mx-dane-301 = SHA-256 of the good cert" "$(tlsa "_25._tcp.mx-dane-301.$S")" "301$STC_LAB_GOOD_CERT_SHA256"
expect "TLSA 3 1 2 mx-dane-312 = SHA-512 of the good SPKI" "$(tlsa "_25._tcp.mx-dane-312.$S")" "312$STC_LAB_GOOD_SPKI_SHA512"
expect "TLSA 3 0 0 mx-dane-300 = the good cert (DER)" \
    "$(tlsa "_25._tcp.mx-dane-300.$S")" "300$(openssl x509 -in "$STC_LAB_RUN/ca/good.pem" -outform DER | od -An -v -tx1 | tr -d ' \n')"
expect "TLSA 2 1 1 mx-dane-splice = unrelated CA SPKI" "$(tlsa "_25._tcp.mx-dane-splice.$S")" "211$STC_LAB_UNREL_SPKI_SHA256"
expect "TLSA 3 1 1 mx-dane-expired = expired SPKI" "$(tlsa "_25._tcp.mx-dane-expired.$S")" "311$STC_LAB_EXPIRED_SPKI_SHA256"
expect "TLSA mx-dane-rollover: two 3 1 1" "$(tlsa "_25._tcp.mx-dane-rollover.$S" | sort | tr '\n' ' ')" \
    "$(printf '311%s\n311%s\n' "$STC_LAB_GOOD_SPKI_SHA256" "$STC_LAB_NEXT_SPKI_SHA256" | sort | tr '\n' ' ')"
expect "TLSA mx-dane-rollover-ta: 3 1 1 + 2 1 1" "$(tlsa "_25._tcp.mx-dane-rollover-ta.$S" | sort | tr '\n' ' ')" \
    "211$STC_LAB_INT_SPKI_SHA256 311$STC_LAB_GOOD_SPKI_SHA256 "
expect "SERVFAIL (expired RRSIG) TLSA mx-dane-bogus-tlsa" "$(status_of TLSA "_25._tcp.mx-dane-bogus-tlsa.$S")" SERVFAIL
# Unbound: EDE 7 (Signature Expired) on the answer it validated, EDE 6 (DNSSEC Bogus) from its cache
expect_match "EDE 6 or 7 on that TLSA" "$($DIG +dnssec TLSA "_25._tcp.mx-dane-bogus-tlsa.$S")" 'EDE: [67] '
expect "with CD: the TLSA data is there" "$($DIG +cd +short TLSA "_25._tcp.mx-dane-bogus-tlsa.$S" | tr -d ' ' | tr 'A-F' 'a-f')" "311$STC_LAB_GOOD_SPKI_SHA256"
expect "AD on MX dane-bogus-tlsa (only the TLSA is bogus)" "$(has_ad MX "dane-bogus-tlsa.$S")" ad
expect "CNAME mx-dane-cname -> mx-dane-target" "$($DIG +short CNAME "mx-dane-cname.$S")" "mx-dane-target.$S."
expect "AD on CNAME mx-dane-cname" "$(has_ad CNAME "mx-dane-cname.$S")" ad
expect "TLSA at the CNAME target matches" "$(tlsa "_25._tcp.mx-dane-target.$S")" "311$STC_LAB_GOOD_SPKI_SHA256"
expect_nomatch "TLSA at the alias is not the good SPKI" "$(tlsa "_25._tcp.mx-dane-cname.$S")" "$STC_LAB_GOOD_SPKI_SHA256"
expect "dane-cname-orig: target has no TLSA (secure NXDOMAIN)" "$(status_of TLSA "_25._tcp.mx-dane-target2.$S") $(has_ad TLSA "_25._tcp.mx-dane-target2.$S")" "NXDOMAIN ad"
expect "dane-cname-orig: TLSA at the alias" "$(tlsa "_25._tcp.mx-dane-cname2.$S")" "311$STC_LAB_GOOD_SPKI_SHA256"

echo "== DNS: bulk domains ($STC_LAB_ZONE_PLAIN)"
P=$STC_LAB_ZONE_PLAIN
set -- $STC_LAB_BULK_ADDRS
expect "MX bulk-1" "$(mx_of "bulk-1.$P")" "10 mxb-1.$P."
expect "MX bulk-$STC_LAB_BULK (last)" "$(mx_of "bulk-$STC_LAB_BULK.$P")" "10 mxb-$(( (STC_LAB_BULK - 1) % STC_LAB_BULK_HOSTS + 1 )).$P."
expect "MX bulk-51 wraps to mxb-1" "$(mx_of "bulk-51.$P")" "10 mxb-1.$P."
expect "NXDOMAIN bulk-$((STC_LAB_BULK + 1))" "$(status_of MX "bulk-$((STC_LAB_BULK + 1)).$P")" NXDOMAIN
expect "A mxb-1, mxb-$STC_LAB_BULK_HOSTS" "$($DIG +short A "mxb-1.$P") $($DIG +short A "mxb-$STC_LAB_BULK_HOSTS.$P")" \
    "$1 $(eval echo "\${$(( (STC_LAB_BULK_HOSTS - 1) % $# + 1 ))}")"
expect "MX own-$STC_LAB_BULK_OWN (last)" "$(mx_of "own-$STC_LAB_BULK_OWN.$P")" "10 mx-$STC_LAB_BULK_OWN.own.$P."
expect "A mx-2.own" "$($DIG +short A "mx-2.own.$P")" "$2"
expect "MX limited-$STC_LAB_BULK_LIMITED (last)" "$(mx_of "limited-$STC_LAB_BULK_LIMITED.$P")" "10 mx-limited.$P."

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
for c in clean tls13only cbconly dhe1024 clientorder serverorder limited rsaonly 3des rc4; do
    var=STC_LAB_${c^^}
    check_ehlo "$c" "${!var}" 25 yes
done
check_ehlo splice "$STC_LAB_SPLICE" 25 yes
for a in $STC_LAB_BULK_ADDRS; do check_ehlo bulk "$a" 25 yes; done

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
    if [ -n "$n" ]; then echo "$n"; elif grep -q '^Verification: OK' <<<"$t"; then echo 0; else echo none; fi
}
# tls_expect DESC WANT_VERIFY_CODE ARGS... - handshake completes with that verify code
tls_expect() {
    local desc=$1 want=$2 out
    shift 2
    out=$(tls "$@")
    if ! handshake_ok <<<"$out"; then
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
    if handshake_ok <<<"$out"; then got="ok $(printf '%s\n' "$out" | proto_of)"; else got=fail; fi
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
if handshake_ok <<<"$out"; then fail "nostarttls: no TLS handshake"; else pass "nostarttls: no TLS handshake"; fi

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
set -- $STC_LAB_BULK_ADDRS
tls_expect "bulk [$3] as mxb-7 verifies" 0 -starttls smtp -connect "$3:25" -verify_hostname "mxb-7.$P"
tls_expect "bulk [$4] as mx-999.own verifies" 0 -starttls smtp -connect "$4:25" -verify_hostname "mx-999.own.$P"
tls_expect "bulk [$1] is not mx-good: error 62" 62 -starttls smtp -connect "$1:25" -verify_hostname "mx-good.$P"
tls_expect "splice: leaf without its issuer: error 21" 21 -starttls smtp -connect "$STC_LAB_SPLICE:25" -verify_hostname "mx-dane-splice.$S"

echo "== TLS depth listeners: versions and suites (openssl s_client)"
# tls_suite DESC ADDR VERSION SUITE ok|fail - offer one version and one suite
# (TLS 1.3: -ciphersuites, else -cipher at @SECLEVEL=0); ok means the
# handshake completes with exactly that suite.
tls_suite() {
    local desc=$1 addr=$2 ver=$3 suite=$4 want=$5 out got=fail
    local vflag=-tls${ver/./_} sflag=(-cipher "$suite:@SECLEVEL=0")
    [ "$ver" = 1.0 ] && vflag=-tls1
    [ "$ver" = 1.3 ] && sflag=(-ciphersuites "$suite")
    out=$(tls -starttls smtp -connect "$addr:25" "$vflag" "${sflag[@]}")
    handshake_ok <<<"$out" && got="ok $(printf '%s\n' "$out" | cipher_of)"
    if [ "$want" = ok ]; then expect "$desc" "$got" "ok $suite"; else expect "$desc" "$got" fail; fi
}
# listener (STC_LAB_<NAME>) | TLS version | suite | ok or fail
while read -r name ver suite want; do
    case $name in ''|'#'*) continue ;; esac
    var=STC_LAB_${name^^}
    tls_suite "$name: TLS $ver $suite $want" "${!var}" "$ver" "$suite" "$want"
done <<'TABLE'
clean       1.3 TLS_AES_128_GCM_SHA256         ok
clean       1.2 ECDHE-RSA-AES128-GCM-SHA256    ok
clean       1.2 ECDHE-RSA-AES256-GCM-SHA384    ok
clean       1.2 ECDHE-RSA-CHACHA20-POLY1305    ok
clean       1.2 ECDHE-RSA-AES128-SHA           fail
clean       1.2 AES128-GCM-SHA256              fail
clean       1.2 DHE-RSA-AES128-GCM-SHA256      fail
clean       1.1 ECDHE-RSA-AES128-SHA           fail
tls13only   1.3 TLS_AES_256_GCM_SHA384         ok
tls13only   1.3 TLS_CHACHA20_POLY1305_SHA256   ok
tls13only   1.3 TLS_AES_128_GCM_SHA256         ok
tls13only   1.2 ECDHE-RSA-AES128-GCM-SHA256    fail
tls13only   1.1 ECDHE-RSA-AES128-SHA           fail
cbconly     1.2 ECDHE-RSA-AES128-SHA256        ok
cbconly     1.2 ECDHE-RSA-AES256-SHA384        ok
cbconly     1.2 ECDHE-RSA-AES128-SHA           ok
cbconly     1.2 ECDHE-RSA-AES256-SHA           ok
cbconly     1.2 ECDHE-RSA-AES128-GCM-SHA256    fail
cbconly     1.2 ECDHE-RSA-CHACHA20-POLY1305    fail
cbconly     1.2 AES128-SHA                     fail
cbconly     1.3 TLS_AES_128_GCM_SHA256         fail
cbconly     1.1 ECDHE-RSA-AES128-SHA           fail
dhe1024     1.2 DHE-RSA-AES128-GCM-SHA256      ok
dhe1024     1.2 DHE-RSA-AES256-SHA256          ok
dhe1024     1.2 ECDHE-RSA-AES128-GCM-SHA256    fail
dhe1024     1.3 TLS_AES_128_GCM_SHA256         fail
rsaonly     1.2 AES128-SHA                     ok
rsaonly     1.2 AES256-GCM-SHA384              ok
rsaonly     1.2 ECDHE-RSA-AES128-GCM-SHA256    fail
rsaonly     1.3 TLS_AES_128_GCM_SHA256         fail
3des        1.2 ECDHE-RSA-AES128-GCM-SHA256    ok
3des        1.2 ECDHE-RSA-AES256-GCM-SHA384    ok
3des        1.2 ECDHE-RSA-AES128-SHA           fail
3des        1.3 TLS_AES_128_GCM_SHA256         fail
3des        1.1 ECDHE-RSA-AES128-SHA           fail
rc4         1.2 ECDHE-RSA-AES256-GCM-SHA384    ok
rc4         1.3 TLS_AES_128_GCM_SHA256         fail
good        1.2 ECDHE-RSA-AES128-SHA           ok
good        1.2 AES128-SHA                     ok
good        1.2 DHE-RSA-AES128-GCM-SHA256      ok
anon        1.2 ECDHE-RSA-AES128-GCM-SHA256    fail
anon        1.2 NULL-SHA256                    ok
TABLE

echo "== TLS depth listeners: 3DES and RC4 (gnutls-cli)"
# gtls DESC ADDR HOST PRIORITY WANT - gnutls-cli STARTTLS handshake; WANT is
# the cipher GnuTLS reports in its session description, or "fail"
gtls() {
    local desc=$1 addr=$2 host=$3 prio=$4 want=$5 out got=fail
    out=$(timeout 15 gnutls-cli --starttls-proto=smtp -p 25 --x509cafile "$STC_LAB_CA" \
        --sni-hostname "$host" --verify-hostname "$host" --priority "$prio" "$addr" </dev/null 2>&1)
    got=$(printf '%s\n' "$out" | sed -n 's/^- Description: .*-(\([^)]*\))-([^)]*)$/\1/p' | head -1)
    grep -q '^- Handshake was completed' <<<"$out" || got=fail
    expect "$desc" "${got:-fail}" "$want"
}
W='NONE:+VERS-TLS1.2:+SHA1:+SIGN-ALL:+GROUP-ALL:+COMP-NULL'
while read -r name kx cipher want; do
    case $name in ''|'#'*) continue ;; esac
    var=STC_LAB_${name^^}
    gtls "$name: $kx $cipher (TLS 1.2) $want" "${!var}" "mx-$name.$P" "$W:+$kx:+$cipher" "$want"
done <<'TABLE'
3des        ECDHE-RSA  3DES-CBC     3DES-CBC
3des        RSA        3DES-CBC     fail
3des        ECDHE-RSA  ARCFOUR-128  fail
rc4         ECDHE-RSA  ARCFOUR-128  ARCFOUR-128
rc4         RSA        ARCFOUR-128  fail
rc4         ECDHE-RSA  3DES-CBC     fail
good        ECDHE-RSA  3DES-CBC     fail
good        RSA        3DES-CBC     fail
good        ECDHE-RSA  ARCFOUR-128  fail
legacy      ECDHE-RSA  3DES-CBC     fail
clean       ECDHE-RSA  3DES-CBC     fail
TABLE
gtls "3des: TLS 1.1 refused" "$STC_LAB_3DES" "mx-3des.$P" "NONE:+VERS-TLS1.1:+ECDHE-RSA:+3DES-CBC:+AES-128-CBC:+SHA1:+SIGN-ALL:+GROUP-ALL:+COMP-NULL" fail
out=$(chat "$STC_LAB_3DES" 25)
expect_match "3des: SMTP banner 220" "$out" '^220 '
expect_match "3des: offers STARTTLS" "$out" '^250[- ]STARTTLS$'

echo "== TLS depth listeners: DHE group, cipher order"
out=$(tls -starttls smtp -connect "$STC_LAB_DHE1024:25" -cipher "DHE:$SEC0")
expect "dhe1024: DH group of 1024 bits" "$(printf '%s\n' "$out" | sed -n 's/^Server Temp Key: *//p')" "DH, 1024 bits"
out=$(tls -starttls smtp -connect "$STC_LAB_DHE1024:25")
expect_match "dhe1024: a SECLEVEL-2 client refuses the group" "$out" 'dh key too small'
O12=ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-CHACHA20-POLY1305
R12=ECDHE-RSA-CHACHA20-POLY1305:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256
O13=TLS_AES_128_GCM_SHA256:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_256_GCM_SHA384
R13=TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256
picks() { tls -starttls smtp -connect "$1:25" "${@:2}" | cipher_of; }
# listener | offer | suite picked
while read -r name args; do
    var=STC_LAB_${name^^} want=${args##* } args=${args% *}
    # shellcheck disable=SC2086
    expect "$name: offer $args picks" "$(picks "${!var}" $args)" "$want"
done <<TABLE
clientorder -tls1_2 -cipher $O12 ECDHE-RSA-AES128-GCM-SHA256
clientorder -tls1_2 -cipher $R12 ECDHE-RSA-CHACHA20-POLY1305
clientorder -tls1_3 -ciphersuites $O13 TLS_AES_128_GCM_SHA256
clientorder -tls1_3 -ciphersuites $R13 TLS_AES_256_GCM_SHA384
serverorder -tls1_2 -cipher $O12 ECDHE-RSA-CHACHA20-POLY1305
serverorder -tls1_2 -cipher $R12 ECDHE-RSA-CHACHA20-POLY1305
serverorder -tls1_3 -ciphersuites $O13 TLS_AES_256_GCM_SHA384
serverorder -tls1_3 -ciphersuites $R13 TLS_AES_256_GCM_SHA384
TABLE

echo "== Connection limit and session counting (Postfix log)"
sessions() { grep -c "stclab/$1/smtpd\\[[0-9]*\\]: connect from" "$STC_LAB_MAILLOG"; }
expect "maillog readable at \$STC_LAB_MAILLOG" "$([ -r "$STC_LAB_MAILLOG" ] && echo yes)" yes
before=$(sessions limited)
{
    exec 3<>"/dev/tcp/$STC_LAB_LIMITED/25" 4<>"/dev/tcp/$STC_LAB_LIMITED/25"
    IFS= read -r -t 5 l1 <&3; IFS= read -r -t 5 l2 <&4
    exec 5<>"/dev/tcp/$STC_LAB_LIMITED/25"
    IFS= read -r -t 5 l3 <&5
    exec 3>&- 4>&- 5>&-
} 2>/dev/null
expect_match "limited: sessions 1 and $STC_LAB_LIMIT_COUNT greeted" "$l1|$l2" '^220 .*\|220 '
expect_match "limited: session $((STC_LAB_LIMIT_COUNT + 1)) at once gets 421" "$l3" '^421 4\.7\.0 .*too many connections'
out=$(chat "$STC_LAB_LIMITED" 25)
expect_match "limited: one session at a time is fine" "$out" '^250[- ]STARTTLS'
n=0
while [ "$n" -lt 20 ] && [ "$(sessions limited)" -lt $((before + 4)) ]; do sleep 0.1; n=$((n + 1)); done
expect "maillog: 4 'connect from' lines for limited" "$(( $(sessions limited) - before ))" 4
expect_match "gnutls log: connect from lines" "$(cat "$STC_LAB_GNUTLS_LOG")" 'mx-3des\.plain\.test\[[0-9]+\]: connect from \['

# ------------------------------------------------------------------ DANE via posttls-finger
echo "== DANE (posttls-finger, resolver AD via resolv.conf)"
# MAIL_CONFIG: posttls-finger reads a main.cf, and a Debian Postfix installed
# with "No configuration" has none in /etc/postfix: use the lab instance's.
ptf() {
    MAIL_CONFIG=$STC_LAB_RUN/postfix/etc timeout 30 posttls-finger -c -o dnssec_probe= \
        -F "$STC_LAB_CA" -t 5 -T 5 "$@" 2>&1
}
expect_match "posttls-finger -l dane good.$S: verified" "$(ptf -l dane "good.$S")" 'Matched DANE EE.*|Verified TLS connection'
expect_match "posttls-finger -l dane dane-self.$S: verified (DANE-EE, self-signed)" "$(ptf -l dane "dane-self.$S")" 'Verified TLS connection'
expect_match "posttls-finger -l dane dane-ta.$S: verified (DANE-TA)" "$(ptf -l dane "dane-ta.$S")" 'Matched DANE TA'
expect_match "posttls-finger -l dane dane-bad.$S: no match" "$(ptf -l dane "dane-bad.$S")" 'no matching DANE TLSA'
expect_match "posttls-finger -l verify good.$P: verified" "$(ptf -l verify "good.$P")" 'Verified TLS connection'
# posttls-finger's verdict per added DANE case (README: "DANE cases")
while read -r dom want; do
    expect_match "posttls-finger -l dane $dom.$S: $want" "$(ptf -l dane "$dom.$S")" "$want"
done <<'TABLE'
dane-301          Matched DANE EE certificate at depth 0: 3 0 1
dane-312          Matched DANE EE certificate at depth 0: 3 1 2
dane-300          Matched DANE EE certificate at depth 0: 3 0 0
dane-splice       num=65:no matching DANE TLSA records
dane-expired      Verified TLS connection
dane-ta-name      num=62:hostname mismatch
dane-rollover     Verified TLS connection
dane-rollover-ta  Verified TLS connection
dane-bogus-tlsa   TLSA lookup error for mx-dane-bogus-tlsa
dane-cname        Verified TLS connection established to mx-dane-cname
dane-cname-orig   Verified TLS connection established to mx-dane-cname2
dane-pkix         Untrusted TLS connection established
TABLE

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
# Added MTA-STS cases (README: "MTA-STS cases"): what each policy URL serves
for z in "$P" "$S"; do
    u=/.well-known/mta-sts.txt
    out=$(sts "https://mta-sts.sts-uncovered.$z$u")
    expect_match "sts-uncovered.$z: enforce, patterns miss mx-good" "$out" "^mx: \\*\\.mx-good\\.${z//./\\.}"
    expect_match "sts-none.$z: mode none" "$(sts "https://mta-sts.sts-none.$z$u")" '^mode: none'
    out=$(sts "https://mta-sts.sts-redirect.$z$u")
    expect_match "sts-redirect.$z: 301" "$out" '^HTTP/[0-9.]+ 301'
    expect_match "sts-redirect.$z: Location /policy.txt" "$out" "^Location: https://mta-sts\\.sts-redirect\\.${z//./\\.}/policy\\.txt"
    expect_match "sts-redirect.$z: the target is a valid policy" "$(sts "https://mta-sts.sts-redirect.$z/policy.txt")" '^mode: enforce'
    out=$(sts "https://mta-sts.sts-html.$z$u")
    expect_match "sts-html.$z: 200 text/html" "$out" '^Content-Type: text/html'
    expect_match "sts-html.$z: policy body" "$out" '^mode: enforce'
    out=$(timeout 15 curl -sS --max-time 10 --cacert "$STC_LAB_CA" -o /dev/null -w '%{http_code} %{size_download}' "https://mta-sts.sts-big.$z$u" 2>&1)
    expect_match "sts-big.$z: 200, body over 65536 bytes" "$out" '^200 (6[6-9][0-9]{3}|[7-9][0-9]{4})$'
    out=$(timeout 15 curl -sS --max-time 10 --cacert "$STC_LAB_CA" --raw -D - "https://mta-sts.sts-chunked.$z$u" 2>&1)
    expect_match "sts-chunked.$z: Transfer-Encoding chunked" "$out" '^Transfer-Encoding: chunked'
    expect_nomatch "sts-chunked.$z: no Content-Length" "$out" '^Content-Length'
    expect_match "sts-chunked.$z: chunk size line, then the policy" "$(printf '%s\n' "$out" | tr -d '\r' | sed -n '/^$/,$p' | sed -n 2,3p | tr '\n' '|')" '^[0-9a-f]+\|version: STSv1\|$'
    expect_match "sts-selfsigned.$z: curl rejects the certificate" "$(sts "https://mta-sts.sts-selfsigned.$z$u")" 'self-signed certificate'
    expect_match "sts-selfsigned.$z: the policy is behind it" "$(sts -k "https://mta-sts.sts-selfsigned.$z$u")" '^mode: enforce'
    expect_match "sts-wrongcert.$z: curl rejects the name" "$(sts "https://mta-sts.sts-wrongcert.$z$u")" 'no alternative certificate subject name'
    expect_match "sts-nohost.$z: no address" "$(sts "https://mta-sts.sts-nohost.$z$u")" 'Could not resolve host'
    for c in sts-notxt sts-twotxt sts-othertxt sts-multistr sts-longid sts-badidchar; do
        expect_match "$c.$z: valid enforce policy served" "$(sts "https://mta-sts.$c.$z$u")" "^mx: mx-good\\.${z//./\\.}"
    done
    expect_match "sts-nostarttls.$z: enforce for mx-nostarttls" "$(sts "https://mta-sts.sts-nostarttls.$z$u")" "^mx: mx-nostarttls\\.${z//./\\.}"
done

echo "lab-smoke: smoke checks took $(elapsed "$T_START") s"
echo "lab-smoke: $PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
