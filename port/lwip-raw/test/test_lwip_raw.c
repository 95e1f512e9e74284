/* test_lwip_raw.c - port/lwip-raw on the host, against a real lwIP
 *
 * lwIP 2.1.3 (Debian's source package) built NO_SYS=1 for the host with
 * the loopback interface: the port's sockets talk to raw-API servers of
 * this file on 127.0.0.1, the "driver poll" is netif_poll_all() (which
 * delivers what the loopback netif queued), and sys_now() is a fake clock
 * that only the port's idle() advances, so timers and timeouts are
 * deterministic. Checked: the set-up rules; connect, send and receive;
 * a refused connect; flow control (a reader that does not read holds at
 * most TCP_WND bytes, then gets every byte in order); the peer's close;
 * UDP with its source address, truncation and the full ring; wait() on
 * bad, skipped and idle entries; the err_t mapping; no pcb left behind.
 * Built and run by boards/mps2-an386/board.mk (make test-lwip-raw).
 */
#include "stc_lwip_raw.h"

#include "lwip/init.h"
#include "lwip/ip_addr.h"
#include "lwip/memp.h"
#include "lwip/netif.h"
#include "lwip/stats.h"
#include "lwip/tcp.h"
#include "lwip/timeouts.h"
#include "lwip/udp.h"

#include "../../../tests/unit/unit.h"

#define SRV_PORT 2525
#define CLOSED_PORT 2526
#define UDP_PORT 5353
#define BULK 20000u

static uint32_t now_ms;
static stc_lwip_raw_t lw;
static const stc_ip_t lo = {4, {127, 0, 0, 1}};

u32_t sys_now(void)
{
    return now_ms;
}

/* ---- the board side: poll = loopback delivery, idle = 1 ms passes -------- */

static void t_poll(void *board)
{
    (void)board;
    netif_poll_all();
}

static void t_idle(void *board)
{
    (void)board;
    now_ms++;
}

static int t_random(void *board, void *buf, size_t n)
{
    (void)board;
    memset(buf, 0x5a, n);
    return 0;
}

/* pump - let ms of fake time pass with the stack running */
static void pump(uint32_t ms)
{
    uint32_t end = now_ms + ms;
    while ((int32_t)(now_ms - end) < 0) {
        stc_lwip_raw_poll(&lw);
        now_ms++;
    }
    stc_lwip_raw_poll(&lw);
}

/* ---- a raw-API server: banner, then echo; "BULK" sends BULK bytes and
 * closes; "CLOSE" closes ------------------------------------------------- */

static struct tcp_pcb *srv_conn;
static uint8_t bulk[BULK];
static size_t bulk_sent;

static void srv_push_bulk(struct tcp_pcb *pcb)
{
    while (bulk_sent < BULK && tcp_sndbuf(pcb) > 0) {
        size_t n = BULK - bulk_sent;
        if (n > tcp_sndbuf(pcb))
            n = tcp_sndbuf(pcb);
        if (tcp_write(pcb, bulk + bulk_sent, (u16_t)n, TCP_WRITE_FLAG_COPY) != ERR_OK)
            break;
        bulk_sent += n;
    }
    tcp_output(pcb);
    if (bulk_sent == BULK) {
        tcp_close(pcb);
        srv_conn = NULL;
    }
}

static err_t srv_sent(void *arg, struct tcp_pcb *pcb, u16_t len)
{
    (void)arg;
    (void)len;
    if (srv_conn == pcb && bulk_sent && bulk_sent < BULK)
        srv_push_bulk(pcb);
    return ERR_OK;
}

