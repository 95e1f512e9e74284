/* test_arena_sweep.c - "allocation N fails" over every allocation of one check
 *
 * A relay check of 127.0.0.1 against build/smtp-test-server (mode good,
 * STARTTLS) through the real POSIX port. One clean run gives the baseline:
 * its set of finding codes, the arena in use afterwards (must equal the
 * post-init level: no leak) and the number N of arena allocations the
 * check makes. Then each allocation k = 1..N (and a few beyond) is made to
 * fail in turn (stc_arena_fail_after(k): the k-th and every later one fail)
 * and the same check runs again. Every run must end with either
 *   - status "error", an out_of_memory finding, a message that says
 *     "memory", and otherwise only findings the baseline has, or
 *   - exactly the baseline (the failure came after everything that
 *     matters, e.g. during QUIT, or wolfSSL did without the allocation);
 * never a finding against the server (tls_handshake, cert_*, ...) that the
 * baseline lacks; the arena back at the post-init level and no socket left
 * open after stc_check_free; and the same check run right after it with no
 * failure injected gives the baseline again (running out must not spoil
 * the checks that follow: the CLI runs many in one process).
 *
 * Two server kinds: RSA-2048 leaf + intermediate, and an ECDSA P-256 leaf
 * + intermediate limited to TLS 1.2 (another handshake path).
 * The certificate names mx.example.test while the target is 127.0.0.1, so
 * cert_name_mismatch is part of the baseline: that is expected.
 *
 * Usage: test_arena_sweep [SERVER [CERTDIR]] (run from the repository root;
 * defaults $STC_TEST_SERVER or build/smtp-test-server, tests/vectors/certs).
 * Only the server PIDs started here are ever signalled; every wait is
 * bounded (and an alarm ends a hung run; the servers die with us through
 * PR_SET_PDEATHSIG and their own --max-seconds).
 */
#include "unit.h"

#include "stc_int.h"
#include "stc_posix.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#define TARGET "127.0.0.1"
#define BEYOND 5          /* extra k past the last allocation */
#define SERVER_SECONDS "400" /* --max-seconds of each server (a loaded CI machine) */
#define WATCHDOG_S 420    /* the whole test, hard bound */

/* a set of finding codes: one bit per code (128 covers every code) */
__extension__ typedef unsigned __int128 codes_t;
typedef char codes_fit_in_mask_[(STC_F_COUNT <= 128) ? 1 : -1];

static const char *server_bin = "build/smtp-test-server";
static const char *certdir = "tests/vectors/certs";

static uint8_t arena[8u << 20];
static stc_posix_t px;
static stc_check_t chk;
static size_t base_in_use; /* arena in use after stc_init: the anchors */

/* ---- the servers ---------------------------------------------------------- */

typedef struct server {
    const char *what;
    const char *cert, *key, *chain, *maxver; /* maxver may be NULL */
    pid_t pid;
    uint16_t port;
    char log[64];
} server_t;

static server_t servers[] = {
    {"RSA-2048 leaf, TLS 1.3", "good.pem", "leaf.key", "int.pem", NULL, -1, 0, ""},
    {"ECDSA P-256 leaf, TLS 1.2", "ecdsa.pem", "ecdsa.key", "int.pem", "1.2", -1, 0, ""},
};
#define NSERVERS (sizeof servers / sizeof servers[0])

/* mono_ms - monotonic milliseconds */
static long long mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* server_stop - SIGTERM our server (its PID only), bounded wait, then SIGKILL */
static void server_stop(server_t *s)
{
    int st, i;

    if (s->pid > 0) {
        kill(s->pid, SIGTERM);
        for (i = 0; i < 200 && waitpid(s->pid, &st, WNOHANG) == 0; i++)
            usleep(10000);
        if (i == 200) {
            kill(s->pid, SIGKILL);
            waitpid(s->pid, &st, 0);
        }
    }
    s->pid = -1;
    if (s->log[0])
        unlink(s->log);
    s->log[0] = '\0';
}

