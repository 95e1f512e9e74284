/* dns_server.c - dns-test-server: a small, scriptable, optionally hostile DNS
 * server for starttls-check's tests (resolver and stub DNS client fixtures).
 *
 * It listens on UDP and TCP on one address and one port and answers like a
 * recursive resolver that also holds a tiny zone given on the command line:
 *   - RA and AA set in every answer, RD and CD copied from the query;
 *   - the first (and only) question is answered, its name echoed with the
 *     query's letter case; answer owner names are compressed against it;
 *   - CNAMEs inside the zone are followed into the answer section (at most 16;
 *     a loop in the zone gives SERVFAIL, a chain ending at an unknown name
 *     gives NXDOMAIN with the CNAMEs, RFC 6604);
 *   - NXDOMAIN for unknown names, NODATA (NOERROR, empty answer) for known
 *     names without the asked type; negative answers carry no SOA;
 *   - qtype ANY returns every record of the name; AXFR/IXFR get NOTIMP,
 *     classes other than IN (and ANY) get REFUSED;
 *   - EDNS0: when the query had an OPT RR the answer has one too (payload
 *     1232, DO copied, no options); EDNS version > 0 gets BADVERS; two OPTs
 *     or an OPT not owned by the root get FORMERR;
 *   - UDP answers longer than the client's limit (its EDNS payload size, at
 *     least 512 and at most our 1232; 512 without EDNS) are sent as TC=1 with
 *     the question only, as a resolver does; TCP allows 65535 bytes;
 *   - --ad: the AD bit is set on NOERROR/NXDOMAIN answers to queries that had
 *     DO or AD set (RFC 6840 5.8);
 *   - junk is handled defensively: datagrams under 12 bytes and messages with
 *     QR=1 are ignored, other unparsable queries get a header-only FORMERR,
 *     opcodes other than QUERY a header-only NOTIMP; nothing is read past
 *     the message and compression pointers in queries are refused.
 *
 * Usage: dns-test-server [options] [RECORD...]
 *   --addr ADDR       listen address, IPv4 or IPv6 literal (default 127.0.0.1)
 *   --port N          port for both UDP and TCP; 0 (default) = a port free for
 *                     both
 *   --pidfile FILE    write our PID to FILE (removed on a clean exit)
 *   --zone FILE       read records from FILE (may be given several times)
 *   --record 'RR'     one record in zone-line syntax (repeatable); every
 *                     non-option argument is a record too
 *   --ttl N           TTL of records that give none (default 300)
 *   --ad              set the AD bit (see above)
 *   --mode MODE[=ARG] hostile behaviour, default normal (list below); the
 *                     argument may also be "MODE:ARG" or the next command-line
 *                     word when that is a number: --mode slow 1500
 *   --only NAME       apply MODE only to queries for NAME (case-insensitive,
 *                     trailing dot optional); other names are answered normally
 *   --log FILE        append one line per message received ("-" = stderr)
 *   --max-seconds N   exit after N seconds (default 300, 1..86400)
 *   --seed N          seed of the random bytes of mode garbage
 *   --help
 * Stdout gets exactly one line, "port N", flushed once both sockets listen
 * (after the pidfile is written). Errors go to stderr. Exit status: 0 after
 * SIGTERM/SIGINT/SIGHUP or --max-seconds, 1 on socket errors, 2 on bad usage
 * or a bad zone. The server only ever sends to the address a query came from.
 *
 * Zone format (zone file lines and RECORD arguments), one record a line:
 *   NAME [TTL] TYPE DATA
 *   NAME   a.b.c or a.b.c. (no escapes, no "@", case-insensitive)
 *   TTL    optional decimal seconds (default --ttl)
 *   TYPE   A      DATA = IPv4 address            example.test A 192.0.2.1
 *          AAAA   DATA = IPv6 address            example.test AAAA 2001:db8::1
 *          MX     DATA = preference name         example.test MX 10 mx.example.test
 *          CNAME  DATA = target name             www.example.test CNAME example.test
 *          NS, PTR like CNAME
 *          TXT    DATA = "s1" "s2" ... (\" \\ \DDD escapes), or bare text taken
 *                 as one string (split every 255 bytes)
 *          TLSA   DATA = usage selector mtype hex  _25._tcp.mx.example.test TLSA 3 1 1 ab12...
 * Empty lines and lines whose first non-blank character is # or ; are
 * ignored (a # or ; later in a line is data). TYPE is case-insensitive.
 *
 * Modes (applied to every query, or only to --only NAME):
 *   normal          the resolver behaviour above
 *   servfail        SERVFAIL, question echoed, no records (OPT if EDNS)
 *   refused         REFUSED, likewise
 *   nxdomain        NXDOMAIN for every name, likewise
 *   drop            never answer: UDP queries are ignored, a TCP connection
 *                   is read but stays silent until the client closes it (or
 *                   30 s idle)
 *   truncate        UDP: TC=1, question only; TCP: the complete answer
 *   tcp-only-broken UDP: TC=1 as in truncate; TCP: the connection is closed
 *                   as soon as the query is read, without an answer
 *   pointer-loop[=1|2]  one answer RR of type A (AAAA, MX for those qtypes)
 *                   whose owner name is a compression pointer to itself (1,
 *                   default; for MX the exchange also points to itself) or
 *                   part of a 2-pointer cycle (2): for A/AAAA the owner points
 *                   at the RDATA, whose first two bytes point back at the
 *                   owner; for MX owner and exchange point at each other
 *   forward-pointer the first answer RR's owner is a pointer to a LATER offset
 *                   (the uncompressed owner name of the second RR); the data
 *                   are the zone's records of the qtype (the first one twice if
 *                   there is only one) or, without any, two A 127.0.0.1/.2
 *                   (AAAA ::1/::ffff:127.0.0.2, MX 10/20 QNAME for those qtypes)
 *   wrong-id        the normal answer, ID+1, over UDP and TCP; never the
 *                   right ID
 *   wrong-question  the normal answer for the name with a "wrong." label
 *                   prepended ("wrong.invalid" if too long) in the question
 *                   and as the owner of the records owned by the qname
 *   other-port      UDP: the normal answer sent from a second socket (same
 *                   address, another port); TCP: normal
 *   oversized       UDP: about 4000 bytes of A records (AAAA for AAAA
 *                   queries) 127.x.y.z / ::ffff:127.0.y.z, TC=0, whatever the
 *                   client's EDNS size; TCP: the same message behind a length
 *                   prefix announcing 65535 bytes, then the connection closes
 *   cname-loop      QNAME CNAME loop.QNAME, loop.QNAME CNAME QNAME, NOERROR
 *                   ("loop.invalid" if QNAME is too long)
 *   cname-chain[=N] N CNAMEs (default 8, 1..1000): QNAME -> chain1.QNAME ->
 *                   ... -> chainN.QNAME, then chainN.QNAME's data: the zone's
 *                   records of QNAME and qtype, else A 127.0.0.1 / AAAA
 *                   ::1, else nothing; the usual UDP size limit applies
 *                   (TC=1 when too big, complete over TCP)
 *   slow=MS         the normal answer, sent MS milliseconds later (0..600000)
 *   garbage         12..512 random bytes; the first two are the query's ID
 *                   and the QR bit is set, so that a client's parser (not just
 *                   its ID check) sees them; over TCP with a correct length
 *
 * Log (--log): one line per message received, flushed:
 *   T udp|tcp ADDR#PORT id=ID QNAME QTYPE edns=SIZE[/vN]|no do=0|1 mode=MODE -> WHAT
 * T = seconds since start; QNAME/QTYPE are "-" when unparsed; mode=normal when
 * the mode does not apply to the query (--only); WHAT is "RCODE flags=... qd=
 * an= ns= ar= len=" for a DNS reply (plus notes such as "id+1", "from port N",
 * "announced 65535 then close", "after MS ms"), or "nothing (dropped)",
 * "nothing (ignored: ...)", "garbage len=N", "closed without answer".
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

enum { T_A = 1, T_NS = 2, T_CNAME = 5, T_PTR = 12, T_MX = 15, T_TXT = 16,
       T_AAAA = 28, T_OPT = 41, T_TLSA = 52, T_IXFR = 251, T_AXFR = 252,
       T_ANY = 255 };
enum { R_NOERROR = 0, R_FORMERR = 1, R_SERVFAIL = 2, R_NXDOMAIN = 3,
       R_NOTIMP = 4, R_REFUSED = 5, R_BADVERS = 16 };

#define MAXMSG 65535
#define OUR_UDP 1232
#define DICT_MAX 256
#define MAX_CONNS 64
#define MAX_PENDING 512
#define MAX_ZONE 20000
#define MAX_ANS 4096
#define SYNTH_MAX 1200
#define MAX_RDATA 8192
#define TCP_IDLE_MS 30000
#define OVERSIZE 4000
#define MAX_CNAME_FOLLOW 16

enum mode { M_NORMAL, M_SERVFAIL, M_REFUSED, M_NXDOMAIN, M_DROP, M_TRUNCATE,
            M_TCP_BROKEN, M_PTR_LOOP, M_FWD_PTR, M_WRONG_ID, M_WRONG_Q,
            M_OTHER_PORT, M_OVERSIZED, M_CNAME_LOOP, M_CNAME_CHAIN, M_SLOW,
            M_GARBAGE };

/* argument kinds: 0 none, 1 optional, 2 required */
static const struct {
    const char *name;
    enum mode mode;
    int arg;
    long def, min, max;
} MODES[] = {
    { "normal", M_NORMAL, 0, 0, 0, 0 },
    { "servfail", M_SERVFAIL, 0, 0, 0, 0 },
    { "refused", M_REFUSED, 0, 0, 0, 0 },
    { "nxdomain", M_NXDOMAIN, 0, 0, 0, 0 },
    { "drop", M_DROP, 0, 0, 0, 0 },
    { "truncate", M_TRUNCATE, 0, 0, 0, 0 },
    { "tcp-only-broken", M_TCP_BROKEN, 0, 0, 0, 0 },
    { "pointer-loop", M_PTR_LOOP, 1, 1, 1, 2 },
    { "forward-pointer", M_FWD_PTR, 0, 0, 0, 0 },
    { "wrong-id", M_WRONG_ID, 0, 0, 0, 0 },
    { "wrong-question", M_WRONG_Q, 0, 0, 0, 0 },
    { "other-port", M_OTHER_PORT, 0, 0, 0, 0 },
    { "oversized", M_OVERSIZED, 0, 0, 0, 0 },
    { "cname-loop", M_CNAME_LOOP, 0, 0, 0, 0 },
    { "cname-chain", M_CNAME_CHAIN, 1, 8, 1, 1000 },
    { "slow", M_SLOW, 2, 0, 0, 600000 },
    { "garbage", M_GARBAGE, 0, 0, 0, 0 },
};

