#!/bin/bash
# peers.sh - the checker beside testssl.sh on every TLS listener of the lab
# (make peers; before closing a TLS-depth change, never in CI: testssl.sh
# needs about a minute per listener).
#
# For each listener: the versions and weak suite classes each tool reports,
# the SMTP sessions each one opened (counted in the servers' own logs:
# Postfix's "connect from" lines of syslog_name stclab/<listener>, or the
# GnuTLS server's log), and the wall time of each. testssl.sh runs as
# `testssl -t smtp -p -s -4 -S` (protocols, cipher categories, server
# defaults) on ADDRESS:25; the checker checks the listener's mail domain.
# Classes compared: NULL, anonymous, EXPORT, 3DES (testssl's 3DES_IDEA
# category), and RC4 or DES against testssl's LOW; testssl has no static
# RSA category, so that column is the checker's alone. Ends with
# "peers: N agree, M disagree" and the clean listener's session count and
# speed ratio; exit 1 on a disagreement (each is printed).
#
# Then DANE: the checker beside posttls-finger (Postfix's own DANE client,
# `posttls-finger -c -l dane`) on every DANE lab domain and two without
# DANE, each verdict mapped to one word (valid, fail, lookup, unusable,
# none, no-tls); ends with "dane-peers: N agree, M disagree". PEERS_ONLY=dane
# runs only this part (a few seconds), PEERS_ONLY=tls only the first.
#
# Needs root (the lab's namespace); installs testssl.sh from Debian when it
# is missing; starts the lab if it is not up (and takes it down again).
set -u
cd "$(dirname "$0")/../.."
build=${BUILD:-build}
cli=$build/starttls-check
lab=tests/lab/lab.sh
tmp=$(mktemp -d)
started=0
cleanup() {
    [ "$started" -eq 1 ] && "$lab" down >/dev/null 2>&1
    rm -rf "$tmp"
}
trap cleanup EXIT

[ "$(id -u)" -eq 0 ] || { echo "peers: needs root (the lab's network namespace)"; exit 1; }
[ -x "$cli" ] || { echo "peers: build first ($cli missing)"; exit 1; }
if ! command -v testssl >/dev/null 2>&1; then
    apt-get install -y testssl.sh >"$tmp/apt.log" 2>&1 ||
        { apt-get update >/dev/null 2>&1 && apt-get install -y testssl.sh >"$tmp/apt.log" 2>&1; } ||
        { cat "$tmp/apt.log"; echo "peers: cannot install testssl.sh"; exit 1; }
fi
if ! "$lab" status >/dev/null 2>&1; then
    "$lab" up >"$tmp/up.log" 2>&1 || { cat "$tmp/up.log"; exit 1; }
    started=1
fi
run=${STC_LAB_RUN:-tests/lab/run}
# shellcheck source=/dev/null
. "$run/lab.env"

# name address log-kind: the listeners that speak TLS on port 25
listeners="good $STC_LAB_GOOD postfix
clean $STC_LAB_CLEAN postfix
legacy 198.51.100.24 postfix
tls10only 198.51.100.25 postfix
anon 198.51.100.26 postfix
tls13only $STC_LAB_TLS13ONLY postfix
cbconly $STC_LAB_CBCONLY postfix
dhe1024 $STC_LAB_DHE1024 postfix
clientorder $STC_LAB_CLIENTORDER postfix
serverorder $STC_LAB_SERVERORDER postfix
rsaonly $STC_LAB_RSAONLY postfix
3des $STC_LAB_3DES gnutls
rc4 $STC_LAB_RC4 gnutls"

