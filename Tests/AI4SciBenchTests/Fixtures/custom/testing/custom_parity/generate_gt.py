#!/usr/bin/env python3
"""Instance generator of the custom-scorer parity fixture: python3 generate_gt.py --output-dir DIR --params JSON."""
import argparse
import csv
import json
import math
import os

import numpy as np

ap = argparse.ArgumentParser()
ap.add_argument("--output-dir", required=True)
ap.add_argument("--params", required=True)
a = ap.parse_args()
p = json.loads(a.params)
n, scale = int(p.get("n", 12)), float(p.get("scale", 1.5))
out = a.output_dir
for sub in ("data", "reference"):
    os.makedirs(os.path.join(out, sub), exist_ok=True)
with open(os.path.join(out, "data", "params.json"), "w") as f:
    json.dump({"n": n, "scale": scale}, f)
np.save(os.path.join(out, "reference", "field_ref.npy"), scale * np.sin(np.linspace(0.0, math.pi, n)))
with open(os.path.join(out, "reference", "profile_ref.csv"), "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["x", "value"])
    for i in range(8):
        x = i / 7
        w.writerow([repr(x), repr(scale * math.cos(x))])
with open(os.path.join(out, "reference", "summary_ref.json"), "w") as f:
    json.dump({"energy": scale * scale * n / 2}, f)
with open(os.path.join(out, "instance_meta.json"), "w") as f:
    json.dump({"params_used": {"n": n, "scale": scale}, "input_files": ["params.json"],
               "reference_files": ["field_ref.npy", "profile_ref.csv", "summary_ref.json"]}, f)
