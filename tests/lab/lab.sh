#!/usr/bin/env bash
# lab.sh - real-server test lab for starttls-check, inside a network namespace
#
# Usage: lab.sh up | down | status | exec CMD [ARG...]
#
#   up      tear down any previous lab, then build a fresh one: namespace,
#           addresses, lab CA and certificates, NSD (signed + unsigned zones),
#           a validating Unbound, one private Postfix instance with many
#           smtpd listeners, nginx serving MTA-STS policies. Writes
#           run/lab.env. On any failure it tears everything down again.
#   down    stop every process the lab started (by recorded PID, then any
#           process still inside the lab namespace), delete the namespace and
#           /etc/netns/<ns>. Safe to run any number of times.
#   status  show what runs.
#   exec    run CMD inside the namespace with run/lab.env exported.
#
# Environment: STC_LAB_NS (namespace name, default stclab), STC_LAB_RUN
# (run directory, default tests/lab/run next to this script).
#
# Network rule: every address used here lives on interfaces inside the
# namespace; the namespace has no default route, so nothing can leave it.
# See tests/lab/README.md for the address plan and the domain table.

set -Eeuo pipefail

LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
NS=${STC_LAB_NS:-stclab}
RUN=${STC_LAB_RUN:-$LAB_DIR/run}

case $NS in
    ''|*[!A-Za-z0-9_-]*) echo "lab: bad STC_LAB_NS '$NS'" >&2; exit 2 ;;
esac
case $RUN in
    /*) ;;
    *) echo "lab: STC_LAB_RUN must be an absolute path" >&2; exit 2 ;;
esac
case $RUN in
    *[[:space:]]*) echo "lab: run directory path must not contain spaces (Postfix -o values)" >&2; exit 2 ;;
esac

# The servers' own users must reach the run directory: Postfix's master opens
# its lock file as the mail owner, so a checkout under a mode-700 directory
# (/root, mktemp -d) fails with "Permission denied". A run directory of ours
# (under tests/lab) in such a tree becomes a symlink to one under /var/tmp;
# one named by STC_LAB_RUN is refused with the reason.
reachable() { setpriv --reuid=nobody --regid=nogroup --clear-groups test -x "$1" 2>/dev/null; }
if [ -L "$RUN" ]; then
    RUN=$(readlink -f "$RUN")
elif [ "${1:-}" = up ] && [ "$(id -u)" -eq 0 ] && ! reachable "$(dirname "$RUN")"; then
    case $RUN in
        "$LAB_DIR"/*) ;;
        *) echo "lab: $RUN is not reachable by unprivileged users (the servers'); pick a run directory under a world-searchable path" >&2; exit 2 ;;
    esac
    if [ -s "$RUN/state/netns.ino" ]; then
        echo "lab: a lab still runs from $RUN; run 'lab.sh down' first" >&2; exit 2
    fi
    alt=/var/tmp/stc-lab/$(printf %s "$RUN" | sha256sum | cut -c1-16)
    mkdir -p "$alt"
    chmod 755 /var/tmp/stc-lab "$alt"
    rm -rf "$RUN"
    ln -s "$alt" "$RUN"
    echo "lab: $(dirname "$RUN") is not reachable by the servers' users; run directory $RUN -> $alt" >&2
    RUN=$alt
fi

# ---------------------------------------------------------------- address plan
# Infrastructure: 192.0.2.0/24 (TEST-NET-1). The tap device owns the /24
# (lwIP side .2); the servers' /32s live on lo.
TAP_DEV=stctap0
TAP4=192.0.2.1
LWIP4=192.0.2.2
TAP6=fd00:5c:1::1
LWIP6=fd00:5c:1::2
RESOLVER4=192.0.2.53      # Unbound, validating, port 53
AUTH4=192.0.2.54          # NSD, authoritative for the lab zones
# Mail servers and web: 198.51.100.0/24 (TEST-NET-2) and fd00:5c::/64, on lo.
A_GOOD=198.51.100.10      # good: 25, 587 (STARTTLS), 465 (implicit TLS)
A_NOSTARTTLS=198.51.100.20
A_SELFSIGNED=198.51.100.21
A_WRONGNAME=198.51.100.22
A_EXPIRED=198.51.100.23
A_LEGACY=198.51.100.24    # TLS 1.0 .. 1.3 at @SECLEVEL=0
A_TLS10ONLY=198.51.100.25
A_ANON=198.51.100.26      # aNULL/eNULL suites accepted (plus normal ones)
A_SLOW=198.51.100.27      # greeting delayed by SLOW_SECONDS
A_REJECT=198.51.100.28    # rejects the client (554)
A_FOUR1=198.51.100.31
A_FOUR2=198.51.100.32
A_FOUR3=198.51.100.33
A_FOUR4=198.51.100.34
A_MTASTS=198.51.100.80    # nginx :443
A_DEAD=198.51.100.99      # assigned, nothing listens: connection refused
A6_GOOD=fd00:5c::10       # good listener on IPv6
A6_DEAD=fd00:5c::99       # assigned, nothing listens
SLOW_SECONDS=3

# TLS-depth listeners (issue 9): one address each, host mx-<case>.Z and mail
# domain <case>.Z in both zones, certificate = the good chain. "postfix"
# cases are smtpd listeners (options in listeners()); "gnutls" cases are
# served by gnutls_smtpd.py (priority strings in gnutls_listeners()).
TLS_CASES="
clean       198.51.100.39 postfix
tls13only   198.51.100.40 postfix
cbconly     198.51.100.41 postfix
dhe1024     198.51.100.42 postfix
clientorder 198.51.100.43 postfix
serverorder 198.51.100.44 postfix
limited     198.51.100.45 postfix
rsaonly     198.51.100.46 postfix
3des        198.51.100.47 gnutls
rc4         198.51.100.48 gnutls
"
A_SPLICE=198.51.100.49    # good leaf sent beside an unrelated CA certificate (DANE)
BULK_ADDRS="198.51.100.50 198.51.100.51 198.51.100.52 198.51.100.53"
LIMIT_COUNT=2             # smtpd_client_connection_count_limit of "limited"
# Bulk domains (issue 11), plain.test only; counts overridable for quick runs.
BULK_SHARED=${STC_LAB_BULK:-10000}     # bulk-N.plain.test -> one of BULK_HOSTS mxb-K
BULK_HOSTS=50
BULK_OWN=${STC_LAB_BULK_OWN:-1000}     # own-N.plain.test -> its own mx-N.own.plain.test
BULK_LIMITED=${STC_LAB_BULK_LIMITED:-1000}  # limited-N.plain.test -> mx-limited.plain.test
DELAY_MS=${STC_LAB_DELAY_MS:-0}        # netem delay per direction (0: none)
for v in STC_LAB_BULK STC_LAB_BULK_OWN STC_LAB_BULK_LIMITED STC_LAB_DELAY_MS; do
    case ${!v:-0} in ''|*[!0-9]*) echo "lab: $v must be a whole number" >&2; exit 2 ;; esac
done

# tls_case_addrs - the addresses of TLS_CASES
tls_case_addrs() { printf '%s\n' "$TLS_CASES" | awk 'NF {print $2}'; }

LO4_ADDRS="$RESOLVER4 $AUTH4 $A_GOOD $A_NOSTARTTLS $A_SELFSIGNED $A_WRONGNAME
 $A_EXPIRED $A_LEGACY $A_TLS10ONLY $A_ANON $A_SLOW $A_REJECT $A_FOUR1 $A_FOUR2
 $A_FOUR3 $A_FOUR4 $A_MTASTS $A_DEAD $(tls_case_addrs) $A_SPLICE $BULK_ADDRS"
LO6_ADDRS="$A6_GOOD $A6_DEAD"

ZONES_SIGNED="sec.test"
ZONE_PLAIN="plain.test"
ZONE_BOGUS="bogus.test"   # signed with expired signatures: validates as bogus

# ---------------------------------------------------------------- case tables
# DANE cases added for issue 10, sec.test only (secure MX and A). One row per
# domain: MX host, the address its A record points at, and the TLSA records
# at _25._tcp.<host> (";" between records). README.md says what a correct
# checker concludes for each.
dane_cases() {
    cat <<EOF
dane-301          mx-dane-301          $A_GOOD       3 0 1 $GOOD_CERT_SHA256
dane-312          mx-dane-312          $A_GOOD       3 1 2 $GOOD_SPKI_SHA512
dane-300          mx-dane-300          $A_GOOD       3 0 0 $GOOD_CERT_HEX
dane-splice       mx-dane-splice       $A_SPLICE     2 1 1 $UNREL_SPKI
dane-expired      mx-dane-expired      $A_EXPIRED    3 1 1 $EXPIRED_SPKI
dane-ta-name      mx-dane-ta-name      $A_WRONGNAME  2 1 1 $INT_SPKI
dane-rollover     mx-dane-rollover     $A_GOOD       3 1 1 $GOOD_SPKI;3 1 1 $NEXT_SPKI
dane-rollover-ta  mx-dane-rollover-ta  $A_GOOD       3 1 1 $GOOD_SPKI;2 1 1 $INT_SPKI
dane-bogus-tlsa   mx-dane-bogus-tlsa   $A_GOOD       3 1 1 $GOOD_SPKI
EOF
}
# The TLSA RRset whose signature make_zones replaces by an expired one.
BOGUS_TLSA_OWNER=_25._tcp.mx-dane-bogus-tlsa.sec.test
# Digests the tables use, computed by make_zones (empty until then).
GOOD_SPKI= GOOD_SPKI_SHA512= GOOD_CERT_SHA256= GOOD_CERT_HEX= SELF_SPKI= INT_SPKI=
UNREL_SPKI= EXPIRED_SPKI= NEXT_SPKI= NOMATCH_HASH=

# MTA-STS cases (issue 10), both zones; $1 is the zone. Fields between "|":
# domain | MX host | _mta-sts TXT rdata (" + " between records, "-" none) |
# how mta-sts.<domain> serves the policy (nginx_location) | mode and mx patterns
sts_cases() {
    local z=$1
    cat <<EOF
sts-uncovered  |mx-good       |"v=STSv1; id=20240601000010;"                                 |plain      |enforce mx-good.other.invalid *.mx-good.$z
sts-none       |mx-good       |"v=STSv1; id=20240601000011;"                                 |plain      |none
sts-redirect   |mx-good       |"v=STSv1; id=20240601000012;"                                 |redirect   |enforce mx-good.$z
sts-html       |mx-good       |"v=STSv1; id=20240601000013;"                                 |html       |enforce mx-good.$z
sts-big        |mx-good       |"v=STSv1; id=20240601000014;"                                 |big        |enforce mx-good.$z
sts-chunked    |mx-good       |"v=STSv1; id=20240601000015;"                                 |chunked    |enforce mx-good.$z
sts-selfsigned |mx-good       |"v=STSv1; id=20240601000016;"                                 |selfsigned |enforce mx-good.$z
sts-wrongcert  |mx-good       |"v=STSv1; id=20240601000017;"                                 |wrongcert  |enforce mx-good.$z
sts-notxt      |mx-good       |-                                                             |plain      |enforce mx-good.$z
sts-twotxt     |mx-good       |"v=STSv1; id=20240601000018;" + "v=STSv1; id=20240601000019;" |plain      |enforce mx-good.$z
sts-othertxt   |mx-good       |"v=spf1 -all" + "v=STSv1; id=20240601000020;"                 |plain      |enforce mx-good.$z
sts-multistr   |mx-good       |"v=STSv1; " "id=20240601000021;"                              |plain      |enforce mx-good.$z
sts-longid     |mx-good       |"v=STSv1; id=202406010000220000000000000000000;"              |plain      |enforce mx-good.$z
sts-badidchar  |mx-good       |"v=STSv1; id=2024-06-01;"                                     |plain      |enforce mx-good.$z
sts-nohost     |mx-good       |"v=STSv1; id=20240601000023;"                                 |nohost     |enforce mx-good.$z
sts-nostarttls |mx-nostarttls |"v=STSv1; id=20240601000024;"                                 |plain      |enforce mx-nostarttls.$z
EOF
}

# TLS-RPT cases (issue 10), both zones: domain | _smtp._tls TXT rdata (" + " between records)
tlsrpt_cases() {
    local z=$1
    cat <<EOF
tlsrpt-two     |"v=TLSRPTv1; rua=mailto:tlsrpt@tlsrpt-two.$z" + "v=TLSRPTv1; rua=mailto:other@tlsrpt-two.$z"
tlsrpt-baduri  |"v=TLSRPTv1; rua=ftp://reports.tlsrpt-baduri.$z/tlsrpt"
tlsrpt-both    |"v=TLSRPTv1; rua=mailto:tlsrpt@tlsrpt-both.$z,https://reports.tlsrpt-both.$z/v1/tlsrpt"
EOF
}

# fields LINE - split a "|" table row into the array F, blanks trimmed
fields() {
    local IFS='|' f i
    read -r -a F <<<"$1"
    for i in "${!F[@]}"; do
        f=${F[$i]}
        f=${f#"${f%%[![:space:]]*}"}
        F[$i]=${f%"${f##*[![:space:]]}"}
    done
}

# ---------------------------------------------------------------- helpers
log() { printf 'lab: %s\n' "$*" >&2; }
die() { printf 'lab: error: %s\n' "$*" >&2; exit 1; }
need_root() { [ "$(id -u)" -eq 0 ] || die "must run as root"; }

ns_exists() { [ -e "/run/netns/$NS" ]; }
nsx() { ip netns exec "$NS" "$@"; }
# daemon CMD... - start a daemon in the namespace: stdin from /dev/null and
# without fd 7 (the caller's stderr, kept for messages from the error trap)
daemon() { ip netns exec "$NS" "$@" </dev/null 7>&-; }

# ns_inode - inode of the lab namespace: live one first, else the recorded one
ns_inode() {
    if ns_exists; then
        stat -L -c %i "/run/netns/$NS" 2>/dev/null && return 0
    fi
    [ -s "$RUN/state/netns.ino" ] && cat "$RUN/state/netns.ino"
    return 0
}

# pid_in_lab PID INO - true if PID is alive and inside namespace INO
pid_in_lab() {
    local pid=$1 ino=$2 l
    [ -n "$pid" ] && [ -n "$ino" ] || return 1
    case $pid in *[!0-9]*) return 1 ;; esac
    l=$(readlink "/proc/$pid/ns/net" 2>/dev/null) || return 1
    [ "$l" = "net:[$ino]" ]
}

# read_pid FILE - first token of a pid file (Postfix pads with spaces)
read_pid() { [ -r "$1" ] && awk 'NR==1 {print $1}' "$1" 2>/dev/null || true; }

# wait_gone PID TENTHS - wait until PID has exited, bounded
wait_gone() {
    local pid=$1 n=$2 i=0
    while [ "$i" -lt "$n" ]; do
        [ -d "/proc/$pid" ] || return 0
        # a zombie child of ours counts as gone
        [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" = Z ] && return 0
        sleep 0.1
        i=$((i + 1))
    done
    [ ! -d "/proc/$pid" ]
}

# stop_pid NAME PID INO - TERM, wait up to 5 s, then KILL; only lab processes
stop_pid() {
    local name=$1 pid=$2 ino=$3
    pid_in_lab "$pid" "$ino" || return 0
    kill -TERM "$pid" 2>/dev/null || true
    if ! wait_gone "$pid" 50; then
        log "$name ($pid) ignored TERM, sending KILL"
        kill -KILL "$pid" 2>/dev/null || true
        wait_gone "$pid" 20 || log "$name ($pid) still present"
    fi
}

# lab_pids INO - every process whose network namespace is INO
# (one find(1) over every process: a readlink per process costs seconds under load)
lab_pids() {
    local ino=$1
    [ -n "$ino" ] || return 0
    find /proc/[0-9]*/ns/net -maxdepth 0 -lname "net:\\[$ino\\]" 2>/dev/null | cut -d/ -f3
    return 0
}

