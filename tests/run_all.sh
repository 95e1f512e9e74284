#!/bin/sh
# run_all.sh BUILD - the whole suite behind `make check`:
#   1. unit tests and fuzz-corpus replays (tests/run_unit.sh)
#   2. every tests/static, tests/fake/*_selftest and tests/integration/*.sh
#      (real servers; most need root for the lab's network namespace)
#   3. every JSON line the CLI wrote during 1-2 (STC_JSON_TEE) against the
#      JSON Schema tests/schema/result.schema.json (python3-jsonschema)
# Each part ends with "<name>: N passed, M failed[, X expected failures]
# [, S skipped] [(UNIT)]"; UNIT says what was counted (assertions by
# default; "facts" for the lab's expected facts, "corpus inputs" for
# replays, "json lines" for schema validation). The totals keep the units
# apart: a corpus input replayed or a JSON line validated is not an
# assertion, and a skipped part is never a passed one.
build=${1:-build}
fail=0 failed=""
log=$(mktemp)
tee_file=$(mktemp)
totals=$(mktemp)
trap 'rm -f "$log" "$tee_file" "$totals"' EXIT
STC_JSON_TEE=$tee_file
export STC_JSON_TEE

# num WORD LINE - the number before WORD in LINE (0 when absent)
num() {
    echo "$2" | sed -n "s/.* \([0-9][0-9]*\) $1.*/\1/p" | head -n 1 | grep . || echo 0
}

# add_counts NAME RC - read the closing lines of the last run from $log
add_counts() {
    lines=$(grep -E '^[A-Za-z0-9_.-]+: [0-9]+ passed, [0-9]+ failed' "$log")
    if [ -z "$lines" ]; then
        lines="$1: 0 passed, 1 failed"
    fi
    echo "$lines" | while IFS= read -r line; do
        unit=$(echo "$line" | sed -n 's/.*(\([a-z ]*\))$/\1/p' | tr ' ' '_')
        echo "${unit:-assertions} $(num passed "$line") $(num failed "$line") $(num 'expected failure' "$line") $(num skipped "$line")" >>"$totals"
    done
    f=$(echo "$lines" | while IFS= read -r line; do num failed "$line"; done | awk '{s += $1} END {print s + 0}')
    [ "$2" -ne 0 ] && [ "$f" -eq 0 ] && { f=1; echo "assertions 0 1 0 0" >>"$totals"; }
    [ "$f" -ne 0 ] && failed="$failed $1"
    fail=$((fail + f))
}

echo "== unit tests"
sh tests/run_unit.sh "$build" >"$log" 2>&1; rc=$?
cat "$log"; add_counts unit $rc

for t in tests/static/*.sh tests/fake/*_selftest.sh tests/integration/*.sh; do
    [ -f "$t" ] || continue
    case " ${STC_SKIP_TESTS:-} " in
    *" ${t##*/} "*)
        # said out loud and counted as skipped: the caller names the reason
        echo "== ${t##*/}: not run here (${STC_SKIP_WHY:-skipped by the caller})"
        echo "assertions 0 0 0 1" >>"$totals"
        continue ;;
    esac
    echo "== ${t##*/}"
    BUILD="$build" SMTP_TEST_SERVER="$build/smtp-test-server" \
        DNS_TEST_SERVER="$build/dns-test-server" bash "$t" >"$log" 2>&1; rc=$?
    cat "$log"; add_counts "${t##*/}" $rc
done

echo "== JSON Schema (every JSON line the CLI wrote above)"
if [ -s "$tee_file" ]; then
    /usr/bin/python3 tests/schema/validate.py "$tee_file" >"$log" 2>&1; rc=$?
    sed 's/^json-schema: \(.*\)$/json-schema: \1 (json lines)/' "$log" >"$log.u" && mv "$log.u" "$log"
    cat "$log"; add_counts json-schema $rc
else
    echo "json-schema: 0 passed, 1 failed (json lines)" | tee "$log"
    add_counts json-schema 1
fi

[ -n "$failed" ] && echo "failed parts:$failed"
awk '{p[$1] += $2; x += $4; s += $5}
     END {
        printf "totals:";
        sep = " ";
        for (u in p) { n = u; gsub("_", " ", n); printf "%s%s %d passed", sep, n, p[u]; sep = "; " }
        printf "; %d expected failures (not built yet); %d skipped\n", x, s
     }' "$totals"
echo "check: $fail failed"
[ "$fail" -eq 0 ]
