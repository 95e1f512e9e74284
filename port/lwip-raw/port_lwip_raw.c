/* port_lwip_raw.c - stc_port_t over lwIP's raw API (NO_SYS=1)
 *
 * See stc_lwip_raw.h for the contract and the error mapping. lwIP's
 * callbacks only record into the socket slot named by their arg; the
 * core's calls consume those records; wait() runs the stack until a slot
 * it asks about has something to report.
 */
#include "stc_lwip_raw.h"

#include "lwip/opt.h"
#include "lwip/err.h"
#include "lwip/ip_addr.h"
#include "lwip/pbuf.h"
#include "lwip/sys.h"
#include "lwip/tcp.h"
#include "lwip/timeouts.h"
#include "lwip/udp.h"

#include <string.h>

#if !NO_SYS || !LWIP_TCP || !LWIP_UDP || !LWIP_TIMERS
#error "port_lwip_raw.c needs lwIP with NO_SYS=1, LWIP_TCP, LWIP_UDP and LWIP_TIMERS"
#endif

/* Sockets the rest of the firmware keeps in lwIP's pools. */
#ifndef STC_LWIP_RAW_TCP_RESERVED
#define STC_LWIP_RAW_TCP_RESERVED 0
#endif
#ifndef STC_LWIP_RAW_UDP_RESERVED
#define STC_LWIP_RAW_UDP_RESERVED 0
#endif

/* A check holds STC_MAX_CONN TCP pcbs (DNS over TCP takes a DNS slot's
 * place, not a connection's: count it too) and STC_MAX_DNS UDP pcbs. */
#if STC_MAX_CONN + STC_MAX_DNS + STC_LWIP_RAW_TCP_RESERVED > MEMP_NUM_TCP_PCB
#error "MEMP_NUM_TCP_PCB (lwipopts.h) cannot hold STC_MAX_CONN + STC_MAX_DNS TCP connections"
#endif
#if STC_MAX_DNS + STC_LWIP_RAW_UDP_RESERVED > MEMP_NUM_UDP_PCB
#error "MEMP_NUM_UDP_PCB (lwipopts.h) cannot hold STC_MAX_DNS UDP sockets"
#endif
#if STC_MAX_CONN + STC_MAX_DNS > STC_LWIP_RAW_MAX_SOCKS
#error "raise STC_LWIP_RAW_MAX_SOCKS: one check can hold STC_MAX_CONN + STC_MAX_DNS sockets"
#endif
/* The receive queue is one pbuf chain, whose tot_len is 16 bits. */
#if LWIP_WND_SCALE || TCP_WND > 0xffff
#error "port_lwip_raw.c queues at most 64 KB per connection: no window scaling"
#endif

#define KIND_FREE 0
#define KIND_TCP 1
#define KIND_UDP 2

#define F_CONNECTED 0x01u /* the connected callback ran */
#define F_EOF 0x02u       /* the peer's FIN arrived (recv callback with NULL) */

typedef stc_lwip_raw_sock_t sock_t;

/* ---- addresses --------------------------------------------------------- */

/* to_lwip - stc_ip_t -> ip_addr_t; -1 for a family this lwIP lacks */
static int to_lwip(const stc_ip_t *ip, ip_addr_t *out)
{
    memset(out, 0, sizeof *out);
#if LWIP_IPV4
    if (ip->family == 4) {
        IP_ADDR4(out, ip->addr[0], ip->addr[1], ip->addr[2], ip->addr[3]);
        return 0;
    }
#endif
#if LWIP_IPV6
    if (ip->family == 6) {
        uint32_t w[4];
        memcpy(w, ip->addr, 16); /* network order in, network order kept */
        IP_ADDR6(out, w[0], w[1], w[2], w[3]);
        return 0;
    }
#endif
    return -1;
}

