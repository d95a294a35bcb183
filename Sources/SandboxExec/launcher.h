// Shared declarations of ai4sci-sandbox-exec, the agent launcher. See main.c for the protocol.
#ifndef AI4SCI_SANDBOX_EXEC_LAUNCHER_H
#define AI4SCI_SANDBOX_EXEC_LAUNCHER_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <linux/filter.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>

#define SX_MAX_RLIMITS 16
#define SX_MAX_PATHS 64
#define SX_INSIDE_ID 1000          // the agent's uid and gid inside the user namespace
#define SX_OUTSIDE_ID 1999999      // what SX_INSIDE_ID maps to when the launcher runs as root

/// One `--rlimit NAME=SOFT[:HARD]` request.
struct sx_rlimit {
    int resource;
    const char *name;
    rlim_t soft;
    rlim_t hard;
};

/// The parsed command line.
struct sx_options {
    const char *cwd;
    const char *stdout_path;
    const char *stderr_path;
    const char *seccomp_bpf_path;   // NULL: no seccomp filter
    const char *report_path;        // NULL: report on stdout
    uint64_t output_cap;            // bytes kept per stream
    double timeout;                 // seconds, > 0
    double grace;                   // seconds between SIGTERM and SIGKILL
    bool no_new_privs;
    struct sx_rlimit rlimits[SX_MAX_RLIMITS];
    int rlimit_count;
    char **argv;                    // PROGRAM ARGS..., NULL-terminated
    // --task: namespaces, a new root, Landlock, cgroup limits (see task.c)
    bool task;
    bool probe;
    const char *ro_paths[SX_MAX_PATHS];
    int ro_count;
    const char *rw_paths[SX_MAX_PATHS];
    int rw_count;
    uint64_t tmp_size;              // bytes of the private /tmp
    uint64_t memory;                // 0: no memory limit
    uint64_t pids;                  // 0: no process limit
    double cpu_quota;               // fraction of one CPU; 0: none
    const char *fail_step;          // AI4SCI_SANDBOX_FAIL_STEP (tests): this step fails with EPERM
    // --proxy-socket PATH --proxy-port N (task mode): a relay inside the sandbox's netns listens on
    // 127.0.0.1:N and forwards each TCP connection to the runner's proxy at the unix socket PATH.
    const char *proxy_socket;
    int proxy_port;                 // 0: no relay
    // --pass-stdio: the program gets the launcher's own stdin and stdout (a request/response
    // channel such as the scorer bridge's) instead of /dev/null and the capture pipe; stderr is
    // still captured. Needs --report-file.
    bool pass_stdio;
    // --stdin FILE: the program reads FILE (opened by host path before any namespace or Landlock step) instead of
    // /dev/null, e.g. the prompt for a CLI agent that takes it on stdin.
    const char *stdin_path;
};

/// Fails the named step with EPERM when AI4SCI_SANDBOX_FAIL_STEP names it (test hook).
bool sx_simulated_failure(const struct sx_options *o, const char *step);

/// What the child writes to the close-on-exec status pipe when a step fails (one atomic write).
struct sx_failure {
    char step[32];
    int err;
    char detail[220];
};

/// Runs every setup step in the forked child and execs the agent; never returns.
/// On failure writes a `struct sx_failure` to `status_fd` and exits 127.
_Noreturn void sx_child_main(const struct sx_options *o, int out_w, int err_w, int status_fd,
                             const struct sock_fprog *filter);

/// The names of the steps `sx_child_main` performs for these options, in order, NULL-terminated.
int sx_child_step_names(const struct sx_options *o, const char **names, int max);

/// One captured output stream: a pipe drained into a file with a byte cap.
struct sx_capture {
    int pipe_fd;        // read end, non-blocking; -1 once closed
    int file_fd;
    uint64_t cap;
    uint64_t total;     // bytes the agent wrote
    uint64_t kept;      // bytes written to the file (marker excluded)
    bool truncated;
    bool eof;
    char last_kept;     // last byte written to the file, to start the marker on a fresh line
};

/// Reads everything currently available; returns the number of bytes read.
uint64_t sx_capture_pump(struct sx_capture *c);

