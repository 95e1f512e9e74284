#!/bin/sh
# build_image.sh [BUILD] - link a Cortex-M4 firmware image: starttls-check's
# core and lwIP port, wolfSSL and lwIP, and print its size
#
#   sh boards/cortex-m4/build_image.sh [build]        (or: make image-cortex-m4)
#   sh boards/cortex-m4/build_image.sh --fetch [build]   sources only
#   sh boards/cortex-m4/build_image.sh --cost [build]    and what each wolfSSL
#                                                         option costs (below)
#
# 1. Fetches Debian 12's source packages of wolfssl (5.5.4) and lwip
#    (2.1.3) into BUILD/src-pkgs/ with a private apt configuration (deb-src
#    entries mirroring /etc/apt/sources.list.d/debian.sources, own lists
#    directory): the system's apt set-up is not touched. Nothing of it is
#    ever committed (BUILD is ignored). Needs the Debian mirror; skipped
#    when the sources are already there.
# 2. Compiles wolfSSL with boards/cortex-m4/user_settings.h and lwIP with
#    boards/cortex-m4/lwipopts.h for -mcpu=cortex-m4 -mthumb -Os, one
#    section per function, into BUILD/cortex-m4/image/.
# 3. Builds the core and port_lwip.c (make cross) and links them with
#    image/{startup,main,standins}.c, the trust anchor (the test CA, DER,
#    as a const array) and newlib-nano, --gc-sections, image/cortex-m4.ld.
# 4. Prints arm-none-eabi-size of the image and flash/RAM by component
#    (from the link map).
#
# 5. With --cost: relinks the image with wolfSSL built from variants of
#    user_settings.h (one option added or removed each) and prints the
#    flash and RAM difference. The variants are linked with unresolved
#    symbols allowed (without OPENSSL_EXTRA the core's calls have nothing
#    to call): they are for measuring, never for running.
#
# The image links but does not run: the RTOS and the MAC driver are
# stand-ins (image/standins.c says why). Exit 0 when it linked.
set -eu
cd "$(dirname "$0")/../.."

fetch_only=0 cost=0
case ${1:-} in
--fetch) fetch_only=1; shift ;;
--cost) cost=1; shift ;;
esac
BUILD=${1:-build}
BOARD=boards/cortex-m4
SRC=$BUILD/src-pkgs
OUT=$BUILD/cortex-m4/image
CROSS=${CM4_CROSS:-arm-none-eabi-}
CA=${BOARD_CA:-tests/vectors/certs/ca.der}
ARCH="-mcpu=cortex-m4 -mthumb"
COPT="$ARCH -Os -ffunction-sections -fdata-sections"

say() { echo "build_image: $*"; }
die() { echo "build_image: $*" >&2; exit 1; }

# ---- 1. sources ------------------------------------------------------------
fetch() {
    [ -f "$SRC/wolfssl/wolfssl/ssl.h" ] && [ -f "$SRC/lwip/src/core/tcp.c" ] && return 0
    command -v apt-get >/dev/null && command -v dpkg-source >/dev/null \
        || die "needs apt-get and dpkg-source (dpkg-dev) to fetch Debian's sources"
    mkdir -p "$SRC/apt/lists/partial" "$SRC/apt/sources"
    src_list="$SRC/apt/sources/src.sources"
    # deb-src twins of the system's deb entries (deb822 format)
    if [ -r /etc/apt/sources.list.d/debian.sources ]; then
        sed 's/^Types: deb$/Types: deb-src/' /etc/apt/sources.list.d/debian.sources >"$src_list"
    else
        die "no /etc/apt/sources.list.d/debian.sources to mirror"
    fi
    abs=$(cd "$SRC" && pwd)
    set -- -o Dir::Etc::SourceList=/dev/null -o "Dir::Etc::SourceParts=$abs/apt/sources" \
        -o "Dir::State::Lists=$abs/apt/lists" -o Dir::Cache::pkgcache= -o Dir::Cache::srcpkgcache=
    say "fetching Debian source packages wolfssl and lwip into $SRC"
    apt-get "$@" -qq update || die "apt-get update (private deb-src lists) failed"
    (cd "$SRC" && apt-get "$@" -qq source --download-only wolfssl lwip) \
        || die "apt-get source failed"
    rm -rf "$SRC/wolfssl" "$SRC/lwip"
    (cd "$SRC" && dpkg-source -q -x wolfssl_*.dsc wolfssl && dpkg-source -q -x lwip_*.dsc lwip) \
        || die "dpkg-source -x failed"
}
fetch
[ "$fetch_only" -eq 1 ] && { say "sources in $SRC"; exit 0; }

