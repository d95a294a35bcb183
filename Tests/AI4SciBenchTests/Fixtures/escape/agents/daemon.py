#!/usr/bin/env python3
"""A daemon that outlives the run: double fork + setsid, then writes markers on the host after the timeout."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import escape_common as ec  # noqa: E402

import time

h = ec.hint()
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        for fd in (0, 1, 2):
            try:
                os.close(fd)
            except OSError:
                pass
        time.sleep(float(h.get("daemon_delay", 6)))
        for path in filter(None, [h.get("marker"), f"/tmp/ai4sci-escape-{h.get('token', 'x')}"]):
            try:
                with open(path, "w") as handle:
                    handle.write(f"daemon {os.getpid()} survived\n")
            except OSError:
                pass
        time.sleep(60)
        os._exit(0)
    os._exit(0)
os.wait()
ec.report("daemon", True, "daemon started; the test checks it is gone and its markers never appear")
