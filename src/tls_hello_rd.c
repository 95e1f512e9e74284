/* tls_hello_rd.c - read a server's answer to a probe ClientHello, a chunk
 * at a time, in fixed memory
 *
 * Three layers over the bytes as they arrive (any split, any coalescing):
 * 1. the record layer: sniffs the first byte (TLS record, SSLv2 record,
 *    printable text, or garbage), gathers 5-byte record headers, checks
 *    them, and hands record bodies on (handshake bytes to 2, alerts are
 *    read here);
 * 2. the field machine: handshake messages (or the SSLv2 message) as a
 *    stream of requests "gather n <= 4 bytes" or "pass n bytes" (skipped,
 *    or streamed to the certificate callback, or looked at byte by byte),
 *    inside a stack of open length scopes (message, extensions block,
 *    extension). Every length read is checked against the scope it opens
 *    in before use, and a scope must end exactly where its parser does;
 * 3. the message parsers: step() runs when a request is satisfied or a
 *    scope ends, records what it learnt in r->ans and makes the next
 *    request.
 * No byte is buffered beyond the 4 being gathered and the record header:
 * a 1 KB ffdhe8192 key share or a 16 MB certificate list passes through.
 * Every input byte is read through a stc_buf_t cursor (src/buf.h).
 */
#include "tls_hello.h"

/* RFC 5246 6.2.1 / RFC 8446 5.1 ContentType */
#define CT_CCS 20u
#define CT_ALERT 21u
#define CT_HANDSHAKE 22u
#define CT_APPDATA 23u
/* RFC 8446 5.1: "The length MUST NOT exceed 2^14 bytes." */
#define REC_MAX 16384u

/* RFC 5246 7.4 / RFC 6066 8 HandshakeType */
#define HT_HELLO_REQUEST 0u
#define HT_SERVER_HELLO 2u
#define HT_CERTIFICATE 11u
#define HT_SKX 12u
#define HT_CERT_REQ 13u
#define HT_SHD 14u
#define HT_CERT_STATUS 22u

/* ExtensionType values read in a ServerHello */
#define EXT_EMS 23u
#define EXT_POINT_FORMATS 11u
#define EXT_SUPPORTED_VERSIONS 43u
#define EXT_KEY_SHARE 51u
#define EXT_RENEG_INFO 0xff01u

#define SSL2_MSG_ERROR 0u
#define SSL2_MSG_SERVER_HELLO 4u
#define SSL2_HDR_LEN 10u /* SERVER-HELLO fields after the message type */

#define NAMED_CURVE 3u   /* RFC 8422 5.4 ECCurveType named_curve(3) */
#define SCOPES_MAX 4u
#define RUNNING STC_EAGAIN

enum { M_SNIFF = 0, M_TLS, M_SSL2, M_TEXT };           /* r->mode */
enum { R_HDR = 0, R_BODY };                            /* r->rst */
enum { Q_NONE = 0, Q_GET, Q_SKIP };                    /* r->req */
enum { K_PLAIN = 0, K_CERT, K_BITS, K_RANDOM };        /* r->skip_mode */

/* Parser states (r->st, r->end_st[]). */
enum {
    S_IDLE = 0, S_HS_HDR,
    S_SH_VER, S_SH_RAND, S_SH_SIDLEN, S_SH_SID, S_SH_SUITE, S_SH_COMP, S_SH_EXTLEN,
    S_SH_EXTHDR, S_SH_EXT_END, S_SH_SV, S_SH_KS_GROUP, S_SH_KS_LEN, S_SH_RENEG,
    S_SH_ECPF_LEN, S_SH_ECPF, S_SH_END,
    S_CERT_LISTLEN, S_CERT_LEN, S_CERT_DONE, S_CERT_END,
    S_SKX_HINT, S_SKX_AFTER_HINT, S_SKX_P_LEN, S_SKX_REST, S_SKX_CURVE_TYPE, S_SKX_CURVE,
    S_SKX_END,
    S_V2_TYPE, S_V2_HIT, S_V2_VER, S_V2_LENS, S_V2_CIDLEN, S_V2_CERT_DONE, S_V2_SPEC,
    S_V2_ERR, S_V2_END
};

/* RFC 8446 4.1.3: the HelloRetryRequest's Random is SHA-256("HelloRetryRequest") */
static const uint8_t hrr_random[32] = {
    0xCF, 0x21, 0xAD, 0x74, 0xE5, 0x9A, 0x61, 0x11, 0xBE, 0x1D, 0x8C, 0x02, 0x1E, 0x65, 0xB8, 0x91,
    0xC2, 0xA2, 0x11, 0x16, 0x7A, 0xBB, 0x8C, 0x5E, 0x07, 0x9E, 0x09, 0xE2, 0xC8, 0xA8, 0x33, 0x9C};
