/* tls.c - the wolfSSL client: one process-wide context, STARTTLS handshakes
 *
 * One WOLFSSL_CTX serves every connection of the process: it holds the
 * trust anchors (the biggest allocation by far) and the client policy:
 * TLS 1.3 down to 1.1, an explicit cipher list (forward secrecy only; no
 * anon, NULL, EXPORT, RC4 or 3DES, which this wolfSSL build would otherwise
 * offer and even complete), groups X25519, P-256, P-384.
 *
 * The handshake runs on the socket that carried the SMTP dialogue: wolfSSL's
 * I/O callbacks forward to the port's non-blocking send/recv. On the verify
 * callback's last call (the leaf, depth 0), while wolfSSL still holds
 * every certificate's DER, the chain (at most STC_CHAIN_MAX certificates)
 * is copied into one arena block of exactly its size; it is judged (and
 * digested for DANE) right after the handshake and the block freed at
 * once. No connection slot carries a chain buffer. Why not judge inside the
 * callback: measured with the board's wolfSSL, judging there stacks the
 * judgement's signature checks on the handshake's own peak (52.5 KB for a
 * TLS 1.3 RSA handshake instead of 31.7 KB). The callback accepts
 * everything: each problem is reported on its own (src/cert.c), because
 * wolfSSL reports only one error per certificate (and see
 * stc_tls_global_init for why the verify mode is NONE).
 * wolfSSL_get_peer_chain is not used: it drops certificates of 2 KB or more.
 */
#include "wolf.h"

#include <wolfssl/ssl.h>
#include <wolfssl/error-ssl.h>
#include <wolfssl/wolfcrypt/error-crypt.h>
#include <wolfssl/wolfcrypt/ecc.h>

#include "engine.h"

#include <string.h>

static WOLFSSL_CTX *g_ctx;  /* the process-wide context */
static int g_anchors;       /* trust anchors were loaded */
static int g_wolf_init;     /* wolfSSL_Init done */

/* Lowest version offered: TLS 1.1 unless this wolfSSL build has no TLS
 * below 1.2 (NO_OLD_TLS: wolfSSL_CTX_SetMinVersion would refuse 1.1). */
#ifdef NO_OLD_TLS
#define STC_TLS_MIN WOLFSSL_TLSV1_2
#else
#define STC_TLS_MIN WOLFSSL_TLSV1_1
#endif

/* Suites this build has and we offer, best first: AEAD with forward
 * secrecy, then CBC with forward secrecy (TLS 1.1/1.2 servers). Every name
 * was checked against wolfSSL_CTX_set_cipher_list one by one (an unknown
 * name in a list is skipped silently). */
static const char cipher_list[] =
    "TLS13-AES128-GCM-SHA256:TLS13-AES256-GCM-SHA384:"
    "TLS13-CHACHA20-POLY1305-SHA256:"
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:"
    "DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:"
    "DHE-RSA-CHACHA20-POLY1305:"
    "ECDHE-ECDSA-AES128-SHA256:ECDHE-RSA-AES128-SHA256:"
    "ECDHE-ECDSA-AES256-SHA384:ECDHE-RSA-AES256-SHA384:"
    "ECDHE-ECDSA-AES128-SHA:ECDHE-RSA-AES128-SHA:"
    "ECDHE-ECDSA-AES256-SHA:ECDHE-RSA-AES256-SHA:"
    "DHE-RSA-AES128-SHA256:DHE-RSA-AES256-SHA256:"
    "DHE-RSA-AES128-SHA:DHE-RSA-AES256-SHA";

/* arena_failures - the arena's failed-allocation count (to tell "we ran
 * out" from "the peer broke something") */
static size_t arena_failures(void)
{
    stc_arena_stats_t s;
    stc_arena_stats(&s);
    return s.failures;
}

/* The arena block holding a peer chain: counts, then the DER back to back. */
typedef struct chain_blk {
    uint16_t n, sent;          /* kept, and sent by the peer */
    uint32_t len[STC_CHAIN_MAX];
    /* the DER follows */
} chain_blk_t;

/* verify_cb - on the last call (the leaf), copy the chain for the
 * judgement after the handshake; accept everything */
