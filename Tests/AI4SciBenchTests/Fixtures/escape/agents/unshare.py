#!/usr/bin/env python3
"""Create a user namespace: unshare(CLONE_NEWUSER), clone(CLONE_NEWUSER) and clone3 (one report each)."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import escape_common as ec  # noqa: E402

import ctypes
import struct

CLONE_NEWUSER, SIGCHLD = 0x10000000, 17


def reap(pid):
    if pid == 0:
        os._exit(0)  # the child of a raw clone exits at once
    if pid > 0:
        os.waitpid(pid, 0)


pid, err = ec.syscall("clone", CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0)
reap(pid)
ec.report("clone_newuser", pid >= 0, f"clone(CLONE_NEWUSER): {err}")
args = ctypes.create_string_buffer(struct.pack("<QQQQQQQQ", CLONE_NEWUSER, 0, 0, 0, SIGCHLD, 0, 0, 0), 64)
pid, err = ec.syscall("clone3", args, 64)
reap(pid)
ec.report("clone3", pid >= 0, f"clone3(CLONE_NEWUSER): {err}")
r, err = ec.syscall("unshare", CLONE_NEWUSER)
ec.report("unshare", r == 0, f"unshare(CLONE_NEWUSER): {err}")
