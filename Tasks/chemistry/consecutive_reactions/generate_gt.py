#!/usr/bin/env python3
"""Instance generator for chemistry.consecutive_reactions (numpy only).

Usage: python3 generate_gt.py --output-dir DIR --params JSON

Consecutive first-order reactions A -> B -> C (rate constants k1, k2) starting from pure A. The
reference is the analytic solution (Bateman 1910; Atkins' Physical Chemistry, "consecutive
elementary reactions"):
  [A] = A0 exp(-k1 t)
  [B] = A0 k1 / (k2 - k1) (exp(-k1 t) - exp(-k2 t))
  [C] = A0 - [A] - [B]
and the time of the maximum of [B], t_max = ln(k1/k2) / (k1 - k2) (t_max = 1/k for k1 = k2 = k).
"""
import argparse
import json
import os
import re
import sys

import numpy as np

TASK_DIR = os.path.dirname(os.path.abspath(__file__))

# Parameter space: (type, low, high). Keep in sync with generation.parameters in task_eval.yaml
# (Tasks/selfcheck.py compares the two).
SPACE = {
    "k1": ("float", 0.2, 2.0),
    "k2": ("float", 0.1, 1.5),
    "a0": ("float", 0.5, 2.0),
    "t_end": ("float", 10.0, 40.0),
    "n_times": ("int", 101, 401),
}


def fail(message):
    """Print a one-line error naming the problem and exit with status 2."""
    print(f"generate_gt.py: {message}", file=sys.stderr)
    sys.exit(2)


def read_params(argv):
    """Parse the command line and return (output_dir, params) with every parameter checked."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output-dir", required=True, help="instance directory to write")
    parser.add_argument("--params", required=True, help="JSON object (or a path to a JSON file)")
    args = parser.parse_args(argv)
    text = args.params
    if not text.lstrip().startswith("{") and os.path.isfile(text):
        with open(text, encoding="utf-8") as handle:
            text = handle.read()
    try:
        params = json.loads(text)
    except json.JSONDecodeError as err:
        fail(f"--params is not valid JSON ({err})")
    if not isinstance(params, dict):
        fail("--params must be a JSON object")
    expected = set(SPACE) | {"seed"}
    missing = sorted(expected - set(params))
    extra = sorted(set(params) - expected)
    if missing:
        fail(f"missing parameter(s): {', '.join(missing)} (expected: {', '.join(sorted(expected))})")
    if extra:
        fail(f"unknown parameter(s): {', '.join(extra)} (expected: {', '.join(sorted(expected))})")
    clean = {}
    for name, (kind, low, high) in SPACE.items():
        value = params[name]
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            fail(f"parameter {name} must be a number, got {value!r}")
        if kind == "int":
            if float(value) != int(value):
                fail(f"parameter {name} must be an integer, got {value!r}")
            value = int(value)
        else:
            value = float(value)
        slack = 1e-9 * (high - low) if kind == "float" else 0  # tolerate float rounding at the ends
        if not low - slack <= value <= high + slack:
            fail(f"parameter {name}={value} is outside its range [{low}, {high}]")
        clean[name] = value
    seed = params["seed"]
    if isinstance(seed, bool) or not isinstance(seed, (int, float)) or float(seed) != int(seed):
        fail(f"parameter seed must be an integer, got {seed!r}")
    clean["seed"] = int(seed)
    return args.output_dir, clean


def render(template, params):
    """Replace every {{ name }} placeholder by the parameter's value."""
    def value(match):
        name = match.group(1)
        if name not in params:
            fail(f"prompt placeholder {{{{ {name} }}}} names no parameter")
        v = params[name]
        return f"{v:.6g}" if isinstance(v, float) else str(v)
    return re.sub(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}", value, template)


def write_prompts(out_dir, params):
    """Render prompt_b1.md..prompt_b4.md from the task's templates into out_dir."""
    for level in ("b1", "b2", "b3", "b4"):
        template = os.path.join(TASK_DIR, f"prompt_{level}.md")
        if not os.path.isfile(template):
            fail(f"prompt template {template} is missing")
        with open(template, encoding="utf-8") as handle:
            text = render(handle.read(), params)
        with open(os.path.join(out_dir, f"prompt_{level}.md"), "w", encoding="utf-8") as handle:
            handle.write(text)


# ---------------------------------------------------------------- analytic (Bateman) solution

def concentrations(t, k1, k2, a0):
    """[A], [B], [C] at times t for A -> B -> C from pure A; stable for k1 close to k2."""
    a = a0 * np.exp(-k1 * t)
    d = k2 - k1
    if abs(d) > 1e-12 * max(k1, k2):
        # exp(-k1 t) - exp(-k2 t) = -exp(-k1 t) * expm1(-(k2 - k1) t), without cancellation.
        b = a0 * k1 * np.exp(-k1 * t) * (-np.expm1(-d * t)) / d
    else:
        b = a0 * k1 * t * np.exp(-k1 * t)
    c = a0 - a - b
    return np.stack([a, b, c], axis=1)


def time_of_max_b(k1, k2):
    """t_max = ln(k1/k2)/(k1 - k2), written with log1p so that it stays accurate for k1 ~ k2."""
    d = k1 - k2
    if abs(d) <= 1e-12 * max(k1, k2):
        return 1.0 / k2
    return np.log1p(d / k2) / d


def main(argv):
    out_dir, params = read_params(argv)
    k1, k2, a0 = params["k1"], params["k2"], params["a0"]
    times = np.linspace(0.0, params["t_end"], params["n_times"])
    conc = concentrations(times, k1, k2, a0)
    t_max = np.array([time_of_max_b(k1, k2)])

    for sub in ("data", "reference"):
        os.makedirs(os.path.join(out_dir, sub), exist_ok=True)
    problem = {
        "k1": k1, "k2": k2, "A0": a0, "B0": 0.0, "C0": 0.0,
        "t_end": params["t_end"], "n_times": params["n_times"],
        "units": {"time": "s", "rate_constants": "1/s", "concentration": "mol/L"},
    }
    with open(os.path.join(out_dir, "data", "params.json"), "w", encoding="utf-8") as handle:
        json.dump(problem, handle, indent=2, sort_keys=True)
    np.save(os.path.join(out_dir, "data", "times.npy"), times)
    np.save(os.path.join(out_dir, "reference", "concentrations_ref.npy"), conc)
    np.save(os.path.join(out_dir, "reference", "t_max_ref.npy"), t_max)
    write_prompts(out_dir, params)
    meta = {
        "params_used": params,
        "input_files": ["data/params.json", "data/times.npy"],
        "reference_files": ["reference/concentrations_ref.npy", "reference/t_max_ref.npy"],
    }
    with open(os.path.join(out_dir, "instance_meta.json"), "w", encoding="utf-8") as handle:
        json.dump(meta, handle, indent=2, sort_keys=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
