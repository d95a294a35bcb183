"""Shared plumbing of the bundled instance generators (Tasks/<domain>/<name>/generate_gt.py).

numpy + stdlib only. A generator keeps its own parameter space (SPACE), physics and reference code
and uses this module for the parts every generator has in common:

- read_params(argv, space, description): the command line (--output-dir DIR --params JSON|FILE)
  and the parameter checks (missing, unknown, mistyped, out of range; seed must be an integer);
- fail(message): the one-line error on stderr and exit status 2 used for every bad input;
- render(template, params) and write_prompts(task_dir, out_dir, params): the {{ name }}
  placeholders of prompt_b1.md..prompt_b4.md;
- write_instance(...): data/, reference/, data/params.json, the arrays, the rendered prompts and
  instance_meta.json, in that order.

A generator imports it by a path computed from its own location, before which it sets
sys.dont_write_bytecode so that no __pycache__ appears below Tasks/:

    TASK_DIR = os.path.dirname(os.path.abspath(__file__))
    sys.dont_write_bytecode = True  # importing the shared module must leave no __pycache__ in Tasks/
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(TASK_DIR)), "_common"))
    import taskkit

The solution/solve.py files do not use this module: they run inside an agent's workspace and are
copied there as solver.py, so each must stay a self-contained program.

Tasks/_common has no task.yaml or task_meta.yaml, so the task loader does not take it for a task.
"""
import argparse
import json
import os
import re
import sys

import numpy as np

PROMPT_LEVELS = ("b1", "b2", "b3", "b4")


def fail(message):
    """Print a one-line error naming the problem and exit with status 2."""
    print(f"generate_gt.py: {message}", file=sys.stderr)
    sys.exit(2)


def read_params(argv, space, description):
    """Parse the command line and return (output_dir, params) with every parameter checked.

    space maps each parameter name to (kind, low, high) with kind "int" or "float"; a "seed"
    integer is expected besides them. description is the argparse description (the first line of
    the generator's docstring). Any problem ends the process through fail() (exit status 2);
    argparse's own usage errors keep argparse's behaviour.
    """
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--output-dir", required=True, help="instance directory to write")
    parser.add_argument("--params", required=True, help="JSON object (or a path to a JSON file)")
    args = parser.parse_args(argv)
    text = args.params
    if not text.lstrip().startswith("{") and os.path.isfile(text):
        with open(text, encoding="utf-8") as handle:
            text = handle.read()
    try:
        params = json.loads(text)
    except json.JSONDecodeError as err:
        fail(f"--params is not valid JSON ({err})")
    if not isinstance(params, dict):
        fail("--params must be a JSON object")
    expected = set(space) | {"seed"}
    missing = sorted(expected - set(params))
    extra = sorted(set(params) - expected)
    if missing:
        fail(f"missing parameter(s): {', '.join(missing)} (expected: {', '.join(sorted(expected))})")
    if extra:
        fail(f"unknown parameter(s): {', '.join(extra)} (expected: {', '.join(sorted(expected))})")
    clean = {}
    for name, (kind, low, high) in space.items():
        value = params[name]
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            fail(f"parameter {name} must be a number, got {value!r}")
        if kind == "int":
            if float(value) != int(value):
                fail(f"parameter {name} must be an integer, got {value!r}")
            value = int(value)
        else:
            value = float(value)
        slack = 1e-9 * (high - low) if kind == "float" else 0  # tolerate float rounding at the ends
        if not low - slack <= value <= high + slack:
            fail(f"parameter {name}={value} is outside its range [{low}, {high}]")
        clean[name] = value
    seed = params["seed"]
    if isinstance(seed, bool) or not isinstance(seed, (int, float)) or float(seed) != int(seed):
        fail(f"parameter seed must be an integer, got {seed!r}")
    clean["seed"] = int(seed)
    return args.output_dir, clean


def render(template, params):
    """Replace every {{ name }} placeholder by the parameter's value.

    Floats are written with 6 significant digits (format "{:.6g}"), everything else with str().
    A placeholder naming no parameter ends the process through fail().
    """
    def value(match):
        name = match.group(1)
        if name not in params:
            fail(f"prompt placeholder {{{{ {name} }}}} names no parameter")
        v = params[name]
        return f"{v:.6g}" if isinstance(v, float) else str(v)
    return re.sub(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}", value, template)


def write_prompts(task_dir, out_dir, params):
    """Render prompt_b1.md..prompt_b4.md from the templates in task_dir into out_dir."""
    for level in PROMPT_LEVELS:
        template = os.path.join(task_dir, f"prompt_{level}.md")
        if not os.path.isfile(template):
            fail(f"prompt template {template} is missing")
        with open(template, encoding="utf-8") as handle:
            text = render(handle.read(), params)
        with open(os.path.join(out_dir, f"prompt_{level}.md"), "w", encoding="utf-8") as handle:
            handle.write(text)


def write_json(path, obj):
    """Write obj to path as UTF-8 JSON, indented by 2 with sorted keys (no trailing newline)."""
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(obj, handle, indent=2, sort_keys=True)


def write_instance(out_dir, task_dir, params, problem, inputs, references):
    """Write a complete instance directory and return 0 (the generator's exit status).

    out_dir     the instance directory (created with data/ and reference/ if missing);
    task_dir    the task directory holding the prompt templates;
    params      the checked parameters (from read_params), used for the prompts and params_used;
    problem     what the agent may read, written to data/params.json;
    inputs      {path relative to out_dir: array} of further input files, saved with np.save;
    references  {path relative to out_dir: array} of reference files, saved with np.save.

    Files are written in the order data/params.json, inputs, references, prompts, and last
    instance_meta.json, whose input_files are data/params.json followed by the inputs and whose
    reference_files are the references, each in the order given.
    """
    for sub in ("data", "reference"):
        os.makedirs(os.path.join(out_dir, sub), exist_ok=True)
    write_json(os.path.join(out_dir, "data", "params.json"), problem)
    for rel, array in list(inputs.items()) + list(references.items()):
        np.save(os.path.join(out_dir, *rel.split("/")), array)
    write_prompts(task_dir, out_dir, params)
    meta = {
        "params_used": params,
        "input_files": ["data/params.json", *inputs],
        "reference_files": list(references),
    }
    write_json(os.path.join(out_dir, "instance_meta.json"), meta)
    return 0
