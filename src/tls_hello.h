/* tls_hello.h - hand-built ClientHello probes and a streaming reader of the
 * server's answer (private to the core; issue 9's probe layer)
 *
 * Why: Debian's wolfSSL cannot offer SSLv2/SSLv3/TLS 1.0, static RSA or
 * EXPORT suites, and a full handshake per question costs ~100 KB of arena
 * and several round trips. A probe sends one ClientHello built here and
 * reads the answer up to ServerHelloDone (TLS <= 1.2), the ServerHello or
 * HelloRetryRequest (TLS 1.3), an alert, an SSLv2 SERVER-HELLO, or text.
 * No key exchange and no crypto happens in this layer.
 *
 * Four parts:
 * - tls_suites.c: one const table of cipher suites (sorted by IANA id,
 *   binary search) with key exchange, authentication, bulk cipher and the
 *   class flags derived from them; lists per question derived from it.
 * - tls_hello.c: the ClientHello builder (TLS and SSLv2) into a stc_wbuf_t.
 * - tls_hello_rd.c: the answer reader, fed with whatever bytes arrived.
 * - tls_classify.c: one table grading versions, suites, groups, DH sizes,
 *   certificate keys and signature hashes (NCSC-NL TLS guidelines v2.1).
 *
 * Memory: nothing allocates; the reader state is one fixed-size struct the
 * caller owns (stc_hello_rd_t); builders write into the caller's buffer.
 */
#ifndef STC_TLS_HELLO_H
#define STC_TLS_HELLO_H

#include "stc/stc.h"
#include "buf.h"

/* ---- protocol numbers ---------------------------------------------------- */

#define STC_V_SSL2 0x0002u
#define STC_V_SSL3 0x0300u
#define STC_V_TLS10 0x0301u
#define STC_V_TLS11 0x0302u
#define STC_V_TLS12 0x0303u
#define STC_V_TLS13 0x0304u

/* Signalling suite values (RFC 5746 3.3, RFC 7507 2): not in the table. */
#define STC_SCSV_RENEG 0x00FFu
#define STC_SCSV_FALLBACK 0x5600u

/* Named groups (RFC 8422 5.1.1, RFC 7919 2, RFC 8446 4.2.7). */
#define STC_GROUP_P256 23u
#define STC_GROUP_P384 24u
#define STC_GROUP_P521 25u
#define STC_GROUP_X25519 29u
#define STC_GROUP_X448 30u
#define STC_GROUP_FFDHE2048 256u
#define STC_GROUP_FFDHE3072 257u
#define STC_GROUP_FFDHE4096 258u
#define STC_GROUP_FFDHE6144 259u
#define STC_GROUP_FFDHE8192 260u

/* Alert descriptions the engine reports by name (RFC 8446 6). */
#define STC_ALERT_CLOSE_NOTIFY 0u
#define STC_ALERT_HANDSHAKE_FAILURE 40u
#define STC_ALERT_PROTOCOL_VERSION 70u
#define STC_ALERT_INAPPROPRIATE_FALLBACK 86u
#define STC_ALERT_LEVEL_WARNING 1u
#define STC_ALERT_LEVEL_FATAL 2u

/* ---- cipher suites (src/tls_suites.c) ------------------------------------ */

/* Key exchange. */
enum {
    STC_KX_RSA = 1,   /* static RSA key transport (incl. RSA_EXPORT) */
    STC_KX_DH,        /* static DH (certificate) */
    STC_KX_DHE,
    STC_KX_ECDH,      /* static ECDH (certificate) */
    STC_KX_ECDHE,
    STC_KX_DH_ANON,
    STC_KX_ECDH_ANON,
    STC_KX_PSK,
    STC_KX_RSA_PSK,
    STC_KX_DHE_PSK,
    STC_KX_ECDHE_PSK,
    STC_KX_SRP,
    STC_KX_KRB5,
    STC_KX_TLS13      /* negotiated by key_share, not by the suite */
};

