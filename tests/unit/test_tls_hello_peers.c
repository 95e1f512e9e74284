/* test_tls_hello_peers.c - built ClientHellos sent to real TLS servers on
 * loopback, answers read by the probe reader (src/tls_hello*.c)
 *
 * Peers: `openssl s_server` (Debian's OpenSSL 3.0) configured per case,
 * and `gnutls-serv` (for 3DES and RC4, which OpenSSL 3.0 lacks). Each
 * expectation comes from how the server was started (its protocol and
 * cipher options) and the RFCs, never from what the reader reported
 * elsewhere. gnutls-serv has no listen-address option (it binds every
 * interface), so its cases run in a private network namespace holding
 * only a loopback interface: this binary re-executes itself under
 * `unshare -n` and adds up the child's counts. A peer tool that is
 * missing prints "skipped: <why>" and counts as skipped, never as passed.
 * Every server is stopped by its PID; every wait has a deadline.
 * Run from the repository root (the certificates: tests/vectors/certs).
 */
#include "unit.h"
#include "tls_hello.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#define CERTS "tests/vectors/certs"
#define WAIT_MS 5000

static int skipped;
static char tmpdir[64];

/* ---- the peer process ------------------------------------------------------------ */

static pid_t peer_pid = -1;
static int peer_stdin = -1;
static uint16_t peer_port;

/* msnow - monotonic milliseconds */
static long long msnow(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* lo_socket - a TCP socket, and 127.0.0.1:port in *a */
static int lo_socket(struct sockaddr_in *a, uint16_t port)
{
    memset(a, 0, sizeof *a);
    a->sin_family = AF_INET;
    a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a->sin_port = htons(port);
    return socket(AF_INET, SOCK_STREAM, 0);
}

/* dial - a connected socket to 127.0.0.1:port, or -1 */
static int dial(uint16_t port)
{
    struct sockaddr_in a;
    int fd = lo_socket(&a, port);

    if (fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        close(fd);
        fd = -1;
    }
    return fd;
}

/* unused_port - a loopback port nobody listened on a moment ago */
static uint16_t unused_port(void)
{
    struct sockaddr_in a;
    socklen_t len = sizeof a;
    int fd = lo_socket(&a, 0);
    uint16_t port = 0;

    if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
        getsockname(fd, (struct sockaddr *)&a, &len) == 0)
        port = ntohs(a.sin_port);
    if (fd >= 0)
        close(fd);
    return port;
}

/* peer_stop - end the peer we started (by its PID only), bounded */
static void peer_stop(void)
{
    int st, i;

    if (peer_pid > 0) {
        kill(peer_pid, SIGTERM);
        for (i = 0; i < 100 && waitpid(peer_pid, &st, WNOHANG) == 0; i++)
            usleep(20000);
        if (i == 100) {
            kill(peer_pid, SIGKILL);
            waitpid(peer_pid, &st, 0);
        }
    }
    if (peer_stdin >= 0)
        close(peer_stdin);
    peer_pid = -1;
    peer_stdin = -1;
}

/* peer_start - run argv (a "%P" inside an argument becomes the port) in
 * the certificate directory; 1 once it accepts connections */
