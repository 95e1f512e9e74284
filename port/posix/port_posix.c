/* port_posix.c - stc_port_t over BSD sockets, poll() and the POSIX clocks
 *
 * See stc_posix.h for the contract and the errno mapping. Every socket is
 * non-blocking and close-on-exec; the core only ever sees indexes into
 * p->fd[], never descriptors.
 */
#include "stc_posix.h"
#include "stc/stc.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#if defined(__GNUC__)
#define STC_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define STC_PRINTF(f, a)
#endif

/* resolv.conf is read at most this far (a path like /dev/zero must end). */
#define RESOLV_CONF_MAX_BYTES (1u << 20)
/* Consecutive EINTRs tolerated where no time bound applies. */
#define EINTR_RETRIES 64

static const char pem_cert_tag[] = "-----BEGIN CERTIFICATE-----";

/* seterr - format a reason into err[0..cap) when there is room */
static void seterr(char *err, size_t cap, const char *fmt, ...) STC_PRINTF(3, 4);
static void seterr(char *err, size_t cap, const char *fmt, ...)
{
    va_list ap;
    if (err == NULL || cap == 0)
        return;
    va_start(ap, fmt);
    vsnprintf(err, cap, fmt, ap);
    va_end(ap);
}

/* ---- addresses ----------------------------------------------------------- */

/* parse_ip - one address token (optional [brackets], %scope dropped) */
static int parse_ip(const char *s, size_t n, stc_ip_t *ip)
{
    return stc_ip_parse_n(s, n, ip) ? 0 : -1;
}

/* to_sockaddr - stc_ip_t + port -> sockaddr; -1 on a bad family */
static int to_sockaddr(const stc_ip_t *ip, uint16_t port, struct sockaddr_storage *ss,
                       socklen_t *len)
{
    memset(ss, 0, sizeof *ss);
    if (ip->family == 4) {
        struct sockaddr_in *sa = (struct sockaddr_in *)ss;
        sa->sin_family = AF_INET;
        sa->sin_port = htons(port);
        memcpy(&sa->sin_addr, ip->addr, 4);
        *len = sizeof *sa;
        return 0;
    }
    if (ip->family == 6) {
        struct sockaddr_in6 *sa = (struct sockaddr_in6 *)ss;
        sa->sin6_family = AF_INET6;
        sa->sin6_port = htons(port);
        memcpy(&sa->sin6_addr, ip->addr, 16);
        *len = sizeof *sa;
        return 0;
    }
    return -1;
}

/* from_sockaddr - sockaddr -> stc_ip_t + port (family 0 when unknown) */
static void from_sockaddr(const struct sockaddr_storage *ss, stc_ip_t *ip, uint16_t *port)
{
    memset(ip, 0, sizeof *ip);
    *port = 0;
    if (ss->ss_family == AF_INET) {
        const struct sockaddr_in *sa = (const struct sockaddr_in *)ss;
        ip->family = 4;
        memcpy(ip->addr, &sa->sin_addr, 4);
        *port = ntohs(sa->sin_port);
    } else if (ss->ss_family == AF_INET6) {
        const struct sockaddr_in6 *sa = (const struct sockaddr_in6 *)ss;
        ip->family = 6;
        memcpy(ip->addr, &sa->sin6_addr, 16);
        *port = ntohs(sa->sin6_port);
    }
}

/* ---- resolvers ------------------------------------------------------------- */

/* is_blank - space or tab */
static int is_blank(int c)
{
    return c == ' ' || c == '\t';
}

/* resolv_line - one resolv.conf line: 1 and *ip when it is a usable
 * "nameserver ADDR" line, else 0 (comments, other keywords, bad addresses
 * are skipped as glibc skips them) */