static err_t srv_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
    char buf[64];
    u16_t n;
    (void)arg;
    (void)err;
    if (p == NULL) {
        tcp_close(pcb);
        if (srv_conn == pcb)
            srv_conn = NULL;
        return ERR_OK;
    }
    n = pbuf_copy_partial(p, buf, sizeof buf - 1, 0);
    buf[n] = '\0';
    tcp_recved(pcb, p->tot_len);
    if (strncmp(buf, "BULK", 4) == 0) {
        bulk_sent = 0;
        tcp_sent(pcb, srv_sent);
        srv_push_bulk(pcb);
    } else if (strncmp(buf, "CLOSE", 5) == 0) {
        tcp_write(pcb, "bye\r\n", 5, TCP_WRITE_FLAG_COPY);
        tcp_close(pcb);
        srv_conn = NULL;
    } else {
        tcp_write(pcb, p->payload, p->len, TCP_WRITE_FLAG_COPY);
        tcp_output(pcb);
    }
    pbuf_free(p);
    return ERR_OK;
}

static err_t srv_accept(void *arg, struct tcp_pcb *pcb, err_t err)
{
    (void)arg;
    if (err != ERR_OK || pcb == NULL)
        return ERR_VAL;
    srv_conn = pcb;
    tcp_recv(pcb, srv_recv);
    tcp_write(pcb, "220 hello\r\n", 11, TCP_WRITE_FLAG_COPY);
    tcp_output(pcb);
    return ERR_OK;
}

/* a UDP server that answers every datagram with "answer:" + it */
static void udp_srv_recv(void *arg, struct udp_pcb *pcb, struct pbuf *p, const ip_addr_t *addr,
                         u16_t port)
{
    struct pbuf *r = pbuf_alloc(PBUF_TRANSPORT, (u16_t)(7 + p->tot_len), PBUF_RAM);
    (void)arg;
    pbuf_take(r, "answer:", 7);
    pbuf_take_at(r, p->payload, p->len, 7);
    udp_sendto(pcb, r, addr, port);
    pbuf_free(r);
    pbuf_free(p);
}

static void servers_up(void)
{
    struct tcp_pcb *l = tcp_new();
    struct udp_pcb *u = udp_new();
    tcp_bind(l, IP4_ADDR_ANY, SRV_PORT);
    l = tcp_listen(l);
    tcp_accept(l, srv_accept);
    udp_bind(u, IP4_ADDR_ANY, UDP_PORT);
    udp_recv(u, udp_srv_recv, NULL);
}

/* ---- helpers -------------------------------------------------------------- */

/* wait_for - one socket, one event, up to ms; the revents */
static uint8_t wait_for(int sock, uint8_t ev, uint32_t ms)
{
    stc_pollfd_t f;
    f.sock = sock;
    f.events = ev;
    f.revents = 0;
    lw.ops.wait(lw.ops.user, &f, 1, ms);
    return f.revents;
}

/* connect_ok - a connected socket to the server, banner read */
static int connect_ok(void)
{
    char buf[32];
    int s = -1;
    long n;
    CHECK_EQ(lw.ops.tcp_connect(lw.ops.user, &lo, SRV_PORT, &s), STC_EAGAIN);
    CHECK(wait_for(s, STC_WANT_WRITE, 1000) & STC_WANT_WRITE);
    CHECK_EQ(lw.ops.tcp_finish(lw.ops.user, s), STC_OK);
    CHECK(wait_for(s, STC_WANT_READ, 1000) & STC_WANT_READ);
    n = lw.ops.recv(lw.ops.user, s, buf, sizeof buf);
    CHECK_EQ(n, 11);
    CHECK(n == 11 && memcmp(buf, "220 hello\r\n", 11) == 0);
    return s;
}

/* ---- tests -------------------------------------------------------------------- */

