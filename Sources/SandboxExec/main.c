// ai4sci-sandbox-exec: the agent launcher and supervisor.
//
// USAGE
//   ai4sci-sandbox-exec --cwd DIR --stdout FILE --stderr FILE --output-cap BYTES --timeout SECONDS
//                       --grace SECONDS [--report-file FILE] [--seccomp-bpf FILE] [--no-new-privs]
//                       [--rlimit NAME=SOFT[:HARD]]... -- PROGRAM ARGS...
//   NAME: as core cpu data fsize memlock nofile nproc stack sigpending msgqueue; values are numbers or
//   "unlimited". HARD defaults to SOFT. Values above the launcher's own hard limit are lowered to it
//   (stricter, never looser); /proc/PID/limits is read back into the report.
//
// WHAT IT DOES
//   Becomes a child subreaper, forks the agent and, in the child, in order: resets signal mask and
//   dispositions, PR_SET_PDEATHSIG(SIGKILL), setsid, rlimits, stdin </dev/null + stdout/stderr to
//   pipes, closes every other inherited descriptor, chdir, PR_SET_NO_NEW_PRIVS, installs the seccomp
//   BPF program (raw `struct sock_filter` array, as written by libseccomp's seccomp_export_bpf), and
//   execvp's PROGRAM with the launcher's own environment. Each step is checked; a failure is sent over
//   a close-on-exec status pipe and the agent never runs. The parent drains the pipes into the files
//   (at most BYTES kept per stream, then a marker line), enforces the timeout and tears down the whole
//   tree: SIGTERM to the agent's group and every descendant, GRACE seconds, then SIGKILL until no
//   descendant is left. When the agent exits by itself, whatever it left running is torn down the same
//   way. SIGTERM/SIGINT/SIGHUP to the launcher cancel the run the same way.
//
// REPORT PROTOCOL (JSON lines on the launcher's stdout, or in --report-file FILE, created 0600 and
// truncated; exactly two records, each written with one write(2))
//   1. {"type":"setup","ok":true,"pid":P,"launcher_pid":L,"steps":[...],
//       "proc_status":{"Seccomp":"2","Seccomp_filters":"1","NoNewPrivs":"1","CapEff":"..."},
//       "proc_status_read":true,"limits":{"nofile":"4096:4096",...},"seccomp_bpf_bytes":N}
//      proc_status is read from /proc/P/status after exec succeeded (before the agent is reaped, so
//      the pid cannot be reused); fields absent there are left out; proc_status_read is false if the
//      file was unreadable. This read-back, not the command line, is the evidence of what is in force.
//   or {"type":"setup","ok":false,"step":"exec","errno":2,"error":"No such file or directory",
//       "detail":"PROGRAM"}   step: a launcher step ("signals", "subreaper", "seccomp_program",
//       "open_output", "pipes", "fork", "status_pipe") or a child step ("signals",
//       "parent_death_signal", "setsid", "rlimits", "stdio", "close_fds", "chdir", "no_new_privs",
//       "seccomp", "exec"); the exit record then says "refused" with null exit_code and signal.
//   2. {"type":"exit","status":"completed|failed|timeout|cancelled|refused","exit_code":N|null,
//       "signal":N|null,"wall_seconds":W,"user_cpu_seconds":U,"system_cpu_seconds":S,
//       "peak_rss_bytes":R,"stdout_bytes":B,"stdout_kept_bytes":K,"stdout_truncated":bool,
//       "stderr_bytes":B,"stderr_kept_bytes":K,"stderr_truncated":bool,
//       "leftover_processes_killed":N,"timed_out":bool,"cancelled":bool}
//      status: completed = exit 0; failed = other exit or a signal not sent on timeout/cancel.
//      wall_seconds: fork to the agent's reaping. *_bytes count what the agent wrote; *_kept_bytes
//      what is in the file (marker excluded). CPU and peak RSS come from getrusage(RUSAGE_CHILDREN)
//      after every descendant was reaped. leftover_processes_killed: descendants other than the agent
//      found alive at teardown (after a timeout, a cancellation, or the agent's own exit).
//
// TASK MODE (--task [--ro PATH]... [--rw PATH]... [--tmp-size BYTES] [--memory BYTES] [--pids N]
//            [--cpu-quota FRACTION]; task.c, taskchild.c, mounts.c, namespaces.c, landlock.c, cgroup.c)
//   PID 1 of new user/pid/net/mount/ipc/uts namespaces runs a new root (system read-only, --ro/--rw
//   paths at their own paths, private /tmp, fresh /proc, minimal /dev), uid/gid 1000 inside (mapped to
//   1999999 outside when the launcher is root, else to the launcher's uid; the --rw trees are chowned
//   to it for the run and back after), and forks the agent, which drops every capability, sets
//   no_new_privs, Landlock and the seccomp filter, and parks. The launcher reads the parked agent's
//   /proc back, refuses at step "verify" if a namespace is shared, a capability, uid 0 or the filter
//   is missing, then lets it exec. The setup record adds "init_pid", "namespaces" {NAME: {launcher,
//   agent}}, "uid_map", "gid_map", "cgroup_membership", "mountinfo" ["MOUNTPOINT OPTIONS"...],
//   "resource_limits" {cgroup_version, memory_via, memory_read, pids_via, pids_read, cpu_via,
//   cpu_read, v2_cgroup}, "landlock" ("abi=N fs=0x.. net=0x.. scoped=0x.."), "outside_uid"; "pid" is
//   the agent's (outside) pid. The exit record adds "cleanup" {pidns_gone, cgroup_empty,
//   root_dir_removed}, "cgroup_peak_memory_bytes", "cgroup_oom_kills" (-1: unknown).
//   --proxy-socket PATH --proxy-port PORT (relay.c): the launcher opens the unix socket PATH (the
//   runner's HTTP CONNECT proxy) O_PATH before cloning; PID 1 listens on 127.0.0.1:PORT inside the
//   netns and forks a relay (no capabilities, no_new_privs) that forwards each TCP connection to PATH
//   through that descriptor; the agent never holds it, and its Landlock allows TCP connect to PORT
//   only (the landlock string adds "tcp_connect_port=PORT"). Steps "proxy_socket", "proxy_relay".
//   --probe (no other option needed) prints one JSON object of host facts instead (probe.c).
// --pass-stdio (needs --report-file): the program keeps the launcher's own stdin and stdout, for a
//   request/response channel (the scorer bridge); only stderr is captured, stdout_bytes stays 0.
// --stdin FILE: the program's stdin is FILE instead of /dev/null (a CLI agent's prompt).
//   AI4SCI_SANDBOX_FAIL_STEP=STEP (tests): that step fails with EPERM.
// EXIT STATUS: 0 when the exit record was written (whatever the agent did), 2 on a usage error
// (message on stderr, no records).
#include "task.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

