/* fake_port.h - a scripted, deterministic, in-memory stc_port_t for tests
 *
 * Everything the core can see of the world is simulated in this process:
 * a clock, DNS resolvers with a record table, TCP peers that follow a
 * script, UDP datagrams. No socket, no sleep, no system clock: a test with
 * 30-second timeouts runs in microseconds and gives the same result every
 * time.
 *
 * Conventions
 * - One fake per process (tests run one after another): call fake_reset()
 *   at the start of each test; it frees everything and restores the
 *   defaults. fake_port() is the table to hand to the core.
 * - Time: now_ms starts at FAKE_T0, 8.192 s before the uint32_t wrap, so
 *   every test longer than that crosses the wrap (wrap bugs show at once).
 *   The clock moves only in wait() and fake_advance()/fake_set_time():
 *   wait() returns at once when a socket is ready; otherwise it jumps to
 *   the next event of the sockets waited on (data due, connect done), or
 *   to the timeout, whichever comes first. unix_time follows the clock
 *   (FAKE_UNIX_T0 at FAKE_T0).
 * - Strings given to the fake (names, data, script text) are copied,
 *   except fake_step_t.expect/.reply, which must outlive the peer (string
 *   literals do).
 * - Functions returning int give 0, or -1 on bad input / a full table.
 * - Sockets are small integers in rotation, so a socket used after close
 *   is caught: operations on sockets that are not open return STC_EINVAL
 *   and count in fake_stats()->bad_calls (a test should expect 0).
 *
 * DNS
 * - fake_resolver() registers resolver addresses (resolvers() returns
 *   them in order). A datagram sent to a resolver on port 53 is parsed as
 *   a query (header + one question, EDNS0 OPT noted); the response is
 *   queued for udp_recvfrom() from resolver:53 after the rule's delay.
 * - Answers come from the records given to fake_dns_add(), with CNAME
 *   chains followed as a recursive resolver does (the CNAMEs are included).
 *   A name with no records of any type (and no records below it) is
 *   NXDOMAIN; a name with records of other types gets NOERROR and no
 *   answer. Names are case-insensitive, a trailing dot is optional; the
 *   question is echoed exactly as sent; no name compression is used.
 * - The response carries an OPT record when the query did; an answer
 *   larger than the client's UDP size (512 without EDNS) is sent with TC
 *   set and no records, as a resolver would.
 * - TCP to a registered resolver's port 53 is accepted (unless changed
 *   with fake_dns_tcp()), with 2-byte length framing, several queries per
 *   connection allowed; TC never applies there. (A peer defined with
 *   fake_tcp_peer() at resolver:53 replaces this DNS service.)
 * - Rules (fake_dns_rule) change the answer for a name: rcode, AD, TC,
 *   drop, drop the first N, a delay, an extra copy with a wrong ID or from
 *   another source port (delivered just before the genuine answer).
 *
 * TCP peers
 * - Each (address, port) has a peer: FAKE_ACCEPT / FAKE_REFUSE /
 *   FAKE_BLACKHOLE (connect never completes) / FAKE_UNREACH / FAKE_NOAF
 *   (tcp_connect says STC_EAFNOSUPPORT at once), after connect_delay_ms.
 *   Unknown peers get the default kind (FAKE_REFUSE; fake_tcp_default()).
 *   tcp_connect returns STC_EAGAIN and tcp_finish tells the outcome once
 *   the delay has passed (STC_EAGAIN before), unless connect_now is set:
 *   then tcp_connect itself answers (STC_OK / STC_ECONNREFUSED /
 *   STC_EUNREACH).
 * - An accepted connection runs the peer's script, a list of steps. A step
 *   with expect == NULL fires as soon as it is reached (the banner); a
 *   step with expect "" fires on the next bytes the client sends, whatever
 *   they are (a TLS ClientHello); any other expect fires on a client line
 *   (up to LF) starting with that text, case-insensitively. When a step
 *   fires, its reply becomes readable delay_ms later (and never before the
 *   peer's previous output), then its action applies: FAKE_CLOSE (orderly
 *   EOF: recv 0), FAKE_RESET (recv STC_ERESET; send STC_ERESET after it),
 *   FAKE_STALL (the peer goes silent for good, never closing).
 * - A client line that does not match the expected step is answered
 *   "500 5.5.1 fake: unexpected\r\n" and counted (fake_conn()->unexpected).
 *   After the last step, "QUIT" is answered "221 2.0.0 fake: bye" followed
 *   by EOF (unless no_auto_quit); other lines count as unexpected.
 * - one_byte: recv() gives at most one byte per call. drip_ms: the reply
 *   bytes become readable one at a time, drip_ms apart (a tarpit).
 *   tx_chunk: send() accepts at most that many bytes per call.
 * - Everything a client sent is kept per connection (fake_conn(i)->sent),
 *   connections numbered in connect order from 0, DNS ones included.
 *
 * Use
 *     static const fake_step_t mx[] = {
 *         {NULL, "220 mx.example.org ESMTP\r\n", 0, FAKE_NONE},
 *         {"EHLO", "250-mx.example.org\r\n250 STARTTLS\r\n", 0, FAKE_NONE},
 *         {"STARTTLS", "220 2.0.0 go ahead\r\n", 0, FAKE_NONE},
 *         {"", "\x15\x03\x03\x00\x02\x02\x28", 0, FAKE_CLOSE, 7}, (a TLS alert:
 *                                          it holds a NUL, so its length is given)
 *     };
 *     fake_peer_t peer = {FAKE_ACCEPT};
 *
 *     fake_reset();
 *     fake_resolver("192.0.2.53");
 *     fake_dns_add("example.org", FAKE_MX, "10 mx.example.org");
 *     fake_dns_add("mx.example.org", FAKE_A, "192.0.2.25");
 *     peer.script = mx;
 *     peer.nsteps = FAKE_NSTEPS(mx);
 *     fake_tcp_peer("192.0.2.25", 25, &peer);
 *
 *     stc_check_init(&chk, fake_port(), NULL);
 *     stc_check_domain_start(&chk, "example.org", NULL, 0);
 *     stc_check_run(&chk);
 *     CHECK(fake_conn_sent(fake_conn_index("192.0.2.25", 25, 0), "STARTTLS\r\n"));
 *     stc_check_free(&chk);
 *     CHECK_EQ(fake_open_sockets(), 0);
 *     CHECK_EQ(fake_stats()->bad_calls, 0);
 *     fake_reset();
 */
