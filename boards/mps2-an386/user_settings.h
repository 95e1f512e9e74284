/* user_settings.h - wolfSSL 5.5.4 for boards/mps2-an386, in two profiles
 *
 * The board profile is boards/cortex-m4/user_settings.h as it stands (the
 * same Cortex-M4: TLS 1.2/1.3 client, SP math in C, SMALL_STACK, no session
 * cache; see that file), so the figures measured on this running image are
 * those of the profile the Cortex-M4 board only estimated.
 *
 * STC_MPS2_HOST_LIMITS (the image compared with the POSIX CLI) gives back
 * what Debian's libwolfssl has and what shows in a report:
 * - error strings: wolfSSL's IANA suite names ("TLS_AES_128_GCM_SHA256"
 *   rather than "TLS13-AES128-GCM-SHA256") and the "reason" text of
 *   tls_handshake_failed;
 * - TLS 1.1 (and MD5 for its PRF): the core offers 1.1 when the build has
 *   it, so a TLS 1.1-only server completes and is graded as the host does;
 * - finite-field DHE (FFDHE-2048): DHE-only servers complete, and the
 *   "group" is named "DHE-<bits>" as on the host.
 * The rest (no FP_ECC, SP math, small stack) changes no field of a report.
 */
#ifndef STC_MPS2_USER_SETTINGS_H
#define STC_MPS2_USER_SETTINGS_H

#include "../cortex-m4/user_settings.h"

#ifdef STC_MPS2_HOST_LIMITS
#undef NO_ERROR_STRINGS
#undef NO_OLD_TLS
#undef NO_MD5
#undef NO_DH
#define HAVE_FFDHE_2048
#endif

/* make bench-mem measures options one by one: each variant is a header
 * mps2_variant.h of #undef/#define lines (in a directory of its own on the
 * include path), included at the end of stc_config.h (1), lwipopts.h (2)
 * and user_settings.h (3); STC_MPS2_VARIANT_FOR says which is reading it
 * (bench_mps2.sh). Never set in a normal build. */
#ifdef STC_MPS2_VARIANT
#undef STC_MPS2_VARIANT_FOR
#define STC_MPS2_VARIANT_FOR 3
#include "mps2_variant.h"
#endif

#endif /* STC_MPS2_USER_SETTINGS_H */
