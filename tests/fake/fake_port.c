/* fake_port.c - the scripted in-memory port (see fake_port.h)
 *
 * Model: every socket's future is a list of timed events computed when
 * the cause happens (a connect schedules its completion, a query its
 * answer, a client line the script's reply). Reading the clock never
 * moves it; wait() moves it to the next event of the sockets it was given.
 * All times are compared wrap-safely: the clock starts near the wrap.
 */
#if !defined(_GNU_SOURCE) && !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200112L /* inet_pton under -std=c99 */
#endif

#include "fake_port.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#define DNS_PORT 53
#define SPOOF_PORT 5353
#define WAIT_LIMIT_DEFAULT 1000000ul
#define SENT_MAX (1u << 20)  /* bytes recorded per connection */
#define LINE_MAX_FAKE 1024   /* client line kept for matching */
#define MSG_MAX 65535        /* largest DNS message */
#define CNAME_HOPS 8
#define TTL 300

static const char reply_500[] = "500 5.5.1 fake: unexpected\r\n";
static const char reply_221[] = "221 2.0.0 fake: bye\r\n";

/* ---- state ------------------------------------------------------------------ */

enum { IT_DATA, IT_EOF, IT_RESET };

typedef struct item { /* one piece of a peer's output stream */
    uint8_t kind;
    size_t off, len;  /* DATA: bytes rx[off..off+len) */
    uint32_t at;      /* first byte (or EOF/RESET) readable at */
    uint32_t drip;    /* DATA: ms between bytes, 0 = all at once */
} item_t;

typedef struct dgram {
    struct dgram *next;
    uint32_t at;
    stc_ip_t from;
    uint16_t port;
    size_t len;
    uint8_t data[];
} dgram_t;

typedef struct conn {
    fake_conn_t pub;
    fake_peer_t cfg;
    fake_step_t steps[FAKE_MAX_STEPS];
    uint8_t *sent;
    size_t sent_cap;
    uint8_t *rx;
    size_t rx_len, rx_cap;
    item_t *items;
    size_t nitems, items_cap, head, head_used;
    uint32_t out_at;      /* the peer's output so far is all out by then */
    size_t step;
    uint8_t stalled, ended, reset_set;
    uint32_t reset_at;
    char line[LINE_MAX_FAKE];
    size_t line_len;
    size_t dns_off;       /* DNS: bytes of sent already taken as queries */
} conn_t;

typedef struct sock {
    uint8_t used, udp, family;
    uint8_t kind;         /* TCP: FAKE_ACCEPT / FAKE_REFUSE / FAKE_UNREACH / FAKE_BLACKHOLE */
    uint32_t ready_at;    /* TCP: connect outcome due */
    int conn;             /* TCP: index into g.conns */
    dgram_t *q;           /* UDP: queued datagrams */
} sock_t;

typedef struct peer {
    stc_ip_t ip;
    uint16_t port;
    fake_peer_t cfg;
    fake_step_t steps[FAKE_MAX_STEPS];
    fake_step_t over[FAKE_MAX_STEPS]; /* for connections beyond max_conns */
} peer_t;

typedef struct rr {
    char name[256];
    uint16_t type;
    uint8_t *rdata;
    size_t rdlen;
    char target[256];     /* CNAME target, for chasing */
} rr_t;

typedef struct rule {
    char name[256];
    uint16_t qtype;
    fake_dns_rule_t r;
    unsigned long seen;
} rule_t;

typedef struct qlog {
    char name[256];
    uint16_t qtype;
    unsigned long count;
} qlog_t;

typedef struct resolver {
    stc_ip_t ip;
    uint8_t mute;
} resolver_t;

static struct {
    int inited;
    uint32_t now, base_ms;
    int64_t base_unix;
    unsigned long wait_limit;
    uint64_t rng;
    int random_fail;
    const uint8_t *anchors;
    size_t anchors_len;
    int anchors_fmt;
    int ipv6;
    uint8_t tcp_default, dns_tcp;
    int next_sock;
    unsigned sock_limit;
    sock_t socks[FAKE_MAX_SOCKS];
    conn_t *conns[FAKE_MAX_CONNS];
    size_t nconns;
    peer_t peers[FAKE_MAX_PEERS];
    size_t npeers;
    rr_t *rrs[FAKE_MAX_RRS];
    size_t nrrs;
    rule_t rules[FAKE_MAX_RULES];
    size_t nrules;
    rule_t def_rule;
    int have_def_rule;
    qlog_t *qlog;
    size_t nqlog, qlog_cap;
    uint8_t *last_query;
    size_t last_query_len;
    resolver_t res[FAKE_MAX_RESOLVERS];
    size_t nres;
    fake_stats_t st;
} g;

static uint8_t msgbuf[MSG_MAX + 2];

/* ---- small helpers -------------------------------------------------------------- */

/* reached - wrap-safe "t is at or before now" */
static int reached(uint32_t now, uint32_t t)
{
    return (int32_t)(now - t) >= 0;
}

/* later - the later of two times */
static uint32_t later(uint32_t a, uint32_t b)
{
    return (int32_t)(a - b) >= 0 ? a : b;
}

/* lower - ASCII lower case */
static char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* norm_name - lower-case copy without one trailing dot; -1 when too long */
static int norm_name(const char *s, char *out, size_t cap)
{
    size_t n = strlen(s), i;
    if (n > 0 && s[n - 1] == '.')
        n--;
    if (n >= cap)
        return -1;
    for (i = 0; i < n; i++)
        out[i] = lower(s[i]);
    out[n] = '\0';
    return 0;
}

/* prefix_ci - does line start with p, ignoring case? */
static int prefix_ci(const char *line, const char *p)
{
    for (; *p; p++, line++)
        if (*line == '\0' || lower(*line) != lower(*p))
            return 0;
    return 1;
}

/* parse_ip - text address to stc_ip_t; -1 when not one */
static int parse_ip(const char *s, stc_ip_t *ip)
{
    memset(ip, 0, sizeof *ip);
    if (s == NULL)
        return -1;
    if (inet_pton(AF_INET, s, ip->addr) == 1) {
        ip->family = 4;
        return 0;
    }
    if (inet_pton(AF_INET6, s, ip->addr) == 1) {
        ip->family = 6;
        return 0;
    }
    return -1;
}

/* ip_eq - same address */
static int ip_eq(const stc_ip_t *a, const stc_ip_t *b)
{
    return a->family == b->family && memcmp(a->addr, b->addr, a->family == 4 ? 4 : 16) == 0;
}

/* grow - buf with room for need elements (capacity *cap), or NULL (buf
 * untouched) when memory ran out */
static void *grow(void *buf, size_t *cap, size_t need, size_t elem)
{
    size_t c = *cap ? *cap : 16;
    void *nb;
    if (need <= *cap)
        return buf;
    while (c < need)
        c *= 2;
    nb = realloc(buf, c * elem);
    if (nb != NULL)
        *cap = c;
    return nb;
}

/* ensure - first use without fake_reset(): start from the defaults */
static void ensure(void)
{
    if (!g.inited)
        fake_reset();
}

/* ---- sockets -------------------------------------------------------------------- */

