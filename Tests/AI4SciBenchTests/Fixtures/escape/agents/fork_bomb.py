#!/usr/bin/env python3
"""Fork bomb, bounded for safety at 2**9 processes: every process forks at each level, then all sleep."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import escape_common as ec  # noqa: E402

import time

DEPTH = 9
read_end, write_end = os.pipe()
root = os.getpid()
failures = 0
for level in range(DEPTH):
    try:
        pid = os.fork()
        if pid == 0:
            os.write(write_end, b"S")
    except OSError:
        failures += 1
        os.write(write_end, b"F")
if os.getpid() != root:
    time.sleep(60)
    os._exit(0)
os.close(write_end)
os.set_blocking(read_end, False)
got = b""
deadline = time.time() + 1.5
while time.time() < deadline:
    try:
        got += os.read(read_end, 65536)
    except BlockingIOError:
        time.sleep(0.05)
ok, failed = got.count(b"S"), got.count(b"F") + failures
ec.report("fork_bomb", failed == 0 and ok >= 2 ** DEPTH - 1, f"{ok} forks succeeded, {failed} failed")
time.sleep(60)
