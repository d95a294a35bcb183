"""Result types shared by scorers (compatibility subset)."""

from dataclasses import dataclass, field
from enum import Enum


@dataclass
class ScoreDetail:
    """Outcome of one scorer on one run.

    Deliberately not ``slots=True``: existing scorers attach extra attributes
    after construction (e.g. ``detail.severity = "warning"``).
    """

    scorer_name: str
    score: float
    max_score: float
    passed: bool
    details: dict = field(default_factory=dict)
    message: str = ""


class PromptLevel(str, Enum):
    """How much guidance the task prompt gives (B1 = most, B4 = least)."""

    B1 = "b1"
    B2 = "b2"
    B3 = "b3"
    B4 = "b4"
