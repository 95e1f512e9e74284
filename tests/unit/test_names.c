/* test_names.c - name checks, IP literals, certificate and policy matching
 * (src/names.c)
 */
#include "unit.h"

#include "stc_int.h"

/* rep - n copies of ch followed by tail, in buf */
static const char *rep(char *buf, char ch, size_t n, const char *tail)
{
    memset(buf, ch, n);
    strcpy(buf + n, tail);
    return buf;
}

static void test_name_check(void)
{
    static const struct {
        const char *s;
        int want;
    } v[] = {
        {"example.org", STC_NAME_OK},
        {"example.org.", STC_NAME_OK},
        {"EXAMPLE.Org", STC_NAME_OK},
        {"mx1.mail.example.org", STC_NAME_OK},
        {"a", STC_NAME_OK},
        {"a.b", STC_NAME_OK},
        {"a-b.c-d.e", STC_NAME_OK},
        {"a--b.org", STC_NAME_OK},
        {"xn--bcher-kva.example", STC_NAME_OK},
        {"_dmarc.example.org", STC_NAME_OK},
        {"mx_1.example.org", STC_NAME_OK},
        {"_.example.org", STC_NAME_OK},
        {"123.example.org", STC_NAME_OK},
        {"192.0.2.1", STC_NAME_OK}, /* LDH; IP literals are told apart by stc_ip_parse */
        {"", STC_NAME_BAD},
        {".", STC_NAME_BAD},
        {"..", STC_NAME_BAD},
        {"a..b", STC_NAME_BAD},
        {".a", STC_NAME_BAD},
        {"a.b..", STC_NAME_BAD},
        {"-a.org", STC_NAME_BAD},
        {"a-.org", STC_NAME_BAD},
        {"a.-b.org", STC_NAME_BAD},
        {"a.b-", STC_NAME_BAD},
        {"a.b-.", STC_NAME_BAD},
        {"-", STC_NAME_BAD},
        {"a b.org", STC_NAME_BAD},
        {" example.org", STC_NAME_BAD},
        {"example.org ", STC_NAME_BAD},
        {"a\tb.org", STC_NAME_BAD},
        {"a\r\n.org", STC_NAME_BAD},
        {"a/b.org", STC_NAME_BAD},
        {"user@example.org", STC_NAME_BAD},
        {"*.example.org", STC_NAME_BAD},
        {"example.org:25", STC_NAME_BAD},
        {"[192.0.2.1]", STC_NAME_BAD},
        {"::1", STC_NAME_BAD},
        {"b\xc3\xbc" "cher.example", STC_NAME_NOT_ASCII},
        {"\xff", STC_NAME_NOT_ASCII},
        {"a b\xc3\xa9", STC_NAME_NOT_ASCII}, /* needs IDNA first, whatever else */
        {"\xe4\xbe\x8b\xe5\xad\x90.\xe6\xb5\x8b\xe8\xaf\x95", STC_NAME_NOT_ASCII},
    };
    char buf[600], buf2[600];
    size_t i;

    for (i = 0; i < sizeof v / sizeof v[0]; i++) {
        int got = stc_name_check(v[i].s);
        CHECK_EQ(got, v[i].want);
        if (got != v[i].want)
            printf("  name \"%s\"\n", v[i].s);
    }
    /* labels: 63 fits, 64 does not (RFC 1035 2.3.4) */
    CHECK_EQ(stc_name_check(rep(buf, 'a', 63, ".org")), STC_NAME_OK);
    CHECK_EQ(stc_name_check(rep(buf, 'a', 64, ".org")), STC_NAME_BAD);
    CHECK_EQ(stc_name_check(rep(buf, 'a', 63, "")), STC_NAME_OK);
    CHECK_EQ(stc_name_check(rep(buf, 'a', 64, "")), STC_NAME_BAD);
    memcpy(buf2, "x.", 2);
    rep(buf2 + 2, 'b', 63, ".");
    CHECK_EQ(stc_name_check(buf2), STC_NAME_OK);
    rep(buf2 + 2, 'b', 64, ".");
    CHECK_EQ(stc_name_check(buf2), STC_NAME_BAD);

    /* total: 253 characters fit without the trailing dot, 254 with it */
    {
        size_t n = 0, lab;
        /* 3 labels of 63 + 1 label of 61 + 3 dots = 253 */
        for (lab = 0; lab < 3; lab++) {
            memset(buf + n, 'c', 63);
            n += 63;
            buf[n++] = '.';
        }
        memset(buf + n, 'd', 61);
        n += 61;
        buf[n] = '\0';
        CHECK_EQ(strlen(buf), 253);
        CHECK_EQ(stc_name_check(buf), STC_NAME_OK);
        buf[n] = '.';
        buf[n + 1] = '\0';
        CHECK_EQ(stc_name_check(buf), STC_NAME_OK);
        buf[n] = 'd';
        buf[n + 1] = '\0';
        CHECK_EQ(strlen(buf), 254);
        CHECK_EQ(stc_name_check(buf), STC_NAME_BAD);
        buf[n + 1] = '.';
        buf[n + 2] = '\0';
        CHECK_EQ(stc_name_check(buf), STC_NAME_BAD);
    }
    /* a very long string is judged without trouble */
    CHECK_EQ(stc_name_check(rep(buf, 'a', 590, "")), STC_NAME_BAD);
}

