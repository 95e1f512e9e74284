/* test_dns_msg.c - DNS query building, response checking and decoding
 *
 * Hand-written vectors are commented field by field (offsets in the
 * comments are from the start of the message). Generated messages (long
 * names, pointer chains, CNAME chains) come from the small builder below.
 */
#include "unit.h"

#include "stc_int.h"

/* ---- a tiny message builder for generated cases ---------------------------- */

typedef struct mb {
    uint8_t b[4096];
    size_t n;
} mb_t;

static void mb_u8(mb_t *m, unsigned v)
{
    if (m->n < sizeof m->b)
        m->b[m->n++] = (uint8_t)v;
}

static void mb_u16(mb_t *m, unsigned v)
{
    mb_u8(m, (v >> 8) & 0xff);
    mb_u8(m, v & 0xff);
}

static void mb_u32(mb_t *m, unsigned long v)
{
    mb_u16(m, (unsigned)((v >> 16) & 0xffff));
    mb_u16(m, (unsigned)(v & 0xffff));
}

/* mb_name - uncompressed wire form of a dotted name ("" = root) */
static void mb_name(mb_t *m, const char *s)
{
    while (*s) {
        const char *dot = strchr(s, '.');
        size_t l = dot ? (size_t)(dot - s) : strlen(s);
        mb_u8(m, (unsigned)l);
        while (l--)
            mb_u8(m, (uint8_t)*s++);
        if (*s == '.')
            s++;
    }
    mb_u8(m, 0);
}

static void mb_header(mb_t *m, unsigned id, unsigned flags, unsigned qd, unsigned an,
                      unsigned ns, unsigned ar)
{
    m->n = 0;
    mb_u16(m, id);
    mb_u16(m, flags);
    mb_u16(m, qd);
    mb_u16(m, an);
    mb_u16(m, ns);
    mb_u16(m, ar);
}

static void mb_question(mb_t *m, const char *name, unsigned type)
{
    mb_name(m, name);
    mb_u16(m, type);
    mb_u16(m, 1);
}

/* mb_rr_name - an IN record whose RDATA is one uncompressed name */
static void mb_rr_name(mb_t *m, const char *owner, unsigned type, const char *target)
{
    size_t at;
    mb_name(m, owner);
    mb_u16(m, type);
    mb_u16(m, 1);
    mb_u32(m, 60);
    at = m->n;
    mb_u16(m, 0); /* RDLENGTH, patched below */
    mb_name(m, target);
    m->b[at] = (uint8_t)((m->n - at - 2) >> 8);
    m->b[at + 1] = (uint8_t)(m->n - at - 2);
}

/* mb_rr_a - an IN A record */
static void mb_rr_a(mb_t *m, const char *owner, unsigned last)
{
    mb_name(m, owner);
    mb_u16(m, STC_DNS_A);
    mb_u16(m, 1);
    mb_u32(m, 60);
    mb_u16(m, 4);
    mb_u8(m, 192);
    mb_u8(m, 0);
    mb_u8(m, 2);
    mb_u8(m, last);
}

/* ---- vectors --------------------------------------------------------------- */

/* Query example.org MX, id 0x1234, EDNS 1232 with DO. */
static const uint8_t q_mx[] = {
    0x12, 0x34, /* ID */
    0x01, 0x00, /* QR=0 OPCODE=0 AA=0 TC=0 RD=1 | RA=0 Z=0 AD=0 CD=0 RCODE=0 */
    0x00, 0x01, /* QDCOUNT 1 */
    0x00, 0x00, /* ANCOUNT 0 */
    0x00, 0x00, /* NSCOUNT 0 */
    0x00, 0x01, /* ARCOUNT 1: the OPT RR */
    /* @12 QNAME */
    0x07, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0x03, 'o', 'r', 'g', 0x00,
    0x00, 0x0f, /* QTYPE MX */
    0x00, 0x01, /* QCLASS IN */
    /* @29 OPT pseudo-RR (RFC 6891 6.1.2) */
    0x00,       /* owner: root */
    0x00, 0x29, /* TYPE OPT (41) */
    0x04, 0xd0, /* CLASS = UDP payload size 1232 */
    0x00,       /* extended RCODE */
    0x00,       /* EDNS version 0 */
    0x80, 0x00, /* DO=1, Z=0 */
    0x00, 0x00, /* RDLENGTH 0 */
};

/* Response: example.org MX with three answers using compression. */
static const uint8_t r_mx[] = {
    0x12, 0x34, /* ID */
    0x81, 0x80, /* QR=1 OPCODE=0 AA=0 TC=0 RD=1 | RA=1 AD=0 RCODE=0 */
    0x00, 0x01, /* QDCOUNT 1 */
    0x00, 0x03, /* ANCOUNT 3 */
    0x00, 0x00, /* NSCOUNT 0 */
    0x00, 0x00, /* ARCOUNT 0 */
    /* @12 question: example.org MX IN */
    0x07, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0x03, 'o', 'r', 'g', 0x00,
    0x00, 0x0f, 0x00, 0x01,
    /* @29 answer 1 */
    0xc0, 0x0c,             /* owner -> @12 "example.org" */
    0x00, 0x0f,             /* TYPE MX */
    0x00, 0x01,             /* CLASS IN */
    0x00, 0x00, 0x0e, 0x10, /* TTL 3600 */
    0x00, 0x09,             /* RDLENGTH 9 */
    0x00, 0x0a,             /* @41 PREFERENCE 10 */
    0x04, 'M', 'X', '0', '1', 0xc0, 0x0c, /* @43 "MX01" -> @12: mx01.example.org */
    /* @50 answer 2 */
    0xc0, 0x0c, 0x00, 0x0f, 0x00, 0x01, 0x00, 0x00, 0x0e, 0x10,
    0x00, 0x08,             /* RDLENGTH 8 */
    0x00, 0x14,             /* @62 PREFERENCE 20 */
    0x03, 'a', 'l', 't', 0xc0, 0x2b, /* @64 "alt" -> @43 -> @12 (two hops) */
    /* @70 answer 3 */
    0xc0, 0x0c, 0x00, 0x0f, 0x00, 0x01,
    0x80, 0x00, 0x00, 0x01, /* TTL with the top bit set: read as 0 */
    0x00, 0x04,             /* @80 RDLENGTH 4 */
    0x00, 0x1e,             /* @82 PREFERENCE 30 */
    0xc0, 0x2b,             /* @84 -> @43 mx01.example.org */
    /* @86 end */
};

/* Response: mail.example.org A, AD set, OPT in the additional section. */
static const uint8_t r_a[] = {
    0xbe, 0xef, /* ID */
    0x81, 0xa0, /* QR=1 RD=1 | RA=1 AD=1 RCODE=0 */
    0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, /* QD 1 AN 1 NS 0 AR 1 */
    /* @12 question: mail.example.org A IN */
    0x04, 'm', 'a', 'i', 'l', 0x07, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0x03, 'o', 'r', 'g', 0x00,
    0x00, 0x01, 0x00, 0x01,
    /* @34 answer */
    0xc0, 0x0c,             /* owner -> @12 */
    0x00, 0x01, 0x00, 0x01, /* A IN */
    0x00, 0x00, 0x01, 0x2c, /* TTL 300 */
    0x00, 0x04,             /* RDLENGTH 4 */
    192, 0, 2, 1,           /* 192.0.2.1 */
    /* @50 additional: OPT, payload 1232, DO */
    0x00, 0x00, 0x29, 0x04, 0xd0, 0x00, 0x00, 0x80, 0x00, 0x00, 0x00,
};

/* Response: mx01.example.org AAAA, AA set. */
static const uint8_t r_aaaa[] = {
    0x00, 0x01, /* ID */
    0x85, 0x00, /* QR=1 AA=1 RD=1 | RA=0 RCODE=0 */
    0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
    /* @12 question: mx01.example.org AAAA IN */
    0x04, 'm', 'x', '0', '1', 0x07, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0x03, 'o', 'r', 'g', 0x00,
    0x00, 0x1c, 0x00, 0x01,
    /* @34 answer */
    0xc0, 0x0c, 0x00, 0x1c, 0x00, 0x01, 0x00, 0x00, 0x00, 0x3c,
    0x00, 0x10, /* RDLENGTH 16 */
    0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, /* 2001:db8::1 */
};

/* Response: www.example.org A: CNAME -> web.example.org CNAME ->
 * host.example.net, then host.example.net A, all in one answer. */