# ---------------------------------------------------------------- down
do_down() {
    local ino pid p pf sweep_any=0 left
    ino=$(ns_inode)
    # Never act on the root namespace's inode.
    if [ -n "$ino" ] && [ "net:[$ino]" = "$(readlink /proc/1/ns/net)" ]; then
        die "recorded namespace inode is the root namespace's; refusing"
    fi

    # 1. Postfix: its own stop, then wait for the master PID.
    pid=$(read_pid "$RUN/postfix/spool/pid/master.pid")
    [ -n "$pid" ] || pid=$(read_pid "$RUN/state/postfix.pid")
    if pid_in_lab "$pid" "$ino"; then
        if ns_exists && [ -f "$RUN/postfix/etc/main.cf" ]; then
            nsx postfix -c "$RUN/postfix/etc" stop >/dev/null 2>&1 || true
        else
            kill -TERM "$pid" 2>/dev/null || true
        fi
        wait_gone "$pid" 100 || { log "postfix master ($pid) slow to stop"; kill -KILL "$pid" 2>/dev/null || true; }
    fi

    # 2. nginx, unbound, nsd: pid files written by the daemons, plus copies.
    for p in nginx gnutls unbound nsd; do
        for pf in "$RUN/$p/$p.pid" "$RUN/state/$p.pid"; do
            pid=$(read_pid "$pf")
            [ -n "$pid" ] && stop_pid "$p" "$pid" "$ino"
        done
    done

    # 3. Anything else still inside the namespace (Postfix children, a failed
    #    half start, commands run with 'lab.sh exec'): by PID, one at a time.
    #    When the namespace mount is already gone, only touch the daemons the
    #    lab itself runs, in case the recorded inode was reused.
    if [ -n "$ino" ]; then
        for pid in $(lab_pids "$ino"); do
            [ "$pid" = "$$" ] && continue
            if ! ns_exists; then
                case $(readlink "/proc/$pid/exe" 2>/dev/null) in
                    /usr/sbin/nsd|/usr/sbin/unbound|/usr/sbin/nginx|/usr/lib/postfix/sbin/*) ;;
                    *) continue ;;
                esac
            fi
            log "stopping leftover process $pid ($(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | cut -c1-60))"
            kill -TERM "$pid" 2>/dev/null || true
            sweep_any=1
        done
        if [ "$sweep_any" -eq 1 ]; then
            for pid in $(lab_pids "$ino"); do
                wait_gone "$pid" 30 || kill -KILL "$pid" 2>/dev/null || true
            done
            left=$(lab_pids "$ino" | tr '\n' ' ')
            [ -z "$left" ] || log "processes still in namespace: $left"
        fi
    fi

    # 4. Namespace, its /etc/netns directory, and /run/netns if we made it.
    if ns_exists; then
        ip netns del "$NS" 2>/dev/null || log "ip netns del $NS failed"
    fi
    rm -rf "/etc/netns/$NS"
    if [ "$(cat "$RUN/state/etcnetns.created" 2>/dev/null)" = 1 ]; then
        rmdir /etc/netns 2>/dev/null || true
    fi
    if [ "$(cat "$RUN/state/runnetns.created" 2>/dev/null)" = 1 ] &&
        [ -d /run/netns ] && [ -z "$(ls -A /run/netns 2>/dev/null)" ]; then
        if mountpoint -q /run/netns; then umount /run/netns 2>/dev/null || true; fi
        rmdir /run/netns 2>/dev/null || true
    fi
    rm -f "$RUN/state/netns.ino" "$RUN/state/"*.pid "$RUN/lab.env"
    ! ns_exists
}

# ---------------------------------------------------------------- certificates
# Host-name lists (per zone Z) for the certificates.
good_names() {
    local z n
    for z in "$ZONE_PLAIN" $ZONES_SIGNED; do
        for n in mx-good mx-alias mx-dual mx-v6 mx1 mx2 mx3 mx4 implicit \
            mx-nostarttls mx-legacy mx-tls10only mx-anon mx-slow mx-reject; do
            printf '%s.%s\n' "$n" "$z"
        done
    done
    for n in mx-dane-bad mx-dane-ta mx-dane-pkix mx-dane-nostarttls; do
        printf '%s.sec.test\n' "$n"
    done
    # Added cases: the TLS-depth hosts, and the DANE hosts served with the good leaf.
    for z in "$ZONE_PLAIN" $ZONES_SIGNED; do
        printf '%s\n' "$TLS_CASES" | awk -v z="$z" 'NF {print "mx-" $1 "." z}'
    done
    dane_cases | awk -v a="$A_GOOD" -v b="$A_SPLICE" '$3 == a || $3 == b {print $2 ".sec.test"}'
    for n in mx-dane-cname mx-dane-target mx-dane-cname2 mx-dane-target2; do
        printf '%s.sec.test\n' "$n"
    done
}

# sts_hosts KIND... - the mta-sts.<case>.Z hosts whose policy is served in one of these ways
sts_hosts() {
    local z line
    for z in "$ZONE_PLAIN" $ZONES_SIGNED; do
        while read -r line; do
            fields "$line"
            case " $* " in *" ${F[3]} "*) printf 'mta-sts.%s.%s\n' "${F[0]}" "$z" ;; esac
        done < <(sts_cases "$z")
    done
}
san_line() { # names... -> DNS:a,DNS:b
    local out="" n
    for n in "$@"; do out="${out:+$out,}DNS:$n"; done
    printf '%s' "$out"
}

# leaf_ext SECTION SAN [ski] [aki] - openssl.cnf extensions of a server
# certificate: subject and/or authority key identifier as asked
leaf_ext() {
    local sec=$1 san=$2 k
    shift 2
    printf '[ %s ]\nbasicConstraints = critical, CA:FALSE\n' "$sec"
    printf 'keyUsage = critical, digitalSignature, keyEncipherment\nextendedKeyUsage = serverAuth\n'
    for k in "$@"; do
        case $k in
            ski) echo 'subjectKeyIdentifier = hash' ;;
            aki) echo 'authorityKeyIdentifier = keyid' ;;
        esac
    done
    printf 'subjectAltName = %s\n' "$san"
}

make_certs() {
    local d=$RUN/ca good_san self_san exp_san sts_san stsself_san bulk_san
    mkdir -p "$d/newcerts"
    chmod 755 "$d"
    : >"$d/index.txt"
    printf '1000\n' >"$d/serial"
    local names
    mapfile -t names < <(good_names)
    good_san=$(san_line "${names[@]}")
    self_san=$(san_line mx-selfsigned.plain.test mx-selfsigned.sec.test mx-dane-self.sec.test)
    exp_san=$(san_line mx-expired.plain.test mx-expired.sec.test mx-dane-expired.sec.test)
    mapfile -t names < <(sts_hosts plain redirect html big chunked)
    sts_san=$(san_line mta-sts.good.plain.test mta-sts.good.sec.test \
        mta-sts.wrongname.plain.test mta-sts.wrongname.sec.test "${names[@]}")
    mapfile -t names < <(sts_hosts selfsigned)
    stsself_san=$(san_line "${names[@]}")
    mapfile -t names < <(seq -f "mxb-%g.$ZONE_PLAIN" 1 "$BULK_HOSTS")
    bulk_san=$(san_line "${names[@]}" "*.own.$ZONE_PLAIN")
    cat >"$d/openssl.cnf" <<EOF
# Lab CA configuration (generated by lab.sh)
[ req ]
distinguished_name = req_dn
prompt = no
[ req_dn ]
CN = unused
[ ca ]
default_ca = lab_int
[ lab_int ]
dir = $d
database = \$dir/index.txt
new_certs_dir = \$dir/newcerts
serial = \$dir/serial
certificate = \$dir/int.pem
private_key = \$dir/int.key
default_md = sha256
policy = policy_any
unique_subject = no
email_in_dn = no
[ policy_any ]
commonName = supplied
[ v3_root ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[ v3_int ]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
EOF
    {
        leaf_ext v3_good "$good_san" ski aki
        leaf_ext v3_wrong DNS:unrelated.invalid aki
        leaf_ext v3_expired "$exp_san" aki
        leaf_ext v3_self "$self_san" ski
        leaf_ext v3_sts "$sts_san" aki
        leaf_ext v3_bulk "$bulk_san" aki
        leaf_ext v3_stsself "$stsself_san" ski
    } >>"$d/openssl.cnf"
    local k
    # RSA key generation is most of the certificates' CPU cost (~1.5 s): the
    # keys are kept in run/keys and reused by later starts (certificates are
    # still issued anew every time); missing ones are made two at a time.
    # rm -r run/keys for new keys.
    local pids=() p keys=$RUN/keys
    mkdir -p "$keys"
    chmod 700 "$keys"
    for k in root int good wrong expired self sts ''; do
        if [ -n "$k" ] && ! openssl pkey -in "$keys/$k.key" -noout 2>/dev/null; then
            (umask 077 && exec openssl genrsa -out "$keys/$k.key" 2048 2>/dev/null) &
            pids+=($!)
        fi
        if [ "${#pids[@]}" -eq 2 ] || [ -z "$k" ]; then
            for p in "${pids[@]}"; do wait "$p" || die "openssl genrsa failed"; done
            pids=()
        fi
    done
    for k in root int good wrong expired self sts; do
        install -m 600 "$keys/$k.key" "$d/$k.key"
    done
    local cnf=$d/openssl.cnf
    # Root and intermediate.
    openssl req -new -x509 -config "$cnf" -key "$d/root.key" -sha256 -days 3650 \
        -subj "/O=starttls-check lab/CN=STC Lab Root CA" -extensions v3_root -out "$d/root.pem"
    openssl req -new -config "$cnf" -key "$d/int.key" \
        -subj "/O=starttls-check lab/CN=STC Lab Intermediate CA" -out "$d/int.csr"
    openssl x509 -req -in "$d/int.csr" -CA "$d/root.pem" -CAkey "$d/root.key" -set_serial 2 \
        -sha256 -days 3650 -extfile "$cnf" -extensions v3_int -out "$d/int.pem" 2>/dev/null
    # Leaves signed by the intermediate; the server files carry leaf + intermediate.
    local leaf cn ext key
    for leaf in good wrong sts bulk; do
        key=$d/$leaf.key
        case $leaf in
            good) cn=mx-good.plain.test ext=v3_good ;;
            wrong) cn=unrelated.invalid ext=v3_wrong ;;
            sts) cn=mta-sts.good.plain.test ext=v3_sts ;;
            bulk) cn=mxb-1.plain.test ext=v3_bulk key=$d/good.key ;;
        esac
        openssl req -new -config "$cnf" -key "$key" -subj "/CN=$cn" -out "$d/$leaf.csr"
        openssl x509 -req -in "$d/$leaf.csr" -CA "$d/int.pem" -CAkey "$d/int.key" \
            -set_serial "0x$(openssl rand -hex 8)" -sha256 -days 365 \
            -extfile "$cnf" -extensions "$ext" -out "$d/$leaf.pem" 2>/dev/null
        cat "$d/$leaf.pem" "$d/int.pem" >"$d/$leaf-chain.pem"
    done
    # Expired: right name, valid chain, validity 2020-01-01 .. 2021-01-01.
    openssl req -new -config "$cnf" -key "$d/expired.key" -subj "/CN=mx-expired.plain.test" \
        -out "$d/expired.csr"
    openssl ca -batch -config "$cnf" -notext -in "$d/expired.csr" -out "$d/expired.pem" \
        -startdate 20200101000000Z -enddate 20210101000000Z -extfile "$cnf" \
        -extensions v3_expired 2>/dev/null
    cat "$d/expired.pem" "$d/int.pem" >"$d/expired-chain.pem"
    # Self-signed leaf with the right names.
    openssl req -new -x509 -config "$cnf" -key "$d/self.key" -sha256 -days 365 \
        -subj "/CN=mx-selfsigned.plain.test" -extensions v3_self -out "$d/self.pem"
    cp "$d/self.pem" "$d/self-chain.pem"
    # Self-signed certificate for the MTA-STS hosts of the sts-selfsigned case.
    openssl req -new -x509 -config "$cnf" -key "$d/sts.key" -sha256 -days 365 \
        -subj "/CN=mta-sts.sts-selfsigned.plain.test" -extensions v3_stsself -out "$d/stsself.pem"
    # A CA that signed nothing the lab serves (EC keys: only their digests
    # matter), sent by the splice listener after the good leaf; and the
    # "next" key of the rollover case, published in DNS but not in use.
    openssl ecparam -genkey -name prime256v1 -noout -out "$d/unrel.key" 2>/dev/null
    openssl ecparam -genkey -name prime256v1 -noout -out "$d/next.key" 2>/dev/null
    chmod 600 "$d/unrel.key" "$d/next.key"
    openssl req -new -x509 -config "$cnf" -key "$d/unrel.key" -sha256 -days 3650 \
        -subj "/O=starttls-check lab/CN=STC Lab Unrelated CA" -extensions v3_root -out "$d/unrel.pem"
    cat "$d/good.pem" "$d/unrel.pem" >"$d/splice-chain.pem"
    # DHE group of the dhe1024 listener: the 1024-bit MODP group of RFC 2409
    # (Oakley group 2), the group of the Logjam era; written as PKCS#3 PEM.
    printf 'asn1=SEQUENCE:dh\n[dh]\np=INTEGER:0x%s\ng=INTEGER:2\n' "$(tr -d ' \n' <<'HEX'
FFFFFFFF FFFFFFFF C90FDAA2 2168C234 C4C6628B 80DC1CD1 29024E08 8A67CC74
020BBEA6 3B139B22 514A0879 8E3404DD EF9519B3 CD3A431B 302B0A6D F25F1437
4FE1356D 6D51C245 E485B576 625E7EC6 F44C42E9 A637ED6B 0BFF5CB6 F406B7ED
EE386BFB 5A899FA5 AE9F2411 7C4B1FE6 49286651 ECE65381 FFFFFFFF FFFFFFFF
HEX
)" >"$d/dh1024.cnf"
    openssl asn1parse -genconf "$d/dh1024.cnf" -out "$d/dh1024.der" >/dev/null
    openssl dhparam -inform DER -in "$d/dh1024.der" -out "$d/dh1024.pem" 2>/dev/null
    openssl genpkey -genparam -algorithm DH -pkeyopt group:ffdhe3072 -out "$d/ffdhe3072.pem" ||
        die "cannot write the ffdhe3072 parameters"
    openssl verify -CAfile "$d/root.pem" -untrusted "$d/int.pem" "$d/good.pem" >/dev/null ||
        die "generated good certificate does not verify"
}

spki_der() { # cert.pem -> the DER SubjectPublicKeyInfo
    openssl x509 -in "$1" -pubkey -noout | openssl pkey -pubin -outform DER
}
hexdigest() { # sha256|sha512: hex digest of stdin
    "${1}sum" | cut -d' ' -f1
}
spki_sha256() { # cert.pem -> hex SHA-256 of the DER SubjectPublicKeyInfo
    spki_der "$1" | hexdigest sha256
}

# ---------------------------------------------------------------- DNS
# zone_common Z - records every lab zone carries (both signed and unsigned)
zone_common() {
    local z=$1
    cat <<EOF
\$ORIGIN $z.
\$TTL 300
@               SOA   ns1 hostmaster 1 3600 900 604800 300
@               NS    ns1
ns1             A     $AUTH4
; ---- MX hosts -> listeners
mx-good         A     $A_GOOD
mx-nostarttls   A     $A_NOSTARTTLS
mx-selfsigned   A     $A_SELFSIGNED
mx-wrongname    A     $A_WRONGNAME
mx-expired      A     $A_EXPIRED
mx-legacy       A     $A_LEGACY
mx-tls10only    A     $A_TLS10ONLY
mx-anon         A     $A_ANON
mx-slow         A     $A_SLOW
mx-reject       A     $A_REJECT
mx-alias        CNAME mx-good
mx-dual         A     $A_GOOD
mx-dual         AAAA  $A6_GOOD
mx-v6           AAAA  $A6_GOOD
mx1             A     $A_FOUR1
mx2             A     $A_FOUR2
mx3             A     $A_FOUR3
mx4             A     $A_FOUR4
mx-dead         A     $A_DEAD
mta-sts.good      A   $A_MTASTS
mta-sts.wrongname A   $A_MTASTS
; ---- mail domains
good            MX    10 mx-good
nostarttls      MX    10 mx-nostarttls
selfsigned      MX    10 mx-selfsigned
wrongname       MX    10 mx-wrongname
expired         MX    10 mx-expired
legacy          MX    10 mx-legacy
tls10only       MX    10 mx-tls10only
anon            MX    10 mx-anon
slow            MX    10 mx-slow
rejecting       MX    10 mx-reject
multi-good-bad  MX    10 mx-good
multi-good-bad  MX    20 mx-selfsigned
multi-bad-good  MX    10 mx-selfsigned
multi-bad-good  MX    20 mx-good
multi-dead-good MX    10 mx-dead
multi-dead-good MX    20 mx-good
cname-mx        MX    10 mx-alias
nullmx          MX    0 .
implicit        A     $A_GOOD
dead            MX    10 mx-dead
dualstack       MX    10 mx-dual
v6only          MX    10 mx-v6
four            MX    10 mx1
four            MX    10 mx2
four            MX    10 mx3
four            MX    10 mx4
nomail          TXT   "this name exists but has no MX and no address"
; ---- MTA-STS and TLS-RPT
_mta-sts.good       TXT "v=STSv1; id=20240601000000;"
_mta-sts.wrongname  TXT "v=STSv1; id=20240601000001;"
_smtp._tls.good     TXT "v=TLSRPTv1; rua=mailto:tlsrpt@good.$z"
; ---- TLSA (only meaningful where the zone is signed)
_25._tcp.mx-good  TLSA 3 1 1 $GOOD_SPKI
EOF
    zone_cases "$z"
}

# txt_records OWNER RDATA - one TXT record per " + "-separated rdata ("-": none)
txt_records() {
    local owner=$1 rest=$2
    [ "$rest" != - ] || return 0
    while :; do
        printf '%-28s TXT   %s\n' "$owner" "${rest%% + *}"
        [ "$rest" != "${rest#* + }" ] || return 0
        rest=${rest#* + }
    done
}

# zone_cases Z - the TLS-depth, MTA-STS and TLS-RPT cases, from their tables
zone_cases() {
    local z=$1 name addr kind line
    echo "; ---- TLS-depth cases (TLS_CASES)"
    while read -r name addr kind; do
        [ -n "$name" ] || continue
        printf 'mx-%-13s A     %s\n%-16s MX    10 mx-%s\n' "$name" "$addr" "$name" "$name"
    done <<<"$TLS_CASES"
    echo "; ---- MTA-STS cases (sts_cases)"
    while read -r line; do
        fields "$line"
        printf '%-16s MX    10 %s\n' "${F[0]}" "${F[1]}"
        [ "${F[3]}" = nohost ] || printf 'mta-sts.%-16s A %s\n' "${F[0]}" "$A_MTASTS"
        txt_records "_mta-sts.${F[0]}" "${F[2]}"
    done < <(sts_cases "$z")
    echo "; ---- TLS-RPT cases (tlsrpt_cases)"
    while read -r line; do
        fields "$line"
        printf '%-16s MX    10 mx-good\n' "${F[0]}"
        txt_records "_smtp._tls.${F[0]}" "${F[1]}"
    done < <(tlsrpt_cases "$z")
}

# zone_bulk - the generated bulk domains of plain.test (README "Bulk domains")
zone_bulk() {
    awk -v n="$BULK_SHARED" -v h="$BULK_HOSTS" -v own="$BULK_OWN" -v lim="$BULK_LIMITED" \
        -v addrs="$BULK_ADDRS" 'BEGIN {
        na = split(addrs, a, " ")
        print "; ---- bulk domains (generated)"
        for (k = 1; k <= h; k++) printf "mxb-%d A %s\n", k, a[(k - 1) % na + 1]
        for (i = 1; i <= n; i++) printf "bulk-%d MX 10 mxb-%d\n", i, (i - 1) % h + 1
        for (i = 1; i <= own; i++) printf "own-%d MX 10 mx-%d.own\nmx-%d.own A %s\n", i, i, i, a[(i - 1) % na + 1]
        for (i = 1; i <= lim; i++) printf "limited-%d MX 10 mx-limited\n", i
    }'
}

# zone_dane - the DANE cases of dane_cases, and the CNAME'd MX hosts
zone_dane() {
    local dom host addr tlsa r recs
    echo "; ---- DANE cases (dane_cases)"
    while read -r dom host addr tlsa; do
        printf '%-20s A     %s\n' "$host" "$addr"
        IFS=';' read -r -a recs <<<"$tlsa"
        for r in "${recs[@]}"; do printf '_25._tcp.%s TLSA %s\n' "$host" "$r"; done
        printf '%-20s MX    10 %s\n' "$dom" "$host"
    done < <(dane_cases)
    # RFC 7672 2.2.2: the TLSA base domain is the CNAME target when it has
    # TLSA records (dane-cname: the alias's own TLSA matches nothing), else
    # the original name (dane-cname-orig: the target has none).
    cat <<EOF
mx-dane-target       A     $A_GOOD
_25._tcp.mx-dane-target TLSA 3 1 1 $GOOD_SPKI
mx-dane-cname        CNAME mx-dane-target
_25._tcp.mx-dane-cname TLSA 3 1 1 $NOMATCH_HASH
dane-cname           MX    10 mx-dane-cname
mx-dane-target2      A     $A_GOOD
mx-dane-cname2       CNAME mx-dane-target2
_25._tcp.mx-dane-cname2 TLSA 3 1 1 $GOOD_SPKI
dane-cname-orig      MX    10 mx-dane-cname2
EOF
}

# zone_sec_extra - DANE cases only in the signed zone
zone_sec_extra() {
    cat <<EOF
; ---- DANE cases (sec.test only)
mx-dane-self        A    $A_SELFSIGNED
_25._tcp.mx-dane-self TLSA 3 1 1 $SELF_SPKI
dane-self           MX   10 mx-dane-self
mx-dane-bad         A    $A_GOOD
_25._tcp.mx-dane-bad TLSA 3 1 1 $NOMATCH_HASH
dane-bad            MX   10 mx-dane-bad
mx-dane-ta          A    $A_GOOD
_25._tcp.mx-dane-ta TLSA 2 1 1 $INT_SPKI
dane-ta             MX   10 mx-dane-ta
mx-dane-pkix        A    $A_GOOD
_25._tcp.mx-dane-pkix TLSA 1 1 1 $GOOD_SPKI
dane-pkix           MX   10 mx-dane-pkix
mx-dane-nostarttls  A    $A_NOSTARTTLS
_25._tcp.mx-dane-nostarttls TLSA 3 1 1 $GOOD_SPKI
dane-nostarttls     MX   10 mx-dane-nostarttls
EOF
}

# sign_zone Z FILE [-i INCEPTION -e EXPIRATION] - ldns KSK+ZSK, writes FILE.signed
sign_zone() {
    local z=$1 f=$2 ksk zsk
    shift 2
    ksk=$(cd "$RUN/dns/keys" && ldns-keygen -r /dev/urandom -a ECDSAP256SHA256 -k "$z")
    zsk=$(cd "$RUN/dns/keys" && ldns-keygen -r /dev/urandom -a ECDSAP256SHA256 "$z")
    ldns-signzone "$@" -o "$z." -f "$f.signed" "$f" "$RUN/dns/keys/$zsk" "$RUN/dns/keys/$ksk"
    SIGN_KEYS="$RUN/dns/keys/$zsk $RUN/dns/keys/$ksk"
    # trust anchor "name DS tag alg digesttype digest" from the KSK's .ds file
    awk '{for (i = 1; i <= NF; i++) if ($i == "DS") { print $1, "DS", $(i+1), $(i+2), $(i+3), $(i+4); exit } }' \
        "$RUN/dns/keys/$ksk.ds" >"$RUN/dns/$z.ds"
    [ -s "$RUN/dns/$z.ds" ] || die "no DS for $z"
}

# expire_rrsig Z OWNER TYPE - in Z's signed file, replace the RRSIG over the
# OWNER/TYPE RRset by one made with the same keys (SIGN_KEYS, from the last
# sign_zone) but valid only in January 2020: that RRset alone is bogus, every
# other answer of the zone stays secure.
expire_rrsig() {
    local z=$1 owner=$2. type=$3 f=$RUN/dns/$1.zone.signed t=$RUN/dns/expire
    sel() { awk -v o="$owner" -v t="$type" "$1" "$2"; }
    { awk '$4 == "SOA"' "$f"; sel '$1 == o && $4 == t' "$f"; } >"$t.zone"
    # shellcheck disable=SC2086
    ldns-signzone -i 20200101000000 -e 20200201000000 -o "$z." -f "$t.signed" "$t.zone" $SIGN_KEYS
    sel '$1 == o && $4 == "RRSIG" && $5 == t' "$t.signed" >"$t.rrsig"
    [ -s "$t.rrsig" ] || die "no expired RRSIG made for $owner $type"
    { sel '!($1 == o && $4 == "RRSIG" && $5 == t)' "$f"; cat "$t.rrsig"; } >"$f.tmp"
    mv "$f.tmp" "$f"
}

make_zones() {
    local d=$RUN/dns
    mkdir -p "$d/keys"
    GOOD_SPKI=$(spki_sha256 "$RUN/ca/good.pem")
    SELF_SPKI=$(spki_sha256 "$RUN/ca/self.pem")
    INT_SPKI=$(spki_sha256 "$RUN/ca/int.pem")
    NOMATCH_HASH=$(printf 'starttls-check lab: matches no key' | sha256sum | cut -d' ' -f1)
    GOOD_SPKI_SHA512=$(spki_der "$RUN/ca/good.pem" | hexdigest sha512)
    GOOD_CERT_SHA256=$(openssl x509 -in "$RUN/ca/good.pem" -outform DER | hexdigest sha256)
    GOOD_CERT_HEX=$(openssl x509 -in "$RUN/ca/good.pem" -outform DER | od -An -v -tx1 | tr -d ' \n')
    UNREL_SPKI=$(spki_sha256 "$RUN/ca/unrel.pem")
    EXPIRED_SPKI=$(spki_sha256 "$RUN/ca/expired.pem")
    NEXT_SPKI=$(openssl pkey -in "$RUN/ca/next.key" -pubout -outform DER | hexdigest sha256)
    { zone_common "$ZONE_PLAIN"; zone_bulk; } >"$d/$ZONE_PLAIN.zone"
    { zone_common sec.test; zone_sec_extra; zone_dane; } >"$d/sec.test.zone"
    zone_common "$ZONE_BOGUS" >"$d/$ZONE_BOGUS.zone"
    sign_zone sec.test "$d/sec.test.zone"
    expire_rrsig sec.test "$BOGUS_TLSA_OWNER" TLSA
    sign_zone "$ZONE_BOGUS" "$d/$ZONE_BOGUS.zone" -i 20200101000000 -e 20200201000000
}

start_nsd() {
    local d=$RUN/nsd
    mkdir -p "$d"
    cat >"$d/nsd.conf" <<EOF
# NSD for the starttls-check lab (generated by lab.sh)
server:
    ip-address: $AUTH4
    port: 53
    do-ip6: no
    username: ""
    chroot: ""
    zonesdir: "$RUN/dns"
    database: ""
    zonelistfile: "$d/zone.list"
    xfrdfile: "$d/xfrd.state"
    xfrdir: "$d"
    pidfile: "$d/nsd.pid"
    logfile: "$d/nsd.log"
    server-count: 1
    reuseport: no
    hide-version: yes
    verbosity: 1
    # No response rate limiting (NSD's default: 200 answers/s per /24 and
    # kind): every lab name lives in three zones asked by one resolver, so a
    # bulk scan's NXDOMAINs (_mta-sts.bulk-N...) hit one bucket and were
    # dropped, and the scan measured NSD instead of the checker.
    rrl-ratelimit: 0
    rrl-whitelist-ratelimit: 0
remote-control:
    control-enable: no
zone:
    name: "sec.test"
    zonefile: "sec.test.zone.signed"
zone:
    name: "$ZONE_PLAIN"
    zonefile: "$ZONE_PLAIN.zone"
zone:
    name: "$ZONE_BOGUS"
    zonefile: "$ZONE_BOGUS.zone.signed"
EOF
    nsd-checkconf "$d/nsd.conf" || die "nsd.conf rejected"
    daemon nsd -c "$d/nsd.conf" >"$d/start.log" 2>&1 || { cat "$d/start.log" >&2; die "nsd failed to start"; }
}

start_unbound() {
    local d=$RUN/unbound
    mkdir -p "$d"
    # Root hints point at the lab's own NSD (which refuses "."): should the
    # iterator ever want the root, the only address it can ask is in the lab.
    printf '.\t3600000\tNS\tns1.lab-root.\nns1.lab-root.\t3600000\tA\t%s\n' "$AUTH4" >"$d/root.hints"
    {
        cat <<EOF
# Unbound for the starttls-check lab (generated by lab.sh)
server:
    verbosity: ${STC_LAB_UNBOUND_VERBOSITY:-1}
    interface: $RESOLVER4
    interface: 127.0.0.1
    port: 53
    interface-automatic: no
    do-ip4: yes
    do-ip6: no
    do-udp: yes
    do-tcp: yes
    outgoing-interface: $RESOLVER4
    num-threads: 1
    so-reuseport: no
    username: ""
    chroot: ""
    directory: "$d"
    pidfile: "$d/unbound.pid"
    logfile: "$d/unbound.log"
    use-syslog: no
    log-time-ascii: yes
    do-daemonize: yes
    root-hints: "$d/root.hints"
    do-not-query-localhost: no
    module-config: "validator iterator"
    val-log-level: 2
    ede: yes
    access-control: 0.0.0.0/0 refuse
    access-control: ::/0 refuse
    access-control: 127.0.0.0/8 allow
    access-control: ::1/128 allow
    access-control: 192.0.2.0/24 allow
    access-control: 198.51.100.0/24 allow
    access-control: fd00:5c::/64 allow
    access-control: fd00:5c:1::/64 allow
    # Answer nothing outside the lab zones, and don't shadow them with
    # Unbound's built-in "test." zone.
    local-zone: "test." nodefault
    local-zone: "." refuse
    local-zone: "sec.test." transparent
    local-zone: "$ZONE_PLAIN." transparent
    local-zone: "$ZONE_BOGUS." transparent
    domain-insecure: "$ZONE_PLAIN."
EOF
        printf '    trust-anchor: "%s"\n' "$(cat "$RUN/dns/sec.test.ds")"
        printf '    trust-anchor: "%s"\n' "$(cat "$RUN/dns/$ZONE_BOGUS.ds")"
        local z
        for z in sec.test "$ZONE_PLAIN" "$ZONE_BOGUS"; do
            printf 'stub-zone:\n    name: "%s."\n    stub-addr: %s\n' "$z" "$AUTH4"
        done
        printf 'remote-control:\n    control-enable: no\n'
    } >"$d/unbound.conf"
    unbound-checkconf "$d/unbound.conf" >/dev/null || die "unbound.conf rejected"
    daemon unbound -c "$d/unbound.conf" >"$d/start.log" 2>&1 || { cat "$d/start.log" "$d/unbound.log" >&2; die "unbound failed to start"; }
}

# ---------------------------------------------------------------- Postfix
# smtpd listener lines: "name address:port options..."
listeners() {
    local ca=$RUN/ca sec0='DEFAULT:@SECLEVEL=0'
    cat <<EOF
good       $A_GOOD:25          -o smtpd_tls_cert_file=$ca/good-chain.pem -o smtpd_tls_key_file=$ca/good.key
good6      [$A6_GOOD]:25       -o smtpd_tls_cert_file=$ca/good-chain.pem -o smtpd_tls_key_file=$ca/good.key
submission $A_GOOD:587         -o smtpd_tls_security_level=encrypt
smtps      $A_GOOD:465         -o smtpd_tls_wrappermode=yes -o smtpd_tls_security_level=encrypt
nostarttls $A_NOSTARTTLS:25    -o smtpd_tls_security_level=none
selfsigned $A_SELFSIGNED:25    -o smtpd_tls_cert_file=$ca/self-chain.pem -o smtpd_tls_key_file=$ca/self.key
wrongname  $A_WRONGNAME:25     -o smtpd_tls_cert_file=$ca/wrong-chain.pem -o smtpd_tls_key_file=$ca/wrong.key
expired    $A_EXPIRED:25       -o smtpd_tls_cert_file=$ca/expired-chain.pem -o smtpd_tls_key_file=$ca/expired.key
legacy     $A_LEGACY:25        -o smtpd_tls_protocols=>=TLSv1 -o smtpd_tls_mandatory_protocols=>=TLSv1 -o smtpd_tls_ciphers=medium -o smtpd_tls_mandatory_ciphers=medium -o tls_medium_cipherlist=$sec0
tls10only  $A_TLS10ONLY:25     -o smtpd_tls_protocols=>=TLSv1,<=TLSv1 -o smtpd_tls_mandatory_protocols=>=TLSv1,<=TLSv1 -o smtpd_tls_ciphers=medium -o smtpd_tls_mandatory_ciphers=medium -o tls_medium_cipherlist=$sec0
anon       $A_ANON:25          -o smtpd_tls_ciphers=medium -o smtpd_tls_mandatory_ciphers=medium -o tls_medium_cipherlist=aNULL:eNULL:DEFAULT:@SECLEVEL=0 -o smtpd_tls_exclude_ciphers=
slow       $A_SLOW:25          -o smtpd_delay_reject=no -o smtpd_client_restrictions=sleep,$SLOW_SECONDS
reject     $A_REJECT:25        -o smtpd_delay_reject=no -o smtpd_client_restrictions=reject
four1      $A_FOUR1:25
four2      $A_FOUR2:25
four3      $A_FOUR3:25
four4      $A_FOUR4:25
splice     $A_SPLICE:25        -o smtpd_tls_cert_file=$ca/splice-chain.pem -o smtpd_tls_key_file=$ca/good.key
EOF
    local name addr kind i=1
    while read -r name addr kind; do
        [ "$kind" = postfix ] || continue
        printf '%-10s %-19s %s\n' "$name" "$addr:25" "$(tls_case_opts "$name")"
    done <<<"$TLS_CASES"
    for addr in $BULK_ADDRS; do
        printf 'bulk%s %s:25 -o smtpd_tls_cert_file=%s -o smtpd_tls_key_file=%s\n' \
            "$i" "$addr" "$ca/bulk-chain.pem" "$ca/good.key"
        i=$((i + 1))
    done
}

# tls_case_opts NAME - smtpd -o options of a Postfix TLS-depth case (TLS_CASES).
# Protocols "=TLSv1.2" means TLS 1.2 only. Cipher lists name every suite, so
# README's table of what each listener accepts follows from them.
tls_case_opts() {
    local p12='>=TLSv1.2,<=TLSv1.2' med='-o smtpd_tls_ciphers=medium -o smtpd_tls_mandatory_ciphers=medium'
    local order=ECDHE-RSA-CHACHA20-POLY1305:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256
    proto() { printf -- '-o smtpd_tls_protocols=%s -o smtpd_tls_mandatory_protocols=%s' "$1" "$1"; }
    case $1 in
        clean) echo "$med -o tls_medium_cipherlist=ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-CHACHA20-POLY1305" ;;
        tls13only) proto '>=TLSv1.3' ;;
        cbconly) echo "$(proto "$p12") $med -o tls_medium_cipherlist=ECDHE-RSA-AES128-SHA256:ECDHE-RSA-AES256-SHA384:ECDHE-RSA-AES128-SHA:ECDHE-RSA-AES256-SHA" ;;
        dhe1024) echo "$(proto "$p12") $med -o tls_medium_cipherlist=DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:DHE-RSA-AES128-SHA256:DHE-RSA-AES256-SHA256:@SECLEVEL=0 -o smtpd_tls_dh1024_param_file=$RUN/ca/dh1024.pem" ;;
        clientorder) echo "$med -o tls_medium_cipherlist=$order -o tls_preempt_cipherlist=no" ;;
        serverorder) echo "$med -o tls_medium_cipherlist=$order -o tls_preempt_cipherlist=yes" ;;
        limited) echo "-o smtpd_client_connection_count_limit=$LIMIT_COUNT -o smtpd_client_event_limit_exceptions=" ;;
        rsaonly) echo "$(proto "$p12") $med -o tls_medium_cipherlist=AES128-GCM-SHA256:AES256-GCM-SHA384:AES128-SHA256:AES256-SHA256:AES128-SHA:AES256-SHA -o smtpd_tls_exclude_ciphers=aNULL,eNULL" ;;
        *) die "no options for TLS case $1" ;;
    esac
}

# gnutls_listeners - "name,address,port,priority" of the GnuTLS TLS cases
# (gnutls_smtpd.py --listen): TLS 1.2 only, ECDHE-RSA, AES-GCM plus the weak cipher.
gnutls_listeners() {
    local name addr kind weak
    while read -r name addr kind; do
        [ "$kind" = gnutls ] || continue
        case $name in
            3des) weak=3DES-CBC ;;
            rc4) weak=ARCFOUR-128 ;;
            *) die "no priority for TLS case $name" ;;
        esac
        printf 'mx-%s.%s,%s,25,NONE:+VERS-TLS1.2:+ECDHE-RSA:+AES-256-GCM:+AES-128-GCM:+%s:+AEAD:+SHA1:+SIGN-ALL:+GROUP-EC-ALL:+COMP-NULL\n' \
            "$name" "$ZONE_PLAIN" "$addr" "$weak"
    done <<<"$TLS_CASES"
}

# make_queue DIR - create the queue directories of a fresh instance as the
# package's postfix-files lists them, then ask for a quick start: postfix-script
# skips its integrity checks (post-install create-missing and a walk over
# every Postfix file: ~2 s, most of the lab's start-up) when
# $queue_directory/quick-start exists. Without postfix-files, nothing is done
# and "postfix start" makes the directories itself, slowly.
make_queue() {
    local q=$1 files=/etc/postfix/postfix-files path type owner group mode rest
    [ -r "$files" ] || return 0
    while IFS=: read -r path type owner group mode rest; do
        case $path in '$queue_directory'|'$queue_directory/'*) ;; *) continue ;; esac
        [ "$type" = d ] || continue
        path=$q${path#\$queue_directory}
        owner=${owner/\$mail_owner/postfix}
        group=${group/\$setgid_group/postdrop}
        [ "$group" != - ] || group=
        mkdir -p "$path"
        chown "$owner${group:+:$group}" "$path"
        chmod "$mode" "$path"
    done <"$files"
    [ -d "$q/pid" ] && [ -d "$q/public" ] && touch "$q/quick-start"
}

start_postfix() {
    local d=$RUN/postfix etc=$RUN/postfix/etc
    mkdir -p "$etc" "$d/spool" "$d/data" "$d/log"
    chown postfix "$d/data"
    cat >"$etc/main.cf" <<EOF
# Private Postfix instance for the starttls-check lab (generated by lab.sh).
# It receives nothing: every RCPT is rejected.
compatibility_level = 3.6
config_directory = $etc
queue_directory = $d/spool
data_directory = $d/data
meta_directory = /etc/postfix
mail_owner = postfix
setgid_group = postdrop
maillog_file = $d/log/maillog
maillog_file_prefixes = $d/log
myhostname = mx-good.plain.test
mydomain = plain.test
myorigin = \$myhostname
mydestination =
relayhost =
inet_interfaces = all
inet_protocols = all
mynetworks = 127.0.0.0/8 [::1]/128 192.0.2.0/24 198.51.100.0/24 [fd00:5c::]/64 [fd00:5c:1::]/64
smtpd_relay_restrictions = reject
smtpd_recipient_restrictions =
smtpd_client_connection_count_limit = 0
smtpd_client_event_limit_exceptions = \$mynetworks
alias_maps =
alias_database =
local_recipient_maps =
biff = no
smtputf8_enable = yes
smtpd_banner = \$myhostname ESMTP starttls-check lab
smtpd_tls_security_level = may
smtpd_tls_cert_file = $RUN/ca/good-chain.pem
smtpd_tls_key_file = $RUN/ca/good.key
smtpd_tls_protocols = >=TLSv1.2
smtpd_tls_mandatory_protocols = >=TLSv1.2
# Postfix servers accept anonymous suites by default; the "good" listeners
# must not (only the anon listener overrides this). The good listeners are
# good by the NCSC-NL guidelines the checker grades with: no RSA key
# exchange (kRSA, overridden by rsaonly), the server's suite order, and a
# 3072-bit DHE group (RFC 7919 ffdhe3072) instead of Postfix's built-in
# 2048-bit one (dhe1024 overrides the file, clientorder the order).
smtpd_tls_exclude_ciphers = aNULL, eNULL, kRSA
tls_preempt_cipherlist = yes
smtpd_tls_dh1024_param_file = $RUN/ca/ffdhe3072.pem
smtpd_tls_loglevel = 1
smtpd_tls_session_cache_database =
smtp_tls_session_cache_database =
tls_random_source = dev:/dev/urandom
EOF
    {
        cat <<EOF
# master.cf for the starttls-check lab (generated by lab.sh).
# service              type  private unpriv chroot wakeup maxproc command
EOF
        local name addr opts
        while read -r name addr opts; do
            [ -n "$name" ] || continue
            local host=mx-$name.plain.test
            case $name in
                good|good6|submission|smtps) host=mx-good.plain.test ;;
                four[1-4]) host=mx${name#four}.plain.test ;;
                bulk[1-9]) host=mxb-${name#bulk}.plain.test ;;
                splice) host=mx-dane-splice.sec.test ;;
                slow) host=mx-slow.plain.test ;;
                reject) host=mx-reject.plain.test ;;
            esac
            printf '%s inet n - n - - smtpd\n  -o syslog_name=stclab/%s\n  -o myhostname=%s\n' \
                "$addr" "$name" "$host"
            local o
            for o in $opts; do [ "$o" = -o ] || printf '  -o %s\n' "$o"; done
        done < <(listeners)
        cat <<EOF
pickup    unix  n - n 60  1 pickup
cleanup   unix  n - n -   0 cleanup
qmgr      unix  n - n 300 1 qmgr
tlsmgr    unix  - - n 1000? 1 tlsmgr
rewrite   unix  - - n -   - trivial-rewrite
bounce    unix  - - n -   0 bounce
defer     unix  - - n -   0 bounce
trace     unix  - - n -   0 bounce
verify    unix  - - n -   1 verify
flush     unix  n - n 1000? 0 flush
proxymap  unix  - - n -   - proxymap
showq     unix  n - n -   - showq
error     unix  - - n -   - error
retry     unix  - - n -   - error
discard   unix  - - n -   - discard
anvil     unix  - - n -   1 anvil
scache    unix  - - n -   1 scache
postlog   unix-dgram n - n - 1 postlogd
EOF
    } >"$etc/master.cf"
    make_queue "$d/spool"
    # postfix exits 1 silently without a tty: run it under script(1).
    if ! daemon script -qec "postfix -c $etc start" /dev/null >"$d/start.log" 2>&1; then
        cat "$d/start.log" >&2
        tail -n 20 "$d/log/maillog" 2>/dev/null >&2 || true
        die "postfix failed to start"
    fi
}

# ---------------------------------------------------------------- GnuTLS
# start_gnutls - the 3DES and RC4 listeners: gnutls_smtpd.py (SMTP in Python,
# TLS through libgnutls), one process for all of them, log in run/gnutls/.
start_gnutls() {
    local d=$RUN/gnutls spec args=()
    mkdir -p "$d"
    while read -r spec; do args+=(--listen "$spec"); done < <(gnutls_listeners)
    [ "${#args[@]}" -gt 0 ] || return 0
    daemon /usr/bin/python3 "$LAB_DIR/gnutls_smtpd.py" --cert "$RUN/ca/good-chain.pem" \
        --key "$RUN/ca/good.key" --log "$d/smtpd.log" --pidfile "$d/gnutls.pid" "${args[@]}" \
        >"$d/start.log" 2>&1 || { cat "$d/start.log" >&2; die "gnutls_smtpd.py failed to start"; }
}

# ---------------------------------------------------------------- latency
# set_delay MS - netem delay on the namespace's links: lo carries every lab
# packet (requests and answers alike: MS each way), the tap only what goes to
# the lwIP side (2 x MS, so its round trip is the same). Needs sch_netem.
set_delay() {
    local ms=$1
    [ "$ms" -gt 0 ] || return 0
    nsx tc qdisc add dev lo root netem delay "${ms}ms" 2>"$RUN/state/netem.err" ||
        die "STC_LAB_DELAY_MS=$ms: tc netem failed ($(cat "$RUN/state/netem.err")); this kernel may lack sch_netem (CONFIG_NET_SCH_NETEM)"
    nsx tc qdisc add dev "$TAP_DEV" root netem delay "$((2 * ms))ms" ||
        die "STC_LAB_DELAY_MS=$ms: tc netem on $TAP_DEV failed"
}

# ---------------------------------------------------------------- nginx
# sts_policy MODE [PATTERN...] - an MTA-STS policy body, LF line ends
sts_policy() {
    local p
    printf 'version: STSv1\nmode: %s\n' "$1"
    shift
    for p in "$@"; do printf 'mx: %s\n' "$p"; done
    printf 'max_age: 86400\n'
}

# sts_files W Z - policy files of the sts_cases under web root W for zone Z
sts_files() {
    local w=$1 z=$2 line dir
    while read -r line; do
        fields "$line"
        [ "${F[3]}" != nohost ] || continue
        dir=$w/mta-sts.${F[0]}.$z
        mkdir -p "$dir/.well-known"
        # shellcheck disable=SC2086
        sts_policy ${F[4]} >"$dir/.well-known/mta-sts.txt"
        case ${F[3]} in
            # redirect: the policy sits at /policy.txt, the well-known path answers 301
            redirect) mv "$dir/.well-known/mta-sts.txt" "$dir/policy.txt" ;;
            # big: a valid policy, then "x-pad" lines (an unknown key) past 64 KB
            big) awk 'BEGIN {for (i = 0; i < 700; i++) printf "x-pad: %093d\n", i}' \
                >>"$dir/.well-known/mta-sts.txt" ;;
        esac
    done < <(sts_cases "$z")
}

# nginx_server HOST KIND - a server block for an MTA-STS policy host; KIND as
# in sts_cases (plain for the good and wrongname hosts)
nginx_server() {
    local host=$1 kind=$2 ca=$RUN/ca loc='location = /.well-known/mta-sts.txt { }' tls=""
    case $kind in
        plain|big) ;;
        redirect) loc='location = /.well-known/mta-sts.txt { return 301 /policy.txt; }
        location = /policy.txt { }' ;;
        html) loc='location = /.well-known/mta-sts.txt { types { } default_type text/html; }' ;;
        # SSI on a text/plain body drops Content-Length: HTTP/1.1 gets it chunked
        chunked) loc='location = /.well-known/mta-sts.txt { ssi on; ssi_types text/plain; }' ;;
        selfsigned) tls="ssl_certificate $ca/stsself.pem; ssl_certificate_key $ca/sts.key;" ;;
        wrongcert) tls="ssl_certificate $ca/wrong-chain.pem; ssl_certificate_key $ca/wrong.key;" ;;
        *) die "nginx_server: unknown kind $kind" ;;
    esac
    cat <<EOF
    server {
        listen $A_MTASTS:443 ssl;
        server_name $host;
        root $RUN/www/$host;
        $tls
        location / { return 404; }
        $loc
    }
EOF
}

start_nginx() {
    local d=$RUN/nginx w=$RUN/www z host temps="" m line nginx_v
    nginx_v=$(nginx -V 2>&1)
    mkdir -p "$d/tmp"
    # Policies: enforce for good.Z (CRLF line ends), testing for wrongname.Z (LF).
    for z in "$ZONE_PLAIN" sec.test; do
        mkdir -p "$w/mta-sts.good.$z/.well-known" "$w/mta-sts.wrongname.$z/.well-known"
        printf 'version: STSv1\r\nmode: enforce\r\nmx: mx-good.%s\r\nmax_age: 86400\r\n' "$z" \
            >"$w/mta-sts.good.$z/.well-known/mta-sts.txt"
        printf 'version: STSv1\nmode: testing\nmx: mx-wrongname.%s\nmx: *.example.invalid\nmax_age: 604800\n' "$z" \
            >"$w/mta-sts.wrongname.$z/.well-known/mta-sts.txt"
        sts_files "$w" "$z"
    done
    chmod -R a+rX "$w"
    # Temp paths of the modules this nginx build has (nginx-light lacks some).
    for m in proxy fastcgi uwsgi scgi; do
        grep -q -- "--without-http_${m}_module" <<<"$nginx_v" && continue
        temps="$temps    ${m}_temp_path $d/tmp/$m;
"
    done
    {
        cat <<EOF
# nginx for the starttls-check lab (generated by lab.sh)
daemon on;
master_process on;
worker_processes 1;
user www-data;
pid $d/nginx.pid;
error_log $d/error.log notice;
events { worker_connections 64; }
http {
    access_log $d/access.log;
    client_body_temp_path $d/tmp/body;
$temps    types { text/plain txt; }
    default_type application/octet-stream;
    server_tokens off;
    ssl_certificate $RUN/ca/sts-chain.pem;
    ssl_certificate_key $RUN/ca/sts.key;
    ssl_protocols TLSv1.2 TLSv1.3;
EOF
        for z in "$ZONE_PLAIN" sec.test; do
            for host in "mta-sts.good.$z" "mta-sts.wrongname.$z"; do
                nginx_server "$host" plain
            done
            while read -r line; do
                fields "$line"
                [ "${F[3]}" = nohost ] || nginx_server "mta-sts.${F[0]}.$z" "${F[3]}"
            done < <(sts_cases "$z")
        done
        echo "}"
    } >"$d/nginx.conf"
    # No separate "nginx -t": starting checks the configuration just as well
    # (and loads the ~70 servers' certificates only once).
    daemon nginx -p "$d" -e "$d/error.log" -c "$d/nginx.conf" >"$d/start.log" 2>&1 ||
        { cat "$d/start.log" >&2; tail -n 5 "$d/error.log" >&2; die "nginx failed to start (nginx.conf rejected?)"; }
}

# ---------------------------------------------------------------- readiness
# wait_for DESC TENTHS CMD... - poll CMD until it succeeds, bounded
wait_for() {
    local desc=$1 n=$2 i=0
    shift 2
    while [ "$i" -lt "$n" ]; do
        "$@" >/dev/null 2>&1 && return 0
        sleep 0.1
        i=$((i + 1))
    done
    die "timed out waiting for $desc"
}

# tcp_listening ADDR:PORT... - all given sockets are listening in the namespace
tcp_listening() {
    local have s
    have=$(nsx ss -Hltn 2>/dev/null | awk '{print $4}')
    for s in "$@"; do
        printf '%s\n' "$have" | grep -qxF -- "$s" || return 1
    done
}

record_pid() { # name pidfile
    local pid
    pid=$(read_pid "$2")
    [ -n "$pid" ] || die "$1 wrote no pid file ($2)"
    printf '%s\n' "$pid" >"$RUN/state/$1.pid"
}

# ---------------------------------------------------------------- lab.env
# tls_case_env - STC_LAB_<CASE>=address for each TLS_CASES row
tls_case_env() {
    local name addr kind
    while read -r name addr kind; do
        [ -n "$name" ] && printf 'STC_LAB_%s=%s\n' "${name^^}" "$addr"
    done <<<"$TLS_CASES"
    return 0
}

write_env() {
    local f=$RUN/lab.env
    cat >"$f.tmp" <<EOF
# starttls-check lab: generated by tests/lab/lab.sh up ($(date -u +%Y-%m-%dT%H:%M:%SZ))
STC_LAB_NS=$NS
STC_LAB_RUN=$RUN
STC_LAB_RESOLVER=$RESOLVER4
STC_LAB_AUTH=$AUTH4
STC_LAB_CA=$RUN/ca/root.pem
STC_LAB_CA_INT=$RUN/ca/int.pem
STC_LAB_ZONES="$ZONE_PLAIN sec.test $ZONE_BOGUS"
STC_LAB_ZONE_SIGNED=sec.test
STC_LAB_ZONE_PLAIN=$ZONE_PLAIN
STC_LAB_ZONE_BOGUS=$ZONE_BOGUS
STC_LAB_TAP=$TAP_DEV
STC_LAB_TAP_ADDR=$TAP4
STC_LAB_TAP_ADDR6=$TAP6
STC_LAB_LWIP_ADDR=$LWIP4
STC_LAB_LWIP_ADDR6=$LWIP6
STC_LAB_LWIP_PREFIX=24
STC_LAB_LWIP_PREFIX6=64
STC_LAB_GOOD=$A_GOOD
STC_LAB_GOOD6=$A6_GOOD
STC_LAB_SUBMISSION=$A_GOOD:587
STC_LAB_SMTPS=$A_GOOD:465
STC_LAB_NOSTARTTLS=$A_NOSTARTTLS
STC_LAB_SELFSIGNED=$A_SELFSIGNED
STC_LAB_WRONGNAME=$A_WRONGNAME
STC_LAB_EXPIRED=$A_EXPIRED
STC_LAB_LEGACY=$A_LEGACY
STC_LAB_TLS10ONLY=$A_TLS10ONLY
STC_LAB_ANON=$A_ANON
STC_LAB_SLOW=$A_SLOW
STC_LAB_SLOW_SECONDS=$SLOW_SECONDS
STC_LAB_REJECT=$A_REJECT
STC_LAB_FOUR="$A_FOUR1 $A_FOUR2 $A_FOUR3 $A_FOUR4"
STC_LAB_MTASTS=$A_MTASTS
STC_LAB_DEAD=$A_DEAD
STC_LAB_DEAD6=$A6_DEAD
STC_LAB_GOOD_SPKI_SHA256=$GOOD_SPKI
STC_LAB_GOOD_SPKI_SHA512=$GOOD_SPKI_SHA512
STC_LAB_GOOD_CERT_SHA256=$GOOD_CERT_SHA256
STC_LAB_UNREL_SPKI_SHA256=$UNREL_SPKI
STC_LAB_EXPIRED_SPKI_SHA256=$EXPIRED_SPKI
STC_LAB_NEXT_SPKI_SHA256=$NEXT_SPKI
$(tls_case_env)
STC_LAB_SPLICE=$A_SPLICE
STC_LAB_BULK_ADDRS="$BULK_ADDRS"
STC_LAB_BULK=$BULK_SHARED
STC_LAB_BULK_HOSTS=$BULK_HOSTS
STC_LAB_BULK_OWN=$BULK_OWN
STC_LAB_BULK_LIMITED=$BULK_LIMITED
STC_LAB_LIMIT_COUNT=$LIMIT_COUNT
STC_LAB_DELAY_MS=$DELAY_MS
STC_LAB_MAILLOG=$RUN/postfix/log/maillog
STC_LAB_GNUTLS_LOG=$RUN/gnutls/smtpd.log
STC_LAB_SELF_SPKI_SHA256=$SELF_SPKI
STC_LAB_INT_SPKI_SHA256=$INT_SPKI
EOF
    mv "$f.tmp" "$f"
}

# ---------------------------------------------------------------- up
UP_DONE=0
# fail_point STEP - test hook: STC_LAB_FAIL_AFTER=STEP makes 'up' fail there
fail_point() {
    [ "${STC_LAB_FAIL_AFTER:-}" != "$1" ] || die "failing after $1 (STC_LAB_FAIL_AFTER)"
}
up_cleanup() {
    local rc=$?
    # The trap may fire while a redirection of the interrupted command is in
    # force: talk to the caller's stderr again.
    exec 2>&7 1>&7
    if [ "$UP_DONE" -ne 1 ]; then
        log "up failed (status $rc); tearing down"
        do_down || true
        exit 1
    fi
}

do_up() {
    local t0 a
    t0=$(date +%s.%N)
    need_root
    # A previous lab (or the remains of a failed one) goes first.
    if ns_exists || [ -s "$RUN/state/netns.ino" ]; then
        log "previous lab found; tearing it down"
        do_down || die "could not tear down the previous lab"
    fi
    exec 7>&2
    trap up_cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    trap 'exit 129' HUP
    mkdir -p "$RUN"
    chmod 755 "$RUN"
    # Only the lab's own subdirectories are removed, never $RUN itself.
    rm -rf "$RUN/ca" "$RUN/dns" "$RUN/nsd" "$RUN/unbound" "$RUN/postfix" "$RUN/nginx" \
        "$RUN/www" "$RUN/gnutls" "$RUN/state" "$RUN/lab.env"
    mkdir -p "$RUN/state"

    # Namespace and addresses.
    if [ -d /run/netns ]; then echo 0 >"$RUN/state/runnetns.created"; else echo 1 >"$RUN/state/runnetns.created"; fi
    ip netns add "$NS"
    stat -L -c %i "/run/netns/$NS" >"$RUN/state/netns.ino"
    nsx ip link set lo up
    # One ip(8) process for all addresses (one per address costs ~1 s under load).
    for a in $LO4_ADDRS; do printf 'addr add %s/32 dev lo\n' "$a"; done | ip -n "$NS" -batch -
    for a in $LO6_ADDRS; do printf 'addr add %s/128 dev lo\n' "$a"; done | ip -n "$NS" -6 -batch -
    nsx ip tuntap add dev "$TAP_DEV" mode tap
    nsx ip addr add "$TAP4/24" dev "$TAP_DEV"
    nsx ip -6 addr add "$TAP6/64" dev "$TAP_DEV" nodad
    # MTU 578: Debian's liblwip 2.1.3 overruns its heap on received frames over
    # 592 bytes (PBUF_POOL elements of 592 data bytes, filled up to 1536), so
    # starttls-check-lwip refuses a larger tap MTU (boards/lwip-tap/README.md).
    # Side effect: Linux disables IPv6 on a link below 1280 bytes, so the IPv6
    # address just added is dropped again and the tap carries IPv4 only.
    nsx ip link set "$TAP_DEV" mtu 578 up
    set_delay "$DELAY_MS"   # first: fail at once where netem is missing
    if [ -d /etc/netns ]; then echo 0 >"$RUN/state/etcnetns.created"; else echo 1 >"$RUN/state/etcnetns.created"; fi
    mkdir -p "/etc/netns/$NS"
    printf 'nameserver %s\noptions trust-ad\n' "$RESOLVER4" >"/etc/netns/$NS/resolv.conf"

    make_certs
    make_zones

    start_nsd
    fail_point nsd
    start_unbound
    fail_point unbound
    start_postfix
    fail_point postfix
    start_gnutls
    start_nginx
    fail_point nginx

    wait_for "nsd pid file" 50 test -s "$RUN/nsd/nsd.pid"
    wait_for "unbound pid file" 50 test -s "$RUN/unbound/unbound.pid"
    wait_for "postfix master pid" 100 test -s "$RUN/postfix/spool/pid/master.pid"
    wait_for "nginx pid file" 50 test -s "$RUN/nginx/nginx.pid"
    record_pid nsd "$RUN/nsd/nsd.pid"
    record_pid unbound "$RUN/unbound/unbound.pid"
    record_pid postfix "$RUN/postfix/spool/pid/master.pid"
    wait_for "gnutls_smtpd pid file" 50 test -s "$RUN/gnutls/gnutls.pid"
    record_pid gnutls "$RUN/gnutls/gnutls.pid"
    record_pid nginx "$RUN/nginx/nginx.pid"

    wait_for "nsd answering" 50 nsx dig +norec +time=1 +tries=1 @"$AUTH4" SOA sec.test
    wait_for "unbound answering" 50 nsx dig +time=1 +tries=1 @"$RESOLVER4" SOA "$ZONE_PLAIN"
    local socks="" name addr opts
    while read -r name addr opts; do socks="$socks $addr"; done < <(listeners)
    while IFS=, read -r name addr opts; do socks="$socks $addr:25"; done < <(gnutls_listeners)
    # shellcheck disable=SC2086
    wait_for "postfix listeners" 100 tcp_listening $socks
    wait_for "nginx listener" 50 tcp_listening "$A_MTASTS:443"
    # Postfix's log, for tests that count sessions ("connect from" lines)
    chmod a+r "$RUN/postfix/log/maillog" "$RUN/gnutls/smtpd.log" 2>/dev/null || true

    write_env
    UP_DONE=1
    trap - EXIT INT TERM HUP
    log "up in $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN {printf "%.1f", b - a}') s (namespace $NS, env $RUN/lab.env)"
}

# ---------------------------------------------------------------- status
do_status() {
    local ino pid up=0
    if ! ns_exists; then
        echo "namespace $NS: absent"
        up=1
    else
        echo "namespace $NS: present"
    fi
    ino=$(ns_inode)
    for p in nsd unbound postfix gnutls nginx; do
        pid=$(read_pid "$RUN/state/$p.pid")
        if [ -n "$pid" ] && pid_in_lab "$pid" "$ino"; then
            echo "$p: running, pid $pid"
        else
            echo "$p: not running"
            up=1
        fi
    done
    if [ -n "$ino" ]; then
        local pids
        pids=$(lab_pids "$ino" | tr '\n' ',' | sed 's/,$//')
        if [ -n "$pids" ]; then
            echo "processes in the namespace:"
            ps -o pid=,user=,args= -p "$pids" | cut -c1-110 | sed 's/^/  /'
        fi
    fi
    if ns_exists; then
        echo "listening sockets:"
        nsx ss -Hltnu | awk '{printf "  %s %s\n", $1, $5}' | sort -u
    fi
    [ -f "$RUN/lab.env" ] && echo "env: $RUN/lab.env"
    # exit status: 0 only when the whole lab is up, so scripts can ask
    return $up
}

do_exec() {
    [ "$#" -gt 0 ] || die "usage: lab.sh exec CMD [ARG...]"
    ns_exists || die "lab is not up (no namespace $NS)"
    [ -f "$RUN/lab.env" ] || die "no $RUN/lab.env (lab not completely up?)"
    set -a
    # shellcheck source=/dev/null
    . "$RUN/lab.env"
    set +a
    exec ip netns exec "$NS" "$@"
}

# up and down run one at a time: re-run under flock(1), which holds the lock
# itself (-o) so the daemons started by 'up' never inherit it.
case ${1:-} in
    up|down)
        if [ -z "${STC_LAB_LOCKED:-}" ]; then
            need_root
            mkdir -p "$RUN"
            STC_LAB_LOCKED=1 exec flock -o -w 120 "$RUN/.lock" "$0" "$@"
        fi
        ;;
esac

case ${1:-} in
    up) do_up ;;
    down)
        need_root
        t0=$(date +%s.%N)
        do_down || die "teardown incomplete"
        log "down in $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN {printf "%.1f", b - a}') s"
        ;;
    status) do_status ;;
    exec) shift; do_exec "$@" ;;
    *) echo "usage: $0 up | down | status | exec CMD [ARG...]" >&2; exit 2 ;;
esac