/* from_lwip - ip_addr_t -> stc_ip_t (family 0 when unknown) */
static void from_lwip(const ip_addr_t *a, stc_ip_t *ip)
{
    memset(ip, 0, sizeof *ip);
#if LWIP_IPV4
    if (IP_IS_V4(a)) {
        ip->family = 4;
        memcpy(ip->addr, &ip_2_ip4(a)->addr, 4);
        return;
    }
#endif
#if LWIP_IPV6
    if (IP_IS_V6(a)) {
        ip->family = 6;
        memcpy(ip->addr, ip_2_ip6(a)->addr, 16);
    }
#endif
}

/* ---- errors ----------------------------------------------------------------- */

/* stc_lwip_raw_map_err - err_t -> stc_err_t (see stc_lwip_raw.h) */
int stc_lwip_raw_map_err(int err, int op)
{
    switch (err) {
    case ERR_OK:
        return STC_OK;
    case ERR_WOULDBLOCK:
    case ERR_INPROGRESS:
        return STC_EAGAIN;
    case ERR_MEM:
    case ERR_BUF:
        return STC_ENOMEM; /* lwIP's pools or heap: our limit */
    case ERR_RTE:
        return STC_EUNREACH;
    case ERR_TIMEOUT:
        return STC_ETIMEOUT;
    case ERR_VAL:
    case ERR_ARG:
        return STC_EINVAL;
    case ERR_RST:
        /* a RST answering our SYN: nobody listens there */
        return op == STC_LWIP_RAW_OP_CONNECT ? STC_ECONNREFUSED : STC_ERESET;
    case ERR_ABRT:
        /* while connecting: tcp_slowtmr gave up retransmitting the SYN */
        return op == STC_LWIP_RAW_OP_CONNECT ? STC_ETIMEOUT : STC_ERESET;
    case ERR_CLSD:
        return STC_ERESET;
    default:
        return STC_EPORT;
    }
}

/* fail - remember err and map it */
static int fail(stc_lwip_raw_t *p, err_t err, int op)
{
    p->last_err = err;
    return stc_lwip_raw_map_err(err, op);
}

/* ---- the slot table ------------------------------------------------------------ */

/* self - the stc_lwip_raw_t behind user */
static stc_lwip_raw_t *self(void *user)
{
    return (stc_lwip_raw_t *)user;
}

/* slot - an open slot of the given kind (0 = any), or NULL */
static sock_t *slot(stc_lwip_raw_t *p, int sock, int kind)
{
    sock_t *s;
    if (sock < 0 || sock >= STC_LWIP_RAW_MAX_SOCKS)
        return NULL;
    s = &p->sock[sock];
    if (s->kind == KIND_FREE || (kind && s->kind != kind))
        return NULL;
    return s;
}

/* slot_new - a free slot, cleared, or -1 */
static int slot_new(stc_lwip_raw_t *p, int kind, uint8_t family)
{
    int i;
    for (i = 0; i < STC_LWIP_RAW_MAX_SOCKS; i++)
        if (p->sock[i].kind == KIND_FREE) {
            memset(&p->sock[i], 0, sizeof p->sock[i]);
            p->sock[i].owner = p;
            p->sock[i].kind = (uint8_t)kind;
            p->sock[i].family = family;
            p->nopen++;
            return i;
        }
    return -1;
}

/* slot_release - free the queued pbufs and the slot (the pcb is gone) */
static void slot_release(stc_lwip_raw_t *p, sock_t *s)
{
    if (s->rx)
        pbuf_free(s->rx);
    while (s->dg_count) {
        pbuf_free(s->dg[s->dg_head]);
        s->dg_head = (uint8_t)((s->dg_head + 1) % STC_LWIP_RAW_UDP_QUEUE);
        s->dg_count--;
    }
    memset(s, 0, sizeof *s); /* kind 0: free */
    p->nopen--;
}

/* tcp_detach - our callbacks off a TCP pcb, so lwIP never calls into a
 * slot that has been freed (with no recv callback lwIP frees what still
 * arrives and closes on FIN itself) */
