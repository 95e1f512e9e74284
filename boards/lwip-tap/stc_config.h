/* stc_config.h - limits for the lwIP-on-a-tap-device build (starttls-check-lwip)
 *
 * Concurrency is sized for an appliance's lwIP, not for this host: a check
 * holds at most one socket per connection slot and one per DNS slot, and
 * upstream lwIP's whole socket table is MEMP_NUM_NETCONN entries - 4 by
 * default, and 4 in the lwipopts.h that Debian installs. 2 + 2 fills such
 * a table exactly (port/lwip/port_lwip.c refuses to compile a larger sum
 * against a fixed table). Debian's own liblwip happens to allocate sockets
 * on demand (its max_sockets patch), so this host would take more, but the
 * board is meant to behave as the firmware would. Cost: a domain whose
 * preferred MX hosts have many addresses takes a few connection-times
 * instead of one (dead addresses: STC_T_CONNECT_MS each, two at a time);
 * the results are the same. It also bounds the wolfSSL arena: two
 * handshakes of about 100 KB each besides the trust anchors.
 *
 * Everything else keeps the default of include/stc/stc_opts.h, as the
 * linux-host board does, so a report from this build can be compared field
 * by field with the POSIX CLI's for the same target (same MX, address,
 * chain and finding caps). A real appliance board would also shrink
 * STC_DNS_MSG_MAX, STC_TEXT_POOL and STC_MAX_MX and set STC_LONG_TEXT 0;
 * the tap build is for proving the port on the real stack, not for sizing.
 */
#ifndef STC_CONFIG_H
#define STC_CONFIG_H

#define STC_MAX_CONN 2
#define STC_MAX_DNS 2
#define STC_CACHE_SESSIONS 0 /* one check at a time: nothing to share */
#define STC_CACHE_DNS 0      /* (nor DNS answers: one check asks each question once) */
#define STC_CACHE_CERTS 0    /* (nor judged chains) */
#define STC_MAX_TASKS 2

#endif
