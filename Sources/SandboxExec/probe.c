// `--probe`: which sandbox primitives work on this host, each tried in a throwaway child.
#include "task.h"

#include <errno.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

/// Runs `fn` in a forked child; returns 0 when it exited 0, else the errno it exited with.
static int in_child(int (*fn)(int), int arg) {
    pid_t pid = fork();
    if (pid < 0) return errno;
    if (pid == 0) _exit(fn(arg) == 0 ? 0 : (errno ? errno : 1));
    int st;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {}
    return WIFEXITED(st) ? WEXITSTATUS(st) : 255;
}

static int try_unshare(int flags) { return unshare(flags); }

static int try_userns_mounts(int which) {
    uid_t uid = getuid();
    gid_t gid = getgid();
    if (unshare(CLONE_NEWUSER | CLONE_NEWNS) != 0) return -1;
    char map[64];
    FILE *f = fopen("/proc/self/setgroups", "w");
    if (f) { fputs("deny", f); fclose(f); }
    snprintf(map, sizeof map, "0 %u 1", (unsigned)uid);
    if (!(f = fopen("/proc/self/uid_map", "w")) || fputs(map, f) < 0 || fclose(f) != 0) return -1;
    snprintf(map, sizeof map, "0 %u 1", (unsigned)gid);
    if (!(f = fopen("/proc/self/gid_map", "w")) || fputs(map, f) < 0 || fclose(f) != 0) return -1;
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) return -1;
    char dir[] = "/tmp/ai4sci-probe-XXXXXX";
    if (!mkdtemp(dir)) return -1;
    int rc = mount("tmpfs", dir, "tmpfs", 0, "size=64k");
    if (rc == 0 && which == 1) {   // mount_setattr read-only
        struct { uint64_t set, clr, prop, userns; } a = { 1, 0, 0, 0 };
        rc = (int)syscall(442, -100, dir, 0x8000, &a, sizeof a);
    } else if (rc == 0 && which == 2) {   // pivot_root
        char old[64];
        snprintf(old, sizeof old, "%s/old", dir);
        rc = mkdir(old, 0700) == 0 && chdir(dir) == 0 ? (int)syscall(SYS_pivot_root, ".", "old") : -1;
    }
    int e = errno;
    if (which != 2) { umount2(dir, MNT_DETACH); rmdir(dir); }
    errno = e;
    return rc;
}

static int try_seccomp(int unused) {
    (void)unused;
    struct sock_filter allow = { 0x06, 0, 0, SECCOMP_RET_ALLOW };
    struct sock_fprog prog = { 1, &allow };
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return -1;
    return (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog);
}

static void result(struct sx_json *j, const char *key, int err) {
    sx_json_open(j, key, '{');
    sx_json_bool(j, "ok", err == 0);
    if (err) sx_json_string(j, "error", strerror(err));
    sx_json_close(j, '}');
}

int sx_probe(const struct sx_options *o) {
    (void)o;
    struct sx_json j;
    struct utsname u;
    sx_json_begin(&j);
    sx_json_string(&j, "type", "probe");
    sx_json_string(&j, "kernel", uname(&u) == 0 ? u.release : "unknown");
    sx_json_string(&j, "machine", uname(&u) == 0 ? u.machine : "unknown");
    sx_json_int(&j, "uid", getuid());
    result(&j, "userns", in_child(try_unshare, CLONE_NEWUSER));
    result(&j, "pidns", in_child(try_unshare, CLONE_NEWUSER | CLONE_NEWPID));
    result(&j, "netns", in_child(try_unshare, CLONE_NEWUSER | CLONE_NEWNET));
    result(&j, "mntns", in_child(try_unshare, CLONE_NEWUSER | CLONE_NEWNS));
    result(&j, "ipcns", in_child(try_unshare, CLONE_NEWUSER | CLONE_NEWIPC));
    result(&j, "utsns", in_child(try_unshare, CLONE_NEWUSER | CLONE_NEWUTS));
    result(&j, "tmpfs_mount", in_child(try_userns_mounts, 0));
    result(&j, "mount_setattr", in_child(try_userns_mounts, 1));
    result(&j, "pivot_root", in_child(try_userns_mounts, 2));
    result(&j, "seccomp", in_child(try_seccomp, 0));
    sx_json_int(&j, "landlock_abi", sx_landlock_abi());
    sx_cgroup_describe(&j);
    sx_json_end(&j);
    return 0;
}
