/* lan9118.c - polling lwIP netif driver for the SMSC LAN9118 / LAN9220
 *
 * The MPS2 board's Ethernet controller at 0x40200000 (QEMU models a
 * LAN9118; the board has the software-compatible LAN9220). It is driven
 * entirely by polling from the main loop: no interrupt, no DMA, no
 * buffers of its own - frames are copied word by word between the chip's
 * FIFOs and lwIP's pbufs.
 *
 * Receive: the RX status FIFO holds one word per frame (length in bits
 * 16..29, CRC included; error summary in bit 15), the RX data FIFO the
 * frame padded to whole 32-bit words, least significant byte first. Every
 * word of a frame is read, even of one that is dropped (no free pbuf, an
 * error): the FIFO has no other reliable way to skip a frame (RX_DP_CTRL's
 * fast-forward needs the length in words and the datasheet's conditions).
 * Transmit: TX command A (first + last segment, buffer length), command B
 * (tag, frame length), then the frame as words; the chip sends it once
 * the last word is in. The TX status word of each frame is popped.
 * Link: the PHY's basic status register (MII register 1, bit 2), read
 * every LINK_POLL_MS through the MAC's MII access registers.
 */
#include "board.h"

#include "lwip/etharp.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "lwip/sys.h"
#include "netif/ethernet.h"

#include <string.h>

#define BASE 0x40200000u
#define REG(off) (*(volatile uint32_t *)(BASE + (off)))

/* system control and status registers */
#define RX_DATA_FIFO 0x00u
#define TX_DATA_FIFO 0x20u
#define RX_STATUS_FIFO 0x40u
#define TX_STATUS_FIFO 0x48u
#define ID_REV 0x50u
#define IRQ_CFG 0x54u
#define INT_STS 0x58u
#define INT_EN 0x5Cu
#define BYTE_TEST 0x64u
#define RX_CFG 0x6Cu
#define TX_CFG 0x70u
#define HW_CFG 0x74u
#define RX_FIFO_INF 0x7Cu
#define TX_FIFO_INF 0x80u
#define PMT_CTRL 0x84u
#define MAC_CSR_CMD 0xA4u
#define MAC_CSR_DATA 0xA8u

#define BYTE_TEST_VALUE 0x87654321u
#define HW_CFG_SRST 0x00000001u
#define PMT_CTRL_READY 0x00000001u
#define TX_CFG_TX_ON 0x00000002u
#define CSR_BUSY 0x80000000u
#define CSR_READ 0x40000000u

/* MAC registers (through MAC_CSR_CMD/DATA) */
#define MAC_CR 1u
#define MAC_ADDRH 2u
#define MAC_ADDRL 3u
#define MII_ACC 6u
#define MII_DATA 7u
#define MAC_CR_FDPX 0x00100000u
#define MAC_CR_TXEN 0x00000008u
#define MAC_CR_RXEN 0x00000004u
#define MII_BUSY 0x1u
#define MII_WRITE 0x2u
#define PHY_ADDR 1u

/* PHY registers */
#define PHY_BMCR 0u
#define PHY_BMSR 1u
#define BMCR_ANENABLE 0x1000u
#define BMCR_ANRESTART 0x0200u
#define BMSR_LINK 0x0004u

/* TX commands */
#define TXA_FIRST 0x00002000u
#define TXA_LAST 0x00001000u

#define SPIN_MAX 100000u  /* bound on every register busy-wait */
#define LINK_POLL_MS 250u
#define FRAME_MAX 1518u   /* Ethernet II with a VLAN tag, without CRC */

static lan9118_stats_t st;
static uint32_t link_checked;

/* ---- MAC and PHY registers ----------------------------------------------------- */

/* csr_wait - wait until the MAC CSR interface is idle; 0 or -1 */
static int csr_wait(void)
{
    uint32_t n;
    for (n = 0; n < SPIN_MAX; n++)
        if (!(REG(MAC_CSR_CMD) & CSR_BUSY))
            return 0;
    return -1;
}

static uint32_t mac_read(uint32_t reg)
{
    if (csr_wait() != 0)
        return 0;
    REG(MAC_CSR_CMD) = CSR_BUSY | CSR_READ | reg;
    csr_wait();
    return REG(MAC_CSR_DATA);
}

