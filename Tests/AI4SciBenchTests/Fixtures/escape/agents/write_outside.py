#!/usr/bin/env python3
"""Write marker files outside the workspace: the hinted host path, /tmp and the results directory."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import escape_common as ec  # noqa: E402

h = ec.hint()
token = h.get("token", "x")
targets = [h.get("marker", ""), f"/tmp/ai4sci-escape-{token}", os.path.join(h.get("output_dir", "/nonexistent"), f"escape-{token}")]
written = []
for path in filter(None, targets):
    try:
        with open(path, "w") as handle:
            handle.write("escaped\n")
        written.append(path)
    except OSError:
        pass
ec.report("write_outside", bool(written), f"written: {written}")
