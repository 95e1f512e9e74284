#!/bin/bash
# lab_domains.sh - the CLI against every domain and relay of the real-server
# lab (tests/lab: Postfix, NSD + Unbound with DNSSEC, nginx, in a network
# namespace). The facts of the results (flatten.py: domain x host x address
# x check, findings, DNSSEC) are compared with tests/integration/
# lab_expected.txt, which states what the lab was configured to be (the
# domain tables of tests/lab/README.md), never what the checker printed:
# a fact not built yet is an expected failure ("xfail #ISSUE"), printed and
# counted apart, and a failure as soon as it starts passing. There is no
# mode that writes the expectations. STC_LAB_KEEP=1 leaves a lab it started.
# The same domains are then checked 8 at once (one engine): the facts must
# be the same.
set -u
cd "$(dirname "$0")/../.."
build=${BUILD:-build}
here=tests/integration
. $here/lab_use.inc
lab_use lab-domains

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
for d in clean tls13only cbconly dhe1024 clientorder serverorder limited rsaonly 3des rc4; do
    domains="$domains $d.plain.test" # TLS depth (issue 9)
done
domains="$domains good.bogus.test"
relays="mx-good.plain.test:587 mx-good.sec.test:465 mx-good.plain.test"

run() { # run ARGS... : the CLI inside the lab namespace, JSON appended to $tmp/out.jsonl
    tests/lab/lab.sh exec sh -c "exec \"$build/starttls-check\" --json --ca-file \"\$STC_LAB_CA\" \
        --resolver \"\$STC_LAB_RESOLVER\" --trust-resolver --ehlo checker.lab.test $*" >>"$tmp/out.jsonl" 2>>"$tmp/err"
}
t0=$(date +%s%N)
run --jobs 1 "$domains" # one at a time (the default runs 32 at once)
rc_domains=$?
rc_relays=""
for r in $relays; do
    run --host "$r"
    rc_relays="$rc_relays $?"
done
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
n=$(echo $domains | wc -w)
echo "checked $n domains one at a time and 3 relays in $ms ms"

# exit codes: the worst domain (rejected, DNS errors: 3), then the relays
[ "$rc_domains" -eq 3 ] && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL: domains exit $rc_domains"; }
for rc in $rc_relays; do
    [ "$rc" -eq 0 ] && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL: relay exit $rc"; cat "$tmp/err"; }
done
lines=$(wc -l <"$tmp/out.jsonl")
[ "$lines" -eq $((n + 3)) ] && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL: $lines JSON lines for $((n + 3)) checks"; }

python3 $here/flatten.py <"$tmp/out.jsonl" >"$tmp/got.txt" || { echo "lab-domains: $pass passed, $((fail + 1)) failed"; exit 1; }

# The same domains again, 8 at once in one thread (one engine, shared
# lookups and sessions): the facts must be the same, only sooner.
t0=$(date +%s%N)
: >"$tmp/par.jsonl"
tests/lab/lab.sh exec sh -c "exec \"$build/starttls-check\" --json --jobs 8 --ca-file \"\$STC_LAB_CA\" \
    --resolver \"\$STC_LAB_RESOLVER\" --trust-resolver --ehlo checker.lab.test $domains" >"$tmp/par.jsonl" 2>>"$tmp/err"
echo "checked $n domains 8 at once in $(( ($(date +%s%N) - t0) / 1000000 )) ms"
python3 $here/flatten.py <"$tmp/par.jsonl" | LC_ALL=C sort >"$tmp/par.txt"
grep -v -E '^mx-good[.a-z]*:[0-9]+ ' "$tmp/got.txt" | LC_ALL=C sort >"$tmp/seq.txt"
if cmp -s "$tmp/seq.txt" "$tmp/par.txt"; then pass=$((pass + 1))
else fail=$((fail + 1)); echo "FAIL: --jobs 8 differs from one at a time:"; diff "$tmp/seq.txt" "$tmp/par.txt" | head -20; fi

# Whose DNSSEC result is believed (issue 10): the lab's resolver validates
# and sec.test is signed, so its AD bit is set. Believed from loopback
# (Unbound also listens on 127.0.0.1 in the namespace) and with
# --trust-resolver; from 192.0.2.53 without the flag it is not: no DANE,
# and the checker says why (a note of its own, the verdict unchanged).
trust() { # trust LABEL RESOLVER [FLAG] WANT_AD WANT_TRUSTED WANT_DANE WANT_NOTE
    local label=$1 res=$2 flag=$3 ad=$4 tr=$5 dane=$6 note=$7
    tests/lab/lab.sh exec sh -c "exec \"$build/starttls-check\" --json --quick --ca-file \"\$STC_LAB_CA\" \
        --resolver $res $flag --ehlo checker.lab.test good.sec.test" >"$tmp/trust.json" 2>>"$tmp/err"
    if python3 - "$tmp/trust.json" "$ad" "$tr" "$dane" "$note" "$res" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
ad, tr, dane, note, res = sys.argv[2] == "1", sys.argv[3] == "1", sys.argv[4], sys.argv[5] == "1", sys.argv[6]
codes = [f["code"] for f in d["findings"]]
ok = (d["mx_dnssec"] == ad and d["resolver"] == {"address": res, "ad_trusted": tr}
      and d["results"]["mx-good.sec.test"]["dane"]["status"] == dane
      and ("resolver_ad_untrusted" in codes) == note and d["status_text"] == "success")
if not ok:
    print(json.dumps({k: d.get(k) for k in ("mx_dnssec", "resolver", "status_text", "findings")}))
sys.exit(0 if ok else 1)
PY
    then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: resolver trust: $label"; fi
}
trust "loopback resolver, believed by default" 127.0.0.1 "" 1 1 valid 0
trust "resolver across the network, not believed" 192.0.2.53 "" 0 0 insecure 1
trust "resolver across the network, --trust-resolver" 192.0.2.53 --trust-resolver 1 1 valid 0

echo "lab-domains: $pass passed, $fail failed"

# The facts against the lab's configuration (its own closing line).
python3 $here/expect_cmp.py $here/lab_expected.txt "$tmp/got.txt" | sed 's/^lab-facts: \(.*\)$/lab-facts: \1 (facts)/'
rc=${PIPESTATUS[0]}
[ "$fail" -eq 0 ] && [ "$rc" -eq 0 ]
