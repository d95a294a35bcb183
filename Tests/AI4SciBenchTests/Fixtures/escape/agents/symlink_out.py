#!/usr/bin/env python3
"""Make answer.npy a symbolic link to the reference so that the runner's collector copies it."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import escape_common as ec  # noqa: E402

h = ec.hint()
target = h.get("reference", "")
try:
    os.symlink(target, "answer.npy")
    readable = ec.is_answer(ec.read_file("answer.npy"))
    ec.report("symlink_out", readable, f"answer.npy -> {target}; target readable through the link: {readable}")
except OSError as err:
    ec.report("symlink_out", False, f"symlink failed: {err}")
