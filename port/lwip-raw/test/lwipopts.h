/* lwipopts.h - lwIP 2.1 for the host test of port/lwip-raw (test_lwip_raw.c)
 *
 * NO_SYS=1 and the raw API, as on a board; the loopback interface
 * (127.0.0.1) carries the test's traffic, delivered by netif_poll_all() -
 * the test's "driver poll". Pools sized for the host limits
 * (boards/linux-host: 16 connections + 8 DNS queries) plus the test's own
 * servers.
 */
#ifndef STC_TEST_LWIPOPTS_H
#define STC_TEST_LWIPOPTS_H
#define NO_SYS 1
#define SYS_LIGHTWEIGHT_PROT 0
#define LWIP_NETCONN 0
#define LWIP_SOCKET 0
#define LWIP_IPV6 0
#define LWIP_HAVE_LOOPIF 1
#define LWIP_NETIF_LOOPBACK 1
#define LWIP_LOOPBACK_MAX_PBUFS 0
#define MEM_ALIGNMENT 8
#define MEM_SIZE (256 * 1024)
#define TCP_MSS 536
#define TCP_WND (4 * TCP_MSS)
#define TCP_SND_BUF (8 * TCP_MSS)
#define TCP_SND_QUEUELEN 32
#define MEMP_NUM_TCP_SEG 128
#define MEMP_NUM_TCP_PCB 40
#define MEMP_NUM_TCP_PCB_LISTEN 2
#define MEMP_NUM_UDP_PCB 12
#define MEMP_NUM_PBUF 64
#define PBUF_POOL_SIZE 64
#define LWIP_STATS 1
#define MEMP_STATS 1
#endif
