/* init.c - process-wide set-up: the arena, wolfSSL, the trust anchors
 *
 * One per process because wolfSSL's allocator hooks take no user pointer.
 */
#include "stc_int.h"

static int initialised;

/* stc_init - arena + wolfSSL + anchors; call once before any check */
int stc_init(void *arena, size_t size, const stc_port_t *port)
{
    const uint8_t *ta = NULL;
    size_t talen = 0;
    int fmt = STC_TA_PEM, rc;

    if (initialised)
        return STC_OK;
    if (arena == NULL || port == NULL || port->version != STC_PORT_VERSION)
        return STC_EINVAL;
    rc = stc_arena_init(arena, size);
    if (rc != STC_OK)
        return rc;
    if (port->trust_anchors == NULL ||
        port->trust_anchors(port->user, &ta, &talen, &fmt) != STC_OK) {
        ta = NULL; /* checks then report cert_no_anchors */
        talen = 0;
    }
    rc = stc_tls_global_init(ta, talen, fmt);
    if (rc != STC_OK)
        return rc;
    initialised = 1;
    return STC_OK;
}

/* stc_deinit - release the TLS context and wolfSSL */
void stc_deinit(void)
{
    if (!initialised)
        return;
    stc_tls_global_free();
    initialised = 0;
}
