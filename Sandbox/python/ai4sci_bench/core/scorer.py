"""Scorer base class and name registry (compatibility subset).

The registry is the plain module-level dict ``_REGISTRY`` (name -> class);
the Swift runner's bridge reads it directly after loading custom_scorer.py.
"""

from pathlib import Path

from .types import ScoreDetail

_REGISTRY: dict = {}


class Scorer:
    """Base class for scorers. Subclasses override :meth:`score`."""

    name: str = ""

    def score(self, pred_dir: Path, ref_dir: Path, config: dict) -> ScoreDetail:
        raise NotImplementedError(f"{type(self).__name__}.score() is not implemented")


def register_scorer(name):
    """Class decorator: ``@register_scorer("my_metric")``.

    Sets ``cls.name``, records the class (a later registration under the same
    name replaces the earlier one) and returns the class unchanged otherwise.
    """
    if not isinstance(name, str):
        raise TypeError("register_scorer() takes the scorer name: use @register_scorer(\"name\")")

    def decorate(cls):
        cls.name = name
        _REGISTRY[name] = cls
        return cls

    return decorate


def get_scorer(name: str) -> Scorer:
    """Return a NEW instance of the scorer registered as ``name``."""
    try:
        cls = _REGISTRY[name]
    except KeyError:
        known = ", ".join(list_scorers()) or "none"
        raise KeyError(f"unknown scorer {name!r} (registered: {known})") from None
    return cls()


def list_scorers() -> list:
    """Sorted names of all registered scorers."""
    return sorted(_REGISTRY)