/* ip_eq - two parsed addresses are the same (whole struct) */
static int ip_eq(const stc_ip_t *a, const stc_ip_t *b)
{
    return memcmp(a, b, sizeof *a) == 0;
}

static void test_ip4(void)
{
    static const struct {
        const char *s;
        uint8_t a[4];
    } good[] = {
        {"0.0.0.0", {0, 0, 0, 0}},
        {"192.0.2.1", {192, 0, 2, 1}},
        {"255.255.255.255", {255, 255, 255, 255}},
        {"10.0.100.9", {10, 0, 100, 9}},
        {"1.20.0.200", {1, 20, 0, 200}},
    };
    static const char *const bad[] = {
        "", "256.1.1.1", "1.2.3.256", "1.2.3", "1.2.3.4.5", "01.2.3.4", "1.2.3.04",
        "1.2.3.00", "00.0.0.0", "1.2.3.", ".1.2.3", "1..2.3", "1.2.3.4 ", " 1.2.3.4",
        "0x1.2.3.4", "1.2.3.4/24", "1234.1.1.1", "1.2.3.-1", "[192.0.2.1]", "1.2.3.4.",
        "a.b.c.d", "1.2.3.1000", "4294967295", "1,2,3,4", "example.org", "0000.0.0.0",
    };
    size_t i;
    stc_ip_t ip, keep;
    char t[64];

    for (i = 0; i < sizeof good / sizeof good[0]; i++) {
        memset(&ip, 0xaa, sizeof ip);
        CHECK_EQ(stc_ip_parse(good[i].s, &ip), 1);
        CHECK_EQ(ip.family, 4);
        CHECK(memcmp(ip.addr, good[i].a, 4) == 0);
        CHECK(ip.addr[4] == 0 && ip.addr[15] == 0); /* the rest is zeroed */
        CHECK_STR(stc_ip_text(&ip, t, sizeof t), good[i].s);
    }
    memset(&keep, 0x55, sizeof keep);
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ip = keep;
        CHECK_EQ(stc_ip_parse(bad[i], &ip), 0);
        CHECK(ip_eq(&ip, &keep)); /* untouched on failure */
        if (stc_ip_parse(bad[i], &ip))
            printf("  accepted \"%s\"\n", bad[i]);
    }
}

