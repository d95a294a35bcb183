"""ai4sci-bench (Swift) compatibility layer -- NOT the Python tool `asibench`.

This tiny package exists only so that task-local ``custom_scorer.py`` files
written for the Python ``ai4sci_bench`` package can be imported unchanged by
the Swift runner's scorer bridge (``Sandbox/python/ai4sci_bridge.py``).
It provides ``ai4sci_bench.core.scorer`` (Scorer, register_scorer, get_scorer,
list_scorers) and ``ai4sci_bench.core.types`` (ScoreDetail, PromptLevel) and
nothing else: the built-in scorers of ``ai4sci_bench.scorers`` are not here.
"""

__version__ = "0-compat"
