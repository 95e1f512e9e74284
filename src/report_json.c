/* report_json.c - one JSON object per domain (JSON Lines), schema 2
 *
 * Field names follow the original tool where the concept is the same
 * (domain, status, message, results{hostname:{checks}}, preferred_hostnames,
 * mx_hostnames); everything else is documented in README.md and in the
 * JSON Schema tests/schema/result.schema.json. Every check is present with
 * its status; one that did not run says "skipped" (4), never "error".
 */
#include "report.h"
#include "policy.h"

/* key - write ,"name": (first = no comma) */
static void key(stc_out_t *o, int *first, const char *name)
{
    if (!*first)
        stc_out_str(o, ",");
    *first = 0;
    if (!o->err)
        o->err = stc_json_string(o->w, o->ctx, name);
    stc_out_str(o, ":");
}

/* jstr - a JSON string value */
static void jstr(stc_out_t *o, const char *s)
{
    if (!o->err)
        o->err = stc_json_string(o->w, o->ctx, s);
}

/* kv_str / kv_int / kv_bool - "key":value */
static void kv_str(stc_out_t *o, int *first, const char *k, const char *v)
{
    key(o, first, k);
    jstr(o, v);
}
static void kv_int(stc_out_t *o, int *first, const char *k, int64_t v)
{
    key(o, first, k);
    stc_out_int(o, v);
}
static void kv_bool(stc_out_t *o, int *first, const char *k, int v)
{
    key(o, first, k);
    stc_out_str(o, v ? "true" : "false");
}

/* findings - "findings":[{code,severity,title,recommendation,detail}] */
static void findings(stc_out_t *o, int *first, const stc_finding_t *f, unsigned n,
                     unsigned dropped)
{
    unsigned i;
    key(o, first, "findings");
    stc_out_str(o, "[");
    for (i = 0; i < n; i++) {
        const stc_finding_info_t *fi = stc_finding_info(f[i].code);
        int ff = 1;
        stc_out_str(o, i ? ",{" : "{");
        kv_str(o, &ff, "code", fi->name);
        kv_str(o, &ff, "check", fi->check < STC_CHK_COUNT ? stc_check_name(fi->check)
                                : fi->check == STC_CHK_HOST ? "host" : "domain");
        kv_str(o, &ff, "severity", stc_status_text(fi->severity));
        kv_str(o, &ff, "title", fi->title);
        kv_str(o, &ff, "recommendation", fi->recommendation);
        kv_int(o, &ff, "detail", f[i].detail);
        if ((f[i].code == STC_F_TLS_HANDSHAKE || f[i].code == STC_F_CHECKER_TLS_LIMIT) &&
            f[i].detail < 0)
            kv_str(o, &ff, "reason", stc_tls_reason(f[i].detail));
        if (fi->ours)
            kv_bool(o, &ff, "ours", 1);
        stc_out_str(o, "}");
    }
    stc_out_str(o, "]");
    if (dropped)
        kv_int(o, first, "findings_dropped", dropped);
}

/* check_obj - {"name":..,"status":n,"status_text":..,"messages":[titles]} */
static void check_obj(stc_out_t *o, unsigned id, int status, const stc_addr_result_t *const *as,
                      unsigned nas)
{
    int ff = 1;
    unsigned i, j, m = 0;
    stc_out_str(o, "{");
    kv_str(o, &ff, "name", stc_check_name(id));
    kv_int(o, &ff, "status", status);
    kv_str(o, &ff, "status_text", stc_status_text(status));
    key(o, &ff, "messages");
    stc_out_str(o, "[");
    for (j = 0; j < nas; j++)
        for (i = 0; i < as[j]->nfindings; i++) {
            const stc_finding_info_t *fi = stc_finding_info(as[j]->findings[i].code);
            unsigned k, seen = 0;
            if (fi->check != id)
                continue;
            for (k = 0; k < j && !seen; k++) { /* same title from another address */
                unsigned q;
                for (q = 0; q < as[k]->nfindings; q++)
                    if (as[k]->findings[q].code == as[j]->findings[i].code)
                        seen = 1;
            }
            if (seen)
                continue;
            if (m++)
                stc_out_str(o, ",");
            jstr(o, fi->title);
        }
    stc_out_str(o, "]}");
}

/* dane_check - the check status DANE gives a host: not_applicable where
 * DANE does not apply, never a verdict */
