/* standins.c - link stand-ins for what a real board supplies
 *
 * The board image (build_image.sh) links the core, the lwIP port, wolfSSL
 * and lwIP for the target to measure them. What would come from the
 * board's own software is stood in for here, as small as possible and
 * NOT functional - the image links and its size is real for everything
 * but these, but it does not run:
 * - the RTOS: lwIP's sys_arch (semaphores, mutexes, mailboxes, threads)
 *   for NO_SYS=0. No RTOS is packaged in Debian; a board links its RTOS
 *   kernel and that RTOS's lwIP sys_arch instead (not measured here).
 *   These versions count and copy but never switch tasks: a wait that
 *   nobody satisfies only runs out its timeout, and sys_thread_new()
 *   never starts the thread.
 * - the Ethernet MAC driver (frames are dropped), the console, the RTC and
 *   the TRNG (a counter, a fixed time, a xorshift generator).
 * Each is marked STAND-IN below.
 */
#include "board.h"

#include "lwip/etharp.h"
#include "lwip/netif.h"
#include "lwip/sys.h"
#include "netif/ethernet.h"

#include <string.h>
#include <sys/time.h>

static volatile uint32_t ticks_ms; /* SysTick, 1 kHz */
static uint32_t rng_state = 0x9e3779b9u;

void SysTick_Handler(void);
int _gettimeofday(struct timeval *tv, void *tz);

/* SysTick_Handler - the millisecond clock behind sys_now() */
void SysTick_Handler(void)
{
    ticks_ms++;
}

/* ---- board services (STAND-IN) ---------------------------------------------- */

void board_init(void)
{
    /* STAND-IN: clocks, SysTick at 1 kHz, Ethernet PHY, UART, RTC, TRNG */
}

void board_halt(void)
{
    for (;;) {
    }
}

/* eth_linkoutput - STAND-IN MAC transmit: the frame is dropped */
static err_t eth_linkoutput(struct netif *nif, struct pbuf *p)
{
    (void)nif;
    (void)p;
    return ERR_OK;
}

signed char board_eth_init(struct netif *nif)
{
    static const uint8_t mac[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x01};
    nif->name[0] = 'e';
    nif->name[1] = '0';
    nif->output = etharp_output;
    nif->linkoutput = eth_linkoutput;
    nif->mtu = 1500;
    nif->hwaddr_len = 6;
    memcpy(nif->hwaddr, mac, 6);
    nif->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET |
                 NETIF_FLAG_LINK_UP;
    return ERR_OK;
}

int board_console_write(const char *p, size_t n)
{
    (void)p; /* STAND-IN: UART */
    (void)n;
    return 0;
}

int64_t board_rtc_seconds(void)
{
    return 1767225600; /* STAND-IN: 2026-01-01, the RTC */
}

/* xorshift32 - STAND-IN for the TRNG */
static uint32_t xorshift32(void)
{
    uint32_t x = rng_state ^ ticks_ms;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    rng_state = x;
    return x;
}

int stc_board_seed(unsigned char *out, unsigned int n)
{
    unsigned int i;
    for (i = 0; i < n; i++)
        out[i] = (unsigned char)xorshift32();
    return 0;
}

unsigned long stc_board_rand(void)
{
    return xorshift32();
}

const char *board_next_domain(void)
{
    static int done;
    if (done)
        return NULL;
    done = 1;
    return "example.org"; /* STAND-IN: from the device's configuration */
}

/* newlib's time() asks this: the RTC */
int _gettimeofday(struct timeval *tv, void *tz)
{
    (void)tz;
    tv->tv_sec = (time_t)board_rtc_seconds();
    tv->tv_usec = 0;
    return 0;
}

/* ---- lwIP sys_arch (STAND-IN for the RTOS's) ---------------------------------- */

#define N_SEM 16
#define N_MBOX 6
#define MBOX_CAP 8

struct stc_os_sem { volatile uint32_t count; uint8_t used; };
struct stc_os_mutex { volatile uint32_t locked; uint8_t used; };
struct stc_os_mbox { void *msg[MBOX_CAP]; volatile uint32_t head, tail; uint8_t used; };
struct stc_os_thread { lwip_thread_fn fn; void *arg; };

static struct stc_os_sem sems[N_SEM];
static struct stc_os_mutex mutexes[4];
static struct stc_os_mbox mboxes[N_MBOX];
static struct stc_os_thread threads[2];