static int resolv_line(const char *s, stc_ip_t *ip)
{
    static const char kw[] = "nameserver";
    size_t n;

    while (is_blank(*s))
        s++;
    if (strncmp(s, kw, sizeof kw - 1) != 0 || !is_blank(s[sizeof kw - 1]))
        return 0;
    s += sizeof kw - 1;
    while (is_blank(*s))
        s++;
    for (n = 0; s[n] && !is_blank(s[n]) && s[n] != '\n' && s[n] != '\r' && s[n] != '#' &&
                s[n] != ';';
         n++)
        ;
    return parse_ip(s, n, ip) == 0;
}

/* stc_posix_parse_resolv_conf - the nameserver lines of a resolv.conf */
int stc_posix_parse_resolv_conf(const char *path, stc_ip_t *out, size_t max, char *err,
                                size_t errcap)
{
    char line[512];
    size_t n = 0, total = 0;
    FILE *f = fopen(path, "re");

    if (f == NULL) {
        seterr(err, errcap, "cannot read %s: %s", path, strerror(errno));
        return -1;
    }
    while (n < max && total < RESOLV_CONF_MAX_BYTES && fgets(line, sizeof line, f)) {
        size_t len = strlen(line);
        total += len + 1;
        if (len > 0 && line[len - 1] != '\n' && !feof(f)) {
            /* overlong line: no sane nameserver line is; skip the rest */
            int ch;
            while (total < RESOLV_CONF_MAX_BYTES && (ch = fgetc(f)) != EOF && ch != '\n')
                total++;
            continue;
        }
        if (resolv_line(line, &out[n]))
            n++;
    }
    fclose(f);
    return (int)n;
}

/* stc_posix_parse_resolver_list - "IP[,IP...]" as given on a command line */
int stc_posix_parse_resolver_list(const char *list, stc_ip_t *out, size_t max, char *err,
                                  size_t errcap)
{
    const char *s = list;
    size_t n = 0;

    for (;;) {
        const char *tok, *end;
        while (is_blank(*s))
            s++;
        tok = s;
        while (*s && *s != ',')
            s++;
        end = s;
        while (end > tok && is_blank(end[-1]))
            end--;
        if (end == tok) {
            seterr(err, errcap, "empty resolver address in \"%s\"", list);
            return -1;
        }
        if (n >= max) {
            seterr(err, errcap, "too many resolvers in \"%s\" (at most %zu)", list, max);
            return -1;
        }
        if (parse_ip(tok, (size_t)(end - tok), &out[n]) != 0) {
            seterr(err, errcap, "not an IP address: \"%.*s\"", (int)(end - tok), tok);
            return -1;
        }
        n++;
        if (*s == '\0')
            return (int)n;
        s++; /* the comma */
    }
}

/* ---- trust anchors ----------------------------------------------------------- */

/* load_ca - map the CA file; 0, or -1 with a reason */
static int load_ca(stc_posix_t *p, const char *path, char *err, size_t errcap)
{
    struct stat st;
    void *m;
    const uint8_t *b;
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    if (fd < 0 && (errno == EMFILE || errno == ENFILE)) {
        /* our limit, not a missing bundle: never fall back to "no anchors" */
        seterr(err, errcap, "the open-file limit leaves no descriptor to read the CA file "
                            "%s (raise it: ulimit -n)", path);
        return -2;
    }
    if (fd < 0) {
        seterr(err, errcap, "cannot read CA file %s: %s", path, strerror(errno));
        return -1;
    }
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        seterr(err, errcap, "CA file %s is not a regular file", path);
        close(fd);
        return -1;
    }
    if (st.st_size <= 0) {
        seterr(err, errcap, "CA file %s is empty", path);
        close(fd);
        return -1;
    }
    m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd); /* the mapping keeps the file */
    if (m == MAP_FAILED) {
        seterr(err, errcap, "cannot map CA file %s: %s", path, strerror(errno));
        return -1;
    }
    b = m;
    if (memmem(b, (size_t)st.st_size, pem_cert_tag, sizeof pem_cert_tag - 1)) {
        p->ca_format = STC_TA_PEM;
    } else if (st.st_size > 4 && b[0] == 0x30 && b[1] >= 0x81 && b[1] <= 0x84) {
        /* one DER certificate: SEQUENCE with a long-form length */
        p->ca_format = STC_TA_DER;
    } else {
        munmap(m, (size_t)st.st_size);
        seterr(err, errcap, "CA file %s holds no certificate (PEM or DER)", path);
        return -1;
    }
    p->ca = b;
    p->ca_len = (size_t)st.st_size;
    return 0;
}

