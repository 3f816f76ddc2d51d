"""Another local user gets nothing from a Weir home: no secret, not even for the moment
between a write and a chmod; no record, log or state; no wake-up socket to poke. Checked
as a person would: as a second, unprivileged user, with umask 000 and 022."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import REPO, run_weir
from tests.faults.stranger import PROBE, umask
from tests.launch.conftest import force_stop

SECRET = "hunter2-" + "x" * 24
CONFIG = """\
apiVersion: 0.1.0
meta:
  version: 0.1.0
  name: {name}
  type: http-source
  topic: {name}
  secrets:
    - name: API_TOKEN
http:
  endpoint: http://127.0.0.1:9/never
  interval: 1h
  headers: ["Authorization: Bearer ${{{{ secrets.API_TOKEN }}}}"]
"""
WEIR = [sys.executable, "-m", "tui.cli.main"]
WASM = REPO / "examples" / "smartmodules" / "prebuilt" / "contains_filter.wasm"

# Run as the stranger for argv[2] seconds: list $WEIR_HOME/cluster and read every staging
# copy of the secrets as fast as it can; print how often anything worked.
POLL_STAGING = r"""
import json, os, sys, time
home, secret, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
cluster = os.path.join(home, "cluster")
rounds = listed = leaked = 0
deadline = time.monotonic() + seconds
while time.monotonic() < deadline:
    rounds += 1
    try:
        names = os.listdir(cluster)
    except OSError:
        names = [".staging-guess"]
    else:
        listed += 1
    for name in names:
        for leaf in ("secrets", "config.yaml"):
            try:
                with open(os.path.join(cluster, name, leaf)) as f:
                    if secret in f.read():
                        leaked += 1
            except OSError:
                pass
