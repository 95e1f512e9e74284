/* cache_rule.c - the one eviction rule the engine's three fixed caches
 * (sessions, DNS answers, judged certificate chains) share.
 *
 * In a bulk scan every domain brings one-off entries (its own MX answer,
 * its TXT records, a host no other domain uses) between two uses of what
 * many domains share (a provider's MX hosts). Plain "least recently used"
 * lets the one-off entries push the shared ones out, so an entry that has
 * served a later ask is kept before any that has not; within each group
 * the one used longest ago gives way. The age order is a count of uses,
 * not the millisecond clock: entries stored within one ms would tie, and
 * the same slot would be taken over and over. */
#include "engine.h"

/* stc_cache_stored - entry u now holds something new */
void stc_cache_stored(stc_engine_t *e, stc_cache_use_t *u)
{
    u->used = 1;
    u->reused = 0;
    u->at = stc_now(e);
    u->last = ++e->cache_seq;
}

/* stc_cache_hit - entry u answered an ask */
void stc_cache_hit(stc_engine_t *e, stc_cache_use_t *u)
{
    u->reused = 1;
    u->last = ++e->cache_seq;
}

/* stc_cache_rather - does k give way before c (c NULL: yes)? */
int stc_cache_rather(const stc_cache_use_t *k, const stc_cache_use_t *c)
{
    if (c == NULL)
        return 1;
    if (k->reused != c->reused)
        return !k->reused;
    return (int32_t)(k->last - c->last) < 0; /* the count may wrap */
}