static const uint8_t r_chain[] = {
    0x42, 0x42, /* ID */
    0x81, 0x80, /* QR=1 RD=1 | RA=1 */
    0x00, 0x01, 0x00, 0x03, 0x00, 0x00, 0x00, 0x00, /* QD 1 AN 3 */
    /* @12 question: www.example.org A IN ("example" at @16) */
    0x03, 'w', 'w', 'w', 0x07, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0x03, 'o', 'r', 'g', 0x00,
    0x00, 0x01, 0x00, 0x01,
    /* @33 answer 1: www.example.org CNAME web.example.org */
    0xc0, 0x0c, 0x00, 0x05, 0x00, 0x01, 0x00, 0x00, 0x00, 0x3c,
    0x00, 0x06,                      /* RDLENGTH 6 */
    0x03, 'w', 'e', 'b', 0xc0, 0x10, /* @45 "web" -> @16 example.org */
    /* @51 answer 2: web.example.org CNAME host.example.net */
    0xc0, 0x2d,                      /* owner -> @45 */
    0x00, 0x05, 0x00, 0x01, 0x00, 0x00, 0x00, 0x3c,
    0x00, 0x12,                      /* RDLENGTH 18 */
    0x04, 'h', 'o', 's', 't', 0x07, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0x03, 'n', 'e', 't', 0x00,
    /* @81 answer 3: host.example.net A 192.0.2.7 */
    0xc0, 0x3f,                      /* owner -> @63 */
    0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x3c,
    0x00, 0x04, 192, 0, 2, 7,
};

/* Response: example.org MX with the null MX "0 ." (RFC 7505). */
static const uint8_t r_nullmx[] = {
    0x00, 0x07, 0x81, 0x80, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
    /* @12 question */
    0x07, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0x03, 'o', 'r', 'g', 0x00,
    0x00, 0x0f, 0x00, 0x01,
    /* @29 answer: example.org MX 0 . */
    0xc0, 0x0c, 0x00, 0x0f, 0x00, 0x01, 0x00, 0x00, 0x0e, 0x10,
    0x00, 0x03, /* RDLENGTH 3 */
    0x00, 0x00, /* PREFERENCE 0 */
    0x00,       /* EXCHANGE: the root */
};

/* Header + question only (example.org MX, id 0x1234) with chosen flags and
 * ANCOUNT; used for TC and RCODE cases. */
static size_t hdr_only(uint8_t *out, uint8_t f1, uint8_t f2, uint8_t ancount)
{
    const uint8_t m[] = {
        0x12, 0x34, f1, f2, 0x00, 0x01, 0x00, ancount, 0x00, 0x00, 0x00, 0x00,
        0x07, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0x03, 'o', 'r', 'g', 0x00,
        0x00, 0x0f, 0x00, 0x01,
    };
    memcpy(out, m, sizeof m);
    return sizeof m;
}

/* ---- query building ------------------------------------------------------- */

static void test_build_query(void)
{
    uint8_t buf[512];
    size_t n;

    n = stc_dns_build_query(buf, sizeof buf, 0x1234, "example.org", STC_DNS_MX, 1232);
    CHECK_EQ(n, sizeof q_mx);
    CHECK(n == sizeof q_mx && memcmp(buf, q_mx, n) == 0);
    /* the trailing dot changes nothing */
    n = stc_dns_build_query(buf, sizeof buf, 0x1234, "example.org.", STC_DNS_MX, 1232);
    CHECK(n == sizeof q_mx && memcmp(buf, q_mx, n) == 0);
    /* RD is the only header flag; DO is the top bit of the OPT TTL */
    CHECK_EQ(buf[2], 0x01);
    CHECK_EQ(buf[3], 0x00);
    CHECK_EQ(buf[n - 4], 0x80);
    /* exactly enough room, then one byte short */
    CHECK_EQ(stc_dns_build_query(buf, sizeof q_mx, 0x1234, "example.org", STC_DNS_MX, 1232),
             sizeof q_mx);
    CHECK_EQ(stc_dns_build_query(buf, sizeof q_mx - 1, 0x1234, "example.org", STC_DNS_MX, 1232),
             0);
    CHECK_EQ(stc_dns_build_query(buf, 0, 0x1234, "example.org", STC_DNS_MX, 1232), 0);
    /* RFC 6891 6.2.5: payload sizes below 512 are announced as 512 */
    n = stc_dns_build_query(buf, sizeof buf, 1, "example.org", STC_DNS_A, 100);
    CHECK_EQ(buf[n - 8], 0x02);
    CHECK_EQ(buf[n - 7], 0x00);
    /* QTYPE TLSA and the id in network order */
    n = stc_dns_build_query(buf, sizeof buf, 0xa55a, "_25._tcp.mx.example.org", STC_DNS_TLSA, 1232);
    CHECK(n > 0);
    CHECK_EQ(buf[0], 0xa5);
    CHECK_EQ(buf[1], 0x5a);
    CHECK_EQ(buf[n - 15], 0x00);
    CHECK_EQ(buf[n - 14], 52);
    /* the root: "" and "." are one zero octet */
    n = stc_dns_build_query(buf, sizeof buf, 1, "", STC_DNS_A, 1232);
    CHECK_EQ(n, 12 + 1 + 4 + 11);
    CHECK_EQ(buf[12], 0);
    CHECK_EQ(stc_dns_build_query(buf, sizeof buf, 1, ".", STC_DNS_A, 1232), 12 + 1 + 4 + 11);
}

static void test_build_query_0x20(void)
{
    uint8_t buf[512];
    size_t n = stc_dns_build_query(buf, sizeof buf, 7, "ExAmPlE.oRg", STC_DNS_MX, 1232);

    /* the case the caller chose goes on the wire unchanged (0x20 bits) */
    CHECK_EQ(n, sizeof q_mx);
    CHECK(memcmp(buf + 13, "ExAmPlE", 7) == 0);
    CHECK(memcmp(buf + 21, "oRg", 3) == 0);
}

static void test_build_query_bad_names(void)
{
    uint8_t buf[600];
    char name[300];

    CHECK_EQ(stc_dns_build_query(buf, sizeof buf, 1, "a..b", STC_DNS_A, 1232), 0);
    CHECK_EQ(stc_dns_build_query(buf, sizeof buf, 1, ".a", STC_DNS_A, 1232), 0);
    CHECK_EQ(stc_dns_build_query(buf, sizeof buf, 1, "a..", STC_DNS_A, 1232), 0);
    CHECK_EQ(stc_dns_build_query(buf, sizeof buf, 1, "..", STC_DNS_A, 1232), 0);
    CHECK_EQ(stc_dns_build_query(buf, sizeof buf, 1, "a b.org", STC_DNS_A, 1232), 0);
    CHECK_EQ(stc_dns_build_query(buf, sizeof buf, 1, "a\x7f.org", STC_DNS_A, 1232), 0);
    CHECK_EQ(stc_dns_build_query(buf, sizeof buf, 1, "caf\xc3\xa9.org", STC_DNS_A, 1232), 0);
    /* labels: 63 octets fine, 64 not */
    memset(name, 'a', 63);
    strcpy(name + 63, ".org");
    CHECK(stc_dns_build_query(buf, sizeof buf, 1, name, STC_DNS_A, 1232) > 0);
    memset(name, 'a', 64);
    strcpy(name + 64, ".org");
    CHECK_EQ(stc_dns_build_query(buf, sizeof buf, 1, name, STC_DNS_A, 1232), 0);
    /* names: 3 x 63 + 61 = 253 characters = 255 wire octets fine, one more not */
    memset(name, 'a', 253);
    name[63] = name[127] = name[191] = '.';
    name[253] = '\0';
    CHECK(stc_dns_build_query(buf, sizeof buf, 1, name, STC_DNS_A, 1232) > 0);
    name[253] = 'a';
    name[254] = '\0';
    CHECK_EQ(stc_dns_build_query(buf, sizeof buf, 1, name, STC_DNS_A, 1232), 0);
    name[254] = '.'; /* a trailing dot does not count */
    name[255] = '\0';
    CHECK_EQ(stc_dns_build_query(buf, sizeof buf, 1, name, STC_DNS_A, 1232), 0);
    name[253] = '.';
    name[254] = '\0';
    CHECK(stc_dns_build_query(buf, sizeof buf, 1, name, STC_DNS_A, 1232) > 0);
}

/* ---- good responses ----------------------------------------------------------- */

typedef struct collect {
    int n;
    uint16_t pref[8];
    char name[8][STC_NAME_MAX + 1];
    stc_ip_t ip[8];
    int stop_after; /* return -99 after this many (0 = never) */
} collect_t;

