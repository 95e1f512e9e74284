#!/bin/bash
# install.sh - what `make install` puts in place is usable on its own:
#   1. the tree: `make install PREFIX=<tmp>` lays out the CLI, the headers,
#      libstc.a, libstc.so with its soname links, stc.pc, the man page and
#      the bash completion, and nothing else; DESTDIR staging gives the same
#      tree and a stc.pc that never names the staging directory
#   2. the shared library: soname, links, its wolfSSL dependency, and it
#      exports exactly the functions the installed headers declare
#   3. README.md's example program (cut from between its markers, so the
#      README cannot rot) builds outside the tree with `pkg-config --cflags
#      --libs stc` alone, shared and fully static (`pkg-config --static`)
#   4. both run against local fixtures (dns-test-server on 127.0.83.40:53
#      and smtp-test-server, loopback; root): the JSON result and the exit
#      code of a good domain, one without STARTTLS and an NXDOMAIN
#   5. the man page renders (groff -ww: no warnings; man -l), and its
#      OPTIONS, --help and the bash completion name the same options
#   6. `make uninstall` removes every file install put there
set -u
cd "$(dirname "$0")/../.."
. tests/integration/common.inc install
res=127.0.83.40
cc=${CC:-cc}
src=$PWD
prefix=$tmp/usr
export PKG_CONFIG_PATH=$prefix/lib/pkgconfig
unset PKG_CONFIG_LIBDIR PKG_CONFIG_SYSROOT_DIR CPATH C_INCLUDE_PATH LIBRARY_PATH LD_LIBRARY_PATH

# mk ARGS... - make from the source tree into $tmp/make.log; not the outer
# make's flags (its jobserver is not ours), LDCONFIG=: (never the system's)
mk() { MAKEFLAGS= MAKELEVEL= make -s --no-print-directory BUILD="$build" LDCONFIG=: "$@" \
    >"$tmp/make.log" 2>&1; }
# tree DIR - the files and links under DIR, relative, sorted
tree() { (cd "$1" && find . \( -type f -o -type l \) | sed 's|^\./||' | sort); }
# opts - option names (-x, --xyz) in stdin, one a line, sorted
opts() { grep -oE '(^|[][ ,(])-{1,2}[a-z][a-z0-9-]*' | sed 's/^[][ ,(]//' | sort -u; }

# ---- 1. the tree ------------------------------------------------------------
if ! mk PREFIX="$prefix" install; then
    bad "make install PREFIX=$prefix: $(tail -c 600 "$tmp/make.log")"
    finish
    exit 1
fi
ok
version=$("$prefix/bin/starttls-check" --version | sed -n 's/^starttls-check \([0-9][0-9.]*\) .*/\1/p')
[ -n "$version" ] && ok || bad "installed CLI: no version from --version"
{
    echo bin/starttls-check
    for h in include/stc/*.h port/posix/stc_posix.h stc_config.h; do echo "include/stc/${h##*/}"; done
    printf 'lib/%s\n' libstc.a libstc.so libstc.so.0 "libstc.so.$version" pkgconfig/stc.pc
    echo share/man/man1/starttls-check.1
    echo share/bash-completion/completions/starttls-check
} | sort -u >"$tmp/want.tree"
tree "$prefix" >"$tmp/got.tree"
cmp -s "$tmp/want.tree" "$tmp/got.tree" && ok ||
    bad "install tree differs (-wanted +got): $(diff "$tmp/want.tree" "$tmp/got.tree" | grep '^[<>]' | tr '\n' ' ')"
cmp -s "$prefix/include/stc/stc_config.h" boards/linux-host/stc_config.h && ok ||
    bad "installed stc_config.h is not the linux-host board's the library was built with"

