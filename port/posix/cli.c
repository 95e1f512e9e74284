/* cli.c - starttls-check: the command-line program (POSIX)
 *
 * NAME
 *   starttls-check - grade how well mail domains protect mail in transit
 * SYNOPSIS
 *   starttls-check [options] DOMAIN...
 *   starttls-check [options] -domain DOMAIN | -file FILE.csv [-column N]
 *   starttls-check [options] --host HOST[:PORT]
 * DESCRIPTION
 *   See usage() below and README.md. The program may allocate (the core
 *   does not); it maps UTF-8 domain names to A-labels with libidn2.
 * EXIT STATUS
 *   0 success (or the domain accepts no mail), 1 warning, 2 failure,
 *   3 error / unknown (bad input, DNS failure, rejected, our own limits);
 *   with several domains, the worst of them.
 */
#include "stc/stc.h"
#include "stc_posix.h"

#include <errno.h>
#include <idn2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_EXPECT 16

typedef struct cli {
    stc_options_t opt;
    stc_posix_cfg_t pcfg;
    int json, verbose, stats;
    const char *host;      /* --host */
    int implicit_tls;      /* --implicit-tls, or port 465 */
    int port_given;
    const char *file;      /* -file */
    long column;           /* -column */
    const char *expect[MAX_EXPECT];
    size_t nexpect;
    size_t arena_kb;
    size_t jobs;           /* --jobs: domains checked at once */
    char **domains;
    size_t ndomains;
} cli_t;

/* usage - the --help text (keep README.md in step) */
static void usage(FILE *f)
{
    fputs(
"usage: starttls-check [options] DOMAIN...\n"
"       starttls-check [options] -domain DOMAIN\n"
"       starttls-check [options] -file DOMAINS.csv [-column N]\n"
"       starttls-check [options] --host HOST[:PORT]\n"
"\n"
"Looks up the MX hosts of each mail DOMAIN and checks every address of every\n"
"host on port 25: connection, STARTTLS, the TLS handshake, the certificate\n"
"(chain, name, dates, key, signature) and the TLS version. The domain's\n"
"status follows its most-preferred reachable MX hosts. Every finding comes\n"
"with a recommendation.\n"
"\n"
"Targets:\n"
"  DOMAIN, -domain D      mail domain(s); UTF-8 names are converted to A-labels\n"
"  -file F [-column N]    CSV file (- = stdin), domains in column N (0-based,\n"
"                         default 0); a first row without a dot is a header\n"
"  --host HOST[:PORT]     check one relay (self-check): port 25 or 587 with\n"
"                         STARTTLS, 465 with implicit TLS; [v6]:port for IPv6\n"
"  --expect PATTERN       expected MX host (mx.example.org, *.example.org or\n"
"                         .example.org); repeatable; a mismatch is bad_hostname\n"
"\n"
"Options:\n"
"  --port N               SMTP port for MX checks (default 25)\n"
"  --implicit-tls         TLS from the first byte (automatic on port 465)\n"
"  --ehlo NAME            EHLO name (default: $HOSTNAME, else the host name)\n"
"  --timeout S            seconds for each phase (DNS, connect, command, TLS)\n"
"  --banner-timeout S     seconds to wait for the greeting (default 30)\n"
"  --resolver IP[,IP]     DNS resolver(s) instead of /etc/resolv.conf\n"
"  --ca-file F            trust anchors (PEM; default the system bundle)\n"
"  --warn-days N          warn when the certificate expires within N days (14)\n"
"  --parallel N           connections at once per domain (default 16)\n"
"  --jobs N               domains checked at once, in one thread (default 1);\n"
"                         reports are printed as checks finish\n"
"  --json                 JSON Lines: one object per domain (see README)\n"
"  --verbose              also list the EHLO keywords, before and inside TLS\n"
"  --stats                print memory figures (arena peak) to stderr\n"
"  --arena-kb N           size of the TLS memory arena (default 32768)\n"
"  --help, --version\n"
"\n"
"Exit status: 0 success (or accepts no mail), 1 warning, 2 failure\n"
"(no STARTTLS, could not connect, bad hostname), 3 error or unknown\n"
"(bad input, DNS failure, rejected by the server, checker limits).\n", f);
}

