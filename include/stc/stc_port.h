/* stc_port.h - the porting interface of starttls-check
 *
 * The core (src/) includes no OS or socket header: everything it needs from
 * the platform comes through one const table of function pointers, passed
 * to stc_check_init(). Why a table rather than link-time functions: one
 * host test binary can run real sockets, a scripted fake, a fault injector
 * and a fake clock side by side without relinking.
 *
 * Conventions
 * - Every socket operation is non-blocking. Operations return an stc_err_t
 *   (STC_OK, STC_EAGAIN = "not now, wait for readiness", or an error) or a
 *   byte count >= 0 (negative = an stc_err_t).
 * - Sockets are small non-negative integers chosen by the port; the core
 *   never passes them to anything but this table.
 * - `user` is handed back to every call untouched.
 * - The clock is a wrapping uint32_t of milliseconds from any origin;
 *   the core compares times with (int32_t)(a - b).
 */
#ifndef STC_PORT_H
#define STC_PORT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Error codes shared by the core and the port. */
typedef enum stc_err {
    STC_OK = 0,
    STC_EAGAIN = -1,    /* step again when the socket is ready / later */
    STC_ETIMEOUT = -2,  /* a deadline passed */
    STC_ECONNREFUSED = -3,
    STC_EUNREACH = -4,  /* no route / network or host unreachable */
    STC_ERESET = -5,    /* connection reset or closed by the peer early */
    STC_EPROTO = -6,    /* the peer broke the protocol */
    STC_ETOOLONG = -7,  /* input longer than a configured limit */
    STC_ENOMEM = -8,    /* our arena or a fixed table ran out (never the peer's fault) */
    STC_ETLS = -9,      /* TLS handshake or record failure (see lower_err) */
    STC_EDNS = -10,     /* DNS answered with an error (see the rcode) */
    STC_EINVAL = -11,   /* bad argument from the caller */
    STC_EAFNOSUPPORT = -12, /* address family not usable from here */
    STC_EPORT = -13,    /* any other failure of the port (see lower_err) */
    STC_ECLOSED = -14   /* orderly close by the peer */
} stc_err_t;

/* An IPv4 or IPv6 address. */
typedef struct stc_ip {
    uint8_t family; /* 4 or 6; 0 = unset */
    uint8_t addr[16]; /* network order; IPv4 uses the first 4 bytes */
} stc_ip_t;

/* Readiness flags for stc_pollfd_t. */
#define STC_WANT_READ 0x1u
#define STC_WANT_WRITE 0x2u
#define STC_READY_ERROR 0x4u /* error or hang-up: the next call will say which */

typedef struct stc_pollfd {
    int sock;
    uint8_t events;  /* STC_WANT_* asked for */
    uint8_t revents; /* filled by wait(): STC_WANT_* ready and/or STC_READY_ERROR */
} stc_pollfd_t;

/* Format of the trust-anchor buffer. */
#define STC_TA_PEM 1
#define STC_TA_DER 2

#define STC_PORT_VERSION 1u

typedef struct stc_port {
    uint32_t version; /* STC_PORT_VERSION */
    void *user;

    /* Start a TCP connect. Returns STC_OK (connected) or STC_EAGAIN
     * (in progress: wait for STC_WANT_WRITE, then call tcp_finish), or an
     * error (STC_EAFNOSUPPORT when the family cannot be used here). */
    int (*tcp_connect)(void *user, const stc_ip_t *ip, uint16_t port, int *sock);
    /* After the socket became writable: STC_OK, or why the connect failed. */
    int (*tcp_finish)(void *user, int sock);
    /* Send/receive: bytes moved (recv: 0 = orderly close), or a negative
     * stc_err_t (STC_EAGAIN when it would block). */
    long (*send)(void *user, int sock, const void *buf, size_t n);
    long (*recv)(void *user, int sock, void *buf, size_t cap);

    /* Open an unconnected UDP socket of the family of `ip`. */
    int (*udp_open)(void *user, uint8_t family, int *sock);
    int (*udp_sendto)(void *user, int sock, const stc_ip_t *ip, uint16_t port,
                      const void *buf, size_t n);
    /* Receive one datagram and its source. Bytes, or negative stc_err_t. */
    long (*udp_recvfrom)(void *user, int sock, void *buf, size_t cap,
                         stc_ip_t *from, uint16_t *from_port);

    void (*close)(void *user, int sock);

    /* Wait until one of fds is ready or timeout_ms passes. Returns the
     * number of ready entries (>= 0) or a negative stc_err_t. */
    int (*wait)(void *user, stc_pollfd_t *fds, size_t n, uint32_t timeout_ms);

    uint32_t (*now_ms)(void *user);   /* monotonic milliseconds */
    int64_t (*unix_time)(void *user); /* wall-clock seconds, for certificate dates */
    int (*random)(void *user, void *buf, size_t n); /* STC_OK or error */

    /* Resolver addresses to use, in order; returns how many were written. */
    size_t (*resolvers)(void *user, stc_ip_t *out, size_t max);
    /* Trust anchors: a buffer of PEM or DER certificates that stays valid
     * until stc_check_free(). STC_OK, or an error when none are available
     * (chain checks are then reported as not possible). */
    int (*trust_anchors)(void *user, const uint8_t **buf, size_t *len, int *format);
} stc_port_t;

#ifdef __cplusplus
}
#endif

#endif /* STC_PORT_H */
