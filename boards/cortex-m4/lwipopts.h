/* lwipopts.h - lwIP 2.1 for starttls-check on a Cortex-M4 board
 *
 * NO_SYS=0 with the BSD-style socket API, because port/lwip/port_lwip.c is
 * written against it (lwip_socket/connect/poll, non-blocking sockets): an
 * RTOS runs lwIP's tcpip thread and the check runs in a task of its own.
 * The core itself needs no threads and would also run on NO_SYS=1 with a
 * raw-API port (boards/lwip-tap/README.md, "Towards a NO_SYS=1 port");
 * that port does not exist yet, so this board keeps the one that does.
 * LWIP_TCPIP_CORE_LOCKING=1: socket calls run under the core lock in the
 * calling task instead of a message round trip to the tcpip thread.
 *
 * Sized for one check at a time (stc_config.h: STC_MAX_CONN 1 and
 * STC_MAX_DNS 1): one TCP connection (plus one in TIME_WAIT), one UDP
 * socket for DNS, IPv4 only (the port then reports IPv6 MX addresses as
 * "untested"). RAM figures are for 32-bit pointers.
 */
#ifndef STC_BOARD_LWIPOPTS_H
#define STC_BOARD_LWIPOPTS_H

/* ---- System --------------------------------------------------------------- */
#define NO_SYS 0
#define SYS_LIGHTWEIGHT_PROT 1
#define LWIP_TCPIP_CORE_LOCKING 1
#define LWIP_TCPIP_CORE_LOCKING_INPUT 0
#define TCPIP_THREAD_STACKSIZE 1024   /* bytes or words: the RTOS's unit */
#define TCPIP_THREAD_PRIO 3
#define TCPIP_MBOX_SIZE 8
#define LWIP_NETCONN_SEM_PER_THREAD 0
#define MEM_ALIGNMENT 4

/* ---- Memory (17.2 KB of RAM in the linked image) ----------------------------- */
#define MEM_SIZE 6144                 /* heap: outgoing segments (PBUF_RAM) */
#define MEMP_NUM_PBUF 8               /* PBUF_ROM/REF headers */
#define MEMP_NUM_UDP_PCB 2            /* the DNS slot + one spare */
#define MEMP_NUM_TCP_PCB 2            /* the connection + one in TIME_WAIT */
#define MEMP_NUM_TCP_PCB_LISTEN 1     /* nothing listens; 0 is not allowed */
#define MEMP_NUM_TCP_SEG 12           /* >= TCP_SND_QUEUELEN */
#define MEMP_NUM_NETCONN 2            /* = STC_MAX_CONN + STC_MAX_DNS (port_lwip.c checks) */
#define MEMP_NUM_NETBUF 4             /* queued UDP datagrams */
#define MEMP_NUM_TCPIP_MSG_API 4
#define MEMP_NUM_TCPIP_MSG_INPKT 8
#define MEMP_NUM_SYS_TIMEOUT (LWIP_NUM_SYS_TIMEOUT_INTERNAL + 1)
#define PBUF_POOL_SIZE 6              /* receive buffers: 6 x ~1.5 KB */
#define PBUF_POOL_BUFSIZE LWIP_MEM_ALIGN_SIZE(TCP_MSS + 40 + PBUF_LINK_ENCAPSULATION_HLEN + PBUF_LINK_HLEN)

/* ---- Protocols ------------------------------------------------------------ */
#define LWIP_IPV4 1
#define LWIP_IPV6 0                   /* 16.5 KB of flash, 2.3 KB of RAM saved */
#define LWIP_ARP 1
#define LWIP_ETHERNET 1
#define LWIP_ICMP 1
#define LWIP_RAW 0
#define LWIP_IGMP 0
#define LWIP_DHCP 1                   /* an appliance gets its address by DHCP */
#define LWIP_AUTOIP 0
#define LWIP_DNS 0                    /* the core has its own resolver (MX, AD bit) */
#define LWIP_UDP 1
#define LWIP_TCP 1
#define IP_REASSEMBLY 1               /* large DNS answers over UDP */
#define IP_FRAG 0                     /* we never send large datagrams */
#define IP_REASS_MAX_PBUFS 4          /* 1232-byte EDNS answers: 1 fragment + 1 */
#define MEMP_NUM_REASSDATA 2          /* datagrams being reassembled at once */

/* TCP: the certificate flight (often 3-5 KB) arrives in a few segments. */
#define TCP_MSS 1460
#define TCP_WND (2 * TCP_MSS)
#define TCP_SND_BUF (2 * TCP_MSS)
#define TCP_SND_QUEUELEN 8
#define LWIP_TCP_KEEPALIVE 0
#define LWIP_TCP_SACK_OUT 0

/* ---- Sequential API and sockets --------------------------------------------- */
#define LWIP_NETCONN 1
#define LWIP_SOCKET 1
#define LWIP_SOCKET_POLL 1            /* lwip_poll: the port's wait() */
#define LWIP_SOCKET_SELECT 0
#define LWIP_COMPAT_SOCKETS 0         /* lwip_* names only */
#define LWIP_POSIX_SOCKETS_IO_NAMES 0
#define LWIP_SO_RCVTIMEO 0            /* non-blocking: the core keeps deadlines */
#define LWIP_SO_SNDTIMEO 0
#define LWIP_SO_RCVBUF 0
#define LWIP_TCP_KEEPALIVE 0
#define DEFAULT_UDP_RECVMBOX_SIZE 4
#define DEFAULT_TCP_RECVMBOX_SIZE 8
#define DEFAULT_ACCEPTMBOX_SIZE 1
#define DEFAULT_RAW_RECVMBOX_SIZE 1

/* ---- Misc ----------------------------------------------------------------- */
#define LWIP_NETIF_LOOPBACK 0
#define LWIP_HAVE_LOOPIF 0
#define LWIP_STATS 0
#define LWIP_NETIF_API 0

#endif /* STC_BOARD_LWIPOPTS_H */
