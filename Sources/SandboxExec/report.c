// JSON-lines writer for the launcher's report (stdout). Each record is built in a fixed buffer and
// written with one write(2), so a reader never sees half a record.
#include "launcher.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int sx_report_fd = STDOUT_FILENO;

static void put(struct sx_json *j, const char *s, size_t n) {
    if (j->len + n >= sizeof(j->buf) - 4) n = sizeof(j->buf) - 4 - j->len;
    memcpy(j->buf + j->len, s, n);
    j->len += n;
}

static void puts_(struct sx_json *j, const char *s) { put(j, s, strlen(s)); }

static void put_escaped(struct sx_json *j, const char *s) {
    put(j, "\"", 1);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        char esc[8];
        switch (*p) {
        case '"': puts_(j, "\\\""); break;
        case '\\': puts_(j, "\\\\"); break;
        case '\n': puts_(j, "\\n"); break;
        case '\r': puts_(j, "\\r"); break;
        case '\t': puts_(j, "\\t"); break;
        default:
            if (*p < 0x20) {
                snprintf(esc, sizeof esc, "\\u%04x", *p);
                puts_(j, esc);
            } else {
                put(j, (const char *)p, 1);
            }
        }
    }
    put(j, "\"", 1);
}

static void comma(struct sx_json *j) {
    if (j->need_comma) put(j, ",", 1);
    j->need_comma = true;
}

void sx_json_begin(struct sx_json *j) {
    j->len = 0;
    j->need_comma = false;
    put(j, "{", 1);
}

void sx_json_key(struct sx_json *j, const char *key) {
    comma(j);
    put_escaped(j, key);
    put(j, ":", 1);
}

void sx_json_string(struct sx_json *j, const char *key, const char *value) {
    sx_json_key(j, key);
    put_escaped(j, value ? value : "");
}

void sx_json_int(struct sx_json *j, const char *key, long long value) {
    char num[32];
    sx_json_key(j, key);
    snprintf(num, sizeof num, "%lld", value);
    puts_(j, num);
}

void sx_json_double(struct sx_json *j, const char *key, double value) {
    char num[64];
    sx_json_key(j, key);
    snprintf(num, sizeof num, "%.6f", value);
    puts_(j, num);
}

void sx_json_bool(struct sx_json *j, const char *key, bool value) {
    sx_json_key(j, key);
    puts_(j, value ? "true" : "false");
}

void sx_json_null(struct sx_json *j, const char *key) {
    sx_json_key(j, key);
    puts_(j, "null");
}

void sx_json_raw(struct sx_json *j, const char *text) { puts_(j, text); }

void sx_json_open(struct sx_json *j, const char *key, char bracket) {
    sx_json_key(j, key);
    put(j, &bracket, 1);
    j->need_comma = false;
}

void sx_json_close(struct sx_json *j, char bracket) {
    put(j, &bracket, 1);
    j->need_comma = true;
}

void sx_json_array_string(struct sx_json *j, const char *value) {
    comma(j);
    put_escaped(j, value);
}

void sx_json_end(struct sx_json *j) {
    j->buf[j->len++] = '}';
    j->buf[j->len++] = '\n';
    size_t off = 0;
    while (off < j->len) {
        ssize_t n = write(sx_report_fd, j->buf + off, j->len - off);
        if (n < 0) {
            if (errno == EINTR) continue;
            return;   // the reader is gone; nothing better to do
        }
        off += (size_t)n;
    }
}
