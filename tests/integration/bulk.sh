#!/bin/bash
# bulk.sh - bulk mode and monitoring output of the CLI (issue 11):
#   - input_line on every JSON object (rows of a file, names on the command
#     line, unreadable rows), and --line-offset
#   - --ordered: input order although a slow domain comes first; without
#     --jobs a list runs concurrently and names keep their order
#   - --resume after a run killed with SIGKILL and a half-written last
#     line: every row exactly once, the cut row done again, the exit code
#     the worst over old and new; a FILE of another list is refused
#   - the progress line (forced with STC_PROGRESS=1): its format, with a
#     known total (a file) and without (stdin)
#   - --aggregate, text and JSON, from the same run and read back; the
#     numbers are the ones the fixtures were configured to give; DANE,
#     MTA-STS, TLS-RPT and accepted versions from hand-written lines
#   - --format nagios: line format, perfdata, status words and exit codes
#     for success, warning, failure and error fixtures
#   - sharding: the list split in two, two CLI processes with their own
#     stdin (GNU parallel when installed), the same facts per input_line
#     as one run
# DNS: dns-test-server on 127.0.86.53:53 (root); SMTP: smtp-test-server on
# 127.0.86.1-9, one port. Everything on loopback.
set -u
cd "$(dirname "$0")/../.."
. tests/integration/common.inc bulk

if [ "$(id -u)" -ne 0 ]; then
    skip "needs root (DNS test server on port 53)"
    finish
    exit $?
fi
started=$(date +%s)
A=127.0.86
res=$A.53

# ---- certificates: the vectors, plus a trusted leaf that expires in 5 days
# (under a CA made here) and a self-signed one
cat "$certs/wildcard.pem" "$certs/int.pem" >"$tmp/wild.pem"
cat "$certs/wrongname.pem" "$certs/int.pem" >"$tmp/wrong.pem"
cat "$certs/expired.pem" "$certs/int.pem" >"$tmp/expired.pem"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$tmp/ca2.key" -subj /CN=Bulk-CA -days 30 \
    -out "$tmp/ca2.pem" 2>/dev/null
openssl req -new -key "$certs/leaf.key" -subj /CN=mxsoon.example.test -out "$tmp/soon.csr" 2>/dev/null
printf '[e]\nsubjectAltName=DNS:mxsoon.example.test\n' >"$tmp/soon.cnf"
openssl x509 -req -in "$tmp/soon.csr" -CA "$tmp/ca2.pem" -CAkey "$tmp/ca2.key" -CAcreateserial \
    -days 5 -extfile "$tmp/soon.cnf" -extensions e -out "$tmp/soon.pem" 2>/dev/null
openssl req -x509 -key "$certs/leaf.key" -subj /CN=mxu.example.test \
    -addext subjectAltName=DNS:mxu.example.test -days 30 -out "$tmp/self.pem" 2>/dev/null
cat "$certs/ca.pem" "$tmp/ca2.pem" >"$tmp/ca.pem"

# ---- servers: one port on every address
srvargs="--key $certs/leaf.key --max-seconds 240"
spawn "$tmp/s1.out" "$srv" --addr $A.1 --port 0 --mode good --name mx1.example.test \
    --cert "$tmp/wild.pem" $srvargs || { finish; exit 1; }
P=$port
spawn "$tmp/s2.out" "$srv" --addr $A.2 --port $P --mode nostarttls --max-seconds 240
spawn "$tmp/s3.out" "$srv" --addr $A.3 --port $P --mode good --cert "$tmp/wrong.pem" $srvargs
spawn "$tmp/s4.out" "$srv" --addr $A.4 --port $P --mode good --cert "$tmp/expired.pem" $srvargs
spawn "$tmp/s5.out" "$srv" --addr $A.5 --port $P --mode good --cert "$tmp/soon.pem" $srvargs
spawn "$tmp/s6.out" "$srv" --addr $A.6 --port $P --mode good --cert "$tmp/self.pem" $srvargs
spawn "$tmp/s7.out" "$srv" --addr $A.7 --port $P --mode good --cert "$tmp/wild.pem" \
    --max-version 1.2 $srvargs
