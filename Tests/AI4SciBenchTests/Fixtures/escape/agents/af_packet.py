#!/usr/bin/env python3
"""Open an AF_PACKET raw socket (raw frames bypass any per-protocol socket rule)."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import escape_common as ec  # noqa: E402

ec.try_socket_family("af_packet", 17, 3, 0x0300)
