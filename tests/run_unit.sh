#!/bin/sh
# run_unit.sh BUILD - every unit test binary and every fuzz-corpus replay.
# Each binary's last line is "<name>: N passed, M failed[, S skipped]
# (assertions)"; each replay driver runs a corpus directory. The two are
# counted apart: assertions are checks, corpus inputs are inputs replayed
# without a crash. Last lines:
#   "unit: N passed, M failed[, S skipped] (assertions)"
#   "replay: N passed, M failed (corpus inputs)"
# Exit 1 if anything failed.
build=${1:-build}
pass=0 fail=0 skip=0 rpass=0 rfail=0 bad=""
out=$(mktemp)
trap 'rm -f "$out"' EXIT
num() { # num WORD LINE -> the number before WORD in LINE, 0 when absent
    echo "$2" | sed -n "s/.* \([0-9]*\) $1.*/\1/p" | head -n 1 | grep . || echo 0
}
for t in "$build"/tests/test_*; do
    [ -x "$t" ] || continue
    name=${t##*/}
    if "$t" >"$out" 2>&1; then rc=0; else rc=$?; fi
    line=$(tail -n 1 "$out")
    case "$line" in
    *" passed, "*" failed"*) p=$(num passed "$line"); f=$(num failed "$line"); s=$(num skipped "$line") ;;
    *) p=0; f=1; s=0 ;;
    esac
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi   # a crash counts
    [ "$f" -ne 0 ] && { cat "$out"; bad="$bad $name"; }
    [ "$s" -ne 0 ] && grep '^skipped: ' "$out" | sed "s/^/  $name: /"
    echo "  $name: $p passed, $f failed${s:+, $s skipped}" | sed 's/, 0 skipped//'
    pass=$((pass + p)); fail=$((fail + f)); skip=$((skip + s))
done
for r in "$build"/tests/replay_*; do
    [ -x "$r" ] || continue
    name=${r##*/replay_}
    dir=tests/fuzz/corpus/$name
    [ -d "$dir" ] || { echo "  replay_$name: no corpus at $dir"; rfail=$((rfail + 1)); continue; }
    if "$r" "$dir" >"$out" 2>&1; then
        p=$(tail -n 1 "$out" | sed -n 's/.*: \([0-9]*\) passed.*/\1/p')
        echo "  replay_$name: ${p:-0} corpus inputs, no crash"
        rpass=$((rpass + ${p:-0}))
    else
        cat "$out"; bad="$bad replay_$name"; rfail=$((rfail + 1))
    fi
done
[ -n "$bad" ] && echo "failed:$bad"
if [ "$skip" -ne 0 ]; then
    echo "unit: $pass passed, $fail failed, $skip skipped (assertions)"
else
    echo "unit: $pass passed, $fail failed (assertions)"
fi
echo "replay: $rpass passed, $rfail failed (corpus inputs)"
[ "$fail" -eq 0 ] && [ "$rfail" -eq 0 ]
