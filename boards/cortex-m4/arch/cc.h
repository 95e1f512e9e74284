/* arch/cc.h - lwIP's compiler and C-library port for the Cortex-M4 board
 *
 * arm-none-eabi-gcc with newlib: <stdint.h>, <inttypes.h>, <limits.h>,
 * <errno.h> and <sys/time.h> are there, so lwIP uses them (its own
 * byte-order functions: the core is little-endian, lwIP swaps).
 */
#ifndef STC_BOARD_ARCH_CC_H
#define STC_BOARD_ARCH_CC_H

#include <sys/time.h>   /* struct timeval for lwIP's sockets.h */
#include <stdlib.h>     /* abort() for LWIP_PLATFORM_ASSERT */

#define LWIP_TIMEVAL_PRIVATE 0
#define LWIP_ERRNO_STDINCLUDE 1    /* newlib's errno, per task */

/* Diagnostics: a board routes these to its console, or drops them. */
#define LWIP_PLATFORM_DIAG(x) do { } while (0)
#define LWIP_PLATFORM_ASSERT(x) abort()

/* Random numbers for ports and IDs: the board's TRNG (see README.md). */
unsigned long stc_board_rand(void);
#define LWIP_RAND() ((u32_t)stc_board_rand())

typedef unsigned int sys_prot_t;

/* Debian's lwip source package (its patch "port") makes api/sockets.c set
 * and read socket address lengths through these, which Debian's unix port
 * defines; lwIP's own struct sockaddr has the length fields (sin_len,
 * sin6_len, sa_len), so they are filled as upstream lwIP does. */
#define IP4ADDR_SOCKADDR_SET_LEN(sin) (sin)->sin_len = sizeof(struct sockaddr_in)
#define IP6ADDR_SOCKADDR_SET_LEN(sin6) (sin6)->sin6_len = sizeof(struct sockaddr_in6)
#define IPADDR_SOCKADDR_GET_LEN(addr) (addr)->sa.sa_len

#endif /* STC_BOARD_ARCH_CC_H */
