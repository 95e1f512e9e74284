/* main.c - starttls-check-lwip: the checker on lwIP over a Linux tap device
 *
 * NAME
 *   starttls-check-lwip - grade mail domains through lwIP instead of the kernel
 * SYNOPSIS
 *   PRECONFIGURED_TAPIF=TAP starttls-check-lwip [options] DOMAIN...
 *   PRECONFIGURED_TAPIF=TAP starttls-check-lwip [options] --host HOST[:PORT]
 * DESCRIPTION
 *   The "board" of boards/lwip-tap: it plays the part of an appliance's
 *   firmware. It brings up lwIP (tcpip thread, one tapif netif with a static
 *   address), gathers what the port cannot know - resolvers, trust anchors,
 *   clock, random source - into a stc_lwip_cfg_t, and runs the same checks
 *   and reports as the POSIX CLI (port/posix/cli.c) with fewer options.
 *   All TCP and UDP traffic of the checks goes through lwIP; the kernel only
 *   sees Ethernet frames on the tap device. Files (the CA bundle) are read
 *   here with libc, before any check, never through the port.
 * ENVIRONMENT
 *   PRECONFIGURED_TAPIF  name of an existing tap device (required: without
 *                        it lwIP's tapif would create tap0 and run ifconfig).
 * EXIT STATUS
 *   As the POSIX CLI (stc_exit_code()): 0 success, 1 warning, 2 failure,
 *   3 error, bad usage or a set-up failure. Caveat: lwIP's tapif calls
 *   exit(1) itself when the tap device fails after start-up (read errors).
 */
#define _GNU_SOURCE /* memmem */

#include "stc/stc.h"
#include "stc_lwip.h"

#include "lwip/init.h"
#include "lwip/ip4_addr.h"
#include "lwip/memp.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "lwip/prot/ethernet.h"
#include "lwip/sys.h"
#include "lwip/tcpip.h"
#include "netif/tapif.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define PROG "starttls-check-lwip"
#define DEFAULT_CA_FILE "/etc/ssl/certs/ca-certificates.crt"
#define DEFAULT_IP "192.0.2.2/24" /* TEST-NET-1, as in the namespace recipe */
#define DEFAULT_GW "192.0.2.1"

/* wolfSSL arena: trust anchors (about 340 KB for the Debian bundle, 11 KB
 * for one CA) plus about 100 KB per handshake in flight (STC_MAX_CONN 2). */
#define ARENA_SIZE (1u << 20)
/* Largest CA file kept (the Debian bundle is about 220 KB). */
#define CA_MAX (1u << 20)
/* Time given to lwIP to send the FINs of the last connections before exit. */
#define DRAIN_MS 100u
/* Ethernet MTU when lwIP's receive buffers are sound (tapif reads frames
 * of at most 1518 bytes). */
#define ETH_MTU 1500

typedef struct opts {
    stc_options_t opt;
    const char *host;       /* --host */
    const char *resolver;   /* --resolver */
    const char *ca_file;    /* --ca-file */
    const char *ip, *gw;    /* --ip A.B.C.D/N, --gw A.B.C.D */
    int json, verbose, stats;
    char **domains;
    size_t ndomains;
} opts_t;

static _Alignas(16) uint8_t arena[ARENA_SIZE];
static uint8_t ca_buf[CA_MAX];
static stc_check_t chk;
static stc_lwip_t lw;
static struct netif nif;

/* usage - the --help text (keep README.md in step) */
static void usage(FILE *f)
{
    fputs(
"usage: PRECONFIGURED_TAPIF=TAP " PROG " [options] DOMAIN...\n"
"       PRECONFIGURED_TAPIF=TAP " PROG " [options] --host HOST[:PORT]\n"
"\n"
"starttls-check on the lwIP TCP/IP stack, attached to the existing tap\n"
"device TAP: the same checks and reports as starttls-check.\n"
"\n"
"Network (lwIP side of the tap device):\n"
"  --ip A.B.C.D/N         our address and prefix (default " DEFAULT_IP ")\n"
"  --gw A.B.C.D           default gateway (default " DEFAULT_GW ")\n"
"  --resolver IP[,IP]     DNS resolver(s) (default: the gateway)\n"
"  --trust-resolver       believe the resolvers' DNSSEC result (AD bit)\n"
"  --cache-age S          accepted as the CLI's (this board keeps no session cache)\n"
"\n"
"Targets and options:\n"
"  DOMAIN                 mail domain(s), as A-labels (no IDNA in this build)\n"
"  --host HOST[:PORT]     check one relay: port 25/587 with STARTTLS, 465 with\n"
"                         implicit TLS (IPv6 is not configured on this board)\n"
"  --ca-file F            trust anchors, PEM or one DER certificate\n"
"                         (default " DEFAULT_CA_FILE " when present)\n"
"  --ehlo NAME            EHLO name (default localhost)\n"
"  --timeout S            seconds for each phase (DNS, connect, command, TLS)\n"
"  --json                 JSON Lines: one object per domain\n"
"  --verbose              also list informational findings\n"
"  --stats                print memory figures to stderr\n"
"  --help, --version\n"
"\n"
"Exit status: 0 success (or accepts no mail), 1 warning, 2 failure\n"
"(no STARTTLS, could not connect, bad hostname), 3 error or unknown.\n", f);
}

