#!/usr/bin/env python3
"""mapsize.py MAP [BUILD] - flash and RAM of a GNU ld link map, by component

Sums the input sections the linker kept (after --gc-sections) per output
region: flash = .isr_vector + .text (code and read-only data) + .ARM.exidx
+ .data's load image; RAM = .data + .bss; CCM = .ccm (the arena). Each
input file is put in one component by its path.
"""
import re
import sys

COMPONENTS = [
    ("starttls-check core", re.compile(r"cortex-m4/libstc\.a")),
    ("lwIP port (port_lwip.o)", re.compile(r"port_lwip\.o")),
    ("wolfSSL", re.compile(r"libwolfssl\.a")),
    ("lwIP", re.compile(r"liblwip\.a")),
    ("board image (main, startup, anchors)", re.compile(r"image/obj/(main|startup|anchors)\.o")),
    ("stand-ins (RTOS, MAC, RTC, TRNG)", re.compile(r"image/obj/standins\.o")),
    ("newlib-nano, libgcc", re.compile(r"lib(c_nano|g_nano|gcc|nosys|c)\.a|crt")),
]
OUT = {".isr_vector": "flash", ".text": "flash", ".ARM.exidx": "flash", ".init_array": "flash",
       ".fini_array": "flash", ".data": "data", ".bss": "bss", ".ccm": "ccm"}


def component(path):
    for name, rx in COMPONENTS:
        if rx.search(path):
            return name
    return "other"


def main():
    lines = open(sys.argv[1], errors="replace").read().split("\n")
    try:
        start = next(i for i, l in enumerate(lines) if l.startswith("Linker script and memory map"))
    except StopIteration:
        sys.exit("mapsize: no memory map in " + sys.argv[1])
    sums = {}
    out = None
    pending = None  # an input section name whose address/size/file wrapped
    for l in lines[start:]:
        m = re.match(r"^(\.[A-Za-z_.]+)\s", l) or re.match(r"^(\.[A-Za-z_.]+)$", l)
        if m and not l.startswith(" "):
            out = OUT.get(m.group(1))
            pending = None
            continue
        if out is None:
            continue
        m = re.match(r"^ (\.\S+|COMMON)\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+(\S.*)$", l)
        if not m and pending:
            m2 = re.match(r"^\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+(\S.*)$", l)
            if m2:
                m = (None, None, m2.group(1), m2.group(2), m2.group(3))
        elif not m:
            pending = re.match(r"^ (\.\S+|COMMON)\s*$", l)
            continue
        pending = None
        if isinstance(m, tuple):
            size, path = int(m[3], 16), m[4]
        else:
            size, path = int(m.group(3), 16), m.group(4)
        if size == 0:
            continue
        key = (component(path), out)
        sums[key] = sums.get(key, 0) + size
    names = [n for n, _ in COMPONENTS] + ["other"]
    print("%-40s %9s %9s %9s %9s" % ("component (linked, --gc-sections)", "flash", "RAM data", "RAM bss", "CCM"))
    tot = [0, 0, 0, 0]
    for n in names:
        f = sums.get((n, "flash"), 0)
        d = sums.get((n, "data"), 0)
        b = sums.get((n, "bss"), 0)
        c = sums.get((n, "ccm"), 0)
        if f + d + b + c == 0:
            continue
        print("%-40s %9d %9d %9d %9d" % (n, f + d, d, b, c))
        for i, v in enumerate((f + d, d, b, c)):
            tot[i] += v
    print("%-40s %9d %9d %9d %9d" % ("total", tot[0], tot[1], tot[2], tot[3]))
    print("(flash includes .data's initial values; RAM data is also counted in flash)")


if __name__ == "__main__":
    main()
