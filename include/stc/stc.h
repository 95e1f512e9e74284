/* stc.h - starttls-check: grade how a mail domain protects mail in transit
 *
 * Conventions
 * - Memory: the library never allocates. The caller owns an engine
 *   (stc_engine_t: the pools of connection slots, DNS query slots and
 *   session tasks, sized at compile time by stc_opts.h) and one job per
 *   domain or relay in flight (stc_job_t: names, state and the compact
 *   result), plus the wolfSSL arena handed to stc_init(). Pools are sized
 *   by concurrency, not by the number of domains: thousands of jobs can
 *   share one engine. A job's result stays valid until the job is started
 *   again; the engine does not keep pointers into a finished job.
 * - Work is shared: a job that needs a DNS answer, or an SMTP session to
 *   (address, port, SNI), that another job is already waiting for joins
 *   it instead of asking again. A job or task that finds no free slot
 *   waits for one (backpressure); a resource the checker itself lacks
 *   (sockets, arena, buffers) ends that piece of work as the checker's own
 *   error (status "error", a finding of its own, exit code 3), never as a
 *   finding against the server.
 * - Manners: every SMTP session to an address, from every job in flight,
 *   counts against one per-address cap (stc_options_t.per_address). A 421
 *   or reset while we hold another session to that address is our doing:
 *   the address drops to one session at a time and the session is retried
 *   once; it never makes the address "rejected".
 * - Process-wide state: wolfSSL's allocator hooks take no user pointer, so
 *   the arena and the TLS context (trust anchors) are one per process,
 *   set up by stc_init(). Engines are otherwise independent.
 * - Threading: one thread drives an engine and its jobs; nothing is locked.
 * - Strings: NUL-terminated; the core takes domain names as A-labels only
 *   (IDNA mapping is the caller's job; the CLI does it with libidn2). Report
 *   texts (banner, certificate names, CNAME targets) live in the result's
 *   own small text pool: read them with stc_result_text().
 * - NULL: no function accepts NULL unless its comment says so.
 * - Errors are stc_err_t (stc_port.h). Findings are not errors: "no
 *   STARTTLS" is a finding of a check that itself succeeded.
 *
 * Use (one domain, blocking)
 *     static uint8_t arena[2u << 20];
 *     static stc_check_t chk;                 (an engine and one job)
 *     stc_init(arena, sizeof arena, &my_port);
 *     stc_check_init(&chk, &my_port, NULL);
 *     stc_check_domain_start(&chk, "example.org", NULL, 0);
 *     stc_check_run(&chk);
 *     stc_report_json(stc_check_result(&chk), my_write, my_ctx);
 *     stc_check_free(&chk);
 *
 * Use (many domains, one thread)
 *     static stc_engine_t eng;
 *     static stc_job_t jobs[64];
 *     stc_engine_init(&eng, &my_port, &opt);
 *     stc_engine_on_done(&eng, my_done, my_ctx);   (called as each job ends)
 *     for each free job slot: stc_job_domain(&eng, &jobs[i], name, NULL, 0);
 *     while (stc_engine_step(&eng) == STC_EAGAIN) {
 *         n = stc_engine_pollset(&eng, fds, max, &ms);
 *         my_port.wait(my_port.user, fds, n, ms);
 *     }
 *     stc_engine_free(&eng);
 *
 * Domain verdict (the rule, pinned by tests/unit/test_verdict.c)
 * - Each address of each MX host is classed: untested (its address family
 *   cannot be used from here), unreachable (connect or greeting failed),
 *   rejected (421/554 greeting or EHLO, not provoked by us), or reached (an
 *   SMTP dialogue took place). A reached address's status is the worst of
 *   its checks.
 * - A host is reached when any of its addresses is; its status is the worst
 *   of its reached addresses, and at least "warning" when another of its
 *   addresses was unreachable or rejected. A host with no reached address
 *   carries its failed connectivity check: its status is that check's.
 * - Hosts are grouped by MX preference. The most-preferred group holding a
 *   reached host decides: the domain's status is the worst status among the
 *   reached hosts of that group, and at least "warning" when another host
 *   of that group could not be reached (finding some_preferred_unreachable);
 *   "no STARTTLS" when one of them offers no STARTTLS (not advertised,
 *   refused, EHLO rejected; a failed handshake is a "failure").
 *   Less-preferred hosts are reported but do not count (they are often spam
 *   traps). When a more-preferred group could not be reached at all, a
 *   "success" becomes a "warning" (finding preferred_unreachable).
 * - No group reached: "rejected" when some host rejected us; "error" when
 *   no address at all could be tried from here (e.g. IPv6-only MX hosts on
 *   an IPv4-only network: that says nothing about the domain); else
 *   "could not connect". Hosts of equal preference are listed by name.
 * - Any finding that is the checker's own (its limits, its resources, a
 *   lookup it could not make, a host it did not check): "error". A domain
 *   with a preferred host left unchecked is never "success".
 * - Expected MX patterns given and some MX host matches none: "bad hostname".
 * - Null MX (RFC 7505): "accepts no mail". DNS failure of the MX lookup
 *   (NXDOMAIN, SERVFAIL, timeout): "error", with the reason as a finding.
 * - DANE (host): VALID makes the certificate check informational for the
 *   host's status (DANE senders do not use PKIX); MISMATCH, NAME_MISMATCH,
 *   EXPIRED, BOGUS, LOOKUP_FAILED and NO_TLS are host failures, UNUSABLE a
 *   warning; INSECURE and TLSA_ABSENT change nothing.
 * - Policy records (domain): an invalid or duplicated _mta-sts record is a
 *   failure, a missing one not applicable; an invalid or duplicated
 *   _smtp._tls record, or a failed lookup of either, is a warning.
 * - MTA-STS policy (domain): unobtainable (no host, no TLS, a bad
 *   certificate, a redirect, not 200, malformed) or invalid: failure;
 *   not text/plain, mode testing or none: warning; under enforce an MX
 *   host matching no pattern or lacking valid TLS 1.2+: failure (under
 *   testing: warning). Domain findings add to the status like any other.
 */
#ifndef STC_H
#define STC_H

#include "stc_opts.h"
#include "stc_port.h"

