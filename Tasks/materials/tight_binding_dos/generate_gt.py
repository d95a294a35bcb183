#!/usr/bin/env python3
"""Instance generator for materials.tight_binding_dos (numpy only).

Usage: python3 generate_gt.py --output-dir DIR --params JSON

A one-dimensional chain with a two-atom basis (A at the origin of the cell, B inside it) in the
nearest-neighbour tight-binding approximation (Ashcroft & Mermin, Solid State Physics, ch. 10; the
diatomic / Su-Schrieffer-Heeger chain): on-site energies eps_A, eps_B, hopping -t1 inside the cell
and -t2 between neighbouring cells, lattice constant a. The Bloch Hamiltonian
    H(k) = [[eps_A, -(t1 + t2 exp(-i k a))], [-(t1 + t2 exp(+i k a)), eps_B]]
has the eigenvalues
    E_pm(k) = (eps_A + eps_B)/2 pm sqrt(((eps_A - eps_B)/2)^2 + t1^2 + t2^2 + 2 t1 t2 cos(k a)).
References: the two bands on the instance's k grid (closed form), the band gap
    E_gap = min E_+ - max E_- = 2 sqrt(((eps_A - eps_B)/2)^2 + (t1 - t2)^2)   (at k = pi/a, t1, t2 > 0),
and the Gaussian-broadened density of states per unit cell (spin not counted)
    g(E) = (a / 2 pi) Int_BZ dk sum_n exp(-(E - E_n(k))^2 / (2 sigma^2)) / (sigma sqrt(2 pi)),
evaluated with the periodic midpoint rule on REF_MESH k points (spectrally accurate: the integrand
is smooth and periodic; 4096, 8192 and 16384 points agree to < 5e-16 relative at every corner of the
parameter space).
The lattice constant a (in Angstrom) is drawn from the seed.
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
    "eps_a": ("float", -1.0, 0.0),
    "eps_b": ("float", 0.0, 1.0),
    "t1": ("float", 1.0, 2.0),
    "t2": ("float", 0.3, 0.8),
    "sigma": ("float", 0.02, 0.08),
    "n_k": ("int", 101, 301),
    "n_e": ("int", 201, 601),
}

REF_MESH = 8192    # k points of the reference DOS integral over the Brillouin zone
A_RANGE = (2.0, 5.0)  # lattice constant (Angstrom), drawn from the seed
MARGIN = 0.5       # eV of energy window beyond the band edges


def bands(ka, eps_a, eps_b, t1, t2):
    """E_-(k) and E_+(k) (rows 0 and 1) for dimensionless k*a."""
    mid = 0.5 * (eps_a + eps_b)
    root = np.sqrt((0.5 * (eps_a - eps_b)) ** 2 + t1 ** 2 + t2 ** 2 + 2.0 * t1 * t2 * np.cos(ka))
    return np.stack([mid - root, mid + root])


def broadened_dos(energies, levels, sigma, chunk=1024):
    """(1/N) sum over the N sampled k of sum_n Gaussian(E - E_n(k)); levels has shape (2, N)."""
    flat = levels.reshape(-1)
    n_k = levels.shape[1]
    norm = 1.0 / (sigma * np.sqrt(2.0 * np.pi) * n_k)
    out = np.zeros(len(energies))
    for start in range(0, len(flat), chunk):
        diff = energies[:, None] - flat[None, start:start + chunk]
        out += np.exp(-0.5 * (diff / sigma) ** 2).sum(axis=1)
    return out * norm


def main(argv):
    out_dir, params = taskkit.read_params(argv, SPACE, __doc__.splitlines()[0])
    eps_a, eps_b, t1, t2 = params["eps_a"], params["eps_b"], params["t1"], params["t2"]
    sigma, n_k, n_e = params["sigma"], params["n_k"], params["n_e"]
    rng = np.random.default_rng(params["seed"])
    a = round(float(rng.uniform(*A_RANGE)), 3)

    # Monkhorst-Pack (cell-centred) grid over the first Brillouin zone [-pi/a, pi/a): contains
    # k = 0 for odd n_k, never the zone boundary, so the gap is not the minimum over this grid.
    k = (-np.pi + (np.arange(n_k) + 0.5) * 2.0 * np.pi / n_k) / a
    band_ref = bands(k * a, eps_a, eps_b, t1, t2)

    width = np.sqrt((0.5 * (eps_a - eps_b)) ** 2 + (t1 + t2) ** 2)
    mid = 0.5 * (eps_a + eps_b)
    e_lo = np.floor((mid - width - MARGIN) * 10.0) / 10.0
    e_hi = np.ceil((mid + width + MARGIN) * 10.0) / 10.0
    energies = np.linspace(e_lo, e_hi, n_e)

    theta = -np.pi + (np.arange(REF_MESH) + 0.5) * 2.0 * np.pi / REF_MESH
    dos_ref = broadened_dos(energies, bands(theta, eps_a, eps_b, t1, t2), sigma)
    gap_ref = np.array([2.0 * np.sqrt((0.5 * (eps_a - eps_b)) ** 2 + (t1 - t2) ** 2)])

    problem = {
        "eps_A": eps_a, "eps_B": eps_b, "t1": t1, "t2": t2,
        "lattice_constant": a, "sigma": sigma, "n_k": n_k, "n_E": n_e,
        "hamiltonian": "H = sum_n [eps_A |n,A><n,A| + eps_B |n,B><n,B| "
                       "- t1 (|n,A><n,B| + h.c.) - t2 (|n,B><n+1,A| + h.c.)]",
        "units": {"energy": "eV", "lattice_constant": "Angstrom", "k": "1/Angstrom",
                  "dos": "states per eV per unit cell (spin not counted)"},
    }
    return taskkit.write_instance(
        out_dir, TASK_DIR, params, problem,
        inputs={"data/k.npy": k, "data/energies.npy": energies},
        references={"reference/bands_ref.npy": band_ref, "reference/dos_ref.npy": dos_ref,
                    "reference/gap_ref.npy": gap_ref})


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
