/* test_tls.c - real handshakes (src/tls.c) against `openssl s_server`
 *
 * Each case starts an s_server on 127.0.0.1 with the vector certificates
 * (tests/vectors/certs), connects a socket, and drives stc_tls_start /
 * stc_tls_handshake through a minimal non-blocking port written here. Only
 * the s_server PIDs started here are ever killed; every wait is bounded.
 * Run from the repository root, or give the vector directory as argv[1].
 * Without an openssl binary it says it skipped and passes nothing.
 */
#include <wolfssl/options.h>
#include <wolfssl/ssl.h>
#include <wolfssl/wolfcrypt/ecc.h>

#include "unit.h"

#include "engine.h"

#include <wolfssl/wolfcrypt/sha256.h>

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#define HOST "mx.example.test"

static const char *dir = "tests/vectors/certs";
static uint8_t arena[8u << 20];
static uint8_t small_arena[88u << 10];
static stc_conn_t conn;
static stc_session_t sess; /* what the verify callback judged */
static char logpath[64];

/* ---- the port: non-blocking send/recv on a real socket ------------------ */

/* t_send - port send: MSG_DONTWAIT, errno mapped to stc_err_t */
static long t_send(void *user, int sock, const void *buf, size_t n)
{
    ssize_t r;
    (void)user;
    r = send(sock, buf, n, MSG_DONTWAIT | MSG_NOSIGNAL);
    if (r >= 0)
        return (long)r;
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
        return STC_EAGAIN;
    if (errno == ECONNRESET || errno == EPIPE)
        return STC_ERESET;
    return STC_EPORT;
}

/* t_recv - port recv: 0 = orderly close */
static long t_recv(void *user, int sock, void *buf, size_t cap)
{
    ssize_t r;
    (void)user;
    r = recv(sock, buf, cap, MSG_DONTWAIT);
    if (r >= 0)
        return (long)r;
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
        return STC_EAGAIN;
    if (errno == ECONNRESET)
        return STC_ERESET;
    return STC_EPORT;
}

/* t_unix_time - wall clock for the certificate dates */
static int64_t t_unix_time(void *user)
{
    (void)user;
    return (int64_t)time(NULL);
}

static stc_port_t port; /* tls.c uses send/recv, and unix_time for the chain */

/* ---- s_server ------------------------------------------------------------- */

static pid_t server_pid = -1;
static int server_stdin = -1;
static uint16_t server_port;

/* now_ms - monotonic milliseconds */
static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* free_port - a port the kernel just considered free */
static uint16_t free_port(void)
{
    struct sockaddr_in a;
    socklen_t len = sizeof a;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    uint16_t p = 0;

    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof a) == 0
        && getsockname(fd, (struct sockaddr *)&a, &len) == 0)
        p = ntohs(a.sin_port);
    if (fd >= 0)
        close(fd);
    return p;
}

