#!/usr/bin/env bash
# suites.sh - list every TLS version and cipher suite each lab listener accepts
#
# Usage: suites.sh [LISTENER...]    (default: every TLS listener of the lab)
#
# One STARTTLS handshake per (version, suite): openssl s_client for what
# Debian's OpenSSL 3 can offer (at @SECLEVEL=0, RSA-authenticated and
# anonymous suites; ECDSA/DSS/PSK/SRP suites are left out: every lab
# certificate is RSA), gnutls-cli for 3DES and RC4, which that OpenSSL lacks.
# A version is probed suite by suite only when a handshake offering all
# OpenSSL suites of that version succeeds (the GnuTLS ones are always tried). Output, one line per listener and version:
#     LISTENER VERSION SUITE...      (OpenSSL names; GnuTLS ones for 3DES/RC4)
# About 2-3 minutes for the whole lab; README.md's listener table was made
# from its output. Runs inside the lab namespace (via lab.sh exec).

set -uo pipefail

LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if [ -z "${STC_LAB_INSIDE:-}" ]; then
    exec "$LAB_DIR/lab.sh" exec env STC_LAB_INSIDE=1 bash "$LAB_DIR/suites.sh" "$@"
fi

# handshake ADDR VERSION SUITES - does s_client complete with these?
handshake() {
    local v=-tls${2/./_} s=(-cipher "$3:@SECLEVEL=0")
    [ "$2" = 1.0 ] && v=-tls1
    [ "$2" = 1.3 ] && s=(-ciphersuites "$3")
    timeout 10 openssl s_client -brief -starttls smtp -connect "$1:25" "$v" "${s[@]}" </dev/null 2>&1 |
        grep '^CONNECTION ESTABLISHED' >/dev/null  # not -q: an early exit would SIGPIPE openssl
}
# ghandshake ADDR VERSION KX CIPHER - the same with gnutls-cli (no certificate check)
ghandshake() {
    timeout 10 gnutls-cli --starttls-proto=smtp -p 25 --insecure \
        --priority "NONE:+VERS-TLS$2:+$3:+$4:+SHA1:+SIGN-ALL:+GROUP-ALL:+COMP-NULL" "$1" </dev/null 2>&1 |
        grep '^- Handshake was completed' >/dev/null
}

TLS12=$(openssl ciphers 'ALL:COMPLEMENTOFALL:!PSK:!SRP:!aECDSA:!aDSS:@SECLEVEL=0' | tr ':' '\n' | grep -v '^TLS_')
TLS13="TLS_AES_256_GCM_SHA384 TLS_CHACHA20_POLY1305_SHA256 TLS_AES_128_GCM_SHA256 TLS_AES_128_CCM_SHA256 TLS_AES_128_CCM_8_SHA256"

listeners=("$@")
[ "${#listeners[@]}" -gt 0 ] || listeners=(good legacy tls10only anon clean tls13only cbconly dhe1024
    clientorder serverorder limited rsaonly 3des rc4)

for name in "${listeners[@]}"; do
    var=STC_LAB_${name^^}
    addr=${!var:-}
    [ -n "$addr" ] || { echo "suites: no listener $name" >&2; continue; }
    for ver in 1.0 1.1 1.2 1.3; do
        if [ "$ver" = 1.3 ]; then all=$(tr ' ' ':' <<<"$TLS13") list=$TLS13; else all=$(tr '\n' ':' <<<"$TLS12") list=$TLS12; fi
        got=""
        if handshake "$addr" "$ver" "${all%:}"; then
            for s in $list; do handshake "$addr" "$ver" "$s" && got="$got $s"; done
        fi
        if [ "$ver" != 1.3 ]; then
            for kx in ECDHE-RSA DHE-RSA RSA; do
                for c in 3DES-CBC ARCFOUR-128; do
                    ghandshake "$addr" "$ver" "$kx" "$c" && got="$got gnutls:$kx-$c"
                done
            done
        fi
        echo "$name TLS$ver${got:- -}"
    done
done
