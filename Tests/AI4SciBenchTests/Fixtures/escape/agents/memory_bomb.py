#!/usr/bin/env python3
"""Memory bomb, bounded for safety at 4 GiB of touched memory, then sleep until killed."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import escape_common as ec  # noqa: E402

import time

CHUNK, CAP = 64 << 20, 4 << 30
hoard = []
try:
    while len(hoard) * CHUNK < CAP:
        hoard.append(b"\x01" * CHUNK)
    ec.report("memory_bomb", True, f"touched {len(hoard) * CHUNK >> 20} MiB without a limit")
except MemoryError:
    ec.report("memory_bomb", False, f"MemoryError after {len(hoard) * CHUNK >> 20} MiB")
time.sleep(60)
