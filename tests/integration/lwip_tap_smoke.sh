#!/bin/sh
# lwip_tap_smoke.sh - starttls-check-lwip end to end: lwIP on a tap device
#
# usage: [BUILD=build] sh tests/integration/lwip_tap_smoke.sh   (sh or bash)
#   STC_LWIP_BIN, SMTP_TEST_SERVER, DNS_TEST_SERVER override the programs;
#   missing ones are built (make, or cc for the DNS server as a last resort).
#
# Creates its own network namespace (stc-lwip-<pid>) holding a tap device
# (192.0.2.1/24 on the kernel side, MTU 576: see boards/lwip-tap/README.md
# for why), STARTTLS servers (build/smtp-test-server, certificates from
# tests/vectors/certs) on 192.0.2.1:25 and 192.0.2.25:25, and DNS servers
# (dns-test-server) on 192.0.2.1:53 (normal) and 192.0.2.53:53 (every UDP
# answer truncated). Then runs starttls-check-lwip with lwIP as
# 192.0.2.2/24, gateway 192.0.2.1, and checks:
#   relay_tls        --host 192.0.2.1:25 --json: handshake done (tls.version),
#                    a relay result, exit code = the domain status's
#   relay_trusted    chain verified against ca.pem, no lwIP socket left open
#   relay_success    --host 192.0.2.25 (its IP is in the SAN): success, exit 0
#   refused          port 26: lwIP's ECONNRESET reported as connect_refused
#   blackhole        203.0.113.1 (blackhole route) with --timeout 2:
#                    connect_timeout, and within the budget
#   domain_udp       example.test over UDP DNS through lwIP: success, and
#                    the AAAA address reported as family_untested
#   domain_tcp       the same with truncated UDP answers: TCP fallback
#   dead_resolver    a resolver address answering ICMP port unreachable:
#                    lwIP never reports it, so dns_timeout (--timeout 2)
#   mtu_guard        tap MTU 1500: refused at start-up (exit 3), since this
#                    liblwip overruns its heap on frames over 592 bytes
# All traffic stays inside the namespace. Every program run is bounded by
# timeout(1); only the servers started here are signalled, by PID; the
# namespace is deleted at exit.
#
# Not root: prints the reason and "lwip-tap: 0 passed, 0 failed", exits 0.
# Root but no /dev/net/tun, no ip(8), no lwIP or a binary that cannot be
# built: that is a failure, not a skip.
# The last line is "lwip-tap: N passed, M failed"; exit 1 when M > 0.

set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 1
BUILD=${BUILD:-build}
NS=stc-lwip-$$
CERTS=tests/vectors/certs
PASS=0
FAIL=0
PIDS=""
TMP=""
NS_MADE=0

ok() { PASS=$((PASS + 1)); echo "ok   $1"; }
bad() { FAIL=$((FAIL + 1)); echo "FAIL $1${2:+: $2}"; }
finish() { cleanup; echo "lwip-tap: $PASS passed, $FAIL failed"; [ "$FAIL" -eq 0 ]; exit $?; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }

# cleanup - stop our servers (by PID), delete our namespace and files
cleanup() {
    for p in $PIDS; do kill -TERM "$p" 2>/dev/null; done
    for p in $PIDS; do
        i=0
        while kill -0 "$p" 2>/dev/null && [ $i -lt 30 ]; do sleep 0.1; i=$((i + 1)); done
        kill -KILL "$p" 2>/dev/null
    done
    PIDS=""
    [ "$NS_MADE" -eq 1 ] && ip netns del "$NS" 2>/dev/null
    NS_MADE=0
    [ -n "$TMP" ] && rm -rf "$TMP"
    TMP=""
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

if [ "$(id -u)" -ne 0 ]; then
    echo "SKIP: needs root (network namespace and tap device)"
    echo "lwip-tap: 0 passed, 0 failed, 1 skipped"
    exit 0
fi
[ -c /dev/net/tun ] || { bad setup "no /dev/net/tun"; finish; }
command -v ip >/dev/null 2>&1 || { bad setup "no ip(8)"; finish; }
command -v timeout >/dev/null 2>&1 || { bad setup "no timeout(1)"; finish; }
TMP=$(mktemp -d "${TMPDIR:-/tmp}/stc-lwip.XXXXXX") || { bad setup "mktemp"; finish; }

# ---- binaries ------------------------------------------------------------------
# build_lwip - make $BUILD/starttls-check-lwip (board.mk, included or not)
build_lwip() {
    if grep -q 'lwip-tap/board.mk' Makefile 2>/dev/null; then
        make -s BUILD="$BUILD" "$BUILD/starttls-check-lwip"
    else
        make -s -f Makefile -f boards/lwip-tap/board.mk BUILD="$BUILD" "$BUILD/starttls-check-lwip"
    fi
}
LWIP_BIN=${STC_LWIP_BIN:-$BUILD/starttls-check-lwip}
if [ -z "${STC_LWIP_BIN:-}" ]; then # make is incremental: never test a stale build
    build_lwip >"$TMP/make.log" 2>&1 || [ ! -x "$LWIP_BIN" ] ||
        echo "note: make failed, testing the existing $LWIP_BIN"
fi
[ -x "$LWIP_BIN" ] || { bad setup "no $LWIP_BIN: $(tail -n 3 "$TMP/make.log" 2>/dev/null)"; finish; }
SERVER=${SMTP_TEST_SERVER:-$BUILD/smtp-test-server}
if [ ! -x "$SERVER" ]; then
    SERVER=$BUILD/smtp-test-server
    [ -x "$SERVER" ] || make -s BUILD="$BUILD" "$SERVER" >"$TMP/make.log" 2>&1
    [ -x "$SERVER" ] || { bad setup "cannot build $SERVER"; finish; }
fi
DNS_SERVER=${DNS_TEST_SERVER:-$BUILD/dns-test-server}
if [ ! -x "$DNS_SERVER" ]; then
    DNS_SERVER=$BUILD/dns-test-server
    [ -x "$DNS_SERVER" ] || make -s BUILD="$BUILD" "$DNS_SERVER" >"$TMP/make.log" 2>&1
fi
if [ ! -x "$DNS_SERVER" ]; then
    DNS_SERVER=$TMP/dns-test-server
    cc -std=gnu11 -O1 -o "$DNS_SERVER" tests/fake/dns_server.c 2>"$TMP/cc.log" ||
        { bad setup "cannot build dns-test-server: $(head -n 3 "$TMP/cc.log")"; finish; }
fi

# ---- the namespace ---------------------------------------------------------------
# nsx CMD... - run a command inside our namespace
nsx() { ip netns exec "$NS" "$@"; }
ip netns add "$NS" || { bad setup "ip netns add $NS"; finish; }
NS_MADE=1
# shellcheck disable=SC2015 # any failing step ends in the one error branch
nsx ip link set lo up &&
    nsx ip tuntap add dev tap0 mode tap &&
    nsx ip addr add 192.0.2.1/24 dev tap0 &&
    nsx ip link set tap0 mtu 576 &&
    nsx ip link set tap0 up &&
    nsx ip addr add 192.0.2.25/32 dev lo &&
    nsx ip addr add 192.0.2.53/32 dev lo &&
    nsx ip route add blackhole 203.0.113.0/24 ||
    { bad setup "namespace network"; finish; }

# start NAME ARGS... - a server in the namespace; waits for its "port N" line
start() {
    name=$1
    shift
    # not through nsx: $! must be the server itself (ip execs into it)
    ip netns exec "$NS" "$@" >"$TMP/$name.out" 2>"$TMP/$name.err" &
    PIDS="$PIDS $!"
    i=0
    while [ $i -lt 50 ]; do
        grep -q '^port [0-9]' "$TMP/$name.out" 2>/dev/null && return 0
        kill -0 "$!" 2>/dev/null || break
        sleep 0.1
        i=$((i + 1))
    done
    bad "start $name" "$(head -c 300 "$TMP/$name.err")"
    return 1
}
# SRV_TLS is split into words on purpose (no blanks in these paths)
SRV_TLS="--cert $CERTS/good.pem --chain $CERTS/int.pem --key $CERTS/leaf.key --max-seconds 300"
# shellcheck disable=SC2086
start smtp1 "$SERVER" --listen 192.0.2.1:25 $SRV_TLS --log "$TMP/smtp1.log" || finish
# shellcheck disable=SC2086
start smtp25 "$SERVER" --listen 192.0.2.25:25 $SRV_TLS || finish
ZONE="example.test MX 10 mx.example.test"
start dns1 "$DNS_SERVER" --addr 192.0.2.1 --port 53 --max-seconds 300 --log "$TMP/dns1.log" \
    "$ZONE" "mx.example.test A 192.0.2.25" "mx.example.test AAAA 2001:db8::25" || finish
start dns53 "$DNS_SERVER" --addr 192.0.2.53 --port 53 --max-seconds 300 --mode truncate \
    --log "$TMP/dns53.log" "$ZONE" "mx.example.test A 192.0.2.25" || finish

# ---- helpers -----------------------------------------------------------------------
OUT=$TMP/run.out
ERR=$TMP/run.err
RC=0
MS=0
# run ARGS... - starttls-check-lwip in the namespace; sets RC, MS, $OUT, $ERR
run() {
    t0=$(now_ms)
    PRECONFIGURED_TAPIF=tap0 timeout 30 ip netns exec "$NS" "$LWIP_BIN" \
        --ip 192.0.2.2/24 --gw 192.0.2.1 "$@" >"$OUT" 2>"$ERR"
    RC=$?
    MS=$(($(now_ms) - t0))
}
# has ERE - the last run's stdout matches
has() { grep -Eq -- "$1" "$OUT"; }
# expect_rc WANT - "" when the last exit code is WANT, else a reason
expect_rc() { [ "$RC" -eq "$1" ] && echo "" || echo "exit $RC, want $1; $(head -c 300 "$ERR")"; }
# status_rc - exit code the first (domain) "status" of the JSON maps to
status_rc() {
    s=$(grep -o '"status":[0-9]*' "$OUT" | head -n 1 | cut -d: -f2)
    case "$s" in
    0 | 7) echo 0 ;; 1) echo 1 ;; 2 | 4 | 5 | 6) echo 2 ;; *) echo 3 ;;
    esac
}
# verdict NAME REASON... - pass when every reason is empty
verdict() {
    name=$1
    shift
    why=""
    for r in "$@"; do [ -n "$r" ] && why="$why${why:+; }$r"; done
    if [ -z "$why" ]; then ok "$name"; else bad "$name" "$why"; fi
}
need() { has "$1" && echo "" || echo "no /$1/ in: $(head -c 300 "$OUT")"; }

