/* cli.c - starttls-check: the command-line program (POSIX)
 *
 * NAME
 *   starttls-check - grade how well mail domains protect mail in transit
 * SYNOPSIS
 *   starttls-check [options] DOMAIN...
 *   starttls-check [options] -domain DOMAIN | -file FILE.csv [-column N]
 *   starttls-check [options] --host HOST[:PORT]
 * DESCRIPTION
 *   See usage() below and README.md. One engine checks up to --jobs
 *   domains at once in this one thread; domains are read from the list as
 *   job slots free up (a file is streamed, never read whole), and each
 *   report is written as its check ends. The program may allocate (the
 *   core does not); it maps UTF-8 domain names to A-labels with libidn2.
 * EXIT STATUS
 *   0 success (or the domain accepts no mail), 1 warning, 2 failure,
 *   3 error / unknown (bad input, DNS failure, rejected, our own limits, a
 *   failed write); with several domains, the worst of them. Interrupted
 *   by SIGINT / SIGTERM: 130 / 143 after the finished reports.
 */
#include "stc/stc.h"
#include "stc_posix.h"
#include "csv.h"

#include <errno.h>
#include <idn2.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_EXPECT 16
#define MAX_JOBS 4096
#define ROW_MAX 1024 /* bytes of one CSV field (a domain is at most 253) */

typedef struct cli {
    stc_options_t opt;
    stc_posix_cfg_t pcfg;
    int json, verbose, stats;
    const char *host;      /* --host */
    int port_given;
    const char *file;      /* -file */
    long column;           /* -column */
    const char *expect[MAX_EXPECT];
    size_t nexpect;
    size_t arena_kb;
    size_t jobs;           /* --jobs: checks at once */
    char **domains;        /* from the command line */
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
"  --ca-file F            trust anchors (PEM; default the system bundle)\n"
"  --warn-days N          warn when the certificate expires within N days (14)\n"
"  --parallel N           connections at once, over all checks (default 16)\n"
"  --per-address N        SMTP sessions at once to one address (default 2)\n"
"  --quick                one session per address: no version and cipher\n"
"                         probes (the ciphers check is skipped)\n"
"  --max-sessions N       sessions per address in all, probes included\n"
"                         (default 24; a clean server needs 11 at most)\n"
"  --probe-pause MS       pause between the sessions to one address (0)\n"
"  --probe-time S         seconds for all sessions to one address (60)\n"
"  --jobs N               checks at once, in one thread (default 1); reports\n"
"                         are written as checks finish\n"
"  --json                 JSON Lines: one object per domain (see README)\n"
"  --verbose              also list the EHLO keywords and the checks that\n"
"                         did not run\n"
"  --stats                print memory and session figures to stderr\n"
"  --arena-kb N           size of the TLS memory arena (default 32768)\n"
"  --help, --version\n"
"\n"
"Exit status: 0 success (or accepts no mail), 1 warning, 2 failure\n"
"(no STARTTLS, could not connect, bad hostname), 3 error or unknown\n"
"(bad input, DNS failure, rejected by the server, checker limits, a\n"
"failed write); 130/143 when interrupted (finished reports are kept).\n", f);
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
            c->json = 1;
        } else if (!strcmp(name, "verbose") || !strcmp(name, "v")) {
            no_value(argv[i], eq);
            c->verbose = 1;
        } else if (!strcmp(name, "stats")) {
            no_value(argv[i], eq);
            c->stats = 1;
        } else if (!strcmp(name, "quick")) {
            no_value(argv[i], eq);
            c->opt.probe = 0;
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
        } else if (!strcmp(name, "resolver")) {
            c->pcfg.resolver = arg_value(argc, argv, &i, eq);
        } else if (!strcmp(name, "ca-file")) {
            c->pcfg.ca_file = arg_value(argc, argv, &i, eq);
        } else if (!strcmp(name, "warn-days")) {
            c->opt.warn_days = (uint16_t)num("--warn-days", arg_value(argc, argv, &i, eq), 0, 3650);
        } else if (!strcmp(name, "parallel")) {
            c->opt.max_conn = (uint8_t)num("--parallel", arg_value(argc, argv, &i, eq), 1, STC_MAX_CONN);
        } else if (!strcmp(name, "per-address")) {
            c->opt.per_address = (uint8_t)num("--per-address", arg_value(argc, argv, &i, eq), 1, 16);
        } else if (!strcmp(name, "jobs") || !strcmp(name, "j")) {
            c->jobs = (size_t)num("--jobs", arg_value(argc, argv, &i, eq), 1, MAX_JOBS);
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

/* ---- output: every write checked ----------------------------------------- */

static int write_failed; /* errno of the first failed write, 0 none */
static FILE *json_tee;   /* test hook: $STC_JSON_TEE gets every JSON line too */

/* write_stdout - report sink; a short write stops the report */
static int write_stdout(void *ctx, const char *p, size_t n)
{
    (void)ctx;
    if (write_failed)
        return -1;
    if (fwrite(p, 1, n, stdout) != n) {
        write_failed = errno ? errno : EIO;
        return -1;
    }
    return 0;
}

/* write_json - JSON sink: stdout, and the test hook's file */
static int write_json(void *ctx, const char *p, size_t n)
{
    if (json_tee)
        fwrite(p, 1, n, json_tee);
    return write_stdout(ctx, p, n);
}

/* put_json - a constant piece of JSON */
static void put_json(const char *s)
{
    write_json(NULL, s, strlen(s));
}

/* json_str - a JSON string literal of s (the core's escaping rules) */
static void json_str(const char *s)
{
    char b[8];
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\') {
            b[0] = '\\';
            b[1] = (char)ch;
            write_json(NULL, b, 2);
        } else if (ch < 0x20 || ch >= 0x7f) {
            snprintf(b, sizeof b, "\\u%04x", ch < 0x80 ? ch : 0xfffd);
            write_json(NULL, b, 6);
        } else {
            write_json(NULL, (const char *)&ch, 1);
        }
    }
}

