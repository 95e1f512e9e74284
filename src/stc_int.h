/* stc_int.h - interfaces between the core's modules (not public)
 *
 * Every parser here is a pure function over (const uint8_t *p, size_t n) or
 * a NUL-terminated string, bounded by its arguments, never by a length read
 * from the input.
 */
#ifndef STC_INT_H
#define STC_INT_H

#include "stc/stc.h"

/* ---- time (wrap-safe comparisons on the uint32_t millisecond clock) ------ */

/* 1 when `now` is at or past `deadline`. */
static inline int stc_time_reached(uint32_t now, uint32_t deadline)
{
    return (int32_t)(now - deadline) >= 0;
}
/* Milliseconds from now to deadline, 0 when passed. */
static inline uint32_t stc_time_left(uint32_t now, uint32_t deadline)
{
    return stc_time_reached(now, deadline) ? 0u : deadline - now;
}

/* ---- small string helpers (src/util.c) ----------------------------------- */

/* Copy at most cap-1 bytes and always terminate; returns 1 when truncated. */
int stc_strlcpy(char *dst, const char *src, size_t cap);
/* ASCII case-insensitive equality of two names, ignoring one trailing dot. */
int stc_name_eq(const char *a, const char *b);

/* ---- DNS messages (src/dns_msg.c) --------------------------------------- */

#define STC_DNS_A 1
#define STC_DNS_CNAME 5
#define STC_DNS_MX 15
#define STC_DNS_TXT 16
#define STC_DNS_AAAA 28
#define STC_DNS_OPT 41
#define STC_DNS_TLSA 52

#define STC_RCODE_NOERROR 0
#define STC_RCODE_FORMERR 1
#define STC_RCODE_SERVFAIL 2
#define STC_RCODE_NXDOMAIN 3
#define STC_RCODE_REFUSED 5

/* Build a recursive query (RD=1) for qname/qtype, class IN, with one EDNS0
 * OPT record announcing edns_udp bytes and the DO bit (RFC 3225) so that a
 * validating resolver sets AD. qname is a presentation-form A-label name,
 * trailing dot optional. Returns the message length, or 0 when qname is
 * invalid or cap too small. */
/* Set CD (RFC 4035 3.2.2: checking disabled) in a built query's header. */
void stc_dns_set_cd(uint8_t *query);
size_t stc_dns_build_query(uint8_t *buf, size_t cap, uint16_t id,
                           const char *qname, uint16_t qtype, uint16_t edns_udp);

/* A checked response. */
typedef struct stc_dns_resp {
    const uint8_t *msg;
    size_t len;
    uint16_t id;
    uint8_t rcode;   /* 4-bit header RCODE (extended bits not merged) */
    uint8_t tc, ad, aa;
    uint16_t ancount, nscount, arcount;
    size_t an_off;   /* offset of the first answer RR */
} stc_dns_resp_t;

/* Check msg as the response to our query (id, qname, qtype): QR set,
 * opcode 0, ID equal, exactly one question equal to ours (names compared
 * case-insensitively), header counts plausible for the length. Fills *out.
 * STC_OK, or STC_EPROTO (malformed / not our answer). A TC response is
 * returned as STC_OK with tc = 1 (the caller retries over TCP). */
int stc_dns_parse_response(const uint8_t *msg, size_t len, uint16_t id,
                           const char *qname, uint16_t qtype, stc_dns_resp_t *out);

/* Read a (possibly compressed) name at off into out (presentation form,
 * lower-case, no trailing dot; the root is ""). Pointers must point
 * strictly backwards; at most 127 pointer hops, 63-octet labels, 255-octet
 * names. *next = offset after the name in the original position.
 * STC_OK or STC_EPROTO / STC_ETOOLONG. */
int stc_dns_read_name(const uint8_t *msg, size_t len, size_t off,
                      char *out, size_t cap, size_t *next);

/* One resource record of the answer section. */
typedef struct stc_dns_rr {
    char owner[STC_NAME_MAX + 1];
    uint16_t type, cls;
    uint32_t ttl;
    size_t rdata_off; /* offset of RDATA in msg */
    uint16_t rdlen;
} stc_dns_rr_t;

/* Iterate the answer section: *pos starts at resp->an_off, *idx at 0.
 * STC_OK with *rr filled, STC_ECLOSED at the end, STC_EPROTO on damage. */
int stc_dns_next_answer(const stc_dns_resp_t *resp, size_t *pos, uint16_t *idx,
                        stc_dns_rr_t *rr);