command -v "${CROSS}gcc" >/dev/null || die "${CROSS}gcc is missing (apt-get install gcc-arm-none-eabi libnewlib-arm-none-eabi)"
mkdir -p "$OUT/wolfssl" "$OUT/lwip" "$OUT/obj"
WS=$SRC/wolfssl
LW=$SRC/lwip

# compile_all OUTDIR FLAGS... -- FILES... : one object per file (kept when
# newer than its source and the board's headers)
compile_all() {
    dir=$1
    shift
    flags=""
    while [ "$1" != "--" ]; do
        flags="$flags $1"
        shift
    done
    shift
    for f in "$@"; do
        o="$dir/$(echo "$f" | tr / _ | sed 's/\.c$/.o/')"
        if [ "$o" -nt "$f" ] && [ "$o" -nt "$newest_hdr" ]; then
            continue
        fi
        # shellcheck disable=SC2086 # flags are words
        "${CROSS}gcc" $flags -c "$f" -o "$o" 2>"$o.log" || { cat "$o.log"; die "$f does not compile"; }
    done
}

# the board header changed last: objects older than it are rebuilt
newest_hdr=$(ls -t "$BOARD"/*.h "$BOARD"/arch/*.h | head -n 1)

# ---- 2. wolfSSL and lwIP for the target --------------------------------------
say "wolfSSL $(sed -n 's/^#define LIBWOLFSSL_VERSION_STRING "\(.*\)"/\1/p' "$WS/wolfssl/version.h") with $BOARD/user_settings.h"
compile_all "$OUT/wolfssl" $COPT -w -DWOLFSSL_USER_SETTINGS -I"$BOARD" -I"$WS" -- \
    "$WS"/src/internal.c "$WS"/src/ssl.c "$WS"/src/tls.c "$WS"/src/tls13.c "$WS"/src/keys.c \
    "$WS"/src/wolfio.c "$WS"/wolfcrypt/src/*.c
rm -f "$OUT/libwolfssl.a" && "${CROSS}ar" rcs "$OUT/libwolfssl.a" "$OUT"/wolfssl/*.o

lwv=$(sed -n 's/^#define LWIP_VERSION_\(MAJOR\|MINOR\|REVISION\) *\([0-9]*\).*/\2/p' "$LW/src/include/lwip/init.h" | tr -d '\r' | paste -sd.)
say "lwIP $lwv with $BOARD/lwipopts.h"
compile_all "$OUT/lwip" $COPT -std=gnu11 -w -I"$BOARD" -I"$LW/src/include" -- \
    "$LW"/src/core/*.c "$LW"/src/core/ipv4/*.c "$LW"/src/api/*.c "$LW"/src/netif/ethernet.c
rm -f "$OUT/liblwip.a" && "${CROSS}ar" rcs "$OUT/liblwip.a" "$OUT"/lwip/*.o

# ---- 3. our objects, the image, the link ---------------------------------------
say "the core and port_lwip.c (make cross)"
make -s BUILD="$BUILD" cross >/dev/null || die "make cross failed"

# the trust anchor as a const array in flash
{
    echo "/* generated by build_image.sh from $CA */"
    echo "#include <stddef.h>"
    echo "#include <stdint.h>"
    echo "const uint8_t board_anchors[] = {"
    od -An -v -tx1 "$CA" | sed 's/ *\([0-9a-f][0-9a-f]\)/0x\1,/g'
    echo "};"
    echo "const size_t board_anchors_len = sizeof board_anchors;"
} >"$OUT/obj/anchors.c"

IMGFLAGS="$COPT -std=gnu11 -Wall -Wextra -Werror -Iinclude -Iinclude/stc -I$BOARD -I$BOARD/image -Isrc -Iport/lwip -I$LW/src/include"
for f in $BOARD/image/startup.c $BOARD/image/main.c $BOARD/image/standins.c $OUT/obj/anchors.c; do
    "${CROSS}gcc" $IMGFLAGS -c "$f" -o "$OUT/obj/$(basename "$f" .c).o" || die "$f does not compile"
done