# staging: the same tree under DESTDIR, stc.pc naming the real prefix only
if mk DESTDIR="$tmp/stage" PREFIX=/usr/local install; then
    ok
    tree "$tmp/stage/usr/local" >"$tmp/stage.tree"
    cmp -s "$tmp/got.tree" "$tmp/stage.tree" && ok || bad "DESTDIR install tree differs from the PREFIX one"
    pc=$tmp/stage/usr/local/lib/pkgconfig/stc.pc
    grep -qx 'prefix=/usr/local' "$pc" && ok || bad "staged stc.pc: no prefix=/usr/local"
    grep -q "$tmp" "$pc" && bad "staged stc.pc names the staging directory" || ok
    if mk DESTDIR="$tmp/stage" PREFIX=/usr/local uninstall; then ok; else bad "make uninstall DESTDIR: $(tail -c 300 "$tmp/make.log")"; fi
    [ -z "$(tree "$tmp/stage")" ] && ok || bad "left after uninstall (DESTDIR): $(tree "$tmp/stage" | tr '\n' ' ')"
else
    bad "make install DESTDIR: $(tail -c 600 "$tmp/make.log")"
fi

# ---- 2. the shared library ---------------------------------------------------
lib=$prefix/lib
[ "$(readlink "$lib/libstc.so.0")" = "libstc.so.$version" ] && ok || bad "libstc.so.0 -> $(readlink "$lib/libstc.so.0")"
[ "$(readlink "$lib/libstc.so")" = "libstc.so.0" ] && ok || bad "libstc.so -> $(readlink "$lib/libstc.so")"
if command -v readelf >/dev/null 2>&1; then
    readelf -d "$lib/libstc.so.$version" >"$tmp/dyn"
    grep -q 'SONAME.*\[libstc\.so\.0\]' "$tmp/dyn" && ok || bad "soname: $(grep SONAME "$tmp/dyn")"
    grep -q 'NEEDED.*\[libwolfssl\.so' "$tmp/dyn" && ok || bad "libstc.so does not name libwolfssl as NEEDED"
else
    skip "no readelf: soname not checked"
fi
printf '#include <stc/stc.h>\n#include <stc/stc_posix.h>\n' |
    "$cc" -E -P -I"$prefix/include" - | grep -o '[ *]stc_[a-z0-9_]*(' | tr -d ' *(' | sort -u >"$tmp/declared"
nm -D --defined-only "$lib/libstc.so.$version" | awk 'NF == 3 && $2 ~ /[TWi]/ {print $3}' | sort -u >"$tmp/exported"
[ "$(wc -l <"$tmp/declared")" -gt 40 ] && ok || bad "only $(wc -l <"$tmp/declared") functions found in the installed headers"
cmp -s "$tmp/declared" "$tmp/exported" && ok ||
    bad "exports differ from the headers' functions (-declared +exported): $(diff "$tmp/declared" "$tmp/exported" | grep '^[<>]' | tr '\n' ' ')"
[ "$(pkg-config --modversion stc)" = "$version" ] && ok || bad "pkg-config --modversion: $(pkg-config --modversion stc)"

# ---- 3. the README's example, built with pkg-config alone --------------------
mkdir -p "$tmp/ex"
sed -n '/^<!-- example check_domain.c: begin -->$/,/^<!-- example check_domain.c: end -->$/p' README.md |
    sed '1d;$d' | sed '1{/^```c$/d};${/^```$/d}' >"$tmp/ex/check_domain.c"
grep -q 'stc_check_run' "$tmp/ex/check_domain.c" && ! grep -q '^```' "$tmp/ex/check_domain.c" && ok ||
    bad "no example program between the markers in README.md"
flags=$(pkg-config --cflags --libs stc)
sflags=$(pkg-config --static --cflags --libs stc)
echo "  pkg-config --cflags --libs stc:          $flags"
echo "  pkg-config --static --cflags --libs stc: $sflags"
[ "$(echo $flags)" = "-I$prefix/include -L$prefix/lib -lstc" ] && ok || bad "pkg-config --cflags --libs: $flags"
case " $sflags " in *" -lstc "*"-lwolfssl "*"-lm "*) ok ;; *) bad "pkg-config --static: $sflags" ;; esac
case "$flags $sflags" in *"$src"*) bad "pkg-config names the source tree: $flags" ;; *) ok ;; esac
sanitized=""
nm "$build/libstc.a" 2>/dev/null | grep -q '__asan_\|__ubsan_' && sanitized=1
built=""
if [ -n "$sanitized" ]; then
    skip "a sanitizer build: a program built with pkg-config alone cannot link its runtime (make check runs this)"