/* RDATA decoders (bounds-checked against rr->rdlen and the message). */
int stc_dns_rdata_mx(const stc_dns_resp_t *resp, const stc_dns_rr_t *rr,
                     uint16_t *pref, char *exchange, size_t cap);
int stc_dns_rdata_name(const stc_dns_resp_t *resp, const stc_dns_rr_t *rr,
                       char *out, size_t cap); /* CNAME target */
int stc_dns_rdata_ip(const stc_dns_resp_t *resp, const stc_dns_rr_t *rr,
                     stc_ip_t *ip); /* A or AAAA */

/* Answer extraction with CNAME chasing inside one response: starting at
 * qname, follow CNAME records of the answer section (at most
 * STC_DNS_CNAME_MAX links, loops rejected) and call cb for every record of
 * type qtype owned by the end of the chain. `target` receives the final
 * name (== qname when there was no CNAME). Returns the number of records
 * given to cb (>= 0), or a negative stc_err_t (STC_EPROTO on damage or a
 * CNAME loop). When it returns 0 and target differs from qname, the caller
 * may query target itself. */
typedef int (*stc_dns_rr_cb)(void *ctx, const stc_dns_resp_t *resp, const stc_dns_rr_t *rr);
int stc_dns_extract(const stc_dns_resp_t *resp, const char *qname, uint16_t qtype,
                    stc_dns_rr_cb cb, void *ctx, char *target, size_t cap);
/* (stc_dns_extract: a negative return from cb stops the walk and is
 * returned as is; 0 or positive continues.) */

/* Seconds the answer may be kept (RFC 2181 5.2, RFC 2308 5): 1 with *ttl
 * set, 0 when it gives no lifetime (keep nothing), STC_EPROTO on damage. */
int stc_dns_keep_ttl(const stc_dns_resp_t *resp, uint32_t *ttl);

/* TXT RDATA: the character-strings concatenated without separators
 * (RFC 7208 3.3, as MTA-STS/TLS-RPT records need), NUL-terminated; the
 * bytes are raw (may hold NUL: use *outlen). STC_OK, STC_EPROTO (damage,
 * empty RDATA), STC_ETOOLONG (cap < length + 1), STC_EINVAL (not TXT). */
int stc_dns_rdata_txt(const stc_dns_resp_t *resp, const stc_dns_rr_t *rr,
                      char *out, size_t cap, size_t *outlen);
/* TLSA RDATA (RFC 6698 2.1): *data points into resp->msg, *dlen octets
 * (length not judged here). STC_OK, STC_EPROTO, STC_EINVAL (not TLSA). */
int stc_dns_rdata_tlsa(const stc_dns_resp_t *resp, const stc_dns_rr_t *rr,
                       uint8_t *usage, uint8_t *selector, uint8_t *mtype,
                       const uint8_t **data, size_t *dlen);

/* ---- SMTP replies (src/smtp_reply.c) ------------------------------------ */

/* Start reading a new reply; ehlo = 1 to collect EHLO keywords. */
void stc_reply_reset(stc_reply_t *r, int ehlo);

/* Feed received bytes. Consumes bytes up to the end of the reply (or all
 * of them) and sets *used. Returns STC_EAGAIN (need more), STC_OK (a whole
 * reply was read: r->code, r->first, r->ext, r->nlines), or STC_EPROTO (a
 * line is not "DDD[ -]text", or a continuation line changes the code).
 * Lines end at LF (a preceding CR is dropped; bare LF is accepted); bytes
 * of a line beyond STC_REPLY_LINE_MAX are dropped and set r->overlong;
 * lines beyond STC_REPLY_LINES_MAX are read (their keywords count) and set
 * r->toolong, so a huge reply ends at its last line or the caller's
 * deadline, never in a buffer. NUL and other control bytes are replaced
 * by '?' in r->first. */
int stc_reply_feed(stc_reply_t *r, const uint8_t *p, size_t n, size_t *used);

/* Map one EHLO keyword line's text (after "250-"/"250 ") to STC_EXT_* bits. */
uint16_t stc_ehlo_keyword(const char *text, size_t n);

/* ---- Names (src/names.c) ------------------------------------------------- */

/* Classify a domain name given by the user or read from DNS.
 * STC_NAME_OK: LDH labels (RFC 1123 letters, digits, hyphen; no leading or
 *   trailing hyphen), labels 1..63, total <= 253 without trailing dot; "_"
 *   is accepted (it occurs in real MX names). Trailing dot optional.
 * STC_NAME_NOT_ASCII: contains a byte >= 0x80 (needs IDNA to A-labels).
 * STC_NAME_BAD: anything else (empty, "..", "-x", too long, spaces, ...). */
