/* names.c - domain name checks, IP literals, certificate and policy matching
 *
 * Everything here is ASCII-only on purpose: the core sees A-labels, and
 * locale-dependent <ctype.h> would make "I" and "i" differ under tr_TR.
 */
#include "stc_int.h"

#include <string.h>

/* lower - ASCII lower case */
static uint8_t lower(uint8_t ch)
{
    return (ch >= 'A' && ch <= 'Z') ? (uint8_t)(ch - 'A' + 'a') : ch;
}

/* is_digit - ASCII decimal digit */
static int is_digit(uint8_t ch)
{
    return ch >= '0' && ch <= '9';
}

/* hex_val - value of an ASCII hex digit, or -1 */
static int hex_val(uint8_t ch)
{
    if (is_digit(ch))
        return ch - '0';
    ch = lower(ch);
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    return -1;
}

/* ieq - ASCII case-insensitive equality of two counted strings */
static int ieq(const char *a, size_t na, const char *b, size_t nb)
{
    size_t i;

    if (na != nb)
        return 0;
    for (i = 0; i < na; i++)
        if (lower((uint8_t)a[i]) != lower((uint8_t)b[i]))
            return 0;
    return 1;
}

/* find - index of the first ch in s[0..n), or n */
static size_t find(const char *s, size_t n, char ch)
{
    size_t i = 0;

    while (i < n && s[i] != ch)
        i++;
    return i;
}

/* len_nodot - length of s without one trailing dot */
static size_t len_nodot(const char *s)
{
    size_t n = strlen(s);

    return (n > 0 && s[n - 1] == '.') ? n - 1 : n;
}

/* ---- Domain names ---------------------------------------------------------- */

/* stc_name_check - classify a presentation-form name; see stc_int.h */
int stc_name_check(const char *s)
{
    size_t n, i, label = 0;

    for (n = 0; s[n] != '\0'; n++)
        if ((uint8_t)s[n] >= 0x80)
            return STC_NAME_NOT_ASCII; /* a U-label: the caller maps it first */
    if (n > 0 && s[n - 1] == '.')
        n--;
    /* RFC 1035 2.3.4: "names 255 octets or less" on the wire, which is 253
     * characters in presentation form without the trailing dot. */
    if (n == 0 || n > STC_NAME_MAX)
        return STC_NAME_BAD;
    for (i = 0; i <= n; i++) {
        uint8_t ch = i < n ? (uint8_t)s[i] : '.';
        if (ch == '.') {
            /* RFC 1035 2.3.4: "labels 63 octets or less"; no empty label */
            if (label == 0 || label > 63)
                return STC_NAME_BAD;
            /* RFC 952/1123: a label does not start or end with a hyphen */
            if (s[i - label] == '-' || s[i - 1] == '-')
                return STC_NAME_BAD;
            label = 0;
            continue;
        }
        /* RFC 1123 2.1 letters, digits, hyphen; "_" occurs in real MX names */
        if (!(is_digit(ch) || (lower(ch) >= 'a' && lower(ch) <= 'z') || ch == '-' ||
              ch == '_'))
            return STC_NAME_BAD;
        label++;
    }
    return STC_NAME_OK;
}

/* ---- IP literals ----------------------------------------------------------- */

/* parse4 - strict dotted quad s[0..n): 4 decimal parts 0..255, no leading
 * zeros (inet_aton would read "010" as octal 8: refuse the ambiguity) */
static int parse4(const char *s, size_t n, uint8_t out[4])
{
    size_t i = 0;
    int part;

    for (part = 0; part < 4; part++) {
        unsigned v = 0, digits = 0;
        if (part > 0) {
            if (i >= n || s[i] != '.')
                return 0;
            i++;
        }
        while (i < n && is_digit((uint8_t)s[i]) && digits < 4) {
            v = v * 10 + (unsigned)(s[i] - '0');
            digits++;
            i++;
        }
        if (digits == 0 || digits > 3 || v > 255)
            return 0;
        if (digits > 1 && s[i - digits] == '0')
            return 0;
        out[part] = (uint8_t)v;
    }
    return i == n;
}

