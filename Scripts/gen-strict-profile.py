#!/usr/bin/env python3
"""Regenerates Sandbox/profiles/strict.json, the default-deny syscall allow-list of `--sandbox strict`.

How: every workload below (python3 with numpy/scipy through the pyenv shim, bash with coreutils, node)
runs under `strace -f`; the syscall names seen in any process are collected. The hand review then
applies, in this order:
  1. FORBIDDEN: never allowed even if observed (namespaces, mounts, tracing, kernel objects, admin calls,
     io_uring, clone3); they get explicit EPERM/ENOSYS rules, the same as default.json.
  2. CONDITIONAL: socket/socketpair (AF_UNIX only) and clone (no CLONE_NEW* flag) are allowed only
     through argument rules; ioctl is allowed except TIOCSTI and TIOCLINUX (EPERM rules).
  3. EXTRA: a few calls not observed here but obviously needed and harmless (reasons in the table).
  4. ARM64: for each observed legacy x86-64 call, the generic call arm64 uses instead.
Everything else fails with ENOSYS (defaultErrnoRet 38): libc and runtimes treat ENOSYS as "not
available, fall back", whereas EPERM from an unknown new call can be taken as a hard error.

Usage: python3 Scripts/gen-strict-profile.py [--out Sandbox/profiles/strict.json] [--keep-traces DIR]
Needs strace (apt-get install -y strace); node is traced only if it is on PATH.
"""
import argparse, collections, json, os, re, shutil, subprocess, sys, tempfile

PY_NUMPY = r'''
import numpy as np, os, json, tempfile, threading, subprocess, time, signal, shutil, glob, gzip, pickle, hashlib
rng = np.random.default_rng(0)
a = rng.standard_normal((200, 200)); b = rng.standard_normal(200)
x = np.linalg.solve(a, b); assert np.allclose(a @ x, b)
w = np.linalg.eigvals(a); u, s, vt = np.linalg.svd(a); q, r = np.linalg.qr(a)
f = np.fft.rfft(rng.standard_normal(4096)); g = np.fft.irfft(f)
np.save("arr.npy", a); assert np.array_equal(np.load("arr.npy"), a)
np.savez_compressed("arrs.npz", a=a, b=b); assert np.array_equal(np.load("arrs.npz")["b"], b)
np.savetxt("arr.csv", a[:5]); np.loadtxt("arr.csv")
m = np.memmap("mm.dat", dtype="float64", mode="w+", shape=(1000,)); m[:] = 1.0; m.flush(); del m
os.makedirs("d/e", exist_ok=True); shutil.copy("arr.npy", "d/e/c.npy"); shutil.rmtree("d")
with gzip.open("x.gz", "wt") as fh: fh.write("hi")
with tempfile.TemporaryDirectory() as t: open(os.path.join(t, "f"), "w").write("x")
out = []
th = threading.Thread(target=lambda: out.append(np.sum(np.ones(10)))); th.start(); th.join()
print(subprocess.run(["ls", "-la"], capture_output=True, text=True).returncode)
print(subprocess.check_output("echo hi | tr a-z A-Z", shell=True, text=True))
p = subprocess.Popen(["cat"], stdin=subprocess.PIPE, stdout=subprocess.PIPE); print(p.communicate(b"x")[0])
signal.signal(signal.SIGALRM, lambda *a: None); signal.setitimer(signal.ITIMER_REAL, 0.01); time.sleep(0.05)
print(os.cpu_count(), os.getloadavg(), os.uname(), os.getcwd(), os.listdir("."), glob.glob("*.npy"))
print(hashlib.sha256(b"x").hexdigest(), os.urandom(4), time.time(), time.monotonic(), time.process_time())
print(json.dumps({"ok": float(w.real.sum())}))
'''