#define STC_NAME_OK 0
#define STC_NAME_NOT_ASCII 1
#define STC_NAME_BAD 2
int stc_name_check(const char *s);

/* stc_ip_parse and stc_ip_parse_n are public (stc.h). */

/* RFC 6125 6.4: does certificate DNS-ID `pattern` match `host`?
 * Case-insensitive; one trailing dot on either side ignored; a wildcard
 * only as the complete left-most label ("*.example.org"), matching exactly
 * one non-empty label, never in a pattern with fewer than 3 labels (no
 * "*.org"), and never matching an IP literal or xn-- label partials. */
int stc_name_match_cert(const char *pattern, const char *host);

/* The original tool's PolicyMatches: host (trailing dot and ":port"
 * dropped, case folded) matches pattern exactly, or pattern is
 * "*.suffix" / ".suffix" and host is one label followed by suffix. */
int stc_name_match_policy(const char *pattern, const char *host);

/* ---- JSON text (src/json.c) ---------------------------------------------- */

/* Write s as a JSON string literal (with quotes) to w. Escapes ", \, and
 * control bytes (\n \r \t \b \f, others \u00XX); bytes >= 0x80 that are
 * not valid UTF-8 become \ufffd. Returns 0 or the sink's non-zero. */
int stc_json_string(stc_write_fn w, void *ctx, const char *s);

/* ---- Arena (src/arena.c) ------------------------------------------------- */

/* Install a first-fit, coalescing allocator over mem[0..size) as wolfSSL's
 * allocator (wolfSSL_SetAllocators), and check that the hooks read back
 * are ours. Must run before wolfSSL_Init. STC_OK / STC_EINVAL. */
int stc_arena_init(void *mem, size_t size);
/* Test hook: the Nth allocation from now (1-based) and all after it fail;
 * 0 disables. */
void stc_arena_fail_after(unsigned long n);
/* Number of allocations served since init (for fault-injection sweeps). */
unsigned long stc_arena_allocs(void);

/* ---- TLS (src/tls.c) ------------------------------------------------------ */

/* Process-wide TLS context from trust anchors (PEM or DER buffer). */
int stc_tls_global_init(const uint8_t *anchors, size_t len, int format);
void stc_tls_global_free(void);
/* 1 when trust anchors were loaded. */
int stc_tls_have_anchors(void);
/* The process trust store (a WOLFSSL_CERT_MANAGER *), NULL before
 * stc_tls_global_init; cert.c checks chains against it. */
void *stc_tls_trust_store(void);

/* Start a client handshake on the connected socket c->sock: SNI = sni
 * (none for an IP literal or ""), X25519 offered first, explicit cipher
 * list (no anon/NULL/EXPORT/RC4). The peer's chain is copied into the
 * arena as it arrives, for stc_tls_judge.
 * STC_OK, STC_ENOMEM (arena) or STC_ETLS (wolfSSL could not set up a
 * session: never the peer's doing). */
int stc_tls_start(stc_conn_t *c, const stc_port_t *port, const char *sni);
/* Advance the handshake. STC_OK done; STC_EAGAIN with *want = STC_WANT_*;
 * STC_ETLS with *lower = wolfSSL error; STC_ENOMEM when the arena ran out;
 * STC_ETOOLONG when a peer message exceeded what our TLS library accepts
 * (*lower says which error); STC_ERESET / STC_ECLOSED when the peer went
 * away. */
int stc_tls_handshake(stc_conn_t *c, uint8_t *want, int32_t *lower);
/* Encrypted send/receive after the handshake: bytes, or negative stc_err_t
 * (STC_EAGAIN with *want). */
long stc_tls_send(stc_conn_t *c, const void *p, size_t n, uint8_t *want);
long stc_tls_recv(stc_conn_t *c, void *p, size_t cap, uint8_t *want);
/* After a completed handshake: judge and digest the peer chain into *c->s
 * against reference name c->sni (cert.c), then free the copy. STC_OK (a
 * missing chain is the finding cert_none), or STC_ENOMEM. */
int stc_tls_judge(struct stc_engine *e, stc_conn_t *c);
/* Negotiated version (wire value), suite (IANA id) and group (IANA named
 * group, or 0x8000 | bits of a finite-field DHE prime); 0 when unknown. */