static void tcp_detach(struct tcp_pcb *pcb)
{
    tcp_arg(pcb, NULL);
    tcp_recv(pcb, NULL);
    tcp_sent(pcb, NULL);
    tcp_err(pcb, NULL);
    tcp_poll(pcb, NULL, 0);
}

/* ---- lwIP's callbacks: record, never call back into lwIP's pcb ---------------- */

/* on_tcp_err - lwIP freed the pcb: keep why */
static void on_tcp_err(void *arg, err_t err)
{
    sock_t *s = arg;
    if (s == NULL)
        return;
    s->pcb = NULL;
    s->err = (int8_t)stc_lwip_raw_map_err(
        err, (s->flags & F_CONNECTED) ? STC_LWIP_RAW_OP_DATA : STC_LWIP_RAW_OP_CONNECT);
}

/* on_tcp_connected - the handshake completed */
static err_t on_tcp_connected(void *arg, struct tcp_pcb *pcb, err_t err)
{
    sock_t *s = arg;
    (void)pcb;
    if (s != NULL && err == ERR_OK)
        s->flags |= F_CONNECTED;
    return ERR_OK;
}

/* on_tcp_recv - data (chained to the queue, not yet acknowledged to the
 * window) or the peer's FIN (p == NULL) */
static err_t on_tcp_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *pb, err_t err)
{
    sock_t *s = arg;
    (void)pcb;
    if (s == NULL) {
        if (pb)
            pbuf_free(pb);
        return ERR_OK;
    }
    if (pb == NULL) {
        s->flags |= F_EOF;
        return ERR_OK;
    }
    if (err != ERR_OK) {
        pbuf_free(pb);
        return ERR_OK;
    }
    if (s->rx == NULL) {
        s->rx = pb;
    } else {
        /* a chain's tot_len is 16 bits: refuse, lwIP offers it again later */
        if ((uint32_t)s->rx->tot_len + pb->tot_len > 0xffffu)
            return ERR_MEM;
        pbuf_cat(s->rx, pb);
    }
    if (s->rx->tot_len > s->owner->rx_queued_max)
        s->owner->rx_queued_max = s->rx->tot_len;
    return ERR_OK;
}

/* on_udp_recv - one datagram into the slot's ring (dropped when full) */
static void on_udp_recv(void *arg, struct udp_pcb *pcb, struct pbuf *pb, const ip_addr_t *addr,
                        u16_t port)
{
    sock_t *s = arg;
    unsigned i;
    (void)pcb;
    if (s == NULL || s->dg_count == STC_LWIP_RAW_UDP_QUEUE) {
        pbuf_free(pb);
        if (s != NULL)
            s->owner->udp_dropped++;
        return;
    }
    i = (s->dg_head + s->dg_count) % STC_LWIP_RAW_UDP_QUEUE;
    s->dg[i] = pb;
    from_lwip(addr, &s->dg_from[i]);
    s->dg_port[i] = port;
    s->dg_count++;
}

/* ---- readiness ------------------------------------------------------------------ */

/* tcp_writable - room for at least one byte in lwIP's send queue */
static int tcp_writable(const sock_t *s)
{
    const struct tcp_pcb *pcb = s->pcb;
    return pcb != NULL && (s->flags & F_CONNECTED) && tcp_sndbuf(pcb) > 0 &&
           tcp_sndqueuelen(pcb) < TCP_SND_QUEUELEN;
}

/* readiness - STC_WANT_* / STC_READY_ERROR flags a slot has now */
static uint8_t readiness(const sock_t *s)
{
    uint8_t r = 0;
    if (s->kind == KIND_UDP) {
        if (s->dg_count)
            r |= STC_WANT_READ;
        if (s->pcb)
            r |= STC_WANT_WRITE;
        return r;
    }
    if (s->rx || (s->flags & F_EOF))
        r |= STC_WANT_READ;
    if (tcp_writable(s))
        r |= STC_WANT_WRITE;
    if (s->err)
        r |= STC_READY_ERROR | STC_WANT_READ | STC_WANT_WRITE;
    return r;
}

