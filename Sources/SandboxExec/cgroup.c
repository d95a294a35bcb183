// Per-run cgroups: memory, pids and CPU limits on cgroup v2 when the launcher's cgroup delegates the
// controller, else on the v1 hierarchy of that controller, else left to rlimits (RLIMIT_AS,
// RLIMIT_NPROC). A v2 cgroup is made even without controllers: cgroup.kill empties it at teardown.
// Every limit written is read back.
#include "task.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int write_text(const char *dir, const char *file, const char *text) {
    char p[PATH_MAX + 64];
    snprintf(p, sizeof p, "%s/%s", dir, file);
    int fd = open(p, O_WRONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    ssize_t n = write(fd, text, strlen(text));
    int e = errno;
    close(fd);
    if (n < 0) { errno = e; return -1; }
    return 0;
}

static bool read_text(const char *dir, const char *file, char *out, size_t len) {
    char p[PATH_MAX + 64];
    snprintf(p, sizeof p, "%s/%s", dir, file);
    int fd = open(p, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    ssize_t n = read(fd, out, len - 1);
    close(fd);
    if (n < 0) return false;
    out[n] = 0;
    out[strcspn(out, "\n")] = 0;
    return true;
}

static bool has_token(const char *list, const char *word, const char *seps) {
    char buf[512];
    snprintf(buf, sizeof buf, "%s", list);
    char *save = NULL;
    for (char *t = strtok_r(buf, seps, &save); t; t = strtok_r(NULL, seps, &save))
        if (strcmp(t, word) == 0) return true;
    return false;
}

/// The directory of the launcher's own cgroup on the hierarchy with `controller` (v1) or on the
/// unified hierarchy (controller NULL). False when there is none.
static bool own_cgroup_dir(const char *controller, char *out, size_t len) {
    char own[PATH_MAX] = "", line[4096];
    FILE *f = fopen("/proc/self/cgroup", "re");
    if (!f) return false;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = 0;
        char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
        if (!c2) continue;
        *c2 = 0;
        bool match = controller ? has_token(c1 + 1, controller, ",") : (line[0] == '0' && c1 == line + 1 && c1[1] == 0);
        if (match) { snprintf(own, sizeof own, "%s", c2 + 1); break; }
    }
    fclose(f);
    if (!own[0]) return false;
    f = fopen("/proc/self/mountinfo", "re");
    if (!f) return false;
    bool found = false;
    while (!found && fgets(line, sizeof line, f)) {
        char root[PATH_MAX], mp[PATH_MAX], fstype[64], super[512];
        char *dash = strstr(line, " - ");
        if (!dash || sscanf(line, "%*s %*s %*s %4095s %4095s", root, mp) != 2) continue;
        if (sscanf(dash + 3, "%63s %*s %511s", fstype, super) != 2) continue;
        if (controller ? (strcmp(fstype, "cgroup") != 0 || !has_token(super, controller, ","))
                       : strcmp(fstype, "cgroup2") != 0) continue;
        size_t rl = strcmp(root, "/") == 0 ? 0 : strlen(root);
        if (rl && strncmp(own, root, rl) != 0) continue;
        snprintf(out, len, "%s%s", mp, own + rl);
        found = true;
    }
    fclose(f);
    return found;
}

static bool make_child(const char *base, char *out, size_t len) {
    static unsigned counter;
    snprintf(out, len, "%s/ai4sci-%d-%u-%ld", strcmp(base, "/") ? base : "", (int)getpid(), counter++, (long)time(NULL));
    return mkdir(out, 0755) == 0;
}

