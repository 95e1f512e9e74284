/* port_lwip.c - stc_port_t over lwIP's socket API (NO_SYS=0)
 *
 * See stc_lwip.h for the contract and the errno mapping. Every socket is
 * made non-blocking with lwip_fcntl(O_NONBLOCK) right after lwip_socket();
 * the core only ever sees indexes into p->sock[], never lwIP socket numbers,
 * and no lwIP socket number is ever handed to libc.
 */
#include "stc_lwip.h"

#include "stc/stc_opts.h"

#include "lwip/opt.h"
#include "lwip/errno.h"
#include "lwip/sockets.h"
#include "lwip/sys.h"

#include <limits.h>
#include <string.h>

#if !LWIP_SOCKET || !LWIP_SOCKET_POLL || NO_SYS
#error "port_lwip.c needs lwIP with NO_SYS=0, LWIP_SOCKET=1 and LWIP_SOCKET_POLL=1"
#endif

/* Sockets the rest of the firmware keeps open in lwIP's table. */
#ifndef STC_LWIP_SOCKETS_RESERVED
#define STC_LWIP_SOCKETS_RESERVED 0
#endif

/* One check holds at most a socket per connection slot and per DNS slot
 * (a DNS slot swaps its UDP socket for a TCP one, never both). Upstream
 * lwIP's socket table has MEMP_NUM_NETCONN entries; Debian's liblwip adds
 * LWIP_SOCKET_OPEN_COUNT (its max_sockets patch), which allocates sockets
 * on demand and has no such limit. */
#if !(defined(LWIP_SOCKET_OPEN_COUNT) && LWIP_SOCKET_OPEN_COUNT)
#if STC_MAX_CONN + STC_MAX_DNS + STC_LWIP_SOCKETS_RESERVED > MEMP_NUM_NETCONN
#error "STC_MAX_CONN + STC_MAX_DNS exceed lwIP's socket table (MEMP_NUM_NETCONN): lower them in the board's stc_config.h"
#endif
#endif
#if STC_MAX_CONN + STC_MAX_DNS > STC_LWIP_MAX_SOCKS
#error "raise STC_LWIP_MAX_SOCKS: one check can hold STC_MAX_CONN + STC_MAX_DNS sockets"
#endif

/* ---- addresses ----------------------------------------------------------- */

/* put_port - a port in network order, without byte-order helpers */
static void put_port(void *field, uint16_t port)
{
    uint8_t *b = field;
    b[0] = (uint8_t)(port >> 8);
    b[1] = (uint8_t)(port & 0xffu);
}

/* get_port - a port stored in network order */
static uint16_t get_port(const void *field)
{
    const uint8_t *b = field;
    return (uint16_t)((b[0] << 8) | b[1]);
}

/* to_sockaddr - stc_ip_t + port -> lwIP sockaddr; -1 on a bad family */
static int to_sockaddr(const stc_ip_t *ip, uint16_t port, struct sockaddr_storage *ss,
                       socklen_t *len)
{
    memset(ss, 0, sizeof *ss);
    if (ip->family == 4) {
        struct sockaddr_in *sa = (struct sockaddr_in *)ss;
        sa->sin_family = AF_INET;
        put_port(&sa->sin_port, port);
        memcpy(&sa->sin_addr, ip->addr, 4);
        *len = sizeof *sa;
        return 0;
    }
#if LWIP_IPV6 /* (an IPv4-only lwIP has no sockaddr_in6) */
    if (ip->family == 6) {
        struct sockaddr_in6 *sa = (struct sockaddr_in6 *)ss;
        sa->sin6_family = AF_INET6;
        put_port(&sa->sin6_port, port);
        memcpy(&sa->sin6_addr, ip->addr, 16);
        *len = sizeof *sa;
        return 0;
    }
#endif
    return -1;
}

/* from_sockaddr - lwIP sockaddr -> stc_ip_t + port (family 0 when unknown) */
static void from_sockaddr(const struct sockaddr_storage *ss, stc_ip_t *ip, uint16_t *port)
{
    memset(ip, 0, sizeof *ip);
    *port = 0;
    if (ss->ss_family == AF_INET) {
        const struct sockaddr_in *sa = (const struct sockaddr_in *)ss;
        ip->family = 4;
        memcpy(ip->addr, &sa->sin_addr, 4);
        *port = get_port(&sa->sin_port);
    }
#if LWIP_IPV6
    else if (ss->ss_family == AF_INET6) {
        const struct sockaddr_in6 *sa = (const struct sockaddr_in6 *)ss;
        ip->family = 6;
        memcpy(ip->addr, &sa->sin6_addr, 16);
        *port = get_port(&sa->sin6_port);
    }
#endif
}

