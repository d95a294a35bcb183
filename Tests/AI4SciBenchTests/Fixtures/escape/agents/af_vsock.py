#!/usr/bin/env python3
"""Open an AF_VSOCK socket (the VM's channel to its host)."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import escape_common as ec  # noqa: E402

ec.try_socket_family("af_vsock", 40, 1, 0)