#ifndef FAKE_PORT_H
#define FAKE_PORT_H

#include "stc/stc_port.h"

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define FAKE_T0 0xFFFFE000u      /* now_ms after fake_reset() */
#define FAKE_UNIX_T0 1700000000  /* unix_time after fake_reset() (2023-11-14) */

/* Table sizes (tests that need more can raise them here). */
#define FAKE_MAX_SOCKS 64      /* sockets open at once */
#define FAKE_MAX_CONNS 1024    /* TCP connections per test, kept for inspection */
#define FAKE_MAX_PEERS 64
#define FAKE_MAX_STEPS 32      /* steps per script */
#define FAKE_MAX_RRS 1024      /* DNS records */
#define FAKE_MAX_RULES 64
#define FAKE_MAX_RESOLVERS 8

/* Record types (the same numbers as the wire). */
#define FAKE_A 1
#define FAKE_CNAME 5
#define FAKE_MX 15
#define FAKE_TXT 16
#define FAKE_AAAA 28
#define FAKE_TLSA 52

/* ---- life cycle ----------------------------------------------------------- */

/* Free everything, forget all peers/records/rules/stats, clock to FAKE_T0,
 * random seed to its default, IPv6 usable, no trust anchors. */
void fake_reset(void);
/* The port table to give the core (the same pointer every time). */
const stc_port_t *fake_port(void);

/* ---- clock ---------------------------------------------------------------- */

uint32_t fake_now(void);
/* Move the clock forward by ms (data and connects due meanwhile become ready). */
void fake_advance(uint32_t ms);
/* Set both clocks (unix_time then follows now_ms from here). */
void fake_set_time(uint32_t now_ms, int64_t unix_time);
/* After n calls to wait(), wait() returns STC_EPORT (a runaway loop in the
 * core ends instead of hanging the test). 0 = no limit; default 1000000. */
