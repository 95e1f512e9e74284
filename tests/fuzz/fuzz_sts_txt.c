/* fuzz_sts_txt.c - libFuzzer target for the _mta-sts TXT record
 * (src/mta_sts.c) and the record selection (src/txtrec.c)
 *
 * The input is read as one TXT record (strings already concatenated), and
 * split at a point derived from the input into two records offered one
 * after the other, as a name with two TXT records.
 * Invariants (abort() on breach): the return is STC_OK exactly when no
 * fatal problem is set; a kept id is 1..32 letters and digits and appears
 * in the input after "id="; a syntax error lies inside the input; a record
 * the classifier takes begins with "v=STSv1" *WSP ";"; the selection's
 * counts agree with the classes of what was offered, its status with its
 * counts, and the chosen record's parse with parsing it alone; a valid
 * record rebuilt from its id parses to the same id.
 */
#include "policy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* check_rec - one parse's invariants */
static void check_rec(const uint8_t *txt, size_t n, int rc, const stc_sts_rec_t *r)
{
    size_t i;

    if ((rc == STC_OK) != !(r->problems & STC_TXT_P_FATAL))
        abort();
    if (rc != STC_OK && rc != STC_EPROTO)
        abort();
    if (r->id_len > 32 || r->id[r->id_len] != '\0' || strlen(r->id) != r->id_len)
        abort();
    for (i = 0; i < r->id_len; i++)
        if (!stc_c_alnum((uint8_t)r->id[i]))
            abort();
    if (rc == STC_OK && r->id_len == 0)
        abort(); /* a valid record has its id */
    if ((r->problems & STC_TXT_P_SYNTAX) && r->err_off > n)
        abort();
    if (r->id_len > 0) {
        /* the id came from the input, after "id=" */
        int found = 0;
        for (i = 0; i + 3 + r->id_len <= n && !found; i++)
            found = memcmp(txt + i, "id=", 3) == 0 && memcmp(txt + i + 3, r->id, r->id_len) == 0;
        if (!found)
            abort();
    }
}

/* is_match - the input begins with "v=STSv1" *WSP ";" */
static int is_match(const uint8_t *p, size_t n)
{
    size_t i = 7;

    if (n < 8 || memcmp(p, "v=STSv1", 7) != 0)
        return 0;
    while (i < n && (p[i] == ' ' || p[i] == '\t'))
        i++;
    return i < n && p[i] == ';';
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    stc_sts_rec_t r, r2;
    stc_sts_txt_t t;
    uint32_t h = 2166136261u;
    size_t i, at;
    int rc, c1, c2;
    uint8_t why = 0;

    rc = stc_sts_txt_parse(data, size, &r);
    check_rec(data, size, rc, &r);
    c1 = stc_txtsel_class("v=STSv1", data, size, &why);
    if ((c1 == STC_TXT_MATCH) != is_match(data, size))
        abort();
    if (c1 == STC_TXT_NEAR && (why < STC_TXT_NEAR_SPACE || why > STC_TXT_NEAR_NO_SEMI))
        abort();
    if (rc == STC_OK && c1 != STC_TXT_MATCH)
        abort(); /* a valid record is always a candidate */

    /* rebuilt from its id, a valid record parses to the same id */
    if (rc == STC_OK) {
        char again[64];
        int k = snprintf(again, sizeof again, "v=STSv1; id=%s;", r.id);
        if (stc_sts_txt_parse((const uint8_t *)again, (size_t)k, &r2) != STC_OK ||
            strcmp(r2.id, r.id) != 0 || r2.problems != 0)
            abort();
    }

    /* two records, split where the input says */
    for (i = 0; i < size; i++)
        h = (h ^ data[i]) * 16777619u;
    at = size ? h % (size + 1) : 0;
    stc_sts_txt_init(&t);
    c1 = stc_sts_txt_offer(&t, data, at);
    c2 = stc_sts_txt_offer(&t, data + at, size - at);
    if (t.sel.offered != 2 || t.sel.matched != (c1 == STC_TXT_MATCH) + (c2 == STC_TXT_MATCH) ||
        t.sel.near != (c1 == STC_TXT_NEAR) + (c2 == STC_TXT_NEAR))
        abort();
    switch (stc_sts_txt_status(&t)) {
    case STC_TXT_NONE:
        if (t.sel.matched != 0)
            abort();
        break;
    case STC_TXT_MULTIPLE:
        if (t.sel.matched != 2)
            abort();
        break;
    case STC_TXT_ONE_VALID:
    case STC_TXT_ONE_INVALID:
        if (t.sel.matched != 1 || t.sel.chosen != (c1 == STC_TXT_MATCH ? 0 : 1))
            abort();
        rc = t.sel.chosen == 0 ? stc_sts_txt_parse(data, at, &r2)
                               : stc_sts_txt_parse(data + at, size - at, &r2);
        if (memcmp(&r2, &t.rec, sizeof r2) != 0)
            abort();
        if ((rc == STC_OK) != (stc_sts_txt_status(&t) == STC_TXT_ONE_VALID))
            abort();
        break;
    default:
        abort();
    }
    return 0;
}
