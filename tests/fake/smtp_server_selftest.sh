#!/bin/bash
# smtp_server_selftest.sh - check smtp-test-server's modes with openssl s_client and raw sockets
#
# usage: tests/fake/smtp_server_selftest.sh [SERVER-BINARY]
#   SERVER-BINARY defaults to $SMTP_TEST_SERVER; when neither is given (or the
#   file is missing) the server is built from tests/fake/smtp_server.c into the
#   temporary directory with cc and -lwolfssl.
#
# Everything runs on 127.0.0.1 (and ::1 when the kernel has it). Certificates
# (RSA-2048, CN and SAN mx.test, plus a root/intermediate/leaf chain) are made
# with openssl in a temporary directory that is removed at exit. Only the
# servers this script started are ever signalled, by their recorded PIDs; every
# wait is bounded. The last line is "smtp-server-selftest: N passed, M failed";
# the exit status is 1 when anything failed. Needs bash (for /dev/tcp) and openssl;
# run by sh, it re-executes itself with bash.
# Checks are eval 'single-quoted conditions', expanded when they run:
# shellcheck disable=SC2016,SC2034
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"

set -u

HERE=$(cd "$(dirname "$0")" && pwd)
TMP=$(mktemp -d "${TMPDIR:-/tmp}/smtp-selftest.XXXXXX") || exit 1
PASS=0
FAIL=0
STARTED=()          # PIDs of the servers started here
SRV_PID=
SRV_PORT=
SRV_NAME=

cleanup() {
    local p
    for p in "${STARTED[@]}"; do
        kill -TERM "$p" 2>/dev/null
    done
    for p in "${STARTED[@]}"; do
        wait_gone "$p" 30 || kill -KILL "$p" 2>/dev/null
    done
    if [ -n "${SELFTEST_KEEP:-}" ]; then echo "kept $TMP"; else rm -rf "$TMP"; fi
}
trap cleanup EXIT

ok()   { PASS=$((PASS + 1)); echo "ok   $1"; }
fail() { FAIL=$((FAIL + 1)); echo "FAIL $1${2:+: $2}"; }
check() { # check DESCRIPTION COMMAND...: pass when the command succeeds
    local d=$1; shift
    if "$@"; then ok "$d"; else fail "$d"; fi
}
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# wait_gone PID TENTHS - wait until PID has exited (at most TENTHS/10 s)
wait_gone() {
    local i
    for ((i = 0; i < $2; i++)); do
        kill -0 "$1" 2>/dev/null || return 0
        sleep 0.1
    done
    ! kill -0 "$1" 2>/dev/null
}

# start NAME ARGS... - start a server; sets SRV_PID, SRV_PORT, SRV_NAME
start() {
    SRV_NAME=$1; shift
    local i
    SRV_PORT=
    "$SERVER" --log "$TMP/$SRV_NAME.log" --pidfile "$TMP/$SRV_NAME.pid" "$@" \
        >"$TMP/$SRV_NAME.out" 2>"$TMP/$SRV_NAME.err" &
    SRV_PID=$!
    STARTED+=("$SRV_PID")
    for ((i = 0; i < 50; i++)); do
        if [ -s "$TMP/$SRV_NAME.out" ]; then
            SRV_PORT=$(sed -n '1s/^port \([0-9][0-9]*\)$/\1/p' "$TMP/$SRV_NAME.out")
            [ -n "$SRV_PORT" ] && return 0
        fi
        kill -0 "$SRV_PID" 2>/dev/null || break
        sleep 0.1
    done
    fail "$SRV_NAME: server start" "$(cat "$TMP/$SRV_NAME.err")"
    return 1
}

# stop - SIGTERM the current server and wait for it (bounded)
stop() {
    [ -n "$SRV_PID" ] || return 0
    kill -TERM "$SRV_PID" 2>/dev/null
    wait_gone "$SRV_PID" 50 || kill -KILL "$SRV_PID" 2>/dev/null
    wait "$SRV_PID" 2>/dev/null
    SRV_PID=
}

logfile() { echo "$TMP/$SRV_NAME.log"; }
inlog() { grep -q -- "$1" "$(logfile)"; }