static int peer_start(const char *const *argv)
{
    int attempt;

    for (attempt = 0; attempt < 3; attempt++) {
        char args[24][128], log[96];
        char *av[25];
        int i, in[2];
        long long until;

        peer_port = unused_port();
        for (i = 0; argv[i] && i < 24; i++) {
            const char *p = strstr(argv[i], "%P");
            if (p)
                snprintf(args[i], sizeof args[i], "%.*s%u%s", (int)(p - argv[i]), argv[i],
                         (unsigned)peer_port, p + 2);
            else
                snprintf(args[i], sizeof args[i], "%s", argv[i]);
            av[i] = args[i];
        }
        av[i] = NULL;
        snprintf(log, sizeof log, "%s/peer.log", tmpdir);
        if (peer_port == 0 || pipe(in) != 0)
            return 0;
        peer_pid = fork();
        if (peer_pid == 0) {
            int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600);
#ifdef __linux__
            prctl(PR_SET_PDEATHSIG, SIGKILL); /* never outlive the test */
#endif
            dup2(in[0], 0);
            if (fd >= 0) {
                dup2(fd, 1);
                dup2(fd, 2);
            }
            close(in[1]);
            if (chdir(CERTS) == 0)
                execvp(av[0], av);
            _exit(127);
        }
        close(in[0]);
        peer_stdin = in[1]; /* s_server quits at EOF on stdin: keep it open */
        if (peer_pid < 0)
            return 0;
        for (until = msnow() + WAIT_MS; msnow() < until;) {
            int st, fd;
            if (waitpid(peer_pid, &st, WNOHANG) == peer_pid) {
                peer_pid = -1; /* exited: port taken, or bad options */
                break;
            }
            fd = dial(peer_port);
            if (fd >= 0) {
                close(fd);
                return 1;
            }
            usleep(20000);
        }
        peer_stop();
    }
    return 0;
}

/* ---- probing ----------------------------------------------------------------------- */

/* The leaf certificate as streamed by the reader. */
static uint8_t leaf[8192];
static uint32_t leaf_len;

/* on_cert - keep certificate 0 */
static void on_cert(void *ctx, unsigned index, uint32_t offset, const uint8_t *chunk, size_t n,
                    uint32_t total)
{
    (void)ctx;
    if (index == 0 && total <= sizeof leaf && offset + n <= total) {
        memcpy(leaf + offset, chunk, n);
        leaf_len = offset + (uint32_t)n;
    }
}

/* exchange - send hello[0..n) to the peer and read the answer into *r;
 * returns the reader's result or STC_ETIMEOUT / STC_EPORT */
static int exchange(const uint8_t *hello, size_t n, stc_hello_rd_t *r)
{
    long long until = msnow() + WAIT_MS;
    int fd = dial(peer_port), rc = STC_EAGAIN;

    leaf_len = 0;
    stc_hello_rd_init(r, on_cert, NULL);
    if (fd < 0 || send(fd, hello, n, MSG_NOSIGNAL) != (ssize_t)n) {
        if (fd >= 0)
            close(fd);
        return STC_EPORT;
    }
    while (rc == STC_EAGAIN) {
        struct pollfd p = {fd, POLLIN, 0};
        uint8_t buf[1500];
        ssize_t got;
        size_t used = 0;
        if (msnow() >= until || poll(&p, 1, (int)(until - msnow())) <= 0) {
            rc = STC_ETIMEOUT;
            break;
        }
        got = recv(fd, buf, sizeof buf, 0);
        if (got <= 0)
            rc = stc_hello_rd_eof(r); /* closed or reset: what did we get? */
        else
            rc = stc_hello_rd_feed(r, buf, (size_t)got, &used);
    }
    close(fd);
    return rc;
}

/* A probe: versions, suites, and extension flags. */
typedef struct probe {
    uint16_t rec, ver;
    const uint16_t *suites;
    size_t nsuites;
    uint32_t flags;
    const uint16_t *groups;
    size_t ngroups;
    int x25519;
} probe_t;

/* ask - build the probe's hello (768-byte buffer, as the engine's) and
 * read the answer */
