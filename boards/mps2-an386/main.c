/* main.c - firmware of boards/mps2-an386: starttls-check on bare-metal lwIP
 *
 * NAME
 *   stc-mps2 - grade mail domains from a Cortex-M4 with no operating system
 * SYNOPSIS
 *   qemu-system-arm -M mps2-an386 -nographic -semihosting \
 *       -nic tap,ifname=TAP,script=no,downscript=no,model=lan9118 \
 *       -kernel stc-mps2.elf -append "ca=CA.pem targets=LIST [OPTION=VALUE...]"
 * DESCRIPTION
 *   Boots, brings up lwIP (NO_SYS=1, raw API) on the LAN9118 with a static
 *   address, reads the trust anchors and the target list through
 *   semihosting from the paths given on QEMU's -append line, then checks
 *   every target one after another and writes each result as one JSON line
 *   to the console (UART0: QEMU's standard output), between boot-log lines
 *   that start with "mps2:". The last lines are memory figures measured on
 *   the running image ("mps2-mem: ...") and "mps2: exit N"; QEMU then exits
 *   with N, the worst stc_exit_code() of the targets (3 for a set-up
 *   failure, 4 for a fault).
 *
 *   The main loop is the superloop of a NO_SYS=1 firmware: stc_check_step()
 *   does all the core can without blocking, stc_check_pollset() says which
 *   sockets it waits for and until when, and the port's wait() polls the
 *   Ethernet driver and lwIP's timers until one of them is ready (see
 *   port/lwip-raw/stc_lwip_raw.h). Every call into the core is in this
 *   file.
 * OPTIONS (words of the -append line)
 *   ca=PATH            trust anchors, PEM (the lab's CA: a new one per start)
 *   targets=PATH       one target a line: DOMAIN, or "host HOST[:PORT]" for a
 *                      relay (465 = implicit TLS); "#" starts a comment
 *   ip=A.B.C.D/N       our address (default 192.0.2.2/24)
 *   gw=A.B.C.D         gateway (default 192.0.2.1)
 *   resolver=A.B.C.D   DNS resolver (default 192.0.2.53)
 *   trust_ad=1         believe that resolver's DNSSEC result (AD bit): an
 *                      appliance has no resolver on loopback; set it when the
 *                      path to a validating resolver is trusted (DANE needs it)
 *   ehlo=NAME          EHLO name (default localhost)
 *   timeout=S          seconds for each phase, as the CLI's --timeout
 *   Paths are the host's, relative to QEMU's working directory.
 */
#include "stc/stc.h"
#include "stc_lwip_raw.h"
#include "board.h"

#include "lwip/init.h"
#include "lwip/ip4_addr.h"
#include "lwip/memp.h"
#include "lwip/netif.h"
#include "lwip/stats.h"
#include "lwip/sys.h"
#include "lwip/timeouts.h"
#include "netif/ethernet.h"

#include <string.h>

/* wolfSSL's arena: the trust anchors plus the handshakes in flight. */
#ifndef BOARD_ARENA_SIZE
#define BOARD_ARENA_SIZE (40u * 1024u)
#endif
/* Trust-anchor buffer (the lab's CA: one ~1.3 KB PEM certificate). On a
 * real board the anchors are a const array in flash, not RAM. */
#ifndef BOARD_CA_MAX
#define BOARD_CA_MAX 2048u
#endif
#define CMDLINE_MAX 512u
#define LINE_MAX 300u          /* a target line: "host " + name + ":port" */
#define LINK_WAIT_MS 3000u
#define DRAIN_MS 200u          /* time for the last FINs before the exit */
#define POLLSET_MAX (STC_MAX_CONN + STC_MAX_DNS)

static stc_check_t chk;
static stc_lwip_raw_t lw;
static struct netif nif;
static uint8_t arena[BOARD_ARENA_SIZE] __attribute__((section(".bigram"), aligned(16)));
static uint8_t ca_buf[BOARD_CA_MAX] __attribute__((section(".bigram")));

