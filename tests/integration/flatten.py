#!/usr/bin/env python3
"""flatten.py - turn starttls-check JSON Lines into one line per fact:

    DOMAIN - - domain STATUS
    DOMAIN - - mx_dnssec yes|no               (the MX answer carried AD)
    DOMAIN - - finding CODE
    DOMAIN - - mta_sts STATUS                 (once the report has it)
    DOMAIN - - tls_rpt STATUS                 (once the report has it)
    DOMAIN HOST - host REACH/STATUS[/preferred]
    DOMAIN HOST - dnssec yes|no               (every A/AAAA answer carried AD)
    DOMAIN HOST - dane STATUS                 (once the report has it)
    DOMAIN HOST - finding CODE
    DOMAIN HOST ADDRESS CHECK STATUS          (every check, "skipped" included)
    DOMAIN HOST ADDRESS reach REACH
    DOMAIN HOST ADDRESS finding CODE
    DOMAIN HOST ADDRESS tls VERSION
    DOMAIN HOST ADDRESS versions V,V,...      (accepted versions, once reported)

Timings, dates and cipher details are left out so that expectations stay
stable; relay checks are named RELAY:PORT. A fact's key is everything but
its last word (for findings: the whole line). Reads stdin, writes stdout.
"""
import json
import sys


def facts(r):
    d = r["domain"]
    if r.get("mx_kind") == "relay":
        d = "%s:%d" % (d, r["port"])
    yield "%s - - domain %s" % (d, r["status_text"])
    yield "%s - - mx_dnssec %s" % (d, "yes" if r.get("mx_dnssec") else "no")
    for f in r["findings"]:
        yield "%s - - finding %s" % (d, f["code"])
    for key in ("mta_sts", "tls_rpt"):
        if isinstance(r.get(key), dict) and "status" in r[key]:
            yield "%s - - %s %s" % (d, key, r[key]["status"])
    for h, hr in r["results"].items():
        pref = "/preferred" if hr["preferred"] else ""
        yield "%s %s - host %s/%s%s" % (d, h, hr["reach"], hr["status_text"], pref)
        yield "%s %s - dnssec %s" % (d, h, "yes" if hr.get("dnssec") else "no")
        if isinstance(hr.get("dane"), dict) and "status" in hr["dane"]:
            yield "%s %s - dane %s" % (d, h, hr["dane"]["status"])
        for f in hr["findings"]:
            yield "%s %s - finding %s" % (d, h, f["code"])
        for a in hr["addresses"]:
            ip = a["address"]
            yield "%s %s %s reach %s" % (d, h, ip, a["reach"])
            for c, cr in a["checks"].items():
                yield "%s %s %s %s %s" % (d, h, ip, c, cr["status_text"])
            for f in a["findings"]:
                yield "%s %s %s finding %s" % (d, h, ip, f["code"])
            if "tls" in a:
                yield "%s %s %s tls %s" % (d, h, ip, a["tls"]["version"])
                if a["tls"].get("versions"):
                    yield "%s %s %s versions %s" % (d, h, ip, ",".join(a["tls"]["versions"]))


out = set()
for n, line in enumerate(sys.stdin, 1):
    line = line.strip()
    if not line:
        continue
    try:
        r = json.loads(line)
    except ValueError as e:
        sys.exit("line %d is not JSON: %s" % (n, e))
    if "domain" not in r:
        continue  # an error object for an input row: not a lab fact
    out.update(facts(r))
for line in sorted(out):
    print(line)
