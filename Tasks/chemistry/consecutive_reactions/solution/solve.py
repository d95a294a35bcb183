#!/usr/bin/env python3
"""Reference solution for chemistry.consecutive_reactions: numerical integration of A -> B -> C.

Integrates d[A]/dt = -k1[A], d[B]/dt = k1[A] - k2[B], d[C]/dt = k2[B] with the classical
fourth-order Runge-Kutta method (internal steps with h*max(k1, k2) <= 0.02 between output times),
then locates the maximum of [B] as the root of d[B]/dt = k1[A] - k2[B] by bisection on short RK4
steps from the bracketing output time. Run in the workspace: reads data/params.json and
data/times.npy, writes concentrations.npy, t_max.npy and solver.py (a copy of this file).

--degrade: the same computation with k2 misread by +2 % (a plausible transcription error), for
partial-credit checks.
"""
import argparse
import json
import shutil

import numpy as np


def rhs(y, k1, k2):
    a, b, _ = y
    return np.array([-k1 * a, k1 * a - k2 * b, k2 * b])


def rk4_step(y, h, k1, k2):
    s1 = rhs(y, k1, k2)
    s2 = rhs(y + 0.5 * h * s1, k1, k2)
    s3 = rhs(y + 0.5 * h * s2, k1, k2)
    s4 = rhs(y + h * s3, k1, k2)
    return y + h / 6.0 * (s1 + 2.0 * s2 + 2.0 * s3 + s4)


def integrate(y0, times, k1, k2, max_kh=0.02):
    """RK4 from times[0] through every output time; returns an array of shape (len(times), 3)."""
    out = np.empty((len(times), 3))
    out[0] = y = np.asarray(y0, dtype=float)
    for i in range(1, len(times)):
        span = times[i] - times[i - 1]
        steps = max(1, int(np.ceil(span * max(k1, k2) / max_kh)))
        h = span / steps
        for _ in range(steps):
            y = rk4_step(y, h, k1, k2)
        out[i] = y
    return out


def time_of_max_b(times, conc, k1, k2):
    """Root of d[B]/dt = k1[A] - k2[B]: bracket on the output grid, then bisection."""
    rate = k1 * conc[:, 0] - k2 * conc[:, 1]
    sign_change = np.nonzero((rate[:-1] > 0) & (rate[1:] <= 0))[0]
    if len(sign_change) == 0:  # maximum beyond the grid (not in this task's range): last time
        return float(times[-1])
    i = int(sign_change[0])
    t0, y0 = times[i], conc[i]
    lo, hi = 0.0, times[i + 1] - t0
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        steps = max(1, int(np.ceil(mid * max(k1, k2) / 0.005)))
        y = y0
        for _ in range(steps):
            y = rk4_step(y, mid / steps, k1, k2)
        if k1 * y[0] - k2 * y[1] > 0:
            lo = mid
        else:
            hi = mid
    return float(t0 + 0.5 * (lo + hi))


def main():
    parser = argparse.ArgumentParser(description="A -> B -> C reference solution")
    parser.add_argument("--degrade", action="store_true", help="use k2 off by +2 %%")
    args = parser.parse_args()
    with open("data/params.json", encoding="utf-8") as handle:
        problem = json.load(handle)
    times = np.load("data/times.npy")
    k1, k2 = float(problem["k1"]), float(problem["k2"])
    if args.degrade:
        k2 *= 1.02
    conc = integrate([problem["A0"], problem["B0"], problem["C0"]], times, k1, k2)
    t_max = time_of_max_b(times, conc, k1, k2)
    np.save("concentrations.npy", conc.astype(np.float64))
    np.save("t_max.npy", np.array([t_max], dtype=np.float64))
    shutil.copyfile(__file__, "solver.py")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
