#!/usr/bin/env python3
"""Fast sanity check of the bundled tasks (numpy + stdlib only; the Swift runner does the real check).

For every task under this directory (or the ids given) and seeds 1..5 it samples parameters from
generation.parameters, runs generate_gt.py into a temporary directory, builds a workspace (data/ and
prompt.md), runs solution/solve.py and solve.py --degrade there, and scores both with the gates and
scorers of the task's YAML, re-implemented here with the TASK_FORMAT.md formulas (file_match,
code_analysis, numerical: relative_l2 / relative_error / rmse / absolute_error with
linear_interpolation, threshold or proportional scoring). It also checks that the generator rejects
missing and unknown parameters with exit 2 and that an empty workspace (the lazy agent) fails a hard
gate. Expected: oracle 100 with every numerical scorer at full weight, degraded strictly between
0 and 100. Exit status 0 when every expectation holds, 1 otherwise.

Usage: python3 Tasks/selfcheck.py [--seeds 1,2,3,4,5 | --corners] [-v] [TASK_ID ...]
"""
import argparse
import glob
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np

sys.dont_write_bytecode = True
TASKS_DIR = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, TASKS_DIR)
from _selfcheck.scoring import evaluate, load_task  # noqa: E402


# ------------------------------------------------------------------ driver

def sample_params(space, seed):
    rng = np.random.default_rng(seed)
    out = {}
    for name in sorted(space):
        spec = space[name]
        if spec["type"] == "int":
            out[name] = int(rng.integers(spec["range"][0], spec["range"][1] + 1))
        elif spec["type"] == "float":
            out[name] = float(rng.uniform(*spec["range"]))
        elif spec["type"] == "choice":
            out[name] = spec["options"][int(rng.integers(len(spec["options"])))]
        else:
            out[name] = bool(rng.integers(2))
    out["seed"] = seed
    return out


def corner_params(space, index):
    """The index-th corner of the numeric parameter box (bit k of index: low/high of the k-th name)."""
    out = {}
    for bit, name in enumerate(sorted(space)):
        spec = space[name]
        if spec["type"] in ("int", "float"):
            out[name] = spec["range"][(index >> bit) & 1]
        else:
            out[name] = spec.get("default", (spec.get("options") or [False])[0])
    out["seed"] = index
    return out


def run(cmd, cwd=None, timeout=120):
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL)
    return proc, time.perf_counter() - start


def check_task(task_dir, seeds, problems, corners=False):
    task = load_task(task_dir)
    task_id = task["id"]
    space = task["generation"]["parameters"]
    gen = os.path.join(task_dir, task["generation"].get("script", "generate_gt.py"))
    solver = os.path.join(task_dir, "solution", "solve.py")

    module_spec = importlib.util.spec_from_file_location("gen_" + task_id.replace(".", "_"), gen)
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    for name, spec in space.items():
        kind, low, high = module.SPACE.get(name, (None, None, None))
        if (kind, low, high) != (spec["type"], *spec.get("range", [None, None])):
            problems.append(f"{task_id}: parameter {name}: YAML {spec} differs from generate_gt.SPACE {module.SPACE.get(name)}")
    for name in set(module.SPACE) - set(space):
        problems.append(f"{task_id}: generate_gt.SPACE has {name}, the YAML does not")

    rows = []
    with tempfile.TemporaryDirectory(prefix="selfcheck_") as tmp:
        base = sample_params(space, 1)
        for label, bad in (("missing", {k: v for k, v in base.items() if k != sorted(space)[0]}),
                           ("extra", {**base, "bogus": 1})):
            proc, _ = run([sys.executable, gen, "--output-dir", os.path.join(tmp, label), "--params", json.dumps(bad)])
            if proc.returncode != 2 or not proc.stderr.strip():
                problems.append(f"{task_id}: generator with a {label} parameter exited {proc.returncode}, expected 2 and a message")
        numeric = sum(1 for spec in space.values() if spec["type"] in ("int", "float"))
        for seed in (range(2 ** numeric) if corners else seeds):
            params = corner_params(space, seed) if corners else sample_params(space, seed)
            inst = os.path.join(tmp, f"inst{seed}")
            proc, t_gen = run([sys.executable, gen, "--output-dir", inst, "--params", json.dumps(params)])
            if proc.returncode != 0:
                problems.append(f"{task_id} seed {seed}: generator failed: {proc.stderr.strip()}")
                continue
            meta = json.load(open(os.path.join(inst, "instance_meta.json"), encoding="utf-8"))
            for rel in meta["input_files"] + meta["reference_files"]:
                if not os.path.isfile(os.path.join(inst, rel)):
                    problems.append(f"{task_id} seed {seed}: instance_meta lists missing {rel}")
            for level in ("b1", "b2", "b3", "b4"):
                text = open(os.path.join(inst, f"prompt_{level}.md"), encoding="utf-8").read()
                if "{{" in text:
                    problems.append(f"{task_id} seed {seed}: prompt_{level}.md has an unrendered placeholder")
            row = {"seed": seed, "gen": t_gen}
            for mode, extra in (("oracle", []), ("degraded", ["--degrade"]), ("lazy", None)):
                ws = os.path.join(tmp, f"ws{seed}_{mode}")
                shutil.copytree(os.path.join(inst, "data"), os.path.join(ws, "data"))
                shutil.copyfile(os.path.join(inst, "prompt_b1.md"), os.path.join(ws, "prompt.md"))
                t_solve = 0.0
                if extra is not None:
                    proc, t_solve = run([sys.executable, solver, *extra], cwd=ws)
                    if proc.returncode != 0:
                        problems.append(f"{task_id} seed {seed} {mode}: solve.py failed: {proc.stderr.strip()[-300:]}")
                total, parts, failed = evaluate(task, params, ws, os.path.join(inst, "reference"))
                row[mode] = (total, parts, failed, t_solve)
            oracle, degraded, lazy = row["oracle"], row["degraded"], row["lazy"]
            if oracle[2] or abs(oracle[0] - 100.0) > 1e-9:
                problems.append(f"{task_id} seed {seed}: oracle scored {oracle[0]:.2f} {oracle[2]}")
            for label, (s, w, _) in oracle[1].items():
                if s < w - 1e-12:
                    problems.append(f"{task_id} seed {seed}: oracle scorer {label} {s:.2f}/{w:g}")
            if not 0.0 < degraded[0] < 100.0:
                problems.append(f"{task_id} seed {seed}: degraded scored {degraded[0]:.2f}, expected strictly between 0 and 100")
            if lazy[0] != 0.0 or not lazy[2]:
                problems.append(f"{task_id} seed {seed}: the empty workspace scored {lazy[0]} without a failed hard gate")
            if t_gen + oracle[3] > 3.0:
                problems.append(f"{task_id} seed {seed}: generate + solve took {t_gen + oracle[3]:.2f} s (> 3 s)")
            rows.append(row)
    return task_id, rows


