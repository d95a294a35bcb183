#!/usr/bin/env python3
"""Reference solution for physics.sod_shock_tube: a finite-volume Godunov-type solver.

Second-order MUSCL-Hancock reconstruction (minmod limiter, primitive variables) with the HLLC
approximate Riemann solver (Toro, "Riemann Solvers and Numerical Methods for Fluid Dynamics",
ch. 10 and 14), CFL 0.9, transmissive boundaries. Run in the workspace: reads data/params.json,
writes density.npy, velocity.npy, pressure.npy and solver.py (a copy of this file).

--degrade: a plausible but poor answer (first-order scheme on a 25-cell grid, projected
piecewise-constantly onto the requested grid), for partial-credit checks.
"""
import argparse
import json
import shutil

import numpy as np


def primitives(cons, gamma):
    """(rho, rho u, E) -> (rho, u, p)."""
    rho = cons[0]
    u = cons[1] / rho
    p = (gamma - 1.0) * (cons[2] - 0.5 * rho * u * u)
    return np.array([rho, u, p])


def hllc_flux(wl, wr, gamma):
    """HLLC flux between left states wl and right states wr (primitive, shape (3, m))."""
    rl, ul, pl = wl
    rr, ur, pr = wr
    cl, cr = np.sqrt(gamma * pl / rl), np.sqrt(gamma * pr / rr)
    sl = np.minimum(ul - cl, ur - cr)
    sr = np.maximum(ul + cl, ur + cr)
    s_star = (pr - pl + rl * ul * (sl - ul) - rr * ur * (sr - ur)) / (rl * (sl - ul) - rr * (sr - ur))
    el = pl / (gamma - 1.0) + 0.5 * rl * ul * ul
    er = pr / (gamma - 1.0) + 0.5 * rr * ur * ur
    fl = np.array([rl * ul, rl * ul * ul + pl, (el + pl) * ul])
    fr = np.array([rr * ur, rr * ur * ur + pr, (er + pr) * ur])

    def star(r, u, p, e, s):
        factor = r * (s - u) / (s - s_star)
        energy = e / r + (s_star - u) * (s_star + p / (r * (s - u)))
        return np.array([factor, factor * s_star, factor * energy])

    fl_star = fl + sl * (star(rl, ul, pl, el, sl) - np.array([rl, rl * ul, el]))
    fr_star = fr + sr * (star(rr, ur, pr, er, sr) - np.array([rr, rr * ur, er]))
    return np.where(sl >= 0, fl, np.where(s_star >= 0, fl_star, np.where(sr > 0, fr_star, fr)))


def minmod(a, b):
    return np.where(a * b > 0, np.sign(a) * np.minimum(np.abs(a), np.abs(b)), 0.0)


def solve(problem, n, second_order=True, cfl=0.9):
    """Evolve the Riemann problem on n uniform cells; return cell centres and (rho, u, p)."""
    gamma = problem["gamma"]
    x_left, x_right = problem["x_left"], problem["x_right"]
    dx = (x_right - x_left) / n
    x = x_left + (np.arange(n) + 0.5) * dx
    left, right = problem["left"], problem["right"]
    w = np.array([np.where(x < problem["x_diaphragm"], left[k], right[k]) for k in ("rho", "u", "p")])
    cons = np.array([w[0], w[0] * w[1], w[2] / (gamma - 1.0) + 0.5 * w[0] * w[1] ** 2])
    t, t_final = 0.0, problem["t_final"]
    while t < t_final:
        w = primitives(cons, gamma)
        speed = np.max(np.abs(w[1]) + np.sqrt(gamma * w[2] / w[0]))
        dt = min(cfl * dx / speed, t_final - t)
        # Two transmissive ghost cells on each side.
        wg = np.concatenate([w[:, :1], w[:, :1], w, w[:, -1:], w[:, -1:]], axis=1)
        if second_order:
            slope = minmod(wg[:, 1:-1] - wg[:, :-2], wg[:, 2:] - wg[:, 1:-1])
            r, u, p = wg[:, 1:-1]
            dr, du, dp = slope
            half = 0.5 * dt / dx  # MUSCL-Hancock half-step evolution (primitive form)
            evolved = np.array([r - half * (u * dr + r * du),
                                u - half * (u * du + dp / r),
                                p - half * (gamma * p * du + u * dp)])
            face_right = evolved + 0.5 * slope  # value at the right face of each cell
            face_left = evolved - 0.5 * slope
            wl, wr = face_right[:, :-1], face_left[:, 1:]
        else:
            wl, wr = wg[:, 1:-2], wg[:, 2:-1]
        flux = hllc_flux(wl, wr, gamma)
        cons = cons - dt / dx * (flux[:, 1:] - flux[:, :-1])
        t += dt
    return x, primitives(cons, gamma)


def main():
    parser = argparse.ArgumentParser(description="Sod shock tube reference solution")
    parser.add_argument("--degrade", action="store_true", help="coarse first-order answer")
    args = parser.parse_args()
    with open("data/params.json", encoding="utf-8") as handle:
        problem = json.load(handle)
    n = int(problem["n_cells"])
    if args.degrade:
        coarse = 25
        _, (rho, u, p) = solve(problem, coarse, second_order=False)
        x = np.load("data/x.npy")
        span = problem["x_right"] - problem["x_left"]
        index = np.clip(((x - problem["x_left"]) / span * coarse).astype(int), 0, coarse - 1)
        rho, u, p = rho[index], u[index], p[index]
    else:
        _, (rho, u, p) = solve(problem, n)
    np.save("density.npy", np.asarray(rho, dtype=np.float64))
    np.save("velocity.npy", np.asarray(u, dtype=np.float64))
    np.save("pressure.npy", np.asarray(p, dtype=np.float64))
    shutil.copyfile(__file__, "solver.py")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
