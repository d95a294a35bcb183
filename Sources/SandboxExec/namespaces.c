// User-namespace id maps (written by the parent), the network and host name of the new namespaces,
// and the capability drop of the agent.
#include "task.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

int sx_fail(struct sx_failure *f, const char *step, int err, const char *detail) {
    memset(f, 0, sizeof *f);
    strncpy(f->step, step, sizeof f->step - 1);
    f->err = err ? err : EIO;
    if (detail) strncpy(f->detail, detail, sizeof f->detail - 1);
    return -1;
}

static int write_file(const char *path, const char *text) {
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    ssize_t n = write(fd, text, strlen(text));
    int e = errno;
    close(fd);
    if (n != (ssize_t)strlen(text)) { errno = n < 0 ? e : EIO; return -1; }
    return 0;
}

int sx_write_id_maps(pid_t pid, uid_t outside_uid, gid_t outside_gid, struct sx_failure *f) {
    char path[64], map[64];
    snprintf(path, sizeof path, "/proc/%d/setgroups", (int)pid);
    if (write_file(path, "deny") != 0) return sx_fail(f, "setgroups_deny", errno, path);
    snprintf(path, sizeof path, "/proc/%d/uid_map", (int)pid);
    snprintf(map, sizeof map, "%d %u 1\n", SX_INSIDE_ID, (unsigned)outside_uid);
    if (write_file(path, map) != 0) return sx_fail(f, "uid_map", errno, map);
    snprintf(path, sizeof path, "/proc/%d/gid_map", (int)pid);
    snprintf(map, sizeof map, "%d %u 1\n", SX_INSIDE_ID, (unsigned)outside_gid);
    if (write_file(path, map) != 0) return sx_fail(f, "gid_map", errno, map);
    return 0;
}

int sx_setup_network_and_host(const struct sx_options *o, struct sx_failure *f) {
    // The new network namespace has only `lo`, down: bring it up so that local servers work.
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s < 0 || sx_simulated_failure(o, "network_lo")) return sx_fail(f, "network_lo", errno, "socket");
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    strncpy(ifr.ifr_name, "lo", IFNAMSIZ - 1);
    if (ioctl(s, SIOCGIFFLAGS, &ifr) != 0) { int e = errno; close(s); return sx_fail(f, "network_lo", e, "SIOCGIFFLAGS"); }
    ifr.ifr_flags |= IFF_UP;
    if (ioctl(s, SIOCSIFFLAGS, &ifr) != 0) { int e = errno; close(s); return sx_fail(f, "network_lo", e, "SIOCSIFFLAGS"); }
    close(s);
    static const char host[] = "ai4sci-sandbox";
    if (sethostname(host, sizeof host - 1) != 0) return sx_fail(f, "hostname", errno, host);
    return 0;
}

int sx_drop_capabilities(const struct sx_options *o, struct sx_failure *f) {
    if (sx_simulated_failure(o, "capabilities")) return sx_fail(f, "capabilities", errno, "simulated");
    // The bounding set first (needs CAP_SETPCAP, still held), then ambient, then every set to zero.
    for (int cap = 0; cap <= 63; cap++) {
        if (prctl(PR_CAPBSET_READ, cap, 0, 0, 0) < 0) break;   // past the kernel's last capability
        if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0) return sx_fail(f, "capabilities", errno, "bounding set");
    }
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL)
        return sx_fail(f, "capabilities", errno, "ambient set");
    struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
    struct __user_cap_data_struct d[2];
    memset(d, 0, sizeof d);
    if (syscall(SYS_capset, &h, d) != 0) return sx_fail(f, "capabilities", errno, "capset");
    return 0;
}
