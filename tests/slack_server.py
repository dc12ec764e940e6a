"""A real HTTP server on 127.0.0.1 standing in for a Slack incoming webhook.

It records every POST (path, headers, JSON body) and answers from a script:
``server.answer(500, 500)`` makes the next two POSTs fail with HTTP 500,
``server.answer("hang")`` holds the next one open past any client timeout.
Anything unscripted gets ``200 ok`` like Slack.
"""

from __future__ import annotations

import json
import threading
from collections import deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

HANG_SECONDS = 5.0
WEBHOOK_PATH = "/services/T0FINOPS/B0ALERTS/xoxSECRETtoken4242"


@dataclass(frozen=True)
class RecordedPost:
    path: str
    headers: dict[str, str]
    body: bytes
    status: int

    @property
    def json(self) -> Any:
        return json.loads(self.body)


class SlackServer:
    """Start with ``with SlackServer() as slack:``; ``slack.url`` is the webhook URL (a secret)."""

    def __init__(self) -> None:
        self.posts: list[RecordedPost] = []
        self._script: deque[int | str] = deque()
        self._lock = threading.Lock()
        self._release = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="slack-server", daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}{WEBHOOK_PATH}"

    @property
    def delivered(self) -> list[RecordedPost]:
        """The POSTs answered 200: messages that reached the channel."""
        with self._lock:
            return [post for post in self.posts if post.status == 200]

    def answer(self, *responses: int | str) -> None:
        """Script the next responses: an HTTP status, or ``"hang"``."""
        with self._lock:
            self._script.extend(responses)

    def _next_response(self) -> int | str:
        with self._lock:
            return self._script.popleft() if self._script else 200

    def _record(self, post: RecordedPost) -> None:
        with self._lock:
            self.posts.append(post)

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                response = server._next_response()
                if response == "hang":
                    # Hold the connection past the client's timeout; it is not a delivered message.
                    server._release.wait(HANG_SECONDS)
                    return
                server._record(RecordedPost(self.path, dict(self.headers.items()), body, int(response)))
                payload = b"ok" if response == 200 else b"internal_error"
                self.send_response(int(response))
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - keep test output quiet
                return

        return Handler

    def __enter__(self) -> SlackServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._release.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)
