# lib.sh - shared by the integration tests (source it from the repository
# root after `set -u`): pass/fail counters, a temporary directory, test
# servers started here and stopped by their PIDs only, the closing line.
#     . tests/integration/lib.sh NAME
t_name=$1
build=${BUILD:-build}
cli=$build/starttls-check
srv=${SMTP_TEST_SERVER:-$build/smtp-test-server}
dns=${DNS_TEST_SERVER:-$build/dns-test-server}
certs=tests/vectors/certs
pass=0
fail=0
tmp=$(mktemp -d)
t_pids=""

ok()  { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

t_cleanup() {
    for p in $t_pids; do kill "$p" 2>/dev/null; done
    wait 2>/dev/null
    rm -rf "$tmp"
}
trap t_cleanup EXIT

# spawn OUT CMD... - start a test server in the background (its PID is
# remembered for the cleanup and left in $last_pid) and wait at most 5 s
# for its first line "port N"; sets $port
spawn() {
    local out=$1
    shift
    "$@" >"$out" 2>&1 &
    last_pid=$!
    t_pids="$t_pids $last_pid"
    port=""
    for _ in $(seq 1 50); do
        port=$(sed -n 's/^port \([0-9]*\)$/\1/p' "$out")
        [ -n "$port" ] && return 0
        sleep 0.1
    done
    bad "did not start: $*: $(head -c 300 "$out")"
    return 1
}

# stop PID - stop one of our servers now and forget it (a PID is never
# signalled after its process is gone: it could belong to someone else)
stop() {
    kill "$1" 2>/dev/null
    wait "$1" 2>/dev/null
    t_pids=$(echo "$t_pids" | tr ' ' '\n' | grep -vx "$1" | tr '\n' ' ')
}

# finish - the closing line; the exit status says whether all passed
finish() {
    echo "$t_name: $pass passed, $fail failed"
    [ "$fail" -eq 0 ]
}