PY_MULTI = r'''
import multiprocessing as mp, concurrent.futures as cf, os, queue, threading, socket, select, mmap
def sq(v): return v * v
if __name__ == "__main__":
    for method in ("fork", "spawn", "forkserver"):
        ctx = mp.get_context(method)
        with ctx.Pool(2) as pool: assert pool.map(sq, range(10)) == [v * v for v in range(10)]
        q = ctx.Queue(); pr = ctx.Process(target=q.put, args=(1,)); pr.start(); assert q.get() == 1; pr.join()
        lock = ctx.Lock(); lock.acquire(); lock.release(); v = ctx.Value("i", 3); arr = ctx.Array("d", 4)
    with cf.ProcessPoolExecutor(2) as ex: assert list(ex.map(sq, range(4))) == [0, 1, 4, 9]
    with cf.ThreadPoolExecutor(4) as ex: assert list(ex.map(sq, range(4))) == [0, 1, 4, 9]
    a, b = socket.socketpair(); a.send(b"x"); select.select([b], [], [], 1); b.recv(1)
    s = socket.socket(socket.AF_UNIX); s.bind("sock"); s.listen(); s.close(); os.unlink("sock")
    mm = mmap.mmap(-1, 4096); mm.write(b"x"); mm.close()
    r, w = os.pipe(); os.write(w, b"y"); os.read(r, 1)
    pid = os.fork()
    if pid == 0: os._exit(3)
    assert os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) == 3
    print("multi ok")
'''

PY_SCIPY = r'''
import scipy, scipy.linalg, scipy.optimize, scipy.sparse, scipy.sparse.linalg, scipy.integrate, scipy.stats, scipy.signal, scipy.fft, scipy.interpolate, scipy.special
import numpy as np
print(scipy.linalg.expm(np.eye(3)).sum(), scipy.optimize.minimize(lambda v: (v ** 2).sum(), np.ones(3)).fun)
print(scipy.integrate.quad(np.sin, 0, 1)[0], scipy.stats.norm.cdf(0.5), scipy.sparse.eye(5).nnz)
import ctypes, platform, locale, sysconfig, pathlib, sqlite3, csv, zipfile, tarfile, io
c = sqlite3.connect("db.sqlite"); c.execute("create table t(x)"); c.commit(); c.close()
with tarfile.open("t.tar.gz", "w:gz") as t: t.add("db.sqlite")
print(platform.platform(), locale.getpreferredencoding(), pathlib.Path(".").resolve())
'''

BASH = r'''
set -euo pipefail
mkdir -p w/sub && cd w
seq 1 200 | sort -rn | head -5 > top.txt
printf 'b 2\na 1\nc 3\n' > data.txt
sort data.txt | awk '{s+=$2} END {print s}' > sum.txt
grep -c a data.txt || true
sed -e 's/a/A/' data.txt | tr a-z A-Z | cut -d' ' -f1 | paste -sd, - | tee joined.txt >/dev/null
cp data.txt sub/ && cp -r sub sub2 && mv sub2 sub3 && ln -s data.txt link && readlink link && ln data.txt hard
cat sub/data.txt link | wc -l; ls -la; ls -R . >/dev/null; stat data.txt >/dev/null; du -sh . >/dev/null
touch -d '2020-01-01' old && chmod 600 old && find . -name '*.txt' -newer old -type f | sort | xargs cat >/dev/null
tar -czf a.tgz sub data.txt && mkdir x && tar -xzf a.tgz -C x && gzip -kf data.txt && gunzip -c data.txt.gz >/dev/null
sha256sum data.txt md5sum >/dev/null 2>&1 || true; uniq data.txt >/dev/null; date +%s >/dev/null; env >/dev/null
basename /a/b; dirname /a/b; id >/dev/null; whoami >/dev/null 2>&1 || true; hostname >/dev/null 2>&1 || true; df . >/dev/null
out=$(echo sub | tr a-z A-Z); echo "$out"; (cd sub && pwd) ; diff <(sort data.txt) <(sort data.txt)
sleep 0.05 & wait; trap 'echo trapped' USR1; kill -USR1 $$
while read -r k v; do echo "$k=$v"; done < data.txt > kv.txt
cat <<EOF > here.txt
${out}
EOF
timeout 5 true; nproc; mktemp >/dev/null; rm -rf sub sub3 x; rmdir --ignore-fail-on-non-empty . 2>/dev/null || true
echo bash ok
'''

