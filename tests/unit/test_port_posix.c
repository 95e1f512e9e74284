/* test_port_posix.c - the POSIX port on real sockets, loopback only
 * (port/posix/port_posix.c)
 *
 * Every socket here is bound to 127.0.0.1 or ::1; every wait is bounded.
 */
#include "unit.h"

#include "stc_posix.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static stc_posix_t px;
static const stc_port_t *P;

/* mono_ms - the test's own monotonic clock */
static long long mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* tmp_write - write n bytes to a new temp file; path in path[64] */
static void tmp_write(char *path, const void *data, size_t n)
{
    int fd;
    strcpy(path, "/tmp/stc_tpp_XXXXXX");
    fd = mkstemp(path);
    if (fd < 0) {
        perror("mkstemp");
        exit(2);
    }
    if (n && write(fd, data, n) != (ssize_t)n) {
        perror("write");
        exit(2);
    }
    close(fd);
}

/* ip4 - dotted quad to stc_ip_t */
static stc_ip_t ip4(const char *s)
{
    stc_ip_t ip;
    memset(&ip, 0, sizeof ip);
    ip.family = 4;
    inet_pton(AF_INET, s, ip.addr);
    return ip;
}

/* ip6 - IPv6 text to stc_ip_t */
static stc_ip_t ip6(const char *s)
{
    stc_ip_t ip;
    memset(&ip, 0, sizeof ip);
    ip.family = 6;
    inet_pton(AF_INET6, s, ip.addr);
    return ip;
}

/* ip_is - does ip hold the text address s? */
static int ip_is(const stc_ip_t *ip, const char *s)
{
    stc_ip_t want = strchr(s, ':') ? ip6(s) : ip4(s);
    return ip->family == want.family &&
           memcmp(ip->addr, want.addr, want.family == 4 ? 4 : 16) == 0;
}

/* listener - a listening TCP socket on host:0 (plain BSD), its port in *port */
static int listener(int af, uint16_t *port)
{
    struct sockaddr_storage ss;
    socklen_t sl;
    int one = 1, fd = socket(af, SOCK_STREAM | SOCK_CLOEXEC, 0);

    if (fd < 0)
        return -1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    memset(&ss, 0, sizeof ss);
    if (af == AF_INET) {
        struct sockaddr_in *sa = (struct sockaddr_in *)&ss;
        sa->sin_family = AF_INET;
        sa->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        sl = sizeof *sa;
    } else {
        struct sockaddr_in6 *sa = (struct sockaddr_in6 *)&ss;
        sa->sin6_family = AF_INET6;
        sa->sin6_addr = in6addr_loopback;
        sl = sizeof *sa;
    }
    if (bind(fd, (struct sockaddr *)&ss, sl) != 0 || listen(fd, 8) != 0 ||
        getsockname(fd, (struct sockaddr *)&ss, &sl) != 0) {
        close(fd);
        return -1;
    }
    *port = ntohs(af == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
                                : ((struct sockaddr_in6 *)&ss)->sin6_port);
    return fd;
}

