#!/usr/bin/env python3
"""Instance generator for biology.sir_epidemic (numpy only).

Usage: python3 generate_gt.py --output-dir DIR --params JSON

The Kermack-McKendrick SIR model dS/dt = -beta S I/N, dI/dt = beta S I/N - gamma I, dR/dt = gamma I
with beta = R0 * gamma, from S(0) = N - I0, I(0) = I0, R(0) = 0. References:
- the trajectory at days 0..n_days: classical RK4 with 64 steps per day (self-convergence < 1e-10);
- the peak number of infected, analytic from the first integral I + S - (N/R0) ln S = const:
  I_max = I0 + S0 - (N/R0) (1 + ln(R0 S0 / N))            (Keeling & Rohani 2008, ch. 2);
- the final size z = R(inf)/N, the root in (0, 1] of the final-size relation
  1 - z = (S0/N) exp(-R0 z)                                 (Kermack & McKendrick 1927).
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
    "population": ("int", 10000, 1000000),
    "initial_infected": ("int", 1, 100),
    "r0": ("float", 2.0, 4.0),
    "recovery_rate": ("float", 0.1, 0.2),
    "n_days": ("int", 250, 365),
}

STEPS_PER_DAY = 64


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


# ---------------------------------------------------------------- references

def trajectory(n, s0, i0, beta, gamma, n_days):
    """S, I, R at days 0..n_days by RK4 with STEPS_PER_DAY steps a day (plain floats: fast)."""
    h = 1.0 / STEPS_PER_DAY
    out = np.empty((n_days + 1, 3))
    s, i, r = float(s0), float(i0), 0.0
    out[0] = (s, i, r)

    def f(s, i):
        infection = beta * s * i / n
        return -infection, infection - gamma * i, gamma * i

    for day in range(1, n_days + 1):
        for _ in range(STEPS_PER_DAY):
            a = f(s, i)
            b = f(s + 0.5 * h * a[0], i + 0.5 * h * a[1])
            c = f(s + 0.5 * h * b[0], i + 0.5 * h * b[1])
            d = f(s + h * c[0], i + h * c[1])
            s += h / 6.0 * (a[0] + 2.0 * b[0] + 2.0 * c[0] + d[0])
            i += h / 6.0 * (a[1] + 2.0 * b[1] + 2.0 * c[1] + d[1])
            r += h / 6.0 * (a[2] + 2.0 * b[2] + 2.0 * c[2] + d[2])
        out[day] = (s, i, r)
    return out


def peak_infected(n, s0, i0, r0):
    """Analytic maximum of I(t), reached when S = N/R0 (requires R0 S0/N > 1)."""
    return i0 + s0 - n / r0 * (1.0 + np.log(r0 * s0 / n))


def final_size(s0_fraction, r0):
    """Root z in (0, 1] of 1 - z = s0 exp(-R0 z) by Newton from z = 1 (monotone for this concave g)."""
    z = 1.0
    for _ in range(200):
        g = 1.0 - z - s0_fraction * np.exp(-r0 * z)
        dg = -1.0 + s0_fraction * r0 * np.exp(-r0 * z)
        z_new = z - g / dg
        if abs(z_new - z) < 1e-15:
            return z_new
        z = z_new
    return z


def main(argv):
    out_dir, params = read_params(argv)
    n = params["population"]
    i0 = params["initial_infected"]
    s0 = n - i0
    r0, gamma = params["r0"], params["recovery_rate"]
    beta = r0 * gamma
    sir = trajectory(n, s0, i0, beta, gamma, params["n_days"])

    for sub in ("data", "reference"):
        os.makedirs(os.path.join(out_dir, sub), exist_ok=True)
    problem = {
        "population": n, "S0": s0, "I0": i0, "R0_initial": 0,
        "basic_reproduction_number": r0, "recovery_rate": gamma, "transmission_rate": beta,
        "n_days": params["n_days"],
        "units": {"time": "day", "rates": "1/day", "compartments": "persons"},
    }
    with open(os.path.join(out_dir, "data", "params.json"), "w", encoding="utf-8") as handle:
        json.dump(problem, handle, indent=2, sort_keys=True)
    np.save(os.path.join(out_dir, "data", "days.npy"), np.arange(params["n_days"] + 1, dtype=np.float64))
    np.save(os.path.join(out_dir, "reference", "sir_ref.npy"), sir)
    np.save(os.path.join(out_dir, "reference", "peak_infected_ref.npy"), np.array([peak_infected(n, s0, i0, r0)]))
    np.save(os.path.join(out_dir, "reference", "final_size_ref.npy"), np.array([final_size(s0 / n, r0)]))
    write_prompts(out_dir, params)
    meta = {
        "params_used": params,
        "input_files": ["data/params.json", "data/days.npy"],
        "reference_files": ["reference/sir_ref.npy", "reference/peak_infected_ref.npy",
                            "reference/final_size_ref.npy"],
    }
    with open(os.path.join(out_dir, "instance_meta.json"), "w", encoding="utf-8") as handle:
        json.dump(meta, handle, indent=2, sort_keys=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