/* row_error - an input row that cannot be checked: one object (JSON) or
 * line (text) on stdout, so no row is lost from the results */
static void row_error(const cli_t *c, unsigned long line, const char *code, const char *what)
{
    char b[64];
    if (!c->json) {
        snprintf(b, sizeof b, "line %lu: ", line);
        write_stdout(NULL, b, strlen(b));
        write_stdout(NULL, "ERROR - ", strlen("ERROR - "));
        write_stdout(NULL, what, strlen(what));
        write_stdout(NULL, " (not checked)\n", strlen(" (not checked)\n"));
    } else {
        snprintf(b, sizeof b, "{\"schema_version\":%d,\"input_line\":%lu,", STC_SCHEMA_VERSION,
                 line);
        write_json(NULL, b, strlen(b));
        put_json("\"error\":\"");
        json_str(code);
        put_json("\",\"message\":\"");
        json_str(what);
        put_json("\",\"status\":3,\"status_text\":\"error\"}\n");
    }
    if (!write_failed && fflush(stdout) != 0)
        write_failed = errno ? errno : EIO;
}

/* ---- the run ------------------------------------------------------------- */

/* Where the next domain comes from: the command line, then a CSV stream. */
typedef struct input {
    size_t next_arg;
    FILE *file;
    csv_reader_t csv;
    char row[ROW_MAX + 1];
    int first_row;
    unsigned long headers, bad_rows;
} input_t;

typedef struct run {
    const cli_t *c;
    stc_engine_t *eng;
    stc_job_t *jobs;
    size_t *free_list, nfree;
    input_t in;
    int worst;
    unsigned long started, done;
} run_t;

static volatile sig_atomic_t got_signal;

/* on_signal - SIGINT/SIGTERM: stop starting checks; finished reports stay */
static void on_signal(int sig)
{
    got_signal = sig;
}

/* report - print one result; its exit code (3 when the write failed) */
static int report(const cli_t *c, const stc_domain_result_t *r)
{
    if (c->json)
        stc_report_json(r, write_json, NULL);
    else
        stc_report_text(r, c->verbose, write_stdout, NULL);
    if (!write_failed && fflush(stdout) != 0)
        write_failed = errno ? errno : EIO;
    return stc_exit_code(r->status);
}

/* on_done - a check ended: its report now, its job slot back */
static void on_done(void *ctx, stc_job_t *j)
{
    run_t *rn = (run_t *)ctx;
    int code = report(rn->c, stc_job_result(j));
    if (code > rn->worst)
        rn->worst = code;
    rn->done++;
    rn->free_list[rn->nfree++] = (size_t)(j - rn->jobs);
}

/* next_domain - the next name to check (malloc'ed UTF-8 as given), NULL at
 * the end; rows that cannot be read are said on stderr and counted */
