/* startup.c - reset and vector table of the board image (Cortex-M4)
 *
 * Copies .data from flash, clears .bss, runs static constructors and calls
 * main(). Every other exception parks the CPU (a board adds its own).
 */
#include <stdint.h>

extern uint32_t _sidata, _sdata, _edata, _sbss, _ebss, _estack;
extern void (*__init_array_start[])(void), (*__init_array_end[])(void);
int main(void);
void Reset_Handler(void);
void Default_Handler(void);
void SysTick_Handler(void);

/* Default_Handler - an unexpected exception: stop here */
void Default_Handler(void)
{
    for (;;) {
    }
}

/* Reset_Handler - C run-time set-up, then main() */
void Reset_Handler(void)
{
    uint32_t *src = &_sidata, *dst;
    void (**f)(void);

    for (dst = &_sdata; dst < &_edata;)
        *dst++ = *src++;
    for (dst = &_sbss; dst < &_ebss;)
        *dst++ = 0;
    for (f = __init_array_start; f < __init_array_end; f++)
        (*f)();
    main();
    for (;;) {
    }
}

/* Cortex-M4 core vectors; the part's interrupts (Ethernet MAC, RNG, RTC)
 * follow them on a real board. */
__attribute__((section(".isr_vector"), used))
void (*const vectors[16])(void) = {
    (void (*)(void))&_estack, /* initial main stack pointer */
    Reset_Handler,
    Default_Handler,  /* NMI */
    Default_Handler,  /* HardFault */
    Default_Handler,  /* MemManage */
    Default_Handler,  /* BusFault */
    Default_Handler,  /* UsageFault */
    0, 0, 0, 0,
    Default_Handler,  /* SVCall */
    Default_Handler,  /* DebugMonitor */
    0,
    Default_Handler,  /* PendSV */
    SysTick_Handler,
};