# ---- raw SMTP over bash's /dev/tcp ------------------------------------------

# opn [ADDR] - connect to the current server; sets FD
opn() {
    exec {FD}<>"/dev/tcp/${1:-127.0.0.1}/$SRV_PORT"
}
cls() { exec {FD}>&-; }
say() { printf '%s\r\n' "$1" >&"$FD"; }

# reply [SECONDS] - read one SMTP reply into REPLY_TEXT (lines joined by "|")
# and its line count into REPLY_LINES; fails on timeout or EOF
reply() {
    local line t=${1:-5}
    REPLY_TEXT=
    REPLY_LINES=0
    while IFS= read -r -t "$t" -u "$FD" line; do
        line=${line%$'\r'}
        REPLY_LINES=$((REPLY_LINES + 1))
        if [ "$REPLY_LINES" -le 20 ]; then
            REPLY_TEXT+="${REPLY_TEXT:+|}$line"
        fi
        REPLY_LAST=$line
        if [[ $line =~ ^[0-9]{3}(\ |$) ]]; then
            return 0
        fi
    done
    return 1
}

# expect_reply DESCRIPTION PATTERN [SECONDS] - read a reply and match it (bash regex)
expect_reply() {
    if reply "${3:-5}" && [[ $REPLY_TEXT =~ $2 ]]; then
        ok "$1"
    else
        fail "$1" "got '${REPLY_TEXT}'"
    fi
}

# at_eof [SECONDS] - the peer closed (read hits EOF rather than a timeout)
at_eof() {
    local x rc
    IFS= read -r -t "${1:-3}" -u "$FD" x
    rc=$?
    [ "$rc" -eq 1 ] && [ -z "$x" ]
}

# still_open SECONDS - nothing arrives and no EOF for that long
still_open() {
    local x rc
    IFS= read -r -t "$1" -u "$FD" x
    rc=$?
    [ "$rc" -gt 128 ]
}

# to_starttls - banner, EHLO, STARTTLS up to the 220
to_starttls() {
    reply && say "EHLO selftest" && reply && say "STARTTLS" && reply && [[ $REPLY_TEXT == 220* ]]
}

# fake_hello - a tiny TLS-looking record so the server sees its "ClientHello"
fake_hello() { printf '\x16\x03\x01\x00\x04\x01\x00\x00\x00' >&"$FD"; }

# ---- openssl s_client ---------------------------------------------------------

# sclient OUT ARGS... - STARTTLS session: EHLO selftest, QUIT inside TLS
sclient() {
    local out=$1; shift
    { printf 'EHLO selftest\r\n'; sleep 0.3; printf 'QUIT\r\n'; } |
        timeout 10 openssl s_client -connect "127.0.0.1:$SRV_PORT" -verify_quiet -ign_eof \
            "$@" >"$out" 2>&1
}
has() { grep -q -- "$2" "$1"; }
# negotiated FILE [VERSION] - s_client completed a handshake (at that version);
# "New, X" names the suite's version, "Protocol" the attempted one, so both count
negotiated() {
    grep -Eq "^New, [^(].*, Cipher is " "$1" &&
        grep -Eq "^    Protocol  : TLSv${2:-[0-9.]+}\$" "$1"
}

# ---- set-up -------------------------------------------------------------------

SERVER=${1:-${SMTP_TEST_SERVER:-}}
if [ -z "$SERVER" ] || [ ! -x "$SERVER" ]; then
    SERVER=$TMP/smtp-test-server
    if ! cc -std=gnu11 -O1 -g -Wall -Wextra -Werror -Wshadow "$HERE/smtp_server.c" \
            -lwolfssl -o "$SERVER" 2>"$TMP/build.err"; then
        cat "$TMP/build.err"
        fail "build smtp-test-server"
        echo "smtp-server-selftest: $PASS passed, $FAIL failed"
        exit 1
    fi
fi
command -v openssl >/dev/null || { fail "openssl present"; echo "smtp-server-selftest: $PASS passed, $FAIL failed"; exit 1; }

