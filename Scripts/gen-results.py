#!/usr/bin/env python3
"""Writes a synthetic, schema-faithful single-run output directory (what `ai4sci-bench run` writes).

For benchmarking and testing `report`/`validate` on large result sets without running agents. Layout:
  DIR/run_metadata.json
  DIR/<task_id>/<instance_id>.json                 (schema ai4sci_bench_instance_result, version 1)
  DIR/<task_id>/<instance_id>.agent_stdout.jsonl   (generic JSONL events: step, tool_call, tool_result, usage)
  DIR/<task_id>/<instance_id>.agent_stderr.log     (often empty)
  DIR/manifest.json                                (written last: every other file with bytes and sha256)
No `<instance_id>.outputs/` folders are written: each result's `artifacts` lists its stdout and stderr captures
only (as a real result does when the agent left no output files).

Items are the grid instance × task × level (× repeat): instance ids `<task>__seed<B+i>__<level>` (with
`__r<k>` when --repeats > 1). The grid is filled instance-major, so every task is covered before the second
instance starts; generation stops at exactly --count results (the last instance may be partial).

Scores: every item has a latent drawn from a hash of (seed, task, instance, level) (plus per-task difficulty
and a level effect, b1 easiest, b4 hardest); the agent adds logit(--quality) and a small agent-specific
noise. Two runs with the same --seed but different --agent/--quality are therefore paired and correlated.
Outcome mix (quality 0.7): ~87% scored (a few with a failed hard gate: final 0), ~8% agent_failed (exit 3 or
timeout), ~1% refused by the sandbox and ~3% scorer errors (both `evaluation_invalid`, final_score null, as
ItemRunner records them). final_score = max_possible_score · Σ score / Σ weight, as `validate` recomputes.

Usage: python3 Scripts/gen-results.py --count N --output-dir DIR [--agent NAME] [--seed S] [--tasks T]
           [--quality Q] [--base-seed 42] [--repeats K] [--model M] [--sandbox task|seccomp] [--timeout 600]
Python 3 standard library only; deterministic for given arguments.
"""
import argparse, hashlib, json, math, os, random, sys, time

DOMAINS = ["physics", "chemistry", "biology", "materials", "astronomy", "earth_science", "neuroscience", "ecology"]
LEVELS = ["b1", "b2", "b3", "b4"]
LEVEL_EFFECT = {"b1": 0.9, "b2": 0.35, "b3": -0.3, "b4": -0.95}
OUTPUT_NAMES = {
    "physics": ["density", "velocity", "pressure", "energy", "temperature", "displacement"],
    "chemistry": ["concentrations", "t_max", "rate_constants", "yield", "equilibrium", "spectrum"],
    "biology": ["trajectory", "peak_infected", "final_size", "growth_rate", "population", "expression"],
    "materials": ["stress", "strain", "modulus", "band_gap", "lattice", "conductivity"],
    "astronomy": ["orbit", "light_curve", "period", "luminosity", "redshift", "flux"],
    "earth_science": ["temperature_profile", "heat_flux", "sea_level", "precipitation", "seismic_trace", "runoff"],
    "neuroscience": ["membrane_potential", "spike_times", "firing_rate", "conductance", "lfp", "isi"],
    "ecology": ["biomass", "abundance", "carrying_capacity", "extinction_time", "diversity", "dispersal"],
}
PARAM_NAMES = ["alpha", "beta", "gamma", "n_cells", "n_steps", "t_final", "dt", "k1", "k2", "rate", "scale", "noise"]
METHOD_PATTERNS = ["(?i)runge|kutta|rk4|rk45|solve_ivp|odeint|integrat", "(?i)hllc|hll|roe|rusanov|godunov|riemann",
                   "(?i)fft|spectral|fourier", "(?i)newton|bisect|brentq|fsolve", "(?i)monte.?carlo|random|sample",
                   "(?i)finite.?difference|laplac|stencil", "(?i)least.?squares|curve_fit|polyfit"]
FRAMEWORK_VERSION = "0.1.0"
HOST = {"cpus": 2, "hostname": "synthetic", "kernel": "6.1.0-28-amd64", "libseccomp": "2.5.4", "machine": "x86_64",
        "os": "Debian GNU/Linux 12 (bookworm)"}
LAUNCHER = "/opt/ai4sci-bench/.build/release/ai4sci-sandbox-exec"
PROFILE = "/opt/ai4sci-bench/Sandbox/profiles/default.json"
EMPTY_SHA = hashlib.sha256(b"").hexdigest()
START_EPOCH = 1767225600.0  # 2026-01-01T00:00:00Z
JOBS = 8                    # simulated parallel lanes for the timestamps


# ---------------------------------------------------------------- JSON text as Foundation's JSONEncoder writes it

_enc_str = json.encoder.encode_basestring  # no ASCII escaping, "/" unescaped (withoutEscapingSlashes)


