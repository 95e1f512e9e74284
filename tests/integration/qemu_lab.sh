#!/bin/bash
# qemu_lab.sh - the bare-metal firmware (boards/mps2-an386) against the
# real-server lab (tests/lab), under QEMU, compared with the POSIX CLI
#
# Boots the host-limits image (build/mps2-an386/host/stc-mps2.elf: the
# core with boards/linux-host's limits, wolfSSL and lwIP NO_SYS=1 built
# from Debian's source packages for the Cortex-M4) with
#     qemu-system-arm -M mps2-an386 -nographic -semihosting
#         -nic tap,ifname=stctap0,script=no,downscript=no,model=lan9118
# inside the lab's network namespace: QEMU attaches the emulated LAN9118
# to the lab's tap device, the firmware is 192.0.2.2/24 behind gateway
# 192.0.2.1, as the lwIP-tap board is (lab_lwip.sh). It checks the same
# targets as lab_lwip.sh (read from it) - every domain of plain.test and
# sec.test, good.bogus.test, the relays mx-good.plain.test:587,
# mx-good.sec.test:465 and mx-good.plain.test - in one boot, reading the lab's CA (new at every
# lab start) and the target list through semihosting. The JSON lines it
# writes to its console are compared, normalized by normalize.py, with
# the POSIX CLI's on the same targets: the diff must be empty, the worst
# exit codes equal, and every target answered.
#
# The tap's MTU: the lab keeps it at 578 for Debian's liblwip (which
# overruns its heap on larger frames). This firmware's lwIP has no such
# limit, so the run raises it to 1500 and puts the old value back after
# (under the lab's tap lock, which lab_lwip.sh takes too); the log's
# rx_frame_max shows full-size frames arrived. IPv6: the firmware is IPv4
# only (boards/mps2-an386/lwipopts.h): it must report every IPv6 address
# as untested, the POSIX CLI must reach it (normalize.py checks each).
#
# The lab is brought up when it is not running and taken down at the end
# unless STC_LAB_KEEP=1 (STC_LAB_NS/STC_LAB_RUN select another lab). QEMU
# runs bounded by QEMU_LAB_SECONDS (default 600) and is stopped by its PID.
# Before all that it runs the port's host test (make test-lwip-raw), which
# needs no QEMU. Without qemu-system-arm or arm-none-eabi-gcc the rest is
# "skipped: why".
# QEMU_LAB_SAVE=DIR keeps the console log and both sides' JSON there.
# The last line is "qemu-lab: N passed, M failed". Needs root.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/integration/common.inc qemu-lab
here=tests/integration
run_dir=${STC_LAB_RUN:-$PWD/tests/lab/run}
elf=$build/mps2-an386/host/stc-mps2.elf
limit=${QEMU_LAB_SECONDS:-600}
started=0 qpid="" tap="" mtu_was=""

skip() {
    echo "skipped: $*"
    echo "qemu-lab: $pass passed, $fail failed, 1 skipped"
    [ "$fail" -eq 0 ]
    exit
}
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
    if [ -n "$qpid" ] && kill -0 "$qpid" 2>/dev/null; then
        kill "$qpid" 2>/dev/null
        wait "$qpid" 2>/dev/null
    fi
    if [ -n "$mtu_was" ]; then
        tests/lab/lab.sh exec ip link set "$tap" mtu "$mtu_was" 2>/dev/null
    fi
    [ "$started" -eq 1 ] && [ -z "${STC_LAB_KEEP:-}" ] && tests/lab/lab.sh down >/dev/null 2>&1
    t_cleanup
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
t_start=$(date +%s%N)