static int on_mx(void *ctx, const stc_dns_resp_t *resp, const stc_dns_rr_t *rr)
{
    collect_t *c = (collect_t *)ctx;
    if (c->n < 8 && stc_dns_rdata_mx(resp, rr, &c->pref[c->n], c->name[c->n],
                                     sizeof c->name[0]) == STC_OK)
        c->n++;
    return c->stop_after && c->n >= c->stop_after ? -99 : 0;
}

static int on_ip(void *ctx, const stc_dns_resp_t *resp, const stc_dns_rr_t *rr)
{
    collect_t *c = (collect_t *)ctx;
    if (c->n < 8 && stc_dns_rdata_ip(resp, rr, &c->ip[c->n]) == STC_OK)
        c->n++;
    return 0;
}

static int on_any(void *ctx, const stc_dns_resp_t *resp, const stc_dns_rr_t *rr)
{
    collect_t *c = (collect_t *)ctx;
    (void)resp;
    if (c->n < 8)
        strcpy(c->name[c->n], rr->owner);
    c->n++;
    return 0;
}

static void test_mx_response(void)
{
    stc_dns_resp_t r;
    stc_dns_rr_t rr;
    collect_t c;
    char name[STC_NAME_MAX + 1], target[STC_NAME_MAX + 1];
    size_t pos;
    uint16_t idx, pref;

    CHECK_EQ(stc_dns_parse_response(r_mx, sizeof r_mx, 0x1234, "example.org", STC_DNS_MX, &r),
             STC_OK);
    CHECK_EQ(r.id, 0x1234);
    CHECK_EQ(r.rcode, 0);
    CHECK_EQ(r.tc, 0);
    CHECK_EQ(r.ad, 0);
    CHECK_EQ(r.aa, 0);
    CHECK_EQ(r.ancount, 3);
    CHECK_EQ(r.an_off, 29);

    pos = r.an_off;
    idx = 0;
    CHECK_EQ(stc_dns_next_answer(&r, &pos, &idx, &rr), STC_OK);
    CHECK_STR(rr.owner, "example.org");
    CHECK_EQ(rr.type, STC_DNS_MX);
    CHECK_EQ(rr.cls, 1);
    CHECK_EQ(rr.ttl, 3600);
    CHECK_EQ(rr.rdata_off, 41);
    CHECK_EQ(rr.rdlen, 9);
    CHECK_EQ(pos, 50);
    CHECK_EQ(stc_dns_rdata_mx(&r, &rr, &pref, name, sizeof name), STC_OK);
    CHECK_EQ(pref, 10);
    CHECK_STR(name, "mx01.example.org"); /* "MX01" lower-cased */
    /* wrong decoder for the type */
    CHECK_EQ(stc_dns_rdata_name(&r, &rr, name, sizeof name), STC_EINVAL);
    {
        stc_ip_t ip;
        CHECK_EQ(stc_dns_rdata_ip(&r, &rr, &ip), STC_EINVAL);
    }
    /* exchange into a too small buffer: 16 characters need 17 bytes */
    CHECK_EQ(stc_dns_rdata_mx(&r, &rr, &pref, name, 16), STC_ETOOLONG);
    CHECK_EQ(stc_dns_rdata_mx(&r, &rr, &pref, name, 17), STC_OK);

    CHECK_EQ(stc_dns_next_answer(&r, &pos, &idx, &rr), STC_OK);
    CHECK_EQ(stc_dns_rdata_mx(&r, &rr, &pref, name, sizeof name), STC_OK);
    CHECK_EQ(pref, 20);
    CHECK_STR(name, "alt.mx01.example.org");

    CHECK_EQ(stc_dns_next_answer(&r, &pos, &idx, &rr), STC_OK);
    CHECK_EQ(rr.ttl, 0); /* RFC 2181 8 */
    CHECK_EQ(stc_dns_rdata_mx(&r, &rr, &pref, name, sizeof name), STC_OK);
    CHECK_EQ(pref, 30);
    CHECK_STR(name, "mx01.example.org");
    CHECK_EQ(pos, sizeof r_mx);
    CHECK_EQ(idx, 3);
    CHECK_EQ(stc_dns_next_answer(&r, &pos, &idx, &rr), STC_ECLOSED);

    memset(&c, 0, sizeof c);
    CHECK_EQ(stc_dns_extract(&r, "example.org", STC_DNS_MX, on_mx, &c, target, sizeof target), 3);
    CHECK_EQ(c.n, 3);
    CHECK_STR(target, "example.org");
    CHECK_EQ(c.pref[0], 10);
    CHECK_STR(c.name[1], "alt.mx01.example.org");
    /* a negative callback result stops the walk and comes back as is */
    memset(&c, 0, sizeof c);
    c.stop_after = 1;
    CHECK_EQ(stc_dns_extract(&r, "example.org", STC_DNS_MX, on_mx, &c, target, sizeof target), -99);
    CHECK_EQ(c.n, 1);
    /* the target buffer must hold the final name */
    memset(&c, 0, sizeof c);
    CHECK_EQ(stc_dns_extract(&r, "example.org", STC_DNS_MX, on_mx, &c, target, 11), STC_ETOOLONG);
    CHECK_EQ(c.n, 0);
    /* records of another type than asked for: none */
    memset(&c, 0, sizeof c);
    CHECK_EQ(stc_dns_extract(&r, "example.org", STC_DNS_A, on_any, &c, target, sizeof target), 0);
}

static void test_a_response(void)
{
    stc_dns_resp_t r;
    stc_dns_rr_t rr;
    collect_t c;
    char target[STC_NAME_MAX + 1];
    size_t pos;
    uint16_t idx;
    stc_ip_t ip;

    CHECK_EQ(stc_dns_parse_response(r_a, sizeof r_a, 0xbeef, "mail.example.org", STC_DNS_A, &r),
             STC_OK);
    CHECK_EQ(r.ad, 1);
    CHECK_EQ(r.arcount, 1);
    pos = r.an_off;
    idx = 0;
    CHECK_EQ(stc_dns_next_answer(&r, &pos, &idx, &rr), STC_OK);
    CHECK_EQ(rr.ttl, 300);
    CHECK_EQ(stc_dns_rdata_ip(&r, &rr, &ip), STC_OK);
    CHECK_EQ(ip.family, 4);
    CHECK(memcmp(ip.addr, "\xc0\x00\x02\x01", 4) == 0);
    CHECK_EQ(ip.addr[4], 0);
    /* the OPT RR of the additional section is not an answer */
    CHECK_EQ(stc_dns_next_answer(&r, &pos, &idx, &rr), STC_ECLOSED);
    memset(&c, 0, sizeof c);
    CHECK_EQ(stc_dns_extract(&r, "mail.example.org.", STC_DNS_A, on_ip, &c, target, sizeof target),
             1);
    CHECK_STR(target, "mail.example.org");
    /* the trailing dot on our side does not matter for the question either */
    CHECK_EQ(stc_dns_parse_response(r_a, sizeof r_a, 0xbeef, "mail.example.org.", STC_DNS_A, &r),
             STC_OK);
}

static void test_aaaa_response(void)
{
    stc_dns_resp_t r;
    stc_dns_rr_t rr;
    size_t pos;
    uint16_t idx;
    stc_ip_t ip;
    static const uint8_t want[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};

    CHECK_EQ(stc_dns_parse_response(r_aaaa, sizeof r_aaaa, 1, "mx01.example.org", STC_DNS_AAAA, &r),
             STC_OK);
    CHECK_EQ(r.aa, 1);
    CHECK_EQ(r.ad, 0);
    pos = r.an_off;
    idx = 0;
    CHECK_EQ(stc_dns_next_answer(&r, &pos, &idx, &rr), STC_OK);
    CHECK_EQ(stc_dns_rdata_ip(&r, &rr, &ip), STC_OK);
    CHECK_EQ(ip.family, 6);
    CHECK(memcmp(ip.addr, want, 16) == 0);
    /* the same RDATA claimed to be an A record: 16 octets is wrong for A */
    rr.type = STC_DNS_A;
    CHECK_EQ(stc_dns_rdata_ip(&r, &rr, &ip), STC_EPROTO);
    /* a non-IN class has another RDATA format */
    rr.type = STC_DNS_AAAA;
    rr.cls = 3;
    CHECK_EQ(stc_dns_rdata_ip(&r, &rr, &ip), STC_EINVAL);
}

