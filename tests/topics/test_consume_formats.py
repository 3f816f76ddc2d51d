"""`weir consume -O table`, `-O binary` and `--truncate`, as a user runs them: piped, and
the live table on a real pseudo-terminal."""

from __future__ import annotations

import json
import os
import pty
import select
import signal
import subprocess
import sys
import time

import pytest

from tests.conftest import REPO, run_weir


def ok(*args: str, input: str | bytes | None = None, env: dict | None = None):
    result = run_weir(*args, input=input, env=env)
    assert result.returncode == 0, (args, result.stderr)
    return result


def cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("│").split("│")]


@pytest.fixture
def shop():
    ok("topic", "create", "shop", "-p", "2")
    ok("produce", "shop", "-p", "0", input='{"id": 1, "item": "tea", "tags": ["hot"]}\n'
                                            '{"id": 2, "price": 3.5}\nplain\ttext\n')
    ok("produce", "shop", "-p", "1", "--raw", input=b"\x00\x01bin\xff")
    return "shop"


def test_table_piped_is_printed_once_with_every_field(shop):
    out = ok("consume", shop, "-B", "-d", "-O", "table").stdout
    rows = [cells(line) for line in out.splitlines() if line.startswith("│")]
    assert rows[0] == ["partition", "offset", "id", "item", "tags", "price", "value"]
    assert rows[1:] == [
        ["0", "0", "1", "tea", '["hot"]', "", ""],
        ["0", "1", "2", "", "", "3.5", ""],
        ["0", "2", "", "", "", "", "plain\\ttext"],  # a control character is shown escaped
        ["1", "0", "", "", "", "", "<6 bytes, not UTF-8>"],
    ]
    one = ok("consume", shop, "-B", "-d", "-O", "table", "-p", "0", "-H", "1").stdout
    assert cells([line for line in one.splitlines() if line.startswith("│")][0]) == [
        "offset", "id", "item", "tags"]  # one partition: no partition column


def test_table_redraws_live_on_a_terminal(shop):
    controller, terminal = pty.openpty()
    env = dict(os.environ, COLUMNS="100", LINES="30", TERM="xterm")
    proc = subprocess.Popen(
        [sys.executable, "-m", "tui.cli.main", "consume", shop, "-B", "-p", "0", "-O", "table"],
        cwd=REPO, stdin=terminal, stdout=terminal, stderr=terminal, env=env)
    os.close(terminal)
    seen = b""

    def read_until(text: bytes, timeout: float = 30) -> None:
        nonlocal seen
        deadline = time.monotonic() + timeout
        while text not in seen:
            assert time.monotonic() < deadline, seen[-2000:]
            if select.select([controller], [], [], 0.2)[0]:
                try:
                    seen += os.read(controller, 65536)
                except OSError:
                    break
    try:
        read_until(b"tea")
        ok("produce", shop, "-p", "0", input=json.dumps({"id": 9, "item": "cake"}) + "\n")
        read_until(b"cake")  # the same table, redrawn with the new row
        assert b"\x1b[" in seen  # drawn in place with cursor movements, not appended text
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(20)
        os.close(controller)
    assert proc.returncode in (0, 130)


def test_binary_is_a_hex_dump_per_record(shop):
    out = ok("consume", shop, "-B", "-d", "-O", "binary", "-p", "1").stdout
    hex_part = f"{'00 01 62 69 6e ff':<23}  {'':<23}"
    assert out.splitlines() == [f"00000000  {hex_part}  |..bin.          |", ""]
    long = ok("consume", shop, "-B", "-d", "-O", "binary", "-p", "0", "-H", "1").stdout
    first, second = long.splitlines()[:2]
    assert first.startswith("00000000  7b 22 69 64 22 3a 20 31  2c 20 22 69 74 65 6d 22")
    assert first.endswith('|{"id": 1, "item"|') and second.startswith("00000010  ")


def test_truncate_cuts_lines_to_the_terminal_width(shop):
    out = ok("consume", shop, "-B", "-d", "-p", "0", "--truncate", env={"COLUMNS": "10"})
    assert out.stdout.splitlines() == ['{"id": 1, ', '{"id": 2, ', "plain\ttext"]
    keyed = ok("consume", shop, "-B", "-d", "-p", "0", "-k", "--truncate",
               env={"COLUMNS": "12"})
    assert keyed.stdout.splitlines()[0] == '[null] {"id"'
    bad = run_weir("consume", shop, "-B", "-d", "-O", "json", "--truncate")
    assert bad.returncode == 2
    assert json.loads(bad.stdout)["error"]["message"].startswith("--truncate applies to")
