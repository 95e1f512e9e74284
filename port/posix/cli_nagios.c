/* cli_nagios.c - --format nagios: one monitoring-plugin line per domain
 *
 *   STARTTLS OK - example.org: every preferred MX host passed every check | 'cert_days'=85;14:;0: 'sessions'=2 'elapsed_ms'=41ms
 *
 * Monitoring Plugins development guidelines: the status word matches the
 * exit code (0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN), text before "|",
 * performance data after it as 'label'=value[UOM];[warn];[crit] with the
 * thresholds in range syntax ("14:" alerts below 14). cert_days is the
 * number of whole days until the earliest expiry among the certificates of
 * the preferred MX hosts' addresses (negative once expired: --warn-days
 * is the warning threshold, 0 the critical one, as the checks judge it);
 * "U" (undetermined) when none presented a certificate.
 */
#include "cli.h"

#include <string.h>

static const char *const words[4] = {"OK", "WARNING", "CRITICAL", "UNKNOWN"};

/* text - s with the characters a plugin line cannot carry replaced: "|"
 * starts the performance data, a line break ends the first line */
static void text(sbuf_t *b, const char *s)
{
    for (; *s; s++) {
        char ch = *s;
        if (ch == '|')
            ch = '/';
        else if (ch == '\n' || ch == '\r' || ch == '\t')
            ch = ' ';
        sbuf_write(b, &ch, 1);
    }
}

/* floor_days - whole days from now to t, rounded down (-1 an hour after) */
static long long floor_days(int64_t t, int64_t now)
{
    int64_t d = t - now;
    return (long long)(d >= 0 ? d / 86400 : -((-d + 86399) / 86400));
}

void nagios_line(sbuf_t *b, const stc_domain_result_t *r, unsigned warn_days, int64_t now)
{
    char msg[512];
    const char *m;
    size_t dn = strlen(r->domain);
    int code = stc_exit_code(r->status);
    int64_t first = 0;
    unsigned h, a;

    for (h = 0; h < r->nhosts; h++) {
        const stc_host_result_t *hr = &r->host[h];
        if (!hr->preferred)
            continue;
        for (a = 0; a < hr->naddr; a++) {
            const stc_addr_result_t *ar = &hr->addr[a];
            if (ar->tls_version && ar->cert.not_after &&
                (first == 0 || ar->cert.not_after < first))
                first = ar->cert.not_after;
        }
    }
    sbuf_printf(b, "STARTTLS %s - ", words[code >= 0 && code <= 3 ? code : 3]);
    text(b, r->domain[0] ? r->domain : "(no name)");
    sbuf_puts(b, ": ");
    m = stc_result_message(r, msg, sizeof msg);
    if (dn && strncmp(m, r->domain, dn) == 0 && m[dn] == ':' && m[dn + 1] == ' ')
        m += dn + 2; /* "missing.test: missing.test: ..." says the name once */
    text(b, m);
    if (first)
        sbuf_printf(b, " | 'cert_days'=%lld;%u:;0:", floor_days(first, now), warn_days);
    else
        sbuf_printf(b, " | 'cert_days'=U;%u:;0:", warn_days);
    sbuf_printf(b, " 'sessions'=%lu 'elapsed_ms'=%lums\n", (unsigned long)r->sessions,
                (unsigned long)r->elapsed_ms);
}

void nagios_row_error(sbuf_t *b, unsigned long line, const char *what)
{
    sbuf_printf(b, "STARTTLS UNKNOWN - line %lu: ", line);
    text(b, what);
    sbuf_puts(b, " (not checked)\n");
}