struct rr {
    uint8_t owner[256];     /* wire format */
    uint16_t type;
    uint32_t ttl;
    uint16_t pref;          /* MX */
    uint8_t target[256];    /* MX, CNAME, NS, PTR */
    uint16_t rdlen;         /* other types */
    uint8_t rd[16];         /* rdata up to 16 bytes ... */
    uint8_t *big;           /* ... or on the heap */
};

struct query {
    uint16_t id;
    uint8_t opcode, rd, cd, adq;
    int have_q;
    uint8_t qname[256];
    char qtext[1300];
    uint16_t qtype, qclass;
    int edns, do_bit;
    uint16_t udp_size;
    uint8_t edns_ver;
};

struct msg {
    uint8_t b[MAXMSG];
    size_t len;
    int overflow;
    unsigned qd, an, ns, ar;
    size_t ndict;
    struct { uint16_t off; uint8_t name[256]; } dict[DICT_MAX];
};

enum { A_NONE, A_SEND, A_CLOSE };

struct reply {
    int action;
    int other_port;     /* UDP: send from the second socket */
    int close_after;    /* TCP: close once written */
    long announce;      /* TCP: announced length, -1 = the real one */
    long delay_ms;
};

struct peer {
    int tcp;
    int ci;             /* TCP: connection slot and generation */
    unsigned gen;
    struct sockaddr_storage sa;
    socklen_t salen;
};

struct conn {
    int fd;
    unsigned gen;
    struct sockaddr_storage sa;
    socklen_t salen;
    size_t rlen;
    uint8_t *wbuf;
    size_t wlen, woff, wcap;
    int no_more_input, close_after_write;
    long long last_ms;
};

struct pending {
    int used;
    long long due;
    struct peer pe;
    struct reply r;
    uint8_t *data;
    size_t len;
};

static struct rr *g_zone;
static size_t g_nzone, g_capzone;
static struct rr g_synth[SYNTH_MAX];
static size_t g_nsynth;
static enum mode g_mode = M_NORMAL;
static long g_mode_arg;
static const char *g_mode_name = "normal";
static uint8_t g_only[256];
static int g_have_only;
static int g_ad;
static uint32_t g_ttl = 300;
static FILE *g_log;
static uint64_t g_rng = 0x9e3779b97f4a7c15ULL;
static long long g_t0;
static volatile sig_atomic_t g_stop;
static int g_udp = -1, g_udp2 = -1, g_tcp = -1;
static uint16_t g_udp2_port;
static struct msg g_m;
static struct conn g_conns[MAX_CONNS];
static uint8_t g_rbuf[MAX_CONNS][2 + MAXMSG];
static unsigned g_gen;
static struct pending g_pend[MAX_PENDING];
static const char *g_pidfile;

/* now_ms - monotonic clock in milliseconds */
static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* rng_next - xorshift64* pseudo-random numbers (the garbage mode's bytes) */
static uint64_t rng_next(void)
{
    g_rng ^= g_rng >> 12;
    g_rng ^= g_rng << 25;
    g_rng ^= g_rng >> 27;
    return g_rng * 0x2545f4914f6cdd1dULL;
}

/* lc - ASCII lower case of one byte (names compare case-insensitively) */
static uint8_t lc(uint8_t c)
{
    return (c >= 'A' && c <= 'Z') ? (uint8_t)(c + 32) : c;
}

/* wire_len - length of a well-formed uncompressed wire name, root byte included */
static size_t wire_len(const uint8_t *w)
{
    size_t p = 0;
    while (w[p] && p < 255)
        p += (size_t)w[p] + 1;
    return p + 1;
}

/* name_eq - case-insensitive equality of two uncompressed wire names */
static int name_eq(const uint8_t *a, const uint8_t *b)
{
    size_t p = 0;
    for (;;) {
        if (a[p] != b[p])
            return 0;
        if (a[p] == 0)
            return 1;
        size_t l = a[p];
        for (size_t i = 1; i <= l; i++)
            if (lc(a[p + i]) != lc(b[p + i]))
                return 0;
        p += l + 1;
        if (p >= 255)
            return 0;
    }
}

/* name_from_text - "a.b.c", "a.b.c." or "." to lower-case wire format; wire length or -1 */
static int name_from_text(const char *s, uint8_t *out)
{
    size_t n = 0;
    if (*s == 0 || strcmp(s, ".") == 0) {
        out[0] = 0;
        return 1;
    }
    while (*s) {
        const char *dot = strchr(s, '.');
        size_t l = dot ? (size_t)(dot - s) : strlen(s);
        if (l == 0 || l > 63 || n + 1 + l + 1 > 255)
            return -1;
        out[n++] = (uint8_t)l;
        for (size_t i = 0; i < l; i++)
            out[n++] = lc((uint8_t)s[i]);
        s += l;
        if (*s == '.')
            s++;
    }
    out[n++] = 0;
    return (int)n;
}

/* name_prepend - out = label "." base (wire); 0, or -1 when too long */
static int name_prepend(const char *label, const uint8_t *base, uint8_t *out)
{
    size_t l = strlen(label), bl = wire_len(base);
    if (l == 0 || l > 63 || 1 + l + bl > 255)
        return -1;
    out[0] = (uint8_t)l;
    memcpy(out + 1, label, l);
    memcpy(out + 1 + l, base, bl);
    return 0;
}

/* name_to_text - wire name to presentation text with \DDD escapes, trailing dot */
static void name_to_text(const uint8_t *w, char *out, size_t outsz)
{
    size_t o = 0, p = 0;
    if (outsz < 2)
        return;
    if (w[0] == 0) {
        strcpy(out, ".");
        return;
    }
    while (w[p] && p < 255) {
        size_t l = w[p++];
        for (size_t i = 0; i < l && p < 255; i++, p++) {
            uint8_t c = w[p];
            if (o + 6 >= outsz)
                goto done;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '*')
                out[o++] = (char)c;
            else
                o += (size_t)snprintf(out + o, outsz - o, "\\%03u", c);
        }
        if (o + 2 >= outsz)
            goto done;
        out[o++] = '.';
    }
done:
    out[o] = 0;
}

static const struct { const char *name; uint16_t num; } TYPES[] = {
    { "A", 1 }, { "NS", 2 }, { "CNAME", 5 }, { "SOA", 6 }, { "PTR", 12 },
    { "MX", 15 }, { "TXT", 16 }, { "AAAA", 28 }, { "SRV", 33 },
    { "OPT", 41 }, { "DS", 43 }, { "RRSIG", 46 }, { "DNSKEY", 48 },
    { "TLSA", 52 }, { "IXFR", 251 }, { "AXFR", 252 }, { "ANY", 255 },
    { "CAA", 257 },
};

/* type_name - mnemonic of a type number ("TYPEnnn" when unknown) */
static const char *type_name(uint16_t t, char *buf, size_t sz)
{
    for (size_t i = 0; i < sizeof TYPES / sizeof TYPES[0]; i++)
        if (TYPES[i].num == t)
            return TYPES[i].name;
    snprintf(buf, sz, "TYPE%u", t);
    return buf;
}

/* type_from_text - zone type mnemonic (case-insensitive) to number, 0 if unknown */
static uint16_t type_from_text(const char *s)
{
    for (size_t i = 0; i < sizeof TYPES / sizeof TYPES[0]; i++)
        if (strcasecmp(TYPES[i].name, s) == 0)
            return TYPES[i].num;
    return 0;
}

/* rcode_name - mnemonic of an (extended) rcode */
static const char *rcode_name(int rc, char *buf, size_t sz)
{
    static const char *const n[] = { "NOERROR", "FORMERR", "SERVFAIL",
                                     "NXDOMAIN", "NOTIMP", "REFUSED" };
    if (rc >= 0 && rc < 6)
        return n[rc];
    if (rc == R_BADVERS)
        return "BADVERS";
    snprintf(buf, sz, "RCODE%d", rc);
    return buf;
}

/* is_number - non-empty string of decimal digits */
static int is_number(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return 0;
    return 1;
}

/* parse_ulong - decimal string within [min, max] into *v; 0 or -1 */
static int parse_ulong(const char *s, unsigned long min, unsigned long max,
                       unsigned long *v)
{
    if (!is_number(s) || strlen(s) > 10)
        return -1;
    unsigned long x = strtoul(s, NULL, 10);
    if (x < min || x > max)
        return -1;
    *v = x;
    return 0;
}

/* rr_data - the rdata bytes of a non-name record */
static const uint8_t *rr_data(const struct rr *r)
{
    return r->big ? r->big : r->rd;
}