static void test_init_rules(void)
{
    stc_lwip_raw_t p;
    stc_lwip_raw_cfg_t c;
    memset(&c, 0, sizeof c);
    c.random = t_random;
    c.fixed_time = 1767225600;
    CHECK_EQ(stc_lwip_raw_init(&p, &c), -1); /* no poll */
    c.poll = t_poll;
    c.random = NULL;
    CHECK_EQ(stc_lwip_raw_init(&p, &c), -1); /* no random source */
    c.random = t_random;
    c.fixed_time = 0;
    CHECK_EQ(stc_lwip_raw_init(&p, &c), -1); /* no clock */
    c.fixed_time = 1767225600;
    c.ca = (const uint8_t *)"x";
    c.ca_len = 1;
    c.ca_format = 7;
    CHECK_EQ(stc_lwip_raw_init(&p, &c), -1); /* bad anchor format */
    c.ca = NULL;
    CHECK_EQ(stc_lwip_raw_init(&p, &c), 0);
    CHECK(p.ops.user == &p);
    CHECK_EQ(p.ops.unix_time(p.ops.user), 1767225600);
    {
        const uint8_t *b;
        size_t len;
        int fmt;
        CHECK_EQ(p.ops.trust_anchors(p.ops.user, &b, &len, &fmt), STC_EPORT);
    }
}

static void test_map_err(void)
{
    CHECK_EQ(stc_lwip_raw_map_err(ERR_OK, STC_LWIP_RAW_OP_START), STC_OK);
    CHECK_EQ(stc_lwip_raw_map_err(ERR_MEM, STC_LWIP_RAW_OP_START), STC_ENOMEM);
    CHECK_EQ(stc_lwip_raw_map_err(ERR_BUF, STC_LWIP_RAW_OP_START), STC_ENOMEM);
    CHECK_EQ(stc_lwip_raw_map_err(ERR_RTE, STC_LWIP_RAW_OP_START), STC_EUNREACH);
    CHECK_EQ(stc_lwip_raw_map_err(ERR_RST, STC_LWIP_RAW_OP_CONNECT), STC_ECONNREFUSED);
    CHECK_EQ(stc_lwip_raw_map_err(ERR_RST, STC_LWIP_RAW_OP_DATA), STC_ERESET);
    CHECK_EQ(stc_lwip_raw_map_err(ERR_ABRT, STC_LWIP_RAW_OP_CONNECT), STC_ETIMEOUT);
    CHECK_EQ(stc_lwip_raw_map_err(ERR_ABRT, STC_LWIP_RAW_OP_DATA), STC_ERESET);
    CHECK_EQ(stc_lwip_raw_map_err(ERR_CLSD, STC_LWIP_RAW_OP_DATA), STC_ERESET);
    CHECK_EQ(stc_lwip_raw_map_err(ERR_VAL, STC_LWIP_RAW_OP_START), STC_EINVAL);
    CHECK_EQ(stc_lwip_raw_map_err(ERR_IF, STC_LWIP_RAW_OP_START), STC_EPORT);
}

static void test_echo(void)
{
    char buf[32];
    int s = connect_ok();
    CHECK_EQ(lw.ops.send(lw.ops.user, s, "EHLO x\r\n", 8), 8);
    CHECK(wait_for(s, STC_WANT_READ, 1000) & STC_WANT_READ);
    CHECK_EQ(lw.ops.recv(lw.ops.user, s, buf, 3), 3); /* a short read leaves the rest */
    CHECK_EQ(lw.ops.recv(lw.ops.user, s, buf + 3, sizeof buf - 3), 5);
    CHECK(memcmp(buf, "EHLO x\r\n", 8) == 0);
    CHECK_EQ(lw.ops.recv(lw.ops.user, s, buf, sizeof buf), STC_EAGAIN);
    CHECK_EQ(lw.ops.recv(lw.ops.user, s, buf, 0), STC_EINVAL);
    lw.ops.close(lw.ops.user, s);
    CHECK_EQ(stc_lwip_raw_open_sockets(&lw), 0);
}

static void test_refused(void)
{
    int s = -1;
    CHECK_EQ(lw.ops.tcp_connect(lw.ops.user, &lo, CLOSED_PORT, &s), STC_EAGAIN);
    CHECK(wait_for(s, STC_WANT_WRITE, 1000) & STC_READY_ERROR);
    CHECK_EQ(lw.ops.tcp_finish(lw.ops.user, s), STC_ECONNREFUSED);
    CHECK_EQ(lw.ops.send(lw.ops.user, s, "x", 1), STC_ECONNREFUSED);
    lw.ops.close(lw.ops.user, s);
    CHECK_EQ(stc_lwip_raw_open_sockets(&lw), 0);
}