# First the port's host test (port/lwip-raw/test: lwIP NO_SYS=1 on this
# machine, loopback netif, fake clock): it needs no QEMU, only the lwip
# source package the firmware is built from.
make -s -j2 BUILD="$build" test-lwip-raw >"$tmp/unit.log" 2>&1
unit=$(sed -n 's/^test_lwip_raw: \([0-9]*\) passed, \([0-9]*\) failed.*$/\1 \2/p' "$tmp/unit.log")
if [ -n "$unit" ]; then
    pass=$((pass + ${unit% *})) fail=$((fail + ${unit#* }))
    grep '^FAIL' "$tmp/unit.log"
    echo "port/lwip-raw host test: ${unit% *} passed, ${unit#* } failed"
else
    bad "port/lwip-raw host test did not run:"; tail -n 10 "$tmp/unit.log"
fi

command -v qemu-system-arm >/dev/null || skip "no qemu-system-arm (apt-get install qemu-system-arm)"
command -v arm-none-eabi-gcc >/dev/null || skip "no arm-none-eabi-gcc to build the firmware"
qemu-system-arm -M help 2>/dev/null | grep -q '^mps2-an386 ' || skip "this qemu-system-arm has no mps2-an386"
if [ "$(id -u)" -ne 0 ]; then
    bad "the lab needs root (network namespace, tap device, Postfix)"
    finish; exit
fi
[ -x "$cli" ] || { bad "no $cli (run make)"; finish; exit; }

# The image: make brings it up to date (the first time it fetches Debian's
# wolfssl and lwip sources and builds them: a few minutes).
if make -s -j2 BUILD="$build" mps2-fetch >"$tmp/make.log" 2>&1 &&
    make -s -j2 BUILD="$build" mps2-host >>"$tmp/make.log" 2>&1 && [ -f "$elf" ]; then
    ok
else
    bad "the firmware does not build:"; tail -n 20 "$tmp/make.log"; finish; exit
fi

if ! tests/lab/lab.sh status 2>/dev/null | grep -q '^namespace .*: present' ||
   [ ! -f "$run_dir/lab.env" ]; then
    t0=$(date +%s)
    tests/lab/lab.sh up >"$tmp/up.log" 2>&1 || { cat "$tmp/up.log"; bad "lab up"; finish; exit; }
    started=1
    echo "lab up in $(( $(date +%s) - t0 )) s"
fi
# shellcheck source=/dev/null
. "$run_dir/lab.env"
tap=$STC_LAB_TAP

# The targets are lab_lwip.sh's own, read from it (its lines from
# 'domains=""' to 'relays=...'), so the two comparisons cannot drift apart.
domains="" relays=""
eval "$(sed -n '/^domains=""$/,/^relays=/p' $here/lab_lwip.sh)"
n=$(echo "$domains" | wc -w)
if [ "$n" -lt 40 ] || [ -z "$relays" ]; then
    bad "could not read the target list from $here/lab_lwip.sh ($n domains)"; finish; exit
fi
{
    echo "# qemu_lab.sh: the targets of lab_lwip.sh, one a line"
    for d in $domains; do echo "$d"; done
    for r in $relays; do echo "host $r"; done
} >"$tmp/targets"

# ---- the firmware under QEMU, on the lab's tap ----------------------------------
exec 9>"$run_dir/.tap.lock"
flock -w 300 9 || { bad "tap device $tap busy for 300 s (lock $run_dir/.tap.lock)"; finish; exit; }
mtu_was=$(tests/lab/lab.sh exec cat "/sys/class/net/$tap/mtu" 2>/dev/null)
[ -n "$mtu_was" ] || { bad "no tap device $tap in the lab"; finish; exit; }
tests/lab/lab.sh exec ip link set "$tap" mtu 1500 || bad "cannot set the MTU of $tap"
t0=$(date +%s%N)
tests/lab/lab.sh exec qemu-system-arm -M mps2-an386 -nographic -semihosting \
    -nic "tap,ifname=$tap,script=no,downscript=no,model=lan9118" -kernel "$elf" \
    -append "ca=$STC_LAB_CA targets=$tmp/targets ip=$STC_LAB_LWIP_ADDR/$STC_LAB_LWIP_PREFIX gw=$STC_LAB_TAP_ADDR resolver=$STC_LAB_RESOLVER trust_ad=1 ehlo=checker.lab.test" \
    </dev/null >"$tmp/console.txt" 2>"$tmp/qemu.err" &
qpid=$!
deadline=$(( $(date +%s) + limit ))
while kill -0 "$qpid" 2>/dev/null && [ "$(date +%s)" -lt "$deadline" ]; do sleep 0.2; done
if kill -0 "$qpid" 2>/dev/null; then
    bad "QEMU still running after $limit s: stopped (pid $qpid)"
    kill "$qpid" 2>/dev/null
fi
wait "$qpid" 2>/dev/null
qrc=$?
qpid=""
ms_qemu=$(( ($(date +%s%N) - t0) / 1000000 ))
tests/lab/lab.sh exec ip link set "$tap" mtu "$mtu_was" && mtu_was=""
exec 9>&-
grep '^{' "$tmp/console.txt" >"$tmp/board.jsonl"
sed -n '/^mps2/p' "$tmp/console.txt" | cut -c1-160 >"$tmp/boot.log"
if grep -q '^mps2: exit ' "$tmp/console.txt"; then ok
else bad "the firmware did not finish (QEMU status $qrc):"; tail -n 20 "$tmp/boot.log"
    sed 's/^/  qemu: /' "$tmp/qemu.err" | head -n 5; fi

# ---- the POSIX CLI on the same targets --------------------------------------------
t0=$(date +%s%N)
posix_rc=0
# shellcheck disable=SC2016 # expanded by sh -c inside the namespace
common='--json --ca-file "$STC_LAB_CA" --resolver "$STC_LAB_RESOLVER" --trust-resolver --cache-age 0 --ehlo checker.lab.test'
posix() {
    timeout 300 tests/lab/lab.sh exec sh -c "exec \"$cli\" $common $*" >>"$tmp/posix.jsonl" \
        2>>"$tmp/posix.err"
    rc=$?
    [ "$rc" -gt "$posix_rc" ] && posix_rc=$rc
}
: >"$tmp/posix.jsonl"
posix --jobs 1 "$domains" # one at a time, as the firmware
for r in $relays; do posix --host "$r"; done
ms_posix=$(( ($(date +%s%N) - t0) / 1000000 ))
echo "checked $n domains and $(echo "$relays" | wc -w) relays: firmware under QEMU $ms_qemu ms (boot included), POSIX $ms_posix ms"

# ---- compare --------------------------------------------------------------------------
if [ "$qrc" -eq "$posix_rc" ]; then ok
else bad "worst exit code: firmware $qrc, POSIX $posix_rc"; fi
for side in posix board; do
    lines=$(grep -c . "$tmp/$side.jsonl")
    want=$((n + $(echo "$relays" | wc -w)))
    if [ "$lines" -eq "$want" ]; then ok
    else bad "$side: $lines JSON lines for $want checks"; fi
done
if python3 $here/normalize.py --require-v6-reached <"$tmp/posix.jsonl" >"$tmp/posix.txt" 2>"$tmp/posix.norm"
then ok; else bad "POSIX side:"; sed 's/^/  /' "$tmp/posix.norm"; fi
if python3 $here/normalize.py --require-v6-untested <"$tmp/board.jsonl" >"$tmp/board.txt" 2>"$tmp/board.norm"
then ok; else bad "firmware side:"; sed 's/^/  /' "$tmp/board.norm"; fi
cut -d' ' -f1 "$tmp/posix.txt" "$tmp/board.txt" | LC_ALL=C sort -u >"$tmp/keys"
same=0 differ=""
while read -r k; do
    awk -v k="$k" '$1 == k' "$tmp/posix.txt" >"$tmp/a"
    awk -v k="$k" '$1 == k' "$tmp/board.txt" >"$tmp/b"
    if [ -s "$tmp/a" ] && cmp -s "$tmp/a" "$tmp/b"; then ok; same=$((same + 1))
    else fail=$((fail + 1)); differ="$differ $k"; fi
done <"$tmp/keys"
echo "normalized results: $same targets the same${differ:+, differing:$differ}"
if ! diff -u --label POSIX --label firmware "$tmp/posix.txt" "$tmp/board.txt" >"$tmp/diff"; then
    echo "FAIL: normalized results differ (- POSIX, + firmware):"
    head -n 200 "$tmp/diff"
    [ "$(wc -l <"$tmp/diff")" -gt 200 ] && echo "  ... ($(wc -l <"$tmp/diff") lines)"
else
    echo "normalized diff against POSIX: empty ($(wc -l <"$tmp/board.txt") lines compared)"
fi
echo "firmware log (first check and the end):"
sed -n '1,/^mps2: done/p' "$tmp/boot.log" | sed 's/^/  /'
grep -E '^mps2(-mem|-net|: exit)' "$tmp/boot.log" | sed 's/^/  /'
if [ -n "${QEMU_LAB_SAVE:-}" ] && mkdir -p "$QEMU_LAB_SAVE"; then
    cp "$tmp/console.txt" "$tmp/board.jsonl" "$tmp/posix.jsonl" "$tmp/board.txt" \
        "$tmp/posix.txt" "$QEMU_LAB_SAVE/" 2>/dev/null
    echo "console log and JSON kept in $QEMU_LAB_SAVE"
fi
echo "runtime $(( ($(date +%s%N) - t_start) / 1000000 )) ms"
finish
