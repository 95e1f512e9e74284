/* stc.h - starttls-check: grade how a mail domain protects mail in transit
 *
 * Conventions
 * - Memory: the library never allocates. The caller owns the check context
 *   (stc_check_t, sized at compile time by stc_opts.h) and the wolfSSL arena
 *   handed to stc_init(). Results live inside the context until the next
 *   start or stc_check_free().
 * - Process-wide state: wolfSSL's allocator hooks take no user pointer, so
 *   the arena and the TLS context (trust anchors) are one per process,
 *   set up by stc_init(). Check contexts are otherwise independent.
 * - Threading: one thread drives any number of contexts; a context is not
 *   shared between threads. The arena is not locked: use one thread, or
 *   give each process its own.
 * - Strings: NUL-terminated; the core takes domain names as A-labels only
 *   (IDNA mapping is the caller's job; the CLI does it with libidn2).
 * - NULL: no function accepts NULL unless its comment says so.
 * - Errors are stc_err_t (stc_port.h). Findings are not errors: "no
 *   STARTTLS" is a finding of a check that itself succeeded.
 *
 * Use
 *     static uint8_t arena[2u << 20];
 *     static stc_check_t chk;
 *     stc_options_t o;
 *     stc_init(arena, sizeof arena, &my_port);
 *     stc_options_default(&o);
 *     stc_check_init(&chk, &my_port, &o);
 *     stc_check_domain_start(&chk, "example.org", NULL, 0);
 *     stc_check_run(&chk);                 (or: step + pollset in your loop)
 *     const stc_domain_result_t *r = stc_check_result(&chk);
 *     stc_report_json(r, my_write, my_fd);
 *     stc_check_free(&chk);
 *
 * Domain verdict (the rule, pinned by tests/unit/test_verdict.c)
 * - Each address of each MX host is classed: untested (its address family
 *   cannot be used from here), unreachable (connect or greeting failed),
 *   rejected (421/554 greeting or EHLO), or reached (an SMTP dialogue took
 *   place). A reached address's status is the worst of its checks.
 * - A host is reached when any of its addresses is; its status is the worst
 *   of its reached addresses, and at least "warning" when another of its
 *   addresses was unreachable or rejected.
 * - Hosts are grouped by MX preference. The most-preferred group holding a
 *   reached host decides: the domain's status is the worst status among the
 *   reached hosts of that group; "no STARTTLS" when one of them offers no
 *   STARTTLS (not advertised, refused, EHLO rejected; a failed handshake is
 *   a "failure"). Less-preferred hosts are reported but do not count (they
 *   are often spam traps). When a more-preferred group could not be reached
 *   at all, a "success" becomes a "warning" (finding preferred_unreachable).
 * - No group reached: "rejected" when some host rejected us; "error" when
 *   no address at all could be tried from here (e.g. IPv6-only MX hosts on
 *   an IPv4-only network: that says nothing about the domain); else
 *   "could not connect". Hosts of equal preference are listed by name.
 * - Expected MX patterns given and some MX host matches none: "bad hostname".
 * - Null MX (RFC 7505): "accepts no mail". DNS failure of the MX lookup
 *   (NXDOMAIN, SERVFAIL, timeout): "error", with the reason as a finding.
 */
#ifndef STC_H
#define STC_H

#include "stc_opts.h"
#include "stc_port.h"

