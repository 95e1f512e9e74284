#!/usr/bin/env python3
"""mapsize.py MAP - flash and RAM of an mps2-an386 image by component

boards/cortex-m4/image/mapsize.py with this board's components: the same
map parsing (input sections the linker kept, per output section), other
file patterns. Flash = vectors + code + read-only data + .data's image;
RAM = .data + .bss; "big RAM" = .bigram (the wolfSSL arena and the
trust-anchor buffer: PSRAM in the host-limits image, RAM in the board's).
"""
import importlib.util
import os
import re
import sys

here = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location(
    "cm4_mapsize", os.path.join(here, "..", "cortex-m4", "image", "mapsize.py"))
m = importlib.util.module_from_spec(spec)
spec.loader.exec_module(m)

m.COMPONENTS = [
    ("starttls-check core", re.compile(r"/libstc\.a")),
    ("lwIP raw-API port (port_lwip_raw.o)", re.compile(r"port_lwip_raw\.o")),
    ("wolfSSL", re.compile(r"/libwolfssl\.a")),
    ("lwIP", re.compile(r"/liblwip\.a")),
    ("board: main.c (context, arena, CA)", re.compile(r"mps2-an386/main\.o")),
    ("board: LAN9118 driver", re.compile(r"lan9118\.o")),
    ("board: startup, clock, UART, semihosting", re.compile(r"mps2-an386/board\.o")),
    ("newlib-nano, libgcc", re.compile(r"lib(c_nano|g_nano|gcc|nosys|c)\.a|crt")),
]
m.OUT[".bigram"] = "ccm"  # the fourth column: big buffers
orig_print = print


def relabel(*args, **kw):
    if args and isinstance(args[0], str):
        args = (args[0].replace("      CCM", "  big RAM"),) + args[1:]
    orig_print(*args, **kw)


m.print = relabel
m.main()
