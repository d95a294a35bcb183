#!/usr/bin/env python3
"""Scorer bridge: runs a task's custom_scorer.py for the ai4sci-bench Swift runner.

The runner starts this program in the sandbox (cwd = a scratch dir) and talks
JSON lines over stdin/stdout: one hello record at startup, then one response
per request line. The protocol is described in README.md beside this file.
"""

import argparse
import importlib.util
import io
import json
import math
import numbers
import os
import platform
import re
import sys
import time
import traceback
from enum import Enum
from pathlib import Path, PurePath

BRIDGE_FILE = os.path.abspath(__file__)
BRIDGE_DIR = os.path.dirname(BRIDGE_FILE)
TAIL_LINES = 8
MAX_NON_FINITE_PATHS = 20
MAX_DEPTH = 64
STANDARD_FIELDS = ("scorer_name", "score", "max_score", "passed", "details", "message")


# --- protocol channel -------------------------------------------------------

def open_protocol_channel():
    """Return (reader, writer) for the protocol and make fds 0 and 1 harmless.

    Scorers print progress, and C extensions write straight to fd 1, so the real
    stdout is kept on a private duplicate and fd 1 is pointed at stderr: nothing
    but protocol records can reach the runner's stdout pipe. Likewise stdin moves
    to a private fd and fd 0 becomes /dev/null, so a scorer calling input()
    cannot swallow request lines.
    """
    sys.stdout.flush()
    writer = open(os.dup(1), "w", encoding="utf-8", errors="replace", newline="\n")
    os.dup2(2, 1)
    sys.stdout = open(1, "w", encoding="utf-8", errors="backslashreplace",
                      buffering=1, closefd=False)
    reader = open(os.dup(0), "r", encoding="utf-8", errors="replace", newline="\n")
    try:
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.close(null)
    except OSError:
        pass  # no /dev/null in this sandbox: fd 0 stays, sys.stdin is still replaced
    sys.stdin = io.StringIO("")
    return reader, writer


def send(writer, record, fallback_id=None):
    """Write one record as one JSON line. Never emits invalid JSON: a record that
    cannot be serialised is replaced by a bad_return failure."""
    try:
        line = json.dumps(record, allow_nan=False, ensure_ascii=False)
    except (ValueError, TypeError, RecursionError) as e:
        line = json.dumps({"id": fallback_id, "ok": False, "kind": "bad_return",
                           "error": f"result could not be serialised: {safe_str(e)}",
                           "exception_type": None, "missing_module": None,
                           "traceback_tail": [], "seconds": 0.0})
    writer.write(line + "\n")  # errors="replace" above: lone surrogates cannot fail here
    writer.flush()


def safe_str(obj, fn=str):
    try:
        return fn(obj)
    except BaseException:  # a broken __str__/__repr__ must not take the bridge down
        return f"<unprintable {type(obj).__name__}>"


def describe_exception(e):
    """error / exception_type / missing_module / traceback_tail of an exception."""
    missing = None
    if isinstance(e, ModuleNotFoundError) and isinstance(e.name, str) and e.name:
        missing = e.name.split(".")[0]  # top-level package: what runtime.packages lists
    tb = e.__traceback__
    # Drop the leading bridge/importlib frames: the tail should show the scorer.
    while tb is not None and (tb.tb_frame.f_code.co_filename == BRIDGE_FILE
                              or tb.tb_frame.f_code.co_filename.startswith("<frozen ")):
        tb = tb.tb_next
    try:
        text = "".join(traceback.format_exception(type(e), e, tb))
        tail = text.rstrip("\n").splitlines()[-TAIL_LINES:]
    except BaseException:
        tail = []
    return {"error": f"{type(e).__name__}: {safe_str(e)}", "exception_type": type(e).__name__,
            "missing_module": missing, "traceback_tail": tail}


# --- runtime.packages checks (metadata only, never imports the packages) ----

REQ_RE = re.compile(r"^\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(\[[^\]]*\])?\s*(.*?)\s*$")
CLAUSE_RE = re.compile(r"^\s*(~=|===|==|!=|<=|>=|<|>)\s*(\S+?)\s*$")
VERSION_RE = re.compile(r"^v?(?:\d+!)?(\d+(?:\.\d+)*)(\.\*)?([-_.+]?[A-Za-z0-9][A-Za-z0-9._+-]*)?$")


def release(version):
    """Leading numeric release segments: '1.26.4rc1' -> (1, 26, 4); None if none."""
    m = re.match(r"^\s*v?(?:\d+!)?(\d+(?:\.\d+)*)", version)
    return tuple(int(p) for p in m.group(1).split(".")) if m else None


