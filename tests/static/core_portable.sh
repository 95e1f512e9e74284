#!/bin/sh
# core_portable.sh - the core stays portable and allocation-free:
#  1. src/ includes no OS, socket or stdio header (only the freestanding C
#     headers, string.h, our own and wolfSSL's);
#  2. the core objects reference no allocator and no OS call (nm);
#  3. every core file was cross-compiled for the Cortex-M4 board when the
#     bare-metal toolchain is installed, else compiles freestanding here.
build=${BUILD:-build}
pass=0 fail=0
ok()  { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

allowed='^(stddef|stdint|string|stdarg|limits)\.h$|^wolfssl/|^stc'
for f in src/*.c src/*.h; do
    for h in $(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"]\([^>"]*\)[>"].*/\1/p' "$f"); do
        if echo "$h" | grep -Eq "$allowed" || [ -f "src/$h" ]; then ok; else bad "$f includes <$h>"; fi
    done
done

objs=$(ls "$build"/src/*.o 2>/dev/null)
if [ -z "$objs" ]; then
    bad "no core objects in $build/src (run make first)"
else
    forbidden='^(malloc|calloc|realloc|free|strdup|socket|connect|poll|select|read|write|open|close|fopen|printf|fprintf|snprintf|sprintf|getaddrinfo|gethostbyname|clock_gettime|time|gettimeofday|rand|random|getrandom|exit|abort)$'
    used=$(nm -u $objs | awk 'NF == 2 {print $2}' | sort -u)
    hits=$(echo "$used" | grep -E "$forbidden" || true)
    if [ -n "$hits" ]; then bad "core objects call: $(echo $hits)"; else ok; fi
    echo "core objects reference from libc: $(echo "$used" | grep -v -E '^(wolf|wc_|stc_|__)' | tr '\n' ' ')"
fi

if command -v arm-none-eabi-gcc >/dev/null 2>&1; then
    # `make` cross-compiles every core file for the Cortex-M4 board
    # (boards/cortex-m4/board.mk, wolfSSL from its user_settings.h)
    for f in src/*.c; do
        o="$build/cortex-m4/${f%.c}.o"
        if [ -f "$o" ] && [ "$o" -nt "$f" ]; then ok; else bad "$f has no up-to-date Cortex-M4 object ($o)"; fi
    done
else
    for f in src/*.c; do
        if cc -std=c99 -ffreestanding -Wall -Wextra -Werror -Iinclude -Iinclude/stc \
            -Iboards/linux-host -Isrc -fsyntax-only "$f"; then ok; else bad "$f freestanding"; fi
    done
fi
echo "core-portable: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