static int dane_check(uint8_t d)
{
    unsigned code = stc_dane_finding(d);
    if (d == STC_DANE_INSECURE || d == STC_DANE_TLSA_ABSENT)
        return STC_NOT_APPLICABLE;
    if (d == STC_DANE_NOT_REACHED)
        return STC_SKIPPED;
    return code ? stc_finding_info(code)->severity : STC_SUCCESS;
}

/* dane_check_obj - a host's "dane" check, as the others are shaped:
 * its status and the titles of its DANE findings */
static void dane_check_obj(stc_out_t *o, const stc_host_result_t *h)
{
    int ff = 1, st = dane_check(h->dane);
    unsigned i, m = 0;
    stc_out_str(o, ",\"dane\":{");
    kv_str(o, &ff, "name", "dane");
    kv_int(o, &ff, "status", st);
    kv_str(o, &ff, "status_text", stc_status_text(st));
    key(o, &ff, "messages");
    stc_out_str(o, "[");
    for (i = 0; i < h->nfindings; i++) {
        const stc_finding_info_t *fi = stc_finding_info(h->findings[i].code);
        if (strncmp(fi->name, "dane_", 5) != 0 || fi->severity == STC_SUCCESS)
            continue;
        if (m++)
            stc_out_str(o, ",");
        jstr(o, fi->title);
    }
    stc_out_str(o, "]}");
}

/* checks - "checks":{name:check_obj} over the given addresses: every
 * check, with "skipped" where none of them ran it; a host h (NULL for an
 * address) adds its "dane" check when DANE was looked at */
static void checks(stc_out_t *o, int *first, const stc_addr_result_t *const *as, unsigned nas,
                   const stc_host_result_t *h)
{
    unsigned id, j, n = 0;
    key(o, first, "checks");
    stc_out_str(o, "{");
    for (id = 0; id < STC_CHK_COUNT; id++) {
        int st = STC_SKIPPED;
        for (j = 0; j < nas; j++)
            st = stc_status_worse(st, as[j]->status[id]);
        if (n++)
            stc_out_str(o, ",");
        jstr(o, stc_check_name(id));
        stc_out_str(o, ":");
        check_obj(o, id, st, as, nas);
    }
    if (h && h->dane != STC_DANE_NONE)
        dane_check_obj(o, h);
    stc_out_str(o, "}");
}

/* ehlo_list - the EHLO keywords as an array of words */
static void ehlo_list(stc_out_t *o, int *first, const char *k, uint16_t ext)
{
    static const char *const names[] = {"STARTTLS", "PIPELINING", "SIZE", "8BITMIME",
                                        "SMTPUTF8", "REQUIRETLS", "CHUNKING", "DSN",
                                        "ENHANCEDSTATUSCODES", "AUTH"};
    unsigned i, n = 0;
    key(o, first, k);
    stc_out_str(o, "[");
    for (i = 0; i < sizeof names / sizeof names[0]; i++)
        if (ext & (1u << i)) {
            if (n++)
                stc_out_str(o, ",");
            jstr(o, names[i]);
        }
    stc_out_str(o, "]");
}

/* cert_obj - what we learnt of the certificate */
static void cert_obj(stc_out_t *o, int *first, const stc_domain_result_t *r,
                     const stc_cert_info_t *ci)
{
    static const char *const kt[] = {"unknown", "RSA", "EC", "Ed25519", "Ed448"};
    static const char *const hs[] = {"unknown", "MD5", "SHA-1", "SHA-256", "SHA-384",
                                     "SHA-512", "intrinsic"};
    char tb[24];
    int ff = 1;
    key(o, first, "certificate");
    stc_out_str(o, "{");
    kv_str(o, &ff, "subject", stc_result_text(r, ci->subject));
    kv_str(o, &ff, "issuer", stc_result_text(r, ci->issuer));
    kv_str(o, &ff, "not_before", ci->not_before ? stc_time_text(ci->not_before, tb, sizeof tb) : "");
    kv_str(o, &ff, "not_after", ci->not_after ? stc_time_text(ci->not_after, tb, sizeof tb) : "");
    kv_str(o, &ff, "key_type", kt[ci->key_type < 5 ? ci->key_type : 0]);
    kv_int(o, &ff, "key_bits", ci->key_bits);
    kv_str(o, &ff, "weakest_signature_hash", hs[ci->sig_hash < 7 ? ci->sig_hash : 0]);
    kv_int(o, &ff, "chain_length", ci->chain_len);
    kv_bool(o, &ff, "trusted", ci->trusted);
    kv_bool(o, &ff, "name_match", ci->name_ok);
    kv_bool(o, &ff, "self_signed", ci->self_signed);
    stc_out_str(o, "}");
}