# sessions NAME KIND - "connect from" lines so far for a listener
sessions() {
    if [ "$2" = postfix ]; then
        grep -c "stclab/$1/smtpd\[[0-9]*\]: connect from" "$STC_LAB_MAILLOG"
    else
        grep -c "mx-$1\.plain\.test\[[0-9]*\]: connect from\|^[^ ]* $1\[[0-9]*\]: connect from" \
            "$STC_LAB_GNUTLS_LOG"
    fi
}

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# dane_peers - the DANE part; sets dane_bad to its disagreements
dane_peers() {
    local d stc ptf word
    dane_bad=0
    command -v posttls-finger >/dev/null 2>&1 || { echo "dane-peers: posttls-finger missing (postfix)"; dane_bad=1; return; }
    mkdir -p "$tmp/ptf" && : >"$tmp/ptf/main.cf" # posttls-finger wants a main.cf; defaults do
    . tests/integration/lab_lists.inc
    local agree_d=0
    printf '%-28s | %-16s | %-10s | %s\n' domain "checker DANE" posttls-finger "posttls-finger's words"
    for d in $(lab_policy_domains | grep '^dane-') good.sec.test good.plain.test; do
        stc=$("$lab" exec sh -c "exec \"$cli\" --json --quick --ca-file \"\$STC_LAB_CA\" \
            --resolver \"\$STC_LAB_RESOLVER\" --trust-resolver $d" 2>/dev/null |
            python3 -c 'import json,sys
d = json.load(sys.stdin)
print(",".join(sorted({h.get("dane", {}).get("status", "-") for h in d.get("results", {}).values()
                       if h.get("preferred")})) or "-")')
        # -L dane logs each DNSSEC-signed TLSA record it will use
        ptf=$(timeout 60 "$lab" exec env MAIL_CONFIG="$tmp/ptf" posttls-finger -c -l dane \
            -L summary,dane "$d" 2>&1 | grep -v 'dnssec_probe' | tr '\n' ' ')
        case $ptf in
        *"Verified TLS connection"*) word=valid ;;
        *"TLSA lookup error"*|*"TLSA lookup problem"*) word=lookup ;;
        *"no matching DANE TLSA"*) word=fail ;;
        *"DNSSEC-signed TLSA record"*"verification failed"*) word=fail ;;
        *"unsupported TLSA"*"TLS connection established"*) word=unusable ;;
        *"Untrusted TLS connection"*|*"Anonymous TLS connection"*|*"Trusted TLS connection"*) word=none ;;
        *) word=no-tls ;;
        esac
        ptf=${ptf##*posttls-finger: } # its last line
        case "$stc:$word" in
        valid:valid|mismatch:fail|name-mismatch:fail|expired:fail|bogus:lookup|lookup-failed:lookup|\
        insecure:none|tlsa-absent:none|no-tls:no-tls|unusable:unusable)
            agree_d=$((agree_d + 1)); printf '%-28s | %-16s | %-10s | %s\n' "$d" "$stc" "$word" "${ptf:0:90}" ;;
        *)
            dane_bad=$((dane_bad + 1))
            printf '%-28s | %-16s | %-10s | %s\n' "$d" "$stc" "$word" "${ptf:0:90}"
            echo "  DISAGREE: $d: checker $stc, posttls-finger $word" ;;
        esac
    done
    echo "dane-peers: $agree_d agree, $dane_bad disagree"
}

if [ "${PEERS_ONLY:-}" = dane ]; then
    dane_peers
    [ "$dane_bad" -eq 0 ]
    exit
fi

agree=0 disagree=0 clean_ratio="" clean_sessions=""
printf '%-12s | %-34s | %-34s | %-9s | %-13s\n' listener "checker: versions; weak classes" \
    "testssl: versions; weak classes" sessions "wall time"
for row in $(echo "$listeners" | tr ' ' ':'); do
    IFS=: read -r name addr kind <<<"$row"
    domain=$name.plain.test
    s0=$(sessions "$name" "$kind")
    t0=$(now_ms)
    "$lab" exec sh -c "exec \"$cli\" --json --ca-file \"\$STC_LAB_CA\" --resolver \"\$STC_LAB_RESOLVER\" --trust-resolver $domain" \
        >"$tmp/$name.stc.json" 2>"$tmp/$name.stc.err"
    t1=$(now_ms)
    sleep 1 # the server's last log line
    s1=$(sessions "$name" "$kind")
    rm -f "$tmp/$name.ts.json"
    "$lab" exec testssl -t smtp -p -s -4 -S --jsonfile "$tmp/$name.ts.json" --warnings off \
        --color 0 "$addr:25" >"$tmp/$name.ts.out" 2>&1
    t2=$(now_ms)
    sleep 1
    s2=$(sessions "$name" "$kind")
    python3 - "$tmp/$name.stc.json" "$tmp/$name.ts.json" "$name" \
        "$((s1 - s0))" "$((s2 - s1))" "$((t1 - t0))" "$((t2 - t1))" >"$tmp/$name.row" <<'PY'
