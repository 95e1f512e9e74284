/* stc_lwip.h - the lwIP implementation of the porting interface
 *
 * stc_port_t over lwIP's BSD-style socket API (lwip_socket, lwip_connect,
 * lwip_send/recv, lwip_sendto/recvfrom, lwip_poll, lwip_fcntl(O_NONBLOCK),
 * lwip_getsockopt(SO_ERROR)), so it needs an lwIP built with NO_SYS=0,
 * LWIP_SOCKET=1 and LWIP_SOCKET_POLL=1 (a tcpip thread). Everything that an
 * appliance knows and lwIP does not - resolvers, trust anchors, the wall
 * clock, a random source, whether IPv6 is usable - comes from the board in
 * a stc_lwip_cfg_t. This file does no file I/O and calls no libc function
 * that takes a descriptor.
 *
 * Conventions
 * - Memory: no allocation. The caller owns the stc_lwip_t (well under 1 KB)
 *   and everything cfg points at: the trust-anchor buffer (often a const
 *   array in flash) must stay valid until stc_deinit(); the resolver list
 *   is copied.
 * - p->ops.user points at p itself: do not copy or move an initialised
 *   stc_lwip_t; hand &p->ops to the core.
 * - Sockets handed to the core are indexes into p's own table, not lwIP
 *   socket numbers, so a stale number cannot close someone else's socket.
 *   lwIP socket numbers start at LWIP_SOCKET_OFFSET and overlap kernel file
 *   descriptors on a hosted build: they are never passed to libc here.
 * - Threading: one thread per stc_lwip_t; that thread must not hold the
 *   lwIP core lock (every call goes through the tcpip thread).
 * - lwIP's socket table is small and global (MEMP_NUM_NETCONN entries,
 *   4 by default): a check holds at most STC_MAX_CONN + STC_MAX_DNS
 *   sockets, so the board's stc_config.h must keep that sum within what
 *   the application leaves free. port_lwip.c checks it at compile time
 *   against STC_LWIP_SOCKETS_RESERVED (sockets the rest of the firmware
 *   keeps open; default 0). Debian's liblwip allocates sockets on demand
 *   (LWIP_SOCKET_OPEN_COUNT) and has no fixed table; the check is then
 *   skipped.
 * - Build with -std=gnu11 (or -D_DEFAULT_SOURCE): under strict C99/C11,
 *   lwip/arch.h redefines ssize_t.
 *
 * Clock and certificate dates
 *   Certificate validity is judged against cfg->unix_time(). An appliance
 *   needs a real-time clock (battery-backed, or set by SNTP before the first
 *   check) for expiry findings to mean anything. A board without one may
 *   give cfg->fixed_time instead (for example the firmware build time): the
 *   checks then run, but "expired" and "expires soon" are judged against
 *   that moment and are wrong by however long the device has been running
 *   since. stc_lwip_init() refuses a configuration with neither.
 *
 * Error mapping (errno set by lwIP -> stc_err_t), by operation:
 *   any:   EAGAIN/EWOULDBLOCK/EINPROGRESS/EALREADY -> STC_EAGAIN;
 *          ETIMEDOUT -> STC_ETIMEOUT; ECONNREFUSED -> STC_ECONNREFUSED;
 *          EAFNOSUPPORT/EPROTONOSUPPORT -> STC_EAFNOSUPPORT;
 *          ENFILE/EMFILE/ENOMEM/ENOBUFS -> STC_ENOMEM (lwIP's socket table
 *          or pbuf pool ran out: our limit, not the peer's doing);
 *          EPIPE -> STC_ERESET; anything else -> STC_EPORT (the raw errno is
 *          kept: stc_lwip_last_errno()).
 *   EHOSTUNREACH/ENETUNREACH (lwIP's ERR_RTE: no netif routes there) ->
 *          STC_EAFNOSUPPORT for IPv6 at connect()/sendto() time (this board
 *          has no IPv6 route, which says nothing of the peer), else
 *          STC_EUNREACH.
 *   ECONNRESET: from a connect's outcome (SO_ERROR) -> STC_ECONNREFUSED,
 *          because lwIP reports the RST answering our SYN - a closed port -
 *          as a reset, never as ECONNREFUSED; on data -> STC_ERESET.
 *   ECONNABORTED: from a connect's outcome -> STC_ETIMEOUT (lwIP aborts the
 *          connection when its SYN retransmissions run out); on data ->
 *          STC_ERESET.
 *   ENOTCONN on data -> STC_ERESET (after a reset lwIP has freed the
 *          connection and reports it as not connected).
 *   IPv6 when cfg->ipv6 is 0 -> STC_EAFNOSUPPORT without asking lwIP, so
 *   the core reports such addresses as untested rather than failed.
 *
 * What lwIP does not report
 *   ICMP errors never reach lwIP sockets: a UDP query to a dead resolver
 *   and a TCP connect to a filtered port both end as timeouts (the core's
 *   deadlines), never as "unreachable" or "refused".
 *
 * Use
 *     static stc_lwip_t lw;
 *     stc_lwip_cfg_t cfg = {0};
 *     cfg.resolvers = my_resolvers;  cfg.nresolvers = 1;
 *     cfg.ca = ca_pem;  cfg.ca_len = sizeof ca_pem;  cfg.ca_format = STC_TA_PEM;
 *     cfg.unix_time = rtc_seconds;   cfg.random = trng_fill;  cfg.board = &bsp;
 *     if (stc_lwip_init(&lw, &cfg) != 0) ...   (no random source or clock)
 *     stc_init(arena, sizeof arena, &lw.ops);
 *     ...
 *     stc_lwip_free(&lw);
 */
