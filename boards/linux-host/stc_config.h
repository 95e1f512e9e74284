/* stc_config.h - limits for the Linux host build (POSIX port, CLI, tests)
 *
 * A host has memory to spare: run all MX hosts and addresses at once so a
 * domain with 4 MX hosts costs about one host's time. Everything not set
 * here takes the default from include/stc/stc_opts.h.
 */
#ifndef STC_CONFIG_H
#define STC_CONFIG_H

#define STC_MAX_CONN 16
#define STC_MAX_DNS 8

#endif