/* ---- the table: TCP ---------------------------------------------------------------- */

/* family_usable - STC_OK, or why this board cannot use the family */
static int family_usable(const stc_lwip_raw_t *p, uint8_t family)
{
    if (family == 4)
        return LWIP_IPV4 ? STC_OK : STC_EAFNOSUPPORT;
    if (family == 6)
        return LWIP_IPV6 && p->cfg.ipv6 ? STC_OK : STC_EAFNOSUPPORT;
    return STC_EINVAL;
}

/* lr_tcp_connect - a new pcb, connect started (the connected callback or
 * tcp_err tells how it went) */
static int lr_tcp_connect(void *user, const stc_ip_t *ip, uint16_t port, int *sock)
{
    stc_lwip_raw_t *p = self(user);
    struct tcp_pcb *pcb;
    ip_addr_t dst;
    sock_t *s;
    err_t e;
    int rc, i;

    if (ip == NULL || sock == NULL)
        return STC_EINVAL;
    *sock = -1;
    rc = family_usable(p, ip->family);
    if (rc != STC_OK)
        return rc;
    if (to_lwip(ip, &dst) != 0)
        return STC_EAFNOSUPPORT;
    i = slot_new(p, KIND_TCP, ip->family);
    if (i < 0)
        return STC_ENOMEM; /* our fixed table */
    s = &p->sock[i];
    pcb = tcp_new_ip_type(ip->family == 4 ? IPADDR_TYPE_V4 : IPADDR_TYPE_V6);
    if (pcb == NULL) {
        slot_release(p, s);
        return fail(p, ERR_MEM, STC_LWIP_RAW_OP_START);
    }
    s->pcb = pcb;
    tcp_arg(pcb, s);
    tcp_err(pcb, on_tcp_err);
    tcp_recv(pcb, on_tcp_recv);
    tcp_nagle_disable(pcb); /* SMTP commands are one short write each */
    e = tcp_connect(pcb, &dst, port, on_tcp_connected);
    if (e != ERR_OK) {
        tcp_detach(pcb);
        tcp_abort(pcb);
        slot_release(p, s);
        return fail(p, e, STC_LWIP_RAW_OP_START);
    }
    *sock = i;
    return STC_EAGAIN;
}

/* lr_tcp_finish - the connect's outcome so far */
static int lr_tcp_finish(void *user, int sock)
{
    stc_lwip_raw_t *p = self(user);
    sock_t *s = slot(p, sock, KIND_TCP);
    if (s == NULL)
        return STC_EINVAL;
    if (s->flags & F_CONNECTED)
        return STC_OK;
    if (s->err)
        return s->err;
    return STC_EAGAIN;
}

/* lr_send - queue what lwIP's send buffer takes now, and push it out */
static long lr_send(void *user, int sock, const void *buf, size_t n)
{
    stc_lwip_raw_t *p = self(user);
    sock_t *s = slot(p, sock, KIND_TCP);
    struct tcp_pcb *pcb;
    size_t room;
    err_t e;

    if (s == NULL || (buf == NULL && n > 0))
        return STC_EINVAL;
    if (s->err)
        return s->err;
    if (!(s->flags & F_CONNECTED) || s->pcb == NULL)
        return STC_EAGAIN;
    if (n == 0)
        return 0;
    pcb = s->pcb;
    room = tcp_sndbuf(pcb);
    if (room == 0 || tcp_sndqueuelen(pcb) >= TCP_SND_QUEUELEN)
        return STC_EAGAIN;
    if (n > room)
        n = room;
    if (n > 0xffffu)
        n = 0xffffu;
    e = tcp_write(pcb, buf, (u16_t)n, TCP_WRITE_FLAG_COPY);
    if (e == ERR_MEM && tcp_sndqueuelen(pcb) > 0)
        return STC_EAGAIN; /* segments in flight: tcp_sent frees room */
    if (e != ERR_OK)
        return fail(p, e, STC_LWIP_RAW_OP_START);
    tcp_output(pcb); /* a failure leaves the data queued for the timer */
    return (long)n;
}