/* parse6 - RFC 4291 2.2 text forms: 8 groups, one "::", IPv4 tail */
static int parse6(const char *s, uint8_t out[16])
{
    uint16_t g[8];
    int ng = 0, gap = -1, k;
    size_t i = 0, n = strlen(s);

    if (n >= 2 && s[0] == ':' && s[1] == ':') {
        gap = 0;
        i = 2;
    } else if (n >= 1 && s[0] == ':') {
        return 0; /* a lone leading colon */
    }
    while (i < n) {
        size_t start = i;
        unsigned v = 0;
        int h;

        while (i < n && i - start < 5 && (h = hex_val((uint8_t)s[i])) >= 0) {
            v = (v << 4) | (unsigned)h;
            i++;
        }
        if (i < n && s[i] == '.') {
            /* RFC 4291 2.2 form 3: "x:x:x:x:x:x:d.d.d.d", the low 32 bits */
            uint8_t q[4];
            if (ng > 6 || !parse4(s + start, n - start, q))
                return 0;
            g[ng++] = (uint16_t)(q[0] << 8 | q[1]);
            g[ng++] = (uint16_t)(q[2] << 8 | q[3]);
            i = n;
            break;
        }
        if (i == start || i - start > 4 || ng == 8)
            return 0;
        g[ng++] = (uint16_t)v;
        if (i == n)
            break;
        if (s[i] != ':')
            return 0;
        i++;
        if (i < n && s[i] == ':') {
            /* "The use of "::" indicates one or more groups of 16 bits of
             * zeros. The "::" can only appear once in an address." */
            if (gap >= 0)
                return 0;
            gap = ng;
            i++;
        } else if (i == n) {
            return 0; /* a lone trailing colon */
        }
    }
    if (gap >= 0) {
        if (ng > 7)
            return 0; /* "::" must stand for at least one group */
        for (k = 7; k >= 0; k--) {
            int src = k - (8 - ng);
            if (k >= gap + (8 - ng))
                g[k] = g[src];
            else if (k >= gap)
                g[k] = 0;
        }
    } else if (ng != 8) {
        return 0;
    }
    for (k = 0; k < 8; k++) {
        out[2 * k] = (uint8_t)(g[k] >> 8);
        out[2 * k + 1] = (uint8_t)(g[k] & 0xff);
    }
    return 1;
}

/* stc_ip_parse - IPv4 or IPv6 literal (no brackets, no zone); fills *ip */
int stc_ip_parse(const char *s, stc_ip_t *ip)
{
    stc_ip_t t;

    memset(&t, 0, sizeof t);
    if (strchr(s, ':') != NULL) {
        if (!parse6(s, t.addr))
            return 0;
        t.family = 6;
    } else {
        if (!parse4(s, strlen(s), t.addr))
            return 0;
        t.family = 4;
    }
    *ip = t;
    return 1;
}

/* put_dec - append v (0..255) in decimal */
static size_t put_dec(char *p, unsigned v)
{
    size_t n = 0;

    if (v >= 100)
        p[n++] = (char)('0' + v / 100);
    if (v >= 10)
        p[n++] = (char)('0' + v / 10 % 10);
    p[n++] = (char)('0' + v % 10);
    return n;
}

/* put_quad - append a dotted quad */
static size_t put_quad(char *p, const uint8_t *a)
{
    size_t n = 0;
    int i;

    for (i = 0; i < 4; i++) {
        if (i > 0)
            p[n++] = '.';
        n += put_dec(p + n, a[i]);
    }
    return n;
}

