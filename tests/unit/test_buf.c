/* test_buf.c - the bounded reader and writer (src/buf.h)
 *
 * Every fetch past the end fails, leaves its output alone and makes the
 * cursor bad for good; length-prefixed vectors never reach past either
 * their own length or the outer cursor; the writer's length prefixes are
 * filled in and overflow is sticky.
 */
#include "unit.h"
#include "buf.h"

/* reads - fields in order, then nothing more */
static void reads(void)
{
    static const uint8_t v[] = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a};
    stc_buf_t b;
    uint8_t u8 = 0;
    uint16_t u16 = 0;
    uint32_t u24 = 0, u32 = 0;
    const uint8_t *p = NULL;

    stc_buf_init(&b, v, sizeof v);
    CHECK(stc_buf_u8(&b, &u8));
    CHECK_EQ(u8, 0x01);
    CHECK(stc_buf_u16(&b, &u16));
    CHECK_EQ(u16, 0x0203);
    CHECK(stc_buf_u24(&b, &u24));
    CHECK_EQ(u24, 0x040506);
    CHECK(stc_buf_u32(&b, &u32));
    CHECK_EQ(u32, 0x0708090au);
    CHECK_EQ(stc_buf_left(&b), 0);
    CHECK(!b.bad);
    /* one more byte: fails, output untouched, cursor bad for good */
    u8 = 0x55;
    CHECK(!stc_buf_u8(&b, &u8));
    CHECK_EQ(u8, 0x55);
    CHECK(b.bad);
    CHECK(!stc_buf_skip(&b, 0)); /* even an empty fetch fails once bad */

    stc_buf_init(&b, v, 3);
    CHECK(!stc_buf_u32(&b, &u32)); /* 4 wanted, 3 there */
    CHECK_EQ(b.off, 0);
    stc_buf_init(&b, v, 3);
    CHECK(stc_buf_bytes(&b, 2, &p));
    CHECK(p == v);
    CHECK(!stc_buf_bytes(&b, 2, &p));
    CHECK(p == v);

    stc_buf_init(&b, NULL, 99); /* no buffer: nothing to read */
    CHECK_EQ(stc_buf_left(&b), 0);
    CHECK(!stc_buf_u8(&b, &u8));
}

/* subs - length-prefixed vectors are bounded by their length and the outer cursor */
static void subs(void)
{
    /* a 2-byte-length vector of 3 bytes, then a 1-byte-length vector that
     * claims 9 bytes where 2 are left */
    static const uint8_t v[] = {0x00, 0x03, 'a', 'b', 'c', 0x09, 'x', 'y'};
    stc_buf_t b, s;
    uint8_t ch = 0;
    uint32_t u = 0;

    stc_buf_init(&b, v, sizeof v);
    CHECK(stc_buf_sub(&b, 2, &s));
    CHECK_EQ(stc_buf_left(&s), 3);
    CHECK(stc_buf_u8(&s, &ch));
    CHECK_EQ(ch, 'a');
    CHECK(!stc_buf_u24(&s, &u)); /* only 2 left inside the vector */
    CHECK(s.bad);
    CHECK(!b.bad);              /* the inner failure stays inside */
    CHECK_EQ(b.off, 5);
    CHECK(!stc_buf_sub(&b, 1, &s)); /* 9 claimed, 2 there */
    CHECK(b.bad);
    CHECK(s.bad);
    CHECK_EQ(stc_buf_left(&s), 0);

    stc_buf_init(&b, v, sizeof v);
    CHECK(!stc_buf_sub(&b, 4, &s)); /* no 4-byte prefixes */
    stc_buf_init(&b, v, sizeof v);
    CHECK(stc_buf_seek(&b, sizeof v));
    CHECK(!stc_buf_seek(&b, sizeof v + 1));
    CHECK(b.bad);
}

/* writes - fields, length prefixes, overflow */
static void writes(void)
{
    uint8_t out[12];
    stc_wbuf_t w;
    size_t m1, m2;

    memset(out, 0xee, sizeof out);
    stc_wbuf_init(&w, out, sizeof out);
    stc_wbuf_u8(&w, 0x16);
    m1 = stc_wbuf_open(&w, 2);
    stc_wbuf_u16(&w, 0x0303);
    m2 = stc_wbuf_open(&w, 1);
    stc_wbuf_str(&w, "ab");
    stc_wbuf_close(&w, m2, 1);
    stc_wbuf_u24(&w, 0x010203);
    stc_wbuf_close(&w, m1, 2);
    CHECK(!w.bad);
    CHECK_EQ(w.off, 11);
    {
        static const uint8_t want[] = {0x16, 0x00, 0x08, 0x03, 0x03, 0x02, 'a', 'b',
                                       0x01, 0x02, 0x03};
        CHECK(memcmp(out, want, sizeof want) == 0);
    }
    stc_wbuf_bytes(&w, "xy", 2); /* 11 + 2 > 12 */
    CHECK(w.bad);
    CHECK_EQ(w.off, 11);
    CHECK_EQ(out[11], 0xee); /* nothing written past the cursor */
    stc_wbuf_u8(&w, 1);      /* sticky: even one byte is refused now */
    CHECK_EQ(w.off, 11);

    /* a body too long for its 1-byte prefix */
    {
        uint8_t big[300];
        size_t m;
        stc_wbuf_init(&w, big, sizeof big);
        m = stc_wbuf_open(&w, 1);
        memset(big + 1, 'z', 256);
        w.off += 256;
        stc_wbuf_close(&w, m, 1);
        CHECK(w.bad);
    }
}

int main(void)
{
    unit_name = "buf";
    RUN(reads);
    RUN(subs);
    RUN(writes);
    return unit_done();
}