/* udp_server - a UDP socket bound to loopback:0, its port in *port */
static int udp_server(int af, uint16_t *port)
{
    struct sockaddr_storage ss;
    socklen_t sl;
    int fd = socket(af, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    struct timeval tv = {2, 0}; /* never block a test for long */

    if (fd < 0)
        return -1;
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    memset(&ss, 0, sizeof ss);
    if (af == AF_INET) {
        struct sockaddr_in *sa = (struct sockaddr_in *)&ss;
        sa->sin_family = AF_INET;
        sa->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        sl = sizeof *sa;
    } else {
        struct sockaddr_in6 *sa = (struct sockaddr_in6 *)&ss;
        sa->sin6_family = AF_INET6;
        sa->sin6_addr = in6addr_loopback;
        sl = sizeof *sa;
    }
    if (bind(fd, (struct sockaddr *)&ss, sl) != 0 ||
        getsockname(fd, (struct sockaddr *)&ss, &sl) != 0) {
        close(fd);
        return -1;
    }
    *port = ntohs(af == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
                                : ((struct sockaddr_in6 *)&ss)->sin6_port);
    return fd;
}

/* have_ipv6 - can this host bind ::1? */
static int have_ipv6(void)
{
    uint16_t port;
    int fd = udp_server(AF_INET6, &port);
    if (fd < 0)
        return 0;
    close(fd);
    return 1;
}

/* wait1 - wait for one socket; the revents, 0 on timeout */
static uint8_t wait1(int sock, uint8_t events, uint32_t ms)
{
    stc_pollfd_t f;
    int r;
    f.sock = sock;
    f.events = events;
    f.revents = 0;
    r = P->wait(P->user, &f, 1, ms);
    return r > 0 ? f.revents : 0;
}

/* connect_ok - connect through the port to ip:port and finish; the sock */
static int connect_ok(const stc_ip_t *ip, uint16_t port)
{
    int sock = -1, rc = P->tcp_connect(P->user, ip, port, &sock);
    CHECK(rc == STC_OK || rc == STC_EAGAIN);
    CHECK(sock >= 0);
    if (rc == STC_EAGAIN) {
        CHECK(wait1(sock, STC_WANT_WRITE, 2000) & STC_WANT_WRITE);
        CHECK_EQ(P->tcp_finish(P->user, sock), STC_OK);
    }
    return sock;
}

/* init_default - px with a fixed resolver and the default CA bundle */
static void init_default(void)
{
    stc_posix_cfg_t cfg;
    char err[256];
    memset(&cfg, 0, sizeof cfg);
    cfg.resolver = "127.0.0.1";
    if (stc_posix_init(&px, &cfg, err, sizeof err) != 0) {
        printf("stc_posix_init: %s\n", err);
        exit(2);
    }
    P = &px.ops;
}

/* ---- resolvers ------------------------------------------------------------- */

static void test_resolv_conf(void)
{
    static const char conf[] =
        "# generated\n"
        "; also a comment\n"
        "search example.org\n"
        "nameserver 192.0.2.1\n"
        "nameserver   2001:db8::53   # trailing comment\n"
        "nameserver fe80::1%eth0\n"
        "nameserver garbage\n"
        "nameserver 300.1.2.3\n"
        "nameserverx 203.0.113.9\n"
        "#nameserver 203.0.113.8\n"
        "nameserver\n"
        "\tnameserver\t198.51.100.7\r\n"
        "options trust-ad edns0\n"
        "nameserver 192.0.2.99"; /* no final newline */
    stc_ip_t out[8];
    char path[64], err[256];
    int n;

    tmp_write(path, conf, sizeof conf - 1);
    n = stc_posix_parse_resolv_conf(path, out, 8, err, sizeof err);
    CHECK_EQ(n, 5);
    CHECK(ip_is(&out[0], "192.0.2.1"));
    CHECK(ip_is(&out[1], "2001:db8::53"));
    CHECK(ip_is(&out[2], "fe80::1")); /* scope id dropped */
    CHECK(ip_is(&out[3], "198.51.100.7"));
    CHECK(ip_is(&out[4], "192.0.2.99"));
    /* max respected, order kept */
    n = stc_posix_parse_resolv_conf(path, out, 2, err, sizeof err);
    CHECK_EQ(n, 2);
    CHECK(ip_is(&out[1], "2001:db8::53"));
    unlink(path);
}

static void test_resolv_conf_many_and_none(void)
{
    static const char many[] = "nameserver 192.0.2.1\nnameserver 192.0.2.2\n"
                               "nameserver 192.0.2.3\nnameserver 192.0.2.4\n"
                               "nameserver 192.0.2.5\n";
    static const char none[] = "# nothing here\nsearch example.org\noptions ndots:1\n";
    stc_ip_t out[3];
    stc_posix_cfg_t cfg;
    char path[64], err[256], line[2000];
    size_t k;

    tmp_write(path, many, sizeof many - 1);
    CHECK_EQ(stc_posix_parse_resolv_conf(path, out, 3, err, sizeof err), 3);
    CHECK(ip_is(&out[2], "192.0.2.3"));
    /* through init: more than 3 are kept, the core asks for what it wants */
    memset(&cfg, 0, sizeof cfg);
    cfg.resolv_conf = path;
    CHECK_EQ(stc_posix_init(&px, &cfg, err, sizeof err), 0);
    CHECK_EQ(px.ops.resolvers(px.ops.user, out, 3), 3);
    CHECK(ip_is(&out[0], "192.0.2.1"));
    CHECK_EQ(px.ops.resolvers(px.ops.user, out, 1), 1);
    CHECK_EQ(px.ops.resolvers(px.ops.user, out, 0), 0);
    CHECK_EQ(px.nres, 5);
    stc_posix_free(&px);
    unlink(path);

    tmp_write(path, none, sizeof none - 1);
    CHECK_EQ(stc_posix_parse_resolv_conf(path, out, 3, err, sizeof err), 0);
    cfg.resolv_conf = path;
    CHECK_EQ(stc_posix_init(&px, &cfg, err, sizeof err), -1);
    CHECK(strstr(err, "no usable nameserver") != NULL);
    CHECK(strstr(err, path) != NULL);
    stc_posix_free(&px); /* harmless after a failed init */
    unlink(path);

    /* an empty file, and a missing one */
    tmp_write(path, "", 0);
    CHECK_EQ(stc_posix_parse_resolv_conf(path, out, 3, err, sizeof err), 0);
    unlink(path);
    CHECK_EQ(stc_posix_parse_resolv_conf("/nonexistent/resolv.conf", out, 3, err, sizeof err),
             -1);
    CHECK(strstr(err, "cannot read /nonexistent/resolv.conf") != NULL);
    cfg.resolv_conf = "/nonexistent/resolv.conf";
    CHECK_EQ(stc_posix_init(&px, &cfg, err, sizeof err), -1);
    CHECK(strstr(err, "/nonexistent/resolv.conf") != NULL);

    /* an overlong line is skipped whole, the next line still counts */
    memset(line, 'x', sizeof line);
    memcpy(line, "nameserver 192.0.2.7 ", 21);
    line[sizeof line - 1] = '\n';
    {
        char big[sizeof line + 64];
        memcpy(big, line, sizeof line);
        strcpy(big + sizeof line, "nameserver 192.0.2.8\n");
        tmp_write(path, big, strlen(big));
    }
    k = (size_t)stc_posix_parse_resolv_conf(path, out, 3, err, sizeof err);
    CHECK_EQ(k, 1);
    CHECK(ip_is(&out[0], "192.0.2.8"));
    unlink(path);
}

static void test_resolver_list(void)
{
    static const char *const bad[] = {
        "", " ", ",", "192.0.2.1,", ",192.0.2.1", "192.0.2.1,,192.0.2.2", "1.2.3",
        "example.org", "192.0.2.1 192.0.2.2", "::g", "[192.0.2.1", "256.0.0.1",
    };
    stc_ip_t out[8];
    stc_posix_cfg_t cfg;
    char err[256];
    size_t i;

    CHECK_EQ(stc_posix_parse_resolver_list("192.0.2.1", out, 8, err, sizeof err), 1);
    CHECK(ip_is(&out[0], "192.0.2.1"));
    CHECK_EQ(stc_posix_parse_resolver_list("192.0.2.1,2001:db8::1", out, 8, err, sizeof err), 2);
    CHECK(ip_is(&out[1], "2001:db8::1"));
    CHECK_EQ(stc_posix_parse_resolver_list(" 192.0.2.1 ,\t[::1] , fe80::2%lo", out, 8, err,
                                           sizeof err),
             3);
    CHECK(ip_is(&out[1], "::1"));
    CHECK(ip_is(&out[2], "fe80::2"));
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err[0] = '\0';
        CHECK_EQ(stc_posix_parse_resolver_list(bad[i], out, 8, err, sizeof err), -1);
        CHECK(err[0] != '\0');
    }
    CHECK_EQ(stc_posix_parse_resolver_list("192.0.2.1,192.0.2.2", out, 1, err, sizeof err), -1);
    CHECK(strstr(err, "too many") != NULL);
    /* the message names the bad token */
    stc_posix_parse_resolver_list("192.0.2.1,nonsense", out, 8, err, sizeof err);
    CHECK(strstr(err, "\"nonsense\"") != NULL);
    /* err may be absent */
    CHECK_EQ(stc_posix_parse_resolver_list("x", out, 8, NULL, 0), -1);

    /* through init: the override wins over an unreadable resolv.conf */
    memset(&cfg, 0, sizeof cfg);
    cfg.resolv_conf = "/nonexistent/resolv.conf";
    cfg.resolver = "127.0.0.53,::1";
    CHECK_EQ(stc_posix_init(&px, &cfg, err, sizeof err), 0);
    CHECK_EQ(px.ops.resolvers(px.ops.user, out, 8), 2);
    CHECK(ip_is(&out[0], "127.0.0.53"));
    CHECK(ip_is(&out[1], "::1"));
    CHECK_EQ(px.ops.version, STC_PORT_VERSION);
    CHECK(px.ops.user == &px);
    stc_posix_free(&px);
    cfg.resolver = "127.0.0.1,bogus";
    CHECK_EQ(stc_posix_init(&px, &cfg, err, sizeof err), -1);
    CHECK(strstr(err, "bogus") != NULL);
    CHECK_EQ(stc_posix_init(&px, &cfg, NULL, 0), -1);
}

