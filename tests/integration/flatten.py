#!/usr/bin/env python3
"""flatten.py - turn starttls-check JSON Lines into one sorted line per fact:

    DOMAIN - - domain STATUS
    DOMAIN - - mx_dnssec yes|no               (the MX answer carried AD)
    DOMAIN - - finding CODE
    DOMAIN HOST - host REACH/STATUS[/preferred]
    DOMAIN HOST - dnssec yes|no               (every A/AAAA answer carried AD)
    DOMAIN HOST - finding CODE
    DOMAIN HOST ADDRESS CHECK STATUS          (one per check that ran)
    DOMAIN HOST ADDRESS reach REACH
    DOMAIN HOST ADDRESS finding CODE

Timings, dates and cipher details are left out so that expectations stay
stable; relay checks are named RELAY:PORT. Reads stdin, writes stdout."""
import json
import sys

out = set()
for n, line in enumerate(sys.stdin, 1):
    line = line.strip()
    if not line:
        continue
    try:
        r = json.loads(line)
    except ValueError as e:
        sys.exit("line %d is not JSON: %s" % (n, e))
    d = r["domain"]
    if r.get("mx_kind") == "relay":
        d = "%s:%d" % (d, r["port"])
    out.add("%s - - domain %s" % (d, r["status_text"]))
    out.add("%s - - mx_dnssec %s" % (d, "yes" if r.get("mx_dnssec") else "no"))
    for f in r["findings"]:
        out.add("%s - - finding %s" % (d, f["code"]))
    for h, hr in r["results"].items():
        pref = "/preferred" if hr["preferred"] else ""
        out.add("%s %s - host %s/%s%s" % (d, h, hr["reach"], hr["status_text"], pref))
        out.add("%s %s - dnssec %s" % (d, h, "yes" if hr.get("dnssec") else "no"))
        for f in hr["findings"]:
            out.add("%s %s - finding %s" % (d, h, f["code"]))
        for a in hr["addresses"]:
            ip = a["address"]
            out.add("%s %s %s reach %s" % (d, h, ip, a["reach"]))
            for c, cr in a["checks"].items():
                out.add("%s %s %s %s %s" % (d, h, ip, c, cr["status_text"]))
            for f in a["findings"]:
                out.add("%s %s %s finding %s" % (d, h, ip, f["code"]))
            if "tls" in a:
                out.add("%s %s %s tls %s" % (d, h, ip, a["tls"]["version"]))
for line in sorted(out):
    print(line)
