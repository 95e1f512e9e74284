/* util.c - small string helpers shared by the core (no libc beyond string.h) */
#include "stc_int.h"

#include <string.h>

/* stc_strlcpy - bounded copy that always terminates; 1 when truncated */
int stc_strlcpy(char *dst, const char *src, size_t cap)
{
    size_t n;

    if (cap == 0)
        return 1;
    n = strlen(src);
    if (n >= cap) {
        memcpy(dst, src, cap - 1);
        dst[cap - 1] = '\0';
        return 1;
    }
    memcpy(dst, src, n + 1);
    return 0;
}

static char lower(char ch)
{
    return (ch >= 'A' && ch <= 'Z') ? (char)(ch - 'A' + 'a') : ch;
}

/* stc_name_eq - case-insensitive name equality, one trailing dot ignored */
int stc_name_eq(const char *a, const char *b)
{
    size_t na = strlen(a), nb = strlen(b), i;

    if (na > 0 && a[na - 1] == '.')
        na--;
    if (nb > 0 && b[nb - 1] == '.')
        nb--;
    if (na != nb)
        return 0;
    for (i = 0; i < na; i++)
        if (lower(a[i]) != lower(b[i]))
            return 0;
    return 1;
}
