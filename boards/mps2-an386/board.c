/* board.c - reset, vectors and the machine services of QEMU's mps2-an386
 *
 * Reset copies .data, clears .bss, paints the main stack (for its
 * high-water mark) and calls main(). SysTick counts milliseconds for
 * lwIP's sys_now() (the core's clock through port/lwip-raw); CMSDK UART0 is
 * the console; semihosting reaches the host for the wall clock, the files
 * QEMU was told about (trust anchors, target list) and the exit status.
 * Every register address below is the AN386 memory map's, as QEMU models
 * it (hw/arm/mps2.c); the real MPS2 board has the same.
 */
#include "board.h"

#include "lwip/sys.h"

#include <stdint.h>
#include <string.h>
#include <sys/time.h>

#define REG(a) (*(volatile uint32_t *)(a))

/* ---- reset and vectors ------------------------------------------------------- */

extern uint32_t _sidata, _sdata, _edata, _sbss, _ebss, _sstack, _estack;
int main(void);
void Reset_Handler(void);
void Fault_Handler(void);
void Default_Handler(void);
void SysTick_Handler(void);

#define STACK_PAINT 0xa5a5a5a5u

/* Reset_Handler - C run-time set-up, stack paint, then main() */
void Reset_Handler(void)
{
    uint32_t *src = &_sidata, *dst;
    uint32_t sp;

    for (dst = &_sdata; dst < &_edata;)
        *dst++ = *src++;
    for (dst = &_sbss; dst < &_ebss;)
        *dst++ = 0;
    /* paint the stack below this frame (64 bytes of margin) */
    __asm volatile("mov %0, sp" : "=r"(sp));
    for (dst = &_sstack; (uintptr_t)dst < sp - 64u; dst++)
        *dst = STACK_PAINT;
    semi_exit(main());
}

/* Fault_Handler - a hard fault or an unexpected exception: say so and end
 * the run (status 4: neither a check result nor a usage error) */
void Fault_Handler(void)
{
    console_puts("\nmps2: fault (HFSR ");
    console_putx(REG(0xE000ED2Cu));
    console_puts(" CFSR ");
    console_putx(REG(0xE000ED28u));
    console_puts(")\n");
    semi_exit(4);
}

void Default_Handler(void)
{
    Fault_Handler();
}

__attribute__((section(".isr_vector"), used))
void (*const vectors[16])(void) = {
    (void (*)(void))&_estack, /* initial main stack pointer */
    Reset_Handler,
    Default_Handler,  /* NMI */
    Fault_Handler,    /* HardFault */
    Fault_Handler,    /* MemManage */
    Fault_Handler,    /* BusFault */
    Fault_Handler,    /* UsageFault */
    0, 0, 0, 0,
    Default_Handler,  /* SVCall */
    Default_Handler,  /* DebugMonitor */
    0,
    Default_Handler,  /* PendSV */
    SysTick_Handler,  /* (device interrupts unused: the Ethernet is polled) */
};

/* board_stack_size - bytes reserved for the main stack */
size_t board_stack_size(void)
{
    return (size_t)((uintptr_t)&_estack - (uintptr_t)&_sstack);
}

/* board_stack_used - deepest use of the main stack since reset */
size_t board_stack_used(void)
{
    const uint32_t *w = &_sstack;
    while (w < &_estack && *w == STACK_PAINT)
        w++;
    return (size_t)((uintptr_t)&_estack - (uintptr_t)w);
}

/* board_idle - sleep until the next interrupt (SysTick: 1 ms at most) */
void board_idle(void *board)
{
    (void)board;
    __asm volatile("wfi");
}

/* ---- SysTick: milliseconds ---------------------------------------------------------- */

#define SYST_CSR 0xE000E010u
#define SYST_RVR 0xE000E014u
#define SYST_CVR 0xE000E018u
#define CPU_HZ 25000000u /* AN386 SYSCLK */

static volatile uint32_t ticks_ms;

void SysTick_Handler(void)
{
    ticks_ms++;
}

/* systick_init - 1 kHz interrupt from the CPU clock */
void systick_init(void)
{
    REG(SYST_RVR) = CPU_HZ / 1000u - 1u;
    REG(SYST_CVR) = 0;
    REG(SYST_CSR) = 7u; /* enable, interrupt, processor clock */
}

/* sys_now - lwIP's clock, and the core's (port/lwip-raw) */
u32_t sys_now(void)
{
    return ticks_ms;
}

/* ---- console: CMSDK UART0 -------------------------------------------------------------- */

#define UART0 0x40004000u
#define UART_DATA (UART0 + 0x00u)
#define UART_STATE (UART0 + 0x04u) /* bit 0: TX buffer full */
#define UART_CTRL (UART0 + 0x08u)  /* bit 0: TX enable */
#define UART_BAUDDIV (UART0 + 0x10u)

void console_init(void)
{
    REG(UART_BAUDDIV) = 16u; /* the smallest divider the UART accepts */
    REG(UART_CTRL) = 1u;
}

void console_write(const char *p, size_t n)
{
    while (n--) {
        while (REG(UART_STATE) & 1u) {
        }
        REG(UART_DATA) = (uint8_t)*p++;
    }
}

void console_puts(const char *s)
{
    console_write(s, strlen(s));
}

void console_putu(uint32_t v)
{
    char b[10];
    size_t n = sizeof b;
    do {
        b[--n] = (char)('0' + v % 10u);
        v /= 10u;
    } while (v);
    console_write(b + n, sizeof b - n);
}

void console_putx(uint32_t v)
{
    static const char hex[] = "0123456789abcdef";
    char b[10] = {'0', 'x'};
    int i;
    for (i = 0; i < 8; i++)
        b[2 + i] = hex[(v >> (28 - 4 * i)) & 0xfu];
    console_write(b, sizeof b);
}

