/* main.c - firmware main of the board image: starttls-check on lwIP
 *
 * What an appliance's check task does, in the order it does it: bring up
 * lwIP (tcpip thread, the Ethernet netif, DHCP), hand the port its board
 * services (resolver, trust anchors in flash, RTC, TRNG), route wolfSSL
 * into the arena, then check domains one after another and write each
 * result as one JSON line to the console.
 *
 * Memory, all static: the check context (.bss, budget 16 KB), the arena
 * (.ccm: core-coupled RAM, CPU only), lwIP's pools (.bss, lwipopts.h).
 * The services behind board_*() are stand-ins (standins.c): this image is
 * built to be measured, see README.md.
 */
#include "stc/stc.h"
#include "stc_lwip.h"
#include "board.h"

#include "lwip/dhcp.h"
#include "lwip/netif.h"
#include "lwip/tcpip.h"
#include "netif/ethernet.h"

#include <string.h>

/* Trust anchors plus one handshake: see README.md for the measurements. */
#ifndef BOARD_ARENA_SIZE
#define BOARD_ARENA_SIZE (60u * 1024u)
#endif

static uint8_t arena[BOARD_ARENA_SIZE] __attribute__((section(".ccm"), aligned(16)));
static stc_check_t chk;
static stc_lwip_t lw;
static struct netif nif;

/* console_write - report sink: the board's console */
static int console_write(void *ctx, const char *p, size_t n)
{
    (void)ctx;
    return board_console_write(p, n) == 0 ? 0 : -1;
}

/* rtc_seconds - the port's wall clock: the board's RTC */
static int64_t rtc_seconds(void *board)
{
    (void)board;
    return board_rtc_seconds();
}

/* trng_fill - the port's random source: the board's TRNG */
static int trng_fill(void *board, void *buf, size_t n)
{
    (void)board;
    return stc_board_seed(buf, (unsigned int)n);
}

int main(void)
{
    static const stc_ip_t resolver = {4, {192, 0, 2, 53}};
    stc_lwip_cfg_t cfg;
    const char *domain;

    board_init();
    tcpip_init(NULL, NULL);
    LOCK_TCPIP_CORE();
    netif_add(&nif, IP4_ADDR_ANY4, IP4_ADDR_ANY4, IP4_ADDR_ANY4, NULL, board_eth_init,
              tcpip_input);
    netif_set_default(&nif);
    netif_set_up(&nif);
    dhcp_start(&nif);
    UNLOCK_TCPIP_CORE();

    memset(&cfg, 0, sizeof cfg);
    cfg.resolvers = &resolver;
    cfg.nresolvers = 1;
    cfg.ca = board_anchors;
    cfg.ca_len = board_anchors_len;
    cfg.ca_format = STC_TA_DER;
    cfg.unix_time = rtc_seconds;
    cfg.random = trng_fill;
    if (stc_lwip_init(&lw, &cfg) != 0 || stc_init(arena, sizeof arena, &lw.ops) != STC_OK
        || stc_check_init(&chk, &lw.ops, NULL) != STC_OK)
        board_halt();

    while ((domain = board_next_domain()) != NULL) {
        stc_check_domain_start(&chk, domain, NULL, 0);
        stc_check_run(&chk);
        stc_report_json(stc_check_result(&chk), console_write, NULL);
    }
    stc_check_free(&chk);
    stc_deinit();
    stc_lwip_free(&lw);
    board_halt();
    return 0;
}
