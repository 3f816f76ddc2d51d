"""Item 12: SIGKILL producers, a managed connector and the cluster daemon at random
points, over and over (about a minute), then check that every record a producer was told
is stored is stored exactly once, that no record is stored twice or half, that offsets are
dense, and that the managed connector ends Running."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from runtime.launch.processes import pid_alive
from runtime.launch.state import read_state
from runtime.topics import open_store
from tests.conftest import REPO, run_weir
from tests.launch.conftest import wait_for

SECONDS = float(os.environ.get("WEIR_CRASH_LOOP_SECONDS", "60"))
LINES = 200_000  # more than a producer gets through before it is killed

GEN = """\
apiVersion: 0.1.0
meta:
  version: 0.1.0
  name: churn
  type: generator-source
  topic: churn
  producer:
    linger: 20ms
generator:
  rate: 500
  template: '{"n": {{n}}, "pad": "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"}'
"""


def _produce_and_kill(tag: str, rng: random.Random) -> list[bytes]:
    """Run `weir produce acked -v` over numbered lines and SIGKILL it at a random moment;
    the lines it reported stored (its -v lines come after the fsync), in order."""
    proc = subprocess.Popen([sys.executable, "-m", "tui.cli.main", "produce", "acked", "-v",
                             "--batch-size", f"{rng.choice([200, 2000, 20000])}B"],
                            cwd=REPO, stdin=subprocess.PIPE, stderr=subprocess.PIPE,
                            stdout=subprocess.DEVNULL)
    lines = [f"{tag}-{i}".encode() for i in range(LINES)]
    acked = 0
    out: list[bytes] = []

    def feed() -> None:
        try:
            for start in range(0, LINES, 500):
                proc.stdin.write(b"\n".join(lines[start:start + 500]) + b"\n")
                proc.stdin.flush()
                time.sleep(0.001)
        except (BrokenPipeError, ValueError, OSError):
            pass

    def read() -> None:
        for raw in proc.stderr:
            out.append(raw)

    threads = [threading.Thread(target=feed, daemon=True),
               threading.Thread(target=read, daemon=True)]
    for t in threads:
        t.start()
    time.sleep(rng.uniform(0.3, 2.5))
    proc.kill()
    proc.wait()
    threads[1].join(timeout=10)
    for raw in out:
        text = raw.decode(errors="replace")
        if text.startswith("[acked/0] ") and " at offset " in text:
            acked += int(text.split()[1])  # "[acked/0] N records at offset a..b"
    return lines[:acked]


def _connector() -> dict | None:
    listing = run_weir("connector", "list", "-O", "json")
    if listing.returncode != 0:
        return None
    return next((c for c in json.loads(listing.stdout) if c["name"] == "churn"), None)


def _kill_connector(rng: random.Random) -> bool:
    """SIGKILL the connector's process, once it has run long enough that the restart
    policy sees a crash, not a crash loop of its own making."""
    view = _connector()
    if not view or not view.get("pid") or not str(view["status"]).startswith("Running"):
        return False
    if time.time() - (view.get("started_at") or time.time()) < 1.5:
        return False
    time.sleep(rng.uniform(0, 0.3))
    try:
        os.kill(view["pid"], signal.SIGKILL)
    except ProcessLookupError:
        return False
    return True


def _kill_daemon(home: Path) -> bool:
    state = read_state(home)
    if state is None or not pid_alive(state.pid):
        return False
    os.kill(state.pid, signal.SIGKILL)
    wait_for(lambda: not pid_alive(state.pid), 10, message="the daemon gone")
    started = run_weir("cluster", "start")
    assert started.returncode == 0, started.stderr
    return True


def _all(topic: str) -> list:
    store = open_store()
    try:
        latest = store.latest_offset(topic, 0)
        records, offset = [], store.earliest_offset(topic, 0)
        while offset < latest:
            batch = store.read(topic, 0, offset, 50_000)
            records.extend(batch)
            offset = batch[-1].offset + 1
        return records
    finally:
        store.close()


@pytest.fixture(autouse=True)
def quick_supervision(monkeypatch) -> None:
    """The launch tests' quick policy, with a run of 1 s counting as a real run: this test
    kills the connector only after 1.5 s, so its kills never look like a crash loop."""
    monkeypatch.setenv("WEIR_RESTART_BACKOFF", "100ms")
    monkeypatch.setenv("WEIR_RESTART_MAX_BACKOFF", "1s")
    monkeypatch.setenv("WEIR_RESTART_FAST_RUN", "1s")
    monkeypatch.setenv("WEIR_RESTART_MAX_FAST", "3")
    monkeypatch.setenv("WEIR_STOP_TIMEOUT", "8s")


def test_sigkill_anything_loses_and_duplicates_nothing(cluster: Path, tmp_path):
    rng = random.Random(int(os.environ.get("WEIR_CRASH_LOOP_SEED", time.time())))
    config = tmp_path / "churn.yaml"
    config.write_text(GEN)
    assert run_weir("topic", "create", "acked").returncode == 0
    created = run_weir("connector", "create", "--config", str(config))
    assert created.returncode == 0, created.stderr

    acknowledged: list[bytes] = []
    kills = {"producer": 0, "connector": 0, "daemon": 0}
    deadline = time.monotonic() + SECONDS
    iteration = 0
    while time.monotonic() < deadline:
        iteration += 1
        acknowledged += _produce_and_kill(f"p{iteration}", rng)
        kills["producer"] += 1
        roll = rng.random()
        if roll < 0.45 and _kill_connector(rng):
            kills["connector"] += 1
        elif roll < 0.65 and _kill_daemon(cluster):
            kills["daemon"] += 1

    # the cluster (restarted if the last kill left it down) brings the connector back
    if read_state(cluster) is None or not pid_alive(read_state(cluster).pid):
        assert run_weir("cluster", "start").returncode == 0
    view = wait_for(lambda: (v := _connector()) and str(v["status"]).startswith("Running")
                    and v.get("pid") and pid_alive(v["pid"]) and v, 60,
                    message="the managed connector Running again")
    before = int(view.get("records") or 0)
    wait_for(lambda: int((_connector() or {}).get("records") or 0) > before, 60,
             message="the connector producing again")
    assert kills["producer"] >= 10 and kills["connector"] >= 2 and kills["daemon"] >= 1, kills
    assert len(acknowledged) > 1000, "the producers were killed before anything was stored"
    print(f"crash loop: {kills}, {len(acknowledged)} acknowledged records")

    stored = _all("acked")
    assert [r.offset for r in stored] == list(range(len(stored)))  # dense, from 0
    values = [r.value for r in stored]
    assert len(set(values)) == len(values), "a record stored twice"
    missing = set(acknowledged) - set(values)
    assert not missing, f"{len(missing)} acknowledged records lost, e.g. {sorted(missing)[:3]}"
    # each producer's stored lines are a prefix of its input: whole batches, in order
    by_tag: dict[bytes, list[int]] = {}
    for value in values:
        tag, _, number = value.rpartition(b"-")
        by_tag.setdefault(tag, []).append(int(number))
    for tag, numbers in by_tag.items():
        assert numbers == list(range(len(numbers))), f"{tag!r} stored out of order or with gaps"

    churn = _all("churn")
    assert [r.offset for r in churn] == list(range(len(churn)))
    for record in churn:
        assert json.loads(record.value)["pad"].startswith("x")  # never half a record