/* RFC 8446 4.1.3: a TLS 1.3 server negotiating 1.2 or below ends its random
 * with 44 4F 57 4E 47 52 44 01 (1.2) or ... 00 (1.1 and below) */
static const uint8_t downgrade[7] = {0x44, 0x4F, 0x57, 0x4E, 0x47, 0x52, 0x44};

static int step(stc_hello_rd_t *r, uint8_t st, uint32_t v);

/* ---- results ---------------------------------------------------------------- */

/* fail - stop with STC_EPROTO and say why; returns 1 (stop) */
static int fail(stc_hello_rd_t *r, uint8_t why)
{
    r->ans.why = why;
    r->err = STC_EPROTO;
    return 1;
}

/* toolong - stop because one of our bounds was hit; returns 1 */
static int toolong(stc_hello_rd_t *r, uint8_t limit)
{
    r->ans.limit = limit;
    r->err = STC_ETOOLONG;
    return 1;
}

/* finish - the answer is complete; returns 1 */
static int finish(stc_hello_rd_t *r, uint8_t kind)
{
    r->ans.kind = kind;
    r->err = STC_OK;
    return 1;
}

/* text_put - append one input byte to ans.text, sanitized */
static void text_put(stc_hello_rd_t *r, uint8_t c)
{
    if (r->textlen + 1u >= sizeof r->ans.text)
        return;
    r->ans.text[r->textlen++] = (char)((c >= 0x20 && c < 0x7f) ? c : '?');
    r->ans.text[r->textlen] = '\0';
}

/* ---- the field machine -------------------------------------------------------- */

/* top - bytes left in the innermost open scope */
static uint32_t top(const stc_hello_rd_t *r)
{
    return r->depth ? r->lim[r->depth - 1] : 0xffffffffu;
}

/* get - gather n (1..4) bytes, then run st with their big-endian value */
static int get(stc_hello_rd_t *r, unsigned n, uint8_t st)
{
    if (n > top(r))
        return fail(r, STC_HW_LENGTH); /* a field past the end of its vector */
    r->req = Q_GET;
    r->need = (uint8_t)n;
    r->got = 0;
    r->acc = 0;
    r->st = st;
    return 0;
}

/* skip - pass n bytes (mode: skip, stream, inspect), then run st */
static int skip(stc_hello_rd_t *r, uint32_t n, uint8_t st, uint8_t mode)
{
    if (n > top(r))
        return fail(r, STC_HW_LENGTH);
    r->req = Q_SKIP;
    r->skip = r->skip_total = n;
    r->skip_mode = mode;
    r->st = st;
    return 0;
}

/* skip_rest - pass whatever is left of the innermost scope */
static int skip_rest(stc_hello_rd_t *r)
{
    return skip(r, top(r), S_IDLE, K_PLAIN);
}

/* push - open a scope of n bytes inside the current one; end runs when
 * it is used up */
static int push(stc_hello_rd_t *r, uint32_t n, uint8_t end)
{
    if (n > top(r))
        return fail(r, STC_HW_LENGTH);
    if (r->depth >= SCOPES_MAX)
        return fail(r, STC_HW_FIELD); /* unreachable: parsers nest 3 deep */
    r->lim[r->depth] = n;
    r->end_st[r->depth] = end;
    r->depth++;
    return 0;
}

/* consumed - k bytes were used inside every open scope */
static void consumed(stc_hello_rd_t *r, uint32_t k)
{
    unsigned i;
    for (i = 0; i < r->depth; i++)
        r->lim[i] -= k;
}

/* bitlen - bits in a non-zero byte */
static unsigned bitlen(uint8_t b)
{
    unsigned n = 0;
    while (b) {
        n++;
        b >>= 1;
    }
    return n;
}

/* pass - hand n skipped bytes to whoever wants to see them */
static void pass(stc_hello_rd_t *r, const uint8_t *p, uint32_t n)
{
    uint32_t off = r->skip_total - r->skip, j;

    switch (r->skip_mode) {
    case K_CERT:
        if (r->cert_cb && n)
            r->cert_cb(r->cert_ctx, r->cur_cert, off, p, n, r->skip_total);
        break;
    case K_BITS: /* a big-endian integer: its size without leading zeros */
        for (j = 0; j < n && !r->cnt; j++) {
            if (p[j]) {
                r->ans.skx_bits = (r->skip - j - 1) * 8u + bitlen(p[j]);
                r->cnt = 1;
            }
        }
        break;
    case K_RANDOM:
        for (j = 0; j < n; j++, off++) {
            if (p[j] != hrr_random[off])
                r->rand_ok &= (uint8_t)~1u;
            if (off >= 24 && off < 31 && p[j] != downgrade[off - 24])
                r->rand_ok &= (uint8_t)~2u;
            if (off == 31 && p[j] > 1)
                r->rand_ok &= (uint8_t)~2u;
        }
        break;
    default:
        break;
    }
}

