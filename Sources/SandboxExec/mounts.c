// The new root of a task-mode sandbox, built by its PID 1 (which holds every capability of the new
// user namespace): a tmpfs root, read-only binds of the system (/usr, the merged-/usr links, /etc
// with secrets masked), the --ro and --rw paths at their own absolute paths, a private /tmp, a fresh
// /proc, a minimal /dev; then pivot_root, the old root detached and the new root made read-only.
// Read-only is set with mount_setattr(AT_RECURSIVE) — `mount -o remount,bind,ro` silently does
// nothing on some kernels — and the result is read back from /proc/self/mountinfo.
#include "task.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef MOUNT_ATTR_RDONLY
#define MOUNT_ATTR_RDONLY 0x00000001
#define MOUNT_ATTR_NOSUID 0x00000002
#define MOUNT_ATTR_NODEV 0x00000004
struct mount_attr { uint64_t attr_set, attr_clr, propagation, userns_fd; };
#endif
#ifndef AT_RECURSIVE
#define AT_RECURSIVE 0x8000
#endif
#ifndef SYS_mount_setattr
#define SYS_mount_setattr 442
#endif

/// Sets (ro) or clears read-only on the mount at `path` and, with `recursive`, every mount below it.
static int set_attrs(const char *path, bool ro, bool recursive) {
    struct mount_attr a;
    memset(&a, 0, sizeof a);
    a.attr_set = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | (ro ? MOUNT_ATTR_RDONLY : 0);
    if (!ro) a.attr_clr = MOUNT_ATTR_RDONLY;
    return (int)syscall(SYS_mount_setattr, AT_FDCWD, path, recursive ? AT_RECURSIVE : 0, &a, sizeof a);
}

/// mkdir -p inside the new root (components that exist are fine).
static int mkdirs(const char *path, mode_t mode) {
    char tmp[PATH_MAX];
    if (snprintf(tmp, sizeof tmp, "%s", path) >= (int)sizeof tmp) { errno = ENAMETOOLONG; return -1; }
    for (char *p = tmp + 1; *p; p++) {
        if (*p != '/') continue;
        *p = 0;
        if (mkdir(tmp, mode) != 0 && errno != EEXIST) return -1;
        *p = '/';
    }
    return (mkdir(tmp, mode) != 0 && errno != EEXIST) ? -1 : 0;
}

static int plan_add(struct sx_mount_plan *plan, const char *inside, bool ro) {
    if (plan->count == SX_MAX_MOUNTS) { errno = E2BIG; return -1; }
    snprintf(plan->m[plan->count].path, PATH_MAX, "%s", inside);
    plan->m[plan->count++].ro = ro;
    return 0;
}

/// Binds host `src` (opened as `fd` before the id change, or opened now when fd < 0) at the same path
/// in the new root; a file gets an empty file as its mountpoint.
static int bind_path(const char *root, const char *src, int fd, bool ro, struct sx_mount_plan *plan, struct sx_failure *f) {
    char target[PATH_MAX], source[64];
    snprintf(target, sizeof target, "%s%s", root, src);
    bool opened = fd < 0;
    if (opened && (fd = open(src, O_PATH | O_CLOEXEC)) < 0) return sx_fail(f, "mount_binds", errno, src);
    snprintf(source, sizeof source, "/proc/self/fd/%d", fd);
    struct stat st;
    if (fstat(fd, &st) != 0) return sx_fail(f, "mount_binds", errno, src);
    if (S_ISDIR(st.st_mode)) {
        if (mkdirs(target, 0755) != 0) return sx_fail(f, "mount_binds", errno, target);
    } else {
        char parent[PATH_MAX];
        snprintf(parent, sizeof parent, "%s", target);
        *strrchr(parent, '/') = 0;
        if (mkdirs(parent, 0755) != 0) return sx_fail(f, "mount_binds", errno, parent);
        int tfd = open(target, O_WRONLY | O_CREAT | O_CLOEXEC, 0444);
        if (tfd < 0 && errno != EEXIST && errno != EROFS) return sx_fail(f, "mount_binds", errno, target);
        if (tfd >= 0) close(tfd);
    }
    int rc = mount(source, target, NULL, MS_BIND | MS_REC, NULL);
    int e = errno;
    if (opened) close(fd);
    if (rc != 0) return sx_fail(f, "mount_binds", e, src);
    if (set_attrs(target, ro, true) != 0) return sx_fail(f, "mount_setattr", errno, src);
    if (plan_add(plan, src, ro) != 0) return sx_fail(f, "mount_binds", errno, "too many mounts");
    return 0;
}

