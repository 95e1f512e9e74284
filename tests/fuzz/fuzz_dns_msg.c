/* fuzz_dns_msg.c - libFuzzer target for the DNS message parser
 *
 * The input is one DNS message. It is read three ways:
 * 1. as the answer to its own question (id, first question name and type
 *    taken from the input) and to a fixed one (example.org MX), through
 *    stc_dns_parse_response;
 * 2. raw, skipping the question check: a stc_dns_resp_t is filled from the
 *    header fields, every answer is walked with every RDATA decoder, and
 *    stc_dns_extract runs for MX, A, AAAA, TXT, TLSA and CNAME, and
 *    stc_dns_keep_ttl says how long the DNS cache would keep it;
 * 3. name by name: every offset (first 1024) is read with
 *    stc_dns_read_name, and every name read is turned back into a query
 *    that must parse as the question it was built from.
 * Invariants (abort() on breach): names are lower-case hostnames of at
 * most 253 characters without empty labels, offsets stay inside the
 * message, decoders agree with RDLENGTH, extract hands out only records of
 * the asked type owned by the returned target.
 */
#include "stc_int.h"
#include "engine.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NAME_SCAN_MAX 1024u

static const uint16_t qtypes[] = {STC_DNS_MX, STC_DNS_A, STC_DNS_AAAA, STC_DNS_TXT,
                                  STC_DNS_TLSA, STC_DNS_CNAME};

/* check_name - a decoded name is in the form read_name promises */
static void check_name(const char *s)
{
    size_t n = strlen(s), i, label = 0;

    if (n > STC_NAME_MAX)
        abort();
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '.') {
            if (label == 0)
                abort(); /* empty label or leading dot */
            label = 0;
            continue;
        }
        if (c < 0x21 || c > 0x7e || (c >= 'A' && c <= 'Z'))
            abort();
        if (++label > 63)
            abort();
    }
    if (n > 0 && label == 0)
        abort(); /* trailing dot */
}

/* roundtrip - a name we read must make a query that parses as its question */
static void roundtrip(const char *name, uint16_t id, uint16_t qtype)
{
    static uint8_t q[STC_DNS_MSG_MAX];
    char back[STC_NAME_MAX + 1];
    stc_dns_resp_t r;
    size_t n, next;

    n = stc_dns_build_query(q, sizeof q, id, name, qtype, STC_DNS_EDNS_UDP);
    if (n == 0)
        abort(); /* every name read_name returns is one we can send */
    /* header + name (at most 255) + type/class + OPT */
    if (n < 12 + 1 + 4 + 11 || n > 12 + 255 + 4 + 11)
        abort();
    if (q[2] != 0x01 || q[3] != 0x00 || q[n - 4] != 0x80)
        abort(); /* RD only; DO set */
    /* a query is not an answer... */
    if (stc_dns_parse_response(q, n, id, name, qtype, &r) != STC_EPROTO)
        abort();
    /* ...until QR is set: then it is the answer to itself */
    q[2] |= 0x80;
    if (stc_dns_parse_response(q, n, id, name, qtype, &r) != STC_OK)
        abort();
    if (r.ancount != 0 || r.arcount != 1 || r.tc || r.an_off + 11 != n)
        abort();
    if (stc_dns_read_name(q, n, 12, back, sizeof back, &next) != STC_OK)
        abort();
    if (strcmp(back, name) != 0 || next + 4 != r.an_off)
        abort();
}