static void test_cname_chain(void)
{
    stc_dns_resp_t r;
    collect_t c;
    char target[STC_NAME_MAX + 1];

    CHECK_EQ(stc_dns_parse_response(r_chain, sizeof r_chain, 0x4242, "www.example.org", STC_DNS_A,
                                    &r),
             STC_OK);
    memset(&c, 0, sizeof c);
    CHECK_EQ(stc_dns_extract(&r, "www.example.org", STC_DNS_A, on_ip, &c, target, sizeof target), 1);
    CHECK_STR(target, "host.example.net");
    CHECK_EQ(c.ip[0].family, 4);
    CHECK_EQ(c.ip[0].addr[3], 7);
    /* qname matched without regard to case */
    memset(&c, 0, sizeof c);
    CHECK_EQ(stc_dns_extract(&r, "WWW.Example.ORG", STC_DNS_A, on_ip, &c, target, sizeof target), 1);
    CHECK_STR(target, "host.example.net");
    /* asking for the CNAME itself: the first record, not chased */
    memset(&c, 0, sizeof c);
    CHECK_EQ(stc_dns_extract(&r, "www.example.org", STC_DNS_CNAME, on_any, &c, target,
                             sizeof target),
             1);
    CHECK_STR(target, "www.example.org");
    CHECK_STR(c.name[0], "www.example.org");
    /* the CNAME targets through the name decoder */
    {
        stc_dns_rr_t rr;
        size_t pos = r.an_off;
        uint16_t idx = 0;
        char name[STC_NAME_MAX + 1];
        CHECK_EQ(stc_dns_next_answer(&r, &pos, &idx, &rr), STC_OK);
        CHECK_EQ(stc_dns_rdata_name(&r, &rr, name, sizeof name), STC_OK);
        CHECK_STR(name, "web.example.org");
        CHECK_EQ(stc_dns_next_answer(&r, &pos, &idx, &rr), STC_OK);
        CHECK_STR(rr.owner, "web.example.org");
        CHECK_EQ(stc_dns_rdata_name(&r, &rr, name, sizeof name), STC_OK);
        CHECK_STR(name, "host.example.net");
    }
}

static void test_cname_generated(void)
{
    mb_t m;
    stc_dns_resp_t r;
    collect_t c;
    char target[STC_NAME_MAX + 1];

    /* chain in reverse order, case mixed, no data at the end: 0 records and
     * the caller learns where to ask next */
    mb_header(&m, 9, 0x8180, 1, 2, 0, 0);
    mb_question(&m, "a.example", STC_DNS_A);
    mb_rr_name(&m, "B.example", STC_DNS_CNAME, "C.Example");
    mb_rr_name(&m, "a.example", STC_DNS_CNAME, "b.example");
    CHECK_EQ(stc_dns_parse_response(m.b, m.n, 9, "A.EXAMPLE", STC_DNS_A, &r), STC_OK);
    memset(&c, 0, sizeof c);
    CHECK_EQ(stc_dns_extract(&r, "a.example", STC_DNS_A, on_ip, &c, target, sizeof target), 0);
    CHECK_STR(target, "c.example");

    /* A at an intermediate name is not the answer: the alias wins */
    mb_header(&m, 9, 0x8180, 1, 3, 0, 0);
    mb_question(&m, "a.example", STC_DNS_A);
    mb_rr_a(&m, "a.example", 1);
    mb_rr_name(&m, "a.example", STC_DNS_CNAME, "b.example");
    mb_rr_a(&m, "b.example", 2);
    CHECK_EQ(stc_dns_parse_response(m.b, m.n, 9, "a.example", STC_DNS_A, &r), STC_OK);
    memset(&c, 0, sizeof c);
    CHECK_EQ(stc_dns_extract(&r, "a.example", STC_DNS_A, on_ip, &c, target, sizeof target), 1);
    CHECK_EQ(c.ip[0].addr[3], 2);

    /* the same CNAME twice is harmless; two different targets are not
     * (RFC 2181 10.1) */
    mb_header(&m, 9, 0x8180, 1, 3, 0, 0);
    mb_question(&m, "a.example", STC_DNS_A);
    mb_rr_name(&m, "a.example", STC_DNS_CNAME, "b.example");
    mb_rr_name(&m, "a.example", STC_DNS_CNAME, "b.example");
    mb_rr_a(&m, "b.example", 3);
    CHECK_EQ(stc_dns_parse_response(m.b, m.n, 9, "a.example", STC_DNS_A, &r), STC_OK);
    memset(&c, 0, sizeof c);
    CHECK_EQ(stc_dns_extract(&r, "a.example", STC_DNS_A, on_ip, &c, target, sizeof target), 1);
    mb_header(&m, 9, 0x8180, 1, 3, 0, 0);
    mb_question(&m, "a.example", STC_DNS_A);
    mb_rr_name(&m, "a.example", STC_DNS_CNAME, "b.example");
    mb_rr_name(&m, "a.example", STC_DNS_CNAME, "c.example");
    mb_rr_a(&m, "b.example", 3);
    CHECK_EQ(stc_dns_parse_response(m.b, m.n, 9, "a.example", STC_DNS_A, &r), STC_OK);
    memset(&c, 0, sizeof c);
    CHECK_EQ(stc_dns_extract(&r, "a.example", STC_DNS_A, on_ip, &c, target, sizeof target),
             STC_EPROTO);
    CHECK_EQ(c.n, 0);
}

static void test_cname_loop(void)
{
    mb_t m;
    stc_dns_resp_t r;
    collect_t c;
    char target[STC_NAME_MAX + 1];

    /* a -> b -> a */
    mb_header(&m, 9, 0x8180, 1, 2, 0, 0);
    mb_question(&m, "a.example", STC_DNS_A);
    mb_rr_name(&m, "a.example", STC_DNS_CNAME, "b.example");
    mb_rr_name(&m, "b.example", STC_DNS_CNAME, "a.example");
    CHECK_EQ(stc_dns_parse_response(m.b, m.n, 9, "a.example", STC_DNS_A, &r), STC_OK);
    memset(&c, 0, sizeof c);
    CHECK_EQ(stc_dns_extract(&r, "a.example", STC_DNS_A, on_ip, &c, target, sizeof target),
             STC_EPROTO);
    /* a -> a */
    mb_header(&m, 9, 0x8180, 1, 1, 0, 0);
    mb_question(&m, "a.example", STC_DNS_A);
    mb_rr_name(&m, "a.example", STC_DNS_CNAME, "a.example");
    CHECK_EQ(stc_dns_parse_response(m.b, m.n, 9, "a.example", STC_DNS_A, &r), STC_OK);
    CHECK_EQ(stc_dns_extract(&r, "a.example", STC_DNS_A, on_ip, &c, target, sizeof target),
             STC_EPROTO);
    /* a -> b -> c -> b: the loop does not include the start */
    mb_header(&m, 9, 0x8180, 1, 3, 0, 0);
    mb_question(&m, "a.example", STC_DNS_A);
    mb_rr_name(&m, "a.example", STC_DNS_CNAME, "b.example");
    mb_rr_name(&m, "b.example", STC_DNS_CNAME, "c.example");
    mb_rr_name(&m, "c.example", STC_DNS_CNAME, "B.example");
    CHECK_EQ(stc_dns_parse_response(m.b, m.n, 9, "a.example", STC_DNS_A, &r), STC_OK);
    CHECK_EQ(stc_dns_extract(&r, "a.example", STC_DNS_A, on_ip, &c, target, sizeof target),
             STC_EPROTO);
    CHECK_EQ(c.n, 0);
}

/* chain - n0 -> n1 -> ... -> n<links>, then n<links> A */
static void chain(mb_t *m, int links)
{
    char a[32], b[32] = "n0.example";
    int i;

    mb_header(m, 9, 0x8180, 1, (unsigned)links + 1, 0, 0);
    mb_question(m, "n0.example", STC_DNS_A);
    for (i = 0; i < links; i++) {
        sprintf(a, "n%d.example", i);
        sprintf(b, "n%d.example", i + 1);
        mb_rr_name(m, a, STC_DNS_CNAME, b);
    }
    mb_rr_a(m, b, 9);
}

static void test_cname_too_long(void)
{
    mb_t m;
    stc_dns_resp_t r;
    collect_t c;
    char target[STC_NAME_MAX + 1];

    chain(&m, STC_DNS_CNAME_MAX);
    CHECK_EQ(stc_dns_parse_response(m.b, m.n, 9, "n0.example", STC_DNS_A, &r), STC_OK);
    memset(&c, 0, sizeof c);
    CHECK_EQ(stc_dns_extract(&r, "n0.example", STC_DNS_A, on_ip, &c, target, sizeof target), 1);
    CHECK_EQ(c.ip[0].addr[3], 9);
    chain(&m, STC_DNS_CNAME_MAX + 1);
    CHECK_EQ(stc_dns_parse_response(m.b, m.n, 9, "n0.example", STC_DNS_A, &r), STC_OK);
    memset(&c, 0, sizeof c);
    CHECK_EQ(stc_dns_extract(&r, "n0.example", STC_DNS_A, on_ip, &c, target, sizeof target),
             STC_EPROTO);
    CHECK_EQ(c.n, 0);
}