print(json.dumps({"rounds": rounds, "listed": listed, "leaked": leaked}))
"""


def _entries(root: Path) -> list[Path]:
    return [root, *sorted(root.rglob("*"))]


def _loose(root: Path) -> list[str]:
    """Entries whose mode is not exactly 0700 (directories) or 0600 (anything else)."""
    found = []
    for path in _entries(root):
        mode = os.lstat(path).st_mode
        want = 0o700 if stat.S_ISDIR(mode) else 0o600
        if stat.S_IMODE(mode) != want:
            found.append(f"{stat.S_IMODE(mode):04o} {path}")
    return found


@pytest.fixture
def home(open_home):
    """The open home, with any cluster a test started stopped afterwards."""
    yield open_home
    force_stop(open_home)


@pytest.mark.parametrize("mask", [0o000, 0o022], ids=["umask000", "umask022"])
def test_a_stranger_polling_the_staging_directory_never_reads_a_secret(
        stranger, home, tmp_path, mask):
    config = tmp_path / "c.yaml"
    config.write_text(CONFIG.format(name="leaky"))
    secrets = tmp_path / "s.env"
    secrets.write_text(f"API_TOKEN={SECRET}\n")
    with umask(mask):
        assert run_weir("cluster", "start").returncode == 0
        poller = stranger.start_python(POLL_STAGING, str(home), SECRET, "12")
        try:
            time.sleep(1)  # the poller is spinning before the first create
            created = run_weir("connector", "create", "--config", str(config),
                               "--secrets", str(secrets))
            assert created.returncode == 0, created.stderr
            # Every create stages the secrets again (refused as a duplicate afterwards).
            for _ in range(15):
                again = run_weir("connector", "create", "--config", str(config),
                                 "--secrets", str(secrets))
                assert "already exists" in again.stderr
        finally:
            out, err = poller.communicate(timeout=60)
    assert poller.returncode == 0, err
    seen = json.loads(out)
    assert seen["rounds"] > 1000, seen  # it really was polling throughout
    assert seen == {"rounds": seen["rounds"], "listed": 0, "leaked": 0}
    assert _loose(home) == []


@pytest.mark.parametrize("mask", [0o000, 0o022], ids=["umask000", "umask022"])
def test_nothing_weir_keeps_is_readable_or_reachable_by_another_user(
        stranger, home, tmp_path, mask):
    config = tmp_path / "c.yaml"
    config.write_text(CONFIG.format(name="private"))
    secrets = tmp_path / "s.env"
    secrets.write_text(f"API_TOKEN={SECRET}\n")
    legacy = tmp_path / "legacy.yaml"
    legacy.write_text("version: 0.3.0\nname: old\ntype: http\ntopic: old\ndirection: source\n"
                      "parameters:\n  endpoint: http://127.0.0.1:9/x\n"
                      f"secrets:\n  API_TOKEN: {SECRET}\n")
    with umask(mask):
        for args in (("topic", "create", "events"),
                     ("smartmodule", "create", "acme/contains@0.1.0", "--wasm-file", str(WASM)),
                     ("cluster", "start"),
                     ("connector", "create", "--config", str(config), "--secrets",
                      str(secrets)),
                     ("config", "convert", str(legacy), "-o", str(tmp_path / "new.yaml"))):
            done = run_weir(*args)
            assert done.returncode == 0, (args, done.stderr)
        assert run_weir("produce", "events", input="a cat\na dog\n").returncode == 0
        # A follower (its wake-up socket bound) and a compiled-module cache entry.
        follower = subprocess.Popen(
            [*WEIR, "consume", "events", "-B", "--smartmodule", "acme/contains@0.1.0",
             "-e", "contains=cat"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            cwd=REPO)
        try:
            assert follower.stdout.readline() == b"a cat\n"
            sockets = [p for p in home.rglob("*") if stat.S_ISSOCK(os.lstat(p).st_mode)]
            assert sockets, "the follower bound no wake-up socket"
            paths = [str(p) for p in _entries(home)]
            control = home.parent / "control.txt"  # proves the probe can succeed
            control.write_text("anyone")
            control.chmod(0o644)
            got = stranger.python(PROBE, json.dumps([*paths, str(control)]))["got"]
            loose = _loose(home)
        finally:
            follower.terminate()
            follower.wait(10)
    assert got == [["read", str(control)]]
    assert loose == []
    assert any(p.name == "topics.db-wal" for p in home.rglob("*"))
    assert stat.S_IMODE(os.stat(tmp_path / "new.secrets").st_mode) == 0o600


def test_a_root_follower_can_be_woken_by_the_store_owner_only(stranger, open_home):
    """Weir as root hands the store to a container's uid: that uid (and root) can wake a
    root follower; anyone else cannot, and the stranger cannot in root's own store."""
    from runtime.topics.notify import Listener

    base = open_home.parent
    for owner, can_wake in ((stranger.uid, True), (0, False)):
        store = base / f"store-{owner}"
        notify = store / "notify"
        notify.mkdir(parents=True, mode=0o700)
        os.chown(store, owner, owner and stranger.gid)
        os.chown(notify, owner, owner and stranger.gid)
        os.chmod(store, 0o700)
        listener = Listener(notify, "events")
        try:
            sock = notify / listener.name
            info = os.lstat(sock)
            assert stat.S_IMODE(info.st_mode) == 0o600
            assert info.st_uid == owner
            got = stranger.python(PROBE, json.dumps([str(sock)]))["got"]
            assert (got == [["sent", str(sock)]]) is can_wake, (owner, got)
            assert listener.wait_blocking(0.5 if can_wake else 0.05) is can_wake
        finally:
            listener.close()


