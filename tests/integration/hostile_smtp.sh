#!/bin/bash
# hostile_smtp.sh - the CLI against well-behaved and hostile SMTP servers
# (build/smtp-test-server on 127.0.0.1): each case must end within its
# deadline bound with the expected finding and exit code, never a crash
# or a hang.
set -u
cd "$(dirname "$0")/../.."
. tests/integration/common.inc hostile-smtp
cat "$certs/good.pem" "$certs/int.pem" >"$tmp/chain.pem"

# start MODE [extra server flags] - start a server, set $port
start() {
    local mode=$1; shift
    [ -n "${spid:-}" ] && stop "$spid" # one server at a time
    spawn "$tmp/srv.out" "$srv" --port 0 --mode "$mode" --name mx.example.test \
        --cert "$tmp/chain.pem" --key "$certs/leaf.key" --max-seconds 120 "$@"
    local rc=$?
    spid=$last_pid
    return $rc
}

# expect NAME WANT_EXIT MAX_MS CODE... -- CLI args : run and assert
expect() {
    local name=$1 want=$2 max=$3; shift 3
    local codes=()
    while [ "$1" != "--" ]; do codes+=("$1"); shift; done
    shift
    local t0 t1 rc ms
    t0=$(date +%s%N)
    "$cli" --json --ca-file "$certs/ca.pem" --resolver 127.0.0.1 "$@" >"$tmp/out.json" 2>"$tmp/err"
    rc=$?
    t1=$(date +%s%N)
    ms=$(( (t1 - t0) / 1000000 ))
    if [ "$rc" -eq "$want" ]; then ok; else bad "$name: exit $rc, wanted $want"; fi
    if [ "$ms" -le "$max" ]; then ok; else bad "$name: took $ms ms, bound $max ms"; fi
    if python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$tmp/out.json" 2>/dev/null; then ok
    else bad "$name: output is not one JSON object"; fi
    for c in "${codes[@]}"; do
        if grep -q "\"code\":\"$c\"" "$tmp/out.json"; then ok; else bad "$name: no finding $c in $(cat "$tmp/out.json")"; fi
    done
    printf '  %-14s exit %d  %5d ms  %s\n' "$name" "$rc" "$ms" "${codes[*]}"
}

# A relay check of 127.0.0.1: the certificate names mx.example.test, so a
# name mismatch is expected wherever TLS completes.
T="--timeout 3 --banner-timeout 4"

start good && {
    expect good 2 3000 cert_name_mismatch -- $T --host 127.0.0.1:$port
    grep -q '"version":"TLSv1.3"' "$tmp/out.json" && ok || bad "good: no TLS 1.3"
    grep -q '"trusted":true' "$tmp/out.json" && ok || bad "good: chain not trusted"
}
start nostarttls && expect nostarttls 2 3000 no_starttls -- $T --host 127.0.0.1:$port
start reject421 && expect reject421 3 3000 rejected -- $T --host 127.0.0.1:$port
start reject554 && expect reject554 3 3000 rejected -- $T --host 127.0.0.1:$port
start ehlo-reject && expect ehlo-reject 2 3000 no_esmtp -- $T --host 127.0.0.1:$port
start starttls-454 && expect starttls-454 2 3000 starttls_refused -- $T --host 127.0.0.1:$port
start silent && expect silent 2 5500 banner_timeout -- $T --host 127.0.0.1:$port
start drip --drip-ms 1000 && expect drip 2 5500 banner_timeout -- $T --host 127.0.0.1:$port
start longline && expect longline 2 5500 banner_timeout reply_too_long -- $T --host 127.0.0.1:$port
# 10,000 EHLO lines: read to the end within the command deadline, keywords
# counted; the greeting was fine, so never "malformed" or a connectivity
# failure: STARTTLS on the last line still counts, and without it the
# finding is "STARTTLS not offered" (plus the over-long reply)
start manylines && {
    expect manylines 2 4500 reply_too_long cert_name_mismatch -- $T --host 127.0.0.1:$port
    grep -q '"smtp_protocol"' "$tmp/out.json" && bad "manylines: called malformed" || ok
    grep -q '"connectivity":{"name":"connectivity","status":1' "$tmp/out.json" && ok \
        || bad "manylines: connectivity is not a warning"
}
start manylines --last-line SIZE && {
    expect manylines-nostarttls 2 4500 reply_too_long no_starttls -- $T --host 127.0.0.1:$port
    grep -q '"smtp_protocol"' "$tmp/out.json" && bad "manylines-nostarttls: called malformed" || ok
    grep -q '"status_text":"no_starttls"' "$tmp/out.json" && ok \
        || bad "manylines-nostarttls: the domain status is not no_starttls"
}
start badcode && expect badcode 2 4500 smtp_protocol -- $T --host 127.0.0.1:$port
start garbage-tls && expect garbage-tls 2 4500 tls_handshake_failed -- $T --host 127.0.0.1:$port
start reset-tls && expect reset-tls 2 4500 tls_handshake_failed -- $T --host 127.0.0.1:$port
start inject && expect inject 2 4500 starttls_injection -- $T --host 127.0.0.1:$port
# anonymous suites only: the main handshake (no anon offered) cannot
# complete, the probes find them: a failure for the suites, the
# handshake the checker's limit
start anon && {
    expect anon 2 4500 cipher_anon checker_handshake_limit -- $T --host 127.0.0.1:$port
    grep -q '"code":"tls_handshake_failed"' "$tmp/out.json" && bad "anon: blamed the handshake" || ok
}
start bogus-record && {
    expect bogus-record 2 4500 -- $T --host 127.0.0.1:$port
    grep -Eq '"code":"(tls_handshake_failed|tls_timeout)"' "$tmp/out.json" && ok \
        || bad "bogus-record: neither handshake failure nor timeout"
}
# recorded hellos of SSLv3, SSLv2 and a compressing TLS 1.2, sent whatever
# is asked: the main handshake refuses each one, the probes name them. The
# compressing one stops after its ServerHello: each probe waits one flight
# (STC_T_FLIGHT_MS), and two such stalls end the probing.
start hello-sslv3 && expect hello-sslv3 2 4500 tls_sslv3 checker_handshake_limit -- $T --host 127.0.0.1:$port
start hello-sslv2 && expect hello-sslv2 2 4500 tls_sslv2 tls_handshake_failed -- $T --host 127.0.0.1:$port
start hello-compress && expect hello-compress 2 4500 tls_compression probes_cut -- $T --host 127.0.0.1:$port
for h in hello-sslv3 hello-sslv2 hello-compress; do
    start $h && {
        "$cli" --json --ca-file "$certs/ca.pem" $T --host 127.0.0.1:$port >"$tmp/out.json" 2>/dev/null
        grep -q '"tls":{"version"' "$tmp/out.json" && bad "$h: a handshake completed" || ok
    }
done
start implicit && {
    expect implicit 2 3000 cert_name_mismatch -- $T --host 127.0.0.1:$port --implicit-tls
    grep -q '"implicit_tls":true' "$tmp/out.json" && ok || bad "implicit: not marked"
}
# nothing listening: refused at once
expect refused 2 3000 connect_refused -- $T --host 127.0.0.1:1

finish
