/* fuzz_names.c - libFuzzer target for names.c and json.c's neighbours
 *
 * Input: byte 0 selects the function; the rest is split at its first NUL
 * into two strings a and b (b = "" when there is none). Properties checked:
 * - stc_name_check returns one of its three values, OK only for names that
 *   fit the limits;
 * - both matchers return 0/1 and ignore ASCII case;
 * - a certificate pattern without '*' matches exactly when the names are
 *   equal (stc_name_eq), and a wildcard never matches an IP literal;
 * - stc_ip_parse(stc_ip_text(ip)) == ip, for parsed text and for raw
 *   addresses, and the text is a fixed point (canonical);
 * - on POSIX hosts, parsing agrees with inet_pton and the text with
 *   inet_ntop (outside ::/96, which glibc writes in the deprecated
 *   "::a.b.c.d" form that RFC 5952 does not ask for).
 */
#if defined(__unix__) && !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200112L /* inet_pton under -std=c99 */
#endif
#include "stc_int.h"

#include <stdlib.h>
#include <string.h>
#ifdef __unix__
#include <arpa/inet.h>
#include <sys/socket.h>
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CAP 600

/* upper - ASCII upper-case copy */
static void upper(char *dst, const char *src)
{
    size_t i;

    for (i = 0; src[i] != '\0'; i++)
        dst[i] = (src[i] >= 'a' && src[i] <= 'z') ? (char)(src[i] - 'a' + 'A') : src[i];
    dst[i] = '\0';
}

/* against_libc - compare with the platform's parser and printer */
static void against_libc(const char *s, const stc_ip_t *ip, int ok)
{
#ifdef __unix__
    uint8_t buf[16];
    char t[64], mine[64];
    int v6 = strchr(s, ':') != NULL;
    int lr = inet_pton(v6 ? AF_INET6 : AF_INET, s, buf);

    if ((lr == 1) != (ok == 1))
        abort();
    if (!ok)
        return;
    if (memcmp(buf, ip->addr, v6 ? 16 : 4) != 0)
        abort();
    if (v6) {
        static const uint8_t zero12[12] = {0};
        if (memcmp(ip->addr, zero12, 12) == 0)
            return;
        if (!inet_ntop(AF_INET6, ip->addr, t, sizeof t))
            abort();
    } else if (!inet_ntop(AF_INET, ip->addr, t, sizeof t)) {
        abort();
    }
    if (strcmp(t, stc_ip_text(ip, mine, sizeof mine)) != 0)
        abort();
#else
    (void)s;
    (void)ip;
    (void)ok;
#endif
}

/* round_trip - text an address, parse it back, insist on equality */
static void round_trip(const stc_ip_t *ip)
{
    char t[64], t2[64];
    stc_ip_t back;
    size_t i;

    stc_ip_text(ip, t, sizeof t);
    if (ip->family != 4 && ip->family != 6) {
        if (t[0] != '\0')
            abort();
        return;
    }
    if (strlen(t) > 45 || !stc_ip_parse(t, &back) || memcmp(ip, &back, sizeof back) != 0)
        abort();
    stc_ip_text(&back, t2, sizeof t2);
    if (strcmp(t, t2) != 0)
        abort();
    for (i = 0; t[i] != '\0'; i++)
        if (t[i] >= 'A' && t[i] <= 'Z')
            abort(); /* RFC 5952 4.3: lower case */
    /* short buffers get "" and nothing more */
    memset(t2, 'x', sizeof t2);
    stc_ip_text(ip, t2, 45);
    if (t2[0] != '\0' || t2[1] != 'x')
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char a[CAP + 1], b[CAP + 1], ua[CAP + 1], ub[CAP + 1];
    size_t n, i, na;
    const uint8_t *nul;
    stc_ip_t ip;
    int r, r2;

    if (size < 1)
        return 0;
    n = size - 1 > CAP ? CAP : size - 1;
    nul = memchr(data + 1, 0, n);
    na = nul ? (size_t)(nul - (data + 1)) : n;
    memcpy(a, data + 1, na);
    a[na] = '\0';
    if (nul) {
        size_t nb = n - na - 1;
        memcpy(b, nul + 1, nb);
        b[nb] = '\0'; /* b may hold further NULs: it ends at the first */
    } else {
        b[0] = '\0';
    }
    upper(ua, a);
    upper(ub, b);

    switch (data[0] % 5) {
    case 0:
        r = stc_name_check(a);
        if (r != STC_NAME_OK && r != STC_NAME_NOT_ASCII && r != STC_NAME_BAD)
            abort();
        if (r == STC_NAME_OK) {
            size_t len = strlen(a);
            if (len == 0 || len > 254 || (len == 254 && a[253] != '.') || a[0] == '.' ||
                strstr(a, "..") != NULL)
                abort();
        }
        if (stc_name_check(ua) != r)
            abort();
        break;
    case 1:
        r = stc_name_match_cert(a, b);
        if (r != 0 && r != 1)
            abort();
        if (stc_name_match_cert(ua, b) != r || stc_name_match_cert(a, ub) != r)
            abort();
        if (strchr(a, '*') == NULL && strchr(b, '*') == NULL && a[0] != '\0' &&
            strcmp(a, ".") != 0 && r != stc_name_eq(a, b))
            abort();
        if (r && strchr(a, '*') != NULL) {
            /* a wildcard match: never an IP literal, never the bare suffix */
            char h[CAP + 1];
            size_t hl = strlen(b);
            memcpy(h, b, hl + 1);
            if (hl > 0 && h[hl - 1] == '.')
                h[hl - 1] = '\0';
            if (stc_ip_parse(h, &ip) || strchr(b, '.') == NULL)
                abort();
            if (stc_name_match_cert(a, strchr(b, '.') + 1))
                abort();
        }
        break;
    case 2:
        r = stc_name_match_policy(a, b);
        if (r != 0 && r != 1)
            abort();
        if (stc_name_match_policy(ua, b) != r || stc_name_match_policy(a, ub) != r)
            abort();
        /* a plain name matches itself, with a port and a trailing dot too */
        if (a[0] != '\0' && strchr(a, ':') == NULL && a[strlen(a) - 1] != '.') {
            char h[CAP + 8];
            if (!stc_name_match_policy(a, a))
                abort();
            memcpy(h, a, strlen(a));
            memcpy(h + strlen(a), ".", 2);
            if (!stc_name_match_policy(a, h))
                abort();
            memcpy(h + strlen(a), ":25", 4);
            if (!stc_name_match_policy(a, h))
                abort();
        }
        break;
    case 3:
        memset(&ip, 0x5a, sizeof ip);
        r = stc_ip_parse(a, &ip);
        if (r != 0 && r != 1)
            abort();
        r2 = stc_ip_parse(ua, &ip);
        if (r2 != r)
            abort();
        against_libc(a, &ip, r);
        if (r)
            round_trip(&ip);
        break;
    default:
        /* a raw address from the bytes themselves */
        memset(&ip, 0, sizeof ip);
        ip.family = n > 0 && (data[1] & 1) ? 6 : 4;
        for (i = 0; i < 16 && i + 2 < size; i++)
            ip.addr[i] = data[i + 2];
        if (ip.family == 4)
            memset(ip.addr + 4, 0, 12);
        round_trip(&ip);
        {
            char t[64];
            stc_ip_text(&ip, t, sizeof t);
            against_libc(t, &ip, 1);
        }
        break;
    }
    return 0;
}