static void test_flow_control_and_close(void)
{
    static uint8_t got[BULK];
    size_t have = 0, i;
    int s = connect_ok(), ok = 1;
    long n;

    lw.rx_queued_max = 0;
    CHECK_EQ(lw.ops.send(lw.ops.user, s, "BULK\r\n", 6), 6);
    pump(2000); /* a reader that does not read */
    CHECK(lw.rx_queued_max > 0);
    CHECK(lw.rx_queued_max <= TCP_WND); /* the window holds the peer back */
    CHECK(bulk_sent < BULK);
    while (have < BULK) {
        if (!(wait_for(s, STC_WANT_READ, 1000) & STC_WANT_READ))
            break;
        n = lw.ops.recv(lw.ops.user, s, got + have, 700);
        if (n <= 0)
            break;
        have += (size_t)n;
    }
    CHECK_EQ(have, BULK);
    for (i = 0; i < have; i++)
        if (got[i] != bulk[i])
            ok = 0;
    CHECK(ok);
    CHECK(lw.rx_queued_max <= TCP_WND);
    /* the server closed after the last byte: an orderly close */
    CHECK(wait_for(s, STC_WANT_READ, 1000) & STC_WANT_READ);
    CHECK_EQ(lw.ops.recv(lw.ops.user, s, got, 16), 0);
    lw.ops.close(lw.ops.user, s);

    s = connect_ok();
    CHECK_EQ(lw.ops.send(lw.ops.user, s, "CLOSE\r\n", 7), 7);
    CHECK(wait_for(s, STC_WANT_READ, 1000) & STC_WANT_READ);
    pump(10); /* the FIN behind "bye" */
    CHECK_EQ(lw.ops.recv(lw.ops.user, s, got, sizeof got), 5);
    CHECK_EQ(lw.ops.recv(lw.ops.user, s, got, sizeof got), 0);
    lw.ops.close(lw.ops.user, s);
    CHECK_EQ(stc_lwip_raw_open_sockets(&lw), 0);
}

static void test_udp(void)
{
    uint8_t buf[64];
    stc_ip_t from;
    uint16_t port = 0;
    int s = -1, i;
    long n;

    CHECK_EQ(lw.ops.udp_open(lw.ops.user, 4, &s), STC_OK);
    CHECK_EQ(lw.ops.udp_sendto(lw.ops.user, s, &lo, UDP_PORT, "q1", 2), STC_OK);
    CHECK(wait_for(s, STC_WANT_READ, 1000) & STC_WANT_READ);
    n = lw.ops.udp_recvfrom(lw.ops.user, s, buf, sizeof buf, &from, &port);
    CHECK_EQ(n, 9);
    CHECK(n == 9 && memcmp(buf, "answer:q1", 9) == 0);
    CHECK_EQ(from.family, 4);
    CHECK(memcmp(from.addr, lo.addr, 4) == 0);
    CHECK_EQ(port, UDP_PORT);
    /* longer than the buffer: consumed and said so */
    CHECK_EQ(lw.ops.udp_sendto(lw.ops.user, s, &lo, UDP_PORT, "q2", 2), STC_OK);
    CHECK(wait_for(s, STC_WANT_READ, 1000) & STC_WANT_READ);
    CHECK_EQ(lw.ops.udp_recvfrom(lw.ops.user, s, buf, 4, &from, &port), STC_ETOOLONG);
    CHECK_EQ(lw.ops.udp_recvfrom(lw.ops.user, s, buf, sizeof buf, &from, &port), STC_EAGAIN);
    /* more answers than the ring holds: the rest are dropped and counted */
    lw.udp_dropped = 0;
    for (i = 0; i < STC_LWIP_RAW_UDP_QUEUE + 2; i++)
        lw.ops.udp_sendto(lw.ops.user, s, &lo, UDP_PORT, "q", 1);
    pump(5);
    CHECK_EQ(lw.udp_dropped, 2);
    for (i = 0; i < STC_LWIP_RAW_UDP_QUEUE; i++)
        CHECK_EQ(lw.ops.udp_recvfrom(lw.ops.user, s, buf, sizeof buf, &from, &port), 8);
    CHECK_EQ(lw.ops.udp_recvfrom(lw.ops.user, s, buf, sizeof buf, &from, &port), STC_EAGAIN);
    /* a datagram waiting at close is freed with the slot */
    lw.ops.udp_sendto(lw.ops.user, s, &lo, UDP_PORT, "q", 1);
    pump(5);
    lw.ops.close(lw.ops.user, s);
    CHECK_EQ(stc_lwip_raw_open_sockets(&lw), 0);
}

