/* tls_hello.c - build ClientHellos for probes: a TLS record with any
 * version, suites, compression methods and extensions, and the SSLv2
 * CLIENT-HELLO
 *
 * Everything is written through a stc_wbuf_t (src/buf.h): a hello that
 * does not fit the caller's buffer (the engine's 768-byte transmit buffer
 * on a host, 640 on the board) makes the cursor bad and returns
 * STC_ETOOLONG; nothing is written past its capacity. No randomness here:
 * the caller supplies the 32-byte random (and the x25519 share).
 */
#include "tls_hello.h"
#include "stc_int.h"

#define REC_HANDSHAKE 22u  /* RFC 5246 6.2.1 ContentType handshake(22) */
#define HS_CLIENT_HELLO 1u /* RFC 5246 7.4 HandshakeType client_hello(1) */
#define RANDOM_LEN 32u

/* Extension types (IANA TLS ExtensionType Values). */
#define EXT_SERVER_NAME 0u
#define EXT_SUPPORTED_GROUPS 10u
#define EXT_POINT_FORMATS 11u
#define EXT_SIG_ALGS 13u
#define EXT_EMS 23u
#define EXT_SUPPORTED_VERSIONS 43u
#define EXT_PSK_MODES 45u
#define EXT_KEY_SHARE 51u
#define EXT_RENEG_INFO 0xff01u

#define X25519_LEN 32u /* RFC 8446 4.2.8.2: X25519 shares are 32 bytes */

/* signature_algorithms (RFC 8446 4.2.3 SignatureScheme, RFC 5246
 * 7.4.1.4.1 hash/signature pairs): broad on purpose, SHA-1 and DSA
 * included, so that a probe is never refused over the server's
 * certificate; the probe verifies no signature. */
static const uint16_t sig_algs[] = {
    0x0403, 0x0503, 0x0603,         /* ecdsa_secp256r1_sha256 .. secp521r1_sha512 */
    0x0807, 0x0808,                 /* ed25519, ed448 */
    0x0804, 0x0805, 0x0806,         /* rsa_pss_rsae_sha256 .. sha512 */
    0x0809, 0x080a, 0x080b,         /* rsa_pss_pss_sha256 .. sha512 */
    0x0401, 0x0501, 0x0601,         /* rsa_pkcs1_sha256 .. sha512 */
    0x0303, 0x0301, 0x0402, 0x0302, /* ecdsa/rsa sha224, dsa sha256, dsa sha224 */
    0x0203, 0x0201, 0x0202,         /* ecdsa_sha1, rsa_pkcs1_sha1, dsa_sha1 */
};

/* put_u16s - a vector of 16-bit values with a `width`-byte length prefix */
static void put_u16s(stc_wbuf_t *w, unsigned width, const uint16_t *v, size_t n)
{
    size_t mark = stc_wbuf_open(w, width), i;
    for (i = 0; i < n; i++)
        stc_wbuf_u16(w, v[i]);
    stc_wbuf_close(w, mark, width);
}

/* ext_open - extension type and a 2-byte length to close later
 * (RFC 5246 7.4.1.4: struct { ExtensionType extension_type;
 * opaque extension_data<0..2^16-1>; } Extension;) */
static size_t ext_open(stc_wbuf_t *w, unsigned type)
{
    stc_wbuf_u16(w, type);
    return stc_wbuf_open(w, 2);
}

/* sni_len - length of the host name to send, 0 for none (IP literal) or
 * (size_t)-1 for a name we cannot send */
static size_t sni_len(const char *sni)
{
    stc_ip_t ip;
    size_t n;

    /* RFC 6066 3: "Literal IPv4 and IPv6 addresses are not permitted in
     * "HostName"." */
    if (stc_ip_parse(sni, &ip))
        return 0;
    if (stc_name_check(sni) != STC_NAME_OK)
        return (size_t)-1;
    n = strlen(sni);
    /* RFC 6066 3: "The hostname is represented as a byte string using
     * ASCII encoding without a trailing dot." */
    if (n > 0 && sni[n - 1] == '.')
        n--;
    return n;
}

