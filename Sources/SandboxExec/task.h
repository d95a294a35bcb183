// Declarations of the task mode (namespaces, new root, Landlock, cgroups); see task.c for the flow.
#ifndef AI4SCI_SANDBOX_EXEC_TASK_H
#define AI4SCI_SANDBOX_EXEC_TASK_H

#include "launcher.h"

#include <limits.h>

#define SX_MAX_MOUNTS 128

/// Records a failed step into `f` and returns -1 (errno value `err`).
int sx_fail(struct sx_failure *f, const char *step, int err, const char *detail);

/// One mount the new root should have, for the mountinfo check.
struct sx_mount_expect {
    char path[PATH_MAX];   // as seen inside the new root
    bool ro;
};

/// The planned mounts (filled by sx_build_root, checked by sx_verify_mounts).
struct sx_mount_plan {
    struct sx_mount_expect m[SX_MAX_MOUNTS];
    int count;
};

// mounts.c: runs in the sandbox's PID 1, which holds every capability of the new user namespace.
/// Builds the new root on a tmpfs at `newroot`, pivots into it and detaches the old root.
int sx_build_root(const struct sx_options *o, const char *newroot, struct sx_mount_plan *plan, struct sx_failure *f);
/// Reads /proc/self/mountinfo and checks every planned mount's ro/rw flag ("mount_verify").
int sx_verify_mounts(const struct sx_mount_plan *plan, struct sx_failure *f);

// namespaces.c
/// Brings `lo` up and sets the hostname ("network_lo", "hostname").
int sx_setup_network_and_host(const struct sx_options *o, struct sx_failure *f);
/// Drops the bounding set, ambient set and every capability ("capabilities").
int sx_drop_capabilities(const struct sx_options *o, struct sx_failure *f);
/// Writes setgroups=deny, uid_map and gid_map of `pid` (the parent's side of the user namespace).
int sx_write_id_maps(pid_t pid, uid_t outside_uid, gid_t outside_gid, struct sx_failure *f);
/// The clone(2) flags of the sandbox's PID 1.
#define SX_NS_FLAGS (CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWUTS)

// landlock.c
/// Applies Landlock (read/exec everywhere, writes under `--rw` paths, /tmp and /dev; TCP denied when
/// the ABI knows it; abstract unix sockets and signals scoped). `summary` gets "abi=N fs=0x.. ...".
int sx_apply_landlock(const struct sx_options *o, char *summary, size_t len, struct sx_failure *f);
/// The kernel's Landlock ABI version, 0 when unsupported.
int sx_landlock_abi(void);

// cgroup.c
struct sx_cgroup {
    char v2[PATH_MAX];          // per-run cgroup on the unified hierarchy ("" if none)
    char memory[PATH_MAX];      // per-run v1 cgroups ("" if none)
    char pids[PATH_MAX];
    char cpu[PATH_MAX];
    const char *memory_via;     // "cgroup_v2", "cgroup_v1", "rlimit" or "none"
    const char *pids_via;
    const char *cpu_via;
    char memory_read[64];       // limit files read back
    char pids_read[64];
    char cpu_read[64];
    int version;                // 2, 1 or 0 (none used)
};
/// Creates the per-run cgroups and writes the limits; what cannot go into a cgroup is left to rlimits.
int sx_cgroup_create(const struct sx_options *o, struct sx_cgroup *cg, struct sx_failure *f);
/// Moves `pid` into every per-run cgroup ("cgroup_attach"); `v2_done`: it was cloned into the v2 one.
int sx_cgroup_attach(const struct sx_cgroup *cg, pid_t pid, bool v2_done, struct sx_failure *f);
/// Kills everything left in the cgroups; true when they are empty afterwards. Then removes them.
bool sx_cgroup_destroy(struct sx_cgroup *cg);
/// Writes the host's cgroup facts as JSON members (probe and report).
void sx_cgroup_describe(struct sx_json *j);
/// Peak memory and OOM kills of the per-run cgroup (-1 when unknown); call before destroy.
void sx_cgroup_accounting(const struct sx_cgroup *cg, long long *peak_memory, long long *oom_kills);

// probe.c
/// `--probe`: tries each primitive in a throwaway child and prints one JSON object.
int sx_probe(const struct sx_options *o);

// relay.c
/// The launcher's O_PATH descriptor of the --proxy-socket file (-1: none), inherited by PID 1.
extern int sx_proxy_fd;
/// Listens on 127.0.0.1:--proxy-port inside the sandbox's netns ("proxy_relay"); returns the fd or -1.
int sx_relay_listen(const struct sx_options *o, struct sx_failure *f);
/// The relay process: accepts on `listen_fd` and copies each connection to the proxy socket.
_Noreturn void sx_relay_main(const struct sx_options *o, int listen_fd, int proxy_fd);

// task.c
/// Runs a task-mode launch from the parent's side; returns main's exit status.
int sx_run_task(const struct sx_options *o, struct sx_state *s, const struct sock_fprog *filter, size_t bpf_bytes);

#endif

// taskchild.c
_Noreturn void sx_task_child(const struct sx_options *o, const char *newroot, int out_w, int err_w,
                             int status_fd, int sync_r, int go_r, int exit_w, const struct sock_fprog *filter);
int sx_task_step_names(const char **names, int max);
