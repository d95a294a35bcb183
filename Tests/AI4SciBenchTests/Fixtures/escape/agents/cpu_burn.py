#!/usr/bin/env python3
"""Burn CPU on every core (4 spinning processes) and never stop."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import escape_common as ec  # noqa: E402

for _ in range(3):
    if os.fork() == 0:
        break
ec.report("cpu_burn", True, f"spinning in pid {os.getpid()}")
x = 0
while True:
    x += 1