/* die_usage - bad command line: say why, exit 3 */
static void die_usage(const char *what, const char *arg)
{
    fprintf(stderr, "starttls-check: %s%s%s\n", what, arg ? ": " : "", arg ? arg : "");
    fprintf(stderr, "Try 'starttls-check --help'.\n");
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
        char msg[96];
        snprintf(msg, sizeof msg, "%s wants a number from %ld to %ld", opt, lo, hi);
        die_usage(msg, s);
    }
    return v;
}

/* default_ehlo - $HOSTNAME as the original did, else gethostname() */
static void default_ehlo(char *out, size_t cap)
{
    const char *h = getenv("HOSTNAME");
    char buf[256];
    size_t i;

    if (h == NULL || *h == '\0') {
        if (gethostname(buf, sizeof buf) == 0) {
            buf[sizeof buf - 1] = '\0';
            h = buf;
        } else {
            h = "localhost";
        }
    }
    for (i = 0; h[i]; i++) {
        char ch = h[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
              (ch >= '0' && ch <= '9') || ch == '-' || ch == '.'))
            h = "localhost"; /* not a usable EHLO name */
    }
    snprintf(out, cap, "%s", h);
}

/* arg_value - value of --opt VALUE or --opt=VALUE */
static const char *arg_value(int argc, char **argv, int *i, const char *eq)
{
    if (eq)
        return eq + 1;
    if (*i + 1 >= argc)
        die_usage("missing value for", argv[*i]);
    return argv[++*i];
}

/* scale_timeouts - STC_TIME_SCALE=N multiplies every deadline, so runs
 * under valgrind or sanitizers don't turn slowness into false timeouts */
static void scale_timeouts(stc_options_t *o)
{
    const char *s = getenv("STC_TIME_SCALE");
    long k;
    if (s == NULL || *s == '\0')
        return;
    k = num("STC_TIME_SCALE", s, 1, 100);
    o->t_dns *= (uint32_t)k;
    o->t_connect *= (uint32_t)k;
    o->t_banner *= (uint32_t)k;
    o->t_command *= (uint32_t)k;
    o->t_tls *= (uint32_t)k;
}

