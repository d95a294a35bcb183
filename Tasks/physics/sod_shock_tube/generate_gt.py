#!/usr/bin/env python3
"""Instance generator for physics.sod_shock_tube (numpy only).

Usage: python3 generate_gt.py --output-dir DIR --params JSON

The reference is the exact solution of the Riemann problem for the 1D Euler equations of an ideal
gas (Toro, "Riemann Solvers and Numerical Methods for Fluid Dynamics", 3rd ed., ch. 4: Newton
iteration for the star pressure p*, then sampling of the self-similar solution at x/t), evaluated at
the cell centres of the instance's grid.
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
    "n_cells": ("int", 200, 800),
    "gamma": ("float", 1.3, 1.67),
    "rho_right": ("float", 0.1, 0.2),
    "p_right": ("float", 0.08, 0.15),
    "t_final": ("float", 0.15, 0.20),
}

# Fixed part of the problem (Sod 1978 left state, diaphragm in the middle of [0, 1]).
RHO_LEFT, U_LEFT, P_LEFT = 1.0, 0.0, 1.0
U_RIGHT = 0.0
X_LEFT, X_RIGHT, X_DIAPHRAGM = 0.0, 1.0, 0.5


# ---------------------------------------------------------------- exact Riemann solver (Toro ch. 4)

def pressure_function(p, rho_k, p_k, c_k, gamma):
    """Toro eq. (4.6)/(4.7): f_K(p) and its derivative for a shock (p > p_K) or a rarefaction."""
    if p > p_k:
        a_k = 2.0 / ((gamma + 1.0) * rho_k)
        b_k = (gamma - 1.0) / (gamma + 1.0) * p_k
        q = np.sqrt(a_k / (p + b_k))
        return (p - p_k) * q, q * (1.0 - 0.5 * (p - p_k) / (b_k + p))
    ratio = p / p_k
    f = 2.0 * c_k / (gamma - 1.0) * (ratio ** ((gamma - 1.0) / (2.0 * gamma)) - 1.0)
    df = ratio ** (-(gamma + 1.0) / (2.0 * gamma)) / (rho_k * c_k)
    return f, df


def star_state(left, right, gamma):
    """Newton iteration for p* (Toro sec. 4.3.1) and the star velocity u* (eq. 4.9)."""
    rho_l, u_l, p_l = left
    rho_r, u_r, p_r = right
    c_l, c_r = np.sqrt(gamma * p_l / rho_l), np.sqrt(gamma * p_r / rho_r)
    # Primitive-variable (PVRS) guess, Toro eq. (4.47).
    p = max(1e-10, 0.5 * (p_l + p_r) - 0.125 * (u_r - u_l) * (rho_l + rho_r) * (c_l + c_r))
    for _ in range(100):
        f_l, df_l = pressure_function(p, rho_l, p_l, c_l, gamma)
        f_r, df_r = pressure_function(p, rho_r, p_r, c_r, gamma)
        p_new = max(1e-12, p - (f_l + f_r + u_r - u_l) / (df_l + df_r))
        converged = abs(p_new - p) / (0.5 * (p_new + p)) < 1e-14
        p = p_new
        if converged:
            break
    f_l, _ = pressure_function(p, rho_l, p_l, c_l, gamma)
    f_r, _ = pressure_function(p, rho_r, p_r, c_r, gamma)
    return p, 0.5 * (u_l + u_r) + 0.5 * (f_r - f_l)


def sample(s, left, right, p_star, u_star, gamma):
    """Toro sec. 4.5: the solution (rho, u, p) on the ray x/t = s."""
    g = gamma
    if s <= u_star:  # left of the contact
        rho_k, u_k, p_k = left
        sign = 1.0
    else:  # mirror the right side onto the left-side formulas
        rho_k, u_k, p_k = right
        s, u_k, u_star = -s, -u_k, -u_star
        sign = -1.0
    c_k = np.sqrt(g * p_k / rho_k)
    if p_star > p_k:  # shock
        ratio = p_star / p_k
        shock_speed = u_k - c_k * np.sqrt((g + 1.0) / (2.0 * g) * ratio + (g - 1.0) / (2.0 * g))
        if s <= shock_speed:
            rho, u, p = rho_k, u_k, p_k
        else:
            rho = rho_k * (ratio + (g - 1.0) / (g + 1.0)) / ((g - 1.0) / (g + 1.0) * ratio + 1.0)
            rho, u, p = rho, u_star, p_star
    else:  # rarefaction
        c_star = c_k * (p_star / p_k) ** ((g - 1.0) / (2.0 * g))
        if s <= u_k - c_k:
            rho, u, p = rho_k, u_k, p_k
        elif s >= u_star - c_star:
            rho, u, p = rho_k * (p_star / p_k) ** (1.0 / g), u_star, p_star
        else:  # inside the fan, Toro eq. (4.56)
            c = 2.0 / (g + 1.0) * (c_k + 0.5 * (g - 1.0) * (u_k - s))
            u = 2.0 / (g + 1.0) * (c_k + 0.5 * (g - 1.0) * u_k + s)
            rho = rho_k * (c / c_k) ** (2.0 / (g - 1.0))
            p = p_k * (c / c_k) ** (2.0 * g / (g - 1.0))
    return rho, sign * u, p


def exact_solution(x, t, left, right, gamma, x0):
    """Exact density, velocity and pressure at positions x and time t > 0."""
    p_star, u_star = star_state(left, right, gamma)
    out = np.array([sample((xi - x0) / t, left, right, p_star, u_star, gamma) for xi in x])
    return out[:, 0], out[:, 1], out[:, 2]


def main(argv):
    out_dir, params = taskkit.read_params(argv, SPACE, __doc__.splitlines()[0])
    n = params["n_cells"]
    gamma = params["gamma"]
    left = (RHO_LEFT, U_LEFT, P_LEFT)
    right = (params["rho_right"], U_RIGHT, params["p_right"])
    dx = (X_RIGHT - X_LEFT) / n
    x = X_LEFT + (np.arange(n) + 0.5) * dx
    rho, u, p = exact_solution(x, params["t_final"], left, right, gamma, X_DIAPHRAGM)

    problem = {
        "gamma": gamma,
        "x_left": X_LEFT, "x_right": X_RIGHT, "x_diaphragm": X_DIAPHRAGM,
        "n_cells": n, "t_final": params["t_final"],
        "left": {"rho": RHO_LEFT, "u": U_LEFT, "p": P_LEFT},
        "right": {"rho": params["rho_right"], "u": U_RIGHT, "p": params["p_right"]},
        "boundary": "transmissive",
    }
    return taskkit.write_instance(
        out_dir, TASK_DIR, params, problem,
        inputs={"data/x.npy": x},
        references={"reference/density_ref.npy": rho, "reference/velocity_ref.npy": u,
                    "reference/pressure_ref.npy": p})


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
