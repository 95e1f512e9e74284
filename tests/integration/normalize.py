#!/usr/bin/env python3
"""normalize.py - starttls-check JSON Lines -> sorted "KEY PATH = VALUE" lines,
with what legitimately depends on the machine that ran the check removed, so
that the reports of two ports (POSIX CLI, lwIP board) can be diffed.

    RECORD PATH = JSON-VALUE

RECORD is the domain, or HOST:PORT for a relay check (mx_kind "relay").
PATH is the member path; list items are named by their natural key where
there is one (an address by its address: [198.51.100.10]), else by index;
a list of plain strings stays one value (EHLO keywords, host names).

Removed, and why (the same rules apply to both inputs):
  elapsed_ms   at every level: timings differ from run to run and port to port.
  input_line   the POSIX CLI numbers the rows of a list run (names given on
               its command line too); the boards check one name at a time and
               number nothing. Records are keyed by domain here anyway.
  IPv6 addresses: only "address" and "family" are kept (what DNS said).
               Everything measured over the connection goes: the lab's tap
               device has MTU 578 because Debian's liblwip overruns its heap
               on longer frames, and Linux disables IPv6 on any link below
               1280 bytes, so the lwIP side cannot have IPv6 at all (it
               reports family_untested) while the POSIX side reaches the
               lab's IPv6 listener. --require-v6-untested / --require-v6-
               reached (lab_lwip.sh) check each side's IPv6 outcome instead.
  verdicts over IPv6-only hosts: a host whose every address is IPv6 loses
               its reach, status, status_text, checks and findings (they
               summarise the removed address results), and a domain with
               such a host loses status, status_text and message. Hosts
               with an IPv4 address keep everything: the IPv6 address must
               not change their verdict on either side.
  the domain's session count when it has an IPv6 address: it sums the
               sessions of every address, the removed ones included.
  the detail of probes_reduced: it is the greeting's time in ms.
Rewritten, and why:
  the client's address quoted by the server: Postfix names the client in
               its texts ("<unknown[192.0.2.2]>: Client host rejected"), and
               each port connects from its own local address (lwIP from
               192.0.2.2, the kernel from a lab address). NAME[IP] in any
               string becomes NAME[CLIENT].
  order of equal-preference MX hosts in mx_hostnames/preferred_hostnames:
               the lab's Unbound rotates RRsets (rrset-roundrobin) and the
               core keeps the DNS order among equal preferences, so it
               changes from query to query on either port. Names are sorted
               within each run of equal preference (taken from results);
               the order by preference itself is kept and checked.
Nothing else is removed: certificate dates, cipher, group, banner, EHLO
keywords, DNSSEC flags and findings must all be equal.

usage: normalize.py [--require-v6-untested | --require-v6-reached] < in.jsonl
Exit 1 (with a message on stderr) on bad input or a failed requirement."""
import json
import re
import sys

DROP_EVERYWHERE = {"elapsed_ms", "input_line"}
V6_KEEP = {"address", "family"}
CLIENT_RE = re.compile(r"([A-Za-z0-9.-]+)\[(?:[0-9]{1,3}(?:\.[0-9]{1,3}){3}|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*)\]")
MX_LISTS = ("mx_hostnames", "preferred_hostnames")
HOST_VERDICT = {"reach", "status", "status_text", "checks", "findings"}
DOMAIN_VERDICT = {"status", "status_text", "message"}


def strip(obj):
    """elapsed_ms removed at every level; the client's address in texts"""
    if isinstance(obj, dict):
        if obj.get("code") == "probes_reduced":
            obj = {k: v for k, v in obj.items() if k != "detail"}  # a timing
        return {k: strip(v) for k, v in obj.items() if k not in DROP_EVERYWHERE}
    if isinstance(obj, list):
        return [strip(v) for v in obj]
    if isinstance(obj, str):
        return CLIENT_RE.sub(r"\1[CLIENT]", obj)
    return obj


