#!/usr/bin/env python3
"""Instance generator for earth_science.halfspace_cooling (numpy + stdlib only).

Usage: python3 generate_gt.py --output-dir DIR --params JSON

Oceanic lithosphere cooling as a conductive half-space (Turcotte & Schubert, Geodynamics, 3rd ed.,
ch. 4: cooling of the oceanic lithosphere, ocean-floor topography; Parsons & Sclater 1977). Mantle
rock at temperature Tm reaches the seafloor at the ridge (age 0) and cools from above at the fixed
surface temperature T0. The references are the analytic half-space solutions at the plate ages
t_j, on the depth grid z_i:
  temperature  T(z, t) = T0 + (Tm - T0) erf(z / (2 sqrt(kappa t)))
  heat flow    q0(t)   = k (Tm - T0) / sqrt(pi kappa t)               (at the surface, W/m^2)
  subsidence   w(t)    = 2 rho_m alpha (Tm - T0) / (rho_m - rho_w) sqrt(kappa t / pi)
               (isostatic depth of the seafloor below the ridge crest; equal to
               rho_m alpha / (rho_m - rho_w) * integral_0^inf (Tm - T(z, t)) dz)
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
    "max_age": ("float", 60.0, 150.0),        # oldest plate age, Myr
    "t_mantle": ("float", 1250.0, 1450.0),    # mantle temperature Tm, deg C
    "kappa": ("float", 0.7, 1.2),             # thermal diffusivity, mm^2/s (1e-6 m^2/s)
    "alpha": ("float", 2.5e-5, 4.0e-5),       # volumetric thermal expansion coefficient, 1/K
    "n_depth": ("int", 101, 301),             # points of the output depth grid
}

# Fixed part of the problem (Turcotte & Schubert's values for the oceanic lithosphere).
T_SURFACE = 0.0            # deg C
CONDUCTIVITY = 3.3         # W/(m K)
RHO_MANTLE = 3300.0        # kg/m^3
RHO_WATER = 1000.0         # kg/m^3
Z_MAX = 200.0e3            # bottom of the output depth grid, m
SECONDS_PER_MYR = 1.0e6 * 365.25 * 86400.0   # Julian years
AGE_FRACTIONS = (0.02, 0.05, 0.1, 0.2, 0.35, 0.5, 0.75, 1.0)   # ages as fractions of max_age


# ---------------------------------------------------------------- analytic half-space solution

def temperature(z, t_seconds, t0, tm, kappa):
    """T(z, t) = T0 + (Tm - T0) erf(z / (2 sqrt(kappa t))) for a vector of depths z (m)."""
    erf = np.frompyfunc(math.erf, 1, 1)
    eta = z / (2.0 * math.sqrt(kappa * t_seconds))
    return t0 + (tm - t0) * erf(eta).astype(np.float64)


def surface_heat_flow(t_seconds, t0, tm, kappa, conductivity):
    """q0 = k (Tm - T0) / sqrt(pi kappa t), W/m^2 (positive upwards, out of the plate)."""
    return conductivity * (tm - t0) / math.sqrt(math.pi * kappa * t_seconds)


def subsidence(t_seconds, t0, tm, kappa, alpha, rho_m, rho_w):
    """w = 2 rho_m alpha (Tm - T0) / (rho_m - rho_w) sqrt(kappa t / pi), m."""
    return 2.0 * rho_m * alpha * (tm - t0) / (rho_m - rho_w) * math.sqrt(kappa * t_seconds / math.pi)


def main(argv):
    out_dir, params = taskkit.read_params(argv, SPACE, __doc__.splitlines()[0])
    tm = params["t_mantle"]
    kappa = params["kappa"] * 1.0e-6
    alpha = params["alpha"]
    ages = np.array([round(f * params["max_age"], 3) for f in AGE_FRACTIONS], dtype=np.float64)
    depths = np.linspace(0.0, Z_MAX, params["n_depth"])
    seconds = ages * SECONDS_PER_MYR

    temp = np.array([temperature(depths, s, T_SURFACE, tm, kappa) for s in seconds])
    heat = np.array([surface_heat_flow(s, T_SURFACE, tm, kappa, CONDUCTIVITY) for s in seconds])
    sub = np.array([subsidence(s, T_SURFACE, tm, kappa, alpha, RHO_MANTLE, RHO_WATER) for s in seconds])

    problem = {
        "surface_temperature": T_SURFACE,
        "mantle_temperature": tm,
        "thermal_diffusivity": kappa,
        "thermal_conductivity": CONDUCTIVITY,
        "thermal_expansion": alpha,
        "mantle_density": RHO_MANTLE,
        "water_density": RHO_WATER,
        "seconds_per_myr": SECONDS_PER_MYR,
        "n_ages": len(ages),
        "n_depth": params["n_depth"],
        "units": {"temperature": "degC", "thermal_diffusivity": "m^2/s",
                  "thermal_conductivity": "W/(m K)", "thermal_expansion": "1/K",
                  "density": "kg/m^3", "age": "Myr", "depth": "m",
                  "heat_flow": "W/m^2", "subsidence": "m"},
    }
    return taskkit.write_instance(
        out_dir, TASK_DIR, params, problem,
        inputs={"data/ages.npy": ages, "data/depths.npy": depths},
        references={"reference/temperature_ref.npy": temp,
                    "reference/subsidence_ref.npy": sub,
                    "reference/heat_flow_ref.npy": heat})


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
