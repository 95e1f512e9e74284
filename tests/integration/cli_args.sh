#!/bin/bash
# cli_args.sh - the command line itself: help and version, bad input gets a
# clear message and exit 3 (never a crash), IDNA mapping of UTF-8 domains,
# CSV input, and the worst exit code over several domains. DNS comes from
# build/dns-test-server on 127.0.83.3:53 (root), SMTP from smtp-test-server.
set -u
cd "$(dirname "$0")/../.."
. tests/integration/common.inc cli-args
res=127.0.83.3

# want NAME CODE PATTERN -- ARGS : exit code and a pattern in stdout+stderr
want() {
    local name=$1 code=$2 pat=$3; shift 4
    "$cli" "$@" >"$tmp/out" 2>&1
    local rc=$?
    [ "$rc" -eq "$code" ] && ok || bad "$name: exit $rc, wanted $code: $(head -c 400 "$tmp/out")"
    grep -Eq -- "$pat" "$tmp/out" && ok || bad "$name: no /$pat/ in: $(head -c 400 "$tmp/out")"
    [ "$rc" -lt 128 ] && ok || bad "$name: killed by a signal ($rc)"
}

want help 0 'usage: starttls-check' -- --help
want version 0 '^starttls-check [0-9]+\.[0-9]+' -- --version
want no-domain 3 'no domain given' --
want bad-flag 3 'unknown option' -- --frobnicate
want bad-number 3 'wants a number' -- --timeout soon example.org
want missing-value 3 'missing value' -- example.org --port
want bad-file 3 'cannot read' -- -file /nonexistent/domains.csv
want bad-ca 3 'ca' -- --ca-file /nonexistent/ca.pem example.org
want bad-resolver 3 'not an IP address' -- --resolver not-an-ip example.org
want bad-idna 3 'not a valid domain name' -- --resolver 127.0.0.1 $'\xff\xfe.example'
want bad-host 3 '--host wants HOST' -- --host '[::1' --resolver 127.0.0.1
# an invalid name never reaches DNS: the result says why
want invalid-name 3 '"code":"invalid_domain"' -- --json --resolver 127.0.0.1 'bad..name'

if [ "$(id -u)" -eq 0 ]; then
    spawn "$tmp/smtp.out" "$srv" --port 0 --mode nostarttls --max-seconds 120
    sport=$port
    cat >"$tmp/zone" <<'ZONE'
xn--bcher-kva.test MX 10 mx.xn--bcher-kva.test
mx.xn--bcher-kva.test A 127.0.0.1
plain.test MX 10 mx.plain.test
mx.plain.test A 127.0.0.1
ZONE
    spawn "$tmp/dns.out" "$dns" --addr $res --port 53 --zone "$tmp/zone" --max-seconds 120 \
        --log "$tmp/dns.log"
    common="--resolver $res --port $sport --timeout 3"
    # UTF-8 in, A-labels on the wire and in the report (UTS #46)
    want idna 2 '"domain":"xn--bcher-kva.test"' -- --json $common 'Bücher.test'
    grep -qi 'xn--bcher-kva.test' "$tmp/dns.log" && ok || bad "idna: the query did not use A-labels"
    # the original's flags, and CSV columns
    printf 'rank,domain\n1,plain.test\n2,"xn--bcher-kva.test"\n' >"$tmp/list.csv"
    want csv 2 'plain.test: NO STARTTLS' -- $common -file "$tmp/list.csv" -column 1
    [ "$(grep -c 'NO STARTTLS' "$tmp/out")" -eq 2 ] && ok || bad "csv: not both domains checked"
    want original-flag 2 'plain.test: NO STARTTLS' -- $common -domain plain.test
    # several domains: the worst exit code wins (NXDOMAIN is 3)
    want worst 3 'nosuch.test: ERROR' -- $common plain.test nosuch.test
    want expect-ok 2 'NO STARTTLS' -- $common --expect '*.plain.test' plain.test
    want expect-bad 2 'BAD HOSTNAME' -- $common --expect 'mx.other.test' plain.test
else
    skip "the DNS-backed cases need root (a DNS server on port 53)"
fi
finish