/* ---- the socket table ------------------------------------------------------ */

/* self - the stc_lwip_t behind user */
static stc_lwip_t *self(void *user)
{
    return (stc_lwip_t *)user;
}

/* slot_alloc - enter an lwIP socket in the table; the index, or -1 when full */
static int slot_alloc(stc_lwip_t *p, int s, uint8_t family)
{
    int i;
    for (i = 0; i < STC_LWIP_MAX_SOCKS; i++)
        if (p->sock[i] < 0) {
            p->sock[i] = s;
            p->fam[i] = family;
            p->nopen++;
            return i;
        }
    return -1;
}

/* slot_sock - lwIP socket behind a socket number, -1 when not open */
static int slot_sock(const stc_lwip_t *p, int sock)
{
    if (sock < 0 || sock >= STC_LWIP_MAX_SOCKS)
        return -1;
    return p->sock[sock];
}

/* slot_close - lwip_close() and free a table entry */
static void slot_close(stc_lwip_t *p, int sock)
{
    int s = slot_sock(p, sock);
    if (s < 0)
        return;
    lwip_close(s);
    p->sock[sock] = -1;
    p->nopen--;
}

/* ---- errors ------------------------------------------------------------------ */

/* stc_lwip_map_errno - errno -> stc_err_t (see stc_lwip.h) */
int stc_lwip_map_errno(int e, uint8_t family, int op)
{
    switch (e) {
    case 0:
        return STC_OK;
    case EAGAIN:
#if defined(EWOULDBLOCK) && EWOULDBLOCK != EAGAIN
    case EWOULDBLOCK:
#endif
    case EINPROGRESS:
    case EALREADY:
        return STC_EAGAIN;
    case ECONNREFUSED:
        return STC_ECONNREFUSED;
    case ECONNRESET:
        /* lwIP answers a RST to our SYN (nobody listens: "refused") with
         * ECONNRESET; it has no ECONNREFUSED of its own */
        return op == STC_LWIP_OP_OUTCOME ? STC_ECONNREFUSED : STC_ERESET;
    case ECONNABORTED:
        /* during a connect: tcp_slowtmr gave up retransmitting the SYN */
        return op == STC_LWIP_OP_OUTCOME ? STC_ETIMEOUT : STC_ERESET;
    case ENOTCONN:
        /* a reset freed the connection; lwIP then says "not connected" */
        return op == STC_LWIP_OP_DATA ? STC_ERESET : STC_EPORT;
    case EHOSTUNREACH:
    case ENETUNREACH:
        /* ERR_RTE: no netif routes there. For IPv6 at once, that means this
         * board has no IPv6, which says nothing about the peer */
        if (family == 6 && op == STC_LWIP_OP_START)
            return STC_EAFNOSUPPORT;
        return STC_EUNREACH;
    case EAFNOSUPPORT:
    case EPROTONOSUPPORT:
        return STC_EAFNOSUPPORT;
    case ETIMEDOUT:
        return STC_ETIMEOUT;
    case EPIPE:
        return STC_ERESET;
    case ENFILE:
    case EMFILE:
    case ENOMEM:
    case ENOBUFS:
        return STC_ENOMEM; /* lwIP's socket table or pbuf pool: our limit */
    default:
        return STC_EPORT;
    }
}

/* fail - remember errno and map it */
static int fail(stc_lwip_t *p, int e, uint8_t family, int op)
{
    p->last_errno = e;
    return stc_lwip_map_errno(e, family, op);
}

/* family_usable - STC_OK, or why this board cannot use the family */
static int family_usable(const stc_lwip_t *p, uint8_t family)
{
    if (family == 4)
        return LWIP_IPV4 ? STC_OK : STC_EAFNOSUPPORT;
    if (family == 6)
        return LWIP_IPV6 && p->cfg.ipv6 ? STC_OK : STC_EAFNOSUPPORT;
    return STC_EINVAL;
}

