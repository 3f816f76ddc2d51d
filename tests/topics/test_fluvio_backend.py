"""The Fluvio backend where no cluster runs: clear errors, not hangs or tracebacks; and
connectors on a `fluvio` profile pointed at weir's own cluster, end to end. (The contract
suite, tests/topics/test_contract.py, runs against the session's `weir cluster start`
through the official client, or against a real Fluvio when FLUVIO_ENDPOINT is set.)"""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time

import pytest

from runtime.errors import EnvironmentProblem
from runtime.profiles import Profile, add_profile
from runtime.topics import open_store
from runtime.topics.fluvio_backend import reachable
from tests.conftest import run_weir


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_reachable_tells_open_from_closed_ports():
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        assert reachable(f"127.0.0.1:{server.getsockname()[1]}")
    assert not reachable(f"127.0.0.1:{closed_port()}")
    assert not reachable("not-an-endpoint")


def test_unreachable_cluster_is_an_environment_problem():
    pytest.importorskip("fluvio")
    profile = Profile("far", kind="fluvio", endpoint=f"127.0.0.1:{closed_port()}")
    with pytest.raises(EnvironmentProblem) as err:
        open_store(profile)
    assert "cannot reach the Fluvio cluster of profile `far`" in err.value.message
    assert "weir profile switch local" in (err.value.hint or "")


def test_cli_on_a_fluvio_profile_without_cluster_exits_2():
    pytest.importorskip("fluvio")
    add_profile(Profile("far", kind="fluvio", endpoint=f"127.0.0.1:{closed_port()}"),
                switch=True)
    result = run_weir("topic", "list")
    assert result.returncode == 2
    assert "cannot reach the Fluvio cluster" in result.stderr
    assert "Traceback" not in result.stderr


# -- a connector on a `fluvio` profile pointed at weir's own cluster --------------------

GENERATOR = """\
apiVersion: 0.1.0
meta:
  version: 0.1.0
  name: gen-remote
  type: generator-source
  topic: via-fluvio
generator:
  template: '{{"n": {{{{n}}}}}}'
  rate: unlimited
  count: {count}
"""

SQL_SINK = """\
apiVersion: 0.1.0
meta:
  version: 0.1.0
  name: sql-remote
  type: sql-sink
  topic: via-fluvio
  consumer:
    id: sql-remote
    offset:
      strategy: auto
      start: beginning
sql:
  url: sqlite:///{db}
  table: events
  create-table: true
  columns:
    - {{name: n, path: $.n, type: integer}}
  batch-size: 10
"""


def test_connectors_on_a_fluvio_profile_run_through_the_official_client(
        weir_fluvio_cluster, tmp_path):
    """A source writes through the client into the cluster's store; a sink reads them
    back through the client and commits its offset in the store's consumer table."""
    cluster = weir_fluvio_cluster
    remote = {**cluster.env, "WEIR_PROFILE": "remote"}
    result = run_weir("profile", "add", "remote", "--fluvio", cluster.sc, env=cluster.env)
    assert result.returncode == 0, result.stderr
    source = tmp_path / "gen.yaml"
    source.write_text(GENERATOR.format(count=40))
    result = run_weir("connector", "run", str(source), env=remote, timeout=120)
    assert result.returncode == 0, result.stderr
    local = run_weir("consume", "via-fluvio", "-B", "-d", env=cluster.env)
    assert [json.loads(line)["n"] for line in local.stdout.splitlines()] == list(range(40))

    db = tmp_path / "out.db"
    sink = tmp_path / "sql.yaml"
    sink.write_text(SQL_SINK.format(db=db))
    env = {**os.environ, **remote}
    proc = subprocess.Popen([sys.executable, "-m", "tui.cli.main", "connector", "run",
                             str(sink)], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 90
        rows = 0
        while rows < 40 and time.monotonic() < deadline:
            time.sleep(0.3)
            if db.exists():
                with sqlite3.connect(db) as conn:
                    try:
                        rows = conn.execute("SELECT count(*) FROM events").fetchone()[0]
                    except sqlite3.OperationalError:
                        rows = 0
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert rows == 40, err
    assert proc.returncode == 0, err
    with sqlite3.connect(db) as conn:
        assert [n for (n,) in conn.execute("SELECT n FROM events ORDER BY n")] == \
            list(range(40))
    offsets = json.loads(run_weir("consumer", "list", "-O", "json", env=cluster.env).stdout)
    mine = [o for o in offsets if o["consumer"] == "sql-remote"]
    assert [(o["topic"], o["partition"], o["offset"]) for o in mine] == \
        [("via-fluvio", 0, 39)], offsets  # the last record handled, as Fluvio counts
