"""A small YAML subset reader for the task files (stdlib only), used by Tasks/selfcheck.py."""
import json
import re


# ------------------------------------------------------------------ a small YAML subset reader
# Enough for the task files: block mappings and sequences, flow {..} / [..] (also across lines),
# quoted and plain scalars, comments. Not a general YAML parser.

def _strip_comment(line):
    quote = None
    for i, ch in enumerate(line):
        if quote:
            if ch == "\\" and quote == '"':
                continue
            if ch == quote and not (quote == '"' and i > 0 and line[i - 1] == "\\"):
                quote = None
        elif ch in "\"'":
            quote = ch
        elif ch == "#" and (i == 0 or line[i - 1] in " \t"):
            return line[:i].rstrip()
    return line.rstrip()


def _depth(text):
    depth, quote = 0, None
    for i, ch in enumerate(text):
        if quote:
            if ch == quote and not (quote == '"' and text[i - 1] == "\\"):
                quote = None
        elif ch in "\"'":
            quote = ch
        elif ch in "{[":
            depth += 1
        elif ch in "}]":
            depth -= 1
    return depth


def _logical_lines(text):
    lines, pending = [], None
    for raw in text.splitlines():
        line = _strip_comment(raw)
        if not line.strip():
            continue
        if pending is not None:
            pending[1] += " " + line.strip()
        else:
            pending = [len(line) - len(line.lstrip(" ")), line.strip()]
        if _depth(pending[1]) <= 0:
            lines.append(tuple(pending))
            pending = None
    if pending is not None:
        raise ValueError(f"unbalanced brackets in: {pending[1]}")
    return lines


def _scalar(text):
    text = text.strip()
    if text[:1] == '"':
        return json.loads(text)
    if text[:1] == "'":
        return text[1:-1].replace("''", "'")
    if text in ("true", "True"):
        return True
    if text in ("false", "False"):
        return False
    if text in ("null", "~", ""):
        return None
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


class _Flow:
    def __init__(self, text):
        self.s, self.i = text, 0

    def ws(self):
        while self.i < len(self.s) and self.s[self.i] in " \t":
            self.i += 1

    def value(self):
        self.ws()
        ch = self.s[self.i]
        if ch == "{":
            self.i += 1
            out = {}
            while True:
                self.ws()
                if self.s[self.i] == "}":
                    self.i += 1
                    return out
                key = self.atom(":")
                self.i += 1  # the colon
                out[key] = self.value()
                self.ws()
                if self.s[self.i] == ",":
                    self.i += 1
        if ch == "[":
            self.i += 1
            out = []
            while True:
                self.ws()
                if self.s[self.i] == "]":
                    self.i += 1
                    return out
                out.append(self.value())
                self.ws()
                if self.s[self.i] == ",":
                    self.i += 1
        return self.atom(",]}")

    def atom(self, stops):
        self.ws()
        start = self.i
        if self.s[self.i] in "\"'":
            quote = self.s[self.i]
            self.i += 1
            while self.s[self.i] != quote or (quote == '"' and self.s[self.i - 1] == "\\"):
                self.i += 1
            self.i += 1
            return _scalar(self.s[start:self.i])
        while self.i < len(self.s) and self.s[self.i] not in stops:
            self.i += 1
        return _scalar(self.s[start:self.i])


def _inline(text):
    return _Flow(text).value() if text[:1] in "{[" else _scalar(text)


_KEY = re.compile(r"^([^\s:'\"{}\[\],#-][^:]*?|-[^\s:][^:]*?):(?:\s+(.*))?$")


def _block(lines, i, indent):
    if lines[i][1] == "-" or lines[i][1].startswith("- "):
        out = []
        while i < len(lines) and lines[i][0] == indent and (lines[i][1] == "-" or lines[i][1].startswith("- ")):
            content = lines[i][1][1:].strip()
            if not content:
                value, i = _block(lines, i + 1, lines[i + 1][0])
            elif _KEY.match(content) and content[:1] not in "{[\"'":
                lines[i] = (indent + 2, content)
                value, i = _block(lines, i, indent + 2)
            else:
                value, i = _inline(content), i + 1
            out.append(value)
        return out, i
    out = {}
    while i < len(lines) and lines[i][0] == indent:
        match = _KEY.match(lines[i][1])
        if not match:
            raise ValueError(f"cannot read line: {lines[i][1]}")
        key, rest = match.group(1).strip(), (match.group(2) or "").strip()
        if rest:
            out[key], i = _inline(rest), i + 1
        elif i + 1 < len(lines) and (lines[i + 1][0] > indent or (
                lines[i + 1][0] == indent and lines[i + 1][1].startswith("- "))):
            out[key], i = _block(lines, i + 1, lines[i + 1][0])
        else:
            out[key], i = None, i + 1
    return out, i


def load_yaml(path):
    with open(path, encoding="utf-8") as handle:
        lines = _logical_lines(handle.read())
    return _block(lines, 0, lines[0][0])[0] if lines else {}
