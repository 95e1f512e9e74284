/* stc_config.h - limits for a Cortex-M4 appliance (STM32F4 / nRF52 class)
 *
 * Budget: the whole check context (stc_check_t) in at most 16 KB for a
 * domain with 8 MX hosts, on a part with 128-256 KB of RAM that must also
 * hold lwIP's pools (~17 KB, lwipopts.h), the wolfSSL arena (trust anchors
 * plus one handshake, ~48 KB) and the stacks. tests/static/budget.sh
 * asserts the 16 KB with the cross compiler; `make bench-mem` prints the
 * parts. Measured when written: 16,264 bytes (defaults with only the
 * connection and DNS slots cut to one each: ~22.5 KB).
 *
 * Every value is checked against the #error rules of
 * include/stc/stc_opts.h (in brackets). The order of sacrifice: what
 * changes a grade last. Two address slots per host and a chain buffer
 * that holds leaf + intermediate decide grades; the number of findings
 * listed and the length of report texts do not (a dropped finding still
 * counts in its check's status and is counted in `dropped`). With the
 * core's present layout (the host names alone take 4 KB) the 8 findings
 * and 96-character texts of the defaults do not fit beside them;
 * boards/cortex-m4/README.md ("Proposals") lists the layout changes that
 * would give them back.
 */
#ifndef STC_CONFIG_H
#define STC_CONFIG_H

/* One connection and one DNS query at a time [1..64, 1..32]. Each
 * connection slot holds a reply line, a receive buffer and the peer's
 * chain (~5.9 KB here), and a handshake in flight costs one wolfSSL
 * session in the arena: a board affords one. Cost: a domain's hosts are
 * checked one after another (a dead address waits STC_T_CONNECT_MS).
 * 1 + 1 sockets also fit lwipopts.h's MEMP_NUM_NETCONN 2, which
 * port/lwip/port_lwip.c checks at compile time. */
#define STC_MAX_CONN 1
#define STC_MAX_DNS 1

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

/* Peer chain kept per connection [1024..65535, STC_CHAIN_MAX >= 1]:
 * 4608 bytes hold a leaf and an intermediate of up to ~2.3 KB each (Let's
 * Encrypt: 1.3 + 1.3 KB; most commercial chains 1.5-2.2 + 1.5-1.8 KB);
 * a third certificate (cross-signed root) fits when they are smaller. A
 * chain that does not fit is judged on what fits and reported
 * (cert_chain_truncated, warning); if the intermediate itself is cut, the
 * leaf cannot be anchored and is also reported untrusted. 4 certificates
 * at most: leaf, intermediate(s), a root some servers send. */
#define STC_CHAIN_BUF 4608
#define STC_CHAIN_MAX 4

/* Findings listed per address [4..255]: 4, the minimum. A badly
 * configured server can show more (untrusted, self-signed, name mismatch,
 * expired, weak key, old TLS); the rest are counted in `dropped` and still
 * set their check's status, so the grade is unchanged - only the list in
 * the report is shorter. 8 bytes each, 16 addresses. */
#define STC_MAX_FINDINGS 4

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
