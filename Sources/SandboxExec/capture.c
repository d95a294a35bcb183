// Output capture: drains a non-blocking pipe into a file, keeping at most `cap` bytes. Past the cap
// the pipe is still drained (so the agent never blocks on a full pipe) but the bytes are discarded,
// and one marker line is appended to the file at the moment of the cut.
#include "launcher.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void write_all(int fd, const char *p, size_t n) {
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR) continue;
            return;   // disk full or similar: the capture is best effort, the run goes on
        }
        p += w;
        n -= (size_t)w;
    }
}

static void keep(struct sx_capture *c, const char *p, size_t n) {
    uint64_t room = c->cap > c->kept ? c->cap - c->kept : 0;
    size_t k = n < room ? n : (size_t)room;
    if (k > 0) {
        write_all(c->file_fd, p, k);
        c->kept += k;
        c->last_kept = p[k - 1];
    }
    if (k < n && !c->truncated) {
        c->truncated = true;
        char marker[160];
        int len = snprintf(marker, sizeof marker,
                           "%s[ai4sci-sandbox-exec: output cut at %llu bytes; the rest was discarded]\n",
                           (c->kept > 0 && c->last_kept != '\n') ? "\n" : "",
                           (unsigned long long)c->cap);
        write_all(c->file_fd, marker, (size_t)len);
    }
}

uint64_t sx_capture_pump(struct sx_capture *c) {
    char buf[65536];
    uint64_t got = 0;
    while (c->pipe_fd >= 0) {
        ssize_t n = read(c->pipe_fd, buf, sizeof buf);
        if (n > 0) {
            c->total += (uint64_t)n;
            got += (uint64_t)n;
            keep(c, buf, (size_t)n);
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
        // EOF or a read error: the stream is over.
        close(c->pipe_fd);
        c->pipe_fd = -1;
        c->eof = true;
    }
    return got;
}