import json, sys
stc_file, ts_file, name, s_stc, s_ts, t_stc, t_ts = sys.argv[1:]
r = json.load(open(stc_file))
probe = None
for h in r.get("results", {}).values():
    for a in h.get("addresses", []):
        if a.get("family") == 4 and "probe" in a:
            probe = a["probe"]
ts = {x["id"]: x["finding"] for x in json.load(open(ts_file)) if "id" in x}
vmap = [("SSLv2", "SSLv2"), ("SSLv3", "SSLv3"), ("TLSv1.0", "TLS1"), ("TLSv1.1", "TLS1_1"),
        ("TLSv1.2", "TLS1_2"), ("TLSv1.3", "TLS1_3")]
def offered(tid):
    f = ts.get(tid)
    if f is None:
        return None
    return not f.startswith("not offered") and f.startswith("offered")
problems = []
if probe is None:
    print("%s|no probe result in the checker's report|-|-|-" % name)
    sys.exit(0)
acc = set(probe["versions"]["accepted"])
unt = set(probe["versions"]["untested"])
sv = [v for v, _ in vmap if v in acc]
tv = [v for v, t in vmap if offered(t)]
for v, t in vmap:
    o = offered(t)
    if v in unt or o is None:
        continue
    if (v in acc) != o:
        problems.append("%s: checker %s, testssl %s" % (v, v in acc, ts.get(t)))
cls = set(probe["weak_classes"]["accepted"])
cmap = [("null", ["cipherlist_NULL"]), ("anon", ["cipherlist_aNULL"]),
        ("export", ["cipherlist_EXPORT"]), ("3des", ["cipherlist_3DES_IDEA"])]
for c, ids in cmap:
    o = offered(ids[0])
    if o is None or c in probe["weak_classes"]["untested"]:
        continue
    if (c in cls) != o:
        problems.append("%s: checker %s, testssl %s" % (c, c in cls, ts.get(ids[0])))
low = offered("cipherlist_LOW")
if low is not None and (("rc4" in cls) or ("des" in cls)) != low:
    problems.append("rc4/des vs LOW: checker %s, testssl %s" % (sorted(cls & {"rc4", "des"}), ts.get("cipherlist_LOW")))
tcls = [n for n, t in (("null", "cipherlist_NULL"), ("anon", "cipherlist_aNULL"), ("export", "cipherlist_EXPORT"),
                       ("low(rc4/des)", "cipherlist_LOW"), ("3des/idea", "cipherlist_3DES_IDEA")) if offered(t)]
print("%s|%s; %s|%s; %s|%s / %s|%s / %s ms|%s" % (
    name, " ".join(sv) or "none", " ".join(sorted(cls)) or "no weak class",
    " ".join(tv) or "none", " ".join(tcls) or "no weak class", s_stc, s_ts, t_stc, t_ts,
    "; ".join(problems)))
PY
    IFS='|' read -r n a b s t p <"$tmp/$name.row"
    printf '%-12s | %-34s | %-34s | %-9s | %-13s\n' "$n" "$a" "$b" "$s" "$t"
    if [ -n "$p" ]; then
        echo "  DISAGREE: $p"
        disagree=$((disagree + 1))
    else
        agree=$((agree + 1))
    fi
    if [ "$name" = clean ]; then
        clean_sessions=$((s1 - s0))
        clean_ratio=$(awk -v a="$((t2 - t1))" -v b="$((t1 - t0))" 'BEGIN {printf "%.0f", a / (b > 0 ? b : 1)}')
    fi
done
echo "clean listener: $clean_sessions SMTP sessions for the whole check (bound 12); testssl.sh took ${clean_ratio}x the checker's wall time (bound 50x)"
echo "peers: $agree agree, $disagree disagree"
fail=$disagree
if [ "${PEERS_ONLY:-}" != tls ]; then
    echo
    dane_peers
    fail=$((fail + dane_bad))
fi
[ -n "$clean_sessions" ] && [ "$clean_sessions" -le 12 ] || fail=$((fail + 1))
[ -n "$clean_ratio" ] && [ "$clean_ratio" -ge 50 ] || fail=$((fail + 1))
[ "$fail" -eq 0 ]