static int verify_cb(int preverify, WOLFSSL_X509_STORE_CTX *store)
{
    WOLFSSL *ssl;
    stc_conn_t *c;
    chain_blk_t *b;
    size_t total = 0, off = sizeof *b;
    int i;
    unsigned n = 0;

    (void)preverify;
    if (!store || store->error_depth != 0)
        return 1;
    ssl = (WOLFSSL *)wolfSSL_X509_STORE_CTX_get_ex_data(
        store, wolfSSL_get_ex_data_X509_STORE_CTX_idx());
    c = ssl ? (stc_conn_t *)wolfSSL_get_app_data(ssl) : NULL;
    if (!c || c->chain || c->judged)
        return 1;
    for (i = 0; store->certs && i < store->totalCerts && n < STC_CHAIN_MAX; i++)
        if (store->certs[i].buffer && store->certs[i].length > 0) {
            total += store->certs[i].length;
            n++;
        }
    b = (chain_blk_t *)XMALLOC(sizeof *b + total, NULL, DYNAMIC_TYPE_TMP_BUFFER);
    if (!b) {
        c->judged = 2; /* our arena, not the peer: reported after the handshake */
        return 1;
    }
    b->n = 0;
    b->sent = (uint16_t)(store->totalCerts > 0 ? store->totalCerts : 0);
    for (i = 0; store->certs && i < store->totalCerts && b->n < n; i++) {
        const WOLFSSL_BUFFER_INFO *x = &store->certs[i];
        if (!x->buffer || x->length == 0)
            continue;
        memcpy((uint8_t *)b + off, x->buffer, x->length);
        b->len[b->n++] = x->length;
        off += x->length;
    }
    c->chain = b;
    return 1;
}

/* drop_chain - free the copied chain */
static void drop_chain(stc_conn_t *c)
{
    if (c->capture) {
        stc_tls_capture_free(c);
        return;
    }
    if (c->chain)
        XFREE(c->chain, NULL, DYNAMIC_TYPE_TMP_BUFFER);
    c->chain = NULL;
}

/* stc_tls_judge - judge the chain the handshake received, then free it */
int stc_tls_judge(stc_engine_t *e, stc_conn_t *c)
{
    stc_der_t der[STC_CHAIN_MAX];
    const chain_blk_t *b = (const chain_blk_t *)c->chain;
    size_t off = sizeof *b;
    unsigned i;
    int rc;

    if (c->judged == 2)
        return STC_ENOMEM;
    if (!b) { /* no Certificate message at all */
        stc_add_addr_finding(&c->s->a, STC_F_CERT_NONE, 0);
        stc_check_ran(&c->s->a, STC_CHK_CERT);
        return STC_OK;
    }
    for (i = 0; i < b->n && i < STC_CHAIN_MAX; i++) {
        der[i].p = (const uint8_t *)b + off;
        der[i].n = b->len[i];
        off += b->len[i];
    }
    stc_check_ran(&c->s->a, STC_CHK_CERT);
    rc = stc_cert_judge_cached(e, der, i, b->sent, c->sni ? c->sni : "",
                               c->port->unix_time(c->port->user), c->warn_days, c->s);
    drop_chain(c);
    c->judged = rc == STC_OK ? 1 : 2;
    return rc;
}

/* ---- certificates a probe saw (no handshake) ------------------------------ */

/* A probe's certificates: each in its own arena block, as its length is
 * known only when its first bytes arrive. */
typedef struct cap_blk {
    uint16_t n;                     /* certificates started */
    uint8_t nomem;                  /* a block could not be had */
    uint32_t len[STC_CHAIN_MAX], got[STC_CHAIN_MAX];
    uint8_t *der[STC_CHAIN_MAX];
} cap_blk_t;

/* stc_tls_capture - keep the first STC_CHAIN_MAX certificates' bytes */
void stc_tls_capture(void *ctx, unsigned index, uint32_t offset, const uint8_t *chunk,
                     size_t n, uint32_t total_len)
{
    stc_conn_t *c = (stc_conn_t *)ctx;
    cap_blk_t *b = (cap_blk_t *)c->chain;

    if (c->chain && !c->capture)
        return; /* a handshake's chain: not ours to touch */
    if (!b) {
        b = (cap_blk_t *)XMALLOC(sizeof *b, NULL, DYNAMIC_TYPE_TMP_BUFFER);
        if (!b)
            return; /* judged as "no memory" below: c->capture stays 0 */
        memset(b, 0, sizeof *b);
        c->chain = b;
        c->capture = 1;
    }
    if (index >= STC_CHAIN_MAX || b->nomem)
        return;
    if (offset == 0 && index == b->n) {
        b->der[index] = (uint8_t *)XMALLOC(total_len ? total_len : 1, NULL,
                                           DYNAMIC_TYPE_TMP_BUFFER);
        if (!b->der[index]) {
            b->nomem = 1;
            return;
        }
        b->len[index] = total_len;
        b->n++;
    }
    if (index >= b->n || offset != b->got[index] || n > b->len[index] - offset)
        return; /* out of order: cannot happen with the reader's contract */
    memcpy(b->der[index] + offset, chunk, n);
    b->got[index] += (uint32_t)n;
}