/* settle - run what is due without input: completed skips, ended scopes,
 * the next message header. 1 when the reader stopped (done or failed). */
static int settle(stc_hello_rd_t *r)
{
    for (;;) {
        if (r->err != RUNNING)
            return 1;
        if (r->req == Q_SKIP && r->skip == 0) {
            r->req = Q_NONE;
            if (step(r, r->st, 0))
                return 1;
            continue;
        }
        if (r->req != Q_NONE)
            return 0;
        if (r->depth > 0) {
            /* the parser is done with this scope: it must be used up */
            if (r->lim[r->depth - 1] != 0)
                return fail(r, STC_HW_LENGTH);
            r->depth--;
            if (step(r, r->end_st[r->depth], 0))
                return 1;
            continue;
        }
        if (r->mode != M_TLS)
            return fail(r, STC_HW_UNEXPECTED); /* SSLv2 ends in S_V2_END */
        /* RFC 5246 7.4: struct { HandshakeType msg_type; uint24 length; ... } */
        get(r, 4, S_HS_HDR);
        return 0;
    }
}

/* fields - run the field machine over the bytes of in */
static void fields(stc_hello_rd_t *r, stc_buf_t *in)
{
    while (!settle(r) && stc_buf_left(in) > 0) {
        if (r->req == Q_GET) {
            uint8_t b;
            while (r->got < r->need && stc_buf_u8(in, &b)) {
                r->acc = (r->acc << 8) | b;
                r->got++;
                consumed(r, 1);
            }
            if (r->got == r->need) {
                r->req = Q_NONE;
                step(r, r->st, r->acc);
            }
        } else {
            size_t k = stc_buf_left(in);
            const uint8_t *p;
            if (k > r->skip)
                k = r->skip;
            if (stc_buf_bytes(in, k, &p)) {
                pass(r, p, (uint32_t)k);
                r->skip -= (uint32_t)k;
                consumed(r, (uint32_t)k);
            }
        }
    }
}

/* ---- message parsers --------------------------------------------------------- */

/* ext_bit - STC_HE_* bit of a ServerHello extension type */
static uint32_t ext_bit(unsigned type)
{
    static const struct {
        uint16_t type;
        uint32_t bit;
    } map[] = {
        {0, STC_HE_SERVER_NAME},  {1, STC_HE_MAX_FRAGMENT},  {5, STC_HE_STATUS_REQUEST},
        {10, STC_HE_GROUPS},      {11, STC_HE_POINT_FORMATS}, {15, STC_HE_HEARTBEAT},
        {16, STC_HE_ALPN},        {18, STC_HE_SCT},          {22, STC_HE_ETM},
        {23, STC_HE_EMS},         {35, STC_HE_TICKET},       {41, STC_HE_PSK},
        {43, STC_HE_VERSIONS},    {44, STC_HE_COOKIE},       {51, STC_HE_KEY_SHARE},
        {0xff01, STC_HE_RENEG},
    };
    size_t i;
    for (i = 0; i < sizeof map / sizeof map[0]; i++)
        if (map[i].type == type)
            return map[i].bit;
    return STC_HE_OTHER;
}

/* ext_next - the next extension header, or the end of the block */
static int ext_next(stc_hello_rd_t *r)
{
    return top(r) ? get(r, 4, S_SH_EXTHDR) : 0;
}

