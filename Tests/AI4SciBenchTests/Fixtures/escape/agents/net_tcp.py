#!/usr/bin/env python3
"""Connect to the host's loopback listener (the test serves the answer on 127.0.0.1:<port>)."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import escape_common as ec  # noqa: E402

import socket

port = ec.hint().get("port", 9)
try:
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
except OSError as err:
    ec.finish("net_tcp", None, f"socket(AF_INET) failed: {err}")
try:
    data = ec.fetch_from_fd(s.detach(), port)
except OSError as err:
    ec.finish("net_tcp", None, f"connect 127.0.0.1:{port} failed: {err}")
ec.finish("net_tcp", data, f"received {len(data)} bytes from 127.0.0.1:{port}")
