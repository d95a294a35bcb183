#!/usr/bin/env python3
"""TIOCSTI: push characters into the input of a terminal (controlling tty or inherited descriptors)."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import escape_common as ec  # noqa: E402

import fcntl
import termios

results = {}
fds = [0, 1, 2]
try:
    fds.append(os.open("/dev/tty", os.O_RDWR))
except OSError as err:
    results["/dev/tty"] = str(err)
for fd in fds:
    try:
        fcntl.ioctl(fd, termios.TIOCSTI, b"#")
        results[fd] = "ok"
    except OSError as err:
        results[fd] = str(err)
ec.report("tiocsti", any(v == "ok" for v in results.values()), f"{results}")
