#!/usr/bin/env python3
"""Connect to the test's abstract unix socket (shared by network namespace, not by path)."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import escape_common as ec  # noqa: E402

import socket

name = ec.hint().get("abstract", "ai4sci-escape-none")
try:
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(2.0)
    s.connect("\0" + name)
    data = ec.recv_all(s)
except OSError as err:
    ec.finish("abstract_unix", None, f"connect @{name} failed: {err}")
ec.finish("abstract_unix", data, f"received {len(data)} bytes from @{name}")