int sx_cgroup_create(const struct sx_options *o, struct sx_cgroup *cg, struct sx_failure *f) {
    memset(cg, 0, sizeof *cg);
    cg->memory_via = cg->pids_via = cg->cpu_via = "none";
    if (sx_simulated_failure(o, "cgroup")) return sx_fail(f, "cgroup", errno, "simulated");
    char base[PATH_MAX], ctl[512] = "", value[64];
    if (own_cgroup_dir(NULL, base, sizeof base) && make_child(base, cg->v2, sizeof cg->v2)) {
        cg->version = 2;
        read_text(base, "cgroup.subtree_control", ctl, sizeof ctl);
    } else {
        cg->v2[0] = 0;
    }
    // memory
    if (o->memory) {
        snprintf(value, sizeof value, "%llu", (unsigned long long)o->memory);
        if (cg->v2[0] && has_token(ctl, "memory", " ") && write_text(cg->v2, "memory.max", value) == 0) {
            write_text(cg->v2, "memory.swap.max", "0");
            read_text(cg->v2, "memory.max", cg->memory_read, sizeof cg->memory_read);
            cg->memory_via = "cgroup_v2";
        } else if (own_cgroup_dir("memory", base, sizeof base) && make_child(base, cg->memory, sizeof cg->memory)) {
            if (write_text(cg->memory, "memory.limit_in_bytes", value) != 0)
                return sx_fail(f, "cgroup", errno, "memory.limit_in_bytes");
            write_text(cg->memory, "memory.memsw.limit_in_bytes", value);   // absent without swap accounting
            read_text(cg->memory, "memory.limit_in_bytes", cg->memory_read, sizeof cg->memory_read);
            cg->memory_via = "cgroup_v1";
            if (!cg->version) cg->version = 1;
        } else {
            cg->memory[0] = 0;
            cg->memory_via = "rlimit";
        }
    }
    if (o->pids) {
        snprintf(value, sizeof value, "%llu", (unsigned long long)o->pids);
        if (cg->v2[0] && has_token(ctl, "pids", " ") && write_text(cg->v2, "pids.max", value) == 0) {
            read_text(cg->v2, "pids.max", cg->pids_read, sizeof cg->pids_read);
            cg->pids_via = "cgroup_v2";
        } else if (own_cgroup_dir("pids", base, sizeof base) && make_child(base, cg->pids, sizeof cg->pids)) {
            if (write_text(cg->pids, "pids.max", value) != 0) return sx_fail(f, "cgroup", errno, "pids.max");
            read_text(cg->pids, "pids.max", cg->pids_read, sizeof cg->pids_read);
            cg->pids_via = "cgroup_v1";
            if (!cg->version) cg->version = 1;
        } else {
            cg->pids[0] = 0;
            cg->pids_via = "rlimit";
        }
    }
    if (o->cpu_quota > 0) {
        long quota = (long)(o->cpu_quota * 100000 + 0.5);
        if (quota < 1000) quota = 1000;
        snprintf(value, sizeof value, "%ld 100000", quota);
        if (cg->v2[0] && has_token(ctl, "cpu", " ") && write_text(cg->v2, "cpu.max", value) == 0) {
            read_text(cg->v2, "cpu.max", cg->cpu_read, sizeof cg->cpu_read);
            cg->cpu_via = "cgroup_v2";
        } else if (own_cgroup_dir("cpu", base, sizeof base) && make_child(base, cg->cpu, sizeof cg->cpu)) {
            snprintf(value, sizeof value, "%ld", quota);
            if (write_text(cg->cpu, "cpu.cfs_period_us", "100000") != 0 || write_text(cg->cpu, "cpu.cfs_quota_us", value) != 0)
                return sx_fail(f, "cgroup", errno, "cpu.cfs_quota_us");
            char q[32] = "", p[32] = "";
            read_text(cg->cpu, "cpu.cfs_quota_us", q, sizeof q);
            read_text(cg->cpu, "cpu.cfs_period_us", p, sizeof p);
            snprintf(cg->cpu_read, sizeof cg->cpu_read, "%s %s", q, p);
            cg->cpu_via = "cgroup_v1";
            if (!cg->version) cg->version = 1;
        } else {
            cg->cpu[0] = 0;   // no rlimit expresses a CPU rate: left "none", which the driver reports
        }
    }
    return 0;
}