spawn "$tmp/s8.out" "$srv" --addr $A.8 --port $P --mode reject554 --max-seconds 240
spawn "$tmp/s9.out" "$srv" --addr $A.9 --port $P --mode drip --drip-ms 50 \
    --name mxslow.example.test --cert "$tmp/wild.pem" $srvargs
{
    for i in 1 2 3 4 5 6 7 8; do echo "good$i.test MX 10 mx1.example.test"; done
    echo "mx1.example.test A $A.1"
    echo "nostls.test MX 10 mxn.example.test";    echo "mxn.example.test A $A.2"
    echo "wrong.test MX 10 mxw.example.test";     echo "mxw.example.test A $A.3"
    echo "expired.test MX 10 mx.example.test";    echo "mx.example.test A $A.4"
    echo "soon.test MX 10 mxsoon.example.test";   echo "mxsoon.example.test A $A.5"
    echo "self.test MX 10 mxu.example.test";      echo "mxu.example.test A $A.6"
    echo "tls12.test MX 10 mx12.example.test";    echo "mx12.example.test A $A.7"
    echo "reject.test MX 10 mxr.example.test";    echo "mxr.example.test A $A.8"
    echo "slow.test MX 10 mxslow.example.test";   echo "mxslow.example.test A $A.9"
    echo "dead.test MX 10 mxd.example.test";      echo "mxd.example.test A $A.20"
} >"$tmp/zone"
spawn "$tmp/dns.out" "$dns" --addr $res --port 53 --zone "$tmp/zone" --max-seconds 240 \
    || { finish; exit 1; }
common="--resolver $res --ca-file $tmp/ca.pem --timeout 5 --port $P"

# The list: a header, every fixture once, an unreadable row. What each row
# was configured to give (status_text), by physical line:
cat >"$tmp/list.csv" <<'EOF'
domain
good1.test
nostls.test
wrong.test
expired.test
soon.test
self.test
tls12.test
reject.test
dead.test
missing.test
"broken"x
good2.test
good3.test
EOF
want_list="2=success 3=no_starttls 4=failure 5=failure 6=warning 7=failure 8=success 9=rejected 10=could_not_connect 11=error 12=row_bad_quoting 13=success 14=success"