# ---- the checks ----------------------------------------------------------------------
run --host 192.0.2.1:25 --ca-file "$CERTS/ca.pem" --json --stats
verdict relay_tls "$(need '"tls":\{"version":"TLSv1\.[23]"')" "$(need '"mx_kind":"relay"')" \
    "$(need '"phase":"done"')" "$(expect_rc "$(status_rc)")"
verdict relay_trusted "$(need '"trusted":true')" \
    "$(grep -q 'lwIP sockets left open 0' "$ERR" && echo "" || echo "stats: $(cat "$ERR")")"

run --host 192.0.2.25 --ca-file "$CERTS/ca.pem"
verdict relay_success "$(need '^192\.0\.2\.25: SUCCESS')" "$(expect_rc 0)"

run --host 192.0.2.1:26 --json
verdict refused "$(need '"code":"connect_refused"')" \
    "$(need '"status_text":"could_not_connect"')" "$(expect_rc 2)"

run --host 203.0.113.1:25 --json --timeout 2
verdict blackhole "$(need '"code":"connect_timeout"')" "$(expect_rc 2)" \
    "$([ "$MS" -ge 1900 ] && [ "$MS" -lt 8000 ] && echo "" || echo "took $MS ms, want about 2000")"

run example.test --resolver 192.0.2.1 --ca-file "$CERTS/ca.pem" --json
verdict domain_udp "$(need '"status_text":"success","message"')" \
    "$(need '"code":"family_untested"')" "$(expect_rc 0)" \
    "$(grep -q '^[0-9.]* udp 192\.0\.2\.2#' "$TMP/dns1.log" && echo "" || echo "no UDP query in the DNS log")"

run example.test --resolver 192.0.2.53 --ca-file "$CERTS/ca.pem" --json
verdict domain_tcp "$(need '"status_text":"success","message"')" "$(expect_rc 0)" \
    "$(grep -q '^[0-9.]* tcp 192\.0\.2\.2#' "$TMP/dns53.log" && echo "" || echo "no TCP query in the DNS log")"

run example.test --resolver 192.0.2.25 --json --timeout 2
verdict dead_resolver "$(need '"code":"dns_timeout"')" "$(expect_rc 3)"

nsx ip link set tap0 mtu 1500
run --host 192.0.2.1:25
nsx ip link set tap0 mtu 576
verdict mtu_guard "$(expect_rc 3)" \
    "$(grep -q 'mtu 5' "$ERR" && echo "" || echo "no MTU advice: $(head -c 300 "$ERR")")"

finish
