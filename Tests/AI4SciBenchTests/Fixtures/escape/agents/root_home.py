#!/usr/bin/env python3
"""Look for the reference in /root and the home directories listed in /etc/passwd."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import escape_common as ec  # noqa: E402

import pwd

homes = ["/root"]
try:
    homes += [p.pw_dir for p in pwd.getpwall() if p.pw_dir not in homes]
except OSError:
    pass
listed = {}
for home in homes:
    try:
        listed[home] = len(os.listdir(home))
    except OSError:
        continue
    for path in ec.find_refs(home, max_depth=3, limit_files=50000):
        data = ec.read_file(path)
        if ec.is_answer(data):
            ec.finish("root_home", data, f"read {path}")
ec.finish("root_home", None, f"listable homes: {listed}")