# facts FILE - "input_line=status_text" (error objects: their error code),
# sorted by line; "BAD" for a line that is not a JSON object with input_line
facts() { python3 -c '
import json, sys
out = []
for raw in open(sys.argv[1]):
    try:
        o = json.loads(raw)
        if "aggregate" in o:
            continue
        out.append((o["input_line"], o.get("status_text") if "domain" in o else o["error"]))
    except Exception:
        out.append((0, "BAD"))
print(" ".join("%d=%s" % x for x in sorted(out)))' "$1"; }
# order FILE - the input_line values in the order written
order() { python3 -c '
import json, sys
print(" ".join(str(json.loads(l)["input_line"]) for l in open(sys.argv[1]) if "input_line" in l))' "$1"; }

# 1. input_line on every object; one object per row; the exit code is the
# worst (error rows and rejected: 3)
"$cli" --json $common --jobs 8 -file "$tmp/list.csv" >"$tmp/run1.jsonl" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 3 ] && ok || bad "list: exit $rc, wanted 3: $(head -c 300 "$tmp/err")"
got=$(facts "$tmp/run1.jsonl")
[ "$got" = "$want_list" ] && ok || bad "list: facts '$got', wanted '$want_list'"
[ "$(grep -c . "$tmp/run1.jsonl")" -eq 13 ] && ok || bad "list: $(grep -c . "$tmp/run1.jsonl") lines, wanted 13"
grep -q '1 header row(s), 1 unreadable row(s)' "$tmp/err" && ok || bad "list: summary: $(cat "$tmp/err")"
# names on the command line: their position among the names (options not counted)
"$cli" --json $common --jobs 3 good1.test --ordered nostls.test -domain good2.test >"$tmp/out" 2>/dev/null
got=$(facts "$tmp/out")
[ "$got" = "1=success 2=no_starttls 3=success" ] && ok || bad "names: '$got'"
# --line-offset shifts every input_line
"$cli" --json $common --line-offset 1000 good1.test good2.test >"$tmp/out" 2>/dev/null
[ "$(facts "$tmp/out")" = "1001=success 1002=success" ] && ok || bad "line-offset: '$(facts "$tmp/out")'"
echo "  input_line: $(facts "$tmp/run1.jsonl" | wc -w) rows of the list, each once"

# 2. --ordered: slow.test first (its greeting drips for ~2 s), 5 quick ones
# after it, all at once: unordered the slow one is written last, ordered first
printf 'slow.test\ngood1.test\ngood2.test\ngood3.test\ngood4.test\ngood5.test\n' >"$tmp/slow.csv"
"$cli" --json $common --jobs 6 -file "$tmp/slow.csv" >"$tmp/out" 2>&1
[ "$(order "$tmp/out")" != "1 2 3 4 5 6" ] && [ "$(order "$tmp/out" | awk '{print $NF}')" = 1 ] \
    && ok || bad "unordered: written as '$(order "$tmp/out")', wanted slow.test (1) last"
"$cli" --json $common --jobs 6 --ordered -file "$tmp/slow.csv" >"$tmp/out" 2>&1
[ "$(order "$tmp/out")" = "1 2 3 4 5 6" ] && ok || bad "ordered: written as '$(order "$tmp/out")'"
# ordered with the unreadable row and the header, 3 at a time: input order throughout
"$cli" --json $common --jobs 3 --ordered -file "$tmp/list.csv" >"$tmp/out" 2>/dev/null
[ "$(order "$tmp/out")" = "2 3 4 5 6 7 8 9 10 11 12 13 14" ] && ok || bad "ordered list: '$(order "$tmp/out")'"
[ "$(facts "$tmp/out")" = "$want_list" ] && ok || bad "ordered list: facts '$(facts "$tmp/out")'"
# without --jobs: a list runs several checks at once (the default, 32), so
# the slow first row is written last; names on the command line keep their
# order (an implied --ordered), the slow one first
"$cli" --json $common -file "$tmp/slow.csv" >"$tmp/out" 2>&1
[ "$(order "$tmp/out" | awk '{print $NF}')" = 1 ] && [ "$(order "$tmp/out" | wc -w)" -eq 6 ] \
    && ok || bad "default jobs, list: written as '$(order "$tmp/out")', wanted slow.test (1) last"
"$cli" --json $common slow.test good1.test good2.test good3.test >"$tmp/out" 2>&1
[ "$(order "$tmp/out")" = "1 2 3 4" ] && ok || bad "default jobs, names: written as '$(order "$tmp/out")'"
# text and nagios output in order too
"$cli" --nagios $common --jobs 6 --ordered -file "$tmp/slow.csv" >"$tmp/out" 2>&1
[ "$(sed 's/^STARTTLS [A-Z]* - \([^:]*\):.*/\1/' "$tmp/out" | tr '\n' ' ')" = "slow.test good1.test good2.test good3.test good4.test good5.test " ] \
    && ok || bad "ordered nagios: $(cat "$tmp/out")"

# 3. --resume: 8 quick rows and 2 slow ones; SIGKILL once the quick ones
# are written (the slow ones still dripping); then the last whole line is
# cut in half as a crash mid-write would leave it. The second run must do
# the slow rows and the cut one, no other, and leave each row once.
{ echo nostls.test; for i in 1 2 3 4 5 6 7; do echo "good$i.test"; done; echo slow.test; echo slow.test; } >"$tmp/r.csv"
rm -f "$tmp/r.jsonl"
"$cli" $common --jobs 10 -file "$tmp/r.csv" --resume "$tmp/r.jsonl" 2>"$tmp/err" &
pid=$!
for _ in $(seq 1 100); do
    [ "$(grep -c '^{' "$tmp/r.jsonl" 2>/dev/null)" -ge 8 ] && break
    sleep 0.05
done
kill -KILL "$pid"
wait "$pid" 2>/dev/null
n1=$(grep -c '^{' "$tmp/r.jsonl")
# (a loaded machine may finish a slow row too before the kill: the rest
# of the case counts from what was written)
[ "$n1" -ge 8 ] && [ "$n1" -lt 10 ] && ok || bad "resume: $n1 lines before the kill, wanted the 8 quick rows"
redo=$((10 - n1 + 1))
cut_line=$(tail -n 1 "$tmp/r.jsonl" | python3 -c 'import json,sys; print(json.loads(sys.stdin.read())["input_line"])')
python3 - "$tmp/r.jsonl" <<'EOF'
import sys
p = sys.argv[1]
lines = open(p, "rb").read().split(b"\n")[:-1]
last = lines.pop()
open(p, "wb").write(b"".join(l + b"\n" for l in lines) + last[: len(last) // 2])
EOF
"$cli" $common --jobs 10 -file "$tmp/r.csv" --resume "$tmp/r.jsonl" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 2 ] && ok || bad "resume: exit $rc, wanted 2 (no_starttls among the earlier results)"
[ ! -s "$tmp/out" ] && ok || bad "resume: results on stdout instead of the file: $(head -c 200 "$tmp/out")"
grep -q 'half-written last line' "$tmp/err" && ok || bad "resume: the cut line was not said: $(cat "$tmp/err")"
grep -q "$redo of $redo checks finished.*; $((10 - redo)) row(s) already in" "$tmp/err" && ok || bad "resume: summary: $(cat "$tmp/err")"
got=$(facts "$tmp/r.jsonl")
want="1=no_starttls 2=success 3=success 4=success 5=success 6=success 7=success 8=success 9=success 10=success"
[ "$got" = "$want" ] && ok || bad "resume: facts '$got', wanted '$want' (each row once)"
echo "  resume: $n1 rows before SIGKILL, row $cut_line cut mid-line and done again, $(grep -c . "$tmp/r.jsonl") rows in the end"
# nothing left: nothing done, the exit code still the worst of the file
"$cli" $common -file "$tmp/r.csv" --resume "$tmp/r.jsonl" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 2 ] && grep -q '0 of 0 checks finished.*10 row(s) already in' "$tmp/err" && ok \
    || bad "resume again: exit $rc: $(cat "$tmp/err")"
[ "$(grep -c . "$tmp/r.jsonl")" -eq 10 ] && ok || bad "resume again: lines added"
# a FILE of another list is refused, not mixed
printf 'good1.test\ngood2.test\n' >"$tmp/other.csv"
"$cli" $common -file "$tmp/other.csv" --resume "$tmp/r.jsonl" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 3 ] && grep -q 'not a run of this list' "$tmp/err" && ok || bad "resume other list: exit $rc: $(cat "$tmp/err")"
[ "$(grep -c . "$tmp/r.jsonl")" -eq 10 ] && ok || bad "resume other list: FILE changed"
# --resume with text output is refused
"$cli" $common --format text -file "$tmp/other.csv" --resume "$tmp/r2.jsonl" >"$tmp/out" 2>&1
[ $? -eq 3 ] && grep -q 'resume writes JSON' "$tmp/out" && ok || bad "resume text: $(cat "$tmp/out")"

