#!/usr/bin/env python3
"""Lazy demo agent: reads the prompt, writes nothing, exits 0 (hard gates fail: score 0).

Usage (as an --agent-cmd template): python3 /abs/Agents/lazy.py
Extra arguments (e.g. --task-id {task_id}) are accepted and ignored.
"""
import sys

sys.dont_write_bytecode = True  # keep Agents/ free of __pycache__
from agentlib import approx_tokens, emit


def main():
    emit("step", message="read the task statement", files=["prompt.md"])
    emit("step", message="decided not to write any output")
    emit("usage", input_tokens=approx_tokens("prompt.md", "task_info.json"), output_tokens=12)
    return 0


if __name__ == "__main__":
    sys.exit(main())
