#!/bin/bash
# faults.sh - the checker's own limits are never the server's fault, and no
# input row is lost. Each case asserts the verdict, the exit code and that
# every input row gave exactly one output object:
#   - more checks than sockets (one engine's pools; a tiny socket budget)
#   - the open-file limit (ulimit -n): enough for a few sockets, and none
#   - a certificate chain beyond what the TLS library takes, and a large one
#     that it does take
#   - implicit TLS on a domain check (--implicit-tls, and port 465 implying it)
#   - an unwritable stdout (/dev/full) and a closed pipe (| head -1)
#   - resolver lists with dead entries, a TC answer whose TCP retry fails,
#     and more resolvers than the build uses
#   - CSV rows with quoted commas and line breaks, an IDNA failure in a list
#   - SIGINT and SIGTERM during a bulk run: finished results whole on stdout,
#     a summary on stderr, exit 130 / 143
#   - flags given values, a directory as -file
# DNS: dns-test-server on 127.0.83.5-7:53 (root); SMTP: smtp-test-server
# with the *.example.test vector certificate. Everything on loopback.
set -u
cd "$(dirname "$0")/../.."
. tests/integration/common.inc faults

if [ "$(id -u)" -ne 0 ]; then
    skip "needs root (DNS test servers on port 53)"
    finish
    exit $?
fi

cat "$certs/wildcard.pem" "$certs/int.pem" >"$tmp/chain.pem"
spawn "$tmp/good.out" "$srv" --port 0 --mode good --name mx.example.test \
    --cert "$tmp/chain.pem" --key "$certs/leaf.key" --max-seconds 300 || { finish; exit 1; }
good=$port
# a tarpit on 127.0.0.2, same port: slow.test's MX host drips its greeting
spawn "$tmp/drip.out" "$srv" --addr 127.0.0.2 --port "$good" --mode drip --drip-ms 1000 \
    --name mx.example.test --cert "$tmp/chain.pem" --key "$certs/leaf.key" --max-seconds 300 \
    || { finish; exit 1; }
spawn "$tmp/impl.out" "$srv" --port 0 --mode implicit --name mx.example.test \
    --cert "$tmp/chain.pem" --key "$certs/leaf.key" --max-seconds 300 || { finish; exit 1; }
impl=$port

# the zone: one domain with 4 MX hosts, 40 one-host domains, a slow one
{
    echo "d4.example.test MX 10 mx1.example.test"
    echo "d4.example.test MX 10 mx2.example.test"
    echo "d4.example.test MX 10 mx3.example.test"
    echo "d4.example.test MX 10 mx4.example.test"
    for i in 1 2 3 4; do echo "mx$i.example.test A 127.0.0.1"; done
    for i in $(seq 1 40); do
        echo "d$i.one.test MX 10 mx.example.test"
    done
    echo "mx.example.test A 127.0.0.1"
    echo "slow.test MX 10 mxslow.example.test"
    echo "mxslow.example.test A 127.0.0.2"
} >"$tmp/zone"
spawn "$tmp/dns.out" "$dns" --addr 127.0.83.5 --port 53 --zone "$tmp/zone" --max-seconds 300 \
    || { finish; exit 1; }
common="--resolver 127.0.83.5 --ca-file $certs/ca.pem --timeout 5 --port $good"