/* ext_start - one ServerHello extension: type and length in v */
static int ext_start(stc_hello_rd_t *r, uint32_t v)
{
    unsigned type = v >> 16, len = v & 0xffffu;
    uint32_t bit = ext_bit(type);

    /* RFC 8446 4.2: "There MUST NOT be more than one extension of the
     * same type in a given extension block." */
    if (bit != STC_HE_OTHER && (r->ans.ext_mask & bit))
        return fail(r, STC_HW_DUP_EXT);
    r->ans.ext_mask |= bit;
    if (push(r, len, S_SH_EXT_END))
        return 1;
    switch (type) {
    case EXT_SUPPORTED_VERSIONS: /* RFC 8446 4.2.1: ProtocolVersion selected_version */
        r->ans.flags |= STC_HA_VERSIONS;
        return get(r, 2, S_SH_SV);
    case EXT_KEY_SHARE:          /* RFC 8446 4.2.8: KeyShareEntry / selected_group */
        r->ans.flags |= STC_HA_KEY_SHARE;
        return get(r, 2, S_SH_KS_GROUP);
    case EXT_RENEG_INFO:         /* RFC 5746 3.2: opaque renegotiated_connection<0..255> */
        r->ans.flags |= STC_HA_RENEG;
        return get(r, 1, S_SH_RENEG);
    case EXT_EMS:                /* RFC 7627 5.1: "extension_data" ... is empty */
        r->ans.flags |= STC_HA_EMS;
        return len ? fail(r, STC_HW_FIELD) : 0;
    case EXT_POINT_FORMATS:      /* RFC 8422 5.2: ec_point_format_list<1..2^8-1> */
        r->ans.flags |= STC_HA_POINT_FMT;
        return get(r, 1, S_SH_ECPF_LEN);
    default:
        return skip_rest(r);
    }
}

/* sh_end - a whole ServerHello: TLS 1.3 and HRR answers end here */
static int sh_end(stc_hello_rd_t *r)
{
    r->ans.flags |= STC_HA_SH_DONE;
    if (r->ans.flags & STC_HA_HRR)
        return finish(r, STC_ANS_HRR);
    /* RFC 8446 4.2.1: "A server which negotiates a version of TLS prior
     * to TLS 1.3 MUST set ServerHello.version and MUST NOT send the
     * "supported_versions" extension": with it, whatever version it names,
     * the rest of the handshake is encrypted and the answer ends here. */
    if (r->ans.flags & (STC_HA_TLS13 | STC_HA_VERSIONS))
        return finish(r, STC_ANS_HELLO);
    return 0; /* <= TLS 1.2: on to ServerHelloDone */
}

/* msg_rank - order of the messages after a <= 1.2 ServerHello (RFC 5246
 * 7.3 figure 1, RFC 6066 8), 0 for one that may not come */
static uint8_t msg_rank(unsigned type)
{
    switch (type) {
    case HT_CERTIFICATE:
        return 1;
    case HT_CERT_STATUS:
        return 2;
    case HT_SKX:
        return 3;
    case HT_CERT_REQ:
        return 4;
    case HT_SHD:
        return 5;
    default:
        return 0;
    }
}

/* suite_kx - key exchange of the chosen suite, 0 when unknown */
static uint8_t suite_kx(const stc_hello_rd_t *r)
{
    const stc_suite_t *s = stc_suite_find(r->ans.suite);
    return s ? s->kx : 0;
}

/* skx_params - the key exchange parameters at the start of the
 * ServerKeyExchange (after a PSK identity hint where there is one) */
static int skx_params(stc_hello_rd_t *r, int after_hint)
{
    uint8_t kx = suite_kx(r);

    /* RFC 4279 2 / RFC 5489 2: opaque psk_identity_hint<0..2^16-1> first */
    if (!after_hint && (kx == STC_KX_PSK || kx == STC_KX_RSA_PSK || kx == STC_KX_DHE_PSK ||
                        kx == STC_KX_ECDHE_PSK))
        return get(r, 2, S_SKX_HINT);
    switch (kx) {
    case STC_KX_DHE:
    case STC_KX_DH_ANON:
    case STC_KX_DHE_PSK:
        /* RFC 5246 7.4.3 ServerDHParams: opaque dh_p<1..2^16-1> first */
        r->ans.skx_kind = STC_SKX_DH;
        return get(r, 2, S_SKX_P_LEN);
    case STC_KX_ECDHE:
    case STC_KX_ECDH_ANON:
    case STC_KX_ECDHE_PSK:
        /* RFC 8422 5.4 ServerECDHParams: ECParameters { ECCurveType
         * curve_type; NamedCurve namedcurve (when named_curve) } first */
        r->ans.skx_kind = STC_SKX_ECDH;
        return get(r, 1, S_SKX_CURVE_TYPE);
    case STC_KX_RSA:
        /* RFC 4346 7.4.3 ServerRSAParams (export): opaque rsa_modulus<1..2^16-1> */
        r->ans.skx_kind = STC_SKX_RSA;
        return get(r, 2, S_SKX_P_LEN);
    default: /* PSK, RSA_PSK (the hint only), SRP, unknown: passed */
        r->ans.skx_kind = STC_SKX_OTHER;
        return skip_rest(r);
    }
}