/* parse - the command line into c */
static void parse(cli_t *c, int argc, char **argv)
{
    int i;
    long t;

    for (i = 1; i < argc; i++) {
        char *a = argv[i], name[32];
        const char *eq, *v;
        size_t n;

        if (a[0] != '-' || a[1] == '\0') {
            c->domains[c->ndomains++] = a;
            continue;
        }
        if (strcmp(a, "--") == 0) {
            while (++i < argc)
                c->domains[c->ndomains++] = argv[i];
            break;
        }
        a += (a[1] == '-') ? 2 : 1; /* -domain and --domain alike */
        eq = strchr(a, '=');
        n = eq ? (size_t)(eq - a) : strlen(a);
        if (n >= sizeof name)
            die_usage("unknown option", argv[i]);
        memcpy(name, a, n);
        name[n] = '\0';
        if (!strcmp(name, "help") || !strcmp(name, "h")) {
            usage(stdout);
            exit(0);
        } else if (!strcmp(name, "version")) {
            printf("starttls-check %s (JSON schema %d)\n", STC_VERSION_STRING, STC_SCHEMA_VERSION);
            exit(0);
        } else if (!strcmp(name, "json")) {
            c->json = 1;
        } else if (!strcmp(name, "verbose") || !strcmp(name, "v")) {
            c->verbose = 1;
        } else if (!strcmp(name, "stats")) {
            c->stats = 1;
        } else if (!strcmp(name, "implicit-tls")) {
            c->implicit_tls = 1;
        } else if (!strcmp(name, "domain")) {
            c->domains[c->ndomains++] = (char *)arg_value(argc, argv, &i, eq);
        } else if (!strcmp(name, "file")) {
            c->file = arg_value(argc, argv, &i, eq);
        } else if (!strcmp(name, "column")) {
            c->column = num("-column", arg_value(argc, argv, &i, eq), 0, 1000);
        } else if (!strcmp(name, "host")) {
            c->host = arg_value(argc, argv, &i, eq);
        } else if (!strcmp(name, "port")) {
            c->opt.port = (uint16_t)num("--port", arg_value(argc, argv, &i, eq), 1, 65535);
            c->port_given = 1;
        } else if (!strcmp(name, "ehlo")) {
            v = arg_value(argc, argv, &i, eq);
            if (strlen(v) == 0 || strlen(v) > STC_EHLO_MAX || strpbrk(v, " \r\n\t"))
                die_usage("--ehlo wants a domain name or address literal", v);
            snprintf(c->opt.ehlo, sizeof c->opt.ehlo, "%s", v);
        } else if (!strcmp(name, "timeout")) {
            t = num("--timeout", arg_value(argc, argv, &i, eq), 1, 3600) * 1000;
            c->opt.t_dns = c->opt.t_connect = c->opt.t_command = c->opt.t_tls = (uint32_t)t;
        } else if (!strcmp(name, "banner-timeout")) {
            c->opt.t_banner = (uint32_t)num("--banner-timeout", arg_value(argc, argv, &i, eq), 1, 3600) * 1000;
        } else if (!strcmp(name, "resolver")) {
            c->pcfg.resolver = arg_value(argc, argv, &i, eq);
        } else if (!strcmp(name, "ca-file")) {
            c->pcfg.ca_file = arg_value(argc, argv, &i, eq);
        } else if (!strcmp(name, "warn-days")) {
            c->opt.warn_days = (uint16_t)num("--warn-days", arg_value(argc, argv, &i, eq), 0, 3650);
        } else if (!strcmp(name, "parallel")) {
            c->opt.max_conn = (uint8_t)num("--parallel", arg_value(argc, argv, &i, eq), 1, STC_MAX_CONN);
        } else if (!strcmp(name, "jobs") || !strcmp(name, "j")) {
            c->jobs = (size_t)num("--jobs", arg_value(argc, argv, &i, eq), 1, 256);
        } else if (!strcmp(name, "arena-kb")) {
            c->arena_kb = (size_t)num("--arena-kb", arg_value(argc, argv, &i, eq), 64, 1 << 20);
        } else if (!strcmp(name, "expect")) {
            if (c->nexpect >= MAX_EXPECT)
                die_usage("too many --expect patterns", NULL);
            c->expect[c->nexpect++] = arg_value(argc, argv, &i, eq);
        } else {
            die_usage("unknown option", argv[i]);
        }
    }
}

/* read_csv - append the domains of column `col` of a CSV file */
static void read_csv(cli_t *c, const char *path, long col, size_t *cap)
{
    FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
    char *line = NULL;
    size_t lcap = 0, row = 0;
    ssize_t n;

    if (f == NULL) {
        fprintf(stderr, "starttls-check: cannot read %s: %s\n", path, strerror(errno));
        exit(3);
    }
    while ((n = getline(&line, &lcap, f)) >= 0) {
        char *p = line, *field = NULL, *end;
        long k;
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            line[--n] = '\0';
        if (n == 0 || line[0] == '#')
            continue;
        for (k = 0; k <= col && p; k++) {
            field = p;
            p = strchr(p, ',');
            if (p)
                *p++ = '\0';
        }
        if (k <= col || field == NULL)
            continue; /* the row has no such column */
        while (*field == ' ' || *field == '"')
            field++;
        end = field + strlen(field);
        while (end > field && (end[-1] == ' ' || end[-1] == '"'))
            *--end = '\0';
        if (*field == '\0')
            continue;
        if (row++ == 0 && strchr(field, '.') == NULL)
            continue; /* a header row ("domain") is not a mail domain */
        if (c->ndomains == *cap) {
            *cap *= 2;
            c->domains = realloc(c->domains, *cap * sizeof *c->domains);
            if (!c->domains) {
                fprintf(stderr, "starttls-check: out of memory\n");
                exit(3);
            }
        }
        c->domains[c->ndomains++] = strdup(field);
    }
    free(line);
    if (f != stdin)
        fclose(f);
}