int sx_parse_options(int argc, char **argv, struct sx_options *o);   // options.c

static void report_setup_failure(const char *step, int err, const char *detail) {
    struct sx_json j;
    sx_json_begin(&j);
    sx_json_string(&j, "type", "setup");
    sx_json_bool(&j, "ok", false);
    sx_json_string(&j, "step", step);
    sx_json_int(&j, "errno", err);
    sx_json_string(&j, "error", strerror(err));
    sx_json_string(&j, "detail", detail ? detail : "");
    sx_json_end(&j);
}

void sx_report_exit(const struct sx_state *s, const char *status, bool timed_out, bool cancelled, const char *extra) {
    struct rusage ru;
    memset(&ru, 0, sizeof ru);
    getrusage(RUSAGE_CHILDREN, &ru);
    struct sx_json j;
    sx_json_begin(&j);
    sx_json_string(&j, "type", "exit");
    sx_json_string(&j, "status", status);
    if (s->child_reaped && WIFEXITED(s->child_status)) sx_json_int(&j, "exit_code", WEXITSTATUS(s->child_status));
    else sx_json_null(&j, "exit_code");
    if (s->child_reaped && WIFSIGNALED(s->child_status)) sx_json_int(&j, "signal", WTERMSIG(s->child_status));
    else sx_json_null(&j, "signal");
    double wall = s->child_reaped ? s->t_child_exit - s->t_start : 0;
    sx_json_double(&j, "wall_seconds", wall < 0 ? 0 : wall);
    sx_json_double(&j, "user_cpu_seconds", (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6);
    sx_json_double(&j, "system_cpu_seconds", (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6);
    sx_json_int(&j, "peak_rss_bytes", (long long)ru.ru_maxrss * 1024);
    sx_json_int(&j, "stdout_bytes", (long long)s->out.total);
    sx_json_int(&j, "stdout_kept_bytes", (long long)s->out.kept);
    sx_json_bool(&j, "stdout_truncated", s->out.truncated);
    sx_json_int(&j, "stderr_bytes", (long long)s->err.total);
    sx_json_int(&j, "stderr_kept_bytes", (long long)s->err.kept);
    sx_json_bool(&j, "stderr_truncated", s->err.truncated);
    sx_json_int(&j, "leftover_processes_killed", s->leftover_killed);
    sx_json_bool(&j, "timed_out", timed_out);
    sx_json_bool(&j, "cancelled", cancelled);
    if (extra && *extra) { sx_json_raw(&j, ","); sx_json_raw(&j, extra); }
    sx_json_end(&j);
}

/// Refuses the run before or during setup: both records, exit 0.
int sx_refuse(struct sx_state *s, const char *step, int err, const char *detail) {
    report_setup_failure(step, err, detail);
    sx_report_exit(s, "refused", false, false, NULL);
    return 0;
}

static void report_setup_ok(const struct sx_options *o, pid_t child, size_t bpf_bytes) {
    static const char *const fields[] = { "Seccomp", "Seccomp_filters", "NoNewPrivs", "CapEff", "CapBnd" };
    enum { nfields = sizeof fields / sizeof fields[0] };
    char values[nfields][80];
    int found = sx_read_proc_status(child, fields, values, nfields);

    struct sx_json j;
    sx_json_begin(&j);
    sx_json_string(&j, "type", "setup");
    sx_json_bool(&j, "ok", true);
    sx_json_int(&j, "pid", child);
    sx_json_int(&j, "launcher_pid", getpid());
    sx_json_open(&j, "steps", '[');
    sx_json_array_string(&j, "subreaper");
    const char *names[24];
    sx_child_step_names(o, names, 24);
    for (int i = 0; names[i]; i++) sx_json_array_string(&j, names[i]);
    sx_json_close(&j, ']');
    sx_json_bool(&j, "proc_status_read", found >= 0);
    sx_json_open(&j, "proc_status", '{');
    for (int i = 0; i < nfields; i++)
        if (values[i][0]) sx_json_string(&j, fields[i], values[i]);
    sx_json_close(&j, '}');
    sx_json_open(&j, "limits", '{');
    for (int i = 0; i < o->rlimit_count; i++) {
        char v[80];
        if (sx_read_proc_limit(child, sx_rlimit_label(o->rlimits[i].resource), v, sizeof v))
            sx_json_string(&j, o->rlimits[i].name, v);
    }
    sx_json_close(&j, '}');
    sx_json_int(&j, "seccomp_bpf_bytes", (long long)bpf_bytes);
    sx_json_end(&j);
}

/// Reads the exported BPF program; returns 0 or an errno value.
static int load_bpf(const char *path, struct sock_fprog *prog, size_t *bytes) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return errno;
    size_t cap = 8 * BPF_MAXINSNS, len = 0;
    char *buf = malloc(cap + 1);
    if (!buf) { close(fd); return ENOMEM; }
    for (;;) {
        ssize_t n = read(fd, buf + len, cap + 1 - len);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) { int e = errno; close(fd); free(buf); return e; }
        if (n == 0) break;
        len += (size_t)n;
        if (len > cap) { close(fd); free(buf); return E2BIG; }
    }
    close(fd);
    if (len == 0 || len % sizeof(struct sock_filter) != 0) { free(buf); return EINVAL; }
    prog->len = (unsigned short)(len / sizeof(struct sock_filter));
    prog->filter = (struct sock_filter *)buf;
    *bytes = len;
    return 0;
}

