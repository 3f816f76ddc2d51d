"""`weir consume|produce TOPIC --smartmodule ...`: chains applied to topic records."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import REPO, run_weir
from tests.smartmodules import wat


@pytest.fixture
def topic(tmp_path):
    assert run_weir("topic", "create", "events").returncode == 0
    for name in ("map", "filter", "filter_map", "lookback"):
        wat.write(tmp_path, name)
    return tmp_path


def consume(*args: str) -> subprocess.CompletedProcess:
    return run_weir("consume", "events", "-B", "-d", *args)


def test_consume_through_registered_module_and_path(topic):
    assert run_weir("produce", "events", input="a\n#b\nc\n").returncode == 0
    assert run_weir("smartmodule", "create", "upper", "--wasm-file",
                    str(topic / "map.wasm")).returncode == 0
    assert consume("--smartmodule", "upper").stdout == "A\n#B\nC\n"
    assert consume("--smartmodule-path", str(topic / "filter.wasm")).stdout == "a\nc\n"
    (topic / "chain.yaml").write_text("transforms:\n  - uses: filter.wasm\n  - uses: upper\n")
    assert consume("--transforms-file", str(topic / "chain.yaml")).stdout == "A\nC\n"
    assert consume().stdout == "a\n#b\nc\n"  # the topic itself is unchanged


def test_consume_error_prints_records_before_it_and_exits_1(topic):
    run_weir("produce", "events", input="1\n2\nx\n3\n")
    r = consume("--smartmodule-path", str(topic / "filter_map.wasm"))
    assert r.returncode == 1 and r.stdout == "1\n2\n"
    assert "filter_map.wasm` at offset 2" in r.stderr
    assert "invalid digit found in string" in r.stderr


def test_consume_lookback_reads_the_topic(topic):
    run_weir("produce", "events", input="a\nb\n")
    (topic / "lb.yaml").write_text("transforms:\n  - uses: lookback.wasm\n"
                                   "    lookback: {last: 1}\n")
    # look_back is seeded with the topic's last record, "b": reading "b" again is a repeat
    r = run_weir("consume", "events", "--start", "1", "-d", "--transforms-file",
                 str(topic / "lb.yaml"))
    assert (r.returncode, r.stdout) == (0, "")
    plain = run_weir("consume", "events", "--start", "1", "-d", "--smartmodule-path",
                     str(topic / "lookback.wasm"))
    assert plain.stdout == "b\n"


def test_produce_through_a_chain(topic):
    r = run_weir("produce", "events", "--smartmodule-path", str(topic / "filter.wasm"),
                 input="keep\n#drop\nalso\n")
    assert r.returncode == 0
    assert consume().stdout == "keep\nalso\n"
    bad = run_weir("produce", "events", "--smartmodule-path", str(topic / "filter_map.wasm"),
                   input="7\nno\n8\n")
    assert bad.returncode == 1 and "1 record of this batch" in bad.stderr
    assert consume().stdout == "keep\nalso\n7\n"


@pytest.mark.parametrize("args", [
    ("-e", "a=b"),
    ("--smartmodule", "x", "--smartmodule-path", "y.wasm"),
    ("--smartmodule", "x", "-e", "novalue"),
])
def test_usage_errors(topic, args):
    assert consume(*args).returncode == 2


def test_plain_consume_does_not_import_wasmtime(topic):
    code = ("import sys; from tui.cli.main import cli\n"
            "try:\n    cli.main(['consume', 'events', '-B', '-d'], standalone_mode=False)\n"
            "finally:\n    print('wasmtime' in sys.modules, file=sys.stderr)")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO,
                       timeout=60)
    assert r.stderr.strip().endswith("False"), r.stderr