/* open_socket - a non-blocking lwIP socket entered in the table */
static int open_socket(stc_lwip_t *p, uint8_t family, int type, int *sock)
{
    int rc = family_usable(p, family), s, i;

    if (rc != STC_OK)
        return rc;
    s = lwip_socket(family == 4 ? AF_INET : AF_INET6, type, 0);
    if (s < 0)
        return fail(p, errno, family, STC_LWIP_OP_START);
    /* F_SETFL accepts O_NONBLOCK and nothing else in lwIP */
    if (lwip_fcntl(s, F_SETFL, O_NONBLOCK) != 0) {
        p->last_errno = errno;
        lwip_close(s);
        return STC_EPORT;
    }
    i = slot_alloc(p, s, family);
    if (i < 0) {
        lwip_close(s);
        return STC_ENOMEM; /* our fixed table ran out */
    }
    *sock = i;
    return STC_OK;
}

/* ---- the table --------------------------------------------------------------- */

/* lw_tcp_connect - start a non-blocking connect */
static int lw_tcp_connect(void *user, const stc_ip_t *ip, uint16_t port, int *sock)
{
    stc_lwip_t *p = self(user);
    struct sockaddr_storage ss;
    socklen_t sl;
    int rc, i, e;

    if (ip == NULL || sock == NULL)
        return STC_EINVAL;
    *sock = -1;
    if (to_sockaddr(ip, port, &ss, &sl) != 0)
        return STC_EINVAL;
    rc = open_socket(p, ip->family, SOCK_STREAM, &i);
    if (rc != STC_OK)
        return rc;
    if (lwip_connect(p->sock[i], (struct sockaddr *)&ss, sl) == 0) {
        *sock = i;
        return STC_OK;
    }
    e = errno;
    if (e == EINPROGRESS) {
        *sock = i;
        return STC_EAGAIN;
    }
    slot_close(p, i);
    return fail(p, e, ip->family, STC_LWIP_OP_START);
}

/* lw_tcp_finish - outcome of the connect once the socket is writable.
 * lwIP keeps SO_ERROR at 0 while the SYN is out, so "still connecting" and
 * "connected" differ only in writability: the send event is raised when
 * the connection is established (or fails, which SO_ERROR says first). */
static int lw_tcp_finish(void *user, int sock)
{
    stc_lwip_t *p = self(user);
    struct pollfd pf;
    int s = slot_sock(p, sock), e = 0, r;
    socklen_t el = sizeof e;

    if (s < 0)
        return STC_EINVAL;
    if (lwip_getsockopt(s, SOL_SOCKET, SO_ERROR, &e, &el) != 0) {
        p->last_errno = errno;
        return STC_EPORT;
    }
    if (e != 0)
        return fail(p, e, p->fam[sock], STC_LWIP_OP_OUTCOME);
    pf.fd = s;
    pf.events = POLLOUT;
    pf.revents = 0;
    r = lwip_poll(&pf, 1, 0);
    if (r < 0) {
        p->last_errno = errno;
        return STC_EPORT;
    }
    if (r == 0)
        return STC_EAGAIN;
    if (pf.revents & (POLLERR | POLLNVAL)) {
        /* failed, and its error was read before: nothing more to say */
        p->last_errno = ENOTCONN;
        return STC_EPORT;
    }
    return (pf.revents & POLLOUT) ? STC_OK : STC_EAGAIN;
}

/* lw_send - send what lwIP takes now */
static long lw_send(void *user, int sock, const void *buf, size_t n)
{
    stc_lwip_t *p = self(user);
    int s = slot_sock(p, sock);
    ssize_t r;

    if (s < 0 || (buf == NULL && n > 0))
        return STC_EINVAL;
    if (n == 0)
        return 0;
    r = lwip_send(s, buf, n, 0);
    if (r >= 0)
        return (long)r;
    return fail(p, errno, p->fam[sock], STC_LWIP_OP_DATA);
}

/* lw_recv - receive; 0 = orderly close */
static long lw_recv(void *user, int sock, void *buf, size_t cap)
{
    stc_lwip_t *p = self(user);
    int s = slot_sock(p, sock);
    ssize_t r;

    if (s < 0 || buf == NULL || cap == 0) /* cap 0 would read as "closed" */
        return STC_EINVAL;
    r = lwip_recv(s, buf, cap, 0);
    if (r >= 0)
        return (long)r;
    return fail(p, errno, p->fam[sock], STC_LWIP_OP_DATA);
}

/* lw_udp_open - an unconnected UDP socket of the family */
static int lw_udp_open(void *user, uint8_t family, int *sock)
{
    if (sock == NULL)
        return STC_EINVAL;
    *sock = -1;
    return open_socket(self(user), family, SOCK_DGRAM, sock);
}

/* lw_udp_sendto - one datagram; STC_OK when it left whole. lwIP queues it
 * behind ARP resolution; a dead resolver shows later, as a timeout. */
