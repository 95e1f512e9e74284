/* arch/sys_arch.h - lwIP's operating-system types for the Cortex-M4 board
 *
 * With NO_SYS=0 lwIP needs semaphores, mutexes, mailboxes and threads from
 * the RTOS. They are opaque handles here, as most RTOS ports declare them
 * (FreeRTOS: SemaphoreHandle_t, QueueHandle_t, TaskHandle_t); the RTOS's
 * sys_arch.c implements lwIP's sys_* functions over them. The board's
 * real RTOS port replaces this file.
 */
#ifndef STC_BOARD_ARCH_SYS_ARCH_H
#define STC_BOARD_ARCH_SYS_ARCH_H

#include <stddef.h>

#define SYS_MBOX_NULL NULL
#define SYS_SEM_NULL NULL

typedef struct stc_os_sem *sys_sem_t;
typedef struct stc_os_mutex *sys_mutex_t;
typedef struct stc_os_mbox *sys_mbox_t;
typedef struct stc_os_thread *sys_thread_t;

#define sys_sem_valid(s) ((s) != NULL && *(s) != NULL)
#define sys_sem_set_invalid(s) do { if ((s) != NULL) *(s) = NULL; } while (0)
#define sys_mutex_valid(m) ((m) != NULL && *(m) != NULL)
#define sys_mutex_set_invalid(m) do { if ((m) != NULL) *(m) = NULL; } while (0)
#define sys_mbox_valid(m) ((m) != NULL && *(m) != NULL)
#define sys_mbox_set_invalid(m) do { if ((m) != NULL) *(m) = NULL; } while (0)

#endif /* STC_BOARD_ARCH_SYS_ARCH_H */
