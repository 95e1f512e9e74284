/* stc_opts.h - every compile-time limit of starttls-check, with its default
 *
 * Pattern (as lwIP's opt.h): the board's stc_config.h is included first and
 * may define any of these; whatever it leaves out gets the default below.
 * The board directory must be on the include path (boards/<board>/).
 * Impossible combinations are rejected with #error.
 */
#ifndef STC_OPTS_H
#define STC_OPTS_H

#include "stc_config.h"

/* ---- Domain and hosts ---------------------------------------------------- */

/* MX hosts kept per domain (most preferred first; the rest are counted). */
#ifndef STC_MAX_MX
#define STC_MAX_MX 8
#endif

/* Addresses (A + AAAA) checked per host. */
#ifndef STC_MAX_ADDRS
#define STC_MAX_ADDRS 4
#endif

/* Longest domain name in presentation form, without the trailing dot
 * (RFC 1035 2.3.4: 255 octets on the wire = 253 characters). */
#ifndef STC_NAME_MAX
#define STC_NAME_MAX 253
#endif

/* Expected-MX patterns accepted per domain (the original's mxHostnames). */
#ifndef STC_TLSA_MAX
/* Usable TLSA records kept per MX host (more are counted, a note says so). */
#define STC_TLSA_MAX 4
#endif

#ifndef STC_MAX_PATTERNS
#define STC_MAX_PATTERNS 8
#endif

/* Findings recorded per address; further ones are counted as dropped. */
#ifndef STC_MAX_FINDINGS
#define STC_MAX_FINDINGS 16
#endif

/* ---- Concurrency (one engine; every job in flight shares it) -------------- */

/* Connection slots: SMTP/TLS sessions (and HTTPS fetches) in flight at once
 * over all jobs. Each holds a receive and a transmit buffer (no chain
 * buffer: certificates are judged and digested as they arrive) and, while
 * a handshake runs, a wolfSSL session in the arena. Boards use 1. */
#ifndef STC_MAX_CONN
#define STC_MAX_CONN 8
#endif

/* DNS query slots: questions in flight at once over all jobs (each holds a
 * message buffer); also the cap on queries outstanding at the resolver. */
#ifndef STC_MAX_DNS
#define STC_MAX_DNS 4
#endif

/* Session tasks: (address, port, SNI) assessments under way at once, each
 * holding what its sessions learnt until every waiting job has a copy. */
#ifndef STC_MAX_TASKS
#define STC_MAX_TASKS STC_MAX_CONN
#endif

/* Finished session tasks kept for reuse: a later job that needs the same
 * (address, port, SNI) within opt.cache_age gets their facts without a
 * session (bulk scans of domains sharing MX hosts; the original tool kept
 * results 10 minutes). Facts, never verdicts: each job judges them (DANE,
 * MTA-STS and expected MX differ per domain). 0: no cache (boards). */
#ifndef STC_CACHE_SESSIONS
#define STC_CACHE_SESSIONS 256
#endif
#ifndef STC_CACHE_AGE_S
#define STC_CACHE_AGE_S 600
#endif

/* Finished DNS answers kept for reuse within their TTL (and at most
 * opt.cache_age): the MX hosts' A/AAAA/TLSA answers that many domains of
 * a bulk scan share, and repeated domains. Answers longer than
 * STC_DNS_CACHE_MSG octets are not kept. 0: no cache (boards). */
#ifndef STC_CACHE_DNS
#define STC_CACHE_DNS 256
#endif
#ifndef STC_DNS_CACHE_MSG
#define STC_DNS_CACHE_MSG STC_DNS_EDNS_UDP /* what a UDP answer can hold */
#endif

/* Judged certificate chains kept for reuse (at most opt.cache_age): the
 * same chain sent by several addresses (a host's IPv4 and IPv6, a
 * provider's MX hosts) is parsed and verified once per reference name.
 * 0: no cache (boards). */
#ifndef STC_CACHE_CERTS
#define STC_CACHE_CERTS 64
#endif

/* Things one job waits for at once (lookups, sessions); more wait their
 * turn inside the job. */
