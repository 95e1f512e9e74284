/* cli.c - starttls-check: the command-line program (POSIX)
 *
 * NAME
 *   starttls-check - grade how well mail domains protect mail in transit
 * SYNOPSIS
 *   starttls-check [options] DOMAIN...
 *   starttls-check [options] -domain DOMAIN | -file FILE.csv [-column N]
 *   starttls-check [options] --host HOST[:PORT]
 *   starttls-check [--json] --aggregate FILE.jsonl
 * DESCRIPTION
 *   See usage() below and README.md. One engine checks up to --jobs
 *   domains at once in this one thread; domains are read from the list as
 *   job slots free up (a file is streamed, never read whole), and each
 *   report is written as its check ends (--ordered: in input order, with
 *   at most --jobs rows in flight or held). The program may allocate (the
 *   core does not): reports are rendered into strings (cli_out.c), names
 *   mapped to A-labels with libidn2. The other cli_*.c files (cli.h) hold
 *   --resume, the progress line, --aggregate and the Nagios format.
 * EXIT STATUS
 *   0 success (or the domain accepts no mail), 1 warning, 2 failure,
 *   3 error / unknown (bad input, DNS failure, rejected, our own limits, a
 *   failed write); with several domains, the worst of them. Interrupted
 *   by SIGINT / SIGTERM: 130 / 143 after the finished reports.
 */
#include "stc/stc.h"
#include "stc_posix.h"
#include "cli.h"
#include "csv.h"

#include <errno.h>
#include <stdarg.h>
#include <idn2.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAX_EXPECT 16
#define MAX_JOBS 4096
/* --jobs by default: a list runs 32 checks at once (about 350 KB of job
 * state); the sockets stay capped by --parallel and --per-address, so a
 * larger default buys nothing on a laptop's link */
#define DEFAULT_JOBS 32
#define ROW_MAX 1024 /* bytes of one CSV field (a domain is at most 253) */

enum { FMT_TEXT, FMT_JSON, FMT_NAGIOS };

typedef struct cli {
    stc_options_t opt;
    stc_posix_cfg_t pcfg;
    int format, format_given; /* FMT_*; --json, --nagios, --format */
    int verbose, stats;
    int ordered;           /* --ordered */
    const char *resume;    /* --resume FILE */
    int aggregate;         /* --aggregate */
    const char *agg_file;  /* --aggregate FILE: read back, check nothing */
    long agg_word;         /* the word after --aggregate (index in domains), or -1 */
    unsigned long line_offset; /* --line-offset */
    const char *host;      /* --host */
    int port_given;
    const char *file;      /* -file */
    long column;           /* -column */
    const char *expect[MAX_EXPECT];
    size_t nexpect;
    size_t arena_kb;
    size_t jobs;           /* --jobs: checks at once */
    int jobs_given;        /* --jobs was on the command line */
    char **domains;        /* from the command line */
    size_t ndomains;
} cli_t;

/* usage - the --help text (keep README.md and the man page in step: each
 * option line is "  --opt ARG   text") */