/* suite_text - a suite's IANA name, or "0xHHHH" without names (hex: 8 bytes) */
static const char *suite_text(uint16_t id, char *hex)
{
    static const char digits[] = "0123456789abcdef";
    const char *name = stc_suite_name(id);
    hex[0] = '0';
    hex[1] = 'x';
    hex[2] = digits[(id >> 12) & 15];
    hex[3] = digits[(id >> 8) & 15];
    hex[4] = digits[(id >> 4) & 15];
    hex[5] = digits[id & 15];
    hex[6] = '\0';
    return name[0] ? name : hex;
}

/* tri - "key": true / false, or null when the question was not asked */
static void tri(stc_out_t *o, int *first, const char *k, unsigned bits, unsigned tested,
                unsigned bit)
{
    key(o, first, k);
    stc_out_str(o, !(tested & bit) ? "null" : (bits & bit) ? "true" : "false");
}

/* answer_sets - "key":{"accepted":[..],"refused":[..],"untested":[..]} */
static void answer_sets(stc_out_t *o, int *first, const char *k, const char *const *names,
                        unsigned count, unsigned bits, unsigned tested)
{
    static const char *const sets[] = {"accepted", "refused", "untested"};
    unsigned s, i;
    int ff = 1;
    key(o, first, k);
    stc_out_str(o, "{");
    for (s = 0; s < 3; s++) {
        unsigned n = 0;
        key(o, &ff, sets[s]);
        stc_out_str(o, "[");
        for (i = 0; i < count; i++) {
            unsigned b = 1u << i;
            int in = s == 0 ? (tested & b) && (bits & b)
                   : s == 1 ? (tested & b) && !(bits & b) : !(tested & b);
            if (!in)
                continue;
            if (n++)
                stc_out_str(o, ",");
            jstr(o, names[i]);
        }
        stc_out_str(o, "]");
    }
    stc_out_str(o, "}");
}

/* probe_obj - what the TLS probes found (every question: yes, no or not
 * tested) */
static void probe_obj(stc_out_t *o, int *first, const stc_probe_facts_t *f)
{
    static const char *const vn[] = {"SSLv2", "SSLv3", "TLSv1.0", "TLSv1.1", "TLSv1.2",
                                     "TLSv1.3"};
    static const char *const cn[] = {"null", "export", "anon", "rc4", "des", "3des",
                                     "static_rsa"};
    static const char *const gn[] = {"x25519", "secp256r1", "secp384r1", "secp521r1",
                                     "ffdhe2048", "ffdhe3072"};
    char hex[8];
    int ff = 1;

    key(o, first, "probe");
    stc_out_str(o, "{");
    kv_int(o, &ff, "sessions", f->probes);
    answer_sets(o, &ff, "versions", vn, 6, f->versions, f->versions_tested);
    answer_sets(o, &ff, "weak_classes", cn, 7, f->classes, f->classes_tested);
    answer_sets(o, &ff, "groups", gn, 6, f->groups, f->groups_tested);
    key(o, &ff, "suite_our_order");
    if (f->suite_fwd)
        jstr(o, suite_text(f->suite_fwd, hex));
    else
        stc_out_str(o, "null");
    key(o, &ff, "suite_reversed");
    if (f->suite_rev)
        jstr(o, suite_text(f->suite_rev, hex));
    else
        stc_out_str(o, "null");
    tri(o, &ff, "server_order", f->flags, f->flags_tested, STC_PF_SERVER_ORDER);
    tri(o, &ff, "aead_tls12", f->flags, f->flags_tested, STC_PF_AEAD12);
    key(o, &ff, "dhe_bits");
    stc_out_int(o, f->dhe_bits);
    tri(o, &ff, "secure_renegotiation", f->flags, f->flags_tested, STC_PF_RENEG);
    tri(o, &ff, "compression", f->flags, f->flags_tested, STC_PF_COMPRESSION);
    tri(o, &ff, "fallback_scsv", f->flags, f->flags_tested, STC_PF_FALLBACK);
    tri(o, &ff, "extended_master_secret", f->flags, f->flags_tested, STC_PF_EMS);
    stc_out_str(o, "}");
}