/* next_token - split the next blank-separated word off *s (NULL at the end) */
static char *next_token(char **s)
{
    char *p = *s, *start;
    while (*p == ' ' || *p == '\t')
        p++;
    if (!*p) {
        *s = p;
        return NULL;
    }
    start = p;
    while (*p && *p != ' ' && *p != '\t')
        p++;
    if (*p)
        *p++ = 0;
    *s = p;
    return start;
}

/* parse_txt - TXT data: "quoted" "strings" or bare text as one string; 0 or -1 */
static int parse_txt(const char *s, uint8_t *out, size_t cap, size_t *outlen)
{
    size_t o = 0;
    if (*s != '"') {
        size_t n = strlen(s);
        if (n == 0)
            out[o++] = 0;
        for (size_t i = 0; i < n; i += 255) {
            size_t k = n - i > 255 ? 255 : n - i;
            if (o + 1 + k > cap)
                return -1;
            out[o++] = (uint8_t)k;
            memcpy(out + o, s + i, k);
            o += k;
        }
        *outlen = o;
        return 0;
    }
    while (*s) {
        while (*s == ' ' || *s == '\t')
            s++;
        if (!*s)
            break;
        if (*s != '"' || o >= cap)
            return -1;
        s++;
        size_t lenpos = o++, k = 0;
        while (*s && *s != '"') {
            unsigned c = (unsigned char)*s++;
            if (c == '\\') {
                if (s[0] >= '0' && s[0] <= '9' && s[1] >= '0' && s[1] <= '9' &&
                    s[2] >= '0' && s[2] <= '9') {
                    c = (unsigned)(s[0] - '0') * 100 + (unsigned)(s[1] - '0') * 10 +
                        (unsigned)(s[2] - '0');
                    if (c > 255)
                        return -1;
                    s += 3;
                } else if (*s) {
                    c = (unsigned char)*s++;
                } else {
                    return -1;
                }
            }
            if (k == 255 || o >= cap)
                return -1;
            out[o++] = (uint8_t)c;
            k++;
        }
        if (*s != '"')
            return -1;
        s++;
        out[lenpos] = (uint8_t)k;
    }
    if (o == 0)
        return -1;
    *outlen = o;
    return 0;
}

/* hexval - value of one hex digit, -1 if none */
static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* zone_add - parse one record line "NAME [TTL] TYPE DATA" into the zone; 0 or -1 (reported) */
static int zone_add(const char *line, const char *where)
{
    char buf[8192];
    uint8_t rdata[MAX_RDATA];
    size_t rdlen = 0, len = strlen(line);
    struct rr r;
    char *s = buf, *tok, *name, *type;
    unsigned long v;

    if (len >= sizeof buf) {
        fprintf(stderr, "dns-test-server: %s: line too long\n", where);
        return -1;
    }
    memcpy(buf, line, len + 1);
    while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r' ||
                       buf[len - 1] == ' ' || buf[len - 1] == '\t'))
        buf[--len] = 0;
    while (*s == ' ' || *s == '\t')
        s++;
    if (*s == 0 || *s == '#' || *s == ';')
        return 0;

    memset(&r, 0, sizeof r);
    r.ttl = g_ttl;
    name = next_token(&s);
    tok = next_token(&s);
    if (tok && is_number(tok)) {
        if (parse_ulong(tok, 0, 2147483647UL, &v) != 0)
            goto bad;
        r.ttl = (uint32_t)v;
        tok = next_token(&s);
    }
    type = tok;
    if (!name || !type || name_from_text(name, r.owner) < 0)
        goto bad;
    r.type = type_from_text(type);
    while (*s == ' ' || *s == '\t')
        s++;

    switch (r.type) {
    case T_A:
    case T_AAAA:
        tok = next_token(&s);
        if (!tok || next_token(&s))
            goto bad;
        if (inet_pton(r.type == T_A ? AF_INET : AF_INET6, tok, rdata) != 1)
            goto bad;
        rdlen = r.type == T_A ? 4 : 16;
        break;
    case T_MX:
        tok = next_token(&s);
        if (!tok || parse_ulong(tok, 0, 65535, &v) != 0)
            goto bad;
        r.pref = (uint16_t)v;
        /* fall through */
    case T_CNAME:
    case T_NS:
    case T_PTR:
        tok = next_token(&s);
        if (!tok || next_token(&s) || name_from_text(tok, r.target) < 0)
            goto bad;
        break;
    case T_TXT:
        if (parse_txt(s, rdata, sizeof rdata, &rdlen) != 0)
            goto bad;
        break;
    case T_TLSA:
        for (int i = 0; i < 3; i++) {
            tok = next_token(&s);
            if (!tok || parse_ulong(tok, 0, 255, &v) != 0)
                goto bad;
            rdata[rdlen++] = (uint8_t)v;
        }
        while ((tok = next_token(&s)) != NULL) {
            size_t tl = strlen(tok);
            if (tl % 2 || rdlen + tl / 2 > sizeof rdata)
                goto bad;
            for (size_t i = 0; i < tl; i += 2) {
                int hi = hexval(tok[i]), lo = hexval(tok[i + 1]);
                if (hi < 0 || lo < 0)
                    goto bad;
                rdata[rdlen++] = (uint8_t)(hi * 16 + lo);
            }
        }
        if (rdlen == 3)
            goto bad;
        break;
    default:
        fprintf(stderr, "dns-test-server: %s: unsupported type \"%s\" "
                "(A AAAA MX CNAME NS PTR TXT TLSA)\n", where, type);
        return -1;
    }

    if (r.type != T_MX && r.type != T_CNAME && r.type != T_NS && r.type != T_PTR) {
        r.rdlen = (uint16_t)rdlen;
        if (rdlen <= sizeof r.rd) {
            memcpy(r.rd, rdata, rdlen);
        } else {
            r.big = malloc(rdlen);
            if (!r.big) {
                fprintf(stderr, "dns-test-server: out of memory\n");
                return -1;
            }
            memcpy(r.big, rdata, rdlen);
        }
    }
    if (g_nzone == g_capzone) {
        size_t nc = g_capzone ? g_capzone * 2 : 64;
        struct rr *nz;
        if (nc > MAX_ZONE || !(nz = realloc(g_zone, nc * sizeof *nz))) {
            fprintf(stderr, "dns-test-server: %s: too many records\n", where);
            free(r.big);
            return -1;
        }
        g_zone = nz;
        g_capzone = nc;
    }
    g_zone[g_nzone++] = r;
    return 0;
bad:
    fprintf(stderr, "dns-test-server: %s: bad record: %s\n", where, line);
    return -1;
}

/* zone_load - read every record line of a zone file; 0 or -1 */
static int zone_load(const char *path)
{
    char line[8192], where[512];
    unsigned lineno = 0;
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "dns-test-server: %s: %s\n", path, strerror(errno));
        return -1;
    }
    while (fgets(line, sizeof line, f)) {
        lineno++;
        snprintf(where, sizeof where, "%s:%u", path, lineno);
        if (!strchr(line, '\n') && !feof(f)) {
            fprintf(stderr, "dns-test-server: %s: line too long\n", where);
            fclose(f);
            return -1;
        }
        if (zone_add(line, where) != 0) {
            fclose(f);
            return -1;
        }
    }
    fclose(f);
    return 0;
}

/* resolve - resolver-style lookup of (qname, qtype) with in-zone CNAME chasing; returns the rcode */
static int resolve(const uint8_t *qname, uint16_t qtype, const struct rr **ans,
                   size_t *nans)
{
    const uint8_t *cur = qname;
    *nans = 0;
    for (int depth = 0; depth <= MAX_CNAME_FOLLOW; depth++) {
        int exists = 0, found = 0;
        const struct rr *cname = NULL;
        for (size_t i = 0; i < g_nzone; i++) {
            const struct rr *z = &g_zone[i];
            if (!name_eq(z->owner, cur))
                continue;
            exists = 1;
            if (z->type == qtype || qtype == T_ANY) {
                if (*nans < MAX_ANS)
                    ans[(*nans)++] = z;
                found = 1;
            } else if (z->type == T_CNAME && !cname) {
                cname = z;
            }
        }
        if (found)
            return R_NOERROR;
        if (!exists)
            return R_NXDOMAIN;
        if (!cname)
            return R_NOERROR;
        for (size_t i = 0; i < *nans; i++)
            if (name_eq(ans[i]->owner, cname->target) || name_eq(qname, cname->target)) {
                *nans = 0;      /* CNAME loop in the zone */
                return R_SERVFAIL;
            }
        if (*nans < MAX_ANS)
            ans[(*nans)++] = cname;
        cur = cname->target;
    }
    *nans = 0;
    return R_SERVFAIL;
}

/* put - append bytes to the message, flagging overflow past 65535 */
static void put(struct msg *m, const void *p, size_t n)
{
    if (m->overflow || n > MAXMSG - m->len) {
        m->overflow = 1;
        return;
    }
    memcpy(m->b + m->len, p, n);
    m->len += n;
}

/* put8 - append one byte */
static void put8(struct msg *m, unsigned v)
{
    uint8_t b = (uint8_t)v;
    put(m, &b, 1);
}

/* put16 - append a 16-bit big-endian value */
static void put16(struct msg *m, unsigned v)
{
    uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };
    put(m, b, 2);
}

/* put32 - append a 32-bit big-endian value */
static void put32(struct msg *m, uint32_t v)
{
    uint8_t b[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8),
                     (uint8_t)v };
    put(m, b, 4);
}

/* patch16 - overwrite a 16-bit value already in the message */
static void patch16(struct msg *m, size_t at, unsigned v)
{
    if (at + 2 <= m->len) {
        m->b[at] = (uint8_t)(v >> 8);
        m->b[at + 1] = (uint8_t)v;
    }
}