else
    (cd "$tmp/ex" && $cc -std=c99 -Wall -Wextra -Werror -o check_shared check_domain.c $flags) \
        >"$tmp/cc.log" 2>&1 && ok || bad "shared build: $(head -c 600 "$tmp/cc.log")"
    (cd "$tmp/ex" && $cc -std=c99 -Wall -Wextra -Werror -static -o check_static check_domain.c $sflags) \
        >"$tmp/cc.log" 2>&1 && ok || bad "static build: $(grep -v getaddrinfo "$tmp/cc.log" | head -c 600)"
    if [ -x "$tmp/ex/check_shared" ] && [ -x "$tmp/ex/check_static" ]; then
        built=1
        readelf -d "$tmp/ex/check_shared" | grep -q 'NEEDED.*\[libstc\.so\.0\]' && ok ||
            bad "the shared example does not need libstc.so.0"
        LD_LIBRARY_PATH=$lib ldd "$tmp/ex/check_shared" | grep -q "libstc.so.0 => $lib/libstc.so.0" && ok ||
            bad "the shared example does not load libstc.so.0 from the install"
        readelf -d "$tmp/ex/check_static" 2>/dev/null | grep -q NEEDED && bad "the static example needs shared libraries" || ok
        "$tmp/ex/check_static" >"$tmp/out" 2>&1
        [ $? -eq 3 ] && grep -q usage "$tmp/out" && ok || bad "static example without arguments: $(head -c 200 "$tmp/out")"
    fi
fi

