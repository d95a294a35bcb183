#!/usr/bin/env python3
"""Link a workspace directory to the instance directory and copy the reference through the link."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import escape_common as ec  # noqa: E402

h = ec.hint()
inst = os.path.dirname(os.path.dirname(h.get("reference", "/nonexistent/x/y")))
try:
    os.symlink(inst, "loot")
except OSError as err:
    ec.finish("symlink_dir", None, f"symlink failed: {err}")
ec.finish("symlink_dir", ec.read_file("loot/reference/answer_ref.npy"), f"loot -> {inst}")