# 4. progress (forced: no terminal here). A named file: total known (13
# rows: the header is not one, the unreadable row is).
STC_PROGRESS=1 "$cli" $common --jobs 8 -file "$tmp/list.csv" --json >"$tmp/out" 2>"$tmp/err"
tr '\r' '\n' <"$tmp/err" | grep -E '^starttls-check: [0-9]+(/[0-9]+)? done' | sed 's/ *$//' >"$tmp/pl"
re='^starttls-check: [0-9]+/13 done \([0-9]+\.[0-9]%\), [0-9]+\.[0-9]/s, ETA ([0-9]+:[0-9]{2}:[0-9]{2}|\?)$'
[ -s "$tmp/pl" ] && ! grep -Evq "$re" "$tmp/pl" && ok || bad "progress: lines not as /$re/: $(head -c 400 "$tmp/pl")"
tail -n 1 "$tmp/pl" | grep -Eq '^starttls-check: 13/13 done \(100\.0%\), [0-9.]+/s, ETA 0:00:00$' && ok \
    || bad "progress: last line '$(tail -n 1 "$tmp/pl")'"
echo "  progress: '$(tail -n 1 "$tmp/pl")'"
# stdin: total unknown, done and rate only
STC_PROGRESS=1 "$cli" $common --jobs 8 -file - --json <"$tmp/list.csv" >"$tmp/out" 2>"$tmp/err"
tr '\r' '\n' <"$tmp/err" | grep '^starttls-check: [0-9][0-9]* done' | sed 's/ *$//' | tail -n 1 >"$tmp/pl"
grep -Eq '^starttls-check: 13 done, [0-9]+\.[0-9]/s$' "$tmp/pl" && ok || bad "progress stdin: '$(cat "$tmp/pl")'"
# not a terminal and not forced: silent
"$cli" $common good1.test >/dev/null 2>"$tmp/err"
[ ! -s "$tmp/err" ] && ok || bad "progress: stderr not silent without a terminal: $(cat "$tmp/err")"

