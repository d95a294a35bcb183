#!/usr/bin/env python3
"""Instance generator for physics.sod_shock_tube (numpy only).

Usage: python3 generate_gt.py --output-dir DIR --params JSON

The reference is the exact solution of the Riemann problem for the 1D Euler equations of an ideal
gas (Toro, "Riemann Solvers and Numerical Methods for Fluid Dynamics", 3rd ed., ch. 4: Newton
iteration for the star pressure p*, then sampling of the self-similar solution at x/t), evaluated at
the cell centres of the instance's grid.
"""
import argparse
import json
import os
import re
import sys

import numpy as np

TASK_DIR = os.path.dirname(os.path.abspath(__file__))

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


def fail(message):
    """Print a one-line error naming the problem and exit with status 2."""
    print(f"generate_gt.py: {message}", file=sys.stderr)
    sys.exit(2)


def read_params(argv):
    """Parse the command line and return (output_dir, params) with every parameter checked."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output-dir", required=True, help="instance directory to write")
    parser.add_argument("--params", required=True, help="JSON object (or a path to a JSON file)")
    args = parser.parse_args(argv)
    text = args.params
    if not text.lstrip().startswith("{") and os.path.isfile(text):
        with open(text, encoding="utf-8") as handle:
            text = handle.read()
    try:
        params = json.loads(text)
    except json.JSONDecodeError as err:
        fail(f"--params is not valid JSON ({err})")
    if not isinstance(params, dict):
        fail("--params must be a JSON object")
    expected = set(SPACE) | {"seed"}
    missing = sorted(expected - set(params))
    extra = sorted(set(params) - expected)
    if missing:
        fail(f"missing parameter(s): {', '.join(missing)} (expected: {', '.join(sorted(expected))})")
    if extra:
        fail(f"unknown parameter(s): {', '.join(extra)} (expected: {', '.join(sorted(expected))})")
    clean = {}
    for name, (kind, low, high) in SPACE.items():
        value = params[name]
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            fail(f"parameter {name} must be a number, got {value!r}")
        if kind == "int":
            if float(value) != int(value):
                fail(f"parameter {name} must be an integer, got {value!r}")
            value = int(value)
        else:
            value = float(value)
        slack = 1e-9 * (high - low) if kind == "float" else 0  # tolerate float rounding at the ends
        if not low - slack <= value <= high + slack:
            fail(f"parameter {name}={value} is outside its range [{low}, {high}]")
        clean[name] = value
    seed = params["seed"]
    if isinstance(seed, bool) or not isinstance(seed, (int, float)) or float(seed) != int(seed):
        fail(f"parameter seed must be an integer, got {seed!r}")
    clean["seed"] = int(seed)
    return args.output_dir, clean


def render(template, params):
    """Replace every {{ name }} placeholder by the parameter's value."""
    def value(match):
        name = match.group(1)
        if name not in params:
            fail(f"prompt placeholder {{{{ {name} }}}} names no parameter")
        v = params[name]
        return f"{v:.6g}" if isinstance(v, float) else str(v)
    return re.sub(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}", value, template)


def write_prompts(out_dir, params):
    """Render prompt_b1.md..prompt_b4.md from the task's templates into out_dir."""
    for level in ("b1", "b2", "b3", "b4"):
        template = os.path.join(TASK_DIR, f"prompt_{level}.md")
        if not os.path.isfile(template):
            fail(f"prompt template {template} is missing")
        with open(template, encoding="utf-8") as handle:
            text = render(handle.read(), params)
        with open(os.path.join(out_dir, f"prompt_{level}.md"), "w", encoding="utf-8") as handle:
            handle.write(text)


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
    out_dir, params = read_params(argv)
    n = params["n_cells"]
    gamma = params["gamma"]
    left = (RHO_LEFT, U_LEFT, P_LEFT)
    right = (params["rho_right"], U_RIGHT, params["p_right"])
    dx = (X_RIGHT - X_LEFT) / n
    x = X_LEFT + (np.arange(n) + 0.5) * dx
    rho, u, p = exact_solution(x, params["t_final"], left, right, gamma, X_DIAPHRAGM)

    for sub in ("data", "reference"):
        os.makedirs(os.path.join(out_dir, sub), exist_ok=True)
    problem = {
        "gamma": gamma,
        "x_left": X_LEFT, "x_right": X_RIGHT, "x_diaphragm": X_DIAPHRAGM,
        "n_cells": n, "t_final": params["t_final"],
        "left": {"rho": RHO_LEFT, "u": U_LEFT, "p": P_LEFT},
        "right": {"rho": params["rho_right"], "u": U_RIGHT, "p": params["p_right"]},
        "boundary": "transmissive",
    }
    with open(os.path.join(out_dir, "data", "params.json"), "w", encoding="utf-8") as handle:
        json.dump(problem, handle, indent=2, sort_keys=True)
    np.save(os.path.join(out_dir, "data", "x.npy"), x)
    np.save(os.path.join(out_dir, "reference", "density_ref.npy"), rho)
    np.save(os.path.join(out_dir, "reference", "velocity_ref.npy"), u)
    np.save(os.path.join(out_dir, "reference", "pressure_ref.npy"), p)
    write_prompts(out_dir, params)
    meta = {
        "params_used": params,
        "input_files": ["data/params.json", "data/x.npy"],
        "reference_files": ["reference/density_ref.npy", "reference/velocity_ref.npy",
                            "reference/pressure_ref.npy"],
    }
    with open(os.path.join(out_dir, "instance_meta.json"), "w", encoding="utf-8") as handle:
        json.dump(meta, handle, indent=2, sort_keys=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