/* lr_recv - copy from the queue, then open the window by as much; 0 once
 * the peer's FIN has been reached */
static long lr_recv(void *user, int sock, void *buf, size_t cap)
{
    stc_lwip_raw_t *p = self(user);
    sock_t *s = slot(p, sock, KIND_TCP);
    u16_t n;

    if (s == NULL || buf == NULL || cap == 0) /* cap 0 would read as "closed" */
        return STC_EINVAL;
    if (s->rx == NULL) {
        if (s->err)
            return s->err;
        return (s->flags & F_EOF) ? 0 : STC_EAGAIN;
    }
    n = s->rx->tot_len;
    if (cap < n)
        n = (u16_t)cap;
    pbuf_copy_partial(s->rx, buf, n, 0);
    s->rx = pbuf_free_header(s->rx, n);
    if (s->pcb)
        tcp_recved(s->pcb, n);
    return (long)n;
}

/* ---- the table: UDP ----------------------------------------------------------------- */

/* lr_udp_open - an unbound UDP pcb (udp_sendto binds it to a random port) */
static int lr_udp_open(void *user, uint8_t family, int *sock)
{
    stc_lwip_raw_t *p = self(user);
    struct udp_pcb *pcb;
    int rc, i;

    if (sock == NULL)
        return STC_EINVAL;
    *sock = -1;
    rc = family_usable(p, family);
    if (rc != STC_OK)
        return rc;
    i = slot_new(p, KIND_UDP, family);
    if (i < 0)
        return STC_ENOMEM;
    pcb = udp_new_ip_type(family == 4 ? IPADDR_TYPE_V4 : IPADDR_TYPE_V6);
    if (pcb == NULL) {
        slot_release(p, &p->sock[i]);
        return fail(p, ERR_MEM, STC_LWIP_RAW_OP_START);
    }
    p->sock[i].pcb = pcb;
    udp_recv(pcb, on_udp_recv, &p->sock[i]);
    *sock = i;
    return STC_OK;
}

/* lr_udp_sendto - one datagram; lwIP queues it behind ARP resolution */
static int lr_udp_sendto(void *user, int sock, const stc_ip_t *ip, uint16_t port,
                         const void *buf, size_t n)
{
    stc_lwip_raw_t *p = self(user);
    sock_t *s = slot(p, sock, KIND_UDP);
    struct pbuf *pb;
    ip_addr_t dst;
    err_t e;

    if (s == NULL || ip == NULL || (buf == NULL && n > 0) || ip->family != s->family ||
        n > 0xffffu || to_lwip(ip, &dst) != 0)
        return STC_EINVAL;
    pb = pbuf_alloc(PBUF_TRANSPORT, (u16_t)n, PBUF_RAM);
    if (pb == NULL)
        return fail(p, ERR_MEM, STC_LWIP_RAW_OP_START);
    if (n)
        pbuf_take(pb, buf, (u16_t)n);
    e = udp_sendto(s->pcb, pb, &dst, port);
    pbuf_free(pb);
    return e == ERR_OK ? STC_OK : fail(p, e, STC_LWIP_RAW_OP_START);
}

/* lr_udp_recvfrom - the oldest datagram and its source; STC_ETOOLONG
 * (datagram consumed) when it does not fit in cap */
