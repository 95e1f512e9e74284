/* ctx_size.c - sizes of the engine, a job and their main parts, per board
 *
 * Compiled once per board profile (-Iboards/<board>) by
 * tests/bench/bench_mem.sh, with the host compiler or a cross compiler.
 * A cross-compiled object cannot run here, so the figures are stored as
 * initialised constants and read back with the toolchain's nm: each
 * symbol stc_sz_<name> is an array whose length is the figure (nm -S
 * prints it). Build with -DCTX_SIZE_MAIN for a host program that prints
 * the same figures.
 */
#include "stc/stc.h"

#define FIG(name, v) const char stc_sz_##name[(v) > 0 ? (v) : 1] = {0}

FIG(engine, sizeof(stc_engine_t));
FIG(job, sizeof(stc_job_t));
FIG(result, sizeof(stc_domain_result_t));
FIG(host_result, sizeof(stc_host_result_t));
FIG(addr_result, sizeof(stc_addr_result_t));
FIG(text_pool, STC_TEXT_POOL);
FIG(dns_slots, sizeof(((stc_engine_t *)0)->dns));
FIG(dns_slot, sizeof(stc_dnsq_t));
FIG(conn_slots, sizeof(((stc_engine_t *)0)->conn));
FIG(conn_slot, sizeof(stc_conn_t));
FIG(task_slots, sizeof(((stc_engine_t *)0)->task));
FIG(task_slot, sizeof(stc_task_t));
FIG(chain_digests, sizeof(stc_chain_facts_t));
FIG(reply, sizeof(stc_reply_t));
FIG(options, sizeof(stc_options_t));
FIG(job_waits, sizeof(((stc_job_t *)0)->w));
FIG(max_mx, STC_MAX_MX);
FIG(max_addrs, STC_MAX_ADDRS);
FIG(max_conn, STC_MAX_CONN);
FIG(max_dns, STC_MAX_DNS);
FIG(max_tasks, STC_MAX_TASKS);
FIG(pointer, sizeof(void *));

#ifdef CTX_SIZE_MAIN
#include <stdio.h>

int main(void)
{
#define P(name) printf("%s %zu\n", #name, sizeof stc_sz_##name)
    P(engine); P(job); P(result); P(host_result); P(addr_result); P(text_pool);
    P(dns_slots); P(dns_slot); P(conn_slots); P(conn_slot); P(task_slots); P(task_slot);
    P(chain_digests); P(reply); P(options); P(job_waits);
    P(max_mx); P(max_addrs); P(max_conn); P(max_dns); P(max_tasks); P(pointer);
    return 0;
}
#endif