static void test_null_mx(void)
{
    stc_dns_resp_t r;
    stc_dns_rr_t rr;
    size_t pos;
    uint16_t idx, pref = 99;
    char name[8] = "x";

    CHECK_EQ(stc_dns_parse_response(r_nullmx, sizeof r_nullmx, 7, "example.org", STC_DNS_MX, &r),
             STC_OK);
    pos = r.an_off;
    idx = 0;
    CHECK_EQ(stc_dns_next_answer(&r, &pos, &idx, &rr), STC_OK);
    CHECK_EQ(rr.rdlen, 3);
    CHECK_EQ(stc_dns_rdata_mx(&r, &rr, &pref, name, sizeof name), STC_OK);
    CHECK_EQ(pref, 0);
    CHECK_STR(name, "");
    /* cap 1 holds the root */
    CHECK_EQ(stc_dns_rdata_mx(&r, &rr, &pref, name, 1), STC_OK);
    /* rdlen 2: the exchange is missing */
    rr.rdlen = 2;
    CHECK_EQ(stc_dns_rdata_mx(&r, &rr, &pref, name, sizeof name), STC_EPROTO);
}

static void test_header_flags(void)
{
    uint8_t m[64];
    size_t n;
    stc_dns_resp_t r;

    /* TC with ANCOUNT 2 and no records: still OK, tc = 1 (retry over TCP) */
    n = hdr_only(m, 0x83, 0x80, 2); /* QR RD TC | RA */
    CHECK_EQ(stc_dns_parse_response(m, n, 0x1234, "example.org", STC_DNS_MX, &r), STC_OK);
    CHECK_EQ(r.tc, 1);
    /* the same counts without TC are not plausible */
    n = hdr_only(m, 0x81, 0x80, 2);
    CHECK_EQ(stc_dns_parse_response(m, n, 0x1234, "example.org", STC_DNS_MX, &r), STC_EPROTO);
    /* AD */
    n = hdr_only(m, 0x81, 0xa0, 0);
    CHECK_EQ(stc_dns_parse_response(m, n, 0x1234, "example.org", STC_DNS_MX, &r), STC_OK);
    CHECK_EQ(r.ad, 1);
    CHECK_EQ(r.tc, 0);
    /* NXDOMAIN and SERVFAIL come back as OK with the rcode */
    n = hdr_only(m, 0x81, 0x83, 0);
    CHECK_EQ(stc_dns_parse_response(m, n, 0x1234, "example.org", STC_DNS_MX, &r), STC_OK);
    CHECK_EQ(r.rcode, STC_RCODE_NXDOMAIN);
    n = hdr_only(m, 0x81, 0x82, 0);
    CHECK_EQ(stc_dns_parse_response(m, n, 0x1234, "example.org", STC_DNS_MX, &r), STC_OK);
    CHECK_EQ(r.rcode, STC_RCODE_SERVFAIL);
    /* OPCODE 2 (STATUS) is not an answer to a QUERY */
    n = hdr_only(m, 0x91, 0x80, 0);
    CHECK_EQ(stc_dns_parse_response(m, n, 0x1234, "example.org", STC_DNS_MX, &r), STC_EPROTO);
}

/* ---- malformed responses ---------------------------------------------------- */

static void test_not_our_answer(void)
{
    uint8_t m[sizeof r_mx];
    stc_dns_resp_t r;

    /* wrong ID */
    CHECK_EQ(stc_dns_parse_response(r_mx, sizeof r_mx, 0x1235, "example.org", STC_DNS_MX, &r),
             STC_EPROTO);
    /* wrong question name, type */
    CHECK_EQ(stc_dns_parse_response(r_mx, sizeof r_mx, 0x1234, "example.com", STC_DNS_MX, &r),
             STC_EPROTO);
    CHECK_EQ(stc_dns_parse_response(r_mx, sizeof r_mx, 0x1234, "www.example.org", STC_DNS_MX, &r),
             STC_EPROTO);
    CHECK_EQ(stc_dns_parse_response(r_mx, sizeof r_mx, 0x1234, "example.org", STC_DNS_A, &r),
             STC_EPROTO);
    /* question class CH (byte 28) */
    memcpy(m, r_mx, sizeof m);
    m[28] = 3;
    CHECK_EQ(stc_dns_parse_response(m, sizeof m, 0x1234, "example.org", STC_DNS_MX, &r),
             STC_EPROTO);
    /* QR clear (byte 2 = 0x01: RD only): a query, not an answer */
    memcpy(m, r_mx, sizeof m);
    m[2] = 0x01;
    CHECK_EQ(stc_dns_parse_response(m, sizeof m, 0x1234, "example.org", STC_DNS_MX, &r),
             STC_EPROTO);
    /* our own query reflected back */
    CHECK_EQ(stc_dns_parse_response(q_mx, sizeof q_mx, 0x1234, "example.org", STC_DNS_MX, &r),
             STC_EPROTO);
    /* QDCOUNT 0 and 2 (byte 5) */
    memcpy(m, r_mx, sizeof m);
    m[5] = 0;
    CHECK_EQ(stc_dns_parse_response(m, sizeof m, 0x1234, "example.org", STC_DNS_MX, &r),
             STC_EPROTO);
    m[5] = 2;
    CHECK_EQ(stc_dns_parse_response(m, sizeof m, 0x1234, "example.org", STC_DNS_MX, &r),
             STC_EPROTO);
    /* ANCOUNT 255 (byte 7) cannot fit in 57 bytes of records */
    memcpy(m, r_mx, sizeof m);
    m[7] = 0xff;
    CHECK_EQ(stc_dns_parse_response(m, sizeof m, 0x1234, "example.org", STC_DNS_MX, &r),
             STC_EPROTO);
    /* NSCOUNT 0x1000 likewise */
    memcpy(m, r_mx, sizeof m);
    m[8] = 0x10;
    CHECK_EQ(stc_dns_parse_response(m, sizeof m, 0x1234, "example.org", STC_DNS_MX, &r),
             STC_EPROTO);
}

static void test_case_insensitive_question(void)
{
    static const uint8_t m[] = {
        0x12, 0x34, 0x81, 0x80, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        /* @12 question as a 0x20-randomizing resolver might echo it */
        0x07, 'e', 'X', 'a', 'M', 'p', 'L', 'e', 0x03, 'O', 'r', 'G', 0x00,
        0x00, 0x0f, 0x00, 0x01,
    };
    stc_dns_resp_t r;
    char name[32];
    size_t next;

    CHECK_EQ(stc_dns_parse_response(m, sizeof m, 0x1234, "example.org", STC_DNS_MX, &r), STC_OK);
    CHECK_EQ(stc_dns_parse_response(m, sizeof m, 0x1234, "ExAmPlE.oRg", STC_DNS_MX, &r), STC_OK);
    CHECK_EQ(stc_dns_parse_response(m, sizeof m, 0x1234, "EXAMPLE.ORG.", STC_DNS_MX, &r), STC_OK);
    CHECK_EQ(stc_dns_read_name(m, sizeof m, 12, name, sizeof name, &next), STC_OK);
    CHECK_STR(name, "example.org");
    CHECK_EQ(next, 25);
}

