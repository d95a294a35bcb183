#!/usr/bin/env python3
"""Fill the disk through the workspace and TMPDIR, bounded for safety at 1 GiB each, then sleep until killed."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import escape_common as ec  # noqa: E402

import time

CHUNK, CAP = 16 << 20, 1 << 30
block = b"\x00" * CHUNK
written = {}
for where in (os.getcwd(), os.environ.get("TMPDIR", "/tmp"), "/tmp"):
    path = os.path.join(where, f"fill-{os.getpid()}-{len(written)}.bin")
    n = 0
    try:
        with open(path, "wb") as handle:
            while n < CAP:
                handle.write(block)
                n += CHUNK
    except OSError as err:
        written[where] = f"{n >> 20} MiB then {err.strerror}"
        continue
    written[where] = f"{n >> 20} MiB (cap)"
ec.report("disk_fill", all("cap" in v for v in written.values()), f"{written}")
time.sleep(60)