/* Authentication. */
enum {
    STC_AU_RSA = 1, STC_AU_DSS, STC_AU_ECDSA, STC_AU_NONE, STC_AU_PSK,
    STC_AU_SRP, STC_AU_KRB5, STC_AU_ANY /* TLS 1.3: by signature_algorithms */
};

/* Bulk cipher; STC_ENC_EXPORT is or-ed in for the export-grade variants
 * (then `keybytes` is 5 for 40 bits, 7 for 56 bits). */
enum {
    STC_ENC_NULL = 1, STC_ENC_RC4, STC_ENC_RC2, STC_ENC_DES, STC_ENC_3DES,
    STC_ENC_IDEA, STC_ENC_SEED, STC_ENC_AES_CBC, STC_ENC_AES_GCM, STC_ENC_AES_CCM,
    STC_ENC_CHACHA20, STC_ENC_CAMELLIA_CBC, STC_ENC_CAMELLIA_GCM,
    STC_ENC_ARIA_CBC, STC_ENC_ARIA_GCM
};
#define STC_ENC_EXPORT 0x80u
#define STC_ENC_BASE(e) ((e) & 0x7fu)

/* MAC (or the PRF hash of an AEAD suite). */
enum { STC_MAC_MD5 = 1, STC_MAC_SHA1, STC_MAC_SHA256, STC_MAC_SHA384, STC_MAC_AEAD };

typedef struct stc_suite {
    uint16_t id;       /* IANA TLS Cipher Suites registry value */
    uint8_t kx;        /* STC_KX_* */
    uint8_t au;        /* STC_AU_* */
    uint8_t enc;       /* STC_ENC_* [| STC_ENC_EXPORT] */
    uint8_t keybytes;  /* effective key length in bytes (3DES: 21 = 168 bits) */
    uint8_t mac;       /* STC_MAC_* */
#if STC_LONG_TEXT
    const char *name;  /* IANA name ("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256") */
#endif
} stc_suite_t;

/* Class flags, derived from kx/au/enc/mac (never stored twice). */
#define STC_SF_NULL 0x0001u        /* no encryption */
#define STC_SF_EXPORT 0x0002u      /* 40/56-bit export grade */
#define STC_SF_ANON 0x0004u        /* no server authentication (DH_anon, ECDH_anon) */
#define STC_SF_RC4 0x0008u
#define STC_SF_DES 0x0010u         /* single DES (export or not) */
#define STC_SF_3DES 0x0020u
#define STC_SF_STATIC_RSA 0x0040u  /* RSA key transport: no forward secrecy */
#define STC_SF_CBC 0x0080u         /* a block cipher in CBC mode */
#define STC_SF_AEAD 0x0100u
#define STC_SF_FS 0x0200u          /* ephemeral key exchange (forward secrecy) */
#define STC_SF_TLS13 0x0400u       /* a TLS 1.3 suite (TLS 1.3 only) */
#define STC_SF_TLS12 0x0800u       /* needs TLS 1.2 (SHA-256/384 MAC or AEAD) */
#define STC_SF_PSK 0x1000u         /* needs a pre-shared key (PSK, SRP, KRB5) */
#define STC_SF_STATIC_DH 0x2000u   /* static (EC)DH from the certificate */

/* The suite with IANA id `id`, or NULL. O(log n). */
const stc_suite_t *stc_suite_find(uint16_t id);
/* Class flags of a suite (STC_SF_*); 0 for NULL. */
uint32_t stc_suite_flags(const stc_suite_t *s);
/* IANA name, or "" when STC_LONG_TEXT is 0 or the suite is unknown. */
const char *stc_suite_name(uint16_t id);
/* The table itself (sorted by id, no duplicates) and its length. */
const stc_suite_t *stc_suite_table(size_t *n);

/* Ids of the suites whose flags contain at least one bit of `any` (every
 * suite when any == 0) and no bit of `none`, in table (id) order. Writes at
 * most cap ids; returns how many match (may exceed cap: the caller sees the
 * list did not fit). Examples: every NULL suite: (STC_SF_NULL, 0); every
 * weak suite a TLS 1.0 server can pick: (NULL|EXPORT|ANON|RC4|DES|3DES,
 * TLS12|TLS13|PSK). */