static void test_truncated(void)
{
    uint8_t m[sizeof r_mx];
    stc_dns_resp_t r;
    stc_dns_rr_t rr;
    size_t pos;
    uint16_t idx;

    /* header of 11 bytes */
    CHECK_EQ(stc_dns_parse_response(r_mx, 11, 0x1234, "example.org", STC_DNS_MX, &r), STC_EPROTO);
    CHECK_EQ(stc_dns_parse_response(r_mx, 0, 0x1234, "example.org", STC_DNS_MX, &r), STC_EPROTO);
    /* question cut inside the name, and before QCLASS */
    CHECK_EQ(stc_dns_parse_response(r_mx, 20, 0x1234, "example.org", STC_DNS_MX, &r), STC_EPROTO);
    CHECK_EQ(stc_dns_parse_response(r_mx, 27, 0x1234, "example.org", STC_DNS_MX, &r), STC_EPROTO);
    /* cut at 80, inside answer 3's RDLENGTH: the counts still look
     * plausible, the walk finds the damage */
    CHECK_EQ(stc_dns_parse_response(r_mx, 80, 0x1234, "example.org", STC_DNS_MX, &r), STC_OK);
    pos = r.an_off;
    idx = 0;
    CHECK_EQ(stc_dns_next_answer(&r, &pos, &idx, &rr), STC_OK);
    CHECK_EQ(stc_dns_next_answer(&r, &pos, &idx, &rr), STC_OK);
    CHECK_EQ(stc_dns_next_answer(&r, &pos, &idx, &rr), STC_EPROTO);
    {
        collect_t c;
        char target[STC_NAME_MAX + 1];
        memset(&c, 0, sizeof c);
        /* damage anywhere in the section: no record handed out at all */
        CHECK_EQ(stc_dns_extract(&r, "example.org", STC_DNS_MX, on_mx, &c, target, sizeof target),
                 STC_EPROTO);
        CHECK_EQ(c.n, 0);
    }
    /* RDLENGTH of answer 3 (byte 81) 5 instead of 4: one past the end */
    memcpy(m, r_mx, sizeof m);
    m[81] = 5;
    CHECK_EQ(stc_dns_parse_response(m, sizeof m, 0x1234, "example.org", STC_DNS_MX, &r), STC_OK);
    pos = r.an_off;
    idx = 0;
    CHECK_EQ(stc_dns_next_answer(&r, &pos, &idx, &rr), STC_OK);
    CHECK_EQ(stc_dns_next_answer(&r, &pos, &idx, &rr), STC_OK);
    CHECK_EQ(stc_dns_next_answer(&r, &pos, &idx, &rr), STC_EPROTO);
    /* RDLENGTH 0xffff */
    m[80] = 0xff;
    m[81] = 0xff;
    CHECK_EQ(stc_dns_parse_response(m, sizeof m, 0x1234, "example.org", STC_DNS_MX, &r), STC_OK);
    pos = 70;
    idx = 2;
    CHECK_EQ(stc_dns_next_answer(&r, &pos, &idx, &rr), STC_EPROTO);
}

static void test_mx_name_past_rdlen(void)
{
    uint8_t m[sizeof r_mx];
    stc_dns_resp_t r;
    stc_dns_rr_t rr;
    size_t pos;
    uint16_t idx, pref;
    char name[STC_NAME_MAX + 1];

    /* answer 1 RDLENGTH (byte 40) 7 instead of 9: the exchange "mx01" +
     * pointer runs two bytes past the RDATA */
    memcpy(m, r_mx, sizeof m);
    m[40] = 7;
    m[7] = 1; /* ANCOUNT 1: the rest is trailing bytes */
    CHECK_EQ(stc_dns_parse_response(m, sizeof m, 0x1234, "example.org", STC_DNS_MX, &r), STC_OK);
    pos = r.an_off;
    idx = 0;
    CHECK_EQ(stc_dns_next_answer(&r, &pos, &idx, &rr), STC_OK);
    CHECK_EQ(rr.rdlen, 7);
    CHECK_EQ(stc_dns_rdata_mx(&r, &rr, &pref, name, sizeof name), STC_EPROTO);
    /* RDLENGTH 11: two stray bytes after the exchange */
    m[40] = 11;
    CHECK_EQ(stc_dns_parse_response(m, sizeof m, 0x1234, "example.org", STC_DNS_MX, &r), STC_OK);
    pos = r.an_off;
    idx = 0;
    CHECK_EQ(stc_dns_next_answer(&r, &pos, &idx, &rr), STC_OK);
    CHECK_EQ(stc_dns_rdata_mx(&r, &rr, &pref, name, sizeof name), STC_EPROTO);
    /* RDLENGTH 1: not even the preference */
    m[40] = 1;
    CHECK_EQ(stc_dns_parse_response(m, sizeof m, 0x1234, "example.org", STC_DNS_MX, &r), STC_OK);
    pos = r.an_off;
    idx = 0;
    CHECK_EQ(stc_dns_next_answer(&r, &pos, &idx, &rr), STC_OK);
    CHECK_EQ(stc_dns_rdata_mx(&r, &rr, &pref, name, sizeof name), STC_EPROTO);
}

static void test_a_rdlen5(void)
{
    static const uint8_t m[] = {
        0xbe, 0xef, 0x81, 0x80, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
        /* @12 question: a.example A IN */
        0x01, 'a', 0x07, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0x00, 0x00, 0x01, 0x00, 0x01,
        /* @27 answer */
        0xc0, 0x0c, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x3c,
        0x00, 0x05,           /* RDLENGTH 5: A needs exactly 4 */
        192, 0, 2, 1, 0,
    };
    stc_dns_resp_t r;
    stc_dns_rr_t rr;
    size_t pos;
    uint16_t idx;
    stc_ip_t ip;
    collect_t c;
    char target[STC_NAME_MAX + 1];

    CHECK_EQ(stc_dns_parse_response(m, sizeof m, 0xbeef, "a.example", STC_DNS_A, &r), STC_OK);
    pos = r.an_off;
    idx = 0;
    CHECK_EQ(stc_dns_next_answer(&r, &pos, &idx, &rr), STC_OK);
    CHECK_EQ(stc_dns_rdata_ip(&r, &rr, &ip), STC_EPROTO);
    /* extract hands the record over; the callback's decoder refuses it */
    memset(&c, 0, sizeof c);
    CHECK_EQ(stc_dns_extract(&r, "a.example", STC_DNS_A, on_ip, &c, target, sizeof target), 1);
    CHECK_EQ(c.n, 0);
}

/* ---- names --------------------------------------------------------------------- */

/* name_msg - a 12-byte header followed by the given bytes */
static size_t name_msg(uint8_t *m, const uint8_t *tail, size_t n)
{
    memset(m, 0, 12);
    memcpy(m + 12, tail, n);
    return 12 + n;
}

static int read_at(const uint8_t *tail, size_t n, size_t off, char *out, size_t cap)
{
    uint8_t m[600];
    size_t next;
    size_t len = name_msg(m, tail, n);
    return stc_dns_read_name(m, len, off, out, cap, &next);
}

static void test_name_pointers(void)
{
    char out[STC_NAME_MAX + 1];
    /* @12 pointer -> @14: forward */
    static const uint8_t fwd[] = {0xc0, 0x0e, 0x01, 'a', 0x00};
    /* @12 pointer -> @12: itself */
    static const uint8_t self[] = {0xc0, 0x0c};
    /* @12 "a", @14 pointer -> @12: each hop "backwards" from the pointer,
     * but back into the labels being read: a loop */
    static const uint8_t loop[] = {0x01, 'a', 0xc0, 0x0c};
    /* @12 pointer -> @14, @14 pointer -> @12: a two-pointer loop */
    static const uint8_t loop2[] = {0xc0, 0x0e, 0xc0, 0x0c};
    /* @12 pointer -> @2: into the header */
    static const uint8_t hdr[] = {0xc0, 0x02};
    /* @12 "a" root, @15 "b" -> @12: fine */
    static const uint8_t ok[] = {0x01, 'a', 0x00, 0x01, 'b', 0xc0, 0x0c};
    /* @12 only the first byte of a pointer */
    static const uint8_t half[] = {0xc0};
    uint8_t m[64];
    size_t len, next;

    CHECK_EQ(read_at(fwd, sizeof fwd, 12, out, sizeof out), STC_EPROTO);
    CHECK_EQ(read_at(self, sizeof self, 12, out, sizeof out), STC_EPROTO);
    CHECK_EQ(read_at(loop, sizeof loop, 12, out, sizeof out), STC_EPROTO);
    CHECK_EQ(read_at(loop, sizeof loop, 14, out, sizeof out), STC_EPROTO);
    CHECK_EQ(read_at(loop2, sizeof loop2, 12, out, sizeof out), STC_EPROTO);
    CHECK_EQ(read_at(loop2, sizeof loop2, 14, out, sizeof out), STC_EPROTO);
    CHECK_EQ(read_at(hdr, sizeof hdr, 12, out, sizeof out), STC_EPROTO);
    CHECK_EQ(read_at(half, sizeof half, 12, out, sizeof out), STC_EPROTO);

    len = name_msg(m, ok, sizeof ok);
    CHECK_EQ(stc_dns_read_name(m, len, 15, out, sizeof out, &next), STC_OK);
    CHECK_STR(out, "b.a");
    CHECK_EQ(next, 19); /* after the pointer, where the name was written */
    CHECK_EQ(stc_dns_read_name(m, len, 12, out, sizeof out, &next), STC_OK);
    CHECK_STR(out, "a");
    CHECK_EQ(next, 15);
    /* offset at or past the end */
    CHECK_EQ(stc_dns_read_name(m, len, len, out, sizeof out, &next), STC_EPROTO);
    CHECK_EQ(stc_dns_read_name(m, len, len + 5, out, sizeof out, &next), STC_EPROTO);
    /* buffer sizes: "b.a" needs 4 */
    CHECK_EQ(stc_dns_read_name(m, len, 15, out, 3, &next), STC_ETOOLONG);
    CHECK_EQ(stc_dns_read_name(m, len, 15, out, 4, &next), STC_OK);
}