/* ---- the table ------------------------------------------------------------- */

/* self - the stc_posix_t behind user */
static stc_posix_t *self(void *user)
{
    return (stc_posix_t *)user;
}

/* slot_alloc - enter fd in the table; the index, or -1 when full */
static int slot_alloc(stc_posix_t *p, int fd, uint8_t family)
{
    int i;
    if (p->nopen >= p->max_socks)
        return -1;
    for (i = 0; i < STC_POSIX_MAX_SOCKS; i++)
        if (p->fd[i] < 0) {
            p->fd[i] = fd;
            p->fam[i] = family;
            p->nopen++;
            return i;
        }
    return -1;
}

/* slot_fd - descriptor behind a socket number, -1 when not open */
static int slot_fd(const stc_posix_t *p, int sock)
{
    if (sock < 0 || sock >= STC_POSIX_MAX_SOCKS)
        return -1;
    return p->fd[sock];
}

/* slot_close - close and free a table entry */
static void slot_close(stc_posix_t *p, int sock)
{
    int fd = slot_fd(p, sock);
    if (fd < 0)
        return;
    close(fd);
    p->fd[sock] = -1;
    p->nopen--;
}

/* fail - remember errno and map it */
static int fail(stc_posix_t *p, int e, uint8_t family, int connecting)
{
    p->last_errno = e;
    return stc_posix_map_errno(e, family, connecting);
}

/* stc_posix_map_errno - errno -> stc_err_t (see stc_posix.h) */
int stc_posix_map_errno(int e, uint8_t family, int connecting)
{
    switch (e) {
    case 0:
        return STC_OK;
    case EAGAIN:
#if EWOULDBLOCK != EAGAIN
    case EWOULDBLOCK:
#endif
    case EINPROGRESS:
    case EALREADY:
    case EINTR:
        return STC_EAGAIN;
    case ECONNREFUSED:
        return STC_ECONNREFUSED;
    case ENETUNREACH:
    case EADDRNOTAVAIL:
        /* at once, for IPv6: this host has no route or no address of the
         * family, which says nothing about the peer */
        if (family == 6 && connecting)
            return STC_EAFNOSUPPORT;
        return e == ENETUNREACH ? STC_EUNREACH : STC_EPORT;
    case EHOSTUNREACH:
    case ENETDOWN:
    case EHOSTDOWN:
        return STC_EUNREACH;
    case EAFNOSUPPORT:
    case EPROTONOSUPPORT:
        return STC_EAFNOSUPPORT;
    case EMFILE:
    case ENFILE:
    case ENOBUFS:
    case ENOMEM:
        return STC_ENOMEM; /* this machine's limits: never the peer's doing */
    case ETIMEDOUT:
        return STC_ETIMEOUT;
    case ECONNRESET:
    case ECONNABORTED:
    case ENETRESET:
    case EPIPE:
        return STC_ERESET;
    default:
        return STC_EPORT;
    }
}

/* af_of - 4/6 -> AF_INET/AF_INET6, -1 otherwise */
static int af_of(uint8_t family)
{
    return family == 4 ? AF_INET : family == 6 ? AF_INET6 : -1;
}

