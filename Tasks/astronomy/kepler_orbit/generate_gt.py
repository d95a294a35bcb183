#!/usr/bin/env python3
"""Instance generator for astronomy.kepler_orbit (numpy only).

Usage: python3 generate_gt.py --output-dir DIR --params JSON

A test particle on a bound Kepler orbit around a star of mass M (Murray & Dermott, Solar System
Dynamics, ch. 2). The orbit is drawn from the parameters (semi-major axis a, eccentricity e) and the
seed (inclination, node, argument of pericentre, initial mean anomaly); the agent only sees GM and
the initial position and velocity. The references are analytic (the two-body problem):
  positions at the output times: mean anomaly M = M0 + n t with n = sqrt(GM / a^3), eccentric
    anomaly from Kepler's equation E - e sin E = M (Newton iteration), perifocal position
    (a (cos E - e), a sqrt(1 - e^2) sin E, 0) rotated by R3(Omega) R1(i) R3(omega);
  elements [a, e, P] with P = 2 pi / n.
Units: AU, days, GM = k^2 M / M_sun with the Gaussian gravitational constant k.
"""
import math
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
    "star_mass": ("float", 0.5, 2.0),           # M / M_sun
    "semi_major_axis": ("float", 0.5, 5.0),     # AU
    "eccentricity": ("float", 0.05, 0.7),
    "n_orbits": ("float", 3.0, 10.0),           # time span in orbital periods (not told to the agent)
    "n_times": ("int", 101, 401),               # output times, evenly spaced from 0 to t_end
}

GAUSS_K = 0.01720209895                         # AU^(3/2) / day (Gaussian gravitational constant)
GM_SUN = GAUSS_K ** 2                           # AU^3 / day^2
MAX_INCLINATION = math.radians(60.0)


# ---------------------------------------------------------------- analytic two-body solution

def eccentric_anomaly(mean_anomaly, e):
    """Solve E - e sin E = M (elementwise) by Newton's method from E = M + e sin M."""
    m = np.remainder(mean_anomaly, 2.0 * np.pi)
    ecc = m + e * np.sin(m)
    for _ in range(50):
        delta = (ecc - e * np.sin(ecc) - m) / (1.0 - e * np.cos(ecc))
        ecc = ecc - delta
        if np.max(np.abs(delta)) < 1e-15:
            break
    return ecc


def rotation(inc, node, peri):
    """Perifocal -> reference frame: R3(node) R1(inc) R3(peri) (Murray & Dermott ch. 2)."""
    def r3(x):
        c, s = math.cos(x), math.sin(x)
        return np.array([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]])
    c, s = math.cos(inc), math.sin(inc)
    r1 = np.array([[1.0, 0.0, 0.0], [0.0, c, -s], [0.0, s, c]])
    return r3(node) @ r1 @ r3(peri)


def state(times, gm, a, e, rot, mean_anomaly0):
    """Positions (len(times), 3) and velocities at the times."""
    n = math.sqrt(gm / a ** 3)
    ecc = eccentric_anomaly(mean_anomaly0 + n * times, e)
    b = a * math.sqrt(1.0 - e * e)
    cos_e, sin_e = np.cos(ecc), np.sin(ecc)
    r = a * (1.0 - e * cos_e)
    pos = np.stack([a * (cos_e - e), b * sin_e, np.zeros_like(ecc)], axis=1)
    vel = np.stack([-a * sin_e, b * cos_e, np.zeros_like(ecc)], axis=1) * (n * a / r)[:, None]
    return pos @ rot.T, vel @ rot.T


def main(argv):
    out_dir, params = taskkit.read_params(argv, SPACE, __doc__.splitlines()[0])
    rng = np.random.default_rng(params["seed"])
    inc = float(rng.uniform(0.0, MAX_INCLINATION))
    node, peri, mean0 = (float(x) for x in rng.uniform(0.0, 2.0 * np.pi, size=3))
    gm = GM_SUN * params["star_mass"]
    a, e = params["semi_major_axis"], params["eccentricity"]
    period = 2.0 * math.pi * math.sqrt(a ** 3 / gm)
    t_end = round(params["n_orbits"] * period, 2)
    times = np.linspace(0.0, t_end, params["n_times"])
    rot = rotation(inc, node, peri)
    pos, _ = state(times, gm, a, e, rot, mean0)
    pos0, vel0 = state(np.zeros(1), gm, a, e, rot, mean0)

    problem = {
        "GM": gm,
        "r0": [float(x) for x in pos0[0]],
        "v0": [float(x) for x in vel0[0]],
        "t_end": t_end,
        "n_times": params["n_times"],
        "units": {"length": "AU", "time": "day", "GM": "AU^3/day^2", "velocity": "AU/day"},
    }
    return taskkit.write_instance(
        out_dir, TASK_DIR, params, problem,
        inputs={"data/times.npy": times},
        references={"reference/positions_ref.npy": pos,
                    "reference/elements_ref.npy": np.array([a, e, period])})


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
