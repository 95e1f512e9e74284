#!/bin/bash
# lab_lwip.sh - both ports against the real-server lab (tests/lab), results
# compared: the lwIP board (build/starttls-check-lwip, attached to the lab's
# tap device stctap0 as 192.0.2.2/24, gateway 192.0.2.1) and the POSIX CLI
# (build/starttls-check, the namespace's kernel stack) check the same inputs
# as lab_domains.sh - every domain of plain.test and sec.test, good.bogus.test,
# and the relays mx-good.plain.test:587, mx-good.sec.test:465 and
# mx-good.plain.test:25 - with the same resolver, CA and EHLO name. Their
# JSON, normalized by normalize.py (timings, the client address the server
# quotes, the resolver's rotation of equal-preference MX hosts, and IPv6
# results: see there), must not differ at all, nor their exit codes.
#
# IPv6: the tap's MTU is 578 (lab.sh: Debian's liblwip overruns its heap on
# larger frames), and Linux disables IPv6 on links below 1280 bytes, so the
# lwIP side has no IPv6 at all. Instead of comparing IPv6 results, each side
# is held to its own: lwIP must report every IPv6 address as untested
# (family_untested), the POSIX CLI must reach it.
#
# The lwIP program is run one invocation at a time (one process may attach
# to the tap device; the lock $RUN/.tap.lock keeps two runs of this script
# apart): all domains in one invocation, then one per relay (--host takes
# one). The board runs 2 connections at once (boards/lwip-tap/stc_config.h),
# the CLI its default; the results must be the same anyway.
#
# The lab is brought up when it is not running, and then taken down at the
# end unless STC_LAB_KEEP=1. BUILD selects the build directory (default
# build). The last line is "lab-lwip: N passed, M failed"; exit 1 on any
# failure. Needs root (network namespace, tap device).
set -u
cd "$(dirname "$0")/../.." || exit 1
build=${BUILD:-build}
here=tests/integration
run_dir=${STC_LAB_RUN:-$PWD/tests/lab/run}
pass=0 fail=0
tmp=$(mktemp -d)
started=0
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
    [ "$started" -eq 1 ] && [ -z "${STC_LAB_KEEP:-}" ] && tests/lab/lab.sh down >/dev/null 2>&1
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
finish() { echo "lab-lwip: $pass passed, $fail failed"; [ "$fail" -eq 0 ]; exit; }
t_start=$(date +%s%N)

if [ "$(id -u)" -ne 0 ]; then
    echo "the lab needs root (network namespace, tap device, Postfix)"
    fail=1; finish
fi
for b in "$build/starttls-check" "$build/starttls-check-lwip"; do
    [ -x "$b" ] || { bad "no $b (run make)"; finish; }
done
if ! tests/lab/lab.sh status 2>/dev/null | grep -q '^namespace .*: present' ||
   [ ! -f "$run_dir/lab.env" ]; then
    t0=$(date +%s)
    tests/lab/lab.sh up >"$tmp/up.log" 2>&1 || { cat "$tmp/up.log"; bad "lab up"; finish; }
    started=1
    echo "lab up in $(( $(date +%s) - t0 )) s"
fi
# shellcheck source=/dev/null
. "$run_dir/lab.env"
tap=$STC_LAB_TAP

# A lab brought up before lab.sh set the tap's MTU has 1500, which the lwIP
# board refuses (heap overrun): lower it here. The tap exists for lwIP only.
mtu=$(tests/lab/lab.sh exec cat "/sys/class/net/$tap/mtu" 2>/dev/null)
if [ -z "$mtu" ]; then
    bad "no tap device $tap in the lab"; finish
elif [ "$mtu" -gt 578 ]; then
    echo "note: $tap had MTU $mtu (lab started by an older lab.sh); setting 578"
    tests/lab/lab.sh exec ip link set "$tap" mtu 578 || { bad "cannot set the MTU of $tap"; finish; }
fi

domains=""
for z in plain.test sec.test; do
    for d in good nostarttls selfsigned wrongname expired legacy tls10only anon slow rejecting \
             multi-good-bad multi-bad-good multi-dead-good cname-mx nullmx implicit dead \
             dualstack v6only four nomail nxdomain; do
        domains="$domains $d.$z"
    done
done
. tests/integration/lab_lists.inc
domains="$domains $(lab_policy_domains | tr '\n' ' ')" # DANE, MTA-STS, TLS-RPT (issue 10)
domains="$domains good.bogus.test"
n=$(echo "$domains" | wc -w)
relays="mx-good.plain.test:587 mx-good.sec.test:465 mx-good.plain.test"

