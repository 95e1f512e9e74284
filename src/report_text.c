/* report_text.c - the readable report: per domain, host, address, check,
 * and every finding with its recommendation */
#include "report.h"

/* upper - status word in capitals for the headline */
static void upper(stc_out_t *o, const char *s)
{
    char b[32];
    size_t i;
    for (i = 0; s[i] && i + 1 < sizeof b; i++)
        b[i] = (s[i] >= 'a' && s[i] <= 'z') ? (char)(s[i] - 32) : (s[i] == '_' ? ' ' : s[i]);
    b[i] = '\0';
    stc_out_str(o, b);
}

/* pad - write s then spaces up to width */
static void pad(stc_out_t *o, const char *s, size_t width)
{
    size_t n = 0;
    stc_out_str(o, s);
    while (s[n])
        n++;
    while (n++ < width)
        stc_out_str(o, " ");
}

/* finding_lines - "! severity name: title (detail)" and "-> advice" */
static void finding_lines(stc_out_t *o, const char *indent, const stc_finding_t *f,
                          unsigned n)
{
    unsigned i;
    for (i = 0; i < n; i++) {
        const stc_finding_info_t *fi = stc_finding_info(f[i].code);
        stc_out_str(o, indent);
        stc_out_str(o, fi->severity == STC_SUCCESS ? "i " : "! ");
        stc_out_str(o, stc_status_text(fi->severity));
        stc_out_str(o, " ");
        stc_out_str(o, fi->name);
        stc_out_str(o, ": ");
        stc_out_str(o, fi->title);
        if (f[i].detail) {
            stc_out_str(o, " (");
            stc_out_int(o, f[i].detail);
            if (f[i].code == STC_F_TLS_HANDSHAKE && f[i].detail < 0) {
                stc_out_str(o, ": ");
                stc_out_str(o, stc_tls_reason(f[i].detail));
            }
            stc_out_str(o, ")");
        }
        stc_out_str(o, "\n");
        if (fi->recommendation[0]) {
            stc_out_str(o, indent);
            stc_out_str(o, "  -> ");
            stc_out_str(o, fi->recommendation);
            stc_out_str(o, "\n");
        }
    }
}

/* names_in - the names of the set bits of `bits` among n, space-separated;
 * "none" when there are none */
static void names_in(stc_out_t *o, const char *const *names, unsigned n, unsigned bits)
{
    unsigned i, k = 0;
    for (i = 0; i < n; i++)
        if (bits & (1u << i)) {
            if (k++)
                stc_out_str(o, " ");
            stc_out_str(o, names[i]);
        }
    if (!k)
        stc_out_str(o, "none");
}

static const char *const v_names[] = {"SSLv2", "SSLv3", "TLSv1.0", "TLSv1.1", "TLSv1.2",
                                      "TLSv1.3"};
static const char *const c_names[] = {"NULL", "EXPORT", "anonymous", "RC4", "DES", "3DES",
                                      "RSA-key-exchange"};
static const char *const g_names[] = {"x25519", "secp256r1", "secp384r1", "secp521r1",
                                      "ffdhe2048", "ffdhe3072+"};

/* untested - "; not tested: ..." for the questions a bound left open */
static void untested(stc_out_t *o, const char *const *names, unsigned n, unsigned tested)
{
    unsigned open = ((1u << n) - 1u) & ~tested;
    if (!open)
        return;
    stc_out_str(o, "; not tested: ");
    names_in(o, names, n, open);
}

/* probe_detail - what the probes found, for the version and ciphers lines */
static void probe_detail(stc_out_t *o, const stc_probe_facts_t *f, unsigned id)
{
    if (id == STC_CHK_VERSION) {
        stc_out_str(o, "accepted: ");
        names_in(o, v_names, 6, f->versions);
        untested(o, v_names, 6, f->versions_tested);
        return;
    }
    stc_out_str(o, "weak classes accepted: ");
    names_in(o, c_names, 7, f->classes);
    if (f->dhe_bits) {
        stc_out_str(o, "; DHE ");
        stc_out_int(o, f->dhe_bits);
        stc_out_str(o, " bits");
    }
    untested(o, c_names, 7, f->classes_tested);
}

/* probe_lines - the probes' other answers (--verbose) */
static void probe_lines(stc_out_t *o, const stc_probe_facts_t *f)
{
    const char *t;
    stc_out_str(o, "      probes: ");
    stc_out_int(o, f->probes);
    stc_out_str(o, " sessions; groups accepted: ");
    names_in(o, g_names, 6, f->groups);
    untested(o, g_names, 6, f->groups_tested);
    stc_out_str(o, "\n");
    if (f->suite_fwd) {
        stc_out_str(o, "      from our order the server picks ");
        t = stc_suite_name(f->suite_fwd);
        stc_out_str(o, t[0] ? t : "?");
        if (f->suite_rev) {
            stc_out_str(o, ", reversed ");
            t = stc_suite_name(f->suite_rev);
            stc_out_str(o, t[0] ? t : "?");
        }
        stc_out_str(o, "\n");
    }
}