void sys_init(void)
{
}

u32_t sys_now(void)
{
    return ticks_ms;
}

sys_prot_t sys_arch_protect(void)
{
    uint32_t primask;
    __asm volatile("mrs %0, primask\n cpsid i" : "=r"(primask)::"memory");
    return primask;
}

void sys_arch_unprotect(sys_prot_t pval)
{
    __asm volatile("msr primask, %0" ::"r"(pval) : "memory");
}

err_t sys_sem_new(sys_sem_t *sem, u8_t count)
{
    int i;
    for (i = 0; i < N_SEM; i++)
        if (!sems[i].used) {
            sems[i].used = 1;
            sems[i].count = count;
            *sem = &sems[i];
            return ERR_OK;
        }
    return ERR_MEM;
}

void sys_sem_free(sys_sem_t *sem)
{
    (*sem)->used = 0;
    *sem = NULL;
}

void sys_sem_signal(sys_sem_t *sem)
{
    (*sem)->count++;
}

/* waits: no other task can signal, so only the timeout ends them */
u32_t sys_arch_sem_wait(sys_sem_t *sem, u32_t timeout)
{
    uint32_t t0 = ticks_ms;
    while ((*sem)->count == 0) {
        if (timeout && ticks_ms - t0 >= timeout)
            return SYS_ARCH_TIMEOUT;
    }
    (*sem)->count--;
    return ticks_ms - t0;
}

err_t sys_mutex_new(sys_mutex_t *mutex)
{
    int i;
    for (i = 0; i < 4; i++)
        if (!mutexes[i].used) {
            mutexes[i].used = 1;
            *mutex = &mutexes[i];
            return ERR_OK;
        }
    return ERR_MEM;
}

void sys_mutex_lock(sys_mutex_t *mutex)
{
    (*mutex)->locked++;
}

void sys_mutex_unlock(sys_mutex_t *mutex)
{
    (*mutex)->locked--;
}

void sys_mutex_free(sys_mutex_t *mutex)
{
    (*mutex)->used = 0;
    *mutex = NULL;
}

err_t sys_mbox_new(sys_mbox_t *mbox, int size)
{
    int i;
    (void)size;
    for (i = 0; i < N_MBOX; i++)
        if (!mboxes[i].used) {
            memset(&mboxes[i], 0, sizeof mboxes[i]);
            mboxes[i].used = 1;
            *mbox = &mboxes[i];
            return ERR_OK;
        }
    return ERR_MEM;
}

void sys_mbox_free(sys_mbox_t *mbox)
{
    (*mbox)->used = 0;
    *mbox = NULL;
}

err_t sys_mbox_trypost(sys_mbox_t *mbox, void *msg)
{
    struct stc_os_mbox *m = *mbox;
    if (m->head - m->tail >= MBOX_CAP)
        return ERR_MEM;
    m->msg[m->head++ % MBOX_CAP] = msg;
    return ERR_OK;
}

err_t sys_mbox_trypost_fromisr(sys_mbox_t *mbox, void *msg)
{
    return sys_mbox_trypost(mbox, msg);
}

void sys_mbox_post(sys_mbox_t *mbox, void *msg)
{
    while (sys_mbox_trypost(mbox, msg) != ERR_OK) {
    }
}

u32_t sys_arch_mbox_tryfetch(sys_mbox_t *mbox, void **msg)
{
    struct stc_os_mbox *m = *mbox;
    if (m->head == m->tail)
        return SYS_MBOX_EMPTY;
    if (msg)
        *msg = m->msg[m->tail % MBOX_CAP];
    m->tail++;
    return 0;
}

u32_t sys_arch_mbox_fetch(sys_mbox_t *mbox, void **msg, u32_t timeout)
{
    uint32_t t0 = ticks_ms;
    while (sys_arch_mbox_tryfetch(mbox, msg) == SYS_MBOX_EMPTY) {
        if (timeout && ticks_ms - t0 >= timeout)
            return SYS_ARCH_TIMEOUT;
    }
    return ticks_ms - t0;
}

/* never runs the thread: there is no scheduler */
sys_thread_t sys_thread_new(const char *name, lwip_thread_fn thread, void *arg, int stacksize,
                            int prio)
{
    static int n;
    (void)name;
    (void)stacksize;
    (void)prio;
    if (n >= 2)
        return NULL;
    threads[n].fn = thread;
    threads[n].arg = arg;
    return &threads[n++];
}
