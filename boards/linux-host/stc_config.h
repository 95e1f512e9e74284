/* stc_config.h - limits for the Linux host build (POSIX port, CLI, tests)
 *
 * A host has memory to spare: 16 sessions and 8 DNS questions in flight
 * over every check of a run (one engine), so a domain with 4 MX hosts
 * costs about one host's time and a bulk run keeps the pools busy. The
 * jobs themselves are small (about 11 KB each) and allocated by the CLI
 * per --jobs. Everything not set here takes the default from
 * include/stc/stc_opts.h.
 */
#ifndef STC_CONFIG_H
#define STC_CONFIG_H

#define STC_MAX_CONN 16
#define STC_MAX_DNS 8

/* as many resolvers as the POSIX port reads (STC_POSIX_MAX_RESOLVERS) */
#define STC_MAX_RESOLVERS 8

#endif