static void test_ip6_parse(void)
{
    static const struct {
        const char *s;
        uint8_t a[16];
    } good[] = {
        {"::", {0}},
        {"::1", {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}},
        {"1::", {0, 1}},
        {"2001:db8::1", {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}},
        {"2001:DB8::1", {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}},
        {"2001:0db8:0000:0000:0000:0000:0000:0001",
         {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}},
        {"1:2:3:4:5:6:7:8", {0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7, 0, 8}},
        {"ffff:FFFF:fFfF:ffff:ffff:ffff:ffff:ffff",
         {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
          0xff, 0xff}},
        {"::ffff:192.0.2.1", {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 1}},
        {"64:ff9b::192.0.2.33", {0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0, 192, 0, 2, 33}},
        {"1:2:3:4:5:6:1.2.3.4", {0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 1, 2, 3, 4}},
        {"::1.2.3.4", {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4}},
        {"1::1.2.3.4", {0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4}},
        {"1:2:3:4:5::1.2.3.4", {0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 0, 1, 2, 3, 4}},
        {"1:2:3:4:5:6:7::", {0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7, 0, 0}},
        {"::2:3:4:5:6:7:8", {0, 0, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7, 0, 8}},
        {"1:2:3::6:7:8", {0, 1, 0, 2, 0, 3, 0, 0, 0, 0, 0, 6, 0, 7, 0, 8}},
        {"fe80::1", {0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}},
        {"0:0:0:0:0:0:0:0", {0}},
        {"abc:0:0::0", {0x0a, 0xbc}},
    };
    static const char *const bad[] = {
        ":", ":::", "::::", "1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8:9", "1::2::3", ":1::", ":1:2:3:4:5:6:7:8",
        "1::2:", "1:2:3:4:5:6:7:8:", "12345::", "::12345", "g::", "::g", "1:2:3:4:5:6:7:8::",
        "::1:2:3:4:5:6:7:8", "1:2:3:4::5:6:7:8", "fe80::1%eth0", "[::1]", "::1.2.3", "::1.2.3.4.5",
        "1:2:3:4:5:6:7:1.2.3.4", "1:2:3:4:5:6::1.2.3.4", "1.2.3.4::", "::1.2.3.4:1", "::01.2.3.4",
        "::256.1.1.1", " ::1", "::1 ", "::-1", "1:2:3:4:5:6:7:-8", "::ffff:1.2.3.4/96", "0x1::",
        "::.1.2.3", "::1.2.3.", "1:2:3:4:5:6:7:8 ", "1 ::", "::ffff:1234.1.1.1",
    };
    size_t i;
    stc_ip_t ip, keep;

    for (i = 0; i < sizeof good / sizeof good[0]; i++) {
        int ok = stc_ip_parse(good[i].s, &ip);
        CHECK_EQ(ok, 1);
        CHECK_EQ(ip.family, 6);
        CHECK(memcmp(ip.addr, good[i].a, 16) == 0);
        if (!ok || memcmp(ip.addr, good[i].a, 16) != 0)
            printf("  \"%s\"\n", good[i].s);
    }
    memset(&keep, 0x55, sizeof keep);
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ip = keep;
        CHECK_EQ(stc_ip_parse(bad[i], &ip), 0);
        CHECK(ip_eq(&ip, &keep));
        if (stc_ip_parse(bad[i], &ip))
            printf("  accepted \"%s\"\n", bad[i]);
    }
}