/* open_socket - a non-blocking close-on-exec socket in the table */
static int open_socket(stc_posix_t *p, uint8_t family, int type, int *sock)
{
    int af = af_of(family), fd, s;

    if (af < 0)
        return STC_EINVAL;
    fd = socket(af, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return fail(p, errno, family, 1);
    s = slot_alloc(p, fd, family);
    if (s < 0) {
        close(fd);
        return STC_ENOMEM; /* our fixed table ran out */
    }
    *sock = s;
    return STC_OK;
}

/* px_tcp_connect - start a non-blocking connect */
static int px_tcp_connect(void *user, const stc_ip_t *ip, uint16_t port, int *sock)
{
    stc_posix_t *p = self(user);
    struct sockaddr_storage ss;
    socklen_t sl;
    int rc, s, e;

    if (ip == NULL || sock == NULL)
        return STC_EINVAL;
    *sock = -1;
    if (to_sockaddr(ip, port, &ss, &sl) != 0)
        return STC_EINVAL;
    rc = open_socket(p, ip->family, SOCK_STREAM, &s);
    if (rc != STC_OK)
        return rc;
    if (connect(p->fd[s], (struct sockaddr *)&ss, sl) == 0) {
        *sock = s;
        return STC_OK;
    }
    e = errno;
    if (e == EINPROGRESS || e == EINTR) { /* EINTR: it goes on in the background */
        *sock = s;
        return STC_EAGAIN;
    }
    slot_close(p, s);
    if (e == EAGAIN) { /* from connect(): no local port or route cache entry */
        p->last_errno = e;
        return STC_EPORT;
    }
    return fail(p, e, ip->family, 1);
}

/* px_tcp_finish - outcome of the connect once the socket is writable */
static int px_tcp_finish(void *user, int sock)
{
    stc_posix_t *p = self(user);
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    struct pollfd pf;
    int fd = slot_fd(p, sock), e = 0;
    socklen_t el = sizeof e;

    if (fd < 0)
        return STC_EINVAL;
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &el) != 0) {
        p->last_errno = errno;
        return STC_EPORT;
    }
    if (e != 0) /* asynchronous: a route failing far away is "unreachable" */
        return fail(p, e, p->fam[sock], 0);
    if (getpeername(fd, (struct sockaddr *)&ss, &sl) == 0)
        return STC_OK;
    if (errno != ENOTCONN) {
        p->last_errno = errno;
        return STC_EPORT;
    }
    /* not connected and no pending error: still in progress, or failed
     * and its error already read */
    pf.fd = fd;
    pf.events = POLLOUT;
    pf.revents = 0;
    if (poll(&pf, 1, 0) == 0)
        return STC_EAGAIN;
    p->last_errno = ENOTCONN;
    return STC_EPORT;
}

/* px_send - send without SIGPIPE */
static long px_send(void *user, int sock, const void *buf, size_t n)
{
    stc_posix_t *p = self(user);
    int fd = slot_fd(p, sock), i;

    if (fd < 0 || (buf == NULL && n > 0))
        return STC_EINVAL;
    if (n == 0)
        return 0;
    for (i = 0; i < EINTR_RETRIES; i++) {
        ssize_t r = send(fd, buf, n, MSG_NOSIGNAL);
        if (r >= 0)
            return (long)r;
        if (errno != EINTR)
            return fail(p, errno, p->fam[sock], 0);
    }
    return STC_EAGAIN;
}

/* px_recv - receive; 0 = orderly close */
static long px_recv(void *user, int sock, void *buf, size_t cap)
{
    stc_posix_t *p = self(user);
    int fd = slot_fd(p, sock), i;

    if (fd < 0 || buf == NULL || cap == 0) /* cap 0 would read as "closed" */
        return STC_EINVAL;
    for (i = 0; i < EINTR_RETRIES; i++) {
        ssize_t r = recv(fd, buf, cap, 0);
        if (r >= 0)
            return (long)r;
        if (errno != EINTR)
            return fail(p, errno, p->fam[sock], 0);
    }
    return STC_EAGAIN;
}