size_t sx_read_failure(int fd, struct sx_failure *f) {
    size_t got = 0;
    while (got < sizeof *f) {
        ssize_t n = read(fd, (char *)f + got, sizeof *f - got);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        got += (size_t)n;
    }
    return got;
}

const char *sx_supervise(const struct sx_options *o, struct sx_state *s, bool *timed_out, bool *cancelled) {
    double deadline = s->t_start + o->timeout;
    *timed_out = false;
    while (!s->child_reaped && !s->cancel_requested) {
        double rem = deadline - sx_now();
        if (rem <= 0) { *timed_out = true; break; }
        sx_pump(s, rem > 60 ? 60000 : (int)(rem * 1000) + 1);
    }
    *cancelled = !*timed_out && !s->child_reaped && s->cancel_requested;
    sx_teardown(s, o->grace);
    sx_drain_outputs(s);
    if (*cancelled) return "cancelled";
    if (*timed_out) return "timeout";
    if (!WIFEXITED(s->child_status) || WEXITSTATUS(s->child_status) != 0) return "failed";
    return "completed";
}

int main(int argc, char **argv) {
    // Make sure 0/1/2 are open, so that no pipe or file below lands on a standard descriptor.
    for (;;) {
        int fd = open("/dev/null", O_RDWR | O_CLOEXEC);
        if (fd < 0) break;
        if (fd > 2) { close(fd); break; }
        fcntl(fd, F_SETFD, 0);
    }
    struct sx_options o;
    if (sx_parse_options(argc, argv, &o) != 0) return 2;
    if (o.probe) return sx_probe(&o);
    if (o.report_path) {
        sx_report_fd = open(o.report_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (sx_report_fd < 0) {
            fprintf(stderr, "ai4sci-sandbox-exec: cannot open --report-file %s: %s\n", o.report_path, strerror(errno));
            return 2;
        }
    }

    struct sx_state s;
    memset(&s, 0, sizeof s);
    s.out = (struct sx_capture){ .pipe_fd = -1, .file_fd = -1, .cap = o.output_cap };
    s.err = s.out;
    s.t_start = sx_now();

    signal(SIGPIPE, SIG_IGN);   // the report reader may vanish; the child resets this before exec
    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGCHLD);
    sigaddset(&mask, SIGTERM);
    sigaddset(&mask, SIGINT);
    sigaddset(&mask, SIGHUP);
    if (sigprocmask(SIG_BLOCK, &mask, NULL) != 0) return sx_refuse(&s, "signals", errno, "sigprocmask");
    s.signal_fd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
    if (s.signal_fd < 0) return sx_refuse(&s, "signals", errno, "signalfd");

    if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0) return sx_refuse(&s, "subreaper", errno, NULL);

    struct sock_fprog prog = { 0, NULL };
    size_t bpf_bytes = 0;
    if (o.seccomp_bpf_path) {
        int e = load_bpf(o.seccomp_bpf_path, &prog, &bpf_bytes);
        if (e) return sx_refuse(&s, "seccomp_program", e, o.seccomp_bpf_path);
    }

    s.out.file_fd = open(o.stdout_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (s.out.file_fd < 0) return sx_refuse(&s, "open_output", errno, o.stdout_path);
    s.err.file_fd = open(o.stderr_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (s.err.file_fd < 0) return sx_refuse(&s, "open_output", errno, o.stderr_path);

    if (o.task) return sx_run_task(&o, &s, o.seccomp_bpf_path ? &prog : NULL, bpf_bytes);

    int outp[2], errp[2], statusp[2];
    if (pipe2(outp, O_CLOEXEC) != 0 || pipe2(errp, O_CLOEXEC) != 0 || pipe2(statusp, O_CLOEXEC) != 0)
        return sx_refuse(&s, "pipes", errno, NULL);

    s.t_start = sx_now();
    pid_t child = fork();
    if (child < 0) return sx_refuse(&s, "fork", errno, NULL);
    if (child == 0) sx_child_main(&o, outp[1], errp[1], statusp[1], o.seccomp_bpf_path ? &prog : NULL);

    s.child = child;
    close(outp[1]);
    close(errp[1]);
    close(statusp[1]);
    s.out.pipe_fd = outp[0];
    s.err.pipe_fd = errp[0];
    fcntl(s.out.pipe_fd, F_SETFL, O_NONBLOCK);
    fcntl(s.err.pipe_fd, F_SETFL, O_NONBLOCK);

    // EOF on the status pipe = exec succeeded (the pipe is close-on-exec); a record = a failed step.
    struct sx_failure f;
    size_t got = sx_read_failure(statusp[0], &f);
    close(statusp[0]);
    if (got > 0) {
        // The child exits 127 right after writing; reap it. Its status is not the agent's, so the
        // exit record keeps exit_code and signal null.
        int st;
        while (waitpid(child, &st, __WALL) < 0 && errno == EINTR) {}
        sx_drain_outputs(&s);
        if (got < sizeof f) return sx_refuse(&s, "status_pipe", EPROTO, "short failure record");
        f.step[sizeof f.step - 1] = 0;
        f.detail[sizeof f.detail - 1] = 0;
        return sx_refuse(&s, f.step, f.err, f.detail);
    }
    report_setup_ok(&o, child, bpf_bytes);

    bool timed_out = false, cancelled = false;
    const char *status = sx_supervise(&o, &s, &timed_out, &cancelled);
    sx_report_exit(&s, status, timed_out, cancelled, NULL);
    return 0;
}
