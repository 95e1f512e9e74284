#!/bin/bash
# bench_mps2.sh [BUILD] - memory of the running firmware (boards/mps2-an386),
# measured under QEMU in the lab; run by tests/bench/bench_mem.sh (make bench-mem)
#
# A benchmark: it measures and prints, it asserts nothing. It
#  1. builds the board-limits image (boards/cortex-m4's limits and wolfSSL
#     profile, lwIP NO_SYS=1; RAM held to 80 KB by mps2-board.ld) and prints
#     its flash and RAM by component from the link map;
#  2. boots it under QEMU (mps2-an386, LAN9118 on the lab's tap device) and
#     checks good.plain.test, then every lab target (lab_lwip.sh's list) in
#     one boot; the firmware prints what it used (main.c, report_memory):
#     sizeof of the core's structs, the arena's peak, the painted stack's
#     high-water mark, lwIP's heap and pool high-water marks;
#  3. walks a path from the baseline towards 64 KB: variants built with one
#     more option each (a header of #undef/#define lines, STC_MPS2_VARIANT),
#     each booted and measured on the same domain, with its RAM, whether the
#     check still passed, and the time it took.
# "RAM linked" is everything the image reserves (.data + .bss + arena +
# CA buffer + stack); "RAM used" replaces the arena and the stack by what
# the run used (peak, high-water mark), lwIP's pools counted in full.
# Needs root (the lab's namespace), qemu-system-arm and arm-none-eabi-gcc;
# otherwise it says what is missing. Every QEMU run is bounded (timeout)
# and stopped by its PID; the lab is taken down again if it started it.
set -u
cd "$(dirname "$0")/../.." || exit 1
BUILD=${1:-${BUILD:-build}}
B=$BUILD/bench/mps2
RUN=${STC_LAB_RUN:-$PWD/tests/lab/run}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/bench-mps2.XXXXXX")
started=0 qpid="" tap="" mtu_was=""
cleanup() {
    [ -n "$qpid" ] && kill "$qpid" 2>/dev/null && wait "$qpid" 2>/dev/null
    [ -n "$mtu_was" ] && tests/lab/lab.sh exec ip link set "$tap" mtu "$mtu_was" 2>/dev/null
    [ "$started" -eq 1 ] && tests/lab/lab.sh down >/dev/null 2>&1
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

hr() { printf '\n== %s\n' "$1"; }
hr "5. the bare-metal firmware, measured running (boards/mps2-an386 under QEMU)"
for t in arm-none-eabi-gcc qemu-system-arm; do
    command -v $t >/dev/null || { echo "  not measured: no $t"; exit 0; }
done
make -s BUILD="$BUILD" mps2-fetch >"$tmp/make.log" 2>&1 &&
    make -s BUILD="$BUILD" mps2-board >>"$tmp/make.log" 2>&1 ||
    { echo "  not built: $(tail -n 3 "$tmp/make.log")"; exit 0; }
base=$BUILD/mps2-an386/board
echo "board-limits image, linked (arm-none-eabi-size; RAM budget 80 KB in mps2-board.ld):"
arm-none-eabi-size -A "$base/stc-mps2.elf" |
    awk '$1 ~ /^\.(isr_vector|text|ARM.exidx|data|bss|bigram|stack)$/ {printf "  %-12s %8d\n", $1, $2}'
python3 boards/mps2-an386/mapsize.py "$base/image.map" | sed 's/^/  /'

if [ "$(id -u)" -ne 0 ]; then
    echo "  (running figures not measured: the lab needs root)"
    exit 0
fi
if ! tests/lab/lab.sh status 2>/dev/null | grep -q '^namespace .*: present' ||
   [ ! -f "$RUN/lab.env" ]; then
    tests/lab/lab.sh up >"$tmp/up.log" 2>&1 || { echo "  lab up failed: $(tail -n 2 "$tmp/up.log")"; exit 0; }
    started=1
fi
# shellcheck source=/dev/null
. "$RUN/lab.env"
tap=$STC_LAB_TAP
exec 9>"$RUN/.tap.lock"
flock -w 300 9 || { echo "  tap device busy"; exit 0; }
mtu_was=$(tests/lab/lab.sh exec cat "/sys/class/net/$tap/mtu")
tests/lab/lab.sh exec ip link set "$tap" mtu 1500

# boot ELF TARGETS OUT : one bounded QEMU run; the console in OUT
boot() {
    tests/lab/lab.sh exec qemu-system-arm -M mps2-an386 -nographic -semihosting \
        -nic "tap,ifname=$tap,script=no,downscript=no,model=lan9118" -kernel "$1" \
        -append "ca=$STC_LAB_CA targets=$2 resolver=$STC_LAB_RESOLVER trust_ad=1 ehlo=checker.lab.test" \
        </dev/null >"$3" 2>&1 &
    qpid=$!
    local end=$(( $(date +%s) + ${MPS2_BENCH_SECONDS:-300} ))
    while kill -0 "$qpid" 2>/dev/null && [ "$(date +%s)" -lt "$end" ]; do sleep 0.2; done
    kill "$qpid" 2>/dev/null
    wait "$qpid" 2>/dev/null
    qpid=""
}
# mem OUT KEY : a value of the mps2-mem line
mem() { sed -n 's/^mps2-mem:.* '"$2"'=\([0-9]*\).*/\1/p' "$1"; }
# sect ELF NAME : size of an output section
sect() { arm-none-eabi-size -A "$1" | awk -v s="$2" '$1 == s {print $2}'; }

echo good.plain.test >"$tmp/one"
domains="" relays=""
eval "$(sed -n '/^domains=""$/,/^relays=/p' tests/integration/lab_lwip.sh)"
{ for d in $domains; do echo "$d"; done; for r in $relays; do echo "host $r"; done; } >"$tmp/all"

boot "$base/stc-mps2.elf" "$tmp/one" "$tmp/one.out"
boot "$base/stc-mps2.elf" "$tmp/all" "$tmp/all.out"
echo
echo "running, one domain (good.plain.test: MX lookup, A/AAAA, SMTP, STARTTLS, TLS 1.3,"
echo "RSA-2048 chain of 2, EHLO again) and every lab target in one boot ($(wc -l <"$tmp/all") checks):"
printf '  %-44s %10s %10s\n' "" "one domain" "all targets"
for k in engine_job engine job result conn_slot dns_slot task_slot port arena_size arena_anchors arena_peak \
         stack_size stack_used lwip_heap_size lwip_heap_max lwip_pools_size; do
    printf '  %-44s %10s %10s\n' "$k" "$(mem "$tmp/one.out" $k)" "$(mem "$tmp/all.out" $k)"
done
echo "  lwIP pools, high-water/count x size (all targets):"
sed -n 's/^mps2-pools: //p' "$tmp/all.out" | tr ' ' '\n' | sed 's/^/    /'
sed -n 's/^mps2-net: /  network (all targets): /p' "$tmp/all.out"
grep -c '^{' "$tmp/all.out" | sed 's/^/  JSON results: /'

# ---- the path to 64 KB: one option more at each step --------------------------------------
# variant NAME DESCRIPTION ARENA STACK FOR HEADER-LINES : build, boot, one row;
# FOR: which header the lines belong to (1 stc_config.h, 2 lwipopts.h,
# 3 user_settings.h: wolfSSL is rebuilt), 0 for none
row() { printf '  %-46s %7s %7s %6s %6s %6s %6s %7s %-8s %6s\n' "$@"; }
echo
echo "towards 64 KB, one option more at each step (good.plain.test; bytes):"
row "step" "linked" "used" "ctx" "arena" "stack" "lwIP" "flash" "result" "ms"
prev=""
variant() {
    local name=$1 desc=$2 arena=$3 stack=$4 for=$5 lines=$6 vb=$B/$1 elf out
    mkdir -p "$vb/inc" "$vb/mps2-an386/board"
    { [ -n "$prev" ] && cat "$B/$prev/inc/mps2_variant.h"
      printf '#if STC_MPS2_VARIANT_FOR == %d /* %s */\n%b\n#endif\n' "$for" "$name" "$lines"; } \
        >"$vb/inc/mps2_variant.h.new"
    # a changed variant is built from scratch (wolfSSL's and lwIP's objects
    # do not track the header in their dependencies)
    if ! cmp -s "$vb/inc/mps2_variant.h.new" "$vb/inc/mps2_variant.h"; then
        mv "$vb/inc/mps2_variant.h.new" "$vb/inc/mps2_variant.h"
        rm -rf "$vb/mps2-an386"
        mkdir -p "$vb/mps2-an386/board"
    fi
    # wolfSSL's objects do not depend on a variant that leaves it alone
    if [ "$for" != 3 ] && [ ! -d "$vb/mps2-an386/board/wolfssl" ]; then
        cp -a "$base/wolfssl" "$base/libwolfssl.a" "$vb/mps2-an386/board/"
    fi
    make -s BUILD="$vb" MPS2_SRCPKG="$BUILD/src-pkgs" \
        MPS2_BOARD_DEFS="-DSTC_MPS2_VARIANT -I$PWD/$vb/inc -DBOARD_ARENA_SIZE=$arena" \
        MPS2_BOARD_LDFLAGS="-Wl,--defsym=_stack_size=$stack" mps2-board >"$tmp/v.log" 2>&1 ||
        { row "$desc" "build failed: $(grep -m1 -E 'error|overflow' "$tmp/v.log" | cut -c1-60)"; return; }
    elf=$vb/mps2-an386/board/stc-mps2.elf out=$tmp/$name.out
    boot "$elf" "$tmp/one" "$out"
    local data bss big stk linked used flash lw status ms
    data=$(sect "$elf" .data) bss=$(sect "$elf" .bss) big=$(sect "$elf" .bigram) stk=$(sect "$elf" .stack)
    linked=$((data + bss + big + stk))
    used=$((data + bss + big - $(mem "$out" arena_size) + $(mem "$out" arena_peak) + $(mem "$out" stack_used)))
    flash=$(( $(sect "$elf" .isr_vector) + $(sect "$elf" .text) + data ))
    lw=$(( $(mem "$out" lwip_heap_size) + $(mem "$out" lwip_pools_size) ))
    status=$(grep -m1 '^{' "$out" | grep -o '"status_text":"[a-z_]*"' | head -n 1 | cut -d'"' -f4)
    ms=$(sed -n 's/^mps2: done in \([0-9]*\) ms.*/\1/p' "$out" | head -n 1)
    row "$desc" "$linked" "$used" "$(mem "$out" engine_job)" "$(mem "$out" arena_peak)" \
        "$(mem "$out" stack_used)" "$lw" "$flash" "${status:-none}" "${ms:--}"
    prev=$name
}
variant base "baseline (cortex-m4 limits and wolfSSL)" 40960 8192 0 "/* baseline */"
# the trimmed arena: the baseline's measured peak, rounded up to 1 KB, plus
# 1 KB (the lab's certificate and the checks decide it, not a constant)
peak=$(mem "$tmp/base.out" arena_peak)
arena=$(( (${peak:-40960} + 1023) / 1024 * 1024 + 1024 ))
variant trim "arena $((arena / 1024)) KB, stack 4 KB (measured need)" $arena 4096 0 \
    "/* reservations trimmed */"
variant mss "TCP_MSS 536 (lwIP pool 4 x 604)" $arena 4096 2 \
    "#undef TCP_MSS\n#define TCP_MSS 536"
variant mx4 "STC_MAX_MX 4 (8 by default)" $arena 4096 1 \
    "#undef STC_MAX_MX\n#define STC_MAX_MX 4"
variant chain "STC_CHAIN_MAX 2, STC_TEXT_POOL 256 (3, 512)" $arena 4096 1 \
    "#undef STC_CHAIN_MAX\n#define STC_CHAIN_MAX 2\n#undef STC_TEXT_POOL\n#define STC_TEXT_POOL 256"
variant dns "STC_DNS_MSG_MAX 768, EDNS 768 (1232)" $arena 4096 1 \
    "#undef STC_DNS_MSG_MAX\n#define STC_DNS_MSG_MAX 768\n#undef STC_DNS_EDNS_UDP\n#define STC_DNS_EDNS_UDP 768"
variant sp2048 "wolfSSL SP_INT_BITS 2048 (4096), arena -4 KB" $((arena - 4096)) 4096 3 \
    "#undef SP_INT_BITS\n#define SP_INT_BITS 2048"
echo "  (linked: what the image reserves, <= 80 KB by the linker; used: arena and stack"
echo "   as the run used them; lwIP: heap + every pool as configured; ms: the check's time)"