/* die - a set-up or usage failure: say why, exit 3 */
static void die(const char *what, const char *arg)
{
    fprintf(stderr, PROG ": %s%s%s\n", what, arg ? ": " : "", arg ? arg : "");
    exit(3);
}

/* num - parse a bounded decimal option value */
static long num(const char *opt, const char *s, long lo, long hi)
{
    char *end;
    long v;
    errno = 0;
    v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi) {
        fprintf(stderr, PROG ": %s wants a number from %ld to %ld: %s\n", opt, lo, hi, s);
        exit(3);
    }
    return v;
}

/* arg_value - value of --opt VALUE or --opt=VALUE */
static const char *arg_value(int argc, char **argv, int *i, const char *eq)
{
    if (eq)
        return eq + 1;
    if (*i + 1 >= argc)
        die("missing value for", argv[*i]);
    return argv[++*i];
}

/* parse - the command line into o */
static void parse(opts_t *o, int argc, char **argv)
{
    int i;

    for (i = 1; i < argc; i++) {
        char *a = argv[i], name[32];
        const char *eq, *v;
        size_t n;

        if (a[0] != '-' || a[1] == '\0') {
            o->domains[o->ndomains++] = a;
            continue;
        }
        if (strcmp(a, "--") == 0) {
            while (++i < argc)
                o->domains[o->ndomains++] = argv[i];
            break;
        }
        a += (a[1] == '-') ? 2 : 1;
        eq = strchr(a, '=');
        n = eq ? (size_t)(eq - a) : strlen(a);
        if (n >= sizeof name)
            die("unknown option", argv[i]);
        memcpy(name, a, n);
        name[n] = '\0';
        if (!strcmp(name, "help") || !strcmp(name, "h")) {
            usage(stdout);
            exit(0);
        } else if (!strcmp(name, "version")) {
            printf(PROG " %s (lwIP %s, JSON schema %d)\n", STC_VERSION_STRING,
                   LWIP_VERSION_STRING, STC_SCHEMA_VERSION);
            exit(0);
        } else if (!strcmp(name, "json")) {
            o->json = 1;
        } else if (!strcmp(name, "verbose") || !strcmp(name, "v")) {
            o->verbose = 1;
        } else if (!strcmp(name, "stats")) {
            o->stats = 1;
        } else if (!strcmp(name, "host")) {
            o->host = arg_value(argc, argv, &i, eq);
        } else if (!strcmp(name, "ip")) {
            o->ip = arg_value(argc, argv, &i, eq);
        } else if (!strcmp(name, "gw")) {
            o->gw = arg_value(argc, argv, &i, eq);
        } else if (!strcmp(name, "trust-resolver")) {
            o->opt.trust_ad = 1;
        } else if (!strcmp(name, "cache-age")) { /* as the CLI's; this board keeps no cache */
            o->opt.cache_age = (uint32_t)num("--cache-age", arg_value(argc, argv, &i, eq), 0, 86400);
        } else if (!strcmp(name, "resolver")) {
            o->resolver = arg_value(argc, argv, &i, eq);
        } else if (!strcmp(name, "ca-file")) {
            o->ca_file = arg_value(argc, argv, &i, eq);
        } else if (!strcmp(name, "ehlo")) {
            v = arg_value(argc, argv, &i, eq);
            if (strlen(v) == 0 || strlen(v) > STC_EHLO_MAX || strpbrk(v, " \r\n\t"))
                die("--ehlo wants a domain name or address literal", v);
            snprintf(o->opt.ehlo, sizeof o->opt.ehlo, "%s", v);
        } else if (!strcmp(name, "timeout")) {
            long t = num("--timeout", arg_value(argc, argv, &i, eq), 1, 3600) * 1000;
            o->opt.t_dns = o->opt.t_connect = o->opt.t_command = o->opt.t_tls = (uint32_t)t;
        } else {
            die("unknown option (try --help)", argv[i]);
        }
    }
}