/* tcp_connect - blocking connect to 127.0.0.1:p; -1 on failure */
static int tcp_connect(uint16_t p)
{
    struct sockaddr_in a;
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    if (fd < 0)
        return -1;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(p);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* server_stop - kill the s_server we started, and only it */
static void server_stop(void)
{
    if (server_pid > 0) {
        int st, i;
        kill(server_pid, SIGTERM);
        for (i = 0; i < 200 && waitpid(server_pid, &st, WNOHANG) == 0; i++)
            usleep(10000);
        if (i == 200) {
            kill(server_pid, SIGKILL);
            waitpid(server_pid, &st, 0);
        }
    }
    server_pid = -1;
    if (server_stdin >= 0)
        close(server_stdin);
    server_stdin = -1;
}

/* server_start - s_server with the given extra arguments (NULL-terminated);
 * 1 when it accepts connections */
static int server_start(const char *const *args)
{
    int attempt;

    for (attempt = 0; attempt < 5; attempt++) {
        char accept_arg[32];
        const char *argv[40];
        int n = 0, i, pfd[2];
        long long deadline;

        server_port = free_port();
        if (server_port == 0)
            continue;
        snprintf(accept_arg, sizeof accept_arg, "127.0.0.1:%u", (unsigned)server_port);
        argv[n++] = "openssl";
        argv[n++] = "s_server";
        argv[n++] = "-accept";
        argv[n++] = accept_arg;
        for (i = 0; args[i] && n < 38; i++)
            argv[n++] = args[i];
        argv[n] = NULL;
        if (pipe(pfd) != 0)
            return 0;
        server_pid = fork();
        if (server_pid == 0) {
            int log = open(logpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
#ifdef __linux__
            prctl(PR_SET_PDEATHSIG, SIGTERM); /* never outlive a crashed test */
#endif
            dup2(pfd[0], 0);
            if (log >= 0) {
                dup2(log, 1);
                dup2(log, 2);
            }
            close(pfd[1]);
            if (chdir(dir) != 0)
                _exit(126);
            execvp("openssl", (char *const *)argv);
            _exit(127);
        }
        close(pfd[0]);
        server_stdin = pfd[1]; /* held open: s_server stops at EOF on stdin */
        if (server_pid < 0)
            return 0;
        /* Ready when a connection is accepted; gone when the port was
         * taken meanwhile (then try another). */
        deadline = now_ms() + 5000;
        while (now_ms() < deadline) {
            int st, fd;
            if (waitpid(server_pid, &st, WNOHANG) == server_pid) {
                server_pid = -1;
                break;
            }
            fd = tcp_connect(server_port);
            if (fd >= 0) {
                close(fd);
                return 1;
            }
            usleep(20000);
        }
        server_stop();
    }
    return 0;
}

/* ---- driving a handshake ------------------------------------------------ */

/* wait_for - poll the socket for what the library wants, bounded */
static int wait_for(int fd, uint8_t want, int ms)
{
    struct pollfd p;
    p.fd = fd;
    p.events = (short)(((want & STC_WANT_READ) ? POLLIN : 0) | ((want & STC_WANT_WRITE) ? POLLOUT : 0));
    p.revents = 0;
    return poll(&p, 1, ms);
}

/* handshake - connect to the server and run start + handshake to the end;
 * returns the stc_err_t; the connection stays in `conn` */
static int handshake(const char *sni, int32_t *lower)
{
    long long deadline = now_ms() + 10000;
    uint8_t want = 0;
    int rc, fd = tcp_connect(server_port);

    *lower = 0;
    memset(&conn, 0, sizeof conn);
    memset(&sess, 0, sizeof sess);
    stc_addr_checks_reset(&sess.a);
    conn.s = &sess;
    conn.sni = sni ? sni : "";
    conn.warn_days = 14;
    conn.sock = fd;
    if (fd < 0)
        return STC_EPORT;
    rc = stc_tls_start(&conn, &port, sni);
    if (rc != STC_OK)
        return rc;
    for (;;) {
        rc = stc_tls_handshake(&conn, &want, lower);
        if (rc == STC_OK)
            return stc_tls_judge(NULL, &conn); /* the chain, as smtp.c does next (no cache) */
        if (rc != STC_EAGAIN)
            return rc;
        if (now_ms() >= deadline)
            return STC_ETIMEOUT;
        wait_for(fd, want, (int)(deadline - now_ms()));
    }
}

/* close_conn - free the session and the socket */
static void close_conn(void)
{
    stc_tls_free(&conn);
    if (conn.sock >= 0)
        close(conn.sock);
    conn.sock = -1;
}

/* file_bytes - a vector file's contents */
static uint8_t *file_bytes(const char *name, size_t *len)
{
    char path[512];
    FILE *fp;
    long n;
    uint8_t *b;

    snprintf(path, sizeof path, "%s/%s", dir, name);
    fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    fseek(fp, 0, SEEK_END);
    n = ftell(fp);
    rewind(fp);
    b = malloc((size_t)n + 1);
    if (b && fread(b, 1, (size_t)n, fp) != (size_t)n) {
        free(b);
        b = NULL;
    }
    fclose(fp);
    *len = (size_t)n;
    return b;
}

/* chain_is - certificate i the server sent (its SHA-256, taken in the
 * verify callback) is a vector's DER */
static int chain_is(unsigned i, const char *der)
{
    size_t len;
    uint8_t *b = file_bytes(der, &len), h[32];
    int ok = b && i < sess.chain.n && wc_Sha256Hash(b, (word32)len, h) == 0 &&
             memcmp(sess.chain.c[i].d[0], h, 32) == 0;
    free(b);
    return ok;
}

/* tls_info - negotiated version, suite name and group name */
static void tls_info(uint16_t *v, char *cipher, size_t ccap, char *group, size_t gcap)
{
    uint16_t suite, gid;
    stc_tls_info(&conn, v, &suite, &gid);
    snprintf(cipher, ccap, "%s", stc_suite_name(suite));
    stc_group_name(gid, group, gcap);
}

/* in_use - arena bytes in use */
static size_t in_use(void)
{
    stc_arena_stats_t s;
    stc_arena_stats(&s);
    return s.in_use;
}

/* peak - arena high-water mark since the last reset */
static size_t peak(void)
{
    stc_arena_stats_t s;
    stc_arena_stats(&s);
    return s.peak;
}

/* count_finding - stc_cert_judge callback counting findings */
static void count_finding(void *ctx, unsigned code, int32_t detail)
{
    (void)detail;
    printf("  finding %u\n", code);
    (*(int *)ctx)++;
}

/* ---- cases ---------------------------------------------------------------- */

static const char *const rsa_args[] = {"-cert", "good.pem", "-key", "leaf.key",
                                       "-cert_chain", "int.pem", NULL};

/* test_tls13_rsa - TLS 1.3, X25519, RSA-2048 chain; data both ways */
static void test_tls13_rsa(void)
{
    const char *const args[] = {"-cert", "good.pem", "-key", "leaf.key", "-cert_chain",
                                "int.pem", "-rev", "-tls1_3", NULL};
    uint16_t v;
    char cipher[48], group[16];
    int32_t lower;
    size_t base = in_use();
    int nf = 0;

    if (!server_start(args)) {
        CHECK(0);
        return;
    }
    stc_arena_reset_peak();
    CHECK_EQ(handshake(HOST, &lower), STC_OK);
    printf("TLS 1.3 X25519 RSA-2048: peak %zu bytes above the context, %zu held while open\n",
           peak() - base, in_use() - base);
    tls_info(&v, cipher, sizeof cipher, group, sizeof group);
    printf("  version %04x cipher %s group %s chain %u\n", v, cipher, group, sess.chain.n);
    CHECK_EQ(v, 0x0304);
    CHECK(strncmp(cipher, "TLS_AES_", 8) == 0 || strncmp(cipher, "TLS_CHACHA20_", 13) == 0);
    CHECK_STR(group, "X25519");
    CHECK_EQ(sess.chain.n, 2);
    CHECK(chain_is(0, "good.der"));
    CHECK(chain_is(1, "int.der"));
    CHECK_EQ(sess.chain.cut, 0);
    CHECK_EQ(sess.a.nfindings, 0); /* judged in the handshake: all good */
    CHECK_EQ(sess.a.cert.trusted, 1);
    CHECK_EQ(sess.a.cert.name_ok, 1);
    CHECK_EQ(sess.a.status[STC_CHK_CERT], STC_SUCCESS);
    CHECK_STR(sess.subject, "mx.example.test");
    CHECK_EQ(sess.chain.linked, 0x3);
    /* The intermediate this server sent must not have become trusted for
     * the next server: the leaf alone does not chain (wolfSSL caches
     * verified intermediates under VERIFY_PEER; tls.c uses VERIFY_NONE). */
    {
        size_t len;
        uint8_t *leaf = file_bytes("good.der", &len);
        stc_der_t d;
        stc_session_t s2;
        d.p = leaf;
        d.n = len;
        memset(&s2, 0, sizeof s2);
        nf = 0;
        CHECK_EQ(stc_cert_judge(&d, 1, 1, HOST, (int64_t)time(NULL), 14, &s2, count_finding,
                                &nf),
                 STC_OK);
        CHECK_EQ(nf, 1);
        CHECK_EQ(s2.a.cert.trusted, 0);
        free(leaf);
    }
    /* Application data through the session: -rev answers lines reversed. */
    {
        const char *msg = "EHLO test\n";
        char buf[64];
        size_t got = 0;
        long long deadline = now_ms() + 5000;
        long n;
        uint8_t want = 0;
        do {
            n = stc_tls_send(&conn, msg, strlen(msg), &want);
            if (n == STC_EAGAIN)
                wait_for(conn.sock, want, 100);
        } while (n == STC_EAGAIN && now_ms() < deadline);
        CHECK_EQ(n, (long)strlen(msg));
        while (now_ms() < deadline && (got == 0 || buf[got - 1] != '\n')) {
            n = stc_tls_recv(&conn, buf + got, sizeof buf - 1 - got, &want);
            if (n == STC_EAGAIN) {
                wait_for(conn.sock, want, 100);
                continue;
            }
            if (n <= 0)
                break;
            got += (size_t)n;
        }
        buf[got] = '\0';
        CHECK_STR(buf, "tset OLHE\n");
    }
    close_conn();
    CHECK_EQ(in_use(), base);
    server_stop();
}

/* test_tls12_p256 - TLS 1.2, P-256 key exchange, ECDSA P-256 leaf */
static void test_tls12_p256(void)
{
    const char *const args[] = {"-cert", "ecdsa.pem", "-key", "ecdsa.key", "-cert_chain",
                                "int.pem", "-tls1_2", "-groups", "P-256", NULL};
    uint16_t v;
    char cipher[48], group[16];
    int32_t lower;
    size_t base = in_use();

    if (!server_start(args)) {
        CHECK(0);
        return;
    }
    stc_arena_reset_peak();
    CHECK_EQ(handshake(HOST, &lower), STC_OK);
    tls_info(&v, cipher, sizeof cipher, group, sizeof group);
    printf("TLS 1.2 P-256 ECDSA: peak %zu bytes above the context (FP_ECC cache included), "
           "%zu held while open\n",
           peak() - base, in_use() - base);
    printf("  version %04x cipher %s group %s chain %u\n", v, cipher, group, sess.chain.n);
    CHECK_EQ(v, 0x0303);
    CHECK(strncmp(cipher, "TLS_ECDHE_ECDSA_WITH_", 21) == 0);
    CHECK_STR(group, "SECP256R1");
    CHECK_EQ(sess.chain.n, 2);
    CHECK(chain_is(0, "ecdsa.der"));
    close_conn();
    CHECK_EQ(in_use(), base);
    server_stop();
}

/* test_flat - ten handshakes leave the arena where it was; without
 * wc_ecc_fp_free the FP_ECC cache would grow */
static void test_flat(void)
{
    const char *const args[] = {"-cert", "ecdsa.pem", "-key", "ecdsa.key", "-cert_chain",
                                "int.pem", "-tls1_2", "-groups", "P-256", NULL};
    size_t base = in_use(), after[10];
    int32_t lower;
    int i, flat = 1;

    if (!server_start(args)) {
        CHECK(0);
        return;
    }
    for (i = 0; i < 10; i++) {
        CHECK_EQ(handshake(HOST, &lower), STC_OK);
        close_conn();
        after[i] = in_use();
        if (after[i] != base)
            flat = 0;
    }
    CHECK(flat);
    printf("10 TLS 1.2 P-256 handshakes with stc_tls_free: in use before %zu, after %zu\n",
           base, after[9]);
#ifdef FP_ECC
    /* The same without wc_ecc_fp_free: the cache keeps growing. */
    {
        size_t grown;
        for (i = 0; i < 3; i++) {
            CHECK_EQ(handshake(HOST, &lower), STC_OK);
            wolfSSL_free((WOLFSSL *)conn.ssl);
            conn.ssl = NULL;
            close(conn.sock);
        }
        grown = in_use() - base;
        printf("  3 handshakes freeing only the session: %zu bytes left in the FP_ECC cache\n",
               grown);
        CHECK(grown > 100000);
        wc_ecc_fp_free();
        CHECK_EQ(in_use(), base);
    }
#endif
    server_stop();
}

/* test_big_leaf - a 6.8 KB leaf is copied whole */
static void test_big_leaf(void)
{
    const char *const args[] = {"-cert", "big.pem", "-key", "leaf.key", "-cert_chain",
                                "int.pem", NULL};
    int32_t lower;
    size_t len;
    uint8_t *b = file_bytes("big.der", &len);

    CHECK(b && len >= 2048);
    free(b);
    if (!server_start(args)) {
        CHECK(0);
        return;
    }
    CHECK_EQ(handshake(HOST, &lower), STC_OK);
    CHECK_EQ(sess.chain.n, 2);
    CHECK(chain_is(0, "big.der"));
    CHECK(chain_is(1, "int.der"));
    close_conn();
    server_stop();
}

/* test_sni - the server sees the host name; none for an IP literal */
static void test_sni(void)
{
    const char *const args[] = {"-cert", "good.pem", "-key", "leaf.key", "-cert_chain",
                                "int.pem", "-servername", HOST, "-cert2", "wildcard.pem",
                                "-key2", "leaf.key", NULL};
    int32_t lower;

    if (!server_start(args)) {
        CHECK(0);
        return;
    }
    /* The server answers the name it knows with its second certificate. */
    CHECK_EQ(handshake(HOST, &lower), STC_OK);
    CHECK(chain_is(0, "wildcard.der"));
    close_conn();
    CHECK_EQ(handshake("192.0.2.25", &lower), STC_OK);
    CHECK(chain_is(0, "good.der"));
    close_conn();
    CHECK_EQ(handshake(NULL, &lower), STC_OK);
    CHECK(chain_is(0, "good.der"));
    close_conn();
    server_stop();
}

/* test_tls11 - a TLS 1.1-only server is still reached (and reported) */
static void test_tls11(void)
{
    const char *const args[] = {"-cert", "good.pem", "-key", "leaf.key", "-cert_chain",
                                "int.pem", "-tls1_1", "-cipher", "ECDHE-RSA-AES128-SHA:@SECLEVEL=0",
                                NULL};
    uint16_t v;
    char cipher[48], group[16];
    int32_t lower;

    if (!server_start(args)) {
        CHECK(0);
        return;
    }
    CHECK_EQ(handshake(HOST, &lower), STC_OK);
    tls_info(&v, cipher, sizeof cipher, group, sizeof group);
    printf("TLS 1.1 server: version %04x cipher %s group %s\n", v, cipher, group);
    CHECK_EQ(v, 0x0302);
    CHECK_STR(cipher, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA");
    close_conn();
    server_stop();
}

/* test_groups - P-384 through a HelloRetryRequest, X25519 in TLS 1.2,
 * finite-field DHE */
static void test_groups(void)
{
    static const struct {
        const char *args[16];
        uint16_t version;
        const char *group;
    } cases[] = {
        {{"-cert", "good.pem", "-key", "leaf.key", "-tls1_3", "-groups", "P-384", NULL},
         0x0304, "SECP384R1"},
        {{"-cert", "good.pem", "-key", "leaf.key", "-tls1_2", "-groups", "X25519", NULL},
         0x0303, "X25519"},
        {{"-cert", "good.pem", "-key", "leaf.key", "-tls1_2", "-cipher",
          "DHE-RSA-AES128-GCM-SHA256", NULL},
         0x0303, "DHE-2048"},
    };
    size_t i;

    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint16_t v;
        char cipher[48], group[16];
        int32_t lower;
        size_t base = in_use();
        if (!server_start(cases[i].args)) {
            CHECK(0);
            continue;
        }
        stc_arena_reset_peak();
        CHECK_EQ(handshake(HOST, &lower), STC_OK);
        tls_info(&v, cipher, sizeof cipher, group, sizeof group);
        printf("server %s %s: version %04x cipher %s group \"%s\" peak %zu\n",
               cases[i].args[4], cases[i].args[6], v, cipher, group, peak() - base);
        CHECK_EQ(v, cases[i].version);
        CHECK_STR(group, cases[i].group);
        CHECK_EQ(sess.chain.n, 1);
        close_conn();
        CHECK_EQ(in_use(), base);
        server_stop();
    }
}

/* test_refused_suites - anon-only and NULL-only servers: no handshake */
static void test_refused_suites(void)
{
    const char *const anon[] = {"-nocert", "-tls1_2", "-cipher", "aNULL:@SECLEVEL=0", NULL};
    const char *const null[] = {"-cert", "good.pem", "-key", "leaf.key", "-tls1_2", "-cipher",
                                "eNULL:@SECLEVEL=0", NULL};
    int32_t lower;
    int rc;

    if (server_start(anon)) {
        rc = handshake(HOST, &lower);
        printf("anon-only server: rc %d lower %d chain %u\n", rc, (int)lower, sess.chain.n);
        CHECK_EQ(rc, STC_ETLS);
        CHECK(lower != 0);
        CHECK_EQ(sess.chain.n, 0);
        close_conn();
        server_stop();
    } else {
        CHECK(0);
    }
    if (server_start(null)) {
        rc = handshake(HOST, &lower);
        printf("NULL-only server: rc %d lower %d\n", rc, (int)lower);
        CHECK_EQ(rc, STC_ETLS);
        close_conn();
        server_stop();
    } else {
        CHECK(0);
    }
}

/* test_peer_gone - a peer that closes, and one that is not TLS */
static void test_peer_gone(void)
{
    struct sockaddr_in a;
    socklen_t len = sizeof a;
    int lfd = socket(AF_INET, SOCK_STREAM, 0), afd, rc;
    int32_t lower;
    size_t base = in_use();

    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    CHECK(lfd >= 0 && bind(lfd, (struct sockaddr *)&a, sizeof a) == 0 && listen(lfd, 4) == 0
          && getsockname(lfd, (struct sockaddr *)&a, &len) == 0);
    server_port = ntohs(a.sin_port);

    /* Accept and close at once: the handshake sees the close. */
    memset(&conn, 0, sizeof conn);
    conn.sock = tcp_connect(server_port);
    afd = accept(lfd, NULL, NULL);
    close(afd);
    CHECK_EQ(stc_tls_start(&conn, &port, HOST), STC_OK);
    {
        uint8_t want = 0;
        long long deadline = now_ms() + 5000;
        do {
            rc = stc_tls_handshake(&conn, &want, &lower);
            if (rc == STC_EAGAIN)
                wait_for(conn.sock, want, 100);
        } while (rc == STC_EAGAIN && now_ms() < deadline);
    }
    printf("peer closed: rc %d lower %d\n", rc, (int)lower);
    CHECK(rc == STC_ECLOSED || rc == STC_ERESET);
    close_conn();

    /* A peer that answers in plaintext. */
    memset(&conn, 0, sizeof conn);
    conn.sock = tcp_connect(server_port);
    afd = accept(lfd, NULL, NULL);
    CHECK_EQ(stc_tls_start(&conn, &port, HOST), STC_OK);
    {
        const char *junk = "220 this is not TLS at all, sorry\r\n";
        uint8_t want = 0;
        long long deadline = now_ms() + 5000;
        CHECK(write(afd, junk, strlen(junk)) == (ssize_t)strlen(junk));
        do {
            rc = stc_tls_handshake(&conn, &want, &lower);
            if (rc == STC_EAGAIN)
                wait_for(conn.sock, want, 100);
        } while (rc == STC_EAGAIN && now_ms() < deadline);
    }
    printf("plaintext peer: rc %d lower %d\n", rc, (int)lower);
    CHECK_EQ(rc, STC_ETLS);
    CHECK(lower != 0);
    close_conn();
    close(afd);
    close(lfd);
    CHECK_EQ(in_use(), base);
}

/* sweep - fail each allocation of one handshake in turn: the result is
 * STC_ENOMEM (or success when wolfSSL could do without it), never the
 * peer's fault, and nothing leaks */
static void sweep(const char *what, const char *const *args)
{
    int32_t lower;
    size_t base = in_use();
    unsigned long before, total, k;
    unsigned wrong = 0, leaks = 0, ok = 0;

    if (!server_start(args)) {
        CHECK(0);
        return;
    }
    before = stc_arena_allocs();
    CHECK_EQ(handshake(HOST, &lower), STC_OK);
    total = stc_arena_allocs() - before;
    close_conn();
    for (k = 1; k <= total; k++) {
        int rc;
        stc_arena_fail_after(k);
        rc = handshake(HOST, &lower);
        stc_arena_fail_after(0);
        if (rc == STC_OK) {
            ok++;
        } else if (rc != STC_ENOMEM) {
            wrong++;
            printf("  fail at allocation %lu: rc %d lower %d\n", k, rc, (int)lower);
        }
        close_conn();
        if (in_use() != base)
            leaks++;
    }
    printf("%s: %lu allocations, each failed in turn: %u completed anyway, %u not "
           "STC_ENOMEM, %u leaking\n",
           what, total, ok, wrong, leaks);
    CHECK_EQ(wrong, 0);
    CHECK_EQ(leaks, 0);
    CHECK_EQ(handshake(HOST, &lower), STC_OK);
    close_conn();
    server_stop();
}

/* test_fault_sweep - both handshake kinds under allocation failure */
static void test_fault_sweep(void)
{
    const char *const p256[] = {"-cert", "ecdsa.pem", "-key", "ecdsa.key", "-cert_chain",
                                "int.pem", "-tls1_2", "-groups", "P-256", NULL};
    sweep("TLS 1.3 X25519 RSA", rsa_args);
    sweep("TLS 1.2 P-256 ECDSA", p256);
}

/* test_small_arena - an arena that holds the context but not a session */
static void test_small_arena(void)
{
    size_t len;
    uint8_t *ca = file_bytes("ca.pem", &len);
    int32_t lower;
    int rc;
    size_t ctx_bytes;

    stc_tls_global_free();
    CHECK_EQ(in_use(), 0); /* everything went back: safe to move the arena */
    if (in_use() != 0) {
        free(ca);
        return;
    }
    CHECK_EQ(stc_arena_init(small_arena, sizeof small_arena), STC_OK);
    CHECK_EQ(stc_tls_global_init(ca, len, STC_TA_PEM), STC_OK);
    ctx_bytes = in_use();
    if (server_start(rsa_args)) {
        uint8_t want = 0;
        long long deadline = now_ms() + 5000;
        /* The session fits, the handshake does not. */
        memset(&conn, 0, sizeof conn);
        conn.sock = tcp_connect(server_port);
        CHECK_EQ(stc_tls_start(&conn, &port, HOST), STC_OK);
        printf("88 KB arena: %zu bytes in use after stc_tls_start\n", in_use());
        do {
            rc = stc_tls_handshake(&conn, &want, &lower);
            if (rc == STC_EAGAIN)
                wait_for(conn.sock, want, 100);
        } while (rc == STC_EAGAIN && now_ms() < deadline);
        printf("88 KB arena: handshake rc %d lower %d\n", rc, (int)lower);
        CHECK_EQ(rc, STC_ENOMEM);
        close_conn();
        CHECK_EQ(in_use(), ctx_bytes);
        /* Too small for a session at all. */
        stc_arena_fail_after(1);
        rc = handshake(HOST, &lower);
        stc_arena_fail_after(0);
        CHECK_EQ(rc, STC_ENOMEM);
        close_conn();
        server_stop();
    } else {
        CHECK(0);
    }
    stc_tls_global_free();
    CHECK_EQ(in_use(), 0);
    free(ca);
}

int main(int argc, char **argv)
{
    size_t len;
    uint8_t *ca;
    int fd;

    unit_name = "test_tls";
    if (argc > 1)
        dir = argv[1];
    if (system("openssl version >/dev/null 2>&1") != 0) {
        SKIP("every handshake: no openssl binary for the peer");
        return unit_done();
    }
    signal(SIGPIPE, SIG_IGN);
    snprintf(logpath, sizeof logpath, "/tmp/stc_test_tls.XXXXXX");
    fd = mkstemp(logpath);
    if (fd >= 0)
        close(fd);
    port.version = STC_PORT_VERSION;
    port.send = t_send;
    port.recv = t_recv;
    port.unix_time = t_unix_time;
    ca = file_bytes("ca.pem", &len);
    if (!ca) {
        printf("missing vectors in %s (run make_certs.sh)\n", dir);
        return 2;
    }
    CHECK_EQ(stc_arena_init(arena, sizeof arena), STC_OK);
    CHECK_EQ(stc_tls_global_init(ca, len, STC_TA_PEM), STC_OK);
    free(ca);
    printf("context with one anchor: %zu bytes\n", in_use());

    RUN(test_tls13_rsa);
    RUN(test_tls12_p256);
    RUN(test_flat);
    RUN(test_big_leaf);
    RUN(test_sni);
    RUN(test_tls11);
    RUN(test_groups);
    RUN(test_refused_suites);
    RUN(test_peer_gone);
    RUN(test_fault_sweep);
    RUN(test_small_arena);
    server_stop();
    unlink(logpath);
    return unit_done();
}
