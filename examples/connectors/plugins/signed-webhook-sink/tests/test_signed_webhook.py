"""Against a real HTTP server on 127.0.0.1, through Weir's harness."""

import dataclasses
import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from weir_signed_webhook import SignedWebhookSink

from runtime.config.load import load_connector
from runtime.connectors.harness import run_test
from runtime.topics.record import ProduceRecord

CONFIG = Path(__file__).resolve().parent.parent / "connector.yaml"
SECRET = "s3cret-value"


class Receiver(ThreadingHTTPServer):
    """Checks the signature; answers 503 to the first `fail_first` requests and 400 to a
    batch holding a record whose value contains "bad"."""

    def __init__(self, fail_first: int = 0):
        self.fail_first = fail_first
        self.batches: list[tuple[str, list]] = []
        self.requests = 0
        super().__init__(("127.0.0.1", 0), Handler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/hook"


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802
        server: Receiver = self.server
        body = self.rfile.read(int(self.headers["Content-Length"]))
        server.requests += 1
        expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(self.headers["X-Weir-Signature"], expected):
            status = 401
        elif server.requests <= server.fail_first:
            status = 503
        elif any("bad" in doc["value"] for doc in json.loads(body)):
            status = 400
        else:
            status = 204
            server.batches.append((self.headers["X-Weir-Delivery"], json.loads(body)))
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def receiver():
    servers = []

    def make(fail_first=0):
        server = Receiver(fail_first)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.shutdown()


def spec_for(url: str, **params):
    spec = load_connector(CONFIG, env={"WEBHOOK_SECRET": SECRET})
    return dataclasses.replace(spec, parameters={**spec.parameters, "endpoint": url,
                                                 "backoff_min": "10ms", **params})


def samples(*values: str):
    return [ProduceRecord(v.encode()) for v in values]


def test_batches_are_signed_and_named(receiver):
    server = receiver()
    outcome = run_test(spec_for(server.url, batch_size=2), samples=samples("a", "b", "c"),
                       connector=SignedWebhookSink)
    assert outcome.errors == [] and outcome.values == [b"a", b"b", b"c"]
    assert [(d, [doc["value"] for doc in docs]) for d, docs in server.batches] == [
        ("orders/0/0-1", ["a", "b"]), ("orders/0/2-2", ["c"])]


def test_a_down_receiver_is_retried_until_it_takes_the_records(receiver):
    server = receiver(fail_first=3)
    outcome = run_test(spec_for(server.url), samples=samples("x"),
                       connector=SignedWebhookSink)
    assert outcome.values == [b"x"] and server.requests == 4
    assert any("HTTP 503" in line and "retry 3" in line for line in outcome.logs)


def test_only_the_refused_record_fails(receiver):
    server = receiver()
    outcome = run_test(spec_for(server.url), samples=samples("ok1", "bad", "ok2"),
                       connector=SignedWebhookSink)
    assert outcome.values == [b"ok1", b"ok2"]
    assert [(r.value, reason) for r, reason in outcome.failed] == [(b"bad",
                                                                    "HTTP 400 Bad Request")]


def test_the_secret_never_reaches_the_log(receiver):
    server = receiver(fail_first=1)
    outcome = run_test(spec_for(server.url + "?k=" + SECRET), samples=samples("x"),
                       connector=SignedWebhookSink)
    text = "\n".join(outcome.logs)
    assert SECRET not in text and "****" in text
