"""Item 4: a connector that never runs out of work still stops on the first signal,
flushing what it buffered, and a second signal stops it at once without a traceback."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.connectors.helpers import wait_for
from tests.faults.helpers import all_values, stored_count

BUSY = """\
apiVersion: 0.1.0
meta:
  version: 0.1.0
  name: busy
  type: generator-source
  topic: busy
generator:
  rate: 1000000
{transforms}"""

CHAIN = """\
transforms:
  - uses: {wasm}
    with:
      contains: "1"
"""


def _start(config: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "tui.cli.main", "connector", "run", str(config)],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )


def _busy(tmp_path: Path, chain: bool) -> Path:
    wasm = REPO / "examples/smartmodules/prebuilt/contains_filter.wasm"
    config = tmp_path / "busy.yaml"
    config.write_text(BUSY.format(transforms=CHAIN.format(wasm=wasm) if chain else ""))
    return config


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
@pytest.mark.parametrize("chain", [False, True], ids=["plain", "chain"])
def test_first_signal_stops_a_saturated_generator_gracefully(tmp_path, signum, chain):
    proc = _start(_busy(tmp_path, chain))
    try:
        wait_for(lambda: stored_count("busy") > 1000, timeout=60,
                 what="the generator to fill its topic")
        os.kill(proc.pid, signum)
        sent = time.monotonic()
        output, _ = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, output
    assert time.monotonic() - sent < 20
    assert "Traceback" not in output
    assert f"received {signal.Signals(signum).name}: stopping" in output
    assert "stopping: flushing buffered records" in output
    # every record the connector counted as produced is in the topic, none twice
    summary = next(line for line in output.splitlines() if "stopped (exit 0)" in line)
    out = int(summary.split(":", 2)[-1].split(",")[1].split()[0])
    stored = all_values("busy")
    assert len(stored) == out
    assert len(set(stored)) == len(stored)


def test_second_signal_stops_at_once_without_a_traceback(tmp_path):
    proc = _start(_busy(tmp_path, chain=False))
    try:
        wait_for(lambda: stored_count("busy") > 1000, timeout=60,
                 what="the generator to fill its topic")
        os.kill(proc.pid, signal.SIGINT)
        os.kill(proc.pid, signal.SIGINT)
        output, _ = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert "Traceback" not in output, output
    assert "never retrieved" not in output, output
    # either the second signal cut the stop short (130) or the first had already finished
    assert proc.returncode in (0, 130), output