NODE = r'''
const fs = require('fs'), cp = require('child_process'), path = require('path'), os = require('os');
fs.mkdirSync('n/d', { recursive: true }); fs.writeFileSync('n/d/a.txt', 'hello\n');
console.log(fs.readFileSync('n/d/a.txt', 'utf8').trim(), fs.readdirSync('n'), fs.statSync('n/d/a.txt').size);
fs.copyFileSync('n/d/a.txt', 'n/b.txt'); fs.renameSync('n/b.txt', 'n/c.txt'); fs.appendFileSync('n/c.txt', 'x');
console.log(cp.execSync('echo child | tr a-z A-Z').toString().trim(), cp.spawnSync('ls', ['-l']).status);
console.log(os.cpus().length, os.totalmem() > 0, os.hostname().length >= 0, require('crypto').randomBytes(4).length);
const w = new (require('worker_threads').Worker)('require("worker_threads").parentPort.postMessage(6*7)', { eval: true });
w.on('message', (m) => console.log('worker', m));
(async () => {
  await fs.promises.writeFile('n/p.txt', 'p'); console.log(await fs.promises.readFile('n/p.txt', 'utf8'));
  const c = cp.spawn('sh', ['-c', 'cat; echo done'], { stdio: ['pipe', 'pipe', 'inherit'] });
  c.stdout.on('data', (d) => process.stdout.write(d)); c.stdin.end('piped\n');
  await new Promise((r) => c.on('close', r));
  cp.exec('ls n', (e, so) => { console.log(so.trim()); fs.rmSync('n', { recursive: true }); setTimeout(() => console.log('node ok'), 10); });
})();
'''

WORKLOADS = [
    ("python-numpy", ["python3", "-c", PY_NUMPY]),
    ("python-multiprocessing", ["python3", "@multi.py", PY_MULTI]),
    ("python-scipy", ["python3", "-c", PY_SCIPY]),
    ("python-isolated", ["python3", "-I", "-S", "-c", "print(1)"]),
    ("bash-coreutils", ["bash", "-c", BASH]),
    ("sh-script", ["sh", "-c", "for i in 1 2; do echo $i; done | cat"]),
    ("node", ["node", "-e", NODE]),
]

# Never allowed, whatever the workloads do (the same list as default.json, plus clone3/io_uring).
FORBIDDEN_EPERM = [
    "unshare", "setns", "mount", "umount", "umount2", "pivot_root", "chroot", "move_mount", "open_tree",
    "fsopen", "fsmount", "fsconfig", "fspick", "mount_setattr", "ptrace", "process_vm_readv",
    "process_vm_writev", "bpf", "perf_event_open", "keyctl", "add_key", "request_key", "userfaultfd",
    "open_by_handle_at", "name_to_handle_at", "kexec_load", "kexec_file_load", "init_module", "finit_module",
    "delete_module", "reboot", "swapon", "swapoff", "acct", "quotactl", "quotactl_fd",
]
FORBIDDEN_ENOSYS = ["io_uring_setup", "io_uring_enter", "io_uring_register", "clone3"]
CONDITIONAL = {"socket", "socketpair", "clone", "ioctl"}