size_t stc_suites_select(uint16_t *out, size_t cap, uint32_t any, uint32_t none);

/* SSLv2 cipher kinds (RFC 6101 appendix E / the SSLv2 draft), 3 bytes. */
#define STC_SSL2_RC4_128_WITH_MD5 0x010080u
#define STC_SSL2_RC4_128_EXPORT40_WITH_MD5 0x020080u
#define STC_SSL2_RC2_128_CBC_WITH_MD5 0x030080u
#define STC_SSL2_RC2_128_CBC_EXPORT40_WITH_MD5 0x040080u
#define STC_SSL2_IDEA_128_CBC_WITH_MD5 0x050080u
#define STC_SSL2_DES_64_CBC_WITH_MD5 0x060040u
#define STC_SSL2_DES_192_EDE3_CBC_WITH_MD5 0x0700C0u
/* All seven, for the SSLv2 probe. */
extern const uint32_t stc_ssl2_specs[7];

/* ---- ClientHello builder (src/tls_hello.c) ------------------------------- */

/* Extensions and extras, chosen by flags. */
#define STC_HX_SNI 0x0001u            /* server_name (skipped for an IP literal) */
#define STC_HX_GROUPS 0x0002u         /* supported_groups (spec.groups) */
#define STC_HX_POINT_FORMATS 0x0004u  /* ec_point_formats: uncompressed */
#define STC_HX_SIG_ALGS 0x0008u       /* signature_algorithms: fixed list */
#define STC_HX_RENEG_INFO 0x0010u     /* renegotiation_info, empty */
#define STC_HX_EMS 0x0020u            /* extended_master_secret */
#define STC_HX_VERSIONS 0x0040u       /* supported_versions (spec.versions) */
#define STC_HX_KEY_SHARE 0x0080u      /* key_share: empty, or spec.x25519 */
#define STC_HX_PSK_MODES 0x0100u      /* psk_key_exchange_modes: psk_dhe_ke */
#define STC_HF_RENEG_SCSV 0x1000u     /* TLS_EMPTY_RENEGOTIATION_INFO_SCSV */
#define STC_HF_FALLBACK_SCSV 0x2000u  /* TLS_FALLBACK_SCSV (last in the list) */
#define STC_HF_DEFLATE 0x4000u        /* offer DEFLATE compression before null */

/* What to offer. Arrays are the caller's; nothing is kept after the call. */
typedef struct stc_hello_spec {
    uint16_t record_version; /* TLSPlaintext.legacy_record_version (0x0301) */
    uint16_t client_version; /* ClientHello.legacy_version (max for <= 1.2) */
    const uint8_t *random;   /* 32 bytes, from the caller's RNG */
    const uint16_t *suites;  /* suite ids in preference order */
    size_t nsuites;          /* 1..: at least one suite or SCSV */
    const uint16_t *groups;  /* supported_groups, preference order */
    size_t ngroups;
    const uint16_t *versions; /* supported_versions, preference order */
    size_t nversions;
    const char *sni;         /* host name, or NULL; an IP literal sends none */
    const uint8_t *x25519;   /* 32-byte x25519 share, or NULL: empty key_share */
    uint32_t flags;          /* STC_HX_* | STC_HF_* */
} stc_hello_spec_t;

/* Append one TLS record holding a ClientHello for spec to w.
 * STC_OK; STC_EINVAL (no suites, no random, a list too long for its
 * vector, a bad SNI name, versions/groups flag without a list);
 * STC_ETOOLONG when it does not fit: w is then bad (sticky) and nothing
 * past its capacity was written. */
int stc_hello_build(stc_wbuf_t *w, const stc_hello_spec_t *spec);

/* Append an SSLv2 CLIENT-HELLO (2-byte record header) offering `specs`
 * (3-byte cipher kinds; TLS suites as 0x00XXXX), version `version`
 * (0x0002 for the SSLv2 probe), no session id, and challenge[0..clen)
 * (16..32 bytes). STC_OK, STC_EINVAL, STC_ETOOLONG as above. */
