/* test_fake_port.c - the scripted fake port itself (tests/fake/fake_port.c)
 *
 * The core's state-machine tests trust this fake, so it is pinned here:
 * clock jumps, DNS answers parsed back byte by byte with a reader of our
 * own (not the core's), script steps, delivery modes, counters.
 */
#include "unit.h"

#include "fake/fake_port.h"

#include <time.h>

static const stc_port_t *P;

#define RES "192.0.2.53"

/* ---- helpers ------------------------------------------------------------------ */

/* ip_of - text to stc_ip_t (only the forms the tests use) */
static stc_ip_t ip_of(const char *s)
{
    stc_ip_t ip;
    unsigned a, b, c, d;
    memset(&ip, 0, sizeof ip);
    if (sscanf(s, "%u.%u.%u.%u", &a, &b, &c, &d) == 4) {
        ip.family = 4;
        ip.addr[0] = (uint8_t)a;
        ip.addr[1] = (uint8_t)b;
        ip.addr[2] = (uint8_t)c;
        ip.addr[3] = (uint8_t)d;
    } else if (strcmp(s, "2001:db8::53") == 0) {
        static const uint8_t v[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 0x53};
        ip.family = 6;
        memcpy(ip.addr, v, 16);
    } else if (strcmp(s, "2001:db8::25") == 0) {
        static const uint8_t v[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 0x25};
        ip.family = 6;
        memcpy(ip.addr, v, 16);
    }
    return ip;
}

/* wait1 - wait for one socket; revents (0 on timeout) */
static uint8_t wait1(int sock, uint8_t events, uint32_t ms)
{
    stc_pollfd_t f;
    f.sock = sock;
    f.events = events;
    f.revents = 0;
    return P->wait(P->user, &f, 1, ms) > 0 ? f.revents : 0;
}

/* recv_all - read until EOF/error or cap, waiting up to ms each time;
 * returns bytes, *end = last recv result (0 EOF, negative error) */
static size_t recv_all(int sock, char *buf, size_t cap, uint32_t ms, long *end)
{
    size_t got = 0;
    int guard;
    *end = STC_EAGAIN;
    for (guard = 0; guard < 10000 && got < cap; guard++) {
        long n = P->recv(P->user, sock, buf + got, cap - got);
        if (n > 0) {
            got += (size_t)n;
            continue;
        }
        *end = n;
        if (n != STC_EAGAIN || !wait1(sock, STC_WANT_READ, ms))
            break;
    }
    buf[got < cap ? got : cap - 1] = '\0';
    return got;
}

/* sendstr - send a whole string through the port */
static void sendstr(int sock, const char *s)
{
    size_t n = strlen(s), off = 0;
    int guard;
    for (guard = 0; guard < 1000 && off < n; guard++) {
        long k = P->send(P->user, sock, s + off, n - off);
        if (k <= 0)
            break;
        off += (size_t)k;
    }
    CHECK_EQ(off, n);
}

/* connect_peer - tcp_connect + wait + finish; the socket */
static int connect_peer(const char *ip, uint16_t port)
{
    stc_ip_t a = ip_of(ip);
    int sock = -1, rc = P->tcp_connect(P->user, &a, port, &sock);
    CHECK(rc == STC_OK || rc == STC_EAGAIN);
    if (rc == STC_EAGAIN) {
        CHECK(wait1(sock, STC_WANT_WRITE, 60000) & STC_WANT_WRITE);
        CHECK_EQ(P->tcp_finish(P->user, sock), STC_OK);
    }
    return sock;
}

/* ---- a DNS writer and reader of our own --------------------------------------- */

/* put_name - presentation name to wire at b; length */
static size_t put_name(uint8_t *b, const char *s)
{
    size_t n = 0;
    while (*s) {
        const char *dot = strchr(s, '.');
        size_t l = dot ? (size_t)(dot - s) : strlen(s);
        b[n++] = (uint8_t)l;
        memcpy(b + n, s, l);
        n += l;
        s += l + (dot ? 1 : 0);
    }
    b[n++] = 0;
    return n;
}

/* mkquery - a query as a stub sends it (RD, optional EDNS0 with DO) */
static size_t mkquery(uint8_t *b, uint16_t id, const char *name, uint16_t qtype, int edns,
                      int dobit)
{
    size_t n = 12;
    memset(b, 0, 12);
    b[0] = (uint8_t)(id >> 8);
    b[1] = (uint8_t)id;
    b[2] = 0x01;      /* RD */
    b[5] = 1;         /* QDCOUNT */
    b[11] = edns ? 1 : 0; /* ARCOUNT */
    n += put_name(b + n, name);
    b[n++] = (uint8_t)(qtype >> 8);
    b[n++] = (uint8_t)qtype;
    b[n++] = 0;
    b[n++] = 1; /* IN */
    if (edns) {
        static const uint8_t opt[11] = {0, 0, 41, 0x04, 0xd0, 0, 0, 0, 0, 0, 0};
        memcpy(b + n, opt, 11); /* root, OPT, 1232, TTL 0, RDLEN 0 */
        if (dobit)
            b[n + 7] = 0x80;
        n += 11;
    }
    return n;
}

typedef struct rr {
    char owner[256];
    uint16_t type;
    uint16_t rdlen;
    const uint8_t *rdata;
} rr_t;

typedef struct ans {
    uint16_t id, qd, an, ns, ar;
    uint8_t qr, opcode, aa, tc, rd, ra, ad, rcode;
    size_t qend;
    char qname[256];
    uint16_t qtype;
    int nrr;
    rr_t rr[64];
    int opt, opt_do;
    uint16_t opt_size;
} ans_t;

/* get_name - an uncompressed name (the fake promises no compression) */
static int get_name(const uint8_t *m, size_t n, size_t *off, char *out)
{
    size_t o = *off, k = 0;
    for (;;) {
        size_t l;
        if (o >= n)
            return -1;
        l = m[o++];
        if (l == 0)
            break;
        if (l > 63 || o + l > n || k + l + 2 > 256)
            return -1;
        if (k)
            out[k++] = '.';
        memcpy(out + k, m + o, l);
        k += l;
        o += l;
    }
    out[k] = '\0';
    *off = o;
    return 0;
}

/* g16 - big-endian 16 bits */
static uint16_t g16(const uint8_t *p)
{
    return (uint16_t)((p[0] << 8) | p[1]);
}

/* parse_ans - a whole response; 0, or -1 on any inconsistency */
static int parse_ans(const uint8_t *m, size_t n, ans_t *a)
{
    size_t off = 12;
    int i, total;
    memset(a, 0, sizeof *a);
    if (n < 12)
        return -1;
    a->id = g16(m);
    a->qr = m[2] >> 7;
    a->opcode = (m[2] >> 3) & 15;
    a->aa = (m[2] >> 2) & 1;
    a->tc = (m[2] >> 1) & 1;
    a->rd = m[2] & 1;
    a->ra = m[3] >> 7;
    a->ad = (m[3] >> 5) & 1;
    a->rcode = m[3] & 15;
    a->qd = g16(m + 4);
    a->an = g16(m + 6);
    a->ns = g16(m + 8);
    a->ar = g16(m + 10);
    if (a->qd != 1 || get_name(m, n, &off, a->qname) != 0 || off + 4 > n)
        return -1;
    a->qtype = g16(m + off);
    off += 4;
    a->qend = off;
    total = a->an + a->ns + a->ar;
    for (i = 0; i < total; i++) {
        rr_t r;
        uint32_t ttl;
        if (get_name(m, n, &off, r.owner) != 0 || off + 10 > n)
            return -1;
        r.type = g16(m + off);
        ttl = ((uint32_t)g16(m + off + 4) << 16) | g16(m + off + 6);
        r.rdlen = g16(m + off + 8);
        off += 10;
        if (off + r.rdlen > n)
            return -1;
        r.rdata = m + off;
        if (r.type == 41) {
            a->opt = 1;
            a->opt_size = g16(m + off - 8);
            a->opt_do = (ttl >> 15) & 1;
        } else if (a->nrr < 64) {
            a->rr[a->nrr++] = r;
        }
        off += r.rdlen;
    }
    return off == n ? 0 : -1; /* nothing left over */
}