# run SIDE LABEL ARGS... : one program inside the lab namespace, JSON appended
# to $tmp/SIDE.jsonl, "LABEL -> exit code" to $tmp/SIDE.rc; bounded by timeout(1)
# shellcheck disable=SC2016 # expanded by sh -c inside the namespace
common='--json --ca-file "$STC_LAB_CA" --resolver "$STC_LAB_RESOLVER" --trust-resolver --cache-age 0 --ehlo checker.lab.test'
run() {
    side=$1 label=$2
    shift 2
    if [ "$side" = lwip ]; then
        PRECONFIGURED_TAPIF=$tap timeout 300 tests/lab/lab.sh exec sh -c \
            "exec \"$build/starttls-check-lwip\" --ip \"\$STC_LAB_LWIP_ADDR/\$STC_LAB_LWIP_PREFIX\" \
            --gw \"\$STC_LAB_TAP_ADDR\" $common $*" >>"$tmp/lwip.jsonl" 2>>"$tmp/lwip.err"
    else
        timeout 300 tests/lab/lab.sh exec sh -c \
            "exec \"$build/starttls-check\" $common $*" >>"$tmp/posix.jsonl" 2>>"$tmp/posix.err"
    fi
    echo "$label -> $?" >>"$tmp/$side.rc"
}
: >"$tmp/lwip.jsonl"; : >"$tmp/posix.jsonl"; : >"$tmp/lwip.rc"; : >"$tmp/posix.rc"

exec 9>"$run_dir/.tap.lock"
flock -w 300 9 || { bad "tap device $tap busy for 300 s (lock $run_dir/.tap.lock)"; finish; }
t0=$(date +%s%N)
run lwip "$n domains" "$domains"
for r in $relays; do run lwip "relay $r" --host "$r"; done
ms_lwip=$(( ($(date +%s%N) - t0) / 1000000 ))
exec 9>&-
t0=$(date +%s%N)
run posix "$n domains" --jobs 1 "$domains" # one at a time, as the lwIP program
for r in $relays; do run posix "relay $r" --host "$r"; done
ms_posix=$(( ($(date +%s%N) - t0) / 1000000 ))
echo "checked $n domains and 3 relays: lwIP $ms_lwip ms, POSIX $ms_posix ms"

# exit codes, invocation by invocation
if cmp -s "$tmp/posix.rc" "$tmp/lwip.rc"; then ok
else bad "exit codes differ (POSIX < > lwIP):"; diff "$tmp/posix.rc" "$tmp/lwip.rc" | sed 's/^/  /'; fi
for side in posix lwip; do
    lines=$(grep -c . "$tmp/$side.jsonl")
    if [ "$lines" -eq $((n + 3)) ]; then ok
    else bad "$side: $lines JSON lines for $((n + 3)) checks"; sed 's/^/  /' "$tmp/$side.err" | head -20; fi
done

# normalize; each side's IPv6 outcome is checked there
if python3 $here/normalize.py --require-v6-reached <"$tmp/posix.jsonl" >"$tmp/posix.txt" 2>"$tmp/posix.norm"
then ok; else bad "POSIX side:"; sed 's/^/  /' "$tmp/posix.norm"; fi
if python3 $here/normalize.py --require-v6-untested <"$tmp/lwip.jsonl" >"$tmp/lwip.txt" 2>"$tmp/lwip.norm"
then ok; else bad "lwIP side:"; sed 's/^/  /' "$tmp/lwip.norm"; fi

# one verdict per domain or relay (status as reported, before normalizing),
# then the whole diff
statuses() { # JSONL -> "KEY STATUS_TEXT" lines
    python3 -c 'import json, sys
for l in sys.stdin:
    if l.strip():
        r = json.loads(l)
        k = r["domain"] + (":%d" % r["port"] if r.get("mx_kind") == "relay" else "")
        print(k, r.get("status_text"))' <"$1"
}
statuses "$tmp/posix.jsonl" >"$tmp/posix.st" 2>/dev/null
statuses "$tmp/lwip.jsonl" >"$tmp/lwip.st" 2>/dev/null
cut -d' ' -f1 "$tmp/posix.txt" "$tmp/lwip.txt" | LC_ALL=C sort -u >"$tmp/keys"
printf '%-28s %-20s %-20s\n' "domain / relay" "POSIX" "lwIP" >"$tmp/table"
while read -r k; do
    awk -v k="$k" '$1 == k' "$tmp/posix.txt" >"$tmp/a"
    awk -v k="$k" '$1 == k' "$tmp/lwip.txt" >"$tmp/b"
    sa=$(awk -v k="$k" '$1 == k {print $2}' "$tmp/posix.st")
    sb=$(awk -v k="$k" '$1 == k {print $2}' "$tmp/lwip.st")
    if [ -s "$tmp/a" ] && cmp -s "$tmp/a" "$tmp/b"; then
        ok
        mark="same"
        [ "$sa" = "$sb" ] || mark="same (IPv6-only: verdict not compared)"
    else fail=$((fail + 1)); mark="DIFFERS"; fi
    printf '%-28s %-20s %-20s %s\n' "$k" "$sa" "$sb" "$mark" >>"$tmp/table"
done <"$tmp/keys"
cat "$tmp/table"
if ! diff -u --label POSIX --label lwIP "$tmp/posix.txt" "$tmp/lwip.txt" >"$tmp/diff"; then
    echo "FAIL: normalized results differ (- POSIX, + lwIP):"
    head -n 200 "$tmp/diff"
    [ "$(wc -l <"$tmp/diff")" -gt 200 ] && echo "  ... ($(wc -l <"$tmp/diff") lines)"
fi
echo "runtime $(( ($(date +%s%N) - t_start) / 1000000 )) ms"
finish
