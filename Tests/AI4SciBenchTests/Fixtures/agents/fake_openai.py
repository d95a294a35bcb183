#!/usr/bin/env python3
"""Stand-in for an OpenAI-compatible Chat Completions server (loopback only, for tests).

Usage:
    fake_openai.py [--port 0] [--log FILE] [--code-file F] [--bad-code-file F]
                   [--require-key KEY] [--slow-seconds 5]

Binds 127.0.0.1, prints one line ``PORT <n>`` on stdout, then serves until SIGTERM/SIGINT
(exit 0).  The behaviour of a chat request is chosen by its ``model`` field; see README.md
("fake_openai.py") for the scenarios, the response shapes and the usage numbers.

Python 3 standard library only.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SERVER_HEADER = "fake-openai/1.0"
CREATED = 1760000000
MODEL_SUFFIX = "-2026-01-01"
FINGERPRINT = "fp_fake"

DEFAULT_GOOD_CODE = 'print("hello from the model")\n'
DEFAULT_BAD_CODE = (
    "import sys\n"
    'print("about to fail")\n'
    "raise RuntimeError(\"boom: the model's first try\")\n"
)
LEAK_OTHER_KEY = "sk-proj-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789"
NOCODE_TEXT = (
    "I would approach this by reading the input files, computing the requested quantities "
    "and writing them to the output files in the current directory.\n\n"
    "Unfortunately I cannot produce the program right now.\n"
)

SCENARIOS = {
    "ok", "flaky-429", "flaky-500", "down", "auth", "slow", "repair", "nocode", "leak",
}

# Pause between streamed events, so that clients really see them arrive one by one.
STREAM_GAP_SECONDS = 0.01


def scenario_for(model: str) -> str:
    """Exact scenario name, or ``<scenario>:<tag>`` (own counter per full name); else ``ok``."""
    if model in SCENARIOS:
        return model
    head = model.split(":", 1)[0]
    if head in SCENARIOS:
        return head
    return "ok"


def success_content(code: str) -> str:
    tail = "" if code.endswith("\n") else "\n"
    return (
        "Here is the program.\n\n```python\n"
        + code
        + tail
        + "```\n\nIt writes the outputs in the current directory.\n"
    )


def error_body(message: str, etype: str, code) -> dict:
    return {"error": {"message": message, "type": etype, "param": None, "code": code}}


def bearer_token(authorization: str | None) -> str:
    if not authorization:
        return ""
    if authorization.startswith("Bearer "):
        return authorization[len("Bearer "):]
    return authorization


def invalid_key_body(authorization: str | None) -> dict:
    token = bearer_token(authorization)
    return error_body(
        f"Incorrect API key provided: {token[:6]}***",
        "invalid_request_error",
        "invalid_api_key",
    )


class State:
    def __init__(self, args: argparse.Namespace, good_code: str, bad_code: str):
        self.args = args
        self.good_code = good_code
        self.bad_code = bad_code
        self.require_key = args.require_key
        self.slow_seconds = args.slow_seconds
        self._counter_lock = threading.Lock()
        self._counters: dict[str, int] = {}
        self._log_lock = threading.Lock()
        self._log_fd = None
        if args.log:
            self._log_fd = os.open(args.log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)

    def next_count(self, model: str) -> int:
        with self._counter_lock:
            n = self._counters.get(model, 0) + 1
            self._counters[model] = n
            return n

    def log(self, record: dict) -> None:
        if self._log_fd is None:
            return
        line = (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")
        with self._log_lock:
            os.write(self._log_fd, line)  # one write per line; O_APPEND, unbuffered


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = SERVER_HEADER
    sys_version = ""
    state: State  # set on the subclass in main()

    # ---- quiet -------------------------------------------------------------------------
    def log_message(self, format, *args):  # noqa: A002 - signature from the base class
        pass

    def version_string(self):
        return SERVER_HEADER

    # ---- plumbing ----------------------------------------------------------------------
    def _read_body(self) -> bytes | None:
        """Request body, or None when it cannot be read (bad framing)."""
        te = (self.headers.get("Transfer-Encoding") or "").lower()
        if "chunked" in te:
            chunks = []
            while True:
                size_line = self.rfile.readline(65537)
                if not size_line:
                    return None
                try:
                    size = int(size_line.split(b";", 1)[0].strip(), 16)
                except ValueError:
                    return None
                if size == 0:
                    # trailers up to the empty line
                    while True:
                        line = self.rfile.readline(65537)
                        if not line or line in (b"\r\n", b"\n"):
                            break
                    break
                data = self.rfile.read(size)
                if len(data) != size:
                    return None
                chunks.append(data)
                self.rfile.readline(65537)  # CRLF after the chunk
            return b"".join(chunks)
        length = self.headers.get("Content-Length")
        if length is None:
            return b""
        try:
            n = int(length)
        except ValueError:
            return None
        if n < 0:
            return None
        data = self.rfile.read(n) if n else b""
        if len(data) != n:
            return None
        return data

    def _send_json(self, status: int, obj: dict, extra_headers: dict | None = None) -> None:
        body = json.dumps(obj, ensure_ascii=False).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for k, v in (extra_headers or {}).items():
            self.send_header(k, v)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()

    def _log(self, *, model=None, stream=False, status, counter=None, request=None) -> None:
        req = request if isinstance(request, dict) else {}
        self.state.log({
            "method": self.command,
            "path": self.path,
            "model": model,
            "stream": stream,
            "status": status,
            "authorization": self.headers.get("Authorization"),
            "counter": counter,
            "messages": req.get("messages"),
            "temperature": req.get("temperature"),
            "max_tokens": req.get("max_tokens"),
            "max_completion_tokens": req.get("max_completion_tokens"),
            "stream_options": req.get("stream_options"),
        })

    def _key_ok(self) -> bool:
        key = self.state.require_key
        if key is None:
            return True
        return self.headers.get("Authorization") == f"Bearer {key}"

    # ---- routing -----------------------------------------------------------------------
    def _dispatch(self) -> None:
        body = self._read_body()
        if body is None:
            self.close_connection = True
        route = self.path.split("?", 1)[0].split("#", 1)[0]
        try:
            if route.endswith("/chat/completions"):
                if self.command != "POST":
                    self._method_not_allowed("POST")
                else:
                    self._chat(body)
            elif route.endswith("/models"):
                if self.command != "GET":
                    self._method_not_allowed("GET")
                else:
                    self._models()
            else:
                self._log(status=404)
                self._send_json(404, error_body(
                    f"Invalid URL ({self.command} {route})", "invalid_request_error", None))
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError):
            self.close_connection = True

    do_GET = _dispatch
    do_POST = _dispatch
    do_PUT = _dispatch
    do_PATCH = _dispatch
    do_DELETE = _dispatch

    def _method_not_allowed(self, allowed: str) -> None:
        self._log(status=405)
        self._send_json(405, error_body(
            f"Method {self.command} is not allowed for {self.path.split('?', 1)[0]}",
            "invalid_request_error", None), {"Allow": allowed})

    def _models(self) -> None:
        if not self._key_ok():
            self._log(status=401)
            self._send_json(401, invalid_key_body(self.headers.get("Authorization")))
            return
        self._log(status=200)
        self._send_json(200, {
            "object": "list",
            "data": [{"id": "fake-model", "object": "model", "owned_by": "fake"}],
        })

    # ---- chat completions --------------------------------------------------------------
    def _chat(self, body: bytes | None) -> None:
        req = None
        if body is not None:
            try:
                req = json.loads(body.decode("utf-8"))
            except (UnicodeDecodeError, ValueError):
                req = None
        model = req.get("model") if isinstance(req, dict) else None
        if not isinstance(model, str):
            model = None
        stream = isinstance(req, dict) and req.get("stream") is True

        if not self._key_ok():
            self._log(model=model, stream=stream, status=401, request=req)
            self._send_json(401, invalid_key_body(self.headers.get("Authorization")))
            return

        if not isinstance(req, dict):
            self._log(status=400)
            self._send_json(400, error_body(
                "We could not parse the JSON body of your request. (HINT: This likely means "
                "you aren't using your HTTP library correctly. The OpenAI API expects a JSON "
                "payload, but what was sent was not valid JSON.)",
                "invalid_request_error", None))
            return
        if model is None:
            self._log(stream=stream, status=400, request=req)
            self._send_json(400, error_body(
                "you must provide a model parameter", "invalid_request_error", None))
            return
        messages = req.get("messages")
        if not isinstance(messages, list):
            self._log(model=model, stream=stream, status=400, request=req)
            self._send_json(400, error_body(
                "Missing required parameter: 'messages'.", "invalid_request_error",
                "missing_required_parameter"))
            return

        counter = self.state.next_count(model)
        scenario = scenario_for(model)

        def fail(status: int, obj: dict, headers: dict | None = None) -> None:
            self._log(model=model, stream=stream, status=status, counter=counter, request=req)
            self._send_json(status, obj, headers)

        if scenario == "flaky-429" and counter <= 2:
            fail(429, error_body(
                f"Rate limit reached for {model} in organization org-fake on requests per min "
                "(RPM): Limit 3, Used 3, Requested 1. Please try again in 0s.",
                "requests", "rate_limit_exceeded"), {"Retry-After": "0"})
            return
        if scenario == "flaky-500" and counter == 1:
            fail(500, error_body(
                "The server had an error while processing your request. Sorry about that!",
                "server_error", None))
            return
        if scenario == "down":
            fail(503, error_body("The engine is currently overloaded", "server_error", None))
            return
        if scenario == "auth":
            fail(401, invalid_key_body(self.headers.get("Authorization")))
            return
        if scenario == "slow":
            time.sleep(self.state.slow_seconds)

        if scenario == "nocode":
            content = NOCODE_TEXT
        elif scenario == "repair" and counter == 1:
            content = success_content(self.state.bad_code)
        else:
            content = success_content(self.state.good_code)
        if scenario == "leak":
            token = bearer_token(self.headers.get("Authorization"))
            content += f"debug: key={token} other={LEAK_OTHER_KEY}\n"

        prompt_tokens = 1000 + 500 * max(len(messages) - 2, 0)
        usage = {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": 300,
            "total_tokens": prompt_tokens + 300,
            "prompt_tokens_details": {"cached_tokens": 0 if counter == 1 else 512},
        }
        ident = f"chatcmpl-fake-{counter}"
        echoed_model = model + MODEL_SUFFIX

        self._log(model=model, stream=stream, status=200, counter=counter, request=req)
        if not stream:
            self._send_json(200, {
                "id": ident,
                "object": "chat.completion",
                "created": CREATED,
                "model": echoed_model,
                "system_fingerprint": FINGERPRINT,
                "choices": [{
                    "index": 0,
                    "message": {"role": "assistant", "content": content},
                    "finish_reason": "stop",
                }],
                "usage": usage,
            })
            return

        opts = req.get("stream_options")
        include_usage = isinstance(opts, dict) and opts.get("include_usage") is True
        self._stream(ident, echoed_model, content, usage if include_usage else None)

    def _stream(self, ident: str, model: str, content: str, usage: dict | None) -> None:
        self.close_connection = True
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.flush()

        def chunk(choices: list, with_usage=False, usage_value=None) -> dict:
            obj = {
                "id": ident,
                "object": "chat.completion.chunk",
                "created": CREATED,
                "model": model,
                "system_fingerprint": FINGERPRINT,
                "choices": choices,
            }
            if usage is not None:  # as the real API: "usage": null on the other chunks
                obj["usage"] = usage_value if with_usage else None
            return obj

        def send(payload: str) -> None:
            self.wfile.write(f"data: {payload}\n\n".encode("utf-8"))
            self.wfile.flush()
            time.sleep(STREAM_GAP_SECONDS)

        def choice(delta: dict, finish=None) -> list:
            return [{"index": 0, "delta": delta, "finish_reason": finish}]

        send(json.dumps(chunk(choice({"role": "assistant", "content": ""})), ensure_ascii=False))
        n = len(content)
        bounds = [n * i // 4 for i in range(5)]
        for a, b in zip(bounds, bounds[1:]):
            send(json.dumps(chunk(choice({"content": content[a:b]})), ensure_ascii=False))
        send(json.dumps(chunk(choice({}, "stop")), ensure_ascii=False))
        if usage is not None:
            send(json.dumps(chunk([], with_usage=True, usage_value=usage), ensure_ascii=False))
        send("[DONE]")


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        # Stay quiet about clients that go away; report anything else briefly.
        exc = sys.exc_info()[1]
        if isinstance(exc, (BrokenPipeError, ConnectionResetError, ConnectionAbortedError,
                            TimeoutError)):
            return
        print(f"fake_openai: error handling request from {client_address}: {exc!r}",
              file=sys.stderr, flush=True)


def read_text(path: str | None, default: str) -> str:
    if path is None:
        return default
    with open(path, "r", encoding="utf-8", newline="") as f:
        return f.read()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="Fake OpenAI-compatible Chat Completions server.")
    p.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (0 = any free one)")
    p.add_argument("--log", help="append one JSON line per request to this file")
    p.add_argument("--code-file", help="good code (default: a hello-world print)")
    p.add_argument("--bad-code-file", help="bad code for the first 'repair' answer")
    p.add_argument("--require-key", help="require 'Authorization: Bearer KEY'")
    p.add_argument("--slow-seconds", type=float, default=5.0, help="sleep of the 'slow' model")
    args = p.parse_args(argv)

    try:
        good = read_text(args.code_file, DEFAULT_GOOD_CODE)
        bad = read_text(args.bad_code_file, DEFAULT_BAD_CODE)
    except OSError as e:
        p.error(str(e))

    state = State(args, good, bad)
    handler = type("BoundHandler", (Handler,), {"state": state})
    server = Server(("127.0.0.1", args.port), handler)

    stop = threading.Event()

    def on_signal(signum, frame):
        # Leave at once: a client holding a keep-alive or streamed connection must not keep the server alive
        # (server.shutdown() would wait for handler threads). Log lines are written whole, so none is cut.
        os._exit(0)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    # A parent may start us with these blocked (a test runner's threads often block them): unblock.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})

    serving = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1},
                               daemon=True)
    serving.start()
    sys.stdout.write(f"PORT {server.server_address[1]}\n")
    sys.stdout.flush()

    while not stop.wait(0.5):
        pass
    server.shutdown()
    server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
