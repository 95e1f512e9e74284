/* stc_config.h - limits for a Cortex-M4 appliance (STM32F4 / nRF52 class)
 *
 * Budget: an engine with one connection slot and one DNS slot, plus one
 * job and its result for a domain with 8 MX hosts, in at most 12 KB
 * (tests/static/budget.sh asserts it with the cross compiler; `make
 * bench-mem` prints the parts), leaving >= 4 KB of the appliance's 16 KB
 * for what TLS probes, DANE and MTA-STS add. The part must also hold
 * lwIP's pools (~17 KB, lwipopts.h), the wolfSSL arena (trust anchors plus
 * one handshake, ~48 KB) and the stacks.
 *
 * Every value is checked against the #error rules of
 * include/stc/stc_opts.h (in brackets). The order of sacrifice: what
 * changes a grade last. Two address slots per host decide grades; the
 * number of findings listed and the length of report texts do not (a
 * dropped finding still counts in its check's status and is counted in
 * `dropped`).
 */
#ifndef STC_CONFIG_H
#define STC_CONFIG_H

/* One connection and one DNS query at a time [1..255, 1..255]. Each
 * connection slot holds a receive and a transmit buffer (~1.2 KB here; no
 * chain buffer: certificates are judged and digested as they arrive), and
 * a handshake in flight costs one wolfSSL session in the arena: a board
 * affords one. Cost: a domain's hosts are checked one after another (a
 * dead address waits STC_T_CONNECT_MS). 1 + 1 sockets also fit
 * lwipopts.h's MEMP_NUM_NETCONN 2, which port/lwip/port_lwip.c checks at
 * compile time. One session task (the facts of one address) at a time,
 * one session per address (a mail server is never asked for two). */
#define STC_MAX_CONN 1
#define STC_MAX_DNS 1
#define STC_CACHE_SESSIONS 0 /* one check at a time: nothing to share */
#define STC_CACHE_DNS 0      /* (nor DNS answers: one check asks each question once) */
#define STC_CACHE_CERTS 0    /* (nor judged chains) */
#define STC_MAX_TASKS 1
#define STC_STS_MX_KEEP 1 /* MTA-STS patterns kept for the report (all are matched) */
#define STC_HTTP_LOCATION_MAX 16 /* a redirect's target is not reported: keep its start only */
#define STC_PER_ADDRESS 1

/* Things one job waits for at once [2..255]: the A and AAAA questions of
 * a host, or a session; the single slots serialise the rest anyway. */
#define STC_JOB_WAITS 3

/* Resolvers tried in order: the DHCP-supplied pair. */
#define STC_MAX_RESOLVERS 2

/* MX hosts kept [1..64]: 8 covers nearly every domain; more are counted
 * and reported as mx_truncated (warning) - the least preferred are the
 * ones dropped, and they rarely decide the verdict. ~990 bytes each. */
#define STC_MAX_MX 8

/* Addresses per host [1..16]: one A and one AAAA, the common case. With
 * one slot, every dual-stack host would carry addrs_truncated, a warning
 * that caps the domain at "warning". This board has no IPv6 (lwipopts.h):
 * the AAAA address is reported "untested", which costs no grade. A host
 * with two A records and an AAAA still loses its AAAA (addrs_truncated),
 * as on the host build with more records than its 4 slots. */
#define STC_MAX_ADDRS 2

/* DNS message buffer [512..65535, >= STC_DNS_EDNS_UDP (1232)]: the EDNS0
 * size we announce, so any UDP answer fits; with the DO bit set a signed MX
 * RRset (8 names and a 2048-bit RRSIG) is ~700 bytes. A TCP answer longer
 * than this is an error (STC_ETOOLONG) rather than truncated data. */
#define STC_DNS_MSG_MAX 1232

/* Certificates judged and digested per chain [1..8]: leaf, intermediate
 * and a cross-signed or root certificate some servers send. A longer chain
 * is judged on the first three and, if they do not reach an anchor, is
 * reported as the checker's limit (cert_chain_truncated), not as
 * "untrusted". 128 bytes of DANE digests each, in the one task slot. */
#define STC_CHAIN_MAX 3

/* Transmit buffer [512..65535]: a hand-built ClientHello of the probes and
 * an HTTP request with a long Host header both fit in 640 bytes. */
#define STC_TXBUF 640

/* Text pool per result [256..65535]: banners and certificate names of 8
 * hosts at 15 characters each, kept once per distinct text. */
#define STC_TEXT_POOL 512

/* Findings listed per address [4..255]: 6. A badly configured server can
 * show more (untrusted, self-signed, name mismatch, expired, weak key,
 * old TLS); the rest are counted in `dropped` and still set their check's
 * status, so the grade is unchanged - only the list in the report is
 * shorter. 8 bytes each, 16 addresses. */
#define STC_MAX_FINDINGS 6

/* Plaintext receive buffer [>= STC_REPLY_LINE_MAX (512)]: one full reply
 * line; bytes a pipelining server sends behind it wait in lwIP's buffers
 * for the next read. The STARTTLS injection check sees any byte that
 * follows the 220, so it loses nothing. */
#define STC_RXBUF 512

/* Report text: certificate subject/issuer and the banner's first line,
 * cut to 15 characters (95 by default): 16 addresses' worth of bytes,
 * for display only (name checks use the certificate itself). */
#define STC_CERT_TEXT_MAX 16
#define STC_BANNER_MAX 16

/* Findings carry codes and short titles only: the recommendations stay on
 * the host that renders the report (findings.o: 3.7 KB of flash instead of
 * 8.0 KB). */
#define STC_LONG_TEXT 0

#endif /* STC_CONFIG_H */
