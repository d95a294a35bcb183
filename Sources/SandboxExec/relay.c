// The proxy relay of task mode (--proxy-socket PATH --proxy-port PORT). The sandbox's network
// namespace has only `lo`; the runner's HTTP CONNECT proxy listens on a unix socket outside. The
// launcher opens that socket file O_PATH before cloning PID 1 (the sandbox's uid could not traverse
// the runner's private directory), PID 1 keeps it at PROXY_FD, listens on 127.0.0.1:PORT inside the
// namespace and forks this relay before the agent. The relay drops every capability, sets
// no_new_privs, and for each accepted TCP connection forks a copier that connects to
// /proc/self/fd/PROXY_FD (the socket itself, reached through the descriptor) and copies bytes both
// ways with half-closes. The agent never holds PROXY_FD; Landlock lets it connect to PORT only, and
// it cannot signal or trace the relay (outside its Landlock domain). The relay dies with PID 1.
#include "task.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int sx_proxy_fd = -1;

int sx_relay_listen(const struct sx_options *o, struct sx_failure *f) {
    if (sx_simulated_failure(o, "proxy_relay")) return sx_fail(f, "proxy_relay", EPERM, "simulated");
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return sx_fail(f, "proxy_relay", errno, "socket");
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)o->proxy_port) };
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(fd, 64) != 0) {
        int e = errno;
        close(fd);
        return sx_fail(f, "proxy_relay", e, "bind/listen 127.0.0.1");
    }
    return fd;
}

/// Writes all of `len` bytes; false on error.
static bool write_all(int fd, const char *p, size_t len) {
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        p += n;
        len -= (size_t)n;
    }
    return true;
}

/// Copies between the two sockets until both directions reached EOF or one failed.
static void copy_both(int a, int b) {
    static char buf[65536];
    bool a_open = true, b_open = true;
    while (a_open || b_open) {
        struct pollfd p[2] = { { a, a_open ? POLLIN : 0, 0 }, { b, b_open ? POLLIN : 0, 0 } };
        int r = poll(p, 2, -1);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) return;
        for (int i = 0; i < 2; i++) {
            if (!(p[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
            int from = i == 0 ? a : b, to = i == 0 ? b : a;
            ssize_t n = read(from, buf, sizeof buf);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) return;
            if (n == 0) {
                shutdown(to, SHUT_WR);
                if (i == 0) a_open = false; else b_open = false;
                continue;
            }
            if (!write_all(to, buf, (size_t)n)) return;
        }
    }
}

_Noreturn void sx_relay_main(const struct sx_options *o, int listen_fd, int proxy_fd) {
    prctl(PR_SET_NAME, "ai4sci-relay", 0, 0, 0);
    prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
    // Nothing of the launcher's protocol stays open here: the status pipe must see EOF at exec.
    for (int fd = 3; fd <= 5; fd++) close(fd);
    int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (devnull >= 0) { dup2(devnull, 1); dup2(devnull, 2); close(devnull); }
    struct sx_failure f;
    if (sx_drop_capabilities(o, &f) != 0 || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) _exit(127);
    signal(SIGCHLD, SIG_IGN);   // copiers are reaped by the kernel
    struct sockaddr_un target = { .sun_family = AF_UNIX };
    snprintf(target.sun_path, sizeof target.sun_path, "/proc/self/fd/%d", proxy_fd);
    for (;;) {
        int c = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
        if (c < 0) {
            if (errno == EMFILE || errno == ENFILE || errno == ENOMEM) usleep(100000);
            continue;
        }
        pid_t pid = fork();
        if (pid == 0) {
            close(listen_fd);
            int u = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
            if (u < 0 || connect(u, (struct sockaddr *)&target, sizeof target) != 0) _exit(1);
            copy_both(c, u);
            _exit(0);
        }
        close(c);
    }
}