# 5. --aggregate, against what the fixtures were configured to be:
# 12 results (4 success: good1-3 + tls12; 1 warning: soon; 3 failure:
# wrong, expired, self; 1 each no_starttls, could_not_connect, rejected,
# error), 1 unreadable row. 9 unique MX hosts (good1-3 share mx1); 7
# reached (mxr greets 554, mxd refuses); 1 without STARTTLS (mxn); 6 with
# TLS, 3 of them with an invalid certificate (mxw name, mx expired, mxu
# untrusted); TLSv1.2 on mx12 only, TLSv1.3 on the other 5. The zone is
# unsigned and has no TXT records: DANE insecure on all 9 hosts; MTA-STS
# and TLS-RPT not applicable on the 11 domains whose MX lookup worked (the
# DNS error domain asks neither).
"$cli" --json --aggregate $common --jobs 8 -file "$tmp/list.csv" >"$tmp/agg.jsonl" 2>/dev/null
rc=$?
[ "$rc" -eq 3 ] && ok || bad "aggregate: exit $rc"
tail -n 1 "$tmp/agg.jsonl" >"$tmp/agg.json"
check_agg() { python3 - "$1" <<'EOF'
import json, sys
a = json.load(open(sys.argv[1]))["aggregate"]
want = {
    "results": 12, "error_rows": 1, "unreadable_lines": 0,
    "domains_by_status": {"success": 4, "warning": 1, "failure": 3, "error": 1, "no_starttls": 1,
                          "could_not_connect": 1, "bad_hostname": 0, "accepts_no_mail": 0,
                          "rejected": 1},
    "mx_hosts.total": 9, "mx_hosts.reached": 7, "mx_hosts.not_reached": 2, "mx_hosts.with_tls": 6,
    "mx_hosts.without_starttls": {"count": 1, "of": 7, "percent": 14.29},
    "mx_hosts.no_tls_session": {"count": 0, "of": 7, "percent": 0.0},
    "mx_hosts.invalid_certificate": {"count": 3, "of": 6, "percent": 50.0},
    "mx_hosts.untrusted": {"count": 1, "of": 6, "percent": 16.67},
    "mx_hosts.name_mismatch": {"count": 1, "of": 6, "percent": 16.67},
    "mx_hosts.expired": {"count": 1, "of": 6, "percent": 16.67},
    "mx_hosts.not_yet_valid": {"count": 0, "of": 6, "percent": 0.0},
    "mx_hosts.negotiated_versions.TLSv1.3.count": 5,
    "mx_hosts.negotiated_versions.TLSv1.2.count": 1,
    "accepted_versions.measured": 6, "dane.measured": 9, "dane.not_measured": 0,
    "dane.published": {"count": 0, "of": 9, "percent": 0.0}, "dane.by_status": {"insecure": 9},
    "mta_sts.measured": 11, "mta_sts.not_measured": 1, "mta_sts.by_mode": {},
    "mta_sts.by_status": {"not_applicable": 11},
    "tls_rpt.measured": 11, "tls_rpt.by_status": {"not_applicable": 11},
}
bad = 0
for k, v in want.items():
    o = a
    parts = k.split(".")
    if parts[-2:] in (["TLSv1", "3"], ["TLSv1", "2"]):
        pass
    path, i = [], 0
    while i < len(parts):  # version names contain a dot
        if parts[i] == "TLSv1" and i + 1 < len(parts):
            path.append(parts[i] + "." + parts[i + 1]); i += 2
        else:
            path.append(parts[i]); i += 1
    for p in path:
        o = o.get(p) if isinstance(o, dict) else None
    if o != v:
        bad += 1
        print("aggregate %s = %r, wanted %r" % (k, o, v))
sys.exit(1 if bad else 0)
EOF
}
check_agg "$tmp/agg.json" && ok || bad "aggregate JSON of the run"
[ "$(facts "$tmp/agg.jsonl")" = "$want_list" ] && ok || bad "aggregate: the results before it changed"
# read back: the same numbers from the run's JSON Lines
"$cli" --json --aggregate "$tmp/run1.jsonl" >"$tmp/agg2.json" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 3 ] && ok || bad "aggregate FILE: exit $rc (the worst result is 3): $(cat "$tmp/err")"
check_agg "$tmp/agg2.json" && ok || bad "aggregate JSON read back"
# text: the original README's sentences, with our numbers
"$cli" --aggregate $common --jobs 8 -file "$tmp/list.csv" >"$tmp/out" 2>/dev/null
sed -n '/^aggregate:/,$p' "$tmp/out" >"$tmp/agg.txt"
for pat in '^aggregate: 12 result\(s\), 1 unreadable row\(s\)$' \
    '^domains by status: success 4, warning 1, failure 3, error 1, no_starttls 1, could_not_connect 1, bad_hostname 0, accepts_no_mail 0, rejected 1$' \
    '^MX hosts checked: 9 unique name\(s\), 7 reached, 2 not reached$' \
    '^  without STARTTLS: 14\.29% \(1 of 7\) of those reached$' \
    '^  invalid certificates: 50\.00% \(3 of 6\) of those with TLS: untrusted 1, name mismatch 1, expired 1, not yet valid 0$' \
    '^  negotiated TLS version: TLSv1\.[23] [0-9.]+% \([15] of 6\), TLSv1\.[23] [0-9.]+% \([15] of 6\)$' \
    '^  accepted TLS versions: measured on 6 of 9 hosts \(3 not measured\); TLSv1\.2 100\.00% \(6 of 6\), TLSv1\.3 83\.33% \(5 of 6\)$' \
    '^DANE \(MX hosts\): measured on 9 of 9 hosts; TLSA published 0\.00% \(0 of 9\), valid 0\.00% \(0 of 9\); by status: insecure 9$' \
    '^MTA-STS \(domains\): measured on 11 of 12 domains \(1 not measured\); a policy \(enforce or testing\) 0\.00% \(0 of 11\), enforce 0\.00% \(0 of 11\); by mode: -; by status: not_applicable 11$' \
    '^TLS-RPT \(domains\): measured on 11 of 12 domains \(1 not measured\); a usable record 0\.00% \(0 of 11\); by status: not_applicable 11$'; do
    grep -Eq "$pat" "$tmp/agg.txt" && ok || bad "aggregate text: no /$pat/"
