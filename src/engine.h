/* engine.h - the check engine's own modules (not public)
 *
 * check.c drives: dns_client.c (query slots), smtp.c (one connection per
 * address), verdict.c (host and domain status), over the port table.
 */
#ifndef STC_ENGINE_H
#define STC_ENGINE_H

#include "stc_int.h"

/* What a DNS slot is for. */
enum { STC_Q_MX = 1, STC_Q_A, STC_Q_AAAA };

/* DNS query slots (dns_client.c) */
int stc_dnsq_start(stc_check_t *c, stc_dnsq_t *q, const char *qname,
                   uint16_t qtype, uint8_t purpose, uint8_t host);
int stc_dnsq_step(stc_check_t *c, stc_dnsq_t *q);
int stc_dnsq_busy(const stc_dnsq_t *q);
void stc_dnsq_release(stc_check_t *c, stc_dnsq_t *q);
uint32_t stc_dnsq_deadline(const stc_dnsq_t *q);

/* SMTP/TLS connections (smtp.c) */
int stc_conn_start(stc_check_t *c, stc_conn_t *k, uint8_t host, uint8_t addr);
/* Advance; STC_EAGAIN while running, STC_OK when the address is finished. */
int stc_conn_step(stc_check_t *c, stc_conn_t *k);
/* Abort and release everything the connection holds. */
void stc_conn_abort(stc_check_t *c, stc_conn_t *k);

/* Findings (check.c) */
void stc_add_domain_finding(stc_domain_result_t *r, unsigned code, int32_t detail);
void stc_add_host_finding(stc_host_result_t *h, unsigned code, int32_t detail);
void stc_add_addr_finding(stc_addr_result_t *a, unsigned code, int32_t detail);
/* Mark check id as run (status success unless a finding says otherwise). */
void stc_check_ran(stc_addr_result_t *a, unsigned id);

/* Verdict (verdict.c): hosts' reach/status, preferred group, domain status
 * and message, from the address results and findings. Pure function. */
void stc_verdict(stc_domain_result_t *r, const char *const *patterns, size_t npatterns);
/* Worst status of an address over the checks that ran; -1 when none. */
int stc_addr_status(const stc_addr_result_t *a);
/* 1 when some finding anywhere is the checker's own failure. */
int stc_result_has_internal_error(const stc_domain_result_t *r);

#endif