/* ---- addresses --------------------------------------------------------------- */

/* parse_ip - an IPv4 or IPv6 literal (optionally [bracketed]); 0 or -1 */
static int parse_ip(const char *s, size_t n, stc_ip_t *ip)
{
    return stc_ip_parse_n(s, n, ip) ? 0 : -1;
}

/* parse_resolvers - "IP[,IP...]" into out[0..max); the count */
static size_t parse_resolvers(const char *list, stc_ip_t *out, size_t max)
{
    const char *s = list;
    size_t n = 0;

    for (;;) {
        const char *tok = s;
        while (*s && *s != ',')
            s++;
        if (n >= max)
            die("too many resolvers", list);
        if (parse_ip(tok, (size_t)(s - tok), &out[n]) != 0)
            die("--resolver wants IP[,IP...]", list);
        n++;
        if (*s == '\0')
            return n;
        s++;
    }
}

/* parse_v4 - a dotted-quad into lwIP's ip4_addr_t (network order both) */
static void parse_v4(const char *opt, const char *s, ip4_addr_t *out)
{
    struct in_addr in;
    if (inet_pton(AF_INET, s, &in) != 1)
        die(opt, s);
    ip4_addr_set_u32(out, in.s_addr);
}

/* parse_cidr - "A.B.C.D/N" into address and netmask */
static void parse_cidr(const char *s, ip4_addr_t *ip, ip4_addr_t *mask)
{
    char buf[INET_ADDRSTRLEN + 4];
    const char *slash = strchr(s, '/');
    long bits;
    uint32_t m;

    if (slash == NULL || (size_t)(slash - s) >= INET_ADDRSTRLEN)
        die("--ip wants A.B.C.D/N", s);
    memcpy(buf, s, (size_t)(slash - s));
    buf[slash - s] = '\0';
    parse_v4("--ip wants A.B.C.D/N", buf, ip);
    bits = num("--ip prefix", slash + 1, 1, 32);
    m = bits == 32 ? 0xffffffffu : ~(0xffffffffu >> bits);
    ip4_addr_set_u32(mask, htonl(m));
}

/* ---- board services for the port ------------------------------------------------ */

/* board_time - the "RTC": the host's wall clock */
static int64_t board_time(void *board)
{
    struct timespec ts;
    (void)board;
    if (clock_gettime(CLOCK_REALTIME, &ts) != 0)
        return (int64_t)time(NULL);
    return (int64_t)ts.tv_sec;
}

/* board_random - the "TRNG": getrandom(); 0 or -1 */
static int board_random(void *board, void *buf, size_t n)
{
    uint8_t *b = buf;
    size_t got = 0;
    int tries;

    (void)board;
    for (tries = 0; got < n && tries < 64; tries++) {
        ssize_t r = getrandom(b + got, n - got, 0);
        if (r > 0)
            got += (size_t)r;
        else if (r < 0 && errno != EINTR)
            return -1;
    }
    return got == n ? 0 : -1;
}

/* load_ca - read a CA file into ca_buf; its length, 0 when an optional
 * default is missing; *format set */
static size_t load_ca(const char *path, int required, int *format)
{
    static const char tag[] = "-----BEGIN CERTIFICATE-----";
    FILE *f = fopen(path, "rb");
    size_t n;

    if (f == NULL) {
        if (!required)
            return 0;
        fprintf(stderr, PROG ": cannot read CA file %s: %s\n", path, strerror(errno));
        exit(3);
    }
    n = fread(ca_buf, 1, sizeof ca_buf, f);
    if (ferror(f) || (n == sizeof ca_buf && fgetc(f) != EOF)) {
        fprintf(stderr, PROG ": CA file %s unreadable or over %u bytes\n", path, CA_MAX);
        exit(3);
    }
    fclose(f);
    if (n >= sizeof tag - 1 && memmem(ca_buf, n, tag, sizeof tag - 1)) {
        *format = STC_TA_PEM;
    } else if (n > 4 && ca_buf[0] == 0x30 && ca_buf[1] >= 0x81 && ca_buf[1] <= 0x84) {
        *format = STC_TA_DER;
    } else {
        fprintf(stderr, PROG ": CA file %s holds no certificate (PEM or DER)\n", path);
        exit(3);
    }
    return n;
}

/* ---- lwIP bring-up ---------------------------------------------------------------- */