static int ask(const probe_t *p, stc_hello_rd_t *r)
{
    static const uint16_t v13[] = {STC_V_TLS13};
    static const uint16_t dflt_groups[] = {STC_GROUP_X25519, STC_GROUP_P256, STC_GROUP_P384,
                                           STC_GROUP_FFDHE2048};
    uint8_t out[768], rnd[32], share[32];
    stc_hello_spec_t s;
    stc_wbuf_t w;
    int rc;

    memset(rnd, 0x42, sizeof rnd);
    memset(share, 0x09, sizeof share); /* any 32 bytes are an x25519 key */
    memset(&s, 0, sizeof s);
    s.record_version = p->rec;
    s.client_version = p->ver;
    s.random = rnd;
    s.suites = p->suites;
    s.nsuites = p->nsuites;
    s.groups = p->groups ? p->groups : dflt_groups;
    s.ngroups = p->groups ? p->ngroups : sizeof dflt_groups / sizeof dflt_groups[0];
    s.versions = v13;
    s.nversions = 1;
    s.x25519 = p->x25519 ? share : NULL;
    s.sni = "mx.example.test";
    s.flags = p->flags | STC_HX_SNI | STC_HX_GROUPS | STC_HX_POINT_FORMATS | STC_HX_SIG_ALGS;
    stc_wbuf_init(&w, out, sizeof out);
    rc = stc_hello_build(&w, &s);
    if (rc != STC_OK)
        return rc;
    return exchange(out, w.off, r);
}

/* Suite lists, from the table. */
static uint16_t l_all12[400], l_old[400], l_null[64], l_anon[64], l_3des[64], l_rc4[64];
static size_t n_all12, n_old, n_null, n_anon, n_3des, n_rc4;
static const uint16_t l13[] = {0x1301, 0x1302, 0x1303};
static const uint16_t l_gcm[] = {0xC02F, 0xC030};     /* ECDHE-RSA AES-128/256-GCM */
static const uint16_t l_gcm_rev[] = {0xC030, 0xC02F};

/* lists - the offers the cases use */
static void lists(void)
{
    uint32_t no = STC_SF_TLS13 | STC_SF_PSK;
    n_all12 = stc_suites_select(l_all12, 400, 0, no);
    n_old = stc_suites_select(l_old, 400, 0, no | STC_SF_TLS12);
    n_null = stc_suites_select(l_null, 64, STC_SF_NULL, no);
    n_anon = stc_suites_select(l_anon, 64, STC_SF_ANON, no);
    n_3des = stc_suites_select(l_3des, 64, STC_SF_3DES, no);
    n_rc4 = stc_suites_select(l_rc4, 64, STC_SF_RC4, no);
}

/* flags_of - class flags of the suite a server chose */
static uint32_t flags_of(const stc_hello_rd_t *r)
{
    return stc_suite_flags(stc_suite_find(r->ans.suite));
}

/* ---- OpenSSL cases ------------------------------------------------------------------ */

#define OSSL "openssl", "s_server", "-accept", "127.0.0.1:%P", "-quiet", "-cert", "good.pem", \
             "-key", "leaf.key"

