#!/usr/bin/env python3
"""perf_event_open on the whole system (pid -1, cpu 0) and on ourselves."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import escape_common as ec  # noqa: E402

import ctypes
import struct

attr = ctypes.create_string_buffer(struct.pack("<IIQ", 1, 128, 0), 128)  # PERF_TYPE_SOFTWARE, CPU_CLOCK
results = {}
for pid, cpu in ((-1, 0), (0, -1)):
    fd, err = ec.syscall("perf_event_open", attr, pid, cpu, -1, 0)
    results[f"pid={pid},cpu={cpu}"] = err
ec.report("perf_event_open", any(v == "ok" for v in results.values()), f"{results}")
