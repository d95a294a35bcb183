// Task mode, the launcher's side: per-run cgroups, the workspace handed to the sandbox's uid, the
// sandbox's PID 1 cloned into new namespaces (taskchild.c), its id maps, and the read-back of the
// parked agent's /proc before it may exec. The launcher itself refuses (step "verify") when the
// read-back shows a shared namespace, a capability, uid 0, or a missing seccomp filter/no_new_privs.
// After the run: the pid namespace is gone once PID 1 is reaped, the cgroups are emptied and
// removed, the workspace is given back to the runner's uid and the new root's mountpoint removed.
#include "task.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

struct task_ctx {
    struct sx_options o;        // a copy: rlimit fallbacks are added to it
    struct sx_cgroup cg;
    char root[64];              // the new root's mountpoint (empty dir, launcher-private)
    uid_t outside_uid;
    gid_t outside_gid;
    bool chowned;
};

static uid_t chown_uid;
static gid_t chown_gid;
static int chown_one(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
    (void)st; (void)flag; (void)ftw;
    lchown(path, chown_uid, chown_gid);
    return 0;
}

/// Gives every file under the --rw paths to uid:gid (no symlinks followed, no other filesystem).
static int chown_tree(const struct sx_options *o, uid_t uid, gid_t gid) {
    chown_uid = uid;
    chown_gid = gid;
    for (int i = 0; i < o->rw_count; i++)
        if (nftw(o->rw_paths[i], chown_one, 32, FTW_PHYS | FTW_MOUNT) != 0) return -1;
    return 0;
}

static bool add_rlimit(struct sx_options *o, int resource, uint64_t value) {
    if (o->rlimit_count == SX_MAX_RLIMITS) return false;
    struct rlimit cur;
    rlim_t v = (rlim_t)value;
    if (getrlimit(resource, &cur) == 0 && cur.rlim_max != RLIM_INFINITY && v > cur.rlim_max) v = cur.rlim_max;
    o->rlimits[o->rlimit_count++] = (struct sx_rlimit){ resource, sx_rlimit_name(resource), v, v };
    return true;
}

static void cleanup(struct task_ctx *t, bool *cgroup_empty) {
    bool empty = sx_cgroup_destroy(&t->cg);
    if (cgroup_empty) *cgroup_empty = empty;
    if (t->chowned) chown_tree(&t->o, getuid(), getgid());
    if (t->root[0]) rmdir(t->root);
}

static int refuse_task(struct task_ctx *t, struct sx_state *s, pid_t init, const char *step, int err, const char *detail) {
    if (init > 0) {
        kill(init, SIGKILL);
        while (waitpid(init, NULL, __WALL) < 0 && errno == EINTR) {}
        sx_drain_outputs(s);
    }
    cleanup(t, NULL);
    return sx_refuse(s, step, err, detail);
}

/// The one live descendant of PID 1 (the parked agent), or -1. With the proxy relay, PID 1 forked the
/// relay first (pid 2 inside the fresh pid namespace), so the agent is the other one.
static pid_t find_agent(struct sx_state *s, pid_t init, bool relay) {
    int n = sx_list_descendants(init, &s->scan, &s->scan_cap);
    if (!relay) return n == 1 ? s->scan[0] : -1;
    if (n != 2) return -1;
    static const char *const nspid[] = { "NSpid" };
    pid_t agent = -1;
    for (int i = 0; i < 2; i++) {
        char v[1][80];
        if (sx_read_proc_status(s->scan[i], nspid, v, 1) != 1) return -1;
        const char *last = strrchr(v[0], '\t');
        last = last ? last + 1 : v[0];
        if (atoi(last) != 2) {
            if (agent > 0) return -1;
            agent = s->scan[i];
        }
    }
    return agent;
}

static bool ns_inode(pid_t pid, const char *ns, char *out, size_t len) {
    char p[64];
    if (pid) snprintf(p, sizeof p, "/proc/%d/ns/%s", (int)pid, ns);
    else snprintf(p, sizeof p, "/proc/self/ns/%s", ns);
    ssize_t n = readlink(p, out, len - 1);
    if (n < 0) return false;
    out[n] = 0;
    return true;
}