/* ossl_versions - TLS 1.0/1.1 only where the server allows them */
static void ossl_versions(void)
{
    static const char *const legacy[] = {OSSL, "-cipher", "DEFAULT:@SECLEVEL=0",
                                         "-min_protocol", "TLSv1", "-no_tls1_3", NULL};
    static const char *const dflt[] = {OSSL, NULL};
    probe_t p10 = {STC_V_TLS10, STC_V_TLS10, l_old, 0, STC_HX_RENEG_INFO, NULL, 0, 0};
    probe_t p11 = p10, p12 = p10, fb = p10;
    stc_hello_rd_t r;

    p10.nsuites = n_old;
    p11 = p10;
    p11.ver = STC_V_TLS11;
    p12 = p10;
    p12.ver = STC_V_TLS12;
    p12.suites = l_all12;
    p12.nsuites = n_all12;
    p12.flags |= STC_HX_EMS;
    fb = p11;
    fb.flags |= STC_HF_FALLBACK_SCSV;
    if (!peer_start(legacy)) {
        CHECK(!"s_server (TLS 1.0 allowed) did not start");
        return;
    }
    CHECK_EQ(ask(&p10, &r), STC_OK);
    CHECK_EQ(r.ans.kind, STC_ANS_HELLO);
    CHECK_EQ(r.ans.version, STC_V_TLS10);
    CHECK(!(flags_of(&r) & STC_SF_TLS12));
    CHECK_EQ(r.ans.ncerts, 1);
    CHECK_EQ(ask(&p11, &r), STC_OK);
    CHECK_EQ(r.ans.kind, STC_ANS_HELLO);
    CHECK_EQ(r.ans.version, STC_V_TLS11);
    /* RFC 7507 3: a server supporting something higher than the
     * client_version of a hello with TLS_FALLBACK_SCSV "MUST respond
     * with a fatal inappropriate_fallback alert" */
    CHECK_EQ(ask(&fb, &r), STC_OK);
    CHECK_EQ(r.ans.kind, STC_ANS_ALERT);
    CHECK_EQ(r.ans.alert_desc, STC_ALERT_INAPPROPRIATE_FALLBACK);
    /* TLS 1.2 with everything: OpenSSL answers renegotiation_info (RFC
     * 5746) and extended_master_secret (RFC 7627) by default, and it is
     * built without zlib, so never compresses */
    p12.flags |= STC_HF_DEFLATE;
    CHECK_EQ(ask(&p12, &r), STC_OK);
    CHECK_EQ(r.ans.version, STC_V_TLS12);
    CHECK(r.ans.flags & STC_HA_RENEG_OK);
    CHECK(r.ans.flags & STC_HA_EMS);
    CHECK_EQ(r.ans.compression, 0);
    CHECK(r.ans.flags & STC_HA_DONE);
    peer_stop();

    /* Debian's default (MinProtocol TLSv1.2): a fatal alert (OpenSSL 3.0
     * sends internal_error here, not protocol_version) */
    if (!peer_start(dflt)) {
        CHECK(!"s_server (default) did not start");
        return;
    }
    CHECK_EQ(ask(&p10, &r), STC_OK);
    CHECK_EQ(r.ans.kind, STC_ANS_ALERT);
    CHECK_EQ(r.ans.alert_level, STC_ALERT_LEVEL_FATAL);
    /* an SSLv3 hello: OpenSSL 3.0 has no SSLv3 at all */
    p10.rec = p10.ver = STC_V_SSL3;
    p10.flags = STC_HF_RENEG_SCSV;
    CHECK_EQ(ask(&p10, &r), STC_OK);
    CHECK_EQ(r.ans.kind, STC_ANS_ALERT);
    /* an SSLv2 CLIENT-HELLO for SSL 2.0: never an SSLv2 SERVER-HELLO */
    {
        uint8_t out[128], ch[16];
        stc_wbuf_t w;
        int rc;
        memset(ch, 7, sizeof ch);
        stc_wbuf_init(&w, out, sizeof out);
        CHECK_EQ(stc_hello_build_v2(&w, STC_V_SSL2, stc_ssl2_specs, 7, ch, 16), STC_OK);
        rc = exchange(out, w.off, &r);
        CHECK(rc != STC_ETIMEOUT && rc != STC_EPORT);
        CHECK(r.ans.kind != STC_ANS_SSL2 && r.ans.kind != STC_ANS_HELLO);
    }
    peer_stop();
}

/* ossl_leaf - the certificate streamed by the reader is the server's */
static void ossl_leaf(void)
{
    static const char *const dflt[] = {OSSL, "-no_tls1_3", NULL};
    /* ECDHE-RSA with AES-GCM: the default cipher list has it */
    probe_t p = {STC_V_TLS10, STC_V_TLS12, l_gcm, 2, 0, NULL, 0, 0};
    static uint8_t der[8192];
    stc_hello_rd_t r;
    size_t n = 0;
    FILE *f = fopen(CERTS "/good.der", "rb");

    if (f) {
        n = fread(der, 1, sizeof der, f);
        fclose(f);
    }
    CHECK(n > 0);
    if (!peer_start(dflt)) {
        CHECK(!"s_server did not start");
        return;
    }
    CHECK_EQ(ask(&p, &r), STC_OK);
    CHECK_EQ(r.ans.ncerts, 1);
    CHECK_EQ(r.ans.cert_len[0], n);
    CHECK_EQ(leaf_len, n);
    CHECK(leaf_len == n && memcmp(leaf, der, n) == 0);
    CHECK_EQ(r.ans.skx_kind, STC_SKX_ECDH);
    CHECK_EQ(r.ans.curve_type, 3); /* named_curve */
    CHECK_EQ(r.ans.skx_group, STC_GROUP_X25519); /* OpenSSL's first default group */
    peer_stop();
}