#ifndef STC_JOB_WAITS
#define STC_JOB_WAITS 16
#endif

/* SMTP sessions at once per address, from every job in flight (the
 * default of stc_options_t.per_address; boards use 1). */
#ifndef STC_PER_ADDRESS
#define STC_PER_ADDRESS 2
#endif

/* Addresses remembered as "one session at a time" after a 421 or reset we
 * provoked by holding another session there. */
#ifndef STC_MAX_THROTTLE
#define STC_MAX_THROTTLE 8
#endif

/* Resolver addresses tried, in order. */
#ifndef STC_MAX_RESOLVERS
#define STC_MAX_RESOLVERS 3
#endif

/* ---- DNS ----------------------------------------------------------------- */

/* DNS message buffer per query slot. UDP answers are limited to this by the
 * EDNS0 payload size we announce; a TCP answer longer than this is an error
 * (STC_ETOOLONG). 1232 is the DNS-flag-day figure (RFC 9715 discussion). */
#ifndef STC_DNS_MSG_MAX
#define STC_DNS_MSG_MAX 4096
#endif

/* EDNS0 UDP payload size we announce (RFC 6891 6.2.5). */
#ifndef STC_DNS_EDNS_UDP
#define STC_DNS_EDNS_UDP 1232
#endif

/* CNAME links followed before giving up (RFC 1034 3.6.2 loops). */
#ifndef STC_DNS_CNAME_MAX
#define STC_DNS_CNAME_MAX 8
#endif

/* UDP transmissions per query within its deadline. */
#ifndef STC_DNS_TRIES
#define STC_DNS_TRIES 3
#endif

/* ---- SMTP ---------------------------------------------------------------- */

/* Longest reply line kept, including the code (RFC 5321 4.5.3.1.5: 512
 * octets with CRLF). Longer lines are a finding and are cut. */
#ifndef STC_REPLY_LINE_MAX
#define STC_REPLY_LINE_MAX 512
#endif

/* Lines accepted in one multi-line reply before it is "too long". */
#ifndef STC_REPLY_LINES_MAX
#define STC_REPLY_LINES_MAX 128
#endif

/* First line of the banner kept for the report (sanitized, truncated). */
#ifndef STC_BANNER_MAX
#define STC_BANNER_MAX 96
#endif

/* Receive buffer per connection for the plaintext SMTP dialogue. */
#ifndef STC_RXBUF
#define STC_RXBUF 1024
#endif

/* Transmit buffer per connection: an SMTP command, a hand-built
 * ClientHello (300-600 bytes) or an HTTP request whose Host header may
 * hold a 253-character name. */
#ifndef STC_TXBUF
#define STC_TXBUF 768
#endif

/* Longest EHLO name (a domain or an address literal). */
#ifndef STC_EHLO_MAX
#define STC_EHLO_MAX 255
#endif

/* ---- Certificates --------------------------------------------------------- */

/* Peer certificates judged and digested per chain (leaf first); a longer
 * chain is judged on its first STC_CHAIN_MAX certificates and reported
 * (cert_chain_truncated: the checker's limit, never "untrusted"). */
#ifndef STC_CHAIN_MAX
#define STC_CHAIN_MAX 6
#endif

/* Subject/issuer text kept for the report. */
#ifndef STC_CERT_TEXT_MAX
#define STC_CERT_TEXT_MAX 96
#endif

/* Certificate expiring within this many days is a warning (--warn-days). */
#ifndef STC_WARN_DAYS_DEFAULT
#define STC_WARN_DAYS_DEFAULT 14
#endif

/* Bytes per result for its texts (banner, certificate subject and issuer,
 * CNAME targets), each kept once however many addresses share it; a text
 * that does not fit is left empty and counted (text_dropped). */
#ifndef STC_TEXT_POOL
#define STC_TEXT_POOL 2048
#endif

/* Arena bytes that must be free before a TLS handshake starts (the default
 * of stc_options_t.tls_reserve): a session waits rather than start a
 * handshake that cannot finish. */
#ifndef STC_TLS_RESERVE
#define STC_TLS_RESERVE (160u * 1024u)
#endif