/* ask - send a UDP query to RES:53 on a fresh socket; the socket */
static int ask(uint16_t id, const char *name, uint16_t qtype, int edns)
{
    uint8_t q[512];
    stc_ip_t res = ip_of(RES);
    int sock = -1;
    size_t n = mkquery(q, id, name, qtype, edns, 1);
    CHECK_EQ(P->udp_open(P->user, 4, &sock), STC_OK);
    CHECK_EQ(P->udp_sendto(P->user, sock, &res, 53, q, n), STC_OK);
    return sock;
}

/* answer - wait (fake clock) for a datagram and parse it; its length or
 * negative; *from_port set */
static long answer(int sock, uint8_t *buf, size_t cap, uint32_t ms, ans_t *a, uint16_t *from_port)
{
    stc_ip_t from;
    uint16_t fp = 0;
    long n;
    wait1(sock, STC_WANT_READ, ms);
    n = P->udp_recvfrom(P->user, sock, buf, cap, &from, &fp);
    if (n > 0) {
        stc_ip_t res = ip_of(RES);
        CHECK(from.family == 4 && memcmp(from.addr, res.addr, 4) == 0);
        CHECK_EQ(parse_ans(buf, (size_t)n, a), 0);
    }
    if (from_port)
        *from_port = fp;
    return n;
}

/* ---- clock -------------------------------------------------------------------- */

static void test_clock(void)
{
    clock_t c0 = clock();

    fake_reset();
    CHECK_EQ(P->now_ms(P->user), FAKE_T0);
    CHECK_EQ(fake_now(), FAKE_T0);
    CHECK_EQ(P->unix_time(P->user), FAKE_UNIX_T0);
    /* reading the clock never moves it */
    CHECK_EQ(P->now_ms(P->user), FAKE_T0);

    /* nothing to wait for: jump to the timeout, across the uint32 wrap */
    CHECK_EQ(P->wait(P->user, NULL, 0, 30000), 0);
    CHECK_EQ(fake_now(), FAKE_T0 + 30000u);
    CHECK(fake_now() < FAKE_T0); /* wrapped */
    CHECK_EQ(P->unix_time(P->user), FAKE_UNIX_T0 + 30);
    CHECK_EQ(P->wait(P->user, NULL, 0, 0), 0);
    CHECK_EQ(fake_now(), FAKE_T0 + 30000u);
    fake_advance(1500);
    CHECK_EQ(fake_now(), FAKE_T0 + 31500u);
    CHECK_EQ(P->unix_time(P->user), FAKE_UNIX_T0 + 31);
    fake_set_time(1000, 2000000000);
    CHECK_EQ(P->now_ms(P->user), 1000);
    CHECK_EQ(P->unix_time(P->user), 2000000000);
    fake_advance(2999);
    CHECK_EQ(P->unix_time(P->user), 2000000002);
    CHECK_EQ(fake_stats()->waits, 2);
    /* all of that took no real time */
    CHECK((double)(clock() - c0) / CLOCKS_PER_SEC < 0.5);

    /* wait limit */
    fake_reset();
    fake_set_wait_limit(3);
    CHECK_EQ(P->wait(P->user, NULL, 0, 10), 0);
    CHECK_EQ(P->wait(P->user, NULL, 0, 10), 0);
    CHECK_EQ(P->wait(P->user, NULL, 0, 10), 0);
    CHECK_EQ(P->wait(P->user, NULL, 0, 10), STC_EPORT);
    CHECK(fake_stats()->wait_limit_hit);
}

/* ---- TCP ---------------------------------------------------------------------- */

static const fake_step_t smtp_script[] = {
    {NULL, "220 mx ESMTP\r\n", 0, FAKE_NONE, 0},
    {"EHLO", "250-mx\r\n250 STARTTLS\r\n", 0, FAKE_NONE, 0},
    {"STARTTLS", "220 go\r\n", 0, FAKE_NONE, 0},
    {"", "\x15\x03\x03\x00\x02\x02\x28", 0, FAKE_CLOSE, 7}, /* has a NUL: length given */
};