static char *next_domain(run_t *rn)
{
    input_t *in = &rn->in;
    const cli_t *c = rn->c;
    unsigned long line;

    if (in->next_arg < c->ndomains)
        return strdup(c->domains[in->next_arg++]);
    while (in->file) {
        int rc = csv_next(&in->csv, &line);
        switch (rc) {
        case CSV_FIELD:
            if (in->first_row) {
                in->first_row = 0;
                if (strchr(in->row, '.') == NULL) {
                    fprintf(stderr, "starttls-check: %s line %lu: \"%s\" taken for a header "
                                    "row (no dot), not checked\n",
                            c->file, line, in->row);
                    in->headers++;
                    continue;
                }
            }
            return strdup(in->row);
        case CSV_NO_COLUMN:
            in->first_row = 0;
            fprintf(stderr, "starttls-check: %s line %lu: no column %ld, not checked\n", c->file,
                    line, c->column);
            row_error(c, line, "row_no_column", "the row has no such column");
            in->bad_rows++;
            continue;
        case CSV_TOO_LONG:
        case CSV_BAD_QUOTE:
            in->first_row = 0;
            fprintf(stderr, "starttls-check: %s line %lu: %s, not checked\n", c->file, line,
                    rc == CSV_TOO_LONG ? "row too long" : "broken quoting");
            row_error(c, line, rc == CSV_TOO_LONG ? "row_too_long" : "row_bad_quoting",
                      rc == CSV_TOO_LONG ? "the row is too long" : "the row's quoting is broken");
            in->bad_rows++;
            if (rc == CSV_BAD_QUOTE && feof(in->file))
                in->file = NULL;
            continue;
        case CSV_READ_ERROR:
            fprintf(stderr, "starttls-check: cannot read %s: %s\n", c->file, strerror(errno));
            rn->worst = 3;
            in->file = NULL;
            return NULL;
        default:
            in->file = NULL;
            return NULL;
        }
    }
    return NULL;
}

/* start_next - a free job slot gets the next domain; 0 when none left */
static int start_next(run_t *rn)
{
    const cli_t *c = rn->c;
    char err[256], *name, *ace;
    stc_job_t *j;

    if (rn->nfree == 0 || got_signal)
        return 0;
    name = next_domain(rn);
    if (name == NULL)
        return 0;
    j = &rn->jobs[rn->free_list[--rn->nfree]];
    ace = to_alabels(name, err, sizeof err);
    if (ace == NULL) {
        /* the result still comes, as for any invalid name: the row is
         * reported, never lost */
        fprintf(stderr, "starttls-check: %s: not a valid domain name (%s)\n", name, err);
        stc_job_domain(rn->eng, j, name, NULL, 0);
    } else {
        stc_job_domain(rn->eng, j, ace, c->nexpect ? c->expect : NULL, c->nexpect);
        free(ace);
    }
    free(name);
    rn->started++;
    return 1;
}