/* ---- TLS probes (src/tls_hello_rd.c, src/probe.c) -------------------------- */

/* Certificate lengths the reader keeps per answer (more are counted). */
#ifndef STC_HELLO_CERTS_MAX
#define STC_HELLO_CERTS_MAX 8
#endif

/* SSLv2 cipher specs kept from a SERVER-HELLO (more are counted). */
#ifndef STC_HELLO_V2_SPECS_MAX
#define STC_HELLO_V2_SPECS_MAX 8
#endif

/* Sanitized bytes kept of an answer that is not TLS (one SMTP reply line). */
#ifndef STC_HELLO_TEXT_MAX
#define STC_HELLO_TEXT_MAX 64
#endif

/* Bytes read before the answer must be complete (ServerHello..Done with a
 * chain: real ones are 2-20 KB; 2^24-byte Certificate lists are legal). */
#ifndef STC_HELLO_ANSWER_MAX
#define STC_HELLO_ANSWER_MAX 131072u
#endif

/* Handshake messages read before the answer must be complete (SH, Cert,
 * CertStatus, SKX, CertReq, SHD and a few HelloRequests). */
#ifndef STC_HELLO_MSGS_MAX
#define STC_HELLO_MSGS_MAX 16
#endif

/* Sessions per address in all, the main handshake included (the default of
 * stc_options_t.max_sessions): the probes stop there and report what they
 * did not ask as not tested. A clean server needs at most 12. */
#ifndef STC_PROBE_SESSIONS
#define STC_PROBE_SESSIONS 24
#endif

/* A greeting slower than this (ms) makes the probes "reduced": at most
 * STC_PROBE_REDUCED more sessions, so a tarpit's delay is not paid a dozen
 * times (finding probes_reduced). */
#ifndef STC_PROBE_SLOW_MS
#define STC_PROBE_SLOW_MS 2000
#endif
#ifndef STC_PROBE_REDUCED
#define STC_PROBE_REDUCED 3
#endif

/* Suites in one probe's offer (a stack array while the hello is built). */
#ifndef STC_PROBE_SUITES
#define STC_PROBE_SUITES 128
#endif

/* ---- MTA-STS and TLS-RPT (src/http.c, src/mta_sts.c, src/tlsrpt.c) -------- */

/* mx patterns of a fetched MTA-STS policy kept for the report (each up to
 * STC_NAME_MAX + 2 bytes, per session task); all of them are counted and
 * matched against the MX hosts. */
#ifndef STC_STS_MX_KEEP
#define STC_STS_MX_KEEP 4
#endif

/* Body bound of the policy fetch, bytes. RFC 8461 3.3: "a suggested maximum
 * policy size 64 kilobytes". Enforced while streaming: nothing buffers it. */
#ifndef STC_STS_BODY_MAX
#define STC_STS_BODY_MAX 65536u
#endif

/* Longest HTTP status line, header line, chunk-size line or trailer line,
 * bytes without CRLF. Counted, never buffered (the parser keeps only the
 * fields it needs), so it costs no RAM. RFC 9110 5.4 leaves the figure to
 * the recipient; longer is an error of the response. */
#ifndef STC_HTTP_LINE_MAX
#define STC_HTTP_LINE_MAX 8192u
#endif

/* Header fields accepted in one header section (and in the trailer
 * section), RFC 9112 5 sets no figure; more is an error of the response. */
#ifndef STC_HTTP_FIELDS_MAX
#define STC_HTTP_FIELDS_MAX 100u
#endif

/* Interim (1xx) responses skipped before the final one (RFC 9110 15.2:
 * "A client MUST be able to parse one or more 1xx responses"). */
#ifndef STC_HTTP_INTERIM_MAX
#define STC_HTTP_INTERIM_MAX 8u
#endif

/* Location field value kept for the report (RFC 9110 10.2.2), bytes with
 * the NUL; the rest is counted. The redirect is reported, never followed
 * (RFC 8461 3.3: "HTTP 3xx redirects MUST NOT be followed"). */
#ifndef STC_HTTP_LOCATION_MAX
#define STC_HTTP_LOCATION_MAX 128u
#endif