/* addr_obj - one address of one host */
static void addr_obj(stc_out_t *o, const stc_domain_result_t *r, const stc_addr_result_t *a)
{
    static const char *const phases[] = {"none", "connect", "banner", "ehlo", "starttls",
                                         "tls", "ehlo_tls", "quit", "done"};
    const stc_addr_result_t *one[1];
    char ipb[48], gb[16], hex[8];
    int ff = 1, st = stc_addr_status(a);

    one[0] = a;
    stc_out_str(o, "{");
    kv_str(o, &ff, "address", stc_ip_text(&a->ip, ipb, sizeof ipb));
    kv_int(o, &ff, "family", a->ip.family);
    kv_str(o, &ff, "reach", stc_reach_text(a->reach));
    kv_int(o, &ff, "status", st);
    kv_str(o, &ff, "status_text", stc_status_text(st));
    kv_str(o, &ff, "phase", phases[a->phase < 9 ? a->phase : 0]);
    kv_int(o, &ff, "sessions", a->sessions);
    if (a->cached)
        kv_bool(o, &ff, "cached", 1);
    if (a->err) {
        kv_str(o, &ff, "error", stc_err_text(a->err));
        kv_int(o, &ff, "lower_error", a->lower_err);
    }
    kv_int(o, &ff, "last_reply_code", a->last_code);
    kv_str(o, &ff, "banner", stc_result_text(r, a->banner));
    kv_int(o, &ff, "elapsed_ms", a->elapsed_ms);
    checks(o, &ff, one, 1, NULL);
    ehlo_list(o, &ff, "ehlo", a->ehlo);
    if (a->tls_version) {
        int tf = 1;
        key(o, &ff, "tls");
        stc_out_str(o, "{");
        kv_str(o, &tf, "version", stc_tls_version_text(a->tls_version));
        kv_str(o, &tf, "cipher", suite_text(a->suite, hex));
        suite_text(a->suite, hex);
        kv_str(o, &tf, "cipher_id", hex);
        kv_str(o, &tf, "group", stc_group_name(a->group, gb, sizeof gb));
        ehlo_list(o, &tf, "ehlo", a->ehlo_tls);
        stc_out_str(o, "}");
    }
    if (a->tls_version || a->status[STC_CHK_CERT] != STC_SKIPPED)
        cert_obj(o, &ff, r, &a->cert); /* from the handshake, or a probe's Certificate */
    if (a->probe.ran)
        probe_obj(o, &ff, &a->probe);
    findings(o, &ff, a->findings, a->nfindings, a->dropped);
    stc_out_str(o, "}");
}

/* dane_obj - "dane":{status,check_status,records,usable,usage,base} */
static void dane_obj(stc_out_t *o, int *first, const stc_domain_result_t *r,
                     const stc_host_result_t *h)
{
    int ff = 1;
    key(o, first, "dane");
    stc_out_str(o, "{");
    kv_str(o, &ff, "status", stc_dane_text(h->dane));
    kv_str(o, &ff, "check_status", stc_status_text(dane_check(h->dane)));
    kv_int(o, &ff, "records", h->tlsa_records);
    kv_int(o, &ff, "usable", h->tlsa_usable);
    if (h->dane == STC_DANE_VALID && h->dane_usage)
        kv_str(o, &ff, "matched_by", h->dane_usage == 3 ? "DANE-EE" : "DANE-TA");
    if (h->tlsa_base)
        kv_str(o, &ff, "base", stc_result_text(r, h->tlsa_base));
    stc_out_str(o, "}");
}

/* sts_policy - the fetched MTA-STS policy's fields inside "mta_sts": the
 * original tool's mode / mxs / policy / messages, and what the fetch saw */
