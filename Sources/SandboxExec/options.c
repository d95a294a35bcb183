// Command-line parsing of ai4sci-sandbox-exec (usage in main.c). Errors go to stderr; exit status 2.
#include "launcher.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int usage(const char *message, const char *arg) {
    fprintf(stderr, "ai4sci-sandbox-exec: %s%s%s\n", message, arg ? ": " : "", arg ? arg : "");
    fprintf(stderr,
            "usage: ai4sci-sandbox-exec --cwd DIR --stdout FILE --stderr FILE --output-cap BYTES\n"
            "       --timeout SECONDS --grace SECONDS [--report-file FILE] [--seccomp-bpf FILE]\n"
            "       [--no-new-privs] [--task [--ro PATH]... [--rw PATH]... [--tmp-size BYTES]\n"
            "       [--memory BYTES] [--pids N] [--cpu-quota FRACTION]\n"
            "       [--proxy-socket PATH --proxy-port PORT]] [--pass-stdio] [--stdin FILE]"
            " [--rlimit NAME=SOFT[:HARD]]... -- PROGRAM ARGS...\n");
    return -1;
}

bool sx_simulated_failure(const struct sx_options *o, const char *step) {
    if (!o->fail_step || strcmp(o->fail_step, step) != 0) return false;
    errno = EPERM;
    return true;
}

static bool parse_u64(const char *s, uint64_t *out) {
    if (!s || !*s || *s == '-') return false;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end) return false;
    *out = v;
    return true;
}

static bool parse_seconds(const char *s, double *out) {
    if (!s || !*s) return false;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || *end || !(v >= 0) || v > 1e9) return false;
    *out = v;
    return true;
}

static bool parse_limit_value(const char *s, size_t len, rlim_t *out) {
    char tmp[32];
    if (len == 0 || len >= sizeof tmp) return false;
    memcpy(tmp, s, len);
    tmp[len] = 0;
    if (strcmp(tmp, "unlimited") == 0 || strcmp(tmp, "inf") == 0) { *out = RLIM_INFINITY; return true; }
    uint64_t v;
    if (!parse_u64(tmp, &v)) return false;
    *out = (rlim_t)v;
    return true;
}

/// NAME=SOFT[:HARD]; values above the current hard limit are lowered to it (stricter, and root
/// without CAP_SYS_RESOURCE could not raise them anyway).
static bool parse_rlimit(const char *spec, struct sx_rlimit *r) {
    const char *eq = strchr(spec, '=');
    if (!eq) return false;
    char name[16];
    size_t nlen = (size_t)(eq - spec);
    if (nlen == 0 || nlen >= sizeof name) return false;
    memcpy(name, spec, nlen);
    name[nlen] = 0;
    int res = sx_rlimit_resource(name);
    if (res < 0) return false;
    const char *v = eq + 1, *colon = strchr(v, ':');
    rlim_t soft, hard;
    if (!parse_limit_value(v, colon ? (size_t)(colon - v) : strlen(v), &soft)) return false;
    if (colon) {
        if (!parse_limit_value(colon + 1, strlen(colon + 1), &hard)) return false;
    } else {
        hard = soft;
    }
    if (soft > hard) return false;
    struct rlimit cur;
    if (getrlimit(res, &cur) == 0 && cur.rlim_max != RLIM_INFINITY) {
        if (hard > cur.rlim_max) hard = cur.rlim_max;
        if (soft > hard) soft = hard;
    }
    r->resource = res;
    r->name = sx_rlimit_name(res);
    r->soft = soft;
    r->hard = hard;
    return true;
}

