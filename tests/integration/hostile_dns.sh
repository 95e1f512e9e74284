#!/bin/bash
# hostile_dns.sh - the CLI against broken and hostile DNS answers from
# build/dns-test-server on 127.0.83.1:53 (the core asks resolvers on port
# 53, so this needs root to bind it). Each case must end within its
# deadline bound with a clear outcome, never a crash or a hang.
set -u
cd "$(dirname "$0")/../.."
. tests/integration/common.inc hostile-dns
res=127.0.83.1
dpid=""

if [ "$(id -u)" -ne 0 ]; then
    echo "hostile_dns needs root to bind port 53 on $res"
    echo "hostile-dns: 0 passed, 1 failed"
    exit 1
fi

# An SMTP server without STARTTLS stands behind every MX: the DNS part is
# what is tested; reaching it proves the answer was understood.
spawn "$tmp/smtp.out" "$srv" --port 0 --mode nostarttls --max-seconds 300 || { finish; exit 1; }
sport=$port

cat >"$tmp/zone" <<ZONE
example.test MX 10 mx.example.test
mx.example.test A 127.0.0.1
alias.test MX 10 mxalias.example.test
mxalias.example.test CNAME mx.example.test
ZONE

# dns MODE... : (re)start the DNS server in a mode
dnsstart() {
    [ -n "$dpid" ] && stop "$dpid"
    spawn "$tmp/dns.out" "$dns" --addr "$res" --port 53 --zone "$tmp/zone" --max-seconds 120 \
        --log "$tmp/dns.log" "$@"
    local rc=$?
    dpid=$last_pid
    return $rc
}

# expect NAME DOMAIN WANT_EXIT MAX_MS PATTERN... : run the CLI, assert
expect() {
    local name=$1 domain=$2 want=$3 max=$4; shift 4
    local t0 t1 rc ms
    t0=$(date +%s%N)
    "$cli" --json --resolver "$res" --port "$sport" --timeout 2 "$domain" >"$tmp/out.json" 2>"$tmp/err"
    rc=$?
    t1=$(date +%s%N); ms=$(( (t1 - t0) / 1000000 ))
    [ "$rc" -eq "$want" ] && ok || bad "$name: exit $rc, wanted $want: $(cat "$tmp/out.json" "$tmp/err")"
    [ "$ms" -le "$max" ] && ok || bad "$name: took $ms ms, bound $max ms"
    python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$tmp/out.json" 2>/dev/null && ok \
        || bad "$name: not one JSON object"
    for p in "$@"; do
        grep -Eq "$p" "$tmp/out.json" && ok || bad "$name: no match for $p in $(cat "$tmp/out.json")"
    done
    printf '  %-18s exit %d  %5d ms\n' "$name" "$rc" "$ms"
}

# Reaching the SMTP server: status no_starttls (4), exit 2.
REACHED='"status_text":"no_starttls"'
dnsstart --mode normal && {
    expect normal example.test 2 3000 "$REACHED" '"mx_hostnames":\["mx.example.test"\]'
    expect nxdomain-name nosuch.test 3 3000 '"code":"dns_nxdomain"'
    expect cname-mx alias.test 2 3000 '"code":"mx_is_cname"' '"cname":"mx.example.test"'
}
dnsstart --mode truncate && {
    expect truncate-tcp example.test 2 3000 "$REACHED"
    grep -q ' tcp ' "$tmp/dns.log" && ok || bad "truncate: no TCP query in the log"
}
dnsstart --mode tcp-only-broken && expect tcp-broken example.test 3 3000 '"code":"dns_(error|timeout)"'
dnsstart --mode servfail && expect servfail example.test 3 3000 '"code":"dns_servfail"'
dnsstart --mode nxdomain && expect nxdomain example.test 3 3000 '"code":"dns_nxdomain"'
dnsstart --mode refused && expect refused example.test 3 3000 '"code":"dns_error"'
dnsstart --mode drop && expect drop example.test 3 3000 '"code":"dns_timeout"'
dnsstart --mode wrong-id && expect wrong-id example.test 3 3000 '"code":"dns_timeout"'
dnsstart --mode wrong-question && expect wrong-question example.test 3 3000 '"code":"dns_timeout"'
dnsstart --mode other-port && expect other-port example.test 3 3000 '"code":"dns_timeout"'
dnsstart --mode pointer-loop=1 && expect pointer-loop example.test 3 3000 '"code":"dns_(error|timeout)"'
dnsstart --mode pointer-loop=2 && expect pointer-cycle example.test 3 3000 '"code":"dns_(error|timeout)"'
dnsstart --mode forward-pointer && expect forward-pointer example.test 3 3000 '"code":"dns_(error|timeout)"'
dnsstart --mode cname-loop && expect cname-loop example.test 3 3000 '"code":"dns_error"'
dnsstart --mode cname-chain=20 && expect cname-chain-20 example.test 3 3000 '"code":"dns_error"'
dnsstart --mode cname-chain=3 --only mx.example.test && \
    expect cname-chain-3 example.test 2 3000 "$REACHED" '"code":"mx_is_cname"'
dnsstart --mode garbage && expect garbage example.test 3 3000 '"code":"dns_(error|timeout)"'
dnsstart --mode oversized --only mx.example.test && \
    expect oversized example.test 2 3000 '"code":"addrs_truncated"'
dnsstart --mode slow=1000 && expect slow-1s example.test 2 4000 "$REACHED"

finish