/// Appends the lines of a /proc file as a JSON array of strings (mountinfo: "MOUNTPOINT OPTIONS").
static void json_lines(struct sx_json *j, const char *key, pid_t pid, const char *file, bool mountinfo) {
    char p[64], line[4096];
    snprintf(p, sizeof p, "/proc/%d/%s", (int)pid, file);
    sx_json_open(j, key, '[');
    FILE *f = fopen(p, "re");
    while (f && fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = 0;
        if (mountinfo) {
            char mp[PATH_MAX], opts[512], out[PATH_MAX + 520];
            if (sscanf(line, "%*s %*s %*s %*s %4095s %511s", mp, opts) != 2) continue;
            snprintf(out, sizeof out, "%s %s", mp, opts);
            sx_json_array_string(j, out);
        } else {
            sx_json_array_string(j, line);
        }
    }
    if (f) fclose(f);
    sx_json_close(j, ']');
}

static const char *const status_fields[] = { "Uid", "Gid", "CapEff", "CapPrm", "CapBnd", "CapAmb", "NoNewPrivs",
    "Seccomp", "Seccomp_filters", "NSpid" };
enum { nstatus = sizeof status_fields / sizeof status_fields[0] };
static const char *const ns_names[] = { "user", "pid", "net", "mnt", "ipc", "uts" };

/// Checks the parked agent; on failure fills `why` and returns false.
static bool verify_agent(const struct task_ctx *t, pid_t agent, char values[][80], char *why, size_t len, bool filter) {
    if (sx_read_proc_status(agent, status_fields, values, nstatus) < 0) { snprintf(why, len, "/proc/%d/status unreadable", (int)agent); return false; }
    for (int i = 0; i < 6; i++) {
        char mine[64], theirs[64];
        if (!ns_inode(0, ns_names[i], mine, sizeof mine) || !ns_inode(agent, ns_names[i], theirs, sizeof theirs) ||
            strcmp(mine, theirs) == 0) { snprintf(why, len, "%s namespace not separate", ns_names[i]); return false; }
    }
    if (strcmp(values[2], "0000000000000000") != 0 || strcmp(values[3], "0000000000000000") != 0) {
        snprintf(why, len, "capabilities left: CapEff %s CapPrm %s", values[2], values[3]);
        return false;
    }
    if (atoi(values[0]) == 0 || (unsigned)atoi(values[0]) != (unsigned)t->outside_uid) {
        snprintf(why, len, "uid is %s", values[0]);
        return false;
    }
    if (strcmp(values[6], "1") != 0) { snprintf(why, len, "NoNewPrivs is %s", values[6]); return false; }
    if (filter && strcmp(values[7], "2") != 0) { snprintf(why, len, "Seccomp is %s", values[7]); return false; }
    return true;
}

static void report_task_setup(struct task_ctx *t, pid_t init, pid_t agent, char values[][80], const char *landlock, size_t bpf_bytes) {
    struct sx_json j;
    sx_json_begin(&j);
    sx_json_string(&j, "type", "setup");
    sx_json_bool(&j, "ok", true);
    sx_json_int(&j, "pid", agent);
    sx_json_int(&j, "init_pid", init);
    sx_json_int(&j, "launcher_pid", getpid());
    const char *names[40];
    sx_task_step_names(names, 40);
    sx_json_open(&j, "steps", '[');
    for (int i = 0; names[i]; i++) sx_json_array_string(&j, names[i]);
    sx_json_close(&j, ']');
    sx_json_bool(&j, "proc_status_read", true);
    sx_json_open(&j, "proc_status", '{');
    for (int i = 0; i < nstatus; i++)
        if (values[i][0]) sx_json_string(&j, status_fields[i], values[i]);
    sx_json_close(&j, '}');
    sx_json_open(&j, "namespaces", '{');
    for (int i = 0; i < 6; i++) {
        char mine[64] = "", theirs[64] = "";
        ns_inode(0, ns_names[i], mine, sizeof mine);
        ns_inode(agent, ns_names[i], theirs, sizeof theirs);
        sx_json_open(&j, ns_names[i], '{');
        sx_json_string(&j, "launcher", mine);
        sx_json_string(&j, "agent", theirs);
        sx_json_close(&j, '}');
    }
    sx_json_close(&j, '}');
    json_lines(&j, "uid_map", agent, "uid_map", false);
    json_lines(&j, "gid_map", agent, "gid_map", false);
    json_lines(&j, "cgroup_membership", agent, "cgroup", false);
    json_lines(&j, "mountinfo", agent, "mountinfo", true);
    sx_json_open(&j, "limits", '{');
    for (int i = 0; i < t->o.rlimit_count; i++) {
        char v[80];
        if (sx_read_proc_limit(agent, sx_rlimit_label(t->o.rlimits[i].resource), v, sizeof v))
            sx_json_string(&j, t->o.rlimits[i].name, v);
    }
    sx_json_close(&j, '}');
    sx_json_open(&j, "resource_limits", '{');
    sx_json_int(&j, "cgroup_version", t->cg.version);
    sx_json_string(&j, "memory_via", t->cg.memory_via);
    sx_json_string(&j, "memory_read", t->cg.memory_read);
    sx_json_string(&j, "pids_via", t->cg.pids_via);
    sx_json_string(&j, "pids_read", t->cg.pids_read);
    sx_json_string(&j, "cpu_via", t->cg.cpu_via);
    sx_json_string(&j, "cpu_read", t->cg.cpu_read);
    sx_json_string(&j, "v2_cgroup", t->cg.v2);
    sx_json_close(&j, '}');
    sx_json_string(&j, "landlock", landlock);
    sx_json_int(&j, "outside_uid", (long long)t->outside_uid);
    sx_json_int(&j, "tmp_size_bytes", (long long)t->o.tmp_size);
    sx_json_int(&j, "seccomp_bpf_bytes", (long long)bpf_bytes);
    sx_json_end(&j);
}

