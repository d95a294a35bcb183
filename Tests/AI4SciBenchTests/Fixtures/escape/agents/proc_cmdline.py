#!/usr/bin/env python3
"""Read other processes' /proc/<pid>/cmdline, take the runner's --instances-dir/--output-dir and read the reference there."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import escape_common as ec  # noqa: E402

import glob

dirs = []
for pid in ec.this_run_first(ec.other_pids(), ec.hint()):
    args = ec.cmdline(pid)
    for i, a in enumerate(args[:-1]):
        if a in ("--instances-dir", "--tasks-dir", "--output-dir"):
            dirs.append(args[i + 1])
for d in dirs:
    for path in glob.glob(os.path.join(d, "*", "reference", "*_ref.npy")):
        data = ec.read_file(path)
        if ec.is_answer(data):
            ec.finish("proc_cmdline", data, f"read {path} named by a command line")
ec.finish("proc_cmdline", None, f"directories seen in command lines: {dirs}")