int stc_hello_build_v2(stc_wbuf_t *w, uint16_t version, const uint32_t *specs,
                       size_t nspecs, const uint8_t *challenge, size_t clen);

/* ---- the answer reader (src/tls_hello_rd.c) ------------------------------ */

/* What the answer was (ans.kind). */
enum {
    STC_ANS_NONE = 0,
    STC_ANS_HELLO,       /* ServerHello (<= 1.2: through ServerHelloDone) */
    STC_ANS_HRR,         /* HelloRetryRequest (TLS 1.3) */
    STC_ANS_ALERT,       /* a fatal alert (or close_notify) */
    STC_ANS_SSL2,        /* SSLv2 SERVER-HELLO */
    STC_ANS_SSL2_ERROR,  /* SSLv2 ERROR message */
    STC_ANS_TEXT         /* not TLS: printable text (e.g. "454 4.7.0 ...") */
};

/* Why the reader stopped with STC_EPROTO / STC_ERESET (ans.why). */
enum {
    STC_HW_NONE = 0,
    STC_HW_NOT_TLS,      /* first byte neither TLS, SSLv2 nor text */
    STC_HW_RECORD,       /* bad record header (type, version) */
    STC_HW_OVERFLOW,     /* record longer than 2^14 */
    STC_HW_EMPTY,        /* zero-length handshake or alert record */
    STC_HW_UNEXPECTED,   /* a message or record not allowed here */
    STC_HW_LENGTH,       /* a length that does not fit its enclosing one */
    STC_HW_FIELD,        /* a field value the RFC forbids */
    STC_HW_DUP_EXT,      /* an extension twice in the ServerHello */
    STC_HW_TRUNCATED     /* EOF inside the answer (STC_ERESET) */
};

/* Which of our bounds stopped the reader with STC_ETOOLONG (ans.limit):
 * the checker's limit, never the server's fault. */
enum { STC_HLIM_NONE = 0, STC_HLIM_ANSWER, STC_HLIM_MSGS };

/* ans.flags */
#define STC_HA_SH_DONE 0x0001u     /* a complete ServerHello was read */
#define STC_HA_TLS13 0x0002u       /* supported_versions selected TLS 1.3 */
#define STC_HA_HRR 0x0004u         /* the HelloRetryRequest random */
#define STC_HA_RENEG 0x0008u       /* renegotiation_info present... */
#define STC_HA_RENEG_OK 0x0010u    /* ...and its renegotiated_connection empty */
#define STC_HA_EMS 0x0020u         /* extended_master_secret present */
#define STC_HA_KEY_SHARE 0x0040u   /* key_share present (ans.group) */
#define STC_HA_POINT_FMT 0x0080u   /* ec_point_formats present (ans.point_formats) */
#define STC_HA_VERSIONS 0x0100u    /* supported_versions present */
#define STC_HA_DOWNGRADE 0x0200u   /* random ends "DOWNGRD\x01" or "\x00" (RFC 8446 4.1.3) */
#define STC_HA_CERT 0x0400u        /* a Certificate message was read */
#define STC_HA_SKX 0x0800u         /* a ServerKeyExchange was read */
#define STC_HA_CERT_REQ 0x1000u    /* CertificateRequest */
#define STC_HA_STATUS 0x2000u      /* CertificateStatus (OCSP stapling) */
#define STC_HA_DONE 0x4000u        /* ServerHelloDone */
#define STC_HA_WARNING 0x8000u     /* a warning alert was read (ans.warn_desc) */

/* ans.skx_kind */
enum { STC_SKX_NONE = 0, STC_SKX_DH, STC_SKX_ECDH, STC_SKX_RSA, STC_SKX_OTHER };