# lines FILE - JSON objects in FILE (each must parse)
lines() { python3 -c '
import json, sys
n = 0
for line in open(sys.argv[1]):
    json.loads(line); n += 1
print(n)' "$1" 2>/dev/null || echo -1; }
# statuses FILE - "status_text count" pairs, sorted
statuses() { grep -o '^{"schema_version":2,[^}]*"status_text":"[a-z_]*"' "$1" | sed 's/.*"status_text":"//; s/"$//' | sort | uniq -c | awk '{print $2 "=" $1}' | tr '\n' ' '; }

# want_run NAME CODE LINES STATUS -- CMD...: exit code, JSON lines, statuses
want_run() {
    local name=$1 code=$2 n=$3 st=$4; shift 5
    "$@" >"$tmp/out" 2>"$tmp/err"
    local rc=$?
    [ "$rc" -eq "$code" ] && ok || bad "$name: exit $rc, wanted $code: $(head -c 300 "$tmp/err")"
    [ "$(lines "$tmp/out")" -eq "$n" ] && ok || bad "$name: $(lines "$tmp/out") JSON lines, wanted $n"
    [ "$(statuses "$tmp/out")" = "$st" ] && ok || bad "$name: statuses '$(statuses "$tmp/out")', wanted '$st'"
    printf '  %-22s exit %d, %s\n' "$name" "$rc" "$(statuses "$tmp/out")"
}

# 1. more checks than sockets: 200 copies of a 4-MX domain, 64 at once,
# through one engine (24 sockets at most); and with a budget of 3 sockets
for i in $(seq 1 200); do echo d4.example.test; done >"$tmp/200.csv"
want_run sockets-200x4 0 200 "success=200 " -- "$cli" --json $common --jobs 64 -file "$tmp/200.csv"
# 2. descriptors: ulimit -n 24 leaves a handful of sockets; 4 leaves none
for i in $(seq 1 40); do echo "d$i.one.test"; done >"$tmp/40.csv"
want_run ulimit-24 0 40 "success=40 " -- bash -c "ulimit -n 24; exec \"$cli\" --json $common --jobs 16 -file \"$tmp/40.csv\""
# (descriptors a CI runner leaves open would count too: close them first)
python3 -c 'import os, resource, sys
os.closerange(3, 4096)
resource.setrlimit(resource.RLIMIT_NOFILE, (4, 4))
os.execv(sys.argv[1], sys.argv[1:])' "$cli" --json $common d1.one.test >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 3 ] && grep -q "open-file limit" "$tmp/err" && ok || bad "ulimit-4: exit $rc: $(cat "$tmp/err")"

# 3. certificates: a leaf of ~33 KB is beyond wolfSSL's handshake message
# limit: the checker's limit (exit 3, checker_tls_limit), never "handshake
# failed"; a ~16.5 KB leaf (over the old 16 KB chain buffer) is judged as any other
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$tmp/bigca.key" -subj /CN=Big-CA -days 30 \
    -out "$tmp/bigca.pem" 2>/dev/null
mkbig() { # mkbig N OUT: a leaf for *.example.test with N more SANs
    local s="DNS:*.example.test" i
    for i in $(seq "$1"); do s="$s,DNS:h$i.padding-label-padding-label.example.test"; done
    printf '[e]\nsubjectAltName=%s\n' "$s" >"$tmp/ext.cnf"
    openssl req -new -key "$certs/leaf.key" -subj /CN=mx.example.test -out "$tmp/big.csr" 2>/dev/null
    openssl x509 -req -in "$tmp/big.csr" -CA "$tmp/bigca.pem" -CAkey "$tmp/bigca.key" \
        -CAcreateserial -days 30 -extfile "$tmp/ext.cnf" -extensions e -out "$2" 2>/dev/null
}
mkbig 700 "$tmp/huge.pem"
mkbig 330 "$tmp/large.pem"
echo "  leaves: $(openssl x509 -in "$tmp/huge.pem" -outform der | wc -c) and $(openssl x509 -in "$tmp/large.pem" -outform der | wc -c) bytes"
for c in huge large; do
    spawn "$tmp/$c.out" "$srv" --port 0 --mode good --name mx.example.test \
        --cert "$tmp/$c.pem" --key "$certs/leaf.key" --max-seconds 120 || continue
    "$cli" --json --ca-file "$tmp/bigca.pem" --resolver 127.0.83.5 --timeout 5 \
        --host "mx.example.test:$port" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    if [ $c = huge ]; then
        [ "$rc" -eq 3 ] && ok || bad "huge leaf: exit $rc"
        grep -q '"code":"checker_tls_limit"' "$tmp/out" && ok || bad "huge leaf: no checker_tls_limit: $(head -c 400 "$tmp/out")"
        grep -q '"code":"tls_handshake_failed"\|"code":"cert_none"' "$tmp/out" && bad "huge leaf: blamed on the server" || ok
    else
        [ "$rc" -eq 0 ] && ok || bad "large leaf: exit $rc: $(head -c 400 "$tmp/out")"
        grep -q '"trusted":true,"name_match":true' "$tmp/out" && ok || bad "large leaf: not judged whole"
    fi
    stop "$last_pid"
done

# 4. implicit TLS on a domain check
want_run implicit-tls 0 1 "success=1 " -- "$cli" --json --resolver 127.0.83.5 \
    --ca-file "$certs/ca.pem" --timeout 5 --port "$impl" --implicit-tls d1.one.test
"$cli" --json --resolver 127.0.83.5 --timeout 2 --port 465 d1.one.test >"$tmp/out" 2>&1
grep -q '"port":465,"implicit_tls":true' "$tmp/out" && ok || bad "port 465 does not mean implicit TLS"

# 5. output that cannot be written: an error, never a silent exit 0
"$cli" --json $common d1.one.test >/dev/full 2>"$tmp/err"
rc=$?
[ "$rc" -eq 3 ] && grep -q "cannot write" "$tmp/err" && ok || bad "/dev/full: exit $rc: $(cat "$tmp/err")"
"$cli" --json $common --jobs 4 d1.one.test d2.one.test d3.one.test d4.one.test 2>"$tmp/err" | head -n 1 >"$tmp/out"
rc=${PIPESTATUS[0]}
[ "$rc" -lt 128 ] && ok || bad "closed pipe: killed by signal $((rc - 128))"
[ "$(lines "$tmp/out")" -eq 1 ] && ok || bad "closed pipe: the first line is not whole"

# 6. resolvers: dead ones first; a TC answer whose TCP retry fails; too many
spawn "$tmp/dns6.out" "$dns" --addr 127.0.83.6 --port 53 --zone "$tmp/zone" --max-seconds 300 \
    --mode tcp-only-broken
want_run dead-resolvers 0 1 "success=1 " -- "$cli" --json --ca-file "$certs/ca.pem" --timeout 5 \
    --port "$good" --resolver 127.0.83.8,127.0.83.9,127.0.83.5 d1.one.test
want_run tc-tcp-broken 0 1 "success=1 " -- "$cli" --json --ca-file "$certs/ca.pem" --timeout 5 \
    --port "$good" --resolver 127.0.83.6,127.0.83.5 d1.one.test
"$cli" --json --resolver 127.0.83.1,127.0.83.2,127.0.83.3,127.0.83.4,127.0.83.5,127.0.83.6,127.0.83.7,127.0.83.8,127.0.83.9 \
    d1.one.test >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 3 ] && grep -Eq "too many resolvers|at most" "$tmp/err" && ok || bad "9 resolvers: exit $rc: $(cat "$tmp/err")"

