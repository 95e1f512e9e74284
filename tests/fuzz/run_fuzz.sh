#!/bin/sh
# run_fuzz.sh BUILD SECONDS - run every libFuzzer target for SECONDS each,
# starting from its committed corpus (copied: new inputs stay out of the
# repository). Prints executions per target; a crash fails the run and
# leaves the reproducer in BUILD/fuzz/.
build=${1:-build}
secs=${2:-60}
pass=0 fail=0
for f in "$build"/fuzz/fuzz_*; do
    [ -x "$f" ] || continue
    name=${f##*/fuzz_}
    work=$(mktemp -d)
    [ -d "tests/fuzz/corpus/$name" ] && cp -r "tests/fuzz/corpus/$name/." "$work/"
    log="$build/fuzz/$name.log"
    if "$f" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$build/fuzz/$name-" "$work" >"$log" 2>&1; then
        runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
        echo "  fuzz_$name: ${runs:-?} executions in ${secs} s, no crash"
        pass=$((pass + 1))
    else
        echo "  fuzz_$name: FAILED (see $log)"; tail -n 30 "$log"
        fail=$((fail + 1))
    fi
    rm -rf "$work"
done
echo "fuzz: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