/* stc_tls_capture_free - drop a probe's certificates */
void stc_tls_capture_free(stc_conn_t *c)
{
    cap_blk_t *b = (cap_blk_t *)c->chain;
    unsigned i;

    if (!c->capture || !b)
        return;
    for (i = 0; i < b->n && i < STC_CHAIN_MAX; i++)
        if (b->der[i])
            XFREE(b->der[i], NULL, DYNAMIC_TYPE_TMP_BUFFER);
    XFREE(b, NULL, DYNAMIC_TYPE_TMP_BUFFER);
    c->chain = NULL;
    c->capture = 0;
}

/* stc_tls_capture_judge - judge the complete certificates a probe kept */
int stc_tls_capture_judge(stc_engine_t *e, stc_conn_t *c, unsigned sent)
{
    stc_der_t der[STC_CHAIN_MAX];
    cap_blk_t *b = (cap_blk_t *)c->chain;
    unsigned i, n = 0;
    int rc = STC_OK;

    if (!c->capture || !b)
        return sent > 0 ? STC_ENOMEM : STC_OK;
    if (b->nomem) {
        stc_tls_capture_free(c);
        return STC_ENOMEM;
    }
    for (i = 0; i < b->n && b->got[i] == b->len[i]; i++, n++) {
        der[i].p = b->der[i];
        der[i].n = b->len[i];
    }
    if (n > 0) {
        stc_check_ran(&c->s->a, STC_CHK_CERT);
        rc = stc_cert_judge_cached(e, der, n, sent, c->sni ? c->sni : "",
                                   c->port->unix_time(c->port->user), c->warn_days, c->s);
    }
    stc_tls_capture_free(c);
    return rc;
}

/* stc_tls_min_version - the lowest version the main handshake offers */
uint16_t stc_tls_min_version(void)
{
    return STC_TLS_MIN == WOLFSSL_TLSV1_2 ? 0x0303u : 0x0302u;
}

/* stc_tls_offers_tls13 - TLS 1.3 in this build */
int stc_tls_offers_tls13(void)
{
#ifdef WOLFSSL_TLS13
    return 1;
#else
    return 0;
#endif
}

/* io_recv - wolfSSL's receive callback: the port's recv on c->sock */
static int io_recv(WOLFSSL *ssl, char *buf, int sz, void *ctx)
{
    stc_conn_t *c = (stc_conn_t *)ctx;
    long n;

    (void)ssl;
    if (sz <= 0)
        return 0;
    n = c->port->recv(c->port->user, c->sock, buf, (size_t)sz);
    if (n > 0)
        return (int)(n > sz ? sz : n);
    if (n == STC_EAGAIN)
        return WOLFSSL_CBIO_ERR_WANT_READ;
    if (n == 0 || n == STC_ECLOSED)
        return WOLFSSL_CBIO_ERR_CONN_CLOSE;
    if (n == STC_ERESET)
        return WOLFSSL_CBIO_ERR_CONN_RST;
    return WOLFSSL_CBIO_ERR_GENERAL;
}

/* io_send - wolfSSL's send callback: the port's send on c->sock */
static int io_send(WOLFSSL *ssl, char *buf, int sz, void *ctx)
{
    stc_conn_t *c = (stc_conn_t *)ctx;
    long n;

    (void)ssl;
    if (sz <= 0)
        return 0;
    n = c->port->send(c->port->user, c->sock, buf, (size_t)sz);
    if (n > 0)
        return (int)(n > sz ? sz : n);
    if (n == STC_EAGAIN || n == 0)
        return WOLFSSL_CBIO_ERR_WANT_WRITE;
    if (n == STC_ECLOSED)
        return WOLFSSL_CBIO_ERR_CONN_CLOSE;
    if (n == STC_ERESET)
        return WOLFSSL_CBIO_ERR_CONN_RST;
    return WOLFSSL_CBIO_ERR_GENERAL;
}