def _num(v):
    if v == v and v not in (math.inf, -math.inf) and v == int(v) and abs(v) < 9e15:
        return str(int(v))
    return repr(v)


class Raw(str):
    """Text already rendered at the indentation where it is placed."""


_KEY = {}  # key -> '"key" : '


def pretty(v, ind=""):
    """Sorted keys, 2-space indent, `"key" : value`, empty containers as `[\n\n<ind>]` (Foundation style)."""
    t = type(v)
    if t is dict:
        if not v:
            return "{\n\n" + ind + "}"
        inner = ind + "  "
        parts = []
        for k in sorted(v):
            q = _KEY.get(k)
            if q is None:
                q = _KEY[k] = _enc_str(k) + " : "
            x = v[k]
            tx = type(x)
            if tx is str:
                parts.append(inner + q + _enc_str(x))
            elif tx is int:
                parts.append(inner + q + str(x))
            elif tx is dict or tx is list:
                parts.append(inner + q + pretty(x, inner))
            else:
                parts.append(inner + q + _scalar(x))
        return "{\n" + ",\n".join(parts) + "\n" + ind + "}"
    if t is list:
        if not v:
            return "[\n\n" + ind + "]"
        inner = ind + "  "
        return "[\n" + ",\n".join([inner + (pretty(x, inner) if type(x) in (dict, list) else _scalar(x)) for x in v]) \
            + "\n" + ind + "]"
    return _scalar(v)


def _scalar(v):
    t = type(v)
    if t is str:
        return _enc_str(v)
    if t is int:
        return str(v)
    if t is float:
        return _num(v)
    if t is bool:
        return "true" if v else "false"
    if v is None:
        return "null"
    if t is Raw:
        return v
    raise TypeError("cannot encode %r" % (v,))


