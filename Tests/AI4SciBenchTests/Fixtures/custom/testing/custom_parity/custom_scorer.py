"""Custom scorers of the parity fixture, written against the Python tool's API (asibench).

Every scorer returns its score in weight units: config["weight"] is set by the runner (1 for gates).
"""
import csv
import json
import math

import numpy as np

from ai4sci_bench.core.scorer import Scorer, register_scorer
from ai4sci_bench.core.types import ScoreDetail
from _parity_helpers import linear_fraction


@register_scorer("summary_has_energy")
class SummaryHasEnergy(Scorer):
    def score(self, pred_dir, ref_dir, config):
        w = config.get("weight", 1.0)
        path = pred_dir / config["file"]
        try:
            data = json.loads(path.read_text())
        except (OSError, ValueError) as e:
            return ScoreDetail(self.name, 0.0, w, False, {"error": str(e)}, f"{config['file']}: unreadable")
        ok = isinstance(data, dict) and isinstance(data.get("energy"), (int, float))
        return ScoreDetail(self.name, w if ok else 0.0, w, ok, {"keys": sorted(data) if isinstance(data, dict) else []},
                           "energy present" if ok else "summary.json has no numeric energy")


@register_scorer("field_accuracy")
class FieldAccuracy(Scorer):
    def score(self, pred_dir, ref_dir, config):
        w = config.get("weight", 1.0)
        pred = np.load(pred_dir / config["pred_file"])
        ref = np.load(ref_dir / config["ref_file"])
        if pred.shape != ref.shape:
            return ScoreDetail(self.name, 0.0, w, False, {"shape": pred.shape}, f"shape {pred.shape} expected {ref.shape}")
        err = np.linalg.norm(pred - ref) / np.linalg.norm(ref)       # numpy float64 on purpose
        frac = linear_fraction(err, config["full"], config["zero"])
        return ScoreDetail(self.name, w * frac, w, np.bool_(frac >= 0.5), {"relative_l2": err, "fraction": frac},
                           f"relative_l2 {err:.4g}")


@register_scorer("profile_table")
class ProfileTable(Scorer):
    def score(self, pred_dir, ref_dir, config):
        w = config.get("weight", 1.0)
        rtol = config.get("rtol", 1e-6)

        def rows(path):
            with open(path, newline="") as f:
                return [(float(r["x"]), float(r["value"])) for r in csv.DictReader(f)]

        try:
            pred = rows(pred_dir / config["pred_file"])
        except (OSError, KeyError, ValueError) as e:
            return ScoreDetail(self.name, 0.0, w, False, {"error": str(e)}, "profile.csv unreadable")
        ref = rows(ref_dir / config["ref_file"])
        matched = sum(1 for (px, pv), (rx, rv) in zip(pred, ref)
                      if math.isclose(px, rx, rel_tol=rtol, abs_tol=1e-12) and math.isclose(pv, rv, rel_tol=rtol))
        return ScoreDetail(self.name, w * matched / len(ref), w, matched == len(ref),
                           {"matched": matched, "rows": len(ref)}, f"{matched}/{len(ref)} rows match")


@register_scorer("summary_energy")
class SummaryEnergy(Scorer):
    def score(self, pred_dir, ref_dir, config):
        w = config.get("weight", 1.0)
        pred = json.loads((pred_dir / config["file"]).read_text())["energy"]
        ref = json.loads((ref_dir / config["ref_file"]).read_text())["energy"]
        ok = abs(pred - ref) <= config.get("rtol", 1e-3) * abs(ref)
        return ScoreDetail(self.name, w if ok else 0.0, w, ok, {"energy": pred, "reference": ref})