/* hs_header - a handshake message begins: type and length in v */
static int hs_header(stc_hello_rd_t *r, uint32_t v)
{
    unsigned type = v >> 24;
    uint32_t len = v & 0xffffffu;
    uint8_t rank;

    if (++r->nmsgs > STC_HELLO_MSGS_MAX)
        return toolong(r, STC_HLIM_MSGS);
    if (len > STC_HELLO_ANSWER_MAX)
        return toolong(r, STC_HLIM_ANSWER); /* could never be read whole */
    if (type == HT_HELLO_REQUEST) {
        /* RFC 5246 7.4.1.1: struct { } HelloRequest; "This message will be
         * ignored by the client if the client is currently negotiating a
         * session." */
        return len ? fail(r, STC_HW_FIELD) : push(r, 0, S_IDLE);
    }
    if (type == HT_SERVER_HELLO) {
        if (r->ans.flags & STC_HA_SH_DONE)
            return fail(r, STC_HW_UNEXPECTED);
        return push(r, len, S_SH_END) || get(r, 2, S_SH_VER);
    }
    /* RFC 5246 7.3: the server answers a ClientHello with a ServerHello
     * first; the rest comes in a fixed order, each message at most once. */
    rank = msg_rank(type);
    if (!(r->ans.flags & STC_HA_SH_DONE) || rank == 0 || rank <= r->mrank)
        return fail(r, STC_HW_UNEXPECTED);
    r->mrank = rank;
    switch (type) {
    case HT_CERTIFICATE: /* RFC 5246 7.4.2: ASN.1Cert certificate_list<0..2^24-1> */
        return push(r, len, S_CERT_END) || get(r, 3, S_CERT_LISTLEN);
    case HT_SKX:
        return push(r, len, S_SKX_END) || skx_params(r, 0);
    case HT_SHD:
        /* RFC 5246 7.4.5: struct { } ServerHelloDone; */
        if (len)
            return fail(r, STC_HW_FIELD);
        r->ans.flags |= STC_HA_DONE;
        return finish(r, STC_ANS_HELLO);
    default: /* CertificateStatus, CertificateRequest: noted, skipped */
        r->ans.flags |= type == HT_CERT_REQ ? STC_HA_CERT_REQ : STC_HA_STATUS;
        return push(r, len, S_IDLE) || skip_rest(r);
    }
}

/* step_sh - ServerHello states (RFC 5246 7.4.1.3, RFC 8446 4.1.3) */
static int step_sh(stc_hello_rd_t *r, uint8_t st, uint32_t v)
{
    switch (st) {
    case S_SH_VER: /* ProtocolVersion legacy_version; Random random */
        if ((v >> 8) != 3)
            return fail(r, STC_HW_FIELD);
        r->ans.legacy_version = r->ans.version = (uint16_t)v;
        r->rand_ok = 3;
        return skip(r, 32, S_SH_RAND, K_RANDOM);
    case S_SH_RAND:
        if (r->rand_ok & 1)
            r->ans.flags |= STC_HA_HRR;
        if (r->rand_ok & 2)
            r->ans.flags |= STC_HA_DOWNGRADE;
        return get(r, 1, S_SH_SIDLEN);
    case S_SH_SIDLEN: /* opaque legacy_session_id_echo<0..32> */
        if (v > 32)
            return fail(r, STC_HW_FIELD);
        r->ans.sid_len = (uint8_t)v;
        return skip(r, v, S_SH_SID, K_PLAIN);
    case S_SH_SID: /* CipherSuite cipher_suite */
        return get(r, 2, S_SH_SUITE);
    case S_SH_SUITE: /* CompressionMethod compression_method */
        r->ans.suite = (uint16_t)v;
        return get(r, 1, S_SH_COMP);
    case S_SH_COMP:
        r->ans.compression = (uint8_t)v;
        /* RFC 5246 7.4.1.3: extensions may be absent altogether */
        return top(r) ? get(r, 2, S_SH_EXTLEN) : 0;
    case S_SH_EXTLEN: /* Extension extensions<0..2^16-1> */
        return push(r, v, S_IDLE) || ext_next(r);
    case S_SH_EXTHDR:
        return ext_start(r, v);
    case S_SH_EXT_END:
        return ext_next(r);
    case S_SH_SV:
        r->ans.version = (uint16_t)v;
        if (v == STC_V_TLS13)
            r->ans.flags |= STC_HA_TLS13;
        return 0;
    case S_SH_KS_GROUP:
        r->ans.group = (uint16_t)v;
        /* RFC 8446 4.2.8: a HelloRetryRequest carries only selected_group */
        return (r->ans.flags & STC_HA_HRR) ? 0 : get(r, 2, S_SH_KS_LEN);
    case S_SH_KS_LEN: /* opaque key_exchange<1..2^16-1>: passed, not kept */
        return v ? skip(r, v, S_IDLE, K_PLAIN) : fail(r, STC_HW_FIELD);
    case S_SH_RENEG:
        /* RFC 5746 3.4: on the initial handshake "the client MUST then
         * verify that the length of the "renegotiated_connection" field
         * is zero" */
        if (v == 0)
            r->ans.flags |= STC_HA_RENEG_OK;
        return skip(r, v, S_IDLE, K_PLAIN);
    case S_SH_ECPF_LEN:
        if (v == 0)
            return fail(r, STC_HW_FIELD);
        r->cnt = (uint8_t)v;
        return get(r, 1, S_SH_ECPF);
    case S_SH_ECPF:
        if (v < 8)
            r->ans.point_formats |= (uint8_t)(1u << v);
        return --r->cnt ? get(r, 1, S_SH_ECPF) : 0;
    default: /* S_SH_END */
        return sh_end(r);
    }
}

