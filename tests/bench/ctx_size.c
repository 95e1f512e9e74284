/* ctx_size.c - sizes of the check context and its main parts, per board
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

FIG(check, sizeof(stc_check_t));
FIG(result, sizeof(stc_domain_result_t));
FIG(host_result, sizeof(stc_host_result_t));
FIG(addr_result, sizeof(stc_addr_result_t));
FIG(dns_slots, sizeof(((stc_check_t *)0)->dns));
FIG(dns_slot, sizeof(stc_dnsq_t));
FIG(conn_slots, sizeof(((stc_check_t *)0)->conn));
FIG(conn_slot, sizeof(stc_conn_t));
FIG(chain, sizeof(stc_chain_t));
FIG(reply, sizeof(stc_reply_t));
FIG(options, sizeof(stc_options_t));
FIG(host_state, sizeof(((stc_check_t *)0)->hs));
FIG(max_mx, STC_MAX_MX);
FIG(max_addrs, STC_MAX_ADDRS);
FIG(max_conn, STC_MAX_CONN);
FIG(max_dns, STC_MAX_DNS);
FIG(pointer, sizeof(void *));

#ifdef CTX_SIZE_MAIN
#include <stdio.h>

int main(void)
{
#define P(name) printf("%s %zu\n", #name, sizeof stc_sz_##name)
    P(check); P(result); P(host_result); P(addr_result); P(dns_slots); P(dns_slot);
    P(conn_slots); P(conn_slot); P(chain); P(reply); P(options); P(host_state);
    P(max_mx); P(max_addrs); P(max_conn); P(max_dns); P(pointer);
    return 0;
}
#endif