/* stop_all - every server we started */
static void stop_all(void)
{
    size_t i;
    for (i = 0; i < NSERVERS; i++)
        server_stop(&servers[i]);
}

/* show_log - what a server said (on failure) */
static void show_log(const server_t *s)
{
    char buf[1024];
    ssize_t n;
    int fd = s->log[0] ? open(s->log, O_RDONLY) : -1;

    if (fd < 0)
        return;
    n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n > 0) {
        buf[n] = '\0';
        printf("  server output: %s%s", buf, buf[n - 1] == '\n' ? "" : "\n");
    }
}

/* server_start - run the server on 127.0.0.1, port 0; wait (bounded) for its
 * "port N" line. 1 when it is listening. */
static int server_start(server_t *s)
{
    char cert[512], key[512], chain[512];
    const char *argv[24];
    long long deadline;
    int n = 0, fd;

    snprintf(cert, sizeof cert, "%s/%s", certdir, s->cert);
    snprintf(key, sizeof key, "%s/%s", certdir, s->key);
    snprintf(chain, sizeof chain, "%s/%s", certdir, s->chain);
    argv[n++] = server_bin;
    argv[n++] = "--addr";
    argv[n++] = TARGET;
    argv[n++] = "--port";
    argv[n++] = "0";
    argv[n++] = "--mode";
    argv[n++] = "good";
    argv[n++] = "--cert";
    argv[n++] = cert;
    argv[n++] = "--key";
    argv[n++] = key;
    argv[n++] = "--chain";
    argv[n++] = chain;
    if (s->maxver) {
        argv[n++] = "--max-version";
        argv[n++] = s->maxver;
    }
    argv[n++] = "--max-seconds";
    argv[n++] = SERVER_SECONDS;
    argv[n] = NULL;

    snprintf(s->log, sizeof s->log, "/tmp/stc_arena_sweep.XXXXXX");
    fd = mkstemp(s->log);
    if (fd < 0) {
        s->log[0] = '\0';
        printf("  cannot create a temporary file: %s\n", strerror(errno));
        return 0;
    }
    fflush(stdout);
    s->pid = fork();
    if (s->pid == 0) {
        int devnull = open("/dev/null", O_RDONLY);
#ifdef __linux__
        prctl(PR_SET_PDEATHSIG, SIGTERM); /* never outlive a crashed test */
#endif
        if (devnull >= 0)
            dup2(devnull, 0);
        dup2(fd, 1);
        dup2(fd, 2);
        execv(server_bin, (char *const *)argv);
        fprintf(stderr, "exec %s: %s\n", server_bin, strerror(errno));
        _exit(127);
    }
    close(fd);
    if (s->pid < 0) {
        printf("  fork: %s\n", strerror(errno));
        s->pid = -1;
        return 0;
    }
    deadline = mono_ms() + 5000;
    while (mono_ms() < deadline) {
        char buf[128];
        ssize_t got;
        int st;
        unsigned p;
        int lfd = open(s->log, O_RDONLY);
        if (lfd >= 0) {
            got = read(lfd, buf, sizeof buf - 1);
            close(lfd);
            if (got > 0) {
                buf[got] = '\0';
                if (sscanf(buf, "port %u", &p) == 1 && strchr(buf, '\n') && p > 0
                    && p < 65536) {
                    s->port = (uint16_t)p;
                    return 1;
                }
            }
        }
        if (waitpid(s->pid, &st, WNOHANG) == s->pid) {
            s->pid = -1;
            break;
        }
        usleep(10000);
    }
    show_log(s);
    server_stop(s);
    return 0;
}

/* ---- one check ------------------------------------------------------------ */

typedef struct outcome {
    int rc_start, rc_run;
    uint8_t status;
    codes_t codes;      /* bit c = some finding (domain, host, address) has code c */
    char message[160];
    size_t in_use;      /* after stc_check_free */
    size_t sockets;     /* still open through the port after stc_check_free */
    unsigned long allocs; /* allocations attempted during the check */
    size_t failures;    /* failed allocations during the check */
} outcome_t;