def compact(v):
    return json.dumps(v, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def iso(t):
    ms = int(round(t * 1000))
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ms // 1000)) + ".%03dZ" % (ms % 1000)


def sigmoid(x):
    return 1.0 / (1.0 + math.exp(-x))


def logit(p):
    p = min(max(p, 1e-4), 1 - 1e-4)
    return math.log(p / (1 - p))


# ---------------------------------------------------------------- tasks

def make_tasks(n, seed):
    width = max(2, len(str(-(-n // len(DOMAINS)))))
    counters = [0] * len(DOMAINS)
    tasks = []
    for i in range(n):
        d = i % len(DOMAINS)
        counters[d] += 1
        tid = "%s.task_%0*d" % (DOMAINS[d], width, counters[d])
        tasks.append(make_task(tid, DOMAINS[d], seed))
    tasks.sort(key=lambda t: t["id"])
    return tasks


def make_task(tid, domain, seed):
    r = random.Random("task|%d|%s" % (seed, tid))
    code_weight = r.choice([0, 10, 10, 15])
    n_num = r.choice([1, 2, 2, 3, 3, 4])
    outputs = r.sample(OUTPUT_NAMES[domain], n_num)
    # Numerical weights: multiples of 5 summing to 100 - code_weight.
    units = (100 - code_weight) // 5
    cuts = sorted(r.sample(range(1, units), n_num - 1)) if n_num > 1 else []
    weights = [5 * (b - a) for a, b in zip([0] + cuts, cuts + [units])]
    components = []
    for name, w in zip(outputs, weights):
        full = r.choice([0.0001, 0.001, 0.003, 0.01, 0.04, 0.05, 0.12])
        zero = round(full * r.choice([4, 5, 10, 20, 50]), 6)
        metric = "relative_l2" if r.random() < 0.6 else "relative_error"
        dims = [r.randint(50, 800)] if r.random() < 0.5 else ([r.randint(50, 500), r.choice([2, 3])] if r.random() < 0.6 else [1])
        components.append({"name": name, "weight": w, "full": full, "zero": zero, "metric": metric, "shape": dims})
    patterns = r.sample(METHOD_PATTERNS, 2)
    n_params = r.randint(4, 6)
    params = sorted(r.sample(PARAM_NAMES, n_params))
    return {
        "id": tid, "domain": domain, "version": r.choice(["1.0", "1.0", "1.0", "1.1"]), "status": "final",
        "hash": hashlib.sha256(("task:%d:%s" % (seed, tid)).encode()).hexdigest(),
        "difficulty": r.gauss(0, 0.8), "components": components, "code_weight": code_weight, "patterns": patterns,
        "value_range": r.random() < 0.6, "params": params,
        "param_scale": {p: 10 ** r.uniform(-2, 3) for p in params},
    }


def params_used(task, inst_seed):
    r = random.Random("params|%s|%d" % (task["id"], inst_seed))
    out = {}
    for p in task["params"]:
        if p.startswith("n_"):
            out[p] = r.randint(50, 1000)
        else:
            out[p] = float("%.6g" % (task["param_scale"][p] * r.uniform(0.5, 1.5)))
    out["seed"] = inst_seed
    return out


# ---------------------------------------------------------------- sandbox evidence

def base_evidence(profile=True):
    e = {"kernel_release": HOST["kernel"], "launcher": LAUNCHER, "libseccomp_version": HOST["libseccomp"]}
    if profile:
        e.update({"profile_path": PROFILE,
                  "profile_sha256": "df9c064bcceb924ad145610ab6e2a5de29cea6848e5550d359fa80aade2f18f9",
                  "policy_sha256": "fc352bffb44e96ebf51a1ad54c7172baead89b73323f213a86c121d6519037ca",
                  "seccomp_architecture": "x86_64", "seccomp_bpf_bytes": 664, "seccomp_rules": 49,
                  "seccomp_skipped_syscalls": ["umount"]})
    return e


def seccomp_evidence(degraded_reasons=None):
    e = base_evidence()
    e.update({
        "launch_steps": ["subreaper", "signals", "parent_death_signal", "setsid", "rlimits", "stdio", "close_fds", "chdir",
                         "no_new_privs", "seccomp", "exec"],
        "limits": {"core": "0:0", "nofile": "4096:4096"}, "network": {"mode": "none"},
        "proc_status": {"CapBnd": "000001fffeffffff", "CapEff": "000001fffeffffff", "NoNewPrivs": 1, "Seccomp": 2,
                        "Seccomp_filters": 1},
        "verification": "read back from /proc/PID/status of the agent after exec",
    })
    if degraded_reasons:
        e["degraded_reasons"] = degraded_reasons
    return e


TASK_STEPS = ["clone_namespaces", "uid_map", "gid_map", "cgroup_attach", "stdio", "close_fds", "setsid", "rlimits",
              "open_paths", "setresuid", "mount_private", "mount_root", "mount_binds", "mount_etc_masks", "mount_tmp",
              "mount_proc", "mount_dev", "pivot_root", "mount_verify", "network_lo", "hostname", "fork_agent",
              "capabilities", "chdir", "no_new_privs", "landlock", "seccomp", "verify", "exec"]
RO_MOUNTS = ["/", "/usr", "/etc", "/etc/shadow", "/etc/gshadow", "/etc/ssh", "/etc/ssl/private", "/opt/agents",
             "/opt/python"]


def task_evidence_template():
    """Task-mode evidence rendered once, as a str.format template with {NAME} fields for the per-item values."""
    ws = "/tmp/ai4sci-bench-XXXXXX/workspaces/@WS@"
    e = base_evidence()
    mount_flags = {m: "ro" for m in RO_MOUNTS}
    mount_flags.update({"/dev": "ro", "/dev/null": "rw", "/dev/zero": "rw", "/dev/urandom": "rw", "/proc": "rw",
                        "/tmp": "rw", ws: "rw"})
    e.update({
        "cgroup_membership": ["0::/ai4sci-@CG@-0"], "cgroup_oom_kills": "@OOM@", "cgroup_peak_memory_bytes": "@CGMEM@",
        "cgroup_version": 2, "cleanup": {"cgroup_empty": True, "pidns_gone": True, "root_dir_removed": True},
        "gid_map": ["      1000    1999999          1"], "init_pid": "@PID@",
        "landlock": {"abi": "6", "fs": "0xffff", "net": "0x3", "scoped": "0x3"},
        "launch_steps": TASK_STEPS, "limits": {"core": "0:0", "nofile": "4096:4096"}, "mount_flags": mount_flags,
        "mountinfo": [m + " ro,nosuid,nodev,relatime" for m in RO_MOUNTS]
        + ["/tmp rw,nosuid,nodev,relatime", "/proc rw,nosuid,nodev,noexec,relatime",
           "/dev ro,nosuid,nodev,noexec,relatime", ws + " rw,nosuid,nodev,relatime"],
        "namespaces": {n: {"agent": "%s:[@NS%d@]" % (n, i), "launcher": "%s:[40265318%02d]" % (n, 32 + i)}
                       for i, n in enumerate(["ipc", "mnt", "net", "pid", "user", "uts"])},
        "network": {"mode": "none"}, "outside_uid": 1999999,
        "proc_status": {"CapAmb": 0, "CapBnd": "0000000000000000", "CapEff": "0000000000000000", "CapPrm": 0,
                        "Gid": "1999999\t1999999\t1999999\t1999999", "NSpid": "@NSPID@\t2", "NoNewPrivs": 1,
                        "Seccomp": 2, "Seccomp_filters": 1, "Uid": "1999999\t1999999\t1999999\t1999999"},
        "resource_limits": {"cgroup_version": 2, "cpu_read": "200000 100000", "cpu_via": "cgroup_v2",
                            "memory_read": "4294967296", "memory_via": "cgroup_v2", "pids_read": "512",
                            "pids_via": "cgroup_v2", "v2_cgroup": "/sys/fs/cgroup/ai4sci-@CG@-0"},
        "sandbox_processes_started": "@PROCS@", "tmp_size_bytes": 268435456,
        "uid_map": ["      1000    1999999          1"],
        "verification": "read back from /proc/PID/{status,ns,mountinfo,cgroup,limits,uid_map} of the agent, parked "
                        "after its last setup step and before exec",
    })
    text = pretty(e, "  ").replace("{", "{{").replace("}", "}}")
    for name in ["OOM", "CGMEM", "PID", "PROCS"]:
        text = text.replace('"@%s@"' % name, "{%s}" % name)
    for name in ["WS", "CG", "NSPID"] + ["NS%d" % i for i in range(6)]:
        text = text.replace("@%s@" % name, "{%s}" % name)
    return text


# ---------------------------------------------------------------- one item

class Gen:
    def __init__(self, a):
        self.a = a
        self.tasks = make_tasks(a.tasks, a.seed)
        self.qlogit = logit(a.quality)
        self.task_tmpl = task_evidence_template()
        self.seccomp_sandbox = Raw(pretty(seccomp_evidence(), "  "))
        self.degraded_sandbox = Raw(pretty(seccomp_evidence(
            ["task: step clone_namespaces failed: the sandbox primitive clone_namespaces could not be applied: "
             "Operation not permitted; run `ai4sci-bench sandbox check`, or pass --allow-degraded to run with a "
             "lower mode"]), "  "))
        self.agent_block = Raw(pretty({
            "command_template": a.command_template, "name": a.agent, "pass_env": ["ANTHROPIC_API_KEY"],
            "read_only_binds": ["/opt/agents", "/opt/python"]}, "  "))
        self.lanes = [START_EPOCH] * JOBS
        self.counts = {}

    def item(self, idx, task, inst_seed, level, rep):
        """One result and its captures as [(relative path, bytes, sha256 or None)].

        `common` draws depend on (seed, task, instance, level) only, so every agent sees the same item; `mine`
        draws belong to this agent and repeat."""
        a = self.a
        tid = task["id"]
        variant = "seed%d" % inst_seed
        iid = "%s__%s__%s" % (tid, variant, level) + ("__r%d" % rep if a.repeats > 1 else "")
        common = random.Random("item|%d|%s|%d|%s" % (a.seed, tid, inst_seed, level))
        mine = random.Random("agent|%d|%s|%s|%d|%s|%d" % (a.seed, a.agent, tid, inst_seed, level, rep))
        latent = (self.qlogit - task["difficulty"] + LEVEL_EFFECT[level] + common.gauss(0, 0.7)
                  + mine.gauss(0, 0.35) + 0.4)
        comp_noise = [common.gauss(0, 0.6) for _ in task["components"]]
        u_invalid, u_hard, u_hard_kind, u_soft = common.random(), common.random(), common.random(), common.random()

        # What the agent process did.
        u = mine.random()
        p_fail = 0.08 * (1.5 - a.quality) / 0.8
        if u < 0.01:
            status = "refused"
        elif u < 0.01 + p_fail:
            status = "timeout" if mine.random() < 0.4 else "failed"
        else:
            status = "completed"

        # Sandbox provenance.
        u_sb = mine.random()
        if status == "refused":
            prov = (a.sandbox, "none", "refused", "not_applicable")
        elif a.sandbox == "task" and u_sb < 0.03:
            prov = ("task", "seccomp", "degraded", "verified")
        elif a.sandbox == "seccomp":
            prov = ("seccomp", "seccomp", "enforced", "verified")
        else:
            prov = ("task", "task", "enforced", "verified")

        # Agent stdout (generic events) and stderr.
        observed = status != "refused" and mine.random() < 0.9
        lines = []
        counts = {}

        def ev(obj):
            lines.append(compact(obj))
            counts[obj["type"]] = counts.get(obj["type"], 0) + 1

        usage = {"coverage": "unknown"}
        non_json = 0
        if status != "refused":
            ev({"type": "step", "message": "read the task statement", "files": ["prompt.md", "data/"]})
            for k in range(mine.randint(1, 4)):
                cmd = mine.choice(["python3 solver.py", "python3 -c 'import numpy; print(numpy.__version__)'",
                                   "ls -la data/", "cat data/params.json", "python3 check_outputs.py"])
                ev({"type": "tool_call", "name": "bash", "description": "step %d" % (k + 1), "input": {"command": cmd}})
                ev({"type": "tool_result", "name": "bash", "exit_code": 0 if mine.random() < 0.85 else 1,
                    "output": "" if mine.random() < 0.5 else "ok"})
            if mine.random() < 0.05:
                lines.append("Loading configuration from agent.toml")
                non_json = 1
            if status == "completed":
                ev({"type": "step", "message": "done"})
            if observed:
                scale = {"b1": 1.0, "b2": 1.3, "b3": 1.7, "b4": 2.2}[level]
                inp = int(mine.lognormvariate(math.log(40000 * scale), 0.6))
                out = int(mine.lognormvariate(math.log(6000 * scale), 0.7))
                cost = round(inp * 3e-6 + out * 15e-6, 6)
                e = {"type": "usage", "input_tokens": inp, "output_tokens": out, "cost_usd": cost}
                usage = {"coverage": "observed", "input_tokens": inp, "output_tokens": out, "cost_usd": cost,
                         "source": "generic"}
                if mine.random() < 0.3:
                    cache = int(inp * mine.uniform(0.2, 0.8))
                    e["cache_read_tokens"] = cache
                    usage["cache_read_tokens"] = cache
                ev(e)
        stdout = ("\n".join(lines) + "\n").encode() if lines else b""
        if status == "failed":
            stderr = ("Traceback (most recent call last):\n  File \"solver.py\", line %d, in <module>\n"
                      "ValueError: operands could not be broadcast together\n" % mine.randint(10, 300)).encode()
        elif status != "refused" and mine.random() < 0.2:
            stderr = b"warning: RuntimeWarning: overflow encountered in multiply\n"
        else:
            stderr = b""
        agent_output = {"event_counts": counts, "json_events": len(lines) - non_json, "lines": len(lines),
                        "non_json_lines": non_json, "truncated": False, "usage": usage}

        # Timing and resources.
        wall = {"completed": mine.lognormvariate(math.log(90), 0.8), "failed": mine.uniform(2, 200),
                "timeout": a.timeout + mine.uniform(0.01, 0.5), "refused": 0.0}[status]
        wall = min(wall, a.timeout - 1) if status == "completed" else wall
        ws_s = mine.uniform(0.001, 0.05)
        agent_s = wall + mine.uniform(0.002, 0.02) if status != "refused" else mine.uniform(0.001, 0.01)
        score_s = mine.uniform(0.001, 0.2) if status != "refused" else 0.0
        lane = idx % JOBS
        t0 = self.lanes[lane]
        t1 = t0 + ws_s + agent_s + score_s + mine.uniform(0.001, 0.01)
        self.lanes[lane] = t1 + mine.uniform(0.01, 0.5)
        timing = {"agent_seconds": agent_s, "finished_at": iso(t1), "scoring_seconds": score_s, "started_at": iso(t0),
                  "workspace_seconds": ws_s}
        resources = None
        procs = mine.randint(1, 40)
        cgmem = mine.randint(20, 900) * 1048576
        if status != "refused":
            resources = {"cpu_system_seconds": round(wall * mine.uniform(0.01, 0.1), 6),
                         "cpu_user_seconds": round(wall * mine.uniform(0.05, 0.9), 6),
                         "leftover_processes_killed": 0 if mine.random() < 0.95 else mine.randint(1, 3),
                         "peak_rss_bytes": mine.randint(20, 800) * 1048576, "stderr_bytes": len(stderr),
                         "stderr_truncated": False, "stdout_bytes": len(stdout), "stdout_truncated": False,
                         "timed_out": status == "timeout", "wall_seconds": round(wall, 6),
                         "workspace_bytes": mine.randint(5000, 5000000)}
            if status == "timeout":
                resources["signal"] = 9
            else:
                resources["exit_code"] = 3 if status == "failed" else 0
            if prov[1] == "task":
                resources.update({"processes_started": procs, "cgroup_peak_memory_bytes": cgmem, "oom_kills": 0})

        # Evaluation.
        comps, gates, soft, hard_ok, final, message = [], [], [], None, None, None
        outcome = "scored"
        if status == "refused":
            outcome = "evaluation_invalid"
            # mount_binds is an agent-side step: --allow-degraded does not fall back from it.
            message = "sandbox refused the run at step mount_binds: launch step mount_binds failed (/opt/agents): " \
                      "No such file or directory"
        else:
            # An agent that failed usually left no outputs; what it left is still evaluated for diagnosis.
            missing = status != "completed" and mine.random() < 0.7
            p_hard = sigmoid(-latent - 2.3)
            hard_kind = None
            if missing:
                hard_kind = "missing"
            elif u_hard < p_hard:
                hard_kind = "nan" if u_hard_kind < 0.15 else ("missing_one" if u_hard_kind < 0.3 else "shape")
            gates = self.gates(task, hard_kind, common, mine)
            hard_ok = hard_kind is None
            soft_fail = missing or (u_soft < 0.04 + 0.1 * sigmoid(-latent))
            gates.append(self.soft_gate(task, missing, soft_fail))
            if soft_fail:
                soft.append("code_analysis")
            invalid = hard_ok and u_invalid < 0.03
            if hard_ok:
                comps = self.components(task, latent, comp_noise, mine, invalid, soft_fail)
            if invalid:
                outcome = "evaluation_invalid"
                bad = comps[0]
                message = "evaluation invalid: scorer %s (scorer numerical): %s" % (_enc_str(bad["name"]), bad["message"])
            elif status != "completed":
                outcome = "agent_failed"
                final = 0
                message = ("timeout after %d s" % a.timeout) if status == "timeout" else \
                    "agent exited 3 after %.1f s" % wall
            elif not hard_ok:
                final = 0
            else:
                final = 100.0 * sum(c["score"] for c in comps) / sum(c["weight"] for c in comps)
        # As RunMetadata.finish counts: per outcome and per "agent_status_<status>".
        self.counts[outcome] = self.counts.get(outcome, 0) + 1
        self.counts["agent_status_" + status] = self.counts.get("agent_status_" + status, 0) + 1

        # Sandbox evidence.
        if prov[2] == "refused":
            ev_ = base_evidence(profile=True)
            ev_.update({"refused_step": "mount_binds", "refused_errno": 2})
            sandbox = Raw(pretty(ev_, "  "))
        elif prov[1] == "task":
            pid = mine.randint(1000, 4000000)
            ns = {"NS%d" % i: 4026532000 + mine.randint(100, 999) * 10 + i for i in range(6)}
            sandbox = Raw(self.task_tmpl.format(OOM=0, CGMEM=cgmem, PID=pid, PROCS=procs, WS=iid, CG="%d-%d" % (pid - 1, idx),
                                                NSPID=pid + 1, **ns))
        elif prov[2] == "degraded":
            sandbox = self.degraded_sandbox
        else:
            sandbox = self.seccomp_sandbox

        base = "%s/%s" % (tid, iid)
        art = [{"bytes": len(stdout), "path": base + ".agent_stdout.jsonl", "sha256": hashlib.sha256(stdout).hexdigest()},
               {"bytes": len(stderr), "path": base + ".agent_stderr.log",
                "sha256": hashlib.sha256(stderr).hexdigest() if stderr else EMPTY_SHA}]
        doc = {
            "agent": self.agent_block, "agent_output": agent_output, "agent_status": status, "artifacts": art,
            "attempt": 1, "component_scores": comps, "effective_mode": prov[1], "enforcement_status": prov[2],
            "final_score": final, "gate_results": gates, "hard_gates_passed": hard_ok,
            "instance": {"name": "%s__%s" % (tid, variant), "params_used": params_used(task, inst_seed), "variant": variant},
            "instance_id": iid, "max_possible_score": 100, "message": message, "outcome": outcome, "prompt_level": level,
            "requested_mode": prov[0], "resources": resources, "result_schema_version": 1, "sandbox": sandbox,
            "schema": "ai4sci_bench_instance_result", "soft_gate_failures": soft, "task_hash": task["hash"],
            "task_id": tid, "task_version": task["version"], "timing": timing, "usage": usage,
            "verification_status": prov[3],
        }
        result = pretty(doc).encode()
        return [(base + ".agent_stdout.jsonl", stdout, art[0]["sha256"]),
                (base + ".agent_stderr.log", stderr, art[1]["sha256"]),
                (base + ".json", result, None)]

    def gates(self, task, kind, common, mine):
        files = [c["name"] + ".npy" for c in task["components"]]
        checks = [{"file": "solver.py", "passed": kind != "missing"}]
        if kind == "missing":
            checks[0]["message"] = "File not found: solver.py"
        msgs = [] if kind != "missing" else ["File not found: solver.py"]
        broken = common.randrange(len(files))
        for i, (c, f) in enumerate(zip(task["components"], files)):
            shape = c["shape"]
            chk = {"file": f, "passed": True}
            if kind == "missing" or (kind == "missing_one" and i == broken):
                chk.update(passed=False, message="File not found: " + f)
            else:
                actual = list(shape)
                if kind == "shape" and i == broken:
                    actual[0] = max(1, actual[0] // 2) if actual[0] > 1 else 2
                chk.update(actual_dtype="float64", actual_shape=actual, expected_dtype="float64", expected_shape=shape)
                if actual != shape:
                    chk.update(passed=False, message="%s: shape %s expected %s" % (f, shape_text(actual), shape_text(shape)))
            if not chk["passed"]:
                msgs.append(chk["message"])
            checks.append(chk)
        present = sum(1 for c in checks[1:] if "actual_shape" in c)
        if kind == "nan":
            nan = {"check": "no_nan_inf", "passed": False, "message": "NaN found in " + files[broken]}
            msgs.append(nan["message"])
            checks.append(nan)
        else:
            checks.append({"check": "no_nan_inf", "files_checked": present, "passed": True, "unreadable": []})
        out = [{"details": {"checks": checks, "scoring_mode": "all_or_nothing"}, "message": "; ".join(msgs),
                "name": "file_match", "passed": not msgs, "score": 0 if msgs else 1, "scorer": "file_match",
                "severity": "hard"}]
        if task["value_range"]:
            rc = []
            for c, f in list(zip(task["components"], files))[:2]:
                if kind == "missing" or (kind == "missing_one" and f == files[broken]):
                    rc.append({"check": "value_range", "file": f, "message": "File not found: " + f, "passed": False})
                else:
                    lo = round(mine.uniform(0, 0.3), 6)
                    rc.append({"actual_max": round(lo + mine.uniform(0.5, 2), 6), "actual_min": lo, "check": "value_range",
                               "file": f, "passed": True})
            m = "; ".join(x["message"] for x in rc if not x["passed"])
            out.append({"details": {"checks": rc, "scoring_mode": "all_or_nothing"}, "message": m, "name": "file_match#2",
                        "passed": not m, "score": 0 if m else 1, "scorer": "file_match", "severity": "hard"})
        return out

    def soft_gate(self, task, missing, failed):
        pat = task["patterns"][0]
        if missing:
            msg = "Target file not found: solver.py"
            return {"details": {"error": msg}, "message": msg, "name": "code_analysis", "passed": False, "score": 0,
                    "scorer": "code_analysis", "severity": "soft"}
        chk = {"count": 0 if failed else 3, "passed": not failed, "pattern": pat}
        msg = ""
        if failed:
            msg = "Pattern '%s' found 0 times, need >= 1" % pat
            chk["message"] = msg
        return {"details": {"checks": [chk], "scoring_mode": "all_or_nothing", "target_file": "solver.py"},
                "message": msg, "name": "code_analysis", "passed": not failed, "score": 0 if failed else 1,
                "scorer": "code_analysis", "severity": "soft"}

    def components(self, task, latent, noise, mine, invalid, soft_fail):
        out = []
        for j, c in enumerate(task["components"]):
            w, full, zero, metric = c["weight"], c["full"], c["zero"], c["metric"]
            pred = c["name"] + ".npy"
            if invalid and j == 0:
                msg = "cannot read reference file reference/%s: unsupported dtype '<U8'" % pred
                out.append({"details": {"error": msg, "scorer_internal_error": True}, "max_score": w, "message": msg,
                            "name": c["name"], "passed": False, "score": 0, "scorer": "numerical", "weight": w})
                continue
            f = sigmoid(1.4 * (latent + noise[j]) + mine.gauss(0, 0.25))
            if f > 0.9:
                raw, err = 1, full * mine.uniform(0.05, 1.0)
            elif f < 0.1:
                raw, err = 0, zero * mine.uniform(1.0, 4.0)
            else:
                raw = (f - 0.1) / 0.8
                err = full + (1 - raw) * (zero - full)
                raw = 1 - (err - full) / (zero - full)  # as ErrorScoring recomputes it
            score = raw * w
            key = "relative_l2" if metric == "relative_l2" else "max_relative_error"
            out.append({
                "details": {"full_score_threshold": full, "pred_file": pred, "raw_fraction": raw, key: err,
                            "scoring_mode": "linear_interpolation", "zero_score_threshold": zero},
                "max_score": w,
                "message": "%s=%.6f; score=%.2f/%.2f; linear interpolation with full<=%.6f, zero>=%.6f"
                           % (metric, err, score, w, full, zero),
                "name": c["name"], "passed": True, "score": score, "scorer": "numerical", "weight": w})
        if task["code_weight"]:
            w = task["code_weight"]
            checks = []
            for k, pat in enumerate(task["patterns"]):
                ok = not (soft_fail and k == 0) and not (k == 1 and mine.random() < 0.05)
                chk = {"count": mine.randint(1, 12) if ok else 0, "passed": ok, "pattern": pat}
                if not ok:
                    chk["message"] = "Pattern '%s' found 0 times, need >= 1" % pat
                checks.append(chk)
            passed = [x for x in checks if x["passed"]]
            out.append({"details": {"checks": checks, "scoring_mode": "per_check", "target_file": "solver.py"},
                        "max_score": w, "message": "; ".join(x["message"] for x in checks if not x["passed"]),
                        "name": "code_analysis", "passed": len(passed) == len(checks),
                        "score": w * len(passed) / len(checks), "scorer": "code_analysis", "weight": w})
        return out


def shape_text(s):
    return "(%d,)" % s[0] if len(s) == 1 else "(" + ", ".join(str(x) for x in s) + ")"


# ---------------------------------------------------------------- driver

def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--count", type=int, required=True, help="number of result files")
    p.add_argument("--output-dir", required=True)
    p.add_argument("--agent", default="synthetic")
    p.add_argument("--seed", type=int, default=1, help="generator seed; same seed = paired items across agents")
    p.add_argument("--tasks", type=int, default=40)
    p.add_argument("--quality", type=float, default=0.7, help="0..1, shifts the score distribution")
    p.add_argument("--base-seed", type=int, default=42, help="instance seeds start here (variant seed<N>)")
    p.add_argument("--repeats", type=int, default=1, help="K > 1 adds __r1..__rK to the instance ids")
    p.add_argument("--model", help="recorded as agent_config.model")
    p.add_argument("--sandbox", choices=["task", "seccomp"], default="task")
    p.add_argument("--timeout", type=int, default=600)
    a = p.parse_args()
    if a.count < 1 or a.tasks < 1 or a.repeats < 1 or not 0 <= a.quality <= 1:
        p.error("--count, --tasks and --repeats must be positive and --quality within [0, 1]")
    a.command_template = "python3 /opt/agents/%s.py --workspace {workspace} --prompt {prompt_file}" % a.agent
    out = a.output_dir
    if os.path.exists(out) and os.listdir(out):
        p.error("%s exists and is not empty" % out)
    t_start = time.time()
    g = Gen(a)
    per_instance = len(g.tasks) * len(LEVELS) * a.repeats
    ipt = -(-a.count // per_instance)
    os.makedirs(out, exist_ok=True)
    made = set()
    entries = []  # (path, bytes, sha256)
    n = 0
    for i in range(ipt):
        for t in g.tasks:
            for level in LEVELS:
                for rep in range(1, a.repeats + 1):
                    if n == a.count:
                        break
                    if t["id"] not in made:
                        os.mkdir(os.path.join(out, t["id"]))
                        made.add(t["id"])
                    for rel, data, sha in g.item(n, t, a.base_seed + i, level, rep):
                        fd = os.open(os.path.join(out, rel), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
                        if data:
                            os.write(fd, data)
                        os.close(fd)
                        entries.append((rel, len(data), sha or hashlib.sha256(data).hexdigest()))
                    n += 1

    hashes = sorted(t["hash"] for t in g.tasks)
    meta = {
        "agent": a.agent,
        "agent_config": {"command_template": a.command_template, "pass_env": ["ANTHROPIC_API_KEY"]},
        "benchmark_version": "tasks:" + hashlib.sha256(compact(hashes).encode()).hexdigest()[:12],
        "command_line": ["ai4sci-bench", "run", "--tasks-dir", "Tasks", "--prompt-levels", ",".join(LEVELS),
                         "--instances-per-task", str(ipt), "--seed", str(a.base_seed), "--agent-cmd", a.command_template,
                         "--agent-name", a.agent, "--sandbox", a.sandbox, "--allow-degraded", "--timeout",
                         str(a.timeout), "--pass-env", "ANTHROPIC_API_KEY", "--output-dir", out],
        "counts": dict(g.counts, items=n),
        "finished_at": iso(max(g.lanes)),
        "framework_version": FRAMEWORK_VERSION,
        "host": HOST,
        "instances_per_task": ipt,
        "prompt_levels": LEVELS,
        "result_schema_version": 1,
        "sandbox": a.sandbox,
        "schema": "ai4sci_bench_run_metadata",
        "seed": a.base_seed,
        "started_at": iso(START_EPOCH),
        "status": "finished",
        "tasks": [{"hash": t["hash"], "id": t["id"], "status": t["status"], "version": t["version"]} for t in g.tasks],
        "timeout_seconds": a.timeout,
    }
    if a.model:
        meta["agent_config"]["model"] = a.model
    data = pretty(meta).encode()
    with open(os.path.join(out, "run_metadata.json"), "wb") as f:
        f.write(data)
    entries.append(("run_metadata.json", len(data), hashlib.sha256(data).hexdigest()))

    # manifest.json, byte for byte as Manifest.write lays it out.
    keys = ["agent", "agent_config", "sandbox", "seed", "prompt_levels", "instances_per_task", "instances_dir",
            "timeout_seconds", "benchmark_version", "tasks", "command_line", "framework_version"]
    config = {k: meta[k] for k in keys if k in meta}
    entries.sort()
    parts = ['{\n  "artifacts" : [']
    parts.append(",".join('\n    {"bytes":%d,"path":%s,"sha256":"%s"}' % (b, _enc_str(rel), sha) for rel, b, sha in entries))
    parts.append("\n  ]")
    tail = [("config", config), ("config_hash", hashlib.sha256(compact(config).encode()).hexdigest()),
            ("created_at", iso(max(g.lanes) + 0.2)), ("framework_version", FRAMEWORK_VERSION), ("host", HOST),
            ("kind", "run"), ("plan_hash", None), ("schema", "ai4sci_bench_manifest"), ("schema_version", 1)]
    for k, v in tail:
        parts.append(",\n  %s : %s" % (_enc_str(k), compact(v)))
    parts.append("\n}\n")
    with open(os.path.join(out, "manifest.json"), "w", encoding="utf-8") as f:
        f.write("".join(parts))
    total = sum(b for _, b, _ in entries)
    print("%s: %d result(s), %d file(s) + manifest.json, %.1f MB, %.1f s" % (
        out, n, len(entries), total / 1e6, time.time() - t_start), file=sys.stderr)


if __name__ == "__main__":
    main()
