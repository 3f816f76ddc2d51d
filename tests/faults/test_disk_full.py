"""Item 3: a full disk stops nothing for good. On a small tmpfs holding $WEIR_HOME: fill
it while a managed connector runs, check every command says what is full instead of an
internal error and that the connector is never left Running without a process nor Failed,
free the space and watch it come back on its own. Needs root (mount)."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import time
from pathlib import Path

import pytest

from runtime.launch.processes import pid_alive
from tests.conftest import run_weir
from tests.launch.conftest import force_stop, wait_for

GEN = """\
apiVersion: 0.1.0
meta:
  version: 0.1.0
  name: {name}
  type: generator-source
  topic: {name}
generator:
  rate: 200
"""


@pytest.fixture
def small_disk(tmp_path: Path, monkeypatch):
    """A 24 MiB tmpfs as WEIR_HOME; unmounted (after the cluster stops) at the end."""
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", str(mount)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    home = mount / "home"
    monkeypatch.setenv("WEIR_HOME", str(home))
    try:
        yield mount
    finally:
        force_stop(home)
        subprocess.run(["umount", "-l", str(mount)], capture_output=True)


def _fill(mount: Path) -> Path:
    """Write a file until the disk is full (to the last 4 KiB page)."""
    filler = mount / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        for size in (1 << 20, 1 << 12):
            with contextlib.suppress(OSError):
                while True:
                    os.write(fd, b"\0" * size)
    finally:
        os.close(fd)
    return filler


def _view(name: str) -> dict:
    listing = run_weir("connector", "list", "-O", "json")
    assert "internal error" not in listing.stderr, listing.stderr
    return next(c for c in json.loads(listing.stdout) if c["name"] == name)


def _records(name: str) -> int:
    return int(_view(name).get("records") or 0)


def _assert_clear(result, *words: str) -> None:
    out = result.stdout + result.stderr
    assert "internal error" not in out and "Traceback" not in out, out
    assert result.returncode == 2, out
    for word in words:
        assert word in out, out


def test_a_full_disk_is_reported_and_the_connector_comes_back(small_disk, tmp_path):
    for name in ("steady", "spare"):
        config = tmp_path / f"{name}.yaml"
        config.write_text(GEN.format(name=name))
        created = run_weir("connector", "create", "--config", str(config))
        assert created.returncode == 0, created.stderr
    wait_for(lambda: _records("steady") > 100, 60, message="records before the disk fills")

    filler = _fill(small_disk)
    # the connector notices (its appends fail) and is restarted with backoff, never
    # left Running without a process, never Failed
    seen: set[str] = set()
    dead_since: dict[int, float] = {}  # Running with this pid gone: only until it is reaped
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        view = _view("steady")
        seen.add(view["status"])
        assert view["status"] != "Failed", view
        pid = view.get("pid")
        if view["status"].startswith("Running") and pid and not pid_alive(pid):
            first = dead_since.setdefault(pid, time.monotonic())
            assert time.monotonic() - first < 3, f"Running without a process: {view}"
        time.sleep(0.2)
    assert any(s.startswith("Restarting") for s in seen), seen

    other = tmp_path / "other.yaml"
    other.write_text(GEN.format(name="other"))
    _assert_clear(run_weir("connector", "run", str(other)), "no space left on the device")
    _assert_clear(run_weir("connector", "create", "--config", str(other)),
                  "no space left on the device")
    stopped = run_weir("connector", "stop", "spare")
    out = stopped.stdout + stopped.stderr
    assert "internal error" not in out and "Traceback" not in out, out
    if stopped.returncode != 0:  # stopped, but its record could not be saved: it says so
        assert stopped.returncode == 2 and "no space left on the device" in out, out
        assert str(small_disk) in out, out

    before = _records("steady")
    filler.unlink()
    deadline = time.monotonic() + 90
    while not (_view("steady")["status"].startswith("Running")
               and _records("steady") > before + 100):
        if time.monotonic() > deadline:
            log = small_disk / "home" / "connectors" / "steady" / "connector.log"
            view = _view("steady")
            out = small_disk / "home" / "cluster" / "connectors" / "steady" / "output.log"
            wchan = Path(f"/proc/{view.get('pid')}/wchan")
            raise AssertionError(
                f"not back once space returned: {view}\n"
                + "\n".join(log.read_text().splitlines()[-15:])
                + "\n--- output\n" + out.read_text()[-3000:]
                + f"\n--- wchan {wchan.read_text() if wchan.exists() else '-'}"
                + "\n--- daemon\n" + (small_disk / "home" / "cluster" / "daemon.log")
                .read_text()[-3000:])
        time.sleep(0.2)
    view = _view("steady")
    assert view["status"] != "Failed" and pid_alive(view["pid"]), view
    assert _view("spare")["status"] == "Stopped"
    daemon_log = (small_disk / "home" / "cluster" / "daemon.log").read_text()
    assert "Traceback" not in daemon_log, daemon_log[-3000:]