mkcerts() {
    cd "$TMP" || return 1
    openssl req -x509 -newkey rsa:2048 -nodes -keyout key.pem -out cert.pem -days 2 \
        -subj /CN=mx.test -addext subjectAltName=DNS:mx.test || return 1
    openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 \
        -subj "/CN=Selftest Root" -addext basicConstraints=critical,CA:TRUE \
        -addext keyUsage=critical,keyCertSign,cRLSign || return 1
    printf 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n' >ca.ext
    printf 'basicConstraints=CA:FALSE\nsubjectAltName=DNS:mx.test\nextendedKeyUsage=serverAuth\n' >leaf.ext
    openssl req -newkey rsa:2048 -nodes -keyout int.key -out int.csr \
        -subj "/CN=Selftest Intermediate" || return 1
    openssl x509 -req -in int.csr -CA ca.pem -CAkey ca.key -set_serial 2 -days 2 \
        -extfile ca.ext -out int.pem || return 1
    openssl req -newkey rsa:2048 -nodes -keyout leaf.key -out leaf.csr -subj /CN=mx.test || return 1
    openssl x509 -req -in leaf.csr -CA int.pem -CAkey int.key -set_serial 3 -days 2 \
        -extfile leaf.ext -out leaf.pem || return 1
}
if ! (mkcerts) >"$TMP/certs.err" 2>&1; then
    cat "$TMP/certs.err"
    fail "make certificates"
    echo "smtp-server-selftest: $PASS passed, $FAIL failed"
    exit 1
fi
CERT=(--cert "$TMP/cert.pem" --key "$TMP/key.pem")
CHAINCERT=(--cert "$TMP/leaf.pem" --key "$TMP/leaf.key")
LIFE=(--max-seconds 60)

# ---- command line ---------------------------------------------------------------

"$SERVER" --mode no-such-mode >/dev/null 2>&1
check "unknown mode exits 2" [ $? -eq 2 ]
"$SERVER" --mode good --max-seconds 5 >/dev/null 2>&1
check "good without --cert exits 2" [ $? -eq 2 ]
"$SERVER" "${CERT[@]}" --ciphers AES128-SHA --max-seconds 5 >/dev/null 2>"$TMP/cl.err"
check "static-RSA cipher list refused (exit 2)" [ $? -eq 2 ]

# ---- good -----------------------------------------------------------------------

if start good --mode good "${CERT[@]}" --pipeline-wait-ms 100 "${LIFE[@]}"; then
    check "good: pidfile holds the server pid" [ "$(cat "$TMP/good.pid")" = "$SRV_PID" ]
    sclient "$TMP/s1" -starttls smtp -CAfile "$TMP/cert.pem" -servername mx.test \
        -verify_hostname mx.test
    check "good: TLS 1.3 via STARTTLS, certificate verified" \
        eval 'negotiated "$TMP/s1" 1.3 && has "$TMP/s1" "Verify return code: 0 (ok)"'
    check "good: EHLO in TLS answered without STARTTLS, QUIT -> 221" \
        eval 'has "$TMP/s1" "^250 8BITMIME" && has "$TMP/s1" "^221 2.0.0 Bye" && ! sed -n "/^SSL handshake/,\$p" "$TMP/s1" | grep -q STARTTLS'
    check "good: log shows EHLO/STARTTLS plain, EHLO/QUIT in TLS, SNI" \
        eval 'inlog "cmd plain STARTTLS" && inlog "cmd tls EHLO selftest" && inlog "cmd tls QUIT" && inlog "tls-ok version=TLSv1.3 cipher=TLS13-.* sni=mx.test" && inlog "close quit"'

    sclient "$TMP/s2" -starttls smtp -tls1_2 -CAfile "$TMP/cert.pem"
    check "good: TLS 1.2 ECDHE-RSA AES-GCM" \
        eval 'negotiated "$TMP/s2" 1.2 && grep -Eq "Cipher    : ECDHE-RSA-AES(128|256)-GCM-SHA(256|384)" "$TMP/s2"'
    sclient "$TMP/s3" -starttls smtp -tls1_1 -cipher 'DEFAULT:@SECLEVEL=0'
    check "good: TLS 1.1 refused by default" eval '! negotiated "$TMP/s3"'

    opn; reply
    say "EHLO selftest"
    expect_reply "good: EHLO offers PIPELINING, 8BITMIME, STARTTLS" \
        '^250-mx.test\|.*250-PIPELINING.*250-STARTTLS.*250 8BITMIME$'
    say "FOO bar"
    expect_reply "good: unknown command -> 502" '^502 '
    printf 'NOOP\r\nNOOP\r\n' >&"$FD"
    reply && expect_reply "good: two pipelined NOOPs answered" '^250 2.0.0 Ok$'
    say "QUIT"
    expect_reply "good: QUIT -> 221" '^221 '
    check "good: connection closed after QUIT" at_eof
    cls
    check "good: pipelining logged once, EHLO not" \
        eval '[ "$(grep -c "pipelined plain after=NOOP bytes=6" "$(logfile)")" -eq 1 ] && ! inlog "pipelined plain after=EHLO"'

    # eight-plus clients at once
    fds=()
    for ((k = 0; k < 10; k++)); do
        opn && fds+=("$FD")
    done
    got=0
    for FD in "${fds[@]}"; do
        reply 5 && [[ $REPLY_TEXT == 220\ * ]] && got=$((got + 1))
    done
    for FD in "${fds[@]}"; do cls; done
    check "good: 10 concurrent clients all greeted ($got)" [ "$got" -eq 10 ]

    # SIGTERM with a client still connected
    opn; reply
    pid=$SRV_PID
    kill -TERM "$pid"
    check "SIGTERM: server exits within 5 s" wait_gone "$pid" 50
    wait "$pid" 2>/dev/null
    check "SIGTERM: exit status 0" [ $? -eq 0 ]
    check "SIGTERM: open connection closed" at_eof 3
    cls
    check "SIGTERM: pidfile removed, exit logged" \
        eval '[ ! -e "$TMP/good.pid" ] && inlog "exit reason=sigterm"'
    SRV_PID=