def pad(t, n):
    return t + (0,) * (n - len(t))


def parse_requirement(text):
    """(name, [(op, version_text, release_tuple, wildcard)]) or None if unparseable.
    Extras and environment markers are ignored."""
    m = REQ_RE.match(text.split(";", 1)[0])
    if not m:
        return None
    name, rest = m.group(1), m.group(3)
    if rest.startswith("@"):  # direct URL reference: only check that it is installed
        return name, []
    if rest.startswith("(") and rest.endswith(")"):
        rest = rest[1:-1]
    clauses = []
    for part in (rest.split(",") if rest else []):
        cm = CLAUSE_RE.match(part)
        vm = VERSION_RE.match(cm.group(2)) if cm else None
        if not vm:
            return None
        op, wildcard = cm.group(1), bool(vm.group(2))
        rel = tuple(int(p) for p in vm.group(1).split("."))
        if (wildcard and op not in ("==", "!=")) or (op == "~=" and len(rel) < 2):
            return None
        clauses.append((op, cm.group(2), rel, wildcard))
    return name, clauses


def clause_holds(op, text, want, wildcard, installed, have):
    if op == "===":
        return installed.strip() == text
    if wildcard:  # ==1.2.* / !=1.2.*: compare the given prefix only
        same = pad(have, len(want))[:len(want)] == want
        return same if op == "==" else not same
    n = max(len(have), len(want))
    a, b = pad(have, n), pad(want, n)
    if op == "~=":  # ~=1.4.5 means >=1.4.5 and ==1.4.*
        return a >= b and pad(have, len(want) - 1)[:len(want) - 1] == want[:-1]
    return {"==": a == b, "!=": a != b, "<=": a <= b, ">=": a >= b, "<": a < b, ">": a > b}[op]


def check_requirement(text):
    from importlib import metadata
    entry = {"requirement": safe_str(text), "name": None, "installed": None,
             "ok": False, "problem": "cannot parse requirement"}
    parsed = parse_requirement(text) if isinstance(text, str) else None
    if parsed is None:
        return entry
    name, clauses = parsed
    entry["name"] = re.sub(r"[-_.]+", "-", name).lower()  # PEP 503
    for candidate in (entry["name"], name):
        try:
            entry["installed"] = metadata.version(candidate)
            break
        except Exception:
            continue
    installed = entry["installed"]
    have = release(installed) if installed else None
    if installed is None:
        entry["problem"] = "not installed"
    elif have is None and clauses:
        entry["problem"] = f"installed version {installed!r} cannot be compared"
    else:
        failing = [op + t for op, t, want, wc in clauses
                   if not clause_holds(op, t, want, wc, installed, have)]
        entry["ok"] = not failing
        entry["problem"] = f"{installed} does not satisfy {','.join(failing)}" if failing else None
    return entry


def check_packages(raw):
    if raw is None:
        return []
    try:
        reqs = json.loads(raw)
    except ValueError:
        reqs = None
    if not isinstance(reqs, list):
        return [{"requirement": raw, "name": None, "installed": None, "ok": False,
                 "problem": "cannot parse --packages JSON (expected a list of strings)"}]
    return [check_requirement(r) for r in reqs]


# --- result conversion --------------------------------------------------------

def _numpy():
    """numpy only if the scorer already imported it (never import it ourselves)."""
    return sys.modules.get("numpy")


def to_json(obj, path, non_finite, depth=0):
    """Plain-JSON copy of obj. Non-finite floats become "nan"/"inf"/"-inf" (the
    Swift side's convention) and their location, e.g. "errors[2]" or "fit.rmse",
    is appended to non_finite (at most MAX_NON_FINITE_PATHS entries)."""
    if depth > MAX_DEPTH:  # also stops self-referencing containers
        return safe_str(obj)[:200]
    np = _numpy()
    if np is not None:
        if isinstance(obj, np.ndarray):
            return to_json(obj.tolist(), path, non_finite, depth + 1)
        if isinstance(obj, np.generic):
            obj = obj.item()  # numpy scalar -> the matching Python scalar
    if isinstance(obj, Enum):
        obj = obj.value
    if obj is None or isinstance(obj, bool):
        return obj
    if isinstance(obj, str):
        return str.__str__(obj)
    if isinstance(obj, int):
        return int(obj)
    if isinstance(obj, float):
        if math.isfinite(obj):
            return float(obj)
        if len(non_finite) < MAX_NON_FINITE_PATHS:
            non_finite.append(path or "<value>")
        return "nan" if math.isnan(obj) else ("inf" if obj > 0 else "-inf")
    if isinstance(obj, dict):
        out = {}
        for k, v in obj.items():
            key = safe_str(k.value if isinstance(k, Enum) else k)
            out[key] = to_json(v, f"{path}.{key}" if path else key, non_finite, depth + 1)
        return out
    if isinstance(obj, (set, frozenset)):
        try:
            obj = sorted(obj)
        except TypeError:
            obj = list(obj)
    if isinstance(obj, (list, tuple)):
        return [to_json(v, f"{path}[{i}]", non_finite, depth + 1) for i, v in enumerate(obj)]
    if isinstance(obj, PurePath):
        return str(obj)
    if isinstance(obj, (bytes, bytearray)):
        return bytes(obj).decode("utf-8", errors="replace")
    return safe_str(obj)