static int lw_udp_sendto(void *user, int sock, const stc_ip_t *ip, uint16_t port,
                         const void *buf, size_t n)
{
    stc_lwip_t *p = self(user);
    struct sockaddr_storage ss;
    socklen_t sl;
    int s = slot_sock(p, sock);
    ssize_t r;

    if (s < 0 || ip == NULL || buf == NULL || ip->family != p->fam[sock] ||
        to_sockaddr(ip, port, &ss, &sl) != 0)
        return STC_EINVAL;
    r = lwip_sendto(s, buf, n, 0, (struct sockaddr *)&ss, sl);
    if (r >= 0)
        return (size_t)r == n ? STC_OK : STC_EPORT;
    return fail(p, errno, p->fam[sock], STC_LWIP_OP_START);
}

/* lw_udp_recvfrom - one datagram and its source; STC_ETOOLONG (datagram
 * consumed) when it did not fit in cap. lwIP's recvfrom() cuts a long
 * datagram silently, so recvmsg() and its MSG_TRUNC flag are used. */
static long lw_udp_recvfrom(void *user, int sock, void *buf, size_t cap, stc_ip_t *from,
                            uint16_t *from_port)
{
    stc_lwip_t *p = self(user);
    struct sockaddr_storage ss;
    struct iovec iov;
    struct msghdr mh;
    int s = slot_sock(p, sock);
    ssize_t r;

    if (s < 0 || buf == NULL || cap == 0 || from == NULL || from_port == NULL)
        return STC_EINVAL;
    memset(&ss, 0, sizeof ss);
    memset(&mh, 0, sizeof mh);
    iov.iov_base = buf;
    iov.iov_len = cap;
    mh.msg_name = &ss;
    mh.msg_namelen = sizeof ss;
    mh.msg_iov = &iov;
    mh.msg_iovlen = 1;
    r = lwip_recvmsg(s, &mh, 0);
    if (r < 0)
        return fail(p, errno, p->fam[sock], STC_LWIP_OP_DATA);
    from_sockaddr(&ss, from, from_port);
    if (mh.msg_flags & MSG_TRUNC)
        return STC_ETOOLONG;
    return (long)r;
}

/* lw_close - close a socket; unknown numbers are ignored */
static void lw_close(void *user, int sock)
{
    slot_close(self(user), sock);
}

/* lw_now_ms - lwIP's millisecond clock (sys_now wraps like ours) */
static uint32_t lw_now_ms(void *user)
{
    (void)user;
    return (uint32_t)sys_now();
}

/* lw_wait - lwip_poll() the sockets; entries that are not ours come back
 * as STC_READY_ERROR at once, as POLLNVAL would */
static int lw_wait(void *user, stc_pollfd_t *fds, size_t n, uint32_t timeout_ms)
{
    stc_lwip_t *p = self(user);
    struct pollfd pf[STC_LWIP_MAX_SOCKS];
    size_t map[STC_LWIP_MAX_SOCKS];
    size_t i, m = 0;
    int r, bad = 0, ready = 0;
    int t = timeout_ms > (uint32_t)INT_MAX ? INT_MAX : (int)timeout_ms;

    if (n > STC_LWIP_MAX_SOCKS || (fds == NULL && n > 0))
        return STC_EINVAL;
    for (i = 0; i < n; i++) {
        int s = fds[i].sock < 0 ? -1 : slot_sock(p, fds[i].sock);
        fds[i].revents = 0;
        if (fds[i].sock >= 0 && s < 0) {
            fds[i].revents = STC_READY_ERROR;
            bad++;
            continue;
        }
        if (s < 0)
            continue; /* negative entries are skipped, as poll() does */
        pf[m].fd = s;
        pf[m].events = (short)(((fds[i].events & STC_WANT_READ) ? POLLIN : 0) |
                               ((fds[i].events & STC_WANT_WRITE) ? POLLOUT : 0));
        pf[m].revents = 0;
        map[m++] = i;
    }
    if (bad)
        t = 0;
    if (m == 0) {
        /* lwip_poll() rejects an empty set: just let the time pass */
        if (t > 0)
            sys_msleep((u32_t)t);
        return bad;
    }
    r = lwip_poll(pf, (nfds_t)m, t);
    if (r < 0) {
        p->last_errno = errno;
        return STC_EPORT;
    }
    for (i = 0; i < m; i++) {
        uint8_t rv = 0;
        if (pf[i].revents & POLLIN)
            rv |= STC_WANT_READ;
        if (pf[i].revents & POLLOUT)
            rv |= STC_WANT_WRITE;
        if (pf[i].revents & (POLLERR | POLLHUP | POLLNVAL))
            rv |= STC_READY_ERROR;
        fds[map[i]].revents = rv;
        if (rv)
            ready++;
    }
    return ready + bad;
}