/* cert_next - the next certificate of the list, or its end */
static int cert_next(stc_hello_rd_t *r)
{
    return top(r) ? get(r, 3, S_CERT_LEN) : 0;
}

/* step_cert - Certificate and ServerKeyExchange states */
static int step_cert(stc_hello_rd_t *r, uint8_t st, uint32_t v)
{
    switch (st) {
    case S_CERT_LISTLEN:
        return push(r, v, S_IDLE) || cert_next(r);
    case S_CERT_LEN: /* opaque ASN.1Cert<1..2^24-1> */
        if (v == 0)
            return fail(r, STC_HW_FIELD);
        if (r->ans.ncerts < STC_HELLO_CERTS_MAX)
            r->ans.cert_len[r->ans.ncerts] = v;
        r->cur_cert = r->ans.ncerts;
        if (r->ans.ncerts < 0xffffu)
            r->ans.ncerts++;
        return skip(r, v, S_CERT_DONE, K_CERT);
    case S_CERT_DONE:
        return cert_next(r);
    case S_CERT_END:
        r->ans.flags |= STC_HA_CERT;
        return 0;
    case S_SKX_HINT:
        return skip(r, v, S_SKX_AFTER_HINT, K_PLAIN);
    case S_SKX_AFTER_HINT:
        return skx_params(r, 1);
    case S_SKX_P_LEN: /* dh_p<1..2^16-1> or rsa_modulus<1..2^16-1> */
        if (v == 0)
            return fail(r, STC_HW_FIELD);
        r->cnt = 0;
        r->ans.skx_bits = 0;
        return skip(r, v, S_SKX_REST, K_BITS);
    case S_SKX_CURVE_TYPE:
        r->ans.curve_type = (uint8_t)v;
        return v == NAMED_CURVE ? get(r, 2, S_SKX_CURVE) : skip_rest(r);
    case S_SKX_CURVE:
        r->ans.skx_group = (uint16_t)v;
        return skip_rest(r);
    case S_SKX_REST: /* the rest (g, Ys, the point, the signature): passed */
        return skip_rest(r);
    default: /* S_SKX_END */
        r->ans.flags |= STC_HA_SKX;
        return 0;
    }
}

/* step_v2 - SSLv2 SERVER-HELLO / ERROR (the SSLv2 draft 2.6, 2.7) */
static int step_v2(stc_hello_rd_t *r, uint8_t st, uint32_t v)
{
    uint32_t cert, specs;

    switch (st) {
    case S_V2_TYPE:
        r->cnt = (uint8_t)v;
        if (v == SSL2_MSG_ERROR) /* char ERROR-CODE-MSB, ERROR-CODE-LSB */
            return get(r, 2, S_V2_ERR);
        if (v != SSL2_MSG_SERVER_HELLO)
            return fail(r, STC_HW_UNEXPECTED);
        return get(r, 2, S_V2_HIT); /* SESSION-ID-HIT, CERTIFICATE-TYPE */
    case S_V2_HIT:
        r->ans.v2_cert_type = (uint8_t)v;
        return get(r, 2, S_V2_VER); /* SERVER-VERSION-MSB/LSB */
    case S_V2_VER:
        r->ans.legacy_version = r->ans.version = (uint16_t)v;
        return get(r, 4, S_V2_LENS); /* CERTIFICATE-LENGTH, CIPHER-SPECS-LENGTH */
    case S_V2_LENS:
        r->skip_total = v; /* kept until the connection-id length is known */
        return get(r, 2, S_V2_CIDLEN);
    case S_V2_CIDLEN:
        cert = r->skip_total >> 16;
        specs = r->skip_total & 0xffffu;
        /* the three fields fill the rest of the record exactly, and
         * "CIPHER-SPECS-DATA ... Each cipher-kind is 3 bytes long" */
        if (cert + specs + v != top(r) || specs % 3)
            return fail(r, STC_HW_LENGTH);
        r->a16 = (uint16_t)(specs / 3);
        r->b16 = (uint16_t)v;
        r->ans.v2_nspecs = r->a16;
        if (cert) {
            r->ans.ncerts = 1;
            r->ans.cert_len[0] = cert;
        }
        r->cur_cert = 0;
        return skip(r, cert, S_V2_CERT_DONE, K_CERT);
    case S_V2_SPEC:
        if (r->ans.v2_nspecs - r->a16 < STC_HELLO_V2_SPECS_MAX)
            r->ans.v2_specs[r->ans.v2_nspecs - r->a16] = v;
        r->a16--;
        /* fall through */
    case S_V2_CERT_DONE:
        return r->a16 ? get(r, 3, S_V2_SPEC) : skip(r, r->b16, S_IDLE, K_PLAIN);
    case S_V2_ERR:
        r->ans.v2_error = (uint16_t)v;
        return 0;
    default: /* S_V2_END */
        return finish(r, r->cnt == SSL2_MSG_ERROR ? STC_ANS_SSL2_ERROR : STC_ANS_SSL2);
    }
}