/* stc_tls_global_init - the process-wide context and its trust anchors;
 * calling it again replaces the context */
int stc_tls_global_init(const uint8_t *anchors, size_t len, int format)
{
    int groups[] = {WOLFSSL_ECC_X25519, WOLFSSL_ECC_SECP256R1, WOLFSSL_ECC_SECP384R1};
    size_t f0 = arena_failures();
    int rc;

    stc_tls_global_free();
    if (wolfSSL_Init() != WOLFSSL_SUCCESS)
        return arena_failures() != f0 ? STC_ENOMEM : STC_ETLS;
    g_wolf_init = 1;
    g_ctx = wolfSSL_CTX_new(wolfSSLv23_client_method());
    if (!g_ctx)
        return arena_failures() != f0 ? STC_ENOMEM : STC_ETLS;
    /* SSLv3 and TLS 1.0 are not in this build (notes: wolfSSL -173);
     * probing them needs a hand-made ClientHello, not this context. */
    if (wolfSSL_CTX_SetMinVersion(g_ctx, STC_TLS_MIN) != WOLFSSL_SUCCESS
        || wolfSSL_CTX_set_cipher_list(g_ctx, cipher_list) != WOLFSSL_SUCCESS
        || wolfSSL_CTX_set_groups(g_ctx, groups,
                                  (int)(sizeof groups / sizeof groups[0]))
               != WOLFSSL_SUCCESS) {
        rc = arena_failures() != f0 ? STC_ENOMEM : STC_ETLS;
        stc_tls_global_free();
        return rc;
    }
    /* Each check is a fresh look at a server: never resume. Without this
     * the client caches every session and its TLS 1.3 tickets (measured:
     * ~1.4 KB of arena per server, kept after wolfSSL_free). A build
     * without a session cache or TLS 1.2 tickets (a board's) has nothing
     * to switch off. */
#ifndef NO_SESSION_CACHE
    wolfSSL_CTX_set_session_cache_mode(g_ctx, WOLFSSL_SESS_CACHE_OFF);
#endif
#if defined(HAVE_SESSION_TICKET) && !defined(NO_WOLFSSL_SERVER)
    if (wolfSSL_CTX_NoTicketTLSv12(g_ctx) != WOLFSSL_SUCCESS) {
        rc = arena_failures() != f0 ? STC_ENOMEM : STC_ETLS;
        stc_tls_global_free();
        return rc;
    }
#endif
    /* VERIFY_NONE + a callback, not VERIFY_PEER. Measured on this build:
     * - under VERIFY_PEER every peer intermediate that verifies is added
     *   to the context's certificate manager for good: the trust store
     *   grows per CA seen, and a server that omits its intermediate is
     *   later judged trusted because another server sent it;
     * - under VERIFY_NONE the callback still runs for every certificate
     *   (WOLFSSL_ALWAYS_VERIFY_CB) with the whole chain, nothing is added,
     *   wolfSSL skips a chain verification cert.c does anyway, and a
     *   server whose key does not match its certificate still fails the
     *   handshake (TLS 1.2 and 1.3: -193).
     * The callback accepts everything: the handshake completes whatever
     * the chain, and cert.c judges it. */
    wolfSSL_CTX_set_verify(g_ctx, WOLFSSL_VERIFY_NONE, verify_cb);
    if (anchors && len > 0) {
        int wfmt = format == STC_TA_DER ? WOLFSSL_FILETYPE_ASN1 : WOLFSSL_FILETYPE_PEM;
        /* Dates are judged by cert.c against the caller's clock: an
         * expired anchor must still load. A bundle may hold a CA this
         * build cannot parse: skip it rather than lose all the others. */
        long flags = WOLFSSL_LOAD_FLAG_DATE_ERR_OKAY;
        if (wfmt == WOLFSSL_FILETYPE_PEM)
            flags |= WOLFSSL_LOAD_FLAG_IGNORE_ERR;
        rc = wolfSSL_CTX_load_verify_buffer_ex(g_ctx, anchors, (long)len, wfmt, 0,
                                               (word32)flags);
        if (arena_failures() != f0 || rc == MEMORY_E) {
            stc_tls_global_free();
            return STC_ENOMEM;
        }
        if (rc != WOLFSSL_SUCCESS) {
            stc_tls_global_free();
            return STC_ETLS;
        }
        g_anchors = 1;
    }
    return STC_OK;
}

