#!/bin/sh
# run_all.sh BUILD - the whole suite behind `make check`:
#   1. unit tests and fuzz-corpus replays (tests/run_unit.sh)
#   2. every tests/integration/*.sh (real servers; most need root for the
#      network namespace of the lab)
# Each part prints "<name>: N passed, M failed"; the last line adds them up.
build=${1:-build}
pass=0 fail=0 failed=""
log=$(mktemp)
trap 'rm -f "$log"' EXIT

# add_counts NAME - read the closing line of the last run from $log
add_counts() {
    line=$(grep -E '^[A-Za-z0-9_.-]+: [0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
    p=$(echo "$line" | sed -n 's/.*: \([0-9]*\) passed, \([0-9]*\) failed.*/\1/p')
    f=$(echo "$line" | sed -n 's/.*: \([0-9]*\) passed, \([0-9]*\) failed.*/\2/p')
    [ -n "$p" ] || { p=0; f=1; }
    [ "$2" -ne 0 ] && [ "$f" -eq 0 ] && f=1
    [ "$f" -ne 0 ] && failed="$failed $1"
    pass=$((pass + p)); fail=$((fail + f))
}

echo "== unit tests"
sh tests/run_unit.sh "$build" >"$log" 2>&1; rc=$?
cat "$log"; add_counts unit $rc

for t in tests/static/*.sh tests/fake/*_selftest.sh tests/integration/*.sh; do
    [ -f "$t" ] || continue
    case " ${STC_SKIP_TESTS:-} " in
    *" ${t##*/} "*)
        # said out loud, counted nowhere: the caller names the reason
        echo "== ${t##*/}: not run here (${STC_SKIP_WHY:-skipped by the caller})"
        continue ;;
    esac
    echo "== ${t##*/}"
    BUILD="$build" SMTP_TEST_SERVER="$build/smtp-test-server" \
        DNS_TEST_SERVER="$build/dns-test-server" bash "$t" >"$log" 2>&1; rc=$?
    cat "$log"; add_counts "${t##*/}" $rc
done

[ -n "$failed" ] && echo "failed parts:$failed"
echo "check: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