/* px_udp_open - an unconnected UDP socket of the family */
static int px_udp_open(void *user, uint8_t family, int *sock)
{
    if (sock == NULL)
        return STC_EINVAL;
    *sock = -1;
    return open_socket(self(user), family, SOCK_DGRAM, sock);
}

/* px_udp_sendto - one datagram; STC_OK when it left whole */
static int px_udp_sendto(void *user, int sock, const stc_ip_t *ip, uint16_t port,
                         const void *buf, size_t n)
{
    stc_posix_t *p = self(user);
    struct sockaddr_storage ss;
    socklen_t sl;
    int fd = slot_fd(p, sock), i;

    if (fd < 0 || ip == NULL || buf == NULL || ip->family != p->fam[sock] ||
        to_sockaddr(ip, port, &ss, &sl) != 0)
        return STC_EINVAL;
    for (i = 0; i < EINTR_RETRIES; i++) {
        ssize_t r = sendto(fd, buf, n, MSG_NOSIGNAL, (struct sockaddr *)&ss, sl);
        if (r >= 0)
            return (size_t)r == n ? STC_OK : STC_EPORT;
        if (errno != EINTR) /* an unusable IPv6 shows here as in connect */
            return fail(p, errno, p->fam[sock], 1);
    }
    return STC_EAGAIN;
}

/* px_udp_recvfrom - one datagram and its source; STC_ETOOLONG (datagram
 * consumed) when it did not fit in cap */
static long px_udp_recvfrom(void *user, int sock, void *buf, size_t cap, stc_ip_t *from,
                            uint16_t *from_port)
{
    stc_posix_t *p = self(user);
    int fd = slot_fd(p, sock), i;

    if (fd < 0 || buf == NULL || cap == 0 || from == NULL || from_port == NULL)
        return STC_EINVAL;
    for (i = 0; i < EINTR_RETRIES; i++) {
        struct sockaddr_storage ss;
        socklen_t sl = sizeof ss;
        ssize_t r;
        memset(&ss, 0, sizeof ss);
        r = recvfrom(fd, buf, cap, MSG_TRUNC, (struct sockaddr *)&ss, &sl);
        if (r >= 0) {
            from_sockaddr(&ss, from, from_port);
            return (size_t)r > cap ? STC_ETOOLONG : (long)r;
        }
        if (errno != EINTR)
            return fail(p, errno, p->fam[sock], 0);
    }
    return STC_EAGAIN;
}

/* px_close - close a socket; unknown numbers are ignored */
static void px_close(void *user, int sock)
{
    slot_close(self(user), sock);
}

/* px_now_ms - CLOCK_MONOTONIC in wrapping milliseconds */
static uint32_t px_now_ms(void *user)
{
    struct timespec ts;
    (void)user;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint32_t)((uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u);
}

/* px_wait - poll() the sockets; a signal ends the wait early (0 ready) */
static int px_wait(void *user, stc_pollfd_t *fds, size_t n, uint32_t timeout_ms)
{
    stc_posix_t *p = self(user);
    struct pollfd pf[STC_POSIX_MAX_SOCKS];
    uint32_t left = timeout_ms;
    size_t i;
    int r, bad = 0, ready = 0;

    if (n > STC_POSIX_MAX_SOCKS || (fds == NULL && n > 0))
        return STC_EINVAL;
    for (i = 0; i < n; i++) {
        int fd = fds[i].sock < 0 ? -1 : slot_fd(p, fds[i].sock);
        fds[i].revents = 0;
        pf[i].fd = fd; /* poll() skips negative descriptors */
        pf[i].events = (short)(((fds[i].events & STC_WANT_READ) ? POLLIN : 0) |
                               ((fds[i].events & STC_WANT_WRITE) ? POLLOUT : 0));
        pf[i].revents = 0;
        if (fds[i].sock >= 0 && fd < 0) {
            fds[i].revents = STC_READY_ERROR; /* not ours: like POLLNVAL */
            bad++;
        }
    }
    if (bad)
        left = 0;
    r = poll(pf, (nfds_t)n, left > INT_MAX ? INT_MAX : (int)left);
    if (r < 0 && errno == EINTR)
        return 0; /* a signal: the caller looks again (and sees its flag) */
    if (r < 0) {
        p->last_errno = errno;
        return STC_EPORT;
    }
    for (i = 0; i < n; i++) {
        uint8_t rv = fds[i].revents;
        if (pf[i].revents & POLLIN)
            rv |= STC_WANT_READ;
        if (pf[i].revents & POLLOUT)
            rv |= STC_WANT_WRITE;
        if (pf[i].revents & (POLLERR | POLLHUP | POLLNVAL))
            rv |= STC_READY_ERROR;
        fds[i].revents = rv;
        if (rv)
            ready++;
    }
    return ready;
}