/* ServerHello extensions seen (ans.ext_mask), one bit per known type. */
#define STC_HE_SERVER_NAME 0x0001u
#define STC_HE_MAX_FRAGMENT 0x0002u
#define STC_HE_STATUS_REQUEST 0x0004u
#define STC_HE_POINT_FORMATS 0x0008u
#define STC_HE_HEARTBEAT 0x0010u
#define STC_HE_ALPN 0x0020u
#define STC_HE_SCT 0x0040u
#define STC_HE_ETM 0x0080u
#define STC_HE_EMS 0x0100u
#define STC_HE_TICKET 0x0200u
#define STC_HE_PSK 0x0400u
#define STC_HE_VERSIONS 0x0800u
#define STC_HE_COOKIE 0x1000u
#define STC_HE_KEY_SHARE 0x2000u
#define STC_HE_RENEG 0x4000u
#define STC_HE_GROUPS 0x8000u
#define STC_HE_OTHER 0x80000000u  /* any type not listed (may repeat) */

/* stc_hello_cert_fn, stc_hello_ans_t and stc_hello_rd_t are in stc/stc.h
 * (private layout: a connection slot holds a reader). */

/* Start reading a new answer; cb (may be NULL) receives certificate bytes. */
void stc_hello_rd_init(stc_hello_rd_t *r, stc_hello_cert_fn cb, void *ctx);

/* Feed received bytes p[0..n). *used = bytes consumed; after STC_OK the
 * rest (a TLS 1.3 server's ChangeCipherSpec and encrypted records, say)
 * belongs to the caller. Returns STC_EAGAIN (need more; all consumed),
 * STC_OK (r->ans complete), STC_EPROTO (r->ans.why), STC_ETOOLONG
 * (r->ans.limit: our bound). Errors and STC_OK are sticky. */
int stc_hello_rd_feed(stc_hello_rd_t *r, const uint8_t *p, size_t n, size_t *used);

/* The peer closed the connection. STC_OK when the answer was complete (or
 * was text); STC_ECLOSED when nothing at all arrived; STC_ERESET with
 * why = STC_HW_TRUNCATED when it stopped inside the answer (flags tell how
 * far: STC_HA_SH_DONE means the ServerHello itself was whole). */
int stc_hello_rd_eof(stc_hello_rd_t *r);

/* ---- classification (src/tls_classify.c) -------------------------------- */

/* NCSC-NL TLS guidelines v2.1 levels. */
typedef enum stc_grade {
    STC_GRADE_GOOD = 0,
    STC_GRADE_SUFFICIENT,
    STC_GRADE_PHASE_OUT,
    STC_GRADE_INSUFFICIENT
} stc_grade_t;

/* Subjects of the classification table. */
enum {
    STC_CL_VERSION = 1, /* wire version */
    STC_CL_SUITE,       /* suite class flags (+ bulk cipher) */
    STC_CL_GROUP,       /* named group id */
    STC_CL_DH_BITS,     /* finite-field DH prime size */
    STC_CL_RSA_BITS,    /* certificate RSA key size */
    STC_CL_EC_BITS,     /* certificate EC key size */
    STC_CL_KEY_TYPE,    /* certificate key type (stc_cert_info_t.key_type) */
    STC_CL_SIG_HASH     /* signature hash (stc_cert_info_t.sig_hash) */
};

stc_grade_t stc_grade_version(uint16_t version);
stc_grade_t stc_grade_suite(uint16_t id);  /* unknown ids: insufficient */
stc_grade_t stc_grade_group(uint16_t group);
stc_grade_t stc_grade_dh_bits(unsigned bits);
/* key_type / sig_hash as in stc_cert_info_t; bits = key size. */
stc_grade_t stc_grade_cert_key(uint8_t key_type, unsigned bits);
stc_grade_t stc_grade_sig_hash(uint8_t sig_hash);
/* good/sufficient -> STC_SUCCESS, phase_out -> STC_WARNING,
 * insufficient -> STC_FAILURE. */
stc_status_t stc_grade_status(stc_grade_t g);
/* "good", "sufficient", "phase_out", "insufficient". */
const char *stc_grade_text(stc_grade_t g);

#endif /* STC_TLS_HELLO_H */