def as_number(x):
    """float(x) for a real number, else None. Accepts int/float, numpy scalars,
    0-d arrays and bool (True -> 1.0, as Python arithmetic would)."""
    np = _numpy()
    if np is not None and isinstance(x, (np.ndarray, np.generic)) and np.ndim(x) == 0:
        x = x.item()
    if not isinstance(x, numbers.Real):
        return None
    try:
        return float(x)
    except (OverflowError, ValueError, TypeError):
        return math.inf  # e.g. an int too large for a double


class Failure(Exception):
    def __init__(self, kind, error):
        super().__init__(error)
        self.kind, self.error = kind, error


def read_result(result, name, config):
    """Turn a scorer's return value into the response's "detail" object."""
    if isinstance(result, dict) and "score" in result and "passed" in result:
        get = result.get
        extra = {k: v for k, v in result.items() if k not in STANDARD_FIELDS}
    elif not isinstance(result, (dict, type)) and hasattr(result, "score") and hasattr(result, "passed"):
        def get(key, default=None):
            return getattr(result, key, default)
        extra = {k: v for k, v in getattr(result, "__dict__", {}).items()
                 if k not in STANDARD_FIELDS and not k.startswith("_")}
    else:
        what = type(result).__name__ + (" without 'score' and 'passed'" if isinstance(result, dict) else "")
        raise Failure("bad_return", f"custom scorer {name!r} returned {what}, expected a ScoreDetail")
    values = {}
    for key in ("score", "max_score"):
        raw = get(key)
        if key == "max_score" and raw is None:
            raw = config.get("weight", 1.0)  # no max_score: the scorer's weight
        value = as_number(raw)
        if value is None:
            raise Failure("non_finite", f"custom scorer {name!r} returned a non-numeric {key} "
                                        f"({type(raw).__name__}: {safe_str(raw, repr)[:80]})")
        if not math.isfinite(value):
            raise Failure("non_finite", f"custom scorer {name!r} returned a non-finite {key} ({value})")
        values[key] = value
    try:
        passed = bool(get("passed"))
    except Exception as e:
        raise Failure("bad_return", f"custom scorer {name!r} returned a 'passed' value without "
                                    f"a truth value ({type(e).__name__}: {safe_str(e)})")
    details = get("details")
    if details is None:
        details = {}
    if not isinstance(details, dict):
        raise Failure("bad_return", f"custom scorer {name!r} returned details of type "
                                    f"{type(details).__name__}, expected a dict")
    scorer_name, message, non_finite = get("scorer_name"), get("message"), []
    detail = {"scorer_name": name if scorer_name is None else safe_str(scorer_name),
              "score": values["score"], "max_score": values["max_score"], "passed": passed,
              "message": "" if message is None else safe_str(message),
              "details": to_json(details, "", non_finite)}
    if non_finite:
        detail["non_finite_details"] = non_finite
    if extra:  # attributes set beyond the dataclass fields, e.g. detail.severity
        detail["extra"] = to_json(extra, "", [])
    return detail


# --- requests -----------------------------------------------------------------

