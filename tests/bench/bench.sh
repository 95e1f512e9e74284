#!/bin/bash
# bench.sh - the checker beside its peers, its scaling and its CPU cost,
# on a lab of its own (make bench; root; not in CI)
#
# A benchmark: it measures and prints, it asserts nothing (issue 11,
# "Benchmarks"). Sections:
#   A. latency: one domain at a time (good.plain.test, clean.plain.test)
#      with 25 ms added each way (50 ms round trip) inside the namespace:
#      wall time and SMTP sessions of starttls-check (full and --quick),
#      testssl.sh (`testssl -t smtp -p -s -4 -S ADDRESS:25`, as make peers
#      runs it) and posttls-finger (`-c -l secure`, the lab CA, matching the
#      MX host name), and the ratios. Sessions are counted in Postfix's log
#      (one "connect from" line per TCP session on the listener).
#      The delay comes from the lab's knob (STC_LAB_DELAY_MS=25: netem on
#      lo). A kernel without sch_netem makes that `up` fail; the lab then
#      comes up without delay and tests/bench/nfq_delay.py holds every
#      packet on lo for 25 ms instead (iptables -j NFQUEUE, same place,
#      same effect). Without either, section A runs undelayed and says so.
#   B. scaling, no added delay: 1, 10, 100, 1,000 and 10,000 lab domains in
#      one run each (`-file LIST --jobs 64`), nine in ten bulk-N.plain.test
#      (50 MX hosts mxb-K) and one in ten own-N.plain.test (a host each),
#      all on the four bulk listeners: wall time, peak RSS, sessions (the
#      sum of the JSON `sessions` and Postfix's count), domains per second,
#      and every verdict against a single check of bulk-1 and own-1; the
#      sessions beside "MX x plan" (distinct MX hosts times the sessions
#      a single check of bulk-1 opens), and how each figure grows per
#      tenfold. Once with --quick, once with the full probe plan
#      (STC_BENCH_FULL_MAX=1000 leaves out the longest run, ~1.5 min).
#   C. CPU cost in instructions (valgrind --tool=callgrind): the whole
#      process for a --quick and a full check of good.plain.test, twice
#      each, and for nxdomain.plain.test (start-up, the CA file, one DNS
#      answer: the part that is not the check).
#
# Its own lab: STC_LAB_NS=stcbench, STC_LAB_RUN=tests/lab/run-bench, up at
# the start and down at the end whatever happens (trap), so it never
# disturbs a lab of the tests. Every address is inside the namespace.
# The only process started in the background (nfq_delay.py) is stopped by
# its PID; every command runs under timeout(1), every wait is bounded.
set -u
cd "$(dirname "$0")/../.." || exit 1
ROOT=$(pwd)
BUILD=${BUILD:-build}
CLI=$ROOT/$BUILD/starttls-check
LAB=$ROOT/tests/lab/lab.sh
export STC_LAB_NS=stcbench
export STC_LAB_RUN=$ROOT/tests/lab/run-bench
# the bulk domains section B lists (README of tests/lab, "Bulk domains")
export STC_LAB_BULK=9000 STC_LAB_BULK_OWN=1000 STC_LAB_BULK_LIMITED=0
DELAY_MS=25
SIZES="1 10 100 1000 10000"
FULL_MAX=${STC_BENCH_FULL_MAX:-10000}
JOBS=64
QUEUE=7          # the NFQUEUE queue number inside the namespace

if [ "$(id -u)" -ne 0 ]; then
    echo "bench: needs root (the lab's network namespace); nothing measured"
    exit 0
