// Landlock for the agent: read and execute everywhere it can see, write rights only beneath the
// --rw paths, /tmp and /dev (device writes), no TCP bind/connect (ABI >= 4), abstract unix sockets and
// signals scoped to the sandbox (ABI >= 6). Every right the kernel's ABI knows is handled, so nothing
// new is implicitly allowed. Constants are defined here because the build host's headers may be older.
#include "task.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define LL_CREATE_RULESET_VERSION (1U << 0)
#define LL_RULE_PATH_BENEATH 1
#define LL_RULE_NET_PORT 2
#define LL_FS_EXECUTE (1ULL << 0)
#define LL_FS_WRITE_FILE (1ULL << 1)
#define LL_FS_READ_FILE (1ULL << 2)
#define LL_FS_READ_DIR (1ULL << 3)
#define LL_FS_ABI1 ((1ULL << 13) - 1)     // EXECUTE .. MAKE_SYM
#define LL_FS_REFER (1ULL << 13)          // ABI 2
#define LL_FS_TRUNCATE (1ULL << 14)       // ABI 3
#define LL_FS_IOCTL_DEV (1ULL << 15)      // ABI 5
#define LL_NET_BIND_TCP (1ULL << 0)       // ABI 4
#define LL_NET_CONNECT_TCP (1ULL << 1)
#define LL_SCOPE_ABSTRACT_UNIX (1ULL << 0) // ABI 6
#define LL_SCOPE_SIGNAL (1ULL << 1)

#ifndef SYS_landlock_create_ruleset
#define SYS_landlock_create_ruleset 444
#define SYS_landlock_add_rule 445
#define SYS_landlock_restrict_self 446
#endif

struct ll_ruleset_attr { uint64_t handled_access_fs, handled_access_net, scoped; };
struct ll_path_beneath { uint64_t allowed_access; int32_t parent_fd; } __attribute__((packed));
struct ll_net_port { uint64_t allowed_access; uint64_t port; };

int sx_landlock_abi(void) {
    long abi = syscall(SYS_landlock_create_ruleset, NULL, 0, LL_CREATE_RULESET_VERSION);
    return abi < 0 ? 0 : (int)abi;
}

static int allow(int ruleset, const char *path, uint64_t access, struct sx_failure *f) {
    int fd = open(path, O_PATH | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT) return 0;   // e.g. /dev/shm missing: nothing to allow
        return sx_fail(f, "landlock", errno, path);
    }
    struct ll_path_beneath rule = { .allowed_access = access, .parent_fd = fd };
    long rc = syscall(SYS_landlock_add_rule, ruleset, LL_RULE_PATH_BENEATH, &rule, 0);
    int e = errno;
    close(fd);
    return rc != 0 ? sx_fail(f, "landlock", e, path) : 0;
}

int sx_apply_landlock(const struct sx_options *o, char *summary, size_t len, struct sx_failure *f) {
    int abi = sx_simulated_failure(o, "landlock") ? 0 : sx_landlock_abi();
    if (abi <= 0) {
        int e = sx_simulated_failure(o, "landlock") ? EPERM : errno;
        return sx_fail(f, "landlock", e, "Landlock is not available (landlock_create_ruleset version query failed)");
    }
    struct ll_ruleset_attr attr = { 0, 0, 0 };
    attr.handled_access_fs = LL_FS_ABI1;
    if (abi >= 2) attr.handled_access_fs |= LL_FS_REFER;
    if (abi >= 3) attr.handled_access_fs |= LL_FS_TRUNCATE;
    if (abi >= 5) attr.handled_access_fs |= LL_FS_IOCTL_DEV;
    if (abi >= 4) attr.handled_access_net = LL_NET_BIND_TCP | LL_NET_CONNECT_TCP;
    if (abi >= 6) attr.scoped = LL_SCOPE_ABSTRACT_UNIX | LL_SCOPE_SIGNAL;
    size_t size = abi >= 6 ? sizeof attr : abi >= 4 ? 2 * sizeof(uint64_t) : sizeof(uint64_t);
    int ruleset = (int)syscall(SYS_landlock_create_ruleset, &attr, size, 0);
    if (ruleset < 0) return sx_fail(f, "landlock", errno, "landlock_create_ruleset");

    uint64_t all = attr.handled_access_fs;
    uint64_t read = LL_FS_EXECUTE | LL_FS_READ_FILE | LL_FS_READ_DIR;
    uint64_t dev = read | LL_FS_WRITE_FILE | (all & (LL_FS_TRUNCATE | LL_FS_IOCTL_DEV));
    int rc = allow(ruleset, "/", read, f);
    if (rc == 0) rc = allow(ruleset, "/dev", dev, f);
    if (rc == 0) rc = allow(ruleset, "/dev/shm", all, f);
    if (rc == 0) rc = allow(ruleset, "/tmp", all, f);
    for (int i = 0; rc == 0 && i < o->rw_count; i++) rc = allow(ruleset, o->rw_paths[i], all, f);
    if (rc == 0 && o->proxy_port) {
        // Proxy network: TCP connect to the relay's port only (refused when the ABI cannot say so).
        struct ll_net_port rule = { .allowed_access = LL_NET_CONNECT_TCP, .port = (uint64_t)o->proxy_port };
        if (abi < 4) rc = sx_fail(f, "landlock", EOPNOTSUPP, "the proxy network needs Landlock ABI >= 4 (TCP rules)");
        else if (syscall(SYS_landlock_add_rule, ruleset, LL_RULE_NET_PORT, &rule, 0) != 0)
            rc = sx_fail(f, "landlock", errno, "tcp connect port rule");
    }
    if (rc != 0) { close(ruleset); return -1; }
    if (syscall(SYS_landlock_restrict_self, ruleset, 0) != 0) {
        int e = errno;
        close(ruleset);
        return sx_fail(f, "landlock", e, "landlock_restrict_self");
    }
    close(ruleset);
    int w = snprintf(summary, len, "abi=%d fs=0x%llx net=0x%llx scoped=0x%llx", abi,
             (unsigned long long)attr.handled_access_fs, (unsigned long long)attr.handled_access_net,
             (unsigned long long)attr.scoped);
    if (o->proxy_port && w > 0 && (size_t)w < len) snprintf(summary + w, len - (size_t)w, " tcp_connect_port=%d", o->proxy_port);
    return 0;
}