/* rr_decode - every decoder on one record; results checked against RDLENGTH */
static void rr_decode(const stc_dns_resp_t *resp, const stc_dns_rr_t *rr)
{
    char name[STC_NAME_MAX + 1];
    static char txt[STC_DNS_MSG_MAX];
    uint16_t pref;
    stc_ip_t ip;
    size_t tlen;
    uint8_t u, s, t;
    const uint8_t *d;
    size_t dlen;

    if (rr->rdata_off + rr->rdlen > resp->len)
        abort();
    if (stc_dns_rdata_mx(resp, rr, &pref, name, sizeof name) == STC_OK) {
        if (rr->type != STC_DNS_MX || rr->rdlen < 3)
            abort();
        check_name(name);
    }
    if (stc_dns_rdata_name(resp, rr, name, sizeof name) == STC_OK)
        check_name(name);
    if (stc_dns_rdata_ip(resp, rr, &ip) == STC_OK) {
        if (!((ip.family == 4 && rr->rdlen == 4 && rr->type == STC_DNS_A) ||
              (ip.family == 6 && rr->rdlen == 16 && rr->type == STC_DNS_AAAA)))
            abort();
    }
    if (stc_dns_rdata_txt(resp, rr, txt, sizeof txt, &tlen) == STC_OK) {
        if (rr->type != STC_DNS_TXT || tlen >= rr->rdlen || txt[tlen] != '\0')
            abort();
    }
    /* a small buffer: must refuse cleanly, never overrun */
    {
        char small[4];
        size_t slen;
        if (stc_dns_rdata_txt(resp, rr, small, sizeof small, &slen) == STC_OK && slen >= 4)
            abort();
    }
    if (stc_dns_rdata_tlsa(resp, rr, &u, &s, &t, &d, &dlen) == STC_OK) {
        if (rr->type != STC_DNS_TLSA || dlen + 3 != rr->rdlen ||
            d != resp->msg + rr->rdata_off + 3)
            abort();
        /* the record as DANE reduces it: usable only with sane fields */
        {
            stc_tlsa_key_t k;
            int usable = stc_dane_key(&k, u, s, t, d, dlen);
            if (usable && ((u != 2 && u != 3) || s > 1 || t > 2 || (t == 1 && dlen != 32) ||
                           (t == 2 && dlen != 64)))
                abort();
        }
    }
}

/* What extract handed out. */
typedef struct seen {
    uint16_t qtype;
    int n;
    char owner[STC_NAME_MAX + 1];
} seen_t;

/* on_rr - extract callback: same type, same owner every time */
static int on_rr(void *ctx, const stc_dns_resp_t *resp, const stc_dns_rr_t *rr)
{
    seen_t *s = (seen_t *)ctx;

    if (rr->type != s->qtype || rr->cls != 1)
        abort();
    if (s->n == 0)
        memcpy(s->owner, rr->owner, sizeof s->owner);
    else if (strcmp(s->owner, rr->owner) != 0)
        abort();
    s->n++;
    rr_decode(resp, rr);
    return 0;
}

/* walk - every answer, every decoder, then extract for every type */
static void walk(const stc_dns_resp_t *resp, const char *qname)
{
    stc_dns_rr_t rr;
    size_t pos = resp->an_off, prev;
    uint16_t idx = 0;
    char target[STC_NAME_MAX + 1];
    size_t i;
    int rc;

    for (;;) {
        prev = pos;
        rc = stc_dns_next_answer(resp, &pos, &idx, &rr);
        if (rc != STC_OK)
            break;
        if (pos <= prev || pos > resp->len || idx > resp->ancount)
            abort();
        check_name(rr.owner);
        rr_decode(resp, &rr);
    }
    if (rc != STC_ECLOSED && rc != STC_EPROTO)
        abort();
    if (rc == STC_ECLOSED && idx != resp->ancount)
        abort();
    /* the lifetime the DNS cache would give it: only 1, 0 or damage, and a
     * TTL with the top bit set never survives (RFC 2181 8) */
    {
        uint32_t ttl = 0;
        int k = stc_dns_keep_ttl(resp, &ttl);
        if (k != 0 && k != 1 && k != STC_EPROTO)
            abort();
        if (k == 1 && (ttl & 0x80000000u))
            abort();
        if (k == 1 && (resp->tc || (resp->rcode != 0 && resp->rcode != 3)))
            abort();
    }

    for (i = 0; i < sizeof qtypes / sizeof qtypes[0]; i++) {
        seen_t s;
        memset(&s, 0, sizeof s);
        s.qtype = qtypes[i];
        rc = stc_dns_extract(resp, qname, qtypes[i], on_rr, &s, target, sizeof target);
        if (rc >= 0) {
            if (rc != s.n || rc > resp->ancount)
                abort();
            check_name(target);
            if (s.n > 0 && strcmp(s.owner, target) != 0)
                abort();
        } else if (rc != STC_EPROTO && rc != STC_ETOOLONG && rc != STC_EINVAL) {
            abort();
        } else if (s.n != 0) {
            abort(); /* damage is found before anything is handed out */
        }
    }
}