/* sock_get - the open socket s, or NULL (and a bad call counted) */
static sock_t *sock_get(int s)
{
    if (s < 0 || s >= FAKE_MAX_SOCKS || !g.socks[s].used) {
        g.st.bad_calls++;
        return NULL;
    }
    return &g.socks[s];
}

/* sock_new - take a free socket number, in rotation; -1 when all are used */
static int sock_new(int udp, uint8_t family)
{
    int i;
    if (g.sock_limit && g.st.udp_open + g.st.tcp_open >= g.sock_limit)
        return -1;
    for (i = 0; i < FAKE_MAX_SOCKS; i++) {
        int s = (g.next_sock + i) % FAKE_MAX_SOCKS;
        if (!g.socks[s].used) {
            memset(&g.socks[s], 0, sizeof g.socks[s]);
            g.socks[s].used = 1;
            g.socks[s].udp = (uint8_t)udp;
            g.socks[s].family = family;
            g.socks[s].conn = -1;
            g.next_sock = (s + 1) % FAKE_MAX_SOCKS;
            if (udp) {
                if (++g.st.udp_open > g.st.udp_open_max)
                    g.st.udp_open_max = g.st.udp_open;
            } else if (++g.st.tcp_open > g.st.tcp_open_max) {
                g.st.tcp_open_max = g.st.tcp_open;
            }
            return s;
        }
    }
    return -1;
}

/* free_dgrams - drop a UDP queue */
static void free_dgrams(dgram_t *d)
{
    while (d) {
        dgram_t *n = d->next;
        free(d);
        d = n;
    }
}

/* ---- connections: the peer's output stream --------------------------------------- */

/* emit - queue output of kind for c, readable from `at` (drip ms apart) */
static void emit(conn_t *c, uint8_t kind, const void *p, size_t n, uint32_t at, uint32_t drip)
{
    item_t *it;
    void *nb;
    at = later(at, c->out_at);
    if (kind == IT_DATA && n == 0)
        return;
    nb = grow(c->items, &c->items_cap, c->nitems + 1, sizeof *c->items);
    if (nb == NULL)
        return;
    c->items = nb;
    it = &c->items[c->nitems++];
    it->kind = kind;
    it->at = at;
    it->drip = drip;
    it->off = c->rx_len;
    it->len = 0;
    if (kind == IT_DATA) {
        nb = grow(c->rx, &c->rx_cap, c->rx_len + n, 1);
        if (nb == NULL) {
            c->nitems--;
            return;
        }
        c->rx = nb;
        memcpy(c->rx + c->rx_len, p, n);
        c->rx_len += n;
        it->len = n;
        c->out_at = at + (uint32_t)(n - 1) * drip;
    } else {
        c->out_at = at;
        c->ended = 1;
        if (kind == IT_RESET) {
            c->reset_set = 1;
            c->reset_at = at;
        }
    }
}

/* item_count - DATA bytes of it readable at time t */
static size_t item_count(const item_t *it, uint32_t t)
{
    uint32_t el;
    if (!reached(t, it->at))
        return 0;
    if (it->drip == 0)
        return it->len;
    el = t - it->at;
    if (el / it->drip >= it->len)
        return it->len;
    return el / it->drip + 1;
}

/* rx_ready - what the head of c's stream offers now: 0 nothing, 1 data,
 * 2 EOF, 3 reset */
static int rx_ready(const conn_t *c)
{
    size_t h = c->head, used = c->head_used;
    for (; h < c->nitems; h++, used = 0) {
        const item_t *it = &c->items[h];
        if (it->kind == IT_DATA) {
            size_t k = item_count(it, g.now);
            if (k > used)
                return 1;
            if (k < it->len)
                return 0;
            continue; /* fully read: look further */
        }
        if (!reached(g.now, it->at))
            return 0;
        return it->kind == IT_EOF ? 2 : 3;
    }
    return 0;
}

/* rx_next_event - earliest time after now when c's stream changes; 0 none */
static int rx_next_event(const conn_t *c, uint32_t *at)
{
    size_t h;
    for (h = c->head; h < c->nitems; h++) {
        const item_t *it = &c->items[h];
        if (it->kind == IT_DATA) {
            size_t k = item_count(it, g.now);
            if (k < it->len) {
                *at = it->at + (uint32_t)k * it->drip;
                return 1;
            }
            continue;
        }
        if (!reached(g.now, it->at)) {
            *at = it->at;
            return 1;
        }
        return 0;
    }
    return 0;
}

/* ---- connections: the script ------------------------------------------------------- */

/* fire - run step st of c, triggered now */
static void fire(conn_t *c, const fake_step_t *st)
{
    size_t n = st->reply ? (st->reply_len ? st->reply_len : strlen(st->reply)) : 0;
    uint32_t at = later(g.now, c->out_at) + st->delay_ms;

    c->step++;
    c->pub.steps_done++;
    if (n)
        emit(c, IT_DATA, st->reply, n, at, c->cfg.drip_ms);
    else
        c->out_at = later(at, c->out_at);
    switch (st->action) {
    case FAKE_CLOSE:
        emit(c, IT_EOF, NULL, 0, c->out_at, 0);
        break;
    case FAKE_RESET:
        emit(c, IT_RESET, NULL, 0, c->out_at, 0);
        break;
    case FAKE_STALL:
        c->stalled = 1;
        break;
    default:
        break;
    }
}

/* run_immediate - fire the steps that wait for nothing (expect NULL) */
static void run_immediate(conn_t *c)
{
    while (!c->stalled && !c->ended && c->step < c->cfg.nsteps &&
           c->steps[c->step].expect == NULL)
        fire(c, &c->steps[c->step]);
}

/* on_line - a complete client line (CR/LF stripped) */
static void on_line(conn_t *c, const char *line)
{
    if (c->stalled || c->ended)
        return;
    if (c->step < c->cfg.nsteps) {
        const fake_step_t *st = &c->steps[c->step];
        if (prefix_ci(line, st->expect)) { /* "" matches any line */
            fire(c, st);
            run_immediate(c);
            return;
        }
    } else if (!c->cfg.no_auto_quit && prefix_ci(line, "QUIT")) {
        emit(c, IT_DATA, reply_221, sizeof reply_221 - 1, g.now, c->cfg.drip_ms);
        emit(c, IT_EOF, NULL, 0, c->out_at, 0);
        return;
    }
    c->pub.unexpected++;
    emit(c, IT_DATA, reply_500, sizeof reply_500 - 1, g.now, c->cfg.drip_ms);
}

/* script_feed - client bytes for a scripted peer */
static void script_feed(conn_t *c, const uint8_t *p, size_t n)
{
    size_t i;
    if (c->stalled || c->ended || n == 0)
        return;
    if (c->step < c->cfg.nsteps && c->steps[c->step].expect != NULL &&
        c->steps[c->step].expect[0] == '\0') {
        /* "any bytes": these bytes are the trigger, whole */
        c->line_len = 0;
        fire(c, &c->steps[c->step]);
        run_immediate(c);
        return;
    }
    for (i = 0; i < n; i++) {
        if (p[i] == '\n') {
            while (c->line_len > 0 && c->line[c->line_len - 1] == '\r')
                c->line_len--;
            c->line[c->line_len] = '\0';
            c->line_len = 0;
            on_line(c, c->line);
            if (c->stalled || c->ended)
                return;
            if (i + 1 < n && c->step < c->cfg.nsteps && c->steps[c->step].expect != NULL &&
                c->steps[c->step].expect[0] == '\0') {
                /* the rest of these bytes triggers an "any bytes" step */
                fire(c, &c->steps[c->step]);
                run_immediate(c);
                return;
            }
        } else if (c->line_len < sizeof c->line - 1) {
            c->line[c->line_len++] = (char)p[i];
        }
    }
}

