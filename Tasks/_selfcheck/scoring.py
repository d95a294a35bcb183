"""Task loading, templates and the TASK_FORMAT.md scorers re-implemented in numpy, for Tasks/selfcheck.py."""
import ast
import json
import os
import re

import numpy as np

from .yamlsubset import load_yaml


# ------------------------------------------------------------------ task loading and templates

def load_task(task_dir):
    """Merge task_meta.yaml and task_eval.yaml (or read task.yaml) as TASK_FORMAT.md describes."""
    single = os.path.join(task_dir, "task.yaml")
    if os.path.isfile(single):
        return load_yaml(single)
    meta = load_yaml(os.path.join(task_dir, "task_meta.yaml"))
    evaluation = load_yaml(os.path.join(task_dir, "task_eval.yaml"))
    merged = dict(meta)
    for key, value in evaluation.items():
        if key == "task_id":
            continue
        if key == "output":
            files = {f["name"]: dict(f) for f in meta.get("output", {}).get("files", [])}
            for f in value.get("files", []):
                files.setdefault(f["name"], {}).update(f)
            merged["output"] = {**meta.get("output", {}), **value, "files": list(files.values())}
        else:
            merged[key] = value
    return merged


def _eval_expr(text, params):
    def ev(node):
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
            return node.value
        if isinstance(node, ast.Name):
            return params[node.id]
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.UAdd, ast.USub)):
            return ev(node.operand) * (1 if isinstance(node.op, ast.UAdd) else -1)
        if isinstance(node, ast.BinOp):
            ops = {ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b, ast.Mult: lambda a, b: a * b,
                   ast.Div: lambda a, b: a / b, ast.FloorDiv: lambda a, b: a // b, ast.Mod: lambda a, b: a % b}
            return ops[type(node.op)](ev(node.left), ev(node.right))
        raise ValueError(f"unsupported template expression {text!r}")
    return ev(ast.parse(text, mode="eval").body)


def resolve(value, params):
    """Evaluate "{expr}" / "{e1,e2}" templates; other values unchanged."""
    if isinstance(value, str) and value.strip().startswith("{") and value.strip().endswith("}") \
            and not value.strip().startswith("{{"):
        parts = [p for p in value.strip()[1:-1].split(",") if p.strip()]
        vals = [_eval_expr(p.strip(), params) for p in parts]
        return vals[0] if len(vals) == 1 else vals
    if isinstance(value, list):
        return [resolve(v, params) for v in value]
    if isinstance(value, dict):
        return {k: resolve(v, params) for k, v in value.items()}
    return value


def as_shape(value):
    if isinstance(value, (int, float)):
        return (int(value),)
    if isinstance(value, str):
        return tuple(int(p) for p in value.split(",") if p.strip())
    return tuple(int(v) for v in value)


# ------------------------------------------------------------------ scorers (TASK_FORMAT.md formulas)

def score_file_match(config, ws, weight):
    checks, passed, notes = config.get("checks", []), 0, []
    for check in checks:
        ok = True
        if check.get("check") == "no_nan_inf":
            for name in sorted(os.listdir(ws)):
                if name.endswith(".npy"):
                    arr = np.load(os.path.join(ws, name))
                    ok &= bool(np.all(np.isfinite(arr))) if arr.dtype.kind in "fc" else True
        elif check.get("check") == "value_range":
            path = os.path.join(ws, check["file"])
            ok = os.path.isfile(path)
            if ok:
                arr = np.load(path)
                ok = ("min" not in check or bool(np.all(arr >= check["min"]))) and \
                     ("max" not in check or bool(np.all(arr <= check["max"])))
        else:
            path = os.path.join(ws, check["file"])
            ok = os.path.isfile(path)
            if ok and ("shape" in check or "dtype" in check):
                arr = np.load(path)
                if "shape" in check and arr.shape != as_shape(check["shape"]):
                    ok = False
                if "dtype" in check and arr.dtype.name != check["dtype"]:
                    ok = False
        passed += ok
        if not ok:
            notes.append(json.dumps(check))
    if config.get("scoring_mode") == "per_check":
        return weight * passed / max(1, len(checks)), notes
    return (weight if passed == len(checks) else 0.0), notes


def score_code_analysis(config, ws, weight):
    path = os.path.join(ws, config.get("target_file", "simulation.py"))
    if not os.path.isfile(path):
        return 0.0, ["missing target file"]
    with open(path, encoding="utf-8", errors="replace") as handle:
        source = handle.read()
    checks, passed = config.get("checks", []), 0
    for check in checks:
        hits = len(re.findall(check["pattern"], source)) if "pattern" in check else 0
        if check.get("forbidden"):
            passed += hits == 0
        elif "min_count" in check:
            passed += hits >= check["min_count"]
        else:
            passed += hits > 0
    if config.get("scoring_mode") == "per_check":
        return weight * passed / max(1, len(checks)), []
    return (weight if passed == len(checks) else 0.0), []


def score_numerical(config, ws, ref_dir, weight):
    pred_path = os.path.join(ws, config.get("pred_file") or config["file"])
    ref_path = os.path.join(ref_dir, config.get("ref_file") or config["file"])
    if not os.path.isfile(pred_path):
        return 0.0, float("nan")
    p, r = np.load(pred_path).astype(float), np.load(ref_path).astype(float)
    if p.shape != r.shape:
        return 0.0, float("nan")
    metric = config.get("metric", "relative_l2")
    if metric == "relative_l2":
        denom = np.linalg.norm(r) or np.linalg.norm(p)
        err = float(np.linalg.norm(p - r) / denom) if denom else 0.0
    elif metric == "relative_error":
        err = float(np.max(np.where(r != 0, np.abs(p - r) / np.where(r != 0, np.abs(r), 1), 1.0)))
    elif metric == "rmse":
        err = float(np.sqrt(np.mean((p - r) ** 2)))
    elif metric == "absolute_error":
        err = float(np.max(np.abs(p - r)))
    else:
        raise ValueError(f"selfcheck does not implement metric {metric}")
    if not np.isfinite(err):
        return 0.0, err
    if config.get("scoring") == "linear_interpolation":
        full, zero = config.get("full_score_threshold", 0.0), config.get("zero_score_threshold", 1.0)
        frac = 1.0 if err <= full else 0.0 if err >= zero else 1.0 - (err - full) / (zero - full)
    elif config.get("scoring") == "threshold":
        frac = float(err <= config["threshold"])
    else:
        frac = max(0.0, 1.0 - err)
    return weight * frac, err


def evaluate(task, params, ws, ref_dir):
    """(final score, {scorer label: (score, weight, error)}, [failed hard gates])."""
    evaluation = resolve(task["evaluation"], params)
    failed = []
    for k, gate in enumerate(evaluation.get("gates", [])):
        scorer = {"file_match": score_file_match, "code_analysis": score_code_analysis}[gate["scorer"]]
        score, notes = scorer(gate.get("config", {}), ws, 1.0)
        if score < 1.0 and gate.get("severity", "hard") == "hard":
            failed.append(f"gate[{k}] {gate['scorer']} {'; '.join(notes)}")
    parts = {}
    for item in evaluation["scoring"]:
        label = item.get("name") or item["scorer"]
        w = float(item["weight"])
        if item["scorer"] == "numerical":
            s, err = score_numerical(item["config"], ws, ref_dir, w)
        elif item["scorer"] == "code_analysis":
            (s, _), err = score_code_analysis(item["config"], ws, w), None
        else:
            (s, _), err = score_file_match(item["config"], ws, w), None
        parts[label] = (s, w, err)
    total = 0.0 if failed else sum(s for s, _, _ in parts.values()) / float(evaluation.get("score_divisor", 1))
    return total, parts, failed
