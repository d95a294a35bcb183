// /proc readers: descendants of the launcher, /proc/PID/status fields, /proc/PID/limits, rlimit names.
#include "launcher.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct proc_entry { pid_t pid; pid_t ppid; bool zombie; bool mark; };

/// Reads ppid and state from /proc/PID/stat; the command name may contain spaces and parentheses,
/// so parsing starts after the last ')'.
static bool read_stat(pid_t pid, pid_t *ppid, char *state) {
    char path[64], buf[512];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0) return false;
    buf[n] = 0;
    char *rp = strrchr(buf, ')');
    if (!rp) return false;
    int pp = 0;
    char st = 0;
    if (sscanf(rp + 1, " %c %d", &st, &pp) != 2) return false;
    *ppid = (pid_t)pp;
    *state = st;
    return true;
}

int sx_list_descendants(pid_t root, pid_t **out, size_t *capacity) {
    DIR *d = opendir("/proc");
    if (!d) return -1;
    struct proc_entry *all = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (!isdigit((unsigned char)e->d_name[0])) continue;
        pid_t pid = (pid_t)atoi(e->d_name);
        pid_t ppid;
        char st;
        if (!read_stat(pid, &ppid, &st)) continue;   // exited meanwhile
        if (n == cap) {
            cap = cap ? cap * 2 : 512;
            struct proc_entry *grown = realloc(all, cap * sizeof *all);
            if (!grown) { free(all); closedir(d); return -1; }
            all = grown;
        }
        all[n++] = (struct proc_entry){ pid, ppid, st == 'Z' || st == 'X', false };
    }
    closedir(d);

    // Mark the tree below root: repeat until no new process joins (depth passes, n is small).
    bool changed = true;
    while (changed) {
        changed = false;
        for (size_t i = 0; i < n; i++) {
            if (all[i].mark) continue;
            if (all[i].ppid == root) { all[i].mark = true; changed = true; continue; }
            for (size_t k = 0; k < n; k++) {
                if (all[k].mark && all[k].pid == all[i].ppid) { all[i].mark = true; changed = true; break; }
            }
        }
    }
    int count = 0;
    for (size_t i = 0; i < n; i++) {
        if (!all[i].mark || all[i].zombie) continue;
        if ((size_t)count == *capacity) {
            size_t grown_cap = *capacity ? *capacity * 2 : 64;
            pid_t *grown = realloc(*out, grown_cap * sizeof **out);
            if (!grown) { free(all); return -1; }
            *out = grown;
            *capacity = grown_cap;
        }
        (*out)[count++] = all[i].pid;
    }
    free(all);
    return count;
}

int sx_read_proc_status(pid_t pid, const char *const *fields, char values[][80], int count) {
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    FILE *f = fopen(path, "re");
    for (int i = 0; i < count; i++) values[i][0] = 0;
    if (!f) return -1;
    char line[512];
    int found = 0;
    while (fgets(line, sizeof line, f)) {
        char *colon = strchr(line, ':');
        if (!colon) continue;
        *colon = 0;
        for (int i = 0; i < count; i++) {
            if (strcmp(line, fields[i]) != 0) continue;
            char *v = colon + 1;
            while (*v == ' ' || *v == '\t') v++;
            size_t len = strcspn(v, "\n");
            if (len >= 80) len = 79;
            memcpy(values[i], v, len);
            values[i][len] = 0;
            found++;
        }
    }
    fclose(f);
    return found;
}

bool sx_read_proc_limit(pid_t pid, const char *label, char *out, size_t outlen) {
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/limits", (int)pid);
    FILE *f = fopen(path, "re");
    if (!f) return false;
    char line[256];
    bool ok = false;
    size_t ll = strlen(label);
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, label, ll) != 0 || line[ll] != ' ') continue;
        char soft[32], hard[32];
        if (sscanf(line + ll, " %31s %31s", soft, hard) == 2) {
            snprintf(out, outlen, "%s:%s", soft, hard);
            ok = true;
        }
        break;
    }
    fclose(f);
    return ok;
}

static const struct { const char *name; int resource; const char *label; } limit_table[] = {
    { "as", RLIMIT_AS, "Max address space" },
    { "core", RLIMIT_CORE, "Max core file size" },
    { "cpu", RLIMIT_CPU, "Max cpu time" },
    { "data", RLIMIT_DATA, "Max data size" },
    { "fsize", RLIMIT_FSIZE, "Max file size" },
    { "memlock", RLIMIT_MEMLOCK, "Max locked memory" },
    { "nofile", RLIMIT_NOFILE, "Max open files" },
    { "nproc", RLIMIT_NPROC, "Max processes" },
    { "stack", RLIMIT_STACK, "Max stack size" },
    { "sigpending", RLIMIT_SIGPENDING, "Max pending signals" },
    { "msgqueue", RLIMIT_MSGQUEUE, "Max msgqueue size" },
};

int sx_rlimit_resource(const char *name) {
    for (size_t i = 0; i < sizeof limit_table / sizeof limit_table[0]; i++)
        if (strcmp(limit_table[i].name, name) == 0) return limit_table[i].resource;
    return -1;
}

const char *sx_rlimit_name(int resource) {
    for (size_t i = 0; i < sizeof limit_table / sizeof limit_table[0]; i++)
        if (limit_table[i].resource == resource) return limit_table[i].name;
    return "";
}

const char *sx_rlimit_label(int resource) {
    for (size_t i = 0; i < sizeof limit_table / sizeof limit_table[0]; i++)
        if (limit_table[i].resource == resource) return limit_table[i].label;
    return "";
}