static void test_ip6_text(void)
{
    /* RFC 5952 section 4 and its examples */
    static const struct {
        const char *in, *want;
    } v[] = {
        {"2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"},   /* 4.2.3: first of equal runs */
        {"2001:0db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"},
        {"2001:db8::0:1", "2001:db8::1"},
        {"2001:db8:0:0:0:0:2:1", "2001:db8::2:1"},         /* 4.2.1: shorten as much as possible */
        {"2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"}, /* 4.2.2: not for one group */
        {"2001:0:0:1:0:0:0:1", "2001:0:0:1::1"},           /* 4.2.3: the longest run */
        {"2001:db8:0:0:aaaa:0:0:1", "2001:db8::aaaa:0:0:1"},
        {"2001:DB8::AAAA", "2001:db8::aaaa"},             /* 4.3: lower case */
        {"2001:0db8::0001", "2001:db8::1"},                /* 4.1: no leading zeros */
        {"2001:db8:aaaa:bbbb:cccc:dddd:eeee:0001", "2001:db8:aaaa:bbbb:cccc:dddd:eeee:1"},
        {"2001:db8::1:0:0:0:1", "2001:db8:0:1::1"},
        {"0:0:0:0:0:0:0:0", "::"},
        {"0:0:0:0:0:0:0:1", "::1"},
        {"1:0:0:0:0:0:0:0", "1::"},
        {"1:0:0:0:0:0:0:1", "1::1"},
        {"0:1:0:1:0:1:0:1", "0:1:0:1:0:1:0:1"},
        {"1:0:1:0:1:0:1:0", "1:0:1:0:1:0:1:0"},
        {"0:0:1:0:0:1:0:0", "::1:0:0:1:0:0"},
        {"1:0:0:1:0:0:0:0", "1:0:0:1::"},
        {"1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8"},
        {"fe80:0000:0000:0000:0202:b3ff:fe1e:8329", "fe80::202:b3ff:fe1e:8329"},
        {"::ffff:192.0.2.1", "::ffff:192.0.2.1"},         /* 5: IPv4-mapped */
        {"::FFFF:c000:0201", "::ffff:192.0.2.1"},
        {"::ffff:0:0", "::ffff:0.0.0.0"},
        {"::192.0.2.1", "::c000:201"},                    /* deprecated compat: plain hex */
        {"64:ff9b::192.0.2.33", "64:ff9b::c000:221"},
        {"0:0:0:0:1:ffff:0:0", "::1:ffff:0:0"},
        {"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"},
        {"0:0:0:0:0:ffff:ffff:ffff", "::ffff:255.255.255.255"},
    };
    size_t i;
    stc_ip_t ip, back;
    char t[64];

    for (i = 0; i < sizeof v / sizeof v[0]; i++) {
        CHECK_EQ(stc_ip_parse(v[i].in, &ip), 1);
        CHECK_STR(stc_ip_text(&ip, t, sizeof t), v[i].want);
        CHECK_EQ(stc_ip_parse(t, &back), 1);
        CHECK(ip_eq(&ip, &back));
    }
}

static void test_ip_text_buffers(void)
{
    stc_ip_t ip;
    char t[64];
    const char *r;

    CHECK_EQ(stc_ip_parse("2001:db8::1", &ip), 1);
    /* exactly 46 is enough, 45 is not (even for short addresses) */
    CHECK_STR(stc_ip_text(&ip, t, 46), "2001:db8::1");
    memset(t, 'x', sizeof t);
    r = stc_ip_text(&ip, t, 45);
    CHECK(r == t);
    CHECK_STR(r, "");
    CHECK_EQ(t[1], 'x'); /* nothing else written */
    memset(t, 'x', sizeof t);
    CHECK_STR(stc_ip_text(&ip, t, 1), "");
    memset(t, 'x', sizeof t);
    r = stc_ip_text(&ip, t, 0);
    CHECK(r == t);
    CHECK_EQ(t[0], 'x'); /* cap 0: nothing may be written */
    CHECK_EQ(stc_ip_parse("192.0.2.1", &ip), 1);
    CHECK_STR(stc_ip_text(&ip, t, 16), "");
    /* family unset or unknown */
    memset(&ip, 0, sizeof ip);
    CHECK_STR(stc_ip_text(&ip, t, sizeof t), "");
    ip.family = 5;
    CHECK_STR(stc_ip_text(&ip, t, sizeof t), "");
    /* the longest forms fit 46 bytes */
    memset(ip.addr, 0xff, sizeof ip.addr);
    ip.family = 6;
    CHECK_EQ(strlen(stc_ip_text(&ip, t, 46)), 39);
}

/* next - a small deterministic pseudo-random generator (xorshift32) */
static uint32_t next(uint32_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 17;
    *s ^= *s << 5;
    return *s;
}