static void test_tcp_script(void)
{
    fake_peer_t peer;
    stc_ip_t mx = ip_of("192.0.2.25");
    char buf[256];
    long end;
    int sock = -1, i;

    fake_reset();
    memset(&peer, 0, sizeof peer);
    peer.kind = FAKE_ACCEPT;
    peer.connect_delay_ms = 100;
    peer.script = smtp_script;
    peer.nsteps = FAKE_NSTEPS(smtp_script);
    CHECK_EQ(fake_tcp_peer("192.0.2.25", 25, &peer), 0);

    CHECK_EQ(P->tcp_connect(P->user, &mx, 25, &sock), STC_EAGAIN);
    CHECK(sock >= 0);
    CHECK_EQ(P->tcp_finish(P->user, sock), STC_EAGAIN);
    CHECK_EQ(P->send(P->user, sock, "x", 1), STC_EAGAIN);
    CHECK_EQ(P->recv(P->user, sock, buf, sizeof buf), STC_EAGAIN);
    CHECK_EQ(wait1(sock, STC_WANT_READ, 50), 0); /* not yet */
    CHECK_EQ(fake_now(), FAKE_T0 + 50);
    CHECK_EQ(wait1(sock, STC_WANT_WRITE, 10000), STC_WANT_WRITE);
    CHECK_EQ(fake_now(), FAKE_T0 + 100); /* jumped to the connect, not the timeout */
    CHECK_EQ(P->tcp_finish(P->user, sock), STC_OK);
    CHECK_EQ(fake_stats()->tcp_open, 1);

    /* banner right at connect */
    CHECK_EQ(wait1(sock, STC_WANT_READ | STC_WANT_WRITE, 0), STC_WANT_READ | STC_WANT_WRITE);
    CHECK_EQ(P->recv(P->user, sock, buf, sizeof buf), 14);
    CHECK(memcmp(buf, "220 mx ESMTP\r\n", 14) == 0);
    CHECK_EQ(P->recv(P->user, sock, buf, sizeof buf), STC_EAGAIN);
    CHECK_EQ(wait1(sock, STC_WANT_READ, 0), 0);

    /* a line no step expects: 500, counted, the script waits on */
    sendstr(sock, "NOOP\r\n");
    CHECK_EQ(P->recv(P->user, sock, buf, sizeof buf), 28);
    CHECK(memcmp(buf, "500 ", 4) == 0);
    CHECK_EQ(fake_conn(0)->unexpected, 1);

    /* EHLO in two pieces, lower case */
    sendstr(sock, "ehlo clie");
    CHECK_EQ(P->recv(P->user, sock, buf, sizeof buf), STC_EAGAIN);
    sendstr(sock, "nt.example\r\n");
    CHECK_EQ(recv_all(sock, buf, 23, 1000, &end), 22);
    CHECK_STR(buf, "250-mx\r\n250 STARTTLS\r\n");

    sendstr(sock, "STARTTLS\r\n");
    CHECK_EQ(recv_all(sock, buf, 9, 1000, &end), 8);
    CHECK_STR(buf, "220 go\r\n");
    /* any bytes (a ClientHello) trigger the last step: alert, then EOF */
    CHECK_EQ(P->send(P->user, sock, "\x16\x03\x01\x00\x05hello", 10), 10);
    CHECK_EQ(recv_all(sock, buf, sizeof buf, 1000, &end), 7);
    CHECK(memcmp(buf, "\x15\x03\x03\x00\x02\x02\x28", 7) == 0);
    CHECK_EQ(end, 0);
    CHECK_EQ(P->recv(P->user, sock, buf, sizeof buf), 0); /* EOF stays */
    CHECK_EQ(fake_conn(0)->steps_done, 4);
    /* the client's bytes, all kept */
    CHECK(fake_conn_sent(0, "ehlo client.example\r\n"));
    CHECK(fake_conn_sent(0, "STARTTLS\r\nx") == 0);
    CHECK(fake_conn_sent(0, "\x16\x03\x01"));
    CHECK_EQ(fake_conn(0)->sent_len, 6 + 21 + 10 + 10);
    CHECK_EQ(fake_conn_index("192.0.2.25", 25, 0), 0);
    CHECK_EQ(fake_conn_index("192.0.2.25", 25, 1), -1);
    CHECK(fake_conn(0)->open);
    CHECK_EQ(fake_conn(0)->opened_at, FAKE_T0);

    fake_advance(5);
    P->close(P->user, sock);
    CHECK(!fake_conn(0)->open);
    CHECK_EQ(fake_conn(0)->closed_at, fake_now());
    CHECK_EQ(fake_open_sockets(), 0);
    CHECK_EQ(fake_stats()->bad_calls, 0);
    /* use after close is caught */
    CHECK_EQ(P->send(P->user, sock, "x", 1), STC_EINVAL);
    P->close(P->user, sock);
    CHECK_EQ(fake_stats()->bad_calls, 2);

    /* a second connection to the same peer runs the script afresh */
    sock = connect_peer("192.0.2.25", 25);
    CHECK_EQ(recv_all(sock, buf, 14, 1000, &end), 14);
    P->close(P->user, sock);
    CHECK_EQ(fake_conn_index("192.0.2.25", 25, 1), 1);
    CHECK_EQ(fake_conn_count(), 2);

    /* pipelined lines in one send, each answered in order */
    sock = connect_peer("192.0.2.25", 25);
    recv_all(sock, buf, 14, 1000, &end);
    sendstr(sock, "EHLO a\r\nSTARTTLS\r\n");
    for (i = 0; i < 3; i++)
        wait1(sock, STC_WANT_READ, 10);
    CHECK_EQ(recv_all(sock, buf, 31, 10, &end), 30);
    CHECK_STR(buf, "250-mx\r\n250 STARTTLS\r\n220 go\r\n");
    P->close(P->user, sock);
    CHECK_EQ(fake_open_sockets(), 0);
}

static void test_tcp_timing(void)
{
    static const fake_step_t slow[] = {
        {NULL, "220 slow\r\n", 2000, FAKE_NONE, 0},
        {"EHLO", "250 ok\r\n", 700, FAKE_NONE, 0},
        {"QUIT", NULL, 0, FAKE_STALL, 0},
    };
    fake_peer_t peer;
    char buf[64];
    long end;
    int sock, i;
    uint32_t t0;

    fake_reset();
    memset(&peer, 0, sizeof peer);
    peer.kind = FAKE_ACCEPT;
    peer.script = slow;
    peer.nsteps = FAKE_NSTEPS(slow);
    fake_tcp_peer("192.0.2.25", 25, &peer);
    t0 = fake_now();
    sock = connect_peer("192.0.2.25", 25);
    CHECK_EQ(fake_now(), t0); /* no delay: writable at once */
    CHECK_EQ(wait1(sock, STC_WANT_READ, 30000), STC_WANT_READ);
    CHECK_EQ(fake_now(), t0 + 2000);
    recv_all(sock, buf, 10, 0, &end);
    sendstr(sock, "EHLO x\r\n");
    CHECK_EQ(wait1(sock, STC_WANT_READ, 500), 0);
    CHECK_EQ(fake_now(), t0 + 2500);
    CHECK_EQ(wait1(sock, STC_WANT_READ, 500), STC_WANT_READ);
    CHECK_EQ(fake_now(), t0 + 2700);
    CHECK_EQ(recv_all(sock, buf, 8, 0, &end), 8);
    /* stalled: silence for as long as one waits */
    sendstr(sock, "QUIT\r\n");
    CHECK_EQ(wait1(sock, STC_WANT_READ, 15000), 0);
    CHECK_EQ(fake_now(), t0 + 17700);
    sendstr(sock, "NOOP\r\n");
    CHECK_EQ(P->recv(P->user, sock, buf, sizeof buf), STC_EAGAIN);
    P->close(P->user, sock);

    /* drip: one byte per second; one_byte: one byte per recv */
    {
        static const fake_step_t drip[] = {{NULL, "220 x\r\n", 0, FAKE_CLOSE, 0}};
        memset(&peer, 0, sizeof peer);
        peer.kind = FAKE_ACCEPT;
        peer.drip_ms = 1000;
        peer.script = drip;
        peer.nsteps = 1;
        fake_tcp_peer("192.0.2.26", 25, &peer);
        t0 = fake_now();
        sock = connect_peer("192.0.2.26", 25);
        CHECK_EQ(P->recv(P->user, sock, buf, sizeof buf), 1);
        CHECK_EQ(P->recv(P->user, sock, buf, sizeof buf), STC_EAGAIN);
        CHECK_EQ(recv_all(sock, buf, sizeof buf, 60000, &end), 6);
        CHECK_EQ(end, 0);
        CHECK_EQ(fake_now(), t0 + 6000); /* 7 bytes: the last at +6 s */
        P->close(P->user, sock);

        peer.drip_ms = 0;
        peer.one_byte = 1;
        fake_tcp_peer("192.0.2.26", 25, &peer);
        sock = connect_peer("192.0.2.26", 25);
        for (i = 0; i < 7; i++)
            CHECK_EQ(P->recv(P->user, sock, buf, sizeof buf), 1);
        CHECK_EQ(P->recv(P->user, sock, buf, sizeof buf), 0);
        P->close(P->user, sock);
    }

    /* tx_chunk: partial sends */
    {
        static const fake_step_t eh[] = {{"EHLO", "250 ok\r\n", 0, FAKE_NONE, 0}};
        memset(&peer, 0, sizeof peer);
        peer.kind = FAKE_ACCEPT;
        peer.tx_chunk = 3;
        peer.script = eh;
        peer.nsteps = 1;
        fake_tcp_peer("192.0.2.27", 25, &peer);
        sock = connect_peer("192.0.2.27", 25);
        CHECK_EQ(P->send(P->user, sock, "EHLO x\r\n", 8), 3);
        CHECK_EQ(P->recv(P->user, sock, buf, sizeof buf), STC_EAGAIN);
        sendstr(sock, "O x\r\n"); /* "EHL" went first */
        CHECK_EQ(P->recv(P->user, sock, buf, sizeof buf), 8);
        P->close(P->user, sock);
    }
    CHECK_EQ(fake_open_sockets(), 0);
    CHECK_EQ(fake_stats()->bad_calls, 0);
}

