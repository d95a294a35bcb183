// The forked child: every step between fork and exec, each checked. A failing step writes
// `struct sx_failure` to the close-on-exec status pipe and exits 127; success is the pipe closing on
// exec. Only async-signal-safe calls are used (the parent is single-threaded, but keep it that way).
#include "launcher.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SYS_close_range
#define SYS_close_range 436
#endif

static _Noreturn void fail(int status_fd, const char *step, int err, const char *detail) {
    struct sx_failure f;
    memset(&f, 0, sizeof f);
    strncpy(f.step, step, sizeof f.step - 1);
    f.err = err;
    if (detail) strncpy(f.detail, detail, sizeof f.detail - 1);
    ssize_t n;
    do { n = write(status_fd, &f, sizeof f); } while (n < 0 && errno == EINTR);
    _exit(127);
}

/// Closes every descriptor >= 3 except `keep`, with close_range(2) or, on old kernels, /proc/self/fd.
static int close_inherited(int keep) {
    int rc = 0;
    if (keep > 3) rc = (int)syscall(SYS_close_range, 3u, (unsigned)keep - 1, 0u);
    if (rc == 0) rc = (int)syscall(SYS_close_range, (unsigned)keep + 1, ~0u, 0u);
    if (rc == 0) return 0;
    if (errno != ENOSYS) return -1;
    // Fallback: brute force up to the descriptor limit.
    struct rlimit rl;
    long max = (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY) ? (long)rl.rlim_cur : 65536;
    for (long fd = 3; fd < max; fd++)
        if (fd != keep) close((int)fd);
    return 0;
}

static int move_fd(int from, int to) {
    if (from == to) return fcntl(to, F_SETFD, 0);   // keep it across exec
    return dup2(from, to) < 0 ? -1 : 0;
}

int sx_child_step_names(const struct sx_options *o, const char **names, int max) {
    int n = 0;
#define ADD(s) do { if (n < max - 1) names[n++] = (s); } while (0)
    ADD("signals");
    ADD("parent_death_signal");
    ADD("setsid");
    if (o->rlimit_count > 0) ADD("rlimits");
    ADD("stdio");
    ADD("close_fds");
    ADD("chdir");
    if (o->no_new_privs) ADD("no_new_privs");
    if (o->seccomp_bpf_path) ADD("seccomp");
    ADD("exec");
#undef ADD
    names[n] = NULL;
    return n;
}

_Noreturn void sx_child_main(const struct sx_options *o, int out_w, int err_w, int status_fd,
                             const struct sock_fprog *filter) {
    pid_t launcher = getppid();

    // Undo what the launcher set up for itself: blocked signals (its signalfd) and dispositions.
    sigset_t none;
    sigemptyset(&none);
    if (sigprocmask(SIG_SETMASK, &none, NULL) != 0) fail(status_fd, "signals", errno, "sigprocmask");
    for (int sig = 1; sig < NSIG; sig++) {
        if (sig == SIGKILL || sig == SIGSTOP) continue;
        signal(sig, SIG_DFL);   // invalid numbers (32, 33 reserved by glibc) fail harmlessly
    }

    // If the launcher dies without tearing us down, the agent dies with it.
    if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0) fail(status_fd, "parent_death_signal", errno, NULL);
    if (getppid() != launcher) fail(status_fd, "parent_death_signal", ESRCH, "launcher exited");

    // Own session and process group: the agent has no controlling terminal, and its group is
    // signalled as a whole on teardown.
    if (setsid() < 0) fail(status_fd, "setsid", errno, NULL);

    for (int i = 0; i < o->rlimit_count; i++) {
        struct rlimit rl = { .rlim_cur = o->rlimits[i].soft, .rlim_max = o->rlimits[i].hard };
        if (setrlimit(o->rlimits[i].resource, &rl) != 0) fail(status_fd, "rlimits", errno, o->rlimits[i].name);
    }

    // stdin from /dev/null, stdout/stderr to the launcher's pipes. Done before closing the other
    // descriptors so that the pipe ends survive the close.
    // With --pass-stdio, 0 and 1 stay the launcher's own; the unused pipe end is close-on-exec.
    if (!o->pass_stdio) {
        int devnull = open(o->stdin_path ? o->stdin_path : "/dev/null", O_RDONLY | O_CLOEXEC);
        if (devnull < 0) fail(status_fd, "stdio", errno, o->stdin_path ? o->stdin_path : "open /dev/null");
        if (move_fd(devnull, STDIN_FILENO) != 0) fail(status_fd, "stdio", errno, "stdin");
        if (move_fd(out_w, STDOUT_FILENO) != 0) fail(status_fd, "stdio", errno, "stdout");
    }
    if (move_fd(err_w, STDERR_FILENO) != 0) fail(status_fd, "stdio", errno, "stderr");

    // Every inherited descriptor except 0/1/2 (and the status pipe, which is close-on-exec).
    if (close_inherited(status_fd) != 0) fail(status_fd, "close_fds", errno, NULL);

    if (chdir(o->cwd) != 0) fail(status_fd, "chdir", errno, o->cwd);

    if (o->no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
        fail(status_fd, "no_new_privs", errno, NULL);

    if (filter) {
        long rc = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, filter);
        if (rc != 0 && errno == ENOSYS) rc = prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, filter, 0, 0);
        if (rc != 0) fail(status_fd, "seccomp", errno, o->seccomp_bpf_path);
    }

    // The launcher runs with exactly the agent's environment, so environ is passed on unchanged.
    execvp(o->argv[0], o->argv);
    fail(status_fd, "exec", errno, o->argv[0]);
}