/* step - a request was satisfied (v = gathered value) or a scope ended;
 * returns 1 when the reader stopped */
static int step(stc_hello_rd_t *r, uint8_t st, uint32_t v)
{
    if (st == S_IDLE)
        return 0;
    if (st == S_HS_HDR)
        return hs_header(r, v);
    if (st <= S_SH_END)
        return step_sh(r, st, v);
    if (st <= S_SKX_END)
        return step_cert(r, st, v);
    return step_v2(r, st, v);
}

/* ---- the record layer ---------------------------------------------------------- */

/* alert - one alert record's bytes (RFC 8446 6: AlertLevel, AlertDescription) */
static void alert(stc_hello_rd_t *r, stc_buf_t *in)
{
    while (r->err == RUNNING && stc_buf_u8(in, &r->alert[r->ahave])) {
        if (++r->ahave < 2)
            continue;
        r->ahave = 0;
        if (r->alert[0] == STC_ALERT_LEVEL_WARNING && r->alert[1] != STC_ALERT_CLOSE_NOTIFY) {
            /* e.g. unrecognized_name before a ServerHello (RFC 6066 3):
             * noted, and the answer goes on */
            r->ans.flags |= STC_HA_WARNING;
            r->ans.warn_desc = r->alert[1];
            continue;
        }
        if (r->alert[0] != STC_ALERT_LEVEL_WARNING && r->alert[0] != STC_ALERT_LEVEL_FATAL) {
            fail(r, STC_HW_FIELD);
            return;
        }
        r->ans.alert_level = r->alert[0];
        r->ans.alert_desc = r->alert[1];
        finish(r, STC_ANS_ALERT);
    }
}

/* record_header - check a gathered 5-byte TLS record header */
static int record_header(stc_hello_rd_t *r)
{
    unsigned type = r->rhdr[0], len = ((unsigned)r->rhdr[3] << 8) | r->rhdr[4];

    /* RFC 5246 6.2.1: ProtocolVersion version: {3, x} for SSLv3 and TLS */
    if (type < CT_CCS || type > CT_APPDATA || r->rhdr[1] != 3)
        return fail(r, STC_HW_RECORD);
    if (len > REC_MAX)
        return fail(r, STC_HW_OVERFLOW);
    /* RFC 5246 6.2.1: "Implementations MUST NOT send zero-length fragments
     * of Handshake, Alert, or ChangeCipherSpec content types." */
    if (len == 0)
        return fail(r, STC_HW_EMPTY);
    /* A ChangeCipherSpec or application data cannot come before the answer
     * we read is complete (a TLS 1.3 server's compatibility CCS follows
     * its ServerHello, where we stopped already). */
    if (type == CT_CCS || type == CT_APPDATA)
        return fail(r, STC_HW_UNEXPECTED);
    r->rtype = (uint8_t)type;
    r->rlen = (uint16_t)len;
    r->rst = R_BODY;
    return 0;
}

/* ssl2_header - a gathered 2-byte SSLv2 record header: "If the most
 * significant bit is set in the first byte of the record length code then
 * the record has no padding and the total header length will be 2 bytes"
 * (the SSLv2 draft 1.2). One record holds the whole message. */
static int ssl2_header(stc_hello_rd_t *r)
{
    unsigned len = ((unsigned)(r->rhdr[0] & 0x7fu) << 8) | r->rhdr[1];

    if (len == 0)
        return fail(r, STC_HW_EMPTY);
    r->rlen = (uint16_t)len;
    r->rst = R_BODY;
    return push(r, len, S_V2_END) || get(r, 1, S_V2_TYPE);
}