/* run_all - every domain, up to --jobs at once; returns the worst exit code */
static int run_all(const cli_t *c, stc_engine_t *eng, stc_posix_t *px)
{
    size_t nfds = STC_MAX_DNS + STC_MAX_CONN, i;
    stc_pollfd_t fds[STC_MAX_DNS + STC_MAX_CONN];
    run_t rn;

    memset(&rn, 0, sizeof rn);
    rn.c = c;
    rn.eng = eng;
    rn.jobs = calloc(c->jobs, sizeof *rn.jobs);
    rn.free_list = calloc(c->jobs, sizeof *rn.free_list);
    if (!rn.jobs || !rn.free_list) {
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
    stc_engine_on_done(eng, on_done, &rn);
    for (;;) {
        uint32_t ms;
        size_t n;
        while (!write_failed && start_next(&rn))
            ;
        if (write_failed || got_signal)
            break;
        if (stc_engine_step(eng) != STC_EAGAIN && rn.nfree == c->jobs) {
            if (!start_next(&rn))
                break; /* nothing running, nothing left */
            continue;
        }
        if (write_failed)
            break;
        n = stc_engine_pollset(eng, fds, nfds, &ms);
        if (rn.nfree > 0 && (rn.in.file || rn.in.next_arg < c->ndomains) && !got_signal)
            ms = 0; /* a slot is free: fill it before waiting */
        if (ms > 0 && px->ops.wait(px->ops.user, fds, n, ms) < 0 && errno != EINTR) {
            fprintf(stderr, "starttls-check: cannot wait for sockets: %s\n", strerror(errno));
            rn.worst = 3;
            break;
        }
    }
    stc_engine_on_done(eng, NULL, NULL);
    stc_engine_free(eng); /* cancels what still runs: those were not finished */
    if (write_failed) {
        fprintf(stderr, "starttls-check: cannot write the results: %s\n", strerror(write_failed));
        rn.worst = 3;
    }
    if (got_signal || c->stats || rn.in.headers || rn.in.bad_rows)
        fprintf(stderr, "starttls-check: %lu of %lu checks finished%s%s; %lu header row(s), "
                        "%lu unreadable row(s)\n",
                rn.done, rn.started, got_signal ? ", interrupted by " : "",
                got_signal == SIGINT ? "SIGINT" : got_signal == SIGTERM ? "SIGTERM" : "",
                rn.in.headers, rn.in.bad_rows);
    if (rn.in.bad_rows && rn.worst < 3)
        rn.worst = 3; /* a row we could not read is a domain not checked */
    if (rn.in.file && rn.in.file != stdin)
        fclose(rn.in.file);
    free(rn.jobs);
    free(rn.free_list);
    if (got_signal == SIGINT)
        return 130;
    if (got_signal == SIGTERM)
        return 143;
    return rn.worst;
}

int main(int argc, char **argv)
{
    static cli_t cl;
    static stc_posix_t px;
    static stc_engine_t eng;
    stc_arena_stats_t st;
    struct sigaction sa;
    char err[256];
    void *arena;
    size_t anchors, socks;
    int worst, rc;

    stc_options_default(&cl.opt);
    default_ehlo(cl.opt.ehlo, sizeof cl.opt.ehlo);
    if (getenv("STC_JSON_TEE") && *getenv("STC_JSON_TEE"))
        json_tee = fopen(getenv("STC_JSON_TEE"), "a");
    cl.arena_kb = 32768;
    cl.jobs = 1;
    cl.domains = calloc((size_t)argc + 1, sizeof *cl.domains);
    if (!cl.domains)
        return 3;
    parse(&cl, argc, argv);
    scale_timeouts(&cl.opt);
    if (cl.ndomains == 0 && cl.host == NULL && cl.file == NULL)
        die_usage("no domain given", NULL);
    if (cl.opt.port == 465)
        cl.opt.implicit_tls = 1; /* RFC 8314 3.3: implicit TLS on 465 */

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

    /* a closed pipe is a failed write, not a silent death mid-line */
    signal(SIGPIPE, SIG_IGN);
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

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

    worst = 0;
    if (cl.host) {
        static stc_job_t relay;
        char host[STC_NAME_MAX + 1];
        uint16_t port = cl.port_given ? cl.opt.port : 25;
        if (stc_hostport_parse(cl.host, host, sizeof host, &port) != STC_OK)
            die_usage("--host wants HOST, HOST:PORT or [IPv6]:PORT", cl.host);
        stc_job_host(&eng, &relay, host, port, cl.opt.implicit_tls || port == 465);
        stc_engine_run(&eng);
        worst = report(&cl, stc_job_result(&relay));
        if (write_failed) {
            fprintf(stderr, "starttls-check: cannot write the results: %s\n",
                    strerror(write_failed));
            worst = 3;
        }
    }
    if (!write_failed && (cl.ndomains > 0 || cl.file)) {
        rc = run_all(&cl, &eng, &px);
        if (rc > worst)
            worst = rc;
    }
    stc_arena_stats(&st);
    if (cl.stats)
        fprintf(stderr,
                "stats: arena %zu bytes; trust anchors keep %zu bytes; peak during the "
                "checks %zu bytes (anchors included); failed allocations %zu; engine %zu "
                "bytes, %zu per job; %lu SMTP sessions; sockets allowed %zu\n",
                st.size, anchors, st.peak, st.failures, sizeof eng, sizeof(stc_job_t),
                (unsigned long)stc_engine_sessions(&eng), socks);
    stc_engine_free(&eng);
    stc_deinit();
    stc_posix_free(&px);
    free(arena);
    free(cl.domains);
    if (fclose(stdout) != 0 && !write_failed && worst < 3) {
        fprintf(stderr, "starttls-check: cannot write the results: %s\n", strerror(errno));
        worst = 3;
    }
    return worst;
}
