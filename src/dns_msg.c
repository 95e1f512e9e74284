/* dns_msg.c - build DNS queries and check and decode DNS responses
 *
 * Pure functions over (msg, len): no allocation, no I/O. Every fetch goes
 * through a bounded cursor (struct rd) and no length read from the message
 * is trusted before it has been compared with what is left.
 *
 * Names. Output is presentation form, lower-cased, without the trailing
 * dot; the root is "". We have no escape syntax: a label holding '.', a
 * space, a control byte or a byte >= 0x7f could not be written back
 * unambiguously, and we only ever deal with host names (and "_25._tcp"
 * style owner names), so such names are rejected with STC_EPROTO rather
 * than printed. Errors: STC_EPROTO means the message breaks the wire
 * format; STC_ETOOLONG means only that the caller's buffer is too small.
 */
#include "stc_int.h"
#include "buf.h"

#include <string.h>

#define HDR_LEN 12u      /* RFC 1035 4.1.1 */
#define RR_MIN 11u       /* the shortest RR: root owner + fixed part */
#define CLASS_IN 1u
#define LABEL_MAX 63u    /* RFC 1035 2.3.4 */
#define WIRE_NAME_MAX 255u
#define PTR_HOPS_MAX 127u
#define TYPE_NS 2u
#define TYPE_PTR 12u

#define F_QR 0x8000u
#define F_AA 0x0400u
#define F_TC 0x0200u
#define F_RD 0x0100u
#define F_AD 0x0020u
#define EDNS_DO 0x8000u  /* RFC 3225 3: high bit of the OPT TTL's Z field */

/* ---- bounded reading and writing: src/buf.h ---------------------------------- */

/* get16 - big-endian 16 bits at p (caller checked the bounds) */
static uint16_t get16(const uint8_t *p)
{
    return (uint16_t)(((unsigned)p[0] << 8) | p[1]);
}

/* ---- names ------------------------------------------------------------------ */

/* label_byte_ok - may this byte appear in a label we print without escapes? */
static int label_byte_ok(uint8_t c)
{
    return c >= 0x21 && c <= 0x7e && c != '.';
}