fi
[ -x "$CLI" ] || { echo "bench: build first ($CLI missing)"; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/bench.XXXXXX")
chmod 755 "$tmp"
nfq_pid=""
lab_started=0
cleanup() {
    stop_delay
    [ "$lab_started" -eq 1 ] && "$LAB" down >/dev/null 2>&1
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

hr() { printf '\n== %s\n' "$1"; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }
nsx() { ip netns exec "$STC_LAB_NS" "$@"; }
# ratio A B - A / B with one decimal, "-" when B is 0 or either is missing
ratio() {
    awk -v a="${1:-}" -v b="${2:-}" 'BEGIN {
        if (a == "" || b == "" || a == "-" || b == "-" || b + 0 == 0) print "-";
        else printf "%.1f", a / b }'
}

# lab_up MS - (re)start the bench's lab with MS of netem delay; its log in $tmp/up.log
lab_up() {
    lab_started=1
    STC_LAB_DELAY_MS=$1 "$LAB" up >"$tmp/up.log" 2>&1 || return 1
    # shellcheck source=/dev/null
    . "$STC_LAB_RUN/lab.env"
}

# ensure_pkg CMD PACKAGE - CMD in PATH, installing PACKAGE from Debian if needed
ensure_pkg() {
    command -v "$1" >/dev/null 2>&1 && return 0
    { apt-get install -y "$2" || { apt-get update && apt-get install -y "$2"; }; } \
        >"$tmp/apt-$2.log" 2>&1
    command -v "$1" >/dev/null 2>&1
}

# start_delay MS - nfq_delay.py on queue $QUEUE and the rules sending lo's packets to it
start_delay() {
    ensure_pkg iptables iptables || return 1
    # not through nsx: $! must be the process itself, not a subshell
    ip netns exec "$STC_LAB_NS" python3 "$ROOT/tests/bench/nfq_delay.py" "$QUEUE" "$1" 3600 \
        >"$tmp/nfq.out" 2>&1 </dev/null &
    nfq_pid=$!
    for _ in $(seq 1 50); do
        grep -q '^nfq_delay: bound' "$tmp/nfq.out" && break
        kill -0 "$nfq_pid" 2>/dev/null || break
        sleep 0.1
    done
    grep -q '^nfq_delay: bound' "$tmp/nfq.out" || return 1
    local t
    for t in iptables ip6tables; do
        nsx "$t" -A OUTPUT -o lo -j NFQUEUE --queue-num "$QUEUE" --queue-bypass \
            2>>"$tmp/nfq.out" || return 1
    done
}
# stop_delay - the rules out, then the delayer (by its PID, and by the PID it
# reported should an interpreter wrapper stand between them)
stop_delay() {
    [ -n "$nfq_pid" ] || return 0
    local t py
    for t in iptables ip6tables; do nsx "$t" -F OUTPUT >/dev/null 2>&1; done
    py=$(sed -n 's/^nfq_delay: bound, pid \([0-9]*\)$/\1/p' "$tmp/nfq.out")
    kill "$nfq_pid" 2>/dev/null
    wait "$nfq_pid" 2>/dev/null
    [ -n "$py" ] && [ "$py" != "$nfq_pid" ] && kill "$py" 2>/dev/null
    nfq_pid=""
}

# connects PATTERN - Postfix's "connect from" lines so far (PATTERN: the
# listener, a regex), once the count stops growing (postlogd writes
# asynchronously; at most 3 s)
connects() {
    local n last=-1
    for _ in $(seq 1 15); do
        n=$(grep -c "stclab/$1/smtpd\[[0-9]*\]: connect from" "$STC_LAB_MAILLOG")
        [ "$n" = "$last" ] && break
        last=$n
        sleep 0.2
    done
    echo "$n"
}

# measure LISTENER SECONDS OUT CMD... - run CMD in the namespace under
# timeout, stdout+stderr to OUT; sets ms (wall), sess (sessions the listener
# logged meanwhile), rss (peak, KB) and rc
measure() {
    local listener=$1 limit=$2 out=$3 s0 t0
    shift 3
    s0=$(connects "$listener")
    rm -f "$tmp/rss"
    t0=$(now_ms)
    nsx timeout "$limit" /usr/bin/time -f '%M' -o "$tmp/rss" "$@" >"$out" 2>&1
    rc=$?
    ms=$(($(now_ms) - t0))
    sess=$(($(connects "$listener") - s0))
    rss=$(tail -n 1 "$tmp/rss" 2>/dev/null)
}

# json_field FILE KEY - a top-level member of the first JSON object in FILE
json_field() {
    python3 -c 'import json, sys
try:
    print(json.loads(open(sys.argv[1]).readline()).get(sys.argv[2], "-"))
except Exception:
    print("-")' "$1" "$2"
}

# check_args - the checker's options for the lab (STC_LAB_* from lab.env)
# shellcheck disable=SC2153
check_args() {
    echo --json --ca-file "$STC_LAB_CA" --resolver "$STC_LAB_RESOLVER" --trust-resolver
}

# ---- start --------------------------------------------------------------------------
echo "bench: starttls-check $("$CLI" --version 2>&1 | head -n 1), $(nproc) CPU(s), kernel $(uname -r)"
echo "bench: lab $STC_LAB_NS in $STC_LAB_RUN (bulk-N $STC_LAB_BULK, own-N $STC_LAB_BULK_OWN)"
delay_how=""
if lab_up "$DELAY_MS"; then
    delay_how="netem on lo (STC_LAB_DELAY_MS=$DELAY_MS)"
elif grep -q 'netem' "$tmp/up.log"; then
    echo "bench: $(grep -m 1 'netem' "$tmp/up.log" | sed 's/^lab: error: //')"
    lab_up 0 || { cat "$tmp/up.log"; echo "bench: the lab does not come up"; exit 1; }
    if start_delay "$DELAY_MS"; then
        delay_how="tests/bench/nfq_delay.py (NFQUEUE on lo's OUTPUT, netem stand-in)"
    else
        stop_delay
        echo "bench: no netem and no NFQUEUE delay ($(tail -n 1 "$tmp/nfq.out" 2>/dev/null))"
    fi
else
    cat "$tmp/up.log"
    echo "bench: the lab does not come up"
    exit 1
fi
grep '^lab: up in' "$tmp/up.log"

# ---- A. latency -----------------------------------------------------------------------
if [ -n "$delay_how" ]; then
    hr "A. one domain, $DELAY_MS ms added each way: $delay_how"
else
    hr "A. one domain, NO added delay (see above): times are not comparable with a real network"
fi
have_testssl=0
ensure_pkg testssl testssl.sh && have_testssl=1
have_ptf=0
command -v posttls-finger >/dev/null 2>&1 && have_ptf=1
# the round trip as a TCP connect sees it
rtt=$(nsx python3 -c 'import socket, sys, time
t = time.monotonic(); socket.create_connection((sys.argv[1], 25), 5).close()
print("%.1f" % ((time.monotonic() - t) * 1000))' "$STC_LAB_GOOD" 2>/dev/null)
echo "TCP connect to $STC_LAB_GOOD:25 (one round trip): ${rtt:-?} ms"
printf '%-17s %-40s %9s %9s %7s  %s\n' domain tool "wall ms" sessions "RSS MB" result
# arow DOMAIN TOOL RESULT - a row of section A from measure's figures
arow() {
    printf '%-17s %-40s %9s %9s %7s  %s\n' "$1" "$2" "$ms" "$sess" \
        "$(awk -v k="${rss:-}" 'BEGIN {if (k == "") print "-"; else printf "%.1f", k / 1024}')" "$3"
}
summary=""
for row in "good.plain.test good $STC_LAB_GOOD" "clean.plain.test clean $STC_LAB_CLEAN"; do
    read -r domain listener addr <<<"$row"
    # shellcheck disable=SC2046
    measure "$listener" 300 "$tmp/a.json" "$CLI" $(check_args) "$domain"
    c_ms=$ms c_sess=$sess
    arow "$domain" "starttls-check (full)" \
        "$(json_field "$tmp/a.json" status_text) (JSON sessions $(json_field "$tmp/a.json" sessions))"
    # shellcheck disable=SC2046
    measure "$listener" 300 "$tmp/a.json" "$CLI" --quick $(check_args) "$domain"
    q_ms=$ms
    arow "$domain" "starttls-check --quick" \
        "$(json_field "$tmp/a.json" status_text) (JSON sessions $(json_field "$tmp/a.json" sessions))"
    t_ms=- t_sess=-
    if [ "$have_testssl" -eq 1 ]; then
        measure "$listener" 1200 "$tmp/ts.out" testssl -t smtp -p -s -4 -S --warnings off \
            --color 0 "$addr:25"
        t_ms=$ms t_sess=$sess
        res="done"
        grep -q '^ *Done ' "$tmp/ts.out" || res="not finished (exit $rc): $(tail -n 1 "$tmp/ts.out" | cut -c1-60)"
        arow "$domain" "testssl -t smtp -p -s -4 -S $addr:25" "$res"
    else
        ms=- sess=- rss=
        arow "$domain" testssl "not measured: testssl.sh missing ($(tail -n 1 "$tmp/apt-testssl.sh.log" 2>/dev/null | cut -c1-50))"
    fi
    p_ms=- p_sess=-
    if [ "$have_ptf" -eq 1 ]; then
        measure "$listener" 120 "$tmp/ptf.out" env MAIL_CONFIG="$STC_LAB_RUN/postfix/etc" \
            posttls-finger -c -l secure -F "$STC_LAB_CA" -o dnssec_probe= -t 30 -T 30 "$domain" hostname
        p_ms=$ms p_sess=$sess
        res=$(grep -o -m 1 '[A-Za-z]* TLS connection established.*: TLSv[0-9.]*' "$tmp/ptf.out" |
            sed 's/ TLS connection established to [^ ]*/:/')
        arow "$domain" "posttls-finger -c -l secure (hostname)" "${res:-no TLS connection (exit $rc)}"
    else
        ms=- sess=- rss=
        arow "$domain" posttls-finger "not measured: posttls-finger missing (Debian's postfix)"
    fi
    summary="$summary$(printf '%-17s testssl/checker: time x%s, sessions x%s; posttls-finger/checker: time x%s, sessions x%s; posttls-finger/--quick: time x%s' \
        "$domain" "$(ratio "$t_ms" "$c_ms")" "$(ratio "$t_sess" "$c_sess")" "$(ratio "$p_ms" "$c_ms")" \
        "$(ratio "$p_sess" "$c_sess")" "$(ratio "$p_ms" "$q_ms")")
"
done
echo "ratios (checker = the full check; sessions from Postfix's log):"
printf '%s' "$summary"

# back to no added delay for B and C
if [ -n "$nfq_pid" ]; then
    stop_delay
    echo "(delay removed: $(tail -n 1 "$tmp/nfq.out"))"
elif [ "${STC_LAB_DELAY_MS:-0}" -ne 0 ]; then
    lab_up 0 || { cat "$tmp/up.log"; echo "bench: the lab does not come up again"; exit 1; }
fi

# ---- B. scaling -------------------------------------------------------------------------
# make_list N FILE - N names, every tenth own-K.plain.test, the others bulk-K.plain.test
make_list() {
    awk -v n="$1" 'BEGIN { b = 0; o = 0
        for (i = 1; i <= n; i++)
            if (i % 10 == 0) printf "own-%d.plain.test\n", ++o; else printf "bulk-%d.plain.test\n", ++b }' >"$2"
}

# scale_run MODE N - one run over N domains, one table row; MODE full or quick
scale_run() {
    local mode=$1 n=$2 flag="" t0 s0 wall own hosts
    [ "$mode" = quick ] && flag=--quick
    make_list "$n" "$tmp/list"
    own=$((n / 10))
    hosts=$(( (n - own < 50 ? n - own : 50) + own ))
    s0=$(connects '[a-z0-9]*')
    rm -f "$tmp/rss"
    t0=$(now_ms)
    # shellcheck disable=SC2046
    nsx timeout 1200 /usr/bin/time -f '%M' -o "$tmp/rss" "$CLI" $flag $(check_args) --jobs "$JOBS" \
        --stats -file "$tmp/list" >"$tmp/run.jsonl" 2>"$tmp/run.err"
    rc=$?
    wall=$(($(now_ms) - t0))
    sess=$(($(connects '[a-z0-9]*') - s0))
    python3 - "$tmp/run.jsonl" "${ref_bulk[$mode]}" "${ref_own[$mode]}" "$n" "$own" "$hosts" \
        "$wall" "$(tail -n 1 "$tmp/rss")" "$sess" "$rc" "${plan[$mode]}" "$tmp/growth.$mode" \
        "$tmp/run.err" <<'PY'
import collections, json, re, sys
path, ref_bulk, ref_own, n, own, hosts, wall, rss, sess, rc, plan, growth, err = sys.argv[1:]
stats = open(err).read()
m = re.search(r"(\d+) DNS questions sent; (\d+) DNS answers from the cache", stats)
dnsq = "%s/%s" % (m.group(1), m.group(2)) if m else "-"
m = re.search(r"(\d+) certificate chains judged from the cache", stats)
certs = m.group(1) if m else "-"
n, wall, rss = int(n), int(wall), int(rss or 0)
rows = sessions = mismatches = 0
why = collections.Counter()
for line in open(path):
    try:
        o = json.loads(line)
    except ValueError:
        continue
    if "domain" not in o:
        continue
    rows += 1
    sessions += o.get("sessions", 0)
    want = ref_own if o["domain"].startswith("own-") else ref_bulk
    if o.get("status_text") != want:
        mismatches += 1
        codes = [f.get("code", "?") for f in o.get("findings", [])]
        for h in o.get("results", {}).values():
            codes += [f.get("code", "?") for f in h.get("findings", [])]
            for a in h.get("addresses", []):
                codes += [f.get("code", "?") for f in a.get("findings", [])]
        why["%s:%s" % (o.get("status_text"), "+".join(sorted(set(codes))) or "-")] += 1
rate = rows / (wall / 1000.0) if wall > 0 else 0
ideal = int(hosts) * int(plan) if plan.isdigit() else "-"
print("%6d %5d/%-5d %5s %8.2f %7.1f %9d %9s %9s %13s %6s %9.1f %5d %s" % (
    n, n - int(own), int(own), hosts, wall / 1000.0, rss / 1024.0, sessions, sess, ideal, dnsq,
    certs, rate, mismatches, "" if rows == n and rc in ("0", "1", "2") else "(%d results of %d, exit %s)" % (rows, n, rc)))
with open(growth, "a") as f:
    f.write("%d %d %d %s\n" % (n, wall, rss, sess))
for k, v in why.most_common(3):
    print("         %d x %s" % (v, k))
PY
}

hr "B. scaling: one run per size, --jobs $JOBS (defaults: --parallel 16, --per-address 2), no added delay"
echo "lists: nine in ten bulk-N.plain.test (MX mxb-K, K = 1..50), one in ten own-N.plain.test"
echo "(MX mx-N.own.plain.test); all on the four bulk listeners $STC_LAB_BULK_ADDRS."
echo "sessions: JSON = the sum of each result's \"sessions\" (a session joined by several"
echo "domains counts once per domain); Postfix = \"connect from\" lines, every listener."
echo "DNS q/cached: questions sent to the resolver / answers taken from the DNS cache;"
echo "certs: chains judged from the certificate cache (--stats)."
echo "verdicts: each result's status_text against a single check (same options) of"
echo "bulk-1 (for bulk-N) and own-1 (for own-N); mismatches by status and findings below a row."
declare -A ref_bulk ref_own plan
for mode in quick full; do
    flag=""
    [ "$mode" = quick ] && flag=--quick
    # shellcheck disable=SC2046
    nsx timeout 300 "$CLI" $flag $(check_args) bulk-1.plain.test >"$tmp/ref.json" 2>/dev/null
    ref_bulk[$mode]=$(json_field "$tmp/ref.json" status_text)
    plan[$mode]=$(json_field "$tmp/ref.json" sessions)
    # shellcheck disable=SC2046
    nsx timeout 300 "$CLI" $flag $(check_args) own-1.plain.test >"$tmp/ref.json" 2>/dev/null
    ref_own[$mode]=$(json_field "$tmp/ref.json" status_text)
    echo
    if [ "$mode" = quick ]; then
        printf '%s' "--quick (one session per MX address, no probes)"
    else
        printf '%s' "full probe plan"
    fi
    echo ": single checks say bulk-1 ${ref_bulk[$mode]} in ${plan[$mode]} session(s), own-1 ${ref_own[$mode]}"
    printf '%6s %11s %5s %8s %7s %9s %9s %9s %13s %6s %9s %5s\n' domains bulk/own MX "wall s" \
        "RSS MB" "sess JSON" "sess pfx" "MX x plan" "DNS q/cached" "certs" "domains/s" "mism"
    for n in $SIZES; do
        if [ "$mode" = full ] && [ "$n" -gt "$FULL_MAX" ]; then
            printf '%6d  not run (STC_BENCH_FULL_MAX=%s)\n' "$n" "$FULL_MAX"
            continue
        fi
        scale_run "$mode" "$n"
    done
    # how each figure grows from one size to the next (tenfold more domains)
    awk 'function x(a, b) { return b > 0 ? sprintf("x%.1f", a / b) : "-" }
        NR > 1 { w = w sep x($2, pw); r = r sep x($3, pr); s = s sep x($4, ps); sep = ", " }
        { pw = $2; pr = $3; ps = $4 }
        END { printf "growth per tenfold: wall %s; peak RSS %s; Postfix sessions %s\n", w, r, s }' \
        "$tmp/growth.$mode"
done

# ---- C. instructions --------------------------------------------------------------------
hr "C. CPU cost in instructions (valgrind --tool=callgrind, whole process, Ir)"
if ! command -v valgrind >/dev/null 2>&1; then
    echo "not measured: valgrind missing (tests/install_deps.sh installs it)"
    exit 0
fi
printf '%-44s %14s %9s  %s\n' check Ir sessions result
for args in "--quick good.plain.test" "--quick good.plain.test" "good.plain.test" "good.plain.test" \
    "nxdomain.plain.test"; do
    # shellcheck disable=SC2046,SC2086
    nsx timeout 300 valgrind --tool=callgrind --callgrind-out-file="$tmp/callgrind.out" \
        "$CLI" $(check_args) $args >"$tmp/cg.json" 2>"$tmp/cg.err"
    ir=$(sed -n 's/^==[0-9]*== Collected : \([0-9]*\)$/\1/p' "$tmp/cg.err")
    printf '%-44s %14s %9s  %s\n' "$args" "${ir:-not measured}" "$(json_field "$tmp/cg.json" sessions)" \
        "$(json_field "$tmp/cg.json" status_text)"
done
echo "(nxdomain: start-up, the CA file and one DNS answer, no session: the part of each"
echo " figure above that is not the check itself)"