def test_a_home_left_open_by_an_older_weir_is_tightened_once_with_one_line(stranger, home):
    with umask(0o022):
        assert run_weir("topic", "create", "events").returncode == 0
        assert run_weir("produce", "events", input="one\n").returncode == 0
    # What an older Weir left: directories 0755, files 0644, and something of the user's.
    for path in _entries(home):
        path.chmod(0o755 if path.is_dir() else 0o644)
    (home / "notes.txt").write_text("mine")
    (home / "notes.txt").chmod(0o644)

    first = run_weir("topic", "list")
    assert first.returncode == 0, first.stderr
    lines = first.stderr.splitlines()
    assert len(lines) == 1 and "readable by other users" in lines[0], first.stderr
    assert str(home) in lines[0]
    assert stat.S_IMODE(os.stat(home).st_mode) == 0o700
    weirs = [p for p in _entries(home) if p != home / "notes.txt"]
    assert [p for p in weirs if stat.S_IMODE(os.stat(p).st_mode) & 0o077] == []
    # Not Weir's file: left as the user made it (nobody else can reach it any more).
    assert stat.S_IMODE(os.stat(home / "notes.txt").st_mode) == 0o644
    got = stranger.python(PROBE, json.dumps([str(p) for p in _entries(home)]))["got"]
    assert got == []

    again = run_weir("topic", "list")
    assert again.returncode == 0 and again.stderr == ""


def test_staged_secrets_are_private_even_in_a_home_left_open(stranger, open_home):
    """The staging copy does not lean on the home's mode: with the home and cluster
    directories opened to everyone (as an older Weir left them, before any command
    tightens them), a stranger polling the staging directories during many creates
    still reads nothing, because each is a fresh 0700 directory of 0600 files."""
    from runtime.errors import WeirError
    from runtime.launch.supervisor import Supervisor

    home = open_home
    (home / "cluster").mkdir(parents=True)
    for path in (home, home / "cluster"):
        path.chmod(0o755)
    supervisor = Supervisor(home)
    # Staged, then refused by validation (`interval: never`): nothing is ever started.
    config = CONFIG.format(name="staged").replace("interval: 1h", "interval: never")
    with umask(0o000):
        poller = stranger.start_python(POLL_STAGING, str(home), SECRET, "8")
        try:
            time.sleep(1)
            deadline = time.monotonic() + 6
            creates = 0
            while time.monotonic() < deadline:
                with pytest.raises(WeirError):
                    supervisor.create(config_text=config, secrets_text=f"API_TOKEN={SECRET}\n",
                                      profile="local", cwd=str(home), source_path=None)
                creates += 1
        finally:
            out, err = poller.communicate(timeout=60)
    seen = json.loads(out)
    assert creates > 100 and seen["listed"] > 100, (creates, seen)  # it could look in
    assert seen["leaked"] == 0, seen
    assert list((home / "cluster").iterdir()) == []  # every staging directory removed


def test_an_older_store_outside_the_home_is_made_private_once(stranger, open_home):
    """A profile's data_dir is not shielded by the home: a store an older Weir left there
    readable is made private on first use, with one line."""
    data = open_home.parent / "shared-data"
    with umask(0o022):
        assert run_weir("profile", "add", "staging", "--data-dir", str(data)).returncode == 0
        env = {"WEIR_PROFILE": "staging"}
        assert run_weir("topic", "create", "events", env=env).returncode == 0
        assert run_weir("produce", "events", input=f"{SECRET}\n", env=env).returncode == 0
    # As an older Weir left it: no marker, everything readable, and a file of the user's.
    (data / "topics.db.created").unlink()
    for path in _entries(data):
        path.chmod(0o755 if path.is_dir() else 0o644)
    (data / "README.txt").write_text("team notes")
    assert stranger.python(PROBE, json.dumps([str(data / "topics.db")]))["got"] != []

    first = run_weir("topic", "list", env=env)
    assert first.returncode == 0, first.stderr
    lines = [line for line in first.stderr.splitlines() if str(data) in line]
    assert len(lines) == 1 and "readable by other users" in lines[0], first.stderr
    assert _loose(data) == [f"0644 {data / 'README.txt'}"]  # the user's file: theirs
    paths = [str(p) for p in _entries(data) if p.name != "README.txt"]
    assert stranger.python(PROBE, json.dumps(paths))["got"] == []
    again = run_weir("topic", "list", env=env)
    assert str(data) not in again.stderr