/* put_name - append a name, compressed against earlier names when compress is set */
static void put_name(struct msg *m, const uint8_t *name, int compress)
{
    size_t p = 0, hit = 0;
    int found = 0;
    for (p = 0; name[p] && p < 255; p += (size_t)name[p] + 1) {
        if (!compress)
            continue;
        for (size_t i = 0; i < m->ndict; i++)
            if (name_eq(m->dict[i].name, name + p)) {
                found = 1;
                hit = m->dict[i].off;
                break;
            }
        if (found)
            break;
    }
    for (size_t s = 0; s < p; s += (size_t)name[s] + 1) {
        if (!m->overflow && m->len < 0x4000 && m->ndict < DICT_MAX) {
            m->dict[m->ndict].off = (uint16_t)m->len;
            memcpy(m->dict[m->ndict].name, name + s, wire_len(name + s));
            m->ndict++;
        }
        put(m, name + s, (size_t)name[s] + 1);
    }
    if (found)
        put16(m, 0xC000u | (unsigned)hit);
    else
        put8(m, 0);
}

/* put_rr_body - append type, class, TTL and rdata of a record (after its owner) */
static void put_rr_body(struct msg *m, const struct rr *r)
{
    size_t lenpos, start;
    put16(m, r->type);
    put16(m, 1);
    put32(m, r->ttl);
    lenpos = m->len;
    put16(m, 0);
    start = m->len;
    switch (r->type) {
    case T_MX:
        put16(m, r->pref);
        put_name(m, r->target, 1);
        break;
    case T_CNAME:
    case T_NS:
    case T_PTR:
        put_name(m, r->target, 1);
        break;
    default:
        put(m, rr_data(r), r->rdlen);
    }
    if (!m->overflow)
        patch16(m, lenpos, (unsigned)(m->len - start));
    m->an++;
}

/* put_rr - append one answer record with the given owner (compressed) */
static void put_rr(struct msg *m, const struct rr *r, const uint8_t *owner)
{
    put_name(m, owner, 1);
    put_rr_body(m, r);
}

/* msg_begin - reset the builder and write a response header for q */
static void msg_begin(struct msg *m, const struct query *q, int rcode, int tc, int aa)
{
    int ad = g_ad && (rcode == R_NOERROR || rcode == R_NXDOMAIN) && (q->do_bit || q->adq);
    m->len = 0;
    m->overflow = 0;
    m->ndict = 0;
    m->qd = m->an = m->ns = m->ar = 0;
    put16(m, q->id);
    put8(m, 0x80u | (unsigned)(q->opcode << 3) | (aa ? 0x04u : 0) | (tc ? 0x02u : 0) |
            (q->rd ? 0x01u : 0));
    put8(m, 0x80u | (ad ? 0x20u : 0) | (q->cd ? 0x10u : 0) | ((unsigned)rcode & 0x0Fu));
    for (int i = 0; i < 4; i++)
        put16(m, 0);
}

/* msg_finish - patch the section counts into the header */
static void msg_finish(struct msg *m)
{
    patch16(m, 4, m->qd);
    patch16(m, 6, m->an);
    patch16(m, 8, m->ns);
    patch16(m, 10, m->ar);
}

/* put_question - append the question with the given name (the query's type and class) */
static void put_question(struct msg *m, const struct query *q, const uint8_t *qname)
{
    put_name(m, qname, 1);
    put16(m, q->qtype);
    put16(m, q->qclass);
    m->qd = 1;
}

/* put_opt - append our OPT RR: payload 1232, DO copied, extended rcode bits */
static void put_opt(struct msg *m, const struct query *q, int rcode)
{
    put8(m, 0);
    put16(m, T_OPT);
    put16(m, OUR_UDP);
    put8(m, (unsigned)rcode >> 4);
    put8(m, 0);
    put16(m, q->do_bit ? 0x8000u : 0);
    put16(m, 0);
    m->ar++;
}

/* build_answer - a full response: question (named qout), answer records, OPT; tc drops the records */
static void build_answer(struct msg *m, const struct query *q, const uint8_t *qout,
                         int rcode, const struct rr *const *ans, size_t nans, int tc)
{
    int renamed = !name_eq(qout, q->qname);
    msg_begin(m, q, rcode, tc, 1);
    put_question(m, q, qout);
    if (!tc)
        for (size_t i = 0; i < nans; i++)
            put_rr(m, ans[i], renamed && name_eq(ans[i]->owner, q->qname) ? qout
                                                                       : ans[i]->owner);
    if (q->edns)
        put_opt(m, q, rcode);
    msg_finish(m);
}

/* build_header_only - a response of just a header (FORMERR, NOTIMP for junk) */
static void build_header_only(struct msg *m, const struct query *q, int rcode)
{
    msg_begin(m, q, rcode, 0, 0);
    msg_finish(m);
}

/* udp_limit - largest UDP answer the client accepts (EDNS size within 512..1232, else 512) */
static size_t udp_limit(const struct query *q)
{
    if (!q->edns || q->udp_size < 512)
        return 512;
    return q->udp_size > OUR_UDP ? OUR_UDP : q->udp_size;
}

/* build_sized - build_answer, then TC=1 without records if too big for UDP, SERVFAIL if too big at all */
static void build_sized(struct msg *m, const struct query *q, int tcp, const uint8_t *qout,
                        int rcode, const struct rr *const *ans, size_t nans,
                        char *note, size_t notesz)
{
    build_answer(m, q, qout, rcode, ans, nans, 0);
    if (m->overflow) {
        build_answer(m, q, qout, R_SERVFAIL, NULL, 0, 0);
        snprintf(note, notesz, " (answer over 65535 bytes)");
    } else if (!tcp && m->len > udp_limit(q)) {
        size_t full = m->len;
        build_answer(m, q, qout, rcode, ans, nans, 1);
        snprintf(note, notesz, " (truncated: %zu > %zu bytes)", full, udp_limit(q));
    }
}

/* answer_normal - the resolver behaviour for a parsed query */
static void answer_normal(struct msg *m, const struct query *q, int tcp, char *note,
                          size_t notesz)
{
    static const struct rr *ans[MAX_ANS];
    size_t nans = 0;
    int rcode;
    if (q->edns && q->edns_ver > 0) {
        build_answer(m, q, q->qname, R_BADVERS, NULL, 0, 0);
        return;
    }
    if (q->qclass != 1 && q->qclass != 255) {
        build_answer(m, q, q->qname, R_REFUSED, NULL, 0, 0);
        return;
    }
    if (q->qtype == T_AXFR || q->qtype == T_IXFR || q->qtype == T_OPT) {
        build_answer(m, q, q->qname, R_NOTIMP, NULL, 0, 0);
        return;
    }
    rcode = resolve(q->qname, q->qtype, ans, &nans);
    build_sized(m, q, tcp, q->qname, rcode, ans, nans, note, notesz);
}

/* synth_new - a fresh synthesized record (owner, type, default TTL), NULL when the pool is full */
static struct rr *synth_new(const uint8_t *owner, uint16_t type)
{
    struct rr *r;
    if (g_nsynth >= SYNTH_MAX)
        return NULL;
    r = &g_synth[g_nsynth++];
    memset(r, 0, sizeof *r);
    memcpy(r->owner, owner, wire_len(owner));
    r->type = type;
    r->ttl = g_ttl;
    return r;
}

/* synth_addr - a synthesized A (127.0.0.n) or AAAA (::1, then
 * ::ffff:127.0.0.n) record: loopback only, so a client that connects to
 * what it was told never sends traffic off this machine */
static struct rr *synth_addr(const uint8_t *owner, uint16_t type, unsigned n)
{
    struct rr *r = synth_new(owner, type);
    if (!r)
        return NULL;
    if (type == T_AAAA) {
        memset(r->rd, 0, 16);
        if (n <= 1) {
            r->rd[15] = 1;
        } else {
            r->rd[10] = 0xff;
            r->rd[11] = 0xff;
            r->rd[12] = 127;
            r->rd[14] = (uint8_t)(n >> 8);
            r->rd[15] = (uint8_t)n;
        }
        r->rdlen = 16;
    } else {
        r->rd[0] = 127;
        r->rd[1] = 0;
        r->rd[2] = (uint8_t)(n >> 8);
        r->rd[3] = (uint8_t)n;
        r->rdlen = 4;
    }
    return r;
}

/* zone_exact - the zone's records of exactly (name, type), no CNAME chasing */
static size_t zone_exact(const uint8_t *name, uint16_t type, const struct rr **out, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < g_nzone && n < max; i++)
        if (g_zone[i].type == type && name_eq(g_zone[i].owner, name))
            out[n++] = &g_zone[i];
    return n;
}

/* build_pointer_loop - one answer RR whose owner is a self-pointer (variant 1) or in a 2-pointer cycle */
static void build_pointer_loop(struct msg *m, const struct query *q, int variant)
{
    uint16_t type = (q->qtype == T_AAAA || q->qtype == T_MX) ? q->qtype : T_A;
    size_t x, y;
    msg_begin(m, q, R_NOERROR, 0, 1);
    put_question(m, q, q->qname);
    x = m->len;                                   /* owner */
    y = x + 2 + 10 + (type == T_MX ? 2 : 0);      /* rdata / exchange */
    put16(m, 0xC000u | (unsigned)(variant == 2 ? y : x));
    put16(m, type);
    put16(m, 1);
    put32(m, g_ttl);
    if (type == T_MX) {
        put16(m, 4);
        put16(m, 10);
        put16(m, 0xC000u | (unsigned)(variant == 2 ? x : y));
    } else {
        uint8_t rd[16] = { 0 };
        size_t n = type == T_A ? 4 : 16;
        if (variant == 2) {
            rd[0] = (uint8_t)(0xC0 | (x >> 8));
            rd[1] = (uint8_t)x;
        } else if (type == T_A) {
            rd[0] = 192, rd[1] = 0, rd[2] = 2;
        } else {
            rd[0] = 0x20, rd[1] = 0x01, rd[2] = 0x0d, rd[3] = 0xb8;
        }
        rd[n - 1] = 1;
        put16(m, (unsigned)n);
        put(m, rd, n);
    }
    m->an = 1;
    if (q->edns)
        put_opt(m, q, R_NOERROR);
    msg_finish(m);
}

