"""Item 9: one record size limit (runtime/topics/limits.MAX_RECORD_BYTES, 32 MiB) for
`weir produce` (which refuses a larger record before reading it whole) and for
connectors' producers (a larger record is an error, skipped or stopping the run)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from runtime.topics.limits import MAX_RECORD_BYTES
from tests.conftest import REPO, run_weir
from tests.connectors.helpers import wait_for
from tests.faults.helpers import all_values

CHUNK = b"x" * (1 << 20)


def _produce(args: list[str], feed) -> subprocess.CompletedProcess:
    """`weir produce` with stdin written by `feed(pipe)` from a thread: the input may be
    far larger than what produce reads before it refuses."""
    proc = subprocess.Popen([sys.executable, "-m", "tui.cli.main", "produce", *args],
                            cwd=REPO, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)

    def write() -> None:
        try:
            feed(proc.stdin)
            proc.stdin.close()
        except (BrokenPipeError, ValueError):
            pass  # produce refused and left: what is not read is not held

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    err = proc.stderr.read()  # (communicate would close stdin under the writer)
    out = proc.stdout.read()
    proc.wait(timeout=120)
    writer.join(timeout=120)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out.decode(), err.decode())


def test_produce_refuses_a_line_over_the_limit_and_keeps_what_came_before():
    assert run_weir("topic", "create", "big").returncode == 0

    def feed(pipe) -> None:
        pipe.write(b"one\ntwo\n")
        for _ in range(MAX_RECORD_BYTES // len(CHUNK) + 8):  # 40 MiB, no newline
            pipe.write(CHUNK)
        pipe.write(b"\nthree\n")

    result = _produce(["big"], feed)
    assert result.returncode == 1, result.stderr
    assert "stdin, line 3: a record is over the 33,554,432-byte limit (32 MiB)" in result.stderr
    assert "the 2 records before this line were produced" in result.stderr
    assert "Traceback" not in result.stderr
    assert all_values("big") == [b"one", b"two"]


def test_the_limit_counts_the_key_and_can_be_raised_or_lowered(tmp_path):
    assert run_weir("topic", "create", "small").returncode == 0
    lowered = run_weir("produce", "small", "--max-record-size", "8", "--key-separator", "=",
                       input="k=1234567\nk=12345678\n")
    assert lowered.returncode == 1
    assert "line 2: a record is over the 8-byte limit" in lowered.stderr
    keyed = run_weir("produce", "small", "--max-record-size", "8", "--key", "k",
                     input="1234567\n12345678\n")
    assert keyed.returncode == 1 and "line 2: a record is over" in keyed.stderr
    raw = tmp_path / "raw.bin"
    raw.write_bytes(b"y" * 100)
    refused = run_weir("produce", "small", "--raw", "-f", str(raw), "--max-record-size", "99")
    assert refused.returncode == 1 and "a record is over the 99-byte limit" in refused.stderr
    accepted = run_weir("produce", "small", "--raw", "-f", str(raw), "--max-record-size", "100")
    assert accepted.returncode == 0, accepted.stderr
    assert all_values("small") == [b"1234567", b"1234567", b"y" * 100]
    bad = run_weir("produce", "small", "--max-record-size", "lots")
    assert bad.returncode == 2 and "--max-record-size" in bad.stderr


class _Alternating(BaseHTTPRequestHandler):
    """Every other poll answers with a body one byte over the limit."""

    protocol_version = "HTTP/1.1"
    served = 0

    def log_message(self, *args) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        type(self).served += 1
        body = (b"z" * (MAX_RECORD_BYTES + 1) if self.served % 2 == 1
                else f'{{"poll": {self.served}}}'.encode())
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def test_an_http_source_skips_a_response_over_the_limit(tmp_path):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Alternating)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    config = tmp_path / "poll.yaml"
    config.write_text(f"""\
apiVersion: 0.1.0
meta:
  version: 0.1.0
  name: poll
  type: http-source
  topic: poll
http:
  endpoint: http://127.0.0.1:{server.server_port}/
  interval: 200ms
""")
    proc = subprocess.Popen([sys.executable, "-m", "tui.cli.main", "connector", "run",
                             str(config)], cwd=REPO, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    try:
        wait_for(lambda: len(all_values("poll")) >= 2, timeout=60, what="two small records")
        os.kill(proc.pid, signal.SIGINT)
        output, _ = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        server.shutdown()
    assert proc.returncode == 0, output
    # refused while reading: never more than the limit of it is held
    assert "the response is over the 33,554,432-byte record limit; it was not read " \
           "further, nor produced" in output
    values = all_values("poll")
    assert values and all(len(v) < 100 for v in values)


class _LongSegment(BaseHTTPRequestHandler):
    """A stream whose middle segment has no delimiter for 40 MiB."""

    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        size = 2 + 40 * len(CHUNK) + 3
        self.send_response(200)
        self.send_header("Content-Length", str(size))
        self.end_headers()
        self.wfile.write(b"a\n")
        for _ in range(40):
            self.wfile.write(CHUNK)
        self.wfile.write(b"\nb\n")
        time.sleep(30)  # keep the stream open: the test stops the connector


def test_an_http_stream_skips_a_segment_over_the_limit(tmp_path):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _LongSegment)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    config = tmp_path / "stream.yaml"
    config.write_text(f"""\
apiVersion: 0.1.0
meta:
  version: 0.1.0
  name: stream
  type: http-source
  topic: stream
http:
  endpoint: http://127.0.0.1:{server.server_port}/
  stream: true
  delimiter: "\\n"
""")
    proc = subprocess.Popen([sys.executable, "-m", "tui.cli.main", "connector", "run",
                             str(config)], cwd=REPO, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    try:
        wait_for(lambda: b"b" in all_values("stream"), timeout=60, what="the segment after")
        os.kill(proc.pid, signal.SIGINT)
        output, _ = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        server.shutdown()
    assert all_values("stream") == [b"a", b"b"]
    assert "a segment of the stream is over the 33,554,432-byte record limit; skipped up " \
           "to the next delimiter" in output
