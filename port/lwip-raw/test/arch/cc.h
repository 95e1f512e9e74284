/* arch/cc.h - lwIP's compiler port for the host test of port/lwip-raw */
#ifndef STC_TEST_ARCH_CC_H
#define STC_TEST_ARCH_CC_H
#include <stdio.h>
#include <stdlib.h>
#define LWIP_PLATFORM_DIAG(x) do { } while (0)
#define LWIP_PLATFORM_ASSERT(x) do { fprintf(stderr, "lwIP assertion: %s\n", x); abort(); } while (0)
#define LWIP_RAND() ((u32_t)rand())
#endif