void fake_set_wait_limit(unsigned long n);

/* ---- DNS ------------------------------------------------------------------ */

/* Add a resolver address ("192.0.2.53", "2001:db8::53"). */
int fake_resolver(const char *ip);
/* A muted resolver drops every datagram and refuses TCP (for failover). */
int fake_resolver_mute(const char *ip, int mute);

/* Records are answered with TTL 300; a name without records of the type
 * asked (NODATA, NXDOMAIN) is answered with an SOA in the authority
 * section that keeps the negative answer FAKE_NEG_TTL seconds. */
#define FAKE_NEG_TTL 60

/* Add a record. data by type: A/AAAA an address; MX "pref exchange" ("0 ."
 * is a null MX); CNAME the target; TXT the text (split into 255-byte
 * strings; "" is one empty string). Other types: use fake_dns_add_raw. */
int fake_dns_add(const char *name, uint16_t type, const char *data);
/* Add a record with RDATA as given (uncompressed wire form; any type,
 * malformed RDATA included). */
int fake_dns_add_raw(const char *name, uint16_t type, const void *rdata, size_t len);

typedef struct fake_dns_rule {
    uint8_t rcode;      /* non-zero: answer with this RCODE and no records
                           (2 SERVFAIL, 3 NXDOMAIN, 5 REFUSED, ...) */
    uint8_t ad;         /* set the AD bit */
    uint8_t tc;         /* UDP: answer with TC set and no records */
    uint8_t drop;       /* send no genuine answer (copies below still go) */
    uint8_t drop_first; /* no answer to the first N queries matching the rule */
    uint8_t wrong_id;   /* first send a copy whose ID differs */
    uint8_t other_port; /* first send a copy from port 5353 (UDP) */
    uint32_t delay_ms;  /* the answer (and copies) become readable this late */
} fake_dns_rule_t;

/* Rule for queries of name (qtype, or 0 = any type). name NULL sets the
 * default rule for names without one. Most specific wins: (name, qtype),
 * then (name, 0), then the default. Setting a rule again replaces it. */
int fake_dns_rule(const char *name, uint16_t qtype, const fake_dns_rule_t *r);
/* How TCP connects to resolver:53 behave (FAKE_ACCEPT by default). */
void fake_dns_tcp(uint8_t kind);
/* Queries seen for name (NULL = any) and qtype (0 = any), UDP and TCP. */
unsigned long fake_dns_count(const char *name, uint16_t qtype);
/* The last query received (raw message, without TCP framing); NULL before. */
const uint8_t *fake_dns_last_query(size_t *len);

/* ---- TCP peers ------------------------------------------------------------ */

/* Peer kinds. */
#define FAKE_REFUSE 0
#define FAKE_ACCEPT 1
#define FAKE_BLACKHOLE 2
#define FAKE_UNREACH 3
#define FAKE_NOAF 4

/* Step actions. */
#define FAKE_NONE 0
#define FAKE_CLOSE 1
#define FAKE_RESET 2
#define FAKE_STALL 3

typedef struct fake_step {
    const char *expect;  /* NULL: at once; "": any bytes; else a line prefix */
    const char *reply;   /* bytes to send (NULL: none) */
    uint32_t delay_ms;   /* after the trigger */
    uint8_t action;      /* FAKE_NONE / FAKE_CLOSE / FAKE_RESET / FAKE_STALL */
    size_t reply_len;    /* 0 = strlen(reply) (give it for replies with NUL) */
} fake_step_t;

#define FAKE_NSTEPS(a) (sizeof(a) / sizeof((a)[0]))