/* ossl_weak - NULL and anonymous suites, where enabled; DHE-1024 */
static void ossl_weak(void)
{
    static const char *const nul[] = {OSSL, "-cipher", "eNULL:@SECLEVEL=0", "-no_tls1_3", NULL};
    static const char *const anon[] = {OSSL, "-cipher", "aNULL:@SECLEVEL=0", "-no_tls1_3", NULL};
    char dhfile[96], cmd[200];
    const char *dhe[] = {OSSL, "-cipher", "DHE-RSA-AES128-GCM-SHA256:@SECLEVEL=0",
                         "-no_tls1_3", "-dhparam", dhfile, NULL};
    probe_t p = {STC_V_TLS10, STC_V_TLS12, l_null, 0, STC_HX_RENEG_INFO, NULL, 0, 0};
    stc_hello_rd_t r;

    p.nsuites = n_null;
    if (peer_start(nul)) {
        CHECK_EQ(ask(&p, &r), STC_OK);
        CHECK_EQ(r.ans.kind, STC_ANS_HELLO);
        CHECK(flags_of(&r) & STC_SF_NULL);
        CHECK_EQ(stc_grade_suite(r.ans.suite), STC_GRADE_INSUFFICIENT);
        /* the same server asked for everything but NULL and anon: refused */
        {
            static uint16_t strong[400];
            p.nsuites = stc_suites_select(strong, 400, 0,
                                          STC_SF_TLS13 | STC_SF_PSK | STC_SF_NULL | STC_SF_ANON);
            p.suites = strong;
            CHECK_EQ(ask(&p, &r), STC_OK);
            CHECK_EQ(r.ans.kind, STC_ANS_ALERT);
        }
        peer_stop();
    } else {
        CHECK(!"s_server (eNULL) did not start");
    }

    p.suites = l_anon;
    p.nsuites = n_anon;
    if (peer_start(anon)) {
        CHECK_EQ(ask(&p, &r), STC_OK);
        CHECK(flags_of(&r) & STC_SF_ANON);
        CHECK(!(r.ans.flags & STC_HA_CERT)); /* RFC 5246 7.4.2: no Certificate */
        CHECK(r.ans.flags & STC_HA_SKX);
        peer_stop();
    } else {
        CHECK(!"s_server (aNULL) did not start");
    }

    /* DHE with a 1024-bit group from -dhparam */
    snprintf(dhfile, sizeof dhfile, "%s/dh1024.pem", tmpdir);
    snprintf(cmd, sizeof cmd, "timeout 60 openssl dhparam -out %s 1024 2>/dev/null",
             dhfile);
    if (system(cmd) != 0) {
        CHECK(!"openssl dhparam failed");
        return;
    }
    p.suites = l_all12;
    p.nsuites = n_all12;
    if (peer_start(dhe)) {
        CHECK_EQ(ask(&p, &r), STC_OK);
        CHECK_EQ(r.ans.suite, 0x009E);
        CHECK_EQ(r.ans.skx_kind, STC_SKX_DH);
        CHECK_EQ(r.ans.skx_bits, 1024);
        CHECK_EQ(stc_grade_dh_bits(r.ans.skx_bits), STC_GRADE_INSUFFICIENT);
        peer_stop();
    } else {
        CHECK(!"s_server (DHE 1024) did not start");
    }
}