static void usage(FILE *f)
{
    fputs(
"usage: starttls-check [options] DOMAIN...\n"
"       starttls-check [options] -domain DOMAIN\n"
"       starttls-check [options] -file DOMAINS.csv [-column N]\n"
"       starttls-check [options] --host HOST[:PORT]\n"
"       starttls-check [--json] --aggregate RESULTS.jsonl\n"
"\n"
"Looks up the MX hosts of each mail DOMAIN and checks every address of every\n"
"host on port 25: connection, STARTTLS, the TLS handshake, the certificate\n"
"(chain, name, dates, key, signature), and with hand-built ClientHello\n"
"probes every TLS version and weak cipher class the server accepts. The\n"
"domain's status follows its most-preferred reachable MX hosts. Every\n"
"finding comes with a recommendation.\n"
"\n"
"Targets:\n"
"  DOMAIN, -domain D      mail domain(s); UTF-8 names are converted to A-labels\n"
"  -file F [-column N]    CSV file (RFC 4180; - = stdin, read as it comes),\n"
"                         domains in column N (0-based, default 0); a first\n"
"                         row without a dot is a header (said on stderr)\n"
"  --host HOST[:PORT]     check one relay (self-check): port 25 or 587 with\n"
"                         STARTTLS, 465 with implicit TLS; [v6]:port for IPv6\n"
"  --expect PATTERN       expected MX host (mx.example.org, *.example.org or\n"
"                         .example.org); repeatable; a mismatch is bad_hostname\n"
"\n"
"Options:\n"
"  --port N               SMTP port for MX checks (default 25; 465 means\n"
"                         implicit TLS)\n"
"  --implicit-tls         TLS from the first byte (automatic on port 465)\n"
"  --ehlo NAME            EHLO name (default: $HOSTNAME, else the host name)\n"
"  --timeout S            seconds for each phase (DNS, connect, command, TLS)\n"
"  --banner-timeout S     seconds to wait for the greeting (default 30)\n"
"  --resolver IP[,IP]     DNS resolver(s) instead of /etc/resolv.conf\n"
"  --trust-resolver       believe the resolvers' DNSSEC result (AD bit) though\n"
"                         they are not on loopback (DANE needs it): only when\n"
"                         the path to them is trusted\n"
"  --ca-file F            trust anchors (PEM; default the system bundle)\n"
"  --warn-days N          warn when the certificate expires within N days (14)\n"
"  --parallel N           connections at once, over all checks (default 16)\n"
"  --per-address N        SMTP sessions at once to one address (default 2)\n"
"  --max-dns N            DNS questions in flight at once, over all checks\n"
"                         (default 8): the load on the resolver\n"
"  --cache-age S          reuse what the sessions to an address learnt, and\n"
"                         DNS answers within their TTL, for at most S seconds\n"
"                         in this run (default 600; 0: never)\n"
"  --quick                one session per address: no version and cipher\n"
"                         probes (the ciphers check is skipped)\n"
"  --max-sessions N       sessions per address in all, probes included\n"
"                         (default 24; a clean server needs 11 at most)\n"
"  --probe-pause MS       pause between the sessions to one address (0)\n"
"  --probe-time S         seconds for all sessions to one address (60)\n"
"  --jobs N               checks at once, in one thread (default 32); reports\n"
"                         are written as checks finish (without --jobs, the\n"
"                         domains named on the command line keep their order)\n"
"  --format F             text (default), json or nagios\n"
"  --json                 JSON Lines: one object per input row (see README);\n"
"                         each carries input_line\n"
"  --nagios               monitoring-plugin lines: STARTTLS OK|WARNING|CRITICAL|\n"
"                         UNKNOWN - DOMAIN: MESSAGE | perfdata\n"
"  --ordered              write the reports in input order (at most --jobs\n"
"                         rows in flight or held back)\n"
"  --resume FILE          JSON Lines into FILE: skip the rows whose results\n"
"                         FILE holds, append the rest (create it if missing)\n"
"  --aggregate [FILE]     statistics of this run after the reports; with FILE\n"
"                         and no domain, of FILE's JSON Lines (no checks)\n"
"  --line-offset N        add N to every input_line (a shard of a longer list)\n"
"  --verbose              also list the EHLO keywords and the checks that\n"
"                         did not run\n"
"  --stats                print memory and session figures to stderr\n"
"  --arena-kb N           size of the TLS memory arena (default 32768)\n"
"  --help, --version\n"
"\n"
"A progress line goes to stderr when it is a terminal (STC_PROGRESS=1 forces\n"
"it, 0 turns it off).\n"
"\n"
"Exit status: 0 success (or accepts no mail), 1 warning, 2 failure\n"
"(no STARTTLS, could not connect, bad hostname), 3 error or unknown\n"
"(bad input, DNS failure, rejected by the server, checker limits, a\n"
"failed write); 130/143 when interrupted (finished reports are kept).\n"
"With --resume, the worst over FILE's earlier results and the new ones.\n", f);
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

/* no_value - a flag takes no value: --json=1 is a mistake, not "on" */
static void no_value(const char *arg, const char *eq)
{
    if (eq)
        die_usage("this option takes no value", arg);
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
    o->t_probe *= (uint32_t)k;
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
            no_value(argv[i], eq);
            usage(stdout);
            exit(fflush(stdout) == 0 ? 0 : 3);
        } else if (!strcmp(name, "version")) {
            no_value(argv[i], eq);
            printf("starttls-check %s (JSON schema %d)\n", STC_VERSION_STRING, STC_SCHEMA_VERSION);
            exit(fflush(stdout) == 0 ? 0 : 3);
        } else if (!strcmp(name, "json")) {
            no_value(argv[i], eq);
            c->format = FMT_JSON;
            c->format_given = 1;
        } else if (!strcmp(name, "nagios")) {
            no_value(argv[i], eq);
            c->format = FMT_NAGIOS;
            c->format_given = 1;
        } else if (!strcmp(name, "format")) {
            v = arg_value(argc, argv, &i, eq);
            if (!strcmp(v, "text"))
                c->format = FMT_TEXT;
            else if (!strcmp(v, "json"))
                c->format = FMT_JSON;
            else if (!strcmp(v, "nagios"))
                c->format = FMT_NAGIOS;
            else
                die_usage("--format wants text, json or nagios", v);
            c->format_given = 1;
        } else if (!strcmp(name, "ordered")) {
            no_value(argv[i], eq);
            c->ordered = 1;
        } else if (!strcmp(name, "resume")) {
            c->resume = arg_value(argc, argv, &i, eq);
        } else if (!strcmp(name, "aggregate")) {
            c->aggregate = 1;
            if (eq) {
                c->agg_file = eq + 1;
            } else if (i + 1 < argc && (argv[i + 1][0] != '-' || !strcmp(argv[i + 1], "-"))) {
                /* FILE, or the first domain: decided once all is parsed */
                c->agg_word = (long)c->ndomains;
                c->domains[c->ndomains++] = argv[++i];
            }
        } else if (!strcmp(name, "line-offset")) {
            c->line_offset = (unsigned long)num("--line-offset", arg_value(argc, argv, &i, eq),
                                                0, 2000000000L);
        } else if (!strcmp(name, "verbose") || !strcmp(name, "v")) {
            no_value(argv[i], eq);
            c->verbose = 1;
        } else if (!strcmp(name, "stats")) {
            no_value(argv[i], eq);
            c->stats = 1;
        } else if (!strcmp(name, "quick")) {
            no_value(argv[i], eq);
            c->opt.probe = 0;
        } else if (!strcmp(name, "max-dns")) {
            c->opt.max_dns = (uint8_t)num("--max-dns", arg_value(argc, argv, &i, eq), 1, STC_MAX_DNS);
        } else if (!strcmp(name, "max-sessions")) {
            c->opt.max_sessions = (uint8_t)num("--max-sessions", arg_value(argc, argv, &i, eq), 1, 255);
        } else if (!strcmp(name, "probe-pause")) {
            c->opt.probe_pause = (uint16_t)num("--probe-pause", arg_value(argc, argv, &i, eq), 0, 60000);
        } else if (!strcmp(name, "probe-time")) {
            c->opt.t_probe = (uint32_t)num("--probe-time", arg_value(argc, argv, &i, eq), 1, 3600) * 1000;
        } else if (!strcmp(name, "implicit-tls")) {
            no_value(argv[i], eq);
            c->opt.implicit_tls = 1;
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
        } else if (!strcmp(name, "trust-resolver")) {
            no_value(argv[i], eq);
            c->opt.trust_ad = 1;
        } else if (!strcmp(name, "resolver")) {
            c->pcfg.resolver = arg_value(argc, argv, &i, eq);
        } else if (!strcmp(name, "ca-file")) {
            c->pcfg.ca_file = arg_value(argc, argv, &i, eq);
        } else if (!strcmp(name, "warn-days")) {
            c->opt.warn_days = (uint16_t)num("--warn-days", arg_value(argc, argv, &i, eq), 0, 3650);
        } else if (!strcmp(name, "parallel")) {
            c->opt.max_conn = (uint8_t)num("--parallel", arg_value(argc, argv, &i, eq), 1, STC_MAX_CONN);
        } else if (!strcmp(name, "cache-age")) {
            c->opt.cache_age = (uint32_t)num("--cache-age", arg_value(argc, argv, &i, eq), 0, 86400);
        } else if (!strcmp(name, "per-address")) {
            c->opt.per_address = (uint8_t)num("--per-address", arg_value(argc, argv, &i, eq), 1, 16);
        } else if (!strcmp(name, "jobs") || !strcmp(name, "j")) {
            c->jobs = (size_t)num("--jobs", arg_value(argc, argv, &i, eq), 1, MAX_JOBS);
            c->jobs_given = 1;
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

/* warn - a message on stderr (the progress line cleared first) */
static void warn(const char *fmt, ...) CLI_PRINTF(1, 2);
static void warn(const char *fmt, ...)
{
    va_list ap;
    progress_clear();
    fputs("starttls-check: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

/* ---- one finished row: rendered, counted, written ------------------------ */

static agg_t *agg; /* --aggregate: the statistics of this run */

/* row_json - the error object of an input row that could not be read */
static void row_json(sbuf_t *b, unsigned long line, const char *code, const char *what)
{
    sbuf_printf(b, "{\"schema_version\":%d,\"input_line\":%lu,\"error\":", STC_SCHEMA_VERSION,
                line);
    sbuf_json_str(b, code);
    sbuf_puts(b, ",\"message\":");
    sbuf_json_str(b, what);
    sbuf_puts(b, ",\"status\":3,\"status_text\":\"error\"}\n");
}

/* deliver - the report of row seq (input line `line`, 0 for none): a
 * result r, or (r NULL) an unreadable row's code and text. Every output
 * format is rendered from the same result; --aggregate counts the JSON. */
static void deliver(const cli_t *c, unsigned long seq, unsigned long line,
                    const stc_domain_result_t *r, const char *code, const char *what)
{
    sbuf_t js, b;
    memset(&js, 0, sizeof js);
    memset(&b, 0, sizeof b);
    if (c->format == FMT_JSON || agg) {
        if (r)
            stc_report_json_line(r, line, sbuf_write, &js);
        else
            row_json(&js, line, code, what);
        if (agg && !js.failed)
            agg_add_line(agg, js.p, js.n);
    }
    if (c->format == FMT_JSON) {
        b = js;
        memset(&js, 0, sizeof js);
    } else if (c->format == FMT_NAGIOS) {
        if (r)
            nagios_line(&b, r, c->opt.warn_days, (int64_t)time(NULL));
        else
            nagios_row_error(&b, line, what);
    } else if (r) {
        stc_report_text(r, c->verbose, sbuf_write, &b);
    } else {
        sbuf_printf(&b, "line %lu: ERROR - %s (not checked)\n", line, what);
    }
    sbuf_free(&js);
    out_emit(seq, &b);
    if (line > 0)
        progress_row(); /* a row of the input (not the --host relay) */
}

/* ---- the run ------------------------------------------------------------- */

/* Where the next row comes from: the command line, then a CSV stream. */
typedef struct input {
    size_t next_arg;
    FILE *file;
    csv_reader_t csv;
    char row[ROW_MAX + 1];
    int first_row;
    unsigned long headers, bad_rows, skipped;
} input_t;

/* One input row: a name to check, or a row that could not be read. */
enum { ROW_NAME = 1, ROW_BAD };
typedef struct row {
    int kind;
    unsigned long line; /* input_line: --line-offset + the physical line or position */
    char *name;         /* ROW_NAME: malloc'ed, UTF-8 as given */
    const char *code, *what; /* ROW_BAD */
} row_t;

typedef struct jobinfo {
    unsigned long seq, line;
} jobinfo_t;

typedef struct run {
    const cli_t *c;
    stc_engine_t *eng;
    stc_job_t *jobs;
    jobinfo_t *info; /* per job slot: its row */
    size_t *free_list, nfree;
    input_t in;
    const resume_t *rs; /* --resume, else NULL */
    int worst;
    int mismatch;       /* --resume FILE is not of this list: stop */
    unsigned long started, done;
} run_t;

static volatile sig_atomic_t got_signal;

/* on_signal - SIGINT/SIGTERM: stop starting checks; finished reports stay */
static void on_signal(int sig)
{
    got_signal = sig;
}

/* on_done - a check ended: its report now (or held), its job slot back */
static void on_done(void *ctx, stc_job_t *j)
{
    run_t *rn = (run_t *)ctx;
    size_t idx = (size_t)(j - rn->jobs);
    const stc_domain_result_t *r = stc_job_result(j);
    int code = stc_exit_code(r->status);

    deliver(rn->c, rn->info[idx].seq, rn->info[idx].line, r, NULL, NULL);
    if (code > rn->worst)
        rn->worst = code;
    rn->done++;
    rn->free_list[rn->nfree++] = idx;
}

/* done_before - --resume: FILE already has this row's result. A result
 * for another domain on that line means FILE is of another list: the run
 * stops (exit 3) rather than mix two lists in one file. */
static int done_before(run_t *rn, unsigned long line, const char *name)
{
    const resume_row_t *r;
    if (rn->rs == NULL || (r = resume_find(rn->rs, line)) == NULL)
        return 0;
    if (name && r->hash) {
        char err[256], *ace = to_alabels(name, err, sizeof err);
        uint32_t h = resume_name_hash(ace ? ace : name);
        free(ace);
        if (h && h != r->hash) {
            warn("%s has a result for input line %lu that is not for \"%s\": not a run of "
                 "this list (use another file)",
                 rn->c->resume, line, name);
            rn->mismatch = 1;
            return 0;
        }
    }
    rn->in.skipped++;
    return 1;
}

/* next_row - the next input row; 0 at the end (or when the run must stop) */
static int next_row(run_t *rn, row_t *row)
{
    input_t *in = &rn->in;
    const cli_t *c = rn->c;
    unsigned long pline;
    int rc;

    memset(row, 0, sizeof *row);
    while (!rn->mismatch) {
        if (in->next_arg < c->ndomains) {
            size_t k = in->next_arg++;
            row->line = c->line_offset + k + 1;
            if (done_before(rn, row->line, c->domains[k]) || rn->mismatch)
                continue;
            row->kind = ROW_NAME;
            row->name = strdup(c->domains[k]);
            return row->name != NULL;
        }
        if (in->file == NULL)
            return 0;
        rc = csv_next(&in->csv, &pline);
        row->line = c->line_offset + pline;
        switch (rc) {
        case CSV_FIELD:
            if (in->first_row) {
                in->first_row = 0;
                if (strchr(in->row, '.') == NULL) {
                    warn("%s line %lu: \"%s\" taken for a header row (no dot), not checked",
                         c->file, pline, in->row);
                    in->headers++;
                    continue;
                }
            }
            if (done_before(rn, row->line, in->row) || rn->mismatch)
                continue;
            row->kind = ROW_NAME;
            row->name = strdup(in->row);
            return row->name != NULL;
        case CSV_NO_COLUMN:
        case CSV_TOO_LONG:
        case CSV_BAD_QUOTE:
            in->first_row = 0;
            if (rc == CSV_BAD_QUOTE && feof(in->file))
                in->file = NULL; /* end of file inside quotes: nothing follows */
            if (done_before(rn, row->line, NULL))
                continue;
            row->kind = ROW_BAD;
            if (rc == CSV_NO_COLUMN) {
                warn("%s line %lu: no column %ld, not checked", c->file, pline, c->column);
                row->code = "row_no_column";
                row->what = "the row has no such column";
            } else if (rc == CSV_TOO_LONG) {
                warn("%s line %lu: row too long, not checked", c->file, pline);
                row->code = "row_too_long";
                row->what = "the row is too long";
            } else {
                warn("%s line %lu: broken quoting, not checked", c->file, pline);
                row->code = "row_bad_quoting";
                row->what = "the row's quoting is broken";
            }
            in->bad_rows++;
            return 1;
        case CSV_READ_ERROR:
            warn("cannot read %s: %s", c->file, strerror(errno));
            rn->worst = 3;
            in->file = NULL;
            return 0;
        default:
            in->file = NULL;
            return 0;
        }
    }
    return 0;
}

/* input_left - rows may still come */
static int input_left(const run_t *rn)
{
    return !rn->mismatch && (rn->in.file || rn->in.next_arg < rn->c->ndomains);
}

/* can_start - a row may be started now: a job slot, room in the --ordered
 * window, input, and no reason to stop */
static int can_start(const run_t *rn)
{
    return rn->nfree > 0 && out_room() && input_left(rn) && !got_signal && !out_failed();
}

/* start_next - the next row: an unreadable one is reported at once, a
 * name goes to a free job slot; 0 when nothing was started */
static int start_next(run_t *rn)
{
    const cli_t *c = rn->c;
    char err[256], *ace;
    unsigned long seq;
    size_t idx;
    stc_job_t *j;
    row_t row;

    if (!can_start(rn) || !next_row(rn, &row))
        return 0;
    seq = out_reserve();
    if (row.kind == ROW_BAD) {
        deliver(c, seq, row.line, NULL, row.code, row.what);
        rn->worst = 3; /* a row we could not read is a domain not checked */
        return 1;
    }
    idx = rn->free_list[--rn->nfree];
    j = &rn->jobs[idx];
    rn->info[idx].seq = seq;
    rn->info[idx].line = row.line;
    ace = to_alabels(row.name, err, sizeof err);
    if (ace == NULL) {
        /* the result still comes, as for any invalid name: the row is
         * reported, never lost */
        warn("%s: not a valid domain name (%s)", row.name, err);
        stc_job_domain(rn->eng, j, row.name, NULL, 0);
    } else {
        stc_job_domain(rn->eng, j, ace, c->nexpect ? c->expect : NULL, c->nexpect);
        free(ace);
    }
    free(row.name);
    rn->started++;
    return 1;
}

/* count_rows - rows still to do, for the progress line: the names given,
 * or a named file's records read once ahead (cheap next to the checks;
 * the header row and rows --resume skips are not counted); -1 for a
 * stream (stdin), whose length is not known before its end */
static long count_rows(const cli_t *c, const resume_t *rs)
{
    long n = 0;
    size_t k;
    for (k = 0; k < c->ndomains; k++)
        if (rs == NULL || resume_find(rs, c->line_offset + k + 1) == NULL)
            n++;
    if (c->file) {
        static char buf[ROW_MAX + 1];
        csv_reader_t r;
        unsigned long line;
        int rc, first = 1;
        FILE *f;
        if (strcmp(c->file, "-") == 0 || (f = fopen(c->file, "r")) == NULL)
            return -1;
        csv_init(&r, f, c->column, buf, ROW_MAX);
        while ((rc = csv_next(&r, &line)) != CSV_EOF && rc != CSV_READ_ERROR) {
            int header = first && rc == CSV_FIELD && strchr(buf, '.') == NULL;
            first = 0;
            if (!header && (rs == NULL || resume_find(rs, c->line_offset + line) == NULL))
                n++;
            if (rc == CSV_BAD_QUOTE && feof(f))
                break;
        }
        fclose(f);
    }
    return n;
}

/* run_all - every row, up to --jobs checks at once; the worst exit code */
static int run_all(const cli_t *c, stc_engine_t *eng, stc_posix_t *px, const resume_t *rs)
{
    size_t nfds = STC_MAX_DNS + STC_MAX_CONN, i;
    stc_pollfd_t fds[STC_MAX_DNS + STC_MAX_CONN];
    run_t rn;

    memset(&rn, 0, sizeof rn);
    rn.c = c;
    rn.eng = eng;
    rn.rs = rs;
    rn.jobs = calloc(c->jobs, sizeof *rn.jobs);
    rn.info = calloc(c->jobs, sizeof *rn.info);
    rn.free_list = calloc(c->jobs, sizeof *rn.free_list);
    if (!rn.jobs || !rn.info || !rn.free_list) {
        fprintf(stderr, "starttls-check: out of memory for %zu jobs\n", c->jobs);
        exit(3);
    }
    for (i = 0; i < c->jobs; i++)
        rn.free_list[rn.nfree++] = c->jobs - 1 - i;
    if (c->file) {
        struct stat st;
        rn.in.file = strcmp(c->file, "-") ? fopen(c->file, "r") : stdin;
        if (rn.in.file == NULL || fstat(fileno(rn.in.file), &st) != 0 ||
            S_ISDIR(st.st_mode)) {
            fprintf(stderr, "starttls-check: cannot read %s: %s\n", c->file,
                    rn.in.file ? "is a directory" : strerror(errno));
            exit(3);
        }
        csv_init(&rn.in.csv, rn.in.file, c->column, rn.in.row, ROW_MAX);
        rn.in.first_row = 1;
    }
    progress_init(-1);
    if (progress_on())
        progress_init(count_rows(c, rs));
    stc_engine_on_done(eng, on_done, &rn);
    for (;;) {
        uint32_t ms;
        size_t n;
        while (start_next(&rn))
            ;
        if (out_failed() || got_signal)
            break;
        if (stc_engine_step(eng) != STC_EAGAIN && rn.nfree == c->jobs) {
            if (!can_start(&rn))
                break; /* nothing running, nothing left */
            continue;
        }
        if (out_failed())
            break;
        n = stc_engine_pollset(eng, fds, nfds, &ms);
        if (can_start(&rn))
            ms = 0; /* a slot is free: fill it before waiting */
        if (progress_on() && ms > 1000)
            ms = 1000; /* the progress line moves on even when nothing ends */
        if (ms > 0 && px->ops.wait(px->ops.user, fds, n, ms) < 0 && errno != EINTR) {
            warn("cannot wait for sockets: %s", strerror(errno));
            rn.worst = 3;
            break;
        }
        progress_tick();
    }
    stc_engine_on_done(eng, NULL, NULL);
    stc_engine_free(eng); /* cancels what still runs: those were not finished */
    out_flush_held();     /* --ordered: what finished behind an unfinished row */
    progress_end();
    if (out_failed()) {
        fprintf(stderr, "starttls-check: cannot write the results: %s\n",
                strerror(out_failed()));
        rn.worst = 3;
    }
    if (got_signal || c->stats || rn.in.headers || rn.in.bad_rows || rs)
        fprintf(stderr, "starttls-check: %lu of %lu checks finished%s%s; %lu header row(s), "
                        "%lu unreadable row(s)%s",
                rn.done, rn.started, got_signal ? ", interrupted by " : "",
                got_signal == SIGINT ? "SIGINT" : got_signal == SIGTERM ? "SIGTERM" : "",
                rn.in.headers, rn.in.bad_rows, rs ? "" : "\n");
    if (rs)
        fprintf(stderr, "; %lu row(s) already in %s\n", rn.in.skipped, c->resume);
    if (rn.mismatch)
        rn.worst = 3;
    if (rn.in.file && rn.in.file != stdin)
        fclose(rn.in.file);
    free(rn.jobs);
    free(rn.info);
    free(rn.free_list);
    if (got_signal == SIGINT)
        return 130;
    if (got_signal == SIGTERM)
        return 143;
    return rn.worst;
}

/* aggregate_file - --aggregate FILE: the statistics of results read back;
 * the exit code is the worst among them (3 when a line is unreadable) */
static int aggregate_file(const cli_t *c)
{
    FILE *f = strcmp(c->agg_file, "-") ? fopen(c->agg_file, "r") : stdin;
    char *line = NULL;
    size_t cap = 0;
    ssize_t got;
    sbuf_t b;
    int worst;

    if (f == NULL) {
        fprintf(stderr, "starttls-check: cannot read %s: %s\n", c->agg_file, strerror(errno));
        return 3;
    }
    while ((got = getline(&line, &cap, f)) > 0)
        agg_add_line(agg, line, (size_t)got);
    free(line);
    if (ferror(f)) {
        fprintf(stderr, "starttls-check: cannot read %s: %s\n", c->agg_file, strerror(errno));
        if (f != stdin)
            fclose(f);
        return 3;
    }
    if (f != stdin)
        fclose(f);
    memset(&b, 0, sizeof b);
    if (c->format == FMT_JSON)
        agg_json(agg, &b);
    else
        agg_text(agg, &b);
    out_extra(stdout, &b, c->format == FMT_JSON);
    worst = agg_worst(agg);
    if (agg_unreadable(agg)) {
        fprintf(stderr, "starttls-check: %s: %lu line(s) are no result and were not counted\n",
                c->agg_file, agg_unreadable(agg));
        worst = 3;
    }
    return worst;
}

/* check_combinations - options that do not go together, said at once */
static void check_combinations(cli_t *c)
{
    if (c->agg_word >= 0 && c->ndomains == 1 && !c->file && !c->host) {
        c->agg_file = c->domains[0]; /* --aggregate FILE: FILE was no domain */
        c->ndomains = 0;
    }
    if (c->agg_file) {
        if (c->ndomains || c->file || c->host || c->resume)
            die_usage("--aggregate FILE reads results back and checks nothing: give it no "
                      "domain, -file, --host or --resume", NULL);
        if (c->format == FMT_NAGIOS)
            die_usage("--aggregate FILE writes text or JSON, not nagios lines", NULL);
        return;
    }
    if (c->ndomains == 0 && c->host == NULL && c->file == NULL)
        die_usage("no domain given", NULL);
    if (c->resume) {
        if (c->format_given && c->format != FMT_JSON)
            die_usage("--resume writes JSON Lines: not with --format text or nagios", NULL);
        c->format = FMT_JSON;
        if (c->host)
            die_usage("--resume is for lists, not --host", NULL);
        if (c->ndomains && c->file)
            die_usage("--resume wants one list: names or -file, not both", NULL);
    }
}

int main(int argc, char **argv)
{
    static cli_t cl;
    static stc_posix_t px;
    static stc_engine_t eng;
    static resume_t rs;
    stc_arena_stats_t st;
    struct sigaction sa;
    char err[256];
    void *arena;
    size_t anchors, socks;
    int worst, rc;

    stc_options_default(&cl.opt);
    default_ehlo(cl.opt.ehlo, sizeof cl.opt.ehlo);
    cl.arena_kb = 32768;
    cl.jobs = DEFAULT_JOBS;
    cl.agg_word = -1;
    cl.domains = calloc((size_t)argc + 1, sizeof *cl.domains);
    if (!cl.domains)
        return 3;
    parse(&cl, argc, argv);
    /* names typed on the command line are few and read by a person: their
     * reports keep that order unless --jobs asks for speed explicitly */
    if (!cl.jobs_given && !cl.file)
        cl.ordered = 1;
    scale_timeouts(&cl.opt);
    check_combinations(&cl);
    if (cl.opt.port == 465)
        cl.opt.implicit_tls = 1; /* RFC 8314 3.3: implicit TLS on 465 */
    /* a closed pipe is a failed write, not a silent death mid-line */
    signal(SIGPIPE, SIG_IGN);
    if (cl.aggregate && (agg = agg_new()) == NULL) {
        fprintf(stderr, "starttls-check: out of memory\n");
        return 3;
    }
    if (cl.agg_file) {
        out_init(stdout, cl.format == FMT_JSON, 0, 1);
        worst = aggregate_file(&cl);
        agg_free(agg);
        out_free();
        free(cl.domains);
        if (fclose(stdout) != 0 && worst < 3) {
            fprintf(stderr, "starttls-check: cannot write the results: %s\n", strerror(errno));
            worst = 3;
        }
        return worst;
    }

    if (stc_posix_init(&px, &cl.pcfg, err, sizeof err) != 0) {
        fprintf(stderr, "starttls-check: %s\n", err);
        return 3;
    }
    if (px.nres > STC_MAX_RESOLVERS) {
        fprintf(stderr, "starttls-check: %zu resolvers given; this build uses at most %d\n",
                px.nres, STC_MAX_RESOLVERS);
        return 3;
    }
    socks = stc_posix_socket_cap(&px);
    if (socks < 1) {
        fprintf(stderr, "starttls-check: the open-file limit leaves no socket for the "
                        "checks (raise it: ulimit -n)\n");
        return 3;
    }
    cl.opt.max_sockets = (uint16_t)(socks > 65535 ? 65535 : socks);

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    worst = 0;
    if (cl.resume) {
        if (resume_load(&rs, cl.resume, agg, err, sizeof err) != 0) {
            fprintf(stderr, "starttls-check: %s\n", err);
            return 3;
        }
        worst = rs.worst; /* the exit code covers the earlier results too */
    }
    if (out_init(cl.resume ? rs.append : stdout, cl.format == FMT_JSON, cl.ordered, cl.jobs) !=
        0) {
        fprintf(stderr, "starttls-check: out of memory\n");
        return 3;
    }

    arena = malloc(cl.arena_kb * 1024);
    if (!arena) {
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
    if (stc_engine_init(&eng, &px.ops, &cl.opt) != STC_OK) {
        fprintf(stderr, "starttls-check: cannot initialise the checks\n");
        return 3;
    }

    if (cl.host) {
        static stc_job_t relay;
        char host[STC_NAME_MAX + 1];
        uint16_t port = cl.port_given ? cl.opt.port : 25;
        if (stc_hostport_parse(cl.host, host, sizeof host, &port) != STC_OK)
            die_usage("--host wants HOST, HOST:PORT or [IPv6]:PORT", cl.host);
        stc_job_host(&eng, &relay, host, port, cl.opt.implicit_tls || port == 465);
        stc_engine_run(&eng);
        deliver(&cl, out_reserve(), 0, stc_job_result(&relay), NULL, NULL);
        rc = stc_exit_code(stc_job_result(&relay)->status);
        if (rc > worst)
            worst = rc;
        if (out_failed()) {
            fprintf(stderr, "starttls-check: cannot write the results: %s\n",
                    strerror(out_failed()));
            worst = 3;
        }
    }
    if (!out_failed() && (cl.ndomains > 0 || cl.file)) {
        rc = run_all(&cl, &eng, &px, cl.resume ? &rs : NULL);
        if (rc > worst)
            worst = rc;
    }
    if (agg && !out_failed()) {
        /* the statistics go to stdout (never into the --resume file, which
         * holds rows only) */
        sbuf_t b;
        memset(&b, 0, sizeof b);
        if (cl.format == FMT_JSON)
            agg_json(agg, &b);
        else
            agg_text(agg, &b);
        out_extra(stdout, &b, cl.format == FMT_JSON);
    }
    stc_arena_stats(&st);
    if (cl.stats)
        fprintf(stderr,
                "stats: arena %zu bytes; trust anchors keep %zu bytes; peak during the "
                "checks %zu bytes (anchors included); failed allocations %zu; engine %zu "
                "bytes, %zu per job; %lu SMTP sessions; %lu answered from the cache; "
                "%lu DNS questions sent; %lu DNS answers from the cache; %lu certificate chains "
                "judged from the cache; sockets allowed %zu\n",
                st.size, anchors, st.peak, st.failures, sizeof eng, sizeof(stc_job_t),
                (unsigned long)stc_engine_sessions(&eng), (unsigned long)eng.cache_hits,
                (unsigned long)eng.dns_queries, (unsigned long)eng.dns_hits,
                (unsigned long)eng.cert_hits, socks);
    stc_engine_free(&eng);
    stc_deinit();
    stc_posix_free(&px);
    free(arena);
    free(cl.domains);
    agg_free(agg);
    if (out_failed() && worst < 3) {
        fprintf(stderr, "starttls-check: cannot write the results: %s\n", strerror(out_failed()));
        worst = 3;
    }
    out_free();
    resume_free(&rs);
    if (rs.append && fclose(rs.append) != 0 && worst < 3) {
        fprintf(stderr, "starttls-check: cannot write %s: %s\n", cl.resume, strerror(errno));
        worst = 3;
    }
    if (fclose(stdout) != 0 && !out_failed() && worst < 3) {
        fprintf(stderr, "starttls-check: cannot write the results: %s\n", strerror(errno));
        worst = 3;
    }
    return worst;
}