static void sts_policy(stc_out_t *o, int *ff, const stc_domain_result_t *r)
{
    static const char *const modes[] = {"", "enforce", "testing", "none"};
    static const char *const ends[] = {"none", "read", "connect_failed", "tls_failed",
                                       "timeout", "io_error", "checker_limit"};
    static const char *const probs[] = {"no_version", "bad_version", "no_mode", "bad_mode",
                                        "no_max_age", "bad_max_age", "no_mx", "bad_mx",
                                        "malformed_line", "line_too_long", "duplicate_key",
                                        "blank_line"};
    const stc_sts_result_t *p = &r->sts;
    unsigned i, n = 0;
    int f2 = 1;

    if (p->fetch == STC_STS_E_NONE)
        return;
    kv_str(o, ff, "fetch", ends[p->fetch < 7 ? p->fetch : 0]);
    if (p->http_status)
        kv_int(o, ff, "http_status", p->http_status);
    if (p->fetch == STC_STS_E_READ)
        kv_str(o, ff, "http_result", stc_http_result_name(p->http_result));
    if (r->mta_sts.mode && r->mta_sts.mode < 4) {
        kv_str(o, ff, "mode", modes[r->mta_sts.mode]);
        kv_int(o, ff, "max_age", p->max_age);
        kv_int(o, ff, "mx_count", p->mx_count);
        key(o, ff, "mxs");
        stc_out_str(o, "[");
        for (i = 0; i < p->nmx; i++) {
            if (i)
                stc_out_str(o, ",");
            jstr(o, stc_result_text(r, p->mx[i]));
        }
        stc_out_str(o, "]");
        /* the policy as the original tool showed it, rebuilt from its fields
         * (the body is never kept) */
        key(o, ff, "policy");
        stc_out_str(o, "{");
        kv_str(o, &f2, "version", "STSv1");
        kv_str(o, &f2, "mode", modes[r->mta_sts.mode]);
        kv_int(o, &f2, "max_age", p->max_age);
        stc_out_str(o, "}");
        kv_int(o, ff, "uncovered_mx", p->uncovered);
        kv_int(o, ff, "violating_mx", p->violating);
    }
    if (p->policy_problems) {
        key(o, ff, "policy_problems");
        stc_out_str(o, "[");
        for (i = 0; i < sizeof probs / sizeof probs[0]; i++)
            if (p->policy_problems & (1u << i)) {
                if (n++)
                    stc_out_str(o, ",");
                jstr(o, probs[i]);
            }
        stc_out_str(o, "]");
    }
    /* the original's "messages": the titles of the policy's findings */
    key(o, ff, "messages");
    stc_out_str(o, "[");
    for (i = 0, n = 0; i < r->nfindings; i++) {
        const stc_finding_info_t *fi = stc_finding_info(r->findings[i].code);
        if (strncmp(fi->name, "mta_sts_", 8) != 0 && r->findings[i].code != STC_F_STS_CHECKER)
            continue;
        if (n++)
            stc_out_str(o, ",");
        jstr(o, fi->title);
    }
    stc_out_str(o, "]");
}

/* policy_obj - "mta_sts" / "tls_rpt": {status,records,id|rua,problems} */
static void policy_obj(stc_out_t *o, int *first, const stc_domain_result_t *r,
                       const char *k, const stc_policy_result_t *p, int sts)
{
    static const char *const probs[] = {"syntax", "space_before_semicolon", "no_id", "bad_id",
                                        "duplicate_id", "no_rua", "bad_uri", "unsupported_scheme",
                                        "duplicate_rua", "no_usable_uri"};
    unsigned i, n = 0;
    int ff = 1;

    if (p->status == STC_SKIPPED)
        return; /* not looked up, or not judged yet */
    key(o, first, k);
    stc_out_str(o, "{");
    kv_str(o, &ff, "status", stc_status_text(p->status));
    kv_int(o, &ff, "records", p->records);
    if (p->id)
        kv_str(o, &ff, sts ? "id" : "rua", stc_result_text(r, p->id));
    if (!sts && p->records == 1)
        kv_int(o, &ff, "rua_count", p->uris);
    key(o, &ff, "problems");
    stc_out_str(o, "[");
    for (i = 0; i < sizeof probs / sizeof probs[0]; i++)
        if (p->problems & (1u << i)) {
            if (n++)
                stc_out_str(o, ",");
            jstr(o, probs[i]);
        }
    stc_out_str(o, "]");
    if (sts)
        sts_policy(o, &ff, r);
    stc_out_str(o, "}");
}

/* host_obj - one MX host: the original's per-hostname result plus addresses */
static void host_obj(stc_out_t *o, const stc_domain_result_t *r, const stc_host_result_t *h)
{
    const stc_addr_result_t *reached[STC_MAX_ADDRS];
    unsigned i, n = 0;
    int ff = 1;

    for (i = 0; i < h->naddr; i++)
        if (h->addr[i].reach == STC_R_REACHED)
            reached[n++] = &h->addr[i];
    if (n == 0) /* nothing reached: the host carries its failed connectivity */
        for (i = 0; i < h->naddr; i++)
            reached[n++] = &h->addr[i];
    stc_out_str(o, "{");
    kv_str(o, &ff, "domain", r->domain);
    kv_str(o, &ff, "hostname", h->name);
    kv_int(o, &ff, "preference", h->pref);
    if (h->cname)
        kv_str(o, &ff, "cname", stc_result_text(r, h->cname));
    kv_int(o, &ff, "status", h->status);
    kv_str(o, &ff, "status_text", stc_status_text(h->status));
    kv_str(o, &ff, "reach", stc_reach_text(h->reach));
    kv_bool(o, &ff, "preferred", h->preferred);
    kv_bool(o, &ff, "dnssec", h->dnssec);
    if (h->dane != STC_DANE_NONE)
        dane_obj(o, &ff, r, h);
    checks(o, &ff, reached, n, h);
    findings(o, &ff, h->findings, h->nfindings, h->dropped);
    key(o, &ff, "addresses");
    stc_out_str(o, "[");
    for (i = 0; i < h->naddr; i++) {
        if (i)
            stc_out_str(o, ",");
        addr_obj(o, r, &h->addr[i]);
    }
    stc_out_str(o, "]}");
}

