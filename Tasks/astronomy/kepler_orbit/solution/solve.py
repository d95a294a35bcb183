#!/usr/bin/env python3
"""Reference solution for astronomy.kepler_orbit: numerical integration of the two-body problem.

Integrates r'' = -GM r / |r|^3 from the initial position and velocity with the 8th-order
Dormand-Prince method (scipy.integrate.solve_ivp, method DOP853, rtol 1e-12, atol 1e-14 AU) and
reports the positions at the output times (dense output of the integrator). The osculating elements
follow from the initial state (Murray & Dermott, Solar System Dynamics, ch. 2):
  vis-viva           a = 1 / (2/r - v^2/GM)
  eccentricity       e = |e_vec|, e_vec = v x h / GM - r / |r|, h = r x v
  period             P = 2 pi sqrt(a^3 / GM)
Run in the workspace: reads data/params.json and data/times.npy; writes positions.npy, elements.npy
and solver.py (a copy of this file).

--degrade: a plausible but inaccurate answer, a fixed-step kick-drift-kick leapfrog with only
100 steps per orbital period, for partial-credit checks.
"""
import argparse
import json
import shutil

import numpy as np


def elements(r, v, gm):
    """Semi-major axis, eccentricity and period of the orbit through (r, v)."""
    dist, speed2 = np.linalg.norm(r), float(v @ v)
    a = 1.0 / (2.0 / dist - speed2 / gm)
    h = np.cross(r, v)
    e_vec = np.cross(v, h) / gm - r / dist
    return a, float(np.linalg.norm(e_vec)), 2.0 * np.pi * np.sqrt(a ** 3 / gm)


def integrate_dop853(r0, v0, gm, times):
    from scipy.integrate import solve_ivp  # imported here: the --degrade path runs without scipy

    def rhs(_, y):
        r = y[:3]
        return np.concatenate([y[3:], -gm * r / np.dot(r, r) ** 1.5])
    sol = solve_ivp(rhs, (times[0], times[-1]), np.concatenate([r0, v0]), method="DOP853",
                    t_eval=times, rtol=1e-12, atol=1e-14)
    if not sol.success:
        raise RuntimeError(sol.message)
    return sol.y[:3].T


def integrate_leapfrog(r0, v0, gm, times, steps_per_output):
    """Kick-drift-kick leapfrog with a fixed number of steps between consecutive output times."""
    r, v = r0.copy(), v0.copy()
    out = [r.copy()]
    acc = -gm * r / np.dot(r, r) ** 1.5
    for i in range(1, len(times)):
        h = (times[i] - times[i - 1]) / steps_per_output
        for _ in range(steps_per_output):
            v += 0.5 * h * acc
            r += h * v
            acc = -gm * r / np.dot(r, r) ** 1.5
            v += 0.5 * h * acc
        out.append(r.copy())
    return np.array(out)


def main():
    parser = argparse.ArgumentParser(description="Kepler orbit reference solution")
    parser.add_argument("--degrade", action="store_true", help="leapfrog with 100 steps per orbit")
    args = parser.parse_args()
    with open("data/params.json", encoding="utf-8") as handle:
        problem = json.load(handle)
    times = np.load("data/times.npy")
    gm = float(problem["GM"])
    r0 = np.array(problem["r0"], dtype=float)
    v0 = np.array(problem["v0"], dtype=float)
    a, e, period = elements(r0, v0, gm)
    if args.degrade:
        steps_per_orbit = 100
        dt_out = times[1] - times[0]
        steps = max(1, int(round(steps_per_orbit * dt_out / period)))
        positions = integrate_leapfrog(r0, v0, gm, times, steps)
    else:
        positions = integrate_dop853(r0, v0, gm, times)
    np.save("positions.npy", np.asarray(positions, dtype=np.float64))
    np.save("elements.npy", np.array([a, e, period], dtype=np.float64))
    shutil.copyfile(__file__, "solver.py")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
