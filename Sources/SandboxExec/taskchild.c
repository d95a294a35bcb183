// The sandbox side of task mode. The launcher clones the sandbox's PID 1 into new user, pid, net,
// mount, ipc and uts namespaces; it waits for the parent to write its id maps and cgroups, takes the
// agent's id (keeping its capabilities in the new user namespace, whose uid 0 is unmapped), builds the
// new root, brings `lo` up, and forks the agent. PID 1 then only reaps, forwards SIGTERM/SIGINT/SIGHUP
// to everything in the namespace, and exits with the agent, which makes the kernel kill whatever is
// left. The agent drops every capability, enters the workspace, sets no_new_privs, Landlock and the
// seccomp filter (last), reports "ready" and waits for the parent to read its /proc evidence before
// exec. Every step is named in the status pipe on failure.
#include "task.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef SYS_close_range
#define SYS_close_range 436
#endif

enum { STATUS_FD = 3, GO_FD = 4, EXIT_FD = 5, PROXY_FD = 6 };

static _Noreturn void send_failure(const struct sx_failure *f) {
    ssize_t n;
    do { n = write(STATUS_FD, f, sizeof *f); } while (n < 0 && errno == EINTR);
    _exit(127);
}

static _Noreturn void fail_now(const char *step, int err, const char *detail) {
    struct sx_failure f;
    sx_fail(&f, step, err, detail);
    send_failure(&f);
}

/// Places the three protocol descriptors at 3, 4, 5 (and the proxy socket's O_PATH descriptor, if
/// any, at 6) and closes every other descriptor above 2.
static int pin_fds(int status_fd, int go_fd, int exit_fd, int proxy_fd) {
    int a = fcntl(status_fd, F_DUPFD_CLOEXEC, 100), b = fcntl(go_fd, F_DUPFD_CLOEXEC, 100),
        c = fcntl(exit_fd, F_DUPFD_CLOEXEC, 100), d = proxy_fd >= 0 ? fcntl(proxy_fd, F_DUPFD_CLOEXEC, 100) : -1;
    if (a < 0 || b < 0 || c < 0 || (proxy_fd >= 0 && d < 0)) return -1;
    if (dup3(a, STATUS_FD, O_CLOEXEC) < 0 || dup3(b, GO_FD, O_CLOEXEC) < 0 || dup3(c, EXIT_FD, O_CLOEXEC) < 0) return -1;
    if (d >= 0 && dup3(d, PROXY_FD, O_CLOEXEC) < 0) return -1;
    return (int)syscall(SYS_close_range, d >= 0 ? 7u : 6u, ~0u, 0u);
}

static volatile sig_atomic_t forward_signal;
static void on_signal(int sig) { forward_signal = sig; kill(-1, sig); }

/// PID 1: reaps everything; when the agent exits, hands its wait status to the launcher and exits.
static _Noreturn void init_loop(const struct sx_options *o, pid_t agent) {
    prctl(PR_SET_NAME, "ai4sci-init", 0, 0, 0);
    // PID 1 needs no privilege to reap: it keeps none (the agent still reports its own steps).
    struct sx_failure f;
    if (sx_drop_capabilities(o, &f) != 0 || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
        kill(agent, SIGKILL);
        send_failure(&f);
    }
    close(STATUS_FD);
    close(GO_FD);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    for (;;) {
        int st;
        pid_t pid = waitpid(-1, &st, __WALL);
        if (pid < 0 && errno == EINTR) continue;
        if (pid < 0) _exit(0);
        if (pid == agent) {
            // The agent's wait status, then the last pid allocated in this namespace: pids are handed out
            // in order from 1, so it counts every process the run started (init and relay included).
            int rec[2] = {st, -1};
            int fd = open("/proc/sys/kernel/ns_last_pid", O_RDONLY | O_CLOEXEC);
            if (fd >= 0) {
                char buf[32] = {0};
                if (read(fd, buf, sizeof buf - 1) > 0) rec[1] = atoi(buf);
                close(fd);
            }
            ssize_t n;
            do { n = write(EXIT_FD, rec, sizeof rec); } while (n < 0 && errno == EINTR);
            _exit(0);
        }
    }
}