/* build_forward_pointer - first answer owner points forward to the second's uncompressed owner */
static void build_forward_pointer(struct msg *m, const struct query *q)
{
    const struct rr *list[64];
    size_t n = zone_exact(q->qname, q->qtype, list, 64), ptrpos, fwd;
    g_nsynth = 0;
    if (n == 0) {
        if (q->qtype == T_MX) {
            for (unsigned i = 0; i < 2; i++) {
                struct rr *r = synth_new(q->qname, T_MX);
                r->pref = (uint16_t)(10 + 10 * i);
                memcpy(r->target, q->qname, wire_len(q->qname));
                list[n++] = r;
            }
        } else {
            uint16_t t = q->qtype == T_AAAA ? T_AAAA : T_A;
            list[n++] = synth_addr(q->qname, t, 1);
            list[n++] = synth_addr(q->qname, t, 2);
        }
    } else if (n == 1) {
        list[n++] = list[0];
    }
    msg_begin(m, q, R_NOERROR, 0, 1);
    put_question(m, q, q->qname);
    ptrpos = m->len;
    put16(m, 0);                    /* patched below */
    put_rr_body(m, list[0]);
    fwd = m->len;
    put_name(m, q->qname, 0);
    put_rr_body(m, list[1]);
    for (size_t i = 2; i < n; i++)
        put_rr(m, list[i], q->qname);
    if (q->edns)
        put_opt(m, q, R_NOERROR);
    msg_finish(m);
    if (m->overflow || fwd >= 0x4000) {
        build_answer(m, q, q->qname, R_SERVFAIL, NULL, 0, 0);
        return;
    }
    patch16(m, ptrpos, 0xC000u | (unsigned)fwd);
}

/* build_oversized - about 4000 bytes of address records, no TC */
static void build_oversized(struct msg *m, const struct query *q)
{
    uint16_t type = q->qtype == T_AAAA ? T_AAAA : T_A;
    msg_begin(m, q, R_NOERROR, 0, 1);
    put_question(m, q, q->qname);
    for (unsigned i = 1; m->len < OVERSIZE && !m->overflow; i++) {
        put16(m, 0xC00Cu);
        put16(m, type);
        put16(m, 1);
        put32(m, g_ttl);
        /* loopback addresses only (see synth_addr) */
        if (type == T_A) {
            uint8_t a[4] = { 127, (uint8_t)(i >> 16), (uint8_t)(i >> 8), (uint8_t)i };
            put16(m, 4);
            put(m, a, 4);
        } else {
            uint8_t a[16] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 127 };
            a[14] = (uint8_t)(i >> 8);
            a[15] = (uint8_t)i;
            put16(m, 16);
            put(m, a, 16);
        }
        m->an++;
    }
    if (q->edns)
        put_opt(m, q, R_NOERROR);
    msg_finish(m);
}

/* build_cname_loop - QNAME CNAME loop.QNAME, loop.QNAME CNAME QNAME */
static void build_cname_loop(struct msg *m, const struct query *q, int tcp, char *note,
                             size_t notesz)
{
    static const uint8_t invalid[] = "\7invalid";
    uint8_t b[256];
    const struct rr *ans[2];
    struct rr *r1, *r2;
    if (name_prepend("loop", q->qname, b) != 0)
        name_prepend("loop", invalid, b);
    g_nsynth = 0;
    r1 = synth_new(q->qname, T_CNAME);
    memcpy(r1->target, b, wire_len(b));
    r2 = synth_new(b, T_CNAME);
    memcpy(r2->target, q->qname, wire_len(q->qname));
    ans[0] = r1;
    ans[1] = r2;
    build_sized(m, q, tcp, q->qname, R_NOERROR, ans, 2, note, notesz);
}

/* build_cname_chain - N CNAMEs QNAME -> chain1.QNAME -> ... -> chainN.QNAME, then its data */
static void build_cname_chain(struct msg *m, const struct query *q, int tcp, long n,
                              char *note, size_t notesz)
{
    static const uint8_t invalid[] = "\7invalid";
    static const struct rr *ans[SYNTH_MAX];
    const struct rr *fin[64];
    uint8_t prev[256], next[256];
    size_t na = 0, nf;
    char label[16];
    g_nsynth = 0;
    memcpy(prev, q->qname, wire_len(q->qname));
    for (long k = 1; k <= n; k++) {
        struct rr *r;
        snprintf(label, sizeof label, "chain%ld", k);
        if (name_prepend(label, q->qname, next) != 0)
            name_prepend(label, invalid, next);
        r = synth_new(prev, T_CNAME);
        if (!r)
            break;
        memcpy(r->target, next, wire_len(next));
        ans[na++] = r;
        memcpy(prev, next, sizeof prev);
    }
    nf = zone_exact(q->qname, q->qtype, fin, 64);
    for (size_t i = 0; i < nf; i++) {
        struct rr *r = synth_new(prev, fin[i]->type);
        if (!r)
            break;
        uint8_t owner[256];
        memcpy(owner, r->owner, sizeof owner);
        *r = *fin[i];                 /* rdata stays shared with the zone */
        memcpy(r->owner, owner, sizeof owner);
        ans[na++] = r;
    }
    if (nf == 0 && (q->qtype == T_A || q->qtype == T_AAAA)) {
        struct rr *r = synth_addr(prev, q->qtype, 1);
        if (r)
            ans[na++] = r;
    }
    build_sized(m, q, tcp, q->qname, R_NOERROR, ans, na, note, notesz);
}

/* build_garbage - 12..512 random bytes keeping the query's ID, QR set */
static void build_garbage(struct msg *m, const struct query *q)
{
    size_t n = 12 + (size_t)(rng_next() % 501);
    for (size_t i = 0; i < n; i++)
        m->b[i] = (uint8_t)(rng_next() >> 56);
    m->b[0] = (uint8_t)(q->id >> 8);
    m->b[1] = (uint8_t)q->id;
    m->b[2] |= 0x80;
    m->len = n;
    m->overflow = 0;
}

/* skip_name - step over a possibly compressed name at *off without following pointers; 0 or -1 */
static int skip_name(const uint8_t *b, size_t len, size_t *off)
{
    size_t p = *off;
    for (int guard = 0; guard < 130; guard++) {
        if (p >= len)
            return -1;
        uint8_t l = b[p];
        if ((l & 0xC0) == 0xC0) {
            if (p + 2 > len)
                return -1;
            *off = p + 2;
            return 0;
        }
        if (l & 0xC0)
            return -1;
        if (l == 0) {
            *off = p + 1;
            return 0;
        }
        p += 1 + (size_t)l;
    }
    return -1;
}

/* rd16 - 16-bit big-endian value at p */
static unsigned rd16(const uint8_t *p)
{
    return (unsigned)p[0] << 8 | p[1];
}

/* parse_query - parse a query defensively: -1 = ignore, 0 = fine, else an rcode for a header-only reply */
static int parse_query(const uint8_t *b, size_t len, struct query *q)
{
    size_t p = 12, n = 0;
    unsigned qd, an, ns, ar;
    memset(q, 0, sizeof *q);
    strcpy(q->qtext, "-");
    if (len < 12)
        return -1;
    q->id = (uint16_t)rd16(b);
    if (b[2] & 0x80)
        return -1;
    q->opcode = (b[2] >> 3) & 0x0F;
    q->rd = b[2] & 1;
    q->adq = (b[3] >> 5) & 1;
    q->cd = (b[3] >> 4) & 1;
    qd = rd16(b + 4);
    an = rd16(b + 6);
    ns = rd16(b + 8);
    ar = rd16(b + 10);
    if (q->opcode != 0)
        return R_NOTIMP;
    if (qd != 1)
        return R_FORMERR;
    for (;;) {
        uint8_t l;
        if (p >= len)
            return R_FORMERR;
        l = b[p];
        if (l & 0xC0)
            return R_FORMERR;
        if (l && n + 1 + l + 1 > 255)
            return R_FORMERR;
        if (p + 1 + l > len)
            return R_FORMERR;
        memcpy(q->qname + n, b + p, 1 + (size_t)l);
        n += 1 + (size_t)l;
        p += 1 + (size_t)l;
        if (l == 0)
            break;
    }
    name_to_text(q->qname, q->qtext, sizeof q->qtext);
    if (p + 4 > len)
        return R_FORMERR;
    q->qtype = (uint16_t)rd16(b + p);
    q->qclass = (uint16_t)rd16(b + p + 2);
    p += 4;
    q->have_q = 1;
    for (unsigned i = 0; i < an + ns + ar; i++) {
        size_t start = p;
        unsigned type, rdlen;
        if (skip_name(b, len, &p) != 0 || p + 10 > len)
            return R_FORMERR;
        type = rd16(b + p);
        rdlen = rd16(b + p + 8);
        if (p + 10 + rdlen > len)
            return R_FORMERR;
        if (type == T_OPT) {
            if (i < an + ns || b[start] != 0 || q->edns)
                return R_FORMERR;
            q->edns = 1;
            q->udp_size = (uint16_t)rd16(b + p + 2);
            q->edns_ver = b[p + 5];
            q->do_bit = (b[p + 6] & 0x80) ? 1 : 0;
        }
        p += 10 + rdlen;
    }
    return 0;
}

