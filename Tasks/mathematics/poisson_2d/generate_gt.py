#!/usr/bin/env python3
"""Instance generator for mathematics.poisson_2d (numpy only).

Usage: python3 generate_gt.py --output-dir DIR --params JSON

The 2-D Poisson equation -(u_xx + u_yy) = f on the unit square with Dirichlet data u = g on its
boundary (LeVeque, Finite Difference Methods for Ordinary and Partial Differential Equations, ch. 3),
with a manufactured solution: the seed draws
    u(x, y) = S [ sum_m A_m sin(p_m pi x) sin(q_m pi y) + w R Q(x, y) ],
    Q(x, y) = P(x, y) + c exp(alpha x + beta y),
n_modes sine modes with max(p_m, q_m) = K = max_wavenumber (the other wavenumber uniform in 1..K)
and amplitudes |A_m| uniform in [0.5, 1] with random signs; P has degree <= 3 in x and in y with
coefficients in [-1, 1], c in [-1, 1], alpha, beta in [-1.5, 1.5]. R makes the root-mean-square of
R Q over the grid equal to that of the sine part, so w = poly_weight is the size of the smooth
non-periodic part relative to the oscillating one, and S scales u to max |u| = 1 over the
(n + 2) x (n + 2) grid nodes (absolute errors are errors relative to the solution's size).
All modes sharing the top wavenumber K pins the O(h^2) error of the 5-point scheme to
(0.3 .. 0.9) K^2 h^2 (see task_eval.yaml), so the thresholds can scale with K^2 h^2.
f = -lap(u) is exact (closed form), g = u on the boundary nodes, and the reference is the exact u
at the n x n interior nodes x_i = i h, i = 1..n, h = 1/(n + 1).
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
    "n": ("int", 48, 128),
    "max_wavenumber": ("int", 2, 5),
    "n_modes": ("int", 2, 5),
    "poly_weight": ("float", 0.2, 1.0),
}

# Exponents (i, j) of the monomials x^i y^j of the polynomial part: degree <= 3 in each variable.
MONOMIALS = [(0, 0), (1, 0), (0, 1), (1, 1), (2, 0), (0, 2), (2, 1), (1, 2), (3, 0), (0, 3), (2, 2)]


def manufactured(params):
    """Draw the manufactured solution from the seed; return a dict of its coefficients."""
    rng = np.random.default_rng(params["seed"])
    k_max = params["max_wavenumber"]
    modes = []
    for _ in range(params["n_modes"]):
        other = int(rng.integers(1, k_max + 1))
        p, q = (k_max, other) if rng.random() < 0.5 else (other, k_max)
        amp = float(rng.uniform(0.5, 1.0)) * (1.0 if rng.random() < 0.5 else -1.0)
        modes.append((p, q, amp))
    poly = [float(c) for c in rng.uniform(-1.0, 1.0, size=len(MONOMIALS))]
    c_exp = float(rng.uniform(-1.0, 1.0))
    alpha, beta = (float(v) for v in rng.uniform(-1.5, 1.5, size=2))
    return {"modes": modes, "poly": poly, "c_exp": c_exp, "alpha": alpha, "beta": beta}


def u_and_f(coef, x, y, weight):
    """Unscaled u and f = -lap(u) on the tensor grid x (first index) by y (second index)."""
    X, Y = np.meshgrid(x, y, indexing="ij")
    u_sin = np.zeros_like(X)
    f_sin = np.zeros_like(X)
    for p, q, amp in coef["modes"]:
        s = amp * np.sin(p * np.pi * X) * np.sin(q * np.pi * Y)
        u_sin += s
        f_sin += (p * p + q * q) * np.pi ** 2 * s
    u_q = np.zeros_like(X)
    f_q = np.zeros_like(X)
    for (i, j), c in zip(MONOMIALS, coef["poly"]):
        u_q += c * X ** i * Y ** j
        if i >= 2:
            f_q -= c * i * (i - 1) * X ** (i - 2) * Y ** j
        if j >= 2:
            f_q -= c * j * (j - 1) * X ** i * Y ** (j - 2)
    e = coef["c_exp"] * np.exp(coef["alpha"] * X + coef["beta"] * Y)
    u_q += e
    f_q -= (coef["alpha"] ** 2 + coef["beta"] ** 2) * e
    ratio = weight * np.sqrt(np.mean(u_sin ** 2) / np.mean(u_q ** 2))
    return u_sin + ratio * u_q, f_sin + ratio * f_q


def main(argv):
    out_dir, params = taskkit.read_params(argv, SPACE, __doc__.splitlines()[0])
    n = params["n"]
    h = 1.0 / (n + 1)
    x = np.arange(n + 2) * h
    x[-1] = 1.0
    coef = manufactured(params)
    u, f = u_and_f(coef, x, x, params["poly_weight"])
    scale = 1.0 / np.max(np.abs(u))
    u *= scale
    f *= scale
    boundary = np.zeros_like(u)
    for edge in (np.s_[0, :], np.s_[-1, :], np.s_[:, 0], np.s_[:, -1]):
        boundary[edge] = u[edge]

    problem = {
        "n": n, "h": h, "domain": [[0.0, 1.0], [0.0, 1.0]],
        "equation": "-(u_xx + u_yy) = f in the unit square, u = g on its boundary",
        "grid": "nodes x_i = y_i = i*h, i = 0..n+1, h = 1/(n+1); unknowns at i, j = 1..n",
        "indexing": "first index x, second index y: boundary.npy[i, j] is at (x_i, y_j) for "
                    "i, j = 0..n+1; f.npy[i-1, j-1] (and the output u.npy[i-1, j-1]) at (x_i, y_j) "
                    "for i, j = 1..n",
        "files": {"x": "data/x.npy, node coordinates (n+2,), used for x and y",
                  "f": "data/f.npy, f at the interior nodes (n, n)",
                  "boundary": "data/boundary.npy, g on the boundary nodes, zero inside (n+2, n+2)"},
    }
    return taskkit.write_instance(
        out_dir, TASK_DIR, params, problem,
        inputs={"data/x.npy": x, "data/f.npy": f[1:-1, 1:-1].copy(), "data/boundary.npy": boundary},
        references={"reference/u_ref.npy": u[1:-1, 1:-1].copy()})


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