/* raw_resp - the header as it is, answers after the questions it counts */
static void raw_resp(const uint8_t *data, size_t size, stc_dns_resp_t *r,
                     char *qname, size_t cap, uint16_t *qtype)
{
    size_t off = 12, next;
    uint16_t qd, i;
    char name[STC_NAME_MAX + 1];

    memset(r, 0, sizeof *r);
    r->msg = data;
    r->len = size;
    r->id = (uint16_t)((data[0] << 8) | data[1]);
    r->rcode = data[3] & 0x0f;
    r->tc = (data[2] >> 1) & 1;
    r->aa = (data[2] >> 2) & 1;
    r->ad = (data[3] >> 5) & 1;
    qd = (uint16_t)((data[4] << 8) | data[5]);
    r->ancount = (uint16_t)((data[6] << 8) | data[7]);
    r->nscount = (uint16_t)((data[8] << 8) | data[9]);
    r->arcount = (uint16_t)((data[10] << 8) | data[11]);
    stc_strlcpy(qname, "example.org", cap);
    *qtype = STC_DNS_MX;
    for (i = 0; i < qd; i++) {
        if (stc_dns_read_name(data, size, off, name, sizeof name, &next) != STC_OK ||
            next + 4 > size) {
            off = 12;
            break;
        }
        if (i == 0) {
            stc_strlcpy(qname, name, cap);
            *qtype = (uint16_t)((data[next] << 8) | data[next + 1]);
        }
        off = next + 4;
    }
    r->an_off = off;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    stc_dns_resp_t r, raw;
    char qname[STC_NAME_MAX + 1], name[STC_NAME_MAX + 1];
    uint16_t qtype, id;
    size_t off, next, i;

    if (size < 12) {
        /* too short for a header: every entry point must say so */
        if (stc_dns_parse_response(data, size, 0, "example.org", STC_DNS_MX, &r) != STC_EPROTO)
            abort();
        return 0;
    }
    id = (uint16_t)((data[0] << 8) | data[1]);
    raw_resp(data, size, &raw, qname, sizeof qname, &qtype);

    /* 1. checked: as the answer to its own question, and to a fixed one */
    if (stc_dns_parse_response(data, size, id, qname, qtype, &r) == STC_OK) {
        if (r.an_off > size || r.an_off < 12 + 1 + 4 || r.id != id)
            abort();
        if (!r.tc && ((size_t)r.ancount + r.nscount + r.arcount) * 11 > size - r.an_off)
            abort();
        walk(&r, qname);
        walk(&r, "example.org");
    }
    if (stc_dns_parse_response(data, size, id, "example.org", STC_DNS_MX, &r) == STC_OK)
        walk(&r, "example.org");
    if (stc_dns_parse_response(data, size, (uint16_t)(id ^ 1), qname, qtype, &r) != STC_EPROTO)
        abort(); /* a wrong ID is never accepted */

    /* 2. raw: whatever the question says */
    walk(&raw, qname);

    /* 3. names at every offset, and back into queries */
    for (off = 0; off < size && off < NAME_SCAN_MAX; off++) {
        int rc = stc_dns_read_name(data, size, off, name, sizeof name, &next);
        if (rc == STC_OK) {
            if (next <= off || next > size)
                abort();
            check_name(name);
            roundtrip(name, (uint16_t)(id + off), qtypes[off % (sizeof qtypes / sizeof qtypes[0])]);
            /* the same name into a buffer one byte short */
            if (stc_dns_read_name(data, size, off, name, strlen(name), &next) != STC_ETOOLONG)
                abort();
        } else if (rc != STC_EPROTO) {
            abort();
        }
    }

    /* 4. our own query builder on names taken straight from the input bytes
     * (not via read_name): whatever it accepts must parse back */
    i = size - 12 < STC_NAME_MAX + 1 ? size - 12 : STC_NAME_MAX + 1;
    memcpy(name, data + 12, i);
    name[i < sizeof name ? i : sizeof name - 1] = '\0';
    {
        static uint8_t q[STC_DNS_MSG_MAX];
        size_t n = stc_dns_build_query(q, sizeof q, id, name, qtype, 1232);
        if (n > 0) {
            char back[STC_NAME_MAX + 1], want[STC_NAME_MAX + 1];
            size_t k, len = strlen(name);
            q[2] |= 0x80;
            if (stc_dns_parse_response(q, n, id, name, qtype, &r) != STC_OK)
                abort();
            if (stc_dns_read_name(q, n, 12, back, sizeof back, &next) != STC_OK)
                abort();
            /* read back = the input lower-cased, one trailing dot dropped */
            if (len > 0 && name[len - 1] == '.')
                len--;
            for (k = 0; k < len; k++)
                want[k] = (char)((name[k] >= 'A' && name[k] <= 'Z') ? name[k] - 'A' + 'a' : name[k]);
            want[len] = '\0';
            if (strcmp(back, want) != 0)
                abort();
        }
    }
    return 0;
}