fi

# ---- versions and suites ----------------------------------------------------------

if start tls11 --mode good "${CERT[@]}" --min-version 1.1 --max-version 1.1 "${LIFE[@]}"; then
    sclient "$TMP/s4" -starttls smtp -tls1_1 -cipher 'DEFAULT:@SECLEVEL=0'
    check "tls11: TLS 1.1 negotiated" negotiated "$TMP/s4" 1.1
    sclient "$TMP/s5" -starttls smtp -tls1_2
    check "tls11: TLS 1.2 refused" eval '! negotiated "$TMP/s5"'
    stop
fi

# OpenSSL 3 on Debian has neither RC4 nor 3DES: the server must start with the list
# (wolfSSL knows the suite) and an OpenSSL client must then find nothing in common.
for suite in ECDHE-RSA-RC4-SHA ECDHE-RSA-DES-CBC3-SHA; do
    if start "$suite" --mode good "${CERT[@]}" --ciphers "$suite" "${LIFE[@]}"; then
        sclient "$TMP/s6" -starttls smtp
        check "$suite: accepted by wolfSSL, no overlap with OpenSSL" \
            eval '! negotiated "$TMP/s6" && inlog "tls-fail"'
        stop
    fi
done

if start chain --mode good "${CHAINCERT[@]}" --chain "$TMP/int.pem" "${LIFE[@]}"; then
    sclient "$TMP/s7" -starttls smtp -CAfile "$TMP/ca.pem" -verify_hostname mx.test
    check "chain: leaf + intermediate verify against the root" \
        has "$TMP/s7" "Verify return code: 0 (ok)"
    stop
fi
if start nochain --mode good "${CHAINCERT[@]}" "${LIFE[@]}"; then
    sclient "$TMP/s8" -starttls smtp -CAfile "$TMP/ca.pem"
    check "nochain: without --chain the root alone does not verify" \
        eval 'negotiated "$TMP/s8" && ! has "$TMP/s8" "Verify return code: 0 " && has "$TMP/s8" "Verify return code: 2[01] "'
    stop
fi