/* put_sni - server_name with one host_name entry (RFC 6066 3) */
static void put_sni(stc_wbuf_t *w, const char *sni, size_t n)
{
    size_t e = ext_open(w, EXT_SERVER_NAME), list;

    list = stc_wbuf_open(w, 2);     /* ServerName server_name_list<1..2^16-1> */
    stc_wbuf_u8(w, 0);              /* NameType host_name(0) */
    stc_wbuf_u16(w, (unsigned)n);   /* HostName opaque<1..2^16-1> */
    stc_wbuf_bytes(w, sni, n);
    stc_wbuf_close(w, list, 2);
    stc_wbuf_close(w, e, 2);
}

/* list_ext - an extension holding one vector of 16-bit values with a
 * `width`-byte length */
static void list_ext(stc_wbuf_t *w, unsigned type, unsigned width, const uint16_t *v, size_t n)
{
    size_t e = ext_open(w, type);
    put_u16s(w, width, v, n);
    stc_wbuf_close(w, e, 2);
}

/* bytes_ext - an extension with fixed content */
static void bytes_ext(stc_wbuf_t *w, unsigned type, const uint8_t *v, size_t n)
{
    size_t e = ext_open(w, type);
    stc_wbuf_bytes(w, v, n);
    stc_wbuf_close(w, e, 2);
}

/* put_extensions - the extensions the flags ask for, in a fixed order */
static void put_extensions(stc_wbuf_t *w, const stc_hello_spec_t *s, size_t sni)
{
    /* RFC 8422 5.1.2: ECPointFormat ec_point_format_list<1..2^8-1>;
     * uncompressed(0) is the only format TLS 1.2 still defines */
    static const uint8_t point_formats[] = {1, 0};
    /* RFC 8446 4.2.9: PskKeyExchangeMode ke_modes<1..255>; psk_dhe_ke(1) */
    static const uint8_t psk_modes[] = {1, 1};
    /* RFC 5746 3.4: on the initial handshake the client sends the
     * extension with an empty renegotiated_connection<0..255> */
    static const uint8_t reneg[] = {0};
    size_t all = stc_wbuf_open(w, 2), e;

    if ((s->flags & STC_HX_SNI) && sni > 0)
        put_sni(w, s->sni, sni);
    /* RFC 8422 5.1.1 / RFC 8446 4.2.7: NamedGroup named_group_list<2..2^16-1> */
    if (s->flags & STC_HX_GROUPS)
        list_ext(w, EXT_SUPPORTED_GROUPS, 2, s->groups, s->ngroups);
    if (s->flags & STC_HX_POINT_FORMATS)
        bytes_ext(w, EXT_POINT_FORMATS, point_formats, sizeof point_formats);
    /* RFC 8446 4.2.3: SignatureScheme supported_signature_algorithms<2..2^16-2> */
    if (s->flags & STC_HX_SIG_ALGS)
        list_ext(w, EXT_SIG_ALGS, 2, sig_algs, sizeof sig_algs / sizeof sig_algs[0]);
    /* RFC 7627 5.1: "The "extension_data" field of this extension is empty." */
    if (s->flags & STC_HX_EMS)
        bytes_ext(w, EXT_EMS, NULL, 0);
    /* RFC 8446 4.2.1: ProtocolVersion versions<2..254> */
    if (s->flags & STC_HX_VERSIONS)
        list_ext(w, EXT_SUPPORTED_VERSIONS, 1, s->versions, s->nversions);
    if (s->flags & STC_HX_PSK_MODES)
        bytes_ext(w, EXT_PSK_MODES, psk_modes, sizeof psk_modes);
    if (s->flags & STC_HX_KEY_SHARE) {
        /* RFC 8446 4.2.8: KeyShareEntry client_shares<0..2^16-1>; "Clients
         * MAY send an empty client_shares vector in order to request group
         * selection from the server, at the cost of an additional round
         * trip": the HelloRetryRequest then names the group it picked. */
        size_t list;
        e = ext_open(w, EXT_KEY_SHARE);
        list = stc_wbuf_open(w, 2);
        if (s->x25519) {
            stc_wbuf_u16(w, STC_GROUP_X25519);
            stc_wbuf_u16(w, X25519_LEN); /* opaque key_exchange<1..2^16-1> */
            stc_wbuf_bytes(w, s->x25519, X25519_LEN);
        }
        stc_wbuf_close(w, list, 2);
        stc_wbuf_close(w, e, 2);
    }
    if (s->flags & STC_HX_RENEG_INFO)
        bytes_ext(w, EXT_RENEG_INFO, reneg, sizeof reneg);
    stc_wbuf_close(w, all, 2);
}

