/* stc_lwip_raw.h - the porting interface over lwIP's raw API (NO_SYS=1)
 *
 * stc_port_t for a device that runs lwIP without an operating system: one
 * main loop, lwIP built with NO_SYS=1, the raw callback API (tcp_new,
 * tcp_connect, tcp_write/tcp_output, tcp_recv/tcp_sent/tcp_err, tcp_close
 * or tcp_abort; udp_new, udp_sendto, udp_recv, udp_remove). Nothing here
 * blocks and nothing allocates: every socket is a slot of a fixed table in
 * the caller's stc_lwip_raw_t, and what lwIP's callbacks deliver waits in
 * that slot until the core reads it.
 *
 * How it runs
 *   lwIP's callbacks only record: a received TCP pbuf is chained to its
 *   slot's queue, a datagram goes to the slot's small ring, a connect, a
 *   FIN or an error sets a flag. The core's calls read those records:
 *   recv() copies from the queue and only then calls tcp_recved(), so the
 *   window the peer sees is what the core has consumed (TCP flow control:
 *   a slow reader holds at most TCP_WND bytes of pbufs); send() writes what
 *   tcp_sndbuf() allows and calls tcp_output(). Readiness is derived from
 *   the same records, so wait() needs no event source of its own: it runs
 *   the board's driver poll (frames into netif->input) and
 *   sys_check_timeouts() in turn, checks the slots, and lets the board idle
 *   (e.g. WFI until the next SysTick) when nothing is ready, until a slot is
 *   ready or the timeout has passed. A firmware's main loop can do the same
 *   between its own jobs: stc_lwip_raw_poll() is one such pass.
 *
 * What the board supplies (stc_lwip_raw_cfg_t)
 *   - poll(board): move the frames the Ethernet controller holds into lwIP
 *     (netif->input) and update the link state; never blocks. Required.
 *   - idle(board): nothing is ready: may sleep until the next interrupt
 *     (the 1 ms tick at the latest). NULL = busy loop.
 *   - sys_now() (lwIP's clock, a link-time function of the board): a
 *     millisecond counter, usually SysTick; it is also the core's now_ms.
 *   - random(board, buf, n): unpredictable bytes (DNS query IDs).
 *   - unix_time(board) or fixed_time: the wall clock for certificate dates.
 *   - resolvers, trust anchors (a PEM or DER buffer that stays valid until
 *     stc_check_free()), whether the netif has a routable IPv6 address.
 *   lwIP itself must be up (lwip_init(), netif added, set up and default)
 *   before the core's first call.
 *
 * Conventions
 * - Memory: the caller owns the stc_lwip_raw_t and everything cfg points at.
 *   p->ops.user points at p: do not move or copy an initialised one; hand
 *   &p->ops to the core.
 * - Sockets handed to the core are indexes into p->sock[], never pcb
 *   pointers. lwIP frees a pcb itself when it reports an error (tcp_err):
 *   the slot then forgets the pointer and keeps the error for the core.
 * - Threading: none. Every call, and lwIP's callbacks, run in the one main
 *   loop; nothing here may be called from an interrupt handler.
 * - lwIP's pools are the limit: a check holds at most STC_MAX_CONN TCP and
 *   STC_MAX_DNS UDP pcbs at once, plus TCP pcbs in TIME_WAIT/LAST_ACK after
 *   a close. port_lwip_raw.c refuses, at compile time, an lwipopts.h whose
 *   MEMP_NUM_TCP_PCB or MEMP_NUM_UDP_PCB cannot hold that. Our pcbs keep
 *   lwIP's normal priority, so lwIP never kills a live one to make room
 *   for another (tcp_kill_prio only takes lower priorities; TIME_WAIT pcbs
 *   are reused first).
 *
 * Error mapping (lwIP err_t -> stc_err_t)
 *   Returned by a call that starts something (tcp_new/udp_new = NULL,
 *   tcp_connect, udp_sendto, tcp_write with nothing in flight):
 *     ERR_MEM, ERR_BUF, a NULL pcb or pbuf -> STC_ENOMEM (lwIP's pools or
 *         heap ran out: the checker's own limit, never the peer's fault);
 *     ERR_RTE (no netif routes there) -> STC_EUNREACH;
 *     ERR_VAL, ERR_ARG -> STC_EINVAL; anything else -> STC_EPORT.
 *   Reported by tcp_err (lwIP has freed the pcb), by the connection's state:
 *     ERR_RST while connecting -> STC_ECONNREFUSED (the RST answering our
 *         SYN: nobody listens); after -> STC_ERESET;
 *     ERR_ABRT while connecting -> STC_ETIMEOUT (lwIP gave up
 *         retransmitting the SYN); after -> STC_ERESET;
 *     ERR_CLSD -> STC_ERESET; anything else -> STC_EPORT.
 *   tcp_write's ERR_MEM with segments in flight -> STC_EAGAIN (tcp_sent
 *   frees room); a FIN from the peer -> recv() returns 0 once the queue is
 *   empty; a UDP datagram longer than the core's buffer -> STC_ETOOLONG
 *   (consumed); IPv6 when cfg.ipv6 is 0 or lwIP has no IPv6 ->
 *   STC_EAFNOSUPPORT without asking lwIP (reported as untested).
 *   The raw err_t of the last failure: stc_lwip_raw_last_err().
 *
 * What lwIP does not report
 *   ICMP errors reach no raw pcb here: a dead resolver and a filtered port
 *   end as the core's timeouts. A datagram arriving while the slot's ring
 *   is full is dropped (counted in p->udp_dropped), as a full socket
 *   buffer would.
 *
 * Use (a board's main loop)
 *     static stc_lwip_raw_t lw;
 *     stc_lwip_raw_cfg_t cfg = {0};
 *     cfg.poll = eth_poll;  cfg.idle = cpu_wfi;  cfg.random = trng_fill;
 *     cfg.unix_time = rtc_seconds;  cfg.resolvers = &dns;  cfg.nresolvers = 1;
 *     cfg.ca = anchors;  cfg.ca_len = anchors_len;  cfg.ca_format = STC_TA_DER;
 *     lwip_init();  netif_add(...);  netif_set_default(...);  netif_set_up(...);
 *     stc_lwip_raw_init(&lw, &cfg);
 *     stc_init(arena, sizeof arena, &lw.ops);  stc_check_init(&chk, &lw.ops, NULL);
 *     stc_check_domain_start(&chk, "example.org", NULL, 0);
 *     while (stc_check_step(&chk) == STC_EAGAIN) {
 *         n = stc_check_pollset(&chk, fds, N, &ms);
 *         lw.ops.wait(lw.ops.user, fds, n, ms);    (driver, timers, slots)
 *     }
 */