def sort_equal_preference(key, rec, problems):
    """names sorted within runs of equal MX preference; order checked"""
    pref = {h: r.get("preference") for h, r in rec.get("results", {}).items()}
    for name in MX_LISTS:
        hosts = rec.get(name)
        if not isinstance(hosts, list):
            continue
        out, run = [], []
        for h in hosts + [None]:
            if run and (h is None or pref.get(h) is None or pref.get(h) != pref.get(run[0])):
                out.extend(sorted(run) if pref.get(run[0]) is not None else run)
                run = []
            if h is not None:
                run.append(h)
        known = [pref[h] for h in hosts if pref.get(h) is not None]
        if known != sorted(known):
            problems.append("%s: %s not in preference order: %s" % (key, name, hosts))
        rec[name] = out


def v6_outcome(key, addr, require, problems):
    """check the IPv6 address result against what this side must show"""
    codes = [f.get("code") for f in addr.get("findings", [])]
    where = "%s %s" % (key, addr.get("address"))
    if require == "untested":
        if addr.get("reach") != "untested" or "family_untested" not in codes:
            problems.append("%s: IPv6 reach %s, findings %s; want untested, family_untested"
                            % (where, addr.get("reach"), codes))
    elif require == "reached":
        if addr.get("reach") != "reached":
            problems.append("%s: IPv6 reach %s; want reached" % (where, addr.get("reach")))


def normalize(rec, require, problems):
    rec = strip(rec)
    key = rec.get("domain", "?")
    if rec.get("mx_kind") == "relay":
        key = "%s:%s" % (key, rec.get("port"))
    sort_equal_preference(key, rec, problems)
    v6_host = v6_any = False
    for host in rec.get("results", {}).values():
        addrs = host.get("addresses", [])
        for i, a in enumerate(addrs):
            if a.get("family") == 6:
                v6_any = True
                v6_outcome(key, a, require, problems)
                addrs[i] = {k: v for k, v in a.items() if k in V6_KEEP}
        if addrs and all(a.get("family") == 6 for a in addrs):
            v6_host = True
            for k in HOST_VERDICT:
                host.pop(k, None)
    if v6_any:
        rec.pop("sessions", None)  # sums the removed IPv6 address results too
    if v6_host:
        for k in DOMAIN_VERDICT:
            rec.pop(k, None)
        # the domain-level verdict findings go with the verdict: with no
        # IPv6 the lwIP side adds nothing_testable where POSIX has none
        rec["findings"] = [f for f in rec.get("findings", [])
                           if f.get("code") not in ("nothing_testable", "preferred_unreachable")]
    return key, rec


def is_scalar_list(v):
    return isinstance(v, list) and all(not isinstance(x, (dict, list)) for x in v)


def item_name(i, item):
    if isinstance(item, dict) and "address" in item:
        return "[%s]" % item["address"]
    return "[%d]" % i


def lines(prefix, v, out):
    if isinstance(v, dict):
        if not v:
            out.append("%s = {}" % prefix)
        for k, x in v.items():
            lines("%s.%s" % (prefix, k) if prefix else k, x, out)
    elif isinstance(v, list) and not is_scalar_list(v):
        for i, x in enumerate(v):
            lines(prefix + item_name(i, x), x, out)
    else:
        out.append("%s = %s" % (prefix, json.dumps(v, sort_keys=True)))


def main(argv):
    require = None
    for a in argv[1:]:
        if a == "--require-v6-untested":
            require = "untested"
        elif a == "--require-v6-reached":
            require = "reached"
        else:
            sys.exit("usage: normalize.py [--require-v6-untested | --require-v6-reached] < in.jsonl")
    out, problems = [], []
    for n, line in enumerate(sys.stdin, 1):
        line = line.strip()
        if not line:
            continue
        try:
            rec = json.loads(line)
        except ValueError as e:
            sys.exit("line %d is not JSON: %s" % (n, e))
        key, rec = normalize(rec, require, problems)
        body = []
        lines("", rec, body)
        out.extend("%s %s" % (key, b) for b in body)
    for line in sorted(out):
        print(line)
    for p in problems:
        print("normalize: " + p, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