/* ---- DNS ------------------------------------------------------------------------- */

typedef struct query {
    uint16_t id, qtype;
    uint8_t rd, edns, dobit;
    uint16_t udp_size;
    char name[256];
    const uint8_t *question; /* raw question, echoed */
    size_t qlen;
} query_t;

typedef struct wbuf {
    uint8_t *b;
    size_t cap, len;
    int over;
} wbuf_t;

/* be16 - big-endian 16 bits */
static uint16_t be16(const uint8_t *p)
{
    return (uint16_t)((p[0] << 8) | p[1]);
}

/* put - append n bytes (sets over when they do not fit) */
static void put(wbuf_t *w, const void *p, size_t n)
{
    if (w->over || n > w->cap - w->len) {
        w->over = 1;
        return;
    }
    memcpy(w->b + w->len, p, n);
    w->len += n;
}

/* put16 - append a big-endian 16-bit value */
static void put16(wbuf_t *w, unsigned v)
{
    uint8_t b[2];
    b[0] = (uint8_t)(v >> 8);
    b[1] = (uint8_t)v;
    put(w, b, 2);
}

/* put32 - append a big-endian 32-bit value */
static void put32(wbuf_t *w, uint32_t v)
{
    put16(w, v >> 16);
    put16(w, v & 0xffffu);
}

/* enc_name - presentation name to uncompressed wire form; length or 0 */
static size_t enc_name(const char *s, uint8_t *out, size_t cap)
{
    size_t n = 0;
    if (cap < 1)
        return 0;
    if (s[0] == '.' && s[1] == '\0')
        s++;
    while (*s) {
        const char *dot = strchr(s, '.');
        size_t l = dot ? (size_t)(dot - s) : strlen(s);
        if (l == 0 || l > 63 || n + 1 + l + 1 > cap || n + 1 + l + 1 > 255)
            return 0;
        out[n++] = (uint8_t)l;
        memcpy(out + n, s, l);
        n += l;
        s += l;
        if (*s == '.')
            s++;
    }
    out[n++] = 0;
    return n;
}

/* parse_query - header + one question (+ an OPT record); -1 when not a query */
static int parse_query(const uint8_t *m, size_t n, query_t *q)
{
    size_t off = 12, out = 0;
    uint16_t an, ns, ar;

    memset(q, 0, sizeof *q);
    if (n < 12 || (m[2] & 0x80) || ((m[2] >> 3) & 0x0f) != 0 || be16(m + 4) != 1)
        return -1;
    q->id = be16(m);
    q->rd = m[2] & 1;
    an = be16(m + 6);
    ns = be16(m + 8);
    ar = be16(m + 10);
    for (;;) {
        size_t l, i;
        if (off >= n)
            return -1;
        l = m[off++];
        if (l == 0)
            break;
        if (l > 63 || off + l > n || out + l + 2 > 255) /* pointers (>= 0xc0) too */
            return -1;
        if (out)
            q->name[out++] = '.';
        for (i = 0; i < l; i++)
            q->name[out++] = lower((char)m[off + i]);
        off += l;
    }
    q->name[out] = '\0';
    if (off + 4 > n)
        return -1;
    q->qtype = be16(m + off);
    off += 4;
    q->question = m + 12;
    q->qlen = off - 12;
    /* RFC 6891 6.1.2: OPT = root name, type 41, class = UDP size, TTL
     * holds the DO bit (bit 15 of its low half) */
    if (an == 0 && ns == 0 && ar >= 1 && off + 11 <= n && m[off] == 0 &&
        be16(m + off + 1) == 41) {
        q->edns = 1;
        q->udp_size = be16(m + off + 3);
        q->dobit = (m[off + 7] & 0x80) ? 1 : 0;
    }
    return 0;
}

/* find_rule - the rule for (name, qtype), or NULL */
static rule_t *find_rule(const char *name, uint16_t qtype)
{
    size_t i;
    rule_t *any = NULL;
    for (i = 0; i < g.nrules; i++) {
        if (strcmp(g.rules[i].name, name) != 0)
            continue;
        if (g.rules[i].qtype == qtype)
            return &g.rules[i];
        if (g.rules[i].qtype == 0)
            any = &g.rules[i];
    }
    if (any)
        return any;
    return g.have_def_rule ? &g.def_rule : NULL;
}

/* name_exists - does the zone hold name, or anything below it? */
static int name_exists(const char *name)
{
    size_t i, n = strlen(name);
    if (n == 0)
        return 1;
    for (i = 0; i < g.nrrs; i++) {
        const char *o = g.rrs[i]->name;
        size_t on = strlen(o);
        if (strcmp(o, name) == 0 ||
            (on > n + 1 && o[on - n - 1] == '.' && strcmp(o + on - n, name) == 0))
            return 1;
    }
    return 0;
}

/* put_rr - append record r with the given owner; 0, or -1 when full */
static int put_rr(wbuf_t *w, const char *owner, const rr_t *r)
{
    uint8_t nb[256];
    size_t nl = enc_name(owner, nb, sizeof nb), keep = w->len;
    if (nl == 0)
        return 0; /* cannot happen for stored names; skip */
    put(w, nb, nl);
    put16(w, r->type);
    put16(w, 1); /* IN */
    put32(w, TTL);
    put16(w, (unsigned)r->rdlen);
    put(w, r->rdata, r->rdlen);
    if (w->over) {
        w->len = keep;
        w->over = 0;
        return -1;
    }
    return 1;
}

/* build_response - the answer to q in w->b; rule may be NULL.
 * tc_only: header + question (+ OPT) with TC set. Returns the length. */