#ifndef STC_LWIP_RAW_H
#define STC_LWIP_RAW_H

#include "stc/stc_opts.h"
#include "stc/stc_port.h"

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Socket slots: one check holds at most a socket per connection slot and
 * per DNS slot (a DNS slot swaps its UDP socket for a TCP one, never both). */
#ifndef STC_LWIP_RAW_MAX_SOCKS
#define STC_LWIP_RAW_MAX_SOCKS (STC_MAX_CONN + STC_MAX_DNS)
#endif

/* Datagrams queued per UDP socket (a DNS query expects one answer; a
 * second covers a stale answer to an earlier try arriving first). */
#ifndef STC_LWIP_RAW_UDP_QUEUE
#define STC_LWIP_RAW_UDP_QUEUE 2
#endif

/* Resolver addresses kept. */
#ifndef STC_LWIP_RAW_MAX_RESOLVERS
#define STC_LWIP_RAW_MAX_RESOLVERS 4
#endif

struct pbuf;
struct stc_lwip_raw;

/* Board configuration: poll, random and a clock are required. */
typedef struct stc_lwip_raw_cfg {
    void (*poll)(void *board);  /* frames into netif->input, link state */
    void (*idle)(void *board);  /* may sleep until the next interrupt; NULL = spin */
    const stc_ip_t *resolvers;  /* DNS resolvers, in order (copied) */
    size_t nresolvers;
    const uint8_t *ca;          /* trust anchors; NULL = none */
    size_t ca_len;
    int ca_format;              /* STC_TA_PEM or STC_TA_DER */
    int64_t (*unix_time)(void *board); /* wall clock; NULL = fixed_time */
    int64_t fixed_time;
    int (*random)(void *board, void *buf, size_t n); /* 0 on success */
    void *board;                /* handed to every callback above */
    uint8_t ipv6;               /* 1 when the netif has a routable IPv6 address */
} stc_lwip_raw_cfg_t;