/* ossl_tls13 - TLS 1.3 only; groups through HelloRetryRequest */
static void ossl_tls13(void)
{
    static const char *const only13[] = {OSSL, "-tls1_3", "-groups", "P-384", NULL};
    static const uint16_t three[] = {STC_GROUP_X25519, STC_GROUP_P256, STC_GROUP_P384};
    probe_t p12 = {STC_V_TLS10, STC_V_TLS12, l_all12, 0, STC_HX_RENEG_INFO, NULL, 0, 0};
    probe_t p13 = {STC_V_TLS10, STC_V_TLS12, l13, 3,
                   STC_HX_VERSIONS | STC_HX_KEY_SHARE | STC_HX_PSK_MODES, three, 3, 0};
    stc_hello_rd_t r;

    p12.nsuites = n_all12;
    if (!peer_start(only13)) {
        CHECK(!"s_server (TLS 1.3 only) did not start");
        return;
    }
    CHECK_EQ(ask(&p12, &r), STC_OK);
    CHECK_EQ(r.ans.kind, STC_ANS_ALERT);
    CHECK_EQ(r.ans.alert_desc, STC_ALERT_PROTOCOL_VERSION);
    /* empty key_share: RFC 8446 4.1.4, the server asks for a group it
     * supports, and it was given only P-384 */
    CHECK_EQ(ask(&p13, &r), STC_OK);
    CHECK_EQ(r.ans.kind, STC_ANS_HRR);
    CHECK_EQ(r.ans.group, STC_GROUP_P384);
    CHECK_EQ(r.ans.version, STC_V_TLS13);
    /* an x25519 share it cannot use: still a HelloRetryRequest for P-384 */
    p13.x25519 = 1;
    CHECK_EQ(ask(&p13, &r), STC_OK);
    CHECK_EQ(r.ans.kind, STC_ANS_HRR);
    CHECK_EQ(r.ans.group, STC_GROUP_P384);
    peer_stop();

    /* the default groups include x25519: the share is taken */
    {
        static const char *const dflt[] = {OSSL, NULL};
        if (!peer_start(dflt)) {
            CHECK(!"s_server (default) did not start");
            return;
        }
        CHECK_EQ(ask(&p13, &r), STC_OK);
        CHECK_EQ(r.ans.kind, STC_ANS_HELLO);
        CHECK(r.ans.flags & STC_HA_TLS13);
        CHECK_EQ(r.ans.group, STC_GROUP_X25519);
        CHECK(stc_suite_find(r.ans.suite) && (flags_of(&r) & STC_SF_TLS13));
        peer_stop();
    }
}

