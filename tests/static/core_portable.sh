#!/bin/sh
# core_portable.sh - the core stays portable and allocation-free:
#  1. src/ includes no OS, socket or stdio header (only the freestanding C
#     headers, string.h, our own and wolfSSL's);
#  2. the core objects reference no allocator and no OS call (nm);
#  3. the core compiles against the headers of a bare-metal toolchain when
#     one is installed (arm-none-eabi-gcc), else freestanding on the host.
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
    used=$(nm -u $objs | awk '{print $NF}' | sort -u)
    hits=$(echo "$used" | grep -E "$forbidden" || true)
    if [ -n "$hits" ]; then bad "core objects call: $(echo $hits)"; else ok; fi
    echo "core objects reference from libc: $(echo "$used" | grep -v -E '^(wolf|wc_|stc_|__)' | tr '\n' ' ')"
fi

if command -v arm-none-eabi-gcc >/dev/null 2>&1; then
    for f in src/*.c; do
        case "$f" in src/tls.c|src/cert.c|src/arena.c|src/init.c) continue ;; esac  # need wolfSSL's target build
        if arm-none-eabi-gcc -std=c99 -Os -mthumb -mcpu=cortex-m4 -Wall -Wextra -Werror \
            -Iinclude -Iinclude/stc -Iboards/linux-host -Isrc -fsyntax-only "$f" 2>/tmp/portable.$$; then ok
        else bad "$f does not compile for Cortex-M4"; cat /tmp/portable.$$; fi
    done
    rm -f /tmp/portable.$$
else
    for f in src/*.c; do
        if cc -std=c99 -ffreestanding -Wall -Wextra -Werror -Iinclude -Iinclude/stc \
            -Iboards/linux-host -Isrc -fsyntax-only "$f"; then ok; else bad "$f freestanding"; fi
    done
fi
echo "core-portable: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
