/* text.c - stable words for statuses, checks, errors and times */
#include "stc_int.h"
#include "report.h"

/* stc_domain_status_text - word for a domain status */
const char *stc_domain_status_text(unsigned s)
{
    static const char *const t[] = {"success", "warning", "failure", "error",
                                    "no_starttls", "could_not_connect", "bad_hostname",
                                    "accepts_no_mail", "rejected"};
    return s < sizeof t / sizeof t[0] ? t[s] : "unknown";
}

/* stc_status_text - word for a check status */
const char *stc_status_text(int s)
{
    static const char *const t[] = {"success", "warning", "failure", "error", "skipped",
                                    "not_applicable"};
    return s >= 0 && s < 6 ? t[s] : "skipped";
}

/* stc_check_name - the original tool's name of a check */
const char *stc_check_name(unsigned id)
{
    static const char *const t[] = {"connectivity", "starttls", "certificate", "version",
                                    "ciphers"};
    return id < STC_CHK_COUNT ? t[id] : "unknown";
}

/* stc_reach_text - word for how far an address or host got */
const char *stc_reach_text(unsigned r)
{
    static const char *const t[] = {"pending", "untested", "unreachable", "rejected", "reached",
                                    "unchecked"};
    return r < sizeof t / sizeof t[0] ? t[r] : "unknown";
}

/* stc_dane_text - word for a DANE status (stc_dane_t) */
const char *stc_dane_text(unsigned d)
{
    static const char *const t[] = {"none", "insecure", "tlsa-absent", "valid", "unusable",
                                    "mismatch", "name-mismatch", "expired", "bogus",
                                    "lookup-failed", "no-tls", "not-reached"};
    return d < sizeof t / sizeof t[0] ? t[d] : "unknown";
}

/* stc_err_text - short text of an stc_err_t */
const char *stc_err_text(int err)
{
    static const char *const t[] = {"ok", "again", "timeout", "connection refused",
                                    "unreachable", "reset", "protocol error", "too long",
                                    "out of memory", "TLS error", "DNS error",
                                    "invalid argument", "address family not usable",
                                    "port error", "closed"};
    if (err > 0 || -err >= (int)(sizeof t / sizeof t[0]))
        return "unknown error";
    return t[-err];
}

/* stc_tls_version_text - protocol name of a wire version */
const char *stc_tls_version_text(uint16_t v)
{
    switch (v) {
    case 0x0300: return "SSLv3";
    case 0x0301: return "TLSv1.0";
    case 0x0302: return "TLSv1.1";
    case 0x0303: return "TLSv1.2";
    case 0x0304: return "TLSv1.3";
    default: return v ? "unknown" : "none";
    }
}

/* stc_group_name - IANA named group (RFC 8446 4.2.7, RFC 7919) or a
 * custom DHE prime (0x8000 | bits) as text */
const char *stc_group_name(uint16_t id, char *buf, size_t cap)
{
    static const struct {
        uint16_t id;
        const char *name;
    } t[] = {{23, "SECP256R1"}, {24, "SECP384R1"}, {25, "SECP521R1"}, {29, "X25519"},
             {30, "X448"}, {256, "FFDHE2048"}, {257, "FFDHE3072"}, {258, "FFDHE4096"},
             {259, "FFDHE6144"}, {260, "FFDHE8192"}};
    char num[24];
    size_t i;

    if (cap == 0)
        return buf;
    buf[0] = '\0';
    if (id == 0)
        return buf;
    if (id & 0x8000u) {
        stc_strlcpy(buf, "DHE-", cap);
        stc_strlcpy(buf + (cap > 4 ? 4 : cap - 1), stc_int_text(id & 0x7fffu, num, sizeof num),
                    cap > 4 ? cap - 4 : 1);
        return buf;
    }
    for (i = 0; i < sizeof t / sizeof t[0]; i++)
        if (t[i].id == id) {
            stc_strlcpy(buf, t[i].name, cap);
            return buf;
        }
    stc_strlcpy(buf, "group-", cap);
    stc_strlcpy(buf + (cap > 6 ? 6 : cap - 1), stc_int_text(id, num, sizeof num),
                cap > 6 ? cap - 6 : 1);
    return buf;
}

/* stc_time_text - unix seconds as "YYYY-MM-DDTHH:MM:SSZ" (buf >= 21 bytes).
 * Days to civil date by the proleptic Gregorian 400-year cycle, so the core
 * needs no gmtime(). */
const char *stc_time_text(int64_t t, char *buf, size_t cap)
{
    int64_t days = t / 86400, secs = t % 86400, era, doe, yoe, y, doy, mp, d, m;
    char *p = buf;
    int64_t parts[6];
    int i;

    if (cap < 21) {
        if (cap)
            buf[0] = '\0';
        return buf;
    }
    if (secs < 0) {
        secs += 86400;
        days--;
    }
    days += 719468; /* shift the epoch to 0000-03-01 */
    era = (days >= 0 ? days : days - 146096) / 146097;
    doe = days - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    y = yoe + era * 400;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    d = doy - (153 * mp + 2) / 5 + 1;
    m = mp < 10 ? mp + 3 : mp - 9;
    if (m <= 2)
        y++;
    if (y < 0 || y > 9999) {
        stc_strlcpy(buf, "out-of-range", cap);
        return buf;
    }
    parts[0] = y; parts[1] = m; parts[2] = d;
    parts[3] = secs / 3600; parts[4] = secs / 60 % 60; parts[5] = secs % 60;
    for (i = 0; i < 6; i++) {
        int w = i == 0 ? 4 : 2, j;
        for (j = w - 1; j >= 0; j--) {
            p[j] = (char)('0' + parts[i] % 10);
            parts[i] /= 10;
        }
        p += w;
        *p++ = i < 2 ? '-' : i == 2 ? 'T' : i < 5 ? ':' : 'Z';
    }
    *p = '\0';
    return buf;
}

/* stc_uint_text - decimal text of a number (buf >= 21 bytes) */
const char *stc_int_text(int64_t v, char *buf, size_t cap)
{
    char tmp[24];
    size_t n = 0, i = 0;
    uint64_t u = v < 0 ? (uint64_t)(-(v + 1)) + 1 : (uint64_t)v;

    do {
        tmp[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u && n < sizeof tmp);
    if (v < 0 && i + 1 < cap)
        buf[i++] = '-';
    while (n && i + 1 < cap)
        buf[i++] = tmp[--n];
    if (cap)
        buf[i < cap ? i : cap - 1] = '\0';
    return buf;
}

/* stc_out_str - write a string unless an earlier write failed */
void stc_out_str(stc_out_t *o, const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    if (!o->err && n)
        o->err = o->w(o->ctx, s, n);
}

/* stc_out_int - write a decimal number */
void stc_out_int(stc_out_t *o, int64_t v)
{
    char b[24];
    stc_out_str(o, stc_int_text(v, b, sizeof b));
}

/* stc_exit_code - monitoring-plugin exit code of a domain status: 0 success
 * or accepts no mail, 1 warning, 2 failure (no STARTTLS, could not connect,
 * bad hostname), 3 error or unknown (rejected, DNS failure, our limits) */
int stc_exit_code(unsigned status)
{
    switch (status) {
    case STC_D_SUCCESS:
    case STC_D_NO_MAIL:
        return 0;
    case STC_D_WARNING:
        return 1;
    case STC_D_FAILURE:
    case STC_D_NO_STARTTLS:
    case STC_D_COULD_NOT_CONNECT:
    case STC_D_BAD_HOSTNAME:
        return 2;
    default:
        return 3;
    }
}