#ifndef STC_LWIP_H
#define STC_LWIP_H

#include "stc/stc_port.h"

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Resolver addresses kept (the core asks for as many as it uses). */
#ifndef STC_LWIP_MAX_RESOLVERS
#define STC_LWIP_MAX_RESOLVERS 4
#endif

/* Entries in our socket table (lwIP's own table is usually smaller). */
#ifndef STC_LWIP_MAX_SOCKS
#define STC_LWIP_MAX_SOCKS 16
#endif

/* Board configuration. Only `random` and a clock are required. */
typedef struct stc_lwip_cfg {
    const stc_ip_t *resolvers; /* DNS resolvers, in order (copied) */
    size_t nresolvers;
    const uint8_t *ca;         /* trust anchors; NULL = none (chain checks
                                  are then reported as not possible) */
    size_t ca_len;
    int ca_format;             /* STC_TA_PEM or STC_TA_DER */
    /* Wall-clock unix seconds from the board's RTC; NULL = use fixed_time. */
    int64_t (*unix_time)(void *board);
    int64_t fixed_time;        /* unix seconds used when unix_time is NULL */
    /* Fill buf with n unpredictable bytes (hardware RNG): 0, or non-zero on
     * failure. DNS query IDs depend on it. */
    int (*random)(void *board, void *buf, size_t n);
    void *board;               /* handed to unix_time() and random() */
    uint8_t ipv6;              /* 1 when the netif has a routable IPv6 address */
} stc_lwip_cfg_t;

typedef struct stc_lwip {
    stc_port_t ops;            /* give &ops to the core; ops.user == this */
    stc_lwip_cfg_t cfg;        /* copy; cfg.resolvers points at res[] */
    stc_ip_t res[STC_LWIP_MAX_RESOLVERS];
    int last_errno;            /* errno of the last failed lwIP call */
    int sock[STC_LWIP_MAX_SOCKS]; /* lwIP socket numbers; -1 = free */
    uint8_t fam[STC_LWIP_MAX_SOCKS]; /* 4 or 6 */
    size_t nopen;
} stc_lwip_t;

/* Fill p from cfg (copied) and set up the ops table. lwIP must be running
 * (tcpip_init done) before the core makes its first call, not before this.
 * Returns 0, or -1 when cfg lacks a random source or a clock, names more
 * than STC_LWIP_MAX_RESOLVERS resolvers, or has a resolver of family
 * other than 4/6. Nothing needs freeing after -1. */
int stc_lwip_init(stc_lwip_t *p, const stc_lwip_cfg_t *cfg);

/* Close sockets the core left open. Safe to call twice. */
void stc_lwip_free(stc_lwip_t *p);

/* Sockets currently open through p (for leak checks). */
size_t stc_lwip_open_sockets(const stc_lwip_t *p);

/* errno of the last failed lwIP call (0 = none yet). */
int stc_lwip_last_errno(const stc_lwip_t *p);

/* Which call an errno came from, for stc_lwip_map_errno(). */
#define STC_LWIP_OP_DATA 0    /* send, recv, recvfrom, socket options */
#define STC_LWIP_OP_START 1   /* connect() or sendto() itself */
#define STC_LWIP_OP_OUTCOME 2 /* SO_ERROR read after a non-blocking connect */

/* The errno -> stc_err_t mapping above; family 4/6 is the socket's. */
int stc_lwip_map_errno(int e, uint8_t family, int op);

#ifdef __cplusplus
}
#endif

#endif /* STC_LWIP_H */