def fmt_parts(parts):
    cells = []
    for label, (s, w, err) in parts.items():
        e = f" e={err:.1e}" if isinstance(err, float) else ""
        cells.append(f"{label} {s:.1f}/{w:g}{e}")
    return ", ".join(cells)


def main():
    parser = argparse.ArgumentParser(description="sanity check of the bundled tasks")
    parser.add_argument("task_ids", nargs="*", help="task ids (default: every task below this directory)")
    parser.add_argument("--seeds", default="1,2,3,4,5", help="comma-separated seeds (default 1..5)")
    parser.add_argument("--corners", action="store_true",
                        help="instead of seeds, check every corner of the parameter box (2^n instances)")
    parser.add_argument("--verbose", "-v", action="store_true", help="print every scorer and error")
    args = parser.parse_args()
    seeds = [int(s) for s in args.seeds.split(",") if s.strip()]
    task_dirs = sorted(os.path.dirname(p) for pattern in ("*/*/task_meta.yaml", "*/*/task.yaml")
                       for p in glob.glob(os.path.join(TASKS_DIR, pattern)))
    if args.task_ids:
        wanted = {t: os.path.join(TASKS_DIR, *t.split(".", 1)) for t in args.task_ids}
        task_dirs = [d for t, d in wanted.items() if os.path.isdir(d)]
        for t, d in wanted.items():
            if not os.path.isdir(d):
                print(f"selfcheck: unknown task id {t}", file=sys.stderr)
                return 2
    problems = []
    print(f"{'task':34} {'seed':>4} {'oracle':>7} {'degraded':>9} {'lazy':>5} {'gen s':>6} {'solve s':>7}")
    for task_dir in task_dirs:
        task_id, rows = check_task(task_dir, seeds, problems, args.corners)
        for row in rows:
            o, d, lz = row["oracle"], row["degraded"], row["lazy"]
            print(f"{task_id:34} {row['seed']:>4} {o[0]:7.1f} {d[0]:9.1f} {lz[0]:5.1f} {row['gen']:6.2f} {o[3]:7.2f}")
            if args.verbose:
                print(f"{'':39}oracle:   {fmt_parts(o[1])}")
                print(f"{'':39}degraded: {fmt_parts(d[1])}")
    if problems:
        print("\nFAILED:", file=sys.stderr)
        for p in problems:
            print("  " + p, file=sys.stderr)
        return 1
    print(f"\nall {len(task_dirs)} tasks OK: oracle 100 with every scorer full, degraded strictly between, "
          f"empty workspace 0 by a hard gate, generator rejects bad parameters")
    return 0


if __name__ == "__main__":
    sys.exit(main())
