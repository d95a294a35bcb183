#!/usr/bin/env python3
"""Stand-in agent of the custom-scorer fixture: writes the exact answer from data/params.json, optionally off.

--field-error E   multiplies the field by (1 + E): relative L2 error exactly E.
--wrong-rows K    shifts the value of the first K profile rows by 1 %.
--energy-off F    multiplies the energy by (1 + F).
--no-energy       writes summary.json without the energy key (the hard custom gate fails).
"""
import argparse
import csv
import json
import math
import os

import numpy as np

ap = argparse.ArgumentParser()
ap.add_argument("--workspace", default=".")
ap.add_argument("--field-error", type=float, default=0.0)
ap.add_argument("--wrong-rows", type=int, default=0)
ap.add_argument("--energy-off", type=float, default=0.0)
ap.add_argument("--no-energy", action="store_true")
a = ap.parse_args()
ws = a.workspace
p = json.load(open(os.path.join(ws, "data", "params.json")))
n, scale = p["n"], p["scale"]
np.save(os.path.join(ws, "field.npy"), (1 + a.field_error) * scale * np.sin(np.linspace(0.0, math.pi, n)))
with open(os.path.join(ws, "profile.csv"), "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["x", "value"])
    for i in range(8):
        x = i / 7
        v = scale * math.cos(x) * (1.01 if i < a.wrong_rows else 1.0)
        w.writerow([repr(x), repr(v)])
summary = {} if a.no_energy else {"energy": scale * scale * n / 2 * (1 + a.energy_off)}
json.dump(summary, open(os.path.join(ws, "summary.json"), "w"))
print(json.dumps({"type": "result", "status": "done"}))