/* bit - mask bit of a finding code */
static codes_t bit(unsigned code)
{
    return code < 128 ? (codes_t)1 << code : 0;
}

/* collect - every finding code of a result */
static codes_t collect(const stc_domain_result_t *r)
{
    codes_t m = 0;
    unsigned i, h, a;

    for (i = 0; i < r->nfindings; i++)
        m |= bit(r->findings[i].code);
    for (h = 0; h < r->nhosts && h < STC_MAX_MX; h++) {
        const stc_host_result_t *hr = &r->host[h];
        for (i = 0; i < hr->nfindings; i++)
            m |= bit(hr->findings[i].code);
        for (a = 0; a < hr->naddr && a < STC_MAX_ADDRS; a++)
            for (i = 0; i < hr->addr[a].nfindings; i++)
                m |= bit(hr->addr[a].findings[i].code);
    }
    return m;
}

/* codes_text - names of the codes in a mask */
static const char *codes_text(codes_t m, char *buf, size_t cap)
{
    unsigned c;
    size_t n = 0;

    buf[0] = '\0';
    for (c = 0; c < STC_F_COUNT; c++)
        if (m & bit(c)) {
            int w = snprintf(buf + n, cap - n, "%s%s", n ? "," : "", stc_finding_info(c)->name);
            if (w < 0 || (size_t)w >= cap - n)
                break;
            n += (size_t)w;
        }
    return buf;
}

/* arena_now - current arena statistics */
static stc_arena_stats_t arena_now(void)
{
    stc_arena_stats_t s;
    stc_arena_stats(&s);
    return s;
}

/* run_check - the relay check of TARGET:port, fault hook as given (0 = off) */
static void run_check(uint16_t port, unsigned long fail_at, outcome_t *o)
{
    const stc_domain_result_t *r;
    unsigned long a0;
    size_t f0;

    memset(o, 0, sizeof *o);
    a0 = stc_arena_allocs();
    f0 = arena_now().failures;
    stc_arena_fail_after(fail_at);
    o->rc_start = stc_check_host_start(&chk, TARGET, port, 0);
    o->rc_run = o->rc_start == STC_OK ? stc_check_run(&chk) : o->rc_start;
    stc_arena_fail_after(0);
    o->allocs = stc_arena_allocs() - a0;
    o->failures = arena_now().failures - f0;
    r = stc_check_result(&chk);
    o->status = r->status;
    o->codes = collect(r);
    stc_result_message(r, o->message, sizeof o->message);
    stc_check_free(&chk);
    o->in_use = arena_now().in_use;
    o->sockets = stc_posix_open_sockets(&px);
}

/* ---- the sweep ------------------------------------------------------------ */

/* Findings that blame the server's TLS or certificate. */
static codes_t server_blame(void)
{
    codes_t m = bit(STC_F_TLS_HANDSHAKE) | bit(STC_F_TLS_TIMEOUT) | bit(STC_F_TLS_NO_EHLO_AFTER)
        | bit(STC_F_CLOSED_EARLY) | bit(STC_F_SMTP_PROTOCOL) | bit(STC_F_TLS_OLD_VERSION);
    unsigned c;
    for (c = STC_F_CERT_NONE; c <= STC_F_CERT_NO_ANCHORS; c++)
        m |= bit(c);
    return m;
}