static void mac_write(uint32_t reg, uint32_t v)
{
    if (csr_wait() != 0)
        return;
    REG(MAC_CSR_DATA) = v;
    REG(MAC_CSR_CMD) = CSR_BUSY | reg;
    csr_wait();
}

/* mii_wait - wait until the MII management interface is idle */
static void mii_wait(void)
{
    uint32_t n;
    for (n = 0; n < SPIN_MAX && (mac_read(MII_ACC) & MII_BUSY); n++) {
    }
}

static uint16_t phy_read(uint32_t reg)
{
    mii_wait();
    mac_write(MII_ACC, (PHY_ADDR << 11) | (reg << 6) | MII_BUSY);
    mii_wait();
    return (uint16_t)mac_read(MII_DATA);
}

static void phy_write(uint32_t reg, uint16_t v)
{
    mii_wait();
    mac_write(MII_DATA, v);
    mac_write(MII_ACC, (PHY_ADDR << 11) | (reg << 6) | MII_WRITE | MII_BUSY);
    mii_wait();
}

uint32_t lan9118_id(void)
{
    return REG(ID_REV);
}

const lan9118_stats_t *lan9118_stats(void)
{
    return &st;
}

/* ---- transmit ------------------------------------------------------------------------ */

/* linkoutput - one frame from a pbuf chain into the TX FIFO */
static err_t linkoutput(struct netif *nif, struct pbuf *p)
{
    const struct pbuf *q;
    uint32_t word = 0, n;
    unsigned fill = 0;
    u16_t len = p->tot_len;

    (void)nif;
    if (len > FRAME_MAX) {
        st.tx_dropped++;
        return ERR_IF;
    }
    /* room for the two command words and the frame (TDFREE, bytes) */
    for (n = 0; (REG(TX_FIFO_INF) & 0xffffu) < (uint32_t)len + 8u; n++)
        if (n == SPIN_MAX) {
            st.tx_dropped++;
            return ERR_MEM;
        }
    REG(TX_DATA_FIFO) = TXA_FIRST | TXA_LAST | len;
    REG(TX_DATA_FIFO) = ((uint32_t)(st.tx_frames & 0xffffu) << 16) | len;
    for (q = p; q != NULL; q = q->next) {
        const uint8_t *b = q->payload;
        u16_t i;
        for (i = 0; i < q->len; i++) {
            word |= (uint32_t)b[i] << (8 * fill);
            if (++fill == 4) {
                REG(TX_DATA_FIFO) = word;
                word = 0;
                fill = 0;
            }
        }
    }
    if (fill)
        REG(TX_DATA_FIFO) = word;
    /* the TX status of sent frames: nothing to learn, keep the FIFO empty */
    while (REG(TX_FIFO_INF) & 0x00ff0000u)
        (void)REG(TX_STATUS_FIFO);
    st.tx_frames++;
    return ERR_OK;
}

/* ---- receive --------------------------------------------------------------------------- */

/* rx_frame - read one frame of len bytes (CRC included) from the RX data
 * FIFO: into a new pbuf chain, or discarded when keep is 0 or no pbuf */
static struct pbuf *rx_frame(uint32_t len, int keep)
{
    uint32_t words = (len + 3u) / 4u, w, data = len >= 4 ? len - 4u : 0; /* without CRC */
    struct pbuf *p = keep ? pbuf_alloc(PBUF_RAW, (u16_t)data, PBUF_POOL) : NULL;
    struct pbuf *q = p;
    u16_t off = 0;
    uint32_t at = 0;

    if (keep && p == NULL)
        st.rx_dropped++;
    for (w = 0; w < words; w++) {
        uint32_t v = REG(RX_DATA_FIFO);
        unsigned k;
        for (k = 0; k < 4 && q != NULL && at < data; k++, at++) {
            ((uint8_t *)q->payload)[off++] = (uint8_t)(v >> (8 * k));
            if (off == q->len) {
                q = q->next;
                off = 0;
            }
        }
    }
    return p;
}