done
echo "  aggregate of the list (text):"
sed 's/^/    /' "$tmp/agg.txt"
echo "  aggregate of the list (JSON): $(cat "$tmp/agg.json")"
# hand-written results with the fields the newer checks add (dane per host,
# probe.versions per address, mta_sts and tls_rpt per domain), an older
# result without them, a host named twice, a line that is not JSON and an
# aggregate line (not a result)
cat >"$tmp/hand.jsonl" <<'EOF'
{"schema_version":2,"input_line":1,"domain":"a.test","status":0,"status_text":"success","results":{"mx.a.test":{"hostname":"mx.a.test","reach":"reached","dane":{"status":"valid"},"addresses":[{"tls":{"version":"TLSv1.3"},"certificate":{"trusted":true,"name_match":true},"findings":[],"probe":{"versions":{"accepted":["TLSv1.2","TLSv1.3"],"refused":[],"untested":[]}}}]}},"mta_sts":{"status":"success","mode":"enforce"},"tls_rpt":{"status":"success"}}
{"schema_version":2,"input_line":2,"domain":"b.test","status":1,"status_text":"warning","results":{"mx.b.test":{"hostname":"mx.b.test","reach":"reached","dane":{"status":"tlsa-absent"},"addresses":[{"tls":{"version":"TLSv1.2"},"certificate":{"trusted":true,"name_match":true},"findings":[],"probe":{"versions":{"accepted":["TLSv1.0","TLSv1.2"],"refused":[],"untested":[]}}}]}},"mta_sts":{"status":"warning","mode":"testing"},"tls_rpt":{"status":"failure"}}
{"schema_version":2,"input_line":3,"domain":"c.test","status":4,"status_text":"no_starttls","results":{"mx.c.test":{"hostname":"mx.c.test","reach":"reached","addresses":[{"findings":[{"code":"no_starttls"}]}]}}}
{"schema_version":2,"input_line":4,"domain":"d.test","status":2,"status_text":"failure","results":{"mx.a.test":{"hostname":"mx.a.test","reach":"unreachable"},"mx.d.test":{"hostname":"mx.d.test","reach":"reached","dane":{"status":"mismatch"},"addresses":[{"tls":{"version":"TLSv1.3"},"certificate":{"trusted":false,"name_match":true},"findings":[{"code":"cert_expired"}]}]}},"mta_sts":{"status":"failure","mode":"none"}}
not json
{"schema_version":2,"aggregate":{"results":99}}
EOF
"$cli" --aggregate "$tmp/hand.jsonl" >"$tmp/hand.txt" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 3 ] && grep -q '1 line(s) are no result' "$tmp/err" && ok || bad "hand aggregate: exit $rc: $(cat "$tmp/err")"
for pat in '^aggregate: 4 result\(s\), 0 unreadable row\(s\), 1 line\(s\) that are no result$' \
    '^MX hosts checked: 4 unique name\(s\), 4 reached, 0 not reached$' \
    '^  without STARTTLS: 25\.00% \(1 of 4\) of those reached$' \
    '^  invalid certificates: 33\.33% \(1 of 3\) of those with TLS: untrusted 1, name mismatch 0, expired 1, not yet valid 0$' \
    '^  accepted TLS versions: measured on 2 of 4 hosts \(2 not measured\); TLSv1\.0 50\.00% \(1 of 2\), TLSv1\.2 100\.00% \(2 of 2\), TLSv1\.3 50\.00% \(1 of 2\)$' \
    '^DANE \(MX hosts\): measured on 3 of 4 hosts \(1 not measured\); TLSA published 66\.67% \(2 of 3\), valid 33\.33% \(1 of 3\); by status: valid 1, tlsa-absent 1, mismatch 1$' \
    '^MTA-STS \(domains\): measured on 3 of 4 domains \(1 not measured\); a policy \(enforce or testing\) 66\.67% \(2 of 3\), enforce 33\.33% \(1 of 3\); by mode: enforce 1, testing 1, none 1; by status: success 1, warning 1, failure 1$' \
    '^TLS-RPT \(domains\): measured on 2 of 4 domains \(2 not measured\); a usable record 50\.00% \(1 of 2\); by status: success 1, failure 1$'; do
    grep -Eq "$pat" "$tmp/hand.txt" && ok || bad "hand aggregate: no /$pat/ in: $(cat "$tmp/hand.txt")"