/* describe - summary of the reply in g_m for the log: rcode, flags, counts, length */
static void describe(const struct msg *m, const struct query *q, char *out, size_t sz)
{
    char rb[16];
    const uint8_t *b = m->b;
    int rcode;
    if (m->len < 12) {
        snprintf(out, sz, "short message len=%zu", m->len);
        return;
    }
    rcode = b[3] & 0x0F;
    if (q->edns && rd16(b + 10) > 0 && m->len >= 23 && b[m->len - 11] == 0 &&
        rd16(b + m->len - 10) == T_OPT)
        rcode |= b[m->len - 6] << 4;
    snprintf(out, sz, "%s flags=qr%s%s%s%s%s%s qd=%u an=%u ns=%u ar=%u len=%zu",
             rcode_name(rcode, rb, sizeof rb), (b[2] & 0x04) ? ",aa" : "",
             (b[2] & 0x02) ? ",tc" : "", (b[2] & 0x01) ? ",rd" : "",
             (b[3] & 0x80) ? ",ra" : "", (b[3] & 0x20) ? ",ad" : "",
             (b[3] & 0x10) ? ",cd" : "", rd16(b + 4), rd16(b + 6), rd16(b + 8),
             rd16(b + 10), m->len);
}

/* peer_text - "ADDR#PORT" of a socket address */
static void peer_text(const struct sockaddr_storage *sa, char *out, size_t sz)
{
    char a[INET6_ADDRSTRLEN] = "?";
    unsigned port = 0;
    if (sa->ss_family == AF_INET) {
        const struct sockaddr_in *s4 = (const struct sockaddr_in *)sa;
        inet_ntop(AF_INET, &s4->sin_addr, a, sizeof a);
        port = ntohs(s4->sin_port);
    } else if (sa->ss_family == AF_INET6) {
        const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;
        inet_ntop(AF_INET6, &s6->sin6_addr, a, sizeof a);
        port = ntohs(s6->sin6_port);
    }
    snprintf(out, sz, "%s#%u", a, port);
}

/* log_line - write one query line to --log, flushed */
static void log_line(const struct peer *pe, const struct query *q, int hostile,
                     const char *what)
{
    char who[80], tb[16], mode[40];
    if (!g_log)
        return;
    peer_text(&pe->sa, who, sizeof who);
    if (!hostile)
        snprintf(mode, sizeof mode, "normal");
    else if (MODES[g_mode].arg)
        snprintf(mode, sizeof mode, "%s=%ld", g_mode_name, g_mode_arg);
    else
        snprintf(mode, sizeof mode, "%s", g_mode_name);
    long long t = now_ms() - g_t0;
    if (q->have_q) {
        char es[16] = "no";
        if (q->edns && q->edns_ver)
            snprintf(es, sizeof es, "%u/v%u", q->udp_size, q->edns_ver);
        else if (q->edns)
            snprintf(es, sizeof es, "%u", q->udp_size);
        fprintf(g_log, "%lld.%03lld %s %s id=%u %s %s edns=%s do=%d mode=%s -> %s\n",
                t / 1000, t % 1000, pe->tcp ? "tcp" : "udp", who, q->id, q->qtext,
                type_name(q->qtype, tb, sizeof tb), es, q->do_bit, mode, what);
    } else {
        fprintf(g_log, "%lld.%03lld %s %s id=%u - - edns=no do=0 mode=%s -> %s\n",
                t / 1000, t % 1000, pe->tcp ? "tcp" : "udp", who, q->id, mode, what);
    }
    fflush(g_log);
}

static void dispatch(const struct peer *pe, const struct reply *r, const uint8_t *data,
                     size_t len);

/* handle_query - decide the reply to one received message, log it and send it */
static void handle_query(const struct peer *pe, const uint8_t *buf, size_t len)
{
    static struct query q;
    struct reply r = { A_SEND, 0, 0, -1, 0 };
    struct msg *m = &g_m;
    char note[160] = "", what[400];
    int prc = parse_query(buf, len, &q), hostile = 0;

    if (prc < 0) {
        r.action = A_NONE;
        snprintf(what, sizeof what, "nothing (ignored: %zu bytes, %s)", len,
                 len < 12 ? "too short" : "not a query");
        log_line(pe, &q, 0, what);
        return;
    }
    if (prc > 0) {
        build_header_only(m, &q, prc);
    } else {
        hostile = g_mode != M_NORMAL && (!g_have_only || name_eq(g_only, q.qname));
        g_nsynth = 0;
        switch (hostile ? g_mode : M_NORMAL) {
        case M_NORMAL:
            answer_normal(m, &q, pe->tcp, note, sizeof note);
            break;
        case M_SERVFAIL:
            build_answer(m, &q, q.qname, R_SERVFAIL, NULL, 0, 0);
            break;
        case M_REFUSED:
            build_answer(m, &q, q.qname, R_REFUSED, NULL, 0, 0);
            break;
        case M_NXDOMAIN:
            build_answer(m, &q, q.qname, R_NXDOMAIN, NULL, 0, 0);
            break;
        case M_DROP:
            r.action = A_NONE;
            break;
        case M_TRUNCATE:
        case M_TCP_BROKEN:
            if (!pe->tcp)
                build_answer(m, &q, q.qname, R_NOERROR, NULL, 0, 1);
            else if (g_mode == M_TRUNCATE)
                answer_normal(m, &q, 1, note, sizeof note);
            else
                r.action = A_CLOSE;
            break;
        case M_PTR_LOOP:
            build_pointer_loop(m, &q, (int)g_mode_arg);
            snprintf(note, sizeof note, " (owner name in a %s)",
                     g_mode_arg == 2 ? "2-pointer cycle" : "self-pointer");
            break;
        case M_FWD_PTR:
            build_forward_pointer(m, &q);
            snprintf(note, sizeof note, " (first owner is a forward pointer)");
            break;
        case M_WRONG_ID:
            answer_normal(m, &q, pe->tcp, note, sizeof note);
            patch16(m, 0, (uint16_t)(q.id + 1));
            snprintf(note + strlen(note), sizeof note - strlen(note), " id+1=%u",
                     (unsigned)(uint16_t)(q.id + 1));
            break;
        case M_WRONG_Q: {
            static const struct rr *ans[MAX_ANS];
            static const uint8_t invalid[] = "\7invalid";
            uint8_t alt[256];
            size_t nans;
            int rc = resolve(q.qname, q.qtype, ans, &nans);
            if (name_prepend("wrong", q.qname, alt) != 0)
                name_prepend("wrong", invalid, alt);
            build_sized(m, &q, pe->tcp, alt, rc, ans, nans, note, sizeof note);
            char at[1300];
            name_to_text(alt, at, sizeof at);
            snprintf(note + strlen(note), sizeof note - strlen(note), " question=%.100s", at);
            break;
        }
        case M_OTHER_PORT:
            answer_normal(m, &q, pe->tcp, note, sizeof note);
            if (!pe->tcp) {
                r.other_port = 1;
                snprintf(note + strlen(note), sizeof note - strlen(note), " from port %u",
                         g_udp2_port);
            }
            break;
        case M_OVERSIZED:
            build_oversized(m, &q);
            if (pe->tcp) {
                r.announce = 65535;
                r.close_after = 1;
                snprintf(note, sizeof note, " announced 65535 then close");
            }
            break;
        case M_CNAME_LOOP:
            build_cname_loop(m, &q, pe->tcp, note, sizeof note);
            break;
        case M_CNAME_CHAIN:
            build_cname_chain(m, &q, pe->tcp, g_mode_arg, note, sizeof note);
            break;
        case M_SLOW:
            answer_normal(m, &q, pe->tcp, note, sizeof note);
            r.delay_ms = g_mode_arg;
            snprintf(note + strlen(note), sizeof note - strlen(note), " after %ld ms",
                     g_mode_arg);
            break;
        case M_GARBAGE:
            build_garbage(m, &q);
            break;
        }
    }

    if (r.action == A_NONE)
        snprintf(what, sizeof what, "nothing (dropped)");
    else if (r.action == A_CLOSE)
        snprintf(what, sizeof what, "closed without answer");
    else if (hostile && g_mode == M_GARBAGE)
        snprintf(what, sizeof what, "garbage len=%zu", m->len);
    else {
        char d[200];
        describe(m, &q, d, sizeof d);
        snprintf(what, sizeof what, "%s%s", d, note);
    }
    log_line(pe, &q, hostile, what);
    dispatch(pe, &r, m->b, m->len);
}

/* conn_close - close a TCP connection slot */
static void conn_close(int i)
{
    struct conn *c = &g_conns[i];
    if (c->fd >= 0)
        close(c->fd);
    free(c->wbuf);
    memset(c, 0, sizeof *c);
    c->fd = -1;
}

/* conn_flush - write what is queued on a TCP connection; closes it when done if asked */
static void conn_flush(int i)
{
    struct conn *c = &g_conns[i];
    while (c->woff < c->wlen) {
        ssize_t n = send(c->fd, c->wbuf + c->woff, c->wlen - c->woff, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
                return;
            conn_close(i);
            return;
        }
        c->woff += (size_t)n;
        c->last_ms = now_ms();
    }
    c->woff = c->wlen = 0;
    if (c->close_after_write)
        conn_close(i);
}

/* conn_queue - append bytes to a TCP connection's output; 0 or -1 */
static int conn_queue(struct conn *c, const uint8_t *p, size_t n)
{
    if (c->wlen + n > c->wcap) {
        size_t nc = c->wcap ? c->wcap : 4096;
        uint8_t *nb;
        while (nc < c->wlen + n)
            nc *= 2;
        if (nc > (size_t)16 << 20 || !(nb = realloc(c->wbuf, nc)))
            return -1;
        c->wbuf = nb;
        c->wcap = nc;
    }
    memcpy(c->wbuf + c->wlen, p, n);
    c->wlen += n;
    return 0;
}