static void test_wait_and_families(void)
{
    stc_pollfd_t f[3];
    stc_ip_t v6 = {6, {0xfd, 0, 0x5c, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10}};
    uint32_t t0;
    int s = -1, u = -1;

    CHECK_EQ(lw.ops.tcp_connect(lw.ops.user, &v6, 25, &s), STC_EAFNOSUPPORT);
    CHECK_EQ(lw.ops.udp_open(lw.ops.user, 6, &s), STC_EAFNOSUPPORT);
    CHECK_EQ(lw.ops.udp_open(lw.ops.user, 4, &u), STC_OK);
    f[0].sock = 13; /* never opened */
    f[0].events = STC_WANT_READ;
    f[1].sock = -1; /* skipped */
    f[1].events = STC_WANT_READ;
    f[2].sock = u;  /* nothing to read */
    f[2].events = STC_WANT_READ;
    CHECK_EQ(lw.ops.wait(lw.ops.user, f, 3, 50), 1);
    CHECK_EQ(f[0].revents, STC_READY_ERROR);
    CHECK_EQ(f[1].revents, 0);
    CHECK_EQ(f[2].revents, 0);
    t0 = now_ms;
    CHECK_EQ(lw.ops.wait(lw.ops.user, &f[2], 1, 250), 0);
    CHECK(now_ms - t0 >= 250); /* idle() was called until the timeout */
    lw.ops.close(lw.ops.user, u);
    lw.ops.close(lw.ops.user, 42); /* unknown: ignored */
    CHECK_EQ(stc_lwip_raw_open_sockets(&lw), 0);
}

static void test_no_pcb_left(void)
{
    int s = connect_ok(), u = -1;
    CHECK_EQ(lw.ops.udp_open(lw.ops.user, 4, &u), STC_OK);
    stc_lwip_raw_free(&lw); /* what the core left open */
    stc_lwip_raw_free(&lw); /* twice is fine */
    (void)s;
    pump(5 * 60 * 1000); /* TIME_WAIT and the server's side run out */
    /* the test's own listener and UDP server remain */
    CHECK_EQ(lwip_stats.memp[MEMP_TCP_PCB]->used, 0);
    CHECK_EQ(lwip_stats.memp[MEMP_UDP_PCB]->used, 1);
}

int main(void)
{
    stc_lwip_raw_cfg_t c;
    size_t i;

    unit_name = "test_lwip_raw";
    for (i = 0; i < BULK; i++)
        bulk[i] = (uint8_t)(i * 7u + (i >> 8));
    lwip_init();
    servers_up();
    memset(&c, 0, sizeof c);
    c.poll = t_poll;
    c.idle = t_idle;
    c.random = t_random;
    c.fixed_time = 1767225600;
    c.resolvers = &lo;
    c.nresolvers = 1;
    if (stc_lwip_raw_init(&lw, &c) != 0)
        return 1;
    RUN(test_init_rules);
    RUN(test_map_err);
    RUN(test_echo);
    RUN(test_refused);
    RUN(test_flow_control_and_close);
    RUN(test_udp);
    RUN(test_wait_and_families);
    RUN(test_no_pcb_left);
    return unit_done();
}
