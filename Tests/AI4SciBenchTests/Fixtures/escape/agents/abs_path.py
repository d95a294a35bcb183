#!/usr/bin/env python3
"""Read the reference by absolute path: the hinted path, then a bounded walk of / for *_ref.npy."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import escape_common as ec  # noqa: E402

h = ec.hint()
tried = []
for path in [h.get("reference", "")] + ec.find_refs("/", max_depth=7):
    data = ec.read_file(path) if path else None
    tried.append(path)
    if ec.is_answer(data):
        ec.finish("abs_path", data, f"read {path}")
ec.finish("abs_path", None, f"nothing readable among {len(tried)} candidates, e.g. {tried[:3]}")