done
"$cli" --json --aggregate="$tmp/hand.jsonl" >"$tmp/hand.json" 2>/dev/null
python3 - "$tmp/hand.json" <<'EOF' && ok || bad "hand aggregate JSON"
import json, sys
a = json.load(open(sys.argv[1]))["aggregate"]
checks = [
    (a["dane"]["measured"], 3), (a["dane"]["not_measured"], 1), (a["dane"]["published"]["count"], 2),
    (a["dane"]["by_status"], {"valid": 1, "tlsa-absent": 1, "mismatch": 1}),
    (a["accepted_versions"]["by_version"]["TLSv1.0"], {"count": 1, "of": 2, "percent": 50.0}),
    (a["accepted_versions"]["by_version"]["SSLv3"]["count"], 0),
    (a["mta_sts"]["by_mode"], {"enforce": 1, "testing": 1, "none": 1}),
    (a["mta_sts"]["policy"]["count"], 2), (a["tls_rpt"]["usable"], {"count": 1, "of": 2, "percent": 50.0}),
    (a["unreadable_lines"], 1), (a["results"], 4),
]
bad = [c for c in checks if c[0] != c[1]]
for c in bad:
    print("hand aggregate: %r, wanted %r" % c)
sys.exit(1 if bad else 0)
EOF
# --aggregate followed by a domain while other targets are given: a domain
"$cli" --json $common --aggregate good1.test good2.test >"$tmp/out" 2>&1
[ "$(grep -c '"input_line"' "$tmp/out")" -eq 2 ] && [ "$(grep -c '"aggregate"' "$tmp/out")" -eq 1 ] && ok \
    || bad "aggregate + names: $(head -c 300 "$tmp/out")"

