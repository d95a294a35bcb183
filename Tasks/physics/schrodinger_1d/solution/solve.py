#!/usr/bin/env python3
"""Reference solution for physics.schrodinger_1d: finite-difference Hamiltonian + diagonalisation.

The three-point second derivative on the given uniform grid (Dirichlet walls one step outside the
first and last point) turns -1/2 psi'' + V psi = E psi into a symmetric tridiagonal eigenproblem
(Thijssen, Computational Physics, ch. 3); scipy.linalg.eigh_tridiagonal returns its lowest n_states
eigenpairs. Eigenvectors are divided by sqrt(dx) (sum psi^2 dx = 1) and each is made positive at
its first point from the left with |psi| >= 1 % of max|psi|. Run in the workspace: reads
data/params.json, data/x.npy and data/potential.npy, writes energies.npy, wavefunctions.npy and
solver.py (a copy of this file).

--degrade: a plausible but poor answer (the same scheme on a 50-point grid spanning the same box,
linearly interpolated onto the requested grid and renormalised), for partial-credit checks.
"""
import argparse
import json
import shutil

import numpy as np
from scipy.linalg import eigh_tridiagonal

HBAR2_OVER_2M = 0.5  # hbar = m = 1: the kinetic energy is -(hbar^2 / 2m) d^2/dx^2
COARSE_POINTS = 50


def lowest_states(x, v, n_states):
    """Lowest n_states eigenpairs of the three-point finite-difference Hamiltonian on grid x."""
    dx = x[1] - x[0]
    diagonal = v + 2.0 * HBAR2_OVER_2M / dx ** 2
    off_diagonal = np.full(len(x) - 1, -HBAR2_OVER_2M / dx ** 2)
    energies, vectors = eigh_tridiagonal(diagonal, off_diagonal, select="i",
                                         select_range=(0, n_states - 1))
    order = np.argsort(energies)
    return energies[order], vectors[:, order].T / np.sqrt(dx)


def fix_signs(psi):
    """Make every row positive at its first point with |psi| >= 0.01 max|psi|."""
    for row in psi:
        first = int(np.argmax(np.abs(row) >= 0.01 * np.abs(row).max()))
        if row[first] < 0:
            row *= -1.0
    return psi


def potential(x, problem):
    """V(x) = 1/2 omega^2 x^2 + lambda (x^2 - x0^2)^2 from the parameters."""
    omega, lam, x0 = problem["omega"], problem["lambda"], problem["x0"]
    return 0.5 * omega ** 2 * x ** 2 + lam * (x ** 2 - x0 ** 2) ** 2


def main():
    parser = argparse.ArgumentParser(description="1D Schroedinger bound states, reference solution")
    parser.add_argument("--degrade", action="store_true", help="coarse 50-point answer")
    args = parser.parse_args()
    with open("data/params.json", encoding="utf-8") as handle:
        problem = json.load(handle)
    n_states = int(problem["n_states"])
    x = np.load("data/x.npy")
    if args.degrade:
        x_min, x_max = problem["x_min"], problem["x_max"]
        coarse = x_min + (np.arange(COARSE_POINTS) + 1) * (x_max - x_min) / (COARSE_POINTS + 1)
        energies, psi_coarse = lowest_states(coarse, potential(coarse, problem), n_states)
        nodes = np.concatenate([[x_min], coarse, [x_max]])
        psi = np.array([np.interp(x, nodes, np.concatenate([[0.0], row, [0.0]])) for row in psi_coarse])
        psi /= np.sqrt(np.sum(psi ** 2, axis=1) * (x[1] - x[0]))[:, None]
    else:
        energies, psi = lowest_states(x, np.load("data/potential.npy"), n_states)
    np.save("energies.npy", np.asarray(energies, dtype=np.float64))
    np.save("wavefunctions.npy", np.ascontiguousarray(fix_signs(psi), dtype=np.float64))
    shutil.copyfile(__file__, "solver.py")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