static long lr_udp_recvfrom(void *user, int sock, void *buf, size_t cap, stc_ip_t *from,
                            uint16_t *from_port)
{
    stc_lwip_raw_t *p = self(user);
    sock_t *s = slot(p, sock, KIND_UDP);
    struct pbuf *pb;
    u16_t len;

    if (s == NULL || buf == NULL || cap == 0 || from == NULL || from_port == NULL)
        return STC_EINVAL;
    if (s->dg_count == 0)
        return STC_EAGAIN;
    pb = s->dg[s->dg_head];
    *from = s->dg_from[s->dg_head];
    *from_port = s->dg_port[s->dg_head];
    s->dg[s->dg_head] = NULL;
    s->dg_head = (uint8_t)((s->dg_head + 1) % STC_LWIP_RAW_UDP_QUEUE);
    s->dg_count--;
    len = pb->tot_len;
    pbuf_copy_partial(pb, buf, cap < len ? (u16_t)cap : len, 0);
    pbuf_free(pb);
    return cap < len ? STC_ETOOLONG : (long)len;
}

/* ---- the table: the rest --------------------------------------------------------------- */

/* lr_close - give the pcb back: tcp_close (tcp_abort when lwIP has no
 * memory to send the FIN), udp_remove; unknown numbers are ignored */
static void lr_close(void *user, int sock)
{
    stc_lwip_raw_t *p = self(user);
    sock_t *s = slot(p, sock, 0);

    if (s == NULL)
        return;
    if (s->pcb && s->kind == KIND_TCP) {
        struct tcp_pcb *pcb = s->pcb;
        tcp_detach(pcb);
        if (tcp_close(pcb) != ERR_OK)
            tcp_abort(pcb);
    } else if (s->pcb) {
        udp_remove((struct udp_pcb *)s->pcb);
    }
    s->pcb = NULL;
    slot_release(p, s);
}

/* stc_lwip_raw_poll - the board's driver, then lwIP's timers */
void stc_lwip_raw_poll(stc_lwip_raw_t *p)
{
    p->cfg.poll(p->cfg.board);
    sys_check_timeouts();
}

/* lr_wait - run the stack until an entry is ready or timeout_ms passed;
 * entries that are not open sockets come back as STC_READY_ERROR at once */
static int lr_wait(void *user, stc_pollfd_t *fds, size_t n, uint32_t timeout_ms)
{
    stc_lwip_raw_t *p = self(user);
    uint32_t t0 = sys_now();
    size_t i;
    int ready;

    if (fds == NULL && n > 0)
        return STC_EINVAL;
    for (;;) {
        stc_lwip_raw_poll(p);
        ready = 0;
        for (i = 0; i < n; i++) {
            sock_t *s = fds[i].sock < 0 ? NULL : slot(p, fds[i].sock, 0);
            uint8_t r;
            if (fds[i].sock < 0) {
                fds[i].revents = 0; /* skipped, as poll() does */
                continue;
            }
            r = s ? readiness(s) : STC_READY_ERROR;
            fds[i].revents = (uint8_t)(r & (fds[i].events | STC_READY_ERROR));
            if (fds[i].revents)
                ready++;
        }
        if (ready || (uint32_t)(sys_now() - t0) >= timeout_ms)
            return ready;
        if (p->cfg.idle)
            p->cfg.idle(p->cfg.board);
    }
}

/* lr_now_ms - lwIP's millisecond clock (wraps like ours) */
static uint32_t lr_now_ms(void *user)
{
    (void)user;
    return (uint32_t)sys_now();
}

/* lr_unix_time - the board's wall clock, else the configured moment */
static int64_t lr_unix_time(void *user)
{
    const stc_lwip_raw_cfg_t *c = &self(user)->cfg;
    return c->unix_time ? c->unix_time(c->board) : c->fixed_time;
}

/* lr_random - the board's random source */
static int lr_random(void *user, void *buf, size_t n)
{
    const stc_lwip_raw_cfg_t *c = &self(user)->cfg;
    if (n == 0)
        return STC_OK;
    if (buf == NULL)
        return STC_EINVAL;
    return c->random(c->board, buf, n) ? STC_EPORT : STC_OK;
}

