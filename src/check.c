/* check.c - the blocking convenience: one engine, one job
 *
 * stc_check_t is an engine and one job side by side, for a caller that
 * checks one domain (or relay) at a time; every call maps onto the engine
 * API (stc.h), which a caller with many domains uses directly.
 */
#include "engine.h"

#include <string.h>

/* stc_check_init - an engine over port, and an idle job */
int stc_check_init(stc_check_t *c, const stc_port_t *port, const stc_options_t *opt)
{
    int rc = stc_engine_init(&c->eng, port, opt);
    if (rc != STC_OK)
        return rc;
    memset(&c->job, 0, sizeof c->job);
    return STC_OK;
}

/* stc_check_domain_start - begin a domain check */
int stc_check_domain_start(stc_check_t *c, const char *domain,
                           const char *const *patterns, size_t npatterns)
{
    return stc_job_domain(&c->eng, &c->job, domain, patterns, npatterns);
}

/* stc_check_host_start - begin a relay check */
int stc_check_host_start(stc_check_t *c, const char *host, uint16_t port, int implicit_tls)
{
    return stc_job_host(&c->eng, &c->job, host, port, implicit_tls);
}

/* stc_check_step - advance; STC_OK when the result is complete */
int stc_check_step(stc_check_t *c)
{
    int rc = stc_engine_step(&c->eng);
    if (rc == STC_OK && !stc_job_done(&c->job))
        return STC_EINVAL; /* nothing was started */
    return rc;
}

/* stc_check_pollset - what to wait for */
size_t stc_check_pollset(const stc_check_t *c, stc_pollfd_t *fds, size_t max,
                         uint32_t *timeout_ms)
{
    return stc_engine_pollset(&c->eng, fds, max, timeout_ms);
}

/* stc_check_run - until the result is complete */
int stc_check_run(stc_check_t *c)
{
    int rc = stc_engine_run(&c->eng);
    return rc < 0 && stc_job_done(&c->job) ? STC_OK : rc;
}

/* stc_check_result - the job's result */
const stc_domain_result_t *stc_check_result(const stc_check_t *c)
{
    return stc_job_result(&c->job);
}

/* stc_check_free - close everything still open */
void stc_check_free(stc_check_t *c)
{
    stc_engine_free(&c->eng);
}