static size_t build_response(const query_t *q, const fake_dns_rule_t *rule, int tc_only,
                             uint16_t id, uint8_t *buf, size_t cap)
{
    wbuf_t w;
    char cur[256];
    uint8_t rcode = rule ? rule->rcode : 0;
    unsigned an = 0, ns = 0;
    int hop, negative = 0;

    w.b = buf;
    w.cap = cap;
    w.len = 0;
    w.over = 0;
    put16(&w, id);
    put16(&w, 0); /* flags, filled below */
    put16(&w, 1);
    put16(&w, 0); /* ANCOUNT, filled below */
    put16(&w, 0);
    put16(&w, q->edns ? 1 : 0);
    put(&w, q->question, q->qlen);

    if (!tc_only && rcode == 0) {
        strcpy(cur, q->name);
        for (hop = 0; hop <= CNAME_HOPS; hop++) {
            const rr_t *cname = NULL;
            size_t i;
            int found = 0, full = 0;
            for (i = 0; i < g.nrrs && !full; i++) {
                const rr_t *r = g.rrs[i];
                if (strcmp(r->name, cur) != 0)
                    continue;
                if (r->type == q->qtype) {
                    int k = put_rr(&w, cur, r);
                    if (k < 0)
                        full = 1;
                    else
                        an += (unsigned)k;
                    found = 1;
                } else if (r->type == FAKE_CNAME && cname == NULL) {
                    cname = r;
                }
            }
            if (found || full || cname == NULL || q->qtype == FAKE_CNAME) {
                if (!found && !full && !name_exists(cur))
                    rcode = 3; /* NXDOMAIN, the chain so far included */
                negative = !found && !full;
                break;
            }
            if (put_rr(&w, cur, cname) < 0)
                break;
            an++;
            strcpy(cur, cname->target);
        }
    }
    if (negative) {
        /* RFC 2308 3: the SOA in the authority section says how long the
         * negative answer may be kept: min(TTL, MINIMUM) = FAKE_NEG_TTL */
        static const uint8_t soa[] = {0, 0, 0, 0, 0, 1, 0, 0, 0x0e, 0x10, 0, 0, 0x03, 0x84,
                                      0, 0x09, 0x3a, 0x80, 0, 0, 0, FAKE_NEG_TTL};
        uint8_t root = 0;
        size_t keep = w.len;
        put(&w, &root, 1);
        put16(&w, 6); /* SOA */
        put16(&w, 1);
        put32(&w, TTL);
        put16(&w, sizeof soa);
        put(&w, soa, sizeof soa);
        if (w.over) {
            w.len = keep;
            w.over = 0;
        } else {
            ns = 1;
        }
    }
    if (q->edns) {
        /* OPT: root, type 41, our UDP size, DO echoed */
        uint8_t root = 0;
        put(&w, &root, 1);
        put16(&w, 41);
        put16(&w, 1232);
        put32(&w, q->dobit ? 0x8000u : 0);
        put16(&w, 0);
    }
    if (w.over)
        return 0;
    buf[2] = (uint8_t)(0x80 | (tc_only ? 0x02 : 0) | q->rd);       /* QR, TC, RD */
    buf[3] = (uint8_t)(0x80 | ((rule && rule->ad) ? 0x20 : 0) | (rcode & 0x0f)); /* RA, AD */
    buf[6] = (uint8_t)(an >> 8);
    buf[7] = (uint8_t)an;
    buf[9] = (uint8_t)ns;
    return w.len;
}

/* log_query - count the query and keep its bytes */
static void log_query(const query_t *q, const uint8_t *m, size_t n)
{
    size_t i;
    uint8_t *copy;
    qlog_t *nq;
    for (i = 0; i < g.nqlog; i++)
        if (g.qlog[i].qtype == q->qtype && strcmp(g.qlog[i].name, q->name) == 0) {
            g.qlog[i].count++;
            break;
        }
    if (i == g.nqlog && (nq = grow(g.qlog, &g.qlog_cap, g.nqlog + 1, sizeof *g.qlog)) != NULL) {
        g.qlog = nq;
        strcpy(g.qlog[g.nqlog].name, q->name);
        g.qlog[g.nqlog].qtype = q->qtype;
        g.qlog[g.nqlog].count = 1;
        g.nqlog++;
    }
    copy = malloc(n ? n : 1);
    if (copy) {
        memcpy(copy, m, n);
        free(g.last_query);
        g.last_query = copy;
        g.last_query_len = n;
    }
}

/* deliver_fn - hands one response message to a transport */
typedef void (*deliver_fn)(void *ctx, const uint8_t *m, size_t n, uint32_t at, int spoof_port);

/* answer_query - parse, count, apply the rule, deliver; tcp = no TC */
static void answer_query(const uint8_t *m, size_t n, int tcp, deliver_fn dl, void *ctx)
{
    query_t q;
    rule_t *rl;
    const fake_dns_rule_t *r;
    size_t len;
    uint32_t at;
    int drop;

    if (parse_query(m, n, &q) != 0) {
        g.st.bad_queries++;
        return;
    }
    if (tcp)
        g.st.tcp_queries++;
    else
        g.st.udp_queries++;
    log_query(&q, m, n);
    rl = find_rule(q.name, q.qtype);
    r = rl ? &rl->r : NULL;
    at = g.now + (r ? r->delay_ms : 0);
    drop = r && r->drop;
    if (rl && rl->seen++ < r->drop_first)
        return; /* nothing at all, as a lost datagram */

    len = build_response(&q, r, !tcp && r && r->tc, q.id, msgbuf, MSG_MAX);
    if (len == 0)
        return;
    if (!tcp && !(r && r->tc)) {
        size_t limit = q.edns ? (q.udp_size > 512 ? q.udp_size : 512) : 512;
        if (len > limit) /* RFC 1035 4.2.1 / RFC 6891 7: too big for UDP */
            len = build_response(&q, r, 1, q.id, msgbuf, MSG_MAX);
    }
    if (r && r->wrong_id) {
        msgbuf[0] ^= 0x5a; /* a different ID, same everything else */
        dl(ctx, msgbuf, len, at, 0);
        msgbuf[0] ^= 0x5a;
    }
    if (r && r->other_port && !tcp)
        dl(ctx, msgbuf, len, at, 1);
    if (!drop)
        dl(ctx, msgbuf, len, at, 0);
}

typedef struct udp_ctx {
    sock_t *s;
    const stc_ip_t *from;
} udp_ctx_t;

/* deliver_udp - queue a datagram from the resolver */
static void deliver_udp(void *ctx, const uint8_t *m, size_t n, uint32_t at, int spoof_port)
{
    udp_ctx_t *u = ctx;
    dgram_t *d = malloc(sizeof *d + n), **tail;
    if (d == NULL)
        return;
    d->next = NULL;
    d->at = at;
    d->from = *u->from;
    d->port = spoof_port ? SPOOF_PORT : DNS_PORT;
    d->len = n;
    memcpy(d->data, m, n);
    for (tail = &u->s->q; *tail; tail = &(*tail)->next)
        ;
    *tail = d;
}

/* deliver_tcp - a length-prefixed message on the connection */
static void deliver_tcp(void *ctx, const uint8_t *m, size_t n, uint32_t at, int spoof_port)
{
    conn_t *c = ctx;
    uint8_t hdr[2];
    (void)spoof_port;
    hdr[0] = (uint8_t)(n >> 8); /* RFC 1035 4.2.2 */
    hdr[1] = (uint8_t)n;
    emit(c, IT_DATA, hdr, 2, at, 0);
    emit(c, IT_DATA, m, n, at, 0);
}

/* dns_feed - client bytes on a DNS-over-TCP connection */
static void dns_feed(conn_t *c)
{
    int guard;
    for (guard = 0; guard < 1000; guard++) {
        size_t avail = c->pub.sent_len - c->dns_off, l;
        if (avail < 2)
            return;
        l = be16(c->sent + c->dns_off);
        if (avail < 2 + l)
            return;
        answer_query(c->sent + c->dns_off + 2, l, 1, deliver_tcp, c);
        c->dns_off += 2 + l;
    }
}

