#!/bin/sh
# bench_mem.sh [BUILD] - memory and flash figures per board profile (make bench-mem)
#
# A benchmark: it measures and prints, it asserts nothing (the
# deterministic budget is tests/static/budget.sh). Sections:
#   1. sizeof(stc_check_t) and its main parts for linux-host, lwip-tap and
#      cortex-m4 (tests/bench/ctx_size.c compiled per board: the host
#      compiler for the host boards, arm-none-eabi-gcc for cortex-m4);
#   2. flash of the core objects per profile (text + data), and of the
#      linked Cortex-M4 image when build_image.sh can build it;
#   3. wolfSSL arena peaks, measured with `starttls-check --stats` against
#      build/smtp-test-server on 127.0.0.1 (RSA and ECDSA certificates of
#      tests/vectors/certs, TLS 1.3 and 1.2): one connection (a relay
#      check), and a full domain check through build/dns-test-server on
#      127.0.83.1:53 (needs root); first with Debian's wolfSSL, then with
#      the board's wolfSSL profile (boards/cortex-m4/user_settings.h)
#      compiled for this host from Debian's source package;
#   4. the stack high-water mark of stc_init() and of one check
#      (tests/bench/stack_hwm.c: painted thread stacks), both builds.
# Only the servers started here are signalled, by PID; every wait is bounded.
set -u
cd "$(dirname "$0")/../.."
BUILD=${1:-${BUILD:-build}}
B=$BUILD/bench
CERTS=tests/vectors/certs
CLI=$BUILD/starttls-check
SERVER=$BUILD/smtp-test-server
DNSSERVER=$BUILD/dns-test-server
WSRC=$BUILD/src-pkgs/wolfssl
WARN="-Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wformat=2"
mkdir -p "$B"
pids=""
tmp=$(mktemp -d "${TMPDIR:-/tmp}/bench-mem.XXXXXX")
cleanup() {
    for p in $pids; do kill "$p" 2>/dev/null; done
    wait 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

hr() { printf '\n== %s\n' "$1"; }

# ---- 1. the check context ------------------------------------------------------
hr "1. the engine and a job, and their parts, bytes (tests/bench/ctx_size.c)"
# ctx_figures BOARD -> "name value" lines, or nothing
ctx_figures() {
    case $1 in
    cortex-m4)
        command -v arm-none-eabi-gcc >/dev/null || return 0
        arm-none-eabi-gcc -mcpu=cortex-m4 -mthumb -Os -std=c99 -Iinclude -Iinclude/stc \
            -Iboards/cortex-m4 -c tests/bench/ctx_size.c -o "$B/ctx_cortex-m4.o" || return 0
        arm-none-eabi-nm -S -t d "$B/ctx_cortex-m4.o" |
            awk '$4 ~ /^stc_sz_/ {print substr($4, 8), $2 + 0}'
        ;;
    *)
        cc -std=c99 -DCTX_SIZE_MAIN -Iinclude -Iinclude/stc -Iboards/"$1" \
            tests/bench/ctx_size.c -o "$B/ctx_$1" && "$B/ctx_$1"
        ;;
    esac
}
printf '%-11s %7s %7s %7s %7s %7s %7s %7s %7s %7s  %s\n' profile engine "dns" "conn" "tasks" \
    "(digest)" job result "(texts)" "eng+job" "limits (MX x addrs, conn, dns, tasks; pointer)"
for board in linux-host lwip-tap cortex-m4; do
    ctx_figures $board >"$tmp/ctx" 2>"$tmp/ctx.err"
    if [ ! -s "$tmp/ctx" ]; then
        printf '%-11s not measured: %s\n' "$board" "$(head -c 200 "$tmp/ctx.err")"
        continue
    fi
    v() { awk -v k="$1" '$1 == k {print $2}' "$tmp/ctx"; }
    printf '%-11s %7d %7d %7d %7d %7d %7d %7d %7d %7d  %sx%s, %s, %s, %s; %s\n' "$board" \
        "$(v engine)" "$(v dns_slots)" "$(v conn_slots)" "$(v task_slots)" "$(v chain_digests)" \
        "$(v job)" "$(v result)" "$(v text_pool)" "$(( $(v engine) + $(v job) ))" \
        "$(v max_mx)" "$(v max_addrs)" "$(v max_conn)" "$(v max_dns)" "$(v max_tasks)" "$(v pointer)"
