#!/bin/bash
# valgrind_cli.sh - the CLI under valgrind memcheck against a real STARTTLS
# handshake (build/smtp-test-server, RSA and ECDSA) and a DNS-driven domain
# check (build/dns-test-server on 127.0.83.2:53 when root): zero errors,
# no definite leaks. Deadlines are scaled (STC_TIME_SCALE) for the slow run.
set -u
cd "$(dirname "$0")/../.."
. tests/integration/common.inc valgrind
command -v valgrind >/dev/null || { echo "valgrind missing"; echo "valgrind: 0 passed, 1 failed"; exit 1; }

# serve NAME CERT KEY [flags] - start a good STARTTLS server, set $port
serve() {
    local name=$1 cert=$2 key=$3
    shift 3
    cat "$cert" "$certs/int.pem" >"$tmp/$name.pem"
    spawn "$tmp/$name.out" "$srv" --port 0 --mode good --name mx.example.test \
        --cert "$tmp/$name.pem" --key "$key" --max-seconds 300 "$@"
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
    sport=$port
    spawn "$tmp/dns.out" "$dns" --addr 127.0.83.2 --port 53 --max-seconds 300 \
        --record "example.test MX 10 mx.example.test" --record "mx.example.test A 127.0.0.1"
    port=$sport
    vg domain --resolver 127.0.83.2 --port "$port" example.test
    grep -q "mx.example.test" "$tmp/domain.out" && ok || bad "domain: no MX host in the report"
fi
finish
