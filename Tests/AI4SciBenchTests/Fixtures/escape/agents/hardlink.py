#!/usr/bin/env python3
"""Hard-link the reference into the workspace as answer.npy (a regular file the collector copies)."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import escape_common as ec  # noqa: E402

h = ec.hint()
target = h.get("reference", "")
try:
    os.link(target, "answer.npy")
    ec.report("hardlink", ec.is_answer(ec.read_file("answer.npy")), f"linked {target}")
except OSError as err:
    ec.report("hardlink", False, f"link failed: {err}")