done
echo "(engine = the pools every job shares: DNS slots with their message buffers,"
echo " connection slots with receive/transmit buffers, session tasks with their facts and"
echo " (digest) the DANE digests of a chain; job = one domain in flight, its result included,"
echo " (texts) the result's text pool. Budgets asserted by tests/static/budget.sh: job <= 16 KB"
echo " on linux-host; engine + job <= 12 KB on cortex-m4)"

# ---- 2. flash ---------------------------------------------------------------------
hr "2. flash of the core objects, bytes (text + data; unlinked, so an upper bound)"
# flash SIZE-TOOL OBJECTS... -> text+data sum
flash() {
    tool=$1
    shift
    "$tool" "$@" 2>/dev/null | awk 'NR > 1 {t += $1 + $2} END {print t + 0}'
}
for board in linux-host lwip-tap cortex-m4; do
    case $board in
    linux-host) objs=$(ls "$BUILD"/src/*.o 2>/dev/null); tool=size; what="x86-64 -O2 -g" ;;
    lwip-tap) objs=$(ls "$BUILD"/lwip-tap/src/*.o 2>/dev/null); tool=size; what="x86-64 -O2 -g" ;;
    cortex-m4) objs=$(ls "$BUILD"/cortex-m4/src/*.o 2>/dev/null); tool=arm-none-eabi-size
        what="thumb -Os, section per function" ;;
    esac
    if [ -z "$objs" ]; then
        printf '%-12s not built (make%s)\n' "$board" "$([ $board = cortex-m4 ] && echo ' cross')"
        continue
    fi
    # shellcheck disable=SC2086
    printf '%-12s core %7d   (%s)\n' "$board" "$(flash $tool $objs)" "$what"
done
if [ -f "$BUILD/cortex-m4/port/lwip/port_lwip.o" ]; then
    printf '%-12s port %7d   (port/lwip/port_lwip.o)\n' cortex-m4 \
        "$(flash arm-none-eabi-size "$BUILD/cortex-m4/port/lwip/port_lwip.o")"
fi
if command -v arm-none-eabi-gcc >/dev/null; then
    echo
    echo "cortex-m4 firmware image (boards/cortex-m4/build_image.sh: core + port + wolfSSL + lwIP):"
    if sh boards/cortex-m4/build_image.sh "$BUILD" >"$tmp/image.out" 2>&1; then
        sed -n '/^component/,$p' "$tmp/image.out"
    else
        echo "  not linked: $(tail -n 3 "$tmp/image.out")"
    fi
fi

# ---- 3. arena peaks ------------------------------------------------------------------
# start_server NAME ARGS... : an smtp-test-server on 127.0.0.1, port in $port
start_server() {
    "$SERVER" --addr 127.0.0.1 --port 0 --mode good --max-seconds 120 "$@" \
        >"$tmp/srv.out" 2>&1 </dev/null &
    spid=$!
    pids="$pids $spid"
    port=
    for _ in $(seq 1 50); do
        port=$(sed -n 's/^port \([0-9][0-9]*\)$/\1/p' "$tmp/srv.out" | head -n 1)
        [ -n "$port" ] && return 0
        kill -0 "$spid" 2>/dev/null || break
        sleep 0.1
    done
    echo "  (the test server did not start: $(head -c 200 "$tmp/srv.out"))"
    return 1
}
stop_server() {
    kill "$spid" 2>/dev/null
    wait "$spid" 2>/dev/null
}

# arena_line CLI LABEL ARGS... : one --stats run, printed as a table row
arena_line() {
    cli=$1 label=$2
    shift 2
    timeout 60 "$cli" --timeout 10 --ca-file "$CERTS/ca.pem" --json --stats --arena-kb 8192 "$@" \
        >"$tmp/run.json" 2>"$tmp/run.err"
    a=$(sed -n 's/.*trust anchors keep \([0-9]*\) bytes.*/\1/p' "$tmp/run.err")
    p=$(sed -n 's/.*peak during the checks \([0-9]*\) bytes.*/\1/p' "$tmp/run.err")
    ver=$(grep -o '"version":"TLSv[0-9.]*"' "$tmp/run.json" | head -n 1 | cut -d'"' -f4)
    grp=$(grep -o '"group":"[^"]*"' "$tmp/run.json" | head -n 1 | cut -d'"' -f4)
    if [ -n "$a" ] && [ -n "$p" ]; then
        printf '  %-34s %-8s %-7s %9d %11d\n' "$label" "${ver:--}" "${grp:--}" "$a" "$((p - a))"
    else
        printf '  %-34s not measured: %s\n' "$label" "$(head -c 200 "$tmp/run.err")"
    fi
}