static void test_tcp_kinds(void)
{
    static const fake_step_t rst[] = {
        {NULL, "220 hi\r\n", 0, FAKE_NONE, 0},
        {"EHLO", "421 bye\r\n", 0, FAKE_RESET, 0},
    };
    static const fake_step_t one[] = {{NULL, "220 hi\r\n", 0, FAKE_NONE, 0}};
    fake_peer_t peer;
    stc_ip_t a;
    char buf[64];
    long end;
    int sock = -1, s2 = -1, s3 = -1;

    fake_reset();
    memset(&peer, 0, sizeof peer);

    /* refused after a delay: error readiness, then the reason */
    peer.kind = FAKE_REFUSE;
    peer.connect_delay_ms = 30;
    fake_tcp_peer("192.0.2.1", 25, &peer);
    a = ip_of("192.0.2.1");
    CHECK_EQ(P->tcp_connect(P->user, &a, 25, &sock), STC_EAGAIN);
    CHECK_EQ(wait1(sock, STC_WANT_WRITE, 1000), STC_WANT_WRITE | STC_READY_ERROR);
    CHECK_EQ(P->tcp_finish(P->user, sock), STC_ECONNREFUSED);
    CHECK_EQ(P->recv(P->user, sock, buf, sizeof buf), STC_ECONNREFUSED);
    P->close(P->user, sock);

    /* unreachable */
    peer.kind = FAKE_UNREACH;
    fake_tcp_peer("192.0.2.2", 25, &peer);
    a = ip_of("192.0.2.2");
    CHECK_EQ(P->tcp_connect(P->user, &a, 25, &sock), STC_EAGAIN);
    CHECK(wait1(sock, STC_WANT_WRITE, 1000) & STC_READY_ERROR);
    CHECK_EQ(P->tcp_finish(P->user, sock), STC_EUNREACH);
    P->close(P->user, sock);

    /* black hole: never completes; the wait runs to its timeout */
    peer.kind = FAKE_BLACKHOLE;
    fake_tcp_peer("192.0.2.3", 25, &peer);
    a = ip_of("192.0.2.3");
    CHECK_EQ(P->tcp_connect(P->user, &a, 25, &sock), STC_EAGAIN);
    {
        uint32_t t0 = fake_now();
        CHECK_EQ(wait1(sock, STC_WANT_WRITE, 10000), 0);
        CHECK_EQ(fake_now(), t0 + 10000);
    }
    CHECK_EQ(P->tcp_finish(P->user, sock), STC_EAGAIN);

    /* no address family: no socket at all */
    peer.kind = FAKE_NOAF;
    fake_tcp_peer("192.0.2.4", 25, &peer);
    a = ip_of("192.0.2.4");
    CHECK_EQ(P->tcp_connect(P->user, &a, 25, &s2), STC_EAFNOSUPPORT);
    CHECK_EQ(s2, -1);

    /* connect_now */
    peer.kind = FAKE_REFUSE;
    peer.connect_now = 1;
    fake_tcp_peer("192.0.2.5", 25, &peer);
    a = ip_of("192.0.2.5");
    CHECK_EQ(P->tcp_connect(P->user, &a, 25, &s2), STC_ECONNREFUSED);
    CHECK_EQ(s2, -1);
    peer.kind = FAKE_ACCEPT;
    peer.script = one;
    peer.nsteps = 1;
    fake_tcp_peer("192.0.2.5", 25, &peer);
    CHECK_EQ(P->tcp_connect(P->user, &a, 25, &s2), STC_OK);
    CHECK_EQ(P->recv(P->user, s2, buf, sizeof buf), 8);

    /* undefined peers: the default kind */
    a = ip_of("198.51.100.1");
    CHECK_EQ(P->tcp_connect(P->user, &a, 25, &s3), STC_EAGAIN);
    CHECK_EQ(P->tcp_finish(P->user, s3), STC_ECONNREFUSED);
    P->close(P->user, s3);
    fake_tcp_default(FAKE_BLACKHOLE);
    CHECK_EQ(P->tcp_connect(P->user, &a, 25, &s3), STC_EAGAIN);
    CHECK_EQ(P->tcp_finish(P->user, s3), STC_EAGAIN);

    /* three open at once: blackhole, connect_now, default */
    CHECK_EQ(fake_stats()->tcp_open, 3);
    CHECK_EQ(fake_stats()->tcp_open_max, 3);
    CHECK_EQ(fake_stats()->tcp_connects, 8);
    P->close(P->user, s3);
    P->close(P->user, s2);
    P->close(P->user, sock);
    CHECK_EQ(fake_stats()->tcp_open, 0);
    CHECK_EQ(fake_stats()->tcp_open_max, 3);

    /* IPv6 switched off: family 6 cannot be used at all */
    fake_set_ipv6(0);
    a = ip_of("2001:db8::25");
    CHECK_EQ(P->tcp_connect(P->user, &a, 25, &sock), STC_EAFNOSUPPORT);
    CHECK_EQ(P->udp_open(P->user, 6, &sock), STC_EAFNOSUPPORT);
    CHECK_EQ(sock, -1);
    fake_set_ipv6(1);
    CHECK_EQ(P->udp_open(P->user, 6, &sock), STC_OK);
    P->close(P->user, sock);

    /* reset: data before it is read, then STC_ERESET both ways */
    memset(&peer, 0, sizeof peer);
    peer.kind = FAKE_ACCEPT;
    peer.script = rst;
    peer.nsteps = FAKE_NSTEPS(rst);
    fake_tcp_peer("192.0.2.6", 25, &peer);
    sock = connect_peer("192.0.2.6", 25);
    recv_all(sock, buf, 8, 0, &end);
    sendstr(sock, "EHLO x\r\n");
    CHECK_EQ(wait1(sock, STC_WANT_READ, 0), STC_WANT_READ | STC_READY_ERROR);
    CHECK_EQ(recv_all(sock, buf, sizeof buf, 0, &end), 9);
    CHECK_STR(buf, "421 bye\r\n");
    CHECK_EQ(end, STC_ERESET);
    CHECK_EQ(P->send(P->user, sock, "QUIT\r\n", 6), STC_ERESET);
    P->close(P->user, sock);

    /* auto QUIT after the script, and without it */
    memset(&peer, 0, sizeof peer);
    peer.kind = FAKE_ACCEPT;
    peer.script = one;
    peer.nsteps = 1;
    fake_tcp_peer("192.0.2.7", 25, &peer);
    sock = connect_peer("192.0.2.7", 25);
    recv_all(sock, buf, 8, 0, &end);
    sendstr(sock, "quit\r\n");
    CHECK_EQ(recv_all(sock, buf, sizeof buf, 0, &end), 21);
    CHECK(memcmp(buf, "221 ", 4) == 0);
    CHECK_EQ(end, 0);
    P->close(P->user, sock);
    peer.no_auto_quit = 1;
    fake_tcp_peer("192.0.2.7", 25, &peer);
    sock = connect_peer("192.0.2.7", 25);
    recv_all(sock, buf, 8, 0, &end);
    sendstr(sock, "QUIT\r\n");
    CHECK_EQ(recv_all(sock, buf, sizeof buf, 0, &end), 28);
    CHECK(memcmp(buf, "500 ", 4) == 0);
    CHECK_EQ(end, STC_EAGAIN);
    CHECK_EQ(fake_conn(fake_conn_index("192.0.2.7", 25, 1))->unexpected, 1);
    P->close(P->user, sock);

    /* bad peer definitions */
    peer.nsteps = FAKE_MAX_STEPS + 1;
    CHECK_EQ(fake_tcp_peer("192.0.2.8", 25, &peer), -1);
    peer.nsteps = 0;
    CHECK_EQ(fake_tcp_peer("not-an-ip", 25, &peer), -1);
    CHECK_EQ(fake_open_sockets(), 0);
    CHECK_EQ(fake_stats()->bad_calls, 0);
}