/* lower - ASCII lower-case of one byte */
static char lower(uint8_t c)
{
    return (char)((c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c);
}

/* name_decode - decode the name at off into buf (room for 254 bytes, always
 * enough: 255 wire octets are at most 253 characters); *olen = characters,
 * *next = first offset after the name where it was written */
static int name_decode(const uint8_t *msg, size_t len, size_t off,
                       char buf[STC_NAME_MAX + 1], size_t *olen, size_t *next)
{
    stc_buf_t r;
    size_t seg = off; /* where the current run of labels starts */
    size_t end = 0, wire = 0, o = 0;
    unsigned hops = 0;
    int jumped = 0;

    if (off > len)
        return STC_EPROTO;
    stc_buf_init(&r, msg, len);
    (void)stc_buf_seek(&r, off); /* off <= len: checked above */
    for (;;) {
        uint8_t b, c;
        const uint8_t *lab;
        size_t i;

        if (!stc_buf_u8(&r, &b))
            return STC_EPROTO;
        if ((b & 0xC0u) == 0xC0u) {
            size_t target;
            if (!stc_buf_u8(&r, &c))
                return STC_EPROTO;
            target = ((size_t)(b & 0x3Fu) << 8) | c;
            if (!jumped) {
                end = r.off;
                jumped = 1;
            }
            /* RFC 1035 4.1.4: "an entire domain name or a list of labels at
             * the end of a domain name is replaced with a pointer to a prior
             * occurance of the same name." Prior: the target must lie
             * strictly before the start of the labels we are reading now
             * (so every hop moves backwards and no loop is possible), and
             * past the header, where no name can be. */
            if (target >= seg || target < HDR_LEN)
                return STC_EPROTO;
            if (++hops > PTR_HOPS_MAX)
                return STC_EPROTO;
            seg = target;
            (void)stc_buf_seek(&r, target); /* target < seg <= len */
            continue;
        }
        /* 01 and 10 prefixes: RFC 1035 4.1.4 "The 10 and 01 combinations
         * are reserved for future use." - read as lengths they would
         * exceed 63 ("labels 63 octets or less", RFC 1035 2.3.4). */
        if (b > LABEL_MAX)
            return STC_EPROTO;
        if (b == 0)
            break;
        /* RFC 1035 3.1: "the total length of a domain name (i.e., label
         * octets and label length octets) is restricted to 255 octets or
         * less." Count this label and the root octet still to come. */
        wire += 1u + b;
        if (wire + 1u > WIRE_NAME_MAX)
            return STC_EPROTO;
        if (!stc_buf_bytes(&r, b, &lab))
            return STC_EPROTO;
        if (o > 0)
            buf[o++] = '.';
        for (i = 0; i < b; i++) {
            if (!label_byte_ok(lab[i]))
                return STC_EPROTO; /* see the file comment: no escapes */
            buf[o++] = lower(lab[i]);
        }
    }
    buf[o] = '\0';
    *olen = o;
    *next = jumped ? end : r.off;
    return STC_OK;
}

/* stc_dns_read_name - decode a possibly compressed name into out */
int stc_dns_read_name(const uint8_t *msg, size_t len, size_t off,
                      char *out, size_t cap, size_t *next)
{
    char buf[STC_NAME_MAX + 1];
    size_t n, nx;
    int rc = name_decode(msg, len, off, buf, &n, &nx);

    if (rc != STC_OK)
        return rc;
    if (n + 1 > cap)
        return STC_ETOOLONG;
    memcpy(out, buf, n + 1);
    *next = nx;
    return STC_OK;
}

/* name_normalize - copy a presentation name lower-cased, one trailing dot
 * dropped; STC_ETOOLONG when it does not fit cap */
static int name_normalize(const char *in, char *out, size_t cap)
{
    size_t n = strlen(in), i;

    if (n > 0 && in[n - 1] == '.')
        n--;
    if (n + 1 > cap)
        return STC_ETOOLONG;
    for (i = 0; i < n; i++)
        out[i] = lower((uint8_t)in[i]);
    out[n] = '\0';
    return STC_OK;
}

/* put_name - encode presentation name s (trailing dot optional, "" or "."
 * is the root) uncompressed; 0 when s is not a name we would read back */
static int put_name(stc_wbuf_t *w, const char *s)
{
    size_t n = strlen(s), i = 0, j, wire = 1; /* the root octet */

    if (n > 0 && s[n - 1] == '.')
        n--;
    while (n > 0) {
        for (j = i; j < n && s[j] != '.'; j++)
            if (!label_byte_ok((uint8_t)s[j]))
                return 0;
        /* an empty label ("a..b", ".a", "a..") or one over 63 octets */
        if (j == i || j - i > LABEL_MAX)
            return 0;
        wire += 1 + (j - i);
        if (wire > WIRE_NAME_MAX)
            return 0; /* RFC 1035 3.1: 255 octets or less */
        stc_wbuf_u8(w, (uint8_t)(j - i));
        for (; i < j; i++)
            stc_wbuf_u8(w, (uint8_t)s[i]);
        if (j == n)
            break;
        i = j + 1;
    }
    stc_wbuf_u8(w, 0);
    return 1;
}

/* ---- queries ---------------------------------------------------------------- */

/* stc_dns_set_cd - CD in the second flags byte: the resolver then hands
 * back data that fails validation instead of SERVFAIL, which is how a
 * bogus TLSA RRset is told from a broken server (RFC 7672 2.1.1). */
void stc_dns_set_cd(uint8_t *query)
{
    query[3] = (uint8_t)(query[3] | 0x10u);
}

/* stc_dns_build_query - one question, RD, and an OPT RR with DO */
size_t stc_dns_build_query(uint8_t *buf, size_t cap, uint16_t id,
                           const char *qname, uint16_t qtype, uint16_t edns_udp)
{
    stc_wbuf_t w;

    stc_wbuf_init(&w, buf, cap);
    /* RFC 6891 6.2.5: "Values lower than 512 MUST be treated as equal to
     * 512." Say so on the wire rather than leave it to the server. */
    if (edns_udp < 512)
        edns_udp = 512;
    stc_wbuf_u16(&w, id);
    stc_wbuf_u16(&w, F_RD); /* QR=0 opcode QUERY, RD: we ask a recursive resolver */
    stc_wbuf_u16(&w, 1);    /* QDCOUNT */
    stc_wbuf_u16(&w, 0);    /* ANCOUNT */
    stc_wbuf_u16(&w, 0);    /* NSCOUNT */
    stc_wbuf_u16(&w, 1);    /* ARCOUNT: the OPT RR */
    if (!put_name(&w, qname))
        return 0;
    stc_wbuf_u16(&w, qtype);
    stc_wbuf_u16(&w, CLASS_IN);
    /* OPT pseudo-RR (RFC 6891 6.1.2): root owner, CLASS = UDP payload size,
     * TTL = extended RCODE 0, version 0, flags. RFC 3225 3: "Setting the
     * DO bit to one in a query indicates to the server that the resolver is
     * able to accept DNSSEC security RRs." - a validating resolver then
     * tells us with AD whether the answer was validated. */
    stc_wbuf_u8(&w, 0);
    stc_wbuf_u16(&w, STC_DNS_OPT);
    stc_wbuf_u16(&w, edns_udp);
    stc_wbuf_u8(&w, 0);        /* extended RCODE */
    stc_wbuf_u8(&w, 0);        /* EDNS version 0 */
    stc_wbuf_u16(&w, EDNS_DO); /* DO, Z = 0 */
    stc_wbuf_u16(&w, 0);       /* RDLEN: no options */
    return w.bad ? 0 : w.off;
}

/* ---- responses -------------------------------------------------------------- */

/* stc_dns_parse_response - check msg is the answer to our question */
int stc_dns_parse_response(const uint8_t *msg, size_t len, uint16_t id,
                           const char *qname, uint16_t qtype, stc_dns_resp_t *out)
{
    stc_buf_t r;
    uint16_t rid, flags, qd, an, ns, ar, t, cls;
    char name[STC_NAME_MAX + 1];
    size_t nlen, next, records;

    stc_buf_init(&r, msg, len);
    if (!stc_buf_u16(&r, &rid) || !stc_buf_u16(&r, &flags) || !stc_buf_u16(&r, &qd) ||
        !stc_buf_u16(&r, &an) || !stc_buf_u16(&r, &ns) || !stc_buf_u16(&r, &ar))
        return STC_EPROTO;
    /* An answer to someone else's question, or not an answer at all: the
     * caller keeps waiting for ours. A forged answer must guess the ID and
     * echo our question (RFC 5452 3), so both are checked. */
    if (rid != id || !(flags & F_QR) || ((flags >> 11) & 0xFu) != 0)
        return STC_EPROTO;
    if (qd != 1)
        return STC_EPROTO;
    if (name_decode(msg, len, r.off, name, &nlen, &next) != STC_OK)
        return STC_EPROTO;
    if (!stc_buf_seek(&r, next) || !stc_buf_u16(&r, &t) || !stc_buf_u16(&r, &cls))
        return STC_EPROTO;
    if (t != qtype || cls != CLASS_IN || !stc_name_eq(name, qname))
        return STC_EPROTO;

    memset(out, 0, sizeof *out);
    out->msg = msg;
    out->len = len;
    out->id = rid;
    out->rcode = (uint8_t)(flags & 0xFu);
    out->tc = (flags & F_TC) ? 1 : 0;
    out->ad = (flags & F_AD) ? 1 : 0;
    out->aa = (flags & F_AA) ? 1 : 0;
    out->ancount = an;
    out->nscount = ns;
    out->arcount = ar;
    out->an_off = r.off;
    /* A truncated answer may hold fewer records than it counts; the caller
     * only reads its header before retrying over TCP. */
    if (out->tc)
        return STC_OK;
    /* Every RR takes at least 11 octets: counts that cannot fit are lies. */
    records = (size_t)an + ns + ar;
    if (records > stc_buf_left(&r) / RR_MIN)
        return STC_EPROTO;
    return STC_OK;
}

/* stc_dns_next_answer - decode the next RR of the answer section */
int stc_dns_next_answer(const stc_dns_resp_t *resp, size_t *pos, uint16_t *idx,
                        stc_dns_rr_t *rr)
{
    stc_buf_t r;
    size_t next, nlen;
    uint16_t rdlen;

    if (*idx >= resp->ancount)
        return STC_ECLOSED;
    if (name_decode(resp->msg, resp->len, *pos, rr->owner, &nlen, &next) != STC_OK)
        return STC_EPROTO;
    stc_buf_init(&r, resp->msg, resp->len);
    if (!stc_buf_seek(&r, next))
        return STC_EPROTO;
    if (!stc_buf_u16(&r, &rr->type) || !stc_buf_u16(&r, &rr->cls) || !stc_buf_u32(&r, &rr->ttl) ||
        !stc_buf_u16(&r, &rdlen))
        return STC_EPROTO;
    /* RFC 2181 8: "Implementations should treat TTL values received with
     * the most significant bit set as if the entire value received was
     * zero." */
    if (rr->ttl & 0x80000000u)
        rr->ttl = 0;
    rr->rdata_off = r.off;
    rr->rdlen = rdlen;
    if (!stc_buf_skip(&r, rdlen))
        return STC_EPROTO;
    *pos = r.off;
    (*idx)++;
    return STC_OK;
}

/* rdata_name_at - decode a name that must end exactly at the RDATA's end */
static int rdata_name_at(const stc_dns_resp_t *resp, const stc_dns_rr_t *rr,
                         size_t skip, char *out, size_t cap)
{
    size_t end = rr->rdata_off + rr->rdlen, next;
    int rc;

    if (rr->rdlen < skip + 1 || end > resp->len)
        return STC_EPROTO;
    /* A name whose own octets run past RDLENGTH would be read from the next
     * record: decode in the whole message (pointers may go anywhere before)
     * and insist it stopped exactly at the end of the RDATA. */
    rc = stc_dns_read_name(resp->msg, resp->len, rr->rdata_off + skip, out, cap, &next);
    if (rc != STC_OK)
        return rc;
    return next == end ? STC_OK : STC_EPROTO;
}

/* stc_dns_rdata_mx - preference and exchange of an MX record ("" = null MX) */
int stc_dns_rdata_mx(const stc_dns_resp_t *resp, const stc_dns_rr_t *rr,
                     uint16_t *pref, char *exchange, size_t cap)
{
    int rc;

    if (rr->type != STC_DNS_MX)
        return STC_EINVAL;
    /* RFC 1035 3.3.9: a 16-bit PREFERENCE, then EXCHANGE, a domain name */
    rc = rdata_name_at(resp, rr, 2, exchange, cap);
    if (rc != STC_OK)
        return rc;
    *pref = get16(resp->msg + rr->rdata_off);
    return STC_OK;
}

/* stc_dns_rdata_name - the one name of a CNAME (or NS, PTR) record */
int stc_dns_rdata_name(const stc_dns_resp_t *resp, const stc_dns_rr_t *rr,
                       char *out, size_t cap)
{
    if (rr->type != STC_DNS_CNAME && rr->type != TYPE_NS && rr->type != TYPE_PTR)
        return STC_EINVAL;
    return rdata_name_at(resp, rr, 0, out, cap);
}

/* stc_dns_rdata_ip - the address of an IN A or IN AAAA record */
int stc_dns_rdata_ip(const stc_dns_resp_t *resp, const stc_dns_rr_t *rr, stc_ip_t *ip)
{
    size_t want;

    /* A and AAAA are class-specific (RFC 1035 3.4.1: "Internet specific") */
    if (rr->cls != CLASS_IN)
        return STC_EINVAL;
    if (rr->type == STC_DNS_A)
        want = 4;
    else if (rr->type == STC_DNS_AAAA)
        want = 16;
    else
        return STC_EINVAL;
    if (rr->rdlen != want || rr->rdata_off + want > resp->len)
        return STC_EPROTO;
    memset(ip, 0, sizeof *ip);
    ip->family = (uint8_t)(want == 4 ? 4 : 6);
    memcpy(ip->addr, resp->msg + rr->rdata_off, want);
    return STC_OK;
}

/* stc_dns_rdata_txt - the character-strings of a TXT record, concatenated */
int stc_dns_rdata_txt(const stc_dns_resp_t *resp, const stc_dns_rr_t *rr,
                      char *out, size_t cap, size_t *outlen)
{
    stc_buf_t r;
    size_t o = 0;

    if (rr->type != STC_DNS_TXT)
        return STC_EINVAL;
    if (cap == 0)
        return STC_ETOOLONG;
    if (rr->rdata_off + rr->rdlen > resp->len)
        return STC_EPROTO;
    /* RFC 1035 3.3.14: TXT-DATA is "One or more <character-string>s" */
    if (rr->rdlen == 0)
        return STC_EPROTO;
    /* the RDATA bounds the strings */
    stc_buf_init(&r, resp->msg, rr->rdata_off + rr->rdlen);
    (void)stc_buf_seek(&r, rr->rdata_off);
    while (stc_buf_left(&r) > 0) {
        const uint8_t *str;
        uint8_t n;
        (void)stc_buf_u8(&r, &n);
        if (!stc_buf_bytes(&r, n, &str))
            return STC_EPROTO;
        /* RFC 7208 3.3 (the rule RFC 8461 records follow): "If a published
         * record contains multiple strings, then the record MUST be treated
         * as if those strings are concatenated together without adding
         * spaces." Keep one byte for the terminating NUL. */
        if (cap - o < (size_t)n + 1)
            return STC_ETOOLONG;
        memcpy(out + o, str, n);
        o += n;
    }
    out[o] = '\0';
    *outlen = o;
    return STC_OK;
}

/* stc_dns_rdata_tlsa - the fields of a TLSA record; *data points into msg */
int stc_dns_rdata_tlsa(const stc_dns_resp_t *resp, const stc_dns_rr_t *rr,
                       uint8_t *usage, uint8_t *selector, uint8_t *mtype,
                       const uint8_t **data, size_t *dlen)
{
    const uint8_t *p;

    if (rr->type != STC_DNS_TLSA)
        return STC_EINVAL;
    /* RFC 6698 2.1: usage, selector, matching type (one octet each), then
     * the certificate association data. Judging the data's length against
     * the matching type is DANE's business, not the wire format's. */
    if (rr->rdlen < 3 || rr->rdata_off + rr->rdlen > resp->len)
        return STC_EPROTO;
    p = resp->msg + rr->rdata_off;
    *usage = p[0];
    *selector = p[1];
    *mtype = p[2];
    *data = p + 3;
    *dlen = (size_t)rr->rdlen - 3;
    return STC_OK;
}

/* ---- answer extraction ------------------------------------------------------ */

/* find_cname - scan the whole answer section (so damage anywhere is found
 * before any record is handed out) for the CNAME owned by `owner`; *found
 * = its index or -1, its target in `to` */
static int find_cname(const stc_dns_resp_t *resp, const char *owner, long *found,
                      char *to, size_t cap)
{
    stc_dns_rr_t rr;
    size_t pos = resp->an_off;
    uint16_t idx = 0;
    char t[STC_NAME_MAX + 1];
    int rc;

    *found = -1;
    while ((rc = stc_dns_next_answer(resp, &pos, &idx, &rr)) == STC_OK) {
        if (rr.type != STC_DNS_CNAME || rr.cls != CLASS_IN || strcmp(rr.owner, owner) != 0)
            continue;
        rc = stc_dns_rdata_name(resp, &rr, t, sizeof t);
        if (rc != STC_OK)
            return STC_EPROTO;
        if (*found >= 0) {
            /* RFC 2181 10.1: "There may be only one such canonical name for
             * any one alias." A repeat of the same record is harmless. */
            if (strcmp(t, to) != 0)
                return STC_EPROTO;
            continue;
        }
        if (strlen(t) + 1 > cap)
            return STC_ETOOLONG;
        memcpy(to, t, strlen(t) + 1);
        *found = (long)(idx - 1);
    }
    return rc == STC_ECLOSED ? STC_OK : STC_EPROTO;
}

/* stc_dns_extract - follow the CNAME chain from qname, hand qtype records of
 * its end to cb. A negative return from cb stops the walk and is returned. */
int stc_dns_extract(const stc_dns_resp_t *resp, const char *qname, uint16_t qtype,
                    stc_dns_rr_cb cb, void *ctx, char *target, size_t cap)
{
    char cur[STC_NAME_MAX + 1], next[STC_NAME_MAX + 1];
    long used[STC_DNS_CNAME_MAX];
    unsigned links = 0, i;
    stc_dns_rr_t rr;
    size_t pos;
    uint16_t idx;
    int rc, n = 0;

    if (name_normalize(qname, cur, sizeof cur) != STC_OK)
        return STC_EINVAL;
    for (;;) {
        long found;
        rc = find_cname(resp, cur, &found, next, sizeof next);
        if (rc != STC_OK)
            return rc;
        /* RFC 1034 5.2.2: "if the query type is CNAME, the user is
         * interested in the CNAME RR itself, and not the RRs at the name it
         * points to." */
        if (found < 0 || qtype == STC_DNS_CNAME)
            break;
        /* RFC 1034 3.6.2: "CNAME chains should be followed and CNAME loops
         * signalled as an error." Visiting a name twice means using the
         * same (first) CNAME record of that owner twice. */
        for (i = 0; i < links; i++)
            if (used[i] == found)
                return STC_EPROTO;
        if (links >= STC_DNS_CNAME_MAX)
            return STC_EPROTO;
        used[links++] = found;
        memcpy(cur, next, strlen(next) + 1);
    }
    if (strlen(cur) + 1 > cap)
        return STC_ETOOLONG;
    memcpy(target, cur, strlen(cur) + 1);

    pos = resp->an_off;
    idx = 0;
    while ((rc = stc_dns_next_answer(resp, &pos, &idx, &rr)) == STC_OK) {
        if (rr.type != qtype || rr.cls != CLASS_IN || strcmp(rr.owner, cur) != 0)
            continue;
        rc = cb(ctx, resp, &rr);
        if (rc < 0)
            return rc;
        n++;
    }
    return rc == STC_ECLOSED ? n : STC_EPROTO;
}

/* ---- how long an answer may be kept ------------------------------------------ */

#define TYPE_SOA 6u
#define SOA_FIXED 20u /* SERIAL REFRESH RETRY EXPIRE MINIMUM after the two names */

/* stc_dns_keep_ttl - seconds the answer may be kept (RFC 2181 5.2: the
 * least TTL of the answer section, RRSIGs included; RFC 2308 5: a negative
 * answer (NXDOMAIN, or NOERROR without an answer) by the authority
 * section's SOA, the lesser of its TTL and its MINIMUM; an SOA there bounds
 * a positive answer too). 1 with *ttl set,
 * 0 when the message gives no lifetime (another RCODE, a negative answer
 * without SOA: keep nothing), STC_EPROTO on damage. */
int stc_dns_keep_ttl(const stc_dns_resp_t *resp, uint32_t *ttl)
{
    char owner[STC_NAME_MAX + 1];
    size_t pos = resp->an_off, nlen, next, i, total;
    uint32_t least = 0xffffffffu;
    int found = 0;

    if (resp->tc || (resp->rcode != STC_RCODE_NOERROR && resp->rcode != STC_RCODE_NXDOMAIN))
        return 0;
    /* the authority's SOA also bounds a CNAME chain that ends in no data */
    total = (size_t)resp->ancount + resp->nscount;
    for (i = 0; i < total; i++) {
        stc_buf_t r;
        uint16_t type, cls, rdlen;
        uint32_t t;

        if (name_decode(resp->msg, resp->len, pos, owner, &nlen, &next) != STC_OK)
            return STC_EPROTO;
        stc_buf_init(&r, resp->msg, resp->len);
        if (!stc_buf_seek(&r, next) || !stc_buf_u16(&r, &type) || !stc_buf_u16(&r, &cls) ||
            !stc_buf_u32(&r, &t) || !stc_buf_u16(&r, &rdlen) || rdlen > stc_buf_left(&r))
            return STC_EPROTO;
        if (t & 0x80000000u) /* RFC 2181 8: as zero */
            t = 0;
        if (i < resp->ancount) {
            found = 1;
            if (t < least)
                least = t;
        } else if (type == TYPE_SOA && rdlen >= 2 + SOA_FIXED) {
            uint32_t min = ((uint32_t)get16(r.p + r.off + rdlen - 4) << 16) |
                           get16(r.p + r.off + rdlen - 2);
            if (min & 0x80000000u)
                min = 0;
            found = 1;
            if (t < least)
                least = t;
            if (min < least)
                least = min;
        }
        pos = r.off + rdlen;
    }
    if (!found)
        return 0;
    *ttl = least;
    return 1;
}