# Not (always) observed here, but needed by ordinary programs and harmless. name -> reason.
EXTRA = {
    "execve": "the launcher's execvp after the filter is installed, and every program start",
    "execveat": "fexecve/execveat-based exec (same power as execve)",
    "exit": "thread exit", "exit_group": "process exit",
    "rt_sigreturn": "return from every signal handler (without it a handled signal kills the process)",
    "restart_syscall": "kernel restart of an interrupted sleep after SIGSTOP/SIGCONT",
    "write": "the launcher's failure record after a failed exec",
    "sched_yield": "spin-lock back-off in BLAS/OpenMP threads",
    "nanosleep": "sleep(3) on older libcs", "clock_nanosleep": "sleep(3)",
    "futex": "every lock", "set_robust_list": "thread start", "get_robust_list": "pthread mutex recovery",
    "tgkill": "raise(3), abort(3)", "tkill": "old raise", "kill": "signals to own children",
    "wait4": "waitpid", "waitid": "waitid(2), posix_spawn", "getppid": "ps-like checks",
    "mlock": "OpenBLAS/node buffers (bounded by RLIMIT_MEMLOCK)", "munlock": "pair of mlock",
    "pause": "pause(2)", "sigaltstack": "stack overflow handlers (python faulthandler, node)",
    "fdatasync": "sqlite and safe writers", "fsync": "safe writers", "sync_file_range": "fast flush",
    "fallocate": "preallocation", "ftruncate": "file resize", "truncate": "file resize by name",
    "flock": "lock files (pip, sqlite)", "memfd_create": "anonymous files (node/v8, multiprocessing)",
    "copy_file_range": "cp and shutil.copyfile fast path", "sendfile": "shutil copy fast path",
    "splice": "cat/cp fast path", "tee": "pipe duplication",
    "getrusage": "resource module, time(1)", "times": "bash `times`", "sysinfo": "free memory queries",
    "getcpu": "sched_getcpu in OpenMP", "sched_getaffinity": "os.cpu_count-like queries",
    "sched_setaffinity": "thread pinning in BLAS (own threads only)", "umask": "file creation mask",
    "statfs": "df, shutil.disk_usage", "fstatfs": "glibc statvfs",
    "rseq": "glibc thread start (restartable sequences)",
    "prctl": "PR_SET_NAME (pthread_setname_np), PR_SET_PDEATHSIG, PR_SET_VMA in newer glibc malloc; caps are gone",
    "mremap": "realloc of large blocks (numpy, v8)",
    "readv": "vectored IO", "writev": "vectored IO (node stdout, os.writev)", "preadv": "vectored IO",
    "pwritev": "vectored IO", "preadv2": "vectored IO", "pwritev2": "vectored IO",
    "select": "old select(2) callers", "alarm": "signal.alarm", "getitimer": "signal.getitimer",
    "getrlimit": "old getrlimit callers", "setrlimit": "lowering own limits (cannot raise hard limits)",
    "getpriority": "os.nice", "setpriority": "os.nice (lowering priority)",
    "getresuid": "os.getresuid", "getresgid": "os.getresgid", "getpgid": "process-group queries",
    "getsid": "session queries", "setsid": "subprocess start_new_session / node detached spawn",
    "stat": "legacy stat callers (static binaries)", "lstat": "legacy lstat callers", "fstat": "fstat",
    "faccessat": "access checks", "faccessat2": "glibc faccessat with flags", "readlinkat": "readlink",
    "timer_delete": "pair of timer_create", "timer_gettime": "pair of timer_create",
    "rt_sigtimedwait": "signal.sigtimedwait", "rt_sigpending": "signal.sigpending",
    "clock_getres": "time.get_clock_info", "gettimeofday": "old time callers", "time": "old time callers",
    "symlink": "legacy symlink", "fork": "legacy fork (cannot carry namespace flags)",
    "pipe": "legacy pipe", "pipe2": "pipes", "dup": "dup", "dup3": "dup3",
}

# arm64 has only the generic syscall table: for an observed legacy x86-64 call, also allow its successor.
ARM64_EQUIVALENTS = {
    "open": ["openat"], "creat": ["openat"], "stat": ["newfstatat"], "lstat": ["newfstatat"],
    "access": ["faccessat", "faccessat2"], "readlink": ["readlinkat"], "unlink": ["unlinkat"],
    "rmdir": ["unlinkat"], "mkdir": ["mkdirat"], "rename": ["renameat", "renameat2"], "link": ["linkat"],
    "symlink": ["symlinkat"], "chmod": ["fchmodat"], "chown": ["fchownat"], "lchown": ["fchownat"],
    "utimes": ["utimensat"], "utime": ["utimensat"], "futimesat": ["utimensat"], "mknod": ["mknodat"],
    "getdents": ["getdents64"], "dup2": ["dup3"], "pipe": ["pipe2"], "poll": ["ppoll"], "select": ["pselect6"],
    "epoll_wait": ["epoll_pwait"], "epoll_create": ["epoll_create1"], "inotify_init": ["inotify_init1"],
    "eventfd": ["eventfd2"], "signalfd": ["signalfd4"], "fork": ["clone"], "vfork": ["clone"],
    "alarm": ["setitimer"], "time": ["clock_gettime"], "getpgrp": ["getpgid"], "pause": ["ppoll"],
}

