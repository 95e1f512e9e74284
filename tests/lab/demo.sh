#!/bin/bash
# demo.sh [BUILD] - `make demo`: bring the lab up, check a handful of its
# mail domains with the readable report, tear the lab down. No internet
# needed: every server runs in the lab's own network namespace (root).
set -u
cd "$(dirname "$0")/../.."
build=${1:-build}
if [ "$(id -u)" -ne 0 ]; then
    echo "make demo needs root: the lab runs Postfix, NSD, Unbound and nginx in a network namespace" >&2
    exit 1
fi
started=0
if ! tests/lab/lab.sh status >/dev/null 2>&1; then
    echo "== starting the lab (Postfix, NSD + Unbound with DNSSEC, nginx) in namespace stclab"
    tests/lab/lab.sh up || exit 1
    started=1
fi
trap '[ "$started" -eq 1 ] && { echo "== stopping the lab"; tests/lab/lab.sh down >/dev/null; }' EXIT

domains="good.sec.test multi-good-bad.plain.test multi-dead-good.plain.test nostarttls.plain.test
         selfsigned.plain.test expired.sec.test tls10only.plain.test rejecting.plain.test
         nullmx.plain.test dualstack.sec.test"
echo "== starttls-check on the lab's domains (resolver and CA of the lab)"
echo "   $build/starttls-check --resolver 192.0.2.53 --ca-file <lab CA> DOMAIN..."
echo
tests/lab/lab.sh exec sh -c "exec \"$build/starttls-check\" --jobs 4 --resolver \"\$STC_LAB_RESOLVER\" --trust-resolver \
    --ca-file \"\$STC_LAB_CA\" --ehlo demo.lab.test $(echo $domains)"
rc=$?
echo
echo "== exit code $rc (0 success, 1 warning, 2 failure, 3 error: the worst domain)"
echo "== a relay self-check of the lab's submission port, as JSON:"
tests/lab/lab.sh exec sh -c "exec \"$build/starttls-check\" --json --resolver \"\$STC_LAB_RESOLVER\" --trust-resolver \
    --ca-file \"\$STC_LAB_CA\" --host mx-good.plain.test:587" | python3 -m json.tool | head -40
echo "   ..."
exit 0
