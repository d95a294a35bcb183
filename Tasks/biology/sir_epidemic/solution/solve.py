#!/usr/bin/env python3
"""Reference solution for biology.sir_epidemic: the SIR model integrated with RK4.

Integrates dS/dt = -beta S I/N, dI/dt = beta S I/N - gamma I, dR/dt = gamma I with the classical
fourth-order Runge-Kutta method (32 steps a day), records S, I, R once a day, locates the epidemic
peak on the fine steps and refines it with a parabola through the three steps around the maximum,
and solves the Kermack-McKendrick final-size relation 1 - z = (S0/N) exp(-R0 z) by Newton's method.
Run in the workspace: reads data/params.json, writes sir.npy, peak_infected.npy, final_size.npy and
solver.py (a copy of this file).

--degrade: the same computation with the transmission rate beta overestimated by 3 % (e.g. taken
from a rounded R0), for partial-credit checks.
"""
import argparse
import json
import shutil

import numpy as np

STEPS_PER_DAY = 32


def simulate(n, s, i, r, beta, gamma, n_days):
    """Daily S, I, R (shape (n_days + 1, 3)) and the refined peak of I."""
    h = 1.0 / STEPS_PER_DAY
    daily = [(s, i, r)]
    prev2, prev1 = None, i  # I at the two previous fine steps
    peak = i

    def f(s, i):
        infection = beta * s * i / n
        return -infection, infection - gamma * i, gamma * i

    for _ in range(n_days):
        for _ in range(STEPS_PER_DAY):
            a = f(s, i)
            b = f(s + 0.5 * h * a[0], i + 0.5 * h * a[1])
            c = f(s + 0.5 * h * b[0], i + 0.5 * h * b[1])
            d = f(s + h * c[0], i + h * c[1])
            s += h / 6.0 * (a[0] + 2.0 * b[0] + 2.0 * c[0] + d[0])
            i += h / 6.0 * (a[1] + 2.0 * b[1] + 2.0 * c[1] + d[1])
            r += h / 6.0 * (a[2] + 2.0 * b[2] + 2.0 * c[2] + d[2])
            if prev2 is not None and prev1 >= prev2 and prev1 >= i:
                # Vertex of the parabola through (−h, prev2), (0, prev1), (h, i).
                curvature = prev2 - 2.0 * prev1 + i
                vertex = prev1 - (i - prev2) ** 2 / (8.0 * curvature) if curvature < 0 else prev1
                peak = max(peak, vertex)
            prev2, prev1 = prev1, i
        daily.append((s, i, r))
    return np.array(daily), max(peak, i)


def final_size(s0_fraction, r0):
    """Root z in (0, 1] of 1 - z = s0 exp(-R0 z), Newton from z = 1."""
    z = 1.0
    for _ in range(200):
        g = 1.0 - z - s0_fraction * np.exp(-r0 * z)
        dg = -1.0 + s0_fraction * r0 * np.exp(-r0 * z)
        z_new = z - g / dg
        if abs(z_new - z) < 1e-15:
            return z_new
        z = z_new
    return z


def main():
    parser = argparse.ArgumentParser(description="SIR epidemic reference solution")
    parser.add_argument("--degrade", action="store_true", help="beta overestimated by 3 %%")
    args = parser.parse_args()
    with open("data/params.json", encoding="utf-8") as handle:
        problem = json.load(handle)
    n = float(problem["population"])
    gamma = float(problem["recovery_rate"])
    beta = float(problem["transmission_rate"])
    if args.degrade:
        beta *= 1.03
    s0, i0, r0_initial = float(problem["S0"]), float(problem["I0"]), float(problem["R0_initial"])
    sir, peak = simulate(n, s0, i0, r0_initial, beta, gamma, int(problem["n_days"]))
    # Final-size relation with R(0) = r0_initial: S_inf = S0 exp(-R0 (R_inf - R(0))/N).
    r0 = beta / gamma
    z = final_size(s0 / n * np.exp(r0 * r0_initial / n), r0)
    np.save("sir.npy", sir.astype(np.float64))
    np.save("peak_infected.npy", np.array([peak], dtype=np.float64))
    np.save("final_size.npy", np.array([z], dtype=np.float64))
    shutil.copyfile(__file__, "solver.py")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