typedef struct conf {
    const char *ca, *targets, *ehlo;
    const char *ip, *gw, *resolver;
    uint32_t timeout_ms;
    uint8_t trust_ad;
} conf_t;

/* ---- the -append line ------------------------------------------------------------------ */

/* conf_parse - key=value words of line (modified in place) into c; -1 on
 * an unknown key */
static int conf_parse(char *line, conf_t *c)
{
    char *w = line;

    while (*w) {
        char *end, *eq;
        while (*w == ' ')
            w++;
        if (!*w)
            break;
        end = w;
        while (*end && *end != ' ')
            end++;
        if (*end)
            *end++ = '\0';
        eq = strchr(w, '=');
        if (eq == NULL) {
            w = end; /* QEMU puts the kernel's file name first */
            continue;
        }
        *eq++ = '\0';
        if (!strcmp(w, "ca"))
            c->ca = eq;
        else if (!strcmp(w, "targets"))
            c->targets = eq;
        else if (!strcmp(w, "ip"))
            c->ip = eq;
        else if (!strcmp(w, "gw"))
            c->gw = eq;
        else if (!strcmp(w, "resolver"))
            c->resolver = eq;
        else if (!strcmp(w, "ehlo"))
            c->ehlo = eq;
        else if (!strcmp(w, "trust_ad"))
            c->trust_ad = (uint8_t)(eq[0] == '1');
        else if (!strcmp(w, "timeout")) {
            uint32_t s = 0;
            for (; *eq >= '0' && *eq <= '9' && s < 3600u; eq++)
                s = s * 10u + (uint32_t)(*eq - '0');
            c->timeout_ms = s * 1000u;
        } else {
            console_puts("mps2: unknown option ");
            console_puts(w);
            console_puts("\n");
            return -1;
        }
        w = end;
    }
    return 0;
}

/* parse_v4 - "A.B.C.D[/N]" into address and (when mask) netmask; 0 or -1 */
static int parse_v4(const char *s, ip4_addr_t *ip, ip4_addr_t *mask)
{
    stc_ip_t a;
    const char *slash = strchr(s, '/');
    uint32_t bits = 32, m;

    if (!stc_ip_parse_n(s, slash ? (size_t)(slash - s) : strlen(s), &a) || a.family != 4)
        return -1;
    IP4_ADDR(ip, a.addr[0], a.addr[1], a.addr[2], a.addr[3]);
    if (mask == NULL)
        return 0;
    if (slash) {
        bits = 0;
        for (slash++; *slash >= '0' && *slash <= '9'; slash++)
            bits = bits * 10u + (uint32_t)(*slash - '0');
        if (bits < 1 || bits > 32)
            return -1;
    }
    m = bits == 32 ? 0xffffffffu : ~(0xffffffffu >> bits);
    IP4_ADDR(mask, m >> 24, (m >> 16) & 0xffu, (m >> 8) & 0xffu, m & 0xffu);
    return 0;
}

/* ---- files through semihosting ------------------------------------------------------------- */

/* load_ca - the PEM file into ca_buf; its length, 0 on failure */
static size_t load_ca(const char *path)
{
    int fd = semi_open(path, 1);
    long len, got;

    if (fd < 0)
        return 0;
    len = semi_flen(fd);
    got = (len > 0 && (size_t)len <= sizeof ca_buf) ? semi_read(fd, ca_buf, (size_t)len) : -1;
    semi_close(fd);
    return got == len ? (size_t)len : 0;
}

/* the target list, read in chunks: a line at a time, never all of it */
typedef struct lines {
    int fd;
    char buf[256];
    size_t len, off;
} lines_t;