LINE = re.compile(r"^\d+\s+(?:<\.\.\. )?([a-z_][a-z0-9_]*)[( ]")


def trace(name, argv, workdir, keep):
    out = os.path.join(keep or workdir, f"{name}.trace")
    run_dir = os.path.join(workdir, name)
    os.makedirs(run_dir, exist_ok=True)
    if len(argv) > 1 and argv[1].startswith("@"):   # script run from a file (spawn needs an importable __main__)
        with open(os.path.join(run_dir, argv[1][1:]), "w") as fh: fh.write(argv[2])
        argv = [argv[0], argv[1][1:]] + argv[3:]
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": run_dir, "LANG": "C.UTF-8"}
    proc = subprocess.run(["strace", "-f", "-qq", "-o", out, "--"] + argv, cwd=run_dir, env=env,
                          capture_output=True, text=True, timeout=180)
    if proc.returncode != 0:
        sys.exit(f"workload {name} failed ({proc.returncode}):\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    counts = collections.Counter()
    with open(out, errors="replace") as fh:
        for line in fh:
            m = LINE.match(line)
            if m and not line.split(None, 1)[1].startswith(("+++", "---")):
                counts[m.group(1)] += 1
    return counts


def rule(names, action, errno=None, args=None, comment=None):
    r = {}
    if comment: r["comment"] = comment
    r["names"] = names
    r["action"] = action
    if errno is not None: r["errnoRet"] = errno
    if args: r["args"] = args
    return r


def build_profile(observed):
    forbidden = set(FORBIDDEN_EPERM) | set(FORBIDDEN_ENOSYS)
    allowed = set(n for n in observed if n not in forbidden and n not in CONDITIONAL)
    allowed |= set(EXTRA)
    for legacy, successors in ARM64_EQUIVALENTS.items():
        if legacy in allowed:
            allowed |= set(s for s in successors if s not in CONDITIONAL)
    ns_flags = [("CLONE_NEWTIME", 0x80), ("CLONE_NEWNS", 0x20000), ("CLONE_NEWCGROUP", 0x2000000),
                ("CLONE_NEWUTS", 0x4000000), ("CLONE_NEWIPC", 0x8000000), ("CLONE_NEWUSER", 0x10000000),
                ("CLONE_NEWPID", 0x20000000), ("CLONE_NEWNET", 0x40000000)]
    ns_mask = sum(v for _, v in ns_flags)
    rules = [
        rule(sorted(allowed), "SCMP_ACT_ALLOW",
             comment="Observed under strace in python3 (numpy, scipy, multiprocessing, subprocess, threads), bash "
                     "with coreutils and node, plus the reviewed additions listed in Sandbox/profiles/README.md."),
        rule(["socket", "socketpair"], "SCMP_ACT_ALLOW", args=[{"index": 0, "value": 1, "op": "SCMP_CMP_EQ"}],
             comment="AF_UNIX (1) sockets only."),
        rule(["socket", "socketpair"], "SCMP_ACT_ERRNO", 97, args=[{"index": 0, "value": 1, "op": "SCMP_CMP_NE"}],
             comment="Every other family (AF_INET/6, AF_NETLINK, AF_PACKET, AF_VSOCK...) fails with EAFNOSUPPORT."),
        rule(["clone"], "SCMP_ACT_ALLOW", args=[{"index": 0, "value": ns_mask, "valueTwo": 0, "op": "SCMP_CMP_MASKED_EQ"}],
             comment="fork, vfork-style and thread clones without any namespace flag."),
    ]
    for flag, value in ns_flags:
        rules.append(rule(["clone"], "SCMP_ACT_ERRNO", 1,
                          args=[{"index": 0, "value": value, "valueTwo": value, "op": "SCMP_CMP_MASKED_EQ"}],
                          comment=f"clone with {flag} creates a namespace: EPERM."))
    rules += [
        rule(["ioctl"], "SCMP_ACT_ERRNO", 1, args=[{"index": 1, "value": 0xFFFFFFFF, "valueTwo": 0x5412, "op": "SCMP_CMP_MASKED_EQ"}],
             comment="TIOCSTI (push input into a terminal): EPERM."),
        rule(["ioctl"], "SCMP_ACT_ERRNO", 1, args=[{"index": 1, "value": 0xFFFFFFFF, "valueTwo": 0x541C, "op": "SCMP_CMP_MASKED_EQ"}],
             comment="TIOCLINUX (console selection/paste): EPERM."),
        rule(["ioctl"], "SCMP_ACT_ALLOW", args=[{"index": 0, "value": 0, "op": "SCMP_CMP_GE"}],
             comment="Every other ioctl (the always-true condition keeps the two EPERM rules above in force: "
                     "libseccomp lets an unconditional rule override conditional ones)."),
    ]
    return rules, allowed


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap.add_argument("--out", default=os.path.join(root, "Sandbox/profiles/strict.json"))
    ap.add_argument("--keep-traces", help="directory to keep the raw strace outputs in")
    ap.add_argument("--print-observed", action="store_true", help="print observed syscalls with counts")
    opts = ap.parse_args()
    if not shutil.which("strace"):
        sys.exit("strace is not installed: apt-get install -y strace")
    if opts.keep_traces: os.makedirs(opts.keep_traces, exist_ok=True)
    observed = collections.Counter()
    per_workload = {}
    with tempfile.TemporaryDirectory(prefix="gen-strict-") as work:
        for name, argv in WORKLOADS:
            if not shutil.which(argv[0]):
                print(f"skipping {name}: {argv[0]} not on PATH", file=sys.stderr)
                continue
            counts = trace(name, argv, work, opts.keep_traces)
            per_workload[name] = counts
            observed.update(counts)
            print(f"{name}: {len(counts)} distinct syscalls", file=sys.stderr)
    if opts.print_observed:
        for n, c in sorted(observed.items()):
            print(f"{n} {c} {' '.join(w for w, cs in per_workload.items() if n in cs)}")
    print("observed but forbidden:", sorted(set(observed) & (set(FORBIDDEN_EPERM) | set(FORBIDDEN_ENOSYS))), file=sys.stderr)
    print("extra (not observed):", sorted(set(EXTRA) - set(observed)), file=sys.stderr)
    write_profile(opts.out, observed)


def write_profile(path, observed):
    allow_rules, allowed = build_profile(observed)
    profile = {
        "comment": "ai4sci-bench strict seccomp profile (OCI/Docker format): DEFAULT DENY. Only the syscalls that "
                   "python3 (numpy, scipy), bash with coreutils and node were observed to use are allowed "
                   "(see Sandbox/profiles/README.md; regenerate with Scripts/gen-strict-profile.py). Any other "
                   "call fails with ENOSYS so that libc falls back; the dangerous calls of default.json fail with "
                   "EPERM as there. Foreign ABIs (i386 int 0x80, x32) kill the process.",
        "defaultAction": "SCMP_ACT_ERRNO",
        "defaultErrnoRet": 38,
        "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_AARCH64"],
        "syscalls": allow_rules + [
            rule(FORBIDDEN_ENOSYS, "SCMP_ACT_ERRNO", 38,
                 comment="io_uring bypasses the socket rule; clone3 hides its flags in memory: ENOSYS (libc falls back to clone)."),
            rule(FORBIDDEN_EPERM, "SCMP_ACT_ERRNO", 1,
                 comment="Namespaces, mounts, tracing, kernel objects and kernel administration: EPERM (as in default.json)."),
        ],
    }
    with open(path, "w") as fh:
        json.dump(profile, fh, indent=2)
        fh.write("\n")
    print(f"wrote {path}: {len(allowed)} unconditionally allowed syscalls", file=sys.stderr)


if __name__ == "__main__":
    main()