int sx_run_task(const struct sx_options *opts, struct sx_state *s, const struct sock_fprog *filter, size_t bpf_bytes) {
    static struct task_ctx t;
    memset(&t, 0, sizeof t);
    t.o = *opts;
    bool root = getuid() == 0;
    t.outside_uid = root ? SX_OUTSIDE_ID : getuid();
    t.outside_gid = root ? SX_OUTSIDE_ID : getgid();
    struct sx_failure f;

    if (root && setgroups(0, NULL) != 0) return sx_refuse(s, "setgroups", errno, "supplementary groups");
    snprintf(t.root, sizeof t.root, "/tmp/ai4sci-root-XXXXXX");
    if (!mkdtemp(t.root)) { t.root[0] = 0; return sx_refuse(s, "root_dir", errno, "/tmp"); }
    if (sx_cgroup_create(&t.o, &t.cg, &f) != 0) return refuse_task(&t, s, 0, f.step, f.err, f.detail);
    if (strcmp(t.cg.memory_via, "rlimit") == 0) add_rlimit(&t.o, RLIMIT_AS, t.o.memory);
    if (strcmp(t.cg.pids_via, "rlimit") == 0) add_rlimit(&t.o, RLIMIT_NPROC, t.o.pids);
    if (root) {
        t.chowned = true;
        if (chown_tree(&t.o, t.outside_uid, t.outside_gid) != 0) return refuse_task(&t, s, 0, "chown_workspace", errno, NULL);
    }
    if (t.o.proxy_socket) {
        struct stat st;
        sx_proxy_fd = open(t.o.proxy_socket, O_PATH | O_CLOEXEC);
        if (sx_proxy_fd < 0) return refuse_task(&t, s, 0, "proxy_socket", errno, t.o.proxy_socket);
        if (fstat(sx_proxy_fd, &st) != 0 || !S_ISSOCK(st.st_mode))
            return refuse_task(&t, s, 0, "proxy_socket", ENOTSOCK, t.o.proxy_socket);
    }
    int outp[2], errp[2], statusp[2], syncp[2], gop[2], exitp[2];
    if (pipe2(outp, O_CLOEXEC) || pipe2(errp, O_CLOEXEC) || pipe2(statusp, O_CLOEXEC) || pipe2(syncp, O_CLOEXEC) ||
        pipe2(gop, O_CLOEXEC) || pipe2(exitp, O_CLOEXEC))
        return refuse_task(&t, s, 0, "pipes", errno, NULL);

    s->t_start = sx_now();
    if (sx_simulated_failure(&t.o, "clone_namespaces")) return refuse_task(&t, s, 0, "clone_namespaces", EPERM, "simulated");
    // (clone3 with CLONE_INTO_CGROUP was measured here: ~10 ms slower than clone + cgroup.procs.)
    pid_t init = (pid_t)syscall(SYS_clone, SX_NS_FLAGS | SIGCHLD, 0, 0, 0, 0);
    if (init < 0) return refuse_task(&t, s, 0, "clone_namespaces", errno, NULL);
    if (init == 0) sx_task_child(&t.o, t.root, outp[1], errp[1], statusp[1], syncp[0], gop[0], exitp[1], filter);
    s->child = init;
    if (sx_proxy_fd >= 0) { close(sx_proxy_fd); sx_proxy_fd = -1; }
    close(outp[1]); close(errp[1]); close(statusp[1]); close(syncp[0]); close(gop[0]); close(exitp[1]);
    s->out.pipe_fd = outp[0];
    s->err.pipe_fd = errp[0];
    fcntl(s->out.pipe_fd, F_SETFL, O_NONBLOCK);
    fcntl(s->err.pipe_fd, F_SETFL, O_NONBLOCK);

    if (sx_write_id_maps(init, t.outside_uid, t.outside_gid, &f) != 0) return refuse_task(&t, s, init, f.step, f.err, f.detail);
    if (sx_cgroup_attach(&t.cg, init, false, &f) != 0) return refuse_task(&t, s, init, f.step, f.err, f.detail);
    if (write(syncp[1], "x", 1) != 1) return refuse_task(&t, s, init, "sync", errno, NULL);
    close(syncp[1]);

    size_t got = sx_read_failure(statusp[0], &f);
    f.step[sizeof f.step - 1] = 0;
    f.detail[sizeof f.detail - 1] = 0;
    if (got != sizeof f) return refuse_task(&t, s, init, got ? "status_pipe" : "init", got ? EPROTO : ECHILD, "the sandbox's PID 1 ended during setup");
    if (strcmp(f.step, "ready") != 0) return refuse_task(&t, s, init, f.step, f.err, f.detail);
    char landlock[sizeof f.detail];
    snprintf(landlock, sizeof landlock, "%s", f.detail);

    pid_t agent = find_agent(s, init, t.o.proxy_port != 0);
    char values[nstatus][80], why[200];
    if (agent <= 0) return refuse_task(&t, s, init, "verify", ESRCH, "the parked agent was not found below PID 1");
    if (sx_simulated_failure(&t.o, "verify")) return refuse_task(&t, s, init, "verify", EPERM, "simulated");
    if (!verify_agent(&t, agent, values, why, sizeof why, filter != NULL)) return refuse_task(&t, s, init, "verify", EPERM, why);
    report_task_setup(&t, init, agent, values, landlock, bpf_bytes);
    if (write(gop[1], "x", 1) != 1) return refuse_task(&t, s, init, "verify", errno, "go");
    close(gop[1]);
    got = sx_read_failure(statusp[0], &f);
    close(statusp[0]);
    if (got > 0) {
        f.step[sizeof f.step - 1] = 0;
        f.detail[sizeof f.detail - 1] = 0;
        return refuse_task(&t, s, init, got == sizeof f ? f.step : "status_pipe", f.err, f.detail);
    }

    bool timed_out, cancelled;
    const char *status = sx_supervise(&t.o, s, &timed_out, &cancelled);
    // PID 1's status is not the agent's: PID 1 passes the agent's wait status on (absent when
    // PID 1 itself was killed, e.g. at the end of a timeout).
    int rec[2] = {0, -1};
    fcntl(exitp[0], F_SETFL, O_NONBLOCK);
    if (read(exitp[0], rec, sizeof rec) == (ssize_t)sizeof rec) {
        int agent_status = rec[0];
        s->child_status = agent_status;
        if (!timed_out && !cancelled)
            status = (WIFEXITED(agent_status) && WEXITSTATUS(agent_status) == 0) ? "completed" : "failed";
    }
    close(exitp[0]);
    long long peak = -1, ooms = -1;
    sx_cgroup_accounting(&t.cg, &peak, &ooms);
    bool pidns_gone = s->child_reaped && kill(init, 0) != 0;
    bool cgroup_empty = true;
    cleanup(&t, &cgroup_empty);
    char extra[320];
    snprintf(extra, sizeof extra,
             "\"cleanup\":{\"pidns_gone\":%s,\"cgroup_empty\":%s,\"root_dir_removed\":%s},"
             "\"cgroup_peak_memory_bytes\":%lld,\"cgroup_oom_kills\":%lld,\"sandbox_processes_started\":%d",
             pidns_gone ? "true" : "false", cgroup_empty ? "true" : "false",
             access(t.root, F_OK) != 0 ? "true" : "false", peak, ooms, rec[1]);
    sx_report_exit(s, status, timed_out, cancelled, extra);
    return 0;
}
