"""Shared helpers of the hostile escape agents (Python 3 stdlib + ctypes only).

Every agent tries ONE route to the hidden reference of security.secret_answer. If the route works it
writes the stolen bytes to answer.npy in its working directory (the workspace), so the score shows the
hole; in any case it prints one JSONL line {"type": "attack", "name", "result": blocked|succeeded,
"detail"} and exits 0. The test passes facts through AI4SCI_ESCAPE_HINT (a JSON object):
  reference   absolute host path of the instance's reference/answer_ref.npy
  instances   the --instances-dir holding the instance
  marker      a host path the agent must not be able to create
  output_dir  the run's --output-dir (names the runner's command line)
  test_pid    pid of the test process (holds the answer in memory)
  port        a TCP port on host 127.0.0.1 serving the answer
  abstract    name of an abstract unix socket on the host serving the answer
  token       a unique string of this test
"""
import ctypes
import ctypes.util
import json
import os
import sys

NPY_MAGIC = b"\x93NUMPY"
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long

# x86-64 syscall numbers (the suite runs on Linux x86_64).
SYS = {"clone": 56, "ptrace": 101, "mount": 165, "unshare": 272, "perf_event_open": 298,
       "process_vm_readv": 310, "bpf": 321, "userfaultfd": 323, "keyctl": 250, "add_key": 248,
       "name_to_handle_at": 303, "open_by_handle_at": 304, "io_uring_setup": 425,
       "io_uring_enter": 426, "clone3": 435}


def hint():
    """The test's facts (an empty dict when the hint was not passed)."""
    try:
        return json.loads(os.environ.get("AI4SCI_ESCAPE_HINT", "{}"))
    except ValueError:
        return {}


def report(name, succeeded, detail):
    """Print the attack's JSONL line."""
    line = {"type": "attack", "name": name, "result": "succeeded" if succeeded else "blocked", "detail": str(detail)[:2000]}
    print(json.dumps(line, sort_keys=True), flush=True)


def is_answer(data):
    """True when data looks like a .npy file (the reference is one)."""
    return isinstance(data, (bytes, bytearray)) and bytes(data[:6]) == NPY_MAGIC


def write_answer(data):
    """Write stolen reference bytes as answer.npy in the working directory."""
    with open("answer.npy", "wb") as handle:
        handle.write(bytes(data))


def finish(name, data, detail):
    """Write the answer when data is one, report, exit 0."""
    ok = is_answer(data)
    if ok:
        write_answer(data)
    report(name, ok, detail)
    sys.exit(0)


def read_file(path):
    """The bytes of path, or None."""
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError:
        return None


def errno_text():
    """The last ctypes errno as text."""
    e = ctypes.get_errno()
    return f"errno {e} ({os.strerror(e)})"


def syscall(name, *args):
    """Raw syscall by name; returns (result, errno text)."""
    r = libc.syscall(ctypes.c_long(SYS[name]), *[ctypes.c_long(a) if isinstance(a, int) else a for a in args])
    return r, ("ok" if r >= 0 else errno_text())


def other_pids():
    """Every pid visible in /proc except our own process tree's root (self)."""
    me = os.getpid()
    return [int(p) for p in os.listdir("/proc") if p.isdigit() and int(p) != me]


def cmdline(pid):
    """The argv of pid (list of str), or []."""
    raw = read_file(f"/proc/{pid}/cmdline") or b""
    return [a.decode("utf-8", "replace") for a in raw.split(b"\0") if a]


def runner_pids(h):
    """Pids of this run's CLI: processes whose command line names the run's output directory."""
    out_dir = h.get("output_dir")
    found = []
    for pid in other_pids():
        args = cmdline(pid)
        if args and out_dir and out_dir in args and not any("python" in os.path.basename(a) for a in args[:1]):
            found.append(pid)
    return found


def this_run_first(pids, h):
    """pids ordered with this test's runner (its command line names the run's output directory) first.

    Other runs may be alive on the same machine; a real attacker would try them all, the test wants its own.
    """
    mine = set(runner_pids(h))
    return sorted(pids, key=lambda p: p not in mine)


def token_first(paths, h):
    """paths ordered with those naming this test's token first (stable otherwise)."""
    token = h.get("token") or "\0"
    return sorted(paths, key=lambda p: token not in p)


def find_refs(top, max_depth=6, limit_files=200000):
    """Paths of *_ref.npy below top (no symlink following, bounded)."""
    hits, seen = [], 0
    skip = {"/proc", "/sys", "/dev", "/run", "/usr", "/lib", "/lib64", "/bin", "/sbin", "/snap", "/boot"}
    base = top.rstrip("/").count("/")
    for root, dirs, files in os.walk(top, onerror=lambda e: None):
        if root in skip or root.count("/") - base >= max_depth:
            dirs[:] = []
        for f in files:
            seen += 1
            if f.endswith("_ref.npy"):
                hits.append(os.path.join(root, f))
        if seen > limit_files:
            break
    return hits


def recv_all(sock, limit=1 << 20):
    """Read sock until EOF (bounded)."""
    chunks, total = [], 0
    sock.settimeout(2.0)
    while total < limit:
        chunk = sock.recv(65536)
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    return b"".join(chunks)


def fetch_from_fd(fd, port):
    """Connect an already created AF_INET stream socket fd to host 127.0.0.1:port and read the answer."""
    import socket
    s = socket.socket(fileno=fd)
    try:
        s.settimeout(2.0)
        s.connect(("127.0.0.1", int(port)))
        return recv_all(s)
    finally:
        s.close()


def try_socket_family(name, family, kind, proto):
    """Create a socket of a family that must stay closed; report whether it opened."""
    import socket
    try:
        s = socket.socket(family, kind, proto)
        s.close()
        report(name, True, f"socket({family}, {kind}, {proto}) created")
    except OSError as err:
        report(name, False, f"socket({family}, {kind}, {proto}) failed: {err}")