# arena_runs CLI : one connection for each certificate and version, then domains
arena_runs() {
    cli=$1
    printf '  %-34s %-8s %-7s %9s %11s\n' "check" "TLS" "group" "anchors" "peak-anchors"
    for cert in rsa ecdsa; do
        if [ $cert = rsa ]; then
            set -- --cert "$CERTS/good.pem" --key "$CERTS/leaf.key"
        else
            set -- --cert "$CERTS/ecdsa.pem" --key "$CERTS/ecdsa.key"
        fi
        for v in 1.3 1.2; do
            start_server "$@" --chain "$CERTS/int.pem" --max-version $v || continue
            arena_line "$cli" "one connection, $cert leaf" --host "127.0.0.1:$port"
            stop_server
        done
    done
    if [ "$(id -u)" -ne 0 ] || [ ! -x "$DNSSERVER" ]; then
        echo "  (full domain check skipped: needs root and $DNSSERVER for a resolver on port 53)"
        return 0
    fi
    start_server --cert "$CERTS/good.pem" --key "$CERTS/leaf.key" --chain "$CERTS/int.pem" || return 0
    cat >"$tmp/zone" <<ZONE
bench.test MX 10 mx.example.test
bench.test MX 20 mx2.example.test
mx.example.test A 127.0.0.1
mx2.example.test A 127.0.0.1
ZONE
    "$DNSSERVER" --addr 127.0.83.1 --port 53 --zone "$tmp/zone" --max-seconds 120 \
        >"$tmp/dns.out" 2>"$tmp/dns.err" </dev/null &
    dpid=$!
    pids="$pids $dpid"
    for _ in $(seq 1 50); do grep -q '^port' "$tmp/dns.out" && break; sleep 0.1; done
    arena_line "$cli" "domain, 2 MX, one at a time" --resolver 127.0.83.1 --port "$port" \
        --parallel 1 bench.test
    arena_line "$cli" "domain, 2 MX, both at once" --resolver 127.0.83.1 --port "$port" \
        bench.test
    kill "$dpid" 2>/dev/null
    wait "$dpid" 2>/dev/null
    stop_server
}

hr "3. wolfSSL arena, bytes (starttls-check --stats; one CA as trust anchor)"
for f in "$CLI" "$SERVER"; do
    [ -x "$f" ] || { echo "  $f is missing: run make first"; exit 0; }
done
echo "Debian's libwolfssl (5.5.4, FP_ECC on, x86-64):"
arena_runs "$CLI"

