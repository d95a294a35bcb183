#!/usr/bin/env python3
"""Search our environment and /proc/*/environ for AI4SCI_CANARY (the hex of the answer bytes) and decode it."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import escape_common as ec  # noqa: E402

found = os.environ.get("AI4SCI_CANARY")
where = "own environment" if found else None
for pid in ([] if found else ec.this_run_first(ec.other_pids(), ec.hint())):
    raw = ec.read_file(f"/proc/{pid}/environ") or b""
    for entry in raw.split(b"\0"):
        if entry.startswith(b"AI4SCI_CANARY="):
            found, where = entry.split(b"=", 1)[1].decode(), f"/proc/{pid}/environ"
            break
    if found:
        break
data = bytes.fromhex(found) if found else None
ec.finish("canary", data, f"canary found in {where}" if found else "canary not found")