/* stc_tls_global_free - drop the context and wolfSSL's global state */
void stc_tls_global_free(void)
{
    if (g_ctx)
        wolfSSL_CTX_free(g_ctx);
    g_ctx = NULL;
    g_anchors = 0;
    if (g_wolf_init) {
#if defined(HAVE_ECC) && defined(FP_ECC)
        wc_ecc_fp_free();
#endif
        wolfSSL_Cleanup();
        g_wolf_init = 0;
    }
}

/* stc_tls_have_anchors - 1 when trust anchors were loaded */
int stc_tls_have_anchors(void)
{
    return g_ctx != NULL && g_anchors;
}

/* stc_tls_trust_store - the context's certificate manager (for cert.c) */
void *stc_tls_trust_store(void)
{
    return g_ctx ? (void *)wolfSSL_CTX_GetCertManager(g_ctx) : NULL;
}

/* stc_tls_start - a client session on c->sock, ready to handshake */
int stc_tls_start(stc_conn_t *c, const stc_port_t *port, const char *sni)
{
    size_t f0 = arena_failures();
    WOLFSSL *ssl;
    stc_ip_t ip;

    c->port = port;
    c->judged = 0;
    c->chain = NULL;
    c->ssl = NULL;
    if (!g_ctx)
        return STC_ETLS;
    ssl = wolfSSL_new(g_ctx);
    if (!ssl)
        return arena_failures() != f0 ? STC_ENOMEM : STC_ETLS;
    if (wolfSSL_set_app_data(ssl, c) != WOLFSSL_SUCCESS)
        goto fail;
    /* RFC 6066 3: "Literal IPv4 and IPv6 addresses are not permitted". */
    if (sni && sni[0] && !stc_ip_parse(sni, &ip)
        && wolfSSL_UseSNI(ssl, WOLFSSL_SNI_HOST_NAME, sni, (word16)strlen(sni))
               != WOLFSSL_SUCCESS)
        goto fail;
    /* X25519 first: FP_ECC in this build caches every new P-256 point. */
    if (wolfSSL_UseKeyShare(ssl, WOLFSSL_ECC_X25519) != WOLFSSL_SUCCESS)
        goto fail;
    wolfSSL_SSLSetIORecv(ssl, io_recv);
    wolfSSL_SSLSetIOSend(ssl, io_send);
    wolfSSL_SetIOReadCtx(ssl, c);
    wolfSSL_SetIOWriteCtx(ssl, c);
    c->ssl = ssl;
    return STC_OK;
fail:
    wolfSSL_free(ssl);
    return arena_failures() != f0 ? STC_ENOMEM : STC_ETLS;
}

/* map_err - our code for a failed wolfSSL call; *want for EAGAIN */
static int map_err(WOLFSSL *ssl, int ret, size_t f0, uint8_t *want, int32_t *lower)
{
    int err = wolfSSL_get_error(ssl, ret);

    if (err == WOLFSSL_ERROR_WANT_READ || err == WANT_READ) {
        *want = STC_WANT_READ;
        return STC_EAGAIN;
    }
    if (err == WOLFSSL_ERROR_WANT_WRITE || err == WANT_WRITE) {
        *want = STC_WANT_WRITE;
        return STC_EAGAIN;
    }
    if (lower)
        *lower = err;
    /* Whatever wolfSSL calls it, an allocation that failed is ours. */
    if (err == MEMORY_E || arena_failures() != f0)
        return STC_ENOMEM;
    /* A peer message beyond wolfSSL's own limits (measured: a Certificate
     * message of ~19 KB gives -404): the checker's limit, not the peer's
     * fault; most senders' TLS stacks take it. */
    if (err == HANDSHAKE_SIZE_ERROR || err == MAX_CHAIN_ERROR)
        return STC_ETOOLONG;
    if (err == SOCKET_PEER_CLOSED_E || err == WOLFSSL_ERROR_ZERO_RETURN
        || err == ZERO_RETURN)
        return STC_ECLOSED;
    if (err == SOCKET_ERROR_E || err == WOLFSSL_ERROR_SYSCALL)
        return STC_ERESET;
    return STC_ETLS;
}

