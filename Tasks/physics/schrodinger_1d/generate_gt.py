#!/usr/bin/env python3
"""Instance generator for physics.schrodinger_1d (numpy only).

Usage: python3 generate_gt.py --output-dir DIR --params JSON

Bound states of the 1D time-independent Schroedinger equation (hbar = m = 1)
    -1/2 psi''(x) + V(x) psi(x) = E psi(x),   V(x) = 1/2 omega^2 x^2 + lambda (x^2 - x0^2)^2,
an anharmonic oscillator for x0 = 0 and a symmetric double well when 4 lambda x0^2 > omega^2
(Griffiths, Introduction to Quantum Mechanics, ch. 2). V >= 0, so every energy is positive.

The box [-L, L] (psi = 0 at the walls) is chosen per instance so that the WKB decay of the highest
requested state from its classical turning point to the wall is at least exp(-20): the walls change
no energy by more than ~1e-16. The agent's grid is the n_x interior points x_i = -L + (i+1) dx,
dx = 2L/(n_x + 1), symmetric about x = 0.

The reference is a high-order solution interpolated onto that grid: the sinc discrete-variable
representation (Colbert & Miller 1992, J. Chem. Phys. 96:1982) on a uniform grid of spacing
<= 0.05 spanning the same box, whose kinetic matrix
    T_ii = pi^2 / (6 h^2),   T_ij = (-1)^(i-j) / ((i-j)^2 h^2)   (i != j)
converges exponentially with 1/h. Its eigenfunctions are sums of sinc functions,
psi(x) = sum_j c_j / sqrt(h) sinc((x - x_j)/h), evaluated at the agent's grid points and normalised
there (sum_i psi_i^2 dx = 1); their sign follows the convention of the prompts: positive at the first
grid point (from the left) where |psi| >= 0.01 max|psi|. Measured over the corners of the parameter
space: spacings 0.1, 0.07, 0.05 and 0.04 and the same DVR directly on the agent's 1200-point grid
agree to < 1.2e-11 in the energies (relative) and < 2.6e-11 in the wavefunctions (relative L2), and
the Richardson extrapolation of the three-point finite-difference energies (grids dx and dx/2)
agrees to < 1.4e-7 -- far below every scoring threshold. A dense DVR on the agent's grid itself
(up to 1200 points) would take ~1 s; this one takes ~0.05 s.
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
    "omega": ("float", 0.5, 2.0),
    "lam": ("float", 0.05, 1.0),
    "x0": ("float", 0.0, 1.5),
    "n_states": ("int", 4, 8),
    "n_x": ("int", 400, 1200),
}

WKB_DECAY = 20.0      # required decay exponent of the highest state between turning point and wall
SIGN_FRACTION = 0.01  # sign convention: first point from the left with |psi| >= 1 % of max |psi|
REF_SPACING = 0.05    # largest grid spacing of the reference DVR


def potential(x, omega, lam, x0):
    """V(x) = 1/2 omega^2 x^2 + lam (x^2 - x0^2)^2."""
    return 0.5 * omega * omega * x * x + lam * (x * x - x0 * x0) ** 2


def sinc_dvr(x, v, n_states):
    """Lowest n_states eigenpairs of -1/2 d2/dx2 + V on the uniform grid x (Colbert-Miller DVR)."""
    dx = x[1] - x[0]
    idx = np.arange(len(x))
    d = idx[:, None] - idx[None, :]
    off = np.where(d == 0, 1, d).astype(float)
    kinetic = np.where(d == 0, np.pi ** 2 / 6.0, (-1.0) ** np.abs(d) / off ** 2) / dx ** 2
    energies, vectors = np.linalg.eigh(kinetic + np.diag(v))  # at most ~300 points: dense is cheap
    return energies[:n_states], vectors[:, :n_states].T / np.sqrt(dx)


def fix_signs(psi):
    """Make every row positive at its first point with |psi| >= SIGN_FRACTION * max|psi|."""
    for row in psi:
        first = int(np.argmax(np.abs(row) >= SIGN_FRACTION * np.abs(row).max()))
        if row[first] < 0:
            row *= -1.0
    return psi


def box_half_width(omega, lam, x0, n_states):
    """Half-width L (a multiple of 0.5) with a WKB decay >= WKB_DECAY beyond the highest turning point."""
    coarse = np.linspace(-12.0, 12.0, 301)[1:-1]  # dx = 0.08: ample for an estimate of E
    energy = sinc_dvr(coarse, potential(coarse, omega, lam, x0), n_states)[0][-1]
    s = np.linspace(0.0, 12.0, 24001)
    excess = potential(s, omega, lam, x0) - energy
    turning = int(np.nonzero(excess <= 0.0)[0][-1])  # outer classical turning point
    kappa = np.sqrt(2.0 * np.maximum(0.0, excess))
    kappa[:turning] = 0.0  # only the outer forbidden region counts (not a double-well barrier)
    decay = np.concatenate([[0.0], np.cumsum(0.5 * (kappa[1:] + kappa[:-1]) * (s[1] - s[0]))])
    half_width = s[int(np.argmax(decay >= WKB_DECAY))]
    return float(np.ceil(2.0 * half_width) / 2.0)


def reference_states(half_width, x, omega, lam, x0, n_states):
    """DVR energies and wavefunctions (sinc-interpolated onto x, normalised, signs fixed)."""
    m = int(np.ceil(2.0 * half_width / REF_SPACING)) - 1
    h = 2.0 * half_width / (m + 1)
    nodes = -half_width + (np.arange(m) + 1) * h
    energies, coefficients = sinc_dvr(nodes, potential(nodes, omega, lam, x0), n_states)
    psi = coefficients @ np.sinc((x[None, :] - nodes[:, None]) / h)  # the DVR's own interpolant
    psi /= np.sqrt(np.sum(psi ** 2, axis=1) * (x[1] - x[0]))[:, None]
    return energies, fix_signs(psi)


def main(argv):
    out_dir, params = taskkit.read_params(argv, SPACE, __doc__.splitlines()[0])
    omega, lam, x0 = params["omega"], params["lam"], params["x0"]
    n_states, n_x = params["n_states"], params["n_x"]
    half_width = box_half_width(omega, lam, x0, n_states)
    dx = 2.0 * half_width / (n_x + 1)
    x = -half_width + (np.arange(n_x) + 1) * dx
    v = potential(x, omega, lam, x0)
    energies, psi = reference_states(half_width, x, omega, lam, x0, n_states)
    problem = {
        "hbar": 1.0, "mass": 1.0,
        "potential": "V(x) = 0.5*omega**2*x**2 + lambda*(x**2 - x0**2)**2",
        "omega": omega, "lambda": lam, "x0": x0,
        "x_min": -half_width, "x_max": half_width,
        "boundary": "dirichlet: psi(x_min) = psi(x_max) = 0",
        "n_x": n_x, "dx": dx, "n_states": n_states,
    }
    return taskkit.write_instance(
        out_dir, TASK_DIR, params, problem,
        inputs={"data/x.npy": x, "data/potential.npy": v},
        references={"reference/energies_ref.npy": energies,
                    "reference/wavefunctions_ref.npy": np.ascontiguousarray(psi)})


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
