/* stc_config.h - the core's limits for boards/mps2-an386, in two profiles
 *
 * The same firmware is built twice (board.mk):
 * - STC_MPS2_HOST_LIMITS: the limits of the Linux host build
 *   (boards/linux-host: 16 connections and 8 DNS queries at once, every
 *   other limit at its default). Reports then have the same fields, caps
 *   and texts as the POSIX CLI's, so tests/integration/qemu_lab.sh can diff
 *   them. Memory is no object in that image (QEMU's machine has 4 MB of
 *   SSRAM and 16 MB of PSRAM).
 * - otherwise: the appliance limits of boards/cortex-m4 (one connection and
 *   one DNS query at a time, 8 MX hosts x 2 addresses, short texts: the
 *   16 KB context; the trade-offs are explained in that file). This is the
 *   image whose memory is measured (make bench-mem).
 * Both files are included rather than copied, so the figures measured here
 * are those of exactly the limits the other boards declare.
 */
#ifndef STC_MPS2_CONFIG_H
#define STC_MPS2_CONFIG_H

#ifdef STC_MPS2_HOST_LIMITS
#include "../linux-host/stc_config.h"
#else
#include "../cortex-m4/stc_config.h"
#endif

/* make bench-mem measures options one by one: each variant is a header
 * mps2_variant.h of #undef/#define lines (in a directory of its own on the
 * include path), included at the end of stc_config.h (1), lwipopts.h (2)
 * and user_settings.h (3); STC_MPS2_VARIANT_FOR says which is reading it
 * (bench_mps2.sh). Never set in a normal build. */
#ifdef STC_MPS2_VARIANT
#undef STC_MPS2_VARIANT_FOR
#define STC_MPS2_VARIANT_FOR 1
#include "mps2_variant.h"
#endif

#endif /* STC_MPS2_CONFIG_H */