void stc_tls_info(stc_conn_t *c, uint16_t *version, uint16_t *suite, uint16_t *group);
/* What the main handshake offers: its lowest version (wire value) and
 * whether TLS 1.3 is in this build. */
uint16_t stc_tls_min_version(void);
int stc_tls_offers_tls13(void);
/* Certificates a probe streams past (stc_hello_cert_fn, ctx = the
 * stc_conn_t): kept in the arena (at most STC_CHAIN_MAX) for
 * stc_tls_capture_judge, which judges them against c->sni like a
 * handshake's chain (sent: certificates in the message) and frees them.
 * STC_OK, or STC_ENOMEM when the arena could not hold them. */
void stc_tls_capture(void *ctx, unsigned index, uint32_t offset, const uint8_t *chunk,
                     size_t n, uint32_t total_len);
int stc_tls_capture_judge(struct stc_engine *e, stc_conn_t *c, unsigned sent);
void stc_tls_capture_free(stc_conn_t *c);
/* wolfSSL's text for one of its error codes (never NULL). */
const char *stc_tls_reason(int err);
/* Free the session (no close_notify wait) and release wolfSSL's per-thread
 * EC point cache (wc_ecc_fp_free: Debian's build has FP_ECC on). */
void stc_tls_free(stc_conn_t *c);

/* ---- Certificates (src/cert.c) ------------------------------------------- */

/* One certificate's DER as the peer sent it (not copied). */
typedef struct stc_der {
    const uint8_t *p;
    size_t n;
} stc_der_t;

/* Judge a peer chain (leaf first; n certificates given, `sent` sent by the
 * peer: more than given means our STC_CHAIN_MAX cut it) for reference name
 * host at unix time now: chain to a process trust anchor ignoring dates,
 * name (RFC 6125 via SAN DNS-IDs, CN only without DNS SANs), dates,
 * self-signed, key type/size, signature hash. Each problem is reported
 * separately through add(ctx, code, detail); s->a.cert, s->subject,
 * s->issuer and the digests in s->chain are filled. Returns STC_OK or
 * STC_ENOMEM (nothing reported then). */
typedef void (*stc_finding_fn)(void *ctx, unsigned code, int32_t detail);
int stc_cert_judge(const stc_der_t *certs, unsigned n, unsigned sent, const char *host,
                   int64_t now, unsigned warn_days, stc_session_t *s,
                   stc_finding_fn add, void *ctx);
/* The same, and *name_at: how many findings come before the name check's
 * place (STC_F_CERT_NAME_MISMATCH is reported there when the name fails),
 * -1 when no name was checked (the leaf did not parse). Everything else
 * it reports does not depend on host, so a cache can keep the rest and
 * redo only the name check (stc_cert_name_check) for another name. */
int stc_cert_judge_at(const stc_der_t *certs, unsigned n, unsigned sent, const char *host,
                      int64_t now, unsigned warn_days, stc_session_t *s,
                      stc_finding_fn add, void *ctx, int *name_at);
/* The name check alone on a leaf: 1 valid for host, 0 not, STC_ENOMEM, or
 * STC_EINVAL when the leaf does not parse. */
int stc_cert_name_check(const stc_der_t *leaf, const char *host);

/* The caches' shared eviction rule (cache_rule.c): stored marks a new
 * entry, hit one that answered an ask; rather says whether entry k gives
 * way before c (one-off entries first, then the one used longest ago). */
void stc_cache_stored(struct stc_engine *e, stc_cache_use_t *u);
void stc_cache_hit(struct stc_engine *e, stc_cache_use_t *u);
int stc_cache_rather(const stc_cache_use_t *k, const stc_cache_use_t *c);

/* stc_cert_judge through the engine's certificate cache (cert_cache.c):
 * the same chain judged within opt.cache_age, for any name, gives the same
 * facts and findings (added to s->a) as a judgement afresh, without the
 * chain being parsed and verified again: only the leaf's name is checked.
 * e NULL, cache_age 0 or STC_CACHE_CERTS 0: the judgement itself. */
int stc_cert_judge_cached(struct stc_engine *e, const stc_der_t *certs, unsigned n,
                          unsigned sent, const char *host, int64_t now, unsigned warn_days,
                          stc_session_t *s);

/* The SubjectPublicKeyInfo of a DER certificate (a bounded DER walk:
 * wolfSSL 5.5.4 has no call that returns it for RSA keys). STC_OK with
 * *spki pointing into der, or STC_EPROTO. */
int stc_cert_spki(const uint8_t *der, size_t n, const uint8_t **spki, size_t *spki_len);

#endif /* STC_INT_H */