/* next_line - the next non-empty, non-comment line, trimmed; NULL at end */
static char *next_line(lines_t *l, char *line, size_t cap)
{
    for (;;) {
        size_t n = 0;
        int got = 0;
        for (;;) {
            char ch;
            if (l->off == l->len) {
                long r = semi_read(l->fd, l->buf, sizeof l->buf);
                l->len = r > 0 ? (size_t)r : 0;
                l->off = 0;
                if (l->len == 0)
                    break;
            }
            ch = l->buf[l->off++];
            got = 1;
            if (ch == '\n')
                break;
            if (ch == '#')
                n = cap; /* the rest of the line is a comment */
            if (n + 1 < cap && ch != '\r')
                line[n++] = ch;
        }
        if (!got)
            return NULL;
        if (n >= cap)
            n = cap - 1;
        while (n && (line[n - 1] == ' ' || line[n - 1] == '\t'))
            n--;
        line[n] = '\0';
        while (*line == ' ' || *line == '\t')
            line++;
        if (*line)
            return line;
    }
}

/* ---- the check ------------------------------------------------------------------------------- */

/* write_console - report sink */
static int write_console(void *ctx, const char *p, size_t n)
{
    (void)ctx;
    console_write(p, n);
    return 0;
}

/* rtc_unix - the port's wall clock: the board's RTC */
static int64_t rtc_unix(void *board)
{
    (void)board;
    return rtc_seconds();
}

/* eth_poll - the port's poll(): the driver (timers run in the port) */
static void eth_poll(void *board)
{
    (void)board;
    lan9118_poll(&nif);
}

/* run_check - the superloop for one target: step, pollset, wait */
static void run_check(void)
{
    stc_pollfd_t fds[POLLSET_MAX];
    uint32_t ms;
    size_t n;

    while (stc_check_step(&chk) == STC_EAGAIN) {
        n = stc_check_pollset(&chk, fds, POLLSET_MAX, &ms);
        lw.ops.wait(lw.ops.user, fds, n, ms);
    }
}

/* check_line - one target line: start, run, report; its exit code */
static int check_line(char *line)
{
    const stc_domain_result_t *r;
    char host[STC_NAME_MAX + 1];
    uint16_t port = 25;

    if (strncmp(line, "host ", 5) == 0) {
        line += 5;
        while (*line == ' ')
            line++;
        if (stc_hostport_parse(line, host, sizeof host, &port) != STC_OK) {
            console_puts("mps2: bad relay ");
            console_puts(line);
            console_puts("\n");
            return 3;
        }
        console_puts("mps2: checking relay ");
        console_puts(line);
        console_puts("\n");
        stc_check_host_start(&chk, host, port, port == 465);
    } else {
        console_puts("mps2: checking domain ");
        console_puts(line);
        console_puts("\n");
        stc_check_domain_start(&chk, line, NULL, 0);
    }
    run_check();
    r = stc_check_result(&chk);
    stc_report_json(r, write_console, NULL);
    return stc_exit_code(r->status);
}

/* ---- memory figures measured on the running image ---------------------------------------------- */

/* lwIP's pool names, in memp_t order (memp_std.h lists them) */
static const char *const pool_name[] = {
#define LWIP_MEMPOOL(name, num, size, desc) #name,
#include "lwip/priv/memp_std.h"
};

/* kv - " key=value" on the console */
static void kv(const char *key, uint32_t v)
{
    console_puts(" ");
    console_puts(key);
    console_puts("=");
    console_putu(v);
}

/* report_memory - what the run used: one line, key=value (bench_mps2.sh
 * parses it) */
