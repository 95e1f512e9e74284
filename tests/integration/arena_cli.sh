#!/bin/sh
# arena_cli.sh - running out of arena is a checker error, never the server's
#
# The CLI checks a relay (smtp-test-server, mode good, on 127.0.0.1, port
# chosen by the kernel) with arenas that hold the trust anchors but not a
# TLS handshake. Each run must exit 3 ("error or unknown: checker limits")
# and say "memory"; none may report a handshake failure or any other fault
# of the server that a roomy arena does not show. A roomy run first proves
# the server and the vectors work (exit 2: the certificate names
# mx.example.test, the target is 127.0.0.1). Last, the system CA bundle in
# the smallest arena the CLI accepts: the anchors do not fit, exit 3 with a
# clear message.
#
# Run from the repository root: BUILD=build sh tests/integration/arena_cli.sh
# ($STC_TEST_SERVER overrides the server binary). Only the server started
# here is signalled, by its PID; every wait is bounded. The last line is
# "arena-cli: N passed, M failed"; exit 1 when anything failed.
set -u

BUILD=${BUILD:-build}
SERVER=${STC_TEST_SERVER:-$BUILD/smtp-test-server}
CLI=$BUILD/starttls-check
CERTS=tests/vectors/certs
BUNDLE=/etc/ssl/certs/ca-certificates.crt
pass=0
fail=0
pid=

ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1${2:+: $2}"; }
skipped=0
finish() { echo "arena-cli: $pass passed, $fail failed, $skipped skipped"; [ "$fail" -eq 0 ]; exit $?; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/arena-cli.XXXXXX") || { bad "mktemp"; finish; }

# stop_server - TERM our server only, wait at most 5 s, then KILL it
stop_server() {
    [ -n "$pid" ] || return 0
    kill -TERM "$pid" 2>/dev/null
    i=0
    while kill -0 "$pid" 2>/dev/null && [ $i -lt 50 ]; do
        sleep 0.1
        i=$((i + 1))
    done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
    pid=
}
cleanup() { stop_server; rm -rf "$tmp"; }
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

for f in "$CLI" "$SERVER"; do
    if [ ! -x "$f" ]; then
        echo "skipped: $f is missing (make $f)"
        bad "prerequisites" "$f"
        finish
    fi
done

# Start the server and read its "port N" line (at most 5 s).
"$SERVER" --addr 127.0.0.1 --port 0 --mode good --cert "$CERTS/good.pem" \
    --key "$CERTS/leaf.key" --chain "$CERTS/int.pem" --max-seconds 60 \
    >"$tmp/server.out" 2>&1 </dev/null &
pid=$!
port=
i=0
while [ $i -lt 50 ]; do
    port=$(sed -n 's/^port \([0-9][0-9]*\)$/\1/p' "$tmp/server.out" | head -n 1)
    [ -n "$port" ] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
    i=$((i + 1))
done
if [ -z "$port" ]; then
    echo "skipped: $SERVER did not start:"
    sed 's/^/  /' "$tmp/server.out"
    bad "server start"
    finish
fi
echo "server pid $pid on 127.0.0.1:$port"

# run NAME ARGS... - the CLI against the server, bounded; sets rc, out
run() {
    name=$1
    shift
    timeout 60 "$CLI" --host "127.0.0.1:$port" --timeout 5 "$@" \
        >"$tmp/$name.out" 2>"$tmp/$name.err"
    rc=$?
    out=$(cat "$tmp/$name.out" "$tmp/$name.err")
}

# server_blamed - does the output hold a finding against the server that
# the roomy run did not have?
server_blamed() {
    for code in tls_handshake tls_timeout no_ehlo_after_tls closed_early smtp_protocol \
        cert_none cert_untrusted cert_self_signed cert_parse cert_chain_truncated; do
        case $out in
        *"$code"*)
            case $roomy in *"$code"*) ;; *) echo "$code"; return 0 ;; esac
            ;;
        esac
    done
    return 1
}

# 1. Roomy arena: the check works, and --stats says what the anchors keep
#    and what the check needs at its peak.
run roomy --ca-file "$CERTS/ca.pem" --json --stats
roomy=$out
if [ "$rc" -eq 2 ] && grep -q '"cert_name_mismatch"' "$tmp/roomy.out" \
    && ! grep -q 'out_of_memory' "$tmp/roomy.out"; then
    ok "roomy arena: exit 2, cert_name_mismatch, no out_of_memory"
else
    bad "roomy arena" "exit $rc: $out"
fi
anchors=$(sed -n 's/.*trust anchors keep \([0-9]*\) bytes.*/\1/p' "$tmp/roomy.err")
peak=$(sed -n 's/.*peak during the checks \([0-9]*\) bytes.*/\1/p' "$tmp/roomy.err")
echo "anchors keep ${anchors:-?} bytes; the check peaks at ${peak:-?} bytes"

# 2. Tight arenas: the smallest the CLI accepts (64 KB: no room for a
#    session), and three quarters of the measured peak (the handshake
#    starts and runs out). Both hold the anchors.
sizes=64
if [ -n "$peak" ] && [ -n "$anchors" ]; then
    kb=$((peak * 3 / 4 / 1024))
    if [ "$kb" -gt 64 ] && [ $((kb * 1024)) -gt "$anchors" ]; then
        sizes="64 $kb"
    fi
else
    bad "--stats figures" "$(cat "$tmp/roomy.err")"
fi
for kb in $sizes; do
    for fmt in text json; do
        if [ "$fmt" = json ]; then
            run "tight$kb$fmt" --ca-file "$CERTS/ca.pem" --arena-kb "$kb" --json
        else
            run "tight$kb$fmt" --ca-file "$CERTS/ca.pem" --arena-kb "$kb"
        fi
        what="--arena-kb $kb ($fmt)"
        if [ "$rc" -eq 3 ]; then
            ok "$what: exit 3"
        else
            bad "$what: exit 3" "exit $rc"
        fi
        case $out in
        *memory*) ok "$what: says memory" ;;
        *) bad "$what: says memory" "$out" ;;
        esac
        case $out in
        *out_of_memory*) ok "$what: out_of_memory finding" ;;
        *) bad "$what: out_of_memory finding" "$out" ;;
        esac
        if blamed=$(server_blamed); then
            bad "$what: nothing blamed on the server" "$blamed"
        else
            ok "$what: nothing blamed on the server"
        fi
        if [ "$fmt" = json ]; then
            if grep -q '^{.*"status_text":"error","message":"[^"]*memory' "$tmp/tight$kb$fmt.out"; then
                ok "$what: domain status error, message about memory"
            else
                bad "$what: domain status error, message about memory" "$out"
            fi
        fi
    done
done

# 3. The anchors themselves do not fit (system bundle, 64 KB).
if [ -r "$BUNDLE" ]; then
    run bundle --ca-file "$BUNDLE" --arena-kb 64
    if [ "$rc" -eq 3 ]; then ok "bundle in 64 KB: exit 3"; else bad "bundle in 64 KB: exit 3" "exit $rc"; fi
    case $out in
    *memory*arena-kb*) ok "bundle in 64 KB: says memory and --arena-kb" ;;
    *) bad "bundle in 64 KB: says memory and --arena-kb" "$out" ;;
    esac
else
    echo "SKIP bundle in 64 KB: no $BUNDLE"
    skipped=1
fi

stop_server
finish