# 7-8. input rows: quoted commas and line breaks, an IDNA failure: one
# object per row, the intended domain checked
printf '"Foo, Inc.",d1.one.test\n"two\nlines",d2.one.test\nbad,\xff\xfe.test\n"broken"x,d3.one.test\n' >"$tmp/rows.csv"
want_run csv-rows 3 4 "error=2 success=2 " -- "$cli" --json $common -file "$tmp/rows.csv" -column 1
grep -q '"domain":"d1.one.test"' "$tmp/out" && grep -q '"domain":"d2.one.test"' "$tmp/out" && ok \
    || bad "csv-rows: the quoted rows' domains were not checked"
grep -q '"error":"row_bad_quoting","message"' "$tmp/out" && ok || bad "csv-rows: no error object for the broken row"
grep -q '"input_line":5' "$tmp/out" && ok || bad "csv-rows: the broken row's line is not 5"

# 9. messages: the port in a refused connection's finding
"$cli" --json --resolver 127.0.83.5 --timeout 3 --port 1 d1.one.test >"$tmp/out" 2>&1
grep -q '"code":"connect_refused","check":"connectivity","severity":"failure","title":"[^"]*","recommendation":"[^"]*","detail":1}' "$tmp/out" \
    && ok || bad "refused: the detail is not the port: $(grep -o '"code":"connect_refused[^}]*' "$tmp/out")"

# 10. flags that take no value, a directory as the list
for f in --verbose=no --json=1 --stats=yes; do
    "$cli" $f d1.one.test >"$tmp/out" 2>&1
    rc=$?
    [ "$rc" -eq 3 ] && grep -q "takes no value" "$tmp/out" && ok || bad "$f: exit $rc: $(head -c 200 "$tmp/out")"
done
"$cli" -file "$tmp" >"$tmp/out" 2>&1
rc=$?
[ "$rc" -eq 3 ] && grep -q "is a directory" "$tmp/out" && ok || bad "-file DIR: exit $rc: $(cat "$tmp/out")"

# 11. interrupted bulk runs: 6 quick domains and 2 whose greeting drips
# for a minute; the signal comes once the quick ones are reported: their
# lines are on stdout whole, the slow ones are not reported at all
for sig in INT TERM; do
    { for i in 1 2 3 4 5 6; do echo "d$i.one.test"; done; echo slow.test; echo slow.test; } >"$tmp/int.csv"
    "$cli" --json $common --banner-timeout 60 --jobs 8 -file "$tmp/int.csv" >"$tmp/out" 2>"$tmp/err" &
    pid=$!
    for _ in $(seq 1 100); do
        [ "$(grep -c '^{' "$tmp/out")" -ge 6 ] && break
        sleep 0.1
    done
    kill -"$sig" "$pid"
    wait "$pid"
    rc=$?
    want=$([ $sig = INT ] && echo 130 || echo 143)
    [ "$rc" -eq "$want" ] && ok || bad "SIG$sig: exit $rc, wanted $want"
    [ "$(lines "$tmp/out")" -eq 6 ] && ok || bad "SIG$sig: $(lines "$tmp/out") whole JSON lines, wanted the 6 finished"
    [ "$(statuses "$tmp/out")" = "success=6 " ] && ok || bad "SIG$sig: $(statuses "$tmp/out")"
    grep -q "6 of 8 checks finished, interrupted by SIG$sig" "$tmp/err" && ok || bad "SIG$sig: summary: $(cat "$tmp/err")"
done
finish
