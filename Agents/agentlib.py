"""Shared helpers of the demo agents: JSONL events, task lookup, running a reference solution.

The demo agents behave like a real agent as far as the runner can see: they work in the current
directory (the workspace), print one JSON object per line on stdout (step, tool_call, tool_result
and a final usage event) and leave their outputs in the workspace. Token figures are synthetic but
deterministic (about four characters per token of what was read and written), so reports show them.
"""
import json
import os
import re
import subprocess
import sys

DEFAULT_TASKS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "Tasks")
TASK_ID = re.compile(r"^([A-Za-z0-9_\-]+)\.([A-Za-z0-9_\-]+)$")


def emit(event_type, **fields):
    """Print one JSONL event on stdout and flush it."""
    print(json.dumps({"type": event_type, **fields}, sort_keys=True), flush=True)


def fail(message, code=2):
    """Report a usage/setup error on stderr (and as an event) and exit."""
    print(f"{os.path.basename(sys.argv[0])}: {message}", file=sys.stderr, flush=True)
    emit("error", message=message)
    sys.exit(code)


def approx_tokens(*paths):
    """About one token per four characters of the given files (missing files count 0)."""
    total = 0
    for path in paths:
        try:
            total += os.path.getsize(path)
        except OSError:
            pass
    return max(1, total // 4)


def solution_path(task_id, tasks_dir):
    """Tasks/<domain>/<name>/solution/solve.py for a task id <domain>.<name>, or exit 2."""
    match = TASK_ID.match(task_id or "")
    if not match:
        fail(f"task id {task_id!r} is not of the form <domain>.<name>")
    root = os.path.abspath(tasks_dir or DEFAULT_TASKS_DIR)
    path = os.path.join(root, match.group(1), match.group(2), "solution", "solve.py")
    if not os.path.isfile(path):
        fail(f"no reference solution for {task_id}: {path} does not exist (use --tasks-dir)")
    return path


def run_reference(task_id, tasks_dir, extra_args, description):
    """Run the task's solve.py in the current directory, emitting events; return its exit code."""
    solver = solution_path(task_id, tasks_dir)
    emit("step", message="read the task statement", files=["prompt.md", "data/"])
    command = [sys.executable, solver, *extra_args]
    emit("tool_call", name="bash", input={"command": " ".join(command)}, description=description)
    result = subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=True, text=True)
    if result.stderr:
        sys.stderr.write(result.stderr)
    outputs = sorted(name for name in os.listdir(".") if os.path.isfile(name) and name != "prompt.md"
                     and name != "task_info.json")
    emit("tool_result", name="bash", exit_code=result.returncode,
         output=(result.stdout or "")[-2000:], files_written=outputs)
    emit("step", message="done" if result.returncode == 0 else "the solver failed")
    emit("usage", input_tokens=approx_tokens("prompt.md", "task_info.json", solver),
         output_tokens=approx_tokens(*outputs))
    return result.returncode
