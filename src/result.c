/* result.c - recording into the bounded result: findings, checks, texts,
 * and the one-line summary derived from the verdict */
#include "engine.h"

#include <string.h>

/* push - append a finding to a bounded list, counting what does not fit */
static void push(stc_finding_t *list, uint8_t *n, uint8_t *dropped, size_t cap,
                 unsigned code, int32_t detail)
{
    uint8_t i;
    for (i = 0; i < *n; i++)
        if (list[i].code == code && list[i].detail == detail)
            return; /* the same fact twice says nothing new */
    if (*n >= cap) {
        if (*dropped < 255)
            (*dropped)++;
        return;
    }
    list[*n].code = (uint16_t)code;
    list[*n].detail = detail;
    (*n)++;
}

/* stc_add_domain_finding - record a domain-level finding */
void stc_add_domain_finding(stc_domain_result_t *r, unsigned code, int32_t detail)
{
    push(r->findings, &r->nfindings, &r->dropped,
         sizeof r->findings / sizeof r->findings[0], code, detail);
}

/* stc_add_host_finding - record a host-level finding */
void stc_add_host_finding(stc_host_result_t *h, unsigned code, int32_t detail)
{
    push(h->findings, &h->nfindings, &h->dropped,
         sizeof h->findings / sizeof h->findings[0], code, detail);
}

/* stc_addr_checks_reset - nothing has run yet */
void stc_addr_checks_reset(stc_addr_result_t *a)
{
    unsigned i;
    for (i = 0; i < STC_CHK_COUNT; i++)
        a->status[i] = STC_SKIPPED;
}

/* stc_check_ran - mark a check as run (success until a finding says more) */
void stc_check_ran(stc_addr_result_t *a, unsigned id)
{
    if (id < STC_CHK_COUNT &&
        (a->status[id] == STC_SKIPPED || a->status[id] == STC_NOT_APPLICABLE))
        a->status[id] = STC_SUCCESS;
}

/* stc_add_addr_finding - record an address finding and raise its check */
void stc_add_addr_finding(stc_addr_result_t *a, unsigned code, int32_t detail)
{
    const stc_finding_info_t *fi = stc_finding_info(code);
    push(a->findings, &a->nfindings, &a->dropped, STC_MAX_FINDINGS, code, detail);
    if (fi->check < STC_CHK_COUNT) {
        stc_check_ran(a, fi->check);
        a->status[fi->check] = (int8_t)stc_status_worse(a->status[fi->check], fi->severity);
    }
}

/* stc_text_put - keep s once in the pool; 0 when it does not fit */
stc_text_t stc_text_put(stc_domain_result_t *r, const char *s)
{
    size_t n = strlen(s), off = 0;

    if (n == 0)
        return 0;
    while (off < r->text_used) {
        size_t k = strlen(r->text + off);
        if (k == n && memcmp(r->text + off, s, n) == 0)
            return (stc_text_t)(off + 1);
        off += k + 1;
    }
    if (n + 1 > sizeof r->text - r->text_used) {
        if (r->text_dropped < 0xffffu)
            r->text_dropped++;
        return 0;
    }
    off = r->text_used;
    memcpy(r->text + off, s, n + 1);
    r->text_used = (uint16_t)(off + n + 1);
    return (stc_text_t)(off + 1);
}

/* stc_result_text - the string behind t */
const char *stc_result_text(const stc_domain_result_t *r, stc_text_t t)
{
    if (t == 0 || t > r->text_used)
        return "";
    return r->text + (t - 1);
}

/* append - bounded string append */
static void append(char *dst, size_t cap, const char *s)
{
    size_t n = strlen(dst);
    if (n + 1 < cap)
        stc_strlcpy(dst + n, s, cap - n);
}

/* stc_result_message - "<host>: <title>" from what the verdict chose */
const char *stc_result_message(const stc_domain_result_t *r, char *buf, size_t cap)
{
    if (cap == 0)
        return buf;
    buf[0] = '\0';
    if (r->msg_host > 0 && r->msg_host <= r->nhosts) {
        append(buf, cap, r->host[r->msg_host - 1].name);
        append(buf, cap, ": ");
    } else if (r->msg_code != 0 && r->msg_host == 0xff && r->domain[0]) {
        append(buf, cap, r->domain);
        append(buf, cap, ": ");
    }
    if (r->msg_code == 0 && r->status == STC_D_SUCCESS)
        append(buf, cap, r->mx_kind == STC_MX_RELAY ? "the host passed every check"
                                                    : "every preferred MX host passed every check");
    else if (r->msg_code == 0)
        append(buf, cap, "see the findings");
    else
        append(buf, cap, stc_finding_info(r->msg_code)->title);
    return buf;
}