void console_line_u(const char *text, uint32_t v)
{
    console_puts(text);
    console_putu(v);
    console_write("\n", 1);
}

/* lwIP's LWIP_PLATFORM_ASSERT (arch/cc.h): a bug, say where and stop */
void board_lwip_assert(const char *msg, const char *file, int line)
{
    console_puts("\nlwip: assertion failed: ");
    console_puts(msg);
    console_puts(" at ");
    console_puts(file);
    console_line_u(":", (uint32_t)line);
    semi_exit(4);
}

/* ---- semihosting ------------------------------------------------------------------------- */

#define SYS_OPEN 0x01
#define SYS_CLOSE 0x02
#define SYS_READ 0x06
#define SYS_FLEN 0x0C
#define SYS_TIME 0x11
#define SYS_GET_CMDLINE 0x15
#define SYS_EXIT_EXTENDED 0x20
#define ADP_STOPPED_APPLICATION_EXIT 0x20026

/* semi - one semihosting call: op in r0, argument block in r1, result r0 */
static long semi(long op, void *arg)
{
    register long r0 __asm__("r0") = op;
    register void *r1 __asm__("r1") = arg;
    __asm volatile("bkpt 0xAB" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
}

int semi_open(const char *path, int mode)
{
    uintptr_t a[3];
    a[0] = (uintptr_t)path;
    a[1] = (uintptr_t)mode;
    a[2] = strlen(path);
    return (int)semi(SYS_OPEN, a);
}

long semi_flen(int fd)
{
    uintptr_t a[1];
    a[0] = (uintptr_t)fd;
    return semi(SYS_FLEN, a);
}

long semi_read(int fd, void *buf, size_t n)
{
    uintptr_t a[3];
    long left;
    a[0] = (uintptr_t)fd;
    a[1] = (uintptr_t)buf;
    a[2] = n;
    left = semi(SYS_READ, a); /* bytes NOT read */
    return left < 0 || (size_t)left > n ? -1 : (long)(n - (size_t)left);
}

void semi_close(int fd)
{
    uintptr_t a[1];
    a[0] = (uintptr_t)fd;
    semi(SYS_CLOSE, a);
}

int64_t semi_time(void)
{
    return (int64_t)(uint32_t)semi(SYS_TIME, NULL);
}

size_t semi_cmdline(char *buf, size_t cap)
{
    uintptr_t a[2];
    a[0] = (uintptr_t)buf;
    a[1] = cap;
    if (cap == 0 || semi(SYS_GET_CMDLINE, a) != 0) {
        if (cap)
            buf[0] = '\0';
        return 0;
    }
    buf[cap - 1] = '\0';
    return strlen(buf);
}

void semi_exit(int code)
{
    uintptr_t a[2];
    a[0] = ADP_STOPPED_APPLICATION_EXIT;
    a[1] = (uintptr_t)code;
    semi(SYS_EXIT_EXTENDED, a);
    for (;;) {
    }
}

/* ---- wall clock --------------------------------------------------------------------------- */

static int64_t boot_unix;
static uint32_t boot_ms;

/* rtc_init - the host's time once (semihosting), as an RTC read at boot */
void rtc_init(void)
{
    boot_unix = semi_time();
    boot_ms = ticks_ms;
}

/* rtc_seconds - boot time plus the ticks since: the board's RTC */
int64_t rtc_seconds(void)
{
    return boot_unix + (int64_t)((uint32_t)(ticks_ms - boot_ms) / 1000u);
}

/* newlib's time(), which wolfSSL calls for TLS 1.3 ticket ages */
int _gettimeofday(struct timeval *tv, void *tz);
int _gettimeofday(struct timeval *tv, void *tz)
{
    (void)tz;
    tv->tv_sec = (time_t)rtc_seconds();
    tv->tv_usec = 0;
    return 0;
}

/* ---- random source: STAND-IN -------------------------------------------------------------
 *
 * The MPS2 board has no TRNG, and QEMU models none on this machine. This
 * stand-in seeds a splitmix64 generator from the host's time (SYS_TIME),
 * the LAN9118's free-running 25 MHz counter and SysTick's current value at
 * boot, and stirs the counter in again at every call. That is enough to
 * make DNS query IDs, TCP ports and sequence numbers differ from run to
 * run in the lab; it is NOT cryptographic randomness. A real board feeds
 * stc_board_seed() (wolfSSL's DRBG seed) and board_random() (DNS IDs) from
 * its TRNG.
 */
#define LAN9118_FREE_RUN 0x4020009Cu

static uint64_t rng_state;

static uint64_t splitmix64(void)
{
    uint64_t z;
    rng_state += 0x9e3779b97f4a7c15ull + REG(LAN9118_FREE_RUN);
    z = rng_state;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

void board_rng_init(void)
{
    rng_state = ((uint64_t)(uint32_t)semi_time() << 32) ^ REG(LAN9118_FREE_RUN) ^
                ((uint64_t)REG(SYST_CVR) << 16);
    (void)splitmix64();
}

uint32_t board_rand32(void)
{
    return (uint32_t)(splitmix64() >> 32);
}

int board_random(void *board, void *buf, size_t n)
{
    uint8_t *b = buf;
    (void)board;
    while (n) {
        uint64_t r = splitmix64();
        size_t k = n < 8 ? n : 8;
        memcpy(b, &r, k);
        b += k;
        n -= k;
    }
    return 0;
}

int stc_board_seed(unsigned char *out, unsigned int n)
{
    return board_random(NULL, out, n);
}