/// /bin, /lib, /lib64, /sbin: the same symlink when /usr is merged, else a read-only bind.
static int system_link_or_bind(const char *root, const char *name, struct sx_mount_plan *plan, struct sx_failure *f) {
    struct stat st;
    if (lstat(name, &st) != 0) return 0;   // absent on this host (e.g. /lib64 on arm64)
    if (S_ISLNK(st.st_mode)) {
        char link[PATH_MAX], target[PATH_MAX];
        ssize_t n = readlink(name, link, sizeof link - 1);
        if (n < 0) return sx_fail(f, "mount_system", errno, name);
        link[n] = 0;
        snprintf(target, sizeof target, "%s%s", root, name);
        if (symlink(link, target) != 0) return sx_fail(f, "mount_system", errno, target);
        return 0;
    }
    return bind_path(root, name, -1, true, plan, f);
}

/// Hides secrets of /etc: files under an empty read-only file, directories under an empty tmpfs.
static int mask_etc(const char *root, struct sx_mount_plan *plan, struct sx_failure *f) {
    static const char *const secrets[] = { "/etc/shadow", "/etc/shadow-", "/etc/gshadow", "/etc/gshadow-",
        "/etc/ssh", "/etc/ssl/private", "/etc/sudoers", "/etc/sudoers.d", "/etc/security/opasswd", NULL };
    char empty[PATH_MAX];
    snprintf(empty, sizeof empty, "%s/.masked", root);
    int fd = open(empty, O_WRONLY | O_CREAT | O_CLOEXEC, 0444);
    if (fd < 0) return sx_fail(f, "mount_etc_masks", errno, empty);
    close(fd);
    for (int i = 0; secrets[i]; i++) {
        struct stat st;
        if (lstat(secrets[i], &st) != 0) continue;
        char target[PATH_MAX];
        snprintf(target, sizeof target, "%s%s", root, secrets[i]);
        int rc = S_ISDIR(st.st_mode)
            ? mount("tmpfs", target, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=4k,mode=755")
            : mount(empty, target, NULL, MS_BIND, NULL);
        if (rc != 0) return sx_fail(f, "mount_etc_masks", errno, secrets[i]);
        if (set_attrs(target, true, false) != 0) return sx_fail(f, "mount_etc_masks", errno, secrets[i]);
        if (plan_add(plan, secrets[i], true) != 0) return sx_fail(f, "mount_etc_masks", E2BIG, secrets[i]);
    }
    return 0;
}

/// A minimal /dev: null zero full random urandom tty bound from the host, the fd links, /dev/shm.
static int make_dev(const char *root, struct sx_mount_plan *plan, struct sx_failure *f) {
    static const char *const nodes[] = { "null", "zero", "full", "random", "urandom", "tty", NULL };
    char dev[PATH_MAX], p[PATH_MAX];
    snprintf(dev, sizeof dev, "%s/dev", root);
    if (mkdir(dev, 0755) != 0 && errno != EEXIST) return sx_fail(f, "mount_dev", errno, dev);
    if (mount("tmpfs", dev, "tmpfs", MS_NOSUID | MS_NOEXEC, "size=64k,mode=755") != 0)
        return sx_fail(f, "mount_dev", errno, dev);
    for (int i = 0; nodes[i]; i++) {
        char src[64];
        snprintf(src, sizeof src, "/dev/%s", nodes[i]);
        snprintf(p, sizeof p, "%s/%s", dev, nodes[i]);
        int fd = open(p, O_WRONLY | O_CREAT | O_CLOEXEC, 0666);
        if (fd < 0) return sx_fail(f, "mount_dev", errno, p);
        close(fd);
        if (mount(src, p, NULL, MS_BIND, NULL) != 0) {
            if (strcmp(nodes[i], "tty") == 0) { unlink(p); continue; }   // no tty on this host
            return sx_fail(f, "mount_dev", errno, src);
        }
    }
    static const char *const links[][2] = { { "fd", "/proc/self/fd" }, { "stdin", "/proc/self/fd/0" },
        { "stdout", "/proc/self/fd/1" }, { "stderr", "/proc/self/fd/2" } };
    for (size_t i = 0; i < sizeof links / sizeof links[0]; i++) {
        snprintf(p, sizeof p, "%s/%s", dev, links[i][0]);
        if (symlink(links[i][1], p) != 0) return sx_fail(f, "mount_dev", errno, p);
    }
    snprintf(p, sizeof p, "%s/shm", dev);
    if (mkdir(p, 01777) != 0) return sx_fail(f, "mount_dev", errno, p);
    if (mount("tmpfs", p, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=64m,mode=1777") != 0)
        return sx_fail(f, "mount_dev", errno, p);
    if (set_attrs(dev, true, false) != 0) return sx_fail(f, "mount_dev", errno, "read-only /dev");
    if (plan_add(plan, "/dev", true) != 0 || plan_add(plan, "/dev/shm", false) != 0)
        return sx_fail(f, "mount_dev", E2BIG, NULL);
    return 0;
}

static int by_length(const void *a, const void *b) {
    size_t la = strlen(*(const char *const *)a), lb = strlen(*(const char *const *)b);
    return la < lb ? -1 : la > lb;
}

int sx_build_root(const struct sx_options *o, const char *root, struct sx_mount_plan *plan, struct sx_failure *f) {
    plan->count = 0;
    // The caller's paths are opened while PID 1 still has the launcher's uid (their parents may be
    // private to it, e.g. /root); mkdir on the new tmpfs needs an id mapped in the namespace.
    const char *paths[2 * SX_MAX_PATHS];
    int fds[2 * SX_MAX_PATHS];
    int n = 0;
    for (int i = 0; i < o->ro_count; i++) paths[n++] = o->ro_paths[i];
    for (int i = 0; i < o->rw_count; i++) paths[n++] = o->rw_paths[i];
    qsort(paths, (size_t)n, sizeof paths[0], by_length);
    for (int i = 0; i < n; i++)
        if ((fds[i] = open(paths[i], O_PATH | O_CLOEXEC)) < 0) return sx_fail(f, "open_paths", errno, paths[i]);
    if (sx_simulated_failure(o, "setresuid") || setresgid(SX_INSIDE_ID, SX_INSIDE_ID, SX_INSIDE_ID) != 0 ||
        setresuid(SX_INSIDE_ID, SX_INSIDE_ID, SX_INSIDE_ID) != 0)
        return sx_fail(f, "setresuid", errno, "inside id 1000");
    if (sx_simulated_failure(o, "mount_private") || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0)
        return sx_fail(f, "mount_private", errno, "/");
    char opts[64];
    if (sx_simulated_failure(o, "mount_root") || mount("tmpfs", root, "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,mode=755") != 0)
        return sx_fail(f, "mount_root", errno, root);
    if (plan_add(plan, "/", true) != 0) return sx_fail(f, "mount_root", E2BIG, NULL);

    if (bind_path(root, "/usr", -1, true, plan, f) != 0) return -1;
    static const char *const sys[] = { "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", NULL };
    for (int i = 0; sys[i]; i++)
        if (system_link_or_bind(root, sys[i], plan, f) != 0) return -1;
    if (bind_path(root, "/etc", -1, true, plan, f) != 0) return -1;
    if (mask_etc(root, plan, f) != 0) return -1;

    char p[PATH_MAX];
    snprintf(p, sizeof p, "%s/tmp", root);
    snprintf(opts, sizeof opts, "size=%llu,mode=1777", (unsigned long long)o->tmp_size);
    if (mkdir(p, 01777) != 0 || mount("tmpfs", p, "tmpfs", MS_NOSUID | MS_NODEV, opts) != 0)
        return sx_fail(f, "mount_tmp", errno, p);
    if (plan_add(plan, "/tmp", false) != 0) return sx_fail(f, "mount_tmp", E2BIG, NULL);

    snprintf(p, sizeof p, "%s/proc", root);
    if (sx_simulated_failure(o, "mount_proc") || mkdir(p, 0555) != 0 ||
        mount("proc", p, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) != 0)
        return sx_fail(f, "mount_proc", errno, p);
    if (plan_add(plan, "/proc", false) != 0) return sx_fail(f, "mount_proc", E2BIG, NULL);
    if (make_dev(root, plan, f) != 0) return -1;

    // The caller's paths, parents before children so that a nested bind lands on top.
    for (int i = 0; i < n; i++) {
        bool ro = true;
        for (int k = 0; k < o->rw_count; k++)
            if (paths[i] == o->rw_paths[k]) ro = false;
        if (bind_path(root, paths[i], fds[i], ro, plan, f) != 0) return -1;
        close(fds[i]);
    }

    // The root tmpfs itself read-only (not recursive: the binds keep their own flags).
    if (set_attrs(root, true, false) != 0) return sx_fail(f, "mount_root", errno, "read-only root");
    if (sx_simulated_failure(o, "pivot_root") || chdir(root) != 0 ||
        syscall(SYS_pivot_root, ".", ".") != 0 || umount2(".", MNT_DETACH) != 0 || chdir("/") != 0)
        return sx_fail(f, "pivot_root", errno, root);
    return 0;
}

/// Whether the comma-separated per-mount options contain `flag` ("ro" or "rw").
static bool has_opt(const char *opts, const char *flag) {
    size_t n = strlen(flag);
    for (const char *p = opts; p; p = strchr(p, ',')) {
        if (*p == ',') p++;
        if (strncmp(p, flag, n) == 0 && (p[n] == ',' || p[n] == 0)) return true;
    }
    return false;
}

int sx_verify_mounts(const struct sx_mount_plan *plan, struct sx_failure *f) {
    FILE *mi = fopen("/proc/self/mountinfo", "re");
    if (!mi) return sx_fail(f, "mount_verify", errno, "/proc/self/mountinfo");
    char found[SX_MAX_MOUNTS][8];
    memset(found, 0, sizeof found);
    char line[4096];
    while (fgets(line, sizeof line, mi)) {
        char mp[PATH_MAX], opts[512];
        // id parent major:minor root mountpoint options ...; the last entry for a path is the top one.
        if (sscanf(line, "%*s %*s %*s %*s %4095s %511s", mp, opts) != 2) continue;
        for (int i = 0; i < plan->count; i++)
            if (strcmp(plan->m[i].path, mp) == 0) snprintf(found[i], sizeof found[i], "%s", has_opt(opts, "ro") ? "ro" : "rw");
    }
    fclose(mi);
    for (int i = 0; i < plan->count; i++) {
        char detail[PATH_MAX + 64];
        if (!found[i][0]) {
            snprintf(detail, sizeof detail, "%s is not mounted", plan->m[i].path);
            return sx_fail(f, "mount_verify", ENOENT, detail);
        }
        if (strcmp(found[i], plan->m[i].ro ? "ro" : "rw") != 0) {
            snprintf(detail, sizeof detail, "%s is %s, expected %s", plan->m[i].path, found[i], plan->m[i].ro ? "ro" : "rw");
            return sx_fail(f, "mount_verify", EPERM, detail);
        }
    }
    return 0;
}
