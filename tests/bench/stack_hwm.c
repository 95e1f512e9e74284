/* stack_hwm.c - measured stack high-water mark of stc_init() and of a check
 *
 * NAME
 *   stack-hwm - how deep the core (and wolfSSL under it) uses the stack
 * SYNOPSIS
 *   stack-hwm --host HOST:PORT --ca-file PEM [--domain D --resolver IP --port N]
 * DESCRIPTION
 *   Runs stc_init() (trust anchors) and then one check through the POSIX
 *   port, each in a thread of its own whose stack (1 MiB, ours) was first
 *   filled with a pattern; after the thread ends, the untouched pattern is
 *   counted from the far end. The same is done for a thread that does
 *   nothing, and that baseline (glibc keeps the thread descriptor and
 *   static TLS at the top of a caller-given stack) is subtracted. The
 *   figures are for this host's compiler and ABI (x86-64 here); a
 *   Cortex-M4 build uses less for pointers and saves fewer registers, so
 *   read them as an upper bound of the same code's needs.
 *   Prints one line: "stack: baseline B init I check C arena-peak P".
 * EXIT STATUS
 *   0 when both ran (whatever the check found), 1 on a set-up failure.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* pthread_attr_setstack, MAP_ANONYMOUS */
#endif
#include "stc/stc.h"
#include "stc_posix.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define STACK_SIZE (1u << 20)
#define PATTERN 0xA5u
#define ARENA_SIZE (8u << 20)

static stc_posix_t px;
static stc_check_t chk;
static void *arena;
static const char *host, *domain;
static uint16_t port = 25;
static int init_rc = -1, check_rc = -1;
static const char *status = "none";

/* job_none - the baseline: a thread that does nothing */
static void *job_none(void *arg)
{
    return arg;
}

/* job_init - process-wide set-up: arena, wolfSSL, trust anchors */
static void *job_init(void *arg)
{
    init_rc = stc_init(arena, ARENA_SIZE, &px.ops);
    return arg;
}

/* job_check - one relay or domain check, start to end */
static void *job_check(void *arg)
{
    stc_options_t o;

    stc_options_default(&o);
    o.t_dns = o.t_connect = o.t_banner = o.t_command = o.t_tls = 10000;
    if (domain)
        o.port = port; /* the MX hosts' SMTP port */
    if (stc_check_init(&chk, &px.ops, &o) != STC_OK)
        return arg;
    if (domain)
        stc_check_domain_start(&chk, domain, NULL, 0);
    else
        stc_check_host_start(&chk, host, port, 0);
    check_rc = stc_check_run(&chk);
    status = stc_domain_status_text(stc_check_result(&chk)->status);
    stc_check_free(&chk);
    return arg;
}

/* measure - run job on a painted stack; bytes of stack it touched */
static size_t measure(void *(*job)(void *))
{
    pthread_attr_t a;
    pthread_t t;
    uint8_t *mem;
    size_t i;

    mem = mmap(NULL, STACK_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (mem == MAP_FAILED) {
        perror("mmap");
        exit(1);
    }
    memset(mem, PATTERN, STACK_SIZE);
    if (pthread_attr_init(&a) != 0 || pthread_attr_setstack(&a, mem, STACK_SIZE) != 0 ||
        pthread_create(&t, &a, job, NULL) != 0) {
        fprintf(stderr, "stack-hwm: cannot start a thread\n");
        exit(1);
    }
    pthread_join(t, NULL);
    pthread_attr_destroy(&a);
    for (i = 0; i < STACK_SIZE && mem[i] == PATTERN; i++)
        ;
    munmap(mem, STACK_SIZE);
    return STACK_SIZE - i; /* the stack grows down from mem + STACK_SIZE */
}

/* split_port - "HOST:PORT" (IPv4 or a name) into host and port */
static void split_port(char *s)
{
    char *c = strrchr(s, ':');
    if (c) {
        *c = '\0';
        port = (uint16_t)atoi(c + 1);
    }
    host = s;
}

int main(int argc, char **argv)
{
    stc_posix_cfg_t cfg;
    stc_arena_stats_t st;
    char err[256];
    size_t base, s_init, s_check;
    int i;

    memset(&cfg, 0, sizeof cfg);
    for (i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--host"))
            split_port(argv[i + 1]);
        else if (!strcmp(argv[i], "--ca-file"))
            cfg.ca_file = argv[i + 1];
        else if (!strcmp(argv[i], "--domain"))
            domain = argv[i + 1];
        else if (!strcmp(argv[i], "--resolver"))
            cfg.resolver = argv[i + 1];
        else if (!strcmp(argv[i], "--port"))
            port = (uint16_t)atoi(argv[i + 1]);
    }
    if ((!host && !domain) || !cfg.ca_file) {
        fprintf(stderr, "usage: stack-hwm --host HOST:PORT --ca-file PEM "
                        "[--domain D --resolver IP --port N]\n");
        return 1;
    }
    if (!cfg.resolver)
        cfg.resolver = "127.0.0.1"; /* unused by a relay check to an address */
    if (stc_posix_init(&px, &cfg, err, sizeof err) != 0) {
        fprintf(stderr, "stack-hwm: %s\n", err);
        return 1;
    }
    arena = malloc(ARENA_SIZE);
    if (!arena)
        return 1;
    base = measure(job_none);
    s_init = measure(job_init);
    if (init_rc != STC_OK) {
        fprintf(stderr, "stack-hwm: stc_init: %s\n", stc_err_text(init_rc));
        return 1;
    }
    stc_arena_reset_peak();
    stc_arena_stats(&st);
    {
        size_t anchors = st.in_use;
        s_check = measure(job_check);
        stc_arena_stats(&st);
        printf("stack: baseline %zu init %zu check %zu arena-anchors %zu arena-peak %zu status %s\n",
               base, s_init > base ? s_init - base : 0, s_check > base ? s_check - base : 0,
               anchors, st.peak - anchors, status);
    }
    stc_deinit();
    stc_posix_free(&px);
    free(arena);
    return check_rc == STC_OK ? 0 : 1;
}