/// Lists live (non-zombie) descendants of `root` by scanning /proc. Returns the count, or -1 on error;
/// `*out` is (re)allocated by the callee and owned by the caller.
int sx_list_descendants(pid_t root, pid_t **out, size_t *capacity);

/// Reads the named fields of /proc/PID/status into `values` (empty string where absent).
/// Returns the number of fields found, -1 when the file cannot be read.
int sx_read_proc_status(pid_t pid, const char *const *fields, char values[][80], int count);

/// Reads `/proc/PID/limits` for one limit name as shown there (e.g. "Max open files"); "soft:hard".
bool sx_read_proc_limit(pid_t pid, const char *label, char *out, size_t outlen);

/// The /proc/PID/limits label of a resource (e.g. RLIMIT_NOFILE → "Max open files").
const char *sx_rlimit_label(int resource);

/// The short name of a resource (RLIMIT_NOFILE → "nofile").
const char *sx_rlimit_name(int resource);

/// Parses a limit name such as "nofile"; returns the RLIMIT_ constant or -1.
int sx_rlimit_resource(const char *name);

/// The supervisor's state while the agent runs (supervise.c).
struct sx_state {
    pid_t child;                // the agent; its pid is also its process group and session id
    bool child_reaped;
    bool no_children;           // the last waitpid said ECHILD: no child, zombie or alive, is left
    int child_status;           // wait status once reaped
    double t_start;             // CLOCK_MONOTONIC seconds at fork
    double t_child_exit;        // when the agent was reaped
    int signal_fd;              // signalfd for SIGCHLD, SIGTERM, SIGINT, SIGHUP
    bool cancel_requested;
    int cancel_signal;
    struct sx_capture out;
    struct sx_capture err;
    pid_t *scan;                // scratch for sx_list_descendants
    size_t scan_cap;
    pid_t *killed;              // distinct descendants (not the agent) found alive at teardown
    size_t killed_len;
    size_t killed_cap;
    long leftover_killed;
};

/// Monotonic clock in seconds.
double sx_now(void);
/// Waits up to `timeout_ms` for output, signals or child exits, and handles whatever arrived.
void sx_pump(struct sx_state *s, int timeout_ms);
/// SIGTERM to the agent's group and every descendant, `grace` seconds, then SIGKILL until none is left.
void sx_teardown(struct sx_state *s, double grace);
/// Reads the output pipes to EOF (bounded, for writers outside the tree).
void sx_drain_outputs(struct sx_state *s);

// JSON output helpers (report.c): one record per line on sx_report_fd (stdout or --report-file).
extern int sx_report_fd;
struct sx_json {
    char buf[65536];
    size_t len;
    bool need_comma;
};
void sx_json_begin(struct sx_json *j);
void sx_json_key(struct sx_json *j, const char *key);
void sx_json_string(struct sx_json *j, const char *key, const char *value);
void sx_json_int(struct sx_json *j, const char *key, long long value);
void sx_json_double(struct sx_json *j, const char *key, double value);
void sx_json_bool(struct sx_json *j, const char *key, bool value);
void sx_json_null(struct sx_json *j, const char *key);
void sx_json_raw(struct sx_json *j, const char *text);
void sx_json_open(struct sx_json *j, const char *key, char bracket);
void sx_json_close(struct sx_json *j, char bracket);
void sx_json_array_string(struct sx_json *j, const char *value);
void sx_json_end(struct sx_json *j);   // writes the line to sx_report_fd

// main.c: records shared with task.c
/// Writes a failed setup record and a refused exit record; returns 0 (main's exit status).
int sx_refuse(struct sx_state *s, const char *step, int err, const char *detail);
/// Writes the exit record; `extra` (may be NULL) is appended as raw JSON members.
void sx_report_exit(const struct sx_state *s, const char *status, bool timed_out, bool cancelled, const char *extra);
/// Waits for the agent, the timeout or a cancellation, tears the tree down; returns the exit status word.
const char *sx_supervise(const struct sx_options *o, struct sx_state *s, bool *timed_out, bool *cancelled);
/// Reads one failure record from the status pipe; returns the bytes read (0: EOF = exec happened).
size_t sx_read_failure(int fd, struct sx_failure *f);

#endif
