/* arch/cc.h - lwIP's compiler and C-library port for boards/mps2-an386
 *
 * arm-none-eabi-gcc with newlib-nano: lwIP uses <stdint.h>, <inttypes.h>,
 * <limits.h> and its own byte-order functions (the core is little-endian).
 * NO_SYS=1: no sys_arch.h, no sys_prot_t needed (SYS_LIGHTWEIGHT_PROT 0:
 * nothing touches lwIP from an interrupt handler; the driver is polled).
 */
#ifndef STC_MPS2_ARCH_CC_H
#define STC_MPS2_ARCH_CC_H

#include <stdint.h>

/* Assertions go to the console and end the run (board.c); no diagnostics. */
void board_lwip_assert(const char *msg, const char *file, int line);
#define LWIP_PLATFORM_DIAG(x) do { } while (0)
#define LWIP_PLATFORM_ASSERT(x) board_lwip_assert((x), __FILE__, __LINE__)

/* Random numbers for the first local ports and TCP's initial sequence
 * numbers: the board's random source (a stated stand-in, board.c). */
uint32_t board_rand32(void);
#define LWIP_RAND() ((u32_t)board_rand32())

#endif /* STC_MPS2_ARCH_CC_H */