/* deliver - send a reply now: UDP datagram, or TCP length prefix and message */
static void deliver(const struct peer *pe, const struct reply *r, const uint8_t *data,
                    size_t len)
{
    if (pe->tcp) {
        struct conn *c = &g_conns[pe->ci];
        uint8_t pfx[2];
        size_t ann;
        if (c->fd < 0 || c->gen != pe->gen)
            return;     /* the client went away meanwhile */
        if (r->action == A_CLOSE) {
            conn_close(pe->ci);
            return;
        }
        ann = r->announce >= 0 ? (size_t)r->announce : len;
        pfx[0] = (uint8_t)(ann >> 8);
        pfx[1] = (uint8_t)ann;
        if (conn_queue(c, pfx, 2) != 0 || conn_queue(c, data, len) != 0) {
            conn_close(pe->ci);
            return;
        }
        if (r->close_after) {
            c->close_after_write = 1;
            c->no_more_input = 1;
        }
        conn_flush(pe->ci);
    } else if (r->action == A_SEND) {
        int fd = (r->other_port && g_udp2 >= 0) ? g_udp2 : g_udp;
        if (sendto(fd, data, len, 0, (const struct sockaddr *)&pe->sa, pe->salen) < 0 && g_log) {
            fprintf(g_log, "sendto: %s\n", strerror(errno));
            fflush(g_log);
        }
    }
}

/* dispatch - deliver a reply now or, when delayed, queue a copy for later */
static void dispatch(const struct peer *pe, const struct reply *r, const uint8_t *data,
                     size_t len)
{
    if (r->action == A_NONE)
        return;
    if (r->delay_ms <= 0) {
        deliver(pe, r, data, len);
        return;
    }
    for (int i = 0; i < MAX_PENDING; i++) {
        struct pending *p = &g_pend[i];
        if (p->used)
            continue;
        p->data = malloc(len ? len : 1);
        if (!p->data)
            return;
        memcpy(p->data, data, len);
        p->len = len;
        p->pe = *pe;
        p->r = *r;
        p->due = now_ms() + r->delay_ms;
        p->used = 1;
        return;
    }
    if (g_log) {
        fprintf(g_log, "pending queue full: delayed reply dropped\n");
        fflush(g_log);
    }
}

/* run_pending - deliver the delayed replies that are due */
static void run_pending(long long now)
{
    for (int i = 0; i < MAX_PENDING; i++) {
        struct pending *p = &g_pend[i];
        if (!p->used || p->due > now)
            continue;
        deliver(&p->pe, &p->r, p->data, p->len);
        free(p->data);
        memset(p, 0, sizeof *p);
    }
}

/* udp_read - receive and answer the waiting UDP queries (a bounded batch) */
static void udp_read(void)
{
    static uint8_t buf[65536];
    for (int k = 0; k < 64; k++) {
        struct peer pe;
        ssize_t n;
        memset(&pe, 0, sizeof pe);
        pe.salen = sizeof pe.sa;
        n = recvfrom(g_udp, buf, sizeof buf, MSG_TRUNC, (struct sockaddr *)&pe.sa, &pe.salen);
        if (n < 0)
            return;
        if ((size_t)n > sizeof buf)
            continue;   /* cannot happen for UDP over IP; never trust it */
        handle_query(&pe, buf, (size_t)n);
    }
}

/* tcp_accept - take new TCP connections, evicting the least recently active when all slots are busy */
static void tcp_accept(void)
{
    for (int k = 0; k < 16; k++) {
        struct sockaddr_storage sa;
        socklen_t sl = sizeof sa;
        int fd = accept4(g_tcp, (struct sockaddr *)&sa, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);
        int slot = -1;
        if (fd < 0)
            return;
        for (int i = 0; i < MAX_CONNS; i++)
            if (g_conns[i].fd < 0) {
                slot = i;
                break;
            }
        if (slot < 0) {
            slot = 0;
            for (int i = 1; i < MAX_CONNS; i++)
                if (g_conns[i].last_ms < g_conns[slot].last_ms)
                    slot = i;
            conn_close(slot);
        }
        struct conn *c = &g_conns[slot];
        c->fd = fd;
        c->gen = ++g_gen;
        c->sa = sa;
        c->salen = sl;
        c->last_ms = now_ms();
    }
}

/* conn_read - read from a TCP client and handle every complete length-prefixed query */
static void conn_read(int i)
{
    struct conn *c = &g_conns[i];
    uint8_t *rb = g_rbuf[i];
    ssize_t n = recv(c->fd, rb + c->rlen, sizeof g_rbuf[i] - c->rlen, 0);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
        conn_close(i);
        return;
    }
    if (n < 0)
        return;
    c->rlen += (size_t)n;
    c->last_ms = now_ms();
    while (c->fd >= 0 && !c->no_more_input && c->rlen >= 2) {
        size_t l = rd16(rb);
        struct peer pe;
        if (l == 0) {
            conn_close(i);
            return;
        }
        if (c->rlen < 2 + l)
            break;
        memset(&pe, 0, sizeof pe);
        pe.tcp = 1;
        pe.ci = i;
        pe.gen = c->gen;
        pe.sa = c->sa;
        pe.salen = c->salen;
        handle_query(&pe, rb + 2, l);
        if (c->fd < 0 || c->gen != pe.gen)
            return;
        memmove(rb, rb + 2 + l, c->rlen - 2 - l);
        c->rlen -= 2 + l;
    }
}

/* on_signal - ask the main loop to stop */
static void on_signal(int sig)
{
    (void)sig;
    g_stop = 1;
}

/* make_addr - parse the listen address and port into a socket address; 0 or -1 */
static int make_addr(const char *addr, unsigned port, struct sockaddr_storage *sa,
                     socklen_t *sl)
{
    memset(sa, 0, sizeof *sa);
    struct sockaddr_in *s4 = (struct sockaddr_in *)sa;
    struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)sa;
    if (inet_pton(AF_INET, addr, &s4->sin_addr) == 1) {
        s4->sin_family = AF_INET;
        s4->sin_port = htons((uint16_t)port);
        *sl = sizeof *s4;
        return 0;
    }
    memset(sa, 0, sizeof *sa);
    if (inet_pton(AF_INET6, addr, &s6->sin6_addr) == 1) {
        s6->sin6_family = AF_INET6;
        s6->sin6_port = htons((uint16_t)port);
        *sl = sizeof *s6;
        return 0;
    }
    return -1;
}

/* sock_port - the local port of a bound socket */
static unsigned sock_port(int fd)
{
    struct sockaddr_storage sa;
    socklen_t sl = sizeof sa;
    if (getsockname(fd, (struct sockaddr *)&sa, &sl) != 0)
        return 0;
    if (sa.ss_family == AF_INET)
        return ntohs(((struct sockaddr_in *)&sa)->sin_port);
    return ntohs(((struct sockaddr_in6 *)&sa)->sin6_port);
}