#ifdef __cplusplus
extern "C" {
#endif

#define STC_VERSION_STRING "0.1.0"
#define STC_SCHEMA_VERSION 1

/* ---- Status values ------------------------------------------------------ */

/* Status of one check; the numbers are the original tool's CheckStatus. */
typedef enum stc_status {
    STC_SUCCESS = 0,
    STC_WARNING = 1,
    STC_FAILURE = 2,
    STC_ERROR = 3 /* we could not judge (our fault or an indeterminate input) */
} stc_status_t;

/* Status of a domain; 0-6 are the original tool's DomainStatus numbers. */
typedef enum stc_domain_status {
    STC_D_SUCCESS = 0,
    STC_D_WARNING = 1,
    STC_D_FAILURE = 2,
    STC_D_ERROR = 3,
    STC_D_NO_STARTTLS = 4,
    STC_D_COULD_NOT_CONNECT = 5,
    STC_D_BAD_HOSTNAME = 6,
    STC_D_NO_MAIL = 7,  /* null MX: the domain accepts no mail */
    STC_D_REJECTED = 8  /* every reachable preferred host refused us (421/554) */
} stc_domain_status_t;

/* The checks of one address; names as the original's where they exist. */
typedef enum stc_check_id {
    STC_CHK_CONNECT = 0, /* "connectivity" */
    STC_CHK_STARTTLS,    /* "starttls" */
    STC_CHK_CERT,        /* "certificate" */
    STC_CHK_VERSION,     /* "version" */
    STC_CHK_COUNT
} stc_check_id_t;

/* Where a finding belongs when it is not one of an address's checks. */
#define STC_CHK_DOMAIN 0xF0u
#define STC_CHK_HOST 0xF1u

/* ---- Findings ----------------------------------------------------------- */

/* One const table (src/findings.c) gives each code its check, severity,
 * name, title and recommendation. Append only: the numbers are stable. */
typedef enum stc_finding_code {
    STC_F_NONE = 0,
    /* domain */
    STC_F_INVALID_DOMAIN,
    STC_F_DNS_NXDOMAIN,
    STC_F_DNS_SERVFAIL,
    STC_F_DNS_TIMEOUT,
    STC_F_DNS_ERROR,
    STC_F_NULL_MX,
    STC_F_IMPLICIT_MX,
    STC_F_NO_MAIL_HOSTS,
    STC_F_MX_TRUNCATED,
    STC_F_BAD_HOSTNAME,
    STC_F_PREFERRED_UNREACHABLE,
    /* host */
    STC_F_HOST_NO_ADDRESS,
    STC_F_HOST_DNS_ERROR,
    STC_F_MX_IS_CNAME,
    STC_F_ADDRS_TRUNCATED,
    STC_F_SOME_ADDRS_FAIL,
    /* connectivity */
    STC_F_FAMILY_UNTESTED,
    STC_F_CONNECT_REFUSED,
    STC_F_CONNECT_TIMEOUT,
    STC_F_CONNECT_UNREACH,
    STC_F_CONNECT_ERROR,
    STC_F_BANNER_TIMEOUT,
    STC_F_REJECTED,
    STC_F_CLOSED_EARLY,
    STC_F_SMTP_PROTOCOL,
    STC_F_REPLY_TOO_LONG,
    STC_F_NO_ESMTP,
    STC_F_COMMAND_TIMEOUT,
    /* starttls */
    STC_F_NO_STARTTLS,
    STC_F_STARTTLS_REFUSED,
    STC_F_STARTTLS_INJECTION,
    STC_F_TLS_HANDSHAKE,
    STC_F_TLS_TIMEOUT,
    STC_F_TLS_NO_EHLO_AFTER,
    /* certificate */
    STC_F_CERT_NONE,
    STC_F_CERT_UNTRUSTED,
    STC_F_CERT_SELF_SIGNED,
    STC_F_CERT_NAME_MISMATCH,
    STC_F_CERT_EXPIRED,
    STC_F_CERT_NOT_YET_VALID,
    STC_F_CERT_EXPIRES_SOON,
    STC_F_CERT_WEAK_KEY,
    STC_F_CERT_WEAK_SIGNATURE,
    STC_F_CERT_CHAIN_TRUNCATED,
    STC_F_CERT_PARSE,
    STC_F_CERT_NO_ANCHORS,
    /* version */
    STC_F_TLS_OLD_VERSION,
    /* ours */
    STC_F_OUT_OF_MEMORY,
    STC_F_INTERNAL,
    /* domain (appended) */
    STC_F_NOTHING_TESTABLE,
    STC_F_COUNT
} stc_finding_code_t;

typedef struct stc_finding_info {
    const char *name;  /* stable machine name, e.g. "no_starttls" */
    uint8_t check;     /* stc_check_id_t, STC_CHK_DOMAIN or STC_CHK_HOST */
    uint8_t severity;  /* stc_status_t */
    const char *title; /* one line for people */
    const char *recommendation; /* what to do; "" when STC_LONG_TEXT is 0 */
} stc_finding_info_t;

typedef struct stc_finding {
    uint16_t code;  /* stc_finding_code_t */
    int32_t detail; /* code-specific number: reply code, days, key bits,
                       wolfSSL error, ...; 0 when none */
} stc_finding_t;

/* Returns the table entry of code, or of STC_F_NONE when out of range. */
const stc_finding_info_t *stc_finding_info(unsigned code);

/* ---- Results ------------------------------------------------------------ */

/* How far one address got. */
typedef enum stc_reach {
    STC_R_PENDING = 0,
    STC_R_UNTESTED,    /* its family cannot be used from here */
    STC_R_UNREACHABLE, /* connect or greeting failed */
    STC_R_REJECTED,    /* 421/554 */
    STC_R_REACHED      /* an SMTP dialogue took place */
} stc_reach_t;

/* EHLO keywords seen (stc_addr_result_t.ehlo, .ehlo_tls). */
#define STC_EXT_STARTTLS 0x0001u
#define STC_EXT_PIPELINING 0x0002u
#define STC_EXT_SIZE 0x0004u
#define STC_EXT_8BITMIME 0x0008u
#define STC_EXT_SMTPUTF8 0x0010u
#define STC_EXT_REQUIRETLS 0x0020u
#define STC_EXT_CHUNKING 0x0040u
#define STC_EXT_DSN 0x0080u
#define STC_EXT_ENHANCEDSTATUSCODES 0x0100u
#define STC_EXT_AUTH 0x0200u

/* What we learnt of the peer certificate (leaf unless stated). */
typedef struct stc_cert_info {
    char subject[STC_CERT_TEXT_MAX]; /* subject CN or first DNS SAN */
    char issuer[STC_CERT_TEXT_MAX];  /* issuer CN or O */
    int64_t not_before, not_after;   /* unix seconds; 0 = unknown */
    uint16_t key_bits;
    uint8_t key_type;   /* 0 unknown, 1 RSA, 2 EC, 3 Ed25519, 4 Ed448 */
    uint8_t sig_hash;   /* weakest hash below the anchor: 0 unknown, 1 MD5,
                           2 SHA-1, 3 SHA-256, 4 SHA-384, 5 SHA-512, 6 intrinsic */
    uint8_t chain_len;  /* certificates the peer sent */
    uint8_t trusted;    /* chains to a trust anchor (dates ignored) */
    uint8_t name_ok;    /* matches the host name (RFC 6125) */
} stc_cert_info_t;

/* Where an address's check ended (for errors): the phase. */
typedef enum stc_phase {
    STC_P_NONE = 0, STC_P_CONNECT, STC_P_BANNER, STC_P_EHLO, STC_P_STARTTLS,
    STC_P_TLS, STC_P_EHLO_TLS, STC_P_QUIT, STC_P_DONE
} stc_phase_t;

typedef struct stc_addr_result {
    stc_ip_t ip;
    uint8_t reach;   /* stc_reach_t */
    uint8_t phase;   /* stc_phase_t reached last */
    int8_t status[STC_CHK_COUNT]; /* stc_status_t, or -1 = not run */
    int8_t err;      /* our stc_err_t where the dialogue stopped early */
    int32_t lower_err; /* wolfSSL error or port detail */
    uint16_t last_code; /* last SMTP reply code */
    uint16_t ehlo, ehlo_tls; /* STC_EXT_* before / inside TLS */
    uint16_t tls_version; /* wire value, e.g. 0x0304; 0 = none */
    char cipher[48];      /* IANA-ish suite name as wolfSSL names it */
    char group[16];       /* key exchange group, e.g. "X25519" */
    char banner[STC_BANNER_MAX]; /* first greeting line, sanitized */
    stc_cert_info_t cert;
    uint32_t elapsed_ms;
    uint8_t nfindings, dropped;
    stc_finding_t findings[STC_MAX_FINDINGS];
} stc_addr_result_t;

typedef struct stc_host_result {
    char name[STC_NAME_MAX + 1]; /* MX exchange as published (no trailing dot) */
    char cname[STC_NAME_MAX + 1]; /* CNAME target when the name is an alias, else "" */
    uint16_t pref;
    uint8_t naddr;
    uint8_t reach;    /* stc_reach_t of the host as a whole */
    int8_t status;    /* stc_status_t over reached addresses, -1 = none */
    uint8_t preferred; /* 1 when this host's group decided the domain */
    uint8_t dnssec;   /* every A/AAAA answer for it carried the AD bit */
    uint8_t nfindings, dropped;
    stc_finding_t findings[4];
    stc_addr_result_t addr[STC_MAX_ADDRS];
} stc_host_result_t;

/* What kind of mail-host list the domain has. */
typedef enum stc_mx_kind {
    STC_MX_NONE = 0, STC_MX_RECORDS, STC_MX_IMPLICIT, STC_MX_NULL, STC_MX_RELAY
} stc_mx_kind_t;

typedef struct stc_domain_result {
    char domain[STC_NAME_MAX + 1];
    uint8_t status;   /* stc_domain_status_t */
    uint8_t mx_kind;  /* stc_mx_kind_t */
    uint8_t mx_secure; /* the MX answer carried the AD bit */
    uint8_t nhosts;
    uint16_t mx_total; /* MX records published (may exceed nhosts) */
    uint16_t port;
    uint8_t implicit_tls; /* relay check on 465 */
    uint8_t nfindings, dropped;
    stc_finding_t findings[6];
    char message[160]; /* one line summary */
    uint32_t elapsed_ms;
    stc_host_result_t host[STC_MAX_MX];
} stc_domain_result_t;

/* ---- Options ------------------------------------------------------------ */

typedef struct stc_options {
    char ehlo[STC_EHLO_MAX + 1]; /* our EHLO name; "" = "localhost" */
    uint16_t port;               /* 25 unless a relay check says otherwise */
    uint8_t max_conn;            /* connections at once, 1..STC_MAX_CONN */
    uint16_t warn_days;          /* certificate expiry warning window */
    uint32_t t_dns, t_connect, t_banner, t_command, t_tls; /* ms */
} stc_options_t;

void stc_options_default(stc_options_t *o);

/* ---- Private layout (for sizing only; do not touch the fields) ---------- */

/* SMTP reply accumulator (src/smtp_reply.c). */
typedef struct stc_reply {
    uint16_t code;     /* of the reply being read / just read */
    uint16_t nlines;
    uint8_t done;      /* a full reply has been read */
    uint8_t ehlo;      /* parse EHLO keywords from the lines */
    uint8_t overlong;  /* some line was longer than STC_REPLY_LINE_MAX */
    uint8_t skipping;  /* discarding the rest of an overlong line */
    uint16_t ext;      /* STC_EXT_* seen (EHLO replies) */
    uint16_t linelen;
    char first[STC_BANNER_MAX]; /* text of the first line, sanitized */
    char line[STC_REPLY_LINE_MAX + 1];
} stc_reply_t;

/* Peer chain copied in the verify callback (leaf first). */
typedef struct stc_chain {
    uint8_t n, truncated;
    uint16_t off[STC_CHAIN_MAX], len[STC_CHAIN_MAX];
    uint8_t buf[STC_CHAIN_BUF];
} stc_chain_t;

typedef struct stc_conn {
    uint8_t state, host, addr, used;
    uint8_t implicit_tls, want; /* want: STC_WANT_* for the pollset */
    int sock;
    const stc_port_t *port; /* for wolfSSL's I/O callbacks */
    uint32_t deadline; /* of the current phase */
    uint32_t started;
    void *ssl;         /* WOLFSSL * while TLS is up */
    uint16_t rxlen, txlen, txoff;
    stc_reply_t reply;
    uint8_t rx[STC_RXBUF];
    char tx[STC_EHLO_MAX + 16];
    stc_chain_t chain;
} stc_conn_t;

typedef struct stc_dnsq {
    uint8_t state, purpose, host, tcp;
    uint8_t tries, res_idx, cnames, ad;
    uint8_t want;     /* STC_WANT_* for the pollset */
    uint8_t sock_family; /* family of the open UDP socket */
    uint8_t rcode;    /* of the answer, when done */
    int8_t err;       /* stc_err_t of the query when it failed */
    uint16_t id, qtype;
    int sock;
    uint32_t deadline, retry_at;
    uint16_t len, off;
    char qname[STC_NAME_MAX + 1];
    uint8_t msg[STC_DNS_MSG_MAX];
} stc_dnsq_t;

/* Per-host lookup state. */
typedef struct stc_hstate {
    uint8_t need;     /* lookups not yet sent: bit 0 A, bit 1 AAAA */
    uint8_t inflight; /* lookups sent and not yet answered */
    uint8_t looked;   /* A and AAAA lookups both finished */
    int8_t err;       /* worst lookup error (stc_err_t), 0 none */
    uint8_t rcode;    /* a non-zero RCODE seen, 0 none */
    uint8_t nxdomain; /* both answers were NXDOMAIN */
    uint8_t insecure; /* some A/AAAA answer lacked the AD bit (or failed) */
} stc_hstate_t;

typedef struct stc_check {
    const stc_port_t *port;
    stc_options_t opt;
    uint8_t state, running;
    uint8_t nres;
    uint8_t next_host, next_addr; /* scheduler cursor */
    uint32_t started;
    stc_ip_t res[STC_MAX_RESOLVERS];
    const char *const *patterns;
    size_t npatterns;
    stc_domain_result_t result;
    stc_hstate_t hs[STC_MAX_MX];
    stc_dnsq_t dns[STC_MAX_DNS];
    stc_conn_t conn[STC_MAX_CONN];
} stc_check_t;

/* ---- Process-wide set-up ------------------------------------------------- */

/* Route wolfSSL's allocations into arena[0..size), initialise wolfSSL, and
 * load the trust anchors from port->trust_anchors (once per process).
 * Returns STC_OK, STC_ENOMEM (arena too small for the anchors), STC_ETLS. */
int stc_init(void *arena, size_t size, const stc_port_t *port);
void stc_deinit(void);

typedef struct stc_arena_stats {
    size_t size, in_use, peak, failures;
} stc_arena_stats_t;
void stc_arena_stats(stc_arena_stats_t *s);
void stc_arena_reset_peak(void);

/* ---- One check ---------------------------------------------------------- */

/* Prepare a context. opt may be NULL for the defaults. */
int stc_check_init(stc_check_t *c, const stc_port_t *port, const stc_options_t *opt);

/* Start checking a mail domain (A-labels, trailing dot optional). patterns:
 * expected MX host names ("mx.example.org", "*.example.org" or
 * ".example.org"), caller-owned until the check ends; NULL/0 for none.
 * STC_EINVAL with a result saying why when the domain is not a valid
 * A-label name. */
int stc_check_domain_start(stc_check_t *c, const char *domain,
                           const char *const *patterns, size_t npatterns);

/* Start checking one relay: host name or IP literal, port (25/587 with
 * STARTTLS, or implicit_tls for 465). */
int stc_check_host_start(stc_check_t *c, const char *host, uint16_t port, int implicit_tls);

/* Do all work possible without blocking. STC_EAGAIN: call again after
 * waiting on stc_check_pollset(); STC_OK: the result is complete. */
int stc_check_step(stc_check_t *c);

/* Sockets to wait on and how long (ms) until the next deadline. */
size_t stc_check_pollset(const stc_check_t *c, stc_pollfd_t *fds, size_t max,
                         uint32_t *timeout_ms);

/* Blocking convenience: step + wait until done. */
int stc_check_run(stc_check_t *c);

const stc_domain_result_t *stc_check_result(const stc_check_t *c);

/* Close everything still open. Safe to call twice. */
void stc_check_free(stc_check_t *c);

/* ---- Naming and reports -------------------------------------------------- */

const char *stc_domain_status_text(unsigned s); /* "success", "no_starttls", ... */
const char *stc_status_text(int s);             /* "success" .. "error", "skipped" */
const char *stc_check_name(unsigned id);        /* "connectivity", ... */
const char *stc_reach_text(unsigned r);
const char *stc_err_text(int err);
const char *stc_tls_version_text(uint16_t v);   /* "TLSv1.3", ... */
/* 1 when s is an IPv4 or IPv6 literal (fills *ip), else 0. */
int stc_ip_parse(const char *s, stc_ip_t *ip);
/* The same for s[0..n), as found in lists and configuration files:
 * optional [brackets], and a %scope suffix dropped. */
int stc_ip_parse_n(const char *s, size_t n, stc_ip_t *ip);
/* Presentation form of an address; buf needs 46 bytes. */
const char *stc_ip_text(const stc_ip_t *ip, char *buf, size_t cap);

/* Split a relay spec: "host", "host:port", "[v6]:port" or a bare IPv6
 * literal into host (cap bytes) and *port (left as it was when the spec has
 * none). STC_OK, or STC_EINVAL for an empty host, a bad or zero port, an
 * unclosed bracket or a host that does not fit. */
int stc_hostport_parse(const char *spec, char *host, size_t cap, uint16_t *port);

/* Output sink: returns 0, or non-zero to stop. */
typedef int (*stc_write_fn)(void *ctx, const char *p, size_t n);

/* One JSON object on one line, then "\n" (JSON Lines). */
int stc_report_json(const stc_domain_result_t *r, stc_write_fn w, void *ctx);
/* Readable report; verbose also lists passing details. */
int stc_report_text(const stc_domain_result_t *r, int verbose, stc_write_fn w, void *ctx);

/* Exit status for a command-line front end (monitoring-plugin style) of a
 * stc_domain_status_t: 0 success or accepts no mail, 1 warning, 2 failure,
 * no STARTTLS, could not connect or bad hostname, 3 anything else (error,
 * rejected, unknown values). With several domains, use the highest. */
int stc_exit_code(unsigned status);

#ifdef __cplusplus
}
#endif

#endif /* STC_H */
