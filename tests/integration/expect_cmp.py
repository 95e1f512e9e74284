#!/usr/bin/env python3
"""expect_cmp.py EXPECTED GOT - compare the facts a run produced (GOT, from
flatten.py) with what the lab's configuration says (EXPECTED).

EXPECTED holds one fact per line ("#" comments):
    DOMAIN HOST ADDRESS KIND VALUE          e.g. "... 198.51.100.10 version success"
    DOMAIN HOST ADDRESS finding CODE        the finding must be there
    DOMAIN HOST ADDRESS finding CODE absent the finding must not be there
    xfail #N <fact>                         what a correct checker concludes but
                                            this one does not yet (issue N)
A fact's key is all but its value (for findings: the code is in the key).

Every GOT fact must be expected (else "extra"); every expected fact must be
got (else "missing" or "wrong"). An xfail fact that is got as stated is an
unexpected pass: a failure, so the expectation is promoted (the xfail
removed) by hand when the feature lands. Prints what it counts, apart:
    expected facts matched, expected failures (not built yet), failures
and ends with "lab-facts: N passed, M failed, X expected failures" (N =
facts matched), exit 1
on any failure.
"""
import sys


def key_value(line):
    words = line.split()
    if len(words) >= 5 and words[3] == "finding":
        value = words[5] if len(words) > 5 else "present"
        return " ".join(words[:5]), value
    return " ".join(words[:-1]), words[-1]


def read_expected(path):
    exp = {}
    with open(path, encoding="utf-8") as f:
        for n, raw in enumerate(f, 1):
            line = raw.split("#", 1)[0].strip() if not raw.startswith("xfail") else raw.strip()
            if not line:
                continue
            issue = None
            if line.startswith("xfail "):
                words = line.split()
                if len(words) < 3 or not words[1].startswith("#"):
                    sys.exit("%s:%d: xfail needs an issue: xfail #N FACT" % (path, n))
                issue = words[1]
                line = " ".join(words[2:])
            k, v = key_value(line)
            if k in exp:
                sys.exit("%s:%d: %s is stated twice" % (path, n, k))
            exp[k] = (v, issue, line)
    return exp


def main():
    exp = read_expected(sys.argv[1])
    got = {}
    with open(sys.argv[2], encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line:
                k, v = key_value(line)
                got[k] = v
    matched, xfails, fails = 0, [], []
    for k, (v, issue, line) in sorted(exp.items()):
        g = got.get(k, "absent" if v == "absent" or k.split()[3] == "finding" else None)
        if k.split()[3] == "finding" and k not in got:
            g = "absent"
        if issue:
            if g == v:
                fails.append("unexpected pass (%s is built: remove its xfail): %s" % (issue, line))
            else:
                xfails.append("expected failure %s: %s (got: %s)" % (issue, line, g if g else "nothing"))
        elif g == v:
            matched += 1
        elif g is None:
            fails.append("missing: %s" % line)
        else:
            fails.append("wrong: %s (got: %s)" % (line, g))
    for k, v in sorted(got.items()):
        if k not in exp:
            fails.append("extra (seen, not expected): %s %s" % (k, v if k.split()[3] != "finding" else ""))
    for x in xfails:
        print("  " + x)
    for f in fails:
        print("FAIL " + f)
    print("%d expected facts matched, %d expected failures (not built yet), %d failures"
          % (matched, len(xfails), len(fails)))
    print("lab-facts: %d passed, %d failed, %d expected failures" % (matched, len(fails), len(xfails)))
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
