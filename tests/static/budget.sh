#!/bin/sh
# budget.sh - the deterministic memory budget of every board profile
#
#  1. With each profile's own compiler (the host's for linux-host and
#     lwip-tap, arm-none-eabi-gcc for cortex-m4, else -m32 when the host
#     compiler has it, else the check is reported as not possible: a 64-bit
#     layout says nothing about the board's), asserted at compile time (a
#     negative array size when over):
#     - linux-host: one job with its result (what each domain in flight
#       costs, stc_job_t) <= 16 KiB;
#     - cortex-m4: an engine with one connection slot and one DNS slot plus
#       one job and its result <= 12 KiB, for 8 MX hosts;
#     - lwip-tap: engine + job (stc_check_t) <= 72 KiB.
#  2. The core objects of each profile reference no allocator (nm -u): all
#     memory is the caller's structs and the wolfSSL arena.
# Run from the repository root after make (BUILD=build by default). The
# last line is "budget: N passed, M failed".
BUILD=${BUILD:-build}
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok   $*"; }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/budget.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

cat >"$tmp/budget.c" <<'EOF2'
#include "stc/stc.h"
#define STC_ENGINE_1_1 (STC_MAX_CONN == 1 && STC_MAX_DNS == 1)
#if STC_WHAT == 1
#define STC_SIZE sizeof(stc_job_t)
#elif STC_WHAT == 2
#define STC_SIZE (sizeof(stc_engine_t) + sizeof(stc_job_t))
#else
#define STC_SIZE sizeof(stc_check_t)
#endif
/* fails to compile when over budget */
typedef char stc_budget_ok[(STC_SIZE <= STC_BUDGET) ? 1 : -1];
#ifdef STC_BUDGET_MX
typedef char stc_budget_mx[(STC_MAX_MX >= STC_BUDGET_MX) ? 1 : -1];
#endif
#if STC_WHAT == 2
typedef char stc_budget_slots[STC_ENGINE_1_1 ? 1 : -1];
#endif
/* the size itself, readable with nm -S (objects of any target) */
const char stc_budget_size[STC_SIZE] = {0};
EOF2

# size_of CC NM BOARD WHAT -> the measured size as that compiler lays it out
size_of() {
    $1 -std=c99 -Iinclude -Iinclude/stc -Iboards/"$3" -DSTC_BUDGET=0x7fffffff -DSTC_WHAT="$4" \
        -c "$tmp/budget.c" -o "$tmp/size.o" 2>/dev/null || return 1
    $2 -S -t d "$tmp/size.o" | awk '$4 == "stc_budget_size" {print $2 + 0}'
}

# budget BOARD WHAT LIMIT CC NM [MX] : assert the size <= LIMIT
budget() {
    board=$1 what=$2 limit=$3 compiler=$4 nmtool=$5 mx=${6:-}
    case $what in
    1) label="sizeof(stc_job_t)" ;;
    2) label="engine (1 connection, 1 DNS slot) + job" ;;
    *) label="sizeof(stc_check_t)" ;;
    esac
    size=$(size_of "$compiler" "$nmtool" "$board" "$what")
    if $compiler -std=c99 -Iinclude -Iinclude/stc -Iboards/"$board" -DSTC_BUDGET="$limit" \
        -DSTC_WHAT="$what" ${mx:+-DSTC_BUDGET_MX=$mx} -c "$tmp/budget.c" -o "$tmp/b.o" 2>"$tmp/err"; then
        ok "$board: $label $size <= $limit${mx:+ with STC_MAX_MX >= $mx} ($compiler)"
    else
        bad "$board: $label ${size:-?} over $limit${mx:+ or STC_MAX_MX < $mx} ($compiler): $(grep -m1 error "$tmp/err")"
    fi
}

budget linux-host 1 16384 cc nm
budget lwip-tap 0 $((72 * 1024)) cc nm
if command -v arm-none-eabi-gcc >/dev/null 2>&1; then
    budget cortex-m4 2 12288 "arm-none-eabi-gcc -mcpu=cortex-m4 -mthumb" arm-none-eabi-nm 8
elif echo 'int x;' | cc -m32 -x c -c -o "$tmp/m32.o" - 2>/dev/null; then
    echo "note: no arm-none-eabi-gcc; cortex-m4 laid out by cc -m32 (i386 aligns int64 to 4, the board to 8)"
    budget cortex-m4 2 12288 "cc -m32" nm 8
else
    bad "cortex-m4: no arm-none-eabi-gcc and no cc -m32: the 32-bit layout cannot be checked here (apt-get install gcc-arm-none-eabi)"
fi

# ---- no allocator in the core objects of any profile ------------------------------
alloc='^(malloc|calloc|realloc|free|reallocarray|strdup|strndup|aligned_alloc|posix_memalign|memalign|valloc|alloca|sbrk|_sbrk|mmap|_malloc_r|_calloc_r|_realloc_r|_free_r)$'
for dir in src lwip-tap/src cortex-m4/src; do
    objs=$(ls "$BUILD/$dir"/*.o 2>/dev/null)
    nmtool=nm
    case $dir in cortex-m4/*) nmtool=arm-none-eabi-nm ;; esac
    if [ -z "$objs" ]; then
        case $dir in
        cortex-m4/*) command -v arm-none-eabi-gcc >/dev/null 2>&1 || {
                echo "note: no cortex-m4 objects (no cross compiler): allocator check skipped"
                continue
            } ;;
        lwip-tap/*) pkg-config --exists lwip 2>/dev/null || {
                echo "note: no lwip-tap objects (liblwip-dev missing): allocator check skipped"
                continue
            } ;;
        esac
        bad "no core objects in $BUILD/$dir (run make first)"
        continue
    fi
    # shellcheck disable=SC2086
    hits=$($nmtool -u $objs | awk '{print $NF}' | sort -u | grep -E "$alloc")
    if [ -n "$hits" ]; then
        bad "$BUILD/$dir: the core references $(echo $hits)"
    else
        ok "$BUILD/$dir: no allocator referenced ($(echo $objs | wc -w) objects)"
    fi
done

echo "budget: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