/* find_resolver - the resolver at ip, or NULL */
static resolver_t *find_resolver(const stc_ip_t *ip)
{
    size_t i;
    for (i = 0; i < g.nres; i++)
        if (ip_eq(&g.res[i].ip, ip))
            return &g.res[i];
    return NULL;
}

/* ---- the port table ------------------------------------------------------------- */

/* find_peer - the peer defined at ip:port, or NULL */
static const peer_t *find_peer(const stc_ip_t *ip, uint16_t port)
{
    size_t i;
    for (i = 0; i < g.npeers; i++)
        if (g.peers[i].port == port && ip_eq(&g.peers[i].ip, ip))
            return &g.peers[i];
    return NULL;
}

/* conn_new - a connection record for a socket; NULL when out of room */
static conn_t *conn_new(const stc_ip_t *ip, uint16_t port, const peer_t *pe, uint8_t kind)
{
    conn_t *c;
    if (g.nconns >= FAKE_MAX_CONNS)
        return NULL;
    c = calloc(1, sizeof *c);
    if (c == NULL)
        return NULL;
    c->pub.ip = *ip;
    c->pub.port = port;
    c->pub.kind = kind;
    c->pub.open = 1;
    c->pub.opened_at = g.now;
    if (pe) {
        size_t i, open = 0;
        for (i = 0; i < g.nconns; i++)
            if (g.conns[i]->pub.open && !g.conns[i]->pub.dns && g.conns[i]->pub.port == port &&
                ip_eq(&g.conns[i]->pub.ip, ip))
                open++;
        c->pub.concurrent = (unsigned)open + 1;
        c->cfg = pe->cfg;
        if (pe->cfg.max_conns && open >= pe->cfg.max_conns) {
            c->pub.over = 1;
            c->cfg.nsteps = pe->cfg.over_nsteps;
            memcpy(c->steps, pe->over, sizeof c->steps);
        } else {
            memcpy(c->steps, pe->steps, sizeof c->steps);
        }
    }
    g.conns[g.nconns++] = c;
    return c;
}

/* fk_tcp_connect - start a connect to the peer at ip:port */
static int fk_tcp_connect(void *user, const stc_ip_t *ip, uint16_t port, int *sock)
{
    const peer_t *pe;
    fake_peer_t dflt;
    const fake_peer_t *cfg;
    resolver_t *rs;
    conn_t *c;
    sock_t *s;
    int sn, dns = 0;

    (void)user;
    ensure();
    if (sock == NULL || ip == NULL)
        return STC_EINVAL;
    *sock = -1;
    g.st.tcp_connects++;
    if (ip->family != 4 && ip->family != 6)
        return STC_EINVAL;
    if (ip->family == 6 && !g.ipv6)
        return STC_EAFNOSUPPORT;
    pe = find_peer(ip, port);
    memset(&dflt, 0, sizeof dflt);
    dflt.kind = g.tcp_default;
    if (pe == NULL && port == DNS_PORT && (rs = find_resolver(ip)) != NULL) {
        dflt.kind = rs->mute ? FAKE_REFUSE : g.dns_tcp;
        dns = 1;
    }
    cfg = pe ? &pe->cfg : &dflt;
    if (cfg->kind == FAKE_NOAF)
        return STC_EAFNOSUPPORT;
    if (cfg->connect_now && cfg->kind == FAKE_REFUSE)
        return STC_ECONNREFUSED;
    if (cfg->connect_now && cfg->kind == FAKE_UNREACH)
        return STC_EUNREACH;
    sn = sock_new(0, ip->family);
    if (sn < 0)
        return STC_ENOMEM;
    c = conn_new(ip, port, pe, cfg->kind);
    if (c == NULL) {
        g.socks[sn].used = 0;
        g.st.tcp_open--;
        return STC_ENOMEM;
    }
    if (!pe)
        c->cfg = dflt;
    c->pub.dns = (uint8_t)dns;
    s = &g.socks[sn];
    s->kind = cfg->kind;
    s->conn = (int)(g.nconns - 1);
    s->ready_at = (cfg->connect_now && cfg->kind == FAKE_ACCEPT) ? g.now
                                                                  : g.now + cfg->connect_delay_ms;
    *sock = sn;
    if (cfg->kind == FAKE_ACCEPT) {
        c->out_at = s->ready_at; /* the script starts when the connect completes */
        run_immediate(c);
        if (cfg->connect_now)
            return STC_OK;
    }
    return STC_EAGAIN;
}

/* tcp_done - has the connect of s come to its outcome? */
static int tcp_done(const sock_t *s)
{
    return s->kind != FAKE_BLACKHOLE && reached(g.now, s->ready_at);
}

/* tcp_fail_err - the error of a failed connect */
static int tcp_fail_err(const sock_t *s)
{
    return s->kind == FAKE_UNREACH ? STC_EUNREACH : STC_ECONNREFUSED;
}

/* fk_tcp_finish - the connect's outcome, STC_EAGAIN while pending */
static int fk_tcp_finish(void *user, int sock)
{
    sock_t *s = sock_get(sock);
    (void)user;
    if (s == NULL || s->udp)
        return STC_EINVAL;
    if (!tcp_done(s))
        return STC_EAGAIN;
    return s->kind == FAKE_ACCEPT ? STC_OK : tcp_fail_err(s);
}

/* fk_send - the client sends: recorded, then the peer reacts */
static long fk_send(void *user, int sock, const void *buf, size_t n)
{
    sock_t *s = sock_get(sock);
    conn_t *c;
    size_t k, keep;
    uint8_t *nb;

    (void)user;
    if (s == NULL || s->udp || (buf == NULL && n > 0))
        return STC_EINVAL;
    if (!tcp_done(s))
        return STC_EAGAIN;
    if (s->kind != FAKE_ACCEPT)
        return tcp_fail_err(s);
    c = g.conns[s->conn];
    if (c->reset_set && reached(g.now, c->reset_at))
        return STC_ERESET;
    if (n == 0)
        return 0;
    k = c->cfg.tx_chunk && n > c->cfg.tx_chunk ? c->cfg.tx_chunk : n;
    keep = c->pub.sent_len + k > SENT_MAX ? SENT_MAX - c->pub.sent_len : k;
    if (keep && (nb = grow(c->sent, &c->sent_cap, c->pub.sent_len + keep, 1)) != NULL) {
        c->sent = nb;
        memcpy(c->sent + c->pub.sent_len, buf, keep);
        c->pub.sent_len += keep;
        c->pub.sent = c->sent;
    }
    if (c->pub.dns)
        dns_feed(c);
    else
        script_feed(c, buf, k);
    return (long)k;
}