static void report_memory(size_t anchors)
{
    stc_arena_stats_t a;
    uint32_t pools = 0;
    int i;

    stc_arena_stats(&a);
    console_puts("mps2-mem:");
    kv("engine_job", sizeof chk);
    kv("engine", sizeof chk.eng);
    kv("job", sizeof chk.job);
    kv("result", sizeof(stc_domain_result_t));
    kv("conn_slot", sizeof(stc_conn_t));
    kv("dns_slot", sizeof(stc_dnsq_t));
    kv("task_slot", sizeof(stc_task_t));
    kv("port", sizeof lw);
    kv("arena_size", (uint32_t)a.size);
    kv("arena_anchors", (uint32_t)anchors);
    kv("arena_peak", (uint32_t)a.peak);
    kv("arena_failures", (uint32_t)a.failures);
    kv("stack_size", (uint32_t)board_stack_size());
    kv("stack_used", (uint32_t)board_stack_used());
    kv("lwip_heap_size", MEM_SIZE);
    kv("lwip_heap_max", lwip_stats.mem.max);
    for (i = 0; i < MEMP_MAX; i++) {
        const struct memp_desc *d = memp_pools[i];
        pools += (uint32_t)d->num * d->size;
    }
    kv("lwip_pools_size", pools);
    console_puts("\nmps2-pools:");
    for (i = 0; i < MEMP_MAX; i++) {
        const struct memp_desc *d = memp_pools[i];
        console_puts(" ");
        console_puts(pool_name[i]);
        console_puts("=");
        console_putu(d->stats->max);
        console_puts("/");
        console_putu(d->num);
        console_puts("x");
        console_putu(d->size);
    }
    console_puts("\nmps2-net:");
    kv("rx_frames", lan9118_stats()->rx_frames);
    kv("rx_dropped", lan9118_stats()->rx_dropped);
    kv("rx_frame_max", lan9118_stats()->rx_frame_max);
    kv("tx_frames", lan9118_stats()->tx_frames);
    kv("tcp_queued_max", lw.rx_queued_max);
    kv("udp_dropped", lw.udp_dropped);
    kv("sockets_left_open", (uint32_t)stc_lwip_raw_open_sockets(&lw));
    console_puts("\n");
}

/* ---- boot ---------------------------------------------------------------------------------------- */

/* fail - a set-up failure: say why; exit status 3 */
static int fail(const char *why)
{
    console_puts("mps2: ");
    console_puts(why);
    console_puts("\nmps2: exit 3\n");
    return 3;
}

/* net_up - lwIP and the LAN9118 with a static address; wait for the link */
static int net_up(const conf_t *c)
{
    ip4_addr_t ip, mask, gw;
    uint32_t t0;

    if (parse_v4(c->ip, &ip, &mask) != 0 || parse_v4(c->gw, &gw, NULL) != 0)
        return -1;
    lwip_init();
    if (netif_add(&nif, &ip, &mask, &gw, NULL, lan9118_netif_init, ethernet_input) == NULL)
        return -1;
    netif_set_default(&nif);
    netif_set_up(&nif);
    for (t0 = sys_now(); !netif_is_link_up(&nif) && sys_now() - t0 < LINK_WAIT_MS;) {
        lan9118_poll(&nif);
        sys_check_timeouts();
        board_idle(NULL);
    }
    console_puts("mps2: lan9118 id ");
    console_putx(lan9118_id());
    console_puts(", link ");
    console_puts(netif_is_link_up(&nif) ? "up" : "DOWN");
    console_puts(", lwIP " LWIP_VERSION_STRING " NO_SYS=1 at ");
    console_puts(c->ip);
    console_puts(" gw ");
    console_puts(c->gw);
    console_puts("\n");
    return netif_is_link_up(&nif) ? 0 : -1;
}