static void test_wait_many(void)
{
    static const fake_step_t late[] = {{NULL, "220 late\r\n", 3000, FAKE_NONE, 0}};
    static const fake_step_t early[] = {{NULL, "220 early\r\n", 1000, FAKE_NONE, 0}};
    fake_peer_t peer;
    stc_pollfd_t f[3];
    int a, b;
    uint32_t t0;

    fake_reset();
    memset(&peer, 0, sizeof peer);
    peer.kind = FAKE_ACCEPT;
    peer.script = late;
    peer.nsteps = 1;
    fake_tcp_peer("192.0.2.10", 25, &peer);
    peer.script = early;
    fake_tcp_peer("192.0.2.11", 25, &peer);
    t0 = fake_now();
    a = connect_peer("192.0.2.10", 25);
    b = connect_peer("192.0.2.11", 25);
    f[0].sock = a;
    f[1].sock = b;
    f[2].sock = -1; /* ignored */
    f[0].events = f[1].events = f[2].events = STC_WANT_READ;
    CHECK_EQ(P->wait(P->user, f, 3, 30000), 1);
    CHECK_EQ(fake_now(), t0 + 1000); /* the earlier event */
    CHECK_EQ(f[0].revents, 0);
    CHECK_EQ(f[1].revents, STC_WANT_READ);
    CHECK_EQ(f[2].revents, 0);
    f[1].sock = -1;
    CHECK_EQ(P->wait(P->user, f, 3, 30000), 1);
    CHECK_EQ(fake_now(), t0 + 3000);
    CHECK_EQ(f[0].revents, STC_WANT_READ);
    /* a socket that is not open: error at once, counted */
    f[2].sock = 40;
    CHECK_EQ(P->wait(P->user, f + 2, 1, 30000), 1);
    CHECK_EQ(f[2].revents, STC_READY_ERROR);
    CHECK_EQ(fake_now(), t0 + 3000);
    CHECK_EQ(fake_stats()->bad_calls, 1);
    P->close(P->user, a);
    P->close(P->user, b);
    CHECK_EQ(fake_open_sockets(), 0);
}

/* ---- DNS ---------------------------------------------------------------------- */