/* ossl_cbc_order - a CBC-only TLS 1.2 server; server vs client order */
static void ossl_cbc_order(void)
{
    static const char *const cbc[] = {OSSL, "-cipher", "ECDHE-RSA-AES128-SHA:ECDHE-RSA-AES256-SHA",
                                      "-no_tls1_3", NULL};
    static const char *const pref[] = {OSSL, "-cipher",
                                       "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256",
                                       "-serverpref", "-no_tls1_3", NULL};
    static const char *const follow[] = {OSSL, "-cipher",
                                         "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256",
                                         "-no_tls1_3", NULL};
    static uint16_t aead[200];
    probe_t p = {STC_V_TLS10, STC_V_TLS12, aead, 0, STC_HX_RENEG_INFO, NULL, 0, 0};
    stc_hello_rd_t r;

    p.nsuites = stc_suites_select(aead, 200, STC_SF_AEAD, STC_SF_TLS13 | STC_SF_PSK);
    if (peer_start(cbc)) {
        CHECK_EQ(ask(&p, &r), STC_OK); /* AEAD only: refused */
        CHECK_EQ(r.ans.kind, STC_ANS_ALERT);
        CHECK_EQ(r.ans.alert_desc, STC_ALERT_HANDSHAKE_FAILURE);
        p.suites = l_all12;
        p.nsuites = n_all12;
        CHECK_EQ(ask(&p, &r), STC_OK);
        CHECK(flags_of(&r) & STC_SF_CBC);
        CHECK_EQ(stc_grade_suite(r.ans.suite), STC_GRADE_SUFFICIENT);
        peer_stop();
    } else {
        CHECK(!"s_server (CBC only) did not start");
    }

    p.nsuites = 2;
    if (peer_start(pref)) { /* -serverpref: its own first choice, both ways */
        p.suites = l_gcm;
        CHECK_EQ(ask(&p, &r), STC_OK);
        CHECK_EQ(r.ans.suite, 0xC030);
        p.suites = l_gcm_rev;
        CHECK_EQ(ask(&p, &r), STC_OK);
        CHECK_EQ(r.ans.suite, 0xC030);
        peer_stop();
    } else {
        CHECK(!"s_server (-serverpref) did not start");
    }
    if (peer_start(follow)) { /* no -serverpref: the client's first choice */
        p.suites = l_gcm;
        CHECK_EQ(ask(&p, &r), STC_OK);
        CHECK_EQ(r.ans.suite, 0xC02F);
        p.suites = l_gcm_rev;
        CHECK_EQ(ask(&p, &r), STC_OK);
        CHECK_EQ(r.ans.suite, 0xC030);
        peer_stop();
    } else {
        CHECK(!"s_server (client order) did not start");
    }
}

/* ---- GnuTLS cases (inside a private network namespace) ----------------------------- */

#define GNUTLS "gnutls-serv", "-q", "-p", "%P", "--x509certfile", "good.pem", \
               "--x509keyfile", "leaf.key"

/* gnutls_cases - 3DES and RC4 where the priority string adds them */
static void gnutls_cases(void)
{
    static const char *const des3[] = {GNUTLS, "--priority", "NORMAL:-VERS-TLS1.3:+3DES-CBC", NULL};
    static const char *const rc4[] = {GNUTLS, "--priority", "NORMAL:-VERS-TLS1.3:+ARCFOUR-128",
                                      NULL};
    static const char *const normal[] = {GNUTLS, "--priority", "NORMAL", NULL};
    probe_t p = {STC_V_TLS10, STC_V_TLS12, l_3des, 0, STC_HX_RENEG_INFO, NULL, 0, 0};
    stc_hello_rd_t r;

    p.nsuites = n_3des;
    if (peer_start(des3)) {
        CHECK_EQ(ask(&p, &r), STC_OK);
        CHECK_EQ(r.ans.kind, STC_ANS_HELLO);
        CHECK(flags_of(&r) & STC_SF_3DES);
        CHECK_EQ(stc_grade_suite(r.ans.suite), STC_GRADE_PHASE_OUT);
        CHECK(r.ans.flags & STC_HA_DONE);
        peer_stop();
    } else {
        CHECK(!"gnutls-serv (3DES) did not start");
    }
    if (peer_start(normal)) { /* GnuTLS 3.7's NORMAL has neither */
        CHECK_EQ(ask(&p, &r), STC_OK);
        CHECK_EQ(r.ans.kind, STC_ANS_ALERT);
        p.suites = l_rc4;
        p.nsuites = n_rc4;
        CHECK_EQ(ask(&p, &r), STC_OK);
        CHECK_EQ(r.ans.kind, STC_ANS_ALERT);
        peer_stop();
    } else {
        CHECK(!"gnutls-serv (NORMAL) did not start");
    }
    p.suites = l_rc4;
    p.nsuites = n_rc4;
    if (peer_start(rc4)) {
        CHECK_EQ(ask(&p, &r), STC_OK);
        CHECK_EQ(r.ans.kind, STC_ANS_HELLO);
        CHECK(flags_of(&r) & STC_SF_RC4);
        CHECK_EQ(stc_grade_suite(r.ans.suite), STC_GRADE_INSUFFICIENT);
        peer_stop();
    } else {
        CHECK(!"gnutls-serv (RC4) did not start");
    }
}