/* safe_mtu - largest MTU whose frames lwIP's receive path can take.
 * Debian's liblwip 2.1.3 allocates PBUF_POOL elements of 616 bytes
 * (memp_pools[MEMP_PBUF_POOL]->size: a 24-byte pbuf header and 592 bytes
 * of buffer) while its pbuf_alloc() fills each element with up to the
 * PBUF_POOL_BUFSIZE of the installed headers (1536): tapif's receive path
 * then overruns the heap on every frame over 592 bytes (valgrind: invalid
 * write in pbuf_take() under tapif's input thread); the first TLS
 * certificate flight does it. Where the two sizes agree there is no limit
 * but Ethernet's. */
static int safe_mtu(void)
{
    size_t hdr = LWIP_MEM_ALIGN_SIZE(sizeof(struct pbuf));
    size_t elem = memp_pools[MEMP_PBUF_POOL]->size;

    if (elem >= hdr + PBUF_POOL_BUFSIZE)
        return ETH_MTU;
    if (elem < hdr + SIZEOF_ETH_HDR + 68) /* 68: IPv4's minimum MTU */
        die("lwIP's receive buffers are too small to use", NULL);
    return (int)(elem - hdr - SIZEOF_ETH_HDR);
}

/* check_tap - the tap device exists, is free and has an MTU lwIP can
 * take (tapif itself would exit(1), or for the MTU corrupt the heap) */
static void check_tap(const char *name, int mtu_max)
{
    struct ifreq ifr;
    int fd;

    if (strlen(name) >= IFNAMSIZ)
        die("PRECONFIGURED_TAPIF: name too long", name);
    fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        fprintf(stderr, PROG ": cannot open /dev/net/tun: %s\n", strerror(errno));
        exit(3);
    }
    /* attach and let go at once, as tapif_init will attach again: this is
     * where a missing device or one held by another process shows */
    memset(&ifr, 0, sizeof ifr);
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
    memcpy(ifr.ifr_name, name, strlen(name));
    if (ioctl(fd, TUNSETIFF, &ifr) != 0) {
        fprintf(stderr, PROG ": cannot attach to tap device %s: %s\n", name, strerror(errno));
        close(fd);
        exit(3);
    }
    close(fd);

    /* the kernel must never send us a frame longer than lwIP can take */
    fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    memset(&ifr, 0, sizeof ifr);
    memcpy(ifr.ifr_name, name, strlen(name));
    if (fd < 0 || ioctl(fd, SIOCGIFMTU, &ifr) != 0) {
        fprintf(stderr, PROG ": cannot read the MTU of %s: %s\n", name, strerror(errno));
        exit(3);
    }
    close(fd);
    if (ifr.ifr_mtu > mtu_max) {
        fprintf(stderr,
                PROG ": %s has MTU %d, but this liblwip overruns its heap on frames "
                "over %d bytes: run 'ip link set %s mtu %d' first\n",
                name, ifr.ifr_mtu, mtu_max + SIZEOF_ETH_HDR, name, mtu_max);
        exit(3);
    }
}

/* tcpip_ready - tcpip_init's callback: wake main */
static void tcpip_ready(void *arg)
{
    sys_sem_signal((sys_sem_t *)arg);
}

/* net_up - start lwIP and the tap netif with a static address */
static void net_up(const opts_t *o, int mtu_max)
{
    ip4_addr_t ip, mask, gw;
    sys_sem_t ready;
    uint32_t seed;
    struct netif *ok;

    parse_cidr(o->ip, &ip, &mask);
    parse_v4("--gw wants A.B.C.D", o->gw, &gw);
    /* lwIP's LWIP_RAND is rand(): seed it, or every run would start from
     * the same local port and collide with the peer's TIME_WAIT entries */
    if (board_random(NULL, &seed, sizeof seed) != 0)
        die("no random source", NULL);
    srand(seed);
    if (sys_sem_new(&ready, 0) != ERR_OK)
        die("cannot create a semaphore", NULL);
    tcpip_init(tcpip_ready, &ready);
    sys_sem_wait(&ready);
    sys_sem_free(&ready);

    LOCK_TCPIP_CORE(); /* netif calls outside the tcpip thread need the lock */
    ok = netif_add(&nif, &ip, &mask, &gw, NULL, tapif_init, tcpip_input);
    if (ok) {
        /* our SYNs offer an MSS that fits too, so even a peer behind a
         * larger-MTU path never sends lwIP a TCP segment it cannot take */
        if (nif.mtu > mtu_max)
            nif.mtu = (u16_t)mtu_max;
        netif_set_default(&nif);
        netif_set_up(&nif);
        netif_set_link_up(&nif);
    }
    UNLOCK_TCPIP_CORE();
    if (!ok)
        die("cannot add the tap netif", NULL);
}

/* ---- reports ------------------------------------------------------------------------ */