/* ---- trust anchors ----------------------------------------------------------- */

static void test_ca_file(void)
{
    static const char pem[] = "# a comment\n-----BEGIN CERTIFICATE-----\nMIIB\n"
                              "-----END CERTIFICATE-----\n";
    static const uint8_t der[] = {0x30, 0x82, 0x01, 0x0a, 0x30, 0x81, 0x00, 0x00};
    stc_posix_cfg_t cfg;
    const uint8_t *buf = NULL;
    size_t len = 0;
    int fmt = 0;
    char path[64], err[256];

    memset(&cfg, 0, sizeof cfg);
    cfg.resolver = "127.0.0.1";

    tmp_write(path, pem, sizeof pem - 1);
    cfg.ca_file = path;
    CHECK_EQ(stc_posix_init(&px, &cfg, err, sizeof err), 0);
    CHECK_EQ(px.ops.trust_anchors(px.ops.user, &buf, &len, &fmt), STC_OK);
    CHECK_EQ(len, sizeof pem - 1);
    CHECK(buf != NULL && memcmp(buf, pem, len) == 0);
    CHECK_EQ(fmt, STC_TA_PEM);
    stc_posix_free(&px);
    stc_posix_free(&px); /* twice is fine */
    unlink(path);

    tmp_write(path, der, sizeof der);
    CHECK_EQ(stc_posix_init(&px, &cfg, err, sizeof err), 0);
    CHECK_EQ(px.ops.trust_anchors(px.ops.user, &buf, &len, &fmt), STC_OK);
    CHECK_EQ(fmt, STC_TA_DER);
    CHECK_EQ(len, sizeof der);
    stc_posix_free(&px);
    unlink(path);

    /* explicit files that cannot serve: init fails and says why */
    cfg.ca_file = "/nonexistent/ca.pem";
    CHECK_EQ(stc_posix_init(&px, &cfg, err, sizeof err), -1);
    CHECK(strstr(err, "/nonexistent/ca.pem") != NULL);
    CHECK(strstr(err, "No such file") != NULL);
    tmp_write(path, "", 0);
    cfg.ca_file = path;
    CHECK_EQ(stc_posix_init(&px, &cfg, err, sizeof err), -1);
    CHECK(strstr(err, "empty") != NULL);
    unlink(path);
    tmp_write(path, "hello world\n", 12);
    CHECK_EQ(stc_posix_init(&px, &cfg, err, sizeof err), -1);
    CHECK(strstr(err, "no certificate") != NULL);
    unlink(path);
    cfg.ca_file = "/tmp";
    CHECK_EQ(stc_posix_init(&px, &cfg, err, sizeof err), -1);
    CHECK(strstr(err, "not a regular file") != NULL);

    /* the system bundle, when this machine has one */
    if (access(STC_POSIX_CA_FILE, R_OK) == 0) {
        cfg.ca_file = NULL;
        CHECK_EQ(stc_posix_init(&px, &cfg, err, sizeof err), 0);
        CHECK_EQ(px.ops.trust_anchors(px.ops.user, &buf, &len, &fmt), STC_OK);
        CHECK(len > 1000);
        CHECK_EQ(fmt, STC_TA_PEM);
        stc_posix_free(&px);
    }
}