/* lo_up - bring up the loopback interface of a fresh network namespace */
static int lo_up(void)
{
    struct ifreq ifr;
    int fd = socket(AF_INET, SOCK_DGRAM, 0), ok;

    memset(&ifr, 0, sizeof ifr);
    snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "lo");
    ok = fd >= 0 && ioctl(fd, SIOCGIFFLAGS, &ifr) == 0;
    ifr.ifr_flags |= IFF_UP;
    ok = ok && ioctl(fd, SIOCSIFFLAGS, &ifr) == 0;
    if (fd >= 0)
        close(fd);
    return ok;
}

/* in_path - 1 when the command is found on PATH */
static int in_path(const char *cmd)
{
    char line[256];
    snprintf(line, sizeof line, "command -v %s >/dev/null 2>&1", cmd);
    return system(line) == 0;
}

/* gnutls_in_netns - run this binary's GnuTLS cases under `unshare -n` and
 * add up its counts (its last line: "...: N passed, M failed") */
static void gnutls_in_netns(void)
{
    char self[512], cmd[700], line[512];
    ssize_t k = readlink("/proc/self/exe", self, sizeof self - 1);
    FILE *f;
    int p = -1, fl = -1;

    if (!in_path("gnutls-serv")) {
        printf("skipped: gnutls-serv not installed (apt-get install gnutls-bin): 3DES and RC4 "
               "peers\n");
        skipped++;
        return;
    }
    if (k <= 0 || !in_path("unshare") || !in_path("timeout")) {
        printf("skipped: no unshare/timeout to give gnutls-serv a loopback-only namespace\n");
        skipped++;
        return;
    }
    self[k] = '\0';
    snprintf(cmd, sizeof cmd, "timeout 120 unshare -n %s --gnutls-netns 2>&1", self);
    f = popen(cmd, "r");
    while (f && fgets(line, sizeof line, f)) {
        fputs(line, stdout);
        if (sscanf(line, "gnutls-netns: %d passed, %d failed", &p, &fl) == 2)
            break;
    }
    if (f && pclose(f) != 0 && fl == 0)
        fl = 1;
    if (p < 0) {
        /* unshare refused (no privilege): the namespace is the only place
         * gnutls-serv may listen, so this is a skip, not a pass */
        printf("skipped: could not run the GnuTLS cases in a network namespace\n");
        skipped++;
        return;
    }
    unit_pass += p;
    unit_fail += fl;
}

/* ---- main -------------------------------------------------------------------------- */

int main(int argc, char **argv)
{
    int child = argc > 1 && strcmp(argv[1], "--gnutls-netns") == 0;

    unit_name = child ? "gnutls-netns" : "tls_hello_peers";
    signal(SIGPIPE, SIG_IGN);
    snprintf(tmpdir, sizeof tmpdir, "/tmp/stc-peers-XXXXXX");
    if (!mkdtemp(tmpdir)) {
        CHECK(!"mkdtemp");
        return unit_done();
    }
    lists();
    if (child) {
        if (lo_up())
            gnutls_cases();
        else
            CHECK(!"loopback of the private namespace would not come up");
    } else if (!in_path("openssl")) {
        printf("skipped: openssl not installed: OpenSSL peers\n");
        skipped++;
    } else {
        RUN(ossl_versions);
        RUN(ossl_leaf);
        RUN(ossl_weak);
        RUN(ossl_tls13);
        RUN(ossl_cbc_order);
    }
    if (!child)
        gnutls_in_netns();
    {
        char cmd[128];
        snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
        if (system(cmd) != 0)
            printf("could not remove %s\n", tmpdir);
    }
    if (skipped)
        printf("%s: %d skipped\n", unit_name, skipped);
    return unit_done();
}