# 6. --format nagios: one line per domain, the status word matching the
# exit code; cert_days against the certificates' configured dates
now=$(date +%s)
days_to() { echo $(( ($(date -d "$1" +%s) - now) / 86400 )); }
wild_days=$(days_to "2099-12-31 00:00:00 UTC")
exp_days=$(( -(( now - $(date -d "2021-01-01 00:00:00 UTC" +%s) + 86399) / 86400) ))
nag() { # nag NAME CODE REGEX DOMAIN... : exit code, the whole line
    local name=$1 code=$2 re=$3; shift 3
    "$cli" --format nagios $common "$@" >"$tmp/out" 2>"$tmp/err"
    local rc=$?
    [ "$rc" -eq "$code" ] && ok || bad "nagios $name: exit $rc, wanted $code"
    grep -Eq "$re" "$tmp/out" && [ "$(grep -c . "$tmp/out")" -eq 1 ] && ok \
        || bad "nagios $name: '$(cat "$tmp/out")' not /$re/"
    echo "  nagios $name (exit $rc): $(cat "$tmp/out")"
}
perf="'sessions'=[0-9]+ 'elapsed_ms'=[0-9]+ms$"
nag success 0 "^STARTTLS OK - good1\.test: [^|]+ \| 'cert_days'=($wild_days|$((wild_days - 1)));14:;0: $perf" good1.test
nag warning 1 "^STARTTLS WARNING - soon\.test: [^|]+ \| 'cert_days'=4;14:;0: $perf" soon.test
nag warn-days 0 "^STARTTLS OK - soon\.test: [^|]+ \| 'cert_days'=4;3:;0: $perf" --warn-days 3 soon.test
nag failure 2 "^STARTTLS CRITICAL - expired\.test: [^|]+ \| 'cert_days'=($exp_days|$((exp_days + 1)));14:;0: $perf" expired.test
nag no-starttls 2 "^STARTTLS CRITICAL - nostls\.test: [^|]+ \| 'cert_days'=U;14:;0: $perf" nostls.test
nag error 3 "^STARTTLS UNKNOWN - missing\.test: [^|]+ \| 'cert_days'=U;14:;0: $perf" missing.test
nag rejected 3 "^STARTTLS UNKNOWN - reject\.test: [^|]+ \| 'cert_days'=U;14:;0: $perf" reject.test
# the list: one line per row (the unreadable row too), exit the worst
"$cli" --nagios $common --jobs 8 -file "$tmp/list.csv" --ordered >"$tmp/out" 2>/dev/null
rc=$?
[ "$rc" -eq 3 ] && [ "$(grep -c . "$tmp/out")" -eq 13 ] && ok || bad "nagios list: exit $rc, $(grep -c . "$tmp/out") lines"
[ "$(grep -Evc "^STARTTLS (OK|WARNING|CRITICAL|UNKNOWN) - [^|]+ \| 'cert_days'=(-?[0-9]+|U);14:;0: $perf" "$tmp/out")" -eq 1 ] \
    && grep -q "^STARTTLS UNKNOWN - line 12: the row's quoting is broken (not checked)$" "$tmp/out" && ok \
    || bad "nagios list: $(cat "$tmp/out")"
[ "$(cut -d' ' -f2 "$tmp/out" | tr '\n' ' ')" = "OK CRITICAL CRITICAL CRITICAL WARNING CRITICAL OK UNKNOWN CRITICAL UNKNOWN UNKNOWN OK OK " ] \
    && ok || bad "nagios list: words $(cut -d' ' -f2 "$tmp/out" | tr '\n' ' ')"

# 7. sharding: the same list in one run, and split in two halves of 7
# lines run by two processes at once, each with its own stdin; the facts
# per input_line (timings removed) must be equal
norm() { python3 -c '
import json, sys
def strip(o):
    if isinstance(o, dict):
        return {k: strip(v) for k, v in o.items() if k != "elapsed_ms"}
    if isinstance(o, list):
        return [strip(v) for v in o]
    return o
rows = {}
for l in open(sys.argv[1]):
    o = json.loads(l)
    if o["input_line"] in rows:
        print("input_line %d twice" % o["input_line"], file=sys.stderr); sys.exit(1)
    rows[o["input_line"]] = strip(o)
for k in sorted(rows):
    print(json.dumps(rows[k], sort_keys=True))' "$1"; }
"$cli" --json $common --jobs 8 -file - <"$tmp/list.csv" >"$tmp/one.jsonl" 2>/dev/null
shard_cmd="$cli --json $common --jobs 4 -file -"
if command -v parallel >/dev/null 2>&1; then
    how="GNU parallel --pipe -N 7"
    parallel --will-cite --pipe -N 7 -j 2 "$shard_cmd --line-offset \$(( ({#} - 1) * 7 ))" \
        <"$tmp/list.csv" >"$tmp/two.jsonl" 2>"$tmp/err"
else
    how="split by hand (GNU parallel not installed)"
    head -n 7 "$tmp/list.csv" | $shard_cmd >"$tmp/two.a" 2>/dev/null &
    p1=$!
    tail -n +8 "$tmp/list.csv" | $shard_cmd --line-offset 7 >"$tmp/two.b" 2>/dev/null &
    p2=$!
    wait $p1 $p2
    cat "$tmp/two.a" "$tmp/two.b" >"$tmp/two.jsonl"
fi
norm "$tmp/one.jsonl" >"$tmp/one.norm" && norm "$tmp/two.jsonl" >"$tmp/two.norm" \
    && [ "$(wc -l <"$tmp/one.norm")" -eq 13 ] && cmp -s "$tmp/one.norm" "$tmp/two.norm" && ok \
    || bad "shards ($how): not the same as one run: $(diff "$tmp/one.norm" "$tmp/two.norm" | head -c 600)"
echo "  sharding ($how): $(wc -l <"$tmp/two.norm") rows from 2 shards, equal to one run"

echo "  bulk.sh took $(( $(date +%s) - started )) s"
finish