/* write_stdout - report sink */
static int write_stdout(void *ctx, const char *p, size_t n)
{
    (void)ctx;
    return fwrite(p, 1, n, stdout) == n ? 0 : -1;
}

/* report - print one result; its exit code */
static int report(const opts_t *o, const stc_domain_result_t *r)
{
    if (o->json)
        stc_report_json(r, write_stdout, NULL);
    else
        stc_report_text(r, o->verbose, write_stdout, NULL);
    fflush(stdout);
    return stc_exit_code(r->status);
}

/* is_ascii - the core takes A-labels only; this build has no IDNA */
static int is_ascii(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s >= 0x80)
            return 0;
    return 1;
}

int main(int argc, char **argv)
{
    static opts_t o;
    static stc_ip_t res[STC_LWIP_MAX_RESOLVERS];
    stc_lwip_cfg_t cfg;
    stc_arena_stats_t st;
    const char *tap = getenv("PRECONFIGURED_TAPIF");
    size_t i, anchors;
    int worst = 0, rc, mtu_max;

    stc_options_default(&o.opt);
    o.ip = DEFAULT_IP;
    o.gw = DEFAULT_GW;
    o.domains = calloc((size_t)argc + 1, sizeof *o.domains);
    if (o.domains == NULL)
        die("out of memory", NULL);
    parse(&o, argc, argv);
    if (o.ndomains == 0 && o.host == NULL)
        die("no domain given (try --help)", NULL);
    if (tap == NULL || *tap == '\0')
        die("set PRECONFIGURED_TAPIF to the name of an existing tap device", NULL);

    memset(&cfg, 0, sizeof cfg);
    if (o.resolver)
        cfg.nresolvers = parse_resolvers(o.resolver, res, STC_LWIP_MAX_RESOLVERS);
    else
        cfg.nresolvers = parse_resolvers(o.gw, res, STC_LWIP_MAX_RESOLVERS);
    cfg.resolvers = res;
    cfg.ca_len = load_ca(o.ca_file ? o.ca_file : DEFAULT_CA_FILE, o.ca_file != NULL,
                         &cfg.ca_format);
    cfg.ca = cfg.ca_len ? ca_buf : NULL;
    cfg.unix_time = board_time;
    cfg.random = board_random;
    cfg.ipv6 = 0; /* the netif gets no IPv6 address: such MX addresses are untested */
    if (stc_lwip_init(&lw, &cfg) != 0)
        die("bad port configuration", NULL);

    mtu_max = safe_mtu();
    check_tap(tap, mtu_max);
    net_up(&o, mtu_max);

    rc = stc_init(arena, sizeof arena, &lw.ops);
    if (rc != STC_OK) {
        fprintf(stderr, PROG ": cannot set up TLS: %s%s\n", stc_err_text(rc),
                rc == STC_ENOMEM ? " (the trust anchors do not fit the arena)" : "");
        return 3;
    }
    stc_arena_stats(&st);
    anchors = st.in_use;
    stc_arena_reset_peak();
    if (stc_check_init(&chk, &lw.ops, &o.opt) != STC_OK)
        die("cannot initialise the check", NULL);

    if (o.host) {
        char host[STC_NAME_MAX + 1];
        uint16_t port = 25;
        if (stc_hostport_parse(o.host, host, sizeof host, &port) != STC_OK)
            die("--host wants HOST, HOST:PORT or [IPv6]:PORT", o.host);
        stc_check_host_start(&chk, host, port, port == 465);
        stc_check_run(&chk);
        worst = report(&o, stc_check_result(&chk));
    }
    for (i = 0; i < o.ndomains; i++) {
        int code;
        if (!is_ascii(o.domains[i])) {
            fprintf(stderr, PROG ": %s: give the domain as A-labels (xn--...)\n", o.domains[i]);
            code = 3;
        } else {
            stc_check_domain_start(&chk, o.domains[i], NULL, 0);
            stc_check_run(&chk);
            code = report(&o, stc_check_result(&chk));
        }
        if (code > worst)
            worst = code;
    }
    stc_arena_stats(&st);
    if (o.stats)
        fprintf(stderr,
                "stats: arena %zu bytes; trust anchors keep %zu bytes; peak during the "
                "checks %zu bytes (anchors included); failed allocations %zu; check "
                "context %zu bytes; lwIP sockets left open %zu\n",
                st.size, anchors, st.peak, st.failures, sizeof chk,
                stc_lwip_open_sockets(&lw));
    stc_check_free(&chk);
    stc_deinit();
    stc_lwip_free(&lw);
    sys_msleep(DRAIN_MS); /* let the tcpip thread send the last FINs */
    free(o.domains);
    return worst;
}
