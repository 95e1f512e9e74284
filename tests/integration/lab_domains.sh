#!/bin/bash
# lab_domains.sh - the CLI against every domain and relay of the real-server
# lab (tests/lab: Postfix, NSD + Unbound with DNSSEC, nginx, in a network
# namespace). The flattened results (flatten.py: domain x host x address x
# check, plus findings) must equal tests/integration/lab_expected.txt:
# any missing or extra line fails. STC_LAB_KEEP=1 leaves a running lab up;
# UPDATE=1 rewrites the expectations (review the diff before committing).
set -u
cd "$(dirname "$0")/../.."
build=${BUILD:-build}
here=tests/integration
pass=0 fail=0
tmp=$(mktemp -d)
started=0
cleanup() {
    [ "$started" -eq 1 ] && [ -z "${STC_LAB_KEEP:-}" ] && tests/lab/lab.sh down >/dev/null 2>&1
    rm -rf "$tmp"
}
trap cleanup EXIT

if [ "$(id -u)" -ne 0 ]; then
    echo "the lab needs root (network namespace, Postfix)"
    echo "lab-domains: 0 passed, 1 failed"
    exit 1
fi
if ! tests/lab/lab.sh status >/dev/null 2>&1; then
    t0=$(date +%s)
    tests/lab/lab.sh up >"$tmp/up.log" 2>&1 || { cat "$tmp/up.log"; echo "lab-domains: 0 passed, 1 failed"; exit 1; }
    started=1
    echo "lab up in $(( $(date +%s) - t0 )) s"
fi

domains=""
for z in plain.test sec.test; do
    for d in good nostarttls selfsigned wrongname expired legacy tls10only anon slow rejecting \
             multi-good-bad multi-bad-good multi-dead-good cname-mx nullmx implicit dead \
             dualstack v6only four nomail nxdomain; do
        domains="$domains $d.$z"
    done
done
domains="$domains good.bogus.test"

run() { # run ARGS... : the CLI inside the lab namespace, JSON to $tmp/out.jsonl
    tests/lab/lab.sh exec sh -c "exec \"$build/starttls-check\" --json --ca-file \"\$STC_LAB_CA\" \
        --resolver \"\$STC_LAB_RESOLVER\" --ehlo checker.lab.test $*" >>"$tmp/out.jsonl" 2>>"$tmp/err"
}
t0=$(date +%s%N)
run "$domains"
rc_domains=$?
run --host mx-good.plain.test:587
rc_587=$?
run --host mx-good.sec.test:465
rc_465=$?
run --host mx-good.plain.test
rc_25=$?
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
n=$(echo $domains | wc -w)
echo "checked $n domains and 3 relays in $ms ms"

# exit codes: the worst domain (rejected, DNS errors: 3), then the relays
[ "$rc_domains" -eq 3 ] && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL: domains exit $rc_domains"; }
for rc in "$rc_587" "$rc_465" "$rc_25"; do
    [ "$rc" -eq 0 ] && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL: relay exit $rc"; cat "$tmp/err"; }
done
lines=$(wc -l <"$tmp/out.jsonl")
[ "$lines" -eq $((n + 3)) ] && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL: $lines JSON lines for $((n + 3)) checks"; }

python3 $here/flatten.py <"$tmp/out.jsonl" >"$tmp/got.txt" || { echo "lab-domains: $pass passed, $((fail + 1)) failed"; exit 1; }
if [ -n "${UPDATE:-}" ]; then
    { grep '^#' $here/lab_expected.txt; LC_ALL=C sort "$tmp/got.txt"; } >"$tmp/new.txt"
    cp "$tmp/new.txt" $here/lab_expected.txt
    echo "wrote $here/lab_expected.txt ($(wc -l <"$tmp/got.txt") lines)"
fi
# The same domains again, 8 at once in one thread (one poll loop over
# every check's sockets): the results must be the same, only faster.
t0=$(date +%s%N)
: >"$tmp/par.jsonl"
tests/lab/lab.sh exec sh -c "exec \"$build/starttls-check\" --json --jobs 8 --ca-file \"\$STC_LAB_CA\" \
    --resolver \"\$STC_LAB_RESOLVER\" --ehlo checker.lab.test $domains" >"$tmp/par.jsonl" 2>>"$tmp/err"
echo "checked $n domains 8 at once in $(( ($(date +%s%N) - t0) / 1000000 )) ms"
python3 $here/flatten.py <"$tmp/par.jsonl" | LC_ALL=C sort >"$tmp/par.txt"
grep -v -E '^mx-good[.a-z]*:[0-9]+ ' "$tmp/got.txt" | LC_ALL=C sort >"$tmp/seq.txt"
if cmp -s "$tmp/seq.txt" "$tmp/par.txt"; then pass=$((pass + 1))
else fail=$((fail + 1)); echo "FAIL: --jobs 8 differs from one at a time:"; diff "$tmp/seq.txt" "$tmp/par.txt" | head -20; fi

grep -v '^#' $here/lab_expected.txt | grep . | LC_ALL=C sort >"$tmp/want.txt"
LC_ALL=C sort -o "$tmp/got.txt" "$tmp/got.txt"
want=$(grep -c . "$tmp/want.txt")
missing=$(comm -23 "$tmp/want.txt" "$tmp/got.txt")
extra=$(comm -13 "$tmp/want.txt" "$tmp/got.txt")
matched=$(comm -12 "$tmp/want.txt" "$tmp/got.txt" | grep -c .)
echo "$matched/$want expected lines matched"
pass=$((pass + matched))
if [ -n "$missing" ]; then
    echo "missing (expected, not seen):"; echo "$missing" | sed 's/^/  - /'
    fail=$((fail + $(echo "$missing" | grep -c .)))
fi
if [ -n "$extra" ]; then
    echo "extra (seen, not expected):"; echo "$extra" | sed 's/^/  + /'
    fail=$((fail + $(echo "$extra" | grep -c .)))
fi
echo "lab-domains: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