/* lr_resolvers - up to max configured resolvers, in order */
static size_t lr_resolvers(void *user, stc_ip_t *out, size_t max)
{
    const stc_lwip_raw_t *p = self(user);
    size_t i;
    for (i = 0; i < p->cfg.nresolvers && i < max; i++)
        out[i] = p->res[i];
    return i;
}

/* lr_trust_anchors - the board's anchor buffer, when it has one */
static int lr_trust_anchors(void *user, const uint8_t **buf, size_t *len, int *format)
{
    const stc_lwip_raw_cfg_t *c = &self(user)->cfg;
    if (!c->ca || !c->ca_len)
        return STC_EPORT;
    *buf = c->ca;
    *len = c->ca_len;
    *format = c->ca_format;
    return STC_OK;
}

/* ---- set-up ---------------------------------------------------------------------------- */

/* cfg_ok - 1 when cfg has what the port needs */
static int cfg_ok(const stc_lwip_raw_cfg_t *cfg)
{
    size_t i;
    if (!cfg || !cfg->poll || !cfg->random)
        return 0; /* no stack to run, or predictable DNS query IDs */
    if (!cfg->unix_time && cfg->fixed_time <= 0)
        return 0; /* certificate dates need some notion of "now" */
    if (cfg->nresolvers > STC_LWIP_RAW_MAX_RESOLVERS || (cfg->nresolvers && !cfg->resolvers))
        return 0;
    if (cfg->ca && cfg->ca_format != STC_TA_PEM && cfg->ca_format != STC_TA_DER)
        return 0;
    for (i = 0; i < cfg->nresolvers; i++)
        if (cfg->resolvers[i].family != 4 && cfg->resolvers[i].family != 6)
            return 0;
    return 1;
}

/* stc_lwip_raw_init - copy the board configuration, fill the ops table */
int stc_lwip_raw_init(stc_lwip_raw_t *p, const stc_lwip_raw_cfg_t *cfg)
{
    static const stc_port_t ops = {
        STC_PORT_VERSION, NULL, lr_tcp_connect, lr_tcp_finish, lr_send, lr_recv,
        lr_udp_open, lr_udp_sendto, lr_udp_recvfrom, lr_close, lr_wait, lr_now_ms,
        lr_unix_time, lr_random, lr_resolvers, lr_trust_anchors,
    };

    memset(p, 0, sizeof *p);
    if (!cfg_ok(cfg))
        return -1;
    p->cfg = *cfg;
    if (cfg->nresolvers)
        memcpy(p->res, cfg->resolvers, cfg->nresolvers * sizeof *p->res);
    p->cfg.resolvers = p->res;
    p->ops = ops;
    p->ops.user = p;
    return 0;
}

/* stc_lwip_raw_free - abort what the core left open; nothing waits */
void stc_lwip_raw_free(stc_lwip_raw_t *p)
{
    int i;
    if (p->ops.user != p) /* never initialised, or freed already */
        return;
    for (i = 0; i < STC_LWIP_RAW_MAX_SOCKS; i++) {
        sock_t *s = &p->sock[i];
        if (s->kind == KIND_TCP && s->pcb) {
            tcp_detach(s->pcb);
            tcp_abort(s->pcb);
            s->pcb = NULL;
        }
        if (s->kind != KIND_FREE)
            lr_close(p, i);
    }
    p->ops.user = NULL;
}

/* stc_lwip_raw_open_sockets - sockets open right now */
size_t stc_lwip_raw_open_sockets(const stc_lwip_raw_t *p)
{
    return p->nopen;
}

/* stc_lwip_raw_last_err - err_t of the last failure */
int stc_lwip_raw_last_err(const stc_lwip_raw_t *p)
{
    return p->last_err;
}