if start anon --mode anon "${LIFE[@]}"; then
    sclient "$TMP/s9" -starttls smtp -cipher 'ADH-AES128-SHA:@SECLEVEL=0'
    check "anon: ADH-AES128-SHA over TLS 1.2, no certificate" \
        eval 'negotiated "$TMP/s9" 1.2 && has "$TMP/s9" "Cipher    : ADH-AES128-SHA" && has "$TMP/s9" "^221 "'
    sclient "$TMP/s10" -starttls smtp
    check "anon: a client without aNULL suites fails" eval '! negotiated "$TMP/s10"'
    stop
fi

if start implicit --mode implicit "${CERT[@]}" "${LIFE[@]}"; then
    sclient "$TMP/s11" -CAfile "$TMP/cert.pem"
    check "implicit: TLS from the first byte, banner and EHLO inside" \
        eval 'negotiated "$TMP/s11" 1.3 && has "$TMP/s11" "Verify return code: 0 (ok)" && has "$TMP/s11" "^220 mx.test ESMTP" && has "$TMP/s11" "^250 8BITMIME" && has "$TMP/s11" "^221 "'
    stop
fi

# ---- refusals ---------------------------------------------------------------------

if start nostarttls --mode nostarttls "${LIFE[@]}"; then
    opn; reply; say "EHLO selftest"
    expect_reply "nostarttls: EHLO without STARTTLS" '^250-mx.test\|250-PIPELINING\|250-SIZE 10240000\|250-ENHANCEDSTATUSCODES\|250 8BITMIME$'
    say "STARTTLS"; expect_reply "nostarttls: STARTTLS -> 502" '^502 '
    cls; stop
fi

if start reject421 --mode reject421 "${LIFE[@]}"; then
    opn; expect_reply "reject421: banner" '^421 4\.7\.0 go away$'
    check "reject421: then closed" at_eof
    cls; stop
fi

if start reject554 --mode reject554 "${LIFE[@]}"; then
    opn; expect_reply "reject554: banner" '^554 5\.7\.1 no$'
    say "EHLO selftest"; expect_reply "reject554: EHLO -> 503" '^503 '
    say "QUIT"; expect_reply "reject554: QUIT -> 221" '^221 '
    cls; stop
fi

if start ehlo-reject --mode ehlo-reject "${LIFE[@]}"; then
    opn; reply; say "EHLO selftest"
    expect_reply "ehlo-reject: EHLO -> 502" '^502 5\.5\.1 unrecognized$'
    say "HELO selftest"; expect_reply "ehlo-reject: HELO -> 250" '^250 mx.test$'
    cls; stop
fi

if start starttls-454 --mode starttls-454 "${LIFE[@]}"; then
    opn; reply; say "EHLO selftest"
    expect_reply "starttls-454: STARTTLS advertised" '250-STARTTLS'
    say "STARTTLS"; expect_reply "starttls-454: STARTTLS -> 454" '^454 4\.7\.0 TLS not available$'
    say "NOOP"; expect_reply "starttls-454: session goes on" '^250 '
    cls; stop
fi

# ---- slow and oversized --------------------------------------------------------------

if start silent --mode silent --idle-seconds 2 "${LIFE[@]}"; then
    opn
    check "silent: nothing sent in 1.5 s" still_open 1.5
    say "EHLO early"
    check "silent: closes after --idle-seconds" at_eof 4
    cls
    check "silent: client's line logged, close timeout" \
        eval 'inlog "cmd plain EHLO early" && inlog "close timeout"'
    stop
fi

if start drip --mode drip --drip-ms 50 "${CERT[@]}" "${LIFE[@]}"; then
    opn
    t0=$(now_ms)
    reply 10
    t1=$(now_ms)
    check "drip: banner complete" [ "$REPLY_TEXT" = "220 mx.test ESMTP smtp-test-server" ]
    check "drip: took >= 1.5 s ($((t1 - t0)) ms)" [ $((t1 - t0)) -ge 1500 ]
    cls; stop
fi

if start longline --mode longline "${LIFE[@]}"; then
    opn
    timeout 10 head -c 1048580 <&"$FD" >"$TMP/long.bin"
    check "longline: 220- and 1 MiB of x without CRLF" \
        eval '[ "$(stat -c %s "$TMP/long.bin")" -eq 1048580 ] && [ "$(tr -d x <"$TMP/long.bin")" = "220-" ]'
    check "longline: then stalls" still_open 1
    cls; stop
