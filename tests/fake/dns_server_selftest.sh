#!/bin/sh
# dns_server_selftest.sh - checks dns-test-server (tests/fake/dns_server.c)
# against dig on 127.0.0.1: normal answers, NXDOMAIN, NODATA, CNAME chasing,
# EDNS echo, AD, TC then TCP, and that every hostile mode does what it says.
#
#   sh tests/fake/dns_server_selftest.sh
#   DNS_TEST_SERVER=build/dns-test-server sh tests/fake/dns_server_selftest.sh
#
# Without DNS_TEST_SERVER the server is compiled into a temporary directory.
# Needs dig (dnsutils); python3 for the junk-input and other-port checks.
# Loopback only; every wait is bounded (dig +time=1 +tries=1 under timeout);
# only the servers started here are killed. Last line:
#   dns-server-selftest: N passed, M failed
set -u
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/dns-selftest.XXXXXX")
pass=0
fail=0
pids=""
SPID=""
PORT=""

# cleanup - stop the servers still running (ours only) and remove $tmp
cleanup() {
    for p in $pids; do
        kill "$p" 2>/dev/null
    done
    for p in $pids; do
        wait "$p" 2>/dev/null
    done
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# finish - print the summary line and exit
finish() {
    echo "dns-server-selftest: $pass passed, $fail failed"
    [ "$fail" -eq 0 ]
    exit $?
}

# ok NAME - record a passed check
ok() {
    pass=$((pass + 1))
    echo "ok   - $1"
}

# bad NAME [FILE] - record a failed check, showing FILE's start
bad() {
    fail=$((fail + 1))
    echo "FAIL - $1"
    if [ -n "${2:-}" ] && [ -f "$2" ]; then
        head -n 25 "$2" | sed 's/^/     | /'
    fi
}

# check NAME ERE [FILE] - pass when FILE (default the last dig output) matches
check() {
    f=${3:-$tmp/dig.out}
    if grep -Eq -- "$2" "$f"; then ok "$1"; else bad "$1 (want /$2/)" "$f"; fi
}

# check_not NAME ERE [FILE] - pass when FILE does not match
check_not() {
    f=${3:-$tmp/dig.out}
    if grep -Eq -- "$2" "$f"; then bad "$1 (unwanted /$2/)" "$f"; else ok "$1"; fi
}

# check_count NAME ERE N [FILE] - pass when exactly N lines of FILE match
check_count() {
    f=${4:-$tmp/dig.out}
    n=$(grep -Ec -- "$2" "$f")
    if [ "$n" -eq "$3" ]; then ok "$1"; else bad "$1 ($n lines match /$2/, want $3)" "$f"; fi
}

# start NAME ARGS... - start a server (log $tmp/NAME.log); sets SPID and PORT
start() {
    name=$1
    shift
    "$SERVER" --log "$tmp/$name.log" --pidfile "$tmp/$name.pid" --max-seconds 120 "$@" \
        >"$tmp/$name.out" 2>"$tmp/$name.err" &
    SPID=$!
    pids="$pids $SPID"
    PORT=""
    i=0
    while [ $i -lt 50 ]; do
        PORT=$(sed -n '1s/^port \([0-9][0-9]*\)$/\1/p' "$tmp/$name.out")
        [ -n "$PORT" ] && return 0
        kill -0 "$SPID" 2>/dev/null || break
        sleep 0.1
        i=$((i + 1))
    done
    bad "$name: server started and printed its port" "$tmp/$name.err"
    return 1
}

# stop - SIGTERM the last server started and wait for it (bounded)
stop() {
    kill "$SPID" 2>/dev/null
    i=0
    while kill -0 "$SPID" 2>/dev/null && [ $i -lt 30 ]; do
        sleep 0.1
        i=$((i + 1))
    done
    if kill -0 "$SPID" 2>/dev/null; then
        kill -9 "$SPID" 2>/dev/null
    fi
    wait "$SPID" 2>/dev/null
    STOP_RC=$?
    rest=""
    for p in $pids; do
        [ "$p" = "$SPID" ] || rest="$rest $p"
    done
    pids=$rest
}

# q ARGS... - dig the current server; output in $tmp/dig.out, status in DIG_RC
q() {
    timeout 15 dig @127.0.0.1 -p "$PORT" +time=1 +tries=1 "$@" >"$tmp/dig.out" 2>&1
    DIG_RC=$?
}

# py_query PORT NAME QTYPE - one UDP query from an unconnected socket:
# prints "SRCPORT IDOK RCODE ANCOUNT" of the reply, or "none"
py_query() {
    python3 - "$@" <<'EOF'
import socket, struct, sys
port, name, qtype = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
qid = 0x4a4b
w = b"".join(bytes([len(l)]) + l.encode() for l in name.split(".") if l) + b"\0"
m = struct.pack(">HHHHHH", qid, 0x0100, 1, 0, 0, 0) + w + struct.pack(">HH", qtype, 1)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(2)
s.sendto(m, ("127.0.0.1", port))
try:
    data, addr = s.recvfrom(70000)
except socket.timeout:
    print("none")
    sys.exit(0)
print(addr[1], int(data[:2] == m[:2]), data[3] & 15, struct.unpack(">H", data[6:8])[0])
EOF
}

# py_junk PORT N SEED - send N junk/mutated UDP queries and a few junk TCP streams
py_junk() {
    python3 - "$@" <<'EOF'
import random, socket, struct, sys
port, n, seed = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
rnd = random.Random(seed)
def query(name, qtype):
    w = b"".join(bytes([len(l)]) + l.encode() for l in name.split(".")) + b"\0"
    return (struct.pack(">HHHHHH", rnd.randrange(65536), 0x0100, 1, 0, 0, 1) + w +
            struct.pack(">HH", qtype, 1) + b"\0" + struct.pack(">HHIH", 41, 1232, 0x8000, 0))
base = [query("example.test", 15), query("www.example.test", 1)]
def mutate(m):
    m = bytearray(m)
    for _ in range(rnd.randrange(1, 6)):
        op = rnd.randrange(4)
        if op == 0 and m: m[rnd.randrange(len(m))] = rnd.randrange(256)
        elif op == 1 and m: del m[rnd.randrange(len(m)):]
        elif op == 2: m += bytes(rnd.randrange(256) for _ in range(rnd.randrange(16)))
        elif op == 3 and m: i = rnd.randrange(len(m)); m[i:i] = b"\xc0\x0c"
    if len(m) > 2: m[2] &= 0x7f
    return bytes(m)
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.settimeout(0.01)
for i in range(n):
    if rnd.random() < 0.7: m = mutate(rnd.choice(base))
    else: m = bytes(rnd.randrange(256) for _ in range(rnd.randrange(64)))
    u.sendto(m, ("127.0.0.1", port))
    try:
        while u.recv(70000): pass
    except OSError: pass
for i in range(10):
    t = socket.create_connection(("127.0.0.1", port), timeout=1)
    if i % 2: data = bytes(rnd.randrange(256) for _ in range(rnd.randrange(300)))
    else: data = b"".join(struct.pack(">H", len(x)) + x for x in (mutate(rnd.choice(base)) for _ in range(4)))
    try:
        t.sendall(data)
        t.settimeout(0.1)
        while t.recv(70000): pass
    except OSError: pass
    t.close()
EOF
}

if ! command -v dig >/dev/null 2>&1; then
    bad "dig is installed (Debian package dnsutils)"
    finish
fi
have_py=0
command -v python3 >/dev/null 2>&1 && have_py=1

SERVER=${DNS_TEST_SERVER:-}
if [ -z "$SERVER" ]; then
    SERVER=$tmp/dns-test-server
    if ! ${CC:-cc} -std=gnu11 -O1 -g -Wall -Wextra -Werror -Wshadow \
        "$here/dns_server.c" -o "$SERVER" 2>"$tmp/cc.err"; then
        bad "dns_server.c compiles" "$tmp/cc.err"
        finish
    fi
fi

cat >"$tmp/zone" <<'EOF'
# selftest zone
example.test MX 10 mx.example.test
example.test 600 TXT "v=spf1 -all" "two"
mx.example.test A 127.0.0.1
mx.example.test AAAA ::1
www.example.test CNAME mx.example.test
bad.example.test A 192.0.2.9
EOF

# --- normal -----------------------------------------------------------------
if start normal --zone "$tmp/zone"; then
    check "normal: first stdout line is 'port N'" '^port [0-9]+$' "$tmp/normal.out"
    if [ "$(cat "$tmp/normal.pid" 2>/dev/null)" = "$SPID" ]; then ok "normal: pidfile holds the PID"
    else bad "normal: pidfile holds the PID" "$tmp/normal.pid"; fi
    q example.test MX
    check "normal: MX answer" 'example\.test\.[[:space:]]+300[[:space:]]+IN[[:space:]]+MX[[:space:]]+10 mx\.example\.test\.'
    check "normal: status NOERROR" 'status: NOERROR'
    check "normal: flags qr aa rd ra" 'flags: qr aa rd ra;'
    check_not "normal: AD not set without --ad" 'flags:[a-z ]* ad[ ;]'
    q example.test TXT
    check "normal: TXT with TTL 600 and two strings" '600[[:space:]]+IN[[:space:]]+TXT[[:space:]]+"v=spf1 -all" "two"'
    q nope.example.test A
    check "normal: NXDOMAIN for an unknown name" 'status: NXDOMAIN'
    q example.test AAAA
    check "normal: NODATA is NOERROR" 'status: NOERROR'
    check "normal: NODATA has an empty answer" 'ANSWER: 0,'
    q www.example.test A
    check "normal: CNAME in the answer" 'www\.example\.test\.[[:space:]].*CNAME[[:space:]]+mx\.example\.test\.'
    check "normal: CNAME followed to the A record" 'mx\.example\.test\.[[:space:]].*IN[[:space:]]+A[[:space:]]+127\.0\.0\.1'
    q EXAMPLE.Test MX
    check "normal: question name echoed with its case" '^EXAMPLE\.Test\.[[:space:]].*MX'
    q example.test MX +dnssec
    check "normal: OPT echoed with DO" 'EDNS: version: 0, flags: do; udp: 1232'
    q example.test MX +noedns
    check_not "normal: no OPT when the query had none" 'OPT PSEUDOSECTION'
    q example.test MX +edns=1
    check "normal: EDNS version 1 gets BADVERS" 'BADVERS'
    q example.test MX +tcp
    check "normal: answer over TCP" 'IN[[:space:]]+MX[[:space:]]+10 mx\.example\.test\.'
    check "normal: log has a udp line" '^[0-9.]+ udp 127\.0\.0\.1#[0-9]+ id=[0-9]+ example\.test\. MX edns=1232 do=0 mode=normal -> NOERROR' "$tmp/normal.log"
    check "normal: log has a tcp line" '^[0-9.]+ tcp .* example\.test\. MX .* -> NOERROR' "$tmp/normal.log"
    if [ $have_py -eq 1 ]; then
        py_junk "$PORT" 400 7 >"$tmp/junk.out" 2>&1
        q example.test MX
        check "normal: still answers after 400 junk datagrams and 10 junk TCP streams" 'IN[[:space:]]+MX[[:space:]]+10 mx\.example\.test\.'
        check "normal: junk got FORMERR or was ignored" '-> (FORMERR|nothing \(ignored)' "$tmp/normal.log"
    fi
    stop
    if [ "$STOP_RC" -eq 0 ] && [ ! -e "$tmp/normal.pid" ]; then ok "normal: SIGTERM: exit 0, pidfile removed"
    else bad "normal: SIGTERM: exit 0 (got $STOP_RC), pidfile removed" "$tmp/normal.err"; fi
fi

# --- records on the command line, --ad, --only ------------------------------
if start ad --ad --mode servfail --only bad.example.test \
    'example.test MX 10 mx.example.test' --record 'mx.example.test A 127.0.0.1' \
    --record 'bad.example.test A 192.0.2.9'; then
    q example.test MX +dnssec
    check "ad: records from the command line" 'IN[[:space:]]+MX[[:space:]]+10 mx\.example\.test\.'
    check "ad: AD set with --ad" 'flags: qr aa rd ra ad;'
    q example.test MX +noadflag +nodnssec
    check_not "ad: no AD when the query had neither DO nor AD" 'flags:[a-z ]* ad[ ;]'
    q bad.example.test A +dnssec
    check "only: --only name gets the mode (SERVFAIL)" 'status: SERVFAIL'
    q mx.example.test A
    check "only: other names are answered normally" 'IN[[:space:]]+A[[:space:]]+127\.0\.0\.1'
    check "only: log says which mode applied" 'bad\.example\.test\. A .*mode=servfail -> SERVFAIL' "$tmp/ad.log"
    stop
fi

# --- servfail / refused / nxdomain ------------------------------------------
for m in servfail refused nxdomain; do
    if start "$m" --zone "$tmp/zone" --mode "$m"; then
        q example.test MX +dnssec
        want=$(echo "$m" | tr '[:lower:]' '[:upper:]')
        check "$m: status $want" "status: $want"
        check "$m: OPT still echoed" 'udp: 1232'
        stop
    fi
done

# --- truncate ---------------------------------------------------------------
if start truncate --zone "$tmp/zone" --mode truncate; then
    q example.test MX +ignore
    check "truncate: UDP answer has TC" 'flags: qr aa tc rd ra;'
    check "truncate: UDP answer has no records" 'ANSWER: 0,'
    q example.test MX
    check "truncate: dig retries over TCP" 'Truncated, retrying in TCP mode'
    check "truncate: TCP answer is complete" 'IN[[:space:]]+MX[[:space:]]+10 mx\.example\.test\.'
    check "truncate: log shows the udp query with tc" ' udp .* -> NOERROR flags=qr,aa,tc' "$tmp/truncate.log"
    check "truncate: log shows the tcp query answered" ' tcp .* -> NOERROR flags=qr,aa,rd,ra qd=1 an=1' "$tmp/truncate.log"
    stop
fi

# --- tcp-only-broken ----------------------------------------------------------
if start tcpbroken --zone "$tmp/zone" --mode tcp-only-broken; then
    q example.test MX +ignore
    check "tcp-only-broken: UDP answer has TC" 'flags: qr aa tc rd ra;'
    q example.test MX
    check "tcp-only-broken: TCP closes without an answer" 'end of file|connection reset|communications error'
    check_not "tcp-only-broken: no records reach dig" 'IN[[:space:]]+MX[[:space:]]+10'
    check "tcp-only-broken: log says closed" ' tcp .* -> closed without answer' "$tmp/tcpbroken.log"
    stop
fi

# --- drop ---------------------------------------------------------------------
if start drop --zone "$tmp/zone" --mode drop; then
    q example.test MX
    check "drop: UDP times out" 'timed out'
    if [ "$DIG_RC" -eq 9 ]; then ok "drop: dig exits 9 (no reply)"
    else bad "drop: dig exits 9 (got $DIG_RC)" "$tmp/dig.out"; fi
    q example.test MX +tcp
    check "drop: TCP times out" 'timed out'
    check_count "drop: log has both queries, nothing sent" '-> nothing \(dropped\)' 2 "$tmp/drop.log"
    stop
fi

# --- pointer-loop, forward-pointer --------------------------------------------
if start ploop --zone "$tmp/zone" --mode pointer-loop; then
    q mx.example.test A
    check "pointer-loop: dig rejects the packet" 'Got bad packet: bad compression pointer'
    q example.test MX +tcp
    check "pointer-loop: MX over TCP rejected too" 'Got bad packet: bad compression pointer'
    stop
fi
if start ploop2 --zone "$tmp/zone" --mode pointer-loop=2; then
    q mx.example.test AAAA
    check "pointer-loop=2: 2-pointer cycle rejected" 'Got bad packet: bad compression pointer'
    stop
fi
if start fwd --zone "$tmp/zone" --mode forward-pointer; then
    q mx.example.test A
    check "forward-pointer: dig rejects the packet" 'Got bad packet: bad compression pointer'
    stop
fi

# --- wrong-id, wrong-question, other-port -------------------------------------
if start wrongid --zone "$tmp/zone" --mode wrong-id; then
    q example.test MX
    check "wrong-id: dig warns about the ID" 'Warning: ID mismatch: expected ID ([0-9]+), got'
    exp=$(sed -n 's/.*expected ID \([0-9]*\), got \([0-9]*\).*/\1 \2/p' "$tmp/dig.out" | head -n 1)
    # shellcheck disable=SC2086 # split on purpose: two numbers
    set -- $exp
    if [ $# -eq 2 ] && [ $(( ($1 + 1) % 65536 )) -eq "$2" ]; then ok "wrong-id: got ID is expected+1"
    else bad "wrong-id: got ID is expected+1" "$tmp/dig.out"; fi
    check "wrong-id: and then times out" 'timed out'
    stop
fi
if start wrongq --zone "$tmp/zone" --mode wrong-question; then
    q example.test MX
    check "wrong-question: dig sees another question" 'Question section mismatch: got wrong\.example\.test/MX/IN'
    stop
fi
if start otherport --zone "$tmp/zone" --mode other-port; then
    q example.test MX
    check "other-port: dig (connected UDP socket) never sees the answer" 'timed out'
    if [ $have_py -eq 1 ]; then
        r=$(py_query "$PORT" example.test 15)
        lp=$(sed -n 's/.* from port \([0-9]*\)$/\1/p' "$tmp/otherport.log" | head -n 1)
        # shellcheck disable=SC2086 # split on purpose: four fields
        set -- $r
        if [ $# -eq 4 ] && [ "$1" != "$PORT" ] && [ "$1" = "$lp" ] && [ "$2" = 1 ] && [ "$4" = 1 ]; then
            ok "other-port: answer came from port $1, not $PORT"
        else
            bad "other-port: answer from another port (got '$r', log says '$lp')" "$tmp/otherport.log"
        fi
    fi
    q example.test MX +tcp
    check "other-port: TCP answered normally" 'IN[[:space:]]+MX[[:space:]]+10 mx\.example\.test\.'
    stop
fi

# --- oversized ----------------------------------------------------------------
if start oversized --zone "$tmp/zone" --mode oversized; then
    q example.test A +bufsize=512 +ignore
    size=$(sed -n 's/^;; MSG SIZE  rcvd: \([0-9]*\)$/\1/p' "$tmp/dig.out")
    if [ -n "$size" ] && [ "$size" -ge 3900 ]; then ok "oversized: UDP answer of $size bytes despite bufsize 512"
    else bad "oversized: UDP answer of ~4000 bytes" "$tmp/dig.out"; fi
    check_not "oversized: no TC" 'flags:[a-z ]* tc[ ;]'
    check "oversized: many A records" 'ANSWER: (2[0-9][0-9]),'
    q example.test A +tcp
    check "oversized: TCP length 65535 then EOF" 'end of file|communications error'
    check "oversized: log says announced 65535" ' tcp .* announced 65535 then close' "$tmp/oversized.log"
    stop
fi

# --- cname-loop, cname-chain ----------------------------------------------------
if start cloop --zone "$tmp/zone" --mode cname-loop; then
    q example.test A
    check "cname-loop: a CNAME b" '^example\.test\.[[:space:]].*CNAME[[:space:]]+loop\.example\.test\.'
    check "cname-loop: b CNAME a" '^loop\.example\.test\.[[:space:]].*CNAME[[:space:]]+example\.test\.'
    stop
fi
if start chain --zone "$tmp/zone" --mode cname-chain 5; then
    q mx.example.test A
    check_count "cname-chain 5: five CNAMEs" 'IN[[:space:]]+CNAME' 5
    check "cname-chain 5: ends at the A record" '^chain5\.mx\.example\.test\.[[:space:]].*IN[[:space:]]+A[[:space:]]+127\.0\.0\.1'
    stop
fi
if start chain200 --zone "$tmp/zone" --mode cname-chain=200; then
    q mx.example.test A +ignore
    check "cname-chain=200: too big for UDP, TC" 'flags: qr aa tc rd ra;'
    q mx.example.test A
    check "cname-chain=200: complete over TCP" 'ANSWER: 201,'
    stop
fi

# --- slow -----------------------------------------------------------------------
if start slow --zone "$tmp/zone" --mode slow 1500; then
    q example.test MX
    check "slow 1500: dig +time=1 times out" 'timed out'
    q example.test MX +time=4
    check "slow 1500: dig +time=4 gets the answer" 'IN[[:space:]]+MX[[:space:]]+10 mx\.example\.test\.'
    ms=$(sed -n 's/^;; Query time: \([0-9]*\) msec$/\1/p' "$tmp/dig.out")
    if [ -n "$ms" ] && [ "$ms" -ge 1400 ]; then ok "slow 1500: answered after $ms ms"
    else bad "slow 1500: answered after >= 1400 ms" "$tmp/dig.out"; fi
    stop
fi

# --- garbage --------------------------------------------------------------------
if start garbage --zone "$tmp/zone" --mode garbage --seed 1; then
    q example.test MX
    check "garbage: dig rejects the bytes" 'Got bad packet|malformed|mismatch|FORMERR'
    q example.test MX +tcp
    check "garbage: over TCP too" 'Got bad packet|malformed|mismatch|FORMERR'
    check_count "garbage: log" '-> garbage len=[0-9]+' 2 "$tmp/garbage.log"
    stop
fi

# --- a bad zone line is refused at startup ---------------------------------------------
timeout 5 "$SERVER" --max-seconds 5 'example.test MX ten mx.example.test' >"$tmp/badzone.out" 2>&1
rc=$?
if [ $rc -eq 2 ] && grep -q 'bad record' "$tmp/badzone.out"; then ok "bad zone line: exit 2"
else bad "bad zone line: exit 2 (got $rc)" "$tmp/badzone.out"; fi

finish