/* new_socket - non-blocking, close-on-exec socket (v6-only for IPv6) */
static int new_socket(int family, int type)
{
    int one = 1, fd = socket(family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    if (family == AF_INET6)
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    if (type == SOCK_STREAM)
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    return fd;
}

/* open_sockets - bind UDP and TCP to the same port (searching for one when port is 0); 0 or -1 */
static int open_sockets(const char *addr, unsigned port, int want_udp2)
{
    struct sockaddr_storage sa;
    socklen_t sl;
    if (make_addr(addr, port, &sa, &sl) != 0) {
        fprintf(stderr, "dns-test-server: bad address %s\n", addr);
        return -1;
    }
    for (int tries = 0; tries < 100; tries++) {
        unsigned p;
        g_udp = new_socket(sa.ss_family, SOCK_DGRAM);
        if (g_udp < 0 || bind(g_udp, (struct sockaddr *)&sa, sl) != 0) {
            fprintf(stderr, "dns-test-server: udp bind %s port %u: %s\n", addr, port,
                    strerror(errno));
            return -1;
        }
        p = sock_port(g_udp);
        make_addr(addr, p, &sa, &sl);
        g_tcp = new_socket(sa.ss_family, SOCK_STREAM);
        if (g_tcp >= 0 && bind(g_tcp, (struct sockaddr *)&sa, sl) == 0 &&
            listen(g_tcp, 64) == 0)
            break;
        if (port != 0 || g_tcp < 0) {
            fprintf(stderr, "dns-test-server: tcp bind %s port %u: %s\n", addr, p,
                    strerror(errno));
            return -1;
        }
        close(g_tcp);
        close(g_udp);
        g_tcp = g_udp = -1;
        make_addr(addr, 0, &sa, &sl);
    }
    if (g_tcp < 0) {
        fprintf(stderr, "dns-test-server: no port free for both UDP and TCP\n");
        return -1;
    }
    if (want_udp2) {
        make_addr(addr, 0, &sa, &sl);
        g_udp2 = new_socket(sa.ss_family, SOCK_DGRAM);
        if (g_udp2 < 0 || bind(g_udp2, (struct sockaddr *)&sa, sl) != 0) {
            fprintf(stderr, "dns-test-server: second udp socket: %s\n", strerror(errno));
            return -1;
        }
        g_udp2_port = (uint16_t)sock_port(g_udp2);
    }
    return 0;
}

/* set_mode - "NAME", "NAME=ARG" or "NAME:ARG" (arg may also come separately); 0 or -1 */
static int set_mode(const char *spec, const char *next, int *used_next)
{
    char name[64];
    const char *arg = NULL;
    size_t n = strcspn(spec, "=:");
    unsigned long v;
    *used_next = 0;
    if (n >= sizeof name)
        return -1;
    memcpy(name, spec, n);
    name[n] = 0;
    if (spec[n])
        arg = spec + n + 1;
    for (size_t i = 0; i < sizeof MODES / sizeof MODES[0]; i++) {
        if (strcmp(MODES[i].name, name) != 0)
            continue;
        g_mode = MODES[i].mode;
        g_mode_name = MODES[i].name;
        g_mode_arg = MODES[i].def;
        if (!arg && MODES[i].arg && next && is_number(next)) {
            arg = next;
            *used_next = 1;
        }
        if (arg && !MODES[i].arg)
            return -1;
        if (!arg && MODES[i].arg == 2)
            return -1;
        if (arg) {
            if (parse_ulong(arg, (unsigned long)MODES[i].min, (unsigned long)MODES[i].max,
                            &v) != 0)
                return -1;
            g_mode_arg = (long)v;
        }
        return 0;
    }
    return -1;
}

/* usage - print the option summary */
static void usage(FILE *f)
{
    fprintf(f,
        "usage: dns-test-server [--addr ADDR] [--port N] [--pidfile FILE] [--zone FILE]...\n"
        "         [--record 'NAME [TTL] TYPE DATA']... [--ttl N] [--ad]\n"
        "         [--mode MODE[=ARG]] [--only NAME] [--log FILE] [--max-seconds N]\n"
        "         [--seed N] [RECORD...]\n"
        "modes: normal servfail refused nxdomain drop truncate tcp-only-broken\n"
        "       pointer-loop[=1|2] forward-pointer wrong-id wrong-question other-port\n"
        "       oversized cname-loop cname-chain[=N] slow=MS garbage\n"
        "types: A AAAA MX CNAME NS PTR TXT TLSA (see the header of dns_server.c)\n");
}

/* main - parse options, load the zone, bind, print the port, serve until told to stop */
int main(int argc, char **argv)
{
    const char *addr = "127.0.0.1", *logpath = NULL;
    const char *zones[64], *records[1024];
    size_t nzones = 0, nrecords = 0;
    unsigned long port = 0, maxsec = 300, v;
    int seeded = 0;
    struct sigaction sa;
    sigset_t block, orig;
    long long deadline;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
#define NEED_VAL() do { if (!val) { fprintf(stderr, "dns-test-server: %s needs a value\n", a); return 2; } i++; } while (0)
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return 0;
        } else if (strcmp(a, "--addr") == 0) {
            NEED_VAL();
            addr = val;
        } else if (strcmp(a, "--port") == 0) {
            NEED_VAL();
            if (parse_ulong(val, 0, 65535, &port) != 0)
                goto badval;
        } else if (strcmp(a, "--pidfile") == 0) {
            NEED_VAL();
            g_pidfile = val;
        } else if (strcmp(a, "--zone") == 0) {
            NEED_VAL();
            if (nzones == sizeof zones / sizeof zones[0])
                goto badval;
            zones[nzones++] = val;
        } else if (strcmp(a, "--record") == 0) {
            NEED_VAL();
            if (nrecords == sizeof records / sizeof records[0])
                goto badval;
            records[nrecords++] = val;
        } else if (strcmp(a, "--ttl") == 0) {
            NEED_VAL();
            if (parse_ulong(val, 0, 2147483647UL, &v) != 0)
                goto badval;
            g_ttl = (uint32_t)v;
        } else if (strcmp(a, "--ad") == 0) {
            g_ad = 1;
        } else if (strcmp(a, "--mode") == 0) {
            int used;
            NEED_VAL();
            if (set_mode(val, i + 1 < argc ? argv[i + 1] : NULL, &used) != 0)
                goto badval;
            i += used;
        } else if (strcmp(a, "--only") == 0) {
            NEED_VAL();
            if (name_from_text(val, g_only) < 0)
                goto badval;
            g_have_only = 1;
        } else if (strcmp(a, "--log") == 0) {
            NEED_VAL();
            logpath = val;
        } else if (strcmp(a, "--max-seconds") == 0) {
            NEED_VAL();
            if (parse_ulong(val, 1, 86400, &maxsec) != 0)
                goto badval;
        } else if (strcmp(a, "--seed") == 0) {
            NEED_VAL();
            if (parse_ulong(val, 0, 4294967295UL, &v) != 0)
                goto badval;
            g_rng ^= (uint64_t)v * 0x100000001b3ULL;
            seeded = 1;
        } else if (a[0] == '-' && a[1] == '-') {
            fprintf(stderr, "dns-test-server: unknown option %s\n", a);
            usage(stderr);
            return 2;
        } else {
            if (nrecords == sizeof records / sizeof records[0])
                goto badval;
            records[nrecords++] = a;
        }
        continue;
badval:
        fprintf(stderr, "dns-test-server: bad value for %s: %s\n", a, val ? val : "");
        usage(stderr);
        return 2;
#undef NEED_VAL
    }

    for (size_t i = 0; i < nzones; i++)
        if (zone_load(zones[i]) != 0)
            return 2;
    for (size_t i = 0; i < nrecords; i++) {
        char where[32];
        snprintf(where, sizeof where, "record %zu", i + 1);
        if (zone_add(records[i], where) != 0)
            return 2;
    }
    if (!seeded)
        g_rng ^= (uint64_t)time(NULL) * 0x9e3779b97f4a7c15ULL ^ (uint64_t)getpid();
    if (g_rng == 0)
        g_rng = 1;

    if (logpath) {
        g_log = strcmp(logpath, "-") == 0 ? stderr : fopen(logpath, "a");
        if (!g_log) {
            fprintf(stderr, "dns-test-server: %s: %s\n", logpath, strerror(errno));
            return 2;
        }
    }
    for (int i = 0; i < MAX_CONNS; i++)
        g_conns[i].fd = -1;

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    sigemptyset(&block);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGHUP);
    sigprocmask(SIG_BLOCK, &block, &orig);
    sigdelset(&orig, SIGTERM);
    sigdelset(&orig, SIGINT);
    sigdelset(&orig, SIGHUP);

    if (open_sockets(addr, (unsigned)port, g_mode == M_OTHER_PORT) != 0)
        return 1;
    if (g_pidfile) {
        FILE *f = fopen(g_pidfile, "w");
        if (!f || fprintf(f, "%ld\n", (long)getpid()) < 0 || fclose(f) != 0) {
            fprintf(stderr, "dns-test-server: %s: %s\n", g_pidfile, strerror(errno));
            return 1;
        }
    }
    printf("port %u\n", sock_port(g_udp));
    fflush(stdout);

    g_t0 = now_ms();
    deadline = g_t0 + (long long)maxsec * 1000;
    while (!g_stop) {
        struct pollfd pf[3 + MAX_CONNS];
        int map[3 + MAX_CONNS], np = 0;
        long long now = now_ms(), next = deadline, idle;
        struct timespec ts;

        if (now >= deadline)
            break;
        run_pending(now);
        idle = TCP_IDLE_MS + (g_mode == M_SLOW ? g_mode_arg : 0);
        for (int i = 0; i < MAX_CONNS; i++)
            if (g_conns[i].fd >= 0 && now - g_conns[i].last_ms >= idle)
                conn_close(i);
        for (int i = 0; i < MAX_PENDING; i++)
            if (g_pend[i].used && g_pend[i].due < next)
                next = g_pend[i].due;
        for (int i = 0; i < MAX_CONNS; i++)
            if (g_conns[i].fd >= 0 && g_conns[i].last_ms + idle < next)
                next = g_conns[i].last_ms + idle;

        pf[np].fd = g_udp, pf[np].events = POLLIN, map[np++] = -1;
        pf[np].fd = g_tcp, pf[np].events = POLLIN, map[np++] = -2;
        if (g_udp2 >= 0)
            pf[np].fd = g_udp2, pf[np].events = POLLIN, map[np++] = -3;
        for (int i = 0; i < MAX_CONNS; i++) {
            struct conn *c = &g_conns[i];
            if (c->fd < 0)
                continue;
            pf[np].fd = c->fd;
            pf[np].events = (short)((c->no_more_input ? 0 : POLLIN) |
                                    (c->wlen > c->woff ? POLLOUT : 0));
            map[np++] = i;
        }
        if (next < now)
            next = now;
        ts.tv_sec = (time_t)((next - now) / 1000);
        ts.tv_nsec = (long)((next - now) % 1000) * 1000000L;
        int rc = ppoll(pf, (nfds_t)np, &ts, &orig);
        if (rc < 0) {
            if (errno == EINTR)
                continue;
            fprintf(stderr, "dns-test-server: poll: %s\n", strerror(errno));
            break;
        }
        for (int k = 0; k < np && rc > 0; k++) {
            if (!pf[k].revents)
                continue;
            if (map[k] == -1) {
                udp_read();
            } else if (map[k] == -2) {
                tcp_accept();
            } else if (map[k] == -3) {
                uint8_t junk[512];
                while (recv(g_udp2, junk, sizeof junk, 0) >= 0)
                    ;
            } else {
                int i = map[k];
                if (g_conns[i].fd != pf[k].fd)
                    continue;   /* closed or replaced during this round */
                if (pf[k].revents & (POLLIN | POLLHUP | POLLERR))
                    conn_read(i);
                if (g_conns[i].fd == pf[k].fd && (pf[k].revents & POLLOUT))
                    conn_flush(i);
            }
        }
    }

    for (int i = 0; i < MAX_CONNS; i++)
        if (g_conns[i].fd >= 0)
            conn_close(i);
    for (int i = 0; i < MAX_PENDING; i++)
        free(g_pend[i].data);
    for (size_t i = 0; i < g_nzone; i++)
        free(g_zone[i].big);
    free(g_zone);
    if (g_pidfile)
        unlink(g_pidfile);
    if (g_log && g_log != stderr)
        fclose(g_log);
    return 0;
}