/* to_alabels - UTF-8 domain to A-labels (UTS#46, non-transitional);
 * ASCII names pass unchanged: the core validates them itself */
static char *to_alabels(const char *in, char *err, size_t errcap)
{
    char *out = NULL;
    const unsigned char *p;
    int rc;

    for (p = (const unsigned char *)in; *p && *p < 0x80; p++)
        ;
    if (*p == '\0')
        return strdup(in);
    rc = idn2_to_ascii_8z(in, &out, IDN2_NONTRANSITIONAL | IDN2_NFC_INPUT);
    if (rc != IDN2_OK) {
        snprintf(err, errcap, "%s", idn2_strerror(rc));
        return NULL;
    }
    return out;
}

/* write_stdout - report sink */
static int write_stdout(void *ctx, const char *p, size_t n)
{
    (void)ctx;
    return fwrite(p, 1, n, stdout) == n ? 0 : -1;
}

/* report - print one result; returns its exit code */
static int report(const cli_t *c, const stc_domain_result_t *r)
{
    if (c->json)
        stc_report_json(r, write_stdout, NULL);
    else
        stc_report_text(r, c->verbose, write_stdout, NULL);
    fflush(stdout);
    return stc_exit_code(r->status);
}

/* Reachable from here until exit, whichever path main() leaves by. */
static cli_t cl;
static stc_posix_t px;
static stc_check_t *chk;
static void *arena;

/* run_domains - check every domain, up to cl->jobs at once in this one
 * thread: each check is a state machine; one poll over all their sockets
 * drives them. Reports are printed as checks finish. Returns the worst
 * exit code. */
static int run_domains(const cli_t *c)
{
    size_t per = STC_MAX_DNS + STC_MAX_CONN, next = 0, active = 0, j;
    stc_check_t *jobs = calloc(c->jobs, sizeof *jobs);
    uint8_t *busy = calloc(c->jobs, 1);
    stc_pollfd_t *fds = calloc(c->jobs * per, sizeof *fds);
    char err[256];
    int worst = 0;

    if (!jobs || !busy || !fds) {
        fprintf(stderr, "starttls-check: out of memory\n");
        exit(3);
    }
    for (j = 0; j < c->jobs; j++)
        if (stc_check_init(&jobs[j], &px.ops, &c->opt) != STC_OK) {
            fprintf(stderr, "starttls-check: cannot initialise a check\n");
            exit(3);
        }
    for (;;) {
        size_t n = 0;
        uint32_t wait_ms = 60000;
        /* start domains on free contexts */
        for (j = 0; j < c->jobs && next < c->ndomains; j++) {
            char *ace;
            if (busy[j])
                continue;
            ace = to_alabels(c->domains[next], err, sizeof err);
            if (ace == NULL) {
                fprintf(stderr, "starttls-check: %s: not a valid domain name (%s)\n",
                        c->domains[next], err);
                worst = 3;
            } else {
                stc_check_domain_start(&jobs[j], ace, c->nexpect ? c->expect : NULL,
                                       c->nexpect);
                free(ace);
                busy[j] = 1;
                active++;
            }
            next++;
            j = (size_t)-1; /* rescan: a context may have been skipped */
        }
        if (active == 0 && next >= c->ndomains)
            break;
        for (j = 0; j < c->jobs; j++) {
            uint32_t t;
            if (!busy[j])
                continue;
            if (stc_check_step(&jobs[j]) != STC_EAGAIN) {
                int code = report(c, stc_check_result(&jobs[j]));
                if (code > worst)
                    worst = code;
                busy[j] = 0;
                active--;
                wait_ms = 0; /* a context is free: fill it before waiting */
                continue;
            }
            n += stc_check_pollset(&jobs[j], fds + n, c->jobs * per - n, &t);
            if (t < wait_ms)
                wait_ms = t;
        }
        if (active > 0 && wait_ms > 0)
            px.ops.wait(px.ops.user, fds, n, wait_ms);
    }
    for (j = 0; j < c->jobs; j++)
        stc_check_free(&jobs[j]);
    free(jobs);
    free(busy);
    free(fds);
    return worst;
}


