/* result.c - recording findings in the bounded result lists */
#include "engine.h"

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

/* stc_check_ran - mark a check as run (success until a finding says more) */
void stc_check_ran(stc_addr_result_t *a, unsigned id)
{
    if (id < STC_CHK_COUNT && a->status[id] < 0)
        a->status[id] = STC_SUCCESS;
}

/* stc_add_addr_finding - record an address finding and raise its check */
void stc_add_addr_finding(stc_addr_result_t *a, unsigned code, int32_t detail)
{
    const stc_finding_info_t *fi = stc_finding_info(code);
    push(a->findings, &a->nfindings, &a->dropped, STC_MAX_FINDINGS, code, detail);
    if (fi->check < STC_CHK_COUNT) {
        stc_check_ran(a, fi->check);
        if (a->status[fi->check] < (int8_t)fi->severity)
            a->status[fi->check] = (int8_t)fi->severity;
    }
}

