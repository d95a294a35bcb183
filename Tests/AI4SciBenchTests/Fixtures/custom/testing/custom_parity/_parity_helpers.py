"""Helper module beside custom_scorer.py (published tasks split their scorers the same way)."""


def linear_fraction(error, full, zero):
    """1 at or below `full`, 0 at or above `zero`, linear in between (TASK_FORMAT.md linear_interpolation)."""
    if error <= full:
        return 1.0
    if error >= zero:
        return 0.0
    return 1.0 - (error - full) / (zero - full)