/* Media type of Content-Type kept for the report (RFC 9110 8.3.1), bytes
 * with the NUL. */
#ifndef STC_HTTP_MTYPE_MAX
#define STC_HTTP_MTYPE_MAX 48u
#endif

/* Longest policy line, bytes without LF/CRLF (RFC 8461 3.2 sets none: an
 * mx line is at most 4 + 2 + 253 bytes). Counted, not buffered. */
#ifndef STC_STS_LINE_MAX
#define STC_STS_LINE_MAX 1024u
#endif

/* First rua URI of a TLS-RPT record kept for the report (RFC 8460 3),
 * bytes with the NUL; its full length is counted. */
#ifndef STC_TLSRPT_URI_MAX
#define STC_TLSRPT_URI_MAX 128u
#endif

/* ---- Timeouts (milliseconds; each covers the whole phase) ----------------- */

#ifndef STC_T_DNS_MS
#define STC_T_DNS_MS 5000 /* one DNS query, all tries and TCP fallback */
#endif
#ifndef STC_T_CONNECT_MS
#define STC_T_CONNECT_MS 10000 /* TCP connect */
#endif
#ifndef STC_T_BANNER_MS
#define STC_T_BANNER_MS 30000 /* full 220 greeting: tarpits wait seconds */
#endif
#ifndef STC_T_COMMAND_MS
#define STC_T_COMMAND_MS 15000 /* one command and its whole reply */
#endif
#ifndef STC_T_TLS_MS
#define STC_T_TLS_MS 15000 /* the whole TLS handshake */
#endif
#ifndef STC_T_FLIGHT_MS
#define STC_T_FLIGHT_MS 1000 /* a probe's answer after its ServerHello (one flight) */
#endif
#ifndef STC_T_STS_MS
#define STC_T_STS_MS 20000 /* the whole MTA-STS policy fetch: connect, TLS, request, body */
#endif
#ifndef STC_T_PROBE_MS
#define STC_T_PROBE_MS 60000 /* all probes of one address, main session included */
#endif
#ifndef STC_T_RETRY_MS
#define STC_T_RETRY_MS 2000 /* pause before retrying a 421 we provoked */
#endif

/* ---- Text ---------------------------------------------------------------- */

/* 1: the findings table carries the long recommendation texts.
 * 0: codes and short titles only (saves flash on boards). */
#ifndef STC_LONG_TEXT
#define STC_LONG_TEXT 1
#endif

/* ---- Sanity --------------------------------------------------------------- */

