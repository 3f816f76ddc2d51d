"""examples/connectors/plugins/file-source, run as Weir runs any plugin (run_main in its own
process, the entry point on the path): rotation, truncation, restarts and SIGKILL lose no
line and repeat none."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.connectors import plugin_dist
from tests.connectors.helpers import wait_for

PLUGIN = REPO / "examples" / "connectors" / "plugins" / "file-source"


@pytest.fixture
def env(tmp_path):
    site = plugin_dist.install(tmp_path / "site", "weir-file-source", {},
                               {"file-source": "weir_file_source:FileSource"})
    return {**os.environ, **plugin_dist.env_with(site, PLUGIN)}


def config(tmp_path: Path, log: Path, **params) -> Path:
    extra = "".join(f"  {k}: {v}\n" for k, v in params.items())
    path = tmp_path / "tail.yaml"
    path.write_text(f"""\
apiVersion: 0.1.0
meta:
  version: 0.1.0
  name: tail
  type: file-source
  topic: tailed
  producer: {{linger: 5ms}}
file:
  path: {log}
  poll_interval: 20ms
{extra}""")
    return path


def start(cfg: Path, env: dict) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "runtime.connectors.run_main", "--config",
                             str(cfg)], cwd=REPO, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)


def values() -> list[bytes]:
    from runtime.topics import open_store

    store = open_store()
    try:
        try:
            return [r.value for r in store.read("tailed", 0, 0, 1_000_000)]
        except Exception:  # noqa: BLE001 - the topic is not there yet
            return []
    finally:
        store.close()


def append(path: Path, lines: list[str]) -> None:
    with open(path, "a") as f:
        f.write("".join(f"{line}\n" for line in lines))


def stop(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=30) == 0, proc.stderr.read()


def test_rotation_and_truncation_lose_nothing(tmp_path, env):
    log = tmp_path / "app.log"
    append(log, [f"a{i}" for i in range(5)])
    proc = start(config(tmp_path, log), env)
    try:
        wait_for(lambda: len(values()) == 5, what="the first lines")
        log.rename(tmp_path / "app.log.1")
        append(tmp_path / "app.log.1", ["a5-late"])  # the writer had not reopened yet
        append(log, [f"b{i}" for i in range(3)])
        wait_for(lambda: len(values()) == 9, what="the rotated and the new lines")
        log.write_text("")  # copytruncate
        time.sleep(0.3)
        append(log, ["c0", "c1"])
        wait_for(lambda: len(values()) == 11, what="lines after the truncation")
    finally:
        stop(proc)
    assert [v.decode() for v in values()] == [
        "a0", "a1", "a2", "a3", "a4", "a5-late", "b0", "b1", "b2", "c0", "c1"]


def test_a_restart_resumes_and_finishes_a_file_rotated_meanwhile(tmp_path, env):
    log = tmp_path / "app.log"
    cfg = config(tmp_path, log)
    append(log, ["1", "2"])
    proc = start(cfg, env)
    wait_for(lambda: len(values()) == 2)
    stop(proc)
    append(log, ["3"])  # written while stopped, then rotated away
    log.rename(tmp_path / "app.log.1")
    append(log, ["4", "5"])
    proc = start(cfg, env)
    try:
        wait_for(lambda: len(values()) == 5, what="the lines written while stopped")
        time.sleep(0.3)
    finally:
        stop(proc)
    assert values() == [b"1", b"2", b"3", b"4", b"5"]


def test_sigkill_loses_no_line_and_repeats_none(tmp_path, env):
    log = tmp_path / "app.log"
    cfg = config(tmp_path, log)
    total = 4000
    done = threading.Event()

    def writer() -> None:
        for i in range(1, total):
            append(log, [f"line {i}"])
            if i == total // 2:
                log.rename(tmp_path / "app.log.1")  # and a rotation in the middle
            if i % 10 == 0:
                time.sleep(0.005)
        done.set()

    append(log, ["line 0"])
    proc = start(cfg, env)
    wait_for(lambda: values(), what="the first line")
    thread = threading.Thread(target=writer, daemon=True)
    thread.start()
    rng = random.Random(14)
    kills = 0
    while True:
        time.sleep(rng.uniform(0.2, 0.8))
        proc.kill()  # SIGKILL: no flush, no goodbye
        proc.wait(timeout=30)
        kills += 1
        proc = start(cfg, env)
        if done.is_set() and kills >= 4:
            break
    thread.join()
    try:
        wait_for(lambda: len(values()) >= total, timeout=60, what="every line")
        time.sleep(0.5)
    finally:
        stop(proc)
    got = [v.decode() for v in values()]
    assert got == [f"line {i}" for i in range(total)], (
        f"{len(got)} records, {len(set(got))} distinct, after {kills} kills")