int sx_cgroup_attach(const struct sx_cgroup *cg, pid_t pid, bool v2_done, struct sx_failure *f) {
    char text[32];
    snprintf(text, sizeof text, "%d", (int)pid);
    const char *dirs[] = { v2_done ? "" : cg->v2, cg->memory, cg->pids, cg->cpu };
    for (int i = 0; i < 4; i++)
        if (dirs[i][0] && write_text(dirs[i], "cgroup.procs", text) != 0)
            return sx_fail(f, "cgroup_attach", errno, dirs[i]);
    return 0;
}

/// SIGKILLs every process listed in DIR/cgroup.procs; returns how many were listed.
static int kill_listed(const char *dir) {
    char p[PATH_MAX + 32], line[64];
    snprintf(p, sizeof p, "%s/cgroup.procs", dir);
    FILE *f = fopen(p, "re");
    if (!f) return 0;
    int n = 0;
    while (fgets(line, sizeof line, f)) {
        int pid = atoi(line);
        if (pid > 0) { kill(pid, SIGKILL); n++; }
    }
    fclose(f);
    return n;
}

bool sx_cgroup_destroy(struct sx_cgroup *cg) {
    bool empty = true;
    if (cg->v2[0]) write_text(cg->v2, "cgroup.kill", "1");
    char *dirs[] = { cg->v2, cg->memory, cg->pids, cg->cpu };
    for (int i = 0; i < 4; i++) {
        if (!dirs[i][0]) continue;
        int left = 1;
        for (int round = 0; round < 400 && left; round++) {   // up to ~2 s
            left = kill_listed(dirs[i]);
            if (left) usleep(5000);
        }
        if (left) empty = false;
        for (int round = 0; round < 100 && rmdir(dirs[i]) != 0 && errno == EBUSY; round++) usleep(5000);
        dirs[i][0] = 0;
    }
    return empty;
}

void sx_cgroup_accounting(const struct sx_cgroup *cg, long long *peak_memory, long long *oom_kills) {
    char v[256];
    *peak_memory = -1;
    *oom_kills = -1;
    if (strcmp(cg->memory_via, "cgroup_v2") == 0) {
        if (read_text(cg->v2, "memory.peak", v, sizeof v)) *peak_memory = atoll(v);
    } else if (cg->memory[0]) {
        if (read_text(cg->memory, "memory.max_usage_in_bytes", v, sizeof v)) *peak_memory = atoll(v);
    }
    const char *dir = strcmp(cg->memory_via, "cgroup_v2") == 0 ? cg->v2 : cg->memory;
    const char *file = strcmp(cg->memory_via, "cgroup_v2") == 0 ? "memory.events" : "memory.oom_control";
    char p[PATH_MAX + 32], line[128];
    if (!dir[0]) return;
    snprintf(p, sizeof p, "%s/%s", dir, file);
    FILE *f = fopen(p, "re");
    if (!f) return;
    while (fgets(line, sizeof line, f))
        if (strncmp(line, "oom_kill ", 9) == 0) *oom_kills = atoll(line + 9);
    fclose(f);
}

void sx_cgroup_describe(struct sx_json *j) {
    char dir[PATH_MAX], ctl[512] = "";
    bool v2 = own_cgroup_dir(NULL, dir, sizeof dir);
    if (v2) read_text(dir, "cgroup.subtree_control", ctl, sizeof ctl);
    sx_json_open(j, "cgroup", '{');
    sx_json_bool(j, "v2", v2);
    sx_json_string(j, "v2_path", v2 ? dir : "");
    sx_json_string(j, "v2_subtree_control", ctl);
    static const char *const ctls[] = { "memory", "pids", "cpu" };
    for (int i = 0; i < 3; i++) {
        char key[32];
        snprintf(key, sizeof key, "v1_%s", ctls[i]);
        sx_json_string(j, key, own_cgroup_dir(ctls[i], dir, sizeof dir) ? dir : "");
    }
    sx_json_close(j, '}');
}
