#!/usr/bin/env python3
"""userfaultfd(2): the classic tool to widen kernel race windows."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import escape_common as ec  # noqa: E402

fd, err = ec.syscall("userfaultfd", 0)
ec.report("userfaultfd", fd >= 0, f"userfaultfd: {err}")