fi

if start manylines --mode manylines "${LIFE[@]}"; then
    opn; reply; say "EHLO selftest"
    reply 20
    check "manylines: 10000-line EHLO reply ending in 250 STARTTLS ($REPLY_LINES)" \
        eval '[ "$REPLY_LINES" -eq 10000 ] && [ "$REPLY_LAST" = "250 STARTTLS" ]'
    cls; stop
fi

if start badcode --mode badcode "${LIFE[@]}"; then
    opn; reply; say "EHLO selftest"
    expect_reply "badcode: 250- lines then 251" '^250-mx.test\|250-PIPELINING\|250-STARTTLS\|251 8BITMIME$'
    cls; stop
fi

# ---- hostile TLS ------------------------------------------------------------------------

if start garbage-tls --mode garbage-tls "${LIFE[@]}"; then
    opn
    if to_starttls; then
        fake_hello
        timeout 5 cat <&"$FD" >"$TMP/garbage.bin" 2>/dev/null
        check "garbage-tls: 64 bytes GARBAGE! then close" \
            [ "$(cat "$TMP/garbage.bin")" = "GARBAGE!GARBAGE!GARBAGE!GARBAGE!GARBAGE!GARBAGE!GARBAGE!GARBAGE!" ]
    else
        fail "garbage-tls: STARTTLS -> 220" "got '$REPLY_TEXT'"
    fi
    cls
    sclient "$TMP/s12" -starttls smtp
    check "garbage-tls: openssl handshake fails" eval '! negotiated "$TMP/s12"'
    stop
fi

if start bogus-record --mode bogus-record "${LIFE[@]}"; then
    opn
    if to_starttls; then
        fake_hello
        timeout 5 head -c 11 <&"$FD" | od -An -tx1 | tr -d ' \n' >"$TMP/bogus.hex"
        check "bogus-record: header 16 03 03 ea 60 + 6 bytes" \
            [ "$(cat "$TMP/bogus.hex")" = "160303ea60020000560303" ]
        check "bogus-record: then stalls" still_open 1
    else
        fail "bogus-record: STARTTLS -> 220" "got '$REPLY_TEXT'"
    fi
    cls; stop
fi

if start reset-tls --mode reset-tls "${LIFE[@]}"; then
    opn
    if to_starttls; then
        fake_hello
        timeout 5 cat <&"$FD" >/dev/null 2>"$TMP/reset.err"
        check "reset-tls: connection reset" grep -qi "reset" "$TMP/reset.err"
    else
        fail "reset-tls: STARTTLS -> 220" "got '$REPLY_TEXT'"
    fi
    cls
    check "reset-tls: ClientHello logged" inlog "clienthello bytes=9 first=160301000401000000"
    stop
fi

if start inject --mode inject "${CERT[@]}" "${LIFE[@]}"; then
    opn
    if to_starttls && [ "$REPLY_TEXT" = "220 2.0.0 Ready to start TLS" ]; then
        expect_reply "inject: 250 injected follows the 220 at once" '^250 injected$' 1
    else
        fail "inject: STARTTLS -> 220" "got '$REPLY_TEXT'"
    fi
    cls; stop
fi

# ---- IPv6, lifetime ----------------------------------------------------------------------

if grep -q '^00000000000000000000000000000001' /proc/net/if_inet6 2>/dev/null; then
    if start v6 --mode good "${CERT[@]}" --addr ::1 "${LIFE[@]}"; then
        opn ::1
        expect_reply "ipv6: banner on [::1]" '^220 mx.test ESMTP'
        cls; stop
    fi
else
    echo "skip ipv6: no ::1"
fi

if start maxsec --mode silent --max-seconds 2; then
    opn
    pid=$SRV_PID
    check "max-seconds: server exits by itself" wait_gone "$pid" 60
    check "max-seconds: open connection closed" at_eof 3
    cls
    wait "$pid" 2>/dev/null
    rc=$?
    check "max-seconds: exit status 0, logged" eval '[ "$rc" -eq 0 ] && inlog "exit reason=max-seconds"'
    SRV_PID=
fi

echo "smtp-server-selftest: $PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