/* stc_ip_text - presentation form; IPv6 as RFC 5952 section 4 */
const char *stc_ip_text(const stc_ip_t *ip, char *buf, size_t cap)
{
    static const char hex[] = "0123456789abcdef";
    uint16_t g[8];
    int k, best = -1, bestlen = 0, run;
    size_t n = 0;

    if (cap == 0)
        return buf;
    buf[0] = '\0';
    /* 46 = INET6_ADDRSTRLEN: the longest form with its NUL */
    if (cap < 46)
        return buf;
    if (ip->family == 4) {
        n = put_quad(buf, ip->addr);
        buf[n] = '\0';
        return buf;
    }
    if (ip->family != 6)
        return buf;
    for (k = 0; k < 8; k++)
        g[k] = (uint16_t)(ip->addr[2 * k] << 8 | ip->addr[2 * k + 1]);
    /* RFC 5952 5: IPv4-mapped addresses are written ::ffff:192.0.2.1 */
    if (g[0] == 0 && g[1] == 0 && g[2] == 0 && g[3] == 0 && g[4] == 0 && g[5] == 0xffff) {
        memcpy(buf, "::ffff:", 7);
        n = 7 + put_quad(buf + 7, ip->addr + 12);
        buf[n] = '\0';
        return buf;
    }
    /* RFC 5952 4.2.1-4.2.3: "::" for the longest run of two or more zero
     * groups; "When there is an alternative choice in the placement of a
     * "::", the longest run ... MUST be shortened"; on a tie the first. */
    for (k = 0; k < 8; k += run > 0 ? run : 1) {
        run = 0;
        while (k + run < 8 && g[k + run] == 0)
            run++;
        if (run >= 2 && run > bestlen) {
            best = k;
            bestlen = run;
        }
    }
    for (k = 0; k < 8; k++) {
        int shift, started = 0;
        if (k == best) {
            buf[n++] = ':';
            buf[n++] = ':';
            k += bestlen - 1;
            continue;
        }
        if (k > 0 && k != best + bestlen)
            buf[n++] = ':';
        /* RFC 5952 4.1: "Leading zeros MUST be suppressed"; 4.3: lower case */
        for (shift = 12; shift >= 0; shift -= 4) {
            unsigned d = (g[k] >> shift) & 0xfu;
            if (d != 0 || started || shift == 0) {
                buf[n++] = hex[d];
                started = 1;
            }
        }
    }
    buf[n] = '\0';
    return buf;
}

/* ---- Matching -------------------------------------------------------------- */

/* is_ip4_text - s[0..n) is a dotted-quad IPv4 literal */
static int is_ip4_text(const char *s, size_t n)
{
    uint8_t q[4];

    return parse4(s, n, q);
}

/* stc_name_match_cert - RFC 6125 6.4.3 DNS-ID matching; see stc_int.h */
int stc_name_match_cert(const char *pattern, const char *host)
{
    size_t np = len_nodot(pattern), nh = len_nodot(host), i, dot;
    const char *suf;
    size_t ns;

    if (np == 0 || nh == 0)
        return 0;
    if (find(host, nh, '*') != nh)
        return 0; /* a host name is never itself a wildcard */
    if (find(pattern, np, '*') == np)
        return ieq(pattern, np, host, nh);
    /* RFC 6125 6.4.3: "the client SHOULD NOT attempt to match a presented
     * identifier in which the wildcard character comprises a label other
     * than the left-most label". We go further and accept the wildcard
     * only as the complete left-most label ("*.example.org"): partial
     * labels ("m*.example.org", "xn--*") are not matched at all. */
    if (np < 2 || pattern[0] != '*' || pattern[1] != '.')
        return 0;
    suf = pattern + 2;
    ns = np - 2;
    if (find(suf, ns, '*') != ns)
        return 0;
    /* The suffix needs two or more non-empty labels: no "*.org". */
    if (ns == 0 || suf[0] == '.' || suf[ns - 1] == '.' || find(suf, ns, '.') == ns)
        return 0;
    for (i = 0; i + 1 < ns; i++)
        if (suf[i] == '.' && suf[i + 1] == '.')
            return 0;
    /* An IP literal host is matched against iPAddress SANs, never a
     * wildcard (RFC 6125 1.7.2 leaves IP identities out of DNS-IDs). */
    if (find(host, nh, ':') != nh || is_ip4_text(host, nh))
        return 0;
    /* "*" stands for exactly one non-empty label. */
    dot = find(host, nh, '.');
    if (dot == 0 || dot == nh)
        return 0;
    return ieq(host + dot + 1, nh - dot - 1, suf, ns);
}

