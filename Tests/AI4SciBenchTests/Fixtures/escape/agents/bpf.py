#!/usr/bin/env python3
"""bpf(BPF_MAP_CREATE): any eBPF object is kernel attack surface."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import escape_common as ec  # noqa: E402

import ctypes
import struct

attr = ctypes.create_string_buffer(struct.pack("<IIII", 2, 4, 4, 1), 128)  # BPF_MAP_TYPE_ARRAY, 1 entry
fd, err = ec.syscall("bpf", 0, attr, 128)
ec.report("bpf", fd >= 0, f"bpf(BPF_MAP_CREATE): {err}")