/* ---- errno mapping ------------------------------------------------------------- */

static void test_map_errno(void)
{
    CHECK_EQ(stc_posix_map_errno(0, 4, 0), STC_OK);
    CHECK_EQ(stc_posix_map_errno(EAGAIN, 4, 0), STC_EAGAIN);
    CHECK_EQ(stc_posix_map_errno(EINPROGRESS, 4, 1), STC_EAGAIN);
    CHECK_EQ(stc_posix_map_errno(ECONNREFUSED, 6, 1), STC_ECONNREFUSED);
    CHECK_EQ(stc_posix_map_errno(ENETUNREACH, 4, 1), STC_EUNREACH);
    CHECK_EQ(stc_posix_map_errno(ENETUNREACH, 6, 1), STC_EAFNOSUPPORT);
    CHECK_EQ(stc_posix_map_errno(ENETUNREACH, 6, 0), STC_EUNREACH);
    CHECK_EQ(stc_posix_map_errno(EADDRNOTAVAIL, 6, 1), STC_EAFNOSUPPORT);
    CHECK_EQ(stc_posix_map_errno(EADDRNOTAVAIL, 4, 1), STC_EPORT);
    CHECK_EQ(stc_posix_map_errno(EHOSTUNREACH, 6, 1), STC_EUNREACH);
    CHECK_EQ(stc_posix_map_errno(EAFNOSUPPORT, 6, 1), STC_EAFNOSUPPORT);
    CHECK_EQ(stc_posix_map_errno(ETIMEDOUT, 4, 0), STC_ETIMEOUT);
    CHECK_EQ(stc_posix_map_errno(ECONNRESET, 4, 0), STC_ERESET);
    CHECK_EQ(stc_posix_map_errno(EPIPE, 4, 0), STC_ERESET);
    CHECK_EQ(stc_posix_map_errno(EACCES, 4, 1), STC_EPORT);
    /* this machine's limits are ours, never the peer's */
    CHECK_EQ(stc_posix_map_errno(EMFILE, 4, 1), STC_ENOMEM);
    CHECK_EQ(stc_posix_map_errno(ENFILE, 4, 1), STC_ENOMEM);
    CHECK_EQ(stc_posix_map_errno(ENOBUFS, 4, 0), STC_ENOMEM);
}

