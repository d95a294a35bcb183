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
    "population": ("int", 10000, 1000000),
    "initial_infected": ("int", 1, 100),
    "r0": ("float", 2.0, 4.0),
    "recovery_rate": ("float", 0.1, 0.2),
    "n_days": ("int", 250, 365),
}

STEPS_PER_DAY = 64


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
    out_dir, params = taskkit.read_params(argv, SPACE, __doc__.splitlines()[0])
    n = params["population"]
    i0 = params["initial_infected"]
    s0 = n - i0
    r0, gamma = params["r0"], params["recovery_rate"]
    beta = r0 * gamma
    sir = trajectory(n, s0, i0, beta, gamma, params["n_days"])

    problem = {
        "population": n, "S0": s0, "I0": i0, "R0_initial": 0,
        "basic_reproduction_number": r0, "recovery_rate": gamma, "transmission_rate": beta,
        "n_days": params["n_days"],
        "units": {"time": "day", "rates": "1/day", "compartments": "persons"},
    }
    return taskkit.write_instance(
        out_dir, TASK_DIR, params, problem,
        inputs={"data/days.npy": np.arange(params["n_days"] + 1, dtype=np.float64)},
        references={"reference/sir_ref.npy": sir,
                    "reference/peak_infected_ref.npy": np.array([peak_infected(n, s0, i0, r0)]),
                    "reference/final_size_ref.npy": np.array([final_size(s0 / n, r0)])})


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