static void test_ip_round_trip(void)
{
    uint32_t seed = 0x12345678u;
    int i, k, bad = 0;

    for (i = 0; i < 200000 && bad < 5; i++) {
        stc_ip_t ip, back;
        char t[64], t2[64];
        uint32_t r = next(&seed);
        memset(&ip, 0, sizeof ip);
        ip.family = (r & 1) ? 6 : 4;
        /* groups are zero half the time so every run pattern shows up */
        for (k = 0; k < 8; k++) {
            uint32_t g = next(&seed);
            if (g & 0x10000u)
                continue;
            if (g & 0x20000u)
                g &= 0x000f; /* short groups too */
            ip.addr[2 * k] = (uint8_t)(g >> 8);
            ip.addr[2 * k + 1] = (uint8_t)g;
        }
        if ((r & 6) == 6) { /* sometimes IPv4-mapped */
            memset(ip.addr, 0, 10);
            ip.addr[10] = ip.addr[11] = 0xff;
        }
        if (ip.family == 4)
            memset(ip.addr + 4, 0, 12);
        stc_ip_text(&ip, t, sizeof t);
        if (!stc_ip_parse(t, &back) || !ip_eq(&ip, &back)) {
            bad++;
            printf("  round trip \"%s\"\n", t);
            continue;
        }
        /* canonical: printing again gives the same text, no upper case,
         * never a ":0:0:" left next to a "::" */
        stc_ip_text(&back, t2, sizeof t2);
        if (strcmp(t, t2) != 0 || strstr(t, ":::") != NULL) {
            bad++;
            printf("  not canonical \"%s\" / \"%s\"\n", t, t2);
        }
    }
    CHECK_EQ(bad, 0);
}

static void test_match_cert(void)
{
    static const struct {
        const char *pattern, *host;
        int want;
    } v[] = {
        {"*.example.org", "mx.example.org", 1},
        {"*.example.org", "a.b.example.org", 0},   /* one label only */
        {"*.example.org", "example.org", 0},       /* not the bare suffix */
        {"*.example.org", ".example.org", 0},      /* not an empty label */
        {"*.org", "example.org", 0},               /* never with fewer than 3 labels */
        {"*.org", "org", 0},
        {"*", "localhost", 0},
        {"*.", "a.", 0},
        {"m*.example.org", "mx.example.org", 0},   /* partial labels never */
        {"*x.example.org", "mx.example.org", 0},
        {"mx*.example.org", "mx.example.org", 0},
        {"xn--*.example.org", "xn--bcher-kva.example.org", 0},
        {"mx.*.org", "mx.example.org", 0},         /* left-most only */
        {"*.*.example.org", "a.b.example.org", 0},
        {"*.example.*", "mx.example.org", 0},
        {"**.example.org", "mx.example.org", 0},
        {"*..org", "a..org", 0},
        {"*.example..org", "a.example..org", 0},
        {"*.example.org", "xn--bcher-kva.example.org", 1}, /* a whole A-label is fine */
        {"*.co.uk", "example.co.uk", 1}, /* public suffixes are the CA's job */
        {"mx.example.org", "mx.example.org", 1},
        {"mx.example.org", "MX.Example.ORG", 1},
        {"MX.EXAMPLE.ORG", "mx.example.org", 1},
        {"*.EXAMPLE.org", "Mx.example.ORG", 1},
        {"mx.example.org.", "mx.example.org", 1},
        {"mx.example.org", "mx.example.org.", 1},
        {"*.example.org.", "mx.example.org.", 1},
        {"*.example.org", "mx.example.org.", 1},
        {"mx.example.org", "mx.example.org..", 0},
        {"mx.example.org", "mx.example.com", 0},
        {"example.org", "mx.example.org", 0},
        {"mx.example.org", "example.org", 0},
        {"*.example.org", "mx.example.org.evil.com", 0},
        {"*.example.org", "mxexample.org", 0},
        {"*.example.org", "*.example.org", 0},     /* the host is never a wildcard */
        {"*.0.2.1", "192.0.2.1", 0},               /* IP literal never by wildcard */
        {"*.2.0.192", "1.2.0.192", 0},
        {"*.db8::1", "2001:db8::1", 0},
        {"192.0.2.1", "192.0.2.1", 1},             /* exact text equality only */
        {"", "", 0},
        {"", "mx.example.org", 0},
        {"mx.example.org", "", 0},
        {".", ".", 0},
        {"*.example.org", "", 0},
    };
    size_t i;

    for (i = 0; i < sizeof v / sizeof v[0]; i++) {
        int got = stc_name_match_cert(v[i].pattern, v[i].host);
        CHECK_EQ(got, v[i].want);
        if (got != v[i].want)
            printf("  cert \"%s\" vs \"%s\"\n", v[i].pattern, v[i].host);
    }
}