/* spec_ok - the arguments make a hello we are willing to send */
static int spec_ok(const stc_hello_spec_t *s, size_t *sni)
{
    size_t extra = ((s->flags & STC_HF_RENEG_SCSV) ? 1 : 0) +
                   ((s->flags & STC_HF_FALLBACK_SCSV) ? 1 : 0);

    *sni = 0;
    if (!s->random || (!s->suites && s->nsuites) || s->nsuites + extra == 0)
        return 0;
    /* RFC 5246 7.4.1.2: CipherSuite cipher_suites<2..2^16-2> */
    if (s->nsuites + extra > 0x7fff)
        return 0;
    /* RFC 8446 4.2.7: named_group_list<2..2^16-1>; 4.2.1: versions<2..254> */
    if ((s->flags & STC_HX_GROUPS) && (!s->groups || s->ngroups == 0 || s->ngroups > 0x7fff))
        return 0;
    if ((s->flags & STC_HX_VERSIONS) && (!s->versions || s->nversions == 0 || s->nversions > 127))
        return 0;
    if ((s->flags & STC_HX_SNI) && s->sni) {
        *sni = sni_len(s->sni);
        if (*sni == (size_t)-1)
            return 0;
    }
    return 1;
}

/* stc_hello_build - one record with one ClientHello (RFC 5246 7.4.1.2,
 * RFC 8446 4.1.2) */