int sx_parse_options(int argc, char **argv, struct sx_options *o) {
    memset(o, 0, sizeof *o);
    bool have_cap = false, have_timeout = false, have_grace = false;
    int i = 1;
    for (; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--") == 0) { i++; break; }
        if (strcmp(a, "--no-new-privs") == 0) { o->no_new_privs = true; continue; }
        if (strcmp(a, "--task") == 0) { o->task = true; continue; }
        if (strcmp(a, "--probe") == 0) { o->probe = true; continue; }
        if (strcmp(a, "--pass-stdio") == 0) { o->pass_stdio = true; continue; }
        if (i + 1 >= argc) return usage("missing value for option", a);
        const char *v = argv[++i];
        if (strcmp(a, "--cwd") == 0) o->cwd = v;
        else if (strcmp(a, "--stdout") == 0) o->stdout_path = v;
        else if (strcmp(a, "--stderr") == 0) o->stderr_path = v;
        else if (strcmp(a, "--seccomp-bpf") == 0) o->seccomp_bpf_path = v;
        else if (strcmp(a, "--report-file") == 0) o->report_path = v;
        else if (strcmp(a, "--stdin") == 0) o->stdin_path = v;
        else if (strcmp(a, "--ro") == 0 || strcmp(a, "--rw") == 0) {
            bool ro = a[3] == 'o';
            int *count = ro ? &o->ro_count : &o->rw_count;
            if (*count == SX_MAX_PATHS) return usage("too many paths", v);
            if (v[0] != '/' || strstr(v, "/../") || strstr(v, "/./")) return usage("paths must be absolute and normalised", v);
            (ro ? o->ro_paths : o->rw_paths)[(*count)++] = v;
        } else if (strcmp(a, "--proxy-socket") == 0) {
            if (v[0] != '/') return usage("--proxy-socket expects an absolute path", v);
            o->proxy_socket = v;
        } else if (strcmp(a, "--proxy-port") == 0) {
            uint64_t port;
            if (!parse_u64(v, &port) || port == 0 || port > 65535) return usage("--proxy-port expects a TCP port", v);
            o->proxy_port = (int)port;
        } else if (strcmp(a, "--tmp-size") == 0) {
            if (!parse_u64(v, &o->tmp_size) || o->tmp_size == 0) return usage("--tmp-size expects bytes > 0", v);
        } else if (strcmp(a, "--memory") == 0) {
            if (!parse_u64(v, &o->memory)) return usage("--memory expects bytes", v);
        } else if (strcmp(a, "--pids") == 0) {
            if (!parse_u64(v, &o->pids)) return usage("--pids expects a count", v);
        } else if (strcmp(a, "--cpu-quota") == 0) {
            if (!parse_seconds(v, &o->cpu_quota) || o->cpu_quota > 1024) return usage("--cpu-quota expects a CPU fraction", v);
        }
        else if (strcmp(a, "--output-cap") == 0) {
            if (!parse_u64(v, &o->output_cap)) return usage("--output-cap expects a byte count", v);
            have_cap = true;
        } else if (strcmp(a, "--timeout") == 0) {
            if (!parse_seconds(v, &o->timeout) || o->timeout <= 0) return usage("--timeout expects seconds > 0", v);
            have_timeout = true;
        } else if (strcmp(a, "--grace") == 0) {
            if (!parse_seconds(v, &o->grace)) return usage("--grace expects seconds >= 0", v);
            have_grace = true;
        } else if (strcmp(a, "--rlimit") == 0) {
            if (o->rlimit_count == SX_MAX_RLIMITS) return usage("too many --rlimit options", v);
            if (!parse_rlimit(v, &o->rlimits[o->rlimit_count]))
                return usage("--rlimit expects NAME=SOFT[:HARD] with a known NAME and SOFT <= HARD", v);
            o->rlimit_count++;
        } else {
            return usage("unknown option", a);
        }
    }
    const char *fs = getenv("AI4SCI_SANDBOX_FAIL_STEP");
    o->fail_step = (fs && *fs) ? fs : NULL;
    if (o->tmp_size == 0) o->tmp_size = 256ull << 20;
    if (o->probe) return 0;
    if (i >= argc) return usage("missing -- PROGRAM", NULL);
    if (!o->cwd || !o->stdout_path || !o->stderr_path) return usage("--cwd, --stdout and --stderr are required", NULL);
    if (!have_cap || !have_timeout || !have_grace)
        return usage("--output-cap, --timeout and --grace are required", NULL);
    if ((o->proxy_socket != NULL) != (o->proxy_port != 0))
        return usage("--proxy-socket and --proxy-port go together", NULL);
    if (o->proxy_socket && !o->task) return usage("--proxy-socket needs --task (a network namespace)", NULL);
    if (o->pass_stdio && !o->report_path) return usage("--pass-stdio needs --report-file (stdout belongs to the program)", NULL);
    if (o->pass_stdio && o->stdin_path) return usage("--stdin and --pass-stdio exclude each other", NULL);
    o->argv = argv + i;
    return 0;
}