def handle(line, registry, writer):
    t0 = time.perf_counter()
    rid = None

    def fail(kind, error=None, exc=None):
        rec = {"id": rid, "ok": False, "kind": kind, "error": error, "exception_type": None,
               "missing_module": None, "traceback_tail": []}
        if exc is not None:
            info = describe_exception(exc)
            rec.update(info if error is None else {k: v for k, v in info.items() if k != "error"})
        rec["seconds"] = round(time.perf_counter() - t0, 6)
        send(writer, rec, rid)

    try:
        req = json.loads(line)
    except (ValueError, RecursionError) as e:
        return fail("protocol", f"request is not valid JSON: {safe_str(e)}")
    if not isinstance(req, dict):
        return fail("protocol", f"request must be a JSON object, got {type(req).__name__}")
    if not isinstance(req.get("id"), (int, str)) or isinstance(req.get("id"), bool):
        return fail("protocol", "request field 'id' must be an integer or a string")
    rid = req["id"]
    for key in ("scorer", "pred_dir", "ref_dir"):
        if not isinstance(req.get(key), str):
            return fail("protocol", f"request field {key!r} must be a string")
    config = req.get("config", {})
    if not isinstance(config, dict):
        return fail("protocol", "request field 'config' must be an object")
    name = req["scorer"]
    cls = registry.get(name)
    if cls is None:
        known = ", ".join(sorted(registry)) or "none"
        return fail("unknown_scorer",
                    f"no scorer named {name!r} is registered by custom_scorer.py (registered: {known})")

    # As the Python tool does: a fresh instance per request (no state leaks from
    # one run's scoring into the next) and pathlib.Path arguments (scorers write
    # `pred_dir / "out.csv"`); config is the request's dict, passed unchanged.
    try:
        result = cls().score(Path(req["pred_dir"]), Path(req["ref_dir"]), config)
    except KeyboardInterrupt:
        raise
    except BaseException as e:  # includes SystemExit from sys.exit() inside score()
        return fail("exception", exc=e)
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
    try:
        detail = read_result(result, name, config)
    except Failure as f:
        return fail(f.kind, f.error)
    except KeyboardInterrupt:
        raise
    except BaseException as e:  # e.g. a property on the result object that raises
        return fail("bad_return", f"custom scorer {name!r} returned a result that could not be "
                                  f"read: {type(e).__name__}: {safe_str(e)}", exc=e)
    send(writer, {"id": rid, "ok": True, "detail": detail,
                  "seconds": round(time.perf_counter() - t0, 6)}, rid)


# --- startup ------------------------------------------------------------------

def load_custom_scorer(task_dir):
    """Import task_dir/custom_scorer.py as module `custom_scorer`.
    Returns (has_custom_scorer, exception or None)."""
    path = os.path.join(task_dir, "custom_scorer.py")
    if not os.path.isdir(task_dir):
        return False, FileNotFoundError(f"task dir not found: {task_dir}")
    if not os.path.isfile(path):
        return False, None
    try:
        spec = importlib.util.spec_from_file_location("custom_scorer", path)
        module = importlib.util.module_from_spec(spec)
        sys.modules["custom_scorer"] = module  # before exec: dataclasses/pickle look it up
        spec.loader.exec_module(module)
    except KeyboardInterrupt:
        raise
    except BaseException as e:  # includes SystemExit at import time
        return True, e
    return True, None


def main():
    reader, writer = open_protocol_channel()  # first: nothing else may reach stdout
    parser = argparse.ArgumentParser(description="ai4sci-bench custom scorer bridge")
    parser.add_argument("--task-dir", required=True)
    parser.add_argument("--list", action="store_true", help="write the hello record and exit")
    parser.add_argument("--packages", help="JSON list of pip requirement strings to check")
    args = parser.parse_args()

    sys.dont_write_bytecode = True
    task_dir = os.path.abspath(args.task_dir)
    # Bridge dir first so the compat `ai4sci_bench` wins over any installed one;
    # then the task dir so custom_scorer.py can import helper modules beside it.
    sys.path[:0] = [BRIDGE_DIR, task_dir]
    registry = importlib.import_module("ai4sci_bench.core.scorer")._REGISTRY

    t0 = time.perf_counter()
    has_custom, error = load_custom_scorer(task_dir)
    load_seconds = round(time.perf_counter() - t0, 6)

    from importlib import metadata
    try:
        numpy_version = metadata.version("numpy")
    except Exception:
        numpy_version = None
    hello = {"type": "hello", "ok": error is None, "scorers": sorted(registry),
             "python": platform.python_version(), "executable": sys.executable,
             "numpy": numpy_version, "packages": check_packages(args.packages),
             "load_seconds": load_seconds, "has_custom_scorer": has_custom}
    if error is not None:
        hello.update(describe_exception(error))
    send(writer, hello)
    if error is not None or args.list:
        return 0
    try:
        for line in iter(reader.readline, ""):  # EOF ends the loop
            if line.strip():
                handle(line, registry, writer)
    except BrokenPipeError:
        return 1  # the runner went away
    return 0


if __name__ == "__main__":
    sys.exit(main())