static void test_match_policy(void)
{
    static const struct {
        const char *pattern, *host;
        int want;
    } v[] = {
        /* the original tool's own vectors (hostname, policy) */
        {"example.com", "example.com", 1},
        {"mx.example.com", "mx.example.com", 1},
        {"example.com", "different.org", 0},
        {"example.com", "not.example.com", 0},
        {".example.com", "example.com", 0},
        {"*.example.com", "example.com", 0},
        {"*mx.example.com", "mx.example.com", 0},
        {"*.example.com", "mx.example.com", 1},
        {".example.com", "mx.example.com", 1},
        {"*.mx.example.com", "mx.mx.example.com", 1},
        {".mx.example.com", "mx.mx.example.com", 1},
        {"mx.*.com", "mx.example.com", 0},
        {"*.example.com", "mx.mx.example.com", 0},
        {"mx.*ple.com", "mx.example.com", 0},
        {"mx.example.com", "*.example.com", 0},
        {"mx.mx.example.com", "*.example.com", 0},
        {".mx.example.com", "*.example.com", 0},
        {"..example.com", "mx.example.com", 0},
        /* port suffix, trailing dot, case */
        {"mx.example.org", "mx.example.org:25", 1},
        {"*.example.org", "mx.example.org:25", 1},
        {".example.org", "MX.example.org:587", 1},
        {"mx.example.org", "mx.example.org.", 1},
        {"*.example.org", "mx.example.org.", 1},
        {"mx.example.org", "MX.EXAMPLE.ORG", 1},
        {"MX.Example.org", "mx.example.org", 1},
        {"*.EXAMPLE.ORG", "mx.example.org", 1},
        {"mx.example.org", "mx.example.org:", 1},
        {"mx.example.org", "mx.example.org:25:25", 0},
        /* as the original: the pattern keeps its trailing dot, and the
         * host's dot is dropped before its port */
        {"mx.example.org.", "mx.example.org", 0},
        {"*.example.org", "mx.example.org.:25", 0},
        {"mx.example.org", "mx.example.org.com", 0},
        {"*", "mx.example.org", 0},
        {"*.", "mx.", 0},
        {"", "", 0},
        {"", "mx.example.org", 0},
    };
    size_t i;

    for (i = 0; i < sizeof v / sizeof v[0]; i++) {
        int got = stc_name_match_policy(v[i].pattern, v[i].host);
        CHECK_EQ(got, v[i].want);
        if (got != v[i].want)
            printf("  policy \"%s\" vs \"%s\"\n", v[i].pattern, v[i].host);
    }
}

