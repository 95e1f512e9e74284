#!/bin/bash
# valgrind_cli.sh - the CLI under valgrind memcheck against a real STARTTLS
# handshake (build/smtp-test-server, RSA and ECDSA) and a DNS-driven domain
# check (build/dns-test-server on 127.0.83.2:53 when root): zero errors,
# no definite leaks. Deadlines are scaled (STC_TIME_SCALE) for the slow run.
set -u
cd "$(dirname "$0")/../.."
build=${BUILD:-build}
cli=$build/starttls-check
srv=${SMTP_TEST_SERVER:-$build/smtp-test-server}
dns=${DNS_TEST_SERVER:-$build/dns-test-server}
certs=tests/vectors/certs
pass=0 fail=0
tmp=$(mktemp -d)
pids=""
cleanup() { for p in $pids; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
ok()  { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
command -v valgrind >/dev/null || { echo "valgrind missing"; echo "valgrind: 0 passed, 1 failed"; exit 1; }

# serve NAME CERT KEY [flags] - start a good STARTTLS server, set $port
serve() {
    local out=$tmp/$1.out; shift
    cat "$1" "$certs/int.pem" >"$tmp/chain.pem"
    "$srv" --port 0 --mode good --name mx.example.test --cert "$tmp/chain.pem" --key "$2" \
        --max-seconds 300 "${@:3}" >"$out" 2>&1 &
    pids="$pids $!"
    port=""
    for _ in $(seq 1 50); do port=$(sed -n 's/^port \([0-9]*\)$/\1/p' "$out"); [ -n "$port" ] && return 0; sleep 0.1; done
    bad "server did not start"; return 1
}

# vg NAME ARGS... - run the CLI under memcheck; assert no errors
vg() {
    local name=$1; shift
    STC_TIME_SCALE=10 valgrind -q --error-exitcode=99 --leak-check=full \
        --errors-for-leak-kinds=definite --log-file="$tmp/$name.vg" \
        "$cli" --ca-file "$certs/ca.pem" --arena-kb 8192 "$@" >"$tmp/$name.out" 2>&1
    local rc=$?
    if [ "$rc" -ne 99 ] && [ ! -s "$tmp/$name.vg" ]; then ok; echo "  $name: clean (exit $rc)"
    else bad "$name: valgrind reported (exit $rc)"; cat "$tmp/$name.vg"; fi
    grep -q "TLSv1" "$tmp/$name.out" && ok || { [ "$name" = domain ] && ok || bad "$name: no TLS in output"; }
}

serve rsa "$certs/good.pem" "$certs/leaf.key" && vg rsa --host 127.0.0.1:$port
serve ecdsa "$certs/ecdsa.pem" "$certs/ecdsa.key" --max-version 1.2 && vg ecdsa --json --host 127.0.0.1:$port

if [ "$(id -u)" -eq 0 ]; then
    "$dns" --addr 127.0.83.2 --port 53 --max-seconds 300 \
        --record "example.test MX 10 mx.example.test" --record "mx.example.test A 127.0.0.1" \
        >"$tmp/dns.out" 2>&1 &
    pids="$pids $!"
    sleep 0.3
    vg domain --resolver 127.0.83.2 --port "$port" example.test
    grep -q "mx.example.test" "$tmp/domain.out" && ok || bad "domain: no MX host in the report"
fi
echo "valgrind: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
