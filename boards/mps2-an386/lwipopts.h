/* lwipopts.h - lwIP 2.1 for boards/mps2-an386: NO_SYS=1, raw API, IPv4
 *
 * No operating system: lwIP runs in the firmware's one main loop
 * (NO_SYS=1), the check talks to it through port/lwip-raw (the raw
 * callback API: no netconn, no sockets, no tcpip thread), the LAN9118
 * driver is polled from the same loop, and nothing touches lwIP from an
 * interrupt (SYS_LIGHTWEIGHT_PROT 0; the only interrupt is SysTick, which
 * counts milliseconds for sys_now()).
 *
 * IPv4 only: the lab's tap link carries no IPv6, and the appliance profile
 * of boards/cortex-m4 measured lwIP's IPv6 at 16.5 KB of flash and 2.3 KB
 * of RAM. IPv6 MX addresses are then reported "untested" (port/lwip-raw
 * answers STC_EAFNOSUPPORT without asking lwIP), never "failed".
 *
 * No DHCP and no DNS module: the address, gateway and resolver come from
 * the command line QEMU hands over (semihosting), and the core has its own
 * resolver (MX records, the AD bit), which lwIP's DNS module lacks.
 *
 * Two profiles, as stc_config.h: STC_MPS2_HOST_LIMITS sizes the pools for
 * the host's 16 connections and 8 DNS queries at once; otherwise for one
 * check at a time (STC_MAX_CONN 1, STC_MAX_DNS 1). Every value below is
 * #ifndef-guarded so a variant build can change one with -D (the memory
 * figures of make bench-mem measure options one by one that way).
 */
#ifndef STC_MPS2_LWIPOPTS_H
#define STC_MPS2_LWIPOPTS_H

/* ---- System ---------------------------------------------------------------- */
#define NO_SYS 1
#define SYS_LIGHTWEIGHT_PROT 0
#define LWIP_TIMERS 1
#define MEM_ALIGNMENT 4
#define LWIP_NETCONN 0
#define LWIP_SOCKET 0
#define LWIP_NETIF_API 0

/* TCP's initial sequence numbers: random, not lwIP's counter that starts
 * at the same value at every boot (the lab's servers keep TIME_WAIT
 * entries for our previous run's connections). */
#define LWIP_HOOK_TCP_ISN(lip, lport, rip, rport) board_rand32()

/* ---- Protocols ---------------------------------------------------------------- */
#define LWIP_IPV4 1
#define LWIP_IPV6 0
#define LWIP_ARP 1
#define LWIP_ETHERNET 1
#define LWIP_ICMP 1          /* answer pings: handy when bringing a board up */
#define LWIP_RAW 0
#define LWIP_IGMP 0
#define LWIP_DHCP 0
#define LWIP_AUTOIP 0
#define LWIP_DNS 0
#define LWIP_UDP 1
#define LWIP_TCP 1
#define IP_REASSEMBLY 1      /* a 1232-byte EDNS answer fits one frame here, not on every path */
#define IP_FRAG 0            /* we never send large datagrams */
#ifndef IP_REASS_MAX_PBUFS
#define IP_REASS_MAX_PBUFS 4
#endif
#define MEMP_NUM_REASSDATA 1
#define ARP_QUEUEING 1       /* the first SYN and DNS query wait for ARP, not dropped */
#define LWIP_TCP_KEEPALIVE 0
#define LWIP_TCP_SACK_OUT 0
#define TCP_QUEUE_OOSEQ 1
#define LWIP_NETIF_LOOPBACK 0
#define LWIP_HAVE_LOOPIF 0
#define LWIP_NETIF_LINK_CALLBACK 0
#define LWIP_NETIF_STATUS_CALLBACK 0

/* ---- Memory ---------------------------------------------------------------------- */
#ifdef STC_MPS2_HOST_LIMITS
/* The host's concurrency: 16 connections + 8 DNS queries (+ DNS over
 * TCP) at once, and closed connections lingering in TIME_WAIT. */
#define TCP_MSS 1460
#define TCP_WND (4 * TCP_MSS)
#define TCP_SND_BUF (2 * TCP_MSS)
#define TCP_SND_QUEUELEN 8
#define MEMP_NUM_TCP_PCB 40
#define MEMP_NUM_UDP_PCB 10
#define MEMP_NUM_TCP_SEG 192
#define MEMP_NUM_PBUF 32
#define MEMP_NUM_ARP_QUEUE 32
#define PBUF_POOL_SIZE 96
#define MEM_SIZE (64 * 1024)
#else
/* One check at a time: one connection (one more closing, one in
 * TIME_WAIT) and one DNS query. The certificate flight (3-5 KB) arrives
 * in a few full-size segments against a 2-segment window. */
#ifndef TCP_MSS
#define TCP_MSS 1460
#endif
#ifndef TCP_WND
#define TCP_WND (2 * TCP_MSS)
#endif
#ifndef TCP_SND_BUF
#define TCP_SND_BUF (2 * TCP_MSS)
#endif
#define TCP_SND_QUEUELEN 8
#ifndef MEMP_NUM_TCP_PCB
#define MEMP_NUM_TCP_PCB 3
#endif
#define MEMP_NUM_UDP_PCB 1
#define MEMP_NUM_TCP_SEG 8   /* = TCP_SND_QUEUELEN */
#define MEMP_NUM_PBUF 4      /* PBUF_REF/ROM headers: lwIP's own, rarely */
#define MEMP_NUM_ARP_QUEUE 4
#ifndef PBUF_POOL_SIZE
#define PBUF_POOL_SIZE 4     /* receive: window + one frame in flight */
#endif
#ifndef MEM_SIZE
#define MEM_SIZE (TCP_SND_BUF + 1024) /* outgoing segments, DNS queries, ARP */
#endif
#endif
#define MEMP_NUM_TCP_PCB_LISTEN 1 /* nothing listens; 0 is not allowed */
#define MEMP_NUM_SYS_TIMEOUT (LWIP_NUM_SYS_TIMEOUT_INTERNAL + 1)
#ifndef PBUF_POOL_BUFSIZE
#define PBUF_POOL_BUFSIZE LWIP_MEM_ALIGN_SIZE(TCP_MSS + 40 + PBUF_LINK_ENCAPSULATION_HLEN + PBUF_LINK_HLEN)
#endif

/* ---- Statistics: the pools' high-water marks for make bench-mem ----------------- */
#define LWIP_STATS 1
#define LWIP_STATS_DISPLAY 0
#define MEM_STATS 1
#define MEMP_STATS 1
#define LINK_STATS 0
#define ETHARP_STATS 0
#define IP_STATS 0
#define IPFRAG_STATS 0
#define ICMP_STATS 0
#define UDP_STATS 0
#define TCP_STATS 0
#define SYS_STATS 0

/* board_rand32() for the hook above (cc.h declares it for LWIP_RAND). */
#include "arch/cc.h"

/* make bench-mem measures options one by one: each variant is a header
 * mps2_variant.h of #undef/#define lines (in a directory of its own on the
 * include path), included at the end of stc_config.h (1), lwipopts.h (2)
 * and user_settings.h (3); STC_MPS2_VARIANT_FOR says which is reading it
 * (bench_mps2.sh). Never set in a normal build. */
#ifdef STC_MPS2_VARIANT
#undef STC_MPS2_VARIANT_FOR
#define STC_MPS2_VARIANT_FOR 2
#include "mps2_variant.h"
#endif

#endif /* STC_MPS2_LWIPOPTS_H */