/* test_ip_parse_n - address tokens from lists and files */
static void test_ip_parse_n(void)
{
    stc_ip_t ip;
    char b[48];
    CHECK_EQ(stc_ip_parse_n("192.0.2.1,x", 9, &ip), 1);
    CHECK_STR(stc_ip_text(&ip, b, sizeof b), "192.0.2.1");
    CHECK_EQ(stc_ip_parse_n("[2001:db8::1]", 13, &ip), 1);
    CHECK_STR(stc_ip_text(&ip, b, sizeof b), "2001:db8::1");
    CHECK_EQ(stc_ip_parse_n("fe80::1%eth0", 12, &ip), 1);
    CHECK_STR(stc_ip_text(&ip, b, sizeof b), "fe80::1");
    CHECK_EQ(stc_ip_parse_n("[]", 2, &ip), 0);
    CHECK_EQ(stc_ip_parse_n("%eth0", 5, &ip), 0);
    CHECK_EQ(stc_ip_parse_n("192.0.2.1", 0, &ip), 0);
    CHECK_EQ(stc_ip_parse_n("example.org", 11, &ip), 0);
    CHECK_EQ(stc_ip_parse_n("1.2.3.4.5", 9, &ip), 0);
}

/* test_hostport - relay specs for --host */
static void test_hostport(void)
{
    char h[64];
    uint16_t port;

    port = 25;
    CHECK_EQ(stc_hostport_parse("mx.example.org", h, sizeof h, &port), STC_OK);
    CHECK_STR(h, "mx.example.org");
    CHECK_EQ(port, 25);
    CHECK_EQ(stc_hostport_parse("mx.example.org:587", h, sizeof h, &port), STC_OK);
    CHECK_STR(h, "mx.example.org");
    CHECK_EQ(port, 587);
    port = 25;
    CHECK_EQ(stc_hostport_parse("192.0.2.1:465", h, sizeof h, &port), STC_OK);
    CHECK_STR(h, "192.0.2.1");
    CHECK_EQ(port, 465);
    port = 25;
    CHECK_EQ(stc_hostport_parse("2001:db8::1", h, sizeof h, &port), STC_OK);
    CHECK_STR(h, "2001:db8::1"); /* a bare IPv6 literal keeps its colons */
    CHECK_EQ(port, 25);
    CHECK_EQ(stc_hostport_parse("[2001:db8::1]:587", h, sizeof h, &port), STC_OK);
    CHECK_STR(h, "2001:db8::1");
    CHECK_EQ(port, 587);
    port = 25;
    CHECK_EQ(stc_hostport_parse("[::1]", h, sizeof h, &port), STC_OK);
    CHECK_STR(h, "::1");
    CHECK_EQ(port, 25);
    /* malformed: no change to port */
    CHECK_EQ(stc_hostport_parse("[::1", h, sizeof h, &port), STC_EINVAL);
    CHECK_EQ(stc_hostport_parse("[::1]x", h, sizeof h, &port), STC_EINVAL);
    CHECK_EQ(stc_hostport_parse("[::1]:", h, sizeof h, &port), STC_EINVAL);
    CHECK_EQ(stc_hostport_parse("mx:0", h, sizeof h, &port), STC_EINVAL);
    CHECK_EQ(stc_hostport_parse("mx:65536", h, sizeof h, &port), STC_EINVAL);
    CHECK_EQ(stc_hostport_parse("mx:25x", h, sizeof h, &port), STC_EINVAL);
    CHECK_EQ(stc_hostport_parse(":25", h, sizeof h, &port), STC_EINVAL);
    CHECK_EQ(stc_hostport_parse("", h, sizeof h, &port), STC_EINVAL);
    CHECK_EQ(stc_hostport_parse("[]:25", h, sizeof h, &port), STC_EINVAL);
    CHECK_EQ(stc_hostport_parse("a-very-long-host-name.example.org:25", h, 8, &port), STC_EINVAL);
    CHECK_EQ(port, 25);
}

int main(void)
{
    unit_name = "names";
    RUN(test_hostport);
    RUN(test_ip_parse_n);
    RUN(test_name_check);
    RUN(test_ip4);
    RUN(test_ip6_parse);
    RUN(test_ip6_text);
    RUN(test_ip_text_buffers);
    RUN(test_ip_round_trip);
    RUN(test_match_cert);
    RUN(test_match_policy);
    return unit_done();
}