/* fk_recv - what the peer's stream offers now */
static long fk_recv(void *user, int sock, void *buf, size_t cap)
{
    sock_t *s = sock_get(sock);
    conn_t *c;
    uint8_t *out = buf;
    size_t got = 0, lim;

    (void)user;
    if (s == NULL || s->udp || buf == NULL || cap == 0)
        return STC_EINVAL;
    if (!tcp_done(s))
        return STC_EAGAIN;
    if (s->kind != FAKE_ACCEPT)
        return tcp_fail_err(s);
    c = g.conns[s->conn];
    lim = c->cfg.one_byte ? 1 : cap;
    while (got < lim && c->head < c->nitems) {
        item_t *it = &c->items[c->head];
        if (it->kind == IT_DATA) {
            size_t k = item_count(it, g.now), take;
            if (k <= c->head_used)
                break;
            take = k - c->head_used;
            if (take > lim - got)
                take = lim - got;
            memcpy(out + got, c->rx + it->off + c->head_used, take);
            got += take;
            c->head_used += take;
            if (c->head_used == it->len) {
                c->head++;
                c->head_used = 0;
            }
            continue;
        }
        if (!reached(g.now, it->at) || got > 0)
            break;
        return it->kind == IT_EOF ? 0 : STC_ERESET; /* stays at the head */
    }
    return got ? (long)got : STC_EAGAIN;
}

/* fk_udp_open - a UDP socket of the family */
static int fk_udp_open(void *user, uint8_t family, int *sock)
{
    int sn;
    (void)user;
    ensure();
    if (sock == NULL)
        return STC_EINVAL;
    *sock = -1;
    if (family != 4 && family != 6)
        return STC_EINVAL;
    if (family == 6 && !g.ipv6)
        return STC_EAFNOSUPPORT;
    sn = sock_new(1, family);
    if (sn < 0)
        return STC_ENOMEM;
    *sock = sn;
    return STC_OK;
}

/* fk_udp_sendto - a datagram: to a resolver:53 it is a query */
static int fk_udp_sendto(void *user, int sock, const stc_ip_t *ip, uint16_t port,
                         const void *buf, size_t n)
{
    sock_t *s = sock_get(sock);
    resolver_t *rs;
    udp_ctx_t u;

    (void)user;
    if (s == NULL || !s->udp || ip == NULL || (buf == NULL && n > 0) ||
        ip->family != s->family)
        return STC_EINVAL;
    rs = find_resolver(ip);
    if (rs == NULL || rs->mute || port != DNS_PORT) {
        g.st.udp_dropped++;
        return STC_OK; /* gone, as UDP goes */
    }
    u.s = s;
    u.from = &rs->ip;
    answer_query(buf, n, 0, deliver_udp, &u);
    return STC_OK;
}

/* fk_udp_recvfrom - the earliest datagram due (queue order on ties) */
static long fk_udp_recvfrom(void *user, int sock, void *buf, size_t cap, stc_ip_t *from,
                            uint16_t *from_port)
{
    sock_t *s = sock_get(sock);
    dgram_t **pp, **best = NULL, *d;
    long r;

    (void)user;
    if (s == NULL || !s->udp || buf == NULL || cap == 0 || from == NULL || from_port == NULL)
        return STC_EINVAL;
    for (pp = &s->q; *pp; pp = &(*pp)->next)
        if (reached(g.now, (*pp)->at) &&
            (best == NULL || (int32_t)((*pp)->at - (*best)->at) < 0))
            best = pp;
    if (best == NULL)
        return STC_EAGAIN;
    d = *best;
    *best = d->next;
    *from = d->from;
    *from_port = d->port;
    if (d->len > cap) {
        r = STC_ETOOLONG; /* as the POSIX port: consumed, an error */
    } else {
        memcpy(buf, d->data, d->len);
        r = (long)d->len;
    }
    free(d);
    return r;
}

/* fk_close - close a socket; its connection record stays for inspection */
static void fk_close(void *user, int sock)
{
    sock_t *s = sock_get(sock);
    (void)user;
    if (s == NULL)
        return;
    if (s->udp) {
        free_dgrams(s->q);
        g.st.udp_open--;
    } else {
        conn_t *c = g.conns[s->conn];
        c->pub.open = 0;
        c->pub.closed_at = g.now;
        g.st.tcp_open--;
    }
    memset(s, 0, sizeof *s);
}

/* readiness - revents of s for the asked events, now */
static uint8_t readiness(const sock_t *s, uint8_t ev)
{
    uint8_t rv = 0;
    if (s->udp) {
        const dgram_t *d;
        if (ev & STC_WANT_WRITE)
            rv |= STC_WANT_WRITE;
        for (d = s->q; d; d = d->next)
            if (reached(g.now, d->at)) {
                rv |= ev & STC_WANT_READ;
                break;
            }
        return rv;
    }
    if (!tcp_done(s))
        return 0;
    if (s->kind != FAKE_ACCEPT)
        return (uint8_t)((ev & (STC_WANT_READ | STC_WANT_WRITE)) | STC_READY_ERROR);
    {
        const conn_t *c = g.conns[s->conn];
        int r = rx_ready(c);
        rv |= ev & STC_WANT_WRITE;
        if (r)
            rv |= ev & STC_WANT_READ;
        if (r == 3 || (c->reset_set && reached(g.now, c->reset_at)))
            rv |= STC_READY_ERROR;
    }
    return rv;
}

/* next_event - earliest time after now when s changes; 0 when never */
static int next_event(const sock_t *s, uint32_t *at)
{
    if (s->udp) {
        const dgram_t *d;
        int have = 0;
        for (d = s->q; d; d = d->next)
            if (!reached(g.now, d->at) && (!have || (int32_t)(d->at - *at) < 0)) {
                *at = d->at;
                have = 1;
            }
        return have;
    }
    if (s->kind == FAKE_BLACKHOLE)
        return 0;
    if (!reached(g.now, s->ready_at)) {
        *at = s->ready_at;
        return 1;
    }
    if (s->kind != FAKE_ACCEPT)
        return 0;
    return rx_next_event(g.conns[s->conn], at);
}

/* fk_wait - ready sockets now, else jump the clock to the next event */
static int fk_wait(void *user, stc_pollfd_t *fds, size_t n, uint32_t timeout_ms)
{
    uint32_t deadline = g.now + timeout_ms;
    int guard;

    (void)user;
    ensure();
    g.st.waits++;
    if (g.wait_limit && g.st.waits > g.wait_limit) {
        g.st.wait_limit_hit = 1;
        return STC_EPORT;
    }
    if (fds == NULL && n > 0)
        return STC_EINVAL;
    for (guard = 0; guard < 100000; guard++) {
        uint32_t next = deadline, t = 0;
        size_t i;
        int ready = 0;
        for (i = 0; i < n; i++) {
            fds[i].revents = 0;
            if (fds[i].sock < 0)
                continue;
            if (fds[i].sock >= FAKE_MAX_SOCKS || !g.socks[fds[i].sock].used) {
                if (guard == 0)
                    g.st.bad_calls++;
                fds[i].revents = STC_READY_ERROR;
            } else {
                fds[i].revents = readiness(&g.socks[fds[i].sock], fds[i].events);
            }
            if (fds[i].revents)
                ready++;
        }
        if (ready || reached(g.now, deadline))
            return ready;
        for (i = 0; i < n; i++)
            if (fds[i].sock >= 0 && fds[i].sock < FAKE_MAX_SOCKS &&
                g.socks[fds[i].sock].used && next_event(&g.socks[fds[i].sock], &t) &&
                (int32_t)(t - next) < 0)
                next = t;
        g.now = next;
    }
    return 0;
}