static void test_name_hops(void)
{
    mb_t m;
    char out[8];
    size_t next, last = 0;
    int i;

    /* @12 the root, then pointers each to the one before: 127 hops fine */
    mb_header(&m, 0, 0, 0, 0, 0, 0);
    mb_u8(&m, 0);
    for (i = 0; i < 128; i++) {
        size_t prev = m.n == 13 ? 12 : m.n - 2;
        last = m.n;
        mb_u16(&m, 0xc000u | (unsigned)prev);
        if (i == 126) {
            CHECK_EQ(stc_dns_read_name(m.b, m.n, last, out, sizeof out, &next), STC_OK);
            CHECK_STR(out, "");
            CHECK_EQ(next, last + 2);
        }
    }
    /* 128 hops: too many */
    CHECK_EQ(stc_dns_read_name(m.b, m.n, last, out, sizeof out, &next), STC_EPROTO);
}

static void test_name_labels(void)
{
    char out[STC_NAME_MAX + 1];
    uint8_t t[80];
    mb_t m;
    char big[330];
    size_t next;

    /* length 64 (0x40): the 01 prefix, not a label */
    memset(t, 'a', sizeof t);
    t[0] = 0x40;
    t[65] = 0;
    CHECK_EQ(read_at(t, 66, 12, out, sizeof out), STC_EPROTO);
    /* 0x80 prefix */
    t[0] = 0x80;
    CHECK_EQ(read_at(t, 66, 12, out, sizeof out), STC_EPROTO);
    /* 63 is fine */
    t[0] = 63;
    t[64] = 0;
    CHECK_EQ(read_at(t, 65, 12, out, sizeof out), STC_OK);
    CHECK_EQ(strlen(out), 63);
    /* label running past the end, no terminating root */
    {
        static const uint8_t cut[] = {0x05, 'a', 'b'};
        static const uint8_t noroot[] = {0x01, 'a'};
        CHECK_EQ(read_at(cut, sizeof cut, 12, out, sizeof out), STC_EPROTO);
        CHECK_EQ(read_at(noroot, sizeof noroot, 12, out, sizeof out), STC_EPROTO);
    }
    /* bytes that have no unambiguous presentation form */
    {
        static const uint8_t dot[] = {0x03, 'a', '.', 'b', 0x00};
        static const uint8_t sp[] = {0x03, 'a', ' ', 'b', 0x00};
        static const uint8_t nul[] = {0x03, 'a', 0x00, 'b', 0x00};
        static const uint8_t del[] = {0x01, 0x7f, 0x00};
        static const uint8_t hi[] = {0x02, 0xc3, 0xa9, 0x00};
        static const uint8_t ok[] = {0x05, '_', '2', '5', '-', 'X', 0x00};
        CHECK_EQ(read_at(dot, sizeof dot, 12, out, sizeof out), STC_EPROTO);
        CHECK_EQ(read_at(sp, sizeof sp, 12, out, sizeof out), STC_EPROTO);
        CHECK_EQ(read_at(nul, sizeof nul, 12, out, sizeof out), STC_EPROTO);
        CHECK_EQ(read_at(del, sizeof del, 12, out, sizeof out), STC_EPROTO);
        CHECK_EQ(read_at(hi, sizeof hi, 12, out, sizeof out), STC_EPROTO);
        CHECK_EQ(read_at(ok, sizeof ok, 12, out, sizeof out), STC_OK);
        CHECK_STR(out, "_25-x");
    }
    /* 255 wire octets (63.63.63.61) fine, 256 (63.63.63.62) not */
    memset(big, 'a', 253);
    big[63] = big[127] = big[191] = '.';
    big[253] = '\0';
    mb_header(&m, 0, 0, 0, 0, 0, 0);
    mb_name(&m, big);
    CHECK_EQ(m.n, 12 + 255);
    CHECK_EQ(stc_dns_read_name(m.b, m.n, 12, out, sizeof out, &next), STC_OK);
    CHECK_EQ(strlen(out), 253);
    CHECK_EQ(next, m.n);
    /* that name needs the whole STC_NAME_MAX + 1 buffer */
    CHECK_EQ(stc_dns_read_name(m.b, m.n, 12, out, STC_NAME_MAX, &next), STC_ETOOLONG);
    big[253] = 'a';
    big[254] = '\0';
    mb_header(&m, 0, 0, 0, 0, 0, 0);
    mb_name(&m, big);
    CHECK_EQ(stc_dns_read_name(m.b, m.n, 12, out, sizeof out, &next), STC_EPROTO);
    /* too long only once a pointer is followed: @12 three labels of 63
     * (193 octets), @205 63 x 'b', 63 x 'c', pointer -> @12: 321 octets */
    memset(big, 'a', 5 * 64);
    big[63] = big[127] = big[191] = big[255] = '.';
    big[319] = '\0';
    mb_header(&m, 0, 0, 0, 0, 0, 0);
    mb_name(&m, big + 128); /* @12: 3 labels of 63 */
    mb_u8(&m, 63);
    memset(m.b + m.n, 'b', 63);
    m.n += 63;
    mb_u8(&m, 63);
    memset(m.b + m.n, 'c', 63);
    m.n += 63;
    mb_u16(&m, 0xc00c);
    CHECK_EQ(stc_dns_read_name(m.b, m.n, 12 + 193, out, sizeof out, &next), STC_EPROTO);
}

/* ---- TXT and TLSA --------------------------------------------------------------- */

static void test_txt(void)
{
    static const uint8_t m0[] = {
        0x00, 0x05, 0x81, 0x80, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
        /* @12 question: _mta-sts.example.org TXT IN */
        0x08, '_', 'm', 't', 'a', '-', 's', 't', 's',
        0x07, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0x03, 'o', 'r', 'g', 0x00,
        0x00, 0x10, 0x00, 0x01,
        /* @38 answer */
        0xc0, 0x0c, 0x00, 0x10, 0x00, 0x01, 0x00, 0x00, 0x00, 0x3c,
        0x00, 0x13,                                  /* @48 RDLENGTH 19 */
        0x08, 'v', '=', 'S', 'T', 'S', 'v', '1', ';', /* @50 first string */
        0x00,                                        /* @59 an empty string */
        0x08, ' ', 'i', 'd', '=', '2', '0', '2', '4', /* @60 third string */
    };
    uint8_t m[sizeof m0];
    stc_dns_resp_t r;
    stc_dns_rr_t rr;
    size_t pos, n = 0;
    uint16_t idx;
    char out[64];
    uint8_t u, s, t;
    const uint8_t *d;

    memcpy(m, m0, sizeof m);
    CHECK_EQ(stc_dns_parse_response(m, sizeof m, 5, "_mta-sts.example.org", STC_DNS_TXT, &r),
             STC_OK);
    pos = r.an_off;
    idx = 0;
    CHECK_EQ(stc_dns_next_answer(&r, &pos, &idx, &rr), STC_OK);
    CHECK_STR(rr.owner, "_mta-sts.example.org");
    CHECK_EQ(stc_dns_rdata_txt(&r, &rr, out, sizeof out, &n), STC_OK);
    CHECK_EQ(n, 16);
    CHECK_STR(out, "v=STSv1; id=2024"); /* no separator added, case kept */
    /* 16 bytes need 17 */
    CHECK_EQ(stc_dns_rdata_txt(&r, &rr, out, 16, &n), STC_ETOOLONG);
    CHECK_EQ(stc_dns_rdata_txt(&r, &rr, out, 17, &n), STC_OK);
    CHECK_EQ(stc_dns_rdata_txt(&r, &rr, out, 0, &n), STC_ETOOLONG);
    /* not TXT */
    CHECK_EQ(stc_dns_rdata_tlsa(&r, &rr, &u, &s, &t, &d, &n), STC_EINVAL);
    /* third string's length (byte 60) one past the RDATA */
    m[60] = 0x09;
    CHECK_EQ(stc_dns_rdata_txt(&r, &rr, out, sizeof out, &n), STC_EPROTO);
    /* RDLENGTH 0: TXT-DATA is "One or more <character-string>s" */
    rr.rdlen = 0;
    CHECK_EQ(stc_dns_rdata_txt(&r, &rr, out, sizeof out, &n), STC_EPROTO);
    /* RDLENGTH 9: the first string alone */
    rr.rdlen = 9;
    m[60] = 0x08;
    CHECK_EQ(stc_dns_rdata_txt(&r, &rr, out, sizeof out, &n), STC_OK);
    CHECK_STR(out, "v=STSv1;");
    /* RDLENGTH 1 at @59: one empty string is a valid TXT-DATA */
    rr.rdata_off = 59;
    rr.rdlen = 1;
    CHECK_EQ(stc_dns_rdata_txt(&r, &rr, out, 1, &n), STC_OK);
    CHECK_EQ(n, 0);
    CHECK_STR(out, "");
}

