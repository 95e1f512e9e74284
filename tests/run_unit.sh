#!/bin/sh
# run_unit.sh BUILD - every unit test binary and every fuzz-corpus replay.
# Each binary prints "<name>: N passed, M failed"; this adds them up and
# ends with "unit: N passed, M failed". Exit 1 if anything failed.
build=${1:-build}
pass=0 fail=0 bad=""
out=$(mktemp)
trap 'rm -f "$out"' EXIT
for t in "$build"/tests/test_*; do
    [ -x "$t" ] || continue
    name=${t##*/}
    if "$t" >"$out" 2>&1; then rc=0; else rc=$?; fi
    line=$(tail -n 1 "$out")
    p=$(echo "$line" | sed -n 's/.*: \([0-9]*\) passed, \([0-9]*\) failed.*/\1/p')
    f=$(echo "$line" | sed -n 's/.*: \([0-9]*\) passed, \([0-9]*\) failed.*/\2/p')
    if [ -z "$p" ]; then p=0; f=1; fi
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi   # a crash counts
    [ "$f" -ne 0 ] && { cat "$out"; bad="$bad $name"; }
    echo "  $name: $p passed, $f failed"
    pass=$((pass + p)); fail=$((fail + f))
done
for r in "$build"/tests/replay_*; do
    [ -x "$r" ] || continue
    name=${r##*/replay_}
    dir=tests/fuzz/corpus/$name
    [ -d "$dir" ] || { echo "  replay_$name: no corpus at $dir"; fail=$((fail + 1)); continue; }
    if "$r" "$dir" >"$out" 2>&1; then
        p=$(tail -n 1 "$out" | sed -n 's/.*: \([0-9]*\) passed.*/\1/p')
        echo "  replay_$name: ${p:-0} corpus inputs, no crash"
        pass=$((pass + ${p:-0}))
    else
        cat "$out"; bad="$bad replay_$name"; fail=$((fail + 1))
    fi
done
[ -n "$bad" ] && echo "failed:$bad"
echo "unit: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