/* fk_now_ms - the fake clock */
static uint32_t fk_now_ms(void *user)
{
    (void)user;
    ensure();
    return g.now;
}

/* fk_unix_time - wall clock following the fake clock */
static int64_t fk_unix_time(void *user)
{
    (void)user;
    ensure();
    return g.base_unix + (int64_t)((uint32_t)(g.now - g.base_ms) / 1000u);
}

/* fk_random - xorshift64*: deterministic, never constant */
static int fk_random(void *user, void *buf, size_t n)
{
    uint8_t *b = buf;
    size_t i;
    (void)user;
    ensure();
    if (g.random_fail)
        return STC_EPORT;
    for (i = 0; i < n; i++) {
        g.rng ^= g.rng >> 12;
        g.rng ^= g.rng << 25;
        g.rng ^= g.rng >> 27;
        b[i] = (uint8_t)((g.rng * 0x2545F4914F6CDD1Dull) >> 56);
    }
    return STC_OK;
}

/* fk_resolvers - the registered resolvers, in order */
static size_t fk_resolvers(void *user, stc_ip_t *out, size_t max)
{
    size_t i;
    (void)user;
    ensure();
    for (i = 0; i < g.nres && i < max; i++)
        out[i] = g.res[i].ip;
    return i;
}

/* fk_trust_anchors - the buffer set by fake_set_anchors */
static int fk_trust_anchors(void *user, const uint8_t **buf, size_t *len, int *format)
{
    (void)user;
    ensure();
    if (g.anchors == NULL)
        return STC_EPORT;
    *buf = g.anchors;
    *len = g.anchors_len;
    *format = g.anchors_fmt;
    return STC_OK;
}

static const stc_port_t fake_table = {
    STC_PORT_VERSION, NULL,
    fk_tcp_connect, fk_tcp_finish, fk_send, fk_recv,
    fk_udp_open, fk_udp_sendto, fk_udp_recvfrom, fk_close, fk_wait,
    fk_now_ms, fk_unix_time, fk_random, fk_resolvers, fk_trust_anchors,
};

/* ---- public API --------------------------------------------------------------------- */

/* fake_port - the table */
const stc_port_t *fake_port(void)
{
    ensure();
    return &fake_table;
}

/* fake_reset - free everything and restore the defaults */
void fake_reset(void)
{
    size_t i;
    for (i = 0; i < FAKE_MAX_SOCKS; i++)
        if (g.socks[i].used && g.socks[i].udp)
            free_dgrams(g.socks[i].q);
    for (i = 0; i < g.nconns; i++) {
        free(g.conns[i]->sent);
        free(g.conns[i]->rx);
        free(g.conns[i]->items);
        free(g.conns[i]);
    }
    for (i = 0; i < g.nrrs; i++) {
        free(g.rrs[i]->rdata);
        free(g.rrs[i]);
    }
    free(g.qlog);
    free(g.last_query);
    memset(&g, 0, sizeof g);
    g.inited = 1;
    g.now = g.base_ms = FAKE_T0;
    g.base_unix = FAKE_UNIX_T0;
    g.wait_limit = WAIT_LIMIT_DEFAULT;
    g.rng = 0x9E3779B97F4A7C15ull;
    g.ipv6 = 1;
    g.tcp_default = FAKE_REFUSE;
    g.dns_tcp = FAKE_ACCEPT;
}

/* fake_now - the clock */
uint32_t fake_now(void)
{
    ensure();
    return g.now;
}

/* fake_advance - move the clock forward */
void fake_advance(uint32_t ms)
{
    ensure();
    g.now += ms;
}

/* fake_set_time - set both clocks */
void fake_set_time(uint32_t now_ms, int64_t unix_time)
{
    ensure();
    g.now = g.base_ms = now_ms;
    g.base_unix = unix_time;
}

/* fake_set_wait_limit - cap wait() calls */
void fake_set_wait_limit(unsigned long n)
{
    ensure();
    g.wait_limit = n;
}

/* fake_resolver - add a resolver address */
int fake_resolver(const char *ip)
{
    stc_ip_t a;
    ensure();
    if (parse_ip(ip, &a) != 0 || g.nres >= FAKE_MAX_RESOLVERS)
        return -1;
    g.res[g.nres].ip = a;
    g.res[g.nres].mute = 0;
    g.nres++;
    return 0;
}

/* fake_resolver_mute - silence (or revive) a resolver */
int fake_resolver_mute(const char *ip, int mute)
{
    stc_ip_t a;
    resolver_t *r;
    ensure();
    if (parse_ip(ip, &a) != 0 || (r = find_resolver(&a)) == NULL)
        return -1;
    r->mute = mute ? 1 : 0;
    return 0;
}

/* add_rr - store one record with wire RDATA */
static int add_rr(const char *name, uint16_t type, const void *rdata, size_t len,
                  const char *target)
{
    rr_t *r;
    uint8_t tmp[256];
    if (g.nrrs >= FAKE_MAX_RRS || len > 65535)
        return -1;
    r = calloc(1, sizeof *r);
    if (r == NULL)
        return -1;
    if (norm_name(name, r->name, sizeof r->name) != 0 ||
        enc_name(r->name, tmp, sizeof tmp) == 0) {
        free(r);
        return -1;
    }
    r->type = type;
    r->rdata = malloc(len ? len : 1);
    if (r->rdata == NULL) {
        free(r);
        return -1;
    }
    memcpy(r->rdata, rdata, len);
    r->rdlen = len;
    if (target)
        strcpy(r->target, target);
    g.rrs[g.nrrs++] = r;
    return 0;
}

/* fake_dns_add - a record from its presentation data */
int fake_dns_add(const char *name, uint16_t type, const char *data)
{
    uint8_t rd[4096];
    char nm[256];
    size_t n = 0;
    stc_ip_t ip;

    ensure();
    if (name == NULL || data == NULL)
        return -1;
    switch (type) {
    case FAKE_A:
    case FAKE_AAAA:
        if (parse_ip(data, &ip) != 0 || ip.family != (type == FAKE_A ? 4 : 6))
            return -1;
        return add_rr(name, type, ip.addr, type == FAKE_A ? 4 : 16, NULL);
    case FAKE_MX: {
        char *end;
        unsigned long pref = strtoul(data, &end, 10);
        if (end == data || pref > 65535 || *end != ' ')
            return -1;
        while (*end == ' ')
            end++;
        rd[0] = (uint8_t)(pref >> 8);
        rd[1] = (uint8_t)pref;
        if (norm_name(end, nm, sizeof nm) != 0 || (n = enc_name(nm, rd + 2, 256)) == 0)
            return -1;
        return add_rr(name, type, rd, n + 2, NULL);
    }
    case FAKE_CNAME:
        if (norm_name(data, nm, sizeof nm) != 0 || (n = enc_name(nm, rd, 256)) == 0)
            return -1;
        return add_rr(name, type, rd, n, nm);
    case FAKE_TXT: {
        size_t len = strlen(data), off = 0;
        do { /* RFC 1035 3.3.14: character-strings of at most 255 octets */
            size_t k = len - off > 255 ? 255 : len - off;
            if (n + 1 + k > sizeof rd)
                return -1;
            rd[n++] = (uint8_t)k;
            memcpy(rd + n, data + off, k);
            n += k;
            off += k;
        } while (off < len);
        return add_rr(name, type, rd, n, NULL);
    }
    default:
        return -1;
    }
}