# The board's wolfSSL profile, built for this host from Debian's source package.
EMB=$B/emb
emb_ok=0
build_emb() {
    [ -f "$WSRC/wolfssl/ssl.h" ] || sh boards/cortex-m4/build_image.sh --fetch "$BUILD" \
        >"$tmp/fetch.out" 2>&1 || { echo "  (no wolfSSL sources: $(tail -n 1 "$tmp/fetch.out"))"; return 1; }
    mkdir -p "$EMB/wolfssl" "$EMB/core"
    newest=$(ls -t boards/cortex-m4/*.h | head -n 1)
    for f in "$WSRC"/src/internal.c "$WSRC"/src/ssl.c "$WSRC"/src/tls.c "$WSRC"/src/tls13.c \
        "$WSRC"/src/keys.c "$WSRC"/src/wolfio.c "$WSRC"/wolfcrypt/src/*.c; do
        o=$EMB/wolfssl/$(basename "$(dirname "$f")")_$(basename "$f" .c).o
        [ "$o" -nt "$f" ] && [ "$o" -nt "$newest" ] && continue
        cc -O2 -g -w -DWOLFSSL_USER_SETTINGS -Iboards/cortex-m4 -I"$WSRC" -c "$f" -o "$o" \
            2>"$tmp/emb.err" || { echo "  (wolfSSL profile does not build for the host: $f)"; return 1; }
    done
    rm -f "$EMB/libwolfssl.a" && ar rcs "$EMB/libwolfssl.a" "$EMB"/wolfssl/*.o
    for f in src/*.c; do
        cc -std=c99 -O2 -g $WARN -DWOLFSSL_USER_SETTINGS -Iinclude -Iinclude/stc -Iboards/cortex-m4 \
            -Isrc -I"$WSRC" -c "$f" -o "$EMB/core/$(basename "$f" .c).o" || return 1
    done
    mkdir -p "$EMB/cli"
    for f in port/posix/cli*.c port/posix/port_posix.c port/posix/csv.c tests/bench/board_seed.c; do
        case $f in */cli*) o=$EMB/cli/$(basename "$f" .c).o ;; *) o=$EMB/$(basename "$f" .c).o ;; esac
        cc -std=c99 -D_GNU_SOURCE -O2 -g $WARN -Iinclude -Iinclude/stc -Iboards/cortex-m4 -Isrc \
            -Iport/posix -c "$f" -o "$o" || return 1
    done
    cc -o "$EMB/starttls-check" "$EMB"/cli/*.o "$EMB/port_posix.o" "$EMB/csv.o" "$EMB/board_seed.o" \
        "$EMB"/core/*.o "$EMB/libwolfssl.a" -lidn2 || return 1
    cc -std=c99 -D_GNU_SOURCE -O2 -g $WARN -Iinclude -Iinclude/stc -Iboards/cortex-m4 -Isrc \
        -Iport/posix -o "$EMB/stack-hwm" tests/bench/stack_hwm.c "$EMB/port_posix.o" \
        "$EMB/board_seed.o" "$EMB"/core/*.o "$EMB/libwolfssl.a" -lpthread || return 1
}
echo
echo "boards/cortex-m4/user_settings.h (SMALL_STACK, no FP_ECC, SP math), built for x86-64:"
if build_emb >"$tmp/emb.out" 2>&1; then
    emb_ok=1
    arena_runs "$EMB/starttls-check"
    echo "  (built with the board's limits: STC_MAX_CONN 1, so \"both at once\" runs one at"
    echo "   a time; x86-64 has 8-byte pointers: the Cortex-M4 build needs somewhat less)"
else
    echo "  not built: $(tail -n 3 "$tmp/emb.out")"
fi

# ---- 4. stack ---------------------------------------------------------------------------
hr "4. stack high-water mark, bytes (tests/bench/stack_hwm.c, x86-64)"
cc -std=c99 -D_GNU_SOURCE -O2 -g $WARN -Iinclude -Iinclude/stc -Iboards/linux-host -Isrc \
    -Iport/posix -o "$B/stack-hwm" tests/bench/stack_hwm.c "$BUILD/port/posix/port_posix.o" \
    "$BUILD/libstc.a" -lwolfssl -lpthread || echo "  (stack-hwm does not build)"
printf '  %-44s %8s %8s\n' "build, peer certificate" "stc_init" "check"
for cert in rsa ecdsa; do
    if [ $cert = rsa ]; then
        set -- --cert "$CERTS/good.pem" --key "$CERTS/leaf.key"
    else
        set -- --cert "$CERTS/ecdsa.pem" --key "$CERTS/ecdsa.key"
    fi
    start_server "$@" --chain "$CERTS/int.pem" || continue
    for bin in "$B/stack-hwm" "$EMB/stack-hwm"; do
        [ -x "$bin" ] || continue
        [ "$bin" = "$EMB/stack-hwm" ] && [ $emb_ok -eq 0 ] && continue
        name="Debian libwolfssl"
        [ "$bin" = "$EMB/stack-hwm" ] && name="board user_settings.h"
        line=$(timeout 60 "$bin" --host "127.0.0.1:$port" --ca-file "$CERTS/ca.pem" 2>&1)
        i=$(echo "$line" | sed -n 's/.* init \([0-9]*\) .*/\1/p')
        c=$(echo "$line" | sed -n 's/.* check \([0-9]*\) .*/\1/p')
        if [ -n "$i" ] && [ -n "$c" ]; then
            printf '  %-44s %8d %8d\n' "$name, $cert leaf (TLS 1.3)" "$i" "$c"
        else
            printf '  %-44s not measured: %s\n' "$name, $cert" "$line"
        fi
    done
    stop_server
done
echo "  (painted 1 MiB thread stacks, minus an empty thread's use; x86-64 frames are"
echo "   larger than Thumb-2 ones, so read these as upper bounds for the board)"
bash boards/mps2-an386/bench_mps2.sh "$BUILD"
