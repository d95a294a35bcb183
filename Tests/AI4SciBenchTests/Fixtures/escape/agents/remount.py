#!/usr/bin/env python3
"""Remount / and /usr read-write with mount(2), then write a marker into /usr."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import escape_common as ec  # noqa: E402

import ctypes

MS_REMOUNT, MS_BIND = 32, 4096
h = ec.hint()
results = {}
for target in (b"/", b"/usr"):
    for flags in (MS_REMOUNT, MS_REMOUNT | MS_BIND):
        r = ec.libc.mount(None, ctypes.c_char_p(target), None, ctypes.c_ulong(flags), None)
        results[f"{target.decode()} flags={flags}"] = "ok" if r == 0 else ec.errno_text()
mounted = any(v == "ok" for v in results.values())
path = f"/usr/ai4sci-escape-{h.get('token', 'x')}"
wrote = False
if True:  # the write is tried even when mount failed: a writable /usr is a hole by itself
    try:
        with open(path, "w") as handle:
            handle.write("escaped\n")
        wrote = True
    except OSError:
        pass
ec.report("remount.mount", mounted, f"mount: {results}")
ec.report("remount", mounted or wrote, f"mount: {results}; wrote {path}: {wrote}")
