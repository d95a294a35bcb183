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
import os
import sys

import numpy as np

TASK_DIR = os.path.dirname(os.path.abspath(__file__))

sys.dont_write_bytecode = True  # importing the shared module must leave no __pycache__ in Tasks/
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(TASK_DIR)), "_common"))
import taskkit  # noqa: E402  Tasks/_common/taskkit.py: parameter checks, prompts, instance files

# Parameter space: (type, low, high). Keep in sync with generation.parameters in task_eval.yaml
# (Tasks/selfcheck.py compares the two).
SPACE = {
    "k1": ("float", 0.2, 2.0),
    "k2": ("float", 0.1, 1.5),
    "a0": ("float", 0.5, 2.0),
    "t_end": ("float", 10.0, 40.0),
    "n_times": ("int", 101, 401),
}


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
    out_dir, params = taskkit.read_params(argv, SPACE, __doc__.splitlines()[0])
    k1, k2, a0 = params["k1"], params["k2"], params["a0"]
    times = np.linspace(0.0, params["t_end"], params["n_times"])
    conc = concentrations(times, k1, k2, a0)
    t_max = np.array([time_of_max_b(k1, k2)])

    problem = {
        "k1": k1, "k2": k2, "A0": a0, "B0": 0.0, "C0": 0.0,
        "t_end": params["t_end"], "n_times": params["n_times"],
        "units": {"time": "s", "rate_constants": "1/s", "concentration": "mol/L"},
    }
    return taskkit.write_instance(
        out_dir, TASK_DIR, params, problem,
        inputs={"data/times.npy": times},
        references={"reference/concentrations_ref.npy": conc, "reference/t_max_ref.npy": t_max})


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