static void test_dns_answers(void)
{
    static const uint8_t v4[4] = {192, 0, 2, 25};
    static const uint8_t v6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 0x25};
    static const uint8_t mxrd[] = {0, 10, 2, 'm', 'x', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e',
                                   3, 'o', 'r', 'g', 0};
    uint8_t buf[4096], q[512];
    ans_t a;
    stc_ip_t res[4];
    size_t qn, ql;
    const uint8_t *lq;
    int sock;
    uint16_t fp;
    char txt[301];

    fake_reset();
    CHECK_EQ(fake_resolver(RES), 0);
    CHECK_EQ(fake_resolver("2001:db8::53"), 0);
    CHECK_EQ(fake_resolver("nope"), -1);
    CHECK_EQ(P->resolvers(P->user, res, 4), 2);
    CHECK_EQ(res[1].family, 6);
    CHECK_EQ(P->resolvers(P->user, res, 1), 1);
    CHECK_EQ(res[0].family, 4);

    CHECK_EQ(fake_dns_add("example.org", FAKE_MX, "10 mx.example.org"), 0);
    CHECK_EQ(fake_dns_add("Mx.Example.Org.", FAKE_A, "192.0.2.25"), 0);
    CHECK_EQ(fake_dns_add("mx.example.org", FAKE_AAAA, "2001:db8::25"), 0);
    CHECK_EQ(fake_dns_add("null.example", FAKE_MX, "0 ."), 0);
    CHECK_EQ(fake_dns_add("alias.example.org", FAKE_CNAME, "mid.example.org"), 0);
    CHECK_EQ(fake_dns_add("mid.example.org", FAKE_CNAME, "mx.example.org"), 0);
    CHECK_EQ(fake_dns_add("loop1.example", FAKE_CNAME, "loop2.example"), 0);
    CHECK_EQ(fake_dns_add("loop2.example", FAKE_CNAME, "loop1.example"), 0);
    memset(txt, 'a', 300);
    txt[300] = '\0';
    CHECK_EQ(fake_dns_add("_mta-sts.example.org", FAKE_TXT, txt), 0);
    CHECK_EQ(fake_dns_add("x", FAKE_A, "2001:db8::1"), -1);
    CHECK_EQ(fake_dns_add("x", FAKE_MX, "mx.example.org"), -1);
    CHECK_EQ(fake_dns_add("x", FAKE_MX, "70000 mx"), -1);
    CHECK_EQ(fake_dns_add("a..b", FAKE_A, "192.0.2.1"), -1);
    CHECK_EQ(fake_dns_add("x", 99, "data"), -1);

    /* A, with EDNS: every header field, the echoed question, the OPT */
    sock = ask(0x1234, "MX.example.ORG", FAKE_A, 1);
    qn = mkquery(q, 0x1234, "MX.example.ORG", FAKE_A, 1, 1);
    CHECK(answer(sock, buf, sizeof buf, 1000, &a, &fp) > 0);
    CHECK_EQ(fp, 53);
    CHECK_EQ(a.id, 0x1234);
    CHECK_EQ(a.qr, 1);
    CHECK_EQ(a.opcode, 0);
    CHECK_EQ(a.tc, 0);
    CHECK_EQ(a.rd, 1);
    CHECK_EQ(a.ra, 1);
    CHECK_EQ(a.ad, 0);
    CHECK_EQ(a.rcode, 0);
    CHECK_EQ(a.an, 1);
    CHECK_EQ(a.ns, 0);
    CHECK_EQ(a.ar, 1);
    CHECK(memcmp(buf + 12, q + 12, a.qend - 12) == 0); /* question as sent */
    CHECK_STR(a.qname, "MX.example.ORG");
    CHECK_EQ(a.nrr, 1);
    CHECK_STR(a.rr[0].owner, "mx.example.org");
    CHECK_EQ(a.rr[0].type, FAKE_A);
    CHECK_EQ(a.rr[0].rdlen, 4);
    CHECK(memcmp(a.rr[0].rdata, v4, 4) == 0);
    CHECK(a.opt);
    CHECK_EQ(a.opt_do, 1);
    CHECK_EQ(a.opt_size, 1232);
    /* the query was seen and kept */
    lq = fake_dns_last_query(&ql);
    CHECK_EQ(ql, qn);
    CHECK(lq != NULL && memcmp(lq, q, qn) == 0);
    CHECK_EQ(fake_dns_count("mx.example.org", FAKE_A), 1);
    CHECK_EQ(fake_stats()->udp_queries, 1);
    P->close(P->user, sock);

    /* no EDNS: no OPT back */
    sock = ask(7, "mx.example.org", FAKE_AAAA, 0);
    CHECK(answer(sock, buf, sizeof buf, 1000, &a, NULL) > 0);
    CHECK_EQ(a.ar, 0);
    CHECK_EQ(a.opt, 0);
    CHECK_EQ(a.rr[0].rdlen, 16);
    CHECK(memcmp(a.rr[0].rdata, v6, 16) == 0);
    P->close(P->user, sock);

    /* MX and null MX */
    sock = ask(8, "example.org", FAKE_MX, 1);
    CHECK(answer(sock, buf, sizeof buf, 1000, &a, NULL) > 0);
    CHECK_EQ(a.nrr, 1);
    CHECK_EQ(a.rr[0].rdlen, sizeof mxrd);
    CHECK(memcmp(a.rr[0].rdata, mxrd, sizeof mxrd) == 0);
    P->close(P->user, sock);
    sock = ask(9, "null.example", FAKE_MX, 1);
    CHECK(answer(sock, buf, sizeof buf, 1000, &a, NULL) > 0);
    CHECK_EQ(a.rr[0].rdlen, 3);
    CHECK(memcmp(a.rr[0].rdata, "\0\0\0", 3) == 0);
    P->close(P->user, sock);

    /* CNAME chain followed, links included in order */
    sock = ask(10, "alias.example.org", FAKE_A, 1);
    CHECK(answer(sock, buf, sizeof buf, 1000, &a, NULL) > 0);
    CHECK_EQ(a.rcode, 0);
    CHECK_EQ(a.nrr, 3);
    CHECK_STR(a.rr[0].owner, "alias.example.org");
    CHECK_EQ(a.rr[0].type, FAKE_CNAME);
    CHECK_STR(a.rr[1].owner, "mid.example.org");
    CHECK_EQ(a.rr[1].type, FAKE_CNAME);
    CHECK_STR(a.rr[2].owner, "mx.example.org");
    CHECK_EQ(a.rr[2].type, FAKE_A);
    {
        size_t o = 0;
        char t[256];
        CHECK_EQ(get_name(a.rr[0].rdata, a.rr[0].rdlen, &o, t), 0);
        CHECK_STR(t, "mid.example.org");
        CHECK_EQ(o, a.rr[0].rdlen);
    }
    P->close(P->user, sock);
    /* asking for the CNAME itself gives just it */
    sock = ask(11, "alias.example.org", FAKE_CNAME, 1);
    CHECK(answer(sock, buf, sizeof buf, 1000, &a, NULL) > 0);
    CHECK_EQ(a.nrr, 1);
    P->close(P->user, sock);
    /* a loop ends (bounded), NOERROR */
    sock = ask(12, "loop1.example", FAKE_A, 1);
    CHECK(answer(sock, buf, sizeof buf, 1000, &a, NULL) > 0);
    CHECK(a.nrr >= 2 && a.nrr <= 10);
    P->close(P->user, sock);

    /* TXT longer than 255: two character-strings */
    sock = ask(13, "_mta-sts.example.org", FAKE_TXT, 1);
    CHECK(answer(sock, buf, sizeof buf, 1000, &a, NULL) > 0);
    CHECK_EQ(a.rr[0].rdlen, 302);
    CHECK_EQ(a.rr[0].rdata[0], 255);
    CHECK_EQ(a.rr[0].rdata[256], 45);
    P->close(P->user, sock);

    /* NXDOMAIN; NODATA for other types, and for names with names below */
    sock = ask(14, "nothing.example.org", FAKE_A, 1);
    CHECK(answer(sock, buf, sizeof buf, 1000, &a, NULL) > 0);
    CHECK_EQ(a.rcode, 3);
    CHECK_EQ(a.an, 0);
    P->close(P->user, sock);
    sock = ask(15, "example.org", FAKE_A, 1);
    CHECK(answer(sock, buf, sizeof buf, 1000, &a, NULL) > 0);
    CHECK_EQ(a.rcode, 0);
    CHECK_EQ(a.an, 0);
    P->close(P->user, sock);
    sock = ask(16, "org", FAKE_MX, 1);
    CHECK(answer(sock, buf, sizeof buf, 1000, &a, NULL) > 0);
    CHECK_EQ(a.rcode, 0);
    P->close(P->user, sock);

    /* raw records */
    {
        static const uint8_t tlsa[] = {3, 1, 1, 0xaa, 0xbb};
        CHECK_EQ(fake_dns_add_raw("_25._tcp.mx.example.org", FAKE_TLSA, tlsa, sizeof tlsa), 0);
        sock = ask(17, "_25._tcp.mx.example.org", FAKE_TLSA, 1);
        CHECK(answer(sock, buf, sizeof buf, 1000, &a, NULL) > 0);
        CHECK_EQ(a.rr[0].type, FAKE_TLSA);
        CHECK_EQ(a.rr[0].rdlen, sizeof tlsa);
        CHECK(memcmp(a.rr[0].rdata, tlsa, sizeof tlsa) == 0);
        P->close(P->user, sock);
    }
    CHECK_EQ(fake_dns_count(NULL, 0), 12);
    CHECK_EQ(fake_dns_count("example.org", 0), 2);
    CHECK_EQ(fake_dns_count("EXAMPLE.org.", FAKE_MX), 1);
    CHECK_EQ(fake_open_sockets(), 0);
    CHECK_EQ(fake_stats()->bad_calls, 0);
}