/* check_line - "connectivity  success  <detail>" */
static void check_line(stc_out_t *o, const stc_domain_result_t *r, const stc_addr_result_t *a,
                       unsigned id)
{
    char tb[24], gb[16];
    const char *t;
    stc_out_str(o, "      ");
    pad(o, stc_check_name(id), 14);
    pad(o, stc_status_text(a->status[id]), 9);
    if (id == STC_CHK_STARTTLS && a->tls_version) {
        stc_out_str(o, stc_tls_version_text(a->tls_version));
        stc_out_str(o, " ");
        t = stc_suite_name(a->suite);
        if (t[0]) {
            stc_out_str(o, t);
        } else {
            stc_out_str(o, "suite ");
            stc_out_int(o, a->suite);
        }
        if (a->group) {
            stc_out_str(o, " ");
            stc_out_str(o, stc_group_name(a->group, gb, sizeof gb));
        }
    } else if (id == STC_CHK_CERT && a->status[id] != STC_SKIPPED) {
        t = stc_result_text(r, a->cert.subject);
        stc_out_str(o, t[0] ? t : "(no subject)");
        stc_out_str(o, ", issuer ");
        t = stc_result_text(r, a->cert.issuer);
        stc_out_str(o, t[0] ? t : "?");
        if (a->cert.not_after) {
            stc_out_str(o, ", expires ");
            stc_out_str(o, stc_time_text(a->cert.not_after, tb, sizeof tb));
        }
    } else if (id == STC_CHK_CONNECT && a->banner) {
        stc_out_str(o, stc_result_text(r, a->banner));
    } else if ((id == STC_CHK_VERSION || id == STC_CHK_CIPHERS) && a->probe.ran &&
               a->status[id] != STC_SKIPPED) {
        probe_detail(o, &a->probe, id);
    }
    stc_out_str(o, "\n");
}

/* ehlo_line - the EHLO keywords before and inside TLS (--verbose) */
static void ehlo_line(stc_out_t *o, const stc_addr_result_t *a)
{
    static const char *const names[] = {"STARTTLS", "PIPELINING", "SIZE", "8BITMIME",
                                        "SMTPUTF8", "REQUIRETLS", "CHUNKING", "DSN",
                                        "ENHANCEDSTATUSCODES", "AUTH"};
    unsigned pass, i;
    for (pass = 0; pass < 2; pass++) {
        uint16_t ext = pass ? a->ehlo_tls : a->ehlo;
        if (pass && !a->tls_version)
            break;
        stc_out_str(o, pass ? "      EHLO in TLS:" : "      EHLO:");
        for (i = 0; i < sizeof names / sizeof names[0]; i++)
            if (ext & (1u << i)) {
                stc_out_str(o, " ");
                stc_out_str(o, names[i]);
            }
        stc_out_str(o, "\n");
    }
}

/* addr_block - one address with its checks and findings */
static void addr_block(stc_out_t *o, const stc_domain_result_t *r, const stc_addr_result_t *a,
                       int verbose)
{
    char ipb[48];
    unsigned id;
    int st = stc_addr_status(a);

    stc_out_str(o, "    ");
    pad(o, stc_ip_text(&a->ip, ipb, sizeof ipb), 40);
    pad(o, stc_reach_text(a->reach), 12);
    stc_out_str(o, stc_status_text(st));
    stc_out_str(o, "  ");
    stc_out_int(o, a->elapsed_ms);
    stc_out_str(o, " ms");
    if (a->sessions > 1) {
        stc_out_str(o, ", ");
        stc_out_int(o, a->sessions);
        stc_out_str(o, " sessions");
    }
    if (a->cached)
        stc_out_str(o, ", from an earlier check (cached)");
    stc_out_str(o, "\n");
    for (id = 0; id < STC_CHK_COUNT; id++)
        if (a->status[id] != STC_SKIPPED || verbose)
            check_line(o, r, a, id);
    finding_lines(o, "      ", a->findings, a->nfindings);
    if (verbose)
        ehlo_line(o, a);
    if (verbose && a->probe.ran)
        probe_lines(o, &a->probe);
}

/* dane_line - "    DANE valid: 2 TLSA records (2 usable) at B, matched by DANE-EE" */
static void dane_line(stc_out_t *o, const stc_domain_result_t *r, const stc_host_result_t *h)
{
    if (h->dane == STC_DANE_NONE)
        return;
    stc_out_str(o, "    DANE ");
    stc_out_str(o, stc_dane_text(h->dane));
    if (h->tlsa_records) {
        stc_out_str(o, ": ");
        stc_out_int(o, h->tlsa_records);
        stc_out_str(o, h->tlsa_records == 1 ? " TLSA record (" : " TLSA records (");
        stc_out_int(o, h->tlsa_usable);
        stc_out_str(o, " usable)");
        if (h->tlsa_base) {
            stc_out_str(o, " at _25._tcp.");
            stc_out_str(o, stc_result_text(r, h->tlsa_base));
        }
        if (h->dane == STC_DANE_VALID)
            stc_out_str(o, h->dane_usage == 2 ? ", matched by DANE-TA" : ", matched by DANE-EE");
    } else if (h->dane == STC_DANE_INSECURE) {
        stc_out_str(o, " (no DNSSEC-validated answer: DANE does not apply)");
    }
    stc_out_str(o, "\n");
}