/* One socket slot (private; the layout is public for sizing). */
typedef struct stc_lwip_raw_sock {
    struct stc_lwip_raw *owner; /* for the callbacks' counters */
    uint8_t kind;     /* 0 free, 1 TCP, 2 UDP */
    uint8_t family;   /* 4 or 6 */
    uint8_t flags;    /* connected, FIN seen */
    int8_t err;       /* stc_err_t a callback recorded; 0 none */
    void *pcb;        /* struct tcp_pcb * / struct udp_pcb *; NULL once lwIP freed it */
    struct pbuf *rx;  /* TCP: received bytes not yet read, one chain */
    /* UDP: a ring of datagrams and their sources */
    struct pbuf *dg[STC_LWIP_RAW_UDP_QUEUE];
    stc_ip_t dg_from[STC_LWIP_RAW_UDP_QUEUE];
    uint16_t dg_port[STC_LWIP_RAW_UDP_QUEUE];
    uint8_t dg_head, dg_count;
} stc_lwip_raw_sock_t;

typedef struct stc_lwip_raw {
    stc_port_t ops;             /* give &ops to the core; ops.user == this */
    stc_lwip_raw_cfg_t cfg;     /* copy; cfg.resolvers points at res[] */
    stc_ip_t res[STC_LWIP_RAW_MAX_RESOLVERS];
    int last_err;               /* lwIP err_t of the last failure (0 none) */
    size_t nopen;
    uint32_t udp_dropped;       /* datagrams dropped on a full ring */
    uint32_t rx_queued_max;     /* most TCP bytes ever waiting in one slot */
    stc_lwip_raw_sock_t sock[STC_LWIP_RAW_MAX_SOCKS];
} stc_lwip_raw_t;

/* Fill p from cfg (copied) and the ops table. Returns 0, or -1 when cfg
 * lacks poll, random or a clock, names more than STC_LWIP_RAW_MAX_RESOLVERS
 * resolvers or one of a family other than 4/6, or has a bad ca_format. */
int stc_lwip_raw_init(stc_lwip_raw_t *p, const stc_lwip_raw_cfg_t *cfg);

/* Close (abort) the sockets the core left open. Safe to call twice. */
void stc_lwip_raw_free(stc_lwip_raw_t *p);

/* One pass of the stack: the board's poll(), then sys_check_timeouts(). */
void stc_lwip_raw_poll(stc_lwip_raw_t *p);

/* Sockets open right now (for leak checks). */
size_t stc_lwip_raw_open_sockets(const stc_lwip_raw_t *p);

/* lwIP err_t of the last failed call or callback (0 = none yet). */
int stc_lwip_raw_last_err(const stc_lwip_raw_t *p);

/* Which event an err_t came from, for stc_lwip_raw_map_err(). */
#define STC_LWIP_RAW_OP_START 0   /* returned by a call that starts something */
#define STC_LWIP_RAW_OP_CONNECT 1 /* tcp_err while the connect is pending */
#define STC_LWIP_RAW_OP_DATA 2    /* tcp_err on an established connection */

/* The err_t -> stc_err_t mapping above. */
int stc_lwip_raw_map_err(int err, int op);

#ifdef __cplusplus
}
#endif

#endif /* STC_LWIP_RAW_H */