/* ---- TCP ---------------------------------------------------------------------- */

static void test_tcp(void)
{
    stc_ip_t lo = ip4("127.0.0.1");
    uint16_t port;
    char buf[64];
    int lfd = listener(AF_INET, &port), sfd, sock, i;
    long n;

    CHECK(lfd >= 0);
    if (lfd < 0)
        return;
    sock = connect_ok(&lo, port);
    CHECK_EQ(stc_posix_open_sockets(&px), 1);
    sfd = accept(lfd, NULL, NULL);
    CHECK(sfd >= 0);

    /* client -> server */
    CHECK_EQ(P->send(P->user, sock, "EHLO x\r\n", 8), 8);
    CHECK_EQ(recv(sfd, buf, sizeof buf, 0), 8);
    CHECK(memcmp(buf, "EHLO x\r\n", 8) == 0);
    CHECK_EQ(P->send(P->user, sock, "", 0), 0);

    /* nothing to read yet */
    CHECK_EQ(P->recv(P->user, sock, buf, sizeof buf), STC_EAGAIN);
    CHECK_EQ(wait1(sock, STC_WANT_READ, 0), 0);

    /* server -> client */
    CHECK_EQ(send(sfd, "250 ok\r\n", 8, 0), 8);
    CHECK(wait1(sock, STC_WANT_READ, 2000) & STC_WANT_READ);
    n = P->recv(P->user, sock, buf, sizeof buf);
    CHECK_EQ(n, 8);
    CHECK(memcmp(buf, "250 ok\r\n", 8) == 0);
    CHECK_EQ(P->recv(P->user, sock, buf, 0), STC_EINVAL);

    /* orderly close by the peer: readable, then 0 (repeatable) */
    close(sfd);
    CHECK(wait1(sock, STC_WANT_READ, 2000) & STC_WANT_READ);
    CHECK_EQ(P->recv(P->user, sock, buf, sizeof buf), 0);
    CHECK_EQ(P->recv(P->user, sock, buf, sizeof buf), 0);
    /* writing to it: no SIGPIPE, and soon STC_ERESET */
    for (i = 0, n = 1; i < 20 && n > 0; i++) {
        n = P->send(P->user, sock, "QUIT\r\n", 6);
        if (n > 0)
            wait1(sock, STC_WANT_READ, 20);
    }
    CHECK_EQ(n, STC_ERESET);
    P->close(P->user, sock);
    CHECK_EQ(stc_posix_open_sockets(&px), 0);

    /* reset by the peer: SO_LINGER 0 sends RST */
    sock = connect_ok(&lo, port);
    sfd = accept(lfd, NULL, NULL);
    CHECK(sfd >= 0);
    {
        struct linger lg = {1, 0};
        setsockopt(sfd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
        close(sfd);
    }
    CHECK(wait1(sock, STC_WANT_READ, 2000) & (STC_WANT_READ | STC_READY_ERROR));
    CHECK_EQ(P->recv(P->user, sock, buf, sizeof buf), STC_ERESET);
    CHECK_EQ(stc_posix_last_errno(&px), ECONNRESET);
    P->close(P->user, sock);

    /* a bigger transfer in pieces: everything arrives in order */
    sock = connect_ok(&lo, port);
    sfd = accept(lfd, NULL, NULL);
    {
        static char big[100000];
        size_t got = 0, off = 0;
        int guard;
        for (i = 0; i < (int)sizeof big; i++)
            big[i] = (char)(i * 7);
        for (guard = 0; guard < 10000 && off < sizeof big; guard++) {
            n = P->send(P->user, sock, big + off, sizeof big - off);
            if (n > 0)
                off += (size_t)n;
            else if (n == STC_EAGAIN)
                ; /* the server drains below */
            else
                break;
            {
                char tmp[8192];
                ssize_t r = recv(sfd, tmp, sizeof tmp, MSG_DONTWAIT);
                if (r > 0) {
                    CHECK(memcmp(tmp, big + got, (size_t)r) == 0);
                    got += (size_t)r;
                }
            }
        }
        CHECK_EQ(off, sizeof big);
        shutdown(sfd, SHUT_WR);
        while (got < sizeof big) {
            char tmp[8192];
            ssize_t r = recv(sfd, tmp, sizeof tmp, 0);
            if (r <= 0)
                break;
            CHECK(memcmp(tmp, big + got, (size_t)r) == 0);
            got += (size_t)r;
        }
        CHECK_EQ(got, sizeof big);
    }
    close(sfd);
    P->close(P->user, sock);
    close(lfd);
    CHECK_EQ(stc_posix_open_sockets(&px), 0);
}

static void test_tcp_refused(void)
{
    stc_ip_t lo = ip4("127.0.0.1");
    uint16_t port;
    int lfd = listener(AF_INET, &port), sock = -1, rc;

    /* a port that was just free: listen, note it, close */
    CHECK(lfd >= 0);
    close(lfd);
    rc = P->tcp_connect(P->user, &lo, port, &sock);
    if (rc == STC_EAGAIN) {
        uint8_t rv = wait1(sock, STC_WANT_WRITE, 2000);
        CHECK(rv & STC_READY_ERROR);
        CHECK_EQ(P->tcp_finish(P->user, sock), STC_ECONNREFUSED);
        CHECK_EQ(stc_posix_last_errno(&px), ECONNREFUSED);
        P->close(P->user, sock);
    } else {
        CHECK_EQ(rc, STC_ECONNREFUSED);
        CHECK_EQ(sock, -1);
    }
    CHECK_EQ(stc_posix_open_sockets(&px), 0);

    /* bad arguments */
    {
        stc_ip_t none;
        memset(&none, 0, sizeof none);
        CHECK_EQ(P->tcp_connect(P->user, &none, 25, &sock), STC_EINVAL);
        CHECK_EQ(sock, -1);
        CHECK_EQ(P->tcp_finish(P->user, 77), STC_EINVAL);
        CHECK_EQ(P->send(P->user, 77, "x", 1), STC_EINVAL);
        CHECK_EQ(P->recv(P->user, -1, &rc, 1), STC_EINVAL);
        P->close(P->user, 77); /* ignored */
        P->close(P->user, -1);
        CHECK_EQ(stc_posix_open_sockets(&px), 0);
    }
}

static void test_tcp6(void)
{
    stc_ip_t lo = ip6("::1");
    uint16_t port;
    char buf[16];
    int lfd, sfd, sock;
    struct sockaddr_in6 peer;
    socklen_t pl = sizeof peer;

    if (!have_ipv6()) {
        SKIP("IPv6 TCP: no ::1 here");
        return;
    }
    lfd = listener(AF_INET6, &port);
    CHECK(lfd >= 0);
    sock = connect_ok(&lo, port);
    sfd = accept(lfd, (struct sockaddr *)&peer, &pl);
    CHECK(sfd >= 0);
    CHECK(memcmp(&peer.sin6_addr, &in6addr_loopback, 16) == 0);
    CHECK_EQ(send(sfd, "220 v6\r\n", 8, 0), 8);
    CHECK(wait1(sock, STC_WANT_READ, 2000) & STC_WANT_READ);
    CHECK_EQ(P->recv(P->user, sock, buf, sizeof buf), 8);
    close(sfd);
    close(lfd);
    P->close(P->user, sock);
}

/* ---- UDP ---------------------------------------------------------------------- */

/* udp_roundtrip - query a loopback "resolver" and check the answer's source */
static void udp_roundtrip(int af, const char *loname)
{
    stc_ip_t lo = af == AF_INET ? ip4(loname) : ip6(loname), from;
    uint16_t sport, oport, fport = 0;
    int srv = udp_server(af, &sport), other = udp_server(af, &oport), sock = -1;
    struct sockaddr_storage cli;
    socklen_t cl = sizeof cli;
    char buf[512];
    long n;

    CHECK(srv >= 0 && other >= 0);
    CHECK_EQ(P->udp_open(P->user, af == AF_INET ? 4 : 6, &sock), STC_OK);
    CHECK(sock >= 0);
    CHECK_EQ(P->udp_recvfrom(P->user, sock, buf, sizeof buf, &from, &fport), STC_EAGAIN);
    CHECK_EQ(P->udp_sendto(P->user, sock, &lo, sport, "query", 5), STC_OK);
    n = recvfrom(srv, buf, sizeof buf, 0, (struct sockaddr *)&cli, &cl);
    CHECK_EQ(n, 5);
    CHECK(memcmp(buf, "query", 5) == 0);

    /* the answer from the resolver's port */
    CHECK_EQ(sendto(srv, "answer", 6, 0, (struct sockaddr *)&cli, cl), 6);
    CHECK(wait1(sock, STC_WANT_READ, 2000) & STC_WANT_READ);
    n = P->udp_recvfrom(P->user, sock, buf, sizeof buf, &from, &fport);
    CHECK_EQ(n, 6);
    CHECK(memcmp(buf, "answer", 6) == 0);
    CHECK(ip_is(&from, loname));
    CHECK_EQ(fport, sport);

    /* a datagram from another port says so (the core drops it) */
    CHECK_EQ(sendto(other, "spoof", 5, 0, (struct sockaddr *)&cli, cl), 5);
    CHECK(wait1(sock, STC_WANT_READ, 2000) & STC_WANT_READ);
    n = P->udp_recvfrom(P->user, sock, buf, sizeof buf, &from, &fport);
    CHECK_EQ(n, 5);
    CHECK_EQ(fport, oport);
    CHECK(fport != sport);

    /* too big for the buffer: an error, and the datagram is gone */
    {
        char big[300];
        memset(big, 'b', sizeof big);
        CHECK_EQ(sendto(srv, big, sizeof big, 0, (struct sockaddr *)&cli, cl), 300);
        CHECK(wait1(sock, STC_WANT_READ, 2000) & STC_WANT_READ);
        CHECK_EQ(P->udp_recvfrom(P->user, sock, buf, 10, &from, &fport), STC_ETOOLONG);
        CHECK_EQ(P->udp_recvfrom(P->user, sock, buf, sizeof buf, &from, &fport), STC_EAGAIN);
    }

    /* the wrong family for this socket */
    {
        stc_ip_t wrong = af == AF_INET ? ip6("::1") : ip4("127.0.0.1");
        CHECK_EQ(P->udp_sendto(P->user, sock, &wrong, sport, "x", 1), STC_EINVAL);
    }
    P->close(P->user, sock);
    close(srv);
    close(other);
    CHECK_EQ(stc_posix_open_sockets(&px), 0);
}

static void test_udp(void)
{
    int sock = -1;
    udp_roundtrip(AF_INET, "127.0.0.1");
    if (have_ipv6())
        udp_roundtrip(AF_INET6, "::1");
    else
        SKIP("IPv6 UDP: no ::1 here");
    CHECK_EQ(P->udp_open(P->user, 5, &sock), STC_EINVAL);
    CHECK_EQ(sock, -1);
}

/* ---- wait, clocks, random ------------------------------------------------------ */

static volatile sig_atomic_t ticks;

/* on_alarm - count SIGALRMs (they interrupt poll) */
static void on_alarm(int sig)
{
    (void)sig;
    ticks++;
}

static void test_wait_timeout(void)
{
    uint16_t port;
    int srv = udp_server(AF_INET, &port), sock = -1, rc;
    stc_pollfd_t f[2];
    long long t0, dt;
    uint32_t m0;

    /* nothing to wait on: a plain sleep */
    t0 = mono_ms();
    m0 = P->now_ms(P->user);
    CHECK_EQ(P->wait(P->user, NULL, 0, 150), 0);
    dt = mono_ms() - t0;
    CHECK(dt >= 150 && dt < 650);
    CHECK((uint32_t)(P->now_ms(P->user) - m0) >= 150);

    /* an idle socket */
    CHECK_EQ(P->udp_open(P->user, 4, &sock), STC_OK);
    f[0].sock = sock;
    f[0].events = STC_WANT_READ;
    f[0].revents = 0xff;
    f[1].sock = -1; /* skipped, as poll() skips negative descriptors */
    f[1].events = STC_WANT_READ;
    f[1].revents = 0xff;
    t0 = mono_ms();
    CHECK_EQ(P->wait(P->user, f, 2, 120), 0);
    dt = mono_ms() - t0;
    CHECK(dt >= 120 && dt < 620);
    CHECK_EQ(f[0].revents, 0);
    CHECK_EQ(f[1].revents, 0);

    /* writable at once: no waiting */
    f[0].events = STC_WANT_READ | STC_WANT_WRITE;
    t0 = mono_ms();
    CHECK_EQ(P->wait(P->user, f, 1, 5000), 1);
    CHECK_EQ(f[0].revents, STC_WANT_WRITE);
    CHECK(mono_ms() - t0 < 500);

    /* a socket number that is not open: an error at once */
    f[1].sock = 99;
    f[0].events = STC_WANT_READ;
    t0 = mono_ms();
    CHECK_EQ(P->wait(P->user, f, 2, 3000), 1);
    CHECK_EQ(f[1].revents, STC_READY_ERROR);
    CHECK_EQ(f[0].revents, 0);
    CHECK(mono_ms() - t0 < 500);

    /* signals interrupt poll(): the wait ends early, nothing ready */
    {
        struct sigaction sa, old;
        struct itimerval it, off;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_alarm;
        sigemptyset(&sa.sa_mask);
        sigaction(SIGALRM, &sa, &old);
        memset(&it, 0, sizeof it);
        it.it_interval.tv_usec = 30000;
        it.it_value.tv_usec = 30000;
        ticks = 0;
        setitimer(ITIMER_REAL, &it, NULL);
        t0 = mono_ms();
        rc = P->wait(P->user, f, 1, 250);
        dt = mono_ms() - t0;
        memset(&off, 0, sizeof off);
        setitimer(ITIMER_REAL, &off, NULL);
        sigaction(SIGALRM, &old, NULL);
        /* a signal ends the wait early with nothing ready: the caller
         * looks again (and sees a SIGINT/SIGTERM flag at once) */
        CHECK_EQ(rc, 0);
        CHECK(ticks >= 1);
        CHECK(dt < 250);
    }
    P->close(P->user, sock);
    close(srv);
}

static void test_clock_random(void)
{
    uint8_t a[32], b[32], big[1000];
    int64_t t = P->unix_time(P->user);
    size_t i, zeros = 0;

    CHECK(t > 1600000000);
    CHECK(t - (int64_t)time(NULL) < 5 && (int64_t)time(NULL) - t < 5);
    memset(a, 0, sizeof a);
    memset(b, 0, sizeof b);
    CHECK_EQ(P->random(P->user, a, sizeof a), STC_OK);
    CHECK_EQ(P->random(P->user, b, sizeof b), STC_OK);
    CHECK(memcmp(a, b, sizeof a) != 0);
    for (i = 0; i < sizeof a; i++)
        zeros += a[i] == 0;
    CHECK(zeros < sizeof a / 2);
    CHECK_EQ(P->random(P->user, big, sizeof big), STC_OK);
    CHECK_EQ(P->random(P->user, big, 0), STC_OK);
    {
        uint32_t m0 = P->now_ms(P->user), m1 = P->now_ms(P->user);
        CHECK((int32_t)(m1 - m0) >= 0);
    }
}

static void test_free_closes(void)
{
    int s1 = -1, s2 = -1, fd;
    CHECK_EQ(P->udp_open(P->user, 4, &s1), STC_OK);
    CHECK_EQ(P->udp_open(P->user, 4, &s2), STC_OK);
    CHECK(s1 != s2);
    CHECK_EQ(stc_posix_open_sockets(&px), 2);
    fd = px.fd[s2];
    CHECK(fcntl(fd, F_GETFD) >= 0);
    CHECK(fcntl(fd, F_GETFD) & FD_CLOEXEC);
    CHECK(fcntl(fd, F_GETFL) & O_NONBLOCK);
    stc_posix_free(&px); /* the core leaked two sockets: closed here */
    CHECK(fcntl(fd, F_GETFD) == -1 && errno == EBADF);
    stc_posix_free(&px);
    {
        static stc_posix_t zero; /* never initialised: free does nothing */
        stc_posix_free(&zero);
    }
}

int main(void)
{
    unit_name = "port_posix";
    signal(SIGPIPE, SIG_DFL); /* a missing MSG_NOSIGNAL would kill the test */
    RUN(test_resolv_conf);
    RUN(test_resolv_conf_many_and_none);
    RUN(test_resolver_list);
    RUN(test_ca_file);
    RUN(test_map_errno);
    init_default();
    RUN(test_tcp);
    RUN(test_tcp_refused);
    RUN(test_tcp6);
    RUN(test_udp);
    RUN(test_wait_timeout);
    RUN(test_clock_random);
    RUN(test_free_closes);
    return unit_done();
}