# link ELF MAP LIBWOLFSSL [LDFLAGS...] : the image
link() {
    elf=$1 map=$2 wlib=$3
    shift 3
    "${CROSS}gcc" $ARCH -T "$BOARD/image/cortex-m4.ld" -nostartfiles --specs=nano.specs \
        --specs=nosys.specs -Wl,--gc-sections -Wl,-Map="$map" "$@" -o "$elf" \
        "$OUT"/obj/*.o "$BUILD/cortex-m4/port/lwip/port_lwip.o" "$BUILD/cortex-m4/libstc.a" \
        "$wlib" "$OUT/liblwip.a" -lc_nano -lgcc 2>"$elf.log"
}
ELF=$OUT/starttls-check-cm4.elf
say "linking $ELF"
link "$ELF" "$OUT/image.map" "$OUT/libwolfssl.a" || { cat "$ELF.log"; die "the image did not link"; }
grep -v 'has a LOAD segment with RWX permissions' "$ELF.log" || true

# ---- 4. sizes ----------------------------------------------------------------------
echo
"${CROSS}size" -A "$ELF" | awk '$1 ~ /^\.(isr_vector|text|ARM.exidx|init_array|fini_array|data|bss|ccm|stack_reserve)$/'
"${CROSS}size" "$ELF"
echo
python3 "$BOARD/image/mapsize.py" "$OUT/image.map" "$BUILD"

# ---- 5. what wolfSSL's options cost ------------------------------------------------
[ "$cost" -eq 1 ] || exit 0
# totals MAP -> "flash bss" of the linked image
totals() {
    python3 "$BOARD/image/mapsize.py" "$1" | awk '$1 == "total" {print $2, $4}'
}
set -- $(totals "$OUT/image.map")
base_flash=$1 base_bss=$2
# variant NAME DESCRIPTION SED-SCRIPT : relink with a changed user_settings.h
variant() {
    vdir=$OUT/variants/$1
    mkdir -p "$vdir/obj" "$vdir/inc"
    sed "$3" "$BOARD/user_settings.h" >"$vdir/inc/user_settings.h"
    newest_hdr=$vdir/inc/user_settings.h
    compile_all "$vdir/obj" $COPT -w -DWOLFSSL_USER_SETTINGS -I"$vdir/inc" -I"$BOARD" -I"$WS" -- \
        "$WS"/src/internal.c "$WS"/src/ssl.c "$WS"/src/tls.c "$WS"/src/tls13.c "$WS"/src/keys.c \
        "$WS"/src/wolfio.c "$WS"/wolfcrypt/src/*.c
    rm -f "$vdir/libwolfssl.a" && "${CROSS}ar" rcs "$vdir/libwolfssl.a" "$vdir"/obj/*.o
    if link "$vdir/image.elf" "$vdir/image.map" "$vdir/libwolfssl.a" \
        -Wl,--unresolved-symbols=ignore-all; then
        set -- "$1" "$2" $(totals "$vdir/image.map")
        printf '  %-44s %+8d %+8d\n' "$2" "$((base_flash - $3))" "$((base_bss - $4))"
    else
        printf '  %-44s did not link: %s\n' "$2" "$(head -c 200 "$vdir/image.elf.log")"
    fi
}
echo
echo "What each wolfSSL option of user_settings.h costs in this image (bytes; the"
echo "figure is what the board pays for having it as it is set now):"
printf '  %-44s %8s %8s\n' "option as set" "flash" "RAM bss"
variant openssl_extra "OPENSSL_EXTRA + HAVE_EX_DATA (needed)" '/^#define \(OPENSSL_EXTRA\|HAVE_EX_DATA\)$/d'
variant no_error_strings "NO_ERROR_STRINGS (saves; else IANA names)" '/^#define NO_ERROR_STRINGS/d'
variant aes_cbc "AES-CBC suites kept" 's|^#define HAVE_AESGCM$|#define HAVE_AESGCM\n#define NO_AES_CBC|'
variant chacha "ChaCha20-Poly1305" '/^#define HAVE_\(CHACHA\|POLY1305\)$/d'
variant p384 "P-384 (HAVE_ECC384)" '/^#define HAVE_ECC384$/d'
variant no_old_tls "NO_OLD_TLS + NO_MD5 (saves)" '/^#define \(NO_OLD_TLS\|NO_MD5\)\b/d'
variant no_dh "NO_DH (saves; DHE suites, FFDHE-2048)" 's|^#define NO_DH$|#define HAVE_FFDHE_2048|'
variant no_session_cache "NO_SESSION_CACHE (saves)" '/^#define NO_SESSION_CACHE$/d'
variant small_stack "WOLFSSL_SMALL_STACK (flash; stack saved)" '/^#define WOLFSSL_SMALL_STACK$/d'
echo "  (a negative figure: setting the option saves that much; the variants link"
echo "   with unresolved symbols allowed and are not runnable)"