static void test_tlsa(void)
{
    mb_t m;
    stc_dns_resp_t r;
    stc_dns_rr_t rr;
    size_t pos, dlen = 0;
    uint16_t idx;
    uint8_t u = 9, s = 9, t = 9;
    const uint8_t *d = NULL;
    int i;

    /* _25._tcp.mx.example TLSA 3 1 1 <32 bytes 0x00..0x1f> */
    mb_header(&m, 0x77, 0x81a0, 1, 1, 0, 0);
    mb_question(&m, "_25._tcp.mx.example", STC_DNS_TLSA);
    mb_u16(&m, 0xc00c);
    mb_u16(&m, STC_DNS_TLSA);
    mb_u16(&m, 1);
    mb_u32(&m, 300);
    mb_u16(&m, 35);
    mb_u8(&m, 3);
    mb_u8(&m, 1);
    mb_u8(&m, 1);
    for (i = 0; i < 32; i++)
        mb_u8(&m, (unsigned)i);
    CHECK_EQ(stc_dns_parse_response(m.b, m.n, 0x77, "_25._tcp.mx.example", STC_DNS_TLSA, &r),
             STC_OK);
    CHECK_EQ(r.ad, 1);
    pos = r.an_off;
    idx = 0;
    CHECK_EQ(stc_dns_next_answer(&r, &pos, &idx, &rr), STC_OK);
    CHECK_EQ(stc_dns_rdata_tlsa(&r, &rr, &u, &s, &t, &d, &dlen), STC_OK);
    CHECK_EQ(u, 3);
    CHECK_EQ(s, 1);
    CHECK_EQ(t, 1);
    CHECK_EQ(dlen, 32);
    CHECK(d == m.b + m.n - 32);
    CHECK(d && d[31] == 31);
    rr.rdlen = 2;
    CHECK_EQ(stc_dns_rdata_tlsa(&r, &rr, &u, &s, &t, &d, &dlen), STC_EPROTO);
    rr.rdlen = 3; /* no association data: the DANE layer judges that */
    CHECK_EQ(stc_dns_rdata_tlsa(&r, &rr, &u, &s, &t, &d, &dlen), STC_OK);
    CHECK_EQ(dlen, 0);
    rr.rdlen = 36; /* past the end of the message */
    CHECK_EQ(stc_dns_rdata_tlsa(&r, &rr, &u, &s, &t, &d, &dlen), STC_EPROTO);
}

/* keep_msg - an answer to a.example MX: `an` records (the second one's
 * TTL half of ttl_an), an authority NS record (TTL 5: never counted),
 * then an SOA (TTL soa_ttl, MINIMUM soa_min) when soa */
static void keep_msg(mb_t *m, unsigned rcode, unsigned an, unsigned long ttl_an, int soa,
                     unsigned long soa_ttl, unsigned long soa_min)
{
    unsigned i;
    mb_header(m, 0x1234, 0x8180 | rcode, 1, an, soa ? 2 : 1, 0);
    mb_question(m, "a.example", STC_DNS_MX);
    for (i = 0; i < an; i++) {
        mb_name(m, "a.example");
        mb_u16(m, STC_DNS_MX);
        mb_u16(m, 1);
        mb_u32(m, i == 1 ? ttl_an / 2 : ttl_an);
        mb_u16(m, 2 + 4); /* preference, "\2mx\0" */
        mb_u16(m, 10);
        mb_name(m, "mx");
    }
    mb_name(m, "example");
    mb_u16(m, 2); /* NS */
    mb_u16(m, 1);
    mb_u32(m, 5);
    mb_u16(m, 4);
    mb_name(m, "ns");
    if (soa) {
        mb_name(m, "example");
        mb_u16(m, 6); /* SOA: two root names, five counters */
        mb_u16(m, 1);
        mb_u32(m, soa_ttl);
        mb_u16(m, 2 + 20);
        mb_u8(m, 0);
        mb_u8(m, 0);
        mb_u32(m, 1);
        mb_u32(m, 3600);
        mb_u32(m, 900);
        mb_u32(m, 604800);
        mb_u32(m, soa_min);
    }
}

/* keep - stc_dns_keep_ttl of m (which must parse); *ttl 0xdead when unset */
static int keep(const mb_t *m, uint32_t *ttl)
{
    stc_dns_resp_t r;
    *ttl = 0xdead;
    CHECK_EQ(stc_dns_parse_response(m->b, m->n, 0x1234, "a.example", STC_DNS_MX, &r), STC_OK);
    return stc_dns_keep_ttl(&r, ttl);
}

/* test_keep_ttl - how long the DNS cache may keep an answer: RFC 2181 5.2
 * (the least TTL of the answer), 8 (top bit set = 0), RFC 2308 5 (negative:
 * min(SOA TTL, MINIMUM)); no lifetime without records or SOA, nor for
 * other RCODEs or a truncated answer; damage is damage */
static void test_keep_ttl(void)
{
    mb_t m;
    uint32_t ttl;
    stc_dns_resp_t r;

    keep_msg(&m, 0, 2, 600, 0, 0, 0);
    CHECK_EQ(keep(&m, &ttl), 1);
    CHECK_EQ(ttl, 300); /* the lesser of 600 and 300; the NS's 5 ignored */
    keep_msg(&m, 0, 1, 0x80000010ul, 0, 0, 0);
    CHECK_EQ(keep(&m, &ttl), 1);
    CHECK_EQ(ttl, 0);
    keep_msg(&m, 0, 0, 0, 1, 3600, 120); /* NODATA */
    CHECK_EQ(keep(&m, &ttl), 1);
    CHECK_EQ(ttl, 120);
    keep_msg(&m, 3, 0, 0, 1, 90, 120); /* NXDOMAIN: the SOA's own TTL is less */
    CHECK_EQ(keep(&m, &ttl), 1);
    CHECK_EQ(ttl, 90);
    keep_msg(&m, 0, 1, 600, 1, 3600, 60); /* an SOA beside records bounds them */
    CHECK_EQ(keep(&m, &ttl), 1);
    CHECK_EQ(ttl, 60);
    keep_msg(&m, 3, 0, 0, 0, 0, 0); /* NXDOMAIN without SOA: nothing to go by */
    CHECK_EQ(keep(&m, &ttl), 0);
    CHECK_EQ(ttl, 0xdead);
    keep_msg(&m, 2, 0, 0, 1, 3600, 60); /* SERVFAIL: never kept */
    CHECK_EQ(keep(&m, &ttl), 0);
    keep_msg(&m, 0, 1, 600, 1, 3600, 60);
    m.b[2] |= 0x02; /* TC */
    CHECK_EQ(keep(&m, &ttl), 0);
    /* an RDLENGTH past the end */
    keep_msg(&m, 0, 0, 0, 1, 3600, 60);
    m.n -= 3;
    CHECK_EQ(stc_dns_parse_response(m.b, m.n, 0x1234, "a.example", STC_DNS_MX, &r), STC_OK);
    CHECK_EQ(stc_dns_keep_ttl(&r, &ttl), STC_EPROTO);
    /* an SOA too short to hold MINIMUM is no SOA */
    keep_msg(&m, 0, 0, 0, 1, 3600, 60);
    m.b[m.n - 22 - 1] = 21;
    m.n -= 1;
    CHECK_EQ(keep(&m, &ttl), 0);
}

int main(void)
{
    unit_name = "dns_msg";
    RUN(test_build_query);
    RUN(test_build_query_0x20);
    RUN(test_build_query_bad_names);
    RUN(test_mx_response);
    RUN(test_a_response);
    RUN(test_aaaa_response);
    RUN(test_cname_chain);
    RUN(test_cname_generated);
    RUN(test_cname_loop);
    RUN(test_cname_too_long);
    RUN(test_null_mx);
    RUN(test_header_flags);
    RUN(test_not_our_answer);
    RUN(test_case_insensitive_question);
    RUN(test_truncated);
    RUN(test_mx_name_past_rdlen);
    RUN(test_a_rdlen5);
    RUN(test_name_pointers);
    RUN(test_name_hops);
    RUN(test_name_labels);
    RUN(test_txt);
    RUN(test_tlsa);
    RUN(test_keep_ttl);
    return unit_done();
}
