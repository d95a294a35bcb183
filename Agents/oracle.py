#!/usr/bin/env python3
"""Oracle demo agent: runs the task's reference solution in the workspace (scores 100).

Usage (as an --agent-cmd template): python3 /abs/Agents/oracle.py --task-id {task_id}
Looks up <tasks-dir>/<domain>/<name>/solution/solve.py (default tasks dir: ../Tasks next to this
script), runs it in the current directory and exits with its exit code. Emits JSONL events.
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
    return run_reference(args.task_id, args.tasks_dir, [], "run the reference solution")


if __name__ == "__main__":
    sys.exit(main())