/* lan9118_poll - every waiting frame into lwIP, then the link state */
void lan9118_poll(struct netif *nif)
{
    uint32_t now = sys_now();

    while (REG(RX_FIFO_INF) & 0x00ff0000u) {
        uint32_t status = REG(RX_STATUS_FIFO);
        uint32_t len = (status >> 16) & 0x3fffu;
        int ok = !(status & 0x00008000u) && len >= 18u && len - 4u <= FRAME_MAX;
        struct pbuf *p;

        if (!ok)
            st.rx_errors++;
        p = rx_frame(len, ok);
        if (p == NULL)
            continue;
        st.rx_frames++;
        if (p->tot_len > st.rx_frame_max)
            st.rx_frame_max = p->tot_len;
        if (nif->input(p, nif) != ERR_OK)
            pbuf_free(p);
    }
    if ((uint32_t)(now - link_checked) >= LINK_POLL_MS) {
        int up = (phy_read(PHY_BMSR) & BMSR_LINK) != 0;
        link_checked = now;
        if (up && !netif_is_link_up(nif))
            netif_set_link_up(nif);
        else if (!up && netif_is_link_up(nif))
            netif_set_link_down(nif);
    }
}

/* ---- set-up ------------------------------------------------------------------------------ */

/* lan9118_netif_init - reset the chip, read or set the MAC address, turn
 * the MAC on; ERR_IF when there is no LAN9118 at BASE */
signed char lan9118_netif_init(struct netif *nif)
{
    static const uint8_t fallback[6] = {0x02, 0x53, 0x54, 0x43, 0x00, 0x02};
    uint32_t n, lo, hi;

    if (REG(BYTE_TEST) != BYTE_TEST_VALUE)
        return ERR_IF;
    REG(HW_CFG) = HW_CFG_SRST;
    for (n = 0; n < SPIN_MAX && (REG(HW_CFG) & HW_CFG_SRST); n++) {
    }
    for (n = 0; n < SPIN_MAX && !(REG(PMT_CTRL) & PMT_CTRL_READY); n++) {
    }
    REG(INT_EN) = 0;          /* polled: no interrupts */
    REG(INT_STS) = 0xffffffffu;
    REG(IRQ_CFG) = 0;
    REG(RX_CFG) = 0;          /* no offset, 4-byte end alignment */
    REG(TX_CFG) = TX_CFG_TX_ON;

    /* the MAC address the EEPROM loaded (QEMU: -nic ...,mac=), else ours */
    lo = mac_read(MAC_ADDRL);
    hi = mac_read(MAC_ADDRH);
    nif->hwaddr[0] = (uint8_t)lo;
    nif->hwaddr[1] = (uint8_t)(lo >> 8);
    nif->hwaddr[2] = (uint8_t)(lo >> 16);
    nif->hwaddr[3] = (uint8_t)(lo >> 24);
    nif->hwaddr[4] = (uint8_t)hi;
    nif->hwaddr[5] = (uint8_t)(hi >> 8);
    if ((lo == 0 && (hi & 0xffffu) == 0) || (lo == 0xffffffffu && (hi & 0xffffu) == 0xffffu) ||
        (nif->hwaddr[0] & 1u)) {
        memcpy(nif->hwaddr, fallback, 6);
        mac_write(MAC_ADDRL, (uint32_t)fallback[0] | (uint32_t)fallback[1] << 8 |
                                 (uint32_t)fallback[2] << 16 | (uint32_t)fallback[3] << 24);
        mac_write(MAC_ADDRH, (uint32_t)fallback[4] | (uint32_t)fallback[5] << 8);
    }
    nif->hwaddr_len = 6;

    phy_write(PHY_BMCR, BMCR_ANENABLE | BMCR_ANRESTART);
    /* full duplex, transmit and receive; exact address filter + broadcast */
    mac_write(MAC_CR, MAC_CR_FDPX | MAC_CR_TXEN | MAC_CR_RXEN);

    nif->name[0] = 'e';
    nif->name[1] = '0';
    nif->mtu = 1500;
    nif->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET;
    nif->output = etharp_output;
    nif->linkoutput = linkoutput;
    link_checked = sys_now() - LINK_POLL_MS; /* the first poll reads the link */
    return ERR_OK;
}
