#!/usr/bin/env python3
"""keyctl/add_key: read the session keyring, add a user key (kernel keyrings are not namespaced)."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import escape_common as ec  # noqa: E402

import ctypes

KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING = 0, -3
r1, e1 = ec.syscall("keyctl", KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0)
r2, e2 = ec.syscall("add_key", ctypes.c_char_p(b"user"), ctypes.c_char_p(b"ai4sci-escape"), ctypes.c_char_p(b"x"), 1, KEY_SPEC_SESSION_KEYRING)
ec.report("keyctl", r1 >= 0 or r2 >= 0, f"keyctl(GET_KEYRING_ID): {e1}; add_key: {e2}")
