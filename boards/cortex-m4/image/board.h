/* board.h - what the board image needs from the hardware (standins.c) */
#ifndef STC_BOARD_IMAGE_H
#define STC_BOARD_IMAGE_H

#include <stddef.h>
#include <stdint.h>

struct netif;

void board_init(void);
void board_halt(void);
/* The Ethernet MAC driver's netif init (netif_add's init callback). */
signed char board_eth_init(struct netif *nif);
int board_console_write(const char *p, size_t n);
int64_t board_rtc_seconds(void);
/* TRNG bytes (also wolfSSL's DRBG seed, user_settings.h); 0 on success. */
int stc_board_seed(unsigned char *out, unsigned int n);
/* The next domain to check, NULL when done. */
const char *board_next_domain(void);

/* Trust anchors (DER), generated from the CA file at build time. */
extern const uint8_t board_anchors[];
extern const size_t board_anchors_len;

#endif