/* stc_report_json - the whole result as one line of JSON */
int stc_report_json(const stc_domain_result_t *r, stc_write_fn w, void *ctx)
{
    return stc_report_json_line(r, 0, w, ctx);
}

/* stc_report_json_line - the same, tagged with the input line it came from */
int stc_report_json_line(const stc_domain_result_t *r, unsigned long input_line,
                         stc_write_fn w, void *ctx)
{
    static const char *const kinds[] = {"none", "mx", "implicit", "null", "relay"};
    stc_out_t o;
    unsigned i, n;
    int ff = 1;
    char msg[STC_NAME_MAX + 200];

    o.w = w;
    o.ctx = ctx;
    o.err = 0;
    stc_out_str(&o, "{");
    kv_int(&o, &ff, "schema_version", STC_SCHEMA_VERSION);
    if (input_line > 0)
        kv_int(&o, &ff, "input_line", (int64_t)input_line);
    kv_str(&o, &ff, "domain", r->domain);
    kv_int(&o, &ff, "status", r->status);
    kv_str(&o, &ff, "status_text", stc_domain_status_text(r->status));
    if (r->name_cut)
        kv_bool(&o, &ff, "name_cut", 1);
    kv_str(&o, &ff, "message", stc_result_message(r, msg, sizeof msg));
    kv_str(&o, &ff, "mx_kind", kinds[r->mx_kind < 5 ? r->mx_kind : 0]);
    kv_bool(&o, &ff, "mx_dnssec", r->mx_secure);
    if (r->resolver.family) {
        char rb[48];
        key(&o, &ff, "resolver");
        stc_out_str(&o, "{\"address\":");
        jstr(&o, stc_ip_text(&r->resolver, rb, sizeof rb));
        stc_out_str(&o, r->ad_trusted ? ",\"ad_trusted\":true}" : ",\"ad_trusted\":false}");
    }
    kv_int(&o, &ff, "mx_total", r->mx_total);
    kv_int(&o, &ff, "port", r->port);
    if (r->implicit_tls)
        kv_bool(&o, &ff, "implicit_tls", 1);
    key(&o, &ff, "preferred_hostnames");
    stc_out_str(&o, "[");
    for (i = 0, n = 0; i < r->nhosts; i++)
        if (r->host[i].preferred) {
            if (n++)
                stc_out_str(&o, ",");
            jstr(&o, r->host[i].name);
        }
    stc_out_str(&o, "]");
    key(&o, &ff, "mx_hostnames");
    stc_out_str(&o, "[");
    for (i = 0; i < r->nhosts; i++) {
        if (i)
            stc_out_str(&o, ",");
        jstr(&o, r->host[i].name);
    }
    stc_out_str(&o, "]");
    findings(&o, &ff, r->findings, r->nfindings, r->dropped);
    policy_obj(&o, &ff, r, "mta_sts", &r->mta_sts, 1);
    policy_obj(&o, &ff, r, "tls_rpt", &r->tls_rpt, 0);
    key(&o, &ff, "results");
    stc_out_str(&o, "{");
    for (i = 0; i < r->nhosts; i++) {
        if (i)
            stc_out_str(&o, ",");
        jstr(&o, r->host[i].name);
        stc_out_str(&o, ":");
        host_obj(&o, r, &r->host[i]);
    }
    stc_out_str(&o, "}");
    kv_int(&o, &ff, "sessions", r->sessions);
    if (r->text_dropped)
        kv_int(&o, &ff, "texts_dropped", r->text_dropped);
    kv_int(&o, &ff, "elapsed_ms", r->elapsed_ms);
    stc_out_str(&o, "}\n");
    return o.err;
}