/* policy_line - "  MTA-STS  success  id 2026..." for a domain's TXT record */
static void policy_line(stc_out_t *o, const stc_domain_result_t *r, const char *label,
                        const stc_policy_result_t *p, int sts)
{
    if (p->status == STC_SKIPPED && !p->records)
        return;
    stc_out_str(o, "  ");
    pad(o, label, 9);
    stc_out_str(o, p->status == STC_SKIPPED ? "record found, policy not fetched"
                                            : stc_status_text(p->status));
    if (p->status == STC_NOT_APPLICABLE)
        stc_out_str(o, ": no record published");
    if (p->records > 1) {
        stc_out_str(o, ", ");
        stc_out_int(o, p->records);
        stc_out_str(o, " records");
    }
    if (p->id) {
        stc_out_str(o, sts ? ", id " : ", reports to ");
        stc_out_str(o, stc_result_text(r, p->id));
        if (!sts && p->uris > 1) {
            stc_out_str(o, " and ");
            stc_out_int(o, p->uris - 1);
            stc_out_str(o, " more");
        }
    }
    if (sts && p->mode && p->mode < 4) {
        static const char *const modes[] = {"", "enforce", "testing", "none"};
        unsigned i;
        stc_out_str(o, "; mode ");
        stc_out_str(o, modes[p->mode]);
        stc_out_str(o, ", max_age ");
        stc_out_int(o, r->sts.max_age);
        for (i = 0; i < r->sts.nmx; i++) {
            stc_out_str(o, i ? ", " : ", mx ");
            stc_out_str(o, stc_result_text(r, r->sts.mx[i]));
        }
        if (r->sts.mx_count > r->sts.nmx) {
            stc_out_str(o, " (");
            stc_out_int(o, r->sts.mx_count);
            stc_out_str(o, " in all)");
        }
    }
    stc_out_str(o, "\n");
}

/* stc_report_text - the whole result for people */
int stc_report_text(const stc_domain_result_t *r, int verbose, stc_write_fn w, void *ctx)
{
    stc_out_t o;
    unsigned h, i;
    char msg[STC_NAME_MAX + 200];

    o.w = w;
    o.ctx = ctx;
    o.err = 0;
    stc_out_str(&o, r->domain);
    stc_out_str(&o, ": ");
    upper(&o, stc_domain_status_text(r->status));
    stc_out_str(&o, " - ");
    stc_out_str(&o, stc_result_message(r, msg, sizeof msg));
    stc_out_str(&o, "\n");
    finding_lines(&o, "  ", r->findings, r->nfindings);
    if (r->mx_kind != STC_MX_RELAY) {
        policy_line(&o, r, "MTA-STS", &r->mta_sts, 1);
        policy_line(&o, r, "TLS-RPT", &r->tls_rpt, 0);
    }
    for (h = 0; h < r->nhosts; h++) {
        const stc_host_result_t *hr = &r->host[h];
        stc_out_str(&o, r->mx_kind == STC_MX_RELAY ? "  host " : "  MX ");
        if (r->mx_kind == STC_MX_RELAY) {
            stc_out_str(&o, hr->name);
            stc_out_str(&o, " port ");
            stc_out_int(&o, r->port);
            if (r->implicit_tls)
                stc_out_str(&o, " (implicit TLS)");
        } else {
            stc_out_int(&o, hr->pref);
            stc_out_str(&o, " ");
            stc_out_str(&o, hr->name);
        }
        if (hr->cname) {
            stc_out_str(&o, " -> ");
            stc_out_str(&o, stc_result_text(r, hr->cname));
        }
        if (r->mx_kind != STC_MX_RELAY)
            stc_out_str(&o, hr->preferred ? "  [decides]  " : "  [reported only]  ");
        else
            stc_out_str(&o, "  ");
        stc_out_str(&o, stc_status_text(hr->status));
        if (hr->reach != STC_R_REACHED) {
            stc_out_str(&o, " (");
            stc_out_str(&o, stc_reach_text(hr->reach));
            stc_out_str(&o, ")");
        }
        stc_out_str(&o, "\n");
        dane_line(&o, r, hr);
        finding_lines(&o, "    ", hr->findings, hr->nfindings);
        for (i = 0; i < hr->naddr; i++)
            addr_block(&o, r, &hr->addr[i], verbose);
    }
    stc_out_str(&o, "  (");
    stc_out_int(&o, r->elapsed_ms);
    stc_out_str(&o, " ms, ");
    stc_out_int(&o, r->sessions);
    stc_out_str(&o, r->sessions == 1 ? " SMTP session)\n" : " SMTP sessions)\n");
    return o.err;
}
