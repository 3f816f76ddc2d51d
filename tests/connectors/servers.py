"""Real servers on 127.0.0.1 for the connector tests: cat facts over HTTP (poll, stream,
flaky), an HTTP sink that records what it receives, and a WebSocket feed."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

FACTS = [
    "A cat almost never meows at another cat, mostly just humans.",
    "In one stride, a cheetah can cover 23 to 26 feet (7 to 8 meters).",
    "Phoenician cargo ships are thought to have brought the first domesticated cats to "
    "Europe in about 900 BC.",
]


class CatFacts:
    """HTTP server: GET /fact (JSON), /flaky (500 or garbage first), /stream (chunked
    lines), POST /sink (collects bodies; /sink fails `sink_failures` times first)."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.received: list[bytes] = []
        self.flaky_failures = 0
        self.sink_failures = 0
        self.sink_reject = b"reject"
        self.stream_lines = 5
        self.sink_delay = 0.0
        self.lock = threading.Lock()
        self.counter = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:
                pass

            def _send(self, status: int, body: bytes, ctype: str = "application/json") -> None:
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", ctype)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client stopped waiting (a connector stopped at once)

            def _fact(self) -> bytes:
                with outer.lock:
                    fact = FACTS[outer.counter % len(FACTS)]
                    outer.counter += 1
                return json.dumps({"fact": fact, "length": len(fact)}).encode()

            def do_GET(self) -> None:  # noqa: N802
                outer.requests.append({"path": self.path, "headers": dict(self.headers)})
                if self.path == "/fact":
                    self._send(200, self._fact())
                elif self.path == "/flaky":
                    with outer.lock:
                        fail = outer.flaky_failures > 0
                        outer.flaky_failures -= 1
                    if fail:
                        self._send(500, b"upstream exploded", "text/plain")
                    else:
                        self._send(200, self._fact())
                elif self.path == "/stream":
                    self.send_response(200)
                    self.send_header("Content-Type", "text/plain")
                    self.send_header("Transfer-Encoding", "chunked")
                    self.end_headers()
                    for i in range(outer.stream_lines):
                        chunk = f"line {i}\n".encode()
                        # split a line across chunks to test reassembly
                        for part in (chunk[:3], chunk[3:]):
                            self.wfile.write(f"{len(part):x}\r\n".encode() + part + b"\r\n")
                            self.wfile.flush()
                            time.sleep(0.01)
                    self.wfile.write(b"0\r\n\r\n")
                else:
                    self._send(404, b"not found", "text/plain")

            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                # recorded on arrival, so a test can act while the reply is still delayed
                outer.requests.append({"path": self.path, "headers": dict(self.headers),
                                       "body": body})
                if outer.sink_delay:
                    time.sleep(outer.sink_delay)
                with outer.lock:
                    fail = outer.sink_failures > 0
                    outer.sink_failures -= 1
                if fail:
                    self._send(503, b"try later", "text/plain")
                elif body == outer.sink_reject:
                    self._send(400, b"bad record", "text/plain")
                else:
                    outer.received.append(body)
                    self._send(200, b"{}")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> CatFacts:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


class WebSocketFeed:
    """A WebSocket server: after a client sends `subscribe`, sends one fact a tick."""

    def __init__(self, interval: float = 0.02) -> None:
        self.interval = interval
        self.subscriptions: list[str] = []
        self.loop = asyncio.new_event_loop()
        self.ready = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.port = 0
        self._stop: asyncio.Future | None = None

    async def _handler(self, ws) -> None:
        message = await ws.recv()
        self.subscriptions.append(message)
        n = 0
        while True:
            await ws.send(json.dumps({"fact": FACTS[n % len(FACTS)], "n": n}))
            n += 1
            await asyncio.sleep(self.interval)

    async def _main(self) -> None:
        from websockets.asyncio.server import serve

        self._stop = self.loop.create_future()
        async with serve(self._handler, "127.0.0.1", 0) as server:
            self.port = server.sockets[0].getsockname()[1]
            self.ready.set()
            await self._stop

    def _run(self) -> None:
        self.loop.run_until_complete(self._main())

    def __enter__(self) -> WebSocketFeed:
        self.thread.start()
        self.ready.wait(10)
        self.url = f"ws://127.0.0.1:{self.port}/feed"
        return self

    def __exit__(self, *exc) -> None:
        self.loop.call_soon_threadsafe(self._stop.set_result, None)
        self.thread.join(10)