/* stc_tls_handshake - advance the handshake without blocking */
int stc_tls_handshake(stc_conn_t *c, uint8_t *want, int32_t *lower)
{
    WOLFSSL *ssl = (WOLFSSL *)c->ssl;
    size_t f0 = arena_failures();
    int ret;

    *lower = 0;
    if (!ssl)
        return STC_ETLS;
    ret = wolfSSL_connect(ssl);
    if (ret == WOLFSSL_SUCCESS)
        return STC_OK;
    return map_err(ssl, ret, f0, want, lower);
}

/* stc_tls_send - encrypt and send; bytes or a negative stc_err_t */
long stc_tls_send(stc_conn_t *c, const void *p, size_t n, uint8_t *want)
{
    WOLFSSL *ssl = (WOLFSSL *)c->ssl;
    size_t f0 = arena_failures();
    int ret, sz = n > 16384 ? 16384 : (int)n;

    if (!ssl)
        return STC_ETLS;
    if (n == 0)
        return 0;
    ret = wolfSSL_write(ssl, p, sz);
    if (ret > 0)
        return ret;
    return map_err(ssl, ret, f0, want, NULL);
}

/* stc_tls_recv - receive and decrypt; bytes, 0 on close, or stc_err_t */
long stc_tls_recv(stc_conn_t *c, void *p, size_t cap, uint8_t *want)
{
    WOLFSSL *ssl = (WOLFSSL *)c->ssl;
    size_t f0 = arena_failures();
    int ret, sz = cap > 16384 ? 16384 : (int)cap, rc;

    if (!ssl)
        return STC_ETLS;
    if (cap == 0)
        return 0;
    ret = wolfSSL_read(ssl, p, sz);
    if (ret > 0)
        return ret;
    rc = map_err(ssl, ret, f0, want, NULL);
    return rc == STC_ECLOSED ? 0 : rc; /* close_notify: an orderly close */
}

/* group_id - IANA id of the curve wolfSSL names (its ecc set names) */
static uint16_t group_id(const char *name)
{
    static const struct {
        const char *name;
        uint16_t id;
    } t[] = {{"SECP256R1", 23}, {"SECP384R1", 24}, {"SECP521R1", 25}, {"X25519", 29},
             {"X448", 30}, {"FFDHE_2048", 256}, {"FFDHE_3072", 257}, {"FFDHE_4096", 258},
             {"FFDHE_6144", 259}, {"FFDHE_8192", 260}};
    size_t i;
    for (i = 0; name && i < sizeof t / sizeof t[0]; i++)
        if (strcmp(name, t[i].name) == 0)
            return t[i].id;
    return 0;
}

/* stc_tls_info - negotiated version (wire value), suite and group ids */
void stc_tls_info(stc_conn_t *c, uint16_t *version, uint16_t *suite, uint16_t *group)
{
    WOLFSSL *ssl = (WOLFSSL *)c->ssl;
    int v, cs;

    *version = *suite = *group = 0;
    if (!ssl)
        return;
    /* wolfSSL_version gives the wire value (TLS1_3_VERSION = 0x0304). */
    v = wolfSSL_version(ssl);
    if (v >= 0x0300 && v <= 0x0304)
        *version = (uint16_t)v;
    cs = wolfSSL_get_current_cipher_suite(ssl);
    if (cs >= 0)
        *suite = (uint16_t)cs;
    *group = group_id(wolfSSL_get_curve_name(ssl));
#ifndef NO_DH
    if (*group == 0) {
        /* Finite-field DHE without a named group: say the prime's size. */
        int bits = wolfSSL_GetDhKey_Sz(ssl);
        if (bits > 0 && bits < 0x8000)
            *group = (uint16_t)(0x8000u | (unsigned)bits);
    }
#endif
}


/* stc_tls_reason - wolfSSL's reason text for an error code */
const char *stc_tls_reason(int err)
{
    const char *s = wolfSSL_ERR_reason_error_string((unsigned long)err);
    return s ? s : "unknown TLS error";
}

/* stc_tls_free - free the session and wolfSSL's EC point cache */
void stc_tls_free(stc_conn_t *c)
{
    if (c->capture)
        stc_tls_capture_free(c);
    drop_chain(c);
    if (c->ssl)
        wolfSSL_free((WOLFSSL *)c->ssl);
    c->ssl = NULL;
#if defined(HAVE_ECC) && defined(FP_ECC)
    /* Debian's build has FP_ECC: every P-256 point used (server key share,
     * ECDSA key) stays cached per thread until this (measured: 4.15 MB
     * after three TLS 1.2 P-256 handshakes; flat with it). */
    wc_ecc_fp_free();
#endif
}
