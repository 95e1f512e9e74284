/* board_seed.c - the board's TRNG hook for the host build of the board profile
 *
 * boards/cortex-m4/user_settings.h seeds wolfSSL's DRBG from
 * stc_board_seed(); when bench_mem.sh builds that wolfSSL profile for this
 * host (to measure it), getrandom() stands in for the TRNG.
 */
#include <sys/random.h>

int stc_board_seed(unsigned char *out, unsigned int n);

/* stc_board_seed - n random bytes into out; 0, or -1 on failure */
int stc_board_seed(unsigned char *out, unsigned int n)
{
    unsigned int got = 0;

    while (got < n) {
        ssize_t r = getrandom(out + got, n - got, 0);
        if (r <= 0)
            return -1;
        got += (unsigned int)r;
    }
    return 0;
}