int main(void)
{
    static char cmdline[CMDLINE_MAX];
    static lines_t list;
    static char linebuf[LINE_MAX];
    conf_t c = {NULL, NULL, NULL, "192.0.2.2/24", "192.0.2.1", "192.0.2.53", 0, 0};
    stc_lwip_raw_cfg_t cfg;
    stc_options_t opt;
    stc_ip_t res;
    stc_arena_stats_t a;
    size_t ca_len, anchors;
    uint32_t t0;
    char *line;
    int worst = 0, rc;

    console_init();
    systick_init();
    rtc_init();
    board_rng_init();
    console_puts("mps2: boot, Cortex-M4 (mps2-an386), starttls-check " STC_VERSION_STRING
                 ", limits STC_MAX_CONN ");
    console_putu(STC_MAX_CONN);
    console_puts(" STC_MAX_DNS ");
    console_putu(STC_MAX_DNS);
    console_puts("\n");
    console_line_u("mps2: unix time (semihosting SYS_TIME) ", (uint32_t)rtc_seconds());

    semi_cmdline(cmdline, sizeof cmdline);
    if (conf_parse(cmdline, &c) != 0 || c.ca == NULL || c.targets == NULL)
        return fail("usage: -append \"ca=PATH targets=PATH [ip= gw= resolver= trust_ad=1 ehlo= timeout=]\"");
    ca_len = load_ca(c.ca);
    if (ca_len == 0)
        return fail("cannot read the trust anchors (ca=)");
    console_puts("mps2: trust anchors ");
    console_putu((uint32_t)ca_len);
    console_puts(" bytes of PEM from ");
    console_puts(c.ca);
    console_puts("\n");
    list.fd = semi_open(c.targets, 1);
    if (list.fd < 0)
        return fail("cannot open the target list (targets=)");
    if (!stc_ip_parse(c.resolver, &res) || res.family != 4)
        return fail("resolver= wants an IPv4 address");
    if (net_up(&c) != 0)
        return fail("no network (bad ip=/gw=, no LAN9118, or no link)");

    memset(&cfg, 0, sizeof cfg);
    cfg.poll = eth_poll;
    cfg.idle = board_idle;
    cfg.resolvers = &res;
    cfg.nresolvers = 1;
    cfg.ca = ca_buf;
    cfg.ca_len = ca_len;
    cfg.ca_format = STC_TA_PEM;
    cfg.unix_time = rtc_unix;
    cfg.random = board_random;
    cfg.ipv6 = 0; /* IPv4 only (lwipopts.h): IPv6 MX addresses are untested */
    if (stc_lwip_raw_init(&lw, &cfg) != 0)
        return fail("bad port configuration");

    t0 = sys_now();
    rc = stc_init(arena, sizeof arena, &lw.ops);
    if (rc != STC_OK)
        return fail(rc == STC_ENOMEM ? "the trust anchors do not fit the arena" : "TLS set-up failed");
    stc_arena_stats(&a);
    anchors = a.in_use;
    stc_arena_reset_peak();
    console_puts("mps2: wolfSSL up in ");
    console_putu(sys_now() - t0);
    console_puts(" ms, arena ");
    console_putu((uint32_t)a.size);
    console_puts(" bytes, anchors keep ");
    console_putu((uint32_t)anchors);
    console_puts("\n");

    stc_options_default(&opt);
    if (c.ehlo) {
        size_t n = strlen(c.ehlo);
        if (n > STC_EHLO_MAX)
            return fail("ehlo= too long");
        memcpy(opt.ehlo, c.ehlo, n + 1);
    }
    if (c.timeout_ms)
        opt.t_dns = opt.t_connect = opt.t_command = opt.t_tls = c.timeout_ms;
    opt.trust_ad = c.trust_ad;
    opt.cache_age = 0; /* every target checked afresh (qemu_lab.sh compares with --cache-age 0) */
    if (stc_check_init(&chk, &lw.ops, &opt) != STC_OK)
        return fail("cannot initialise the check");

    while ((line = next_line(&list, linebuf, sizeof linebuf)) != NULL) {
        uint32_t t = sys_now();
        int code = check_line(line);
        console_puts("mps2: done in ");
        console_putu(sys_now() - t);
        console_line_u(" ms, exit code ", (uint32_t)code);
        if (code > worst)
            worst = code;
    }
    semi_close(list.fd);

    report_memory(anchors);
    stc_check_free(&chk);
    stc_deinit();
    stc_lwip_raw_free(&lw);
    for (t0 = sys_now(); sys_now() - t0 < DRAIN_MS;) { /* the last FINs and ACKs */
        lan9118_poll(&nif);
        sys_check_timeouts();
        board_idle(NULL);
    }
    console_line_u("mps2: exit ", (uint32_t)worst);
    return worst;
}
