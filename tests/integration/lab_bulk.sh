#!/bin/bash
# lab_bulk.sh - issue 11's first failure, on the real-server lab: a list
# naming one provider many times against a Postfix that limits concurrent
# sessions per client, as real MTAs do.
#
# The lab's limited-N.plain.test (N = 1..STC_LAB_BULK_LIMITED, 1,000 by
# default) all have MX mx-limited.plain.test, the `limited` listener:
# smtpd_client_connection_count_limit=2, a 3rd session at once gets
# "421 4.7.0 ... too many connections" (tests/lab/README.md). Before the
# engine, `--jobs 128` over 1,000 such names gave 175 "rejected" and 148 DNS
# errors. Checked here with --jobs 128 in one run:
#   - one JSON line per name, each with the domain and host status that
#     lab_expected.txt gives limited.plain.test (from the lab's
#     configuration), so none "rejected" and no DNS error;
#   - Postfix logged no "Connection concurrency limit exceeded" during the
#     run: the per-address cap held for all 128 checks together;
#   - the sessions Postfix logged for the run equal those of one single
#     check of limited-1 (the same host: the session cache and joined
#     sessions, not one set of probes per domain).
# Both session counts come from Postfix's log, not from the checker.
set -u
cd "$(dirname "$0")/../.."
build=${BUILD:-build}
here=tests/integration
. $here/lab_use.inc
lab_use lab-bulk
# shellcheck disable=SC1090
. "${STC_LAB_RUN:-tests/lab/run}/lab.env" # STC_LAB_MAILLOG, STC_LAB_BULK_LIMITED
n=${STC_LAB_BULK_LIMITED:-1000}
[ "$n" -ge 1 ] || { echo "SKIP: the lab was brought up with STC_LAB_BULK_LIMITED=0"; echo "lab-bulk: 0 passed, 0 failed, 1 skipped"; exit 0; }

# what the lab was configured to give limited.plain.test
want_domain=$(awk '$1 == "limited.plain.test" && $4 == "domain" { print $5 }' $here/lab_expected.txt)
want_host=$(awk '$1 == "limited.plain.test" && $2 == "mx-limited.plain.test" && $4 == "host" { print $5 }' \
    $here/lab_expected.txt)
[ -n "$want_domain" ] && [ -n "$want_host" ] && ok || bad "lab_expected.txt has no domain/host line for limited.plain.test"

# sessions - "connect from" lines of the limited listener; over - its
# concurrency-limit warnings (Postfix's own log)
sessions() { grep -c 'stclab/limited/smtpd\[[0-9]*\]: connect from' "$STC_LAB_MAILLOG"; }
over() { grep -c 'stclab/limited/smtpd\[[0-9]*\]: warning: Connection concurrency limit exceeded' "$STC_LAB_MAILLOG"; }
# settle - wait (at most 5 s) until the log stops growing: Postfix writes it
# through syslog, a little after the sessions
settle() {
    local a b i=0
    a=$(wc -c <"$STC_LAB_MAILLOG")
    while [ $i -lt 50 ]; do
        sleep 0.1
        b=$(wc -c <"$STC_LAB_MAILLOG")
        [ "$b" = "$a" ] && [ $i -ge 5 ] && break
        a=$b
        i=$((i + 1))
    done
}
cli() { # cli ARGS... : the CLI inside the lab namespace
    tests/lab/lab.sh exec sh -c "exec \"$build/starttls-check\" --json --ca-file \"\$STC_LAB_CA\" \
        --resolver \"\$STC_LAB_RESOLVER\" --trust-resolver --ehlo checker.lab.test $*"
}

settle
s0=$(sessions)
cli limited-1.plain.test >"$tmp/one.json" 2>"$tmp/one.err"
settle
single=$(( $(sessions) - s0 ))
[ "$single" -ge 1 ] && ok || bad "a single check of limited-1 made no session Postfix logged"

seq 1 "$n" | sed 's/.*/limited-&.plain.test/' >"$tmp/list"
settle
s0=$(sessions)
o0=$(over)
t0=$(date +%s%N)
cli --jobs 128 -file "$tmp/list" >"$tmp/bulk.jsonl" 2>"$tmp/bulk.err"
rc=$?
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
settle
bulk=$(( $(sessions) - s0 ))
o1=$(( $(over) - o0 ))

python3 - "$tmp/bulk.jsonl" "$n" "$want_domain" "$want_host" >"$tmp/res" <<'PY'
import collections, json, sys
path, n, want_domain, want_host = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
seen, status, host, bad = set(), collections.Counter(), collections.Counter(), 0
for raw in open(path):
    try:
        o = json.loads(raw)
    except ValueError:
        bad += 1
        continue
    seen.add(o.get("domain"))
    status[o.get("status_text")] += 1
    h = o.get("results", {}).get("mx-limited.plain.test", {})
    host["%s/%s" % (h.get("reach"), h.get("status_text"))] += 1
want = set("limited-%d.plain.test" % i for i in range(1, n + 1))
print("lines_ok", int(bad == 0 and seen == want))
print("status", " ".join("%s=%d" % kv for kv in sorted(status.items())))
print("host", " ".join("%s=%d" % kv for kv in sorted(host.items())))
print("status_ok", int(status == collections.Counter({want_domain: n})))
print("host_ok", int(sum(v for k, v in host.items() if want_host.startswith(k)) == n))
PY
field() { sed -n "s/^$1 //p" "$tmp/res"; }
echo "  $n names behind mx-limited, --jobs 128: ${ms} ms, exit $rc; status: $(field status); host: $(field host)"
echo "  sessions on the limited listener (Postfix's log): single check of limited-1 $single, the whole list $bulk; concurrency-limit warnings during the list: $o1"
[ "$(field lines_ok)" = 1 ] && ok || bad "not one JSON line per name: $(grep -c . "$tmp/bulk.jsonl") lines for $n names; $(tail -n 3 "$tmp/bulk.err")"
[ "$(field status_ok)" = 1 ] && ok || bad "domain status: $(field status), wanted $want_domain=$n"
[ "$(field host_ok)" = 1 ] && ok || bad "host status: $(field host), wanted reached/$want_host for all $n"
[ "$o1" -eq 0 ] && ok || bad "Postfix refused $o1 session(s) for too many at once: the per-address cap did not hold"
[ "$bulk" -eq "$single" ] && ok || bad "the list opened $bulk sessions on the limited listener, a single check $single"

echo "lab-bulk: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
