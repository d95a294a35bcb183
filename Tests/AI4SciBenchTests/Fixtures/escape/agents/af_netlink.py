#!/usr/bin/env python3
"""Open an AF_NETLINK route socket (host interfaces, routes; a door to kernel configuration)."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import escape_common as ec  # noqa: E402

ec.try_socket_family("af_netlink", 16, 3, 0)