/* fake_dns_add_raw - a record with RDATA as given */
int fake_dns_add_raw(const char *name, uint16_t type, const void *rdata, size_t len)
{
    ensure();
    if (name == NULL || (rdata == NULL && len > 0))
        return -1;
    return add_rr(name, type, rdata, len, NULL);
}

/* fake_dns_rule - set the rule for (name, qtype), or the default */
int fake_dns_rule(const char *name, uint16_t qtype, const fake_dns_rule_t *r)
{
    char nm[256];
    size_t i;
    ensure();
    if (r == NULL)
        return -1;
    if (name == NULL) {
        memset(&g.def_rule, 0, sizeof g.def_rule);
        g.def_rule.r = *r;
        g.have_def_rule = 1;
        return 0;
    }
    if (norm_name(name, nm, sizeof nm) != 0)
        return -1;
    for (i = 0; i < g.nrules; i++)
        if (g.rules[i].qtype == qtype && strcmp(g.rules[i].name, nm) == 0)
            break;
    if (i == g.nrules) {
        if (g.nrules >= FAKE_MAX_RULES)
            return -1;
        g.nrules++;
    }
    memset(&g.rules[i], 0, sizeof g.rules[i]);
    strcpy(g.rules[i].name, nm);
    g.rules[i].qtype = qtype;
    g.rules[i].r = *r;
    return 0;
}

/* fake_dns_tcp - behaviour of resolver:53 over TCP */
void fake_dns_tcp(uint8_t kind)
{
    ensure();
    g.dns_tcp = kind;
}

/* fake_dns_count - queries seen for name/qtype */
unsigned long fake_dns_count(const char *name, uint16_t qtype)
{
    char nm[256];
    unsigned long n = 0;
    size_t i;
    ensure();
    if (name && norm_name(name, nm, sizeof nm) != 0)
        return 0;
    for (i = 0; i < g.nqlog; i++)
        if ((name == NULL || strcmp(g.qlog[i].name, nm) == 0) &&
            (qtype == 0 || g.qlog[i].qtype == qtype))
            n += g.qlog[i].count;
    return n;
}

/* fake_dns_last_query - the last query's bytes */
const uint8_t *fake_dns_last_query(size_t *len)
{
    ensure();
    if (len)
        *len = g.last_query_len;
    return g.last_query;
}

/* fake_tcp_peer - define the peer at ip:port */
int fake_tcp_peer(const char *ip, uint16_t port, const fake_peer_t *peer)
{
    stc_ip_t a;
    size_t i;
    peer_t *p;
    ensure();
    if (peer == NULL || parse_ip(ip, &a) != 0 || peer->nsteps > FAKE_MAX_STEPS ||
        (peer->nsteps > 0 && peer->script == NULL) || peer->kind > FAKE_NOAF ||
        peer->over_nsteps > FAKE_MAX_STEPS || (peer->over_nsteps > 0 && !peer->over_script))
        return -1;
    for (i = 0; i < g.npeers; i++)
        if (g.peers[i].port == port && ip_eq(&g.peers[i].ip, &a))
            break;
    if (i == g.npeers) {
        if (g.npeers >= FAKE_MAX_PEERS)
            return -1;
        g.npeers++;
    }
    p = &g.peers[i];
    memset(p, 0, sizeof *p);
    p->ip = a;
    p->port = port;
    p->cfg = *peer;
    if (peer->nsteps)
        memcpy(p->steps, peer->script, peer->nsteps * sizeof *p->steps);
    if (peer->over_nsteps)
        memcpy(p->over, peer->over_script, peer->over_nsteps * sizeof *p->over);
    p->cfg.script = NULL; /* the copies in steps[] and over[] are used */
    p->cfg.over_script = NULL;
    return 0;
}

/* fake_set_socket_limit - a socket table smaller than FAKE_MAX_SOCKS */
void fake_set_socket_limit(unsigned n)
{
    ensure();
    g.sock_limit = n;
}

/* fake_conn_max_concurrent - most connections open at once to ip:port */
unsigned fake_conn_max_concurrent(const char *ip, uint16_t port)
{
    stc_ip_t a;
    size_t i;
    unsigned m = 0;
    if (parse_ip(ip, &a) != 0)
        return 0;
    for (i = 0; i < g.nconns; i++)
        if (g.conns[i]->pub.port == port && ip_eq(&g.conns[i]->pub.ip, &a) &&
            g.conns[i]->pub.concurrent > m)
            m = g.conns[i]->pub.concurrent;
    return m;
}

/* fake_tcp_default - kind of undefined peers */
void fake_tcp_default(uint8_t kind)
{
    ensure();
    g.tcp_default = kind;
}

/* fake_set_ipv6 - whether family 6 is usable */
void fake_set_ipv6(int usable)
{
    ensure();
    g.ipv6 = usable ? 1 : 0;
}

/* fake_conn_count - connections made */
size_t fake_conn_count(void)
{
    ensure();
    return g.nconns;
}

/* fake_conn - connection i */
const fake_conn_t *fake_conn(size_t i)
{
    ensure();
    return i < g.nconns ? &g.conns[i]->pub : NULL;
}

/* fake_conn_index - the nth connection to ip:port */
int fake_conn_index(const char *ip, uint16_t port, size_t nth)
{
    stc_ip_t a;
    size_t i;
    ensure();
    if (parse_ip(ip, &a) != 0)
        return -1;
    for (i = 0; i < g.nconns; i++)
        if (g.conns[i]->pub.port == port && ip_eq(&g.conns[i]->pub.ip, &a) && nth-- == 0)
            return (int)i;
    return -1;
}

/* fake_conn_sent - did connection i's client send s? */
int fake_conn_sent(int i, const char *s)
{
    const fake_conn_t *c;
    size_t n, k;
    ensure();
    if (i < 0 || (size_t)i >= g.nconns || s == NULL)
        return 0;
    c = &g.conns[i]->pub;
    n = strlen(s);
    if (n == 0)
        return 1;
    for (k = 0; k + n <= c->sent_len; k++)
        if (memcmp(c->sent + k, s, n) == 0)
            return 1;
    return 0;
}

/* fake_stats - the counters */
const fake_stats_t *fake_stats(void)
{
    ensure();
    return &g.st;
}

/* fake_open_sockets - sockets not closed */
size_t fake_open_sockets(void)
{
    ensure();
    return (size_t)g.st.tcp_open + g.st.udp_open;
}

/* fake_seed - seed random() */
void fake_seed(uint64_t seed)
{
    ensure();
    g.rng = seed ? seed : 0x9E3779B97F4A7C15ull; /* xorshift must not be 0 */
}

/* fake_random_fail - make random() fail */
void fake_random_fail(int fail)
{
    ensure();
    g.random_fail = fail;
}

/* fake_set_anchors - what trust_anchors() returns */
void fake_set_anchors(const uint8_t *buf, size_t len, int format)
{
    ensure();
    g.anchors = buf;
    g.anchors_len = len;
    g.anchors_fmt = format;
}