/* sweep - baseline, then allocation k fails for k = 1..N+BEYOND */
static void sweep(const server_t *s)
{
    const codes_t oom = bit(STC_F_OUT_OF_MEMORY);
    outcome_t b, b2, o, again;
    unsigned long n, nmax, k;
    unsigned n_oom = 0, n_base = 0, n_bad = 0, n_leak = 0, n_blame = 0, n_sock = 0,
             n_nomsg = 0, n_poison = 0, n_beyond_bad = 0, n_nofail = 0, shown = 0;
    char t1[512], t2[512];
    long long t0 = mono_ms();

    printf("== %s (port %u)\n", s->what, (unsigned)s->port);

    /* Baseline, twice: the allocation count must not wander. */
    run_check(s->port, 0, &b);
    run_check(s->port, 0, &b2);
    printf("  baseline: status %s, findings {%s}, %lu allocations (again: %lu), "
           "in use after %zu (post-init %zu)\n",
           stc_domain_status_text(b.status), codes_text(b.codes, t1, sizeof t1), b.allocs,
           b2.allocs, b.in_use, base_in_use);
    printf("  message: %s\n", b.message);
    CHECK_EQ(b.rc_start, STC_OK);
    CHECK_EQ(b.rc_run, STC_OK);
    CHECK_EQ(b.in_use, base_in_use);   /* no leak */
    CHECK_EQ(b.sockets, 0);
    CHECK_EQ(b.failures, 0);
    CHECK((b.codes & oom) == 0);
    CHECK(b.status != STC_D_ERROR);
    /* the server was really reached through STARTTLS and the handshake */
    CHECK((b.codes & bit(STC_F_CERT_NAME_MISMATCH)) != 0);
    CHECK((b.codes & bit(STC_F_TLS_HANDSHAKE)) == 0);
    CHECK(b.allocs > 0);
    CHECK(b2.codes == b.codes);
    CHECK_EQ(b2.status, b.status);
    CHECK_EQ(b2.in_use, base_in_use);
    if (b.rc_run != STC_OK || b.allocs == 0 || b.status == STC_D_ERROR)
        return;
    n = b.allocs;
    nmax = b2.allocs > n ? b2.allocs : n;

    for (k = 1; k <= nmax + BEYOND; k++) {
        int is_oom, bad = 0;
        const char *why = "";

        run_check(s->port, k, &o);
        is_oom = (o.codes & oom) != 0;
        if (o.rc_start != STC_OK || o.rc_run != STC_OK) {
            bad = 1;
            why = "the check did not return STC_OK";
        } else if (is_oom) {
            n_oom++;
            if (o.status != STC_D_ERROR) {
                bad = 1;
                why = "out_of_memory but the status is not error";
            } else if (!strstr(o.message, "memory")) {
                n_nomsg++;
                bad = 1;
                why = "the message does not mention memory";
            } else if ((o.codes & ~oom & ~b.codes) != 0) {
                bad = 1;
                why = "findings the baseline lacks";
            }
        } else if (o.codes == b.codes && o.status == b.status) {
            n_base++;
        } else {
            bad = 1;
            why = "neither out_of_memory nor the baseline";
        }
        if ((o.codes & ~b.codes & server_blame()) != 0) {
            n_blame++;
            bad = 1;
            why = "an allocation failure blamed on the server";
        }
        if (k > nmax && (is_oom || o.failures != 0)) {
            n_beyond_bad++;
            bad = 1;
            why = "a failure injected past the last allocation had an effect";
        }
        if (k <= n && o.failures == 0)
            n_nofail++; /* counted only: the allocation count may shift by a few */
        if (o.in_use != base_in_use) {
            n_leak++;
            bad = 1;
            why = "arena in use not back at the post-init level";
        }
        if (o.sockets != 0) {
            n_sock++;
            bad = 1;
            why = "a socket left open";
        }
        /* Running out must not poison the next check (the CLI checks many
         * domains in one process): the same check again, no failure. */
        run_check(s->port, 0, &again);
        if (again.codes != b.codes || again.status != b.status || again.failures != 0
            || again.in_use != base_in_use) {
            n_poison++;
            bad = 1;
            why = "the next clean check differs from the baseline";
        }
        if (bad) {
            n_bad++;
            if (shown++ < 12)
                printf("  k=%lu: %s: status %s, findings {%s}, message \"%s\", in use %zu, "
                       "sockets %zu, failures %zu\n",
                       k, why, stc_domain_status_text(o.status),
                       codes_text(o.codes, t2, sizeof t2), o.message, o.in_use, o.sockets,
                       o.failures);
        }
    }
    printf("  N = %lu allocations; k = 1..%lu: %u out_of_memory, %u baseline, %u bad "
           "(%u leaking, %u sockets left, %u blaming the server, %u without \"memory\", "
           "%u spoiling the next check); %lu ms\n",
           n, nmax + BEYOND, n_oom, n_base, n_bad, n_leak, n_sock, n_blame, n_nomsg, n_poison,
           (unsigned long)(mono_ms() - t0));
    if (n_nofail)
        printf("  note: %u of k <= N saw no failed allocation\n", n_nofail);
    CHECK_EQ(n_bad, 0);
    CHECK_EQ(n_leak, 0);
    CHECK_EQ(n_sock, 0);
    CHECK_EQ(n_blame, 0);
    CHECK_EQ(n_nomsg, 0);
    CHECK_EQ(n_poison, 0);
    CHECK_EQ(n_beyond_bad, 0);
    CHECK(n_oom > 0);                    /* k = 1 at least */
    CHECK_EQ(n_oom + n_base, nmax + BEYOND);

    /* Afterwards the same check works as before. */
    run_check(s->port, 0, &o);
    CHECK(o.codes == b.codes);
    CHECK_EQ(o.status, b.status);
    CHECK_EQ(o.in_use, base_in_use);
}