static void test_dns_rules(void)
{
    fake_dns_rule_t r;
    uint8_t buf[4096];
    ans_t a;
    uint16_t fp;
    int sock;
    uint32_t t0;

    fake_reset();
    fake_resolver(RES);
    fake_dns_add("ok.example", FAKE_A, "192.0.2.1");
    fake_dns_add("sec.example", FAKE_A, "192.0.2.2");
    fake_dns_add("slow.example", FAKE_A, "192.0.2.3");
    fake_dns_add("spoof.example", FAKE_A, "192.0.2.4");

    memset(&r, 0, sizeof r);
    r.rcode = 2;
    CHECK_EQ(fake_dns_rule("fail.example", 0, &r), 0);
    memset(&r, 0, sizeof r);
    r.ad = 1;
    CHECK_EQ(fake_dns_rule("sec.example", FAKE_A, &r), 0);
    memset(&r, 0, sizeof r);
    r.delay_ms = 700;
    CHECK_EQ(fake_dns_rule("slow.example", 0, &r), 0);
    memset(&r, 0, sizeof r);
    r.drop = 1;
    CHECK_EQ(fake_dns_rule("lost.example", 0, &r), 0);
    memset(&r, 0, sizeof r);
    r.drop_first = 1;
    CHECK_EQ(fake_dns_rule("ok.example", FAKE_A, &r), 0);
    memset(&r, 0, sizeof r);
    r.wrong_id = 1;
    r.other_port = 1;
    CHECK_EQ(fake_dns_rule("spoof.example", 0, &r), 0);

    sock = ask(1, "fail.example", FAKE_MX, 1);
    CHECK(answer(sock, buf, sizeof buf, 1000, &a, NULL) > 0);
    CHECK_EQ(a.rcode, 2);
    CHECK_EQ(a.an, 0);
    P->close(P->user, sock);

    sock = ask(2, "sec.example", FAKE_A, 1);
    CHECK(answer(sock, buf, sizeof buf, 1000, &a, NULL) > 0);
    CHECK_EQ(a.ad, 1);
    CHECK_EQ(a.an, 1);
    P->close(P->user, sock);
    sock = ask(3, "sec.example", FAKE_AAAA, 1); /* the rule is for A only */
    CHECK(answer(sock, buf, sizeof buf, 1000, &a, NULL) > 0);
    CHECK_EQ(a.ad, 0);
    P->close(P->user, sock);

    /* delay: not there at 699 ms, there at 700 */
    t0 = fake_now();
    sock = ask(4, "slow.example", FAKE_A, 1);
    CHECK_EQ(wait1(sock, STC_WANT_READ, 699), 0);
    CHECK_EQ(P->udp_recvfrom(P->user, sock, buf, sizeof buf, NULL, &fp), STC_EINVAL);
    CHECK_EQ(wait1(sock, STC_WANT_READ, 5000), STC_WANT_READ);
    CHECK_EQ(fake_now(), t0 + 700);
    CHECK(answer(sock, buf, sizeof buf, 0, &a, NULL) > 0);
    CHECK_EQ(a.id, 4);
    P->close(P->user, sock);

    /* dropped: the wait runs out */
    t0 = fake_now();
    sock = ask(5, "lost.example", FAKE_A, 1);
    CHECK_EQ(wait1(sock, STC_WANT_READ, 2000), 0);
    CHECK_EQ(fake_now(), t0 + 2000);
    P->close(P->user, sock);

    /* the first query is dropped, the retry answered */
    sock = ask(6, "ok.example", FAKE_A, 1);
    CHECK_EQ(wait1(sock, STC_WANT_READ, 1000), 0);
    P->close(P->user, sock);
    sock = ask(7, "ok.example", FAKE_A, 1);
    CHECK(answer(sock, buf, sizeof buf, 1000, &a, NULL) > 0);
    CHECK_EQ(a.id, 7);
    P->close(P->user, sock);

    /* spoofs first: wrong ID, then another port, then the genuine one */
    sock = ask(0x4242, "spoof.example", FAKE_A, 1);
    CHECK(answer(sock, buf, sizeof buf, 1000, &a, &fp) > 0);
    CHECK(a.id != 0x4242);
    CHECK_EQ(fp, 53);
    CHECK(answer(sock, buf, sizeof buf, 1000, &a, &fp) > 0);
    CHECK_EQ(a.id, 0x4242);
    CHECK_EQ(fp, 5353);
    CHECK(answer(sock, buf, sizeof buf, 1000, &a, &fp) > 0);
    CHECK_EQ(a.id, 0x4242);
    CHECK_EQ(fp, 53);
    CHECK_EQ(answer(sock, buf, sizeof buf, 0, &a, &fp), STC_EAGAIN);
    P->close(P->user, sock);

    /* a default rule for every other name */
    memset(&r, 0, sizeof r);
    r.rcode = 5;
    CHECK_EQ(fake_dns_rule(NULL, 0, &r), 0);
    sock = ask(8, "other.example", FAKE_A, 1);
    CHECK(answer(sock, buf, sizeof buf, 1000, &a, NULL) > 0);
    CHECK_EQ(a.rcode, 5);
    P->close(P->user, sock);
    sock = ask(9, "sec.example", FAKE_A, 1); /* its own rule wins */
    CHECK(answer(sock, buf, sizeof buf, 1000, &a, NULL) > 0);
    CHECK_EQ(a.rcode, 0);
    CHECK_EQ(a.ad, 1);
    P->close(P->user, sock);

    /* answers due at different times come in time order */
    {
        stc_ip_t res = ip_of(RES), from;
        uint8_t q[512];
        size_t n;
        CHECK_EQ(P->udp_open(P->user, 4, &sock), STC_OK);
        n = mkquery(q, 100, "slow.example", FAKE_A, 1, 0);
        P->udp_sendto(P->user, sock, &res, 53, q, n);
        n = mkquery(q, 101, "sec.example", FAKE_A, 1, 0);
        P->udp_sendto(P->user, sock, &res, 53, q, n);
        CHECK(answer(sock, buf, sizeof buf, 1000, &a, NULL) > 0);
        CHECK_EQ(a.id, 101);
        CHECK(answer(sock, buf, sizeof buf, 1000, &a, NULL) > 0);
        CHECK_EQ(a.id, 100);
        /* too small a buffer: consumed with STC_ETOOLONG */
        n = mkquery(q, 102, "sec.example", FAKE_A, 1, 0);
        P->udp_sendto(P->user, sock, &res, 53, q, n);
        CHECK_EQ(P->udp_recvfrom(P->user, sock, buf, 20, &from, &fp), STC_ETOOLONG);
        CHECK_EQ(P->udp_recvfrom(P->user, sock, buf, sizeof buf, &from, &fp), STC_EAGAIN);
        P->close(P->user, sock);
    }
    CHECK_EQ(fake_open_sockets(), 0);
    CHECK_EQ(fake_stats()->bad_calls, 0);
}

/* tcp_ask - one framed query over the TCP socket; the parsed answer */
static int tcp_ask(int sock, uint16_t id, const char *name, uint16_t qtype, ans_t *a,
                   uint8_t *buf, size_t cap)
{
    uint8_t q[514];
    size_t n = mkquery(q + 2, id, name, qtype, 1, 1), got = 0, want = 2;
    int guard;
    q[0] = (uint8_t)(n >> 8);
    q[1] = (uint8_t)n;
    if (P->send(P->user, sock, q, n + 2) != (long)(n + 2))
        return -1;
    for (guard = 0; guard < 1000 && got < want; guard++) {
        long k = P->recv(P->user, sock, buf + got, want - got);
        if (k == STC_EAGAIN) {
            if (!wait1(sock, STC_WANT_READ, 5000))
                return -1;
            continue;
        }
        if (k <= 0)
            return -1;
        got += (size_t)k;
        if (got == 2 && want == 2) {
            want = 2 + g16(buf);
            if (want > cap)
                return -1;
        }
    }
    if (got != want)
        return -1;
    return parse_ans(buf + 2, want - 2, a);
}