typedef struct fake_peer {
    uint8_t kind;              /* FAKE_ACCEPT, ... */
    uint8_t connect_now;       /* tcp_connect answers at once (delay ignored) */
    uint8_t one_byte;          /* recv gives one byte per call */
    uint8_t no_auto_quit;      /* no automatic "221" to QUIT after the script */
    uint32_t connect_delay_ms; /* connect completes (or fails) this late */
    uint32_t drip_ms;          /* reply bytes readable one by one, this far apart */
    size_t tx_chunk;           /* send accepts at most this per call (0 = all) */
    const fake_step_t *script; /* copied (the strings are not) */
    size_t nsteps;
    /* A per-client connection limit, as MTAs have: with max_conns > 0, a
     * connection made while max_conns others to this peer are open runs
     * over_script instead (e.g. "421 too many connections"). */
    uint8_t max_conns;
    const fake_step_t *over_script;
    size_t over_nsteps;
} fake_peer_t;

/* Define (or replace) the peer at ip:port. */
int fake_tcp_peer(const char *ip, uint16_t port, const fake_peer_t *peer);
/* Kind of every peer not defined (FAKE_REFUSE after fake_reset). */
void fake_tcp_default(uint8_t kind);
/* At most n sockets (TCP + UDP) open at once: beyond that tcp_connect and
 * udp_open say STC_ENOMEM, as a full socket table or descriptor limit
 * would. 0 = only FAKE_MAX_SOCKS. */
void fake_set_socket_limit(unsigned n);
/* Most connections ever open at once to ip:port (from fake_conn_t.concurrent). */
unsigned fake_conn_max_concurrent(const char *ip, uint16_t port);
/* 0: this "host" has no IPv6: tcp_connect and udp_open of family 6 say
 * STC_EAFNOSUPPORT. 1 (default): IPv6 works. */
void fake_set_ipv6(int usable);

/* ---- inspection ----------------------------------------------------------- */

typedef struct fake_conn {
    stc_ip_t ip;
    uint16_t port;
    uint8_t kind;         /* what the peer did: FAKE_ACCEPT, FAKE_REFUSE, ... */
    uint8_t dns;          /* DNS over TCP to a resolver */
    uint8_t open;         /* the client has not closed its socket */
    uint32_t opened_at, closed_at; /* fake clock */
    const uint8_t *sent;  /* every byte the client sent; valid until its next send */
    size_t sent_len;
    size_t steps_done;    /* script steps that fired */
    unsigned unexpected;  /* client lines that matched no step */
    unsigned concurrent;  /* connections to this ip:port open when it opened, itself included */
    uint8_t over;         /* it ran the peer's over_script */
} fake_conn_t;

/* TCP connections so far (every tcp_connect that made a socket). */
size_t fake_conn_count(void);
/* Connection i (0 = first), NULL when out of range. */
const fake_conn_t *fake_conn(size_t i);
/* Index of the nth (0-based) connection to ip:port, or -1. */
int fake_conn_index(const char *ip, uint16_t port, size_t nth);
/* 1 when connection i's client sent s somewhere in its bytes. */
int fake_conn_sent(int i, const char *s);

typedef struct fake_stats {
    unsigned long tcp_connects; /* tcp_connect calls, whatever the outcome */
    unsigned tcp_open;          /* TCP sockets open now */
    unsigned tcp_open_max;      /* most TCP sockets open at once */
    unsigned udp_open, udp_open_max;
    unsigned long udp_queries;  /* DNS queries received over UDP */
    unsigned long tcp_queries;  /* DNS queries received over TCP */
    unsigned long udp_dropped;  /* datagrams to no resolver, or muted */
    unsigned long bad_queries;  /* datagrams/messages to a resolver that are not queries */
    unsigned long waits;        /* wait() calls */
    unsigned long bad_calls;    /* operations on sockets that are not open */
    int wait_limit_hit;
} fake_stats_t;

const fake_stats_t *fake_stats(void);
/* Sockets the core has not closed (TCP + UDP): 0 at the end of a test. */
size_t fake_open_sockets(void);

/* ---- random and trust anchors ----------------------------------------------- */

/* Seed the deterministic generator behind random(). */
void fake_seed(uint64_t seed);
/* 1: random() fails with STC_EPORT. */
void fake_random_fail(int fail);
/* What trust_anchors() returns (buffer not copied); NULL = none (STC_EPORT). */
void fake_set_anchors(const uint8_t *buf, size_t len, int format);

#ifdef __cplusplus
}
#endif

#endif /* FAKE_PORT_H */