static _Noreturn void agent_main(const struct sx_options *o, const struct sock_fprog *filter) {
    struct sx_failure f;
    close(EXIT_FD);
    if (o->proxy_port) close(PROXY_FD);   // the agent reaches the proxy through the relay only
    if (sx_drop_capabilities(o, &f) != 0) send_failure(&f);
    if (chdir(o->cwd) != 0) fail_now("chdir", errno, o->cwd);
    if (sx_simulated_failure(o, "no_new_privs") || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
        fail_now("no_new_privs", errno, NULL);
    struct sx_failure ready;
    memset(&ready, 0, sizeof ready);
    if (sx_apply_landlock(o, ready.detail, sizeof ready.detail, &f) != 0) send_failure(&f);
    if (filter) {
        if (sx_simulated_failure(o, "seccomp") || syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, filter) != 0)
            fail_now("seccomp", errno, o->seccomp_bpf_path);
    }
    // Everything is in force: let the parent read it back from /proc, then exec.
    strcpy(ready.step, "ready");
    ssize_t n;
    do { n = write(STATUS_FD, &ready, sizeof ready); } while (n < 0 && errno == EINTR);
    char go = 0;
    do { n = read(GO_FD, &go, 1); } while (n < 0 && errno == EINTR);
    if (n != 1 || go != 'x') _exit(127);   // the parent refused after the read-back
    close(GO_FD);
    execvp(o->argv[0], o->argv);
    fail_now("exec", errno, o->argv[0]);
}

_Noreturn void sx_task_child(const struct sx_options *o, const char *newroot, int out_w, int err_w,
                             int status_fd, int sync_r, int go_r, int exit_w, const struct sock_fprog *filter) {
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    for (int sig = 1; sig < NSIG; sig++)
        if (sig != SIGKILL && sig != SIGSTOP) signal(sig, SIG_DFL);
    prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
    // The parent writes uid_map/gid_map and the cgroups, then one byte; EOF means it gave up.
    char b = 0;
    ssize_t n;
    do { n = read(sync_r, &b, 1); } while (n < 0 && errno == EINTR);
    if (n != 1) _exit(127);
    close(sync_r);

    // With --pass-stdio, 0 and 1 stay the launcher's own (inherited through clone) for the agent.
    int devnull = o->pass_stdio ? 0 : open(o->stdin_path ? o->stdin_path : "/dev/null", O_RDONLY | O_CLOEXEC);
    if (devnull < 0 || (!o->pass_stdio && (dup2(devnull, 0) < 0 || dup2(out_w, 1) < 0)) || dup2(err_w, 2) < 0) {
        struct sx_failure f;
        sx_fail(&f, "stdio", errno, NULL);
        ssize_t w;
        do { w = write(status_fd, &f, sizeof f); } while (w < 0 && errno == EINTR);
        _exit(127);
    }
    if (pin_fds(status_fd, go_r, exit_w, o->proxy_port ? sx_proxy_fd : -1) != 0) {
        struct sx_failure f;
        sx_fail(&f, "close_fds", errno, NULL);
        ssize_t w;
        do { w = write(status_fd, &f, sizeof f); } while (w < 0 && errno == EINTR);
        _exit(127);
    }
    if (setsid() < 0) fail_now("setsid", errno, NULL);
    for (int i = 0; i < o->rlimit_count; i++) {
        struct rlimit rl = { .rlim_cur = o->rlimits[i].soft, .rlim_max = o->rlimits[i].hard };
        if (setrlimit(o->rlimits[i].resource, &rl) != 0) fail_now("rlimits", errno, o->rlimits[i].name);
    }
    struct sx_failure f;
    struct sx_mount_plan *plan = malloc(sizeof *plan);
    if (!plan) fail_now("mount_root", ENOMEM, NULL);
    if (sx_build_root(o, newroot, plan, &f) != 0) send_failure(&f);
    if (sx_simulated_failure(o, "mount_verify")) fail_now("mount_verify", EPERM, "simulated");
    if (sx_verify_mounts(plan, &f) != 0) send_failure(&f);
    free(plan);
    if (sx_setup_network_and_host(o, &f) != 0) send_failure(&f);
    if (o->proxy_port) {
        int listen_fd = sx_relay_listen(o, &f);
        if (listen_fd < 0) send_failure(&f);
        pid_t relay = fork();
        if (relay < 0) fail_now("proxy_relay", errno, NULL);
        if (relay == 0) sx_relay_main(o, listen_fd, PROXY_FD);
        close(listen_fd);
    }

    pid_t agent = fork();
    if (agent < 0) fail_now("fork_agent", errno, NULL);
    if (agent == 0) agent_main(o, filter);
    init_loop(o, agent);
}

int sx_task_step_names(const char **names, int max) {
    static const char *const steps[] = { "clone_namespaces", "uid_map", "gid_map", "cgroup_attach", "stdio",
        "close_fds", "setsid", "rlimits", "open_paths", "setresuid", "mount_private", "mount_root", "mount_binds",
        "mount_etc_masks", "mount_tmp", "mount_proc", "mount_dev", "pivot_root", "mount_verify", "network_lo",
        "hostname", "fork_agent", "capabilities", "chdir", "no_new_privs", "landlock", "seccomp", "verify", "exec", NULL };
    int n = 0;
    for (; steps[n] && n < max - 1; n++) names[n] = steps[n];
    names[n] = NULL;
    return n;
}