int main(int argc, char **argv)
{
    static stc_posix_cfg_t cfg;
    char err[256], ca[512];
    const char *env = getenv("STC_TEST_SERVER");
    stc_options_t opt;
    size_t i;
    int rc;

    unit_name = "arena_sweep";
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (env && env[0])
        server_bin = env;
    if (argc > 1)
        server_bin = argv[1];
    if (argc > 2)
        certdir = argv[2];
    signal(SIGPIPE, SIG_IGN);
    alarm(WATCHDOG_S); /* a hung run dies; the servers follow (PDEATHSIG) */

    if (access(server_bin, X_OK) != 0) {
        printf("arena_sweep: skipped: no test server at %s (make build/smtp-test-server)\n",
               server_bin);
        printf("arena_sweep: 0 passed, 1 failed\n");
        return 1;
    }
    for (i = 0; i < NSERVERS; i++)
        if (!server_start(&servers[i])) {
            printf("arena_sweep: skipped: %s did not start (%s)\n", server_bin,
                   servers[i].what);
            stop_all();
            printf("arena_sweep: 0 passed, 1 failed\n");
            return 1;
        }

    snprintf(ca, sizeof ca, "%s/ca.pem", certdir);
    cfg.ca_file = ca;
    cfg.resolver = TARGET; /* a relay check of an IP literal asks no DNS */
    if (stc_posix_init(&px, &cfg, err, sizeof err) != 0) {
        printf("stc_posix_init: %s\n", err);
        CHECK(0);
        stop_all();
        return unit_done();
    }
    rc = stc_init(arena, sizeof arena, &px.ops);
    CHECK_EQ(rc, STC_OK);
    stc_options_default(&opt);
    /* Loopback answers in milliseconds: keep every phase short and bounded. */
    opt.t_dns = opt.t_connect = opt.t_banner = opt.t_command = opt.t_tls = 5000;
    opt.cache_age = 0; /* every check must run its handshake: that is what is swept */
    CHECK_EQ(stc_check_init(&chk, &px.ops, &opt), STC_OK);
    base_in_use = arena_now().in_use;
    printf("arena: %zu bytes, %zu in use after stc_init (the anchors)\n", sizeof arena,
           base_in_use);
    if (rc == STC_OK) {
        for (i = 0; i < NSERVERS; i++)
            sweep(&servers[i]);
    }
    stop_all();
    stc_deinit();
    CHECK_EQ(arena_now().in_use, 0);
    stc_posix_free(&px);
    return unit_done();
}