/* px_unix_time - wall-clock seconds */
static int64_t px_unix_time(void *user)
{
    struct timespec ts;
    (void)user;
    if (clock_gettime(CLOCK_REALTIME, &ts) != 0)
        return (int64_t)time(NULL);
    return (int64_t)ts.tv_sec;
}

/* urandom - fallback for kernels without getrandom() */
static int urandom(uint8_t *b, size_t n)
{
    size_t got = 0;
    int i, fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);

    if (fd < 0)
        return STC_EPORT;
    for (i = 0; got < n && i < EINTR_RETRIES; i++) {
        ssize_t r = read(fd, b + got, n - got);
        if (r > 0)
            got += (size_t)r;
        else if (r == 0 || errno != EINTR)
            break;
    }
    close(fd);
    return got == n ? STC_OK : STC_EPORT;
}

/* px_random - kernel random bytes (query IDs must be unpredictable) */
static int px_random(void *user, void *buf, size_t n)
{
    stc_posix_t *p = self(user);
    uint8_t *b = buf;
    size_t got = 0;
    int i;

    if (buf == NULL && n > 0)
        return STC_EINVAL;
    /* reads up to 256 bytes never come back short; larger ones may */
    for (i = 0; got < n && i < EINTR_RETRIES; i++) {
        ssize_t r = getrandom(b + got, n - got, 0);
        if (r > 0) {
            got += (size_t)r;
        } else if (r < 0 && errno == ENOSYS) {
            return urandom(b + got, n - got);
        } else if (r < 0 && errno != EINTR) {
            p->last_errno = errno;
            return STC_EPORT;
        }
    }
    return got == n ? STC_OK : STC_EPORT;
}

/* px_resolvers - the resolver list, in order, at most max */
static size_t px_resolvers(void *user, stc_ip_t *out, size_t max)
{
    stc_posix_t *p = self(user);
    size_t n = p->nres < max ? p->nres : max;
    if (n)
        memcpy(out, p->res, n * sizeof *out);
    return n;
}

/* px_trust_anchors - the mapped CA file */
static int px_trust_anchors(void *user, const uint8_t **buf, size_t *len, int *format)
{
    stc_posix_t *p = self(user);
    if (p->ca == NULL)
        return STC_EPORT;
    *buf = p->ca;
    *len = p->ca_len;
    *format = p->ca_format;
    return STC_OK;
}

/* ---- set-up ------------------------------------------------------------------ */

/* fds_open - descriptors open in this process now (/proc/self/fd on Linux;
 * else the lowest numbers probed), so the socket budget counts them */
static size_t fds_open(rlim_t limit)
{
    size_t n = 0;
    int fd;
    long probe = limit > 4096 ? 4096 : (long)limit;
    for (fd = 0; fd < probe; fd++)
        if (fcntl(fd, F_GETFD) != -1)
            n++;
    return n;
}

