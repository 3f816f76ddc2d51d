"""`weir cluster start|stop|status` and the API's token check, against a real daemon."""

from __future__ import annotations

import json
import os
import stat

import httpx

from runtime.launch.processes import pid_alive
from runtime.launch.state import read_state, read_token
from tests.conftest import run_weir


def test_start_status_stop(weir_home):
    started = run_weir("cluster", "start")
    assert started.returncode == 0, started.stderr
    assert "started on http://127.0.0.1:" in started.stderr
    state = read_state(weir_home)
    assert state is not None and pid_alive(state.pid)  # outlived the command

    again = run_weir("cluster", "start")
    assert again.returncode == 0 and "already running" in again.stderr
    assert read_state(weir_home).pid == state.pid

    status = run_weir("cluster", "status", "-O", "json")
    data = json.loads(status.stdout)
    assert data["running"] and data["reachable"] and data["port"] == state.port
    assert data["pid"] == state.pid

    stopped = run_weir("cluster", "stop")
    assert stopped.returncode == 0 and "stopped" in stopped.stderr
    assert not pid_alive(state.pid)
    assert read_state(weir_home) is None
    assert not (weir_home / "cluster" / "state.json").exists()
    assert "not running" in run_weir("cluster", "status").stdout
    assert "not running" in run_weir("cluster", "stop").stderr


def test_token_file_is_private_and_required(cluster):
    token_path = cluster / "cluster" / "token"
    assert stat.S_IMODE(os.stat(token_path).st_mode) == 0o600
    state = read_state(cluster)
    token = read_token(cluster)
    url = f"http://127.0.0.1:{state.port}"
    for path in ("/health", "/connectors", "/topics", "/no-such-route"):
        assert httpx.get(url + path).status_code == 401
        wrong = httpx.get(url + path, headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401
        assert "token" in wrong.json()["error"]
    assert httpx.post(url + "/cluster/shutdown").status_code == 401
    assert pid_alive(state.pid)  # the unauthenticated shutdown did nothing
    ok = httpx.get(url + "/health", headers={"Authorization": f"Bearer {token}"})
    assert ok.status_code == 200 and ok.json()["ok"] is True


def test_listens_on_loopback_only(cluster):
    state = read_state(cluster)
    with open("/proc/net/tcp") as handle:
        rows = [line.split() for line in handle.readlines()[1:]]
    local = {row[1] for row in rows if row[3] == "0A"}  # LISTEN sockets
    assert f"0100007F:{state.port:04X}" in local


def test_second_daemon_for_the_same_home_refuses(cluster):
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-m", "runtime.launch.daemon"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "already runs" in result.stderr


def test_stale_state_file_is_ignored(weir_home):
    (weir_home / "cluster").mkdir(parents=True, exist_ok=True)
    (weir_home / "cluster" / "state.json").write_text(
        json.dumps({"pid": 999999, "port": 1, "started_at": 0, "version": "0"}))
    status = run_weir("cluster", "status")
    assert "not running" in status.stdout
    started = run_weir("cluster", "start")
    assert started.returncode == 0, started.stderr
    assert read_state(weir_home).pid != 999999


def test_commands_without_a_cluster_import_nothing_heavy():
    import subprocess
    import sys

    for args in (["cluster", "status"], ["cluster", "stop"], ["connector", "list"],
                 ["profile", "list"]):
        code = (
            f"import sys; sys.argv=['weir', *{args!r}];\n"
            "from tui.cli.main import main\n"
            "try:\n    main()\nexcept SystemExit: pass\n"
            "heavy=[m for m in ('textual','wasmtime','fastapi','uvicorn','httpx') "
            "if m in sys.modules]\n"
            "print('HEAVY', heavy, file=sys.stderr)"
        )
        result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
        assert "HEAVY []" in result.stderr, (args, result.stderr)


def test_concurrent_starts_share_one_daemon(weir_home):
    import subprocess
    import sys

    from tests.conftest import REPO

    procs = [subprocess.Popen([sys.executable, "-m", "tui.cli.main", "cluster", "start"],
                              cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) for _ in range(3)]
    results = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], results
    pids = {line.rsplit("pid ", 1)[1].rstrip(")") for _, err in results
            for line in err.splitlines() if "pid " in line}
    assert len(pids) == 1 and pid_alive(int(pids.pop()))