/* lw_unix_time - the board's clock, or the configured fixed moment */
static int64_t lw_unix_time(void *user)
{
    stc_lwip_t *p = self(user);
    if (p->cfg.unix_time)
        return p->cfg.unix_time(p->cfg.board);
    return p->cfg.fixed_time;
}

/* lw_random - the board's random source */
static int lw_random(void *user, void *buf, size_t n)
{
    stc_lwip_t *p = self(user);
    if (buf == NULL && n > 0)
        return STC_EINVAL;
    if (n == 0)
        return STC_OK;
    return p->cfg.random(p->cfg.board, buf, n) == 0 ? STC_OK : STC_EPORT;
}

/* lw_resolvers - the configured resolvers, in order, at most max */
static size_t lw_resolvers(void *user, stc_ip_t *out, size_t max)
{
    stc_lwip_t *p = self(user);
    size_t n = p->cfg.nresolvers < max ? p->cfg.nresolvers : max;
    if (n)
        memcpy(out, p->res, n * sizeof *out);
    return n;
}

/* lw_trust_anchors - the board's CA buffer */
static int lw_trust_anchors(void *user, const uint8_t **buf, size_t *len, int *format)
{
    stc_lwip_t *p = self(user);
    if (p->cfg.ca == NULL || p->cfg.ca_len == 0)
        return STC_EPORT;
    *buf = p->cfg.ca;
    *len = p->cfg.ca_len;
    *format = p->cfg.ca_format;
    return STC_OK;
}

/* ---- set-up ------------------------------------------------------------------ */

/* stc_lwip_init - copy the board configuration, fill the ops table */
int stc_lwip_init(stc_lwip_t *p, const stc_lwip_cfg_t *cfg)
{
    size_t i;

    memset(p, 0, sizeof *p);
    for (i = 0; i < STC_LWIP_MAX_SOCKS; i++)
        p->sock[i] = -1;
    if (cfg == NULL || cfg->random == NULL)
        return -1; /* DNS query IDs must be unpredictable */
    if (cfg->unix_time == NULL && cfg->fixed_time <= 0)
        return -1; /* certificate dates need some notion of "now" */
    if (cfg->nresolvers > STC_LWIP_MAX_RESOLVERS ||
        (cfg->nresolvers > 0 && cfg->resolvers == NULL))
        return -1;
    if (cfg->ca != NULL && cfg->ca_format != STC_TA_PEM && cfg->ca_format != STC_TA_DER)
        return -1;
    for (i = 0; i < cfg->nresolvers; i++) {
        if (cfg->resolvers[i].family != 4 && cfg->resolvers[i].family != 6)
            return -1;
        p->res[i] = cfg->resolvers[i];
    }
    p->cfg = *cfg;
    p->cfg.resolvers = p->res;

    p->ops.version = STC_PORT_VERSION;
    p->ops.user = p;
    p->ops.tcp_connect = lw_tcp_connect;
    p->ops.tcp_finish = lw_tcp_finish;
    p->ops.send = lw_send;
    p->ops.recv = lw_recv;
    p->ops.udp_open = lw_udp_open;
    p->ops.udp_sendto = lw_udp_sendto;
    p->ops.udp_recvfrom = lw_udp_recvfrom;
    p->ops.close = lw_close;
    p->ops.wait = lw_wait;
    p->ops.now_ms = lw_now_ms;
    p->ops.unix_time = lw_unix_time;
    p->ops.random = lw_random;
    p->ops.resolvers = lw_resolvers;
    p->ops.trust_anchors = lw_trust_anchors;
    return 0;
}

/* stc_lwip_free - close the sockets the core left open */
void stc_lwip_free(stc_lwip_t *p)
{
    int i;
    if (p->ops.user != p) /* never initialised, or freed already */
        return;
    for (i = 0; i < STC_LWIP_MAX_SOCKS; i++)
        slot_close(p, i);
    p->ops.user = NULL;
}

/* stc_lwip_open_sockets - sockets open right now */
size_t stc_lwip_open_sockets(const stc_lwip_t *p)
{
    return p->nopen;
}

/* stc_lwip_last_errno - errno of the last failed lwIP call */
int stc_lwip_last_errno(const stc_lwip_t *p)
{
    return p->last_errno;
}
