#!/usr/bin/env python3
"""Coarse demo agent: runs the reference solution with --degrade (a plausible but less accurate method, partial credit).

Usage (as an --agent-cmd template): python3 /abs/Agents/coarse.py --task-id {task_id}
Same lookup as oracle.py; the solution then produces a plausible but less accurate answer (a coarser
grid or a slightly wrong constant, depending on the task), which should score strictly between 0
and 100.
"""
import argparse
import sys

sys.dont_write_bytecode = True  # keep Agents/ free of __pycache__
from agentlib import run_reference


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--task-id", required=True, help="task id <domain>.<name>")
    parser.add_argument("--tasks-dir", help="directory holding <domain>/<name>/ (default: ../Tasks)")
    args = parser.parse_args()
    return run_reference(args.task_id, args.tasks_dir, ["--degrade"],
                         "run the reference solution in degraded mode")


if __name__ == "__main__":
    sys.exit(main())
