/* board.h - what QEMU's mps2-an386 machine gives the firmware (board.c,
 * lan9118.c): console, clock, semihosting, a random-source stand-in, the
 * painted stack, the Ethernet netif
 */
#ifndef STC_MPS2_BOARD_H
#define STC_MPS2_BOARD_H

#include <stddef.h>
#include <stdint.h>

struct netif;

/* ---- Console: CMSDK APB UART0 (0x40004000), QEMU's serial0 -------------- */
void console_init(void);
void console_write(const char *p, size_t n);
void console_puts(const char *s);
void console_putu(uint32_t v);      /* decimal */
void console_putx(uint32_t v);      /* 0x%08x */
/* "text" + decimal + "\n" in one call, for boot-log lines */
void console_line_u(const char *text, uint32_t v);

/* ---- Clock: SysTick at 1 kHz from the 25 MHz CPU clock -------------------- */
void systick_init(void);
/* lwIP's sys_now() is the millisecond count (board.c). */

/* ---- Semihosting (QEMU -semihosting: bkpt 0xAB, op in r0, args in r1) ------ */
int semi_open(const char *path, int mode); /* handle, or -1; mode 1 = "rb" */
long semi_flen(int fd);                    /* bytes, or -1 */
long semi_read(int fd, void *buf, size_t n); /* bytes read, or -1 */
void semi_close(int fd);
int64_t semi_time(void);                   /* host's unix seconds */
size_t semi_cmdline(char *buf, size_t cap); /* QEMU's -kernel + -append text */
void semi_exit(int code) __attribute__((noreturn)); /* QEMU exits with code */

/* ---- Wall clock: SYS_TIME once at boot, then the tick (an RTC's part) ----- */
void rtc_init(void);
int64_t rtc_seconds(void);

/* ---- Random source: STAND-IN (see board.c) -------------------------------- */
void board_rng_init(void);
uint32_t board_rand32(void);
int board_random(void *board, void *buf, size_t n); /* 0 */
int stc_board_seed(unsigned char *out, unsigned int n); /* wolfSSL's DRBG seed */

/* ---- CPU ------------------------------------------------------------------- */
void board_idle(void *board);  /* WFI: sleep until the next interrupt (tick) */
/* Painted-stack figures: size of the main stack, and the most of it ever
 * used since reset (the lowest word no longer holding the paint). */
size_t board_stack_size(void);
size_t board_stack_used(void);

/* ---- Ethernet: SMSC LAN9118 (LAN9220 on the real board) at 0x40200000 ------ */
typedef struct lan9118_stats {
    uint32_t rx_frames, rx_dropped, rx_errors, tx_frames, tx_dropped;
    uint32_t rx_frame_max; /* longest frame received, bytes without CRC */
} lan9118_stats_t;
/* netif_add()'s init callback: reset the chip, MAC address, MAC on. */
signed char lan9118_netif_init(struct netif *nif);
/* Move received frames into nif->input; follow the PHY's link state. */
void lan9118_poll(struct netif *nif);
const lan9118_stats_t *lan9118_stats(void);
uint32_t lan9118_id(void); /* ID_REV register (0x01180001 under QEMU) */

#endif /* STC_MPS2_BOARD_H */