# ---- 4. both examples against local fixtures ---------------------------------
# run_ex WHICH DOMAIN CODE STATUS - exit code and the JSON's domain and status
run_ex() {
    local which=$1 domain=$2 code=$3 status=$4
    LD_LIBRARY_PATH=$lib "$tmp/ex/check_$which" "$domain" "$res" "$sport" "$certs/ca.pem" \
        >"$tmp/out" 2>"$tmp/err"
    local rc=$?
    [ "$rc" -eq "$code" ] && ok || bad "$which $domain: exit $rc, wanted $code: $(head -c 300 "$tmp/err")"
    local got
    got=$(python3 -c 'import json, sys
lines = open(sys.argv[1]).read().splitlines()
o = json.loads(lines[0])
print(len(lines), o["domain"], o["status_text"])' "$tmp/out" 2>/dev/null)
    [ "$got" = "1 $domain $status" ] && ok || bad "$which $domain: '$got', wanted '1 $domain $status': $(head -c 300 "$tmp/out")"
    printf '  %-7s %-13s exit %d, %s\n' "$which" "$domain" "$rc" "${got#* }"
}
if [ -z "$built" ]; then
    skip "the example runs (not built here)"
elif [ "$(id -u)" -ne 0 ]; then
    skip "the example runs need root (a DNS server on port 53)"
else
    cat "$certs/wildcard.pem" "$certs/int.pem" >"$tmp/chain.pem"
    spawn "$tmp/good.out" "$srv" --port 0 --mode good --name mx.example.test \
        --cert "$tmp/chain.pem" --key "$certs/leaf.key" --max-seconds 120 || { finish; exit 1; }
    sport=$port
    spawn "$tmp/plain.out" "$srv" --addr 127.0.0.2 --port "$sport" --mode nostarttls \
        --max-seconds 120 || { finish; exit 1; }
    cat >"$tmp/zone" <<'ZONE'
good.test MX 10 mx.example.test
mx.example.test A 127.0.0.1
plain.test MX 10 mx.plain.test
mx.plain.test A 127.0.0.2
ZONE
    spawn "$tmp/dns.out" "$dns" --addr $res --port 53 --zone "$tmp/zone" --max-seconds 120 ||
        { finish; exit 1; }
    for which in shared static; do
        run_ex $which good.test 0 success
        run_ex $which plain.test 2 no_starttls
        run_ex $which nosuch.test 3 error
    done
fi

# ---- 5. the man page and the completion ----------------------------------------
man1=$prefix/share/man/man1/starttls-check.1
# rendered as man does it (groff), plain text, every warning on
if command -v groff >/dev/null 2>&1; then
    groff -man -Tutf8 -ww -P-cbou "$man1" >"$tmp/man.txt" 2>"$tmp/groff.err"
    grep -q '^OPTIONS' "$tmp/man.txt" && grep -q '^EXIT STATUS' "$tmp/man.txt" && ok ||
        bad "groff does not render the page: $(head -c 300 "$tmp/man.txt")"
    [ ! -s "$tmp/groff.err" ] && ok || bad "groff -ww warns: $(head -c 400 "$tmp/groff.err")"
else
    skip "no groff (groff-base): the page's rendering not checked"
fi
if command -v man >/dev/null 2>&1; then
    MANWIDTH=80 man -l "$man1" >"$tmp/man.txt" 2>"$tmp/man.err"
    grep -q 'EXIT STATUS' "$tmp/man.txt" && [ ! -s "$tmp/man.err" ] && ok ||
        bad "man -l does not render it: $(head -c 300 "$tmp/man.err")"
    [ "$(man -M "$prefix/share/man" -w starttls-check 2>/dev/null)" = "$man1" ] && ok ||
        bad "man -M PREFIX/share/man does not find starttls-check"
else
    skip "no man (man-db): man -l not tried"
fi
"$prefix/bin/starttls-check" --help | opts >"$tmp/help.opts"
# the man page's documented options: the tag line after each .TP in OPTIONS
awk '/^\.SH/ {sec = $2} sec == "OPTIONS" && tp {print; tp = 0; next}
     sec == "OPTIONS" && /^\.TP/ {tp = 1}' "$man1" |
    sed 's/\\f[BIRP]//g; s/\\-/-/g; s/\\%//g' | opts >"$tmp/man.opts"
[ "$(wc -l <"$tmp/help.opts")" -gt 15 ] && ok || bad "only $(wc -l <"$tmp/help.opts") options found in --help"
cmp -s "$tmp/help.opts" "$tmp/man.opts" && ok ||
    bad "--help and the man page's OPTIONS differ (-help +man): $(diff "$tmp/help.opts" "$tmp/man.opts" | grep '^[<>]' | tr '\n' ' ')"
comp=$prefix/share/bash-completion/completions/starttls-check
# complete WORDS... - what the completion offers for the last word
complete_words() { bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
    _starttls_check; printf "%s\n" "${COMPREPLY[@]}"' complete "$comp" "$@"; }
complete_words starttls-check - | sort -u >"$tmp/comp.opts"
cmp -s "$tmp/help.opts" "$tmp/comp.opts" && ok ||
    bad "--help and the completion differ (-help +completion): $(diff "$tmp/help.opts" "$tmp/comp.opts" | grep '^[<>]' | tr '\n' ' ')"
mkdir -p "$tmp/files" && touch "$tmp/files/anchors.pem"
[ "$(complete_words starttls-check --ca-file "$tmp/files/anc")" = "$tmp/files/anchors.pem" ] && ok ||
    bad "completion after --ca-file: '$(complete_words starttls-check --ca-file "$tmp/files/anc")'"
[ -z "$(complete_words starttls-check --port -)" ] && ok || bad "completion offers options as the value of --port"

# ---- 6. uninstall ---------------------------------------------------------------
if mk PREFIX="$prefix" uninstall; then ok; else bad "make uninstall: $(tail -c 300 "$tmp/make.log")"; fi
[ -z "$(tree "$prefix")" ] && ok || bad "left after uninstall: $(tree "$prefix" | tr '\n' ' ')"
finish
