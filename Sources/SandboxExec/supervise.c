// The supervisor loop: output draining, reaping, cancellation signals and the teardown of the whole
// process tree. The launcher is a child subreaper, so every descendant of the agent (setsid'd orphans
// included) stays below it in the process tree and is found by a /proc scan.
#include "launcher.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

double sx_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/// Reaps every exited child (the agent and re-parented orphans); records the agent's status.
static void reap(struct sx_state *s) {
    for (;;) {
        int status = 0;
        pid_t pid = waitpid(-1, &status, WNOHANG | __WALL);
        s->no_children = pid < 0 && errno == ECHILD;
        if (pid <= 0) return;   // 0: none exited; -1/ECHILD: no children left
        if (pid == s->child && !s->child_reaped) {
            s->child_reaped = true;
            s->child_status = status;
            s->t_child_exit = sx_now();
        }
    }
}

void sx_pump(struct sx_state *s, int timeout_ms) {
    struct pollfd p[3];
    int n = 0, io = -1, ie = -1;
    if (s->out.pipe_fd >= 0) { io = n; p[n++] = (struct pollfd){ .fd = s->out.pipe_fd, .events = POLLIN }; }
    if (s->err.pipe_fd >= 0) { ie = n; p[n++] = (struct pollfd){ .fd = s->err.pipe_fd, .events = POLLIN }; }
    int is = n;
    p[n++] = (struct pollfd){ .fd = s->signal_fd, .events = POLLIN };
    if (timeout_ms < 0) timeout_ms = 0;
    int rc = poll(p, (nfds_t)n, timeout_ms);
    if (rc > 0) {
        if (io >= 0 && p[io].revents) sx_capture_pump(&s->out);
        if (ie >= 0 && p[ie].revents) sx_capture_pump(&s->err);
        if (p[is].revents & POLLIN) {
            struct signalfd_siginfo si;
            while (read(s->signal_fd, &si, sizeof si) == (ssize_t)sizeof si) {
                if (si.ssi_signo != SIGCHLD && !s->cancel_requested) {
                    s->cancel_requested = true;
                    s->cancel_signal = (int)si.ssi_signo;
                }
            }
        }
    }
    reap(s);
}

static void note_killed(struct sx_state *s, pid_t pid) {
    for (size_t i = 0; i < s->killed_len; i++)
        if (s->killed[i] == pid) return;
    s->leftover_killed++;
    if (s->killed_len == s->killed_cap) {
        size_t cap = s->killed_cap ? s->killed_cap * 2 : 64;
        pid_t *grown = realloc(s->killed, cap * sizeof *grown);
        if (!grown) return;   // the count stays right, only the de-duplication is lost
        s->killed = grown;
        s->killed_cap = cap;
    }
    s->killed[s->killed_len++] = pid;
}

/// Sends `sig` to the agent's process group (while its pid is still ours) and to every live
/// descendant. Returns the number of live descendants found (the agent included), -1 if /proc
/// could not be read.
static int signal_tree(struct sx_state *s, int sig) {
    int n = sx_list_descendants(getpid(), &s->scan, &s->scan_cap);
    // The group id is the agent's pid, reserved for as long as the agent is unreaped.
    if (!s->child_reaped) kill(-s->child, sig);
    for (int i = 0; i < n; i++) {
        pid_t pid = s->scan[i];
        // Counted when found alive by the scan: the group signal above may already have ended it.
        if (pid != s->child) note_killed(s, pid);
        kill(pid, sig);
        if (sig == SIGTERM) kill(pid, SIGCONT);   // a stopped process must run to see SIGTERM
    }
    if (sig == SIGTERM && !s->child_reaped) kill(-s->child, SIGCONT);
    return n;
}

static int live_descendants(struct sx_state *s) {
    return sx_list_descendants(getpid(), &s->scan, &s->scan_cap);
}

void sx_teardown(struct sx_state *s, double grace) {
    // Fast path: the agent is reaped and the launcher has no child at all. As a subreaper it inherits
    // every orphan of the agent before the agent's own exit is reported, so nothing of the tree is
    // left and the /proc scan can be skipped.
    if (s->child_reaped) {
        sx_pump(s, 0);
        if (s->no_children) return;
    }
    int n = live_descendants(s);
    if (n == 0) {
        // Nothing alive; the agent may still be an unreaped zombie.
        while (!s->child_reaped) sx_pump(s, 10);
        return;
    }
    signal_tree(s, SIGTERM);
    double end = sx_now() + grace;
    for (;;) {
        double rem = end - sx_now();
        if (rem <= 0) break;
        sx_pump(s, rem * 1000 < 25 ? (int)(rem * 1000) + 1 : 25);
        if (live_descendants(s) == 0 && s->child_reaped) return;
    }
    // SIGKILL until nothing is left: each round also catches processes forked since the last scan.
    for (int round = 0; round < 20000; round++) {
        n = signal_tree(s, SIGKILL);
        if (n <= 0 && s->child_reaped) return;
        sx_pump(s, 5);
    }
}

void sx_drain_outputs(struct sx_state *s) {
    // Every writer in the tree is gone, so EOF is due at once; the bound covers a descriptor
    // that escaped the tree (passed over a unix socket, say).
    double end = sx_now() + 2.0;
    while ((s->out.pipe_fd >= 0 || s->err.pipe_fd >= 0) && sx_now() < end) sx_pump(s, 50);
    if (s->out.pipe_fd >= 0) { close(s->out.pipe_fd); s->out.pipe_fd = -1; }
    if (s->err.pipe_fd >= 0) { close(s->err.pipe_fd); s->err.pipe_fd = -1; }
}