static void test_dns_tcp(void)
{
    fake_dns_rule_t r;
    uint8_t buf[70000];
    ans_t a;
    stc_ip_t res = ip_of(RES);
    int sock, i;
    long n;
    char big[201];

    fake_reset();
    fake_resolver(RES);
    fake_dns_add("big.example", FAKE_A, "192.0.2.9");
    memset(&r, 0, sizeof r);
    r.tc = 1;
    fake_dns_rule("big.example", 0, &r);
    memset(big, 't', 200);
    big[200] = '\0';
    for (i = 0; i < 40; i++) /* 40 x ~230 bytes: over 512 and over 4096 */
        fake_dns_add("many.example", FAKE_TXT, big);

    /* the TC rule: UDP says TC, no records */
    sock = ask(1, "big.example", FAKE_A, 1);
    CHECK(answer(sock, buf, sizeof buf, 1000, &a, NULL) > 0);
    CHECK_EQ(a.tc, 1);
    CHECK_EQ(a.an, 0);
    CHECK(a.opt);
    P->close(P->user, sock);

    /* too big for UDP: TC by itself (512 without EDNS, 1232 with) */
    sock = ask(2, "many.example", FAKE_TXT, 0);
    n = answer(sock, buf, sizeof buf, 1000, &a, NULL);
    CHECK(n > 0 && n <= 512);
    CHECK_EQ(a.tc, 1);
    P->close(P->user, sock);
    sock = ask(3, "many.example", FAKE_TXT, 1);
    n = answer(sock, buf, sizeof buf, 1000, &a, NULL);
    CHECK(n > 0 && n <= 1232);
    CHECK_EQ(a.tc, 1);
    P->close(P->user, sock);

    /* over TCP: whole answers, framed, several on one connection */
    sock = connect_peer(RES, 53);
    CHECK_EQ(tcp_ask(sock, 4, "big.example", FAKE_A, &a, buf, sizeof buf), 0);
    CHECK_EQ(a.id, 4);
    CHECK_EQ(a.tc, 0);
    CHECK_EQ(a.an, 1);
    CHECK_EQ(tcp_ask(sock, 5, "many.example", FAKE_TXT, &a, buf, sizeof buf), 0);
    CHECK_EQ(a.an, 40);
    CHECK(g16(buf) > 4096);
    CHECK(fake_conn(0)->dns);
    CHECK_EQ(fake_conn(0)->sent_len, (size_t)(2 + 40 + 2 + 41));
    CHECK_EQ(fake_stats()->tcp_queries, 2);
    CHECK_EQ(fake_stats()->udp_queries, 3);
    /* a query split over sends still parses */
    {
        uint8_t q[514];
        size_t qn = mkquery(q + 2, 6, "big.example", FAKE_A, 0, 0);
        q[0] = 0;
        q[1] = (uint8_t)qn;
        CHECK_EQ(P->send(P->user, sock, q, 1), 1);
        CHECK_EQ(P->send(P->user, sock, q + 1, 5), 5);
        CHECK_EQ(P->recv(P->user, sock, buf, sizeof buf), STC_EAGAIN);
        CHECK_EQ(P->send(P->user, sock, q + 6, qn - 4), (long)(qn - 4));
        CHECK(wait1(sock, STC_WANT_READ, 1000) & STC_WANT_READ);
        n = P->recv(P->user, sock, buf, sizeof buf);
        CHECK(n > 14);
        CHECK_EQ(g16(buf), n - 2);
    }
    P->close(P->user, sock);

    /* resolver TCP refused, and a muted resolver */
    fake_dns_tcp(FAKE_REFUSE);
    sock = -1;
    CHECK_EQ(P->tcp_connect(P->user, &res, 53, &sock), STC_EAGAIN);
    CHECK_EQ(P->tcp_finish(P->user, sock), STC_ECONNREFUSED);
    P->close(P->user, sock);
    fake_dns_tcp(FAKE_ACCEPT);
    CHECK_EQ(fake_resolver_mute(RES, 1), 0);
    CHECK_EQ(fake_resolver_mute("192.0.2.99", 1), -1);
    sock = ask(7, "big.example", FAKE_A, 1);
    CHECK_EQ(wait1(sock, STC_WANT_READ, 3000), 0);
    CHECK_EQ(fake_stats()->udp_dropped, 1);
    P->close(P->user, sock);
    CHECK_EQ(P->tcp_connect(P->user, &res, 53, &sock), STC_EAGAIN);
    CHECK_EQ(P->tcp_finish(P->user, sock), STC_ECONNREFUSED);
    P->close(P->user, sock);
    fake_resolver_mute(RES, 0);

    /* datagrams elsewhere are lost; junk to a resolver is not a query */
    {
        stc_ip_t other = ip_of("192.0.2.200");
        uint8_t q[512];
        size_t qn = mkquery(q, 8, "big.example", FAKE_A, 0, 0);
        CHECK_EQ(P->udp_open(P->user, 4, &sock), STC_OK);
        CHECK_EQ(P->udp_sendto(P->user, sock, &other, 53, q, qn), STC_OK);
        CHECK_EQ(P->udp_sendto(P->user, sock, &res, 5300, q, qn), STC_OK);
        CHECK_EQ(fake_stats()->udp_dropped, 3);
        CHECK_EQ(P->udp_sendto(P->user, sock, &res, 53, "junk", 4), STC_OK);
        q[2] |= 0x80; /* a response, not a query */
        CHECK_EQ(P->udp_sendto(P->user, sock, &res, 53, q, qn), STC_OK);
        q[2] &= 0x7f;
        q[5] = 2; /* two questions */
        CHECK_EQ(P->udp_sendto(P->user, sock, &res, 53, q, qn), STC_OK);
        CHECK_EQ(fake_stats()->bad_queries, 3);
        CHECK_EQ(wait1(sock, STC_WANT_READ, 1000), 0);
        /* the wrong family for the socket */
        {
            stc_ip_t v6 = ip_of("2001:db8::53");
            CHECK_EQ(P->udp_sendto(P->user, sock, &v6, 53, q, qn), STC_EINVAL);
        }
        P->close(P->user, sock);
    }
    CHECK_EQ(fake_open_sockets(), 0);
    CHECK_EQ(fake_stats()->bad_calls, 0);
}

/* ---- random, anchors ------------------------------------------------------------ */

static void test_random_anchors(void)
{
    static const uint8_t pem[] = "-----BEGIN CERTIFICATE-----\n";
    uint8_t a[16], b[16], c[16];
    const uint8_t *buf = NULL;
    size_t len = 0;
    int fmt = 0;

    fake_reset();
    CHECK_EQ(P->random(P->user, a, sizeof a), STC_OK);
    CHECK_EQ(P->random(P->user, b, sizeof b), STC_OK);
    CHECK(memcmp(a, b, sizeof a) != 0);
    fake_reset(); /* deterministic: the same sequence again */
    CHECK_EQ(P->random(P->user, c, sizeof c), STC_OK);
    CHECK(memcmp(a, c, sizeof a) == 0);
    fake_seed(42);
    CHECK_EQ(P->random(P->user, c, sizeof c), STC_OK);
    CHECK(memcmp(a, c, sizeof a) != 0);
    fake_random_fail(1);
    CHECK_EQ(P->random(P->user, c, sizeof c), STC_EPORT);

    CHECK_EQ(P->trust_anchors(P->user, &buf, &len, &fmt), STC_EPORT);
    fake_set_anchors(pem, sizeof pem - 1, STC_TA_PEM);
    CHECK_EQ(P->trust_anchors(P->user, &buf, &len, &fmt), STC_OK);
    CHECK(buf == pem);
    CHECK_EQ(len, sizeof pem - 1);
    CHECK_EQ(fmt, STC_TA_PEM);
    CHECK_EQ(P->version, STC_PORT_VERSION);
    CHECK(fake_port() == P);
}

int main(void)
{
    unit_name = "fake_port";
    P = fake_port();
    RUN(test_clock);
    RUN(test_tcp_script);
    RUN(test_tcp_timing);
    RUN(test_tcp_kinds);
    RUN(test_wait_many);
    RUN(test_dns_answers);
    RUN(test_dns_rules);
    RUN(test_dns_tcp);
    RUN(test_random_anchors);
    fake_reset(); /* frees everything: the leak checker sees nothing left */
    return unit_done();
}