#ifdef __cplusplus
extern "C" {
#endif

#define STC_VERSION_STRING "0.2.0"
/* 2: checks that did not run are reported with status 4 "skipped" (never
 * 3), a host with no reached address carries its connectivity check,
 * "cipher" and "group" are named from ids, "sessions" per address. */
#define STC_SCHEMA_VERSION 2

/* ---- Status values ------------------------------------------------------ */

/* Status of one check; 0-3 are the original tool's CheckStatus. */
typedef enum stc_status {
    STC_SUCCESS = 0,
    STC_WARNING = 1,
    STC_FAILURE = 2,
    STC_ERROR = 3,         /* we could not judge (our fault or an indeterminate input) */
    STC_SKIPPED = 4,       /* did not run: an earlier step ended the dialogue */
    STC_NOT_APPLICABLE = 5 /* does not apply here (e.g. DANE for an unsigned zone) */
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
    STC_CHK_VERSION,     /* "version": every version the server accepts */
    STC_CHK_CIPHERS,     /* "ciphers": weak suite classes, key exchange, options */
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
    /* appended with schema 2 */
    STC_F_SOME_PREFERRED_UNREACHABLE, /* domain: a host of the deciding group unreachable */
    STC_F_CHECKER_NO_SOCKET,   /* ours: the port could not give us a socket */
    STC_F_CHECKER_TLS_LIMIT,   /* ours: a TLS message beyond what our TLS library takes */
    STC_F_CHECKER_TLS_SETUP,   /* ours: a TLS session could not be set up (RNG, memory) */
    STC_F_CHECKER_DNS_LIMIT,   /* ours: a DNS answer larger than our buffer */
    STC_F_CHECKER_DNS_LOCAL,   /* ours: a query could not be sent from here */
    STC_F_HOST_DNS_TIMEOUT,    /* host: no answer for the host's addresses in time */
    STC_F_CHECKER_UNCHECKED,   /* ours: a host was not checked (cancelled, limits) */
    STC_F_CANCELLED,           /* ours: the check was cancelled before it ended */
    STC_F_PROVOKED_RETRY,      /* connectivity: a 421/reset we caused was retried */
    /* TLS depth (probes) */
    STC_F_TLS_SSLV2,           /* version: SSLv2 accepted */
    STC_F_TLS_SSLV3,
    STC_F_TLS_TLS10,
    STC_F_TLS_TLS11,
    STC_F_CIPHER_NULL,         /* ciphers: a weak class accepted */
    STC_F_CIPHER_EXPORT,
    STC_F_CIPHER_ANON,
    STC_F_CIPHER_RC4,
    STC_F_CIPHER_DES,
    STC_F_CIPHER_3DES,
    STC_F_KX_STATIC_RSA,
    STC_F_CBC_ONLY,            /* ciphers: TLS 1.2 only with CBC suites */
    STC_F_DHE_WEAK,            /* ciphers: DHE prime under 2048 bits */
    STC_F_DHE_2048,            /* ciphers: DHE with a 2048-bit prime (phase-out) */
    STC_F_TLS_COMPRESSION,
    STC_F_NO_SECURE_RENEG,
    STC_F_NO_FALLBACK_SCSV,
    STC_F_NO_EMS,
    STC_F_CLIENT_ORDER,        /* ciphers: the server follows the client's order */
    STC_F_CIPHER_UNLISTED,     /* ciphers: a suite the guidelines phase out picked */
    STC_F_PROBES_CUT,          /* ours (a note): a bound stopped the probes */
    STC_F_PROBES_REDUCED,      /* ours (a note): a slow greeting, fewer probes */
    STC_F_CHECKER_HANDSHAKE_LIMIT, /* ours (a note): only a probe could talk to it */
    STC_F_DANE_MISMATCH,       /* host: no usable TLSA record matches the server */
    STC_F_DANE_NAME_MISMATCH,  /* host: DANE-TA matched, the leaf's name does not */
    STC_F_DANE_EXPIRED,        /* host: DANE-TA matched, a certificate is out of date */
    STC_F_DANE_BOGUS,          /* host: the TLSA answer fails DNSSEC validation */
    STC_F_DANE_LOOKUP_FAILED,  /* host: the TLSA lookup failed (not bogus) */
    STC_F_DANE_NO_TLS,         /* host: TLSA published, no TLS session */
    STC_F_DANE_UNUSABLE,       /* host: only TLSA records SMTP cannot use */
    STC_F_DANE_OVERRIDES_PKIX, /* host (a note): DANE authenticates, PKIX problems moot */
    STC_F_DANE_ONE_RECORD,     /* host (a note): one usable TLSA record: plan rollovers */
    STC_F_TLSA_TRUNCATED,      /* ours (a note): more TLSA records than we keep */
    STC_F_STS_TXT_INVALID,     /* domain: the _mta-sts record is not valid */
    STC_F_STS_TXT_MULTIPLE,    /* domain: more than one v=STSv1 record */
    STC_F_TLSRPT_INVALID,      /* domain: the _smtp._tls record is not valid */
    STC_F_TLSRPT_MULTIPLE,     /* domain: more than one v=TLSRPTv1 record */
    STC_F_TXT_LOOKUP_FAILED,   /* domain: a policy TXT lookup failed */
    STC_F_AD_UNTRUSTED,        /* ours (a note): AD set by a resolver we do not trust */
    STC_F_STS_NO_HOST,         /* domain: mta-sts.<domain> has no address */
    STC_F_STS_FETCH_FAILED,    /* domain: no connection or TLS to the policy host */
    STC_F_STS_CERT_INVALID,    /* domain: the policy host's certificate fails PKIX */
    STC_F_STS_REDIRECT,        /* domain: the policy URL redirects */
    STC_F_STS_HTTP_STATUS,     /* domain: the policy URL answers other than 200 */
    STC_F_STS_HTTP_BAD,        /* domain: a malformed or over-long response */
    STC_F_STS_MEDIA_TYPE,      /* domain: the policy is not text/plain */
    STC_F_STS_POLICY_INVALID,  /* domain: the policy body breaks RFC 8461 3.2 */
    STC_F_STS_TESTING,         /* domain: mode testing */
    STC_F_STS_MODE_NONE,       /* domain: mode none (a withdrawn policy) */
    STC_F_STS_MX_UNCOVERED,    /* domain: enforce, an MX host matches no pattern */
    STC_F_STS_MX_NO_TLS,       /* domain: enforce, a matching MX host lacks valid TLS */
    STC_F_STS_TESTING_FAILS,   /* domain: testing, MX hosts that would fail enforce */
    STC_F_STS_CHECKER,         /* ours: the checker could not fetch the policy */
    STC_F_COUNT
} stc_finding_code_t;

typedef struct stc_finding_info {
    const char *name;  /* stable machine name, e.g. "no_starttls" */
    uint8_t check;     /* stc_check_id_t, STC_CHK_DOMAIN or STC_CHK_HOST */
    uint8_t severity;  /* stc_status_t */
    uint8_t ours;      /* 1: the checker's own limit or failure, never the server's */
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

/* A string in a result's text pool: 0 = none, else 1 + its offset. */
typedef uint16_t stc_text_t;

/* How far one address got. */
typedef enum stc_reach {
    STC_R_PENDING = 0,
    STC_R_UNTESTED,    /* its family cannot be used from here */
    STC_R_UNREACHABLE, /* connect or greeting failed */
    STC_R_REJECTED,    /* 421/554 */
    STC_R_REACHED,     /* an SMTP dialogue took place */
    STC_R_UNCHECKED    /* the checker did not get to it (its own limit) */
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
    int64_t not_before, not_after; /* unix seconds; 0 = unknown */
    stc_text_t subject; /* subject CN or first DNS SAN */
    stc_text_t issuer;  /* issuer CN or O */
    uint16_t key_bits;
    uint8_t key_type;   /* 0 unknown, 1 RSA, 2 EC, 3 Ed25519, 4 Ed448 */
    uint8_t sig_hash;   /* weakest hash below the anchor: 0 unknown, 1 MD5,
                           2 SHA-1, 3 SHA-256, 4 SHA-384, 5 SHA-512, 6 intrinsic */
    uint8_t chain_len;  /* certificates the peer sent */
    uint8_t trusted;    /* chains to a trust anchor (dates ignored) */
    uint8_t name_ok;    /* matches the host name (RFC 6125) */
    uint8_t self_signed;
} stc_cert_info_t;

/* Probe bits (stc_probe_facts_t). Versions: */
#define STC_PV_SSL2 0x01u
#define STC_PV_SSL3 0x02u
#define STC_PV_TLS10 0x04u
#define STC_PV_TLS11 0x08u
#define STC_PV_TLS12 0x10u
#define STC_PV_TLS13 0x20u
/* Weak suite classes: */
#define STC_PC_NULL 0x01u
#define STC_PC_EXPORT 0x02u
#define STC_PC_ANON 0x04u
#define STC_PC_RC4 0x08u
#define STC_PC_DES 0x10u
#define STC_PC_3DES 0x20u
#define STC_PC_STATIC_RSA 0x40u
/* Groups: */
#define STC_PG_X25519 0x01u
#define STC_PG_P256 0x02u
#define STC_PG_P384 0x04u
#define STC_PG_P521 0x08u
#define STC_PG_FFDHE2048 0x10u
#define STC_PG_FFDHE3072 0x20u /* or larger */
/* Properties (flags, flags_tested): */
#define STC_PF_SERVER_ORDER 0x01u /* picks its own preference, not ours */
#define STC_PF_RENEG 0x02u        /* secure renegotiation (RFC 5746) */
#define STC_PF_COMPRESSION 0x04u  /* TLS compression accepted */
#define STC_PF_FALLBACK 0x08u     /* TLS_FALLBACK_SCSV honoured (RFC 7507) */
#define STC_PF_EMS 0x10u          /* extended master secret (RFC 7627) */
#define STC_PF_AEAD12 0x20u       /* an AEAD suite accepted at TLS 1.2 */

/* What the hand-built ClientHello probes found (TLS depth). A bit is only
 * meaningful where its *_tested bit is set: an untested question is
 * reported as such, never guessed. */
typedef struct stc_probe_facts {
    uint8_t versions, versions_tested; /* STC_PV_* accepted / asked */
    uint8_t classes, classes_tested;   /* STC_PC_* accepted / asked */
    uint8_t groups, groups_tested;     /* STC_PG_* accepted / asked */
    uint8_t flags, flags_tested;       /* STC_PF_* */
    uint16_t suite_fwd, suite_rev;     /* picked from our TLS 1.2 offer, and reversed */
    uint16_t dhe_bits;                 /* DHE prime size seen, 0 = none */
    uint8_t probes;                    /* probe sessions run */
    uint8_t ran;                       /* 1 when probing took place at all */
} stc_probe_facts_t;

/* Where an address's dialogue ended (for errors): the phase. */
typedef enum stc_phase {
    STC_P_NONE = 0, STC_P_CONNECT, STC_P_BANNER, STC_P_EHLO, STC_P_STARTTLS,
    STC_P_TLS, STC_P_EHLO_TLS, STC_P_QUIT, STC_P_DONE
} stc_phase_t;

typedef struct stc_addr_result {
    stc_ip_t ip;
    uint8_t reach;   /* stc_reach_t */
    uint8_t phase;   /* stc_phase_t reached last */
    int8_t status[STC_CHK_COUNT]; /* stc_status_t per check */
    int8_t err;      /* our stc_err_t where the dialogue stopped early */
    uint8_t sessions; /* SMTP sessions opened to learn this */
    uint8_t dane;     /* stc_dane_t of this address (see the host's) */
    uint8_t cached;   /* facts reused from an earlier check (no session now) */
    uint8_t nfindings, dropped;
    uint16_t last_code; /* last SMTP reply code */
    uint16_t ehlo, ehlo_tls; /* STC_EXT_* before / inside TLS */
    uint16_t tls_version; /* wire value, e.g. 0x0304; 0 = none */
    uint16_t suite;       /* IANA cipher suite id (valid when tls_version) */
    uint16_t group;       /* IANA named group; 0x8000 | bits for a custom DHE prime */
    stc_text_t banner;    /* first greeting line, sanitized */
    int32_t lower_err;    /* wolfSSL error or port detail */
    uint32_t elapsed_ms;
    stc_cert_info_t cert;
    stc_probe_facts_t probe;
    stc_finding_t findings[STC_MAX_FINDINGS];
} stc_addr_result_t;

typedef struct stc_host_result {
    char name[STC_NAME_MAX + 1]; /* MX exchange as published (no trailing dot) */
    stc_text_t cname; /* CNAME target when the name is an alias, else 0 */
    uint16_t pref;
    uint8_t naddr;
    uint8_t reach;    /* stc_reach_t of the host as a whole */
    int8_t status;    /* stc_status_t (STC_SKIPPED when nothing ran) */
    uint8_t preferred; /* 1 when this host's group decided the domain */
    uint8_t dnssec;   /* every A/AAAA answer for it carried the AD bit */
    uint8_t dane;     /* stc_dane_t */
    uint8_t tlsa_records, tlsa_usable; /* TLSA records published / usable for SMTP */
    uint8_t dane_usage; /* usage of the record that matched (2 DANE-TA, 3 DANE-EE) */
    stc_text_t tlsa_base; /* the TLSA base domain (and SNI) when TLSA was found */
    uint8_t nfindings, dropped;
    stc_finding_t findings[6];
    stc_addr_result_t addr[STC_MAX_ADDRS];
} stc_host_result_t;

/* DANE of an MX host (RFC 7672). INSECURE and TLSA_ABSENT: DANE does not
 * apply (a status of not_applicable, never a verdict). */
typedef enum stc_dane {
    STC_DANE_NONE = 0,       /* not looked at (relay checks) */
    STC_DANE_INSECURE,       /* MX, address or TLSA answer not DNSSEC-validated */
    STC_DANE_TLSA_ABSENT,    /* validated denial: no TLSA record */
    STC_DANE_VALID,          /* a usable record matches */
    STC_DANE_UNUSABLE,       /* only records SMTP cannot use (PKIX-TA/EE, bad fields) */
    STC_DANE_MISMATCH,       /* no usable record matches */
    STC_DANE_NAME_MISMATCH,  /* DANE-TA matched; the leaf names neither reference */
    STC_DANE_EXPIRED,        /* DANE-TA matched; a certificate below it is out of date */
    STC_DANE_BOGUS,          /* the TLSA answer failed validation (SERVFAIL, data with CD) */
    STC_DANE_LOOKUP_FAILED,  /* the TLSA lookup failed otherwise */
    STC_DANE_NO_TLS,         /* TLSA published, yet no TLS session was possible */
    STC_DANE_NOT_REACHED     /* TLSA published; no address could be reached */
} stc_dane_t;

/* Status of one policy record of the domain (MTA-STS, TLS-RPT). */
typedef struct stc_policy_result {
    int8_t status;    /* stc_status_t; STC_NOT_APPLICABLE without a record,
                         STC_SKIPPED when not looked up */
    uint8_t records;  /* records that begin with the version tag */
    uint8_t mode;     /* MTA-STS: 0 unknown, 1 enforce, 2 testing, 3 none */
    uint8_t pad;
    uint16_t problems; /* STC_TXT_P_* of the record (src/policy.h) */
    uint16_t uris;     /* TLS-RPT: rua URIs */
    stc_text_t id;     /* MTA-STS id, or TLS-RPT's first rua URI */
} stc_policy_result_t;

/* The MTA-STS policy as the job judged it (RFC 8461 3.2, 3.3, 4). */
typedef struct stc_sts_result {
    uint8_t fetch;        /* enum stc_sts_end; NONE when not fetched */
    uint8_t http_result, mtype;
    uint8_t nmx;          /* patterns kept in mx[] */
    uint16_t http_status;
    uint16_t policy_problems; /* STC_STS_P_* */
    uint32_t max_age;
    uint16_t mx_count;    /* mx lines in the policy */
    uint8_t uncovered;    /* MX hosts no pattern matches */
    uint8_t violating;    /* matching MX hosts without valid TLS >= 1.2 */
    uint32_t matched;     /* bit hi: MX host hi matches an mx pattern */
    stc_text_t mx[STC_STS_MX_KEEP];
} stc_sts_result_t;

/* What kind of mail-host list the domain has. */
typedef enum stc_mx_kind {
    STC_MX_NONE = 0, STC_MX_RECORDS, STC_MX_IMPLICIT, STC_MX_NULL, STC_MX_RELAY
} stc_mx_kind_t;

typedef struct stc_domain_result {
    char domain[STC_NAME_MAX + 1];
    uint8_t status;   /* stc_domain_status_t */
    uint8_t mx_kind;  /* stc_mx_kind_t */
    uint8_t mx_secure; /* the MX answer carried the AD bit (from a trusted resolver) */
    uint8_t ad_trusted; /* the resolver that answered the MX question is trusted */
    stc_ip_t resolver; /* that resolver (family 0: none answered) */
    uint8_t nhosts;
    uint16_t mx_total; /* MX records published (may exceed nhosts) */
    uint16_t port;
    uint8_t implicit_tls; /* TLS from the first byte (465) */
    uint8_t name_cut;  /* the name given was longer than a DNS name can be */
    uint8_t nfindings, dropped;
    uint8_t msg_host;  /* the message names host msg_host - 1; 0 = none */
    uint16_t msg_code; /* the message is this finding's title; 0 = all passed */
    stc_finding_t findings[8];
    uint32_t elapsed_ms;
    uint32_t sessions; /* SMTP sessions this check caused (joined ones count) */
    stc_policy_result_t mta_sts, tls_rpt;
    stc_sts_result_t sts; /* the MTA-STS policy (when mta_sts.records == 1) */
    uint16_t text_used;   /* bytes of text[] used */
    uint16_t text_dropped; /* texts that did not fit (left empty) */
    stc_host_result_t host[STC_MAX_MX];
    char text[STC_TEXT_POOL]; /* the strings stc_text_t refer to */
} stc_domain_result_t;

/* The string behind t ("" for none or a bad reference). */
const char *stc_result_text(const stc_domain_result_t *r, stc_text_t t);
/* The one-line summary ("<host>: <what>"), written to buf (cap >= 1). */
const char *stc_result_message(const stc_domain_result_t *r, char *buf, size_t cap);

/* ---- Options ------------------------------------------------------------ */

typedef struct stc_options {
    char ehlo[STC_EHLO_MAX + 1]; /* our EHLO name; "" = "localhost" */
    uint16_t port;               /* SMTP port of domain checks (25) */
    uint8_t implicit_tls;        /* domain checks: TLS from the first byte */
    uint8_t max_conn;            /* connection slots used, 1..STC_MAX_CONN */
    uint8_t per_address;         /* SMTP sessions at once per address (>= 1) */
    uint16_t max_sockets;        /* sockets open at once; 0 = the pools' size */
    uint16_t warn_days;          /* certificate expiry warning window */
    uint32_t tls_reserve;        /* arena bytes free before a handshake starts */
    uint32_t t_dns, t_connect, t_banner, t_command, t_tls; /* ms */
    uint32_t t_retry;            /* ms to wait before retrying a provoked 421 */
    uint8_t probe;               /* 1: TLS probes after the main session; 0: --quick */
    uint8_t max_sessions;        /* sessions per address in all (main included) */
    uint16_t probe_pause;        /* ms between the sessions to one address */
    uint32_t t_probe;            /* ms for all of one address's sessions */
    uint32_t t_sts;              /* ms for the whole MTA-STS policy fetch */
    uint32_t cache_age;          /* s a finished session's facts are reused; 0: never */
    uint8_t trust_ad;            /* 1: believe the AD bit (DNSSEC validated) of
                                    every resolver; 0: only of one on loopback
                                    (127.0.0.0/8, ::1), as RFC 6698 4.1 and
                                    RFC 7672 advise: an AD bit crossing a network
                                    can be forged */
    uint8_t max_dns;             /* DNS questions in flight at once over every
                                    job, 1..STC_MAX_DNS (0: STC_MAX_DNS): the
                                    load a bulk run puts on the resolver */
} stc_options_t;

void stc_options_default(stc_options_t *o);

/* ---- Private layout (for sizing only; do not touch the fields) ---------- */

struct stc_job;
struct stc_engine;

/* A job waiting on a DNS slot or a task (intrusive list of waiters). */
typedef struct stc_wait {
    struct stc_wait *next;
    struct stc_job *job;
    uint8_t kind;     /* what the job waits for (job.c) */
    uint8_t host, addr;
    uint8_t pool;     /* 0 idle, 1 DNS slot, 2 task, 3 answered from the DNS cache */
    uint16_t slot;    /* index in that pool */
} stc_wait_t;

/* SMTP reply reader (src/smtp_reply.c): keeps the first line's text and
 * just enough of each line to recognise EHLO keywords; line lengths and
 * counts are checked, never stored. */
typedef struct stc_reply {
    uint16_t code;     /* of the reply being read / just read */
    uint16_t nlines;   /* lines counted (beyond STC_REPLY_LINES_MAX too) */
    uint8_t done;      /* a full reply has been read */
    uint8_t ehlo;      /* parse EHLO keywords from the lines */
    uint8_t overlong;  /* some line was longer than STC_REPLY_LINE_MAX */
    uint8_t toolong;   /* more than STC_REPLY_LINES_MAX lines */
    uint8_t cr;        /* the last byte of the current line was CR */
    uint8_t firstlen;  /* characters in first[] */
    uint16_t ext;      /* STC_EXT_* seen (EHLO replies) */
    uint16_t linelen;  /* bytes of the current line seen so far (saturates) */
    char head[28];     /* the current line's first bytes: code, separator and
                          the longest EHLO keyword we know, and the byte after */
    char first[STC_BANNER_MAX]; /* text of the first line, sanitized */
} stc_reply_t;

/* ---- MTA-STS policy fetch: the HTTP response reader and the policy
 * parser a connection slot holds while it reads (functions and the
 * constants in src/policy.h) ---- */

typedef struct stc_http {
    /* ---- results (read them at any time; final once feed/eof returned
     * anything but STC_EAGAIN) ---- */
    uint64_t content_length;  /* declared (saturates at UINT64_MAX) */
    uint32_t body_len;        /* body bytes given to the callback */
    uint32_t body_max;        /* the bound (stc_http_init), bytes */
    uint32_t location_len;    /* length of the whole Location value */
    uint16_t status;          /* final status code, 0 until read */
    uint16_t notes;           /* STC_HTTP_N_* */
    uint8_t result;           /* enum stc_http_result */
    uint8_t minor;            /* HTTP/1.<minor> of the final response */
    uint8_t mtype;            /* enum stc_http_mtype */
    uint8_t framing;          /* enum stc_http_framing */
    uint8_t interim;          /* 1xx responses skipped */
    uint8_t head_done;        /* the final response's header section is read */
    char location[STC_HTTP_LOCATION_MAX]; /* first bytes of Location, NUL-ended;
                                             control bytes shown as '?' */
    char mtype_text[STC_HTTP_MTYPE_MAX];  /* Content-Type up to ';', trimmed, cut */

    /* ---- parser state (private) ---- */
    uint64_t left;            /* body or chunk bytes still to come */
    uint64_t num;             /* number being read (Content-Length, chunk-size) */
    int err;                  /* the sticky error */
    uint32_t line;            /* bytes in the current line */
    uint32_t vcnt, vend;      /* value bytes seen; length without trailing OWS */
    uint16_t fields;          /* fields in this header or trailer section */
    uint8_t state, sub;       /* where we are, and within a field value */
    uint8_t after;            /* what the LF awaited after a CR leads to */
    uint8_t field;            /* which field the value belongs to */
    uint8_t nlen;             /* name bytes kept (0xff: longer than name[]) */
    uint8_t flags;            /* per-head facts (bits in http.c) */
    uint8_t cl_state;         /* Content-Length: none / ok / bad / conflict */
    uint8_t te_count;         /* transfer codings listed (saturating) */
    uint8_t te_mark;          /* te_count when this field began */
    uint8_t te_last_chunked;  /* the last coding listed is plain "chunked" */
    uint8_t te_bad;           /* a Transfer-Encoding value that does not parse */
    uint8_t tlen;             /* bytes of tok (0xff: longer) */
    char name[18];            /* field name as sent ("Transfer-Encoding" fits) */
    char tok[8];              /* a transfer-coding token, lower case */
} stc_http_t;

/* Receives each mx value as its line ends: pattern is NUL-terminated
 * (at most STC_NAME_MAX + 2 bytes kept: a longer one is invalid and cut),
 * valid = 1 when it is ["*."] Domain. */
typedef void (*stc_sts_mx_fn)(void *ctx, const char *pattern, size_t len, int valid);

typedef struct stc_sts_policy {
    /* ---- results ---- */
    uint32_t max_age;   /* seconds (first max_age line, when it parsed) */
    uint32_t lines;     /* lines seen */
    uint32_t mx_count;  /* mx lines */
    uint32_t mx_bad;    /* mx lines with an invalid pattern */
    uint32_t first_bad; /* line number (1-based) of the first problem */
    uint32_t unknown;   /* lines with other keys (ignored, RFC 8461 3.2) */
    uint16_t problems;  /* STC_STS_P_*; "version ok" is !(problems &
                           (STC_STS_P_NO_VERSION | STC_STS_P_BAD_VERSION)) */
    uint8_t mode;       /* enum stc_sts_mode */
    uint8_t have;       /* private: keys seen */

    /* ---- parser state (private) ---- */
    uint16_t len;       /* bytes in this line (stops at STC_STS_LINE_MAX) */
    uint16_t vlen;      /* value bytes seen */
    uint16_t vend;      /* value length without trailing WSP */
    uint8_t state;      /* where in the line */
    uint8_t key;        /* which key this line has */
    uint8_t klen;       /* key bytes */
    uint8_t cr;         /* a CR was read: LF must follow */
    uint8_t tab;        /* an HTAB ended an extension value */
    uint8_t utf8;       /* UTF-8 continuation bytes still expected */
    uint8_t ulo, uhi;   /* the range of the next one (RFC 3629 4) */
    uint8_t ended;      /* stc_sts_policy_end was called */
    char kbuf[32];      /* the key (sts-policy-ext-name: at most 32) */
    char vbuf[STC_NAME_MAX + 3]; /* a value: "*." + a name + NUL */
    stc_sts_mx_fn mx_cb;
    void *mx_ctx;
} stc_sts_policy_t;

/* ---- TLS probes: the answer reader (src/tls_hello_rd.c; constants in
 * src/tls_hello.h) and the plan (src/probe.c) ---- */

/* Streaming certificate bytes: chunk[0..n) is at `offset` inside
 * certificate number `index` (0 = leaf) of `total_len` bytes. Chunks of
 * one certificate arrive in order; chunk points into the caller's input. */
typedef void (*stc_hello_cert_fn)(void *ctx, unsigned index, uint32_t offset,
                                  const uint8_t *chunk, size_t n, uint32_t total_len);

/* What the answer said. Valid fields depend on kind and flags. */
typedef struct stc_hello_ans {
    uint8_t kind;            /* STC_ANS_* */
    uint8_t why;             /* STC_HW_* with STC_EPROTO / STC_ERESET */
    uint8_t limit;           /* STC_HLIM_* with STC_ETOOLONG */
    uint8_t compression;     /* ServerHello.compression_method (1 = DEFLATE) */
    uint16_t flags;          /* STC_HA_* */
    uint16_t legacy_version; /* ServerHello.legacy_version */
    uint16_t version;        /* selected: supported_versions, else legacy; SSLv2: 2 */
    uint16_t suite;          /* ServerHello.cipher_suite */
    uint16_t group;          /* key_share group (HRR: the group asked for) */
    uint8_t sid_len;         /* legacy_session_id_echo length */
    uint8_t point_formats;   /* ec_point_formats: bit f for format f < 8 */
    uint8_t alert_level, alert_desc; /* the alert that ended the answer */
    uint8_t warn_desc;       /* the last warning alert read on the way */
    uint8_t skx_kind;        /* STC_SKX_* */
    uint8_t curve_type;      /* ECParameters.curve_type (3 = named_curve) */
    uint8_t v2_cert_type;    /* SSLv2 CERTIFICATE-TYPE (1 = X.509) */
    uint16_t skx_group;      /* ECDHE named curve from ServerKeyExchange */
    uint32_t skx_bits;       /* DHE prime / RSA-export modulus bits */
    uint16_t v2_error;       /* SSLv2 ERROR code */
    uint16_t ncerts;         /* certificates in the Certificate message */
    uint16_t v2_nspecs;      /* cipher specs in the SSLv2 SERVER-HELLO */
    uint32_t ext_mask;       /* STC_HE_* */
    uint32_t cert_len[STC_HELLO_CERTS_MAX]; /* the first certificates' lengths */
    uint32_t v2_specs[STC_HELLO_V2_SPECS_MAX];
    uint32_t bytes;          /* answer bytes consumed */
    char text[STC_HELLO_TEXT_MAX]; /* STC_ANS_TEXT: the first line, sanitized;
                                      STC_HW_NOT_TLS: the first byte in hex */
} stc_hello_ans_t;

/* The reader: a record layer, a handshake layer and a field machine that
 * gathers at most 4 bytes at a time and skips (or streams) opaque fields,
 * inside nested length scopes. Treat the fields below `ans` as private. */
typedef struct stc_hello_rd {
    stc_hello_ans_t ans;
    stc_hello_cert_fn cert_cb; /* optional */
    void *cert_ctx;
    /* private */
    uint32_t acc;         /* gathered value */
    uint32_t skip;        /* bytes left to skip or stream */
    uint32_t skip_total;  /* length of the field being skipped */
    uint32_t lim[4];      /* bytes left in each open scope */
    uint16_t rlen;        /* record bytes left */
    uint16_t cur_cert;    /* index of the certificate being streamed */
    uint16_t a16, b16;    /* SSLv2: cipher specs left, connection-id length */
    int8_t err;           /* STC_EAGAIN while reading; then the sticky result */
    uint8_t mode;         /* sniffing, TLS, SSLv2, text */
    uint8_t rst;          /* record state: header or body */
    uint8_t rhave;        /* record header bytes gathered */
    uint8_t rhdr[5];
    uint8_t rtype;
    uint8_t alert[2], ahave;
    uint8_t st, req, need, got; /* field machine: state, request, gather */
    uint8_t skip_mode;
    uint8_t depth;        /* open scopes */
    uint8_t end_st[4];    /* state to run when each scope ends */
    uint8_t mrank;        /* rank of the last message after ServerHello */
    uint8_t nmsgs;        /* handshake messages read */
    uint8_t cnt;          /* items left / found flag, per state */
    uint8_t rand_ok;      /* HRR (bit 0) / downgrade (bit 1) still matching */
    uint8_t textlen;
} stc_hello_rd_t;

/* Probing state of a task (src/probe.c): what was offered last, what is
 * still open, and the bounds. The facts go to the address result. */
typedef struct stc_probe_run {
    uint8_t on;          /* probing: the main session is over */
    uint8_t cur;         /* probe kind in flight (STC_PK_*) */
    uint16_t done;       /* bit k: probe kind k has nothing more to ask */
    uint8_t budget;      /* probe sessions allowed */
    uint8_t used;        /* probe sessions run */
    uint8_t reduced;     /* the greeting was slow: fewer probes */
    uint8_t cut;         /* a bound stopped the probes (STC_PCUT_*) */
    uint8_t want_cert;   /* the main handshake failed: judge a probe's chain */
    uint8_t main_failed; /* the main handshake failed (tls_handshake_failed) */
    uint8_t retried;     /* probe sessions retried after a provoked 421 */
    uint8_t stalls;      /* answers that stopped after their ServerHello */
    uint8_t o_classes;   /* offered: weak classes (STC_PC_*) */
    uint8_t o_groups;    /* offered: groups (STC_PG_*) */
    uint8_t o_dhe;       /* offered: the DHE suites */
    uint8_t dhe;         /* DHE: 0 unknown, 1 accepted, 2 refused */
    uint16_t o_version;  /* offered: highest version */
    uint8_t sh_within;   /* a probe's ServerHello our TLS library could complete */
    uint8_t sh_beyond;   /* one it could not (a version or suite it lacks) */
    uint16_t greet_ms;   /* slowest greeting seen */
} stc_probe_run_t;

/* Digests of one peer certificate, taken as the chain arrives (DANE,
 * RFC 6698 2.1.2/2.1.3): SHA-256 of the certificate and of its
 * SubjectPublicKeyInfo, and SHA-256 of their SHA-512 (so one 32-byte
 * comparison serves every matching type). */
typedef struct stc_cert_digest {
    uint8_t d[4][32]; /* cert, spki, sha512(cert), sha512(spki) */
} stc_cert_digest_t;

typedef struct stc_chain_facts {
    uint8_t n;        /* certificates digested, leaf first */
    uint8_t linked;   /* bit i: signatures verified from the leaf up to cert i */
    uint8_t dated;    /* bit i: cert i is within its validity */
    uint8_t cut;      /* the peer sent more than STC_CHAIN_MAX certificates */
    stc_cert_digest_t c[STC_CHAIN_MAX];
} stc_chain_facts_t;

/* What the sessions to one (address, port, SNI) learnt; copied into every
 * job that waits for it. */
/* How an MTA-STS policy fetch ended (stc_sts_fetch_t.end). */
enum stc_sts_end {
    STC_STS_E_NONE = 0,  /* not run */
    STC_STS_E_READ,      /* a response was read (whole or not: see http_result) */
    STC_STS_E_CONNECT,   /* no TCP connection */
    STC_STS_E_TLS,       /* the TLS handshake failed */
    STC_STS_E_TIMEOUT,   /* the fetch's deadline passed */
    STC_STS_E_IO,        /* the connection failed while sending or reading */
    STC_STS_E_OURS       /* our own limit (arena, socket) */
};

/* What an MTA-STS policy fetch learnt (a task's; the job judges it). */
typedef struct stc_sts_fetch {
    uint8_t end;          /* enum stc_sts_end */
    uint8_t http_result;  /* enum stc_http_result (src/policy.h) */
    uint8_t mtype;        /* enum stc_http_mtype */
    uint8_t mode;         /* enum stc_sts_mode; 0 when the body was not parsed */
    uint16_t http_status; /* 0 when no status line was read */
    uint16_t problems;    /* STC_STS_P_* of the body */
    uint32_t max_age, body_len;
    uint16_t mx_count, mx_bad; /* mx lines, of which invalid */
    uint32_t matched;     /* bit hi: MX host hi of the asking job matches a pattern */
    uint8_t nmx;          /* patterns kept in mx[] */
    char mx[STC_STS_MX_KEEP][STC_NAME_MAX + 3];
} stc_sts_fetch_t;

typedef struct stc_session {
    stc_addr_result_t a; /* texts below, not in a pool yet */
    char banner[STC_BANNER_MAX];
    char subject[STC_CERT_TEXT_MAX], issuer[STC_CERT_TEXT_MAX];
    stc_chain_facts_t chain;
    stc_sts_fetch_t sts;  /* an HTTPS task's policy fetch */
} stc_session_t;

/* A session task: the work on one (address, port, SNI), shared by the
 * jobs waiting for it. */
typedef struct stc_task {
    uint8_t state;       /* free, waiting for a slot, running, done */
    uint8_t implicit_tls;
    uint8_t retries;     /* provoked 421s retried */
    uint8_t nomem;       /* handshakes retried after the arena ran short */
    uint16_t port;
    stc_ip_t ip;
    uint32_t not_before; /* do not start before this time (retry wait) */
    uint32_t started;
    stc_wait_t *waiters;
    char sni[STC_NAME_MAX + 1]; /* reference name and SNI; "" = none */
    stc_probe_run_t pr;  /* the TLS probes after the main session */
    stc_session_t s;
} stc_task_t;

/* One live connection (an SMTP session, with TLS once started). */
typedef struct stc_conn {
    uint8_t state, used, task;
    uint8_t implicit_tls, want; /* want: STC_WANT_* for the pollset */
    uint8_t others;    /* other sessions to this address open when it began */
    uint8_t judged;    /* the chain was judged: 1 done, 2 ran out of arena */
    void *chain;       /* the peer chain, copied into the arena until judged */
    uint8_t end;       /* how it ended (STC_END_*, engine.h) */
    uint16_t warn_days;
    int sock;
    const stc_port_t *port; /* for wolfSSL's I/O callbacks */
    stc_session_t *s;  /* where the findings go */
    const char *sni;
    uint32_t deadline; /* of the current phase */
    uint32_t started;
    void *ssl;         /* WOLFSSL * while TLS is up */
    uint16_t rxlen, txlen, txoff;
    union {
        stc_reply_t reply;    /* the SMTP dialogue */
        stc_hello_rd_t hello; /* a probe's answer, after STARTTLS */
        struct {              /* an MTA-STS policy fetch */
            stc_http_t http;
            stc_sts_policy_t pol;
            void *eng;        /* the engine (for the asking job's MX hosts) */
        } sts;
    } u;
    uint8_t probe;     /* STC_PK_* of a probe session, 0 = the main session */
    uint8_t pout;      /* a probe session's outcome (STC_PO_*, src/probe.h) */
    uint8_t sh_whole;  /* a probe's ServerHello is read: the flight's grace runs */
    uint8_t capture;   /* `chain` holds certificates captured by a probe */
    uint8_t rx[STC_RXBUF];
    uint8_t tx[STC_TXBUF]; /* an SMTP command, a ClientHello or an HTTP request */
} stc_conn_t;

/* One DNS question in flight; the jobs waiting for its answer. */
typedef struct stc_dnsq {
    uint8_t state, tcp;
    uint8_t tries, res_idx;
    uint8_t ad;       /* the answer's AD bit, from a resolver we trust */
    uint8_t ad_ignored; /* AD was set by a resolver we do not trust */
    uint8_t cd;       /* asked with CD=1 (checking disabled: tells bogus apart) */
    uint8_t want;     /* STC_WANT_* for the pollset */
    uint8_t sock_family; /* family of the open UDP socket */
    uint8_t rcode;    /* of the answer, when done */
    int8_t err;       /* stc_err_t of the query when it failed */
    uint16_t id, qtype;
    int sock;
    uint32_t deadline, retry_at;
    uint16_t len, off;
    stc_wait_t *waiters;
    char qname[STC_NAME_MAX + 1];
    uint8_t msg[STC_DNS_MSG_MAX];
} stc_dnsq_t;

/* A usable TLSA record, reduced to 32 bytes: matching type 1 as
 * published; types 0 and 2 as the SHA-256 of their data, compared with
 * the SHA-256 of the certificate (or SPKI) and of its SHA-512
 * (stc_cert_digest_t). */
typedef struct stc_tlsa_key {
    uint8_t usage, selector, mtype;
    uint8_t key[32];
} stc_tlsa_key_t;

/* Per-host lookup state of a job. */
typedef struct stc_jhost {
    uint8_t need;     /* lookups not yet asked: bit 0 A, bit 1 AAAA */
    uint8_t inflight; /* lookups asked and not yet answered */
    uint8_t looked;   /* A and AAAA lookups both finished */
    int8_t err;       /* worst lookup error (stc_err_t), 0 none */
    uint8_t rcode;    /* a non-zero RCODE seen, 0 none */
    uint8_t insecure; /* some A/AAAA answer lacked the AD bit (or failed) */
    uint8_t hops;     /* CNAME links followed (the target is the host's cname) */
    uint16_t asked;   /* bit a: a session for address a was asked for */
    uint8_t dane_st;  /* TLSA: 0 to ask, 1 asked, 2 known */
    uint8_t tlsa_at;  /* asked at: 0 the CNAME target, 1 the MX name, 2 again with CD */
    uint8_t ntlsa;    /* usable records kept in tlsa[] */
    stc_tlsa_key_t tlsa[STC_TLSA_MAX];
} stc_jhost_t;

typedef void (*stc_done_fn)(void *ctx, struct stc_job *j);

/* A job: one domain or relay check. */
typedef struct stc_job {
    struct stc_job *next; /* the engine's list of jobs in flight */
    uint8_t state, running;
    uint8_t implicit_tls;
    uint8_t mx_hops;   /* CNAME links followed for the MX lookup */
    uint8_t txt_need;  /* policy TXT lookups not yet asked: bit 0 _mta-sts, bit 1 _smtp._tls */
    uint8_t sts_st;    /* MTA-STS policy fetch: 0 none, else job_sts.c's states */
    stc_ip_t sts_ip;   /* the policy host's address */
    stc_text_t mx_target; /* the CNAME target the MX question follows, 0 = none */
    uint16_t port;
    uint32_t started;
    const char *const *patterns;
    size_t npatterns;
    stc_wait_t w[STC_JOB_WAITS];
    stc_jhost_t hs[STC_MAX_MX];
    stc_domain_result_t result;
} stc_job_t;

/* How a cache entry stands for eviction (src/cache_rule.c: one rule for
 * the session, DNS and certificate caches). */
typedef struct stc_cache_use {
    uint8_t used;      /* holds something */
    uint8_t reused;    /* answered a later ask: kept before one-off entries */
    uint32_t at;       /* stc_now() when it was stored (its age) */
    uint32_t last;     /* cache_seq when it was last used (the eviction order:
                          a count, not the clock, which ties within a ms) */
} stc_cache_use_t;

/* A finished session task kept for reuse (STC_CACHE_SESSIONS). */
typedef struct stc_cache_ent {
    stc_cache_use_t u;
    uint8_t implicit_tls;
    uint16_t port;
    stc_ip_t ip;
    char sni[STC_NAME_MAX + 1];
    stc_session_t s;
} stc_cache_ent_t;

/* A finished DNS answer kept for reuse within its TTL (STC_CACHE_DNS). */
typedef struct stc_dns_cache_ent {
    stc_cache_use_t u;
    uint8_t cd, ad, ad_ignored, res_idx, rcode;
    uint16_t readers;  /* waiters it is still to be delivered to: not evicted */
    uint16_t qtype, id, len;
    uint32_t keep_ms;  /* its lifetime: the least TTL, at most cache_age */
    char qname[STC_NAME_MAX + 1];
    uint8_t msg[STC_DNS_CACHE_MSG];
} stc_dns_cache_ent_t;

/* A judged certificate chain kept for reuse (STC_CACHE_CERTS): what
 * cert.c learnt, keyed by the SHA-256 of the chain; the reference name is
 * checked anew for each use and its finding goes in at name_at. */
#define STC_CERT_FOUND_MAX 16
typedef struct stc_cert_found {
    uint16_t code;
    int32_t detail;
} stc_cert_found_t;
typedef struct stc_cert_cache_ent {
    stc_cache_use_t u;
    uint8_t nfound;
    int8_t name_at; /* findings before the name's place; -1: no name check */
    uint8_t key[32];
    stc_cert_info_t info;
    stc_chain_facts_t chain;
    char subject[STC_CERT_TEXT_MAX], issuer[STC_CERT_TEXT_MAX];
    stc_cert_found_t found[STC_CERT_FOUND_MAX];
} stc_cert_cache_ent_t;

/* An address that answered us with a 421 we provoked: one session at a time. */
typedef struct stc_throttle {
    stc_ip_t ip;
    uint32_t until;
} stc_throttle_t;

typedef struct stc_engine {
    const stc_port_t *port;
    stc_options_t opt;
    uint8_t nres;
    stc_ip_t res[STC_MAX_RESOLVERS];
    stc_job_t *jobs;   /* in flight */
    stc_done_fn done;
    void *done_ctx;
    uint16_t sockets;  /* open right now */
    uint32_t sessions; /* SMTP sessions opened since init */
    stc_throttle_t thr[STC_MAX_THROTTLE];
    uint32_t cache_hits; /* sessions answered from the cache since init */
    uint32_t dns_queries; /* DNS questions sent to a resolver since init */
    uint32_t dns_hits;   /* DNS answers taken from the cache since init */
    uint32_t cache_seq;  /* cache entries stored or used so far: their age order */
    uint32_t cert_hits;  /* certificate chains judged from the cache since init */
    stc_wait_t *dns_ready; /* waiters answered from the DNS cache, delivered next step */
    uint8_t more;        /* the last step stopped while work still moved: poll, don't sleep */
#if STC_CACHE_SESSIONS > 0
    stc_cache_ent_t cache[STC_CACHE_SESSIONS];
#endif
#if STC_CACHE_DNS > 0
    stc_dns_cache_ent_t dcache[STC_CACHE_DNS];
#endif
#if STC_CACHE_CERTS > 0
    stc_cert_cache_ent_t ccache[STC_CACHE_CERTS];
#endif
    stc_task_t task[STC_MAX_TASKS];
    stc_dnsq_t dns[STC_MAX_DNS];
    stc_conn_t conn[STC_MAX_CONN];
} stc_engine_t;

/* The blocking convenience: an engine and one job. */
typedef struct stc_check {
    stc_engine_t eng;
    stc_job_t job;
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

/* ---- The engine and its jobs -------------------------------------------- */

/* Prepare an engine over a port. opt may be NULL for the defaults. Reads
 * the resolver list once. STC_OK, or STC_EINVAL (bad port table, or no
 * resolver at all). */
int stc_engine_init(stc_engine_t *e, const stc_port_t *port, const stc_options_t *opt);

/* Call fn(ctx, job) as each job ends, from inside stc_engine_step(). fn
 * may read the result and may start a new job on the same stc_job_t (or
 * any other); it must not free the engine. NULL to stop. */
void stc_engine_on_done(stc_engine_t *e, stc_done_fn fn, void *ctx);

/* Start checking a mail domain (A-labels, trailing dot optional) on job j
 * (caller-owned, any previous content discarded). patterns: expected MX
 * host names ("mx.example.org", "*.example.org" or ".example.org"),
 * caller-owned until the job ends; NULL/0 for none. STC_OK (running), or
 * STC_EINVAL when the name is not a valid A-label name: the job is then
 * done at once with a result saying why (and fn of stc_engine_on_done is
 * called with it). */
int stc_job_domain(stc_engine_t *e, stc_job_t *j, const char *domain,
                   const char *const *patterns, size_t npatterns);

/* Start checking one relay: host name or IP literal, port (25/587 with
 * STARTTLS, or implicit_tls for 465). As stc_job_domain otherwise. */
int stc_job_host(stc_engine_t *e, stc_job_t *j, const char *host, uint16_t port,
                 int implicit_tls);

/* Do all work possible without blocking, for every job. STC_EAGAIN: jobs
 * are still running (wait on stc_engine_pollset(), then step again);
 * STC_OK: no job is running. */
int stc_engine_step(stc_engine_t *e);

/* Sockets to wait on and how long (ms) until the next deadline. At most
 * max entries are written (STC_MAX_CONN + STC_MAX_DNS always suffice). */
size_t stc_engine_pollset(const stc_engine_t *e, stc_pollfd_t *fds, size_t max,
                          uint32_t *timeout_ms);

/* Blocking convenience: step + the port's wait until no job runs.
 * STC_OK, or the port's error from wait() (every running job then ends
 * with an internal_error finding). */
int stc_engine_run(stc_engine_t *e);

/* 1 when the job has ended (its result is complete). */
int stc_job_done(const stc_job_t *j);
const stc_domain_result_t *stc_job_result(const stc_job_t *j);

/* End a running job now: it leaves every wait, its result says
 * "cancelled" (status error, exit code 3) and fn of stc_engine_on_done is
 * not called. Work other jobs share goes on. A no-op on an ended job. */
void stc_job_cancel(stc_engine_t *e, stc_job_t *j);

/* Cancel every job and close every socket and TLS session. Safe twice. */
void stc_engine_free(stc_engine_t *e);

/* SMTP sessions opened since stc_engine_init (all jobs). */
uint32_t stc_engine_sessions(const stc_engine_t *e);

/* ---- One check (an engine and one job) ----------------------------------- */

int stc_check_init(stc_check_t *c, const stc_port_t *port, const stc_options_t *opt);
int stc_check_domain_start(stc_check_t *c, const char *domain,
                           const char *const *patterns, size_t npatterns);
int stc_check_host_start(stc_check_t *c, const char *host, uint16_t port, int implicit_tls);
/* STC_EAGAIN: call again after waiting on stc_check_pollset(); STC_OK: done. */
int stc_check_step(stc_check_t *c);
size_t stc_check_pollset(const stc_check_t *c, stc_pollfd_t *fds, size_t max,
                         uint32_t *timeout_ms);
int stc_check_run(stc_check_t *c);
const stc_domain_result_t *stc_check_result(const stc_check_t *c);
void stc_check_free(stc_check_t *c);

/* ---- Naming and reports -------------------------------------------------- */

const char *stc_domain_status_text(unsigned s); /* "success", "no_starttls", ... */
const char *stc_status_text(int s);             /* "success" .. "error", "skipped", "not_applicable" */
const char *stc_check_name(unsigned id);        /* "connectivity", ... */
const char *stc_reach_text(unsigned r);
const char *stc_dane_text(unsigned d);          /* "valid", "tlsa-absent", ... */
const char *stc_err_text(int err);
const char *stc_tls_version_text(uint16_t v);   /* "TLSv1.3", ... */
/* IANA name of a cipher suite ("TLS_AES_128_GCM_SHA256"); "" when unknown
 * or when the build carries no names (STC_LONG_TEXT 0). */
const char *stc_suite_name(uint16_t id);
/* Name of a group ("X25519", "secp256r1", "ffdhe2048", "DHE-1024"); buf
 * needs 16 bytes. */
const char *stc_group_name(uint16_t id, char *buf, size_t cap);
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

/* One JSON object on one line, then "\n" (JSON Lines). Returns 0, or the
 * sink's non-zero when a write failed (the rest is not attempted). */
int stc_report_json(const stc_domain_result_t *r, stc_write_fn w, void *ctx);
/* The same with "input_line": N after schema_version (N > 0; 0 = none),
 * for bulk runs whose results are written as they finish. */
int stc_report_json_line(const stc_domain_result_t *r, unsigned long input_line,
                         stc_write_fn w, void *ctx);
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