int stc_hello_build(stc_wbuf_t *w, const stc_hello_spec_t *s)
{
    size_t sni, rec, hs, list, i;

    if (!w || !s || !spec_ok(s, &sni))
        return STC_EINVAL;
    if (w->bad)
        return STC_ETOOLONG;

    /* RFC 5246 6.2.1 TLSPlaintext: type, version, uint16 length. RFC 8446
     * 5.1: legacy_record_version "MAY also be 0x0301 for compatibility
     * purposes" in an initial ClientHello; SSLv3 probes use 0x0300. */
    stc_wbuf_u8(w, REC_HANDSHAKE);
    stc_wbuf_u16(w, s->record_version);
    rec = stc_wbuf_open(w, 2);

    /* RFC 5246 7.4: HandshakeType msg_type; uint24 length */
    stc_wbuf_u8(w, HS_CLIENT_HELLO);
    hs = stc_wbuf_open(w, 3);

    /* client_version: the highest version offered for <= 1.2; RFC 8446
     * 4.1.2: a TLS 1.3 hello's "legacy_version field MUST be set to
     * 0x0303" (and the versions go in supported_versions) */
    stc_wbuf_u16(w, s->client_version);
    stc_wbuf_bytes(w, s->random, RANDOM_LEN);
    /* SessionID session_id<0..32>: empty, no resumption */
    stc_wbuf_u8(w, 0);

    /* CipherSuite cipher_suites<2..2^16-2> */
    list = stc_wbuf_open(w, 2);
    for (i = 0; i < s->nsuites; i++)
        stc_wbuf_u16(w, s->suites[i]);
    /* RFC 5746 3.3: the client "MUST include either an empty
     * renegotiation_info extension, or the
     * TLS_EMPTY_RENEGOTIATION_INFO_SCSV signaling cipher suite value" */
    if (s->flags & STC_HF_RENEG_SCSV)
        stc_wbuf_u16(w, STC_SCSV_RENEG);
    /* RFC 7507 4: a client offering less than its highest version "SHOULD
     * include the TLS_FALLBACK_SCSV cipher suite value" */
    if (s->flags & STC_HF_FALLBACK_SCSV)
        stc_wbuf_u16(w, STC_SCSV_FALLBACK);
    stc_wbuf_close(w, list, 2);

    /* CompressionMethod compression_methods<1..2^8-1>; RFC 5246 7.4.1.2:
     * "this vector MUST contain, and all implementations MUST support,
     * CompressionMethod.null". DEFLATE (RFC 3749 2: value 1) first when
     * the probe asks whether the server compresses (CRIME); RFC 8446
     * 4.1.2 wants exactly one null byte in a TLS 1.3 hello. */
    if (s->flags & STC_HF_DEFLATE) {
        stc_wbuf_u8(w, 2);
        stc_wbuf_u8(w, 1);
    } else {
        stc_wbuf_u8(w, 1);
    }
    stc_wbuf_u8(w, 0);

    /* RFC 5246 7.4.1.2: extensions are optional ("the presence of
     * extensions can be detected by determining whether there are bytes
     * following the compression_methods"); an SSLv3 probe sends none. */
    if (s->flags & (STC_HX_SNI | STC_HX_GROUPS | STC_HX_POINT_FORMATS | STC_HX_SIG_ALGS |
                    STC_HX_RENEG_INFO | STC_HX_EMS | STC_HX_VERSIONS | STC_HX_KEY_SHARE |
                    STC_HX_PSK_MODES))
        put_extensions(w, s, sni);

    stc_wbuf_close(w, hs, 3);
    stc_wbuf_close(w, rec, 2);
    if (w->bad)
        return STC_ETOOLONG;
    /* RFC 5246 6.2.1: "The length MUST NOT exceed 2^14." */
    if (w->off - rec - 2 > 16384)
        return STC_EINVAL;
    return STC_OK;
}

/* stc_hello_build_v2 - SSLv2 CLIENT-HELLO (the SSLv2 draft 2.5, RFC 5246
 * E.2 for its TLS-compatible form) */
int stc_hello_build_v2(stc_wbuf_t *w, uint16_t version, const uint32_t *specs,
                       size_t nspecs, const uint8_t *challenge, size_t clen)
{
    size_t i, body;

    if (!w || !specs || nspecs == 0 || !challenge)
        return STC_EINVAL;
    /* RFC 5246 E.2: challenge_length "Historically, permissible values
     * are between 16 and 32 bytes inclusive." */
    if (clen < 16 || clen > 32)
        return STC_EINVAL;
    body = 9 + 3 * nspecs + clen;
    /* RFC 5246 E.2: "The highest bit MUST be 1; the remaining bits
     * contain the length of the following data in bytes." */
    if (nspecs > 0x7fff / 3 || body > 0x7fff)
        return STC_EINVAL;
    if (w->bad)
        return STC_ETOOLONG;
    stc_wbuf_u16(w, 0x8000u | (unsigned)body);
    stc_wbuf_u8(w, 1);                      /* MSG-CLIENT-HELLO */
    stc_wbuf_u16(w, version);               /* CLIENT-VERSION */
    stc_wbuf_u16(w, (unsigned)(3 * nspecs)); /* CIPHER-SPECS-LENGTH */
    stc_wbuf_u16(w, 0);                     /* SESSION-ID-LENGTH: none */
    stc_wbuf_u16(w, (unsigned)clen);        /* CHALLENGE-LENGTH */
    for (i = 0; i < nspecs; i++)            /* CIPHER-SPECS-DATA, 3 bytes each */
        stc_wbuf_u24(w, specs[i] & 0xffffffu);
    stc_wbuf_bytes(w, challenge, clen);     /* CHALLENGE-DATA */
    return w->bad ? STC_ETOOLONG : STC_OK;
}