/* socket_budget - sockets the open-file limit leaves us */
static size_t socket_budget(void)
{
    struct rlimit rl;
    size_t used, cap;

    if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY)
        return STC_POSIX_MAX_SOCKS;
    used = fds_open(rl.rlim_cur) + STC_POSIX_FD_RESERVE;
    cap = (size_t)rl.rlim_cur > used ? (size_t)rl.rlim_cur - used : 0;
    return cap < STC_POSIX_MAX_SOCKS ? cap : STC_POSIX_MAX_SOCKS;
}

/* stc_posix_init - resolvers, trust anchors, the ops table */
int stc_posix_init(stc_posix_t *p, const stc_posix_cfg_t *cfg, char *err, size_t errcap)
{
    static const stc_posix_cfg_t none;
    const char *rc_path, *ca_path;
    int i, n;

    if (cfg == NULL)
        cfg = &none;
    memset(p, 0, sizeof *p);
    for (i = 0; i < STC_POSIX_MAX_SOCKS; i++)
        p->fd[i] = -1;
    seterr(err, errcap, "%s", "");

    if (cfg->resolver != NULL) {
        n = stc_posix_parse_resolver_list(cfg->resolver, p->res, STC_POSIX_MAX_RESOLVERS,
                                          err, errcap);
        if (n < 0)
            return -1;
    } else {
        rc_path = cfg->resolv_conf ? cfg->resolv_conf : STC_POSIX_RESOLV_CONF;
        n = stc_posix_parse_resolv_conf(rc_path, p->res, STC_POSIX_MAX_RESOLVERS, err, errcap);
        if (n < 0)
            return -1;
        if (n == 0) {
            seterr(err, errcap, "no usable nameserver line in %s (give one with --resolver IP)",
                   rc_path);
            return -1;
        }
    }
    p->nres = (size_t)n;
    p->max_socks = socket_budget();

    ca_path = cfg->ca_file ? cfg->ca_file : STC_POSIX_CA_FILE;
    i = load_ca(p, ca_path, err, errcap);
    if (i != 0) {
        if (cfg->ca_file != NULL || i == -2)
            return -1;
        /* no system bundle: run anyway, chain checks say "not possible" */
        seterr(err, errcap, "%s", "");
    }

    p->ops.version = STC_PORT_VERSION;
    p->ops.user = p;
    p->ops.tcp_connect = px_tcp_connect;
    p->ops.tcp_finish = px_tcp_finish;
    p->ops.send = px_send;
    p->ops.recv = px_recv;
    p->ops.udp_open = px_udp_open;
    p->ops.udp_sendto = px_udp_sendto;
    p->ops.udp_recvfrom = px_udp_recvfrom;
    p->ops.close = px_close;
    p->ops.wait = px_wait;
    p->ops.now_ms = px_now_ms;
    p->ops.unix_time = px_unix_time;
    p->ops.random = px_random;
    p->ops.resolvers = px_resolvers;
    p->ops.trust_anchors = px_trust_anchors;
    return 0;
}

/* stc_posix_free - close leftovers, unmap the CA file */
void stc_posix_free(stc_posix_t *p)
{
    int i;
    if (p->ops.user != p) /* never initialised, or freed already */
        return;
    for (i = 0; i < STC_POSIX_MAX_SOCKS; i++)
        slot_close(p, i);
    if (p->ca)
        munmap((void *)(uintptr_t)p->ca, p->ca_len);
    p->ca = NULL;
    p->ca_len = 0;
    p->ops.user = NULL;
}

/* stc_posix_socket_cap - sockets the port may open at once */
size_t stc_posix_socket_cap(const stc_posix_t *p)
{
    return p->max_socks;
}

/* stc_posix_open_sockets - sockets open right now */
size_t stc_posix_open_sockets(const stc_posix_t *p)
{
    return p->nopen;
}

/* stc_posix_last_errno - errno of the last failed call */
int stc_posix_last_errno(const stc_posix_t *p)
{
    return p->last_errno;
}