/* stc_name_match_policy - the original tool's policyMatches (RFC 8461
 * Appendix B style); see stc_int.h.
 *
 * Kept as the original behaves: the host loses one trailing dot, then
 * everything from its last ':' (a port), and is compared case-insensitively
 * with the pattern as given (the pattern keeps any trailing dot). A
 * "*.suffix" or ".suffix" pattern matches when what follows the host's
 * first '.' equals suffix. One deliberate difference: an empty pattern
 * matches nothing (the original would match an empty host). */
int stc_name_match_policy(const char *pattern, const char *host)
{
    size_t np = strlen(pattern), nh = strlen(host), colon, dot;
    const char *suf;
    size_t ns;

    if (np == 0)
        return 0;
    if (nh > 0 && host[nh - 1] == '.')
        nh--;
    /* the last ':' in host[0..nh), if any, starts a port */
    for (colon = nh; colon > 0 && host[colon - 1] != ':'; colon--)
        ;
    if (colon > 0)
        nh = colon - 1;
    if (ieq(pattern, np, host, nh))
        return 1;
    if (pattern[0] == '*' && np >= 2 && pattern[1] == '.') {
        suf = pattern + 2;
        ns = np - 2;
    } else if (pattern[0] == '.') {
        suf = pattern + 1;
        ns = np - 1;
    } else {
        return 0;
    }
    dot = find(host, nh, '.');
    if (dot == nh)
        return 0;
    return ieq(host + dot + 1, nh - dot - 1, suf, ns);
}

/* port_parse - 1..65535 from all of s[0..n); 0 when not a port */
static uint16_t port_parse(const char *s, size_t n)
{
    uint32_t v = 0;
    size_t i;
    if (n == 0 || n > 5)
        return 0;
    for (i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return 0;
        v = v * 10u + (uint32_t)(s[i] - '0');
    }
    return v >= 1 && v <= 65535 ? (uint16_t)v : 0;
}

/* stc_hostport_parse - split "host[:port]", "[v6]:port" or a bare IPv6 */
int stc_hostport_parse(const char *spec, char *host, size_t cap, uint16_t *port)
{
    const char *colon = strchr(spec, ':'), *hs = spec;
    size_t hn = strlen(spec);
    uint16_t pv = 0;

    if (spec[0] == '[') {
        const char *rb = strchr(spec, ']');
        if (rb == NULL)
            return STC_EINVAL;
        hs = spec + 1;
        hn = (size_t)(rb - hs);
        if (rb[1] == ':') {
            pv = port_parse(rb + 2, strlen(rb + 2));
            if (pv == 0)
                return STC_EINVAL;
        } else if (rb[1] != '\0') {
            return STC_EINVAL;
        }
    } else if (colon && strchr(colon + 1, ':') == NULL) {
        /* exactly one colon: host:port (two or more: a bare IPv6 literal) */
        hn = (size_t)(colon - spec);
        pv = port_parse(colon + 1, strlen(colon + 1));
        if (pv == 0)
            return STC_EINVAL;
    }
    if (hn == 0 || hn >= cap)
        return STC_EINVAL;
    memcpy(host, hs, hn);
    host[hn] = '\0';
    if (pv)
        *port = pv;
    return STC_OK;
}

/* stc_ip_parse_n - an address token: [brackets] and %scope allowed */
int stc_ip_parse_n(const char *s, size_t n, stc_ip_t *ip)
{
    char buf[64];
    size_t i;

    if (n >= 2 && s[0] == '[' && s[n - 1] == ']') {
        s++;
        n -= 2;
    }
    for (i = 0; i < n && s[i] != '%'; i++)
        ; /* a scope id means nothing to a resolver address: dropped */
    if (i == 0 || i >= sizeof buf)
        return 0;
    memcpy(buf, s, i);
    buf[i] = '\0';
    return stc_ip_parse(buf, ip);
}