int main(int argc, char **argv)
{
    stc_arena_stats_t st;
    char err[256];
    size_t cap = (size_t)argc + 16, anchors;
    int worst = 0, rc;

    stc_options_default(&cl.opt);
    default_ehlo(cl.opt.ehlo, sizeof cl.opt.ehlo);
    cl.arena_kb = 32768;
    cl.jobs = 1;
    cl.domains = calloc(cap, sizeof *cl.domains);
    if (!cl.domains)
        return 3;
    parse(&cl, argc, argv);
    scale_timeouts(&cl.opt);
    if (cl.file)
        read_csv(&cl, cl.file, cl.column, &cap);
    if (cl.ndomains == 0 && cl.host == NULL)
        die_usage("no domain given", NULL);

    if (stc_posix_init(&px, &cl.pcfg, err, sizeof err) != 0) {
        fprintf(stderr, "starttls-check: %s\n", err);
        return 3;
    }
    arena = malloc(cl.arena_kb * 1024);
    chk = malloc(sizeof *chk);
    if (!arena || !chk) {
        fprintf(stderr, "starttls-check: out of memory\n");
        return 3;
    }
    rc = stc_init(arena, cl.arena_kb * 1024, &px.ops);
    if (rc != STC_OK) {
        fprintf(stderr, "starttls-check: cannot set up TLS: %s%s\n", stc_err_text(rc),
                rc == STC_ENOMEM ? " (the trust anchors do not fit: raise --arena-kb)" : "");
        return 3;
    }
    stc_arena_stats(&st);
    anchors = st.in_use; /* what the trust anchors keep for the whole run */
    stc_arena_reset_peak();
    if (stc_check_init(chk, &px.ops, &cl.opt) != STC_OK) {
        fprintf(stderr, "starttls-check: cannot initialise the check\n");
        return 3;
    }

    if (cl.host) {
        char host[STC_NAME_MAX + 1];
        uint16_t port = cl.port_given ? cl.opt.port : 25;
        if (stc_hostport_parse(cl.host, host, sizeof host, &port) != STC_OK)
            die_usage("--host wants HOST, HOST:PORT or [IPv6]:PORT", cl.host);
        stc_check_host_start(chk, host, port, cl.implicit_tls || port == 465);
        stc_check_run(chk);
        worst = report(&cl, stc_check_result(chk));
    }
    rc = run_domains(&cl);
    if (rc > worst)
        worst = rc;
    stc_arena_stats(&st);
    if (cl.stats)
        fprintf(stderr,
                "stats: arena %zu bytes; trust anchors keep %zu bytes; peak during the "
                "checks %zu bytes (anchors included); failed allocations %zu; check "
                "context %zu bytes\n",
                st.size, anchors, st.peak, st.failures, sizeof *chk);
    stc_check_free(chk);
    stc_deinit();
    stc_posix_free(&px);
    free(chk);
    free(arena);
    return worst;
}