#if STC_MAX_MX < 1 || STC_MAX_MX > 64
#error "STC_MAX_MX must be 1..64"
#endif
#if STC_MAX_ADDRS < 1 || STC_MAX_ADDRS > 16
#error "STC_MAX_ADDRS must be 1..16"
#endif
#if STC_MAX_CONN < 1 || STC_MAX_CONN > 255
#error "STC_MAX_CONN must be 1..255"
#endif
#if STC_MAX_DNS < 1 || STC_MAX_DNS > 255
#error "STC_MAX_DNS must be 1..255"
#endif
#if STC_DNS_MSG_MAX < 512 || STC_DNS_MSG_MAX > 65535
#error "STC_DNS_MSG_MAX must be 512..65535 (RFC 1035 minimum is 512)"
#endif
#if STC_DNS_EDNS_UDP > STC_DNS_MSG_MAX
#error "STC_DNS_EDNS_UDP cannot exceed STC_DNS_MSG_MAX"
#endif
#if STC_REPLY_LINE_MAX < 512
#error "STC_REPLY_LINE_MAX below 512 violates RFC 5321 4.5.3.1.5"
#endif
#if STC_RXBUF < STC_REPLY_LINE_MAX
#error "STC_RXBUF must hold at least one reply line"
#endif
#if STC_NAME_MAX != 253
#error "STC_NAME_MAX is the DNS limit and must stay 253"
#endif
#if STC_MAX_FINDINGS < 4 || STC_MAX_FINDINGS > 255
#error "STC_MAX_FINDINGS must be 4..255"
#endif
#if STC_CHAIN_MAX < 1 || STC_CHAIN_MAX > 8
#error "STC_CHAIN_MAX must be 1..8 (a bit per certificate in stc_chain_facts_t)"
#endif
#ifdef STC_CHAIN_BUF
#error "STC_CHAIN_BUF is gone: certificates are judged as they arrive (set STC_CHAIN_MAX)"
#endif
#if STC_TXBUF < 512 || STC_TXBUF > 65535
#error "STC_TXBUF must be 512..65535 (a ClientHello and an HTTP request must fit)"
#endif
#if STC_CACHE_CERTS < 0 || STC_CACHE_CERTS > 65535
#error "STC_CACHE_CERTS must be 0..65535"
#endif
#if STC_CACHE_DNS < 0 || STC_CACHE_DNS > 65535
#error "STC_CACHE_DNS must be 0..65535"
#endif
#if STC_CACHE_DNS > 0 && (STC_DNS_CACHE_MSG < 512 || STC_DNS_CACHE_MSG > STC_DNS_MSG_MAX)
#error "STC_DNS_CACHE_MSG must be 512..STC_DNS_MSG_MAX"
#endif
#if STC_CACHE_SESSIONS < 0 || STC_CACHE_SESSIONS > 65535
#error "STC_CACHE_SESSIONS must be 0..65535"
#endif
#if STC_MAX_TASKS < 1 || STC_MAX_TASKS > 255
#error "STC_MAX_TASKS must be 1..255"
#endif
#if STC_JOB_WAITS < 2 || STC_JOB_WAITS > 255
#error "STC_JOB_WAITS must be 2..255"
#endif
#if STC_TEXT_POOL < 256 || STC_TEXT_POOL > 65535
#error "STC_TEXT_POOL must be 256..65535"
#endif
#if STC_PER_ADDRESS < 1
#error "STC_PER_ADDRESS must be at least 1"
#endif
#if STC_MAX_THROTTLE < 1
#error "STC_MAX_THROTTLE must be at least 1"
#endif
#if STC_STS_BODY_MAX < 1 || STC_STS_BODY_MAX > 0x7fffffffu
#error "STC_STS_BODY_MAX must be 1..2^31-1"
#endif
#if STC_HTTP_LINE_MAX < 64 || STC_HTTP_LINE_MAX > 0xffffu
#error "STC_HTTP_LINE_MAX must be 64..65535"
#endif
#if STC_HTTP_FIELDS_MAX < 8 || STC_HTTP_FIELDS_MAX > 0xffffu
#error "STC_HTTP_FIELDS_MAX must be 8..65535"
#endif
#if STC_HTTP_INTERIM_MAX > 255
#error "STC_HTTP_INTERIM_MAX must be 0..255"
#endif
#if STC_HTTP_LOCATION_MAX < 2 || STC_HTTP_MTYPE_MAX < 16 || STC_HTTP_MTYPE_MAX > 255
#error "STC_HTTP_LOCATION_MAX must be >= 2, STC_HTTP_MTYPE_MAX 16..255"
#endif
#if STC_STS_LINE_MAX < STC_NAME_MAX + 6 || STC_STS_LINE_MAX > 0xffffu
#error "STC_STS_LINE_MAX must hold an mx line (STC_NAME_MAX + 6) and be <= 65535"
#endif
#if STC_TLSRPT_URI_MAX < 16
#error "STC_TLSRPT_URI_MAX must be >= 16"
#endif
#if STC_HELLO_CERTS_MAX < 1 || STC_HELLO_CERTS_MAX > 255 || STC_HELLO_V2_SPECS_MAX < 1
#error "STC_HELLO_CERTS_MAX must be 1..255, STC_HELLO_V2_SPECS_MAX >= 1"
#endif
#if STC_PROBE_SUITES < 64 || STC_PROBE_SESSIONS < 1 || STC_PROBE_SESSIONS > 255
#error "STC_PROBE_SUITES must be >= 64 (the largest offer), STC_PROBE_SESSIONS 1..255"
#endif

#endif /* STC_OPTS_H */
