"""Real HTTP servers on 127.0.0.1 for the connector tests: a cat-facts API and a sink
endpoint that remembers every body it received."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

CAT_FACTS = [
    {"fact": "A cat almost never meows at another cat, mostly just humans.", "length": 61},
    {"fact": "In one stride, a cheetah can cover 23 to 26 feet (7 to 8 meters).", "length": 65},
    {"fact": "Phoenician cargo ships are thought to have brought the first domesticated "
             "cats to Europe in about 900 BC.", "length": 105},
]


class Server:
    def __init__(self, httpd: ThreadingHTTPServer) -> None:
        self.httpd = httpd
        self.lock = threading.Lock()
        self.bodies: list[bytes] = []
        self.headers: list[dict[str, str]] = []
        self.hits = 0
        self.delay_s = 0.0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"


@contextmanager
def serve(handler_factory) -> Iterator[Server]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    server = Server(httpd)
    httpd.RequestHandlerClass = handler_factory(server)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        httpd.shutdown()
        httpd.server_close()


def cat_facts_handler(server: Server):
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            with server.lock:
                fact = CAT_FACTS[server.hits % len(CAT_FACTS)]
                server.hits += 1
                server.headers.append(dict(self.headers))
            body = json.dumps(fact).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    return Handler


def collector_handler(server: Server):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            if len(body) < length:  # the sender died mid-request (SIGKILL): nothing arrived
                self.close_connection = True
                return
            if server.delay_s:
                time.sleep(server.delay_s)
            with server.lock:
                server.bodies.append(body)
                server.headers.append(dict(self.headers))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args) -> None:
            pass

    return Handler
