/* stc_posix.h - the POSIX implementation of the porting interface
 *
 * BSD sockets driven with poll(), CLOCK_MONOTONIC/CLOCK_REALTIME,
 * getrandom(), resolvers from /etc/resolv.conf (or an explicit list) and
 * the system CA bundle mapped read-only as the trust anchors.
 *
 * Conventions
 * - Memory: no allocation. The caller owns the stc_posix_t (about 1 KB);
 *   the CA file is mmap()ed by stc_posix_init() and unmapped by
 *   stc_posix_free().
 * - p->ops.user points at p itself: do not copy or move an initialised
 *   stc_posix_t; hand &p->ops to the core.
 * - Sockets handed to the core are indexes into p's own table (not file
 *   descriptors), so a stale or foreign number can never close someone
 *   else's descriptor; stc_posix_free() closes any the core left open.
 * - Threading: one thread per stc_posix_t.
 * - Build with -D_GNU_SOURCE (getrandom, SOCK_CLOEXEC, MSG_NOSIGNAL, memmem).
 *
 * Use
 *     static stc_posix_t px;
 *     stc_posix_cfg_t cfg = {0};          (all NULL: the system defaults)
 *     char err[256];
 *     cfg.resolver = "192.0.2.53,2001:db8::53";   (optional)
 *     if (stc_posix_init(&px, &cfg, err, sizeof err) != 0) {
 *         fprintf(stderr, "%s\n", err); exit(3);
 *     }
 *     stc_init(arena, sizeof arena, &px.ops);
 *     ...
 *     stc_posix_free(&px);
 *
 * Sockets and the open-file limit: stc_posix_init() takes what
 * RLIMIT_NOFILE leaves after the descriptors already open and a reserve
 * for what the TLS library opens on its own (/dev/urandom for each new
 * session), at most STC_POSIX_MAX_SOCKS; stc_posix_socket_cap() says how
 * many, for stc_options_t.max_sockets. A full table, or EMFILE/ENFILE/
 * ENOBUFS/ENOMEM from the kernel, is STC_ENOMEM: the checker's own limit.
 *
 * Error mapping (errno -> stc_err_t)
 *   EINPROGRESS/EAGAIN -> STC_EAGAIN; ECONNREFUSED -> STC_ECONNREFUSED;
 *   ENETUNREACH/EHOSTUNREACH -> STC_EUNREACH; ETIMEDOUT -> STC_ETIMEOUT;
 *   ECONNRESET/EPIPE -> STC_ERESET; everything else -> STC_EPORT (the raw
 *   errno is kept: stc_posix_last_errno()). IPv6 that this host cannot use
 *   (socket() EAFNOSUPPORT, or connect()/sendto() ENETUNREACH or
 *   EADDRNOTAVAIL at once) -> STC_EAFNOSUPPORT, so the core reports the
 *   address as untested rather than failed.
 */
#ifndef STC_POSIX_H
#define STC_POSIX_H

#include "stc/stc_port.h"

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Resolver addresses kept from resolv.conf or cfg->resolver (glibc reads
 * at most 3 from resolv.conf; we keep more and the core asks for as many
 * as it wants, in order). */
#ifndef STC_POSIX_MAX_RESOLVERS
#define STC_POSIX_MAX_RESOLVERS 8
#endif

/* Sockets open at once through one stc_posix_t (the table's size). */
#ifndef STC_POSIX_MAX_SOCKS
#define STC_POSIX_MAX_SOCKS 128
#endif

/* Descriptors left free under RLIMIT_NOFILE for what is opened outside
 * the port: the TLS library's /dev/urandom, and one spare. */
#ifndef STC_POSIX_FD_RESERVE
#define STC_POSIX_FD_RESERVE 2
#endif

#define STC_POSIX_RESOLV_CONF "/etc/resolv.conf"
#define STC_POSIX_CA_FILE "/etc/ssl/certs/ca-certificates.crt"

typedef struct stc_posix_cfg {
    const char *resolv_conf; /* NULL = /etc/resolv.conf */
    const char *resolver;    /* "IP" or "IP,IP,...": overrides resolv.conf; NULL = none */
    const char *ca_file;     /* PEM bundle or one DER certificate;
                                NULL = /etc/ssl/certs/ca-certificates.crt */
} stc_posix_cfg_t;

typedef struct stc_posix {
    stc_port_t ops;          /* give &ops to the core; ops.user == this */
    stc_ip_t res[STC_POSIX_MAX_RESOLVERS];
    size_t nres;
    const uint8_t *ca;       /* mmapped CA file, NULL when none */
    size_t ca_len;
    int ca_format;           /* STC_TA_PEM or STC_TA_DER */
    int last_errno;          /* errno of the last failed system call */
    int fd[STC_POSIX_MAX_SOCKS]; /* socket table: -1 = free */
    uint8_t fam[STC_POSIX_MAX_SOCKS]; /* 4 or 6 */
    size_t nopen;
    size_t max_socks;        /* what the open-file limit allows, <= the table */
} stc_posix_t;

/* Fill p (resolvers, CA file, the ops table). Resolvers: cfg->resolver when
 * set, else the `nameserver` lines of cfg->resolv_conf. Trust anchors: the
 * CA file must be readable when cfg->ca_file names it; a missing default
 * bundle is tolerated (trust_anchors() then fails and the core reports
 * chain checks as not possible). cfg may be NULL (all defaults).
 * Returns 0, or -1 with a one-line reason in err (bad resolver address,
 * no nameserver, unreadable CA file); err may be NULL when errcap is 0.
 * Nothing needs freeing after -1. */
int stc_posix_init(stc_posix_t *p, const stc_posix_cfg_t *cfg, char *err, size_t errcap);

/* Close sockets the core left open and unmap the CA file. Safe twice. */
void stc_posix_free(stc_posix_t *p);

/* Sockets the port may open at once (the open-file limit considered); 0
 * when the limit leaves none. */
size_t stc_posix_socket_cap(const stc_posix_t *p);

/* Sockets currently open through p (for leak checks). */
size_t stc_posix_open_sockets(const stc_posix_t *p);

/* errno of the last failed system call (0 = none yet), for lower_err. */
int stc_posix_last_errno(const stc_posix_t *p);

/* The errno -> stc_err_t mapping above. family 4/6 is the socket's;
 * connecting = 1 when the error came from connect() itself (where an
 * unusable IPv6 becomes STC_EAFNOSUPPORT). */
int stc_posix_map_errno(int e, uint8_t family, int connecting);

/* Parse resolver addresses into out[0..max): a resolv.conf file (path) or
 * a list ("IP[,IP...]", blanks allowed around commas). Scope ids
 * ("fe80::1%eth0") are dropped. Return the count (resolv.conf: 0 when
 * it names none), or -1 with a reason in err. */
int stc_posix_parse_resolv_conf(const char *path, stc_ip_t *out, size_t max,
                                char *err, size_t errcap);
int stc_posix_parse_resolver_list(const char *list, stc_ip_t *out, size_t max,
                                  char *err, size_t errcap);

#ifdef __cplusplus
}
#endif

#endif /* STC_POSIX_H */