/* records - TLS or SSLv2 records from in */
static void records(stc_hello_rd_t *r, stc_buf_t *in)
{
    unsigned hlen = r->mode == M_SSL2 ? 2u : 5u;

    while (r->err == RUNNING && stc_buf_left(in) > 0) {
        stc_buf_t body;
        size_t k;
        if (r->rst == R_HDR) {
            stc_buf_u8(in, &r->rhdr[r->rhave++]);
            if (r->rhave == hlen) {
                r->rhave = 0;
                if (r->mode == M_SSL2)
                    ssl2_header(r);
                else
                    record_header(r);
            }
            continue;
        }
        k = stc_buf_left(in) < r->rlen ? stc_buf_left(in) : r->rlen;
        stc_buf_init(&body, in->p + in->off, k);
        if (r->mode == M_SSL2 || r->rtype == CT_HANDSHAKE)
            fields(r, &body);
        else
            alert(r, &body);
        stc_buf_skip(in, body.off);
        r->rlen = (uint16_t)(r->rlen - body.off);
        if (r->rlen == 0)
            r->rst = R_HDR;
    }
}

/* text - an answer in plain text: kept sanitized up to the end of its
 * first line or STC_HELLO_TEXT_MAX - 1 bytes */
static void text(stc_hello_rd_t *r, stc_buf_t *in)
{
    uint8_t c;

    while (r->err == RUNNING && stc_buf_u8(in, &c)) {
        if (c == '\n') {
            finish(r, STC_ANS_TEXT);
            break;
        }
        if (c != '\r')
            text_put(r, c);
        if (r->textlen + 1u >= sizeof r->ans.text)
            finish(r, STC_ANS_TEXT);
    }
}

/* sniff - what the first byte says the answer is */
static void sniff(stc_hello_rd_t *r, stc_buf_t *in)
{
    stc_buf_t peek = *in;
    uint8_t c = 0;

    stc_buf_u8(&peek, &c);
    if (c >= CT_CCS && c <= CT_APPDATA) {
        r->mode = M_TLS;
    } else if (c & 0x80u) {
        r->mode = M_SSL2;
    } else if ((c >= 0x20 && c < 0x7f) || c == '\t' || c == '\r' || c == '\n') {
        r->mode = M_TEXT;
    } else {
        /* the first byte in hex: the same however the input was split */
        static const char hex[] = "0123456789abcdef";
        text_put(r, (uint8_t)hex[c >> 4]);
        text_put(r, (uint8_t)hex[c & 15]);
        fail(r, STC_HW_NOT_TLS);
    }
}

/* ---- API ---------------------------------------------------------------------------- */

/* stc_hello_rd_init - a fresh reader */
void stc_hello_rd_init(stc_hello_rd_t *r, stc_hello_cert_fn cb, void *ctx)
{
    memset(r, 0, sizeof *r);
    r->cert_cb = cb;
    r->cert_ctx = ctx;
    r->err = RUNNING;
}

/* stc_hello_rd_feed - consume what arrived; see tls_hello.h */
int stc_hello_rd_feed(stc_hello_rd_t *r, const uint8_t *p, size_t n, size_t *used)
{
    stc_buf_t in;
    size_t room = STC_HELLO_ANSWER_MAX - r->ans.bytes;

    *used = 0;
    if (r->err != RUNNING || n == 0)
        return r->err;
    if (room == 0) {
        toolong(r, STC_HLIM_ANSWER);
        return r->err;
    }
    stc_buf_init(&in, p, n < room ? n : room);
    if (r->mode == M_SNIFF)
        sniff(r, &in);
    if (r->mode == M_TEXT)
        text(r, &in);
    else if (r->mode != M_SNIFF)
        records(r, &in);
    *used = in.off;
    r->ans.bytes += (uint32_t)in.off;
    if (r->err == RUNNING && in.off < n && r->ans.bytes >= STC_HELLO_ANSWER_MAX)
        toolong(r, STC_HLIM_ANSWER);
    return r->err;
}

/* stc_hello_rd_eof - the peer closed; see tls_hello.h */
int stc_hello_rd_eof(stc_hello_rd_t *r)
{
    if (r->err != RUNNING)
        return r->err;
    if (r->mode == M_TEXT) {
        finish(r, STC_ANS_TEXT);
        return r->err;
    }
    if (r->ans.bytes == 0) {
        r->err = STC_ECLOSED;
        return r->err;
    }
    r->ans.why = STC_HW_TRUNCATED;
    r->err = STC_ERESET;
    return r->err;
}
